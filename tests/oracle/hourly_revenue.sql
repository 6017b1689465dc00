-- gold.hourly_revenue (scripts/catalog/hourly_revenue.md): revenue and
-- transactions of the purchases of silver.ecommerce_events per date and
-- hour.
SELECT mx_date("timestamp") AS event_date,
	hour("timestamp") AS event_hour,
	sum(money(price * quantity)) AS revenue,
	count(*) AS transactions
FROM silver_ecommerce_events
WHERE event_type = 'purchase'
GROUP BY ALL
ORDER BY event_date, event_hour;
