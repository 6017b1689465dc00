-- silver.ecommerce_events: scripts/contracts/ecommerce.contract applied to
-- the raw lines of ecommerce, then one record per event_id: the greatest
-- timestamp, of equal ones the later delivery.
CREATE TABLE silver_ecommerce_events AS
WITH x AS (
	SELECT source, line_no, j,
		json_extract(j, [
			'$.event_id',
			'$.timestamp',
			'$.user_id',
			'$.session_id',
			'$.event_type',
			'$.product_id',
			'$.quantity',
			'$.price',
			'$.category',
			'$.search_query']) AS x
	FROM raw_json('ecommerce')
), f AS (
	SELECT source, line_no,
		jk(x[1]) AS event_id_k, jt(x[1], j, 'event_id') AS event_id_t,
		jk(x[2]) AS timestamp_k, jt(x[2], j, 'timestamp') AS timestamp_t,
		jk(x[3]) AS user_id_k, jt(x[3], j, 'user_id') AS user_id_t,
		jk(x[4]) AS session_id_k, jt(x[4], j, 'session_id') AS session_id_t,
		jk(x[5]) AS event_type_k, jt(x[5], j, 'event_type') AS event_type_t,
		jk(x[6]) AS product_id_k, jt(x[6], j, 'product_id') AS product_id_t,
		jk(x[7]) AS quantity_k, jt(x[7], j, 'quantity') AS quantity_t,
		jk(x[8]) AS price_k, jt(x[8], j, 'price') AS price_t,
		jk(x[9]) AS category_k, jt(x[9], j, 'category') AS category_t,
		jk(x[10]) AS search_query_k, jt(x[10], j, 'search_query') AS search_query_t
	FROM x
), c AS (
	SELECT *,
		as_str(event_id_k, event_id_t) AS event_id,
		as_ts(timestamp_k, timestamp_t) AS "timestamp",
		as_str(user_id_k, user_id_t) AS user_id,
		as_str(session_id_k, session_id_t) AS session_id,
		as_str(event_type_k, event_type_t) AS event_type,
		as_str(product_id_k, product_id_t) AS product_id,
		as_int(quantity_k, quantity_t) AS quantity,
		as_dec(price_k, price_t) AS price,
		CASE WHEN has_s(category_k) THEN as_str(category_k, category_t) ELSE '(none)' END AS category,
		as_str(search_query_k, search_query_t) AS search_query
	FROM f
)
SELECT source, line_no, event_id, "timestamp", user_id, session_id, event_type,
	product_id, quantity, price, category, search_query,
	hour("timestamp") AS event_hour
FROM c
WHERE
	-- event_id string required re=^e[0-9]+$
	(event_id IS NOT NULL AND regexp_matches(event_id, '^e[0-9]+$'))
	-- timestamp timestamp required max=_ingested_at
	AND ("timestamp" IS NOT NULL AND "timestamp" <= ingested_at())
	-- user_id string required re=^u[0-9]+$
	AND (user_id IS NOT NULL AND regexp_matches(user_id, '^u[0-9]+$'))
	-- session_id string required re=^s[0-9]+$
	AND (session_id IS NOT NULL AND regexp_matches(session_id, '^s[0-9]+$'))
	-- event_type string required in=page_view,add_to_cart,remove_from_cart,purchase,search
	AND (event_type IS NOT NULL AND event_type IN ('page_view', 'add_to_cart', 'remove_from_cart', 'purchase', 'search'))
	-- product_id string re=^p[0-9]+$
	AND (NOT has_s(product_id_k) OR (product_id IS NOT NULL AND regexp_matches(product_id, '^p[0-9]+$')))
	-- quantity int min=1
	AND (NOT has_v(quantity_k, quantity_t) OR (quantity IS NOT NULL AND quantity >= 1))
	-- price decimal min=0
	AND (NOT has_v(price_k, price_t) OR (price IS NOT NULL AND price >= 0))
	-- category string minlen=1 default=(none)
	AND (NOT has_s(category_k) OR (category IS NOT NULL AND length(category) >= 1))
	-- search_query string
	AND (NOT has_s(search_query_k) OR search_query IS NOT NULL)
	-- event_hour int from=hour(timestamp): casts when timestamp does
QUALIFY row_number() OVER (PARTITION BY event_id
	ORDER BY "timestamp" DESC, source DESC, line_no DESC) = 1;
