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
