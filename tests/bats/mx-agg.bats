#!/usr/bin/env bats
# mx-agg: every aggregate against hand-checked fixtures, the man page's gold
# tables, --partial and --merge, bad input, limits.

load helper

setup() {
	T="$BATS_TEST_TMPDIR"
	cd "$T" || return 1
	cp "$FIX/agg-events.ndjson" events.ndjson
	cp "$FIX/agg-bookings.ndjson" bookings.ndjson
	cp "$FIX/agg-clicks.ndjson" clicks.ndjson
}

# The EXAMPLES blocks of the man page, one file each.
examples() {
	man_example mx-agg.1 | awk '/^\.Bd/ { n++; on = 1; next } /^\.Ed/ { on = 0 } on { gsub(/\\e/, "\\"); print > ("ex" n ".sh") }'
}

@test "hourly revenue: exact to the cent, sorted by date then hour (numbers by value)" {
	run mx-agg -w event_type=purchase -g 'event_date=date(timestamp),event_hour=hour(timestamp)' -a 'revenue=sum_product(price,quantity),transactions=count()' events.ndjson
	assert_success
	# 2 x 10.00; 3 x 5.50; 0.10 + 0.20 (0.30000000000000004 in doubles)
	assert_output "$(printf '%s\n' \
	    '{"event_date":"2024-03-01","event_hour":9,"revenue":20,"transactions":1}' \
	    '{"event_date":"2024-03-01","event_hour":10,"revenue":16.5,"transactions":1}' \
	    '{"event_date":"2024-03-02","event_hour":9,"revenue":0.3,"transactions":2}')"
}

@test "every aggregate of one group: count, count(f), count_if, sum, min, max, avg, distinct, approx, first, last" {
	run mx-agg -a 'n=count(),priced=count(price),views=count_if(event_type,page_view),total=sum(price),lo=min(price),hi=max(price),mean=avg(price),first_ts=min(timestamp),users=count_distinct(user_id),approx=approx_distinct(user_id),first=first(event_id),last=last(search_query)' events.ndjson
	assert_success
	# 11 prices: 5 x 10.00 + 4 x 5.50 + 0.10 + 0.20 = 72.30; mean 6.5727...
	assert_output '{"n":12,"priced":11,"views":5,"total":72.3,"lo":0.10,"hi":10.00,"mean":6.572727,"first_ts":"2024-03-01T09:05:00Z","users":4,"approx":4,"first":"e1","last":"lego"}'
	run mx-agg --scale 2 -a 'mean=avg(price)' events.ndjson
	assert_output '{"mean":6.57}'
}

@test "keys and values by value: escapes, number forms, a string is not a number; nulls group together" {
	printf '%s\n' '{"k":"A","v":1}' '{"k":"\u0041","v":"2"}' '{"k":1,"v":1.0}' '{"k":1.0,"v":1e0}' \
	    '{"k":"1","v":0}' '{"v":5}' '{"k":null,"v":5}' > in.ndjson
	run mx-agg -g k -a 'n=count(),s=sum(v),d=count_distinct(v)' in.ndjson
	assert_success
	assert_output "$(printf '%s\n' '{"k":null,"n":2,"s":10,"d":1}' '{"k":1,"n":2,"s":2,"d":1}' \
	    '{"k":"1","n":1,"s":0,"d":1}' '{"k":"A","n":2,"s":3,"d":2}')"
}

@test "min and max of timestamps are instants, not text" {
	printf '%s\n' '{"t":"2024-03-01T10:00:00+01:00"}' '{"t":"2024-03-01T09:30:00Z"}' '{"t":"2024-03-01 08:00:00 UTC"}' > in.ndjson
	run mx-agg -a 'lo=min(t),hi=max(t)' in.ndjson
	assert_success
	assert_output '{"lo":"2024-03-01 08:00:00 UTC","hi":"2024-03-01T09:30:00Z"}'
}

@test "man page: the five e-commerce gold tables, hand-checked" {
	examples
	run bash -e ex1.sh
	assert_success
	assert_output "$(printf '%s\n' \
	    '{"product_id":"p1","views":2,"carts":1,"purchases":2,"view_to_purchase":1.0000}' \
	    '{"product_id":"p2","views":3,"carts":0,"purchases":2,"view_to_purchase":0.6667}')"
	run bash -e ex2.sh
	assert_success
	assert_line --index 2 '{"event_date":"2024-03-02","event_hour":9,"revenue":0.3,"transactions":2}'
	run bash -e ex3.sh
	assert_success
	assert_output "$(printf '%s\n' '{"product_id":"p2","views":3}' '{"product_id":"p1","views":2}')"
	run bash -e ex4.sh
	assert_success
	assert_output "$(printf '%s\n' \
	    '{"event_date":"2024-03-01","category":"books","events":3,"purchases":1,"revenue":20}' \
	    '{"event_date":"2024-03-01","category":"toys","events":2,"purchases":1,"revenue":16.5}' \
	    '{"event_date":"2024-03-02","category":"books","events":3,"purchases":1,"revenue":0.1}' \
	    '{"event_date":"2024-03-02","category":"toys","events":3,"purchases":1,"revenue":0.2}')"
	run bash -e ex5.sh
	assert_success
	assert_output "$(printf '%s\n' '{"event_date":"2024-03-01","users":3,"sessions":3}' '{"event_date":"2024-03-02","users":3,"sessions":3}')"
}

@test "man page: the Calendly metrics, reschedules and cancellations not counted as bookings" {
	examples
	run bash -e ex6.sh
	assert_success
	assert_output "$(printf '%s\n' '{"booking_date":"2024-03-04","channel":"facebook","total_bookings":2}' \
	    '{"booking_date":"2024-03-04","channel":"google","total_bookings":1}' \
	    '{"booking_date":"2024-03-11","channel":"facebook","total_bookings":1}')"
	run bash -e ex7.sh
	assert_success
	assert_output "$(printf '%s\n' '{"booking_week":"2024-W10","booking_hour":9,"total_bookings":2}' \
	    '{"booking_week":"2024-W10","booking_hour":17,"total_bookings":1}' \
	    '{"booking_week":"2024-W11","booking_hour":10,"total_bookings":1}')"
	run bash -e ex8.sh
	assert_success
	assert_output "$(printf '%s\n' '{"weekday":3,"hour":14,"total_bookings":2}' \
	    '{"weekday":3,"hour":15,"total_bookings":1}' '{"weekday":4,"hour":14,"total_bookings":1}')"
	run bash -e ex9.sh
	assert_success
	assert_output "$(printf '%s\n' '{"employee_email":"a@acme.io","week":"2024-W10","meetings":2}' \
	    '{"employee_email":"a@acme.io","week":"2024-W11","meetings":1}' \
	    '{"employee_email":"b@acme.io","week":"2024-W10","meetings":1}')"
	# and they feed mx-join-spend as they are
	printf '%s\n' '{"date":"2024-03-04","channel":"facebook","spend":100.00}' > spend.ndjson
	run sh -c 'bash -e ex6.sh | mx-join-spend -s spend.ndjson -k booking_date=date,channel --join inner'
	assert_success
	assert_output '{"booking_date":"2024-03-04","channel":"facebook","total_bookings":2,"total_spend":100.00,"cost_per_booking":50.00}'
}

@test "man page: ad clicks per advertiser per hour, day and month" {
	examples
	run bash -e ex10.sh
	assert_success
	assert_output "$(printf '%s\n' \
	    '{"advertiser":"adv_1","event_date":"2024-03-01","event_hour":10,"spend":0.351,"clicks":1}' \
	    '{"advertiser":"adv_1","event_date":"2024-03-01","event_hour":11,"spend":0.4,"clicks":1}' \
	    '{"advertiser":"adv_1","event_date":"2024-03-02","event_hour":9,"spend":0.25,"clicks":1}' \
	    '{"advertiser":"adv_2","event_date":"2024-03-01","event_hour":10,"spend":1.1,"clicks":1}' \
	    '{"advertiser":"adv_2","event_date":"2024-04-01","event_hour":0,"spend":0.9,"clicks":1}' \
	    '{"advertiser":"adv_1","event_date":"2024-03-01","spend":0.751,"clicks":2}' \
	    '{"advertiser":"adv_1","event_date":"2024-03-02","spend":0.25,"clicks":1}' \
	    '{"advertiser":"adv_2","event_date":"2024-03-01","spend":1.1,"clicks":1}' \
	    '{"advertiser":"adv_2","event_date":"2024-04-01","spend":0.9,"clicks":1}' \
	    '{"advertiser":"adv_1","month":"2024-03","spend":1.001,"clicks":3}' \
	    '{"advertiser":"adv_2","month":"2024-03","spend":1.1,"clicks":1}' \
	    '{"advertiser":"adv_2","month":"2024-04","spend":0.9,"clicks":1}')"
}

@test "man page: partitions aggregated in parallel, then merged" {
	examples
	mx-partition -d silver/events -k 'event_date=date(timestamp)' events.ndjson > /dev/null
	mkdir partials
	run bash -e ex11.sh
	assert_success
	assert_output "$(mx-agg -g category -a 'n=count(),u=count_distinct(user_id)' events.ndjson)"
}

