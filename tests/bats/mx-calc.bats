#!/usr/bin/env bats
# mx-calc: each operator and function, the scale rules, nulls, division by
# zero, replaced fields, --keep, hash() against xxhsum over the bytes the
# man page defines, records that cannot be computed (with and without
# --rejects), malformed lines, usage errors, and the man page's EXAMPLES.
# The expected values were worked out by hand from the rules of
# mx-calc(1).

load helper
bats_require_minimum_version 1.5.0

setup() {
	T="$BATS_TEST_TMPDIR"
	cd "$T" || return 1
	cat > orders.ndjson <<'EOF'
{"sku":"A1","brand":"acme","name":"Mug","Avg_Price":"12.50","Quantity":2,"price":12.50,"cost":10,"status":"New","ts":"2024-03-05T10:30:00Z"}
{"sku":"B2","brand":"zed","name":"Cap","Avg_Price":"abc","Quantity":12,"price":0,"cost":1,"status":"Used","ts":"2024-03-06T23:59:59+02:00"}
{"sku":"C3","brand":"acme","name":"Pen","Avg_Price":"1.005","Quantity":10,"price":3,"cost":1.5,"status":"New","ts":"2024-03-07"}
EOF
}

# calc JSON -e ... : the computed fields of one record, as an object
calc() {
	local rec=$1
	shift
	printf '%s\n' "$rec" | mx-calc "$@" --keep "$(keepnames "$@")"
}

