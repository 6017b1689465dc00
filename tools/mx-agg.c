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
 * --partial writes the state of every group instead of its figures, and
 * --merge reads such states back: slices aggregated apart and merged give
 * what one pass gives, which is what parallel runs over partitions need.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mx.h"

enum afn { A_COUNT, A_COUNTF, A_COUNT_IF, A_SUM, A_SUM_PRODUCT, A_SUM_IF,
    A_SUM_PRODUCT_IF, A_MIN, A_MAX, A_AVG, A_DISTINCT, A_APPROX, A_FIRST,
    A_LAST };

/* name, number of field arguments, whether a literal value comes last */
static const struct {
	const char	*name;
	int		 nf, lit;
} fns[] = {
	[A_COUNT] = { "count", 0, 0 },
	[A_COUNTF] = { "count", 1, 0 },
	[A_COUNT_IF] = { "count_if", 1, 1 },
	[A_SUM] = { "sum", 1, 0 },
	[A_SUM_PRODUCT] = { "sum_product", 2, 0 },
	[A_SUM_IF] = { "sum_if", 2, 1 },
	[A_SUM_PRODUCT_IF] = { "sum_product_if", 3, 1 },
	[A_MIN] = { "min", 1, 0 },
	[A_MAX] = { "max", 1, 0 },
	[A_AVG] = { "avg", 1, 0 },
	[A_DISTINCT] = { "count_distinct", 1, 0 },
	[A_APPROX] = { "approx_distinct", 1, 0 },
	[A_FIRST] = { "first", 1, 0 },
	[A_LAST] = { "last", 1, 0 },
};
#define NFN	(sizeof fns / sizeof fns[0])

/* A value to compare a field with: its canonical bytes (mx_json_canon),
 * and its JSON text for the common case of a field written the same way. */
struct lit {
	struct mx_buf	canon, text;
	int		isnull;
};

struct agg {
	char		*name;
	char		*text;		/* as given, for the partial's spec */
	int		 fn;
	int		 f[3];		/* selection indexes of the fields */
	struct lit	 v;		/* the value of *_if */
};

/* A column computed from two others when the figures are written, so it is
 * never a state: partials do not carry it and a merge may add it. */
struct ratio {
	char		*name;
	char		*arg[2];	/* numerator, denominator: output names */
	int		 col[2];	/* an aggregate, or -1 - a key's index */
	int		 scale;
	int		 warned;	/* a quotient past 38 digits was seen */
};

struct cond {
	int		 f, neg;
	struct lit	 v;
	char		*text;
};

/* HyperLogLog with 2^14 one-byte registers: standard error 1.04/128. */
#define HLL_P	14
#define HLL_M	(1 << HLL_P)

/* The state of one aggregate of one group. */
struct st {
	uint64_t	 n;		/* count; values summed or averaged */
	struct mx_dec	 sum;
	char		*val;		/* min, max, first, last: JSON text */
	uint32_t	 vlen;
	struct mx_keyset *set;		/* count_distinct */
	uint8_t		*hll;		/* approx_distinct */
};

struct group {
	char		*key;		/* the key values: JSON texts, each
					 * followed by NUL */
	uint32_t	 keylen;
	struct st	*st;
};

static struct {
	int		 partial, merge, verbose, scale;
	long long	 top;
	const char	*by, *rejects;
	long long	 memory;
} opt = { .scale = 6, .top = -1 };

static struct mx_exprs keys;
static struct agg *aggs;
static size_t naggs;
static struct ratio *ratios;
static size_t nratios;
/* The columns after the keys, in the order given: an aggregate (>= 0) or
 * a ratio (-1 - its index). */
static int *cols;
static size_t ncols;
static struct cond *conds;
static size_t nconds;
static struct mx_sel *sel;
static struct mx_buf spec;		/* the options, to check --merge */

static struct mx_keyset *groups;	/* key hash -> group index + 1 */
static struct group *gv;
static size_t ng, gcap;
static size_t membytes;			/* what the groups hold */

static struct mx_out *rej;
static uintmax_t nin, nrej, nblank;
static struct mx_buf tmp, kb;

static const char synopsis[] =
	    "usage: mx-agg [-v] [-g keys] [-a aggs] [-w cond] [--top n --by name]\n"
	    "              [--scale n] [--partial | --merge] [--rejects file]\n"
	    "              [--memory size] [--max-record size] [--max-depth n]\n"
	    "              [file ...]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

/* ---- values ---- */

/* A literal from the command line: null, true, false, a JSON number or a
 * JSON string as it is; any other text is a string. */
static void
lit_parse(struct lit *l, const char *s)
{
	struct mx_json *j = mx_json_new(NULL);
	struct mx_span sp;

	memset(l, 0, sizeof *l);
	if (mx_json_scan(j, s, strlen(s), NULL, 0) == 0 &&
	    (s[0] == '"' || mx_json_isnum(s, strlen(s)) ||
	    strcmp(s, "true") == 0 || strcmp(s, "false") == 0 ||
	    strcmp(s, "null") == 0))
		mx_buf_adds(&l->text, s);
	else
		mx_json_quote(&l->text, s, strlen(s));
	mx_json_free(j);
	sp.p = l->text.p;
	sp.n = (uint32_t)l->text.len;
	sp.esc = memchr(sp.p, '\\', sp.n) != NULL;
	switch (sp.p[0]) {
	case '"':
		sp.kind = MX_JSTR;
		break;
	case 'n':
		sp.kind = MX_JNULL;
		l->isnull = 1;
		break;
	case 't':
		sp.kind = MX_JTRUE;
		break;
	case 'f':
		sp.kind = MX_JFALSE;
		break;
	default:
		sp.kind = MX_JNUM;
	}
	mx_json_canon(&sp, &l->canon);
}

