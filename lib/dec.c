/*
 * dec.c: exact decimals for money.  A value is a 128-bit integer and a
 * count of decimal places, so 0.1 + 0.2 is 0.3 and a day of prices sums to
 * the cent; 38 significant digits (up to 1.7e38).  Overflow is reported, never wrapped.
 *
 * Multiplication overflow is checked by hand rather than with
 * __builtin_mul_overflow, which clang lowers to a compiler-rt routine that
 * libgcc does not have.
 */
#include <string.h>

#include "mx.h"

typedef unsigned __int128 u128;
typedef __int128 i128;

#define I128_MAX	((i128)(((u128)1 << 127) - 1))

static const uint64_t pow10_64[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL
};

static u128
pow10u(int k)
{
	u128 r = 1;

	while (k >= 19) {
		r *= pow10_64[19];
		k -= 19;
	}
	return r * pow10_64[k];
}

static u128
uabs(i128 v)
{
	return v < 0 ? (u128)0 - (u128)v : (u128)v;
}

/* v * 10^k; -1 on overflow */
static int
scaleup(i128 *v, int k)
{
	u128 m, a;

	if (k == 0 || *v == 0)
		return 0;
	if (k > 38)
		return -1;
	m = pow10u(k);
	a = uabs(*v);
	if (a > (u128)I128_MAX / m)
		return -1;
	*v = *v < 0 ? -(i128)(a * m) : (i128)(a * m);
	return 0;
}