@test "man page: the partials by one process, a job per partition (--each)" {
	examples
	mx-partition -d silver/events -k 'event_date=date(timestamp)' events.ndjson > /dev/null
	mkdir partials
	bash -e ex11.sh
	mkdir want && mv partials/* want/
	run bash -e ex12.sh
	assert_success
	assert_output ''
	# the same files, byte for byte, as a process per partition
	run diff -r want partials
	assert_success
	run ls -A partials
	assert_output "$(ls -A want)"
}

@test "--each: jobs start afresh; a job that fails leaves the jobs before it and nothing of its own; bad lists" {
	printf '%s\n' '{"k":"a","x":1}' '{"k":"b","x":2}' > 1.ndjson
	printf '%s\n' '{"k":"a","x":5}' > 2.ndjson
	printf 'o1.ndjson\t1.ndjson\t2.ndjson\no2.ndjson\t2.ndjson\n\no3.ndjson\t1.ndjson\n' > list
	run mx-agg -v -g k -a 's=sum(x),n=count()' --each list
	assert_success
	assert_output --regexp '^mx-agg: 6 records in, 5 groups out, 0 rejected, 0 blank, [1-9][0-9]* bytes of state of at most 1073741824 \(--memory\)$'
	run cat o1.ndjson o2.ndjson o3.ndjson
	assert_output "$(printf '%s\n' '{"k":"a","s":6,"n":2}' '{"k":"b","s":2,"n":1}' '{"k":"a","s":5,"n":1}' '{"k":"a","s":1,"n":1}' '{"k":"b","s":2,"n":1}')"
	# the second job's input is missing: the first job's output is new,
	# the second's and third's old, and no temporary file is left
	echo old > o2.ndjson
	rm o1.ndjson
	printf 'o1.ndjson\t2.ndjson\no2.ndjson\tnope.ndjson\no3.ndjson\t2.ndjson\n' | {
		run mx-agg -g k -a 's=sum(x)' --each -
		assert_failure 1
		assert_output 'mx-agg: nope.ndjson: No such file or directory'
	}
	run cat o1.ndjson o2.ndjson o3.ndjson
	assert_output "$(printf '%s\n' '{"k":"a","s":5}' old '{"k":"a","s":1,"n":1}' '{"k":"b","s":2,"n":1}')"
	run ls -A
	assert_output "$(printf '%s\n' 1.ndjson 2.ndjson bookings.ndjson clicks.ndjson events.ndjson list o1.ndjson o2.ndjson o3.ndjson)"
	# a line without inputs; files given as well as a list
	printf 'o1.ndjson\n' > bad
	run mx-agg --each bad
	assert_failure 1
	assert_output 'mx-agg: bad:1: expected an output file, a tab and the input files'
	run mx-agg --each list 1.ndjson
	assert_failure 2
	assert_line --index 0 'mx-agg: --each: the input files are in the list'
	# --strict: the jobs' outputs are written, then the typo is an error
	run mx-agg --strict -g kk --each list
	assert_failure 1
	assert_output "mx-agg: -g: no record had the field 'kk'"
	run cat o3.ndjson
	assert_output '{"kk":null,"count":2}'
}

@test "--partial then --merge of N slices gives one pass's bytes, distinct counts included" {
	mx-gen -n 20000 -s 3 ecommerce > big.ndjson
	A='n=count(),u=count_distinct(user_id),a=approx_distinct(session_id),r=sum_product(price,quantity),lo=min(timestamp),hi=max(price),m=avg(price),f=first(event_id),l=last(event_id),c=count_if(event_type,purchase),s=sum_if(price,event_type,purchase)'
	G='event_date=date(timestamp),category'
	mx-agg -g "$G" -a "$A" big.ndjson > one.ndjson
	for k in 1 3 7; do
		rm -f slice.* p.*
		split -n "l/$k" -d big.ndjson slice.
		for s in slice.*; do
			mx-agg --partial -g "$G" -a "$A" "$s" > "p.${s#slice.}"
		done
		run mx-agg --merge -g "$G" -a "$A" p.*
		assert_success
		[ "$output" = "$(cat one.ndjson)" ] || fail "$k slices differ"
	done
	# a merge of merges' inputs in two steps is the same too
	run sh -c "cat p.* | mx-agg --merge -g '$G' -a '$A'"
	assert_output "$(cat one.ndjson)"
	# approx_distinct within its stated error of the exact count
	run mx-agg -a 'e=count_distinct(session_id),a=approx_distinct(session_id)' big.ndjson
	e=$(jq .e <<< "$output")
	a=$(jq .a <<< "$output")
	[ "$(jq -n "($a - $e) | fabs < $e * 0.03")" = true ]
}

# Records whose values take the forms mx(7) reads: keys of every kind
# (null, missing, 1 and 1.0 and "1"), numbers of up to 15 digits or 6
# places (their squares fit 38 digits: exact), negative, in strings,
# with exponents; strings with escapes that are the same value ("\u00e9"
# and "é"); nulls and missing fields.  SEED N: N records.
odd_records() {
	awk -v seed="$1" -v n="$2" 'BEGIN {
		srand(seed)
		split("\"a\" \"b\" \"c\" null 1 1.0 \"1\" true", K, " ")
		for (i = 0; i < n; i++) {
			r = "{\"t\":\"2024-03-0" (1 + int(rand() * 3)) "T0" int(rand() * 10) ":00:00Z\""
			if (rand() < 0.9)
				r = r ",\"k\":" K[1 + int(rand() * 8)]
			u = rand()
			if (u < 0.05)
				x = "null"
			else if (u < 0.1)
				x = ""
			else if (u < 0.2)
				x = sprintf("\"%d.%02d\"", int(rand() * 1000) - 500, int(rand() * 100))
			else if (u < 0.3)
				x = sprintf("%de%d", int(rand() * 90) + 10, int(rand() * 4) - 2)
			else if (u < 0.6)
				x = sprintf("%d", int(rand() * 1e15) - 5e14)
			else
				x = sprintf("%s%d.%06d", rand() < 0.3 ? "-" : "", int(rand() * 1e6), int(rand() * 1e6))
			if (x != "")
				r = r ",\"x\":" x
			r = r ",\"y\":" int(rand() * 4)
			u = rand()
			if (u < 0.05)
				r = r ",\"s\":null"
			else if (u < 0.1)
				r = r ",\"s\":\"caf\\u00e9\""
			else if (u < 0.15)
				r = r ",\"s\":\"café\""
			else if (u < 0.95)
				r = r ",\"s\":\"s" int(rand() * 60) "\""
			print r "}"
		}
	}'
}

@test "--partial then --merge, cut anywhere, gives one pass's bytes for every aggregate over values of every form" {
	A='n=count(),c=count(x),ci=count_if(s,s1),su=sum(x),sp=sum_product(x,y),si=sum_if(x,k,a),av=avg(x),mi=min(x),ma=max(x),f=first(s),l=last(x),dc=count_distinct(s),ad=approx_distinct(s),me=median(x),q=quantile(x,0.9),am=approx_median(x),aq=approx_quantile(x,0.1),v=variance(x),sd=stddev_pop(x)'
	for seed in 1 2 3 4 5 6 7 8 9 10 11 12; do
		odd_records "$seed" 400 > in.ndjson
		for G in k 'd=date(t),k' 'h=hour(t)'; do
			mx-agg -g "$G" -a "$A" in.ndjson > one.ndjson
			[ -s one.ndjson ] || fail "seed $seed: no rows"
			# cut at 1 to 4 random lines (a slice may be empty)
			rm -f p.*
			cuts=$(awk -v s="$seed" 'BEGIN { srand(s * 7); n = 1 + int(rand() * 4); for (i = 0; i < n; i++) print 1 + int(rand() * 401) }' | sort -n | tr '\n' ' ')
			awk -v cuts="$cuts" 'BEGIN { n = split(cuts, c, " "); j = 1 } { while (j <= n && NR >= c[j]) j++; print > ("slice." j) }' in.ndjson
			for f in slice.*; do
				mx-agg --partial -g "$G" -a "$A" "$f" > "p.${f#slice.}"
			done
			rm -f slice.*
			run mx-agg --merge -g "$G" -a "$A" $(ls p.* | sort -t . -k 2 -n)
			assert_success
			[ "$output" = "$(cat one.ndjson)" ] ||
			    fail "seed $seed, -g $G, cut at $cuts: the merge differs"
		done
	done
	# (the values are of every form: the test reads some of each)
	odd_records 1 400 > in.ndjson
	for form in '"x":null' '"x":"' '"x":[0-9]*e' '"x":-' '"s":"caf\\u00e9"' '"s":"café"' '"k":1.0' '"k":true'; do
		grep -q "$form" in.ndjson || fail "no value of the form $form"
	done
}

@test "--merge refuses partials of other options, and lines that are not partials" {
	mx-agg --partial -g category -a 'n=count()' events.ndjson > p.ndjson
	run mx-agg --merge -g category -a 'n=count(),s=sum(price)' p.ndjson
	assert_failure 1
	assert_output --partial 'p.ndjson:1: a partial of other options: --merge needs the -g, -a and -w of --partial'
	run mx-agg --merge -g category -a 'n=sum(price)' p.ndjson
	assert_failure 1
	run mx-agg --merge -g category events.ndjson
	assert_failure 1
	assert_output --partial 'events.ndjson:1: not a line of mx-agg --partial'
	run mx-agg --partial --merge events.ndjson
	assert_failure 2
}

@test "--top N --by: largest first, ties in key order, by a key too" {
	run mx-agg -g product_id -a 'n=count()' --top 1 --by n events.ndjson
	assert_success
	assert_output '{"product_id":"p1","n":6}'
	run mx-agg -w 'product_id!=null' -g product_id -a 'n=count()' --top 5 --by n events.ndjson
	assert_output "$(printf '%s\n' '{"product_id":"p1","n":6}' '{"product_id":"p2","n":5}')"
	run mx-agg -w 'product_id!=null' -g product_id -a 'n=count()' --top 1 --by product_id events.ndjson
	assert_output '{"product_id":"p2","n":5}'
	run mx-agg -g product_id --top 1 events.ndjson
	assert_failure 2
	assert_output --partial '--top and --by go together'
	run mx-agg -g product_id --top 1 --by nosuch events.ndjson
	assert_failure 2
	assert_output --partial '--by nosuch: not an output name'
}

@test "bad records: an error naming file and line, or --rejects and left out of every aggregate" {
	printf '%s\n' '{"k":"a","v":1.5}' '{"k":"a","v":"x"}' 'not json' '{"k":"b","t":"someday","v":2}' '{"k":"a","v":"2.5"}' > in.ndjson
	run mx-agg -g k -a 's=sum(v)' in.ndjson
	assert_failure 1
	assert_output 'mx-agg: in.ndjson:2: s: "x" is not a number'
	run mx-agg -g k -a 'n=count(),s=sum(v)' --rejects rej.ndjson in.ndjson
	assert_success
	assert_output "$(printf '%s\n' '{"k":"a","n":2,"s":4}' '{"k":"b","n":1,"s":2}')"
	run jq -c '[._reject.line, ._reject.rule]' rej.ndjson
	assert_output "$(printf '%s\n' '[2,"number"]' '[3,"json"]')"
	run mx-agg -g 'd=date(t)' -a 'n=count()' --rejects rej.ndjson in.ndjson
	assert_success
	assert_output "$(printf '%s\n' '{"d":null,"n":3}')"
	run jq -c '[._reject.line, ._reject.rule]' rej.ndjson
	assert_output "$(printf '%s\n' '[3,"json"]' '[4,"key"]')"
}

@test "conditional sums check only the values they sum" {
	printf '%s\n' '{"t":"purchase","v":"2.50"}' '{"t":"view","v":"free"}' '{"t":"purchase","v":1}' > in.ndjson
	run mx-agg -a 's=sum_if(v,t,purchase),n=count_if(t,view)' in.ndjson
	assert_success
	assert_output '{"s":3.5,"n":1}'
	run mx-agg -a 's=sum(v)' in.ndjson
	assert_failure 1
	assert_output 'mx-agg: in.ndjson:2: s: "free" is not a number'
}

@test "no records: one global row of zeros and nulls; no rows per group" {
	run mx-agg -a 'n=count(),s=sum(v),u=count_distinct(v),m=min(v)' /dev/null
	assert_success
	assert_output '{"n":0,"s":null,"u":0,"m":null}'
	run mx-agg -g k /dev/null
	assert_success
	assert_output ''
}

@test "--memory: a clear failure past the limit, not the OOM killer" {
	mx-gen -n 20000 ecommerce > big.ndjson
	run mx-agg --memory 100k -g event_id big.ndjson
	assert_failure 1
	assert_output --partial 'the groups need more than --memory 102400 bytes'
	run sh -c 'mx-agg -v --memory 100M -g event_id big.ndjson 2>&1 > /dev/null'
	assert_success
	assert_output --partial 'mx-agg: 20000 records in, 20000 groups out, 0 rejected'
	# bounded without --memory too, by 1G (reaching it would take a
	# gigabyte of this machine's memory for seconds: -v shows the bound)
	run sh -c 'mx-agg -v -g event_id big.ndjson 2>&1 > /dev/null'
	assert_success
	assert_output --regexp '^mx-agg: 20000 records in, 20000 groups out, 0 rejected, 0 blank, [0-9]+ bytes of state of at most 1073741824 \(--memory\)$'
	run sh -c 'mx-agg -v --memory 2G -g event_id big.ndjson 2>&1 > /dev/null'
	assert_output --regexp ' of at most 2147483648 \(--memory\)$'
}

@test "count_distinct in many small groups: small tables, counted as they are" {
	# 30000 groups of one value each: a table of 16 KB per group once
	# took 480 MB (malloc failed under this limit) while --memory saw
	# 96 bytes a group
	[ -z "${MX_SANITIZE:-}" ] || skip "ASan reserves more address space than the limit"
	seq 1 30000 | awk '{ print "{\"g\":" $1 ",\"u\":" $1 % 7 "}" }' > g.ndjson
	run sh -c 'ulimit -v 150000; mx-agg -v -g g -a "u=count_distinct(u)" g.ndjson 2>&1 > /dev/null'
	assert_success
	assert_output --regexp '^mx-agg: 30000 records in, 30000 groups out, 0 rejected, 0 blank, [0-9]+ bytes of state'
	state=$(sed 's/.* blank, \([0-9]*\) bytes.*/\1/' <<< "$output")
	# each group's table (256 bytes) and set (128) are in the count
	[ "$state" -ge $((30000 * 384)) ] && [ "$state" -le $((30000 * 1024)) ] || fail "state $state"
	run sh -c 'mx-agg --memory 8M -g g -a "u=count_distinct(u)" g.ndjson > /dev/null'
	assert_failure 1
	assert_output --partial 'the groups need more than --memory 8388608 bytes'
}

