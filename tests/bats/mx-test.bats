#!/usr/bin/env bats
# mx-test: every kind of test broken on purpose (a duplicate key, a null,
# an unknown value, an orphan, an out-of-range amount, a stale timestamp,
# a bad threshold, a custom command), with the line printed, the failing
# rows stored and the exit status; the test file's mistakes; tables as
# files, gzip and partitioned directories; one pass; the man page's
# examples; the lake's test files on a lake; the bats helpers.

load helper
bats_require_minimum_version 1.5.0

TOP="$BATS_TEST_DIRNAME/../.."

orders() {
	cat > orders.ndjson <<-'EOF'
	{"order_id":"O1","customer_id":"C1","status":"paid","total_amount":10.50,"ordered_at":"2024-03-09T10:00:00Z"}
	{"order_id":"O2","customer_id":"C2","status":"refunded","total_amount":"20.00","ordered_at":"2024-03-09T11:00:00+01:00","refunded_at":"2024-03-10"}
	{"order_id":"O3","customer_id":"C1","status":"canceled","total_amount":15000,"ordered_at":"2024-03-10T09:00:00Z"}
	EOF
	printf '%s\n' '{"customer_id":"C1"}' '{"customer_id":"C2"}' \
	    '{"customer_id":"C3"}' > customers.ndjson
}

# the fields of one line of output
field() { awk -v n="$1" '{ print $n }'; }

@test "a clean table passes every kind: one line a test, in file order, exit 0" {
	orders
	cat > orders.tests <<-'EOF'
	# orders
	unique           order_id
	not_null         order_id,customer_id
	accepted_values  status  in=paid,refunded,canceled
	relationships    customer_id  to=customers
	expression       0 <= total_amount <= 15000
	row_count        min=1 max=customers
	recency          ordered_at  max_age=48h
	custom name=no_test_customers grep -F '"customer_id":"test-' || test $? = 1
	EOF
	run mx-test --now 2024-03-10T12:00:00Z orders.tests orders.ndjson
	assert_success
	assert_equal "${#lines[@]}" 8
	run sh -c 'mx-test --now 2024-03-10T12:00:00Z orders.tests orders.ndjson | awk "{ print \$1, \$2, \$3, \$4, \$7 }"'
	assert_output 'pass orders unique_order_id 0 3
pass orders not_null_order_id_customer_id 0 3
pass orders accepted_values_status 0 3
pass orders relationships_customer_id_customers 0 3
pass orders expression_0_total_amount_15000 0 3
pass orders row_count_min_1_max_customers 0 3
pass orders recency_ordered_at 0 3
pass orders no_test_customers 0 3'
	run mx-test --now 2024-03-10T12:00:00Z orders.tests orders.ndjson
	assert_line --index 5 --partial '[3 rows, at least 1, at most 3 (the rows of customers)]'
	assert_line --index 6 --partial '[newest 2024-03-10T09:00:00Z, 3.0 h before 2024-03-10T12:00:00Z]'
}

@test "a duplicate key fails unique: the line, the stored row (the later one), exit 1" {
	orders
	echo '{"order_id":"O2","customer_id":"C3","status":"paid","total_amount":1}' >> orders.ndjson
	echo '{"order_id":null,"customer_id":"C3","status":"paid"}' >> orders.ndjson
	echo '{"customer_id":"C3"}' >> orders.ndjson
	printf 'unique order_id\nunique customer_id,status severity=warn\n' > orders.tests
	run mx-test --store st --run r1 orders.tests orders.ndjson
	assert_failure 1
	assert_line --index 0 --regexp '^fail  orders  unique_order_id +1 failing of 6 rows  [0-9.]+ s$'
	assert_line --index 1 --regexp '^warn  orders  unique_customer_id_status +1 failing of 6 rows'
	assert_line --index 2 'mx-test: orders.tests:1: unique_order_id: 1 failing of 6 rows'
	run cat st/orders/unique_order_id/r1.ndjson
	assert_output '{"order_id":"O2","customer_id":"C3","status":"paid","total_amount":1,"_test":{"file":"orders.ndjson","line":4}}'
	# keys by value, as mx-dedup compares them: 1 and 1.0 are one key,
	# "1" another
	printf '{"k":1}\n{"k":1.0}\n{"k":"1"}\n{"k":[1]}\n{"k":[1]}\n' > k.ndjson
	echo 'unique k' > k.tests
	run mx-test k.tests k.ndjson
	assert_failure 1
	assert_output --partial '2 failing of 5 rows'
}

@test "a null fails not_null, a missing field too; several columns, time parts" {
	orders
	echo '{"order_id":"O4","customer_id":null,"ordered_at":"yesterday"}' >> orders.ndjson
	echo '{"order_id":"O5"}' >> orders.ndjson
	printf 'not_null order_id,customer_id\nnot_null date(ordered_at) name=dated\n' > orders.tests
	run mx-test --store st --run r1 orders.tests orders.ndjson
	assert_failure 1
	assert_line --index 0 --partial 'fail  orders  not_null_order_id_customer_id  2 failing of 5 rows'
	assert_line --index 1 --partial 'fail  orders  dated                          2 failing of 5 rows'
	run jq -c '[.order_id, ._test.line]' st/orders/not_null_order_id_customer_id/r1.ndjson
	assert_output '["O4",4]
["O5",5]'
}

@test "an unknown value fails accepted_values: compared by value, null passes, quoted items" {
	orders
	echo '{"order_id":"O4","status":"lost"}' >> orders.ndjson
	echo '{"order_id":"O5","status":null}' >> orders.ndjson
	echo 'accepted_values status in=paid,refunded,canceled' > orders.tests
	run mx-test --store st --run r1 orders.tests orders.ndjson
	assert_failure 1
	assert_line --index 0 --partial 'fail  orders  accepted_values_status  1 failing of 5 rows'
	run jq -r .status st/orders/accepted_values_status/r1.ndjson
	assert_output lost
	printf '{"v":1.50}\n{"v":"1.5"}\n{"v":true}\n{"v":"a,b"}\n{"v":"true"}\n{"v":2}\n' > v.ndjson
	echo 'accepted_values v in=1.5,true,"a,b"' > v.tests
	run mx-test --store st --run r1 v.tests v.ndjson
	assert_failure 1
	assert_output --partial '2 failing of 6 rows'
	run jq -c .v st/v/accepted_values_v/r1.ndjson
	assert_output '"true"
2'
}

@test "an orphan fails relationships: composite keys, field=, null keys pass, a missing table is exit 1" {
	orders
	echo '{"order_id":"O4","customer_id":"C9"}' >> orders.ndjson
	echo '{"order_id":"O5","customer_id":null}' >> orders.ndjson
	echo 'relationships customer_id to=customers' > orders.tests
	run mx-test --store st --run r1 orders.tests orders.ndjson
	assert_failure 1
	assert_line --index 0 --partial 'fail  orders  relationships_customer_id_customers  1 failing of 5 rows'
	run jq -r .customer_id st/orders/relationships_customer_id_customers/r1.ndjson
	assert_output C9
	# two columns, other names on the other side
	printf '{"d":"2024-03-01","ch":"a"}\n{"d":"2024-03-02","ch":"a"}\n' > facts.ndjson
	printf '{"date":"2024-03-01","channel":"a"}\n{"date":"2024-03-02","channel":"b"}\n' > dim.ndjson
	echo 'relationships d,ch to=dim field=date,channel' > facts.tests
	run mx-test facts.tests facts.ndjson
	assert_failure 1
	assert_output --partial '1 failing of 2 rows'
	echo 'relationships d,ch to=dim field=date' > facts.tests
	run mx-test facts.tests facts.ndjson
	assert_failure 2
	assert_output 'mx-test: facts.tests:1: field=date: 1 columns for 2'
	echo 'relationships d to=nosuch' > facts.tests
	run mx-test facts.tests facts.ndjson
	assert_failure 1
	assert_output 'mx-test: facts.tests:1: to=nosuch: no such table (tried nosuch, nosuch.ndjson, nosuch.ndjson.gz)'
}

