-- silver.ga4_events: scripts/contracts/ga4_events.contract applied to the
-- raw lines of ga4_events (NDJSON: BigQuery's export, INT64 as strings,
-- event_timestamp in microseconds), then one record per user_pseudo_id,
-- event_at and event_name: the first delivered.  The event_params fields
-- are from= selectors (event_params[key=ga_session_id].value.int_value,
-- lib.sql sel_*): the one parameter of that key wherever it is; none is no
-- value (a missing ga_session_id fails required), two fail the rule type.
-- event_date is the UTC date of event_timestamp (from=date(...)).  The raw
-- file and line are src and line_no (source is traffic_source.source).
CREATE TABLE silver_ga4_events AS
WITH x AS (
	SELECT source, line_no, j,
		json_extract(j, [
			'$.event_timestamp',
			'$.event_name',
			'$.user_pseudo_id',
			'$.traffic_source.source',
			'$.traffic_source.medium',
			'$.traffic_source.name',
			'$.device.category',
			'$.geo.country']) AS x,
		sel_elems(j, '$.event_params', 'key', 'ga_session_id') AS e_sid,
		sel_elems(j, '$.event_params', 'key', 'page_location') AS e_loc,
		sel_elems(j, '$.event_params', 'key', 'engagement_time_msec') AS e_eng,
		sel_elems(j, '$.event_params', 'key', 'transaction_id') AS e_tid,
		sel_elems(j, '$.event_params', 'key', 'value') AS e_val,
		sel_elems(j, '$.event_params', 'key', 'currency') AS e_cur
	FROM raw_json('ga4_events')
), v AS (
	SELECT *,
		sel_value(e_sid, '$.value.int_value') AS v_sid,
		sel_value(e_loc, '$.value.string_value') AS v_loc,
		sel_value(e_eng, '$.value.int_value') AS v_eng,
		sel_value(e_tid, '$.value.string_value') AS v_tid,
		sel_value(e_val, '$.value.double_value') AS v_val,
		sel_value(e_cur, '$.value.string_value') AS v_cur
	FROM x
), f AS (
	SELECT source AS src, line_no,
		jk(x[1]) AS ts_k, jt(x[1], j, 'event_timestamp') AS ts_t,
		jk(x[2]) AS event_name_k, jt(x[2], j, 'event_name') AS event_name_t,
		jk(x[3]) AS user_k, jt(x[3], j, 'user_pseudo_id') AS user_t,
		jk(x[4]) AS source_k, jt(x[4], j, '') AS source_t,
		jk(x[5]) AS medium_k, jt(x[5], j, '') AS medium_t,
		jk(x[6]) AS campaign_k, jt(x[6], j, '') AS campaign_t,
		jk(x[7]) AS device_k, jt(x[7], j, '') AS device_t,
		jk(x[8]) AS country_k, jt(x[8], j, '') AS country_t,
		sel_twice(e_sid) AS sid_twice, jk(v_sid) AS sid_k, jt(v_sid, j, '') AS sid_t,
		sel_twice(e_loc) AS loc_twice, jk(v_loc) AS loc_k, jt(v_loc, j, '') AS loc_t,
		sel_twice(e_eng) AS eng_twice, jk(v_eng) AS eng_k, jt(v_eng, j, '') AS eng_t,
		sel_twice(e_tid) AS tid_twice, jk(v_tid) AS tid_k, jt(v_tid, j, '') AS tid_t,
		sel_twice(e_val) AS val_twice, jk(v_val) AS val_k, jt(v_val, j, '') AS val_t,
		sel_twice(e_cur) AS cur_twice, jk(v_cur) AS cur_k, jt(v_cur, j, '') AS cur_t
	FROM v
), c AS (
	SELECT f.*,
		as_ts(ts_k, ts_t) AS event_at,
		as_str(event_name_k, event_name_t) AS event_name,
		as_str(user_k, user_t) AS user_pseudo_id,
		as_int(sid_k, sid_t) AS session_id,
		as_str(loc_k, loc_t) AS page_location,
		CASE WHEN has_v(eng_k, eng_t) THEN as_int(eng_k, eng_t) ELSE 0 END AS engagement_time_msec,
		as_str(tid_k, tid_t) AS transaction_id,
		as_dec(val_k, val_t) AS "value",
		as_str(cur_k, cur_t) AS value_currency,
		as_str(source_k, source_t) AS "source",
		as_str(medium_k, medium_t) AS medium,
		as_str(campaign_k, campaign_t) AS campaign,
		as_str(device_k, device_t) AS device_category,
		as_str(country_k, country_t) AS country
	FROM f
)
SELECT src, line_no, event_at, event_at::DATE AS event_date,
	event_name, user_pseudo_id, session_id, page_location,
	engagement_time_msec, transaction_id, "value", value_currency,
	"source", medium, campaign, device_category, country
FROM c
WHERE
	-- event_at timestamp required from=event_timestamp max=_ingested_at
	-- (event_date date required from=date(event_timestamp): the same value)
	(has_v(ts_k, ts_t) AND event_at IS NOT NULL AND event_at <= ingested_at())
	-- event_name string required re=^[a-z][a-z0-9_]*$
	AND regexp_matches(event_name, '^[a-z][a-z0-9_]*$')
	-- user_pseudo_id string required minlen=1
	AND length(user_pseudo_id) >= 1
	-- session_id int required from=event_params[key=ga_session_id].value.int_value min=1
	AND NOT sid_twice AND (has_v(sid_k, sid_t) AND session_id IS NOT NULL AND session_id >= 1)
	-- page_location string from=event_params[key=page_location].value.string_value
	AND NOT loc_twice AND (loc_k IS NULL OR page_location IS NOT NULL)
	-- engagement_time_msec int from=...engagement_time_msec.value.int_value default=0 min=0
	AND NOT eng_twice AND engagement_time_msec IS NOT NULL AND engagement_time_msec >= 0
	-- transaction_id string from=event_params[key=transaction_id].value.string_value
	AND NOT tid_twice AND (tid_k IS NULL OR transaction_id IS NOT NULL)
	-- value decimal from=event_params[key=value].value.double_value min=0
	AND NOT val_twice AND (NOT has_v(val_k, val_t) OR ("value" IS NOT NULL AND "value" >= 0))
	-- value_currency string from=event_params[key=currency].value.string_value re=^[A-Z]{3}$
	AND NOT cur_twice AND (cur_k IS NULL
		OR (value_currency IS NOT NULL AND regexp_matches(value_currency, '^[A-Z]{3}$')))
	-- source, medium, campaign, device_category, country: strings from
	-- traffic_source.source, .medium, .name, device.category, geo.country
	AND (source_k IS NULL OR "source" IS NOT NULL)
	AND (medium_k IS NULL OR medium IS NOT NULL)
	AND (campaign_k IS NULL OR campaign IS NOT NULL)
	AND (device_k IS NULL OR device_category IS NOT NULL)
	AND (country_k IS NULL OR country IS NOT NULL)
QUALIFY row_number() OVER (PARTITION BY user_pseudo_id, event_at, event_name
	ORDER BY src, line_no) = 1;
