/*
 * expr.c: field expressions, the one syntax for keys, group-bys and
 * partitions: "channel", "day=booking_date", "event_date=date(timestamp)",
 * comma-separated.
 */
#include <stdlib.h>
#include <string.h>

#include "mx.h"

const char *const mx_efn_names[] = { "", "date", "hour", "week", "dow",
    "month", "year", "minute", "hour_start", "hour_end", "day_start",
    "day_end", "month_start", "month_end", "days", NULL };

/* The start of the window of fn that holds sec, or of the next window
 * (end), as seconds since the epoch. */
static int64_t
window(int fn, int64_t sec)
{
	int y, m, d, h, mi, s;

	mx_time_civil(sec, &y, &m, &d, &h, &mi, &s);
	switch (fn) {
	case MX_EHSTART:
	case MX_EHEND:
		return sec - mi * 60 - s + (fn == MX_EHEND ? 3600 : 0);
	case MX_EDSTART:
	case MX_EDEND:
		return mx_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 +
		    (fn == MX_EDEND ? 86400 : 0);
	default:
		if (fn == MX_EMEND && ++m > 12) {
			m = 1;
			y++;
		}
		return mx_days_from_civil(y, (unsigned)m, 1) * 86400;
	}
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static int
one(struct mx_expr *e, char *item, struct mx_sel *sel, char *err,
    size_t errlen)
{
	char *name = NULL, *rhs = item, *eq, *open;
	int fn = MX_EPATH, i;

	/* name=..., but not the '=' of a path inside a function call */
	eq = strchr(item, '=');
	open = strchr(item, '(');
	if (eq != NULL && (open == NULL || eq < open)) {
		*eq = '\0';
		name = trim(item);
		rhs = trim(eq + 1);
		if (*name == '\0') {
			snprintf(err, errlen, "empty name in '%s='", item);
			return -1;
		}
	}
	rhs = trim(rhs);
	if ((open = strchr(rhs, '(')) != NULL) {
		size_t n = strlen(rhs);

		if (n == 0 || rhs[n - 1] != ')') {
			snprintf(err, errlen, "missing ')' in '%s'", rhs);
			return -1;
		}
		rhs[n - 1] = '\0';
		*open = '\0';
		for (i = 1; mx_efn_names[i] != NULL; i++)
			if (strcmp(trim(rhs), mx_efn_names[i]) == 0)
				break;
		if (mx_efn_names[i] == NULL) {
			snprintf(err, errlen,
			    "unknown function '%s' (date, hour, week, dow, "
			    "month, year, minute)", trim(rhs));
			return -1;
		}
		fn = i;
		if (name == NULL)
			name = (char *)mx_efn_names[i];
		rhs = trim(open + 1);
	}
	if (*rhs == '\0') {
		snprintf(err, errlen, "empty field path");
		return -1;
	}
	e->fn = fn;
	e->path = mx_strdup(rhs);
	e->name = mx_strdup(name != NULL ? name : rhs);
	if ((e->sel = mx_sel_add(sel, rhs)) < 0) {
		snprintf(err, errlen, "bad field path '%s'", rhs);
		return -1;
	}
	return 0;
}

int
mx_exprs_parse(struct mx_exprs *l, const char *spec, struct mx_sel *sel,
    char *err, size_t errlen)
{
	char *copy = mx_strdup(spec), *item, *next;
	size_t i, k;
	int depth;

	for (item = copy; item != NULL; item = next) {
		/* split at commas outside parentheses */
		depth = 0;
		for (next = item; *next; next++) {
			if (*next == '(')
				depth++;
			else if (*next == ')')
				depth--;
			else if (*next == ',' && depth == 0)
				break;
		}
		if (*next == ',')
			*next++ = '\0';
		else
			next = NULL;
		l->v = mx_reallocarray(l->v, l->n + 1, sizeof *l->v);
		memset(&l->v[l->n], 0, sizeof l->v[l->n]);
		if (one(&l->v[l->n], item, sel, err, errlen) < 0) {
			free(l->v[l->n].name);
			free(l->v[l->n].path);
			free(copy);
			return -1;
		}
		l->n++;
	}
	free(copy);
	for (i = 0; i < l->n; i++)
		for (k = i + 1; k < l->n; k++)
			if (strcmp(l->v[i].name, l->v[k].name) == 0) {
				snprintf(err, errlen, "name '%s' used twice",
				    l->v[i].name);
				return -1;
			}
	return 0;
}

void
mx_exprs_free(struct mx_exprs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].path);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

