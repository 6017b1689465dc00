/*
 * calc.c: computed fields for mx-calc, in exact decimals.
 *
 * Each item is "name=expression", or a condition (mx-test's expressions
 * and where=) that is evaluated to a truth value; the expressions are
 * compiled once into
 * trees whose field references are paths of the tool's selection (so the
 * record is scanned once, without a tree), and evaluated per record.
 * Values are kept as JSON text (mx_span): a field's value is its own
 * bytes in the record, a computed one is text in an arena that is
 * emptied per record, so memory does not grow with the input.
 *
 * expr   := and ('or' and)*
 * and    := not ('and' not)*
 * not    := 'not' not | cmp
 * cmp    := sum (('=' | '==' | '!=' | '<>' | '<' | '<=' | '>' | '>=') sum)*
 *	     a <= b <= c: each link holds
 * sum    := prod (('+' | '-') prod)*
 * prod   := unary (('*' | '/') unary)*
 * unary  := '-' unary | atom
 * atom   := number | "string" | 'string' | null | true | false | path
 *	     | `path`
 *	     | name '(' [expr (',' expr)*] ')' | '(' expr ')'
 *
 * Truth has three values, as in SQL: a comparison with null on a side is
 * null (but x = null and x != null test it), and, or and not follow
 * Kleene.  Values of two classes have no order, as in conditions (-w):
 * only != holds between them, but a number against a timestamp is
 * compared as time.
 */
#include <stdlib.h>
#include <string.h>

#include "calc.h"

enum {
	N_LIT, N_FIELD, N_REF, N_NEG, N_ADD, N_SUB, N_MUL, N_DIV, N_CMP,
	N_AND, N_OR, N_NOT, N_FN
};
enum { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };
enum {
	F_ROUND, F_IF, F_COALESCE, F_HASH, F_CONCAT, F_LOWER, F_UPPER,
	F_INT, F_SUBSTR, F_NOW, F_TIME
};

/* The functions besides the time parts of expr.c: name, and the least
 * and most arguments (-1: any number). */
static const struct {
	const char	*name;
	int		 fn, min, max;
} fns[] = {
	{ "round", F_ROUND, 2, 2 },
	{ "if", F_IF, 3, 3 },
	{ "coalesce", F_COALESCE, 1, -1 },
	{ "hash", F_HASH, 1, -1 },
	{ "concat", F_CONCAT, 1, -1 },
	{ "lower", F_LOWER, 1, 1 },
	{ "upper", F_UPPER, 1, 1 },
	{ "int", F_INT, 1, 1 },
	{ "substr", F_SUBSTR, 2, 3 },
	{ "now", F_NOW, 0, 0 },
	{ NULL, 0, 0, 0 }
};

/* A value: JSON text, and for a number worked out its exact decimal,
 * whose scale is the scale it is written with. */
struct val {
	struct mx_span	s;		/* MX_JNONE or MX_JNULL: null */
	int		isdec;
	struct mx_dec	d;
};

struct node {
	int		 op;
	int		 sub;		/* N_FN: F_* */
	int		*ops;		/* N_CMP: C_* between k[i] and
					 * k[i + 1] */
	int		 tfn;		/* F_TIME: enum mx_efn */
	struct node	**k;		/* operands */
	size_t		 nk;
	int		 sel;		/* N_FIELD */
	size_t		 ref;		/* N_REF: the item computed before */
	int		 isnull;	/* N_LIT null */
	struct mx_buf	 text;		/* N_LIT: its JSON text; N_FIELD:
					 * its path */
	struct mx_span	 lit;
	size_t		 pos, end;	/* its text in the item */
	int		 depth;		/* of the tree under it */
	struct val	*scratch;	/* N_FN: its arguments' values (a node
					 * is never inside itself) */
};

struct item {
	char		*name;		/* "" for a condition */
	char		*text;		/* the whole argument */
	struct node	*root;
};

/* Arena chunks: text never moves once written, so spans stay valid. */
struct chunk {
	struct chunk	*next;
	size_t		 len, cap;
	char		 p[];
};
#define CHUNK	(64 * 1024)

struct mx_calc {
	struct mx_sel	*sel;
	int		 scale;
	struct item	*v;
	size_t		 n;
	struct val	*res;		/* per item, this record */
	struct mx_span	*out;
	struct chunk	*first, *cur;
	struct mx_buf	 why, tmp, canon;
	struct mx_oval	 oa, ob;
	struct mx_time	 now;
	int		 hasnow;
};

/* ---- values ---- */

static char *
arena(struct mx_calc *c, size_t n)
{
	struct chunk *k = c->cur;
	size_t cap;

	if (k->cap - k->len < n) {
		cap = n > CHUNK ? n : CHUNK;
		k = mx_malloc(sizeof *k + cap);
		k->next = NULL;
		k->len = 0;
		k->cap = cap;
		c->cur->next = k;
		c->cur = k;
	}
	k->len += n;
	return k->p + k->len - n;
}

/* Empty the arena for the next record, freeing what a large record
 * took beyond the first chunk. */
static void
arena_reset(struct mx_calc *c)
{
	struct chunk *k, *next;

	for (k = c->first->next; k != NULL; k = next) {
		next = k->next;
		free(k);
	}
	c->first->next = NULL;
	c->first->len = 0;
	c->cur = c->first;
}

static void
set_null(struct val *v)
{
	v->s.p = "null";
	v->s.n = 4;
	v->s.kind = MX_JNULL;
	v->s.esc = 0;
	v->isdec = 0;
}

static int
is_null(const struct val *v)
{
	return v->s.kind == MX_JNONE || v->s.kind == MX_JNULL;
}

static void
set_bool(struct val *v, int b)
{
	v->s.p = b ? "true" : "false";
	v->s.n = b ? 4 : 5;
	v->s.kind = b ? MX_JTRUE : MX_JFALSE;
	v->s.esc = 0;
	v->isdec = 0;
}

/* Set v to the JSON text p[0..n), copied into the arena. */
static void
set_text(struct mx_calc *c, struct val *v, const char *p, size_t n)
{
	char *q = arena(c, n);

	memcpy(q, p, n);
	mx_span_of(q, n, &v->s);
	v->isdec = 0;
}

/* A number written with exactly its scale (25.00 stays 25.00). */
static void
set_dec(struct mx_calc *c, struct val *v, const struct mx_dec *d)
{
	char b[48];
	int n = mx_dec_fmt_scale(d, d->scale, b);

	set_text(c, v, b, (size_t)n);
	v->isdec = 1;
	v->d = *d;
}