# the names of the -e options, for --keep
keepnames() {
	local names= a
	while [ $# -gt 0 ]; do
		if [ "$1" = -e ]; then
			a=${2%%=*}
			names=${names:+$names,}$a
			shift
		fi
		shift
	done
	printf '%s' "$names"
}

@test "the record's bytes untouched, the computed fields appended at the end" {
	run mx-calc -e 'Revenue=Avg_Price * Quantity' <<'EOF'
{"sku":"A1", "Avg_Price":"12.50" ,"Quantity":2,"n":1e2,"s":"\u0041"}
EOF
	assert_success
	assert_output '{"sku":"A1", "Avg_Price":"12.50" ,"Quantity":2,"n":1e2,"s":"\u0041","Revenue":25.00}'
	# an empty object, a field used alone keeps its text
	run mx-calc -e 'a=1.50' -e 'b=n' -e 'c=s' <<'EOF'
{ }
{"n":1e2,"s":"x\"y"}
EOF
	assert_success
	assert_output '{ "a":1.50,"b":null,"c":null}
{"n":1e2,"s":"x\"y","a":1.50,"b":1e2,"c":"x\"y"}'
}

@test "+ and -: exact, the larger scale; * the sum of the scales; unary minus; precedence" {
	run calc '{"a":0.1,"b":0.20,"p":"12.50","q":2,"z":0.00}' \
	    -e 's=a + b' -e 'd=b - a' -e 'm=p * q' -e 'm2=q * p' -e 'm3=1.5 * 1.5' \
	    -e 'z2=z * 2' -e 'n=-p' -e 'nn=--q' -e 'n0=-z' \
	    -e 'pr=1 + 2 * 3' -e 'pa=(1 + 2) * 3' -e 'l=10 - 2 - 3' -e 'e=1e2 + 0'
	assert_success
	assert_output '{"s":0.30,"d":0.10,"m":25.00,"m2":25.00,"m3":2.25,"z2":0.00,"n":-12.50,"nn":2,"n0":0.00,"pr":7,"pa":9,"l":5,"e":100}'
}

@test "/: rounded half away from zero to --scale places, 6 by default; a divisor of zero gives null" {
	run calc '{"a":1,"b":8,"zero":0,"zs":"0.00"}' \
	    -e 'd=a / 3' -e 'e=2 / 3' -e 'f=-2 / 3' -e 'g=a / b' -e 'h=a / zero' \
	    -e 'i=a / zs' -e 'j=10 / 4 * 2'
	assert_success
	assert_output '{"d":0.333333,"e":0.666667,"f":-0.666667,"g":0.125000,"h":null,"i":null,"j":5.000000}'
	run calc '{"a":1,"b":8}' --scale 2 -e 'g=a / b' -e 'n=-a / b' -e 'w=7 / 2'
	assert_success
	assert_output '{"g":0.13,"n":-0.13,"w":3.50}'
	run calc '{"a":7}' --scale 0 -e 'w=a / 2' -e 'v=5 / 2'
	assert_success
	assert_output '{"w":4,"v":3}'
	run calc '{"a":1}' --scale 18 -e 'x=a / 3'
	assert_success
	assert_output '{"x":0.333333333333333333}'
}

@test "null in an operand gives null; a missing field is null" {
	run calc '{"x":null,"a":2}' -e 'p=x + 1' -e 'q=a * nothing' -e 'r=-x' \
	    -e 's=x / 0' -e 't=nothing.deeper - 1' -e 'u=round(x, 2)' -e 'v=int(x)'
	assert_success
	# (and a field that no record had is told: a typo?)
	assert_output "mx-calc: -e: no record had the field 'nothing' (a typo?)
mx-calc: -e: no record had the field 'nothing.deeper' (a typo?)
"'{"p":null,"q":null,"r":null,"s":null,"t":null,"u":null,"v":null}'
}

@test "comparisons in the mx ordering; a null side is null, but = null and != null test it" {
	run calc '{"p":"12.50","q":12.5,"s":"Used","t":"2024-03-05T10:00:00+01:00","x":null,"f":false}' \
	    -e 'a=p = q' -e 'b=p == 12.50' -e 'c=p != 13' -e 'd=s < "Usee"' -e 'e=q <= 12.5' \
	    -e 'f2=q > 12.49' -e 'g=q >= 13' -e 'h=s <> "Used"' \
	    -e 'i=t = "2024-03-05T09:00:00Z"' -e 'j=x = 1' -e 'k=x = null' -e 'l=q != null' \
	    -e 'm=nothing = null' -e 'n=f < true' -e 'o=null = null'
	assert_success
	assert_output "mx-calc: -e: no record had the field 'nothing' (a typo?)
"'{"a":true,"b":true,"c":true,"d":true,"e":true,"f2":true,"g":false,"h":false,"i":true,"j":null,"k":true,"l":true,"m":true,"n":true,"o":true}'
}

@test "the same bytes on both sides: equal, whatever they read as (string, date, number in a string, escapes); other bytes compared as values" {
	run calc '{"s":"abc","s2":"abc","t":"2024-03-05","t2":"2024-03-05","n":"12.50","n2":"12.50","a":7,"a2":7,"e":"x\u0041","e2":"x\u0041","q":"1"}' \
	    -e 'ss=s = s2' -e 'sl=s < s2' -e 'sle=s <= s2' -e 'sn=s != s2' \
	    -e 'tt=t = t2' -e 'tg=t > t2' -e 'tge=t >= t2' -e 'nn=n == n2' \
	    -e 'aa=a = a2' -e 'al=a < a2' -e 'ee=e = e2' -e 'eA=e = "xA"' \
	    -e 'qa=q = 1' -e 'd=date(t) = t2' -e 'h=hour(t) = 0'
	assert_success
	assert_output '{"ss":true,"sl":false,"sle":true,"sn":false,"tt":true,"tg":false,"tge":true,"nn":true,"aa":true,"al":false,"ee":true,"eA":true,"qa":true,"d":true,"h":true}'
}

@test "chains: a <= b <= c holds when each link does; a null link is null unless another is false" {
	run calc '{"a":5,"n":null,"t":"2024-03-01T00:00:00Z"}' \
	    -e 'c=0 <= a <= 10' -e 'd=0 <= a < 5' -e 'e=1 < 2 < a <= 5 != 6' \
	    -e 'f=0 <= n <= 10' -e 'g=10 <= n <= 20 and false' -e 'h=6 <= a <= n' \
	    -e "i='2024-01-01' <= t < '2025-01-01'" -e 'j=(1 < 2) = true'
	assert_success
	assert_output '{"c":true,"d":false,"e":true,"f":null,"g":false,"h":false,"i":true,"j":true}'
}

@test "values of two classes have no order, but a number and a timestamp compare as time" {
	run calc '{"s":"abc","a":1,"b":true,"t":"2024-03-01T09:00:00Z","e":1709283600,"ms":1709283600000}' \
	    -e 'x=s > a' -e 'y=s < a' -e 'z=s = a' -e 'w=s != a' -e 'v=b > a' \
	    -e 'te=t = e' -e 'tm=t = ms' -e 'tl=t < e + 1'
	assert_success
	assert_output '{"x":false,"y":false,"z":false,"w":true,"v":false,"te":true,"tm":true,"tl":true}'
}

@test "single-quoted strings, as SQL writes them; now() is SOURCE_DATE_EPOCH, or the clock" {
	SOURCE_DATE_EPOCH=1700000000 run calc '{"s":"it'"'"'s"}' \
	    -e "a='it''s' = s" -e "b=''" -e "c='say \"hi\"'" -e 'd=now()' \
	    -e "e=now() > '2023-01-01'"
	assert_success
	assert_output '{"a":true,"b":"","c":"say \"hi\"","d":"2023-11-14T22:13:20Z","e":true}'
}

@test "and, or, not: three values, and the side not needed is not evaluated" {
	run calc '{"x":null,"bad":"abc"}' \
	    -e 'a=true and false' -e 'b=true or false' -e 'c=not true' \
	    -e 'd=x and true' -e 'e=x and false' -e 'f=x or true' -e 'g=x or false' \
	    -e 'h=not x' -e 'i=0 and ""' -e 'j=false and bad * 2 > 1' \
	    -e 'k=true or bad * 2 > 1' -e 'l=1 < 2 and 2 < 3 or false' -e 'm=not 1 = 2'
	assert_success
	assert_output '{"a":false,"b":true,"c":false,"d":null,"e":false,"f":true,"g":null,"h":null,"i":true,"j":false,"k":true,"l":true,"m":true}'
}

@test "round and int" {
	run calc '{"p":"2.345","n":-2.345,"i":2,"s":"-2.7"}' \
	    -e 'a=round(p, 2)' -e 'b=round(n, 1)' -e 'c=round(i, 2)' -e 'd=round(2.5, 0)' \
	    -e 'e=round(-2.5, 0)' -e 'f=round(p, 2.0)' -e 'g=int(s)' -e 'h=int(2.7)' \
	    -e 'k=int(i)' -e 'l=round(1 / 3, 18)'
	assert_success
	assert_output '{"a":2.35,"b":-2.3,"c":2.00,"d":3,"e":-3,"f":2.35,"g":-2,"h":2,"k":2,"l":0.333333000000000000}'
	# places given by a field: checked per record
	run --separate-stderr mx-calc -e 'a=round(1.5, n)' <<'EOF'
{"n":1}
{"n":19}
EOF
	assert_failure 1
	assert_output '{"n":1,"a":1.5}'
	[ "$stderr" = 'mx-calc: <stdin>:2: a: n is 19, not a number of places 0..18' ]
}

@test "if and coalesce: only the branch taken is evaluated" {
	run calc '{"q":0,"x":10,"n":null,"s":"Used","bad":"abc"}' \
	    -e 'a=if(q = 0, 0, x / q)' -e 'b=if(n, 1, 2)' -e 'c=if(s, 1, 2)' \
	    -e 'd=if(false, bad * 1, "no")' -e 'e=coalesce(n, nothing, s, bad * 1)' \
	    -e 'f=coalesce(n)' -e 'g=if(0, "zero is true", "")'
	assert_success
	assert_output "mx-calc: -e: no record had the field 'nothing' (a typo?)
"'{"a":0,"b":2,"c":1,"d":"no","e":"Used","f":null,"g":"zero is true"}'
}

@test "concat, lower, upper" {
	run calc '{"s":"Caf\u00e9 \"A\"","p":"12.50","q":2,"n":null}' \
	    -e 'a=concat(s, "-", p, "-", q, "-", q * p)' -e 'b=lower(s)' -e 'c=upper("mIx 1")' \
	    -e 'd=concat(s, n)' -e 'e=upper(n)' -e 'f=concat("a\\b", "\"")'
	assert_success
	assert_output '{"a":"Café \"A\"-12.50-2-25.00","b":"café \"a\"","c":"MIX 1","d":null,"e":null,"f":"a\\b\""}'
	run --separate-stderr mx-calc -e 'a=concat("x", b)' <<< '{"b":true}'
	assert_failure 1
	[ "$stderr" = 'mx-calc: <stdin>:1: a: b is true, not a string or a number' ]
	run --separate-stderr mx-calc -e 'a=lower(b)' <<< '{"b":12}'
	assert_failure 1
	[ "$stderr" = 'mx-calc: <stdin>:1: a: b is 12, not a string' ]
}

@test "time functions give what they give in keys; null for a value that is no timestamp" {
	run calc '{"ts":"2024-03-06T23:59:59+02:00","e":1709769599,"bad":"soon"}' \
	    -e 'date=date(ts)' -e 'year=year(ts)' -e 'month=month(ts)' -e 'week=week(ts)' \
	    -e 'dow=dow(ts)' -e 'hour=hour(ts)' -e 'minute=minute(ts)' -e 'hs=hour_start(ts)' \
	    -e 'he=hour_end(ts)' -e 'ds=day_start(ts)' -e 'de=day_end(ts)' -e 'ms=month_start(ts)' \
	    -e 'me=month_end(ts)' -e 'ed=date(e)' -e 'b=date(bad)' -e 'n=date(nothing)' \
	    -e 'c=date(concat("2024-12-31", "T23:00:00-02:00"))'
	assert_success
	assert_output "mx-calc: -e: no record had the field 'nothing' (a typo?)
"'{"date":"2024-03-06","year":2024,"month":"2024-03","week":"2024-W10","dow":3,"hour":21,"minute":59,"hs":"2024-03-06T21:00:00Z","he":"2024-03-06T22:00:00Z","ds":"2024-03-06T00:00:00Z","de":"2024-03-07T00:00:00Z","ms":"2024-03-01T00:00:00Z","me":"2024-04-01T00:00:00Z","ed":"2024-03-06","b":null,"n":null,"c":"2025-01-01"}'
	# the same as mx-agg's keys
	run bash -c "printf '%s\n' '{\"ts\":\"2024-03-06T23:59:59+02:00\"}' | mx-agg -g 'date(ts),week(ts)' -a 'n=count()'"
	assert_output --partial '"date":"2024-03-06","week":"2024-W10"'
	# days: day numbers from 1970-01-01, whose difference is in days
	run calc '{"a":"2024-03-05T23:00:00Z","b":"2024-03-13","c":"1969-12-31T23:59:59Z","d":"1970-01-01"}' \
	    -e 'x=days(a)' -e 'y=days(b)-days(a)' -e 'z=days(c)' -e 'w=days(d)' -e 'v=days("x")'
	assert_success
	assert_output '{"x":19787,"y":8,"z":-1,"w":0,"v":null}'
}

@test "more times in turn than are remembered: six texts over seven days, in rotation, each record's own" {
	# (four texts are remembered, the least recently read replaced)
	for k in 1 2 3; do
		for d in 01 02 03 04 05 06; do
			printf '{"a":"2024-04-%sT%02d:00:00Z","b":"2024-04-07T00:00:00Z"}\n' \
			    "$d" "$((10#$d + 1))"
		done
	done > t.ndjson
	set -- -e 'da=date(a)' -e 'ha=hour(a)' -e 'db=date(b)' \
	    -e 'dd=days(b)-days(a)' --keep da,ha,db,dd
	run mx-calc "$@" t.ndjson
	assert_success
	assert_line --index 0 '{"da":"2024-04-01","ha":2,"db":"2024-04-07","dd":6}'
	assert_line --index 17 '{"da":"2024-04-06","ha":7,"db":"2024-04-07","dd":1}'
	[ "${#lines[@]}" -eq 18 ]
	while IFS= read -r l; do
		printf '%s\n' "$l" | mx-calc "$@"
	done < t.ndjson > one
	printf '%s\n' "$output" | cmp - one
}

@test "times read in turn from records of several days: each record's own, whatever was read before (the last texts and days are remembered)" {
	# three days, two times of one, an offset, a text that is no time
	# and an empty one between (not ordered against one: false, mx-calc(1)): each
	# record's a, b and a <= b, computed one record at a time, agree with
	# the same records computed together
	cat > t.ndjson <<'EOF'
{"a":"2024-03-05T10:00:00Z","b":"2025-01-01T00:00:00Z"}
{"a":"2024-03-05T11:30:00Z","b":"2025-01-01T00:00:00Z"}
{"a":"2024-03-06T23:59:59+02:00","b":"2024-03-05T11:30:00Z"}
{"a":"2024-03-05T10:00:00Z","b":"soon"}
{"a":"2024-03-05T10:00:00Z","b":""}
{"a":"2024-03-05T10:00:00","b":"2024-03-05T10:00:00Z"}
{"a":"2025-01-01T00:00:00Z","b":"2024-03-06T23:59:59+02:00"}
{"a":"2024-03-06T23:59:59+02:00","b":"2024-03-06T23:59:59+02:00"}
EOF
	set -- -e 'da=date(a)' -e 'ha=hour(a)' -e 'db=date(b)' -e 'hb=hour(b)' \
	    -e 'le=a<=b' -e 'dd=days(b)-days(a)' --keep da,ha,db,hb,le,dd
	run mx-calc "$@" t.ndjson
	assert_success
	assert_output '{"da":"2024-03-05","ha":10,"db":"2025-01-01","hb":0,"le":true,"dd":302}
{"da":"2024-03-05","ha":11,"db":"2025-01-01","hb":0,"le":true,"dd":302}
{"da":"2024-03-06","ha":21,"db":"2024-03-05","hb":11,"le":false,"dd":-1}
{"da":"2024-03-05","ha":10,"db":null,"hb":null,"le":false,"dd":null}
{"da":"2024-03-05","ha":10,"db":null,"hb":null,"le":false,"dd":null}
{"da":"2024-03-05","ha":10,"db":"2024-03-05","hb":10,"le":true,"dd":0}
{"da":"2025-01-01","ha":0,"db":"2024-03-06","hb":21,"le":false,"dd":-301}
{"da":"2024-03-06","ha":21,"db":"2024-03-06","hb":21,"le":true,"dd":0}'
	while IFS= read -r l; do
		printf '%s\n' "$l" | mx-calc "$@"
	done < t.ndjson > one
	printf '%s\n' "$output" | cmp - one
}

@test "hash: XXH3-64 of the canonical key bytes, as the man page defines them, checked with xxhsum" {
	run calc '{"i":1,"f":1.0,"e":1e0,"s":"1","ab":"ab","cc":"c","n":null,"p":"12.50","esc":"\u0041"}' \
	    -e 'a=hash(i)' -e 'b=hash(f)' -e 'c=hash(e)' -e 'd=hash(s)' \
	    -e 'g=hash(ab, cc)' -e 'h=hash("a", "bc")' -e 'k=hash(i, n)' -e 'l=hash("Used", 12.50)' \
	    -e 'm=hash("Used", p * 1)' -e 'o=hash(esc)' -e 'q=hash("A")'
	assert_success
	assert_output '{"a":"153348ac9841060f","b":"153348ac9841060f","c":"153348ac9841060f","d":"'"$(printf 's\0\0\0\0011' | xxhsum -H3 | sed 's/.* = //')"'","g":"823f4bb5c26c7b6d","h":"3e69e9b295a0629d","k":null,"l":"918a6704d7750cf5","m":"918a6704d7750cf5","o":"'"$(printf 's\0\0\0\001A' | xxhsum -H3 | sed 's/.* = //')"'","q":"'"$(printf 's\0\0\0\001A' | xxhsum -H3 | sed 's/.* = //')"'"}'
	command -v xxhsum > /dev/null || skip "xxhsum not installed"
	# the constants above, from the documented bytes by an independent
	# implementation of XXH3
	run bash -c "printf 'd\0\0\0\0031e0' | xxhsum -H3"
	assert_output 'XXH3 (stdin) = 153348ac9841060f'
	run bash -c "printf 's\0\0\0\002abs\0\0\0\001c' | xxhsum -H3"
	assert_output 'XXH3 (stdin) = 823f4bb5c26c7b6d'
	run bash -c "printf 's\0\0\0\001as\0\0\0\002bc' | xxhsum -H3"
	assert_output 'XXH3 (stdin) = 3e69e9b295a0629d'
	run bash -c "printf 's\0\0\0\004Usedd\0\0\0\006125e-1' | xxhsum -H3"
	assert_output 'XXH3 (stdin) = 918a6704d7750cf5'
	# the same in another run
	run calc '{"i":1}' -e 'a=hash(i)'
	assert_output '{"a":"153348ac9841060f"}'
}

@test "hash of zero, negatives, booleans, arrays and objects" {
	command -v xxhsum > /dev/null || skip "xxhsum not installed"
	x() { printf "$1" | xxhsum -H3 | sed 's/.* = //'; }
	run calc '{"z":-0.00,"m":-300,"t":true,"a":[1, 2],"o":{"k": "v"}}' \
	    -e 'z=hash(z)' -e 'm=hash(m)' -e 't=hash(t, false)' -e 'a=hash(a)' -e 'o=hash(o)'
	assert_success
	assert_output '{"z":"'"$(x 'd\0\0\0\0010')"'","m":"'"$(x 'd\0\0\0\004-3e2')"'","t":"'"$(x 't\0\0\0\0f\0\0\0\0')"'","a":"'"$(x 'a\0\0\0\005[1,2]')"'","o":"'"$(x 'o\0\0\0\011{"k":"v"}')"'"}'
}

@test "a computed name replaces the record's field: removed, appended at the end; later -e see the new value" {
	run mx-calc -e 'price=price * 2' -e 'total=price + 1' -e 'price=price + 0.5' <<'EOF'
{"price":1.50,"sku":"A","total":0}
{"sku":"B"}
EOF
	assert_success
	assert_output '{"sku":"A","total":4.00,"price":3.50}
{"sku":"B","total":null,"price":null}'
	# an escaped name is the same name
	run mx-calc -e 'ab=1' <<< '{"a\u0062":0,"c":1}'
	assert_success
	assert_output '{"c":1,"ab":1}'
}

@test "--keep: only those fields, in that order, null for one missing, computed or not" {
	run mx-calc -e 'key=hash(sku)' -e 'total=q * 2' --keep total,sku,missing,key <<'EOF'
{"sku":"A1","q":1.5,"other":true}
{"q":2}
EOF
	assert_success
	assert_output "mx-calc: --keep: no record had the field 'missing' (a typo?)
"'{"total":3.0,"sku":"A1","missing":null,"key":"'"$(printf 's\0\0\0\002A1' | xxhsum -H3 | sed 's/.* = //')"'"}
{"total":4,"sku":null,"missing":null,"key":null}'
	# a dotted name in --keep is a top-level name
	run mx-calc -e 'x=1' --keep 'a.b,x' <<< '{"a.b":1,"a":{"b":2}}'
	assert_success
	assert_output '{"a.b":1,"x":1}'
}

@test "fields: dotted paths, array indexes, backquoted names" {
	run calc '{"tracking":{"utm_source":"news"},"items":[{"p":2},{"p":3}],"unit price":"1.25","and":2,"a.b":4}' \
	    -e 'a=tracking.utm_source' -e 'b=items.0.p + items.1.p' -e 'c=`unit price` * `and`' \
	    -e 'd=`a\.b` / 2'
	assert_success
	assert_output '{"a":"news","b":5,"c":2.50,"d":2.000000}'
}

@test "a value that is no number: an error naming file and line, or a reject with --rejects" {
	run --separate-stderr mx-calc -e 'Revenue=Avg_Price * Quantity' orders.ndjson
	assert_failure 1
	assert_output '{"sku":"A1","brand":"acme","name":"Mug","Avg_Price":"12.50","Quantity":2,"price":12.50,"cost":10,"status":"New","ts":"2024-03-05T10:30:00Z","Revenue":25.00}'
	[ "$stderr" = 'mx-calc: orders.ndjson:2: Revenue: Avg_Price is "abc", not a number' ]
	run mx-calc -e 'Revenue=Avg_Price * Quantity' --rejects rej.ndjson --stats st.json orders.ndjson
	assert_success
	assert_line --index 1 --partial '"Revenue":10.050}'
	[ "${#lines[@]}" -eq 2 ]
	run jq -c ._reject rej.ndjson
	assert_output '{"tool":"mx-calc","file":"orders.ndjson","line":2,"rule":"calc","field":"Revenue","reason":"Avg_Price is \"abc\", not a number"}'
	run jq -r .sku rej.ndjson
	assert_output B2
	run cat st.json
	assert_output '{"tool":"mx-calc","in":3,"out":2,"rejected":1,"filtered":0,"blank":0}'
	# booleans, objects, sub-expressions name themselves
	run --separate-stderr mx-calc -e 'x=(a + 1) * -b' <<< '{"a":1,"b":{"k":[1,2]}}'
	assert_failure 1
	[ "$stderr" = 'mx-calc: <stdin>:1: x: b is {"k":[1,2]}, not a number' ]
	run --separate-stderr mx-calc -e 'x=1 + (a = 1)' <<< '{"a":1}'
	assert_failure 1
	[ "$stderr" = 'mx-calc: <stdin>:1: x: (a = 1) is true, not a number' ]
	run --separate-stderr mx-calc -e 'x=a + 1' <<< '{"a":" 12"}'
	assert_failure 1
	[ "$stderr" = 'mx-calc: <stdin>:1: x: a is " 12", not a number' ]
}

@test "results beyond 38 digits or 18 places are errors; a record with a _reject keeps it under _raw" {
	run --separate-stderr mx-calc -e 'x=a * 10' <<< '{"a":99999999999999999999999999999999999999}'
	assert_failure 1
	[ "$stderr" = 'mx-calc: <stdin>:1: x: a * 10 does not fit 38 digits, 18 after the point' ]
	run --separate-stderr mx-calc -e 'x=a * a' <<< '{"a":0.0000000001}'
	assert_failure 1
	[ "$stderr" = 'mx-calc: <stdin>:1: x: a * a does not fit 38 digits, 18 after the point' ]
	run --separate-stderr mx-calc -e 'x=a + 1' <<< '{"a":"1e400"}'
	assert_failure 1
	[ "$stderr" = 'mx-calc: <stdin>:1: x: a is "1e400", beyond 38 digits, 18 after the point' ]
	run mx-calc -e 'x=a + 1' --rejects rej.ndjson <<< '{"a":"z","_reject":{"tool":"mx-validate"}}'
	assert_success
	assert_output ''
	run jq -c '[._reject.field, ._raw]' rej.ndjson
	assert_output '["x","{\"a\":\"z\",\"_reject\":{\"tool\":\"mx-validate\"}}"]'
}

@test "malformed lines, blank lines, -v, --stats, files and stdin" {
	printf '{"a":1}\n\nnot json\n[1]\n  \n{"a":2}\n' > in.ndjson
	run --separate-stderr mx-calc -e 'b=a + 1' in.ndjson
	assert_failure 1
	assert_output '{"a":1,"b":2}'
	[ "$stderr" = "mx-calc: in.ndjson:3: invalid JSON at column 1: unexpected 'n', expected a JSON value" ]
	run --separate-stderr mx-calc -e 'b=a + 1' --rejects rej.ndjson --stats st.json -v in.ndjson
	assert_success
	assert_output '{"a":1,"b":2}
{"a":2,"b":3}'
	[ "$stderr" = 'mx-calc: 4 in, 2 out, 2 rejected, 0 filtered, 2 blank' ]
	run jq -c '[._reject.rule, ._reject.line, ._raw]' rej.ndjson
	assert_output '["json",3,"not json"]
["json",4,"[1]"]'
	run cat st.json
	assert_output '{"tool":"mx-calc","in":4,"out":2,"rejected":2,"filtered":0,"blank":2}'
	# --rejects - is the output itself
	run mx-calc -e 'b=a + 1' --rejects - in.ndjson
	assert_success
	assert_line --index 0 '{"a":1,"b":2}'
	assert_line --index 1 --partial '"_raw":"not json"}'
	[ "${#lines[@]}" -eq 4 ]
	# files, '-' for stdin, gzip
	printf '{"a":5}\n' | gzip > g.ndjson.gz
	run bash -c 'printf "{\"a\":9}\n" | mx-calc -e "b=a * 2" g.ndjson.gz - '
	assert_success
	assert_output '{"a":5,"b":10}
{"a":9,"b":18}'
	run mx-calc -e 'b=1' no-such-file
	assert_failure 1
	assert_output --partial 'no-such-file'
}

@test "usage errors: exit 2, the column of the mistake" {
	run mx-calc < /dev/null
	assert_failure 2
	assert_line --index 0 'mx-calc: nothing to do: no -e name=expr, no -w, no --keep'
	assert_line --index 1 --partial 'usage: mx-calc [-e name=expr ...]'
	run mx-calc -e 'total' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'total': not name=expression"
	run mx-calc -e 'total=' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'total=': column 7: an empty expression"
	run mx-calc -e ' = 1' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e ' = 1': column 1: an empty name"
	run mx-calc -e 'x=a + foo(b)' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'x=a + foo(b)': column 7: unknown function 'foo'"
	run mx-calc -e 'x=a +' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'x=a +': column 6: expected a value, not the end"
	run mx-calc -e 'x=(a + 1' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'x=(a + 1': column 9: expected ')', not the end"
	run mx-calc -e 'x=a b' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'x=a b': column 5: expected an operator or the end"
	run mx-calc -e 'x=a < null' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'x=a < null': column 5: null has no order: use == null or != null"
	run mx-calc -e 'x=0 <= a <= null' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'x=0 <= a <= null': column 13: null in a chain of comparisons: use == null or != null alone"
	run mx-calc -e "x='abc" < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'x='abc': column 3: a string without its closing \"'\""
	run mx-calc -e 'x=round(a)' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'x=round(a)': column 3: round() takes 2 arguments"
	run mx-calc -e 'x=hash()' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'x=hash()': column 3: hash() takes at least 1 argument"
	run mx-calc -e 'x=round(a, 19)' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'x=round(a, 19)': column 12: round(): places must be an integer 0..18"
	run mx-calc -e 'x="abc' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'x=\"abc': column 3: a string without its closing '\"'"
	run mx-calc -e 'x="a\nb"' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'x=\"a\\nb\"': column 5: an escape other than \\\" and \\\\"
	run mx-calc -e 'x=a & b' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'x=a & b': column 5: an unexpected character"
	run mx-calc -e 'x=012' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'x=012': column 3: a bad number '012'"
	run mx-calc -e 'x=1' --scale 19 < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: --scale: '19' is not a number of places 0..18"
	run mx-calc -e 'x=1' --keep a,a < /dev/null
	assert_failure 2
	assert_line --index 0 'mx-calc: --keep: a named twice'
	# evaluation recurses: a tree deeper than 256 is refused
	run mx-calc -e "x=$(printf '1+%.0s' $(seq 300))1" < /dev/null
	assert_failure 2
	assert_line --index 0 --partial ": an expression nested too deep"
	run mx-calc -e "x=$(printf '(%.0s' $(seq 30000))1$(printf ')%.0s' $(seq 30000))" < /dev/null
	assert_failure 2
	assert_line --index 0 --partial "an expression nested too deep"
	run mx-calc -e "x=$(printf '(%.0s' $(seq 200))1$(printf ')%.0s' $(seq 200))" <<< '{}'
	assert_success
	assert_output '{"x":1}'
	run mx-calc -e 'x=``' < /dev/null
	assert_failure 2
	assert_line --index 0 "mx-calc: -e 'x=\`\`': column 3: an empty field name"
}

@test "the man page's EXAMPLES, as written" {
	man_example mx-calc.1 | sed -n '/^\.Bd/,/^\.Ed/p' | grep -v '^\.' |
	    grep '^mx-calc\|^  ' | sed 's/\\e$/\\/' > examples.sh
	[ "$(grep -c '^mx-calc' examples.sh)" -eq 5 ]
	run bash -c 'set -e; . ./examples.sh'
	assert_success
	run grep -o '"revenue":[^}]*' orders_rev.ndjson
	assert_output '"revenue":25.00
"revenue":10.050'
	run jq -r '._reject.reason' bad.ndjson
	assert_output 'Avg_Price is "abc", not a number'
	run grep -o '"margin":[^}]*' margins.ndjson
	assert_output '"margin":20.00
"margin":null
"margin":50.00'
	run cat dim_product.ndjson
	assert_output '{"product_key":"'"$(printf 's\0\0\0\002A1' | xxhsum -H3 | sed 's/.* = //')"'","sku":"A1","label":"ACME Mug"}
{"product_key":"'"$(printf 's\0\0\0\002B2' | xxhsum -H3 | sed 's/.* = //')"'","sku":"B2","label":"ZED Cap"}
{"product_key":"'"$(printf 's\0\0\0\002C3' | xxhsum -H3 | sed 's/.* = //')"'","sku":"C3","label":"ACME Pen"}'
	run jq -c '[.big, .day]' flagged.ndjson
	assert_output '[false,"2024-03-05"]
[false,"2024-03-06"]
[true,"2024-03-07"]'
	run jq .out calc.json
	assert_output 3
	run jq -r .sku big.ndjson
	assert_output C3
}

@test "-w: only the records whose conditions are all true; null and false filtered and counted; an error is the record's" {
	printf '%s\n' '{"s":"Closed Won","a":"1.50"}' '{"s":"Lost","a":2}' \
	    '{"s":"Closed Won","a":"x"}' '{"s":null,"a":1}' \
	    '{"s":"Closed Won","a":3}' > in.ndjson
	run mx-calc -w 's = "Closed Won"' -w 'a * 1 > 1' -e 'b=a*2' \
	    --rejects rej.ndjson --stats st.json in.ndjson
	assert_success
	assert_output '{"s":"Closed Won","a":"1.50","b":3.00}
{"s":"Closed Won","a":3,"b":6}'
	run jq -c '[._reject.rule, ._reject.reason, ._reject.line]' rej.ndjson
	assert_output '["where","a is \"x\", not a number",3]'
	run cat st.json
	assert_output '{"tool":"mx-calc","in":5,"out":2,"rejected":1,"filtered":2,"blank":0}'
	# one condition with or; a -w alone is a filter that keeps the record
	run mx-calc -w 's = "Lost" or s = null' in.ndjson
	assert_success
	assert_output '{"s":"Lost","a":2}
{"s":null,"a":1}'
	# a condition is checked when it is given
	run mx-calc -w 'a >' in.ndjson
	assert_failure 2
	assert_line --index 0 "mx-calc: -w 'a >': column 4: expected a value, not the end"
}

@test "substr: characters from 1, a length or to the end, past the end empty; a bad start is the record's error" {
	printf '{"d":"2024-03-05","u":"h\xc3\xa9llo","n":null}\n' > in.ndjson
	run mx-calc -e 'mm=substr(d,6,2)' -e 'rest=substr(u,2)' -e 'none=substr(u,2,0)' \
	    -e 'past=substr(u,9)' -e 'all=substr(u,1,99)' -e 'nul=substr(n,1)' \
	    --keep mm,rest,none,past,all,nul in.ndjson
	assert_success
	assert_output '{"mm":"03","rest":"éllo","none":"","past":"","all":"héllo","nul":null}'
	run mx-calc -e 'x=substr(d,0)' in.ndjson
	assert_failure 1
	assert_output --partial 'mx-calc: in.ndjson:1: x: '
	assert_output --partial 'not a whole number from 1'
	run mx-calc -e 'x=substr(d,1.5,1)' --rejects rej.ndjson in.ndjson
	assert_success
	assert_output ''
	run jq -r '._reject.rule' rej.ndjson
	assert_output calc
	run mx-calc -e 'x=substr(d)' in.ndjson
	assert_failure 2
}

@test "--keep alone projects; neither -e nor --keep is a usage error" {
	printf '{"a":1,"b":"x","c":[1]}\n' > in.ndjson
	run mx-calc --keep c,a,z in.ndjson
	assert_success
	assert_output "mx-calc: --keep: no record had the field 'z' (a typo?)
"'{"c":[1],"a":1,"z":null}'
	run mx-calc in.ndjson
	assert_failure 2
	assert_line --index 0 'mx-calc: nothing to do: no -e name=expr, no -w, no --keep'
}

@test "a field no record had: a warning naming option and field; --strict makes it an error, the records written, --rejects and --stats not" {
	# a misspelt Quantity is a column of nulls: told once a field, under
	# the first option that named it; fields computed before are no fields
	run mx-calc -e 'total=price * Quantiy' -e 'net=total - cost' \
	    -w 'brnad == "acme"' --keep sku,total,net,colour orders.ndjson
	assert_success
	assert_output "mx-calc: -e: no record had the field 'Quantiy' (a typo?)
mx-calc: -w: no record had the field 'brnad' (a typo?)
mx-calc: --keep: no record had the field 'colour' (a typo?)"
	# a field some record had is no typo, nor is one in a file of none
	run mx-calc -e 'r=refund * 1' --keep sku,r - orders.ndjson <<< '{"sku":"Z9","refund":2}'
	assert_success
	assert_line --index 0 '{"sku":"Z9","r":2}'
	run mx-calc -e 'r=refund * 1' < /dev/null
	assert_success
	assert_output ''
	# --strict: the records are out, exit 1; the files are not written
	run mx-calc --strict -e 'total=price * Quantiy' --rejects rej.ndjson \
	    --stats st.json orders.ndjson
	assert_failure 1
	assert_line --index 0 "mx-calc: -e: no record had the field 'Quantiy'"
	assert_line --index 1 '{"sku":"A1","brand":"acme","name":"Mug","Avg_Price":"12.50","Quantity":2,"price":12.50,"cost":10,"status":"New","ts":"2024-03-05T10:30:00Z","total":null}'
	[ "${#lines[@]}" -eq 4 ]
	[ ! -e rej.ndjson ] && [ ! -e st.json ]
	run mx-calc --strict -e 'total=price * Quantity' --stats st.json orders.ndjson
	assert_success
	assert_line --index 2 --partial '"total":30'
	run jq -c . st.json
	assert_output '{"tool":"mx-calc","in":3,"out":3,"rejected":0,"filtered":0,"blank":0}'
	# however many fields an expression reads: the 70th is told
	r=$(for i in $(seq 1 69); do printf '"f%d":1,' "$i"; done)
	echo "{${r%,}}" > wide.ndjson
	run --separate-stderr mx-calc -e "s=$(for i in $(seq 1 70); do printf 'f%d+' "$i"; done)0" --keep s wide.ndjson
	assert_success
	assert_output '{"s":null}'
	[ "$stderr" = "mx-calc: -e: no record had the field 'f70' (a typo?)" ]
}
