#!/usr/bin/env bats
# mx-report: a lake as one web page, opened in a real browser (Debian's
# chromium, headless): after layout the DOM holds every chart with a mark
# per row of its gold table and tables that show the gold values
# (fixtures/report/check.py reads the lake on its own); screenshots at a
# laptop's and a phone's width are not blank (fixtures/report/png.py);
# the page fetches nothing.  Without chromium those tests skip.  Then what
# needs no browser: empty and partial lakes, the same bytes twice, exact
# values, escaping, errors, the man page's examples.

load helper

TOP="$BATS_TEST_DIRNAME/../.."
RF="$FIX/report"

# One lake for the file: a week of every domain, as scripts/lake builds
# it (about a minute), and its report.
setup_file() {
	local f b
	export LK="$BATS_FILE_TMPDIR/lake" RP="$BATS_FILE_TMPDIR/report.html"
	mkdir -p "$BATS_FILE_TMPDIR/raw/.gen"
	cd "$BATS_FILE_TMPDIR" || return 1
	mx-gen -n 600 -s 1 --from 2024-03-04 --to 2024-03-10 --dup-rate 1% \
	    --key-dup-rate 2% --late-rate 2% --invalid-rate 1% \
	    --malformed-rate 1% -d raw/.gen all || return 1
	for f in raw/.gen/*; do
		b=${f##*/}
		mkdir -p "raw/${b%.*}"
		mv "$f" "raw/${b%.*}/batch-1.${b##*.}"
	done
	rmdir raw/.gen
	SOURCE_DATE_EPOCH=1710288000 "$TOP/scripts/lake" -r raw -l "$LK" \
	    2> lake.err || { cat lake.err >&2; return 1; }
	# no time of writing: the page of a lake, as a reader sees it
	env -u SOURCE_DATE_EPOCH mx-report -l "$LK" -o "$RP"
}

# Chromium as the tests run it (CHROMIUM names another): headless, no
# sandbox (root), its profile in the test's directory, its own background
# traffic (updates, sync) off; stderr, its log, in chrome.err.
CHROMIUM=${CHROMIUM:-chromium}

need_chromium() {
	command -v "$CHROMIUM" > /dev/null ||
	    skip "$CHROMIUM is not installed (scripts/deps installs it)"
}

chrome() {
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --disable-default-apps \
	    --user-data-dir="$T/profile" "$@" 2> "$T/chrome.err"
}

# hand: a small lake written by hand, for the edges: exact money past a
# double's precision, a value half-way between cents, markup and control
# characters in names, an unknown value, a budget spent mid-day.
hand() {
	mkdir -p hand/gold
	printf '%s\n' \
	    '{"channel":"<b>x</b>&co","total_bookings":1234567,"total_spend":12345678901234567890.125,"cost_per_booking":10.005}' \
	    '{"channel":"a\u0007b","total_bookings":2,"total_spend":0.5,"cost_per_booking":0.25}' \
	    '{"channel":"direct","total_bookings":3,"total_spend":null,"cost_per_booking":null}' \
	    > hand/gold/cost_per_booking_total.ndjson
	printf '{"advertiser":"adv","period":"2024-03-04T%s:00:00Z","window_start":"x","window_end":"x","events":1,"spend":1,"cumulative_spend":%s,"budget_value":100.00,"remaining":0,"can_serve":%s}\n' \
	    10 50 true 11 100 false 12 120 false > hand/gold/can_serve.ndjson
	printf '{"advertiser":"adv","period":"2024-03-05T09:00:00Z","window_start":"x","window_end":"x","events":1,"spend":1,"cumulative_spend":10,"budget_value":100.00,"remaining":90,"can_serve":true}\n' \
	    >> hand/gold/can_serve.ndjson
}

# marks FILE CHART: the marks of a chart in a page as mx-report wrote it
marks() {
	python3 -c 'import re, sys
s = open(sys.argv[1]).read()
m = re.search(r"data-chart=\"%s\">(.*?)</svg>" % re.escape(sys.argv[2]), s, re.S)
print(len(re.findall(r"<(?:rect|circle) class=\"m[ \"]", m.group(1))) if m else "none")' "$1" "$2"
}

