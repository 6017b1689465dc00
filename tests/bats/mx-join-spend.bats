#!/usr/bin/env bats
# mx-join-spend: joins, ratios and their null rules, exact rounding, the
# channel map, --sum, bad input.  Budget mode is mx-budget now (its tests
# are in mx-budget.bats).  Every figure below was
# worked out by hand from the join-* fixtures; the sums are in the comments.

load helper
bats_require_minimum_version 1.5.0

setup() {
	T="$BATS_TEST_TMPDIR"
	cd "$T" || return 1
	cp "$FIX"/join-* .
}

@test "full outer join: zero bookings, zero spend, both sides unmatched" {
	# 120.00/8 = 15; 75.50/4 = 18.875 -> 18.88; 10/0 -> null; 0/3 = 0;
	# newsletter has no spend row: its spend is unknown, null, and so is
	# its cost; spend-only rows come last, sorted by key, with 0
	# bookings: 40.10/0 and 0/0 and 33.333/0 are null
	run mx-join-spend -s join-spend.ndjson -k booking_date=date,channel \
	    --stats st.json join-bookings.ndjson
	assert_success
	assert_output - <<'EOF'
{"booking_date":"2024-03-01","channel":"facebook_paid_ads","total_bookings":8,"total_spend":120.00,"cost_per_booking":15.00}
{"booking_date":"2024-03-01","channel":"google_ads","total_bookings":4,"total_spend":75.50,"cost_per_booking":18.88}
{"booking_date":"2024-03-01","channel":"linkedin_ads","total_bookings":0,"total_spend":10.00,"cost_per_booking":null}
{"booking_date":"2024-03-02","channel":"facebook_paid_ads","total_bookings":3,"total_spend":0.00,"cost_per_booking":0.00}
{"booking_date":"2024-03-02","channel":"newsletter","total_bookings":5,"total_spend":null,"cost_per_booking":null}
{"booking_date":"2024-03-02","channel":"google_ads","total_bookings":0,"total_spend":40.10,"cost_per_booking":null}
{"booking_date":"2024-03-03","channel":"facebook_paid_ads","total_bookings":0,"total_spend":0.00,"cost_per_booking":null}
{"booking_date":"2024-03-03","channel":"linkedin_ads","total_bookings":0,"total_spend":33.333,"cost_per_booking":null}
EOF
	run cat st.json
	assert_output '{"tool":"mx-join-spend","mode":"join","metrics":5,"spend":7,"rejected":0,"blank":0,"out":8,"matched":4,"metrics_only":1,"spend_only":3,"dropped":0,"null_keys":0}'
	# --missing-spend zero: no spend row means none was spent
	run mx-join-spend -s join-spend.ndjson -k booking_date=date,channel \
	    --missing-spend zero --join left join-bookings.ndjson
	assert_success
	assert_line '{"booking_date":"2024-03-02","channel":"newsletter","total_bookings":5,"total_spend":0.00,"cost_per_booking":0.00}'
	run mx-join-spend -s join-spend.ndjson --missing-spend maybe join-bookings.ndjson
	assert_failure 2
	assert_output --partial '--missing-spend: null or zero'
}

@test "a field named that no record of its side had is a warning; --strict makes it an error with no output" {
	run --separate-stderr mx-join-spend -s join-spend.ndjson -k booking_date=date,channel \
	    --clicks clcks join-bookings.ndjson
	assert_success
	[ "$stderr" = "mx-join-spend: --clicks: no record of the metrics had the field 'clcks' (a typo?)" ]
	run mx-join-spend --strict -s join-spend.ndjson -k booking_date=dat,channel \
	    --spend-field spent --rejects r.ndjson join-bookings.ndjson
	assert_failure 1
	assert_output "$(printf '%s\n' "mx-join-spend: -k: no record of join-spend.ndjson had the field 'dat'" \
	    "mx-join-spend: --spend-field: no record of join-spend.ndjson had the field 'spent'")"
	[ ! -e r.ndjson ]
	# the defaults are not checked; a side with no record says nothing
	run --separate-stderr mx-join-spend --strict -s join-spend.ndjson -k booking_date=date,channel join-bookings.ndjson
	assert_success
	run mx-join-spend --strict -s join-spend.ndjson -k bookng_date=date,channel /dev/null
	assert_success
}

