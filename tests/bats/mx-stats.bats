#!/usr/bin/env bats
# mx-stats: each field's figures against python's decimal and statistics,
# groups, the ordering, approximate figures past the limits, the table,
# bad records and bad command lines, the man page's examples.

load helper

# n records of mixed fields from a seed: prices with cents, integers that
# are sometimes null or missing, short strings that repeat, timestamps,
# booleans, arrays, and a field whose type varies.
gen() {
	python3 - "$1" "$2" <<-'EOF'
	import json, random, sys
	n, seed = int(sys.argv[1]), int(sys.argv[2])
	r = random.Random(seed)
	words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "caf\u00e9", "x"]
	for i in range(n):
	    o = {}
	    o["cat"] = r.choice(["toys", "books", "garden"])
	    o["price"] = "%d.%02d" % (r.randint(-50, 5000), r.randint(0, 99))
	    if r.random() < 0.9:
	        o["qty"] = None if r.random() < 0.1 else r.randint(0, 20)
	    o["word"] = r.choice(words)
	    o["ts"] = "2024-03-%02dT%02d:%02d:%02dZ" % (r.randint(1, 28), r.randint(0, 23), r.randint(0, 59), r.randint(0, 59))
	    if r.random() < 0.5:
	        o["ok"] = r.random() < 0.3
	    if r.random() < 0.2:
	        o["tags"] = [r.randint(1, 3)]
	    line = json.dumps(o, ensure_ascii=False)
	    # prices as JSON numbers with their cents kept
	    line = line.replace('"price": "%s"' % o["price"], '"price": %s' % o["price"])
	    print(line)
	EOF
}

# The figures python gives for records.ndjson (per group of -g when $1 is
# a field), compared with mx-stats's in out.ndjson; prints what differs.
check() {
	python3 - "${1:-}" <<-'EOF'
	import json, sys, statistics
	from decimal import Decimal, getcontext, ROUND_HALF_UP
	getcontext().prec = 80
	by = sys.argv[1]
	recs = [json.loads(l, parse_float=Decimal, parse_int=Decimal) for l in open("records.ndjson")]
	out = [json.loads(l, parse_float=Decimal, parse_int=Decimal) for l in open("out.ndjson")]
	def fmt(d):
	    d = d.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
	    return d.normalize() if d != 0 else Decimal(0)
	def quant(v, q):
	    h = q * (len(v) - 1)
	    i = int(h)
	    f = h - i
	    return v[i] if f == 0 or i + 1 >= len(v) else v[i] + f * (v[i + 1] - v[i])
	def tname(v):
	    if v is None: return "null"
	    if isinstance(v, bool): return "bool"
	    if isinstance(v, Decimal): return "number"
	    if isinstance(v, str): return "string"
	    if isinstance(v, list): return "array"
	    return "object"
	groups = {}
	order = []
	for r in recs:
	    groups.setdefault(r.get(by) if by else None, []).append(r)
	    for k in r:
	        if k not in order and k != by:
	            order.append(k)
	exp = []
	for g in sorted(groups, key=lambda k: (k is not None, k)):
	    rs = groups[g]
	    # in the order first seen in the whole input
	    fields = [k for k in order if any(k in r for r in rs)]
	    for f in fields:
	        vals = [r[f] for r in rs if f in r]
	        nn = [v for v in vals if v is not None]
	        o = {}
	        if by: o[by] = g
	        o["field"] = f
	        o["count"] = len(vals)
	        o["null"] = len(vals) - len(nn)
	        o["missing"] = len(rs) - len(vals)
	        types = {}
	        for t in ["null", "bool", "number", "string", "array", "object"]:
	            c = sum(1 for v in vals if tname(v) == t)
	            if c: types[t] = c
	        o["types"] = types
	        o["distinct"] = len(set(json.dumps(v, default=str) for v in nn))
	        nums = sorted(v for v in nn if tname(v) == "number")
	        strs = [v for v in nn if tname(v) == "string"]
	        if nums and len(nums) == len(nn):
	            o["min"], o["max"] = nums[0], nums[-1]
	        elif strs and len(strs) == len(nn):
	            b = sorted(strs, key=lambda s: s.encode())
	            o["min"], o["max"] = b[0], b[-1]
	        if nums:
	            n = len(nums)
	            s = sum(nums)
	            o["mean"] = fmt(s / n)
	            if n > 1:
	                var = (sum(x * x for x in nums) - s * s / n) / (n - 1)
	                o["stddev"] = fmt(var.sqrt())
	                # statistics agrees, to the places compared
	                assert abs(o["stddev"] - Decimal(statistics.stdev([float(x) for x in nums]))) < Decimal("0.0001")
	            else:
	                o["stddev"] = None
	            for name, q in (("q1", Decimal("0.25")), ("median", Decimal("0.5")), ("q3", Decimal("0.75"))):
	                o[name] = quant(nums, q)
	            assert o["median"] == statistics.median(nums)
	        if strs:
	            o["min_length"] = min(len(s) for s in strs)
	            o["max_length"] = max(len(s) for s in strs)
	            cnt = {}
	            for s in strs: cnt[s] = cnt.get(s, 0) + 1
	            top = sorted(cnt.items(), key=lambda kv: (-kv[1], kv[0].encode()))[:5]
	            o["top"] = [{"value": k, "count": c} for k, c in top]
	            if f == "ts":
	                o["earliest"], o["latest"] = min(strs), max(strs)
	        exp.append(o)
	bad = 0
	if len(exp) != len(out):
	    print("rows: %d expected, %d out" % (len(exp), len(out))); bad = 1
	for e, o in zip(exp, out):
	    for k, v in e.items():
	        got = o.get(k, "<absent>")
	        if got != v:
	            print("%s %s: expected %r, got %r" % (o.get("field"), k, v, got)); bad = 1
	sys.exit(bad)
	EOF
}

