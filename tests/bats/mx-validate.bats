#!/usr/bin/env bats
# mx-validate: the contract grammar and its errors, every type, cast and
# rule, projection, rejects, --mark, --keep, thresholds, counts, the seed
# contracts on real and generated records.

load helper
bats_require_minimum_version 1.5.0

CONTRACTS="$BATS_TEST_DIRNAME/../../scripts/contracts"

# contract TEXT: write it to c.contract
contract() {
	printf '%s\n' "$@" > c.contract
}

# check LINE...: the lines as input, validated against c.contract, rejects
# to rej.ndjson
check() {
	printf '%s\n' "$@" > in.ndjson
	run mx-validate -c c.contract --rejects rej.ndjson in.ndjson
}

# errs: each reject as "field rule message"
errs() {
	run jq -r '._reject.errors[] | "\(.field) \(.rule) \(.message)"' rej.ndjson
}

@test "valid records are projected to the contract's fields, in its order, with the metadata" {
	contract 'b int' 'a string'
	check '{"a":"x","z":1,"_source":"s","b":2,"_line":3,"_reject":{"old":1}}' '{}'
	assert_success
	assert_line --index 0 '{"b":2,"a":"x","_source":"s","_line":3}'
	assert_line --index 1 '{"b":null,"a":null}'
	[ "${#lines[@]}" -eq 2 ]
	run cat rej.ndjson
	assert_output ''
}

@test "string: strings kept as written, numbers and booleans cast, objects fail" {
	contract 's string'
	check '{"s":"a\u00e9\"b"}' '{"s":12.50}' '{"s":true}' '{"s":""}' '{"s":{"x":1}}' '{"s":[1]}'
	assert_success
	assert_line --index 0 '{"s":"a\u00e9\"b"}'
	assert_line --index 1 '{"s":"12.50"}'
	assert_line --index 2 '{"s":"true"}'
	assert_line --index 3 '{"s":""}'
	[ "${#lines[@]}" -eq 4 ]
	errs
	assert_output $'s type not a string (an object)\ns type not a string (an array)'
}

@test "int: whole numbers cast from numbers and strings, 1.0 is 1, 1.5 fails, 64-bit range" {
	contract 'i int'
	check '{"i":42}' '{"i":-7}' '{"i":"12"}' '{"i":1.0}' '{"i":1e3}' '{"i":"-0"}' \
	    '{"i":9223372036854775807}' '{"i":-9223372036854775808}' '{"i":"\u0031\u0032"}' \
	    '{"i":1.5}' '{"i":"+1"}' '{"i":"007"}' '{"i":" 1"}' '{"i":true}' \
	    '{"i":9223372036854775808}' '{"i":1e40}' '{"i":"x"}'
	assert_success
	assert_output "$(printf '{"i":%s}\n' 42 -7 12 1 1000 0 9223372036854775807 -9223372036854775808 12)"
	errs
	assert_output "$(printf '%s\n' 'i type not an integer' 'i type not an int' 'i type not an int' \
	    'i type not an int' 'i type not an int' 'i type out of the int range (64 bits)' \
	    'i type out of the int range (64 bits)' 'i type not an int')"
}

@test "decimal: exact, digits kept, strings cast, exponents and negative zero canonical" {
	contract 'd decimal'
	check '{"d":"12.50"}' '{"d":0.1}' '{"d":1.5e1}' '{"d":"1.50e1"}' '{"d":-0.0}' \
	    '{"d":123456789012345678901234567890.12345678}' '{"d":-3}' \
	    '{"d":"abc"}' '{"d":1e-30}' '{"d":false}' '{"d":"1,5"}'
	assert_success
	assert_output "$(printf '{"d":%s}\n' 12.50 0.1 15 15.0 0.0 123456789012345678901234567890.12345678 -3)"
	errs
	assert_output "$(printf '%s\n' 'd type not a decimal' \
	    'd type not a decimal (more than 38 digits or 18 decimal places)' \
	    'd type not a decimal' 'd type not a decimal')"
}

@test "number: any JSON number kept as written, numeric strings unquoted" {
	contract 'n number min=-1 max=1e300'
	check '{"n":1e-3}' '{"n":"1.50"}' '{"n":123456789012345678901234567890123456789012}' \
	    '{"n":"NaN"}' '{"n":"0x10"}' '{"n":-2}' '{"n":1e301}'
	assert_success
	assert_output "$(printf '{"n":%s}\n' 1e-3 1.50 123456789012345678901234567890123456789012)"
	errs
	assert_output "$(printf '%s\n' 'n type not a number' 'n type not a number' \
	    'n min less than the minimum -1' 'n max greater than the maximum 1e300')"
}

@test "number: bounds past 38 digits compared exactly, in the order of mx(7), not as doubles" {
	contract 'n number min=-1e400 max=99999999999999999999999999999999999999998'
	check '{"n":99999999999999999999999999999999999999998}' '{"n":99999999999999999999999999999999999999999}' \
	    '{"n":"9.9999999999999999999999999999999999999998e40"}' '{"n":9.99999999999999999999999999999999999999981e40}' \
	    '{"n":-1e400}' '{"n":-1.0000000000000000000000001e400}' '{"n":1e-400}'
	assert_success
	assert_output "$(printf '{"n":%s}\n' 99999999999999999999999999999999999999998 \
	    9.9999999999999999999999999999999999999998e40 -1e400 1e-400)"
	errs
	assert_output "$(printf '%s\n' 'n max greater than the maximum 99999999999999999999999999999999999999998' \
	    'n max greater than the maximum 99999999999999999999999999999999999999998' 'n min less than the minimum -1e400')"
}

@test "bool: true/false/1/0/yes/no in any case" {
	contract 'b bool'
	check '{"b":true}' '{"b":false}' '{"b":1}' '{"b":0}' '{"b":"YES"}' '{"b":"No"}' \
	    '{"b":"TRUE"}' '{"b":"0"}' '{"b":2}' '{"b":"y"}' '{"b":1.0}' '{"b":[]}'
	assert_success
	assert_output "$(printf '{"b":%s}\n' true false true false true false true false)"
	errs
	assert_output "$(printf 'b type not a bool\n%.0s' 1 2 3 4)"
}

@test "date: dates, and timestamps to their UTC date" {
	contract 'd date'
	check '{"d":"2024-03-01"}' '{"d":"2024-03-01T23:30:00-02:00"}' '{"d":"2024-02-29 23:59:59 UTC"}' \
	    '{"d":1709251200}' '{"d":"1709251200000"}' '{"d":"2023-02-29"}' '{"d":"03/01/2024"}' \
	    '{"d":"2024-03-01T25:00:00Z"}' '{"d":true}'
	assert_success
	assert_output "$(printf '{"d":"%s"}\n' 2024-03-01 2024-03-02 2024-02-29 2024-03-01 2024-03-01)"
	errs
	assert_output "$(printf 'd type not a date\n%.0s' 1 2 3 4)"
}

@test "timestamp: every form the library reads, to UTC RFC 3339" {
	contract 't timestamp'
	check '{"t":"2024-03-01T10:00:00Z"}' '{"t":"2024-03-01T12:00:00.5+02:00"}' \
	    '{"t":"2024-03-01 10:00:00 UTC"}' '{"t":"2024-03-01"}' '{"t":1709287200123}' \
	    '{"t":"1709287200"}' '{"t":"2024-03-01T10:00:00.123456789Z"}' \
	    '{"t":"yesterday"}' '{"t":"2024-13-01T00:00:00Z"}' '{"t":{}}'
	assert_success
	assert_output "$(printf '{"t":"%s"}\n' 2024-03-01T10:00:00Z 2024-03-01T10:00:00.500Z \
	    2024-03-01T10:00:00Z 2024-03-01T00:00:00Z 2024-03-01T10:00:00.123Z \
	    2024-03-01T10:00:00Z 2024-03-01T10:00:00.123456789Z)"
	errs
	assert_output "$(printf 't type not a timestamp\n%.0s' 1 2 3)"
}