char *
mx_exprs_spec(const struct mx_exprs *l)
{
	struct mx_buf b = { 0 };
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i > 0)
			mx_buf_addc(&b, ',');
		if (l->v[i].fn == MX_EPATH)
			mx_buf_adds(&b, l->v[i].path);
		else
			mx_buf_printf(&b, "%s(%s)", mx_efn_names[l->v[i].fn],
			    l->v[i].path);
	}
	mx_buf_cstr(&b);
	return b.p;
}

size_t
mx_exprs_canon(const struct mx_exprs *l, const struct mx_span *spans,
    struct mx_buf *kb)
{
	struct mx_span v;
	char tmp[MX_EXPR_TMP];
	size_t i, nulls = 0;
	int k, bad;

	kb->len = 0;
	for (i = 0; i < l->n; i++) {
		k = mx_expr_eval(&l->v[i], spans, &v, tmp, &bad);
		if (k == MX_JNONE || k == MX_JNULL)
			nulls++;
		mx_json_canon(&v, kb);
	}
	return nulls;
}

int
mx_expr_eval(const struct mx_expr *e, const struct mx_span *spans,
    struct mx_span *val, char tmp[MX_EXPR_TMP], int *bad)
{
	const struct mx_span *s = &spans[e->sel];
	struct mx_time t;
	int y, m, d, h, mi, sec, n = 0, w;

	*bad = 0;
	if (e->fn == MX_EPATH || s->kind == MX_JNONE || s->kind == MX_JNULL) {
		*val = *s;
		return s->kind;
	}
	if (mx_time_span(s, &t) < 0) {
		*bad = 1;
		val->p = "null";
		val->n = 4;
		val->kind = MX_JNULL;
		val->esc = 0;
		return MX_JNULL;
	}
	val->kind = MX_JSTR;
	if (e->fn == MX_EDATE) {
		/* the commonest key, and mx_time_date works out its own */
		tmp[0] = '"';
		n = mx_time_date(&t, tmp + 1) + 1;
		tmp[n++] = '"';
		goto done;
	}
	mx_time_civil(t.sec, &y, &m, &d, &h, &mi, &sec);
	switch (e->fn) {
	case MX_EHOUR:
		n = mx_fmt_int(h, tmp);
		val->kind = MX_JNUM;
		break;
	case MX_EMINUTE:
		n = mx_fmt_int(mi, tmp);
		val->kind = MX_JNUM;
		break;
	case MX_EWEEK:
		mx_time_isoweek(t.sec, &y, &w);
		n = snprintf(tmp, MX_EXPR_TMP, "\"%04d-W%02d\"", y, w);
		break;
	case MX_EDOW:
		n = mx_fmt_int(mx_time_dow(t.sec), tmp);
		val->kind = MX_JNUM;
		break;
	case MX_EMONTH:
		n = snprintf(tmp, MX_EXPR_TMP, "\"%04d-%02d\"", y, m);
		break;
	case MX_EYEAR:
		n = mx_fmt_int(y, tmp);
		val->kind = MX_JNUM;
		break;
	case MX_EDAYS:	/* so that a difference of two is in days */
		n = mx_fmt_int(mx_days_from_civil(y, (unsigned)m,
		    (unsigned)d), tmp);
		val->kind = MX_JNUM;
		break;
	default: {
		char b[40];

		t.sec = window(e->fn, t.sec);
		t.nsec = 0;
		n = mx_time_fmt(&t, b);
		tmp[0] = '"';
		memcpy(tmp + 1, b, (size_t)n);
		tmp[++n] = '"';
		n++;
		break;
	}
	}
done:
	val->p = tmp;
	val->n = (uint32_t)n;
	val->esc = 0;
	return val->kind;
}
