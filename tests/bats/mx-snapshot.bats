#!/usr/bin/env bats
# mx-snapshot: SCD type 2.  A scripted sequence of extracts gives a
# hand-checked history, which DuckDB reads "as of" a time; the timestamp
# strategy and its late changes; idempotence; atomic publication after
# SIGKILL; bad records and broken histories; the man page's examples.

load helper

DUCK="$BATS_TEST_DIRNAME/../duckdb.mjs"

have_duckdb() {
	[ -d "$BATS_TEST_DIRNAME/../node_modules/@duckdb/node-api" ] &&
	    command -v node > /dev/null
}

# The history with each hash_diff replaced by a letter, in order of first
# appearance: equal letters, equal tracked columns.
lettered() {
	jq -c --slurp 'reduce .[] as $r ({m: {}, out: []};
	    (.m[$r.hash_diff] //= ([65 + (.m | length)] | implode))
	    | .out += [$r | .hash_diff = "#" + .hash_diff]
	    | .m as $m | .out[-1].hash_diff |= $m[.[1:]])
	  | .out[]' "${1:-h.ndjson}"
}

# The check strategy, day by day (-x: "note" is not tracked).
check_days() {
	printf '%s\n' '{"id":1,"city":"Paris","gender":"f"}' \
	    '{"id":2,"city":"Rome","gender":"m"}' \
	    '{"id":3,"city":"Oslo","gender":"f"}' > d1
	# 1 moves; 2 the same, its fields in another order, an untracked
	# note; 3 the same
	printf '%s\n' '{"id":1,"city":"Lyon","gender":"f"}' \
	    '{"gender":"m","id":2,"city":"Rome","note":"x"}' \
	    '{"id":3,"city":"Oslo","gender":"f"}' > d2
	# 1 back in Paris (a revert); 3 missing, kept; 4 new
	printf '%s\n' '{"id":1,"city":"Paris","gender":"f"}' \
	    '{"id":2,"city":"Rome","gender":"m"}' \
	    '{"id":4,"city":"Nice","gender":"m"}' > d3
	# a full extract: 3 missing, closed; 2 twice: rejected, left alone
	printf '%s\n' '{"id":1,"city":"Paris","gender":"f"}' \
	    '{"id":2,"city":"Rome","gender":"x"}' \
	    '{"id":4,"city":"Nice","gender":"m"}' \
	    '{"id":2,"city":"Milan","gender":"m"}' > d4
	# 2 changes; 3 comes back, elsewhere
	printf '%s\n' '{"id":1,"city":"Paris","gender":"f"}' \
	    '{"id":2,"city":"Rome","gender":"x"}' \
	    '{"id":3,"city":"Bergen","gender":"f"}' \
	    '{"id":4,"city":"Nice","gender":"m"}' > d5
}

snap() {
	mx-snapshot -k id -s h.ndjson -x note "$@"
}

