/*
 * mx-agg: group-by aggregates for the gold layer, exact and mergeable.
 *
 * One pass over NDJSON records: each record's group is the canonical value
 * of its key expressions, hashed to 128 bits and looked up in a key set;
 * its aggregates are updated in place.  Sums are exact decimals, distinct
 * counts keep a set of 128-bit value hashes (or HyperLogLog registers), and
 * the output is sorted by the group keys, so the same input gives the same
 * bytes.
 *
 * Each aggregate is one entry of fns[]: its name and arguments, and the
 * functions that check a record, update a state, write and merge it as a
 * partial, and give the figure.  Adding an aggregate is adding an entry;
 * the usage message and the man page's list come from the same names.
 *
 * --partial writes the state of every group instead of its figures, and
 * --merge reads such states back: slices aggregated apart and merged give
 * what one pass gives, which is what parallel runs over partitions need.
 *
 * --set begins another set of groups over the same records: the records
 * are read and scanned once (one selection holds the fields of every
 * set), and each set keeps its own groups and writes its own output, the
 * same bytes as a run of its options alone.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mx.h"

struct agg;
struct st;
struct pend;

/* The aggregates.  A switch over them, or a missing entry of fns[], is
 * caught by the compiler (-Wswitch) and the assertion after fns[]. */
enum afn {
	A_COUNT, A_COUNTF, A_COUNT_IF, A_SUM, A_SUM_IF, A_SUM_PRODUCT,
	A_SUM_PRODUCT_IF, A_AVG, A_MIN, A_MAX, A_FIRST, A_LAST, A_DISTINCT,
	A_APPROX, A_MEDIAN, A_QUANTILE, A_APPROX_MEDIAN, A_APPROX_QUANTILE,
	A_VARIANCE, A_VARIANCE_POP, A_STDDEV, A_STDDEV_POP,
	A_NFN
};

/* What follows the fields of an aggregate. */
enum { ARG_NONE, ARG_VALUE, ARG_Q };

struct fn {
	const char	*name;
	const char	*args;		/* as the man page writes them */
	int		 nf;		/* field arguments */
	int		 arg;		/* ARG_* */
	int		 nums;		/* the first nums fields are numbers */
	int		 cond;		/* the field compared with the value */
	/* Read what the record gives the state s (NULL: a new group) into
	 * p, before any state is touched; NULL, or why the record is bad. */
	const char	*(*check)(const struct agg *, const struct st *,
			    const struct mx_span *, struct pend *);
	void		 (*update)(struct st *, const struct agg *,
			    const struct mx_span *, const struct pend *);
	void		 (*partial)(struct mx_out *, const struct st *);
	/* Merge a partial's state v into s: NULL, or why it is not one. */
	const char	*(*merge)(struct st *, const struct agg *,
			    const struct mx_span *);
	/* The figure, as JSON text in b (a borrowed state). */
	void		 (*final)(const struct st *, const struct agg *,
			    struct mx_buf *);
	/* Free what the state holds (NULL: nothing). */
	void		 (*release)(struct st *);
};

struct agg {
	char		*name;
	char		*text;		/* as given, for the partial's spec */
	enum afn	 fn;
	int		 f[3];		/* selection indexes of the fields */
	int		 nums, cond;	/* as in its struct fn */
	struct mx_lit	 v;		/* the value of *_if */
	struct mx_dec	 q;		/* the quantile */
	int		 warned;	/* rounded past 38 digits, said once */
};

/* A column computed from two others when the figures are written, so it is
 * never a state: partials do not carry it and a merge may add it. */
struct ratio {
	char		*name;
	char		*arg[2];	/* numerator, denominator names */
	int		 col[2];	/* an aggregate, or -1 - a key */
	int		 scale;
	int		 warned;	/* a quotient past 38 digits was seen */
};

/* The values of an exact quantile. */
struct vals {
	struct mx_dec	*v;
	size_t		 n, cap;
	int		 sorted;
};

/* The state of one aggregate of one group. */
struct st {
	uint64_t	 n;		/* values counted, summed, kept */
	struct mx_dec	 sum;
	union {
		struct {
			char		*p;	/* JSON text */
			uint32_t	 n;
		}		 val;	/* min, max, first, last */
		struct mx_keyset *set;	/* count_distinct */
		uint8_t		*hll;	/* approx_distinct */
		struct vals	*vals;	/* median, quantile */
		struct mx_qsketch *sk;	/* approx_median, approx_quantile */
		struct mx_dec	 sumsq;	/* variance, stddev */
	}		 u;
};

/* What check() read of a record for one aggregate, for update(). */
struct pend {
	int		 skip;		/* nothing of the record for it */
	int		 inexact;	/* rounded to fit 38 digits */
	struct mx_dec	 x;		/* the number (sum_product: product) */
	struct mx_dec	 sum, sumsq;	/* the state's sums with it */
	double		 d;		/* approximate quantiles */
};

struct group {
	char		*key;		/* the key values: JSON texts, each
					 * followed by NUL */
	uint32_t	 keylen;
	struct st	*st;
};

static struct {
	int		 merge, verbose, scale;
	long long	 memory;
/* bounded by default, as mx-dedup is: a table too large ends with a
 * message naming the limit rather than with the OOM killer */
} opt = { .scale = 6, .memory = (long long)1 << 30 };

/*
 * A set: one grouping of the records (-g, -a, -w, --top, --by, --partial,
 * -o) and its groups.  Several sets (--set) aggregate the same records in
 * one pass: each record is read and scanned once, then given to every
 * set, and each set writes what a run of its own options would write.
 */
struct set {
	struct mx_exprs	 keys;
	const char	*gspec;		/* -g as given */
	struct agg	*aggs;
	size_t		 naggs;
	struct ratio	*ratios;
	size_t		 nratios;
	/* The columns after the keys, in the order given: an aggregate
	 * (>= 0) or a ratio (-1 - its index). */
	int		*cols;
	size_t		 ncols;
	struct mx_where	*where;
	struct mx_buf	 wtext;		/* the -w options, for the spec */
	struct mx_buf	 spec;		/* the options, to check --merge */
	struct mx_buf	 qspec;		/* a partial line's start, spec quoted */
	int		 partial;
	long long	 top;
	const char	*by;
	const char	*out;		/* -o, or NULL: standard output */

	struct mx_keyset *groups;	/* key hash -> group index + 1 */
	struct group	*gv;
	size_t		 ng, gcap;
	size_t		 membytes;	/* what the groups hold */
	struct pend	*pend;
	int		 anycheck;	/* an aggregate reads numbers */
	/* The key bytes of the group last found, and its index: records
	 * come in runs of one key (a day, an hour), whose group is found
	 * without hashing. */
	struct mx_buf	 lastkb;
	size_t		 last;
	/* --by: a column, when bycolset; else the key bykeyi */
	struct mx_buf	*byval;
	int		 bycol, bycolset;
	size_t		 bykeyi;
};

static struct set *sets;
static size_t nsets;
static struct set *S;			/* the set being read or written */

/* Every set reads its fields through this one selection: a record is
 * scanned once for all of them. */
static struct mx_sel *sel;

/* The fields named in -g, -a and -w, and whether a record had them. */
static struct mx_seen named;

static size_t ngout;			/* groups written, all jobs */
static size_t peakbytes;		/* the most a job's groups held */

static struct mx_out *rej;
static uintmax_t nin, nrej, nblank;
static struct mx_buf tmp, kb;

static const char *curname;
static uintmax_t curline;

static const char synopsis[] =
	    "usage: mx-agg [-v] [-g keys] [-a aggs] [-w cond] [--top n --by name]\n"
	    "              [--partial] [-o file] [--set set-options ...]\n"
	    "              [--scale n] [--merge] [--strict]\n"
	    "              [--rejects file] [--memory size] [--max-record size]\n"
	    "              [--max-depth n] [--each list | file ...]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

/* ---- memory ---- */

/* What the groups of every set hold; ng, their number. */
static size_t
state_bytes(size_t *ng)
{
	size_t i, b = 0, n = 0;

	for (i = 0; i < nsets; i++) {
		b += sets[i].membytes + (sets[i].groups != NULL ?
		    mx_keyset_bytes(sets[i].groups) : 0);
		n += sets[i].ng;
	}
	if (ng != NULL)
		*ng = n;
	return b;
}

static void
mem_add(size_t n)
{
	size_t ng;

	S->membytes += n;
	if (opt.memory > 0 && state_bytes(&ng) > (size_t)opt.memory)
		mx_errx(MX_EXIT_FAIL, "the groups need more than --memory "
		    "%lld bytes (%zu groups so far); raise it, or split the "
		    "input by a key and merge --partial outputs", opt.memory,
		    ng);
}

/* ---- reading numbers ---- */

/* The decimal of v, a number or a number in a string (as the ordering of
 * mx(7) has it).  0; 1 when null or missing; -1 when not a number; -2 when
 * 10^38 or more. */
static int
num_read(const struct mx_span *v, struct mx_dec *d, int *inexact)
{
	const char *p;
	size_t n;

	if (v->kind == MX_JNONE || v->kind == MX_JNULL)
		return 1;
	if (v->kind == MX_JNUM) {
		p = v->p;
		n = v->n;
	} else if (v->kind == MX_JSTR && !v->esc) {
		p = v->p + 1;
		n = v->n - 2;
		if (!mx_json_isnum(p, n))
			return -1;
	} else if (v->kind == MX_JSTR) {
		tmp.len = 0;
		mx_json_unescape(v, &tmp);
		p = tmp.p;
		n = tmp.len;
		if (n == 0 || !mx_json_isnum(p, n))
			return -1;
	} else
		return -1;
	return mx_dec_parse_wide(p, n, d, inexact) == 0 ? 0 : -2;
}

static const char *
say_num(const struct agg *a, const struct mx_span *v, int r)
{
	static char msg[200];
	int n = (int)(v->n > 60 ? 60 : v->n);

	if (r == -2)
		snprintf(msg, sizeof msg, "%s: %.*s is 10^38 or more, too "
		    "large for an exact decimal", a->name, n, v->p);
	else
		snprintf(msg, sizeof msg, "%s: %.*s is not a number", a->name,
		    n, v->p);
	return msg;
}

