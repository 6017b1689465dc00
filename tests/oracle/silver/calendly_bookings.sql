-- silver.calendly_bookings: scripts/contracts/calendly.contract applied to
-- the raw lines of calendly, then one record per event_type and
-- invitee_id: the earliest delivered_at, of equal ones the earlier
-- delivery.
CREATE TABLE silver_calendly_bookings AS
WITH f AS (
	SELECT source, line_no,
		jk(j, '$.payload.uri') AS invitee_id_k, jt(j, '$.payload.uri', '') AS invitee_id_t,
		jk(j, '$.event') AS event_type_k, jt(j, '$.event', 'event') AS event_type_t,
		jk(j, '$.created_at') AS delivered_at_k, jt(j, '$.created_at', 'created_at') AS delivered_at_t,
		jk(j, '$.payload.created_at') AS booked_at_k, jt(j, '$.payload.created_at', '') AS booked_at_t,
		jk(j, '$.payload.status') AS status_k, jt(j, '$.payload.status', '') AS status_t,
		jk(j, '$.payload.rescheduled') AS rescheduled_k, jt(j, '$.payload.rescheduled', '') AS rescheduled_t,
		jk(j, '$.payload.old_invitee') AS old_invitee_k, jt(j, '$.payload.old_invitee', '') AS old_invitee_t,
		jk(j, '$.payload.new_invitee') AS new_invitee_k, jt(j, '$.payload.new_invitee', '') AS new_invitee_t,
		jk(j, '$.payload.scheduled_event.start_time') AS start_k,
		jt(j, '$.payload.scheduled_event.start_time', '') AS start_t,
		jk(j, '$.payload.scheduled_event.event_memberships') AS hosts_k,
		json_extract(j, '$.payload.scheduled_event.event_memberships') AS hosts_j,
		jk(j, '$.payload.tracking.utm_source') AS utm_source_k, jt(j, '$.payload.tracking.utm_source', '') AS utm_source_t,
		jk(j, '$.payload.tracking.utm_medium') AS utm_medium_k, jt(j, '$.payload.tracking.utm_medium', '') AS utm_medium_t,
		jk(j, '$.payload.tracking.utm_campaign') AS utm_campaign_k, jt(j, '$.payload.tracking.utm_campaign', '') AS utm_campaign_t,
		jk(j, '$.payload.email') AS email_k, jt(j, '$.payload.email', '') AS email_t
	FROM raw_json('calendly')
), c AS (
	SELECT f.*,
		as_str(invitee_id_k, invitee_id_t) AS invitee_id,
		as_str(event_type_k, event_type_t) AS event_type,
		as_ts(delivered_at_k, delivered_at_t) AS delivered_at,
		as_ts(booked_at_k, booked_at_t) AS booked_at,
		as_date(booked_at_k, booked_at_t) AS booking_date,
		as_str(status_k, status_t) AS status,
		CASE WHEN has_v(rescheduled_k, rescheduled_t) THEN as_bool(rescheduled_k, rescheduled_t)
			ELSE false END AS rescheduled,
		as_str(old_invitee_k, old_invitee_t) AS old_invitee,
		as_str(new_invitee_k, new_invitee_t) AS new_invitee,
		as_ts(start_k, start_t) AS event_start_time,
		as_date(start_k, start_t) AS event_date,
		CASE WHEN has_s(hosts_k) THEN hosts_j ELSE '[]'::JSON END AS hosts,
		-- the default is written as it is; a value goes through the map
		CASE WHEN has_s(utm_source_k)
			THEN coalesce(m.c, as_str(utm_source_k, utm_source_t))
			ELSE 'direct' END AS channel,
		as_str(utm_source_k, utm_source_t) AS utm_source,
		as_str(utm_medium_k, utm_medium_t) AS utm_medium,
		as_str(utm_campaign_k, utm_campaign_t) AS utm_campaign,
		as_str(email_k, email_t) AS invitee_email
	FROM f LEFT JOIN channel_map m ON m.v = as_str(utm_source_k, utm_source_t)
)
SELECT source, line_no, invitee_id, event_type, delivered_at, booked_at,
	booking_date, status, rescheduled, old_invitee, new_invitee,
	event_start_time, event_date, hosts, channel, utm_source, utm_medium,
	utm_campaign, invitee_email
FROM c
WHERE
	-- invitee_id string required from=payload.uri re=^https://api\.calendly\.com/scheduled_events/[^/]+/invitees/[^/]+$
	(invitee_id IS NOT NULL AND regexp_matches(invitee_id,
		'^https://api\.calendly\.com/scheduled_events/[^/]+/invitees/[^/]+$'))
	-- event_type string required from=event in=invitee.created,invitee.canceled
	AND (event_type IS NOT NULL AND event_type IN ('invitee.created', 'invitee.canceled'))
	-- delivered_at timestamp required from=created_at
	AND delivered_at IS NOT NULL
	-- booked_at timestamp required from=payload.created_at max=_ingested_at
	AND (booked_at IS NOT NULL AND booked_at <= ingested_at())
	-- booking_date date required from=payload.created_at
	AND booking_date IS NOT NULL
	-- status string required from=payload.status in=active,canceled
	AND (status IS NOT NULL AND status IN ('active', 'canceled'))
	-- rescheduled bool from=payload.rescheduled default=false
	AND (NOT has_v(rescheduled_k, rescheduled_t) OR rescheduled IS NOT NULL)
	-- old_invitee, new_invitee string
	AND (NOT has_s(old_invitee_k) OR old_invitee IS NOT NULL)
	AND (NOT has_s(new_invitee_k) OR new_invitee IS NOT NULL)
	-- event_start_time timestamp, event_date date, from=payload.scheduled_event.start_time
	AND (NOT has_v(start_k, start_t) OR event_start_time IS NOT NULL)
	-- hosts json default=[]: any value
	-- channel string from=payload.tracking.utm_source default=direct map=../channels.tsv;
	-- utm_source, utm_medium, utm_campaign string
	AND (NOT has_s(utm_source_k) OR utm_source IS NOT NULL)
	AND (NOT has_s(utm_medium_k) OR utm_medium IS NOT NULL)
	AND (NOT has_s(utm_campaign_k) OR utm_campaign IS NOT NULL)
	-- invitee_email string required from=payload.email re=^[^@[:space:]]+@[^@[:space:]]+$
	AND (invitee_email IS NOT NULL AND regexp_matches(invitee_email, '^[^@[:space:]]+@[^@[:space:]]+$'))
	-- ingestion_date date required from=_ingested_at: always there
QUALIFY row_number() OVER (PARTITION BY event_type, invitee_id
	ORDER BY delivered_at, source, line_no) = 1;
