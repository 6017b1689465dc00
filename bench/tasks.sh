# bench/tasks.sh: what every tool runs for every task, and how the output
# is checked.  Sourced by bench/run (and by each timed command).
#
# A task is a name in TASKS with:
#   input_<task>       the data file it reads (events, raw, dups, adclicks, ...)
#   need_<task>        the mx programs it needs; a missing one is a row
#                      "missing" in the results
#   mx_<task>          the mx command line
#   jq_<task>, mlr_<task>
#                      the same work with jq and with Miller
#   sql_<task>         the same work in DuckDB: sets the array SQL to the
#                      statements, run in order by tests/duckdb.mjs
#   check_<task>       prints key=value facts about the output in $OUT
#   expect_<task>      prints the facts it must show, from mx-gen's stats
# Facts whose key begins with x_ have no oracle: every tool must agree.
#
# The commands see IN (the input file), OUT (an empty directory for their
# output), BENCH (this directory) and STATS (mx-gen's --stats of IN).

TASKS="parse validate dedup latest revenue distinct gold5 join join2 join2m
    partition pipeline lake lake1 noop snapshot kmeans unique stats calc budget"

CONTRACT="$BENCH/contracts/ecommerce.contract"

# ---- the work, written once per tool ----

# The contract of contracts/ecommerce.contract, as a jq filter.
JQ_VALID='def ts: type == "string" and
    (try (sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601 | true) catch false);
select((.event_id | type) == "string"
    and (.timestamp | ts)
    and (.user_id | type) == "string"
    and (.event_type | IN("page_view", "add_to_cart", "remove_from_cart",
        "purchase", "search"))
    and (.product_id == null or (.product_id | type) == "string")
    and (.quantity == null or ((.quantity | type) == "number" and
        .quantity == (.quantity | floor) and .quantity >= 1))
    and (.price == null or ((.price | type) == "number" and .price >= 0))
    and (.category == null or (.category | type) == "string"))
| {event_id, timestamp, user_id, event_type, product_id, quantity, price,
    category}'

# The same in Miller's DSL.
MLR_VALID='is_string($event_id)
    && is_string($timestamp)
    && !is_error(strptime($timestamp, "%Y-%m-%dT%H:%M:%SZ"))
    && is_string($user_id)
    && ($event_type == "page_view" || $event_type == "add_to_cart" ||
        $event_type == "remove_from_cart" || $event_type == "purchase" ||
        $event_type == "search")
    && (is_null($product_id) || is_string($product_id))
    && (is_null($quantity) || (is_int($quantity) && $quantity >= 1))
    && (is_null($price) || (is_numeric($price) && $price >= 0))
    && (is_null($category) || is_string($category))'
MLR_FIELDS=event_id,timestamp,user_id,event_type,product_id,quantity,price,category

# And in SQL: every field read as text, then cast, as the contract casts.
SQL_TEXT="read_ndjson('\$IN', columns = {event_id: 'VARCHAR',
      \"timestamp\": 'VARCHAR', user_id: 'VARCHAR', session_id: 'VARCHAR',
      event_type: 'VARCHAR', product_id: 'VARCHAR', quantity: 'VARCHAR',
      price: 'VARCHAR', category: 'VARCHAR', search_query: 'VARCHAR'})"