/* The number(s) an aggregate reads from the record, into p->x (the
 * product of two); p->skip when its condition fails or a value is null. */
static const char *
read_nums(const struct agg *a, const struct mx_span *sp, struct pend *p)
{
	struct mx_dec y;
	int r;

	if (a->cond >= 0 && !mx_lit_eq(&a->v, &sp[a->f[a->cond]])) {
		p->skip = 1;
		return NULL;
	}
	if ((r = num_read(&sp[a->f[0]], &p->x, &p->inexact)) != 0) {
		p->skip = r > 0;
		return r > 0 ? NULL : say_num(a, &sp[a->f[0]], r);
	}
	if (a->nums < 2)
		return NULL;
	if ((r = num_read(&sp[a->f[1]], &y, &p->inexact)) != 0) {
		p->skip = r > 0;
		return r > 0 ? NULL : say_num(a, &sp[a->f[1]], r);
	}
	if (mx_dec_mul_wide(&p->x, &y, &p->x, &p->inexact) < 0) {
		static char msg[200];

		snprintf(msg, sizeof msg, "%s: the product %.*s x %.*s is "
		    "10^38 or more", a->name, (int)(sp[a->f[0]].n > 40 ? 40 :
		    sp[a->f[0]].n), sp[a->f[0]].p, (int)(sp[a->f[1]].n > 40 ?
		    40 : sp[a->f[1]].n), sp[a->f[1]].p);
		return msg;
	}
	return NULL;
}

static const char *
say_sum(const struct agg *a, const char *what)
{
	static char msg[200];

	snprintf(msg, sizeof msg, "%s: the %s would reach 10^38", a->name,
	    what);
	return msg;
}

/* ---- counts ---- */

static void
up_count(struct st *s, const struct agg *a, const struct mx_span *sp,
    const struct pend *p)
{
	(void)a;
	(void)sp;
	(void)p;
	s->n++;
}

static void
up_countf(struct st *s, const struct agg *a, const struct mx_span *sp,
    const struct pend *p)
{
	const struct mx_span *v = &sp[a->f[0]];

	(void)p;
	s->n += v->kind != MX_JNONE && v->kind != MX_JNULL;
}

static const char *
ck_cond(const struct agg *a, const struct st *s, const struct mx_span *sp,
    struct pend *p)
{
	(void)s;
	p->skip = !mx_lit_eq(&a->v, &sp[a->f[a->cond]]);
	return NULL;
}

/* A count, as partials write them: digits, below 2^64.  (strtoull would
 * take -1 for 2^64 - 1, 1.5 for 1 and 1e3 for 1, and a damaged partial
 * would be merged as a wrong count.) */
static int
count_elem(const struct mx_span *v, uint64_t *n)
{
	uint64_t x = 0;
	unsigned d;
	size_t i;

	if (v->kind != MX_JNUM || (v->p[0] == '0' && v->n > 1))
		return -1;
	for (i = 0; i < v->n; i++) {
		d = (unsigned)((unsigned char)v->p[i] - '0');
		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*n = x;
	return 0;
}

static void
pa_count(struct mx_out *o, const struct st *s)
{
	mx_out_uint(o, s->n);
}

static const char *
me_count(struct st *s, const struct agg *a, const struct mx_span *v)
{
	uint64_t n;

	(void)a;
	if (count_elem(v, &n) < 0)
		return "a count state is a count (digits, below 2^64)";
	s->n += n;
	return NULL;
}

static void
fi_count(const struct st *s, const struct agg *a, struct mx_buf *b)
{
	(void)a;
	mx_buf_printf(b, "%ju", (uintmax_t)s->n);
}

/* ---- sums ---- */

static const char *
ck_sum(const struct agg *a, const struct st *s, const struct mx_span *sp,
    struct pend *p)
{
	const char *why;

	if ((why = read_nums(a, sp, p)) != NULL || p->skip)
		return why;
	if (s == NULL) {
		p->sum = p->x;
		return NULL;
	}
	p->sum = s->sum;
	if (mx_dec_add_wide(&p->sum, &p->x, &p->inexact) < 0)
		return say_sum(a, "sum");
	return NULL;
}

static void
up_sum(struct st *s, const struct agg *a, const struct mx_span *sp,
    const struct pend *p)
{
	(void)a;
	(void)sp;
	s->n++;
	s->sum = p->sum;
}

static void
put_dec(struct mx_out *o, const struct mx_dec *d)
{
	char b[48];
	int n = mx_dec_fmt(d, b);

	mx_out_write(o, b, (size_t)n);
}

static void
pa_sum(struct mx_out *o, const struct st *s)
{
	mx_out_putc(o, '[');
	mx_out_uint(o, s->n);
	mx_out_puts(o, ",\"");
	put_dec(o, &s->sum);
	mx_out_puts(o, "\"]");
}

/* JSON's blanks. */
static int
blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The elements of the array v (a partial's state, valid JSON) one at a
 * time: *q starts past '[' and moves past each; 0 when there is none. */
static int
next_elem(const char **q, const char *e, struct mx_span *v)
{
	const char *s0, *p;
	int depth = 0, instr = 0;

	while (*q < e && blank(**q))
		(*q)++;
	s0 = p = *q;
	/* the text is valid JSON: only strings and nesting matter */
	while (p < e && (instr || depth > 0 || *p != ',')) {
		if (instr) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				instr = 0;
		} else if (*p == '"')
			instr = 1;
		else if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		p++;
	}
	if (p == s0)
		return 0;
	*q = p < e ? p + 1 : p;
	/* (a value does not end in a blank: those before a comma are
	 * not the element's) */
	while (blank(p[-1]))
		p--;
	mx_span_of(s0, (size_t)(p - s0), v);
	return 1;
}

/* A decimal in a string, as partials write them. */
static int
dec_elem(const struct mx_span *v, struct mx_dec *d, int *inexact)
{
	return v->kind == MX_JSTR && !v->esc && v->n > 2 &&
	    mx_dec_parse_wide(v->p + 1, v->n - 2, d, inexact) == 0 ? 0 : -1;
}

static const char *
me_sum(struct st *s, const struct agg *a, const struct mx_span *v)
{
	struct mx_span e[2];
	struct mx_dec d;
	const char *q, *end;
	uint64_t n;
	int inexact = 0;

	if (v->kind != MX_JARR)
		return "a sum state is [count, \"decimal\"]";
	q = v->p + 1;
	end = v->p + v->n - 1;
	if (!next_elem(&q, end, &e[0]) || !next_elem(&q, end, &e[1]) ||
	    q != end || count_elem(&e[0], &n) < 0 || dec_elem(&e[1], &d,
	    &inexact) < 0)
		return "a sum state is [count, \"decimal\"]";
	if (mx_dec_add_wide(&s->sum, &d, &inexact) < 0)
		return "the merged sum would reach 10^38";
	s->n += n;
	if (inexact && !a->warned) {
		mx_warnx("%s: a sum needs more than 38 digits: rounded half "
		    "away from zero", a->name);
		((struct agg *)a)->warned = 1;
	}
	return NULL;
}

static void
fi_sum(const struct st *s, const struct agg *a, struct mx_buf *b)
{
	char t[48];

	/* a conditional sum of no record is 0; a plain one, null */
	if (s->n == 0 && a->cond < 0)
		mx_buf_adds(b, "null");
	else
		mx_buf_add(b, t, (size_t)mx_dec_fmt(&s->sum, t));
}

static void
fi_avg(const struct st *s, const struct agg *a, struct mx_buf *b)
{
	struct mx_dec q, cnt;
	char t[48];

	if (s->n == 0) {
		mx_buf_adds(b, "null");
		return;
	}
	cnt.v = (__int128)s->n;
	cnt.scale = 0;
	if (mx_dec_div(&s->sum, &cnt, opt.scale, &q) < 0)
		mx_errx(MX_EXIT_FAIL, "%s: the average does not fit 38 digits "
		    "at --scale %d", a->name, opt.scale);
	mx_buf_add(b, t, (size_t)mx_dec_fmt(&q, t));
}

/* ---- min, max, first, last ---- */

static void
setval(struct st *s, const char *p, size_t n)
{
	if (s->u.val.n < n || s->u.val.p == NULL)
		mem_add(n);
	free(s->u.val.p);
	s->u.val.p = mx_strndup(p, n);
	s->u.val.n = (uint32_t)n;
}

/* Does v replace the min (or max) of s?  The first of equal values
 * stays. */
static int
better(enum afn fn, const struct mx_span *v, const struct st *s)
{
	struct mx_span cur;
	int c;

	if (s->u.val.p == NULL)
		return 1;
	/* (the same bytes are the same value, and the first stays: most
	 * records of a product repeat its category) */
	if (v->n == s->u.val.n && memcmp(v->p, s->u.val.p, v->n) == 0)
		return 0;
	mx_span_of(s->u.val.p, s->u.val.n, &cur);
	c = mx_order_cmp(v, &cur);
	return fn == A_MIN ? c < 0 : c > 0;
}

/* The value v (of a record, or a partial's state) into s. */
static void
val_add(struct st *s, enum afn fn, const struct mx_span *v)
{
	if (v->kind == MX_JNONE || v->kind == MX_JNULL)
		return;
	switch (fn) {
	case A_FIRST:
		if (s->u.val.p == NULL)
			setval(s, v->p, v->n);
		break;
	case A_LAST:
		setval(s, v->p, v->n);
		break;
	default:
		if (better(fn, v, s))
			setval(s, v->p, v->n);
	}
}

static void
up_val(struct st *s, const struct agg *a, const struct mx_span *sp,
    const struct pend *p)
{
	(void)p;
	val_add(s, a->fn, &sp[a->f[0]]);
}

static void
pa_val(struct mx_out *o, const struct st *s)
{
	if (s->u.val.p == NULL)
		mx_out_puts(o, "null");
	else
		mx_out_write(o, s->u.val.p, s->u.val.n);
}

static const char *
me_val(struct st *s, const struct agg *a, const struct mx_span *v)
{
	/* a state is the value itself: merged as a record's would be */
	val_add(s, a->fn, v);
	return NULL;
}

static void
fi_val(const struct st *s, const struct agg *a, struct mx_buf *b)
{
	(void)a;
	if (s->u.val.p == NULL)
		mx_buf_adds(b, "null");
	else
		mx_buf_add(b, s->u.val.p, s->u.val.n);
}

/* ---- count_distinct ---- */

static void
distinct_add(struct st *s, struct mx_h128 h)
{
	size_t before;
	int isnew;

	if (s->u.set == NULL) {
		s->u.set = mx_keyset_new(0);
		mem_add(128);
	}
	/* the table's bytes as they are: 16 a slot, 20 to 30 a value */
	before = mx_keyset_bytes(s->u.set);
	if (mx_keyset_put(s->u.set, h, &isnew) == NULL)
		mx_errx(MX_EXIT_FAIL, "out of memory for distinct values");
	if (isnew && mx_keyset_bytes(s->u.set) > before)
		mem_add(mx_keyset_bytes(s->u.set) - before);
}

static void
up_distinct(struct st *s, const struct agg *a, const struct mx_span *sp,
    const struct pend *p)
{
	const struct mx_span *v = &sp[a->f[0]];

	(void)p;
	if (v->kind == MX_JNONE || v->kind == MX_JNULL)
		return;
	tmp.len = 0;
	mx_json_canon(v, &tmp);
	distinct_add(s, mx_hash128(tmp.p, tmp.len));
}

static void
pa_distinct(struct mx_out *o, const struct st *s)
{
	struct mx_h128 *h = NULL;
	char hex[33];
	size_t k, n = 0;

	/* the set is spent: a partial is written once, at the end */
	if (s->u.set != NULL)
		h = mx_keyset_sorted(s->u.set, &n);
	mx_out_putc(o, '[');
	for (k = 0; k < n; k++) {
		if (k > 0)
			mx_out_putc(o, ',');
		mx_hash128_hex(h[k], hex);
		mx_out_putc(o, '"');
		mx_out_write(o, hex, 32);
		mx_out_putc(o, '"');
	}
	mx_out_putc(o, ']');
}

static const char *
me_distinct(struct st *s, const struct agg *a, const struct mx_span *v)
{
	struct mx_span e;
	struct mx_h128 h;
	const char *q, *end;

	(void)a;
	if (v->kind != MX_JARR)
		return "a distinct state is an array of hashes";
	/* (every element: one that is not a hash was once let pass, and
	 * what followed it dropped) */
	q = v->p + 1;
	end = v->p + v->n - 1;
	while (q < end) {
		/* as partials write them, "<32 hex>" and a comma, 35 bytes
		 * apart: read in place; anything else element by element */
		if (end - q >= 34 && q[0] == '"' && q[33] == '"' &&
		    (end - q == 34 || q[34] == ',')) {
			if (mx_hash128_unhex(q + 1, &h) < 0)
				return "a distinct hash is 32 hex digits";
			q += end - q == 34 ? 34 : 35;
		} else {
			if (!next_elem(&q, end, &e))
				break;
			if (e.kind != MX_JSTR || e.n != 34 ||
			    mx_hash128_unhex(e.p + 1, &h) < 0)
				return "a distinct hash is 32 hex digits";
		}
		distinct_add(s, h);
	}
	return NULL;
}

static void
fi_distinct(const struct st *s, const struct agg *a, struct mx_buf *b)
{
	(void)a;
	mx_buf_printf(b, "%zu", s->u.set != NULL ?
	    mx_keyset_count(s->u.set) : (size_t)0);
}

/* ---- approx_distinct ---- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
hll_new(struct st *s)
{
	if (s->u.hll == NULL) {
		s->u.hll = mx_calloc(MX_HLL_M, 1);
		mem_add(MX_HLL_M);
	}
}

static void
up_approx(struct st *s, const struct agg *a, const struct mx_span *sp,
    const struct pend *p)
{
	const struct mx_span *v = &sp[a->f[0]];

	(void)p;
	if (v->kind == MX_JNONE || v->kind == MX_JNULL)
		return;
	tmp.len = 0;
	mx_json_canon(v, &tmp);
	hll_new(s);
	mx_hll_add(s->u.hll, mx_hash64(tmp.p, tmp.len));
}

static void
pa_approx(struct mx_out *o, const struct st *s)
{
	unsigned v;
	int k;

	if (s->u.hll == NULL) {
		mx_out_puts(o, "null");
		return;
	}
	/* 16384 registers: 5461 groups of 3, then one */
	mx_out_putc(o, '"');
	for (k = 0; k + 2 < MX_HLL_M; k += 3) {
		v = (unsigned)s->u.hll[k] << 16 | (unsigned)s->u.hll[k + 1] <<
		    8 | s->u.hll[k + 2];
		mx_out_putc(o, b64[v >> 18]);
		mx_out_putc(o, b64[v >> 12 & 63]);
		mx_out_putc(o, b64[v >> 6 & 63]);
		mx_out_putc(o, b64[v & 63]);
	}
	v = (unsigned)s->u.hll[k] << 16;
	mx_out_putc(o, b64[v >> 18]);
	mx_out_putc(o, b64[v >> 12 & 63]);
	mx_out_puts(o, "==\"");
}

