/*
 * mx-join: records of two inputs joined on keys, as SQL joins them.
 *
 * The right side (-r, the smaller) is read first into a hash map of its
 * canonical keys (lib/hmap.c), each key with the chain of its records in
 * right order; of each record only what the output needs is kept: the
 * JSON text of the fields to append, ready to copy, and for right and
 * full joins the texts of its keys.  The left side then streams, and
 * each record is written with the fields of each right record of its key
 * appended.  Keys are compared by value, as mx-dedup compares them.
 *
 * Past --memory the right side is not held whole: a grace hash join.
 * Both sides are spilled into 16 partitions by the top bits of the key's
 * hash (again, with the next bits, for a partition still too large), each
 * partition is joined in memory, and its results, tagged with the input
 * ordinal of their record, are merged back into the order of the inputs:
 * the same bytes as an unbounded run.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mx.h"

enum { T_INNER, T_LEFT, T_RIGHT, T_FULL, T_SEMI, T_ANTI };
static const char *const types[] = { "inner", "left", "right", "full",
    "semi", "anti", NULL };

#define NPART		16
#define PARTBITS	4
#define MAXDEPTH	(64 / PARTBITS - 1)

static struct {
	const char	*right, *keys, *prefix, *rename;
	const char	*unmatched;
	int		 type, unique, verbose;
	long long	 memory;
} opt = { .type = T_INNER, .memory = (long long)1 << 30 };

static int	appends;	/* the right's fields are added: not semi, anti */
static int	rightrows;	/* right records no left one matched are out */
static int	leftrows;	/* left records that matched none are out */

static struct {
	uintmax_t	left, right, matched, unmatched, nullkeys;
	uintmax_t	rmatched, runmatched, rnullkeys;
	uintmax_t	out, rejected, blank, partitions;
} st;

static struct mx_exprs	 lx, rx;	/* the keys of each side */
static struct mx_sel	*lsel, *rsel;
static struct mx_seen	 lseen, rseen;	/* the key fields of each side */
static char		*keynames;	/* "a,b": the left's key names */
static struct mx_out	*out, *rej, *unm;

/* ---- the right side in memory ---- */

/* A right record. */
struct rrow {
	uint64_t	ord;		/* among the right records, from 0 */
	uintmax_t	line;
	size_t		off;		/* in arena: key texts, then fields */
	uint32_t	tlen, alen;
	uint32_t	key;		/* its id in keys + 1; 0: a null key */
	uint32_t	next;		/* the next row of the key + 1; 0: none */
	int		matched;
};

/* The rows of a key, in right order. */
struct chain {
	uint32_t	first, last;	/* row + 1 */
};

static struct {
	struct mx_hmap	*keys;		/* canonical key: struct chain */
	struct rrow	*rows;
	size_t		 n, cap;
	struct mx_buf	 arena;
	size_t		 keybytes;
} rt;

/* What a key costs in the map besides its bytes: its entry and value,
 * and two index slots. */
#define KEYCOST	64

/*
 * What the table holds, by what it holds rather than by what it has
 * allocated (which doubles), so that a small table is never split.
 */
static size_t
rt_bytes(void)
{
	return rt.n * sizeof *rt.rows + rt.arena.len + rt.keybytes +
	    mx_hmap_count(rt.keys) * KEYCOST;
}

static void
rt_clear(void)
{
	mx_hmap_clear(rt.keys);
	rt.n = 0;
	rt.arena.len = 0;
	rt.keybytes = 0;
}

/* Add a right record: its canonical key (NULL: a null key), texts and
 * fields.  Stops the run if --unique finds its key taken. */
static void
rt_add(const char *canon, size_t clen, uint64_t h, uint64_t ord,
    uintmax_t line, const char *text, size_t tlen, const char *app,
    size_t alen)
{
	struct rrow *r;
	struct chain *c;
	size_t id;
	int isnew;

	if (rt.n == rt.cap) {
		rt.cap = rt.cap ? rt.cap * 2 : 1024;
		rt.rows = mx_reallocarray(rt.rows, rt.cap, sizeof *rt.rows);
	}
	r = &rt.rows[rt.n];
	r->ord = ord;
	r->line = line;
	r->off = rt.arena.len;
	r->tlen = (uint32_t)tlen;
	r->alen = (uint32_t)alen;
	r->key = 0;
	r->next = 0;
	r->matched = 0;
	mx_buf_add(&rt.arena, text, tlen);
	mx_buf_add(&rt.arena, app, alen);
	if (canon != NULL) {
		id = mx_hmap_add(rt.keys, canon, clen, h, &isnew);
		c = mx_hmap_val(rt.keys, id);
		if (!isnew && opt.unique)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: a second right record "
			    "with one key (the first is %s:%ju); --unique",
			    mx_name(opt.right), line, mx_name(opt.right),
			    rt.rows[c->first - 1].line);
		if (isnew) {
			c->first = (uint32_t)rt.n + 1;
			rt.keybytes += clen;
		} else
			rt.rows[c->last - 1].next = (uint32_t)rt.n + 1;
		c->last = (uint32_t)rt.n + 1;
		r->key = (uint32_t)id + 1;
	}
	rt.n++;
}

/* ---- the right's fields: names, renames, collisions ---- */

/* What becomes of a field name of the right side, by its JSON text. */
struct fname {
	int	drop;		/* a key: the left record has it already */
	size_t	off, len;	/* the output name's JSON text, in names */
};

static struct mx_hmap	*rawnames;	/* key text as written: fname */
static struct mx_hmap	*outnames;	/* output name: its source, below */
static struct mx_buf	 names;		/* output names, their sources */
static int		 nulnames;	/* an output name holds a NUL */
static int		*outsel;	/* each output name in lsel */
static char		**outselname;
static size_t		 noutsel;

