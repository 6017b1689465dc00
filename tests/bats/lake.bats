#!/usr/bin/env bats
# The lake: scripts/lake, lake-status, demo and examples/nightly.mk, end to
# end on mx-gen data: same bytes twice, incremental and late data, every
# record accounted for, kill -9 then a re-run, a real S3 mount, DuckDB.

load helper

TOP="$BATS_TEST_DIRNAME/../.."
LAKECMD="$TOP/scripts/lake"
DAY1=1710115200		# 2024-03-11
DAY2=1710201600		# 2024-03-12

# What a lake holds, file by file, but the run log, the lock, the report
# (which shows the run log's durations) and _state/quiet (times, inodes).
listing() {
	(cd "$1" && find . -type f ! -name _runs.ndjson ! -name lock \
	    ! -path ./_state/quiet ! -path ./report/index.html |
	    LC_ALL=C sort | xargs -d '\n' sha1sum)
}

lake() { SOURCE_DATE_EPOCH=${EPOCH:-$DAY1} "$LAKECMD" "$@"; }

# The counts the run log gives the first run, step by step: its last
# attempt's lines, times aside.  (The lines of data tests are not steps:
# a resumed run logs again only the tests it runs again.)
counts() {
	jq -c 'select(.run | endswith("-0001")) | select(.test == null) |
	    {attempt: (.attempt // 1),
	    step, state, in, out, rejected, duplicates, note}' "$1/_runs.ndjson" |
	    jq -cs 'group_by(.attempt) | last | map(del(.attempt)) | .[]'
}

teardown() {
	s3unmount
	[ -z "${HOOKPID:-}" ] || kill "$HOOKPID" 2> /dev/null || true
}

@test "a lake from raw files: every layer, every domain; the same raw twice gives the same bytes" {
	raw raw 2000 1
	run lake -r raw -l a
	assert_success
	assert_output --partial 'run 20240311T000000Z-0001 done'
	for t in ecommerce_events calendly_bookings spend adclicks customers online_sales marketing_spend; do
		[ -f "a/silver/$t/$(ls a/silver/$t | head -1)/_SUCCESS" ] || fail "no silver $t"
	done
	for g in conversion_funnel hourly_revenue top_products category_performance user_activity; do
		[ -s "a/gold/$g.ndjson" ] || fail "no gold $g"
		[ -s "a/gold/$g.csv" ] || fail "no gold $g.csv"
	done
	run bash -c 'zcat a/bronze/ecommerce/ingest_date=2024-03-11/part-*.ndjson.gz | head -1'
	assert_output --partial '"_source":"ecommerce/batch-1.ndjson","_line":1,"_ingested_at":"2024-03-11T00:00:00Z"'
	run lake -r raw -l b
	assert_success
	[ "$(listing a)" = "$(listing b)" ]
	[ -n "$(listing a)" ]
}

@test "a run leaves nothing in TMPDIR: its work directory and the validated records gone, on one job or several" {
	raw raw 2000 1
	mkdir tmp
	for j in 1 2; do
		TMPDIR=$PWD/tmp run lake -j $j -r raw -l a$j
		assert_success
		assert_output --partial 'done'
		run ls -A tmp
		assert_success
		assert_output ''
	done
	# (the silver steps had validated records to delete)
	run jq -r 'select(.step == "silver:ecommerce_events") | .in' a2/_runs.ndjson
	assert_success
	[ "$output" -gt 0 ]
}

@test "-j: the lake built with several jobs at once is the lake built with one, byte for byte" {
	raw raw 1500 3
	run lake -j 1 -r raw -l one
	assert_success
	run lake -j 3 -r raw -l three
	assert_success
	[ "$(listing one)" = "$(listing three)" ]
	[ "$(counts one)" = "$(counts three)" ]
	run lake -j 0 -r raw -l x
	assert_failure 2
	assert_output --partial '-j: a number of jobs'
}

@test "bronze cut every MX_BRONZE_RECORDS records, validated a file a process: the same silver, gold, rejects and counts as one file" {
	raw raw 1500 3
	run lake -j 1 -r raw -l one
	assert_success
	MX_BRONZE_RECORDS=97 run lake -j 3 -r raw -l cut
	assert_success
	[ "$(ls cut/bronze/ecommerce/*/part-*.ndjson.gz | wc -l)" -gt 10 ]
	[ "$(ls one/bronze/ecommerce/*/part-*.ndjson.gz | wc -l)" = 1 ]
	# the layers after bronze: the same bytes; a reject names its bronze
	# file and line besides its raw ones, which differ
	notbronze() {
		listing "$1" | grep -v -e ' ./bronze/' -e '/_state/' -e '-validate.ndjson$'
	}
	[ "$(notbronze one)" = "$(notbronze cut)" ]
	for f in one/rejects/*/*/*-validate.ndjson; do
		cmp <(jq -c 'del(._reject.input_file, ._reject.input_line)' "$f") \
		    <(jq -c 'del(._reject.input_file, ._reject.input_line)' "cut/${f#one/}")
	done
	# the counts and notes of every step, unmapped channel values among them
	[ "$(counts one)" = "$(counts cut)" ]
	counts one | grep -q 'unmapped: '
}

@test "a re-run with no new files does nothing and says so" {
	raw raw 1000 1
	run lake -r raw -l l
	assert_success
	before=$(listing l)
	EPOCH=$DAY2 run lake -r raw -l l
	assert_success
	assert_output --partial 'no new raw files; the lake is up to date'
	[ "$(listing l)" = "$before" ]
	# nothing asked again: the sources' freshness, one line, the report
	run jq -r 'select(.run | endswith("-0002")) | "\(.step) \(.note)"' l/_runs.ndjson
	assert_line 'unchanged nothing new: the raw files, the configuration and the lake are as the last run left them'
	assert_line 'freshness:ecommerce newest raw file 0.0 h old; warn after 36.0 h'
	refute_line --partial 'bronze:'
	# --recheck asks every step all the same, and finds nothing either
	EPOCH=$DAY2 run lake -r raw -l l --recheck
	assert_success
	assert_output --partial 'no new raw files; the lake is up to date'
	[ "$(listing l)" = "$before" ]
	run jq -r 'select(.run | endswith("-0002")) | "\(.step) \(.note)"' l/_runs.ndjson
	assert_line 'bronze:ecommerce no new files'
	assert_line 'silver:ecommerce_events nothing new'
	assert_line 'gold:hourly_revenue up to date'
}

# How the last run of lake l went: "quiet" when it asked no step (its
# line "unchanged" comes before the report's), else "full".
kind() {
	if [ "$(jq -r .step l/_runs.ndjson | tail -n 2 | head -n 1)" = unchanged ]
	then
		echo quiet
	else
		echo full
	fi
}

# What the last run took in of ecommerce.
took() {
	jq -r 'select(.step == "bronze:ecommerce") | .in' l/_runs.ndjson | tail -n 1
}

@test "a run with nothing new asks no step; a new, touched or rewritten raw file, a lake or configuration touched, a kill: a full run" {
	raw raw 500 1
	run lake -r raw -l l
	assert_success
	[ "$(kind)" = full ]
	run lake -r raw -l l
	assert_success
	[ "$(kind)" = quiet ]
	# a new raw file
	raw raw 300 2
	run lake -r raw -l l
	assert_success
	[ "$(kind)" = full ]
	[ "$(took)" -gt 0 ]
	run lake -r raw -l l
	[ "$(kind)" = quiet ]
	# the same content, another mtime: the ledger is asked, and hashes it
	touch -d '2024-03-10 00:00:00 UTC' raw/ecommerce/batch-1.ndjson
	run lake -r raw -l l
	assert_success
	[ "$(kind)" = full ]
	run jq -r 'select(.step == "bronze:ecommerce") | .note' l/_runs.ndjson
	assert_equal "${lines[-1]}" 'no new files'
	run lake -r raw -l l
	[ "$(kind)" = quiet ]
	# rewritten in place, size and mtime put back: the ctime tells (the
	# ledger then finds the size and mtime it knows: a raw file is
	# immutable, as ever)
	cp -p raw/ecommerce/batch-2.ndjson keep
	sed -i 's/"purchase"/"Purchase"/' raw/ecommerce/batch-2.ndjson
	touch -r keep raw/ecommerce/batch-2.ndjson
	run lake -r raw -l l
	assert_success
	[ "$(kind)" = full ]
	cp keep raw/ecommerce/batch-2.ndjson
	touch -r keep raw/ecommerce/batch-2.ndjson
	run lake -r raw -l l
	[ "$(kind)" = full ]
	run lake -r raw -l l
	[ "$(kind)" = quiet ]
	# the lake touched by hand; a configuration; other domains
	touch l/gold/hourly_revenue.ndjson
	run lake -r raw -l l
	[ "$(kind)" = full ]
	mkdir conf
	run lake -r raw -l l --conf conf
	[ "$(kind)" = full ]
	run lake -r raw -l l --conf conf
	[ "$(kind)" = quiet ]
	touch conf/freshness
	run lake -r raw -l l --conf conf
	[ "$(kind)" = full ]
	# time alone: the freshness of a source, as a full run says it (a
	# lake of raw files written before its runs)
	touch -d '2024-03-10 12:00:00 UTC' raw/ecommerce/*
	rm -rf l
	run lake -r raw -l l --conf conf ecommerce
	assert_success
	[ "$(kind)" = full ]
	run lake -r raw -l l --conf conf ecommerce
	assert_success
	[ "$(kind)" = quiet ]
	refute_output --partial 'warns'
	EPOCH=$((DAY1 + 2 * 86400)) run lake -r raw -l l --conf conf ecommerce
	assert_success
	[ "$(kind)" = quiet ]
	assert_output --partial 'lake: source ecommerce warns: newest raw file 60.0 h old; warn after 36.0 h'
	jq -c 'select(.step == "freshness:ecommerce") | [.state, .note]' \
	    l/_runs.ndjson | tail -n 1 > fresh.quiet
	EPOCH=$((DAY1 + 2 * 86400)) run lake -r raw -l l --conf conf --recheck ecommerce
	assert_success
	[ "$(kind)" = full ]
	run jq -c 'select(.step == "freshness:ecommerce") | [.state, .note]' \
	    l/_runs.ndjson
	assert_equal "${lines[-1]}" "$(cat fresh.quiet)"
	assert_equal "${lines[-1]}" '["warn","newest raw file 60.0 h old; warn after 36.0 h"]'
	# a new file and a run killed before any step: the next run resumes
	# it, in full, and takes the file
	raw raw 200 3
	MX_LAKE_CRASH=begin run lake -r raw -l l --conf conf ecommerce
	assert_failure
	run lake -r raw -l l --conf conf ecommerce
	assert_success
	assert_output --partial 'resuming run'
	[ "$(kind)" = full ]
	[ "$(took)" -gt 0 ]
}

@test "every record is accounted for: in = out + rejected + duplicates, at every step, against mx-gen's counts" {
	raw raw 3000 2 --stats gen.ndjson
	run lake -r raw -l l
	assert_success
	# each step balances
	run jq -r 'select(.step | test("^(bronze|silver):")) | select(.in != .out + .rejected + .duplicates) | .step' l/_runs.ndjson
	assert_success
	assert_output ''
	# bronze rejects the malformed lines, silver the invalid records and
	# the duplicates, exactly as mx-gen made them
	for s in ecommerce adclicks calendly; do
		# (not "lines": run sets it)
		read -r nl bad < <(jq -r --arg f "$s" 'select(.file | endswith($f + ".ndjson")) | "\(.lines) \(.malformed)"' gen.ndjson)
		run jq -r --arg s "$s" 'select(.step == "bronze:" + $s) | "\(.in) \(.rejected)"' l/_runs.ndjson
		assert_output "$nl $bad"
	done
	run jq -r 'select(.step == "silver:ecommerce_events") | "\(.rejected) \(.duplicates) \(.out)"' l/_runs.ndjson
	read -r inv dup kdup recs < <(jq -r 'select(.file | endswith("ecommerce.ndjson")) | "\(.invalid) \(.exact_dups) \(.key_dups) \(.records)"' gen.ndjson)
	assert_output "$inv $((dup + kdup)) $recs"
	# the rejects are kept, whole, with the file and line of each
	run bash -c 'cat l/rejects/ecommerce/ingest_date=2024-03-11/*-ingest.ndjson | wc -l'
	assert_output "$(jq -r 'select(.file | endswith("ecommerce.ndjson")) | .malformed' gen.ndjson)"
	run bash -c 'head -1 l/rejects/ecommerce/ingest_date=2024-03-11/*-ingest.ndjson | jq -r ._reject.file'
	assert_output 'ecommerce/batch-2.ndjson'
	run bash -c 'cat l/rejects/ecommerce_events/ingest_date=2024-03-11/*-validate.ndjson | wc -l'
	assert_output "$inv"
	# silver holds what mx-gen says is valid and unique
	run bash -c 'cat l/silver/ecommerce_events/*/part-*.ndjson | wc -l'
	assert_output "$recs"
	# a second batch re-sending the ids, days later: silver's out is what
	# the table gained, its old records counted from the manifests of the
	# partitions rebuilt, or read where a partition has none
	raw more 3000 1 --late-rate 0
	cp more/ecommerce/batch-1.ndjson raw/ecommerce/
	cp -r l l2
	rm l2/silver/ecommerce_events/event_date=2024-03-05/_SUCCESS
	for d in l l2; do
		before=$(cat $d/silver/ecommerce_events/*/part-*.ndjson | wc -l)
		EPOCH=$DAY2 run lake -r raw -l $d ecommerce
		assert_success
		run jq -r 'select(.run | endswith("-0002")) | select(.step | test("^(bronze|silver):")) | select(.in != .out + .rejected + .duplicates) | .step' $d/_runs.ndjson
		assert_output ''
		run jq -r 'select(.run | endswith("-0002")) | select(.step == "silver:ecommerce_events") | .out' $d/_runs.ndjson
		assert_output "$(($(cat $d/silver/ecommerce_events/*/part-*.ndjson | wc -l) - before))"
	done
}

