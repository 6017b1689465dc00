# E-commerce clickstream: the five gold tables.
pipeline_ecommerce() {
	step bronze:ecommerce bronze ecommerce
	# a re-sent event carries a later timestamp: the latest wins
	step silver:ecommerce_events silver ecommerce_events ecommerce \
	    "$C/ecommerce.contract" 'event_date=date(timestamp)' \
	    -k event_id --latest-by timestamp
	step gold:funnel_counts gold funnel_counts ecommerce_events \
	    --where 'product_id!=null' -g product_id \
	    -a 'views=count_if(event_type,page_view),carts=count_if(event_type,add_to_cart),purchases=count_if(event_type,purchase)'
	DIRTY_OF=ecommerce_events
	step gold:conversion_funnel gold_from conversion_funnel funnel_rates
	step gold:hourly_revenue gold hourly_revenue ecommerce_events \
	    --where event_type=purchase \
	    -g 'event_date=date(timestamp),event_hour=hour(timestamp)' \
	    -a 'revenue=sum_product(price,quantity),transactions=count()'
	step gold:top_products gold top_products ecommerce_events \
	    --where event_type=page_view -g product_id -a 'views=count()' \
	    --top 10 --by views
	step gold:category_performance gold category_performance ecommerce_events \
	    --where 'category!=null' -g 'event_date=date(timestamp),category' \
	    -a 'events=count(),views=count_if(event_type,page_view),purchases=count_if(event_type,purchase),revenue=sum_product_if(price,quantity,event_type,purchase)'
	step gold:user_activity gold user_activity ecommerce_events \
	    -g 'event_date=date(timestamp)' \
	    -a 'users=count_distinct(user_id),sessions=count_distinct(session_id),events=count()'
	gold_done ecommerce_events
}

# The rates of the funnel (ratios: floating point, 4 places); none where
# the stage before is empty.
funnel_rates() {
	jq -c 'def rate(a; b): if b == 0 then null
		else (a / b * 10000 | round) / 10000 end;
	    . + {view_to_cart: rate(.carts; .views),
		 view_to_purchase: rate(.purchases; .views),
		 cart_to_purchase: rate(.purchases; .carts)}' \
	    "$LAKE/gold/funnel_counts.ndjson"
}
