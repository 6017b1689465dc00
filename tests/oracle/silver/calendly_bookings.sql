-- silver.calendly_bookings: scripts/contracts/calendly.contract applied to
-- the raw lines of calendly, then one record per event_type and
-- invitee_id: the earliest delivered_at, of equal ones the earlier
-- delivery.
CREATE TABLE silver_calendly_bookings AS
WITH x AS (
	SELECT source, line_no, j,
		json_extract(j, [
			'$.payload.uri',
			'$.event',
			'$.created_at',
			'$.payload.created_at',
			'$.payload.status',
			'$.payload.rescheduled',
			'$.payload.old_invitee',
			'$.payload.new_invitee',
			'$.payload.scheduled_event.start_time',
			'$.payload.scheduled_event.event_memberships',
			'$.payload.tracking.utm_source',
			'$.payload.tracking.utm_medium',
			'$.payload.tracking.utm_campaign',
			'$.payload.email']) AS x
	FROM raw_json('calendly')
), f AS (
	SELECT source, line_no,
		jk(x[1]) AS invitee_id_k, jt(x[1], j, '') AS invitee_id_t,
		jk(x[2]) AS event_type_k, jt(x[2], j, '') AS event_type_t,
		jk(x[3]) AS delivered_at_k, jt(x[3], j, '') AS delivered_at_t,
		jk(x[4]) AS booked_at_k, jt(x[4], j, '') AS booked_at_t,
		jk(x[5]) AS status_k, jt(x[5], j, '') AS status_t,
		jk(x[6]) AS rescheduled_k, jt(x[6], j, '') AS rescheduled_t,
		jk(x[7]) AS old_invitee_k, jt(x[7], j, '') AS old_invitee_t,
		jk(x[8]) AS new_invitee_k, jt(x[8], j, '') AS new_invitee_t,
		jk(x[9]) AS start_k,
		jt(x[9], j, '') AS start_t,
		jk(x[10]) AS hosts_k,
		x[10] AS hosts_j,
		jk(x[11]) AS utm_source_k, jt(x[11], j, '') AS utm_source_t,
		jk(x[12]) AS utm_medium_k, jt(x[12], j, '') AS utm_medium_t,
		jk(x[13]) AS utm_campaign_k, jt(x[13], j, '') AS utm_campaign_t,
		jk(x[14]) AS email_k, jt(x[14], j, '') AS email_t
	FROM x
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
