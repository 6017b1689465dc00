# shellcheck shell=bash
# The growth warehouse (a star schema) from what a B2B marketing team
# exports: HubSpot contacts and deals (CSV), Meta Ads insights per ad and
# day and GA4 events (the API's and BigQuery's JSON), and the exchange
# rates of its ad accounts' currencies.  The dimensions dim_contacts,
# dim_campaign, dim_ad (and dim_date, shared with retail: lake.sh), the
# facts fct_ad_performance, fct_orders and fct_ga4_sessions, and
# campaign_performance on top (spend, CTR, CPC, CPM, ROAS, CAC per
# campaign); every table is defined in scripts/catalog/<table>.md.
#
# Money is reported in US dollars: an amount in another currency is
# converted with the rate of its day in silver.fx_rates, exactly; a row
# whose currency has no rate that day is a reject of the fact (its
# rejects are the fact's, rebuilt with it), never converted at a guess.
REPORTING_CURRENCY=USD

pipeline_growth() {
	local s
	domain growth hubspot_contacts hubspot_deals meta_ads_insights \
	    ga4_events fx_rates || return 0
	for s in hubspot_contacts hubspot_deals meta_ads_insights ga4_events \
	    fx_rates; do
		step bronze:$s bronze $s --infer
	done
	# an export repeats a row when it changed, and Meta restates the last
	# days: the last one is current; GA4 repeats an event as it was
	step silver:hubspot_contacts silver hubspot_contacts hubspot_contacts \
	    "$(contract hubspot_contacts)" 'month=month(created_at)' \
	    contact_id --last
	step silver:hubspot_deals silver hubspot_deals hubspot_deals \
	    "$(contract hubspot_deals)" 'month=month(created_date)' deal_id \
	    --last
	step silver:meta_ads_insights silver meta_ads_insights \
	    meta_ads_insights "$(contract meta_ads_insights)" date ad_id,date \
	    --last
	step silver:ga4_events silver ga4_events ga4_events \
	    "$(contract ga4_events)" event_date \
	    user_pseudo_id,event_at,event_name --first
	step silver:fx_rates silver fx_rates fx_rates "$(contract fx_rates)" \
	    'month=month(date)' date,currency --last
	step gold:dim_campaign gold_from dim_campaign meta_ads_insights \
	    dim_campaign
	step gold:dim_ad gold_from dim_ad meta_ads_insights dim_ad
	step gold:dim_contacts gold_from dim_contacts \
	    "hubspot_contacts meta_ads_insights" dim_contacts
	step gold:dim_date gold_from dim_date "$DATE_TABLES" dim_date
	step gold:fct_ad_performance gold_rejecting fct_ad_performance \
	    "meta_ads_insights fx_rates"
	step gold:fct_orders gold_rejecting fct_orders \
	    "hubspot_deals hubspot_contacts meta_ads_insights fx_rates"
	step gold:fct_ga4_sessions gold_from fct_ga4_sessions ga4_events \
	    fct_ga4_sessions
	step gold:campaign_performance gold_from campaign_performance \
	    "hubspot_deals hubspot_contacts meta_ads_insights fx_rates" \
	    campaign_performance
	for s in hubspot_contacts hubspot_deals meta_ads_insights ga4_events \
	    fx_rates; do
		gold_done $s
	done
}

