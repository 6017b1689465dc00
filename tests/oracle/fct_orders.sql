-- gold.fct_orders (scripts/catalog/fct_orders.md): one row per deal of
-- silver.hubspot_deals whose deal_stage is Closed Won and that has a
-- close_date, and whose currency is USD (rate 1) or has a rate in
-- silver.fx_rates on its close_date (the others are the table's rejects),
-- in the order of its partition (month of created_date), then as
-- delivered.  The contact's key and campaign key are gold.dim_contacts's,
-- by contact_id; a contact in no row is the unknown member, and so is its
-- campaign_key.
WITH r AS (
	SELECT d.*,
		CASE WHEN d.currency = 'USD' THEN money(1) ELSE f.rate END AS fx_rate
	FROM silver_hubspot_deals d
	LEFT JOIN silver_fx_rates f
		ON f."date" = d.close_date AND f.currency = d.currency
	WHERE d.deal_stage = 'Closed Won'
), u AS (
	SELECT r.*,
		mul_round(r.amount, r.fx_rate, 1, 2) AS amount_usd,
		c.contact_key AS known_contact, c.campaign_key AS contact_campaign
	FROM r LEFT JOIN gold_dim_contacts c ON c.contact_id = r.contact_id
	WHERE r.close_date IS NOT NULL AND r.fx_rate IS NOT NULL
)
SELECT mx_key([key_d(deal_id)]) AS order_key,
	deal_id,
	deal_name,
	mx_key([key_s(strftime(close_date, '%Y-%m-%d'))]) AS date_key,
	strftime(close_date, '%Y-%m-%d') AS close_date,
	coalesce(known_contact, mx_key_unknown()) AS contact_key,
	contact_id,
	CASE WHEN known_contact IS NULL THEN mx_key_unknown() ELSE contact_campaign END AS campaign_key,
	currency,
	amount,
	fx_rate,
	amount_usd
FROM u
ORDER BY mx_month(created_date), source, line_no;
