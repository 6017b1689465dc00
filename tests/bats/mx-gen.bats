#!/usr/bin/env bats
# mx-gen: reproducible bytes, every domain parses, exact counts of each kind
# of line checked against the data with independent tools, gzip, CSV,
# options.

load helper

RATES="--dup-rate 2% --key-dup-rate 2% --late-rate 3% --invalid-rate 2% --malformed-rate 1%"

# field $2 of the --stats line of domain $3 in file $1
stat() {
	jq -r --arg d "$3" "select(.domain == \$d) | .$2" "$1"
}

@test "same seed and options, same bytes; another seed, other bytes" {
	for d in ecommerce adclicks calendly; do
		mx-gen -n 3000 $RATES -s 7 $d > a
		mx-gen -n 3000 $RATES -s 7 $d > b
		mx-gen -n 3000 $RATES -s 8 $d > c
		run cmp a b
		assert_success
		run cmp -s a c
		assert_failure
	done
	mx-gen $RATES -s 7 spend > a
	SOURCE_DATE_EPOCH=1 TZ=Asia/Tokyo LC_ALL=C.UTF-8 mx-gen $RATES -s 7 spend > b
	run cmp a b
	assert_success
}

@test "the default domains write 1000 lines; -n 0 writes nothing" {
	for d in ecommerce adclicks calendly; do
		run sh -c "mx-gen $d | wc -l"
		assert_success
		assert_output 1000
	done
	run mx-gen -n 0 ecommerce
	assert_success
	assert_output ''
}

@test "the record shapes: ecommerce, spend, adclicks" {
	run sh -c 'mx-gen -n 1 -s 3 ecommerce'
	assert_success
	assert_output --regexp '^\{"event_id":"e000000001","timestamp":"2024-03-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z","user_id":"u[0-9]{6}","session_id":"s[0-9]{8}","event_type":"(page_view|search)",'
	run sh -c 'mx-gen spend | head -1'
	assert_success
	assert_output --regexp '^\{"date":"2024-03-01","channel":"facebook_paid_ads","spend":[0-9]+\.[0-9]{2}\}$'
	run sh -c 'mx-gen adclicks | head -1'
	assert_success
	assert_output --regexp '^\{"event_type":"(click|impression)","click_id":"c000000001","advertiser":"adv_[0-9]{3}","ad_id":"ad_[0-9]{4}","amount":[0-9.]+,"budget_value":[0-9]+\.[0-9]{2},"timestamp":"2024-03-[0-9]{2}T[0-9:]{8}Z"\}$'
}

@test "every NDJSON domain parses strictly (mx-ingest) and with jq" {
	for d in ecommerce spend adclicks calendly; do
		mx-gen --late-rate 2% --dup-rate 1% $d > $d.ndjson
		n=$(wc -l < $d.ndjson)
		run sh -c "mx-ingest $d.ndjson | wc -l"
		assert_success
		assert_output "$n"
		run sh -c "jq -c . $d.ndjson | wc -l"
		assert_success
		assert_output "$n"
	done
}

@test "ecommerce: exact counts of every kind, checked in the data" {
	mx-gen -n 4000 $RATES --stats st.json ecommerce > e.ndjson
	run stat st.json lines ecommerce
	assert_output 4000
	for k in exact_dups key_dups invalid; do
		run stat st.json $k ecommerce
		assert_output 80
	done
	run stat st.json late ecommerce
	assert_output 120
	run stat st.json malformed ecommerce
	assert_output 40
	run stat st.json records ecommerce
	assert_output 3720
	# malformed: what a strict parser rejects
	run sh -c 'mx-ingest --rejects rej.ndjson e.ndjson > ok.ndjson; wc -l < rej.ndjson'
	assert_success
	assert_output 40
	# invalid: what breaks the rules
	jq -c 'select((.event_id|type) == "string" and (.user_id|type) == "string"
	    and (.timestamp|type) == "string" and (.timestamp|test("^2024-0[23]-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$"))
	    and (.event_type|IN("page_view","add_to_cart","remove_from_cart","purchase","search"))
	    and (.quantity == null or ((.quantity|type) == "number" and .quantity == (.quantity|floor) and .quantity >= 1))
	    and (.price == null or ((.price|type) == "number" and .price >= 0)))
	    | del(._source, ._line, ._ingested_at, ._rid)' ok.ndjson > valid.ndjson
	run sh -c 'wc -l < valid.ndjson'
	assert_output $((4000 - 40 - 80))
	# exact duplicates: lines seen before
	run sh -c 'sort valid.ndjson | uniq -c | awk "{ d += \$1 - 1 } END { print d }"'
	assert_output 80
	# same-key duplicates: distinct lines beyond one per key
	run sh -c 'sort -u valid.ndjson | jq -r .event_id | sort | uniq -c | awk "{ d += \$1 - 1 } END { print d }"'
	assert_output 80
	# the records: one per key
	run sh -c 'jq -r .event_id valid.ndjson | sort -u | wc -l'
	assert_output 3720
	# late: first sightings more than half a day behind the latest time
	run sh -c "jq -r '.event_id + \" \" + (.timestamp[0:19] + \"Z\" | fromdate | tostring)' valid.ndjson |
	    awk '!seen[\$1]++ { if (\$2 < max - 43200) late++; if (\$2 > max) max = \$2 } END { print late }'"
	assert_output 120
}

