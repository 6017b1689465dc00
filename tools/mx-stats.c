/*
 * mx-stats: a profile of each field of NDJSON records, as qsv stats,
 * Miller's summary and DuckDB's SUMMARIZE give one.
 *
 * One pass: each record's top-level members are looked up by name and
 * their values counted into the state of the field (in the record's group
 * with -g): the JSON types, nulls, distinct values with their counts, the
 * least and greatest value by the mx ordering, exact decimal sums and sums
 * of squares of numbers and the numbers themselves (for exact quartiles),
 * string lengths, and the earliest and latest timestamp.
 *
 * Memory is bounded (--memory).  Distinct values are counted exactly up
 * to --distinct-limit a field, then by HyperLogLog (lib/stat.c, the
 * estimator of mx-agg's approx_distinct); when the state passes --memory,
 * the numbers kept for quartiles give way to mx-agg's approximate
 * quantile sketch, then no field learns new distinct values.  Every figure
 * that became approximate says so in the output.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mx.h"

/* The JSON types in the order of the output. */
enum { T_NULL, T_BOOL, T_NUM, T_STR, T_ARR, T_OBJ, T_N };
static const char *const tname[T_N] = {
	"null", "bool", "number", "string", "array", "object"
};

/* The state of one field in one group. */
struct fst {
	uint64_t	 present;	/* records with the field, null or not */
	uint64_t	 types[T_N];
	struct mx_hmap	*vals;		/* canonical value: its count */
	uint8_t		*hll;		/* past the distinct limit */
	int		 frozen;	/* vals learns no new value */
	struct mx_buf	 min, max;	/* JSON texts */
	struct mx_oval	 omin, omax;	/* the same, read for comparison */
	/* numbers */
	uint64_t	 nnum;
	int		 big;		/* a number past 38 digits */
	int		 sumbad, sqbad;	/* a sum reached 10^38 */
	struct mx_dec	 sum, sumsq;
	struct mx_dec	*v;		/* the numbers, for exact quartiles */
	size_t		 nv, cv;
	struct mx_qsketch *sk;		/* or their sketch */
	/* strings */
	uint64_t	 minlen, maxlen;
	/* timestamps */
	uint64_t	 ntime;
	struct mx_time	 tmin, tmax;
	struct mx_buf	 early, late;	/* their JSON texts */
};

struct group {
	char		*key;		/* the key values' JSON texts, each
					 * followed by NUL */
	size_t		 keylen;
	uint64_t	 nrec;
	struct fst	**f;		/* by field id; NULL: not seen here */
	size_t		 nf;
};

static struct {
	const char	*by, *fields;
	long long	 memory, limit, top;
	int		 scale, pretty, verbose;
} opt = { NULL, NULL, (long long)1 << 30, 10000, 5, 6, 0, 0 };

static const char synopsis[] =
	    "usage: mx-stats [-pv] [-f fields] [-g keys] [--distinct-limit n]\n"
	    "                [--top n] [--scale n] [--memory size] [--rejects file]\n"
	    "                [--strict] [--max-record size] [--max-depth n] [file ...]\n";

static struct mx_exprs keys;
static struct mx_sel *sel;
static struct mx_seen named;		/* the fields of -g and -f */

static struct mx_hmap *fmap;		/* field name (unescaped): id */
static struct mx_buf *fname;		/* by id */
static size_t nfield;
static int *fiskey;			/* by id: a -g key, not profiled */
static int *chosen;			/* -f: selection index by field id */
static size_t nchosen;

static struct mx_hmap *gmap;		/* canonical key bytes: group index */
static struct group *gv;
static size_t ng;

static size_t membytes;			/* the state, as far as it grows */
static int quart_approx;		/* numbers go to sketches */
static int vals_frozen;			/* no field learns new values */

static uintmax_t nin, nrej, nblank;
static const char *curname;
static uintmax_t curline;
static struct mx_out *rej;
static struct mx_buf tmp, kb;
static struct mx_oval cur;

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

/* ---- memory ---- */

static void
quart_to_sketch(void)
{
	size_t g, f, i;

	/* the exact numbers are what grows with the input: they go first */
	quart_approx = 1;
	for (g = 0; g < ng; g++)
		for (f = 0; f < gv[g].nf; f++) {
			struct fst *s = gv[g].f[f];

			if (s == NULL || s->v == NULL)
				continue;
			s->sk = mx_calloc(1, sizeof *s->sk);
			membytes += sizeof *s->sk;
			for (i = 0; i < s->nv; i++)
				membytes += mx_qsketch_add(s->sk,
				    mx_qs_index(mx_dec_double(&s->v[i])), 1);
			membytes -= s->cv * sizeof *s->v;
			free(s->v);
			s->v = NULL;
			s->nv = s->cv = 0;
		}
}

