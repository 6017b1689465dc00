/* The strict scanner, field selection, and the span helpers, with
 * properties: a minified valid text is still valid; quoting valid UTF-8
 * gives a JSON string that unescapes to the same bytes; each line of the
 * input, scanned after the lines before it (the scanner keeps the shape of
 * the last object), gives what a new scanner gives it; a partial scanner
 * (--trusted) accepts every line a full one does, with the same fields. */
#include "fuzz.h"

static const char *const paths[] = { "a", "a.b", "0", "a.0", "items.1.sku",
    "x\\.y", "_rid", "payload.tracking.utm_source" };

static int
same_span(const struct mx_span *a, const struct mx_span *b)
{
	return a->p == b->p && a->n == b->n && a->kind == b->kind &&
	    a->esc == b->esc;
}

/* The fields of two scans of one line are the same. */
static int
same_fields(const struct mx_sel *sel, const struct mx_span *a,
    const struct mx_span *b)
{
	int i;

	for (i = 0; i < mx_sel_count(sel); i++)
		if (a[i].kind != b[i].kind || (a[i].kind != MX_JNONE &&
		    !same_span(&a[i], &b[i])))
			return 0;
	return 1;
}

/* One scan's result, which a scanner's history must not change. */
static void
same_scan(struct mx_json *old, const struct mx_sel *sel, const char *p,
    size_t n, int objonly, int fields)
{
	struct mx_json *fresh = mx_json_new(sel);
	struct mx_span a[8], b[8];
	const char *ea, *eb;
	size_t ca = 0, cb = 0;
	int ra, rb;

	mx_json_maxdepth(fresh, 64);
	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	ra = mx_json_scan(old, p, n, fields ? a : NULL, objonly);
	rb = mx_json_scan(fresh, p, n, fields ? b : NULL, objonly);
	if (ra != rb)
		abort();	/* the shape changed the verdict */
	if (ra < 0) {
		ea = mx_json_error(old, &ca);
		eb = mx_json_error(fresh, &cb);
		if (ca != cb || strcmp(ea, eb) != 0)
			abort();	/* or the message */
		mx_json_free(fresh);
		return;
	}
	if (!same_fields(sel, a, b))
		abort();	/* or a field */
	mx_json_free(fresh);
	/* the members kept are those a walk finds */
	if (objonly && fields) {
		static struct mx_member *w;
		static size_t cap;
		const struct mx_member *k;
		size_t nw, nk, x;

		nw = mx_json_members(p, n, &w, &cap);
		k = mx_json_last_members(old, &nk);
		if (nk != nw)
			abort();
		for (x = 0; x < nw; x++)
			if (!same_span(&k[x].key, &w[x].key) ||
			    !same_span(&k[x].val, &w[x].val))
				abort();
	}
}

/* A partial scan against a full one by a new scanner: a line refused
 * only by the partial scan, or a field that differs, is a bug (a line
 * refused only by the full scan is damaged past the fields). */
static void
same_partial(struct mx_json *part, const struct mx_sel *sel, const char *p,
    size_t n)
{
	struct mx_json *full = mx_json_new(sel);
	struct mx_span a[8], b[8];
	int ra, rb;

	mx_json_maxdepth(full, 64);
	ra = mx_json_scan(full, p, n, a, 1);
	rb = mx_json_scan(part, p, n, b, 1);
	mx_json_free(full);
	if (ra < 0)
		return;
	if (rb < 0)
		abort();	/* refused a valid line */
	if (!same_fields(sel, a, b))
		abort();	/* or read a field otherwise */
}

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

	static struct mx_sel *few;
	struct mx_json *lines, *bare, *part, *part2;
	const char *p, *e, *nl;

	if (sel == NULL) {
		sel = mx_sel_new();
		for (i = 0; i < 8; i++)
			mx_sel_add(sel, paths[i]);
		j = mx_json_new(sel);
		mx_json_maxdepth(j, 64);
		/* (two fields, one nested: partial scans that stop) */
		few = mx_sel_new();
		mx_sel_add(few, "c");
		mx_sel_add(few, "d.e");
	}
	/* Scanners that know only this input's lines (an input's crash
	 * must not need the inputs before it): one with fields, and one
	 * without (out NULL), as most tools' second scanners are.  Each line
	 * twice: the second time, it is its own shape; between, a scan
	 * without fields, whose keys are under no node. */
	lines = mx_json_new(sel);
	mx_json_maxdepth(lines, 64);
	mx_json_keep_members(lines);
	bare = mx_json_new(sel);
	mx_json_maxdepth(bare, 64);
	part = mx_json_new(sel);
	mx_json_maxdepth(part, 64);
	mx_json_partial(part, 1);
	part2 = mx_json_new(few);
	mx_json_maxdepth(part2, 64);
	mx_json_partial(part2, 1);
	for (p = (const char *)data, e = p + n; p < e; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		same_scan(lines, sel, p, (size_t)(nl - p), 1, 1);
		same_scan(lines, sel, p, (size_t)(nl - p), 1, 1);
		(void)mx_json_scan(lines, p, (size_t)(nl - p), NULL, 0);
		same_scan(lines, sel, p, (size_t)(nl - p), 0, 1);
		same_scan(bare, sel, p, (size_t)(nl - p), 1, 0);
		same_scan(bare, sel, p, (size_t)(nl - p), 0, 0);
		same_partial(part, sel, p, (size_t)(nl - p));
		same_partial(part2, few, p, (size_t)(nl - p));
		if (nl == e)
			break;
	}
	mx_json_free(lines);
	mx_json_free(bare);
	mx_json_free(part);
	mx_json_free(part2);
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
