#!/usr/bin/env bats
# JSON conformance across the tools: every malformed form of RFC 8259 is
# refused by each tool that reads NDJSON, with the file and line, never a
# crash; valid forms pass through byte for byte where a tool keeps records.

load helper

# Each tool as a command reading the file in its last argument.
tools() {
	printf '{"date":"2024-03-01","a":"x","spend":1}\n' > spend.ndjson
	printf 'a string\n' > c.contract
	# keys hashed, never a failure: nothing printed (-q) whatever the keys
	printf 'unique a severity=warn warn_if=>1000000000\n' > c.tests
	cat <<-EOF
	mx-ingest
	mx-validate -c c.contract
	mx-dedup -k a
	mx-partition -d parts -k a
	mx-agg -g a
	mx-join-spend -s spend.ndjson -k a
	mx-join -r spend.ndjson -k a --prefix r_
	mx-calc -e b=a
	mx-csv -f a
	mx-test -q c.tests
	mx-snapshot -k a -s h.ndjson -o -
	mx-stats -g a
	EOF
}

# The malformed lines, one per file, with what each breaks.
malformed() {
	local deep
	deep=$(printf '[%.0s' $(seq 10000))
	printf '{"a":"open}\n' > unterminated
	printf '{"a":"\\x"}\n' > bad-escape
	printf '{"a":"\\u12"}\n' > short-unicode-escape
	printf '{"a":"\\ud800"}\n' > lone-high-surrogate
	printf '{"a":"\\udc00x"}\n' > lone-low-surrogate
	printf '{"a":"\377"}\n' > invalid-utf8
	printf '{"a":"\300\257"}\n' > overlong-slash
	printf '{"a":"\355\240\200"}\n' > utf8-surrogate
	printf '{"a":01}\n' > leading-zero
	printf '{"a":NaN}\n' > nan
	printf '{"a":-Infinity}\n' > infinity
	printf '{"a":1.}\n' > bare-point
	printf '{"a":.5}\n' > no-integer-part
	printf '{"a":1,}\n' > trailing-comma
	printf '{"a":[1,]}\n' > trailing-comma-array
	printf '{"a":1,"a":2}\n' > duplicate-key
	printf "{'a':1}\n" > single-quotes
	printf '{a:1}\n' > unquoted-key
	printf '{"a":tru}\n' > bad-literal
	printf '{"a":1} x\n' > trailing-garbage
	printf '{"a":"\t"}\n' > raw-tab-in-string
	printf '{"a":"\0"}\n' > nul-in-string
	printf '\357\273\277{"a":1}\n' > bom
	printf '{"a":%s}\n' "$deep" > nested-10000
	printf '[1,2]\n' > not-an-object
}

@test "every malformed form is refused by every tool, naming file and line 2, exit 1, no crash" {
	malformed
	files=$(ls)
	tools > tools.txt
	# mx-kmeans needs a number in every record, line 1's included
	echo 'mx-kmeans -k 1 -f dow(date)' >> tools.txt
	while IFS= read -r t; do
		for f in $files; do
			{ printf '{"a":"first","date":"2024-03-01"}\n'; cat "$f"; } > in.ndjson
			rm -rf parts
			run $t in.ndjson
			[ "$status" -eq 1 ] || fail "$t on $f: exit $status: $output"
			[[ "$output" == *"in.ndjson:2: "* ]] || fail "$t on $f: no file and line: $output"
			[[ "$output" != *Sanitizer* ]] || fail "$t on $f: $output"
		done
	done < tools.txt
}

