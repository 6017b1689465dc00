#!/usr/bin/env bats
# mx-ingest: every input format, gzip, line endings, limits, jq, rejects,
# closed and full outputs.

load helper

@test "NDJSON: provenance appended, record bytes kept" {
	printf '{"a":1.50,"b":"x\\u0041","n":12345678901234567890}\n' > in.ndjson
	run mx-ingest in.ndjson
	assert_success
	assert_output --regexp '^\{"a":1\.50,"b":"x\\u0041","n":12345678901234567890,"_source":"in\.ndjson","_line":1,"_ingested_at":"2023-11-14T22:13:20Z","_rid":"[0-9a-f]{16}"\}$'
}

@test "NDJSON: _rid is XXH3-64 of the raw line, as xxhsum prints it" {
	printf '{"k":"v"}' > raw
	want=$(xxhsum -H3 raw | sed 's/.* = //')
	printf '{"k":"v"}\n' | mx-ingest > out
	run jq -r ._rid out
	assert_success
	assert_output "$want"
}

@test "NDJSON: empty object, CRLF endings, missing final newline, blank lines" {
	printf '{}\r\n\n  \n{"a":[]}' > in.ndjson
	run mx-ingest --stats st.json in.ndjson
	assert_success
	assert_line --index 0 --regexp '^\{"_source":"in\.ndjson","_line":1,"_ingested_at":"2023-11-14T22:13:20Z","_rid":"[0-9a-f]{16}"\}$'
	assert_line --index 1 --partial '{"a":[],"_source":"in.ndjson","_line":4,'
	[ "${#lines[@]}" -eq 2 ]
	run cat st.json
	assert_output '{"tool":"mx-ingest","files":1,"in":2,"out":2,"rejected":0,"blank":2,"jq_empty":0}'
}

@test "empty input gives empty output and exit 0" {
	: > empty.ndjson
	run mx-ingest empty.ndjson
	assert_success
	assert_output ''
	run sh -c 'mx-ingest < /dev/null'
	assert_success
	assert_output ''
}

@test "standard input is <stdin>, or --source" {
	run sh -c 'echo "{\"a\":1}" | mx-ingest'
	assert_success
	assert_output --partial '"_source":"<stdin>","_line":1'
	run sh -c 'echo "{\"a\":1}" | mx-ingest --source api -'
	assert_success
	assert_output --partial '"_source":"api"'
}

@test "file names: any bytes; --files0-from reads NUL-separated names; _source is always valid JSON, exact in _source_base64" {
	printf '{"n":1}\n' > "$(printf 'a\tb\nc.ndjson')"
	printf '{"n":2}\n' > "$(printf 'bad\377\001.ndjson')"
	printf '{"n":3}\n' > 'back\slash "q".ndjson'
	printf '%s\0' "$(printf 'a\tb\nc.ndjson')" "$(printf 'bad\377\001.ndjson')" 'back\slash "q".ndjson' > list
	run mx-ingest --files0-from list
	assert_success
	assert_ndjson <<< "$output"
	run bash -c 'mx-ingest --files0-from list | jq -r "[._source, (._source_base64 // \"-\")] | @json"'
	assert_output '["a\tb\nc.ndjson","-"]
["bad�\u0001.ndjson","YmFk/wEubmRqc29u"]
["back\\slash \"q\".ndjson","-"]'
	[ "$(printf 'bad\377\001.ndjson' | base64 -w0)" = YmFk/wEubmRqc29u ]
	run mx-ingest --files0-from list x.ndjson
	assert_failure 2
	assert_output --partial 'no file operands as well'
	printf 'a\0\0' > empty
	run mx-ingest --files0-from empty
	assert_failure 1
	assert_output --partial 'an empty file name'
}

@test "a bad record stops the run with file, line and reason (exit 1)" {
	printf '{"a":1}\n{"a":01}\n{"a":3}\n' > in.ndjson
	run mx-ingest in.ndjson
	assert_failure 1
	assert_line --index 0 --partial '{"a":1,'
	assert_line --index 1 'mx-ingest: in.ndjson:2: invalid JSON at column 6: leading zero in number'
	refute_output --partial '"a":3'
}