@test "json: any value kept as it is" {
	contract 'j json' 'k json default=[]'
	check '{"j":{"a":[1, 2.50, "x"]},"k":{"b":null}}' '{"j":"s"}' '{"j":[],"k":null}'
	assert_success
	assert_line --index 0 '{"j":{"a":[1, 2.50, "x"]},"k":{"b":null}}'
	assert_line --index 1 '{"j":"s","k":[]}'
	assert_line --index 2 '{"j":[],"k":[]}'
}

@test "missing, null and (but for strings) empty values: required, nullable, defaults" {
	contract 'r int required' 'n int nullable' 'd int default=7' \
	    's string default=(none)' 'q string default="a \"b\""' 'e string required'
	check '{"r":1,"e":""}' '{"r":1,"n":null,"d":"","s":null,"e":"x"}' \
	    '{"r":null,"e":"x"}' '{"e":"x"}' '{"r":"","e":null}' '{"r":1}'
	assert_success
	assert_line --index 0 '{"r":1,"n":null,"d":7,"s":"(none)","q":"a \"b\"","e":""}'
	assert_line --index 1 '{"r":1,"n":null,"d":7,"s":"(none)","q":"a \"b\"","e":"x"}'
	[ "${#lines[@]}" -eq 2 ]
	errs
	assert_output "$(printf '%s\n' 'r required null' 'r required missing' 'r required empty' \
	    'e required null' 'e required missing')"
}

@test "from=: nested paths, array indexes, escaped dots; missing paths" {
	contract 'uri string required from=payload.uri' \
	    'email string from=payload.hosts.0.email' \
	    'second string from=payload.hosts.1.email' \
	    'hosts json from=payload.hosts' \
	    'dotted int from=a\.b' \
	    'name.with.dots string'
	check '{"payload":{"uri":"u1","hosts":[{"email":"a@x"},{"email":"b@x"}]},"a.b":5,"name.with.dots":"n"}' \
	    '{"payload":{"uri":"u2","hosts":[]}}' '{"payload":{"uri":"u3","hosts":{"0":{"email":"obj"}}}}' \
	    '{"payload":"flat"}'
	assert_success
	assert_line --index 0 '{"uri":"u1","email":"a@x","second":"b@x","hosts":[{"email":"a@x"},{"email":"b@x"}],"dotted":5,"name.with.dots":"n"}'
	assert_line --index 1 '{"uri":"u2","email":null,"second":null,"hosts":[],"dotted":null,"name.with.dots":null}'
	assert_line --index 2 '{"uri":"u3","email":"obj","second":null,"hosts":{"0":{"email":"obj"}},"dotted":null,"name.with.dots":null}'
	[ "${#lines[@]}" -eq 3 ]
	errs
	assert_output 'uri required missing'
}

@test "from=fn(path): time parts of a timestamp as columns" {
	printf '%s\n' 'event_hour int from=hour(ts) min=0 max=23' 'day date from=ts' \
	    'week string from=week(ts)' 'dow int from=dow(ts)' > c.contract
	printf '%s\n' '{"ts":"2024-03-01T23:30:00-02:00"}' '{"ts":1709251200}' \
	    '{"ts":"soon"}' '{}' > in.ndjson
	run mx-validate -c c.contract --rejects rej.ndjson in.ndjson
	assert_success
	assert_output '{"event_hour":1,"day":"2024-03-02","week":"2024-W09","dow":6}
{"event_hour":0,"day":"2024-03-01","week":"2024-W09","dow":5}
{"event_hour":null,"day":null,"week":null,"dow":null}'
	run jq -r '._reject.errors[] | "\(.field) \(.rule) \(.message)"' rej.ndjson
	assert_output 'event_hour type hour() cannot read it: not a timestamp
day type not a date
week type week() cannot read it: not a timestamp
dow type dow() cannot read it: not a timestamp'
	echo 'x int from=hours(ts)' > bad.contract
	run mx-validate -c bad.contract in.ndjson
	assert_failure 2
	assert_output "mx-validate: bad.contract:1: from=: unknown function 'hours' (the time functions of mx(7))"
	echo 'x int from=hour()' > bad.contract
	run mx-validate -c bad.contract in.ndjson
	assert_failure 2
	assert_output "mx-validate: bad.contract:1: from=: hour() of what?"
}

@test "map=: values to their canonical form, unmapped values kept and counted" {
	mkdir conf
	printf '# source\tchannel\nfacebook\tfacebook_paid_ads\n\nnewsletter\temail\norganic\torganic\n' > conf/channels.tsv
	echo 'channel string map=channels.tsv default=direct minlen=2' > conf/m.contract
	printf '%s\n' '{"channel":"facebook"}' '{"channel":"f\u0061cebook"}' '{"channel":"email"}' \
	    '{"channel":"reddit"}' '{"channel":"reddit"}' '{}' '{"channel":"x"}' > in.ndjson
	mx-validate -c conf/m.contract -v --stats st.ndjson --rejects rej.ndjson in.ndjson > out 2> err
	run cat out
	assert_output '{"channel":"facebook_paid_ads"}
{"channel":"facebook_paid_ads"}
{"channel":"email"}
{"channel":"reddit"}
{"channel":"reddit"}
{"channel":"direct"}'
	run cat err
	assert_output 'mx-validate: in.ndjson: 7 in, 6 valid, 1 rejected
mx-validate: channel: minlen: 1 failed
mx-validate: channel: map: "reddit" not mapped (2 records)
mx-validate: channel: map: "x" not mapped (1 records)'
	run jq -c 'select(.rule == "map")' st.ndjson
	assert_output '{"field":"channel","rule":"map","unmapped":"reddit","records":2}
{"field":"channel","rule":"map","unmapped":"x","records":1}'
	printf 'a\tb\na\tc\n' > conf/twice.tsv
	echo 'c string map=twice.tsv' > conf/t.contract
	run mx-validate -c conf/t.contract in.ndjson
	assert_failure 2
	assert_output "mx-validate: conf/t.contract:1: map=twice.tsv: 'a' is mapped twice"
	printf 'a b\n' > conf/notab.tsv
	echo 'c string map=notab.tsv' > conf/t.contract
	run mx-validate -c conf/t.contract in.ndjson
	assert_failure 2
	assert_output "mx-validate: conf/t.contract:1: map=notab.tsv:1: not a value, a tab and a channel"
	echo 'c string map=none.tsv' > conf/t.contract
	run mx-validate -c conf/t.contract in.ndjson
	assert_failure 2
	assert_output --partial "map=conf/none.tsv: No such file or directory"
	echo 'c int map=channels.tsv' > conf/t.contract
	run mx-validate -c conf/t.contract in.ndjson
	assert_failure 2
	assert_output --partial "map applies to string fields, not to int"
}

@test "min/max: literals for every ordered type, inclusive" {
	contract 'i int min=1 max=3' 'd decimal min=0.01 max=99.99' \
	    'day date min=2024-01-01 max=2024-12-31' \
	    't timestamp min=2024-03-01T00:00:00Z max=2024-03-01T23:59:59.999Z'
	check '{"i":1,"d":0.01,"day":"2024-01-01","t":"2024-03-01T00:00:00Z"}' \
	    '{"i":3,"d":"99.990","day":"2024-12-31T23:59:59Z","t":"2024-03-01T23:59:59.999Z"}' \
	    '{"i":0,"d":0.001,"day":"2023-12-31","t":"2024-02-29T23:59:59Z"}' \
	    '{"i":4,"d":100,"day":"2025-01-01","t":"2024-03-01T23:59:59.9991Z"}'
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	errs
	assert_output "$(printf '%s\n' 'i min less than the minimum 1' 'd min less than the minimum 0.01' \
	    'day min less than the minimum 2024-01-01' 't min less than the minimum 2024-03-01T00:00:00Z' \
	    'i max greater than the maximum 3' 'd max greater than the maximum 99.99' \
	    'day max greater than the maximum 2024-12-31' 't max greater than the maximum 2024-03-01T23:59:59.999Z')"
}