@test "a file of 1 MB or more is read mapped: every tool gives what it gives through a pipe of the same name; a malformed line named the same" {
	# CRLF and LF lines, blank lines, the last line without a newline
	for i in $(seq 1 12000); do
		printf '{"a":"v%d","date":"2024-03-0%d","n":%d,"pad":"%s"}' $((i % 97)) $((i % 9 + 1)) "$i" xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
		case $((i % 50)) in 0) printf '\r\n' ;; 1) printf '\n\n' ;; *) printf '\n' ;; esac
	done | head -c -1 > big.ndjson
	[ "$(stat -c %s big.ndjson)" -gt 1048576 ]
	{ head -c 1100000 big.ndjson | sed '$d'; echo '{"a":1,}'; cat big.ndjson; } > bad.ndjson
	tools > tools.txt
	while IFS= read -r t; do
		for f in big bad; do
			cp "$f.ndjson" in.ndjson
			rm -rf parts
			run $t in.ndjson
			s1=$status o1=$(printf '%s\n' "$output" | sed 's/part-[^"]*//g; s/"run":"[^"]*"//g')
			rm -f in.ndjson
			mkfifo in.ndjson
			cat "$f.ndjson" > in.ndjson &
			rm -rf parts
			run $t in.ndjson
			wait
			rm -f in.ndjson
			o2=$(printf '%s\n' "$output" | sed 's/part-[^"]*//g; s/"run":"[^"]*"//g')
			[ "$s1" = "$status" ] || fail "$t on $f: exit $s1 mapped, $status through a pipe"
			[ "$o1" = "$o2" ] || fail "$t on $f: the outputs differ: $(diff <(echo "$o1") <(echo "$o2") | head -5)"
		done
		[ "$s1" = 1 ] && [[ "$o1" == *"in.ndjson:"*":"* ]] || fail "$t on bad: $o1"
	done < tools.txt
}

@test "gzip members after the first (decompressed whole): the records of one stream; a damaged, cut or big member, padding and garbage as with one" {
	for m in 1 2 3; do
		for i in $(seq 1 2000); do
			printf '{"n":%d,"m":%d,"pad":"%s"}\n' $((m * 10000 + i)) "$m" xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
		done > "m$m.ndjson"
		gzip -c "m$m.ndjson" >> three.gz
	done
	cat m1.ndjson m2.ndjson m3.ndjson > all.ndjson
	# (outputs to files: a message on stderr may fall inside a line)
	run sh -c 'mx-dedup -k n three.gz > out.ndjson'
	assert_success
	assert_output ''
	cmp out.ndjson all.ndjson
	# a big member (2 MB of records) after a small one
	for i in $(seq 1 20000); do
		printf '{"n":%d,"m":9,"pad":"%s"}\n' $((90000 + i)) xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
	done > big.ndjson
	{ gzip -c m1.ndjson; gzip -c big.ndjson; gzip -c m2.ndjson; } > bigm.gz
	run sh -c 'mx-dedup -k n bigm.gz > out.ndjson'
	assert_success
	cat m1.ndjson big.ndjson m2.ndjson | cmp - out.ndjson
	# zeros after the last member: a warning; anything else: an error
	{ cat three.gz; head -c 1000 /dev/zero; } > padded.gz
	run sh -c 'mx-dedup -k n padded.gz > out.ndjson'
	assert_success
	assert_output 'mx-dedup: padded.gz: trailing zero bytes after the gzip data ignored'
	cmp out.ndjson all.ndjson
	{ cat three.gz; echo garbage; } > garbage.gz
	run sh -c 'mx-dedup -k n garbage.gz > /dev/null'
	assert_failure 1
	assert_output 'mx-dedup: garbage.gz:6001: trailing garbage after gzip data'
	# the second member damaged in its middle, the last one cut short
	s1=$(gzip -c m1.ndjson | wc -c)
	s2=$(gzip -c m2.ndjson | wc -c)
	cp three.gz bad.gz
	printf 'XXXXXXXX' | dd of=bad.gz bs=1 seek=$((s1 + s2 / 2)) conv=notrunc 2> /dev/null
	run sh -c 'mx-dedup -k n bad.gz > /dev/null'
	assert_failure 1
	assert_output --regexp '^mx-dedup: bad\.gz:[0-9]+: (corrupt gzip input .*|truncated gzip input .*)$'
	head -c $(($(wc -c < three.gz) - 20)) three.gz > cut.gz
	run sh -c 'mx-dedup -k n cut.gz > /dev/null'
	assert_failure 1
	assert_output --regexp '^mx-dedup: cut\.gz:[0-9]+: (truncated gzip input|corrupt gzip input).*$'
	# the same through a pipe (every member through zlib)
	run sh -c 'cat three.gz | mx-dedup -k n > out.ndjson'
	assert_success
	cmp out.ndjson all.ndjson
	# a small member with a header CRC (FLG.FHCRC) after the first: read,
	# its CRC checked, from a file as through a pipe
	gzip -nc m2.ndjson > m2.gz
	{ head -c 3 m2.gz; printf '\002'; tail -c +5 m2.gz | head -c 6; } > hdr
	# (its CRC: the low 16 bits of the header's CRC-32, which gzip's
	# trailer of the header holds first)
	{ cat hdr; gzip -c < hdr | tail -c 8 | head -c 2; tail -c +11 m2.gz; } > hcrc.gz
	{ cat hdr; printf 'XX'; tail -c +11 m2.gz; } > badhcrc.gz
	gzip -t hcrc.gz
	gzip -c m1.ndjson | cat - hcrc.gz > good.gz
	gzip -c m1.ndjson | cat - badhcrc.gz > bad.gz
	for how in file pipe; do
		if [ $how = file ]; then
			run sh -c 'mx-dedup -k n good.gz > out.ndjson'
		else
			run sh -c 'cat good.gz | mx-dedup -k n > out.ndjson'
		fi
		assert_success
		assert_output ''
		cat m1.ndjson m2.ndjson | cmp - out.ndjson
	done
	run sh -c 'mx-dedup -k n bad.gz > /dev/null'
	assert_failure 1
	assert_output 'mx-dedup: bad.gz:2001: corrupt gzip input (header crc mismatch)'
	run sh -c 'cat bad.gz | mx-dedup -k n > /dev/null'
	assert_failure 1
	assert_output 'mx-dedup: <stdin>:2001: corrupt gzip input (header crc mismatch)'
}

