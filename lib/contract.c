/*
 * contract.c: data contracts, the rules a record must meet to enter the
 * silver layer.
 *
 * A contract is a text file with one field per line: a name, a type and
 * rules.  It is compiled once: the paths it reads go into the caller's
 * selection, literals (bounds, accepted values, defaults) are cast to the
 * field's type, patterns are compiled.  Each record is then checked on the
 * spans of a single scan; a value is cast into a slot of its field, so a
 * record costs no allocation.
 *
 * Every literal of a contract is read as if it were a JSON string in the
 * input: "min=0" on a decimal is the decimal 0 and "default=(none)" on a
 * string the string "(none)", so there is one rule for what a value means.
 */
#include <errno.h>
#include <locale.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mx.h"

enum type {
	T_STRING, T_INT, T_DECIMAL, T_NUMBER, T_BOOL, T_DATE, T_TIMESTAMP,
	T_JSON
};

static const char *const tnames[] = { "string", "int", "decimal", "number",
    "bool", "date", "timestamp", "json", NULL };

/* "not a ..." */
static const char *const tarticle[] = { "a string", "an int", "a decimal",
    "a number", "a bool", "a date", "a timestamp", "JSON" };

const char *const mx_crule_names[] = { "type", "required", "min", "max",
    "in", "minlen", "maxlen", "re", "scale", NULL };

#define NUMERIC(t)	((t) >= T_INT && (t) <= T_NUMBER)

/* A typed value, for comparisons. */
struct tval {
	int64_t		i;	/* int; date: days; timestamp: seconds */
	int32_t		ns;	/* timestamp */
	int		isf;	/* number: beyond the decimal range */
	const char	*np;	/* number: its text, compared when isf */
	size_t		 nn;
	int		places;	/* decimal: digits after the point, less
				 * trailing zeros */
	struct mx_dec	d;	/* decimal, number */
};

struct bound {
	int		 set;
	int		 isfield;	/* the bound is the value of a field */
	int		 sel;		/* that field's index in the selection */
	char		*text;		/* as written, for messages */
	struct tval	 v;		/* a literal bound */
	/* A field's time as last cast (its bytes, kind, value and text):
	 * the bound of most rows is the same (max=_ingested_at, one time a
	 * run), and casting it again was 3% of mx-validate. */
	char		 memob[64], memot[64];
	uint32_t	 memon;		/* 0: none */
	uint8_t		 memok;
	struct tval	 memov;
	struct mx_cval	 memoo;
};

/* An accepted value in canonical form (see canon()). */
struct item {
	char	*p;
	size_t	 n;
};

/*
 * Most patterns in contracts are a sequence of characters and bracket
 * expressions, each repeated: ^e[0-9]+$, ^[a-z_]{1,32}$.  On an ASCII
 * value such a pattern is matched here, several times faster than
 * regexec(3); any other pattern (groups, alternation, non-ASCII) is left
 * to regexec.
 */
#define SP_ATOMS	64
#define SP_NOLIMIT	0xffff

struct atom {
	uint64_t	set[2];		/* the ASCII bytes it matches */
	uint16_t	min, max;	/* repetitions */
};

struct spat {
	struct atom	at[SP_ATOMS];
	int		nat;
	int		bol, eol;	/* anchored by ^, by $ */
	int		greedy;		/* each atom may take all it can */
};

/* map=file: a value's text -> the canonical value as a JSON string, the
 * canonical values themselves, and what was met that is neither. */
struct cmapent {
	char		*from;		/* decoded text */
	size_t		 fromlen;
	char		*to;		/* JSON string literal, quotes included */
	size_t		 tolen;
};
struct cmap {
	struct cmapent	*e;		/* sorted by from */
	size_t		 n;
	char		**canon;	/* decoded canonical values, sorted */
	size_t		 ncanon;
	struct mx_cunmapped *miss;	/* in the order first met */
	size_t		 nmiss;
	uintmax_t	 other;		/* records past MX_CUNMAPPED_MAX values */
};

/* A step of a path past its first selector, from=a[k=v].b: into an
 * object's member (or an array's element, by a number), or into the one
 * element of an array of objects whose member k is v. */
struct pstep {
	char		*key;		/* a member's name, decoded */
	size_t		 klen;
	long		 idx;		/* key as an array index, or -1 */
	char		*val;		/* a selector's value, or NULL */
	size_t		 vlen;
};

struct field {
	char		*name;
	char		*path;
	int		 sel;		/* of path, or of selpath */
	char		*selpath;	/* the part of path before a [, or NULL */
	struct pstep	*tail;		/* the steps from the first [ on */
	size_t		 ntail;
	int		 fn;		/* from=hour(ts): enum mx_efn */
	char		 fnval[MX_EXPR_TMP];
	struct cmap	*map;		/* map=file, or NULL */
	int		 type;
	int		 required;
	size_t		 line;
	unsigned	 rules;		/* 1 << MX_CR_* */
	char		*def;		/* the default's JSON text, or NULL */
	size_t		 deflen;
	struct bound	 min, max;
	struct item	*in;
	size_t		 nin;
	char		*intext;
	long long	 minlen, maxlen;
	int		 hasre;
	regex_t		 re;		/* characters (UTF-8) */
	regex_t		 reb;		/* bytes, for ASCII values: faster */
	struct spat	*sp;		/* faster still, or NULL */
	char		*retext;
	int		 scale;		/* decimal places, or -1 */
	int		 needval;	/* a typed value is compared */
	char		 slot[64];	/* the value cast */
};

struct mx_contract {
	struct field	*f;
	size_t		 nf;
	struct mx_cval	*vals;
	struct mx_cfail	*fails;
	size_t		 nfails;
	struct mx_buf	 s;		/* a string's content */
	struct mx_buf	 t;		/* scratch */
	struct mx_member *m;		/* an object's members, for tail steps */
	size_t		 mcap;
	struct mx_span	*e;		/* an array's elements */
	size_t		 ecap;
	locale_t	 utf8;		/* (locale_t)0 when the system has none */
	locale_t	 clocale;
};

static const struct mx_span *mapped(struct mx_contract *, struct field *,
    const struct mx_span *);

/* ---- messages ---- */

/* Cut s (a buffer of size n) back to whole UTF-8 characters: snprintf may
 * have truncated it in the middle of one. */
static void
utf8_trim(char *s, size_t n)
{
	size_t len = strlen(s), i;

	if (len + 1 < n)
		return;
	i = len;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i > 0 && (unsigned char)s[i - 1] >= 0xc0) {
		unsigned c = (unsigned char)s[i - 1];
		size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

		if (len - (i - 1) < want)
			s[i - 1] = '\0';
	}
}

static void MX_PRINTF(3, 4)
say(char *msg, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, n, fmt, ap);
	va_end(ap);
	utf8_trim(msg, n);
}

/* ---- casts ---- */

static int64_t
days_of(int64_t sec)
{
	return sec / 86400 - (sec % 86400 < 0);
}

/* The text of a number given as a JSON number or as a string holding
 * one; NULL if it is neither. */
static const char *
numtext(struct mx_contract *c, const struct mx_span *s, size_t *n)
{
	const char *p;

	if (s->kind == MX_JNUM) {
		*n = s->n;
		return s->p;
	}
	if (s->kind != MX_JSTR)
		return NULL;
	if (s->esc) {
		c->t.len = 0;
		mx_json_unescape(s, &c->t);
		p = c->t.p;
		*n = c->t.len;
	} else {
		p = s->p + 1;
		*n = s->n - 2;
	}
	return mx_json_isnum(p, *n) ? p : NULL;
}

/* A string's content, unescaped (c->s holds it when it had escapes). */
static const char *
content(struct mx_contract *c, const struct mx_span *s, size_t *n)
{
	if (s->kind == MX_JSTR && !s->esc) {
		*n = s->n - 2;
		return s->p + 1;
	}
	if (s->kind == MX_JSTR) {
		c->s.len = 0;
		mx_json_unescape(s, &c->s);
		*n = c->s.len;
		return c->s.p;
	}
	*n = s->n;		/* a number or a literal cast to a string */
	return s->p;
}

static int
fmt_int(char slot[64], int64_t v)
{
	return mx_fmt_int((long long)v, slot);
}

static int
cast_int(struct mx_contract *c, const struct mx_span *s, char *slot,
    struct mx_cval *out, struct tval *t, char *msg, size_t msglen)
{
	const char *p;
	size_t n, i;
	struct mx_dec d;
	__int128 v;
	int k;

	if ((p = numtext(c, s, &n)) == NULL)
		goto bad;
	/* the common case: a plain integer of at most 18 digits, which is
	 * already in canonical form */
	i = p[0] == '-';
	if (n - i <= 18 && !(i && p[1] == '0')) {
		int64_t x = 0;

		for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			x = x * 10 + (p[i] - '0');
		if (i == n) {
			t->i = p[0] == '-' ? -x : x;
			out->p = p;
			out->n = (uint32_t)n;
			out->quote = 0;
			if (s->esc) {
				/* p is in scratch: keep it in the slot */
				memcpy(slot, p, n);
				out->p = slot;
			}
			return 0;
		}
	}
	if (mx_dec_parse(p, n, &d) < 0)
		goto range;
	v = d.v;
	for (k = d.scale; k > 0; k--) {
		if (v % 10 != 0) {
			say(msg, msglen, "not an integer");
			return -1;
		}
		v /= 10;
	}
	if (v > INT64_MAX || v < INT64_MIN)
		goto range;
	t->i = (int64_t)v;
	out->p = slot;
	out->n = (uint32_t)fmt_int(slot, t->i);
	out->quote = 0;
	return 0;
range:
	say(msg, msglen, "out of the int range (64 bits)");
	return -1;
bad:
	say(msg, msglen, "not an int");
	return -1;
}

