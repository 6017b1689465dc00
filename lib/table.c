/*
 * table.c: an aligned text table for people (mx-csv -p, mx-stats -p).
 *
 * The widths are known only at the end, so every cell is kept.  Cells are
 * shown with control characters escaped (mx_buf_vis): a value must not
 * drive the terminal that shows it.
 */
#include <stdlib.h>
#include <string.h>

#include "mx.h"

void
mx_table_init(struct mx_table *t, size_t ncol, int header)
{
	size_t i;

	memset(t, 0, sizeof *t);
	t->ncol = ncol;
	t->header = header;
	t->width = mx_calloc(ncol ? ncol : 1, sizeof *t->width);
	t->num = mx_calloc(ncol ? ncol : 1, sizeof *t->num);
	for (i = 0; i < ncol; i++)
		t->num[i] = 1;
}

size_t
mx_utf8_chars(const char *p, size_t n)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++)
		w += ((unsigned char)p[i] & 0xc0) != 0x80;
	return w;
}

void
mx_table_cell(struct mx_table *t, size_t col, const char *p, size_t n,
    int isnum, int header)
{
	size_t w, beg;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->end = mx_reallocarray(t->end, t->cap, sizeof *t->end);
	}
	beg = t->text.len;
	mx_buf_vis(&t->text, p, n);
	t->end[t->n++] = t->text.len;
	/* the width of what is shown, escapes included */
	w = mx_utf8_chars(t->text.p + beg, t->text.len - beg);
	if (w > t->width[col])
		t->width[col] = w;
	if (!header && n > 0 && !isnum)
		t->num[col] = 0;
}

static void
pad(struct mx_buf *line, size_t n)
{
	while (n-- > 0)
		mx_buf_addc(line, ' ');
}

/* The line without trailing blanks (an empty last cell leaves some). */
static void
putline(struct mx_buf *line, struct mx_out *o)
{
	while (line->len > 0 && line->p[line->len - 1] == ' ')
		line->len--;
	mx_buf_addc(line, '\n');
	mx_out_write(o, line->p, line->len);
	line->len = 0;
}

void
mx_table_write(const struct mx_table *t, struct mx_out *o)
{
	struct mx_buf line = { 0 };
	size_t r, i, k = 0, beg = 0, w;

	for (r = 0; k < t->n; r++) {
		for (i = 0; i < t->ncol && k < t->n; i++, k++) {
			const char *p = t->text.p + beg;
			size_t n = t->end[k] - beg;

			beg = t->end[k];
			w = mx_utf8_chars(p, n);
			if (i > 0)
				pad(&line, 2);
			if (t->num[i])
				pad(&line, t->width[i] - w);
			mx_buf_add(&line, p, n);
			if (!t->num[i])
				pad(&line, t->width[i] - w);
		}
		putline(&line, o);
		if (r == 0 && t->header) {
			for (i = 0; i < t->ncol; i++) {
				if (i > 0)
					pad(&line, 2);
				for (w = 0; w < t->width[i]; w++)
					mx_buf_addc(&line, '-');
			}
			putline(&line, o);
		}
	}
	mx_buf_free(&line);
}

void
mx_table_free(struct mx_table *t)
{
	mx_buf_free(&t->text);
	free(t->end);
	free(t->width);
	free(t->num);
	memset(t, 0, sizeof *t);
}
