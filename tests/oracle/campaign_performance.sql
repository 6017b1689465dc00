-- gold.campaign_performance (scripts/catalog/campaign_performance.md): one
-- row per row of gold.dim_campaign, in its order (the unknown member
-- first): the sums of its rows of gold.fct_ad_performance (0 when none),
-- and of the rows of gold.fct_orders whose campaign_key is its key (the
-- unknown member's: deals of contacts whose campaign is in no Meta row, and
-- of contacts in no row of dim_contacts, whose campaign_key is the unknown
-- member's too); the ratios rounded once to 4 places, null when the
-- divisor is 0.
WITH d AS (
	SELECT *, row_number() OVER () AS pos FROM gold_dim_campaign
), a AS (
	SELECT campaign_key::VARCHAR AS k,
		sum(impressions) AS impressions, sum(clicks) AS clicks,
		money(sum(spend_usd)) AS spend_usd, sum(purchases) AS meta_purchases
	FROM gold_fct_ad_performance GROUP BY 1
), o AS (
	SELECT campaign_key::VARCHAR AS k, count(*) AS orders,
		count(DISTINCT contact_key::VARCHAR) AS customers,
		money(sum(amount_usd)) AS revenue_usd
	FROM gold_fct_orders WHERE campaign_key IS NOT NULL GROUP BY 1
), j AS (
	SELECT d.pos, d.campaign_key, d.campaign_id, d.campaign_name,
		coalesce(a.impressions, 0) AS impressions,
		coalesce(a.clicks, 0) AS clicks,
		coalesce(a.spend_usd, 0) AS spend_usd,
		coalesce(a.meta_purchases, 0) AS meta_purchases,
		coalesce(o.orders, 0) AS orders,
		coalesce(o.customers, 0) AS customers,
		coalesce(o.revenue_usd, 0) AS revenue_usd
	FROM d
	LEFT JOIN a ON a.k = d.campaign_key::VARCHAR
	LEFT JOIN o ON o.k = d.campaign_key::VARCHAR
)
SELECT campaign_key, campaign_id, campaign_name, impressions, clicks,
	spend_usd, meta_purchases, orders, customers, revenue_usd,
	mx_ratio(clicks * 100, impressions, 4) AS ctr,
	mx_ratio(spend_usd, clicks, 4) AS cpc,
	mx_ratio(spend_usd * 1000, impressions, 4) AS cpm,
	mx_ratio(revenue_usd, spend_usd, 4) AS roas,
	mx_ratio(spend_usd, customers, 4) AS cac
FROM j
ORDER BY pos;
