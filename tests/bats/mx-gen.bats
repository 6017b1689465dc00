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
fx_rates.csv
ga4_events.ndjson
hubspot_contacts.csv
hubspot_deals.csv
marketing_spend.csv
meta_ads_insights.ndjson
online_sales.csv
retail_coupons.csv
retail_customers.csv
retail_sales.csv
retail_spend.csv
retail_tax.csv
spend.ndjson"
	mx-gen -n 500 ecommerce > e
	run cmp e out/ecommerce.ndjson
	assert_success
	mx-gen -n 500 -d crm crm
	run cmp crm/online_sales.csv out/online_sales.csv
	assert_success
	mx-gen -n 500 -d retail retail
	for f in customers sales coupons spend tax; do
		run cmp retail/retail_$f.csv out/retail_$f.csv
		assert_success
	done
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
marketing_spend 248
retail_customers 20
retail_sales 40
retail_coupons 120
retail_spend 31
retail_tax 10
hubspot_contacts 20
hubspot_deals 10
meta_ads_insights 930
ga4_events 40
fx_rates 61"
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
	run cat norate
	assert_output '2024-03-03,GBP'
}

# ---- retail ----

# The contracts a lake would put on retail_customers.csv and
# retail_sales.csv (through mx-ingest), as the CRM's seed contracts do.
retail_contracts() {
	cat > rc.contract <<-'C'
	CustomerID     string  required re=^[0-9]+$
	Gender         string  required in=M,F
	Location       string  required re="^(Chicago|California|New York|New Jersey|Washington DC)$"
	Tenure_Months  int     required min=2 max=50
	C
	cat > rs.contract <<-C
	CustomerID           string   required re=^[0-9]+\$
	Transaction_ID       string   required re=^[0-9]+\$
	Transaction_Date     date     required min=$1 max=$2
	Product_SKU          string   required re=^GGOE[A-Z0-9]{10}\$
	Product_Description  string   required minlen=1
	Product_Category     string   required minlen=1
	Quantity             int      required min=1
	Avg_Price            decimal  required min=0 scale=2
	Delivery_Charges     decimal  required min=0 scale=2
	Coupon_Status        string   required in=Used,"Not Used",Clicked
	C
}

# The rows of a CSV file as TSV, parsed by Python's csv module, each with
# its number of fields first.
csv_rows() {
	python3 -c 'import csv, sys
w = sys.stdout
for row in csv.reader(open(sys.argv[1], newline="", encoding="utf-8"), strict=True):
    w.write(str(len(row)) + "\t" + "\t".join(row) + "\n")' "$1"
}

@test "retail: five CSV files with the Kaggle headers, in -d; usage lists it" {
	run mx-gen -n 500 -d r retail
	assert_success
	assert_output ''
	run ls r
	assert_output 'retail_coupons.csv
retail_customers.csv
retail_sales.csv
retail_spend.csv
retail_tax.csv'
	run head -qn 1 r/retail_customers.csv r/retail_sales.csv r/retail_coupons.csv r/retail_spend.csv r/retail_tax.csv
	assert_success
	assert_output 'CustomerID,Gender,Location,Tenure_Months
CustomerID,Transaction_ID,Transaction_Date,Product_SKU,Product_Description,Product_Category,Quantity,Avg_Price,Delivery_Charges,Coupon_Status
Month,Product_Category,Coupon_Code,Discount_pct
Date,Offline_Spend,Online_Spend
Product_Category,GST'
	# -n sales lines, a tenth as many customers, never fewer than 20
	run sh -c 'tail -n +2 r/retail_sales.csv | wc -l; tail -n +2 r/retail_customers.csv | wc -l'
	assert_output '500
50'
	run mx-gen -n 30 -d s retail
	assert_success
	run sh -c 'tail -n +2 s/retail_customers.csv | wc -l'
	assert_output 20
	# several files: a directory, not -o
	run mx-gen retail
	assert_failure 2
	assert_output --partial 'retail writes several files: give a directory with -d'
	run mx-gen -o x.csv retail
	assert_failure 2
	run mx-gen
	assert_failure 2
	assert_output --partial 'domains: ecommerce spend adclicks calendly crm retail growth all'
	# gzip as the other domains
	run mx-gen -n 500 -z -d z retail
	assert_success
	run sh -c 'for f in z/*.csv.gz; do gzip -dc $f | cmp - r/$(basename $f .gz) || exit 1; done; ls z | wc -l'
	assert_success
	assert_output 5
}

@test "retail: same seed and options, same bytes; another seed, other bytes; reference tables take no rates" {
	for d in a b; do
		run mx-gen -n 3000 -s 7 $RATES -d $d retail
		assert_success
	done
	run mx-gen -n 3000 -s 8 $RATES -d c retail
	assert_success
	run env SOURCE_DATE_EPOCH=1 TZ=Asia/Tokyo LC_ALL=C.UTF-8 mx-gen -n 3000 -s 7 $RATES -d e retail
	assert_success
	run diff -r a b
	assert_success
	run diff -r a e
	assert_success
	for f in customers sales coupons spend; do
		run cmp -s a/retail_$f.csv c/retail_$f.csv
		assert_failure
	done
	# coupons, spend and tax: the same bytes whatever the rates and -n
	run mx-gen -n 10 -s 7 -d f retail
	assert_success
	for f in coupons spend tax; do
		run cmp a/retail_$f.csv f/retail_$f.csv
		assert_success
	done
	run cmp -s a/retail_customers.csv f/retail_customers.csv
	assert_failure
}

@test "retail: sales dates within --from..--to, late lines too; transactions of 1-3 lines" {
	run mx-gen -n 20000 -s 5 --from 2024-02-10 --to 2024-02-29 --late-rate 5% --dup-rate 1% \
	    --key-dup-rate 1% --stats st.json -d r retail
	assert_success
	run sh -c "tail -n +2 r/retail_sales.csv | awk -F, '{ print \$3 }' | sort -u | sed -n '1p;\$p'"
	assert_output '2024-02-10
2024-02-29'
	run sh -c "tail -n +2 r/retail_sales.csv | grep -cv '^[0-9]*,[0-9]*,2024-02-[0-9][0-9],GGOE[A-Z0-9]\{10\},'"
	assert_output 0
	run stat st.json late retail_sales
	assert_output 1000
	# a transaction: one customer, one date, 1 to 3 distinct SKUs
	csv_rows r/retail_sales.csv | tail -n +2 | cut -f 2-5 | sort -u > lines
	run sh -c "cut -f 2 lines | sort | uniq -c | awk '{ print \$1 }' | sort -u"
	assert_output '1
2
3'
	run sh -c "awk -F'\t' '{ print \$2, \$1, \$3 }' lines | sort -u | cut -d' ' -f1 | uniq -d | wc -l"
	assert_output 0
	# the SKU: one description, category and price
	csv_rows r/retail_sales.csv | tail -n +2 | cut -f 5,6,7,9 | sort -u > skus
	run sh -c 'cut -f 1 skus | uniq -d | wc -l'
	assert_output 0
	run sh -c 'tail -n +2 r/retail_sales.csv | cut -d, -f4 | sort -u | wc -l'
	assert_output 42
}

