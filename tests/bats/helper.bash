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

S3RVER="$BATS_TEST_DIRNAME/../node_modules/s3rver/bin/s3rver.js"

# s3mount DIR: a local S3 server and an s3fs mount of its bucket at DIR
s3mount() {
	[ -e /dev/fuse ] || skip "/dev/fuse is absent: no FUSE, no s3fs"
	command -v s3fs > /dev/null || skip "s3fs is not installed"
	mkdir s3data "$1"
	node "$S3RVER" -d s3data -a 127.0.0.1 -p 0 --configure-bucket lake > s3rver.log 2>&1 &
	S3PID=$!
	for i in $(seq 50); do
		port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' s3rver.log)
		[ -n "$port" ] && break
		sleep 0.2
	done
	[ -n "$port" ]
	echo S3RVER:S3RVER > pw
	chmod 600 pw
	MNT=$PWD/$1
	s3fs lake "$MNT" -o passwd_file="$PWD/pw" -o url="http://127.0.0.1:$port" -o use_path_request_style
}

# s3unmount: what s3mount started, stopped (in teardown: whatever the
# test did, nothing is left mounted or running)
s3unmount() {
	if [ -n "${MNT:-}" ] && mountpoint -q "$MNT"; then
		umount "$MNT" || umount -l "$MNT" || true
	fi
	[ -z "${S3PID:-}" ] || kill "$S3PID" 2> /dev/null || true
}
