-- silver.hubspot_deals: scripts/contracts/hubspot_deals.contract applied
-- to the records of hubspot_deals.csv (every cell a string, an empty
-- unquoted one null: lib.sql csv_cell; an empty Close Date is no value), then one record per deal_id: the last
-- delivered.  (The silver partition, month of created_date, orders
-- gold.fct_orders.)
SELECT error('hubspot_deals: ' || source || ': unexpected header: ' || coalesce(line, '(not UTF-8)'))
FROM raw_lines('hubspot_deals')
WHERE line_no = 1 AND coalesce(ltrim(line, chr(65279)), '') <> 'Record ID,Deal Name,Pipeline,Deal Stage,Amount,Deal Currency Code,Create Date,Close Date,Associated Contact IDs';
CREATE TABLE silver_hubspot_deals AS
WITH rec AS (
	SELECT source, line_no,
		regexp_extract(line, '^' || csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f() || '$',
			['id', 'name', 'pipeline', 'stage', 'amount', 'currency', 'created',
			 'closed', 'contact']) AS r
	FROM raw_lines('hubspot_deals')
	WHERE line_no > 1 AND regexp_full_match(line, csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f())
), f AS (
	SELECT source, line_no,
		csv_cell(r.id) AS deal_id_t,
		csv_cell(r.name) AS deal_name,
		csv_cell(r.pipeline) AS pipeline,
		csv_cell(r.stage) AS deal_stage,
		csv_cell(r.amount) AS amount_t,
		csv_cell(r.currency) AS currency,
		csv_cell(r.created) AS created_date_t,
		csv_cell(r.closed) AS close_date_t,
		csv_cell(r.contact) AS contact_id_t
	FROM rec
), c AS (
	SELECT f.*,
		as_int('s', deal_id_t) AS deal_id,
		as_dec('s', amount_t) AS amount,
		as_date('s', created_date_t) AS created_date,
		as_date('s', close_date_t) AS close_date,
		as_int('s', contact_id_t) AS contact_id
	FROM f
)
SELECT source, line_no, deal_id, deal_name, pipeline, deal_stage, amount,
	currency, created_date, close_date, contact_id
FROM c
WHERE
	-- deal_id int required from="Record ID" min=1
	(coalesce(deal_id_t, '') <> '' AND deal_id IS NOT NULL AND deal_id >= 1)
	-- deal_name string required from="Deal Name" minlen=1
	AND length(deal_name) >= 1
	-- pipeline string from=Pipeline: any cell
	-- deal_stage string required from="Deal Stage" in=...
	AND deal_stage IN ('Appointment Scheduled', 'Qualified To Buy',
		'Presentation Scheduled', 'Decision Maker Bought-In', 'Contract Sent',
		'Closed Won', 'Closed Lost')
	-- amount decimal required from=Amount min=0 scale=2
	AND (coalesce(amount_t, '') <> '' AND amount IS NOT NULL AND amount >= 0
		AND dec_scale(amount_t) <= 2)
	-- currency string required from="Deal Currency Code" re=^[A-Z]{3}$
	AND regexp_matches(currency, '^[A-Z]{3}$')
	-- created_date date required from="Create Date" max=_ingested_at
	AND (coalesce(created_date_t, '') <> '' AND created_date IS NOT NULL
		AND created_date <= ingested_at()::DATE)
	-- close_date date from="Close Date" max=_ingested_at ("" is no value)
	AND (coalesce(close_date_t, '') = ''
		OR (close_date IS NOT NULL AND close_date <= ingested_at()::DATE))
	-- contact_id int required from="Associated Contact IDs" min=1
	AND (coalesce(contact_id_t, '') <> '' AND contact_id IS NOT NULL AND contact_id >= 1)
QUALIFY row_number() OVER (PARTITION BY deal_id
	ORDER BY source DESC, line_no DESC) = 1;
