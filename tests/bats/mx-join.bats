#!/usr/bin/env bats
# mx-join: every join type, keys by value, null keys, many-to-many,
# collisions, --unique, --unmatched, counts, the grace hash join past
# --memory (the same bytes), bad input, and DuckDB as an oracle.  The
# expected outputs were worked out by hand from join-orders.ndjson and
# join-customers.ndjson: c1 has one customer, c2 two (Bob, Bea), c3 no
# order, c9 no customer; order 4 has no key, order 5 a null one, order 6
# spells c1 with an escape; one customer's key is null, one has none.

load helper
bats_require_minimum_version 1.5.0

setup() {
	T="$BATS_TEST_TMPDIR"
	cd "$T" || return 1
	cp "$FIX"/join-orders.ndjson "$FIX"/join-customers.ndjson .
}

join() {
	mx-join -r join-customers.ndjson -k customer_id "$@" join-orders.ndjson
}

INNER='{"order_id":1,"customer_id":"c1","total":10.50,"name":"Ann","city":"Oslo","tier":1}
{"order_id":2,"customer_id":"c2","total":3,"name":"Bob","city":"Rome","tier":2.0}
{"order_id":2,"customer_id":"c2","total":3,"name":"Bea","city":"Milan","tier":3}
{"order_id":6,"customer_id":"c\u0031","total":7,"name":"Ann","city":"Oslo","tier":1}'

@test "inner: the right's fields appended byte for byte, many-to-many multiplies, keys by value" {
	run join
	assert_success
	assert_output "$INNER"
	# --type inner is the default
	run join --type inner
	assert_output "$INNER"
	assert_ndjson <(join)
}

@test "left, right, full: unmatched rows where SQL puts them, in input order" {
	run join --type left
	assert_success
	assert_output '{"order_id":1,"customer_id":"c1","total":10.50,"name":"Ann","city":"Oslo","tier":1}
{"order_id":2,"customer_id":"c2","total":3,"name":"Bob","city":"Rome","tier":2.0}
{"order_id":2,"customer_id":"c2","total":3,"name":"Bea","city":"Milan","tier":3}
{"order_id":3,"customer_id":"c9","total":1e2}
{"order_id":4,"total":2}
{"order_id":5,"customer_id":null,"total":0}
{"order_id":6,"customer_id":"c\u0031","total":7,"name":"Ann","city":"Oslo","tier":1}'
	# the right records no order matched come last, in right order,
	# their key named as on the left; null keys match nothing
	run join --type right
	assert_success
	assert_output "$INNER"'
{"customer_id":"c3","name":"Cid","city":"Lima"}
{"customer_id":null,"name":"Nobody"}
{"customer_id":null,"name":"Keyless"}'
	run join --type full
	assert_success
	assert_line --index 3 '{"order_id":3,"customer_id":"c9","total":1e2}'
	assert_line --index 7 '{"customer_id":"c3","name":"Cid","city":"Lima"}'
	[ "${#lines[@]}" -eq 10 ]
}

@test "semi and anti: left records as they are, once" {
	run join --type semi
	assert_success
	assert_output '{"order_id":1,"customer_id":"c1","total":10.50}
{"order_id":2,"customer_id":"c2","total":3}
{"order_id":6,"customer_id":"c\u0031","total":7}'
	run join --type anti
	assert_success
	assert_output '{"order_id":3,"customer_id":"c9","total":1e2}
{"order_id":4,"total":2}
{"order_id":5,"customer_id":null,"total":0}'
	run join --type semi --prefix x_
	assert_failure 2
	assert_line --index 0 'mx-join: --type semi adds no fields: no --prefix or --rename'
}

@test "-v and --stats count every record" {
	run join --type full --stats st.json -v
	assert_success
	assert_line --index 10 'mx-join: 6 left, 6 right, 0 rejected; 3 left matched, 3 not (2 with a null key); 3 right matched, 3 not; 10 out'
	run cat st.json
	assert_output '{"tool":"mx-join","type":"full","left":6,"right":6,"matched":3,"unmatched":3,"null_keys":2,"right_matched":3,"right_unmatched":3,"right_null_keys":2,"out":10,"rejected":0,"blank":0,"partitions":0}'
	run sh -c 'mx-join -r join-customers.ndjson -k customer_id --stats /dev/stdout join-orders.ndjson | grep -c "^{\"tool\":\"mx-join\",\"type\":\"inner\","'
	assert_output 1
}

