#!/usr/bin/env bats
# The toolkit as a whole: man pages, usage lines, install.

load helper
bats_require_minimum_version 1.5.0

TOP="$BATS_TEST_DIRNAME/../.."

@test "every man page is clean under mandoc -T lint, style messages too" {
	command -v mandoc >/dev/null || skip "mandoc not installed"
	# pages of mx itself are not installed where mandoc looks: a reference
	# to one, and the state of the system's manual database, are no fault
	# (the messages on stdout, the database's on stderr: two files, or
	# the lines of one cut into the other's)
	mandoc -T lint -W style "$TOP"/man/*.1 "$TOP"/man/mx.7 > lint 2> db || true
	run grep -hv -e 'referenced manual not found' -e 'mandoc\.db' lint db
	assert_failure 1
	assert_output ''
}

@test "every tool has a man page and a bats file, and usage matches the SYNOPSIS" {
	for c in "$TOP"/tools/mx.c "$TOP"/tools/mx-*.c; do
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

@test "every tool: -h and --help on stdout, exit 0; --version; one wording for option mistakes" {
	v=$(cat "$TOP/VERSION")
	for c in "$TOP"/tools/mx.c "$TOP"/tools/mx-*.c; do
		t=$(basename "$c" .c)
		for h in -h --help; do
			run --separate-stderr "$t" "$h"
			assert_success
			assert_line --index 0 --partial "usage: $t"
			[ -z "$stderr" ] || fail "$t $h wrote to stderr: $stderr"
		done
		run --separate-stderr "$t" --version
		assert_success
		assert_output --regexp "^$t \(mx\) $v( \(.*\))?\$"
		[ "$t" = mx ] && continue
		run "$t" --no-such-option
		assert_failure 2
		assert_line --index 0 "$t: --no-such-option: unknown option"
		if grep -q MX_LIMIT_LONGOPTS "$c"; then
			run "$t" --max-record
			assert_failure 2
			assert_line --index 0 "$t: --max-record: needs an argument"
		fi
		run "$t" -@
		assert_failure 2
		assert_line --index 0 "$t: -@: unknown option"
	done
	run mx-agg --help
	assert_output --partial 'Every option is described in mx-agg(1): man mx-agg, or mx help agg.'
	# the limits are set by the shared handler, and checked by it
	run mx-dedup --max-depth 0
	assert_failure 2
	assert_line --index 0 'mx-dedup: --max-depth: 1 to 10000'
}

@test "progress: on a terminal, one line updated in place after a second; nothing in a pipe; --progress, --no-progress, MX_PROGRESS" {
	command -v script > /dev/null || skip "script (bsdutils) is not installed"
	# a second and a half of input, so that the line appears
	cat > slow.sh <<-'EOF'
	slow() { echo '{"a":1}'; sleep 1.2; echo '{"a":2}'; sleep 0.4; echo '{"a":3}'; }
	EOF
	# under a pseudo-terminal: stderr is the terminal, stdout a file
	run script -qec ". ./slow.sh; slow | mx-agg -a 'n=count()' > out" /dev/null
	assert_success
	assert_output --partial $'\rmx-agg: '
	assert_output --partial ' records, '
	assert_output --partial 'B/s'
	# the line is taken off the terminal at the end
	[[ "$output" == *$'\r\e[K' ]] || fail "the line stays: $(printf %q "$output")"
	run cat out
	assert_output '{"n":3}'
	# a file's percent; forced, the line shows from the first read
	seq 1 200000 | sed 's/.*/{"a":&}/' > big.ndjson
	mx-dedup -k a --progress big.ndjson 2> err > /dev/null
	run cat err
	assert_output --regexp $'\rmx-dedup: [0-9]+ records, [0-9.]+ [kM]?B, [0-9.]+ [kM]?B/s, [0-9]+% of big.ndjson\e\\[K'
	# a tool that reads its input twice says which pass, each counted
	# from 0: no line counts more records than the file has
	mx-dedup --last -k a --progress big.ndjson 2> err > /dev/null
	run cat err
	assert_output --regexp $'\rmx-dedup: pass 2: [0-9]+ records, '
	run sh -c "tr '\r' '\n' < err | grep -o '[0-9]* records' | sort -n | tail -1"
	[ "${output% records}" -le 200000 ] || fail "counted $output of 200000"
	mx-kmeans -k 2 -f a --progress big.ndjson 2> err > /dev/null
	run cat err
	assert_output --regexp $'\rmx-kmeans: pass 2: [0-9]+ records, '
	run script -qec ". ./slow.sh; slow | mx-agg --no-progress -a 'n=count()' > /dev/null; slow | MX_PROGRESS=0 mx-agg -a 'n=count()' > /dev/null" /dev/null
	assert_success
	assert_output ''
	# not a terminal: nothing, unless forced
	. ./slow.sh
	slow | mx-agg -a 'n=count()' > /dev/null 2> err
	[ ! -s err ]
	slow | mx-agg --progress -v -a 'n=count()' > /dev/null 2> err
	run cat err
	assert_output --partial $'\rmx-agg: '
	# a message takes the line off first: the counts stand on a line of their own
	assert_output --regexp $'\r\e\\[Kmx-agg: 3 records in, 1 groups out, 0 rejected, 0 blank, [0-9]+ bytes of state'
}