@test "--rejects: bad records kept with file, line, rule, reason and raw text" {
	printf '{"a":1}\n{"a":1,"a":2}\n[1,2]\nnot json\n{"a":5}\n' > in.ndjson
	run mx-ingest --rejects rej.ndjson -v in.ndjson
	assert_success
	assert_output --partial 'mx-ingest: in.ndjson: 5 in, 2 out, 3 rejected'
	run cat rej.ndjson
	assert_line --index 0 '{"_reject":{"tool":"mx-ingest","file":"in.ndjson","line":2,"rule":"json","reason":"invalid JSON at column 8: duplicate key in object"},"_raw":"{\"a\":1,\"a\":2}"}'
	assert_line --index 1 '{"_reject":{"tool":"mx-ingest","file":"in.ndjson","line":3,"rule":"json","reason":"not a JSON object (an array)"},"_raw":"[1,2]"}'
	assert_line --index 2 --partial '"line":4,"rule":"json","reason":"invalid JSON at column 1: unexpected '"'n'"', expected a JSON value"}'
	assert_ndjson rej.ndjson
}

@test "invalid UTF-8 is rejected and kept as base64" {
	printf '{"a":"\xff\xfe"}\n{"b":"\xc0\xaf"}\n{"ok":"\xc3\xa9"}\n' > in.ndjson
	run mx-ingest --rejects rej.ndjson in.ndjson
	assert_success
	assert_output --partial '{"ok":"é",'
	run jq -r '._reject.reason + " " + ._raw_base64' rej.ndjson
	assert_line --index 0 'invalid JSON at column 7: invalid UTF-8 in string eyJhIjoi//4ifQ=='
	assert_line --index 1 'invalid JSON at column 7: invalid UTF-8 in string eyJiIjoiwK8ifQ=='
}

@test "RFC 8259 corner cases are rejected with a reason" {
	printf '%s\n' '{"a":NaN}' '{"a":[1,]}' '{"a":"\ud800"}' '{"a":"\x"}' \
	    '{"a":1} {"b":2}' '{"a":-}' '{"a":1.}' '{"a":tru}' > in.ndjson
	printf '\xef\xbb\xbf{"a":1}\n{"a":"\x01"}\n' >> in.ndjson
	run mx-ingest --rejects rej.ndjson in.ndjson
	assert_success
	assert_output ''
	run jq -r '._reject.reason' rej.ndjson
	assert_line --index 0 "invalid JSON at column 6: unexpected 'N', expected a JSON value"
	assert_line --index 1 "invalid JSON at column 9: unexpected ']', expected a JSON value"
	assert_line --index 2 'invalid JSON at column 7: lone high surrogate in \u escape'
	assert_line --index 3 'invalid JSON at column 7: invalid escape in string'
	assert_line --index 4 'invalid JSON at column 9: unexpected data after the JSON value'
	assert_line --index 5 "invalid JSON at column 7: unexpected '}', expected a digit"
	assert_line --index 6 "invalid JSON at column 8: unexpected '}', expected a digit after '.'"
	assert_line --index 7 "invalid JSON at column 6: unexpected 't', expected a JSON value"
	assert_line --index 8 'invalid JSON at column 1: byte order mark (U+FEFF) before the value'
	assert_line --index 9 'invalid JSON at column 7: control character in string (must be escaped)'
}

@test "nesting deeper than --max-depth is rejected, not a crash" {
	python3 -c 'print("{\"a\":" + "[" * 10000 + "]" * 10000 + "}")' > deep.ndjson
	run mx-ingest deep.ndjson
	assert_failure 1
	assert_output 'mx-ingest: deep.ndjson:1: invalid JSON at column 517: nesting deeper than 512 levels'
	run mx-ingest --max-depth 10000 deep.ndjson
	assert_failure 1
	assert_output 'mx-ingest: deep.ndjson:1: invalid JSON at column 10005: nesting deeper than 10000 levels'
	python3 -c 'print("{\"a\":" + "[" * 9999 + "]" * 9999 + "}")' > ok.ndjson
	run sh -c 'mx-ingest --max-depth 10000 ok.ndjson | wc -l'
	assert_success
	assert_output 1
}

@test "a 50 MB record passes through whole" {
	python3 -c 'print("{\"big\":\"" + "x" * 50000000 + "\"}")' > big.ndjson
	run sh -c 'mx-ingest big.ndjson | jq -r "(.big | length), ._line"'
	assert_success
	assert_output $'50000000\n1'
	run mx-ingest --max-record 1M big.ndjson
	assert_failure 1
	assert_output 'mx-ingest: big.ndjson:1: line longer than 1048576 bytes (the record size limit)'
}