@test "min/max: a bound may be another field: an event cannot be later than its ingestion" {
	contract 'at timestamp required max=_ingested_at' 'day date from=at max=_ingested_at' \
	    'start timestamp' 'end timestamp min=start'
	check '{"at":"2024-03-01T10:00:00Z","_ingested_at":"2024-03-01T10:00:00Z"}' \
	    '{"at":"2024-03-01T10:00:01Z","_ingested_at":"2024-03-01T10:00:00Z"}' \
	    '{"at":"2024-03-02T00:00:00+01:00","_ingested_at":"2024-03-01T10:00:00Z"}' \
	    '{"at":"2024-03-05T00:00:00Z"}' \
	    '{"at":"2024-03-01T00:00:00Z","_ingested_at":"soon"}' \
	    '{"at":"2024-03-01T00:00:00Z","start":"2024-03-01T10:00:00Z","end":"2024-03-01T09:00:00Z"}'
	assert_success
	assert_line --index 0 '{"at":"2024-03-01T10:00:00Z","day":"2024-03-01","start":null,"end":null,"_ingested_at":"2024-03-01T10:00:00Z"}'
	assert_line --index 1 '{"at":"2024-03-05T00:00:00Z","day":"2024-03-05","start":null,"end":null}'
	[ "${#lines[@]}" -eq 2 ]
	# the third record's date (UTC) is its ingestion's date: only "at" fails
	errs
	assert_output "$(printf '%s\n' 'at max greater than the maximum _ingested_at (2024-03-01T10:00:00Z)' \
	    'at max greater than the maximum _ingested_at (2024-03-01T10:00:00Z)' \
	    'at max the maximum _ingested_at is not a timestamp' \
	    'day max the maximum _ingested_at is not a date' \
	    'end min less than the minimum start (2024-03-01T10:00:00Z)')"
}

@test "min/max: a field's bound that changes between rows, and comes back, written otherwise (the last one cast is remembered)" {
	contract 'at timestamp max=_ingested_at'
	check '{"at":"2024-03-01T10:00:00Z","_ingested_at":"2024-03-01T10:00:00Z"}' \
	    '{"at":"2024-03-01T11:00:00Z","_ingested_at":"2024-03-01T12:00:00Z"}' \
	    '{"at":"2024-03-01T11:00:00Z","_ingested_at":"2024-03-01T10:00:00Z"}' \
	    '{"at":"2024-03-01T11:00:00Z","_ingested_at":"2024-03-01T10:00:00\u005a"}' \
	    '{"at":"2024-03-01T11:00:00Z","_ingested_at":1709290800}' \
	    '{"at":"2024-03-01T11:00:01Z","_ingested_at":1709290800}' \
	    '{"at":"2024-03-01T11:00:00Z","_ingested_at":"2024-03-01T12:00:00Z"}'
	assert_success
	[ "${#lines[@]}" -eq 4 ]
	assert_line --index 1 '{"at":"2024-03-01T11:00:00Z","_ingested_at":"2024-03-01T12:00:00Z"}'
	assert_line --index 2 '{"at":"2024-03-01T11:00:00Z","_ingested_at":1709290800}'
	errs
	assert_output "$(printf '%s\n' 'at max greater than the maximum _ingested_at (2024-03-01T10:00:00Z)' \
	    'at max greater than the maximum _ingested_at (2024-03-01T10:00:00Z)' \
	    'at max greater than the maximum _ingested_at (2024-03-01T11:00:00Z)')"
}

@test "in=: accepted values by value, quoted items, numbers compared as numbers" {
	contract 'ch string in=a,"b,c","",(none)' 'n decimal in=1.5,2' 'k int in=1,2' 'f bool in=true'
	check '{"ch":"a","n":1.50,"k":1.0,"f":"yes"}' '{"ch":"b,c","n":"2.00"}' '{"ch":""}' \
	    '{"ch":"(none)"}' '{"ch":"A","n":1.6,"k":3,"f":false}'
	assert_success
	assert_line --index 0 '{"ch":"a","n":1.50,"k":1,"f":true}'
	[ "${#lines[@]}" -eq 4 ]
	errs
	assert_output "$(printf '%s\n' 'ch in not one of a,"b,c","",(none)' 'n in not one of 1.5,2' \
	    'k in not one of 1,2' 'f in not one of true')"
}

@test "minlen/maxlen count characters, re= matches characters, unicode throughout" {
	contract 'prénom string minlen=2 maxlen=3 re=^[[:alpha:]]+$' 'code string re=^.{3}$'
	check '{"prénom":"Zoë","code":"été"}' '{"prénom":"日本","code":"\u00e9t\u00e9"}' \
	    '{"prénom":"Zoëy","code":"ab"}' '{"prénom":"Z1","code":"abcd"}' '{"prénom":"é"}'
	assert_success
	assert_line --index 0 '{"prénom":"Zoë","code":"été"}'
	assert_line --index 1 '{"prénom":"日本","code":"\u00e9t\u00e9"}'
	[ "${#lines[@]}" -eq 2 ]
	errs
	assert_output "$(printf '%s\n' 'prénom maxlen longer than 3 characters' 'code re not matching ^.{3}$' \
	    'prénom re not matching ^[[:alpha:]]+$' 'code re not matching ^.{3}$' \
	    'prénom minlen shorter than 2 characters')"
}

@test "re=: POSIX extended, matched against the unescaped string" {
	contract 'id string re=^e[0-9]{3}(-[a-z]+)?$' 'q string re="^a b|c$"'
	check '{"id":"e123"}' '{"id":"e123-x","q":"a b"}' '{"id":"\u0065123","q":"zc"}' \
	    '{"id":"e12"}' '{"id":"xe123"}' '{"id":"e123","q":"a  b"}'
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	errs
	assert_output "$(printf '%s\n' 'id re not matching ^e[0-9]{3}(-[a-z]+)?$' \
	    'id re not matching ^e[0-9]{3}(-[a-z]+)?$' 'q re not matching ^a b|c$')"
}

@test "scale=: at most so many places, written with exactly so many" {
	contract 'm decimal scale=2 min=0'
	check '{"m":12.5}' '{"m":"3"}' '{"m":1.230}' '{"m":1.234}' '{"m":-1.234}'
	assert_success
	assert_output $'{"m":12.50}\n{"m":3.00}\n{"m":1.23}'
	errs
	assert_output "$(printf '%s\n' 'm scale more than 2 decimal places' 'm min less than the minimum 0' \
	    'm scale more than 2 decimal places')"
}

@test "a record that fails several rules lists every failure, in the reject" {
	contract 'id int required' 'email string re=@ maxlen=5' 'spend decimal min=0' 'when date'
	printf '{"x":1}\n{"id":"one","email":"nobody-here","spend":-1,"when":"soon","_source":"raw.ndjson","_line":9}\n' > in.ndjson
	run mx-validate -c c.contract --rejects rej.ndjson in.ndjson
	assert_success
	assert_output ''
	run cat rej.ndjson
	assert_line --index 0 '{"x":1,"_reject":{"tool":"mx-validate","file":"in.ndjson","line":1,"rule":"required","reason":"id: missing","errors":[{"rule":"required","field":"id","value":null,"message":"missing"}]}}'
	assert_line --index 1 '{"id":"one","email":"nobody-here","spend":-1,"when":"soon","_source":"raw.ndjson","_line":9,"_reject":{"tool":"mx-validate","file":"raw.ndjson","line":9,"input_file":"in.ndjson","input_line":2,"rule":"type","reason":"id: not an int; email: longer than 5 characters; email: not matching @; spend: less than the minimum 0; when: not a date","errors":[{"rule":"type","field":"id","value":"one","message":"not an int"},{"rule":"maxlen","field":"email","value":"nobody-here","message":"longer than 5 characters"},{"rule":"re","field":"email","value":"nobody-here","message":"not matching @"},{"rule":"min","field":"spend","value":-1,"message":"less than the minimum 0"},{"rule":"type","field":"when","value":"soon","message":"not a date"}]}}'
	assert_ndjson rej.ndjson
}

