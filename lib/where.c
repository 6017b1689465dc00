/*
 * where.c: conditions on records (-w), and the literals they compare
 * with.
 *
 * One condition is terms joined by " or "; the conditions of a command
 * line all hold.  A term is field OP value, field in v1,v2, field not in
 * v1,v2, with = != < <= > >= compared by the one ordering (order.c), a
 * number against a timestamp as time.  What could be read two ways is
 * refused when it is parsed, since a condition that silently matches
 * nothing is worse than an error: a comma in a value, an operator inside
 * one, an empty value.
 */
#include <stdlib.h>
#include <string.h>

#include "mx.h"

enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_NOTIN };

struct term {
	int		 f;		/* index in the selection */
	char		*path;
	int		 op;
	struct mx_lit	*v;		/* one, or the list of in */
	size_t		 nv;
};

struct clause {
	struct term	*t;		/* any of them */
	size_t		 n;
};

struct mx_where {
	struct clause	*c;		/* all of them */
	size_t		 n;
};

static struct mx_oval scratch;

void
mx_lit_parse(struct mx_lit *l, const char *s, size_t n)
{
	struct mx_json *j = mx_json_new(NULL);

	memset(l, 0, sizeof *l);
	if (n > 0 && mx_json_scan(j, s, n, NULL, 0) == 0 && (s[0] == '"' ||
	    mx_json_isnum(s, n) || (n == 4 && memcmp(s, "true", 4) == 0) ||
	    (n == 5 && memcmp(s, "false", 5) == 0) ||
	    (n == 4 && memcmp(s, "null", 4) == 0)))
		mx_buf_add(&l->text, s, n);
	else
		mx_json_quote(&l->text, s, n);
	mx_json_free(j);
	mx_buf_cstr(&l->text);
	/* the text no longer moves: the value may point into it */
	mx_span_of(l->text.p, l->text.len, &l->span);
	mx_oval_set(&l->v, &l->span);
}

void
mx_lit_free(struct mx_lit *l)
{
	mx_buf_free(&l->text);
	mx_oval_free(&l->v);
}

/* The order of v against l, as time where one is a number and the other
 * a timestamp; MX_ORD_NONE when they have none. */
static int
lit_cmp(const struct mx_lit *l, const struct mx_span *v)
{
	mx_oval_set(&scratch, v);
	return mx_oval_cmp(&scratch, &l->v, MX_ORD_TIME);
}

int
mx_lit_eq(const struct mx_lit *l, const struct mx_span *v)
{
	if (v->kind == MX_JNONE || v->kind == MX_JNULL)
		return l->v.cls == MX_OC_NULL;
	/* the same text is the same value; a plain string of other bytes
	 * is another value */
	if (v->n == l->span.n && memcmp(v->p, l->span.p, v->n) == 0)
		return 1;
	if (l->v.cls == MX_OC_NULL || (l->v.cls == MX_OC_STR &&
	    !l->span.esc && v->kind == MX_JSTR && !v->esc))
		return 0;
	return lit_cmp(l, v) == 0;
}

/* ---- parsing ---- */

/* The end of the JSON string that starts at p (past its closing quote),
 * or NULL when it does not end before e. */