/* A string of the UTF-8 bytes p[0..n). */
static void
set_str(struct mx_calc *c, struct val *v, const char *p, size_t n)
{
	c->tmp.len = 0;
	mx_json_quote(&c->tmp, p, n);
	set_text(c, v, c->tmp.p, c->tmp.len);
}

/* The bytes of a string value (decoded into b when it has escapes). */
static const char *
str_bytes(const struct val *v, struct mx_buf *b, size_t *n)
{
	if (v->s.esc) {
		b->len = 0;
		mx_json_unescape(&v->s, b);
		*n = b->len;
		return b->p != NULL ? b->p : "";
	}
	*n = v->s.n - 2;
	return v->s.p + 1;
}

/* ---- messages ---- */

/* The text of node n in its item, for messages. */
static void
node_text(const struct item *it, const struct node *n, struct mx_buf *b)
{
	size_t s = n->pos, e = n->end;

	while (s < e && (it->text[s] == ' ' || it->text[s] == '\t'))
		s++;
	while (e > s && (it->text[e - 1] == ' ' || it->text[e - 1] == '\t'))
		e--;
	mx_buf_add(b, it->text + s, e - s);
}

/* A value's JSON text, cut short. */
static void
show(struct mx_buf *b, const struct val *v)
{
	if (v->s.n > 40) {
		mx_buf_add(b, v->s.p, 37);
		mx_buf_adds(b, "...");
	} else
		mx_buf_add(b, v->s.p, v->s.n);
}

/* "<operand> is <value>, <what>": the reason of a failed record. */
static int
fail(struct mx_calc *c, const struct item *it, const struct node *n,
    const struct val *v, const char *what)
{
	c->why.len = 0;
	node_text(it, n, &c->why);
	mx_buf_adds(&c->why, " is ");
	show(&c->why, v);
	mx_buf_printf(&c->why, ", %s", what);
	return -1;
}

/* "<expression> is beyond ...": a result that does not fit. */
static int
overflow(struct mx_calc *c, const struct item *it, const struct node *n)
{
	c->why.len = 0;
	node_text(it, n, &c->why);
	mx_buf_adds(&c->why, " does not fit 38 digits, 18 after the point");
	return -1;
}

/* ---- evaluation ---- */

static int eval(struct mx_calc *c, const struct item *it,
    const struct node *n, const struct mx_span *spans, struct val *r);

/* The decimal of v, operand n: 0, 1 when it is null, -1 (why set) when
 * it is no number. */
static int
num(struct mx_calc *c, const struct item *it, const struct node *n,
    const struct val *v, struct mx_dec *d)
{
	const char *p;
	size_t len;

	if (is_null(v))
		return 1;
	if (v->isdec) {
		*d = v->d;
		return 0;
	}
	if (v->s.kind == MX_JNUM) {
		if (mx_dec_parse(v->s.p, v->s.n, d) == 0)
			return 0;
		return fail(c, it, n, v, "beyond 38 digits, 18 after the "
		    "point");
	}
	if (v->s.kind == MX_JSTR) {
		p = str_bytes(v, &c->tmp, &len);
		/* as the ordering reads a string: a JSON number in it */
		if (mx_json_isnum(p, len)) {
			if (mx_dec_parse(p, len, d) == 0)
				return 0;
			return fail(c, it, n, v, "beyond 38 digits, 18 after "
			    "the point");
		}
	}
	return fail(c, it, n, v, "not a number");
}

/* The two operands of an arithmetic node as decimals: 0, 1 for a null
 * among them, -1 on an error (a value that is no number wins over a
 * null: the record is wrong either way). */
static int
operands(struct mx_calc *c, const struct item *it, const struct node *n,
    const struct mx_span *spans, struct mx_dec *a, struct mx_dec *b)
{
	struct val x, y;
	int ka, kb;

	if (eval(c, it, n->k[0], spans, &x) < 0 ||
	    eval(c, it, n->k[1], spans, &y) < 0)
		return -1;
	if ((ka = num(c, it, n->k[0], &x, a)) < 0 ||
	    (kb = num(c, it, n->k[1], &y, b)) < 0)
		return -1;
	return ka || kb;
}

/* Three-valued truth: -1 null, 0 false, 1 anything else. */
static int
truth(const struct val *v)
{
	if (is_null(v))
		return -1;
	return v->s.kind != MX_JFALSE;
}

static void
set_truth(struct val *r, int t)
{
	if (t < 0)
		set_null(r);
	else
		set_bool(r, t);
}

/* Does link op hold between x and y, neither null? */
static int
holds(struct mx_calc *c, int op, const struct val *x, const struct val *y)
{
	int k, oc, ac, bc;

	/* The same bytes of a string or a number are the same value, of
	 * whatever class they read as: equal, without reading them (the
	 * tests that hold, event_date == date(timestamp) and the like, are
	 * most of the comparisons a data test makes). */
	if (x->s.kind == y->s.kind && (x->s.kind == MX_JSTR ||
	    x->s.kind == MX_JNUM) && x->s.n == y->s.n &&
	    memcmp(x->s.p, y->s.p, x->s.n) == 0)
		return op == C_EQ || op == C_LE || op == C_GE;
	mx_oval_set(&c->oa, &x->s);
	mx_oval_set(&c->ob, &y->s);
	k = mx_oval_cmp(&c->oa, &c->ob, MX_ORD_TIME);
	ac = c->oa.cls;
	bc = c->ob.cls;
	/* the class order is for sorting; a condition that 1 < "abc"
	 * would hold of data that is wrong, so only != holds */
	oc = ac == bc || (ac == MX_OC_NUM && bc == MX_OC_TIME) ||
	    (ac == MX_OC_TIME && bc == MX_OC_NUM);
	if (k == MX_ORD_NONE || !oc)
		return op == C_NE;
	switch (op) {
	case C_EQ:
		return k == 0;
	case C_NE:
		return k != 0;
	case C_LT:
		return k < 0;
	case C_LE:
		return k <= 0;
	case C_GT:
		return k > 0;
	default:
		return k >= 0;
	}
}

