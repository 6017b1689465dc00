-- silver.retail_tax: scripts/contracts/retail_tax.contract applied to the
-- records of retail_tax.csv (every cell a string), then one record per
-- product_category: the last delivered.  gst is a fraction (0.18 is 18%).
SELECT error('retail_tax: ' || source || ': unexpected header: ' || coalesce(line, '(not UTF-8)'))
FROM raw_lines('retail_tax')
WHERE line_no = 1 AND coalesce(ltrim(line, chr(65279)), '') <> 'Product_Category,GST';
CREATE TABLE silver_retail_tax AS
WITH rec AS (
	SELECT source, line_no,
		regexp_extract(line, '^' || csv_f() || ',' || csv_f() || '$',
			['Product_Category', 'GST']) AS r
	FROM raw_lines('retail_tax')
	WHERE line_no > 1 AND regexp_full_match(line, csv_f() || ',' || csv_f())
), f AS (
	SELECT source, line_no,
		csv_unquote(r.Product_Category) AS product_category,
		csv_unquote(r.GST) AS gst_t
	FROM rec
), c AS (
	SELECT f.*, as_dec('s', gst_t) AS gst FROM f
)
SELECT source, line_no, product_category, gst
FROM c
WHERE
	-- product_category string required from=Product_Category minlen=1 maxlen=100
	length(product_category) BETWEEN 1 AND 100
	-- gst decimal required from=GST min=0 max=1
	AND (has_v('s', gst_t) AND gst IS NOT NULL AND gst BETWEEN 0 AND 1)
QUALIFY row_number() OVER (PARTITION BY product_category
	ORDER BY source DESC, line_no DESC) = 1;
