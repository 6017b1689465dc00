/*
 * mx-report: a lake's gold tables as one web page that people can look
 * at: charts drawn here as inline SVG, each with the numbers behind it in
 * a table, per domain, and the health of the lake (runs, rejects).
 *
 * The page is self-contained (no script, no font, no image, no fetch) so
 * that it opens from a disk or an S3 bucket without a server, and it
 * depends on nothing but the lake (no clock), so the same lake gives the
 * same bytes.  Every value printed comes from the gold text through exact
 * decimals; doubles only place marks on a chart.
 *
 * A gold table that is missing or empty is said to be so where its chart
 * would be: a partial lake still gets its report.  A table that is there
 * but unreadable, or lacks a column the report reads, is an error, as in
 * every mx tool.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mx.h"

/* ---- options ---- */

static struct {
	const char	*lake, *out, *title, *currency;
} opt = { "lake", "-", "Marketing lake report", NULL };

static const char synopsis[] =
	    "usage: mx-report [-c currency] [-l lake] [-o file] [-t title]\n"
	    "                 [--max-record size] [--max-depth n]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

/* ---- output ---- */

static struct mx_out *o;

static void
put(const char *s)
{
	mx_out_puts(o, s);
}

#define putf(...)	mx_out_printf(o, __VA_ARGS__)

/* Text for HTML: the five special characters as references, and control
 * characters (which a gold string may hold, decoded from \u escapes) as
 * U+FFFD, since HTML has no way to show them. */
static void
escn(const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			put("&amp;");
			continue;
		case '<':
			put("&lt;");
			continue;
		case '>':
			put("&gt;");
			continue;
		case '"':
			put("&quot;");
			continue;
		case '\'':
			put("&#39;");
			continue;
		}
		if (s[i] != '\t' && s[i] != '\n' &&
		    (k = mx_ctl(s + i, n - i)) > 0) {
			put("&#xfffd;");
			i += k - 1;
			continue;
		}
		mx_out_putc(o, s[i]);
	}
}

static void
esc(const char *s)
{
	escn(s, strlen(s));
}

/* ---- gold tables ---- */

enum { T_MISSING, T_EMPTY, T_OK };

struct cell {
	uint32_t	off;	/* decoded text in tab.text, NUL-terminated */
	uint8_t		kind;	/* enum mx_jkind; MX_JNONE: not in the row */
};

struct tab {
	char		*name;		/* gold/<name>.ndjson */
	char		*rel;		/* its path in the lake */
	char		*path;		/* for messages */
	int		 state;
	char		**col;		/* the first row's keys */
	size_t		 ncol;
	struct cell	*c;		/* nrow * ncol */
	uintmax_t	*line;		/* each row's line */
	size_t		 nrow;
	struct mx_buf	 text;
};

static struct tab **tabs;
static size_t ntabs;

static char *
lakepath(const char *rel)
{
	struct mx_buf b = { 0 };

	mx_buf_printf(&b, "%s/%s", opt.lake, rel);
	return (char *)mx_buf_cstr(&b);
}

static void
addtext(struct tab *t, struct cell *c, const struct mx_span *v)
{
	c->off = (uint32_t)t->text.len;
	c->kind = v->kind;
	if (v->kind == MX_JSTR) {
		if (v->esc)
			mx_json_unescape(v, &t->text);
		else
			mx_buf_add(&t->text, v->p + 1, v->n - 2);
	} else
		mx_buf_add(&t->text, v->p, v->n);
	mx_buf_addc(&t->text, '\0');
}

/* The column named name, or ncol when the table has none (val() of it
 * is null). */
static size_t
colopt(const struct tab *t, const char *name)
{
	size_t k;

	for (k = 0; k < t->ncol; k++)
		if (strcmp(t->col[k], name) == 0)
			break;
	return k;
}

/* A key met first in a later row: a column more, null in the rows
 * before (the cells are repacked; it happens once a key). */
static void
newcol(struct tab *t, const char *name, size_t *ccap)
{
	size_t r, k, n = t->ncol + 1;
	struct cell *c;

	*ccap = (t->nrow + 1) * n;
	c = mx_reallocarray(NULL, *ccap, sizeof *c);
	for (r = 0; r <= t->nrow; r++) {
		for (k = 0; k < t->ncol; k++)
			c[r * n + k] = t->c[r * t->ncol + k];
		c[r * n + t->ncol].kind = MX_JNONE;
		c[r * n + t->ncol].off = 0;
	}
	free(t->c);
	t->c = c;
	t->col = mx_reallocarray(t->col, n, sizeof *t->col);
	t->col[t->ncol++] = mx_strdup(name);
}

/* A line of the run log that is a data test's result (mx-test, one a
 * test, beside the step that ran them): not a step, so not a row of the
 * runs' tables, whose counts and failures are those of the steps. */
static int
testline(const struct mx_member *m, size_t nm)
{
	size_t i;

	for (i = 0; i < nm; i++)
		if (m[i].key.n == 6 && memcmp(m[i].key.p, "\"test\"", 6) == 0)
			return 1;
	return 0;
}

/* Read rel whole: every row, every member, as text.  Gold tables are
 * small (they are aggregates); the few that are not are never read. */
static struct tab *
load(const char *name, const char *rel)
{
	static struct mx_json *js;
	static struct mx_member *m;
	static size_t mcap;
	struct mx_reader r;
	struct tab *t;
	struct mx_buf key = { 0 };
	const char *line;
	ssize_t len;
	size_t nm, i, k, ccap = 0;

	for (i = 0; i < ntabs; i++)
		if (strcmp(tabs[i]->name, name) == 0)
			return tabs[i];
	t = mx_calloc(1, sizeof *t);
	t->name = mx_strdup(name);
	t->rel = mx_strdup(rel);
	t->path = lakepath(rel);
	tabs = mx_reallocarray(tabs, ntabs + 1, sizeof *tabs);
	tabs[ntabs++] = t;
	if (js == NULL)
		js = mx_json_new(NULL);
	if (mx_reader_open(&r, t->path) < 0) {
		if (errno == ENOENT) {
			t->state = T_MISSING;
			return t;
		}
		mx_err(MX_EXIT_FAIL, "%s", t->path);
	}
	while ((len = mx_reader_line(&r, &line)) >= 0) {
		if (mx_blank(line, (size_t)len))
			continue;
		if (mx_json_scan(js, line, (size_t)len, NULL, 1) < 0)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", t->path, r.lineno,
			    mx_json_errstr(js));
		nm = mx_json_members(line, (size_t)len, &m, &mcap);
		/* _runs is the steps of the run log, _tests its tests */
		if ((strcmp(name, "_runs") == 0 && testline(m, nm)) ||
		    (strcmp(name, "_tests") == 0 && !testline(m, nm)))
			continue;
		if ((t->nrow + 1) * t->ncol > ccap) {
			ccap = ccap * 2 > (t->nrow + 1) * t->ncol ? ccap * 2 :
			    (t->nrow + 1) * t->ncol;
			t->c = mx_reallocarray(t->c, ccap, sizeof *t->c);
		}
		t->line = mx_reallocarray(t->line, t->nrow + 1,
		    sizeof *t->line);
		t->line[t->nrow] = r.lineno;
		for (k = 0; k < t->ncol; k++)
			t->c[t->nrow * t->ncol + k].kind = MX_JNONE;
		for (i = 0; i < nm; i++) {
			key.len = 0;
			mx_json_unescape(&m[i].key, &key);
			mx_buf_cstr(&key);
			/* the rows of a table have one shape: the same
			 * position first */
			k = i < t->ncol && strcmp(t->col[i], key.p) == 0 ? i :
			    colopt(t, key.p);
			if (k == t->ncol)
				newcol(t, key.p, &ccap);
			addtext(t, &t->c[t->nrow * t->ncol + k], &m[i].val);
		}
		t->nrow++;
	}
	mx_reader_close(&r);
	mx_buf_free(&key);
	t->state = t->nrow > 0 ? T_OK : T_EMPTY;
	return t;
}

static struct tab *
gold(const char *name)
{
	struct mx_buf b = { 0 };
	struct tab *t;

	mx_buf_printf(&b, "gold/%s.ndjson", name);
	t = load(name, mx_buf_cstr(&b));
	mx_buf_free(&b);
	return t;
}

/* The column named name; a table without it is not the table the report
 * knows, which is an error rather than a chart of nothing. */
static size_t
col(const struct tab *t, const char *name)
{
	size_t k;

	if ((k = colopt(t, name)) < t->ncol)
		return k;
	mx_errx(MX_EXIT_FAIL, "%s:%ju: no field \"%s\"", t->path,
	    t->nrow > 0 ? t->line[0] : (uintmax_t)0, name);
}

/* The text of a cell; NULL when null or absent. */
static const char *
val(const struct tab *t, size_t r, size_t k)
{
	const struct cell *c;

	if (k >= t->ncol)
		return NULL;
	c = &t->c[r * t->ncol + k];
	if (c->kind == MX_JNONE || c->kind == MX_JNULL)
		return NULL;
	return t->text.p + c->off;
}

/* A cell as an exact decimal: 0, or -1 when null; a value that is no
 * number is an error naming the file and line. */
static int
num(const struct tab *t, size_t r, size_t k, struct mx_dec *d)
{
	const char *s = val(t, r, k);

	if (s == NULL)
		return -1;
	if (mx_dec_parse(s, strlen(s), d) < 0)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: field \"%s\": not a number: %s",
		    t->path, t->line[r], t->col[k], s);
	return 0;
}

/* A cell as a double, for placing a mark (NAN when null). */
static double
dbl(const struct tab *t, size_t r, size_t k)
{
	struct mx_dec d;

	return num(t, r, k, &d) < 0 ? NAN : mx_dec_double(&d);
}

static int
usable(const struct tab *t)
{
	return t->state == T_OK;
}

/* ---- numbers and times for people ---- */

enum {
	F_TEXT,		/* as written */
	F_INT,		/* 12,345 */
	F_NUM,		/* 12,345.678: as written, digits grouped */
	F_MONEY,	/* 12,345.68: two places */
	F_FIX2,		/* 3.22: two places, not money */
	F_PCT,		/* 0.0309 is 3.09% */
	F_DATE,		/* 2024-03-04 */
	F_MONTH,	/* 2024-03 */
	F_WDAY,		/* 1 is Mon */
	F_HOUR,		/* 13 is 13:00 */
	F_TS,		/* 2024-03-04 16:00 (UTC) */
	F_BOOL		/* yes, no */
};

static const char *const fmtname[] = {
	"text", "int", "num", "money", "fix2", "pct", "date", "month",
	"weekday", "hour", "time", "bool"
};

/* What a value of each format must be, for messages. */
static const char *const fmtwhat[] = {
	"text", "a number", "a number", "a number", "a number", "a number",
	"a date", "a month", "a weekday (1 to 7)", "an hour (0 to 23)",
	"a time", "true or false"
};

static const char *const wday[] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};

/* Digits before the point grouped by thousands. */
static void
group(struct mx_buf *b, const char *s)
{
	size_t nd, i;

	if (*s == '-')
		mx_buf_addc(b, *s++);
	for (nd = 0; s[nd] >= '0' && s[nd] <= '9'; nd++)
		;
	for (i = 0; i < nd; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			mx_buf_addc(b, ',');
		mx_buf_addc(b, s[i]);
	}
	mx_buf_adds(b, s + nd);
}

/* The text s in format f, in one of a few rotating buffers (so that a
 * printf can take several); NULL when s is not what f reads. */
static const char *
fmts(int f, const char *s)
{
	static struct mx_buf ring[8];
	static size_t next;
	struct mx_buf *b = &ring[next++ % 8];
	struct mx_dec d, h = { 100, 0 }, r;
	struct mx_time tm;
	char t[48];
	int y, mo, dd, hh, mi, ss;
	long v;
	char *e;

	b->len = 0;
	if (s == NULL)
		return "\xe2\x80\x94";		/* an em dash: unknown */
	switch (f) {
	case F_INT:
	case F_NUM:
	case F_MONEY:
	case F_FIX2:
	case F_PCT:
		if (mx_dec_parse(s, strlen(s), &d) < 0)
			return NULL;
		if (f == F_PCT) {
			if (mx_dec_mul(&d, &h, &r) < 0)
				return NULL;
			mx_dec_fmt_scale(&r, 2, t);
		} else if (f == F_MONEY || f == F_FIX2)
			mx_dec_fmt_scale(&d, 2, t);
		else
			mx_dec_fmt(&d, t);
		group(b, t);
		if (f == F_PCT)
			mx_buf_addc(b, '%');
		break;
	case F_WDAY:
	case F_HOUR:
		v = strtol(s, &e, 10);
		if (*e != '\0' || e == s)
			return NULL;
		if (f == F_WDAY && v >= 1 && v <= 7)
			mx_buf_adds(b, wday[v - 1]);
		else if (f == F_HOUR && v >= 0 && v <= 23)
			mx_buf_printf(b, "%02ld:00", v);
		else
			return NULL;
		break;
	case F_TS:
		if (mx_time_parse(s, strlen(s), &tm) < 0)
			return NULL;
		mx_time_civil(tm.sec, &y, &mo, &dd, &hh, &mi, &ss);
		mx_buf_printf(b, "%04d-%02d-%02d %02d:%02d", y, mo, dd, hh, mi);
		if (ss != 0)
			mx_buf_printf(b, ":%02d", ss);
		break;
	case F_BOOL:
		if (strcmp(s, "true") == 0)
			mx_buf_adds(b, "yes");
		else if (strcmp(s, "false") == 0)
			mx_buf_adds(b, "no");
		else
			return NULL;
		break;
	default:
		mx_buf_adds(b, s);
	}
	return mx_buf_cstr(b);
}

/* A gold cell for people. */
static const char *
cellfmt(const struct tab *t, size_t r, size_t k, int f)
{
	const char *s = fmts(f, val(t, r, k));

	if (s == NULL)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: field \"%s\": not %s: %s",
		    t->path, t->line[r], t->col[k], fmtwhat[f], val(t, r, k));
	return s;
}

/* An exact decimal as text (for sums and ratios the report computes). */
static const char *
dectext(const struct mx_dec *d)
{
	static char ring[4][48];
	static size_t next;
	char *b = ring[next++ % 4];

	mx_dec_fmt(d, b);
	return b;
}

/* A count for people: 12,345. */
static const char *
count(uintmax_t n)
{
	char b[24];

	snprintf(b, sizeof b, "%ju", n);
	return fmts(F_INT, b);
}

/* a / b to 4 places, as text; NULL when b is 0. */
static const char *
ratio(const struct mx_dec *a, const struct mx_dec *b)
{
	struct mx_dec r;

	if (mx_dec_iszero(b) || mx_dec_div(a, b, 4, &r) < 0)
		return NULL;
	return dectext(&r);
}

static void
decsum(struct mx_dec *a, const struct mx_dec *b, const struct tab *t,
    size_t r)
{
	if (mx_dec_add(a, b) < 0)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: the sum overflows 38 digits",
		    t->path, t->line[r]);
}

/* The number of characters of UTF-8 text, for the width of a label. */
static size_t
nchars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

#define CW	6.9	/* the width of a character of a 12-unit label */

/* The bytes of s that fit in room units of a label: a long label is
 * cut at a character (the table under the chart has it whole). */
static size_t
cut(const char *s, double room)
{
	size_t n = 0, i;

	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++n * CW > room)
			return i;
	return i;
}

/* ---- categories: the values along an axis, and the series ---- */

struct cats {
	char	**v;
	size_t	  n;
	int	  fmt;		/* how a label is shown */
};

static size_t
cats_find(const struct cats *c, const char *s)
{
	static size_t hint;	/* rows come grouped: the last hit, again */
	size_t i;

	if (s == NULL)
		return c->n;
	if (hint < c->n && strcmp(c->v[hint], s) == 0)
		return hint;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i], s) == 0)
			return hint = i;
	return c->n;
}

