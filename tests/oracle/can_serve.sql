-- gold.can_serve (scripts/catalog/can_serve.md): per advertiser and UTC
-- hour with events of silver.adclicks, the hour's spend, the day's spend
-- up to the hour's end, and the daily budget in force at the hour's end
-- (the budget_value of the hour's latest event; of two at one time, the
-- later delivered).  budget_value is nullable in the contract, and the
-- definition says no column is null: the oracle reads "in force" as the
-- latest event of the hour that has a budget_value (arg_max skips NULL),
-- NULL only when no event of the hour has one.
WITH h AS (
	SELECT advertiser, date_trunc('hour', "timestamp") AS h,
		count(*) AS events,
		sum(amount) AS spend,
		arg_max(budget_value, ("timestamp", source, line_no)) AS budget_value
	FROM silver_adclicks
	GROUP BY ALL
), c AS (
	SELECT *, sum(spend) OVER (PARTITION BY advertiser, h::DATE ORDER BY h
		ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative_spend
	FROM h
)
SELECT advertiser,
	strftime(h, '%Y-%m-%dT%H:00:00Z') AS period,
	mx_fmt_ts(h) AS window_start,
	mx_fmt_ts(h + INTERVAL 1 HOUR) AS window_end,
	events,
	spend::DECIMAL(38, 18) AS spend,
	cumulative_spend::DECIMAL(38, 18) AS cumulative_spend,
	budget_value::DECIMAL(38, 18) AS budget_value,
	(budget_value - cumulative_spend)::DECIMAL(38, 18) AS remaining,
	cumulative_spend < budget_value AS can_serve
FROM c
ORDER BY advertiser, period;