@test "a reject keeps the record whole, and replaces an earlier _reject" {
	contract 'a int'
	check '{"a":"x","_reject":{"tool":"mx-ingest"},"b":[1, {"c":"}"}]}' '{ "a" : "y" }'
	assert_success
	run cat rej.ndjson
	assert_line --index 0 '{"a":"x","b":[1, {"c":"}"}],"_reject":{"tool":"mx-validate","file":"in.ndjson","line":1,"rule":"type","reason":"a: not an int","errors":[{"rule":"type","field":"a","value":"x","message":"not an int"}]}}'
	assert_line --index 1 '{ "a" : "y" ,"_reject":{"tool":"mx-validate","file":"in.ndjson","line":2,"rule":"type","reason":"a: not an int","errors":[{"rule":"type","field":"a","value":"y","message":"not an int"}]}}'
	assert_ndjson rej.ndjson
}

@test "lines that are not JSON objects are rejected with rule json and their raw text" {
	contract 'a int'
	printf '{"a":1}\nnot json\n[1]\n{"a":1,"a":2}\n{"a":"\xff"}\n\n  \n' > in.ndjson
	run mx-validate -c c.contract --rejects rej.ndjson --stats st.ndjson in.ndjson
	assert_success
	assert_output '{"a":1}'
	run jq -r '[._reject.rule, ._reject.line, ._reject.reason, (._raw // ._raw_base64)] | join(" | ")' rej.ndjson
	assert_line --index 0 "json | 2 | invalid JSON at column 1: unexpected 'n', expected a JSON value | not json"
	assert_line --index 1 'json | 3 | not a JSON object (an array) | [1]'
	assert_line --index 2 'json | 4 | invalid JSON at column 8: duplicate key in object | {"a":1,"a":2}'
	assert_line --index 3 'json | 5 | invalid JSON at column 7: invalid UTF-8 in string | eyJhIjoi/yJ9'
	run head -2 st.ndjson
	assert_line --index 0 '{"tool":"mx-validate","contract":"c.contract","files":1,"in":5,"valid":1,"rejected":4,"blank":2}'
	assert_line --index 1 '{"field":null,"rule":"json","failed":4}'
}

@test "without --rejects the first bad record ends the run, naming file, line and failures" {
	contract 'a int required' 'b string maxlen=2'
	printf '{"a":1}\n{"a":1.5,"b":"%s"}\n{"a":3}\n' "$(printf 'x%.0s' $(seq 100))" > in.ndjson
	run mx-validate -c c.contract in.ndjson
	assert_failure 1
	assert_line --index 0 '{"a":1,"b":null}'
	assert_line --index 1 "mx-validate: in.ndjson:2: a: 1.5: not an integer; b: \"$(printf 'x%.0s' $(seq 59))...: longer than 2 characters"
	[ "${#lines[@]}" -eq 2 ]
	printf '{"a":1}\n{"a":\n' > in.ndjson
	run mx-validate -c c.contract in.ndjson
	assert_failure 1
	assert_line --index 1 'mx-validate: in.ndjson:2: invalid JSON at column 6: unexpected end of input, expected a JSON value'
}

@test "--mark: every record out with is_valid_record and _errors (the Calendly silver schema)" {
	contract 'id int required' 'ch string default=(none)'
	printf '{"id":1,"_rid":"r1"}\n{"id":"x","ch":"fb","_rid":"r2","_errors":["old"]}\nnot json\n' > in.ndjson
	run mx-validate --mark -c c.contract in.ndjson
	assert_success
	assert_line --index 0 '{"id":1,"ch":"(none)","is_valid_record":true,"_rid":"r1","_errors":[]}'
	assert_line --index 1 '{"id":null,"ch":"fb","is_valid_record":false,"_rid":"r2","_errors":[{"rule":"type","field":"id","value":"x","message":"not an int"}]}'
	assert_line --index 2 "{\"id\":null,\"ch\":null,\"is_valid_record\":false,\"_raw\":\"not json\",\"_errors\":[{\"rule\":\"json\",\"field\":null,\"value\":null,\"message\":\"invalid JSON at column 1: unexpected 'n', expected a JSON value\"}]}"
	[ "${#lines[@]}" -eq 3 ]
	run mx-validate --mark --rejects rej.ndjson -c c.contract in.ndjson
	assert_success
	run jq -c '[._reject.rule, .id]' rej.ndjson
	assert_output $'["type","x"]\n["json",null]'
	printf 'is_valid_record bool\n' > bad.contract
	run mx-validate --mark -c bad.contract in.ndjson
	assert_failure 2
	assert_output 'mx-validate: bad.contract: --mark adds the field is_valid_record, which the contract names'
}

@test "--keep: fields the contract does not name are kept, after its own" {
	contract 'id int' 'src string from=meta.src' 'who string from=user'
	check '{"user":"u","x":1,"id":2,"meta":{"src":"s"},"_line":4,"y":[1]}'
	run mx-validate -k -c c.contract in.ndjson
	assert_success
	assert_output '{"id":2,"src":"s","who":"u","x":1,"meta":{"src":"s"},"y":[1],"_line":4}'
	run mx-validate --keep --mark -c c.contract in.ndjson
	assert_success
	assert_output '{"id":2,"src":"s","who":"u","x":1,"meta":{"src":"s"},"y":[1],"is_valid_record":true,"_line":4,"_errors":[]}'
}

@test "thresholds: --max-rejects and --max-reject-rate exit 1 after all output is written" {
	contract 'a int'
	printf '{"a":1}\n{"a":"x"}\n{"a":2}\n{"a":"y"}\n' > in.ndjson
	run mx-validate -c c.contract --rejects rej.ndjson --max-rejects 2 in.ndjson
	assert_success
	run mx-validate -c c.contract --rejects rej.ndjson --max-rejects 1 in.ndjson
	assert_failure 1
	assert_line --index 0 '{"a":1}'
	assert_line --index 1 '{"a":2}'
	assert_line --index 2 'mx-validate: 2 records rejected, more than --max-rejects 1'
	[ "$(wc -l < rej.ndjson)" -eq 2 ]
	run mx-validate -c c.contract --rejects rej.ndjson --max-reject-rate 0.5 in.ndjson
	assert_success
	run mx-validate -c c.contract --mark --max-reject-rate 0.25 --max-rejects 0 in.ndjson
	assert_failure 1
	assert_line --index 4 'mx-validate: 2 records rejected, more than --max-rejects 0'
	assert_line --index 5 'mx-validate: 2 of 4 records rejected (0.5), more than --max-reject-rate 0.25'
	run mx-validate -c c.contract --max-rejects 1 in.ndjson
	assert_failure 2
	assert_output --partial '--max-rejects and --max-reject-rate need --rejects or --mark'
	run mx-validate -c c.contract --mark --max-reject-rate 1.5 in.ndjson
	assert_failure 2
}

@test "counts per rule: -v on stderr, --stats as NDJSON with every rule" {
	contract 'a int required min=0' 'b string in=x'
	printf '{"a":-1,"b":"y"}\n{"b":"x"}\n{"a":1,"b":"x"}\n' > one.ndjson
	printf '{"a":"?"}\n\n' > two.ndjson
	run mx-validate -v -c c.contract --rejects rej.ndjson --stats st.ndjson -o one.ndjson two.ndjson
	assert_failure 2
	run sh -c 'mx-validate -v -c c.contract --rejects rej.ndjson --stats st.ndjson one.ndjson two.ndjson > out'
	assert_success
	assert_output "$(printf '%s\n' \
	    'mx-validate: one.ndjson: 3 in, 1 valid, 2 rejected' \
	    'mx-validate: two.ndjson: 1 in, 0 valid, 1 rejected' \
	    'mx-validate: total: 4 in, 1 valid, 3 rejected' \
	    'mx-validate: a: type: 1 failed' 'mx-validate: a: required: 1 failed' \
	    'mx-validate: a: min: 1 failed' 'mx-validate: b: in: 1 failed')"
	run cat out
	assert_output '{"a":1,"b":"x"}'
	run cat st.ndjson
	assert_output "$(printf '%s\n' \
	    '{"tool":"mx-validate","contract":"c.contract","files":2,"in":4,"valid":1,"rejected":3,"blank":1}' \
	    '{"field":null,"rule":"json","failed":0}' \
	    '{"field":"a","rule":"type","failed":1}' '{"field":"a","rule":"required","failed":1}' \
	    '{"field":"a","rule":"min","failed":1}' \
	    '{"field":"b","rule":"type","failed":0}' '{"field":"b","rule":"in","failed":1}')"
}

