/*
 * join.c: what the join tools share (mx-join, mx-join-spend, mx-budget):
 * the key list of a join, a record's key as canonical bytes (compared)
 * and as JSON text (written back), the natural order of keys, and the
 * reject of a record with its rule and field.
 */
#include <stdlib.h>
#include <string.h>

#include "mx.h"

/* The end of the item at s: the next comma outside parentheses. */
static char *
item_end(char *s)
{
	int depth = 0;

	for (; *s != '\0'; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')')
			depth--;
		else if (*s == ',' && depth == 0)
			break;
	}
	return s;
}

/* The '=' of s outside parentheses, or NULL. */
static char *
equals(char *s)
{
	int depth = 0;

	for (; *s != '\0'; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')')
			depth--;
		else if (*s == '=' && depth == 0)
			return s;
	}
	return NULL;
}

/* One expression of one item, moved to the end of l. */
static int
one(struct mx_exprs *l, const char *item, struct mx_sel *sel, char *err,
    size_t errlen)
{
	struct mx_exprs t = { NULL, 0 };

	if (strchr(item, '=') != NULL && equals((char *)item) != NULL) {
		snprintf(err, errlen, "one '=' per key: '%s'", item);
		return -1;
	}
	if (mx_exprs_parse(&t, item, sel, err, errlen) < 0) {
		mx_exprs_free(&t);
		return -1;
	}
	l->v = mx_reallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = t.v[0];
	free(t.v);
	return 0;
}

int
mx_joinkeys_parse(const char *spec, int leftpaths, struct mx_exprs *left,
    struct mx_sel *lsel, struct mx_exprs *right, struct mx_sel *rsel,
    char *err, size_t errlen)
{
	char *copy = mx_strdup(spec), *item, *next, *eq;
	struct mx_expr *r, *lx;
	size_t i, k;
	int rc = -1;

	for (item = copy; item != NULL; item = next) {
		next = item_end(item);
		if (*next == ',')
			*next++ = '\0';
		else
			next = NULL;
		if ((eq = equals(item)) != NULL) {
			*eq = '\0';
			if (leftpaths && strchr(item, '(') != NULL) {
				snprintf(err, errlen, "'%s': the left side "
				    "is a field, not a function", item);
				goto out;
			}
			if (one(left, item, lsel, err, errlen) < 0 ||
			    one(right, eq + 1, rsel, err, errlen) < 0)
				goto out;
		} else if (one(right, item, rsel, err, errlen) < 0)
			goto out;
		else if (leftpaths) {
			/* the field the expression names, as mx-agg -g
			 * writes it */
			r = &right->v[right->n - 1];
			left->v = mx_reallocarray(left->v, left->n + 1,
			    sizeof *left->v);
			lx = &left->v[left->n++];
			memset(lx, 0, sizeof *lx);
			lx->fn = MX_EPATH;
			lx->name = mx_strdup(r->name);
			lx->path = mx_strdup(r->name);
			if ((lx->sel = mx_sel_add(lsel, lx->path)) < 0) {
				snprintf(err, errlen, "bad field path '%s'",
				    lx->path);
				goto out;
			}
		} else if (one(left, item, lsel, err, errlen) < 0)
			goto out;
		/* the right side goes by the left's name */
		r = &right->v[right->n - 1];
		free(r->name);
		r->name = mx_strdup(left->v[left->n - 1].name);
	}
	for (i = 0; i < left->n; i++)
		for (k = i + 1; k < left->n; k++)
			if (strcmp(left->v[i].name, left->v[k].name) == 0) {
				snprintf(err, errlen, "name '%s' used twice",
				    left->v[i].name);
				goto out;
			}
	rc = 0;
out:
	free(copy);
	return rc;
}

int
mx_jkey(const struct mx_exprs *x, const struct mx_span *sp,
    struct mx_buf *canon, struct mx_buf *text, int *kind, int *bad)
{
	struct mx_span v;
	char tmp[MX_EXPR_TMP];
	uint32_t n;
	size_t i;

	for (i = 0; i < x->n; i++) {
		if (mx_expr_eval(&x->v[i], sp, &v, tmp, bad) == MX_JNONE ||
		    v.kind == MX_JNULL) {
			*kind = v.kind;
			return (int)i;
		}
		mx_json_canon(&v, canon);
		if (text != NULL) {
			n = v.n;
			mx_buf_add(text, &n, sizeof n);
			mx_buf_add(text, v.p, v.n);
		}
	}
	return -1;
}