static size_t
cats_add(struct cats *c, const char *s)
{
	size_t i;

	if ((i = cats_find(c, s)) < c->n)
		return i;
	c->v = mx_reallocarray(c->v, c->n + 1, sizeof *c->v);
	c->v[c->n] = mx_strdup(s);
	return c->n++;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
cats_sort(struct cats *c)
{
	if (c->n > 1)
		qsort(c->v, c->n, sizeof *c->v, cmpstr);
}

static void
cats_free(struct cats *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
	memset(c, 0, sizeof *c);
}

/* The non-null values of a column, sorted by bytes. */
static void
cats_col(struct cats *c, const struct tab *t, const char *name)
{
	size_t r, k = col(t, name);

	for (r = 0; r < t->nrow; r++)
		if (val(t, r, k) != NULL)
			cats_add(c, val(t, r, k));
	cats_sort(c);
}

/* Dates (YYYY-MM-DD) or months (YYYY-MM) in sorted c made a calendar:
 * the days or months in between added, so that a day without rows is a
 * gap on the axis and not a day less.  Left alone when some value is
 * not a date or the range is implausibly long. */
static void
cats_calendar(struct cats *c, int month)
{
	struct mx_time a, b;
	struct cats full = { 0 };
	char d[16];
	int64_t s;
	int y, m;
	size_t i;

	if (c->n < 2)
		return;
	for (i = 0; i < c->n; i++)
		if (strlen(c->v[i]) != (month ? 7u : 10u))
			return;
	if (month) {
		if (sscanf(c->v[0], "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12)
			return;
		for (i = 0; i < 1200; i++) {
			snprintf(d, sizeof d, "%04d-%02d", y, m);
			cats_add(&full, d);
			if (strcmp(d, c->v[c->n - 1]) >= 0)
				break;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	} else {
		if (mx_time_parse(c->v[0], 10, &a) < 0 ||
		    mx_time_parse(c->v[c->n - 1], 10, &b) < 0 ||
		    (b.sec - a.sec) / 86400 > 1100)
			return;
		for (s = a.sec; s <= b.sec; s += 86400) {
			a.sec = s;
			mx_time_date(&a, d);
			full.v = mx_reallocarray(full.v, full.n + 1,
			    sizeof *full.v);
			full.v[full.n++] = mx_strdup(d);
		}
	}
	/* every value must be one of the calendar's */
	for (i = 0; i < c->n; i++)
		if (cats_find(&full, c->v[i]) == full.n) {
			cats_free(&full);
			return;
		}
	full.fmt = c->fmt;
	cats_free(c);
	*c = full;
}

static void
cats_ints(struct cats *c, int lo, int hi, int fmt)
{
	char d[16];
	int i;

	for (i = lo; i <= hi; i++) {
		snprintf(d, sizeof d, "%d", i);
		cats_add(c, d);
	}
	c->fmt = fmt;
}

/* A category's label on an axis: dates without their year (the axis
 * title gives the range). */
static const char *
catlabel(const struct cats *c, size_t i)
{
	const char *s = c->v[i], *f;

	if (c->fmt == F_DATE && strlen(s) == 10)
		return s + 5;
	f = fmts(c->fmt, s);
	return f != NULL ? f : s;
}

/* ---- charts ---- */

enum { C_VBAR, C_HBAR, C_LINE, C_HEAT };

/*
 * Each chart is drawn twice: wide for a laptop (640 units, shown up to
 * 900 pixels) and narrow for a phone (360 units, shown at about its
 * size), and the CSS shows one; a chart scaled from one to the other
 * would have text too small to read or labels on top of each other.
 * The narrow one has no tooltips: a phone cannot hover.
 */
#define WIDE	640.0
#define NARROW	360.0
static double	W = WIDE;	/* the width of the chart being drawn */
static int	narrow;
/* room under a narrow chart for an axis title on two lines */
#define XT	(narrow ? 14.0 : 0.0)

struct mark {
	size_t	 x, y, s;	/* categories */
	double	 v;		/* the value, in the units of the axis */
	double	 base;		/* where a stacked bar starts */
	size_t	 colour;	/* its colour: the series', or a category's */
	uint32_t tip;		/* its tooltip in chart.tips */
	uint32_t label;		/* text by the bar (0: none) */
	int	 flag;		/* set apart: can_serve false, a failed step */
};

struct chart {
	const char	*id;
	int		 type;
	int		 stacked;
	int		 fmt;		/* of the values: the ticks */
	int		 celltext;	/* heat: the value in the cell */
	const char	*xtitle, *ytitle;
	struct cats	 x, y, s;
	struct mark	*m;
	size_t		 n;
	struct mx_buf	 tips;
};

static void
chart_init(struct chart *ch, const char *id, int type, int fmt)
{
	memset(ch, 0, sizeof *ch);
	ch->id = id;
	ch->type = type;
	ch->fmt = fmt;
	mx_buf_addc(&ch->tips, '\0');	/* offset 0: no text */
}

static void
chart_free(struct chart *ch)
{
	cats_free(&ch->x);
	cats_free(&ch->y);
	cats_free(&ch->s);
	free(ch->m);
	mx_buf_free(&ch->tips);
}

static uint32_t
chart_text(struct chart *ch, const char *fmt, va_list ap)
{
	uint32_t off = (uint32_t)ch->tips.len;
	char small[512];
	int n;

	n = vsnprintf(small, sizeof small, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof small)
		n = sizeof small - 1;
	mx_buf_add(&ch->tips, small, (size_t)n);
	mx_buf_addc(&ch->tips, '\0');
	return off;
}

/* A mark: categories x, y, series s (a category not in its list is not
 * charted), value v, and its tooltip. */
static struct mark *
mark(struct chart *ch, size_t x, size_t y, size_t s, double v,
    const char *tipfmt, ...)
{
	struct mark *m;
	va_list ap;

	ch->m = mx_reallocarray(ch->m, ch->n + 1, sizeof *ch->m);
	m = &ch->m[ch->n++];
	memset(m, 0, sizeof *m);
	m->x = x;
	m->y = y;
	m->s = s;
	m->colour = s;
	m->v = isfinite(v) ? v : 0;
	va_start(ap, tipfmt);
	m->tip = chart_text(ch, tipfmt, ap);
	va_end(ap);
	return m;
}

static void
mark_label(struct chart *ch, struct mark *m, const char *fmt, ...)
{
	va_list ap;
	size_t i = (size_t)(m - ch->m);

	va_start(ap, fmt);
	ch->m[i].label = chart_text(ch, fmt, ap);
	va_end(ap);
}

/* A round step for about n ticks over range. */
static double
nicestep(double range, int n, int integral)
{
	double raw = range / n, mag, f, step;

	if (!(raw > 0))
		return 1;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) *
	    mag;
	if (integral && step < 1)
		step = 1;
	return step;
}

struct scale {
	double	lo, hi, step;
	double	p0, p1;		/* where lo and hi are drawn */
};

static void
scale_fit(struct scale *sc, double lo, double hi, int integral)
{
	if (lo > 0)
		lo = 0;
	if (hi < 0)
		hi = 0;
	if (hi - lo <= 0)
		hi = lo + 1;
	sc->step = nicestep(hi - lo, 5, integral);
	sc->lo = floor(lo / sc->step) * sc->step;
	sc->hi = ceil(hi / sc->step) * sc->step;
	if (sc->hi <= sc->lo)
		sc->hi = sc->lo + sc->step;
}

static double
scale_at(const struct scale *sc, double v)
{
	return sc->p0 + (v - sc->lo) / (sc->hi - sc->lo) * (sc->p1 - sc->p0);
}

/* A tick's label: as many places as the step needs, digits grouped. */
static const char *
ticklabel(double v, double step, int fmt)
{
	static struct mx_buf b;
	char t[64];
	int places = 0;

	if (fabs(v) < step * 1e-6)
		v = 0;
	if (step < 1)
		places = (int)ceil(-log10(step) - 1e-9);
	if (step < 1 && fmod(step * pow(10, places), 1) > 1e-6)
		places++;
	if (places > 6)
		places = 6;
	snprintf(t, sizeof t, "%.*f", places, v);
	b.len = 0;
	group(&b, t);
	if (fmt == F_PCT)
		mx_buf_addc(&b, '%');
	return mx_buf_cstr(&b);
}

static int
integral(int fmt)
{
	return fmt == F_INT;
}

/* The series that have marks, in their order: the legend, and the slots
 * of grouped bars. */
static size_t
present(const struct chart *ch, size_t *slot)
{
	size_t i, n = 0;
	unsigned char *has = mx_calloc(ch->s.n + 1, 1);

	for (i = 0; i < ch->n; i++)
		has[ch->m[i].s] = 1;
	for (i = 0; i < ch->s.n; i++)
		slot[i] = has[i] ? n++ : ch->s.n;
	free(has);
	return n;
}

static void
svg_begin(const struct chart *ch, double h, const char *label)
{
	putf("<svg class=\"%s\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
	    "aria-label=\"", narrow ? "narrow" : "wide", W, h);
	esc(label);
	putf("\" data-chart=\"%s\">", ch->id);
}

static void
tip(const struct chart *ch, const struct mark *m)
{
	if (m->tip == 0 || narrow)
		return;
	put("<title>");
	esc(ch->tips.p + m->tip);
	put("</title>");
}

/* An axis title at (x, y), or turned a quarter when rot: on two lines
 * when longer than room, broken before its parenthesis. */
static void
axtitle(double x, double y, int rot, const char *title, double room)
{
	const char *p = strstr(title, " (");

	putf("<text class=\"at\"%s x=\"%.1f\" y=\"%.1f\" "
	    "text-anchor=\"middle\">", rot ? " transform=\"rotate(-90)\"" : "",
	    x, y);
	if (p == NULL || nchars(title) * (CW + 0.6) <= room)
		esc(title);
	else {
		putf("<tspan x=\"%.1f\" dy=\"%s\">", x, rot ? "-2" : "-1");
		escn(title, (size_t)(p - title));
		putf("</tspan><tspan x=\"%.1f\" dy=\"14\">", x);
		esc(p + 1);
		put("</tspan>");
	}
	put("</text>");
}

/* The y axis of a vertical chart: grid lines, tick labels, title. */
static void
yaxis(const struct scale *sc, double x0, double x1, int fmt,
    const char *title, double top, double bottom)
{
	double v, y;

	put("<g class=\"ax\">");
	for (v = sc->lo; v <= sc->hi + sc->step / 2; v += sc->step) {
		y = scale_at(sc, v);
		putf("<line class=\"gr\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
		    "y2=\"%.1f\"/>", x0, x1, y, y);
		putf("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s"
		    "</text>", x0 - 4, y + 4, ticklabel(v, sc->step, fmt));
	}
	axtitle(-(top + bottom) / 2, 13, 1, title, bottom - top);
	put("</g>");
}

/* Category labels under a band axis, thinned so they do not overlap. */
static void
xbands(const struct cats *c, double x0, double band, double y,
    const char *title)
{
	size_t i, k, w = 1;

	for (i = 0; i < c->n; i++)
		if (nchars(catlabel(c, i)) > w)
			w = nchars(catlabel(c, i));
	k = (size_t)ceil((w * CW + 6) / band);
	if (k < 1)
		k = 1;
	put("<g class=\"ax\">");
	for (i = 0; i < c->n; i += k) {
		putf("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
		    x0 + (i + 0.5) * band, y + 14);
		esc(catlabel(c, i));
		put("</text>");
	}
	axtitle(x0 + c->n * band / 2, y + 32, 0, title, W - 8);
	put("</g>");
}

static double
ylabelwidth(const struct scale *sc, int fmt)
{
	double v, w = 0;

	for (v = sc->lo; v <= sc->hi + sc->step / 2; v += sc->step)
		if (nchars(ticklabel(v, sc->step, fmt)) * CW > w)
			w = nchars(ticklabel(v, sc->step, fmt)) * CW;
	return w + 26;
}

static void
render_vbar(struct chart *ch)
{
	struct scale sc;
	double *pos, *neg, lo = 0, hi = 0, ml, band, bw, x, y0, y1;
	double h = 300 + XT, top = 10, bottom = h - 44 - XT;
	size_t i, *slot, np;
	struct mark *m;

	pos = mx_calloc(ch->x.n + 1, sizeof *pos);
	neg = mx_calloc(ch->x.n + 1, sizeof *neg);
	for (i = 0; i < ch->n; i++) {
		m = &ch->m[i];
		if (ch->stacked) {
			double *acc = m->v < 0 ? neg : pos;

			m->base = acc[m->x];
			acc[m->x] += m->v;
			if (acc[m->x] > hi)
				hi = acc[m->x];
			if (acc[m->x] < lo)
				lo = acc[m->x];
		} else {
			if (m->v > hi)
				hi = m->v;
			if (m->v < lo)
				lo = m->v;
		}
	}
	scale_fit(&sc, lo, hi, integral(ch->fmt));
	sc.p0 = bottom;
	sc.p1 = top;
	ml = ylabelwidth(&sc, ch->fmt);
	band = (W - ml - 8) / (ch->x.n > 0 ? ch->x.n : 1);
	slot = mx_calloc(ch->s.n + 1, sizeof *slot);
	np = present(ch, slot);
	svg_begin(ch, h, ch->ytitle);
	yaxis(&sc, ml, W - 8, ch->fmt, ch->ytitle, top, bottom);
	xbands(&ch->x, ml, band, bottom, ch->xtitle);
	put("<g class=\"mk\">");
	for (i = 0; i < ch->n; i++) {
		m = &ch->m[i];
		if (ch->stacked) {
			bw = band * 0.8;
			x = ml + m->x * band + band * 0.1;
		} else {
			bw = band * 0.8 / (np > 0 ? np : 1);
			x = ml + m->x * band + band * 0.1 + slot[m->s] * bw;
		}
		y0 = scale_at(&sc, m->base);
		y1 = scale_at(&sc, m->base + m->v);
		if (y1 > y0) {
			double t = y0;

			y0 = y1;
			y1 = t;
		}
		putf("<rect class=\"m c%zu\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%.1f\">", m->colour % 16, x, y1,
		    bw, y0 - y1);
		tip(ch, m);
		put("</rect>\n");
	}
	put("</g></svg>\n");
	free(slot);
	free(pos);
	free(neg);
}

/* Horizontal bars: one band per y category, the series side by side in
 * it, the value's text at the end of its bar. */
static void
render_hbar(struct chart *ch)
{
	struct scale sc;
	double lo = 0, hi = 0, ml = 0, mr = 0, bh, band, h, x0, x1, y, w;
	double top = 6, bottom, lab;
	size_t i, *slot, np;
	struct mark *m;

	slot = mx_calloc(ch->s.n + 1, sizeof *slot);
	np = present(ch, slot);
	if (np == 0)
		np = 1;
	bh = np > 1 ? 11 : 16;
	/* narrow, a label has the line above its bars, wide the left */
	lab = narrow ? 15 : 0;
	band = bh * np + 8 + lab;
	for (i = 0; i < ch->y.n && !narrow; i++)
		if (nchars(catlabel(&ch->y, i)) * CW > ml)
			ml = nchars(catlabel(&ch->y, i)) * CW;
	if (ml > W * 0.4)
		ml = W * 0.4;
	ml += narrow ? 4 : 8;
	for (i = 0; i < ch->n; i++) {
		m = &ch->m[i];
		if (m->v > hi)
			hi = m->v;
		if (m->v < lo)
			lo = m->v;
		if (m->label && (w = nchars(ch->tips.p + m->label) * CW) > mr)
			mr = w;
	}
	mr += 10;
	bottom = top + band * ch->y.n;
	h = bottom + 40 + XT;
	scale_fit(&sc, lo, hi, integral(ch->fmt));
	sc.p0 = ml;
	sc.p1 = W - mr;
	svg_begin(ch, h, ch->xtitle);
	put("<g class=\"ax\">");
	for (w = sc.lo; w <= sc.hi + sc.step / 2; w += sc.step) {
		x0 = scale_at(&sc, w);
		putf("<line class=\"gr\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
		    "y2=\"%.1f\"/>", x0, x0, top, bottom);
		putf("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s"
		    "</text>", x0, bottom + 14, ticklabel(w, sc.step, ch->fmt));
	}
	for (i = 0; i < ch->y.n; i++) {
		if (narrow)
			putf("<text x=\"%.1f\" y=\"%.1f\">", ml,
			    top + i * band + 12);
		else
			putf("<text x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"end\">", ml - 6,
			    top + i * band + band / 2 + 4);
		escn(catlabel(&ch->y, i), cut(catlabel(&ch->y, i),
		    narrow ? W - 8 : ml - 8));
		put("</text>");
	}
	axtitle((sc.p0 + sc.p1) / 2, bottom + 32, 0, ch->xtitle, W - 8);
	put("</g><g class=\"mk\">");
	for (i = 0; i < ch->n; i++) {
		m = &ch->m[i];
		x0 = scale_at(&sc, m->v < 0 ? m->v : 0);
		x1 = scale_at(&sc, m->v < 0 ? 0 : m->v);
		y = top + m->y * band + 4 + lab + (np > 1 ? slot[m->s] : 0) *
		    bh;
		putf("<rect class=\"m c%zu%s\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%.1f\">",
		    m->flag ? 3 : m->colour % 16, m->flag ? " off" : "", x0, y,
		    x1 - x0, bh - 1);
		tip(ch, m);
		put("</rect>\n");
		if (m->label) {
			putf("<text class=\"vl\" x=\"%.1f\" y=\"%.1f\">",
			    x1 + 4, y + bh / 2 + 3.5);
			esc(ch->tips.p + m->label);
			put("</text>");
		}
	}
	put("</g></svg>\n");
	free(slot);
}

static int
cmpmark_sx(const void *a, const void *b)
{
	const struct mark *p = a, *q = b;

	if (p->s != q->s)
		return p->s < q->s ? -1 : 1;
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return p->tip < q->tip ? -1 : p->tip > q->tip;
}

/* Lines: a point per mark at its band's centre, joined to the next
 * category's point of its series; a category without one breaks the
 * line (unknown is not zero). */
static void
render_line(struct chart *ch)
{
	struct scale sc;
	double lo = 0, hi = 0, ml, band, h = 300 + XT, top = 10;
	double bottom = h - 44 - XT;
	size_t i, j, k;
	struct mark *m;

	for (i = 0; i < ch->n; i++) {
		if (ch->m[i].v > hi)
			hi = ch->m[i].v;
		if (ch->m[i].v < lo)
			lo = ch->m[i].v;
	}
	scale_fit(&sc, lo, hi, integral(ch->fmt));
	sc.p0 = bottom;
	sc.p1 = top;
	ml = ylabelwidth(&sc, ch->fmt);
	band = (W - ml - 8) / (ch->x.n > 0 ? ch->x.n : 1);
	qsort(ch->m, ch->n, sizeof *ch->m, cmpmark_sx);
	svg_begin(ch, h, ch->ytitle);
	yaxis(&sc, ml, W - 8, ch->fmt, ch->ytitle, top, bottom);
	xbands(&ch->x, ml, band, bottom, ch->xtitle);
	put("<g class=\"ln\">");
	for (i = 0; i < ch->n; i = j) {
		for (j = i + 1; j < ch->n && ch->m[j].s == ch->m[i].s &&
		    ch->m[j].x == ch->m[j - 1].x + 1; j++)
			;
		if (j - i < 2)
			continue;
		putf("<path class=\"k%zu\" d=\"", ch->m[i].colour % 16);
		for (k = i; k < j; k++)
			putf("%c%.1f %.1f", k == i ? 'M' : 'L',
			    ml + (ch->m[k].x + 0.5) * band,
			    scale_at(&sc, ch->m[k].v));
		put("\"/>");
	}
	put("</g><g class=\"mk\">");
	for (i = 0; i < ch->n; i++) {
		m = &ch->m[i];
		putf("<circle class=\"m c%zu\" cx=\"%.1f\" cy=\"%.1f\" "
		    "r=\"3\">", m->colour % 16, ml + (m->x + 0.5) * band,
		    scale_at(&sc, m->v));
		tip(ch, m);
		put("</circle>\n");
	}
	put("</g></svg>\n");
}

/* A sequential colour for t in [0, 1]: viridis, light (low) to dark
 * (high), which stays ordered for colour-blind readers and in grey. */
static void
heatcolour(double t, char out[8], int *dark)
{
	static const unsigned char stop[][3] = {
		{ 0xfd, 0xe7, 0x25 }, { 0x7a, 0xd1, 0x51 },
		{ 0x22, 0xa8, 0x84 }, { 0x2a, 0x78, 0x8e },
		{ 0x41, 0x44, 0x87 }, { 0x44, 0x01, 0x54 }
	};
	double f;
	int i, k, c[3];

	if (!(t > 0))
		t = 0;
	if (t > 1)
		t = 1;
	f = t * 5;
	i = (int)f;
	if (i > 4)
		i = 4;
	f -= i;
	for (k = 0; k < 3; k++)
		c[k] = (int)lround(stop[i][k] + (stop[i + 1][k] - stop[i][k]) *
		    f);
	snprintf(out, 8, "#%02x%02x%02x", c[0] & 0xff, c[1] & 0xff,
	    c[2] & 0xff);
	*dark = t > 0.45;
}

static void
render_heat(struct chart *ch)
{
	double lo = 0, hi = 0, ml = 0, cw, chh = 20, top = 6, bottom, h, x, y;
	size_t i;
	struct mark *m;
	char colour[8];
	int dark;

	/* from the least to the most: a heat map shows differences */
	for (i = 0; i < ch->n; i++) {
		if (i == 0 || ch->m[i].v > hi)
			hi = ch->m[i].v;
		if (i == 0 || ch->m[i].v < lo)
			lo = ch->m[i].v;
	}
	for (i = 0; i < ch->y.n; i++)
		if (nchars(catlabel(&ch->y, i)) * CW > ml)
			ml = nchars(catlabel(&ch->y, i)) * CW;
	if (ml > W * 0.3)
		ml = W * 0.3;
	ml += 30;
	cw = (W - ml - 8) / (ch->x.n > 0 ? ch->x.n : 1);
	bottom = top + chh * ch->y.n;
	h = bottom + 74 + XT;
	svg_begin(ch, h, ch->ytitle);
	put("<g class=\"ax\">");
	for (i = 0; i < ch->y.n; i++) {
		putf("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
		    ml - 6, top + i * chh + chh / 2 + 4);
		escn(catlabel(&ch->y, i), cut(catlabel(&ch->y, i), ml - 24));
		put("</text>");
	}
	axtitle(-(top + bottom) / 2, 13, 1, ch->ytitle, bottom - top);
	put("</g>");
	xbands(&ch->x, ml, cw, bottom, ch->xtitle);
	put("<g class=\"mk\">");
	for (i = 0; i < ch->n; i++) {
		m = &ch->m[i];
		heatcolour(hi > lo ? (m->v - lo) / (hi - lo) : 0, colour,
		    &dark);
		x = ml + m->x * cw;
		y = top + m->y * chh;
		putf("<rect class=\"m\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\" fill=\"%s\">", x, y, cw - 1, chh - 1,
		    colour);
		tip(ch, m);
		put("</rect>\n");
		if (ch->celltext && m->label &&
		    nchars(ch->tips.p + m->label) * 6 < cw - 2) {
			putf("<text class=\"ct%s\" x=\"%.1f\" y=\"%.1f\">",
			    dark ? " dk" : "", x + cw / 2 - 0.5,
			    y + chh / 2 + 3);
			esc(ch->tips.p + m->label);
			put("</text>");
		}
	}
	put("</g>");
	/* the colour scale */
	y = bottom + 46 + XT;
	putf("<defs><linearGradient id=\"g-%s%s\">", ch->id,
	    narrow ? "-n" : "");
	for (i = 0; i <= 5; i++) {
		heatcolour(i / 5.0, colour, &dark);
		putf("<stop offset=\"%zu%%\" stop-color=\"%s\"/>", i * 20,
		    colour);
	}
	putf("</linearGradient></defs><g class=\"ax\"><rect x=\"%.1f\" "
	    "y=\"%.1f\" width=\"160\" height=\"10\" "
	    "fill=\"url(#g-%s%s)\"/>", ml, y, ch->id, narrow ? "-n" : "");
	putf("<text x=\"%.1f\" y=\"%.1f\">%s</text>", ml, y + 22,
	    ticklabel(lo, hi - lo > 0 ? (hi - lo) / 100 : 1, ch->fmt));
	putf("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
	    ml + 160, y + 22, ticklabel(hi, hi - lo > 0 ? (hi - lo) / 100 : 1,
	    ch->fmt));
	put("</g></svg>\n");
}

/* The legend, when there are several series. */
static void
legend(const struct chart *ch)
{
	size_t i, *slot, np;

	slot = mx_calloc(ch->s.n + 1, sizeof *slot);
	np = present(ch, slot);
	if (np > 1) {
		put("<ul class=\"legend\">");
		for (i = 0; i < ch->s.n; i++) {
			if (slot[i] == ch->s.n)
				continue;
			putf("<li><span class=\"sw s%zu\"></span>", i % 16);
			esc(catlabel(&ch->s, i));
			put("</li>");
		}
		put("</ul>");
	}
	free(slot);
}

/* A mark whose category is not on its axes (null where a key was due)
 * has no place: it is left out of the chart and stays in the table. */
static void
placeable(struct chart *ch)
{
	size_t i, n = 0;
	int usex = ch->type != C_HBAR, usey = ch->type == C_HBAR ||
	    ch->type == C_HEAT;

	for (i = 0; i < ch->n; i++)
		if ((!usex || ch->m[i].x < ch->x.n) &&
		    (!usey || ch->m[i].y < ch->y.n) && ch->m[i].s < ch->s.n + 1)
			ch->m[n++] = ch->m[i];
	ch->n = n;
}

static void
render(struct chart *ch)
{
	placeable(ch);
	if (ch->n == 0) {
		put("<p class=\"note\">Nothing to chart: every value is "
		    "unknown; the table below has the rows.</p>");
		return;
	}
	if (ch->type != C_HEAT)
		legend(ch);
	put("<div class=\"plot\">");
	for (narrow = 0; narrow < 2; narrow++) {
		W = narrow ? NARROW : WIDE;
		switch (ch->type) {
		case C_VBAR:
			render_vbar(ch);
			break;
		case C_HBAR:
			render_hbar(ch);
			break;
		case C_LINE:
			render_line(ch);
			break;
		case C_HEAT:
			render_heat(ch);
			break;
		}
	}
	narrow = 0;
	W = WIDE;
	put("</div>");
}

/* ---- tables: the numbers behind a chart ---- */

struct colspec {
	const char	*name;	/* the gold column */
	const char	*head;	/* its header */
	int		 fmt;
};

static int
leftaligned(int fmt)
{
	return fmt == F_TEXT || fmt == F_DATE || fmt == F_MONTH ||
	    fmt == F_TS || fmt == F_WDAY || fmt == F_HOUR;
}

/* The unit of money in a header or an axis title. */
static void
putmoney(void)
{
	if (opt.currency != NULL) {
		put(" (");
		esc(opt.currency);
		put(")");
	}
}

static const char *
moneyunit(void)
{
	static struct mx_buf b;

	if (b.len == 0 && opt.currency != NULL)
		mx_buf_printf(&b, " (%s)", opt.currency);
	return opt.currency != NULL ? mx_buf_cstr(&b) : "";
}

/* The head of a table: text columns first, left-aligned (the class
 * says how many), numbers right-aligned; each header says which gold
 * column it shows and how, for readers and for the tests. */
static void
thead(const char *table, const struct colspec *cs, size_t ncs)
{
	size_t i, nleft = 0;

	while (nleft < ncs && leftaligned(cs[nleft].fmt))
		nleft++;
	putf("<div class=\"tw\"><table class=\"l%zu\" data-table=\"", nleft);
	esc(table);
	put("\"><thead><tr>");
	for (i = 0; i < ncs; i++) {
		put("<th data-col=\"");
		esc(cs[i].name);
		putf("\" data-fmt=\"%s\">", fmtname[cs[i].fmt]);
		esc(cs[i].head);
		if (cs[i].fmt == F_MONEY)
			putmoney();
		put("</th>");
	}
	put("</tr></thead><tbody>");
}

static void
tfoot(void)
{
	put("</tbody></table></div>\n");
}

/* Rows [r0, r1) of t.  End tags of cells and rows are left out, as HTML
 * allows: they would be a fifth of the page. */
static void
trows(const struct tab *t, const struct colspec *cs, size_t ncs, size_t r0,
    size_t r1)
{
	size_t i, r, *k = mx_calloc(ncs, sizeof *k);

	/* the run log writes a note only when a step has one: a log
	 * without any is still the run log */
	for (i = 0; i < ncs; i++)
		k[i] = strcmp(t->name, "_runs") == 0 ?
		    colopt(t, cs[i].name) : col(t, cs[i].name);
	for (r = r0; r < r1; r++) {
		put("\n<tr>");
		for (i = 0; i < ncs; i++) {
			put(val(t, r, k[i]) == NULL ? "<td class=\"na\">" :
			    "<td>");
			esc(cellfmt(t, r, k[i], cs[i].fmt));
		}
	}
	free(k);
}

/* What the catalog says a gold table is. */
static const char *
definition(const char *name, const char *field)
{
	struct tab *c = load("_catalog", "gold/_catalog.ndjson");
	size_t r, kt, kf;

	if (!usable(c))
		return NULL;
	kt = col(c, "table");
	for (kf = 0; kf < c->ncol; kf++)
		if (strcmp(c->col[kf], field) == 0)
			break;
	if (kf == c->ncol)
		return NULL;
	for (r = 0; r < c->nrow; r++)
		if (val(c, r, kt) != NULL && strcmp(val(c, r, kt), name) == 0)
			return c->c[r * c->ncol + kf].kind == MX_JSTR ?
			    val(c, r, kf) : NULL;
	return NULL;
}

static void
summary(const struct tab *t, size_t nrow, const char *what)
{
	const char *d = definition(t->name, "description");
	const char *g = definition(t->name, "grain");

	put("<details><summary>The numbers");
	if (what != NULL) {
		put(": ");
		esc(what);
	}
	put(" (");
	esc(t->rel);
	putf(", %zu row%s)</summary>", nrow, nrow == 1 ? "" : "s");
	/* a part of a table: its definition is with the whole */
	if (what == NULL && (d != NULL || g != NULL)) {
		put("<p class=\"def\">");
		if (d != NULL)
			esc(d);
		if (g != NULL) {
			put(" <i>A row:</i> ");
			esc(g);
			put(".");
		}
		put("</p>");
	}
}

/* The whole table t behind a chart, collapsed. */
static void
details(const struct tab *t, const struct colspec *cs, size_t ncs)
{
	summary(t, t->nrow, NULL);
	thead(t->name, cs, ncs);
	trows(t, cs, ncs, 0, t->nrow);
	tfoot();
	put("</details>");
}

#define NCS(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- figures and sections ---- */

static void
missing(const struct tab *t)
{
	put("<p class=\"missing\" data-missing=\"");
	esc(t->name);
	put("\">Not shown: <code>gold/");
	esc(t->name);
	put(".ndjson</code> ");
	put(t->state == T_MISSING ? "is not in this lake." :
	    "is empty (no rows).");
	put("</p>");
}

/* A figure over the gold table name: its title, and what it shows; when
 * the table is missing or empty, a note saying so instead (NULL). */
static struct tab *
fig_begin(const char *id, const char *title, const char *name,
    const char *desc)
{
	struct tab *t = gold(name);

	putf("<figure id=\"%s\" data-table=\"%s\">", id, name);
	put("<h3>");
	esc(title);
	put("</h3>");
	if (!usable(t)) {
		missing(t);
		put("</figure>\n");
		return NULL;
	}
	put("<p class=\"d\">");
	put(desc);
	put("</p>");
	return t;
}

static void
fig_end(void)
{
	put("</figure>\n");
}

/* A section of a domain; when none of its tables has rows it says so,
 * names them, and returns 0. */
static int
sec_begin(const char *id, const char *title, const char *const *names,
    const char *sources)
{
	size_t i, n = 0;

	putf("<section id=\"%s\"><h2>", id);
	esc(title);
	put("</h2>");
	for (i = 0; names[i] != NULL; i++)
		n += usable(gold(names[i]));
	if (n > 0)
		return 1;
	put("<p class=\"missing\" data-missing=\"");
	for (i = 0; names[i] != NULL; i++)
		putf("%s%s", i ? " " : "", names[i]);
	put("\">No data for this section in this lake: ");
	for (i = 0; names[i] != NULL; i++) {
		putf("%s<code>gold/%s.ndjson</code>", i == 0 ? "" :
		    names[i + 1] == NULL ? " and " : ", ", names[i]);
		put(gold(names[i])->state == T_MISSING ? " (missing)" :
		    " (empty)");
	}
	put(". <code>scripts/lake</code> builds them from raw files under ");
	put(sources);
	put(".</p>");
	return 0;
}

static void
sec_end(void)
{
	put("</section>\n");
}

/* The first and last of a calendar, for an axis title. */
static const char *
span(const char *what, const struct cats *c)
{
	static struct mx_buf b;

	b.len = 0;
	if (c->n == 0)
		mx_buf_adds(&b, what);
	else if (c->n == 1)
		mx_buf_printf(&b, "%s (%s)", what, c->v[0]);
	else
		mx_buf_printf(&b, "%s (%s to %s)", what, c->v[0],
		    c->v[c->n - 1]);
	return mx_buf_cstr(&b);
}

static const char *
with_money(const char *what)
{
	static struct mx_buf b;

	b.len = 0;
	mx_buf_printf(&b, "%s%s", what, moneyunit());
	return mx_buf_cstr(&b);
}

static void
cats_copy(struct cats *dst, const struct cats *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		cats_add(dst, src->v[i]);
	dst->fmt = src->fmt;
}

/* The channels of some tables, sorted: every chart of a section gives a
 * channel the same colour. */
static void
channels(struct cats *c, const char *const *names)
{
	size_t i;
	struct tab *t;

	for (i = 0; names[i] != NULL; i++) {
		t = gold(names[i]);
		if (usable(t))
			cats_col(c, t, "channel");
	}
	cats_sort(c);
}

/* ---- bookings ---- */

static const char *const cal_tables[] = {
	"bookings_daily", "cost_per_booking", "cost_per_booking_total",
	"bookings_by_slot", NULL
};

static const char *const cal_channels[] = {
	"bookings_daily", "cost_per_booking", "cost_per_booking_total", NULL
};

static const struct colspec cs_daily[] = {
	{ "booking_date", "Date", F_DATE },
	{ "channel", "Channel", F_TEXT },
	{ "booking_week", "Week", F_TEXT },
	{ "total_bookings", "Bookings", F_INT },
	{ "canceled", "Canceled", F_INT },
	{ "active_bookings", "Active", F_INT },
	{ "cancellation_rate", "Cancellation rate", F_PCT }
};

/* Bookings_daily's what per day, stacked by channel. */
static void
fig_daily(const struct cats *chan, const char *id, const char *what,
    const char *title, const char *desc, const char *ytitle,
    const char *unit)
{
	struct chart ch;
	struct tab *t;
	size_t r, kd, kc, kv;

	if ((t = fig_begin(id, title, "bookings_daily", desc)) == NULL)
		return;
	chart_init(&ch, id, C_VBAR, F_INT);
	ch.stacked = 1;
	kd = col(t, "booking_date");
	kc = col(t, "channel");
	kv = col(t, what);
	ch.x.fmt = F_DATE;
	cats_col(&ch.x, t, "booking_date");
	cats_calendar(&ch.x, 0);
	cats_copy(&ch.s, chan);
	for (r = 0; r < t->nrow; r++)
		mark(&ch, cats_find(&ch.x, val(t, r, kd)), 0,
		    cats_find(&ch.s, val(t, r, kc)), dbl(t, r, kv),
		    "%s, %s: %s %s", val(t, r, kd), val(t, r, kc),
		    cellfmt(t, r, kv, F_INT), unit);
	ch.xtitle = span("Date the booking was made, UTC", &ch.x);
	ch.ytitle = ytitle;
	render(&ch);
	details(t, cs_daily, NCS(cs_daily));
	chart_free(&ch);
	fig_end();
}

static void
fig_cpb(const struct cats *chan)
{
	static const struct colspec cs[] = {
		{ "booking_date", "Date", F_DATE },
		{ "channel", "Channel", F_TEXT },
		{ "total_bookings", "Bookings", F_INT },
		{ "total_spend", "Spend", F_MONEY },
		{ "cost_per_booking", "Cost per booking", F_MONEY }
	};
	struct chart ch;
	struct tab *t;
	size_t r, kd, kc, kb, ks, kv;

	if ((t = fig_begin("bookings-cpb", "Cost per booking, by channel and "
	    "day", "cost_per_booking", "The ad spend of a channel on a day "
	    "over the bookings made that day. A channel or day without a "
	    "spend row has no cost (unknown, not zero): no point, and the "
	    "line breaks.")) == NULL)
		return;
	chart_init(&ch, "bookings-cpb", C_LINE, F_MONEY);
	kd = col(t, "booking_date");
	kc = col(t, "channel");
	kb = col(t, "total_bookings");
	ks = col(t, "total_spend");
	kv = col(t, "cost_per_booking");
	ch.x.fmt = F_DATE;
	cats_col(&ch.x, t, "booking_date");
	cats_calendar(&ch.x, 0);
	cats_copy(&ch.s, chan);
	for (r = 0; r < t->nrow; r++)
		if (val(t, r, kv) != NULL)
			mark(&ch, cats_find(&ch.x, val(t, r, kd)), 0,
			    cats_find(&ch.s, val(t, r, kc)), dbl(t, r, kv),
			    "%s, %s: %s per booking (spend %s, %s bookings)",
			    val(t, r, kd), val(t, r, kc),
			    cellfmt(t, r, kv, F_MONEY),
			    cellfmt(t, r, ks, F_MONEY),
			    cellfmt(t, r, kb, F_INT));
	ch.xtitle = span("Date the booking was made, UTC", &ch.x);
	ch.ytitle = with_money("Cost per booking");
	render(&ch);
	details(t, cs, NCS(cs));
	chart_free(&ch);
	fig_end();
}

static void
fig_cpb_total(const struct cats *chan)
{
	static const struct colspec cs[] = {
		{ "channel", "Channel", F_TEXT },
		{ "total_bookings", "Bookings", F_INT },
		{ "total_spend", "Spend", F_MONEY },
		{ "cost_per_booking", "Cost per booking", F_MONEY }
	};
	struct chart ch;
	struct tab *t;
	struct mark *m;
	size_t r, kc, kv, y;

	if ((t = fig_begin("bookings-cpb-total", "Cost per booking over the "
	    "whole period", "cost_per_booking_total", "All the spend of a "
	    "channel over all its bookings. Channels without any spend row "
	    "(organic, email, direct) have no cost: they are in the table, "
	    "not on the chart.")) == NULL)
		return;
	chart_init(&ch, "bookings-cpb-total", C_HBAR, F_MONEY);
	kc = col(t, "channel");
	kv = col(t, "cost_per_booking");
	cats_add(&ch.s, "cost per booking");
	for (r = 0; r < t->nrow; r++) {
		if (val(t, r, kv) == NULL || val(t, r, kc) == NULL)
			continue;
		y = cats_add(&ch.y, val(t, r, kc));
		m = mark(&ch, 0, y, 0, dbl(t, r, kv), "%s: %s per booking",
		    val(t, r, kc), cellfmt(t, r, kv, F_MONEY));
		mark_label(&ch, m, "%s", cellfmt(t, r, kv, F_MONEY));
		/* the channel's colour, as in the other charts */
		m->colour = cats_find(chan, val(t, r, kc));
	}
	ch.xtitle = with_money("Cost per booking");
	render(&ch);
	details(t, cs, NCS(cs));
	chart_free(&ch);
	fig_end();
}

static void
fig_slots(void)
{
	static const struct colspec cs[] = {
		{ "weekday", "Weekday", F_WDAY },
		{ "hour", "Hour (UTC)", F_HOUR },
		{ "total_bookings", "Bookings", F_INT },
		{ "active_bookings", "Active", F_INT }
	};
	struct chart ch;
	struct tab *t;
	struct mark *m;
	size_t r, kw, kh, kv;

	if ((t = fig_begin("bookings-slots", "When meetings are booked: "
	    "weekday \xc3\x97 hour", "bookings_by_slot", "Bookings by the "
	    "weekday and hour (UTC) of the meeting they booked, canceled ones "
	    "included. Darker is more.")) == NULL)
		return;
	chart_init(&ch, "bookings-slots", C_HEAT, F_INT);
	ch.celltext = 1;
	kw = col(t, "weekday");
	kh = col(t, "hour");
	kv = col(t, "total_bookings");
	cats_ints(&ch.x, 0, 23, F_TEXT);
	cats_ints(&ch.y, 1, 7, F_WDAY);
	for (r = 0; r < t->nrow; r++) {
		m = mark(&ch, cats_find(&ch.x, val(t, r, kh)),
		    cats_find(&ch.y, val(t, r, kw)), 0, dbl(t, r, kv),
		    "%s %s UTC: %s bookings", cellfmt(t, r, kw, F_WDAY),
		    cellfmt(t, r, kh, F_HOUR), cellfmt(t, r, kv, F_INT));
		mark_label(&ch, m, "%s", cellfmt(t, r, kv, F_INT));
	}
	ch.xtitle = "Hour of the meeting, UTC";
	ch.ytitle = "Weekday";
	render(&ch);
	details(t, cs, NCS(cs));
	chart_free(&ch);
	fig_end();
}

static void
sec_bookings(void)
{
	struct cats chan = { 0 };

	if (!sec_begin("bookings", "Bookings", cal_tables,
	    "<code>calendly/</code> and <code>spend/</code>"))
	{
		sec_end();
		return;
	}
	channels(&chan, cal_channels);
	fig_daily(&chan, "bookings-daily", "total_bookings",
	    "Bookings per day, by channel", "Bookings made each day (UTC), "
	    "stacked by the channel that brought them; canceled bookings "
	    "included.", "Bookings", "bookings");
	fig_cpb(&chan);
	fig_cpb_total(&chan);
	fig_slots();
	fig_daily(&chan, "bookings-canceled", "canceled",
	    "Cancellations per day, by channel", "Bookings made each day "
	    "that were canceled since, by channel (a reschedule is not a "
	    "cancellation). The table has the rate.", "Canceled bookings",
	    "canceled");
	cats_free(&chan);
	sec_end();
}

/* ---- e-commerce ---- */

static const char *const ecom_tables[] = {
	"conversion_funnel", "hourly_revenue", "top_products",
	"category_performance", "user_activity", NULL
};

/* The funnel of every product summed: three bars, each with its share
 * of the stage before, computed exactly. */
static void
fig_funnel(void)
{
	static const char *const stage[] = { "views", "carts", "purchases" };
	static const char *const name[] = {
		"Product views", "Added to cart", "Purchased"
	};
	struct chart ch;
	struct tab *t;
	struct mark *m;
	struct mx_dec sum[3], d;
	size_t r, i, k[3];
	const char *p;

	if ((t = fig_begin("ecommerce-funnel", "Conversion funnel: views, "
	    "carts, purchases", "conversion_funnel", "Events of every "
	    "product, summed over the funnel of each; a percentage is of the "
	    "stage before.")) == NULL)
		return;
	chart_init(&ch, "ecommerce-funnel", C_HBAR, F_INT);
	cats_add(&ch.s, "events");
	for (i = 0; i < 3; i++) {
		k[i] = col(t, stage[i]);
		memset(&sum[i], 0, sizeof sum[i]);
		for (r = 0; r < t->nrow; r++)
			if (num(t, r, k[i], &d) == 0)
				decsum(&sum[i], &d, t, r);
	}
	for (i = 0; i < 3; i++) {
		m = mark(&ch, 0, cats_add(&ch.y, name[i]), 0,
		    mx_dec_double(&sum[i]), "%s: %s", name[i],
		    fmts(F_INT, dectext(&sum[i])));
		m->colour = i;
		if (i == 0)
			mark_label(&ch, m, "%s", fmts(F_INT,
			    dectext(&sum[i])));
		else
			mark_label(&ch, m, "%s (%s of %s)",
			    fmts(F_INT, dectext(&sum[i])), fmts(F_PCT,
			    ratio(&sum[i], &sum[i - 1])), stage[i - 1]);
	}
	ch.xtitle = "Events";
	render(&ch);
	put("<details><summary>The numbers (the sums of "
	    "gold/conversion_funnel.ndjson)</summary>");
	p = definition("conversion_funnel", "description");
	if (p != NULL) {
		put("<p class=\"def\">");
		esc(p);
		put("</p>");
	}
	put("<div class=\"tw\"><table class=\"l1\" "
	    "data-table=\"conversion_funnel\" data-sum=\"1\"><thead><tr>"
	    "<th data-col=\"stage\" data-fmt=\"text\">Stage</th>"
	    "<th data-col=\"events\" data-fmt=\"int\">Events</th>"
	    "<th data-col=\"of_before\" data-fmt=\"pct\">Of the stage before"
	    "</th><th data-col=\"of_views\" data-fmt=\"pct\">Of views</th>"
	    "</tr></thead><tbody>");
	for (i = 0; i < 3; i++)
		putf("\n<tr><td>%s<td>%s<td>%s<td>%s", stage[i],
		    fmts(F_INT, dectext(&sum[i])),
		    fmts(F_PCT, i ? ratio(&sum[i], &sum[i - 1]) : NULL),
		    fmts(F_PCT, ratio(&sum[i], &sum[0])));
	tfoot();
	put("</details>");
	chart_free(&ch);
	fig_end();
}

static void
fig_hourly(void)
{
	static const struct colspec cs[] = {
		{ "event_date", "Date", F_DATE },
		{ "event_hour", "Hour (UTC)", F_HOUR },
		{ "revenue", "Revenue", F_MONEY },
		{ "transactions", "Transactions", F_INT }
	};
	struct chart ch;
	struct tab *t;
	size_t r, kd, kh, kv, kn;

	if ((t = fig_begin("ecommerce-hourly", "Revenue by hour", 
	    "hourly_revenue", "Revenue of the purchases in each hour (UTC) "
	    "of each day; an hour without purchases is blank. Darker is "
	    "more.")) == NULL)
		return;
	chart_init(&ch, "ecommerce-hourly", C_HEAT, F_MONEY);
	kd = col(t, "event_date");
	kh = col(t, "event_hour");
	kv = col(t, "revenue");
	kn = col(t, "transactions");
	cats_ints(&ch.x, 0, 23, F_TEXT);
	ch.y.fmt = F_DATE;
	cats_col(&ch.y, t, "event_date");
	cats_calendar(&ch.y, 0);
	for (r = 0; r < t->nrow; r++)
		mark(&ch, cats_find(&ch.x, val(t, r, kh)),
		    cats_find(&ch.y, val(t, r, kd)), 0, dbl(t, r, kv),
		    "%s %s UTC: revenue %s, %s transactions", val(t, r, kd),
		    cellfmt(t, r, kh, F_HOUR), cellfmt(t, r, kv, F_MONEY),
		    cellfmt(t, r, kn, F_INT));
	ch.xtitle = "Hour of the day, UTC";
	ch.ytitle = span("Date, UTC", &ch.y);
	render(&ch);
	details(t, cs, NCS(cs));
	chart_free(&ch);
	fig_end();
}

static void
fig_top(void)
{
	static const struct colspec cs[] = {
		{ "product_id", "Product", F_TEXT },
		{ "category", "Category", F_TEXT },
		{ "rank", "Rank", F_INT },
		{ "views", "Views", F_INT }
	};
	struct chart ch;
	struct tab *t;
	struct mark *m;
	struct mx_buf b = { 0 };
	size_t r, kp, kc, kv;

	if ((t = fig_begin("ecommerce-top", "Top products by views",
	    "top_products", "The products viewed most, with their category; "
	    "products with equal views share a rank.")) == NULL)
		return;
	chart_init(&ch, "ecommerce-top", C_HBAR, F_INT);
	kp = col(t, "product_id");
	kc = col(t, "category");
	kv = col(t, "views");
	cats_add(&ch.s, "views");
	for (r = 0; r < t->nrow; r++) {
		b.len = 0;
		mx_buf_printf(&b, "%s \xc2\xb7 %s", fmts(F_TEXT, val(t, r, kp)),
		    fmts(F_TEXT, val(t, r, kc)));
		m = mark(&ch, 0, cats_add(&ch.y, mx_buf_cstr(&b)), 0,
		    dbl(t, r, kv), "%s: %s views", b.p,
		    cellfmt(t, r, kv, F_INT));
		mark_label(&ch, m, "%s", cellfmt(t, r, kv, F_INT));
	}
	ch.xtitle = "Page views";
	render(&ch);
	details(t, cs, NCS(cs));
	mx_buf_free(&b);
	chart_free(&ch);
	fig_end();
}

static void
fig_categories(void)
{
	static const struct colspec cs[] = {
		{ "event_date", "Date", F_DATE },
		{ "category", "Category", F_TEXT },
		{ "events", "Events", F_INT },
		{ "views", "Views", F_INT },
		{ "carts", "Carts", F_INT },
		{ "purchases", "Purchases", F_INT },
		{ "searches", "Searches", F_INT },
		{ "revenue", "Revenue", F_MONEY }
	};
	struct chart ch;
	struct tab *t;
	size_t r, kd, kc, kv, kp;

	if ((t = fig_begin("ecommerce-categories", "Revenue per day, by "
	    "category", "category_performance", "The revenue of each day's "
	    "purchases, stacked by category; the table has every event type "
	    "per category.")) == NULL)
		return;
	chart_init(&ch, "ecommerce-categories", C_VBAR, F_MONEY);
	ch.stacked = 1;
	kd = col(t, "event_date");
	kc = col(t, "category");
	kv = col(t, "revenue");
	kp = col(t, "purchases");
	ch.x.fmt = F_DATE;
	cats_col(&ch.x, t, "event_date");
	cats_calendar(&ch.x, 0);
	cats_col(&ch.s, t, "category");
	for (r = 0; r < t->nrow; r++)
		mark(&ch, cats_find(&ch.x, val(t, r, kd)), 0,
		    cats_find(&ch.s, val(t, r, kc)), dbl(t, r, kv),
		    "%s, %s: revenue %s, %s purchases", val(t, r, kd),
		    val(t, r, kc), cellfmt(t, r, kv, F_MONEY),
		    cellfmt(t, r, kp, F_INT));
	ch.xtitle = span("Date, UTC", &ch.x);
	ch.ytitle = with_money("Revenue");
	render(&ch);
	details(t, cs, NCS(cs));
	chart_free(&ch);
	fig_end();
}

static void
fig_users(void)
{
	static const struct colspec cs[] = {
		{ "event_date", "Date", F_DATE },
		{ "users", "Users", F_INT },
		{ "sessions", "Sessions", F_INT },
		{ "events", "Events", F_INT }
	};
	struct chart ch;
	struct tab *t;
	size_t r, kd, ku, ks, x;

	if ((t = fig_begin("ecommerce-users", "Users and sessions per day",
	    "user_activity", "Distinct users and distinct sessions with at "
	    "least one event that day (UTC).")) == NULL)
		return;
	chart_init(&ch, "ecommerce-users", C_LINE, F_INT);
	kd = col(t, "event_date");
	ku = col(t, "users");
	ks = col(t, "sessions");
	ch.x.fmt = F_DATE;
	cats_col(&ch.x, t, "event_date");
	cats_calendar(&ch.x, 0);
	cats_add(&ch.s, "users");
	cats_add(&ch.s, "sessions");
	for (r = 0; r < t->nrow; r++) {
		x = cats_find(&ch.x, val(t, r, kd));
		mark(&ch, x, 0, 0, dbl(t, r, ku), "%s: %s users",
		    val(t, r, kd), cellfmt(t, r, ku, F_INT));
		mark(&ch, x, 0, 1, dbl(t, r, ks), "%s: %s sessions",
		    val(t, r, kd), cellfmt(t, r, ks, F_INT));
	}
	ch.xtitle = span("Date, UTC", &ch.x);
	ch.ytitle = "Users, sessions";
	render(&ch);
	details(t, cs, NCS(cs));
	chart_free(&ch);
	fig_end();
}

static void
sec_ecommerce(void)
{
	if (!sec_begin("ecommerce", "E-commerce", ecom_tables,
	    "<code>ecommerce/</code>"))
	{
		sec_end();
		return;
	}
	fig_funnel();
	fig_hourly();
	fig_top();
	fig_categories();
	fig_users();
	sec_end();
}

/* ---- ad clicks ---- */

static const char *const ad_tables[] = {
	"can_serve", "advertiser_monthly", "ad_performance_daily", NULL
};

static int64_t
tsec(const struct tab *t, size_t r, size_t k)
{
	struct mx_time tm;
	const char *s = val(t, r, k);

	if (s == NULL || mx_time_parse(s, strlen(s), &tm) < 0)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: field \"%s\": not a time: %s",
		    t->path, t->line[r], t->col[k], s != NULL ? s : "null");
	return tm.sec;
}

static int64_t
daynum(int64_t sec)
{
	return sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
}

/* One advertiser's rows [r0, r1) of can_serve: spend since midnight as a
 * share of the daily budget, hour by hour, over the hours [t0, t0 + nh h)
 * of the whole table so that the small charts line up. */
static void
small_spend(const struct tab *t, size_t r0, size_t r1, int64_t t0,
    int64_t nh, size_t idx)
{
	static const struct colspec cs[] = {
		{ "period", "Hour (UTC)", F_TS },
		{ "events", "Events", F_INT },
		{ "spend", "Spend", F_MONEY },
		{ "cumulative_spend", "Spend since midnight", F_MONEY },
		{ "budget_value", "Daily budget", F_MONEY },
		{ "remaining", "Remaining", F_MONEY },
		{ "can_serve", "Can serve", F_BOOL }
	};
	const double w = 320, h = 170, ml = 54, mr = 8, top = 8,
	    bottom = h - 38;
	struct scale sc;
	struct mx_dec c, b, q, peak = { 0, 0 };
	struct mx_buf turned = { 0 };
	size_t n = r1 - r0, i, r, nturn = 0, kp, kc, kb, ks;
	int64_t *sec, d, d0, d1, k;
	double *v, ymax = 0, x, y, pw = w - ml - mr;
	unsigned char *off, *turn;
	const char *s;
	char day[16];
	struct mx_time tm = { 0, 0, 0 };

	kp = col(t, "period");
	kc = col(t, "cumulative_spend");
	kb = col(t, "budget_value");
	ks = col(t, "can_serve");
	sec = mx_calloc(n, sizeof *sec);
	v = mx_calloc(n, sizeof *v);
	off = mx_calloc(n, 1);
	turn = mx_calloc(n, 1);
	for (i = 0; i < n; i++) {
		r = r0 + i;
		sec[i] = tsec(t, r, kp);
		s = cellfmt(t, r, ks, F_BOOL);
		off[i] = strcmp(s, "no") == 0;
		/* the hour it turned: the day's first that cannot serve */
		turn[i] = off[i] && (i == 0 || !off[i - 1] ||
		    daynum(sec[i]) != daynum(sec[i - 1]));
		if (num(t, r, kc, &c) < 0 || num(t, r, kb, &b) < 0) {
			v[i] = NAN;
			continue;
		}
		if (mx_dec_iszero(&b) || mx_dec_div(&c, &b, 4, &q) < 0) {
			v[i] = INFINITY;
			continue;
		}
		if (mx_dec_cmp(&q, &peak) > 0)
			peak = q;
		v[i] = mx_dec_double(&q) * 100;
		if (v[i] > ymax)
			ymax = v[i];
		if (turn[i]) {
			mx_buf_printf(&turned, "%s%s", nturn ? ", " : "",
			    fmts(F_TS, val(t, r, kp)));
			nturn++;
		}
	}
	if (ymax >= 80 && ymax < 100)
		ymax = 100;
	scale_fit(&sc, 0, ymax * 1.05, 0);
	sc.p0 = bottom;
	sc.p1 = top;
	put("<div class=\"sm\" data-advertiser=\"");
	esc(val(t, r0, col(t, "advertiser")));
	put("\"><h4>");
	esc(val(t, r0, col(t, "advertiser")));
	put("</h4><p class=\"d\">Peak: ");
	put(fmts(F_PCT, dectext(&peak)));
	put(" of the daily budget. Budget spent: ");
	if (nturn == 0)
		put("never.");
	else {
		esc(mx_buf_cstr(&turned));
		put(" UTC.");
	}
	putf("</p><div class=\"plot\"><svg viewBox=\"0 0 %.0f %.0f\" "
	    "role=\"img\" aria-label=\"Spend since midnight as a share of the "
	    "daily budget\" data-chart=\"adclicks-budget-%zu\">", w, h, idx);
	yaxis(&sc, ml, w - mr, F_PCT, "Of the daily budget", top, bottom);
	/* midnights, labelled as space allows */
	d0 = daynum(t0);
	d1 = daynum(t0 + nh * 3600 - 1);
	k = (int64_t)ceil((5 * CW + 4) / (pw / (double)(d1 - d0 + 1)));
	put("<g class=\"ax\">");
	for (d = d0; d <= d1; d++) {
		x = ml + (double)(d * 86400 - t0) / 3600 / nh * pw;
		if (x < ml)
			continue;
		putf("<line class=\"gr\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
		    "y2=\"%.1f\"/>", x, x, top, bottom);
		if (k > 0 && (d - d0) % k == 0) {
			tm.sec = d * 86400;
			mx_time_date(&tm, day);
			putf("<text x=\"%.1f\" y=\"%.1f\">%s</text>", x + 2,
			    bottom + 13, day + 5);
		}
	}
	putf("<text class=\"at\" x=\"%.1f\" y=\"%.1f\" "
	    "text-anchor=\"middle\">Day and hour, UTC</text></g>",
	    ml + pw / 2, bottom + 30);
	if (sc.hi >= 100) {
		y = scale_at(&sc, 100);
		putf("<line class=\"bud\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
		    "y2=\"%.1f\"/>", ml, w - mr, y, y);
	}
	/* a line per day: the spend since midnight starts again at 0 */
	put("<g class=\"ln\">");
	for (i = 0; i < n; i = r) {
		for (r = i + 1; r < n && daynum(sec[r]) == daynum(sec[i]) &&
		    isfinite(v[r]) && isfinite(v[r - 1]); r++)
			;
		if (r - i < 2)
			continue;
		put("<path class=\"k0\" d=\"");
		for (k = (int64_t)i; k < (int64_t)r; k++)
			putf("%c%.1f %.1f", k == (int64_t)i ? 'M' : 'L',
			    ml + ((sec[k] - t0) / 3600.0 + 0.5) / nh * pw,
			    scale_at(&sc, v[k]));
		put("\"/>");
	}
	put("</g><g class=\"mk\">");
	for (i = 0; i < n; i++) {
		x = ml + ((sec[i] - t0) / 3600.0 + 0.5) / nh * pw;
		y = scale_at(&sc, isfinite(v[i]) ? v[i] : sc.hi);
		if (turn[i])
			putf("<line class=\"turn\" x1=\"%.1f\" x2=\"%.1f\" "
			    "y1=\"%.1f\" y2=\"%.1f\"/>", x, x, top, bottom);
		putf("<circle class=\"m %s\" cx=\"%.1f\" cy=\"%.1f\" "
		    "r=\"%s\"/>", off[i] ? "off" : "c0", x, y,
		    turn[i] ? "3.5" : "1.6");
	}
	put("</g></svg></div>");
	summary(t, n, "its hours");
	thead(t->name, cs, NCS(cs));
	trows(t, cs, NCS(cs), r0, r1);
	tfoot();
	put("</details></div>");
	mx_buf_free(&turned);
	free(sec);
	free(v);
	free(off);
	free(turn);
}

static void
fig_budget(void)
{
	struct tab *t;
	size_t r0, r1, ka, kp, r, idx = 0;
	int64_t t0 = 0, t1 = 0, s;

	if ((t = fig_begin("adclicks-budget", "Spend against the daily "
	    "budget, hour by hour", "can_serve", "Each advertiser's spend "
	    "since midnight (UTC) as a share of its daily budget, at the end "
	    "of each hour with events. A dashed line marks the budget (100%) "
	    "when the chart reaches it; a large point and a vertical line mark "
	    "the hour in which <code>can_serve</code> turned false. Each chart "
	    "has its own scale.")) == NULL)
		return;
	ka = col(t, "advertiser");
	kp = col(t, "period");
	for (r = 0; r < t->nrow; r++) {
		s = tsec(t, r, kp);
		if (r == 0 || s < t0)
			t0 = s;
		if (r == 0 || s > t1)
			t1 = s;
		if (val(t, r, ka) == NULL)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: advertiser is null",
			    t->path, t->line[r]);
	}
	t0 -= t0 % 3600;
	put("<div class=\"grid\">");
	for (r0 = 0; r0 < t->nrow; r0 = r1) {
		for (r1 = r0 + 1; r1 < t->nrow &&
		    strcmp(val(t, r1, ka), val(t, r0, ka)) == 0; r1++)
			;
		small_spend(t, r0, r1, t0, (t1 - t0) / 3600 + 1, idx++);
	}
	put("</div>");
	fig_end();
}

static void
fig_monthly(void)
{
	static const struct colspec cs[] = {
		{ "advertiser", "Advertiser", F_TEXT },
		{ "month", "Month", F_MONTH },
		{ "impressions", "Impressions", F_INT },
		{ "clicks", "Clicks", F_INT },
		{ "net_spend", "Net spend", F_MONEY },
		{ "gross_spend", "Gross spend", F_MONEY },
		{ "monthly_budget", "Monthly budget", F_MONEY },
		{ "remaining", "Remaining", F_MONEY },
		{ "can_serve", "Can serve", F_BOOL }
	};
	struct chart ch;
	struct tab *t;
	struct mark *m;
	struct mx_dec a, b;
	const char *p;
	size_t r, ka, km, kn, kb, kc;

	if ((t = fig_begin("adclicks-monthly", "Monthly spend against the "
	    "monthly budget", "advertiser_monthly", "Each advertiser's net "
	    "spend of a month as a share of its monthly budget (the daily "
	    "budget in force at the end of the month times its days); a "
	    "month that can no longer be served is drawn in vermillion. A "
	    "month without a budget (re-sent deliveries only) is in the "
	    "table.")) == NULL)
		return;
	chart_init(&ch, "adclicks-monthly", C_HBAR, F_PCT);
	ka = col(t, "advertiser");
	km = col(t, "month");
	kn = col(t, "net_spend");
	kb = col(t, "monthly_budget");
	kc = col(t, "can_serve");
	cats_col(&ch.y, t, "advertiser");
	ch.s.fmt = F_MONTH;
	cats_col(&ch.s, t, "month");
	for (r = 0; r < t->nrow; r++) {
		if (num(t, r, kn, &a) < 0 || num(t, r, kb, &b) < 0 ||
		    (p = ratio(&a, &b)) == NULL)
			continue;
		m = mark(&ch, 0, cats_find(&ch.y, val(t, r, ka)),
		    cats_find(&ch.s, val(t, r, km)), strtod(p, NULL) * 100,
		    "%s, %s: %s of %s (%s)", val(t, r, ka), val(t, r, km),
		    cellfmt(t, r, kn, F_MONEY), cellfmt(t, r, kb, F_MONEY),
		    fmts(F_PCT, p));
		mark_label(&ch, m, "%s", fmts(F_PCT, p));
		m->flag = strcmp(cellfmt(t, r, kc, F_BOOL), "no") == 0;
	}
	ch.xtitle = "Net spend, share of the monthly budget";
	render(&ch);
	details(t, cs, NCS(cs));
	chart_free(&ch);
	fig_end();
}

/* Click-through rate, cost per click and cost per thousand impressions:
 * three heat maps, advertiser by day, over one table. */
static void
fig_perf(void)
{
	static const struct colspec cs[] = {
		{ "advertiser", "Advertiser", F_TEXT },
		{ "event_date", "Date", F_DATE },
		{ "impressions", "Impressions", F_INT },
		{ "clicks", "Clicks", F_INT },
		{ "total_spend", "Spend", F_MONEY },
		{ "ctr", "CTR", F_PCT },
		{ "cpc", "CPC", F_MONEY },
		{ "cpm", "CPM", F_MONEY }
	};
	static const struct {
		const char *col, *id, *title;
		int fmt;
	} met[] = {
		{ "ctr", "adclicks-ctr", "Click-through rate (CTR): clicks / "
		    "impressions", F_PCT },
		{ "cpc", "adclicks-cpc", "Cost per click (CPC): spend / clicks",
		    F_MONEY },
		{ "cpm", "adclicks-cpm", "Cost per thousand impressions (CPM): "
		    "spend \xc3\x97 1,000 / impressions", F_MONEY }
	};
	struct chart ch;
	struct tab *t;
	struct mx_buf title = { 0 };
	size_t i, r, ka, kd, kv;
	double v;

	if ((t = fig_begin("adclicks-performance", "CTR, CPC and CPM by "
	    "advertiser and day", "ad_performance_daily", "Net spend (each "
	    "click once), per advertiser and day (UTC). A blank cell has no "
	    "value: no clicks for CPC, no impressions for CTR and CPM. Darker "
	    "is more.")) == NULL)
		return;
	ka = col(t, "advertiser");
	kd = col(t, "event_date");
	for (i = 0; i < 3; i++) {
		chart_init(&ch, met[i].id, C_HEAT, met[i].fmt);
		kv = col(t, met[i].col);
		ch.x.fmt = F_DATE;
		cats_col(&ch.x, t, "event_date");
		cats_calendar(&ch.x, 0);
		cats_col(&ch.y, t, "advertiser");
		for (r = 0; r < t->nrow; r++) {
			if (val(t, r, kv) == NULL)
				continue;
			v = dbl(t, r, kv);
			mark(&ch, cats_find(&ch.x, val(t, r, kd)),
			    cats_find(&ch.y, val(t, r, ka)), 0,
			    met[i].fmt == F_PCT ? v * 100 : v, "%s, %s: %s",
			    val(t, r, ka), val(t, r, kd),
			    cellfmt(t, r, kv, met[i].fmt));
		}
		title.len = 0;
		mx_buf_printf(&title, "%s%s", met[i].title,
		    met[i].fmt == F_MONEY ? moneyunit() : "");
		putf("<h4 id=\"%s\">", met[i].id);
		esc(mx_buf_cstr(&title));
		put("</h4>");
		ch.xtitle = span("Date, UTC", &ch.x);
		ch.ytitle = "Advertiser";
		render(&ch);
		chart_free(&ch);
	}
	details(t, cs, NCS(cs));
	mx_buf_free(&title);
	fig_end();
}

static void
sec_adclicks(void)
{
	if (!sec_begin("adclicks", "Ad clicks", ad_tables,
	    "<code>adclicks/</code>"))
	{
		sec_end();
		return;
	}
	fig_budget();
	fig_monthly();
	fig_perf();
	sec_end();
}

/* ---- CRM and retail ---- */

static const char *const crm_tables[] = { "revenue_vs_spend", NULL };

static const struct colspec cs_rvs[] = {
	{ "month", "Month", F_MONTH },
	{ "channel", "Channel", F_TEXT },
	{ "revenue", "Revenue", F_MONEY },
	{ "new_customers", "New customers", F_INT },
	{ "total_spend", "Spend", F_MONEY },
	{ "roas", "ROAS", F_FIX2 },
	{ "cac", "CAC", F_MONEY }
};

/* revenue_vs_spend's what by month, per channel; rows where it is
 * unknown are not drawn. */
static void
fig_rvs(const struct cats *chan, const char *id, const char *what,
    int fmt, int stacked, const char *title, const char *desc,
    const char *ytitle)
{
	struct chart ch;
	struct tab *t;
	size_t r, km, kc, kv, kr, ks, kn;

	if ((t = fig_begin(id, title, "revenue_vs_spend", desc)) == NULL)
		return;
	chart_init(&ch, id, C_VBAR, fmt);
	ch.stacked = stacked;
	km = col(t, "month");
	kc = col(t, "channel");
	kv = col(t, what);
	kr = col(t, "revenue");
	ks = col(t, "total_spend");
	kn = col(t, "new_customers");
	ch.x.fmt = F_MONTH;
	cats_col(&ch.x, t, "month");
	cats_calendar(&ch.x, 1);
	cats_copy(&ch.s, chan);
	for (r = 0; r < t->nrow; r++)
		if (val(t, r, kv) != NULL)
			mark(&ch, cats_find(&ch.x, val(t, r, km)), 0,
			    cats_find(&ch.s, val(t, r, kc)), dbl(t, r, kv),
			    "%s, %s: %s %s (revenue %s, spend %s, %s new "
			    "customers)", val(t, r, km), val(t, r, kc),
			    what, cellfmt(t, r, kv, fmt),
			    cellfmt(t, r, kr, F_MONEY),
			    cellfmt(t, r, ks, F_MONEY),
			    cellfmt(t, r, kn, F_INT));
	ch.xtitle = span("Month, UTC", &ch.x);
	ch.ytitle = ytitle;
	render(&ch);
	details(t, cs_rvs, NCS(cs_rvs));
	chart_free(&ch);
	fig_end();
}

static void
sec_crm(void)
{
	struct cats chan = { 0 };

	if (!sec_begin("crm", "CRM", crm_tables,
	    "<code>customers/</code>, <code>online_sales/</code> and "
	    "<code>marketing_spend/</code>")) {
		sec_end();
		return;
	}
	channels(&chan, crm_tables);
	fig_rvs(&chan, "crm-revenue", "revenue", F_MONEY, 1, "Revenue by "
	    "month and channel", "Online sales per month, stacked by the "
	    "channel of the order.", with_money("Revenue"));
	fig_rvs(&chan, "crm-roas", "roas", F_FIX2, 0, "Return on ad spend "
	    "(ROAS) by month and channel", "Revenue over marketing spend: "
	    "2.00 is two of revenue for one of spend. Channels without spend "
	    "rows (organic, email, direct) have none.", "ROAS (revenue / "
	    "spend)");
	fig_rvs(&chan, "crm-cac", "cac", F_MONEY, 0, "Customer acquisition "
	    "cost (CAC) by month and channel", "Marketing spend over the new "
	    "customers of the month (customers whose first order it is), by "
	    "the channel of that order; unknown without spend rows.",
	    with_money("CAC"));
	cats_free(&chan);
	sec_end();
}

/* ---- retail ---- */

static const char *const retail_tables[] = { "retail_sales_daily",
    "customer_segments", NULL };

/* Net sales per day, stacked by product group: net_amount, which every
 * line has (the total is unknown where a category has no GST rate). */
static void
fig_retail_daily(void)
{
	static const struct colspec cs[] = {
		{ "date", "Date", F_DATE },
		{ "product_group", "Product group", F_TEXT },
		{ "lines", "Lines", F_INT },
		{ "quantity", "Quantity", F_INT },
		{ "gross", "Gross", F_MONEY },
		{ "discount", "Discount", F_MONEY },
		{ "net_amount", "Net", F_MONEY },
		{ "lines_with_gst", "Lines with GST", F_INT },
		{ "gst", "GST", F_MONEY },
		{ "total", "Total", F_MONEY }
	};
	struct chart ch;
	struct tab *t;
	size_t r, kd, kg, kv, kl;

	if ((t = fig_begin("retail-daily", "Net sales per day, by product "
	    "group", "retail_sales_daily", "The sales lines of the retail "
	    "star schema (fct_sales, through dim_product) per day: gross less "
	    "the coupons' discounts, before GST and delivery, stacked by "
	    "product group; the table has the GST and totals.")) == NULL)
		return;
	chart_init(&ch, "retail-daily", C_VBAR, F_MONEY);
	ch.stacked = 1;
	kd = col(t, "date");
	kg = col(t, "product_group");
	kv = col(t, "net_amount");
	kl = col(t, "lines");
	ch.x.fmt = F_DATE;
	cats_col(&ch.x, t, "date");
	cats_calendar(&ch.x, 0);
	cats_col(&ch.s, t, "product_group");
	for (r = 0; r < t->nrow; r++)
		mark(&ch, cats_find(&ch.x, val(t, r, kd)), 0,
		    cats_find(&ch.s, val(t, r, kg)), dbl(t, r, kv),
		    "%s, %s: net %s, %s lines", val(t, r, kd),
		    val(t, r, kg), cellfmt(t, r, kv, F_MONEY),
		    cellfmt(t, r, kl, F_INT));
	ch.xtitle = span("Date of the transaction", &ch.x);
	ch.ytitle = with_money("Net sales");
	render(&ch);
	details(t, cs, NCS(cs));
	chart_free(&ch);
	fig_end();
}

/* The customers of each segment when the model was fitted, and its
 * centroid: what the segment's name stands for. */
static void
fig_retail_segments(void)
{
	static const struct colspec cs[] = {
		{ "segment_id", "Segment", F_INT },
		{ "segment_name", "Name", F_TEXT },
		{ "size", "Customers", F_INT },
		{ "recency", "Days since the last purchase", F_FIX2 },
		{ "frequency", "Orders", F_FIX2 },
		{ "monetary", "Net revenue", F_FIX2 }
	};
	struct chart ch;
	struct tab *t;
	struct mark *m;
	size_t r, kn, ks, kr, kf, km, y;

	if ((t = fig_begin("retail-segments", "Customer segments",
	    "customer_segments", "The five k-means clusters of the "
	    "customers' recency, frequency and monetary value, named by "
	    "their centres; the customers each held when the model was "
	    "fitted (fct_customer_segments has every customer's).")) == NULL)
		return;
	chart_init(&ch, "retail-segments", C_HBAR, F_INT);
	kn = col(t, "segment_name");
	ks = col(t, "size");
	kr = col(t, "recency");
	kf = col(t, "frequency");
	km = col(t, "monetary");
	cats_add(&ch.s, "customers");
	for (r = 0; r < t->nrow; r++) {
		if (val(t, r, kn) == NULL || val(t, r, ks) == NULL)
			continue;
		y = cats_add(&ch.y, val(t, r, kn));
		m = mark(&ch, 0, y, 0, dbl(t, r, ks), "%s: %s customers; a "
		    "centre of %s days, %s orders, %s of net revenue",
		    val(t, r, kn), cellfmt(t, r, ks, F_INT),
		    cellfmt(t, r, kr, F_FIX2), cellfmt(t, r, kf, F_FIX2),
		    cellfmt(t, r, km, F_FIX2));
		mark_label(&ch, m, "%s", cellfmt(t, r, ks, F_INT));
	}
	ch.xtitle = "Customers";
	render(&ch);
	details(t, cs, NCS(cs));
	chart_free(&ch);
	fig_end();
}

static void
sec_retail(void)
{
	if (sec_begin("retail", "Retail sales (star schema)", retail_tables,
	    "<code>retail_sales/</code>, <code>retail_customers/</code>, "
	    "<code>retail_coupons/</code> and <code>retail_tax/</code>")) {
		fig_retail_daily();
		fig_retail_segments();
	}
	sec_end();
}

/* ---- growth ---- */

static const char *const growth_tables[] = { "campaign_performance", NULL };

/* Spend against the revenue of the deals won from each Meta campaign's
 * contacts; the unknown campaign's deals are those of contacts whose
 * campaign Meta does not know. */
static void
fig_growth_campaigns(void)
{
	static const struct colspec cs[] = {
		{ "campaign_name", "Campaign", F_TEXT },
		{ "impressions", "Impressions", F_INT },
		{ "clicks", "Clicks", F_INT },
		{ "spend_usd", "Spend (USD)", F_MONEY },
		{ "meta_purchases", "Purchases (Meta)", F_INT },
		{ "orders", "Won deals", F_INT },
		{ "customers", "Customers", F_INT },
		{ "revenue_usd", "Won revenue (USD)", F_MONEY },
		{ "ctr", "CTR (%)", F_FIX2 },
		{ "cpc", "CPC (USD)", F_MONEY },
		{ "cpm", "CPM (USD)", F_MONEY },
		{ "roas", "ROAS", F_FIX2 },
		{ "cac", "CAC (USD)", F_MONEY }
	};
	struct chart ch;
	struct tab *t;
	size_t r, kn, ks, kv, kr, kc, y;
	const char *name;

	if ((t = fig_begin("growth-campaigns", "Spend and won revenue per "
	    "campaign", "campaign_performance", "Meta spend in US dollars "
	    "against the revenue of the deals won from the contacts each "
	    "campaign brought (HubSpot); the table has CTR, CPC, CPM, ROAS "
	    "and CAC.")) == NULL)
		return;
	chart_init(&ch, "growth-campaigns", C_HBAR, F_MONEY);
	kn = col(t, "campaign_name");
	ks = col(t, "spend_usd");
	kv = col(t, "revenue_usd");
	kr = col(t, "roas");
	kc = col(t, "cac");
	cats_add(&ch.s, "spend");
	cats_add(&ch.s, "won revenue");
	for (r = 0; r < t->nrow; r++) {
		name = val(t, r, kn) != NULL ? val(t, r, kn) :
		    "(unknown campaign)";
		y = cats_add(&ch.y, name);
		if (val(t, r, ks) != NULL)
			mark(&ch, 0, y, 0, dbl(t, r, ks), "%s: spend %s "
			    "(ROAS %s, CAC %s)", name,
			    cellfmt(t, r, ks, F_MONEY),
			    cellfmt(t, r, kr, F_FIX2),
			    cellfmt(t, r, kc, F_MONEY));
		if (val(t, r, kv) != NULL)
			mark(&ch, 0, y, 1, dbl(t, r, kv), "%s: won revenue %s",
			    name, cellfmt(t, r, kv, F_MONEY));
	}
	ch.xtitle = "US dollars";
	render(&ch);
	details(t, cs, NCS(cs));
	chart_free(&ch);
	fig_end();
}

static void
sec_growth(void)
{
	if (sec_begin("growth", "Growth (HubSpot, Meta Ads, GA4)",
	    growth_tables, "<code>hubspot_contacts/</code>, "
	    "<code>hubspot_deals/</code>, <code>meta_ads_insights/</code> "
	    "and <code>fx_rates/</code>"))
		fig_growth_campaigns();
	sec_end();
}

/* ---- lake health ---- */

/* The gold tables of the lake, by name (health lists them all). */
static char	**goldnames;
static size_t	  ngoldnames;

/* The entries of a directory but the hidden ones, sorted by bytes (so
 * that the page does not depend on the order of readdir); 0 entries and
 * *exists 0 when there is no such directory. */
static size_t
listdir(const char *path, char ***names, int *exists)
{
	DIR *d;
	struct dirent *e;
	size_t n = 0;

	*names = NULL;
	*exists = 0;
	if ((d = opendir(path)) == NULL) {
		if (errno == ENOENT)
			return 0;
		mx_err(MX_EXIT_FAIL, "%s", path);
	}
	*exists = 1;
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		*names = mx_reallocarray(*names, n + 1, sizeof **names);
		(*names)[n++] = mx_strdup(e->d_name);
		errno = 0;
	}
	if (errno != 0)
		mx_err(MX_EXIT_FAIL, "%s", path);
	closedir(d);
	if (n > 1)
		qsort(*names, n, sizeof **names, cmpstr);
	return n;
}

