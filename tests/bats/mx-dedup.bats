#!/usr/bin/env bats
# mx-dedup: keep first, last, latest-by; keys by value; null keys; bad
# records; counts; spilling gives the same bytes; --seen across runs.

load helper

# n records with integer ids that repeat, timestamps that tie, and a
# record without an id every 97 lines.
gen() {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			if (i % 97 == 50) {
				printf "{\"ts\":\"2024-03-01T00:00:00Z\",\"n\":%d}\n", i
				continue
			}
			printf "{\"id\":%d,\"ts\":\"2024-03-01T%02d:%02d:00Z\",\"n\":%d}\n",
			    (i * 7919) % 1700, (i * 13) % 24, (i * 17) % 60, i
		}
	}'
}

@test "keep-first: the first record of each key, in input order, bytes kept" {
	printf '{"id":"a","v":1}\n{"id":"b","v":2}\n{"id":"a","v":3}\n{"id":"c","v":4.50}\n{"id":"b","v":5}\n' > in.ndjson
	run mx-dedup -v -k id in.ndjson
	assert_success
	assert_output '{"id":"a","v":1}
{"id":"b","v":2}
{"id":"c","v":4.50}
mx-dedup: 5 in, 3 out, 2 duplicates, 0 seen, 0 null keys, 0 rejected'
}

@test "numbers are keys by value: 1, 1.0, 1e0, 10e-1; 0 and -0; big numbers exact" {
	printf '%s\n' '{"k":1,"i":1}' '{"k":1.0,"i":2}' '{"k":1e0,"i":3}' \
	    '{"k":10e-1,"i":4}' '{"k":0.1e1,"i":5}' '{"k":0,"i":6}' '{"k":-0.0,"i":7}' \
	    '{"k":12345678901234567890,"i":8}' '{"k":12345678901234567891,"i":9}' \
	    '{"k":1.2345678901234567890e19,"i":10}' > in.ndjson
	run mx-dedup -k k in.ndjson
	assert_success
	assert_output '{"k":1,"i":1}
{"k":0,"i":6}
{"k":12345678901234567890,"i":8}
{"k":12345678901234567891,"i":9}'
}

@test "strings are keys after unescaping; a string is not a number" {
	printf '%s\n' '{"k":"A","i":1}' '{"k":"\u0041","i":2}' '{"k":"\/x","i":3}' \
	    '{"k":"/x","i":4}' '{"k":"1","i":5}' '{"k":1,"i":6}' '{"k":true,"i":7}' \
	    '{"k":"true","i":8}' '{"k":"\ud83d\ude00","i":9}' '{"k":"😀","i":10}' > in.ndjson
	run mx-dedup -k k in.ndjson
	assert_success
	assert_output '{"k":"A","i":1}
{"k":"\/x","i":3}
{"k":"1","i":5}
{"k":1,"i":6}
{"k":true,"i":7}
{"k":"true","i":8}
{"k":"\ud83d\ude00","i":9}'
}

@test "composite keys: parts compared one by one; -k repeated; names do not matter" {
	printf '%s\n' '{"a":"ab","b":"c"}' '{"a":"a","b":"bc"}' '{"a":"ab","b":"c","x":1}' \
	    '{"a":"a","b":"bc","x":2}' '{"a":"ab","b":"d"}' > in.ndjson
	run mx-dedup -k a,b in.ndjson
	assert_success
	assert_output '{"a":"ab","b":"c"}
{"a":"a","b":"bc"}
{"a":"ab","b":"d"}'
	run mx-dedup -k x=a -k y=b in.ndjson
	assert_success
	assert_output '{"a":"ab","b":"c"}
{"a":"a","b":"bc"}
{"a":"ab","b":"d"}'
}

@test "objects and arrays are keys as written, whitespace aside; nested paths" {
	printf '%s\n' '{"p":{"u":[1,2]},"i":1}' '{"p":{"u":[1, 2]},"i":2}' \
	    '{"p":{"u":[2,1]},"i":3}' '{"p":{"u":{"a":1,"b":2}},"i":4}' \
	    '{"p":{"u":{"b":2,"a":1}},"i":5}' '{"p": { "u" : {"a" :1,"b":2}},"i":6}' > in.ndjson
	run mx-dedup -k p.u in.ndjson
	assert_success
	assert_output '{"p":{"u":[1,2]},"i":1}
{"p":{"u":[2,1]},"i":3}
{"p":{"u":{"a":1,"b":2}},"i":4}
{"p":{"u":{"b":2,"a":1}},"i":5}'
}

@test "a time function as key: one record per user and UTC day" {
	printf '%s\n' '{"u":1,"ts":"2024-03-01T23:30:00-02:00"}' \
	    '{"u":1,"ts":"2024-03-02T00:10:00Z"}' '{"u":1,"ts":"2024-03-01T10:00:00Z"}' \
	    '{"u":2,"ts":"2024-03-02 05:00:00 UTC"}' '{"u":1,"ts":"garbage"}' > in.ndjson
	run mx-dedup -k 'u,date(ts)' in.ndjson
	assert_success
	assert_output '{"u":1,"ts":"2024-03-01T23:30:00-02:00"}
{"u":1,"ts":"2024-03-01T10:00:00Z"}
{"u":2,"ts":"2024-03-02 05:00:00 UTC"}
{"u":1,"ts":"garbage"}
mx-dedup: 1 records without a key (missing or null) passed through'
}

