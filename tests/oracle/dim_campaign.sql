-- gold.dim_campaign (scripts/catalog/dim_campaign.md): the unknown member
-- (key 0000000000000000, every other column null), then one row per
-- campaign_id of silver.meta_ads_insights, by campaign_id as a number;
-- campaign_name, account_id and account_currency of the campaign's last
-- row in the lake's order: its partition (date), then as delivered (file
-- name, then line).  campaign_id is a string: hash() of a string.
SELECT campaign_key, campaign_id, campaign_name, account_id, account_currency
FROM (
	SELECT 0 AS member, NULL::HUGEINT AS n,
		mx_key_unknown() AS campaign_key, NULL::VARCHAR AS campaign_id,
		NULL::VARCHAR AS campaign_name, NULL::VARCHAR AS account_id,
		NULL::VARCHAR AS account_currency
	UNION ALL
	SELECT 1, campaign_id::HUGEINT,
		mx_key([key_s(campaign_id)]), campaign_id, campaign_name, account_id,
		account_currency
	FROM silver_meta_ads_insights
	QUALIFY row_number() OVER (PARTITION BY campaign_id
		ORDER BY "date" DESC, source DESC, line_no DESC) = 1
)
ORDER BY member, n;
