#!/usr/bin/env bats
# mx-index: find and put over a partitioned table; keys by value; a
# corrupt, truncated or foreign index refused; the man page's examples.

load helper
bats_require_minimum_version 1.5.0

# a table of clicks: two days, a null key, a hidden staging directory
table() {
	mkdir -p clicks/d=2024-03-04 clicks/d=2024-03-05 clicks/.d=x.mx-staging
	printf '%s\n' '{"click_id":"c1","ts":"2024-03-04T10:00:00Z"}' \
	    '{"click_id":"c2","ts":"2024-03-04T23:59:50Z"}' '' \
	    > clicks/d=2024-03-04/part-r1-00000.ndjson
	printf '%s\n' '{"click_id":"c3","ts":"2024-03-05T08:00:00Z"}' \
	    '{"click_id":null,"ts":"2024-03-05T09:00:00Z"}' |
	    gzip > clicks/d=2024-03-05/part-r1-00000.ndjson.gz
	echo '{"click_id":"c9"}' > clicks/.d=x.mx-staging/part-r1-00000.ndjson
}

@test "put --all indexes every partition; find names the partitions holding a batch's keys" {
	table
	run mx-index -i clicks.idx -k click_id --stats st.json put -d clicks --all
	assert_success
	assert_output ''
	run jq -c . st.json
	assert_output '{"records":4,"no_key":1,"blank":1,"keys":3,"partitions":2,"entries":3,"removed":0,"runs":0}'
	# c2 re-sent after midnight: its old copy is in the day before
	printf '%s\n' '{"click_id":"c2","ts":"2024-03-05T00:00:10Z"}' \
	    '{"click_id":"c4"}' '{"click_id":"c9"}' > batch.ndjson
	run mx-index -i clicks.idx -k click_id find batch.ndjson
	assert_success
	assert_output 'd=2024-03-04'
	printf '%s\n' '{"click_id":"c3"}' '{"click_id":"c1"}' |
	    mx-index -i clicks.idx -k click_id find > out
	run cat out
	assert_output 'd=2024-03-04
d=2024-03-05'
	# nothing known, a missing index: nothing found
	run mx-index -i clicks.idx -k click_id find /dev/null
	assert_success
	assert_output ''
	run mx-index -i none.idx -k click_id find batch.ndjson
	assert_success
	assert_output ''
}

@test "keys are compared by value, composite keys part by part" {
	mkdir -p t/p=1
	printf '%s\n' '{"a":"A","n":1.0}' '{"a":"ab","n":"c"}' > t/p=1/part-r-00000.ndjson
	mx-index -i t.idx -k a,n put -d t p=1
	run mx-index -i t.idx -k a,n find <<< '{"a":"\u0041","n":1e0}'
	assert_output 'p=1'
	run mx-index -i t.idx -k a,n find <<< '{"a":"a","n":"bc"}'
	assert_output ''
	run mx-index -i t.idx -k a,n find <<< '{"a":"A","n":"1"}'
	assert_output ''
	# renames do not change the key
	run mx-index -i t.idx -k x=a,n find <<< '{"a":"A","n":1}'
	assert_output 'p=1'
}

@test "put replaces what a partition held; an emptied or missing partition leaves the index" {
	table
	mx-index -i clicks.idx -k click_id put -d clicks --all
	# c2 moved to the next day
	printf '%s\n' '{"click_id":"c1","ts":"2024-03-04T10:00:00Z"}' > clicks/d=2024-03-04/part-r2-00000.ndjson
	rm clicks/d=2024-03-04/part-r1-00000.ndjson
	printf '%s\n' '{"click_id":"c2","ts":"2024-03-05T00:00:10Z"}' > clicks/d=2024-03-05/part-r2-00000.ndjson
	run mx-index -i clicks.idx -k click_id -v put -d clicks d=2024-03-04/ d=2024-03-05
	assert_success
	assert_output 'mx-index: 4 records, 1 without a key; 3 entries in 2 partitions, 3 removed'
	run mx-index -i clicks.idx -k click_id find <<< '{"click_id":"c2"}'
	assert_output 'd=2024-03-05'
	rm -r clicks/d=2024-03-04
	run mx-index -i clicks.idx -k click_id --stats /dev/stdout put -d clicks d=2024-03-04 d=2024-03-06
	assert_success
	assert_output '{"records":0,"no_key":0,"blank":0,"keys":0,"partitions":1,"entries":2,"removed":1,"runs":0}'
	run mx-index -i clicks.idx -k click_id find <<< '{"click_id":"c1"}'
	assert_output ''
	# the same as an index made from scratch
	mx-index -i fresh.idx -k click_id put -d clicks --all
	cmp clicks.idx fresh.idx
}

