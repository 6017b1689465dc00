-- silver.marketing_spend: scripts/contracts/spend.contract (the CRM's
-- marketing spend is daily spend) applied to the records of
-- marketing_spend.csv (every cell a string), then one record per date and
-- channel: the last delivered.
SELECT error('marketing_spend: ' || source || ': unexpected header: ' || coalesce(line, '(not UTF-8)'))
FROM raw_lines('marketing_spend')
WHERE line_no = 1 AND coalesce(ltrim(line, chr(65279)), '') <> 'date,channel,spend';
CREATE TABLE silver_marketing_spend AS
WITH rec AS (
	SELECT source, line_no,
		regexp_extract(line, '^' || csv_f() || ',' || csv_f() || ',' || csv_f() || '$',
			['date', 'channel', 'spend']) AS r
	FROM raw_lines('marketing_spend')
	WHERE line_no > 1 AND regexp_full_match(line, csv_f() || ',' || csv_f() || ',' || csv_f())
), f AS (
	SELECT source, line_no,
		csv_unquote(r.date) AS date_t,
		csv_unquote(r.channel) AS channel_t,
		csv_unquote(r.spend) AS spend_t
	FROM rec
), c AS (
	SELECT f.*,
		as_date('s', date_t) AS "date",
		coalesce(m.c, channel_t) AS channel,
		as_dec('s', spend_t) AS spend
	FROM f LEFT JOIN channel_map m ON m.v = channel_t
)
SELECT source, line_no, "date", channel, spend
FROM c
WHERE
	-- date date required max=_ingested_at
	(has_v('s', date_t) AND "date" IS NOT NULL AND "date" <= ingested_at()::DATE)
	-- channel string required minlen=1 maxlen=100 map=../channels.tsv
	AND length(channel) BETWEEN 1 AND 100
	-- spend decimal required min=0 scale=2
	AND (has_v('s', spend_t) AND spend IS NOT NULL AND spend >= 0 AND dec_scale(spend_t) <= 2)
QUALIFY row_number() OVER (PARTITION BY "date", channel
	ORDER BY source DESC, line_no DESC) = 1;