# gold_rejecting NAME TABLES: gold_from NAME TABLES NAME, the function
# NAME writing the records it cannot use to $WORK/rejects.NAME.  Such a
# table is computed whole, and so are its rejects: published with it as
# rejects/NAME/ingest_date=TODAY/RUN-gold.ndjson, they replace the ones
# of the build before (the records are still in silver; the file says
# which of them the table lacks, once), and are counted as the step's.
gold_rejecting() {
	local name=$1 rej="$WORK/rejects.$1" d
	: > "$rej"
	gold_from "$name" "$2" "$name" || return 1
	[ "$NOTE" != "up to date" ] || return 0
	# (step logs it)
	# shellcheck disable=SC2034
	C_REJ=$(wc -l < "$rej")
	publish "$rej" "rejects/$name/ingest_date=$TODAY/$RUN-gold.ndjson" ||
	    return 1
	for d in "$LAKE/rejects/$name"/ingest_date=*/*-gold.ndjson; do
		[ -e "$d" ] || continue
		[ "$d" = "$LAKE/rejects/$name/ingest_date=$TODAY/$RUN-gold.ndjson" ] ||
		    rm -f "$d" || return 1
	done
	rmdir "$LAKE/rejects/$name"/ingest_date=* 2> /dev/null || :
}

# The rates to convert the records of silver TABLE, whose day is in
# FIELD, with: those of silver.fx_rates, and 1 for the reporting currency
# on each of the table's days (so that its rows need no rate of their
# own).  A rate given twice for a day and currency, such as a row for the
# reporting currency, fails the join (--unique), naming both.
fx_for() {
	{
		silver_all fx_rates | mx-calc --keep date,currency,rate
		silver_all "$1" | mx-agg -w "$2!=null" -g "date=$2" -a 'n=count()' |
		    mx-calc -e "currency=\"$REPORTING_CURRENCY\"" -e 'rate=1' \
		    --keep date,currency,rate
	} > "$WORK/fx_rates.ndjson"
}

# fx_join LEFT_KEYS NAME: the records of standard input with the rate of
# their day and currency appended (fx_for made them); those without one
# to $WORK/rejects.NAME, whose reason names fx_rates.ndjson.
fx_join() {
	(cd "$WORK" && mx-join --unique -k "$1" -r fx_rates.ndjson \
	    --unmatched "rejects.$2")
}

# The unknown member first, then one row per campaign of the Meta
# insights, by campaign_id; its name and account those of its last row in
# the lake's order.
dim_campaign() {
	printf '{"campaign_key":"%s","campaign_id":null,"campaign_name":null,"account_id":null,"account_currency":null}\n' \
	    "$UNKNOWN_KEY"
	silver_all meta_ads_insights | mx-agg -g campaign_id \
	    -a 'campaign_name=last(campaign_name),account_id=last(account_id)' \
	    -a 'account_currency=last(account_currency)' |
	    mx-calc -e 'campaign_key=hash(campaign_id)' \
	    --keep campaign_key,campaign_id,campaign_name,account_id,account_currency
}

# The unknown member first, then one row per ad, by ad_id; its names, ad
# set and campaign those of its last row.
dim_ad() {
	printf '{"ad_key":"%s","ad_id":null,"ad_name":null,"adset_id":null,"adset_name":null,"campaign_key":null}\n' \
	    "$UNKNOWN_KEY"
	silver_all meta_ads_insights | mx-agg -g ad_id \
	    -a 'ad_name=last(ad_name),adset_id=last(adset_id)' \
	    -a 'adset_name=last(adset_name),campaign_id=last(campaign_id)' |
	    mx-calc -e 'ad_key=hash(ad_id)' -e 'campaign_key=hash(campaign_id)' \
	    --keep ad_key,ad_id,ad_name,adset_id,adset_name,campaign_key
}

# The unknown member first, then one row per contact, in partition
# (month of created_at) order; its campaign found by name in
# dim_campaign (names are unique there: --unique fails the step on two
# campaigns of one name rather than doubling contacts).
dim_contacts() {
	printf '{"contact_key":"%s","contact_id":null,"email":null,"first_name":null,"last_name":null,"lifecycle_stage":null,"original_source":null,"country":null,"created_at":null,"campaign_name":null,"campaign_key":null}\n' \
	    "$UNKNOWN_KEY"
	silver_all hubspot_contacts |
	    mx-join --type left --unique -k campaign_name -r <(mx-calc \
		-w 'campaign_name!=null' --keep campaign_name,campaign_key \
		"$LAKE/gold/dim_campaign.ndjson") |
	    mx-calc -e 'contact_key=hash(contact_id)' \
	    -e "campaign_key=if(campaign_name=null,null,coalesce(campaign_key,\"$UNKNOWN_KEY\"))" \
	    --keep contact_key,contact_id,email,first_name,last_name,lifecycle_stage,original_source,country,created_at,campaign_name,campaign_key
}

# One row per ad and day, in the order of silver.meta_ads_insights, its
# money in US dollars; the ratios as Meta defines them, to 4 places.
fct_ad_performance() {
	fx_for meta_ads_insights date
	silver_all meta_ads_insights |
	    fx_join date,account_currency=currency fct_ad_performance |
	    mx-calc --scale 4 -e 'ad_performance_key=hash(ad_id,date)' \
	    -e 'date_key=hash(date)' -e 'ad_key=hash(ad_id)' \
	    -e 'campaign_key=hash(campaign_id)' -e 'fx_rate=rate' \
	    -e 'spend_usd=round(spend*fx_rate,2)' \
	    -e 'purchase_value_usd=round(purchase_value*fx_rate,2)' \
	    -e 'ctr=clicks*100/impressions' -e 'cpc=spend_usd/clicks' \
	    -e 'cpm=spend_usd*1000/impressions' \
	    -e 'roas=purchase_value_usd/spend_usd' \
	    --keep ad_performance_key,date_key,date,ad_key,ad_id,campaign_key,account_currency,fx_rate,impressions,clicks,link_clicks,landing_page_views,leads,purchases,spend,spend_usd,purchase_value,purchase_value_usd,ctr,cpc,cpm,roas
}

# One row per won deal (Closed Won), in the order of silver.hubspot_deals,
# its amount in US dollars at the rate of its close date; its contact
# and, through it, its campaign.
fct_orders() {
	fx_for hubspot_deals close_date
	silver_all hubspot_deals | mx-calc -w 'deal_stage="Closed Won"' |
	    fx_join close_date=date,currency fct_orders |
	    mx-join --type left -k contact_id -r <(mx-calc \
		-w 'contact_id!=null' --keep contact_id,contact_key,campaign_key \
		"$LAKE/gold/dim_contacts.ndjson") |
	    mx-calc -e 'order_key=hash(deal_id)' -e 'date_key=hash(close_date)' \
	    -e "campaign_key=if(contact_key=null,\"$UNKNOWN_KEY\",campaign_key)" \
	    -e "contact_key=coalesce(contact_key,\"$UNKNOWN_KEY\")" \
	    -e 'fx_rate=rate' -e 'amount_usd=round(amount*fx_rate,2)' \
	    --keep order_key,deal_id,deal_name,date_key,close_date,contact_key,contact_id,campaign_key,currency,amount,fx_rate,amount_usd
}

# One row per GA4 session (user_pseudo_id and ga_session_id), by those;
# engaged as GA4 defines it.  (A pseudo id is a number's text, which mx
# orders by value: the group key "u:<id>" orders the ids by bytes.)
fct_ga4_sessions() {
	silver_all ga4_events | mx-calc -e 'user=concat("u:",user_pseudo_id)' |
	    mx-agg -g user,user_pseudo_id,session_id \
	    -a 'session_start=min(event_at),session_end=max(event_at)' \
	    -a 'events=count(),page_views=count_if(event_name,page_view)' \
	    -a 'purchases=count_if(event_name,purchase)' \
	    -a 'engagement_time_msec=sum(engagement_time_msec)' \
	    -a 'source=min(source),medium=min(medium),campaign=min(campaign)' \
	    -a 'device_category=min(device_category),country=min(country)' |
	    mx-calc -e 'session_key=hash(user_pseudo_id,session_id)' \
	    -e 'date=date(session_start)' -e 'date_key=hash(date)' \
	    -e 'is_engaged=engagement_time_msec>10000 or page_views>=2 or purchases>0' \
	    --keep session_key,user_pseudo_id,session_id,date_key,date,session_start,session_end,events,page_views,purchases,engagement_time_msec,is_engaged,source,medium,campaign,device_category,country
}

# One row per campaign of dim_campaign, in its order (the unknown member
# too: the won deals of contacts whose campaign is unknown): its delivery
# and spend from fct_ad_performance, its won deals and their customers
# from fct_orders (0 when it has none), and the ratios on top.
campaign_performance() {
	mx-calc --keep campaign_key,campaign_id,campaign_name \
	    "$LAKE/gold/dim_campaign.ndjson" |
	    mx-join --type left -k campaign_key -r <({
		mx-calc -e 'impressions=0' -e 'clicks=0' -e 'spend_usd=0.00' \
		    -e 'purchases=0' -e 'won=0' -e 'amount_usd=0.00' \
		    --keep campaign_key,impressions,clicks,spend_usd,purchases,won,amount_usd \
		    "$LAKE/gold/dim_campaign.ndjson"
		mx-calc --keep campaign_key,impressions,clicks,spend_usd,purchases \
		    "$LAKE/gold/fct_ad_performance.ndjson"
		mx-calc -w 'campaign_key!=null' -e 'won=1' \
		    --keep campaign_key,contact_key,won,amount_usd \
		    "$LAKE/gold/fct_orders.ndjson"
	    } | mx-agg -g campaign_key \
		-a 'impressions=sum(impressions),clicks=sum(clicks)' \
		-a 'spend_usd=sum(spend_usd),meta_purchases=sum(purchases)' \
		-a 'orders=sum(won),customers=count_distinct(contact_key)' \
		-a 'revenue_usd=sum(amount_usd)') |
	    mx-calc --scale 4 -e 'ctr=clicks*100/impressions' \
	    -e 'cpc=spend_usd/clicks' -e 'cpm=spend_usd*1000/impressions' \
	    -e 'roas=revenue_usd/spend_usd' -e 'cac=spend_usd/customers' \
	    --keep campaign_key,campaign_id,campaign_name,impressions,clicks,spend_usd,meta_purchases,orders,customers,revenue_usd,ctr,cpc,cpm,roas,cac
}
