-- silver.adclicks: scripts/contracts/adclicks.contract applied to the raw
-- lines of adclicks, then one record per click_id: the earliest timestamp,
-- of equal ones the earlier delivery.  The contract's rules are those of
-- adclicks_deliveries.contract (which only renames event_type and amount),
-- so the valid records are the valid deliveries.
CREATE TABLE silver_adclicks AS
SELECT source, line_no, delivered_type AS event_type, click_id, advertiser, ad_id,
	gross_amount AS amount, budget_value, "timestamp"
FROM silver_adclicks_deliveries
QUALIFY row_number() OVER (PARTITION BY click_id
	ORDER BY "timestamp", source, line_no) = 1;