/* Does the value v equal the literal l?  (null: null or missing) */
static int
lit_eq(const struct lit *l, const struct mx_span *v)
{
	if (v->kind == MX_JNONE || v->kind == MX_JNULL)
		return l->isnull;
	if (v->n == l->text.len && memcmp(v->p, l->text.p, v->n) == 0)
		return 1;
	if (v->kind != MX_JSTR && v->kind != MX_JNUM)
		return 0;
	tmp.len = 0;
	mx_json_canon(v, &tmp);
	return tmp.len == l->canon.len &&
	    memcmp(tmp.p, l->canon.p, tmp.len) == 0;
}

static int
kindrank(int k)
{
	switch (k) {
	case MX_JNONE:
	case MX_JNULL:
		return 0;
	case MX_JFALSE:
	case MX_JTRUE:
		return 1;
	case MX_JNUM:
		return 2;
	case MX_JSTR:
		return 3;
	default:
		return 4;
	}
}

/* Order of two JSON texts: null, booleans, numbers by value, strings
 * (timestamps as instants when both are, else by their characters), then
 * the rest by bytes. */
static int
valcmp(const char *a, size_t an, const char *b, size_t bn)
{
	int ka = mx_json_kind(a), kb2 = mx_json_kind(b), c;
	struct mx_dec da, db;
	struct mx_span sa, sb;
	struct mx_time ta, tb;
	static struct mx_buf ua, ub;
	size_t n;

	if (kindrank(ka) != kindrank(kb2))
		return kindrank(ka) - kindrank(kb2);
	switch (ka) {
	case MX_JNULL:
		return 0;
	case MX_JFALSE:
	case MX_JTRUE:
		return (ka == MX_JTRUE) - (kb2 == MX_JTRUE);
	case MX_JNUM:
		if (mx_dec_parse(a, an, &da) == 0 &&
		    mx_dec_parse(b, bn, &db) == 0)
			return mx_dec_cmp(&da, &db);
		{
			double x = strtod(a, NULL), y = strtod(b, NULL);

			return (x > y) - (x < y);
		}
	case MX_JSTR:
		sa.p = a;
		sa.n = (uint32_t)an;
		sa.kind = MX_JSTR;
		sa.esc = memchr(a, '\\', an) != NULL;
		sb.p = b;
		sb.n = (uint32_t)bn;
		sb.kind = MX_JSTR;
		sb.esc = memchr(b, '\\', bn) != NULL;
		if (mx_time_span(&sa, &ta) == 0 && mx_time_span(&sb, &tb) == 0 &&
		    (ta.sec != tb.sec || ta.nsec != tb.nsec))
			return ta.sec != tb.sec ? (ta.sec > tb.sec) -
			    (ta.sec < tb.sec) : (ta.nsec > tb.nsec) -
			    (ta.nsec < tb.nsec);
		ua.len = ub.len = 0;
		mx_json_unescape(&sa, &ua);
		mx_json_unescape(&sb, &ub);
		n = ua.len < ub.len ? ua.len : ub.len;
		if ((c = memcmp(ua.p, ub.p, n)) != 0)
			return c;
		return (ua.len > ub.len) - (ua.len < ub.len);
	default:
		n = an < bn ? an : bn;
		if ((c = memcmp(a, b, n)) != 0)
			return c;
		return (an > bn) - (an < bn);
	}
}

/* ---- the command line ---- */

static int
sel_add(const char *path, char *err, size_t errlen)
{
	int i = mx_sel_add(sel, path);

	if (i < 0)
		snprintf(err, errlen, "malformed field path '%s'", path);
	return i;
}

/* Is name an output name already?  (then a message in err) */
static int
name_taken(const char *name, char *err, size_t errlen)
{
	size_t i;
	int twice = 0;

	for (i = 0; i < naggs; i++)
		twice |= strcmp(aggs[i].name, name) == 0;
	for (i = 0; i < nratios; i++)
		twice |= strcmp(ratios[i].name, name) == 0;
	if (twice) {
		snprintf(err, errlen, "'%s' is named twice", name);
		return 1;
	}
	for (i = 0; i < keys.n; i++)
		if (strcmp(keys.v[i].name, name) == 0) {
			snprintf(err, errlen, "'%s' is a group key", name);
			return 1;
		}
	return 0;
}

static void
col_add(int c)
{
	cols = mx_reallocarray(cols, ncols + 1, sizeof *cols);
	cols[ncols++] = c;
}

/* ratio(num,den[,scale]): the names are resolved once every -a and -g has
 * been read, since either may come later.  Takes the args. */
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
	ratios = mx_reallocarray(ratios, nratios + 1, sizeof *ratios);
	ratios[nratios++] = r;
	col_add(-1 - (int)(nratios - 1));
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

	for (i = 0; i < naggs; i++)
		if (strcmp(aggs[i].name, r->arg[k]) == 0) {
			r->col[k] = (int)i;
			return 0;
		}
	for (i = 0; i < keys.n; i++)
		if (strcmp(keys.v[i].name, r->arg[k]) == 0) {
			r->col[k] = -1 - (int)i;
			return 0;
		}
	for (i = 0; i < nratios; i++)
		if (strcmp(ratios[i].name, r->arg[k]) == 0)
			break;
	snprintf(err, errlen, "%s: '%s' is %s", r->name, r->arg[k],
	    i < nratios ? "a ratio; name an aggregate or a key" :
	    "neither an aggregate nor a key of this run");
	return -1;
}