@test "find -p: the partitions a batch goes to, named as mx-partition names them, with those holding its keys" {
	table
	mx-index -i clicks.idx -k click_id put -d clicks --all
	printf '%s\n' '{"click_id":"c2","ts":"2024-03-05T00:00:10Z"}' \
	    '{"click_id":"c7","ts":"2024-03-06T23:30:00-02:00"}' \
	    '{"click_id":"c8","ts":"2024-03-06T10:00:00Z","x":"a/b"}' > batch.ndjson
	run mx-index -i clicks.idx -k click_id find -p 'd=date(ts)' batch.ndjson
	assert_success
	assert_output 'd=2024-03-04
d=2024-03-05
d=2024-03-06
d=2024-03-07'
	run mx-index -i clicks.idx -k click_id find -p 'd=date(ts),x' batch.ndjson
	assert_success
	mx-partition -d parts -k 'd=date(ts),x' batch.ndjson > /dev/null
	[ "$output" = "$( (cd parts && ls -d */* ; echo d=2024-03-04) | sort)" ]
	echo '{"click_id":"c9","ts":"soon"}' > bad.ndjson
	run mx-index -i clicks.idx -k click_id find -p 'd=date(ts)' bad.ndjson
	assert_failure 1
	assert_output --partial 'bad.ndjson:1: -p: a partition key'
	run mx-index -i clicks.idx -k click_id put -p d -d clicks --all
	assert_failure 2
}

@test "a key in two partitions is found in both" {
	mkdir -p t/d=1 t/d=2
	echo '{"id":7}' > t/d=1/part-a-00000.ndjson
	echo '{"id":7}' > t/d=2/part-a-00000.ndjson
	mx-index -i t.idx -k id put -d t --all
	run mx-index -i t.idx -k id find <<< '{"id":7}'
	assert_output 'd=1
d=2'
}

@test "a truncated, corrupt or foreign index is refused and never replaced" {
	table
	mx-index -i clicks.idx -k click_id put -d clicks --all
	cp clicks.idx good.idx
	run mx-index -i clicks.idx -k ts find batch.ndjson < /dev/null
	assert_failure 1
	assert_output "mx-index: clicks.idx: made for the key 'click_id', not 'ts'"
	head -c 30 good.idx > trunc.idx
	run mx-index -i trunc.idx -k click_id find /dev/null
	assert_failure 1
	assert_output --partial 'mx-index: trunc.idx: truncated'
	# a bit flipped in the last entry: the checksum tells
	cp good.idx flip.idx
	size=$(stat -c %s flip.idx)
	printf '\xff' | dd of=flip.idx bs=1 seek=$((size - 20)) conv=notrunc 2> /dev/null
	cp flip.idx flipped.idx
	run mx-index -i flip.idx -k click_id put -d clicks d=2024-03-05
	assert_failure 1
	assert_output --partial 'mx-index: flip.idx: corrupt key index'
	# the failed put left it as it was, and no temporary
	cmp flip.idx flipped.idx
	[ "$(ls -A | grep -c tmp)" = 0 ]
	echo 'not an index at all' > junk.idx
	run mx-index -i junk.idx -k click_id find /dev/null
	assert_failure 1
	assert_output 'mx-index: junk.idx: not an mx key index (bad magic)'
}

