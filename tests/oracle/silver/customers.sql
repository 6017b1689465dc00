-- silver.customers: scripts/contracts/customers.contract applied to the
-- records of customers.csv (a header line, then one record a line; every
-- cell a string, as mx-ingest reads CSV), then one record per
-- customer_id: the last delivered.  A line that is not a record of the
-- header's six fields (RFC 4180) is malformed, as is one of invalid UTF-8.
SELECT error('customers: ' || source || ': unexpected header: ' || coalesce(line, '(not UTF-8)'))
FROM raw_lines('customers')
WHERE line_no = 1 AND coalesce(ltrim(line, chr(65279)), '') <> 'customer_id,name,email,country,signup_date,segment';
CREATE TABLE silver_customers AS
WITH rec AS (
	SELECT source, line_no,
		regexp_extract(line, '^' || csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f() || ',' || csv_f() || '$',
			['customer_id', 'name', 'email', 'country', 'signup_date', 'segment']) AS r
	FROM raw_lines('customers')
	WHERE line_no > 1 AND regexp_full_match(line, csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f() || ',' || csv_f())
), f AS (
	SELECT source, line_no,
		csv_unquote(r.customer_id) AS customer_id,
		csv_unquote(r.name) AS name,
		csv_unquote(r.email) AS email,
		csv_unquote(r.country) AS country,
		csv_unquote(r.signup_date) AS signup_date_t,
		csv_unquote(r.segment) AS segment
	FROM rec
), c AS (
	SELECT *, as_date('s', signup_date_t) AS signup_date FROM f
)
SELECT source, line_no, customer_id, name, email, country, signup_date, segment
FROM c
WHERE
	-- customer_id string required re=^C[0-9]+$
	regexp_matches(customer_id, '^C[0-9]+$')
	-- name string required minlen=1
	AND length(name) >= 1
	-- email string required re=^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$
	AND regexp_matches(email, '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$')
	-- country string required re=^[A-Z]{2}$
	AND regexp_matches(country, '^[A-Z]{2}$')
	-- signup_date date required max=_ingested_at ("" is no value)
	AND (has_v('s', signup_date_t) AND signup_date IS NOT NULL AND signup_date <= ingested_at()::DATE)
	-- segment string required in=consumer,small_business,enterprise
	AND segment IN ('consumer', 'small_business', 'enterprise')
QUALIFY row_number() OVER (PARTITION BY customer_id
	ORDER BY source DESC, line_no DESC) = 1;