@test "--unmatched: each left record without a match, with the reason, whatever the type" {
	run join --unmatched um.ndjson
	assert_success
	assert_output "$INNER"
	run cat um.ndjson
	assert_output '{"order_id":3,"customer_id":"c9","total":1e2,"_reject":{"tool":"mx-join","file":"join-orders.ndjson","line":3,"rule":"unmatched","field":"customer_id","reason":"no match in join-customers.ndjson for customer_id \"c9\""}}
{"order_id":4,"total":2,"_reject":{"tool":"mx-join","file":"join-orders.ndjson","line":4,"rule":"unmatched","field":"customer_id","reason":"key field customer_id is missing"}}
{"order_id":5,"customer_id":null,"total":0,"_reject":{"tool":"mx-join","file":"join-orders.ndjson","line":5,"rule":"unmatched","field":"customer_id","reason":"key field customer_id is null"}}'
	assert_ndjson um.ndjson
	run sh -c 'mx-join -r join-customers.ndjson -k customer_id --type semi --unmatched um2.ndjson join-orders.ndjson > /dev/null && cmp um.ndjson um2.ndjson'
	assert_success
	# a record that has a _reject already keeps it: the new one and the
	# line as _raw
	printf '{"customer_id":"zz","_reject":{"rule":"old"}}\n' > r.ndjson
	run mx-join -r join-customers.ndjson -k customer_id --type anti --unmatched um3.ndjson r.ndjson
	assert_success
	run cat um3.ndjson
	assert_output '{"_reject":{"tool":"mx-join","file":"r.ndjson","line":1,"rule":"unmatched","field":"customer_id","reason":"no match in join-customers.ndjson for customer_id \"zz\""},"_raw":"{\"customer_id\":\"zz\",\"_reject\":{\"rule\":\"old\"}}"}'
}

@test "composite keys, keys of other names, numbers by value, the string \"1\" is not 1" {
	printf '%s\n' '{"d":"2024-03-01","ch":"fb","id":1,"spend":1.50}' \
	    '{"d":"2024-03-01","ch":"g","id":2,"spend":2}' \
	    '{"d":"2024-03-02","ch":"fb","id":"3","spend":3}' > r.ndjson
	printf '%s\n' '{"date":"2024-03-01","channel":"fb","n":1.0}' \
	    '{"date":"2024-03-01","channel":"fb","n":2}' \
	    '{"date":"2024-03-02","channel":"fb","n":3}' > l.ndjson
	run mx-join -r r.ndjson -k date=d,channel=ch l.ndjson
	assert_success
	assert_output '{"date":"2024-03-01","channel":"fb","n":1.0,"id":1,"spend":1.50}
{"date":"2024-03-01","channel":"fb","n":2,"id":1,"spend":1.50}
{"date":"2024-03-02","channel":"fb","n":3,"id":"3","spend":3}'
	run mx-join -r r.ndjson -k n=id --prefix r_ l.ndjson
	assert_success
	assert_output '{"date":"2024-03-01","channel":"fb","n":1.0,"r_d":"2024-03-01","r_ch":"fb","r_spend":1.50}
{"date":"2024-03-01","channel":"fb","n":2,"r_d":"2024-03-01","r_ch":"g","r_spend":2}'
	run mx-join -r r.ndjson -k n=id --prefix r_ --unmatched um.ndjson l.ndjson
	run jq -r ._reject.reason um.ndjson
	assert_output 'no match in r.ndjson for n 3'
}

@test "a time part on either side: timestamps joined with a date dimension" {
	printf '{"date":"2024-03-01","weekday":"Friday"}\n{"date":"2024-03-02","weekday":"Saturday"}\n' > dim.ndjson
	printf '%s\n' '{"ts":"2024-03-01T23:30:00-02:00","v":1}' '{"ts":"2024-03-01T10:00:00Z","v":2}' \
	    '{"ts":"soon","v":3}' > l.ndjson
	run mx-join -r dim.ndjson -k 'date(ts)=date' --type left --unmatched um.ndjson l.ndjson
	assert_success
	assert_output '{"ts":"2024-03-01T23:30:00-02:00","v":1,"weekday":"Saturday"}
{"ts":"2024-03-01T10:00:00Z","v":2,"weekday":"Friday"}
{"ts":"soon","v":3}'
	run jq -r ._reject.reason um.ndjson
	assert_output 'key date(ts) is not a timestamp'
	run mx-join -r l.ndjson -k 'date=date(ts)' --type right --prefix l_ dim.ndjson
	assert_success
	assert_output '{"date":"2024-03-01","weekday":"Friday","l_ts":"2024-03-01T10:00:00Z","l_v":2}
{"date":"2024-03-02","weekday":"Saturday","l_ts":"2024-03-01T23:30:00-02:00","l_v":1}
{"date":null,"l_ts":"soon","l_v":3}'
}