@test "without -k, the whole record by value, its _ fields left out; --all-fields keeps them" {
	printf '%s\n' '{"a":1}' '{"a": 1.0}' '{"a":1,"b":[1, 2]}' '{"b":[1,2],"a":1}' \
	    '{"b":2}' '{"a":"1"}' > in.ndjson
	printf '{"a":1}\r\n' >> in.ndjson
	run mx-dedup -v in.ndjson
	assert_success
	assert_output '{"a":1}
{"a":1,"b":[1, 2]}
{"b":2}
{"a":"1"}
mx-dedup: 7 in, 4 out, 3 duplicates, 0 seen, 0 null keys, 0 rejected'
	# what mx-ingest adds is provenance, not data
	printf '%s\n' '{"id":1,"v":"x"}' '{"id":2}' '{"id":1,"v":"x"}' > raw.ndjson
	run bash -c 'mx-ingest raw.ndjson | mx-dedup | jq -c "[._line, .id]"'
	assert_success
	assert_output '[1,1]
[2,2]'
	run bash -c 'mx-ingest raw.ndjson | mx-dedup --all-fields | wc -l'
	assert_success
	assert_output 3
	run mx-dedup --all-fields -k id in.ndjson
	assert_failure 2
	assert_line --index 0 'mx-dedup: --all-fields: the key is the whole record, not -k'
}

@test "keep-last: the last record of each key, written in its own input order" {
	printf '%s\n' '{"id":"a","v":1}' '{"id":"b","v":2}' '{"id":"a","v":3}' \
	    '{"id":"c","v":4}' '{"id":"b","v":5}' > in.ndjson
	run mx-dedup --last -k id in.ndjson
	assert_success
	assert_output '{"id":"a","v":3}
{"id":"c","v":4}
{"id":"b","v":5}'
}

@test "latest-by: timestamps compared as instants, offsets and fractions honoured" {
	printf '%s\n' \
	    '{"id":1,"ts":"2024-03-01T12:00:00+01:00","v":"a"}' \
	    '{"id":1,"ts":"2024-03-01T11:30:00Z","v":"b"}' \
	    '{"id":1,"ts":"2024-03-01T10:59:59.999Z","v":"c"}' \
	    '{"id":2,"ts":"2024-03-01T09:00:00.5Z","v":"d"}' \
	    '{"id":2,"ts":"2024-03-01T09:00:00.25Z","v":"e"}' \
	    '{"id":3,"ts":"2024-03-02","v":"f"}' \
	    '{"id":3,"ts":"2024-03-01 23:00:00 UTC","v":"g"}' > in.ndjson
	run mx-dedup -k id --latest-by ts in.ndjson
	assert_success
	assert_output '{"id":1,"ts":"2024-03-01T11:30:00Z","v":"b"}
{"id":2,"ts":"2024-03-01T09:00:00.5Z","v":"d"}
{"id":3,"ts":"2024-03-02","v":"f"}'
}

@test "latest-by: a tie keeps the later record" {
	printf '%s\n' '{"id":1,"ts":"2024-03-01T11:00:00Z","v":"a"}' \
	    '{"id":1,"ts":"2024-03-01T12:00:00+01:00","v":"b"}' \
	    '{"id":1,"ts":"2024-03-01T10:00:00Z","v":"c"}' > in.ndjson
	run mx-dedup -k id --latest-by ts in.ndjson
	assert_success
	assert_output '{"id":1,"ts":"2024-03-01T12:00:00+01:00","v":"b"}'
}

@test "earliest-by: the least value wins, ties keep the earlier record, in any input order" {
	printf '%s\n' '{"id":1,"ts":"2024-03-01T23:59:50Z","v":"orig"}' \
	    '{"id":2,"ts":"2024-03-01T10:00:00Z","v":"a"}' \
	    '{"id":1,"ts":"2024-03-02T00:00:40Z","v":"resent"}' \
	    '{"id":2,"ts":"2024-03-01T11:00:00+01:00","v":"b"}' > in.ndjson
	run mx-dedup -k id --earliest-by ts in.ndjson
	assert_success
	assert_output '{"id":1,"ts":"2024-03-01T23:59:50Z","v":"orig"}
{"id":2,"ts":"2024-03-01T10:00:00Z","v":"a"}'
	# the same winners from the input reversed, but the tie of id 2
	tac in.ndjson | mx-dedup -k id --earliest-by ts > rev.ndjson
	run sort rev.ndjson
	assert_output '{"id":1,"ts":"2024-03-01T23:59:50Z","v":"orig"}
{"id":2,"ts":"2024-03-01T11:00:00+01:00","v":"b"}'
	# a bad value is a bad record, rule earliest-by
	echo '{"id":3,"ts":"later","v":"x"}' >> in.ndjson
	run mx-dedup -k id --earliest-by ts in.ndjson
	assert_failure 1
	assert_output 'mx-dedup: in.ndjson:5: --earliest-by ts: not a timestamp'
	run mx-dedup -k id --earliest-by ts --rejects rej.ndjson in.ndjson
	assert_success
	run jq -r '"\(._reject.line) \(._reject.rule) \(._reject.reason)"' rej.ndjson
	assert_output '5 earliest-by --earliest-by ts: not a timestamp'
	run mx-dedup -k id --earliest-by 'a..b' in.ndjson
	assert_failure 2
	assert_output --partial "--earliest-by: bad field path 'a..b'"
}

