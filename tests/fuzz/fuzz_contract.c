/* Contracts: any text compiles or is refused with a message; a contract
 * that compiles checks any record (the input after a NUL byte), and every
 * value it writes is one JSON value, every message UTF-8. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const char *p = (const char *)data, *nul = memchr(p, '\0', n);
	size_t cn = nul != NULL ? (size_t)(nul - p) : n, line, i, k;
	struct mx_sel *sel = mx_sel_new();
	struct mx_contract *c;
	struct mx_json *j, *chk;
	struct mx_span *spans;
	const struct mx_cval *v;
	const struct mx_cfail *x;
	struct mx_buf b = { 0 };
	char err[256];

	if ((c = mx_contract_parse(p, cn, NULL, sel, err, sizeof err, &line)) ==
	    NULL) {
		if (!mx_utf8_valid(err, strlen(err)))
			abort();
		mx_sel_free(sel);
		return 0;
	}
	if (nul != NULL) {
		spans = mx_calloc(mx_sel_count(sel) + 1, sizeof *spans);
		j = mx_json_new(sel);
		chk = mx_json_new(NULL);
		if (mx_json_scan(j, nul + 1, n - cn - 1, spans, 1) == 0) {
			k = mx_contract_check(c, spans, &v, &x);
			for (i = 0; i < mx_contract_nfields(c); i++) {
				b.len = 0;
				if (v[i].quote)
					mx_buf_addc(&b, '"');
				mx_buf_add(&b, v[i].p, v[i].n);
				if (v[i].quote)
					mx_buf_addc(&b, '"');
				if (mx_json_scan(chk, b.p, b.len, NULL, 0) < 0)
					abort();
			}
			for (i = 0; i < k; i++)
				if (x[i].rule >= MX_CR_NRULES ||
				    !mx_utf8_valid(x[i].msg, strlen(x[i].msg)))
					abort();
		}
		mx_json_free(chk);
		mx_json_free(j);
		free(spans);
	}
	mx_buf_free(&b);
	mx_contract_free(c);
	mx_sel_free(sel);
	return 0;
}