@test "a field on both sides is a usage error naming it; --prefix and --rename" {
	printf '{"customer_id":"c1","name":"Ann"}\n' > l.ndjson
	run mx-join -r join-customers.ndjson -k customer_id l.ndjson
	assert_failure 2
	assert_output 'mx-join: l.ndjson:1: the left record has a field name, which the right side adds: --prefix or --rename'
	# even when it matches nothing
	printf '{"customer_id":"c7","city":"x"}\n' > l2.ndjson
	run mx-join -r join-customers.ndjson -k customer_id --type left l2.ndjson
	assert_failure 2
	assert_output --partial 'l2.ndjson:1: the left record has a field city'
	run mx-join -r join-customers.ndjson -k customer_id --prefix c_ l.ndjson
	assert_success
	assert_output '{"customer_id":"c1","name":"Ann","c_name":"Ann","c_city":"Oslo","c_tier":1}'
	run mx-join -r join-customers.ndjson -k customer_id --rename name=customer_name l.ndjson
	assert_success
	assert_output '{"customer_id":"c1","name":"Ann","customer_name":"Ann","city":"Oslo","tier":1}'
	# a key renamed is kept; a renamed field takes no prefix
	run mx-join -r join-customers.ndjson -k customer_id --rename customer_id=cid --prefix c_ l.ndjson
	assert_success
	assert_output '{"customer_id":"c1","name":"Ann","cid":"c1","c_name":"Ann","c_city":"Oslo","c_tier":1}'
	run mx-join -r join-customers.ndjson -k customer_id --rename nmae=x l.ndjson
	assert_failure 2
	assert_line --index 0 'mx-join: --rename: no right record has a field nmae'
	run mx-join -r join-customers.ndjson -k customer_id --rename name=city l.ndjson
	assert_failure 2
	assert_line --index 0 'mx-join: the right'"'"'s fields name and city would both be city'
	run mx-join -r join-customers.ndjson -k id=customer_id --rename name=id l.ndjson
	assert_failure 2
	assert_line --index 0 "mx-join: the right's field id is named as the left's key id: --prefix or --rename"
	run mx-join -r join-customers.ndjson -k customer_id --rename name l.ndjson
	assert_failure 2
	assert_line --index 0 "mx-join: --rename: 'name' is not old=new"
	# a name with dots or escapes is one field, not a path
	printf '{"k":1,"a.b":2,"\\u00e9":3}\n' > r.ndjson
	printf '{"k":1,"a":{"b":0}}\n{"k":1,"é":0}\n' > l3.ndjson
	run mx-join -r r.ndjson -k k l3.ndjson
	assert_failure 2
	assert_output '{"k":1,"a":{"b":0},"a.b":2,"\u00e9":3}
mx-join: l3.ndjson:2: the left record has a field é, which the right side adds: --prefix or --rename'
}

@test "--unique refuses duplicate keys on the right, naming both lines" {
	run join --unique
	assert_failure 1
	assert_output 'mx-join: join-customers.ndjson:5: a second right record with one key (the first is join-customers.ndjson:2); --unique'
	grep -v Bea join-customers.ndjson > one.ndjson
	run mx-join -r one.ndjson -k customer_id --unique join-orders.ndjson
	assert_success
	# null keys are no duplicates: null is equal to nothing
	printf '{"customer_id":null}\n' >> one.ndjson
	run mx-join -r one.ndjson -k customer_id --unique join-orders.ndjson
	assert_success
}

