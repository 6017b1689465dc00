#!/usr/bin/env bats
# The gold tables as the catalog defines them: every table has its
# definition and every definition its table; hand-checked edge cases
# (zero and unknown spend, a cancellation, a reschedule, a first order in
# an earlier month, an advertiser crossing its budget mid-hour); one key
# space per silver table, whatever the batching of the raw files; domains
# without data; channels mapped, or reported.

load helper

TOP="$BATS_TEST_DIRNAME/../.."
LAKECMD="$TOP/scripts/lake"
DAY=1710288000		# 2024-03-13

lake() { SOURCE_DATE_EPOCH=${EPOCH:-$DAY} "$LAKECMD" "$@"; }

# cal EVENT INVITEE OLD NEW STATUS RESCHEDULED CREATED DELIVERED START
#     SOURCE HOSTS: a Calendly webhook (OLD, NEW, SOURCE: - for null;
#     HOSTS: emails separated by commas)
cal() {
	local o=null n=null s=null m=null h=
	[ "$3" = - ] || o="\"https://api.calendly.com/scheduled_events/E$3/invitees/$3\""
	[ "$4" = - ] || n="\"https://api.calendly.com/scheduled_events/E$4/invitees/$4\""
	[ "${10}" = - ] || { s="\"${10}\""; m='"paid_ads"'; }
	h=$(printf '%s' "${11}" | tr ',' '\n' |
	    sed 's/.*/{"user":"u","user_email":"&","user_name":"n"}/' | paste -sd , -)
	printf '{"created_at":"%s","event":"invitee.%s","payload":{"created_at":"%s","email":"x@y.io","old_invitee":%s,"new_invitee":%s,"rescheduled":%s,"status":"%s","scheduled_event":{"start_time":"%s","event_memberships":[%s]},"tracking":{"utm_source":%s,"utm_medium":%s,"utm_campaign":"c"},"uri":"https://api.calendly.com/scheduled_events/E%s/invitees/%s"}}\n' \
	    "$8" "$1" "$7" "$o" "$n" "$6" "$5" "$9" "$h" "$s" "$m" "$2" "$2"
}

