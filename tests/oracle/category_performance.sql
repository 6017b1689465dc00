-- gold.category_performance (scripts/catalog/category_performance.md):
-- every event of silver.ecommerce_events per day and category (searches
-- under "(none)", the contract's default), by event type, with the revenue
-- of the purchases.
SELECT mx_date("timestamp") AS event_date,
	category,
	count(*) AS events,
	count(*) FILTER (WHERE event_type = 'page_view') AS views,
	count(*) FILTER (WHERE event_type = 'add_to_cart') AS carts,
	count(*) FILTER (WHERE event_type = 'purchase') AS purchases,
	count(*) FILTER (WHERE event_type = 'search') AS searches,
	coalesce(sum(money(price * quantity)) FILTER (WHERE event_type = 'purchase'), 0) AS revenue
FROM silver_ecommerce_events
GROUP BY ALL
ORDER BY event_date, category;