@test "check: a change, no change, a revert, a delete without and with --hard-deletes, a duplicate, a return: the hand-checked history" {
	check_days
	run snap --at 2024-01-01 d1
	assert_success
	assert_output ''
	run snap --at 2024-02-01 --stats st2.json d2
	assert_success
	run jq -c . st2.json
	assert_output '{"tool":"mx-snapshot","files":1,"in":3,"blank":0,"rejected":0,"new":0,"changed":1,"unchanged":2,"late":0,"stale":0,"reopened":0,"deleted":0,"absent":0,"history_in":3,"history_out":4,"written":true}'
	run snap --at 2024-03-01 -v d3
	assert_success
	assert_output 'mx-snapshot: 3 in, 1 new, 1 changed, 1 unchanged, 0 late, 0 stale, 0 reopened, 0 rejected
mx-snapshot: history: 4 rows in, 6 out; 0 deleted, 1 absent kept'
	# without --rejects the duplicate stops the run, naming both lines
	cp h.ndjson before
	run snap --at 2024-04-01 --hard-deletes d4
	assert_failure 1
	assert_output 'mx-snapshot: d4:4: duplicate key: also at d4:2'
	cmp h.ndjson before
	run snap --at 2024-04-01 --hard-deletes --rejects rej.ndjson d4
	assert_success
	run jq -c '._reject | [.file, .line, .rule, .reason]' rej.ndjson
	assert_output '["d4",4,"duplicate-key","duplicate key: also at d4:2"]
["d4",2,"duplicate-key","duplicate key: also at d4:4"]'
	run snap --at 2024-05-01 --hard-deletes --stats st5.json d5
	assert_success
	run jq -c '[.new, .changed, .unchanged, .reopened, .deleted]' st5.json
	assert_output '[0,1,2,1,0]'
	run lettered
	assert_output '{"id":1,"city":"Paris","gender":"f","valid_from":"2024-01-01T00:00:00Z","valid_to":"2024-02-01T00:00:00Z","is_current":false,"hash_diff":"A"}
{"id":2,"city":"Rome","gender":"m","valid_from":"2024-01-01T00:00:00Z","valid_to":"2024-05-01T00:00:00Z","is_current":false,"hash_diff":"B"}
{"id":3,"city":"Oslo","gender":"f","valid_from":"2024-01-01T00:00:00Z","valid_to":"2024-04-01T00:00:00Z","is_current":false,"hash_diff":"C"}
{"id":1,"city":"Lyon","gender":"f","valid_from":"2024-02-01T00:00:00Z","valid_to":"2024-03-01T00:00:00Z","is_current":false,"hash_diff":"D"}
{"id":1,"city":"Paris","gender":"f","valid_from":"2024-03-01T00:00:00Z","valid_to":null,"is_current":true,"hash_diff":"A"}
{"id":4,"city":"Nice","gender":"m","valid_from":"2024-03-01T00:00:00Z","valid_to":null,"is_current":true,"hash_diff":"E"}
{"id":2,"city":"Rome","gender":"x","valid_from":"2024-05-01T00:00:00Z","valid_to":null,"is_current":true,"hash_diff":"F"}
{"id":3,"city":"Bergen","gender":"f","valid_from":"2024-05-01T00:00:00Z","valid_to":null,"is_current":true,"hash_diff":"G"}'
	# the same extract again: the same bytes, not even rewritten
	cp h.ndjson h5
	ino=$(stat -c %i h.ndjson)
	run snap --at 2024-06-01 --hard-deletes -v d5
	assert_success
	assert_output --partial '4 unchanged'
	assert_output --partial 'unchanged, not rewritten'
	cmp h.ndjson h5
	[ "$(stat -c %i h.ndjson)" = "$ino" ]
	# the whole sequence again from nothing gives the same bytes
	mkdir again && cd again
	cp ../d? .
	snap --at 2024-01-01 d1
	snap --at 2024-02-01 d2
	snap --at 2024-03-01 d3
	snap --at 2024-04-01 --hard-deletes --rejects rej.ndjson d4
	snap --at 2024-05-01 --hard-deletes d5
	cmp h.ndjson ../h5
}

@test "the hash is XXH3 of the tracked columns' canonical bytes, as xxhsum computes it" {
	command -v xxhsum > /dev/null || skip "xxhsum is not installed"
	printf '{"id":1,"city":"Paris","gender":"f"}\n' | mx-snapshot -k id -s h.ndjson -c city
	# a string: 's', its length in 4 bytes big-endian, its bytes
	printf 's\0\0\0\5Paris' > canon
	want=$(xxhsum -H3 canon | awk '{ print $NF }')
	run jq -r .hash_diff h.ndjson
	assert_output "$want"
	# every field but the excluded, by name: key, then value
	printf '{"id":"7","gender":"f","city":"Paris"}\n' | mx-snapshot -k id -s h2.ndjson -x id
	printf 's\0\0\0\4citys\0\0\0\5Pariss\0\0\0\6genders\0\0\0\1f' > canon
	want=$(xxhsum -H3 canon | awk '{ print $NF }')
	run jq -r .hash_diff h2.ndjson
	assert_output "$want"
}