struct rename {
	char	*from, *to;
	int	 used;
};
static struct rename	*renames;
static size_t		 nrenames;

static const char synopsis[] =
	    "usage: mx-join -r file -k left=right[,...] [-v]\n"
	    "               [--type inner|left|right|full|semi|anti] [--unique]\n"
	    "               [--prefix prefix] [--rename old=new[,...]]\n"
	    "               [--unmatched file] [-m size] [-T dir] [--rejects file]\n"
	    "               [--stats file] [--strict] [--max-record size]\n"
	    "               [--max-depth n] [file ...]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

static void
parse_renames(const char *spec)
{
	char *copy = mx_strdup(spec), *item, *next, *eq;
	size_t i;

	for (item = copy; item != NULL; item = next) {
		if ((next = strchr(item, ',')) != NULL)
			*next++ = '\0';
		if ((eq = strchr(item, '=')) == NULL || eq == item ||
		    eq[1] == '\0') {
			mx_warnx("--rename: '%s' is not old=new", item);
			usage();
		}
		*eq = '\0';
		for (i = 0; i < nrenames; i++)
			if (strcmp(renames[i].from, item) == 0) {
				mx_warnx("--rename: %s renamed twice", item);
				usage();
			}
		renames = mx_reallocarray(renames, nrenames + 1,
		    sizeof *renames);
		renames[nrenames].from = mx_strdup(item);
		renames[nrenames].to = mx_strdup(eq + 1);
		renames[nrenames].used = 0;
		nrenames++;
	}
	free(copy);
}

/* A right key field that is a field of the record as it is: the left
 * record has the key, so it is not repeated. */
static int
is_key(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < rx.n; i++)
		if (rx.v[i].fn == MX_EPATH && strlen(rx.v[i].path) == n &&
		    memcmp(rx.v[i].path, name, n) == 0 &&
		    strchr(rx.v[i].path, '.') == NULL &&
		    strchr(rx.v[i].path, '\\') == NULL)
			return 1;
	return 0;
}

/* The fate of the field whose name is the JSON string key. */
static const struct fname *
field_name(const struct mx_span *key)
{
	static struct mx_buf dec, on;
	struct fname *f;
	const char *to = NULL;
	uint64_t h = mx_hash64(key->p, key->n);
	size_t id, i, src, n;
	int isnew;

	id = mx_hmap_find(rawnames, key->p, key->n, h);
	if (id != MX_HMAP_NONE)
		return mx_hmap_val(rawnames, id);
	id = mx_hmap_add(rawnames, key->p, key->n, h, NULL);
	f = mx_hmap_val(rawnames, id);
	dec.len = 0;
	mx_json_unescape(key, &dec);
	for (i = 0; i < nrenames; i++)
		if (strlen(renames[i].from) == dec.len &&
		    memcmp(renames[i].from, dec.p, dec.len) == 0) {
			to = renames[i].to;
			renames[i].used = 1;
		}
	if (to == NULL && is_key(dec.p, dec.len)) {
		f->drop = 1;
		return f;
	}
	on.len = 0;
	if (to != NULL)
		mx_buf_adds(&on, to);
	else {
		if (opt.prefix != NULL)
			mx_buf_adds(&on, opt.prefix);
		mx_buf_add(&on, dec.p, dec.len);
	}
	/* two fields of the right may not take one name */
	id = mx_hmap_add(outnames, on.p, on.len, mx_hash64(on.p, on.len),
	    &isnew);
	if (isnew) {
		*(size_t *)mx_hmap_val(outnames, id) = names.len;
		mx_buf_add(&names, &dec.len, sizeof dec.len);
		mx_buf_add(&names, dec.p, dec.len);
		if (memchr(on.p, '\0', on.len) != NULL)
			nulnames = 1;
	} else {
		src = *(size_t *)mx_hmap_val(outnames, id);
		memcpy(&n, names.p + src, sizeof n);
		if (n != dec.len || memcmp(names.p + src + sizeof n, dec.p,
		    n) != 0) {
			mx_warnx("the right's fields %.*s and %.*s would both "
			    "be %.*s", (int)n, names.p + src + sizeof n,
			    (int)dec.len, dec.p, (int)on.len, on.p);
			usage();
		}
	}
	f->off = names.len;
	/* a name kept is kept as it was written, escapes and all */
	if (to == NULL && opt.prefix == NULL)
		mx_buf_add(&names, key->p, key->n);
	else
		mx_json_quote(&names, on.p, on.len);
	f->len = names.len - f->off;
	return f;
}

/* The fields of a right record to append, as JSON text: "k":v,"k2":v2. */
static void
right_fields(const char *rec, size_t n, struct mx_buf *app)
{
	static struct mx_member *m;
	static size_t mcap;
	const struct fname *f;
	size_t nm, i;

	app->len = 0;
	nm = mx_json_members(rec, n, &m, &mcap);
	for (i = 0; i < nm; i++) {
		f = field_name(&m[i].key);
		if (f->drop)
			continue;
		if (app->len > 0)
			mx_buf_addc(app, ',');
		mx_buf_add(app, names.p + f->off, f->len);
		mx_buf_addc(app, ':');
		mx_buf_add(app, m[i].val.p, m[i].val.n);
	}
}

/* Every name the right side adds, selected in the left records so that
 * a left record that has one is caught (a path's dots escaped). */
