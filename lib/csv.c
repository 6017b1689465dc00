/*
 * csv.c: CSV through libcsv in strict mode, TSV by hand.
 *
 * libcsv is fed one physical line at a time, so that a record's raw text
 * and its first line number are known (libcsv counts neither) and a bad
 * record costs only itself: the parser is reset and the next line starts
 * afresh.  Only \n ends a record (a stray \r is data, not a record break),
 * and spaces around fields are kept: byte for byte, as everywhere in mx.
 */
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "mx.h"

struct mx_csv {
	struct csv_parser	 p;
	struct mx_reader	*r;
	int			 delim;
	int			 tsv;
	struct mx_buf		 data;	/* field bytes, back to back */
	size_t			*off, *len;
	unsigned char		*null;
	const char		**f;
	size_t			 nf, capf;
	int			 done;	/* libcsv ended a record */
	struct mx_buf		 raw;
	struct mx_buf		 tmp;	/* a TSV field being decoded */
	uintmax_t		 recno;
	uintmax_t		 line0;
	char			**hname;
	size_t			*hlen;
	size_t			 nh;
	int			 header;
	char			 err[128];
};

static int
noterm(unsigned char c)
{
	return c == '\n';
}

static int
nospace(unsigned char c)
{
	(void)c;
	return 0;
}

static void
addfield(struct mx_csv *c, const char *p, size_t n, int null)
{
	if (c->nf == c->capf) {
		c->capf = c->capf ? c->capf * 2 : 16;
		c->off = mx_reallocarray(c->off, c->capf, sizeof *c->off);
		c->len = mx_reallocarray(c->len, c->capf, sizeof *c->len);
		c->null = mx_reallocarray(c->null, c->capf, sizeof *c->null);
		c->f = mx_reallocarray(c->f, c->capf, sizeof *c->f);
	}
	c->off[c->nf] = c->data.len;
	c->len[c->nf] = n;
	c->null[c->nf] = (unsigned char)null;
	c->nf++;
	mx_buf_add(&c->data, p, n);
}

static void
cb1(void *field, size_t n, void *arg)
{
	addfield(arg, field, field == NULL ? 0 : n, field == NULL);
}

static void
cb2(int term, void *arg)
{
	(void)term;
	((struct mx_csv *)arg)->done = 1;
}

struct mx_csv *
mx_csv_new(struct mx_reader *r, int delim)
{
	struct mx_csv *c = mx_calloc(1, sizeof *c);

	c->r = r;
	c->delim = delim;
	/* never a NULL base for field pointers, even with no field bytes */
	mx_buf_grow(&c->data, 256);
	c->tsv = delim == '\t';
	if (csv_init(&c->p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL)
	    != 0)
		mx_errx(MX_EXIT_FAIL, "cannot start libcsv");
	csv_set_delim(&c->p, (unsigned char)delim);
	csv_set_term_func(&c->p, noterm);
	csv_set_space_func(&c->p, nospace);
	return c;
}

void
mx_csv_free(struct mx_csv *c)
{
	size_t i;

	if (c == NULL)
		return;
	csv_free(&c->p);
	for (i = 0; i < c->nh; i++)
		free(c->hname[i]);
	free(c->hname);
	free(c->hlen);
	free(c->off);
	free(c->len);
	free(c->null);
	free(c->f);
	mx_buf_free(&c->data);
	mx_buf_free(&c->raw);
	mx_buf_free(&c->tmp);
	free(c);
}

/* TSV: split on tabs, decode \t \n \r \\ (the IANA/Miller convention). */
static void
tsvline(struct mx_csv *c, const char *p, size_t n)
{
	const char *s = p, *end = p + n;
	struct mx_buf *t = &c->tmp;

	for (;;) {
		t->len = 0;
		for (; s < end && *s != '\t'; s++) {
			if (*s == '\\' && s + 1 < end) {
				switch (s[1]) {
				case 't': mx_buf_addc(t, '\t'); s++; continue;
				case 'n': mx_buf_addc(t, '\n'); s++; continue;
				case 'r': mx_buf_addc(t, '\r'); s++; continue;
				case '\\': mx_buf_addc(t, '\\'); s++; continue;
				}
			}
			mx_buf_addc(t, *s);
		}
		addfield(c, t->p, t->len, 0);
		if (s >= end)
			break;
		s++;
	}
	c->done = 1;
}

static void
fill(struct mx_csv *c, struct mx_csvrec *rec)
{
	size_t i;

	for (i = 0; i < c->nf; i++)
		c->f[i] = c->data.p + c->off[i];
	rec->nf = c->nf;
	rec->f = c->f;
	rec->len = c->len;
	rec->null = c->null;
	rec->raw = c->raw.p;
	rec->rawlen = c->raw.len;
	rec->recno = c->recno;
	rec->lineno = c->line0;
}

