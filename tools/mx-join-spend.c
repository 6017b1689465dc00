/*
 * mx-join-spend: what each channel cost per result.
 *
 * Join mode: a metrics stream (bookings, clicks, revenue, ... per date and
 * channel, usually from mx-agg) is joined with spend rows on keys whose
 * names may differ on the two sides, and the spend and the ratios (cost
 * per booking, CPC, CTR, CPM, ROAS, CAC, conversion rate) are appended.
 * The spend side is held in memory, as days x channels is small; the
 * metrics side streams, and the spend rows no metrics row matched come
 * out at the end, sorted by key.  With --sum the metrics rows are summed
 * per key first (in memory), which a many-to-one --map needs.
 *
 * Budget tracking was a mode of this program: it is mx-budget now, and
 * --budget hands the command line to it.
 *
 * Money is exact (lib/dec.c) and so are the ratios (lib/ratio.c): a figure
 * here is the one a person gets by hand.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mx.h"

enum { M_BOOKINGS, M_CLICKS, M_IMPRESSIONS, M_REVENUE, M_CUSTOMERS,
    M_CONVERSIONS, NMETRIC };
#define SPEND	(-1)

/* The ratios: numerator and denominator (a metric, or SPEND), per
 * thousand (CPM), and whether it is a rate (--rate-scale) rather than
 * money (--scale).  Each appears when its metrics are in the record. */
static const struct {
	const char	*name;
	int		 num, den, k1000, rate;
} ratios[] = {
	{ "cost_per_booking", SPEND, M_BOOKINGS, 0, 0 },
	{ "cpc", SPEND, M_CLICKS, 0, 0 },
	{ "ctr", M_CLICKS, M_IMPRESSIONS, 0, 1 },
	{ "cpm", SPEND, M_IMPRESSIONS, 1, 0 },
	{ "roas", M_REVENUE, SPEND, 0, 1 },
	{ "cac", SPEND, M_CUSTOMERS, 0, 0 },
	{ "conversion_rate", M_CONVERSIONS, M_CLICKS, 0, 1 },
};
#define NRATIO	(sizeof ratios / sizeof ratios[0])
#define O_SPEND	"total_spend"

enum { J_FULL, J_LEFT, J_RIGHT, J_INNER };
static struct {
	const char	**spend;
	size_t		 nspend;
	const char	*keys;
	const char	*spendf;
	const char	*metric[NMETRIC];
	const char	*map, *mapkey;
	int		 join, sum, zerofill;
	int		 scale, rscale, verbose;
	long long	 maxmem;
	const char	*maxmemarg;
} opt = {
	.metric = { "total_bookings", "clicks", "impressions", "revenue",
	    "new_customers", "conversions" },
	.spendf = "spend", .join = J_FULL, .scale = 2, .rscale = 4,
};

static const char *const metric_opt[NMETRIC] = { "bookings", "clicks",
    "impressions", "revenue", "customers", "conversions" };

/* A metric in one record: absent, null, or a value. */
enum { V_ABSENT, V_NULL, V_VALUE };
struct mval {
	int		st;
	struct mx_dec	d;
};

static struct {
	uintmax_t	metrics, spend, blank, rejected, matched, monly, sonly,
			dropped, nullkey, mapped, unmapped, out;
} st;

/* The fields the options name, of each side: the defaults are not
 * checked, as a table without impressions is no mistake. */
static struct mx_seen	 sseen, mseen;

/* The keys: on the metrics side (a field, named as the spend side's
 * expression is) and on the spend side. */
static struct mx_exprs	 lx, kx;
static size_t		 nk;
static struct mx_out	*out, *rej;
static struct mx_buf	 kc, kt;	/* a row's key: canonical, texts */
static struct mx_buf	 tmp, tmp2;
static int		 mapk = -1;	/* the key --map applies to */
static unsigned		 seen;		/* metrics in any metrics row */

static const char synopsis[] =
	    "usage: mx-join-spend -s spend [-s spend ...] [-v] [-k keys]\n"
	    "                     [--join full|left|right|inner] [--sum] [--map file]\n"
	    "                     [--missing-spend null|zero]\n"
	    "                     [--map-key name] [--spend-field field] [--bookings field]\n"
	    "                     [--clicks field] [--impressions field] [--revenue field]\n"
	    "                     [--customers field] [--conversions field] [--scale n]\n"
	    "                     [--rate-scale n] [--max-memory size] [--rejects file]\n"
	    "                     [--stats file] [--strict] [--max-record size]\n"
	    "                     [--max-depth n] [file ...]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

/* ---- the table of keys: spend rows, summed metrics ---- */

struct ent {
	size_t		 text;		/* the key's texts, in arena */
	/* spend */
	int		 hasspend;
	struct mx_dec	 spend;
	const char	*sfile;
	uintmax_t	 sline;
	/* metrics */
	const char	*mfile;
	uintmax_t	 mline;		/* the first metrics row; 0: none */
	struct mx_dec	 m[NMETRIC];	/* --sum: the metrics summed */
};

static struct mx_hmap	*tab;		/* canonical key: struct ent */
static struct mx_buf	 arena;