@test "ecommerce: the funnel, purchases and revenue match the stats" {
	mx-gen -n 20000 --late-rate 1% --stats st.json ecommerce > e.ndjson
	jq -r .event_type e.ndjson | sort | uniq -c > types
	run awk '{ n[$2] = $1 } END { print (n["page_view"] > 2 * n["add_to_cart"] &&
	    n["add_to_cart"] > 2 * n["purchase"] && n["purchase"] > n["remove_from_cart"]) }' types
	assert_output 1
	run jq -rn '[inputs | select(.event_type == "purchase")] | length' e.ndjson
	assert_output "$(stat st.json purchases ecommerce)"
	run jq -rn '[inputs | select(.event_type == "purchase") | (.price * 100 | round) * .quantity] | add' e.ndjson
	assert_output "$(stat st.json revenue ecommerce | tr -d .)"
	# a session belongs to one user
	run sh -c "jq -r '.session_id + \" \" + .user_id' e.ndjson | sort -u | awk '{ print \$1 }' | uniq -d | wc -l"
	assert_output 0
}

@test "spend: every day and channel once among the valid records; late ones held back" {
	mx-gen --from 2024-02-01 --to 2024-02-29 $RATES --stats st.json spend > s.ndjson
	run stat st.json records spend
	assert_output $((29 * 8))
	run sh -c 'mx-ingest --rejects rej.ndjson s.ndjson > ok.ndjson; wc -l < rej.ndjson'
	assert_output "$(stat st.json malformed spend)"
	jq -c 'select((.spend|type) == "number" and .spend >= 0 and (.channel|type) == "string"
	    and (.date|test("^2024-02-[0-9]{2}$"))) | [.date, .channel]' ok.ndjson > keys
	run sh -c 'sort -u keys | wc -l'
	assert_output 232
	run sh -c 'wc -l < keys'
	assert_output $((232 + $(stat st.json exact_dups spend) + $(stat st.json key_dups spend)))
	# late: first sightings of a day after a later day has begun
	run awk '!seen[$0]++ { d = substr($0, 3, 10); if (d < max) late++; if (d > max) max = d } END { print late + 0 }' keys
	assert_output "$(stat st.json late spend)"
	# the first record of each day and channel is the one counted
	want=$(stat st.json spend spend | tr -d .)
	run sh -c "jq -r 'select((.spend|type) == \"number\" and .spend >= 0 and .channel != null and (.date|test(\"^2024\"))) | [.date, .channel, (.spend * 100 | round)] | @tsv' ok.ndjson | awk '!seen[\$1 FS \$2]++ { s += \$3 } END { print s }'"
	assert_output "$want"
}

@test "spend: no -n, and late records must fit in the range" {
	run mx-gen -n 10 spend
	assert_failure 2
	assert_output --partial 'its volume is --from and --to, not -n'
	run mx-gen --from 2024-03-01 --to 2024-03-01 --late-rate 10% spend
	assert_failure 2
	assert_output --partial 'late records do not fit in 1 days'
}

@test "calendly: reschedules are recognisable, bookings counted once" {
	mx-gen -n 6000 --stats st.json calendly > c.ndjson
	# each reschedule's new invitee is created with old_invitee set
	jq -r 'select(.event == "invitee.canceled" and .payload.rescheduled) |
	    .payload.new_invitee + " " + .payload.uri' c.ndjson | sort > cancels
	jq -r 'select(.event == "invitee.created" and .payload.old_invitee != null) |
	    .payload.uri + " " + .payload.old_invitee' c.ndjson | sort > creates
	[ -s cancels ]
	run sh -c 'wc -l < cancels'
	assert_output "$(stat st.json reschedules calendly)"
	# pairs cut by the end of the file aside, every one matches
	run sh -c 'comm -23 cancels creates | wc -l'
	[ "${output}" -le 1 ]
	run jq -rn '[inputs | select(.event == "invitee.created" and .payload.old_invitee == null)] | length' c.ndjson
	assert_output "$(stat st.json bookings calendly)"
	# a cancellation comes after its booking and before the meeting
	run jq -rn '[inputs | select(.event == "invitee.canceled") |
	    select(.payload.cancellation.created_at < .payload.created_at or
	           .payload.cancellation.created_at > .payload.scheduled_event.start_time)] | length' c.ndjson
	assert_output 0
	# tracking: null for some, a spend channel for most
	run jq -rn '[inputs | .payload.tracking | select(.utm_source != null) | .utm_source + "_" + .utm_medium] | unique | join(" ")' c.ndjson
	assert_output 'bing_paid_search facebook_paid_ads google_paid_search instagram_paid_ads linkedin_paid_ads newsletter_email pinterest_paid_ads tiktok_paid_ads youtube_paid_ads'
	run jq -rn '[inputs | select(.payload.tracking.utm_source == null)] | length' c.ndjson
	[ "$output" -gt 1000 ]
}

