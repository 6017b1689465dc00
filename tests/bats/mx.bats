#!/usr/bin/env bats
# The toolkit as a whole: man pages, usage lines, install.

load helper

TOP="$BATS_TEST_DIRNAME/../.."

@test "every man page is clean under mandoc -T lint" {
	command -v mandoc >/dev/null || skip "mandoc not installed"
	run mandoc -T lint -W warning "$TOP"/man/*.1 "$TOP"/man/mx.7
	assert_success
	assert_output ''
}

@test "every tool has a man page and a bats file, and usage matches the SYNOPSIS" {
	for c in "$TOP"/tools/mx-*.c; do
		t=$(basename "$c" .c)
		[ -f "$TOP/man/$t.1" ] || fail "$t has no man page"
		[ -f "$TOP/tests/bats/$t.bats" ] || fail "$t has no bats file"
		run "$t" --no-such-option
		assert_failure 2
		assert_line --index 1 --partial "usage: $t"
		# every option the usage names is in the SYNOPSIS
		for o in $(printf '%s\n' "$output" | grep -o -- ' \[-[-a-zA-Z]*' | tr -d ' ['); do
			grep -q -- "^\.Op Fl ${o#-}\|Fl ${o#-}" "$TOP/man/$t.1" ||
			    fail "$t: $o in usage but not in man/$t.1"
		done
	done
}

@test "make install puts programs and man pages under DESTDIR" {
	run make -C "$TOP" install DESTDIR="$T/root" PREFIX=/usr
	assert_success
	[ -x "$T/root/usr/bin/mx-ingest" ]
	[ -f "$T/root/usr/share/man/man1/mx-ingest.1" ]
	[ -f "$T/root/usr/share/man/man7/mx.7" ]
}

@test "mx.7 examples run as written" {
	mkdir raw
	printf '{"a":1}\nbad\n' | gzip > raw/one.ndjson.gz
	man_example mx.7 | sed -n '/^\.Bd/,/^\.Ed/p' | grep -v '^\.' > ex.sh
	run sh ex.sh
	assert_success
	run cat bronze.ndjson
	assert_output --partial '{"a":1,"_source":"raw/one.ndjson.gz"'
	run jq -r ._raw rejects.ndjson
	assert_output bad
}
