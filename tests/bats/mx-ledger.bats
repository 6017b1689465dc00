#!/usr/bin/env bats
# mx-ledger: new files once, by name, size, time and content; any byte a
# name may hold; changed and copied files reported; the man page example.

load helper

# raw files with names of every kind
names() {
	mkdir -p raw
	printf 'tab\n' > "raw/$(printf 'a\tb')"
	printf 'nl\n' > "raw/$(printf 'new\nline')"
	printf 'bs\n' > 'raw/back\slash'
	printf 'q\n' > 'raw/"quoted"'
	printf 'dash\n' > raw/-dash
	printf 'c1\n' > "raw/$(printf 'ctl\001')"
	printf 'ff\n' > "raw/$(printf 'bad\377utf8')"
	printf 'sp\n' > 'raw/with space'
	printf 'long\n' > "raw/$(printf 'L%.0s' $(seq 250))"
}

@test "every name is new once, whatever its bytes; the ledger is NDJSON and names it exactly" {
	names
	find raw -type f -print0 | LC_ALL=C sort -z > all
	run mx-ledger -0 -l ledger --out ledger.new --run R1 --files0-from all
	assert_success
	[ "$(printf '%s' "$output" | tr -cd '\0' | wc -c)" = 0 ]	# (run drops NULs)
	mx-ledger -0 -l ledger --out ledger.new --run R1 --files0-from all > new
	[ "$(tr -cd '\0' < new | wc -c)" = 9 ]
	cmp new all
	# valid NDJSON, one line per file, the names recovered exactly
	run jq -e -s 'length == 9 and all(.[]; .run == "R1")' ledger.new
	assert_success
	run jq -r 'select(.path_base64) | .path_base64' ledger.new
	assert_output "$(printf 'raw/bad\377utf8' | base64 -w0)"
	jq -j '(if .path_base64 then .path_base64 | @base64d else .path end) + "\u0000"' ledger.new |
	    grep -zv bad > back || true
	grep -zv bad all > want || true
	cmp back want
	mv ledger.new ledger
	# the same files again: nothing new
	run mx-ledger -v -l ledger --out ledger.new --run R2 --files0-from all
	assert_success
	assert_output 'mx-ledger: 9 files: 0 new, 9 in already, 0 touched, 0 changed, 0 the same as another, 0 skipped'
	cmp ledger ledger.new
}

@test "touched, changed, copied: known, reported and not read, skipped" {
	mkdir raw
	printf 'one\n' > raw/a.ndjson
	printf 'two\n' > raw/b.ndjson
	mx-ledger -l ledger --out ledger.new --run R1 raw/a.ndjson raw/b.ndjson > /dev/null
	mv ledger.new ledger
	touch -d '2030-01-01' raw/a.ndjson
	printf 'TWO!\n' > raw/b.ndjson
	printf 'one\n' > raw/copy.ndjson
	printf 'three\n' > raw/c.ndjson
	printf 'three\n' > raw/d.ndjson
	mx-ledger -v -l ledger --out ledger.new --run R2 --stats st.json raw/a.ndjson raw/b.ndjson raw/copy.ndjson raw/c.ndjson raw/d.ndjson > new 2> err
	run cat new
	assert_output 'raw/c.ndjson'
	run cat err
	assert_output 'mx-ledger: raw/b.ndjson: changed since run R1 took it in; not read again (give the new content a new name)
mx-ledger: raw/copy.ndjson: the same content as raw/a.ndjson, which is in; skipped
mx-ledger: raw/d.ndjson: the same content as raw/c.ndjson, which is in; skipped
mx-ledger: 5 files: 1 new, 0 in already, 1 touched, 1 changed, 2 the same as another, 0 skipped'
	run jq -c . st.json
	assert_output '{"tool":"mx-ledger","files":5,"new":1,"known":0,"touched":1,"changed":1,"same":2,"skipped":0}'
	run jq -r '"\(.path) \(.run) \(.xxh3)"' ledger.new
	assert_line --index 2 "raw/c.ndjson R2 $(xxhsum -H3 raw/c.ndjson | sed 's/.* = //')"
}

@test "symbolic links followed, or not with --no-follow; what is not a file skipped" {
	mkdir raw
	printf 'x\n' > target
	ln -s ../target raw/link
	mkfifo raw/fifo
	run mx-ledger -l ledger raw/link
	assert_success
	assert_output 'raw/link'
	run mx-ledger -l ledger --no-follow raw/link raw/fifo
	assert_success
	assert_output 'mx-ledger: raw/link: a symbolic link; not followed (--no-follow)
mx-ledger: raw/fifo: not a regular file; skipped'
}

@test "bad ledgers, missing files and bad command lines" {
	echo '{"path":"a"}' > ledger
	run mx-ledger -l ledger x
	assert_failure 1
	assert_output 'mx-ledger: ledger:1: not a ledger line (path, size, mtime, xxh3, run)'
	echo '{"path":"a","path_base64":"!!","size":1,"mtime":1,"xxh3":"0123456789abcdef","run":"R"}' > ledger
	run mx-ledger -l ledger x
	assert_failure 1
	assert_output 'mx-ledger: ledger:1: not a ledger line (bad path_base64 or xxh3)'
	for x in 0123456789ABCDEF 0123456789abcde 0123456789abcdef0 0123456789abcdeg; do
		echo '{"path":"a","path_base64":"YQ==","size":1,"mtime":1,"xxh3":"'$x'","run":"R"}' > ledger
		run mx-ledger -l ledger x
		assert_failure 1
		assert_output 'mx-ledger: ledger:1: not a ledger line (bad path_base64 or xxh3)'
	done
	run mx-ledger -l none missing
	assert_failure 1
	assert_output --partial 'mx-ledger: missing: No such file or directory'
	printf 'a\0\0b\0' > list
	run mx-ledger -l none --files0-from list
	assert_failure 1
	assert_output --partial 'an empty file name'
	run mx-ledger x
	assert_failure 2
	assert_output --partial 'usage: mx-ledger'
	run mx-ledger -l l --files0-from list x
	assert_failure 2
}

@test "the man page's example" {
	mkdir -p raw
	printf '{"n":1}\n' > "raw/$(printf 'a\nb.ndjson')"
	printf '{"n":2}\n' > raw/c.ndjson
	man_example mx-ledger.1 | sed -n '/^find/,/^mx-ingest/p' | sed 's/R2/R1/; s/\\e$/\\/' > ex.sh
	[ "$(wc -l < ex.sh)" = 4 ]
	run bash -e ex.sh
	assert_success
	run jq -c .n bronze.ndjson
	assert_output '1
2'
	run jq -r .run ledger.ndjson
	assert_output 'R1
R1'
	run bash -e ex.sh
	assert_success
	[ ! -s bronze.ndjson ]
}
