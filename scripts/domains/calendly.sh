# Calendly bookings and ad spend: cost per booking per channel and day.
pipeline_calendly() {
	step bronze:calendly bronze calendly
	step bronze:spend bronze spend
	# a webhook delivered twice: the first delivery is the booking
	step silver:calendly_bookings silver calendly_bookings calendly \
	    "$C/calendly.contract" booking_date -k event_type,invitee_id
	# a restatement of a day's spend replaces it
	step silver:spend silver spend spend "$C/spend.contract" date \
	    -k date,channel --last
	gold_done calendly_bookings
	gold_done spend
}