static int
cast_decimal(struct mx_contract *c, const struct field *f,
    const struct mx_span *s, char *slot, struct mx_cval *out, struct tval *t,
    char *msg, size_t msglen)
{
	const char *p;
	size_t n;

	if ((p = numtext(c, s, &n)) == NULL) {
		say(msg, msglen, "not a decimal");
		return -1;
	}
	if (mx_dec_parse(p, n, &t->d) < 0) {
		say(msg, msglen, "not a decimal (more than 38 digits or "
		    "%d decimal places)", MX_DEC_MAXSCALE);
		return -1;
	}
	out->quote = 0;
	out->p = slot;
	if (f->scale >= 0) {
		__int128 v = t->d.v;

		for (t->places = t->d.scale; t->places > 0 && v % 10 == 0;
		    t->places--)
			v /= 10;
		/* more places than the scale allows fails the rule scale:
		 * then the value is shown as it is, not rounded */
		out->n = (uint32_t)mx_dec_fmt_scale(&t->d,
		    t->places <= f->scale ? f->scale : t->d.scale, slot);
		return 0;
	}
	/* A number without an exponent is already canonical, unless it is
	 * a negative zero. */
	if (memchr(p, 'e', n) == NULL && memchr(p, 'E', n) == NULL &&
	    (p[0] != '-' || !mx_dec_iszero(&t->d)) && n < 64) {
		memcpy(slot, p, n);
		out->n = (uint32_t)n;
		return 0;
	}
	out->n = (uint32_t)mx_dec_fmt_scale(&t->d, t->d.scale, slot);
	return 0;
}

static int
cast_number(struct mx_contract *c, const struct field *f,
    const struct mx_span *s, char *slot, struct mx_cval *out, struct tval *t,
    char *msg, size_t msglen)
{
	const char *p;
	size_t n;

	if ((p = numtext(c, s, &n)) == NULL) {
		say(msg, msglen, "not a number");
		return -1;
	}
	out->quote = 0;
	out->p = p;
	out->n = (uint32_t)n;
	if (s->esc) {
		/* the number was in an escaped string: keep it */
		if (n >= 64) {
			say(msg, msglen, "not a number (too long)");
			return -1;
		}
		memcpy(slot, p, n);
		out->p = p = slot;
	}
	if (f->needval) {
		t->isf = mx_dec_parse(p, n, &t->d) < 0;
		t->np = p;
		t->nn = n;
	}
	return 0;
}

static int
cast_bool(struct mx_contract *c, const struct mx_span *s,
    struct mx_cval *out, char *msg, size_t msglen)
{
	static const char *const yes[] = { "true", "yes", "1", NULL };
	static const char *const no[] = { "false", "no", "0", NULL };
	const char *p;
	size_t n;
	int i;

	out->quote = 0;
	if (s->kind == MX_JTRUE || s->kind == MX_JFALSE) {
		out->p = s->p;
		out->n = s->n;
		return 0;
	}
	if (s->kind == MX_JSTR || s->kind == MX_JNUM) {
		p = content(c, s, &n);
		for (i = 0; yes[i] != NULL; i++)
			if (n == strlen(yes[i]) && strncasecmp(p, yes[i], n) == 0) {
				out->p = "true";
				out->n = 4;
				return 0;
			}
		for (i = 0; no[i] != NULL; i++)
			if (n == strlen(no[i]) && strncasecmp(p, no[i], n) == 0) {
				out->p = "false";
				out->n = 5;
				return 0;
			}
	}
	say(msg, msglen, "not a bool");
	return -1;
}

static int
cast_time(int type, const struct mx_span *s, char *slot, struct mx_cval *out,
    struct tval *t, char *msg, size_t msglen)
{
	struct mx_time tm;

	if ((s->kind != MX_JSTR && s->kind != MX_JNUM) ||
	    mx_time_span(s, &tm) < 0) {
		say(msg, msglen, "not %s", tarticle[type]);
		return -1;
	}
	out->quote = 1;
	out->p = slot;
	if (type == T_DATE) {
		t->i = days_of(tm.sec);
		out->n = (uint32_t)mx_time_date(&tm, slot);
	} else {
		t->i = tm.sec;
		t->ns = tm.nsec;
		out->n = (uint32_t)mx_time_fmt(&tm, slot);
	}
	return 0;
}

/*
 * Cast the value s (neither missing nor null) to the type of f.  The
 * output text goes to *out, pointing into the record, into slot or into
 * static text; the typed value to *t.  Returns 0, or -1 with the reason in
 * msg.
 */
static int
cast(struct mx_contract *c, const struct field *f, const struct mx_span *s,
    char *slot, struct mx_cval *out, struct tval *t, char *msg, size_t msglen)
{
	static const char *const what[] = { "missing", "null", "false",
	    "true", "a number", "a string", "an array", "an object" };

	switch (f->type) {
	case T_STRING:
		if (s->kind == MX_JSTR) {
			out->p = s->p;
			out->n = s->n;
			out->quote = 0;
			return 0;
		}
		if (s->kind == MX_JNUM || s->kind == MX_JTRUE ||
		    s->kind == MX_JFALSE) {
			out->p = s->p;
			out->n = s->n;
			out->quote = 1;
			return 0;
		}
		say(msg, msglen, "not a string (%s)", what[s->kind]);
		return -1;
	case T_INT:
		return cast_int(c, s, slot, out, t, msg, msglen);
	case T_DECIMAL:
		return cast_decimal(c, f, s, slot, out, t, msg, msglen);
	case T_NUMBER:
		return cast_number(c, f, s, slot, out, t, msg, msglen);
	case T_BOOL:
		return cast_bool(c, s, out, msg, msglen);
	case T_DATE:
	case T_TIMESTAMP:
		return cast_time(f->type, s, slot, out, t, msg, msglen);
	default:
		out->p = s->p;
		out->n = s->n;
		out->quote = 0;
		return 0;
	}
}

static int
cmp(int type, const struct tval *a, const struct tval *b)
{
	switch (type) {
	case T_INT:
	case T_DATE:
		return a->i < b->i ? -1 : a->i > b->i;
	case T_TIMESTAMP:
		if (a->i != b->i)
			return a->i < b->i ? -1 : 1;
		return a->ns < b->ns ? -1 : a->ns > b->ns;
	case T_NUMBER:
		/* beyond 38 digits, exactly all the same (mx(7), the order
		 * of values) */
		if (a->isf || b->isf)
			return mx_num_cmp(a->np, a->nn, b->np, b->nn);
		/* FALLTHROUGH */
	default:
		return mx_dec_cmp(&a->d, &b->d);
	}
}

/*
 * The canonical form of an output value, for accepted values: a string's
 * content, a number by value (1, 1.0 and 1e0 are one value), anything else
 * its text.
 */
static void
canon(struct mx_contract *c, const struct field *f, const struct mx_cval *v,
    const struct mx_span *in, struct mx_buf *b)
{
	struct mx_span sp;
	const char *p;
	size_t n;

	b->len = 0;
	if (f->type == T_STRING) {
		p = content(c, in, &n);
		mx_buf_add(b, p, n);
	} else if (NUMERIC(f->type)) {
		sp.p = v->p;
		sp.n = v->n;
		sp.kind = MX_JNUM;
		sp.esc = 0;
		mx_json_canon(&sp, b);
	} else
		mx_buf_add(b, v->p, v->n);
}

static int
itemcmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int r = memcmp(x->p, y->p, n);

	if (r != 0)
		return r;
	return x->n < y->n ? -1 : x->n > y->n;
}

/* Characters, not bytes: UTF-8 continuation bytes are not counted. */
static size_t
nchars(const char *p, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += ((unsigned char)p[i] & 0xc0) != 0x80;
	return k;
}

/* ---- simple patterns ---- */

static void
addbyte(struct atom *a, int c)
{
	a->set[c >> 6] |= (uint64_t)1 << (c & 63);
}

static int
inset(const struct atom *a, int c)
{
	return a->set[c >> 6] >> (c & 63) & 1;
}

/* A POSIX character class on ASCII; -1 for an unknown name. */
static int
inclass(const char *name, size_t n, int c)
{
	static const char *const names[] = { "alpha", "digit", "alnum",
	    "upper", "lower", "space", "blank", "punct", "xdigit", "cntrl",
	    "print", "graph", NULL };
	int k, up = c >= 'A' && c <= 'Z', lo = c >= 'a' && c <= 'z';
	int dig = c >= '0' && c <= '9', gr = c > 32 && c < 127;

	for (k = 0; names[k] != NULL; k++)
		if (strlen(names[k]) == n && memcmp(names[k], name, n) == 0)
			break;
	switch (k) {
	case 0: return up || lo;
	case 1: return dig;
	case 2: return up || lo || dig;
	case 3: return up;
	case 4: return lo;
	case 5: return c == ' ' || (c >= '\t' && c <= '\r');
	case 6: return c == ' ' || c == '\t';
	case 7: return gr && !up && !lo && !dig;
	case 8: return dig || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	case 9: return c < 32 || c == 127;
	case 10: return c >= 32 && c < 127;
	case 11: return gr;
	default: return -1;
	}
}