@test "in Chromium: every chart has a mark per gold row, every table the gold values, and nothing is fetched" {
	need_chromium
	run chrome --enable-logging=stderr --v=1 \
	    --host-resolver-rules='MAP * ~NOTFOUND' --dump-dom "file://$RP"
	assert_success
	printf '%s\n' "$output" > dom.html
	# laid out: the DOM has the charts, not only the text we wrote
	grep -q '<svg class="narrow" viewBox=' dom.html
	run python3 "$RF/check.py" dom.html "$LK"
	assert_success
	assert_output --regexp '^ok: [0-9]+ charts'
	# every section, every chart the issue asks for
	for id in bookings-daily bookings-cpb bookings-cpb-total bookings-slots \
	    bookings-canceled ecommerce-funnel ecommerce-hourly ecommerce-top \
	    ecommerce-categories ecommerce-users adclicks-budget \
	    adclicks-monthly adclicks-performance crm-revenue crm-roas crm-cac \
	    retail-daily retail-segments growth-campaigns health-runs health-rejects health-tests health-fresh \
	    health-gold; do
		grep -q "<figure id=\"$id\"" dom.html || fail "no figure $id"
	done
	# no address to fetch in the page, and none fetched: the verbose log
	# names every request; those of Chromium's own services are not
	# the page's (with every name unresolvable, they fail)
	run grep -Eio '(src|href)="(https?:|//)[^"]*' dom.html
	assert_failure
	grep -q 'VERBOSE1' "$T/chrome.err" || fail "no verbose log: the check proves nothing"
	run sh -c "grep -o 'NotifyBeforeURLRequest: [^ ]*' '$T/chrome.err' |
	    sed 's/.*: //' |
	    grep -Ev '^https?://([a-z0-9-]+[.])*(google[.]com|googleapis[.]com|gvt1[.]com)/'"
	assert_output ''
	run grep -E 'Failed to load resource|Refused to (load|connect)' "$T/chrome.err"
	assert_failure
}