@test "--join left, right and inner leave out rows, and count them" {
	run sh -c 'mx-join-spend -s join-spend.ndjson -k booking_date=date,channel --join left join-bookings.ndjson | jq -r .channel'
	assert_success
	assert_output $'facebook_paid_ads\ngoogle_ads\nlinkedin_ads\nfacebook_paid_ads\nnewsletter'
	run sh -c 'mx-join-spend -s join-spend.ndjson -k booking_date=date,channel --join right join-bookings.ndjson | jq -r "[.booking_date, .channel] | join(\" \")"'
	assert_success
	assert_output - <<'EOF'
2024-03-01 facebook_paid_ads
2024-03-01 google_ads
2024-03-01 linkedin_ads
2024-03-02 facebook_paid_ads
2024-03-02 google_ads
2024-03-03 facebook_paid_ads
2024-03-03 linkedin_ads
EOF
	run mx-join-spend -s join-spend.ndjson -k booking_date=date,channel \
	    --join inner -v join-bookings.ndjson
	assert_success
	assert_line --index 4 'mx-join-spend: 5 metrics rows, 7 spend rows, 0 rejected; 4 rows out: 4 matched, 1 metrics only, 3 spend only, 4 left out by --join'
	[ "${#lines[@]}" -eq 5 ]
}

@test "every ratio, with the null rules, where the fields are present" {
	# facebook 03-01, spend 120.00: 120/4 = 30; 120/200 = 0.60;
	# 200/10000 = 0.02; 120*1000/10000 = 12; 450/120 = 3.75; 120/3 = 40;
	# 8/200 = 0.04.  google 03-01, spend 75.50: 0 clicks and 0 impressions
	# give null; -12.5/75.50 = -0.16556... -> -0.1656; customers null ->
	# cac null; no bookings or conversions field: no such ratio.
	# newsletter, no spend: 0/7 = 0; 7/4000 = 0.00175 -> 0.0018; 0.
	run mx-join-spend -s join-spend.ndjson --join left join-ads.ndjson
	assert_success
	assert_output - <<'EOF'
{"date":"2024-03-01","channel":"facebook_paid_ads","total_bookings":4,"clicks":200,"impressions":10000,"revenue":"450.00","new_customers":3,"conversions":8,"total_spend":120.00,"cost_per_booking":30.00,"cpc":0.60,"ctr":0.0200,"cpm":12.00,"roas":3.7500,"cac":40.00,"conversion_rate":0.0400}
{"date":"2024-03-01","channel":"google_ads","clicks":0,"impressions":0,"revenue":-12.5,"new_customers":null,"total_spend":75.50,"cpc":null,"ctr":null,"cpm":null,"roas":-0.1656,"cac":null}
{"date":"2024-03-02","channel":"newsletter","clicks":7,"impressions":4000,"total_spend":null,"cpc":null,"ctr":0.0018,"cpm":null}
EOF
	assert_ndjson <(mx-join-spend -s join-spend.ndjson join-ads.ndjson)
}

@test "spend-only rows carry every metric seen, as 0; roas of 0 revenue is 0" {
	run sh -c 'mx-join-spend -s join-spend.ndjson join-ads.ndjson | tail -1'
	assert_success
	assert_output '{"date":"2024-03-03","channel":"linkedin_ads","total_bookings":0,"clicks":0,"impressions":0,"revenue":0.00,"new_customers":0,"conversions":0,"total_spend":33.333,"cost_per_booking":null,"cpc":null,"ctr":null,"cpm":null,"roas":0.0000,"cac":null,"conversion_rate":null}'
}