/* A bracket expression after its '['; returns the position after ']'. */
static const char *
sp_bracket(const char *p, struct atom *a)
{
	int neg = 0, first = 1, c, e, k;
	const char *q;

	if (*p == '^') {
		neg = 1;
		p++;
	}
	for (;; first = 0) {
		if (*p == '\0' || (unsigned char)*p >= 0x80)
			return NULL;
		if (*p == ']' && !first)
			break;
		if (p[0] == '[' && p[1] == ':') {
			if ((q = strstr(p + 2, ":]")) == NULL)
				return NULL;
			for (c = 1; c < 128; c++) {
				if ((k = inclass(p + 2, q - p - 2, c)) < 0)
					return NULL;
				if (k)
					addbyte(a, c);
			}
			p = q + 2;
			continue;
		}
		if (p[0] == '[' && (p[1] == '.' || p[1] == '='))
			return NULL;
		c = (unsigned char)*p++;
		if (p[0] == '-' && p[1] != ']' && p[1] != '\0') {
			e = (unsigned char)p[1];
			if (e == '[' || e >= 0x80 || e < c)
				return NULL;
			for (; c <= e; c++)
				addbyte(a, c);
			p += 2;
		} else
			addbyte(a, c);
	}
	if (neg) {
		a->set[0] = ~a->set[0];
		a->set[1] = ~a->set[1];
	}
	a->set[0] &= ~(uint64_t)1;	/* never NUL */
	return p + 1;
}

static int
sp_count(const char **pp, uint16_t *v)
{
	const char *p = *pp;
	long k = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((k = k * 10 + (*p - '0')) >= SP_NOLIMIT)
			return -1;
	*v = (uint16_t)k;
	*pp = p;
	return 0;
}

/*
 * Anchored at the start, an atom whose count may vary can take every
 * byte of its set that comes, when no byte of its set can start what
 * follows it: the next atoms' sets, up to the first that must match once
 * (^e[0-9]+$, ^[a-z]+-[0-9]{2,}$: the ids of most contracts).  Taking
 * fewer would leave a byte that nothing after it matches.
 */
static int
sp_greedy_ok(const struct spat *sp)
{
	int i, j;

	for (i = 0; i < sp->nat; i++) {
		if (sp->at[i].min == sp->at[i].max)
			continue;
		for (j = i + 1; j < sp->nat; j++) {
			if ((sp->at[i].set[0] & sp->at[j].set[0]) != 0 ||
			    (sp->at[i].set[1] & sp->at[j].set[1]) != 0)
				return 0;
			if (sp->at[j].min > 0)
				break;
		}
	}
	return 1;
}

/* The pattern as a sequence of atoms, or NULL. */
static struct spat *
sp_compile(const char *p)
{
	struct spat *sp = mx_calloc(1, sizeof *sp);
	struct atom *a;

	if (*p == '^') {
		sp->bol = 1;
		p++;
	}
	while (*p != '\0') {
		if (p[0] == '$' && p[1] == '\0') {
			sp->eol = 1;
			break;
		}
		if (sp->nat == SP_ATOMS)
			goto no;
		a = &sp->at[sp->nat++];
		a->min = a->max = 1;
		switch (*p) {
		case '.':
			a->set[0] = ~(uint64_t)1;
			a->set[1] = ~(uint64_t)0;
			p++;
			break;
		case '[':
			if ((p = sp_bracket(p + 1, a)) == NULL)
				goto no;
			break;
		case '\\':
			/* an escaped punctuation character is itself */
			if (inclass("punct", 5, (unsigned char)p[1]) != 1)
				goto no;
			addbyte(a, p[1]);
			p += 2;
			break;
		case '(': case ')': case '|': case '*': case '+': case '?':
		case '{': case '}': case '^': case '$': case ']':
			goto no;
		default:
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				goto no;
			addbyte(a, *p++);
		}
		switch (*p) {
		case '*':
			a->min = 0;
			a->max = SP_NOLIMIT;
			p++;
			break;
		case '+':
			a->max = SP_NOLIMIT;
			p++;
			break;
		case '?':
			a->min = 0;
			p++;
			break;
		case '{':
			p++;
			if (sp_count(&p, &a->min) < 0)
				goto no;
			a->max = a->min;
			if (*p == ',') {
				p++;
				a->max = SP_NOLIMIT;
				if (*p != '}' && (sp_count(&p, &a->max) < 0 ||
				    a->max < a->min))
					goto no;
			}
			if (*p++ != '}')
				goto no;
			break;
		}
		if (*p == '*' || *p == '+' || *p == '?' || *p == '{')
			goto no;
	}
	sp->greedy = sp->bol && sp_greedy_ok(sp);
	return sp;
no:
	free(sp);
	return NULL;
}

/* Does the ASCII text s[0..n), n < 64, without NUL, match?  The set of
 * positions the atoms so far can end at is a bit mask. */
static int
sp_match(const struct spat *sp, const char *s, size_t n)
{
	uint64_t reach, next, m;
	const struct atom *a;
	size_t p, q;
	int i, k;

	if (sp->greedy) {
		/* (callgrind, mx-validate over a 250,000-record bronze
		 * file, four ids a record: 2.94 -> 2.84 billion
		 * instructions) */
		for (i = 0, p = 0; i < sp->nat; i++) {
			a = &sp->at[i];
			for (k = 0; k < a->max && p < n &&
			    inset(a, (unsigned char)s[p]); k++)
				p++;
			if (k < a->min)
				return 0;
		}
		return !sp->eol || p == n;
	}
	reach = sp->bol ? 1 : ((uint64_t)2 << n) - 1;
	for (i = 0; i < sp->nat; i++) {
		a = &sp->at[i];
		next = 0;
		for (m = reach; m != 0; m &= m - 1) {
			p = (size_t)__builtin_ctzll(m);
			for (q = p, k = 0;; q++, k++) {
				if (k >= a->min)
					next |= (uint64_t)1 << q;
				if (k == a->max || q == n ||
				    !inset(a, (unsigned char)s[q]))
					break;
			}
		}
		if ((reach = next) == 0)
			return 0;
	}
	return sp->eol ? (int)(reach >> n & 1) : 1;
}

static int
match(struct mx_contract *c, struct field *f, const char *p, size_t n)
{
	locale_t old;
	size_t i;
	int r, ascii = 1;

	for (i = 0; i < n && ascii; i++)
		ascii = (unsigned)((unsigned char)p[i] - 1) < 0x7f;
	if (ascii && f->sp != NULL && n < 64)
		return sp_match(f->sp, p, n);
	/* regexec reads a C string: a value with a NUL in it (\u0000) is
	 * matched up to the NUL, and is not ASCII here */
	c->t.len = 0;
	mx_buf_add(&c->t, p, n);
	mx_buf_cstr(&c->t);
	if (ascii || c->utf8 == (locale_t)0)
		return regexec(&f->reb, c->t.p, 0, NULL, 0) == 0;
	old = uselocale(c->utf8);
	r = regexec(&f->re, c->t.p, 0, NULL, 0) == 0;
	uselocale(old);
	return r;
}

static struct mx_cfail *
addfail(struct mx_contract *c, size_t fi, int rule, const struct mx_span *v)
{
	struct mx_cfail *x = &c->fails[c->nfails++];
	static const struct mx_span none;

	x->field = (uint32_t)fi;
	x->rule = (uint32_t)rule;
	x->value = v != NULL ? *v : none;
	x->msg[0] = '\0';
	return x;
}

/* A bound for the value t of field f: 0 when it holds, or when the field
 * it names is missing or null.  (b keeps the field's time it last cast.) */
static int
outside(struct mx_contract *c, size_t fi, struct bound *b, int rule,
    const struct mx_span *spans, const struct mx_span *v,
    const struct tval *t)
{
	struct field *f = &c->f[fi];
	const struct mx_span *s;
	struct tval bv;
	struct mx_cval bo;
	struct mx_cfail *x;
	char slot[64], msg[sizeof x->msg];
	const char *what = rule == MX_CR_MIN ? "minimum" : "maximum";
	int r;

	if (!b->isfield) {
		r = cmp(f->type, t, &b->v);
		if (rule == MX_CR_MIN ? r >= 0 : r <= 0)
			return 0;
		x = addfail(c, fi, rule, v);
		say(x->msg, sizeof x->msg, "%s the %s %s", rule == MX_CR_MIN ?
		    "less than" : "greater than", what, b->text);
		return 1;
	}
	if (spans == NULL || spans[b->sel].kind <= MX_JNULL ||
	    (spans[b->sel].kind == MX_JSTR && spans[b->sel].n == 2))
		return 0;
	s = &spans[b->sel];
	if (b->memon == s->n && b->memok == s->kind &&
	    memcmp(b->memob, s->p, s->n) == 0) {
		bv = b->memov;
		bo = b->memoo;
	} else {
		memset(&bv, 0, sizeof bv);
		if (cast(c, f, s, slot, &bo, &bv, msg, sizeof msg) < 0) {
			x = addfail(c, fi, rule, v);
			say(x->msg, sizeof x->msg, "the %s %s is %s", what,
			    b->text, msg);
			return 1;
		}
		/* (times only: a number's value may point into the row) */
		if ((f->type == T_TIMESTAMP || f->type == T_DATE) &&
		    s->n <= sizeof b->memob && bo.n <= sizeof b->memot) {
			memcpy(b->memob, s->p, s->n);
			memcpy(b->memot, bo.p, bo.n);
			b->memon = s->n;
			b->memok = s->kind;
			b->memov = bv;
			b->memoo = bo;
			b->memoo.p = b->memot;
		}
	}
	r = cmp(f->type, t, &bv);
	if (rule == MX_CR_MIN ? r >= 0 : r <= 0)
		return 0;
	x = addfail(c, fi, rule, v);
	say(x->msg, sizeof x->msg, "%s the %s %s (%.*s)", rule == MX_CR_MIN ?
	    "less than" : "greater than", what, b->text, (int)bo.n, bo.p);
	return 1;
}