static void prune(struct fst *);

static void
mem_check(void)
{
	size_t g, f;

	if (membytes <= (size_t)opt.memory)
		return;
	if (!quart_approx)
		quart_to_sketch();
	if (membytes <= (size_t)opt.memory)
		return;
	if (!vals_frozen) {
		/* the distinct values go next: HyperLogLog for the count,
		 * the most common for the top */
		vals_frozen = 1;
		for (g = 0; g < ng; g++)
			for (f = 0; f < gv[g].nf; f++)
				if (gv[g].f[f] != NULL &&
				    gv[g].f[f]->vals != NULL)
					prune(gv[g].f[f]);
		if (membytes <= (size_t)opt.memory)
			return;
	}
	mx_errx(MX_EXIT_FAIL, "%s:%ju: the state of %zu groups and %zu fields "
	    "takes more than --memory %lld bytes", mx_name(curname), curline,
	    ng, nfield, opt.memory);
}

/* ---- one value ---- */

static void
hll_from_vals(struct fst *s)
{
	size_t i, n, cnt = mx_hmap_count(s->vals);
	const char *k;

	s->hll = mx_calloc(MX_HLL_M, 1);
	membytes += MX_HLL_M;
	for (i = 0; i < cnt; i++) {
		k = mx_hmap_key(s->vals, i, &n);
		mx_hll_add(s->hll, mx_hash64(k, n));
	}
	s->frozen = 1;
}

static const struct mx_hmap *sortmap;

/* Most common first; of equal counts, by the canonical bytes. */
static int
by_count(const void *a, const void *b)
{
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b, na, nb;
	uint64_t ca = *(uint64_t *)mx_hmap_val(sortmap, ia),
	    cb = *(uint64_t *)mx_hmap_val(sortmap, ib);
	const char *ka, *kb2;
	int c;

	if (ca != cb)
		return ca > cb ? -1 : 1;
	ka = mx_hmap_key(sortmap, ia, &na);
	kb2 = mx_hmap_key(sortmap, ib, &nb);
	if ((c = memcmp(ka, kb2, na < nb ? na : nb)) != 0)
		return c;
	return na < nb ? -1 : na > nb;
}

/* Past --memory: the distinct values of s become HyperLogLog's registers,
 * and only the strings most common so far (a few times --top) are still
 * counted, for the top values. */
static void
prune(struct fst *s)
{
	struct mx_hmap *m;
	size_t *ids, i, n = 0, cnt = mx_hmap_count(s->vals), keep, klen;
	const char *k;
	int isnew;

	if (!s->frozen)
		hll_from_vals(s);
	ids = mx_reallocarray(NULL, cnt ? cnt : 1, sizeof *ids);
	for (i = 0; i < cnt; i++)
		if (mx_hmap_key(s->vals, i, &klen)[0] == 's')
			ids[n++] = i;
	sortmap = s->vals;
	qsort(ids, n, sizeof *ids, by_count);
	keep = (size_t)opt.top * 4;
	m = mx_hmap_new(sizeof(uint64_t));
	for (i = 0; i < n && i < keep; i++) {
		k = mx_hmap_key(s->vals, ids[i], &klen);
		*(uint64_t *)mx_hmap_val(m, mx_hmap_add(m, k, klen,
		    mx_hash64(k, klen), &isnew)) =
		    *(uint64_t *)mx_hmap_val(s->vals, ids[i]);
	}
	membytes -= mx_hmap_bytes(s->vals);
	membytes += mx_hmap_bytes(m);
	mx_hmap_free(s->vals);
	s->vals = m;
	free(ids);
}

static void
count_value(struct fst *s, const struct mx_span *v)
{
	uint64_t h, *c;
	size_t id, before;

	tmp.len = 0;
	mx_json_canon(v, &tmp);
	h = mx_hash64(tmp.p, tmp.len);
	if (s->vals == NULL) {
		s->vals = mx_hmap_new(sizeof(uint64_t));
		membytes += mx_hmap_bytes(s->vals);
	}
	if (!s->frozen && vals_frozen)
		prune(s);
	else if (!s->frozen && mx_hmap_count(s->vals) >= (size_t)opt.limit)
		hll_from_vals(s);
	if (s->frozen) {
		mx_hll_add(s->hll, h);
		/* only strings are counted for the top values */
		if (v->kind != MX_JSTR || (id = mx_hmap_find(s->vals, tmp.p, tmp.len, h)) ==
		    MX_HMAP_NONE)
			return;
	} else {
		before = mx_hmap_bytes(s->vals);
		id = mx_hmap_add(s->vals, tmp.p, tmp.len, h, NULL);
		membytes += mx_hmap_bytes(s->vals) - before;
	}
	c = mx_hmap_val(s->vals, id);
	(*c)++;
}

