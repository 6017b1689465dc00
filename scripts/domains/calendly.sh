# shellcheck shell=bash
# (jq programs are in single quotes: their $ are jq's)
# shellcheck disable=SC2016
# Calendly bookings and ad spend: one row per booking (its latest state,
# reschedules followed), bookings and cancellations per day, hour, slot
# and campaign, meetings per employee, and cost per booking per day, week
# and over the whole period.  Every table is defined in
# scripts/catalog/<table>.md.
pipeline_calendly() {
	local b=calendly_bookings
	domain calendly calendly spend || return 0
	step bronze:calendly bronze calendly
	step bronze:spend bronze spend
	# a webhook delivered twice: the first delivery is the event
	step silver:$b silver $b calendly "$(contract calendly)" booking_date \
	    event_type,invitee_id --earliest-by delivered_at
	# a restatement of a day's spend replaces it
	step silver:spend silver spend spend "$(contract spend)" date \
	    date,channel --last
	step gold:bookings gold_from bookings $b bookings_fact
	step gold:booking_hosts gold_from booking_hosts $b \
	    jq -c '.hosts[] as $h | {booking_id, employee_email: $h,
		event_start_time, status}' "$LAKE/gold/bookings.ndjson"
	step gold:bookings_daily gold_from bookings_daily $b \
	    mx-agg -g 'booking_date,channel,booking_week=week(booked_at)' \
	    -a "$BOOKING_COUNTS" "$LAKE/gold/bookings.ndjson"
	step gold:bookings_by_hour gold_from bookings_by_hour $b \
	    mx-agg -g 'booking_week=week(booked_at),booking_hour=hour(booked_at),channel' \
	    -a 'total_bookings=count()' "$LAKE/gold/bookings.ndjson"
	step gold:bookings_by_slot gold_from bookings_by_slot $b \
	    mx-agg -w 'event_start_time!=null' \
	    -g 'weekday=dow(event_start_time),hour=hour(event_start_time)' \
	    -a 'total_bookings=count(),active_bookings=count_if(status,active)' \
	    "$LAKE/gold/bookings.ndjson"
	step gold:attribution gold_from attribution $b \
	    mx-agg -g 'channel,utm_medium,utm_campaign' -a "$BOOKING_COUNTS" \
	    "$LAKE/gold/bookings.ndjson"
	step gold:meetings_weekly gold_from meetings_weekly $b \
	    mx-agg -w status=active -g 'employee_email,week=week(event_start_time)' \
	    -a 'meetings=count()' "$LAKE/gold/booking_hosts.ndjson"
	step gold:meetings_per_employee gold_from meetings_per_employee $b \
	    meetings_per_employee
	step gold:cost_per_booking gold_from cost_per_booking "$b spend" \
	    cost_per_booking booking_date=date booking_date date
	step gold:cost_per_booking_weekly gold_from cost_per_booking_weekly \
	    "$b spend" cost_per_booking week 'week=week(booked_at)' \
	    'week=week(date)'
	step gold:cost_per_booking_total gold_from cost_per_booking_total \
	    "$b spend" cost_per_booking '' '' ''
	gold_done $b
	gold_done spend
}

BOOKING_COUNTS='total_bookings=count(),canceled=count_if(status,canceled),active_bookings=count_if(status,active),cancellation_rate=ratio(canceled,total_bookings)'