@test "malformed contracts are errors with their line number (exit 2)" {
	bad() {
		printf '%s\n' '# a comment' '' 'ok int' "$1" > bad.contract
		run mx-validate -c bad.contract /dev/null
		assert_failure 2
		assert_output "mx-validate: bad.contract:4: $2"
	}
	bad 'x strng' "unknown type 'strng' (string, int, decimal, number, bool, date, timestamp or json)"
	bad 'x' "'x' has no type"
	bad 'x int bogus=1' "unknown rule 'bogus'"
	bad 'x int min=1 min=2' 'min given twice'
	bad 'x int required nullable' 'a field is either required or nullable'
	bad 'x int required=yes' 'required takes no value'
	bad 'x int min' 'min needs a value: min=...'
	bad 'x int min=' 'min=: an empty value'
	bad 'x int min=1.5' "min=: '1.5' is not an integer"
	bad 'x date max=2024-02-30' "max=: '2024-02-30' is not a date"
	bad 'x int min=5 max=1' 'min=5 is greater than max=1'
	bad 'x string min=1' 'min applies to int, decimal, number, date and timestamp fields, not to string'
	bad 'x int re=a' 're applies to string fields, not to int'
	bad 'x json in=1' 'in applies to every type but json fields, not to json'
	bad 'x decimal scale=19' "scale=: '19' is not a whole number from 0 to 18"
	bad 'x string minlen=3 maxlen=2' 'minlen=3 is greater than maxlen=2'
	bad 'x string maxlen=-1' "maxlen=: '-1' is not a whole number from 0 to 2147483647"
	bad 'x string re=(' 're=: Unmatched ( or \('
	bad 'x string re=' 're=: an empty pattern'
	bad 'x string re=a++' 're=: repetitions one after another (such as a+*)'
	bad 'x string re=((a{100}){100}){100}' 're=: too large once its repetitions are expanded (minlen= and maxlen= bound lengths)'
	bad 'x string in=a,,b' 'in=: an empty item (write "" for the empty string)'
	bad 'x string in=a,a' 'in=: a value listed twice'
	bad 'x int in=1,two' "in=: 'two' is not an int"
	bad 'x string default=a"b"' 'default: a quote inside an unquoted value (quote the whole value)'
	bad 'x string default="abc' 'unterminated quoted string'
	bad 'x string default="\q"' 'default: bad quoted string: invalid JSON at column 2: invalid escape in string'
	bad 'x int default=x' "default=: 'x' is not an int"
	bad 'x int required default=1' 'default= never applies to a required field'
	bad 'x int default=0 min=1' "default=: '0' fails its own rule min: less than the minimum 1"
	bad 'x json default=null' 'default=: null is no default'
	bad 'x json default={' 'default=: not a JSON value: invalid JSON at column 2: unexpected end of input, expected a string key'
	bad 'x string from=a..b' "'a..b' is not a path (an empty component)"
	bad 'x string from=a[k].b' "from=: '[k].b' is not a selector [key=value]"
	bad 'x string from=a[=v]' "from=: '[=v]' is not a selector [key=value]"
	bad 'x string from=a[k=v' "from=: '[k=v' is not a selector [key=value]"
	bad 'x string from=a[k=v]bc' "from=: '.' or '[' expected after ']', not 'bc'"
	bad 'x string from=a[k=v]..b' "from=: 'a[k=v]..b' is not a path (an empty component)"
	bad 'x string from=[k=v].b' "'[k=v].b' is not a path (an empty component)"
	bad 'ok string' "'ok' is defined twice (first on line 3)"
	bad '_x string' "'_x': names beginning with '_' are mx metadata"
	bad '"" string' 'an empty name'
	bad '"a\nb" string' 'a control character in the name'
}

@test "from= selectors pick an element of a key/value array by its key, in any order (GA4 event_params, Meta actions)" {
	contract 'user string required from=user_pseudo_id' \
	    'session int required from=event_params[key=ga_session_id].value.int_value' \
	    'page string from=event_params[key=page_location].value.string_value' \
	    'engaged int from=event_params[key=engagement_time_msec].value.int_value default=0' \
	    'leads int from=actions[action_type=offsite_conversion.fb_pixel_lead].value default=0' \
	    'n int from=codes[code=7].tags.1' \
	    'at timestamp from=event_timestamp' \
	    'hour int from=hour(stamps[k=t].v)' \
	    'lit string from=a\[b'
	check '{"user_pseudo_id":"u1","event_timestamp":"1709546700123456","event_params":[{"key":"page_location","value":{"string_value":"https://x/a"}},{"value":{"int_value":"1709546000"},"key":"ga_session_id"}],"actions":[{"action_type":"link_click","value":"4"},{"action_type":"offsite_conversion.fb_pixel_lead","value":"2"}],"codes":[{"code":"7","tags":[1,2]},{"code":7,"tags":[3,4]}],"stamps":[{"k":"t","v":"2024-03-04T10:59:00Z"}],"a[b":"x"}' \
	    '{"user_pseudo_id":"u2","event_params":[1,"s",{"key":"page_location"},{"key":"ga_session_id","value":{"int_value":5}},{"key":"engagement_time_msec","value":{"int_value":"80"}}],"actions":{"action_type":"offsite_conversion.fb_pixel_lead"},"codes":[]}' \
	    '{"user_pseudo_id":"u3","event_params":[{"key":"ga_session_id","value":{"int_value":"1"}},{"key":"ga_session_id","value":{"int_value":"2"}}]}' \
	    '{"user_pseudo_id":"u4","event_params":[{"key":"ga_session_id","value":{"string_value":"1"}}]}' \
	    '{"user_pseudo_id":"u5","event_params":{"key":"ga_session_id","value":{"int_value":"1"}}}' \
	    '{"user_pseudo_id":"u6","event_params":[{"key":"ga_session_id","value":{"int_value":"1.5"}}]}'
	assert_success
	# a string value "7" and a number 7 both have code=7: the first two
	# records pick, the third has two, the others none
	assert_output '{"user":"u2","session":5,"page":null,"engaged":80,"leads":0,"n":null,"at":null,"hour":null,"lit":null}'
	errs
	assert_output 'n type more than one element has code=7
session type more than one element has key=ga_session_id
session required missing
session required missing
session type not an integer'
	# one element per key: u1 again
	check '{"user_pseudo_id":"u1","event_timestamp":"1709546700123456","event_params":[{"key":"page_location","value":{"string_value":"https://x/a"}},{"value":{"int_value":"1709546000"},"key":"ga_session_id"}],"actions":[{"action_type":"link_click","value":"4"},{"action_type":"offsite_conversion.fb_pixel_lead","value":"2"}],"codes":[{"code":"7","tags":[1,2]},{"code":8,"tags":[3,4]}],"stamps":[{"k":"t","v":"2024-03-04T10:59:00Z"}],"a[b":"x"}'
	assert_success
	assert_output '{"user":"u1","session":1709546000,"page":"https://x/a","engaged":0,"leads":2,"n":2,"at":"2024-03-04T10:05:00.123456Z","hour":10,"lit":"x"}'
}