@test "DuckDB reads the history; as of a time, each key has the right version" {
	have_duckdb || skip "DuckDB (tests/node_modules) is not installed"
	check_days
	snap --at 2024-01-01 d1
	snap --at 2024-02-01 d2
	snap --at 2024-03-01 d3
	snap --at 2024-04-01 --hard-deletes --rejects rej.ndjson d4
	snap --at 2024-05-01 --hard-deletes d5
	# one node for every question: its start costs more than the queries
	run node "$DUCK" "SET TimeZone = 'UTC'" "WITH h AS (
	    SELECT * FROM read_json_auto('$T/h.ndjson')),
	  t(i, ts) AS (VALUES (1, TIMESTAMPTZ '2023-12-31 00:00:00Z'),
	    (2, TIMESTAMPTZ '2024-01-01 00:00:00Z'),
	    (3, TIMESTAMPTZ '2024-02-15 12:00:00Z'),
	    (4, TIMESTAMPTZ '2024-03-01 00:00:00Z'),
	    (5, TIMESTAMPTZ '2024-04-20 00:00:00Z'),
	    (6, TIMESTAMPTZ '2030-01-01 00:00:00Z'))
	  SELECT i, coalesce(string_agg(h.id || '=' || h.city || '/' || h.gender,
	      ' ' ORDER BY h.id), '') AS v
	  FROM t LEFT JOIN h ON CAST(h.valid_from AS TIMESTAMPTZ) <= t.ts
	    AND (h.valid_to IS NULL OR t.ts < CAST(h.valid_to AS TIMESTAMPTZ))
	  GROUP BY i
	  UNION ALL
	  -- one current row per key, and no two versions of a key overlap
	  SELECT 7, 'cur=' || count(*) FILTER (WHERE is_current)
	      || ' ids=' || count(DISTINCT id)
	      || ' overlaps=' || (SELECT count(*) FROM h a JOIN h b ON a.id = b.id
	        AND a.valid_from < b.valid_from
	        AND (a.valid_to IS NULL
	          OR CAST(a.valid_to AS TIMESTAMP) > CAST(b.valid_from AS TIMESTAMP)))
	  FROM h
	  ORDER BY i"
	assert_success
	printf '%s\n' "$output" | jq -r '"\(.i): \(.v)"' > asof
	run cat asof
	assert_output '1: 
2: 1=Paris/f 2=Rome/m 3=Oslo/f
3: 1=Lyon/f 2=Rome/m 3=Oslo/f
4: 1=Paris/f 2=Rome/m 3=Oslo/f 4=Nice/m
5: 1=Paris/f 2=Rome/m 4=Nice/m
6: 1=Paris/f 2=Rome/x 3=Bergen/f 4=Nice/m
7: cur=4 ids=4 overlaps=0'
}

@test "timestamp: versions begin at updated_at; a late change is placed in order, never current; seen again it does nothing" {
	S="mx-snapshot -k id -s h.ndjson -u upd"
	printf '%s\n' '{"id":1,"c":"A","upd":"2024-01-01T00:00:00Z"}' \
	    '{"id":2,"c":"X","upd":"2024-01-05T10:00:00+02:00"}' > t1
	$S --at 2024-06-01 t1
	# 1 changes; 2 the same time, other columns: no change (the time decides)
	printf '%s\n' '{"id":1,"c":"C","upd":"2024-03-01T00:00:00Z"}' \
	    '{"id":2,"c":"Y","upd":"2024-01-05T08:00:00Z"}' > t2
	run $S --at 2024-06-02 --stats st.json t2
	assert_success
	run jq -c '[.changed, .unchanged]' st.json
	assert_output '[1,1]'
	# B happened between A and C; Z before everything
	printf '%s\n' '{"id":1,"c":"B","upd":"2024-02-01T00:00:00Z"}' > t3
	printf '%s\n' '{"id":1,"c":"Z","upd":"2023-12-01T00:00:00Z"}' > t4
	run $S --at 2024-06-03 --stats st.json t3
	assert_success
	run jq -c '[.late, .changed]' st.json
	assert_output '[1,0]'
	cp h.ndjson h3
	run $S --at 2024-06-04 --stats st.json t3
	assert_success
	cmp h.ndjson h3
	run jq -c '[.late, .unchanged, .written]' st.json
	assert_output '[0,1,false]'
	$S --at 2024-06-05 t4
	run lettered
	assert_output '{"id":1,"c":"A","upd":"2024-01-01T00:00:00Z","valid_from":"2024-01-01T00:00:00Z","valid_to":"2024-02-01T00:00:00Z","is_current":false,"hash_diff":"A"}
{"id":2,"c":"X","upd":"2024-01-05T10:00:00+02:00","valid_from":"2024-01-05T08:00:00Z","valid_to":null,"is_current":true,"hash_diff":"B"}
{"id":1,"c":"C","upd":"2024-03-01T00:00:00Z","valid_from":"2024-03-01T00:00:00Z","valid_to":null,"is_current":true,"hash_diff":"C"}
{"id":1,"c":"B","upd":"2024-02-01T00:00:00Z","valid_from":"2024-02-01T00:00:00Z","valid_to":"2024-03-01T00:00:00Z","is_current":false,"hash_diff":"D"}
{"id":1,"c":"Z","upd":"2023-12-01T00:00:00Z","valid_from":"2023-12-01T00:00:00Z","valid_to":"2024-01-01T00:00:00Z","is_current":false,"hash_diff":"E"}'
}

