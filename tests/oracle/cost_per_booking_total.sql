-- gold.cost_per_booking_total (scripts/catalog/cost_per_booking_total.md):
-- per channel, all its bookings (gold.bookings) and all its spend rows
-- (silver.spend); the channels with bookings first, then those of spend
-- only.
WITH b AS (
	SELECT channel, count(*) AS n FROM gold_bookings GROUP BY ALL
), s AS (
	SELECT channel, sum(spend) AS spend FROM silver_spend GROUP BY ALL
)
SELECT coalesce(b.channel, s.channel) AS channel,
	coalesce(b.n, 0) AS total_bookings,
	s.spend::DECIMAL(38, 18) AS total_spend,
	mx_ratio(s.spend, b.n, 2) AS cost_per_booking
FROM b FULL JOIN s ON b.channel = s.channel
ORDER BY b.channel IS NULL, channel;