@test "ratios are exact and round half away from zero; --scale, --rate-scale" {
	printf '{"date":"d","channel":"c","spend":1155.83}\n{"date":"e","channel":"c","spend":8}\n' > s.ndjson
	# 1155.83/34 = 33.995 exactly (a double says 33.99499...)
	# 1/8 = 0.125 -> 0.13 at two places; -1/8 -> -0.13
	printf '{"date":"d","channel":"c","total_bookings":34}\n{"date":"e","channel":"c","revenue":1,"total_bookings":3}\n{"date":"e2","channel":"c","revenue":-1}\n' > m.ndjson
	run mx-join-spend -s s.ndjson --join left m.ndjson
	assert_success
	assert_line --index 0 '{"date":"d","channel":"c","total_bookings":34,"total_spend":1155.83,"cost_per_booking":34.00}'
	assert_line --index 1 '{"date":"e","channel":"c","revenue":1,"total_bookings":3,"total_spend":8.00,"cost_per_booking":2.67,"roas":0.1250}'
	run mx-join-spend -s s.ndjson --join left --scale 0 --rate-scale 2 m.ndjson
	assert_success
	assert_line --index 0 '{"date":"d","channel":"c","total_bookings":34,"total_spend":1155.83,"cost_per_booking":34}'
	assert_line --index 1 '{"date":"e","channel":"c","revenue":1,"total_bookings":3,"total_spend":8,"cost_per_booking":3,"roas":0.13}'
	printf '{"date":"e2","channel":"c","spend":8}\n' > s2.ndjson
	run mx-join-spend -s s2.ndjson --rate-scale 2 m.ndjson
	assert_success
	assert_line --index 2 --partial '"roas":-0.13}'
	run mx-join-spend -s s.ndjson --scale 19 m.ndjson
	assert_failure 2
	assert_output --partial 'mx-join-spend: --scale: 0 to 18'
}

@test "spend as a number or a numeric string, exactly; large values stay exact" {
	printf '%s\n' '{"date":"a","channel":"c","spend":"12.50"}' \
	    '{"date":"b","channel":"c","spend":1e2}' \
	    '{"date":"c","channel":"c","spend":"123456789012345678901234.56"}' > s.ndjson
	printf '{"date":"c","channel":"c","total_bookings":3}\n' > m.ndjson
	run mx-join-spend -s s.ndjson m.ndjson
	assert_success
	# 123456789012345678901234.56 / 3 = 41152263004115226300411.52
	assert_output - <<'EOF'
{"date":"c","channel":"c","total_bookings":3,"total_spend":123456789012345678901234.56,"cost_per_booking":41152263004115226300411.52}
{"date":"a","channel":"c","total_bookings":0,"total_spend":12.50,"cost_per_booking":null}
{"date":"b","channel":"c","total_bookings":0,"total_spend":100.00,"cost_per_booking":null}
EOF
}

@test "bad spend rows stop the run with file and line, before any output" {
	printf '{"date":"a","channel":"c","spend":1}\n{"date":"b","channel":"c","spend":-0.01}\n' > neg.ndjson
	run sh -c 'mx-join-spend -s neg.ndjson join-bookings.ndjson'
	assert_failure 1
	assert_output 'mx-join-spend: neg.ndjson:2: spend is negative: -0.01'
	printf '{"date":"a","channel":"c","spend":1}\n\n{"date":"a","channel":"c","spend":2}\n' > dup.ndjson
	run mx-join-spend -s dup.ndjson join-bookings.ndjson
	assert_failure 1
	assert_output 'mx-join-spend: dup.ndjson:3: a second spend row for one key (the first is dup.ndjson:1)'
	printf '{"date":"a","channel":"c","spend":"12,50"}\n' > comma.ndjson
	run mx-join-spend -s comma.ndjson join-bookings.ndjson
	assert_failure 1
	assert_output 'mx-join-spend: comma.ndjson:1: spend is not a number: "12,50"'
	printf '{"date":"a","channel":"c"}\n' > none.ndjson
	run mx-join-spend -s none.ndjson join-bookings.ndjson
	assert_failure 1
	assert_output 'mx-join-spend: none.ndjson:1: spend is missing'
	printf '{"date":"a","channel":null,"spend":1}\n' > nullkey.ndjson
	run mx-join-spend -s nullkey.ndjson join-bookings.ndjson
	assert_failure 1
	assert_output 'mx-join-spend: nullkey.ndjson:1: key field channel is null'
	printf '{"date":"a","channel":"c","spend":1e999}\n' > big.ndjson
	run mx-join-spend -s big.ndjson join-bookings.ndjson
	assert_failure 1
	assert_output 'mx-join-spend: big.ndjson:1: spend 1e999 is out of range (38 digits, 18 decimal places)'
	printf '{"date":"a","channel":"c","spend":1}\n' > one.ndjson
	run mx-join-spend -s one.ndjson -s dup.ndjson join-bookings.ndjson
	assert_failure 1
	assert_output 'mx-join-spend: dup.ndjson:1: a second spend row for one key (the first is one.ndjson:1)'
}