# cut_under ARGS...: mx-dedup ARGS over a 2 MB in.ndjson, stopped by a
# full pipe after about 1 MB of its output while the input is cut to $CUT
# bytes (1000 unless set) under it; its exit status in $status, its stderr
# in err.
cut_under() {
	for i in $(seq 1 60000); do
		printf '{"a":"v%d","date":"2024-03-01"}\n' "$i"
	done > in.ndjson
	rm -f out
	mkfifo out
	mx-dedup "$@" in.ndjson > out 2> err &
	pid=$!
	exec 5< out
	head -c 1000 <&5 > /dev/null
	sleep 0.5
	truncate -s "${CUT:-1000}" in.ndjson
	cat <&5 > /dev/null
	exec 5<&-
	# (waited for here, not in run's subshell, where the tool is no child)
	status=0 output=''
	wait "$pid" || status=$?
}

@test "a mapped input cut short while it is read: exit 1 with a message, nothing half-written" {
	cut_under -k a
	assert_failure 1
	run cat err
	assert_output 'mx-dedup: in.ndjson: cut short while it was read'
	# a tool writing a file leaves no temporary file behind
	cut_under -k a --stats st.json
	assert_failure 1
	[ ! -e st.json ]
	[ -z "$(ls -A | grep tmp)" ]
	# cut within its last page, which reads as zeros past the new end
	# (no SIGBUS): the same, not the zeros refused as a record
	s=$(stat -c %s in.ndjson)
	[ $((s % 4096)) -gt 200 ]
	CUT=$((s - s % 4096 + 100)) cut_under -k a
	assert_failure 1
	run cat err
	assert_output 'mx-dedup: in.ndjson: cut short while it was read'
}

