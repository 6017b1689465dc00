-- The oracle's library: reading raw files, the contract language of
-- man/mx-validate.1, the time forms of man/mx.7, and the formatting rules of
-- scripts/catalog/README.md, in DuckDB SQL.  Written from those documents,
-- not from the lake's scripts.  The runner (tests/oracle/run.mjs) replaces
-- ${RAW} (the raw directory, RAW/<source>/<file>), ${LAKE} (the lake's
-- directory, whose kept k-means model is read as a seed), ${EPOCH} (the ingestion
-- time, SOURCE_DATE_EPOCH), ${CHANNELS} (scripts/channels.tsv), ${MONTHS}
-- (scripts/months.tsv) and ${PRODUCT_GROUPS} (scripts/product_groups.tsv).
--
-- Plain TIMESTAMP values are UTC throughout.

SET TimeZone = 'UTC';

-- The time of the run: what max=_ingested_at compares with.
CREATE MACRO ingested_at() AS make_timestamp(${EPOCH}::BIGINT * 1000000);

-- The raw lines of a source, in delivered order (file name, then line):
-- source is "<source>/<file>" as the lake's _source writes it, line_no the
-- physical line, line the text without its line ending, or NULL when it is
-- not UTF-8.  The file is read as bytes (a BLOB cast to VARCHAR escapes
-- every byte that is not printable ASCII, backslash and quote included, as
-- \xHH), split on the escaped newline, and each line decoded back, so that
-- a line of invalid UTF-8 is one bad line and not a failed read.
CREATE MACRO raw_lines(src) AS TABLE
	SELECT src || '/' || parse_filename(filename) AS source,
		n AS line_no,
		try(decode(regexp_replace(piece, '\\x0D$', '')::BLOB)) AS line
	FROM (SELECT filename, unnest(parts) AS piece,
			generate_subscripts(parts, 1) AS n
		FROM (SELECT filename, string_split(content::VARCHAR, '\x0A') AS parts
			FROM read_blob('${RAW}/' || src || '/*')))
	-- the empty piece after the last newline, and blank lines, are no record
	WHERE NOT regexp_full_match(piece, '( |\\x09|\\x0D)*');

-- A line that mx-ingest accepts as a record: strict RFC 8259 (DuckDB's
-- json_valid is lenient: it takes NaN, Infinity and trailing commas, so
-- those are looked for outside strings), a JSON object, no key twice at the
-- top level, none of the provenance fields.  (Duplicate keys in nested
-- objects are not checked: mx-gen makes none.)
CREATE MACRO mx_unstring(l) AS regexp_replace(l, '"(?:[^"\\]|\\.)*"', '""', 'g');
CREATE MACRO mx_json_ok(l) AS CASE WHEN l IS NOT NULL AND json_valid(l) THEN
	json_type(l) = 'OBJECT'
	AND NOT regexp_matches(
		regexp_replace(regexp_replace(mx_unstring(l), 'true|false|null', '', 'g'),
			'[0-9][eE][+-]?[0-9]', '00', 'g'),
		'[A-Za-z]')
	AND NOT regexp_matches(mx_unstring(l), ',\s*[}\]]')
	AND len(json_keys(l)) = len(list_distinct(json_keys(l)))
	AND NOT list_has_any(json_keys(l), ['_source', '_line', '_ingested_at', '_rid'])
	ELSE false END;

-- The records of a JSON source: its lines that mx_json_ok accepts (j is
-- NULL for the others, so that no JSON function ever sees a bad line,
-- whatever order the optimizer evaluates things in).
CREATE MACRO raw_json(src) AS TABLE
	SELECT source, line_no, j
	FROM (SELECT source, line_no, CASE WHEN mx_json_ok(line) THEN line END AS j
		FROM raw_lines(src))
	WHERE j IS NOT NULL;

-- A CSV field (RFC 4180: quoted with "" inside, or without quotes at all),
-- and its value.
CREATE MACRO csv_f() AS '("(?:[^"]|"")*"|[^",]*)';
CREATE MACRO csv_unquote(f) AS
	CASE WHEN f LIKE '"%' THEN replace(f[2:-2], '""', '"') ELSE f END;
