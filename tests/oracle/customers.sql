-- gold.customers (scripts/catalog/customers.md): silver.customers as it is,
-- in signup_year order, then as delivered (file name, then line).
-- _line is the CSV record number (the header is 1), _source the raw file
-- under RAW, _ingested_at the time of the run.
-- oracle: unchecked _rid (DuckDB has no XXH3: tests/bats/oracle.bats checks it with xxhsum)
SELECT customer_id, name, email, country,
	strftime(signup_date, '%Y-%m-%d') AS signup_date,
	segment,
	source AS _source,
	line_no AS _line,
	mx_fmt_ts(ingested_at()) AS _ingested_at,
	NULL::VARCHAR AS _rid
FROM silver_customers
ORDER BY year(signup_date), source, line_no;
