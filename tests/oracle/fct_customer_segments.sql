-- gold.fct_customer_segments (scripts/catalog/fct_customer_segments.md):
-- each row of fct_customer_metrics (the oracle's), in its order
-- (customer_id), with the customer's location and gender in dim_customer,
-- and its segment: the nearest centroid of the kept model
-- (LAKE/_state/models/customer_segments.ndjson; man mx-kmeans, --assign):
-- each feature x scaled as (x - center) / scale, the squared Euclidean
-- distance to the centroid's scaled point (summed in the features' order,
-- in doubles), the least distance, the lowest cluster of equals.  The
-- segment's name is gold.customer_segments' (the oracle's).
WITH fe AS (
	SELECT * FROM kmeans_features('${LAKE}/_state/models/customer_segments.ndjson')
), cen AS (
	SELECT cluster, list(scaled ORDER BY i) AS point
	FROM kmeans_centroids('${LAKE}/_state/models/customer_segments.ndjson')
	GROUP BY cluster
), z AS (
	-- the customer's features as a JSON reader has them (a decimal
	-- through its text), scaled
	SELECT m.customer_id,
		list((CASE fe.expr
			WHEN 'days_since_last_purchase' THEN m.days_since_last_purchase::DOUBLE
			WHEN 'total_orders' THEN m.total_orders::DOUBLE
			WHEN 'total_revenue' THEN m.total_revenue::VARCHAR::DOUBLE END
			- fe.center) / fe.scale ORDER BY fe.i) AS point
	FROM gold_fct_customer_metrics m, fe
	GROUP BY m.customer_id
), d AS (
	SELECT z.customer_id, cen.cluster,
		list_reduce(list_transform(list_zip(z.point, cen.point),
			p -> (p[1] - p[2]) * (p[1] - p[2])), (a, b) -> a + b) AS dist
	FROM z, cen
), a AS (
	SELECT customer_id, cluster AS segment_id FROM d
	QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY dist, cluster) = 1
)
SELECT m.customer_key,
	m.customer_id,
	dc.location,
	dc.gender,
	m.tenure_months,
	a.segment_id,
	s.segment_name,
	m.days_since_last_purchase,
	m.total_orders,
	m.total_revenue,
	m.average_order_value,
	m.rfm_cell,
	mx_fmt_ts(ingested_at()) AS updated_at
FROM gold_fct_customer_metrics m
JOIN gold_dim_customer dc ON dc.customer_id = m.customer_id
LEFT JOIN a ON a.customer_id = m.customer_id
LEFT JOIN gold_customer_segments s ON s.segment_id = a.segment_id
ORDER BY m.customer_id;