@test "every figure of every field against python's decimal and statistics" {
	gen 3000 1 > records.ndjson
	run mx-stats records.ndjson
	assert_success
	printf '%s\n' "$output" > out.ndjson
	assert_ndjson out.ndjson
	run check
	assert_success
	assert_output ''
	# the fields in first-seen order, the figures in the man page's order
	run jq -r .field out.ndjson
	assert_output "$(printf '%s\n' cat price qty word ts ok tags)"
	run jq -c 'keys_unsorted' out.ndjson
	assert_line --index 1 '["field","count","null","missing","types","distinct","min","max","mean","stddev","q1","median","q3"]'
	assert_line --index 4 '["field","count","null","missing","types","distinct","min","max","min_length","max_length","top","earliest","latest"]'
}

@test "-g: per group, the key first, groups in key order, the key not profiled; against python" {
	gen 2000 2 > records.ndjson
	run mx-stats -g cat records.ndjson
	assert_success
	printf '%s\n' "$output" > out.ndjson
	run check cat
	assert_success
	assert_output ''
	run jq -c '[.cat, .field]' out.ndjson
	assert_line --index 0 '["books","price"]'
	refute_output --partial '"cat"]'
	# a time part as the key
	run mx-stats -g 'day=date(ts)' records.ndjson
	assert_success
	assert_line --index 0 --partial '{"day":"2024-03-01","field":"cat",'
}

@test "the mean, count and distinct count as DuckDB gives them" {
	command -v node > /dev/null || skip "node not installed"
	gen 1000 3 > records.ndjson
	run node "$BATS_TEST_DIRNAME/../duckdb.mjs" "SELECT count(qty)::INTEGER AS c, count(DISTINCT word)::INTEGER AS d, round(avg(price), 6)::DECIMAL(18,6)::VARCHAR AS m, quantile_cont(price, 0.5)::DECIMAL(18,4)::VARCHAR AS med FROM read_json_auto('$PWD/records.ndjson', format = 'newline_delimited')"
	[ "$status" -eq 0 ] || skip "duckdb not usable: $output"
	printf '%s\n' "$output" > duck.json
	mx-stats records.ndjson > out.ndjson
	python3 - <<-'EOF'
	import json
	from decimal import Decimal as D
	d = json.load(open("duck.json"))
	o = {}
	for l in open("out.ndjson"):
	    r = json.loads(l, parse_float=D)
	    o[r["field"]] = r
	assert d["c"] == o["qty"]["count"] - o["qty"]["null"], (d, o["qty"])
	assert d["d"] == o["word"]["distinct"], (d, o["word"])
	assert D(d["m"]) == o["price"]["mean"], (d, o["price"])
	assert D(d["med"]) == o["price"]["median"], (d, o["price"])
	EOF
}

