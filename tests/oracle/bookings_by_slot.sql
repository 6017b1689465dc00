-- gold.bookings_by_slot (scripts/catalog/bookings_by_slot.md): bookings of
-- gold.bookings with an event_start_time, per ISO weekday and hour of it.
SELECT isodow(mx_ts(event_start_time)) AS weekday,
	hour(mx_ts(event_start_time)) AS "hour",
	count(*) AS total_bookings,
	count(*) FILTER (WHERE status = 'active') AS active_bookings
FROM gold_bookings
WHERE event_start_time IS NOT NULL
GROUP BY ALL
ORDER BY weekday, "hour";