@test "input: several files, stdin, gzip; -a repeated; a closed pipe ends quietly" {
	gzip -c events.ndjson > events.ndjson.gz
	run sh -c 'mx-agg -a "n=count()" -a "u=count_distinct(user_id)" events.ndjson - events.ndjson.gz < events.ndjson'
	assert_success
	assert_output '{"n":36,"u":4}'
	run sh -c 'mx-agg -g event_id events.ndjson | head -1'
	assert_success
	assert_output '{"event_id":"e1","count":1}'
}

@test "bad command lines exit 2 with the usage" {
	for a in 'x' 'x=nosuch(a)' 'x=sum(a,b)' 'x=count(a' 'x=count(),x=count()' 'event_id=count()'; do
		run mx-agg -g event_id -a "$a" events.ndjson
		assert_failure 2
		assert_output --partial 'usage: mx-agg'
	done
	run mx-agg -w nocomparison events.ndjson
	assert_failure 2
	run mx-agg -g 'd=nosuch(t)' events.ndjson
	assert_failure 2
	run mx-agg --scale 19 events.ndjson
	assert_failure 2
	run mx-agg nosuch.ndjson
	assert_failure 1
	assert_output --partial 'nosuch.ndjson: No such file or directory'
}

@test "ratio: exact, half away from zero, exactly scale places; null for 0, null or not a number" {
	printf '%s\n' '{"k":"a","v":"2","d":3}' '{"k":"a","v":-1,"d":0}' '{"k":"b","v":1}' \
	    '{"k":"c","v":0.0125,"d":1}' '{"k":"d","v":-0.00005,"d":1}' '{"k":"e","d":2}' > in.ndjson
	run mx-agg -g k -a 'r=ratio(s,t),s=sum(v)' -a 't=sum(d),r0=ratio(s,t,0),r3=ratio(s,t,3),r18=ratio(n,t,18),n=count()' in.ndjson
	assert_success
	# a: 1/3; b: no d (null); c: 0.0125 to 3 places is 0.013 (a double
	# says 0.012); d: -0.00005 to 4 places is -0.0001; e: no v (null)
	assert_output "$(printf '%s\n' \
	    '{"k":"a","r":0.3333,"s":1,"t":3,"r0":0,"r3":0.333,"r18":0.666666666666666667,"n":2}' \
	    '{"k":"b","r":null,"s":1,"t":null,"r0":null,"r3":null,"r18":null,"n":1}' \
	    '{"k":"c","r":0.0125,"s":0.0125,"t":1,"r0":0,"r3":0.013,"r18":1.000000000000000000,"n":1}' \
	    '{"k":"d","r":-0.0001,"s":-0.00005,"t":1,"r0":0,"r3":0.000,"r18":1.000000000000000000,"n":1}' \
	    '{"k":"e","r":null,"s":null,"t":2,"r0":null,"r3":null,"r18":0.500000000000000000,"n":1}')"
	# a denominator of 0; keys as operands, a string key is no number
	printf '%s\n' '{"k":"x","p":4,"v":1}' '{"k":"x","p":4,"v":-1}' '{"k":"y","p":"8","v":5}' > in.ndjson
	run mx-agg -g k,p -a 's=sum(v),a=ratio(p,s,1),b=ratio(s,p,2),c=ratio(k,p)' in.ndjson
	assert_success
	assert_output "$(printf '%s\n' '{"k":"x","p":4,"s":0,"a":null,"b":0.00,"c":null}' \
	    '{"k":"y","p":"8","s":5,"a":1.6,"b":0.63,"c":null}')"
}

