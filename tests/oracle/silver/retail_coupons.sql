-- silver.retail_coupons: scripts/contracts/retail_coupons.contract applied
-- to the records of retail_coupons.csv (every cell a string), then one
-- record per month_of_year and product_category: the last delivered.
-- month_of_year is Month through scripts/months.tsv (map=: Jan is 01; a
-- value the file does not list is kept, and must then be one of in=).
SELECT error('retail_coupons: ' || source || ': unexpected header: ' || coalesce(line, '(not UTF-8)'))
FROM raw_lines('retail_coupons')
WHERE line_no = 1 AND coalesce(ltrim(line, chr(65279)), '') <> 'Month,Product_Category,Coupon_Code,Discount_pct';
CREATE TABLE silver_retail_coupons AS
WITH rec AS (
	SELECT source, line_no,
		regexp_extract(line, '^' || csv_f() || ',' || csv_f() || ',' || csv_f() || ',' || csv_f() || '$',
			['Month', 'Product_Category', 'Coupon_Code', 'Discount_pct']) AS r
	FROM raw_lines('retail_coupons')
	WHERE line_no > 1 AND regexp_full_match(line, csv_f() || ',' || csv_f() || ',' || csv_f() || ',' || csv_f())
), f AS (
	SELECT source, line_no,
		csv_unquote(r.Month) AS month_t,
		csv_unquote(r.Product_Category) AS product_category,
		csv_unquote(r.Coupon_Code) AS coupon_code,
		csv_unquote(r.Discount_pct) AS discount_pct_t
	FROM rec
), c AS (
	SELECT f.*,
		coalesce(m.c, month_t) AS month_of_year,
		as_dec('s', discount_pct_t) AS discount_pct
	FROM f LEFT JOIN month_map m ON m.v = month_t
)
SELECT source, line_no, month_of_year, product_category, coupon_code, discount_pct
FROM c
WHERE
	-- month_of_year string required from=Month map=../months.tsv in=01,...,12
	month_of_year IN ('01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12')
	-- product_category string required from=Product_Category minlen=1 maxlen=100
	AND length(product_category) BETWEEN 1 AND 100
	-- coupon_code string required from=Coupon_Code minlen=1
	AND length(coupon_code) >= 1
	-- discount_pct decimal required from=Discount_pct min=0 max=100
	AND (has_v('s', discount_pct_t) AND discount_pct IS NOT NULL
		AND discount_pct BETWEEN 0 AND 100)
QUALIFY row_number() OVER (PARTITION BY month_of_year, product_category
	ORDER BY source DESC, line_no DESC) = 1;
