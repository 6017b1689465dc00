-- gold.fct_sales (scripts/catalog/fct_sales.md): one row per line of
-- silver.retail_sales, in the order of its partition (month of
-- transaction_date), then as delivered (file name, then line).
--   coupon: when coupon_status is Used, the coupon of silver.retail_coupons
--     for the month of year (MM) of transaction_date and product_category;
--     discount_pct is its Discount_pct, 0 when there is none or the coupon
--     was not used;
--   discount = round(gross × discount_pct / 100, 2), gst =
--     round(net_amount × gst_rate, 2), half away from zero, exact
--     (mul_round in lib.sql);
--   gst_rate, gst, total, sale_size null when the category has no GST row;
--   customer_key: dim_customer's key for customer_id, else the unknown
--     member's.
WITH s AS (
	SELECT s.*,
		money(s.avg_price * s.quantity) AS gross,
		CASE WHEN s.coupon_status = 'Used' THEN c.coupon_code END AS coupon_code,
		CASE WHEN s.coupon_status = 'Used' THEN coalesce(c.discount_pct, 0) ELSE 0 END AS discount_pct,
		t.gst AS gst_rate,
		d.customer_key AS known_key
	FROM silver_retail_sales s
	LEFT JOIN silver_retail_coupons c
		ON c.month_of_year = strftime(s.transaction_date, '%m')
		AND c.product_category = s.product_category
	LEFT JOIN silver_retail_tax t ON t.product_category = s.product_category
	LEFT JOIN gold_dim_customer d ON d.customer_id = s.customer_id
), m AS (
	SELECT *, mul_round(gross, money(discount_pct), 100, 2) AS discount FROM s
), n AS (
	SELECT *, money(gross - discount) AS net_amount FROM m
), g AS (
	SELECT *, mul_round(net_amount, gst_rate, 1, 2) AS gst FROM n
), t AS (
	SELECT *, money(net_amount + gst + delivery_charges) AS total FROM g
)
SELECT mx_key([key_d(transaction_id), key_s(product_sku)]) AS sales_key,
	transaction_id,
	product_sku,
	mx_key([key_s(strftime(transaction_date, '%Y-%m-%d'))]) AS date_key,
	strftime(transaction_date, '%Y-%m-%d') AS transaction_date,
	coalesce(known_key, mx_key_unknown()) AS customer_key,
	customer_id,
	mx_key([key_s(product_sku)]) AS product_key,
	quantity,
	avg_price AS unit_price,
	gross,
	coupon_status,
	coupon_code,
	money(discount_pct) AS discount_pct,
	discount,
	net_amount,
	gst_rate,
	gst,
	delivery_charges AS delivery,
	total,
	CASE WHEN total < 100 THEN 'Small' WHEN total < 500 THEN 'Medium'
		WHEN total IS NOT NULL THEN 'Large' END AS sale_size
FROM t
ORDER BY strftime(transaction_date, '%Y-%m'), source, line_no;