static int
unb64(int c)
{
	const char *p = strchr(b64, c);

	return c != '\0' && p != NULL ? (int)(p - b64) : -1;
}

static const char *
me_approx(struct st *s, const struct agg *a, const struct mx_span *v)
{
	static struct mx_buf b;
	const char *q;
	size_t k;

	(void)a;
	if (v->kind == MX_JNULL)
		return NULL;
	if (v->kind != MX_JSTR || v->n != 2 + 4 * ((MX_HLL_M + 2) / 3))
		return "an approx_distinct state is 16384 registers in base64";
	b.len = 0;
	for (q = v->p + 1, k = 0; k < (MX_HLL_M + 2) / 3; k++, q += 4) {
		int c0 = unb64(q[0]), c1 = unb64(q[1]),
		    c2 = q[2] == '=' ? 0 : unb64(q[2]),
		    c3 = q[3] == '=' ? 0 : unb64(q[3]);
		unsigned x;

		if (c0 < 0 || c1 < 0 || c2 < 0 || c3 < 0)
			return "bad base64 in an approx_distinct state";
		x = (unsigned)c0 << 18 | (unsigned)c1 << 12 |
		    (unsigned)c2 << 6 | (unsigned)c3;
		mx_buf_addc(&b, (int)(x >> 16));
		mx_buf_addc(&b, (int)(x >> 8 & 255));
		mx_buf_addc(&b, (int)(x & 255));
	}
	for (k = 0; k < MX_HLL_M; k++)
		if ((uint8_t)b.p[k] > MX_HLL_Q + 1)
			return "an approx_distinct register past its range";
	hll_new(s);
	for (k = 0; k < MX_HLL_M; k++)
		if ((uint8_t)b.p[k] > s->u.hll[k])
			s->u.hll[k] = (uint8_t)b.p[k];
	return NULL;
}

static void
fi_approx(const struct st *s, const struct agg *a, struct mx_buf *b)
{
	(void)a;
	mx_buf_printf(b, "%ju", (uintmax_t)mx_hll_estimate(s->u.hll));
}

/* ---- median, quantile: exact ---- */

static const char *
ck_num(const struct agg *a, const struct st *s, const struct mx_span *sp,
    struct pend *p)
{
	(void)s;
	return read_nums(a, sp, p);
}

static void
vals_add(struct st *s, const struct mx_dec *d)
{
	struct vals *v;

	if ((v = s->u.vals) == NULL) {
		v = s->u.vals = mx_calloc(1, sizeof *v);
		mem_add(sizeof *v);
	}
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 4;
		v->v = mx_reallocarray(v->v, v->cap, sizeof *v->v);
		mem_add(v->cap / 2 * sizeof *v->v);
	}
	v->v[v->n++] = *d;
	v->sorted = 0;
	s->n++;
}

static void
up_vals(struct st *s, const struct agg *a, const struct mx_span *sp,
    const struct pend *p)
{
	(void)a;
	(void)sp;
	vals_add(s, &p->x);
}

static void
pa_vals(struct mx_out *o, const struct st *s)
{
	size_t i;

	mx_out_putc(o, '[');
	for (i = 0; s->u.vals != NULL && i < s->u.vals->n; i++) {
		if (i > 0)
			mx_out_putc(o, ',');
		mx_out_putc(o, '"');
		put_dec(o, &s->u.vals->v[i]);
		mx_out_putc(o, '"');
	}
	mx_out_putc(o, ']');
}

static const char *
me_vals(struct st *s, const struct agg *a, const struct mx_span *v)
{
	struct mx_span e;
	struct mx_dec d;
	const char *q, *end;
	int inexact = 0;

	(void)a;
	if (v->kind != MX_JARR)
		return "a quantile state is an array of decimals";
	q = v->p + 1;
	end = v->p + v->n - 1;
	while (next_elem(&q, end, &e))
		if (dec_elem(&e, &d, &inexact) < 0)
			return "a quantile state is an array of decimals";
		else
			vals_add(s, &d);
	return NULL;
}

static int
deccmp(const void *x, const void *y)
{
	return mx_dec_cmp(x, y);
}

static void
fi_vals(const struct st *s, const struct agg *a, struct mx_buf *b)
{
	struct vals *v = s->u.vals;
	struct mx_dec r;
	char t[48];

	if (v == NULL || v->n == 0) {
		mx_buf_adds(b, "null");
		return;
	}
	if (!v->sorted) {
		qsort(v->v, v->n, sizeof *v->v, deccmp);
		v->sorted = 1;
	}
	mx_dec_quantile(v->v, v->n, &a->q, &r);
	mx_buf_add(b, t, (size_t)mx_dec_fmt(&r, t));
}

/* ---- approx_median, approx_quantile ---- */

static const char *
ck_sketch(const struct agg *a, const struct st *s, const struct mx_span *sp,
    struct pend *p)
{
	const struct mx_span *v = &sp[a->f[0]];
	static char msg[200];