@test "ratio: of avg as written, of approx_distinct, of min and max; a quotient past 38 digits is null with a warning" {
	printf '%s\n' '{"v":1}' '{"v":2}' '{"v":2}' > in.ndjson
	run mx-agg --scale 2 -a 'm=avg(v),r=ratio(m,n,6),n=count(),u=approx_distinct(v),q=ratio(u,n,2),x=ratio(lo,hi),lo=min(v),hi=max(v)' in.ndjson
	assert_success
	assert_output '{"m":1.67,"r":0.556667,"n":3,"u":2,"q":0.67,"x":0.5000,"lo":1,"hi":2}'
	printf '%s\n' '{"v":99999999999999999999999999999999999,"d":0.000000000000000001}' > big.ndjson
	run mx-agg -a 's=sum(v),d=sum(d),r=ratio(s,d)' big.ndjson
	assert_success
	assert_line --index 0 'mx-agg: r: a quotient does not fit 38 digits: written as null'
	assert_line --index 1 '{"s":99999999999999999999999999999999999,"d":0.000000000000000001,"r":null}'
}

@test "ratio: against python's decimal on generated data, by value, scale and group" {
	python3 - > in.ndjson <<-'EOF'
	import random
	random.seed(16)
	for i in range(4000):
	    g = random.randrange(60)
	    a = random.choice(['null', '%d.%06d' % (random.randrange(-999, 99999), random.randrange(10**6)),
	        '"%d.%02d"' % (random.randrange(0, 500), random.randrange(100)), str(random.randrange(-5, 5))])
	    b = random.choice(['null', str(random.randrange(-3, 40)), '%d.%03d' % (random.randrange(0, 9), random.randrange(1000))])
	    print('{"g":%d,"a":%s,"b":%s,"c":"%s"}' % (g, a, b, random.choice("xyz")))
	EOF
	A='sa=sum(a),sb=sum(b),n=count(),nx=count_if(c,x),r4=ratio(sa,sb),r0=ratio(sa,sb,0),r9=ratio(sb,sa,9),r18=ratio(sa,n,18),rx=ratio(nx,n,3)'
	mx-agg -g g -a "$A" in.ndjson > out.ndjson
	run python3 - in.ndjson out.ndjson <<-'EOF'
	import json, sys
	from decimal import Decimal, getcontext, ROUND_HALF_UP
	getcontext().prec = 120
	groups = {}
	for line in open(sys.argv[1]):
	    r = json.loads(line, parse_float=Decimal, parse_int=Decimal)
	    s = groups.setdefault(int(r['g']), {'sa': None, 'sb': None, 'n': 0, 'nx': 0})
	    s['n'] += 1
	    s['nx'] += r['c'] == 'x'
	    for f in 'ab':
	        if r[f] is not None:
	            s['s' + f] = (s['s' + f] or 0) + Decimal(r[f])
	def ratio(p, q, k):
	    if p is None or q is None or q == 0:
	        return None
	    v = (Decimal(p) / Decimal(q)).quantize(Decimal(1).scaleb(-k), rounding=ROUND_HALF_UP)
	    return format(abs(v) if v == 0 else v, 'f')
	bad = 0
	for line in open(sys.argv[2]):
	    o = json.loads(line, parse_float=str, parse_int=str)
	    s = groups[int(o['g'])]
	    want = {'r4': ratio(s['sa'], s['sb'], 4), 'r0': ratio(s['sa'], s['sb'], 0),
	        'r9': ratio(s['sb'], s['sa'], 9), 'r18': ratio(s['sa'], s['n'], 18),
	        'rx': ratio(s['nx'], s['n'], 3)}
	    for k, v in want.items():
	        if o[k] != v:
	            bad += 1
	            print(o['g'], k, o[k], v)
	print(len(groups), 'groups', bad, 'differ')
	EOF
	assert_success
	assert_output '60 groups 0 differ'
}

@test "ratio: not in partials, computed by the merge, the same bytes as one pass; --top --by a ratio" {
	mx-gen -n 5000 -s 5 ecommerce > big.ndjson
	A='v=count_if(event_type,page_view),p=count_if(event_type,purchase),rate=ratio(p,v,5),aov=ratio(rev,p,2),rev=sum_product_if(price,quantity,event_type,purchase)'
	mx-agg -g category -a "$A" big.ndjson > one.ndjson
	split -n l/3 -d big.ndjson slice.
	for s in slice.*; do mx-agg --partial -g category -a "$A" "$s" > "p.${s#slice.}"; done
	run grep -c rate p.00
	assert_output 0
	run mx-agg --merge -g category -a "$A" p.*
	assert_success
	assert_output "$(cat one.ndjson)"
	# the merge may add a ratio the partials did not have
	run mx-agg --merge -g category -a 'v=count_if(event_type,page_view),p=count_if(event_type,purchase),a=ratio(p,v,5)' p.*
	assert_failure 1
	assert_output --partial 'a partial of other options'
	mx-agg --partial -g category -a 'v=count_if(event_type,page_view),p=count_if(event_type,purchase)' big.ndjson > q.ndjson
	run mx-agg --merge -g category -a 'v=count_if(event_type,page_view),p=count_if(event_type,purchase),rate=ratio(p,v,5)' q.ndjson
	assert_success
	assert_output "$(sed -E 's/,"aov":.*/}/' one.ndjson)"
	# the top 2 categories by conversion rate, nulls last
	run mx-agg -g category -a "$A" --top 2 --by rate big.ndjson
	assert_success
	assert_output "$(jq -r 'select(.rate != null) | "\(.rate) \(.category)"' one.ndjson | sort -rn | head -2 |
	    while read -r r c; do grep -F "\"category\":\"$c\"" one.ndjson; done)"
	printf '%s\n' '{"k":1,"v":0}' '{"k":2,"v":1}' '{"k":3}' > in.ndjson
	run mx-agg -g k -a 'n=count(),s=sum(v),r=ratio(s,n)' --top 3 --by r in.ndjson
	assert_output "$(printf '%s\n' '{"k":2,"n":1,"s":1,"r":1.0000}' '{"k":1,"n":1,"s":0,"r":0.0000}' '{"k":3,"n":1,"s":null,"r":null}')"
}

@test "ratio: bad command lines exit 2 with a message" {
	for a in 'r=ratio(n)' 'r=ratio(n,n,19)' 'r=ratio(n,n,x)' 'r=ratio(n,n,1,1)' 'r=ratio(n,nosuch)' 'r=ratio(r,n)' 'n=ratio(n,n)' 'r=ratio(n,)'; do
		run mx-agg -g k -a 'n=count()' -a "$a" /dev/null
		assert_failure 2
		assert_output --partial 'usage: mx-agg'
	done
	run mx-agg -a 'n=count(),r=ratio(n,nosuch)' /dev/null
	assert_line --index 0 "mx-agg: -a: r: 'nosuch' is neither an aggregate nor a key of this run"
	run mx-agg -a 'n=count(),r=ratio(r,n)' /dev/null
	assert_line --index 0 "mx-agg: -a: r: 'r' is a ratio; name an aggregate or a key"
	run mx-agg -a 'n=count(),r=ratio(n,n,19)' /dev/null
	assert_line --index 0 'mx-agg: -a: r: the scale of a ratio is 0 to 18'
	# a key named by -g after the -a that names it
	run mx-agg -a 'n=count(),r=ratio(k,n)' -g k /dev/null
	assert_success
	run mx-agg -a 'k=count()' -g k /dev/null
	assert_failure 2
	assert_line --index 0 "mx-agg: -a: 'k' is a group key"
}

@test "--top N --by count: the default count" {
	run mx-agg -g product_id --top 1 --by count events.ndjson
	assert_success
	assert_output '{"product_id":"p1","count":6}'
}

@test "man page: conditions with in, or and comparisons" {
	examples
	run bash -e ex13.sh
	assert_success
	assert_output "$(printf '%s\n' '{"event_type":"add_to_cart","events":1,"users":1}' '{"event_type":"page_view","events":4,"users":3}')"
}

@test "-w: =, !=, <, <=, >, >=, in, not in, null tests, or; several -w ANDed" {
	printf '%s\n' '{"t":"view","p":5,"ts":"2024-03-01T10:00:00Z"}' '{"t":"cart","p":"150","ts":"2024-02-28"}' \
	    '{"t":"buy","p":100.0,"ts":1709287200}' '{"t":"view","ts":"2024-03-02T00:00:00+01:00"}' \
	    '{"t":null,"p":"abc","ts":"2024-03-01T09:00:00-01:00"}' '{"p":true,"ts":"soon","title":"x"}' > in.ndjson
	while IFS='|' read -r w want; do
		run mx-agg -w "$w" -a 'n=count()' in.ndjson
		assert_success
		[ "$output" = "{\"n\":$want}" ] || fail "-w '$w': $output, not $want"
	done <<-'EOF'
	t=view|2
	t!=view|4
	t=null|2
	t!=null|4
	t in view,cart|3
	t in view, cart , "buy"|4
	t in null,buy|3
	t not in view,cart|3
	t not in view,null|2
	p=100|1
	p="100.00"|1
	p=150|1
	p!=100|5
	p>100|1
	p>=100|2
	p<100|1
	p<=5|1
	p>=a|1
	p>false|1
	p=true|1
	ts>=2024-03-01|4
	ts<2024-03-01|1
	ts=2024-03-01T10:00:00Z|3
	ts>1709287199|4
	ts>="2024-03-01T10:00:00+00:00"|4
	ts>=soon|1
	t=view or p>=100|4
	t=view or t=cart or t=null|5
	title="a, b or c" or t=buy|1
	EOF
	# several -w: all must hold
	run mx-agg -w 't in view,buy' -w 'ts>=2024-03-01T10:00:00Z' -w 'p!=null' -a 'n=count()' in.ndjson
	assert_success
	assert_output '{"n":2}'
}