@test "contract files: comments, quoting, CRLF, errors about the whole file" {
	printf '# c\r\n"First Name"\tstring\tfrom="First Name"  re="^[A-Z][a-z]+ ?$" # trailing\r\n\r\nage int min=0 max=150#not-a-comment\r\n' > c.contract
	run mx-validate -c c.contract --rejects /dev/null in.ndjson
	assert_failure 2
	assert_output "mx-validate: c.contract:4: max=: '150#not-a-comment' is not an int"
	printf '# c\r\n"First Name"\tstring\tfrom="First Name"  re="^[A-Z][a-z]+ ?$" # trailing\r\n\r\nage int min=0 max=150 # a comment\r\n' > c.contract
	printf '{"First Name":"Ann ","age":"42"}\n' > in.ndjson
	run mx-validate -c c.contract in.ndjson
	assert_success
	assert_output '{"First Name":"Ann ","age":42}'
	printf '# nothing\n\n' > empty.contract
	run mx-validate -c empty.contract in.ndjson
	assert_failure 2
	assert_output 'mx-validate: empty.contract: no fields'
	printf 'a string\nb\xff int\n' > latin.contract
	run mx-validate -c latin.contract in.ndjson
	assert_failure 2
	assert_output 'mx-validate: latin.contract:2: not UTF-8 text'
	run mx-validate -c nosuch.contract in.ndjson
	assert_failure 2
	assert_output 'mx-validate: nosuch.contract: No such file or directory'
}

@test "a real Calendly webhook through mx-ingest and the seed contract" {
	run sh -c "mx-ingest '$FIX/calendly_created.json' '$FIX/calendly_canceled.json' |
	    mx-validate --mark -c '$CONTRACTS/calendly.contract'"
	assert_success
	assert_line --index 0 --regexp '^\{"invitee_id":"https://api\.calendly\.com/scheduled_events/DDVRNUTABYGF4LO2/invitees/AHT4VZ5PQYFOSTFB","event_type":"invitee\.created","delivered_at":"2020-12-22T18:15:56Z","booked_at":"2020-12-22T18:15:55\.361675Z","booking_date":"2020-12-22","status":"active","rescheduled":false,"old_invitee":null,"new_invitee":null,"event_start_time":null,"event_date":null,"hosts":\[\],"channel":"direct","utm_source":null,"utm_medium":null,"utm_campaign":null,"invitee_email":"betty@rei\.com","ingestion_date":"2023-11-14","is_valid_record":true,"_source":"[^"]*calendly_created\.json","_line":1,"_ingested_at":"2023-11-14T22:13:20Z","_rid":"[0-9a-f]{16}","_errors":\[\]\}$'
	assert_line --index 1 --partial '"event_type":"invitee.canceled","delivered_at":"2020-12-22T18:16:59Z",'
	assert_line --index 1 --partial '"status":"canceled",'
	assert_line --index 1 --partial '"is_valid_record":true,'
	# without mx-ingest there is no ingestion time: required
	run mx-validate --mark -c "$CONTRACTS/calendly.contract" "$FIX/calendly_created.json"
	assert_success
	assert_output --partial '"is_valid_record":false'
}

@test "the Calendly contract on full v2 payloads: nested hosts, UTM, reschedules, bad rows" {
	py() {
		python3 - "$@" <<'EOF'
import json, sys
def hook(event, uri, created, start, email, src, old=None, status="active", resched=False):
    p = {"uri": uri, "email": "Zoë.O'Brien@example.com", "created_at": created, "status": status, "rescheduled": resched,
         "old_invitee": old, "tracking": {"utm_source": src, "utm_medium": "paid_ads" if src else None}}
    if start is not None:
        p["scheduled_event"] = {"start_time": start, "event_memberships": [{"user_email": email}, {"user_email": "second@x.com"}]}
    return {"event": event, "created_at": created, "payload": p}
base = "https://api.calendly.com/scheduled_events/EV%d/invitees/INV%d"
rows = [
  hook("invitee.created", base % (1, 1), "2024-03-01T09:00:00.123456Z", "2024-03-04T15:00:00.000000Z", "host@acme.com", "facebook"),
  hook("invitee.canceled", base % (1, 1), "2024-03-01T09:00:00Z", "2024-03-04T15:00:00Z", "host@acme.com", "facebook", status="canceled", resched=True),
  hook("invitee.created", base % (2, 2), "2024-03-02T18:30:00-05:00", "2024-03-05T10:00:00Z", "host@acme.com", None, old=base % (1, 1)),
  hook("invitee_no_show.created", "https://example.com/x", "2024-03-09T00:00:00Z", None, None, "x", status="gone"),
]
for r in rows:
    r["_ingested_at"] = "2024-03-03T00:00:00Z"
    print(json.dumps(r))
EOF
	}
	py > in.ndjson
	run mx-validate -c "$CONTRACTS/calendly.contract" --rejects rej.ndjson in.ndjson
	assert_success
	assert_line --index 0 '{"invitee_id":"https://api.calendly.com/scheduled_events/EV1/invitees/INV1","event_type":"invitee.created","delivered_at":"2024-03-01T09:00:00.123456Z","booked_at":"2024-03-01T09:00:00.123456Z","booking_date":"2024-03-01","status":"active","rescheduled":false,"old_invitee":null,"new_invitee":null,"event_start_time":"2024-03-04T15:00:00Z","event_date":"2024-03-04","hosts":[{"user_email": "host@acme.com"}, {"user_email": "second@x.com"}],"channel":"facebook_paid_ads","utm_source":"facebook","utm_medium":"paid_ads","utm_campaign":null,"invitee_email":"Zo\u00eb.O'"'"'Brien@example.com","ingestion_date":"2024-03-03","_ingested_at":"2024-03-03T00:00:00Z"}'
	assert_line --index 1 --partial '"event_type":"invitee.canceled","delivered_at":"2024-03-01T09:00:00Z","booked_at":"2024-03-01T09:00:00Z","booking_date":"2024-03-01","status":"canceled","rescheduled":true,'
	assert_line --index 2 '{"invitee_id":"https://api.calendly.com/scheduled_events/EV2/invitees/INV2","event_type":"invitee.created","delivered_at":"2024-03-02T23:30:00Z","booked_at":"2024-03-02T23:30:00Z","booking_date":"2024-03-02","status":"active","rescheduled":false,"old_invitee":"https://api.calendly.com/scheduled_events/EV1/invitees/INV1","new_invitee":null,"event_start_time":"2024-03-05T10:00:00Z","event_date":"2024-03-05","hosts":[{"user_email": "host@acme.com"}, {"user_email": "second@x.com"}],"channel":"direct","utm_source":null,"utm_medium":null,"utm_campaign":null,"invitee_email":"Zo\u00eb.O'"'"'Brien@example.com","ingestion_date":"2024-03-03","_ingested_at":"2024-03-03T00:00:00Z"}'
	[ "${#lines[@]}" -eq 3 ]
	errs
	assert_output "$(printf '%s\n' \
	    'invitee_id re not matching ^https://api\.calendly\.com/scheduled_events/[^/]+/invitees/[^/]+$' \
	    'event_type in not one of invitee.created,invitee.canceled' \
	    'booked_at max greater than the maximum _ingested_at (2024-03-03T00:00:00Z)' \
	    'status in not one of active,canceled')"
}