	(void)s;
	if (v->kind == MX_JNONE || v->kind == MX_JNULL) {
		p->skip = 1;
		return NULL;
	}
	/* the text, read as the double nearest to it: no decimal needed */
	tmp.len = 0;
	if (v->kind == MX_JSTR)
		mx_json_unescape(v, &tmp);
	else if (v->kind == MX_JNUM)
		mx_buf_add(&tmp, v->p, v->n);
	if ((v->kind != MX_JNUM && v->kind != MX_JSTR) ||
	    !mx_json_isnum(tmp.p, tmp.len))
		return say_num(a, v, -1);
	p->d = strtod(mx_buf_cstr(&tmp), NULL);
	if (!isfinite(p->d)) {
		snprintf(msg, sizeof msg, "%s: %.*s is past the range of a "
		    "double", a->name, (int)(v->n > 60 ? 60 : v->n), v->p);
		return msg;
	}
	return NULL;
}

static void
sketch_add(struct st *s, int64_t idx, uint64_t n)
{
	if (s->u.sk == NULL) {
		s->u.sk = mx_calloc(1, sizeof *s->u.sk);
		mem_add(sizeof *s->u.sk);
	}
	s->n += n;
	mem_add(mx_qsketch_add(s->u.sk, idx, n));
}

static void
up_sketch(struct st *s, const struct agg *a, const struct mx_span *sp,
    const struct pend *p)
{
	(void)a;
	(void)sp;
	sketch_add(s, mx_qs_index(p->d), 1);
}

static void
pa_sketch(struct mx_out *o, const struct st *s)
{
	size_t i;

	mx_out_putc(o, '[');
	for (i = 0; s->u.sk != NULL && i < s->u.sk->n; i++) {
		if (i > 0)
			mx_out_putc(o, ',');
		mx_out_printf(o, "[%jd,%ju]", (intmax_t)s->u.sk->b[i].idx,
		    (uintmax_t)s->u.sk->b[i].n);
	}
	mx_out_putc(o, ']');
}

static const char *
me_sketch(struct st *s, const struct agg *a, const struct mx_span *v)
{
	struct mx_span e, x[2];
	const char *q, *end, *q2, *end2;
	char *ep;
	long long idx;
	uint64_t n;

	(void)a;
	if (v->kind != MX_JARR)
		return "an approximate quantile state is [[bucket, count], "
		    "...]";
	q = v->p + 1;
	end = v->p + v->n - 1;
	while (next_elem(&q, end, &e)) {
		if (e.kind != MX_JARR)
			return "an approximate quantile state is [[bucket, "
			    "count], ...]";
		q2 = e.p + 1;
		end2 = e.p + e.n - 1;
		if (!next_elem(&q2, end2, &x[0]) ||
		    !next_elem(&q2, end2, &x[1]) || q2 != end2 ||
		    x[0].kind != MX_JNUM || x[1].kind != MX_JNUM)
			return "an approximate quantile state is [[bucket, "
			    "count], ...]";
		idx = strtoll(x[0].p, &ep, 10);
		if (ep != x[0].p + x[0].n ||
		    idx > (MX_QS_OFF + 1100) * MX_QS_SUB ||
		    idx < -(MX_QS_OFF + 1100) * MX_QS_SUB)
			return "an approximate quantile bucket out of range";
		if (count_elem(&x[1], &n) < 0 || n == 0 ||
		    n > UINT64_MAX - s->n)
			return "an approximate quantile bucket's count is not "
			    "a count (digits, 1 to 2^64 - 1 in all)";
		sketch_add(s, idx, n);
	}
	return NULL;
}

static void
fi_sketch(const struct st *s, const struct agg *a, struct mx_buf *b)
{
	if (s->u.sk == NULL || s->n == 0) {
		mx_buf_adds(b, "null");
		return;
	}
	mx_buf_approx(b, mx_qsketch_quantile(s->u.sk, s->n,
	    mx_dec_double(&a->q)));
}

/* ---- variance, stddev ---- */

static const char *
ck_mom(const struct agg *a, const struct st *s, const struct mx_span *sp,
    struct pend *p)
{
	const char *why;
	struct mx_dec sq;

	if ((why = read_nums(a, sp, p)) != NULL || p->skip)
		return why;
	if (mx_dec_mul_wide(&p->x, &p->x, &sq, &p->inexact) < 0)
		return say_sum(a, "square of a value");
	if (s == NULL) {
		p->sum = p->x;
		p->sumsq = sq;
		return NULL;
	}
	p->sum = s->sum;
	p->sumsq = s->u.sumsq;
	if (mx_dec_add_wide(&p->sum, &p->x, &p->inexact) < 0)
		return say_sum(a, "sum");
	if (mx_dec_add_wide(&p->sumsq, &sq, &p->inexact) < 0)
		return say_sum(a, "sum of squares");
	return NULL;
}

static void
up_mom(struct st *s, const struct agg *a, const struct mx_span *sp,
    const struct pend *p)
{
	(void)a;
	(void)sp;
	s->n++;
	s->sum = p->sum;
	s->u.sumsq = p->sumsq;
}

static void
pa_mom(struct mx_out *o, const struct st *s)
{
	mx_out_putc(o, '[');
	mx_out_uint(o, s->n);
	mx_out_puts(o, ",\"");
	put_dec(o, &s->sum);
	mx_out_puts(o, "\",\"");
	put_dec(o, &s->u.sumsq);
	mx_out_puts(o, "\"]");
}

static const char *
me_mom(struct st *s, const struct agg *a, const struct mx_span *v)
{
	struct mx_span e[3];
	struct mx_dec d, dq, sum, sumsq;
	const char *q, *end;
	uint64_t n;
	int inexact = 0;

	(void)a;
	q = v->p + 1;
	end = v->p + v->n - 1;
	if (v->kind != MX_JARR || !next_elem(&q, end, &e[0]) ||
	    !next_elem(&q, end, &e[1]) || !next_elem(&q, end, &e[2]) ||
	    q != end || count_elem(&e[0], &n) < 0 ||
	    dec_elem(&e[1], &d, &inexact) < 0 ||
	    dec_elem(&e[2], &dq, &inexact) < 0)
		return "a variance state is [count, \"sum\", \"sum of "
		    "squares\"]";
	sum = s->sum;
	sumsq = s->u.sumsq;
	if (mx_dec_add_wide(&sum, &d, &inexact) < 0 ||
	    mx_dec_add_wide(&sumsq, &dq, &inexact) < 0)
		return "the merged sums would reach 10^38";
	s->n += n;
	s->sum = sum;
	s->u.sumsq = sumsq;
	return NULL;
}

static void
fi_mom(const struct st *s, const struct agg *a, struct mx_buf *b)
{
	int pop = a->fn == A_VARIANCE_POP || a->fn == A_STDDEV_POP;
	int root = a->fn == A_STDDEV || a->fn == A_STDDEV_POP;
	struct mx_dec r;
	char t[48];

	if (mx_dec_variance(s->n, !pop, &s->sum, &s->u.sumsq, root, opt.scale,
	    &r) < 0) {
		if (s->n > (uint64_t)!pop)
			mx_errx(MX_EXIT_FAIL, "%s: the %s does not fit 38 "
			    "digits at --scale %d", a->name, root ?
			    "standard deviation" : "variance", opt.scale);
		mx_buf_adds(b, "null");
		return;
	}
	mx_buf_add(b, t, (size_t)mx_dec_fmt(&r, t));
}

/* ---- releasing states ---- */

static void
re_val(struct st *s)
{
	free(s->u.val.p);
}

static void
re_distinct(struct st *s)
{
	mx_keyset_free(s->u.set);
}

static void
re_approx(struct st *s)
{
	free(s->u.hll);
}

static void
re_vals(struct st *s)
{
	if (s->u.vals != NULL)
		free(s->u.vals->v);
	free(s->u.vals);
}

static void
re_sketch(struct st *s)
{
	if (s->u.sk != NULL)
		free(s->u.sk->b);
	free(s->u.sk);
}

/* ---- the table ---- */

static const struct fn fns[] = {
	[A_COUNT] = { "count", "", 0, ARG_NONE, 0, -1, NULL, up_count,
	    pa_count, me_count, fi_count, NULL },
	[A_COUNTF] = { "count", "field", 1, ARG_NONE, 0, -1, NULL, up_countf,
	    pa_count, me_count, fi_count, NULL },
	[A_COUNT_IF] = { "count_if", "field value", 1, ARG_VALUE, 0, 0,
	    ck_cond, up_count, pa_count, me_count, fi_count, NULL },
	[A_SUM] = { "sum", "field", 1, ARG_NONE, 1, -1, ck_sum, up_sum,
	    pa_sum, me_sum, fi_sum, NULL },
	[A_SUM_IF] = { "sum_if", "field key value", 2, ARG_VALUE, 1, 1,
	    ck_sum, up_sum, pa_sum, me_sum, fi_sum, NULL },
	[A_SUM_PRODUCT] = { "sum_product", "a b", 2, ARG_NONE, 2, -1, ck_sum,
	    up_sum, pa_sum, me_sum, fi_sum, NULL },
	[A_SUM_PRODUCT_IF] = { "sum_product_if", "a b key value", 3,
	    ARG_VALUE, 2, 2, ck_sum, up_sum, pa_sum, me_sum, fi_sum, NULL },
	[A_AVG] = { "avg", "field", 1, ARG_NONE, 1, -1, ck_sum, up_sum,
	    pa_sum, me_sum, fi_avg, NULL },
	[A_MIN] = { "min", "field", 1, ARG_NONE, 0, -1, NULL, up_val, pa_val,
	    me_val, fi_val, re_val },
	[A_MAX] = { "max", "field", 1, ARG_NONE, 0, -1, NULL, up_val, pa_val,
	    me_val, fi_val, re_val },
	[A_FIRST] = { "first", "field", 1, ARG_NONE, 0, -1, NULL, up_val,
	    pa_val, me_val, fi_val, re_val },
	[A_LAST] = { "last", "field", 1, ARG_NONE, 0, -1, NULL, up_val,
	    pa_val, me_val, fi_val, re_val },
	[A_DISTINCT] = { "count_distinct", "field", 1, ARG_NONE, 0, -1, NULL,
	    up_distinct, pa_distinct, me_distinct, fi_distinct, re_distinct },
	[A_APPROX] = { "approx_distinct", "field", 1, ARG_NONE, 0, -1, NULL,
	    up_approx, pa_approx, me_approx, fi_approx, re_approx },
	[A_MEDIAN] = { "median", "field", 1, ARG_NONE, 1, -1, ck_num, up_vals,
	    pa_vals, me_vals, fi_vals, re_vals },
	[A_QUANTILE] = { "quantile", "field q", 1, ARG_Q, 1, -1, ck_num,
	    up_vals, pa_vals, me_vals, fi_vals, re_vals },
	[A_APPROX_MEDIAN] = { "approx_median", "field", 1, ARG_NONE, 1, -1,
	    ck_sketch, up_sketch, pa_sketch, me_sketch, fi_sketch, re_sketch },
	[A_APPROX_QUANTILE] = { "approx_quantile", "field q", 1, ARG_Q, 1,
	    -1, ck_sketch, up_sketch, pa_sketch, me_sketch, fi_sketch,
	    re_sketch },
	[A_VARIANCE] = { "variance", "field", 1, ARG_NONE, 1, -1, ck_mom,
	    up_mom, pa_mom, me_mom, fi_mom, NULL },
	[A_VARIANCE_POP] = { "variance_pop", "field", 1, ARG_NONE, 1, -1,
	    ck_mom, up_mom, pa_mom, me_mom, fi_mom, NULL },
	[A_STDDEV] = { "stddev", "field", 1, ARG_NONE, 1, -1, ck_mom, up_mom,
	    pa_mom, me_mom, fi_mom, NULL },
	[A_STDDEV_POP] = { "stddev_pop", "field", 1, ARG_NONE, 1, -1, ck_mom,
	    up_mom, pa_mom, me_mom, fi_mom, NULL },
};
_Static_assert(sizeof fns / sizeof fns[0] == A_NFN,
    "an aggregate of enum afn has no entry in fns[]");

