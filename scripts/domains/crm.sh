# shellcheck shell=bash
# (jq programs are in single quotes: their $ are jq's)
# shellcheck disable=SC2016
# CRM and ads exports (CSV): sales per month and channel, products, the
# customer dimension, each customer's first order, new customers per
# month, and revenue, ROAS and CAC against marketing spend.  Every table
# is defined in scripts/catalog/<table>.md.
pipeline_crm() {
	domain crm customers online_sales marketing_spend || return 0
	step bronze:customers bronze customers --infer
	step bronze:online_sales bronze online_sales --infer
	step bronze:marketing_spend bronze marketing_spend --infer
	# (the gold tables defined before silver: their partials are made
	# beside its tests, gold_early)
	gold_def sales_monthly online_sales \
	    -g 'month=month(order_date),channel' \
	    -a 'revenue=sum_product(unit_price,quantity),orders=count(),buyers=count_distinct(customer_id)'
	gold_def products online_sales -g product_id \
	    -a 'product_name=max(product_name),category=max(category),orders=count()' \
	    -a 'units=sum(quantity),revenue=sum_product(unit_price,quantity)'
	# an export repeats a row when it changed: the last one is current
	step silver:customers silver customers customers \
	    "$(contract customers)" 'signup_year=year(signup_date)' \
	    customer_id --last
	step silver:online_sales silver online_sales online_sales \
	    "$(contract online_sales)" order_date order_id --last
	step silver:marketing_spend silver marketing_spend marketing_spend \
	    "$(contract spend)" date date,channel --last
	golds online_sales
	step gold:spend_monthly gold spend_monthly marketing_spend \
	    -g 'month=month(date),channel' -a 'spend=sum(spend)'
	step gold:customers gold_from customers customers silver_all customers
	step gold:customer_first_orders gold_from customer_first_orders \
	    online_sales first_orders
	step gold:new_customers_monthly gold_from new_customers_monthly \
	    online_sales mx-agg -g 'month=first_order_month,channel' \
	    -a 'new_customers=count()' "$LAKE/gold/customer_first_orders.ndjson"
	step gold:revenue_vs_spend gold_from revenue_vs_spend \
	    "online_sales marketing_spend" revenue_vs_spend
	gold_done customers
	gold_done online_sales
	gold_done marketing_spend
}

# Each customer's first order over all the orders in the lake: the
# earliest order_date, of equal dates the least order_id; its channel.
# Only strings pass through jq.
first_orders() {
	silver_all online_sales | jq -cn '
	    reduce inputs as $o ({}; .[$o.customer_id] |= (if . == null or
		[$o.order_date, $o.order_id] < [.order_date, .order_id]
		then {order_id: $o.order_id, order_date: $o.order_date,
		    channel: $o.channel} else . end))
	    | . as $f | keys[]
	    | {customer_id: ., first_order_id: $f[.].order_id,
	       first_order_date: $f[.].order_date,
	       first_order_month: $f[.].order_date[0:7],
	       channel: $f[.].channel}'
}

# Revenue, new customers and spend per month and channel: revenue over
# spend is ROAS, spend over new customers CAC; a month and channel
# without spend rows has an unknown spend (null), and so are its ROAS
# and CAC.
revenue_vs_spend() {
	cat "$LAKE/gold/sales_monthly.ndjson" \
	    "$LAKE/gold/new_customers_monthly.ndjson" |
	    mx-join-spend --sum -s "$LAKE/gold/spend_monthly.ndjson" \
	    -k month,channel
}