@test "an out-of-range amount fails an expression: exact decimals, numbers in strings, null unknown" {
	orders
	echo '{"order_id":"O4","total_amount":15000.001}' >> orders.ndjson
	echo '{"order_id":"O5","total_amount":-0.01}' >> orders.ndjson
	echo '{"order_id":"O6","total_amount":null}' >> orders.ndjson
	echo '{"order_id":"O7","total_amount":"cheap"}' >> orders.ndjson
	echo 'expression 0 <= total_amount <= 15000' > orders.tests
	run mx-test --store st --run r1 orders.tests orders.ndjson
	assert_failure 1
	assert_line --index 0 --partial 'fail  orders  expression_0_total_amount_15000  3 failing of 7 rows'
	run jq -c '[.order_id, ._test.line]' st/orders/expression_0_total_amount_15000/r1.ndjson
	assert_output '["O4",4]
["O5",5]
["O7",7]'
}

@test "a stale timestamp fails recency, measured from --now or SOURCE_DATE_EPOCH" {
	orders
	echo 'recency ordered_at max_age=24h' > orders.tests
	run mx-test --now 2024-03-11T08:59:59Z orders.tests orders.ndjson
	assert_success
	run mx-test --now 2024-03-11T09:00:01Z --store st --run r1 orders.tests orders.ndjson
	assert_failure 1
	assert_line --index 0 --partial 'fail  orders  recency_ordered_at  1 failing of 3 rows'
	assert_line --index 0 --partial '[newest 2024-03-10T09:00:00Z, 24.0 h before 2024-03-11T09:00:01Z]'
	run cat st/orders/recency_ordered_at/r1.ndjson
	assert_output '{"column":"ordered_at","newest":"2024-03-10T09:00:00Z","now":"2024-03-11T09:00:01Z","max_age_seconds":86400,"age_seconds":86401.000}'
	# SOURCE_DATE_EPOCH (1700000000 is 2023-11-14): the data is from later
	run mx-test orders.tests orders.ndjson
	assert_success
	SOURCE_DATE_EPOCH=1710151201 run mx-test orders.tests orders.ndjson
	assert_failure 1
	# 2d, 90m; none at all fails
	echo 'recency ordered_at max_age=2d' > orders.tests
	run mx-test --now 1710201600 orders.tests orders.ndjson
	assert_success
	echo 'recency status max_age=90m' > orders.tests
	run mx-test orders.tests orders.ndjson
	assert_failure 1
	assert_output --partial '[no timestamp in status]'
	# a column no row has (a typo) says so
	echo 'recency shipped_at max_age=90m' > orders.tests
	run mx-test orders.tests orders.ndjson
	assert_failure 1
	assert_output --partial "[no row had the column 'shipped_at']"
}

@test "row_count: counts, another table's rows, its distinct keys; failing is how far off" {
	orders
	printf 'row_count min=4\nrow_count max=2\nrow_count eq=customers\nrow_count eq=orders:customer_id name=one_per_customer\n' > orders.tests
	run mx-test --store st --run r1 orders.tests orders.ndjson
	assert_failure 1
	assert_line --index 0 --regexp '^fail  orders  row_count_min_4 +1 failing of 3 rows  [0-9.]+ s  \[3 rows, at least 4\]$'
	assert_line --index 1 --regexp '^fail  orders  row_count_max_2 +1 failing of 3 rows'
	assert_line --index 2 --regexp '^pass  orders  row_count_eq_customers  0 failing of 3 rows'
	assert_line --index 3 --regexp '^fail  orders  one_per_customer +1 failing of 3 rows'
	assert_line --index 3 --partial '[3 rows, expected 2 (the distinct customer_id of orders)]'
	run cat st/orders/row_count_min_4/r1.ndjson
	assert_output '{"rows":3,"min":4,"max":null,"off":1}'
	# a tolerance: error_if on how far off
	echo 'row_count min=5 error_if=>2' > orders.tests
	run mx-test orders.tests orders.ndjson
	assert_success
	assert_output --partial 'warn  orders  row_count_min_5  2 failing of 3 rows'
	echo 'row_count min=3 max=2' > orders.tests
	run mx-test orders.tests orders.ndjson
	assert_failure 2
	assert_output 'mx-test: orders.tests:1: row_count: min= is above max='
}

@test "thresholds: error_if and warn_if on counts and percents, severity=warn; a bad threshold is exit 2" {
	for i in $(seq 1 100); do printf '{"id":%d,"v":%d}\n' "$i" $((i % 10)); done > t.ndjson
	# 10 rows have v = 0
	cat > t.tests <<-'EOF'
	expression error_if=>10 name=at_most_ten v > 0
	expression error_if=>=10 name=ten_is_an_error v > 0
	expression error_if=>10% warn_if=>5% name=percent v > 0
	expression error_if=>20 warn_if=>20 name=quiet v > 0
	expression severity=warn error_if=>0 name=only_warns v > 0
	EOF
	run mx-test t.tests t.ndjson
	assert_failure 1
	assert_line --index 0 --partial 'warn  t  at_most_ten      10 failing of 100 rows'
	assert_line --index 1 --partial 'fail  t  ten_is_an_error  10 failing of 100 rows'
	assert_line --index 2 --partial 'warn  t  percent          10 failing of 100 rows'
	assert_line --index 3 --partial 'pass  t  quiet            10 failing of 100 rows'
	assert_line --index 4 --partial 'warn  t  only_warns       10 failing of 100 rows'
	assert_line --index 5 'mx-test: t.tests:2: ten_is_an_error: 10 failing of 100 rows'
	assert_equal "${#lines[@]}" 6
	sed -i 2d t.tests
	run mx-test -q t.tests t.ndjson
	assert_success
	refute_output --partial pass
	for bad in '>' '10' '>ten' '>>1' '>1%%' '>101%' '=>1'; do
		printf 'unique id error_if=%s\n' "$bad" > b.tests
		run mx-test b.tests t.ndjson
		assert_failure 2
		assert_output "mx-test: b.tests:1: error_if=: '$bad' is not a threshold (>10, >=1%, !=0)"
	done
	printf '\n# a comment\nunique id severity=fatal\n' > b.tests
	run mx-test b.tests t.ndjson
	assert_failure 2
	assert_output "mx-test: b.tests:3: severity=: 'fatal' is neither error nor warn"
}

@test "custom: the command's lines are failing rows; it reads the table on stdin, its files as arguments, its environment" {
	orders
	cat > orders.tests <<-'EOF'
	custom name=big jq -c 'select((.total_amount // 0 | tonumber) > 100)'
	custom name=args_and_env printf '%s\n' "$#" "$@" "$MX_TEST_TABLE/$MX_TEST_NAME/$MX_TEST_RUN/$MX_TEST_NOW/$MX_TEST_TABLES" "$MX_TEST_FILES_SQL" >&2
	custom name=text printf 'not json\n\n{"a":1}\n'
	custom name=broken severity=warn exit 3
	custom name=head_only head -c 0 # stops reading; not a failure
	EOF
	run mx-test -T . --now 2024-03-10T12:00:00Z --run r1 --store st orders.tests orders.ndjson customers.ndjson
	assert_failure 1
	assert_line --partial 'fail  orders  big           1 failing of 6 rows'
	assert_line 2
	assert_line orders.ndjson
	assert_line customers.ndjson
	assert_line 'orders/args_and_env/r1/2024-03-10T12:00:00Z/.'
	assert_line "['orders.ndjson','customers.ndjson']"
	assert_line --partial 'pass  orders  args_and_env  0 failing of 6 rows'
	assert_line --partial 'fail  orders  text          2 failing of 6 rows'
	assert_line --partial 'warn  orders  broken        0 failing of 6 rows'
	assert_line --partial '[the command exited 3]'
	assert_line --partial 'pass  orders  head_only     0 failing of 6 rows'
	run jq -r .order_id st/orders/big/r1.ndjson
	assert_output O3
	run cat st/orders/text/r1.ndjson
	assert_output '{"line":"not json"}
{"a":1}'
	# a failing command fails at error level
	echo 'custom false' > f.tests
	run mx-test f.tests orders.ndjson
	assert_failure 1
	assert_output --partial 'fail  f  custom_false  0 failing of 3 rows'
}

