/*
 * seen.c: the fields named in options that no record had.  A misspelt
 * field is no error to a scanner (it is just missing from every record),
 * so a key or a column of nulls would pass without a word; at the end,
 * every tool names the fields that were never there, worded the same
 * everywhere.
 */
#include <stdlib.h>
#include <string.h>

#include "mx.h"

size_t
mx_seen_add(struct mx_seen *s, const char *opt, const char *path, int sel)
{
	struct mx_seen_field *f;
	size_t i;

	/* one warning a field, under the first option that named it */
	for (i = 0; i < s->n; i++)
		if (sel >= 0 ? s->v[i].sel == sel :
		    strcmp(s->v[i].path, path) == 0)
			return i;
	s->v = mx_reallocarray(s->v, s->n + 1, sizeof *s->v);
	f = &s->v[s->n];
	f->opt = mx_strdup(opt);
	f->path = mx_strdup(path);
	f->sel = sel;
	f->seen = 0;
	s->left++;
	return s->n++;
}

void
mx_seen_mark(struct mx_seen *s, size_t i)
{
	if (!s->v[i].seen) {
		s->v[i].seen = 1;
		s->left--;
	}
}

void
mx_seen_spans(struct mx_seen *s, const struct mx_span *sp)
{
	size_t i;

	s->nrec++;
	if (s->left == 0 || sp == NULL)
		return;
	for (i = 0; i < s->n; i++)
		if (!s->v[i].seen && s->v[i].sel >= 0 &&
		    sp[s->v[i].sel].kind != MX_JNONE) {
			s->v[i].seen = 1;
			s->left--;
		}
}

size_t
mx_seen_report(const struct mx_seen *s, int strict)
{
	size_t i;

	/* no record says nothing of the names */
	if (s->nrec == 0 || s->left == 0)
		return 0;
	for (i = 0; i < s->n; i++) {
		if (s->v[i].seen)
			continue;
		if (s->whose != NULL)
			mx_warnx("%s: no record of %s had the field '%s'%s",
			    s->v[i].opt, s->whose, s->v[i].path, strict ? "" :
			    " (a typo?)");
		else
			mx_warnx("%s: no record had the field '%s'%s",
			    s->v[i].opt, s->v[i].path, strict ? "" :
			    " (a typo?)");
	}
	return s->left;
}

void
mx_seen_free(struct mx_seen *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].opt);
		free(s->v[i].path);
	}
	free(s->v);
	s->v = NULL;
	s->n = s->left = 0;
	s->nrec = 0;
}