/* Parse "name=fn(args)" at s (up to the matching ')'); returns the end, or
 * NULL with a message in err. */
static const char *
agg_parse(const char *s, char *err, size_t errlen)
{
	const char *eq, *lp, *rp, *a;
	char *args[4], *buf;
	struct agg g;
	size_t nargs = 0, i, fi;
	int fn;

	memset(&g, 0, sizeof g);
	if ((eq = strchr(s, '=')) == NULL || (lp = strchr(s, '(')) == NULL ||
	    lp < eq || eq == s) {
		snprintf(err, errlen, "'%.40s': expected name=function(fields)",
		    s);
		return NULL;
	}
	if ((rp = strchr(lp, ')')) == NULL) {
		snprintf(err, errlen, "'%.40s': no closing parenthesis", s);
		return NULL;
	}
	g.name = mx_strndup(s, (size_t)(eq - s));
	g.text = mx_strndup(s, (size_t)(rp - s + 1));
	buf = mx_strndup(lp + 1, (size_t)(rp - lp - 1));
	for (a = buf; *a != '\0' && nargs < 4;) {
		const char *c = strchr(a, ',');

		args[nargs++] = mx_strndup(a, c == NULL ? strlen(a) :
		    (size_t)(c - a));
		if (c == NULL)
			break;
		a = c + 1;
	}
	free(buf);
	if ((size_t)(lp - eq - 1) == 5 && strncmp(eq + 1, "ratio", 5) == 0) {
		free(g.text);
		if (ratio_parse(g.name, args, nargs, err, errlen) < 0)
			return NULL;
		return rp + 1;
	}
	for (fn = 0; fn < (int)NFN; fn++) {
		size_t want = (size_t)fns[fn].nf + (size_t)fns[fn].lit;

		if (strlen(fns[fn].name) == (size_t)(lp - eq - 1) &&
		    strncmp(fns[fn].name, eq + 1, (size_t)(lp - eq - 1)) == 0 &&
		    want == nargs)
			break;
	}
	if (fn == (int)NFN) {
		snprintf(err, errlen, "'%.*s': unknown function, or not "
		    "that many arguments", (int)(rp - s + 1), s);
		goto fail;
	}
	g.fn = fn;
	for (fi = 0; fi < (size_t)fns[fn].nf; fi++)
		if ((g.f[fi] = sel_add(args[fi], err, errlen)) < 0)
			goto fail;
	if (fns[fn].lit)
		lit_parse(&g.v, args[nargs - 1]);
	if (name_taken(g.name, err, errlen))
		goto fail;
	for (i = 0; i < nargs; i++)
		free(args[i]);
	aggs = mx_reallocarray(aggs, naggs + 1, sizeof *aggs);
	aggs[naggs++] = g;
	col_add((int)naggs - 1);
	return rp + 1;
fail:
	for (i = 0; i < nargs; i++)
		free(args[i]);
	free(g.name);
	free(g.text);
	return NULL;
}

static void
aggs_opt(const char *s)
{
	char err[256];

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
	struct cond c;
	const char *eq = strchr(s, '=');
	char err[256], *path;

	memset(&c, 0, sizeof c);
	if (eq == NULL || eq == s || (eq == s + 1 && s[0] == '!')) {
		mx_warnx("-w: '%s': expected field=value or field!=value", s);
		usage();
	}
	c.neg = eq[-1] == '!';
	path = mx_strndup(s, (size_t)(eq - s - c.neg));
	if ((c.f = sel_add(path, err, sizeof err)) < 0) {
		mx_warnx("-w: %s", err);
		usage();
	}
	free(path);
	lit_parse(&c.v, eq + 1);
	c.text = mx_strdup(s);
	conds = mx_reallocarray(conds, nconds + 1, sizeof *conds);
	conds[nconds++] = c;
}

/* ---- groups ---- */

static void
mem_add(size_t n)
{
	membytes += n;
	if (opt.memory > 0 && membytes + (groups != NULL ?
	    mx_keyset_bytes(groups) : 0) > (size_t)opt.memory)
		mx_errx(MX_EXIT_FAIL, "the groups need more than --memory "
		    "%lld bytes (%zu groups so far); raise it, or split the "
		    "input by a key and merge --partial outputs", opt.memory,
		    ng);
}

/* The group of the key values kv[0..keys.n) (JSON texts; canon[] their
 * canonical bytes, concatenated in kb), created when new. */
