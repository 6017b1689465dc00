# shellcheck shell=bash
# The retail sales mart (a star schema) from the retail CSV exports:
# customers, online sales lines, discount coupons per month and category,
# GST per category, marketing spend per day.  The dimensions dim_customer,
# dim_product and dim_date, with surrogate keys, and the fact fct_sales
# that references them, and the facts per day and product group
# (retail_sales_daily); every table is defined in
# scripts/catalog/<table>.md.
#
# A surrogate key is mx-calc's hash() of the natural key: the same on
# every run and machine, so that a table rebuilt from scratch keeps its
# keys.  A fact whose customer is in no customer row gets the unknown
# member's key, UNKNOWN_KEY, which dim_customer holds as its first row;
# the data tests of fct_sales count those rows and fail the step past
# their threshold (scripts/tests/gold/fct_sales.tests).

pipeline_retail() {
	local s
	domain retail retail_customers retail_sales retail_coupons \
	    retail_spend retail_tax || return 0
	for s in retail_customers retail_sales retail_coupons retail_spend \
	    retail_tax; do
		step bronze:$s bronze $s --infer
	done
	# an export repeats a row when it changed: the last one is current
	step silver:retail_customers silver retail_customers retail_customers \
	    "$(contract retail_customers)" location customer_id --last
	step silver:retail_sales silver retail_sales retail_sales \
	    "$(contract retail_sales)" 'month=month(transaction_date)' \
	    transaction_id,product_sku --last
	step silver:retail_coupons silver retail_coupons retail_coupons \
	    "$(contract retail_coupons)" month_of_year \
	    month_of_year,product_category --last
	step silver:retail_spend silver retail_spend retail_spend \
	    "$(contract retail_spend)" 'month=month(date)' date --last
	step silver:retail_tax silver retail_tax retail_tax \
	    "$(contract retail_tax)" product_category product_category --last
	step gold:dim_customer gold_from dim_customer retail_customers \
	    dim_customer
	step gold:dim_product gold_from dim_product "retail_sales retail_tax" \
	    dim_product
	step gold:dim_date gold_from dim_date "$DATE_TABLES" dim_date
	step gold:fct_sales gold_from fct_sales \
	    "retail_customers retail_sales retail_coupons retail_tax" fct_sales
	step gold:retail_sales_daily gold_from retail_sales_daily \
	    "retail_customers retail_sales retail_coupons retail_tax" \
	    retail_sales_daily
	step gold:dim_customer_history gold_from dim_customer_history \
	    retail_customers dim_customer_history
	step gold:fct_customer_metrics gold_from fct_customer_metrics \
	    "retail_customers retail_sales retail_coupons retail_tax" \
	    fct_customer_metrics
	step gold:customer_segments gold_from customer_segments \
	    "retail_customers retail_sales retail_coupons retail_tax" \
	    customer_segments
	step gold:fct_customer_segments gold_from fct_customer_segments \
	    "retail_customers retail_sales retail_coupons retail_tax" \
	    fct_customer_segments
	for s in retail_customers retail_sales retail_coupons retail_spend \
	    retail_tax; do
		gold_done $s
	done
}

# The unknown member first, then one row per customer, in partition
# (location) order.
dim_customer() {
	printf '{"customer_key":"%s","customer_id":null,"gender":null,"location":null,"tenure_months":null,"tenure_band":null}\n' \
	    "$UNKNOWN_KEY"
	silver_all retail_customers | mx-calc -e 'customer_key=hash(customer_id)' \
	    -e 'tenure_band=if(tenure_months<=12,"0-12",if(tenure_months<=24,"13-24",if(tenure_months<=36,"25-36","37+")))' \
	    --keep customer_key,customer_id,gender,location,tenure_months,tenure_band
}

# One row per SKU sold, its description, category and group those of its
# last sales line in the lake's order, its GST rate that of its category
# (null when the category has no rate).
dim_product() {
	silver_all retail_sales |
	    mx-agg -g product_sku -a 'product_description=last(product_description)' \
	    -a 'product_category=last(product_category),product_group=last(product_group)' |
	    mx-join --type left -k product_category \
	    -r <(silver_all retail_tax | mx-calc -e gst_rate=gst --keep product_category,gst_rate) |
	    mx-calc -e 'product_key=hash(product_sku)' \
	    --keep product_key,product_sku,product_description,product_category,product_group,gst_rate
}