@test "retail: value domains of every column" {
	run mx-gen -n 5000 -s 2 -d r retail
	assert_success
	run sh -c "tail -n +2 r/retail_customers.csv | grep -cvE '^[0-9]{5},[MF],(Chicago|California|New York|New Jersey|Washington DC),([2-9]|[1-4][0-9]|50)\$'"
	assert_output 0
	run sh -c "tail -n +2 r/retail_customers.csv | cut -d, -f3 | sort -u | wc -l"
	assert_output 5
	csv_rows r/retail_sales.csv | tail -n +2 > rows
	run awk -F'\t' '$1 != 10 || $8 !~ /^([1-9]|1[0-9]|20)$/ || $9 !~ /^[0-9]+\.[0-9][0-9]$/ ||
	    $10 !~ /^[0-9]+\.[0-9][0-9]$/ || ($11 != "Used" && $11 != "Not Used" && $11 != "Clicked")' rows
	assert_success
	assert_output ''
	# quantities skewed small; every category and coupon status appears
	run awk -F'\t' '{ n++; if ($8 == 1) one++; if ($8 > 8) big++ } END { print (one > n / 2 && big < n / 10 && big > 0) }' rows
	assert_output 1
	run sh -c "cut -f 7 rows | sort -u | tr '\n' ';'"
	assert_output 'Apparel;Bags;Drinkware;Gift Cards;Headgear;Lifestyle;Nest;Nest-USA;Notebooks & Journals;Office;Waze;'
	run sh -c "cut -f 11 rows | sort -u | tr '\n' ';'"
	assert_output 'Clicked;Not Used;Used;'
	run grep -c ',GGOENEBJ079499,Nest Learning Thermostat 3rd Gen-USA - Stainless Steel,Nest-USA,[0-9]*,153.71,' r/retail_sales.csv
	assert_success
	# tax: one rate per category, a fraction
	run cat r/retail_tax.csv
	assert_output 'Product_Category,GST
Nest-USA,0.10
Office,0.10
Apparel,0.18
Drinkware,0.18
Lifestyle,0.18
Nest,0.05
Bags,0.18
Headgear,0.05
Notebooks & Journals,0.05
Waze,0.12'
}

@test "retail: coupons, twelve months times the categories; spend, one row per day" {
	run mx-gen -n 100 -s 4 --from 2023-12-30 --to 2024-03-02 -d r retail
	assert_success
	ncat=$(($(wc -l < r/retail_tax.csv) - 1))
	[ "$ncat" -eq 10 ]
	run sh -c 'tail -n +2 r/retail_coupons.csv | wc -l'
	assert_output $((12 * ncat))
	run sh -c 'tail -n +2 r/retail_coupons.csv | cut -d, -f1,2 | sort -u | wc -l'
	assert_output $((12 * ncat))
	run sh -c "tail -n +2 r/retail_coupons.csv | cut -d, -f1 | uniq | tr '\n' ' '"
	assert_output 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec '
	# the code is the category's prefix and the discount
	run sh -c "tail -n +2 r/retail_coupons.csv | grep -cvE '^[A-Z][a-z]{2},[^,]+,[A-Z]+(10|20|30),(10|20|30)\$'"
	assert_output 0
	run awk -F, 'NR > 1 && substr($3, length($3) - 1) != $4' r/retail_coupons.csv
	assert_output ''
	# the categories of coupons and tax are the same
	run bash -c 'diff <(tail -n +2 r/retail_coupons.csv | cut -d, -f2 | sort -u) <(tail -n +2 r/retail_tax.csv | cut -d, -f1 | sort -u)'
	assert_success
	# spend: every day from --from to --to once, in order
	run sh -c 'tail -n +2 r/retail_spend.csv | wc -l'
	assert_output 64
	run sh -c "tail -n +2 r/retail_spend.csv | cut -d, -f1 | sed -n '1p;\$p'"
	assert_output '2023-12-30
2024-03-02'
	run sh -c 'tail -n +2 r/retail_spend.csv | cut -d, -f1 | sort -u | wc -l'
	assert_output 64
	run sh -c "tail -n +2 r/retail_spend.csv | cut -d, -f1 | grep -c 2024-02-29"
	assert_output 1
	run awk -F, 'NR > 1 && ($2 !~ /^[0-9]+00\.00$/ || $2 < 500 || $2 > 5000 || $3 !~ /^[0-9]+\.[0-9][0-9]$/ || $3 < 320.25 || $3 > 4556.93)' r/retail_spend.csv
	assert_output ''
}

@test "retail: unknown customers and categories, on purpose, deterministic" {
	run mx-gen -n 20000 -s 11 --stats st.json -d r retail
	assert_success
	tail -n +2 r/retail_customers.csv | cut -d, -f1 | sort -u > ids
	csv_rows r/retail_sales.csv | tail -n +2 > rows
	cut -f 2 rows | sort > refs
	# about 1% of the lines name a customer in no customers row
	run sh -c 'join -v 1 refs ids | wc -l'
	unknown=$output
	[ "$unknown" -ge 100 ] && [ "$unknown" -le 400 ]
	run stat st.json unknown_customers retail_sales
	assert_output "$unknown"
	# about 0.5%: a category without tax and coupons
	cut -f 7 rows | sort > cats
	tail -n +2 r/retail_tax.csv | cut -d, -f1 | sort -u > taxed
	tail -n +2 r/retail_coupons.csv | cut -d, -f2 | sort -u > couponed
	run sh -c 'grep -cvxFf taxed cats'
	nocat=$output
	[ "$nocat" -ge 40 ] && [ "$nocat" -le 200 ]
	run sh -c 'grep -cvxFf couponed cats'
	assert_output "$nocat"
	run sh -c 'grep -vxFf taxed cats | sort -u'
	assert_output 'Gift Cards'
	run stat st.json unknown_categories retail_sales
	assert_output "$nocat"
	# every other customer is in the file
	run sh -c 'join -v 1 refs ids | sort -un | head -1'
	[ "$output" -gt "$(sort -n ids | tail -1)" ]
	# the same misses again for the same seed
	mx-gen -n 20000 -s 11 -d r2 retail
	run cmp r/retail_sales.csv r2/retail_sales.csv
	assert_success
}