@test "calendly: invalid and malformed deliveries, exact counts" {
	mx-gen -n 3000 $RATES --stats st.json calendly > c.ndjson
	run sh -c 'mx-ingest --rejects rej.ndjson c.ndjson > ok.ndjson; wc -l < rej.ndjson'
	assert_output 30
	ok='.payload.email != null and .payload.uri != null and
	    (.event|IN("invitee.created","invitee.canceled")) and
	    (.payload.scheduled_event.start_time|test("^20"))'
	run jq -rn "[inputs | select($ok|not)] | length" ok.ndjson
	assert_output 60
	run jq -rn "[inputs | select($ok) | [.event, .payload.uri]] | unique | length" ok.ndjson
	assert_output "$(stat st.json records calendly)"
}

@test "crm: three CSV files with headers, quoted commas, parsed by mx-ingest" {
	run mx-gen -n 2000 -d crm $RATES --stats st.json crm
	assert_success
	run head -1 crm/customers.csv
	assert_output 'customer_id,name,email,country,signup_date,segment'
	run head -1 crm/online_sales.csv
	assert_output 'order_id,customer_id,product_id,product_name,category,quantity,unit_price,order_date,channel'
	run head -1 crm/marketing_spend.csv
	assert_output 'date,channel,spend'
	run grep -c '^C[0-9]*,"[^"]*, [^"]*",' crm/customers.csv
	assert_success
	for f in customers online_sales marketing_spend; do
		run sh -c "mx-ingest --rejects rej-$f crm/$f.csv | wc -l"
		assert_success
		lines=$(stat st.json lines $f)
		bad=$(stat st.json malformed $f)
		assert_output $((lines - bad))
		run sh -c "wc -l < rej-$f"
		assert_output "$bad"
	done
	run stat st.json lines customers
	assert_output 500
	# every order's customer exists
	mx-gen -n 2000 -d crm crm
	mx-ingest crm/customers.csv | jq -r .customer_id | sort -u > ids
	mx-ingest crm/online_sales.csv | jq -r 'select(.customer_id != "") | .customer_id' | sort -u > refs
	run sh -c 'comm -13 ids refs | wc -l'
	assert_output 0
}

@test "crm: marketing_spend holds the records of spend" {
	mx-gen -d crm -n 100 crm
	mx-gen spend | sed 's/^{"date":"\(.*\)","channel":"\(.*\)","spend":\(.*\)}$/\1,\2,\3/' > want
	run sh -c 'tail -n +2 crm/marketing_spend.csv | diff - want'
	assert_success
}

@test "crm and all need -d; all writes what each domain writes alone" {
	run mx-gen crm
	assert_failure 2
	assert_output --partial 'crm writes several files: give a directory with -d'
	run mx-gen -n 500 -d out all
	assert_success
	run ls out
	assert_output "adclicks.ndjson
calendly.ndjson
customers.csv
ecommerce.ndjson
marketing_spend.csv
online_sales.csv
spend.ndjson"
	mx-gen -n 500 ecommerce > e
	run cmp e out/ecommerce.ndjson
	assert_success
	mx-gen -n 500 -d crm crm
	run cmp crm/online_sales.csv out/online_sales.csv
	assert_success
}

@test "gzip: -z round trip, deterministic, and read back by mx-ingest" {
	mx-gen -n 3000 $RATES ecommerce > plain
	mx-gen -n 3000 $RATES -z ecommerce > z1
	mx-gen -n 3000 $RATES -z -o z2 ecommerce
	run sh -c 'gzip -t z1 && gzip -dc z1 | cmp - plain'
	assert_success
	run cmp z1 z2
	assert_success
	run mx-gen -n 300 -z -d d crm
	assert_success
	run sh -c 'gzip -dc d/online_sales.csv.gz | head -1'
	assert_output 'order_id,customer_id,product_id,product_name,category,quantity,unit_price,order_date,channel'
	run sh -c 'mx-ingest d/customers.csv.gz | wc -l'
	assert_output 75
}

