-- silver.meta_ads_insights: scripts/contracts/meta_ads_insights.contract
-- applied to the raw lines of meta_ads_insights (NDJSON; numbers as
-- strings), then one record per ad_id and date: the last delivered.
-- link_clicks .. purchase_value are from= selectors
-- (actions[action_type=lead].value, lib.sql sel_*): the one element of
-- the array whose action_type is that string, wherever it is; none (or no
-- actions key) is no value, so the default 0; two fail the rule type, and
-- the record is rejected.  (The silver partition, date, orders
-- gold.fct_ad_performance and picks the dimensions' rows.)
CREATE TABLE silver_meta_ads_insights AS
WITH x AS (
	SELECT source, line_no, j,
		json_extract(j, [
			'$.date_start',
			'$.account_id',
			'$.account_currency',
			'$.campaign_id',
			'$.campaign_name',
			'$.adset_id',
			'$.adset_name',
			'$.ad_id',
			'$.ad_name',
			'$.impressions',
			'$.clicks',
			'$.spend']) AS x,
		sel_elems(j, '$.actions', 'action_type', 'link_click') AS e_link,
		sel_elems(j, '$.actions', 'action_type', 'landing_page_view') AS e_lpv,
		sel_elems(j, '$.actions', 'action_type', 'lead') AS e_lead,
		sel_elems(j, '$.actions', 'action_type', 'purchase') AS e_purch,
		sel_elems(j, '$.action_values', 'action_type', 'purchase') AS e_pval
	FROM raw_json('meta_ads_insights')
), v AS (
	SELECT *,
		sel_value(e_link, '$.value') AS v_link,
		sel_value(e_lpv, '$.value') AS v_lpv,
		sel_value(e_lead, '$.value') AS v_lead,
		sel_value(e_purch, '$.value') AS v_purch,
		sel_value(e_pval, '$.value') AS v_pval
	FROM x
), f AS (
	SELECT source, line_no,
		jk(x[1]) AS date_k, jt(x[1], j, 'date_start') AS date_t,
		jk(x[2]) AS account_id_k, jt(x[2], j, 'account_id') AS account_id_t,
		jk(x[3]) AS account_currency_k, jt(x[3], j, 'account_currency') AS account_currency_t,
		jk(x[4]) AS campaign_id_k, jt(x[4], j, 'campaign_id') AS campaign_id_t,
		jk(x[5]) AS campaign_name_k, jt(x[5], j, 'campaign_name') AS campaign_name_t,
		jk(x[6]) AS adset_id_k, jt(x[6], j, 'adset_id') AS adset_id_t,
		jk(x[7]) AS adset_name_k, jt(x[7], j, 'adset_name') AS adset_name_t,
		jk(x[8]) AS ad_id_k, jt(x[8], j, 'ad_id') AS ad_id_t,
		jk(x[9]) AS ad_name_k, jt(x[9], j, 'ad_name') AS ad_name_t,
		jk(x[10]) AS impressions_k, jt(x[10], j, 'impressions') AS impressions_t,
		jk(x[11]) AS clicks_k, jt(x[11], j, 'clicks') AS clicks_t,
		jk(x[12]) AS spend_k, jt(x[12], j, 'spend') AS spend_t,
		sel_twice(e_link) AS link_twice, jk(v_link) AS link_k, jt(v_link, j, '') AS link_t,
		sel_twice(e_lpv) AS lpv_twice, jk(v_lpv) AS lpv_k, jt(v_lpv, j, '') AS lpv_t,
		sel_twice(e_lead) AS lead_twice, jk(v_lead) AS lead_k, jt(v_lead, j, '') AS lead_t,
		sel_twice(e_purch) AS purch_twice, jk(v_purch) AS purch_k, jt(v_purch, j, '') AS purch_t,
		sel_twice(e_pval) AS pval_twice, jk(v_pval) AS pval_k, jt(v_pval, j, '') AS pval_t
	FROM v
), c AS (
	SELECT f.*,
		as_date(date_k, date_t) AS "date",
		as_str(account_id_k, account_id_t) AS account_id,
		as_str(account_currency_k, account_currency_t) AS account_currency,
		as_str(campaign_id_k, campaign_id_t) AS campaign_id,
		as_str(campaign_name_k, campaign_name_t) AS campaign_name,
		as_str(adset_id_k, adset_id_t) AS adset_id,
		as_str(adset_name_k, adset_name_t) AS adset_name,
		as_str(ad_id_k, ad_id_t) AS ad_id,
		as_str(ad_name_k, ad_name_t) AS ad_name,
		as_int(impressions_k, impressions_t) AS impressions,
		as_int(clicks_k, clicks_t) AS clicks,
		as_dec(spend_k, spend_t) AS spend,
		-- no value (none, or no array): the default 0
		CASE WHEN has_v(link_k, link_t) THEN as_int(link_k, link_t) ELSE 0 END AS link_clicks,
		CASE WHEN has_v(lpv_k, lpv_t) THEN as_int(lpv_k, lpv_t) ELSE 0 END AS landing_page_views,
		CASE WHEN has_v(lead_k, lead_t) THEN as_int(lead_k, lead_t) ELSE 0 END AS leads,
		CASE WHEN has_v(purch_k, purch_t) THEN as_int(purch_k, purch_t) ELSE 0 END AS purchases,
		CASE WHEN has_v(pval_k, pval_t) THEN as_dec(pval_k, pval_t) ELSE 0 END AS purchase_value
	FROM f
)
SELECT source, line_no, "date", account_id, account_currency, campaign_id,
	campaign_name, adset_id, adset_name, ad_id, ad_name, impressions, clicks,
	spend, link_clicks, landing_page_views, leads, purchases, purchase_value
FROM c
WHERE
	-- date date required from=date_start max=_ingested_at
	(has_v(date_k, date_t) AND "date" IS NOT NULL AND "date" <= ingested_at()::DATE)
	-- account_id string required re=^[0-9]+$
	AND regexp_matches(account_id, '^[0-9]+$')
	-- account_currency string required re=^[A-Z]{3}$
	AND regexp_matches(account_currency, '^[A-Z]{3}$')
	-- campaign_id string required re=^[0-9]+$
	AND regexp_matches(campaign_id, '^[0-9]+$')
	-- campaign_name string required minlen=1
	AND length(campaign_name) >= 1
	-- adset_id string required re=^[0-9]+$
	AND regexp_matches(adset_id, '^[0-9]+$')
	-- adset_name string required minlen=1
	AND length(adset_name) >= 1
	-- ad_id string required re=^[0-9]+$
	AND regexp_matches(ad_id, '^[0-9]+$')
	-- ad_name string required minlen=1
	AND length(ad_name) >= 1
	-- impressions int required min=0
	AND (has_v(impressions_k, impressions_t) AND impressions IS NOT NULL AND impressions >= 0)
	-- clicks int required min=0 max=impressions (the bound: impressions'
	-- input value cast to int; not checked when it has none)
	AND (has_v(clicks_k, clicks_t) AND clicks IS NOT NULL AND clicks >= 0
		AND (NOT has_v(impressions_k, impressions_t)
			OR (impressions IS NOT NULL AND clicks <= impressions)))
	-- spend decimal required min=0 scale=2
	AND (has_v(spend_k, spend_t) AND spend IS NOT NULL AND spend >= 0
		AND dec_scale(spend_t) <= 2)
	-- link_clicks, landing_page_views, leads, purchases: int
	-- from=actions[action_type=...].value default=0 min=0
	AND NOT link_twice AND link_clicks IS NOT NULL AND link_clicks >= 0
	AND NOT lpv_twice AND landing_page_views IS NOT NULL AND landing_page_views >= 0
	AND NOT lead_twice AND leads IS NOT NULL AND leads >= 0
	AND NOT purch_twice AND purchases IS NOT NULL AND purchases >= 0
	-- purchase_value decimal from=action_values[action_type=purchase].value
	-- default=0 min=0
	AND NOT pval_twice AND purchase_value IS NOT NULL AND purchase_value >= 0
QUALIFY row_number() OVER (PARTITION BY ad_id, "date"
	ORDER BY source DESC, line_no DESC) = 1;
