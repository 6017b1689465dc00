/* Computed fields and conditions (mx-calc, mx-test): any text compiles or
 * is refused with a message; what compiles is computed, and tested as a
 * condition, over records of every kind of value, and the fields it names
 * are fields of the selection. */
#include "fuzz.h"
#include "calc.h"

static const char *const recs[] = {
	"{\"a\":1,\"b\":\"x\",\"c\":null}",
	"{\"a\":\"10.5\",\"b\":\"2024-03-01T10:00:00+01:00\",\"c\":[1]}",
	"{\"a\":1e400,\"b\":true,\"c\":{\"d\":\"\\u00e9\"}}",
	"{\"a\":-0.0,\"b\":\"2024-03-01\",\"c\":\"012\"}",
	"{\"a\":123456789012345678901234567890.5,\"b\":1709287200}",
};

/* Every field the item names is a field of sel, named by a path. */
static void
check_fields(const struct mx_calc *c, size_t i, const struct mx_sel *sel)
{
	const char **paths;
	int *f;
	size_t k, n = mx_calc_fields(c, i, &f, &paths);

	for (k = 0; k < n; k++)
		if (f[k] < 0 || f[k] >= mx_sel_count(sel) || paths[k] == NULL)
			abort();
	free(f);
	free(paths);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct mx_sel *sel = mx_sel_new();
	struct mx_calc *c = mx_calc_new(sel, 6), *w = mx_calc_new(sel, 6);
	struct mx_json *js = NULL;
	struct mx_span *sp;
	const struct mx_span *vals;
	const char *why;
	struct mx_buf b = { 0 };
	char err[512];
	size_t i, failed;
	long cond;
	int ok;

	mx_buf_add(&b, "x=", 2);
	mx_buf_add(&b, data, n);
	err[0] = '\0';
	ok = mx_calc_add(c, mx_buf_cstr(&b), err, sizeof err) == 0;
	if (!ok && err[0] == '\0')
		abort();		/* refused without a reason */
	err[0] = '\0';
	cond = mx_calc_add_cond(w, mx_buf_cstr(&b) + 2, err, sizeof err);
	if (cond < 0 && err[0] == '\0')
		abort();
	if (ok)
		check_fields(c, 0, sel);
	if (cond >= 0)
		check_fields(w, (size_t)cond, sel);
	if (mx_sel_count(sel) > 0) {
		js = mx_json_new(sel);
		sp = calloc((size_t)mx_sel_count(sel), sizeof *sp);
		for (i = 0; i < sizeof recs / sizeof recs[0]; i++) {
			memset(sp, 0, (size_t)mx_sel_count(sel) * sizeof *sp);
			if (mx_json_scan(js, recs[i], strlen(recs[i]), sp,
			    1) < 0)
				continue;	/* a path the scan refuses */
			if (ok)
				(void)mx_calc_run(c, sp, &vals, &failed, &why);
			if (cond >= 0)
				(void)mx_calc_test(w, (size_t)cond, sp, &why);
		}
		free(sp);
		mx_json_free(js);
	}
	mx_calc_free(c);
	mx_calc_free(w);
	mx_sel_free(sel);
	mx_buf_free(&b);
	return 0;
}