static MX_NORETURN void over_limit(const struct mx_rec *in);

/* The entry for the key in kc (texts in kt), or NULL; added when absent
 * if in (the row, for messages) is not NULL.  Valid until the next
 * entry is added. */
static struct ent *
ent_get(const struct mx_rec *in)
{
	uint64_t h = mx_hash64(kc.p, kc.len);
	struct ent *e;
	size_t id;
	int isnew;

	if (in == NULL) {
		id = mx_hmap_find(tab, kc.p, kc.len, h);
		return id == MX_HMAP_NONE ? NULL : mx_hmap_val(tab, id);
	}
	id = mx_hmap_add(tab, kc.p, kc.len, h, &isnew);
	e = mx_hmap_val(tab, id);
	if (isnew) {
		e->text = arena.len;
		mx_buf_add(&arena, kt.p, kt.len);
		if (opt.maxmem > 0 && mx_hmap_bytes(tab) + arena.cap >
		    (size_t)opt.maxmem)
			over_limit(in);
	}
	return e;
}

/* Append one key value: canonical form to kc, JSON text (length first)
 * to kt, as mx_jkey does. */
static void
key_add(const struct mx_span *v)
{
	uint32_t n = v->n;

	mx_json_canon(v, &kc);
	mx_buf_add(&kt, &n, sizeof n);
	mx_buf_add(&kt, v->p, v->n);
}

static int
ent_qcmp(const void *x, const void *y)
{
	size_t a = *(const uint32_t *)x, b = *(const uint32_t *)y, n;
	const struct ent *ea = mx_hmap_val(tab, a), *eb = mx_hmap_val(tab, b);

	return mx_jkey_cmp(mx_hmap_key(tab, a, &n), arena.p + ea->text,
	    mx_hmap_key(tab, b, &n), arena.p + eb->text, kx.n);
}

/* The ids of the entries, sorted by key. */
static uint32_t *
ent_sorted(void)
{
	size_t n = mx_hmap_count(tab), i;
	uint32_t *o = mx_reallocarray(NULL, n ? n : 1, sizeof *o);

	for (i = 0; i < n; i++)
		o[i] = (uint32_t)i;
	qsort(o, n, sizeof *o, ent_qcmp);
	return o;
}

/* ---- the channel map ---- */

struct mapent {
	struct mx_buf	 text, canon;	/* the channel as JSON, canonical */
	uintmax_t	 line;
};

/* The source values, each with its entry in v (by id). */
static struct {
	struct mapent	*v;
	struct mx_hmap	*idx;
} map;

static const struct mapent *
map_find(const char *p, size_t n)
{
	size_t id;

	if (map.idx == NULL || (id = mx_hmap_find(map.idx, p, n,
	    mx_hash64(p, n))) == MX_HMAP_NONE)
		return NULL;
	return &map.v[id];
}

static void
map_load(const char *path)
{
	struct mx_reader r;
	const char *line, *tab1;
	struct mx_span sp;
	struct mapent *m;
	ssize_t n;
	size_t id, len;
	int isnew;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_FAIL, "--map %s", path);
	map.idx = mx_hmap_new(0);
	while ((n = mx_reader_line(&r, &line)) >= 0) {
		if (n == 0 || line[0] == '#')
			continue;
		if (!mx_utf8_valid(line, (size_t)n))
			mx_errx(MX_EXIT_FAIL, "%s:%ju: invalid UTF-8",
			    mx_name(path), r.lineno);
		if ((tab1 = memchr(line, '\t', (size_t)n)) == NULL ||
		    memchr(tab1 + 1, '\t', (size_t)n - (tab1 + 1 - line)) !=
		    NULL)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: expected two fields "
			    "separated by one tab: source value, channel",
			    mx_name(path), r.lineno);
		if (tab1 == line || tab1 + 1 == line + n)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: empty %s",
			    mx_name(path), r.lineno, tab1 == line ?
			    "source value" : "channel");
		len = (size_t)(tab1 - line);
		id = mx_hmap_add(map.idx, line, len, mx_hash64(line, len),
		    &isnew);
		if (!isnew)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: source value '%.*s' is "
			    "mapped already at line %ju", mx_name(path),
			    r.lineno, (int)len, line, map.v[id].line);
		map.v = mx_reallocarray(map.v, id + 1, sizeof *map.v);
		m = &map.v[id];
		memset(m, 0, sizeof *m);
		m->line = r.lineno;
		mx_json_quote(&m->text, tab1 + 1, (size_t)(line + n - tab1 - 1));
		sp.p = m->text.p;
		sp.n = (uint32_t)m->text.len;
		sp.kind = MX_JSTR;
		sp.esc = memchr(sp.p, '\\', sp.n) != NULL;
		mx_json_canon(&sp, &m->canon);
	}
	mx_reader_close(&r);
}

/* Values --map did not know: the first UNMAPPED_MAX of them by name, in
 * the order first seen (their ids in idx); the rest only counted. */
#define UNMAPPED_MAX	100
static struct {
	struct mx_buf	 text[UNMAPPED_MAX];
	uintmax_t	 rows[UNMAPPED_MAX];
	size_t		 n;
	uintmax_t	 other;		/* rows with values past the first 100 */
	struct mx_hmap	*idx;
} um;