@test "incremental: a new file is taken in once, a changed one reported and not read, a copy skipped" {
	raw raw 1000 1
	run lake -r raw -l l
	assert_success
	mx-gen -s 3 --from 2024-03-11 --to 2024-03-11 spend > raw/spend/day-11.ndjson
	cp raw/calendly/batch-1.ndjson raw/calendly/copy.ndjson
	printf '{"broken":\n' >> raw/adclicks/batch-1.ndjson
	EPOCH=$DAY2 run lake -r raw -l l
	assert_success
	assert_output --partial 'mx-ledger: adclicks/batch-1.ndjson: changed since run 20240311T000000Z-0001 took it in; not read again'
	assert_output --partial 'mx-ledger: calendly/copy.ndjson: the same content as calendly/batch-1.ndjson, which is in; skipped'
	assert_output --partial 'run 20240312T000000Z-0002 done'
	run jq -r '"\(.path) \(.run)"' l/_state/ledger/spend.ndjson
	assert_output 'spend/batch-1.ndjson 20240311T000000Z-0001
spend/day-11.ndjson 20240312T000000Z-0002'
	run jq -r 'select(.run | endswith("-0002")) | select(.step == "bronze:spend" or .step == "bronze:adclicks" or .step == "bronze:calendly") | "\(.step) \(.in) \(.note)"' l/_runs.ndjson
	assert_line 'bronze:spend 8 1 new files'
	assert_line 'bronze:adclicks 0 1 changed; no new files'
	assert_line 'bronze:calendly 0 1 same; no new files'
	[ -d l/silver/spend/date=2024-03-11 ]
	EPOCH=$DAY2 run lake -r raw -l l
	assert_success
	assert_output --partial 'no new raw files'
}

@test "late records rebuild only the silver partitions and gold partials they touch" {
	raw raw 2000 1
	run lake -r raw -l l
	assert_success
	touch -d '2000-01-01' l/silver/ecommerce_events/*/part-* l/_state/partials/*/*
	# a late batch: events of 2024-03-05 only, new ids
	mx-gen -n 300 -s 4 --from 2024-03-05 --to 2024-03-05 ecommerce |
	    sed 's/"event_id":"e0/"event_id":"e9/' > raw/ecommerce/late.ndjson
	EPOCH=$DAY2 run lake -r raw -l l ecommerce
	assert_success
	run find l/silver/ecommerce_events l/_state/partials -newer raw/ecommerce/late.ndjson -name '*.ndjson'
	assert_success
	assert_output --partial 'event_date=2024-03-05/part-20240312T000000Z-0002-00000.ndjson'
	refute_output --partial '2024-03-04'
	refute_output --partial '2024-03-06'
	[ "$(printf '%s\n' "$output" | grep -c partials)" -eq 5 ]
	# the old records of the day are still there, once
	run bash -c 'cat l/silver/ecommerce_events/event_date=2024-03-05/*.ndjson | jq -r .event_id | sort | uniq -d'
	assert_output ''
	run bash -c 'cat l/silver/ecommerce_events/event_date=2024-03-05/*.ndjson | grep -c "\"event_id\":\"e9"'
	assert_output "$(grep -c '"event_id":"e9' raw/ecommerce/late.ndjson)"
	# gold agrees with a rebuild from scratch
	run lake -r raw -l fresh
	assert_success
	cmp l/gold/hourly_revenue.ndjson fresh/gold/hourly_revenue.ndjson
	cmp l/gold/user_activity.ndjson fresh/gold/user_activity.ndjson
}

@test "silver data tests in parts: a partial a partition, made again when it changed, damaged, or the tests did; the same results as the whole table" {
	raw raw 1000 1
	run lake -r raw -l l ecommerce
	assert_success
	n=$(ls l/silver/ecommerce_events | wc -l)
	tf=$(cd "$TOP/scripts/tests/silver" && pwd)/ecommerce_events.tests
	note() {
		jq -r 'select(.step == "test:ecommerce_events" and .test == null) | .note' l/_runs.ndjson | tail -1
	}
	# what mx-test says of the whole table, run by hand
	whole() {
		(cd l && mx-test --json -T . --name ecommerce_events "$@" "$tf" silver/ecommerce_events) |
		    jq -c 'del(.seconds, .run)'
	}
	run note
	assert_output "10 passed; $n of $n partitions read"
	[ "$(ls l/_state/tests/ecommerce_events/*.part | wc -l)" = "$n" ]
	[ "$(ls l/_state/tests/ecommerce_events/*.sig | wc -l)" = "$n" ]
	[ "$(jq -c 'select(.step == "test:ecommerce_events" and .test != null) | del(.run, .attempt, .step, .seconds)' l/_runs.ndjson)" = "$(SOURCE_DATE_EPOCH=$DAY1 whole)" ]
	# a late batch into one day: that partition's partial alone is made
	touch -d '2000-01-01' l/_state/tests/ecommerce_events/*
	mx-gen -n 300 -s 4 --from 2024-03-05 --to 2024-03-05 ecommerce |
	    sed 's/"event_id":"e0/"event_id":"e9/' > raw/ecommerce/late.ndjson
	EPOCH=$DAY2 run lake -r raw -l l ecommerce
	assert_success
	run note
	assert_output "10 passed; 1 of $n partitions read"
	run find l/_state/tests -newer raw/ecommerce/late.ndjson -type f
	assert_output --partial 'event_date%3D2024-03-05.part'
	[ "${#lines[@]}" = 2 ]
	[ "$(jq -c 'select(.run | endswith("-0002")) | select(.step == "test:ecommerce_events" and .test != null) | del(.run, .attempt, .step, .seconds)' l/_runs.ndjson)" = "$(SOURCE_DATE_EPOCH=$DAY2 whole)" ]
	# a damaged partial (a crash of the machine): refused by the merge,
	# all of them made again, the same results
	part=$(ls l/_state/tests/ecommerce_events/*.part | head -1)
	printf 'x' | dd of="$part" bs=1 seek=100 conv=notrunc 2> /dev/null
	mx-gen -n 300 -s 5 --from 2024-03-06 --to 2024-03-06 ecommerce |
	    sed 's/"event_id":"e0/"event_id":"e8/' > raw/ecommerce/late2.ndjson
	EPOCH=$DAY2 run lake -r raw -l l ecommerce
	assert_success
	assert_output --partial 'the partial tests of silver/ecommerce_events are made again'
	run note
	assert_output "10 passed; $n of $n partitions read"
	[ "$(jq -c 'select(.run | endswith("-0003")) | select(.step == "test:ecommerce_events" and .test != null) | del(.run, .attempt, .step, .seconds)' l/_runs.ndjson)" = "$(SOURCE_DATE_EPOCH=$DAY2 whole)" ]
	# a test file changed: every partial made again, with it
	mkdir -p conf/tests/silver
	grep -v recency "$tf" > conf/tests/silver/ecommerce_events.tests
	tf=$PWD/conf/tests/silver/ecommerce_events.tests
	echo '{"event_id":"e700000001","timestamp":"2024-03-07T10:00:00Z","user_id":"u000001","session_id":"s70000001","event_type":"page_view","product_id":"p00001","quantity":1,"price":9.00,"category":"books","search_query":null}' > raw/ecommerce/one.ndjson
	EPOCH=$DAY2 run lake -r raw -l l --conf conf ecommerce
	assert_success
	run note
	assert_output "9 passed; $n of $n partitions read"
	[ "$(jq -c 'select(.run | endswith("-0004")) | select(.step == "test:ecommerce_events" and .test != null) | del(.run, .attempt, .step, .seconds)' l/_runs.ndjson)" = "$(SOURCE_DATE_EPOCH=$DAY2 whole)" ]
	# a custom test reads the whole table: no partials then
	printf '%s\n' "custom name=no_e7 grep -h '\"event_id\":\"e7' \"\$@\" || :" >> "$tf"
	echo '{"event_id":"e700000002","timestamp":"2024-03-07T11:00:00Z","user_id":"u000001","session_id":"s70000001","event_type":"page_view","product_id":"p00001","quantity":1,"price":9.00,"category":"books","search_query":null}' > raw/ecommerce/two.ndjson
	EPOCH=$DAY2 run lake -r raw -l l --conf conf ecommerce
	assert_failure 1
	assert_output --partial 'test silver/ecommerce_events failed: no_e7: 2 failing of '
	run jq -r 'select(.run | endswith("-0005")) | select(.step == "test:ecommerce_events") | "\(.test) \(.state) \(.note)"' l/_runs.ndjson
	assert_line 'no_e7 fail null'
	assert_line 'unique_event_id pass null'
	assert_line 'null failed null'
}

@test "silver data tests in parts: the same test files in another directory (a --conf moved) keep the partials; new bytes do not" {
	raw raw 1000 1
	mkdir confA
	cp -r "$TOP/scripts/tests" confA/
	run lake -r raw -l l --conf confA ecommerce
	assert_success
	n=$(ls l/silver/ecommerce_events | wc -l)
	[ "$n" -gt 1 ]
	note() {
		jq -r 'select(.step == "test:ecommerce_events" and .test == null) | .note' l/_runs.ndjson | tail -1
	}
	run note
	assert_output "10 passed; $n of $n partitions read"
	# late SEED DAY ID: a batch into DAY (event ids ID...), run with
	# the --conf moved, its tests' note
	late() {
		mx-gen -n 300 -s "$1" --from "$2" --to "$2" ecommerce |
		    sed "s/\"event_id\":\"e0/\"event_id\":\"$3/" > "raw/ecommerce/late$1.ndjson"
		EPOCH=$DAY2 run lake -r raw -l l --conf confB ecommerce
		assert_success
		run note
	}
	# (the gold tests' --precount files are read from the --conf)
	mv confA confB
	late 4 2024-03-05 e9
	assert_output "10 passed; 1 of $n partitions read"
	# a --precount file whose bytes changed: every partial made again
	echo '# counted again' >> confB/tests/gold/user_activity.tests
	late 5 2024-03-06 e8
	assert_output "10 passed; $n of $n partitions read"
}

@test "--reprocess N rebuilds the partitions of the last N days from bronze, to the same lake" {
	raw raw 1000 1
	run lake -r raw -l l
	assert_success
	silver() { for d in l/silver/*/*/; do echo "$d"; cat "$d"part-*.ndjson; done | sha1sum; }
	before=$(silver)
	gold=$(cat l/gold/*.ndjson | sha1sum)
	# from 2024-03-04: every partition
	EPOCH=$DAY1 run lake -v --reprocess 8 -r raw -l l ecommerce
	assert_success
	assert_output --partial 'run 20240311T000000Z-0002 done: no new raw files; partitions from 2024-03-04 rebuilt'
	# every bronze record read again, every silver record from 2024-03-04
	# written again (late ones of earlier dates are merged as duplicates)
	run jq -r 'select(.run | endswith("-0002")) | select(.step == "silver:ecommerce_events") | "\(.in) \(.out)"' l/_runs.ndjson
	assert_output "$(zcat l/bronze/ecommerce/*/*.gz | wc -l) $(cat l/silver/ecommerce_events/event_date=2024-03-{04..10}/part-*.ndjson | wc -l)"
	# the partitions were rewritten by this run, to the same records
	run ls l/silver/ecommerce_events/event_date=2024-03-10
	assert_output --partial 'part-20240311T000000Z-0002-00000.ndjson'
	[ "$(silver)" = "$before" ]
	[ "$(cat l/gold/*.ndjson | sha1sum)" = "$gold" ]
	run lake --reprocess x -r raw -l l
	assert_failure 2
	assert_output --partial '--reprocess: a number of days'
}

