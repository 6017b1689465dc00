# shellcheck shell=bash
# mx-assert.bash: data tests written in bats, on mx-test(1).  Installed as
# share/mx/mx-assert.bash:
#
#	load /usr/local/share/mx/mx-assert
#
#	@test "orders are whole" {
#		assert_unique lake/silver/online_sales order_id
#		assert_not_null lake/silver/online_sales order_id,customer_id
#		assert_relationship lake/silver/online_sales customer_id \
#		    lake/silver/customers
#		assert_rows_between lake/gold/bookings.ndjson 1 100000
#	}
#
# TABLE is what mx-test reads: an NDJSON file (gzip or not) or a
# directory of part-*.ndjson files (a partitioned table).  COLUMNS are
# comma-separated field expressions (order_id, date(ts)).  Any further
# argument is an option of the test, as in a test file (severity=warn,
# error_if=>10, where="status == 'paid'").  An assertion that fails
# prints mx-test's line and the first failing rows ($MX_ASSERT_ROWS,
# default 10) on standard error, and returns 1, as bats-assert does.

# A value for a test file: bare when it can be, else a JSON string.
_mx_assert_word() {
	local s=$1

	case $s in
	*[\ \	\"\\]* | '')
		s=${s//\\/\\\\}
		s=${s//\"/\\\"}
		s=${s//	/\\t}
		printf '"%s"' "$s" ;;
	*)	printf '%s' "$s" ;;
	esac
}

# _mx_assert TABLE LINE: run the test LINE over TABLE.
_mx_assert() {
	local table=$1 line=$2 dir name out rc f shown=

	dir=$(mktemp -d "${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}}/mx-assert.XXXXXX") ||
	    return 1
	name=${table%/}
	name=${name##*/}
	name=${name%%.*}
	[ -n "$name" ] || name=table
	printf '%s\n' "$line" > "$dir/$name.tests"
	out=$(mx-test --store "$dir/failing" --run assert "$dir/$name.tests" \
	    "$table" 2> "$dir/stderr")
	rc=$?
	if [ "$rc" -ne 0 ]; then
		{
			printf -- '-- %s failed --\n' "${line%% *}"
			printf 'table  : %s\n' "$table"
			printf 'test   : %s\n' "$line"
			[ -n "$out" ] && printf 'result : %s\n' "$out"
			for f in "$dir"/failing/*/*/assert.ndjson; do
				[ -f "$f" ] || continue
				shown=1
				printf 'failing rows (%s shown):\n' \
				    "$(head -n "${MX_ASSERT_ROWS:-10}" "$f" | wc -l)"
				head -n "${MX_ASSERT_ROWS:-10}" "$f"
			done
			# not a test that failed: why it could not run
			if [ "$rc" -ne 1 ] || [ -z "$shown$out" ]; then
				sed "s|$dir/||" "$dir/stderr"
			fi
			printf -- '--\n'
		} >&2
	fi
	rm -rf "$dir"
	return "$rc"
}

# _mx_assert_opts OPTION...: the options, as words of a test file.
_mx_assert_opts() {
	local o

	for o; do
		case $o in
		*=*)	printf ' %s=' "${o%%=*}"
			_mx_assert_word "${o#*=}" ;;
		*)	printf ' %s' "$(_mx_assert_word "$o")" ;;
		esac
	done
}

# assert_unique TABLE COLUMNS [OPTION...]: no two rows share a key.
assert_unique() {
	_mx_assert "$1" "unique $(_mx_assert_word "$2")$(_mx_assert_opts "${@:3}")"
}

# assert_not_null TABLE COLUMNS [OPTION...]: each column present, not null.
assert_not_null() {
	_mx_assert "$1" "not_null $(_mx_assert_word "$2")$(_mx_assert_opts "${@:3}")"
}

# assert_accepted_values TABLE COLUMN VALUES [OPTION...]: the column's
# value is one of VALUES (a,b,c).
assert_accepted_values() {
	_mx_assert "$1" "accepted_values $(_mx_assert_word "$2") in=$3$(_mx_assert_opts "${@:4}")"
}

# assert_relationship TABLE COLUMNS OTHER [FIELD [OPTION...]]: every key
# of TABLE is a key (FIELD, by default COLUMNS) of the table OTHER.
assert_relationship() {
	local field=${4:-$2}

	_mx_assert "$1" "relationships $(_mx_assert_word "$2") to=$(_mx_assert_word "$3") field=$(_mx_assert_word "$field")$(_mx_assert_opts "${@:5}")"
}

# assert_expression TABLE EXPRESSION [OPTION...]: true of every row
# (mx-test's expressions: '0 <= amount <= 15000').
assert_expression() {
	_mx_assert "$1" "expression$(_mx_assert_opts "${@:3}") $2"
}

# assert_rows_between TABLE MIN MAX [OPTION...]: MIN <= rows <= MAX; a
# bound may be another table (its rows), or - for none.
assert_rows_between() {
	local b=

	[ "$2" = - ] || b=" min=$(_mx_assert_word "$2")"
	[ "$3" = - ] || b="$b max=$(_mx_assert_word "$3")"
	_mx_assert "$1" "row_count$b$(_mx_assert_opts "${@:4}")"
}
