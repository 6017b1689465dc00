-- gold.customer_segments (scripts/catalog/customer_segments.md): the
-- clusters of the k-means model the lake fitted and kept,
-- LAKE/_state/models/customer_segments.ndjson (man mx-kmeans, "Models"),
-- read as a seed: the fit itself is proven by tests/bats/mx-kmeans.bats.
-- What is checked of the model: the definition's parameters (k 5, z-scores,
-- seed 1, 10 restarts, the features days_since_last_purchase, total_orders
-- and total_revenue), and that it was fitted on fct_customer_metrics as
-- the oracle makes it (the test builds the retail domain once, so the
-- model is of this build): as many records, each feature's center its
-- mean and its scale its standard deviation (of the population), to 1e-9
-- relative (sums of doubles in another order).  A model that fails a check
-- stops the query.
-- A row per cluster, in segment_id order: its size, its centroid in the
-- features' own units; its name by the catalog's rule, in order, each
-- among the clusters not yet named, the lowest segment_id of equals:
-- Champions (VIPs) the greatest monetary × frequency, At-Risk (Lapsing)
-- the greatest recency, Big Spenders the greatest monetary, Loyal
-- Customers the greatest frequency, Occasional Shoppers the one left.
WITH p AS (
	SELECT * FROM kmeans_params('${LAKE}/_state/models/customer_segments.ndjson')
), fe AS (
	SELECT * FROM kmeans_features('${LAKE}/_state/models/customer_segments.ndjson')
), x AS (
	-- the features of fct_customer_metrics, as the doubles a JSON reader
	-- makes of the numbers written (a decimal through its text)
	SELECT count(*) AS n,
		avg(days_since_last_purchase::DOUBLE) AS m_r, stddev_pop(days_since_last_purchase::DOUBLE) AS s_r,
		avg(total_orders::DOUBLE) AS m_f, stddev_pop(total_orders::DOUBLE) AS s_f,
		avg(total_revenue::VARCHAR::DOUBLE) AS m_m, stddev_pop(total_revenue::VARCHAR::DOUBLE) AS s_m
	FROM gold_fct_customer_metrics
), chk AS (
	SELECT CASE
		WHEN p.model IS DISTINCT FROM 'mx-kmeans' OR p.version IS DISTINCT FROM 1
		THEN error('customer_segments: the kept model is not a model of mx-kmeans, version 1')
		WHEN p.k IS DISTINCT FROM 5 OR p.scale IS DISTINCT FROM 'z'
			OR p.seed IS DISTINCT FROM 1 OR p.restarts IS DISTINCT FROM 10
		THEN error('customer_segments: the kept model is not of k 5, scale z, seed 1, 10 restarts: '
			|| to_json(p)::VARCHAR)
		WHEN (SELECT list(expr ORDER BY expr) FROM fe)
			IS DISTINCT FROM ['days_since_last_purchase', 'total_orders', 'total_revenue']
		THEN error('customer_segments: the kept model''s features are not recency, frequency and monetary: ' || p.features)
		WHEN p.records IS DISTINCT FROM x.n
		THEN error('customer_segments: the kept model was fitted on ' || p.records::VARCHAR
			|| ' records, fct_customer_metrics has ' || x.n::VARCHAR)
		WHEN EXISTS (SELECT 1 FROM fe WHERE
			abs(center - CASE expr WHEN 'days_since_last_purchase' THEN x.m_r
				WHEN 'total_orders' THEN x.m_f ELSE x.m_m END) > 1e-9 * (1 + abs(center))
			OR abs(scale - CASE expr WHEN 'days_since_last_purchase' THEN x.s_r
				WHEN 'total_orders' THEN x.s_f ELSE x.s_m END) > 1e-9 * (1 + abs(scale)))
		THEN error('customer_segments: the kept model''s centers and scales are not the means and standard deviations of fct_customer_metrics')
		ELSE true END AS ok
	FROM p, x
), c AS (
	SELECT cluster AS segment_id, any_value(size) AS size,
		any_value(value) FILTER (WHERE expr = 'days_since_last_purchase') AS recency,
		any_value(value) FILTER (WHERE expr = 'total_orders') AS frequency,
		any_value(value) FILTER (WHERE expr = 'total_revenue') AS monetary
	FROM kmeans_centroids('${LAKE}/_state/models/customer_segments.ndjson')
	GROUP BY cluster
), n1 AS (
	SELECT segment_id FROM c ORDER BY monetary * frequency DESC, segment_id LIMIT 1
), n2 AS (
	SELECT segment_id FROM c WHERE segment_id NOT IN (FROM n1)
	ORDER BY recency DESC, segment_id LIMIT 1
), n3 AS (
	SELECT segment_id FROM c WHERE segment_id NOT IN (FROM n1 UNION ALL FROM n2)
	ORDER BY monetary DESC, segment_id LIMIT 1
), n4 AS (
	SELECT segment_id FROM c WHERE segment_id NOT IN (FROM n1 UNION ALL FROM n2 UNION ALL FROM n3)
	ORDER BY frequency DESC, segment_id LIMIT 1
)
SELECT c.segment_id,
	CASE WHEN c.segment_id IN (FROM n1) THEN 'Champions (VIPs)'
		WHEN c.segment_id IN (FROM n2) THEN 'At-Risk (Lapsing)'
		WHEN c.segment_id IN (FROM n3) THEN 'Big Spenders'
		WHEN c.segment_id IN (FROM n4) THEN 'Loyal Customers'
		ELSE 'Occasional Shoppers' END AS segment_name,
	c.size,
	c.recency,
	c.frequency,
	c.monetary
FROM c, chk
WHERE chk.ok
ORDER BY c.segment_id;