@test "bad lines: an error naming file and line, or --rejects and the run goes on" {
	{ cat join-customers.ndjson; printf 'nope\n'; } > r.ndjson
	{ printf '{"customer_id":"c1",}\n'; cat join-orders.ndjson; printf '\xff\n'; } > l.ndjson
	run mx-join -r r.ndjson -k customer_id l.ndjson
	assert_failure 1
	assert_output "mx-join: r.ndjson:7: invalid JSON at column 1: unexpected 'n', expected a JSON value"
	run mx-join -r join-customers.ndjson -k customer_id l.ndjson
	assert_failure 1
	assert_output --partial 'mx-join: l.ndjson:1: invalid JSON at column'
	run mx-join -r r.ndjson -k customer_id --rejects rej.ndjson --stats st.json l.ndjson
	assert_success
	assert_output "$INNER"
	run jq -c '[._reject.file, ._reject.line, ._reject.rule, has("_raw"), has("_raw_base64")]' rej.ndjson
	assert_output '["r.ndjson",7,"json",true,false]
["l.ndjson",1,"json",true,false]
["l.ndjson",8,"json",false,true]'
	run jq -c '[.left, .right, .rejected]' st.json
	assert_output '[8,7,3]'
}

@test "-k: a key field no record of its side had is a warning, naming the side; --strict makes it an error" {
	run --separate-stderr mx-join -r join-customers.ndjson -k customer_id=customerid join-orders.ndjson
	assert_success
	[ "$stderr" = "mx-join: -k: no record of join-customers.ndjson had the field 'customerid' (a typo?)" ]
	run --separate-stderr mx-join -r join-customers.ndjson -k custmer_id=customer_id join-orders.ndjson
	assert_success
	[ "$stderr" = "mx-join: -k: no record of the left input had the field 'custmer_id' (a typo?)" ]
	run mx-join --strict -r join-customers.ndjson -k customer_id,regoin --type left \
	    --unmatched u.ndjson --stats st.json join-orders.ndjson
	assert_failure 1
	assert_line "mx-join: -k: no record of the left input had the field 'regoin'"
	assert_line "mx-join: -k: no record of join-customers.ndjson had the field 'regoin'"
	[ ! -e u.ndjson ] && [ ! -e st.json ]
	# a key field some record had is no typo; a side with no record says nothing
	run mx-join --strict -r join-customers.ndjson -k customer_id join-orders.ndjson
	assert_success
	run mx-join --strict -r /dev/null -k customer_id=nosuch join-orders.ndjson
	assert_success
	assert_output ''
}

@test "standard input, -r -, gzip, blank lines, several files: the same bytes" {
	run sh -c 'mx-join -r join-customers.ndjson -k customer_id --type full < join-orders.ndjson | cksum'
	want=$output
	run sh -c 'mx-join -r - -k customer_id --type full join-orders.ndjson < join-customers.ndjson | cksum'
	assert_output "$want"
	{ echo; cat join-orders.ndjson; printf ' \r\n'; } | gzip > o.gz
	{ cat join-customers.ndjson; echo; } | gzip > c.gz
	run sh -c 'mx-join -r c.gz -k customer_id --type full --stats st.json o.gz | cksum'
	assert_output "$want"
	run jq .blank st.json
	assert_output 3
	head -2 join-orders.ndjson > a.ndjson
	tail -n +3 join-orders.ndjson > b.ndjson
	run sh -c 'mx-join -r join-customers.ndjson -k customer_id --type full a.ndjson - < b.ndjson | cksum'
	assert_output "$want"
	run sh -c 'mx-join -r - -k customer_id < join-customers.ndjson'
	assert_failure 2
	assert_output --partial 'mx-join: -r -: the left side must then come from files'
}