static int
cmp_node(struct mx_calc *c, const struct item *it, const struct node *n,
    const struct mx_span *spans, struct val *r)
{
	struct val x, y;
	size_t i;
	int t;

	if (eval(c, it, n->k[0], spans, &x) < 0 ||
	    eval(c, it, n->k[1], spans, &y) < 0)
		return -1;
	/* null literals are only ever in a single = or != (parse_cmp) */
	if (n->k[0]->isnull || n->k[1]->isnull) {
		t = is_null(&x) && is_null(&y);
		set_bool(r, n->ops[0] == C_EQ ? t : !t);
		return 0;
	}
	/* a chain holds when every link does; a link with a null makes it
	 * null unless a later one is false, which is not evaluated past */
	t = 1;
	for (i = 1;; i++) {
		if (is_null(&x) || is_null(&y))
			t = -1;
		else if (!holds(c, n->ops[i - 1], &x, &y)) {
			t = 0;
			break;
		}
		if (i + 1 >= n->nk)
			break;
		x = y;
		if (eval(c, it, n->k[i + 1], spans, &y) < 0)
			return -1;
	}
	set_truth(r, t);
	return 0;
}

/* round(x, n): n an integer 0..18 (2.0 is as good as 2). */
static int
fn_round(struct mx_calc *c, const struct item *it, const struct node *n,
    const struct mx_span *spans, struct val *r)
{
	struct val *v = n->scratch;
	struct mx_dec x, p, q;
	char b[48];
	int kx, kp, k;

	if (eval(c, it, n->k[0], spans, &v[0]) < 0 ||
	    eval(c, it, n->k[1], spans, &v[1]) < 0)
		return -1;
	if ((kx = num(c, it, n->k[0], &v[0], &x)) < 0 ||
	    (kp = num(c, it, n->k[1], &v[1], &p)) < 0)
		return -1;
	if (kx || kp) {
		set_null(r);
		return 0;
	}
	while (p.scale > 0 && p.v % 10 == 0) {
		p.v /= 10;
		p.scale--;
	}
	if (p.scale != 0 || p.v < 0 || p.v > MX_DEC_MAXSCALE)
		return fail(c, it, n->k[1], &v[1], "not a number of places "
		    "0..18");
	k = mx_dec_fmt_scale(&x, (int)p.v, b);
	if (mx_dec_parse(b, (size_t)k, &q) < 0 || q.scale != (int)p.v)
		return overflow(c, it, n);
	set_dec(c, r, &q);
	return 0;
}

/* A whole number argument of at least lo, as substr() takes its start
 * and length; 1 when null, -1 on error. */
static int
whole(struct mx_calc *c, const struct item *it, const struct node *k,
    struct val *v, long lo, long *out)
{
	struct mx_dec d;
	int null;

	if ((null = num(c, it, k, v, &d)) != 0)
		return null;
	while (d.scale > 0 && d.v % 10 == 0) {
		d.v /= 10;
		d.scale--;
	}
	if (d.scale != 0 || d.v < lo || d.v > 0x7fffffff)
		return fail(c, it, k, v, lo > 0 ? "not a whole number from 1" :
		    "not a whole number from 0");
	*out = (long)d.v;
	return 0;
}

/* substr(s, start[, length]): characters, not bytes, counted from 1 as
 * SQL counts them; a start past the end gives "". */
static int
fn_substr(struct mx_calc *c, const struct item *it, const struct node *n,
    const struct mx_span *spans, struct val *r)
{
	struct val *v = n->scratch;
	const char *p;
	size_t i, len, from, to;
	long start, want = -1, ch;
	int k, null = 0;

	for (i = 0; i < n->nk; i++)
		if (eval(c, it, n->k[i], spans, &v[i]) < 0)
			return -1;
	if (is_null(&v[0]))
		null = 1;
	else if (v[0].s.kind != MX_JSTR)
		return fail(c, it, n->k[0], &v[0], "not a string");
	if ((k = whole(c, it, n->k[1], &v[1], 1, &start)) < 0 ||
	    (n->nk > 2 && (k |= whole(c, it, n->k[2], &v[2], 0, &want)) < 0))
		return -1;
	if (null || k) {
		set_null(r);
		return 0;
	}
	p = str_bytes(&v[0], &c->tmp, &len);
	/* a character begins at each byte that is no UTF-8 continuation */
	from = to = len;
	for (i = 0, ch = 0; i <= len; i++) {
		if (i < len && ((unsigned char)p[i] & 0xc0) == 0x80)
			continue;
		if (++ch == start)
			from = i;
		if (want >= 0 && ch == start + want) {
			to = i;
			break;
		}
	}
	if (from > to)
		from = to;
	c->canon.len = 0;
	mx_buf_add(&c->canon, p + from, to - from);
	set_str(c, r, c->canon.p != NULL ? c->canon.p : "", to - from);
	return 0;
}

/* int(x): the integer part, truncated toward zero. */
static int
fn_int(struct mx_calc *c, const struct item *it, const struct node *n,
    const struct mx_span *spans, struct val *r)
{
	struct val x;
	struct mx_dec d;
	int k;

	if (eval(c, it, n->k[0], spans, &x) < 0)
		return -1;
	if ((k = num(c, it, n->k[0], &x, &d)) != 0) {
		if (k > 0)
			set_null(r);
		return k < 0 ? -1 : 0;
	}
	for (; d.scale > 0; d.scale--)
		d.v /= 10;
	set_dec(c, r, &d);
	return 0;
}

/* hash(a, ...): XXH3-64 of the arguments' canonical key bytes. */
static int
fn_hash(struct mx_calc *c, const struct item *it, const struct node *n,
    const struct mx_span *spans, struct val *r)
{
	struct val *v = n->scratch;
	char hex[19];
	size_t i;

	/* every argument first: one may be a hash or a concat, which use
	 * canon themselves */
	for (i = 0; i < n->nk; i++)
		if (eval(c, it, n->k[i], spans, &v[i]) < 0)
			return -1;
	c->canon.len = 0;
	for (i = 0; i < n->nk && !is_null(&v[i]); i++)
		mx_json_canon(&v[i].s, &c->canon);
	if (i < n->nk) {
		set_null(r);
		return 0;
	}
	hex[0] = '"';
	mx_hash64_hex(mx_hash64(c->canon.p, c->canon.len), hex + 1);
	hex[17] = '"';
	set_text(c, r, hex, 18);
	return 0;
}