@test "progress: the lake shows the step under way on a terminal, and nothing in a log" {
	command -v script > /dev/null || skip "script (bsdutils) is not installed"
	mkdir -p raw/ecommerce
	mx-gen -n 300 -s 1 --from 2024-03-04 --to 2024-03-05 ecommerce > raw/ecommerce/a.ndjson
	run script -qec "SOURCE_DATE_EPOCH=1710115200 '$TOP/scripts/lake' -r raw -l l ecommerce" /dev/null
	assert_success
	assert_output --partial $'\rlake: bronze:ecommerce ...'
	assert_output --partial $'\rlake: gold:hourly_revenue ...'
	assert_output --partial 'lake: run 20240311T000000Z-0001 done'
	SOURCE_DATE_EPOCH=1710115200 run "$TOP/scripts/lake" -r raw -l l2 ecommerce
	assert_success
	[[ "$output" != *$'\r'* ]] || fail "carriage returns in a log: $output"
	run "$TOP/scripts/lake" --help
	assert_success
	assert_line --index 0 --partial 'usage: lake [-v]'
	run "$TOP/scripts/lake" --version
	assert_success
	assert_output --regexp '^lake \(mx\) '
}

@test "bash completion: mx's commands, every tool's options from its --help, installed by make install" {
	comp() {
		bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mx
		    printf "%s\n" "${COMPREPLY[@]}"' _ "$TOP/scripts/completion.bash" "$@"
	}
	run comp mx ag
	assert_success
	assert_output agg
	run comp mx help ded
	assert_output dedup
	run comp mx agg --me
	assert_output $'--memory\n--merge'
	run comp mx-dedup --la
	assert_output $'--last\n--latest-by'
	# short options of a cluster, and the options every tool shares
	run comp mx-gen -
	assert_line -- -z
	assert_line -- -v
	assert_line -- --version
	assert_line -- --no-progress
	# every tool completes its options
	for c in "$TOP"/tools/mx-*.c; do
		t=$(basename "$c" .c)
		run comp "$t" --he
		assert_output --help
	done
	: > some-file.ndjson
	run comp mx-agg some-f
	assert_output some-file.ndjson
	run make -C "$TOP" install DESTDIR="$T/root" PREFIX=/usr
	assert_success
	cmp "$T/root/usr/share/bash-completion/completions/mx" "$TOP/scripts/completion.bash"
	[ "$(readlink "$T/root/usr/share/bash-completion/completions/mx-agg")" = mx ]
	[ "$(readlink "$T/root/usr/share/bash-completion/completions/mx-lake")" = mx ]
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

@test "field expressions: the hour, day and month windows of a timestamp, in UTC, in every tool" {
	printf '%s\n' '{"ts":"2024-12-31T23:30:10.5+00:00","v":1}' \
	    '{"ts":"2024-02-29T21:02:03-05:00","v":2}' '{"ts":1709251200,"v":3}' > in.ndjson
	run mx-agg -g 'hour_start(ts),hour_end(ts),day_start(ts),day_end(ts),month_start(ts),month_end(ts)' -a 'v=sum(v)' in.ndjson
	assert_success
	assert_output '{"hour_start":"2024-03-01T00:00:00Z","hour_end":"2024-03-01T01:00:00Z","day_start":"2024-03-01T00:00:00Z","day_end":"2024-03-02T00:00:00Z","month_start":"2024-03-01T00:00:00Z","month_end":"2024-04-01T00:00:00Z","v":3}
{"hour_start":"2024-03-01T02:00:00Z","hour_end":"2024-03-01T03:00:00Z","day_start":"2024-03-01T00:00:00Z","day_end":"2024-03-02T00:00:00Z","month_start":"2024-03-01T00:00:00Z","month_end":"2024-04-01T00:00:00Z","v":2}
{"hour_start":"2024-12-31T23:00:00Z","hour_end":"2025-01-01T00:00:00Z","day_start":"2024-12-31T00:00:00Z","day_end":"2025-01-01T00:00:00Z","month_start":"2024-12-01T00:00:00Z","month_end":"2025-01-01T00:00:00Z","v":1}'
	run mx-partition -d p -k 'w=day_start(ts)' in.ndjson
	assert_success
	run ls p
	assert_output 'w=2024-03-01T00%3A00%3A00Z
w=2024-12-31T00%3A00%3A00Z'
	echo 'start timestamp from=hour_start(ts)' > c.contract
	run mx-validate -c c.contract in.ndjson
	assert_output '{"start":"2024-12-31T23:00:00Z"}
{"start":"2024-03-01T02:00:00Z"}
{"start":"2024-03-01T00:00:00Z"}'
}

@test "the lake's scripts are shellcheck clean" {
	command -v shellcheck > /dev/null || skip "shellcheck is not installed"
	cd "$TOP"
	run shellcheck -x -s bash scripts/lake scripts/lake.sh scripts/domains/*.sh scripts/lake-status scripts/demo scripts/completion.bash scripts/mx-assert.bash
	assert_success
	assert_output ''
	run shellcheck -s sh scripts/deps examples/alerts/webhook examples/alerts/mail
	assert_success
}

@test "mx: the front command runs mx-<command>, the lake, help and --version" {
	run mx --version
	assert_success
	assert_output --regexp "^mx \(mx\) $(cat "$TOP/VERSION")( \(.+\))?$"
	run mx help
	assert_success
	assert_line --index 0 'usage: mx [--version] [--help] command [argument ...]'
	assert_output --partial 'agg'
	assert_output --partial 'lake'
	run mx --help
	assert_success
	printf '%s\n' '{"c":"a","v":1}' '{"c":"a","v":2}' > in.ndjson
	run mx agg -g c -a 's=sum(v)' in.ndjson
	assert_success
	assert_output '{"c":"a","s":3}'
	run mx lake -x
	assert_failure 2
	assert_output --partial 'usage: lake'
	run env MANPAGER=cat MANWIDTH=80 mx help csv
	assert_success
	assert_output --partial 'mx-csv'
	run mx nosuch
	assert_failure 2
	assert_output --partial 'mx: nosuch: no such command'
	run mx --bogus
	assert_failure 2
	assert_output --partial 'usage: mx'
	run mx
	assert_failure 2
	run mx help a/b
	assert_failure 2
}

@test "mx: the man page's examples" {
	man_example mx.1 | sed -n '/^\.Bd/,/^\.Ed/p' | grep -v '^\.' | sed 's/\\e$/\\/' > ex.sh
	printf '%s\n' '{"event_type":"purchase","timestamp":"2024-03-01T10:00:00Z","price":"2.50","quantity":2}' > events.ndjson
	run bash -e ex.sh
	assert_success
	assert_line --index 0 --partial 'mx (mx) '
	assert_line '{"day":"2024-03-01","revenue":5}'
}