static const char *
strend(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		if (*p == '\\' && p + 1 < e)
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* The first occurrence of word (with its spaces) in p[0..e) outside
 * JSON strings, or NULL. */
static const char *
findword(const char *p, const char *e, const char *word)
{
	size_t n = strlen(word);

	while (p < e) {
		if (*p == '"') {
			if ((p = strend(p, e)) == NULL)
				return NULL;
			continue;
		}
		if ((size_t)(e - p) >= n && memcmp(p, word, n) == 0)
			return p;
		p++;
	}
	return NULL;
}

static void
trim(const char **p, const char **e)
{
	while (*p < *e && (**p == ' ' || **p == '\t'))
		(*p)++;
	while (*e > *p && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/* One value of a term, p[0..e) trimmed, into l; -1 with a message. */
static int
value(const char *p, const char *e, const char *text, int inlist,
    struct mx_lit *l, char *err, size_t errlen)
{
	const char *q;

	if (p == e) {
		snprintf(err, errlen, "'%s': %s; write \"\" for the empty "
		    "string", text, inlist ? "an empty value in the list" :
		    "no value");
		return -1;
	}
	if (*p == '"') {
		if ((q = strend(p, e)) != e) {
			snprintf(err, errlen, "'%s': a quoted value is one "
			    "JSON string, quotes and escapes included", text);
			return -1;
		}
	} else {
		for (q = p; q < e; q++)
			if (*q == ',' && !inlist) {
				snprintf(err, errlen, "'%s': a comma in a "
				    "value is ambiguous: write 'field in "
				    "a,b' for either value, or quote the one "
				    "string (field=\"a,b\")", text);
				return -1;
			} else if (*q == '=' || *q == '<' || *q == '>' ||
			    *q == '"') {
				if (findword(p, q, " and ") != NULL ||
				    findword(p, q, " AND ") != NULL ||
				    findword(p, q, " OR ") != NULL)
					snprintf(err, errlen, "'%s': join "
					    "terms with ' or ' (lower case); "
					    "give one -w per condition that "
					    "must also hold", text);
				else
					snprintf(err, errlen, "'%s': '%c' in a "
					    "value is ambiguous: quote the "
					    "value as a JSON string "
					    "(field=\"a%cb\")", text, *q, *q);
				return -1;
			}
	}
	mx_lit_parse(l, p, (size_t)(e - p));
	return 0;
}

/* One term p[0..e) into t; -1 with a message. */
static int
term(const char *p, const char *e, const char *text, struct mx_sel *sel,
    struct term *t, char *err, size_t errlen)
{
	const char *op, *in, *notin, *fe, *v, *c;
	char *path;

	trim(&p, &e);
	for (op = p; op < e && !strchr("=!<>\"", *op); op++)
		;
	in = findword(p, op, " in ");
	notin = findword(p, op, " not in ");
	if (notin != NULL && (in == NULL || notin < in)) {
		t->op = OP_NOTIN;
		fe = notin;
		v = notin + 8;
	} else if (in != NULL) {
		t->op = OP_IN;
		fe = in;
		v = in + 4;
	} else {
		if (op == e || *op == '"') {
			snprintf(err, errlen, "'%s': expected field=value, "
			    "field!=value, <, <=, >, >=, 'field in a,b' or "
			    "'field not in a,b'", text);
			return -1;
		}
		fe = op;
		if (op[0] == '=') {
			t->op = OP_EQ;
			v = op + 1;
		} else if (op[0] == '!' && op + 1 < e && op[1] == '=') {
			t->op = OP_NE;
			v = op + 2;
		} else if (op[0] == '<' || op[0] == '>') {
			int eq = op + 1 < e && op[1] == '=';

			t->op = op[0] == '<' ? (eq ? OP_LE : OP_LT) :
			    (eq ? OP_GE : OP_GT);
			v = op + 1 + eq;
		} else {
			snprintf(err, errlen, "'%s': '!' alone is no "
			    "operator; != is", text);
			return -1;
		}
		for (c = v; c < e && (*c == ' ' || *c == '\t'); c++)
			;
		if (c < e && strchr("=!<>", *c)) {
			snprintf(err, errlen, "'%s': the operators are =, !=, "
			    "<, <=, >, >=; quote a value that begins with "
			    "one (field=\"=x\")", text);
			return -1;
		}
	}
	c = p;
	trim(&c, &fe);
	if (c == fe) {
		snprintf(err, errlen, "'%s': no field before the operator",
		    text);
		return -1;
	}
	path = mx_strndup(c, (size_t)(fe - c));
	t->f = mx_sel_add(sel, path);
	if (t->f < 0) {
		snprintf(err, errlen, "'%s': malformed field path '%s'", text,
		    path);
		free(path);
		return -1;
	}
	t->path = path;
	if (t->op == OP_IN || t->op == OP_NOTIN) {
		const char *ve = e, *item;

		trim(&v, &ve);
		for (;;) {
			/* the next comma outside a string */
			for (item = v, c = v; c < ve && *c != ','; )
				if (*c == '"') {
					if ((c = strend(c, ve)) == NULL)
						c = ve;
				} else
					c++;
			t->v = mx_reallocarray(t->v, t->nv + 1, sizeof *t->v);
			{
				const char *a = item, *b = c;

				trim(&a, &b);
				if (value(a, b, text, 1, &t->v[t->nv], err,
				    errlen) < 0)
					return -1;
			}
			t->nv++;
			if (c >= ve)
				break;
			v = c + 1;
		}
		return 0;
	}
	{
		const char *ve = e;

		trim(&v, &ve);
		t->v = mx_calloc(1, sizeof *t->v);
		if (value(v, ve, text, 0, t->v, err, errlen) < 0)
			return -1;
		t->nv = 1;
	}
	if (t->op != OP_EQ && t->op != OP_NE && t->v->v.cls == MX_OC_NULL) {
		snprintf(err, errlen, "'%s': null has no order: field=null "
		    "or field!=null", text);
		return -1;
	}
	return 0;
}

struct mx_where *
mx_where_new(void)
{
	return mx_calloc(1, sizeof(struct mx_where));
}

int
mx_where_add(struct mx_where *w, const char *text, struct mx_sel *sel,
    char *err, size_t errlen)
{
	const char *p = text, *e = text + strlen(text), *o;
	struct clause cl = { NULL, 0 };
	const char *tp = text, *te = e;
	size_t i;

	trim(&tp, &te);
	if ((te - tp >= 3 && memcmp(te - 3, " or", 3) == 0) ||
	    (te - tp >= 3 && memcmp(tp, "or ", 3) == 0) ||
	    (te - tp == 2 && memcmp(tp, "or", 2) == 0)) {
		snprintf(err, errlen, "'%s': a term is missing next to 'or'",
		    text);
		return -1;
	}
	for (;;) {
		o = findword(p, e, " or ");
		cl.t = mx_reallocarray(cl.t, cl.n + 1, sizeof *cl.t);
		memset(&cl.t[cl.n], 0, sizeof cl.t[cl.n]);
		if (term(p, o != NULL ? o : e, text, sel, &cl.t[cl.n++], err,
		    errlen) < 0)
			goto fail;
		if (o == NULL)
			break;
		p = o + 4;
	}
	w->c = mx_reallocarray(w->c, w->n + 1, sizeof *w->c);
	w->c[w->n++] = cl;
	return 0;
fail:
	for (i = 0; i < cl.n; i++) {
		size_t j;

		for (j = 0; j < cl.t[i].nv; j++)
			mx_lit_free(&cl.t[i].v[j]);
		free(cl.t[i].v);
		free(cl.t[i].path);
	}
	free(cl.t);
	return -1;
}

/* Are classes a and b compared as time? */
static int
astime(int a, int b)
{
	return (a == MX_OC_NUM && b == MX_OC_TIME) ||
	    (a == MX_OC_TIME && b == MX_OC_NUM);
}

static int
holds(const struct term *t, const struct mx_span *v)
{
	size_t i;
	int c;

	switch (t->op) {
	case OP_EQ:
		return mx_lit_eq(t->v, v);
	case OP_NE:
		return !mx_lit_eq(t->v, v);
	case OP_IN:
	case OP_NOTIN:
		for (i = 0; i < t->nv; i++)
			if (mx_lit_eq(&t->v[i], v))
				return t->op == OP_IN;
		return t->op == OP_NOTIN;
	default:
		/* null, and values of another class, are in no order with
		 * the literal */
		if (v->kind == MX_JNONE || v->kind == MX_JNULL)
			return 0;
		c = lit_cmp(t->v, v);
		if (c == MX_ORD_NONE || (scratch.cls != t->v->v.cls &&
		    !astime(scratch.cls, t->v->v.cls)))
			return 0;
		switch (t->op) {
		case OP_LT:
			return c < 0;
		case OP_LE:
			return c <= 0;
		case OP_GT:
			return c > 0;
		default:
			return c >= 0;
		}
	}
}

int
mx_where_match(const struct mx_where *w, const struct mx_span *spans)
{
	size_t i, k;

	for (i = 0; i < w->n; i++) {
		for (k = 0; k < w->c[i].n; k++)
			if (holds(&w->c[i].t[k], &spans[w->c[i].t[k].f]))
				break;
		if (k == w->c[i].n)
			return 0;
	}
	return 1;
}

size_t
mx_where_fields(const struct mx_where *w, int **f, const char ***paths)
{
	size_t i, k, n = 0;

	*f = NULL;
	*paths = NULL;
	for (i = 0; i < w->n; i++)
		for (k = 0; k < w->c[i].n; k++) {
			*f = mx_reallocarray(*f, n + 1, sizeof **f);
			*paths = mx_reallocarray(*paths, n + 1, sizeof **paths);
			(*paths)[n] = w->c[i].t[k].path;
			(*f)[n++] = w->c[i].t[k].f;
		}
	return n;
}

void
mx_where_free(struct mx_where *w)
{
	size_t i, k, j;

	if (w == NULL)
		return;
	for (i = 0; i < w->n; i++) {
		for (k = 0; k < w->c[i].n; k++) {
			for (j = 0; j < w->c[i].t[k].nv; j++)
				mx_lit_free(&w->c[i].t[k].v[j]);
			free(w->c[i].t[k].v);
			free(w->c[i].t[k].path);
		}
		free(w->c[i].t);
	}
	free(w->c);
	free(w);
}