@test "quartiles of few, tied and negative numbers against python's decimal" {
	python3 - <<-'EOF'
	import random, json, subprocess
	from decimal import Decimal as D
	def quant(v, q):
	    h = q * (len(v) - 1); i = int(h); f = h - i
	    return v[i] if f == 0 or i + 1 >= len(v) else v[i] + f * (v[i + 1] - v[i])
	r = random.Random(5)
	for t in range(200):
	    n = r.randint(1, 60)
	    k = r.choice([1, 2, 3, 10, 1000])
	    xs = [D(r.randint(-k, k)) / D(r.choice([1, 10, 100])) for _ in range(n)]
	    inp = "".join('{"x":%s}\n' % x for x in xs)
	    o = json.loads(subprocess.run(["mx-stats"], input=inp.encode(), capture_output=True, check=True).stdout, parse_float=D, parse_int=D)
	    s = sorted(xs)
	    for name, q in (("q1", D("0.25")), ("median", D("0.5")), ("q3", D("0.75"))):
	        assert o[name] == quant(s, q), (xs, name, o[name], quant(s, q))
	    assert o["min"] == s[0] and o["max"] == s[-1]
	EOF
}

@test "min and max in the mx ordering across types; lengths in characters; escapes decoded" {
	printf '%s\n' '{"v":"abc"}' '{"v":10}' '{"v":"9"}' '{"v":true}' '{"v":false}' \
	    '{"v":[1]}' '{"v":{"a":1}}' '{"v":"2024-01-01"}' '{"v":null}' '{"v":1.0}' '{"v":1}' > in.ndjson
	run mx-stats in.ndjson
	assert_success
	assert_output '{"field":"v","count":11,"null":1,"missing":0,"types":{"null":1,"bool":2,"number":3,"string":3,"array":1,"object":1},"distinct":9,"min":false,"max":{"a":1},"mean":4,"stddev":5.196152,"q1":1,"median":1,"q3":5.5,"min_length":1,"max_length":10,"top":[{"value":"9","count":1},{"value":"2024-01-01","count":1},{"value":"abc","count":1}],"earliest":"2024-01-01","latest":"2024-01-01"}'
	printf '%s\n' '{"s":"\u00e9t\u00e9"}' '{"s":"caf\u00e9"}' '{"s":"été"}' '{"s":"b"}' '{"s":"\"q\""}' > in.ndjson
	run mx-stats in.ndjson
	assert_success
	assert_output '{"field":"s","count":5,"null":0,"missing":0,"types":{"string":5},"distinct":4,"min":"\"q\"","max":"\u00e9t\u00e9","min_length":1,"max_length":4,"top":[{"value":"été","count":2},{"value":"\"q\"","count":1},{"value":"b","count":1},{"value":"café","count":1}]}'
}

@test "timestamps: the earliest and latest instant, offsets and dates compared as time" {
	printf '%s\n' '{"t":"2024-03-01T10:00:00+02:00"}' '{"t":"2024-03-01T09:00:00Z"}' \
	    '{"t":"2024-02-29"}' '{"t":"2024-03-01 23:00:00 UTC"}' '{"t":"not a time"}' > in.ndjson
	run mx-stats in.ndjson
	assert_success
	assert_output --partial '"earliest":"2024-02-29","latest":"2024-03-01 23:00:00 UTC"}'
	assert_output --partial '"min":"2024-02-29","max":"not a time"'
}

@test "distinct past --distinct-limit: HyperLogLog within 3%, said so; top values said approximate" {
	python3 -c '
for i in range(20000): print("{\"k\":\"v%d\",\"n\":%d}" % (i % 15000, i))' > in.ndjson
	run mx-stats --distinct-limit 100 in.ndjson
	assert_success
	printf '%s\n' "$output" > out.ndjson
	run jq -c 'select(.field == "k") | [.distinct_approx, .top_approx, (.distinct - 15000 | fabs < 450)]' out.ndjson
	assert_output '[true,true,true]'
	run jq -c 'select(.field == "n") | [.distinct_approx, (.distinct - 20000 | fabs < 600), .min, .max, .median]' out.ndjson
	assert_output '[true,true,0,19999,9999.5]'
	# under the limit: exact, nothing said
	run mx-stats --distinct-limit 20000 in.ndjson
	run jq -c 'select(.field == "k") | [.distinct, .distinct_approx, .top[0]]' <<< "$output"
	assert_output '[15000,null,{"value":"v0","count":2}]'
}

