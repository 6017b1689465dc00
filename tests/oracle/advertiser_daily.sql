-- gold.advertiser_daily (scripts/catalog/advertiser_daily.md): impressions,
-- clicks and net spend of silver.adclicks (each event once), gross spend
-- of silver.adclicks_deliveries (every valid delivery), per advertiser and
-- UTC day of timestamp; a day with an event or a delivery has a row.
WITH net AS (
	SELECT advertiser, "timestamp"::DATE AS d,
		count(*) FILTER (WHERE event_type = 'impression') AS impressions,
		count(*) FILTER (WHERE event_type = 'click') AS clicks,
		sum(amount) AS net_spend
	FROM silver_adclicks
	GROUP BY ALL
), gross AS (
	SELECT advertiser, "timestamp"::DATE AS d, sum(gross_amount) AS gross_spend
	FROM silver_adclicks_deliveries
	GROUP BY ALL
)
SELECT advertiser,
	mx_date(d) AS event_date,
	mx_fmt_ts(d::TIMESTAMP) AS window_start,
	mx_fmt_ts(d::TIMESTAMP + INTERVAL 1 DAY) AS window_end,
	coalesce(impressions, 0) AS impressions,
	coalesce(clicks, 0) AS clicks,
	coalesce(net_spend, 0)::DECIMAL(38, 18) AS net_spend,
	coalesce(gross_spend, 0)::DECIMAL(38, 18) AS gross_spend
FROM net FULL JOIN gross USING (advertiser, d)
ORDER BY advertiser, event_date;