/* Keep v's text in b and read it into o, for the comparisons to come. */
static void
keep(struct mx_buf *b, struct mx_oval *o, const struct mx_span *v)
{
	struct mx_span s;

	if (b->cap < v->n)
		membytes += v->n - b->cap;
	b->len = 0;
	mx_buf_add(b, v->p, v->n);
	mx_span_of(b->p, b->len, &s);
	if (o != NULL)
		mx_oval_set(o, &s);
}

static void
number(struct fst *s, const struct mx_span *v)
{
	struct mx_dec d, sq;
	int inexact = 0;
	static int warned;

	s->nnum++;
	if (mx_dec_parse_wide(v->p, v->n, &d, &inexact) < 0) {
		s->big = 1;
		return;
	}
	if (inexact && !warned) {
		mx_warnx("%s:%ju: %.*s has more than 38 digits: rounded half "
		    "away from zero", mx_name(curname), curline,
		    (int)(v->n > 60 ? 60 : v->n), v->p);
		warned = 1;
	}
	if (!s->sumbad && mx_dec_add_wide(&s->sum, &d, &inexact) < 0)
		s->sumbad = 1;
	if (!s->sqbad && (mx_dec_mul_wide(&d, &d, &sq, &inexact) < 0 ||
	    mx_dec_add_wide(&s->sumsq, &sq, &inexact) < 0))
		s->sqbad = 1;
	if (quart_approx) {
		if (s->sk == NULL) {
			s->sk = mx_calloc(1, sizeof *s->sk);
			membytes += sizeof *s->sk;
		}
		membytes += mx_qsketch_add(s->sk, mx_qs_index(mx_dec_double(&d)),
		    1);
		return;
	}
	if (s->nv == s->cv) {
		s->cv = s->cv ? s->cv * 2 : 8;
		s->v = mx_reallocarray(s->v, s->cv, sizeof *s->v);
		membytes += s->cv / 2 * sizeof *s->v;
	}
	s->v[s->nv++] = d;
}

static void
value(struct fst *s, const struct mx_span *v)
{
	uint64_t len;
	int t;

	s->present++;
	switch (v->kind) {
	case MX_JNULL:
		s->types[T_NULL]++;
		return;
	case MX_JTRUE:
	case MX_JFALSE:
		t = T_BOOL;
		break;
	case MX_JNUM:
		t = T_NUM;
		break;
	case MX_JSTR:
		t = T_STR;
		break;
	case MX_JARR:
		t = T_ARR;
		break;
	default:
		t = T_OBJ;
	}
	s->types[t]++;
	count_value(s, v);
	mx_oval_set(&cur, v);
	/* the first of equal values stays */
	if (s->min.p == NULL || mx_oval_cmp(&cur, &s->omin, 0) < 0)
		keep(&s->min, &s->omin, v);
	if (s->max.p == NULL || mx_oval_cmp(&cur, &s->omax, 0) > 0)
		keep(&s->max, &s->omax, v);
	if (t == T_NUM)
		number(s, v);
	else if (t == T_STR) {
		len = mx_utf8_chars(cur.p, cur.n);
		if (s->types[T_STR] == 1 || len < s->minlen)
			s->minlen = len;
		if (len > s->maxlen)
			s->maxlen = len;
		if (cur.cls == MX_OC_TIME) {
			if (s->ntime == 0 || mx_time_cmp(&cur.t, &s->tmin) < 0) {
				s->tmin = cur.t;
				keep(&s->early, NULL, v);
			}
			if (s->ntime == 0 || mx_time_cmp(&cur.t, &s->tmax) > 0) {
				s->tmax = cur.t;
				keep(&s->late, NULL, v);
			}
			s->ntime++;
		}
	}
}

/* ---- records ---- */

/* A new field, id nfield; a -g key is not profiled when keyable. */
static void
add_field(const char *p, size_t n, int keyable)
{
	size_t i;

	fname = mx_reallocarray(fname, nfield + 1, sizeof *fname);
	memset(&fname[nfield], 0, sizeof *fname);
	mx_buf_add(&fname[nfield], p, n);
	fiskey = mx_reallocarray(fiskey, nfield + 1, sizeof *fiskey);
	fiskey[nfield] = 0;
	/* a group key is in every row of its group */
	for (i = 0; keyable && i < keys.n; i++)
		if (keys.v[i].fn == MX_EPATH && strlen(keys.v[i].path) == n &&
		    memcmp(keys.v[i].path, p, n) == 0)
			fiskey[nfield] = 1;
	nfield++;
	membytes += n + 64;
}

static size_t
field_id(const struct mx_span *key)
{
	const char *p = key->p + 1;
	size_t n = key->n - 2, id;
	int isnew;

	if (key->esc) {
		tmp.len = 0;
		mx_json_unescape(key, &tmp);
		p = tmp.p;
		n = tmp.len;
	}
	id = mx_hmap_add(fmap, p, n, mx_hash64(p, n), &isnew);
	if (isnew)
		add_field(p, n, 1);
	return id;
}

