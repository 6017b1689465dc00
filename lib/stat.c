/*
 * stat.c: the estimators behind mx-agg's approximate aggregates and
 * mx-stats, in one place so that both give the same figures: HyperLogLog
 * distinct counts with Ertl's estimator, exact quantiles of decimals, and
 * the bucket sketch of approximate quantiles.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mx.h"

void
mx_hll_add(uint8_t *reg, uint64_t h)
{
	uint64_t w;
	uint8_t r;
	size_t i;

	/* the register: the top P bits; its value: the position of the
	 * first 1 in the other Q bits, Q + 1 when they are all 0 */
	w = h << MX_HLL_P | (uint64_t)1 << (MX_HLL_P - 1);
	r = (uint8_t)(__builtin_clzll(w) + 1);
	i = (size_t)(h >> (64 - MX_HLL_P));
	if (r > reg[i])
		reg[i] = r;
}

/*
 * Ertl's improved estimator ("New cardinality estimation algorithms for
 * HyperLogLog sketches", 2017): from the histogram of register values, with
 * no switch between estimators and so no bias where plain HyperLogLog
 * hands over to linear counting.  Only exact double operations and sqrt,
 * so every machine gives the same count.
 */
static double
hll_sigma(double x)
{
	double y = 1, z = x, zl;

	if (x == 1)
		return INFINITY;
	do {
		x *= x;
		zl = z;
		z += x * y;
		y += y;
	} while (z != zl);
	return z;
}

static double
hll_tau(double x)
{
	double y = 1, z = 1 - x, zl;

	if (x == 0 || x == 1)
		return 0;
	do {
		x = sqrt(x);
		zl = z;
		y *= 0.5;
		z -= (1 - x) * (1 - x) * y;
	} while (z != zl);
	return z / 3;
}

uint64_t
mx_hll_estimate(const uint8_t *reg)
{
	double m = MX_HLL_M, z;
	uint64_t c[MX_HLL_Q + 2];
	int k;
	size_t i;

	if (reg == NULL)
		return 0;
	memset(c, 0, sizeof c);
	for (i = 0; i < MX_HLL_M; i++)
		c[reg[i]]++;
	if (c[0] == MX_HLL_M)
		return 0;
	z = m * hll_tau(1 - (double)c[MX_HLL_Q + 1] / m);
	for (k = MX_HLL_Q; k >= 1; k--)
		z = 0.5 * (z + (double)c[k]);
	z += m * hll_sigma((double)c[0] / m);
	return (uint64_t)(m * m / (2 * log(2)) / z + 0.5);
}

void
mx_dec_quantile(const struct mx_dec *v, size_t n, const struct mx_dec *q,
    struct mx_dec *r)
{
	struct mx_dec frac, diff, lo;
	unsigned __int128 h, one = 1;
	size_t i;
	int k, inexact = 0;

	for (k = 0; k < q->scale; k++)
		one *= 10;
	h = (unsigned __int128)q->v * (n - 1);
	i = (size_t)(h / one);
	frac.v = (__int128)(h % one);
	frac.scale = q->scale;
	*r = v[i];
	if (frac.v == 0 || i + 1 >= n)
		return;
	/* the operands came from values that fit, so a difference of two
	 * fits once rounded */
	diff = v[i + 1];
	lo = v[i];
	lo.v = -lo.v;
	(void)mx_dec_add_wide(&diff, &lo, &inexact);
	(void)mx_dec_mul_wide(&diff, &frac, &diff, &inexact);
	(void)mx_dec_add_wide(r, &diff, &inexact);
}

int64_t
mx_qs_index(double x)
{
	double m;
	int e;
	int64_t i;

	if (x == 0)
		return 0;
	m = frexp(fabs(x), &e);		/* |x| = m 2^e, 0.5 <= m < 1 */
	i = (int64_t)(e + MX_QS_OFF) * MX_QS_SUB + (int64_t)((m - 0.5) * 2 *
	    MX_QS_SUB);
	return x < 0 ? -i : i;
}

double
mx_qs_value(int64_t i)
{
	int64_t a = i < 0 ? -i : i;
	double v;

	if (i == 0)
		return 0;
	v = ldexp(0.5 + (double)(2 * (a % MX_QS_SUB) + 1) / (4.0 * MX_QS_SUB),
	    (int)(a / MX_QS_SUB - MX_QS_OFF));
	return i < 0 ? -v : v;
}

size_t
mx_qsketch_add(struct mx_qsketch *k, int64_t idx, uint64_t n)
{
	size_t lo = 0, hi, m, grown = 0;

	hi = k->n;
	while (lo < hi) {
		m = (lo + hi) / 2;
		if (k->b[m].idx < idx)
			lo = m + 1;
		else
			hi = m;
	}
	if (lo < k->n && k->b[lo].idx == idx) {
		k->b[lo].n += n;
		return 0;
	}
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 8;
		k->b = mx_reallocarray(k->b, k->cap, sizeof *k->b);
		grown = k->cap / 2 * sizeof *k->b;
	}
	memmove(&k->b[lo + 1], &k->b[lo], (k->n - lo) * sizeof *k->b);
	k->b[lo].idx = idx;
	k->b[lo].n = n;
	k->n++;
	return grown;
}

/* The value of rank r (from 0) of a sketch. */
static double
sketch_rank(const struct mx_qsketch *k, uint64_t r)
{
	uint64_t c = 0;
	size_t i;

	for (i = 0; i < k->n; i++) {
		c += k->b[i].n;
		if (r < c)
			return mx_qs_value(k->b[i].idx);
	}
	return mx_qs_value(k->b[k->n - 1].idx);
}

double
mx_qsketch_quantile(const struct mx_qsketch *k, uint64_t n, double q)
{
	double h, lo, hi, f;
	uint64_t r;

	/* interpolated as the exact quantile is, between the two ranks */
	h = q * (double)(n - 1);
	r = (uint64_t)floor(h);
	f = h - (double)r;
	lo = sketch_rank(k, r);
	hi = f > 0 ? sketch_rank(k, r + 1) : lo;
	return lo + (hi - lo) * f;
}

void
mx_buf_approx(struct mx_buf *b, double v)
{
	char t[32], *e;
	int ex, i, nd = 0;
	char dg[8];

	if (v == 0) {
		mx_buf_addc(b, '0');
		return;
	}
	snprintf(t, sizeof t, "%.5e", fabs(v));	/* d.ddddde+XX */
	ex = (int)strtol(strchr(t, 'e') + 1, &e, 10);
	for (i = 0; t[i] != 'e'; i++)
		if (t[i] != '.')
			dg[nd++] = t[i];
	while (nd > 1 && dg[nd - 1] == '0')
		nd--;
	if (v < 0)
		mx_buf_addc(b, '-');
	if (ex < 0) {
		mx_buf_adds(b, "0.");
		for (i = -1; i > ex; i--)
			mx_buf_addc(b, '0');
		mx_buf_add(b, dg, (size_t)nd);
		return;
	}
	for (i = 0; i <= ex || i < nd; i++) {
		if (i == ex + 1)
			mx_buf_addc(b, '.');
		mx_buf_addc(b, i < nd ? dg[i] : '0');
	}
}