@test "past --memory: a grace hash join, the same bytes for every type, nothing left in -T" {
	python3 -c '
import random
random.seed(7)
with open("r.ndjson", "w") as f:
    for i in range(6000):
        k = random.randint(0, 4000)
        key = "null" if k % 97 == 0 else "\"k%d\"" % k
        f.write("{\"id\":%s,\"n\":%d,\"name\":\"r%d\"}\n" % (key, i, i))
with open("l.ndjson", "w") as f:
    for i in range(20000):
        k = random.randint(0, 5000)
        key = "null" if k % 89 == 0 else "\"k%d\"" % k
        f.write("{\"o\":%d,\"cid\":%s}\n" % (i, key))
# one key of many rows, more than the memory: held whole
with open("r.ndjson", "a") as f:
    for i in range(3000):
        f.write("{\"id\":\"k1\",\"n\":%d,\"name\":\"%s\"}\n" % (i, "x" * 40))
'
	mkdir tmp
	for t in inner left right full semi anti; do
		mx-join -r r.ndjson -k cid=id --type $t --unmatched u1 --stats s1 l.ndjson > o1
		run mx-join -r r.ndjson -k cid=id --type $t -m 100k -T tmp \
		    --unmatched u2 --stats s2 -v l.ndjson
		assert_success
		assert_line --regexp '^mx-join: past --memory: joined in [0-9]+ partitions$'
		mx-join -r r.ndjson -k cid=id --type $t -m 100k -T tmp --unmatched u2 --stats s2 l.ndjson > o2
		cmp o1 o2 || fail "$t: not the same output"
		cmp u1 u2 || fail "$t: not the same --unmatched"
		[ "$(jq -c 'del(.partitions)' s1)" = "$(jq -c 'del(.partitions)' s2)" ] || fail "$t: counts"
		[ "$(jq .partitions s1)" -eq 0 ] && [ "$(jq .partitions s2)" -ge 16 ] || fail "$t: partitions"
	done
	[ -z "$(ls tmp)" ]
	# deeper: partitions split again
	mx-join -r r.ndjson -k cid=id --type full l.ndjson > o1
	run sh -c 'mx-join -r r.ndjson -k cid=id --type full -m 20k -T tmp --stats s3 l.ndjson | cmp - o1'
	assert_success
	[ "$(jq .partitions s3)" -gt 16 ]
	run mx-join -r r.ndjson -k cid=id -m 100k -T /nonexistent l.ndjson
	assert_failure 1
	assert_output --partial 'mx-join: cannot create a temporary file in /nonexistent'
}

@test "the joins agree with DuckDB's, type by type" {
	command -v node > /dev/null || skip "node not installed"
	DUCK="$BATS_TEST_DIRNAME/../duckdb.mjs"
	[ -d "$BATS_TEST_DIRNAME/../node_modules/@duckdb" ] || skip "DuckDB not installed"
	python3 -c '
import random
random.seed(11)
with open("r.ndjson", "w") as f:
    for i in range(800):
        k = random.randint(0, 600)
        key = "null" if k % 50 == 0 else "\"c%d\"" % k
        f.write("{\"id\":%s,\"seg\":\"s%d\",\"rn\":%d}\n" % (key, k % 7, i))
with open("l.ndjson", "w") as f:
    for i in range(3000):
        k = random.randint(0, 800)
        if k % 61 == 0:
            f.write("{\"ln\":%d,\"amt\":%d}\n" % (i, k))
            continue
        key = "null" if k % 43 == 0 else "\"c%d\"" % k
        f.write("{\"ln\":%d,\"cid\":%s,\"amt\":%d}\n" % (i, key, k))
'
	L="read_ndjson('l.ndjson', columns = {ln: 'BIGINT', cid: 'VARCHAR', amt: 'BIGINT'})"
	R="read_ndjson('r.ndjson', columns = {id: 'VARCHAR', seg: 'VARCHAR', rn: 'BIGINT'})"
	row='[.ln, .cid, .amt, .seg, .rn] | map(if . == null then . else tostring end)'
	for t in inner left right full; do
		node "$DUCK" "SELECT l.ln, coalesce(l.cid, r.id) AS cid, l.amt, r.seg, r.rn
		    FROM $L l $t JOIN $R r ON l.cid = r.id" | jq -c "$row" | sort > duck
		mx-join -r r.ndjson -k cid=id --type $t l.ndjson | jq -c "$row" | sort > mx
		[ "$(wc -l < mx)" -gt 100 ] || fail "$t: $(wc -l < mx) rows"
		diff duck mx > /dev/null || fail "$t: $(diff duck mx | head -5)"
		# and past --memory
		mx-join -r r.ndjson -k cid=id --type $t -m 8k l.ndjson | jq -c "$row" | sort > mx2
		cmp mx mx2 || fail "$t: -m 8k"
	done
	for t in semi anti; do
		node "$DUCK" "SELECT l.ln, l.cid, l.amt, NULL AS seg, NULL AS rn
		    FROM $L l $t JOIN $R r ON l.cid = r.id" | jq -c "$row" | sort > duck
		mx-join -r r.ndjson -k cid=id --type $t l.ndjson | jq -c "$row" | sort > mx
		[ "$(wc -l < mx)" -gt 100 ] || fail "$t: $(wc -l < mx) rows"
		diff duck mx > /dev/null || fail "$t: $(diff duck mx | head -5)"
	done
	# the left records the inner join leaves out are what --unmatched lists
	mx-join -r r.ndjson -k cid=id --unmatched um.ndjson l.ndjson > /dev/null
	run sh -c "node '$DUCK' \"SELECT count(*) AS n FROM $L l ANTI JOIN $R r ON l.cid = r.id\" | jq -r .n"
	assert_output "$(wc -l < um.ndjson)"
}