@test "screenshots at a laptop's width and a phone's are not blank" {
	need_chromium
	chrome --window-size=1280,900 --screenshot="$T/desktop.png" "file://$RP"
	chrome --window-size=390,844 --screenshot="$T/phone.png" "file://$RP"
	run python3 "$RF/png.py" "$T/desktop.png" 1280 900
	assert_success
	run python3 "$RF/png.py" "$T/phone.png" 390 844
	assert_success
	# the README's picture
	if [ -n "${MX_REPORT_SHOTS:-}" ]; then
		cp "$T/desktop.png" "$MX_REPORT_SHOTS/report.png"
		cp "$T/phone.png" "$MX_REPORT_SHOTS/report-phone.png"
	fi
	# the checker itself tells a blank picture
	python3 - <<-'EOF'
	import struct, zlib
	def chunk(k, b):
	    return struct.pack('>I', len(b)) + k + b + struct.pack('>I', zlib.crc32(k + b))
	raw = b''.join(b'\0' + b'\xff' * 3 * 400 for _ in range(300))
	open('blank.png', 'wb').write(b'\x89PNG\r\n\x1a\n' +
	    chunk(b'IHDR', struct.pack('>IIBBBBB', 400, 300, 8, 2, 0, 0, 0)) +
	    chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
	EOF
	run python3 "$RF/png.py" blank.png 400 300
	assert_failure
	assert_output --partial 'blank'
}

@test "the page: self-contained, UTC said, people's numbers, a legend for several series, tables collapsed" {
	run grep -c '<script' "$RP"
	assert_output 0
	grep -q "Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"" "$RP"
	grep -q 'name="viewport"' "$RP"
	grep -q '@media print' "$RP"
	grep -q 'Dates and times are UTC' "$RP"
	grep -q '<ul class="legend">' "$RP"
	# every chart's numbers are in a collapsed table right after it
	[ "$(grep -o '<details><summary>The numbers' "$RP" | wc -l)" -ge 15 ]
	run grep -c '<details open' "$RP"
	assert_output 0
	# the Okabe-Ito colours
	grep -q '.c0{fill:#0072B2}' "$RP"
	grep -q '.c1{fill:#E69F00}' "$RP"
	# thousands separators, money with two places, percentages
	grep -Eq '<td>[0-9]{1,3}(,[0-9]{3})+<td>' "$RP"
	grep -Eq '<td>[0-9]{1,3}(,[0-9]{3})*[.][0-9]{2}<td>' "$RP"
	grep -Eq '<td>[0-9]+[.][0-9]{2}%' "$RP"
	# the run it shows
	run="$(tail -n 1 "$LK/_runs.ndjson" | jq -r .run)"
	grep -q "The lake as of run $run" "$RP"
	# well under 2 MB
	[ "$(wc -c < "$RP")" -lt 2000000 ]
}

@test "an empty lake: every section says what is missing" {
	mkdir empty
	run mx-report -l empty -o empty.html
	assert_success
	assert_output ''
	for s in bookings ecommerce adclicks crm retail growth health; do
		grep -q "<section id=\"$s\">" empty.html || fail "no section $s"
	done
	grep -q 'No data for this section in this lake: <code>gold/bookings_daily.ndjson</code> (missing)' empty.html
	grep -q 'raw files under <code>ecommerce/</code>' empty.html
	grep -q 'gold/retail_sales_daily.ndjson</code> (missing)' empty.html
	grep -q 'gold/can_serve.ndjson</code> (missing)' empty.html
	grep -q 'gold/campaign_performance.ndjson</code> (missing)' empty.html
	grep -q 'No runs: <code>_runs.ndjson</code> is not in this lake.' empty.html
	grep -q 'No rejected records in this lake (no <code>rejects/</code> directory).' empty.html
	grep -q 'This lake has no run log' empty.html
	run grep -c '<svg viewBox' empty.html
	assert_output 0
}

@test "a partial lake: the charts it has, and a note for each table it lacks" {
	cp -r "$LK" part
	rm part/gold/cost_per_booking.ndjson part/gold/can_serve.ndjson \
	    part/gold/advertiser_monthly.ndjson part/gold/ad_performance_daily.ndjson
	: > part/gold/top_products.ndjson
	run mx-report -l part -o part.html
	assert_success
	grep -q 'data-missing="cost_per_booking">Not shown: <code>gold/cost_per_booking.ndjson</code> is not in this lake.' part.html
	grep -q 'data-missing="top_products">Not shown: <code>gold/top_products.ndjson</code> is empty (no rows).' part.html
	# a domain without any of its tables
	grep -q 'data-missing="can_serve advertiser_monthly ad_performance_daily">No data for this section' part.html
	# the rest is charted
	grep -q 'data-chart="bookings-daily"' part.html
	grep -q 'data-chart="ecommerce-funnel"' part.html
	run grep -c 'data-chart="adclicks' part.html
	assert_output 0
	# the overview of the gold tables says so too
	grep -q '<tr class="bad"><td>top_products<td>ecommerce<td>empty<td>0' part.html
	grep -q '<tr class="bad"><td>can_serve<td>adclicks<td>missing<td>' part.html
}

@test "the same lake gives the same bytes; SOURCE_DATE_EPOCH is the only time printed" {
	unset SOURCE_DATE_EPOCH
	run mx-report -l "$LK" -o again.html
	assert_success
	cmp "$RP" again.html
	mx-report -l "$LK" > a.html
	sleep 1
	mx-report -l "$LK" > b.html
	cmp a.html b.html
	run grep -c ' Written [0-9]' a.html
	assert_output 0
	SOURCE_DATE_EPOCH=86400 mx-report -l "$LK" > c.html
	grep -q 'Written 1970-01-02 00:00 UTC.' c.html
	sed 's/ Written 1970-01-02 00:00 UTC[.]//' c.html | cmp - a.html
	# the lake moved: the same page
	cp -r "$LK" moved
	mx-report -l moved > d.html
	cmp a.html d.html
}

@test "values exactly as the gold text: money past a double, half a cent, unknown, escaped names" {
	hand
	run mx-report -l hand -c 'EUR' -o hand.html
	assert_success
	# 12345678901234567890.125 is no double; 10.005 is 10.004999... as one
	grep -q '<td>12,345,678,901,234,567,890.13<td>10.01' hand.html
	grep -q '<td>1,234,567<td>' hand.html
	# markup is text, a control character a replacement character
	grep -q '<td>&lt;b&gt;x&lt;/b&gt;&amp;co<td>' hand.html
	grep -q '<td>a&#xfffd;b<td>' hand.html
	run grep -c '<b>x' hand.html
	assert_output 0
	# unknown spend: no bar, a dash in the table
	grep -q '<td>direct<td>3<td class="na">—<td class="na">—' hand.html
	run marks hand.html bookings-cpb-total
	assert_output 2
	grep -q 'Cost per booking (EUR)' hand.html
	grep -q ', in EUR;' hand.html
	# the hour the budget ran out, and a mark per hour
	grep -q 'Peak: 120.00% of the daily budget. Budget spent: 2024-03-04 11:00 UTC.' hand.html
	run sh -c "grep -o '<line class=\"turn\"' hand.html | wc -l"
	assert_output 1
	run sh -c "grep -o '<circle class=\"m [a-z0-9]*\"' hand.html | sort | uniq -c | sed 's/^ *//'"
	assert_output '2 <circle class="m c0"
2 <circle class="m off"'
}

@test "customer segments and campaigns: a note until the lake has the table, then a bar per row" {
	hand
	mx-report -l hand > a.html
	grep -q 'data-missing="retail_sales_daily customer_segments">No data for this section' a.html
	grep -q 'data-missing="campaign_performance">No data for this section' a.html
	printf '%s\n' '{"segment_id":0,"segment_name":"Champions (VIPs)","size":12,"recency":2.5,"frequency":14.25,"monetary":5356.057999999998}' \
	    '{"segment_id":1,"segment_name":"At-Risk (Lapsing)","size":3,"recency":40,"frequency":1,"monetary":20}' \
	    > hand/gold/customer_segments.ndjson
	printf '%s\n' '{"campaign_key":"0000000000000000","campaign_id":null,"campaign_name":null,"impressions":0,"clicks":0,"spend_usd":0,"meta_purchases":0,"orders":1,"customers":1,"revenue_usd":99.99,"ctr":null,"cpc":null,"cpm":null,"roas":null,"cac":0.0000}' \
	    '{"campaign_key":"a880a39f3fd4520e","campaign_id":"23850000000000001","campaign_name":"Spring <Sale>","impressions":1000,"clicks":52,"spend_usd":13.39,"meta_purchases":2,"orders":1,"customers":1,"revenue_usd":1303.32,"ctr":5.2000,"cpc":0.2575,"cpm":13.3900,"roas":97.3353,"cac":13.3900}' \
	    > hand/gold/campaign_performance.ndjson
	mx-report -l hand > b.html
	run marks b.html retail-segments
	assert_output 2
	grep -q '<tr><td>0<td>Champions (VIPs)<td>12<td>2.50<td>14.25<td>5,356.06' b.html
	run marks b.html growth-campaigns
	assert_output 4
	grep -q '(unknown campaign)' b.html
	grep -q '<td>Spring &lt;Sale&gt;<td>1,000<td>52<td>13.39<td>2<td>1<td>1<td>1,303.32<td>5.20<td>0.26<td>13.39<td>97.34<td>13.39' b.html
}

@test "bad command lines exit 2 with the usage" {
	for args in "--no-such" "-l" "-x" "extra" "-l a b" "-c ''" "--max-depth 0"; do
		eval "run mx-report $args"
		assert_failure 2
		assert_line --partial 'usage: mx-report [-c currency] [-l lake] [-o file] [-t title]'
	done
}

@test "an unreadable lake exits 1 with the file and the reason, and writes nothing" {
	run mx-report -l nosuch -o out.html
	assert_failure 1
	assert_output 'mx-report: nosuch: No such file or directory'
	touch afile
	run mx-report -l afile -o out.html
	assert_failure 1
	assert_output 'mx-report: afile: Not a directory'
	# a gold table that cannot be read, is not NDJSON, lacks a column
	hand
	mkdir hand/gold/bookings_daily.ndjson
	run mx-report -l hand -o out.html
	assert_failure 1
	assert_output 'mx-report: hand/gold/bookings_daily.ndjson: read error: Is a directory'
	rmdir hand/gold/bookings_daily.ndjson
	printf '{"channel":"a"}\n{"channel":\n' > hand/gold/bookings_daily.ndjson
	run mx-report -l hand -o out.html
	assert_failure 1
	assert_output --regexp '^mx-report: hand/gold/bookings_daily.ndjson:2: invalid JSON at column 12'
	printf '{"booking_date":"2024-03-04","total_bookings":1}\n' > hand/gold/bookings_daily.ndjson
	run mx-report -l hand -o out.html
	assert_failure 1
	assert_output 'mx-report: hand/gold/bookings_daily.ndjson:1: no field "channel"'
	printf '{"booking_date":"2024-03-04","channel":"a","total_bookings":"many"}\n' > hand/gold/bookings_daily.ndjson
	run mx-report -l hand -o out.html
	assert_failure 1
	assert_output 'mx-report: hand/gold/bookings_daily.ndjson:1: field "total_bookings": not a number: many'
	# nothing published, nothing left behind
	[ ! -e out.html ]
	run sh -c 'ls -a | grep tmp'
	assert_output ''
	# a full disk
	run mx-report -l "$LK" -o /dev/full
	assert_failure 1
	assert_output --partial 'mx-report: write error: /dev/full'
}

@test "the page is published whole: an old one stays until the new one is complete" {
	echo old > page.html
	hand
	printf 'not json\n' > hand/gold/user_activity.ndjson
	run mx-report -l hand -o page.html
	assert_failure 1
	[ "$(cat page.html)" = old ]
	rm hand/gold/user_activity.ndjson
	run mx-report -l hand -o page.html
	assert_success
	grep -q '^<!DOCTYPE html>' page.html
	run mx-report -l hand -o nodir/page.html
	assert_failure 1
	assert_output --partial 'mx-report: nodir/page.html: No such file or directory'
}

@test "the man page's examples run as written" {
	cp -r "$LK" lake
	man_example mx-report.1 | sed -n '/^\.Bd/,/^\.Ed/p' | grep -v '^\.' > ex.sh
	[ "$(wc -l < ex.sh)" -ge 3 ]
	run sh -e ex.sh
	assert_success
	grep -q '<title>Acme: March</title>' march.html
	grep -q 'in EUR' march.html
	grep -q '</html>' lake/report/index.html
}
