-- gold.dim_contacts (scripts/catalog/dim_contacts.md): the unknown member
-- (key 0000000000000000, every other column null), then one row per
-- contact of silver.hubspot_contacts, in the order of its partition (month
-- of created_at), then as delivered.  campaign_name is Original Source
-- Drill-Down 2, null when empty; campaign_key the key of the
-- gold.dim_campaign row of that name, the unknown member's when no row has
-- it, null when there is no name.
WITH c AS (
	SELECT s.*, nullif(s.campaign_name, '') AS cname
	FROM silver_hubspot_contacts s
)
SELECT contact_key, contact_id, email, first_name, last_name,
	lifecycle_stage, original_source, country, created_at, campaign_name,
	campaign_key
FROM (
	SELECT 0 AS member, NULL::VARCHAR AS month, NULL::VARCHAR AS source,
		NULL::BIGINT AS line_no,
		mx_key_unknown() AS contact_key, NULL::BIGINT AS contact_id,
		NULL::VARCHAR AS email, NULL::VARCHAR AS first_name,
		NULL::VARCHAR AS last_name, NULL::VARCHAR AS lifecycle_stage,
		NULL::VARCHAR AS original_source, NULL::VARCHAR AS country,
		NULL::VARCHAR AS created_at, NULL::VARCHAR AS campaign_name,
		NULL::mx_key AS campaign_key
	UNION ALL
	SELECT 1, mx_month(c.created_at), c.source, c.line_no,
		mx_key([key_d(c.contact_id)]), c.contact_id, c.email, c.first_name,
		c.last_name, c.lifecycle_stage, c.original_source, c.country,
		mx_fmt_ts(c.created_at), c.cname,
		CASE WHEN c.cname IS NOT NULL
			THEN coalesce(d.campaign_key, mx_key_unknown()) END
	FROM c LEFT JOIN gold_dim_campaign d ON d.campaign_name = c.cname
)
ORDER BY member, month, source, line_no;
