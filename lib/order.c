/*
 * order.c: the one ordering of JSON values.
 *
 * mx-agg's min, max and --top, the order of its output rows, conditions,
 * mx-dedup's --latest-by and mx-validate's bounds all compare values here,
 * so the max of one tool is the latest of another and a bound means the
 * same everywhere.  Classes, lowest first: null (and a missing value);
 * false, true; numbers and strings that hold a JSON number, by exact
 * value; timestamps (strings in a date form), by instant; other strings,
 * by their bytes; arrays; objects (both by their JSON text).
 *
 * Values equal in the ordering may be written differently (1, 1.0 and
 * "1"; one instant at two offsets): mx_order_total breaks such ties where
 * rows need one order whatever the input order was.
 */
#include <string.h>

#include "mx.h"

/* A number as 0.DIGITS x 10^exp, DIGITS without leading or trailing zeros
 * (none for zero), for the numbers that struct mx_dec cannot hold. */
struct norm {
	int		 sign;		/* -1, 0, 1 */
	long long	 exp;
	struct mx_buf	*digits;
};

static void
normalize(const char *p, size_t n, struct norm *x)
{
	const char *s = p, *end = p + n;
	struct mx_buf *b = x->digits;
	long long e = 0, ex = 0;
	int frac = 0, eneg = 0, neg = 0;

	b->len = 0;
	if (s < end && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	for (; s < end && *s != 'e' && *s != 'E'; s++) {
		if (*s == '.') {
			frac = 1;
			continue;
		}
		if (!frac)
			e++;
		if (b->len == 0 && *s == '0') {
			/* a leading zero moves the point, not the value */
			e--;
			continue;
		}
		mx_buf_addc(b, *s);
	}
	if (s < end) {
		s++;
		if (s < end && (*s == '+' || *s == '-'))
			eneg = *s++ == '-';
		/* A line is at most 1 GiB: an exponent past 10^15 already
		 * decides any comparison, so it saturates there. */
		for (; s < end; s++)
			if (ex < 1000000000000000LL)
				ex = ex * 10 + (*s - '0');
		e += eneg ? -ex : ex;
	}
	while (b->len > 0 && b->p[b->len - 1] == '0')
		b->len--;
	x->sign = b->len == 0 ? 0 : neg ? -1 : 1;
	x->exp = e;
}

int
mx_num_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	static struct mx_buf da, db;
	struct norm x, y;
	size_t n;
	int c;

	x.digits = &da;
	y.digits = &db;
	normalize(a, an, &x);
	normalize(b, bn, &y);
	if (x.sign != y.sign)
		return x.sign < y.sign ? -1 : 1;
	if (x.sign == 0)
		return 0;
	if (x.exp != y.exp)
		c = x.exp < y.exp ? -1 : 1;
	else {
		n = da.len < db.len ? da.len : db.len;
		if ((c = memcmp(da.p, db.p, n)) == 0)
			c = (da.len > db.len) - (da.len < db.len);
		else
			c = c < 0 ? -1 : 1;
	}
	return x.sign < 0 ? -c : c;
}

/* Is p[0..n) in a date form (YYYY-...)?  Only those strings are
 * timestamps: a string of digits is a number. */
static int
dateform(const char *p, size_t n)
{
	return n >= 10 && p[4] == '-' && (unsigned)(p[0] - '0') < 10 &&
	    (unsigned)(p[1] - '0') < 10 && (unsigned)(p[2] - '0') < 10 &&
	    (unsigned)(p[3] - '0') < 10;
}

void
mx_oval_set(struct mx_oval *o, const struct mx_span *v)
{
	const char *p;
	size_t n;

	o->exact = 0;
	switch (v->kind) {
	case MX_JNONE:
	case MX_JNULL:
		o->cls = MX_OC_NULL;
		return;
	case MX_JFALSE:
	case MX_JTRUE:
		o->cls = MX_OC_BOOL;
		o->b = v->kind == MX_JTRUE;
		return;
	case MX_JNUM:
		o->cls = MX_OC_NUM;
		o->p = v->p;
		o->n = v->n;
		o->exact = mx_dec_parse(v->p, v->n, &o->d) == 0;
		return;
	case MX_JSTR:
		if (v->esc) {
			o->buf.len = 0;
			mx_json_unescape(v, &o->buf);
			p = o->buf.p != NULL ? o->buf.p : "";
			n = o->buf.len;
		} else {
			p = v->p + 1;
			n = v->n - 2;
		}
		o->p = p;
		o->n = n;
		/* a date form is never a JSON number: tried first, as the
		 * timestamps of --latest-by are */
		if (dateform(p, n))
			o->cls = mx_time_parse(p, n, &o->t) == 0 ? MX_OC_TIME :
			    MX_OC_STR;
		else if (n > 0 && ((unsigned)(*p - '0') < 10 || *p == '-') &&
		    mx_json_isnum(p, n)) {
			o->cls = MX_OC_NUM;
			o->exact = mx_dec_parse(p, n, &o->d) == 0;
		} else
			o->cls = MX_OC_STR;
		return;
	default:
		o->cls = v->kind == MX_JARR ? MX_OC_ARR : MX_OC_OBJ;
		o->p = v->p;
		o->n = v->n;
		return;
	}
}

