-- gold.top_products (scripts/catalog/top_products.md): the ten products of
-- silver.ecommerce_events viewed most (page_view events), with the dense
-- rank of their views.
SELECT product_id, category, views, "rank"
FROM (SELECT product_id,
		max(category) AS category,
		count(*) AS views,
		dense_rank() OVER (ORDER BY count(*) DESC) AS "rank"
	FROM silver_ecommerce_events
	WHERE event_type = 'page_view' AND product_id IS NOT NULL
	GROUP BY product_id)
ORDER BY views DESC, product_id
LIMIT 10;