@test "--rejects: bad rows of both sides kept whole with the reason, the run goes on" {
	printf '%s\n' '{"date":"2024-03-01","channel":"x","spend":-5}' 'not json' \
	    '{"date":"2024-03-01","channel":"y","spend":true,"_reject":{}}' > bad.ndjson
	printf '%s\n' '{"booking_date":"2024-03-01","channel":"facebook_paid_ads","total_bookings":"many"}' \
	    '{"booking_date":"2024-03-01","total_bookings":1}' \
	    '{"booking_date":"2024-03-01","channel":"google_ads","total_bookings":2,"total_spend":9}' \
	    '{"booking_date":"2024-03-01","channel":"linkedin_ads","total_bookings":1}' \
	    '{"booking_date":"2024-03-01","channel":"linkedin_ads","total_bookings":4}' > m.ndjson
	printf '\xff\n' >> m.ndjson
	run mx-join-spend -s join-spend.ndjson -s bad.ndjson -k booking_date=date,channel \
	    --join left --rejects rej.ndjson --stats st.json m.ndjson
	assert_success
	assert_output '{"booking_date":"2024-03-01","channel":"linkedin_ads","total_bookings":1,"total_spend":10.00,"cost_per_booking":10.00}'
	run cat rej.ndjson
	assert_output - <<'EOF'
{"date":"2024-03-01","channel":"x","spend":-5,"_reject":{"tool":"mx-join-spend","file":"bad.ndjson","line":1,"rule":"spend","field":"spend","reason":"spend is negative: -5"}}
{"_reject":{"tool":"mx-join-spend","file":"bad.ndjson","line":2,"rule":"json","reason":"invalid JSON at column 1: unexpected 'n', expected a JSON value"},"_raw":"not json"}
{"_reject":{"tool":"mx-join-spend","file":"bad.ndjson","line":3,"rule":"spend","field":"spend","reason":"spend is not a number: true"},"_raw":"{\"date\":\"2024-03-01\",\"channel\":\"y\",\"spend\":true,\"_reject\":{}}"}
{"booking_date":"2024-03-01","channel":"facebook_paid_ads","total_bookings":"many","_reject":{"tool":"mx-join-spend","file":"m.ndjson","line":1,"rule":"metric","field":"total_bookings","reason":"total_bookings is not a number: \"many\""}}
{"booking_date":"2024-03-01","total_bookings":1,"_reject":{"tool":"mx-join-spend","file":"m.ndjson","line":2,"rule":"key","field":"channel","reason":"key field channel is missing"}}
{"booking_date":"2024-03-01","channel":"google_ads","total_bookings":2,"total_spend":9,"_reject":{"tool":"mx-join-spend","file":"m.ndjson","line":3,"rule":"field","field":"total_spend","reason":"the record has a field total_spend already (joined twice?)"}}
{"booking_date":"2024-03-01","channel":"linkedin_ads","total_bookings":4,"_reject":{"tool":"mx-join-spend","file":"m.ndjson","line":5,"rule":"duplicate","reason":"a second metrics row for one key (the first is m.ndjson:4); --sum adds them up"}}
{"_reject":{"tool":"mx-join-spend","file":"m.ndjson","line":6,"rule":"json","reason":"invalid JSON at column 1: unexpected byte 0xff, expected a JSON value"},"_raw_base64":"/w=="}
EOF
	assert_ndjson rej.ndjson
	run jq -c '[.metrics, .spend, .rejected, .out, .dropped]' st.json
	assert_output '[6,10,8,1,6]'
}

@test "a bad metrics row stops the run at that row, after the rows before it" {
	printf '%s\n' '{"booking_date":"2024-03-01","channel":"google_ads","total_bookings":4}' \
	    '{"booking_date":"2024-03-01","channel":"google_ads","total_bookings":1}' \
	    '{"booking_date":"2024-03-09","channel":"google_ads","total_bookings":1}' > m.ndjson
	run mx-join-spend -s join-spend.ndjson -k booking_date=date,channel m.ndjson
	assert_failure 1
	assert_line --index 0 --partial '"cost_per_booking":18.88}'
	assert_line --index 1 'mx-join-spend: m.ndjson:2: a second metrics row for one key (the first is m.ndjson:1); --sum adds them up'
	[ "${#lines[@]}" -eq 2 ]
}