int
mx_dec_parse(const char *p, size_t n, struct mx_dec *d)
{
	const char *s = p, *end = p + n;
	u128 v = 0;
	uint64_t fast = 0;
	int neg = 0, nd = 0, frac = 0, fracd = 0, any = 0, eneg = 0;
	long exp = 0, scale;

	if (s < end && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	for (; s < end; s++) {
		if (*s == '.') {
			if (frac)
				return -1;
			frac = 1;
			continue;
		}
		if (*s < '0' || *s > '9')
			break;
		any = 1;
		if (frac)
			fracd++;
		if (nd == 0 && *s == '0')
			continue;
		if (++nd <= 19)
			fast = fast * 10 + (uint64_t)(*s - '0');
		else {
			if (nd == 20)
				v = fast;
			if (v > ((u128)I128_MAX - (u128)(*s - '0')) / 10)
				return -1;
			v = v * 10 + (u128)(*s - '0');
		}
	}
	if (!any)
		return -1;
	if (nd <= 19)
		v = fast;
	if (s < end && (*s == 'e' || *s == 'E')) {
		s++;
		if (s < end && (*s == '+' || *s == '-'))
			eneg = *s++ == '-';
		if (s == end)
			return -1;
		for (; s < end && *s >= '0' && *s <= '9'; s++)
			if ((exp = exp * 10 + (*s - '0')) > 1000)
				return -1;
		if (eneg)
			exp = -exp;
	}
	if (s != end || v > (u128)I128_MAX)
		return -1;
	scale = fracd - exp;
	d->v = neg ? -(i128)v : (i128)v;
	/* Trailing zeros beyond the maximum scale carry no value. */
	while (scale > MX_DEC_MAXSCALE && d->v % 10 == 0 && d->v != 0) {
		d->v /= 10;
		scale--;
	}
	if (d->v == 0 && scale > MX_DEC_MAXSCALE)
		scale = 0;
	if (scale > MX_DEC_MAXSCALE)
		return -1;
	if (scale < 0) {
		if (scaleup(&d->v, (int)-scale) < 0)
			return -1;
		scale = 0;
	}
	d->scale = (int)scale;
	return 0;
}

static int
align(struct mx_dec *a, struct mx_dec *b)
{
	if (a->scale < b->scale) {
		if (scaleup(&a->v, b->scale - a->scale) < 0)
			return -1;
		a->scale = b->scale;
	} else if (b->scale < a->scale) {
		if (scaleup(&b->v, a->scale - b->scale) < 0)
			return -1;
		b->scale = a->scale;
	}
	return 0;
}

int
mx_dec_add(struct mx_dec *a, const struct mx_dec *b)
{
	struct mx_dec x = *a, y = *b;
	i128 r;

	if (align(&x, &y) < 0)
		return -1;
	if (__builtin_add_overflow(x.v, y.v, &r))
		return -1;
	a->v = r;
	a->scale = x.scale;
	return 0;
}

int
mx_dec_mul(const struct mx_dec *a, const struct mx_dec *b, struct mx_dec *r)
{
	u128 x = uabs(a->v), y = uabs(b->v), z;
	int scale = a->scale + b->scale;
	i128 v;

	if (x != 0 && y > (u128)I128_MAX / x)
		return -1;
	z = x * y;
	v = (a->v < 0) != (b->v < 0) ? -(i128)z : (i128)z;
	while (scale > 0 && v % 10 == 0 && (scale > MX_DEC_MAXSCALE ||
	    v == 0)) {
		v /= 10;
		scale--;
	}
	if (v == 0)
		scale = 0;
	if (scale > MX_DEC_MAXSCALE)
		return -1;
	r->v = v;
	r->scale = scale;
	return 0;
}

int
mx_dec_cmp(const struct mx_dec *a, const struct mx_dec *b)
{
	struct mx_dec x = *a, y = *b;

	if ((x.v < 0) != (y.v < 0))
		return x.v < 0 ? -1 : 1;
	if (align(&x, &y) < 0) {
		/* The one that could not be scaled up is the larger in
		 * magnitude. */
		int xbig = x.scale < y.scale;

		if (x.v < 0)
			return xbig ? -1 : 1;
		return xbig ? 1 : -1;
	}
	return x.v < y.v ? -1 : x.v > y.v;
}

int
mx_dec_iszero(const struct mx_dec *d)
{
	return d->v == 0;
}

double
mx_dec_double(const struct mx_dec *d)
{
	double v = (double)d->v;
	int k;

	for (k = d->scale; k > 0; k -= 18)
		v /= (double)pow10_64[k > 18 ? 18 : k];
	return v;
}

/* digits of |v| with scale places; trim: drop trailing fraction zeros */
static int
fmt(i128 v, int scale, int trim, char out[48])
{
	char t[48];
	int i = sizeof t, n = 0, k;
	u128 a = uabs(v);

	do {
		t[--i] = (char)('0' + (int)(a % 10));
		a /= 10;
	} while (a != 0);
	while ((int)sizeof t - i <= scale)
		t[--i] = '0';
	if (v < 0)
		out[n++] = '-';
	k = (int)sizeof t - i - scale;	/* integer digits */
	memcpy(out + n, t + i, k);
	n += k;
	if (scale > 0) {
		int f = scale;

		if (trim)
			while (f > 0 && t[i + k + f - 1] == '0')
				f--;
		if (f > 0) {
			out[n++] = '.';
			memcpy(out + n, t + i + k, f);
			n += f;
		}
	}
	out[n] = '\0';
	return n;
}

/* (snprintf's "%lld" was a fifth of a pass grouping by hour(ts)) */
int
mx_fmt_int(long long v, char out[24])
{
	char t[24];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;
	int i = 0, n = 0;

	do
		t[i++] = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		out[n++] = '-';
	while (i > 0)
		out[n++] = t[--i];
	out[n] = '\0';
	return n;
}

int
mx_dec_fmt(const struct mx_dec *d, char out[48])
{
	return fmt(d->v, d->scale, 1, out);
}

int
mx_dec_fmt_scale(const struct mx_dec *d, int scale, char out[48])
{
	i128 v = d->v;
	int s = d->scale;

	if (scale < 0)
		scale = 0;
	if (scale > MX_DEC_MAXSCALE)
		scale = MX_DEC_MAXSCALE;
	if (s > scale) {
		u128 m = pow10u(s - scale), a = uabs(v), q = a / m, r = a % m;

		if (r * 2 >= m)
			q++;
		v = v < 0 ? -(i128)q : (i128)q;
	} else if (scaleup(&v, scale - s) < 0)
		return fmt(d->v, d->scale, 1, out);
	if (v == 0)
		return fmt(0, scale, 0, out);
	return fmt(v, scale, 0, out);
}

/*
 * Wide decimals: up to 38 decimal places, for sums of values that have
 * more than 18.  What 38 digits cannot hold is rounded half away from zero
 * (*inexact is set), so a sum never fails for lack of places; only a
 * magnitude of 10^38 and beyond does.
 */

/* a / 10^k, rounded half away from zero; *inexact set when digits that
 * were not zero are dropped. */
static u128
drop(u128 a, int k, int *inexact)
{
	u128 m, q, r;

	if (k <= 0 || a == 0)
		return a;
	if (k > 38) {
		/* a < 2^128 < 10^39 / 2: below one half */
		*inexact = 1;
		return 0;
	}
	m = pow10u(k);
	q = a / m;
	r = a % m;
	if (r != 0)
		*inexact = 1;
	if (r >= m - r)
		q++;
	return q;
}

/* Is |d| 10^38 or more?  Only a whole number can be: 38 digits before
 * the point fill the 128 bits. */
static int
toolarge(const struct mx_dec *d)
{
	return d->scale == 0 && uabs(d->v) >= pow10u(38);
}

static int
parse_slow(const char *p, size_t n, struct mx_dec *d, int *inexact)
{
	const char *s = p, *end = p + n;
	char dg[39];
	int neg = 0, point = 0, any = 0, nd = 0, up, k, i, eneg = 0;
	long long e10 = 0, ex = 0, scale;
	u128 v = 0;

	if (s < end && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	/* the value is 0.DIGITS x 10^e10 */
	for (; s < end; s++) {
		if (*s == '.') {
			if (point)
				return -1;
			point = 1;
			continue;
		}
		if (*s < '0' || *s > '9')
			break;
		any = 1;
		if (nd == 0 && *s == '0') {
			if (point)
				e10--;
			continue;
		}
		if (!point)
			e10++;
		if (nd < (int)sizeof dg)
			dg[nd++] = (char)(*s - '0');
		else if (*s != '0')
			*inexact = 1;
	}
	if (!any)
		return -1;
	if (s < end && (*s == 'e' || *s == 'E')) {
		s++;
		if (s < end && (*s == '+' || *s == '-'))
			eneg = *s++ == '-';
		if (s == end)
			return -1;
		for (; s < end && *s >= '0' && *s <= '9'; s++)
			if (ex < 100000)
				ex = ex * 10 + (*s - '0');
		e10 += eneg ? -ex : ex;
	}
	if (s != end)
		return -1;
	while (nd > 0 && dg[nd - 1] == 0)
		nd--;
	d->scale = 0;
	d->v = 0;
	if (nd == 0)
		return 0;
	if (e10 > 38)
		return -1;
	/* keep the digits that 38 places and 38 digits hold */
	k = nd;
	if (k > 38)
		k = 38;
	if (k > e10 + 38)
		k = (int)(e10 + 38);
	up = 0;
	if (k < nd) {
		*inexact = 1;
		up = k >= 0 && dg[k] >= 5;
	}
	for (i = 0; i < k; i++)
		v = v * 10 + (u128)dg[i];
	v += (u128)up;
	scale = k > 0 ? k - e10 : 38;
	/* rounding 99...9 up carries into a 39th digit: one place fewer */
	if (v == pow10u(38) && scale > 0) {
		v /= 10;
		scale--;
	}
	if (scale < 0) {
		v *= pow10u((int)-scale);
		scale = 0;
	}
	d->v = neg ? -(i128)v : (i128)v;
	d->scale = (int)scale;
	return toolarge(d) ? -1 : 0;
}

int
mx_dec_parse_wide(const char *p, size_t n, struct mx_dec *d, int *inexact)
{
	if (mx_dec_parse(p, n, d) == 0)
		return toolarge(d) ? -1 : 0;
	return parse_slow(p, n, d, inexact);
}

/* v to k fewer places, half away from zero */
static i128
round_places(i128 v, int k, int *inexact)
{
	u128 a = drop(uabs(v), k, inexact);

	return v < 0 ? -(i128)a : (i128)a;
}

int
mx_dec_add_wide(struct mx_dec *a, const struct mx_dec *b, int *inexact)
{
	struct mx_dec x, y, *c, *f;
	i128 t, r;
	int s;

	x = *a;
	if (mx_dec_add(&x, b) == 0) {
		if (toolarge(&x))
			return -1;
		*a = x;
		return 0;
	}
	x = *a;
	y = *b;
	/* c has the fewer places; scale it up as far as 38 digits allow,
	 * and round f to the places that leaves */
	c = x.scale <= y.scale ? &x : &y;
	f = c == &x ? &y : &x;
	for (s = f->scale; s > c->scale; s--) {
		t = c->v;
		if (scaleup(&t, s - c->scale) == 0)
			break;
	}
	f->v = round_places(f->v, f->scale - s, inexact);
	f->scale = s;
	if (scaleup(&c->v, s - c->scale) < 0)
		return -1;
	c->scale = s;
	while (__builtin_add_overflow(x.v, y.v, &r)) {
		if (x.scale == 0)
			return -1;
		x.v = round_places(x.v, 1, inexact);
		y.v = round_places(y.v, 1, inexact);
		x.scale--;
		y.scale--;
	}
	x.v = r;
	if (toolarge(&x))
		return -1;
	*a = x;
	return 0;
}

/* 256-bit magnitudes as four 64-bit limbs, least significant first */
static void
mul256(u128 x, u128 y, uint64_t r[4])
{
	uint64_t x0 = (uint64_t)x, x1 = (uint64_t)(x >> 64);
	uint64_t y0 = (uint64_t)y, y1 = (uint64_t)(y >> 64);
	u128 p00 = (u128)x0 * y0, p01 = (u128)x0 * y1, p10 = (u128)x1 * y0,
	    p11 = (u128)x1 * y1, mid;

	r[0] = (uint64_t)p00;
	mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
	r[1] = (uint64_t)mid;
	mid = (mid >> 64) + (p01 >> 64) + (p10 >> 64) + (uint64_t)p11;
	r[2] = (uint64_t)mid;
	r[3] = (uint64_t)((mid >> 64) + (p11 >> 64));
}

/* r /= 10, returning the remainder */
static int
div10_256(uint64_t r[4])
{
	u128 cur = 0;
	int i;

	for (i = 3; i >= 0; i--) {
		cur = cur << 64 | r[i];
		r[i] = (uint64_t)(cur / 10);
		cur %= 10;
	}
	return (int)cur;
}

int
mx_dec_mul_wide(const struct mx_dec *a, const struct mx_dec *b,
    struct mx_dec *r, int *inexact)
{
	uint64_t w[4];
	int scale = a->scale + b->scale, last = 0, sticky = 0, dig;
	u128 v;

	if (mx_dec_mul(a, b, r) == 0)
		return toolarge(r) ? -1 : 0;
	mul256(uabs(a->v), uabs(b->v), w);
	/* drop digits until the value is 38 places at most and fits */
	while (w[3] != 0 || w[2] != 0 || (w[1] >> 63) != 0 ||
	    scale > 38) {
		if (scale == 0)
			return -1;
		dig = div10_256(w);
		sticky |= last != 0;
		last = dig;
		scale--;
	}
	v = (u128)w[1] << 64 | w[0];
	if (last != 0 || sticky)
		*inexact = 1;
	if (last >= 5) {
		v++;
		if (v > (u128)I128_MAX) {
			if (scale == 0)
				return -1;
			v = drop(v, 1, inexact);
			scale--;
		}
	}
	while (scale > 0 && v % 10 == 0 && v != 0) {
		v /= 10;
		scale--;
	}
	if (v == 0)
		scale = 0;
	r->v = (a->v < 0) != (b->v < 0) ? -(i128)v : (i128)v;
	r->scale = scale;
	return toolarge(r) ? -1 : 0;
}

/*
 * Variance and standard deviation, exact to the last place written: the
 * sums are exact (or rounded to 38 digits), so (n * sum of squares -
 * sum^2) / (n * (n - ddof)) is worked out in integers of up to 1280 bits
 * and rounded once.  Numbers this size appear only at the output, a few
 * per group.
 */

#define BIGW	40		/* 32-bit limbs */

struct big {
	uint32_t	w[BIGW];	/* least significant first */
	int		n;		/* limbs in use; 0 is zero */
};

static void
big_trim(struct big *a)
{
	while (a->n > 0 && a->w[a->n - 1] == 0)
		a->n--;
}

static void
big_u128(struct big *a, u128 v)
{
	a->n = 0;
	while (v != 0) {
		a->w[a->n++] = (uint32_t)v;
		v >>= 32;
	}
}

static int
big_cmp(const struct big *a, const struct big *b)
{
	int i;

	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (i = a->n - 1; i >= 0; i--)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

/* r = a * b; -1 past BIGW limbs (r may be a or b) */
static int
big_mul(const struct big *a, const struct big *b, struct big *r)
{
	struct big t;
	uint64_t c;
	int i, k;

	if (a->n + b->n > BIGW)
		return -1;
	memset(&t, 0, sizeof t);
	for (i = 0; i < a->n; i++) {
		c = 0;
		for (k = 0; k < b->n; k++) {
			c += (uint64_t)a->w[i] * b->w[k] + t.w[i + k];
			t.w[i + k] = (uint32_t)c;
			c >>= 32;
		}
		t.w[i + b->n] = (uint32_t)c;
	}
	t.n = a->n + b->n;
	big_trim(&t);
	*r = t;
	return 0;
}

static int
big_mulu(struct big *a, u128 v)
{
	struct big b;

	big_u128(&b, v);
	return big_mul(a, &b, a);
}

static int
big_pow10(struct big *a, int k)
{
	for (; k >= 19; k -= 19)
		if (big_mulu(a, pow10_64[19]) < 0)
			return -1;
	return big_mulu(a, pow10_64[k]);
}

/* a -= b, for a >= b */
static void
big_sub(struct big *a, const struct big *b)
{
	int64_t c = 0;
	int i;

	for (i = 0; i < a->n; i++) {
		c += (int64_t)a->w[i] - (i < b->n ? (int64_t)b->w[i] : 0);
		a->w[i] = (uint32_t)c;
		c = c < 0 ? -1 : 0;
	}
	big_trim(a);
}

static int
big_bits(const struct big *a)
{
	return a->n == 0 ? 0 : (a->n - 1) * 32 + 32 -
	    __builtin_clz(a->w[a->n - 1]);
}

static void
big_shl(struct big *a, int k)
{
	int limbs = k / 32, bits = k % 32, i;

	for (i = a->n - 1 + limbs + 1; i >= 0; i--) {
		uint64_t hi = i - limbs >= 0 && i - limbs < a->n ?
		    a->w[i - limbs] : 0;
		uint64_t lo = i - limbs - 1 >= 0 && i - limbs - 1 < a->n ?
		    a->w[i - limbs - 1] : 0;

		if (i < BIGW)
			a->w[i] = (uint32_t)((hi << bits | (bits ?
			    lo >> (32 - bits) : 0)));
	}
	a->n = a->n + limbs + 1 > BIGW ? BIGW : a->n + limbs + 1;
	big_trim(a);
}

static void
big_shr1(struct big *a)
{
	int i;

	for (i = 0; i < a->n; i++)
		a->w[i] = a->w[i] >> 1 | (i + 1 < a->n ? a->w[i + 1] << 31 : 0);
	big_trim(a);
}

/* q = a / b, a = a % b (b not zero); the quotient's bits are few here,
 * so shift and subtract is enough */
static void
big_divmod(struct big *a, const struct big *b, struct big *q)
{
	struct big d = *b;
	int k = big_bits(a) - big_bits(b);

	memset(q, 0, sizeof *q);
	if (k < 0)
		return;
	big_shl(&d, k);
	q->n = k / 32 + 1;
	for (; k >= 0; k--) {
		if (big_cmp(a, &d) >= 0) {
			big_sub(a, &d);
			q->w[k / 32] |= (uint32_t)1 << (k % 32);
		}
		big_shr1(&d);
	}
	big_trim(q);
}

static int
big_u128_of(const struct big *a, u128 *v)
{
	int i;

	if (a->n > 4)
		return -1;
	*v = 0;
	for (i = a->n - 1; i >= 0; i--)
		*v = *v << 32 | a->w[i];
	return 0;
}

/* floor(sqrt(a)) by Newton's method from above */
static void
big_isqrt(const struct big *a, struct big *r)
{
	struct big x, y, t, q;

	if (a->n == 0) {
		r->n = 0;
		return;
	}
	big_u128(&x, 1);
	big_shl(&x, (big_bits(a) + 1) / 2 + 1);
	for (;;) {
		t = *a;
		big_divmod(&t, &x, &q);
		/* y = (x + a / x) / 2 */
		y = x;
		{
			uint64_t c = 0;
			int i, n = y.n > q.n ? y.n : q.n;

			for (i = 0; i < n; i++) {
				c += (uint64_t)(i < y.n ? y.w[i] : 0) +
				    (i < q.n ? q.w[i] : 0);
				y.w[i] = (uint32_t)c;
				c >>= 32;
			}
			y.n = n;
			if (c && n < BIGW)
				y.w[y.n++] = (uint32_t)c;
		}
		big_shr1(&y);
		if (big_cmp(&y, &x) >= 0)
			break;
		x = y;
	}
	*r = x;
}

int
mx_dec_variance(uint64_t n, int ddof, const struct mx_dec *sum,
    const struct mx_dec *sumsq, int root, int scale, struct mx_dec *r)
{
	struct big num, t, den, q, rem;
	int s = sum->scale, k;
	u128 v;

	if (n <= (uint64_t)ddof || scale < 0 || scale > MX_DEC_MAXSCALE)
		return -1;
	/* at scale 2s: n * sumsq * 10^(2s - sumsq.scale) - sum^2, where a
	 * sum of squares rounded to fewer places is scaled up and one of
	 * more places (never, when exact) is scaled down */
	big_u128(&num, uabs(sumsq->v));
	if (big_mulu(&num, n) < 0)
		return -1;
	k = 2 * s - sumsq->scale;
	big_u128(&den, 1);
	if (k < 0) {
		/* the sum of squares has more places: raise the others */
		s = (sumsq->scale + 1) / 2;
		k = 2 * s - sumsq->scale;
	}
	if (big_pow10(&num, k) < 0)
		return -1;
	big_u128(&t, uabs(sum->v));
	if (big_pow10(&t, s - sum->scale) < 0 || big_mul(&t, &t, &t) < 0)
		return -1;
	/* rounding of the sums could leave it below zero: it is zero */
	if (big_cmp(&num, &t) <= 0)
		num.n = 0;
	else
		big_sub(&num, &t);
	/* divided by n * (n - ddof) * 10^(2s) */
	if (big_mulu(&den, (u128)n * (n - (uint64_t)ddof)) < 0 ||
	    big_pow10(&den, 2 * s) < 0)
		return -1;
	if (!root) {
		if (big_pow10(&num, scale) < 0)
			return -1;
		big_divmod(&num, &den, &q);
		if (big_u128_of(&q, &v) < 0)
			return -1;
		/* half away from zero: twice the remainder against the
		 * divisor */
		big_shl(&num, 1);
		if (big_cmp(&num, &den) >= 0)
			v++;
	} else {
		/* sqrt(num / den) to scale places: r = floor(sqrt(num *
		 * 10^2scale / den)), and one more when 4 * num * 10^2scale
		 * >= (2r + 1)^2 * den */
		if (big_pow10(&num, 2 * scale) < 0)
			return -1;
		rem = num;
		big_divmod(&rem, &den, &q);
		big_isqrt(&q, &t);
		if (big_u128_of(&t, &v) < 0 || v > ((u128)1 << 126))
			return -1;
		big_u128(&q, 2 * v + 1);
		if (big_mul(&q, &q, &q) < 0 || big_mul(&q, &den, &q) < 0)
			return -1;
		if (big_mulu(&num, 4) < 0)
			return -1;
		if (big_cmp(&num, &q) >= 0)
			v++;
	}
	if (v > (u128)I128_MAX)
		return -1;
	r->v = (i128)v;
	r->scale = scale;
	return 0;
}
