-- gold.booking_hosts (scripts/catalog/booking_hosts.md): each booking of
-- gold.bookings with each of its hosts.
SELECT booking_id, employee_email, event_start_time, status
FROM (SELECT booking_id, booked_at, unnest(hosts) AS employee_email,
		event_start_time, status
	FROM gold_bookings)
ORDER BY booked_at, booking_id, employee_email;