@test "gzip is read whatever the file is called, members concatenated" {
	printf '{"a":1}\n{"a":2}\n' | gzip > part1
	printf '{"a":3}\n' | gzip > part2
	cat part1 part2 > in.ndjson
	run mx-ingest in.ndjson
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	assert_line --index 2 --partial '{"a":3,"_source":"in.ndjson","_line":3,'
	run sh -c 'cat part1 | mx-ingest --source x | jq -c "{a,_line}"'
	assert_output $'{"a":1,"_line":1}\n{"a":2,"_line":2}'
}

@test "a truncated gzip file is an error naming the line, after the whole lines" {
	python3 -c '
for i in range(20000): print("{\"i\":%d,\"pad\":\"%s\"}" % (i, "abc" * (i % 50)))' > all.ndjson
	gzip -c all.ndjson > all.gz
	head -c $(( $(wc -c < all.gz) / 2 )) all.gz > trunc.gz
	run sh -c 'mx-ingest trunc.gz > out.ndjson'
	assert_failure 1
	n=$(wc -l < out.ndjson)
	assert_output "mx-ingest: trunc.gz:$((n + 1)): truncated gzip input (unexpected end of file)"
	assert_ndjson out.ndjson
	run sh -c 'head -c 10 all.gz | mx-ingest'
	assert_failure 1
	assert_output --partial 'truncated gzip input'
}

@test "corrupt gzip data is an error" {
	printf '{"a":1}\n' | gzip > ok.gz
	printf '\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbagegarbage' > bad.gz
	run mx-ingest bad.gz
	assert_failure 1
	assert_output --partial 'mx-ingest: bad.gz:1: corrupt gzip input'
}

@test "gzip padded with zero bytes is read, with a warning, as gzip reads it; other trailing bytes are refused" {
	printf '{"a":1}\n{"a":2}\n' | gzip > ok.gz
	# a block of zeros, and zeros spread over several reads
	{ cat ok.gz; head -c 512 /dev/zero; } > pad.gz
	{ cat ok.gz; head -c 1000000 /dev/zero; } > bigpad.gz
	run gzip -t pad.gz
	assert_success
	run sh -c 'mx-ingest pad.gz 2> err | jq -c "{a,_line}"'
	assert_success
	assert_output $'{"a":1,"_line":1}\n{"a":2,"_line":2}'
	run cat err
	assert_output 'mx-ingest: pad.gz: trailing zero bytes after the gzip data ignored'
	run sh -c 'mx-ingest < bigpad.gz 2> err | wc -l'
	assert_success
	assert_output 2
	run cat err
	assert_output 'mx-ingest: <stdin>: trailing zero bytes after the gzip data ignored'
	# every tool reads through the same reader
	run mx-csv -H pad.gz
	assert_success
	assert_output $'mx-csv: pad.gz: trailing zero bytes after the gzip data ignored\n1\n2'
	# zeros and then anything else is garbage, as is garbage alone
	{ cat ok.gz; printf '\0\0x'; } > zx.gz
	{ cat ok.gz; printf 'x'; } > x.gz
	for f in zx.gz x.gz; do
		run mx-ingest "$f"
		assert_failure 1
		assert_output --partial "mx-ingest: $f:"
		assert_output --partial ': trailing garbage after gzip data'
	done
}

@test "JSON array, pretty-printed, one record per element" {
	printf '[\n  {"id": 1,\n   "tags": ["a", "b c"]},\n  {"id": 2}\n]\n' > arr.json
	run mx-ingest arr.json
	assert_success
	assert_line --index 0 --partial '{"id":1,"tags":["a","b c"],"_source":"arr.json","_line":2,'
	assert_line --index 1 --partial '{"id":2,"_source":"arr.json","_line":4,'
}

@test "a single pretty-printed JSON document (a real Calendly webhook)" {
	run mx-ingest "$FIX/calendly_created.json"
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	run sh -c "mx-ingest '$FIX/calendly_created.json' | jq -r '.payload.email, ._line'"
	assert_output $'betty@rei.com\n1'
}