@test "a SIGBUS that is no mapped input cut short (here one sent) is not disguised as one: the default action, no temporary left" {
	# (ASan keeps its own handler for it)
	[ -z "${MX_SANITIZE:-}" ] || skip "make check runs it without ASan"
	# more output (4.7 MB) than a pipe holds (1 MB at most, pipe-max-size):
	# the tool is still writing when the signal comes, however slow
	# the reader
	awk 'BEGIN { for (i = 1; i <= 300000; i++) printf "{\"a\":\"v%d\"}\n", i }' > in.ndjson
	rm -f out st.json
	mkfifo out
	mx-dedup -k a --stats st.json in.ndjson > out 2> err &
	pid=$!
	exec 5< out
	head -c 1000 <&5 > /dev/null
	kill -BUS "$pid"
	cat <&5 > /dev/null
	exec 5<&-
	# (waited for here: in run's subshell the tool is no child, unless
	# this shell happened to reap it first)
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq $((128 + $(kill -l BUS))) ]
	run cat err
	assert_output ''
	[ ! -e st.json ]
	[ -z "$(ls -A | grep tmp)" ]
}

@test "streaming tools read a 100 MB file, lines or one JSON document, in constant memory (under 40 MB resident)" {
	[ -z "${MX_SANITIZE:-}" ] || skip "ASan's shadow memory is no measure"
	yes '{"a":1,"b":"xxxxxxxxxxxxxxxxxxxxxxxx","date":"2024-03-01"}' |
	    head -n 2000000 > big.ndjson
	{ echo '['; sed 's/$/,/' big.ndjson; echo '{"a":2}]'; } > doc.json
	[ "$(stat -c %s doc.json)" -gt 100000000 ]
	printf 'a int\nb string\ndate date\n' > c.contract
	while IFS= read -r t; do
		run maxrss $t
		assert_success
		[ "$output" -lt 40960 ] || fail "$t: $output KiB resident"
	done <<-EOF
	mx-ingest big.ndjson
	mx-ingest doc.json
	mx-validate -c c.contract big.ndjson
	mx-calc -e c=a+1 big.ndjson
	mx-csv -f a,b big.ndjson
	mx-partition -d parts -k date big.ndjson
	EOF
}

@test "standard input that is a file read in part already: the rest of it, as through a pipe, mapped or not" {
	for i in $(seq 1 60000); do
		printf '{"a":"v%d","date":"2024-03-0%d"}\n' "$i" $((i % 9 + 1))
	done > big.ndjson
	[ "$(stat -c %s big.ndjson)" -gt 1048576 ]
	head -n 5 big.ndjson > small.ndjson
	for f in big small; do
		# (the shell's read leaves the offset after the first line)
		run sh -c "{ IFS= read -r x; mx-dedup -k a; } < $f.ndjson > o1"
		assert_success
		tail -n +2 "$f.ndjson" | cmp - o1
		run sh -c "{ IFS= read -r x; mx-agg -g date; } < $f.ndjson"
		assert_success
		[ "$output" = "$(tail -n +2 "$f.ndjson" | mx-agg -g date)" ]
	done
	[ "$(wc -l < o1)" = 4 ]
}

@test "keys of every length: duplicates are found and fields selected, wherever they sit in the line" {
	for n in $(seq 1 40); do
		k=$(head -c "$n" /dev/zero | tr '\0' k)
		printf '{"%s":1,"%s":2}\n' "$k" "$k" > dup.ndjson
		run mx-dedup dup.ndjson
		assert_failure 1
		assert_output --partial 'dup.ndjson:1:'
		assert_output --partial 'duplicate key'
		printf '{"%s":1,"x":"%s"}\n{"x":"%s","%s":2}\n' \
		    "$k" "$k" "$k" "$k" > sel.ndjson
		printf '{"%s\\u006b":3,"%s":4}\n' "${k%k}" "$k" > esc.ndjson
		run mx-csv -H -f "$k" sel.ndjson
		assert_success
		assert_output "$(printf '1\n2')"
		run mx-csv -H -f "$k" esc.ndjson
		assert_failure 1
		assert_output --partial 'duplicate key'
	done
}