@test "-w: anything ambiguous is a usage error with a message" {
	while IFS='|' read -r w msg; do
		run mx-agg -w "$w" /dev/null
		assert_failure 2
		assert_line --index 0 "mx-agg: -w: '$w': $msg"
	done <<-'EOF'
	event_type=view,cart|a comma in a value is ambiguous: write 'field in a,b' for either value, or quote the one string (field="a,b")
	a==b|the operators are =, !=, <, <=, >, >=; quote a value that begins with one (field="=x")
	a=>1|the operators are =, !=, <, <=, >, >=; quote a value that begins with one (field="=x")
	a=b=c|'=' in a value is ambiguous: quote the value as a JSON string (field="a=b")
	a=|no value; write "" for the empty string
	a in x,,y|an empty value in the list; write "" for the empty string
	a<null|null has no order: field=null or field!=null
	a="x|a quoted value is one JSON string, quotes and escapes included
	a!b|'!' alone is no operator; != is
	=1|no field before the operator
	a|expected field=value, field!=value, <, <=, >, >=, 'field in a,b' or 'field not in a,b'
	a=1 and b=2|join terms with ' or ' (lower case); give one -w per condition that must also hold
	a=1 OR b=2|join terms with ' or ' (lower case); give one -w per condition that must also hold
	a=1 or|a term is missing next to 'or'
	or a=1|a term is missing next to 'or'
	a=1 or  or b=2|expected field=value, field!=value, <, <=, >, >=, 'field in a,b' or 'field not in a,b'
	EOF
	# what the old -w said still means it: a value, quoted or not, and null
	printf '%s\n' '{"a":"x,y"}' '{"a":""}' '{"a":"=b"}' '{"b":1}' > in.ndjson
	run mx-agg -w 'a="x,y"' -a 'n=count()' in.ndjson
	assert_output '{"n":1}'
	run mx-agg -w 'a=""' -a 'n=count()' in.ndjson
	assert_output '{"n":1}'
	run mx-agg -w 'a="=b"' -a 'n=count()' in.ndjson
	assert_output '{"n":1}'
	run mx-agg -w 'a!=null' -a 'n=count()' in.ndjson
	assert_output '{"n":3}'
}

@test "-w against python on generated data: numbers, numbers in strings, timestamps, in lists" {
	python3 - > in.ndjson <<-'EOF'
	import random
	random.seed(7)
	for i in range(3000):
	    v = random.choice(['null', '%d' % random.randrange(-50, 50), '"%d.%d"' % (random.randrange(0, 50), random.randrange(10)),
	        '%d.%02d' % (random.randrange(-50, 50), random.randrange(100)), '"x%d"' % random.randrange(5)])
	    if random.random() < 0.1:
	        print('{"i":%d}' % i)
	    else:
	        print('{"i":%d,"v":%s,"d":"2024-03-%02dT%02d:00:00Z"}' % (i, v, random.randrange(1, 29), random.randrange(24)))
	EOF
	run python3 - in.ndjson <<-'EOF'
	import json, subprocess, sys
	from decimal import Decimal
	recs = [json.loads(l, parse_float=Decimal) for l in open(sys.argv[1])]
	def num(x):
	    if isinstance(x, bool) or x is None:
	        return None
	    if isinstance(x, (int, Decimal)):
	        return Decimal(x)
	    try:
	        return Decimal(x) if x[:1] != 'x' else None
	    except Exception:
	        return None
	tests = {'v>10': lambda r: num(r.get('v')) is not None and num(r['v']) > 10,
	    'v<=-3.5': lambda r: num(r.get('v')) is not None and num(r['v']) <= Decimal('-3.5'),
	    'v=7': lambda r: num(r.get('v')) == 7,
	    'v!=7': lambda r: num(r.get('v')) != 7,
	    'v in 1,2.5,x3,null': lambda r: r.get('v') is None or num(r.get('v')) in (1, Decimal('2.5')) or r.get('v') == 'x3',
	    'v>x1': lambda r: isinstance(r.get('v'), str) and r['v'][:1] == 'x' and r['v'] > 'x1',
	    'd>=2024-03-15 or v<0': lambda r: ('d' in r and r['d'] >= '2024-03-15') or (num(r.get('v')) is not None and num(r['v']) < 0),
	    'd<2024-03-10T05:00:00+01:00': lambda r: 'd' in r and r['d'] < '2024-03-10T04:00:00Z'}
	bad = 0
	for w, f in tests.items():
	    want = sum(1 for r in recs if f(r))
	    got = json.loads(subprocess.run(['mx-agg', '-w', w, '-a', 'n=count()', sys.argv[1]], capture_output=True, check=True).stdout)['n']
	    if got != want:
	        bad += 1
	        print(w, got, want)
	print(len(tests), 'conditions', bad, 'differ')
	EOF
	assert_success
	assert_output '8 conditions 0 differ'
}

@test "one ordering: min and max, numbers in strings by value; rows and --top in the order of mx(7)" {
	printf '%s\n' '{"x":100}' '{"x":"10"}' > in.ndjson
	run mx-agg -a 'mn=min(x),mx=max(x),s=sum(x)' in.ndjson
	assert_success
	assert_output '{"mn":"10","mx":100,"s":110}'
	printf '%s\n' '{"k":"b"}' '{"k":{"a":1}}' '{"k":[1]}' '{"k":"2024-03-01T10:00:00+01:00"}' '{"k":"2024-03-01T09:30:00Z"}' \
	    '{"k":"10"}' '{"k":9}' '{"k":1e400}' '{"k":-1e400}' '{"k":true}' '{"k":false}' '{"k":null}' '{"k":"B"}' \
	    '{"k":"1"}' '{"k":1.0}' '{"k":"2024-03-01"}' '{"k":"012"}' '{"k":"\u00e9"}' > in.ndjson
	run mx-agg -g k -a 'n=count()' in.ndjson
	assert_success
	assert_output "$(printf '%s\n' '{"k":null,"n":1}' '{"k":false,"n":1}' '{"k":true,"n":1}' '{"k":-1e400,"n":1}' \
	    '{"k":1.0,"n":1}' '{"k":"1","n":1}' '{"k":9,"n":1}' '{"k":"10","n":1}' '{"k":1e400,"n":1}' \
	    '{"k":"2024-03-01","n":1}' '{"k":"2024-03-01T10:00:00+01:00","n":1}' '{"k":"2024-03-01T09:30:00Z","n":1}' \
	    '{"k":"012","n":1}' '{"k":"B","n":1}' '{"k":"b","n":1}' '{"k":"\u00e9","n":1}' '{"k":[1],"n":1}' '{"k":{"a":1},"n":1}')"
	run mx-agg -a 'lo=min(k),hi=max(k)' -w 'k!=null' -w 'k not in true,false' in.ndjson
	assert_output '{"lo":-1e400,"hi":{"a":1}}'
	run mx-agg -g k -a 'n=count()' --top 3 --by k in.ndjson
	assert_output "$(printf '%s\n' '{"k":{"a":1},"n":1}' '{"k":[1],"n":1}' '{"k":"\u00e9","n":1}')"
	# strings by their bytes, a prefix first (plain strings are compared
	# without reading them as numbers or times: the same order)
	printf '%s\n' '{"k":"ab!"}' '{"k":"ab"}' '{"k":""}' '{"k":"-x"}' '{"k":"a b"}' '{"k":"Z"}' \
	    '{"k":"ab"}' '{"k":"2"}' '{"k":"ab\u0000"}' > in.ndjson
	run mx-agg -g k -a 'n=count()' in.ndjson
	assert_success
	assert_output "$(printf '%s\n' '{"k":"2","n":1}' '{"k":"","n":1}' '{"k":"-x","n":1}' '{"k":"Z","n":1}' \
	    '{"k":"a b","n":1}' '{"k":"ab","n":2}' '{"k":"ab\u0000","n":1}' '{"k":"ab!","n":1}')"
}

@test "the functions: the man page lists every one the table has, and the unknown-function message names them" {
	run mx-agg -a 'x=nosuch(y)' /dev/null
	assert_failure 2
	assert_line --index 0 --partial "mx-agg: -a: 'x=nosuch(y)': unknown function; the functions are count, count_if, sum,"
	table=$(sed -n 's/.*the functions are //p' <<< "$output" | tr -d ' ' | tr ',' '\n' | sort -u)
	man=$(grep '^\.It Fn ' "$BATS_TEST_DIRNAME/../../man/mx-agg.1" | grep -o 'Fn [a-z_]*' | sed 's/^Fn //' | sort -u)
	[ -n "$table" ] && [ "$table" = "$man" ] || fail "table: $table; man page: $man"
	# a known function with the wrong arguments says so
	run mx-agg -a 'x=median(a,b)' /dev/null
	assert_failure 2
	assert_line --index 0 "mx-agg: -a: 'x=median(a,b)': not that many arguments (see mx-agg(1))"
	for q in -0.1 1.5 x ''; do
		run mx-agg -a "x=quantile(a,$q)" /dev/null
		assert_failure 2
	done
	run mx-agg -a 'x=quantile(a,2)' /dev/null
	assert_line --index 0 "mx-agg: -a: x: the quantile is a number from 0 to 1, not '2'"
}