@test "custom: a DuckDB query over a partitioned table" {
	if ! command -v duckdb > /dev/null; then
		[ -d "$TOP/tests/node_modules/@duckdb/node-api" ] || skip "no DuckDB"
		# duckdb -jsonlines -c SQL, through npm's DuckDB
		mkdir bin
		printf '#!/bin/sh\nexec node "%s/tests/duckdb.mjs" "$3"\n' "$TOP" > bin/duckdb
		chmod +x bin/duckdb
		PATH="$PWD/bin:$PATH"
	fi
	mkdir -p silver/spend/date=2024-03-01 silver/spend/date=2024-03-02
	printf '{"date":"2024-03-01","channel":"a","spend":9000.00}\n{"date":"2024-03-01","channel":"b","spend":1000.01}\n' \
	    > silver/spend/date=2024-03-01/part-1.ndjson
	printf '{"date":"2024-03-02","channel":"a","spend":9000.00}\n' \
	    > silver/spend/date=2024-03-02/part-1.ndjson
	man_example mx-test.1 > ex.txt
	sed -n '/^\.\\" file: spend.tests$/,/^\.Ed/p' ex.txt | sed '1,2d;$d' > spend.tests
	[ -s spend.tests ]
	cmd=$(sed -n '/^mx-test spend.tests/p' ex.txt)
	run sh -c "$cmd --store st --run r1"
	assert_failure 1
	assert_output --partial 'fail  spend  days_over_10000  1 failing of 3 rows'
	run jq -c '[.date, (.spend | tostring)]' st/spend/days_over_10000/r1.ndjson
	assert_output '["2024-03-01","10000.01"]'
}

@test "--json: one object a test, with table, test, kind, severity, state, failing, rows, seconds" {
	orders
	printf 'unique customer_id\nrow_count min=1 severity=warn\n' > orders.tests
	run mx-test --json --store st --run r1 orders.tests orders.ndjson
	assert_failure 1
	assert_line --index 2 'mx-test: orders.tests:1: unique_customer_id: 1 failing of 3 rows'
	mx-test --json --store st --run r1 orders.tests orders.ndjson > out.ndjson 2> /dev/null || true
	assert_ndjson out.ndjson
	run jq -c 'del(.seconds)' out.ndjson
	assert_output '{"table":"orders","test":"unique_customer_id","kind":"unique","severity":"error","state":"fail","failing":1,"rows":3,"file":"orders.tests","line":1,"run":"r1","stored":"st/orders/unique_customer_id/r1.ndjson","detail":null}
{"table":"orders","test":"row_count_min_1","kind":"row_count","severity":"warn","state":"pass","failing":0,"rows":3,"file":"orders.tests","line":2,"run":"r1","stored":null,"detail":"3 rows, at least 1"}'
	run jq -e '.seconds | type == "number" and . >= 0' out.ndjson
	assert_success
}

@test "--store: DIR/table/test/run.ndjson; limit=; a test that passes removes its file of the run; the run id" {
	orders
	printf 'expression limit=2 name=small total_amount < 1\nunique order_id\n' > orders.tests
	run mx-test --store st --run r1 orders.tests orders.ndjson
	assert_failure 1
	assert_output --partial 'small            3 failing of 3 rows'
	run wc -l < st/orders/small/r1.ndjson
	assert_output 2
	[ ! -e st/orders/unique_order_id ]
	run ls -a st/orders/small
	assert_output '.
..
r1.ndjson'
	# the same run again, now passing: its failing rows are gone
	sed -i 's/< 1$/< 100000/' orders.tests
	run mx-test --store st --run r1 orders.tests orders.ndjson
	assert_success
	[ ! -e st/orders/small/r1.ndjson ]
	# the default run is the time, as the lake's runs are named
	sed -i 's/< 100000$/< 1/' orders.tests
	run mx-test --store st --now 2024-03-13T00:00:00Z orders.tests orders.ndjson
	[ -f st/orders/small/20240313T000000Z.ndjson ]
	run mx-test --store st --name gold/orders --run r2 orders.tests orders.ndjson
	[ -f st/gold/orders/small/r2.ndjson ]
	# a _test of the record's own is replaced
	run mx-test --store st2 --run r3 orders.tests st/orders/small/20240313T000000Z.ndjson
	run jq -c ._test st2/orders/small/r3.ndjson
	assert_output '{"file":"st/orders/small/20240313T000000Z.ndjson","line":1}
{"file":"st/orders/small/20240313T000000Z.ndjson","line":2}'
	for bad in '' . ../x a/b; do
		run mx-test --run "$bad" orders.tests orders.ndjson
		assert_failure 2
	done
	run mx-test --name ../x orders.tests orders.ndjson
	assert_failure 2
	assert_output --partial "--name: '../x': a name beginning with '.'"
}

@test "a partitioned directory: part files below it in path order, gzip, hidden files left out, Hive keys as fields" {
	mkdir -p t/d=2024-03-01/h=0 t/d=2024-03-02/h=1 t/d=__HIVE_DEFAULT_PARTITION__/h=2 t/_tmp t/.x
	printf '{"id":1}\n{"id":2,"d":"2024-03-01"}\n' > t/d=2024-03-01/h=0/part-1.ndjson
	printf '{"id":3}\n' | gzip > t/d=2024-03-02/h=1/part-2.ndjson.gz
	printf '{"id":4}\n' > t/d=__HIVE_DEFAULT_PARTITION__/h=2/part-1.ndjson
	printf '{"id":1}\n' > t/d=2024-03-01/h=0/.part-9.ndjson.tmp
	printf '{"id":1}\n' > t/_tmp/part-1.ndjson
	printf '{"id":1}\n' > t/.x/part-1.ndjson
	printf '{"id":1}\n' > t/d=2024-03-01/other.ndjson
	touch t/d=2024-03-01/_SUCCESS
	cat > t.tests <<-'EOF'
	unique id
	expression name=dated d == null or d >= '2024-03-01'
	not_null d,h
	expression name=hour_numbers 0 <= h <= 2
	EOF
	run mx-test --store st --run r t.tests t
	assert_failure 1
	assert_line --index 0 --partial 'pass  t  unique_id     0 failing of 4 rows'
	assert_line --index 1 --partial 'pass  t  dated         0 failing of 4 rows'
	assert_line --index 2 --partial 'fail  t  not_null_d_h  1 failing of 4 rows'
	assert_line --index 3 --partial 'pass  t  hour_numbers  0 failing of 4 rows'
	run jq -c '[.id, ._test.file]' st/t/not_null_d_h/r.ndjson
	assert_output '[4,"t/d=__HIVE_DEFAULT_PARTITION__/h=2/part-1.ndjson"]'
	# several files and directories, and a trailing slash
	run mx-test -q t.tests t/ t/d=2024-03-01/h=0/part-1.ndjson
	assert_failure 1
	assert_output --partial 'fail  t  unique_id     2 failing of 6 rows'
	# a partition that is a link to another is not read twice
	ln -s d=2024-03-01 t/d=2099-01-01
	run --separate-stderr mx-test --run r t.tests t
	assert_failure 1
	assert_line --index 0 --partial 'pass  t  unique_id     0 failing of 4 rows'
	[ "${stderr_lines[0]}" = 'mx-test: t/d=2099-01-01: a symbolic link to a directory, not followed' ]
	rm t/d=2099-01-01
	# an empty directory is a table of no rows
	mkdir empty
	echo 'row_count max=0' > e.tests
	run mx-test e.tests empty
	assert_success
	run mx-test e.tests nosuch
	assert_failure 1
	assert_output 'mx-test: nosuch: No such file or directory'
}

