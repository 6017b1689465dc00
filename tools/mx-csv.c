/*
 * mx-csv: NDJSON records out as CSV, TSV or an aligned text table.
 *
 * Gold tables end in spreadsheets and BI tools, and in a terminal.  A
 * spreadsheet runs a cell that starts with = + - or @ as a formula (CSV
 * injection), so string cells that do are written with a leading
 * apostrophe, as OWASP advises; numbers are JSON numbers and are left as
 * they are, so -3.5 stays a number.  Values are written as the records
 * hold them (decimals are never rounded through a double).
 *
 * The columns are the first record's keys, or those -f chooses.  Without
 * -f, a later record with a key that is not a column is an error rather
 * than a dropped cell.
 *
 * A control character (C0, DEL, C1) in a value would reach the terminal
 * that shows the output and could drive it (an ESC sequence sets the
 * window title, or worse), so the table of -p shows them as escapes.  CSV
 * and TSV are for programs and keep the bytes, a CSV cell that holds one
 * quoted; -e escapes them there too.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "mx.h"

enum { F_CSV, F_TSV, F_TABLE };

static struct {
	int	 fmt, noheader, raw, escape;
	char	*fields, *outpath;
} opt;

static struct {
	struct mx_buf	*name;		/* column names, unescaped */
	size_t		*seen;		/* -f: index in named */
	size_t		 n;
} col;

/* The columns of -f, and whether a record had them. */
static struct mx_seen named;

/* -p keeps every cell, as the widths are known only at the end. */
static struct mx_table tab;

static struct mx_out *out;
static struct mx_buf cell, tmp;

static const char synopsis[] =
	    "usage: mx-csv [-eHpt] [-f fields] [--raw] [-o file] [--strict]\n"
	    "              [--max-record size] [--max-depth n] [file ...]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

static void
addcol(const char *p, size_t n)
{
	col.name = mx_reallocarray(col.name, col.n + 1, sizeof *col.name);
	memset(&col.name[col.n], 0, sizeof col.name[0]);
	mx_buf_add(&col.name[col.n++], p, n);
}

static void
fields_opt(const char *s)
{
	const char *c;

	for (;;) {
		c = strchr(s, ',');
		if ((c == NULL ? strlen(s) : (size_t)(c - s)) == 0) {
			mx_warnx("-f: an empty field name");
			usage();
		}
		addcol(s, c == NULL ? strlen(s) : (size_t)(c - s));
		col.seen = mx_reallocarray(col.seen, col.n, sizeof *col.seen);
		col.seen[col.n - 1] = mx_seen_add(&named, "-f",
		    mx_buf_cstr(&col.name[col.n - 1]), -1);
		if (c == NULL)
			break;
		s = c + 1;
	}
}

/* The key of member m, unescaped, in tmp. */
static void
keytext(const struct mx_member *m)
{
	tmp.len = 0;
	if (m->key.esc)
		mx_json_unescape(&m->key, &tmp);
	else
		mx_buf_add(&tmp, m->key.p + 1, m->key.n - 2);
}

static size_t
findcol(const struct mx_member *m, size_t hint)
{
	size_t i;

	keytext(m);
	if (hint < col.n && col.name[hint].len == tmp.len &&
	    memcmp(col.name[hint].p, tmp.p, tmp.len) == 0)
		return hint;
	for (i = 0; i < col.n; i++)
		if (col.name[i].len == tmp.len &&
		    memcmp(col.name[i].p, tmp.p, tmp.len) == 0)
			return i;
	return col.n;
}

/* The text of a cell in cell: strings unescaped (and made safe for
 * spreadsheets), null empty, anything else as written. */
static void
celltext(const struct mx_span *v)
{
	cell.len = 0;
	switch (v->kind) {
	case MX_JNONE:
	case MX_JNULL:
		break;
	case MX_JSTR:
		mx_buf_addc(&cell, '\'');
		if (v->esc)
			mx_json_unescape(v, &cell);
		else
			mx_buf_add(&cell, v->p + 1, v->n - 2);
		/* the apostrophe stays when the text could be a formula */
		if (opt.raw || cell.len == 1 || cell.p[1] == '\0' ||
		    strchr("=+-@\t\r", cell.p[1]) == NULL) {
			cell.len--;
			memmove(cell.p, cell.p + 1, cell.len);
		}
		break;
	default:
		mx_buf_add(&cell, v->p, v->n);
	}
}

static void
put_csv(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == ',' || p[i] == '"' || mx_ctl(p + i, n - i) > 0)
			break;
	if (i == n) {
		mx_out_write(out, p, n);
		return;
	}
	mx_out_putc(out, '"');
	for (i = 0; i < n; i++) {
		if (p[i] == '"')
			mx_out_putc(out, '"');
		mx_out_putc(out, p[i]);
	}
	mx_out_putc(out, '"');
}

/* Tabs, newlines and backslashes escaped, so that a cell is one field of
 * one line for cut and awk. */
static void
put_tsv(struct mx_buf *b, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		switch (p[i]) {
		case '\t':
			mx_buf_add(b, "\\t", 2);
			break;
		case '\n':
			mx_buf_add(b, "\\n", 2);
			break;
		case '\r':
			mx_buf_add(b, "\\r", 2);
			break;
		case '\\':
			mx_buf_add(b, "\\\\", 2);
			break;
		default:
			mx_buf_addc(b, p[i]);
		}
}

