/* Conditions: any text parses or is refused with a message; a condition
 * that parses is tried on records of every kind of value, and the order of
 * values it uses is a total order (antisymmetric) on them. */
#include "fuzz.h"

static const char *const recs[] = {
	"{\"a\":1,\"b\":\"x\",\"c\":null}",
	"{\"a\":\"10.5\",\"b\":\"2024-03-01T10:00:00+01:00\",\"c\":[1]}",
	"{\"a\":1e400,\"b\":true,\"c\":{\"d\":\"\\u00e9\"}}",
	"{\"a\":-0.0,\"b\":\"2024-03-01\",\"c\":\"012\"}",
	"{\"b\":1709287200,\"c\":false}",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct mx_where *w = mx_where_new();
	struct mx_sel *sel = mx_sel_new();
	struct mx_json *js;
	struct mx_span sp[64], v[3 * 5];
	char *s = mx_strndup((const char *)data, n), err[512];
	size_t i, k, nv = 0;

	err[0] = '\0';
	mx_sel_add(sel, "a");
	mx_sel_add(sel, "b");
	mx_sel_add(sel, "c");
	if (mx_where_add(w, s, sel, err, sizeof err) < 0) {
		if (err[0] == '\0')
			abort();	/* refused without a reason */
	} else if (mx_sel_count(sel) <= 64) {
		js = mx_json_new(sel);
		for (i = 0; i < sizeof recs / sizeof recs[0]; i++) {
			memset(sp, 0, sizeof sp);
			if (mx_json_scan(js, recs[i], strlen(recs[i]), sp,
			    1) < 0)
				abort();
			(void)mx_where_match(w, sp);
			for (k = 0; k < 3; k++)
				if (sp[k].kind != MX_JNONE)
					v[nv++] = sp[k];
		}
		for (i = 0; i < nv; i++)
			for (k = 0; k < nv; k++)
				if (mx_order_total(&v[i], &v[k]) !=
				    -mx_order_total(&v[k], &v[i]))
					abort();
		mx_json_free(js);
	}
	mx_where_free(w);
	mx_sel_free(sel);
	free(s);
	return 0;
}
