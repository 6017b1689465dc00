# Ad clicks against advertiser budgets.
pipeline_adclicks() {
	step bronze:adclicks bronze adclicks
	step silver:adclicks silver adclicks adclicks "$C/adclicks.contract" \
	    'event_date=date(timestamp)' -k click_id
	gold_done adclicks
}