@test "null keys match nothing and are counted; duplicates without spend pass" {
	printf '%s\n' '{"date":null,"channel":"google_ads","total_bookings":2}' \
	    '{"date":"2024-03-09","channel":"tv","total_bookings":1}' \
	    '{"date":"2024-03-09","channel":"tv","total_bookings":1}' > m.ndjson
	run mx-join-spend -s join-spend.ndjson --join left -v m.ndjson
	assert_success
	assert_line --index 0 '{"date":null,"channel":"google_ads","total_bookings":2,"total_spend":null,"cost_per_booking":null}'
	assert_line --index 3 'mx-join-spend: 3 metrics rows, 7 spend rows, 0 rejected; 3 rows out: 0 matched, 3 metrics only, 7 spend only, 7 left out by --join'
	assert_line --index 4 'mx-join-spend: 1 metrics row with a null key (matching no spend)'
}

@test "keys compare by value: 1.0 is 1, the string \"1\" is not" {
	printf '{"week":1,"channel":"c","spend":10}\n{"week":"2","channel":"c","spend":20}\n' > s.ndjson
	printf '{"week":1.0,"channel":"c","total_bookings":2}\n{"week":2,"channel":"c","total_bookings":2}\n' > m.ndjson
	run mx-join-spend -s s.ndjson -k week,channel m.ndjson
	assert_success
	assert_output - <<'EOF'
{"week":1.0,"channel":"c","total_bookings":2,"total_spend":10.00,"cost_per_booking":5.00}
{"week":2,"channel":"c","total_bookings":2,"total_spend":null,"cost_per_booking":null}
{"week":"2","channel":"c","total_bookings":0,"total_spend":20.00,"cost_per_booking":null}
EOF
}

@test "spend keys may be field expressions: a date from a timestamp" {
	printf '{"ts":"2024-03-01T23:30:00-02:00","src":"fb","cost":"9.99"}\n' > s.ndjson
	printf '{"booking_date":"2024-03-02","channel":"fb","total_bookings":3}\n' > m.ndjson
	run mx-join-spend -s s.ndjson -k 'booking_date=date(ts),channel=src' \
	    --spend-field cost m.ndjson
	assert_success
	assert_output '{"booking_date":"2024-03-02","channel":"fb","total_bookings":3,"total_spend":9.99,"cost_per_booking":3.33}'
	printf '{"ts":"yesterday","src":"fb","cost":1}\n' > bad.ndjson
	run mx-join-spend -s bad.ndjson -k 'booking_date=date(ts),channel=src' \
	    --spend-field cost m.ndjson
	assert_failure 1
	assert_output 'mx-join-spend: bad.ndjson:1: key field ts is not a timestamp: "yesterday"'
}

@test "--map: sources mapped to spend channels, unmapped values counted" {
	# fb is the second source of facebook_paid_ads: without --sum that
	# would charge its spend twice
	run mx-join-spend -s join-spend.ndjson -k booking_date=date,utm_source=channel \
	    --map join-channels.tsv join-by-source.ndjson
	assert_failure 1
	assert_line --index 0 '{"booking_date":"2024-03-01","utm_source":"facebook_paid_ads","total_bookings":5,"total_spend":120.00,"cost_per_booking":24.00}'
	assert_line --index 1 'mx-join-spend: join-by-source.ndjson:2: a second metrics row for one key (the first is join-by-source.ndjson:1); --sum adds them up'
	# --sum: facebook 5 + fb 3 = 8 bookings for 120.00 = 15.00 each
	run mx-join-spend -s join-spend.ndjson -k booking_date=date,utm_source=channel \
	    --map join-channels.tsv --sum --stats st.json -v join-by-source.ndjson
	assert_success
	assert_output - <<'EOF'
{"booking_date":"2024-03-01","utm_source":null,"total_bookings":2,"total_spend":null,"cost_per_booking":null}
{"booking_date":"2024-03-01","utm_source":"facebook_paid_ads","total_bookings":8,"total_spend":120.00,"cost_per_booking":15.00}
{"booking_date":"2024-03-01","utm_source":"google_ads","total_bookings":4,"total_spend":75.50,"cost_per_booking":18.88}
{"booking_date":"2024-03-01","utm_source":"linkedin_ads","total_bookings":0,"total_spend":10.00,"cost_per_booking":null}
{"booking_date":"2024-03-01","utm_source":"tiktok","total_bookings":1,"total_spend":null,"cost_per_booking":null}
{"booking_date":"2024-03-02","utm_source":"facebook_paid_ads","total_bookings":0,"total_spend":0.00,"cost_per_booking":null}
{"booking_date":"2024-03-02","utm_source":"google_ads","total_bookings":0,"total_spend":40.10,"cost_per_booking":null}
{"booking_date":"2024-03-02","utm_source":"tiktok","total_bookings":2,"total_spend":null,"cost_per_booking":null}
{"booking_date":"2024-03-03","utm_source":"facebook_paid_ads","total_bookings":0,"total_spend":0.00,"cost_per_booking":null}
{"booking_date":"2024-03-03","utm_source":"linkedin_ads","total_bookings":0,"total_spend":33.333,"cost_per_booking":null}
mx-join-spend: 6 metrics rows, 7 spend rows, 0 rejected; 10 rows out: 2 matched, 3 metrics only, 5 spend only, 0 left out by --join
mx-join-spend: 1 metrics row with a null key (matching no spend)
mx-join-spend: --map: 3 rows mapped, 2 not
mx-join-spend: --map: "tiktok" not mapped (2 rows)
EOF
	run cat st.json
	assert_output '{"tool":"mx-join-spend","mode":"join","metrics":6,"spend":7,"rejected":0,"blank":0,"out":10,"matched":2,"metrics_only":3,"spend_only":5,"dropped":0,"null_keys":1,"mapped":3,"unmapped":2,"unmapped_values":[{"value":"tiktok","rows":2}],"unmapped_other":0}'
}

