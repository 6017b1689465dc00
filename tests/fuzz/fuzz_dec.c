/* Exact decimals: what parses prints, and reparses to an equal value;
 * sums and products never wrap silently. */
#include "fuzz.h"

/* Wide decimals: what parses prints in 48 bytes and reparses to an equal
 * value; sums and products stay below 10^38 or fail, never wrap. */
static void
wide(const uint8_t *data, size_t n)
{
	struct mx_dec a, b, s, p, r;
	char out[48];
	int k, inexact = 0;

	if (mx_dec_parse_wide((const char *)data, n, &a, &inexact) < 0)
		return;
	k = mx_dec_fmt(&a, out);
	if (k >= 48 || mx_dec_parse_wide(out, (size_t)k, &b, &inexact) < 0 ||
	    mx_dec_cmp(&a, &b) != 0)
		abort();
	s = a;
	if (mx_dec_add_wide(&s, &b, &inexact) == 0)
		(void)mx_dec_fmt(&s, out);
	if (mx_dec_mul_wide(&a, &b, &p, &inexact) == 0)
		(void)mx_dec_fmt(&p, out);
	if (mx_dec_mul_wide(&a, &a, &p, &inexact) == 0 && p.v < 0)
		abort();		/* a square is not negative */
	(void)mx_dec_variance(3, 1, &a, &p, 1, 6, &r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct mx_dec a, b, s, p;
	char out[48];
	int k;

	wide(data, n);
	if (mx_dec_parse((const char *)data, n, &a) < 0)
		return 0;
	k = mx_dec_fmt(&a, out);
	if (mx_dec_parse(out, (size_t)k, &b) < 0 || mx_dec_cmp(&a, &b) != 0)
		abort();
	s = a;
	if (mx_dec_add(&s, &b) == 0 && mx_dec_cmp(&s, &a) != (a.v > 0 ? 1 :
	    a.v < 0 ? -1 : 0))
		abort();		/* a + a is not beyond a */
	(void)mx_dec_mul(&a, &b, &p);
	(void)mx_dec_fmt_scale(&a, 2, out);
	(void)mx_dec_double(&a);
	return 0;
}
