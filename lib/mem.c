/*
 * mem.c: allocation wrappers (a filter has nothing better to do on OOM
 * than to say so and stop) and the growable byte buffer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mx.h"

static MX_NORETURN void
nomem(size_t n)
{
	mx_errx(MX_EXIT_FAIL, "out of memory (allocating %zu bytes)", n);
}

void *
mx_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		nomem(n);
	return p;
}

void *
mx_calloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		nomem(nmemb * size);
	return p;
}

void *
mx_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		nomem(n);
	return q;
}

void *
mx_reallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		nomem(SIZE_MAX);
	return mx_realloc(p, nmemb * size);
}

char *
mx_strdup(const char *s)
{
	return mx_strndup(s, strlen(s));
}

char *
mx_strndup(const char *s, size_t n)
{
	char *p = mx_malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
mx_buf_grow(struct mx_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 256;

	if (need > SIZE_MAX - b->len - 1)
		nomem(SIZE_MAX);
	while (cap - b->len < need + 1)
		cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
	b->p = mx_realloc(b->p, cap);
	b->cap = cap;
}

void
mx_buf_free(struct mx_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

const char *
mx_buf_cstr(struct mx_buf *b)
{
	if (b->cap - b->len < 1)
		mx_buf_grow(b, 1);
	b->p[b->len] = '\0';
	return b->p;
}

void
mx_buf_printf(struct mx_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->cap - b->len < (size_t)n + 1)
		mx_buf_grow(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

size_t
mx_ctl(const char *p, size_t n)
{
	unsigned char c = (unsigned char)p[0];

	if ((c < 0x20 && c != '\t') || c == 0x7f)
		return 1;
	if (c == 0xc2 && n > 1 && (unsigned char)p[1] >= 0x80 &&
	    (unsigned char)p[1] <= 0x9f)
		return 2;
	return 0;
}

void
mx_buf_vis(struct mx_buf *b, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, k;
	unsigned u;

	for (i = 0; i < n; i += k) {
		k = 1;
		switch (p[i]) {
		case '\t':
			mx_buf_add(b, "\\t", 2);
			continue;
		case '\n':
			mx_buf_add(b, "\\n", 2);
			continue;
		case '\r':
			mx_buf_add(b, "\\r", 2);
			continue;
		case '\\':
			mx_buf_add(b, "\\\\", 2);
			continue;
		}
		if ((k = mx_ctl(p + i, n - i)) == 0) {
			mx_buf_addc(b, p[i]);
			k = 1;
			continue;
		}
		u = k == 1 ? (unsigned char)p[i] : (unsigned char)p[i + 1];
		mx_buf_add(b, "\\u00", 4);
		mx_buf_addc(b, hex[u >> 4]);
		mx_buf_addc(b, hex[u & 15]);
	}
}

long long
mx_parse_size(const char *s)
{
	char *end;
	unsigned long long v, m = 1;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K': m = 1ULL << 10; end++; break;
	case 'm': case 'M': m = 1ULL << 20; end++; break;
	case 'g': case 'G': m = 1ULL << 30; end++; break;
	case 't': case 'T': m = 1ULL << 40; end++; break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || v > (unsigned long long)INT64_MAX / m)
		return -1;
	return (long long)(v * m);
}

long long
mx_parse_count(const char *s)
{
	char *end;
	long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0')
		return -1;
	return v;
}

long long
mx_size_opt(const char *name, const char *arg)
{
	long long v;

	if ((v = mx_parse_size(arg)) <= 0) {
		mx_warnx("%s: '%s' is not a size such as 512M", name, arg);
		return -1;
	}
	return v;
}