@test "latest-by: numbers compared as numbers, exactly" {
	printf '%s\n' '{"id":1,"ver":9}' '{"id":1,"ver":10}' '{"id":1,"ver":9.99}' \
	    '{"id":2,"ver":1e1}' '{"id":2,"ver":9.5}' \
	    '{"id":3,"ver":0.30000000000000001}' '{"id":3,"ver":0.3}' \
	    '{"id":4,"ver":-5}' '{"id":4,"ver":-50}' \
	    '{"id":5,"ver":1700000000123456789}' '{"id":5,"ver":1700000000123456788}' > in.ndjson
	run mx-dedup -k id --latest-by ver in.ndjson
	assert_success
	assert_output '{"id":1,"ver":10}
{"id":2,"ver":1e1}
{"id":3,"ver":0.30000000000000001}
{"id":4,"ver":-5}
{"id":5,"ver":1700000000123456789}'
}

@test "latest-by: a missing, bad or other-kind value is a bad record" {
	printf '%s\n' '{"id":1,"ts":"2024-03-01T00:00:00Z"}' '{"id":1}' '{"id":1,"ts":"soon"}' \
	    '{"id":1,"ts":5}' '{"id":1,"ts":[1]}' '{"id":1,"ts":1e300}' '{"id":1,"ts":null}' > in.ndjson
	run mx-dedup -k id --latest-by ts in.ndjson
	assert_failure 1
	assert_output 'mx-dedup: in.ndjson:2: --latest-by ts: missing'
	run mx-dedup -k id --latest-by ts --rejects rej.ndjson --stats st.json in.ndjson
	assert_success
	assert_output '{"id":1,"ts":"2024-03-01T00:00:00Z"}'
	run jq -r '"\(._reject.line) \(._reject.rule) \(._reject.reason)"' rej.ndjson
	assert_output '2 latest-by --latest-by ts: missing
3 latest-by --latest-by ts: not a timestamp
5 latest-by --latest-by ts: neither a timestamp nor a number
6 latest-by --latest-by ts: number out of range
7 latest-by --latest-by ts: null'
	run cat st.json
	assert_output '{"tool":"mx-dedup","files":1,"in":7,"out":1,"duplicates":1,"seen":0,"null_keys":0,"rejected":5,"spilled":0,"blank":0}'
}

@test "latest-by, the ordering of mx(7): a number among timestamps is epoch time; numbers in strings are numbers" {
	# a number among timestamps is seconds since the epoch, or
	# milliseconds past 11 integer digits
	printf '%s\n' '{"id":1,"ts":"2024-03-01T10:00:00Z","v":"a"}' '{"id":1,"ts":1709287201,"v":"b"}' \
	    '{"id":2,"ts":"2024-03-01T10:00:00Z","v":"c"}' '{"id":2,"ts":"1709287199999","v":"d"}' \
	    '{"id":3,"ts":"2024-03-01","v":"e"}' '{"id":3,"ts":-5,"v":"f"}' > in.ndjson
	run mx-dedup -k id --latest-by ts in.ndjson
	assert_success
	assert_output '{"id":1,"ts":1709287201,"v":"b"}
{"id":2,"ts":"2024-03-01T10:00:00Z","v":"c"}
{"id":3,"ts":"2024-03-01","v":"e"}'
	run mx-dedup -k id --earliest-by ts in.ndjson
	assert_output '{"id":1,"ts":"2024-03-01T10:00:00Z","v":"a"}
{"id":2,"ts":"1709287199999","v":"d"}
{"id":3,"ts":-5,"v":"f"}'
	# numbers in strings are numbers, by value; a timestamp or another
	# string among numbers is a bad record
	printf '%s\n' '{"id":1,"ver":"9"}' '{"id":1,"ver":10}' '{"id":1,"ver":"9.99"}' '{"id":2,"ver":"1e1"}' \
	    '{"id":2,"ver":"2024-03-01"}' '{"id":2,"ver":"v2"}' '{"id":2,"ver":"012"}' > in.ndjson
	run mx-dedup -k id --latest-by ver --rejects rej.ndjson in.ndjson
	assert_success
	assert_output '{"id":1,"ver":10}
{"id":2,"ver":"1e1"}'
	run jq -r '"\(._reject.line) \(._reject.reason)"' rej.ndjson
	assert_output '5 --latest-by ver: a timestamp, where earlier records have numbers
6 --latest-by ver: not a number
7 --latest-by ver: not a number'
}