@test "--map: the mapped value replaces the source in place; --map-key" {
	printf '{"day":"d","src":"fb","n":1,"extra":{"k":[1,2]}}\n{"day":"d","src":7,"n":1}\n' > m.ndjson
	printf '{"date":"d","channel":"facebook_paid_ads","spend":3}\n{"date":"d","channel":"tv","spend":5}\n' > s.ndjson
	printf 'fb\tfacebook_paid_ads\n7\ttv\n' > map.tsv
	run mx-join-spend -s s.ndjson -k day=date,src=channel --bookings n \
	    --map map.tsv m.ndjson
	assert_success
	assert_output - <<'EOF'
{"day":"d","src":"facebook_paid_ads","n":1,"extra":{"k":[1,2]},"total_spend":3.00,"cost_per_booking":3.00}
{"day":"d","src":"tv","n":1,"total_spend":5.00,"cost_per_booking":5.00}
EOF
	# mapping the first key instead: nothing matches
	printf 'd\tfacebook_paid_ads\n' > daymap.tsv
	run sh -c 'mx-join-spend -s s.ndjson -k day=date,src=channel --bookings n --map daymap.tsv --map-key day m.ndjson | jq -c "[.day, .total_spend]"'
	assert_success
	assert_output $'["facebook_paid_ads",null]\n["facebook_paid_ads",null]\n["d",3]\n["d",5]'
	run mx-join-spend -s s.ndjson --map map.tsv --map-key nokey m.ndjson
	assert_failure 2
	assert_output --partial 'mx-join-spend: --map-key: nokey is not a key'
}

@test "--map file errors name the file and line" {
	printf '# c\nfb\tfacebook\n\nfb\tmeta\n' > dup.tsv
	run mx-join-spend -s join-spend.ndjson --map dup.tsv join-bookings.ndjson
	assert_failure 1
	assert_output "mx-join-spend: dup.tsv:4: source value 'fb' is mapped already at line 2"
	printf 'fb facebook\n' > notab.tsv
	run mx-join-spend -s join-spend.ndjson --map notab.tsv join-bookings.ndjson
	assert_failure 1
	assert_output 'mx-join-spend: notab.tsv:1: expected two fields separated by one tab: source value, channel'
	printf 'a\tb\tc\n' > three.tsv
	run mx-join-spend -s join-spend.ndjson --map three.tsv join-bookings.ndjson
	assert_failure 1
	assert_output --partial 'three.tsv:1: expected two fields'
	printf 'fb\t\n' > empty.tsv
	run mx-join-spend -s join-spend.ndjson --map empty.tsv join-bookings.ndjson
	assert_failure 1
	assert_output 'mx-join-spend: empty.tsv:1: empty channel'
	run mx-join-spend -s join-spend.ndjson --map nosuch.tsv join-bookings.ndjson
	assert_failure 1
	assert_output 'mx-join-spend: --map nosuch.tsv: No such file or directory'
}