@test "-p: records inside a wrapping object, the rest skipped" {
	printf '{"meta":{"page":1,"items":[9]},\n "data":[{"id":1},\n {"id":2}],\n "next":null}\n{"data":[{"id":3}]}\n' > wrap.json
	run mx-ingest -p data wrap.json
	assert_success
	assert_line --index 0 --partial '{"id":1,"_source":"wrap.json","_line":2,'
	assert_line --index 1 --partial '{"id":2,"_source":"wrap.json","_line":3,'
	assert_line --index 2 --partial '{"id":3,"_source":"wrap.json","_line":5,'
	printf '{"a":{"b":[{"x":1}]}}' > nested.json
	run mx-ingest -p a.b nested.json
	assert_success
	assert_output --partial '{"x":1,"_source":"nested.json"'
}

@test "JSON documents: a bad element is rejected, a broken document stops" {
	printf '[{"a":1},{"a":01},{"a":3}]' > arr.json
	run mx-ingest --rejects rej.ndjson arr.json
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	run jq -r '._reject.reason' rej.ndjson
	assert_output 'invalid JSON at column 6: leading zero in number'
	printf '[{"a":1},\n{"a":"unterminated}]\n' > broken.json
	run mx-ingest --rejects rej2.ndjson broken.json
	assert_failure 1
	assert_output --partial 'mx-ingest: broken.json:3: malformed JSON document: unterminated string'
}

@test "-f json: a top-level scalar is not a JSON object, on its own line, as in auto mode" {
	printf '42\n' > num.json
	run mx-ingest -f json num.json
	assert_failure 1
	assert_output 'mx-ingest: num.json:1: not a JSON object (a number)'
	run mx-ingest num.json
	assert_failure 1
	assert_output 'mx-ingest: num.json:1: not a JSON object (a number)'
	printf '\n\n  true' > t.json
	run mx-ingest -f json t.json
	assert_failure 1
	assert_output 'mx-ingest: t.json:3: not a JSON object (true)'
	# with --rejects the run goes on past scalars to the next document
	printf '{"a":1}\n7 null\n"s"\n[{"b":2},3]\n' > mixed.json
	run mx-ingest -f json --rejects rej.ndjson mixed.json
	assert_success
	assert_line --index 0 --partial '{"a":1,"_source":"mixed.json","_line":1,'
	assert_line --index 1 --partial '{"b":2,"_source":"mixed.json","_line":4,'
	[ "${#lines[@]}" -eq 2 ]
	run jq -r '[._reject.line, ._reject.reason, ._raw] | @tsv' rej.ndjson
	assert_success
	assert_output "$(printf '%s\t%s\t%s\n' 2 'not a JSON object (a number)' 7 \
	    2 'not a JSON object (null)' null 3 'not a JSON object (a string)' '"s"' \
	    4 'not a JSON object (a number)' 3)"
	# two scalars in an array need a comma between them
	printf '[1 2]' > nocomma.json
	run mx-ingest -f json --rejects rej.ndjson nocomma.json
	assert_failure 1
	assert_output "mx-ingest: nocomma.json:1: malformed JSON document: expected ',' or ']' between records (the rest of the file cannot be split into records)"
}

@test "CSV: header to names, strings kept, quoting, embedded newlines" {
	printf 'id,name,amount,note\r\n1,"Smith, J", 12.50 ,\r\n2,Ann,007,"two\nlines"\r\n' > in.csv
	run mx-ingest in.csv
	assert_success
	assert_line --index 0 --partial '{"id":"1","name":"Smith, J","amount":" 12.50 ","note":"","_source":"in.csv","_line":2,'
	assert_line --index 1 --partial '{"id":"2","name":"Ann","amount":"007","note":"two\nlines","_source":"in.csv","_line":3,'
}

@test "CSV --infer: numbers typed, empty unquoted fields null, 007 kept" {
	printf 'a,b,c,d\n1.50,007,,""\n' > in.csv
	run mx-ingest --infer in.csv
	assert_success
	assert_output --partial '{"a":1.50,"b":"007","c":null,"d":"",'
}