@test "null keys: pass (default, reported), drop (to --dups), key, error" {
	printf '%s\n' '{"id":1}' '{"x":1}' '{"id":null}' '{"id":1}' '{"x":2}' '{"id":null,"y":1}' > in.ndjson
	run mx-dedup -k id in.ndjson
	assert_success
	assert_output '{"id":1}
{"x":1}
{"id":null}
{"x":2}
{"id":null,"y":1}
mx-dedup: 4 records without a key (missing or null) passed through'
	run mx-dedup -k id --nulls drop --dups dups.ndjson --stats st.json in.ndjson
	assert_success
	assert_output '{"id":1}
mx-dedup: 4 records without a key (missing or null) dropped'
	run cat dups.ndjson
	assert_output '{"x":1}
{"id":null}
{"id":1}
{"x":2}
{"id":null,"y":1}'
	run cat st.json
	assert_output '{"tool":"mx-dedup","files":1,"in":6,"out":1,"duplicates":1,"seen":0,"null_keys":4,"rejected":0,"spilled":0,"blank":0}'
	run mx-dedup -k id --nulls key -v in.ndjson
	assert_success
	assert_output '{"id":1}
{"x":1}
mx-dedup: 6 in, 2 out, 4 duplicates, 0 seen, 0 null keys, 0 rejected'
	run mx-dedup -k id --nulls error in.ndjson
	assert_failure 1
	assert_output '{"id":1}
mx-dedup: in.ndjson:2: the key is missing or null'
	run mx-dedup -k id --nulls error --rejects rej.ndjson in.ndjson
	assert_success
	run jq -c '[._reject.line, ._reject.rule]' rej.ndjson
	assert_output '[2,"null-key"]
[3,"null-key"]
[5,"null-key"]
[6,"null-key"]'
}

@test "a composite key with one null part has no key" {
	printf '%s\n' '{"a":1,"b":2}' '{"a":1,"b":null}' '{"a":1}' '{"a":1,"b":2}' > in.ndjson
	run mx-dedup -v -k a,b in.ndjson
	assert_success
	assert_output '{"a":1,"b":2}
{"a":1,"b":null}
{"a":1}
mx-dedup: 4 in, 3 out, 1 duplicates, 0 seen, 2 null keys, 0 rejected'
}

@test "null keys pass through in place with --last and --latest-by" {
	printf '%s\n' '{"id":1,"t":1}' '{"t":2}' '{"id":1,"t":3}' '{"id":null,"t":4}' > in.ndjson
	run mx-dedup -k id --last -v in.ndjson
	assert_success
	assert_output '{"t":2}
{"id":1,"t":3}
{"id":null,"t":4}
mx-dedup: 4 in, 3 out, 1 duplicates, 0 seen, 2 null keys, 0 rejected'
	run mx-dedup -k id --latest-by t in.ndjson
	assert_success
	assert_line --index 0 '{"t":2}'
	assert_line --index 1 '{"id":1,"t":3}'
	assert_line --index 2 '{"id":null,"t":4}'
}

@test "a bad record stops the run with file and line; --rejects keeps it" {
	printf '{"id":1}\n{"id":2}\n' > a.ndjson
	printf '{"id":3}\n{"id":01}\n[1]\n\n{"id":3}\n' > b.ndjson
	run mx-dedup -k id a.ndjson b.ndjson
	assert_failure 1
	assert_output '{"id":1}
{"id":2}
{"id":3}
mx-dedup: b.ndjson:2: invalid JSON at column 7: leading zero in number'
	run mx-dedup -k id --last a.ndjson b.ndjson
	assert_failure 1
	assert_output 'mx-dedup: b.ndjson:2: invalid JSON at column 7: leading zero in number'
	run mx-dedup -k id --rejects rej.ndjson -v a.ndjson b.ndjson
	assert_success
	assert_output '{"id":1}
{"id":2}
{"id":3}
mx-dedup: 6 in, 3 out, 1 duplicates, 0 seen, 0 null keys, 2 rejected, 1 blank'
	run cat rej.ndjson
	assert_output '{"_reject":{"tool":"mx-dedup","file":"b.ndjson","line":2,"rule":"json","reason":"invalid JSON at column 7: leading zero in number"},"_raw":"{\"id\":01}"}
{"_reject":{"tool":"mx-dedup","file":"b.ndjson","line":3,"rule":"json","reason":"not a JSON object (an array)"},"_raw":"[1]"}'
	assert_ndjson rej.ndjson
}

@test "invalid UTF-8 is rejected, its bytes kept as base64" {
	printf '{"id":"\xff"}\n{"id":1}\n' > in.ndjson
	run mx-dedup -k id --rejects rej.ndjson in.ndjson
	assert_success
	assert_output '{"id":1}'
	run jq -r '._raw_base64' rej.ndjson
	assert_output "$(printf '{"id":"\xff"}' | base64)"
}

@test "--dups: every dropped record, in input order; counts add up" {
	printf '%s\n' '{"id":1,"v":"a"}' '{"id":2,"v":"b"}' '{"id":1,"v":"c"}' \
	    '{"id":2,"v":"d"}' '{"id":1,"v":"e"}' > in.ndjson
	run mx-dedup -k id --dups d1 --stats s1 in.ndjson
	assert_success
	assert_output '{"id":1,"v":"a"}
{"id":2,"v":"b"}'
	run cat d1
	assert_output '{"id":1,"v":"c"}
{"id":2,"v":"d"}
{"id":1,"v":"e"}'
	run mx-dedup -k id --last --dups d2 in.ndjson
	assert_output '{"id":2,"v":"d"}
{"id":1,"v":"e"}'
	run cat d2
	assert_output '{"id":1,"v":"a"}
{"id":2,"v":"b"}
{"id":1,"v":"c"}'
	run jq -r '.in == .out + .duplicates + .seen + .rejected' s1
	assert_output true
}

