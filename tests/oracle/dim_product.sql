-- gold.dim_product (scripts/catalog/dim_product.md): one row per
-- product_sku of silver.retail_sales, from the SKU's last line in silver
-- order (the partition, month of transaction_date, then as delivered),
-- with the GST of its category (null when silver.retail_tax has no row for
-- it), by product_sku (bytes).
SELECT mx_key([key_s(s.product_sku)]) AS product_key,
	s.product_sku,
	s.product_description,
	s.product_category,
	s.product_group,
	t.gst AS gst_rate
FROM silver_retail_sales s
LEFT JOIN silver_retail_tax t ON t.product_category = s.product_category
QUALIFY row_number() OVER (PARTITION BY s.product_sku
	ORDER BY strftime(s.transaction_date, '%Y-%m') DESC, s.source DESC, s.line_no DESC) = 1
ORDER BY encode(s.product_sku);