void
mx_jkey_put(struct mx_objw *w, const struct mx_exprs *names,
    const char *text)
{
	uint32_t n;
	size_t i;

	for (i = 0; i < names->n; i++) {
		memcpy(&n, text, sizeof n);
		text += sizeof n;
		mx_out_key(w, names->v[i].name);
		mx_out_write(w->o, text, n);
		text += n;
	}
}

/* The next part of a canonical key: its tag, content and length. */
static const char *
canon_part(const char *p, int *tag, size_t *n)
{
	const unsigned char *u = (const unsigned char *)p;

	*tag = p[0];
	*n = (size_t)u[1] << 24 | (size_t)u[2] << 16 | (size_t)u[3] << 8 | u[4];
	return p + 5;
}

static int
tag_rank(int tag)
{
	static const char order[] = "nftdsao";
	const char *p = strchr(order, tag);

	return p != NULL ? (int)(p - order) : 0;
}

int
mx_jkey_cmp(const char *ca, const char *ta, const char *cb, const char *tb,
    size_t nk)
{
	struct mx_dec x, y;
	size_t i, na, nb;
	uint32_t la, lb;
	int tga, tgb, c;

	for (i = 0; i < nk; i++) {
		memcpy(&la, ta, sizeof la);
		memcpy(&lb, tb, sizeof lb);
		ta += sizeof la;
		tb += sizeof lb;
		ca = canon_part(ca, &tga, &na);
		cb = canon_part(cb, &tgb, &nb);
		if (tga != tgb)
			return tag_rank(tga) - tag_rank(tgb);
		c = 0;
		/* numbers by value, from their text: the canonical bytes
		 * of a number are equal for equal values, not ordered */
		if (tga == 'd' && mx_dec_parse(ta, la, &x) == 0 &&
		    mx_dec_parse(tb, lb, &y) == 0)
			c = mx_dec_cmp(&x, &y);
		if (c == 0 && (c = memcmp(ca, cb, na < nb ? na : nb)) == 0)
			c = na < nb ? -1 : na > nb;
		if (c != 0)
			return c;
		ca += na;
		cb += nb;
		ta += la;
		tb += lb;
	}
	return 0;
}

size_t
mx_obj_end(const char *rec, size_t n, int *empty)
{
	size_t e = n, i;

	/* the record has been scanned: the last '}' is its closing brace */
	while (e > 0 && rec[e - 1] != '}')
		e--;
	e--;
	i = e;
	while (i > 0 && (rec[i - 1] == ' ' || rec[i - 1] == '\t' ||
	    rec[i - 1] == '\n' || rec[i - 1] == '\r'))
		i--;
	*empty = i > 0 && rec[i - 1] == '{';
	return e;
}

int
mx_buf_obj_open(struct mx_buf *b, const char *rec, size_t n)
{
	int empty;

	mx_buf_add(b, rec, mx_obj_end(rec, n, &empty));
	return empty;
}

void
mx_reject_fmt(struct mx_buf *b, const char *tool, const struct mx_rec *r,
    const char *rule, const char *field, const char *why)
{
	const char *file = mx_name(r->file);
	int empty = 1;

	if (r->whole)
		empty = mx_buf_obj_open(b, r->p, r->n);
	else
		mx_buf_addc(b, '{');
	mx_buf_adds(b, empty ? "\"_reject\":{\"tool\":" :
	    ",\"_reject\":{\"tool\":");
	mx_json_quote(b, tool, strlen(tool));
	mx_buf_adds(b, ",\"file\":");
	mx_json_quote(b, file, strlen(file));
	mx_buf_printf(b, ",\"line\":%ju,\"rule\":", r->line);
	mx_json_quote(b, rule, strlen(rule));
	if (field != NULL) {
		mx_buf_adds(b, ",\"field\":");
		mx_json_quote(b, field, strlen(field));
	}
	mx_buf_adds(b, ",\"reason\":");
	mx_json_quote(b, why, strlen(why));
	mx_buf_addc(b, '}');
	if (!r->whole) {
		if (mx_utf8_valid(r->p, r->n)) {
			mx_buf_adds(b, ",\"_raw\":");
			mx_json_quote(b, r->p, r->n);
		} else {
			mx_buf_adds(b, ",\"_raw_base64\":\"");
			mx_b64(b, r->p, r->n);
			mx_buf_addc(b, '"');
		}
	}
	mx_buf_adds(b, "}\n");
}

void
mx_reject_rec(struct mx_out *o, const char *tool, const struct mx_rec *r,
    const char *rule, const char *field, const char *why)
{
	static struct mx_buf b;

	b.len = 0;
	mx_reject_fmt(&b, tool, r, rule, field, why);
	mx_out_write(o, b.p, b.len);
}