/* The functions, for messages: "count, count_if, ..., ratio". */
static const char *
fn_list(void)
{
	static struct mx_buf b;
	int i;

	if (b.len > 0)
		return b.p;
	for (i = 0; i < A_NFN; i++)
		if (i == 0 || strcmp(fns[i].name, fns[i - 1].name) != 0)
			mx_buf_printf(&b, "%s, ", fns[i].name);
	mx_buf_adds(&b, "ratio");
	return mx_buf_cstr(&b);
}

/* ---- the command line ---- */

static int
sel_add(const char *path, const char *o, char *err, size_t errlen)
{
	int i = mx_sel_add(sel, path);

	if (i < 0)
		snprintf(err, errlen, "malformed field path '%s'", path);
	else
		(void)mx_seen_add(&named, o, path, i);
	return i;
}

/* Is name an output name already?  (then a message in err) */
static int
name_taken(const char *name, char *err, size_t errlen)
{
	size_t i;
	int twice = 0;

	for (i = 0; i < S->naggs; i++)
		twice |= strcmp(S->aggs[i].name, name) == 0;
	for (i = 0; i < S->nratios; i++)
		twice |= strcmp(S->ratios[i].name, name) == 0;
	if (twice) {
		snprintf(err, errlen, "'%s' is named twice", name);
		return 1;
	}
	for (i = 0; i < S->keys.n; i++)
		if (strcmp(S->keys.v[i].name, name) == 0) {
			snprintf(err, errlen, "'%s' is a group key", name);
			return 1;
		}
	return 0;
}

static void
col_add(int c)
{
	S->cols = mx_reallocarray(S->cols, S->ncols + 1, sizeof *S->cols);
	S->cols[S->ncols++] = c;
}

/* ratio(num,den[,scale]): the names are resolved once every -a and -g has
 * been read, since either may come later.  Takes name and args. */
static int
ratio_parse(char *name, char **args, size_t nargs, char *err, size_t errlen)
{
	struct ratio r;
	long long sc = 4;
	size_t i;

	memset(&r, 0, sizeof r);
	if (nargs < 2 || nargs > 3 || *args[0] == '\0' || *args[1] == '\0') {
		snprintf(err, errlen, "%s: ratio(num,den) or "
		    "ratio(num,den,scale)", name);
		goto fail;
	}
	if (nargs == 3 && ((sc = mx_parse_count(args[2])) < 0 ||
	    sc > MX_DEC_MAXSCALE)) {
		snprintf(err, errlen, "%s: the scale of a ratio is 0 to %d",
		    name, MX_DEC_MAXSCALE);
		goto fail;
	}
	if (name_taken(name, err, errlen))
		goto fail;
	r.name = name;
	r.arg[0] = args[0];
	r.arg[1] = args[1];
	r.scale = (int)sc;
	if (nargs == 3)
		free(args[2]);
	S->ratios = mx_reallocarray(S->ratios, S->nratios + 1, sizeof *S->ratios);
	S->ratios[S->nratios++] = r;
	col_add(-1 - (int)(S->nratios - 1));
	return 0;
fail:
	for (i = 0; i < nargs; i++)
		free(args[i]);
	free(name);
	return -1;
}

/* Find the column or key that argument k of r names; 0, or -1 with a
 * message in err. */
static int
ratio_resolve(struct ratio *r, int k, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < S->naggs; i++)
		if (strcmp(S->aggs[i].name, r->arg[k]) == 0) {
			r->col[k] = (int)i;
			return 0;
		}
	for (i = 0; i < S->keys.n; i++)
		if (strcmp(S->keys.v[i].name, r->arg[k]) == 0) {
			r->col[k] = -1 - (int)i;
			return 0;
		}
	for (i = 0; i < S->nratios; i++)
		if (strcmp(S->ratios[i].name, r->arg[k]) == 0)
			break;
	snprintf(err, errlen, "%s: '%s' is %s", r->name, r->arg[k],
	    i < S->nratios ? "a ratio; name an aggregate or a key" :
	    "neither an aggregate nor a key of this run");
	return -1;
}

/* The end of the argument that starts at s, in a list that ends at ')':
 * a comma or ')' outside a JSON string. */
static const char *
arg_end(const char *s)
{
	for (; *s != '\0' && *s != ',' && *s != ')'; s++)
		if (*s == '"')
			for (s++; *s != '\0' && *s != '"'; s++)
				if (*s == '\\' && s[1] != '\0')
					s++;
	return s;
}

/* Parse "name=fn(args)" at s (up to its ')'); returns the end, or NULL
 * with a message in err. */
static const char *
agg_parse(const char *s, char *err, size_t errlen)
{
	const char *eq, *lp, *rp, *a;
	char *args[8];
	struct agg g;
	size_t nargs = 0, i, fi, fnlen;
	int fn, named_fn = 0;

	memset(&g, 0, sizeof g);
	if ((eq = strchr(s, '=')) == NULL || (lp = strchr(s, '(')) == NULL ||
	    lp < eq || eq == s) {
		snprintf(err, errlen, "'%.40s': expected name=function(fields)",
		    s);
		return NULL;
	}
	/* the arguments, up to the ')' outside strings */
	for (a = lp + 1; ; a++) {
		const char *e = arg_end(a);

		if (*e == '\0') {
			snprintf(err, errlen, "'%.40s': no closing "
			    "parenthesis", s);
			goto fail;
		}
		if (nargs == sizeof args / sizeof args[0]) {
			snprintf(err, errlen, "'%.40s': too many arguments",
			    s);
			goto fail;
		}
		if (e > a || *e == ',' || nargs > 0)
			args[nargs++] = mx_strndup(a, (size_t)(e - a));
		a = e;
		if (*e == ')')
			break;
	}
	rp = a;
	fnlen = (size_t)(lp - eq - 1);
	g.name = mx_strndup(s, (size_t)(eq - s));
	if (fnlen == 5 && strncmp(eq + 1, "ratio", 5) == 0) {
		if (ratio_parse(g.name, args, nargs, err, errlen) < 0)
			return NULL;
		return rp + 1;
	}
	g.text = mx_strndup(s, (size_t)(rp - s + 1));
	for (fn = 0; fn < A_NFN; fn++) {
		size_t want = (size_t)fns[fn].nf + (fns[fn].arg != ARG_NONE);

		if (strlen(fns[fn].name) != fnlen ||
		    strncmp(fns[fn].name, eq + 1, fnlen) != 0)
			continue;
		named_fn = 1;
		if (want == nargs)
			break;
	}
	if (fn == A_NFN) {
		if (named_fn)
			snprintf(err, errlen, "'%.*s': not that many "
			    "arguments (see mx-agg(1))", (int)(rp - s + 1), s);
		else
			snprintf(err, errlen, "'%.*s': unknown function; the "
			    "functions are %s", (int)(rp - s + 1), s,
			    fn_list());
		goto fail;
	}
	g.fn = (enum afn)fn;
	g.nums = fns[fn].nums;
	g.cond = fns[fn].cond;
	for (fi = 0; fi < (size_t)fns[fn].nf; fi++)
		if ((g.f[fi] = sel_add(args[fi], "-a", err, errlen)) < 0)
			goto fail;
	if (fns[fn].arg == ARG_VALUE)
		mx_lit_parse(&g.v, args[nargs - 1], strlen(args[nargs - 1]));
	if (fns[fn].arg == ARG_Q) {
		static const struct mx_dec one = { 1, 0 };

		if (mx_dec_parse(args[nargs - 1], strlen(args[nargs - 1]),
		    &g.q) < 0 || g.q.v < 0 || mx_dec_cmp(&g.q, &one) > 0) {
			snprintf(err, errlen, "%s: the quantile is a number "
			    "from 0 to 1, not '%s'", g.name, args[nargs - 1]);
			goto fail;
		}
	} else {
		g.q.v = 5;
		g.q.scale = 1;
	}
	if (name_taken(g.name, err, errlen))
		goto fail;
	for (i = 0; i < nargs; i++)
		free(args[i]);
	S->aggs = mx_reallocarray(S->aggs, S->naggs + 1, sizeof *S->aggs);
	S->aggs[S->naggs++] = g;
	col_add((int)S->naggs - 1);
	return rp + 1;
fail:
	for (i = 0; i < nargs; i++)
		free(args[i]);
	free(g.name);
	free(g.text);
	mx_lit_free(&g.v);
	return NULL;
}

static void
aggs_opt(const char *s)
{
	char err[1024];

	for (;;) {
		if ((s = agg_parse(s, err, sizeof err)) == NULL) {
			mx_warnx("-a: %s", err);
			usage();
		}
		if (*s == '\0')
			return;
		if (*s != ',') {
			mx_warnx("-a: expected ',' after a function");
			usage();
		}
		s++;
	}
}