/* The rules beyond the type, on a value that was cast.  spans is NULL for
 * a contract's own literals: then bounds that name fields are not checked. */
static void
rules(struct mx_contract *c, size_t fi, const struct mx_span *spans,
    const struct mx_span *v, const struct mx_cval *o, const struct tval *t)
{
	struct field *f = &c->f[fi];
	struct mx_cfail *x;
	const char *p = NULL;
	size_t n = 0, k;

	if (f->min.set)
		outside(c, fi, &f->min, MX_CR_MIN, spans, v, t);
	if (f->max.set)
		outside(c, fi, &f->max, MX_CR_MAX, spans, v, t);
	if (f->nin > 0) {
		struct item key;

		canon(c, f, o, v, &c->t);
		mx_buf_cstr(&c->t);	/* never NULL, even when empty */
		key.p = c->t.p;
		key.n = c->t.len;
		if (bsearch(&key, f->in, f->nin, sizeof *f->in,
		    itemcmp) == NULL) {
			x = addfail(c, fi, MX_CR_IN, v);
			say(x->msg, sizeof x->msg, "not one of %s",
			    f->intext);
		}
	}
	if (f->type == T_STRING && (f->minlen >= 0 || f->maxlen >= 0 ||
	    f->hasre))
		p = content(c, v, &n);
	if (f->minlen >= 0 || f->maxlen >= 0) {
		k = nchars(p, n);
		if (f->minlen >= 0 && k < (size_t)f->minlen) {
			x = addfail(c, fi, MX_CR_MINLEN, v);
			say(x->msg, sizeof x->msg,
			    "shorter than %lld characters", f->minlen);
		}
		if (f->maxlen >= 0 && k > (size_t)f->maxlen) {
			x = addfail(c, fi, MX_CR_MAXLEN, v);
			say(x->msg, sizeof x->msg,
			    "longer than %lld characters", f->maxlen);
		}
	}
	if (f->hasre && !match(c, f, p, n)) {
		x = addfail(c, fi, MX_CR_RE, v);
		say(x->msg, sizeof x->msg, "not matching %s", f->retext);
	}
	if (f->type == T_DECIMAL && f->scale >= 0 && t->places > f->scale) {
		x = addfail(c, fi, MX_CR_SCALE, v);
		say(x->msg, sizeof x->msg, "more than %d decimal places",
		    f->scale);
	}
}

static const struct mx_cval null_val = { "null", 4, 0 };

/* The time part a field reads (from=hour(ts)) of its source value v:
 * JSON text in the field's own buffer, v itself when missing or null, or
 * NULL when v is not a timestamp. */
static const struct mx_span *
timepart(struct field *f, const struct mx_span *v)
{
	static struct mx_span out;
	struct mx_expr e;
	int bad;

	memset(&e, 0, sizeof e);
	e.fn = f->fn;
	e.sel = 0;
	mx_expr_eval(&e, v, &out, f->fnval, &bad);
	return bad ? NULL : &out;
}

/* Is the string or number s the text k[0..n)?  (a string decoded) */
static int
spaneq(struct mx_contract *c, const struct mx_span *s, const char *k,
    size_t n)
{
	if (s->kind == MX_JSTR && !s->esc)
		return s->n - 2 == n && memcmp(s->p + 1, k, n) == 0;
	if (s->kind == MX_JSTR) {
		c->t.len = 0;
		mx_json_unescape(s, &c->t);
		return c->t.len == n && memcmp(c->t.p, k, n) == 0;
	}
	return s->kind == MX_JNUM && s->n == n && memcmp(s->p, k, n) == 0;
}

/* The member key[0..n) of the object v, or NULL. */
static const struct mx_span *
member(struct mx_contract *c, const struct mx_span *v, const char *key,
    size_t n)
{
	size_t k, nm;

	if (v->kind != MX_JOBJ)
		return NULL;
	nm = mx_json_members(v->p, v->n, &c->m, &c->mcap);
	for (k = 0; k < nm; k++)
		if (spaneq(c, &c->m[k].key, key, n))
			return &c->m[k].val;
	return NULL;
}

/* Follow f's tail from the value *v (in place): missing where a step
 * finds nothing.  Returns NULL, or the selector that two elements match:
 * which one is meant cannot be told, and taking either would be a guess. */
static const struct pstep *
follow(struct mx_contract *c, const struct field *f, struct mx_span *v)
{
	const struct pstep *st;
	const struct mx_span *m;
	struct mx_span found;
	size_t k, ne, hit;

	for (st = f->tail; st < f->tail + f->ntail; st++) {
		found.kind = MX_JNONE;
		if (st->val != NULL && v->kind == MX_JARR) {
			ne = mx_json_elements(v->p, v->n, &c->e, &c->ecap);
			for (k = 0, hit = 0; k < ne; k++) {
				/* members() reuses c->m: copy the match */
				if ((m = member(c, &c->e[k], st->key,
				    st->klen)) == NULL ||
				    !spaneq(c, m, st->val, st->vlen))
					continue;
				if (hit++ > 0)
					return st;
				found = c->e[k];
			}
		} else if (st->val == NULL && v->kind == MX_JOBJ) {
			if ((m = member(c, v, st->key, st->klen)) != NULL)
				found = *m;
		} else if (st->val == NULL && v->kind == MX_JARR &&
		    st->idx >= 0) {
			ne = mx_json_elements(v->p, v->n, &c->e, &c->ecap);
			if ((size_t)st->idx < ne)
				found = c->e[st->idx];
		}
		*v = found;
		if (v->kind == MX_JNONE)
			break;
	}
	return NULL;
}

size_t
mx_contract_check(struct mx_contract *c, const struct mx_span *spans,
    const struct mx_cval **vals, const struct mx_cfail **fails)
{
	struct field *f;
	const struct mx_span *v, *in;
	const struct pstep *dup;
	struct mx_span picked;
	struct mx_cval *o;
	struct mx_cfail *x;
	struct tval t;
	size_t i;
	char msg[sizeof x->msg];

	c->nfails = 0;
	for (i = 0; i < c->nf; i++) {
		f = &c->f[i];
		v = &spans[f->sel];
		o = &c->vals[i];
		if (f->ntail > 0) {
			picked = *v;
			if ((dup = follow(c, f, &picked)) != NULL) {
				*o = null_val;
				x = addfail(c, i, MX_CR_TYPE, v);
				say(x->msg, sizeof x->msg, "more than one "
				    "element has %s=%s", dup->key, dup->val);
				continue;
			}
			v = &picked;
		}
		in = v;
		if (f->fn != MX_EPATH && (v = timepart(f, v)) == NULL) {
			*o = null_val;
			x = addfail(c, i, MX_CR_TYPE, in);
			say(x->msg, sizeof x->msg, "%s() cannot read it: not a "
			    "timestamp", mx_efn_names[f->fn]);
			continue;
		}
		/* an empty string is no value, except to a string or JSON */
		if (v->kind <= MX_JNULL || (v->kind == MX_JSTR && v->n == 2 &&
		    f->type != T_STRING && f->type != T_JSON)) {
			if (f->def != NULL) {
				o->p = f->def;
				o->n = (uint32_t)f->deflen;
				o->quote = 0;
				continue;
			}
			*o = null_val;
			if (f->required) {
				x = addfail(c, i, MX_CR_REQUIRED, v);
				say(x->msg, sizeof x->msg, "%s",
				    v->kind == MX_JNONE ? "missing" :
				    v->kind == MX_JNULL ? "null" : "empty");
			}
			continue;
		}
		if (f->needval)
			memset(&t, 0, sizeof t);
		if (cast(c, f, v, f->slot, o, &t, msg, sizeof msg) < 0) {
			*o = null_val;
			x = addfail(c, i, MX_CR_TYPE, v);
			memcpy(x->msg, msg, sizeof msg);
			continue;
		}
		in = v;
		if (f->map != NULL && (v = mapped(c, f, v)) != in) {
			/* the canonical value is written and checked */
			o->p = v->p;
			o->n = v->n;
			o->quote = 0;
		}
		if (f->rules & ~(1u << MX_CR_TYPE | 1u << MX_CR_REQUIRED))
			rules(c, i, spans, v, o, &t);
	}
	*vals = c->vals;
	*fails = c->fails;
	return c->nfails;
}


/* ---- accessors ---- */