# One row per sales line, in the order of silver.retail_sales; money
# exact, rounded as scripts/catalog/fct_sales.md says.
fct_sales() {
	silver_all retail_sales |
	    mx-join --type left -k customer_id -r <(mx-calc \
		--keep customer_id,customer_key "$LAKE/gold/dim_customer.ndjson") |
	    mx-calc -e 'month_of_year=substr(transaction_date,6,2)' |
	    mx-join --type left -k month_of_year,product_category \
	    -r <(silver_all retail_coupons |
		mx-calc --keep month_of_year,product_category,coupon_code,discount_pct) |
	    mx-join --type left -k product_category \
	    -r <(silver_all retail_tax | mx-calc -e gst_rate=gst --keep product_category,gst_rate) |
	    mx-calc -e 'sales_key=hash(transaction_id,product_sku)' \
	    -e 'date_key=hash(transaction_date)' \
	    -e "customer_key=coalesce(customer_key,\"$UNKNOWN_KEY\")" \
	    -e 'product_key=hash(product_sku)' \
	    -e 'unit_price=avg_price' \
	    -e 'gross=quantity*unit_price' \
	    -e 'used=coupon_status="Used"' \
	    -e 'coupon_code=if(used,coupon_code,null)' \
	    -e 'discount_pct=if(used,coalesce(discount_pct,0),0)' \
	    -e 'discount=round(gross*discount_pct*0.01,2)' \
	    -e 'net_amount=gross-discount' \
	    -e 'gst=round(net_amount*gst_rate,2)' \
	    -e 'delivery=delivery_charges' \
	    -e 'total=net_amount+gst+delivery' \
	    -e 'sale_size=if(total<100,"Small",if(total<500,"Medium",if(total>=500,"Large",null)))' \
	    --keep sales_key,transaction_id,product_sku,date_key,transaction_date,customer_key,customer_id,product_key,quantity,unit_price,gross,coupon_status,coupon_code,discount_pct,discount,net_amount,gst_rate,gst,delivery,total,sale_size
}

# The facts per day and product group, through dim_product (a line whose
# product were not there would be kept, in a null group).
retail_sales_daily() {
	mx-join --type left -k product_key -r <(mx-calc \
	    --keep product_key,product_group "$LAKE/gold/dim_product.ndjson") \
	    "$LAKE/gold/fct_sales.ndjson" |
	    mx-agg -g 'date=transaction_date,product_group' \
	    -a 'lines=count(),quantity=sum(quantity),gross=sum(gross)' \
	    -a 'discount=sum(discount),net_amount=sum(net_amount)' \
	    -a 'lines_with_gst=count(gst),gst=sum(gst),total=sum(total)'
}

# The history of the customers, SCD type 2 (mx-snapshot): a change of
# gender or location closes a customer's current version and opens one
# at the time of the run that saw it (SOURCE_DATE_EPOCH); tenure, which
# grows every month, is kept as the version saw it and is no change.  A
# customer missing from an export is kept current (exports are not full
# extracts).  The same silver gives the same bytes.
dim_customer_history() {
	silver_all retail_customers |
	    mx-calc -e 'customer_key=hash(customer_id)' \
	    --keep customer_key,customer_id,gender,location,tenure_months |
	    mx-snapshot -k customer_id -c gender,location \
	    -s "$LAKE/gold/dim_customer_history.ndjson" -o -
}

# RFM_ASOF: the day the metrics are as of, the run's (SOURCE_DATE_EPOCH).
rfm_asof() { date -u -d "@$EPOCH" +%Y-%m-%d; }

# quintile FIELD NAME: for the records on standard input (customer_id and
# FIELD, a number), {"customer_id":...,"NAME":s}: s is ntile(5) over FIELD
# ascending, equal values in customer_id order, as SQL's
# ntile(5) OVER (ORDER BY FIELD, customer_id) numbers them: of n rows the
# first n mod 5 tiles have one row more.  (Sorted as doubles: exact for
# the 15 significant digits of any amount here.)
quintile() {
	jq -r "[.$1, .customer_id] | @tsv" |
	    LC_ALL=C sort -t "$(printf '\t')" -k1,1g -k2,2n > "$WORK/quintile"
	awk -F '\t' -v name="$2" -v n="$(wc -l < "$WORK/quintile")" '
	    BEGIN { q = int(n / 5); r = n % 5 }
	    { i = NR - 1
	      t = i < r * (q + 1) ? int(i / (q + 1)) : r + int((i - r * (q + 1)) / q)
	      printf "{\"customer_id\":%s,\"%s\":%d}\n", $2, name, t + 1 }' \
	    "$WORK/quintile"
}

# One row per customer with a sale in fct_sales (the unknown member's
# aside), by customer_id: orders, net revenue, first and last purchase,
# recency as of the run's day, average order value, activity status,
# tenure, and the RFM scores and cell.
fct_customer_metrics() {
	local asof
	asof=$(rfm_asof)
	mx-calc -w "customer_key!=\"$UNKNOWN_KEY\"" \
	    --keep customer_id,transaction_id,transaction_date,net_amount \
	    "$LAKE/gold/fct_sales.ndjson" |
	    mx-agg -g customer_id -a 'total_orders=count_distinct(transaction_id)' \
	    -a 'total_revenue=sum(net_amount)' \
	    -a 'first_purchase_date=min(transaction_date)' \
	    -a 'last_purchase_date=max(transaction_date)' |
	    mx-calc --scale 2 -e "as_of_date=\"$asof\"" \
	    -e 'days_since_last_purchase=days(as_of_date)-days(last_purchase_date)' \
	    -e 'recency_day=days(last_purchase_date)' \
	    -e 'average_order_value=total_revenue/total_orders' \
	    -e 'activity_status=if(days_since_last_purchase<=30,"Active",if(days_since_last_purchase<=90,"At Risk","Churned"))' \
	    > "$WORK/metrics.ndjson"
	quintile recency_day recency_score < "$WORK/metrics.ndjson" > "$WORK/r.ndjson"
	quintile total_orders frequency_score < "$WORK/metrics.ndjson" > "$WORK/f.ndjson"
	quintile total_revenue monetary_score < "$WORK/metrics.ndjson" > "$WORK/m.ndjson"
	mx-join -k customer_id -r <(mx-calc -w 'customer_id!=null' \
	    --keep customer_id,customer_key,tenure_months \
	    "$LAKE/gold/dim_customer.ndjson") "$WORK/metrics.ndjson" |
	    mx-join -k customer_id -r "$WORK/r.ndjson" |
	    mx-join -k customer_id -r "$WORK/f.ndjson" |
	    mx-join -k customer_id -r "$WORK/m.ndjson" |
	    mx-calc -e 'rfm_cell=concat(recency_score,frequency_score,monetary_score)' \
	    --keep customer_key,customer_id,total_orders,total_revenue,first_purchase_date,last_purchase_date,as_of_date,days_since_last_purchase,average_order_value,activity_status,tenure_months,recency_score,frequency_score,monetary_score,rfm_cell
}

