-- gold.bookings_by_hour (scripts/catalog/bookings_by_hour.md): bookings of
-- gold.bookings per ISO week and hour of booked_at, and channel.
SELECT mx_week(mx_ts(booked_at)) AS booking_week,
	hour(mx_ts(booked_at)) AS booking_hour,
	channel,
	count(*) AS total_bookings
FROM gold_bookings
GROUP BY ALL
ORDER BY booking_week, booking_hour, channel;