static void
freenames(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
isdir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The runs of the log: its lines grouped by run, in the order written
 * (a resumed run continues its own lines). */
struct run {
	size_t		r0, r1;		/* its rows of _runs.ndjson */
	struct mx_dec	seconds, in, rejected, duplicates;
	size_t		failed;
	int		took;		/* a bronze step took records in */
};

/* A step that did its work: ok, or warn (a stale source said, and the
 * run went on). */
static int
stepok(const char *state)
{
	return state != NULL && (strcmp(state, "ok") == 0 ||
	    strcmp(state, "warn") == 0);
}

static size_t
runs(struct tab *t, struct run **rv)
{
	size_t r, n = 0, kr, ks, kst, ksec, kin, krej, kdup;
	struct run *v = NULL, *u;
	struct mx_dec d;
	const char *step, *id;

	kr = col(t, "run");
	ks = col(t, "step");
	kst = col(t, "state");
	ksec = col(t, "seconds");
	kin = col(t, "in");
	krej = col(t, "rejected");
	kdup = col(t, "duplicates");
	for (r = 0; r < t->nrow; r++) {
		id = val(t, r, kr);
		if (id == NULL)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: run is null", t->path,
			    t->line[r]);
		if (n == 0 || strcmp(val(t, v[n - 1].r0, kr), id) != 0) {
			v = mx_reallocarray(v, n + 1, sizeof *v);
			memset(&v[n], 0, sizeof v[n]);
			v[n++].r0 = r;
		}
		u = &v[n - 1];
		u->r1 = r + 1;
		step = val(t, r, ks) != NULL ? val(t, r, ks) : "";
		if (!stepok(val(t, r, kst)))
			u->failed++;
		if (num(t, r, ksec, &d) == 0)
			decsum(&u->seconds, &d, t, r);
		if (num(t, r, krej, &d) == 0)
			decsum(&u->rejected, &d, t, r);
		if (num(t, r, kdup, &d) == 0)
			decsum(&u->duplicates, &d, t, r);
		if (strncmp(step, "bronze:", 7) == 0 &&
		    num(t, r, kin, &d) == 0) {
			decsum(&u->in, &d, t, r);
			if (!mx_dec_iszero(&d))
				u->took = 1;
		}
	}
	*rv = v;
	return n;
}

