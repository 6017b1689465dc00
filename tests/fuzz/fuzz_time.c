/* Timestamps: whatever parses prints in the canonical form, which parses
 * back to the same instant. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct mx_time t, u;
	char out[40], d[16];
	int y, w, k;

	if (mx_time_parse((const char *)data, n, &t) < 0)
		return 0;
	/* years beyond 9999 do not round-trip through RFC 3339 */
	if (t.sec < -62135596800LL || t.sec > 253402300799LL)
		return 0;
	k = mx_time_fmt(&t, out);
	if (mx_time_parse(out, (size_t)k, &u) < 0 || u.sec != t.sec ||
	    u.nsec != t.nsec)
		abort();
	mx_time_date(&t, d);
	mx_time_isoweek(t.sec, &y, &w);
	if (w < 1 || w > 53 || mx_time_dow(t.sec) < 1 || mx_time_dow(t.sec) > 7)
		abort();
	return 0;
}