/* concat(a, ...): strings decoded, numbers by their text. */
static int
fn_concat(struct mx_calc *c, const struct item *it, const struct node *n,
    const struct mx_span *spans, struct val *r)
{
	struct val *v = n->scratch;
	const char *p;
	size_t i, len;
	int null = 0;

	for (i = 0; i < n->nk; i++)
		if (eval(c, it, n->k[i], spans, &v[i]) < 0)
			return -1;
	c->canon.len = 0;
	for (i = 0; i < n->nk; i++) {
		if (is_null(&v[i]))
			null = 1;
		else if (v[i].s.kind == MX_JSTR) {
			p = str_bytes(&v[i], &c->tmp, &len);
			mx_buf_add(&c->canon, p, len);
		} else if (v[i].s.kind == MX_JNUM)
			mx_buf_add(&c->canon, v[i].s.p, v[i].s.n);
		else
			return fail(c, it, n->k[i], &v[i], "not a string or "
			    "a number");
	}
	if (null)
		set_null(r);
	else {
		/* the arena copy is quoted from canon: tmp is free */
		set_str(c, r, c->canon.p != NULL ? c->canon.p : "",
		    c->canon.len);
	}
	return 0;
}

/* lower(s), upper(s): ASCII letters only. */
static int
fn_case(struct mx_calc *c, const struct item *it, const struct node *n,
    const struct mx_span *spans, struct val *r)
{
	struct val v;
	const char *p;
	size_t i, len;

	if (eval(c, it, n->k[0], spans, &v) < 0)
		return -1;
	if (is_null(&v)) {
		set_null(r);
		return 0;
	}
	if (v.s.kind != MX_JSTR)
		return fail(c, it, n->k[0], &v, "not a string");
	p = str_bytes(&v, &c->tmp, &len);
	c->canon.len = 0;
	mx_buf_add(&c->canon, p, len);
	for (i = 0; i < len; i++) {
		char ch = c->canon.p[i];

		if (n->sub == F_LOWER && ch >= 'A' && ch <= 'Z')
			c->canon.p[i] = (char)(ch - 'A' + 'a');
		else if (n->sub == F_UPPER && ch >= 'a' && ch <= 'z')
			c->canon.p[i] = (char)(ch - 'a' + 'A');
	}
	set_str(c, r, c->canon.p != NULL ? c->canon.p : "", len);
	return 0;
}

/* date(x), hour(x), ...: what expr.c gives in keys; null for a value
 * that is no timestamp, as there. */
static int
fn_time(struct mx_calc *c, const struct item *it, const struct node *n,
    const struct mx_span *spans, struct val *r)
{
	struct mx_expr e;
	struct mx_span out;
	struct val v;
	char tmp[MX_EXPR_TMP];
	int bad, k;

	if (eval(c, it, n->k[0], spans, &v) < 0)
		return -1;
	memset(&e, 0, sizeof e);
	e.fn = n->tfn;
	e.sel = 0;
	k = mx_expr_eval(&e, &v.s, &out, tmp, &bad);
	if (k == MX_JNONE || k == MX_JNULL)
		set_null(r);
	else
		set_text(c, r, out.p, out.n);
	return 0;
}

static int
eval_fn(struct mx_calc *c, const struct item *it, const struct node *n,
    const struct mx_span *spans, struct val *r)
{
	size_t i;
	int t;

	switch (n->sub) {
	case F_ROUND:
		return fn_round(c, it, n, spans, r);
	case F_IF:
		if (eval(c, it, n->k[0], spans, r) < 0)
			return -1;
		t = truth(r);
		return eval(c, it, n->k[t > 0 ? 1 : 2], spans, r);
	case F_COALESCE:
		for (i = 0; i < n->nk; i++) {
			if (eval(c, it, n->k[i], spans, r) < 0)
				return -1;
			if (!is_null(r))
				return 0;
		}
		set_null(r);
		return 0;
	case F_HASH:
		return fn_hash(c, it, n, spans, r);
	case F_CONCAT:
		return fn_concat(c, it, n, spans, r);
	case F_LOWER:
	case F_UPPER:
		return fn_case(c, it, n, spans, r);
	case F_INT:
		return fn_int(c, it, n, spans, r);
	case F_SUBSTR:
		return fn_substr(c, it, n, spans, r);
	case F_NOW: {
		char b[42];

		/* read once, so that every record sees one time */
		if (!c->hasnow) {
			c->now = mx_time_now();
			c->hasnow = 1;
		}
		b[0] = '"';
		t = mx_time_fmt(&c->now, b + 1);
		b[t + 1] = '"';
		set_text(c, r, b, (size_t)t + 2);
		return 0;
	}
	default:
		return fn_time(c, it, n, spans, r);
	}
}

static int
eval(struct mx_calc *c, const struct item *it, const struct node *n,
    const struct mx_span *spans, struct val *r)
{
	struct mx_dec a, b, d;
	struct val x;
	int k, t;

	switch (n->op) {
	case N_LIT:
		r->s = n->lit;
		r->isdec = 0;
		return 0;
	case N_FIELD:
		r->s = spans[n->sel];
		r->isdec = 0;
		if (r->s.kind == MX_JNONE)
			set_null(r);
		return 0;
	case N_REF:
		*r = c->res[n->ref];
		return 0;
	case N_NEG:
		if (eval(c, it, n->k[0], spans, &x) < 0)
			return -1;
		if ((k = num(c, it, n->k[0], &x, &a)) < 0)
			return -1;
		if (k > 0)
			set_null(r);
		else {
			a.v = -a.v;
			set_dec(c, r, &a);
		}
		return 0;
	case N_ADD:
	case N_SUB:
	case N_MUL:
	case N_DIV:
		if ((k = operands(c, it, n, spans, &a, &b)) < 0)
			return -1;
		if (k > 0) {
			set_null(r);
			return 0;
		}
		if (n->op == N_ADD || n->op == N_SUB) {
			if (n->op == N_SUB)
				b.v = -b.v;
			if (mx_dec_add(&a, &b) < 0)
				return overflow(c, it, n);
			d = a;
		} else if (n->op == N_MUL) {
			if (mx_dec_mul(&a, &b, &d) < 0)
				return overflow(c, it, n);
			/* the scale is the sum of the scales: 0.00 * 2 is
			 * 0.00, as 12.50 * 2 is 25.00 */
			if (d.v == 0)
				d.scale = a.scale + b.scale > MX_DEC_MAXSCALE ?
				    MX_DEC_MAXSCALE : a.scale + b.scale;
		} else {
			/* SQL's x / NULLIF(y, 0): no quotient is null */
			if (mx_dec_iszero(&b)) {
				set_null(r);
				return 0;
			}
			if (mx_dec_div(&a, &b, c->scale, &d) < 0)
				return overflow(c, it, n);
		}
		set_dec(c, r, &d);
		return 0;
	case N_CMP:
		return cmp_node(c, it, n, spans, r);
	case N_AND:
	case N_OR:
		if (eval(c, it, n->k[0], spans, &x) < 0)
			return -1;
		t = truth(&x);
		/* false and ..., true or ...: the right side is not
		 * needed, so it cannot fail the record */
		if (t == (n->op == N_OR)) {
			set_bool(r, t);
			return 0;
		}
		if (eval(c, it, n->k[1], spans, &x) < 0)
			return -1;
		k = truth(&x);
		if (k == (n->op == N_OR))
			set_bool(r, k);
		else
			set_truth(r, t < 0 || k < 0 ? -1 : k);
		return 0;
	case N_NOT:
		if (eval(c, it, n->k[0], spans, &x) < 0)
			return -1;
		t = truth(&x);
		set_truth(r, t < 0 ? -1 : !t);
		return 0;
	default:
		return eval_fn(c, it, n, spans, r);
	}
}

