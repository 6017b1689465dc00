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
 * Budget mode: ad click events (or spend per period) summed per
 * advertiser and period, the cumulative spend held against the budget.
 *
 * Money is exact (lib/dec.c) and so are the ratios (lib/ratio.c): a figure
 * here is the one a person gets by hand.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

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

static const char *const budget_out[] = { "period", "window_start",
    "window_end", "events", "spend", "cumulative_spend", "budget_value",
    "remaining", "can_serve" };
#define NBOUT	(sizeof budget_out / sizeof budget_out[0])

enum { J_FULL, J_LEFT, J_RIGHT, J_INNER };
/* in order of length, so that a reset can be checked to be no shorter
 * than the period */
enum { P_HOUR = 1, P_DAY, P_MONTH, P_NEVER };
static const char *const pername[] = { "", "hour", "day", "month", "never",
    NULL };

static struct {
	const char	**spend;
	size_t		 nspend;
	const char	*keys;
	const char	*spendf;
	const char	*metric[NMETRIC];
	const char	*map, *mapkey;
	const char	*rejects, *stats;
	const char	*amount, *budgetf, *time;
	int		 join, sum, budget, per, reset, zerofill, bper;
	int		 scale, rscale, verbose;
	long long	 maxmem;
	const char	*maxmemarg;
} opt = {
	.metric = { "total_bookings", "clicks", "impressions", "revenue",
	    "new_customers", "conversions" },
	.spendf = "spend", .amount = "amount", .budgetf = "budget_value",
	.time = "timestamp", .join = J_FULL, .per = P_DAY, .reset = P_NEVER,
	.scale = 2, .rscale = 4,
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
			dropped, nullkey, mapped, unmapped, out, events;
} st;

/* The keys: name on the metrics side, path on the spend side (or in the
 * events, in budget mode). */
static struct mx_exprs	 kx;
static size_t		 nk;
static struct mx_out	*out, *rej;
static struct mx_buf	 kc, kt;	/* a row's key: canonical, texts */
static struct mx_buf	 tmp, tmp2;
static char		(*ktmp)[MX_EXPR_TMP];
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
	    "                     [--stats file] [--max-record size] [--max-depth n]\n"
	    "                     [file ...]\n"
	    "       mx-join-spend --budget [-v] [-k keys] [--per hour|day|month]\n"
	    "                     [--reset never|hour|day|month]\n"
	    "                     [--budget-per hour|day|month] [--amount field]\n"
	    "                     [--budget-field field] [--time field] [--scale n]\n"
	    "                     [--max-memory size] [--rejects file] [--stats file]\n"
	    "                     [--max-record size] [--max-depth n] [file ...]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

/* ---- an index of 64-bit hashes to ids; the caller compares ---- */

struct hidx {
	uint64_t	*h;
	uint32_t	*id;		/* id + 1; 0 is empty */
	size_t		 cap, n;
};

typedef int (*eqfn)(uint32_t id, const void *arg);

/* The slot holding a match, or the empty slot where it would go. */
static size_t
hidx_slot(const struct hidx *x, uint64_t h, eqfn eq, const void *arg)
{
	size_t i;

	if (x->cap == 0)
		return 0;
	for (i = h & (x->cap - 1); x->id[i] != 0; i = (i + 1) & (x->cap - 1))
		if (x->h[i] == h && eq(x->id[i] - 1, arg))
			return i;
	return i;
}

static int
hidx_found(const struct hidx *x, size_t i)
{
	return x->cap != 0 && x->id[i] != 0;
}

/* Call before hidx_slot when about to add. */
static void
hidx_reserve(struct hidx *x)
{
	struct hidx y;
	size_t i, k;

	if (x->n * 2 < x->cap)
		return;
	y.cap = x->cap ? x->cap * 2 : 1024;
	y.n = x->n;
	y.h = mx_calloc(y.cap, sizeof *y.h);
	y.id = mx_calloc(y.cap, sizeof *y.id);
	for (i = 0; i < x->cap; i++)
		if (x->id[i] != 0) {
			for (k = x->h[i] & (y.cap - 1); y.id[k] != 0;
			    k = (k + 1) & (y.cap - 1))
				;
			y.h[k] = x->h[i];
			y.id[k] = x->id[i];
		}
	free(x->h);
	free(x->id);
	*x = y;
}

static void
hidx_put(struct hidx *x, size_t i, uint64_t h, uint32_t id)
{
	x->h[i] = h;
	x->id[i] = id + 1;
	x->n++;
}

static void
hidx_free(struct hidx *x)
{
	free(x->h);
	free(x->id);
}