@test "mx-budget and the right side of mx-join refuse every malformed form too, naming file and line 2" {
	malformed
	files=$(ls)
	printf '{"a":"x"}\n' > left.ndjson
	for f in $files; do
		{ printf '{"advertiser":"a","amount":1,"timestamp":"2024-03-01T10:00:00Z"}\n'; cat "$f"; } > in.ndjson
		for t in "mx-budget in.ndjson" "mx-join -r in.ndjson -k a left.ndjson"; do
			run $t
			[ "$status" -eq 1 ] || fail "$t on $f: exit $status: $output"
			[[ "$output" == *"in.ndjson:2: "* ]] || fail "$t on $f: no file and line: $output"
			[[ "$output" != *Sanitizer* ]] || fail "$t on $f: $output"
		done
	done
}

@test "the messages say what is wrong" {
	malformed
	for f in duplicate-key lone-high-surrogate invalid-utf8 leading-zero nested-10000 bom; do
		run mx-ingest "$f"
		assert_failure 1
		echo "$f: $output"
	done > messages.txt
	run cat messages.txt
	assert_line --partial 'duplicate-key: mx-ingest: duplicate-key:1: invalid JSON at column 8: duplicate key in object'
	assert_line --regexp '^lone-high-surrogate: .*surrogate'
	assert_line --regexp '^invalid-utf8: .*UTF-8'
	assert_line --regexp '^leading-zero: .*leading zero'
	assert_line --regexp '^nested-10000: .*(deep|nesting)'
}

# Valid lines with every form a writer may choose: escapes, unicode,
# numbers, whitespace, nesting.
valid() {
	local deep close
	# (jq, which checks the output, stops at 256 levels)
	deep=$(printf '[%.0s' $(seq 200))
	close=$(printf ']%.0s' $(seq 200))
	printf '%s\n' \
	    '{"a":"\u00e9\ud83d\ude00 caf\u00e9","b":[1,2.5e-3,-0,1E+2,0.0],"c":{"d":null,"e":true,"f":false}}' \
	    '{"a":"\/\\\"\b\f\n\r\t","b":"é😀"}' \
	    '{ "a" : 1 , "b" :	[ ] ,"c":{ } }' \
	    '{"a":-12.50e-0,"":"empty key","b":123456789012345678901234567890}' \
	    "{\"b\":$deep$close}"
}

@test "valid forms pass byte for byte through mx-dedup and mx-partition, and as a prefix through mx-ingest" {
	valid > in.ndjson
	run mx-dedup in.ndjson
	assert_success
	[ "$output" = "$(cat in.ndjson)" ]
	run mx-partition -d parts -k z in.ndjson
	assert_success
	run sh -c 'cat parts/*/part-*.ndjson'
	[ "$output" = "$(cat in.ndjson)" ]
	mx-ingest in.ndjson > out.ndjson
	paste -d '\n' in.ndjson out.ndjson | while IFS= read -r a && IFS= read -r b; do
		[ "${b#"${a%\}}"}" != "$b" ] || fail "mx-ingest changed $a"
	done
	# jq, an independent parser, reads every line mx wrote
	run jq -ec 'type == "object"' out.ndjson
	assert_success
}

@test "valid forms are accepted by every tool" {
	valid > in.ndjson
	tools > tools.txt
	while IFS= read -r t; do
		rm -rf parts
		run $t in.ndjson
		case $t in
		# they check fields, not syntax
		mx-validate*|mx-join-spend*|mx-snapshot*) ;;
		*) [ "$status" -eq 0 ] || fail "$t: exit $status: $output" ;;
		esac
		[[ "$output" != *"invalid JSON"* ]] || fail "$t: $output"
	done < tools.txt
	# mx-kmeans takes the lines whose "a" is a number, and sets the others
	# aside for their feature, none for its syntax
	run mx-kmeans -k 1 -f a --rejects r.ndjson in.ndjson
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	run jq -r '._reject.rule' r.ndjson
	assert_output "$(printf 'feature\nfeature\nfeature')"
}

