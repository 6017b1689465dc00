-- silver.online_sales: scripts/contracts/online_sales.contract applied to
-- the records of online_sales.csv (every cell a string), then one record
-- per order_id: the last delivered.
SELECT error('online_sales: ' || source || ': unexpected header: ' || coalesce(line, '(not UTF-8)'))
FROM raw_lines('online_sales')
WHERE line_no = 1 AND coalesce(ltrim(line, chr(65279)), '') <> 'order_id,customer_id,product_id,product_name,category,quantity,unit_price,order_date,channel';
CREATE TABLE silver_online_sales AS
WITH rec AS (
	SELECT source, line_no,
		regexp_extract(line, '^' || csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f() || '$',
			['order_id', 'customer_id', 'product_id', 'product_name', 'category',
			 'quantity', 'unit_price', 'order_date', 'channel']) AS r
	FROM raw_lines('online_sales')
	WHERE line_no > 1 AND regexp_full_match(line, csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f())
), f AS (
	SELECT source, line_no,
		csv_unquote(r.order_id) AS order_id,
		csv_unquote(r.customer_id) AS customer_id,
		csv_unquote(r.product_id) AS product_id,
		csv_unquote(r.product_name) AS product_name,
		csv_unquote(r.category) AS category,
		csv_unquote(r.quantity) AS quantity_t,
		csv_unquote(r.unit_price) AS unit_price_t,
		csv_unquote(r.order_date) AS order_date_t,
		csv_unquote(r.channel) AS channel_t
	FROM rec
), c AS (
	SELECT f.*,
		as_int('s', quantity_t) AS quantity,
		as_dec('s', unit_price_t) AS unit_price,
		as_date('s', order_date_t) AS order_date,
		coalesce(m.c, channel_t) AS channel
	FROM f LEFT JOIN channel_map m ON m.v = channel_t
)
SELECT source, line_no, order_id, customer_id, product_id, product_name,
	category, quantity, unit_price, order_date, channel
FROM c
WHERE
	-- order_id string required re=^O[0-9]+$
	regexp_matches(order_id, '^O[0-9]+$')
	-- customer_id string required re=^C[0-9]+$
	AND regexp_matches(customer_id, '^C[0-9]+$')
	-- product_id string required re=^p[0-9]+$
	AND regexp_matches(product_id, '^p[0-9]+$')
	-- product_name, category string required minlen=1
	AND length(product_name) >= 1
	AND length(category) >= 1
	-- quantity int required min=1
	AND (has_v('s', quantity_t) AND quantity IS NOT NULL AND quantity >= 1)
	-- unit_price decimal required min=0 scale=2
	AND (has_v('s', unit_price_t) AND unit_price IS NOT NULL AND unit_price >= 0
		AND dec_scale(unit_price_t) <= 2)
	-- order_date date required max=_ingested_at
	AND (has_v('s', order_date_t) AND order_date IS NOT NULL AND order_date <= ingested_at()::DATE)
	-- channel string required minlen=1 map=../channels.tsv
	AND length(channel) >= 1
QUALIFY row_number() OVER (PARTITION BY order_id
	ORDER BY source DESC, line_no DESC) = 1;