@test "the seed contracts accept the BRIEF's record shapes and catch their defects" {
	printf '%s\n' \
	    '{"event_id":"e000000001","timestamp":"2024-03-01T10:00:00.123Z","user_id":"u000123","session_id":"s00001234","event_type":"page_view","product_id":"p00042","quantity":1,"price":19.99,"category":"electronics","search_query":null}' \
	    '{"event_id":"e000000002","timestamp":"2024-03-01T10:00:01.000Z","user_id":"u000123","session_id":"s00001234","event_type":"search","product_id":null,"quantity":null,"price":null,"category":null,"search_query":"lamp"}' \
	    '{"event_id":"e000000003","timestamp":"03/01/2024 10:00:00","user_id":"u000123","session_id":"s00001234","event_type":"checkout","product_id":"p00042","quantity":1.5,"price":"free","category":"electronics","search_query":null}' > ecom.ndjson
	run mx-validate -c "$CONTRACTS/ecommerce.contract" --rejects rej.ndjson ecom.ndjson
	assert_success
	assert_line --index 0 '{"event_id":"e000000001","timestamp":"2024-03-01T10:00:00.123Z","user_id":"u000123","session_id":"s00001234","event_type":"page_view","product_id":"p00042","quantity":1,"price":19.99,"category":"electronics","search_query":null,"event_hour":10}'
	[ "${#lines[@]}" -eq 2 ]
	errs
	assert_output "$(printf '%s\n' 'timestamp type not a timestamp' \
	    'event_type in not one of page_view,add_to_cart,remove_from_cart,purchase,search' \
	    'quantity type not an integer' 'price type not a decimal' \
	    'event_hour type hour() cannot read it: not a timestamp')"
	printf '%s\n' '{"date":"2024-03-01","channel":"facebook_paid_ads","spend":123.4}' \
	    '{"date":"03/01/2024","spend":-5}' > spend.ndjson
	run mx-validate -c "$CONTRACTS/spend.contract" --rejects rej.ndjson spend.ndjson
	assert_success
	assert_output '{"date":"2024-03-01","channel":"facebook_paid_ads","spend":123.40}'
	errs
	assert_output $'date type not a date\nchannel required missing\nspend min less than the minimum 0'
	printf '%s\n' '{"event_type":"click","click_id":"c000000001","advertiser":"adv_001","ad_id":"ad_0001","amount":0.35,"budget_value":500.00,"timestamp":"2024-03-01T10:00:00Z"}' \
	    '{"event_type":"hover","advertiser":"adv_001","ad_id":"ad_0001","amount":"n/a","budget_value":500.00,"timestamp":"2024-03-01T10:00:00Z"}' > ads.ndjson
	run mx-validate -c "$CONTRACTS/adclicks.contract" --rejects rej.ndjson ads.ndjson
	assert_success
	assert_output '{"event_type":"click","click_id":"c000000001","advertiser":"adv_001","ad_id":"ad_0001","amount":0.35,"budget_value":500.00,"timestamp":"2024-03-01T10:00:00Z"}'
	errs
	assert_output $'event_type in not one of click,impression\nclick_id required missing\namount type not a decimal'
}

@test "a reject names the raw file and line of its record (_source, _line), and where it was read" {
	contract 'id int required'
	printf '{"id":1}\n{"x":2}\n\n{"id":"three"}\n' > raw.ndjson
	mx-ingest raw.ndjson | gzip > bronze.ndjson.gz
	# as the lake reads bronze: through a pipe
	run sh -c 'zcat bronze.ndjson.gz | mx-validate -c c.contract --rejects rej.ndjson'
	assert_success
	assert_line --index 0 --partial '{"id":1,"_source":"raw.ndjson","_line":1,'
	run jq -c '._reject | [.file, .line, .input_file, .input_line, .rule]' rej.ndjson
	assert_success
	assert_output "$(printf '%s\n' '["raw.ndjson",2,"<stdin>",2,"required"]' \
	    '["raw.ndjson",4,"<stdin>",3,"type"]')"
	# without --rejects the message says both
	run sh -c 'zcat bronze.ndjson.gz | mx-validate -c c.contract'
	assert_failure 1
	assert_line --index 1 'mx-validate: <stdin>:2: id: missing (from raw.ndjson:2)'
	# a _source is written as the record holds it, and shown safely
	printf '%s\n' '{"x":1,"_source":"a\u0041\u001b\n","_line":7}' > odd.ndjson
	run mx-validate -c c.contract --rejects rej.ndjson odd.ndjson
	assert_success
	run grep -c '"file":"a\\u0041\\u001b\\n","line":7,"input_file":"odd.ndjson","input_line":1,' rej.ndjson
	assert_output 1
	run mx-validate -c c.contract odd.ndjson
	assert_failure 1
	assert_output 'mx-validate: odd.ndjson:1: id: missing (from aA\u001b\n:7)'
	# no provenance, or one that is not a string and a whole number: the
	# place it was read, as before; a line that is not JSON likewise
	printf '%s\n' '{"x":1,"_source":"s"}' '{"x":1,"_source":"s","_line":1.5}' \
	    '{"x":1,"_source":3,"_line":4}' '{"x":1,"_line":-2,"_source":"s"}' 'nope' > none.ndjson
	run mx-validate -c c.contract --rejects rej.ndjson none.ndjson
	assert_success
	run jq -c '._reject | [.file, .line, .input_file]' rej.ndjson
	assert_output "$(printf '["none.ndjson",%d,null]\n' 1 2 3 4 5)"
	assert_ndjson rej.ndjson
}

@test "input: several files, standard input, gzip, CRLF, blank lines" {
	contract 'a int'
	printf '{"a":1}\r\n\n{"a":2}' | gzip > one.gz
	printf '{"a":3}\n' > two.ndjson
	run sh -c 'printf "{\"a\":4}\n" | mx-validate -c c.contract one.gz - two.ndjson'
	assert_success
	assert_output $'{"a":1}\n{"a":2}\n{"a":4}\n{"a":3}'
	run sh -c 'printf "{\"a\":\"x\"}\n" | mx-validate -c c.contract --rejects rej.ndjson'
	assert_success
	run jq -r ._reject.file rej.ndjson
	assert_output '<stdin>'
}

@test "the rejects file appears complete, devices are written in place" {
	contract 'a int'
	printf '{"a":"x"}\n' > in.ndjson
	run mx-validate -c c.contract --rejects sub/missing/rej.ndjson in.ndjson
	assert_failure 1
	assert_output --partial 'sub/missing/rej.ndjson'
	run sh -c 'ls -a | grep tmp'
	assert_failure
	# /dev/stderr names the descriptor, even when a file is behind it
	run sh -c 'mx-validate -c c.contract --rejects /dev/stderr in.ndjson 2> err.txt; cat err.txt'
	assert_success
	assert_output --partial '"_reject":{"tool":"mx-validate"'
	[ -L /dev/stderr ]
}

@test "a closed stdout ends the run quietly; a full one is an error" {
	contract 'i int'
	python3 -c '
for i in range(300000): print("{\"i\":%d}" % i)' > big.ndjson
	run bash -c 'mx-validate -c c.contract big.ndjson | head -1; echo "status ${PIPESTATUS[0]}"'
	assert_output $'{"i":0}\nstatus 141'
	run sh -c 'mx-validate -c c.contract big.ndjson > /dev/full'
	assert_failure 1
	assert_output 'mx-validate: write error: <stdout>: No space left on device'
}

@test "bad options and unreadable input" {
	run mx-validate /dev/null
	assert_failure 2
	assert_line --index 0 'mx-validate: no contract (-c file)'
	contract 'a int'
	run mx-validate -c c.contract nosuch.ndjson
	assert_failure 1
	assert_output --partial 'nosuch.ndjson: No such file or directory'
	run mx-validate -c c.contract --max-rejects x /dev/null
	assert_failure 2
	run mx-validate -c c.contract --max-depth 0 /dev/null
	assert_failure 2
}