@test "blank lines are no records: every tool skips them and gives what it gives without them" {
	tools > tools.txt
	printf '{"a":"x","date":"2024-03-01"}\n{"a":"y","date":"2024-03-01"}\n' > plain.ndjson
	printf '\n{"a":"x","date":"2024-03-01"}\n \t\r\n\r\n{"a":"y","date":"2024-03-01"}\n\n' \
	    > blanks.ndjson
	while IFS= read -r t; do
		case $t in
		mx-partition*)	t="$t --run r1" ;;
		mx-ingest)	t="mx-ingest --source plain.ndjson" ;;
		esac
		rm -rf parts
		# mx-ingest's _line differs, and only it
		run sh -c "$t plain.ndjson | sed 's/\"_line\":[0-9]*,//'"
		[ "$status" -eq 0 ] || fail "$t: exit $status: $output"
		want=$output
		rm -rf parts
		run sh -c "$t blanks.ndjson | sed 's/\"_line\":[0-9]*,//'"
		[ "$status" -eq 0 ] || fail "$t: exit $status: $output"
		[ "$output" = "$want" ] || fail "$t: $output, not $want"
	done < tools.txt
	SOURCE_DATE_EPOCH=0 run mx-ingest blanks.ndjson
	assert_success
	assert_output '{"a":"x","date":"2024-03-01","_source":"blanks.ndjson","_line":2,"_ingested_at":"1970-01-01T00:00:00Z","_rid":"c8740bec632d568c"}
{"a":"y","date":"2024-03-01","_source":"blanks.ndjson","_line":5,"_ingested_at":"1970-01-01T00:00:00Z","_rid":"421103c1b3899206"}'
}

@test "--stats /dev/stdout and /dev/stderr work in every tool that has --stats" {
	tools | grep -E 'ingest|validate|dedup|join' > tools.txt
	[ "$(wc -l < tools.txt)" -eq 5 ]
	printf '{"a":"x","date":"2024-03-01"}\n' > in.ndjson
	while IFS= read -r t; do
		for dev in stdout stderr; do
			run sh -c "$t --stats /dev/$dev in.ndjson 2>&1 | cat"
			[ "$status" -eq 0 ] || fail "$t: exit $status: $output"
			printf '%s\n' "$output" | grep -q '^{"tool":"mx-' ||
			    fail "$t --stats /dev/$dev: $output"
		done
	done < tools.txt
}

@test "--stats and --rejects files under /dev/shm are files like any other (a TMPDIR of /dev/shm)" {
	[ -d /dev/shm ] && [ -w /dev/shm ] || skip "no writable /dev/shm"
	tools | grep -E 'ingest|validate|dedup|join' > tools.txt
	printf '{"a":"x","date":"2024-03-01"}\n' > in.ndjson
	d=$(mktemp -d /dev/shm/mx-bats.XXXXXX)
	while IFS= read -r t; do
		run $t --stats "$d/stats" --rejects "$d/rejects" in.ndjson
		[ "$status" -eq 0 ] || { rm -rf "$d"; fail "$t: exit $status: $output"; }
		grep -q '^{"tool":"mx-' "$d/stats" && [ -f "$d/rejects" ] ||
		    { rm -rf "$d"; fail "$t: no stats file or rejects file"; }
		rm -f "$d/stats" "$d/rejects"
	done < tools.txt
	# nothing left under a temporary name either
	run ls -A "$d"
	rm -rf "$d"
	assert_success
	assert_output ''
}

