#!/usr/bin/env bats
# The lake on several hosts (GNU parallel over ssh): sshd instances on
# 127.0.0.1, each with its own port, host key, home directory and mx
# install; shared storage (the lake at the same path) and none (files
# sent and brought back); a host that dies mid-run; hosts without mx or
# with another one refused before any work.

load helper

TOP="$BATS_TEST_DIRNAME/../.."
LAKECMD="$TOP/scripts/lake"
DAY1=1710115200		# 2024-03-11

# What a lake holds but its run log, lock, report and _state/quiet (as in
# lake.bats).
listing() {
	(cd "$1" && find . -type f ! -name _runs.ndjson ! -name lock \
	    ! -path ./_state/quiet ! -path ./report/index.html |
	    LC_ALL=C sort | xargs -d '\n' sha1sum)
}

lake() { SOURCE_DATE_EPOCH=$DAY1 "$LAKECMD" "$@"; }

# host N [PATH]: an sshd on 127.0.0.1 whose sessions have their own HOME
# and the PATH given (default: an mx installed for it alone); its login
# line is appended to the file hosts (tests/sshd-host).
host() {
	run "$TOP/tests/sshd-host" "$PWD" "$@"
	[ "$status" -ne 77 ] || skip "$output"
	assert_success
}

teardown() {
	local p
	for p in h*/sshd.pid; do
		[ -s "$p" ] && kill "$(cat "$p")" 2> /dev/null
	done
	true
}

@test "--hosts, shared storage: the per-partition work on two ssh hosts, the same lake as on one machine" {
	host 1
	host 2
	raw raw 300 1
	run lake -r raw -l one ecommerce
	assert_success
	run lake --hosts hosts -r raw -l two ecommerce
	assert_success
	[ "$(listing one)" = "$(listing two)" ]
	# each host ran jobs, and says so in the run log
	run jq -r 'select(.step == "partials:ecommerce_events") | .note' two/_runs.ndjson
	assert_output --regexp "hosts: ssh .* -p [0-9]+ root@127.0.0.1 [1-9][0-9]* jobs [0-9.]+ s, ssh .* -p [0-9]+ root@127.0.0.1 [1-9][0-9]* jobs [0-9.]+ s; longest job [0-9.]+ s"
	assert_output --regexp "-p $(cat h1/port) root@127.0.0.1 [1-9][0-9]* jobs"
	assert_output --regexp "-p $(cat h2/port) root@127.0.0.1 [1-9][0-9]* jobs [0-9.]+ s"
	# the silver tests' partials too (the same files: the listing)
	run jq -r 'select(.step == "test:ecommerce_events" and .test == null) | .note' two/_runs.ndjson
	assert_output --regexp "passed(; 1 warned: [a-z_]+)?; [0-9]+ of [0-9]+ partitions read; hosts: ssh .* -p [0-9]+ root@127.0.0.1 [1-9][0-9]* jobs [0-9.]+ s"
	[ ! -e two/_state/batches ]
	run "$TOP/scripts/lake-status" -l two
	assert_success
	assert_output --partial 'hosts: ssh'
}

@test "--hosts --no-shared: files sent and brought back, nothing left on the hosts, the same lake" {
	host 1
	host 2
	raw raw 300 1
	run lake -r raw -l one ecommerce
	assert_success
	run lake --hosts hosts --no-shared -r raw -l two ecommerce
	assert_success
	[ "$(listing one)" = "$(listing two)" ]
	[ -z "$(find h1/home h2/home -type f ! -path '*/.parallel/*')" ]
}

@test "--hosts: a host that dies in the middle of a run: its jobs retried on the other, the same lake" {
	host 1
	host 2
	raw raw 600 1
	run lake -r raw -l one ecommerce
	assert_success
	SOURCE_DATE_EPOCH=$DAY1 "$LAKECMD" --hosts hosts -r raw -l two ecommerce > out 2>&1 &
	pid=$!
	# once the gold steps have begun, host 2 goes away, its sessions too
	for i in $(seq 600); do
		grep -q '"step":"gold:' two/_runs.ndjson 2> /dev/null && break
		[ -e two/_state/partials/conversion_funnel ] && break
		sleep 0.1
	done
	pkill -P "$(cat h2/sshd.pid)" || true	# (no session open: none)
	kill "$(cat h2/sshd.pid)"
	wait "$pid"
	run cat out
	assert_output --partial 'done'
	[ "$(listing one)" = "$(listing two)" ]
}

@test "--hosts: a host without mx, or with another mx, is refused before any work, by name" {
	host 1
	host 2 /usr/bin:/bin
	raw raw 100 1
	run lake --hosts hosts -r raw -l two ecommerce
	assert_failure 1
	assert_output --partial "host ssh -F $PWD/ssh_config -p $(cat h2/port) root@127.0.0.1: "
	assert_output --partial 'refused (make install there)'
	[ -z "$(ls -A two 2> /dev/null)" ]
	# another version
	mkdir fake
	printf '#!/bin/sh\necho "mx (mx) 0.0.1"\n' > fake/mx
	chmod +x fake/mx
	: > hosts
	host 3
	host 4 "$PWD/fake:/usr/bin:/bin"
	run lake --hosts hosts -r raw -l three ecommerce
	assert_failure 1
	assert_output --partial 'mx (mx) 0.0.1 where this lake runs mx (mx)'
	# a host that does not answer
	echo "1/ssh -F $PWD/ssh_config -p 1 root@127.0.0.1" > hosts
	run lake --hosts hosts -r raw -l four ecommerce
	assert_failure 1
	assert_output --partial 'hosts: only 0 of 1 answered'
}
