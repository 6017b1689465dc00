# CRM and ads exports (CSV): sales facts, customer and product dimensions,
# revenue against spend per month.
pipeline_crm() {
	step bronze:customers bronze customers --infer
	step bronze:online_sales bronze online_sales --infer
	step bronze:marketing_spend bronze marketing_spend --infer
	# an export repeats a row when it changed: the last one is current
	step silver:customers silver customers customers \
	    "$C/customers.contract" 'signup_year=year(signup_date)' \
	    -k customer_id --last
	step silver:online_sales silver online_sales online_sales \
	    "$C/online_sales.contract" order_date -k order_id --last
	step silver:marketing_spend silver marketing_spend marketing_spend \
	    "$C/spend.contract" date -k date,channel --last
	step gold:sales_monthly gold sales_monthly online_sales \
	    -g 'month=month(order_date),channel' \
	    -a 'revenue=sum_product(unit_price,quantity),orders=count(),new_customers=count_distinct(customer_id)'
	step gold:products gold products online_sales -g product_id \
	    -a 'product_name=last(product_name),category=last(category),orders=count(),units=sum(quantity),revenue=sum_product(unit_price,quantity)'
	step gold:spend_monthly gold spend_monthly marketing_spend \
	    -g 'month=month(date),channel' -a 'spend=sum(spend)'
	DIRTY_OF=customers
	step gold:customers gold_from customers silver_all customers
	DIRTY_OF="online_sales marketing_spend"
	step gold:revenue_vs_spend gold_from revenue_vs_spend revenue_vs_spend
	gold_done customers
	gold_done online_sales
	gold_done marketing_spend
}

# Revenue and spend per month and channel: ROAS; channels without spend
# (direct, organic) have none.
revenue_vs_spend() {
	mx-join-spend -s "$LAKE/gold/spend_monthly.ndjson" -k month,channel \
	    "$LAKE/gold/sales_monthly.ndjson"
}
