-- silver.retail_spend: scripts/contracts/retail_spend.contract applied to
-- the records of retail_spend.csv (every cell a string), then one record
-- per date: the last delivered.
SELECT error('retail_spend: ' || source || ': unexpected header: ' || coalesce(line, '(not UTF-8)'))
FROM raw_lines('retail_spend')
WHERE line_no = 1 AND coalesce(ltrim(line, chr(65279)), '') <> 'Date,Offline_Spend,Online_Spend';
CREATE TABLE silver_retail_spend AS
WITH rec AS (
	SELECT source, line_no,
		regexp_extract(line, '^' || csv_f() || ',' || csv_f() || ',' || csv_f() || '$',
			['Date', 'Offline_Spend', 'Online_Spend']) AS r
	FROM raw_lines('retail_spend')
	WHERE line_no > 1 AND regexp_full_match(line, csv_f() || ',' || csv_f() || ',' || csv_f())
), f AS (
	SELECT source, line_no,
		csv_unquote(r.Date) AS date_t,
		csv_unquote(r.Offline_Spend) AS offline_spend_t,
		csv_unquote(r.Online_Spend) AS online_spend_t
	FROM rec
), c AS (
	SELECT f.*,
		as_date('s', date_t) AS "date",
		as_dec('s', offline_spend_t) AS offline_spend,
		as_dec('s', online_spend_t) AS online_spend
	FROM f
)
SELECT source, line_no, "date", offline_spend, online_spend
FROM c
WHERE
	-- date date required from=Date max=_ingested_at
	(has_v('s', date_t) AND "date" IS NOT NULL AND "date" <= ingested_at()::DATE)
	-- offline_spend decimal required from=Offline_Spend min=0 scale=2
	AND (has_v('s', offline_spend_t) AND offline_spend IS NOT NULL AND offline_spend >= 0
		AND dec_scale(offline_spend_t) <= 2)
	-- online_spend decimal required from=Online_Spend min=0 scale=2
	AND (has_v('s', online_spend_t) AND online_spend IS NOT NULL AND online_spend >= 0
		AND dec_scale(online_spend_t) <= 2)
QUALIFY row_number() OVER (PARTITION BY "date"
	ORDER BY source DESC, line_no DESC) = 1;
