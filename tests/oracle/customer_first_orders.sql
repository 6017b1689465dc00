-- gold.customer_first_orders (scripts/catalog/customer_first_orders.md):
-- each customer's first order in silver.online_sales: the earliest
-- order_date, of equal ones the least order_id.
SELECT customer_id,
	arg_min(order_id, (order_date, order_id)) AS first_order_id,
	strftime(min(order_date), '%Y-%m-%d') AS first_order_date,
	strftime(min(order_date), '%Y-%m') AS first_order_month,
	arg_min(channel, (order_date, order_id)) AS channel
FROM silver_online_sales
GROUP BY customer_id
ORDER BY customer_id;