@test "median and quantile: exact, interpolated, against python's decimal; the same through --partial and --merge" {
	python3 - > in.ndjson <<-'EOF'
	import random
	random.seed(11)
	for i in range(6000):
	    g = random.randrange(25)
	    v = random.choice(['null', '%d.%02d' % (random.randrange(-500, 5000), random.randrange(100)),
	        '"%d"' % random.randrange(100), '0.%020d' % random.randrange(10**18), '%de2' % random.randrange(9)])
	    print('{"g":%d,"v":%s}' % (g, v))
	EOF
	A='m=median(v),q0=quantile(v,0),q1=quantile(v,1),q9=quantile(v,0.9),q33=quantile(v,0.333),n=count(v)'
	mx-agg -g g -a "$A" in.ndjson > out.ndjson
	run python3 - in.ndjson out.ndjson <<-'EOF'
	import json, sys
	from decimal import Decimal, getcontext
	getcontext().prec = 100
	vals = {}
	for l in open(sys.argv[1]):
	    r = json.loads(l, parse_float=str, parse_int=str)
	    if r['v'] is not None:
	        vals.setdefault(int(r['g']), []).append(Decimal(r['v']))
	def q(v, p):
	    v = sorted(v)
	    h = Decimal(p) * (len(v) - 1)
	    i = int(h)
	    f = h - i
	    return v[i] if f == 0 else v[i] + (v[i + 1] - v[i]) * f
	bad = 0
	for l in open(sys.argv[2]):
	    o = json.loads(l, parse_float=str, parse_int=str)
	    v = vals[int(o['g'])]
	    for k, p in (('m', '0.5'), ('q0', '0'), ('q1', '1'), ('q9', '0.9'), ('q33', '0.333')):
	        if Decimal(o[k]) != q(v, p):
	            bad += 1
	            print(o['g'], k, o[k], q(v, p))
	print(len(vals), 'groups', bad, 'differ')
	EOF
	assert_success
	assert_output '25 groups 0 differ'
	split -n l/4 -d in.ndjson slice.
	for s in slice.*; do mx-agg --partial -g g -a "$A" "$s" > "p.${s#slice.}"; done
	run mx-agg --merge -g g -a "$A" p.*
	assert_success
	assert_output "$(cat out.ndjson)"
	# no value: null; a value that is no number: a bad record
	printf '%s\n' '{"v":null}' '{"v":"x"}' > in.ndjson
	run mx-agg -a 'm=median(v)' --rejects rej.ndjson in.ndjson
	assert_success
	assert_output '{"m":null}'
	run jq -r ._reject.reason rej.ndjson
	assert_output 'm: "x" is not a number'
}

@test "approx_quantile: within 0.4% of the exact quantile on skewed data; mergeable, the same bytes as one pass" {
	python3 - > in.ndjson <<-'EOF'
	import random
	random.seed(5)
	for i in range(40000):
	    g = i % 8
	    x = [random.lognormvariate(3, 1.5), random.expovariate(0.01), random.uniform(-1000, 1000),
	        random.paretovariate(1.2), random.gauss(1e6, 10), random.randrange(5), -random.lognormvariate(0, 2),
	        round(random.uniform(0, 200), 2)][g]
	    print('{"g":%d,"x":%r}' % (g, x))
	EOF
	A='e50=median(x),a50=approx_median(x),e9=quantile(x,0.9),a9=approx_quantile(x,0.9),e99=quantile(x,0.99),a99=approx_quantile(x,0.99),e1=quantile(x,0.01),a1=approx_quantile(x,0.01)'
	mx-agg -g g -a "$A" in.ndjson > out.ndjson
	run python3 - out.ndjson <<-'EOF'
	import json, sys
	worst = 0
	for l in open(sys.argv[1]):
	    o = json.loads(l)
	    for q in ('50', '9', '99', '1'):
	        e, a = o['e' + q], o['a' + q]
	        err = abs(a - e) / abs(e) if e else abs(a)
	        worst = max(worst, err)
	print('within' if worst <= 0.004 else 'beyond', '0.4%', round(worst * 100, 3) > 0)
	EOF
	assert_success
	assert_output 'within 0.4% True'
	split -n l/3 -d in.ndjson slice.
	for s in slice.*; do mx-agg --partial -g g -a "$A" "$s" > "p.${s#slice.}"; done
	run mx-agg --merge -g g -a "$A" p.*
	assert_success
	assert_output "$(cat out.ndjson)"
	run mx-agg -a 'a=approx_median(x)' <<< '{"x":1e400}'
	assert_failure 1
	assert_output 'mx-agg: <stdin>:1: a: 1e400 is past the range of a double'
}

@test "variance and stddev: exact to --scale places, against python's decimal; null below two values" {
	python3 - > in.ndjson <<-'EOF'
	import random
	random.seed(3)
	for i in range(5000):
	    g = random.randrange(20)
	    v = random.choice(['%d.%03d' % (random.randrange(-99, 99), random.randrange(1000)),
	        '%d' % (1709287200 + random.randrange(100)), '"%d.5"' % random.randrange(10), 'null'])
	    print('{"g":%d,"v":%s}' % (g, v))
	EOF
	for sc in 6 0 18; do
		mx-agg --scale $sc -g g -a 'v=variance(v),vp=variance_pop(v),s=stddev(v),sp=stddev_pop(v)' in.ndjson > out.ndjson
		run python3 - in.ndjson out.ndjson $sc <<-'EOF'
		import json, sys
		from decimal import Decimal, getcontext, ROUND_HALF_UP
		getcontext().prec = 200
		sc = int(sys.argv[3])
		vals = {}
		for l in open(sys.argv[1]):
		    r = json.loads(l, parse_float=str, parse_int=str)
		    if r['v'] is not None:
		        vals.setdefault(int(r['g']), []).append(Decimal(r['v']))
		def r(x):
		    x = x.quantize(Decimal(1).scaleb(-sc), rounding=ROUND_HALF_UP)
		    return x.normalize() if x != 0 else Decimal(0)
		bad = 0
		for l in open(sys.argv[2]):
		    o = json.loads(l, parse_float=str, parse_int=str)
		    v = vals[int(o['g'])]
		    n = len(v)
		    m = sum(v) / n
		    ss = sum((x - m) ** 2 for x in v)
		    want = {'v': r(ss / (n - 1)), 'vp': r(ss / n), 's': r((ss / (n - 1)).sqrt()), 'sp': r((ss / n).sqrt())}
		    for k in want:
		        if Decimal(o[k]).normalize() != want[k]:
		            bad += 1
		            print(o['g'], k, o[k], want[k])
		print(len(vals), 'groups', bad, 'differ')
		EOF
		assert_success
		assert_output '20 groups 0 differ'
	done
	run mx-agg -a 'v=variance(x),vp=variance_pop(x),s=stddev(x),sp=stddev_pop(x)' <<< '{"x":5}'
	assert_output '{"v":null,"vp":0,"s":null,"sp":0}'
}

@test "numbers past 18 places: summed exactly, against python's decimal; sum_product where the exact result fits" {
	python3 - > in.ndjson <<-'EOF'
	import random
	random.seed(9)
	for i in range(3000):
	    print('{"g":%d,"x":%s,"y":"%s","z":%s}' % (i % 7, random.choice(['0.%022d' % random.randrange(10**21), '%d.%09d' % (random.randrange(1000), random.randrange(10**9))]),
	        '%d.%06d' % (random.randrange(100), random.randrange(10**6)), random.choice(['1e-30', '2.5', '-0.%030d' % random.randrange(10**29)])))
	EOF
	mx-agg -g g -a 's=sum(x),p=sum_product(x,y),z=sum(z),n=count()' in.ndjson > out.ndjson 2> err
	run cat err
	assert_output ''
	run python3 - in.ndjson out.ndjson <<-'EOF'
	import json, sys
	from decimal import Decimal, getcontext
	getcontext().prec = 100
	s, p, n, z = {}, {}, {}, {}
	for l in open(sys.argv[1]):
	    r = json.loads(l, parse_float=str, parse_int=str)
	    g = int(r['g'])
	    z[g] = z.get(g, 0) + Decimal(r['z'])
	    s[g] = s.get(g, 0) + Decimal(r['x'])
	    p[g] = p.get(g, 0) + Decimal(r['x']) * Decimal(r['y'])
	    n[g] = n.get(g, 0) + 1
	bad = 0
	for l in open(sys.argv[2]):
	    o = json.loads(l, parse_float=str, parse_int=str)
	    g = int(o['g'])
	    if Decimal(o['s']) != s[g] or Decimal(o['p']) != p[g] or Decimal(o['z']) != z[g] or int(o['n']) != n[g]:
	        bad += 1
	        print(o, s[g], p[g])
	print(bad, 'differ')
	EOF
	assert_success
	assert_output '0 differ'
	# the issue's records: a sum of 19 places, a product of 26
	printf '%s\n' '{"x":0.1234567890123456789,"q":0.1234567890123}' '{"x":1,"q":2}' > in.ndjson
	run mx-agg -a 'n=count(),s=sum(x),p=sum_product(x,q)' in.ndjson
	assert_success
	assert_output '{"n":2,"s":1.1234567890123456789,"p":2.01524157875323319737987090395047}'
}