int
mx_calc_run(struct mx_calc *c, const struct mx_span *spans,
    const struct mx_span **vals, size_t *failed, const char **why)
{
	size_t i;

	arena_reset(c);
	for (i = 0; i < c->n; i++) {
		if (eval(c, &c->v[i], c->v[i].root, spans, &c->res[i]) < 0) {
			*failed = i;
			*why = mx_buf_cstr(&c->why);
			return -1;
		}
		c->out[i] = c->res[i].s;
	}
	*vals = c->out;
	return 0;
}

/* ---- parsing ---- */

enum {
	T_END, T_NUM, T_STR, T_PATH, T_QPATH, T_LP, T_RP, T_COMMA, T_PLUS,
	T_MINUS, T_STAR, T_SLASH, T_CMP, T_AND, T_OR, T_NOT, T_NULL, T_TRUE,
	T_FALSE
};

struct lex {
	struct mx_calc	*c;
	size_t		 item;		/* the index of the item parsed */
	const char	*s;		/* the whole argument */
	size_t		 i;		/* the next byte */
	int		 tok;
	int		 sub;		/* T_CMP: C_* */
	size_t		 tpos, tend;
	struct mx_buf	 word;		/* T_PATH, T_QPATH, T_NUM, T_STR */
	char		*err;
	size_t		 errlen;
	int		 failed;
	int		 nest;		/* parse_unary calls under way */
};

static int
perr(struct lex *lx, size_t pos, const char *msg, const char *arg)
{
	if (!lx->failed)
		snprintf(lx->err, lx->errlen, "column %zu: %s%s%s%s", pos + 1,
		    msg, arg != NULL ? " '" : "", arg != NULL ? arg : "",
		    arg != NULL ? "'" : "");
	lx->failed = 1;
	return -1;
}

static int
isalpha_(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    ch == '_';
}

static int
isdigit_(int ch)
{
	return ch >= '0' && ch <= '9';
}

static int
next(struct lex *lx)
{
	const char *s = lx->s;
	size_t i = lx->i, st;

	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')
		i++;
	lx->tpos = i;
	lx->word.len = 0;
	lx->tok = T_END;
	if (s[i] == '\0') {
		lx->i = lx->tend = i;
		return 0;
	}
	if (isdigit_(s[i]) || (s[i] == '.' && isdigit_(s[i + 1]))) {
		st = i;
		while (isdigit_(s[i]) || s[i] == '.')
			i++;
		if (s[i] == 'e' || s[i] == 'E') {
			i++;
			if (s[i] == '+' || s[i] == '-')
				i++;
			while (isdigit_(s[i]))
				i++;
		}
		if (isalpha_(s[i]))
			return perr(lx, st, "a bad number", NULL);
		mx_buf_add(&lx->word, s + st, i - st);
		mx_buf_cstr(&lx->word);
		if (!mx_json_isnum(lx->word.p, lx->word.len))
			return perr(lx, st, "a bad number", lx->word.p);
		lx->tok = T_NUM;
	} else if (s[i] == '"') {
		for (i++; s[i] != '"'; i++) {
			if (s[i] == '\0')
				return perr(lx, lx->tpos, "a string without "
				    "its closing '\"'", NULL);
			if (s[i] == '\\') {
				if (s[i + 1] != '"' && s[i + 1] != '\\')
					return perr(lx, i, "an escape other "
					    "than \\\" and \\\\", NULL);
				i++;
			}
			mx_buf_addc(&lx->word, s[i]);
		}
		i++;
		lx->tok = T_STR;
	} else if (s[i] == '\'') {
		/* SQL's quotes, as a test file writes them: '' is a quote,
		 * and there are no escapes */
		for (i++;; i++) {
			if (s[i] == '\0')
				return perr(lx, lx->tpos, "a string without "
				    "its closing \"'\"", NULL);
			if (s[i] == '\'') {
				if (s[i + 1] != '\'')
					break;
				i++;
			}
			mx_buf_addc(&lx->word, s[i]);
		}
		i++;
		lx->tok = T_STR;
	} else if (s[i] == '`') {
		for (i++; s[i] != '`'; i++) {
			if (s[i] == '\0')
				return perr(lx, lx->tpos, "a field without "
				    "its closing '`'", NULL);
			mx_buf_addc(&lx->word, s[i]);
		}
		i++;
		if (lx->word.len == 0)
			return perr(lx, lx->tpos, "an empty field name", NULL);
		mx_buf_cstr(&lx->word);
		lx->tok = T_QPATH;
	} else if (isalpha_(s[i])) {
		st = i;
		for (;;) {
			while (isalpha_(s[i]) || isdigit_(s[i]))
				i++;
			if (s[i] != '.' || !(isalpha_(s[i + 1]) ||
			    isdigit_(s[i + 1])))
				break;
			i++;
		}
		mx_buf_add(&lx->word, s + st, i - st);
		lx->tok = T_PATH;
		mx_buf_cstr(&lx->word);
		if (strcmp(lx->word.p, "and") == 0)
			lx->tok = T_AND;
		else if (strcmp(lx->word.p, "or") == 0)
			lx->tok = T_OR;
		else if (strcmp(lx->word.p, "not") == 0)
			lx->tok = T_NOT;
		else if (strcmp(lx->word.p, "null") == 0)
			lx->tok = T_NULL;
		else if (strcmp(lx->word.p, "true") == 0)
			lx->tok = T_TRUE;
		else if (strcmp(lx->word.p, "false") == 0)
			lx->tok = T_FALSE;
	} else {
		switch (s[i]) {
		case '(':
			lx->tok = T_LP;
			break;
		case ')':
			lx->tok = T_RP;
			break;
		case ',':
			lx->tok = T_COMMA;
			break;
		case '+':
			lx->tok = T_PLUS;
			break;
		case '-':
			lx->tok = T_MINUS;
			break;
		case '*':
			lx->tok = T_STAR;
			break;
		case '/':
			lx->tok = T_SLASH;
			break;
		case '=':
			lx->tok = T_CMP;
			lx->sub = C_EQ;
			if (s[i + 1] == '=')
				i++;
			break;
		case '!':
			if (s[i + 1] != '=')
				return perr(lx, i, "'!' without '='", NULL);
			lx->tok = T_CMP;
			lx->sub = C_NE;
			i++;
			break;
		case '<':
			lx->tok = T_CMP;
			lx->sub = C_LT;
			if (s[i + 1] == '=') {
				lx->sub = C_LE;
				i++;
			} else if (s[i + 1] == '>') {
				lx->sub = C_NE;
				i++;
			}
			break;
		case '>':
			lx->tok = T_CMP;
			lx->sub = C_GT;
			if (s[i + 1] == '=') {
				lx->sub = C_GE;
				i++;
			}
			break;
		default:
			return perr(lx, i, "an unexpected character",
			    NULL);
		}
		i++;
	}
	lx->i = lx->tend = i;
	return 0;
}