#define LASTRUNS	10

static void
fig_runs(void)
{
	static const struct colspec cs[] = {
		{ "step", "Step", F_TEXT },
		{ "state", "State", F_TEXT },
		{ "start", "Started (UTC)", F_TS },
		{ "seconds", "Seconds", F_NUM },
		{ "in", "In", F_INT },
		{ "out", "Out", F_INT },
		{ "rejected", "Rejected", F_INT },
		{ "duplicates", "Duplicates", F_INT },
		{ "note", "Note", F_TEXT }
	};
	struct tab *t = load("_runs", "_runs.ndjson");
	struct run *rv = NULL, *u;
	struct chart ch;
	struct mark *m;
	struct mx_buf key = { 0 };
	size_t n, i, r, ks, ksec, kst, kstart, kend, pick, k;

	put("<figure id=\"health-runs\" data-table=\"_runs\"><h3>The last "
	    "runs</h3>");
	if (!usable(t)) {
		put("<p class=\"missing\" data-missing=\"_runs\">No runs: "
		    "<code>_runs.ndjson</code> is ");
		put(t->state == T_MISSING ? "not in this lake." : "empty.");
		put("</p></figure>");
		return;
	}
	n = runs(t, &rv);
	ks = col(t, "step");
	ksec = col(t, "seconds");
	kst = col(t, "state");
	kstart = col(t, "start");
	kend = col(t, "end");
	putf("<p class=\"d\">The last %zu of the %zu runs in "
	    "<code>_runs.ndjson</code>, the latest first. Records in are "
	    "those the bronze steps took in; rejected and duplicates are "
	    "summed over every step; seconds are the steps' own.</p>",
	    n < LASTRUNS ? n : LASTRUNS, n);
	put("<div class=\"tw\"><table class=\"l3\" data-table=\"_runs\" "
	    "data-runs=\"1\"><thead><tr><th data-col=\"run\" "
	    "data-fmt=\"text\">Run</th><th data-col=\"start\" "
	    "data-fmt=\"time\">Started (UTC)</th><th data-col=\"end\" "
	    "data-fmt=\"time\">Ended (UTC)</th><th data-col=\"steps\" "
	    "data-fmt=\"int\">Steps</th><th data-col=\"failed\" "
	    "data-fmt=\"int\">Failed</th><th data-col=\"in\" "
	    "data-fmt=\"int\">Records in</th><th data-col=\"rejected\" "
	    "data-fmt=\"int\">Rejected</th><th data-col=\"duplicates\" "
	    "data-fmt=\"int\">Duplicates</th><th data-col=\"seconds\" "
	    "data-fmt=\"num\">Seconds</th></tr></thead><tbody>");
	for (i = n; i > 0 && i + LASTRUNS > n; i--) {
		u = &rv[i - 1];
		put(u->failed ? "\n<tr class=\"bad\"><td>" : "\n<tr><td>");
		esc(val(t, u->r0, col(t, "run")));
		putf("<td>%s<td>%s<td>%s<td>%s<td>%s<td>%s<td>%s<td>%s",
		    cellfmt(t, u->r0, kstart, F_TS),
		    cellfmt(t, u->r1 - 1, kend, F_TS),
		    count(u->r1 -
		    u->r0), count(u->failed), fmts(F_INT, dectext(&u->in)),
		    fmts(F_INT, dectext(&u->rejected)),
		    fmts(F_INT, dectext(&u->duplicates)),
		    fmts(F_NUM, dectext(&u->seconds)));
	}
	tfoot();
	/* the steps of the latest run that did some work: a run that
	 * found nothing new shows only that everything was up to date */
	for (pick = n; pick > 0 && !rv[pick - 1].took; pick--)
		;
	pick = pick > 0 ? pick - 1 : n - 1;
	u = &rv[pick];
	put("<h4>Steps of run ");
	esc(val(t, u->r0, col(t, "run")));
	putf("%s</h4>", pick == n - 1 ? ", the latest" :
	    ", the latest that took records in");
	chart_init(&ch, "health-steps", C_HBAR, F_NUM);
	cats_add(&ch.s, "seconds");
	for (r = u->r0; r < u->r1; r++) {
		key.len = 0;
		mx_buf_adds(&key, val(t, r, ks) != NULL ? val(t, r, ks) : "?");
		/* a step run twice (a resumed run) is a bar of its own */
		for (k = 2; cats_find(&ch.y, mx_buf_cstr(&key)) < ch.y.n; k++) {
			key.len = 0;
			mx_buf_printf(&key, "%s (%zu)", val(t, r, ks) != NULL ?
			    val(t, r, ks) : "?", k);
		}
		m = mark(&ch, 0, cats_add(&ch.y, mx_buf_cstr(&key)), 0,
		    dbl(t, r, ksec), "%s: %s s, %s", key.p,
		    cellfmt(t, r, ksec, F_NUM), fmts(F_TEXT, val(t, r, kst)));
		mark_label(&ch, m, "%s s", cellfmt(t, r, ksec, F_NUM));
		m->flag = !stepok(val(t, r, kst));
	}
	ch.xtitle = "Seconds (a failed step in vermillion)";
	render(&ch);
	summary(t, u->r1 - u->r0, "the steps of the run");
	thead("_runs", cs, NCS(cs));
	trows(t, cs, NCS(cs), u->r0, u->r1);
	tfoot();
	put("</details>");
	chart_free(&ch);
	mx_buf_free(&key);
	free(rv);
	fig_end();
}