const struct mx_cunmapped *
mx_contract_unmapped(const struct mx_contract *c, size_t i, size_t *n,
    uintmax_t *other)
{
	const struct cmap *m = c->f[i].map;

	*n = m != NULL ? m->nmiss : 0;
	*other = m != NULL ? m->other : 0;
	return m != NULL ? m->miss : NULL;
}

size_t
mx_contract_nfields(const struct mx_contract *c)
{
	return c->nf;
}

const char *
mx_contract_name(const struct mx_contract *c, size_t i)
{
	return c->f[i].name;
}

unsigned
mx_contract_rules(const struct mx_contract *c, size_t i)
{
	return c->f[i].rules;
}

const char *
mx_contract_path(const struct mx_contract *c, size_t i, int *sel,
    size_t *line)
{
	*sel = c->f[i].sel;
	*line = c->f[i].line;
	return c->f[i].path;
}

/* Is path exactly the one top-level key key[0..n)? */
static int
topkey(const char *path, const char *key, size_t n)
{
	const char *p;
	size_t i = 0;

	for (p = path; *p != '\0' && *p != '.'; p++) {
		if (*p == '\\' && (p[1] == '.' || p[1] == '\\'))
			p++;
		if (i == n || key[i] != *p)
			return 0;
		i++;
	}
	return *p == '\0' && i == n;
}

int
mx_contract_names(const struct mx_contract *c, const char *key, size_t n)
{
	size_t i;

	for (i = 0; i < c->nf; i++)
		if ((strlen(c->f[i].name) == n &&
		    memcmp(c->f[i].name, key, n) == 0) ||
		    topkey(c->f[i].path, key, n))
			return 1;
	return 0;
}

/* ---- parsing ---- */

struct parser {
	const char		*dir;	/* of the contract file: map= paths */
	struct mx_contract	*c;
	struct mx_sel		*sel;
	struct mx_json		*json;
	char			*err;
	size_t			 errlen;
	struct mx_buf		 val;	/* a decoded value */
	struct mx_buf		 item;
	struct mx_buf		 tmp;
};

static int MX_PRINTF(2, 3)
perr(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ps->err, ps->errlen, fmt, ap);
	va_end(ap);
	utf8_trim(ps->err, ps->errlen);
	return -1;
}

/* The end of the token at s: whitespace ends it, except inside a quoted
 * string.  NULL for an unterminated string. */
static const char *
tokend(const char *s, const char *end)
{
	while (s < end && *s != ' ' && *s != '\t') {
		if (*s == '"') {
			for (s++; s < end && *s != '"'; s++)
				if (*s == '\\' && s + 1 < end)
					s++;
			if (s >= end)
				return NULL;
		}
		s++;
	}
	return s;
}

/*
 * Decode one value into b (NUL-terminated): either a JSON string literal,
 * quotes and all, or bare text without quotes, taken as it is.
 */
static int
decode(struct parser *ps, const char *p, size_t n, struct mx_buf *b,
    const char *what)
{
	struct mx_span sp;

	b->len = 0;
	if (n > 0 && p[0] == '"') {
		if (mx_json_scan(ps->json, p, n, NULL, 0) < 0)
			return perr(ps, "%s: bad quoted string: %s", what,
			    mx_json_errstr(ps->json));
		sp.p = p;
		sp.n = (uint32_t)n;
		sp.kind = MX_JSTR;
		sp.esc = memchr(p, '\\', n) != NULL;
		mx_json_unescape(&sp, b);
	} else {
		if (memchr(p, '"', n) != NULL)
			return perr(ps, "%s: a quote inside an unquoted value "
			    "(quote the whole value)", what);
		mx_buf_add(b, p, n);
	}
	mx_buf_cstr(b);
	return 0;
}

/*
 * A literal of field f, read as if the input held it as a JSON string:
 * its span (in ps->tmp) into *sp, its output into *out and slot, its
 * typed value into *t.
 */
static int
literal(struct parser *ps, struct field *f, const char *text, size_t n,
    struct mx_span *sp, char *slot, struct mx_cval *out, struct tval *t,
    const char *what)
{
	char msg[sizeof ((struct mx_cfail *)0)->msg];

	ps->tmp.len = 0;
	mx_json_quote(&ps->tmp, text, n);
	sp->p = ps->tmp.p;
	sp->n = (uint32_t)ps->tmp.len;
	sp->kind = MX_JSTR;
	sp->esc = memchr(sp->p, '\\', sp->n) != NULL;
	memset(t, 0, sizeof *t);
	if (f->type != T_STRING && f->type != T_JSON && n == 0)
		return perr(ps, "%s: an empty value", what);
	if (cast(ps->c, f, sp, slot, out, t, msg, sizeof msg) < 0)
		return perr(ps, "%s: '%.*s' is %s", what, (int)n, text, msg);
	return 0;
}

static int
count(struct parser *ps, const char *what, long long max, long long *out)
{
	long long k = mx_parse_count(ps->val.p);

	if (k < 0 || k > max)
		return perr(ps, "%s: '%s' is not a whole number from 0 to %lld",
		    what, ps->val.p, max);
	*out = k;
	return 0;
}

static int
bound(struct parser *ps, struct field *f, struct bound *b, const char *what)
{
	const char *v = ps->val.p;
	struct mx_span sp;
	struct mx_cval o;
	char slot[64];

	b->set = 1;
	b->text = mx_strdup(v);
	if (*v == '\0')
		return perr(ps, "%s: an empty value", what);
	/* a literal starts like a number or a date; anything else names the
	 * field that holds the bound (resolved once every line is read) */
	if ((*v >= '0' && *v <= '9') || *v == '-' || *v == '+' || *v == '.') {
		if (literal(ps, f, v, ps->val.len, &sp, slot, &o, &b->v,
		    what) < 0)
			return -1;
		/* the number's text outlives slot in the bound's own */
		b->v.np = b->text;
		b->v.nn = strlen(b->text);
		return 0;
	}
	b->isfield = 1;
	return 0;
}

/* in=a,b,"c,d": items split at commas outside quotes. */
static int
accepted(struct parser *ps, struct field *f, const char *p, size_t n)
{
	const char *s = p, *e, *end = p + n;
	struct mx_cval o;
	struct mx_span sp;
	struct tval t;
	char slot[64];
	size_t i;

	f->intext = mx_strndup(p, n);
	for (;;) {
		for (e = s; e < end && *e != ','; e++)
			if (*e == '"')
				for (e++; e < end && *e != '"'; e++)
					if (*e == '\\')
						e++;
		if (e > end)
			e = end;
		if (e == s)
			return perr(ps, "in=: an empty item (write \"\" for "
			    "the empty string)");
		if (decode(ps, s, e - s, &ps->item, "in=") < 0)
			return -1;
		if (literal(ps, f, ps->item.p, ps->item.len, &sp, slot, &o, &t,
		    "in=") < 0)
			return -1;
		canon(ps->c, f, &o, &sp, &ps->val);
		f->in = mx_reallocarray(f->in, f->nin + 1, sizeof *f->in);
		f->in[f->nin].p = mx_malloc(ps->val.len + 1);
		memcpy(f->in[f->nin].p, ps->val.p, ps->val.len);
		f->in[f->nin++].n = ps->val.len;
		if (e == end)
			break;
		s = e + 1;
		if (s == end)
			return perr(ps, "in=: an empty item after ','");
	}
	qsort(f->in, f->nin, sizeof *f->in, itemcmp);
	for (i = 1; i < f->nin; i++)
		if (itemcmp(&f->in[i - 1], &f->in[i]) == 0)
			return perr(ps, "in=: a value listed twice");
	return 0;
}

/*
 * glibc compiles a repetition by copying what it repeats, and the optional
 * copies of a{0,n} cost memory as n squared: ((a{99}){99}){99}, a{1,30000}
 * or a++++... take gigabytes.  So the size of a pattern is estimated first,
 * in atoms with their copies, and its optional copies apart.  Adjacent
 * repetitions (a+*) are undefined in POSIX and refused.
 */
#define RE_MAXSIZE	100000
#define RE_MAXOPT	1000

struct resz {
	double	all, opt;
};