static void
unmapped(const struct mx_span *v)
{
	uint64_t h;
	size_t id;

	st.unmapped++;
	tmp2.len = 0;
	mx_json_canon(v, &tmp2);
	h = mx_hash64(tmp2.p, tmp2.len);
	if (um.idx == NULL)
		um.idx = mx_hmap_new(0);
	if ((id = mx_hmap_find(um.idx, tmp2.p, tmp2.len, h)) !=
	    MX_HMAP_NONE) {
		um.rows[id]++;
		return;
	}
	if (um.n == UNMAPPED_MAX) {
		um.other++;
		return;
	}
	mx_hmap_add(um.idx, tmp2.p, tmp2.len, h, NULL);
	mx_buf_add(&um.text[um.n], v->p, v->n);
	um.rows[um.n] = 1;
	um.n++;
}

/* ---- values ---- */

/* A value's JSON text, cut short, for messages. */
static const char *
show(const struct mx_span *v)
{
	static char b[64];

	if (v->n > 40)
		snprintf(b, sizeof b, "%.37s...", v->p);
	else
		snprintf(b, sizeof b, "%.*s", (int)v->n, v->p);
	return b;
}

/*
 * A number, or a string holding a JSON number ("12.50"), as an exact
 * decimal.  Returns NULL, or why not (with the field's name).
 */
static const char *
getdec(const struct mx_span *v, const char *field, struct mx_dec *d)
{
	static char why[256];
	const char *p = v->p;
	size_t n = v->n;

	if (v->kind == MX_JSTR) {
		mx_span_cstr(v, &tmp2);
		p = tmp2.p;
		n = tmp2.len;
	}
	/* the scanner has checked the grammar of a number already */
	if ((v->kind != MX_JNUM && v->kind != MX_JSTR) ||
	    (v->kind == MX_JSTR && !mx_json_isnum(p, n))) {
		snprintf(why, sizeof why, "%s is not a number: %s", field,
		    show(v));
		return why;
	}
	if (mx_dec_parse(p, n, d) < 0) {
		snprintf(why, sizeof why, "%s %s is out of range (38 digits, "
		    "18 decimal places)", field, show(v));
		return why;
	}
	return NULL;
}

/* A sum of money: present, a number, not negative; NULL or why not. */
static const char *
getmoney(const struct mx_span *v, const char *field, struct mx_dec *d)
{
	static char why[256];
	const char *w;

	if (v->kind == MX_JNONE) {
		snprintf(why, sizeof why, "%s is missing", field);
		return why;
	}
	if ((w = getdec(v, field, d)) != NULL)
		return w;
	if (d->v < 0) {
		snprintf(why, sizeof why, "%s is negative: %s", field, show(v));
		return why;
	}
	return NULL;
}

/* Money: exact, with at least --scale places (12.5 is 12.50). */
static void
put_money(const struct mx_dec *d)
{
	struct mx_dec t = *d;
	char b[48];
	int places = opt.scale;

	while (t.scale > places && t.v % 10 == 0) {
		t.v /= 10;
		t.scale--;
	}
	if (t.scale > places)
		places = t.scale;
	mx_out_write(out, b, (size_t)mx_dec_fmt_scale(&t, places, b));
}

static void
put_dec(const struct mx_dec *d)
{
	char b[48];

	mx_out_write(out, b, (size_t)mx_dec_fmt(d, b));
}

/* total_spend and the ratios whose metrics are present; spend is NULL
 * when no spend row matched: unknown (null, and so is every ratio of it),
 * or 0 with --missing-spend zero. */
static void
put_derived(struct mx_objw *w, const struct mval m[NMETRIC],
    const struct mx_dec *spend)
{
	static const struct mx_dec thousand = { 1000, 0 }, zero;
	struct mval sv = { V_VALUE, zero };
	const struct mval *a, *b;
	struct mx_dec num, r;
	char t[48];
	size_t i;
	int scale;

	if (spend == NULL && opt.zerofill)
		spend = &zero;
	mx_out_key(w, O_SPEND);
	if (spend != NULL) {
		sv.d = *spend;
		put_money(spend);
	} else {
		sv.st = V_NULL;
		mx_out_puts(out, "null");
	}
	for (i = 0; i < NRATIO; i++) {
		a = ratios[i].num == SPEND ? &sv : &m[ratios[i].num];
		b = ratios[i].den == SPEND ? &sv : &m[ratios[i].den];
		if (a->st == V_ABSENT || b->st == V_ABSENT)
			continue;
		mx_out_key(w, ratios[i].name);
		num = a->d;
		scale = ratios[i].rate ? opt.rscale : opt.scale;
		/* division by zero, a null metric, or a quotient past 38
		 * digits: null, never inf or NaN */
		if (a->st == V_NULL || b->st == V_NULL ||
		    (ratios[i].k1000 && mx_dec_mul(&a->d, &thousand, &num) < 0) ||
		    mx_dec_div(&num, &b->d, scale, &r) < 0)
			mx_out_puts(out, "null");
		else
			mx_out_write(out, t, (size_t)mx_dec_fmt_scale(&r,
			    scale, t));
	}
}

