#!/usr/bin/env bats
# mx-budget: spend per key and period against the budget in force, exact
# money, resets, budgets of shorter periods, bad events.  The figures were
# worked out by hand from the join-clicks fixture; the sums are in the
# comments.  These tests were mx-join-spend --budget's: the outputs are the
# same bytes.

load helper
bats_require_minimum_version 1.5.0

setup() {
	T="$BATS_TEST_TMPDIR"
	cd "$T" || return 1
	cp "$FIX"/join-* .
}

@test "a crossing within a day, hour by hour, lifetime budget" {
	# adv_001: 10:05 200 + 10:40 250 = 450 of 500; 11:10 +100 = 550,
	# 50 over; the next day +0.10.  adv_002: 08:30:00.25Z (09:30 +01:00)
	# 0.35, then 09:00 and 09:45, 0.70: 1.05 of 1.00.  Input is not in
	# time order.
	run mx-budget --per hour join-clicks.ndjson
	assert_success
	assert_output - <<'EOF'
{"advertiser":"adv_001","period":"2024-03-01T10:00:00Z","window_start":"2024-03-01T10:00:00Z","window_end":"2024-03-01T11:00:00Z","events":2,"spend":450.00,"cumulative_spend":450.00,"budget_value":500.00,"remaining":50.00,"can_serve":true}
{"advertiser":"adv_001","period":"2024-03-01T11:00:00Z","window_start":"2024-03-01T11:00:00Z","window_end":"2024-03-01T12:00:00Z","events":1,"spend":100.00,"cumulative_spend":550.00,"budget_value":500.00,"remaining":-50.00,"can_serve":false}
{"advertiser":"adv_001","period":"2024-03-02T08:00:00Z","window_start":"2024-03-02T08:00:00Z","window_end":"2024-03-02T09:00:00Z","events":1,"spend":0.10,"cumulative_spend":550.10,"budget_value":500.00,"remaining":-50.10,"can_serve":false}
{"advertiser":"adv_002","period":"2024-03-01T08:00:00Z","window_start":"2024-03-01T08:00:00Z","window_end":"2024-03-01T09:00:00Z","events":1,"spend":0.35,"cumulative_spend":0.35,"budget_value":1.00,"remaining":0.65,"can_serve":true}
{"advertiser":"adv_002","period":"2024-03-01T09:00:00Z","window_start":"2024-03-01T09:00:00Z","window_end":"2024-03-01T10:00:00Z","events":2,"spend":0.70,"cumulative_spend":1.05,"budget_value":1.00,"remaining":-0.05,"can_serve":false}
EOF
	run sh -c 'tac join-clicks.ndjson | mx-budget --per hour | cksum'
	assert_output "$(mx-budget --per hour join-clicks.ndjson | cksum)"
}

@test "per day, daily reset, per month" {
	run mx-budget join-clicks.ndjson
	assert_success
	assert_output - <<'EOF'
{"advertiser":"adv_001","period":"2024-03-01","window_start":"2024-03-01T00:00:00Z","window_end":"2024-03-02T00:00:00Z","events":3,"spend":550.00,"cumulative_spend":550.00,"budget_value":500.00,"remaining":-50.00,"can_serve":false}
{"advertiser":"adv_001","period":"2024-03-02","window_start":"2024-03-02T00:00:00Z","window_end":"2024-03-03T00:00:00Z","events":1,"spend":0.10,"cumulative_spend":550.10,"budget_value":500.00,"remaining":-50.10,"can_serve":false}
{"advertiser":"adv_002","period":"2024-03-01","window_start":"2024-03-01T00:00:00Z","window_end":"2024-03-02T00:00:00Z","events":3,"spend":1.05,"cumulative_spend":1.05,"budget_value":1.00,"remaining":-0.05,"can_serve":false}
EOF
	# a daily budget: 2024-03-02 starts again at 0.10 of 500
	run sh -c 'mx-budget --per hour --reset day join-clicks.ndjson | sed -n 3p'
	assert_output '{"advertiser":"adv_001","period":"2024-03-02T08:00:00Z","window_start":"2024-03-02T08:00:00Z","window_end":"2024-03-02T09:00:00Z","events":1,"spend":0.10,"cumulative_spend":0.10,"budget_value":500.00,"remaining":499.90,"can_serve":true}'
	run mx-budget --per month --reset month --stats st.json join-clicks.ndjson
	assert_success
	assert_output - <<'EOF'
{"advertiser":"adv_001","period":"2024-03","window_start":"2024-03-01T00:00:00Z","window_end":"2024-04-01T00:00:00Z","events":4,"spend":550.10,"cumulative_spend":550.10,"budget_value":500.00,"remaining":-50.10,"can_serve":false}
{"advertiser":"adv_002","period":"2024-03","window_start":"2024-03-01T00:00:00Z","window_end":"2024-04-01T00:00:00Z","events":3,"spend":1.05,"cumulative_spend":1.05,"budget_value":1.00,"remaining":-0.05,"can_serve":false}
EOF
	run cat st.json
	assert_output '{"tool":"mx-budget","events":7,"rejected":0,"blank":0,"out":2}'
}