@test "timestamp: a hard delete closes at the snapshot time; a key back unchanged reopens then, back changed later at its time" {
	S="mx-snapshot -k id -s h.ndjson -u upd"
	printf '%s\n' '{"id":1,"upd":"2024-01-01"}' '{"id":2,"upd":"2024-01-05"}' > t1
	printf '%s\n' '{"id":2,"upd":"2024-01-05"}' > t2
	printf '%s\n' '{"id":1,"upd":"2024-06-20"}' '{"id":2,"upd":"2024-01-05"}' > t3
	$S --at 2024-02-01 t1
	# not a full extract: 1 is kept
	$S --at 2024-03-01 t2
	run jq -c '[.id, .valid_to]' h.ndjson
	assert_output '[1,null]
[2,null]'
	$S --at 2024-03-01 --hard-deletes t2
	$S --at 2024-04-01 t1
	cp h.ndjson h4
	$S --at 2024-05-01 t1
	cmp h.ndjson h4
	$S --at 2024-05-01 --hard-deletes t2
	$S --at 2024-07-01 t3
	run jq -c '[.id, .upd, .valid_from, .valid_to, .is_current]' h.ndjson
	assert_output '[1,"2024-01-01","2024-01-01T00:00:00Z","2024-03-01T00:00:00Z",false]
[2,"2024-01-05","2024-01-05T00:00:00Z",null,true]
[1,"2024-01-01","2024-04-01T00:00:00Z","2024-05-01T00:00:00Z",false]
[1,"2024-06-20","2024-06-20T00:00:00Z",null,true]'
	# late changes: one splits the first version and ends where the
	# delete closed it; one in the gap of a delete ends at the next
	printf '%s\n' '{"id":1,"upd":"2024-02-01"}' > late1
	printf '%s\n' '{"id":1,"upd":"2024-05-10"}' > late2
	$S --at 2024-07-02 late1
	$S --at 2024-07-03 late2
	run jq -c 'select(.id == 1) | [.upd, .valid_from, .valid_to]' h.ndjson
	assert_output '["2024-01-01","2024-01-01T00:00:00Z","2024-02-01T00:00:00Z"]
["2024-01-01","2024-04-01T00:00:00Z","2024-05-01T00:00:00Z"]
["2024-06-20","2024-06-20T00:00:00Z",null]
["2024-02-01","2024-02-01T00:00:00Z","2024-03-01T00:00:00Z"]
["2024-05-10","2024-05-10T00:00:00Z","2024-06-20T00:00:00Z"]'
}

@test "kill -9 while the new history is written: the old one is whole, the next run finishes, and takes away the leftover" {
	check_days
	snap --at 2024-01-01 d1
	cp h.ndjson h1
	mkfifo st.fifo
	# the counts are written after the new history, before it is
	# published: a run blocked on the fifo is caught at that moment
	mx-snapshot -k id -s h.ndjson -x note --at 2024-02-01 --stats st.fifo d2 &
	pid=$!
	for i in $(seq 100); do
		ls .h.ndjson.tmp-* > /dev/null 2>&1 && break
		sleep 0.1
	done
	run ls -A
	assert_output --regexp '\.h\.ndjson\.tmp-'
	# a second run meanwhile is refused
	run snap --at 2024-02-01 d2
	assert_failure 1
	assert_output 'mx-snapshot: h.ndjson: another mx-snapshot is updating it'
	kill -9 "$pid"
	wait "$pid" || true
	cmp h.ndjson h1
	run ls -A
	assert_output --regexp '\.h\.ndjson\.tmp-'
	run snap --at 2024-02-01 -v d2
	assert_success
	assert_output --partial 'left by a killed run'
	run ls -A
	refute_output --regexp '\.tmp-'
	mkdir clean && cd clean
	snap --at 2024-01-01 ../d1
	snap --at 2024-02-01 ../d2
	cmp h.ndjson ../h.ndjson
}

