/*
 * hive.c: Hive-style partition directory names, "key=value", so that
 * DuckDB, Spark, Trino and Athena read the lake as mx writes it.
 *
 * The escaped set is Hive's (FileUtils.escapePathName): control
 * characters, DEL and " # % ' * / : = ? \ { [ ] ^, as %XX in upper-case
 * hex; other bytes, UTF-8 included, pass through.  Hive turns a null and an empty
 * value into __HIVE_DEFAULT_PARTITION__; mx does the same.  Two additions
 * keep every name a plain file name whatever the reader does with it: a
 * value made only of dots is escaped (%2E), and a name longer than
 * NAME_MAX is cut and made unique again by a hash of the whole value.
 */
#include <string.h>

#include "mx.h"

static const char hexd[] = "0123456789ABCDEF";

static int
escaped(unsigned char c)
{
	switch (c) {
	case '"': case '#': case '%': case '\'': case '*': case '/': case ':':
	case '=': case '?': case '\\': case '{': case '[': case ']': case '^':
	case 0x7f:
		return 1;
	}
	return c < 0x20;
}

void
mx_hive_escape(struct mx_buf *b, const char *s, size_t n)
{
	const char *run, *end = s + n;
	size_t i;

	for (i = 0; i < n && s[i] == '.'; i++)
		;
	if (n > 0 && i == n) {
		/* ".", ".." and their longer kin: never a path step */
		for (i = 0; i < n; i++)
			mx_buf_add(b, "%2E", 3);
		return;
	}
	while (s < end) {
		run = s;
		while (s < end && !escaped((unsigned char)*s))
			s++;
		mx_buf_add(b, run, s - run);
		if (s == end)
			break;
		mx_buf_addc(b, '%');
		mx_buf_addc(b, hexd[(unsigned char)*s >> 4]);
		mx_buf_addc(b, hexd[(unsigned char)*s & 15]);
		s++;
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
mx_hive_unescape(struct mx_buf *b, const char *s, size_t n)
{
	size_t i;
	int hi, lo;

	/* As Hive: a '%' not followed by two hex digits stays as it is. */
	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			mx_buf_addc(b, hi << 4 | lo);
			i += 2;
		} else
			mx_buf_addc(b, s[i]);
	}
}

int
mx_hive_dirname(struct mx_buf *b, const char *name, const char *val,
    size_t n)
{
	size_t start = b->len, vstart, room, cut;
	char hex[17];

	mx_hive_escape(b, name, strlen(name));
	mx_buf_addc(b, '=');
	vstart = b->len;
	/* room for the default partition's name, or a hash and a bit */
	if (vstart - start + 32 > MX_HIVE_NAMEMAX) {
		b->len = start;
		return -1;
	}
	if (val == NULL || n == 0) {
		mx_buf_adds(b, MX_HIVE_NULL);
		return 0;
	}
	mx_hive_escape(b, val, n);
	if (b->len - start <= MX_HIVE_NAMEMAX)
		return 0;
	/* Too long for one file name: keep what fits, cut neither inside a
	 * %XX escape nor inside a UTF-8 sequence, and add "~" and the hash
	 * of the whole value so that distinct values stay distinct. */
	room = MX_HIVE_NAMEMAX - (vstart - start) - 17;
	cut = vstart + room;
	if (b->p[cut - 1] == '%')
		cut -= 1;
	else if (cut >= vstart + 2 && b->p[cut - 2] == '%')
		cut -= 2;
	while (cut > vstart && ((unsigned char)b->p[cut] & 0xc0) == 0x80)
		cut--;
	b->len = cut;
	mx_hash64_hex(mx_hash64(val, n), hex);
	mx_buf_addc(b, '~');
	mx_buf_add(b, hex, 16);
	return 0;
}

int
mx_hive_path(struct mx_buf *b, const struct mx_exprs *keys,
    const struct mx_span *spans, struct mx_buf *tmp)
{
	struct mx_span v;
	char t[MX_EXPR_TMP];
	size_t i;
	int bad;

	for (i = 0; i < keys->n; i++) {
		mx_expr_eval(&keys->v[i], spans, &v, t, &bad);
		if (bad || v.kind == MX_JARR || v.kind == MX_JOBJ)
			return -1;
		if (i > 0)
			mx_buf_addc(b, '/');
		tmp->len = 0;
		if (v.kind == MX_JSTR)
			mx_json_unescape(&v, tmp);
		else if (v.kind != MX_JNONE && v.kind != MX_JNULL)
			mx_buf_add(tmp, v.p, v.n);
		if (mx_hive_dirname(b, keys->v[i].name, tmp->len ? tmp->p :
		    NULL, tmp->len) < 0)
			return -1;
	}
	return 0;
}
