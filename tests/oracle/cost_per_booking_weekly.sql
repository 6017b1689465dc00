-- gold.cost_per_booking_weekly (scripts/catalog/cost_per_booking_weekly.md):
-- a full outer join on ISO week and channel of the bookings of
-- gold.bookings (week of booked_at) with the spend rows of silver.spend
-- (week of date); the rows with bookings first, then those of spend only.
WITH b AS (
	SELECT mx_week(mx_ts(booked_at)) AS w, channel, count(*) AS n
	FROM gold_bookings
	GROUP BY ALL
), s AS (
	SELECT mx_week("date") AS w, channel, sum(spend) AS spend
	FROM silver_spend
	GROUP BY ALL
)
SELECT coalesce(b.w, s.w) AS week,
	coalesce(b.channel, s.channel) AS channel,
	coalesce(b.n, 0) AS total_bookings,
	s.spend::DECIMAL(38, 18) AS total_spend,
	mx_ratio(s.spend, b.n, 2) AS cost_per_booking
FROM b FULL JOIN s ON b.w = s.w AND b.channel = s.channel
ORDER BY b.w IS NULL, week, channel;
