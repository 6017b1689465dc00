-- silver.fx_rates: scripts/contracts/fx_rates.contract applied to the
-- records of fx_rates.csv (every cell a string, an empty unquoted one null), then one record per date
-- and currency: the last delivered.  rate is US dollars for one unit of
-- currency on date; USD has no rows (its rate is 1).
SELECT error('fx_rates: ' || source || ': unexpected header: ' || coalesce(line, '(not UTF-8)'))
FROM raw_lines('fx_rates')
WHERE line_no = 1 AND coalesce(ltrim(line, chr(65279)), '') <> 'date,currency,rate';
CREATE TABLE silver_fx_rates AS
WITH rec AS (
	SELECT source, line_no,
		regexp_extract(line, '^' || csv_f() || ',' || csv_f() || ',' || csv_f() || '$',
			['date', 'currency', 'rate']) AS r
	FROM raw_lines('fx_rates')
	WHERE line_no > 1 AND regexp_full_match(line, csv_f() || ',' || csv_f() || ',' || csv_f())
), f AS (
	SELECT source, line_no,
		csv_cell(r.date) AS date_t,
		csv_cell(r.currency) AS currency,
		csv_cell(r.rate) AS rate_t
	FROM rec
), c AS (
	SELECT f.*,
		as_date('s', date_t) AS "date",
		as_dec('s', rate_t) AS rate
	FROM f
)
SELECT source, line_no, "date", currency, rate
FROM c
WHERE
	-- date date required
	(coalesce(date_t, '') <> '' AND "date" IS NOT NULL)
	-- currency string required re=^[A-Z]{3}$
	AND regexp_matches(currency, '^[A-Z]{3}$')
	-- rate decimal required min=0.000001 scale=6
	AND (coalesce(rate_t, '') <> '' AND rate IS NOT NULL AND rate >= 0.000001
		AND dec_scale(rate_t) <= 6)
QUALIFY row_number() OVER (PARTITION BY "date", currency
	ORDER BY source DESC, line_no DESC) = 1;
