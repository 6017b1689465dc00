/*
 * json.c: the strict scanner every tool runs on every record.
 *
 * One pass over a line checks it against RFC 8259 (UTF-8 without overlongs
 * or surrogates, escapes with paired surrogates, the number grammar, no
 * trailing data, a nesting limit, no duplicate keys) and, in the same pass,
 * records the byte spans of the fields a tool asked for.  No tree is built
 * and nothing is allocated per record, which is what lets a tool pass a
 * record through byte for byte at memory speed.
 *
 * Duplicate keys are rejected: RFC 8259 leaves their meaning to the reader,
 * jq keeps the last and other readers the first, so a record that has them
 * means different things to different tools of the same lake.
 */
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mx.h"

struct selnode {
	char	*key;
	size_t	 klen;
	uint64_t tag;		/* as in struct keyent */
	long	 idx;		/* the key as an array index, or -1 */
	int	 child;		/* first child, or -1 */
	int	 next;		/* next sibling, or -1 */
	int	 path;		/* index of the path ending here, or -1 */
	uint64_t kids;		/* TAGBIT of each child's tag */
};

struct mx_sel {
	struct selnode	*n;
	int		 nn, cap;
	int		 npaths;
};

struct keyent {
	const char	*p;	/* NULL: the unescaped key is in scratch at off */
	size_t		 off;
	uint64_t	 tag;	/* hash << 32 | length: one compare per key */
};

#define KLEN(k)	((uint32_t)(k)->tag)

/*
 * The keys of the last top-level object, in order.  The records of a file
 * mostly have the keys of the one before, in the same order: a key that is
 * the same bytes as the one at its place in the shape is a valid string,
 * needs no hash or selection lookup, and, while every key before it
 * matched too, is no duplicate (the shape's keys were checked once).
 */
#define NSHAPE	32
/* Lines whose keys change every time (two kinds of record alternating)
 * would pay for a new shape each and match none: after NMISS lines in a
 * row that missed, the next NREST lines are scanned without one. */
#define NMISS	4
#define NREST	1024

struct shapekey {
	const char	*p;	/* in the line (cur), in shapebuf (shape) */
	uint32_t	 n;
	uint64_t	 tag;
	int		 child;
};
/* One bit of a tag's hash: a set of keys as a 64-bit mask, which tells
 * most keys that are not in the set with one AND. */
#define TAGBIT(t)	((uint64_t)1 << ((t) >> 58))

struct mx_json {
	const struct mx_sel	*sel;
	int			 maxdepth;
	const char		*base, *end;
	struct mx_span		*out;
	const char		*msg;
	size_t			 col;
	int			 notobj;	/* valid JSON, but not an object */
	char			 msgbuf[96];
	char			 errbuf[160];
	struct keyent		*keys;
	size_t			 nkeys, capkeys;
	struct mx_buf		 scratch;
	/* the shape, found under node shapenode; the keys of the line,
	 * ncur of them, all plain when curok; off: the line's keys are not
	 * the shape's (one missed, or no shape under this node) */
	struct shapekey		 shape[NSHAPE], cur[NSHAPE];
	int			 nshape, shapenode, ncur, curok, off;
	/* cur[0..nkeep) are the shape's first keys, matched before the line
	 * went off the shape: their bytes are in shapebuf already */
	int			 nkeep;
	int			 top, miss, rest;
	struct mx_buf		 shapebuf;
	/* the top-level members, when kept */
	int			 keepmem;
	struct mx_member	*mem;
	size_t			 nmem, capmem;
	/* mx_json_partial: the scan stops at the top level once found,
	 * the selected paths recorded, is want (-1: never) */
	int			 partial, want, found, stopped;
};

/* ---- selection ---- */

struct mx_sel *
mx_sel_new(void)
{
	struct mx_sel *s = mx_calloc(1, sizeof *s);

	s->cap = 8;
	s->n = mx_calloc(s->cap, sizeof *s->n);
	s->nn = 1;			/* the root */
	s->n[0].child = s->n[0].next = s->n[0].path = -1;
	s->n[0].idx = -1;
	return s;
}

void
mx_sel_free(struct mx_sel *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nn; i++)
		free(s->n[i].key);
	free(s->n);
	free(s);
}

int
mx_sel_count(const struct mx_sel *s)
{
	return s->npaths;
}

/* The tag of a key: its hash and length, so that most keys that differ
 * are told apart by one integer compare. */