static void
select_outnames(void)
{
	struct mx_buf path = { 0 };
	size_t i, k, n;
	const char *p;

	outsel = mx_calloc(mx_hmap_count(outnames) + 1, sizeof *outsel);
	outselname = mx_calloc(mx_hmap_count(outnames) + 1,
	    sizeof *outselname);
	for (i = 0; i < mx_hmap_count(outnames); i++) {
		p = mx_hmap_key(outnames, i, &n);
		for (k = 0; k < lx.n; k++)
			if (strlen(lx.v[k].name) == n &&
			    memcmp(lx.v[k].name, p, n) == 0) {
				mx_warnx("the right's field %s is named as the "
				    "left's key %s: --prefix or --rename",
				    lx.v[k].name, lx.v[k].name);
				usage();
			}
		if (memchr(p, '\0', n) != NULL)
			continue;	/* compared by hand, see collides() */
		path.len = 0;
		for (k = 0; k < n; k++) {
			if (p[k] == '.' || p[k] == '\\')
				mx_buf_addc(&path, '\\');
			mx_buf_addc(&path, p[k]);
		}
		outselname[noutsel] = mx_strndup(p, n);
		outsel[noutsel++] = mx_sel_add(lsel, mx_buf_cstr(&path));
	}
	mx_buf_free(&path);
	for (i = 0; i < nrenames; i++)
		if (!renames[i].used && st.right > st.rejected) {
			mx_warnx("--rename: no right record has a field %s",
			    renames[i].from);
			usage();
		}
}

/* The first field of the left record that the right side adds too, or
 * NULL. */
static const char *
collides(const char *rec, size_t n, const struct mx_span *sp)
{
	static struct mx_member *m;
	static struct mx_buf dec;
	static size_t mcap;
	size_t i, nm;

	for (i = 0; i < noutsel; i++)
		if (sp[outsel[i]].kind != MX_JNONE)
			return outselname[i];
	if (!nulnames)
		return NULL;
	/* a name with a NUL byte cannot be selected: the members are
	 * compared one by one */
	nm = mx_json_members(rec, n, &m, &mcap);
	for (i = 0; i < nm; i++) {
		dec.len = 0;
		mx_json_unescape(&m[i].key, &dec);
		if (mx_hmap_find(outnames, dec.p, dec.len, mx_hash64(dec.p,
		    dec.len)) != MX_HMAP_NONE) {
			dec.len = 0;
			mx_buf_vis(&dec, m[i].key.p + 1, m[i].key.n - 2);
			return mx_buf_cstr(&dec);
		}
	}
	return NULL;
}

/* ---- reading ---- */

static void
reject(const struct mx_rec *in, const char *why)
{
	st.rejected++;
	if (rej == NULL)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(in->file),
		    in->line, why);
	mx_reject_rec(rej, "mx-join", in, "json", NULL, why);
}

/* The partition files count a record's bytes in 32 bits. */
static void
too_long(const struct mx_rec *in)
{
	if ((uint64_t)in->n >= UINT32_MAX / 2)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: a record of 2 GiB or more "
		    "(--max-record)", mx_name(in->file), in->line);
}

/* A value's JSON text, cut short, for messages. */
static void
show(struct mx_buf *b, const char *p, size_t n)
{
	if (n > 40)
		mx_buf_printf(b, "%.37s...", p);
	else
		mx_buf_add(b, p, n);
}

/*
 * The texts of every key part, null for one missing, for rows made from
 * keys (a right record no left one matched).
 */
static void
key_texts(const struct mx_exprs *x, const struct mx_span *sp,
    struct mx_buf *text)
{
	struct mx_span v;
	char tmp[MX_EXPR_TMP];
	uint32_t n;
	size_t i;
	int bad;

	for (i = 0; i < x->n; i++) {
		if (mx_expr_eval(&x->v[i], sp, &v, tmp, &bad) == MX_JNONE) {
			v.p = "null";
			v.n = 4;
		}
		n = v.n;
		mx_buf_add(text, &n, sizeof n);
		mx_buf_add(text, v.p, v.n);
	}
}

/* ---- temporary files ---- */

/* Into a growing buffer: n bytes, read whole. */
static void
tmp_take(FILE *fp, struct mx_buf *b, size_t n)
{
	b->len = 0;
	mx_buf_grow(b, n);
	mx_spill_need(fp, b->p, n);
	b->len = n;
}

/* ---- runs: results tagged with the ordinal of their record ---- */

struct runs {
	FILE	**v;
	size_t	  n;
};

/* What a partition gave: output lines, --unmatched lines, and the right
 * records no left one matched. */
struct res {
	struct runs	out, um, ro;
};

static struct res	top;

static FILE *
run_new(struct runs *r)
{
	r->v = mx_reallocarray(r->v, r->n + 1, sizeof *r->v);
	return r->v[r->n++] = mx_spill_open();
}

static void
run_put(FILE *fp, uint64_t ord, const char *p, size_t n)
{
	uint32_t len = (uint32_t)n;

	if (n == 0)
		return;
	if (n > UINT32_MAX)
		mx_errx(MX_EXIT_FAIL, "temporary file in %s: an entry of %zu "
		    "bytes", mx_spill_where(), n);
	mx_spill_write(fp, &ord, sizeof ord);
	mx_spill_write(fp, &len, sizeof len);
	mx_spill_write(fp, p, n);
}

struct head {
	FILE		*fp;
	uint64_t	 ord;
	struct mx_buf	 b;
};

static int
head_next(struct head *h)
{
	uint32_t len;

	if (!mx_spill_read(h->fp, &h->ord, sizeof h->ord))
		return 0;
	mx_spill_need(h->fp, &len, sizeof len);
	tmp_take(h->fp, &h->b, len);
	return 1;
}