@test "standard input: a pipe is spooled, a file is read again, gzip works" {
	gen 500 > in.ndjson
	mx-dedup -k id --last in.ndjson > want
	[ "$(wc -l < want)" -gt 100 ]
	run sh -c 'cat in.ndjson | mx-dedup -k id --last | cmp - want'
	assert_success
	run sh -c 'mx-dedup -k id --last < in.ndjson | cmp - want'
	assert_success
	gzip -c in.ndjson > in.ndjson.gz
	run sh -c 'mx-dedup -k id --last in.ndjson.gz | cmp - want'
	assert_success
	run sh -c 'gzip -c in.ndjson | mx-dedup -k id --last | cmp - want'
	assert_success
}

@test "stdin that is a file read from its middle: the second pass starts there too" {
	printf '{"id":1,"v":0}\n{"id":1,"v":1}\n{"id":2,"v":2}\n{"id":1,"v":3}\n' > in.ndjson
	run sh -c '{ read -r skip; mx-dedup -k id --last; } < in.ndjson'
	assert_success
	assert_output '{"id":2,"v":2}
{"id":1,"v":3}'
}

@test "results agree with awk on generated data (first and last)" {
	gen 3000 > in.ndjson
	awk 'match($0, /"id":[0-9]+/) { k = substr($0, RSTART, RLENGTH); if (k in seen) next; seen[k] = 1 } { print }' in.ndjson > want.first
	awk 'NR == FNR { if (match($0, /"id":[0-9]+/)) last[substr($0, RSTART, RLENGTH)] = FNR; next }
	    !match($0, /"id":[0-9]+/) || last[substr($0, RSTART, RLENGTH)] == FNR' in.ndjson in.ndjson > want.last
	run sh -c 'mx-dedup -k id in.ndjson 2>/dev/null | cmp - want.first'
	assert_success
	run sh -c 'mx-dedup -k id --last in.ndjson 2>/dev/null | cmp - want.last'
	assert_success
}

@test "spilling (small --memory) gives the same bytes as in memory, in every mode" {
	gen 4000 > in.ndjson
	mkdir tmp
	for mode in --first --last "--latest-by ts" "--earliest-by ts"; do
		rm -f k0 k1
		mx-dedup -k id $mode --dups d0 --seen k0 --stats s0 in.ndjson > o0 2>/dev/null
		TMPDIR=$PWD/tmp mx-dedup -k id $mode -m 1k --dups d1 --seen k1 --stats s1 in.ndjson > o1 2>/dev/null
		cmp o0 o1
		cmp d0 d1
		cmp k0 k1
		[ "$(jq .spilled s0)" -eq 0 ]
		[ "$(jq .spilled s1)" -gt 4000 ]	# spilled again below the first level
		[ "$(jq -c 'del(.spilled)' s0)" = "$(jq -c 'del(.spilled)' s1)" ]
		[ "$(wc -l < o0)" -gt 1000 ]
		[ -s d0 ]
	done
	run ls -A tmp
	assert_success
	assert_output ''
}

@test "--threads: the same bytes, counts, rejects and messages as one thread, in every mode, from files, a pipe and gzip, spilling or not" {
	# 30,000 records (several batches of 4096 lines) in three files, with
	# blank lines, records without a key, bad JSON and bad timestamps
	gen 30000 | awk 'NR % 1000 == 7 { print "" } NR % 1500 == 9 { print "{\"id\":1,bad" }
	    NR % 2300 == 11 { print "{\"id\":5,\"ts\":\"yesterday\",\"n\":0}" } { print }' > all
	split -l 11000 all part.
	gzip -c part.ab > part.ab.gz
	for mode in --first --last "--latest-by ts" "--earliest-by ts" "--latest-by n"; do
		for m in 1G 8k; do
			for t in 1 2 3; do
				rm -f k$t
				mx-dedup -k id $mode -m $m --threads $t --dups d$t --seen k$t \
				    --rejects r$t --stats s$t --nulls drop \
				    part.aa part.ab.gz part.ac > o$t 2> e$t
				cat part.aa part.ab part.ac | mx-dedup -k id $mode -m $m \
				    --threads $t --rejects p$t > q$t 2>&1
			done
			for t in 2 3; do
				cmp o1 o$t && cmp d1 d$t && cmp k1 k$t && cmp r1 r$t && cmp s1 s$t &&
				    cmp e1 e$t && cmp p1 p$t && cmp q1 q$t
			done
		done
	done
	[ "$(jq .rejected s1)" -ge 20 ]
	[ "$(wc -l < o1)" -gt 1000 ]
	# without --rejects the first bad line stops the run, named alike
	run mx-dedup -k id --latest-by ts --threads 2 part.aa part.ab part.ac
	assert_failure 1
	assert_output --partial "$(mx-dedup -k id --latest-by ts part.aa part.ab part.ac 2>&1 > /dev/null)"
	assert_output --partial 'mx-dedup: part.aa:'
	# a misspelt -k field is said once, however many threads saw records
	run sh -c 'mx-dedup -k idd --threads 2 --rejects /dev/null part.aa 2>&1 > /dev/null | grep -c "no record had"'
	assert_output 1
	run mx-dedup --threads 0 part.aa
	assert_failure 2
	assert_output --partial 'mx-dedup: --threads: 1 to 64'
}

