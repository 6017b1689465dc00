-- gold.spend_monthly (scripts/catalog/spend_monthly.md): the spend rows of
-- silver.marketing_spend per month and channel.
SELECT strftime("date", '%Y-%m') AS "month",
	channel,
	sum(spend) AS spend
FROM silver_marketing_spend
GROUP BY ALL
ORDER BY "month", channel;