@test "--memory: the quartiles become approximate within 0.4% and say so; a state past it is an error" {
	python3 -c '
import random
r = random.Random(7)
for i in range(60000): print("{\"x\":%.3f}" % (r.lognormvariate(3, 1)))' > in.ndjson
	mx-stats in.ndjson > exact.ndjson
	run mx-stats -v --memory 1M in.ndjson
	assert_success
	assert_line --partial 'quartiles approximate'
	printf '%s\n' "$output" | grep '^{' > approx.ndjson
	run jq -c '.quartiles_approx' approx.ndjson
	assert_output true
	python3 - <<-'EOF'
	import json
	e = json.load(open("exact.ndjson")); a = json.load(open("approx.ndjson"))
	assert "quartiles_approx" not in e
	for k in ("q1", "median", "q3"):
	    assert abs(a[k] - e[k]) <= 0.004 * abs(e[k]), (k, a[k], e[k])
	for k in ("mean", "stddev", "min", "max", "count"):
	    assert a[k] == e[k], k
	EOF
	# many groups of many fields cannot fit 100k
	python3 -c '
for i in range(3000): print("{\"g\":%d,\"a\":\"%d\",\"b\":%d}" % (i, i, i))' > groups.ndjson
	run mx-stats -g g --memory 100k groups.ndjson
	assert_failure 1
	assert_output --partial 'takes more than --memory 102400 bytes'
}

@test "numbers past 38 digits and sums past 10^38 leave the moments null, said so" {
	printf '%s\n' '{"x":1e40}' '{"x":1}' > in.ndjson
	run mx-stats in.ndjson
	assert_success
	assert_output --partial '"min":1,"max":1e40,"mean":null,"stddev":null,"q1":null,"median":null,"q3":null,"numbers_past_38_digits":true}'
	printf '%s\n' '{"x":90000000000000000000000000000000000000}' '{"x":90000000000000000000000000000000000000}' > in.ndjson
	run mx-stats in.ndjson
	assert_success
	assert_output --partial '"mean":null,"stddev":null,"q1":90000000000000000000000000000000000000,'
}

@test "-p: an aligned table, numbers to the right, approximate figures marked" {
	printf '%s\n' '{"g":"a","x":1,"s":"p"}' '{"g":"b","x":2.5,"s":"q"}' '{"g":"a","x":null,"s":"p"}' > in.ndjson
	run mx-stats -p in.ndjson
	assert_success
	assert_output "$(cat <<-'EOF'
	field  count  null  missing  types            distinct  min  max  mean   stddev     q1  median     q3  min_length  max_length  earliest  latest  top
	-----  -----  ----  -------  ---------------  --------  ---  ---  ----  -------  -----  ------  -----  ----------  ----------  --------  ------  --------
	g          3     0        0  string:3                2  a    b                                                  1           1                    a 2, b 1
	x          3     1        0  null:1 number:2         2  1    2.5  1.75  1.06066  1.375    1.75  2.125
	s          3     0        0  string:3                2  p    q                                                  1           1                    p 2, q 1
	EOF
	)"
	run mx-stats -p --distinct-limit 1 -g g in.ndjson
	assert_success
	assert_line --index 3 --regexp '^a  s .* ~1 .* ~p 2$'
}

@test "bad JSON: an error naming file and line, or --rejects and counted" {
	printf '%s\n' '{"a":1}' '{"a":' '[1]' '{"a":3}' > in.ndjson
	run mx-stats in.ndjson
	assert_failure 1
	assert_output 'mx-stats: in.ndjson:2: invalid JSON at column 6: unexpected end of input, expected a JSON value'
	run mx-stats -v --rejects rej.ndjson in.ndjson
	assert_success
	assert_line --partial '{"field":"a","count":2,'
	assert_line --partial 'mx-stats: 2 records in, 1 groups, 1 fields, 2 rejected, 0 blank'
	run jq -c '[._reject.tool, ._reject.file, ._reject.line, ._reject.rule, ._raw]' rej.ndjson
	assert_output '["mx-stats","in.ndjson",2,"json","{\"a\":"]
["mx-stats","in.ndjson",3,"json","[1]"]'
}

@test "bad command lines exit 2 with the usage; an unreadable file exits 1" {
	for args in '--top x' '--top 1001' '--scale 19' '--memory 12q' '--distinct-limit -1' \
	    '-g date(' '-g' '--no-such-option'; do
		run mx-stats $args
		assert_failure 2
		assert_line --partial 'usage: mx-stats'
	done
	run mx-stats --memory 12q
	assert_line --index 0 "mx-stats: --memory: '12q' is not a size such as 512M"
	run mx-stats no-such-file
	assert_failure 1
	assert_output 'mx-stats: no-such-file: No such file or directory'
	mkdir d
	run mx-stats d
	assert_failure 1
	assert_output --partial 'mx-stats: d'
}