/* The rejects of one group: table, tool, rule and field. */
struct rj {
	char		*table, *tool, *rule, *field, *reason;
	uintmax_t	 n;
};

struct rjs {
	struct rj	*g;
	size_t		 n;
	uintmax_t	 total, files;
	struct mx_json	*js;		/* selects the paths below */
	struct mx_buf	 b[4];
};

static const char *const rjpath[] = {
	"_reject.tool", "_reject.rule", "_reject.errors.0.field",
	"_reject.reason"
};

static int
cmprj(const void *a, const void *b)
{
	const struct rj *p = a, *q = b;
	int c;

	if (p->n != q->n)
		return p->n > q->n ? -1 : 1;
	if ((c = strcmp(p->table, q->table)) != 0)
		return c;
	if ((c = strcmp(p->tool, q->tool)) != 0)
		return c;
	if ((c = strcmp(p->rule, q->rule)) != 0)
		return c;
	return strcmp(p->field, q->field);
}

/* The subdirectories of path, sorted. */
static size_t
subdirs(const char *path, char ***names)
{
	struct mx_buf p = { 0 };
	size_t n, i, k = 0;
	int exists;

	n = listdir(path, names, &exists);
	for (i = 0; i < n; i++) {
		p.len = 0;
		mx_buf_printf(&p, "%s/%s", path, (*names)[i]);
		if (isdir(mx_buf_cstr(&p)))
			(*names)[k++] = (*names)[i];
		else
			free((*names)[i]);
	}
	mx_buf_free(&p);
	return k;
}