/* ---- the table of keys: spend rows, summed metrics, budget periods ---- */

struct ent {
	size_t		 key, text;	/* offsets in arena */
	uint32_t	 keylen;
	/* spend */
	int		 hasspend;
	struct mx_dec	 spend;		/* also the spend of a budget period */
	const char	*sfile;
	uintmax_t	 sline;
	/* metrics */
	const char	*mfile;
	uintmax_t	 mline;		/* the first metrics row; 0: none */
	int64_t		 period;	/* budget mode */
	union {
		struct mx_dec	 m[NMETRIC];	/* --sum: the metrics summed */
		struct {			/* --budget */
			uintmax_t	 events;
			struct mx_time	 btime;	/* the time of budget */
			struct mx_dec	 budget;
			int		 hasbudget;
		} b;
	} u;
};

static struct {
	struct ent	*v;
	size_t		 n, cap;
	struct hidx	 idx;
	struct mx_buf	 arena;
} tab;

struct bytes {
	const char	*p;
	size_t		 n;
};

static int
ent_eq(uint32_t id, const void *arg)
{
	const struct bytes *b = arg;
	const struct ent *e = &tab.v[id];

	return e->keylen == b->n && memcmp(tab.arena.p + e->key, b->p,
	    b->n) == 0;
}

/* A line of input, for the tool's functions and messages. */
struct input {
	const char	*file;
	uintmax_t	 line;
	const char	*rec;
	size_t		 n;
	int		 whole;		/* an object without a _reject field */
};

static MX_NORETURN void over_limit(const struct input *in);

/* The memory the table holds. */
static size_t
tab_bytes(void)
{
	return tab.cap * sizeof *tab.v + tab.arena.cap +
	    tab.idx.cap * (sizeof *tab.idx.h + sizeof *tab.idx.id);
}

/* The entry for the key in kc (texts in kt), or NULL; added when absent
 * if in (the row, for messages) is not NULL. */
static struct ent *
ent_get(const struct input *in)
{
	struct bytes b = { kc.p, kc.len };
	uint64_t h = mx_hash64(kc.p, kc.len);
	struct ent *e;
	size_t i;

	if (in != NULL)
		hidx_reserve(&tab.idx);
	i = hidx_slot(&tab.idx, h, ent_eq, &b);
	if (hidx_found(&tab.idx, i))
		return &tab.v[tab.idx.id[i] - 1];
	if (in == NULL)
		return NULL;
	if (tab.n == tab.cap) {
		tab.cap = tab.cap ? tab.cap * 2 : 1024;
		tab.v = mx_reallocarray(tab.v, tab.cap, sizeof *tab.v);
	}
	e = &tab.v[tab.n];
	memset(e, 0, sizeof *e);
	e->key = tab.arena.len;
	e->keylen = (uint32_t)kc.len;
	mx_buf_add(&tab.arena, kc.p, kc.len);
	e->text = tab.arena.len;
	mx_buf_add(&tab.arena, kt.p, kt.len);
	hidx_put(&tab.idx, i, h, (uint32_t)tab.n);
	tab.n++;
	if (opt.maxmem > 0 && tab_bytes() > (size_t)opt.maxmem)
		over_limit(in);
	return e;
}

/* Append one key value: canonical form to kc, JSON text (length first)
 * to kt. */
static void
key_add(const struct mx_span *v)
{
	uint32_t n = v->n;

	mx_json_canon(v, &kc);
	mx_buf_add(&kt, &n, sizeof n);
	mx_buf_add(&kt, v->p, v->n);
}

/* The next part of a canonical key: its tag, content and length. */
static const char *
canon_part(const char *p, int *tag, size_t *n)
{
	const unsigned char *u = (const unsigned char *)p;

	*tag = p[0];
	*n = (size_t)u[1] << 24 | (size_t)u[2] << 16 | (size_t)u[3] << 8 | u[4];
	return p + 5;
}

static int
tag_rank(int tag)
{
	static const char order[] = "nftdsao";
	const char *p = strchr(order, tag);

	return p != NULL ? (int)(p - order) : 0;
}

/*
 * Keys in a natural order, one part after the other: null, false, true,
 * numbers by value, strings by their bytes (so dates sort by time), then
 * arrays and objects by their text.
 */