@test "exactly spent cannot serve; a raised budget applies from its event" {
	printf '%s\n' '{"advertiser":"a","amount":0.5,"budget_value":1,"timestamp":"2024-03-01T10:00:00Z"}' \
	    '{"advertiser":"a","amount":"0.50","budget_value":1,"timestamp":"2024-03-01T10:30:00Z"}' \
	    '{"advertiser":"b","amount":5,"budget_value":10,"timestamp":"2024-03-01T10:00:00Z"}' \
	    '{"advertiser":"b","amount":5,"budget_value":20,"timestamp":"2024-03-01T12:00:00Z"}' \
	    '{"advertiser":"b","amount":1,"budget_value":10,"timestamp":"2024-03-01T11:00:00Z"}' > c.ndjson
	run mx-budget c.ndjson
	assert_success
	assert_output - <<'EOF'
{"advertiser":"a","period":"2024-03-01","window_start":"2024-03-01T00:00:00Z","window_end":"2024-03-02T00:00:00Z","events":2,"spend":1.00,"cumulative_spend":1.00,"budget_value":1.00,"remaining":0.00,"can_serve":false}
{"advertiser":"b","period":"2024-03-01","window_start":"2024-03-01T00:00:00Z","window_end":"2024-03-02T00:00:00Z","events":3,"spend":11.00,"cumulative_spend":11.00,"budget_value":20.00,"remaining":9.00,"can_serve":true}
EOF
	run sh -c 'mx-budget --per hour c.ndjson | jq -c "select(.advertiser == \"b\") | [.cumulative_spend, .budget_value, .remaining]"'
	assert_output $'[5,10,5]\n[6,10,4]\n[11,20,9]'
}

@test "bad events are rejected with file, line and reason" {
	printf '%s\n' '{"advertiser":"a","amount":-1,"budget_value":1,"timestamp":"2024-03-01T10:00:00Z"}' \
	    '{"advertiser":"a","amount":1,"timestamp":"2024-03-01T10:00:00Z"}' \
	    '{"advertiser":"a","amount":1,"budget_value":1,"timestamp":"soon"}' \
	    '{"advertiser":null,"amount":1,"budget_value":1,"timestamp":"2024-03-01T10:00:00Z"}' \
	    '{"advertiser":"a","amount":1,"budget_value":"1.5","timestamp":1709287200}' > c.ndjson
	run mx-budget c.ndjson
	assert_failure 1
	assert_output 'mx-budget: c.ndjson:1: amount is negative: -1'
	run mx-budget --rejects rej.ndjson -v c.ndjson
	assert_success
	assert_output - <<'EOF'
{"advertiser":"a","period":"2024-03-01","window_start":"2024-03-01T00:00:00Z","window_end":"2024-03-02T00:00:00Z","events":2,"spend":2.00,"cumulative_spend":2.00,"budget_value":1.50,"remaining":-0.50,"can_serve":false}
mx-budget: 5 events, 3 rejected; out: 1
EOF
	run jq -r '[._reject.line, ._reject.rule, ._reject.reason] | @tsv' rej.ndjson
	assert_output - <<'EOF'
1	amount	amount is negative: -1
3	time	timestamp is not a time: "soon"
4	key	key field advertiser is null
EOF
	# a budget that is not money is bad; none at all spends without one
	printf '%s\n' '{"advertiser":"a","amount":1,"budget_value":"n/a","timestamp":"2024-03-01T10:00:00Z"}' > d.ndjson
	run mx-budget d.ndjson
	assert_failure 1
	assert_output --partial 'd.ndjson:1: budget_value'
	printf '%s\n' '{"advertiser":"b","amount":1,"budget_value":null,"timestamp":"2024-03-01T10:00:00Z"}' > e.ndjson
	run mx-budget e.ndjson
	assert_success
	assert_output '{"advertiser":"b","period":"2024-03-01","window_start":"2024-03-01T00:00:00Z","window_end":"2024-03-02T00:00:00Z","events":1,"spend":1.00,"cumulative_spend":1.00,"budget_value":null,"remaining":null,"can_serve":null}'
}