static void
sift(struct head **hp, size_t n, size_t i)
{
	struct head *t;
	size_t c;

	for (; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && hp[c + 1]->ord < hp[c]->ord)
			c++;
		if (hp[i]->ord <= hp[c]->ord)
			break;
		t = hp[i];
		hp[i] = hp[c];
		hp[c] = t;
	}
}

/* Merge runs, each in ordinal order, into o, or into the run to. */
static void
merge(struct runs *r, struct mx_out *o, FILE *to)
{
	struct head *h = mx_calloc(r->n + 1, sizeof *h), **hp;
	size_t i, n = 0;

	hp = mx_calloc(r->n + 1, sizeof *hp);
	for (i = 0; i < r->n; i++) {
		h[i].fp = r->v[i];
		mx_spill_rewind(h[i].fp);
		if (head_next(&h[i]))
			hp[n++] = &h[i];
	}
	for (i = n; i-- > 0;)
		sift(hp, n, i);
	while (n > 0) {
		if (to != NULL)
			run_put(to, hp[0]->ord, hp[0]->b.p, hp[0]->b.len);
		else
			mx_out_write(o, hp[0]->b.p, hp[0]->b.len);
		if (!head_next(hp[0]))
			hp[0] = hp[--n];
		sift(hp, n, 0);
	}
	for (i = 0; i < r->n; i++) {
		fclose(r->v[i]);
		mx_buf_free(&h[i].b);
	}
	free(h);
	free(hp);
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

/* ---- joining ---- */

/* A left record, with its key. */
struct lrec {
	uint64_t	 ord;
	struct mx_rec	 in;
	const char	*canon, *text;
	size_t		 clen, tlen;
	uint64_t	 h;
	int		 nullpart;	/* the first null part, or -1 */
	int		 nullkind, nullbad;
};

static struct mx_buf	ob, ub;		/* a left record's output, unmatched */
/* Where ob goes: standard output, or a run made on first use. */
static FILE		**orunp;
static struct runs	*oruns;

static void
flush_ob(const struct lrec *l)
{
	if (ob.len == 0)
		return;
	if (orunp == NULL)
		mx_out_write(out, ob.p, ob.len);
	else {
		if (*orunp == NULL)
			*orunp = run_new(oruns);
		run_put(*orunp, l->ord, ob.p, ob.len);
	}
	ob.len = 0;
}

/* Why a left record matched nothing, for --unmatched. */
static void
unmatched(const struct lrec *l)
{
	static struct mx_buf why;
	const struct mx_expr *x;
	const char *t = l->text;
	uint32_t n;
	size_t i;

	if (unm == NULL)
		return;
	why.len = 0;
	if (l->nullpart >= 0) {
		x = &lx.v[l->nullpart];
		if (l->nullbad)
			mx_buf_printf(&why, "key %s(%s) is not a timestamp",
			    mx_efn_names[x->fn], x->path);
		else
			mx_buf_printf(&why, "key field %s is %s", x->path,
			    l->nullkind == MX_JNONE ? "missing" : "null");
	} else {
		mx_buf_printf(&why, "no match in %s for ",
		    mx_name(opt.right));
		for (i = 0; i < lx.n; i++) {
			memcpy(&n, t, sizeof n);
			t += sizeof n;
			mx_buf_printf(&why, "%s%s ", i ? ", " : "",
			    lx.v[i].name);
			show(&why, t, n);
			t += n;
		}
	}
	mx_reject_fmt(&ub, "mx-join", &l->in, "unmatched", l->nullpart >= 0 ?
	    lx.v[l->nullpart].path : keynames, mx_buf_cstr(&why));
}

/* Output of a left record: straight out when the table is whole, else
 * into ob for its run. */
static inline void
put(const char *p, size_t n)
{
	if (orunp == NULL)
		mx_out_write(out, p, n);
	else
		mx_buf_add(&ob, p, n);
}

/* The left record joined with the table: its output lines out (or into
 * ob), its --unmatched line into ub. */
static void
probe(const struct lrec *l)
{
	const struct chain *c;
	struct rrow *r;
	uint32_t k = 0;
	size_t id, e;
	int empty;

	ob.len = ub.len = 0;
	if (l->nullpart < 0 && (id = mx_hmap_find(rt.keys, l->canon, l->clen,
	    l->h)) != MX_HMAP_NONE) {
		c = mx_hmap_val(rt.keys, id);
		k = c->first;
	}
	if (k == 0) {
		st.unmatched++;
		if (l->nullpart >= 0)
			st.nullkeys++;
		if (leftrows) {
			put(l->in.p, l->in.n);
			put("\n", 1);
			st.out++;
		}
		unmatched(l);
		return;
	}
	st.matched++;
	if (opt.type == T_SEMI) {
		put(l->in.p, l->in.n);
		put("\n", 1);
		st.out++;
	}
	e = mx_obj_end(l->in.p, l->in.n, &empty);
	for (; k != 0; k = r->next) {
		r = &rt.rows[k - 1];
		r->matched = 1;
		if (!appends)
			continue;
		put(l->in.p, e);
		if (r->alen > 0) {
			if (!empty)
				put(",", 1);
			put(rt.arena.p + r->off + r->tlen, r->alen);
		}
		put("}\n", 2);
		st.out++;
		/* many-to-many: a key of many rows in pieces, of one
		 * ordinal in a run, which the merge keeps together */
		if (ob.len >= (size_t)1 << 20)
			flush_ob(l);
	}
}

/* A right record no left one matched, as a record: the keys, named as
 * on the left, then its fields. */
static void
right_only(struct mx_buf *b, const char *text, const char *app,
    size_t alen)
{
	uint32_t n;
	size_t i;

	mx_buf_addc(b, '{');
	for (i = 0; i < lx.n; i++) {
		memcpy(&n, text, sizeof n);
		text += sizeof n;
		if (i > 0)
			mx_buf_addc(b, ',');
		mx_json_quote(b, lx.v[i].name, strlen(lx.v[i].name));
		mx_buf_addc(b, ':');
		mx_buf_add(b, text, n);
		text += n;
	}
	if (alen > 0) {
		mx_buf_addc(b, ',');
		mx_buf_add(b, app, alen);
	}
	mx_buf_add(b, "}\n", 2);
}

/* The table's rows no left record matched: counted, and out to o or to
 * a run. */
static void
rest(struct mx_out *o, FILE *run)
{
	const struct rrow *r;
	size_t i;

	for (i = 0; i < rt.n; i++) {
		r = &rt.rows[i];
		if (r->matched) {
			st.rmatched++;
			continue;
		}
		st.runmatched++;
		if (!rightrows)
			continue;
		ob.len = 0;
		right_only(&ob, rt.arena.p + r->off, rt.arena.p + r->off +
		    r->tlen, r->alen);
		if (run != NULL)
			run_put(run, r->ord, ob.p, ob.len);
		else
			mx_out_write(o, ob.p, ob.len);
		st.out++;
	}
}

/* ---- spilling ---- */

static int	 spilled;
static FILE	*rparts[NPART], *lparts[NPART];
static FILE	*rnullrun, *lnullrun, *unullrun;

static int
part_of(uint64_t h, int depth)
{
	return (int)(h >> (64 - PARTBITS * (depth + 1))) & (NPART - 1);
}

/* A right record in a partition file. */
struct rhdr {
	uint64_t	h, ord;
	uint64_t	line;
	uint32_t	clen, tlen, alen;
};

static void
rpart_put(FILE *fp, const struct rhdr *rh, const char *canon,
    const char *text, const char *app)
{
	mx_spill_write(fp, rh, sizeof *rh);
	mx_spill_write(fp, canon, rh->clen);
	mx_spill_write(fp, text, rh->tlen);
	mx_spill_write(fp, app, rh->alen);
}

/* A left record in a partition file. */
struct lhdr {
	uint64_t	h, ord;
	uint64_t	line;
	uint32_t	file, whole;
	uint32_t	clen, tlen, rlen;
};

static const char	**lfiles;
static const char	*stdin_files[] = { "-" };

/* A right record whose key is null: no left record can match it. */
static void
right_null(uint64_t ord, const char *text, const char *app, size_t alen)
{
	static struct mx_buf b;

	st.runmatched++;
	b.len = 0;
	right_only(&b, text, app, alen);
	if (rnullrun == NULL)
		rnullrun = run_new(&top.ro);
	run_put(rnullrun, ord, b.p, b.len);
	st.out++;
}

/* Past --memory: the rows held so far go to the partition files, and
 * so will every right record after them. */
static void
spill_right(void)
{
	const struct rrow *r;
	struct rhdr rh;
	const char *canon;
	size_t i, clen;
	int p;

	spilled = 1;
	for (p = 0; p < NPART; p++)
		rparts[p] = mx_spill_open();
	for (i = 0; i < rt.n; i++) {
		r = &rt.rows[i];
		if (r->key == 0) {
			right_null(r->ord, rt.arena.p + r->off,
			    rt.arena.p + r->off + r->tlen, r->alen);
			continue;
		}
		canon = mx_hmap_key(rt.keys, r->key - 1, &clen);
		rh.h = mx_hash64(canon, clen);
		rh.ord = r->ord;
		rh.line = r->line;
		rh.clen = (uint32_t)clen;
		rh.tlen = r->tlen;
		rh.alen = r->alen;
		rpart_put(rparts[part_of(rh.h, 0)], &rh, canon,
		    rt.arena.p + r->off, rt.arena.p + r->off + r->tlen);
	}
	rt_clear();
}

/* Read the right side. */
static void
read_right(void)
{
	struct mx_reader r;
	struct mx_json *scan = mx_json_new(rsel);
	struct mx_span *sp = mx_calloc((size_t)mx_sel_count(rsel), sizeof *sp);
	struct mx_buf canon = { 0 }, text = { 0 }, app = { 0 };
	struct mx_rec in;
	struct rhdr rh;
	const char *line;
	ssize_t n;
	uint64_t ord = 0, h;
	int kind, bad, null;

	if (mx_reader_open(&r, opt.right) < 0)
		mx_err(MX_EXIT_FAIL, "%s", mx_name(opt.right));
	in.file = opt.right;
	while ((n = mx_reader_line(&r, &line)) >= 0) {
		in.line = r.lineno;
		in.p = line;
		in.n = (size_t)n;
		in.whole = 0;
		if (mx_blank(line, (size_t)n)) {
			st.blank++;
			continue;
		}
		st.right++;
		too_long(&in);
		if (mx_json_scan(scan, line, (size_t)n, sp, 1) < 0) {
			reject(&in, mx_json_errstr(scan));
			continue;
		}
		mx_seen_spans(&rseen, sp);
		canon.len = text.len = 0;
		null = mx_jkey(&rx, sp, &canon, NULL, &kind, &bad) >= 0;
		if (null)
			st.rnullkeys++;
		/* a null key matches nothing: only right and full joins
		 * write such a record */
		if (null && !rightrows) {
			st.runmatched++;
			continue;
		}
		if (rightrows)
			key_texts(&rx, sp, &text);
		app.len = 0;
		if (appends)
			right_fields(line, (size_t)n, &app);
		if (null && spilled) {
			right_null(ord++, text.p, app.p, app.len);
			continue;
		}
		h = mx_hash64(canon.p, canon.len);
		if (spilled) {
			rh.h = h;
			rh.ord = ord++;
			rh.line = r.lineno;
			rh.clen = (uint32_t)canon.len;
			rh.tlen = (uint32_t)text.len;
			rh.alen = (uint32_t)app.len;
			rpart_put(rparts[part_of(h, 0)], &rh, canon.p, text.p,
			    app.p);
			continue;
		}
		rt_add(null ? NULL : canon.p, canon.len, h, ord++, r.lineno,
		    text.p, text.len, app.p, app.len);
		if (rt_bytes() > (size_t)opt.memory)
			spill_right();
	}
	mx_reader_close(&r);
	mx_json_free(scan);
	free(sp);
	mx_buf_free(&canon);
	mx_buf_free(&text);
	mx_buf_free(&app);
}

/* One left record: to the output at once, or to its partition. */
static void
left_rec(struct lrec *l, int file)
{
	struct lhdr lh;

	if (!spilled) {
		probe(l);
		flush_ob(l);
		if (ub.len > 0)
			mx_out_write(unm, ub.p, ub.len);
		return;
	}
	if (l->nullpart >= 0) {
		/* it matches nothing, whatever the partition */
		orunp = &lnullrun;
		oruns = &top.out;
		probe(l);
		flush_ob(l);
		orunp = NULL;
		if (ub.len > 0) {
			if (unullrun == NULL)
				unullrun = run_new(&top.um);
			run_put(unullrun, l->ord, ub.p, ub.len);
		}
		return;
	}
	lh.h = l->h;
	lh.ord = l->ord;
	lh.line = l->in.line;
	lh.file = (uint32_t)file;
	lh.whole = (uint32_t)l->in.whole;
	lh.clen = (uint32_t)l->clen;
	lh.tlen = (uint32_t)l->tlen;
	lh.rlen = (uint32_t)l->in.n;
	if (lparts[part_of(l->h, 0)] == NULL)
		lparts[part_of(l->h, 0)] = mx_spill_open();
	mx_spill_write(lparts[part_of(l->h, 0)], &lh, sizeof lh);
	mx_spill_write(lparts[part_of(l->h, 0)], l->canon, l->clen);
	mx_spill_write(lparts[part_of(l->h, 0)], l->text, l->tlen);
	mx_spill_write(lparts[part_of(l->h, 0)], l->in.p, l->in.n);
}

static void
read_left(const char *path, int file, struct mx_json *scan,
    struct mx_span *sp, int rejsel)
{
	static struct mx_buf canon, text;
	static uint64_t ord;
	struct mx_reader r;
	struct lrec l;
	const char *line, *c;
	ssize_t n;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_FAIL, "%s", mx_name(path));
	l.in.file = path;
	while ((n = mx_reader_line(&r, &line)) >= 0) {
		l.in.line = r.lineno;
		l.in.p = line;
		l.in.n = (size_t)n;
		l.in.whole = 0;
		if (mx_blank(line, (size_t)n)) {
			st.blank++;
			continue;
		}
		st.left++;
		too_long(&l.in);
		if (mx_json_scan(scan, line, (size_t)n, sp, 1) < 0) {
			reject(&l.in, mx_json_errstr(scan));
			continue;
		}
		mx_seen_spans(&lseen, sp);
		if (appends && (c = collides(line, (size_t)n, sp)) != NULL)
			mx_errx(MX_EXIT_USAGE, "%s:%ju: the left record has a "
			    "field %s, which the right side adds: --prefix or "
			    "--rename", mx_name(path), r.lineno, c);
		l.in.whole = sp[rejsel].kind == MX_JNONE;
		l.ord = ord++;
		canon.len = text.len = 0;
		l.nullpart = mx_jkey(&lx, sp, &canon, &text, &l.nullkind,
		    &l.nullbad);
		l.canon = canon.p;
		l.clen = canon.len;
		l.text = text.p;
		l.tlen = text.len;
		l.h = l.nullpart < 0 ? mx_hash64(canon.p, canon.len) : 0;
		left_rec(&l, file);
	}
	mx_reader_close(&r);
}