static struct group *
group_of(const char *const *kv, const uint32_t *kn)
{
	struct mx_h128 h = mx_hash128(kb.p, kb.len);
	struct group *g;
	uint64_t *slot;
	size_t i, len = 0;
	int isnew;

	if ((slot = mx_keyset_put(groups, h, &isnew)) == NULL)
		mx_errx(MX_EXIT_FAIL, "out of memory for groups");
	if (!isnew)
		return &gv[*slot - 1];
	if (ng == gcap) {
		gcap = gcap ? gcap * 2 : 1024;
		gv = mx_reallocarray(gv, gcap, sizeof *gv);
	}
	*slot = ng + 1;
	g = &gv[ng++];
	for (i = 0; i < keys.n; i++)
		len += kn[i] + 1;
	g->key = mx_malloc(len + 1);
	g->keylen = (uint32_t)len;
	for (len = 0, i = 0; i < keys.n; i++) {
		memcpy(g->key + len, kv[i], kn[i]);
		len += kn[i];
		g->key[len++] = '\0';
	}
	g->st = mx_calloc(naggs ? naggs : 1, sizeof *g->st);
	mem_add(sizeof *g + len + naggs * sizeof *g->st + 64);
	return g;
}

/* Does v replace the min or max of s? */
static int
better(int fn, const struct mx_span *v, const struct st *s)
{
	int c;

	if (s->val == NULL)
		return 1;
	c = valcmp(v->p, v->n, s->val, s->vlen);
	return fn == A_MIN ? c < 0 : c > 0;
}

static void
setval(struct st *s, const char *p, size_t n)
{
	if (s->vlen < n || s->val == NULL)
		mem_add(n);
	free(s->val);
	s->val = mx_strndup(p, n);
	s->vlen = (uint32_t)n;
}

static void
distinct_add(struct st *s, struct mx_h128 h)
{
	int isnew;

	if (s->set == NULL) {
		s->set = mx_keyset_new(0);
		mem_add(64);
	}
	if (mx_keyset_put(s->set, h, &isnew) == NULL)
		mx_errx(MX_EXIT_FAIL, "out of memory for distinct values");
	if (isnew)
		mem_add(32);	/* a slot and the table's headroom */
}

static void
hll_add(struct st *s, uint64_t h)
{
	uint64_t w = h << HLL_P | (uint64_t)1 << (HLL_P - 1);
	uint8_t r = (uint8_t)(__builtin_clzll(w) + 1);
	size_t i = (size_t)(h >> (64 - HLL_P));

	if (s->hll == NULL) {
		s->hll = mx_calloc(HLL_M, 1);
		mem_add(HLL_M);
	}
	if (r > s->hll[i])
		s->hll[i] = r;
}

static uint64_t
hll_estimate(const uint8_t *reg)
{
	double sum = 0, e, m = HLL_M;
	size_t i, zeros = 0;

	if (reg == NULL)
		return 0;
	for (i = 0; i < HLL_M; i++) {
		sum += 1.0 / (double)((uint64_t)1 << reg[i]);
		zeros += reg[i] == 0;
	}
	e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	/* small ranges: linear counting is better */
	if (e <= 2.5 * m && zeros > 0)
		e = m * log(m / (double)zeros);
	return (uint64_t)(e + 0.5);
}

/* ---- input ---- */

static const char *curname;
static uintmax_t curline;

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

/* The decimal of a number span; a numeric string is read too.  0, 1 when
 * null or missing, -1 when not a number. */
static int
num_of(const struct mx_span *v, struct mx_dec *d)
{
	if (v->kind == MX_JNONE || v->kind == MX_JNULL)
		return 1;
	if (v->kind == MX_JNUM)
		return mx_dec_parse(v->p, v->n, d) == 0 ? 0 : -1;
	if (v->kind == MX_JSTR && !v->esc)
		return mx_dec_parse(v->p + 1, v->n - 2, d) == 0 ? 0 : -1;
	return -1;
}

/* Check every number a record's aggregates need before touching any
 * state, so that a rejected record counts nowhere. */
static int
check(const struct mx_span *sp, const char *p, size_t n)
{
	struct mx_dec d;
	char msg[200];
	size_t i;
	int k, fi;

	for (i = 0; i < naggs; i++) {
		const struct agg *a = &aggs[i];

		switch (a->fn) {
		case A_SUM_IF:
		case A_SUM_PRODUCT_IF:
			/* a value that is not summed is not checked */
			if (!lit_eq(&a->v, &sp[a->f[a->fn == A_SUM_IF ? 1 : 2]]))
				break;
			/* FALLTHROUGH */
		case A_SUM:
		case A_AVG:
		case A_SUM_PRODUCT:
			k = a->fn == A_SUM_PRODUCT ||
			    a->fn == A_SUM_PRODUCT_IF ? 2 : 1;
			for (fi = 0; fi < k; fi++)
				if (num_of(&sp[a->f[fi]], &d) < 0) {
					snprintf(msg, sizeof msg, "%s: %.*s is "
					    "not a number", a->name,
					    (int)(sp[a->f[fi]].n > 60 ? 60 :
					    sp[a->f[fi]].n), sp[a->f[fi]].p);
					return bad("number", msg, p, n);
				}
			break;
		}
	}
	return 0;
}

