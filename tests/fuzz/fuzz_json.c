/* The strict scanner, field selection, and the span helpers, with
 * properties: a minified valid text is still valid; quoting valid UTF-8
 * gives a JSON string that unescapes to the same bytes. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static struct mx_sel *sel;
	static struct mx_json *j;
	static struct mx_buf b, m;
	struct mx_span sp[8], q;
	struct mx_time t;
	struct mx_dec d;
	int i, k;

	if (sel == NULL) {
		static const char *const paths[] = { "a", "a.b", "0", "a.0",
		    "items.1.sku", "x\\.y", "_rid", "payload.tracking.utm_source" };

		sel = mx_sel_new();
		for (i = 0; i < 8; i++)
			mx_sel_add(sel, paths[i]);
		j = mx_json_new(sel);
		mx_json_maxdepth(j, 64);
	}
	for (k = 0; k < 2; k++) {
		if (mx_json_scan(j, (const char *)data, n, sp, k) < 0) {
			(void)mx_json_errstr(j);
			continue;
		}
		for (i = 0; i < mx_sel_count(sel); i++) {
			if (sp[i].kind == MX_JNONE)
				continue;
			b.len = 0;
			mx_json_canon(&sp[i], &b);
			mx_span_cstr(&sp[i], &b);
			(void)mx_time_span(&sp[i], &t);
			(void)mx_dec_parse(sp[i].p, sp[i].n, &d);
		}
		m.len = 0;
		mx_json_minify((const char *)data, n, &m);
		if (mx_json_scan(j, m.p, m.len, sp, k) < 0)
			abort();	/* minifying broke a valid text */
	}
	if (mx_utf8_valid((const char *)data, n)) {
		m.len = 0;
		mx_json_quote(&m, (const char *)data, n);
		if (mx_json_scan(j, m.p, m.len, NULL, 0) < 0)
			abort();	/* quoting made invalid JSON */
		q.p = m.p;
		q.n = (uint32_t)m.len;
		q.kind = MX_JSTR;
		q.esc = memchr(m.p, '\\', m.len) != NULL;
		b.len = 0;
		mx_json_unescape(&q, &b);
		if (b.len != n || (n > 0 && memcmp(b.p, data, n) != 0))
			abort();	/* quote/unescape not inverse */
	}
	return 0;
}