@test "tables by name: -T directories in order, then the current directory; --name; standard input" {
	mkdir -p lake/gold lake/silver/customers/y=1 other
	printf '{"id":1}\n{"id":2}\n' > lake/gold/orders.ndjson
	printf '{"id":1}\n' > other/orders.ndjson
	printf '{"customer_id":"C1"}\n' > lake/silver/customers/y=1/part-1.ndjson
	echo 'row_count eq=silver/customers' > orders.tests
	run mx-test -T lake --name gold/orders orders.tests
	assert_failure 1
	assert_output --partial 'fail  gold/orders  row_count_eq_silver_customers  1 failing of 2 rows'
	run mx-test -T other -T lake/gold -T lake --name orders orders.tests
	assert_success
	run mx-test -T nowhere --name gold/orders orders.tests
	assert_failure 1
	assert_output 'mx-test: gold/orders: no such table (tried nowhere/gold/orders, nowhere/gold/orders.ndjson, nowhere/gold/orders.ndjson.gz, gold/orders, gold/orders.ndjson, gold/orders.ndjson.gz)'
	# no table and no -T: standard input
	echo 'unique id' > s.tests
	run sh -c 'printf "{\"id\":1}\n{\"id\":1}\n" | mx-test s.tests'
	assert_failure 1
	assert_output --partial 'fail  s  unique_id  1 failing of 2 rows'
	run sh -c 'printf "{\"id\":1}\n" | mx-test s.tests -'
	assert_success
	echo 'custom true' > c.tests
	run sh -c 'printf "{\"id\":1}\n" | mx-test c.tests'
	assert_failure 2
	assert_output 'mx-test: c.tests:1: custom: needs the table in files, not standard input'
}

@test "mistakes in a test file: exit 2 with the file and line, before any table is read" {
	echo '{"a":1}' > t.ndjson
	check() {
		printf '%s\n' "$1" > bad.tests
		run mx-test bad.tests t.ndjson
		assert_failure 2
		assert_output "mx-test: bad.tests:1: $2"
	}
	check 'uniq a' "unknown test 'uniq' (unique, not_null, accepted_values, relationships, expression, row_count, recency or custom)"
	check 'unique' 'unique: no columns'
	check 'unique a b' "unique: 'b' after the columns 'a' (columns are one comma-separated word)"
	check 'unique a min=1' 'unique: min= is not an option of unique'
	check 'unique a severity=warn severity=error' 'unique: severity= given twice'
	check 'unique a,,b' 'unique: empty field path'
	check 'unique a name=x/y' "name=: a '/' in a name"
	check 'accepted_values a' 'accepted_values: no in= list'
	check 'accepted_values a,b in=1' 'accepted_values: one column'
	check 'accepted_values a in=1,,2' 'in=: an empty item (write "" for the empty string)'
	check 'accepted_values a in=1,' "in=: an empty item after ','"
	check 'accepted_values a in=x,x' "in=: '\"x\"' is listed twice"
	check 'relationships a' 'relationships: no to= table'
	check 'expression' 'expression: no expression'
	check 'expression a <' 'expression: column 4: expected a value, not the end'
	check 'expression a < null' 'expression: column 3: null has no order: use == null or != null'
	check 'expression 0 <= a <= null' 'expression: column 11: null in a chain of comparisons: use == null or != null alone'
	check 'expression (a' "expression: column 3: expected ')', not the end"
	check "expression a == 'x" "expression: column 6: a string without its closing \"'\""
	check 'expression a = 1 limit=3' 'expression: limit= after the expression (options come before it)'
	check 'expression a = 1 where="a == 2"' 'expression: where= after the expression (options come before it)'
	check 'expression a == 01' "expression: column 6: a bad number '01'"
	check 'expression nosuch(a) > 1' "expression: column 1: unknown function 'nosuch'"
	check 'row_count' 'row_count: no min=, max= or eq='
	check 'row_count x' "row_count: 'x': not an option (row_count takes min=, max= or eq=)"
	check 'row_count eq=1 min=1' 'row_count: eq= with min= or max='
	check 'recency a' 'recency: no max_age='
	check 'recency a max_age=soon' "max_age=: 'soon' is not a duration (48h, 2d, 30m, 90s; hours when bare)"
	check 'custom' 'custom: no command'
	check 'unique a where="a >"' 'where=: column 4: expected a value, not the end'
	check 'unique a where="x' 'an unterminated quoted string'
	check 'unique a limit=-1' "limit=: '-1' is not a count"
	printf 'unique a\nnot_null b\nunique a\n' > bad.tests
	run mx-test bad.tests t.ndjson
	assert_failure 2
	assert_output 'mx-test: bad.tests:3: unique_a: a test of that name is on line 1 (name= tells them apart)'
	: > empty.tests
	run mx-test empty.tests t.ndjson
	assert_failure 2
	assert_output 'mx-test: empty.tests: no tests'
	run mx-test nosuch.tests t.ndjson
	assert_failure 2
	run mx-test
	assert_failure 2
	assert_line --index 1 --partial 'usage: mx-test'
}

@test "a line that is not JSON ends the run with its file and line, exit 1; blank lines are skipped" {
	printf '{"a":1}\n\n   \n{"a":2,}\n' > t.ndjson
	echo 'unique a' > t.tests
	run mx-test t.tests t.ndjson
	assert_failure 1
	assert_output --partial 'mx-test: t.ndjson:4: invalid JSON'
	printf '{"a":1}\n\n{"a":2}\n' > t.ndjson
	run mx-test t.tests t.ndjson
	assert_success
	assert_output --partial '0 failing of 2 rows'
}