@test "--budget-per day: a daily budget held against a month's spend, days of each month counted" {
	printf '%s\n' '{"advertiser":"a","amount":200,"budget_value":10.00,"timestamp":"2024-02-10T10:00:00Z"}' \
	    '{"advertiser":"a","amount":95,"budget_value":10.00,"timestamp":"2024-02-20T10:00:00Z"}' \
	    '{"advertiser":"a","amount":300,"budget_value":10.00,"timestamp":"2024-03-05T10:00:00Z"}' \
	    '{"advertiser":"a","amount":5,"budget_value":"10.005","timestamp":"2024-03-31T23:59:59Z"}' > ev.ndjson
	# February 2024: 29 x 10.00 = 290.00 < 295; March: 31 x 10.005 = 310.155 > 305
	run mx-budget --per month --reset month --budget-per day ev.ndjson
	assert_success
	assert_output '{"advertiser":"a","period":"2024-02","window_start":"2024-02-01T00:00:00Z","window_end":"2024-03-01T00:00:00Z","events":2,"spend":295.00,"cumulative_spend":295.00,"budget_value":290.00,"remaining":-5.00,"can_serve":false}
{"advertiser":"a","period":"2024-03","window_start":"2024-03-01T00:00:00Z","window_end":"2024-04-01T00:00:00Z","events":2,"spend":305.00,"cumulative_spend":305.00,"budget_value":310.155,"remaining":5.155,"can_serve":true}'
	# an hourly budget against each day, hour by hour: 24 x 10.00
	run mx-budget --per hour --reset day --budget-per hour ev.ndjson
	assert_success
	assert_line --index 0 --partial '"spend":200.00,"cumulative_spend":200.00,"budget_value":240.00,"remaining":40.00,"can_serve":true}'
	# the same period as --reset: the field as it is
	run mx-budget --per day --reset day --budget-per day ev.ndjson
	assert_line --index 0 --partial '"budget_value":10.00,"remaining":-190.00,"can_serve":false}'
	run mx-budget --budget-per day ev.ndjson
	assert_failure 2
	assert_output --partial '--budget-per: hour, day or month, no longer than --reset'
	run mx-budget --reset day --budget-per month ev.ndjson
	assert_failure 2
	run mx-budget --reset day --budget-per week ev.ndjson
	assert_failure 2
}

@test "other field names, keys from expressions" {
	printf '{"adv":"x","ad":"ad1","cost":"2.25","cap":"4","at":"2024-02-29T23:59:59Z"}\n' > c.ndjson
	run mx-budget -k campaign=adv,ad --amount cost --budget-field cap \
	    --time at --per month c.ndjson
	assert_success
	assert_output '{"campaign":"x","ad":"ad1","period":"2024-02","window_start":"2024-02-01T00:00:00Z","window_end":"2024-03-01T00:00:00Z","events":1,"spend":2.25,"cumulative_spend":2.25,"budget_value":4.00,"remaining":1.75,"can_serve":true}'
}

@test "a field no event had is a warning naming its option; --strict makes it an error with no output" {
	run --separate-stderr mx-budget --budget-field budget join-clicks.ndjson
	assert_success
	[ "$stderr" = "mx-budget: --budget-field: no record had the field 'budget' (a typo?)" ]
	run mx-budget --strict -k advertizer --budget-field budget --rejects r.ndjson join-clicks.ndjson
	assert_failure 1
	assert_output "$(printf '%s\n' "mx-budget: -k: no record had the field 'advertizer'" \
	    "mx-budget: --budget-field: no record had the field 'budget'")"
	[ ! -e r.ndjson ]
	# no events, nothing to say
	run mx-budget --strict -k advertizer /dev/null
	assert_success
	assert_output ''
}

@test "standard input, blank lines, gzip, several files: the same bytes" {
	run sh -c 'mx-budget --per hour < join-clicks.ndjson | cksum'
	want=$output
	{ echo; cat join-clicks.ndjson; printf '  \r\n'; } | gzip > c.gz
	run sh -c 'mx-budget --per hour --stats st.json c.gz | cksum'
	assert_output "$want"
	run jq -c '[.events, .blank]' st.json
	assert_output '[7,2]'
	head -3 join-clicks.ndjson > a.ndjson
	tail -n +4 join-clicks.ndjson > b.ndjson
	run sh -c 'mx-budget --per hour a.ndjson - < b.ndjson | cksum'
	assert_output "$want"
}

@test "mx-join-spend --budget is mx-budget (deprecated)" {
	run sh -c 'mx-budget --per hour --reset day join-clicks.ndjson | cksum'
	want=$output
	run sh -c 'mx-join-spend -k advertiser --budget --per hour --reset day join-clicks.ndjson | cksum'
	assert_output "$want"
	run mx-join-spend --budget --per day --reset hour
	assert_failure 2
	assert_line --index 0 'mx-budget: --reset hour is shorter than --per day'
}

