-- gold.fct_ad_performance (scripts/catalog/fct_ad_performance.md): one row
-- per row of silver.meta_ads_insights (ad_id and date) whose
-- account_currency is USD (rate 1) or has a rate in silver.fx_rates on its
-- date (the others are the table's rejects), in the order of its partition
-- (date), then as delivered.  Money in US dollars (scripts/catalog/README.md,
-- Currency): amount × rate, exact, rounded once half away from zero to 2
-- places (mul_round).  The ratios: exact quotients rounded once to 4 places
-- (mx_ratio), null when the divisor is 0.
WITH r AS (
	SELECT m.*,
		CASE WHEN m.account_currency = 'USD' THEN money(1) ELSE f.rate END AS fx_rate
	FROM silver_meta_ads_insights m
	LEFT JOIN silver_fx_rates f
		ON f."date" = m."date" AND f.currency = m.account_currency
), u AS (
	SELECT *,
		mul_round(spend, fx_rate, 1, 2) AS spend_usd,
		mul_round(purchase_value, fx_rate, 1, 2) AS purchase_value_usd
	FROM r
	WHERE fx_rate IS NOT NULL
)
SELECT mx_key([key_s(ad_id), key_s(strftime("date", '%Y-%m-%d'))]) AS ad_performance_key,
	mx_key([key_s(strftime("date", '%Y-%m-%d'))]) AS date_key,
	strftime("date", '%Y-%m-%d') AS "date",
	mx_key([key_s(ad_id)]) AS ad_key,
	ad_id,
	mx_key([key_s(campaign_id)]) AS campaign_key,
	account_currency,
	fx_rate,
	impressions,
	clicks,
	link_clicks,
	landing_page_views,
	leads,
	purchases,
	spend,
	spend_usd,
	purchase_value,
	purchase_value_usd,
	mx_ratio(clicks * 100, impressions, 4) AS ctr,
	mx_ratio(spend_usd, clicks, 4) AS cpc,
	mx_ratio(spend_usd * 1000, impressions, 4) AS cpm,
	mx_ratio(purchase_value_usd, spend_usd, 4) AS roas
FROM u
ORDER BY "date", source, line_no;