/* A row made up from the table: keys, metrics (mask; 0 unless summed),
 * spend, ratios. */
static void
emit_ent(const struct ent *e, unsigned mask)
{
	struct mval m[NMETRIC];
	struct mx_objw w;
	size_t i;

	mx_out_obj_new(&w, out);
	mx_jkey_put(&w, &kx, arena.p + e->text);
	for (i = 0; i < NMETRIC; i++) {
		m[i].st = mask & 1u << i ? V_VALUE : V_ABSENT;
		m[i].d = e->m[i];
		if (m[i].st == V_VALUE) {
			mx_out_key(&w, opt.metric[i]);
			if (i == M_REVENUE)
				put_money(&m[i].d);
			else
				put_dec(&m[i].d);
		}
	}
	put_derived(&w, m, e->hasspend ? &e->spend : NULL);
	mx_out_obj_close(&w);
	st.out++;
}

/* ---- rejects ---- */

/*
 * A record that cannot be used: an error naming file and line, or, with
 * --rejects, the record whole with _reject appended (its raw text in _raw
 * when it is not a JSON object, or has a _reject already).
 */
static void
reject(const struct mx_rec *in, const char *rule, const char *field,
    const char *why)
{
	st.rejected++;
	if (rej == NULL)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(in->file),
		    in->line, why);
	mx_reject_rec(rej, "mx-join-spend", in, rule, field, why);
}

static MX_NORETURN void
over_limit(const struct mx_rec *in)
{
	mx_errx(MX_EXIT_FAIL, "%s:%ju: the %zu keys held in memory take more "
	    "than --max-memory %s", mx_name(in->file), in->line,
	    mx_hmap_count(tab),
	    opt.maxmemarg);
}

/* Every line of path through fn; a line that is not a JSON object is
 * rejected here. */
static void
each_line(const char *path, struct mx_json *scan, struct mx_span *sp,
    int rsel, uintmax_t *count, struct mx_seen *seen,
    void (*fn)(struct mx_rec *in, const struct mx_span *sp))
{
	struct mx_reader r;
	struct mx_rec in;
	const char *line;
	ssize_t n;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_FAIL, "%s", mx_name(path));
	in.file = path;
	while ((n = mx_reader_line(&r, &line)) >= 0) {
		in.line = r.lineno;
		in.p = line;
		in.n = (size_t)n;
		if (mx_blank(line, (size_t)n)) {
			st.blank++;
			continue;
		}
		(*count)++;
		if (mx_json_scan(scan, line, (size_t)n, sp, 1) < 0) {
			in.whole = 0;
			reject(&in, "json", NULL, mx_json_errstr(scan));
			continue;
		}
		in.whole = sp[rsel].kind == MX_JNONE;
		mx_seen_spans(seen, sp);
		fn(&in, sp);
	}
	mx_reader_close(&r);
}

/* ---- the spend side ---- */

static int ssel_spend, ssel_rej;

/*
 * The key of a spend row, from the -k expressions, into kc and kt; -1
 * when it was rejected (a key missing, null, or not the timestamp a time
 * function needs).
 */
static int
expr_key(struct mx_rec *in, const struct mx_span *sp)
{
	const struct mx_expr *x;
	char msg[512];
	int i, kind, bad;

	kc.len = kt.len = 0;
	if ((i = mx_jkey(&kx, sp, &kc, &kt, &kind, &bad)) < 0)
		return 0;
	x = &kx.v[i];
	if (bad)
		snprintf(msg, sizeof msg, "key field %s is not a timestamp: "
		    "%s", x->path, show(&sp[x->sel]));
	else
		snprintf(msg, sizeof msg, "key field %s is %s", x->path,
		    kind == MX_JNONE ? "missing" : "null");
	reject(in, "key", x->path, msg);
	return -1;
}

static void
spend_row(struct mx_rec *in, const struct mx_span *sp)
{
	struct mx_dec d;
	struct ent *e;
	const char *why;
	char msg[512];

	if (expr_key(in, sp) < 0)
		return;
	if ((why = getmoney(&sp[ssel_spend], opt.spendf, &d)) != NULL) {
		reject(in, "spend", opt.spendf, why);
		return;
	}
	e = ent_get(in);
	if (e->hasspend) {
		snprintf(msg, sizeof msg, "a second spend row for one key "
		    "(the first is %s:%ju)", mx_name(e->sfile), e->sline);
		reject(in, "duplicate", NULL, msg);
		return;
	}
	e->hasspend = 1;
	e->spend = d;
	e->sfile = in->file;
	e->sline = in->line;
}

/* ---- the metrics side ---- */

static int	 msel_key[64], msel_m[NMETRIC], msel_out[NRATIO + 1], msel_rej;

/*
 * The key of a metrics row into kc and kt, --map applied.  Returns NULL
 * or why not; *isnull is set when a key is null (it matches nothing), and
 * *mapped to the map entry used, *um to the value --map did not know.
 */
