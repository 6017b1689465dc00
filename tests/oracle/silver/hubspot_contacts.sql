-- silver.hubspot_contacts: scripts/contracts/hubspot_contacts.contract
-- applied to the records of hubspot_contacts.csv (every cell a string, an
-- empty unquoted one null: lib.sql csv_cell), then one record per
-- contact_id: the last delivered.  (The silver
-- partition, month of created_at, orders gold.dim_contacts.)
SELECT error('hubspot_contacts: ' || source || ': unexpected header: ' || coalesce(line, '(not UTF-8)'))
FROM raw_lines('hubspot_contacts')
WHERE line_no = 1 AND coalesce(ltrim(line, chr(65279)), '') <> 'Record ID,First Name,Last Name,Email,Lifecycle Stage,Original Source,Original Source Drill-Down 2,Country/Region,Create Date,Last Modified Date';
CREATE TABLE silver_hubspot_contacts AS
WITH rec AS (
	SELECT source, line_no,
		regexp_extract(line, '^' || csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f() || ',' || csv_f() || '$',
			['id', 'first', 'last', 'email', 'stage', 'src', 'dd2', 'country',
			 'created', 'modified']) AS r
	FROM raw_lines('hubspot_contacts')
	WHERE line_no > 1 AND regexp_full_match(line, csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f() || ',' || csv_f() || ',' || csv_f() || ','
			|| csv_f() || ',' || csv_f() || ',' || csv_f())
), f AS (
	SELECT source, line_no,
		csv_cell(r.id) AS contact_id_t,
		csv_cell(r.first) AS first_name,
		csv_cell(r.last) AS last_name,
		csv_cell(r.email) AS email,
		csv_cell(r.stage) AS lifecycle_stage,
		csv_cell(r.src) AS original_source,
		csv_cell(r.dd2) AS campaign_name,
		csv_cell(r.country) AS country,
		csv_cell(r.created) AS created_at_t,
		csv_cell(r.modified) AS last_modified_at_t
	FROM rec
), c AS (
	SELECT f.*,
		as_int('s', contact_id_t) AS contact_id,
		as_ts('s', created_at_t) AS created_at,
		as_ts('s', last_modified_at_t) AS last_modified_at
	FROM f
)
SELECT source, line_no, contact_id, first_name, last_name, email,
	lifecycle_stage, original_source, campaign_name, country, created_at,
	last_modified_at
FROM c
WHERE
	-- contact_id int required from="Record ID" min=1
	(coalesce(contact_id_t, '') <> '' AND contact_id IS NOT NULL AND contact_id >= 1)
	-- first_name, last_name, campaign_name: strings, any cell
	-- email string required from=Email re=^[^@[:space:]]+@[^@[:space:]]+$
	AND regexp_matches(email, '^[^@[:space:]]+@[^@[:space:]]+$')
	-- lifecycle_stage string required from="Lifecycle Stage" in=...
	AND lifecycle_stage IN ('Subscriber', 'Lead', 'Marketing Qualified Lead',
		'Sales Qualified Lead', 'Opportunity', 'Customer')
	-- original_source string required from="Original Source" in=...
	AND original_source IN ('Paid Social', 'Paid Search', 'Organic Search',
		'Direct Traffic', 'Email Marketing', 'Referrals', 'Offline', 'Other')
	-- country string required from="Country/Region" minlen=1
	AND length(country) >= 1
	-- created_at timestamp required from="Create Date" max=_ingested_at
	AND (coalesce(created_at_t, '') <> '' AND created_at IS NOT NULL AND created_at <= ingested_at())
	-- last_modified_at timestamp required from="Last Modified Date"
	AND (coalesce(last_modified_at_t, '') <> '' AND last_modified_at IS NOT NULL)
QUALIFY row_number() OVER (PARTITION BY contact_id
	ORDER BY source DESC, line_no DESC) = 1;
