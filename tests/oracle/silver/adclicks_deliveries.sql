-- silver.adclicks_deliveries: scripts/contracts/adclicks_deliveries.contract
-- (the rules of adclicks.contract, event_type and amount renamed
-- delivered_type and gross_amount) applied to the raw lines of adclicks:
-- every valid delivery, re-sent copies included, one record per raw line.
-- silver.adclicks (silver/adclicks.sql) is these deduplicated by click_id.
CREATE TABLE silver_adclicks_deliveries AS
WITH x AS (
	SELECT source, line_no, j,
		json_extract(j, [
			'$.event_type',
			'$.click_id',
			'$.advertiser',
			'$.ad_id',
			'$.amount',
			'$.budget_value',
			'$.timestamp']) AS x
	FROM raw_json('adclicks')
), f AS (
	SELECT source, line_no,
		jk(x[1]) AS event_type_k, jt(x[1], j, 'event_type') AS event_type_t,
		jk(x[2]) AS click_id_k, jt(x[2], j, 'click_id') AS click_id_t,
		jk(x[3]) AS advertiser_k, jt(x[3], j, 'advertiser') AS advertiser_t,
		jk(x[4]) AS ad_id_k, jt(x[4], j, 'ad_id') AS ad_id_t,
		jk(x[5]) AS amount_k, jt(x[5], j, 'amount') AS amount_t,
		jk(x[6]) AS budget_value_k, jt(x[6], j, 'budget_value') AS budget_value_t,
		jk(x[7]) AS timestamp_k, jt(x[7], j, 'timestamp') AS timestamp_t
	FROM x
), c AS (
	SELECT *,
		as_str(event_type_k, event_type_t) AS delivered_type,
		as_str(click_id_k, click_id_t) AS click_id,
		as_str(advertiser_k, advertiser_t) AS advertiser,
		as_str(ad_id_k, ad_id_t) AS ad_id,
		as_dec(amount_k, amount_t) AS gross_amount,
		as_dec(budget_value_k, budget_value_t) AS budget_value,
		as_ts(timestamp_k, timestamp_t) AS "timestamp"
	FROM f
)
SELECT source, line_no, delivered_type, click_id, advertiser, ad_id,
	gross_amount, budget_value, "timestamp"
FROM c
WHERE
	-- delivered_type string required from=event_type in=click,impression
	(delivered_type IS NOT NULL AND delivered_type IN ('click', 'impression'))
	-- click_id string required re=^c[0-9]+$
	AND (click_id IS NOT NULL AND regexp_matches(click_id, '^c[0-9]+$'))
	-- advertiser string required minlen=1
	AND (advertiser IS NOT NULL AND length(advertiser) >= 1)
	-- ad_id string required minlen=1
	AND (ad_id IS NOT NULL AND length(ad_id) >= 1)
	-- gross_amount decimal required from=amount min=0
	AND (gross_amount IS NOT NULL AND gross_amount >= 0)
	-- budget_value decimal min=0
	AND (NOT has_v(budget_value_k, budget_value_t) OR (budget_value IS NOT NULL AND budget_value >= 0))
	-- timestamp timestamp required max=_ingested_at
	AND ("timestamp" IS NOT NULL AND "timestamp" <= ingested_at());
