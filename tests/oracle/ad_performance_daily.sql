-- gold.ad_performance_daily (scripts/catalog/ad_performance_daily.md): the
-- ratios of each row of gold.advertiser_daily, on net spend.
SELECT advertiser, event_date, impressions, clicks,
	net_spend AS total_spend,
	mx_ratio(net_spend, clicks, 2) AS cpc,
	mx_ratio(clicks, impressions, 4) AS ctr,
	mx_ratio(net_spend * 1000, impressions, 2) AS cpm
FROM gold_advertiser_daily
ORDER BY advertiser, event_date;
