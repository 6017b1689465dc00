-- silver.ecommerce_events: scripts/contracts/ecommerce.contract applied to
-- the raw lines of ecommerce, then one record per event_id: the greatest
-- timestamp, of equal ones the later delivery.
CREATE TABLE silver_ecommerce_events AS
WITH f AS (
	SELECT source, line_no,
		jk(j, '$.event_id') AS event_id_k, jt(j, '$.event_id', 'event_id') AS event_id_t,
		jk(j, '$.timestamp') AS timestamp_k, jt(j, '$.timestamp', 'timestamp') AS timestamp_t,
		jk(j, '$.user_id') AS user_id_k, jt(j, '$.user_id', 'user_id') AS user_id_t,
		jk(j, '$.session_id') AS session_id_k, jt(j, '$.session_id', 'session_id') AS session_id_t,
		jk(j, '$.event_type') AS event_type_k, jt(j, '$.event_type', 'event_type') AS event_type_t,
		jk(j, '$.product_id') AS product_id_k, jt(j, '$.product_id', 'product_id') AS product_id_t,
		jk(j, '$.quantity') AS quantity_k, jt(j, '$.quantity', 'quantity') AS quantity_t,
		jk(j, '$.price') AS price_k, jt(j, '$.price', 'price') AS price_t,
		jk(j, '$.category') AS category_k, jt(j, '$.category', 'category') AS category_t,
		jk(j, '$.search_query') AS search_query_k, jt(j, '$.search_query', 'search_query') AS search_query_t
	FROM raw_json('ecommerce')
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