static struct group *
group_of(const struct mx_span *sp)
{
	char ktmp[MX_EXPR_TMP];
	struct mx_span v;
	struct group *g;
	size_t i, id, before;
	int isnew, isbad;

	kb.len = 0;
	(void)mx_exprs_canon(&keys, sp, &kb);
	before = mx_hmap_bytes(gmap);
	id = mx_hmap_add(gmap, kb.p, kb.len, mx_hash64(kb.p, kb.len), &isnew);
	if (!isnew)
		return &gv[id];
	membytes += mx_hmap_bytes(gmap) - before + sizeof *gv;
	gv = mx_reallocarray(gv, ng + 1, sizeof *gv);
	g = &gv[ng++];
	memset(g, 0, sizeof *g);
	tmp.len = 0;
	for (i = 0; i < keys.n; i++) {
		isbad = 0;
		if (mx_expr_eval(&keys.v[i], sp, &v, ktmp, &isbad) <= MX_JNULL)
			mx_buf_adds(&tmp, "null");
		else
			mx_buf_add(&tmp, v.p, v.n);
		mx_buf_addc(&tmp, '\0');
	}
	g->key = mx_malloc(tmp.len + 1);
	if (tmp.len > 0)	/* no key: tmp.p may be NULL */
		memcpy(g->key, tmp.p, tmp.len);
	g->keylen = tmp.len;
	membytes += tmp.len;
	return g;
}

static void
bad(const char *why, const char *p, size_t n)
{
	if (rej == NULL)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(curname), curline,
		    why);
	mx_reject_write(rej, "mx-stats", mx_name(curname), curline, "json",
	    why, p, n);
	nrej++;
}

static void
field_value(struct group *g, size_t id, const struct mx_span *v)
{
	struct fst *s;

	if (id >= g->nf) {
		g->f = mx_reallocarray(g->f, nfield, sizeof *g->f);
		memset(g->f + g->nf, 0, (nfield - g->nf) * sizeof *g->f);
		membytes += (nfield - g->nf) * sizeof *g->f;
		g->nf = nfield;
	}
	if ((s = g->f[id]) == NULL) {
		s = g->f[id] = mx_calloc(1, sizeof *s);
		membytes += sizeof *s;
	}
	value(s, v);
}

static void
record(struct mx_json *js, struct mx_span *sp, const char *p, size_t n)
{
	static struct mx_member *m;
	static size_t mcap, *hint, nhint;
	struct group *g;
	size_t nm, i, id;

	if (mx_json_scan(js, p, n, sp, 1) < 0) {
		bad(mx_json_errstr(js), p, n);
		return;
	}
	mx_seen_spans(&named, sp);
	g = group_of(sp);
	g->nrec++;
	if (nchosen > 0) {
		/* -f: the paths chosen, field i the i-th of them */
		for (i = 0; i < nchosen; i++)
			if (sp[chosen[i]].kind != MX_JNONE)
				field_value(g, i, &sp[chosen[i]]);
		mem_check();
		return;
	}
	nm = mx_json_members(p, n, &m, &mcap);
	for (i = 0; i < nm; i++) {
		/* records mostly have their fields in one order: the id of
		 * the field at i in the last record, when it is the same */
		if (i < nhint && !m[i].key.esc &&
		    fname[hint[i]].len == m[i].key.n - 2U &&
		    memcmp(fname[hint[i]].p, m[i].key.p + 1,
		    m[i].key.n - 2U) == 0)
			id = hint[i];
		else {
			id = field_id(&m[i].key);
			if (i >= nhint) {
				hint = mx_reallocarray(hint, i + 1,
				    sizeof *hint);
				nhint = i + 1;
			}
			hint[i] = id;
		}
		if (!fiskey[id])
			field_value(g, id, &m[i].val);
	}
	mem_check();
}

static void
input(const char *path, struct mx_json *js, struct mx_span *sp)
{
	struct mx_reader r;
	const char *line;
	ssize_t n;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_FAIL, "%s", mx_name(path));
	curname = path;
	while ((n = mx_reader_line(&r, &line)) >= 0) {
		curline = r.lineno;
		if (mx_blank(line, (size_t)n)) {
			nblank++;
			continue;
		}
		nin++;
		record(js, sp, line, (size_t)n);
	}
	mx_reader_close(&r);
}

/* ---- output ---- */

/* One figure of a row: its name and JSON text (in the row's buffer). */
struct item {
	const char	*name;
	size_t		 beg, end;
};

static struct {
	struct item	*it;
	size_t		 n, cap;
	struct mx_buf	 text;
} row;