static const char *
re_size(const char *p)
{
	struct resz sum[64], last = { 0, 0 };
	double w, o;
	int depth = 0, quant = 0;
	long m, n;
	char *end;

	sum[0].all = sum[0].opt = 0;
	for (; *p != '\0'; p++) {
		switch (*p) {
		case '*': case '+': case '?': case '{':
			if (quant)
				return "repetitions one after another (such "
				    "as a+*)";
			quant = 1;
			/* copies: n, of which n - m optional; a loop
			 * (*, +, {m,}) is one copy more, not optional */
			m = *p == '+' ? 1 : 0;
			n = *p == '?' ? 1 : m + 1;
			if (*p == '{') {
				/* out of range: regcomp says why */
				m = n = strtol(p + 1, &end, 10);
				if (m < 0 || m > 0x7fff)
					return NULL;
				if (*end == ',')
					n = end[1] == '}' ? m + 1 :
					    strtol(end + 1, &end, 10);
				if ((p = strchr(p, '}')) == NULL || n < m ||
				    n > 0x7fff)
					return NULL;
			}
			w = last.all;
			o = last.opt * (double)n;
			if (*p == '}' || *p == '?')
				o += w * (double)(n - m);
			sum[depth].all += w * (double)(n - 1);
			sum[depth].opt += o - last.opt;
			last.all = w * (double)n;
			last.opt = o;
			if (sum[depth].all > RE_MAXSIZE ||
			    sum[depth].opt > RE_MAXOPT)
				return "too large once its repetitions are "
				    "expanded (minlen= and maxlen= bound "
				    "lengths)";
			continue;
		case '(':
			if (++depth == 64)
				return "groups nested too deep";
			sum[depth].all = sum[depth].opt = 0;
			quant = 0;
			last.all = last.opt = 0;
			continue;
		case ')':
			if (depth == 0)
				return NULL;
			last = sum[depth--];
			sum[depth].all += last.all;
			sum[depth].opt += last.opt;
			quant = 0;
			continue;
		case '|':
			quant = 0;
			last.all = last.opt = 0;
			continue;
		case '[':
			/* a bracket expression is one atom */
			if (p[1] == '^')
				p++;
			if (p[1] == ']')
				p++;
			for (p++; *p != '\0' && *p != ']'; p++)
				if (*p == '[' && (p[1] == ':' || p[1] == '.' ||
				    p[1] == '=') && (end = strchr(p + 2, ']')) !=
				    NULL)
					p = end;
			if (*p == '\0')
				return NULL;
			break;
		case '\\':
			if (p[1] != '\0')
				p++;
			break;
		}
		quant = 0;
		last.all = 1;
		last.opt = 0;
		sum[depth].all += 1;
	}
	return NULL;
}

/* Two compilations of one pattern: for characters (UTF-8), and for bytes,
 * which glibc matches several times faster and which means the same on an
 * ASCII value. */
static int
compile(struct parser *ps, struct field *f)
{
	const char *why;
	char buf[256];
	locale_t old;
	int r;

	if (strlen(ps->val.p) != ps->val.len)
		return perr(ps, "re=: a NUL in the pattern");
	if (ps->val.len == 0)
		return perr(ps, "re=: an empty pattern");
	if ((why = re_size(ps->val.p)) != NULL)
		return perr(ps, "re=: %s", why);
	f->retext = mx_strdup(ps->val.p);
	old = uselocale(ps->c->clocale);
	r = regcomp(&f->reb, f->retext, REG_EXTENDED | REG_NOSUB);
	uselocale(old);
	if (r != 0) {
		regerror(r, &f->reb, buf, sizeof buf);
		return perr(ps, "re=: %s", buf);
	}
	if (ps->c->utf8 != (locale_t)0) {
		old = uselocale(ps->c->utf8);
		r = regcomp(&f->re, f->retext, REG_EXTENDED | REG_NOSUB);
		uselocale(old);
		if (r != 0) {
			regfree(&f->reb);
			regerror(r, &f->re, buf, sizeof buf);
			return perr(ps, "re=: %s", buf);
		}
	}
	f->hasre = 1;
	f->sp = sp_compile(f->retext);
	return 0;
}

enum { K_FROM = MX_CR_NRULES, K_DEFAULT, K_NULLABLE, K_MAP };

static const struct {
	const char	*name;
	int		 key;
	unsigned	 types;		/* 1 << T_*: where the rule applies */
	const char	*where;
} kw[] = {
	{ "required", MX_CR_REQUIRED, ~0u, NULL },
	{ "nullable", K_NULLABLE, ~0u, NULL },
	{ "from", K_FROM, ~0u, NULL },
	{ "default", K_DEFAULT, ~0u, NULL },
	{ "map", K_MAP, 1 << T_STRING, "string" },
	{ "min", MX_CR_MIN, 1 << T_INT | 1 << T_DECIMAL | 1 << T_NUMBER |
	    1 << T_DATE | 1 << T_TIMESTAMP,
	    "int, decimal, number, date and timestamp" },
	{ "max", MX_CR_MAX, 1 << T_INT | 1 << T_DECIMAL | 1 << T_NUMBER |
	    1 << T_DATE | 1 << T_TIMESTAMP,
	    "int, decimal, number, date and timestamp" },
	{ "in", MX_CR_IN, ~0u & ~(1u << T_JSON), "every type but json" },
	{ "minlen", MX_CR_MINLEN, 1 << T_STRING, "string" },
	{ "maxlen", MX_CR_MAXLEN, 1 << T_STRING, "string" },
	{ "re", MX_CR_RE, 1 << T_STRING, "string" },
	{ "scale", MX_CR_SCALE, 1 << T_DECIMAL, "decimal" },
	{ NULL, 0, 0, NULL }
};

static int
mapcmp(const void *a, const void *b)
{
	const struct cmapent *x = a, *y = b;
	size_t n = x->fromlen < y->fromlen ? x->fromlen : y->fromlen;
	int c = memcmp(x->from, y->from, n);

	return c != 0 ? c : (x->fromlen > y->fromlen) - (x->fromlen < y->fromlen);
}

static int
strpcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* map=file: one mapping a line, the value, a tab, the canonical value, as
 * mx-join-spend(1) --map reads them ('#' lines and empty lines skipped);
 * a relative path is taken from the contract's directory. */