@test "limits: every tool takes --max-record and --max-depth and refuses cleanly with file and line" {
	tools > tools.txt
	printf '{"a":"%s"}\n' "$(head -c 5000 /dev/zero | tr '\0' x)" > big.ndjson
	printf '{"a":"x","b":%s1%s}\n' "$(printf '[%.0s' $(seq 40))" \
	    "$(printf ']%.0s' $(seq 40))" > deep.ndjson
	while IFS= read -r t; do
		rm -rf parts
		run $t --max-record 4k big.ndjson
		[ "$status" -eq 1 ] || fail "$t: exit $status: $output"
		[[ "$output" == *"big.ndjson:1: line longer than 4096 bytes"* ]] ||
		    fail "$t: $output"
		rm -rf parts
		run $t --max-depth 20 deep.ndjson
		[ "$status" -eq 1 ] || fail "$t: exit $status: $output"
		[[ "$output" == *"deep.ndjson:1:"*"nesting deeper than 20"* ]] ||
		    fail "$t: $output"
		rm -rf parts
		run $t --max-depth 41 --max-record 5k deep.ndjson big.ndjson
		[ "$status" -eq 0 ] || fail "$t: exit $status: $output"
		run $t --max-depth 0 deep.ndjson
		[ "$status" -eq 2 ] || fail "$t: exit $status: $output"
		[[ "$output" == *"--max-depth: 1 to 10000"* ]] || fail "$t: $output"
		run $t --max-record 12q deep.ndjson
		[ "$status" -eq 2 ] || fail "$t: exit $status: $output"
		[[ "$output" == *"--max-record: '12q' is not a size such as 512M"* ]] ||
		    fail "$t: $output"
	done < tools.txt
	# a line of the limit's length ending in CRLF is within it, even when
	# its CR and LF come in two reads; one byte more is not
	run sh -c "{ printf '{\"a\":1}\\r'; sleep 0.3; printf '\\n{\"a\":22}\\r\\n'; } | mx-dedup --max-record 7"
	assert_failure 1
	assert_output '{"a":1}
mx-dedup: <stdin>:2: line longer than 7 bytes (the record size limit)'
}

@test "SIGTERM and SIGINT in the middle of a run: no output file appears, no temporary is left" {
	tools > /dev/null	# spend.ndjson, c.contract
	printf 'not_null nosuch\n' > f.tests	# a failing row is stored
	temps=0
	while IFS= read -r t; do
		for sig in TERM INT; do
			rm -rf out fifo
			mkdir out
			mkfifo fifo
			$t fifo > /dev/null 2> err &
			pid=$!
			exec 7> fifo
			printf '{"a":"x","date":"2024-03-01"}\n' >&7
			sleep 0.3
			# the temporaries the signal must remove
			temps=$((temps + $(find out -type f | wc -l)))
			kill -"$sig" "$pid"
			rc=0
			wait "$pid" || rc=$?
			exec 7>&-
			[ "$rc" -ne 0 ] || fail "$t: SIG$sig: exit 0"
			[ -z "$(find out -type f)" ] || fail "$t: SIG$sig left $(find out -type f)"
			! grep -q Sanitizer err || fail "$t: $(cat err)"
		done
	done <<-EOF
	mx-ingest --rejects out/r.ndjson --stats out/s.json
	mx-validate -c c.contract --rejects out/r.ndjson --stats out/s.json
	mx-dedup -k a --dups out/d.ndjson --seen out/seen --stats out/s.json
	mx-partition -d out/p -k a
	mx-agg -g a --rejects out/r.ndjson
	mx-join-spend -s spend.ndjson -k a --rejects out/r.ndjson
	mx-join -r spend.ndjson -k a --prefix r_ --rejects out/r.ndjson --unmatched out/u.ndjson
	mx-calc -e b=a --rejects out/r.ndjson --stats out/s.json
	mx-budget --rejects out/r.ndjson --stats out/s.json
	mx-csv -o out/c.csv
	mx-test --store out/st --run r f.tests
	mx-snapshot -k a -s out/h.ndjson --rejects out/r.ndjson --stats out/s.json
	mx-kmeans -k 1 -f a --rejects out/r.ndjson --stats out/s.json
	EOF
	[ "$temps" -ge 10 ] || fail "only $temps temporaries were seen"
}

@test "a 2 GB line: every tool stops at the 1 GiB record limit with file and line, no crash" {
	# 2 GB through each tool takes minutes under ASan: make check runs it
	[ -z "${MX_SANITIZE:-}" ] || skip "make check runs it without ASan"
	tools > tools.txt
	while IFS= read -r t; do
		rm -rf parts
		run sh -c "head -c 2100000000 /dev/zero | tr '\\0' a | $t -"
		[ "$status" -eq 1 ] || fail "$t: exit $status: $output"
		[[ "$output" == *"<stdin>:1: line longer than 1073741824 bytes"* ]] ||
		    fail "$t: $output"
	done < tools.txt
}

