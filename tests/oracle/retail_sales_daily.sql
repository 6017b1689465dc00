-- gold.retail_sales_daily (scripts/catalog/retail_sales_daily.md): the
-- oracle's fct_sales per day and product group, the group that of the
-- oracle's dim_product for the line's product (joined on product_sku: the
-- product_key is hash(product_sku) on both sides); sum() leaves nulls
-- out and is null when every value is null, as the definition says.
SELECT f.transaction_date AS "date",
	p.product_group,
	count(*) AS lines,
	sum(f.quantity) AS quantity,
	sum(f.gross) AS gross,
	sum(f.discount) AS discount,
	sum(f.net_amount) AS net_amount,
	count(f.gst) AS lines_with_gst,
	sum(f.gst) AS gst,
	sum(f.total) AS total
FROM gold_fct_sales f
LEFT JOIN gold_dim_product p ON p.product_sku = f.product_sku
GROUP BY ALL
ORDER BY "date", p.product_group;
