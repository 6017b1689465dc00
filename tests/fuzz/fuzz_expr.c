/* Field expressions: any text parses or is refused with a message. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct mx_exprs l = { 0 };
	struct mx_sel *sel = mx_sel_new();
	char *s = mx_strndup((const char *)data, n), err[256];

	if (mx_exprs_parse(&l, s, sel, err, sizeof err) < 0 && err[0] == '\0')
		abort();		/* refused without a reason */
	mx_exprs_free(&l);
	mx_sel_free(sel);
	free(s);
	return 0;
}
