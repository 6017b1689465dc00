-- gold.budget_history (scripts/catalog/budget_history.md): the versions of
-- each advertiser's daily budget: its events of silver.adclicks with a
-- budget_value in time order, then click_id; a version starts at the first
-- event and at each event whose budget_value differs in value from the
-- event before.
WITH e AS (
	SELECT advertiser, budget_value, "timestamp", click_id,
		lag(budget_value) OVER (PARTITION BY advertiser ORDER BY "timestamp", click_id) AS before
	FROM silver_adclicks
	WHERE budget_value IS NOT NULL
), v AS (
	SELECT advertiser, budget_value, "timestamp" AS effective_from, click_id,
		lead("timestamp") OVER (PARTITION BY advertiser ORDER BY "timestamp", click_id) AS effective_to
	FROM e
	WHERE before IS NULL OR before <> budget_value
)
SELECT advertiser, budget_value,
	mx_fmt_ts(effective_from) AS effective_from,
	mx_fmt_ts(effective_to) AS effective_to,
	effective_to IS NULL AS is_current
FROM v
-- two versions can start at one time (events of one timestamp, of other
-- budgets): then in the order of their events, by click_id
ORDER BY advertiser, v.effective_from, v.click_id;
