/*
 * ratio.c: exact quotients of decimals.  Cost per booking, CPC, CTR and
 * the like divide two exact values; doing it in integers and rounding
 * once, half away from zero, gives the figure a person gets by hand
 * (1.0125 to three places is 1.013), which a double cannot promise: the
 * double nearest 1.0125 lies below it.
 */
#include "mx.h"

typedef unsigned __int128 u128;
typedef __int128 i128;

#define U128_MAX	(~(u128)0)
#define I128_MAX	((u128)1 << 127) - 1

static const uint64_t pow10_64[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL
};

static u128
uabs(i128 v)
{
	return v < 0 ? (u128)0 - (u128)v : (u128)v;
}

int
mx_dec_div(const struct mx_dec *a, const struct mx_dec *b, int scale,
    struct mx_dec *r)
{
	u128 x = uabs(a->v), y = uabs(b->v), q, rem, t;
	int e, i, k, d;

	if (y == 0 || scale < 0 || scale > MX_DEC_MAXSCALE)
		return -1;
	/* r * 10^scale = x * 10^e / y */
	e = scale + b->scale - a->scale;
	if (e < 0) {
		for (i = 0; i < -e; i++) {
			/* y * 10^-e beyond 2^128 exceeds 2x: the quotient is
			 * below one half */
			if (y > U128_MAX / 10) {
				r->v = 0;
				r->scale = scale;
				return 0;
			}
			y *= 10;
		}
		q = x / y;
		rem = x % y;
	} else if (e <= 19 && y <= UINT64_MAX &&
	    x <= UINT64_MAX / pow10_64[e]) {
		/* the common case, in 64 bits */
		uint64_t n = (uint64_t)x * pow10_64[e];

		q = n / (uint64_t)y;
		rem = n % (uint64_t)y;
	} else {
		q = x / y;
		rem = x % y;
		/* One digit at a time: 10 * rem = d * y + t, found by ten
		 * additions modulo y, which cannot overflow however large y
		 * is. */
		for (i = 0; i < e; i++) {
			t = 0;
			d = 0;
			for (k = 0; k < 10; k++) {
				if (t >= y - rem) {
					t -= y - rem;
					d++;
				} else
					t += rem;
			}
			rem = t;
			if (q > ((I128_MAX) - (u128)d) / 10)
				return -1;
			q = q * 10 + (u128)d;
		}
	}
	if (rem >= y - rem)
		q++;
	if (q > (I128_MAX))
		return -1;
	r->v = (a->v < 0) != (b->v < 0) ? -(i128)q : (i128)q;
	r->scale = scale;
	return 0;
}