static int
update(struct st *s, const struct agg *a, const struct mx_span *sp)
{
	const struct mx_span *v = &sp[a->f[0]];
	struct mx_dec x, y, z;

	switch (a->fn) {
	case A_COUNT:
		s->n++;
		break;
	case A_COUNTF:
		s->n += v->kind != MX_JNONE && v->kind != MX_JNULL;
		break;
	case A_COUNT_IF:
		s->n += lit_eq(&a->v, v);
		break;
	case A_SUM_IF:
		if (!lit_eq(&a->v, &sp[a->f[1]]))
			break;
		/* FALLTHROUGH */
	case A_SUM:
	case A_AVG:
		if (num_of(v, &x) != 0)
			break;
		s->n++;
		if (mx_dec_add(&s->sum, &x) < 0)
			return -1;
		break;
	case A_SUM_PRODUCT_IF:
		if (!lit_eq(&a->v, &sp[a->f[2]]))
			break;
		/* FALLTHROUGH */
	case A_SUM_PRODUCT:
		if (num_of(v, &x) != 0 || num_of(&sp[a->f[1]], &y) != 0)
			break;
		if (mx_dec_mul(&x, &y, &z) < 0)
			return -1;
		s->n++;
		if (mx_dec_add(&s->sum, &z) < 0)
			return -1;
		break;
	case A_MIN:
	case A_MAX:
		if (v->kind == MX_JNONE || v->kind == MX_JNULL)
			break;
		if (better(a->fn, v, s))
			setval(s, v->p, v->n);
		break;
	case A_FIRST:
		if (s->val == NULL && v->kind != MX_JNONE && v->kind != MX_JNULL)
			setval(s, v->p, v->n);
		break;
	case A_LAST:
		if (v->kind != MX_JNONE && v->kind != MX_JNULL)
			setval(s, v->p, v->n);
		break;
	case A_DISTINCT:
	case A_APPROX:
		if (v->kind == MX_JNONE || v->kind == MX_JNULL)
			break;
		tmp.len = 0;
		mx_json_canon(v, &tmp);
		if (a->fn == A_DISTINCT)
			distinct_add(s, mx_hash128(tmp.p, tmp.len));
		else
			hll_add(s, mx_hash64(tmp.p, tmp.len));
		break;
	}
	return 0;
}

static void
record(struct mx_json *js, struct mx_span *sp, const char *p, size_t n)
{
	const char *kv[64];
	uint32_t kn[64];
	char ktmp[64][MX_EXPR_TMP];
	struct mx_span v;
	struct group *g;
	char msg[200];
	size_t i;
	int isbad;

	if (mx_json_scan(js, p, n, sp, 1) < 0) {
		bad("json", mx_json_errstr(js), p, n);
		return;
	}
	for (i = 0; i < nconds; i++)
		if (lit_eq(&conds[i].v, &sp[conds[i].f]) == conds[i].neg)
			return;
	kb.len = 0;
	for (i = 0; i < keys.n; i++) {
		isbad = 0;
		mx_expr_eval(&keys.v[i], sp, &v, ktmp[i], &isbad);
		if (isbad) {
			snprintf(msg, sizeof msg, "%s: %s() cannot read %.*s",
			    keys.v[i].name, mx_efn_names[keys.v[i].fn],
			    (int)(v.n > 60 ? 60 : v.n), v.p);
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
	if (check(sp, p, n) < 0)
		return;
	g = group_of(kv, kn);
	for (i = 0; i < naggs; i++)
		if (update(&g->st[i], &aggs[i], sp) < 0) {
			snprintf(msg, sizeof msg, "%s: the sum overflows 38 "
			    "digits", aggs[i].name);
			mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(curname),
			    curline, msg);
		}
}

/* ---- partial states ---- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
put_dec(struct mx_out *o, const struct mx_dec *d)
{
	char b[48];
	int n = mx_dec_fmt(d, b);

	mx_out_write(o, b, (size_t)n);
}

static void
put_partial(struct mx_out *o, const struct group *g)
{
	size_t i, k, n;
	const char *p;

	mx_out_puts(o, "{\"_mx_agg\":");
	mx_out_jstr(o, spec.p, spec.len);
	mx_out_puts(o, ",\"key\":[");
	for (p = g->key, i = 0; i < keys.n; i++) {
		if (i > 0)
			mx_out_putc(o, ',');
		n = strlen(p);
		mx_out_write(o, p, n);
		p += n + 1;
	}
	mx_out_puts(o, "],\"s\":[");
	for (i = 0; i < naggs; i++) {
		const struct st *s = &g->st[i];

		if (i > 0)
			mx_out_putc(o, ',');
		switch (aggs[i].fn) {
		case A_SUM:
		case A_SUM_IF:
		case A_SUM_PRODUCT:
		case A_SUM_PRODUCT_IF:
		case A_AVG:
			mx_out_putc(o, '[');
			mx_out_uint(o, s->n);
			mx_out_puts(o, ",\"");
			put_dec(o, &s->sum);
			mx_out_puts(o, "\"]");
			break;
		case A_MIN:
		case A_MAX:
		case A_FIRST:
		case A_LAST:
			if (s->val == NULL)
				mx_out_puts(o, "null");
			else
				mx_out_write(o, s->val, s->vlen);
			break;
		case A_DISTINCT: {
			struct mx_h128 *h = NULL;
			char hex[33];

			n = 0;
			if (s->set != NULL)
				h = mx_keyset_sorted(s->set, &n);
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
			break;
		}
		case A_APPROX:
			if (s->hll == NULL) {
				mx_out_puts(o, "null");
				break;
			}
			/* 16384 registers: 5461 groups of 3, then one */
			mx_out_putc(o, '"');
			for (k = 0; k + 2 < HLL_M; k += 3) {
				unsigned v = (unsigned)s->hll[k] << 16 |
				    (unsigned)s->hll[k + 1] << 8 | s->hll[k + 2];

				mx_out_putc(o, b64[v >> 18]);
				mx_out_putc(o, b64[v >> 12 & 63]);
				mx_out_putc(o, b64[v >> 6 & 63]);
				mx_out_putc(o, b64[v & 63]);
			}
			{
				unsigned v = (unsigned)s->hll[k] << 16;

				mx_out_putc(o, b64[v >> 18]);
				mx_out_putc(o, b64[v >> 12 & 63]);
				mx_out_puts(o, "==");
			}
			mx_out_putc(o, '"');
			break;
		default:
			mx_out_uint(o, s->n);
		}
	}
	mx_out_puts(o, "]}\n");
}