static int
ent_cmp(const struct ent *a, const struct ent *b)
{
	const char *pa = tab.arena.p + a->key, *pb = tab.arena.p + b->key;
	const char *ta = tab.arena.p + a->text, *tb = tab.arena.p + b->text;
	size_t i, na, nb;
	uint32_t la, lb;
	int tga, tgb, c;

	for (i = 0; i < nk; i++) {
		memcpy(&la, ta, sizeof la);
		memcpy(&lb, tb, sizeof lb);
		ta += sizeof la;
		tb += sizeof lb;
		pa = canon_part(pa, &tga, &na);
		pb = canon_part(pb, &tgb, &nb);
		if (tga != tgb)
			return tag_rank(tga) - tag_rank(tgb);
		c = 0;
		if (tga == 'd') {
			struct mx_dec x, y;

			if (mx_dec_parse(ta, la, &x) == 0 &&
			    mx_dec_parse(tb, lb, &y) == 0)
				c = mx_dec_cmp(&x, &y);
		}
		if (c == 0 && (c = memcmp(pa, pb, na < nb ? na : nb)) == 0)
			c = na < nb ? -1 : na > nb;
		if (c != 0)
			return c;
		pa += na;
		pb += nb;
		ta += la;
		tb += lb;
	}
	return a->period < b->period ? -1 : a->period > b->period;
}

static int
ent_qcmp(const void *x, const void *y)
{
	return ent_cmp(&tab.v[*(const uint32_t *)x],
	    &tab.v[*(const uint32_t *)y]);
}

static uint32_t *
ent_sorted(void)
{
	uint32_t *o = mx_reallocarray(NULL, tab.n ? tab.n : 1, sizeof *o);
	size_t i;

	for (i = 0; i < tab.n; i++)
		o[i] = (uint32_t)i;
	qsort(o, tab.n, sizeof *o, ent_qcmp);
	return o;
}

/* ---- the channel map ---- */

struct mapent {
	char		*src;
	size_t		 srclen;
	struct mx_buf	 text, canon;	/* the channel as JSON, canonical */
	uintmax_t	 line;
};

static struct {
	struct mapent	*v;
	size_t		 n;
	struct hidx	 idx;
} map;

static int
map_eq(uint32_t id, const void *arg)
{
	const struct bytes *b = arg;

	return map.v[id].srclen == b->n && memcmp(map.v[id].src, b->p,
	    b->n) == 0;
}

static const struct mapent *
map_find(const char *p, size_t n)
{
	struct bytes b = { p, n };
	size_t i = hidx_slot(&map.idx, mx_hash64(p, n), map_eq, &b);

	return hidx_found(&map.idx, i) ? &map.v[map.idx.id[i] - 1] : NULL;
}

static void
map_load(const char *path)
{
	struct mx_reader r;
	const char *line, *tab1;
	struct mx_span sp;
	struct mapent *m;
	struct bytes b;
	uint64_t h;
	ssize_t n;
	size_t i;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_FAIL, "--map %s", path);
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
		b.p = line;
		b.n = (size_t)(tab1 - line);
		h = mx_hash64(b.p, b.n);
		hidx_reserve(&map.idx);
		i = hidx_slot(&map.idx, h, map_eq, &b);
		if (hidx_found(&map.idx, i))
			mx_errx(MX_EXIT_FAIL, "%s:%ju: source value '%.*s' is "
			    "mapped already at line %ju", mx_name(path),
			    r.lineno, (int)b.n, b.p,
			    map.v[map.idx.id[i] - 1].line);
		map.v = mx_reallocarray(map.v, map.n + 1, sizeof *map.v);
		m = &map.v[map.n];
		memset(m, 0, sizeof *m);
		m->src = mx_strndup(b.p, b.n);
		m->srclen = b.n;
		m->line = r.lineno;
		mx_json_quote(&m->text, tab1 + 1, (size_t)(line + n - tab1 - 1));
		sp.p = m->text.p;
		sp.n = (uint32_t)m->text.len;
		sp.kind = MX_JSTR;
		sp.esc = memchr(sp.p, '\\', sp.n) != NULL;
		mx_json_canon(&sp, &m->canon);
		hidx_put(&map.idx, i, h, (uint32_t)map.n);
		map.n++;
	}
	mx_reader_close(&r);
}

/* Values --map did not know: the first UNMAPPED_MAX of them by name, in
 * the order first seen; the rest only counted. */
#define UNMAPPED_MAX	100
static struct {
	struct mx_buf	 text[UNMAPPED_MAX];
	struct mx_buf	 canon[UNMAPPED_MAX];
	uintmax_t	 rows[UNMAPPED_MAX];
	size_t		 n;
	uintmax_t	 other;		/* rows with values past the first 100 */
	struct hidx	 idx;
} um;

