/* Exact decimals: what parses prints, and reparses to an equal value;
 * sums and products never wrap silently. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct mx_dec a, b, s, p;
	char out[48];
	int k;

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