/* Count the rejects of one file of table's. */
static void
tally(struct rjs *rs, const char *path, const char *table)
{
	struct mx_span sp[4];
	struct mx_reader rd;
	struct rj *g;
	const char *line, *s[4];
	ssize_t len;
	size_t k;

	if (mx_reader_open(&rd, path) < 0)
		mx_err(MX_EXIT_FAIL, "%s", path);
	rs->files++;
	while ((len = mx_reader_line(&rd, &line)) >= 0) {
		if (mx_blank(line, (size_t)len))
			continue;
		if (mx_json_scan(rs->js, line, (size_t)len, sp, 1) < 0)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", path, rd.lineno,
			    mx_json_errstr(rs->js));
		for (k = 0; k < 4; k++)
			s[k] = sp[k].kind == MX_JNONE ||
			    sp[k].kind == MX_JNULL ? "" :
			    mx_span_cstr(&sp[k], &rs->b[k]);
		for (k = 0; k < rs->n; k++) {
			g = &rs->g[k];
			if (strcmp(g->table, table) == 0 &&
			    strcmp(g->tool, s[0]) == 0 &&
			    strcmp(g->rule, s[1]) == 0 &&
			    strcmp(g->field, s[2]) == 0)
				break;
		}
		if (k == rs->n) {
			rs->g = mx_reallocarray(rs->g, rs->n + 1,
			    sizeof *rs->g);
			g = &rs->g[rs->n++];
			g->table = mx_strdup(table);
			g->tool = mx_strdup(s[0]);
			g->rule = mx_strdup(s[1]);
			g->field = mx_strdup(s[2]);
			g->reason = mx_strdup(s[3]);
			g->n = 0;
		}
		rs->g[k].n++;
		rs->total++;
	}
	mx_reader_close(&rd);
}