@test "every gold table has its definition in the catalog, every definition its table, with the table's columns" {
	raw raw 1500 1
	run lake -r raw -l l
	assert_success
	[ -s l/gold/_catalog.ndjson ]
	tables=$(ls l/gold/*.ndjson | sed 's|.*/||; s|\.ndjson$||' | grep -v '^_' | sort)
	defs=$(jq -r .table l/gold/_catalog.ndjson | sort)
	[ "$tables" = "$defs" ] || fail "tables and catalog differ: $(diff <(echo "$tables") <(echo "$defs"))"
	[ "$(echo "$tables" | wc -l)" -ge 30 ]
	for t in $tables; do
		[ -s "l/gold/$t.ndjson" ] || fail "gold/$t is empty"
		a=$(head -n 1 "l/gold/$t.ndjson" | jq -c keys_unsorted)
		b=$(jq -c --arg t "$t" 'select(.table == $t) | [.columns[].name]' l/gold/_catalog.ndjson)
		[ "$a" = "$b" ] || fail "$t: columns $a, catalog $b"
		for k in domain grain reads filters nulls order description; do
			[ "$(jq -s --arg t "$t" --arg k "$k" 'map(select(.table == $t) | .[$k] | length > 0) == [true]' \
			    l/gold/_catalog.ndjson)" = true ] || fail "$t: no $k"
		done
	done
	# the catalog is the repository's, and lake-status shows it
	run "$TOP/scripts/lake-status" -l l --catalog
	assert_success
	assert_line --regexp '^bookings_daily +calendly +one row per booking_date and channel'
	run "$TOP/scripts/lake-status" -l l --catalog cost_per_booking
	assert_success
	assert_line --partial 'cost_per_booking  decimal(2)  total_spend / total_bookings, 2 places'
	run "$TOP/scripts/lake-status" -l l --catalog nosuch
	assert_failure 1
	assert_output 'lake-status: nosuch: no such gold table'
	# a run that changes nothing leaves the catalog as it was
	before=$(stat -c %Y.%s l/gold/_catalog.ndjson)
	sleep 1
	run lake -r raw -l l
	assert_success
	[ "$(stat -c %Y.%s l/gold/_catalog.ndjson)" = "$before" ]
}

@test "hand-checked: cancellations, reschedules, zero and unknown spend, cost per booking" {
	mkdir -p raw/calendly raw/spend
	{
		# A: booked on 03-04 via facebook, active
		cal created A - - active false 2024-03-04T10:00:00Z 2024-03-04T10:00:01Z 2024-03-06T14:00:00Z facebook a@acme.io
		# B: booked via facebook, later canceled
		cal created B - - active false 2024-03-04T11:00:00Z 2024-03-04T11:00:01Z 2024-03-06T15:00:00Z facebook a@acme.io
		cal canceled B - - canceled false 2024-03-04T11:00:00Z 2024-03-05T09:00:00Z 2024-03-06T15:00:00Z facebook a@acme.io
		# C: booked via google, rescheduled to D (one booking, the meeting
		# moved, two hosts), delivered twice
		cal created C - - active false 2024-03-04T12:00:00Z 2024-03-04T12:00:01Z 2024-03-07T13:00:00Z google b@acme.io
		cal canceled C - D canceled true 2024-03-04T12:00:00Z 2024-03-05T08:00:00Z 2024-03-07T13:00:00Z google b@acme.io
		cal created D C - active false 2024-03-05T08:00:00Z 2024-03-05T08:00:01Z 2024-03-08T16:00:00Z google a@acme.io,b@acme.io
		cal created D C - active false 2024-03-05T08:00:00Z 2024-03-05T08:05:00Z 2024-03-08T16:00:00Z google a@acme.io,b@acme.io
		# E: no UTM (direct), and F via a source the map does not know
		cal created E - - active false 2024-03-05T09:00:00Z 2024-03-05T09:00:01Z 2024-03-07T15:00:00Z - b@acme.io
		cal created F - - active false 2024-03-05T10:00:00Z 2024-03-05T10:00:01Z 2024-03-07T16:00:00Z reddit b@acme.io
	} > raw/calendly/hooks.ndjson
	# facebook spent 0.00 on 03-04 (known), 30.00 on 03-05 with no booking;
	# google has no row on 03-04 (unknown spend), a restated 03-05
	printf '%s\n' '{"date":"2024-03-04","channel":"facebook_paid_ads","spend":0.00}' \
	    '{"date":"2024-03-05","channel":"facebook_paid_ads","spend":30}' \
	    '{"date":"2024-03-05","channel":"google_paid_search","spend":10.00}' \
	    '{"date":"2024-03-05","channel":"google_paid_search","spend":12.5}' > raw/spend/spend.ndjson
	run lake -r raw -l l
	assert_success
	run jq -c '[.booking_id[-1:], .invitee_id[-1:], .booking_date, .channel, .status, .reschedules, .hosts, .event_start_time]' l/gold/bookings.ndjson
	assert_output '["A","A","2024-03-04","facebook_paid_ads","active",0,["a@acme.io"],"2024-03-06T14:00:00Z"]
["B","B","2024-03-04","facebook_paid_ads","canceled",0,["a@acme.io"],"2024-03-06T15:00:00Z"]
["C","D","2024-03-04","google_paid_search","active",1,["a@acme.io","b@acme.io"],"2024-03-08T16:00:00Z"]
["E","E","2024-03-05","direct","active",0,["b@acme.io"],"2024-03-07T15:00:00Z"]
["F","F","2024-03-05","reddit","active",0,["b@acme.io"],"2024-03-07T16:00:00Z"]'
	run cat l/gold/bookings_daily.ndjson
	assert_output '{"booking_date":"2024-03-04","channel":"facebook_paid_ads","booking_week":"2024-W10","total_bookings":2,"canceled":1,"active_bookings":1,"cancellation_rate":0.5000}
{"booking_date":"2024-03-04","channel":"google_paid_search","booking_week":"2024-W10","total_bookings":1,"canceled":0,"active_bookings":1,"cancellation_rate":0.0000}
{"booking_date":"2024-03-05","channel":"direct","booking_week":"2024-W10","total_bookings":1,"canceled":0,"active_bookings":1,"cancellation_rate":0.0000}
{"booking_date":"2024-03-05","channel":"reddit","booking_week":"2024-W10","total_bookings":1,"canceled":0,"active_bookings":1,"cancellation_rate":0.0000}'
	# known zero spend: 0.00 and a cost of 0.00; no spend row: null;
	# spend without bookings: 0 bookings, no cost; the restatement wins
	run cat l/gold/cost_per_booking.ndjson
	assert_output '{"booking_date":"2024-03-04","channel":"facebook_paid_ads","total_bookings":2,"total_spend":0.00,"cost_per_booking":0.00}
{"booking_date":"2024-03-04","channel":"google_paid_search","total_bookings":1,"total_spend":null,"cost_per_booking":null}
{"booking_date":"2024-03-05","channel":"direct","total_bookings":1,"total_spend":null,"cost_per_booking":null}
{"booking_date":"2024-03-05","channel":"reddit","total_bookings":1,"total_spend":null,"cost_per_booking":null}
{"booking_date":"2024-03-05","channel":"facebook_paid_ads","total_bookings":0,"total_spend":30.00,"cost_per_booking":null}
{"booking_date":"2024-03-05","channel":"google_paid_search","total_bookings":0,"total_spend":12.50,"cost_per_booking":null}'
	run cat l/gold/cost_per_booking_total.ndjson
	assert_output '{"channel":"direct","total_bookings":1,"total_spend":null,"cost_per_booking":null}
{"channel":"facebook_paid_ads","total_bookings":2,"total_spend":30.00,"cost_per_booking":15.00}
{"channel":"google_paid_search","total_bookings":1,"total_spend":12.50,"cost_per_booking":12.50}
{"channel":"reddit","total_bookings":1,"total_spend":null,"cost_per_booking":null}'
	run cat l/gold/attribution.ndjson
	assert_line '{"channel":"facebook_paid_ads","utm_medium":"paid_ads","utm_campaign":"c","total_bookings":2,"canceled":1,"active_bookings":1,"cancellation_rate":0.5000}'
	# meetings: only active bookings, every host; 03-06..03-08 holds no
	# whole ISO week
	run cat l/gold/meetings_weekly.ndjson
	assert_output '{"employee_email":"a@acme.io","week":"2024-W10","meetings":2}
{"employee_email":"b@acme.io","week":"2024-W10","meetings":3}'
	run cat l/gold/meetings_per_employee.ndjson
	assert_output '{"employee_email":"a@acme.io","weeks":0,"first_week":null,"last_week":null,"meetings":0,"avg_weekly_meetings":null}
{"employee_email":"b@acme.io","weeks":0,"first_week":null,"last_week":null,"meetings":0,"avg_weekly_meetings":null}'
	# the source the map did not know is kept and said in the run log
	run jq -r 'select(.step == "silver:calendly_bookings") | .note' l/_runs.ndjson
	assert_output '2 partitions; unmapped: channel=reddit (1)'
}

@test "hand-checked: meetings per employee over whole ISO weeks, empty weeks counted as 0" {
	mkdir -p raw/calendly
	{
		# meetings from Sunday 03-03 to Tuesday 03-19: whole weeks W10, W11
		cal created A - - active false 2024-03-01T10:00:00Z 2024-03-01T10:00:01Z 2024-03-03T14:00:00Z - a@acme.io
		cal created B - - active false 2024-03-01T10:00:00Z 2024-03-01T10:00:01Z 2024-03-04T14:00:00Z - a@acme.io
		cal created C - - active false 2024-03-01T10:00:00Z 2024-03-01T10:00:01Z 2024-03-10T14:00:00Z - a@acme.io,b@acme.io
		cal created D - - active false 2024-03-01T10:00:00Z 2024-03-01T10:00:01Z 2024-03-19T14:00:00Z - a@acme.io
		cal created E - - active false 2024-03-01T10:00:00Z 2024-03-01T10:00:01Z 2024-03-12T14:00:00Z - c@acme.io
		cal canceled E - - canceled false 2024-03-01T10:00:00Z 2024-03-02T10:00:01Z 2024-03-12T14:00:00Z - c@acme.io
	} > raw/calendly/hooks.ndjson
	run lake -r raw -l l calendly
	assert_success
	# a: B and C in W10, none in W11 (A and D are in the partial weeks);
	# b: C; c: canceled only
	run cat l/gold/meetings_per_employee.ndjson
	assert_output '{"employee_email":"a@acme.io","weeks":2,"first_week":"2024-W10","last_week":"2024-W11","meetings":2,"avg_weekly_meetings":1.00}
{"employee_email":"b@acme.io","weeks":2,"first_week":"2024-W10","last_week":"2024-W11","meetings":1,"avg_weekly_meetings":0.50}
{"employee_email":"c@acme.io","weeks":2,"first_week":"2024-W10","last_week":"2024-W11","meetings":0,"avg_weekly_meetings":0.00}'
}

@test "hand-checked: a booking later than its ingestion is refused, to the second" {
	mkdir -p raw/calendly
	{
		# ingested 2024-03-13T00:00:00Z: booked 18:00 the day before is
		# fine, 18:00 the same day is in the future
		cal created A - - active false 2024-03-12T18:00:00Z 2024-03-12T18:00:01Z 2024-03-14T14:00:00Z - a@acme.io
		cal created B - - active false 2024-03-13T18:00:00Z 2024-03-13T18:00:01Z 2024-03-14T15:00:00Z - a@acme.io
	} > raw/calendly/hooks.ndjson
	run lake -r raw -l l calendly
	assert_success
	run jq -r '.booking_id[-1:]' l/gold/bookings.ndjson
	assert_output 'A'
	run jq -r '._reject.errors[] | "\(.field) \(.rule)"' l/rejects/calendly_bookings/ingest_date=2024-03-13/*-validate.ndjson
	assert_output 'booked_at max'
}

@test "hand-checked: new customers by their first order ever, ROAS and CAC, unknown spend null" {
	mkdir -p raw/online_sales raw/marketing_spend raw/customers
	printf 'customer_id,name,email,country,signup_date,segment\nC1,Ann,a@x.io,DE,2023-01-01,consumer\nC2,Bob,b@x.io,FR,2023-01-01,consumer\n' > raw/customers/c.csv
	h='order_id,customer_id,product_id,product_name,category,quantity,unit_price,order_date,channel'
	# C1's first order is in February (organic); C2's in March (facebook)
	printf '%s\n' "$h" 'O2,C1,p1,Lamp,home,2,10.00,2024-03-02,facebook_paid_ads' \
	    'O3,C2,p1,Lamp,home,1,10.00,2024-03-03,facebook_paid_ads' > raw/online_sales/a-march.csv
	printf 'date,channel,spend\n2024-03-01,facebook_paid_ads,15.00\n2024-02-01,facebook_paid_ads,0.00\n' > raw/marketing_spend/s.csv
	run lake -r raw -l l crm
	assert_success
	run cat l/gold/revenue_vs_spend.ndjson
	assert_output '{"month":"2024-02","channel":"facebook_paid_ads","revenue":0.00,"new_customers":0,"total_spend":0.00,"roas":null,"cac":null}
{"month":"2024-03","channel":"facebook_paid_ads","revenue":30.00,"new_customers":2,"total_spend":15.00,"roas":2.0000,"cac":7.50}'
	# a late export: C1 ordered in February already; the next run moves
	# C1 to February's new customers, through organic, which has no spend
	printf '%s\n' "$h" 'O1,C1,p1,Lamp,home,1,10.00,2024-02-20,organic' > raw/online_sales/b-late.csv
	EPOCH=$((DAY + 86400)) run lake -r raw -l l crm
	assert_success
	run cat l/gold/customer_first_orders.ndjson
	assert_output '{"customer_id":"C1","first_order_id":"O1","first_order_date":"2024-02-20","first_order_month":"2024-02","channel":"organic"}
{"customer_id":"C2","first_order_id":"O3","first_order_date":"2024-03-03","first_order_month":"2024-03","channel":"facebook_paid_ads"}'
	run cat l/gold/revenue_vs_spend.ndjson
	assert_output '{"month":"2024-02","channel":"facebook_paid_ads","revenue":0.00,"new_customers":0,"total_spend":0.00,"roas":null,"cac":null}
{"month":"2024-02","channel":"organic","revenue":10.00,"new_customers":1,"total_spend":null,"roas":null,"cac":null}
{"month":"2024-03","channel":"facebook_paid_ads","revenue":30.00,"new_customers":1,"total_spend":15.00,"roas":2.0000,"cac":15.00}'
}

@test "hand-checked: an advertiser crossing its daily budget mid-hour, net and gross spend, windows, budget history" {
	mkdir -p raw/adclicks
	ev() { printf '{"event_type":"%s","click_id":"%s","advertiser":"adv_1","ad_id":"ad_1","amount":%s,"budget_value":%s,"timestamp":"%s"}\n' "$@"; }
	{
		ev click c1 0.60 1.00 2024-03-04T10:10:00Z
		ev click c2 0.50 1.00 2024-03-04T10:40:00Z
		# c2 re-sent, stamped later: gross spend counts it, net does not
		ev click c2 0.50 1.00 2024-03-04T10:40:30Z
		ev impression c3 0.0100 1.00 2024-03-04T11:05:00Z
		# the budget raised the next day
		ev click c4 0.80 2.00 2024-03-05T09:00:00Z
	} > raw/adclicks/clicks.ndjson
	run lake -r raw -l l adclicks
	assert_success
	run mx-csv -t -H -f period,spend,cumulative_spend,budget_value,remaining,can_serve l/gold/can_serve.ndjson
	assert_output "$(printf '%s\t%s\t%s\t%s\t%s\t%s\n' \
	    2024-03-04T10:00:00Z 1.10 1.10 1.00 -0.10 false \
	    2024-03-04T11:00:00Z 0.01 1.11 1.00 -0.11 false \
	    2024-03-05T09:00:00Z 0.80 0.80 2.00 1.20 true)"
	run cat l/gold/advertiser_hourly.ndjson
	assert_line --index 0 '{"advertiser":"adv_1","event_date":"2024-03-04","event_hour":10,"window_start":"2024-03-04T10:00:00Z","window_end":"2024-03-04T11:00:00Z","impressions":0,"clicks":2,"net_spend":1.1,"gross_spend":1.6}'
	run cat l/gold/advertiser_monthly.ndjson
	# March: the daily budget at its end (2.00) times 31 days
	assert_output '{"advertiser":"adv_1","month":"2024-03","window_start":"2024-03-01T00:00:00Z","window_end":"2024-04-01T00:00:00Z","impressions":1,"clicks":3,"net_spend":1.91,"gross_spend":2.41,"monthly_budget":62.00,"remaining":60.09,"can_serve":true}'
	run cat l/gold/ad_performance_daily.ndjson
	assert_output '{"advertiser":"adv_1","event_date":"2024-03-04","impressions":1,"clicks":2,"total_spend":1.11,"cpc":0.56,"ctr":2.0000,"cpm":1110.00}
{"advertiser":"adv_1","event_date":"2024-03-05","impressions":0,"clicks":1,"total_spend":0.80,"cpc":0.80,"ctr":null,"cpm":null}'
	run cat l/gold/budget_history.ndjson
	assert_output '{"advertiser":"adv_1","budget_value":1.00,"effective_from":"2024-03-04T10:10:00Z","effective_to":"2024-03-05T09:00:00Z","is_current":false}
{"advertiser":"adv_1","budget_value":2.00,"effective_from":"2024-03-05T09:00:00Z","effective_to":null,"is_current":true}'
	run jq -c '[.advertiser, .period, .can_serve]' l/gold/advertiser_status.ndjson
	assert_output '["adv_1","2024-03-05T09:00:00Z",true]'
}

# The content of a lake that does not depend on run ids: each silver
# partition's records (in file order), each gold table.
content() {
	(cd "$1" && for d in $(find silver -name 'part-*.ndjson' -printf '%h\n' | LC_ALL=C sort -u); do
		echo "== $d"
		find "$d" -name 'part-*.ndjson' | LC_ALL=C sort | xargs cat
	done && for g in gold/*.ndjson gold/*.csv; do
		# the customers' history and segments depend on the runs, by
		# their definition (scripts/README.md)
		case $g in
		gold/dim_customer_history.*|gold/*customer_segments.*) continue ;;
		esac
		echo "== $g"; cat "$g"
	done)
}

# The records of the silver tables whose rule is an order of their own
# (latest-by, earliest-by, all deliveries), without their provenance,
# sorted.
records() {
	(cd "$1" && for d in $(find silver/ecommerce_events silver/calendly_bookings silver/adclicks silver/adclicks_deliveries -name 'part-*.ndjson' -printf '%h\n' | LC_ALL=C sort -u); do
		echo "== $d"
		find "$d" -name 'part-*.ndjson' | xargs cat |
		    jq -c 'del(._source, ._line, ._rid)' | LC_ALL=C sort
	done)
}

@test "one key space per silver table: one run, two runs, one file per run give the same lake" {
	# three batches whose ids overlap: the same events, clicks and orders
	# delivered again in another file, some in another day's partition
	for s in 1 2 3; do raw raw "${N:-600}" "$s"; done
	# and, in the last run, an event and a click of the first sent again a
	# day later: into another partition
	head -n 1 raw/ecommerce/batch-1.ndjson |
	    sed 's/"timestamp":"2024-03-04T/"timestamp":"2024-03-05T/' > raw/ecommerce/batch-3.resent.ndjson
	head -n 1 raw/adclicks/batch-1.ndjson |
	    sed 's/"timestamp":"2024-03-04T/"timestamp":"2024-03-05T/' > raw/adclicks/batch-3.resent.ndjson
	eid=$(jq -r .event_id raw/ecommerce/batch-3.resent.ndjson)
	cid=$(jq -r .click_id raw/adclicks/batch-3.resent.ndjson)
	run lake -r raw -l one
	assert_success
	mkdir -p r2 r3
	for src in raw/*; do
		mkdir -p "r2/${src##*/}"
		cp -p "$src"/batch-1.* "$src"/batch-2.* "r2/${src##*/}/"
	done
	run lake -r r2 -l two
	assert_success
	cp -rp raw/. r2/
	run lake -r r2 -l two
	assert_success
	for k in 1 2 3; do
		for src in raw/*; do
			mkdir -p "r3/${src##*/}"
			cp -p "$src"/batch-$k.* "r3/${src##*/}/"
		done
		run lake -r r3 -l each
		assert_success
	done
	[ "$(content one)" = "$(content two)" ] || fail "two runs differ from one: $(diff <(content one) <(content two) | head -5)"
	[ "$(content one)" = "$(content each)" ] || fail "one file per run differs: $(diff <(content one) <(content each) | head -5)"
	# no key twice in a table, across its partitions
	for t in ecommerce_events:.event_id adclicks:.click_id \
	    'calendly_bookings:.invitee_id, .event_type' online_sales:.order_id; do
		run bash -c "cat one/silver/${t%%:*}/*/part-*.ndjson | jq -c '[${t#*:}]' | sort | uniq -d"
		assert_success
		assert_output ''
	done
	# the re-sent event is latest: it moved to the next day; the re-sent
	# click is not earliest: the original stays
	for l in one two each; do
		run grep -l "\"event_id\":\"$eid\"" -r "$l/silver/ecommerce_events"
		assert_output --regexp "^$l/silver/ecommerce_events/event_date=2024-03-05/part-[^/]*$"
		run grep -l "\"click_id\":\"$cid\"" -r "$l/silver/adclicks"
		assert_output --regexp "^$l/silver/adclicks/event_date=2024-03-04/part-[^/]*$"
	done
}