@test "-k, -p: a field no record had is a warning; --strict makes it an error, the index kept" {
	table
	run mx-index -i typo.idx -k clik_id put -d clicks --all
	assert_success
	assert_output "mx-index: -k: no record had the field 'clik_id' (a typo?)"
	cp typo.idx before
	run mx-index --strict -i typo.idx -k clik_id put -d clicks --all
	assert_failure 1
	assert_output "mx-index: -k: no record had the field 'clik_id'"
	cmp typo.idx before
	run mx-index --strict -i new.idx -k click_id,tz put -d clicks --all
	assert_failure 1
	assert_output "mx-index: -k: no record had the field 'tz'"
	[ ! -e new.idx ]
	mx-index -i clicks.idx -k click_id put -d clicks --all
	run mx-index --strict -i clicks.idx -k click_id find -p 'd=date(tss)' <<< '{"click_id":"c1","ts":1}'
	assert_failure 1
	assert_output "mx-index: -p: no record had the field 'tss'"
	run mx-index --strict -i clicks.idx -k click_id find -p 'd=date(ts)' <<< '{"click_id":"c1"}'
	assert_failure 1
	assert_output "mx-index: -p: no record had the field 'ts'"
	# a field one record had is no typo; no records, nothing to say
	run mx-index --strict -i clicks.idx -k click_id find <<< '{"click_id":"c1"}'
	assert_success
	assert_output 'd=2024-03-04'
	run mx-index --strict -i typo.idx -k clik_id find /dev/null
	assert_success
	assert_output ''
}

@test "bad records and bad command lines" {
	table
	printf '%s\n' '{"click_id":"c1"}' '{"click_id":' > bad.ndjson
	run mx-index -i clicks.idx -k click_id find bad.ndjson
	assert_failure 1
	assert_output --partial 'mx-index: bad.ndjson:2: invalid JSON'
	echo '[1]' > clicks/d=2024-03-04/part-r9-00000.ndjson
	run mx-index -i clicks.idx -k click_id put -d clicks --all
	assert_failure 1
	assert_output --partial 'mx-index: clicks/d=2024-03-04/part-r9-00000.ndjson:1: not a JSON object'
	[ ! -e clicks.idx ]
	run mx-index -i clicks.idx -k click_id put -d clicks ../etc
	assert_failure 2
	assert_output --partial "'../etc': not a partition"
	run mx-index -i clicks.idx -k click_id put -d clicks /etc
	assert_failure 2
	run mx-index -i clicks.idx -k click_id put d=1
	assert_failure 2
	assert_output --partial 'usage: mx-index'
	run mx-index -i clicks.idx -k click_id put -d clicks
	assert_failure 2
	run mx-index -i clicks.idx -k click_id find -d clicks
	assert_failure 2
	run mx-index -i clicks.idx -k click_id lookup
	assert_failure 2
	assert_output --partial 'lookup: no such command'
	run mx-index -k click_id find
	assert_failure 2
	run mx-index -i x.idx find
	assert_failure 2
	run mx-index -i x.idx -k 'a..b' find
	assert_failure 2
}