@test "xz, bzip2, zstd and lz4 input is named and refused by every tool; CSV on stdin gets a hint" {
	tools > tools.txt
	echo 'mx-kmeans -k 1 -f a' >> tools.txt
	printf '{"a":"x"}\n' > plain.ndjson
	printf '\3757zXZ\0\0\4\346' > in.xz
	printf 'BZh91AY&SY\1\2' > in.bz2
	printf '\50\265\57\375\44\0' > in.zst
	printf '\4\42\115\30\100' > in.lz4
	while IFS= read -r t; do
		for z in xz:xz bz2:bzip2 zst:zstd lz4:lz4; do
			rm -rf parts
			run $t "in.${z%%:*}"
			assert_failure 1
			assert_output --partial "in.${z%%:*}: compressed with ${z#*:}: decompress first, e.g. ${z#*:} -dc in.${z%%:*} |"
		done
		run sh -c "printf 'a,b\n1,2\n' | $t -"
		assert_failure 1
		assert_output --partial "<stdin>:1: invalid JSON at column 1: unexpected 'a', expected a JSON value; this looks like CSV: mx-ingest -f csv reads it"
	done < tools.txt
	# text that merely starts like bzip2's magic is text
	printf 'BZh1,x\n1,2\n' > bzh.csv
	run mx-ingest -f csv bzh.csv
	assert_success
	assert_output --partial '"BZh1":'
}

@test "a symbolic link planted where a tool writes a file is replaced, never followed" {
	printf 'precious\n' > victim
	printf '{"a":"x"}\nnot json\n' > in.ndjson
	printf '{"a":"x"}\n' > good.ndjson
	printf '{"a":1}\n{"a":2}\n' > num.ndjson
	printf 'a string\n' > c.contract
	while IFS= read -r t; do
		rm -f out.ndjson
		ln -s victim out.ndjson
		run $t
		[ "$status" -le 1 ] || fail "$t: exit $status: $output"
		[ "$(cat victim)" = precious ] || fail "$t wrote through the link"
		[ -f out.ndjson ] && [ ! -L out.ndjson ] || fail "$t: out.ndjson is still a link"
	done <<-EOF
	mx-ingest --rejects out.ndjson in.ndjson
	mx-validate -c c.contract --rejects out.ndjson in.ndjson
	mx-dedup -k a --rejects out.ndjson in.ndjson
	mx-agg -g a --rejects out.ndjson in.ndjson
	mx-csv -o out.ndjson good.ndjson
	mx-partition -d parts -k a --rejects out.ndjson in.ndjson
	mx-snapshot -k a -s h.ndjson --rejects out.ndjson in.ndjson
	mx-kmeans -k 1 -f a --model out.ndjson num.ndjson
	mx-kmeans -k 1 -f a --stats out.ndjson num.ndjson
	mx-join -r good.ndjson -k a --type full --rejects out.ndjson in.ndjson
	mx-calc -e b=a --rejects out.ndjson in.ndjson
	mx-budget --rejects out.ndjson in.ndjson
	EOF
}

@test "--rejects - : the rejects go to standard output with the records, in every tool that has --rejects, no crash" {
	# (mx-partition writes no records on standard output)
	tools | grep -v -E 'mx-csv|mx-test|mx-partition' > tools.txt
	[ "$(wc -l < tools.txt)" -eq 9 ]
	printf '{"a":"x","date":"2024-03-01"}\nnot json\n' > in.ndjson
	while IFS= read -r t; do
		run sh -c "$t --rejects - in.ndjson"
		[ "$status" -eq 0 ] || fail "$t --rejects -: exit $status: $output"
		printf '%s\n' "$output" | grep -q '"_raw":"not json"' ||
		    fail "$t --rejects -: no reject: $output"
	done < tools.txt
}