@test "--sum adds metrics exactly; a missing or null metric counts as 0" {
	printf '%s\n' '{"date":"d","channel":"c","revenue":"0.10","clicks":2}' \
	    '{"date":"d","channel":"c","revenue":0.20,"clicks":null}' \
	    '{"date":"d","channel":"c","extra":"dropped"}' > m.ndjson
	printf '{"date":"d","channel":"c","spend":0.6}\n' > s.ndjson
	# revenue 0.1 + 0.2 = 0.30 exactly; roas 0.30/0.6 = 0.5; cpc 0.6/2
	run mx-join-spend -s s.ndjson --sum m.ndjson
	assert_success
	assert_output '{"date":"d","channel":"c","clicks":2,"revenue":0.30,"total_spend":0.60,"cpc":0.30,"roas":0.5000}'
}

@test "--sum: a sum past 38 digits rejects the row whole" {
	n=99999999999999999999999999999999999999
	printf '{"date":"d","channel":"c","clicks":%s,"revenue":%s}\n' 1 $n 5 $n > m.ndjson
	printf '{"date":"d","channel":"c","spend":1}\n' > s.ndjson
	run mx-join-spend -s s.ndjson --sum m.ndjson
	assert_failure 1
	assert_output 'mx-join-spend: m.ndjson:2: the sum of revenue overflows 38 digits'
	# the clicks of the rejected row are not counted either; n / 1 to four
	# places does not fit 38 digits: null
	run mx-join-spend -s s.ndjson --sum --rejects rej.ndjson m.ndjson
	assert_success
	assert_output "{\"date\":\"d\",\"channel\":\"c\",\"clicks\":1,\"revenue\":$n,\"total_spend\":1.00,\"cpc\":1.00,\"roas\":null}"
}

@test "standard input, -s -, blank lines, gzip, same bytes twice" {
	run sh -c 'mx-join-spend -s join-spend.ndjson -k booking_date=date,channel < join-bookings.ndjson | cksum'
	want=$output
	run sh -c 'cat join-spend.ndjson | mx-join-spend -s - -k booking_date=date,channel join-bookings.ndjson | cksum'
	assert_output "$want"
	{ echo; cat join-bookings.ndjson; printf '  \r\n'; } | gzip > m.gz
	run sh -c 'mx-join-spend -s join-spend.ndjson -k booking_date=date,channel --stats st.json m.gz | cksum'
	assert_output "$want"
	run jq .blank st.json
	assert_output 2
	run sh -c 'mx-join-spend -s - < join-spend.ndjson'
	assert_failure 2
	assert_output --partial 'the metrics must then come from files'
	run sh -c 'mx-join-spend -s - join-ads.ndjson - < join-spend.ndjson'
	assert_failure 2
	assert_output --partial 'the metrics must then come from files'
	run sh -c 'mx-join-spend -s - -k booking_date=date,channel join-bookings.ndjson join-by-source.ndjson < join-spend.ndjson'
	assert_failure 1
	assert_output --partial 'join-by-source.ndjson:1: key field channel is missing'
}

@test "the join agrees with DuckDB's FULL OUTER JOIN" {
	command -v node > /dev/null || skip "node not installed"
	DUCK="$BATS_TEST_DIRNAME/../duckdb.mjs"
	[ -d "$BATS_TEST_DIRNAME/../node_modules/@duckdb" ] || skip "DuckDB not installed"
	node "$DUCK" "SELECT COALESCE(m.booking_date, s.date) AS d,
	    COALESCE(m.channel, s.channel) AS c,
	    COALESCE(m.total_bookings, 0) AS b, s.spend AS s,
	    CASE WHEN COALESCE(m.total_bookings, 0) = 0 THEN NULL
	    ELSE ROUND(s.spend / m.total_bookings, 2) END AS cpb
	    FROM read_ndjson('join-bookings.ndjson', columns={booking_date: 'VARCHAR',
	    channel: 'VARCHAR', total_bookings: 'BIGINT'}) m FULL OUTER JOIN
	    read_ndjson('join-spend.ndjson', columns={date: 'VARCHAR',
	    channel: 'VARCHAR', spend: 'DECIMAL(18,4)'}) s
	    ON m.booking_date = s.date AND m.channel = s.channel" |
	    jq -c '[.d, .c, (.b | tonumber), (.s | if . == null then null else tonumber end), (.cpb | if . == null then null else tonumber end)]' |
	    sort > duck
	mx-join-spend -s join-spend.ndjson -k booking_date=date,channel join-bookings.ndjson |
	    jq -c '[.booking_date, .channel, .total_bookings, .total_spend, .cost_per_booking]' |
	    sort > mx
	[ "$(wc -l < mx)" -eq 8 ]
	run diff duck mx
	assert_success
}