static void
where_opt(const char *s)
{
	const char **paths;
	char err[512];
	int *f;
	size_t i, n;

	if (mx_where_add(S->where, s, sel, err, sizeof err) < 0) {
		mx_warnx("-w: %s", err);
		usage();
	}
	/* the fields it named, for the warning of fields no record had */
	n = mx_where_fields(S->where, &f, &paths);
	for (i = 0; i < n; i++)
		(void)mx_seen_add(&named, "-w", paths[i], f[i]);
	free(f);
	free(paths);
	mx_buf_printf(&S->wtext, " -w %s", s);
}

/* ---- groups ---- */

/* Is the group of the key bytes in kb the one last found? */
static int
group_last(void)
{
	return S->last != SIZE_MAX && kb.len == S->lastkb.len &&
	    (kb.len == 0 || memcmp(kb.p, S->lastkb.p, kb.len) == 0);
}

/* The group of the key values kv[0..keys.n) (JSON texts, whose canonical
 * bytes are in kb), created when new. */
static struct group *
group_of(const char *const *kv, const uint32_t *kn)
{
	struct mx_h128 h;
	struct group *g;
	uint64_t *slot;
	size_t i, len = 0;
	int isnew;

	if (group_last())
		return &S->gv[S->last];
	S->lastkb.len = 0;
	mx_buf_add(&S->lastkb, kb.p, kb.len);
	h = mx_hash128(kb.p, kb.len);
	if ((slot = mx_keyset_put(S->groups, h, &isnew)) == NULL)
		mx_errx(MX_EXIT_FAIL, "out of memory for groups");
	if (!isnew) {
		S->last = *slot - 1;
		return &S->gv[S->last];
	}
	if (S->ng == S->gcap) {
		S->gcap = S->gcap ? S->gcap * 2 : 1024;
		S->gv = mx_reallocarray(S->gv, S->gcap, sizeof *S->gv);
	}
	*slot = S->ng + 1;
	S->last = S->ng;
	g = &S->gv[S->ng++];
	for (i = 0; i < S->keys.n; i++)
		len += kn[i] + 1;
	g->key = mx_malloc(len + 1);
	g->keylen = (uint32_t)len;
	for (len = 0, i = 0; i < S->keys.n; i++) {
		memcpy(g->key + len, kv[i], kn[i]);
		len += kn[i];
		g->key[len++] = '\0';
	}
	g->st = mx_calloc(S->naggs ? S->naggs : 1, sizeof *g->st);
	mem_add(sizeof *g + len + S->naggs * sizeof *g->st + 64);
	return g;
}

/* The group of the key bytes in kb, or NULL when there is none yet. */
static struct group *
group_find(void)
{
	uint64_t *slot;

	if (group_last())
		return &S->gv[S->last];
	slot = mx_keyset_get(S->groups, mx_hash128(kb.p, kb.len));
	return slot != NULL ? &S->gv[*slot - 1] : NULL;
}

/* ---- input ---- */

/* A record that cannot be aggregated: rejected, or the end of the run. */
static int
bad(const char *rule, const char *why, const char *p, size_t n)
{
	if (rej == NULL)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(curname), curline,
		    why);
	mx_reject_write(rej, "mx-agg", mx_name(curname), curline, rule, why,
	    p, n);
	nrej++;
	return -1;
}

/* The record p of n bytes, its fields in sp, into the set S: a record bad
 * for one set counts in the others, as separate runs would have it. */
static void
set_record(const struct mx_span *sp, const char *p, size_t n)
{
	const char *kv[64], *why;
	uint32_t kn[64];
	char ktmp[64][MX_EXPR_TMP];
	struct mx_span v;
	struct group *g;
	char msg[256];
	size_t i;
	int isbad;

	if (!mx_where_match(S->where, sp))
		return;
	kb.len = 0;
	for (i = 0; i < S->keys.n; i++) {
		isbad = 0;
		mx_expr_eval(&S->keys.v[i], sp, &v, ktmp[i], &isbad);
		if (isbad) {
			const struct mx_span *w = &sp[S->keys.v[i].sel];

			snprintf(msg, sizeof msg, "%s: %s(%s): %.*s is not a "
			    "time", S->keys.v[i].name,
			    mx_efn_names[S->keys.v[i].fn], S->keys.v[i].path,
			    (int)(w->n > 60 ? 60 : w->n), w->p);
			bad("key", msg, p, n);
			return;
		}
		if (v.kind == MX_JNONE) {
			v.p = "null";
			v.n = 4;
			v.kind = MX_JNULL;
		}
		kv[i] = v.p;
		kn[i] = v.n;
		mx_json_canon(&v, &kb);
	}
	/* every value read, and every sum worked out, before any state
	 * changes: a bad record counts nowhere */
	g = S->anycheck ? group_find() : NULL;
	for (i = 0; i < S->naggs; i++) {
		S->pend[i].skip = S->pend[i].inexact = 0;
		if (fns[S->aggs[i].fn].check != NULL && (why =
		    fns[S->aggs[i].fn].check(&S->aggs[i], g != NULL ? &g->st[i] :
		    NULL, sp, &S->pend[i])) != NULL) {
			bad("number", why, p, n);
			return;
		}
	}
	g = group_of(kv, kn);
	for (i = 0; i < S->naggs; i++) {
		if (S->pend[i].skip)
			continue;
		fns[S->aggs[i].fn].update(&g->st[i], &S->aggs[i], sp, &S->pend[i]);
		if (S->pend[i].inexact && !S->aggs[i].warned) {
			mx_warnx("%s:%ju: %s: a value or sum needs more "
			    "than 38 digits: rounded half away from zero",
			    mx_name(curname), curline, S->aggs[i].name);
			S->aggs[i].warned = 1;
		}
	}
}

static void
record(struct mx_json *js, struct mx_span *sp, const char *p, size_t n)
{
	size_t k;

	if (mx_json_scan(js, p, n, sp, 1) < 0) {
		bad("json", mx_json_errstr(js), p, n);
		return;
	}
	mx_seen_spans(&named, sp);
	for (k = 0; k < nsets; k++) {
		S = &sets[k];
		set_record(sp, p, n);
	}
}

/* ---- partial states ---- */

static void
put_partial(struct mx_out *o, const struct group *g)
{
	size_t i, n;
	const char *p;

	/* (the spec quoted once: every line carries it) */
	if (S->qspec.len == 0) {
		mx_buf_adds(&S->qspec, "{\"_mx_agg\":");
		mx_json_quote(&S->qspec, S->spec.p, S->spec.len);
		mx_buf_adds(&S->qspec, ",\"key\":[");
	}
	mx_out_write(o, S->qspec.p, S->qspec.len);
	for (p = g->key, i = 0; i < S->keys.n; i++) {
		if (i > 0)
			mx_out_putc(o, ',');
		n = strlen(p);
		mx_out_write(o, p, n);
		p += n + 1;
	}
	mx_out_puts(o, "],\"s\":[");
	for (i = 0; i < S->naggs; i++) {
		if (i > 0)
			mx_out_putc(o, ',');
		fns[S->aggs[i].fn].partial(o, &g->st[i]);
	}
	mx_out_puts(o, "]}\n");
}

/* Can the states of the partial line (its spans sp) be merged into their
 * group?  0, or -1 when the line was rejected. */
static int
merge_check(const struct mx_span *sp, const char *p, size_t n)
{
	static struct st *scratch;
	struct group *g = group_find();
	struct mx_span v;
	struct mx_dec d;
	const char *q, *e, *why = NULL;
	char msg[256];
	size_t i, mem = S->membytes;
	int inexact = 0;

	if (scratch == NULL)
		scratch = mx_calloc(S->naggs ? S->naggs : 1, sizeof *scratch);
	q = sp[2].p + 1;
	e = sp[2].p + sp[2].n - 1;
	for (i = 0; i < S->naggs; i++) {
		const struct fn *f = &fns[S->aggs[i].fn];

		memset(&scratch[i], 0, sizeof scratch[i]);
		next_elem(&q, e, &v);
		why = f->merge(&scratch[i], &S->aggs[i], &v);
		if (why == NULL && g != NULL && (f->merge == me_sum ||
		    f->merge == me_mom)) {
			d = g->st[i].sum;
			if (mx_dec_add_wide(&d, &scratch[i].sum, &inexact) < 0)
				why = "the merged sum would reach 10^38";
			d = g->st[i].u.sumsq;
			if (f->merge == me_mom && mx_dec_add_wide(&d,
			    &scratch[i].u.sumsq, &inexact) < 0)
				why = "the merged sum of squares would reach "
				    "10^38";
		}
		if (why == NULL && g != NULL &&
		    scratch[i].n > UINT64_MAX - g->st[i].n)
			why = "the merged count would pass 2^64 - 1";
		if (f->release != NULL)
			f->release(&scratch[i]);
		if (why != NULL)
			break;
	}
	S->membytes = mem;
	if (why == NULL)
		return 0;
	snprintf(msg, sizeof msg, "%s: %s", S->aggs[i].name, why);
	bad("partial", msg, p, n);
	return -1;
}