@test "retail: exact counts of every kind; invalid and malformed lines refused as the CRM's are" {
	export SOURCE_DATE_EPOCH=1712000000
	run mx-gen -n 10000 -s 3 $RATES --stats st.json -d r retail
	assert_success
	retail_contracts 2024-03-01 2024-03-31
	for p in customers:rc sales:rs; do
		f=${p%%:*}
		c=${p##*:}
		mx-ingest --rejects ing.$f r/retail_$f.csv |
		    mx-validate -c $c.contract --rejects val.$f > out.$f
		run jq -r --arg d retail_$f 'select(.domain == $d) | "\(.malformed) \(.invalid) \(.lines - .malformed - .invalid)"' st.json
		assert_output "$(wc -l < ing.$f) $(wc -l < val.$f) $(wc -l < out.$f)"
		[ "$(wc -l < ing.$f)" -gt 0 ] && [ "$(wc -l < val.$f)" -gt 0 ]
	done
	run echo $(stat st.json lines retail_customers) $(stat st.json late retail_customers) \
	    $(stat st.json invalid retail_sales) $(stat st.json malformed retail_sales)
	assert_output '1000 0 200 100'
	# what the contracts refused: one rule each, of those mx-gen breaks
	run sh -c "jq -r '._reject.errors[0] | .field + \" \" + .rule' val.sales | sort -u | tr '\n' ';'"
	assert_output 'Avg_Price type;Coupon_Status in;CustomerID re;Product_SKU re;Quantity min;Transaction_Date type;'
	run sh -c "jq -r '._reject.errors[0] | .field + \" \" + .rule' val.customers | sort -u | tr '\n' ';'"
	assert_output 'CustomerID re;Gender in;Location re;Tenure_Months min;'
	# what is left: one line per key, and the duplicates (two
	# restatements of one line may coincide, so exact and same-key ones
	# are counted together)
	for f in customers:CustomerID sales:'Transaction_ID + " " + .Product_SKU'; do
		n=${f%%:*}
		key=${f#*:}
		jq -c 'del(._source, ._line, ._ingested_at, ._rid)' out.$n > valid.$n
		run sh -c "jq -r '.$key' valid.$n | sort -u | wc -l"
		assert_output "$(stat st.json records retail_$n)"
		run sh -c "sort valid.$n | uniq -c | awk '{ d += \$1 - 1 } END { print d }'"
		[ "$output" -ge "$(stat st.json exact_dups retail_$n)" ]
		run sh -c "sort -u valid.$n | jq -r '.$key' | sort | uniq -c | awk '{ d += \$1 - 1 } END { print d }'"
		[ "$output" -gt 0 ] && [ "$output" -le "$(stat st.json key_dups retail_$n)" ]
		run sh -c "wc -l < valid.$n"
		assert_output $(($(stat st.json records retail_$n) + $(stat st.json exact_dups retail_$n) + $(stat st.json key_dups retail_$n)))
	done
	# a customer restated: the same gender, a new location or tenure
	run sh -c "sort -u valid.customers | jq -r '[.CustomerID, .Gender] | @tsv' | sort -u | cut -f1 | uniq -d | wc -l"
	assert_output 0
	# a sale restated: another quantity, nothing else
	run sh -c "sort -u valid.sales | jq -r 'del(.Quantity) | tostring' | sort -u | wc -l"
	assert_output "$(stat st.json records retail_sales)"
	# the revenue of the first line of each key
	run sh -c "jq -r '[.Transaction_ID + .Product_SKU, (.Avg_Price | tonumber * 100 | round) * (.Quantity | tonumber)] | @tsv' valid.sales |
	    awk -F'\t' '!seen[\$1]++ { s += \$2 } END { print s }'"
	assert_output "$(stat st.json revenue retail_sales | tr -d .)"
}

@test "retail: every file parses as CSV (Python, mx-ingest): quoted commas and quotes" {
	run mx-gen -n 3000 -s 9 --dup-rate 1% --key-dup-rate 1% --late-rate 1% --invalid-rate 1% -d r retail
	assert_success
	for f in r/*.csv; do
		cols=$(head -1 $f | tr ',' '\n' | wc -l)
		run sh -c "$(declare -f csv_rows); csv_rows $f | cut -f 1 | sort -u"
		assert_success
		assert_output "$cols"
		run sh -c "mx-ingest --rejects rej $f | wc -l; wc -l < rej"
		assert_success
		assert_output "$(($(wc -l < $f) - 1))
0"
	done
	# descriptions with a comma or an inch mark are quoted, and read back
	run grep -c ',"Google Desk Mat, 24"" x 12""",Office,' r/retail_sales.csv
	assert_success
	run sh -c "mx-ingest r/retail_sales.csv | jq -r .Product_Description | grep -Fx 'Google 15\" Laptop Sleeve' | sort -u"
	assert_output 'Google 15" Laptop Sleeve'
	run sh -c "mx-ingest r/retail_sales.csv | jq -r .Product_Description | grep -c ', '"
	assert_success
	# no field unquoted with a comma or a quote in it
	run sh -c "$(declare -f csv_rows); csv_rows r/retail_sales.csv | awk -F'\t' '\$1 != 10' | wc -l"
	assert_output 0
}

@test "retail: --stats, one object per file, and the counts match the files" {
	run mx-gen -n 1000 -s 6 --dup-rate 2% --malformed-rate 1% --stats st.json -d r retail
	assert_success
	run jq -r '.domain + " " + (.lines|tostring) + " " + (.records|tostring)' st.json
	assert_output 'retail_customers 100 97
retail_sales 1000 970
retail_coupons 120 120
retail_spend 31 31
retail_tax 10 10'
	for f in customers sales coupons spend tax; do
		run sh -c "wc -c < r/retail_$f.csv"
		assert_output "$(stat st.json bytes retail_$f)"
	done
	run jq -r 'select(.domain == "retail_spend") | .offline_spend + " " + .online_spend' st.json
	assert_output "$(awk -F, 'NR > 1 { a += $2 * 100; b += $3 * 100 } END { printf "%.2f %.2f\n", a / 100, b / 100 }' r/retail_spend.csv)"
}

@test "retail: a million sales lines, every one written" {
	run mx-gen -n 1000000 -d r retail
	assert_success
	assert_output ''
	run sh -c 'tail -n +2 r/retail_sales.csv | wc -l'
	assert_output 1000000
}

# ---- growth ----

GROWTH="hubspot_contacts.csv hubspot_deals.csv meta_ads_insights.ndjson ga4_events.ndjson fx_rates.csv"

@test "growth: five files with the exports' headers, in -d; usage lists it" {
	run mx-gen -n 500 -d g growth
	assert_success
	assert_output ''
	run ls g
	assert_output 'fx_rates.csv
ga4_events.ndjson
hubspot_contacts.csv
hubspot_deals.csv
meta_ads_insights.ndjson'
	run head -qn 1 g/hubspot_contacts.csv g/hubspot_deals.csv g/fx_rates.csv
	assert_success
	assert_output 'Record ID,First Name,Last Name,Email,Lifecycle Stage,Original Source,Original Source Drill-Down 2,Country/Region,Create Date,Last Modified Date
Record ID,Deal Name,Pipeline,Deal Stage,Amount,Deal Currency Code,Create Date,Close Date,Associated Contact IDs
date,currency,rate'
	# contacts -n / 10, deals -n / 20, GA4 -n events, Meta 30 ads a day
	# of the range, fx two currencies a day but one
	run sh -c 'for f in hubspot_contacts hubspot_deals fx_rates; do tail -n +2 g/$f.csv | wc -l; done; wc -l < g/ga4_events.ndjson; wc -l < g/meta_ads_insights.ndjson'
	assert_success
	assert_output '50
25
61
500
930'
	run mx-gen -n 30 -d s growth
	assert_success
	run sh -c 'tail -n +2 s/hubspot_contacts.csv | wc -l; tail -n +2 s/hubspot_deals.csv | wc -l; cmp s/meta_ads_insights.ndjson g/meta_ads_insights.ndjson'
	assert_success
	assert_output '20
10'
	run mx-gen growth
	assert_failure 2
	assert_output --partial 'growth writes several files: give a directory with -d'
	run mx-gen
	assert_failure 2
	assert_output --partial 'domains: ecommerce spend adclicks calendly crm retail growth all'
	run mx-gen -n 500 -z -d z growth
	assert_success
	run sh -c 'for f in z/*.gz; do gzip -dc $f | cmp - g/$(basename $f .gz) || exit 1; done; ls z | wc -l'
	assert_success
	assert_output 5
}

@test "growth: same seed and options, same bytes; another seed, other bytes; fx takes no rates" {
	for d in a b; do
		run mx-gen -n 3000 -s 7 $RATES -d $d growth
		assert_success
	done
	run mx-gen -n 3000 -s 8 $RATES -d c growth
	assert_success
	run env SOURCE_DATE_EPOCH=1 TZ=Asia/Tokyo LC_ALL=C.UTF-8 mx-gen -n 3000 -s 7 $RATES -d e growth
	assert_success
	run diff -r a b
	assert_success
	run diff -r a e
	assert_success
	for f in $GROWTH; do
		run cmp -s a/$f c/$f
		assert_failure
	done
	run mx-gen -n 10 -s 7 -d f growth
	assert_success
	run cmp a/fx_rates.csv f/fx_rates.csv
	assert_success
}

@test "growth: all writes the growth files last, as growth alone, and leaves the older files as they were" {
	run mx-gen -n 300 -s 3 $RATES -d out all
	assert_success
	run mx-gen -n 300 -s 3 $RATES -d g growth
	assert_success
	for f in $GROWTH; do
		run cmp g/$f out/$f
		assert_success
	done
	# the older files: the bytes mx-gen wrote for these options before
	# growth existed (every domain has its own stream: a new domain
	# changes none of them)
	run sh -c "cd out && cat \$(ls | grep -vxF '$(echo $GROWTH | tr ' ' '\n')') | sha256sum"
	assert_success
	assert_output '6e8a8ac9f0497a70288b3fd19d01fbf894657aeb0c1f7042139206ebcdae0d32  -'
	run mx-gen -n 300 -s 3 $RATES --stats st.json -d st all
	assert_success
	run sh -c "jq -r .domain st.json | tail -5 | tr '\n' ' '"
	assert_output 'hubspot_contacts hubspot_deals meta_ads_insights ga4_events fx_rates '
}

@test "growth: contacts: value domains, unique e-mails, Paid Social names a Meta campaign" {
	run mx-gen -n 20000 -s 2 --stats st.json -d g growth
	assert_success
	csv_rows g/hubspot_contacts.csv | tail -n +2 > c
	run awk -F'\t' '$1 != 10' c
	assert_output ''
	run sh -c "wc -l < c; cut -f 2 c | sort -u | wc -l; cut -f 2 c | sort -n | sed -n '1p;\$p'"
	assert_output '2000
2000
1000001
1002000'
	# e-mails: lower case, unique, of the names
	run sh -c "cut -f 5 c | grep -cvE '^[a-z]+\\.[a-z]+[0-9]*@example\\.com\$'"
	assert_output 0
	run sh -c 'cut -f 5 c | sort | uniq -d | wc -l'
	assert_output 0
	run grep -c '^1[0-9]*,"Robert ""Bob""",' g/hubspot_contacts.csv
	assert_success
	run sh -c "cut -f 6 c | sort -u | tr '\n' ';'"
	assert_output 'Customer;Lead;Marketing Qualified Lead;Opportunity;Sales Qualified Lead;Subscriber;'
	run sh -c "cut -f 7 c | sort -u | tr '\n' ';'"
	assert_output 'Direct Traffic;Email Marketing;Organic Search;Paid Search;Paid Social;Referrals;'
	run sh -c "cut -f 9 c | sort -u | tr '\n' ';'"
	assert_output 'Canada;France;Germany;United Kingdom;United States;'
	# about 40% Paid Social; its drill-down a Meta campaign name, the
	# account's of the country; empty for the other sources
	run awk -F'\t' '$7 == "Paid Social" { n++ } END { print (n > 700 && n < 900) }' c
	assert_output 1
	run awk -F'\t' '($7 == "Paid Social") != ($8 != "")' c
	assert_output ''
	jq -r '.campaign_name' g/meta_ads_insights.ndjson | sort -u > campaigns
	run sh -c 'wc -l < campaigns'
	assert_output 6
	run sh -c "cut -f 8 c | grep -v '^\$' | sort -u | diff - campaigns"
	assert_success
	jq -r '[.campaign_name, .account_currency] | @tsv' g/meta_ads_insights.ndjson | sort -u > camp_cur
	run sh -c "awk -F'\t' '\$8 != \"\" { print \$8 \"\t\" (\$9 ~ /^(United States|Canada)\$/ ? \"USD\" : \$9 == \"United Kingdom\" ? \"GBP\" : \"EUR\") }' c | sort -u | diff - camp_cur"
	assert_success
	run stat st.json paid_social hubspot_contacts
	assert_output "$(awk -F'\t' '$7 == "Paid Social"' c | wc -l)"
	# HubSpot's times, in the range, modified not before created
	run awk -F'\t' '$10 !~ /^2024-03-[0-3][0-9] [0-2][0-9]:[0-5][0-9]$/ || $11 !~ /^2024-03-[0-3][0-9] [0-2][0-9]:[0-5][0-9]$/ || $11 < $10' c
	assert_output ''
	run sh -c "cut -f 10 c | sort -c && echo sorted"
	assert_output sorted
}

@test "growth: deals: stages, amounts, close dates; the currency follows the contact's country; about 1% unknown contacts" {
	run mx-gen -n 40000 -s 4 --from 2024-02-01 --to 2024-02-29 --stats st.json -d g growth
	assert_success
	csv_rows g/hubspot_contacts.csv | tail -n +2 > c
	csv_rows g/hubspot_deals.csv | tail -n +2 > d
	run sh -c 'wc -l < d; cut -f 2 d | sort -u | wc -l; cut -f 2 d | sort -n | head -1'
	assert_output '2000
2000
5000001'
	run awk -F'\t' '$1 != 9 || $4 != "Sales Pipeline" || $6 !~ /^[0-9]+\.[0-9][0-9]$/ || $6 < 200 || $6 > 20000 || $8 !~ /^2024-02-[0-2][0-9]$/' d
	assert_output ''
	run sh -c "cut -f 5 d | sort -u | tr '\n' ';'"
	assert_output 'Appointment Scheduled;Closed Lost;Closed Won;Contract Sent;Decision Maker Bought-In;Presentation Scheduled;Qualified To Buy;'
	run awk -F'\t' '$5 == "Closed Won" { w++ } $5 == "Closed Lost" { l++ } END { print (w > 600 && w < 800 && l > 320 && l < 480) }' d
	assert_output 1
	# a close date for the closed deals only, from creation to --to
	run awk -F'\t' '($5 ~ /^Closed/) != ($9 != "") || ($9 != "" && ($9 < $8 || $9 > "2024-02-29"))' d
	assert_output ''
	# names with a comma are quoted
	run grep -c '^5[0-9]*,"[^"]*, [^"]*",Sales Pipeline,' g/hubspot_deals.csv
	assert_success
	# the currency of the contact's country
	awk -F'\t' '{ print $2 "\t" ($9 ~ /^(United States|Canada)$/ ? "USD" : $9 == "United Kingdom" ? "GBP" : "EUR") "\t" $10 }' c | sort > cur
	awk -F'\t' '{ print $10 "\t" $7 "\t" $8 }' d | sort > ref
	run sh -c "join -t '	' cur ref | awk -F'\t' '\$2 != \$4' | wc -l"
	assert_output 0
	# a deal's contact was created by the end of the deal's day
	run sh -c "join -t '	' cur ref | awk -F'\t' 'substr(\$3, 1, 10) > \$5' | wc -l"
	assert_output 0
	# about 1% name a contact in no contacts line, past every id
	run sh -c "join -t '	' -v 2 cur ref | wc -l"
	unknown=$output
	[ "$unknown" -ge 8 ] && [ "$unknown" -le 40 ]
	run stat st.json unknown_contacts hubspot_deals
	assert_output "$unknown"
	run sh -c "join -t '	' -v 2 cur ref | cut -f 1 | sort -n | head -1"
	[ "$output" -gt "$(cut -f 2 c | sort -n | tail -1)" ]
	run sh -c "cut -f 7 d | sort -u | tr '\n' ' '"
	assert_output 'EUR GBP USD '
}

@test "growth: Meta insights: one row per ad and day, strings for numbers, actions by key" {
	run mx-gen -s 5 $RATES --stats st.json -d g growth
	assert_success
	m=g/meta_ads_insights.ndjson
	run sh -c "mx-ingest --rejects rej $m | wc -l; wc -l < rej"
	assert_success
	assert_output "$(($(wc -l < $m) - $(stat st.json malformed meta_ads_insights)))
$(stat st.json malformed meta_ads_insights)"
	# every line that is not malformed parses with jq; the malformed
	# ones are those a strict parser (Python's) refuses
	run sh -c "jq -cR 'fromjson? // empty' $m | wc -l"
	[ "$output" -ge "$(($(wc -l < $m) - $(stat st.json malformed meta_ads_insights)))" ]
	python3 -c 'import json, sys
for l in open(sys.argv[1], "rb"):
    try:
        sys.stdout.write(json.dumps(json.loads(l.decode("utf-8")), ensure_ascii=False, separators=(",", ":")) + "\n")
    except ValueError:
        pass' $m > all.ndjson
	run sh -c 'wc -l < all.ndjson'
	assert_output "$(($(wc -l < $m) - $(stat st.json malformed meta_ads_insights)))"
	run sh -c "head -1 $m | jq -r 'keys_unsorted | join(\",\")'"
	assert_output --regexp '^account_id,account_currency,campaign_id,campaign_name,adset_id,adset_name,ad_id,ad_name,date_start,date_stop,impressions,clicks,spend(,actions(,action_values)?)?$'
	# the valid rows: every ad and day once, late ones within the range
	jq -c 'select(.date_start and (.impressions|test("^[0-9]+$")) and (.spend|test("^[0-9]+\\.[0-9]{2}$"))
	    and ([.actions[]?.value | test("^[0-9]+$")] | all))' all.ndjson > valid
	run sh -c "wc -l < valid"
	assert_output "$(($(stat st.json records meta_ads_insights) + $(stat st.json exact_dups meta_ads_insights) + $(stat st.json key_dups meta_ads_insights)))"
	run sh -c "jq -r '[.ad_id, .date_start] | @tsv' valid | sort -u | wc -l; jq -r .ad_id valid | sort -u | wc -l; jq -r .date_start valid | sort -u | sed -n '1p;\$p'"
	assert_output '930
30
2024-03-01
2024-03-31'
	run stat st.json records meta_ads_insights
	assert_output 930
	# the tree: six campaigns of three accounts, their currencies
	run sh -c "jq -r '[.account_id, .account_currency] | @tsv' valid | sort -u | tr '\t\n' ' ;'"
	assert_output '1111111111 USD;2222222222 EUR;3333333333 GBP;'
	run sh -c "jq -r '[.campaign_id, .campaign_name] | @tsv' valid | sort -u | cut -f 2 | sort -u | wc -l; jq -r .campaign_id valid | sort -u | grep -c '^2385[0-9]\{13\}\$'"
	assert_output '6
6'
	run sh -c "jq -r '.adset_id, .ad_id' valid | sort -u | grep -cv '^[0-9]\{17\}\$'"
	assert_output 0
	# strings for numbers; clicks <= impressions, link clicks <= clicks,
	# landing page views <= link clicks; no zero counts, no empty arrays
	run jq -c 'select(([.impressions, .clicks, .spend, .actions[]?.value, .action_values[]?.value] | map(type) | unique) != ["string"])' valid
	assert_output ''
	run jq -c '(.actions // [] | map({(.action_type): (.value|tonumber)}) | add // {}) as $a |
	    select((.clicks|tonumber) > (.impressions|tonumber) or ($a.link_click // 0) > (.clicks|tonumber) or
	    ($a.landing_page_view // 0) > ($a.link_click // 0) or ([.actions[]?.value] | index("0")) != null or
	    .actions == [] or ((.action_values != null) != ($a.purchase != null)))' valid
	assert_output ''
	run sh -c "jq -r 'has(\"actions\")' valid | sort | uniq -c | wc -l"
	assert_output 2
	# the action types in more than one order
	run sh -c "jq -c '[.actions[]?.action_type] | map({link_click: 0, landing_page_view: 1, lead: 2, purchase: 3}[.]) | . == sort' valid | sort | uniq -c | wc -l"
	assert_output 2
	# same-key duplicates: the row again, more clicks
	run sh -c "sort -u valid | jq -r '[.ad_id, .date_start, (.clicks|tonumber)] | @tsv' | sort -k1,2 -k3n | awk -F'\t' '\$1 FS \$2 == k && \$3 <= c { bad++ } { k = \$1 FS \$2; c = \$3 } END { print bad + 0 }'"
	assert_output 0
	# the invalid lines: each of the four defects
	run sh -c "jq -r 'if (.date_start|not) then \"date\" elif .impressions == \"abc\" then \"impressions\" elif .spend == \"-1.00\" then \"spend\" elif ([.actions[]?.value] | index(\"x\")) then \"action\" else empty end' all.ndjson | sort | uniq -c | wc -l; jq -r 'select((.date_start|not) or .impressions == \"abc\" or .spend == \"-1.00\" or ([.actions[]?.value] | index(\"x\")))' all.ndjson | jq -s length"
	assert_output "4
$(stat st.json invalid meta_ads_insights)"
	# the spend and clicks of the stats are the first row of each key
	run sh -c "jq -r '[.ad_id + .date_start, .account_currency, (.spend | sub(\"\\\\.\"; \"\"))] | @tsv' valid | awk -F'\t' '!seen[\$1]++ { s[\$2] += \$3 } END { print s[\"USD\"], s[\"EUR\"], s[\"GBP\"] }'"
	assert_output "$(for c in usd eur gbp; do stat st.json spend_$c meta_ads_insights | tr -d .; done | sed 's/^0*//' | paste -sd ' ')"
}

@test "growth: Meta: late rows one to seven days late; -n does not change the file" {
	run mx-gen -n 10 -s 6 --late-rate 5% --stats st.json -d a growth
	assert_success
	run mx-gen -n 99999 -s 6 --late-rate 5% -d b growth
	assert_success
	run cmp a/meta_ads_insights.ndjson b/meta_ads_insights.ndjson
	assert_success
	# a late row: a day sent after a later day has begun, by one to
	# seven days; never before --from
	run sh -c "jq -r '.date_start | strptime(\"%Y-%m-%d\") | mktime / 86400' a/meta_ads_insights.ndjson | awk '{ d = \$1; if (d < max) { late++; if (max - d > 7 || max - d < 1) bad++ } if (d > max) max = d } END { print late + 0, bad + 0 }'"
	assert_output "$(stat st.json late meta_ads_insights) 0"
	run sh -c "jq -r .date_start a/meta_ads_insights.ndjson | sort | head -1"
	assert_output 2024-03-01
}

@test "growth: GA4: the export's shape, sessions in time order, late events, purchases" {
	run mx-gen -n 20000 -s 3 --dup-rate 1% --late-rate 2% --stats st.json -d g growth
	assert_success
	e=g/ga4_events.ndjson
	run sh -c "jq -c . $e | wc -l"
	assert_success
	assert_output 20000
	run sh -c "head -1 $e | jq -r 'keys_unsorted | join(\",\")'"
	assert_output 'event_date,event_timestamp,event_name,user_pseudo_id,event_params,traffic_source,device,geo'
	# INT64s are strings; event_date the UTC day of the microseconds
	run jq -c 'select((.event_timestamp|test("^1[0-9]{15}$")|not) or .event_date != (.event_timestamp|tonumber / 1000000 | floor | strftime("%Y%m%d"))
	    or ([.event_params[].value.int_value // empty | type] | unique | . != ["string"])
	    or (.user_pseudo_id|test("^[0-9]{10}\\.[0-9]{10}$")|not))' $e
	assert_output ''
	run sh -c "jq -r .event_name $e | sort | uniq -c | awk '{ print \$2 }' | tr '\n' ' '"
	assert_output 'add_to_cart begin_checkout page_view purchase session_start '
	# in time order but for the late events and the duplicates; late by
	# one to seven days once the range is eight days old (before, never
	# before --from)
	run sh -c "awk '!seen[\$0]++' $e | jq -r '.event_timestamp' | awk '{ t = \$1 / 1e6; if (t < max) { late++; if (max >= 1709942400 && (max - t < 86400 - 2 * 3600 || max - t > 7 * 86400)) bad++ } if (t > max) max = t } END { print late + 0, bad + 0 }'"
	assert_output "$(stat st.json late ga4_events) 0"
	run sh -c "jq -r '.event_timestamp | tonumber / 1e6 | floor | strftime(\"%Y-%m-%d\")' $e | sort | sed -n '1p;\$p'"
	assert_output '2024-03-01
2024-03-31'
	# exact duplicates: lines seen before
	run sh -c 'sort '$e' | uniq -c | awk "{ d += \$1 - 1 } END { print d }"'
	assert_output "$(stat st.json exact_dups ga4_events)"
	# the parameters, by key: the session on every event; engagement on
	# all but session_start; a purchase's transaction, value, currency
	jq -c '{n: .event_name, u: .user_pseudo_id, t: .event_timestamp, c: .geo.country,
	    p: (.event_params | map({(.key): .value}) | add)}' $e > p
	run jq -c 'select(.p.ga_session_id.int_value == null or .p.ga_session_number.int_value == null or
	    (.p.page_location.string_value | startswith("https://shop.example.com/") | not) or
	    ((.n == "session_start") == (.p.engagement_time_msec != null)) or
	    ((.n == "purchase") != (.p.transaction_id != null)) or
	    (.n == "purchase" and ((.p.transaction_id.string_value | test("^T[0-9]{6}$") | not) or (.p.value.double_value | type) != "number" or
	     .p.currency.string_value != ({"United States": "USD", Canada: "USD", Germany: "EUR", France: "EUR", "United Kingdom": "GBP"}[.c]))))' p
	assert_output ''
	# the parameters in more than one order
	run sh -c "jq -c '[.event_params[].key]' $e | sort -u | wc -l"
	[ "$output" -gt 20 ]
	# a session: one user, its id its start, which session_start is at
	run sh -c "jq -r '[.u, .p.ga_session_id.int_value, .p.ga_session_number.int_value] | @tsv' p | sort -u | cut -f 1,3 | uniq -d | wc -l"
	assert_output 0
	run sh -c "jq -r 'select(.n == \"session_start\") | select((.t | tonumber / 1e6 | floor | tostring) != .p.ga_session_id.int_value)' p | wc -l"
	assert_output 0
	run sh -c "awk '!seen[\$0]++' p | jq -r 'select(.n == \"session_start\")' | jq -s length"
	assert_output "$(stat st.json sessions ga4_events)"
	# the events of sessions interleave
	run sh -c "jq -r '.u + .p.ga_session_id.int_value' p | uniq | sort | uniq -d | wc -l"
	[ "$output" -gt 100 ]
	# purchases and their value, per currency, first sightings
	run sh -c "jq -r 'select(.n == \"purchase\") | .p.transaction_id.string_value' p | sort -u | wc -l"
	assert_output "$(stat st.json purchases ga4_events)"
	run sh -c "awk '!seen[\$0]++' p | jq -r 'select(.n == \"purchase\") | [.p.currency.string_value, (.p.value.double_value * 100 | round)] | @tsv' | awk -F'\t' '{ s[\$1] += \$2 } END { print s[\"USD\"], s[\"EUR\"], s[\"GBP\"] }'"
	assert_output "$(for c in usd eur gbp; do stat st.json revenue_$c ga4_events | tr -d .; done | sed 's/^0*//' | paste -sd ' ')"
	# traffic sources: Meta's campaigns for about 40% of the users
	run sh -c "jq -r '[.user_pseudo_id, .traffic_source.source, .traffic_source.medium] | @tsv' $e | sort -u | cut -f 2,3 | sort | uniq -c | awk '{ n += \$1; if (\$2 == \"facebook\") f += \$1 } END { print (f > n * 0.3 && f < n * 0.5) }'"
	assert_output 1
	run sh -c "jq -r '.traffic_source | [.source, .medium, (if .source == \"facebook\" then \"meta\" else .name end)] | @tsv' $e | sort -u | tr '\t\n' ',;'"
	assert_output '(direct),(none),(direct);facebook,cpc,meta;google,organic,(organic);newsletter,email,march_newsletter;'
	run bash -c "diff <(jq -r 'select(.traffic_source.source == \"facebook\") | .traffic_source.name' $e | sort -u) <(jq -r .campaign_name g/meta_ads_insights.ndjson | sort -u)"
	assert_success
}

@test "growth: GA4: invalid and malformed events, exact counts; no same-key duplicates" {
	run mx-gen -n 5000 -s 9 $RATES --stats st.json -d g growth
	assert_success
	e=g/ga4_events.ndjson
	run sh -c "mx-ingest --rejects rej $e | wc -l; wc -l < rej"
	assert_output "$((5000 - 50))
50"
	run stat st.json key_dups ga4_events
	assert_output 0
	run sh -c "mx-ingest --rejects /dev/null $e | jq -r 'if (.user_pseudo_id|not) then \"user\" elif .event_timestamp == \"abc\" then \"time\" elif .event_name == \"\" then \"name\"
	    elif (.event_name == \"page_view\" and ([.event_params[].key] | index(\"ga_session_id\") | not)) then \"session\" else empty end' | sort | uniq -c | awk '{ n += \$1; k++ } END { print n, k }'"
	assert_output '100 4'
	run stat st.json invalid ga4_events
	assert_output 100
}

@test "growth: contacts and deals: exact counts, restatements, invalid lines" {
	run mx-gen -n 20000 -s 3 $RATES --stats st.json -d g growth
	assert_success
	for f in hubspot_contacts hubspot_deals; do
		run sh -c "mx-ingest --rejects rej.$f g/$f.csv > ok.$f; wc -l < rej.$f"
		assert_output "$(stat st.json malformed $f)"
	done
	run echo $(stat st.json lines hubspot_contacts) $(stat st.json late hubspot_contacts) $(stat st.json lines hubspot_deals) $(stat st.json late hubspot_deals)
	assert_output '2000 0 1000 30'
	# invalid: each of the rules mx-gen breaks
	run sh -c "jq -r 'if .[\"Record ID\"] == \"\" then \"id\" elif (.Email | contains(\"@\") | not) then \"email\"
	    elif (.[\"Create Date\"] | test(\"^[0-9]{2}/\")) then \"date\" elif .[\"Lifecycle Stage\"] == \"Zombie\" then \"stage\" else empty end' ok.hubspot_contacts | sort | uniq -c | awk '{ n += \$1; k++ } END { print n, k }'"
	assert_output "$(stat st.json invalid hubspot_contacts) 4"
	run sh -c "jq -r 'if .Amount == \"abc\" then \"abc\" elif (.Amount | startswith(\"-\")) then \"neg\" elif .[\"Deal Currency Code\"] == \"XXX\" then \"cur\"
	    elif (.[\"Close Date\"] | test(\"^[0-9]{2}/\")) then \"close\" elif .[\"Associated Contact IDs\"] == \"\" then \"contact\" else empty end' ok.hubspot_deals | sort | uniq -c | awk '{ n += \$1; k++ } END { print n, k }'"
	assert_output "$(stat st.json invalid hubspot_deals) 5"
	# the valid lines: one per key, and the restatements
	jq -c 'select(.["Record ID"] != "" and (.Email | contains("@")) and (.["Create Date"] | test("^2024-")) and .["Lifecycle Stage"] != "Zombie") |
	    del(._source, ._line, ._ingested_at, ._rid)' ok.hubspot_contacts > vc
	run sh -c "jq -r '.[\"Record ID\"]' vc | sort -u | wc -l; wc -l < vc"
	assert_output "$(stat st.json records hubspot_contacts)
$(($(stat st.json records hubspot_contacts) + $(stat st.json exact_dups hubspot_contacts) + $(stat st.json key_dups hubspot_contacts)))"
	# a contact restated: modified later, the stage not back, the rest
	# the same; the later, the further
	run sh -c "sort -u vc | jq -r 'del(.[\"Last Modified Date\"], .[\"Lifecycle Stage\"]) | tostring' | sort -u | wc -l"
	assert_output "$(stat st.json records hubspot_contacts)"
	run sh -c "awk '!seen[\$0]++' vc | jq -r '[.[\"Record ID\"], .[\"Last Modified Date\"], ({Subscriber: 0, Lead: 1, \"Marketing Qualified Lead\": 2, \"Sales Qualified Lead\": 3, Opportunity: 4, Customer: 5}[.[\"Lifecycle Stage\"]])] | @tsv' |
	    awk -F'\t' '\$1 in m && (\$2 <= m[\$1] || \$3 < s[\$1] || (\$3 == s[\$1] && \$3 != 5)) { bad++ } !(\$1 in m) { m[\$1] = \$2; s[\$1] = \$3 } END { print bad + 0 }'"
	assert_output 0
	run sh -c "sort -u vc | jq -r '[.[\"Record ID\"], .[\"Last Modified Date\"], ({Subscriber: 0, Lead: 1, \"Marketing Qualified Lead\": 2, \"Sales Qualified Lead\": 3, Opportunity: 4, Customer: 5}[.[\"Lifecycle Stage\"]])] | @tsv' |
	    sort | awk -F'\t' '\$1 == k && \$3 < s { bad++ } { k = \$1; s = \$3 } END { print bad + 0 }'"
	assert_output 0
	# a deal restated: another stage or amount, the rest the same
	jq -c 'select(.Amount != "abc" and (.Amount | startswith("-") | not) and .["Deal Currency Code"] != "XXX" and (.["Close Date"] | test("/") | not) and .["Associated Contact IDs"] != "") |
	    del(._source, ._line, ._ingested_at, ._rid)' ok.hubspot_deals > vd
	run sh -c "jq -r '.[\"Record ID\"]' vd | sort -u | wc -l; sort -u vd | jq -r 'del(.[\"Deal Stage\"], .Amount, .[\"Close Date\"]) | tostring' | sort -u | wc -l"
	assert_output "$(stat st.json records hubspot_deals)
$(stat st.json records hubspot_deals)"
	run sh -c "sort -u vd | jq -r '.[\"Record ID\"]' | sort | uniq -d | wc -l"
	[ "$output" -gt 0 ]
}

@test "growth: fx rates: EUR and GBP a day, four decimals, a GBP gap on the third day" {
	run mx-gen -s 4 --from 2024-02-27 --to 2024-03-04 -d g growth
	assert_success
	run cat g/fx_rates.csv
	assert_output --regexp '^date,currency,rate
2024-02-27,EUR,1\.[0-9]{4}
2024-02-27,GBP,1\.[0-9]{4}
2024-02-28,EUR,1\.[0-9]{4}
2024-02-28,GBP,1\.[0-9]{4}
2024-02-29,EUR,1\.[0-9]{4}
2024-03-01,EUR,1\.[0-9]{4}
2024-03-01,GBP,1\.[0-9]{4}
'
	run sh -c 'tail -n +2 g/fx_rates.csv | wc -l; grep -c USD g/fx_rates.csv'
	assert_output '13
0'
	# around 1.08 and 1.26, a small walk from day to day
	run awk -F, 'NR > 1 && (($2 == "EUR" && ($3 < 1.03 || $3 > 1.13)) || ($2 == "GBP" && ($3 < 1.21 || $3 > 1.31)))' g/fx_rates.csv
	assert_output ''
	run awk -F, 'NR > 1 { if ($2 in p && ($3 - p[$2] > 0.01 || p[$2] - $3 > 0.01)) print; p[$2] = $3 }' g/fx_rates.csv
	assert_output ''
	# a rate is its date's, whatever the range; the gap moves with it
	run mx-gen -s 4 --from 2024-03-01 --to 2024-03-04 -d h growth
	assert_success
	run sh -c "grep -v '^2024-03-03,GBP' g/fx_rates.csv | grep '^2024-03-0[1-4]' > a; grep '^2024-03' h/fx_rates.csv | grep -v '^2024-03-03,GBP' | diff - a"
	assert_success
	run sh -c "grep -c '^2024-03-03,GBP' h/fx_rates.csv; grep -c '^2024-03-03,GBP' g/fx_rates.csv"
	assert_output '0
1'
	# two days: no third day, no gap
	run mx-gen --from 2024-03-01 --to 2024-03-02 -d i growth
	assert_success
	run sh -c 'tail -n +2 i/fx_rates.csv | cut -d, -f2 | tr "\n" " "'
	assert_output 'EUR GBP EUR GBP '
}