@test "-g: a field no record had is reported; --strict makes it an error" {
	printf '{"a":1}\n' > in.ndjson
	run mx-stats -g brnad in.ndjson
	assert_success
	assert_line "mx-stats: -g: no record had the field 'brnad' (a typo?)"
	assert_line --partial '{"brnad":null,"field":"a"'
	run mx-stats --strict -g brnad in.ndjson
	assert_failure 1
	assert_output "mx-stats: -g: no record had the field 'brnad'"
}

@test "stdin, gzip, several files, blank lines, empty input" {
	printf '{"a":1}\n\n{"a":2}\n' > one.ndjson
	printf '{"a":3}\n' | gzip > two.ndjson.gz
	run sh -c 'cat one.ndjson | mx-stats - two.ndjson.gz'
	assert_success
	assert_output '{"field":"a","count":3,"null":0,"missing":0,"types":{"number":3},"distinct":3,"min":1,"max":3,"mean":2,"stddev":1,"q1":1.5,"median":2,"q3":2.5}'
	run mx-stats < /dev/null
	assert_success
	assert_output ''
	run mx-stats --scale 2 --top 1 one.ndjson
	assert_output --partial '"mean":1.5,"stddev":0.71,'
}

@test "man page examples run as written" {
	gen 500 4 | sed 's/"cat"/"category"/' > events.ndjson
	man_example mx-stats.1 | sed -n '/^\.Bd/,/^\.Ed/p' | grep -v '^\.' | sed 's/\\e/\\/g' > examples.sh
	printf '%s\n' '{"event":"invitee.created","payload":{"tracking":{"utm_source":"google"},"scheduled_event":{"start_time":"2024-03-05T10:00:00.000000Z"}}}' \
	    '{"event":"invitee.created","payload":{"tracking":{"utm_source":null},"scheduled_event":{"start_time":"2024-03-01T09:30:00.000000Z"}}}' \
	    '{"event":"invitee.canceled","payload":{"tracking":{}}}' > bronze.ndjson
	[ "$(grep -c mx-stats examples.sh)" -eq 5 ]
	run bash -e -o pipefail examples.sh
	assert_success
	assert_line --index 0 --regexp '^field +count +null +missing +types'
	assert_line --partial '{"category":"books","field":"price",'
	assert_line '{"field":"qty","missing":'"$(grep -vc '"qty"' events.ndjson)"',"null":'"$(grep -c '"qty": null' events.ndjson)"'}'
	assert_line --partial '"top":[{"value":'
	assert_line --regexp '^invitee.created +payload.scheduled_event.start_time +2 +0 +0 +string:2 .* 2024-03-01T09:30:00.000000Z +2024-03-05T10:00:00.000000Z'
	assert_line --regexp '^invitee.canceled +payload.tracking.utm_source +0 +0 +1 +0$'
}

@test "-f: nested fields by dotted path, in the order given, in every group; one no record had is reported" {
	printf '%s\n' '{"a":1,"p":{"x":"u","y":[1,2]}}' '{"a":2,"p":{"x":"v","y":[3]}}' '{"a":3}' > in.ndjson
	run mx-stats -f p.y.1,p.x,zz in.ndjson
	assert_success
	assert_output "mx-stats: -f: no record had the field 'zz' (a typo?)
{\"field\":\"p.y.1\",\"count\":1,\"null\":0,\"missing\":2,\"types\":{\"number\":1},\"distinct\":1,\"min\":2,\"max\":2,\"mean\":2,\"stddev\":null,\"q1\":2,\"median\":2,\"q3\":2}
{\"field\":\"p.x\",\"count\":2,\"null\":0,\"missing\":1,\"types\":{\"string\":2},\"distinct\":2,\"min\":\"u\",\"max\":\"v\",\"min_length\":1,\"max_length\":1,\"top\":[{\"value\":\"u\",\"count\":1},{\"value\":\"v\",\"count\":1}]}
{\"field\":\"zz\",\"count\":0,\"null\":0,\"missing\":3,\"types\":{},\"distinct\":0,\"min\":null,\"max\":null}"
	run mx-stats --strict -f zz in.ndjson
	assert_failure 1
	run mx-stats -f 'a,,b' in.ndjson
	assert_failure 2
	assert_line --index 0 'mx-stats: -f: an empty field name'
	# a -g key chosen with -f is profiled: it was asked for
	run mx-stats -g a -f a in.ndjson
	assert_success
	assert_line --index 0 --partial '{"a":1,"field":"a","count":1,'
}