/* Load a right partition into the table; 0 when it is larger than
 * --memory (and could be split), the table then cleared. */
static int
load_part(FILE *rf, int depth)
{
	static struct mx_buf canon, text, app;
	struct rhdr rh;
	uint64_t first = 0;
	int same = 1, any = 0;

	mx_spill_rewind(rf);
	rt_clear();
	while (mx_spill_read(rf, &rh, sizeof rh)) {
		tmp_take(rf, &canon, rh.clen);
		tmp_take(rf, &text, rh.tlen);
		tmp_take(rf, &app, rh.alen);
		if (!any)
			first = rh.h;
		any = 1;
		same = same && rh.h == first;
		rt_add(canon.p, canon.len, rh.h, rh.ord, rh.line, text.p,
		    text.len, app.p, app.len);
		/* one key cannot be split: it is held whole, past the
		 * limit */
		if (rt_bytes() > (size_t)opt.memory && depth < MAXDEPTH &&
		    !same) {
			rt_clear();
			return 0;
		}
	}
	return 1;
}

static void join_part(FILE *rf, FILE *lf, int depth, struct res *res);

/* Merge the runs of parts into one run each of res, so that the files
 * open stay few however deep the splits go. */
static void
merge_res(struct res *parts, struct res *res)
{
	if (parts->out.n > 0)
		merge(&parts->out, NULL, run_new(&res->out));
	if (parts->um.n > 0)
		merge(&parts->um, NULL, run_new(&res->um));
	if (parts->ro.n > 0)
		merge(&parts->ro, NULL, run_new(&res->ro));
}

