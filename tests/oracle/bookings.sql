-- gold.bookings (scripts/catalog/bookings.md): one row per booking of
-- silver.calendly_bookings, in its latest state.
--
-- An invitee's record is its invitee.created, or its invitee.canceled when
-- that is all there is.  A booking starts at an invitee whose old_invitee
-- is null or names an invitee that is not in the table, and holds every
-- invitee that reschedules one of its invitees (old_invitee), step by step.
WITH RECURSIVE inv AS (
	SELECT *
	FROM silver_calendly_bookings
	QUALIFY row_number() OVER (PARTITION BY invitee_id
		ORDER BY event_type = 'invitee.created' DESC) = 1
), chain(booking_id, invitee_id) AS (
	-- UNION, not UNION ALL: a cycle of links ends
	SELECT invitee_id, invitee_id
	FROM inv
	WHERE old_invitee IS NULL
		OR old_invitee NOT IN (SELECT invitee_id FROM inv)
	UNION
	SELECT c.booking_id, i.invitee_id
	FROM chain c JOIN inv i ON i.old_invitee = c.invitee_id
), cur AS (
	-- the current invitee: the latest booked_at, then the greatest invitee_id
	SELECT c.booking_id, count(*) AS invitees,
		arg_max(c.invitee_id, (i.booked_at, c.invitee_id)) AS invitee_id
	FROM chain c JOIN inv i USING (invitee_id)
	GROUP BY c.booking_id
), canceled AS (
	SELECT invitee_id
	FROM silver_calendly_bookings
	WHERE event_type = 'invitee.canceled' AND NOT rescheduled
)
SELECT cur.booking_id,
	cur.invitee_id,
	mx_fmt_ts(f.booked_at) AS booked_at,
	mx_date(f.booked_at) AS booking_date,
	f.channel,
	f.utm_source,
	f.utm_medium,
	f.utm_campaign,
	mx_fmt_ts(n.event_start_time) AS event_start_time,
	list_sort(list_distinct(coalesce(json_extract_string(n.hosts, '$[*].user_email'), []))) AS hosts,
	CASE WHEN cur.invitee_id IN (SELECT invitee_id FROM canceled)
		THEN 'canceled' ELSE 'active' END AS status,
	cur.invitees - 1 AS reschedules
FROM cur
JOIN inv f ON f.invitee_id = cur.booking_id
JOIN inv n ON n.invitee_id = cur.invitee_id
ORDER BY booked_at, booking_id;