static int
loadmap(struct parser *ps, struct field *f, const char *path)
{
	struct cmap *m;
	struct mx_buf full = { 0 }, q = { 0 };
	char *line = NULL, *tab, *nl;
	size_t cap = 0, lineno = 0, i, j;
	ssize_t len;
	FILE *fp;

	if (f->map != NULL)
		return perr(ps, "map=: given twice");
	if (ps->dir == NULL)
		return perr(ps, "map=%s: only in a contract file", path);
	if (path[0] != '/')
		mx_buf_printf(&full, "%s/", ps->dir);
	mx_buf_adds(&full, path);
	if ((fp = fopen(mx_buf_cstr(&full), "r")) == NULL) {
		perr(ps, "map=%s: %s", full.p, strerror(errno));
		mx_buf_free(&full);
		return -1;
	}
	m = f->map = mx_calloc(1, sizeof *m);
	while ((len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if ((nl = memchr(line, '\n', (size_t)len)) != NULL)
			*nl = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((tab = strchr(line, '\t')) == NULL ||
		    strchr(tab + 1, '\t') != NULL || tab == line ||
		    tab[1] == '\0' || !mx_utf8_valid(line, strlen(line))) {
			perr(ps, "map=%s:%zu: not a value, a tab and a "
			    "channel", path, lineno);
			goto bad;
		}
		*tab = '\0';
		m->e = mx_reallocarray(m->e, m->n + 1, sizeof *m->e);
		m->e[m->n].from = mx_strdup(line);
		m->e[m->n].fromlen = strlen(line);
		q.len = 0;
		mx_json_quote(&q, tab + 1, strlen(tab + 1));
		m->e[m->n].to = mx_strndup(q.p, q.len);
		m->e[m->n].tolen = q.len;
		m->n++;
		m->canon = mx_reallocarray(m->canon, m->ncanon + 1,
		    sizeof *m->canon);
		m->canon[m->ncanon++] = mx_strdup(tab + 1);
	}
	if (ferror(fp)) {
		perr(ps, "map=%s: %s", path, strerror(errno));
		goto bad;
	}
	qsort(m->e, m->n, sizeof *m->e, mapcmp);
	for (i = 1; i < m->n; i++)
		if (mapcmp(&m->e[i - 1], &m->e[i]) == 0) {
			perr(ps, "map=%s: '%s' is mapped twice", path,
			    m->e[i].from);
			goto bad;
		}
	qsort(m->canon, m->ncanon, sizeof *m->canon, strpcmp);
	for (i = j = 0; i < m->ncanon; i++)
		if (j > 0 && strcmp(m->canon[j - 1], m->canon[i]) == 0)
			free(m->canon[i]);
		else
			m->canon[j++] = m->canon[i];
	m->ncanon = j;
	fclose(fp);
	free(line);
	mx_buf_free(&full);
	mx_buf_free(&q);
	return 0;
bad:
	fclose(fp);
	free(line);
	mx_buf_free(&full);
	mx_buf_free(&q);
	return -1;
}

/* The canonical value of the string span v (cast already), or v itself
 * when it is one or the map does not know it (counted). */
static const struct mx_span *
mapped(struct mx_contract *c, struct field *f, const struct mx_span *v)
{
	static struct mx_span out;
	struct cmap *m = f->map;
	struct cmapent key, *e;
	const char *s;
	size_t i;

	c->s.len = 0;
	if (v->kind == MX_JSTR)
		mx_json_unescape(v, &c->s);
	else
		mx_buf_add(&c->s, v->p, v->n);
	key.from = c->s.p;
	key.fromlen = c->s.len;
	if ((e = bsearch(&key, m->e, m->n, sizeof *m->e, mapcmp)) != NULL) {
		out.p = e->to;
		out.n = (uint32_t)e->tolen;
		out.kind = MX_JSTR;
		out.esc = memchr(e->to, '\\', e->tolen) != NULL;
		return &out;
	}
	s = mx_buf_cstr(&c->s);
	if (strlen(s) == c->s.len && bsearch(&s, m->canon, m->ncanon,
	    sizeof *m->canon, strpcmp) != NULL)
		return v;
	for (i = 0; i < m->nmiss; i++)
		if (m->miss[i].len == c->s.len &&
		    memcmp(m->miss[i].value, c->s.p, c->s.len) == 0) {
			m->miss[i].records++;
			return v;
		}
	if (m->nmiss == MX_CUNMAPPED_MAX) {
		m->other++;
		return v;
	}
	m->miss = mx_reallocarray(m->miss, m->nmiss + 1, sizeof *m->miss);
	m->miss[m->nmiss].value = mx_strndup(c->s.p, c->s.len);
	m->miss[m->nmiss].len = c->s.len;
	m->miss[m->nmiss].records = 1;
	m->nmiss++;
	return v;
}

/* A path component as an array index (as the scanner reads one), or -1. */
static long
index_of(const char *k, size_t n)
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

/* Split a from= path at its first selector, a[k=v].b: the part before
 * it is scanned with the record, the rest (f->tail) followed in the
 * value scanned.  Key/value arrays (GA4's event_params, Meta's actions)
 * hold their entries in no fixed order, so an index would not do.  "\["
 * is a bracket in a key. */
static int
splitpath(struct parser *ps, struct field *f)
{
	struct mx_buf pre = { 0 }, comp = { 0 };
	const char *p = f->path, *eq, *close;
	struct pstep *st;

	for (; *p != '\0' && *p != '['; p++) {
		if (*p == '\\' && p[1] == '[')
			p++;
		else if (*p == '\\' && p[1] != '\0')
			mx_buf_addc(&pre, *p++);
		mx_buf_addc(&pre, *p);
	}
	if (*p == '\0') {
		if (pre.len != strlen(f->path)) {	/* a \[ unescaped */
			free(f->path);
			mx_buf_cstr(&pre);
			f->path = pre.p;
		} else
			mx_buf_free(&pre);
		return 0;
	}
	mx_buf_cstr(&pre);
	f->selpath = pre.p;
	while (*p != '\0') {
		f->tail = mx_reallocarray(f->tail, f->ntail + 1,
		    sizeof *f->tail);
		st = &f->tail[f->ntail++];
		memset(st, 0, sizeof *st);
		st->idx = -1;
		if (*p == '[') {
			eq = strchr(p, '=');
			close = eq != NULL ? strchr(eq, ']') : NULL;
			if (close == NULL || eq == p + 1 || memchr(p + 1, ']',
			    (size_t)(eq - p - 1)) != NULL) {
				mx_buf_free(&comp);
				return perr(ps, "from=: '%s' is not a selector "
				    "[key=value]", p);
			}
			st->key = mx_strndup(p + 1, (size_t)(eq - p - 1));
			st->klen = (size_t)(eq - p - 1);
			st->val = mx_strndup(eq + 1, (size_t)(close - eq - 1));
			st->vlen = (size_t)(close - eq - 1);
			p = close + 1;
			if (*p != '\0' && *p != '.' && *p != '[') {
				mx_buf_free(&comp);
				return perr(ps, "from=: '.' or '[' expected "
				    "after ']', not '%s'", p);
			}
			continue;
		}
		if (*p == '.')
			p++;
		comp.len = 0;
		for (; *p != '\0' && *p != '.' && *p != '['; p++) {
			if (*p == '\\' && (p[1] == '.' || p[1] == '\\' ||
			    p[1] == '['))
				p++;
			mx_buf_addc(&comp, *p);
		}
		if (comp.len == 0) {
			mx_buf_free(&comp);
			return perr(ps, "from=: '%s' is not a path (an empty "
			    "component)", f->path);
		}
		st->klen = comp.len;
		st->key = mx_strndup(comp.p, comp.len);
		st->idx = index_of(st->key, st->klen);
	}
	mx_buf_free(&comp);
	return 0;
}

/* from=path, or from=fn(path) for a time part of a timestamp (the names
 * of mx(7): date, hour, week, dow, month, year, minute), so that a silver
 * table can hold event_hour as a column of its own. */
static int
from(struct parser *ps, struct field *f, const char *v)
{
	const char *open = strchr(v, '(');
	size_t n = strlen(v), k;
	int i;

	f->fn = MX_EPATH;
	if (open != NULL && n > 2 && v[n - 1] == ')') {
		k = (size_t)(open - v);
		for (i = 1; mx_efn_names[i] != NULL; i++)
			if (strlen(mx_efn_names[i]) == k &&
			    strncmp(v, mx_efn_names[i], k) == 0)
				break;
		if (mx_efn_names[i] == NULL)
			return perr(ps, "from=: unknown function '%.*s' (the "
			    "time functions of mx(7))", (int)k, v);
		if (n - k - 2 == 0)
			return perr(ps, "from=: %s() of what?", mx_efn_names[i]);
		f->fn = i;
		f->path = mx_strndup(open + 1, n - k - 2);
		return splitpath(ps, f);
	}
	f->path = mx_strdup(v);
	return splitpath(ps, f);
}

/* One rule token p[0..n) of field f.  The default's text is kept in def
 * until the whole line is read (it must meet the other rules). */
static int
rule(struct parser *ps, struct field *f, const char *p, size_t n,
    unsigned *seen, struct mx_buf *def)
{
	const char *eq, *q, *v;
	size_t klen, vlen;
	int i;

	q = memchr(p, '"', n);
	eq = memchr(p, '=', q != NULL ? (size_t)(q - p) : n);
	klen = eq != NULL ? (size_t)(eq - p) : n;
	for (i = 0; kw[i].name != NULL; i++)
		if (strlen(kw[i].name) == klen &&
		    memcmp(kw[i].name, p, klen) == 0)
			break;
	if (kw[i].name == NULL)
		return perr(ps, "unknown rule '%.*s'", (int)klen, p);
	if (*seen & 1u << kw[i].key)
		return perr(ps, "%s given twice", kw[i].name);
	*seen |= 1u << kw[i].key;
	if (!(kw[i].types & 1u << f->type))
		return perr(ps, "%s applies to %s fields, not to %s",
		    kw[i].name, kw[i].where, tnames[f->type]);
	if (kw[i].key == MX_CR_REQUIRED || kw[i].key == K_NULLABLE) {
		if (eq != NULL)
			return perr(ps, "%s takes no value", kw[i].name);
		if (*seen & 1u << MX_CR_REQUIRED && *seen & 1u << K_NULLABLE)
			return perr(ps, "a field is either required or "
			    "nullable");
		if (kw[i].key == MX_CR_REQUIRED) {
			f->required = 1;
			f->rules |= 1u << MX_CR_REQUIRED;
		}
		return 0;
	}
	if (eq == NULL)
		return perr(ps, "%s needs a value: %s=...", kw[i].name,
		    kw[i].name);
	v = eq + 1;
	vlen = n - klen - 1;
	if (kw[i].key != MX_CR_IN &&
	    decode(ps, v, vlen, &ps->val, kw[i].name) < 0)
		return -1;
	if (kw[i].key < MX_CR_NRULES)
		f->rules |= 1u << kw[i].key;
	switch (kw[i].key) {
	case K_FROM:
		if (strlen(ps->val.p) != ps->val.len || ps->val.len == 0)
			return perr(ps, "from=: an empty path or a NUL in it");
		free(f->path);
		return from(ps, f, ps->val.p);
	case K_MAP:
		return loadmap(ps, f, ps->val.p);
	case K_DEFAULT:
		def->len = 0;
		mx_buf_add(def, ps->val.p, ps->val.len);
		mx_buf_cstr(def);
		return 0;
	case MX_CR_MIN:
		f->needval = 1;
		return bound(ps, f, &f->min, "min=");
	case MX_CR_MAX:
		f->needval = 1;
		return bound(ps, f, &f->max, "max=");
	case MX_CR_IN:
		if (vlen == 0)
			return perr(ps, "in=: no values");
		return accepted(ps, f, v, vlen);
	case MX_CR_MINLEN:
		return count(ps, "minlen=", INT32_MAX, &f->minlen);
	case MX_CR_MAXLEN:
		return count(ps, "maxlen=", INT32_MAX, &f->maxlen);
	case MX_CR_RE:
		return compile(ps, f);
	default: {
		long long k = 0;

		if (count(ps, "scale=", MX_DEC_MAXSCALE, &k) < 0)
			return -1;
		f->scale = (int)k;
		return 0;
	}
	}
}

/* The default, cast, checked against the field's own rules, and kept as
 * the JSON text to write. */
static int
setdefault(struct parser *ps, size_t fi, const struct mx_buf *def)
{
	struct field *f = &ps->c->f[fi];
	struct mx_span sp;
	struct mx_cval o;
	struct tval t;
	const struct mx_cfail *x;

	if (f->required)
		return perr(ps, "default= never applies to a required field");
	if (f->type == T_JSON) {
		if (mx_json_scan(ps->json, def->p, def->len, NULL, 0) < 0)
			return perr(ps, "default=: not a JSON value: %s",
			    mx_json_errstr(ps->json));
		if (def->len == 4 && memcmp(def->p, "null", 4) == 0)
			return perr(ps, "default=: null is no default");
		ps->item.len = 0;
		mx_json_minify(def->p, def->len, &ps->item);
		f->def = mx_strndup(ps->item.p, ps->item.len);
		f->deflen = ps->item.len;
		return 0;
	}
	if (literal(ps, f, def->p, def->len, &sp, f->slot, &o, &t,
	    "default=") < 0)
		return -1;
	ps->c->nfails = 0;
	rules(ps->c, fi, NULL, &sp, &o, &t);
	if (ps->c->nfails > 0) {
		x = &ps->c->fails[0];
		return perr(ps, "default=: '%s' fails its own rule %s: %s",
		    def->p, mx_crule_names[x->rule], x->msg);
	}
	ps->item.len = 0;
	if (o.quote)
		mx_buf_addc(&ps->item, '"');
	mx_buf_add(&ps->item, o.p, o.n);
	if (o.quote)
		mx_buf_addc(&ps->item, '"');
	f->def = mx_strndup(ps->item.p, ps->item.len);
	f->deflen = ps->item.len;
	return 0;
}

/* The input path of a field named only by its name: the name as one key. */
static char *
namepath(const char *name)
{
	struct mx_buf b = { 0 };

	for (; *name != '\0'; name++) {
		if (*name == '.' || *name == '\\')
			mx_buf_addc(&b, '\\');
		mx_buf_addc(&b, *name);
	}
	mx_buf_cstr(&b);
	return b.p;
}

static const char *
skipws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static int
field_name(struct parser *ps, const char *p, size_t n)
{
	struct mx_contract *c = ps->c;
	size_t i;

	if (decode(ps, p, n, &ps->val, "the name") < 0)
		return -1;
	if (ps->val.len == 0)
		return perr(ps, "an empty name");
	for (i = 0; i < ps->val.len; i++)
		if ((unsigned char)ps->val.p[i] < 0x20)
			return perr(ps, "a control character in the name");
	if (ps->val.p[0] == '_')
		return perr(ps, "'%s': names beginning with '_' are mx "
		    "metadata", ps->val.p);
	for (i = 0; i < c->nf; i++)
		if (strcmp(c->f[i].name, ps->val.p) == 0)
			return perr(ps, "'%s' is defined twice (first on line "
			    "%zu)", ps->val.p, c->f[i].line);
	return 0;
}

/* One line of the contract: NAME TYPE RULE... */
static int
line(struct parser *ps, const char *p, const char *end, size_t lineno)
{
	struct mx_contract *c = ps->c;
	struct field *f;
	struct mx_buf def = { 0 };
	const char *e, *name;
	unsigned seen = 0;
	int r = -1, t;

	p = skipws(p, end);
	if (p == end || *p == '#')
		return 0;
	if ((e = tokend(p, end)) == NULL)
		return perr(ps, "unterminated quoted string");
	name = p;
	if (field_name(ps, p, e - p) < 0)
		return -1;
	p = skipws(e, end);
	if (p == end || *p == '#')
		return perr(ps, "'%.*s' has no type", (int)(e - name), name);
	if ((e = tokend(p, end)) == NULL)
		return perr(ps, "unterminated quoted string");
	for (t = 0; tnames[t] != NULL; t++)
		if (strlen(tnames[t]) == (size_t)(e - p) &&
		    memcmp(tnames[t], p, e - p) == 0)
			break;
	if (tnames[t] == NULL)
		return perr(ps, "unknown type '%.*s' (string, int, decimal, "
		    "number, bool, date, timestamp or json)", (int)(e - p), p);

	c->f = mx_reallocarray(c->f, c->nf + 1, sizeof *c->f);
	c->fails = mx_reallocarray(c->fails, (c->nf + 1) * MX_CR_NRULES,
	    sizeof *c->fails);
	f = &c->f[c->nf++];
	memset(f, 0, sizeof *f);
	f->name = mx_strdup(ps->val.p);
	f->type = t;
	f->line = lineno;
	f->scale = -1;
	f->minlen = f->maxlen = -1;
	f->rules = 1u << MX_CR_TYPE;

	for (p = skipws(e, end); p < end && *p != '#'; p = skipws(e, end)) {
		if ((e = tokend(p, end)) == NULL) {
			perr(ps, "unterminated quoted string");
			goto out;
		}
		if (rule(ps, f, p, e - p, &seen, &def) < 0)
			goto out;
	}
	if (f->path == NULL)
		f->path = namepath(f->name);
	if ((f->sel = mx_sel_add(ps->sel, f->selpath != NULL ? f->selpath :
	    f->path)) < 0) {
		perr(ps, "'%s' is not a path (an empty component)", f->path);
		goto out;
	}
	if (f->min.set && f->max.set && !f->min.isfield && !f->max.isfield &&
	    cmp(f->type, &f->min.v, &f->max.v) > 0) {
		perr(ps, "min=%s is greater than max=%s", f->min.text,
		    f->max.text);
		goto out;
	}
	if (f->minlen >= 0 && f->maxlen >= 0 && f->minlen > f->maxlen) {
		perr(ps, "minlen=%lld is greater than maxlen=%lld", f->minlen,
		    f->maxlen);
		goto out;
	}
	if (seen & 1u << K_DEFAULT && setdefault(ps, c->nf - 1, &def) < 0)
		goto out;
	r = 0;
out:
	mx_buf_free(&def);
	return r;
}

/* A bound naming a field: the field of the contract with that name (its
 * input value), or else a path of the input. */
static int
resolve(struct parser *ps, struct bound *b)
{
	const struct mx_contract *c = ps->c;
	const char *path = b->text;
	size_t i;

	if (!b->isfield)
		return 0;
	for (i = 0; i < c->nf; i++)
		if (strcmp(c->f[i].name, b->text) == 0)
			path = c->f[i].path;
	if ((b->sel = mx_sel_add(ps->sel, path)) < 0)
		return perr(ps, "'%s' is not a path (an empty component)",
		    path);
	return 0;
}

struct mx_contract *
mx_contract_parse(const char *text, size_t n, const char *dir,
    struct mx_sel *sel, char *err, size_t errlen, size_t *errline)
{
	static const char *const utf8[] = { "C.UTF-8", "C.utf8",
	    "en_US.UTF-8", NULL };
	struct parser ps;
	struct mx_contract *c = mx_calloc(1, sizeof *c);
	const char *p = text, *end = text + n, *e, *le;
	size_t lineno = 0, i;
	int k;

	memset(&ps, 0, sizeof ps);
	ps.dir = dir;
	ps.c = c;
	ps.sel = sel;
	ps.json = mx_json_new(NULL);
	ps.err = err;
	ps.errlen = errlen;
	for (k = 0; utf8[k] != NULL && c->utf8 == (locale_t)0; k++)
		c->utf8 = newlocale(LC_CTYPE_MASK, utf8[k], (locale_t)0);
	if ((c->clocale = newlocale(LC_ALL_MASK, "C", (locale_t)0)) ==
	    (locale_t)0)
		c->clocale = LC_GLOBAL_LOCALE;

	while (p < end) {
		lineno++;
		e = memchr(p, '\n', end - p);
		le = e != NULL ? e : end;
		if (le > p && le[-1] == '\r')
			le--;
		if (memchr(p, '\0', le - p) != NULL ||
		    !mx_utf8_valid(p, le - p)) {
			perr(&ps, "not UTF-8 text");
			goto fail;
		}
		if (line(&ps, p, le, lineno) < 0)
			goto fail;
		p = e != NULL ? e + 1 : end;
	}
	if (c->nf == 0) {
		lineno = 0;
		perr(&ps, "no fields");
		goto fail;
	}
	for (i = 0; i < c->nf; i++) {
		lineno = c->f[i].line;
		if (resolve(&ps, &c->f[i].min) < 0 ||
		    resolve(&ps, &c->f[i].max) < 0)
			goto fail;
	}
	c->vals = mx_calloc(c->nf, sizeof *c->vals);
	c->nfails = 0;
	mx_json_free(ps.json);
	mx_buf_free(&ps.val);
	mx_buf_free(&ps.item);
	mx_buf_free(&ps.tmp);
	return c;
fail:
	*errline = lineno;
	mx_json_free(ps.json);
	mx_buf_free(&ps.val);
	mx_buf_free(&ps.item);
	mx_buf_free(&ps.tmp);
	mx_contract_free(c);
	return NULL;
}

void
mx_contract_free(struct mx_contract *c)
{
	struct field *f;
	size_t i, k;

	if (c == NULL)
		return;
	for (i = 0; i < c->nf; i++) {
		f = &c->f[i];
		free(f->name);
		free(f->path);
		free(f->selpath);
		for (k = 0; k < f->ntail; k++) {
			free(f->tail[k].key);
			free(f->tail[k].val);
		}
		free(f->tail);
		free(f->def);
		free(f->min.text);
		free(f->max.text);
		for (k = 0; k < f->nin; k++)
			free(f->in[k].p);
		free(f->in);
		free(f->intext);
		if (f->hasre) {
			regfree(&f->reb);
			if (c->utf8 != (locale_t)0)
				regfree(&f->re);
		}
		free(f->retext);
		free(f->sp);
		if (f->map != NULL) {
			for (k = 0; k < f->map->n; k++) {
				free(f->map->e[k].from);
				free(f->map->e[k].to);
			}
			for (k = 0; k < f->map->ncanon; k++)
				free(f->map->canon[k]);
			for (k = 0; k < f->map->nmiss; k++)
				free(f->map->miss[k].value);
			free(f->map->e);
			free(f->map->canon);
			free(f->map->miss);
			free(f->map);
		}
	}
	free(c->f);
	free(c->vals);
	free(c->fails);
	free(c->m);
	free(c->e);
	mx_buf_free(&c->s);
	mx_buf_free(&c->t);
	if (c->utf8 != (locale_t)0)
		freelocale(c->utf8);
	if (c->clocale != LC_GLOBAL_LOCALE)
		freelocale(c->clocale);
	free(c);
}
