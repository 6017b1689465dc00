# Ad clicks against advertiser budgets: spend per advertiser per hour, day
# and month, and whether each advertiser can still be served.
pipeline_adclicks() {
	local a='spend=sum(amount),clicks=count_if(event_type,click),impressions=count_if(event_type,impression),budget_value=max(budget_value)'
	step bronze:adclicks bronze adclicks
	step silver:adclicks silver adclicks adclicks "$C/adclicks.contract" \
	    'event_date=date(timestamp)' -k click_id
	step gold:advertiser_hourly gold advertiser_hourly adclicks \
	    -g 'advertiser,event_date=date(timestamp),event_hour=hour(timestamp)' -a "$a"
	step gold:advertiser_daily gold advertiser_daily adclicks \
	    -g 'advertiser,event_date=date(timestamp)' -a "$a"
	step gold:advertiser_monthly gold advertiser_monthly adclicks \
	    -g 'advertiser,month=month(timestamp)' -a "$a"
	# budget_value is a daily budget: the hour in which it ran out
	DIRTY_OF=adclicks
	step gold:can_serve gold_from can_serve can_serve
	gold_done adclicks
}

can_serve() {
	silver_all adclicks |
	    mx-join-spend --budget -k advertiser --per hour --reset day
}
