-- gold.dim_customer_history (scripts/catalog/dim_customer_history.md): the
-- SCD2 history of silver.retail_customers (mx-snapshot, check strategy,
-- tracking gender and location).  The oracle's lake takes the retail
-- sources in one run (the second run is crm only), and a missing history
-- is an empty one (man mx-snapshot: "the first run writes every record of
-- the input as a first version"): so the history is one version of every
-- customer of silver.retail_customers, valid from the run's time, open
-- (valid_to null, is_current true), in the order of silver.retail_customers
-- (location, the partition, by bytes; then as delivered).
-- hash_diff is hash(gender, location) of mx-calc(1): written as its parts
-- (mx_key, lib.sql), which run.mjs hashes with xxhsum as it hashes keys.
SELECT mx_key([key_d(customer_id)]) AS customer_key,
	customer_id,
	gender,
	location,
	tenure_months,
	mx_fmt_ts(ingested_at()) AS valid_from,
	NULL::VARCHAR AS valid_to,
	true AS is_current,
	mx_key([key_s(gender), key_s(location)]) AS hash_diff
FROM silver_retail_customers
ORDER BY encode(location), source, line_no;
