-- gold.bookings_daily (scripts/catalog/bookings_daily.md): bookings of
-- gold.bookings per booking_date and channel, with their cancellations.
SELECT booking_date,
	channel,
	mx_week(mx_ts(booked_at)) AS booking_week,
	count(*) AS total_bookings,
	count(*) FILTER (WHERE status = 'canceled') AS canceled,
	count(*) FILTER (WHERE status = 'active') AS active_bookings,
	mx_ratio(canceled, total_bookings, 4) AS cancellation_rate
FROM gold_bookings
GROUP BY booking_date, channel, booking_week
ORDER BY booking_date, channel, booking_week;
