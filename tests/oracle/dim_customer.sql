-- gold.dim_customer (scripts/catalog/dim_customer.md): the unknown member
-- (key 0000000000000000, every other column null), then one row per
-- customer of silver.retail_customers, in the order of its partition
-- (location, by bytes), then as delivered (file name, then line).
-- customer_key is hash(customer_id): the list of its parts (see lib.sql,
-- mx_key).
SELECT customer_key, customer_id, gender, location, tenure_months, tenure_band
FROM (
	SELECT 0 AS member, NULL::BLOB AS loc, NULL::VARCHAR AS source, NULL::BIGINT AS line_no,
		mx_key_unknown() AS customer_key,
		NULL::BIGINT AS customer_id, NULL::VARCHAR AS gender,
		NULL::VARCHAR AS location, NULL::BIGINT AS tenure_months,
		NULL::VARCHAR AS tenure_band
	UNION ALL
	SELECT 1, encode(location), source, line_no,
		mx_key([key_d(customer_id)]),
		customer_id, gender, location, tenure_months,
		CASE WHEN tenure_months <= 12 THEN '0-12'
			WHEN tenure_months <= 24 THEN '13-24'
			WHEN tenure_months <= 36 THEN '25-36'
			ELSE '37+' END
	FROM silver_retail_customers
)
ORDER BY member, loc, source, line_no;