static void
item_begin(const char *name)
{
	if (row.n == row.cap) {
		row.cap = row.cap ? row.cap * 2 : 32;
		row.it = mx_reallocarray(row.it, row.cap, sizeof *row.it);
	}
	row.it[row.n].name = name;
	row.it[row.n].beg = row.text.len;
}

static void
item_end(void)
{
	row.it[row.n++].end = row.text.len;
}

static void
item_text(const char *name, const char *p, size_t n)
{
	item_begin(name);
	mx_buf_add(&row.text, p, n);
	item_end();
}

static void
item_uint(const char *name, uint64_t v)
{
	item_begin(name);
	mx_buf_printf(&row.text, "%ju", (uintmax_t)v);
	item_end();
}

static void
item_dec(const char *name, const struct mx_dec *d)
{
	char t[48];

	item_text(name, t, (size_t)mx_dec_fmt(d, t));
}

/* The top values of the strings of s, most common first, ties by the
 * ordering, as a JSON array. */
struct topv {
	uint64_t	 count;
	struct mx_buf	 json;
};

static int
top_before(uint64_t ca, const struct mx_buf *a, uint64_t cb,
    const struct mx_buf *b)
{
	struct mx_span sa, sb;
	int c;

	if (ca != cb)
		return ca > cb;
	mx_span_of(a->p, a->len, &sa);
	mx_span_of(b->p, b->len, &sb);
	if ((c = mx_order_cmp(&sa, &sb)) == 0)
		c = mx_order_total(&sa, &sb);
	return c < 0;
}

static void
item_top(const struct fst *s)
{
	static struct topv *tv;
	static struct mx_buf cand;
	size_t i, k, n, nt = 0, cnt;
	const char *key;
	uint64_t c;

	if (tv == NULL)
		tv = mx_calloc((size_t)opt.top + 1, sizeof *tv);
	cnt = s->vals != NULL ? mx_hmap_count(s->vals) : 0;
	for (i = 0; i < cnt; i++) {
		key = mx_hmap_key(s->vals, i, &n);
		if (key[0] != 's')
			continue;
		c = *(uint64_t *)mx_hmap_val(s->vals, i);
		if (nt == (size_t)opt.top && !(nt > 0 && c >= tv[nt - 1].count))
			continue;
		cand.len = 0;
		mx_json_quote(&cand, key + 5, n - 5);
		if (nt == (size_t)opt.top && !top_before(c, &cand,
		    tv[nt - 1].count, &tv[nt - 1].json))
			continue;
		/* insert in order; the last falls off when full */
		k = nt < (size_t)opt.top ? nt++ : nt - 1;
		for (; k > 0 && top_before(c, &cand, tv[k - 1].count,
		    &tv[k - 1].json); k--) {
			struct topv t = tv[k];

			tv[k] = tv[k - 1];
			tv[k - 1] = t;
		}
		tv[k].count = c;
		tv[k].json.len = 0;
		mx_buf_add(&tv[k].json, cand.p, cand.len);
	}
	item_begin("top");
	mx_buf_addc(&row.text, '[');
	for (i = 0; i < nt; i++) {
		if (i > 0)
			mx_buf_addc(&row.text, ',');
		mx_buf_adds(&row.text, "{\"value\":");
		mx_buf_add(&row.text, tv[i].json.p, tv[i].json.len);
		mx_buf_printf(&row.text, ",\"count\":%ju}",
		    (uintmax_t)tv[i].count);
	}
	mx_buf_addc(&row.text, ']');
	item_end();
}

/* Put the k-th least of v[0..n) at v[k], the less before it and the
 * greater after it (Hoare's selection): the quartiles need three places
 * of the order, not all of it. */
