-- gold.dim_date (scripts/catalog/dim_date.md): the conformed date
-- dimension of retail and growth: every date of a sale
-- (silver.retail_sales.transaction_date), a retail spend row
-- (silver.retail_spend.date), a Meta insights row
-- (silver.meta_ads_insights.date), a deal's close_date (every deal of
-- silver.hubspot_deals that has one, won or not) or a GA4 event
-- (silver.ga4_events.event_date), once, by date.
SELECT mx_key([key_s(strftime(d, '%Y-%m-%d'))]) AS date_key,
	strftime(d, '%Y-%m-%d') AS "date",
	year(d) AS "year",
	mx_month(d) AS "month",
	mx_week(d) AS week,
	isodow(d) AS dow,
	isodow(d) IN (6, 7) AS is_weekend
FROM (SELECT transaction_date AS d FROM silver_retail_sales
	UNION
	SELECT "date" FROM silver_retail_spend
	UNION
	SELECT "date" FROM silver_meta_ads_insights
	UNION
	SELECT close_date FROM silver_hubspot_deals WHERE close_date IS NOT NULL
	UNION
	SELECT event_date FROM silver_ga4_events)
ORDER BY d;
