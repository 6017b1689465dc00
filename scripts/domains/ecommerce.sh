# shellcheck shell=bash
# (jq programs are in single quotes: their $ are jq's)
# shellcheck disable=SC2016
# E-commerce clickstream: the conversion funnel, revenue by hour, the top
# products, category performance and daily activity.  Every table is
# defined in scripts/catalog/<table>.md.
pipeline_ecommerce() {
	local t=ecommerce_events
	domain ecommerce ecommerce || return 0
	step bronze:ecommerce bronze ecommerce
	# (the gold tables defined before silver: their partials are made
	# beside its tests, gold_early)
	gold_def conversion_funnel $t \
	    --where 'product_id!=null' -g product_id \
	    -a 'category=max(category),views=count_if(event_type,page_view)' \
	    -a 'carts=count_if(event_type,add_to_cart),purchases=count_if(event_type,purchase)' \
	    -a 'view_to_cart=ratio(carts,views),view_to_purchase=ratio(purchases,views)' \
	    -a 'cart_to_purchase=ratio(purchases,carts)'
	# (the tables whose first key is the day are final per partition)
	gold_def hourly_revenue $t --by-partition \
	    --where event_type=purchase -g 'event_date=date(timestamp),event_hour' \
	    -a 'revenue=sum_product(price,quantity),transactions=count()'
	gold_def top_products $t \
	    --where event_type=page_view -g product_id \
	    -a 'category=max(category),views=count()' --top 10 --by views
	gold_def category_performance $t --by-partition \
	    -g 'event_date=date(timestamp),category' \
	    -a 'events=count(),views=count_if(event_type,page_view)' \
	    -a 'carts=count_if(event_type,add_to_cart),purchases=count_if(event_type,purchase)' \
	    -a 'searches=count_if(event_type,search)' \
	    -a 'revenue=sum_product_if(price,quantity,event_type,purchase)'
	gold_def user_activity $t --by-partition \
	    -g 'event_date=date(timestamp)' \
	    -a 'users=count_distinct(user_id),sessions=count_distinct(session_id),events=count()'
	# a re-sent event carries a later timestamp: the latest wins
	step silver:$t silver $t ecommerce "$(contract ecommerce)" \
	    'event_date=date(timestamp)' event_id --latest-by timestamp
	# one read of each partition for the five (gold_pass)
	golds $t
	gold_done $t
}

# The rank of each of the ten: dense, by views (ties share a rank); the
# rows come largest first, ties in product_id order.  Only counts and
# strings pass through jq, never money.
post_top_products() {
	jq -c 'def r: foreach .[] as $x ({}; .n = (if .v == $x.views then .n
		else (.n // 0) + 1 end) | .v = $x.views; $x + {rank: .n});
	    [inputs] | r' -n
}
