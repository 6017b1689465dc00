-- gold.attribution (scripts/catalog/attribution.md): bookings of
-- gold.bookings and their cancellations per channel, utm_medium and
-- utm_campaign, null a value of its own, sorted first.
SELECT channel, utm_medium, utm_campaign,
	count(*) AS total_bookings,
	count(*) FILTER (WHERE status = 'canceled') AS canceled,
	count(*) FILTER (WHERE status = 'active') AS active_bookings,
	mx_ratio(canceled, total_bookings, 4) AS cancellation_rate
FROM gold_bookings
GROUP BY channel, utm_medium, utm_campaign
ORDER BY channel NULLS FIRST, utm_medium NULLS FIRST, utm_campaign NULLS FIRST;