@test "past 38 digits: rounded with a warning; 10^38 or more is a bad record with its reason, and --rejects goes on" {
	printf '%s\n' '{"x":12345678901234567890.123456789012345678901}' '{"x":0.00000000000000000000000000000000000000009}' > in.ndjson
	run mx-agg -a 's=sum(x)' in.ndjson
	assert_success
	assert_output 'mx-agg: in.ndjson:1: s: a value or sum needs more than 38 digits: rounded half away from zero
{"s":12345678901234567890.123456789012345679}'
	printf '%s\n' '{"k":1,"x":1e37}' '{"k":1,"x":9e37}' '{"k":1,"x":2e38}' '{"k":1,"x":"n/a"}' '{"k":1,"x":1,"y":2e37}' '{"k":2,"x":3}' '{"k":2,"x":-1e400}' > in.ndjson
	run mx-agg -g k -a 'n=count(),s=sum(x)' in.ndjson
	assert_failure 1
	assert_output 'mx-agg: in.ndjson:2: s: the sum would reach 10^38'
	run mx-agg -g k -a 'n=count(),s=sum(x),p=sum_product(x,y)' --rejects rej.ndjson in.ndjson
	assert_success
	# a bad record counts nowhere: n and s agree
	assert_output "$(printf '%s\n' '{"k":1,"n":2,"s":10000000000000000000000000000000000001,"p":20000000000000000000000000000000000000}' '{"k":2,"n":1,"s":3,"p":null}')"
	run jq -r '"\(._reject.line) \(._reject.rule) \(._reject.reason)"' rej.ndjson
	assert_output '2 number s: the sum would reach 10^38
3 number s: 2e38 is 10^38 or more, too large for an exact decimal
4 number s: "n/a" is not a number
7 number s: -1e400 is 10^38 or more, too large for an exact decimal'
	# one out of range alone: the same reason, not "is not a number"
	run mx-agg -a 's=sum(x)' < <(echo '{"x":1e400}')
	assert_failure 1
	assert_output 'mx-agg: <stdin>:1: s: 1e400 is 10^38 or more, too large for an exact decimal'
}

@test "time keys: an unreadable value is not a time, shown as it is; epoch seconds with an exponent" {
	printf '%s\n' '{"t":"2024-03-01T10:00:00Z"}' '{"t":1.7092872e9}' '{"t":"1709287200.5"}' '{"t":1.7092872e12}' '{"t":"someday"}' '{"t":[1]}' '{"t":null}' > in.ndjson
	run mx-agg -g 'd=date(t),h=hour(t)' --rejects rej.ndjson in.ndjson
	assert_success
	assert_output "$(printf '%s\n' '{"d":null,"h":null,"count":1}' '{"d":"2024-03-01","h":10,"count":4}')"
	run jq -r '._reject.reason' rej.ndjson
	assert_output "$(printf '%s\n' 'd: date(t): "someday" is not a time' 'd: date(t): [1] is not a time')"
	run mx-agg -g 'w=week(t)' in.ndjson
	assert_failure 1
	assert_output 'mx-agg: in.ndjson:5: w: week(t): "someday" is not a time'
}

@test "a field no record had: a warning naming option and field; --strict makes it an error with no output" {
	run mx-agg -g brnad -a 's=sum(pricee),n=count(price)' -w 'event_tpye!=x' events.ndjson
	assert_success
	assert_output "$(printf '%s\n' "mx-agg: -g: no record had the field 'brnad' (a typo?)" \
	    "mx-agg: -a: no record had the field 'pricee' (a typo?)" "mx-agg: -w: no record had the field 'event_tpye' (a typo?)" \
	    '{"brnad":null,"s":null,"n":11}')"
	run mx-agg --strict -g 'd=date(tmestamp)' events.ndjson
	assert_failure 1
	assert_output "mx-agg: -g: no record had the field 'tmestamp'"
	# a field some record had is no typo; no records, no warning; nor for --merge
	run mx-agg --strict -g search_query events.ndjson
	assert_success
	run mx-agg --strict -g brnad /dev/null
	assert_success
	assert_output ''
	mx-agg --partial -g brnad events.ndjson > p.ndjson 2> /dev/null
	run mx-agg --strict --merge -g brnad p.ndjson
	assert_success
	assert_output '{"brnad":null,"count":12}'
}

@test "approx_distinct: no bias from 1 to 2 million values, many groups and seeds; the issue's 40000 values" {
	# a statistical check over 20 M records: make check runs it at speed
	[ -z "${MX_SANITIZE:-}" ] || skip "make check runs it without ASan"
	run mx-agg -a 'a=approx_distinct(x)' < <(seq 0 39999 | sed 's/.*/{"x":&}/')
	assert_success
	a=$(jq .a <<< "$output")
	[ "$a" -ge 39600 ] && [ "$a" -le 40400 ] || fail "40000 values estimated as $a"
	# each group g has as many distinct values as its cardinality, in five
	# fields of unrelated values (five seeds): 4.9 million records, written
	# by a small C program (awk took as long as mx-agg itself)
	cat > gen.c <<-'EOF'
	#include <stdio.h>
	int
	main(void)
	{
		static const long long card[] = { 1, 10, 100, 1000, 10000, 40000,
		    45000, 50000, 100000, 300000, 1000000, 2000000 };
		static const int reps[] = { 6, 6, 6, 6, 6, 6, 6, 6, 4, 2, 1, 1 };
		long long g = 0, i, v;
		int c, r;
	
		for (c = 0; c < 12; c++)
			for (r = 0; r < reps[c]; r++)
				for (g++, i = 0; i < card[c]; i++) {
					v = g * 10000000 + i;
					printf("{\"g\":%lld,\"a\":%lld,\"b\":%lld,\"c\":%lld,"
					    "\"d\":%lld,\"e\":%lld}\n", g, v, v + 1000000000,
					    v + 2000000000, v + 3000000000, v + 4000000000);
				}
		return 0;
	}
	EOF
	${CC:-cc} -O2 -o gen gen.c
	./gen | mx-agg -g g -a 'n=count(),a=approx_distinct(a),b=approx_distinct(b),c=approx_distinct(c),d=approx_distinct(d),e=approx_distinct(e)' > out.ndjson
	run python3 - out.ndjson <<-'EOF'
	import json, math, sys
	by, pooled, bad = {}, [], []
	for l in open(sys.argv[1]):
	    r = json.loads(l)
	    by.setdefault(r['n'], []).extend(r[k] / r['n'] - 1 for k in 'abcde')
	for n, v in sorted(by.items()):
	    bias = sum(v) / len(v)
	    rms = math.sqrt(sum(x * x for x in v) / len(v))
	    if n <= 10 and rms != 0 or n == 100 and (abs(bias) > 0.005 or rms > 0.01) or n >= 1000 and (abs(bias) > 0.005 or rms > 0.0125):
	        bad.append('%d: bias %.4f rms %.4f' % (n, bias, rms))
	    if n >= 1000:
	        pooled += v
	bias = sum(pooled) / len(pooled)
	rms = math.sqrt(sum(x * x for x in pooled) / len(pooled))
	if abs(bias) > 0.002 or not 0.005 < rms < 0.01:
	    bad.append('all: bias %.4f rms %.4f' % (bias, rms))
	print(len(by), 'cardinalities,', len(pooled), 'estimates of 1000 or more:', bad or 'ok')
	EOF
	assert_success
	assert_output '12 cardinalities, 190 estimates of 1000 or more: ok'
}

@test "--merge --rejects: a bad state or a merged sum of 10^38 rejects its line whole, and the merge goes on" {
	printf '%s\n' '{"k":"a","x":6e37}' '{"k":"b","x":1}' > one.ndjson
	printf '%s\n' '{"k":"a","x":5e37}' '{"k":"b","x":2}' > two.ndjson
	A='n=count(),s=sum(x),u=count_distinct(x)'
	mx-agg --partial -g k -a "$A" one.ndjson > p1.ndjson
	mx-agg --partial -g k -a "$A" two.ndjson > p2.ndjson
	sed 's/"s":\[1,/"s":[1,/; s/\["[0-9a-f]*"\]\]}$/["zz"]]}/' p2.ndjson | tail -1 > p3.ndjson
	run mx-agg --merge -g k -a "$A" p1.ndjson p2.ndjson p3.ndjson
	assert_failure 1
	assert_output 'mx-agg: p2.ndjson:1: s: the merged sum would reach 10^38'
	run mx-agg --merge -g k -a "$A" --rejects rej.ndjson p1.ndjson p2.ndjson p3.ndjson
	assert_success
	# a: only p1's line; b: p1 and p2 (p3's line is bad, counted nowhere)
	assert_output "$(printf '%s\n' '{"k":"a","n":1,"s":60000000000000000000000000000000000000,"u":1}' '{"k":"b","n":2,"s":3,"u":2}')"
	run jq -r '"\(._reject.file):\(._reject.line) \(._reject.rule) \(._reject.reason)"' rej.ndjson
	assert_output "$(printf '%s\n' 'p2.ndjson:1 partial s: the merged sum would reach 10^38' 'p3.ndjson:1 partial u: a distinct hash is 32 hex digits')"
}