static const char *
metrics_key(const struct mx_span *sp, int *isnull,
    const struct mapent **mapped, const struct mx_span **um,
    const char **field)
{
	static char why[256];
	const struct mx_span *v;
	const char *s;
	uint32_t n;
	size_t i, len;

	*isnull = 0;
	*mapped = NULL;
	*um = NULL;
	kc.len = kt.len = 0;
	for (i = 0; i < nk; i++) {
		v = &sp[msel_key[i]];
		if (v->kind == MX_JNONE) {
			snprintf(why, sizeof why, "key field %s is missing",
			    kx.v[i].name);
			*field = kx.v[i].name;
			return why;
		}
		if (v->kind == MX_JNULL)
			*isnull = 1;
		if ((int)i == mapk && v->kind != MX_JNULL) {
			if (v->kind == MX_JSTR && !v->esc) {
				s = v->p + 1;
				len = v->n - 2;
			} else {
				s = mx_span_cstr(v, &tmp2);
				len = tmp2.len;
			}
			if ((*mapped = map_find(s, len)) != NULL) {
				mx_buf_add(&kc, (*mapped)->canon.p,
				    (*mapped)->canon.len);
				n = (uint32_t)(*mapped)->text.len;
				mx_buf_add(&kt, &n, sizeof n);
				mx_buf_add(&kt, (*mapped)->text.p, n);
				continue;
			}
			*um = v;
		}
		key_add(v);
	}
	return NULL;
}

/* The metrics of a row; NULL or why not (*field names the culprit). */
static const char *
metrics_vals(const struct mx_span *sp, struct mval m[NMETRIC],
    const char **field)
{
	const struct mx_span *v;
	const char *why;
	size_t i;

	for (i = 0; i < NMETRIC; i++) {
		v = &sp[msel_m[i]];
		m[i].st = v->kind == MX_JNONE ? V_ABSENT : v->kind == MX_JNULL ?
		    V_NULL : V_VALUE;
		m[i].d.v = 0;
		m[i].d.scale = 0;
		if (m[i].st == V_VALUE &&
		    (why = getdec(v, opt.metric[i], &m[i].d)) != NULL) {
			*field = opt.metric[i];
			return why;
		}
	}
	return NULL;
}

static void
metrics_row(struct mx_rec *in, const struct mx_span *sp)
{
	const struct mapent *mp;
	const struct mx_span *uv, *kv;
	struct mval m[NMETRIC];
	struct mx_objw w;
	struct ent *e = NULL;
	const char *why, *field = NULL;
	char msg[512];
	size_t i;
	int isnull;

	for (i = 0; !opt.sum && i <= NRATIO; i++)
		if (sp[msel_out[i]].kind != MX_JNONE) {
			const char *f = i == 0 ? O_SPEND : ratios[i - 1].name;

			snprintf(msg, sizeof msg, "the record has a field %s "
			    "already (joined twice?)", f);
			reject(in, "field", f, msg);
			return;
		}
	if ((why = metrics_vals(sp, m, &field)) != NULL) {
		reject(in, "metric", field, why);
		return;
	}
	if ((why = metrics_key(sp, &isnull, &mp, &uv, &field)) != NULL) {
		reject(in, "key", field, why);
		return;
	}
	if (opt.sum) {
		struct mx_dec sum[NMETRIC];

		/* all of the row or none of it */
		e = ent_get(in);
		memcpy(sum, e->m, sizeof sum);
		for (i = 0; i < NMETRIC; i++)
			if (m[i].st == V_VALUE && mx_dec_add(&sum[i],
			    &m[i].d) < 0) {
				snprintf(msg, sizeof msg, "the sum of %s "
				    "overflows 38 digits", opt.metric[i]);
				reject(in, "metric", opt.metric[i], msg);
				return;
			}
		memcpy(e->m, sum, sizeof sum);
	} else if (!isnull && (e = ent_get(NULL)) != NULL && e->mline != 0) {
		snprintf(msg, sizeof msg, "a second metrics row for one key "
		    "(the first is %s:%ju); --sum adds them up",
		    mx_name(e->mfile), e->mline);
		reject(in, "duplicate", NULL, msg);
		return;
	}
	for (i = 0; i < NMETRIC; i++)
		if (m[i].st != V_ABSENT)
			seen |= 1u << i;
	if (isnull)
		st.nullkey++;
	if (mp != NULL)
		st.mapped++;
	if (uv != NULL)
		unmapped(uv);
	if (e != NULL && e->mline == 0) {
		e->mline = in->line;
		e->mfile = in->file;
	}
	if (opt.sum)
		return;
	if (e != NULL)
		st.matched++;
	else
		st.monly++;
	if (e == NULL && (opt.join == J_RIGHT || opt.join == J_INNER)) {
		st.dropped++;
		return;
	}
	kv = mapk >= 0 ? &sp[msel_key[mapk]] : NULL;
	if (mp != NULL && (kv->n != mp->text.len ||
	    memcmp(kv->p, mp->text.p, kv->n) != 0)) {
		/* the mapped value replaces the source value in place */
		tmp.len = 0;
		mx_buf_add(&tmp, in->p, (size_t)(kv->p - in->p));
		mx_buf_add(&tmp, mp->text.p, mp->text.len);
		mx_buf_add(&tmp, kv->p + kv->n, in->n -
		    (size_t)(kv->p + kv->n - in->p));
		mx_out_obj_open(&w, out, tmp.p, tmp.len);
	} else
		mx_out_obj_open(&w, out, in->p, in->n);
	put_derived(&w, m, e != NULL && e->hasspend ? &e->spend : NULL);
	mx_out_obj_close(&w);
	st.out++;
}