static inline uint32_t
keyhash(const char *p, size_t n, const char *lim)
{
	uint64_t a = 0, b = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* Two whole loads, masked, where the buffer goes on past p + 16:
	 * a copy of n bytes followed by a wider load stalls the store
	 * forwarding, and this runs for every key of every record. */
	if (lim - p >= 16) {
		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		if (n < 8) {
			a &= n == 0 ? 0 : ~0ULL >> (64 - 8 * n);
			b = 0;
		} else if (n < 16)
			b &= n == 8 ? 0 : ~0ULL >> (128 - 8 * n);
		else
			memcpy(&b, p + n - 8, 8);
		goto mix;
	}
#endif
	memcpy(&a, p, n < 8 ? n : 8);
	if (n > 8)
		memcpy(&b, p + n - (n < 16 ? n - 8 : 8), n < 16 ? n - 8 : 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
mix:
#endif
	a = (a ^ (b * 0x9e3779b97f4a7c15ULL) ^ n) * 0xff51afd7ed558ccdULL;
	return (uint32_t)(a >> 32);
}

static long
asindex(const char *k, size_t n)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 9 || (n > 1 && k[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (k[i] < '0' || k[i] > '9')
			return -1;
		v = v * 10 + (k[i] - '0');
	}
	return v;
}

int
mx_sel_add(struct mx_sel *s, const char *path)
{
	struct mx_buf comp = { 0 };
	const char *p = path;
	int node = 0, c;

	if (*p == '\0')
		return -1;
	for (;;) {
		comp.len = 0;
		for (; *p != '\0' && *p != '.'; p++) {
			if (*p == '\\' && (p[1] == '.' || p[1] == '\\'))
				p++;
			mx_buf_addc(&comp, *p);
		}
		if (comp.len == 0) {
			mx_buf_free(&comp);
			return -1;
		}
		for (c = s->n[node].child; c >= 0; c = s->n[c].next)
			if (s->n[c].klen == comp.len &&
			    memcmp(s->n[c].key, comp.p, comp.len) == 0)
				break;
		if (c < 0) {
			if (s->nn == s->cap) {
				s->cap *= 2;
				s->n = mx_reallocarray(s->n, s->cap,
				    sizeof *s->n);
			}
			c = s->nn++;
			s->n[c].key = mx_strndup(comp.p, comp.len);
			s->n[c].klen = comp.len;
			s->n[c].tag = (uint64_t)keyhash(comp.p, comp.len,
			    comp.p + comp.len) << 32 | comp.len;
			s->n[c].idx = asindex(comp.p, comp.len);
			s->n[c].child = -1;
			s->n[c].path = -1;
			s->n[c].kids = 0;
			s->n[c].next = s->n[node].child;
			s->n[node].child = c;
			s->n[node].kids |= TAGBIT(s->n[c].tag);
		}
		node = c;
		if (*p == '\0')
			break;
		p++;
	}
	mx_buf_free(&comp);
	if (s->n[node].path < 0)
		s->n[node].path = s->npaths++;
	return s->n[node].path;
}

/* The index of the path that is the top-level key[0..n) alone, or -1:
 * a key that names no selected path is not added. */
int
mx_sel_key(const struct mx_sel *s, const char *key, size_t n)
{
	int c;

	for (c = s->n[0].child; c >= 0; c = s->n[c].next)
		if (s->n[c].klen == n && memcmp(s->n[c].key, key, n) == 0)
			return s->n[c].path;
	return -1;
}

/* ---- scanner ---- */

struct mx_json *
mx_json_new(const struct mx_sel *sel)
{
	struct mx_json *j = mx_calloc(1, sizeof *j);

	j->sel = sel;
	j->maxdepth = mx_maxdepth;
	j->capkeys = 64;
	j->keys = mx_reallocarray(NULL, j->capkeys, sizeof *j->keys);
	j->shapenode = -2;	/* no shape yet */
	return j;
}

void
mx_json_free(struct mx_json *j)
{
	if (j == NULL)
		return;
	free(j->keys);
	mx_buf_free(&j->scratch);
	mx_buf_free(&j->shapebuf);
	free(j->mem);
	free(j);
}

void
mx_json_keep_members(struct mx_json *j)
{
	j->keepmem = 1;
}

const struct mx_member *
mx_json_last_members(const struct mx_json *j, size_t *n)
{
	*n = j->nmem;
	return j->mem;
}

void
mx_json_partial(struct mx_json *j, int on)
{
	j->partial = on;
}

void
mx_json_maxdepth(struct mx_json *j, int depth)
{
	j->maxdepth = depth;
}

const char *
mx_json_error(const struct mx_json *j, size_t *col)
{
	if (col != NULL)
		*col = j->col;
	return j->msg;
}

/*
 * A hint for the commonest wrong input: a line that does not start an
 * object or array but has commas or tabs is CSV or TSV (a header, on
 * standard input, which has no name to go by).
 */
static const char *
looks_like(const struct mx_json *j)
{
	const char *p = j->base;

	while (p < j->end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == j->end || *p == '{' || *p == '[')
		return "";
	if (memchr(p, '\t', (size_t)(j->end - p)) != NULL)
		return "; this looks like TSV: mx-ingest -f tsv reads it";
	if (memchr(p, ',', (size_t)(j->end - p)) != NULL)
		return "; this looks like CSV: mx-ingest -f csv reads it";
	return "";
}

const char *
mx_json_errstr(struct mx_json *j)
{
	if (j->notobj)
		snprintf(j->errbuf, sizeof j->errbuf, "%s", j->msg);
	else
		snprintf(j->errbuf, sizeof j->errbuf,
		    "invalid JSON at column %zu: %s%s", j->col, j->msg,
		    looks_like(j));
	return j->errbuf;
}

static const char *
fail(struct mx_json *j, const char *s, const char *msg)
{
	j->msg = msg;
	j->col = (size_t)(s - j->base) + 1;
	return NULL;
}

/* "expected X" at s, saying what was there instead */
static const char *
unexpected(struct mx_json *j, const char *s, const char *what)
{
	if (s >= j->end)
		snprintf(j->msgbuf, sizeof j->msgbuf,
		    "unexpected end of input, expected %s", what);
	else if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
		snprintf(j->msgbuf, sizeof j->msgbuf,
		    "unexpected byte 0x%02x, expected %s", (unsigned char)*s,
		    what);
	else
		snprintf(j->msgbuf, sizeof j->msgbuf,
		    "unexpected '%c', expected %s", *s, what);
	return fail(j, s, j->msgbuf);
}

static inline const char *
ws(const char *s, const char *end)
{
	/* records are mostly compact: one compare for a byte that is
	 * not blank */
	while (s < end && (unsigned char)*s <= ' ' && (*s == ' ' ||
	    *s == '\n' || *s == '\r' || *s == '\t'))
		s++;
	return s;
}

static inline int
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

static int
hex4(const char *s, const char *end)
{
	int v = 0, i, h;

	if (end - s < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((h = hexval((unsigned char)s[i])) < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/* Length of the UTF-8 sequence at s (first byte >= 0x80), or 0. */
static inline size_t
utf8seq(const unsigned char *s, const unsigned char *end)
{
	unsigned c = s[0];
	size_t left = end - s;

	if (c >= 0xc2 && c <= 0xdf)
		return left >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned lo = 0x80, hi = 0xbf;

		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
		return left >= 3 && s[1] >= lo && s[1] <= hi &&
		    (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned lo = 0x80, hi = 0xbf;

		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* > U+10FFFF */
		return left >= 4 && s[1] >= lo && s[1] <= hi &&
		    (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

int
mx_utf8_valid(const char *p, size_t n)
{
	const unsigned char *s, *end;
	size_t k;

	/* (an empty buffer may have no memory: NULL + 0 is undefined) */
	if (n == 0)
		return 1;
	s = (const unsigned char *)p;
	end = s + n;

	while (s < end) {
		if (end - s >= 8) {
			uint64_t w;

			memcpy(&w, s, 8);
			if ((w & 0x8080808080808080ULL) == 0) {
				s += 8;
				continue;
			}
		}
		if (*s < 0x80) {
			s++;
			continue;
		}
		if ((k = utf8seq(s, end)) == 0)
			return 0;
		s += k;
	}
	return 1;
}

/*
 * A string starting at the quote s; returns the position after the closing
 * quote.  *esc is set when it holds a backslash.
 */
static const char *
string(struct mx_json *j, const char *s, int *esc)
{
	const char *end = j->end;
	size_t k;
	int u, v;

	s++;
	for (;;) {
#ifdef __SSE2__
		/* Plain bytes are skipped 16 at a time: one signed compare
		 * catches both control characters and bytes >= 0x80. */
		const __m128i q = _mm_set1_epi8('"');
		const __m128i b = _mm_set1_epi8('\\');
		const __m128i sp = _mm_set1_epi8(0x20);

		while (end - s >= 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)s);
			__m128i m = _mm_or_si128(_mm_or_si128(
			    _mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(x, b)),
			    _mm_cmplt_epi8(x, sp));
			int mask = _mm_movemask_epi8(m);

			if (mask) {
				s += __builtin_ctz(mask);
				goto special;
			}
			s += 16;
		}
#endif
		while (s < end && (unsigned char)*s >= 0x20 &&
		    (unsigned char)*s < 0x80 && *s != '"' && *s != '\\')
			s++;
#ifdef __SSE2__
special:
#endif
		if (s >= end)
			return fail(j, s, "unterminated string");
		switch (*s) {
		case '"':
			return s + 1;
		case '\\':
			*esc = 1;
			if (s + 1 >= end)
				return fail(j, s, "unterminated string");
			switch (s[1]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				s += 2;
				continue;
			case 'u':
				break;
			default:
				return fail(j, s, "invalid escape in string");
			}
			if ((u = hex4(s + 2, end)) < 0)
				return fail(j, s, "invalid \\u escape in string");
			s += 6;
			if (u >= 0xdc00 && u <= 0xdfff)
				return fail(j, s - 6,
				    "lone low surrogate in \\u escape");
			if (u >= 0xd800 && u <= 0xdbff) {
				if (end - s < 6 || s[0] != '\\' || s[1] != 'u' ||
				    (v = hex4(s + 2, end)) < 0xdc00 ||
				    v > 0xdfff)
					return fail(j, s - 6,
					    "lone high surrogate in \\u escape");
				s += 6;
			}
			continue;
		default:
			if ((unsigned char)*s < 0x20)
				return fail(j, s,
				    "control character in string (must be escaped)");
			k = utf8seq((const unsigned char *)s,
			    (const unsigned char *)end);
			if (k == 0)
				return fail(j, s, "invalid UTF-8 in string");
			s += k;
		}
	}
}

static const char *
number(struct mx_json *j, const char *s)
{
	const char *end = j->end;

	if (s < end && *s == '-')
		s++;
	if (s < end && *s == '0') {
		s++;
		if (s < end && *s >= '0' && *s <= '9')
			return fail(j, s - 1, "leading zero in number");
	} else if (s < end && *s >= '1' && *s <= '9') {
		while (s < end && *s >= '0' && *s <= '9')
			s++;
	} else
		return unexpected(j, s, "a digit");
	if (s < end && *s == '.') {
		s++;
		if (s >= end || *s < '0' || *s > '9')
			return unexpected(j, s, "a digit after '.'");
		while (s < end && *s >= '0' && *s <= '9')
			s++;
	}
	if (s < end && (*s == 'e' || *s == 'E')) {
		s++;
		if (s < end && (*s == '+' || *s == '-'))
			s++;
		if (s >= end || *s < '0' || *s > '9')
			return unexpected(j, s, "a digit in the exponent");
		while (s < end && *s >= '0' && *s <= '9')
			s++;
	}
	return s;
}

/* The grammar of number() without a scanner: the ordering asks this of
 * every string it compares, so a failure must cost no message. */
int
mx_json_isnum(const char *p, size_t n)
{
	const char *s = p, *end = p + n;

	if (s < end && *s == '-')
		s++;
	if (s < end && *s == '0')
		s++;
	else if (s < end && *s >= '1' && *s <= '9')
		while (s < end && *s >= '0' && *s <= '9')
			s++;
	else
		return 0;
	if (s < end && *s == '.') {
		if (++s >= end || *s < '0' || *s > '9')
			return 0;
		while (s < end && *s >= '0' && *s <= '9')
			s++;
	}
	if (s < end && (*s == 'e' || *s == 'E')) {
		s++;
		if (s < end && (*s == '+' || *s == '-'))
			s++;
		if (s >= end || *s < '0' || *s > '9')
			return 0;
		while (s < end && *s >= '0' && *s <= '9')
			s++;
	}
	return s == end;
}

static const char *
keybytes(const struct mx_json *j, const struct keyent *k)
{
	return k->p != NULL ? k->p : j->scratch.p + k->off;
}

static int
keycmp(const void *a, const void *b, void *jv)
{
	const struct keyent *x = a, *y = b;
	const struct mx_json *j = jv;

	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	return memcmp(keybytes(j, x), keybytes(j, y), KLEN(x));
}

/* (a thread each: mx-dedup and mx-partition scan on several) */
static __thread const struct mx_json *sort_j;

static int
keycmp_q(const void *a, const void *b)
{
	return keycmp(a, b, (void *)sort_j);
}

static void
pushkey(struct mx_json *j, const struct keyent *e)
{
	if (j->nkeys == j->capkeys) {
		j->capkeys *= 2;
		j->keys = mx_reallocarray(j->keys, j->capkeys,
		    sizeof *j->keys);
	}
	j->keys[j->nkeys++] = *e;
}

/* A key checked against the others of its object (keys[base..]). */
#define SMALLOBJ	32

static int
addkey(struct mx_json *j, size_t base, const char *kp, size_t kn, int esc,
    uint64_t *seen)
{
	struct keyent e;
	uint64_t bit;
	uint32_t n;
	size_t i;

	if (esc) {
		struct mx_span sp;
		size_t off = j->scratch.len;

		sp.p = kp - 1;
		sp.n = (uint32_t)(kn + 2);
		sp.kind = MX_JSTR;
		sp.esc = 1;
		mx_json_unescape(&sp, &j->scratch);
		e.p = NULL;
		e.off = off;
		n = (uint32_t)(j->scratch.len - off);
	} else {
		e.p = kp;
		e.off = 0;
		n = (uint32_t)kn;
	}
	e.tag = (uint64_t)keyhash(keybytes(j, &e), n,
	    esc ? j->scratch.p + j->scratch.len : j->end) << 32 | n;
	/* a key whose bit is not among those of the keys before is no
	 * duplicate: most keys are spared the pairwise compares */
	bit = TAGBIT(e.tag);
	if ((*seen & bit) == 0)
		*seen |= bit;
	else if (j->nkeys - base < SMALLOBJ)
		for (i = base; i < j->nkeys; i++)
			if (j->keys[i].tag == e.tag &&
			    memcmp(keybytes(j, &j->keys[i]), keybytes(j, &e),
			    n) == 0)
				return -1;
	pushkey(j, &e);
	return 0;
}

/* Objects too big for the pairwise check are checked once, sorted. */
static int
bigdups(struct mx_json *j, size_t base)
{
	size_t i, n = j->nkeys - base;

	if (n <= SMALLOBJ)
		return 0;
	sort_j = j;
	qsort(j->keys + base, n, sizeof *j->keys, keycmp_q);
	for (i = base + 1; i < j->nkeys; i++)
		if (keycmp(&j->keys[i - 1], &j->keys[i], j) == 0)
			return -1;
	return 0;
}

static int
findkey(const struct mx_json *j, int node, const struct keyent *e)
{
	const struct selnode *sn = j->sel->n;
	int c;

	if ((sn[node].kids & TAGBIT(e->tag)) == 0)
		return -1;
	for (c = sn[node].child; c >= 0; c = sn[c].next)
		if (sn[c].tag == e->tag &&
		    memcmp(sn[c].key, keybytes(j, e), KLEN(e)) == 0)
			return c;
	return -1;
}

static int
findidx(const struct mx_json *j, int node, long i)
{
	const struct selnode *sn = j->sel->n;
	int c;

	for (c = sn[node].child; c >= 0; c = sn[c].next)
		if (sn[c].idx == i)
			return c;
	return -1;
}

static inline int
kindof(int c)
{
	switch (c) {
	case '{': return MX_JOBJ;
	case '[': return MX_JARR;
	case '"': return MX_JSTR;
	case 't': return MX_JTRUE;
	case 'f': return MX_JFALSE;
	case 'n': return MX_JNULL;
	default: return MX_JNUM;
	}
}

static const char *value(struct mx_json *, const char *, int, int, int *);

static inline void
record(struct mx_json *j, int child, const char *v, const char *e, int esc)
{
	struct mx_span *sp = &j->out[j->sel->n[child].path];

	if (sp->p == NULL)
		j->found++;
	sp->p = v;
	sp->n = (uint32_t)(e - v);
	sp->kind = (uint8_t)kindof(*v);
	sp->esc = (uint8_t)esc;
}

/* The keys 0..i-1 of the shape, matched so far, become keys of the
 * object like any other, and the first keys of the line's own (cur, not
 * kept while the line matched: most lines do to the end): key i did not
 * match. */
static void
offshape(struct mx_json *j, int i, uint64_t *seen)
{
	struct keyent e;
	int k;

	j->off = 1;
	for (k = 0; k < i; k++) {
		e.p = j->shape[k].p;
		e.off = 0;
		e.tag = j->shape[k].tag;
		*seen |= TAGBIT(e.tag);
		pushkey(j, &e);
		j->cur[k] = j->shape[k];
	}
	j->ncur = j->nkeep = i;
}

/* The line's keys become the shape (after a line that was valid).  The
 * first nkeep are the shape's and stay where they are in shapebuf (they
 * point into it: copying them there again would overlap). */
static void
reshape(struct mx_json *j)
{
	size_t off[NSHAPE];
	int k;

	j->shapebuf.len = 0;
	for (k = 0; k < j->nkeep; k++) {
		off[k] = j->shapebuf.len;
		j->shapebuf.len += j->cur[k].n;
	}
	for (; k < j->ncur; k++) {
		off[k] = j->shapebuf.len;
		mx_buf_add(&j->shapebuf, j->cur[k].p, j->cur[k].n);
	}
	for (k = 0; k < j->ncur; k++) {
		j->shape[k] = j->cur[k];
		/* (keys all empty: shapebuf has no memory) */
		j->shape[k].p = j->shapebuf.p != NULL ?
		    j->shapebuf.p + off[k] : "";
	}
	j->nshape = j->ncur;
}

static const char *
object(struct mx_json *j, const char *s, int node, int depth)
{
	const char *end = j->end, *kp, *v;
	size_t base = j->nkeys, mark = j->scratch.len;
	uint64_t seen = 0, tag;
	int esc, vesc, child, i, top = depth == 1, on;
	struct mx_member *m;

	/* (only the top level has a shape: nested objects vary more, and
	 * one shape of each would need a path to find it by) */
	on = top && j->rest == 0 && j->shapenode == node;
	if (top) {
		j->top = 1;
		j->ncur = j->nkeep = 0;
		j->curok = j->rest == 0;
		j->off = !on;
	}
	s = ws(s + 1, end);
	if (s < end && *s == '}')
		return s + 1;
	for (i = 0;; i++) {
		if (s >= end || *s != '"')
			return unexpected(j, s, "a string key");
		kp = s;
		esc = 0;
		if (on && i < j->nshape) {
			const struct shapekey *k = &j->shape[i];

			if ((size_t)(end - s) >= (size_t)k->n + 2 &&
			    s[k->n + 1] == '"' &&
			    mx_sameb(s + 1, k->p, k->n)) {
				s += k->n + 2;
				child = k->child;
				tag = k->tag;
				goto known;
			}
		}
		if (on) {
			offshape(j, i, &seen);
			on = 0;
		}
		if ((s = string(j, s, &esc)) == NULL)
			return NULL;
		if (addkey(j, base, kp + 1, s - kp - 2, esc, &seen) < 0)
			return fail(j, kp, "duplicate key in object");
		child = -1;
		if (node >= 0)
			child = findkey(j, node, &j->keys[j->nkeys - 1]);
		tag = j->keys[j->nkeys - 1].tag;
known:
		if (top && j->curok && !on) {
			if (i < NSHAPE && !esc) {
				j->cur[i].p = kp + 1;
				j->cur[i].n = (uint32_t)tag;
				j->cur[i].tag = tag;
				j->cur[i].child = child;
				j->ncur = i + 1;
			} else
				j->curok = 0;
		}
		m = NULL;
		if (top && j->keepmem) {
			if (j->nmem == j->capmem) {
				j->capmem = j->capmem ? j->capmem * 2 : 32;
				j->mem = mx_reallocarray(j->mem, j->capmem,
				    sizeof *j->mem);
			}
			m = &j->mem[j->nmem++];
			m->key.p = kp;
			m->key.n = (uint32_t)(s - kp);
			m->key.kind = MX_JSTR;
			m->key.esc = (uint8_t)esc;
		}
		s = ws(s, end);
		if (s >= end || *s != ':')
			return unexpected(j, s, "':'");
		s = ws(s + 1, end);
		v = s;
		vesc = 0;
		/* (strings and numbers without the call: most values) */
		if (s < end && *s == '"')
			s = string(j, s, &vesc);
		else if (s < end && ((*s >= '0' && *s <= '9') || *s == '-'))
			s = number(j, s);
		else
			s = value(j, s, child, depth, &vesc);
		if (s == NULL)
			return NULL;
		if (child >= 0 && j->sel->n[child].path >= 0) {
			record(j, child, v, s, vesc);
			if (top && j->found == j->want) {
				j->stopped = 1;
				return s;
			}
		}
		if (m != NULL) {
			m->val.p = v;
			m->val.n = (uint32_t)(s - v);
			m->val.kind = (uint8_t)kindof(*v);
			m->val.esc = (uint8_t)vesc;
		}
		s = ws(s, end);
		if (s < end && *s == ',') {
			s = ws(s + 1, end);
			continue;
		}
		if (s < end && *s == '}')
			break;
		return unexpected(j, s, "',' or '}'");
	}
	if (bigdups(j, base) < 0)
		return fail(j, s, "duplicate key in object");
	j->nkeys = base;
	j->scratch.len = mark;
	return s + 1;
}

static const char *
array(struct mx_json *j, const char *s, int node, int depth)
{
	const char *end = j->end, *v;
	long i;
	int child, vesc;

	s = ws(s + 1, end);
	if (s < end && *s == ']')
		return s + 1;
	for (i = 0;; i++) {
		child = node >= 0 ? findidx(j, node, i) : -1;
		v = s;
		vesc = 0;
		if ((s = value(j, s, child, depth, &vesc)) == NULL)
			return NULL;
		if (child >= 0 && j->sel->n[child].path >= 0)
			record(j, child, v, s, vesc);
		s = ws(s, end);
		if (s < end && *s == ',') {
			s = ws(s + 1, end);
			continue;
		}
		if (s < end && *s == ']')
			return s + 1;
		return unexpected(j, s, "',' or ']'");
	}
}

/* Byte by byte: n is a constant at each call, and a loop the compiler
 * unrolls beats a call to memcmp for four or five bytes. */
static inline const char *
literal(struct mx_json *j, const char *s, const char *word, size_t n)
{
	size_t i;

	if ((size_t)(j->end - s) < n)
		return unexpected(j, s, "a JSON value");
	for (i = 0; i < n; i++)
		if (s[i] != word[i])
			return unexpected(j, s, "a JSON value");
	return s + n;
}

static const char *
value(struct mx_json *j, const char *s, int node, int depth, int *esc)
{
	if (s >= j->end)
		return unexpected(j, s, "a JSON value");
	switch (*s) {
	case '{':
		if (depth >= j->maxdepth)
			goto deep;
		return object(j, s, node, depth + 1);
	case '[':
		if (depth >= j->maxdepth)
			goto deep;
		return array(j, s, node, depth + 1);
	case '"':
		return string(j, s, esc);
	case 't':
		return literal(j, s, "true", 4);
	case 'f':
		return literal(j, s, "false", 5);
	case 'n':
		return literal(j, s, "null", 4);
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return number(j, s);
	default:
		return unexpected(j, s, "a JSON value");
	}
deep:
	snprintf(j->msgbuf, sizeof j->msgbuf, "nesting deeper than %d levels",
	    j->maxdepth);
	return fail(j, s, j->msgbuf);
}

static int scan(struct mx_json *, const char *, size_t, struct mx_span *,
    int);

int
mx_json_scan(struct mx_json *j, const char *p, size_t n, struct mx_span *out,
    int objonly)
{
	int r = scan(j, p, n, out, objonly);

	/* (no members of a line that was refused: they would point into
	 * it as if it were a record) */
	if (r < 0)
		j->nmem = 0;
	return r;
}

static int
scan(struct mx_json *j, const char *p, size_t n, struct mx_span *out,
    int objonly)
{
	const char *s;
	int esc = 0, node;

	j->base = p;
	j->end = p + n;
	j->out = out;
	j->nkeys = 0;
	j->scratch.len = 0;
	j->notobj = 0;
	j->nmem = 0;
	if (out != NULL && j->sel != NULL)
		memset(out, 0, j->sel->npaths * sizeof *out);
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		fail(j, p, "byte order mark (U+FEFF) before the value");
		return -1;
	}
	s = ws(p, j->end);
	if (objonly && s < j->end && *s != '{') {
		const char *e;

		/* Say what it is when it is valid JSON, else why not. */
		if ((e = value(j, s, -1, 0, &esc)) != NULL &&
		    ws(e, j->end) == j->end) {
			static const char *const what[] = { "nothing", "null",
			    "false", "true", "a number", "a string",
			    "an array", "an object" };

			snprintf(j->msgbuf, sizeof j->msgbuf,
			    "not a JSON object (%s)", what[kindof(*s)]);
			j->notobj = 1;
			fail(j, s, j->msgbuf);
		} else if (e != NULL)
			fail(j, ws(e, j->end),
			    "unexpected data after the JSON value");
		return -1;
	}
	node = j->sel != NULL && out != NULL ? 0 : -1;
	j->top = 0;
	j->found = j->stopped = 0;
	j->want = j->partial && node == 0 && !j->keepmem ?
	    j->sel->npaths : -1;
	if ((s = value(j, s, node, 0, &esc)) == NULL)
		return -1;
	s = ws(s, j->end);
	if (!j->stopped && s != j->end) {
		fail(j, s, "unexpected data after the JSON value");
		return -1;
	}
	if (!j->top)
		return 0;
	if (j->rest > 0)
		j->rest--;
	else if (!j->off)
		j->miss = 0;
	else {
		if (j->curok) {
			reshape(j);
			j->shapenode = node;
		}
		if (++j->miss == NMISS) {
			j->miss = 0;
			j->rest = NREST;
		}
	}
	return 0;
}

/* ---- strings and canonical forms ---- */

static void
put_utf8(struct mx_buf *b, unsigned u)
{
	char t[4];
	size_t n;

	if (u < 0x80) {
		t[0] = (char)u;
		n = 1;
	} else if (u < 0x800) {
		t[0] = (char)(0xc0 | u >> 6);
		t[1] = (char)(0x80 | (u & 0x3f));
		n = 2;
	} else if (u < 0x10000) {
		t[0] = (char)(0xe0 | u >> 12);
		t[1] = (char)(0x80 | (u >> 6 & 0x3f));
		t[2] = (char)(0x80 | (u & 0x3f));
		n = 3;
	} else {
		t[0] = (char)(0xf0 | u >> 18);
		t[1] = (char)(0x80 | (u >> 12 & 0x3f));
		t[2] = (char)(0x80 | (u >> 6 & 0x3f));
		t[3] = (char)(0x80 | (u & 0x3f));
		n = 4;
	}
	mx_buf_add(b, t, n);
}

void
mx_json_unescape(const struct mx_span *sp, struct mx_buf *b)
{
	const char *s = sp->p + 1, *end = sp->p + sp->n - 1, *q;
	int u, v;

	if (!sp->esc) {
		mx_buf_add(b, s, end - s);
		return;
	}
	while (s < end) {
		q = memchr(s, '\\', end - s);
		if (q == NULL) {
			mx_buf_add(b, s, end - s);
			return;
		}
		mx_buf_add(b, s, q - s);
		s = q + 1;
		switch (*s++) {
		case 'b': mx_buf_addc(b, '\b'); break;
		case 'f': mx_buf_addc(b, '\f'); break;
		case 'n': mx_buf_addc(b, '\n'); break;
		case 'r': mx_buf_addc(b, '\r'); break;
		case 't': mx_buf_addc(b, '\t'); break;
		case 'u':
			u = hex4(s, end);
			s += 4;
			if (u >= 0xd800 && u <= 0xdbff && end - s >= 6 &&
			    s[0] == '\\' && s[1] == 'u' &&
			    (v = hex4(s + 2, end)) >= 0xdc00 && v <= 0xdfff) {
				u = 0x10000 + ((u - 0xd800) << 10) + (v - 0xdc00);
				s += 6;
			}
			put_utf8(b, (unsigned)(u < 0 ? 0xfffd : u));
			break;
		default:	/* " \ / */
			mx_buf_addc(b, s[-1]);
		}
	}
}

void
mx_json_quote(struct mx_buf *b, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const char *s = p, *end = p + n, *run;
	unsigned char c;

	mx_buf_addc(b, '"');
	while (s < end) {
		run = s;
		while (s < end && (unsigned char)*s >= 0x20 && *s != '"' &&
		    *s != '\\')
			s++;
		mx_buf_add(b, run, s - run);
		if (s == end)
			break;
		c = (unsigned char)*s++;
		mx_buf_addc(b, '\\');
		switch (c) {
		case '"': mx_buf_addc(b, '"'); break;
		case '\\': mx_buf_addc(b, '\\'); break;
		case '\b': mx_buf_addc(b, 'b'); break;
		case '\f': mx_buf_addc(b, 'f'); break;
		case '\n': mx_buf_addc(b, 'n'); break;
		case '\r': mx_buf_addc(b, 'r'); break;
		case '\t': mx_buf_addc(b, 't'); break;
		default:
			mx_buf_add(b, "u00", 3);
			mx_buf_addc(b, hex[c >> 4]);
			mx_buf_addc(b, hex[c & 15]);
		}
	}
	mx_buf_addc(b, '"');
}

void
mx_json_minify(const char *p, size_t n, struct mx_buf *b)
{
	const char *s = p, *end = p + n, *run = p;

	while (s < end) {
		if (*s == '"') {
			for (s++; s < end && *s != '"'; s++)
				if (*s == '\\')
					s++;
			s++;
			continue;
		}
		if (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t') {
			mx_buf_add(b, run, s - run);
			while (s < end && (*s == ' ' || *s == '\n' ||
			    *s == '\r' || *s == '\t'))
				s++;
			run = s;
			continue;
		}
		s++;
	}
	if (s > end)
		s = end;
	mx_buf_add(b, run, s - run);
}

static void
put_len(struct mx_buf *b, int tag, size_t n)
{
	unsigned char h[5];

	h[0] = (unsigned char)tag;
	h[1] = (unsigned char)(n >> 24);
	h[2] = (unsigned char)(n >> 16);
	h[3] = (unsigned char)(n >> 8);
	h[4] = (unsigned char)n;
	mx_buf_add(b, h, 5);
}

static void
set_len(struct mx_buf *b, size_t mark)
{
	size_t len = b->len - mark - 5;

	b->p[mark + 1] = (char)(len >> 24);
	b->p[mark + 2] = (char)(len >> 16);
	b->p[mark + 3] = (char)(len >> 8);
	b->p[mark + 4] = (char)len;
}

/*
 * Numbers by value: sign, significant digits without leading or trailing
 * zeros, and the exponent of the last digit, so 1, 1.0, 10e-1 and 1e0 all
 * become "1e0".  Exact for any length: no conversion to double.
 */
static void
canon_num(const char *p, size_t n, struct mx_buf *b)
{
	const char *s = p, *end = p + n;
	size_t mark = b->len, start;
	long long exp = 0, e = 0;
	int frac = 0, eneg = 0;

	put_len(b, 'd', 0);
	if (s < end && *s == '-') {
		mx_buf_addc(b, '-');
		s++;
	}
	start = b->len;
	for (; s < end && *s != 'e' && *s != 'E'; s++) {
		if (*s == '.') {
			frac = 1;
			continue;
		}
		if (frac)
			exp--;
		if (b->len == start && *s == '0')
			continue;
		mx_buf_addc(b, *s);
	}
	if (s < end) {
		s++;
		if (s < end && (*s == '+' || *s == '-'))
			eneg = *s++ == '-';
		/* Exponents past 10^17 saturate: such numbers are not keys. */
		for (; s < end; s++)
			if (e < 100000000000000000LL)
				e = e * 10 + (*s - '0');
		exp += eneg ? -e : e;
	}
	while (b->len > start && b->p[b->len - 1] == '0') {
		b->len--;
		exp++;
	}
	if (b->len == start) {		/* zero, whatever its sign */
		b->len = mark;
		put_len(b, 'd', 0);
		mx_buf_addc(b, '0');
	} else {
		char t[24];

		mx_buf_addc(b, 'e');
		mx_buf_add(b, t, (size_t)mx_fmt_int(exp, t));
	}
	set_len(b, mark);
}

void
mx_json_canon(const struct mx_span *s, struct mx_buf *b)
{
	size_t mark;

	switch (s->kind) {
	case MX_JNONE:
	case MX_JNULL:
		put_len(b, 'n', 0);
		return;
	case MX_JTRUE:
		put_len(b, 't', 0);
		return;
	case MX_JFALSE:
		put_len(b, 'f', 0);
		return;
	case MX_JNUM:
		canon_num(s->p, s->n, b);
		return;
	case MX_JSTR:
		mark = b->len;
		put_len(b, 's', 0);
		mx_json_unescape(s, b);
		break;
	default:
		mark = b->len;
		put_len(b, s->kind == MX_JOBJ ? 'o' : 'a', 0);
		mx_json_minify(s->p, s->n, b);
		break;
	}
	set_len(b, mark);
}

const char *
mx_span_cstr(const struct mx_span *s, struct mx_buf *b)
{
	b->len = 0;
	if (s->kind == MX_JSTR)
		mx_json_unescape(s, b);
	else if (s->kind != MX_JNONE)
		mx_buf_add(b, s->p, s->n);
	return mx_buf_cstr(b);
}