@test "CSV: bad quoting and wrong field counts are rejected by record" {
	printf 'a,b\n1,2\n3,"x"y\n4\n5,6,7\n8,9\n' > in.csv
	run mx-ingest --rejects rej.ndjson in.csv
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	assert_line --index 1 --partial '{"a":"8","b":"9","_source":"in.csv","_line":6,'
	run jq -r '[._reject.line, ._reject.reason, ._raw] | @tsv' rej.ndjson
	assert_line --index 0 $'3\tCSV record 3: malformed quoting (a quote inside an unquoted field, or text after a closing quote)\t3,"x"y'
	assert_line --index 1 $'4\tCSV record 4: 1 fields, but the header has 2\t4'
	assert_line --index 2 $'5\tCSV record 5: 3 fields, but the header has 2\t5,6,7'
	run mx-ingest in.csv
	assert_failure 1
	assert_line --index 1 'mx-ingest: in.csv:3: CSV record 3: malformed quoting (a quote inside an unquoted field, or text after a closing quote)'
}

@test "CSV: an unterminated quote at the end, a bad header" {
	printf 'a,b\n1,"open\n' > open.csv
	run mx-ingest open.csv
	assert_failure 1
	assert_output 'mx-ingest: open.csv:2: CSV record 2: unterminated quoted field at end of input'
	printf 'a,a\n1,2\n' > dup.csv
	run mx-ingest dup.csv
	assert_failure 1
	assert_output "mx-ingest: dup.csv:1: header: column name 'a' appears twice"
	printf 'a,\n1,2\n' > noname.csv
	run mx-ingest noname.csv
	assert_failure 1
	assert_output 'mx-ingest: noname.csv:1: header: column 2 has no name'
}

@test "CSV and TSV: the byte order mark of a spreadsheet's \"CSV UTF-8\" export is dropped" {
	# as Excel and LibreOffice write it: BOM, CRLF, quotes where needed
	printf '\xef\xbb\xbfcustomer_id,name,city\r\n1,Zo\xc3\xab,"Lyon, FR"\r\n2,Ann,Paris\r\n' > export.csv
	run mx-ingest export.csv
	assert_success
	assert_line --index 0 --partial '{"customer_id":"1","name":"Zoë","city":"Lyon, FR","_source":"export.csv","_line":2,'
	assert_line --index 1 --partial '{"customer_id":"2","name":"Ann","city":"Paris","_source":"export.csv","_line":3,'
	[ "${#lines[@]}" -eq 2 ]
	# a quoted first name, gzipped, TSV
	printf '\xef\xbb\xbf"customer_id",name\r\n1,x\r\n' | gzip > quoted.csv.gz
	run mx-ingest quoted.csv.gz
	assert_success
	assert_output --partial '{"customer_id":"1","name":"x","_source":"quoted.csv.gz","_line":2,'
	printf '\xef\xbb\xbfcustomer_id\tname\n1\tx\n' > export.tsv
	run mx-ingest export.tsv
	assert_success
	assert_output --partial '{"customer_id":"1","name":"x","_source":"export.tsv","_line":2,'
	# only before the header: one inside a field is data
	printf 'a\n\xef\xbb\xbfx\n' > later.csv
	run mx-ingest later.csv
	assert_success
	assert_output --partial "{\"a\":\"$(printf '\xef\xbb\xbf')x\","
	# and a contract finds the column
	printf 'customer_id int required\n' > c.contract
	run sh -c 'mx-ingest export.csv | mx-validate -c c.contract'
	assert_success
	assert_line --index 0 --partial '{"customer_id":1,'
}

@test "CSV: gzipped, other delimiters, a real Facebook Ads export" {
	printf 'a;b\n1;x y\n' | gzip > semi.csv.gz
	run mx-ingest -d ';' semi.csv.gz
	assert_success
	assert_output --partial '{"a":"1","b":"x y",'
	# "144." is not a JSON number: it stays a string, and says so
	run sh -c "mx-ingest --infer '$FIX/fb_basic_ad.csv' | jq -c '.spend' | sort | sed -n '1p;\$p'"
	assert_success
	assert_output $'"144."\n76.53'
}

@test "TSV: tabs split fields, escapes decoded, no quoting" {
	printf 'a\tb\n"q"\tx\\ty\\\\z\n' > in.tsv
	run mx-ingest in.tsv
	assert_success
	assert_output --partial '{"a":"\"q\"","b":"x\ty\\z",'
}

@test "-j: a jq program reshapes records; several outputs, none" {
	printf '{"a":1,"b":[1,2]}\n{"a":2,"b":[]}\n' > in.ndjson
	run mx-ingest -j '.b[] as $x | {a, x: $x}' --stats st.json in.ndjson
	assert_success
	assert_line --index 0 --partial '{"a":1,"x":1,"_source":"in.ndjson","_line":1,'
	assert_line --index 1 --partial '{"a":1,"x":2,"_source":"in.ndjson","_line":1,'
	[ "${#lines[@]}" -eq 2 ]
	run cat st.json
	assert_output '{"tool":"mx-ingest","files":1,"in":2,"out":2,"rejected":0,"blank":0,"jq_empty":1}'
}