/* Spend rows no metrics row matched (sorted), or with --sum every key. */
static void
join_end(void)
{
	uint32_t *o = ent_sorted();
	const struct ent *e;
	unsigned mask = seen ? seen : 1u << M_BOOKINGS;
	size_t i, n = mx_hmap_count(tab);

	for (i = 0; i < n; i++) {
		e = mx_hmap_val(tab, o[i]);
		if (opt.sum) {
			int keep;

			/* a key whose only row was rejected */
			if (!e->hasspend && e->mline == 0)
				continue;
			if (e->hasspend && e->mline)
				st.matched++;
			else if (e->hasspend)
				st.sonly++;
			else
				st.monly++;
			keep = opt.join == J_FULL ||
			    (opt.join == J_LEFT && e->mline) ||
			    (opt.join == J_RIGHT && e->hasspend) ||
			    (e->hasspend && e->mline);
			if (keep)
				emit_ent(e, mask);
			else
				st.dropped++;
			continue;
		}
		if (e->mline != 0)
			continue;
		st.sonly++;
		if (opt.join == J_FULL || opt.join == J_RIGHT)
			emit_ent(e, mask);
		else
			st.dropped++;
	}
	free(o);
}

/* ---- counts ---- */

static void
report(void)
{
	size_t i;

	mx_warnx("%ju metrics rows, %ju spend rows, %ju rejected; %ju rows "
	    "out: %ju matched, %ju metrics only, %ju spend only, %ju left "
	    "out by --join", st.metrics, st.spend, st.rejected, st.out,
	    st.matched, st.monly, st.sonly, st.dropped);
	if (st.nullkey)
		mx_warnx("%ju metrics row%s with a null key (matching no "
		    "spend)", st.nullkey, st.nullkey == 1 ? "" : "s");
	if (opt.map == NULL)
		return;
	mx_warnx("--map: %ju rows mapped, %ju not", st.mapped, st.unmapped);
	for (i = 0; i < um.n; i++)
		mx_warnx("--map: %.*s not mapped (%ju row%s)",
		    (int)um.text[i].len, um.text[i].p, um.rows[i],
		    um.rows[i] == 1 ? "" : "s");
	if (um.other)
		mx_warnx("--map: %ju more rows with other values not mapped",
		    um.other);
}

static void
write_stats(void)
{
	struct mx_out *s = mx_out_open(mx_opt_stats);
	size_t i;

	mx_out_printf(s, "{\"tool\":\"mx-join-spend\",\"mode\":\"join\","
	    "\"metrics\":%ju,\"spend\":%ju,\"rejected\":%ju,\"blank\":%ju,"
	    "\"out\":%ju,\"matched\":%ju,\"metrics_only\":%ju,"
	    "\"spend_only\":%ju,\"dropped\":%ju,\"null_keys\":%ju",
	    st.metrics, st.spend, st.rejected, st.blank, st.out, st.matched,
	    st.monly, st.sonly, st.dropped, st.nullkey);
	if (opt.map != NULL) {
		mx_out_printf(s, ",\"mapped\":%ju,\"unmapped\":%ju,"
		    "\"unmapped_values\":[", st.mapped, st.unmapped);
		for (i = 0; i < um.n; i++) {
			mx_out_puts(s, i ? ",{\"value\":" : "{\"value\":");
			mx_out_write(s, um.text[i].p, um.text[i].len);
			mx_out_printf(s, ",\"rows\":%ju}", um.rows[i]);
		}
		mx_out_printf(s, "],\"unmapped_other\":%ju", um.other);
	}
	mx_out_puts(s, "}\n");
	mx_out_close(s);
}

/* ---- options ---- */

static int
word(const char *arg, const char *const *words, const char *what)
{
	int i;

	for (i = 0; words[i] != NULL; i++)
		if (*words[i] != '\0' && strcmp(arg, words[i]) == 0)
			return i;
	mx_warnx("%s: unknown value '%s'", what, arg);
	usage();
}

static int
scale_arg(const char *arg, const char *what)
{
	long long v = mx_parse_count(arg);

	if (v < 0 || v > MX_DEC_MAXSCALE) {
		mx_warnx("%s: 0 to %d", what, MX_DEC_MAXSCALE);
		usage();
	}
	return (int)v;
}

/* Output names must differ: a JSON object has each key once. */
static void
check_names(const char *const *names, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = i + 1; k < n; k++)
			if (strcmp(names[i], names[k]) == 0) {
				mx_warnx("the output would have the field %s "
				    "twice", names[i]);
				usage();
			}
}

/*
 * --budget was a mode of this program: the command line goes to
 * mx-budget as it is, less --budget.  The mx-budget beside this program
 * comes first, so that a build directory runs its own.
 */
