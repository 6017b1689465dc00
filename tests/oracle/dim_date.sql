-- gold.dim_date (scripts/catalog/dim_date.md): every date of a sale
-- (silver.retail_sales.transaction_date) or a spend row
-- (silver.retail_spend.date), once, by date.
SELECT mx_key([key_s(strftime(d, '%Y-%m-%d'))]) AS date_key,
	strftime(d, '%Y-%m-%d') AS "date",
	year(d) AS "year",
	mx_month(d) AS "month",
	mx_week(d) AS week,
	isodow(d) AS dow,
	isodow(d) IN (6, 7) AS is_weekend
FROM (SELECT transaction_date AS d FROM silver_retail_sales
	UNION
	SELECT "date" FROM silver_retail_spend)
ORDER BY d;