@test "one key space: the files in reverse order give the same records to the tables whose rule is an order of their own" {
	for s in 1 2 3; do raw raw 600 "$s"; done
	run lake -r raw -l one
	assert_success
	for k in 3 2 1; do
		for src in raw/*; do
			mkdir -p "rev/${src##*/}"
			cp -p "$src"/batch-$k.* "rev/${src##*/}/"
		done
		run lake -r rev -l back
		assert_success
	done
	# latest-by and earliest-by: the same records; which copy of an exact
	# duplicate is kept (its _source) follows the arrival
	[ "$(records one)" = "$(records back)" ] || fail "$(diff <(records one) <(records back) | grep -v '^[<>] .*\"\(_source\|_line\)' | head -5)"
	for g in conversion_funnel hourly_revenue top_products category_performance user_activity bookings bookings_daily attribution meetings_weekly advertiser_hourly advertiser_daily can_serve budget_history; do
		cmp "one/gold/$g.ndjson" "back/gold/$g.ndjson" || fail "gold/$g differs"
	done
}

@test "a domain without raw data is skipped, said in the run log; added later, it starts cleanly" {
	raw all 500 1
	mkdir -p raw
	cp -r all/calendly all/spend raw/
	run lake -r raw -l l
	assert_success
	run jq -r 'select(.step | startswith("domain:")) | "\(.step) \(.state) \(.note)"' l/_runs.ndjson
	assert_output "domain:adclicks ok no raw data for adclicks: skipped
domain:crm ok no raw data for customers online_sales marketing_spend: skipped
domain:ecommerce ok no raw data for ecommerce: skipped
domain:growth ok no raw data for hubspot_contacts hubspot_deals meta_ads_insights ga4_events fx_rates: skipped
domain:retail ok no raw data for retail_customers retail_sales retail_coupons retail_spend retail_tax: skipped"
	[ -s l/gold/cost_per_booking.ndjson ]
	[ ! -e l/gold/can_serve.ndjson ]
	run "$TOP/scripts/lake-status" -l l
	assert_success
	# the same again: nothing to do, and no failure
	run lake -r raw -l l
	assert_success
	assert_output --partial 'the lake is up to date'
	cp -r all/adclicks raw/
	EPOCH=$((DAY + 86400)) run lake -r raw -l l
	assert_success
	[ -s l/gold/can_serve.ndjson ]
	run lake -r all -l fresh calendly adclicks
	assert_success
	for g in can_serve advertiser_daily cost_per_booking; do
		cmp "l/gold/$g.ndjson" "fresh/gold/$g.ndjson"
	done
}