static struct node *
node_new(int op, size_t pos)
{
	struct node *n = mx_calloc(1, sizeof *n);

	n->op = op;
	n->pos = pos;
	n->sel = -1;
	return n;
}

static void
node_free(struct node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nk; i++)
		node_free(n->k[i]);
	free(n->k);
	free(n->ops);
	free(n->scratch);
	mx_buf_free(&n->text);
	free(n);
}

static void
node_add(struct node *n, struct node *k)
{
	n->k = mx_reallocarray(n->k, n->nk + 1, sizeof *n->k);
	n->k[n->nk++] = k;
}

/* Evaluation recurses as deep as the tree: an expression deeper than
 * this (1+1+...+1 of thousands of terms is as deep as it is long) is
 * refused rather than let overflow the stack. */
#define MAXDEPTH	256

static void
set_depth(struct node *n)
{
	size_t i;

	n->depth = 1;
	for (i = 0; i < n->nk; i++)
		if (n->k[i]->depth + 1 > n->depth)
			n->depth = n->k[i]->depth + 1;
}

/* A binary node of op over a and b, ending where b ends. */
static struct node *
binary(int op, int sub, struct node *a, struct node *b)
{
	struct node *n = node_new(op, a->pos);

	n->sub = sub;
	node_add(n, a);
	node_add(n, b);
	n->end = b->end;
	set_depth(n);
	return n;
}

static struct node *parse_or(struct lex *lx);

static struct node *
expected(struct lex *lx, const char *what)
{
	char msg[96];

	snprintf(msg, sizeof msg, "expected %s%s", what,
	    lx->tok == T_END ? ", not the end" : "");
	perr(lx, lx->tpos, msg, NULL);
	return NULL;
}

static struct node *
literal(struct lex *lx, const char *text, size_t n)
{
	struct node *k = node_new(N_LIT, lx->tpos);

	mx_buf_add(&k->text, text, n);
	mx_span_of(k->text.p, k->text.len, &k->lit);
	k->end = lx->tend;
	return k;
}

/* A field: an item computed before, by its name, or a path of the
 * record. */
static struct node *
field(struct lex *lx)
{
	struct mx_calc *c = lx->c;
	struct node *k;
	size_t i;

	for (i = lx->item; i-- > 0;)
		if (strcmp(c->v[i].name, lx->word.p) == 0) {
			k = node_new(N_REF, lx->tpos);
			k->ref = i;
			k->end = lx->tend;
			return k;
		}
	k = node_new(N_FIELD, lx->tpos);
	k->end = lx->tend;
	mx_buf_add(&k->text, lx->word.p, strlen(lx->word.p));
	mx_buf_cstr(&k->text);
	if ((k->sel = mx_sel_add(c->sel, lx->word.p)) < 0) {
		perr(lx, lx->tpos, "a bad field path", lx->word.p);
		node_free(k);
		return NULL;
	}
	return k;
}

static struct node *
call(struct lex *lx)
{
	struct node *n, *k;
	char name[64];
	size_t pos = lx->tpos;
	int f, min, max, i;

	snprintf(name, sizeof name, "%s", lx->word.p);
	n = node_new(N_FN, pos);
	for (f = 0; fns[f].name != NULL; f++)
		if (strcmp(fns[f].name, name) == 0)
			break;
	if (fns[f].name != NULL) {
		n->sub = fns[f].fn;
		min = fns[f].min;
		max = fns[f].max;
	} else {
		for (i = 1; mx_efn_names[i] != NULL; i++)
			if (strcmp(mx_efn_names[i], name) == 0)
				break;
		if (mx_efn_names[i] == NULL) {
			node_free(n);
			perr(lx, pos, "unknown function", name);
			return NULL;
		}
		n->sub = F_TIME;
		n->tfn = i;
		min = max = 1;
	}
	if (next(lx) < 0)		/* the '(' */
		goto bad;
	if (next(lx) < 0)
		goto bad;
	if (lx->tok != T_RP)
		for (;;) {
			if ((k = parse_or(lx)) == NULL)
				goto bad;
			node_add(n, k);
			if (lx->tok == T_RP)
				break;
			if (lx->tok != T_COMMA) {
				expected(lx, "',' or ')'");
				goto bad;
			}
			if (next(lx) < 0)
				goto bad;
		}
	n->end = lx->tend;
	set_depth(n);
	n->scratch = mx_calloc(n->nk + 1, sizeof *n->scratch);
	if ((int)n->nk < min || (max >= 0 && (int)n->nk > max)) {
		char msg[96];

		if (min == max)
			snprintf(msg, sizeof msg, "%s() takes %d argument%s",
			    name, min, min == 1 ? "" : "s");
		else
			snprintf(msg, sizeof msg, "%s() takes at least %d "
			    "argument%s", name, min, min == 1 ? "" : "s");
		perr(lx, pos, msg, NULL);
		goto bad;
	}
	if (n->sub == F_ROUND && n->k[1]->op == N_LIT) {
		struct mx_dec d;

		int bad = n->k[1]->lit.kind != MX_JNUM ||
		    mx_dec_parse(n->k[1]->lit.p, n->k[1]->lit.n, &d) < 0;

		while (!bad && d.scale > 0 && d.v % 10 == 0) {
			d.v /= 10;
			d.scale--;
		}
		if (bad || d.scale != 0 || d.v < 0 || d.v > MX_DEC_MAXSCALE) {
			perr(lx, n->k[1]->pos, "round(): places must be an "
			    "integer 0..18", NULL);
			goto bad;
		}
	}
	if (next(lx) < 0)
		goto bad;
	return n;
bad:
	node_free(n);
	return NULL;
}

