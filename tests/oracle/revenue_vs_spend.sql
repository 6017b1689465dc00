-- gold.revenue_vs_spend (scripts/catalog/revenue_vs_spend.md): a full outer
-- join on month and channel of gold.sales_monthly and
-- gold.new_customers_monthly with gold.spend_monthly: revenue, new
-- customers, spend, ROAS and CAC.
WITH k AS (
	SELECT "month", channel FROM gold_sales_monthly
	UNION
	SELECT "month", channel FROM gold_new_customers_monthly
	UNION
	SELECT "month", channel FROM gold_spend_monthly
)
SELECT k."month", k.channel,
	coalesce(s.revenue, 0)::DECIMAL(38, 18) AS revenue,
	coalesce(n.new_customers, 0) AS new_customers,
	m.spend::DECIMAL(38, 18) AS total_spend,
	mx_ratio(coalesce(s.revenue, 0), m.spend, 4) AS roas,
	mx_ratio(m.spend, coalesce(n.new_customers, 0), 2) AS cac
FROM k
LEFT JOIN gold_sales_monthly s USING ("month", channel)
LEFT JOIN gold_new_customers_monthly n USING ("month", channel)
LEFT JOIN gold_spend_monthly m USING ("month", channel)
ORDER BY k."month", k.channel;