# One row per booking from the invitee events of silver: a booking is an
# invitee.created (or, its creation missing, an invitee.canceled) whose
# old_invitee is not a known invitee, with every invitee that reschedules
# it (old_invitee pointing back, step by step).  Its date and channel are
# those of the first invitee; its meeting, hosts and state those of the
# last (by booked_at): canceled when that invitee was canceled without
# being rescheduled.  Only strings and booleans pass through jq.
bookings_fact() {
	silver_all calendly_bookings | jq -cn '
	    def rec: .["invitee.created"] // .["invitee.canceled"];
	    (reduce inputs as $e ({}; .[$e.invitee_id][$e.event_type] = $e))
	    as $inv
	    | def root($id; $n): ($inv[$id] | rec | .old_invitee) as $p
		| if $p != null and $inv[$p] != null and $n < 1000
		  then root($p; $n + 1) else $id end;
	    [$inv | keys[] | {id: ., root: root(.; 0)}]
	    | [group_by(.root)[]
	    | (.[0].root) as $r
	    | ($inv[$r] | rec) as $first
	    | (map($inv[.id] | rec) | sort_by(.booked_at, .invitee_id) | last)
	      as $cur
	    | {booking_id: $r, invitee_id: $cur.invitee_id,
	       booked_at: $first.booked_at, booking_date: $first.booking_date,
	       channel: $first.channel, utm_source: $first.utm_source,
	       utm_medium: $first.utm_medium, utm_campaign: $first.utm_campaign,
	       event_start_time: $cur.event_start_time,
	       hosts: ([$cur.hosts[]? | .user_email | strings] | unique),
	       status: (if $inv[$cur.invitee_id]["invitee.canceled"].rescheduled
		   == false then "canceled" else "active" end),
	       reschedules: (length - 1)}]
	    | sort_by(.booked_at, .booking_id)[]'
}

# Meetings per employee per whole ISO week of the meetings' range: every
# host of every booking is an employee (with 0 when all theirs were
# canceled); the weeks are those from the first Monday on or after the
# earliest meeting to the last Sunday on or before the latest one.
meetings_per_employee() {
	jq -rn '
	    [inputs] as $m
	    | ($m | map(.event_start_time | select(. != null)[0:10]) | sort)
	      as $d
	    | if ($d | length) == 0 then empty else
	      ($d[0] + "T00:00:00Z" | fromdate) as $lo
	      | ($d[-1] + "T00:00:00Z" | fromdate) as $hi
	      | ($lo + ((8 - ($lo | strftime("%u") | tonumber)) % 7) * 86400)
		as $mon
	      | ($hi - (($hi | strftime("%u") | tonumber) % 7) * 86400) as $sun
	      | (if $sun > $mon then ($sun - $mon) / 86400 / 7 + 1 / 7 | round
		 else 0 end) as $weeks
	      | ($m | map(.employee_email) | unique[]) as $e
	      | {employee_email: $e, weeks: $weeks,
		 first_week: (if $weeks > 0 then $mon | strftime("%G-W%V")
		     else null end),
		 last_week: (if $weeks > 0 then $sun | strftime("%G-W%V")
		     else null end),
		 meetings: ([$m[] | select(.employee_email == $e and
		     .status == "active" and .event_start_time != null)
		     | (.event_start_time[0:10] + "T00:00:00Z" | fromdate)
		     | select(. >= $mon and . <= $sun)] | length)}
	      | @json end' "$LAKE/gold/booking_hosts.ndjson" |
	    mx-agg -g employee_email -a 'weeks=max(weeks),first_week=max(first_week)' \
	    -a 'last_week=max(last_week),meetings=sum(meetings)' \
	    -a 'avg_weekly_meetings=ratio(meetings,weeks,2)'
}

# cost_per_booking KEYS BOOKINGKEYS SPENDKEYS: bookings counted by
# BOOKINGKEYS (over gold.bookings) and channel, joined with the spend
# summed by SPENDKEYS and channel: a key with bookings and no spend row
# has an unknown spend (null), one with spend and no bookings 0 bookings.
cost_per_booking() {
	local k=$1 bk=$2 sk=$3
	mx-agg -g "${sk:+$sk,}channel" -a 'spend=sum(spend)' \
	    < <(silver_all spend) > "$WORK/spend.cpb" || return 1
	mx-agg -g "${bk:+$bk,}channel" -a 'total_bookings=count()' \
	    "$LAKE/gold/bookings.ndjson" |
	    mx-join-spend -s "$WORK/spend.cpb" -k "${k:+$k,}channel"
}