/* Split a partition by the next bits of the hash, and join each part. */
static void
split_part(FILE *rf, FILE *lf, int depth, struct res *res)
{
	static struct mx_buf b;
	struct res sub;
	FILE *rs[NPART], *ls[NPART];
	struct rhdr rh;
	struct lhdr lh;
	int p;

	for (p = 0; p < NPART; p++)
		rs[p] = ls[p] = NULL;
	mx_spill_rewind(rf);
	while (mx_spill_read(rf, &rh, sizeof rh)) {
		p = part_of(rh.h, depth + 1);
		tmp_take(rf, &b, (size_t)rh.clen + rh.tlen + rh.alen);
		if (rs[p] == NULL)
			rs[p] = mx_spill_open();
		mx_spill_write(rs[p], &rh, sizeof rh);
		mx_spill_write(rs[p], b.p, b.len);
	}
	fclose(rf);
	if (lf != NULL) {
		mx_spill_rewind(lf);
		while (mx_spill_read(lf, &lh, sizeof lh)) {
			p = part_of(lh.h, depth + 1);
			tmp_take(lf, &b, (size_t)lh.clen + lh.tlen + lh.rlen);
			if (ls[p] == NULL)
				ls[p] = mx_spill_open();
			mx_spill_write(ls[p], &lh, sizeof lh);
			mx_spill_write(ls[p], b.p, b.len);
		}
		fclose(lf);
	}
	memset(&sub, 0, sizeof sub);
	for (p = 0; p < NPART; p++)
		join_part(rs[p], ls[p], depth + 1, &sub);
	merge_res(&sub, res);
}

