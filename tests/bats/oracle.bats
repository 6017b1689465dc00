#!/usr/bin/env bats
# The oracle: every gold table computed again in DuckDB from its written
# definition (scripts/catalog/<table>.md, the contracts, the channel map)
# over the raw files (tests/oracle/*.sql), and compared with the table
# scripts/lake built: the same rows, in the catalog's order, strings and
# integers equal, money equal as exact decimals, ratios equal as written.
#
# The raw data: a week of every domain from mx-gen (duplicates, same-key
# duplicates, late, invalid and malformed lines), a second CRM batch of an
# earlier month (other orders, the same customer ids), and the hand-made
# edge records of tests/oracle/edges, then, in a second run, those of
# tests/oracle/edges-run2.  The runs' time is
# 2024-03-10T12:00:00Z, so that the last half day is in the future and
# max=_ingested_at rejects it.

load helper

TOP="$BATS_TEST_DIRNAME/../.."
ORACLE="$TOP/tests/oracle"
DUCKDB="$BATS_TEST_DIRNAME/../node_modules/@duckdb"
EPOCH=1710072000	# 2024-03-10T12:00:00Z
RATES=(--dup-rate 1% --key-dup-rate 2% --late-rate 2% --invalid-rate 1% --malformed-rate 0.5%)

# rawdata DIR: the raw files, DIR/<source>/<file>, delivered in name order
# (mx-gen writes into DIR.gen first)
rawdata() {
	local raw=$1 g=$1.gen s
	mkdir -p "$g" || return 1
	mx-gen -n 1000 -s 7 --from 2024-03-04 --to 2024-03-10 "${RATES[@]}" -d "$g/mar" all || return 1
	mx-gen -n 200 -s 8 --from 2024-02-24 --to 2024-02-25 "${RATES[@]}" -d "$g/feb" crm || return 1
	for s in ecommerce spend adclicks calendly meta_ads_insights ga4_events; do
		mkdir -p "$raw/$s" && mv "$g/mar/$s.ndjson" "$raw/$s/batch-1.ndjson" || return 1
	done
	for s in customers online_sales marketing_spend retail_customers \
	    retail_sales retail_coupons retail_spend retail_tax \
	    hubspot_contacts hubspot_deals fx_rates; do
		mkdir -p "$raw/$s" && mv "$g/mar/$s.csv" "$raw/$s/b-2024-03.csv" || return 1
	done
	# February first by name; its order ids O9... apart from March's O0...
	mv "$g/feb/customers.csv" "$raw/customers/a-2024-02.csv" &&
	    mv "$g/feb/marketing_spend.csv" "$raw/marketing_spend/a-2024-02.csv" &&
	    sed 's/^O0/O9/' "$g/feb/online_sales.csv" > "$raw/online_sales/a-2024-02.csv" &&
	    cp -R "$ORACLE/edges/." "$raw/" && rm -r "$g"
}

# The raw data and the lake, once for the file, in two runs at one time:
# the second, of the crm domain, takes in tests/oracle/edges-run2 (late CRM
# records: an order earlier than a customer's first, restatements into
# another partition).
# Run 2's files come after run 1's by name, so that name order is delivered
# order.  The lake's output and exit status are kept for the test that
# checks them.
setup_file() {
	[ -d "$DUCKDB" ] || return 0
	local r=$BATS_FILE_TMPDIR/raw l=$BATS_FILE_TMPDIR/lake
	rawdata "$r" > "$BATS_FILE_TMPDIR/gen.out" 2>&1 || { echo 1 > "$BATS_FILE_TMPDIR/gen.status"; return 0; }
	echo 0 > "$BATS_FILE_TMPDIR/gen.status"
	SOURCE_DATE_EPOCH=$EPOCH "$TOP/scripts/lake" -r "$r" -l "$l" > "$BATS_FILE_TMPDIR/lake.out" 2>&1
	echo $? > "$BATS_FILE_TMPDIR/lake.status"
	cp -R "$ORACLE/edges-run2/." "$r/"
	SOURCE_DATE_EPOCH=$EPOCH "$TOP/scripts/lake" -r "$r" -l "$l" crm > "$BATS_FILE_TMPDIR/lake2.out" 2>&1
	echo $? > "$BATS_FILE_TMPDIR/lake2.status"
}