static int
um_eq(uint32_t id, const void *arg)
{
	const struct bytes *b = arg;

	return um.canon[id].len == b->n && memcmp(um.canon[id].p, b->p,
	    b->n) == 0;
}

static void
unmapped(const struct mx_span *v)
{
	struct bytes b;
	uint64_t h;
	size_t i;

	st.unmapped++;
	tmp2.len = 0;
	mx_json_canon(v, &tmp2);
	b.p = tmp2.p;
	b.n = tmp2.len;
	h = mx_hash64(b.p, b.n);
	hidx_reserve(&um.idx);
	i = hidx_slot(&um.idx, h, um_eq, &b);
	if (hidx_found(&um.idx, i)) {
		um.rows[um.idx.id[i] - 1]++;
		return;
	}
	if (um.n == UNMAPPED_MAX) {
		um.other++;
		return;
	}
	mx_buf_add(&um.canon[um.n], b.p, b.n);
	mx_buf_add(&um.text[um.n], v->p, v->n);
	um.rows[um.n] = 1;
	hidx_put(&um.idx, i, h, (uint32_t)um.n);
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
	const char *t = tab.arena.p + e->text;
	uint32_t n;
	size_t i;

	mx_out_obj_new(&w, out);
	for (i = 0; i < nk; i++) {
		memcpy(&n, t, sizeof n);
		t += sizeof n;
		mx_out_key(&w, kx.v[i].name);
		mx_out_write(out, t, n);
		t += n;
	}
	for (i = 0; i < NMETRIC; i++) {
		m[i].st = mask & 1u << i ? V_VALUE : V_ABSENT;
		m[i].d = e->u.m[i];
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
reject(const struct input *in, const char *rule, const char *field,
    const char *why)
{
	struct mx_objw w;
	const char *file = mx_name(in->file);

	st.rejected++;
	if (rej == NULL)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", file, in->line, why);
	if (in->whole)
		mx_out_obj_open(&w, rej, in->rec, in->n);
	else
		mx_out_obj_new(&w, rej);
	mx_out_key(&w, "_reject");
	mx_out_puts(rej, "{\"tool\":\"mx-join-spend\",\"file\":");
	mx_out_jstr(rej, file, strlen(file));
	mx_out_puts(rej, ",\"line\":");
	mx_out_uint(rej, in->line);
	mx_out_puts(rej, ",\"rule\":\"");
	mx_out_puts(rej, rule);
	mx_out_puts(rej, "\"");
	if (field != NULL) {
		mx_out_puts(rej, ",\"field\":");
		mx_out_jstr(rej, field, strlen(field));
	}
	mx_out_puts(rej, ",\"reason\":");
	mx_out_jstr(rej, why, strlen(why));
	mx_out_putc(rej, '}');
	if (!in->whole)
		mx_reject_raw(&w, in->rec, in->n);
	mx_out_obj_close(&w);
}

static MX_NORETURN void
over_limit(const struct input *in)
{
	mx_errx(MX_EXIT_FAIL, "%s:%ju: the %zu keys held in memory take more "
	    "than --max-memory %s", mx_name(in->file), in->line, tab.n,
	    opt.maxmemarg);
}

/* Every line of path through fn; a line that is not a JSON object is
 * rejected here. */
static void
each_line(const char *path, struct mx_json *scan, struct mx_span *sp,
    int rsel, uintmax_t *count,
    void (*fn)(struct input *in, const struct mx_span *sp))
{
	struct mx_reader r;
	struct input in;
	const char *line;
	ssize_t n;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_FAIL, "%s", mx_name(path));
	in.file = path;
	while ((n = mx_reader_line(&r, &line)) >= 0) {
		in.line = r.lineno;
		in.rec = line;
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
		fn(&in, sp);
	}
	mx_reader_close(&r);
}

/* ---- the spend side ---- */

static int ssel_spend, ssel_rej;

/*
 * The key of a spend row or an event, from the -k expressions, into kc
 * and kt; -1 when it was rejected (a key missing, null, or not the
 * timestamp a time function needs).
 */
static int
expr_key(struct input *in, const struct mx_span *sp)
{
	const struct mx_expr *x;
	struct mx_span v;
	char msg[512];
	size_t i;
	int bad;

	kc.len = kt.len = 0;
	for (i = 0; i < nk; i++) {
		x = &kx.v[i];
		if (mx_expr_eval(x, sp, &v, ktmp[i], &bad) == MX_JNONE ||
		    v.kind == MX_JNULL) {
			if (bad)
				snprintf(msg, sizeof msg, "key field %s is not "
				    "a timestamp: %s", x->path,
				    show(&sp[x->sel]));
			else
				snprintf(msg, sizeof msg, "key field %s is %s",
				    x->path, v.kind == MX_JNONE ? "missing" :
				    "null");
			reject(in, "key", x->path, msg);
			return -1;
		}
		key_add(&v);
	}
	return 0;
}

static void
spend_row(struct input *in, const struct mx_span *sp)
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
metrics_row(struct input *in, const struct mx_span *sp)
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
		memcpy(sum, e->u.m, sizeof sum);
		for (i = 0; i < NMETRIC; i++)
			if (m[i].st == V_VALUE && mx_dec_add(&sum[i],
			    &m[i].d) < 0) {
				snprintf(msg, sizeof msg, "the sum of %s "
				    "overflows 38 digits", opt.metric[i]);
				reject(in, "metric", opt.metric[i], msg);
				return;
			}
		memcpy(e->u.m, sum, sizeof sum);
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
		mx_buf_add(&tmp, in->rec, (size_t)(kv->p - in->rec));
		mx_buf_add(&tmp, mp->text.p, mp->text.len);
		mx_buf_add(&tmp, kv->p + kv->n, in->n -
		    (size_t)(kv->p + kv->n - in->rec));
		mx_out_obj_open(&w, out, tmp.p, tmp.len);
	} else
		mx_out_obj_open(&w, out, in->rec, in->n);
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
	size_t i;

	for (i = 0; i < tab.n; i++) {
		e = &tab.v[o[i]];
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

/* ---- budget mode ---- */

static int bsel_amount, bsel_budget, bsel_time, bsel_rej;

static int64_t
floor_to(int64_t sec, int per)
{
	int y, mo, d, h, mi, s;

	switch (per) {
	case P_HOUR:
		return sec - ((sec % 3600) + 3600) % 3600;
	case P_DAY:
		return sec - ((sec % 86400) + 86400) % 86400;
	case P_MONTH:
		mx_time_civil(sec, &y, &mo, &d, &h, &mi, &s);
		return mx_days_from_civil(y, (unsigned)mo, 1) * 86400;
	}
	return 0;
}

static void
budget_row(struct input *in, const struct mx_span *sp)
{
	struct mx_dec amount, budget;
	struct mx_time t;
	int nobudget;
	struct ent *e;
	const char *why;
	char msg[512];
	unsigned char pb[8];
	int64_t period;
	size_t i;

	if (expr_key(in, sp) < 0)
		return;
	if ((why = getmoney(&sp[bsel_amount], opt.amount, &amount)) != NULL) {
		reject(in, "amount", opt.amount, why);
		return;
	}
	/* an event without a budget (null or missing) spends, and leaves
	 * the budget to the events that have one */
	nobudget = sp[bsel_budget].kind == MX_JNONE ||
	    sp[bsel_budget].kind == MX_JNULL;
	if (!nobudget && (why = getmoney(&sp[bsel_budget], opt.budgetf,
	    &budget)) != NULL) {
		reject(in, "budget", opt.budgetf, why);
		return;
	}
	if (mx_time_span(&sp[bsel_time], &t) < 0) {
		if (sp[bsel_time].kind == MX_JNONE)
			snprintf(msg, sizeof msg, "%s is missing", opt.time);
		else
			snprintf(msg, sizeof msg, "%s is not a time: %s",
			    opt.time, show(&sp[bsel_time]));
		reject(in, "time", opt.time, msg);
		return;
	}
	period = floor_to(t.sec, opt.per);
	for (i = 0; i < 8; i++)
		pb[i] = (unsigned char)((uint64_t)period >> (56 - 8 * i));
	mx_buf_add(&kc, pb, sizeof pb);
	e = ent_get(in);
	if (mx_dec_add(&e->spend, &amount) < 0) {
		snprintf(msg, sizeof msg, "the sum of %s overflows 38 digits",
		    opt.amount);
		reject(in, "amount", opt.amount, msg);
		return;
	}
	e->period = period;
	/* the budget in force at the end of the period: that of its latest
	 * event (the later line of equal times) */
	if (!nobudget && (!e->u.b.hasbudget || t.sec > e->u.b.btime.sec ||
	    (t.sec == e->u.b.btime.sec && t.nsec >= e->u.b.btime.nsec))) {
		e->u.b.btime = t;
		e->u.b.budget = budget;
		e->u.b.hasbudget = 1;
	}
	e->u.b.events++;
}

static void
put_period(int64_t sec)
{
	struct mx_time t = { sec, 0, 0 };
	char b[40];
	int y, mo, d, h, mi, s;

	mx_out_putc(out, '"');
	switch (opt.per) {
	case P_HOUR:
		mx_out_write(out, b, (size_t)mx_time_fmt(&t, b));
		break;
	case P_DAY:
		mx_out_write(out, b, (size_t)mx_time_date(&t, b));
		break;
	default:
		mx_time_civil(sec, &y, &mo, &d, &h, &mi, &s);
		mx_out_printf(out, "%04d-%02d", y, mo);
	}
	mx_out_putc(out, '"');
}

/* The periods of --budget-per in the --reset window that starts at sec:
 * the factor from the budget field to the budget of the window (a daily
 * budget times the days of the month). */
static int64_t
budget_factor(int64_t sec)
{
	int64_t end, unit;
	int y, mo, d, h, mi, s;

	if (opt.bper == 0 || opt.bper == opt.reset)
		return 1;
	if (opt.reset == P_MONTH) {
		mx_time_civil(sec, &y, &mo, &d, &h, &mi, &s);
		if (++mo > 12) {
			mo = 1;
			y++;
		}
		end = mx_days_from_civil(y, (unsigned)mo, 1) * 86400;
	} else
		end = sec + 86400;	/* --reset day, --budget-per hour */
	unit = opt.bper == P_HOUR ? 3600 : 86400;
	return (end - sec) / unit;
}

/* The window of a period: its start and the start of the next. */
static void
put_window(struct mx_objw *w, int64_t sec)
{
	struct mx_time t = { sec, 0, 0 };
	char b[40];
	int y, mo, d, h, mi, s;

	mx_out_key(w, "window_start");
	mx_out_putc(out, '"');
	mx_out_write(out, b, (size_t)mx_time_fmt(&t, b));
	mx_out_putc(out, '"');
	switch (opt.per) {
	case P_HOUR:
		t.sec += 3600;
		break;
	case P_DAY:
		t.sec += 86400;
		break;
	default:
		mx_time_civil(sec, &y, &mo, &d, &h, &mi, &s);
		if (++mo > 12) {
			mo = 1;
			y++;
		}
		t.sec = mx_days_from_civil(y, (unsigned)mo, 1) * 86400;
	}
	mx_out_key(w, "window_end");
	mx_out_putc(out, '"');
	mx_out_write(out, b, (size_t)mx_time_fmt(&t, b));
	mx_out_putc(out, '"');
}

static void
budget_end(void)
{
	uint32_t *o = ent_sorted();
	struct mx_dec cum = { 0, 0 }, rem, neg, budget, f = { 0, 0 };
	const struct ent *e, *prev = NULL;
	struct mx_objw w;
	const char *t;
	uint32_t n;
	size_t i, k;

	for (i = 0; i < tab.n; i++) {
		e = &tab.v[o[i]];
		/* same keys: the canonical key less its 8 period bytes */
		if (prev == NULL || prev->keylen != e->keylen ||
		    memcmp(tab.arena.p + prev->key, tab.arena.p + e->key,
		    e->keylen - 8) != 0 || floor_to(prev->period, opt.reset) !=
		    floor_to(e->period, opt.reset))
			cum.v = cum.scale = 0;
		prev = e;
		if (mx_dec_add(&cum, &e->spend) < 0)
			mx_errx(MX_EXIT_FAIL, "cumulative spend overflows 38 "
			    "digits");
		neg = cum;
		neg.v = -neg.v;
		f.v = budget_factor(floor_to(e->period, opt.reset));
		if (mx_dec_mul(&e->u.b.budget, &f, &budget) < 0)
			mx_errx(MX_EXIT_FAIL, "the budget of a period overflows "
			    "38 digits");
		rem = budget;
		if (mx_dec_add(&rem, &neg) < 0)
			mx_errx(MX_EXIT_FAIL, "remaining budget overflows 38 "
			    "digits");
		mx_out_obj_new(&w, out);
		t = tab.arena.p + e->text;
		for (k = 0; k < nk; k++) {
			memcpy(&n, t, sizeof n);
			t += sizeof n;
			mx_out_key(&w, kx.v[k].name);
			mx_out_write(out, t, n);
			t += n;
		}
		mx_out_key(&w, "period");
		put_period(e->period);
		put_window(&w, e->period);
		mx_out_key(&w, "events");
		mx_out_uint(out, e->u.b.events);
		mx_out_key(&w, "spend");
		put_money(&e->spend);
		mx_out_key(&w, "cumulative_spend");
		put_money(&cum);
		mx_out_key(&w, "budget_value");
		if (e->u.b.hasbudget)
			put_money(&budget);
		else
			mx_out_puts(out, "null");
		mx_out_key(&w, "remaining");
		if (e->u.b.hasbudget)
			put_money(&rem);
		else
			mx_out_puts(out, "null");
		mx_out_key(&w, "can_serve");
		mx_out_puts(out, !e->u.b.hasbudget ? "null" :
		    mx_dec_cmp(&cum, &budget) < 0 ? "true" : "false");
		mx_out_obj_close(&w);
		st.out++;
	}
	free(o);
}

/* ---- counts ---- */

static void
report(void)
{
	size_t i;

	if (opt.budget) {
		mx_warnx("%ju events, %ju rejected; out: %ju", st.events,
		    st.rejected, st.out);
		return;
	}
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
	struct mx_out *s = mx_out_open(opt.stats);
	size_t i;

	if (opt.budget) {
		mx_out_printf(s, "{\"tool\":\"mx-join-spend\",\"mode\":"
		    "\"budget\",\"events\":%ju,\"rejected\":%ju,\"blank\":%ju,"
		    "\"out\":%ju}\n", st.events, st.rejected, st.blank, st.out);
		mx_out_close(s);
		return;
	}
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
		{ "budget", no_argument, NULL, 'B' },
		{ "per", required_argument, NULL, 'p' },
		{ "reset", required_argument, NULL, 'r' },
		{ "budget-per", required_argument, NULL, 'Q' },
		{ "amount", required_argument, NULL, 'a' },
		{ "budget-field", required_argument, NULL, 'b' },
		{ "time", required_argument, NULL, 't' },
		{ "max-memory", required_argument, NULL, 'M' },
		{ "rejects", required_argument, NULL, 'R' },
		{ "stats", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		MX_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char *const joins[] = { "full", "left", "right", "inner",
	    NULL };
	const char *names[64 + NMETRIC + NRATIO + NBOUT + 1];
	const char *joinopt = NULL, *budgetopt = NULL;
	struct mx_sel *sel;
	struct mx_json *scan;
	struct mx_span *sp;
	char err[256];
	size_t i, nn;
	int c, li, k;

	mx_init(argv[0]);
	while ((c = mx_getopt(argc, argv, "k:s:v", longopts, &li,
	    synopsis)) != -1) {
		/* the options of one mode only, to refuse them in the other */
		if (c == 0 || (c < 256 && strchr("JUmKFCs", c) != NULL))
			joinopt = c == 's' ? "s" : longopts[li].name;
		if (c != 0 && c < 256 && strchr("prabt", c) != NULL)
			budgetopt = longopts[li].name;
		switch (c) {
		case 0:
			for (k = 0; k < NMETRIC; k++)
				if (strcmp(longopts[li].name, metric_opt[k]) ==
				    0)
					opt.metric[k] = optarg;
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
			opt.spendf = optarg;
			break;
		case 'c':
			opt.scale = scale_arg(optarg, "--scale");
			break;
		case 'C':
			opt.rscale = scale_arg(optarg, "--rate-scale");
			break;
		case 'B':
			opt.budget = 1;
			break;
		case 'p':
			opt.per = word(optarg, pername, "--per");
			if (opt.per == P_NEVER) {
				mx_warnx("--per: hour, day or month");
				usage();
			}
			break;
		case 'r':
			opt.reset = word(optarg, pername, "--reset");
			break;
		case 'Q':
			opt.bper = word(optarg, pername, "--budget-per");
			break;
		case 'a':
			opt.amount = optarg;
			break;
		case 'b':
			opt.budgetf = optarg;
			break;
		case 't':
			opt.time = optarg;
			break;
		case 'M':
			if ((opt.maxmem = mx_parse_size(optarg)) <= 0) {
				mx_warnx("--max-memory: bad size '%s'", optarg);
				usage();
			}
			opt.maxmemarg = optarg;
			break;
		case 'R':
			opt.rejects = optarg;
			break;
		case 'S':
			opt.stats = optarg;
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

	if (opt.budget && joinopt != NULL) {
		mx_warnx("-%s%s is not for --budget", joinopt[1] ? "-" : "",
		    joinopt);
		usage();
	}
	if (!opt.budget && budgetopt != NULL) {
		mx_warnx("--%s is for --budget only", budgetopt);
		usage();
	}
	if (!opt.budget && opt.nspend == 0) {
		mx_warnx("no spend file (-s)");
		usage();
	}
	if (opt.bper == P_NEVER || (opt.bper != 0 && (opt.reset == P_NEVER ||
	    opt.bper > opt.reset))) {
		mx_warnx("--budget-per: hour, day or month, no longer than "
		    "--reset (a budget of each --reset window)");
		usage();
	}
	if (opt.reset < opt.per) {
		mx_warnx("--reset %s is shorter than --per %s",
		    pername[opt.reset], pername[opt.per]);
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
	if (opt.keys == NULL)
		opt.keys = opt.budget ? "advertiser" : "date,channel";

	/* the spend side (or the events): the keys as expressions */
	sel = mx_sel_new();
	if (mx_exprs_parse(&kx, opt.keys, sel, err, sizeof err) < 0) {
		mx_warnx("-k: %s", err);
		usage();
	}
	nk = kx.n;
	if (nk > 64) {
		mx_warnx("-k: at most 64 keys");
		usage();
	}
	ktmp = mx_calloc(nk, sizeof *ktmp);
	nn = 0;
	for (i = 0; i < nk; i++)
		names[nn++] = kx.v[i].name;
	if (opt.budget) {
		for (i = 0; i < NBOUT; i++)
			names[nn++] = budget_out[i];
		bsel_amount = mx_sel_add(sel, opt.amount);
		bsel_budget = mx_sel_add(sel, opt.budgetf);
		bsel_time = mx_sel_add(sel, opt.time);
		bsel_rej = mx_sel_add(sel, "_reject");
		if (bsel_amount < 0 || bsel_budget < 0 || bsel_time < 0) {
			mx_warnx("bad field path");
			usage();
		}
	} else {
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
	}
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
	if (opt.rejects != NULL)
		rej = mx_out_open(opt.rejects);
	scan = mx_json_new(sel);
	sp = mx_calloc((size_t)mx_sel_count(sel), sizeof *sp);
	if (opt.budget) {
		if (argc == 0)
			each_line("-", scan, sp, bsel_rej, &st.events,
			    budget_row);
		for (k = 0; k < argc; k++)
			each_line(argv[k], scan, sp, bsel_rej, &st.events,
			    budget_row);
		budget_end();
	} else {
		struct mx_sel *msel = mx_sel_new();
		struct mx_json *mscan;
		struct mx_span *msp;

		for (i = 0; i < opt.nspend; i++)
			each_line(opt.spend[i], scan, sp, ssel_rej,
			    &st.spend, spend_row);
		/* the metrics side: the keys by their names */
		for (i = 0; i < nk; i++)
			if ((msel_key[i] = mx_sel_add(msel,
			    kx.v[i].name)) < 0) {
				mx_warnx("-k: bad field path '%s'",
				    kx.v[i].name);
				usage();
			}
		for (i = 0; i < NMETRIC; i++)
			if ((msel_m[i] = mx_sel_add(msel, opt.metric[i])) < 0) {
				mx_warnx("--%s: bad field path '%s'",
				    metric_opt[i], opt.metric[i]);
				usage();
			}
		msel_out[0] = mx_sel_add(msel, O_SPEND);
		for (i = 0; i < NRATIO; i++)
			msel_out[i + 1] = mx_sel_add(msel, ratios[i].name);
		msel_rej = mx_sel_add(msel, "_reject");
		mscan = mx_json_new(msel);
		msp = mx_calloc((size_t)mx_sel_count(msel), sizeof *msp);
		if (argc == 0)
			each_line("-", mscan, msp, msel_rej, &st.metrics,
			    metrics_row);
		for (k = 0; k < argc; k++)
			each_line(argv[k], mscan, msp, msel_rej,
			    &st.metrics, metrics_row);
		join_end();
		mx_json_free(mscan);
		mx_sel_free(msel);
		free(msp);
	}
	if (rej != NULL)
		mx_out_close(rej);
	if (opt.stats != NULL)
		write_stats();
	mx_out_close(out);
	if (opt.verbose)
		report();

	mx_json_free(scan);
	mx_sel_free(sel);
	free(sp);
	free(ktmp);
	mx_exprs_free(&kx);
	free(tab.v);
	hidx_free(&tab.idx);
	mx_buf_free(&tab.arena);
	for (i = 0; i < map.n; i++) {
		free(map.v[i].src);
		mx_buf_free(&map.v[i].text);
		mx_buf_free(&map.v[i].canon);
	}
	free(map.v);
	hidx_free(&map.idx);
	for (i = 0; i < um.n; i++) {
		mx_buf_free(&um.text[i]);
		mx_buf_free(&um.canon[i]);
	}
	hidx_free(&um.idx);
	mx_buf_free(&kc);
	mx_buf_free(&kt);
	mx_buf_free(&tmp);
	mx_buf_free(&tmp2);
	free(opt.spend);
	return MX_EXIT_OK;
}