@test "a contract path no record had: said for a required field, with -v for an optional one, an error with --strict" {
	printf '%s\n' 'id     string  required' 'email  string  required from=user.emial' \
	    'note   string  from=user.nots' 'name   string  from=user.name' > c.contract
	printf '%s\n' '{"id":"a","user":{"email":"x","name":"n"}}' '{"id":"b","user":{"email":"y"}}' > in.ndjson
	run --separate-stderr mx-validate -c c.contract --rejects rej.ndjson in.ndjson
	assert_success
	assert_output ''
	[ "$stderr" = "mx-validate: c.contract:2: no record had the field 'user.emial' (a typo?)" ]
	run --separate-stderr mx-validate -v -c c.contract --rejects rej.ndjson in.ndjson
	assert_success
	[ "$(printf '%s\n' "$stderr" | grep 'no record')" = "$(printf '%s\n' \
	    "mx-validate: c.contract:2: no record had the field 'user.emial' (a typo?)" \
	    "mx-validate: c.contract:3: no record had the field 'user.nots' (a typo?)")" ]
	# the typo mended: nothing is said but with -v; --strict fails on
	# the optional path, once the valid records are written
	sed -i 's/emial/email/' c.contract
	run --separate-stderr mx-validate -c c.contract in.ndjson
	assert_success
	assert_output "$(printf '%s\n' '{"id":"a","email":"x","note":null,"name":"n"}' '{"id":"b","email":"y","note":null,"name":null}')"
	[ -z "$stderr" ]
	run --separate-stderr mx-validate --strict -c c.contract in.ndjson
	assert_failure 1
	assert_output "$(printf '%s\n' '{"id":"a","email":"x","note":null,"name":"n"}' '{"id":"b","email":"y","note":null,"name":null}')"
	[ "$stderr" = "mx-validate: c.contract:3: no record had the field 'user.nots'" ]
	# no record: nothing to say
	run mx-validate --strict -c c.contract /dev/null
	assert_success
	assert_output ''
}

@test "same input, same bytes" {
	printf '{"date":"2024-03-01","channel":"a","spend":"1.5"}\n{"date":"x"}\n' > in.ndjson
	mx-validate -c "$CONTRACTS/spend.contract" --rejects r1 in.ndjson > o1
	mx-validate -c "$CONTRACTS/spend.contract" --rejects r2 in.ndjson > o2
	cmp o1 o2
	cmp r1 r2
	run cat o1
	assert_output '{"date":"2024-03-01","channel":"a","spend":1.50}'
}

@test "man page: the contracts shown are the seed files, the commands run as written" {
	man_example mx-validate.1 > ex.txt
	# each block after '.\" file: NAME' is scripts/contracts/NAME
	for f in $(sed -n 's/^\.\\" file: //p' ex.txt); do
		sed -n "/^\.\\\\\" file: $f\$/,/^\.Ed/p" ex.txt | sed '1,2d;$d' |
		    sed 's/\\e/\\/g' > "shown.$f"
		run diff "shown.$f" "$CONTRACTS/$f"
		assert_success
	done
	[ -s shown.calendly.contract ]
	# map=../channels.tsv is read beside the contracts' directory
	cp "$CONTRACTS/../channels.tsv" .
	mkdir w && cd w
	cp "$CONTRACTS"/*.contract .
	mkdir bronze silver hooks
	printf '%s\n' '{"date":"2024-03-01","channel":"fb","spend":1}' '{"date":"2024-03-01","channel":"fb","spend":-3}' > bronze/spend.ndjson
	printf '%s\n' '{"event_type":"click","click_id":"c1","advertiser":"a","ad_id":"d","amount":0.1,"timestamp":"2024-03-01T00:00:00Z"}' > bronze/clicks.ndjson
	cp "$FIX/calendly_created.json" hooks/
	awk '/^\.\\" file:/ { skip = 1 } /^\.Bd/ && !skip { on = 1; next } /^\.Ed/ { on = 0; skip = 0; next } on' ../ex.txt |
	    sed 's/\\e/\\/g' > ex.sh
	run bash -c 'set -e; . ./ex.sh'
	assert_success
	assert_output '      1 spend min'
	run cat silver/spend.ndjson
	assert_output '{"date":"2024-03-01","channel":"fb","spend":1.00}'
	run jq -c '[.invitee_id != null, .is_valid_record]' silver/calendly.ndjson
	assert_output '[true,true]'
	run head -1 clicks.stats.ndjson
	assert_output '{"tool":"mx-validate","contract":"adclicks.contract","files":1,"in":1,"valid":1,"rejected":0,"blank":0}'
}

@test "re=: the fast matcher of simple patterns agrees with regexec" {
	# each pattern twice: as written (simple: matched by mx) and inside a
	# group (left to regexec); no record may pass one and fail the other
	python3 - <<'PY'
import json, random
random.seed(4)
atoms = ["a", "b", "e", "0", "\\.", ".", "[0-9]", "[a-c]", "[^a]", "[[:digit:]]",
         "[^@[:space:]]", "[]a]", "[a-]", "-", "_", "[[:alpha:]_]", " ", "[[:punct:]]"]
quants = ["", "", "", "*", "+", "?", "{2}", "{1,3}", "{0,}", "{2,}", "{0}"]
pats = ["^$", "^.*$", "a*", "^a{0}$"]
while len(pats) < 150:
    p = "".join(random.choice(atoms) + random.choice(quants) for _ in range(random.randint(1, 5)))
    pats.append(("^" if random.random() < .6 else "") + p + ("$" if random.random() < .6 else ""))
with open("c.contract", "w") as f:
    for i, p in enumerate(pats):
        f.write("f%d string from=s re=%s\n" % (i, json.dumps(p)))
        f.write("g%d string from=s re=%s\n" % (i, json.dumps("(" + p + ")")))
with open("in.ndjson", "w") as f:
    for s in ["", "a", "e0", "\u00e9a", "a\u0000b", "x" * 70]:
        f.write(json.dumps({"s": s}) + "\n")
    for _ in range(200):
        f.write(json.dumps({"s": "".join(random.choice("ab e0_.-9@ ]A!") for _ in range(random.randint(0, 12)))}) + "\n")
PY
	mx-validate --mark -c c.contract in.ndjson > out.ndjson
	run jq -r '._errors | map(.field[1:]) | group_by(.) | map(select(length == 1)) | .[][]' out.ndjson
	assert_success
	assert_output ''
	# and both outcomes are frequent: of 206 x 300 checks, over 10000 fail
	# and over 10000 pass
	run jq -s '[.[]._errors | length] | add' out.ndjson
	[ "$output" -gt 10000 ] && [ "$output" -lt 51800 ]
}

@test "the seed contracts on mx-gen data of every domain reject exactly the invalid records" {
	# ingested after the generated month (March 2024)
	export SOURCE_DATE_EPOCH=1712000000
	run mx-gen -n 4000 --invalid-rate 0.03 --malformed-rate 0.01 --dup-rate 0.01 \
	    --key-dup-rate 0.01 --late-rate 0.02 --stats gen.ndjson -d raw all
	assert_success
	for pair in ecommerce.ndjson:ecommerce spend.ndjson:spend adclicks.ndjson:adclicks \
	    calendly.ndjson:calendly customers.csv:customers online_sales.csv:online_sales \
	    marketing_spend.csv:spend; do
		f=${pair%%:*}
		c=${pair##*:}
		mx-ingest --rejects "ing.$f" "raw/$f" |
		    mx-validate -c "$CONTRACTS/$c.contract" --rejects "val.$f" > "out.$f"
		want=$(jq -r --arg f "raw/$f" 'select(.file == $f) | "\(.malformed) \(.invalid) \(.lines - .malformed - .invalid)"' gen.ndjson)
		got="$(wc -l < "ing.$f") $(wc -l < "val.$f") $(wc -l < "out.$f")"
		[ "$got" = "$want" ] || fail "$f: malformed, invalid, valid: got $got, want $want"
		[ "$(jq -r --arg f "raw/$f" 'select(.file == $f) | .invalid' gen.ndjson)" -gt 0 ]
	done
	# the marked Calendly silver table: every delivery, invalid ones flagged
	run sh -c "mx-ingest --rejects /dev/null raw/calendly.ndjson | mx-validate --mark -c '$CONTRACTS/calendly.contract' |
	    jq -r .is_valid_record | sort | uniq -c"
	assert_success
	assert_output "$(jq -r 'select(.domain == "calendly") | "\(.invalid) false\n\(.lines - .malformed - .invalid) true"' gen.ndjson |
	    awk '{ printf "%7d %s\n", $1, $2 }')"
}