static struct node *
parse_atom(struct lex *lx)
{
	struct node *n;
	struct mx_dec d;
	size_t pos;

	switch (lx->tok) {
	case T_NUM:
		if (mx_dec_parse(lx->word.p, lx->word.len, &d) < 0) {
			perr(lx, lx->tpos, "a number beyond 38 digits, 18 "
			    "after the point", lx->word.p);
			return NULL;
		}
		n = literal(lx, lx->word.p, lx->word.len);
		break;
	case T_STR: {
		struct mx_buf q = { 0 };

		if (!mx_utf8_valid(lx->word.p, lx->word.len)) {
			perr(lx, lx->tpos, "a string that is not UTF-8", NULL);
			return NULL;
		}
		mx_json_quote(&q, lx->word.p != NULL ? lx->word.p : "",
		    lx->word.len);
		n = literal(lx, q.p, q.len);
		mx_buf_free(&q);
		break;
	}
	case T_NULL:
		n = literal(lx, "null", 4);
		n->isnull = 1;
		break;
	case T_TRUE:
		n = literal(lx, "true", 4);
		break;
	case T_FALSE:
		n = literal(lx, "false", 5);
		break;
	case T_PATH:
		/* a name followed by '(' is a call */
		pos = lx->i;
		while (lx->s[pos] == ' ' || lx->s[pos] == '\t')
			pos++;
		if (lx->s[pos] == '(' && strchr(lx->word.p, '.') == NULL) {
			lx->i = pos;
			return call(lx);
		}
		/* FALLTHROUGH */
	case T_QPATH:
		if ((n = field(lx)) == NULL)
			return NULL;
		break;
	case T_LP:
		pos = lx->tpos;
		if (next(lx) < 0 || (n = parse_or(lx)) == NULL)
			return NULL;
		if (lx->tok != T_RP) {
			node_free(n);
			return expected(lx, "')'");
		}
		/* the parentheses belong to the operand's text */
		n->pos = pos;
		n->end = lx->tend;
		break;
	default:
		return expected(lx, "a value");
	}
	if (next(lx) < 0) {
		node_free(n);
		return NULL;
	}
	return n;
}

/* n, or NULL (n freed) when it is deeper than MAXDEPTH. */
static struct node *
shallow(struct lex *lx, struct node *n)
{
	if (n == NULL || n->depth <= MAXDEPTH)
		return n;
	perr(lx, n->pos, "an expression nested too deep", NULL);
	node_free(n);
	return NULL;
}

static struct node *
parse_unary(struct lex *lx)
{
	struct node *n, *k;
	size_t pos = lx->tpos;

	if (++lx->nest > MAXDEPTH) {
		perr(lx, pos, "an expression nested too deep", NULL);
		return NULL;
	}
	if (lx->tok != T_MINUS) {
		n = parse_atom(lx);
		lx->nest--;
		return n;
	}
	if (next(lx) < 0 || (k = parse_unary(lx)) == NULL)
		return NULL;
	lx->nest--;
	n = node_new(N_NEG, pos);
	node_add(n, k);
	n->end = k->end;
	set_depth(n);
	return shallow(lx, n);
}

static struct node *
parse_prod(struct lex *lx)
{
	struct node *a, *b;
	int op;

	if ((a = parse_unary(lx)) == NULL)
		return NULL;
	while (lx->tok == T_STAR || lx->tok == T_SLASH) {
		op = lx->tok == T_STAR ? N_MUL : N_DIV;
		if (next(lx) < 0 || (b = parse_unary(lx)) == NULL) {
			node_free(a);
			return NULL;
		}
		if ((a = shallow(lx, binary(op, 0, a, b))) == NULL)
			return NULL;
	}
	return a;
}

static struct node *
parse_sum(struct lex *lx)
{
	struct node *a, *b;
	int op;

	if ((a = parse_prod(lx)) == NULL)
		return NULL;
	while (lx->tok == T_PLUS || lx->tok == T_MINUS) {
		op = lx->tok == T_PLUS ? N_ADD : N_SUB;
		if (next(lx) < 0 || (b = parse_prod(lx)) == NULL) {
			node_free(a);
			return NULL;
		}
		if ((a = shallow(lx, binary(op, 0, a, b))) == NULL)
			return NULL;
	}
	return a;
}

static struct node *
parse_cmp(struct lex *lx)
{
	struct node *a, *b, *n;
	size_t i, oppos = 0;

	if ((a = parse_sum(lx)) == NULL)
		return NULL;
	if (lx->tok != T_CMP)
		return a;
	n = node_new(N_CMP, a->pos);
	node_add(n, a);
	while (lx->tok == T_CMP) {
		if (n->nk == 1)
			oppos = lx->tpos;
		n->ops = mx_reallocarray(n->ops, n->nk, sizeof *n->ops);
		n->ops[n->nk - 1] = lx->sub;
		if (next(lx) < 0 || (b = parse_sum(lx)) == NULL) {
			node_free(n);
			return NULL;
		}
		node_add(n, b);
		n->end = b->end;
	}
	set_depth(n);
	/* a null side makes any order null: a mistake for = null */
	for (i = 0; i < n->nk; i++) {
		if (!n->k[i]->isnull)
			continue;
		if (n->nk > 2)
			perr(lx, n->k[i]->pos, "null in a chain of "
			    "comparisons: use == null or != null alone", NULL);
		else if (n->ops[0] != C_EQ && n->ops[0] != C_NE)
			perr(lx, oppos, "null has no order: use == null or "
			    "!= null", NULL);
		else
			continue;
		node_free(n);
		return NULL;
	}
	return shallow(lx, n);
}

static struct node *
parse_not(struct lex *lx)
{
	struct node *n, *k;
	size_t pos = lx->tpos;

	if (lx->tok != T_NOT)
		return parse_cmp(lx);
	if (++lx->nest > MAXDEPTH) {
		perr(lx, pos, "an expression nested too deep", NULL);
		return NULL;
	}
	if (next(lx) < 0 || (k = parse_not(lx)) == NULL)
		return NULL;
	lx->nest--;
	n = node_new(N_NOT, pos);
	node_add(n, k);
	n->end = k->end;
	set_depth(n);
	return shallow(lx, n);
}