/* Join one partition of each side (either may be NULL: empty). */
static void
join_part(FILE *rf, FILE *lf, int depth, struct res *res)
{
	static struct mx_buf canon, text, rec;
	FILE *orun = NULL, *urun = NULL, *rrun = NULL;
	struct lhdr lh;
	struct lrec l;

	if (rf == NULL && lf == NULL)
		return;
	st.partitions++;
	rt_clear();
	if (rf != NULL && !load_part(rf, depth)) {
		st.partitions--;
		split_part(rf, lf, depth, res);
		return;
	}
	if (lf != NULL) {
		mx_spill_rewind(lf);
		while (mx_spill_read(lf, &lh, sizeof lh)) {
			tmp_take(lf, &canon, lh.clen);
			tmp_take(lf, &text, lh.tlen);
			tmp_take(lf, &rec, lh.rlen);
			l.ord = lh.ord;
			l.in.file = lfiles[lh.file];
			l.in.line = lh.line;
			l.in.p = rec.p;
			l.in.n = rec.len;
			l.in.whole = (int)lh.whole;
			l.canon = canon.p;
			l.clen = canon.len;
			l.text = text.p;
			l.tlen = text.len;
			l.h = lh.h;
			l.nullpart = -1;
			orunp = &orun;
			oruns = &res->out;
			probe(&l);
			flush_ob(&l);
			orunp = NULL;
			if (ub.len > 0) {
				if (urun == NULL)
					urun = run_new(&res->um);
				run_put(urun, l.ord, ub.p, ub.len);
			}
		}
		fclose(lf);
	}
	if (rightrows && rt.n > 0)
		rrun = run_new(&res->ro);
	rest(NULL, rrun);
	if (rf != NULL)
		fclose(rf);
	rt_clear();
}

/* ---- counts ---- */

static void
write_stats(void)
{
	struct mx_out *s = mx_out_open(mx_opt_stats);

	mx_out_printf(s, "{\"tool\":\"mx-join\",\"type\":\"%s\",\"left\":%ju,"
	    "\"right\":%ju,\"matched\":%ju,\"unmatched\":%ju,"
	    "\"null_keys\":%ju,\"right_matched\":%ju,"
	    "\"right_unmatched\":%ju,\"right_null_keys\":%ju,\"out\":%ju,"
	    "\"rejected\":%ju,\"blank\":%ju,\"partitions\":%ju}\n",
	    types[opt.type], st.left, st.right, st.matched, st.unmatched,
	    st.nullkeys, st.rmatched, st.runmatched, st.rnullkeys, st.out,
	    st.rejected, st.blank, st.partitions);
	mx_out_close(s);
}