@test "SIGTERM while reading: no history and no temporary file appear" {
	mkfifo in.fifo
	mx-snapshot -k id -s h.ndjson --rejects r.ndjson --stats s.json in.fifo 2> err &
	pid=$!
	exec 7> in.fifo
	printf '{"id":1}\n' >&7
	sleep 0.3
	[ -n "$(find . -name '.r.ndjson.tmp-*')" ]
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	exec 7>&-
	[ "$rc" -ne 0 ]
	run find . -type f -name '*tmp*'
	assert_output ''
	[ ! -e h.ndjson ]
	[ ! -e r.ndjson ]
}

@test "bad records: an error naming file and line, nothing written; with --rejects set aside with their rule" {
	printf '%s\n' '{"id":1,"upd":"2024-01-01"}' > good
	printf '%s\n' '{"id":1,"upd":"2024-01-01"}' '{"id":2,' '{"upd":"2024-01-01"}' \
	    '{"id":3,"upd":"2024-01-01","valid_to":null}' '{"id":4,"upd":"soon"}' \
	    '{"id":5}' '[1]' '{"id":null,"upd":"2024-01-01"}' > bad
	run mx-snapshot -k id -s h.ndjson -u upd bad
	assert_failure 1
	assert_output --partial 'bad:2: invalid JSON'
	[ ! -e h.ndjson ]
	run mx-snapshot -k id -s h.ndjson -u upd --rejects rej.ndjson --stats st.json bad
	assert_success
	run jq -c '[._reject.line, ._reject.rule, ._reject.reason]' rej.ndjson
	assert_output '[2,"json","invalid JSON at column 9: unexpected end of input, expected a string key"]
[3,"null-key","the key is missing or null"]
[4,"reserved","the field valid_to is the history'"'"'s own"]
[5,"updated-at","--updated-at upd: not a timestamp"]
[6,"updated-at","--updated-at upd: missing"]
[7,"json","not a JSON object (an array)"]
[8,"null-key","the key is missing or null"]'
	run jq -c '[.in, .rejected, .new]' st.json
	assert_output '[8,7,1]'
	run jq -c .id h.ndjson
	assert_output 1
	for what in '{"id":1}' '{"id":2,"upd":"1500-01-01"}'; do
		echo "$what" > one
		run mx-snapshot -k id -s h.ndjson -u upd one
		assert_failure 1
		assert_output --regexp '^mx-snapshot: one:1: --updated-at upd: (missing|out of range)'
	done
}

@test "a broken history is refused with its file and line, and left as it is" {
	row='"valid_from":"2024-01-01T00:00:00Z","valid_to":null,"is_current":true,"hash_diff":"0000000000000000"'
	printf '{"id":1}\n{"id":9}\n' > in
	while IFS='|' read -r line why; do
		printf '{"id":9,%s}\n%s\n' "$row" "$line" > h.ndjson
		cp h.ndjson before
		run mx-snapshot -k id -s h.ndjson --at 2024-06-01 in
		assert_failure 1
		assert_output "mx-snapshot: h.ndjson:2: $why"
		cmp h.ndjson before
	done <<-EOF
	{"id":1}|valid_from: missing
	{"id":1,$row|invalid JSON at column 109: unexpected end of input, expected ',' or '}'
	{"id":1,"valid_from":"x","valid_to":null,"is_current":true,"hash_diff":"0"}|valid_from: not a timestamp
	{"id":1,"valid_from":"2024-01-01","valid_to":null,"is_current":false,"hash_diff":"0"}|is_current is false but valid_to is null
	{"id":1,"valid_from":"2024-01-01","valid_to":"2024-02-01","is_current":true,"hash_diff":"0"}|is_current is true but valid_to is not
	{"id":1,"valid_from":"2024-01-01","valid_to":null,"is_current":1,"hash_diff":"0"}|is_current: neither true nor false
	{"id":1,"valid_from":"2024-01-01","valid_to":null,"is_current":true}|hash_diff: missing
	{"id":null,$row}|the key is missing or null
	{"id":9,$row}|a second current version of a key
	EOF
}

@test "-k, -c: a field no record had is a warning; --strict makes it an error, the history left as it is" {
	printf '%s\n' '{"id":1,"city":"Paris"}' '{"id":2,"city":"Rome"}' > in
	run mx-snapshot -k id -c ctiy -s h.ndjson --at 2024-06-01 in
	assert_success
	assert_output "mx-snapshot: -c: no record had the field 'ctiy' (a typo?)"
	cp h.ndjson before
	printf '%s\n' '{"id":1,"city":"Oslo"}' > in
	run mx-snapshot --strict -k id -c ctiy -s h.ndjson --at 2024-06-02 --rejects r.ndjson in
	assert_failure 1
	assert_output "mx-snapshot: -c: no record had the field 'ctiy'"
	cmp h.ndjson before
	[ ! -e r.ndjson ]
	run mx-snapshot --strict -k idd -s h.ndjson --at 2024-06-02 --rejects r.ndjson in
	assert_failure 1
	assert_output "mx-snapshot: -k: no record had the field 'idd'"
	cmp h.ndjson before
	# a field one record had is no typo; no records, nothing to say
	run mx-snapshot --strict -k id -c city -s h.ndjson --at 2024-06-02 in
	assert_success
	run mx-snapshot --strict -k id -c ctiy -s h.ndjson --at 2024-06-03 /dev/null
	assert_success
	assert_output ''
}

@test "check: a snapshot time before the history's is refused; the same time is accepted" {
	printf '{"id":1,"a":1}\n' > a
	printf '{"id":1,"a":2}\n' > b
	mx-snapshot -k id -s h.ndjson --at 2024-03-01 a
	run mx-snapshot -k id -s h.ndjson --at 2024-02-01 b
	assert_failure 1
	assert_output 'mx-snapshot: --at 2024-02-01T00:00:00Z is before 2024-03-01T00:00:00Z, a time in h.ndjson:1'
	# SOURCE_DATE_EPOCH, the default: the same time
	SOURCE_DATE_EPOCH=1709251200 run mx-snapshot -k id -s h.ndjson b
	assert_success
	run jq -c '[.a, .valid_from, .valid_to]' h.ndjson
	assert_output '[1,"2024-03-01T00:00:00Z","2024-03-01T00:00:00Z"]
[2,"2024-03-01T00:00:00Z",null]'
}

@test "--hard-deletes with no valid record is refused; keys are compared by value; -c tracks only what it lists; nulls are missing fields" {
	printf '{"id":1,"a":1}\n' > a
	mx-snapshot -k id -s h.ndjson --at 2024-01-01 a
	run mx-snapshot -k id -s h.ndjson --at 2024-02-01 --hard-deletes /dev/null
	assert_failure 1
	assert_output 'mx-snapshot: --hard-deletes with no record in the input would close every key: refused'
	# nor with every record bad and set aside: nothing is written
	printf '{"a":1}\n{"id":null}\n' > nokey
	run mx-snapshot -k id -s h.ndjson --at 2024-02-01 --hard-deletes --rejects r.ndjson nokey
	assert_failure 1
	assert_output 'mx-snapshot: --hard-deletes with no record in the input would close every key: refused'
	[ ! -e r.ndjson ]
	run jq -c '[.id, .is_current]' h.ndjson
	assert_output '[1,true]'
	printf '{"id":"k","n":1.0,"a":"x","b":null}\n' > a
	mx-snapshot -k id,n -s k.ndjson --at 2024-01-01 a
	# the same key and state: "k" escaped, 1.0 as 1e0, b missing
	printf '{"n":1e0,"a":"\\u0078","id":"\\u006b"}\n' > b
	run mx-snapshot -k id,n -s k.ndjson --at 2024-02-01 --stats st.json b
	run jq -c '[.unchanged, .written]' st.json
	assert_output '[1,false]'
	# with -c a, b is not tracked
	printf '{"id":"k","n":1,"a":"x","b":2}\n' > c
	run mx-snapshot -k id,n -s k.ndjson -c a --at 2024-02-01 --stats st.json c
	run jq -c '[.unchanged, .changed]' st.json
	assert_output '[1,0]'
	run mx-snapshot -k id,n -s k.ndjson --at 2024-02-01 --stats st.json c
	run jq -c '[.unchanged, .changed]' st.json
	assert_output '[0,1]'
}

@test "a row whose four fields are not last keeps its fields; -o writes elsewhere and leaves the history; stdin and gzip" {
	printf '%s\n' '{"valid_to":null,"id":1,"hash_diff":"x","is_current":true,"valid_from":"2024-01-01T00:00:00Z","a": 1}' > h.ndjson
	cp h.ndjson before
	printf '{"id":1,"a":2}\n' | gzip > in.gz
	run mx-snapshot -k id -s h.ndjson --at 2024-02-01 -o new.ndjson in.gz
	assert_success
	cmp h.ndjson before
	run cat new.ndjson
	assert_output '{"id":1,"a":1,"valid_from":"2024-01-01T00:00:00Z","valid_to":"2024-02-01T00:00:00Z","is_current":false,"hash_diff":"x"}
{"id":1,"a":2,"valid_from":"2024-02-01T00:00:00Z","valid_to":null,"is_current":true,"hash_diff":"'"$(jq -r .hash_diff new.ndjson | tail -1)"'"}'
	# from a pipe (copied for the second pass), to standard output
	run sh -c 'gzip -dc in.gz | mx-snapshot -k id -s h.ndjson --at 2024-02-01 -o - | tail -1'
	assert_output "$(tail -1 new.ndjson)"
	# from standard input that is a file
	run sh -c 'gzip -dc in.gz > in && mx-snapshot -k id -s h.ndjson --at 2024-02-01 -o - < in | tail -1'
	assert_output "$(tail -1 new.ndjson)"
}

@test "usage errors exit 2; limits refuse cleanly with file and line" {
	for args in '-s h' '-k id' '-k id -s h -c a -x b' '-k id -s h --at tomorrow' \
	    '-k id -s h -c valid_from' '-k id -s h -x a,,b' '-k id -s h --max-depth 0'; do
		run mx-snapshot $args /dev/null
		assert_failure 2
		assert_line --index 1 --partial 'usage: mx-snapshot'
	done
	printf '{"id":"%s"}\n' "$(head -c 5000 /dev/zero | tr '\0' x)" > big
	run mx-snapshot -k id -s h.ndjson --max-record 4k big
	assert_failure 1
	assert_output --partial 'mx-snapshot: big:1: line longer than 4096 bytes'
	printf '{"id":1,"b":%s1%s}\n' "$(printf '[%.0s' $(seq 40))" "$(printf ']%.0s' $(seq 40))" > deep
	run mx-snapshot -k id -s h.ndjson --max-depth 20 deep
	assert_failure 1
	assert_output --partial 'deep:1:'
	assert_output --partial 'nesting deeper than 20'
	run mx-snapshot -k id -s h.ndjson --max-depth 41 deep
	assert_success
}

@test "the man page examples run as written" {
	mkdir gold silver
	printf '%s\n' '{"customer_id":"C1","name":"Ann","country":"FR","segment":"consumer","_source":"a.csv","_line":2,"_ingested_at":"2024-03-01T00:00:00Z","_rid":"1"}' \
	    '{"customer_id":"C2","name":"Bob","country":"DE","segment":"enterprise","_source":"a.csv","_line":3,"_ingested_at":"2024-03-01T00:00:00Z","_rid":"2"}' \
	    > silver/customers.ndjson
	printf '%s\n' '{"customer_id":"C1","updated_at":"2024-02-01T00:00:00Z"}' \
	    '{"customer_id":"C1","updated_at":"2024-02-02T00:00:00Z"}' | gzip > extract.ndjson.gz
	man_example mx-snapshot.1 | sed -n '/^\.Bd/,/^\.Ed/p' | grep -v '^\.' | sed 's/\\e$/\\/' > all
	grep -v '^SELECT\|^WHERE\|^  AND\|^    OR' all > examples.sh
	run bash -c 'set -e; . ./examples.sh'
	assert_success
	assert_output --partial '"customer_id":"C2","name":"Bob"'
	run jq -c '[.customer_id, .is_current]' gold/dim_customer.ndjson
	assert_output '["C1",true]
["C2",true]'
	run jq -c '._reject.rule' rejects.ndjson
	assert_output '"duplicate-key"
"duplicate-key"'
	have_duckdb || skip "DuckDB (tests/node_modules) is not installed"
	grep '^SELECT\|^WHERE\|^  AND\|^    OR' all | sed 's/;$//' > asof.sql
	run node "$DUCK" "SET TimeZone = 'UTC'" "SELECT count(*) AS n FROM ($(cat asof.sql))"
	assert_success
	assert_output '{"n":"2"}'
}