@test "-v prints the counts; --stats writes one object per file" {
	run mx-gen -n 200 -v --dup-rate 0.05 -o e.ndjson ecommerce
	assert_success
	assert_output 'mx-gen: e.ndjson: ecommerce: 200 lines: 190 records (0 late), 10 exact dups, 0 key dups, 0 invalid, 0 malformed; '"$(wc -c < e.ndjson)"' bytes'
	run mx-gen -n 40 -d d --stats st.json all
	assert_success
	assert_output ''
	run jq -r '.domain + " " + (.lines|tostring)' st.json
	assert_output "ecommerce 40
spend 248
adclicks 40
calendly 40
customers 10
online_sales 40
marketing_spend 248"
	run jq -r 'select(.domain == "adclicks") | (.clicks + .impressions | tostring) + " " + (.amount|type)' st.json
	assert_output '40 string'
}

@test "rates: fractions or percentages, from 0 to 1, adding up to less than 1" {
	run sh -c 'mx-gen -n 100 --dup-rate 0.1 ecommerce | sort | uniq -c | awk "{ d += \$1 - 1 } END { print d }"'
	assert_output 10
	run sh -c 'mx-gen -n 100 --dup-rate 10% ecommerce | sort | uniq -c | awk "{ d += \$1 - 1 } END { print d }"'
	assert_output 10
	run mx-gen --dup-rate 1.5 ecommerce
	assert_failure 2
	assert_output --partial "--dup-rate: '1.5' is not a rate from 0 to 1"
	run mx-gen --invalid-rate x ecommerce
	assert_failure 2
	run mx-gen --dup-rate 60% --key-dup-rate 40% ecommerce
	assert_failure 2
	assert_output --partial 'the rates add up to 1 or more'
	run mx-gen -n 1 --dup-rate 50% ecommerce
	assert_failure 2
	assert_output --partial 'ecommerce: the rates add up to more than the 1 lines'
}

@test "bad command lines exit 2 with the usage" {
	run mx-gen
	assert_failure 2
	assert_output --partial 'no domain given'
	assert_output --partial 'usage: mx-gen'
	run mx-gen shoes
	assert_failure 2
	assert_output --partial "unknown domain 'shoes'"
	run mx-gen ecommerce spend
	assert_failure 2
	run mx-gen --from 2024-02-30 ecommerce
	assert_failure 2
	assert_output --partial "--from: '2024-02-30' is not a date"
	run mx-gen --from 2024-03-10 --to 2024-03-01 ecommerce
	assert_failure 2
	assert_output --partial '--to is before --from'
	run mx-gen -n -5 ecommerce
	assert_failure 2
	run mx-gen -s abc ecommerce
	assert_failure 2
	run mx-gen -o a -d b ecommerce
	assert_failure 2
	run mx-gen --frobnicate ecommerce
	assert_failure 2
}

@test "an output that cannot be written: exit 1, nothing left behind" {
	run mx-gen -o nodir/e.ndjson ecommerce
	assert_failure 1
	assert_output --partial 'nodir/e.ndjson'
	run sh -c 'mx-gen -n 100000 ecommerce > /dev/full'
	assert_failure 1
	assert_output --partial 'write error'
	mkdir d
	run mx-gen -n 100000 -o /dev/full ecommerce
	assert_failure 1
	run mx-gen -n 100000 -d /dev/full/x all
	assert_failure 1
	run ls -A d
	assert_output ''
}

@test "a closed pipe ends mx-gen quietly" {
	run sh -c 'mx-gen -n 1000000 ecommerce | head -1'
	assert_success
	assert_output --partial '"event_id":"e000000001"'
}

@test "man page examples run as written" {
	man_example mx-gen.1 | sed -n '/^\.Bd/,/^\.Ed/p' | grep -v '^\.' | sed 's/\\e$/\\/' > examples.sh
	run bash -c 'set -e; . ./examples.sh'
	assert_success
	assert_output --regexp '^[0-9]+$'
	run sh -c 'wc -l < events.ndjson'
	assert_output 100000
	run jq -r .malformed gen.json
	assert_output 25
	run sh -c 'wc -l < rejects.ndjson'
	assert_output 25
	run sh -c 'gzip -dc spend.ndjson.gz | wc -l'
	assert_output $((366 * 8))
	run ls crm raw
	assert_success
	assert_output --partial 'online_sales.csv'
	assert_output --partial 'calendly.ndjson.gz'
}
