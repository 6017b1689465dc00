-- gold.fct_ga4_sessions (scripts/catalog/fct_ga4_sessions.md): one row per
-- user_pseudo_id and session_id of silver.ga4_events (every event has a
-- session_id: the contract requires it), by user_pseudo_id (bytes), then
-- session_id.  source .. country: the least of the session's events'
-- values by bytes, null when none has one.
SELECT mx_key([key_s(user_pseudo_id), key_d(session_id)]) AS session_key,
	user_pseudo_id,
	session_id,
	mx_key([key_s(strftime(min(event_at), '%Y-%m-%d'))]) AS date_key,
	strftime(min(event_at), '%Y-%m-%d') AS "date",
	mx_fmt_ts(min(event_at)) AS session_start,
	mx_fmt_ts(max(event_at)) AS session_end,
	count(*) AS events,
	count(*) FILTER (WHERE event_name = 'page_view') AS page_views,
	count(*) FILTER (WHERE event_name = 'purchase') AS purchases,
	sum(engagement_time_msec) AS engagement_time_msec,
	sum(engagement_time_msec) > 10000
		OR count(*) FILTER (WHERE event_name = 'page_view') >= 2
		OR count(*) FILTER (WHERE event_name = 'purchase') > 0 AS is_engaged,
	decode(min(encode("source"))) AS "source",
	decode(min(encode(medium))) AS medium,
	decode(min(encode(campaign))) AS campaign,
	decode(min(encode(device_category))) AS device_category,
	decode(min(encode(country))) AS country
FROM silver_ga4_events
GROUP BY user_pseudo_id, session_id
ORDER BY encode(user_pseudo_id), session_id;