@test "-m: past the bound the keys are sorted in runs on disk; the same partitions and index, byte for byte" {
	mkdir -p t/d=1 t/d=2 t/d=3
	# 700 keys in three partitions, some in two, some twice in one
	for i in $(seq 300); do echo "{\"id\":$((i % 250))}"; done > t/d=1/part-r1-00000.ndjson
	for i in $(seq 200 500); do echo "{\"id\":$i}"; done > t/d=2/part-r1-00000.ndjson
	for i in $(seq 600 700); do echo "{\"id\":\"$i\"}"; done > t/d=3/part-r1-00000.ndjson
	run mx-index -i big.idx -k id --stats big.st put -d t --all
	assert_success
	run mx-index -i small.idx -k id -m 1k -T . --stats small.st put -d t --all
	assert_success
	cmp big.idx small.idx
	run jq -c '[.keys, .entries, .runs > 5]' big.st small.st
	assert_output $'[652,652,false]\n[652,652,true]'
	# a partition put again over a spilled index, and find
	for i in $(seq 240 260); do echo "{\"id\":$i}"; done > t/d=3/part-r1-00000.ndjson
	mx-index -i big.idx -k id put -d t d=3
	mx-index -i small.idx -k id -m 1k put -d t d=3
	cmp big.idx small.idx
	for i in $(seq 0 5 800); do echo "{\"id\":$i,\"d\":\"9\"}"; done > batch
	run mx-index -i small.idx -k id -m 1k --stats find.st find -p 'd=d' batch
	assert_success
	assert_output $'d=1\nd=2\nd=3\nd=9'
	run jq -c '[.keys, .runs > 1]' find.st
	assert_output '[161,true]'
	# drops: the same lists whatever -m (it merges the new indexes)
	mx-partition -d nb -k 'd=d' -m overwrite --index nb.idx --index-key id batch > /dev/null
	mkdir d1 d2
	run mx-index -i small.idx -k id --stats d1.st drops -o d1 nb.idx
	assert_success
	assert_line --index 0 $'d=1\td1/0.keys'
	run mx-index -i small.idx -k id -m 1k --stats d2.st drops -o d2 nb.idx
	assert_success
	assert_line --index 0 $'d=1\td2/0.keys'
	for f in d1/*; do cmp "$f" "d2/${f#d1/}"; done
	[ "$(ls d1)" = "$(ls d2)" ]
	run jq -c '[.keys, .dropped, .runs]' d1.st d2.st
	assert_output $'[161,116,0]\n[161,116,0]'
	# nothing left behind in the directory of the runs
	run find . -name 'mx-index.*'
	assert_output ''
	# bad bounds; a directory that cannot take the runs
	run mx-index -i small.idx -k id -m 0 find batch
	assert_failure 2
	assert_line --partial "--memory: '0' is not a size"
	run mx-index -i small.idx -k id -m 1k -T nodir find batch
	assert_failure 1
	assert_output --partial 'cannot create a temporary file in nodir'
}

@test "many keys: the index mx-partition writes as it routes, put in one batch and in runs, the same bytes" {
	# 31,000 records, 12,000 keys, over 29 partitions: each key in two
	# or three, some twice in one; more than a thousand keys a batch are
	# put in order by their hashes' top bits first
	awk 'BEGIN { for (i = 0; i < 30000; i++)
		printf "{\"id\":%d,\"d\":%d}\n", (i * 7919) % 12000, i % 29 }' > in
	head -n 1000 in >> in
	run mx-partition -d t -k d=d -m overwrite --run r1 --index from.idx --index-key id in
	assert_success
	run mx-index -i one.idx -k id --stats one.st put -d t --all
	assert_success
	run mx-index -i runs.idx -k id -m 8k --stats runs.st put -d t --all
	assert_success
	run jq -c '[.keys, .entries, .runs > 10]' one.st runs.st
	assert_output $'[30000,30000,false]\n[30000,30000,true]'
	cmp one.idx runs.idx
	run mx-index -i put.idx -k id put --from from.idx -d t $(cd t && ls -d d=*)
	assert_success
	cmp one.idx put.idx
	# runs longer than the merge reads of a run at a time (256 entries)
	run mx-partition -d t2 -k d=d -m overwrite --run r1 --memory 64k \
	    --index long.idx --index-key id in
	assert_success
	cmp from.idx long.idx
	run mx-index -i long.idx -k id -m 64k --stats long.st put -d t --all
	assert_success
	run jq -c '[.entries, .runs > 10]' long.st
	assert_output '[30000,true]'
	cmp one.idx long.idx
	# every key found where it is: the partitions of keys 0 to 9
	awk 'BEGIN { for (i = 0; i < 10; i++) printf "{\"id\":%d}\n", i }' > q
	run mx-index -i one.idx -k id find q
	assert_success
	want=$(jq -r 'select(.id < 10) | "d=\(.d)"' in | sort -u)
	[ "$output" = "$want" ]
}

@test "the man page's examples" {
	mkdir -p clicks/d=2024-03-04 clicks/d=2024-03-05
	echo '{"click_id":"c1","ts":"2024-03-04T23:59:50Z"}' > clicks/d=2024-03-04/part-r1-00000.ndjson
	echo '{"click_id":"c1","ts":"2024-03-05T00:00:10Z"}' > batch.ndjson
	man_example mx-index.1 | grep '^mx-index' | grep -v ' drops ' > ex.sh
	[ "$(wc -l < ex.sh)" = 5 ]
	run bash -e <(head -4 ex.sh)
	assert_success
	assert_output 'd=2024-03-04'
	run mx-index -i clicks.idx -k click_id find batch.ndjson
	assert_output 'd=2024-03-04'
	# the two days rebuilt from their old records and the batch: the
	# re-sent click now in the second day only
	cat clicks/d=2024-03-04/part-*.ndjson batch.ndjson |
	    mx-dedup -k click_id --latest-by ts |
	    mx-partition -m overwrite -d clicks -k 'd=date(ts)' --run r2 \
	    --index new.idx --index-key click_id > /dev/null
	# (a day none of whose records is left is not written: it goes)
	rm -r clicks/d=2024-03-04
	run bash -e <(tail -1 ex.sh)
	assert_success
	assert_output ''
	run mx-index -i clicks.idx -k click_id find batch.ndjson
	assert_output 'd=2024-03-05'
	cp clicks.idx from.idx
	run mx-index -i clicks.idx -k click_id put -d clicks d=2024-03-04 d=2024-03-05
	assert_success
	cmp clicks.idx from.idx
}

@test "the man page's example of drops" {
	mkdir -p clicks/d=2024-03-04 drops
	echo '{"click_id":"c1","ts":"2024-03-04T23:59:50Z"}' > clicks/d=2024-03-04/part-r1-00000.ndjson
	echo '{"click_id":"c2","ts":"2024-03-04T12:00:00Z"}' >> clicks/d=2024-03-04/part-r1-00000.ndjson
	mx-index -i clicks.idx -k click_id put -d clicks --all
	echo '{"click_id":"c3","ts":"2024-03-04T13:00:00Z"}' > 1.ndjson
	echo '{"click_id":"c1","ts":"2024-03-05T00:00:10Z"}' > 2.ndjson
	for b in 1 2; do
		mx-partition -d b$b -k 'd=date(ts)' --index b$b.idx \
		    --index-key click_id -m overwrite $b.ndjson > /dev/null
	done
	man_example mx-index.1 | sed -n '/ drops /,/day.ndjson/p' |
	    sed 's/\\e$/\\/' > ex.sh
	[ "$(wc -l < ex.sh)" = 4 ]
	run bash -e ex.sh
	assert_success
	assert_output $'d=2024-03-04\tdrops/0.keys\nd=2024-03-05'
	run cat day.ndjson
	assert_output '{"click_id":"c2","ts":"2024-03-04T12:00:00Z"}
{"click_id":"c3","ts":"2024-03-04T13:00:00Z"}'
}

@test "put --from: the index of what mx-partition wrote, the bytes of reading the partitions back; a partition not named, another key, a damaged file refused" {
	# (a key in two partitions, a record without a key, a partition of
	# keyless records only, more keys than the sort holds at once)
	{
		for i in $(seq 1 300); do
			printf '{"id":"k%03d","d":"2024-03-0%d"}\n' $((i % 250)) $((i % 3 + 1))
		done
		echo '{"id":null,"d":"2024-03-01"}'
		echo '{"d":"2024-03-09"}'
	} > in.ndjson
	run mx-partition -d t -k d -m overwrite --run r1 --memory 4k \
	    --index new.idx --index-key id in.ndjson
	assert_success
	run mx-index -i read.idx -k id --stats st.json put -d t --all
	assert_success
	cmp new.idx read.idx
	run mx-index -i from.idx -k id put --from new.idx d=2024-03-01 d=2024-03-02 d=2024-03-03 d=2024-03-09
	assert_success
	cmp from.idx read.idx
	# a second load: two partitions rewritten, one gone, one kept
	echo '{"id":"k001","d":"2024-03-02"}' > in2.ndjson
	cp read.idx before.idx
	run mx-partition -d t -k d -m overwrite --run r2 --index new2.idx --index-key id in2.ndjson
	assert_success
	rm -rf t/d=2024-03-03
	run mx-index -i read.idx -k id put -d t d=2024-03-02 d=2024-03-03
	assert_success
	run mx-index -i from.idx -k id put --from new2.idx d=2024-03-02 d=2024-03-03
	assert_success
	cmp from.idx read.idx
	! cmp -s from.idx before.idx
	# what the file holds must be named
	cp from.idx kept.idx
	run mx-index -i from.idx -k id put --from new.idx d=2024-03-01
	assert_failure 1
	assert_output --partial 'mx-index: new.idx: partition d=2024-03-02 is not among those named'
	cmp from.idx kept.idx
	# made for another key
	run mx-partition -d u -k d -m overwrite --index other.idx --index-key d in2.ndjson
	assert_success
	run mx-index -i from.idx -k id put --from other.idx d=2024-03-02
	assert_failure 1
	assert_output --partial "other.idx: made for the key 'd', not 'id'"
	cmp from.idx kept.idx
	# damaged: a byte changed in an entry, and cut short
	cp new2.idx bad.idx
	printf '\377' | dd of=bad.idx bs=1 seek=$(($(stat -c %s bad.idx) - 30)) conv=notrunc 2> /dev/null
	run mx-index -i from.idx -k id put --from bad.idx d=2024-03-02
	assert_failure 1
	cmp from.idx kept.idx
	head -c 40 new2.idx > cut.idx
	run mx-index -i from.idx -k id put --from cut.idx d=2024-03-02
	assert_failure 1
	cmp from.idx kept.idx
	# put --from takes no --all, find no --from
	run mx-index -i from.idx -k id put --all --from new2.idx
	assert_failure 2
	run mx-index -i from.idx -k id find --from new2.idx in2.ndjson
	assert_failure 2
}

@test "put --from several files: each partition written apart (on other hosts), merged into the bytes of one" {
	for i in $(seq 1 400); do
		printf '{"id":"k%03d","d":"2024-03-0%d"}\n' $((i % 300)) $((i % 4 + 1))
	done > in.ndjson
	mx-partition -d t -k d -m overwrite --run r1 --index one.idx --index-key id in.ndjson > /dev/null
	# the same records, a partition a process
	for p in 1 2 3 4; do
		grep "\"2024-03-0$p\"" in.ndjson > in.$p
		mx-partition -d t$p -k d -m overwrite --run r1 --index p$p.idx \
		    --index-key id in.$p > /dev/null
	done
	run mx-index -i a.idx -k id --stats a.st put --from one.idx \
	    d=2024-03-01 d=2024-03-02 d=2024-03-03 d=2024-03-04
	assert_success
	run mx-index -i b.idx -k id --stats b.st put --from p3.idx --from p1.idx \
	    --from p4.idx --from p2.idx --from p2.idx \
	    d=2024-03-01 d=2024-03-02 d=2024-03-03 d=2024-03-04
	assert_success
	cmp a.idx b.idx
	cmp a.st b.st
	# each file's partitions must be named
	run mx-index -i b.idx -k id put --from p1.idx --from p2.idx d=2024-03-01
	assert_failure 1
	assert_output --partial 'p2.idx: partition d=2024-03-02 is not among those named'
	cmp a.idx b.idx
}

@test "drops: the partitions new records touch, and the keys each must drop so that the latest (--earliest: earliest) wins; mx-dedup --seen drops them" {
	table
	mx-index -i clicks.idx -k click_id put -d clicks --all
	# new records, partitioned apart in two batches: c2 re-sent after
	# midnight, c3 once more on its own day, c5 new, c6 in both batches
	printf '%s\n' '{"click_id":"c2","ts":"2024-03-05T00:00:10Z"}' \
	    '{"click_id":"c5","ts":"2024-03-06T01:00:00Z"}' \
	    '{"click_id":"c6","ts":"2024-03-06T02:00:00Z"}' > b1.ndjson
	printf '%s\n' '{"click_id":"c3","ts":"2024-03-05T08:30:00Z"}' \
	    '{"click_id":"c6","ts":"2024-03-05T23:00:00Z"}' > b2.ndjson
	for b in b1 b2; do
		mx-partition -d $b -k 'd=date(ts)' -m overwrite --index $b.idx \
		    --index-key click_id $b.ndjson > /dev/null
	done
	mkdir drops
	run mx-index -i clicks.idx -k click_id --stats st.json drops -o drops b1.idx b2.idx
	assert_success
	assert_output "d=2024-03-04	drops/0.keys
d=2024-03-05	drops/1.keys
d=2024-03-06"
	run jq -c . st.json
	assert_output '{"records":0,"no_key":0,"blank":0,"keys":4,"partitions":3,"dropped":2,"runs":0}'
	# the old c2 goes from the 4th, c6 of the 5th from the 5th
	cp drops/0.keys seen
	run mx-dedup -k click_id --seen seen clicks/d=2024-03-04/part-r1-00000.ndjson
	assert_success
	assert_output '{"click_id":"c1","ts":"2024-03-04T10:00:00Z"}'
	cp drops/1.keys seen
	run --separate-stderr mx-dedup -k click_id --latest-by ts --seen seen \
	    clicks/d=2024-03-05/part-r1-00000.ndjson.gz \
	    b1/d=2024-03-05/*.ndjson b2/d=2024-03-05/*.ndjson
	assert_success
	[ "$stderr" = 'mx-dedup: 1 records without a key (missing or null) passed through' ]
	assert_output '{"click_id":null,"ts":"2024-03-05T09:00:00Z"}
{"click_id":"c2","ts":"2024-03-05T00:00:10Z"}
{"click_id":"c3","ts":"2024-03-05T08:30:00Z"}'
	# the earliest wins: the new c2 and the 6th's c6 go
	rm drops/*
	run mx-index -i clicks.idx -k click_id drops --earliest -o drops b1.idx b2.idx
	assert_success
	assert_output "d=2024-03-04
d=2024-03-05	drops/1.keys
d=2024-03-06	drops/2.keys"
	[ ! -e drops/0.keys ]
	cp drops/2.keys seen
	run mx-dedup -k click_id --seen seen b1/d=2024-03-06/*.ndjson
	assert_success
	assert_output '{"click_id":"c5","ts":"2024-03-06T01:00:00Z"}'
	# no new index: nothing touched
	run mx-index -i clicks.idx -k click_id drops -o drops
	assert_success
	assert_output ''
}

@test "drops: a damaged or foreign new index, a missing -o, another command's option refused" {
	table
	mx-index -i clicks.idx -k click_id put -d clicks --all
	echo '{"click_id":"c1","ts":"2024-03-05T00:00:10Z"}' > b.ndjson
	mx-partition -d b -k 'd=date(ts)' -m overwrite --index b.idx --index-key click_id b.ndjson > /dev/null
	mx-partition -d b -k 'd=date(ts)' -m overwrite --index other.idx --index-key ts b.ndjson > /dev/null
	mkdir drops
	run mx-index -i clicks.idx -k click_id drops -o drops other.idx
	assert_failure 1
	assert_output --partial 'other.idx'
	head -c 40 b.idx > cut.idx
	run mx-index -i clicks.idx -k click_id drops -o drops cut.idx
	assert_failure 1
	assert_output --partial 'cut.idx'
	[ -z "$(ls drops)" ]
	run mx-index -i clicks.idx -k click_id drops b.idx
	assert_failure 2
	assert_output --partial 'usage: mx-index'
	run mx-index -i clicks.idx -k click_id -p 'd=date(ts)' drops -o drops b.idx
	assert_failure 2
	run mx-index -i clicks.idx -k click_id --earliest find b.ndjson
	assert_failure 2
	run mx-index -i clicks.idx -k click_id -o drops put -d clicks --all
	assert_failure 2
	# the table's index damaged: refused, though no new key is in it
	head -c 60 clicks.idx > bad.idx
	run mx-index -i bad.idx -k click_id drops -o drops b.idx
	assert_failure 1
	assert_output --partial 'bad.idx'
}
