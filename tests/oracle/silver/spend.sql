-- silver.spend: scripts/contracts/spend.contract applied to the raw lines of
-- spend (NDJSON), then one record per date and channel: the last delivered.
CREATE TABLE silver_spend AS
WITH x AS (
	SELECT source, line_no, j,
		json_extract(j, [
			'$.date',
			'$.channel',
			'$.spend']) AS x
	FROM raw_json('spend')
), f AS (
	SELECT source, line_no,
		jk(x[1]) AS date_k, jt(x[1], j, 'date') AS date_t,
		jk(x[2]) AS channel_k, jt(x[2], j, 'channel') AS channel_t,
		jk(x[3]) AS spend_k, jt(x[3], j, 'spend') AS spend_t
	FROM x
), c AS (
	SELECT f.*,
		as_date(date_k, date_t) AS "date",
		coalesce(m.c, as_str(channel_k, channel_t)) AS channel,
		as_dec(spend_k, spend_t) AS spend
	FROM f LEFT JOIN channel_map m ON m.v = as_str(channel_k, channel_t)
)
SELECT source, line_no, "date", channel, spend
FROM c
WHERE
	-- date date required max=_ingested_at (the bound cast to a date)
	("date" IS NOT NULL AND "date" <= ingested_at()::DATE)
	-- channel string required minlen=1 maxlen=100 map=../channels.tsv
	-- (the rules check the canonical value)
	AND (channel IS NOT NULL AND length(channel) BETWEEN 1 AND 100)
	-- spend decimal required min=0 scale=2
	AND (spend IS NOT NULL AND spend >= 0 AND dec_scale(spend_t) <= 2)
QUALIFY row_number() OVER (PARTITION BY "date", channel
	ORDER BY source DESC, line_no DESC) = 1;
