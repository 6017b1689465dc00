-- gold.fct_customer_metrics (scripts/catalog/fct_customer_metrics.md): one
-- row per customer of gold.fct_sales (the oracle's), the unknown member's
-- lines aside, in customer_id order.
--   total_orders: distinct transaction_id; total_revenue: the exact sum of
--     net_amount; first/last purchase: the least/greatest transaction_date;
--   as_of_date: the UTC day of the run (SOURCE_DATE_EPOCH);
--   days_since_last_purchase: as_of_date − last_purchase_date in days;
--   average_order_value: the ratio total_revenue / total_orders, 2 places
--     (mx_ratio: half away from zero);
--   tenure_months: dim_customer's (the oracle's gold_dim_customer);
--   scores: DuckDB's ntile(5), ascending, ties in customer_id order.
WITH c AS (
	SELECT customer_key, customer_id,
		count(DISTINCT transaction_id) AS total_orders,
		money(sum(net_amount)) AS total_revenue,
		min(transaction_date) AS first_purchase_date,
		max(transaction_date) AS last_purchase_date
	FROM gold_fct_sales
	WHERE customer_key <> mx_key_unknown()
	GROUP BY customer_key, customer_id
), m AS (
	SELECT c.*,
		mx_date(ingested_at()) AS as_of_date,
		date_diff('day', last_purchase_date::DATE, ingested_at()::DATE) AS days_since_last_purchase,
		d.tenure_months
	FROM c JOIN gold_dim_customer d ON d.customer_id = c.customer_id
), s AS (
	SELECT m.*,
		ntile(5) OVER (ORDER BY last_purchase_date, customer_id) AS recency_score,
		ntile(5) OVER (ORDER BY total_orders, customer_id) AS frequency_score,
		ntile(5) OVER (ORDER BY total_revenue, customer_id) AS monetary_score
	FROM m
)
SELECT customer_key,
	customer_id,
	total_orders,
	total_revenue,
	first_purchase_date,
	last_purchase_date,
	as_of_date,
	days_since_last_purchase,
	mx_ratio(total_revenue, total_orders, 2) AS average_order_value,
	CASE WHEN days_since_last_purchase <= 30 THEN 'Active'
		WHEN days_since_last_purchase <= 90 THEN 'At Risk'
		ELSE 'Churned' END AS activity_status,
	tenure_months,
	recency_score,
	frequency_score,
	monetary_score,
	recency_score::VARCHAR || frequency_score::VARCHAR || monetary_score::VARCHAR AS rfm_cell
FROM s
ORDER BY customer_id;