@test "kill -9 at any moment, then a re-run: the same lake as one clean run" {
	raw raw 20000 5
	run lake -r raw -l clean
	assert_success
	want=$(listing clean)
	wantc=$(counts clean)
	# (five moments: the first steps, the middle, the end, two at random;
	# the next test kills it between each step's data and its state)
	for t in 0.05 0.4 1.0 $(shuf -i 1-30 -n 2 | sed 's/^/0./'); do
		rm -rf l
		SOURCE_DATE_EPOCH=$DAY1 setsid "$LAKECMD" -r raw -l l > /dev/null 2>&1 &
		pid=$!
		sleep "$t"
		kill -9 -- -"$pid" 2> /dev/null || true
		wait "$pid" 2> /dev/null || true
		# a process killed inside fsync dies when the write is done
		while kill -0 -- -"$pid" 2> /dev/null; do sleep 0.05; done
		run lake -r raw -l l
		assert_success
		[ "$(listing l)" = "$want" ] || fail "killed after $t s: the lake differs: $(diff <(listing l) <(echo "$want"))"
		[ "$(counts l)" = "$wantc" ] || fail "killed after $t s: the counts differ: $(diff <(counts l) <(echo "$wantc"))"
	done
}

@test "killed between each step's data and its state, then a re-run: the same lake as one clean run" {
	raw raw 1000 5
	# (the domains of the points below: calendly's steps are of the same
	# kinds, and each point costs two runs)
	D='ecommerce adclicks crm'
	run lake -r raw -l clean $D
	assert_success
	want=$(listing clean)
	wantc=$(counts clean)
	# (a point of each kind: bronze, silver, a silver table's tests,
	# gold from partials, a gold table's tests, gold from gold, CSV)
	for p in bronze:ecommerce silver:ecommerce_events test:ecommerce_events gold:hourly_revenue test:gold/hourly_revenue gold:advertiser_daily silver:customers; do
		rm -rf l
		MX_LAKE_CRASH=$p run lake -r raw -l l $D
		assert_failure 137
		run lake -r raw -l l $D
		assert_success
		assert_output --partial 'resuming run 20240311T000000Z-0001'
		[ "$(listing l)" = "$want" ] || fail "killed at $p: the lake differs"
		[ "$(counts l)" = "$wantc" ] || fail "killed at $p: the counts differ: $(diff <(counts l) <(echo "$wantc"))"
	done
	# killed once the run is counted, it is resumed and counted once;
	# killed at the very end, its pending state gone but not its counts
	# (an S3 mount removes them a file at a time), the next run, with
	# nothing to do, leaves none of them
	rm -rf l
	MX_LAKE_CRASH=counted run lake -r raw -l l $D
	assert_failure 137
	[ "$(cat l/_state/runs)" = 1 ]
	MX_LAKE_CRASH=end run lake -r raw -l l $D
	assert_failure 137
	assert_output --partial 'resuming run 20240311T000000Z-0001'
	[ -d l/_state/steps/20240311T000000Z-0001 ]
	run lake -r raw -l l $D
	assert_success
	refute_output --partial resuming
	[ "$(listing l)" = "$want" ] || fail "killed at the end: the lake differs: $(diff <(listing l) <(echo "$want") | head -5)"
	# a run killed before it did anything, finished with nothing to do,
	# is not a run: the next run that takes something in is -0002
	MX_LAKE_CRASH=begin run lake -r raw -l l $D
	assert_failure 137
	EPOCH=$DAY2 run lake -r raw -l l $D
	assert_success
	assert_output --partial 'no new raw files'
	mx-gen -n 50 -s 7 --from 2024-03-11 --to 2024-03-11 ecommerce > raw/ecommerce/day-11.ndjson
	EPOCH=$DAY2 run lake -r raw -l l $D
	assert_success
	assert_output --partial 'run 20240312T000000Z-0002 done'
}

@test "a run killed one day and resumed the next: the lake of one uninterrupted run; freshness told at the resume" {
	raw raw 1000 5
	touch -d "@$DAY1" raw/ecommerce/*
	run lake -r raw -l clean ecommerce
	assert_success
	want=$(listing clean)
	# (bronze stamps _ingested_at and the rejects' date; silver's rejects
	# are filed under the run's date too)
	for p in silver:ecommerce_events bronze:ecommerce; do
		rm -rf l
		MX_LAKE_CRASH=$p run lake -r raw -l l ecommerce
		assert_failure 137
		EPOCH=$DAY2 run lake -r raw -l l ecommerce
		assert_success
		assert_output --partial 'resuming run 20240311T000000Z-0001'
		[ "$(listing l)" = "$want" ] ||
		    fail "killed at $p, resumed a day later: the lake differs: $(diff <(listing l) <(echo "$want"))"
	done
	# the attempt resumed after bronze told the raw files' age at its own
	# time (one resumed after silver keeps the first attempt's steps)
	run jq -r 'select(.step == "freshness:ecommerce") | "\(.attempt) \(.note)"' clean/_runs.ndjson l/_runs.ndjson
	assert_success
	assert_output '1 newest raw file 0.0 h old; warn after 36.0 h
2 newest raw file 24.0 h old; warn after 36.0 h'
}

@test "a killed run resumed after new raw files came does its own work only; the next run takes them: the same lake as clean runs, one record per key" {
	# (seeds 1 and 2 share event ids: batch 2 re-sends them, other days,
	# later, so silver drops whole partitions of batch 1)
	raw raw 3000 1
	raw more 3000 2 --late-rate 0
	cp -a raw r
	run lake -r r -l clean ecommerce
	assert_success
	one=$(listing clean)
	cp -p more/ecommerce/batch-2.ndjson r/ecommerce/
	EPOCH=$DAY2 run lake -r r -l clean ecommerce
	assert_success
	# killed after silver's tests (bronze committed), and in bronze
	# between its counts and its ledger (bronze not committed, so done
	# again, its records stamped with the time of the resumed run: resumed
	# the same day, to compare)
	for p in test:ecommerce_events:$DAY2 bronze:ecommerce:$DAY1; do
		rm -rf l r && cp -a raw r
		MX_LAKE_CRASH=${p%:*} run lake -r r -l l ecommerce
		assert_failure 137
		cp -p more/ecommerce/batch-2.ndjson r/ecommerce/
		EPOCH=${p##*:} run lake -r r -l l ecommerce
		assert_success
		assert_output --partial 'resuming run 20240311T000000Z-0001'
		assert_output --partial 'run 20240311T000000Z-0001 done'
		# its counts are its work's: one file, as in the clean run
		[ "$(counts l)" = "$(counts clean)" ] || fail "killed at $p: the counts differ: $(diff <(counts l) <(counts clean))"
		EPOCH=$DAY2 run lake -r r -l l ecommerce
		assert_success
		assert_output --partial 'run 20240312T000000Z-0002 done'
		[ "$(listing l)" = "$(listing clean)" ] || fail "killed at $p: the lake differs"
		run jq -r 'select(.step == "test:ecommerce_events") | .state' l/_runs.ndjson
		refute_output --partial failed
		run bash -c 'cat l/silver/ecommerce_events/*/part-*.ndjson | jq -r .event_id | sort | uniq -d | wc -l'
		assert_output 0
	done
	# a file the killed attempt was taking in, gone when it resumes: the
	# resumed run takes the others
	rm -rf l r && cp -a raw r && cp -p more/ecommerce/batch-2.ndjson r/ecommerce/
	MX_LAKE_CRASH=bronze:ecommerce run lake -r r -l l ecommerce
	assert_failure 137
	rm r/ecommerce/batch-2.ndjson
	run lake -r r -l l ecommerce
	assert_success
	assert_output --partial 'run 20240311T000000Z-0001 done'
	[ "$(counts l)" = "$(counts clean)" ]
	[ "$(listing l)" = "$one" ] || fail "the lake differs from one of the file that stayed"
}

@test "--memory: silver's keys spilled to disk give the same lake; gold groups past the bound stop the run, and a larger bound finishes it" {
	raw raw 3000 1
	run lake -r raw -l clean ecommerce
	assert_success
	run lake --memory 64k -r raw -l l ecommerce
	assert_failure 1
	assert_output --partial 'mx-agg: the groups need more than --memory 65536 bytes'
	assert_output --partial 'step partials:ecommerce_events failed'
	[ ! -e l/gold/conversion_funnel.ndjson ]
	# silver was built within the bound: mx-dedup spilled
	run jq -e '.spilled > 1000' l/_state/steps/20240311T000000Z-0001/silver_ecommerce_events.dedup
	assert_success
	run lake --memory 8M -r raw -l l ecommerce
	assert_success
	assert_output --partial 'resuming run 20240311T000000Z-0001'
	[ "$(listing l)" = "$(listing clean)" ]
	# the index made within the bound is the index made without it
	mx-index -i small.idx -k event_id -m 4k put -d l/silver/ecommerce_events --all
	cmp small.idx l/_state/keys/ecommerce_events.idx
}

