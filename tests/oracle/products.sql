-- gold.products (scripts/catalog/products.md): every product of
-- silver.online_sales: its orders, units and revenue.
SELECT product_id,
	max(product_name) AS product_name,
	max(category) AS category,
	count(*) AS orders,
	sum(quantity) AS units,
	sum(money(unit_price * quantity)) AS revenue
FROM silver_online_sales
GROUP BY product_id
ORDER BY product_id;
