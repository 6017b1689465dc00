# Calendly bookings and ad spend: bookings per channel and day, cost per
# booking, slots, attribution, meetings per employee.
#
# A booking is an invitee.created without old_invitee: a reschedule sends
# invitee.canceled (rescheduled) and invitee.created (old_invitee set) and
# must not count twice.
BOOKINGS=(--where event_type=invitee.created --where old_invitee=null)

pipeline_calendly() {
	step bronze:calendly bronze calendly
	step bronze:spend bronze spend
	# a webhook delivered twice: the first delivery is the booking
	step silver:calendly_bookings silver calendly_bookings calendly \
	    "$C/calendly.contract" booking_date -k event_type,invitee_id
	# a restatement of a day's spend replaces it
	step silver:spend silver spend spend "$C/spend.contract" date \
	    -k date,channel --last
	step gold:bookings_daily gold bookings_daily calendly_bookings \
	    "${BOOKINGS[@]}" \
	    -g 'booking_date,channel,booking_week=week(booked_at)' \
	    -a 'total_bookings=count()'
	step gold:bookings_by_hour gold bookings_by_hour calendly_bookings \
	    "${BOOKINGS[@]}" \
	    -g 'booking_week=week(booked_at),booking_hour=hour(booked_at),channel' \
	    -a 'total_bookings=count()'
	step gold:bookings_by_slot gold bookings_by_slot calendly_bookings \
	    "${BOOKINGS[@]}" \
	    -g 'weekday=dow(event_start_time),hour=hour(event_start_time)' \
	    -a 'total_bookings=count()'
	step gold:attribution gold attribution calendly_bookings \
	    "${BOOKINGS[@]}" -g 'channel,utm_medium,utm_campaign' \
	    -a 'total_bookings=count(),canceled=count_if(status,canceled)'
	step gold:meetings_weekly gold meetings_weekly calendly_bookings \
	    "${BOOKINGS[@]}" --where 'employee_email!=null' \
	    -g 'employee_email,week=week(event_start_time)' -a 'meetings=count()'
	DIRTY_OF="calendly_bookings spend"
	step gold:cost_per_booking gold_from cost_per_booking cost_per_booking
	DIRTY_OF=calendly_bookings
	step gold:meetings_per_employee gold_from meetings_per_employee \
	    mx-agg -g employee_email \
	    -a 'weeks=count(),meetings=sum(meetings),avg_weekly_meetings=avg(meetings)' \
	    "$LAKE/gold/meetings_weekly.ndjson"
	gold_done calendly_bookings
	gold_done spend
}

# Bookings per day and channel joined with the spend of that channel and
# day: a day with spend and no bookings has a null cost per booking.
cost_per_booking() {
	silver_all spend > "$WORK/spend.ndjson" || return 1
	mx-agg -g booking_date,channel -a 'total_bookings=sum(total_bookings)' \
	    "$LAKE/gold/bookings_daily.ndjson" |
	    mx-join-spend -s "$WORK/spend.ndjson" -k booking_date=date,channel \
	    --map "$top/scripts/channels.tsv" --sum
}