@test "--cache: a table's counts kept for later runs while its files stay the same; --precount counts another file's bounds in this pass (the man page's example)" {
	mkdir -p lake/silver/events/d=1 lake/silver/events/d=2 lake/gold \
	    scripts/tests/silver scripts/tests/gold
	printf '{"id":%d,"u":"u%d","d":%d}\n' 1 1 1 2 2 1 3 1 1 > lake/silver/events/d=1/part-a.ndjson
	printf '{"id":%d,"u":"u%d","d":%d}\n' 4 3 2 5 1 2 > lake/silver/events/d=2/part-a.ndjson
	printf '{"d":1,"users":2}\n{"d":2,"users":2}\n' > lake/gold/daily.ndjson
	printf 'unique id\nrow_count min=1\n' > scripts/tests/silver/events.tests
	printf 'row_count eq=silver/events:d\nrow_count max=silver/events name=rows\nrow_count max=silver/events:u name=users\nunique d\n' > scripts/tests/gold/daily.tests
	daily() { mx-test --json -T lake --name gold/daily "$@" scripts/tests/gold/daily.tests; }
	run daily
	assert_success
	sed 's/"seconds":[0-9.]*,//' <<< "$output" > plain.out
	# the man page's example: the silver tests count what daily.tests
	# asks of silver/events, then daily.tests reads them
	man_example mx-test.1 | sed -n '/^mx-test -T lake --name silver.events --cache counts/,/^mx-test -T lake --name gold.daily --cache counts/p' |
	    sed 's/\\e$/\\/' > ex.sh
	[ "$(wc -l < ex.sh)" -eq 3 ]
	run sh ex.sh
	assert_success
	assert_line --regexp '^pass  silver/events  unique_id +0 failing of 5 rows'
	assert_line --regexp '^pass  gold/daily  row_count_eq_silver_events_d +0 failing of 2 rows .*expected 2 \(the distinct d of silver/events\)'
	assert_line --regexp '^pass  gold/daily  users +0 failing of 2 rows .*at most 3 \(the distinct u of silver/events\)'
	assert_equal "$(ls counts | wc -l)" 3
	run sh -c 'cut -d " " -f 2 counts/* | sort -n | tr "\n" " "'
	assert_output '2 3 5 '
	run daily --cache counts
	assert_success
	diff plain.out <(sed 's/"seconds":[0-9.]*,//' <<< "$output")
	# the counts come from the cache: one made wrong on purpose is
	# believed while the files are the same ...
	for f in counts/*; do
		[ "$(cut -d ' ' -f 2 "$f")" != 2 ] || sed -i 's/ 2$/ 7/' "$f"
	done
	run daily --cache counts
	assert_failure 1
	assert_line --partial '"detail":"2 rows, expected 7 (the distinct d of silver/events)"'
	# ... and not once a file of the table changes (its time, here)
	touch -d '2001-01-01' lake/silver/events/d=2/part-a.ndjson
	run daily --cache counts
	assert_success
	diff plain.out <(sed 's/"seconds":[0-9.]*,//' <<< "$output")
	# a test file with CRLF line ends is read as the test run reads it
	rm -r counts
	sed -i 's/$/\r/' scripts/tests/gold/daily.tests
	run sh ex.sh
	assert_success
	assert_equal "$(ls counts | wc -l)" 3
	# a torn entry is no entry
	for f in counts/*; do printf 'ab' > "$f"; done
	run daily --cache counts
	assert_success
	diff plain.out <(sed 's/"seconds":[0-9.]*,//' <<< "$output")
	run mx-test --precount scripts/tests/gold/daily.tests scripts/tests/silver/events.tests lake/silver/events
	assert_failure 2
	assert_line --index 0 'mx-test: --precount: counts are kept in --cache, which is not given'
	run mx-test --cache c --precount nosuch.tests scripts/tests/silver/events.tests lake/silver/events
	assert_failure 2
	assert_output --partial 'nosuch.tests'
}

@test "one pass: every row-level test of a file reads the table once (a FIFO can be read once)" {
	for i in $(seq 1 1000); do
		printf '{"id":%d,"c":"C%d","s":"paid","v":%d,"ts":"2024-03-01T00:00:00Z"}\n' "$i" $((i % 7)) "$i"
	done > data
	printf '{"c":"C%d"}\n' 0 1 2 3 4 5 > dim.ndjson
	cat > t.tests <<-'EOF'
	unique id
	unique c,id
	not_null id,c
	accepted_values s in=paid
	relationships c to=dim
	expression v >= 1
	expression where="s == 'paid'" v <= 1000
	row_count eq=1000
	recency ts max_age=1h
	EOF
	mkfifo t.ndjson
	cat data > t.ndjson &
	pid=$!
	run mx-test --now 2024-03-01T00:30:00Z t.tests t.ndjson
	kill "$pid" 2> /dev/null || true
	wait
	assert_failure 1
	assert_equal "$(printf '%s\n' "$output" | grep -c '^pass .* of 1000 rows')" 8
	assert_line --partial 'fail  t  relationships_c_dim  143 failing of 1000 rows'
}

@test "expressions: the order of values, time, three-valued logic, exact arithmetic, functions, strings" {
	cat > t.ndjson <<-'EOF'
	{"a":1,"b":1.0,"s":"1","t":"2024-03-01T10:00:00+01:00","u":"2024-03-01T09:00:00Z","e":1709283600,"x":"abc","n":null,"ok":true,"p":0.1,"q":0.2,"r":0.3,"big":123456789012345678901234567890}
	EOF
	check() {
		printf 'expression %s\n' "$1" > t.tests
		run mx-test t.tests t.ndjson
		[ "$status" -eq "$2" ] || fail "$1: exit $status, want $2: $output"
	}
	check 'a == b and a == s and b = s' 0
	check 'a != s' 1
	check 't == u and u == e and t <= u and t >= e' 0
	check 't > "2024-03-01"' 0
	check "t < '2024-03-01T09:00:00.001Z'" 0
	check 'x > 1' 1
	check 'x != 1 and not (x == 1)' 0
	check 'x == "abc" and x < "abd" and "Z" < x' 0
	check 'p + q == r' 0
	check 'p * 3 - r == 0 and -p < 0' 0
	check 'big > 123456789012345678901234567889' 0
	# null: unknown passes, == null tests it, Kleene's and/or
	check 'n > 0' 0
	check 'n == null and a != null' 0
	# a field no row has is no null: a misspelt name, the test fails
	check 'nosuch == null' 1
	assert_output --partial "[no row had the column 'nosuch']"
	check 'n > 0 or false' 0
	check 'n > 0 and false' 1
	check 'n > 0 or true' 0
	check 'not (n > 0)' 0
	check 'n + 1 > 0' 0
	check 'ok == (a < 2)' 0
	check 'ok == (n < 2)' 0
	check 'ok and not false' 0
	check 'x' 1
	check 'hour(u) == 9 and date(t) == "2024-03-01" and dow(u) == 5 and month(u) == "2024-03"' 0
	check 'u > now()' 0	# SOURCE_DATE_EPOCH: 2023-11-14
	check "x == 'abc' and 'it''s' != x" 0
	check '1 <= a <= 1 < 2' 0
	check '1 <= a < 1' 1
	# mx-calc's language: quotients to 6 places, its functions; what
	# cannot be evaluated is unknown, as arithmetic on null is
	check 'a / 3 == 0.333333 and 2 / 3 == 0.666667' 0
	check 'coalesce(n, a) == 1 and if(ok, "y", "n") == "y" and lower("ABC") == x' 0
	check 'x * 2 > 1' 0
	check 'x * 2 > 1 or false' 0
	check 'round(p + q, 0) == 0 and substr(t, 1, 4) == "2024"' 0
}

@test "where= tests only the rows where it is true, and counts only those" {
	orders
	echo '{"order_id":"O4","status":"paid"}' >> orders.ndjson
	cat > orders.tests <<-'EOF'
	not_null refunded_at where="status == 'refunded'" name=refunds_dated
	not_null total_amount where="status == 'paid'" name=paid_totals
	row_count eq=2 where="status == 'paid'" name=two_paid
	unique status where="status != null"
	EOF
	run mx-test orders.tests orders.ndjson
	assert_failure 1
	assert_line --index 0 --regexp '^pass  orders  refunds_dated +0 failing of 1 rows'
	assert_line --index 1 --regexp '^fail  orders  paid_totals +1 failing of 2 rows'
	assert_line --index 2 --regexp '^pass  orders  two_paid +0 failing of 2 rows'
	assert_line --index 3 --regexp '^fail  orders  unique_status +1 failing of 4 rows'
}

# events: silver/events in 3 partitions by day (d=1 of two files) of 3000
# mx-gen events, with duplicate event_ids inside d=2 and of d=1's rows in
# d=2 and d=3; bronze/events, the 3000; products, but for a few (orphans);
# events.tests, every kind but custom
events() {
	mkdir -p lake/silver/events/d=1 lake/silver/events/d=2 \
	    lake/silver/events/d=3 lake/bronze
	mx-gen -n 3000 -s 1 -o lake/bronze/events.ndjson ecommerce
	awk '{ d = substr($0, index($0, "\"timestamp\":\"") + 21, 2) + 0
		p = d <= 10 ? 1 : d <= 20 ? 2 : 3
		print > ("lake/silver/events/d=" p "/part-" \
		    (p == 1 && NR % 2 ? "b" : "a") ".ndjson") }' \
	    lake/bronze/events.ndjson
	local e=lake/silver/events
	sed -n 5p $e/d=2/part-a.ndjson >> $e/d=2/part-a.ndjson
	sed -n 3p $e/d=1/part-a.ndjson >> $e/d=2/part-a.ndjson
	sed -n 3p $e/d=1/part-a.ndjson >> $e/d=3/part-a.ndjson
	sed -n 7p $e/d=1/part-b.ndjson >> $e/d=3/part-a.ndjson
	sed -n 7p $e/d=1/part-b.ndjson >> $e/d=3/part-a.ndjson
	jq -c 'select(.product_id != null) | {product_id}' lake/bronze/events.ndjson |
	    sort -u | awk 'NR % 97 != 5' > lake/products.ndjson
	cat > events.tests <<-'EOF'
	unique event_id limit=3
	unique user_id,session_id name=user_session severity=warn
	not_null product_id where="event_type != 'search'" limit=2
	accepted_values category in=books,home,beauty,clothing,electronics,grocery,sports error_if=>5
	expression where="event_type == 'purchase'" price > 20
	row_count min=100
	row_count eq=bronze/events name=rows_eq
	recency timestamp max_age=48h
	relationships product_id to=products limit=4
	accepted_values d in=1,2 severity=warn limit=3
	EOF
}

# partials TESTS PREFIX DIR...: a partial of each partition directory
partials() {
	local tests=$1 pre=$2 d
	shift 2
	for d in "$@"; do
		run mx-test -T lake --name silver/events --now 2024-03-31T12:00:00Z \
		    --partial "$pre${d##*=}.part" "$tests" lake/silver/events/$d
		assert_success
		assert_output ''
	done
}

# the output of a run without its timings
untimed() { sed -e 's/"seconds":[0-9.]*,//' -e 's/  [0-9.]* s/  s/'; }

@test "--partial per partition then --merge: the same results, stored rows, messages and exit status as a run over the whole table (--json and text)" {
	events
	o="-T lake --name silver/events --now 2024-03-31T12:00:00Z --run r1"
	run -1 --separate-stderr mx-test $o --json --store whole events.tests lake/silver/events
	[ "${#lines[@]}" -eq 10 ]
	untimed <<< "$output" > whole.out
	printf '%s\n' "$stderr" > whole.err
	partials events.tests p d=1 d=2 d=3
	run -1 --separate-stderr mx-test $o --json --store merged --merge events.tests p1.part p2.part p3.part
	untimed <<< "$output" | sed 's/"merged\//"whole\//' > merged.out
	printf '%s\n' "$stderr" > merged.err
	run diff whole.out merged.out
	assert_success
	run diff whole.err merged.err
	assert_success
	run diff -r whole merged
	assert_success
	# what the table holds: 5 duplicates, 3 stored (two across partitions)
	run jq -c '[.test, .state, .failing, .rows]' merged.out
	assert_line '["unique_event_id","fail",5,3005]'
	assert_line '["user_session","warn",2229,3005]'
	assert_line '["not_null_product_id","pass",0,2646]'
	assert_line '["expression_price_20","fail",49,115]'
	assert_line '["rows_eq","fail",5,3005]'
	assert_line '["relationships_product_id_products","fail",37,3005]'
	assert_line '["accepted_values_d","warn",1068,3005]'
	run jq -r '._test | "\(.file):\(.line)"' whole/silver/events/unique_event_id/r1.ndjson
	assert_output 'lake/silver/events/d=2/part-a.ndjson:968
lake/silver/events/d=2/part-a.ndjson:969
lake/silver/events/d=3/part-a.ndjson:1066'
	[ "$(wc -l < whole/silver/events/relationships_product_id_products/r1.ndjson)" -eq 4 ]
	# text
	run -1 mx-test $o events.tests lake/silver/events
	untimed <<< "$output" > whole.txt
	run -1 mx-test $o --merge events.tests p1.part p2.part p3.part
	untimed <<< "$output" > merged.txt
	run diff whole.txt merged.txt
	assert_success
	assert_equal "$(wc -l < merged.txt)" 15
}

@test "--merge of many partials: a key in several at once, in all of them, in one; the failing rows and their order as over the whole table" {
	# 20 partitions of 1 to 575 rows; k repeats within and across them,
	# key 0 is in every one
	awk 'BEGIN { for (p = 0; p < 20; p++) { d = "lake/t/p=" p
		system("mkdir -p " d); n = p == 7 ? 1 : p * 30 + 5
		for (i = 0; i < n; i++) {
			k = i == 0 ? 0 : (p * 7919 + i * 104729) % 2500
			printf "{\"k\":%d,\"i\":%d}\n", k, i > (d "/part-a.ndjson")
		} } }'
	printf '%s\n' 'unique k' 'row_count eq=t:k' > k.tests
	o="-T lake --name t --run r1"
	run -1 mx-test $o --json --store whole k.tests lake/t
	untimed <<< "$output" > whole.out
	run jq -c '[.test, .state, .failing, .rows]' whole.out
	assert_line '["unique_k","fail",3086,5586]'
	for p in $(seq 0 19); do
		run -0 mx-test $o --partial p$p.part k.tests lake/t/p=$p
	done
	# (in the table's path order: p=0, p=1, p=10, ..., p=19, p=2, ...)
	run -1 mx-test $o --json --store merged --merge k.tests \
	    $(for p in $(seq 0 19); do echo p$p.part; done | LC_ALL=C sort)
	untimed <<< "$output" | sed 's/"merged\//"whole\//' > merged.out
	run diff whole.out merged.out
	assert_success
	run diff -r whole merged
	assert_success
}

@test "--merge: all tests passing (exit 0), a single partial, and partials in another order give the run over the files in that order" {
	events
	o="-T lake --name silver/events --now 2024-03-31T12:00:00Z --run r1"
	printf '%s\n' 'not_null event_id' 'row_count min=1' \
	    'unique event_id,timestamp,d error_if=>10' \
	    'relationships product_id to=products error_if=>100' > ok.tests
	partials ok.tests o d=1 d=2 d=3
	run -0 mx-test $o --json --merge ok.tests o1.part o2.part o3.part
	untimed <<< "$output" > merged.out
	run -0 mx-test $o --json ok.tests lake/silver/events
	untimed <<< "$output" > whole.out
	run diff whole.out merged.out
	assert_success
	run jq -r .state merged.out
	assert_output 'pass
pass
warn
warn'
	# one partition, alone (no key=value column tested: the run below
	# reads d=3 as a table of its own)
	head -n 9 events.tests > e9.tests
	partials e9.tests q d=1 d=2 d=3
	run -1 mx-test $o --json --store w3 e9.tests lake/silver/events/d=3
	untimed <<< "$output" | sed 's/"w3\//"x\//' > whole.out
	run -1 mx-test $o --json --store m3 --merge e9.tests q3.part
	untimed <<< "$output" | sed 's/"m3\//"x\//' > merged.out
	run diff whole.out merged.out
	assert_success
	run diff -r w3 m3
	assert_success
	# the order of the partials is the order of the files: d=3's rows
	# first, so that d=1's copies are the failing ones
	run -1 mx-test $o --store w --json e9.tests lake/silver/events/d=3 \
	    lake/silver/events/d=2 lake/silver/events/d=1
	untimed <<< "$output" | sed 's/"w\//"x\//' > whole.out
	run -1 mx-test $o --store m --json --merge e9.tests q3.part q2.part q1.part
	untimed <<< "$output" | sed 's/"m\//"x\//' > merged.out
	run diff whole.out merged.out
	assert_success
	run diff -r w m
	assert_success
	run jq -r '._test | "\(.file):\(.line)"' m/silver/events/unique_event_id/r1.ndjson
	assert_output 'lake/silver/events/d=3/part-a.ndjson:1068
lake/silver/events/d=2/part-a.ndjson:968
lake/silver/events/d=2/part-a.ndjson:969'
}

@test "--partial refuses a custom test (exit 2, nothing written); --merge refuses a partial of another test file, one cut short or damaged, and what is no partial (exit 1, the file named)" {
	events
	o="-T lake --name silver/events"
	printf 'unique event_id\ncustom name=mine true\n' > cu.tests
	run -2 mx-test $o --partial c.part cu.tests lake/silver/events/d=1
	assert_output 'mx-test: cu.tests:2: mine: a custom test is not incremental (--partial): test the whole table'
	[ ! -e c.part ]
	partials events.tests p d=1 d=2
	head -n 3 events.tests > other.tests
	run -1 mx-test $o --merge other.tests p1.part p2.part
	assert_output 'mx-test: p1.part: a partial of another test file than other.tests'
	head -c 2000 p2.part > cut.part
	run -1 mx-test $o --merge events.tests p1.part cut.part
	assert_output 'mx-test: cut.part: not a partial of mx-test, or a damaged one: its checksum does not match (cut short?)'
	cp p1.part bad.part
	printf 'X' | dd of=bad.part bs=1 seek=3000 conv=notrunc 2>/dev/null
	run -1 mx-test $o --merge events.tests bad.part
	assert_output --partial 'mx-test: bad.part: not a partial of mx-test, or a damaged one'
	cp p1.part v3.part
	printf '\003' | dd of=v3.part bs=1 seek=16 conv=notrunc 2>/dev/null
	run -1 mx-test $o --merge events.tests v3.part
	assert_output 'mx-test: v3.part: a partial of format 3, not 2'
	run -1 mx-test $o --merge events.tests lake/products.ndjson
	assert_output "mx-test: lake/products.ndjson: not a partial of mx-test, or a damaged one: no partial's header"
	: > empty.part
	run -1 mx-test $o --merge events.tests empty.part
	assert_output --partial 'mx-test: empty.part: not a partial'
	run -1 mx-test $o --merge events.tests nosuch.part
	assert_output 'mx-test: nosuch.part: No such file or directory'
	run -2 mx-test $o --merge events.tests
	assert_line --index 0 'mx-test: --merge: no partial'
	run -2 mx-test $o --partial x.part --store s events.tests lake/silver/events/d=1
	assert_line --index 0 --partial 'mx-test: --partial: with'
	run -2 mx-test --partial x.part events.tests < lake/products.ndjson
	assert_output --partial 'standard input'
	[ ! -e x.part ]
}

@test "--partial --precount, then --merge --cache: the cache entries a run over the whole table writes; a partial without them, the table read" {
	events
	o="-T lake --name silver/events --now 2024-03-31T12:00:00Z"
	printf '%s\n' 'row_count max=silver/events:user_id name=users' \
	    'row_count eq=silver/events name=rows' \
	    'row_count min=silver/events:d,user_id name=du' > gold.tests
	run -1 mx-test $o --cache whole --precount gold.tests events.tests
	for d in 1 2 3; do
		run -0 mx-test $o --precount gold.tests --partial g$d.part \
		    events.tests lake/silver/events/d=$d
	done
	run -1 mx-test $o --cache merged --precount gold.tests --merge events.tests g1.part g2.part g3.part
	run diff -r whole merged
	assert_success
	[ "$(ls merged | wc -l)" -eq 5 ]
	assert_equal "$(cat merged/* | grep -c ' 3005$\| 338$\| 594$')" 3
	# partials made without --precount: the merge counts by reading
	partials events.tests p d=1 d=2 d=3
	run -1 mx-test $o --cache read --precount gold.tests --merge events.tests p1.part p2.part p3.part
	run diff -r whole read
	assert_success
	# and gold's run finds them there
	run -1 mx-test -T lake --name gold/x --cache merged --json gold.tests lake/bronze/events.ndjson
	run jq -r .detail <<< "$output"
	assert_line '3000 rows, at most 338 (the distinct user_id of silver/events)'
}

@test "the man page's examples run as written" {
	orders
	echo '{"order_id":"O4","customer_id":"C7","status":"paid","total_amount":20000,"ordered_at":"2024-03-10T10:00:00Z","refunded_at":null}' >> orders.ndjson
	echo '{"order_id":"O5","customer_id":"test-1","status":"refunded","total_amount":1,"ordered_at":"2024-03-10T11:00:00Z"}' >> orders.ndjson
	man_example mx-test.1 > ex.txt
	sed -n '/^\.\\" file: orders.tests$/,/^\.Ed/p' ex.txt | sed '1,2d;$d' > orders.tests
	[ "$(grep -c . orders.tests)" -ge 8 ]
	# the blocks after it, up to the lake's, as written
	awk '/^\.\\" file:/ { skip = 1 } /^\.Bd/ && !skip { on = 1; next }
	    /^\.Ed/ { on = 0; skip = 0; next } on' ex.txt | sed 's/\\e$/\\/' > ex.sh
	sed -n '1,/^cat failures/p' ex.sh > run.sh
	run sh run.sh
	assert_success
	assert_line --regexp '^pass  orders  unique_order_id +0 failing of 5 rows'
	assert_line --regexp '^pass  orders  not_null_order_id_customer_id_ordered_at +0 failing'
	assert_line --regexp '^pass  orders  accepted_values_status +0 failing'
	assert_line --regexp '^fail  orders  relationships_customer_id_customers +2 failing of 5 rows'
	assert_line --regexp '^fail  orders  expression_0_total_amount_15000 +1 failing of 5 rows'
	assert_line --regexp '^fail  orders  refunds_have_a_date +1 failing of 5 rows'
	assert_line --regexp '^fail  orders  row_count_min_1_max_customers +2 failing of 5 rows'
	assert_line --regexp '^pass  orders  recency_ordered_at +0 failing'
	assert_line --regexp '^fail  orders  no_test_customers +1 failing of 5 rows'
	assert_line --partial '"order_id":"O4","customer_id":"C7"'
	assert_line --partial '"order_id":"O5","customer_id":"test-1"'
	# a partial of each partition, then the merge: a run's results
	mkdir -p lake/silver/events/d=1 lake/silver/events/d=2 scripts/tests/silver
	printf '{"id":%d}\n' 1 2 > lake/silver/events/d=1/part-a.ndjson
	printf '{"id":%d}\n' 3 1 > lake/silver/events/d=2/part-a.ndjson
	printf 'unique id\nrow_count min=1\n' > scripts/tests/silver/events.tests
	sed -n '/^mkdir -p partials/,/partials.1 partials.2$/p' ex.sh > part.sh
	[ "$(wc -l < part.sh)" -eq 7 ]
	run -1 --separate-stderr sh part.sh
	sed 's/"seconds":[0-9.]*,//' <<< "$output" > merged.out
	run -1 --separate-stderr mx-test -T lake --name silver/events --json scripts/tests/silver/events.tests
	sed 's/"seconds":[0-9.]*,//' <<< "$output" > whole.out
	run diff whole.out merged.out
	assert_success
	run jq -r '"\(.test) \(.failing) \(.rows)"' merged.out
	assert_output 'unique_id 1 4
row_count_min_1 0 4'
}

@test "the lake's test files pass on a lake built from mx-gen data (e-commerce and Calendly), and catch what is broken" {
	raw raw 600 7
	rm -rf raw/adclicks raw/customers raw/online_sales raw/marketing_spend
	SOURCE_DATE_EPOCH=1710288000 run "$TOP/scripts/lake" -r raw -l lake ecommerce calendly
	assert_success
	export SOURCE_DATE_EPOCH=1710288000
	n=0
	for f in "$TOP"/scripts/tests/*/*.tests; do
		t=${f#"$TOP"/scripts/tests/}
		t=${t%.tests}
		[ -e "lake/$t" ] || [ -e "lake/$t.ndjson" ] || continue
		run mx-test -T lake --name "$t" --store lake/tests --run r1 --json "$f"
		[ "$status" -eq 0 ] || fail "$t: exit $status: $output"
		printf '%s\n' "$output" | grep -v '"state":"pass"' >&2 || true
		n=$((n + 1))
	done
	# silver: ecommerce_events, calendly_bookings, spend; gold: 5 + 11
	[ "$n" -eq 19 ] || fail "$n tables tested"
	[ ! -e lake/tests ] || [ -z "$(find lake/tests -name '*.ndjson' -size +0 | grep -v -e '/relationships_old_invitee' -e '/recency')" ]
	# the man page's example: a lake's table by name, results to a log
	mkdir -p scripts/tests/gold
	cp "$TOP/scripts/tests/gold/bookings.tests" scripts/tests/gold/
	man_example mx-test.1 | sed -n '/^mx-test -T lake --name gold.bookings/,/results.ndjson$/p' |
	    sed 's/\\e$/\\/' > lake.sh
	run sh lake.sh
	assert_success
	assert_ndjson results.ndjson
	run jq -r '"\(.table) \(.state)"' results.ndjson
	assert_line 'gold/bookings pass'
	# break the bookings: a duplicate, an orphan, a bad status
	cp lake/gold/bookings.ndjson good
	{ head -n 1 good; sed -n '2,$p' good; } | sed '3s/"status":"[a-z]*"/"status":"lost"/;
	    4s|"booking_id":"[^"]*"|"booking_id":"https://nowhere"|' > lake/gold/bookings.ndjson
	head -n 1 good >> lake/gold/bookings.ndjson
	run mx-test -T lake --name gold/bookings --store lake/tests --run r2 \
	    "$TOP/scripts/tests/gold/bookings.tests"
	assert_failure 1
	assert_line --partial 'fail  gold/bookings  unique_booking_id '
	assert_line --partial 'fail  gold/bookings  accepted_values_status '
	assert_line --partial 'fail  gold/bookings  relationships_booking_id_silver_calendly_bookings '
	assert_line --partial 'fail  gold/bookings  every_invitee_in_one_booking '
	run jq -r .status lake/tests/gold/bookings/accepted_values_status/r2.ndjson
	assert_output lost
	# the tests of a silver table: a duplicated key in one partition
	f=$(find lake/silver/ecommerce_events -name 'part-*.ndjson' | sort | head -n 1)
	head -n 1 "$f" >> "$f"
	run mx-test -q -T lake --name silver/ecommerce_events \
	    "$TOP/scripts/tests/silver/ecommerce_events.tests"
	assert_failure 1
	assert_line --regexp '^fail  silver/ecommerce_events  unique_event_id +1 failing of'
}