/* The next record, whatever its shape: 1, 0 at the end, -1 malformed. */
static int
next_raw(struct mx_csv *c, struct mx_csvrec *rec, const char **err)
{
	const char *line;
	ssize_t n;

	c->nf = 0;
	c->data.len = 0;
	c->raw.len = 0;
	c->done = 0;
	for (;;) {
		n = mx_reader_line(c->r, &line);
		if (n < 0) {
			if (c->raw.len == 0)
				return 0;
			c->recno++;
			if (csv_fini(&c->p, cb1, cb2, c) != 0) {
				csv_fini(&c->p, NULL, NULL, NULL);
				*err = "unterminated quoted field at end of input";
				fill(c, rec);
				return -1;
			}
			fill(c, rec);
			return c->done ? 1 : 0;
		}
		/* Spreadsheets' "CSV UTF-8" export begins with a byte order
		 * mark; kept, it would become part of the first column's
		 * name, and no contract would find that column. */
		if (c->r->lineno == 1 && n >= 3 &&
		    memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			n -= 3;
		}
		if (c->raw.len == 0)
			c->line0 = c->r->lineno;
		else
			mx_buf_addc(&c->raw, '\n');
		mx_buf_add(&c->raw, line, (size_t)n);
		if (c->tsv) {
			if (n == 0) {
				c->raw.len = 0;
				continue;
			}
			tsvline(c, line, (size_t)n);
		} else if (csv_parse(&c->p, line, (size_t)n, cb1, cb2, c) !=
		    (size_t)n || csv_parse(&c->p, "\n", 1, cb1, cb2, c) != 1) {
			csv_fini(&c->p, NULL, NULL, NULL);
			c->recno++;
			*err = "malformed quoting (a quote inside an unquoted "
			    "field, or text after a closing quote)";
			fill(c, rec);
			return -1;
		}
		if (c->done) {
			c->recno++;
			fill(c, rec);
			return 1;
		}
		if (c->p.pstate == 0 && c->nf == 0)
			c->raw.len = 0;		/* a blank line */
	}
}

int
mx_csv_next(struct mx_csv *c, struct mx_csvrec *rec, const char **err)
{
	size_t i, k;
	int r;

	if (!c->header) {
		if ((r = next_raw(c, rec, err)) <= 0) {
			if (r < 0)
				mx_errx(MX_EXIT_FAIL, "%s:%ju: header: %s",
				    mx_name(c->r->name), rec->lineno, *err);
			return 0;
		}
		c->header = 1;
		c->nh = c->nf;
		c->hname = mx_calloc(c->nh, sizeof *c->hname);
		c->hlen = mx_calloc(c->nh, sizeof *c->hlen);
		for (i = 0; i < c->nh; i++) {
			const char *f = c->data.p + c->off[i];

			if (!mx_utf8_valid(f, c->len[i]))
				mx_errx(MX_EXIT_FAIL,
				    "%s:%ju: header: invalid UTF-8 in column %zu",
				    mx_name(c->r->name), rec->lineno, i + 1);
			if (c->len[i] == 0)
				mx_errx(MX_EXIT_FAIL,
				    "%s:%ju: header: column %zu has no name",
				    mx_name(c->r->name), rec->lineno, i + 1);
			c->hname[i] = mx_strndup(f, c->len[i]);
			c->hlen[i] = c->len[i];
			for (k = 0; k < i; k++)
				if (strcmp(c->hname[k], c->hname[i]) == 0)
					mx_errx(MX_EXIT_FAIL,
					    "%s:%ju: header: column name '%s' "
					    "appears twice", mx_name(c->r->name),
					    rec->lineno, c->hname[i]);
		}
	}
	if ((r = next_raw(c, rec, err)) <= 0)
		return r;
	if (rec->nf != c->nh) {
		snprintf(c->err, sizeof c->err,
		    "%zu fields, but the header has %zu", rec->nf, c->nh);
		*err = c->err;
		return -1;
	}
	for (i = 0; i < rec->nf; i++)
		if (!mx_utf8_valid(rec->f[i], rec->len[i])) {
			snprintf(c->err, sizeof c->err,
			    "invalid UTF-8 in field %zu (%s)", i + 1,
			    c->hname[i]);
			*err = c->err;
			return -1;
		}
	return 1;
}

size_t
mx_csv_header(struct mx_csv *c, const char *const **names,
    const size_t **lens)
{
	*names = (const char *const *)c->hname;
	*lens = c->hlen;
	return c->nh;
}