static int
unb64(int c)
{
	const char *p = strchr(b64, c);

	return c != '\0' && p != NULL ? (int)(p - b64) : -1;
}

/* Merge one state (the span v of a partial line) into s; NULL or a reason
 * why it is not one. */
static const char *
merge_st(struct st *s, const struct agg *a, const struct mx_span *v)
{
	static struct mx_buf b;
	struct mx_json *js;
	struct mx_span e[2];
	struct mx_dec d;
	struct mx_sel *es;
	const char *q;
	size_t k;
	uint64_t n;

	switch (a->fn) {
	case A_SUM:
	case A_SUM_IF:
	case A_SUM_PRODUCT:
	case A_SUM_PRODUCT_IF:
	case A_AVG:
		es = mx_sel_new();
		mx_sel_add(es, "0");
		mx_sel_add(es, "1");
		js = mx_json_new(es);
		k = mx_json_scan(js, v->p, v->n, e, 0) == 0 &&
		    v->kind == MX_JARR && e[0].kind == MX_JNUM &&
		    e[1].kind == MX_JSTR &&
		    mx_dec_parse(e[1].p + 1, e[1].n - 2, &d) == 0;
		if (k) {
			s->n += strtoull(e[0].p, NULL, 10);
			if (mx_dec_add(&s->sum, &d) < 0)
				k = 0;
		}
		mx_json_free(js);
		mx_sel_free(es);
		return k ? NULL : "a sum state is [count, \"decimal\"]";
	case A_MIN:
	case A_MAX:
		if (v->kind == MX_JNULL)
			return NULL;
		if (better(a->fn, v, s))
			setval(s, v->p, v->n);
		return NULL;
	case A_FIRST:
		if (s->val == NULL && v->kind != MX_JNULL)
			setval(s, v->p, v->n);
		return NULL;
	case A_LAST:
		if (v->kind != MX_JNULL)
			setval(s, v->p, v->n);
		return NULL;
	case A_DISTINCT:
		if (v->kind != MX_JARR)
			return "a distinct state is an array of hashes";
		for (q = v->p + 1; *q == '"'; q += 35) {
			struct mx_h128 h = { 0, 0 };

			for (k = 0; k < 32; k++) {
				int c = q[1 + k];
				int x = c >= '0' && c <= '9' ? c - '0' :
				    c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

				if (x < 0)
					return "a distinct hash is 32 hex "
					    "digits";
				if (k < 16)
					h.hi = h.hi << 4 | (uint64_t)x;
				else
					h.lo = h.lo << 4 | (uint64_t)x;
			}
			if (q[33] != '"')
				return "a distinct hash is 32 hex digits";
			distinct_add(s, h);
			if (q[34] != ',')
				break;
		}
		return NULL;
	case A_APPROX:
		if (v->kind == MX_JNULL)
			return NULL;
		if (v->kind != MX_JSTR || v->n != 2 + 4 * ((HLL_M + 2) / 3))
			return "an approx_distinct state is 16384 registers "
			    "in base64";
		b.len = 0;
		for (q = v->p + 1, k = 0; k < (HLL_M + 2) / 3; k++, q += 4) {
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
		if (s->hll == NULL) {
			s->hll = mx_calloc(HLL_M, 1);
			mem_add(HLL_M);
		}
		for (k = 0; k < HLL_M; k++)
			if ((uint8_t)b.p[k] > s->hll[k])
				s->hll[k] = (uint8_t)b.p[k];
		return NULL;
	default:
		if (v->kind != MX_JNUM)
			return "a count state is a number";
		n = strtoull(v->p, NULL, 10);
		s->n += n;
		return NULL;
	}
}

/* The next element of the array whose text ends at e, from *q (which
 * must be past '[' or a comma); its span in v, 0 when there is none. */
static int
next_elem(const char **q, const char *e, struct mx_span *v)
{
	const char *s0 = *q, *p = *q;
	int depth = 0, instr = 0;

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
	v->p = s0;
	v->n = (uint32_t)(p - s0);
	v->kind = (uint8_t)mx_json_kind(s0);
	v->esc = memchr(s0, '\\', v->n) != NULL;
	*q = p < e ? p + 1 : p;
	return v->n > 0;
}

/* One line of a partial output. */
static void
merge_line(struct mx_json *js, struct mx_span *sp, const char *p, size_t n)
{
	const char *kv[64], *q, *e, *why;
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
	if (sp[0].kind != MX_JSTR || tmp.len != spec.len ||
	    memcmp(tmp.p, spec.p, spec.len) != 0) {
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
	for (i = 0; i < keys.n; i++) {
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
	for (i = 0; i < naggs; i++)
		if (!next_elem(&q, e, &v))
			break;
	if (i < naggs || q != e) {
		bad("partial", "not as many states as -a has aggregates", p, n);
		return;
	}
	g = group_of(kv, kn);
	q = sp[2].p + 1;
	for (i = 0; i < naggs; i++) {
		next_elem(&q, e, &v);
		if ((why = merge_st(&g->st[i], &aggs[i], &v)) != NULL)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: %s: %s",
			    mx_name(curname), curline, aggs[i].name, why);
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

/* ---- output ---- */

static int
keycmp(const struct group *a, const struct group *b)
{
	const char *p = a->key, *q = b->key;
	size_t i, pn, qn;
	int c;

	for (i = 0; i < keys.n; i++) {
		pn = strlen(p);
		qn = strlen(q);
		if ((c = valcmp(p, pn, q, qn)) != 0)
			return c;
		p += pn + 1;
		q += qn + 1;
	}
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
	const struct st *s = &g->st[i];
	char t[48];
	struct mx_dec q, cnt;
	int n;

	b->len = 0;
	switch (aggs[i].fn) {
	case A_SUM:
	case A_SUM_PRODUCT:
		if (s->n == 0) {
			mx_buf_adds(b, "null");
			break;
		}
		/* FALLTHROUGH */
	case A_SUM_IF:
	case A_SUM_PRODUCT_IF:
		n = mx_dec_fmt(&s->sum, t);
		mx_buf_add(b, t, (size_t)n);
		break;
	case A_AVG:
		if (s->n == 0) {
			mx_buf_adds(b, "null");
			break;
		}
		cnt.v = (__int128)s->n;
		cnt.scale = 0;
		if (mx_dec_div(&s->sum, &cnt, opt.scale, &q) < 0)
			mx_errx(MX_EXIT_FAIL, "%s: the average does not fit",
			    aggs[i].name);
		n = mx_dec_fmt(&q, t);
		mx_buf_add(b, t, (size_t)n);
		break;
	case A_MIN:
	case A_MAX:
	case A_FIRST:
	case A_LAST:
		if (s->val == NULL)
			mx_buf_adds(b, "null");
		else
			mx_buf_add(b, s->val, s->vlen);
		break;
	case A_DISTINCT:
		mx_buf_printf(b, "%zu", s->set != NULL ?
		    mx_keyset_count(s->set) : (size_t)0);
		break;
	case A_APPROX:
		mx_buf_printf(b, "%ju", (uintmax_t)hll_estimate(s->hll));
		break;
	default:
		mx_buf_printf(b, "%ju", (uintmax_t)s->n);
	}
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

	v.p = p;
	v.n = (uint32_t)n;
	v.kind = (uint8_t)mx_json_kind(p);
	v.esc = memchr(p, '\\', n) != NULL;
	if (v.kind == MX_JNUM)
		return mx_dec_parse(p, n, d);
	if (v.kind == MX_JSTR && !v.esc)
		return mx_dec_parse(p + 1, n - 2, d);
	return -1;
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
		ratio_final(g, &ratios[-1 - c], b);
}

static const char *
col_name(int c)
{
	return c >= 0 ? aggs[c].name : ratios[-1 - c].name;
}

static struct mx_buf *byval;
static int bycol = -1;		/* -1: a key; else a column */
static int bycolset;
static size_t bykeyi;

static int
bytop(const void *x, const void *y)
{
	size_t i = *(const size_t *)x, j = *(const size_t *)y, an, bn;
	const char *a, *b;
	int c;

	if (bycolset) {
		a = byval[i].p;
		an = byval[i].len;
		b = byval[j].p;
		bn = byval[j].len;
	} else {
		a = keyval(&gv[i], bykeyi, &an);
		b = keyval(&gv[j], bykeyi, &bn);
	}
	if ((c = valcmp(b, bn, a, an)) != 0)
		return c;
	return keycmp(&gv[i], &gv[j]);
}

static void
output(struct mx_out *o)
{
	struct mx_buf v = { 0 };
	struct group **order;
	size_t *top = NULL, i, k, n = ng, kn;
	const char *kp;

	order = mx_reallocarray(NULL, ng ? ng : 1, sizeof *order);
	for (i = 0; i < ng; i++)
		order[i] = &gv[i];
	qsort(order, ng, sizeof *order, bykey);
	/* the group indexes in key order */
	if (opt.top >= 0 && !opt.partial) {
		top = mx_reallocarray(NULL, ng ? ng : 1, sizeof *top);
		if (bycolset) {
			byval = mx_calloc(ng ? ng : 1, sizeof *byval);
			for (i = 0; i < ng; i++)
				col_final(&gv[i], bycol, &byval[i]);
		}
		for (i = 0; i < ng; i++)
			top[i] = (size_t)(order[i] - gv);
		qsort(top, ng, sizeof *top, bytop);
		if ((unsigned long long)opt.top < n)
			n = (size_t)opt.top;
		for (i = 0; i < n; i++)
			order[i] = &gv[top[i]];
	}
	for (k = 0; k < n; k++) {
		const struct group *g = order[k];

		if (opt.partial) {
			put_partial(o, g);
			continue;
		}
		mx_out_putc(o, '{');
		for (i = 0; i < keys.n; i++) {
			if (i > 0)
				mx_out_putc(o, ',');
			mx_out_jstr(o, keys.v[i].name, strlen(keys.v[i].name));
			mx_out_putc(o, ':');
			kp = keyval(g, i, &kn);
			mx_out_write(o, kp, kn);
		}
		for (i = 0; i < ncols; i++) {
			const char *name = col_name(cols[i]);

			if (i > 0 || keys.n > 0)
				mx_out_putc(o, ',');
			mx_out_jstr(o, name, strlen(name));
			mx_out_putc(o, ':');
			col_final(g, cols[i], &v);
			mx_out_write(o, v.p, v.len);
		}
		mx_out_puts(o, "}\n");
	}
	free(order);
	free(top);
	mx_buf_free(&v);
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
		{ "rejects", required_argument, NULL, 'R' },
		{ "memory", required_argument, NULL, 'm' },
		{ "where", required_argument, NULL, 'w' },
		MX_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct mx_sel *psel = NULL;
	struct mx_json *js;
	struct mx_span *sp;
	struct mx_out *out;
	const char *gspec = NULL;
	char err[256];
	size_t i, k;
	int c;

	mx_init(argv[0]);
	sel = mx_sel_new();
	while ((c = mx_getopt(argc, argv, "a:g:vw:", longopts, NULL,
	    synopsis)) != -1)
		switch (c) {
		case 'g':
			if (gspec != NULL) {
				mx_warnx("-g: give the keys once, separated "
				    "by commas");
				usage();
			}
			gspec = optarg;
			if (mx_exprs_parse(&keys, optarg, sel, err,
			    sizeof err) < 0) {
				mx_warnx("-g: %s", err);
				usage();
			}
			if (keys.n > 64) {
				mx_warnx("-g: at most 64 keys");
				usage();
			}
			break;
		case 'a':
			aggs_opt(optarg);
			break;
		case 'w':
			where_opt(optarg);
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'T':
			if ((opt.top = mx_parse_count(optarg)) < 0) {
				mx_warnx("--top: a count");
				usage();
			}
			break;
		case 'B':
			opt.by = optarg;
			break;
		case 'S':
			if ((opt.scale = (int)mx_parse_count(optarg)) < 0 ||
			    opt.scale > MX_DEC_MAXSCALE) {
				mx_warnx("--scale: 0 to %d", MX_DEC_MAXSCALE);
				usage();
			}
			break;
		case 'P':
			opt.partial = 1;
			break;
		case 'M':
			opt.merge = 1;
			break;
		case 'R':
			opt.rejects = optarg;
			break;
		case 'm':
			if ((opt.memory = mx_parse_size(optarg)) <= 0) {
				mx_warnx("--memory: a size such as 512M");
				usage();
			}
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;
	if (opt.partial && opt.merge) {
		mx_warnx("--partial and --merge: one or the other");
		usage();
	}
	if ((opt.top >= 0) != (opt.by != NULL)) {
		mx_warnx("--top and --by go together");
		usage();
	}
	/* the default count, when no -a named a column */
	if (ncols == 0)
		aggs_opt("count=count()");
	for (i = 0; i < ncols; i++)
		for (k = 0; k < keys.n; k++)
			if (strcmp(col_name(cols[i]), keys.v[k].name) == 0) {
				mx_warnx("-a: '%s' is a group key",
				    keys.v[k].name);
				usage();
			}
	for (i = 0; i < nratios; i++)
		if (ratio_resolve(&ratios[i], 0, err, sizeof err) < 0 ||
		    ratio_resolve(&ratios[i], 1, err, sizeof err) < 0) {
			mx_warnx("-a: %s", err);
			usage();
		}
	if (opt.by != NULL) {
		for (i = 0; i < ncols; i++)
			if (strcmp(col_name(cols[i]), opt.by) == 0) {
				bycol = cols[i];
				bycolset = 1;
			}
		for (i = 0; !bycolset && i < keys.n; i++)
			if (strcmp(keys.v[i].name, opt.by) == 0)
				break;
		if (!bycolset && i == keys.n) {
			mx_warnx("--by %s: not an output name", opt.by);
			usage();
		}
		bykeyi = i;
	}

	/* what --merge checks: the options that shape the states */
	mx_buf_printf(&spec, "1 -g %s", gspec != NULL ? gspec : "");
	for (i = 0; i < naggs; i++)
		mx_buf_printf(&spec, " -a %s", aggs[i].text);
	for (i = 0; i < nconds; i++)
		mx_buf_printf(&spec, " -w %s", conds[i].text);
	mx_buf_cstr(&spec);

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
	groups = mx_keyset_new(8);
	out = mx_out_stdout();
	if (opt.rejects != NULL)
		rej = mx_out_open(opt.rejects);
	if (argc == 0)
		input("-", js, sp);
	for (i = 0; i < (size_t)argc; i++)
		input(argv[i], js, sp);
	/* a global aggregate of no records is still one row */
	if (keys.n == 0 && ng == 0 && !opt.partial) {
		kb.len = 0;
		group_of(NULL, NULL);
	}
	output(out);
	if (rej != NULL)
		mx_out_close(rej);
	mx_progress_clear();
	if (opt.verbose)
		fprintf(stderr, "mx-agg: %ju %s in, %zu groups out, %ju "
		    "rejected, %ju blank, %zu bytes of state\n", nin,
		    opt.merge ? "partial lines" : "records", ng, nrej, nblank,
		    membytes + mx_keyset_bytes(groups));
	mx_out_close(out);
	mx_json_free(js);
	mx_sel_free(psel);
	free(sp);
	return MX_EXIT_OK;
}