static void
select_nth(struct mx_dec *v, size_t n, size_t k)
{
	struct mx_dec piv, t;
	size_t lo = 0, hi = n - 1, i, j;

	while (lo < hi) {
		piv = v[lo + (hi - lo) / 2];
		i = lo;
		j = hi;
		while (i <= j) {
			while (mx_dec_cmp(&v[i], &piv) < 0)
				i++;
			while (mx_dec_cmp(&v[j], &piv) > 0)
				j--;
			if (i <= j) {
				t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j && j < hi)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

/* Make v[i] and v[i + 1] those of the sorted v, for mx_dec_quantile. */
static void
ranks(struct mx_dec *v, size_t n, const struct mx_dec *q)
{
	unsigned __int128 one = 1;
	struct mx_dec t;
	size_t i, j, m;
	int k;

	for (k = 0; k < q->scale; k++)
		one *= 10;
	i = (size_t)((unsigned __int128)q->v * (n - 1) / one);
	select_nth(v, n, i);
	if (i + 1 >= n)
		return;
	for (m = i + 1, j = i + 2; j < n; j++)
		if (mx_dec_cmp(&v[j], &v[m]) < 0)
			m = j;
	t = v[i + 1];
	v[i + 1] = v[m];
	v[m] = t;
}

static void
item_numbers(struct fst *s)
{
	static const struct mx_dec qs[3] = { { 25, 2 }, { 5, 1 }, { 75, 2 } };
	static const char *const qn[3] = { "q1", "median", "q3" };
	struct mx_dec cnt, r;
	uint64_t n = s->nnum;
	int i;

	cnt.v = (__int128)n;
	cnt.scale = 0;
	if (s->big || s->sumbad || mx_dec_div(&s->sum, &cnt, opt.scale,
	    &r) < 0)
		item_text("mean", "null", 4);
	else
		item_dec("mean", &r);
	if (s->big || s->sumbad || s->sqbad || mx_dec_variance(n, 1, &s->sum,
	    &s->sumsq, 1, opt.scale, &r) < 0)
		item_text("stddev", "null", 4);
	else
		item_dec("stddev", &r);
	for (i = 0; i < 3; i++) {
		if (s->big)
			item_text(qn[i], "null", 4);
		else if (s->sk != NULL) {
			item_begin(qn[i]);
			mx_buf_approx(&row.text, mx_qsketch_quantile(s->sk, n,
			    mx_dec_double(&qs[i])));
			item_end();
		} else {
			ranks(s->v, s->nv, &qs[i]);
			mx_dec_quantile(s->v, s->nv, &qs[i], &r);
			item_dec(qn[i], &r);
		}
	}
	if (s->sk != NULL && !s->big)
		item_text("quartiles_approx", "true", 4);
	if (s->big)
		item_text("numbers_past_38_digits", "true", 4);
}

/* The figures of field f of group g into row. */
static void
figures(const struct group *g, size_t f, struct fst *s)
{
	const char *k = g->key;
	size_t i;
	int t, first;

	row.n = 0;
	row.text.len = 0;
	for (i = 0; i < keys.n; i++) {
		item_text(keys.v[i].name, k, strlen(k));
		k += strlen(k) + 1;
	}
	item_begin("field");
	mx_json_quote(&row.text, fname[f].p, fname[f].len);
	item_end();
	item_uint("count", s->present);
	item_uint("null", s->types[T_NULL]);
	item_uint("missing", g->nrec - s->present);
	item_begin("types");
	mx_buf_addc(&row.text, '{');
	for (t = 0, first = 1; t < T_N; t++)
		if (s->types[t] > 0) {
			mx_buf_printf(&row.text, "%s\"%s\":%ju", first ? "" :
			    ",", tname[t], (uintmax_t)s->types[t]);
			first = 0;
		}
	mx_buf_addc(&row.text, '}');
	item_end();
	if (s->hll != NULL) {
		item_uint("distinct", mx_hll_estimate(s->hll));
		item_text("distinct_approx", "true", 4);
	} else
		item_uint("distinct", s->vals != NULL ?
		    mx_hmap_count(s->vals) : 0);
	if (s->min.p != NULL) {
		item_text("min", s->min.p, s->min.len);
		item_text("max", s->max.p, s->max.len);
	} else {
		item_text("min", "null", 4);
		item_text("max", "null", 4);
	}
	if (s->nnum > 0)
		item_numbers(s);
	if (s->types[T_STR] > 0) {
		item_uint("min_length", s->minlen);
		item_uint("max_length", s->maxlen);
		item_top(s);
		if (s->frozen)
			item_text("top_approx", "true", 4);
	}
	if (s->ntime > 0) {
		item_text("earliest", s->early.p, s->early.len);
		item_text("latest", s->late.p, s->late.len);
	}
}

static void
put_ndjson(struct mx_out *o)
{
	struct mx_objw w;
	size_t i;

	mx_out_obj_new(&w, o);
	for (i = 0; i < row.n; i++) {
		mx_out_key(&w, row.it[i].name);
		mx_out_write(o, row.text.p + row.it[i].beg, row.it[i].end -
		    row.it[i].beg);
	}
	mx_out_obj_close(&w);
}

/* The columns of -p after the keys; approximate figures marked "~". */
static const char *const tcols[] = {
	"field", "count", "null", "missing", "types", "distinct", "min", "max",
	"mean", "stddev", "q1", "median", "q3", "min_length", "max_length",
	"earliest", "latest", "top"
};
#define NTCOLS	(sizeof tcols / sizeof tcols[0])

static const struct item *
find_item(const char *name)
{
	size_t i;

	for (i = 0; i < row.n; i++)
		if (strcmp(row.it[i].name, name) == 0)
			return &row.it[i];
	return NULL;
}

/* A JSON value as a person reads it: strings without quotes or escapes,
 * objects and arrays of types and top values as "a 3, b 2". */
static void
cell_text(struct mx_buf *b, const char *p, size_t n, int list)
{
	struct mx_span v, e;
	struct mx_member *m = NULL;
	size_t cap = 0, nm, i, start = b->len;

	mx_span_of(p, n, &v);
	if (v.kind == MX_JSTR) {
		mx_json_unescape(&v, b);
		return;
	}
	if (!list || (v.kind != MX_JOBJ && v.kind != MX_JARR)) {
		mx_buf_add(b, p, n);
		return;
	}
	if (v.kind == MX_JOBJ) {
		nm = mx_json_members(p, n, &m, &cap);
		for (i = 0; i < nm; i++) {
			if (i > 0)
				mx_buf_adds(b, " ");
			mx_json_unescape(&m[i].key, b);
			mx_buf_addc(b, ':');
			mx_buf_add(b, m[i].val.p, m[i].val.n);
		}
		free(m);
		return;
	}
	/* the top values: an array of {"value", "count"} */
	for (i = 0; i < n; i++)
		if (p[i] == '{') {
			size_t j = i;
			int depth = 0, instr = 0;

			for (; j < n; j++) {
				if (instr) {
					if (p[j] == '\\')
						j++;
					else if (p[j] == '"')
						instr = 0;
				} else if (p[j] == '"')
					instr = 1;
				else if (p[j] == '{')
					depth++;
				else if (p[j] == '}' && --depth == 0)
					break;
			}
			nm = mx_json_members(p + i, j + 1 - i, &m, &cap);
			if (b->len > start && nm == 2)
				mx_buf_adds(b, ", ");
			if (nm == 2) {
				e = m[0].val;
				cell_text(b, e.p, e.n, 0);
				mx_buf_addc(b, ' ');
				mx_buf_add(b, m[1].val.p, m[1].val.n);
			}
			i = j;
		}
	free(m);
}

static void
put_table_row(struct mx_table *t)
{
	static struct mx_buf c;
	const struct item *it;
	size_t i;
	int num, approx;

	for (i = 0; i < keys.n + NTCOLS; i++) {
		const char *name = i < keys.n ? keys.v[i].name :
		    tcols[i - keys.n];

		c.len = 0;
		num = 0;
		approx = 0;
		if ((it = find_item(name)) != NULL) {
			const char *p = row.text.p + it->beg;
			size_t n = it->end - it->beg;

			if (strcmp(name, "distinct") == 0)
				approx = find_item("distinct_approx") != NULL;
			else if (strcmp(name, "q1") == 0 ||
			    strcmp(name, "median") == 0 ||
			    strcmp(name, "q3") == 0)
				approx = find_item("quartiles_approx") != NULL;
			else if (strcmp(name, "top") == 0)
				approx = find_item("top_approx") != NULL;
			if (approx)
				mx_buf_addc(&c, '~');
			num = !approx && n > 0 && (p[0] == '-' ||
			    (p[0] >= '0' && p[0] <= '9'));
			if (!(n == 4 && memcmp(p, "null", 4) == 0))
				cell_text(&c, p, n, strcmp(name, "types") ==
				    0 || strcmp(name, "top") == 0);
		}
		mx_table_cell(t, i, c.p != NULL ? c.p : "", c.len, num, 0);
	}
}

static int
group_cmp(const void *a, const void *b)
{
	const struct group *ga = a, *gb = b;
	const char *ka = ga->key, *kb2 = gb->key;
	struct mx_span sa, sb;
	size_t i;
	int c;

	for (i = 0; i < keys.n; i++) {
		mx_span_of(ka, strlen(ka), &sa);
		mx_span_of(kb2, strlen(kb2), &sb);
		if ((c = mx_order_cmp(&sa, &sb)) == 0)
			c = mx_order_total(&sa, &sb);
		if (c != 0)
			return c;
		ka += strlen(ka) + 1;
		kb2 += strlen(kb2) + 1;
	}
	return 0;
}

static void
output(struct mx_out *o)
{
	static struct fst none;
	struct mx_table t;
	size_t g, f, i;

	/* groups in the order of their keys, as mx-agg writes them */
	if (ng > 1)
		qsort(gv, ng, sizeof *gv, group_cmp);
	if (opt.pretty) {
		mx_table_init(&t, keys.n + NTCOLS, 1);
		for (i = 0; i < keys.n + NTCOLS; i++) {
			const char *name = i < keys.n ? keys.v[i].name :
			    tcols[i - keys.n];

			mx_table_cell(&t, i, name, strlen(name), 0, 1);
		}
	}
	for (g = 0; g < ng; g++)
		for (f = 0; f < (nchosen > 0 ? nchosen : gv[g].nf); f++) {
			/* a field chosen with -f has a row in every group,
			 * had it no value there */
			if (f < gv[g].nf && gv[g].f[f] != NULL)
				figures(&gv[g], f, gv[g].f[f]);
			else if (nchosen > 0)
				figures(&gv[g], f, &none);
			else
				continue;
			if (opt.pretty)
				put_table_row(&t);
			else
				put_ndjson(o);
		}
	if (opt.pretty) {
		mx_table_write(&t, o);
		mx_table_free(&t);
	}
}

static void
unseen(void)
{
	if (mx_seen_report(&named, mx_opt_strict) > 0 && mx_opt_strict)
		exit(MX_EXIT_FAIL);
}

/* -f a,payload.b: the fields profiled, by dotted path, in this order. */
static void
fields_opt(const char *spec)
{
	const char *q = spec, *c;
	size_t n;
	int k;

	for (;;) {
		c = strchr(q, ',');
		n = c == NULL ? strlen(q) : (size_t)(c - q);
		tmp.len = 0;
		mx_buf_add(&tmp, q, n);
		if (n == 0) {
			mx_warnx("-f: an empty field name");
			usage();
		}
		if ((k = mx_sel_add(sel, mx_buf_cstr(&tmp))) < 0) {
			mx_warnx("-f: '%s' is not a field path", tmp.p);
			usage();
		}
		chosen = mx_reallocarray(chosen, nchosen + 1, sizeof *chosen);
		chosen[nchosen++] = k;
		(void)mx_seen_add(&named, "-f", tmp.p, k);
		add_field(tmp.p, tmp.len, 0);
		if (c == NULL)
			break;
		q = c + 1;
	}
}

static long long
count_opt(const char *name, const char *arg, long long min, long long max)
{
	long long v = mx_parse_count(arg);

	if (v < min || v > max) {
		mx_warnx("%s: '%s' is not a whole number from %lld to %lld",
		    name, arg, min, max);
		usage();
	}
	return v;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "pretty", no_argument, NULL, 'p' },
		{ "distinct-limit", required_argument, NULL, 'D' },
		{ "top", required_argument, NULL, 'T' },
		{ "scale", required_argument, NULL, 'S' },
		{ "memory", required_argument, NULL, 'm' },
		MX_REJECTS_LONGOPT,
		MX_STRICT_LONGOPT,
		MX_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	char err[256];
	struct mx_json *js;
	struct mx_span *sp;
	struct mx_out *out;
	int c, i;

	mx_init(argv[0]);
	while ((c = mx_getopt(argc, argv, "f:g:pv", longopts, NULL,
	    synopsis)) != -1)
		switch (c) {
		case 'f':
			opt.fields = optarg;
			break;
		case 'g':
			opt.by = optarg;
			break;
		case 'p':
			opt.pretty = 1;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'D':
			opt.limit = count_opt("--distinct-limit", optarg, 0,
			    (long long)1 << 40);
			break;
		case 'T':
			opt.top = count_opt("--top", optarg, 0, 1000);
			break;
		case 'S':
			opt.scale = (int)count_opt("--scale", optarg, 0,
			    MX_DEC_MAXSCALE);
			break;
		case 'm':
			if ((opt.memory = mx_size_opt("--memory", optarg)) < 0)
				usage();
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;

	sel = mx_sel_new();
	if (opt.by != NULL && mx_exprs_parse(&keys, opt.by, sel, err,
	    sizeof err) < 0) {
		mx_warnx("-g: %s", err);
		usage();
	}
	for (i = 0; i < (int)keys.n; i++)
		(void)mx_seen_add(&named, "-g", keys.v[i].path,
		    keys.v[i].sel);
	if (opt.fields != NULL)
		fields_opt(opt.fields);
	js = mx_json_new(sel);
	sp = mx_calloc((size_t)mx_sel_count(sel) + 1, sizeof *sp);
	fmap = mx_hmap_new(0);
	gmap = mx_hmap_new(0);
	out = mx_out_stdout();
	if (mx_opt_rejects != NULL)
		rej = mx_out_open(mx_opt_rejects);
	if (argc == 0)
		input("-", js, sp);
	for (i = 0; i < argc; i++)
		input(argv[i], js, sp);
	unseen();
	output(out);
	if (rej != NULL)
		mx_out_close(rej);
	mx_progress_clear();
	if (opt.verbose)
		fprintf(stderr, "mx-stats: %ju records in, %zu groups, %zu "
		    "fields, %ju rejected, %ju blank, %zu bytes of state of "
		    "at most %lld (--memory)%s%s\n", nin - nrej, ng, nfield,
		    nrej, nblank, membytes, opt.memory, quart_approx ?
		    ", quartiles approximate" : "", vals_frozen ?
		    ", distinct values frozen" : "");
	mx_out_close(out);
	mx_json_free(js);
	free(sp);
	return MX_EXIT_OK;
}
