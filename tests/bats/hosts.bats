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

# killed_during N TEST: the lake of raw on the hosts into two, host N's
# sshd and its sessions killed once the shell test TEST holds; the run
# must still finish (its jobs retried on the other host) to the lake one
killed_during() {
	local pid i
	lake --hosts hosts -r raw -l two ecommerce > out 2>&1 &
	pid=$!
	for i in $(seq 3000); do
		eval "$2" && break
		sleep 0.02
	done
	pkill -P "$(cat "h$1/sshd.pid")" || true	# (no session open: none)
	kill "$(cat "h$1/sshd.pid")"
	wait "$pid"
	run cat out
	assert_output --partial 'done'
	[ "$(listing one)" = "$(listing two)" ]
}

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
	s3unmount
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
	export MX_BRONZE_RECORDS=100
	raw raw 300 1
	run lake -r raw -l one ecommerce
	assert_success
	run lake --hosts hosts --no-shared -r raw -l two ecommerce
	assert_success
	[ "$(listing one)" = "$(listing two)" ]
	[ -z "$(find h1/home h2/home -type f ! -path '*/.parallel/*')" ]
	# silver too, its bronze files and partitions sent: keys across
	# days in a second run
	resend raw/ecommerce/batch-1.ndjson event_id > raw/ecommerce/batch-2.ndjson
	run lake -r raw -l one ecommerce
	assert_success
	run lake --hosts hosts --no-shared -r raw -l two ecommerce
	assert_success
	[ "$(listing one)" = "$(listing two)" ]
	run jq -r 'select(.step == "silver:ecommerce_events") | .note' two/_runs.ndjson
	assert_line --index 1 --regexp "^[0-9]+ partitions; validation hosts: ssh .* [1-9][0-9]* jobs [0-9.]+ s.*; rebuild hosts: ssh .* [1-9][0-9]* jobs [0-9.]+ s"
	[ -z "$(find h1/home h2/home -type f ! -path '*/.parallel/*')" ]
	[ -z "$(ls -A two/_state/hostwork)" ]
}

@test "--hosts: a host that dies in the middle of a run: its jobs retried on the other, the same lake" {
	host 1
	host 2
	raw raw 600 1
	run lake -r raw -l one ecommerce
	assert_success
	# once the gold steps have begun, host 2 goes away, its sessions too
	killed_during 2 '[ -e two/_state/partials/conversion_funnel ] ||
	    grep -q "\"step\":\"gold:" two/_runs.ndjson 2> /dev/null'
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

# resend FILE ID: some events of the raw FILE (ID: their key) sent again
# a day later (every 7th) and a day earlier (every 11th), to stdout: keys
# that cross days.
resend() {
	jq -cR --arg id "$2" 'fromjson? | select((.[$id] | type) == "string" and (.timestamp | type) == "string")
	    | (.[$id][1:] | tonumber? // 0) as $n
	    | if $n % 7 == 0 then .timestamp |= (sub("\\.[0-9]+Z$"; "Z") | fromdate + 86400 | todate)
	      elif $n % 11 == 0 then .timestamp |= (sub("\\.[0-9]+Z$"; "Z") | fromdate - 86400 | todate)
	      else empty end' "$1"
}

@test "--hosts, shared storage: silver rebuilt a partition at a time on the hosts, keys across days, the same lake over two runs" {
	host 1
	host 2
	export MX_BRONZE_RECORDS=150
	raw raw 600 1
	run lake -r raw -l one ecommerce adclicks
	assert_success
	run lake --hosts hosts -r raw -l two ecommerce adclicks
	assert_success
	[ "$(listing one)" = "$(listing two)" ]
	run jq -r 'select(.step == "silver:ecommerce_events") | .note' two/_runs.ndjson
	assert_output --regexp "^[0-9]+ partitions; validation hosts: ssh .* [1-9][0-9]* jobs [0-9.]+ s.*; rebuild hosts: ssh .* [1-9][0-9]* jobs [0-9.]+ s"
	# the second run: events sent again, a day later and a day earlier
	resend raw/ecommerce/batch-1.ndjson event_id > raw/ecommerce/batch-2.ndjson
	resend raw/adclicks/batch-1.ndjson click_id > raw/adclicks/batch-2.ndjson
	[ "$(wc -l < raw/ecommerce/batch-2.ndjson)" -gt 50 ]
	[ "$(wc -l < raw/adclicks/batch-2.ndjson)" -gt 50 ]
	run lake -r raw -l one ecommerce adclicks
	assert_success
	# killed once the partitions are rewritten, before the key index
	# and the state learn of it: the next run finishes it
	MX_LAKE_CRASH=silver:ecommerce_events run lake --hosts hosts -r raw \
	    -l two ecommerce adclicks
	assert_failure
	run lake --hosts hosts -r raw -l two ecommerce adclicks
	assert_success
	[ "$(listing one)" = "$(listing two)" ]
	# the same counts: the records dropped as duplicates are the same
	counts() {
		jq -c 'select(.step == "silver:\($t)") | [.in, .out, .rejected,
		    .duplicates]' --arg t "$2" "$1/_runs.ndjson"
	}
	for t in ecommerce_events adclicks; do
		[ "$(counts one $t)" = "$(counts two $t)" ]
		run counts two $t
		assert_line --index 1 --regexp '^\[[0-9]+,-?[0-9]+,[0-9]+,[1-9][0-9]*\]$'
	done
	# --first stays here (adclicks_deliveries)
	run jq -r 'select(.step == "silver:adclicks_deliveries") | .note' two/_runs.ndjson
	refute_output --partial hosts
	[ -z "$(ls -A two/_state/hostwork)" ]
}

@test "--hosts: a host that dies while silver is rebuilt on the hosts: its jobs retried on the other, the same lake" {
	host 1
	host 2
	export MX_BRONZE_RECORDS=100
	raw raw 1200 1
	run lake -r raw -l one ecommerce
	assert_success
	# once the hosts are validating bronze files (a job's stage is
	# s.I.HOST.PID until it is done), host 2 goes away
	killed_during 2 '[ -n "$(find two/_state/hostwork/ecommerce_events \
	    -maxdepth 1 -name "s.*.*.*" -type d 2> /dev/null)" ]'
	run jq -r 'select(.step == "silver:ecommerce_events") | .note' two/_runs.ndjson
	assert_output --partial 'validation hosts: '
}

@test "--hosts, shared storage on an S3 mount (s3fs on a local S3 server): silver and gold on the hosts, the same lake as on disk" {
	host 1
	host 2
	export MX_BRONZE_RECORDS=150
	raw raw 500 1
	run lake -r raw -l disk ecommerce
	assert_success
	s3mount mnt
	run lake --hosts hosts -r raw -l mnt/lake ecommerce
	assert_success
	resend raw/ecommerce/batch-1.ndjson event_id > raw/ecommerce/batch-2.ndjson
	run lake -r raw -l disk ecommerce
	assert_success
	run lake --hosts hosts -r raw -l mnt/lake ecommerce
	assert_success
	# the data is the same; S3 partitions carry manifests of their own
	[ "$(listing mnt/lake | grep -v _SUCCESS)" = "$(listing disk | grep -v _SUCCESS)" ]
	run jq -r 'select(.step == "silver:ecommerce_events") | .note' mnt/lake/_runs.ndjson
	assert_line --index 1 --regexp "partitions; validation hosts: .* jobs .*; rebuild hosts: .* jobs "
	[ -z "$(ls -A mnt/lake/_state/hostwork)" ]
}