static struct node *
parse_and(struct lex *lx)
{
	struct node *a, *b;

	if ((a = parse_not(lx)) == NULL)
		return NULL;
	while (lx->tok == T_AND) {
		if (next(lx) < 0 || (b = parse_not(lx)) == NULL) {
			node_free(a);
			return NULL;
		}
		if ((a = shallow(lx, binary(N_AND, 0, a, b))) == NULL)
			return NULL;
	}
	return a;
}

static struct node *
parse_or(struct lex *lx)
{
	struct node *a, *b;

	if ((a = parse_and(lx)) == NULL)
		return NULL;
	while (lx->tok == T_OR) {
		if (next(lx) < 0 || (b = parse_and(lx)) == NULL) {
			node_free(a);
			return NULL;
		}
		if ((a = shallow(lx, binary(N_OR, 0, a, b))) == NULL)
			return NULL;
	}
	return a;
}

/* ---- the program ---- */

struct mx_calc *
mx_calc_new(struct mx_sel *sel, int scale)
{
	struct mx_calc *c = mx_calloc(1, sizeof *c);

	c->sel = sel;
	c->scale = scale;
	c->first = mx_malloc(sizeof *c->first + CHUNK);
	c->first->next = NULL;
	c->first->len = 0;
	c->first->cap = CHUNK;
	c->cur = c->first;
	return c;
}

/* Compile it.text from byte from into it.root, seeing the names of the
 * first nref items; 0, or -1 with the message in err. */
static int
compile(struct mx_calc *c, struct item *it, size_t from, size_t nref,
    char *err, size_t errlen)
{
	struct lex lx;

	memset(&lx, 0, sizeof lx);
	lx.c = c;
	lx.item = nref;
	lx.s = it->text;
	lx.i = from;
	lx.err = err;
	lx.errlen = errlen;
	if (next(&lx) == 0) {
		if (lx.tok == T_END)
			perr(&lx, lx.tpos, "an empty expression", NULL);
		else if ((it->root = parse_or(&lx)) != NULL &&
		    lx.tok != T_END) {
			expected(&lx, "an operator or the end");
			node_free(it->root);
			it->root = NULL;
		}
	}
	mx_buf_free(&lx.word);
	return it->root != NULL ? 0 : -1;
}

static void
push(struct mx_calc *c, const struct item *it)
{
	c->v = mx_reallocarray(c->v, c->n + 1, sizeof *c->v);
	c->v[c->n++] = *it;
	c->res = mx_reallocarray(c->res, c->n, sizeof *c->res);
	c->out = mx_reallocarray(c->out, c->n, sizeof *c->out);
}

int
mx_calc_add(struct mx_calc *c, const char *arg, char *err, size_t errlen)
{
	struct item it;
	const char *eq = strchr(arg, '=');
	size_t s, e;

	if (eq == NULL) {
		snprintf(err, errlen, "not name=expression");
		return -1;
	}
	for (s = 0; arg[s] == ' ' || arg[s] == '\t'; s++)
		;
	for (e = (size_t)(eq - arg); e > s && (arg[e - 1] == ' ' ||
	    arg[e - 1] == '\t'); e--)
		;
	if (e == s) {
		snprintf(err, errlen, "column 1: an empty name");
		return -1;
	}
	memset(&it, 0, sizeof it);
	it.name = mx_strndup(arg + s, e - s);
	if (!mx_utf8_valid(it.name, e - s)) {
		snprintf(err, errlen, "the name is not UTF-8");
		free(it.name);
		return -1;
	}
	it.text = mx_strdup(arg);
	if (compile(c, &it, (size_t)(eq - arg) + 1, c->n, err, errlen) < 0) {
		free(it.name);
		free(it.text);
		return -1;
	}
	push(c, &it);
	return 0;
}

long
mx_calc_add_cond(struct mx_calc *c, const char *expr, char *err,
    size_t errlen)
{
	struct item it;

	memset(&it, 0, sizeof it);
	it.name = mx_strdup("");
	it.text = mx_strdup(expr);
	/* a condition stands alone: its names are all fields */
	if (compile(c, &it, 0, 0, err, errlen) < 0) {
		free(it.name);
		free(it.text);
		return -1;
	}
	push(c, &it);
	return (long)c->n - 1;
}

/* The fields under n not in (*f)[0..*k), appended. */
static void
fields(const struct node *n, int **f, const char ***paths, size_t *k)
{
	size_t i;

	if (n->op == N_FIELD) {
		for (i = 0; i < *k && (*f)[i] != n->sel; i++)
			;
		if (i == *k) {
			*f = mx_reallocarray(*f, *k + 1, sizeof **f);
			*paths = mx_reallocarray(*paths, *k + 1,
			    sizeof **paths);
			(*f)[*k] = n->sel;
			(*paths)[(*k)++] = n->text.p;
		}
	}
	for (i = 0; i < n->nk; i++)
		fields(n->k[i], f, paths, k);
}

size_t
mx_calc_fields(const struct mx_calc *c, size_t i, int **f,
    const char ***paths)
{
	size_t k = 0;

	*f = NULL;
	*paths = NULL;
	fields(c->v[i].root, f, paths, &k);
	return k;
}

int
mx_calc_test(struct mx_calc *c, size_t i, const struct mx_span *spans,
    const char **why)
{
	struct val v;

	arena_reset(c);
	if (eval(c, &c->v[i], c->v[i].root, spans, &v) < 0) {
		*why = mx_buf_cstr(&c->why);
		return -2;
	}
	if (is_null(&v))
		return -1;
	return v.s.kind == MX_JTRUE;
}

void
mx_calc_set_now(struct mx_calc *c, const struct mx_time *t)
{
	c->now = *t;
	c->hasnow = 1;
}

size_t
mx_calc_count(const struct mx_calc *c)
{
	return c->n;
}

const char *
mx_calc_name(const struct mx_calc *c, size_t i)
{
	return c->v[i].name;
}

void
mx_calc_free(struct mx_calc *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].text);
		node_free(c->v[i].root);
	}
	free(c->v);
	free(c->res);
	free(c->out);
	arena_reset(c);
	free(c->first);
	mx_buf_free(&c->why);
	mx_buf_free(&c->tmp);
	mx_buf_free(&c->canon);
	mx_oval_free(&c->oa);
	mx_oval_free(&c->ob);
	free(c);
}
