-- silver.retail_sales: scripts/contracts/retail_sales.contract applied to
-- the records of retail_sales.csv (every cell a string; from= names the
-- CSV column), then one record per transaction_id and product_sku: the
-- last delivered.  product_group is Product_Category through
-- scripts/product_groups.tsv (map=: a category the file does not list is
-- kept as it is).  (The silver partition, month of transaction_date,
-- orders gold.fct_sales and picks dim_product's line.)
SELECT error('retail_sales: ' || source || ': unexpected header: ' || coalesce(line, '(not UTF-8)'))
FROM raw_lines('retail_sales')
WHERE line_no = 1 AND coalesce(ltrim(line, chr(65279)), '') <> 'CustomerID,Transaction_ID,Transaction_Date,Product_SKU,Product_Description,Product_Category,Quantity,Avg_Price,Delivery_Charges,Coupon_Status';
CREATE TABLE silver_retail_sales AS
WITH rec AS (
	SELECT source, line_no,
		regexp_extract(line, '^' || csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f() || ',' || csv_f() || '$',
			['CustomerID', 'Transaction_ID', 'Transaction_Date', 'Product_SKU',
			 'Product_Description', 'Product_Category', 'Quantity', 'Avg_Price',
			 'Delivery_Charges', 'Coupon_Status']) AS r
	FROM raw_lines('retail_sales')
	WHERE line_no > 1 AND regexp_full_match(line, csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f() || ',' || csv_f())
), f AS (
	SELECT source, line_no,
		csv_unquote(r.CustomerID) AS customer_id_t,
		csv_unquote(r.Transaction_ID) AS transaction_id_t,
		csv_unquote(r.Transaction_Date) AS transaction_date_t,
		csv_unquote(r.Product_SKU) AS product_sku,
		csv_unquote(r.Product_Description) AS product_description,
		csv_unquote(r.Product_Category) AS product_category,
		csv_unquote(r.Quantity) AS quantity_t,
		csv_unquote(r.Avg_Price) AS avg_price_t,
		csv_unquote(r.Delivery_Charges) AS delivery_charges_t,
		csv_unquote(r.Coupon_Status) AS coupon_status
	FROM rec
), c AS (
	SELECT f.*,
		as_int('s', customer_id_t) AS customer_id,
		as_int('s', transaction_id_t) AS transaction_id,
		as_date('s', transaction_date_t) AS transaction_date,
		as_int('s', quantity_t) AS quantity,
		as_dec('s', avg_price_t) AS avg_price,
		as_dec('s', delivery_charges_t) AS delivery_charges,
		coalesce(m.c, product_category) AS product_group
	FROM f LEFT JOIN product_group_map m ON m.v = product_category
)
SELECT source, line_no, customer_id, transaction_id, transaction_date,
	product_sku, product_description, product_category, quantity,
	avg_price, delivery_charges, coupon_status, product_group
FROM c
WHERE
	-- customer_id int required from=CustomerID min=1
	(has_v('s', customer_id_t) AND customer_id IS NOT NULL AND customer_id >= 1)
	-- transaction_id int required from=Transaction_ID min=1
	AND (has_v('s', transaction_id_t) AND transaction_id IS NOT NULL AND transaction_id >= 1)
	-- transaction_date date required from=Transaction_Date max=_ingested_at
	AND (has_v('s', transaction_date_t) AND transaction_date IS NOT NULL
		AND transaction_date <= ingested_at()::DATE)
	-- product_sku string required from=Product_SKU re=^[A-Z0-9]+$
	AND regexp_matches(product_sku, '^[A-Z0-9]+$')
	-- product_description string required from=Product_Description minlen=1
	AND length(product_description) >= 1
	-- product_category string required from=Product_Category minlen=1 maxlen=100
	AND length(product_category) BETWEEN 1 AND 100
	-- quantity int required from=Quantity min=1
	AND (has_v('s', quantity_t) AND quantity IS NOT NULL AND quantity >= 1)
	-- avg_price decimal required from=Avg_Price min=0 scale=2
	AND (has_v('s', avg_price_t) AND avg_price IS NOT NULL AND avg_price >= 0
		AND dec_scale(avg_price_t) <= 2)
	-- delivery_charges decimal required from=Delivery_Charges min=0 scale=2
	AND (has_v('s', delivery_charges_t) AND delivery_charges IS NOT NULL
		AND delivery_charges >= 0 AND dec_scale(delivery_charges_t) <= 2)
	-- coupon_status string required from=Coupon_Status in=Used,"Not Used",Clicked
	AND coupon_status IN ('Used', 'Not Used', 'Clicked')
	-- product_group string required from=Product_Category map=../product_groups.tsv
	-- (a string: any CSV cell is a value, so required holds)
	AND product_group IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY transaction_id, product_sku
	ORDER BY source DESC, line_no DESC) = 1;