static void
report(void)
{
	mx_warnx("%ju left, %ju right, %ju rejected; %ju left matched, %ju "
	    "not (%ju with a null key); %ju right matched, %ju not; %ju out",
	    st.left, st.right, st.rejected, st.matched, st.unmatched,
	    st.nullkeys, st.rmatched, st.runmatched, st.out);
	if (spilled)
		mx_warnx("past --memory: joined in %ju partitions",
		    st.partitions);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "right", required_argument, NULL, 'r' },
		{ "keys", required_argument, NULL, 'k' },
		{ "type", required_argument, NULL, 'J' },
		{ "unique", no_argument, NULL, 'U' },
		{ "prefix", required_argument, NULL, 'P' },
		{ "rename", required_argument, NULL, 'N' },
		{ "unmatched", required_argument, NULL, 'u' },
		{ "memory", required_argument, NULL, 'm' },
		{ "tmpdir", required_argument, NULL, 'T' },
		MX_REJECTS_LONGOPT,
		MX_STATS_LONGOPT,
		{ "verbose", no_argument, NULL, 'v' },
		MX_STRICT_LONGOPT,
		MX_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct mx_json *scan;
	struct mx_span *sp;
	struct mx_buf kn = { 0 };
	char err[256];
	size_t i;
	int c, k, rejsel;

	mx_init(argv[0]);
	while ((c = mx_getopt(argc, argv, "k:m:r:T:v", longopts, NULL,
	    synopsis)) != -1) {
		switch (c) {
		case 'r':
			opt.right = optarg;
			break;
		case 'k':
			opt.keys = optarg;
			break;
		case 'J':
			for (k = 0; types[k] != NULL; k++)
				if (strcmp(optarg, types[k]) == 0)
					break;
			if (types[k] == NULL) {
				mx_warnx("--type: unknown value '%s'", optarg);
				usage();
			}
			opt.type = k;
			break;
		case 'U':
			opt.unique = 1;
			break;
		case 'P':
			opt.prefix = optarg;
			break;
		case 'N':
			opt.rename = optarg;
			break;
		case 'u':
			opt.unmatched = optarg;
			break;
		case 'm':
			if ((opt.memory = mx_size_opt("--memory", optarg)) < 0)
				usage();
			break;
		case 'T':
			mx_spill_dir(optarg);
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

	if (opt.right == NULL) {
		mx_warnx("no right side (-r)");
		usage();
	}
	if (opt.keys == NULL) {
		mx_warnx("no keys (-k)");
		usage();
	}
	if (strcmp(opt.right, "-") == 0) {
		for (k = 0; k < argc && strcmp(argv[k], "-") != 0; k++)
			;
		if (argc == 0 || k < argc) {
			mx_warnx("-r -: the left side must then come from "
			    "files");
			usage();
		}
	}
	appends = opt.type != T_SEMI && opt.type != T_ANTI;
	rightrows = opt.type == T_RIGHT || opt.type == T_FULL;
	leftrows = opt.type == T_LEFT || opt.type == T_FULL ||
	    opt.type == T_ANTI;
	if (!appends && (opt.prefix != NULL || opt.rename != NULL)) {
		mx_warnx("--type %s adds no fields: no --prefix or --rename",
		    types[opt.type]);
		usage();
	}
	if (opt.rename != NULL)
		parse_renames(opt.rename);
	lsel = mx_sel_new();
	rsel = mx_sel_new();
	if (mx_joinkeys_parse(opt.keys, 0, &lx, lsel, &rx, rsel, err,
	    sizeof err) < 0) {
		mx_warnx("-k: %s", err);
		usage();
	}
	lseen.whose = "the left input";
	rseen.whose = mx_name(opt.right);
	for (i = 0; i < lx.n; i++) {
		(void)mx_seen_add(&lseen, "-k", lx.v[i].path, lx.v[i].sel);
		(void)mx_seen_add(&rseen, "-k", rx.v[i].path, rx.v[i].sel);
	}
	for (i = 0; i < lx.n; i++)
		mx_buf_printf(&kn, "%s%s", i ? "," : "", lx.v[i].name);
	keynames = mx_strdup(mx_buf_cstr(&kn));
	mx_buf_free(&kn);
	rejsel = mx_sel_add(lsel, "_reject");

	rt.keys = mx_hmap_new(sizeof(struct chain));
	rawnames = mx_hmap_new(sizeof(struct fname));
	outnames = mx_hmap_new(sizeof(size_t));
	out = mx_out_stdout();
	if (mx_opt_rejects != NULL)
		rej = mx_out_open(mx_opt_rejects);
	if (opt.unmatched != NULL)
		unm = mx_out_open(opt.unmatched);

	read_right();
	if (appends)
		select_outnames();
	lfiles = argc > 0 ? (const char **)argv : stdin_files;
	scan = mx_json_new(lsel);
	sp = mx_calloc((size_t)mx_sel_count(lsel), sizeof *sp);
	if (argc == 0)
		read_left("-", 0, scan, sp, rejsel);
	for (k = 0; k < argc; k++)
		read_left(argv[k], k, scan, sp, rejsel);
	if (!spilled)
		rest(out, NULL);
	else {
		/* the left records in their order, then the right's */
		for (k = 0; k < NPART; k++)
			join_part(rparts[k], lparts[k], 0, &top);
		merge(&top.out, out, NULL);
		merge(&top.ro, out, NULL);
		if (unm != NULL)
			merge(&top.um, unm, NULL);
	}

	if ((mx_seen_report(&lseen, mx_opt_strict) +
	    mx_seen_report(&rseen, mx_opt_strict)) > 0 && mx_opt_strict) {
		/* the records are out; the files are not published */
		if (unm != NULL)
			mx_out_abort(unm);
		if (rej != NULL)
			mx_out_abort(rej);
		mx_out_close(out);
		exit(MX_EXIT_FAIL);
	}
	if (unm != NULL)
		mx_out_close(unm);
	if (rej != NULL)
		mx_out_close(rej);
	if (mx_opt_stats != NULL)
		write_stats();
	mx_out_close(out);
	if (opt.verbose)
		report();

	mx_json_free(scan);
	free(sp);
	mx_sel_free(lsel);
	mx_sel_free(rsel);
	mx_exprs_free(&lx);
	mx_exprs_free(&rx);
	mx_hmap_free(rt.keys);
	free(rt.rows);
	mx_buf_free(&rt.arena);
	mx_hmap_free(rawnames);
	mx_hmap_free(outnames);
	mx_buf_free(&names);
	free(outsel);
	for (i = 0; i < noutsel; i++)
		free(outselname[i]);
	free(outselname);
	for (i = 0; i < nrenames; i++) {
		free(renames[i].from);
		free(renames[i].to);
	}
	free(renames);
	free(keynames);
	mx_buf_free(&ob);
	mx_buf_free(&ub);
	return MX_EXIT_OK;
}