need_lake() {
	[ -d "$DUCKDB" ] || skip "DuckDB not installed"
	R="$BATS_FILE_TMPDIR/raw" L="$BATS_FILE_TMPDIR/lake"
	[ "$(cat "$BATS_FILE_TMPDIR/gen.status")" = 0 ] || fail "mx-gen failed: $(cat "$BATS_FILE_TMPDIR/gen.out")"
}

# The gold tables of a domain, as the catalog says: its "- domain:" line
# names it, alone or in a list separated by commas (dim_date is conformed:
# "- domain: retail, growth").
tables() {
	grep -lE "^- domain: (.*, *)?$1( *,.*)?\$" "$TOP"/scripts/catalog/*.md | sed 's|.*/||; s|\.md$||'
}

oracle() {
	run node "$ORACLE/run.mjs" --epoch "$EPOCH" "$@"
}

@test "oracle: every gold table of the catalog has a query, every query a table" {
	run bash -c "ls '$TOP/scripts/catalog' | grep -v '^README.md\$' | sed 's/\\.md\$//'"
	assert_success
	catalog=$output
	run bash -c "ls '$ORACLE' | grep '\\.sql\$' | grep -v '^lib.sql\$' | sed 's/\\.sql\$//'"
	assert_success
	assert_equal "$output" "$catalog"
	[ "$(echo "$catalog" | wc -l)" -eq 46 ]
	for d in ecommerce calendly adclicks crm retail growth; do
		tables $d
	done | sort -u > domains
	assert_equal "$(cat domains)" "$catalog"
}

@test "oracle: the lake builds from the oracle's raw data, in two runs" {
	need_lake
	run cat "$BATS_FILE_TMPDIR/lake.out"
	[ "$(cat "$BATS_FILE_TMPDIR/lake.status")" = 0 ] || fail "scripts/lake failed: $output"
	assert_output --partial 'run 20240310T120000Z-0001 done'
	run cat "$BATS_FILE_TMPDIR/lake2.out"
	[ "$(cat "$BATS_FILE_TMPDIR/lake2.status")" = 0 ] || fail "scripts/lake, run 2, failed: $output"
	assert_output --partial 'run 20240310T120000Z-0002 done'
}

@test "oracle: the comparison finds a changed value, a missing row and another order" {
	need_lake
	mkdir -p l/gold
	# a count one more on the second row
	sed '2s/"events":\([0-9]*\)/"events":1\1/' "$L/gold/user_activity.ndjson" > l/gold/user_activity.ndjson
	# the last row gone
	sed '$d' "$L/gold/hourly_revenue.ndjson" > l/gold/hourly_revenue.ndjson
	# the first two rows swapped
	{ sed -n 2p "$L/gold/category_performance.ndjson"; sed -n 1p "$L/gold/category_performance.ndjson"
	  sed 1,2d "$L/gold/category_performance.ndjson"; } > l/gold/category_performance.ndjson
	# a ratio written with fewer places than its scale
	sed -E '1s/"view_to_cart":([0-9]+\.[0-9]{2})[0-9]{2}/"view_to_cart":\1/' "$L/gold/conversion_funnel.ndjson" > l/gold/conversion_funnel.ndjson
	! cmp -s l/gold/conversion_funnel.ndjson "$L/gold/conversion_funnel.ndjson"
	# a surrogate key that is another row's
	k=$(sed -n 3p "$L/gold/fct_sales.ndjson" | jq -r .sales_key)
	sed "2s/\"sales_key\":\"[0-9a-f]*\"/\"sales_key\":\"$k\"/" "$L/gold/fct_sales.ndjson" > l/gold/fct_sales.ndjson
	! cmp -s l/gold/fct_sales.ndjson "$L/gold/fct_sales.ndjson"
	oracle --raw "$R" --lake l user_activity hourly_revenue category_performance conversion_funnel fct_sales
	assert_failure 1
	assert_line --regexp "^  row 2: sales_key: lake \"$k\", oracle \"[0-9a-f]{16}\"\$"
	assert_line --partial 'FAIL user_activity: '
	assert_line --regexp '^  row 2: events: lake 1[0-9]+, oracle [0-9]+$'
	assert_line --regexp '^FAIL hourly_revenue: [0-9]+ rows in the lake, [0-9]+ in the oracle: 0 rows only in the lake, 1 only in the oracle$'
	assert_line --regexp '^FAIL category_performance: .*: the same rows \(by value\), in another order$'
	assert_line --regexp '^  row 1: view_to_cart: lake [0-9.]+, oracle [0-9.]+ \(4 places\)$'
}

