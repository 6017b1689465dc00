-- gold.meetings_per_employee (scripts/catalog/meetings_per_employee.md):
-- the average meetings per whole ISO week of each host of
-- gold.booking_hosts.  The range runs from the earliest to the latest
-- meeting date (UTC date of event_start_time) of every row of
-- gold.booking_hosts, canceled ones included; its whole weeks from the
-- first Monday on or after the earliest date to the last Sunday on or
-- before the latest.  Meetings: rows of active bookings dated in those
-- weeks.
WITH h AS (
	SELECT employee_email, mx_ts(event_start_time)::DATE AS d, status
	FROM gold_booking_hosts
), r AS (
	SELECT min(d) AS lo, max(d) AS hi FROM h
), w AS (
	SELECT lo + ((8 - isodow(lo)) % 7)::INT AS first_monday,
		hi - (isodow(hi) % 7)::INT AS last_sunday
	FROM r
), ww AS (
	SELECT first_monday, last_sunday,
		CASE WHEN last_sunday > first_monday
			THEN (last_sunday - first_monday + 1) // 7 ELSE 0 END AS weeks
	FROM w
)
SELECT h.employee_email,
	any_value(ww.weeks) AS weeks,
	CASE WHEN any_value(ww.weeks) > 0 THEN mx_week(any_value(ww.first_monday)) END AS first_week,
	CASE WHEN any_value(ww.weeks) > 0 THEN mx_week(any_value(ww.last_sunday)) END AS last_week,
	count(*) FILTER (WHERE h.status = 'active' AND ww.weeks > 0
		AND h.d BETWEEN ww.first_monday AND ww.last_sunday) AS meetings,
	mx_ratio(meetings, any_value(ww.weeks), 2) AS avg_weekly_meetings
FROM h CROSS JOIN ww
GROUP BY h.employee_email
ORDER BY h.employee_email;
