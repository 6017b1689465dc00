/*
 * name.c: bytes that must become JSON but need not be UTF-8 (file names,
 * raw lines): base64 both ways, and a name as a JSON string that says
 * when it could not be exact.
 *
 * A file name is any bytes but '/' and NUL; JSON strings are UTF-8.  A
 * name that is UTF-8 is written as it is, control characters escaped; one
 * that is not is written with each byte that breaks UTF-8 as U+FFFD, for
 * people, and the caller adds the exact bytes in base64 next to it
 * (_source_base64, path_base64), for programs: reversible, and valid JSON
 * that every reader accepts (lone surrogates, Python's way, are refused by
 * strict parsers, DuckDB's among them).
 */
#include <stdio.h>
#include <stdlib.h>

#include "mx.h"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
mx_b64(struct mx_buf *b, const char *p, size_t n)
{
	size_t i;
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned char)p[i] << 16 | (unsigned char)p[i + 1] << 8 |
		    (unsigned char)p[i + 2];
		mx_buf_addc(b, b64[v >> 18]);
		mx_buf_addc(b, b64[v >> 12 & 63]);
		mx_buf_addc(b, b64[v >> 6 & 63]);
		mx_buf_addc(b, b64[v & 63]);
	}
	if (i < n) {
		v = (unsigned char)p[i] << 16 |
		    (i + 1 < n ? (unsigned char)p[i + 1] << 8 : 0);
		mx_buf_addc(b, b64[v >> 18]);
		mx_buf_addc(b, b64[v >> 12 & 63]);
		mx_buf_addc(b, i + 1 < n ? b64[v >> 6 & 63] : '=');
		mx_buf_addc(b, '=');
	}
}

int
mx_unb64(struct mx_buf *b, const char *p, size_t n)
{
	unsigned v = 0;
	size_t i, bits = 0, pad = 0;
	const char *c;

	if (n % 4 != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] == '=') {
			if (i + 2 < n || (i + 1 < n && p[i + 1] != '='))
				return -1;
			pad++;
			continue;
		}
		if (pad > 0 || p[i] == '\0' || (c = strchr(b64, p[i])) == NULL)
			return -1;
		v = v << 6 | (unsigned)(c - b64);
		if ((bits += 6) >= 8) {
			bits -= 8;
			mx_buf_addc(b, (char)(v >> bits & 0xff));
		}
	}
	return pad > 2 ? -1 : 0;
}

/* The length of the UTF-8 character at p (1..4), or 0 when the bytes there
 * are not one. */
static size_t
u8len(const unsigned char *p, size_t n)
{
	size_t k;

	if (p[0] < 0x80)
		return 1;
	k = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
	if (k == 0 || k > n || !mx_utf8_valid((const char *)p, k))
		return 0;
	return k;
}

int
mx_json_name(struct mx_buf *b, const char *p, size_t n)
{
	struct mx_buf t = { 0 };
	size_t i, k;
	int lossy = 0;

	if (mx_utf8_valid(p, n)) {
		mx_json_quote(b, p, n);
		return 0;
	}
	for (i = 0; i < n; i += k)
		if ((k = u8len((const unsigned char *)p + i, n - i)) == 0) {
			mx_buf_adds(&t, "\xef\xbf\xbd");	/* U+FFFD */
			k = 1;
			lossy = 1;
		} else
			mx_buf_add(&t, p + i, k);
	mx_json_quote(b, t.p, t.len);
	mx_buf_free(&t);
	return lossy;
}

char *
mx_files0(const char *path, size_t *len)
{
	struct mx_buf b = { 0 };
	char chunk[65536], *p;
	size_t n;
	FILE *fp;

	if ((fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb")) == NULL)
		mx_err(MX_EXIT_FAIL, "%s", path);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		mx_buf_add(&b, chunk, n);
	if (ferror(fp))
		mx_err(MX_EXIT_FAIL, "%s", path);
	if (fp != stdin)
		fclose(fp);
	if (b.len > 0 && b.p[b.len - 1] != '\0')
		mx_buf_addc(&b, '\0');
	for (p = b.p; p < b.p + b.len; p += strlen(p) + 1)
		if (*p == '\0')
			mx_errx(MX_EXIT_FAIL, "%s: an empty file name in a list "
			    "of NUL-separated names", path);
	*len = b.len;
	mx_buf_cstr(&b);
	return b.p;
}
