-- silver.retail_customers: scripts/contracts/retail_customers.contract
-- applied to the records of retail_customers.csv (a header line, then one
-- record a line, every cell a string; from= names the CSV column a field
-- is read from), then one record per customer_id: the last delivered.
-- (The silver partition, location, orders gold.dim_customer.)
SELECT error('retail_customers: ' || source || ': unexpected header: ' || coalesce(line, '(not UTF-8)'))
FROM raw_lines('retail_customers')
WHERE line_no = 1 AND coalesce(ltrim(line, chr(65279)), '') <> 'CustomerID,Gender,Location,Tenure_Months';
CREATE TABLE silver_retail_customers AS
WITH rec AS (
	SELECT source, line_no,
		regexp_extract(line, '^' || csv_f() || ',' || csv_f() || ',' || csv_f() || ',' || csv_f() || '$',
			['CustomerID', 'Gender', 'Location', 'Tenure_Months']) AS r
	FROM raw_lines('retail_customers')
	WHERE line_no > 1 AND regexp_full_match(line, csv_f() || ',' || csv_f() || ',' || csv_f() || ',' || csv_f())
), f AS (
	SELECT source, line_no,
		csv_unquote(r.CustomerID) AS customer_id_t,
		csv_unquote(r.Gender) AS gender,
		csv_unquote(r.Location) AS location,
		csv_unquote(r.Tenure_Months) AS tenure_months_t
	FROM rec
), c AS (
	SELECT f.*,
		as_int('s', customer_id_t) AS customer_id,
		as_int('s', tenure_months_t) AS tenure_months
	FROM f
)
SELECT source, line_no, customer_id, gender, location, tenure_months
FROM c
WHERE
	-- customer_id int required from=CustomerID min=1
	(has_v('s', customer_id_t) AND customer_id IS NOT NULL AND customer_id >= 1)
	-- gender string required from=Gender in=M,F
	AND gender IN ('M', 'F')
	-- location string required from=Location minlen=1 maxlen=100
	AND length(location) BETWEEN 1 AND 100
	-- tenure_months int required from=Tenure_Months min=0 max=1200
	AND (has_v('s', tenure_months_t) AND tenure_months IS NOT NULL
		AND tenure_months BETWEEN 0 AND 1200)
QUALIFY row_number() OVER (PARTITION BY customer_id
	ORDER BY source DESC, line_no DESC) = 1;
