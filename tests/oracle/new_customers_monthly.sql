-- gold.new_customers_monthly (scripts/catalog/new_customers_monthly.md):
-- customers of gold.customer_first_orders per month and channel of their
-- first order.
SELECT first_order_month AS "month", channel, count(*) AS new_customers
FROM gold_customer_first_orders
GROUP BY ALL
ORDER BY "month", channel;