# The five segments: k-means (mx-kmeans, k = 5, z-scores, seed 1, 10
# restarts) over each customer's recency (days since the last purchase),
# frequency (orders) and monetary value (net revenue), fitted once, on the
# first build, and kept as _state/models/customer_segments.ndjson, so
# that a customer's segment keeps its number and name from night to night
# (remove the file to fit again).  Fewer than five customers fit no
# model: the table is empty and the customers have no segment until a
# build with five or more.  The clusters are named by their
# centroids, in this order, each among those not yet named, the least
# cluster number first of equals: Champions (VIPs) the greatest
# monetary × frequency; At-Risk (Lapsing) the greatest recency; Big
# Spenders the greatest monetary; Loyal Customers the greatest
# frequency; Occasional Shoppers the last.
SEGMENT_FEATURES=recency=days_since_last_purchase,frequency=total_orders,monetary=total_revenue
customer_segments() {
	local model="$LAKE/_state/models/customer_segments.ndjson" n
	if [ ! -s "$model" ]; then
		n=$(wc -l < "$LAKE/gold/fct_customer_metrics.ndjson")
		if [ "$n" -lt 5 ]; then
			# (step logs it)
			# shellcheck disable=SC2034
			NOTE="$n customers: too few for 5 segments, no model fitted"
			return 0
		fi
		mkdir -p "${model%/*}" || return 1
		mx-kmeans -k 5 -f "$SEGMENT_FEATURES" --seed 1 --restarts 10 \
		    --model "$model.tmp" "$LAKE/gold/fct_customer_metrics.ndjson" \
		    > /dev/null || { rm -f "$model.tmp"; return 1; }
		sync "$model.tmp" && mv -f "$model.tmp" "$model" || return 1
	fi
	jq -c 'select(.cluster != null)' "$model" | jq -sc '
	    def pick($name; f): (.todo | max_by(f)) as $c
		| .named += [$c + {segment_name: $name}]
		| .todo -= [$c];
	    # max_by keeps the last of equals: the clusters reversed, the least
	    {todo: (sort_by(-.cluster)), named: []}
	    | pick("Champions (VIPs)"; .centroid.monetary * .centroid.frequency)
	    | pick("At-Risk (Lapsing)"; .centroid.recency)
	    | pick("Big Spenders"; .centroid.monetary)
	    | pick("Loyal Customers"; .centroid.frequency)
	    | pick("Occasional Shoppers"; 0)
	    | .named | sort_by(.cluster) | .[]
	    | {segment_id: .cluster, segment_name, size,
	       recency: .centroid.recency, frequency: .centroid.frequency,
	       monetary: .centroid.monetary}'
}

# One row per customer of fct_customer_metrics, in its order: the
# customer's segment by the kept model (mx-kmeans --assign; none without
# a model), with its location, gender, tenure and metrics.
fct_customer_segments() {
	local now model="$LAKE/_state/models/customer_segments.ndjson"
	now=$(date -u -d "@$EPOCH" +%Y-%m-%dT%H:%M:%SZ)
	if [ -s "$model" ]; then
		mx-kmeans --assign "$model" "$LAKE/gold/fct_customer_metrics.ndjson"
	else
		mx-calc -e 'cluster=null' "$LAKE/gold/fct_customer_metrics.ndjson"
	fi |
	    mx-join --type left -k cluster=segment_id -r <(mx-calc \
		--keep segment_id,segment_name "$LAKE/gold/customer_segments.ndjson") |
	    mx-join -k customer_key -r <(mx-calc -w 'customer_id!=null' \
		--keep customer_key,location,gender "$LAKE/gold/dim_customer.ndjson") |
	    mx-calc -e 'segment_id=cluster' -e "updated_at=\"$now\"" \
	    --keep customer_key,customer_id,location,gender,tenure_months,segment_id,segment_name,days_since_last_purchase,total_orders,total_revenue,average_order_value,rfm_cell,updated_at
}