@test "a table sized from the first lines of named files: the same bytes as one grown from a pipe, bounded or not" {
	# 20,000 records of 15,000 keys in three files: the table is sized
	# at line 4096 of the first for all three (a pipe cannot be sized)
	awk 'BEGIN { for (i = 0; i < 20000; i++)
		printf "{\"id\":%d,\"ts\":\"2024-03-01T%02d:%02d:00Z\",\"n\":%d}\n",
		    (i * 7919) % 15000, (i * 13) % 24, (i * 17) % 60, i }' > all
	split -l 7000 all part.
	for m in 1G 64k; do
		mx-dedup -k id --latest-by ts -m $m --stats s1 part.aa part.ab part.ac > o1
		cat part.a? | mx-dedup -k id --latest-by ts -m $m --stats s2 > o2
		cmp o1 o2
		[ "$(jq -c "del(.files)" s1)" = "$(jq -c "del(.files)" s2)" ]
	done
	run jq -c '[.in, .out, .spilled > 0]' s1
	assert_output '[20000,15000,true]'
	# the winners, by jq: the latest of each id, the later line on a tie
	run sh -c "jq -sc 'to_entries | group_by(.value.id) | map(max_by([.value.ts, .key]))
	    | sort_by(.key) | .[].value' all | cmp - o1"
	assert_success
}

@test "spilling: the same bytes from standard input, with -T" {
	gen 2000 > in.ndjson
	mkdir spill
	mx-dedup -k id --latest-by ts in.ndjson > want 2>/dev/null
	run sh -c 'cat in.ndjson | mx-dedup -k id --latest-by ts -m 2k -T spill 2>/dev/null | cmp - want'
	assert_success
	run ls -A spill
	assert_output ''
	run sh -c 'cat in.ndjson | mx-dedup -k id -m 2k -T nonexistent'
	assert_failure 1
	assert_output --partial 'mx-dedup: cannot create a temporary file in nonexistent: No such file or directory'
}

@test "blank lines are skipped and counted, in memory, spilling and from a pipe alike" {
	gen 3000 > in.ndjson
	awk 'NR % 7 == 0 { print "" } NR % 11 == 0 { print " \t\r" } { print }' \
	    in.ndjson > blanks.ndjson
	for mode in --first --last "--latest-by ts"; do
		mx-dedup -k id $mode in.ndjson > want 2>/dev/null
		run sh -c "mx-dedup -k id $mode --stats st blanks.ndjson 2>/dev/null | cmp - want"
		assert_success
		[ "$(jq -c '[.in, .blank]' st)" = "[3000,700]" ]
		run sh -c "mx-dedup -k id $mode -m 2k < blanks.ndjson 2>/dev/null | cmp - want"
		assert_success
		run sh -c "cat blanks.ndjson | mx-dedup -k id $mode -m 2k 2>/dev/null | cmp - want"
		assert_success
	done
}

@test "--seen: keys of earlier runs are dropped; the file grows with each run" {
	printf '%s\n' '{"id":1}' '{"id":2}' '{"id":1}' > run1.ndjson
	printf '%s\n' '{"id":2.0}' '{"id":3}' '{"id":3}' '{"id":4}' > run2.ndjson
	run mx-dedup -k id --seen keys -v run1.ndjson
	assert_success
	assert_output '{"id":1}
{"id":2}
mx-dedup: 3 in, 2 out, 1 duplicates, 0 seen, 0 null keys, 0 rejected'
	run head -c 8 keys
	assert_output 'MXKEYSET'
	run mx-dedup -k id --seen keys --dups d --stats st run2.ndjson
	assert_success
	assert_output '{"id":3}
{"id":4}'
	run cat d
	assert_output '{"id":2.0}
{"id":3}'
	run jq -c '[.seen, .duplicates]' st
	assert_output '[1,1]'
	[ "$(stat -c %s keys)" -eq $((8 + 4 + 4 + 2 + 8 + 4 * 16 + 8)) ]
	run mx-dedup -k id --seen keys run1.ndjson run2.ndjson
	assert_success
	assert_output ''
}