void
mx_oval_free(struct mx_oval *o)
{
	mx_buf_free(&o->buf);
}

/* The instant of a number read as a time: epoch seconds, or milliseconds
 * past 11 integer digits; -1 when it is none. */
static int
num_instant(const struct mx_oval *o, struct mx_time *t)
{
	return mx_time_parse(o->p, o->n, t);
}

int
mx_time_cmp(const struct mx_time *a, const struct mx_time *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	return (a->nsec > b->nsec) - (a->nsec < b->nsec);
}

int
mx_oval_cmp(const struct mx_oval *a, const struct mx_oval *b, int flags)
{
	struct mx_time t;
	size_t n;
	int c;

	if (a->cls != b->cls) {
		if ((flags & MX_ORD_TIME) && a->cls == MX_OC_NUM &&
		    b->cls == MX_OC_TIME) {
			if (num_instant(a, &t) < 0)
				return MX_ORD_NONE;
			return mx_time_cmp(&t, &b->t);
		}
		if ((flags & MX_ORD_TIME) && a->cls == MX_OC_TIME &&
		    b->cls == MX_OC_NUM) {
			if (num_instant(b, &t) < 0)
				return MX_ORD_NONE;
			return mx_time_cmp(&a->t, &t);
		}
		return a->cls < b->cls ? -1 : 1;
	}
	switch (a->cls) {
	case MX_OC_NULL:
		return 0;
	case MX_OC_BOOL:
		return a->b - b->b;
	case MX_OC_NUM:
		if (a->exact && b->exact)
			return mx_dec_cmp(&a->d, &b->d);
		return mx_num_cmp(a->p, a->n, b->p, b->n);
	case MX_OC_TIME:
		return mx_time_cmp(&a->t, &b->t);
	default:
		n = a->n < b->n ? a->n : b->n;
		if (n > 0 && (c = memcmp(a->p, b->p, n)) != 0)
			return c < 0 ? -1 : 1;
		return (a->n > b->n) - (a->n < b->n);
	}
}

static struct mx_oval oa, ob;

int
mx_order_cmp(const struct mx_span *a, const struct mx_span *b)
{
	mx_oval_set(&oa, a);
	mx_oval_set(&ob, b);
	return mx_oval_cmp(&oa, &ob, 0);
}

/* A string that orders as a string: no escape, and no number or time
 * (which begin with a digit or '-'): its bytes between the quotes. */
static int
plainstr(const struct mx_span *v)
{
	return v->kind == MX_JSTR && !v->esc && (v->n == 2 ||
	    ((unsigned)(v->p[1] - '0') >= 10 && v->p[1] != '-'));
}

int
mx_order_total(const struct mx_span *a, const struct mx_span *b)
{
	int c, ka, kb;
	size_t n;

	/* (the keys of most groups, sorted for output: product and user
	 * ids; a tenth of mx-agg's gold pass went to this compare) */
	if (plainstr(a) && plainstr(b)) {
		n = a->n < b->n ? a->n : b->n;
		if (n > 2 && (c = memcmp(a->p + 1, b->p + 1, n - 2)) != 0)
			return c < 0 ? -1 : 1;
		return (a->n > b->n) - (a->n < b->n);
	}
	if ((c = mx_order_cmp(a, b)) != 0)
		return c;
	/* equal values written differently: a number before a string,
	 * then by their bytes */
	ka = a->kind == MX_JNONE ? MX_JNULL : a->kind;
	kb = b->kind == MX_JNONE ? MX_JNULL : b->kind;
	if (ka != kb)
		return ka < kb ? -1 : 1;
	n = a->n < b->n ? a->n : b->n;
	if (n > 0 && (c = memcmp(a->p, b->p, n)) != 0)
		return c < 0 ? -1 : 1;
	return (a->n > b->n) - (a->n < b->n);
}

void
mx_span_of(const char *p, size_t n, struct mx_span *v)
{
	v->p = p;
	v->n = (uint32_t)n;
	v->kind = (uint8_t)mx_json_kind(p);
	v->esc = v->kind == MX_JSTR && memchr(p, '\\', n) != NULL;
}