@test "mx-assert.bash: assert_unique, assert_not_null, assert_relationship, assert_rows_between, with the failing rows shown" {
	load "$TOP/scripts/mx-assert.bash"
	orders
	mkdir -p dim/y=1
	cp customers.ndjson dim/y=1/part-1.ndjson
	assert_unique orders.ndjson order_id
	assert_not_null orders.ndjson order_id,customer_id
	assert_relationship orders.ndjson customer_id customers.ndjson
	assert_relationship orders.ndjson customer_id dim customer_id
	assert_rows_between orders.ndjson 1 3
	assert_rows_between orders.ndjson - customers.ndjson
	assert_accepted_values orders.ndjson status paid,refunded,canceled
	assert_expression orders.ndjson '0 <= total_amount <= 15000'
	assert_expression orders.ndjson "status == 'paid'" "where=customer_id == 'C1' and total_amount < 11"
	echo '{"order_id":"O1","customer_id":"C9","status":"lost","total_amount":-1}' >> orders.ndjson
	run assert_unique orders.ndjson order_id
	assert_failure 1
	assert_line --index 0 -- '-- unique failed --'
	assert_line --index 1 'table  : orders.ndjson'
	assert_line --index 2 'test   : unique order_id'
	assert_line --index 3 --regexp '^result : fail  orders  unique_order_id  1 failing of 4 rows  [0-9.]+ s$'
	assert_line --index 4 'failing rows (1 shown):'
	assert_line --index 5 '{"order_id":"O1","customer_id":"C9","status":"lost","total_amount":-1,"_test":{"file":"orders.ndjson","line":4}}'
	assert_line --index 6 -- '--'
	assert_equal "${#lines[@]}" 7
	run assert_relationship orders.ndjson customer_id customers.ndjson
	assert_failure 1
	assert_output --partial '-- relationships failed --'
	assert_output --partial '"customer_id":"C9"'
	run assert_rows_between orders.ndjson 1 3
	assert_failure 1
	assert_output --partial '[4 rows, at least 1, at most 3]'
	assert_output --partial '{"rows":4,"min":1,"max":3,"off":1}'
	run assert_not_null orders.ndjson refunded_at
	assert_failure 1
	assert_output --partial 'failing rows (3 shown):'
	MX_ASSERT_ROWS=1 run assert_not_null orders.ndjson refunded_at
	assert_output --partial 'failing rows (1 shown):'
	# a warning is no failure; a mistake says why
	assert_unique orders.ndjson order_id severity=warn
	run assert_unique orders.ndjson 'a,,b'
	assert_failure 2
	assert_output --partial 'orders.tests:1: unique: empty field path'
	run assert_unique nosuch.ndjson id
	assert_failure 1
	assert_output --partial 'mx-test: nosuch.ndjson: No such file or directory'
}