@test "bad command lines are usage errors" {
	run mx-join-spend join-bookings.ndjson
	assert_failure 2
	assert_line --index 0 'mx-join-spend: no spend file (-s)'
	assert_line --index 1 --partial 'usage: mx-join-spend'
	run mx-join-spend -s join-spend.ndjson --join outer
	assert_failure 2
	assert_line --index 0 "mx-join-spend: --join: unknown value 'outer'"
	run mx-join-spend -s join-spend.ndjson --max-memory 12x
	assert_failure 2
	assert_line --index 0 "mx-join-spend: --max-memory: '12x' is not a size such as 512M"
	run mx-join-spend -s join-spend.ndjson -k total_spend=date
	assert_failure 2
	assert_line --index 0 'mx-join-spend: the output would have the field total_spend twice'
	run mx-join-spend -s join-spend.ndjson -k 'd=nofn(x)'
	assert_failure 2
	assert_line --index 0 --partial "mx-join-spend: -k: unknown function 'nofn'"
	run mx-join-spend -s nosuch.ndjson join-bookings.ndjson
	assert_failure 1
	assert_output 'mx-join-spend: nosuch.ndjson: No such file or directory'
}

@test "--max-memory: too many keys in memory is an error naming the row" {
	python3 -c '
for i in range(5000): print("{\"date\":\"d%d\",\"channel\":\"c\",\"total_bookings\":1}" % i)' > m.ndjson
	run sh -c 'mx-join-spend -s join-spend.ndjson --sum --max-memory 4M m.ndjson | wc -l'
	assert_success
	assert_output 5007
	run mx-join-spend -s join-spend.ndjson --sum --max-memory 1M m.ndjson
	assert_failure 1
	assert_output --regexp '^mx-join-spend: m\.ndjson:[0-9]+: the [0-9]+ keys held in memory take more than --max-memory 1M$'
}

@test "a closed stdout ends quietly; a full disk is exit 1" {
	python3 -c '
for i in range(200000): print("{\"date\":\"d%d\",\"channel\":\"c\",\"total_bookings\":1}" % i)' > big.ndjson
	run bash -c 'mx-join-spend -s join-spend.ndjson big.ndjson | head -1; echo "status ${PIPESTATUS[0]}"'
	assert_line --index 0 '{"date":"d0","channel":"c","total_bookings":1,"total_spend":null,"cost_per_booking":null}'
	assert_line --index 1 'status 141'
	run sh -c 'mx-join-spend -s join-spend.ndjson join-ads.ndjson > /dev/full'
	assert_failure 1
	assert_output 'mx-join-spend: write error: <stdout>: No space left on device'
}

@test "man page examples run as written" {
	cp join-spend.ndjson spend.ndjson
	cp join-bookings.ndjson bookings.ndjson
	grep facebook join-spend.ndjson > facebook.ndjson
	grep -v facebook join-spend.ndjson > google.ndjson
	cp join-channels.tsv channels.tsv
	cp join-by-source.ndjson by_source.ndjson
	printf '{"date":"2024-03-01","channel":"google_ads","link_clicks":151,"purchase_value":302}\n' > report.ndjson
	man_example mx-join-spend.1 | sed -n '/^\.Bd/,/^\.Ed/p' | grep -v '^\.' |
	    grep '^mx-join-spend\|^  ' | sed 's/\\e$/\\/' > examples.sh
	run bash -c 'set -e; . ./examples.sh'
	assert_success
	assert_output --partial 'mx-join-spend: --map: "tiktok" not mapped (2 rows)'
	run sed -n 2p cost.ndjson
	assert_output '{"booking_date":"2024-03-01","channel":"google_ads","total_bookings":4,"total_spend":75.50,"cost_per_booking":18.88}'
	run sed -n 2p cost_by_channel.ndjson
	assert_output '{"booking_date":"2024-03-01","utm_source":"facebook_paid_ads","total_bookings":8,"total_spend":120.00,"cost_per_booking":15.00}'
	# 75.50 / 151 = 0.5; 302 / 75.50 = 4
	run sed -n 1p ads.ndjson
	assert_output '{"date":"2024-03-01","channel":"google_ads","link_clicks":151,"purchase_value":302,"total_spend":75.5000,"cpc":0.5000,"roas":4.0000}'
}