static void
budget_alias(int argc, char *argv[])
{
	char **av, *dir;
	int i, k, end, n = 0;

	for (end = 1; end < argc && strcmp(argv[end], "--") != 0; end++)
		if (strcmp(argv[end], "--budget") == 0)
			n++;
	if (n == 0)
		return;
	av = mx_calloc((size_t)argc + 1, sizeof *av);
	av[0] = "mx-budget";
	for (i = 1, k = 1; i < argc; i++)
		if (i > end || strcmp(argv[i], "--budget") != 0)
			av[k++] = argv[i];
	av[k] = NULL;
	if (strchr(argv[0], '/') != NULL) {
		dir = mx_strdup(argv[0]);
		*strrchr(dir, '/') = '\0';
		tmp.len = 0;
		mx_buf_printf(&tmp, "%s/mx-budget", dir);
		free(dir);
		execv(mx_buf_cstr(&tmp), av);
	}
	execvp("mx-budget", av);
	mx_err(MX_EXIT_FAIL, "--budget: cannot run mx-budget");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "spend", required_argument, NULL, 's' },
		{ "keys", required_argument, NULL, 'k' },
		{ "join", required_argument, NULL, 'J' },
		{ "sum", no_argument, NULL, 'U' },
		{ "missing-spend", required_argument, NULL, 'Z' },
		{ "map", required_argument, NULL, 'm' },
		{ "map-key", required_argument, NULL, 'K' },
		{ "spend-field", required_argument, NULL, 'F' },
		{ "bookings", required_argument, NULL, 0 },
		{ "clicks", required_argument, NULL, 0 },
		{ "impressions", required_argument, NULL, 0 },
		{ "revenue", required_argument, NULL, 0 },
		{ "customers", required_argument, NULL, 0 },
		{ "conversions", required_argument, NULL, 0 },
		{ "scale", required_argument, NULL, 'c' },
		{ "rate-scale", required_argument, NULL, 'C' },
		{ "max-memory", required_argument, NULL, 'M' },
		MX_REJECTS_LONGOPT,
		MX_STATS_LONGOPT,
		{ "verbose", no_argument, NULL, 'v' },
		MX_STRICT_LONGOPT,
		MX_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char *const joins[] = { "full", "left", "right", "inner",
	    NULL };
	const char *names[64 + NMETRIC + NRATIO + 1];
	struct mx_sel *sel, *msel;
	struct mx_json *scan, *mscan;
	struct mx_span *sp, *msp;
	struct mx_buf flag = { 0 };
	int metricgiven[NMETRIC] = { 0 }, keysgiven, spendgiven = 0;
	char err[256];
	size_t i, nn;
	int c, li, k;

	mx_init(argv[0]);
	budget_alias(argc, argv);
	while ((c = mx_getopt(argc, argv, "k:s:v", longopts, &li,
	    synopsis)) != -1) {
		switch (c) {
		case 0:
			for (k = 0; k < NMETRIC; k++)
				if (strcmp(longopts[li].name, metric_opt[k]) ==
				    0) {
					opt.metric[k] = optarg;
					metricgiven[k] = 1;
				}
			break;
		case 's':
			opt.spend = mx_reallocarray(opt.spend, opt.nspend + 1,
			    sizeof *opt.spend);
			opt.spend[opt.nspend++] = optarg;
			break;
		case 'k':
			opt.keys = optarg;
			break;
		case 'J':
			opt.join = word(optarg, joins, "--join");
			break;
		case 'U':
			opt.sum = 1;
			break;
		case 'Z':
			if (strcmp(optarg, "null") != 0 &&
			    strcmp(optarg, "zero") != 0) {
				mx_warnx("--missing-spend: null or zero");
				usage();
			}
			opt.zerofill = optarg[0] == 'z';
			break;
		case 'm':
			opt.map = optarg;
			break;
		case 'K':
			opt.mapkey = optarg;
			break;
		case 'F':
			spendgiven = 1;
			opt.spendf = optarg;
			break;
		case 'c':
			opt.scale = scale_arg(optarg, "--scale");
			break;
		case 'C':
			opt.rscale = scale_arg(optarg, "--rate-scale");
			break;
		case 'M':
			if ((opt.maxmem = mx_size_opt("--max-memory", optarg)) < 0)
				usage();
			opt.maxmemarg = optarg;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (opt.nspend == 0) {
		mx_warnx("no spend file (-s)");
		usage();
	}
	for (i = 0; i < opt.nspend; i++)
		if (strcmp(opt.spend[i], "-") == 0) {
			for (k = 0; k < argc && strcmp(argv[k], "-") != 0; k++)
				;
			if (argc == 0 || k < argc) {
				mx_warnx("-s -: the metrics must then come "
				    "from files");
				usage();
			}
		}
	keysgiven = opt.keys != NULL;
	if (opt.keys == NULL)
		opt.keys = "date,channel";

	/* the keys: fields of the metrics, expressions of the spend rows */
	sel = mx_sel_new();
	msel = mx_sel_new();
	if (mx_joinkeys_parse(opt.keys, 1, &lx, msel, &kx, sel, err,
	    sizeof err) < 0) {
		mx_warnx("-k: %s", err);
		usage();
	}
	nk = kx.n;
	if (nk > 64) {
		mx_warnx("-k: at most 64 keys");
		usage();
	}
	nn = 0;
	for (i = 0; i < nk; i++)
		names[nn++] = kx.v[i].name;
	for (i = 0; i < NMETRIC; i++)
		names[nn++] = opt.metric[i];
	names[nn++] = O_SPEND;
	for (i = 0; i < NRATIO; i++)
		names[nn++] = ratios[i].name;
	if ((ssel_spend = mx_sel_add(sel, opt.spendf)) < 0) {
		mx_warnx("--spend-field: bad field path");
		usage();
	}
	ssel_rej = mx_sel_add(sel, "_reject");
	sseen.whose = opt.nspend == 1 ? mx_name(opt.spend[0]) :
	    "the spend files";
	mseen.whose = "the metrics";
	for (i = 0; keysgiven && i < nk; i++) {
		(void)mx_seen_add(&sseen, "-k", kx.v[i].path, kx.v[i].sel);
		(void)mx_seen_add(&mseen, "-k", lx.v[i].path, lx.v[i].sel);
	}
	if (spendgiven)
		(void)mx_seen_add(&sseen, "--spend-field", opt.spendf,
		    ssel_spend);
	check_names(names, nn);
	if (opt.map != NULL) {
		for (i = 0; i < nk; i++)
			if (opt.mapkey != NULL ? strcmp(kx.v[i].name,
			    opt.mapkey) == 0 : strcmp(kx.v[i].path,
			    "channel") == 0)
				mapk = (int)i;
		if (mapk < 0 && opt.mapkey != NULL) {
			mx_warnx("--map-key: %s is not a key", opt.mapkey);
			usage();
		}
		if (mapk < 0)
			mapk = (int)nk - 1;
		map_load(opt.map);
	}

	out = mx_out_stdout();
	if (mx_opt_rejects != NULL)
		rej = mx_out_open(mx_opt_rejects);
	tab = mx_hmap_new(sizeof(struct ent));
	scan = mx_json_new(sel);
	sp = mx_calloc((size_t)mx_sel_count(sel), sizeof *sp);
	for (i = 0; i < opt.nspend; i++)
		each_line(opt.spend[i], scan, sp, ssel_rej, &st.spend,
		    &sseen, spend_row);
	/* the metrics side: the keys by their names */
	for (i = 0; i < nk; i++)
		msel_key[i] = lx.v[i].sel;
	for (i = 0; i < NMETRIC; i++)
		if ((msel_m[i] = mx_sel_add(msel, opt.metric[i])) < 0) {
			mx_warnx("--%s: bad field path '%s'", metric_opt[i],
			    opt.metric[i]);
			usage();
		} else if (metricgiven[i]) {
			flag.len = 0;
			mx_buf_printf(&flag, "--%s", metric_opt[i]);
			(void)mx_seen_add(&mseen, mx_buf_cstr(&flag),
			    opt.metric[i], msel_m[i]);
		}
	mx_buf_free(&flag);
	msel_out[0] = mx_sel_add(msel, O_SPEND);
	for (i = 0; i < NRATIO; i++)
		msel_out[i + 1] = mx_sel_add(msel, ratios[i].name);
	msel_rej = mx_sel_add(msel, "_reject");
	mscan = mx_json_new(msel);
	msp = mx_calloc((size_t)mx_sel_count(msel), sizeof *msp);
	if (argc == 0)
		each_line("-", mscan, msp, msel_rej, &st.metrics, &mseen,
		    metrics_row);
	for (k = 0; k < argc; k++)
		each_line(argv[k], mscan, msp, msel_rej, &st.metrics,
		    &mseen, metrics_row);
	if ((mx_seen_report(&sseen, mx_opt_strict) +
	    mx_seen_report(&mseen, mx_opt_strict)) > 0 && mx_opt_strict) {
		if (rej != NULL)
			mx_out_abort(rej);
		exit(MX_EXIT_FAIL);
	}
	join_end();
	if (rej != NULL)
		mx_out_close(rej);
	if (mx_opt_stats != NULL)
		write_stats();
	mx_out_close(out);
	if (opt.verbose)
		report();

	mx_json_free(scan);
	mx_json_free(mscan);
	mx_sel_free(sel);
	mx_sel_free(msel);
	free(sp);
	free(msp);
	mx_exprs_free(&kx);
	mx_exprs_free(&lx);
	mx_hmap_free(tab);
	mx_buf_free(&arena);
	for (i = 0; map.idx != NULL && i < mx_hmap_count(map.idx); i++) {
		mx_buf_free(&map.v[i].text);
		mx_buf_free(&map.v[i].canon);
	}
	free(map.v);
	mx_hmap_free(map.idx);
	for (i = 0; i < um.n; i++)
		mx_buf_free(&um.text[i]);
	mx_hmap_free(um.idx);
	mx_buf_free(&kc);
	mx_buf_free(&kt);
	mx_buf_free(&tmp);
	mx_buf_free(&tmp2);
	free(opt.spend);
	return MX_EXIT_OK;
}
