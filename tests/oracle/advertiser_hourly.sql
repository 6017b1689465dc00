-- gold.advertiser_hourly (scripts/catalog/advertiser_hourly.md): as
-- advertiser_daily, per UTC hour of timestamp.
WITH net AS (
	SELECT advertiser, date_trunc('hour', "timestamp") AS h,
		count(*) FILTER (WHERE event_type = 'impression') AS impressions,
		count(*) FILTER (WHERE event_type = 'click') AS clicks,
		sum(amount) AS net_spend
	FROM silver_adclicks
	GROUP BY ALL
), gross AS (
	SELECT advertiser, date_trunc('hour', "timestamp") AS h, sum(gross_amount) AS gross_spend
	FROM silver_adclicks_deliveries
	GROUP BY ALL
)
SELECT advertiser,
	mx_date(h) AS event_date,
	hour(h) AS event_hour,
	mx_fmt_ts(h) AS window_start,
	mx_fmt_ts(h + INTERVAL 1 HOUR) AS window_end,
	coalesce(impressions, 0) AS impressions,
	coalesce(clicks, 0) AS clicks,
	coalesce(net_spend, 0)::DECIMAL(38, 18) AS net_spend,
	coalesce(gross_spend, 0)::DECIMAL(38, 18) AS gross_spend
FROM net FULL JOIN gross USING (advertiser, h)
ORDER BY advertiser, event_date, event_hour;
