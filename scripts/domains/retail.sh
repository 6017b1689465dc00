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
