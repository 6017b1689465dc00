-- gold.meetings_weekly (scripts/catalog/meetings_weekly.md): the active
-- bookings with an event_start_time that each host of gold.booking_hosts
-- holds per ISO week of event_start_time.
SELECT employee_email,
	mx_week(mx_ts(event_start_time)) AS week,
	count(*) AS meetings
FROM gold_booking_hosts
WHERE status = 'active' AND event_start_time IS NOT NULL
GROUP BY ALL
ORDER BY employee_email, week;
