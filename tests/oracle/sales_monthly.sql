-- gold.sales_monthly (scripts/catalog/sales_monthly.md): the orders of
-- silver.online_sales per month of order_date and channel.
SELECT strftime(order_date, '%Y-%m') AS "month",
	channel,
	sum(money(unit_price * quantity)) AS revenue,
	count(*) AS orders,
	count(DISTINCT customer_id) AS buyers
FROM silver_online_sales
GROUP BY ALL
ORDER BY "month", channel;
