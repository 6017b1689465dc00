-- gold.conversion_funnel (scripts/catalog/conversion_funnel.md): the funnel
-- of every product, over the events of silver.ecommerce_events with a
-- product_id.
SELECT product_id,
	max(category) AS category,
	count(*) FILTER (WHERE event_type = 'page_view') AS views,
	count(*) FILTER (WHERE event_type = 'add_to_cart') AS carts,
	count(*) FILTER (WHERE event_type = 'purchase') AS purchases,
	mx_ratio(carts, views, 4) AS view_to_cart,
	mx_ratio(purchases, views, 4) AS view_to_purchase,
	mx_ratio(purchases, carts, 4) AS cart_to_purchase
FROM silver_ecommerce_events
WHERE product_id IS NOT NULL
GROUP BY product_id
ORDER BY product_id;
