# shellcheck shell=bash
# A source of one's own: a CSV click log from an ad server, in
# LAKE/_conf/domains/clicks.sh (see scripts/README.md, "Adding a source").
# Silver is partitioned by day and hour; two gold tables.
pipeline_clicks() {
	domain clicks clicks || return 0
	step bronze:clicks bronze clicks --infer
	# a click logged twice: the first is the click
	step silver:clicks silver clicks clicks "$(contract clicks)" \
	    'click_date=date(ts),click_hour=hour(ts)' click_id --earliest-by ts
	step gold:clicks_hourly gold clicks_hourly clicks \
	    -g 'click_date=date(ts),click_hour=hour(ts),campaign' \
	    -a 'clicks=count(),cost=sum(cost)'
	step gold:campaign_clicks gold campaign_clicks clicks -g campaign \
	    -a 'clicks=count(),users=count_distinct(user_id),cost=sum(cost)' \
	    -a 'cost_per_user=ratio(cost,users,2)'
	gold_done clicks
}
