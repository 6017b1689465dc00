-- gold.advertiser_monthly (scripts/catalog/advertiser_monthly.md): as
-- advertiser_daily per UTC month, with the monthly budget: the
-- budget_value of the advertiser's latest event of the month in
-- silver.adclicks (of two at one time, the later delivered) times the days
-- of the month; NULL for a month of re-sent deliveries only.  budget_value
-- is nullable in the contract: the latest event of the month that has one
-- (arg_max skips NULL), as in can_serve.
WITH net AS (
	SELECT advertiser, date_trunc('month', "timestamp") AS m,
		count(*) FILTER (WHERE event_type = 'impression') AS impressions,
		count(*) FILTER (WHERE event_type = 'click') AS clicks,
		sum(amount) AS net_spend,
		arg_max(budget_value, ("timestamp", source, line_no)) AS budget_end
	FROM silver_adclicks
	GROUP BY ALL
), gross AS (
	SELECT advertiser, date_trunc('month', "timestamp") AS m, sum(gross_amount) AS gross_spend
	FROM silver_adclicks_deliveries
	GROUP BY ALL
), j AS (
	SELECT advertiser, m,
		coalesce(impressions, 0) AS impressions,
		coalesce(clicks, 0) AS clicks,
		coalesce(net_spend, 0)::DECIMAL(38, 18) AS net_spend,
		coalesce(gross_spend, 0)::DECIMAL(38, 18) AS gross_spend,
		(budget_end * day(last_day(m)))::DECIMAL(38, 18) AS monthly_budget
	FROM net FULL JOIN gross USING (advertiser, m)
)
SELECT advertiser,
	mx_month(m) AS "month",
	mx_fmt_ts(m) AS window_start,
	mx_fmt_ts(m + INTERVAL 1 MONTH) AS window_end,
	impressions, clicks, net_spend, gross_spend, monthly_budget,
	monthly_budget - net_spend AS remaining,
	net_spend < monthly_budget AS can_serve
FROM j
ORDER BY advertiser, "month";
