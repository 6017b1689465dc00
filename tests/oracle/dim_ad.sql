-- gold.dim_ad (scripts/catalog/dim_ad.md): the unknown member (key
-- 0000000000000000, every other column null), then one row per ad_id of
-- silver.meta_ads_insights, by ad_id as a number; ad_name, adset_id,
-- adset_name and campaign_key (hash(campaign_id)) of the ad's last row in
-- the lake's order: its partition (date), then as delivered.
SELECT ad_key, ad_id, ad_name, adset_id, adset_name, campaign_key
FROM (
	SELECT 0 AS member, NULL::HUGEINT AS n,
		mx_key_unknown() AS ad_key, NULL::VARCHAR AS ad_id,
		NULL::VARCHAR AS ad_name, NULL::VARCHAR AS adset_id,
		NULL::VARCHAR AS adset_name, NULL::mx_key AS campaign_key
	UNION ALL
	SELECT 1, ad_id::HUGEINT,
		mx_key([key_s(ad_id)]), ad_id, ad_name, adset_id, adset_name,
		mx_key([key_s(campaign_id)])
	FROM silver_meta_ads_insights
	QUALIFY row_number() OVER (PARTITION BY ad_id
		ORDER BY "date" DESC, source DESC, line_no DESC) = 1
)
ORDER BY member, n;