@test "--seen: a file for another key, a corrupt, truncated or foreign file is refused" {
	printf '%s\n' '{"id":1,"x":1}' '{"id":2,"x":1}' > in.ndjson
	mx-dedup -k id --seen keys in.ndjson > /dev/null
	cp keys good
	run mx-dedup -k x --seen keys in.ndjson
	assert_failure 1
	assert_output "mx-dedup: --seen keys: written for the key 'id', not 'x'"
	# a flipped byte in a key
	printf '\001' | dd of=keys bs=1 seek=40 conv=notrunc 2>/dev/null
	run mx-dedup -k id --seen keys in.ndjson
	assert_failure 1
	assert_output 'mx-dedup: --seen keys: corrupt key file (checksum mismatch)'
	# truncated
	head -c 50 good > keys
	run mx-dedup -k id --seen keys in.ndjson
	assert_failure 1
	assert_output 'mx-dedup: --seen keys: truncated or corrupt key file (50 bytes, 2 keys announced need 66)'
	: > keys
	run mx-dedup -k id --seen keys in.ndjson
	assert_failure 1
	assert_output 'mx-dedup: --seen keys: not an mx key file (bad magic)'
	# wrong magic, wrong version
	cp good keys
	printf 'NOTKEYS!' | dd of=keys bs=1 conv=notrunc 2>/dev/null
	run mx-dedup -k id --seen keys in.ndjson
	assert_failure 1
	assert_output 'mx-dedup: --seen keys: not an mx key file (bad magic)'
	cp good keys
	printf '\002' | dd of=keys bs=1 seek=11 conv=notrunc 2>/dev/null
	cp keys refused
	run mx-dedup -k id --seen keys in.ndjson
	assert_failure 1
	assert_output 'mx-dedup: --seen keys: key file version 2, this mx reads version 1'
	# a refused file is left as it was
	cmp keys refused
}

@test "--seen: not written when the run fails or its output is cut" {
	printf '%s\n' '{"id":1}' > a.ndjson
	mx-dedup -k id --seen keys a.ndjson > /dev/null
	cp keys before
	printf '%s\n' '{"id":2}' '{"id":' > b.ndjson
	run mx-dedup -k id --seen keys b.ndjson
	assert_failure 1
	cmp keys before
	seq 1 100000 | sed 's/.*/{"id":&}/' > big.ndjson
	run sh -c 'mx-dedup -k id --seen keys big.ndjson | head -1'
	assert_success
	assert_output '{"id":2}'
	cmp keys before
	run ls -A
	refute_output --partial '.tmp-'
	# a place where it cannot be written fails before any output
	run mx-dedup -k id --seen nodir/keys a.ndjson
	assert_failure 1
	assert_output 'mx-dedup: nodir/keys: No such file or directory'
}

@test "--seen with spilling writes the same key file" {
	gen 3000 > in.ndjson
	head -1000 in.ndjson > first.ndjson
	mx-dedup -k id --seen k0 first.ndjson > /dev/null 2>&1
	cp k0 k1
	mx-dedup -k id --latest-by ts --seen k0 --dups d0 in.ndjson > o0 2>/dev/null
	mx-dedup -k id --latest-by ts --seen k1 --dups d1 -m 20k in.ndjson > o1 2>/dev/null
	cmp o0 o1
	cmp d0 d1
	cmp k0 k1
	[ -s o0 ]
}

@test "-k: a field no record had is a warning; --strict makes it an error, --seen kept" {
	printf '%s\n' '{"id":1}' '{"id":1}' '{"id":2,"ts":3}' > a.ndjson
	run mx-dedup -k idd a.ndjson
	assert_success
	assert_line "mx-dedup: -k: no record had the field 'idd' (a typo?)"
	run mx-dedup -k 'id,day=date(tss)' a.ndjson
	assert_success
	assert_line "mx-dedup: -k: no record had the field 'tss' (a typo?)"
	mx-dedup -k idd --seen keys a.ndjson > /dev/null 2>&1
	cp keys before
	run mx-dedup --strict -k idd --seen keys --dups d.ndjson --rejects r.ndjson a.ndjson
	assert_failure 1
	assert_line "mx-dedup: -k: no record had the field 'idd'"
	refute_line --partial 'a typo'
	cmp keys before
	[ ! -e d.ndjson ] && [ ! -e r.ndjson ]
	# a field one record had is no typo; no records, nothing to say
	run mx-dedup --strict -k ts a.ndjson
	assert_success
	run mx-dedup --strict -k idd /dev/null
	assert_success
	assert_output ''
}

@test "--trusted: the same bytes, each record read only as far as its key and order; a last line cut short is an error" {
	gen 20000 > in.ndjson
	for m in '' '--last' '--latest-by ts'; do
		# shellcheck disable=SC2086
		mx-dedup -k id $m in.ndjson > want 2> /dev/null
		# shellcheck disable=SC2086
		mx-dedup --trusted -k id $m --threads 2 -m 64k in.ndjson > got \
		    2> err
		[ -s want ] && cmp want got
		grep -q 'records without a key' err
	done
	# damaged after its key and order: passed on, where it is rejected
	# without --trusted; damaged before them: rejected all the same
	printf '%s\n' '{"id":1,"ts":"2024-03-01T00:00:00Z","n":[1,}' \
	    '{"id":2,"n":tru,"ts":"2024-03-01T00:00:00Z"}' > bad.ndjson
	run mx-dedup -k id --latest-by ts --rejects r1 bad.ndjson
	assert_success
	assert_output ''
	[ "$(grep -c . r1)" -eq 2 ]
	run mx-dedup --trusted -k id --latest-by ts --rejects r2 bad.ndjson
	assert_success
	assert_output '{"id":1,"ts":"2024-03-01T00:00:00Z","n":[1,}'
	run jq -r '._reject | "\(.line) \(.rule)"' r2
	assert_output '2 json'
	# without -k the key is the whole record: read whole
	run mx-dedup --trusted --latest-by ts --rejects r4 bad.ndjson
	assert_success
	assert_output ''
	[ "$(grep -c . r4)" -eq 2 ]
	# (its writer was killed): nothing written, file and line named
	printf '{"id":1,"ts":"2024-03-01T00:00:00Z"}\n{"id":2,"ts":"2024-03-01T00:00' > cut.ndjson
	run mx-dedup --trusted -k id --latest-by ts cut.ndjson
	assert_failure 1
	assert_output 'mx-dedup: cut.ndjson:2: no newline at the end: a record cut short (--trusted)'
	# (keep-first streams: the records before it are out)
	run mx-dedup --trusted -k id - < cut.ndjson
	assert_failure 1
	assert_output '{"id":1,"ts":"2024-03-01T00:00:00Z"}
mx-dedup: <stdin>:2: no newline at the end: a record cut short (--trusted)'
	# without it, a last line is a line
	run mx-dedup -k id --rejects r3 cut.ndjson
	assert_success
	assert_output '{"id":1,"ts":"2024-03-01T00:00:00Z"}'
}