@test "bad command lines are usage errors" {
	run mx-budget --per day --reset hour
	assert_failure 2
	assert_line --index 0 'mx-budget: --reset hour is shorter than --per day'
	assert_line --index 1 --partial 'usage: mx-budget'
	run mx-budget --per never
	assert_failure 2
	assert_line --index 0 'mx-budget: --per: hour, day or month'
	run mx-budget --per week
	assert_failure 2
	assert_line --index 0 "mx-budget: --per: unknown value 'week'"
	run mx-budget -s join-spend.ndjson
	assert_failure 2
	run mx-budget --join left
	assert_failure 2
	run mx-budget --max-memory 12x
	assert_failure 2
	assert_line --index 0 "mx-budget: --max-memory: '12x' is not a size such as 512M"
	run mx-budget -k spend=advertiser
	assert_failure 2
	assert_line --index 0 'mx-budget: the output would have the field spend twice'
	run mx-budget -k 'd=nofn(x)'
	assert_failure 2
	assert_line --index 0 --partial "mx-budget: -k: unknown function 'nofn'"
	run mx-budget --scale 19
	assert_failure 2
	assert_line --index 0 'mx-budget: --scale: 0 to 18'
	run mx-budget nosuch.ndjson
	assert_failure 1
	assert_output 'mx-budget: nosuch.ndjson: No such file or directory'
}

@test "--max-memory: too many keys in memory is an error naming the event" {
	run mx-budget --max-memory 1k join-clicks.ndjson
	assert_failure 1
	assert_output 'mx-budget: join-clicks.ndjson:1: the 1 keys held in memory take more than --max-memory 1k'
	run mx-budget --max-memory 1M join-clicks.ndjson
	assert_success
}

@test "--rejects: a line that is not JSON kept as _raw; --scale" {
	{ cat join-clicks.ndjson; printf 'not json\n'; } > c.ndjson
	run mx-budget --rejects rej.ndjson --scale 3 --per month c.ndjson
	assert_success
	assert_line --index 0 --partial '"spend":550.100,"cumulative_spend":550.100,"budget_value":500.000,'
	run cat rej.ndjson
	assert_output '{"_reject":{"tool":"mx-budget","file":"c.ndjson","line":8,"rule":"json","reason":"invalid JSON at column 1: unexpected '"'"'n'"'"', expected a JSON value"},"_raw":"not json"}'
}

@test "a closed stdout ends quietly; a full disk is exit 1" {
	python3 -c '
for i in range(200000): print("{\"advertiser\":\"a%d\",\"amount\":1,\"timestamp\":\"2024-03-01T10:00:00Z\"}" % i)' > big.ndjson
	run bash -c 'mx-budget big.ndjson | head -1; echo "status ${PIPESTATUS[0]}"'
	assert_line --index 0 '{"advertiser":"a0","period":"2024-03-01","window_start":"2024-03-01T00:00:00Z","window_end":"2024-03-02T00:00:00Z","events":1,"spend":1.00,"cumulative_spend":1.00,"budget_value":null,"remaining":null,"can_serve":null}'
	assert_line --index 1 'status 141'
	run sh -c 'mx-budget join-clicks.ndjson > /dev/full'
	assert_failure 1
	assert_output 'mx-budget: write error: <stdout>: No space left on device'
}

@test "man page examples run as written" {
	{ cat join-clicks.ndjson; echo '{"advertiser":"adv_003"}'; } | gzip > clicks.ndjson.gz
	cp join-clicks.ndjson clicks.ndjson
	man_example mx-budget.1 | sed -n '/^\.Bd/,/^\.Ed/p' | grep -v '^\.' |
	    grep '^mx-budget\|^  ' | sed 's/\\e$/\\/' > examples.sh
	run bash -c 'set -e; . ./examples.sh'
	assert_success
	run sed -n 2p pacing.ndjson
	assert_output --partial '"period":"2024-03-01T11:00:00Z","window_start":"2024-03-01T11:00:00Z","window_end":"2024-03-01T12:00:00Z","events":1,"spend":100.00,"cumulative_spend":550.00'
	run jq -r ._reject.reason bad-clicks.ndjson
	assert_output 'amount is missing'
	run sed -n 1p monthly.ndjson
	assert_output --partial '"period":"2024-03","window_start":"2024-03-01T00:00:00Z","window_end":"2024-04-01T00:00:00Z","events":4,"spend":550.10,"cumulative_spend":550.10,"budget_value":15500.00,'
}