/* One cell of column i; isnum: the value is a JSON number. */
static void
emit(size_t i, const char *p, size_t n, int isnum, int header)
{
	static struct mx_buf b;

	switch (opt.fmt) {
	case F_CSV:
		if (i > 0)
			mx_out_putc(out, ',');
		if (opt.escape) {
			b.len = 0;
			mx_buf_vis(&b, p, n);
			p = b.p;
			n = b.len;
		}
		put_csv(p, n);
		break;
	case F_TSV:
		if (i > 0)
			mx_out_putc(out, '\t');
		b.len = 0;
		if (opt.escape)
			mx_buf_vis(&b, p, n);
		else
			put_tsv(&b, p, n);
		mx_out_write(out, b.p, b.len);
		break;
	case F_TABLE:
		mx_table_cell(&tab, i, p, n, isnum, header);
		break;
	}
}

static void
endrow(void)
{
	if (opt.fmt != F_TABLE)
		mx_out_putc(out, '\n');
}

static void
header(void)
{
	size_t i;

	if (opt.fmt == F_TABLE)
		mx_table_init(&tab, col.n, !opt.noheader);
	if (opt.noheader)
		return;
	for (i = 0; i < col.n; i++)
		emit(i, col.name[i].p, col.name[i].len, 0, 1);
	endrow();
}

static void
convert(const char *path, struct mx_json *js)
{
	static struct mx_member *m;
	static size_t mcap;
	static struct mx_span *row;
	struct mx_reader r;
	const char *line;
	ssize_t len;
	size_t nm, i, c;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_FAIL, "%s", mx_name(path));
	while ((len = mx_reader_line(&r, &line)) >= 0) {
		if (mx_blank(line, (size_t)len))
			continue;
		if (mx_json_scan(js, line, (size_t)len, NULL, 1) < 0)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(path),
			    r.lineno, mx_json_errstr(js));
		nm = mx_json_members(line, (size_t)len, &m, &mcap);
		if (col.n == 0 && row == NULL) {
			for (i = 0; i < nm; i++) {
				keytext(&m[i]);
				addcol(tmp.p, tmp.len);
			}
			header();
		}
		if (row == NULL)
			row = mx_calloc(col.n + 1, sizeof *row);
		for (i = 0; i < col.n; i++)
			row[i].kind = MX_JNONE;
		mx_seen_spans(&named, NULL);
		for (i = 0; i < nm; i++) {
			if ((c = findcol(&m[i], i)) == col.n) {
				if (opt.fields != NULL)
					continue;	/* not chosen */
				keytext(&m[i]);
				/* the key goes to a terminal too */
				cell.len = 0;
				mx_buf_vis(&cell, tmp.p, tmp.len);
				mx_errx(MX_EXIT_FAIL, "%s:%ju: field \"%.*s\" is "
				    "not a column (the columns are the first "
				    "record's fields; choose them with -f)",
				    mx_name(path), r.lineno, (int)cell.len,
				    cell.p);
			}
			row[c] = m[i].val;
			if (named.left > 0 && opt.fields != NULL)
				mx_seen_mark(&named, col.seen[c]);
		}
		for (i = 0; i < col.n; i++) {
			celltext(&row[i]);
			emit(i, cell.p, cell.len, row[i].kind == MX_JNUM, 0);
		}
		endrow();
	}
	mx_reader_close(&r);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "raw", no_argument, NULL, 'R' },
		{ "escape-controls", no_argument, NULL, 'e' },
		MX_STRICT_LONGOPT,
		MX_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct mx_json *js;
	int c, i;

	mx_init(argv[0]);
	while ((c = mx_getopt(argc, argv, "ef:Ho:pt", longopts, NULL,
	    synopsis)) != -1)
		switch (c) {
		case 'e':
			opt.escape = 1;
			break;
		case 'f':
			opt.fields = optarg;
			break;
		case 'H':
			opt.noheader = 1;
			break;
		case 'o':
			opt.outpath = optarg;
			break;
		case 'p':
			opt.fmt = F_TABLE;
			break;
		case 't':
			opt.fmt = F_TSV;
			break;
		case 'R':
			opt.raw = 1;
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;
	if (opt.fields != NULL)
		fields_opt(opt.fields);

	out = opt.outpath != NULL ? mx_out_open(opt.outpath) :
	    mx_out_stdout();
	if (col.n > 0)
		header();
	js = mx_json_new(NULL);
	if (argc == 0)
		convert("-", js);
	for (i = 0; i < argc; i++)
		convert(argv[i], js);
	if (mx_seen_report(&named, mx_opt_strict) > 0 && mx_opt_strict) {
		/* a file of a column of nulls is not published */
		if (out != mx_stdout)
			mx_out_abort(out);
		exit(MX_EXIT_FAIL);
	}
	if (opt.fmt == F_TABLE) {
		mx_table_write(&tab, out);
		mx_table_free(&tab);
	}
	mx_json_free(js);
	mx_out_close(out);
	if (out != mx_stdout)
		mx_out_close(mx_out_stdout());
	return MX_EXIT_OK;
}