@test "temporary files are removed when the run is killed" {
	mkdir tmp
	mkfifo pipe
	TMPDIR=$PWD/tmp mx-dedup -k id --last < pipe > out 2>err &
	pid=$!
	exec 7> pipe
	printf '{"id":1}\n' >&7
	for i in $(seq 100); do
		[ -n "$(ls -A tmp)" ] && break
		sleep 0.1
	done
	run ls -A tmp
	assert_output --regexp '^mx-dedup\.'
	kill -TERM "$pid"
	exec 7>&-
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 143 ]
	run ls -A tmp
	assert_output ''
}

@test "bad command lines exit 2 with the usage" {
	run mx-dedup -k 'date(ts' in.ndjson
	assert_failure 2
	assert_line --index 0 "mx-dedup: -k: missing ')' in 'date(ts'"
	assert_line --index 1 --partial 'usage: mx-dedup [-v] [-k keys | --all-fields]'
	run mx-dedup --nulls maybe
	assert_failure 2
	assert_line --index 0 'mx-dedup: --nulls: pass, drop, key or error'
	run mx-dedup -m lots
	assert_failure 2
	run mx-dedup -m 100
	assert_failure 2
	assert_output 'mx-dedup: -m: 100 bytes is too little for a key table'
	run mx-dedup --bogus
	assert_failure 2
	run mx-dedup -k id missing.ndjson
	assert_failure 1
	assert_output 'mx-dedup: missing.ndjson: No such file or directory'
}

@test "empty input gives empty output" {
	: > empty.ndjson
	for mode in --first --last "--latest-by ts"; do
		run mx-dedup -k id $mode --seen keys empty.ndjson
		assert_success
		assert_output ''
	done
	run sh -c 'mx-dedup < /dev/null'
	assert_success
	assert_output ''
}

@test "the man page examples run as written" {
	mkdir -p bronze silver state spill
	jq -c . "$FIX/calendly_canceled.json" "$FIX/calendly_created.json" > bronze/calendly.ndjson
	printf '%s\n' '{"event_id":"e1","user_id":"u1","session_id":"s1","timestamp":"2024-03-01T10:00:00Z"}' \
	    '{"event_id":"e2","user_id":"u1","session_id":"s1","timestamp":"2024-03-01T10:00:00Z"}' \
	    '{"event_id":"e1","user_id":"u1","session_id":"s1","timestamp":"2024-03-01T10:00:00Z"}' > events.ndjson
	gzip -k events.ndjson
	cp events.ndjson part-1.ndjson
	cp events.ndjson part-2.ndjson
	man_example mx-dedup.1 | sed -n '/^\.Bd/,/^\.Ed/p' | grep -v '^\.' | sed 's/\\e$/\\/' > examples.sh
	run bash -c 'set -e; . ./examples.sh'
	assert_success
	assert_output 'mx-dedup: 6 in, 2 out, 4 duplicates, 0 seen, 0 null keys, 0 rejected'
	run jq -r .event silver/bookings.ndjson
	assert_output 'invitee.canceled'
	run cat silver/events.ndjson
	assert_output '{"event_id":"e1","user_id":"u1","session_id":"s1","timestamp":"2024-03-01T10:00:00Z"}
{"event_id":"e2","user_id":"u1","session_id":"s1","timestamp":"2024-03-01T10:00:00Z"}'
	run cat dups.ndjson
	assert_output '{"event_id":"e1","user_id":"u1","session_id":"s1","timestamp":"2024-03-01T10:00:00Z"}'
	run jq -c . stats.json
	assert_output '{"tool":"mx-dedup","files":1,"in":3,"out":2,"duplicates":1,"seen":0,"null_keys":0,"rejected":0,"spilled":0,"blank":0}'
	run wc -l < clean.ndjson
	assert_output 1
	run cmp new-events.ndjson silver/events.ndjson
	assert_success
	[ -s state/events.keys ]
	run wc -l < unique.ndjson
	assert_output 2
}