/* One line of a partial output. */
static void
merge_line(struct mx_json *js, struct mx_span *sp, const char *p, size_t n)
{
	const char *kv[64], *q, *e;
	uint32_t kn[64];
	struct mx_span v;
	struct group *g;
	size_t i;

	if (mx_json_scan(js, p, n, sp, 1) < 0) {
		bad("json", mx_json_errstr(js), p, n);
		return;
	}
	tmp.len = 0;
	if (sp[0].kind == MX_JSTR)
		mx_json_unescape(&sp[0], &tmp);
	if (sp[0].kind != MX_JSTR || tmp.len != S->spec.len ||
	    memcmp(tmp.p, S->spec.p, S->spec.len) != 0) {
		bad("partial", sp[0].kind != MX_JSTR ? "not a line of mx-agg "
		    "--partial" : "a partial of other options: --merge needs "
		    "the -g, -a and -w of --partial", p, n);
		return;
	}
	if (sp[1].kind != MX_JARR || sp[2].kind != MX_JARR) {
		bad("partial", "no key or no states", p, n);
		return;
	}
	kb.len = 0;
	q = sp[1].p + 1;
	e = sp[1].p + sp[1].n - 1;
	for (i = 0; i < S->keys.n; i++) {
		if (!next_elem(&q, e, &v)) {
			bad("partial", "fewer key values than -g has", p, n);
			return;
		}
		kv[i] = v.p;
		kn[i] = v.n;
		mx_json_canon(&v, &kb);
	}
	if (q != e) {
		bad("partial", "more key values than -g has", p, n);
		return;
	}
	q = sp[2].p + 1;
	e = sp[2].p + sp[2].n - 1;
	for (i = 0; i < S->naggs; i++)
		if (!next_elem(&q, e, &v))
			break;
	if (i < S->naggs || q != e) {
		bad("partial", "not as many states as -a has aggregates", p, n);
		return;
	}
	/* Every state read into a scratch one first, and every sum tried
	 * against the group's: a bad line changes nothing. */
	if (merge_check(sp, p, n) < 0)
		return;
	g = group_of(kv, kn);
	q = sp[2].p + 1;
	for (i = 0; i < S->naggs; i++) {
		next_elem(&q, e, &v);
		(void)fns[S->aggs[i].fn].merge(&g->st[i], &S->aggs[i], &v);
	}
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
		if (opt.merge)
			merge_line(js, sp, line, (size_t)n);
		else
			record(js, sp, line, (size_t)n);
	}
	mx_reader_close(&r);
}

/* Forget every group, as if no record had been read (--each: the next
 * job starts afresh; the counts of -v and the fields seen go on). */
static void
groups_reset(void)
{
	size_t i, k, j;

	for (j = 0; j < nsets; j++) {
		S = &sets[j];
		for (i = 0; i < S->ng; i++) {
			for (k = 0; k < S->naggs; k++)
				if (fns[S->aggs[k].fn].release != NULL)
					fns[S->aggs[k].fn].release(
					    &S->gv[i].st[k]);
			free(S->gv[i].st);
			free(S->gv[i].key);
		}
		S->ng = 0;
		S->membytes = 0;
		S->last = SIZE_MAX;
		S->lastkb.len = 0;
		mx_keyset_free(S->groups);
		S->groups = mx_keyset_new(8);
	}
}

/* ---- output ---- */

/* The spans of each group's key values, group i's from keyspans[i *
 * keys.n]: found once for the sorts of output(), not at every compare
 * (which two strlen and a memchr a value made most of the sort's cost). */
static struct mx_span *keyspans;

static void
find_keyspans(void)
{
	size_t g, i, n;
	const char *p;

	keyspans = mx_reallocarray(NULL, S->ng * S->keys.n + 1,
	    sizeof *keyspans);
	for (g = 0; g < S->ng; g++)
		for (i = 0, p = S->gv[g].key; i < S->keys.n; i++) {
			n = strlen(p);
			mx_span_of(p, n, &keyspans[g * S->keys.n + i]);
			p += n + 1;
		}
}

static int
keycmp(const struct group *a, const struct group *b)
{
	const struct mx_span *x = &keyspans[(a - S->gv) * S->keys.n];
	const struct mx_span *y = &keyspans[(b - S->gv) * S->keys.n];
	size_t i;
	int c;

	for (i = 0; i < S->keys.n; i++)
		if ((c = mx_order_total(&x[i], &y[i])) != 0)
			return c;
	return 0;
}

static int
bykey(const void *x, const void *y)
{
	return keycmp(*(struct group *const *)x, *(struct group *const *)y);
}

/* The final value of aggregate i of g, as JSON text in b. */
static void
final(const struct group *g, size_t i, struct mx_buf *b)
{
	b->len = 0;
	fns[S->aggs[i].fn].final(&g->st[i], &S->aggs[i], b);
}

static const char *
keyval(const struct group *g, size_t i, size_t *n)
{
	const char *p = g->key;

	while (i-- > 0)
		p += strlen(p) + 1;
	*n = strlen(p);
	return p;
}

/* The decimal of a figure or key written as JSON text: a number, or a
 * number in a string; -1 for anything else (null included). */
static int
dec_of_text(const char *p, size_t n, struct mx_dec *d)
{
	struct mx_span v;
	int inexact = 0;

	mx_span_of(p, n, &v);
	return num_read(&v, d, &inexact) == 0 ? 0 : -1;
}

/* The value of ratio r of g, as JSON text in b. */
static void
ratio_final(const struct group *g, struct ratio *r, struct mx_buf *b)
{
	struct mx_buf t = { 0 };
	struct mx_dec d[2], q;
	const char *p;
	char out[48];
	size_t n;
	int k, ok = 1;

	for (k = 0; k < 2; k++) {
		if (r->col[k] >= 0) {
			final(g, (size_t)r->col[k], &t);
			p = t.p;
			n = t.len;
		} else
			p = keyval(g, (size_t)(-1 - r->col[k]), &n);
		if (ok && dec_of_text(p, n, &d[k]) < 0)
			ok = 0;
	}
	mx_buf_free(&t);
	b->len = 0;
	if (!ok || mx_dec_iszero(&d[1])) {
		mx_buf_adds(b, "null");
		return;
	}
	if (mx_dec_div(&d[0], &d[1], r->scale, &q) < 0) {
		if (!r->warned)
			mx_warnx("%s: a quotient does not fit 38 digits: "
			    "written as null", r->name);
		r->warned = 1;
		mx_buf_adds(b, "null");
		return;
	}
	mx_buf_add(b, out, (size_t)mx_dec_fmt_scale(&q, r->scale, out));
}

/* The final value of column c (see cols) of g, as JSON text in b. */
static void
col_final(const struct group *g, int c, struct mx_buf *b)
{
	if (c >= 0)
		final(g, (size_t)c, b);
	else
		ratio_final(g, &S->ratios[-1 - c], b);
}

static const char *
col_name(int c)
{
	return c >= 0 ? S->aggs[c].name : S->ratios[-1 - c].name;
}


static int
bytop(const void *x, const void *y)
{
	size_t i = *(const size_t *)x, j = *(const size_t *)y, an, bn;
	struct mx_span sa, sb;
	const char *a, *b;
	int c;

	if (S->bycolset) {
		a = S->byval[i].p;
		an = S->byval[i].len;
		b = S->byval[j].p;
		bn = S->byval[j].len;
	} else {
		a = keyval(&S->gv[i], S->bykeyi, &an);
		b = keyval(&S->gv[j], S->bykeyi, &bn);
	}
	mx_span_of(a, an, &sa);
	mx_span_of(b, bn, &sb);
	if ((c = mx_order_cmp(&sb, &sa)) != 0)
		return c;
	return keycmp(&S->gv[i], &S->gv[j]);
}

static void
output(struct mx_out *o)
{
	struct mx_buf v = { 0 };
	struct group **order;
	size_t *top = NULL, i, k, n = S->ng, kn;
	const char *kp;

	order = mx_reallocarray(NULL, S->ng ? S->ng : 1, sizeof *order);
	for (i = 0; i < S->ng; i++)
		order[i] = &S->gv[i];
	find_keyspans();
	qsort(order, S->ng, sizeof *order, bykey);
	if (S->top >= 0 && !S->partial) {
		top = mx_reallocarray(NULL, S->ng ? S->ng : 1, sizeof *top);
		if (S->bycolset) {
			S->byval = mx_calloc(S->ng ? S->ng : 1, sizeof *S->byval);
			for (i = 0; i < S->ng; i++)
				col_final(&S->gv[i], S->bycol, &S->byval[i]);
		}
		/* the group indexes in key order, then by the column */
		for (i = 0; i < S->ng; i++)
			top[i] = (size_t)(order[i] - S->gv);
		qsort(top, S->ng, sizeof *top, bytop);
		if ((unsigned long long)S->top < n)
			n = (size_t)S->top;
		for (i = 0; i < n; i++)
			order[i] = &S->gv[top[i]];
	}
	for (k = 0; k < n; k++) {
		const struct group *g = order[k];

		if (S->partial) {
			put_partial(o, g);
			continue;
		}
		mx_out_putc(o, '{');
		for (i = 0; i < S->keys.n; i++) {
			if (i > 0)
				mx_out_putc(o, ',');
			mx_out_jstr(o, S->keys.v[i].name, strlen(S->keys.v[i].name));
			mx_out_putc(o, ':');
			kp = keyval(g, i, &kn);
			mx_out_write(o, kp, kn);
		}
		for (i = 0; i < S->ncols; i++) {
			const char *name = col_name(S->cols[i]);

			if (i > 0 || S->keys.n > 0)
				mx_out_putc(o, ',');
			mx_out_jstr(o, name, strlen(name));
			mx_out_putc(o, ':');
			col_final(g, S->cols[i], &v);
			mx_out_write(o, v.p, v.len);
		}
		mx_out_puts(o, "}\n");
	}
	free(order);
	free(top);
	free(keyspans);
	keyspans = NULL;
	mx_buf_free(&v);
}

/* The fields named that no record had: a warning each, or with --strict
 * an error. */
static void
unseen(void)
{
	if (!opt.merge && mx_seen_report(&named, mx_opt_strict) > 0 &&
	    mx_opt_strict)
		exit(MX_EXIT_FAIL);
}

/* Aggregate the inputs into o[k], the output of set k: a run without
 * --each (job 0), or one job of it. */
static void
run(int argc, char *argv[], struct mx_json *js, struct mx_span *sp,
    struct mx_out **o, int job)
{
	size_t k, b;
	int i;

	S = &sets[0];
	if (argc == 0)
		input("-", js, sp);
	for (i = 0; i < argc; i++)
		input(argv[i], js, sp);
	/* before any output (--each: after every job, in main) */
	if (!job)
		unseen();
	if ((b = state_bytes(NULL)) > peakbytes)
		peakbytes = b;
	for (k = 0; k < nsets; k++) {
		S = &sets[k];
		/* a global aggregate of no records is still one row */
		if (S->keys.n == 0 && S->ng == 0 && !S->partial) {
			kb.len = 0;
			group_of(NULL, NULL);
		}
		output(o[k]);
		ngout += S->ng;
	}
}