-- A cell as the growth sources are read (mx-ingest --infer): an empty
-- unquoted cell is null (no value, also for a string field); a quoted
-- one ("") is the empty string.
CREATE MACRO csv_cell(f) AS CASE WHEN f = '' THEN NULL ELSE csv_unquote(f) END;

-- A value of the input: v is what json_extract gives for its path (NULL
-- when the path is missing, JSON null when null); its kind is s (string),
-- n (number), b (bool), o (object), a (array), or NULL for no value; its
-- text is a string's value, a number's literal, true or false.  A record
-- is parsed once: json_extract(j, [path, ...]) takes every field at once.
CREATE MACRO jk(v) AS CASE
	WHEN v IS NULL THEN NULL
	WHEN json_type(v) = 'VARCHAR' THEN 's'
	WHEN json_type(v) = 'BOOLEAN' THEN 'b'
	WHEN json_type(v) = 'OBJECT' THEN 'o'
	WHEN json_type(v) = 'ARRAY' THEN 'a'
	WHEN json_type(v) = 'NULL' THEN NULL
	ELSE 'n' END;
-- A number keeps its literal text: DuckDB's JSON turns numbers into
-- doubles (12.50 into 12.5), so the literal of a top-level key is taken
-- from the line j (key '' for a nested path: the double's text).
CREATE MACRO jt(v, j, key) AS CASE jk(v)
	WHEN 's' THEN json_extract_string(v, '$')
	WHEN 'b' THEN v::VARCHAR
	WHEN 'n' THEN CASE WHEN key = '' THEN v::VARCHAR ELSE coalesce(
		nullif(regexp_extract(j, '"' || key || '"\s*:\s*(-?[0-9][0-9.eE+-]*)', 1), ''),
		v::VARCHAR) END
	END;

-- The types (man mx-validate, "Types").  has_v: the value is there (for
-- every type but string and json, "" is no value); as_*: the value cast,
-- NULL when it does not cast.
CREATE MACRO has_s(k) AS k IS NOT NULL;
CREATE MACRO has_v(k, t) AS k IS NOT NULL AND NOT (k = 's' AND t = '');
CREATE MACRO as_str(k, t) AS CASE WHEN k IN ('s', 'n', 'b') THEN t END;
CREATE MACRO num_re() AS '-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?';
CREATE MACRO as_dec(k, t) AS CASE
	WHEN k IN ('s', 'n') AND regexp_full_match(t, num_re())
	THEN try_cast(t AS DECIMAL(38, 18)) END;
-- digits after the point, as written (for scale=)
CREATE MACRO dec_scale(t) AS length(regexp_extract(t, '\.([0-9]+)', 1));
CREATE MACRO as_int(k, t) AS CASE
	WHEN as_dec(k, t) = floor(as_dec(k, t)) THEN try_cast(as_dec(k, t) AS BIGINT) END;
CREATE MACRO as_bool(k, t) AS CASE
	WHEN k = 'b' THEN t = 'true'
	WHEN k IN ('s', 'n') AND lower(t) IN ('true', 'yes', '1') THEN true
	WHEN k IN ('s', 'n') AND lower(t) IN ('false', 'no', '0') THEN false END;

-- Timestamps (man mx.7): RFC 3339 / ISO 8601 with 'T' or a space,
-- fractions of up to nine digits (DuckDB keeps six), an offset (Z, +HH:MM,
-- +HHMM, +HH) or " UTC", no offset meaning UTC; a date alone is midnight
-- UTC; digits are epoch seconds, milliseconds when they are 12 to 14,
-- microseconds (GA4's event_timestamp) when more.  The seconds may be left
-- out (HubSpot's exports write YYYY-MM-DD HH:MM: ISO 8601's reduced
-- precision, which the tools read as HH:MM:00).
CREATE MACRO ts_re() AS
	'^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?| UTC)?)?$';
CREATE MACRO ts_parts(p) AS CASE
	WHEN coalesce(nullif(p.h, ''), '0')::INT > 23
		OR coalesce(nullif(p.mi, ''), '0')::INT > 59
		OR coalesce(nullif(p.se, ''), '0')::INT > 59 THEN NULL
	ELSE try(make_timestamp(p.y::BIGINT, p.mo::BIGINT, p.d::BIGINT,
			coalesce(nullif(p.h, ''), '0')::BIGINT,
			coalesce(nullif(p.mi, ''), '0')::BIGINT,
			coalesce(nullif(p.se, ''), '0')::BIGINT)
		+ to_microseconds(rpad(left(p.fr, 6), 6, '0')::BIGINT)
		- to_minutes(CASE WHEN p.z IN ('', 'Z', ' UTC') THEN 0
			ELSE (CASE WHEN p.z[1] = '-' THEN -1 ELSE 1 END)
				* (p.z[2:3]::BIGINT * 60
				   + coalesce(nullif(replace(p.z[4:], ':', ''), ''), '0')::BIGINT)
			END))
	END;
CREATE MACRO mx_ts(s) AS CASE
	WHEN s IS NULL THEN NULL
	WHEN regexp_full_match(s, '[0-9]{1,11}') THEN try(make_timestamp(s::BIGINT * 1000000))
	WHEN regexp_full_match(s, '[0-9]{12,14}') THEN try(make_timestamp(s::BIGINT * 1000))
	WHEN regexp_full_match(s, '[0-9]{15,18}') THEN try(make_timestamp(s::BIGINT))
	WHEN regexp_full_match(s, ts_re()) THEN ts_parts(regexp_extract(s, ts_re(),
		['y', 'mo', 'd', 'h', 'mi', 'se', 'fr', 'z']))
	END;
CREATE MACRO as_ts(k, t) AS CASE
	WHEN k = 's' OR (k = 'n' AND regexp_full_match(t, '[0-9]+')) THEN mx_ts(t) END;
-- a date: from a date or any timestamp, its UTC date
CREATE MACRO as_date(k, t) AS as_ts(k, t)::DATE;

-- How the lake writes a timestamp (man mx.7): UTC,
-- YYYY-MM-DDTHH:MM:SS[.fff|.ffffff]Z, a fraction only when it is not zero.
CREATE MACRO mx_fmt_ts(ts) AS CASE WHEN ts IS NOT NULL THEN
	strftime(ts, '%Y-%m-%dT%H:%M:%S')
	|| CASE WHEN epoch_us(ts) % 1000000 = 0 THEN ''
		WHEN epoch_us(ts) % 1000 = 0
		THEN '.' || lpad(((epoch_us(ts) % 1000000) // 1000)::VARCHAR, 3, '0')
		ELSE '.' || lpad((epoch_us(ts) % 1000000)::VARCHAR, 6, '0') END
	|| 'Z' END;
CREATE MACRO mx_date(ts) AS strftime(ts, '%Y-%m-%d');
CREATE MACRO mx_week(ts) AS strftime(ts, '%G-W%V');
CREATE MACRO mx_month(ts) AS strftime(ts, '%Y-%m');

-- A ratio (scripts/catalog/README.md): the exact quotient a / b rounded
-- once, half away from zero, to n places, written with exactly n; NULL
-- when b is 0 or NULL or a is NULL.  Exact: both are scaled to integers of
-- 18 decimals (HUGEINT) and divided as integers.
CREATE MACRO dec_units(x) AS replace(x::DECIMAL(38, 18)::VARCHAR, '.', '')::HUGEINT;
CREATE MACRO ratio_units(a, b, n) AS
	(CASE WHEN (dec_units(a) < 0) <> (dec_units(b) < 0) THEN -1 ELSE 1 END)
	* ((2 * abs(dec_units(a)) * (10::HUGEINT ** n)::HUGEINT + abs(dec_units(b)))
		// (2 * abs(dec_units(b))));
CREATE MACRO fmt_units(u, n) AS
	(CASE WHEN u < 0 THEN '-' ELSE '' END)
	|| (abs(u) // (10::HUGEINT ** n)::HUGEINT)::VARCHAR
	|| '.' || lpad((abs(u) % (10::HUGEINT ** n)::HUGEINT)::VARCHAR, n, '0');
CREATE MACRO mx_ratio(a, b, n) AS CASE
	WHEN a IS NULL OR b IS NULL OR b = 0 THEN NULL
	ELSE fmt_units(ratio_units(a, b, n), n) END;

-- Money: exact sums, DECIMAL(38,18)
CREATE MACRO money(x) AS x::DECIMAL(38, 18);

-- The channel map (scripts/channels.tsv, the format of map=): one
-- mapping a line, value TAB canonical; '#' lines and empty lines skipped.
CREATE TABLE channel_map AS
	SELECT split_part(l, chr(9), 1) AS v, split_part(l, chr(9), 2) AS c
	FROM (SELECT unnest(string_split(content, chr(10))) AS l
		FROM read_text('${CHANNELS}'))
	WHERE l <> '' AND NOT starts_with(l, '#');
-- A value goes through the map by a LEFT JOIN channel_map ON v = value:
-- coalesce(c, value), a value the map does not know kept as it is.

-- The other maps of the contracts (map=, the same format): the month
-- names of retail_coupons (scripts/months.tsv) and the product groups of
-- retail_sales (scripts/product_groups.tsv).  Used as channel_map is.
CREATE TABLE month_map AS
	SELECT split_part(l, chr(9), 1) AS v, split_part(l, chr(9), 2) AS c
	FROM (SELECT unnest(string_split(content, chr(10))) AS l
		FROM read_text('${MONTHS}'))
	WHERE l <> '' AND NOT starts_with(l, '#');
CREATE TABLE product_group_map AS
	SELECT split_part(l, chr(9), 1) AS v, split_part(l, chr(9), 2) AS c
	FROM (SELECT unnest(string_split(content, chr(10))) AS l
		FROM read_text('${PRODUCT_GROUPS}'))
	WHERE l <> '' AND NOT starts_with(l, '#');

-- 10^k as an exact HUGEINT (0 <= k <= 38; DuckDB's ** goes through doubles)
CREATE MACRO pow10(k) AS ('1' || repeat('0', k::INT))::HUGEINT;
-- A decimal as an integer mantissa and the number of its significant
-- places: 12.50 is 125 and 1.
CREATE MACRO dec_places(x) AS
	length(rtrim(split_part(x::DECIMAL(38, 18)::VARCHAR, '.', 2), '0'));
CREATE MACRO dec_mant(x) AS dec_units(x) // pow10(18 - dec_places(x));
-- Money rounded (scripts/catalog/fct_sales.md): the exact a × b / d
-- (d a positive integer) rounded once, half away from zero, to n places,
-- as a DECIMAL(38,18); NULL when a or b is.  Exact: the mantissas are
-- multiplied as HUGEINTs (DuckDB's DECIMAL(38,18) × DECIMAL(38,18)
-- overflows, and its doubles are not exact).
CREATE MACRO mul_round_units(a, b, d, n) AS
	(CASE WHEN (dec_mant(a) < 0) <> (dec_mant(b) < 0) THEN -1 ELSE 1 END)
	* ((2 * abs(dec_mant(a) * dec_mant(b)) * pow10(n)
		+ d * pow10(dec_places(a) + dec_places(b)))
	   // (2 * d * pow10(dec_places(a) + dec_places(b))));
CREATE MACRO mul_round(a, b, d, n) AS CASE
	WHEN a IS NULL OR b IS NULL THEN NULL
	ELSE fmt_units(mul_round_units(a, b, d, n), n)::DECIMAL(38, 18) END;

-- Surrogate keys (scripts/catalog/README.md, "Surrogate keys"): hash() of
-- mx-calc(1), whose CAVEATS define it: XXH3-64 of each part's tag byte,
-- length (4 bytes, big-endian) and content.  DuckDB has no XXH3, so a key
-- is written as its parts, each its tag and content (key_d of an integer,
-- key_s of a string), which run.mjs hashes with xxhsum; the unknown
-- member's key is the text 0000000000000000, compared as it is.  One
-- column holds both: a UNION, which run.mjs unwraps into the list or the
-- string.
-- A number's content: its sign, its significant digits, 'e' and the
-- exponent of the last one (300 is 3e2, 16679 is 16679e0); zero is 0.
CREATE MACRO key_d(x) AS 'd' || CASE WHEN x = 0 THEN '0' ELSE
	CASE WHEN x < 0 THEN '-' ELSE '' END
	|| rtrim(abs(x)::VARCHAR, '0') || 'e'
	|| (length(abs(x)::VARCHAR) - length(rtrim(abs(x)::VARCHAR, '0')))::VARCHAR END;
CREATE MACRO key_s(s) AS 's' || s;
CREATE TYPE mx_key AS UNION(parts VARCHAR[], lit VARCHAR);
CREATE MACRO mx_key(parts) AS union_value(parts := parts)::mx_key;
CREATE MACRO mx_key_unknown() AS union_value(lit := '0000000000000000')::mx_key;

-- The selector of from= (man mx-validate): from=array[key=value].rest picks,
-- from the array at the JSON path apath of j, the one element that is an
-- object whose member mkey is the string mval, or a number written as
-- mval.  sel_elems gives the matching elements (NULL when there is no
-- array there); sel_value the rest path ('$.value.int_value') of the one
-- element, NULL (no value) when none matches; sel_twice is true when two
-- or more do, which fails the rule type.
CREATE MACRO sel_elems(j, apath, mkey, mval) AS CASE
	WHEN json_type(j, apath) = 'ARRAY' THEN
		list_filter(json_extract(j, apath)::JSON[], e ->
			json_type(e) = 'OBJECT' AND (
				(json_type(e, '$."' || mkey || '"') = 'VARCHAR'
					AND json_extract_string(e, '$."' || mkey || '"') = mval)
				OR (json_type(e, '$."' || mkey || '"') IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT')
					AND json_extract(e, '$."' || mkey || '"')::VARCHAR = mval)))
	END;
CREATE MACRO sel_value(elems, rest) AS CASE
	WHEN len(elems) = 1 THEN json_extract(elems[1], rest) END;
CREATE MACRO sel_twice(elems) AS coalesce(len(elems) >= 2, false);
-- A model of mx-kmeans (man mx-kmeans, "Models"), the file f: its first
-- line (the parameters), its features and its clusters.  Numbers are
-- DuckDB's doubles, read as written (the model writes each so that it reads
-- back as the same double).
CREATE MACRO kmeans_lines(f) AS TABLE
	SELECT n, piece::JSON AS j
	FROM (SELECT unnest(parts) AS piece, generate_subscripts(parts, 1) AS n
		FROM (SELECT string_split(content, chr(10)) AS parts FROM read_text(f)))
	WHERE piece <> '';
CREATE MACRO kmeans_params(f) AS TABLE
	SELECT j->>'model' AS model, (j->>'version')::BIGINT AS version,
		(j->>'k')::BIGINT AS k, j->>'features' AS features, j->>'scale' AS scale,
		(j->>'seed')::BIGINT AS seed, (j->>'restarts')::BIGINT AS restarts,
		(j->>'records')::BIGINT AS records
	FROM kmeans_lines(f) WHERE n = 1;
-- The features in their order (i from 1): the -f argument split at its
-- commas, each "name=expression" or an expression that is its own name,
-- with the center and scale of its line (a scaled value is
-- (x - center) / scale).
CREATE MACRO kmeans_features(f) AS TABLE
	WITH p AS (
		SELECT unnest(string_split(features, ',')) AS fe,
			generate_subscripts(string_split(features, ','), 1) AS i
		FROM kmeans_params(f)
	), l AS (
		SELECT j->>'feature' AS name, (j->'center')::DOUBLE AS center,
			(j->'scale')::DOUBLE AS scale
		FROM kmeans_lines(f) WHERE j->>'feature' IS NOT NULL
	)
	SELECT p.i, CASE WHEN contains(p.fe, '=') THEN split_part(p.fe, '=', 1) ELSE p.fe END AS name,
		CASE WHEN contains(p.fe, '=') THEN p.fe[strpos(p.fe, '=') + 1:] ELSE p.fe END AS expr,
		l.center, l.scale
	FROM p LEFT JOIN l ON l.name = CASE WHEN contains(p.fe, '=') THEN split_part(p.fe, '=', 1) ELSE p.fe END;
-- Each cluster's centroid, a row per feature: the cluster's number and
-- size, the feature's position, name and expression, the centroid's value
-- in the feature's own units (centroid.<name>) and scaled (scaled[i]).
CREATE MACRO kmeans_centroids(f) AS TABLE
	SELECT (c.j->>'cluster')::BIGINT AS cluster, (c.j->>'size')::BIGINT AS size,
		fe.i, fe.name, fe.expr,
		json_extract(c.j, '$.centroid."' || fe.name || '"')::DOUBLE AS value,
		json_extract(c.j, '$.scaled[' || (fe.i - 1)::VARCHAR || ']')::DOUBLE AS scaled
	FROM kmeans_lines(f) c, kmeans_features(f) fe
	WHERE c.j->>'cluster' IS NOT NULL;