@test "make install puts mx-assert.bash and the lake's test files in share/mx" {
	run make -C "$TOP" install DESTDIR="$T/root" PREFIX=/usr
	assert_success
	[ -x "$T/root/usr/bin/mx-test" ]
	[ -f "$T/root/usr/share/man/man1/mx-test.1" ]
	[ -f "$T/root/usr/share/mx/mx-assert.bash" ]
	[ -f "$T/root/usr/share/mx/tests/silver/spend.tests" ]
	[ -f "$T/root/usr/share/mx/tests/gold/bookings.tests" ]
	# (the test's line written apart: bats reads this file's lines)
	{
		echo "load $T/root/usr/share/mx/mx-assert"
		printf '@%s "installed" {\n' test
		cat <<-'EOF'
			printf '{"id":1}\n{"id":2}\n' > "$BATS_TEST_TMPDIR/t.ndjson"
			assert_unique "$BATS_TEST_TMPDIR/t.ndjson" id
			assert_rows_between "$BATS_TEST_TMPDIR/t.ndjson" 2 2
		}
		EOF
	} > t.bats
	# a bats run of its own, not a test of this one
	run bash -c 'unset $(compgen -e | grep "^BATS_"); exec bats t.bats' 3>&-
	assert_success
	assert_output --partial 'ok 1 installed'
}