@test "gold --by-partition: each partition's final rows, the table the same as one pass; a lake of partials switches once; not with --top" {
	raw raw 1000 1
	run lake -r raw -l l ecommerce
	assert_success
	[ -e l/_state/partials/user_activity/.final ]
	[ ! -e l/_state/partials/conversion_funnel/.final ]
	a=(-g 'event_date=date(timestamp)'
	    -a 'users=count_distinct(user_id),sessions=count_distinct(session_id),events=count()')
	run bash -c 'cat l/silver/ecommerce_events/*/part-*.ndjson | mx-agg "$@" | cmp - l/gold/user_activity.ndjson' - "${a[@]}"
	assert_success
	# user_activity as an older lake kept it: partials, to be merged
	rm l/_state/partials/user_activity/*.ndjson l/_state/partials/user_activity/.final
	for d in l/silver/ecommerce_events/*/; do
		p=${d%/}
		p=${p##*/}
		mx-agg --partial "${a[@]}" "$d"part-*.ndjson \
		    > "l/_state/partials/user_activity/${p/=/%3D}.ndjson"
	done
	# a late batch into 2024-03-05: the other days' partials are not
	# concatenated as if they were rows
	mx-gen -n 300 -s 4 --from 2024-03-05 --to 2024-03-05 ecommerce |
	    sed 's/"event_id":"e0/"event_id":"e9/' > raw/ecommerce/late.ndjson
	EPOCH=$DAY2 run lake -r raw -l l ecommerce
	assert_success
	[ -e l/_state/partials/user_activity/.final ]
	EPOCH=$DAY2 run lake -r raw -l fresh ecommerce
	assert_success
	cmp l/gold/user_activity.ndjson fresh/gold/user_activity.ndjson
	cmp l/gold/user_activity.csv fresh/gold/user_activity.csv
	# a ranking of the whole table cannot be made partition by partition
	mkdir -p conf/domains
	cat > conf/domains/top.sh <<-'EOF'
	pipeline_top() {
		step gold:top3 gold top3 ecommerce_events --by-partition \
		    -g 'event_date=date(timestamp)' -a 'n=count()' --top 3 --by n
	}
	EOF
	EPOCH=$DAY2 run lake -r raw -l l --conf conf top
	assert_failure 1
	assert_output --partial 'step gold:top3 failed (exit 1); gold top3: --top ranks the whole table, not each partition: not with --by-partition'
	[ ! -e l/gold/top3.ndjson ]
}

@test "an empty silver partition, or one that is a symbolic link, does not stop the run or skip work" {
	raw raw 500 1
	run lake -r raw -l l ecommerce
	assert_success
	mkdir l/silver/ecommerce_events/event_date=2030-01-01
	ln -s event_date=2024-03-05 l/silver/ecommerce_events/event_date=2099-01-01
	mkdir l/_state/partials/hourly_revenue/empty-dir
	# a late batch into 2024-03-05, with new ids
	mx-gen -n 200 -s 4 --from 2024-03-05 --to 2024-03-05 ecommerce |
	    sed 's/"event_id":"e0/"event_id":"e9/' > raw/ecommerce/late.ndjson
	EPOCH=$DAY2 run lake -r raw -l l ecommerce
	assert_success
	assert_output --partial 'run 20240312T000000Z-0002 done'
	run "$TOP/scripts/lake-status" -l l
	assert_success
	# every new record reached silver, and gold counts each record once
	[ "$(grep -c '"event_id":"e9' l/silver/ecommerce_events/event_date=2024-03-05/part-*.ndjson)" = \
	    "$(grep -c '"event_id":"e9' raw/ecommerce/late.ndjson)" ]
	rm -rf l/silver/ecommerce_events/event_date=2030-01-01 l/silver/ecommerce_events/event_date=2099-01-01
	run lake -r raw -l fresh ecommerce
	assert_success
	cmp l/gold/hourly_revenue.ndjson fresh/gold/hourly_revenue.ndjson
	cmp l/gold/user_activity.ndjson fresh/gold/user_activity.ndjson
}

@test "a read-only lake, or one the user cannot write, says so; a link planted at the run log is not followed" {
	raw raw 200 1
	run lake -r raw -l l ecommerce
	assert_success
	if mkdir ro && mount -t tmpfs -o size=1m tmpfs ro 2> /dev/null; then
		mkdir ro/_state
		mount -o remount,ro ro
		run lake -r raw -l ro ecommerce
		umount ro
		assert_failure 1
		assert_output "lake: $PWD/ro: cannot write the lake: Read-only file system"
	fi
	if id nobody > /dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
	    su nobody -s /bin/sh -c "test -x '$PWD' && test -r '$LAKECMD'"; then
		mkdir -m 555 locked
		run su nobody -s /bin/bash -c "SOURCE_DATE_EPOCH=$DAY1 $LAKECMD -r $PWD/raw -l $PWD/locked ecommerce"
		assert_failure 1
		assert_output "lake: $PWD/locked: cannot write the lake: Permission denied"
	fi
	echo precious > precious
	mv l/_runs.ndjson runs.ndjson
	ln -s ../precious l/_runs.ndjson
	EPOCH=$DAY2 run lake -r raw -l l ecommerce
	assert_failure 1
	assert_output --partial "l/_runs.ndjson: a symbolic link where the lake keeps its own files; not followed"
	run cat precious
	assert_output precious
}

@test "--max-file-records and --max-file-bytes: a gzip bomb among the raw files stops the run, naming it, and nothing of it is published" {
	mkdir -p raw/ecommerce
	mx-gen -n 100 -s 1 --from 2024-03-04 --to 2024-03-10 ecommerce > raw/ecommerce/a.ndjson
	yes "$(head -n 1 raw/ecommerce/a.ndjson)" | head -n 200000 | gzip > raw/ecommerce/bomb.ndjson.gz
	run lake -r raw -l l --max-file-records 1000 ecommerce
	assert_failure 1
	assert_output --partial 'mx-ingest: ecommerce/bomb.ndjson.gz:1001: more than 1000 records in the file (--max-file-records)'
	assert_output --partial 'lake: step bronze:ecommerce failed'
	[ -z "$(find l/bronze -name 'part-*')" ]
	run lake -r raw -l l --max-file-bytes 1M ecommerce
	assert_failure 1
	assert_output --partial 'ecommerce/bomb.ndjson.gz'
	assert_output --partial '(--max-file-bytes)'
	rm raw/ecommerce/bomb.ndjson.gz
	run lake -r raw -l l --max-file-records 1000 ecommerce
	assert_success
	run lake -r raw -l l --max-file-records x ecommerce
	assert_failure 2
	assert_output --partial '--max-file-records: a number'
}

@test "a failing step stops the run with a message naming it; the next run finishes the work" {
	raw raw 500 1
	mkdir contracts
	cp "$TOP"/scripts/contracts/*.contract contracts/
	echo 'event_id string sometimes' >> contracts/ecommerce.contract
	MX_CONTRACTS=$PWD/contracts run lake -r raw -l l ecommerce
	assert_failure 1
	assert_output --partial 'lake: step silver:ecommerce_events failed'
	run jq -r '"\(.step) \(.state)"' l/_runs.ndjson
	assert_line 'silver:ecommerce_events failed'
	run "$TOP/scripts/lake-status" -l l
	assert_failure 1
	assert_output --partial 'silver:ecommerce_events  failed'
	run lake -r raw -l l ecommerce
	assert_success
	assert_output --partial 'resuming run 20240311T000000Z-0001'
	run lake -r raw -l fresh ecommerce
	assert_success
	[ "$(listing l)" = "$(listing fresh)" ]
	run "$TOP/scripts/lake-status" -l l
	assert_success
	assert_output --partial 'gold:hourly_revenue'
}

@test "-j 1: a new table's records go to mx-dedup as they are validated; a bronze file that cannot be read stops the step, naming it, publishes nothing, and the next run counts as one clean run" {
	raw raw 600 1
	MX_BRONZE_RECORDS=97 run lake -j 1 -r raw -l clean ecommerce
	assert_success
	mkdir contracts
	cp "$TOP"/scripts/contracts/*.contract contracts/
	echo 'event_id string sometimes' >> contracts/ecommerce.contract
	# (on two jobs the validation fails before mx-partition starts: the
	# table is not yet written when the next run validates on one)
	MX_BRONZE_RECORDS=97 MX_CONTRACTS=$PWD/contracts run lake -j 2 -r raw -l l ecommerce
	assert_failure 1
	[ ! -e l/silver/ecommerce_events ]
	# bronze is in, in several files: the third cut short, after two
	# files' records went to mx-dedup
	f=$(cd l && ls bronze/ecommerce/*/part-*.ndjson.gz | sed -n 3p)
	[ -n "$f" ]
	cp "l/$f" saved
	truncate -s 200 "l/$f"
	run lake -j 1 -r raw -l l ecommerce
	assert_failure 1
	assert_output --partial "$f:1: truncated gzip input"
	assert_output --partial 'lake: step silver:ecommerce_events failed'
	[ -z "$(find l/silver -name 'part-*')" ]
	# (the table's directory, left empty, is built as a new table)
	[ -d l/silver/ecommerce_events ]
	cp saved "l/$f"
	run lake -j 1 -r raw -l l ecommerce
	assert_success
	[ "$(listing l)" = "$(listing clean)" ]
	[ "$(counts l)" = "$(counts clean)" ]
}
@test "data tests: an error in a silver table stops the run before its gold, naming the test, its failing rows stored; a warning goes on" {
	raw raw 300 1
	run lake -r raw -l l ecommerce
	assert_success
	assert_output --partial 'run 20240311T000000Z-0001 done'
	run jq -r 'select(.step == "test:ecommerce_events" and .test == null) | "\(.state) \(.in) \(.note)"' l/_runs.ndjson
	assert_output "ok $(cat l/silver/ecommerce_events/*/part-* | wc -l) 10 passed; $(ls l/silver/ecommerce_events | wc -l) of $(ls l/silver/ecommerce_events | wc -l) partitions read"
	gold() { (cd l/gold && cat ./*.ndjson ./*.csv | sha1sum); }
	before=$(gold)
	# a purchase of 3 at 9999.00: out of the range of an amount
	echo '{"event_id":"e900000001","timestamp":"2024-03-10T10:00:00Z","user_id":"u000001","session_id":"s90000001","event_type":"purchase","product_id":"p00001","quantity":3,"price":9999.00,"category":"books","search_query":null}' > raw/ecommerce/bad.ndjson
	# (-j 2: the gold partials are made beside the tests, gold_early,
	# and still nothing of gold is published)
	EPOCH=$DAY2 run lake -j 2 -r raw -l l ecommerce
	assert_failure 1
	assert_output --partial 'lake: test silver/ecommerce_events failed: purchase_amount_in_range: 1 failing of '
	assert_output --partial 'lake: step test:ecommerce_events failed (exit 1); the gold that reads silver/ecommerce_events is not rebuilt'
	refute_output --partial 'gold:'
	[ "$(gold)" = "$before" ] || fail "gold changed"
	# the failing row, whole, with its file and line in silver
	f=l/tests/ecommerce_events/purchase_amount_in_range/20240312T000000Z-0002.ndjson
	run jq -c '[.event_id, ._test.file]' "$f"
	assert_output '["e900000001","silver/ecommerce_events/event_date=2024-03-10/part-20240312T000000Z-0002-00000.ndjson"]'
	grep -q '"quantity":3,"price":9999.00,' "$f"
	# a line per test in the run log, and the step, failed
	run jq -r 'select(.run | endswith("-0002")) | select(.step == "test:ecommerce_events") | "\(.test) \(.state) \(.failing // "-") \(.stored // "-")"' l/_runs.ndjson
	assert_line 'purchase_amount_in_range fail 1 tests/ecommerce_events/purchase_amount_in_range/20240312T000000Z-0002.ndjson'
	assert_line 'unique_event_id pass 0 -'
	assert_line 'null failed - -'
	run "$TOP/scripts/lake-status" -l l
	assert_failure 1
	assert_output --regexp 'test:ecommerce_events +failed'
	assert_output --regexp 'data tests: [0-9]+ passed, 0 warned, 1 failed'
	assert_output --regexp 'fail +ecommerce_events +purchase_amount_in_range +1 '
	# the next run resumes this one and tests the table again
	EPOCH=$DAY2 run lake -r raw -l l ecommerce
	assert_failure 1
	assert_output --partial 'resuming run 20240312T000000Z-0002'
	assert_output --partial 'failed: purchase_amount_in_range: 1 failing of '
	[ "$(gold)" = "$before" ]
	# a mistake in a test file (of the configuration, read first) stops it
	mkdir -p conf/tests/silver
	echo 'uniq event_id' > conf/tests/silver/ecommerce_events.tests
	EPOCH=$DAY2 run lake -r raw -l l --conf conf ecommerce
	assert_failure 1
	assert_output --partial "mx-test: $PWD/conf/tests/silver/ecommerce_events.tests:1: "
	assert_output --partial 'the tests of silver/ecommerce_events did not run'
	# the test made a warning there: said, and the gold is rebuilt (its
	# own test of the amount, made a warning too)
	sed 's/^expression *name=purchase_amount_in_range/& severity=warn/' \
	    "$TOP/scripts/tests/silver/ecommerce_events.tests" > conf/tests/silver/ecommerce_events.tests
	mkdir -p conf/tests/gold
	sed 's/^expression *name=revenue_in_range/& severity=warn/' \
	    "$TOP/scripts/tests/gold/hourly_revenue.tests" > conf/tests/gold/hourly_revenue.tests
	EPOCH=$DAY2 run lake -r raw -l l --conf conf ecommerce
	assert_success
	assert_output --partial 'lake: test silver/ecommerce_events warns: purchase_amount_in_range: 1 failing of '
	assert_output --partial 'lake: test gold/hourly_revenue warns: revenue_in_range: 1 failing of '
	assert_output --partial 'run 20240312T000000Z-0002 done'
	[ "$(gold)" != "$before" ] || fail "gold was not rebuilt"
	run jq -s 'map(select(.event_date == "2024-03-10" and
	    .event_hour == 10))[0].revenue >= 29997' l/gold/hourly_revenue.ndjson
	assert_output true
	run "$TOP/scripts/lake-status" -l l
	assert_success
	assert_output --regexp 'data tests: [0-9]+ passed, 2 warned, 0 failed'
	# a table that did not change is not tested again (nor asked, but
	# for --recheck)
	EPOCH=$DAY2 run lake -r raw -l l --conf conf --recheck ecommerce
	assert_success
	run jq -r 'select(.run | endswith("-0003")) | select(.step == "test:ecommerce_events") | "\(.test) \(.note)"' l/_runs.ndjson
	assert_output 'null unchanged'
}

@test "data tests of a gold table: run before it is published; an error keeps the published table, a warning goes on" {
	raw raw 300 1
	run lake -r raw -l l ecommerce
	assert_success
	# the bundled tests of every gold table ran, each a line of the log
	run jq -r 'select(.step == "gold:hourly_revenue" and .test == null) | .note' l/_runs.ndjson
	assert_output --regexp '^[0-9]+ partitions read; tests: 6 passed$'
	run jq -r 'select(.step == "gold:hourly_revenue" and .test != null) | "\(.table) \(.test) \(.state)"' l/_runs.ndjson
	assert_line 'gold/hourly_revenue unique_event_date_event_hour pass'
	[ "${#lines[@]}" = 6 ]
	# the configuration's tests of the table, read first: revenue under
	# 1000 an hour, which new data breaks
	mkdir -p conf/tests/gold
	{ cat "$TOP/scripts/tests/gold/hourly_revenue.tests"
	  echo 'expression name=revenue_small revenue < 1000'; } > conf/tests/gold/hourly_revenue.tests
	before=$(sha1sum l/gold/hourly_revenue.ndjson l/gold/hourly_revenue.csv)
	echo '{"event_id":"e900000001","timestamp":"2024-03-10T10:00:00Z","user_id":"u000001","session_id":"s90000001","event_type":"purchase","product_id":"p00001","quantity":2,"price":999.00,"category":"books","search_query":null}' > raw/ecommerce/big.ndjson
	EPOCH=$DAY2 run lake -r raw -l l --conf conf ecommerce
	assert_failure 1
	assert_output --regexp 'lake: test gold/hourly_revenue failed: revenue_small: [1-9][0-9]* failing of [0-9]+ rows \(tests/gold/hourly_revenue/revenue_small/20240312T000000Z-0002\.ndjson\)'
	assert_output --partial 'lake: step gold:hourly_revenue failed (exit 1); gold/hourly_revenue is not published, the previous one stays; the next run tests it again'
	[ "$(sha1sum l/gold/hourly_revenue.ndjson l/gold/hourly_revenue.csv)" = "$before" ]
	[ -z "$(find l/gold -name '*.tmp.*' -o -name '*.new')" ]
	run jq -r 'select(.revenue >= 1000) | "\(.event_date) \(.event_hour)"' l/tests/gold/hourly_revenue/revenue_small/20240312T000000Z-0002.ndjson
	assert_line '2024-03-10 10'
	run jq -r '._test.file' l/tests/gold/hourly_revenue/revenue_small/20240312T000000Z-0002.ndjson
	assert_line gold/hourly_revenue.ndjson.new
	run "$TOP/scripts/lake-status" -l l
	assert_failure 1
	assert_output --regexp 'fail +gold/hourly_revenue +revenue_small '
	# made a warning: published, said
	sed -i 's/name=revenue_small/& severity=warn/' conf/tests/gold/hourly_revenue.tests
	EPOCH=$DAY2 run lake -r raw -l l --conf conf ecommerce
	assert_success
	assert_output --partial 'lake: test gold/hourly_revenue warns: revenue_small: '
	[ "$(sha1sum l/gold/hourly_revenue.ndjson l/gold/hourly_revenue.csv)" != "$before" ]
	run jq -r 'select(.event_date == "2024-03-10" and .event_hour == 10) | .revenue >= 1998' l/gold/hourly_revenue.ndjson
	assert_output true
}

@test "SLA: a gold table not built by its deadline, late or by a failed run, is said, logged and alerted once a day" {
	raw raw 200 1
	mkdir -p conf
	printf '# deadlines\nhourly_revenue  built_by=06:00  # UTC\nuser_activity built_by=23:30\n' > conf/sla
	cat > conf/alert <<-'EOF'
	#!/bin/sh
	jq -c '{state, warnings: [.warnings[] | select(.step | startswith("sla:"))]}' >> "$ALERTS"
	EOF
	chmod +x conf/alert
	export ALERTS=$PWD/alerts.ndjson
	# built at 03:00: in time
	EPOCH=$((DAY1 + 3 * 3600)) run lake -r raw -l l --conf conf ecommerce
	assert_success
	refute_output --partial 'SLA'
	# 07:00 the same day, nothing new: it was built by 06:00
	EPOCH=$((DAY1 + 7 * 3600)) run lake -r raw -l l --conf conf ecommerce
	assert_success
	refute_output --partial 'SLA'
	# the next day, built at 07:00: late; said, logged, alerted
	raw raw 100 2
	EPOCH=$((DAY2 + 7 * 3600)) run lake -r raw -l l --conf conf ecommerce
	assert_success
	assert_output --regexp 'lake: gold/hourly_revenue missed its SLA: built at 07:00:[0-9]{2}, after its deadline of 06:00 UTC on 2024-03-12'
	refute_output --partial 'user_activity missed'
	run jq -r 'select(.step | startswith("sla:")) | "\(.run) \(.step) \(.state)"' l/_runs.ndjson
	assert_output '20240312T070000Z-0002 sla:hourly_revenue warn'
	run jq -c 'select(.warnings != []) | [.state, [.warnings[].step]]' alerts.ndjson
	assert_output '["warn",["sla:hourly_revenue"]]'
	run "$TOP/scripts/lake-status" -l l
	assert_success
	assert_output --regexp 'sla:hourly_revenue +warn .*built at 07:00:[0-9]{2}, after its deadline'
	# once a day: a later run of that day says nothing more
	raw raw 50 3
	EPOCH=$((DAY2 + 9 * 3600)) run lake -r raw -l l --conf conf ecommerce
	assert_success
	refute_output --partial 'SLA'
	run jq -s 'map(select(.warnings != [])) | length' alerts.ndjson
	assert_output 1
	# the day after, at 08:00, a run that fails before the gold: not
	# built at all, in the alert of the failed run
	echo '{"event_id":"e900000001","timestamp":"2024-03-10T10:00:00Z","user_id":"u000001","session_id":"s90000001","event_type":"purchase","product_id":"p00001","quantity":3,"price":9999.00,"category":"books","search_query":null}' > raw/ecommerce/bad.ndjson
	EPOCH=$((DAY2 + 86400 + 8 * 3600)) run lake -r raw -l l --conf conf ecommerce
	assert_failure 1
	assert_output --partial 'lake: gold/hourly_revenue missed its SLA: not built by its deadline of 06:00 UTC on 2024-03-13'
	run jq -c 'select(.state == "failed") | [.state, [.warnings[].step]]' alerts.ndjson
	assert_output '["failed",["sla:hourly_revenue"]]'
	# a rule that is not one stops the run before any work
	echo 'hourly_revenue built_by=6am' > conf/sla
	EPOCH=$((DAY2 + 86400 + 9 * 3600)) run lake -r raw -l l --conf conf ecommerce
	assert_failure 1
	assert_output --partial 'conf/sla: hourly_revenue: built_by=6am: built_by=HH:MM, a time of day (UTC)'
}

@test "source freshness: the newest raw file past warn_after is a warning, past error_after a failed run naming the source" {
	raw raw 200 1
	# written three days before the run (2024-03-11): past the bundled 36 h
	touch -d '2024-03-08 00:00:00 UTC' raw/ecommerce/*
	run lake -r raw -l l ecommerce
	assert_success
	assert_output --partial 'lake: source ecommerce warns: newest raw file 72.0 h old; warn after 36.0 h'
	run jq -r 'select(.step == "freshness:ecommerce") | "\(.state) \(.note)"' l/_runs.ndjson
	assert_output 'warn newest raw file 72.0 h old; warn after 36.0 h'
	run "$TOP/scripts/lake-status" -l l
	assert_success
	assert_output --regexp 'freshness:ecommerce +warn .* newest raw file 72.0 h old'
	# the configuration's rule, read first: an error after two days
	mkdir conf
	echo 'ecommerce  warn_after=1d error_after=2d  # a comment' > conf/freshness
	EPOCH=$DAY2 run lake -r raw -l l --conf conf ecommerce
	assert_failure 1
	assert_output --partial 'lake: source ecommerce is stale: newest raw file 96.0 h old; warn after 24.0 h, error after 48.0 h'
	assert_output --partial 'lake: step freshness:ecommerce failed (exit 1); no new raw file of ecommerce for too long'
	run "$TOP/scripts/lake-status" -l l
	assert_failure 1
	assert_output --regexp 'freshness:ecommerce +failed'
	run "$TOP/scripts/lake-status" -l l --json
	assert_failure 1
	echo "$output" | jq -e '.state == "failed" and .freshness == [{source: "ecommerce", run: "20240312T000000Z-0002", state: "failed", note: "newest raw file 96.0 h old; warn after 24.0 h, error after 48.0 h"}] and (.tests | map(select(.table == "ecommerce_events")) | length) == 10 and .last_run.run == "20240312T000000Z-0002"'
	# a new file: fresh again, the run resumed and finished
	raw raw 100 2
	touch -d '2024-03-11 12:00:00 UTC' raw/ecommerce/batch-2.ndjson
	EPOCH=$DAY2 run lake -r raw -l l --conf conf ecommerce
	assert_success
	assert_output --partial 'resuming run 20240312T000000Z-0002'
	run jq -r 'select(.step == "freshness:ecommerce") | "\(.state) \(.note)"' l/_runs.ndjson
	assert_line 'ok newest raw file 12.0 h old; warn after 24.0 h, error after 48.0 h'
	# a rule that is not one
	echo 'ecommerce  warn_after=soon' > conf/freshness
	EPOCH=$DAY2 run lake -r raw -l l --conf conf ecommerce
	assert_failure 1
	assert_output --partial "conf/freshness: ecommerce: warn_after=soon: warn_after=DURATION or error_after=DURATION"
}

@test "a step slower than twice its median over the last runs is flagged in the run log and lake-status" {
	mkdir -p raw conf/domains
	# a domain of one step that takes $NAP seconds
	cat > conf/domains/nap.sh <<-'EOF'
	nap_step() { sleep "$NAP"; }
	pipeline_nap() { step nap:sleep nap_step; }
	EOF
	# (its step reads no raw file: --recheck, or a run with nothing new
	# would not ask it)
	export NAP=0.1
	for i in 1 2 3; do
		run lake -r raw -l l --conf conf --recheck nap
		assert_success
		refute_output --partial 'slow'
	done
	NAP=1.5
	run lake -r raw -l l --conf conf --recheck nap
	assert_success
	assert_output --regexp 'lake: step nap:sleep is slow: 1\.[0-9]{3} s, more than twice its median of 0\.[0-9]{3} s over the last runs'
	run jq -c 'select(.step == "nap:sleep") | .slow' l/_runs.ndjson
	assert_line --index 2 null
	assert_line --index 3 --regexp '^\{"median":0\.[0-9]{1,3},"runs":10\}$'
	run "$TOP/scripts/lake-status" -l l
	assert_success
	assert_output --regexp 'nap:sleep +ok .*\(slow: more than twice its median of 0\.[0-9]+ s\)'
}

@test "a run slower than twice the median of the last runs that took something in is flagged and alerted" {
	mkdir -p raw/ecommerce conf/domains
	# a domain that takes a raw file in, then naps $NAP seconds
	cat > conf/domains/nap.sh <<-'EOF'
	nap_step() { sleep "$NAP"; }
	pipeline_nap() {
		step bronze:ecommerce bronze ecommerce
		step nap:sleep nap_step
	}
	EOF
	printf '#!/bin/sh\njq -c "[.state, ([.warnings[].step] | unique)]" >> "%s"\n' "$PWD/alerts" > conf/alert
	chmod +x conf/alert
	export NAP=0.1
	for i in 1 2 3; do
		echo '{"x":'$i'}' > raw/ecommerce/f$i.ndjson
		run lake -r raw -l l --conf conf nap
		assert_success
		refute_output --partial 'slow'
	done
	# nothing new, however long (--recheck: its steps asked): not a run
	# to compare
	NAP=3
	run lake -r raw -l l --conf conf --recheck nap
	assert_success
	refute_output --partial 'the run is slow'
	echo '{"x":4}' > raw/ecommerce/f4.ndjson
	run lake -r raw -l l --conf conf nap
	assert_success
	assert_output --regexp 'lake: the run is slow: [3-9]\.[0-9]{3} s, more than twice its median of [0-9]+\.[0-9]{3} s over the last runs'
	run jq -c 'select(.step == "run") | [.state, .seconds, (.note | test("^the run took [3-9] s$")), .slow.runs]' l/_runs.ndjson
	assert_output '["warn",0,true,10]'
	run tail -n 1 alerts
	assert_output '["warn",["nap:sleep","run"]]'
	run "$TOP/scripts/lake-status" -l l
	assert_success
	assert_output --regexp 'run +warn .*the run took [3-9] s \(slow: more than twice its median of [0-9.]+ s\)'
}

# hookserver FILE: an HTTP server on 127.0.0.1 that appends each request
# it gets to FILE (method, path, type, body) and answers 200; its port in
# PORT, its process in HOOKPID.
hookserver() {
	python3 -c '
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        b = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[1], "a") as f:
            f.write(json.dumps({"method": "POST", "path": self.path,
                "type": self.headers["Content-Type"],
                "body": json.loads(b)}) + "\n")
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_port, flush=True)
s.serve_forever()' "$1" > port &
	HOOKPID=$!
	for i in $(seq 50); do
		PORT=$(cat port)
		[ -n "$PORT" ] && break
		sleep 0.1
	done
	[ -n "$PORT" ]
}

@test "alerts: a failed run posts one summary to a webhook, once per failure of a run; a run with warnings too" {
	command -v curl > /dev/null || skip "curl is not installed"
	raw raw 300 1
	mkdir -p conf/tests/silver
	cp "$TOP/examples/alerts/webhook" conf/alert
	hookserver posts.ndjson
	export MX_ALERT_URL="http://127.0.0.1:$PORT/hook"
	cp "$TOP/scripts/tests/silver/ecommerce_events.tests" conf/tests/silver/
	run lake -r raw -l l --conf conf ecommerce
	assert_success
	refute_output --partial 'alert'
	[ ! -e posts.ndjson ]
	# an amount out of range: the run fails, one alert
	echo '{"event_id":"e900000001","timestamp":"2024-03-10T10:00:00Z","user_id":"u000001","session_id":"s90000001","event_type":"purchase","product_id":"p00001","quantity":3,"price":9999.00,"category":"books","search_query":null}' > raw/ecommerce/bad.ndjson
	EPOCH=$DAY2 run lake -r raw -l l --conf conf ecommerce
	assert_failure 1
	assert_output --partial 'lake: alert: sent (failed)'
	run jq -c '[.method, .path, .type, .body.text]' posts.ndjson
	assert_output "[\"POST\",\"/hook\",\"application/json\",\"lake $PWD/l: run 20240312T000000Z-0002 failed at test:ecommerce_events\"]"
	run jq -c '.body.summary | [.run, .state, .failed_steps[0].step, .counts.in, (.tests | map([.test, .state, .failing]))]' posts.ndjson
	assert_output '["20240312T000000Z-0002","failed","test:ecommerce_events",1,[["purchase_amount_in_range","fail",1]]]'
	# the link to the failing rows
	run jq -r '.body.summary.tests[0].stored' posts.ndjson
	assert_output "$PWD/l/tests/ecommerce_events/purchase_amount_in_range/20240312T000000Z-0002.ndjson"
	grep -q e900000001 "$output"
	# the same failure of the same run: not again
	EPOCH=$DAY2 run lake -r raw -l l --conf conf ecommerce
	assert_failure 1
	assert_output --partial 'lake: alert: already sent for this failed of run 20240312T000000Z-0002'
	[ "$(wc -l < posts.ndjson)" = 1 ]
	# made a warning: the run finishes, and warns once
	sed -i 's/^expression *name=purchase_amount_in_range/& severity=warn/' conf/tests/silver/ecommerce_events.tests
	mkdir -p conf/tests/gold
	sed 's/^expression *name=revenue_in_range/& severity=warn/' \
	    "$TOP/scripts/tests/gold/hourly_revenue.tests" > conf/tests/gold/hourly_revenue.tests
	EPOCH=$DAY2 run lake -r raw -l l --conf conf ecommerce
	assert_success
	assert_output --partial 'lake: alert: sent (warn)'
	run jq -c 'select(.body.summary.state == "warn") | .body | [.text, .summary.failed_steps, (.summary.tests | map([.test, .state]))]' posts.ndjson
	assert_output "[\"lake $PWD/l: run 20240312T000000Z-0002 finished with warnings: ecommerce_events purchase_amount_in_range, gold/hourly_revenue revenue_in_range\",[],[[\"purchase_amount_in_range\",\"warn\"],[\"revenue_in_range\",\"warn\"]]]"
	# nothing new: nothing tested, no warning, no alert
	EPOCH=$DAY2 run lake -r raw -l l --conf conf ecommerce
	assert_success
	refute_output --partial 'alert'
	[ "$(wc -l < posts.ndjson)" = 2 ]
	# a hook that fails is said; the run is not failed by it
	kill "$HOOKPID"
	# (three days after the raw files were written: a stale source)
	EPOCH=$(($(date +%s) + 86400 * 3)) run lake -r raw -l l --conf conf ecommerce
	assert_success
	assert_output --partial 'lake: source ecommerce warns'
	assert_output --partial 'lake: alert: the command failed (exit 7); the next run sends it again'
}

@test "alerts: mail through sendmail to the local mailbox (--alert)" {
	[ -x /usr/sbin/sendmail ] || skip "no sendmail (apt-get install dma)"
	[ -w /var/mail ] || skip "/var/mail cannot be written"
	raw raw 100 1
	touch -d '2024-03-08 00:00:00 UTC' raw/ecommerce/*
	run lake -r raw -l l --alert "$TOP/examples/alerts/mail" ecommerce
	assert_success
	assert_output --partial 'lake: alert: sent (warn)'
	subject="Subject: lake $PWD/l: run 20240311T000000Z-0001 finished with warnings: freshness:ecommerce"
	for i in $(seq 50); do
		grep -qF "$subject" /var/mail/root 2> /dev/null && break
		sleep 0.1
	done
	grep -qF "$subject" /var/mail/root
	# the summary, after its subject
	run awk -v s="$subject" '$0 == s { on = 1 } on && /"note":/ { print; exit }' /var/mail/root
	assert_output --partial '"note": "newest raw file 72.0 h old; warn after 36.0 h"'
}

@test "a file of 1 MB or more on an S3 mount is read (mapped) as on disk" {
	s3mount m
	for i in $(seq 1 30000); do
		printf '{"a":"v%d","date":"2024-03-0%d","n":%d}\n' $((i % 97)) $((i % 9 + 1)) "$i"
	done > big.ndjson
	[ "$(stat -c %s big.ndjson)" -gt 1048576 ]
	cp big.ndjson m/big.ndjson
	for t in "mx-agg -g date -a n=count(),s=sum(n)" "mx-dedup -k a --latest-by n" "mx-validate -c c.contract"; do
		printf 'a string\nn number\n' > c.contract
		run $t big.ndjson
		assert_success
		want=$output
		run $t m/big.ndjson
		assert_success
		[ "$output" = "$want" ] || fail "$t: differs on the mount"
	done
}

@test "the lake on an S3 mount: s3fs on a local S3 server, the same lake as on disk" {
	raw raw 1000 1
	run lake -r raw -l disk
	assert_success
	s3mount mnt
	run lake -r raw -l mnt/lake
	assert_success
	# the data is the same; S3 partitions carry manifests of their own
	[ "$(listing mnt/lake | grep -v _SUCCESS)" = "$(listing disk | grep -v _SUCCESS)" ]
	[ "$(counts mnt/lake)" = "$(counts disk)" ]
	EPOCH=$DAY2 run lake -r raw -l mnt/lake
	assert_success
	assert_output --partial 'no new raw files'
	run cat mnt/lake/gold/hourly_revenue.csv
	assert_line --index 0 --partial event_date
}

@test "on an S3 mount, killed at any step or moment, then a re-run: the same lake and counts as one clean run" {
	raw raw 300 5
	run lake -r raw -l disk ecommerce calendly
	assert_success
	want=$(listing disk | grep -v _SUCCESS)
	wantc=$(counts disk)
	s3mount mnt
	for p in silver:ecommerce_events gold:hourly_revenue "$(shuf -i 3-25 -n 1)"; do
		rm -rf mnt/l
		case $p in
		*:*)	MX_LAKE_CRASH=$p run lake -r raw -l mnt/l ecommerce calendly
			assert_failure 137 ;;
		*)	SOURCE_DATE_EPOCH=$DAY1 setsid "$LAKECMD" -r raw -l mnt/l ecommerce calendly > /dev/null 2>&1 &
			pid=$!
			sleep "$p"
			kill -9 -- -"$pid" 2> /dev/null || true
			wait "$pid" 2> /dev/null || true
			while kill -0 -- -"$pid" 2> /dev/null; do sleep 0.1; done ;;
		esac
		run lake -r raw -l mnt/l ecommerce calendly
		assert_success
		[ "$(listing mnt/l | grep -v _SUCCESS)" = "$want" ] || fail "killed at $p: the lake differs: $(diff <(listing mnt/l | grep -v _SUCCESS) <(echo "$want") | head -5)"
		[ "$(counts mnt/l)" = "$wantc" ] || fail "killed at $p: the counts differ: $(diff <(counts mnt/l) <(echo "$wantc"))"
	done
}

@test "raw files named with any bytes: each taken in once over three runs, the ledger, _source and the run log valid JSON" {
	mkdir -p raw/ecommerce
	k=0
	for name in "$(printf 'a\tb')" "$(printf 'new\nline')" 'back\slash' '"quoted"' \
	    -dash "$(printf 'ctl\001')" "$(printf 'bad\377utf8')" 'with space' \
	    "$(printf 'L%.0s' $(seq 255))"; do
		k=$((k + 1))
		mx-gen -n 50 -s "$k" --from 2024-03-04 --to 2024-03-10 ecommerce |
		    sed "s/\"event_id\":\"e/\"event_id\":\"e$k/" > "raw/ecommerce/$name"
	done
	# (--recheck: the later runs ask the ledger again)
	for r in 1 2 3; do
		EPOCH=$((DAY1 + r)) run lake -r raw -l l --recheck ecommerce
		assert_success
	done
	run jq -s 'length' l/_state/ledger/ecommerce.ndjson
	assert_output 9
	# every record once, each _source valid JSON naming its file
	run bash -c 'cat l/silver/ecommerce_events/*/part-*.ndjson | jq -r .event_id | sort | uniq -d'
	assert_output ''
	[ "$(cat l/silver/ecommerce_events/*/part-*.ndjson | wc -l)" = 450 ]
	run bash -c 'cat l/silver/ecommerce_events/*/part-*.ndjson | jq -r "._source_base64 // empty" | sort -u'
	assert_output "$(printf 'ecommerce/bad\377utf8' | base64 -w0)"
	run jq -e . l/_runs.ndjson
	assert_success
	run "$TOP/scripts/lake-status" -l l
	assert_success
	assert_output --partial 'no new files'
}

@test "adding a source: the installed lake, run from outside the repository, with a click log of one's own partitioned by day and hour" {
	make -s -C "$TOP" install DESTDIR="$PWD/dest" PREFIX=/opt/mx > /dev/null
	bin=$PWD/dest/opt/mx/bin
	mkdir -p raw/clicks lk
	cp -r "$TOP/examples/conf" lk/_conf
	printf '%s\n' 'click_id,ts,user_id,campaign,cost' \
	    'k1,2024-03-04T10:05:00Z,u1,spring,0.50' \
	    'k2,2024-03-04T10:40:00Z,u2,spring,0.75' \
	    'k3,2024-03-04T23:59:59Z,u1,brand,1.00' \
	    'k2,2024-03-04T10:40:30Z,u2,spring,0.75' \
	    'k4,not a time,u3,brand,1.00' > raw/clicks/day-1.csv
	cd /
	run env PATH=/usr/bin:/bin SOURCE_DATE_EPOCH=$DAY1 "$bin/mx-lake" -r "$OLDPWD/raw" -l "$OLDPWD/lk"
	cd "$OLDPWD"
	assert_success
	assert_output --partial 'mx-lake-status -l'
	# the bundled domains had nothing; the user's ran
	run jq -r 'select(.test == null) | select(.step | test("^(domain:|.*clicks)")) | "\(.step) \(.in) \(.out) \(.rejected) \(.duplicates)"' lk/_runs.ndjson
	assert_output 'domain:adclicks 0 0 0 0
domain:calendly 0 0 0 0
bronze:clicks 5 5 0 0
silver:clicks 5 3 1 1
test:clicks 3 3 0 0
gold:clicks_hourly 2 2 0 0
gold:campaign_clicks 2 2 0 0
domain:crm 0 0 0 0
domain:ecommerce 0 0 0 0
domain:growth 0 0 0 0
domain:retail 0 0 0 0'
	[ -f lk/silver/clicks/click_date=2024-03-04/click_hour=10/_SUCCESS ]
	# tested by the configuration's tests: all pass but recency, a warning
	run jq -r 'select(.step == "test:clicks" and .test != null) | "\(.test) \(.state)"' lk/_runs.ndjson
	assert_output 'unique_click_id pass
not_null_click_id_ts_user_id_campaign_cost pass
cost_in_range pass
in_its_partition pass
row_count_min_1 pass
recency_ts warn'
	run cat lk/gold/clicks_hourly.ndjson
	assert_output '{"click_date":"2024-03-04","click_hour":10,"campaign":"spring","clicks":2,"cost":1.25}
{"click_date":"2024-03-04","click_hour":23,"campaign":"brand","clicks":1,"cost":1}'
	run cat lk/gold/campaign_clicks.ndjson
	assert_output '{"campaign":"brand","clicks":1,"users":1,"cost":1,"cost_per_user":1.00}
{"campaign":"spring","clicks":2,"users":2,"cost":1.25,"cost_per_user":0.63}'
	run jq -r .table lk/gold/_catalog.ndjson
	assert_line campaign_clicks
	assert_line clicks_hourly
	assert_line conversion_funnel
	run "$bin/mx-lake-status" -l lk --catalog clicks_hourly
	assert_success
	assert_line --partial 'grain: one row per click_date, click_hour and campaign'
	# a later click of the same hour, and a re-sent one in the next hour
	printf '%s\n' 'click_id,ts,user_id,campaign,cost' 'k5,2024-03-04T10:50:00Z,u9,spring,2.00' \
	    'k3,2024-03-05T00:00:10Z,u1,brand,1.00' > raw/clicks/day-2.csv
	run env PATH=/usr/bin:/bin SOURCE_DATE_EPOCH=$DAY2 "$bin/mx-lake" -r raw -l lk clicks
	assert_success
	run cat lk/gold/clicks_hourly.ndjson
	assert_output '{"click_date":"2024-03-04","click_hour":10,"campaign":"spring","clicks":3,"cost":3.25}
{"click_date":"2024-03-04","click_hour":23,"campaign":"brand","clicks":1,"cost":1}'
	run lake -r raw -l lk nosuch
	assert_failure 2
}

@test "DuckDB reads the lake as it is: Hive partitions, the same counts and sums" {
	[ -d "$BATS_TEST_DIRNAME/../node_modules/@duckdb" ] || skip "DuckDB (npm) is not installed"
	raw raw 2000 1
	run lake -r raw -l l ecommerce
	assert_success
	run node "$BATS_TEST_DIRNAME/../duckdb.mjs" "SELECT count(*)::INTEGER AS n, count(DISTINCT event_date)::INTEGER AS days, sum(price * quantity) FILTER (WHERE event_type = 'purchase')::DECIMAL(18,2)::VARCHAR AS revenue FROM read_json_auto('$PWD/l/silver/ecommerce_events/*/part-*.ndjson', hive_partitioning = true)"
	assert_success
	n=$(cat l/silver/ecommerce_events/*/part-*.ndjson | wc -l)
	days=$(ls -d l/silver/ecommerce_events/event_date=* | wc -l)
	# the revenue as mx-agg sums it, exactly (DuckDB keeps the trailing 0)
	rev=$(mx-agg -w event_type=purchase -a 'r=sum_product(price,quantity)' l/silver/ecommerce_events/*/part-*.ndjson | jq -r .r)
	[ "$(jq -r .n <<< "$output") $(jq -r .days <<< "$output")" = "$n $days" ]
	run jq -n --arg a "$(jq -r .revenue <<< "$output")" --arg b "$rev" '($a | tonumber) == ($b | tonumber) and ($a | startswith($b))'
	assert_output true
}

@test "examples/nightly.mk: make builds what changed, and a second make does nothing" {
	raw raw 500 1
	run env SOURCE_DATE_EPOCH=$DAY1 make -f "$TOP/examples/nightly.mk" RAW=raw LAKE=l
	assert_success
	[ -f l/_state/crm.built ]
	run make -q -f "$TOP/examples/nightly.mk" RAW=raw LAKE=l
	assert_success
	run make -f "$TOP/examples/nightly.mk" RAW=raw LAKE=l
	assert_success
	assert_output --partial 'Nothing to be done'
	sleep 1
	mx-gen -s 9 --from 2024-03-11 --to 2024-03-11 spend > raw/spend/day-11.ndjson
	run env SOURCE_DATE_EPOCH=$DAY2 make -f "$TOP/examples/nightly.mk" RAW=raw LAKE=l
	assert_success
	assert_output --partial 'scripts/lake  -r raw -l l calendly'
	refute_output --partial ' ecommerce'
	run make -q -f "$TOP/examples/nightly.mk" RAW=raw LAKE=l
	assert_success
}

@test "the demo builds the whole lake and prints the gold tables" {
	run env DEMO_LAKE="$PWD/demo-lake" DEMO_RAW="$PWD/demo-raw" "$TOP/scripts/demo" -n 2000
	assert_success
	assert_output --partial '== the same again: nothing new, nothing done'
	assert_output --partial 'no new raw files; the lake is up to date'
	assert_output --partial '== gold/hourly_revenue'
	assert_output --partial '== gold/cost_per_booking'
	[ -s demo-lake/gold/hourly_revenue.csv ]
}

@test "lake and lake-status: bad command lines" {
	run "$LAKECMD" -x
	assert_failure 2
	assert_output --partial 'usage: lake'
	run "$LAKECMD" nosuchdomain
	assert_failure 2
	assert_output --partial 'nosuchdomain: no such domain'
	run "$LAKECMD" -r nosuch -l l
	assert_failure 1
	assert_output --partial 'nosuch: no such directory'
	for m in 0 12X -1 ''; do
		run "$LAKECMD" --memory "$m" -r nosuch -l l
		assert_failure 2
		assert_output --partial '--memory: a size such as 256M'
	done
	run "$TOP/scripts/lake-status" -l empty
	assert_failure 1
	assert_output --partial 'no runs yet'
}

@test "retail: the star schema: facts find their dimensions by stable keys; unknown customers counted; past 5% the step fails and gold stays" {
	raw raw 2000 1
	run lake -r raw -l a retail
	assert_success
	assert_output --partial 'lake: test gold/fct_sales warns: customer_known: '
	# the unknown member first, each customer once
	run head -1 a/gold/dim_customer.ndjson
	assert_output '{"customer_key":"0000000000000000","customer_id":null,"gender":null,"location":null,"tenure_months":null,"tenure_band":null}'
	# a line's customer is unknown exactly when silver has no such customer
	run jq -rn --slurpfile c a/gold/dim_customer.ndjson '
	    ($c | map({key: (.customer_id | tostring), value: .customer_key}) | from_entries) as $k
	    | [inputs | select(.customer_key != ($k[.customer_id | tostring] // "0000000000000000"))] | length' a/gold/fct_sales.ndjson
	assert_success
	assert_output 0
	unknown=$(jq -c 'select(.customer_key == "0000000000000000")' a/gold/fct_sales.ndjson | wc -l)
	[ "$unknown" -gt 0 ]
	run jq -r 'select(.step == "gold:fct_sales" and .test == "customer_known") | "\(.state) \(.failing)"' a/_runs.ndjson
	assert_output "warn $unknown"
	# keys are the same from scratch: hash(customer_id) of mx-calc
	run bash -c "sed -n 2p a/gold/dim_customer.ndjson | mx-calc -e 'k=hash(customer_id)' --keep customer_key,k | jq -r '.customer_key == .k'"
	assert_output true
	cp a/gold/fct_sales.ndjson before.ndjson
	# a late file whose lines are 10% of the sales, every one of an unknown customer
	n=$(($(wc -l < a/gold/fct_sales.ndjson) / 9))
	{ head -1 raw/retail_sales/batch-1.csv
	  for i in $(seq "$n"); do echo "99999,$((900000 + i)),2024-03-05,GGOEXX$i,Gift box,Office,1,10.00,0.00,Used"; done
	} > raw/retail_sales/batch-2.csv
	run lake -r raw -l a retail
	assert_failure
	assert_output --partial 'lake: test gold/fct_sales failed: customer_known: '
	assert_output --partial 'step gold:fct_sales failed'
	cmp before.ndjson a/gold/fct_sales.ndjson
}

@test "growth: the CRM/Meta/GA4 star schema: money in US dollars, a missing rate a reject rebuilt with its table; unknown contacts counted" {
	raw raw 2000 1
	# a won deal of a contact the export does not hold
	printf '%s\n' "$(head -1 raw/hubspot_deals/batch-1.csv)" \
	    '5999999,Ghost Ltd - Seats,Sales Pipeline,Closed Won,100.00,USD,2024-03-05,2024-03-05,9999999' \
	    > raw/hubspot_deals/batch-1b.csv
	run lake -r raw -l a growth
	assert_success
	# the unknown members first
	run jq -r 'select(.contact_id == null) | .contact_key' a/gold/dim_contacts.ndjson
	assert_output 0000000000000000
	run jq -r 'select(.campaign_id == null) | .campaign_key' a/gold/dim_campaign.ndjson
	assert_output 0000000000000000
	# every row of silver is in the fact or among its rejects, once
	silver=$(cat a/silver/meta_ads_insights/*/part-*.ndjson | wc -l)
	fct=$(wc -l < a/gold/fct_ad_performance.ndjson)
	rej=$(cat a/rejects/fct_ad_performance/*/*-gold.ndjson | wc -l)
	[ "$rej" -gt 0 ]
	[ $((fct + rej)) -eq "$silver" ]
	run jq -r 'select(.step == "gold:fct_ad_performance" and .test == null) | "\(.out) \(.rejected)"' a/_runs.ndjson
	assert_output "$fct $rej"
	# the rejects: the GBP account's days without a GBP rate, and only those
	run jq -r '._reject.reason' a/rejects/fct_ad_performance/*/*-gold.ndjson
	assert_output "$(for i in $(seq "$rej"); do echo 'no match in fx_rates.ndjson for date "2024-03-06", account_currency "GBP"'; done)"
	# the rates: 1 for USD, else the day's rate of the raw file; the
	# dollars that rate times the amount, to the cent
	run jq -rn --rawfile fx raw/fx_rates/batch-1.csv '
	    ($fx | split("\n")[1:] | map(select(. != "") | split(",")) | map({key: "\(.[0]) \(.[1])", value: .[2]}) | from_entries) as $r
	    | [inputs | select(.fx_rate != (if .account_currency == "USD" then 1 else ($r["\(.date) \(.account_currency)"] | tonumber) end))] | length' a/gold/fct_ad_performance.ndjson
	assert_output 0
	run bash -c "mx-calc -e 'd=round(spend*fx_rate,2)-spend_usd' --keep d a/gold/fct_ad_performance.ndjson | sort -u"
	assert_output '{"d":0.00}'
	# a contact's campaign is found by name; a deal of an unknown contact
	# is counted, a warning below 5%
	run mx-calc -w 'deal_id = 5999999' --keep contact_key,campaign_key,amount_usd a/gold/fct_orders.ndjson
	assert_output '{"contact_key":"0000000000000000","campaign_key":"0000000000000000","amount_usd":100.00}'
	unknown=$(jq -c 'select(.contact_key == "0000000000000000")' a/gold/fct_orders.ndjson | wc -l)
	run jq -r 'select(.step == "gold:fct_orders" and .test == "contact_known") | "\(.state) \(.failing)"' a/_runs.ndjson
	assert_output "warn $unknown"
	# nothing new: nothing rebuilt, the rejects as they were
	ls a/rejects/fct_ad_performance/*/ > before
	run lake -r raw -l a growth
	assert_success
	ls a/rejects/fct_ad_performance/*/ | cmp - before
	# the missing rate arrives: the rows are converted, the rejects gone
	printf 'date,currency,rate\n2024-03-06,GBP,1.2700\n' > raw/fx_rates/batch-2.csv
	run lake -r raw -l a growth
	assert_success
	[ "$(wc -l < a/gold/fct_ad_performance.ndjson)" -eq "$silver" ]
	[ ! -e a/rejects/fct_ad_performance ] || [ -z "$(ls a/rejects/fct_ad_performance)" ]
	# (the run with nothing new asked no step)
	run jq -r 'select(.step == "gold:fct_ad_performance" and .test == null) | .rejected' a/_runs.ndjson
	assert_output "$rej
0"
}

@test "retail: customer history (SCD2) over two exports, read as of a day by DuckDB; RFM is DuckDB's ntile(5); segments keep their model" {
	raw raw 2000 1
	run lake -r raw -l a retail
	assert_success
	# the first export: one current version per customer, from the run
	run jq -r '"\(.valid_from) \(.valid_to) \(.is_current)"' a/gold/dim_customer_history.ndjson
	assert_success
	[ "$(printf '%s\n' "$output" | sort -u)" = "2024-03-11T00:00:00Z null true" ]
	[ "${#lines[@]}" -eq "$(($(wc -l < a/gold/dim_customer.ndjson) - 1))" ]
	[ -s a/_state/models/customer_segments.ndjson ]
	cp a/_state/models/customer_segments.ndjson model.before
	cp a/gold/dim_customer_history.ndjson history.before
	# a day later, an export: the first customer moved, the second only
	# a month older, the rest not in it
	{ head -1 raw/retail_customers/batch-1.csv
	  sed -n 2p raw/retail_customers/batch-1.csv |
	      awk -F , -v OFS=, '{ $3 = ($3 == "Chicago" ? "New York" : "Chicago"); print }'
	  sed -n 3p raw/retail_customers/batch-1.csv |
	      awk -F , -v OFS=, '{ $4 = $4 + 1; print }'
	} > raw/retail_customers/batch-2.csv
	moved=$(sed -n 2p raw/retail_customers/batch-1.csv | cut -d , -f 1)
	older=$(sed -n 3p raw/retail_customers/batch-1.csv | cut -d , -f 1)
	EPOCH=$DAY2 run lake -r raw -l a retail
	assert_success
	# the old rows kept, in their order: only the moved one closed
	run jq -c "select(.customer_id == $moved) | [.location, .valid_from, .valid_to, .is_current]" a/gold/dim_customer_history.ndjson
	assert_output "$(sed -n 2p raw/retail_customers/batch-1.csv | cut -d , -f 3 | jq -cR '[., "2024-03-11T00:00:00Z", "2024-03-12T00:00:00Z", false]')
$(sed -n 2p raw/retail_customers/batch-2.csv | cut -d , -f 3 | jq -cR '[., "2024-03-12T00:00:00Z", null, true]')"
	run jq -c "select(.customer_id == $older) | [.valid_from, .is_current]" a/gold/dim_customer_history.ndjson
	assert_output '["2024-03-11T00:00:00Z",true]'
	[ "$(wc -l < a/gold/dim_customer_history.ndjson)" -eq $(($(wc -l < history.before) + 1)) ]
	cp a/gold/dim_customer_history.ndjson history.after
	# the same again: the same bytes
	EPOCH=$((DAY2 + 3600)) run lake -r raw -l a retail
	assert_success
	cmp history.after a/gold/dim_customer_history.ndjson
	# DuckDB, the catalog's as-of join: a sale before the history began
	# finds the first version; as of a later day, the current one
	run node "$BATS_TEST_DIRNAME/../duckdb.mjs" "SET TimeZone = 'UTC'" "WITH h AS (SELECT * FROM read_json_auto('$PWD/a/gold/dim_customer_history.ndjson')),
	  f(d) AS (VALUES ('2024-03-05'), ('2024-03-11'), ('2024-03-12'), ('2024-03-20'))
	  SELECT f.d, h.location FROM f JOIN h ON h.customer_id = $moved
	    AND (h.valid_to IS NULL OR CAST(f.d AS TIMESTAMP) < CAST(h.valid_to AS TIMESTAMP))
	    AND (CAST(h.valid_from AS TIMESTAMP) <= CAST(f.d AS TIMESTAMP)
	      OR h.valid_from = (SELECT min(valid_from) FROM h h2 WHERE h2.customer_id = h.customer_id))
	  ORDER BY f.d"
	assert_success
	old=$(sed -n 2p raw/retail_customers/batch-1.csv | cut -d , -f 3)
	new=$(sed -n 2p raw/retail_customers/batch-2.csv | cut -d , -f 3)
	assert_output "{\"d\":\"2024-03-05\",\"location\":\"$old\"}
{\"d\":\"2024-03-11\",\"location\":\"$old\"}
{\"d\":\"2024-03-12\",\"location\":\"$new\"}
{\"d\":\"2024-03-20\",\"location\":\"$new\"}"
	# RFM: the scores are DuckDB's ntile(5) with ties in customer_id order
	run node "$BATS_TEST_DIRNAME/../duckdb.mjs" "SELECT count(*) AS wrong FROM (
	    SELECT *, ntile(5) OVER (ORDER BY last_purchase_date, customer_id) AS r,
	      ntile(5) OVER (ORDER BY total_orders, customer_id) AS f,
	      ntile(5) OVER (ORDER BY CAST(total_revenue AS DECIMAL(38,2)), customer_id) AS m
	    FROM read_json('$PWD/a/gold/fct_customer_metrics.ndjson', columns={customer_id: 'BIGINT',
	      last_purchase_date: 'DATE', total_orders: 'BIGINT', total_revenue: 'VARCHAR',
	      recency_score: 'INT', frequency_score: 'INT', monetary_score: 'INT', rfm_cell: 'VARCHAR'}))
	  WHERE r <> recency_score OR f <> frequency_score OR m <> monetary_score
	    OR rfm_cell <> r || f || m"
	assert_success
	assert_output '{"wrong":"0"}'
	# the segments: the model of the first build, every customer in one
	cmp model.before a/_state/models/customer_segments.ndjson
	run jq -r .segment_name a/gold/customer_segments.ndjson
	assert_success
	[ "$(printf '%s\n' "$output" | sort | tr '\n' ,)" = 'At-Risk (Lapsing),Big Spenders,Champions (VIPs),Loyal Customers,Occasional Shoppers,' ]
	run jq -c 'select(.segment_id == null)' a/gold/fct_customer_segments.ndjson
	assert_output ''
}

@test "retail: fewer than five customers fit no segments, said; the first build with five fits the model" {
	raw raw 2000 1
	mkdir -p few/retail_sales few/retail_customers
	cp raw/retail_customers/batch-1.csv few/retail_customers/
	# three lines of three customers
	{ head -1 raw/retail_sales/batch-1.csv
	  for c in $(sed -n '2,4p' raw/retail_customers/batch-1.csv | cut -d , -f 1); do
		echo "$c,$((800000 + c)),2024-03-05,GGOENEBJ079499,Nest Learning Thermostat,Nest-USA,1,100.00,6.50,Not Used"
	  done
	} > few/retail_sales/a.csv
	run lake -r few -l f retail
	assert_success
	assert_output --partial 'lake: test gold/fct_customer_segments warns: segment_known: 3 failing of 3 rows'
	run jq -r 'select(.step == "gold:customer_segments" and .test == null) | .note' f/_runs.ndjson
	assert_output '3 customers: too few for 5 segments, no model fitted; tests: 4 passed'
	[ ! -s f/gold/customer_segments.ndjson ]
	[ ! -e f/_state/models/customer_segments.ndjson ]
	run jq -c '[.segment_id, .segment_name]' f/gold/fct_customer_segments.ndjson
	assert_output '[null,null]
[null,null]
[null,null]'
	# the sales of the week come: five customers and more, a model
	cp raw/retail_sales/batch-1.csv few/retail_sales/b.csv
	EPOCH=$DAY2 run lake -r few -l f retail
	assert_success
	[ -s f/_state/models/customer_segments.ndjson ]
	[ "$(wc -l < f/gold/customer_segments.ndjson)" -eq 5 ]
	run jq -c 'select(.segment_id == null)' f/gold/fct_customer_segments.ndjson
	assert_output ''
}