@test "--merge: a state not as --partial writes it (a count of -1, 1.5, 1e3 or 2^64, a hash among other values, an empty bucket) is refused, not merged as a wrong number" {
	A='n=count(),s=sum(x),u=count_distinct(x),q=approx_median(x),v=variance(x)'
	printf '%s\n' '{"k":"a","x":1}' '{"k":"a","x":3}' | mx-agg --partial -g k -a "$A" > p.ndjson
	bad() {
		sed "$1" p.ndjson > b.ndjson
		! cmp -s b.ndjson p.ndjson || fail "no change: $1"
		run mx-agg --merge -g k -a "$A" p.ndjson b.ndjson
		assert_failure 1
		assert_output "mx-agg: b.ndjson:1: $2"
	}
	# (strtoull took -1 for 2^64 - 1, and a merged count of 1 came out)
	bad 's/"s":\[2,/"s":[-1,/' 'n: a count state is a count (digits, below 2^64)'
	bad 's/"s":\[2,/"s":[1.5,/' 'n: a count state is a count (digits, below 2^64)'
	bad 's/"s":\[2,/"s":[1e3,/' 'n: a count state is a count (digits, below 2^64)'
	bad 's/"s":\[2,/"s":[18446744073709551616,/' 'n: a count state is a count (digits, below 2^64)'
	bad 's/"s":\[2,/"s":[18446744073709551615,/' 'n: the merged count would pass 2^64 - 1'
	bad 's/"s":\[2,\[2,/"s":[2,[-2,/' 's: a sum state is [count, "decimal"]'
	bad 's/\[2,"4","10"\]/[-2,"4","10"]/' 'v: a variance state is [count, "sum", "sum of squares"]'
	# (a value not a hash ended the state, and the hashes after it were lost)
	bad 's/\["\([0-9a-f]*\)",/[1,"\1",/' 'u: a distinct hash is 32 hex digits'
	# (hashes as partials write them are read in place: each digit still
	# checked, the first and the last)
	bad 's/"4"\],\["[0-9a-f]/"4"],["g/' 'u: a distinct hash is 32 hex digits'
	bad 's/\("[0-9a-f]\{31\}\)[0-9a-f]"\]/\1F"]/' 'u: a distinct hash is 32 hex digits'
	bad 's/\["\([0-9a-f]*\)",/["\1x",/' 'u: a distinct hash is 32 hex digits'
	bad 's/,1\]\]/,0]]/' "q: an approximate quantile bucket's count is not a count (digits, 1 to 2^64 - 1 in all)"
	bad 's/,1\]\]/,-1]]/' "q: an approximate quantile bucket's count is not a count (digits, 1 to 2^64 - 1 in all)"
	# blanks between elements are JSON: taken
	for blanks in '"\1", "\2"' '"\1" ,"\2" ' ' "\1"	,	"\2"'; do
		sed "s/\\[\"\\([0-9a-f]*\\)\",\"\\([0-9a-f]*\\)\"\\]/[$blanks]/" p.ndjson > b.ndjson
		! cmp -s b.ndjson p.ndjson || fail "no change: $blanks"
		run mx-agg --merge -g k -a "$A" p.ndjson b.ndjson
		assert_success
		assert_output '{"k":"a","n":4,"s":8,"u":2,"q":2.00586,"v":1.333333}'
	done
	# (and around every element of every state)
	sed 's/,/ , /g; s/\[/[ /g; s/\]/ ]/g' p.ndjson > b.ndjson
	run mx-agg --merge -g k -a "$A" p.ndjson b.ndjson
	assert_success
	assert_output '{"k":"a","n":4,"s":8,"u":2,"q":2.00586,"v":1.333333}'
}

@test "man page: median, quantile and stddev of purchase prices per category" {
	examples
	run bash -e ex14.sh
	assert_success
	# books 10.00 and 0.10: median 5.05, 0.10 + 0.9 x 9.90 = 9.01, sd 7.0004
	assert_output "$(printf '%s\n' '{"category":"books","orders":2,"median":5.05,"p90":9.01,"sd":7}' \
	    '{"category":"toys","orders":2,"median":2.85,"p90":4.97,"sd":3.75}')"
}

@test "--set: each set writes what a run of its own options writes, byte for byte; --each with a file a set" {
	mx-gen -n 20000 -s 7 -o ev.ndjson ecommerce
	a=(-w 'product_id!=null' -g product_id -a 'category=max(category),views=count_if(event_type,page_view)' -a 'buys=count_if(event_type,purchase),rate=ratio(buys,views)')
	b=(-w event_type=purchase -g 'd=date(timestamp),h=hour(timestamp)' -a 'revenue=sum_product(price,quantity),n=count()')
	c=(-w event_type=page_view -g product_id -a 'views=count()' --top 10 --by views)
	d=(-g 'd=date(timestamp)' -a 'users=count_distinct(user_id),q=median(price)')
	mx-agg --partial "${a[@]}" ev.ndjson > a.want
	mx-agg "${b[@]}" ev.ndjson > b.want
	mx-agg "${c[@]}" ev.ndjson > c.want
	mx-agg --partial "${d[@]}" ev.ndjson > d.want
	run mx-agg --partial "${a[@]}" -o a.got --set "${b[@]}" -o b.got \
	    --set "${c[@]}" --set --partial "${d[@]}" -o d.got ev.ndjson
	assert_success
	assert_output "$(cat c.want)"
	# -v counts each record once, and the groups of every set
	run mx-agg -v "${b[@]}" -o /dev/null --set "${c[@]}" -o /dev/null ev.ndjson
	assert_success
	assert_output --regexp "^mx-agg: 20000 records in, $(($(wc -l < b.want) + $(mx-agg "${c[@]:0:6}" ev.ndjson | wc -l))) groups out, 0 rejected, 0 blank, "
	for t in a b d; do
		cmp "$t.want" "$t.got"
	done
	[ "$(wc -l < a.got)" -gt 100 ] && [ "$(wc -l < d.got)" -gt 1 ]
	# --each: an output a set, then the inputs
	head -n 5000 ev.ndjson > p1
	tail -n +5001 ev.ndjson > p2
	printf 'b1\td1\tp1\nb2\td2\tp2\tp1\n' > list
	run mx-agg "${b[@]}" --set --partial "${d[@]}" --each list
	assert_success
	assert_output ''
	mx-agg "${b[@]}" p2 p1 > b2.want
	mx-agg --partial "${d[@]}" p1 > d1.want
	cmp b2 b2.want
	cmp d1 d1.want
	# the partials of a set merge as a run's do (d2 is of p2 and p1)
	run mx-agg --merge "${d[@]}" d1 d2
	assert_success
	assert_output "$(mx-agg "${d[@]}" p1 p2 p1)"
}

@test "--set: a record bad for one set counts in the others; a failed run writes no file; usage errors" {
	printf '%s\n' '{"k":"a","x":1}' '{"k":"b","x":"z"}' > in.ndjson
	run mx-agg -g k -a 's=sum(x)' -o s.ndjson --set -g k -a 'n=count()' -o n.ndjson --set -a 't=sum(x)' --rejects rej.ndjson in.ndjson
	assert_success
	assert_output '{"t":1}'
	run cat s.ndjson n.ndjson
	assert_output "$(printf '%s\n' '{"k":"a","s":1}' '{"k":"a","n":1}' '{"k":"b","n":1}')"
	# once for each set that refused it
	run jq -c '[._reject.line, ._reject.reason]' rej.ndjson
	assert_output "$(printf '%s\n' '[2,"s: \"z\" is not a number"]' '[2,"t: \"z\" is not a number"]')"
	# without --rejects the bad record ends the run, and no -o file is made
	run mx-agg -g k -o out-n --set -g k -a 's=sum(x)' -o out-s in.ndjson
	assert_failure 1
	assert_output 'mx-agg: in.ndjson:2: s: "z" is not a number'
	run ls -A
	refute_line --partial out-
	run mx-agg -g k --set -g x in.ndjson
	assert_failure 2
	assert_line --index 0 'mx-agg: --set: every set but one needs -o: only one may write to standard output'
	run mx-agg -g k -o a -o b in.ndjson
	assert_failure 2
	assert_line --index 0 'mx-agg: -o: one output a set (--set begins another)'
	run mx-agg --merge -g k --set -g x -o y in.ndjson
	assert_failure 2
	assert_line --index 0 "mx-agg: --merge: one set (merge each set's partials apart)"
	printf 'o\tin.ndjson\n' > list
	run mx-agg -g k -o x --each list
	assert_failure 2
	assert_line --index 0 'mx-agg: --each: the output files are in the list, not -o'
	run mx-agg -g k --set -g x --each list
	assert_failure 1
	assert_output 'mx-agg: list:1: expected 2 output files (one a set), then the input files, separated by tabs'
	# a set's own options are checked in it
	run mx-agg -g k -o x --set --top 3 in.ndjson
	assert_failure 2
	assert_line --index 0 'mx-agg: --top and --by go together'
}

@test "man page: three tables in one pass (--set), the same bytes as three runs" {
	examples
	run bash -e ex15.sh
	assert_success
	assert_output "$(bash -e ex5.sh | jq -c '{event_date, users, sessions}')"
	run cat hourly_revenue.ndjson
	assert_output "$(bash -e ex2.sh)"
	run cat top_products.ndjson
	assert_output "$(bash -e ex3.sh)"
}
