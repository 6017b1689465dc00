-- gold.cost_per_booking (scripts/catalog/cost_per_booking.md): a full outer
-- join on date and channel of the bookings of gold.bookings (per
-- booking_date) with the spend rows of silver.spend; the rows with
-- bookings first, then those of spend only.
WITH b AS (
	SELECT booking_date AS d, channel, count(*) AS n
	FROM gold_bookings
	GROUP BY ALL
), s AS (
	SELECT mx_date("date") AS d, channel, spend
	FROM silver_spend
)
SELECT coalesce(b.d, s.d) AS booking_date,
	coalesce(b.channel, s.channel) AS channel,
	coalesce(b.n, 0) AS total_bookings,
	s.spend AS total_spend,
	mx_ratio(s.spend, b.n, 2) AS cost_per_booking
FROM b FULL JOIN s ON b.d = s.d AND b.channel = s.channel
ORDER BY b.d IS NULL, booking_date, channel;
