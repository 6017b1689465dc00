-- gold.advertiser_status (scripts/catalog/advertiser_status.md): each
-- advertiser's row of gold.can_serve for its latest hour with events.
SELECT advertiser, period, window_start, window_end, events, spend,
	cumulative_spend, budget_value, remaining, can_serve
FROM gold_can_serve
QUALIFY row_number() OVER (PARTITION BY advertiser ORDER BY period DESC) = 1
ORDER BY advertiser;
