# shellcheck shell=bash
# (jq programs are in single quotes: their $ are jq's)
# shellcheck disable=SC2016
# Ad clicks against advertiser budgets: impressions, clicks, net and gross
# spend per advertiser per hour, day and month, CTR, CPC and CPM per day,
# whether each advertiser can still be served (hour by hour against its
# daily budget, and month by month against its monthly budget), its
# latest status and the history of its budget.  Every table is defined
# in scripts/catalog/<table>.md.
pipeline_adclicks() {
	local a=adclicks d=adclicks_deliveries
	domain adclicks adclicks || return 0
	step bronze:adclicks bronze adclicks
	# (the gold tables defined before silver: their partials are made
	# beside its tests, gold_early)
	gold_def advertiser_hourly "$a $d" \
	    -g "advertiser,event_date=date(timestamp),event_hour=hour(timestamp),$(window hour)" \
	    -a "$AD_SUMS"
	gold_def advertiser_daily "$a $d" \
	    -g "advertiser,event_date=date(timestamp),$(window day)" \
	    -a "$AD_SUMS"
	gold_def advertiser_monthly "$a $d" \
	    -g "advertiser,period=month(timestamp),$(window month)" \
	    -a "$AD_SUMS"
	# a re-sent click is stamped later: the original is the earliest
	step silver:$a silver $a adclicks "$(contract adclicks)" \
	    'event_date=date(timestamp)' click_id --earliest-by timestamp
	step silver:$d silver $d adclicks "$(contract adclicks_deliveries)" \
	    'event_date=date(timestamp)' _source,_line --first
	# (one read of each partition for the three)
	golds "$a $d"
	step gold:ad_performance_daily gold_from ad_performance_daily $a \
	    ad_performance
	step gold:can_serve gold_from can_serve $a can_serve
	step gold:advertiser_status gold_from advertiser_status $a \
	    mx-dedup -k advertiser --latest-by window_start \
	    "$LAKE/gold/can_serve.ndjson"
	step gold:budget_history gold_from budget_history $a budget_history
	gold_done $a
	gold_done $d
}

window() { echo "window_start=$1_start(timestamp),window_end=$1_end(timestamp)"; }

# Both silver tables at once: an event of adclicks has event_type and
# amount, a delivery delivered_type and gross_amount, so each sum sees
# only its own table (sum_if of a field that the other table lacks).
AD_SUMS='impressions=count_if(event_type,impression),clicks=count_if(event_type,click),net_spend=sum_if(amount,gross_amount,null),gross_spend=sum_if(gross_amount,event_type,null)'

# The month's net spend against its budget: the daily budget in force at
# the end of the month times the days of the month (mx-budget
# --budget-per day), joined to the monthly rows by advertiser and month
# (first() of each column: one row per key on each side).
post_advertiser_monthly() {
	{
		cat
		silver_all adclicks | mx-budget -k advertiser \
		    --per month --reset month --budget-per day
	} | mx-agg -g 'advertiser,month=period' \
	    -a 'window_start=first(window_start),window_end=first(window_end)' \
	    -a 'impressions=first(impressions),clicks=first(clicks)' \
	    -a 'net_spend=first(net_spend),gross_spend=first(gross_spend)' \
	    -a 'monthly_budget=first(budget_value),remaining=first(remaining)' \
	    -a 'can_serve=first(can_serve)'
}

# CTR, CPC and CPM per advertiser and day, on net spend.
ad_performance() {
	mx-agg -g advertiser,event_date \
	    -a 'impressions=sum(impressions),clicks=sum(clicks)' \
	    "$LAKE/gold/advertiser_daily.ndjson" |
	    mx-join-spend -s "$LAKE/gold/advertiser_daily.ndjson" \
	    --spend-field net_spend -k advertiser,event_date --join left
}

# Hour by hour, each day's net spend against the daily budget in force.
can_serve() {
	silver_all adclicks |
	    mx-budget -k advertiser --per hour --reset day
}

# When each budget value took effect: the events of an advertiser in time
# order (then click_id), a new version where the budget differs in value
# from the one before.  The budget's text is carried as it is (jq would
# read it as a double).
budget_history() {
	silver_all adclicks |
	    mx-validate -c <(printf '%s\n' 'advertiser string' \
		'timestamp timestamp' 'click_id string' 'budget string from=budget_value') |
	    jq -rn '[inputs | select(.budget != null)] | group_by(.advertiser)[]
		| sort_by(.timestamp, .click_id)
		| reduce .[] as $e ([]; if length > 0 and
		    (.[-1].budget | tonumber) == ($e.budget | tonumber) then .
		    else . + [$e] end)
		| . as $v | range(length) as $i
		| "{\"advertiser\":\($v[$i].advertiser | tojson),"
		+ "\"budget_value\":\($v[$i].budget),"
		+ "\"effective_from\":\($v[$i].timestamp | tojson),"
		+ "\"effective_to\":\(if $i + 1 < ($v | length)
		    then $v[$i + 1].timestamp | tojson else "null" end),"
		+ "\"is_current\":\($i + 1 == ($v | length))}"'
}