@test "-J: the program from a file flattens a real Calendly webhook" {
	cat > flat.jq <<'EOF'
{invitee_id: .payload.uri, email: .payload.email,
 utm_source: .payload.tracking.utm_source, event: .event}
EOF
	run mx-ingest -J flat.jq "$FIX/calendly_created.json"
	assert_success
	assert_output --partial '{"invitee_id":"https://api.calendly.com/scheduled_events/DDVRNUTABYGF4LO2/invitees/AHT4VZ5PQYFOSTFB","email":"betty@rei.com","utm_source":null,"event":"invitee.created","_source":'
}

@test "-j: runtime errors and non-objects reject the record" {
	printf '{"a":1}\n{"a":"x"}\n' > in.ndjson
	run mx-ingest -j '{b: (.a + 1)}' in.ndjson
	assert_failure 1
	assert_line --index 1 'mx-ingest: in.ndjson:2: jq: error: string ("x") and number (1) cannot be added'
	run mx-ingest -j '.a' --rejects rej.ndjson in.ndjson
	assert_success
	assert_output ''
	run jq -r '._reject.rule + ": " + ._reject.reason' rej.ndjson
	assert_line --index 0 'jq: jq output is not an object (a number)'
	assert_line --index 1 'jq: jq output is not an object (a string)'
}

@test "-j: a program that does not compile is a usage error" {
	run mx-ingest -j '.a |||' /dev/null
	assert_failure 2
	assert_output --partial 'jq: error: syntax error'
	assert_output --partial 'mx-ingest: the jq program does not compile'
}

@test "records that already carry provenance are rejected" {
	printf '{"a":1,"_rid":"x"}\n' > in.ndjson
	run mx-ingest in.ndjson
	assert_failure 1
	assert_output 'mx-ingest: in.ndjson:1: record already has the field _rid (ingested twice?)'
	run sh -c 'mx-ingest in.ndjson --rejects /dev/null; printf "{\"a\":1}\n" | mx-ingest | mx-ingest'
	assert_failure 1
	assert_output --partial 'record already has the field _source'
}

@test "--max-file-records and --max-file-bytes stop a gzip bomb before it fills the disk, naming the file" {
	# 12 KB that expand to a million records (8 MB)
	yes '{"a":1}' | head -n 1000000 | gzip -9 > bomb.gz
	[ "$(wc -c < bomb.gz)" -lt 20000 ]
	run sh -c 'mx-ingest --max-file-records 1000 bomb.gz > out.ndjson'
	assert_failure 1
	assert_output 'mx-ingest: bomb.gz:1001: more than 1000 records in the file (--max-file-records)'
	[ "$(wc -l < out.ndjson)" -eq 1000 ]
	run sh -c 'mx-ingest --max-file-bytes 100k --rejects rej.ndjson < bomb.gz > out.ndjson'
	assert_failure 1
	assert_output 'mx-ingest: <stdin>:12801: more than 102400 bytes in the file once decompressed (--max-file-bytes)'
	[ "$(wc -l < out.ndjson)" -eq 12800 ]
	[ ! -e rej.ndjson ]
	# rejected records count: they are written too
	yes 'bad' | head -n 50 > bad.ndjson
	run mx-ingest --max-file-records 10 --rejects rej.ndjson bad.ndjson
	assert_failure 1
	assert_output 'mx-ingest: bad.ndjson:11: more than 10 records in the file (--max-file-records)'
	# per file: two files at the limit pass
	printf '{"a":1}\n{"a":2}\n' > two.ndjson
	run mx-ingest --max-file-records 2 --max-file-bytes 16 two.ndjson two.ndjson
	assert_success
	[ "${#lines[@]}" -eq 4 ]
	run mx-ingest --max-file-bytes 15 two.ndjson
	assert_failure 1
	assert_line --index 1 'mx-ingest: two.ndjson:2: more than 15 bytes in the file (--max-file-bytes)'
	# JSON documents and CSV too, with the line of the first byte or
	# record past the limit
	printf '[{"a":1},\n{"a":2},\n{"a":3}]' > arr.json
	run mx-ingest --max-file-bytes 12 arr.json
	assert_failure 1
	assert_line --index 0 --partial '{"a":1,"_source":"arr.json","_line":1,'
	assert_line --index 1 'mx-ingest: arr.json:2: more than 12 bytes in the file (--max-file-bytes)'
	run mx-ingest --max-file-records 2 arr.json
	assert_failure 1
	assert_line --index 2 'mx-ingest: arr.json:3: more than 2 records in the file (--max-file-records)'
	run mx-ingest --max-file-bytes 28 arr.json
	assert_success
	printf 'a\n1\n2\n3\n' > s.csv
	run mx-ingest --max-file-records 2 s.csv
	assert_failure 1
	assert_line --index 2 'mx-ingest: s.csv:4: more than 2 records in the file (--max-file-records)'
	# bad values are usage errors
	for o in '--max-file-records 0' '--max-file-records x' '--max-file-bytes 0' '--max-file-bytes 1Q'; do
		run mx-ingest $o s.csv
		assert_failure 2
		assert_line --index 1 --partial 'usage: mx-ingest'
	done
}