@test "bad command lines are usage errors" {
	run mx-join -k customer_id join-orders.ndjson
	assert_failure 2
	assert_line --index 0 'mx-join: no right side (-r)'
	assert_line --index 1 --partial 'usage: mx-join -r file'
	run mx-join -r join-customers.ndjson join-orders.ndjson
	assert_failure 2
	assert_line --index 0 'mx-join: no keys (-k)'
	run join --type outer
	assert_failure 2
	assert_line --index 0 "mx-join: --type: unknown value 'outer'"
	run mx-join -r join-customers.ndjson -k 'a=b=c' join-orders.ndjson
	assert_failure 2
	assert_line --index 0 "mx-join: -k: one '=' per key: 'b=c'"
	run mx-join -r join-customers.ndjson -k 'd=nofn(x)' join-orders.ndjson
	assert_failure 2
	assert_line --index 0 --partial "mx-join: -k: unknown function 'nofn'"
	run mx-join -r join-customers.ndjson -k 'a,a=b' join-orders.ndjson
	assert_failure 2
	assert_line --index 0 "mx-join: -k: name 'a' used twice"
	run join -m 12x
	assert_failure 2
	assert_line --index 0 "mx-join: --memory: '12x' is not a size such as 512M"
	run mx-join -r nosuch.ndjson -k a join-orders.ndjson
	assert_failure 1
	assert_output 'mx-join: nosuch.ndjson: No such file or directory'
	run mx-join -r join-customers.ndjson -k customer_id nosuch.ndjson
	assert_failure 1
	assert_output 'mx-join: nosuch.ndjson: No such file or directory'
}

@test "a closed stdout ends quietly; a full disk is exit 1" {
	python3 -c '
for i in range(200000): print("{\"customer_id\":\"c1\",\"o\":%d}" % i)' > big.ndjson
	run bash -c 'mx-join -r join-customers.ndjson -k customer_id big.ndjson | head -1; echo "status ${PIPESTATUS[0]}"'
	assert_line --index 0 '{"customer_id":"c1","o":0,"name":"Ann","city":"Oslo","tier":1}'
	assert_line --index 1 'status 141'
	run sh -c 'mx-join -r join-customers.ndjson -k customer_id join-orders.ndjson > /dev/full'
	assert_failure 1
	assert_output 'mx-join: write error: <stdout>: No space left on device'
}

@test "man page examples run as written" {
	cp join-customers.ndjson customers.ndjson
	cp join-orders.ndjson orders.ndjson
	printf '{"sku":"p1","name":"Pen"}\n{"sku":"p2","name":"Ink"}\n' > products.ndjson
	printf '{"order_id":1,"product_sku":"p1"}\n{"order_id":2,"product_sku":"p3"}\n' >> orders.ndjson
	printf '{"date":"2024-03-01","weekday":"Friday"}\n' > dim_date.ndjson
	printf '{"ts":"2024-03-01T10:00:00Z","spend":1.50}\n' > spend.ndjson
	printf '{"id":%d,"r":1}\n' 1 2 3 > big_right.ndjson
	printf '{"id":%d,"l":1}\n' 2 3 4 | gzip > big_left.ndjson.gz
	man_example mx-join.1 | sed -n '/^\.Bd/,/^\.Ed/p' | grep -v '^\.' |
	    grep '^mx-join\|^  ' | sed 's/\\e$/\\/' > examples.sh
	[ "$(grep -c '^mx-join' examples.sh)" -eq 4 ]
	run bash -c 'set -e; . ./examples.sh'
	assert_success
	run wc -l < orders_wide.ndjson
	assert_output 9
	run jq -r ._reject.reason orphans.ndjson
	assert_line --index 0 'no match in customers.ndjson for customer_id "c9"'
	run jq -c '[.order_id, .product_sku]' missing_products.ndjson
	assert_line --index 6 '[2,"p3"]'
	run cat spend_dated.ndjson
	assert_output '{"ts":"2024-03-01T10:00:00Z","spend":1.50,"date_weekday":"Friday"}'
	run jq -c '[.id, .l, .r]' joined.ndjson
	assert_output '[2,1,1]
[3,1,1]
[4,1,null]
[1,null,1]'
	run jq .out join.json
	assert_output 4
}