@test "oracle: ecommerce" {
	need_lake
	oracle --raw "$R" --lake "$L" $(tables ecommerce)
	assert_success
}

@test "oracle: calendly" {
	need_lake
	oracle --raw "$R" --lake "$L" $(tables calendly)
	assert_success
}

@test "oracle: adclicks" {
	need_lake
	oracle --raw "$R" --lake "$L" $(tables adclicks)
	assert_success
}

@test "oracle: crm" {
	need_lake
	oracle --raw "$R" --lake "$L" $(tables crm)
	assert_success
}

@test "oracle: retail" {
	need_lake
	oracle --raw "$R" --lake "$L" $(tables retail)
	assert_success
}

@test "oracle: growth" {
	need_lake
	oracle --raw "$R" --lake "$L" $(tables growth)
	assert_success
}

@test "oracle: crm: each customer's _rid is the XXH3 of its raw record" {
	need_lake
	command -v xxhsum > /dev/null || skip "xxhsum is not installed"
	run jq -r '"\(._source)\t\(._line)\t\(._rid)"' "$L/gold/customers.ndjson"
	assert_success
	[ -n "$output" ]
	echo "$output" > rows.tsv
	# each row's raw line, without its line ending, in rec/<row>-<_rid>
	mkdir rec
	for f in "$R"/customers/*; do
		awk -F '\t' -v src="customers/${f##*/}" '
			NR == FNR { if ($1 == src) want[$2] = "rec/" FNR "-" $3; next }
			FNR in want { sub(/\r$/, ""); printf "%s", $0 > want[FNR]; close(want[FNR]) }
		' rows.tsv "$f"
	done
	# xxhsum: "XXH3 (rec/<row>-<_rid>) = <hash>", one line a file
	xxhsum -H3 rec/* 2> /dev/null > sums
	[ "$(wc -l < sums)" -eq "$(wc -l < rows.tsv)" ]
	run awk '{ rid = $2; sub(/^\(rec\/[0-9]+-/, "", rid); sub(/\)$/, "", rid); if (rid != $4) print }' sums
	assert_success
	assert_output ''
}

@test "oracle: adclicks: events without a budget_value, which the contract allows" {
	[ -d "$DUCKDB" ] || skip "DuckDB not installed"
	mkdir -p raw/adclicks
	cp "$ORACLE/edges/adclicks/edge.ndjson" raw/adclicks/edge.ndjson
	cp "$ORACLE/edges-null-budget/adclicks/edge.ndjson" raw/adclicks/edge-null-budget.ndjson
	SOURCE_DATE_EPOCH=$EPOCH run "$TOP/scripts/lake" -r raw -l lake adclicks
	assert_success
	oracle --raw raw --lake lake $(tables adclicks)
	assert_success
}