@test "a closed stdout ends the run quietly" {
	python3 -c '
for i in range(300000): print("{\"i\":%d}" % i)' > big.ndjson
	run bash -c 'mx-ingest big.ndjson | head -1; echo "status ${PIPESTATUS[0]}"'
	assert_output --partial '{"i":0,'
	assert_line --index 1 'status 141'
	refute_output --partial 'mx-ingest:'
}

@test "writing to a full device is exit 1 with a message" {
	printf '{"a":1}\n' > in.ndjson
	run sh -c 'mx-ingest in.ndjson > /dev/full'
	assert_failure 1
	assert_output 'mx-ingest: write error: <stdout>: No space left on device'
}

@test "--rejects to a device writes in place (never renames over it)" {
	printf '{"a":01}\n' > in.ndjson
	mkfifo fifo
	cat fifo > got &
	run mx-ingest --rejects fifo in.ndjson
	assert_success
	wait
	run jq -r ._reject.rule got
	assert_output json
	[ -p fifo ]
	run mx-ingest --rejects /dev/null in.ndjson
	assert_success
	[ -c /dev/null ]
}

@test "the rejects file appears only complete" {
	printf '{"a":1}\n{"a":01}\n' > in.ndjson
	run mx-ingest --rejects sub/missing/rej.ndjson in.ndjson
	assert_failure 1
	assert_output --partial 'sub/missing/rej.ndjson'
	[ ! -e sub ]
	run sh -c 'ls -a | grep tmp'
	assert_failure
}

@test "unreadable files and bad options" {
	run mx-ingest nosuch.ndjson
	assert_failure 1
	assert_output --partial 'nosuch.ndjson: No such file or directory'
	run mx-ingest -f xml
	assert_failure 2
	assert_output --partial 'usage: mx-ingest'
	run mx-ingest --max-depth 0
	assert_failure 2
}

@test "same input, same bytes" {
	printf '{"a":1}\n{"b":2}\n' > in.ndjson
	mx-ingest in.ndjson > one
	mx-ingest in.ndjson > two
	run cmp one two
	assert_success
}

@test "man page examples run as written" {
	mkdir hooks
	printf '{"id":1}\nbroken\n' | gzip > hooks/2024-03-01.ndjson.gz
	mkdir uploads
	printf '{"id":2}\n' | gzip > uploads/a.gz
	printf '{"data":[{"id":1}]}' > export.json
	printf 'id,n\n1,2\n' > customers.csv
	cp "$FIX/calendly_created.json" calendly.json
	man_example mx-ingest.1 | sed -n '/^\.Bd/,/^\.Ed/p' | grep -v '^\.' > examples.sh
	run bash -c 'curl() { printf "{\"x\":1}\n"; }; export -f curl; set -e; . ./examples.sh'
	assert_success
	run cat bronze.ndjson
	assert_output --partial '{"x":1,"_source":"api"'
	run cat rejects.ndjson
	assert_output --partial '"_raw":"broken"'
	run cat customers.ndjson
	assert_output --partial '{"id":1,"n":2,'
	run cat stats.json
	assert_output '{"tool":"mx-ingest","files":1,"in":1,"out":1,"rejected":0,"blank":0,"jq_empty":0}'
}