SQL_VALID="SELECT event_id, ts AS timestamp, user_id, event_type, product_id,
    q AS quantity, p AS price, category
  FROM (SELECT *, TRY_CAST(\"timestamp\" AS TIMESTAMPTZ) AS ts,
      TRY_CAST(quantity AS BIGINT) AS q,
      TRY_CAST(quantity AS DOUBLE) AS qd,
      TRY_CAST(price AS DECIMAL(18, 2)) AS p
    FROM $SQL_TEXT)
  WHERE event_id IS NOT NULL AND ts IS NOT NULL AND user_id IS NOT NULL
    AND event_type IN ('page_view', 'add_to_cart', 'remove_from_cart',
      'purchase', 'search')
    AND (quantity IS NULL OR (q = qd AND q >= 1))
    AND (price IS NULL OR p >= 0)"

# Hourly revenue of purchases.  jq and Miller cut the UTC timestamp's text;
# mx and DuckDB parse it.
JQ_REVENUE='reduce (inputs | select(.event_type == "purchase")) as $r ({};
    .[$r.timestamp[0:13]] |= {revenue: ((.revenue // 0) + $r.price * $r.quantity),
        transactions: ((.transactions // 0) + 1)})
| to_entries[] | {event_date: .key[0:10], event_hour: (.key[11:13] | tonumber),
    revenue: .value.revenue, transactions: .value.transactions}'
mlr_hourly() {
	mlr --ijsonl --ojsonl filter '$event_type == "purchase"' \
	    then put '$event_date = substr($timestamp, 0, 9);
	        $event_hour = int(sub(substr($timestamp, 11, 12), "^0", ""));
	        $amount = $price * $quantity' \
	    then stats1 -a sum,count -f amount -g event_date,event_hour \
	    then rename amount_sum,revenue,amount_count,transactions "$@"
}
SQL_REVENUE="SELECT CAST(\"timestamp\" AS DATE) AS event_date,
    hour(\"timestamp\") AS event_hour,
    sum(CAST(price AS DECIMAL(18, 2)) * quantity) AS revenue,
    count(*) AS transactions"
MX_GROUP='event_date=date(timestamp),event_hour=hour(timestamp)'
MX_AGGS='revenue=sum_product(price,quantity),transactions=count()'

# Dedup keeping the first record of each event_id.  jq 1.6 copies a
# foreach or reduce state on every step (a million keys: hours), so jq's
# users hand the keys to awk.
JQ_KEYED='"\(.event_id)\t\(tojson)"'
AWK_FIRST='!seen[$1]++ { print $2 }'
SQL_FIRST="QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY rn) = 1
  ORDER BY rn"

# Partition by date: jq cannot write files, awk does.
JQ_DATED='"\(.timestamp[0:10])\t\(tojson)"'
AWK_SPLIT='{ d = dir "/event_date=" $1; f = d "/part.ndjson"
    if (!(f in open)) { open[f]; system("mkdir -p \"" d "\"") }
    print $2 > f }'

# ---- the tasks ----

# Parse every record and write it again.
input_parse=events
need_parse=mx-ingest
mx_parse() { mx-ingest "$IN" > "$OUT/out.ndjson"; }
jq_parse() { jq -c . "$IN" > "$OUT/out.ndjson"; }
mlr_parse() { mlr --ijsonl --ojsonl cat "$IN" > "$OUT/out.ndjson"; }
sql_parse() {
	SQL=("COPY (SELECT * FROM read_ndjson('$IN'))
	    TO '$OUT/out.ndjson' (FORMAT json)")
}
check_parse() { ndjson_facts "$OUT/out.ndjson"; }
expect_parse() { stats_facts lines purchases revenue time_sum; }

# Apply the contract: valid records projected to its fields (mx also writes
# the invalid ones, with reasons, to a rejects file; the peers drop them).
input_validate=raw
need_validate=mx-validate
mx_validate() {
	mx-validate -c "$CONTRACT" --rejects "$OUT/rejects.ndjson" < "$IN" \
	    > "$OUT/out.ndjson"
}
jq_validate() { jq -c "$JQ_VALID" "$IN" > "$OUT/out.ndjson"; }
mlr_validate() {
	mlr --ijsonl --ojsonl filter "$MLR_VALID" then cut -o -f "$MLR_FIELDS" \
	    "$IN" > "$OUT/out.ndjson"
}
sql_validate() {
	SQL=("COPY (${SQL_VALID//\$IN/$IN}) TO '$OUT/out.ndjson' (FORMAT json)")
}
check_validate() {
	echo "lines=$(wc -l < "$OUT/out.ndjson")"
	if [ -f "$OUT/rejects.ndjson" ]; then
		echo "rejects=$(wc -l < "$OUT/rejects.ndjson")"
	fi
}
expect_validate() {
	echo "lines=$(( $(stat_of lines) - $(stat_of invalid) ))"
}

# One record per event_id, the first, in input order.
input_dedup=dups
need_dedup=mx-dedup
mx_dedup() { mx-dedup -k event_id "$IN" > "$OUT/out.ndjson"; }
jq_dedup() {
	jq -r "$JQ_KEYED" "$IN" | awk -F '\t' "$AWK_FIRST" > "$OUT/out.ndjson"
}
mlr_dedup() {
	mlr --ijsonl --ojsonl head -n 1 -g event_id "$IN" > "$OUT/out.ndjson"
}
sql_dedup() {
	SQL=("COPY (SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER ()
	    AS rn FROM read_ndjson('$IN')) $SQL_FIRST)
	    TO '$OUT/out.ndjson' (FORMAT json)")
}
check_dedup() { ndjson_facts "$OUT/out.ndjson"; }
expect_dedup() {
	echo "lines=$(stat_of records)"
	stats_facts purchases revenue time_sum
}

# One record per event_id, the one with the latest timestamp (a re-sent
# event is stamped later).  The timestamps have one form, so jq's users
# sort them as text.
input_latest=dups
need_latest=mx-dedup
mx_latest() {
	mx-dedup -k event_id --latest-by timestamp "$IN" > "$OUT/out.ndjson"
}
jq_latest() {
	jq -r '"\(.event_id)\t\(.timestamp)\t\(tojson)"' "$IN" |
	    sort -t "$(printf '\t')" -k 1,1 -k 2,2r |
	    awk -F '\t' '!seen[$1]++ { print $3 }' > "$OUT/out.ndjson"
}
mlr_latest() {
	mlr --ijsonl --ojsonl sort -f event_id -r timestamp \
	    then head -n 1 -g event_id "$IN" > "$OUT/out.ndjson"
}
sql_latest() {
	SQL=("COPY (SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER ()
	    AS rn FROM read_ndjson('$IN'))
	    QUALIFY row_number() OVER (PARTITION BY event_id
	      ORDER BY \"timestamp\" DESC, rn DESC) = 1)
	    TO '$OUT/out.ndjson' (FORMAT json)")
}
# mx-gen's sums are of the first deliveries: the tools must agree instead
check_latest() {
	ndjson_facts "$OUT/out.ndjson" |
	    sed 's/^\(purchases\|revenue\|time_sum\)=/x_\1=/'
}
expect_latest() { echo "lines=$(stat_of records)"; }

# Revenue (price x quantity) and transactions of purchases per hour.
input_revenue=events
need_revenue=mx-agg
mx_revenue() {
	mx-agg --where event_type=purchase -g "$MX_GROUP" -a "$MX_AGGS" "$IN" \
	    > "$OUT/out.ndjson"
}
jq_revenue() { jq -n -c "$JQ_REVENUE" "$IN" > "$OUT/out.ndjson"; }
mlr_revenue() { mlr_hourly "$IN" > "$OUT/out.ndjson"; }
sql_revenue() {
	SQL=("COPY ($SQL_REVENUE FROM read_ndjson('$IN')
	    WHERE event_type = 'purchase' GROUP BY ALL)
	    TO '$OUT/out.ndjson' (FORMAT json)")
}
check_revenue() { agg_facts "$OUT/out.ndjson"; }
expect_revenue() { stats_facts purchases revenue; }

# The five gold tables of the e-commerce lake over the events, in one
# read: mx-agg with a set each (--set: each record scanned once for the
# five); DuckDB loads the events into a table once, then runs the five
# queries, as its users would.  jq and Miller have no row: five runs.
input_gold5=events
need_gold5=mx-agg
mx_gold5() {
	mx-agg -w 'product_id!=null' -g product_id \
	    -a 'views=count_if(event_type,page_view)' \
	    -a 'carts=count_if(event_type,add_to_cart)' \
	    -a 'purchases=count_if(event_type,purchase)' -o "$OUT/funnel.ndjson" \
	  --set -w event_type=purchase -g "$MX_GROUP" -a "$MX_AGGS" \
	    -o "$OUT/out.ndjson" \
	  --set -w event_type=page_view -g product_id -a 'views=count()' \
	    --top 10 --by views -o "$OUT/top.ndjson" \
	  --set -w 'category!=null' -g 'event_date=date(timestamp),category' \
	    -a 'events=count(),purchases=count_if(event_type,purchase)' \
	    -a 'revenue=sum_product_if(price,quantity,event_type,purchase)' \
	    -o "$OUT/category.ndjson" \
	  --set -g 'event_date=date(timestamp)' \
	    -a 'users=count_distinct(user_id),sessions=count_distinct(session_id)' \
	    -a 'events=count()' -o "$OUT/users.ndjson" "$IN"
}
sql_gold5() {
	SQL=("CREATE TABLE ev AS SELECT * FROM read_ndjson('$IN')"
	    "COPY (SELECT product_id,
	      count(*) FILTER (WHERE event_type = 'page_view') AS views,
	      count(*) FILTER (WHERE event_type = 'add_to_cart') AS carts,
	      count(*) FILTER (WHERE event_type = 'purchase') AS purchases
	    FROM ev WHERE product_id IS NOT NULL GROUP BY ALL ORDER BY 1)
	    TO '$OUT/funnel.ndjson' (FORMAT json)"
	    "COPY ($SQL_REVENUE FROM ev WHERE event_type = 'purchase'
	    GROUP BY ALL ORDER BY 1, 2) TO '$OUT/out.ndjson' (FORMAT json)"
	    "COPY (SELECT product_id, count(*) AS views FROM ev
	    WHERE event_type = 'page_view' GROUP BY ALL
	    ORDER BY views DESC, product_id LIMIT 10)
	    TO '$OUT/top.ndjson' (FORMAT json)"
	    "COPY (SELECT CAST(\"timestamp\" AS DATE) AS event_date, category,
	      count(*) AS events,
	      count(*) FILTER (WHERE event_type = 'purchase') AS purchases,
	      sum(CAST(price AS DECIMAL(18, 2)) * quantity)
	        FILTER (WHERE event_type = 'purchase') AS revenue
	    FROM ev WHERE category IS NOT NULL GROUP BY ALL ORDER BY 1, 2)
	    TO '$OUT/category.ndjson' (FORMAT json)"
	    "COPY (SELECT CAST(\"timestamp\" AS DATE) AS event_date,
	      count(DISTINCT user_id) AS users,
	      count(DISTINCT session_id) AS sessions, count(*) AS events
	    FROM ev GROUP BY ALL ORDER BY 1)
	    TO '$OUT/users.ndjson' (FORMAT json)")
}
# (the hourly revenue against mx-gen's sums; the users' events add up
# to the records)
check_gold5() {
	agg_facts "$OUT/out.ndjson"
	jq -n '[inputs.events] | add' "$OUT/users.ndjson" | sed 's/^/lines=/'
}
expect_gold5() { stats_facts purchases revenue; echo "lines=$(stat_of records)"; }

# Exact distinct users per day.  jq's users sort the pairs (a reduce over
# a million records copies its state each time); Miller counts distinct
# pairs, then pairs per day.
input_distinct=events
need_distinct=mx-agg
mx_distinct() {
	mx-agg -g 'event_date=date(timestamp)' -a 'users=count_distinct(user_id)' \
	    "$IN" > "$OUT/out.ndjson"
}
jq_distinct() {
	jq -r '"\(.timestamp[0:10])\t\(.user_id)"' "$IN" | sort -u | cut -f 1 |
	    uniq -c | awk '{ printf "{\"event_date\":\"%s\",\"users\":%d}\n", $2, $1 }' \
	    > "$OUT/out.ndjson"
}
mlr_distinct() {
	mlr --ijsonl --ojsonl put '$event_date = substr($timestamp, 0, 9)' \
	    then count-distinct -f event_date,user_id \
	    then count -g event_date -o users "$IN" > "$OUT/out.ndjson"
}
sql_distinct() {
	SQL=("COPY (SELECT CAST(\"timestamp\" AS DATE) AS event_date,
	    count(DISTINCT user_id) AS users FROM read_ndjson('$IN') GROUP BY ALL)
	    TO '$OUT/out.ndjson' (FORMAT json)")
}
check_distinct() {
	jq -n -r 'reduce inputs as $r ({n: 0, u: 0}; .n += 1
	    | .u += ($r.users | tonumber)) | "x_rows=\(.n)\nx_users=\(.u)"' \
	    "$OUT/out.ndjson"
}
expect_distinct() { :; }

# Metrics joined with spend: N rows of bookings per day and channel, full
# outer join with N/100 spend rows, cost per booking.  bench/run writes
# both files.  jq and Miller have no row.
input_join=metrics
need_join=mx-join-spend
mx_join() {
	mx-join-spend -s "${IN%/*}/spend.ndjson" -k booking_date=date,channel \
	    "$IN" > "$OUT/out.ndjson"
}
sql_join() {
	SQL=("COPY (SELECT coalesce(m.booking_date, s.date) AS booking_date,
	    coalesce(m.channel, s.channel) AS channel,
	    coalesce(m.total_bookings, 0) AS total_bookings,
	    coalesce(s.spend, 0) AS total_spend,
	    round(coalesce(s.spend, 0) /
	      nullif(coalesce(m.total_bookings, 0), 0), 2) AS cost_per_booking
	  FROM read_ndjson('$IN', columns = {booking_date: 'VARCHAR',
	    channel: 'VARCHAR', total_bookings: 'BIGINT'}) m
	  FULL OUTER JOIN read_ndjson('${IN%/*}/spend.ndjson', columns = {
	    date: 'VARCHAR', channel: 'VARCHAR', spend: 'DECIMAL(18, 2)'}) s
	  ON m.booking_date = s.date AND m.channel = s.channel)
	  TO '$OUT/out.ndjson' (FORMAT json)")
}
check_join() {
	jq -n -r 'reduce inputs as $r ({n: 0, s: 0, c: 0, z: 0}; .n += 1
	    | .s += ($r.total_spend | tonumber * 100 | round)
	    | .c += (($r.cost_per_booking // 0) | tonumber * 100 | round)
	    | .z += (if $r.cost_per_booking == null then 1 else 0 end))
	  | "x_rows=\(.n)\nx_spend=\(.s)\nx_cost=\(.c)\nx_nulls=\(.z)"' \
	    "$OUT/out.ndjson"
}
expect_join() { :; }

# A dimension onto facts: the 1M events joined with a users dimension
# of N/10 users (bench/run writes it), the user's fields appended to each
# event that has one (an inner join).  mx-join holds the users and
# streams the events.
input_join2=events
need_join2=mx-join
mx_join2() {
	mx-join -r "${IN%/*}/users.ndjson" -k user_id "$IN" > "$OUT/out.ndjson"
}
sql_join2() {
	SQL=("COPY (SELECT e.*, u.* EXCLUDE (user_id) FROM read_ndjson('$IN') e
	  JOIN read_ndjson('${IN%/*}/users.ndjson') u ON e.user_id = u.user_id)
	  TO '$OUT/out.ndjson' (FORMAT json)")
}
check_join2() {
	if have_duckdb; then
		duck_facts "SELECT count(*) AS x_rows,
		    count(DISTINCT user_id) AS x_users,
		    sum(CAST(round(CAST(lifetime_value AS DOUBLE) * 100)
		      AS BIGINT)) AS x_ltv,
		    count(*) FILTER (WHERE event_type = 'purchase') AS x_purchases
		  FROM read_ndjson('$OUT/out.ndjson', columns = {
		    user_id: 'VARCHAR', lifetime_value: 'VARCHAR',
		    event_type: 'VARCHAR'})"
	else
		jq -n -r 'reduce inputs as $r ({n: 0, l: 0, p: 0}; .n += 1
		    | .l += ($r.lifetime_value | tonumber * 100 | round)
		    | .p += (if $r.event_type == "purchase" then 1 else 0 end))
		  | "x_rows=\(.n)\nx_ltv=\(.l)\nx_purchases=\(.p)"' \
		    "$OUT/out.ndjson"
	fi
}
expect_join2() { :; }

# The same join in 32 MB: the users dimension takes more in memory, so
# mx-join spills both sides to disk (a grace hash join) and must give the
# same output; its --stats says it spilled.  DuckDB's row is join2's.
input_join2m=events
need_join2m=mx-join
mx_join2m() {
	mx-join -r "${IN%/*}/users.ndjson" -k user_id --memory 32M \
	    --stats "$OUT/stats.json" "$IN" > "$OUT/out.ndjson"
}
sql_join2m() { sql_join2; }
check_join2m() {
	check_join2
	if [ -f "$OUT/stats.json" ]; then
		echo "spilled=$(jq '.partitions > 0' "$OUT/stats.json")"
	fi
}
expect_join2m() { echo '?spilled=true'; }

# Records into one directory per date of their timestamp.  DuckDB 1.5
# cannot write JSON partitions: it writes CSV.
input_partition=events
need_partition=mx-partition
# (mx-partition syncs what it publishes; the peers' rows sync their
# output after, timed: durable_TASK, as the lake's)
durable_partition=1
mx_partition() {
	mx-partition -d "$OUT/parts" -k 'event_date=date(timestamp)' "$IN"
}
jq_partition() {
	jq -r "$JQ_DATED" "$IN" | awk -F '\t' -v dir="$OUT/parts" "$AWK_SPLIT"
}
mlr_partition() {
	mkdir -p "$OUT/parts" &&
	mlr --ijsonl --ojsonl put '$event_date = substr($timestamp, 0, 9)' \
	    then split -g event_date --prefix "$OUT/parts/event_date" "$IN"
}
sql_partition() {
	SQL=("COPY (SELECT *, CAST(\"timestamp\" AS DATE) AS event_date
	    FROM read_ndjson('$IN'))
	    TO '$OUT/parts' (FORMAT csv, PARTITION_BY (event_date))")
}
check_partition() { part_facts "$OUT/parts"; }
expect_partition() { stats_facts lines; }

# Bronze to gold: validate, dedup, partition the silver records by date,
# then hourly revenue from the silver partitions.  mx also ingests first
# (provenance on every record) and writes the rejects.
input_pipeline=raw
need_pipeline="mx-ingest mx-validate mx-dedup mx-partition mx-agg"
durable_pipeline=1
mx_pipeline() {
	mx-ingest "$IN" |
	    mx-validate -c "$CONTRACT" --rejects "$OUT/rejects.ndjson" |
	    mx-dedup -k event_id |
	    mx-partition -d "$OUT/parts" -k 'event_date=date(timestamp)' &&
	mx-agg --where event_type=purchase -g "$MX_GROUP" -a "$MX_AGGS" \
	    "$OUT"/parts/*/*.ndjson > "$OUT/gold.ndjson"
}
jq_pipeline() {
	jq -c "$JQ_VALID" "$IN" |
	    jq -r "$JQ_KEYED" | awk -F '\t' "$AWK_FIRST" |
	    jq -r "$JQ_DATED" | awk -F '\t' -v dir="$OUT/parts" "$AWK_SPLIT" &&
	jq -n -c "$JQ_REVENUE" "$OUT"/parts/*/*.ndjson > "$OUT/gold.ndjson"
}
mlr_pipeline() {
	mkdir -p "$OUT/parts" &&
	mlr --ijsonl --ojsonl filter "$MLR_VALID" then cut -o -f "$MLR_FIELDS" \
	    then head -n 1 -g event_id \
	    then put '$event_date = substr($timestamp, 0, 9)' \
	    then split -g event_date --prefix "$OUT/parts/event_date" "$IN" &&
	mlr_hourly "$OUT"/parts/*.json > "$OUT/gold.ndjson"
}
sql_pipeline() {
	SQL=("CREATE TABLE silver AS SELECT * EXCLUDE (rn) FROM
	    (SELECT *, row_number() OVER () AS rn FROM
	    (${SQL_VALID//\$IN/$IN})) $SQL_FIRST"
	    "COPY (SELECT *, CAST(\"timestamp\" AS DATE) AS event_date
	    FROM silver)
	    TO '$OUT/parts' (FORMAT csv, PARTITION_BY (event_date))"
	    "COPY ($SQL_REVENUE FROM silver WHERE event_type = 'purchase'
	    GROUP BY ALL) TO '$OUT/gold.ndjson' (FORMAT json)")
}
check_pipeline() {
	part_facts "$OUT/parts" | sed 's/^lines=/silver=/'
	agg_facts "$OUT/gold.ndjson"
}
expect_pipeline() {
	echo "silver=$(stat_of records)"
	stats_facts purchases revenue
}

# A data test: is event_id unique?  mx-test runs dbt's `unique` test and
# stores every duplicate row (those mx-dedup would drop, whole, with their
# file and line); the peers list each duplicated key with its count, as
# dbt's test is written (GROUP BY ... HAVING count(*) > 1).
input_unique=dups
need_unique=mx-test
mx_unique() {
	echo 'unique event_id severity=warn' > "$OUT/events.tests" &&
	mx-test --store "$OUT/st" --run r "$OUT/events.tests" "$IN" \
	    > "$OUT/result.txt"
}
jq_unique() {
	jq -r .event_id "$IN" | sort | uniq -c |
	    awk '$1 > 1 { printf "{\"event_id\":\"%s\",\"n\":%d}\n", $2, $1 }' \
	    > "$OUT/out.ndjson"
}
mlr_unique() {
	mlr --ijsonl --ojsonl count -g event_id -o n then filter '$n > 1' \
	    "$IN" > "$OUT/out.ndjson"
}
sql_unique() {
	SQL=("COPY (SELECT event_id, count(*) AS n FROM read_ndjson('$IN')
	    GROUP BY event_id HAVING count(*) > 1)
	    TO '$OUT/out.ndjson' (FORMAT json)")
}
# The duplicated keys, and the rows beyond the first of each.
check_unique() {
	if [ -d "$OUT/st" ]; then
		jq -r .event_id "$OUT"/st/events/unique_event_id/r.ndjson |
		    sort | uniq -c | awk '{ k++; d += $1 }
		    END { print "x_keys=" k + 0; print "dups=" d + 0 }'
	else
		jq -r .n "$OUT/out.ndjson" | awk '{ k++; d += $1 - 1 }
		    END { print "x_keys=" k + 0; print "dups=" d + 0 }'
	fi
}
expect_unique() {
	echo "dups=$(( $(stat_of lines) - $(stat_of records) ))"
}
# SCD type 2: the history of customers merged with an extract of them
# (check strategy, every column tracked): changed customers' current
# versions closed, new versions appended.  bench/run writes both files.
# DuckDB compares the columns and writes DuckDB's hash of them; jq and
# Miller have no row.
input_snapshot=customers
need_snapshot=mx-snapshot
# (mx-snapshot -o syncs the history it writes)
durable_snapshot=1
SNAP_AT=2024-03-01T00:00:00Z
SNAP_COLS="customer_id: 'VARCHAR', name: 'VARCHAR', email: 'VARCHAR',
    country: 'VARCHAR', segment: 'VARCHAR', signup_date: 'VARCHAR'"
SNAP_DIFF="(s.name, s.email, s.country, s.segment, s.signup_date)
    IS DISTINCT FROM (h.name, h.email, h.country, h.segment, h.signup_date)"
mx_snapshot() {
	mx-snapshot -k customer_id -s "${IN%/*}/customers_history.ndjson" \
	    --at "$SNAP_AT" -o "$OUT/out.ndjson" "$IN"
}
sql_snapshot() {
	SQL=("CREATE TABLE h AS SELECT * FROM read_ndjson(
	    '${IN%/*}/customers_history.ndjson', columns = {$SNAP_COLS,
	    valid_from: 'VARCHAR', valid_to: 'VARCHAR', is_current: 'BOOLEAN',
	    hash_diff: 'VARCHAR'})"
	    "CREATE TABLE s AS SELECT * FROM read_ndjson('$IN',
	    columns = {$SNAP_COLS})"
	    "CREATE TABLE ch AS SELECT s.customer_id FROM s JOIN h
	    ON s.customer_id = h.customer_id AND h.is_current WHERE $SNAP_DIFF"
	    "COPY (SELECT h.* REPLACE (
	      CASE WHEN h.is_current AND ch.customer_id IS NOT NULL
	        THEN '$SNAP_AT' ELSE h.valid_to END AS valid_to,
	      h.is_current AND ch.customer_id IS NULL AS is_current)
	    FROM h LEFT JOIN ch ON h.customer_id = ch.customer_id
	    UNION ALL
	    SELECT s.*, '$SNAP_AT', NULL, true, printf('%016x',
	      hash(s.name, s.email, s.country, s.segment, s.signup_date))
	    FROM s LEFT JOIN h ON s.customer_id = h.customer_id AND h.is_current
	    WHERE h.customer_id IS NULL OR $SNAP_DIFF)
	    TO '$OUT/out.ndjson' (FORMAT json)")
}
check_snapshot() {
	if have_duckdb; then
		duck_facts "SELECT count(*) AS rows,
		    count(*) FILTER (WHERE is_current) AS current,
		    count(*) FILTER (WHERE valid_to = '$SNAP_AT') AS closed
		  FROM read_ndjson('$OUT/out.ndjson', columns = {
		    is_current: 'BOOLEAN', valid_to: 'VARCHAR'})"
	else
		jq -n -r --arg at "$SNAP_AT" 'reduce inputs as $r ({n: 0, c: 0, x: 0};
		    .n += 1 | .c += (if $r.is_current then 1 else 0 end)
		    | .x += (if $r.valid_to == $at then 1 else 0 end))
		  | "rows=\(.n)\ncurrent=\(.c)\nclosed=\(.x)"' "$OUT/out.ndjson"
	fi
}
expect_snapshot() { stats_facts rows current closed; }

# k-means, k = 5, on 3 features of N records (z-scores, k-means++, 4
# restarts).  No peer has a row; the figure is records x iterations per
# second, from the iterations in the facts.
input_kmeans=points
need_kmeans=mx-kmeans
mx_kmeans() {
	mx-kmeans -k 5 -f recency,monetary,frequency --seed 1 \
	    --stats "$OUT/stats.json" "$IN" > "$OUT/out.ndjson"
}
check_kmeans() {
	echo "lines=$(wc -l < "$OUT/out.ndjson")"
	jq -r '"iterations=\(.all_iterations)\ninertia=\(.inertia)"' \
	    "$OUT/stats.json"
	jq -r .cluster "$OUT/out.ndjson" | sort | uniq -c |
	    awk '{ print "cluster_" $2 "=" $1 }'
}
expect_kmeans() { echo "lines=$(stat_of records)"; }

# A profile of every field (issue 21: at least 20x Miller's summary): types,
# nulls, distinct counts, min and max, mean, standard deviation, quartiles,
# string lengths, the most common value.  Miller is asked for the same
# summarizers; DuckDB's SUMMARIZE gives its own set (approximate distinct
# counts and quartiles).  jq has no row.
input_stats=events
need_stats=mx-stats
mx_stats() { mx-stats "$IN" > "$OUT/out.ndjson"; }
mlr_stats() {
	mlr --ijsonl --ojsonl summary -a field_type,count,null_count,distinct_count,mode,mean,stddev,minlen,maxlen,min,p25,median,p75,max \
	    "$IN" > "$OUT/out.ndjson"
}
sql_stats() {
	SQL=("COPY (SELECT * FROM (SUMMARIZE SELECT * FROM read_ndjson('$IN')))
	    TO '$OUT/out.ndjson' (FORMAT json)")
}
# The fields profiled, and the records the profile of event_id counts
# (every event has one).
check_stats() {
	echo "x_fields=$(wc -l < "$OUT/out.ndjson")"
	jq -r 'select((.field // .field_name // .column_name) == "event_id")
	    | "records=\((.count | tonumber) + (.missing // 0))"' "$OUT/out.ndjson"
}
expect_stats() { echo "records=$(stat_of records)"; }

# A computed field per record: revenue = price * quantity on every event
# (null where either is null), the records kept whole, as Miller's put
# does.  mx-calc computes in exact decimals, DuckDB in DECIMAL(18, 2);
# jq and Miller in doubles (the check rounds each revenue to the cent).
input_calc=events
need_calc=mx-calc
mx_calc() {
	mx-calc -e 'revenue=price * quantity' "$IN" > "$OUT/out.ndjson"
}
jq_calc() {
	jq -c '.revenue = (if .price == null or .quantity == null then null
	    else .price * .quantity end)' "$IN" > "$OUT/out.ndjson"
}
mlr_calc() {
	mlr --ijsonl --ojsonl put 'if (is_numeric($price) &&
	    is_numeric($quantity)) { $revenue = $price * $quantity }
	    else { $revenue = "" }' "$IN" > "$OUT/out.ndjson"
}
sql_calc() {
	SQL=("COPY (SELECT *, CAST(price AS DECIMAL(18, 2)) * quantity
	    AS revenue FROM read_ndjson('$IN'))
	    TO '$OUT/out.ndjson' (FORMAT json)")
}
# Lines, purchases, and the revenue of the purchases in cents, from the
# field computed (null or "" where there is none).
check_calc() {
	if have_duckdb; then
		duck_facts "SELECT count(*) AS lines,
		    count(*) FILTER (WHERE event_type = 'purchase') AS purchases,
		    sum(CAST(round(TRY_CAST(revenue AS DOUBLE) * 100) AS BIGINT))
		      FILTER (WHERE event_type = 'purchase') AS revenue
		  FROM read_ndjson('$OUT/out.ndjson', columns = {
		    event_type: 'VARCHAR', revenue: 'VARCHAR'})"
	else
		jq -n -r 'reduce inputs as $r ({l: 0, p: 0, c: 0}; .l += 1
		    | if $r.event_type == "purchase" then .p += 1
		      | .c += (($r.revenue | tonumber? // 0) * 100 | round)
		      else . end)
		  | "lines=\(.l)\npurchases=\(.p)\nrevenue=\(.c)"' \
		    "$OUT/out.ndjson"
	fi
}
expect_calc() { stats_facts lines purchases revenue; }

# Spend against budgets, as the lake's can_serve table: N ad events of
# 25 advertisers (mx-gen's adclicks, written by bench/run), summed per
# advertiser and hour, the spend cumulated over each UTC day (the budget
# resets daily) against the budget of the hour's latest event (the later
# line of two at one time), remaining and can_serve, sorted by advertiser
# and hour.  DuckDB: arg_max for the budget in force, a window sum for the
# cumulative spend.  jq and Miller have no row.
input_budget=adclicks
need_budget=mx-budget
mx_budget() {
	mx-budget -k advertiser --per hour --reset day "$IN" > "$OUT/out.ndjson"
}
# Amounts have at most 4 places and budgets 2 (mx-gen's), so DECIMAL(18, 4)
# is exact, as mx is; an event without a budget spends and leaves the
# hour's budget to those with one (arg_max ... FILTER), null if none has.
sql_budget() {
	SQL=("COPY (WITH e AS (SELECT advertiser,
	      CAST(amount AS DECIMAL(18, 4)) AS amount,
	      CAST(budget_value AS DECIMAL(18, 2)) AS budget,
	      CAST(\"timestamp\" AS TIMESTAMPTZ) AS ts,
	      row_number() OVER () AS rn
	    FROM read_ndjson('$IN', columns = {advertiser: 'VARCHAR',
	      amount: 'VARCHAR', budget_value: 'VARCHAR',
	      \"timestamp\": 'VARCHAR'})),
	  p AS (SELECT advertiser, date_trunc('hour', ts) AS h,
	      count(*) AS events, sum(amount) AS spend,
	      arg_max(budget, (ts, rn)) FILTER (WHERE budget IS NOT NULL)
	        AS budget
	    FROM e GROUP BY ALL),
	  c AS (SELECT *, sum(spend) OVER (PARTITION BY advertiser,
	      date_trunc('day', h) ORDER BY h) AS cum FROM p)
	  SELECT advertiser, strftime(h, '%Y-%m-%dT%H:%M:%SZ') AS period,
	    strftime(h, '%Y-%m-%dT%H:%M:%SZ') AS window_start,
	    strftime(h + INTERVAL 1 HOUR, '%Y-%m-%dT%H:%M:%SZ') AS window_end,
	    events, spend, cum AS cumulative_spend, budget AS budget_value,
	    budget - cum AS remaining, cum < budget AS can_serve
	  FROM c ORDER BY advertiser, h)
	  TO '$OUT/out.ndjson' (FORMAT json)")
}
# Money in units of 0.0001 (mx trims 99.9900 to 99.99, DuckDB does not),
# from the number's text: a fifth place that is not 0 is an error.
JQ_BUDGET_C4='def c4: if . == null then null else tostring
    | (if startswith("-") then -1 else 1 end) as $sg | ltrimstr("-")
    | split(".") as $p | ($p[1] // "") as $f
    | if ($p | length) > 2 or (ascii_downcase | index("e")) != null
        or (($f | length) > 4 and ($f[4:] | explode | any(. != 48)))
      then error("not money of at most 4 places: \(.)")
      else ($p[0] + ($f + "0000")[0:4] | tonumber) * $sg end end;'
# Every row and value, in the file's order, as a digest both tools must
# share; the sums; and each row checked against the rows before it: keys
# and hours ascending, cumulative_spend the running sum of spend over the
# advertiser's day, remaining = budget - cumulative, can_serve =
# cumulative < budget (null, both, without a budget), the window the hour.
check_budget() {
	local f=$OUT/out.ndjson

	echo "x_digest=$(jq -c "$JQ_BUDGET_C4"' [.advertiser, .period,
	    .window_start, .window_end, (.events | tonumber), (.spend | c4),
	    (.cumulative_spend | c4), (.budget_value | c4), (.remaining | c4),
	    .can_serve]' "$f" | md5sum | cut -c 1-32)"
	jq -n -r "$JQ_BUDGET_C4"' reduce inputs as $r ({n: 0, e: 0, s: 0,
	    c: 0, m: 0, x: 0, z: 0, bad: 0, k: null, p: "", run: 0};
	    ($r.spend | c4) as $s | ($r.cumulative_spend | c4) as $c
	    | ($r.budget_value | c4) as $b | ($r.remaining | c4) as $m
	    | .bad += (if .k == null then 0 elif .k > $r.advertiser then 1
	        elif .k == $r.advertiser and .p >= $r.period then 1 else 0 end)
	    | (if .k != $r.advertiser or .p[0:10] != $r.period[0:10]
	        then .run = 0 else . end)
	    | .run += $s
	    | .bad += (if $c != .run then 1 else 0 end)
	    | .bad += (if $r.window_start != $r.period or ($r.window_end
	        | fromdate) - ($r.period | fromdate) != 3600 then 1 else 0 end)
	    | .bad += (if $b == null then
	        (if $m != null or $r.can_serve != null then 1 else 0 end)
	        elif $m != $b - $c or $r.can_serve != ($c < $b) then 1
	        else 0 end)
	    | .k = $r.advertiser | .p = $r.period
	    | .n += 1 | .e += ($r.events | tonumber) | .s += $s | .c += $c
	    | .m += ($m // 0) | .x += (if $r.can_serve == false then 1 else 0 end)
	    | .z += (if $b == null then 1 else 0 end))
	  | "x_rows=\(.n)\nevents=\(.e)\nspend=\(.s)\nx_cumulative=\(.c)",
	    "x_remaining=\(.m)\nx_exhausted=\(.x)\nx_nobudget=\(.z)\nbad=\(.bad)"' \
	    "$f"
}
# Every event counted and spent once (mx-gen's amount, in 0.0001), and no
# row inconsistent.
expect_budget() {
	echo "events=$(stat_of records)"
	jq -r .amount "$STATS" | awk -F . '{ f = substr($2 "0000", 1, 4)
	    printf "spend=%d\n", $1 f }'
	echo "bad=0"
}

# ---- facts ----

# A field of mx-gen's stats; money in cents.
stat_of() {
	jq -r ".$1 | tostring | gsub(\"[.]\"; \"\")" "$STATS"
}

stats_facts() {
	local k

	for k; do
		echo "$k=$(stat_of "$k")"
	done
}

have_duckdb() {
	[ -d "$ROOT/tests/node_modules/@duckdb/node-api" ] &&
	    command -v node > /dev/null
}

# Run SQL in DuckDB and print the one row it returns as key=value lines.
duck_facts() {
	node "$ROOT/tests/duckdb.mjs" "SET TimeZone = 'UTC'" "$1" |
	    jq -r 'to_entries[] | "\(.key)=\(.value // 0)"'
}

# Lines, purchases, revenue in cents and the sum of the event times of an
# NDJSON file, whichever tool wrote it (DuckDB writes its timestamps
# "2024-03-01 10:00:00.123", jq drops the zeros of 19.90).
ndjson_facts() {
	if have_duckdb; then
		duck_facts "SELECT count(*) AS lines,
		    count(*) FILTER (WHERE event_type = 'purchase') AS purchases,
		    sum(CAST(round(CAST(price AS DOUBLE) * 100) AS BIGINT) *
		      CAST(quantity AS BIGINT))
		      FILTER (WHERE event_type = 'purchase') AS revenue,
		    sum(CAST(floor(epoch(CAST(\"timestamp\" AS TIMESTAMPTZ)))
		      AS BIGINT)) AS time_sum
		  FROM read_ndjson('$1', columns = {event_type: 'VARCHAR',
		    price: 'VARCHAR', quantity: 'VARCHAR',
		    \"timestamp\": 'VARCHAR'})"
	else
		jq -n -r 'reduce inputs as $r ({l: 0, p: 0, c: 0, t: 0};
		    .l += 1
		    | .t += ($r.timestamp[0:19] | sub(" "; "T") + "Z" | fromdate)
		    | if $r.event_type == "purchase" then .p += 1
		      | .c += (($r.price * 100 | round) * $r.quantity) else . end)
		  | "lines=\(.l)\npurchases=\(.p)\nrevenue=\(.c)\ntime_sum=\(.t)"' "$1"
	fi
}

# Rows, revenue in cents (each row rounded) and transactions of an
# aggregate.
agg_facts() {
	if have_duckdb; then
		duck_facts "SELECT count(*) AS x_rows,
		    sum(CAST(round(CAST(revenue AS DOUBLE) * 100) AS BIGINT))
		      AS revenue,
		    sum(CAST(transactions AS BIGINT)) AS purchases
		  FROM read_ndjson('$1', columns = {revenue: 'VARCHAR',
		    transactions: 'VARCHAR'})"
	else
		jq -n -r 'reduce inputs as $r ({n: 0, c: 0, t: 0}; .n += 1
		    | .c += (($r.revenue | tonumber) * 100 | round)
		    | .t += ($r.transactions | tonumber))
		  | "x_rows=\(.n)\nrevenue=\(.c)\npurchases=\(.t)"' "$1"
	fi
}

# The dates a partitioned output has, and its records (CSV headers aside).
part_facts() {
	local f n=0 k

	find -H "$1" -type f ! -name '_*' ! -name '.*' > "$OUT.files"
	echo "x_partitions=$(grep -o '20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]' \
	    "$OUT.files" | sort -u | wc -l)"
	while IFS= read -r f; do
		k=$(wc -l < "$f")
		case $f in
		*.csv)	k=$((k - 1)) ;;
		esac
		n=$((n + k))
	done < "$OUT.files"
	rm -f "$OUT.files"
	echo "lines=$n"
}

# The lake's e-commerce pipeline as users run it (scripts/lake): bronze
# (gzipped, with provenance, ledger), silver (contract, rejects with their
# reason, latest record per event_id, a partition per date), its data
# tests, the five gold tables (ratios, a rank), NDJSON and CSV, and theirs.
# DuckDB does the same work in one session, as its users would write it
# (the statements' comment says how; a second look at it, 2026-12-06,
# found the first version 25-40% slower than need be): bronze (zstd: its
# gzip writer is ~5x slower), the contract with the first rule a reject
# breaks, the rejects, the latest record per event_id, the partitions
# (NDJSON as the lake's, a COPY a date: its JSON writer has no
# PARTITION_BY; CSV with LAKE_SILVER=csv, the row until 2026-12-06),
# silver's and gold's tests stopping the run as the lake's do, the gold
# tables.  The lake does more that DuckDB here does not: bronze read
# back, every broken rule of a reject, the key index and manifests, an
# fsync of each file before it is published, the run log, the ledger's
# hashes, the catalog and the report.  Until 2026-12-06 the DuckDB side
# wrote no bronze, no rejects and ran no tests (bench/RESULTS.md).  jq
# and Miller have no row.
# durable_TASK: the lake's data is on disk when it ends (a power cut
# after it loses nothing); DuckDB's COPY leaves what it wrote in the page
# cache, which bench/run deletes before the kernel writes much of it, so
# DuckDB's row ends with `sync -f` of its output, timed, its seconds
# given apart (until 2026-12-07 it did not: 3.3 s of an 83 s run at 10M,
# the bench's 2-thread row, when tried by hand).
input_lake=raw
durable_lake=1
need_lake="mx-ingest mx-validate mx-dedup mx-partition mx-agg mx-csv"
mx_lake() {
	mkdir -p "$OUT/raw/ecommerce" &&
	ln -s "$IN" "$OUT/raw/ecommerce/raw.ndjson" &&
	SOURCE_DATE_EPOCH=1735689600 "$ROOT/scripts/lake" ${LAKE_J:+-j "$LAKE_J"} \
	    -r "$OUT/raw" -l "$OUT/lake" ecommerce 2> /dev/null &&
	ln -s lake/silver/ecommerce_events "$OUT/parts" &&
	ln -s lake/gold/hourly_revenue.ndjson "$OUT/gold.ndjson"
}
sql_lake() {
	# The raw records read once, validated as they are read, into one
	# table (checked): a plain projection of read_ndjson, so its rows keep
	# the file's order and rowid + 1 is the line (no row_number() OVER (),
	# which makes the read single-threaded: 2 threads were slower than 1).
	# (No IN list in that projection: DuckDB plans a 5-value IN as a MARK
	# hash join, which does not keep the order; list_contains does.)
	# Times are parsed as TIMESTAMPTZ (offsets honoured) and kept as UTC
	# TIMESTAMP (make_timestamp(epoch_us())): hour(), dates and the tests
	# then need no ICU calls; silver's CSV and bronze keep the record's own
	# timestamp string and the run's time as the lake writes them.  The
	# latest record per event_id: the few losers found by a window over
	# three narrow columns, then left out (QUALIFY over whole rows sorts
	# every column).  Bronze: zstd (DuckDB's gzip writer is ~5x slower; no
	# level option for JSON), a file per thread as the lake's bronze is
	# cut into files.  The tests are the lake's (tests/silver, tests/gold),
	# each a count of failing rows, and stop the run as the lake's do: a
	# silver test failing (recency only warns) writes no gold, a gold test
	# failing writes no gold file.
	# (the time of the run: _ingested_at, as the lake's SOURCE_DATE_EPOCH)
	local at="TIMESTAMP '2025-01-01 00:00:00'" atz="'2025-01-01T00:00:00Z'"
	local src="'ecommerce/raw.ndjson'"
	local raw="event_id, \"timestamp\", user_id, session_id, event_type,
	      product_id, quantity, price, category, search_query"
	local rid="printf('%016x', hash(event_id, \"timestamp\", rowid + 1))"
	local z=${LAKE_BRONZE:-zstd} parts
	local cols="event_id, \"timestamp\", user_id, session_id, event_type,
	      product_id, quantity, price, category, search_query, event_hour,
	      $src AS _source, _line, $atz AS _ingested_at, _rid"

	# Silver's partitions as the lake writes them, NDJSON, a file a date:
	# its JSON writer has no PARTITION_BY, so a COPY a date, the dates
	# found by a query first (FOREACH, tests/duckdb.mjs), as a script
	# would.  LAKE_SILVER=csv: one COPY with PARTITION_BY to CSV (less
	# work than the lake's: 145 MB against 327 MB at 1M; the bench's row
	# until 2026-12-06).
	if [ "${LAKE_SILVER:-json}" = csv ]; then
		parts="COPY (SELECT $cols, event_date FROM silver)
		    TO '$OUT/parts' (FORMAT csv, PARTITION_BY (event_date))"
	else
		mkdir -p "$OUT/parts" || return 1
		parts="FOREACH SELECT format('COPY (SELECT ${cols//\'/\'\'}
		      FROM silver
		      WHERE event_date = DATE ''{}'')
		      TO ''$OUT/parts/event_date={}.ndjson'' (FORMAT json)', d, d)
		    FROM (SELECT DISTINCT event_date AS d FROM silver ORDER BY d)"
	fi

	SQL=("CREATE TABLE checked AS SELECT * EXCLUDE (tz, qd),
	      make_timestamp(epoch_us(tz)) AS ts,
	      CASE
	      WHEN event_id IS NULL THEN 'event_id: missing'
	      WHEN NOT regexp_full_match(event_id, 'e[0-9]+') THEN 'event_id: re'
	      WHEN tz IS NULL THEN 'timestamp: not a timestamp'
	      WHEN tz > TIMESTAMPTZ '2025-01-01 00:00:00+00' THEN 'timestamp: max'
	      WHEN user_id IS NULL OR NOT regexp_full_match(user_id, 'u[0-9]+')
	        THEN 'user_id'
	      WHEN session_id IS NULL
	        OR NOT regexp_full_match(session_id, 's[0-9]+') THEN 'session_id'
	      WHEN event_type IS NULL OR NOT list_contains(['page_view',
	        'add_to_cart', 'remove_from_cart', 'purchase', 'search'],
	        event_type) THEN 'event_type: in'
	      WHEN product_id IS NOT NULL
	        AND NOT regexp_full_match(product_id, 'p[0-9]+') THEN 'product_id: re'
	      WHEN quantity IS NOT NULL AND (q IS NULL OR q <> qd OR q < 1)
	        THEN 'quantity'
	      WHEN price IS NOT NULL AND (p IS NULL OR p < 0) THEN 'price'
	      WHEN category = '' THEN 'category: minlen'
	      END AS reason
	    FROM (SELECT *, TRY_CAST(\"timestamp\" AS TIMESTAMPTZ) AS tz,
	      TRY_CAST(quantity AS BIGINT) AS q,
	      TRY_CAST(quantity AS DOUBLE) AS qd,
	      TRY_CAST(price AS DECIMAL(18, 2)) AS p
	    FROM ${SQL_TEXT//\$IN/$IN})"
	    "COPY (SELECT $raw, $src AS _source, rowid + 1 AS _line,
	      $atz AS _ingested_at, $rid AS _rid FROM checked)
	    TO '$OUT/bronze' (FORMAT json, COMPRESSION $z, PER_THREAD_OUTPUT true)"
	    "COPY (SELECT $raw, $src AS _source, rowid + 1 AS _line,
	      $atz AS _ingested_at, $rid AS _rid, reason FROM checked
	      WHERE reason IS NOT NULL) TO '$OUT/rejects.ndjson' (FORMAT json)"
	    "CREATE TABLE silver AS SELECT event_id, \"timestamp\", ts, user_id,
	      session_id, event_type, product_id, q AS quantity, p AS price,
	      coalesce(category, '(none)') AS category, search_query,
	      hour(ts) AS event_hour, rowid + 1 AS _line, $rid AS _rid,
	      CAST(ts AS DATE) AS event_date
	    FROM checked WHERE reason IS NULL AND rowid NOT IN (SELECT rowid
	      FROM checked WHERE reason IS NULL
	      QUALIFY row_number() OVER (PARTITION BY event_id
	        ORDER BY ts DESC, rowid DESC) > 1)"
	    "$parts"
	    "CREATE TABLE silver_tests AS SELECT
	      count(*) - count(DISTINCT event_id) AS unique_event_id,
	      count(*) FILTER (WHERE event_id IS NULL OR ts IS NULL
	        OR user_id IS NULL OR session_id IS NULL OR event_type IS NULL)
	        AS not_null_required,
	      count(*) FILTER (WHERE event_type NOT IN ('page_view', 'add_to_cart',
	        'remove_from_cart', 'purchase', 'search')) AS accepted_values,
	      count(*) FILTER (WHERE event_type = 'purchase' AND (product_id IS NULL
	        OR price IS NULL OR quantity IS NULL))
	        AS purchases_have_product_price_quantity,
	      count(*) FILTER (WHERE event_type = 'purchase'
	        AND NOT price * quantity BETWEEN 0 AND 15000)
	        AS purchase_amount_in_range,
	      count(*) FILTER (WHERE event_hour <> hour(ts))
	        AS event_hour_is_its_hour,
	      count(*) FILTER (WHERE event_date <> CAST(ts AS DATE))
	        AS in_its_date_partition,
	      count(*) FILTER (WHERE ts > $at) AS not_after_ingestion,
	      count(*) AS row_count,
	      (max(ts) < $at - INTERVAL 96 HOUR)::INT AS recency_timestamp,
	      count(DISTINCT product_id) AS products,
	      count(DISTINCT (event_date, event_hour)) AS hours,
	      count(DISTINCT (event_date, category)) AS date_categories,
	      count(DISTINCT event_date) AS dates
	    FROM silver"
	    "COPY silver_tests TO '$OUT/tests.ndjson' (FORMAT json)"
	    "SELECT CASE WHEN unique_event_id + not_null_required
	      + accepted_values + purchases_have_product_price_quantity
	      + purchase_amount_in_range + event_hour_is_its_hour
	      + in_its_date_partition + not_after_ingestion > 0 OR row_count < 1
	      THEN error('a silver test failed: no gold') END FROM silver_tests"
	    "CREATE TABLE conversion_funnel AS SELECT product_id,
	      max(category) AS category,
	      count(*) FILTER (WHERE event_type = 'page_view') AS views,
	      count(*) FILTER (WHERE event_type = 'add_to_cart') AS carts,
	      count(*) FILTER (WHERE event_type = 'purchase') AS purchases,
	      round(carts / nullif(views, 0), 4) AS view_to_cart,
	      round(purchases / nullif(views, 0), 4) AS view_to_purchase,
	      round(purchases / nullif(carts, 0), 4) AS cart_to_purchase
	    FROM silver WHERE product_id IS NOT NULL GROUP BY ALL ORDER BY 1"
	    "CREATE TABLE hourly_revenue AS SELECT event_date, event_hour,
	      sum(price * quantity) AS revenue, count(*) AS transactions
	    FROM silver WHERE event_type = 'purchase' GROUP BY ALL ORDER BY 1, 2"
	    "CREATE TABLE top_products AS SELECT *,
	      dense_rank() OVER (ORDER BY views DESC) AS \"rank\"
	    FROM (SELECT product_id, max(category) AS category, count(*) AS views
	      FROM silver WHERE event_type = 'page_view' GROUP BY ALL)
	    ORDER BY views DESC, product_id LIMIT 10"
	    "CREATE TABLE category_performance AS SELECT event_date, category,
	      count(*) AS events,
	      count(*) FILTER (WHERE event_type = 'page_view') AS views,
	      count(*) FILTER (WHERE event_type = 'add_to_cart') AS carts,
	      count(*) FILTER (WHERE event_type = 'purchase') AS purchases,
	      count(*) FILTER (WHERE event_type = 'search') AS searches,
	      coalesce(sum(price * quantity)
	        FILTER (WHERE event_type = 'purchase'), 0) AS revenue
	    FROM silver GROUP BY ALL ORDER BY 1, 2"
	    "CREATE TABLE user_activity AS SELECT event_date,
	      count(DISTINCT user_id) AS users,
	      count(DISTINCT session_id) AS sessions, count(*) AS events
	    FROM silver GROUP BY ALL ORDER BY 1")
	SQL+=("CREATE TABLE gold_tests AS SELECT *
	    FROM (SELECT count(*) - count(DISTINCT product_id) AS funnel_unique,
	      count(*) FILTER (WHERE product_id IS NULL OR views IS NULL
	        OR carts IS NULL OR purchases IS NULL) AS funnel_not_null,
	      count(*) FILTER (WHERE views < 0 OR carts < 0 OR purchases < 0
	        OR NOT (views > 0 OR (view_to_cart IS NULL
	          AND view_to_purchase IS NULL))
	        OR view_to_cart < 0 OR cart_to_purchase < 0) AS funnel_rules,
	      count(*) AS funnel_rows FROM conversion_funnel),
	    (SELECT count(*) - count(DISTINCT (event_date, event_hour))
	        AS hourly_unique,
	      count(*) FILTER (WHERE event_date IS NULL OR event_hour IS NULL
	        OR revenue IS NULL OR transactions IS NULL) AS hourly_not_null,
	      count(*) FILTER (WHERE event_hour NOT BETWEEN 0 AND 23
	        OR NOT revenue > 0 OR revenue > 15000 * transactions
	        OR transactions < 1) AS hourly_rules,
	      count(*) AS hourly_rows FROM hourly_revenue),
	    (SELECT count(*) - count(DISTINCT product_id) AS top_unique,
	      count(*) FILTER (WHERE product_id IS NULL OR views IS NULL
	        OR \"rank\" IS NULL) AS top_not_null,
	      count(*) FILTER (WHERE \"rank\" < 1 OR views < 1) AS top_rules,
	      count(*) AS top_rows FROM top_products),
	    (SELECT count(*) AS top_relationships FROM top_products
	      ANTI JOIN conversion_funnel USING (product_id)),
	    (SELECT count(*) - count(DISTINCT (event_date, category))
	        AS category_unique,
	      count(*) FILTER (WHERE event_date IS NULL OR category IS NULL
	        OR events IS NULL OR views IS NULL OR carts IS NULL
	        OR purchases IS NULL OR searches IS NULL OR revenue IS NULL)
	        AS category_not_null,
	      count(*) FILTER (WHERE NOT views + carts + purchases + searches
	        BETWEEN 0 AND events OR revenue < 0
	        OR NOT (purchases > 0 OR revenue = 0)) AS category_rules,
	      count(*) AS category_rows FROM category_performance),
	    (SELECT count(*) - count(DISTINCT event_date) AS activity_unique,
	      count(*) FILTER (WHERE event_date IS NULL OR users IS NULL
	        OR sessions IS NULL OR events IS NULL) AS activity_not_null,
	      count(*) FILTER (WHERE NOT (users BETWEEN 1 AND events
	        AND sessions BETWEEN 1 AND events)) AS activity_rules,
	      count(*) AS activity_rows FROM user_activity),
	    (SELECT products, hours, date_categories, dates FROM silver_tests)"
	    "COPY gold_tests TO '$OUT/gold-tests.ndjson' (FORMAT json)"
	    "SELECT CASE WHEN funnel_unique + funnel_not_null + funnel_rules
	      + hourly_unique + hourly_not_null + hourly_rules + top_unique
	      + top_not_null + top_rules + top_relationships + category_unique
	      + category_not_null + category_rules + activity_unique
	      + activity_not_null + activity_rules > 0
	      OR funnel_rows <> products OR hourly_rows NOT BETWEEN 1 AND hours
	      OR top_rows NOT BETWEEN 1 AND 10 OR category_rows <> date_categories
	      OR activity_rows <> dates
	      THEN error('a gold test failed: the gold tables are not written')
	      END FROM gold_tests")
	local t
	for t in conversion_funnel hourly_revenue top_products \
	    category_performance user_activity; do
		SQL+=("COPY $t TO '$OUT/$t.ndjson' (FORMAT json)"
		    "COPY $t TO '$OUT/$t.csv' (FORMAT csv)")
	done
	ln -sf hourly_revenue.ndjson "$OUT/gold.ndjson"
}
# (the contract's rejects: DuckDB's file, the lake's of silver)
check_lake() {
	check_pipeline
	cat "$OUT/rejects.ndjson" "$OUT"/lake/rejects/*/*/*-validate.ndjson \
	    2> /dev/null | wc -l | sed 's/^/rejects=/'
}
expect_lake() { expect_pipeline; echo "rejects=$(stat_of invalid)"; }

# The same lake on one core's worth of jobs (-j 1: the per-partition
# work in one process, bronze compressed by the reading thread), for
# issue 22's first target, against DuckDB on one thread; `lake` (-j the
# cores) is the second, against DuckDB on all of them.
input_lake1=raw
durable_lake1=1
need_lake1=$need_lake
mx_lake1() { LAKE_J=1 mx_lake; }
sql_lake1() { sql_lake; }
check_lake1() { check_lake; }
expect_lake1() { expect_lake; }

# A run of the lake with nothing new, on the demo lake (bench/run builds
# it with scripts/demo: every domain, a week of 20,000 events each; IN is
# an empty file beside it).  Issue 22's target: 0.3 s.  mx alone: a peer
# has no state to find up to date.
input_noop=noop
need_noop="mx-ledger mx-report"
mx_noop() {
	SOURCE_DATE_EPOCH=1710288000 "$ROOT/scripts/lake" -r "${IN%/*}/noop-raw" \
	    -l "${IN%/*}/noop-lake" > "$OUT/log" 2>&1
}
check_noop() {
	grep -q 'no new raw files; the lake is up to date' "$OUT/log" &&
	    echo uptodate=yes || echo uptodate=no
}
expect_noop() { echo uptodate=yes; }