/* --each LIST: a job a line, "OUT<tab>INPUT<tab>INPUT..." (with sets, an
 * OUT for each set, in their order), each its own run over its inputs
 * into OUT, published whole when the job ends (as mx_out_open does: a
 * temporary file, fsync, rename), so that a failure leaves the outputs of
 * the jobs before it and nothing of its own.  One process instead of one
 * per job: what the lake's partials cost was starting them. */
static void
each(const char *list, struct mx_json *js, struct mx_span *sp)
{
	struct mx_reader r;
	struct mx_out **o;
	struct mx_buf b = { 0 };
	const char *line;
	char **f = NULL;
	size_t nf, cap = 0, i;
	ssize_t n;

	o = mx_reallocarray(NULL, nsets, sizeof *o);
	if (mx_reader_open(&r, list) < 0)
		mx_err(MX_EXIT_FAIL, "%s", mx_name(list));
	while ((n = mx_reader_line(&r, &line)) >= 0) {
		if (n == 0)
			continue;
		b.len = 0;
		mx_buf_add(&b, line, (size_t)n);
		for (nf = 1, i = 0; i < (size_t)n; i++)
			nf += line[i] == '\t';
		if (nf + 1 > cap) {
			cap = nf + 1;
			f = mx_reallocarray(f, cap, sizeof *f);
		}
		(void)mx_buf_cstr(&b);
		f[0] = strtok(b.p, "\t");
		for (nf = 1; (f[nf] = strtok(NULL, "\t")) != NULL; nf++)
			;
		if (f[0] == NULL || nf < nsets + 1) {
			if (nsets == 1)
				mx_errx(MX_EXIT_FAIL, "%s:%ju: expected an "
				    "output file, a tab and the input files",
				    mx_name(list), (uintmax_t)r.lineno);
			mx_errx(MX_EXIT_FAIL, "%s:%ju: expected %zu output "
			    "files (one a set), then the input files, "
			    "separated by tabs", mx_name(list),
			    (uintmax_t)r.lineno, nsets);
		}
		for (i = 0; i < nsets; i++)
			o[i] = mx_out_open(f[i]);
		run((int)(nf - nsets), f + nsets, js, sp, o, 1);
		for (i = 0; i < nsets; i++)
			mx_out_close(o[i]);
		groups_reset();
	}
	mx_reader_close(&r);
	mx_buf_free(&b);
	free(f);
	free(o);
}

/* Begin a set: the -g, -a, -w, --top, --by, --partial and -o that follow
 * are its own. */
static void
set_begin(void)
{
	sets = mx_reallocarray(sets, nsets + 1, sizeof *sets);
	S = &sets[nsets++];
	memset(S, 0, sizeof *S);
	S->where = mx_where_new();
	S->top = -1;
	S->last = SIZE_MAX;
	S->bycol = -1;
	S->groups = mx_keyset_new(8);
}

/* The set's options are all read: check them together, and write its
 * spec. */
static void
set_end(void)
{
	char err[256];
	size_t i, k;

	if ((S->top >= 0) != (S->by != NULL)) {
		mx_warnx("--top and --by go together");
		usage();
	}
	/* the default count, when no -a named a column */
	if (S->ncols == 0)
		aggs_opt("count=count()");
	for (i = 0; i < S->ncols; i++)
		for (k = 0; k < S->keys.n; k++)
			if (strcmp(col_name(S->cols[i]), S->keys.v[k].name) ==
			    0) {
				mx_warnx("-a: '%s' is a group key",
				    S->keys.v[k].name);
				usage();
			}
	for (i = 0; i < S->nratios; i++)
		if (ratio_resolve(&S->ratios[i], 0, err, sizeof err) < 0 ||
		    ratio_resolve(&S->ratios[i], 1, err, sizeof err) < 0) {
			mx_warnx("-a: %s", err);
			usage();
		}
	if (S->by != NULL) {
		for (i = 0; i < S->ncols; i++)
			if (strcmp(col_name(S->cols[i]), S->by) == 0) {
				S->bycol = S->cols[i];
				S->bycolset = 1;
			}
		for (i = 0; !S->bycolset && i < S->keys.n; i++)
			if (strcmp(S->keys.v[i].name, S->by) == 0)
				break;
		if (!S->bycolset && i == S->keys.n) {
			mx_warnx("--by %s: not an output name", S->by);
			usage();
		}
		S->bykeyi = i;
	}
	S->pend = mx_calloc(S->naggs ? S->naggs : 1, sizeof *S->pend);
	for (i = 0; i < S->naggs; i++)
		S->anycheck |= fns[S->aggs[i].fn].check != NULL;

	/* what --merge checks: the options that shape the states */
	mx_buf_printf(&S->spec, "1 -g %s", S->gspec != NULL ? S->gspec : "");
	for (i = 0; i < S->naggs; i++)
		mx_buf_printf(&S->spec, " -a %s", S->aggs[i].text);
	mx_buf_add(&S->spec, S->wtext.p, S->wtext.len);
	mx_buf_cstr(&S->spec);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "top", required_argument, NULL, 'T' },
		{ "by", required_argument, NULL, 'B' },
		{ "scale", required_argument, NULL, 'S' },
		{ "partial", no_argument, NULL, 'P' },
		{ "merge", no_argument, NULL, 'M' },
		{ "each", required_argument, NULL, 'E' },
		{ "set", no_argument, NULL, 'N' },
		MX_REJECTS_LONGOPT,
		{ "memory", required_argument, NULL, 'm' },
		{ "where", required_argument, NULL, 'w' },
		MX_STRICT_LONGOPT,
		MX_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct mx_sel *psel = NULL;
	struct mx_json *js;
	struct mx_span *sp;
	struct mx_out **out;
	const char *list = NULL;
	char err[256];
	size_t i, nstdout = 0;
	int c;

	mx_init(argv[0]);
	sel = mx_sel_new();
	set_begin();
	while ((c = mx_getopt(argc, argv, "a:g:o:vw:", longopts, NULL,
	    synopsis)) != -1)
		switch (c) {
		case 'g':
			if (S->gspec != NULL) {
				mx_warnx("-g: give the keys once, separated "
				    "by commas");
				usage();
			}
			S->gspec = optarg;
			if (mx_exprs_parse(&S->keys, optarg, sel, err,
			    sizeof err) < 0) {
				mx_warnx("-g: %s", err);
				usage();
			}
			if (S->keys.n > 64) {
				mx_warnx("-g: at most 64 keys");
				usage();
			}
			for (i = 0; i < S->keys.n; i++)
				(void)sel_add(S->keys.v[i].path, "-g", err,
				    sizeof err);
			break;
		case 'a':
			aggs_opt(optarg);
			break;
		case 'w':
			where_opt(optarg);
			break;
		case 'o':
			if (S->out != NULL) {
				mx_warnx("-o: one output a set (--set "
				    "begins another)");
				usage();
			}
			S->out = optarg;
			break;
		case 'N':
			set_end();
			set_begin();
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'T':
			if ((S->top = mx_parse_count(optarg)) < 0) {
				mx_warnx("--top: a count");
				usage();
			}
			break;
		case 'B':
			S->by = optarg;
			break;
		case 'S':
			if ((opt.scale = (int)mx_parse_count(optarg)) < 0 ||
			    opt.scale > MX_DEC_MAXSCALE) {
				mx_warnx("--scale: 0 to %d", MX_DEC_MAXSCALE);
				usage();
			}
			break;
		case 'P':
			S->partial = 1;
			break;
		case 'M':
			opt.merge = 1;
			break;
		case 'E':
			list = optarg;
			break;
		case 'm':
			if ((opt.memory = mx_size_opt("--memory", optarg)) < 0)
				usage();
			break;
		default:
			usage();
		}
	set_end();
	argc -= optind;
	argv += optind;
	for (i = 0; i < nsets; i++) {
		if (sets[i].partial && opt.merge) {
			mx_warnx("--partial and --merge: one or the other");
			usage();
		}
		nstdout += sets[i].out == NULL;
	}
	if (opt.merge && nsets > 1) {
		mx_warnx("--merge: one set (merge each set's partials apart)");
		usage();
	}
	if (list != NULL && nstdout < nsets) {
		mx_warnx("--each: the output files are in the list, not -o");
		usage();
	}
	if (list == NULL && nstdout > 1) {
		mx_warnx("--set: every set but one needs -o: only one may "
		    "write to standard output");
		usage();
	}
	if (list != NULL && argc > 0) {
		mx_warnx("--each: the input files are in the list");
		usage();
	}

	if (opt.merge) {
		psel = mx_sel_new();
		mx_sel_add(psel, "_mx_agg");
		mx_sel_add(psel, "key");
		mx_sel_add(psel, "s");
		js = mx_json_new(psel);
		sp = mx_calloc(3, sizeof *sp);
	} else {
		js = mx_json_new(sel);
		sp = mx_calloc((size_t)mx_sel_count(sel) + 1, sizeof *sp);
	}
	if (mx_opt_rejects != NULL)
		rej = mx_out_open(mx_opt_rejects);
	if (list != NULL) {
		each(list, js, sp);
		unseen();
	} else {
		/* every output opened before any is written: a file that
		 * cannot be made ends the run before the reading */
		out = mx_reallocarray(NULL, nsets, sizeof *out);
		for (i = 0; i < nsets; i++)
			out[i] = sets[i].out != NULL ?
			    mx_out_open(sets[i].out) : mx_out_stdout();
		run(argc, argv, js, sp, out, 0);
		for (i = 0; i < nsets; i++)
			if (sets[i].out != NULL)
				mx_out_close(out[i]);
		free(out);
	}
	if (rej != NULL)
		mx_out_close(rej);
	mx_progress_clear();
	if (opt.verbose)
		fprintf(stderr, "mx-agg: %ju %s in, %zu groups out, %ju "
		    "rejected, %ju blank, %zu bytes of state of at most %lld "
		    "(--memory)\n", nin,
		    opt.merge ? "partial lines" : "records", ngout, nrej, nblank,
		    peakbytes, opt.memory);
	mx_out_close(mx_out_stdout());
	mx_json_free(js);
	mx_sel_free(psel);
	free(sp);
	return MX_EXIT_OK;
}