static void
rejects_table(const struct rjs *rs)
{
	size_t k;

	put("<details><summary>The numbers (every file under rejects/)"
	    "</summary><div class=\"tw\"><table class=\"l4\" "
	    "data-table=\"rejects\"><thead><tr><th data-col=\"table\" "
	    "data-fmt=\"text\">Table</th><th data-col=\"tool\" "
	    "data-fmt=\"text\">Tool</th><th data-col=\"rule\" "
	    "data-fmt=\"text\">Rule</th><th data-col=\"field\" "
	    "data-fmt=\"text\">Field</th><th data-col=\"records\" "
	    "data-fmt=\"int\">Records</th><th data-col=\"reason\" "
	    "data-fmt=\"text\" class=\"l\">Example reason</th></tr></thead>"
	    "<tbody>");
	for (k = 0; k < rs->n; k++) {
		put("\n<tr><td>");
		esc(rs->g[k].table);
		put("<td>");
		esc(rs->g[k].tool);
		put("<td>");
		esc(rs->g[k].rule);
		put("<td>");
		esc(rs->g[k].field);
		putf("<td>%s<td class=\"l\">", count(rs->g[k].n));
		esc(rs->g[k].reason);
	}
	tfoot();
	put("</details>");
}

/* Rejects grouped by table, tool, rule and field: the reasons themselves
 * hold columns and values, and would make a group of each record.  The
 * layout is rejects/<table>/ingest_date=D/<run>-<step>.ndjson. */
static void
fig_rejects(void)
{
	struct rjs rs;
	struct mx_sel *sel = mx_sel_new();
	struct mx_buf p = { 0 };
	struct chart ch;
	struct mark *m;
	char **tv, **pv, **fv, *dir = lakepath("rejects");
	size_t nt, np, nf, i, j, q, k;
	int exists, any;

	memset(&rs, 0, sizeof rs);
	for (k = 0; k < 4; k++)
		mx_sel_add(sel, rjpath[k]);
	rs.js = mx_json_new(sel);
	put("<figure id=\"health-rejects\" data-table=\"rejects\"><h3>"
	    "Rejected records, by reason</h3>");
	exists = isdir(dir);
	nt = subdirs(dir, &tv);
	for (i = 0; i < nt; i++) {
		p.len = 0;
		mx_buf_printf(&p, "%s/%s", dir, tv[i]);
		np = subdirs(mx_buf_cstr(&p), &pv);
		for (j = 0; j < np; j++) {
			p.len = 0;
			mx_buf_printf(&p, "%s/%s/%s", dir, tv[i], pv[j]);
			nf = listdir(mx_buf_cstr(&p), &fv, &any);
			for (q = 0; q < nf; q++) {
				p.len = 0;
				mx_buf_printf(&p, "%s/%s/%s/%s", dir, tv[i],
				    pv[j], fv[q]);
				tally(&rs, mx_buf_cstr(&p), tv[i]);
			}
			freenames(fv, nf);
		}
		freenames(pv, np);
	}
	freenames(tv, nt);
	if (rs.total == 0) {
		put("<p class=\"note\" data-missing=\"rejects\">No rejected "
		    "records in this lake");
		put(exists ? " (<code>rejects/</code> holds none)." :
		    " (no <code>rejects/</code> directory).");
		put("</p>");
	} else {
		qsort(rs.g, rs.n, sizeof *rs.g, cmprj);
		putf("<p class=\"d\">%s records set aside in %s files under "
		    "<code>rejects/</code>, by the table they were meant for, "
		    "the rule they broke and its field; the step that refused "
		    "them (mx-ingest: not JSON or CSV; mx-validate: the "
		    "contract) and an example of each reason are in the "
		    "table.</p>", count(rs.total), count(rs.files));
		chart_init(&ch, "health-rejects", C_HBAR, F_INT);
		cats_add(&ch.s, "records");
		for (k = 0; k < rs.n; k++) {
			p.len = 0;
			mx_buf_printf(&p, "%s: %s%s%s", rs.g[k].table,
			    rs.g[k].rule, *rs.g[k].field ? " " : "",
			    rs.g[k].field);
			m = mark(&ch, 0, cats_add(&ch.y, mx_buf_cstr(&p)), 0,
			    (double)rs.g[k].n, "%s: %s records", p.p,
			    count(rs.g[k].n));
			mark_label(&ch, m, "%s", count(rs.g[k].n));
		}
		ch.xtitle = "Rejected records";
		render(&ch);
		rejects_table(&rs);
		chart_free(&ch);
	}
	for (k = 0; k < rs.n; k++) {
		free(rs.g[k].table);
		free(rs.g[k].tool);
		free(rs.g[k].rule);
		free(rs.g[k].field);
		free(rs.g[k].reason);
	}
	free(rs.g);
	for (k = 0; k < 4; k++)
		mx_buf_free(&rs.b[k]);
	mx_buf_free(&p);
	mx_json_free(rs.js);
	mx_sel_free(sel);
	free(dir);
	fig_end();
}

/* Lines that are not blank: the rows of a table the report does not
 * load. */
static uintmax_t
countrows(const char *path)
{
	struct mx_reader r;
	const char *line;
	ssize_t len;
	uintmax_t n = 0;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_FAIL, "%s", path);
	while ((len = mx_reader_line(&r, &line)) >= 0)
		n += !mx_blank(line, (size_t)len);
	mx_reader_close(&r);
	return n;
}

/* The row of the latest result of each test in the run log, in the order
 * of table and test: their indexes into *pick; how many. */
static const struct tab *pickt;
static size_t pickk[2];

static int
cmppick(const void *a, const void *b)
{
	size_t ra = *(const size_t *)a, rb = *(const size_t *)b, i;
	const char *x, *y;
	int c;

	for (i = 0; i < 2; i++) {
		x = val(pickt, ra, pickk[i]);
		y = val(pickt, rb, pickk[i]);
		if ((c = strcmp(x != NULL ? x : "", y != NULL ? y : "")) != 0)
			return c;
	}
	return 0;
}

static size_t
latest_tests(const struct tab *t, size_t **pick)
{
	size_t r, j, n = 0;

	pickt = t;
	pickk[0] = colopt(t, "table");
	pickk[1] = colopt(t, "test");
	*pick = NULL;
	for (r = t->nrow; r > 0; r--) {
		for (j = 0; j < n; j++)
			if (cmppick(&(*pick)[j], &(size_t){ r - 1 }) == 0)
				break;
		if (j < n)
			continue;
		*pick = mx_reallocarray(*pick, n + 1, sizeof **pick);
		(*pick)[n++] = r - 1;
	}
	if (n > 1)
		qsort(*pick, n, sizeof **pick, cmppick);
	return n;
}

/* The latest result of each test, from the lines the lake's data tests
 * (mx-test) append to the run log: a test that failed once and passes
 * now is shown passing. */
static void
tests_logged(const struct tab *t)
{
	static const char *cs[] = { "table", "test", "state", "failing",
	    "rows", "run", "stored" };
	size_t *pick, n, i, k, j;
	const char *v, *st;

	n = latest_tests(t, &pick);
	put("<p class=\"d\">The latest result of each data test, from "
	    "<code>_runs.ndjson</code>: the rows that failed it, kept under "
	    "<code>tests/</code>.</p><div class=\"tw\"><table class=\"l3\" "
	    "data-table=\"tests\"><thead><tr><th>Table</th><th>Test</th>"
	    "<th>State</th><th>Failing rows</th><th>Rows</th><th>Run</th>"
	    "<th>Failing rows kept in</th></tr></thead><tbody>");
	for (i = 0; i < n; i++) {
		st = val(t, pick[i], colopt(t, "state"));
		put(st != NULL && strcmp(st, "pass") == 0 ?
		    "\n<tr>" : "\n<tr class=\"bad\">");
		for (j = 0; j < sizeof cs / sizeof cs[0]; j++) {
			k = colopt(t, cs[j]);
			v = val(t, pick[i], k);
			put("<td>");
			if ((j == 3 || j == 4) && (v = fmts(F_INT, v)) != NULL)
				put(v);
			else
				esc(v != NULL ? v : "");
		}
	}
	tfoot();
	free(pick);
}

/* Data tests write the failing rows of each under
 * tests/<table>/<test>/<run>.ndjson; the lake logs each result in the run
 * log, which says how each stands; without it, the latest file of a test
 * does. */
