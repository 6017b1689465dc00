# Shared by every bats file: bats-support and bats-assert from Debian, a
# scratch directory per test, fixed time, and the path to the fixtures.

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

FIX="$BATS_TEST_DIRNAME/fixtures"
REAL="$BATS_TEST_DIRNAME/../../../shared/data/real"
export SOURCE_DATE_EPOCH=1700000000
export LC_ALL=C

setup() {
	T="$BATS_TEST_TMPDIR"
	cd "$T" || return 1
}

# Every output line is one JSON object (checked with jq, an independent
# parser).
assert_ndjson() {
	local f="${1:-/dev/stdin}"
	run jq -ec 'if type == "object" then true else error("not an object") end' "$f"
	assert_success
}

# maxrss CMD...: CMD run, its standard output thrown away; its peak
# resident memory in KiB printed, its exit status returned.
maxrss() {
	python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(r)' "$@"
}

# The man page's EXAMPLES, for tests that run them as written.
man_example() {
	sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$BATS_TEST_DIRNAME/../../man/$1"
}

# raw DIR N SEED [mx-gen options]: a week of every domain from mx-gen, with
# duplicates, late, invalid and malformed records, as DIR/<source>/batch-SEED.*
raw() {
	local dir=$1 n=$2 seed=$3 f b
	shift 3
	mkdir -p "$dir/.gen"
	mx-gen -n "$n" -s "$seed" --from 2024-03-04 --to 2024-03-10 \
	    --dup-rate 1% --key-dup-rate 1% --late-rate 2% --invalid-rate 1% \
	    --malformed-rate 1% "$@" -d "$dir/.gen" all
	for f in "$dir"/.gen/*; do
		b=${f##*/}
		mkdir -p "$dir/${b%.*}"
		mv "$f" "$dir/${b%.*}/batch-$seed.${b##*.}"
	done
	rmdir "$dir/.gen"
}
