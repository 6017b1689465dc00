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
	gold_done customers
	gold_done online_sales
	gold_done marketing_spend
}
