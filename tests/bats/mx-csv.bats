#!/usr/bin/env bats
# mx-csv: NDJSON to CSV, TSV and aligned tables; formula escaping; errors.

load helper

gold() {
	printf '%s\n' \
	    '{"event_date":"2024-03-01","event_hour":9,"revenue":1250.50,"transactions":3}' \
	    '{"event_date":"2024-03-01","event_hour":10,"revenue":-12.5,"transactions":1}' \
	    '{"event_date":"2024-03-02","event_hour":9,"revenue":0.10,"transactions":12}'
}

@test "CSV: header from the first record, numbers as written, exact" {
	gold > g.ndjson
	run mx-csv g.ndjson
	assert_success
	assert_output "$(printf '%s\n' event_date,event_hour,revenue,transactions \
	    2024-03-01,9,1250.50,3 2024-03-01,10,-12.5,1 2024-03-02,9,0.10,12)"
}

@test "CSV: quoting of commas, quotes and newlines; unescaped strings; null and nested values" {
	printf '%s\n' '{"a":"x,y","b":"say \"hi\"","c":"l1\nl2","d":null,"e":{"k":[1,2]},"f":"\u00e9\u0041","g":true}' > in.ndjson
	run mx-csv in.ndjson
	assert_success
	assert_output "$(printf '%s\n' 'a,b,c,d,e,f,g' '"x,y","say ""hi""","l1' 'l2",,"{""k"":[1,2]}",éA,true')"
	# read back by an independent CSV reader
	run python3 -c 'import csv,sys; r=list(csv.reader(open("/dev/stdin"))); print(r[1])' < <(mx-csv in.ndjson)
	assert_success
	assert_output "['x,y', 'say \"hi\"', 'l1\\nl2', '', '{\"k\":[1,2]}', 'éA', 'true']"
}

@test "formula cells are escaped for spreadsheets in every format, numbers are not; --raw keeps them" {
	printf '%s\n' '{"c":"=HYPERLINK(\"x\")","d":"+1","e":"-2","f":"@SUM(A1)","g":"\tx","h":-3.5,"i":"a=b"}' > in.ndjson
	run mx-csv -H in.ndjson
	assert_success
	assert_output "\"'=HYPERLINK(\"\"x\"\")\",'+1,'-2,'@SUM(A1),'	x,-3.5,a=b"
	run mx-csv -t -H in.ndjson
	assert_success
	assert_output "'=HYPERLINK(\"x\")	'+1	'-2	'@SUM(A1)	'\\tx	-3.5	a=b"
	run mx-csv --raw -t -H in.ndjson
	assert_success
	assert_output "=HYPERLINK(\"x\")	+1	-2	@SUM(A1)	\\tx	-3.5	a=b"
}

@test "TSV: one line per record, tabs and newlines escaped" {
	printf '%s\n' '{"a":"t\tn\nb\\","b":1}' > in.ndjson
	run mx-csv -t in.ndjson
	assert_success
	assert_output $'a\tb\nt\\tn\\nb\\\\\t1'
	[ "$(mx-csv -t in.ndjson | wc -l)" = 2 ]
}

@test "-p: an aligned table, numbers to the right, characters counted not bytes" {
	printf '%s\n' '{"name":"é","n":5}' '{"name":"abc","n":1234}' '{"name":null,"n":7}' > in.ndjson
	run mx-csv -p in.ndjson
	assert_success
	assert_output "$(printf '%s\n' 'name     n' '----  ----' 'é        5' 'abc   1234' '         7')"
	run mx-csv -p -H in.ndjson
	assert_success
	assert_line --index 0 'é       5'
}

# A title-setting ESC sequence, a bell, NUL, DEL and a C1 control (U+0085)
hostile() {
	printf '%s\n' '{"name":"a\u001b]0;x\u0007b","n":1,"z":"nul\u0000.\u007f.\u0085.\u00e9"}' \
	    '{"name":"ok","n":22,"z":"c:\\x"}'
}

@test "-p: control characters are shown as escapes, never sent to the terminal; widths count the escapes" {
	hostile > in.ndjson
	run mx-csv -p in.ndjson
	assert_success
	assert_output "$(printf '%s\n' 'name                 n  z' \
	    '------------------  --  -------------------------' \
	    'a\u001b]0;x\u0007b   1  nul\u0000.\u007f.\u0085.é' \
	    'ok                  22  c:\\x')"
	# no byte of the output is a control but the newlines
	run sh -c 'mx-csv -p in.ndjson | LC_ALL=C tr -d "\n" | LC_ALL=C grep -c "[[:cntrl:]]"'
	assert_output 0
	run sh -c 'mx-csv -p in.ndjson | grep -c "$(printf "\302\205")"'
	assert_output 0
	# column names too, and in the message about a stray key
	printf '%s\n' '{"a\u001bq":1}' > key.ndjson
	run mx-csv -p key.ndjson
	assert_success
	assert_line --index 0 'a\u001bq'
	printf '%s\n' '{"a":1}' '{"b\u001b[2J":2}' > stray.ndjson
	run mx-csv -o out.csv stray.ndjson
	assert_failure 1
	assert_output 'mx-csv: stray.ndjson:2: field "b\u001b[2J" is not a column (the columns are the first record'"'"'s fields; choose them with -f)'
}

@test "CSV keeps control characters only inside quotes, TSV keeps them; -e escapes them in both" {
	hostile > in.ndjson
	run sh -c 'mx-csv in.ndjson | od -An -c | tr -s " " | tr -d "\n"'
	assert_success
	assert_output ' n a m e , n , z \n " a 033 ] 0 ; x \a b " , 1 , " n u l \0 . 177 . 302 205 . 303 251 " \n o k , 2 2 , c : \ x \n'
	# an independent reader gets every byte back
	run python3 -c 'import csv,sys,json; print(json.dumps(list(csv.reader(sys.stdin))[1]))' < <(mx-csv in.ndjson)
	assert_success
	assert_output '["a\u001b]0;x\u0007b", "1", "nul\u0000.\u007f.\u0085.\u00e9"]'
	run sh -c 'mx-csv -t -H in.ndjson | od -An -c | tr -s " " | tr -d "\n"'
	assert_success
	assert_output ' a 033 ] 0 ; x \a b \t 1 \t n u l \0 . 177 . 302 205 . 303 251 \n o k \t 2 2 \t c : \ \ x \n'
	run mx-csv -e in.ndjson
	assert_success
	assert_output "$(printf '%s\n' name,n,z 'a\u001b]0;x\u0007b,1,nul\u0000.\u007f.\u0085.é' 'ok,22,c:\\x')"
	run mx-csv -e -t -H in.ndjson
	assert_success
	assert_output "$(printf '%s\t%s\t%s\n' 'a\u001b]0;x\u0007b' 1 'nul\u0000.\u007f.\u0085.é' ok 22 'c:\\x')"
	# a tab is no control here: CSV leaves it unquoted, as before
	printf '%s\n' '{"a":"x\ty"}' > tab.ndjson
	run mx-csv -H tab.ndjson
	assert_success
	assert_output "$(printf 'x\ty')"
}

@test "-f chooses and orders the columns; missing values are empty" {
	gold > g.ndjson
	printf '%s\n' '{"revenue":5}' >> g.ndjson
	run mx-csv -f revenue,event_date g.ndjson
	assert_success
	assert_output "$(printf '%s\n' revenue,event_date 1250.50,2024-03-01 -12.5,2024-03-01 0.10,2024-03-02 5,)"
}

@test "a key that is not a column is an error naming file and line; -o then publishes nothing" {
	gold > g.ndjson
	printf '%s\n' '{"event_date":"2024-03-03","extra":1}' >> g.ndjson
	run mx-csv -o out.csv g.ndjson
	assert_failure 1
	assert_output 'mx-csv: g.ndjson:4: field "extra" is not a column (the columns are the first record'"'"'s fields; choose them with -f)'
	[ ! -e out.csv ]
	[ -z "$(ls -A | grep -v '^g.ndjson$')" ]
}

@test "-f: a column no record had is a warning; --strict makes it an error and -o publishes nothing" {
	gold > g.ndjson
	run mx-csv -f event_date,revnue g.ndjson
	assert_success
	assert_output "$(printf '%s\n' "mx-csv: -f: no record had the field 'revnue' (a typo?)" \
	    event_date,revnue 2024-03-01, 2024-03-01, 2024-03-02,)"
	run mx-csv --strict -o out.csv -f revnue,event_date g.ndjson
	assert_failure 1
	assert_output "mx-csv: -f: no record had the field 'revnue'"
	[ ! -e out.csv ]
	run mx-csv --strict -p -f revnue g.ndjson
	assert_failure 1
	assert_output "mx-csv: -f: no record had the field 'revnue'"
	# a column one record had is no typo; no records, nothing to say
	printf '%s\n' '{"revnue":1}' >> g.ndjson
	run mx-csv --strict -H -f revnue g.ndjson
	assert_success
	run mx-csv --strict -f revnue /dev/null
	assert_success
	assert_output 'revnue'
}

@test "bad JSON and non-objects are errors with file and line" {
	printf '%s\n' '{"a":1}' '{"a":' > bad.ndjson
	run mx-csv bad.ndjson
	assert_failure 1
	assert_output --partial 'mx-csv: bad.ndjson:2: invalid JSON'
	printf '%s\n' '[1]' > arr.ndjson
	run mx-csv arr.ndjson
	assert_failure 1
	assert_output --partial 'arr.ndjson:1: not a JSON object'
	run mx-csv nosuch.ndjson
	assert_failure 1
	assert_output --partial 'nosuch.ndjson: No such file or directory'
}

@test "stdin, gzip, several files, empty input, -o" {
	gold | gzip > g.ndjson.gz
	run sh -c 'gold() { :; }; mx-csv -H < g.ndjson.gz'
	assert_success
	assert_line --index 0 2024-03-01,9,1250.50,3
	gold > g.ndjson
	run mx-csv -o both.csv g.ndjson g.ndjson.gz
	assert_success
	assert_output ''
	[ "$(wc -l < both.csv)" = 7 ]
	run mx-csv /dev/null
	assert_success
	assert_output ''
}

@test "bad command lines exit 2 with the usage" {
	run mx-csv -x
	assert_failure 2
	assert_output --partial 'usage: mx-csv [-eHpt] [-f fields] [--raw] [-o file] [--strict]'
	run mx-csv -f ''
	assert_failure 2
	run mx-csv -f a,,b
	assert_failure 2
}

@test "man page examples run as written" {
	mkdir gold
	gold > gold/hourly_revenue.ndjson
	man_example mx-csv.1 | sed -n '/^\.Bd/,/^\.Ed/p' | grep -v '^\.' | sed 's/\\e/\\/g' > examples.sh
	run bash -e examples.sh
	assert_success
	assert_output "$(printf '%s\n' 'event_date  revenue' '----------  -------' '2024-03-01  1250.50' '2024-03-01    -12.5' '2024-03-02     0.10' 2024-03-01)"
	run cat hourly_revenue.csv
	assert_line --index 1 2024-03-01,9,1250.50,3
}
