/*
 * members.c: the top-level members of an object that mx_json_scan has
 * already accepted.  Because the text is known to be valid, the walk only
 * needs to find where strings and nested values end; it never re-checks.
 */
#include "mx.h"

/* The end of the string whose opening quote is at s. */
static const char *
skipstr(const char *s, const char *end)
{
	const char *q, *b;

	for (s++;; s = q + 1) {
		q = memchr(s, '"', (size_t)(end - s));
		/* an even run of backslashes before it: the closing quote */
		for (b = q; b > s && b[-1] == '\\'; b--)
			;
		if ((q - b) % 2 == 0)
			return q + 1;
	}
}

/* The end of the value at s. */
static const char *
skipval(const char *s, const char *end)
{
	int depth = 0;

	if (*s == '"')
		return skipstr(s, end);
	if (*s != '{' && *s != '[') {
		while (s < end && *s != ',' && *s != '}' && *s != ']' &&
		    *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			s++;
		return s;
	}
	for (;;) {
		switch (*s) {
		case '"':
			s = skipstr(s, end);
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (--depth == 0)
				return s + 1;
			break;
		}
		s++;
	}
}

static const char *
ws(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' ||
	    *s == '\n'))
		s++;
	return s;
}

int
mx_json_kind(const char *v)
{
	switch (*v) {
	case '"':
		return MX_JSTR;
	case '{':
		return MX_JOBJ;
	case '[':
		return MX_JARR;
	case 'n':
		return MX_JNULL;
	case 't':
		return MX_JTRUE;
	case 'f':
		return MX_JFALSE;
	default:
		return MX_JNUM;
	}
}

size_t
mx_json_members(const char *rec, size_t n, struct mx_member **m,
    size_t *cap)
{
	const char *s, *end = rec + n, *e;
	size_t k = 0;

	s = ws(ws(rec, end) + 1, end);		/* past the brace */
	if (*s == '}')
		return 0;
	for (;;) {
		struct mx_member *p;

		if (k == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*m = mx_reallocarray(*m, *cap, sizeof **m);
		}
		p = &(*m)[k++];
		e = skipval(s, end);
		p->key.p = s;
		p->key.n = (uint32_t)(e - s);
		p->key.kind = MX_JSTR;
		p->key.esc = memchr(s, '\\', (size_t)(e - s)) != NULL;
		s = ws(ws(e, end) + 1, end);	/* past the colon */
		e = skipval(s, end);
		p->val.p = s;
		p->val.n = (uint32_t)(e - s);
		p->val.kind = (uint8_t)mx_json_kind(s);
		p->val.esc = p->val.kind == MX_JSTR &&
		    memchr(s, '\\', (size_t)(e - s)) != NULL;
		s = ws(e, end);
		if (*s != ',')
			return k;
		s = ws(s + 1, end);
	}
}

size_t
mx_json_elements(const char *arr, size_t n, struct mx_span **e, size_t *cap)
{
	const char *s, *end = arr + n, *t;
	size_t k = 0;

	s = ws(ws(arr, end) + 1, end);		/* past the bracket */
	if (*s == ']')
		return 0;
	for (;;) {
		struct mx_span *p;

		if (k == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*e = mx_reallocarray(*e, *cap, sizeof **e);
		}
		p = &(*e)[k++];
		t = skipval(s, end);
		p->p = s;
		p->n = (uint32_t)(t - s);
		p->kind = (uint8_t)mx_json_kind(s);
		p->esc = p->kind == MX_JSTR &&
		    memchr(s, '\\', (size_t)(t - s)) != NULL;
		s = ws(t, end);
		if (*s != ',')
			return k;
		s = ws(s + 1, end);
	}
}