@test "a test that reads a column no row had tested nothing: it fails (warns at severity=warn), saying so; partials merge what their rows had" {
	orders
	cat > orders.tests <<-'EOF'
	unique order_id
	accepted_values stauts in=paid,refunded,canceled
	expression 0 <= total_amont
	expression where="refunded_at != null" ordered_at <= refunded_at
	relationships custmer_id to=customers field=customer_id severity=warn
	unique order_id where="sttus == 'paid'" name=paid_once
	EOF
	run mx-test -T . orders.tests orders.ndjson
	assert_failure 1
	assert_line --index 0 --regexp '^pass  orders  unique_order_id +0 failing of 3 rows'
	assert_line --index 1 --regexp '^fail  orders  accepted_values_stauts +0 failing of 3 rows'
	assert_line --index 1 --partial "[no row had the column 'stauts']"
	assert_line --index 2 --partial "[no row had the column 'total_amont']"
	# a column one row has is there (refunded_at: one row of three)
	assert_line --index 3 --regexp '^pass  orders  expression_ordered_at_refunded_at +0 failing of 1 rows'
	assert_line --index 4 --regexp '^warn  orders  relationships_custmer_id_customers +0 failing of 3 rows'
	assert_line --index 4 --partial "[no row had the column 'custmer_id']"
	assert_line --index 5 --regexp '^fail  orders  paid_once +0 failing of 0 rows'
	assert_line --index 5 --partial "[no row had the column 'sttus']"
	run -1 --separate-stderr mx-test -T . --json orders.tests orders.ndjson
	run jq -c 'select(.test == "accepted_values_stauts") | [.state, .detail]' <<< "$output"
	assert_output '["fail","no row had the column '\''stauts'\''"]'
	# incremental: a column only the second part has is there
	mkdir -p t/d=1 t/d=2
	head -n 2 orders.ndjson > t/d=1/part-0.ndjson
	echo '{"order_id":"O9","stauts":"paid","total_amont":1,"ordered_at":"2024-03-11T09:00:00Z","custmer_id":"C1","sttus":"x"}' > t/d=2/part-0.ndjson
	run mx-test --partial p1 orders.tests t/d=1
	assert_success
	run mx-test --partial p2 orders.tests t/d=2
	assert_success
	run mx-test -T . --merge -q orders.tests p1 p2
	assert_success
	assert_output ''
	# the first part alone lacks them
	run mx-test -T . --merge -q orders.tests p1
	assert_failure 1
	assert_line --index 0 --partial "[no row had the column 'stauts']"
	# a table of no rows says nothing of its columns
	: > none.ndjson
	run mx-test -T . -q orders.tests none.ndjson
	assert_success
	assert_output ''
	# however many columns an expression reads: the 70th is told
	r=$(for i in $(seq 1 69); do printf '"f%d":1,' "$i"; done)
	echo "{${r%,}}" > wide.ndjson
	printf 'expression name=wide %s0 >= 0\n' "$(for i in $(seq 1 70); do printf 'f%d+' "$i"; done)" > wide.tests
	run mx-test wide.tests wide.ndjson
	assert_failure 1
	assert_output --regexp "^fail  wide  wide +0 failing of 1 rows .*\\[no row had the column 'f70'\\]$"
}

@test "a custom test whose table is cut short while it is fed: the test broken, the table named, the rows its command gave stored" {
	for i in $(seq 1 120000); do printf '{"a":"v%d"}\n' "$i"; done > t.ndjson
	# the command gives a row, then waits while the feeder fills its pipe
	cat > t.tests <<-'EOF'
	custom name=slow read x; echo "$x"; touch started; while [ ! -e gate ]; do sleep 0.1; done; cat > /dev/null
	EOF
	mx-test --store st --run r1 t.tests t.ndjson > out 2> err &
	pid=$!
	for i in $(seq 1 300); do [ -e started ] && break; sleep 0.1; done
	[ -e started ]
	sleep 0.3
	truncate -s 1000 t.ndjson
	touch gate
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" = 1 ]
	run cat err
	assert_line --index 0 'mx-test: t.ndjson: cut short while it was read'
	assert_line --index 1 'mx-test: t.tests:1: slow: 1 failing of 120000 rows [the table could not be read]'
	run cat st/t/slow/r1.ndjson
	assert_output '{"a":"v1"}'
	[ -z "$(find st -name '.*tmp*')" ]
}
