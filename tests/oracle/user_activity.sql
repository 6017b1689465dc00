-- gold.user_activity (scripts/catalog/user_activity.md): users, sessions
-- and events per day of silver.ecommerce_events.
SELECT mx_date("timestamp") AS event_date,
	count(DISTINCT user_id) AS users,
	count(DISTINCT session_id) AS sessions,
	count(*) AS events
FROM silver_ecommerce_events
GROUP BY ALL
ORDER BY event_date;