static void
fig_tests(void)
{
	char **tv, **sv, **fv, *dir = lakepath("tests");
	struct mx_buf p = { 0 };
	size_t nt, ns, nf, i, j, n = 0;
	uintmax_t rows;
	int any;
	struct tab *t = load("_tests", "_runs.ndjson");

	put("<figure id=\"health-tests\" data-table=\"tests\"><h3>Data "
	    "tests</h3>");
	if (usable(t)) {
		tests_logged(t);
		free(dir);
		fig_end();
		return;
	}
	nt = subdirs(dir, &tv);
	for (i = 0; i < nt; i++) {
		p.len = 0;
		mx_buf_printf(&p, "%s/%s", dir, tv[i]);
		ns = subdirs(mx_buf_cstr(&p), &sv);
		for (j = 0; j < ns; j++) {
			p.len = 0;
			mx_buf_printf(&p, "%s/%s/%s", dir, tv[i], sv[j]);
			if ((nf = listdir(mx_buf_cstr(&p), &fv, &any)) == 0)
				continue;
			if (n++ == 0)
				put("<p class=\"d\">The latest result of each "
				    "data test: the rows that failed it, "
				    "from <code>tests/</code>.</p><div "
				    "class=\"tw\"><table class=\"l3\" "
				    "data-table=\"tests\"><thead><tr><th>"
				    "Table</th><th>Test</th><th>Latest file"
				    "</th><th>Failing rows</th></tr></thead>"
				    "<tbody>");
			p.len = 0;
			mx_buf_printf(&p, "%s/%s/%s/%s", dir, tv[i], sv[j],
			    fv[nf - 1]);
			rows = countrows(mx_buf_cstr(&p));
			put(rows ? "\n<tr class=\"bad\"><td>" : "\n<tr><td>");
			esc(tv[i]);
			put("<td>");
			esc(sv[j]);
			put("<td>");
			esc(fv[nf - 1]);
			putf("<td>%s", count(rows));
			freenames(fv, nf);
		}
		freenames(sv, ns);
	}
	freenames(tv, nt);
	if (n > 0)
		tfoot();
	else
		put("<p class=\"note\" data-missing=\"tests\">No data tests "
		    "have run in this lake yet (no results under "
		    "<code>tests/</code>).</p>");
	mx_buf_free(&p);
	free(dir);
	fig_end();
}

/* How recent each domain's data is: the latest date of a table that has
 * one row per day (or month). */
static void
fig_fresh(void)
{
	static const struct {
		const char *domain, *table, *col;
	} f[] = {
		{ "bookings", "bookings_daily", "booking_date" },
		{ "e-commerce", "user_activity", "event_date" },
		{ "ad clicks", "ad_performance_daily", "event_date" },
		{ "CRM and retail", "revenue_vs_spend", "month" }
	};
	struct cats c;
	struct tab *t;
	size_t i;

	put("<figure id=\"health-fresh\"><h3>Freshness</h3><p class=\"d\">"
	    "The latest day (or month) each domain has data for, UTC, next "
	    "to the run that wrote it (above).</p><div class=\"tw\"><table "
	    "class=\"l3\" data-table=\"freshness\"><thead><tr><th>Domain"
	    "</th><th>Table</th><th>Latest data</th></tr></thead><tbody>");
	for (i = 0; i < NCS(f); i++) {
		t = gold(f[i].table);
		memset(&c, 0, sizeof c);
		if (usable(t))
			cats_col(&c, t, f[i].col);
		putf("\n<tr><td>%s<td>gold/%s<td>", f[i].domain, f[i].table);
		if (c.n > 0)
			esc(c.v[c.n - 1]);
		else
			put(t->state == T_MISSING ? "none (missing)" :
			    "none (no rows)");
		cats_free(&c);
	}
	tfoot();
	fig_end();
}

/* Every gold table the catalog defines or the lake holds, with its
 * rows: what is there and what is not, at a glance. */
static void
fig_gold(void)
{
	struct tab *c = load("_catalog", "gold/_catalog.ndjson");
	struct cats names = { 0 };
	struct mx_buf p = { 0 };
	size_t i, r, kt = 0, kd = 0, n;
	const char *dom, *st;
	uintmax_t rows;

	if (usable(c)) {
		kt = col(c, "table");
		kd = colopt(c, "domain");
		for (r = 0; r < c->nrow; r++)
			if (val(c, r, kt) != NULL)
				cats_add(&names, val(c, r, kt));
	}
	for (i = 0; i < ngoldnames; i++)
		cats_add(&names, goldnames[i]);
	cats_sort(&names);
	put("<figure id=\"health-gold\" data-table=\"gold\"><h3>Gold tables"
	    "</h3><p class=\"d\">Every table the catalog "
	    "(<code>gold/_catalog.ndjson</code>) defines or "
	    "<code>gold/</code> holds.");
	if (!usable(c))
		put(" This lake has no catalog.");
	put("</p>");
	put("<details><summary>The tables</summary><div class=\"tw\"><table "
	    "class=\"l3\" data-table=\"gold\"><thead><tr><th>Table</th><th>"
	    "Domain</th><th>State</th><th>Rows</th></tr></thead><tbody>");
	for (i = 0; i < names.n; i++) {
		dom = NULL;
		if (usable(c))
			for (r = 0; r < c->nrow; r++)
				if (val(c, r, kt) != NULL &&
				    strcmp(val(c, r, kt), names.v[i]) == 0)
					dom = val(c, r, kd);
		for (n = 0; n < ngoldnames; n++)
			if (strcmp(goldnames[n], names.v[i]) == 0)
				break;
		rows = 0;
		if (n == ngoldnames)
			st = "missing";
		else {
			for (r = 0; r < ntabs; r++)
				if (strcmp(tabs[r]->name, names.v[i]) == 0)
					break;
			if (r < ntabs)
				rows = tabs[r]->nrow;
			else {
				p.len = 0;
				mx_buf_printf(&p, "%s/gold/%s.ndjson", opt.lake,
				    names.v[i]);
				rows = countrows(mx_buf_cstr(&p));
			}
			st = rows == 0 ? "empty" : dom == NULL ?
			    "not in the catalog" : "ok";
		}
		put(strcmp(st, "ok") != 0 ? "\n<tr class=\"bad\"><td>" :
		    "\n<tr><td>");
		esc(names.v[i]);
		put("<td>");
		esc(dom != NULL ? dom : "");
		putf("<td>%s<td>%s", st, n == ngoldnames ? "" : count(rows));
	}
	tfoot();
	put("</details>");
	cats_free(&names);
	mx_buf_free(&p);
	fig_end();
}

static void
sec_health(void)
{
	put("<section id=\"health\"><h2>Lake health</h2>");
	fig_runs();
	fig_rejects();
	fig_tests();
	fig_fresh();
	fig_gold();
	sec_end();
}

/* ---- the page ---- */

/*
 * Okabe and Ito's eight colours, which readers with any common colour
 * vision deficiency tell apart; series past the eighth get the same
 * colours hatched (bars) or dashed (lines), so a legend of up to 16
 * stays unambiguous.  Yellow is last but one: it is faint on white.
 */
static const char *const okabe[8] = {
	"#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7",
	"#F0E442", "#000000"
};

static const char css[] =
	":root{--fg:#1b1b1b;--mu:#555;--ln:#ccc;--bg:#fff;--ac:#0b5394}"
	"*{box-sizing:border-box}"
	"body{margin:0;color:var(--fg);background:var(--bg);"
	"font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,"
	"\"Helvetica Neue\",Arial,sans-serif;-webkit-text-size-adjust:100%}"
	"header,main,footer{max-width:1080px;margin:0 auto;padding:0 16px}"
	"h1{font-size:1.7em;margin:.8em 0 .2em;line-height:1.2}"
	"h2{font-size:1.35em;margin:2.2em 0 .6em;padding-bottom:.2em;"
	"border-bottom:2px solid var(--fg)}"
	"h3{font-size:1.1em;margin:0 0 .2em}"
	"h4{font-size:1em;margin:.8em 0 .2em}"
	".meta{color:var(--mu);margin:.2em 0}"
	"nav ul{list-style:none;padding:0;margin:.8em 0;display:flex;"
	"flex-wrap:wrap;gap:.3em 1.2em}"
	"a{color:var(--ac)}"
	"figure{margin:1.4em 0 2.4em;padding:0}"
	".d{color:var(--mu);margin:.1em 0 .5em;max-width:48em}"
	".plot{overflow-x:auto}"
	".plot svg{display:block;width:100%;height:auto;max-width:900px}"
	".plot svg.narrow{display:none;max-width:480px}"
	"svg text{font-size:12px;fill:#333}"
	"svg .at{font-size:13px;fill:#1b1b1b}"
	"svg .vl{font-size:11.5px}"
	"svg .ct{font-size:10px;text-anchor:middle;fill:#1b1b1b}"
	".sm svg text{font-size:10px}.sm svg .at{font-size:11px}"
	"svg .ct.dk{fill:#fff}"
	".gr{stroke:#e3e3e3;stroke-width:1}"
	".ln path{fill:none;stroke-width:2;stroke-linejoin:round}"
	".sm .ln path{stroke-width:1.2}"
	".mk circle{stroke:#fff;stroke-width:1}"
	".sm .mk circle{stroke-width:.5}"
	".bud{stroke:#1b1b1b;stroke-width:1;stroke-dasharray:5 3}"
	".turn{stroke:#D55E00;stroke-width:1;stroke-dasharray:2 2}"
	".m.off{fill:#D55E00}"
	".legend{list-style:none;padding:0;margin:.3em 0 .4em;display:flex;"
	"flex-wrap:wrap;gap:.15em 1.1em;font-size:.9em}"
	".sw{display:inline-block;width:.95em;height:.95em;margin-right:.35em;"
	"vertical-align:-.12em;border:1px solid #0004}"
	".grid{display:grid;grid-template-columns:repeat(auto-fill,"
	"minmax(300px,1fr));gap:.4em 1.4em}"
	".grid h4{margin:.6em 0 0}.grid .d{font-size:.85em}"
	"details{margin:.4em 0}"
	"summary{cursor:pointer;color:var(--ac)}"
	".def{color:var(--mu);font-size:.9em;max-width:48em}"
	".tw{overflow:auto;max-height:32em;margin:.3em 0}"
	"table{border-collapse:collapse;font-size:.86em;"
	"font-variant-numeric:tabular-nums}"
	"th,td{padding:.18em .7em;border-bottom:1px solid #eee;"
	"text-align:right;white-space:nowrap}"
	"th{position:sticky;top:0;background:#f3f3f3;font-weight:600}"
	".l1 tr>:first-child,.l2 tr>:nth-child(-n+2),"
	".l3 tr>:nth-child(-n+3),.l4 tr>:nth-child(-n+4),"
	"td.l,th.l{text-align:left}"
	"td.na{color:#888}"
	"tr.bad td{background:#fdecea}"
	".missing,.note{padding:.6em .9em;background:#fff6e0;"
	"border-left:4px solid #E69F00;max-width:48em}"
	".note{background:#f3f3f3;border-color:#999}"
	"code{font-size:.92em}"
	"footer{color:var(--mu);font-size:.85em;margin-top:3em;"
	"padding-bottom:2em}"
	"@media (max-width:600px){body{font-size:14px}"
	"header,main,footer{padding:0 10px}"
	".plot svg.wide{display:none}.plot svg.narrow{display:block}"
	"h2{margin-top:1.6em}}"
	"@media print{body{font-size:10.5pt}nav,details{display:none}"
	"header,main,footer{max-width:none;padding:0}"
	"figure,.sm{break-inside:avoid}h2{break-after:avoid}"
	".plot{overflow:visible}.plot svg.wide{display:block;max-width:100%}"
	".plot svg.narrow{display:none}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	".grid{grid-template-columns:repeat(3,1fr)}}";

static void
palette(void)
{
	size_t i;

	put("<style>");
	put(css);
	for (i = 0; i < 8; i++)
		putf(".c%zu{fill:%s}.c%zu{fill:url(#h%zu)}"
		    ".k%zu{stroke:%s}.k%zu{stroke:%s;stroke-dasharray:6 3}"
		    ".s%zu{background:%s}.s%zu{background:repeating-linear-"
		    "gradient(45deg,%s 0 3px,#fff 3px 5px)}", i, okabe[i],
		    i + 8, i, i, okabe[i], i + 8, okabe[i], i, okabe[i], i + 8,
		    okabe[i]);
	put("</style>");
}

/* The hatched fills, once for every chart of the page. */
static void
hatches(void)
{
	size_t i;

	put("<svg width=\"0\" height=\"0\" style=\"position:absolute\" "
	    "aria-hidden=\"true\"><defs>");
	for (i = 0; i < 8; i++)
		putf("<pattern id=\"h%zu\" width=\"5\" height=\"5\" "
		    "patternUnits=\"userSpaceOnUse\" "
		    "patternTransform=\"rotate(45)\"><rect width=\"5\" "
		    "height=\"5\" fill=\"#fff\"/><rect width=\"3\" "
		    "height=\"5\" fill=\"%s\"/></pattern>", i, okabe[i]);
	put("</defs></svg>");
}

static void
page_begin(void)
{
	struct tab *t = load("_runs", "_runs.ndjson");
	const char *e = getenv("SOURCE_DATE_EPOCH");
	struct mx_time now;
	char ts[40];

	put("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">"
	    /* the page may fetch nothing, whatever a table holds */
	    "<meta http-equiv=\"Content-Security-Policy\" "
	    "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
	    "<meta name=\"generator\" content=\"mx-report\"><title>");
	esc(opt.title);
	put("</title>");
	palette();
	put("</head><body>");
	hatches();
	put("<header><h1>");
	esc(opt.title);
	put("</h1><p class=\"meta\">");
	if (usable(t)) {
		put("The lake as of run ");
		esc(val(t, t->nrow - 1, col(t, "run")));
		put(", whose last step ended ");
		esc(cellfmt(t, t->nrow - 1, col(t, "end"), F_TS));
		put(" UTC.");
	} else
		put("This lake has no run log (<code>_runs.ndjson</code>).");
	if (e != NULL && *e != '\0') {
		now = mx_time_now();
		mx_time_fmt(&now, ts);
		put(" Written ");
		put(fmts(F_TS, ts));
		put(" UTC.");
	}
	put("</p><p class=\"meta\">Dates and times are UTC. Money has two "
	    "decimals");
	if (opt.currency != NULL) {
		put(", in ");
		esc(opt.currency);
	} else
		put(", in the currency of the source data");
	put("; \xe2\x80\x94 is unknown (no data, or nothing to divide by). "
	    "Under each chart, <i>The numbers</i> opens the table it is "
	    "drawn from.</p>"
	    "<nav><ul><li><a href=\"#bookings\">Bookings</a></li>"
	    "<li><a href=\"#ecommerce\">E-commerce</a></li>"
	    "<li><a href=\"#adclicks\">Ad clicks</a></li>"
	    "<li><a href=\"#crm\">CRM and retail</a></li>"
	    "<li><a href=\"#health\">Lake health</a></li></ul></nav>"
	    "</header><main>");
}

static void
page_end(void)
{
	put("</main>\n<footer><p>Written by mx-report from the gold tables of "
	    "the lake; the definition of every table is in "
	    "<code>gold/_catalog.ndjson</code>. The page holds everything it "
	    "shows: no script, no font, nothing fetched.</p></footer>"
	    "</body></html>\n");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		MX_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct stat st;
	char **names, *dir;
	size_t i, n, len;
	int c, exists;

	mx_init(argv[0]);
	while ((c = mx_getopt(argc, argv, "c:l:o:t:", longopts, NULL,
	    synopsis)) != -1)
		switch (c) {
		case 'c':
			opt.currency = optarg;
			break;
		case 'l':
			opt.lake = optarg;
			break;
		case 'o':
			opt.out = optarg;
			break;
		case 't':
			opt.title = optarg;
			break;
		default:
			usage();
		}
	if (optind != argc)
		usage();
	if (*opt.lake == '\0' || *opt.out == '\0' || (opt.currency != NULL &&
	    *opt.currency == '\0')) {
		mx_warnx("an empty argument");
		usage();
	}
	if (stat(opt.lake, &st) < 0)
		mx_err(MX_EXIT_FAIL, "%s", opt.lake);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		mx_err(MX_EXIT_FAIL, "%s", opt.lake);
	}
	/* the gold tables there are, for the segments and the overview */
	dir = lakepath("gold");
	n = listdir(dir, &names, &exists);
	for (i = 0; i < n; i++) {
		len = strlen(names[i]);
		if (len > 7 && strcmp(names[i] + len - 7, ".ndjson") == 0 &&
		    names[i][0] != '_') {
			goldnames = mx_reallocarray(goldnames, ngoldnames + 1,
			    sizeof *goldnames);
			goldnames[ngoldnames++] = mx_strndup(names[i], len - 7);
		}
	}
	freenames(names, n);
	free(dir);

	o = mx_out_open(opt.out);
	page_begin();
	sec_bookings();
	sec_ecommerce();
	sec_adclicks();
	sec_crm();
	sec_retail();
	sec_growth();
	sec_health();
	page_end();
	mx_out_close(o);
	if (o != mx_stdout)
		mx_out_close(mx_out_stdout());
	return MX_EXIT_OK;
}
