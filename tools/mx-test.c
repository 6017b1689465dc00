/*
 * mx-test: data tests over NDJSON tables, dbt style.
 *
 * A test file holds one test a line (unique, not_null, accepted_values,
 * relationships, expression, row_count, recency, custom); the table is
 * files, or Hive-partitioned directories, of NDJSON.  Every row-level
 * test is answered in one pass over the table: each record is scanned
 * once for every path any test reads.  The tables that relationships and
 * row counts refer to are read once each, before, for all the keys asked
 * of them.  Keys are kept as their 128-bit hashes (keyset.c).  Custom
 * tests run a command each, which gets the table on its standard input.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mx.h"
#include "calc.h"
#include "xsort.h"

static const char synopsis[] =
	    "usage: mx-test [-q] [--json] [-T dir] [--name table] "
	    "[--store dir]\n"
	    "               [--run id] [--now time] [--cache dir] "
	    "[--precount tests]\n"
	    "               [--max-record size] [--max-depth n] tests "
	    "[table ...]\n"
	    "       mx-test --partial file [-T dir] [--name table] "
	    "[--now time]\n"
	    "               [--precount tests] tests [table ...]\n"
	    "       mx-test --merge [-q] [--json] [-T dir] [--name table] "
	    "[--store dir]\n"
	    "               [--run id] [--now time] [--cache dir] "
	    "[--precount tests]\n"
	    "               tests partial ...\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

/* ---- values, in the one ordering of mx(7) (order.c) ---- */

/*
 * A literal of an in= list.  As a test file writes it: null, true and
 * false unquoted are those; any other text is a string, which the
 * ordering reads as a number or a timestamp when it holds one, as it
 * would read the same string in a record.  Compared as conditions
 * compare (mx_lit_eq).
 */
static void
lit_set(struct mx_lit *l, const char *s, size_t n, int quoted)
{
	memset(l, 0, sizeof *l);
	if (!quoted && ((n == 4 && memcmp(s, "null", 4) == 0) ||
	    (n == 4 && memcmp(s, "true", 4) == 0) ||
	    (n == 5 && memcmp(s, "false", 5) == 0)))
		mx_buf_add(&l->text, s, n);
	else
		mx_json_quote(&l->text, s, n);
	mx_buf_cstr(&l->text);
	/* the text no longer moves: the value may point into it */
	mx_span_of(l->text.p, l->text.len, &l->span);
	mx_oval_set(&l->v, &l->span);
}

/* ---- expressions over a row ---- */

/*
 * The expressions of tests and of where= are mx-calc's (calc.c): each is
 * a condition of one program over the main table's selection.  A row
 * fails an expression that is false, not one that is unknown; one that
 * cannot be evaluated (arithmetic on "abc") is unknown, as arithmetic on
 * null is, so that a data test says which rows break a rule and
 * not_null or accepted_values say which values are bad.
 */
static struct mx_calc	*calc;
static struct mx_time	 now;		/* --now, SOURCE_DATE_EPOCH, clock */

/* The index of the condition text, or -1 with a message in err. */
static long
expr_parse(const char *text, char *err, size_t errlen)
{
	return mx_calc_add_cond(calc, text, err, errlen);
}

/* 1 true, 0 false (or no truth value), -1 unknown. */
static int
expr_truth(long i, const struct mx_span *sp)
{
	const char *why;
	int t = mx_calc_test(calc, (size_t)i, sp, &why);

	return t == -2 ? -1 : t;
}

/* ---- tables ---- */

/* A file of a table, and what the Hive directories above it say
 * (key=value), for the fields its records lack. */
struct file {
	char		*path;
	size_t		 root;		/* the table's directory: path[0..root) */
	struct mx_buf	 jname;		/* its name as a JSON string */
	char		**hk;		/* keys, decoded */
	struct mx_buf	*hv;		/* values, as JSON text */
	size_t		 nh;
};

/* An item of the keys of a table's counts (a function of a field), one
 * for every need that has it: the lake's gold tests count three keys of
 * date(timestamp), and the timestamp is parsed, and the date written, once
 * a row. */
struct piece {
	const struct mx_expr *e;	/* the first need's */
	size_t		 off, len;	/* in the table's pb */
	int		 null;
	uintmax_t	 gen;		/* the row it was evaluated for */
};

/* Keys asked of a table: those a relationship looks up, those a row
 * count bound counts. */
struct need {
	char		*spec;
	struct mx_exprs	 e;
	size_t		*pi;		/* the piece of each of e's items */
	struct mx_keyset *ks;
	int		 lookup;	/* a relationship's: the keys, not a count */
	int		 cached;	/* count from --cache */
	int		 merged;	/* count from the partials */
	uintmax_t	 count;
};

struct table {
	char		*name;
	struct file	*f;
	size_t		 nf;
	int		 isstdin;
	struct mx_sel	*sel;
	struct need	*need;
	size_t		 nneed;
	uintmax_t	 rows;
	double		 seconds;	/* of its pass */
	size_t		 users;		/* tests that share that time */
	int		 hasid;		/* id: what its files are (table_id) */
	struct mx_h128	 id;
	int		 shared;	/* the table under test: its selection */
	int		 cached;	/* every figure from --cache: no pass */
	struct piece	*pc;		/* the items of all its needs */
	size_t		 npc;
	struct mx_buf	 pb;		/* their canonical values, this row */
	uintmax_t	 pgen;		/* the row they are of */
};

static struct {
	int		 json;
	int		 quiet;
	const char	*name;
	const char	*store;
	const char	*run;
	const char	*cache;
	char		**tdirs;
	size_t		 ntdirs;
	char		**pre;		/* --precount files */
	size_t		 npre;
	const char	*partial;	/* --partial FILE */
} opt;

/* A whole run; --partial, which keeps what the row-level work of each
 * test found in a part of the table; --merge, which finishes a run from
 * the partials of every part. */
enum { M_RUN, M_PARTIAL, M_MERGE };
static int		 mode;

static struct table	 main_tb;
static struct table	**refs;
static size_t		 nrefs;

static double
clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
hidden(const char *name)
{
	return name[0] == '.' || name[0] == '_';
}

/* A data file of a partitioned table: part-*.ndjson, gzipped or not. */
static int
partfile(const char *name)
{
	size_t n = strlen(name);

	if (strncmp(name, "part-", 5) != 0)
		return 0;
	return (n > 7 && strcmp(name + n - 7, ".ndjson") == 0) ||
	    (n > 10 && strcmp(name + n - 10, ".ndjson.gz") == 0);
}

static int
pathcmp(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->path,
	    ((const struct file *)b)->path);
}

static void
add_file(struct table *tb, const char *path, size_t root)
{
	struct file *f;
	const char *c, *e, *eq;

	tb->f = mx_reallocarray(tb->f, tb->nf + 1, sizeof *tb->f);
	f = &tb->f[tb->nf++];
	memset(f, 0, sizeof *f);
	f->path = mx_strdup(path);
	f->root = root;
	if (mx_json_name(&f->jname, mx_name(path), strlen(mx_name(path))) !=
	    0) {
		mx_buf_adds(&f->jname, ",\"file_base64\":\"");
		mx_b64(&f->jname, path, strlen(path));
		mx_buf_addc(&f->jname, '"');
	}
	/* the key=value directories between the table's root and the
	 * file, as DuckDB's hive_partitioning reads them */
	for (c = path + root; root > 0 && *c != '\0'; c = e + 1) {
		while (*c == '/')
			c++;
		if ((e = strchr(c, '/')) == NULL)
			break;
		eq = memchr(c, '=', e - c);
		if (eq == NULL || eq == c)
			continue;
		f->hk = mx_reallocarray(f->hk, f->nh + 1, sizeof *f->hk);
		f->hv = mx_reallocarray(f->hv, f->nh + 1, sizeof *f->hv);
		{
			struct mx_buf k = { 0 }, v = { 0 };

			mx_hive_unescape(&k, c, eq - c);
			f->hk[f->nh] = mx_strndup(k.p, k.len);
			memset(&f->hv[f->nh], 0, sizeof f->hv[f->nh]);
			if ((size_t)(e - eq - 1) == strlen(MX_HIVE_NULL) &&
			    memcmp(eq + 1, MX_HIVE_NULL, e - eq - 1) == 0)
				mx_buf_adds(&f->hv[f->nh], "null");
			else {
				mx_hive_unescape(&v, eq + 1, e - eq - 1);
				mx_json_name(&f->hv[f->nh], v.p != NULL ?
				    v.p : "", v.len);
			}
			mx_buf_free(&k);
			mx_buf_free(&v);
		}
		f->nh++;
	}
}

static int
is_link(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

static void
walk(struct table *tb, struct mx_buf *path, size_t root)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	size_t len = path->len;

	if ((d = opendir(mx_buf_cstr(path))) == NULL)
		mx_err(MX_EXIT_FAIL, "%s", path->p);
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (hidden(de->d_name))
			continue;
		path->len = len;
		mx_buf_addc(path, '/');
		mx_buf_adds(path, de->d_name);
		if (stat(mx_buf_cstr(path), &st) < 0)
			mx_err(MX_EXIT_FAIL, "%s", path->p);
		/* a directory below the table reached through a link is
		 * another name for records the table holds already (or
		 * someone else's): the lake and mx-partition do not follow
		 * them, nor does a test */
		if (S_ISDIR(st.st_mode) && is_link(path->p)) {
			mx_warnx("%s: a symbolic link to a directory, not "
			    "followed", path->p);
			continue;
		}
		if (S_ISDIR(st.st_mode))
			walk(tb, path, root);
		else if (partfile(de->d_name))
			add_file(tb, path->p, root);
	}
	if (errno != 0)
		mx_err(MX_EXIT_FAIL, "%s", path->p);
	closedir(d);
	path->len = len;
	mx_buf_cstr(path);
}

/* The files of a table given as a file or a directory; 0, or -1 when
 * there is nothing at path. */
static int
add_path(struct table *tb, const char *path)
{
	struct stat st;
	struct mx_buf b = { 0 };
	size_t first = tb->nf, root, k;

	if (strcmp(path, "-") == 0) {
		add_file(tb, "-", 0);
		tb->isstdin = 1;
		return 0;
	}
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		add_file(tb, path, 0);
		return 0;
	}
	mx_buf_adds(&b, path);
	while (b.len > 1 && b.p[b.len - 1] == '/')
		b.len--;
	root = b.len;
	/* a part is a partition of a table: its key=value directories
	 * are read as a run over the whole table reads them */
	while (mode == M_PARTIAL && tb == &main_tb && root > 0) {
		for (k = root; k > 0 && b.p[k - 1] != '/'; k--)
			;
		if (memchr(b.p + k, '=', root - k) == NULL || b.p[k] == '=')
			break;
		for (root = k; root > 1 && b.p[root - 1] == '/'; root--)
			;
	}
	walk(tb, &b, root);
	mx_buf_free(&b);
	/* name order, so that failing rows come out the same each run (an
	 * empty directory has no files, and tb->f may be NULL) */
	if (tb->nf - first > 1)
		qsort(tb->f + first, tb->nf - first, sizeof *tb->f, pathcmp);
	return 0;
}

/* A table by name: dir/name, dir/name.ndjson, dir/name.ndjson.gz in
 * each -T dir, then the same from the current directory.  0, or -1 with
 * what was tried in tried. */
static int
resolve(struct table *tb, const char *name, struct mx_buf *tried)
{
	static const char *const ext[] = { "", ".ndjson", ".ndjson.gz" };
	struct mx_buf p = { 0 };
	struct stat st;
	size_t i, k;

	tried->len = 0;
	for (i = 0; i < opt.ntdirs; i++)
		for (k = 0; k < 3; k++) {
			p.len = 0;
			mx_buf_printf(&p, "%s/%s%s", opt.tdirs[i], name,
			    ext[k]);
			if (stat(mx_buf_cstr(&p), &st) == 0) {
				add_path(tb, p.p);
				mx_buf_free(&p);
				return 0;
			}
			mx_buf_printf(tried, "%s%s", tried->len ? ", " : "",
			    p.p);
		}
	for (k = 0; k < 3; k++) {
		p.len = 0;
		mx_buf_printf(&p, "%s%s", name, ext[k]);
		if (add_path(tb, mx_buf_cstr(&p)) == 0) {
			mx_buf_free(&p);
			return 0;
		}
		mx_buf_printf(tried, "%s%s", tried->len ? ", " : "", p.p);
	}
	mx_buf_free(&p);
	mx_buf_cstr(tried);
	return -1;
}

/* What a table's files are: the XXH3-128 of each one's device, inode,
 * size and modification time, in device and inode order.  mx writes a
 * table's files once and never rewrites one in place, so another id is
 * other contents; the same id, the same files.  No id for standard
 * input or a file that cannot be stat'ed. */
struct fid {
	uint64_t	dev, ino, size, sec, nsec;
};

static int
fidcmp(const void *a, const void *b)
{
	const struct fid *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static void
table_id(struct table *tb)
{
	struct fid *v;
	struct stat st;
	size_t i;

	tb->hasid = 0;
	if (tb->isstdin)
		return;
	v = mx_calloc(tb->nf > 0 ? tb->nf : 1, sizeof *v);
	for (i = 0; i < tb->nf; i++) {
		if (stat(tb->f[i].path, &st) < 0) {
			free(v);
			return;
		}
		v[i].dev = (uint64_t)st.st_dev;
		v[i].ino = (uint64_t)st.st_ino;
		v[i].size = (uint64_t)st.st_size;
		v[i].sec = (uint64_t)st.st_mtim.tv_sec;
		v[i].nsec = (uint64_t)st.st_mtim.tv_nsec;
	}
	qsort(v, tb->nf, sizeof *v, fidcmp);
	tb->id = mx_hash128(v, tb->nf * sizeof *v);
	tb->hasid = 1;
	free(v);
}

/* Is every file of the part under test (--partial) a file of tb?  Then
 * tb may be the whole table at the merge, which counts its keys from
 * the partials. */
static int
covers(const struct table *tb)
{
	struct fid *v, k;
	struct stat st;
	size_t i, n = 0;
	int r = 1;

	v = mx_calloc(tb->nf > 0 ? tb->nf : 1, sizeof *v);
	for (i = 0; i < tb->nf; i++)
		if (stat(tb->f[i].path, &st) == 0) {
			v[n].dev = (uint64_t)st.st_dev;
			v[n++].ino = (uint64_t)st.st_ino;
		}
	qsort(v, n, sizeof *v, fidcmp);
	memset(&k, 0, sizeof k);
	for (i = 0; i < main_tb.nf && r; i++) {
		if (stat(main_tb.f[i].path, &st) < 0) {
			r = 0;
			break;
		}
		k.dev = (uint64_t)st.st_dev;
		k.ino = (uint64_t)st.st_ino;
		r = bsearch(&k, v, n, sizeof *v, fidcmp) != NULL;
	}
	free(v);
	return r && main_tb.nf > 0;
}

static struct table *
ref_get(const char *name, struct mx_buf *tried)
{
	struct table *tb;
	size_t i;

	for (i = 0; i < nrefs; i++)
		if (strcmp(refs[i]->name, name) == 0)
			return refs[i];
	tb = mx_calloc(1, sizeof *tb);
	tb->name = mx_strdup(name);
	tb->sel = mx_sel_new();
	if (resolve(tb, name, tried) < 0) {
		free(tb->name);
		mx_sel_free(tb->sel);
		free(tb);
		return NULL;
	}
	/* the table under test by another name: its keys are asked of
	 * the same records, scanned once for both (main) */
	table_id(tb);
	if ((tb->hasid && main_tb.hasid && mx_h128_cmp(tb->id, main_tb.id) ==
	    0) || (mode == M_PARTIAL && covers(tb))) {
		mx_sel_free(tb->sel);
		tb->sel = main_tb.sel;
		tb->shared = 1;
	}
	refs = mx_reallocarray(refs, nrefs + 1, sizeof *refs);
	refs[nrefs++] = tb;
	return tb;
}

/* The keys spec of table tb, asked once however many tests ask. */
static int
need_get(struct table *tb, const char *spec, char *err, size_t errlen)
{
	struct need *nd;
	size_t i, k;

	for (i = 0; i < tb->nneed; i++)
		if (strcmp(tb->need[i].spec, spec) == 0)
			return (int)i;
	tb->need = mx_reallocarray(tb->need, tb->nneed + 1, sizeof *tb->need);
	nd = &tb->need[tb->nneed];
	memset(nd, 0, sizeof *nd);
	if (mx_exprs_parse(&nd->e, spec, tb->sel, err, errlen) < 0) {
		mx_exprs_free(&nd->e);
		return -1;
	}
	nd->spec = mx_strdup(spec);
	nd->ks = mx_keyset_new(0);
	nd->pi = mx_reallocarray(NULL, nd->e.n, sizeof *nd->pi);
	for (i = 0; i < nd->e.n; i++) {
		for (k = 0; k < tb->npc; k++)
			if (tb->pc[k].e->fn == nd->e.v[i].fn &&
			    tb->pc[k].e->sel == nd->e.v[i].sel)
				break;
		if (k == tb->npc) {
			tb->pc = mx_reallocarray(tb->pc, tb->npc + 1,
			    sizeof *tb->pc);
			memset(&tb->pc[k], 0, sizeof tb->pc[k]);
			tb->pc[tb->npc++].e = &nd->e.v[i];
		}
		nd->pi[i] = k;
	}
	return (int)tb->nneed++;
}

/* ---- tests ---- */

enum kind {
	K_UNIQUE, K_NOT_NULL, K_ACCEPTED, K_RELATION, K_EXPR, K_ROWS,
	K_RECENCY, K_CUSTOM, NKINDS
};

enum optkey {
	O_SEVERITY, O_ERROR_IF, O_WARN_IF, O_NAME, O_LIMIT, O_WHERE, O_IN,
	O_TO, O_FIELD, O_MIN, O_MAX, O_EQ, O_MAX_AGE, NOPTS
};

static const char *const optnames[NOPTS] = {
	"severity", "error_if", "warn_if", "name", "limit", "where", "in",
	"to", "field", "min", "max", "eq", "max_age"
};

#define OPT(o)		(1u << (o))
#define COMMON		(OPT(O_SEVERITY) | OPT(O_ERROR_IF) | OPT(O_WARN_IF) | \
			    OPT(O_NAME) | OPT(O_LIMIT))
#define ROWLEVEL	(COMMON | OPT(O_WHERE))

enum { SEV_ERROR, SEV_WARN };
enum { S_PASS, S_WARN, S_FAIL };
static const char *const statenames[] = { "pass", "warn", "fail" };

/* error_if=>10, warn_if=>=0.5%: a comparison with the failing rows, or
 * with their percentage of the rows tested. */
enum { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };

struct cond {
	int		 cmp;		/* C_* */
	int		 pct;
	double		 v;
};

/* A bound of row_count: a count, or the rows (or distinct keys) of
 * another table. */
struct bound {
	int		 set;
	uintmax_t	 n;
	struct table	*tb;		/* NULL: the count n */
	int		 need;		/* -1: its rows */
	char		*text;
};

struct test {
	int		 kind;
	char		*name;
	size_t		 line;
	int		 sev;
	struct cond	 errif, warnif;
	long		 where;		/* a condition; -1: none */
	long long	 limit;		/* failing rows stored; -1: all */
	char		*arg;		/* columns, expression or command */
	struct mx_exprs	 cols;
	struct mx_lit	*in;
	size_t		 nin;
	struct table	*to;
	int		 need;
	long		 expr;
	struct bound	 min, max;
	int64_t		 maxage;	/* seconds */

	uintmax_t	 rows, failing;
	struct mx_keyset *ks;
	int		 hasnewest;
	struct mx_time	 newest;
	double		 seconds;
	struct mx_out	*store;
	char		*stored;	/* its path, once written */
	uintmax_t	 nstored;
	struct mx_buf	 detail;
	int		 broken;	/* a custom command that failed */
	int		 state;

	struct mx_buf	 pstore;	/* --partial: failing rows (prow_put) */
	struct xpos	*xp;		/* --merge: failing rows read back */
	size_t		 nxp, axp;
	struct mx_keyset *missing;	/* --merge: keys the other table lacks */
	size_t		*fld;		/* the fields it reads, in named */
	size_t		 nfld;
};

/* A row that a merge reads back from the table: the partial's index,
 * its file among the table's, its line. */
struct xpos {
	uint64_t	 p, f, line;
};

/* One record of a pass. */
struct row {
	const char		*p;
	size_t			 n;
	const struct mx_span	*sp;
	const struct file	*f;
	uintmax_t		 line;
};

/* What the parser hands a kind's check: each option's value (decoded,
 * but in=, whose items are quoted one by one), or NULL. */
struct opts {
	char		*v[NOPTS];
};

static struct test	*tests;
static size_t		 ntests;
static struct opts	 lineopts;	/* of the line parse_line reads */
static const char	*testfile;
static struct mx_h128	 testdigest;	/* of the test file's bytes */
static struct mx_buf	 kb;		/* canonical key bytes */
/* The fields the tests read, to find those no row had: a misspelt
 * column is missing from every row, and a test of missing values
 * (accepted_values, expression, unique, where=) would pass unseen. */
static struct mx_seen	 named;

static void	store_row(struct test *, const struct row *);
static void	free_table(struct table *);

static void	prow_put(struct test *, const struct row *);
static void	name_fields(struct test *);

/* Every failing row is counted; the first limit= of them are stored
 * (or kept in the partial, for the merge to store). */
static void
fail_row(struct test *t, const struct row *r)
{
	t->failing++;
	if (t->limit >= 0 && t->nstored >= (uintmax_t)t->limit)
		return;
	if (mode == M_PARTIAL)
		prow_put(t, r);
	else if (opt.store != NULL)
		store_row(t, r);
}

/* -- unique: no two rows with the same key (keys with a null aside) -- */

static int
unique_check(struct test *t, struct opts *o, char *err, size_t errlen)
{
	(void)o;
	(void)err;
	(void)errlen;
	/* a partial keeps where each key's first row is */
	t->ks = mx_keyset_new(mode == M_PARTIAL ? 16 : 0);
	return 0;
}

static void
unique_row(struct test *t, const struct row *r)
{
	int isnew;

	if (mx_exprs_canon(&t->cols, r->sp, &kb) > 0)
		return;
	mx_keyset_put(t->ks, mx_hash128(kb.p, kb.len), &isnew);
	if (!isnew)
		fail_row(t, r);
}

static void
unique_prow(struct test *t, const struct row *r)
{
	uint64_t *v;
	int isnew;

	if (mx_exprs_canon(&t->cols, r->sp, &kb) > 0)
		return;
	v = mx_keyset_put(t->ks, mx_hash128(kb.p, kb.len), &isnew);
	if (!isnew)
		fail_row(t, r);
	else {
		v[0] = (uint64_t)(r->f - main_tb.f);
		v[1] = r->line;
	}
}

/* -- not_null: each column present and not null -- */

static void
not_null_row(struct test *t, const struct row *r)
{
	struct mx_span v;
	char tmp[MX_EXPR_TMP];
	size_t i;
	int k, bad;

	for (i = 0; i < t->cols.n; i++) {
		k = mx_expr_eval(&t->cols.v[i], r->sp, &v, tmp, &bad);
		if (k == MX_JNONE || k == MX_JNULL) {
			fail_row(t, r);
			return;
		}
	}
}

/* -- accepted_values: the value is one of in= (null aside) -- */

static int
accepted_check(struct test *t, struct opts *o, char *err, size_t errlen)
{
	struct mx_json *j;
	struct mx_span sp;
	struct mx_buf item = { 0 };
	const char *s, *e, *end;
	size_t i;
	int r = -1;

	if (t->cols.n != 1) {
		snprintf(err, errlen, "accepted_values: one column");
		return -1;
	}
	if (o->v[O_IN] == NULL) {
		snprintf(err, errlen, "accepted_values: no in= list");
		return -1;
	}
	j = mx_json_new(NULL);
	s = o->v[O_IN];
	end = s + strlen(s);
	for (;;) {
		int quoted = *s == '"';

		for (e = s; e < end && *e != ','; e++)
			if (*e == '"')
				for (e++; e < end && *e != '"'; e++)
					if (*e == '\\' && e + 1 < end)
						e++;
		if (e > end)
			e = end;
		if (e == s) {
			snprintf(err, errlen, "in=: an empty item (write \"\" "
			    "for the empty string)");
			goto out;
		}
		item.len = 0;
		if (quoted) {
			if (mx_json_scan(j, s, e - s, NULL, 0) < 0) {
				snprintf(err, errlen, "in=: a bad quoted item: "
				    "%s", mx_json_errstr(j));
				goto out;
			}
			sp.p = s;
			sp.n = (uint32_t)(e - s);
			sp.kind = MX_JSTR;
			sp.esc = memchr(s, '\\', e - s) != NULL;
			mx_json_unescape(&sp, &item);
		} else if (memchr(s, '"', e - s) != NULL) {
			snprintf(err, errlen, "in=: a quote inside an unquoted "
			    "item (quote the whole item)");
			goto out;
		} else
			mx_buf_add(&item, s, e - s);
		t->in = mx_reallocarray(t->in, t->nin + 1, sizeof *t->in);
		lit_set(&t->in[t->nin++], item.p != NULL ? item.p : "",
		    item.len, quoted);
		for (i = 0; i + 1 < t->nin; i++)
			if (mx_lit_eq(&t->in[i], &t->in[t->nin - 1].span)) {
				snprintf(err, errlen, "in=: '%s' is listed "
				    "twice", t->in[t->nin - 1].text.p);
				goto out;
			}
		if (e == end)
			break;
		if ((s = e + 1) == end) {
			snprintf(err, errlen, "in=: an empty item after ','");
			goto out;
		}
	}
	r = 0;
out:
	mx_json_free(j);
	mx_buf_free(&item);
	return r;
}

static void
accepted_row(struct test *t, const struct row *r)
{
	struct mx_span s;
	char tmp[MX_EXPR_TMP];
	size_t i;
	int bad;

	mx_expr_eval(&t->cols.v[0], r->sp, &s, tmp, &bad);
	if (s.kind == MX_JNONE || s.kind == MX_JNULL)
		return;
	for (i = 0; i < t->nin; i++)
		if (mx_lit_eq(&t->in[i], &s))
			return;
	fail_row(t, r);
}

/* -- relationships: each key is a key of the other table -- */

static int
relation_check(struct test *t, struct opts *o, char *err, size_t errlen)
{
	struct mx_buf tried = { 0 };
	const char *field = o->v[O_FIELD] != NULL ? o->v[O_FIELD] : t->arg;

	if (o->v[O_TO] == NULL) {
		snprintf(err, errlen, "relationships: no to= table");
		return -1;
	}
	if ((t->to = ref_get(o->v[O_TO], &tried)) == NULL) {
		snprintf(err, errlen, "to=%s: no such table (tried %s)",
		    o->v[O_TO], tried.p);
		mx_buf_free(&tried);
		return -2;
	}
	mx_buf_free(&tried);
	if ((t->need = need_get(t->to, field, err, errlen)) < 0)
		return -1;
	t->to->need[t->need].lookup = 1;
	if (t->to->need[t->need].e.n != t->cols.n) {
		snprintf(err, errlen, "field=%s: %zu columns for %zu", field,
		    t->to->need[t->need].e.n, t->cols.n);
		return -1;
	}
	/* a partial keeps each key and its rows, looked up at the merge */
	if (mode == M_PARTIAL)
		t->ks = mx_keyset_new(16);
	return 0;
}

static void
relation_row(struct test *t, const struct row *r)
{
	if (mx_exprs_canon(&t->cols, r->sp, &kb) > 0)
		return;
	if (mx_keyset_get(t->to->need[t->need].ks,
	    mx_hash128(kb.p, kb.len)) == NULL)
		fail_row(t, r);
}

static void
relation_prow(struct test *t, const struct row *r)
{
	uint64_t *v;
	int isnew;

	if (mx_exprs_canon(&t->cols, r->sp, &kb) > 0)
		return;
	v = mx_keyset_put(t->ks, mx_hash128(kb.p, kb.len), &isnew);
	v[0]++;
}

/* -- expression: true of every row (unknown passes, as in SQL) -- */

static int
expr_check(struct test *t, struct opts *o, char *err, size_t errlen)
{
	const char *w;
	size_t n;
	int i;

	(void)o;
	/* options come first: " key=" after is never an operand (a
	 * comparison is ==, or = between operands) */
	for (w = t->arg; *w != '\0'; w++) {
		if (*w != ' ' && *w != '\t')
			continue;
		for (i = 0; i < NOPTS; i++) {
			n = strlen(optnames[i]);
			if (strncmp(w + 1, optnames[i], n) == 0 &&
			    w[1 + n] == '=' && w[2 + n] != '=') {
				snprintf(err, errlen, "expression: %s= after "
				    "the expression (options come before it)",
				    optnames[i]);
				return -1;
			}
		}
	}
	if ((t->expr = expr_parse(t->arg, err, errlen)) < 0) {
		char *m = mx_strdup(err);

		snprintf(err, errlen, "expression: %s", m);
		free(m);
		return -1;
	}
	return 0;
}

static void
expr_row(struct test *t, const struct row *r)
{
	if (expr_truth(t->expr, r->sp) == 0)
		fail_row(t, r);
}

/* -- row_count: the rows between bounds, counts or other tables -- */

static int
bound_parse(struct bound *b, const char *key, const char *v, char *err,
    size_t errlen)
{
	struct mx_buf tried = { 0 };
	char *name, *colon;
	long long k;

	b->set = 1;
	b->text = mx_strdup(v);
	b->need = -1;
	if (*v >= '0' && *v <= '9') {
		if ((k = mx_parse_count(v)) < 0) {
			snprintf(err, errlen, "%s=: '%s' is not a count", key,
			    v);
			return -1;
		}
		b->n = (uintmax_t)k;
		return 0;
	}
	/* TABLE, or TABLE:COLUMNS for its distinct keys */
	name = mx_strdup(v);
	if ((colon = strrchr(name, ':')) != NULL)
		*colon = '\0';
	if (*name == '\0' || (colon != NULL && colon[1] == '\0')) {
		snprintf(err, errlen, "%s=: '%s' is neither a count nor a "
		    "table", key, v);
		free(name);
		return -1;
	}
	if ((b->tb = ref_get(name, &tried)) == NULL) {
		snprintf(err, errlen, "%s=%s: no such table (tried %s)", key,
		    name, tried.p);
		free(name);
		mx_buf_free(&tried);
		return -2;
	}
	mx_buf_free(&tried);
	if (colon != NULL && (b->need = need_get(b->tb, colon + 1, err,
	    errlen)) < 0) {
		free(name);
		return -1;
	}
	free(name);
	return 0;
}

static int
rows_check(struct test *t, struct opts *o, char *err, size_t errlen)
{
	int r;

	if (o->v[O_EQ] != NULL && (o->v[O_MIN] != NULL ||
	    o->v[O_MAX] != NULL)) {
		snprintf(err, errlen, "row_count: eq= with min= or max=");
		return -1;
	}
	if (o->v[O_EQ] != NULL) {
		if ((r = bound_parse(&t->min, "eq", o->v[O_EQ], err,
		    errlen)) < 0)
			return r;
		t->max = t->min;
		t->max.text = mx_strdup(t->min.text);
		return 0;
	}
	if (o->v[O_MIN] == NULL && o->v[O_MAX] == NULL) {
		snprintf(err, errlen, "row_count: no min=, max= or eq=");
		return -1;
	}
	if (o->v[O_MIN] != NULL && (r = bound_parse(&t->min, "min",
	    o->v[O_MIN], err, errlen)) < 0)
		return r;
	if (o->v[O_MAX] != NULL && (r = bound_parse(&t->max, "max",
	    o->v[O_MAX], err, errlen)) < 0)
		return r;
	if (t->min.set && t->max.set && t->min.tb == NULL &&
	    t->max.tb == NULL && t->min.n > t->max.n) {
		snprintf(err, errlen, "row_count: min= is above max=");
		return -1;
	}
	return 0;
}

static void
rows_row(struct test *t, const struct row *r)
{
	(void)t;
	(void)r;
}

static uintmax_t
need_count(const struct need *nd)
{
	if (nd->cached || nd->merged)
		return nd->count;
	return mx_keyset_count(nd->ks);
}

static uintmax_t
bound_value(const struct bound *b)
{
	if (b->tb == NULL)
		return b->n;
	if (b->need < 0)
		return b->tb->rows;
	return need_count(&b->tb->need[b->need]);
}

/* Where a bound that is not a count comes from. */
static void
bound_says(struct mx_buf *b, const struct bound *x)
{
	if (x->tb == NULL)
		return;
	if (x->need < 0)
		mx_buf_printf(b, " (the rows of %s)", x->tb->name);
	else
		mx_buf_printf(b, " (the distinct %s of %s)",
		    x->tb->need[x->need].spec, x->tb->name);
}

static void	store_obj(struct test *, const char *, size_t);

static void
rows_end(struct test *t)
{
	struct mx_buf o = { 0 };
	uintmax_t lo = 0, hi = UINTMAX_MAX;

	if (t->min.set)
		lo = bound_value(&t->min);
	if (t->max.set)
		hi = bound_value(&t->max);
	/* failing: how many rows the count is off by, so that error_if=>N
	 * is a tolerance */
	if (t->rows < lo)
		t->failing = lo - t->rows;
	else if (t->rows > hi)
		t->failing = t->rows - hi;
	mx_buf_printf(&t->detail, "%ju rows", t->rows);
	if (t->min.set && t->max.set && lo == hi) {
		mx_buf_printf(&t->detail, ", expected %ju", lo);
		bound_says(&t->detail, &t->min);
	} else {
		if (t->min.set) {
			mx_buf_printf(&t->detail, ", at least %ju", lo);
			bound_says(&t->detail, &t->min);
		}
		if (t->max.set) {
			mx_buf_printf(&t->detail, ", at most %ju", hi);
			bound_says(&t->detail, &t->max);
		}
	}
	if (t->failing > 0) {
		mx_buf_printf(&o, "{\"rows\":%ju,\"min\":", t->rows);
		if (t->min.set)
			mx_buf_printf(&o, "%ju", lo);
		else
			mx_buf_adds(&o, "null");
		mx_buf_adds(&o, ",\"max\":");
		if (t->max.set)
			mx_buf_printf(&o, "%ju", hi);
		else
			mx_buf_adds(&o, "null");
		mx_buf_printf(&o, ",\"off\":%ju}", t->failing);
		store_obj(t, o.p, o.len);
	}
	mx_buf_free(&o);
}

/* -- recency: the newest timestamp of a column at most max_age old -- */

static int
recency_check(struct test *t, struct opts *o, char *err, size_t errlen)
{
	const char *s = o->v[O_MAX_AGE];
	char *end;
	double v, unit = 3600;

	if (t->cols.n != 1) {
		snprintf(err, errlen, "recency: one column");
		return -1;
	}
	if (s == NULL) {
		snprintf(err, errlen, "recency: no max_age=");
		return -1;
	}
	v = strtod(s, &end);
	if (end != s && *end != '\0' && end[1] == '\0')
		switch (*end) {
		case 's':
			unit = 1;
			end++;
			break;
		case 'm':
			unit = 60;
			end++;
			break;
		case 'h':
			end++;
			break;
		case 'd':
			unit = 86400;
			end++;
			break;
		}
	if (end == s || *end != '\0' || !(v >= 0) || v * unit > 1e15 ||
	    (*s < '0' || *s > '9')) {
		snprintf(err, errlen, "max_age=: '%s' is not a duration (48h, "
		    "2d, 30m, 90s; hours when bare)", s);
		return -1;
	}
	t->maxage = (int64_t)(v * unit);
	return 0;
}

static void
recency_row(struct test *t, const struct row *r)
{
	struct mx_span s;
	struct mx_time tm;
	char tmp[MX_EXPR_TMP];
	int bad;

	mx_expr_eval(&t->cols.v[0], r->sp, &s, tmp, &bad);
	if (s.kind == MX_JNONE || s.kind == MX_JNULL ||
	    mx_time_span(&s, &tm) < 0)
		return;
	if (!t->hasnewest || mx_time_cmp(&tm, &t->newest) > 0) {
		t->newest = tm;
		t->hasnewest = 1;
	}
}

static void
recency_end(struct test *t)
{
	struct mx_buf o = { 0 };
	char a[40], b[40];
	double age = 0;

	mx_time_fmt(&now, b);
	if (t->hasnewest) {
		age = (double)(now.sec - t->newest.sec) +
		    (double)(now.nsec - t->newest.nsec) / 1e9;
		mx_time_fmt(&t->newest, a);
		mx_buf_printf(&t->detail, "newest %s, %.1f h before %s", a,
		    age / 3600, b);
	} else
		mx_buf_printf(&t->detail, "no timestamp in %s",
		    t->cols.v[0].path);
	if (t->hasnewest && age <= (double)t->maxage)
		return;
	t->failing = 1;
	mx_buf_adds(&o, "{\"column\":");
	mx_json_quote(&o, t->arg, strlen(t->arg));
	mx_buf_adds(&o, ",\"newest\":");
	if (t->hasnewest)
		mx_buf_printf(&o, "\"%s\"", a);
	else
		mx_buf_adds(&o, "null");
	mx_buf_printf(&o, ",\"now\":\"%s\",\"max_age_seconds\":%lld", b,
	    (long long)t->maxage);
	if (t->hasnewest)
		mx_buf_printf(&o, ",\"age_seconds\":%.3f", age);
	mx_buf_addc(&o, '}');
	store_obj(t, o.p, o.len);
	mx_buf_free(&o);
}

/* -- custom: a command whose output lines are the failing rows -- */

static void	custom_run(struct test *);

static int
custom_check(struct test *t, struct opts *o, char *err, size_t errlen)
{
	(void)t;
	(void)o;
	if (main_tb.isstdin) {
		snprintf(err, errlen, "custom: needs the table in files, not "
		    "standard input");
		return -1;
	}
	return 0;
}

static void	unique_merge(struct test *, size_t);
static void	relation_merge(struct test *, size_t);

enum { A_NONE, A_COLS, A_TEXT };

static const struct kindop {
	const char	*name;
	int		 args;		/* A_* */
	unsigned	 opts;		/* OPT() of those it takes */
	/* the options and argument it needs: 0, -1 (a bad test file, exit
	 * 2), -2 (a table it names is missing, exit 1) */
	int		(*check)(struct test *, struct opts *, char *, size_t);
	/* each row of the one pass (after where=); NULL: not row-level */
	void		(*row)(struct test *, const struct row *);
	/* once the passes are done (custom: its own run) */
	void		(*end)(struct test *);
	/* --partial: each row, when the partial keeps more than a run
	 * does (the keys of the test, in t->ks); NULL: row */
	void		(*prow)(struct test *, const struct row *);
	/* --merge, test i of the partials: what a run finds across parts
	 * beyond the sums of rows, failing rows and kept rows; NULL: none */
	void		(*merge)(struct test *, size_t);
	int		 partial;	/* can be tested in parts */
} kinds[NKINDS] = {
	{ "unique", A_COLS, ROWLEVEL, unique_check, unique_row, NULL,
	    unique_prow, unique_merge, 1 },
	{ "not_null", A_COLS, ROWLEVEL, NULL, not_null_row, NULL, NULL, NULL,
	    1 },
	{ "accepted_values", A_COLS, ROWLEVEL | OPT(O_IN), accepted_check,
	    accepted_row, NULL, NULL, NULL, 1 },
	{ "relationships", A_COLS, ROWLEVEL | OPT(O_TO) | OPT(O_FIELD),
	    relation_check, relation_row, NULL, relation_prow, relation_merge,
	    1 },
	{ "expression", A_TEXT, ROWLEVEL, expr_check, expr_row, NULL, NULL,
	    NULL, 1 },
	{ "row_count", A_NONE, ROWLEVEL | OPT(O_MIN) | OPT(O_MAX) | OPT(O_EQ),
	    rows_check, rows_row, rows_end, NULL, NULL, 1 },
	{ "recency", A_COLS, ROWLEVEL | OPT(O_MAX_AGE), recency_check,
	    recency_row, recency_end, NULL, NULL, 1 },
	{ "custom", A_TEXT, COMMON, custom_check, NULL, custom_run, NULL,
	    NULL, 0 }
};

/* ---- the test file ---- */

static MX_NORETURN void
bad(size_t line, int code, const char *fmt, ...) MX_PRINTF(3, 4);

static MX_NORETURN void
bad(size_t line, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	mx_errx(code, "%s:%zu: %s", testfile, line, msg);
}

/* The end of the word at s: a blank ends it, except inside a quoted
 * string; NULL for an unterminated string. */
static const char *
wordend(const char *s, const char *end)
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

static const char *
skipblank(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/* A value: a JSON string, decoded, or bare text as it is. */
static char *
decode(const char *p, size_t n, size_t line, const char *what)
{
	struct mx_json *j;
	struct mx_span sp;
	struct mx_buf b = { 0 };

	if (n > 0 && p[0] == '"') {
		j = mx_json_new(NULL);
		if (mx_json_scan(j, p, n, NULL, 0) < 0) {
			char msg[256];

			/* (freed first: the fuzzer goes on after a refusal) */
			snprintf(msg, sizeof msg, "%s", mx_json_errstr(j));
			mx_json_free(j);
			bad(line, MX_EXIT_USAGE, "%s: a bad quoted string: %s",
			    what, msg);
		}
		mx_json_free(j);
		sp.p = p;
		sp.n = (uint32_t)n;
		sp.kind = MX_JSTR;
		sp.esc = memchr(p, '\\', n) != NULL;
		mx_json_unescape(&sp, &b);
	} else {
		if (memchr(p, '"', n) != NULL)
			bad(line, MX_EXIT_USAGE, "%s: a quote inside an "
			    "unquoted value (quote the whole value)", what);
		mx_buf_add(&b, p, n);
	}
	mx_buf_cstr(&b);
	if (memchr(b.p, '\0', b.len) != NULL) {
		mx_buf_free(&b);
		bad(line, MX_EXIT_USAGE, "%s: a NUL in the value", what);
	}
	return b.p;
}

/* Which option the word p[0..n) sets (key=value), or -1. */
static int
optword(const char *p, size_t n)
{
	const char *eq = memchr(p, '=', n);
	int i;

	if (eq == NULL)
		return -1;
	for (i = 0; i < NOPTS; i++)
		if (strlen(optnames[i]) == (size_t)(eq - p) &&
		    memcmp(optnames[i], p, eq - p) == 0)
			return i;
	return -1;
}

/* A name that can be a directory of --store: no '/', not '.' first,
 * no control character. */
static const char *
badname(const char *s)
{
	const char *c;

	if (*s == '\0')
		return "an empty name";
	if (*s == '.')
		return "a name beginning with '.'";
	if (strlen(s) > 200)
		return "a name longer than 200 bytes";
	for (c = s; *c != '\0'; c++) {
		if (*c == '/')
			return "a '/' in a name";
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "a control character in a name";
	}
	return NULL;
}

/* kind_columns_and_so_on: runs of other bytes as one '_', at most 64
 * bytes (then the hash of the whole, so that two long names differ). */
static char *
slug(const char *kind, const char *text)
{
	struct mx_buf b = { 0 };
	const char *s;
	char h[17];
	int sep = 1;

	mx_buf_adds(&b, kind);
	for (s = text; s != NULL && *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_') {
			if (sep)
				mx_buf_addc(&b, '_');
			mx_buf_addc(&b, *s);
			sep = 0;
		} else
			sep = 1;
	}
	if (b.len > 64) {
		b.len = 47;
		mx_hash64_hex(mx_hash64(text, strlen(text)), h);
		mx_buf_addc(&b, '_');
		mx_buf_adds(&b, h);
	}
	mx_buf_cstr(&b);
	return b.p;
}

static int
cond_parse(struct cond *c, const char *s)
{
	static const struct {
		const char	*s;
		int		 cmp;
	} ops[] = {
		{ ">=", C_GE }, { "<=", C_LE }, { "!=", C_NE }, { "==", C_EQ },
		{ ">", C_GT }, { "<", C_LT }, { "=", C_EQ }
	};
	size_t i, n;
	char *end;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strncmp(s, ops[i].s, strlen(ops[i].s)) == 0)
			break;
	if (i == sizeof ops / sizeof ops[0])
		return -1;
	c->cmp = ops[i].cmp;
	s += strlen(ops[i].s);
	if (*s < '0' || *s > '9')
		return -1;
	c->v = strtod(s, &end);
	n = strlen(end);
	c->pct = n == 1 && *end == '%';
	if (n != (size_t)c->pct || (c->pct && c->v > 100))
		return -1;
	return 0;
}

static int
cond_holds(const struct cond *c, uintmax_t failing, uintmax_t rows)
{
	double x = (double)failing;

	if (c->pct)
		x = rows > 0 ? 100.0 * (double)failing / (double)rows : 0;
	switch (c->cmp) {
	case C_EQ:
		return x == c->v;
	case C_NE:
		return x != c->v;
	case C_LT:
		return x < c->v;
	case C_LE:
		return x <= c->v;
	case C_GT:
		return x > c->v;
	default:
		return x >= c->v;
	}
}

/* One line: KIND [ARGUMENT] [OPTION=VALUE ...], or for expression and
 * custom, KIND [OPTION=VALUE ...] TEXT (the rest of the line). */
static void
parse_line(const char *p, const char *end, size_t line)
{
	struct test *t;
	struct opts *o = &lineopts;
	const char *e, *kw;
	char err[512];
	size_t i;
	int k, r;

	p = skipblank(p, end);
	if (p == end || *p == '#')
		return;
	/* the test is made in place, and the options kept in lineopts:
	 * what a refused line holds can be freed (the fuzzer goes on) */
	for (i = 0; i < NOPTS; i++)
		free(o->v[i]);
	memset(o, 0, sizeof *o);
	tests = mx_reallocarray(tests, ntests + 1, sizeof *tests);
	t = &tests[ntests];
	memset(t, 0, sizeof *t);
	if ((e = wordend(p, end)) == NULL)
		bad(line, MX_EXIT_USAGE, "an unterminated quoted string");
	for (k = 0; k < NKINDS; k++)
		if (strlen(kinds[k].name) == (size_t)(e - p) &&
		    memcmp(kinds[k].name, p, e - p) == 0)
			break;
	if (k == NKINDS)
		bad(line, MX_EXIT_USAGE, "unknown test '%.*s' (unique, "
		    "not_null, accepted_values, relationships, expression, "
		    "row_count, recency or custom)", (int)(e - p), p);
	kw = kinds[k].name;
	for (p = skipblank(e, end); p < end; p = skipblank(e, end)) {
		int ok;

		if (*p == '#' && kinds[k].args != A_TEXT)
			break;
		if ((e = wordend(p, end)) == NULL)
			bad(line, MX_EXIT_USAGE, "an unterminated quoted "
			    "string");
		if ((ok = optword(p, e - p)) < 0 ||
		    (kinds[k].args == A_TEXT && t->arg != NULL)) {
			if (kinds[k].args == A_TEXT) {
				/* the text runs to the end of the line */
				while (end > p && (end[-1] == ' ' ||
				    end[-1] == '\t'))
					end--;
				t->arg = mx_strndup(p, end - p);
				break;
			}
			if (kinds[k].args == A_NONE)
				bad(line, MX_EXIT_USAGE, "%s: '%.*s': not an "
				    "option (%s takes min=, max= or eq=)", kw,
				    (int)(e - p), p, kw);
			if (t->arg != NULL)
				bad(line, MX_EXIT_USAGE, "%s: '%.*s' after the "
				    "columns '%s' (columns are one "
				    "comma-separated word)", kw, (int)(e - p),
				    p, t->arg);
			t->arg = decode(p, e - p, line, kw);
			continue;
		}
		if (!(kinds[k].opts & OPT(ok)))
			bad(line, MX_EXIT_USAGE, "%s: %s= is not an option of "
			    "%s", kw, optnames[ok], kw);
		if (o->v[ok] != NULL)
			bad(line, MX_EXIT_USAGE, "%s: %s= given twice", kw,
			    optnames[ok]);
		kw = optnames[ok];
		i = strlen(kw) + 1;
		o->v[ok] = ok == O_IN ? mx_strndup(p + i, e - p - i) :
		    decode(p + i, e - p - i, line, kw);
		kw = kinds[k].name;
	}
	if (kinds[k].args != A_NONE && (t->arg == NULL || *t->arg == '\0'))
		bad(line, MX_EXIT_USAGE, "%s: %s", kw, kinds[k].args == A_COLS ?
		    "no columns" : k == K_CUSTOM ? "no command" :
		    "no expression");

	t->kind = k;
	t->line = line;
	t->need = -1;
	t->where = -1;
	t->expr = -1;
	t->limit = -1;
	t->errif.cmp = t->warnif.cmp = C_NE;
	if (kinds[k].args == A_COLS && mx_exprs_parse(&t->cols, t->arg,
	    main_tb.sel, err, sizeof err) < 0)
		bad(line, MX_EXIT_USAGE, "%s: %s", kw, err);
	if (o->v[O_SEVERITY] != NULL) {
		if (strcmp(o->v[O_SEVERITY], "warn") == 0)
			t->sev = SEV_WARN;
		else if (strcmp(o->v[O_SEVERITY], "error") != 0)
			bad(line, MX_EXIT_USAGE, "severity=: '%s' is neither "
			    "error nor warn", o->v[O_SEVERITY]);
	}
	if (o->v[O_ERROR_IF] != NULL && cond_parse(&t->errif,
	    o->v[O_ERROR_IF]) < 0)
		bad(line, MX_EXIT_USAGE, "error_if=: '%s' is not a threshold "
		    "(>10, >=1%%, !=0)", o->v[O_ERROR_IF]);
	if (o->v[O_WARN_IF] != NULL && cond_parse(&t->warnif,
	    o->v[O_WARN_IF]) < 0)
		bad(line, MX_EXIT_USAGE, "warn_if=: '%s' is not a threshold "
		    "(>10, >=1%%, !=0)", o->v[O_WARN_IF]);
	if (o->v[O_LIMIT] != NULL && (t->limit =
	    mx_parse_count(o->v[O_LIMIT])) < 0)
		bad(line, MX_EXIT_USAGE, "limit=: '%s' is not a count",
		    o->v[O_LIMIT]);
	if (o->v[O_WHERE] != NULL && (t->where = expr_parse(o->v[O_WHERE],
	    err, sizeof err)) < 0)
		bad(line, MX_EXIT_USAGE, "where=: %s", err);
	if (kinds[k].check != NULL && (r = kinds[k].check(t, o, err,
	    sizeof err)) < 0)
		bad(line, r == -2 ? MX_EXIT_FAIL : MX_EXIT_USAGE, "%s", err);
	name_fields(t);
	if (o->v[O_NAME] != NULL) {
		const char *why = badname(o->v[O_NAME]);

		if (why != NULL)
			bad(line, MX_EXIT_USAGE, "name=: %s", why);
		t->name = mx_strdup(o->v[O_NAME]);
	} else if (k == K_RELATION) {
		struct mx_buf s = { 0 };

		mx_buf_printf(&s, "%s %s", t->arg, o->v[O_TO]);
		t->name = slug(kinds[k].name, s.p);
		mx_buf_free(&s);
	} else if (k == K_ROWS) {
		struct mx_buf s = { 0 };

		for (i = O_MIN; i <= O_EQ; i++)
			if (o->v[i] != NULL)
				mx_buf_printf(&s, "%s %s ", optnames[i],
				    o->v[i]);
		t->name = slug(kinds[k].name, s.p);
		mx_buf_free(&s);
	} else
		t->name = slug(kinds[k].name, t->arg);
	for (i = 0; i < ntests; i++)
		if (strcmp(tests[i].name, t->name) == 0)
			bad(line, MX_EXIT_USAGE, "%s: a test of that name is on "
			    "line %zu (name= tells them apart)", t->name,
			    tests[i].line);
	for (i = 0; i < NOPTS; i++)
		free(o->v[i]);
	memset(o, 0, sizeof *o);
	ntests++;
}

/* The test's name for a field: its index in named. */
static void
name_field(struct test *t, const char *path, int sel)
{
	t->fld = mx_reallocarray(t->fld, t->nfld + 1, sizeof *t->fld);
	t->fld[t->nfld++] = mx_seen_add(&named, "", path, sel);
}

/* The fields of the table that t reads: its columns, its expression
 * and its where=. */
static void
name_fields(struct test *t)
{
	const char **paths;
	int *f;
	size_t i, n;
	long e[2];
	int k;

	for (i = 0; i < t->cols.n; i++)
		name_field(t, t->cols.v[i].path, t->cols.v[i].sel);
	e[0] = t->kind == K_EXPR ? t->expr : -1;
	e[1] = t->where;
	for (k = 0; k < 2; k++) {
		if (e[k] < 0)
			continue;
		n = mx_calc_fields(calc, (size_t)e[k], &f, &paths);
		for (i = 0; i < n; i++)
			name_field(t, paths[i], f[i]);
		free(f);
		free(paths);
	}
}

/* The tests of the text of the test file (testfile, as messages name
 * it), n bytes at p.  (Apart from reading it: the fuzzer's way in.) */
static void
load_text(const char *p, size_t n)
{
	const char *e, *end;
	size_t line = 1;

	if (n > 0 && memchr(p, '\0', n) != NULL)
		mx_errx(MX_EXIT_USAGE, "%s: a NUL byte: not a text file",
		    testfile);
	if (!mx_utf8_valid(p, n))
		mx_errx(MX_EXIT_USAGE, "%s: not UTF-8", testfile);
	testdigest = mx_hash128(p, n);
	/* (an empty file may have no memory: NULL + 0 is undefined) */
	if (n == 0)
		return;
	for (end = p + n; p < end; p = e + 1, line++) {
		if ((e = memchr(p, '\n', end - p)) == NULL)
			e = end;
		parse_line(p, e > p && e[-1] == '\r' ? e - 1 : e, line);
	}
}

static void
load(const char *path)
{
	struct mx_reader r;
	struct mx_buf b = { 0 };
	char chunk[65536];
	size_t n;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_USAGE, "%s", path);
	while ((n = mx_reader_read(&r, chunk, sizeof chunk)) > 0)
		mx_buf_add(&b, chunk, n);
	mx_reader_close(&r);
	load_text(b.p, b.len);
	mx_buf_free(&b);
}

/* ---- stored failing rows: DIR/<table>/<test>/<run>.ndjson ---- */

static void
mkdirs(char *path)
{
	char *s;

	for (s = path + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0777) < 0 && errno != EEXIST)
			mx_err(MX_EXIT_FAIL, "%s", path);
		*s = '/';
	}
}

static char *
store_path(const struct test *t)
{
	struct mx_buf b = { 0 };

	mx_buf_printf(&b, "%s/%s/%s/%s.ndjson", opt.store, main_tb.name,
	    t->name, opt.run);
	return (char *)mx_buf_cstr(&b);
}

static struct mx_out *
store_open(struct test *t)
{
	if (t->store == NULL) {
		t->stored = store_path(t);
		mkdirs(t->stored);
		t->store = mx_out_open(t->stored);
	}
	return t->store;
}

/* Could the record have a key "_test"?  (The text holds it.) */
static int
has_test_key(const char *p, size_t n)
{
	const char *e = p + n, *q;

	for (q = p; (q = memchr(q, '_', e - q)) != NULL; q++)
		if (q > p && q[-1] == '"' && e - q >= 6 &&
		    memcmp(q, "_test\"", 6) == 0)
			return 1;
	return 0;
}

/* A failing record, whole, with where it was read in _test (a _test of
 * its own, from a file of failing rows tested again, is replaced). */
static void
store_row(struct test *t, const struct row *r)
{
	static struct mx_member *m;
	static size_t mcap;
	struct mx_out *o = store_open(t);
	struct mx_objw w;
	size_t i, nm;

	if (!has_test_key(r->p, r->n))
		mx_out_obj_open(&w, o, r->p, r->n);
	else {
		mx_out_obj_new(&w, o);
		nm = mx_json_members(r->p, r->n, &m, &mcap);
		for (i = 0; i < nm; i++) {
			if (m[i].key.n == 7 && memcmp(m[i].key.p, "\"_test\"",
			    7) == 0)
				continue;
			if (!w.empty)
				mx_out_putc(o, ',');
			w.empty = 0;
			mx_out_write(o, m[i].key.p, m[i].key.n);
			mx_out_putc(o, ':');
			mx_out_write(o, m[i].val.p, m[i].val.n);
		}
	}
	mx_out_key(&w, "_test");
	mx_out_puts(o, "{\"file\":");
	mx_out_write(o, r->f->jname.p, r->f->jname.len);
	mx_out_puts(o, ",\"line\":");
	mx_out_uint(o, r->line);
	mx_out_putc(o, '}');
	mx_out_obj_close(&w);
	t->nstored++;
}

static void
store_obj(struct test *t, const char *p, size_t n)
{
	struct mx_out *o;

	if (opt.store == NULL || (t->limit >= 0 &&
	    t->nstored >= (uintmax_t)t->limit))
		return;
	o = store_open(t);
	mx_out_write(o, p, n);
	mx_out_putc(o, '\n');
	t->nstored++;
}

/* Publish what a test stored; a test with nothing to store leaves no
 * file of this run (one from an earlier attempt is removed). */
static void
store_close(struct test *t)
{
	char *path;

	if (opt.store == NULL)
		return;
	if (t->store != NULL) {
		mx_out_close(t->store);
		t->store = NULL;
		return;
	}
	path = store_path(t);
	if (unlink(path) < 0 && errno != ENOENT)
		mx_err(MX_EXIT_FAIL, "%s", path);
	free(path);
}

/* ---- passes ---- */

struct hsub {
	int		 sel;
	struct mx_span	 v;
};

/* Read every record of tb once, calling fn on each. */
static void
pass(struct table *tb, void (*fn)(void *, const struct row *), void *arg)
{
	struct mx_json *scan = mx_json_new(tb->sel);
	struct mx_span *sp;
	struct hsub *hs = NULL;
	struct mx_reader r;
	struct row row;
	const char *line;
	ssize_t n;
	size_t i, k, nhs;
	int nsel = mx_sel_count(tb->sel);

	sp = mx_calloc(nsel > 0 ? nsel : 1, sizeof *sp);
	tb->rows = 0;
	for (i = 0; i < tb->nf; i++) {
		const struct file *f = &tb->f[i];

		/* the Hive keys a field of the selection is named after */
		nhs = 0;
		if (f->nh > 0) {
			hs = mx_reallocarray(hs, f->nh, sizeof *hs);
			for (k = 0; k < f->nh; k++) {
				struct mx_span *v = &hs[nhs].v;

				if ((hs[nhs].sel = mx_sel_key(tb->sel,
				    f->hk[k], strlen(f->hk[k]))) < 0)
					continue;
				v->p = f->hv[k].p;
				v->n = (uint32_t)f->hv[k].len;
				v->kind = (uint8_t)mx_json_kind(v->p);
				v->esc = memchr(v->p, '\\', v->n) != NULL;
				nhs++;
			}
		}
		if (mx_reader_open(&r, f->path) < 0) {
			mx_warn("%s", f->path);
			mx_errx(MX_EXIT_FAIL, "cannot read %s", f->path);
		}
		row.f = f;
		row.sp = sp;
		while ((n = mx_reader_line(&r, &line)) >= 0) {
			if (mx_blank(line, (size_t)n))
				continue;
			if (mx_json_scan(scan, line, (size_t)n, sp, 1) < 0)
				mx_errx(MX_EXIT_FAIL, "%s:%ju: %s",
				    mx_name(f->path), r.lineno,
				    mx_json_errstr(scan));
			for (k = 0; k < nhs; k++)
				if (sp[hs[k].sel].kind == MX_JNONE)
					sp[hs[k].sel] = hs[k].v;
			row.p = line;
			row.n = (size_t)n;
			row.line = r.lineno;
			tb->rows++;
			if (fn != NULL)
				fn(arg, &row);
		}
		mx_reader_close(&r);
	}
	free(hs);
	free(sp);
	mx_json_free(scan);
}

/* The keys of each need of tb in r, as mx_exprs_canon writes them: the
 * canonical values of its items one after the other, none when one is
 * null. */
static void
ref_row(void *arg, const struct row *r)
{
	struct table *tb = arg;
	struct need *nd;
	struct piece *pc;
	struct mx_span v;
	char tmp[MX_EXPR_TMP];
	size_t i, j, nulls;
	int isnew, k, bad;

	tb->pgen++;
	tb->pb.len = 0;
	for (i = 0; i < tb->nneed; i++) {
		nd = &tb->need[i];
		/* a part looks nothing up: the merge reads the table */
		if (mode == M_PARTIAL && nd->lookup)
			continue;
		kb.len = 0;
		nulls = 0;
		for (j = 0; j < nd->e.n; j++) {
			pc = &tb->pc[nd->pi[j]];
			if (pc->gen != tb->pgen) {
				k = mx_expr_eval(pc->e, r->sp, &v, tmp, &bad);
				pc->null = k == MX_JNONE || k == MX_JNULL;
				pc->off = tb->pb.len;
				mx_json_canon(&v, &tb->pb);
				pc->len = tb->pb.len - pc->off;
				pc->gen = tb->pgen;
			}
			nulls += pc->null;
			mx_buf_add(&kb, tb->pb.p + pc->off, pc->len);
		}
		if (nulls == 0)
			mx_keyset_put(nd->ks, mx_hash128(kb.p, kb.len),
			    &isnew);
	}
}

static struct test	**rowtests;
static size_t		 nrowtests;

/* ---- --cache: the counts of tables already read ---- */

/* DIR/<XXH3-128 of the table's name and the keys, "" for its rows>
 * holds the table's id and the count: "<id> <count>\n".  One entry per
 * name and keys, overwritten when the table changes. */
static void
cache_path(struct mx_buf *b, const struct table *tb, const char *spec)
{
	struct mx_buf k = { 0 };
	char hex[33];

	mx_buf_adds(&k, tb->name);
	mx_buf_addc(&k, '\0');
	mx_buf_adds(&k, spec);
	mx_hash128_hex(mx_hash128(k.p, k.len), hex);
	mx_buf_free(&k);
	b->len = 0;
	mx_buf_printf(b, "%s/%s", opt.cache, hex);
}

/* The count cached for tb's keys spec; 0, or -1 when there is none for
 * the table as it is (a torn or foreign entry is none). */
static int
cache_get(const struct table *tb, const char *spec, uintmax_t *n)
{
	struct mx_buf p = { 0 };
	char buf[128], id[33], want[33];
	ssize_t k;
	int fd, r = -1;

	cache_path(&p, tb, spec);
	fd = open(p.p, O_RDONLY | O_CLOEXEC);
	mx_buf_free(&p);
	if (fd < 0)
		return -1;
	k = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (k <= 0)
		return -1;
	buf[k] = '\0';
	mx_hash128_hex(tb->id, want);
	if (sscanf(buf, "%32[0-9a-f] %ju\n", id, n) == 2 &&
	    strcmp(id, want) == 0 && buf[k - 1] == '\n')
		r = 0;
	return r;
}

/* Keep a count: written whole under another name, then renamed, so a
 * reader finds the old entry, the new one, or none (a lost entry costs
 * a pass, no more: no fsync). */
static void
cache_put(const struct table *tb, const char *spec, uintmax_t n)
{
	struct mx_buf p = { 0 }, tmp = { 0 };
	char line[80], id[33];
	int fd, len;

	mx_hash128_hex(tb->id, id);
	len = snprintf(line, sizeof line, "%s %ju\n", id, n);
	cache_path(&p, tb, spec);
	mx_buf_printf(&tmp, "%s.%ld.tmp", p.p, (long)getpid());
	if ((fd = open(tmp.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0666)) < 0 || write(fd, line, (size_t)len) != len ||
	    close(fd) < 0 || rename(tmp.p, p.p) < 0) {
		mx_warn("--cache: %s", tmp.p);
		unlink(tmp.p);
	}
	mx_buf_free(&p);
	mx_buf_free(&tmp);
}

/* Every figure of tb from the cache, or none: a table is read whole or
 * not at all.  The keys a relationship looks up are not counts. */
static void
cache_load(struct table *tb)
{
	uintmax_t rows;
	size_t i;

	if (opt.cache == NULL || !tb->hasid || cache_get(tb, "", &rows) < 0)
		return;
	for (i = 0; i < tb->nneed; i++)
		if (tb->need[i].lookup || cache_get(tb, tb->need[i].spec,
		    &tb->need[i].count) < 0)
			return;
	for (i = 0; i < tb->nneed; i++)
		tb->need[i].cached = 1;
	tb->rows = rows;
	tb->cached = 1;
}

static void
cache_save(const struct table *tb)
{
	size_t i;

	if (opt.cache == NULL || !tb->hasid || tb->cached)
		return;
	cache_put(tb, "", tb->rows);
	for (i = 0; i < tb->nneed; i++)
		if (!tb->need[i].lookup)
			cache_put(tb, tb->need[i].spec,
			    need_count(&tb->need[i]));
}

/* --precount FILE: the keys that the row_count bounds of FILE ask of
 * the table under test (by any name that reaches its files), counted
 * in this run's pass and kept in the cache, so that FILE's tests, run
 * later on another table, need not read it.  Bounds on other tables,
 * and every other line, are left to FILE's own run. */
static void
precount(const char *path)
{
	struct mx_reader r;
	struct mx_buf b = { 0 }, tried = { 0 };
	struct table *tb;
	char chunk[65536], *v, *colon, err[256];
	const char *p, *e, *le, *end, *w, *we, *saved = testfile;
	size_t n, had, line = 1;
	int ok;

	testfile = path;
	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_USAGE, "%s", path);
	while ((n = mx_reader_read(&r, chunk, sizeof chunk)) > 0)
		mx_buf_add(&b, chunk, n);
	mx_reader_close(&r);
	end = b.p + b.len;
	for (p = b.p; p < end; p = e + 1, line++) {
		if ((e = memchr(p, '\n', end - p)) == NULL)
			e = end;
		le = e > p && e[-1] == '\r' ? e - 1 : e;
		w = skipblank(p, le);
		if ((we = wordend(w, le)) == NULL || we - w != 9 ||
		    memcmp(w, "row_count", 9) != 0)
			continue;
		for (w = skipblank(we, le); w < le && *w != '#';
		    w = skipblank(we, le)) {
			if ((we = wordend(w, le)) == NULL)
				break;
			ok = optword(w, we - w);
			if (ok != O_MIN && ok != O_MAX && ok != O_EQ)
				continue;
			v = decode(w + strlen(optnames[ok]) + 1,
			    we - w - strlen(optnames[ok]) - 1, line,
			    optnames[ok]);
			if ((colon = strrchr(v, ':')) != NULL)
				*colon++ = '\0';
			/* a count, a table that is not this one, or none */
			had = nrefs;
			if ((*v >= '0' && *v <= '9') || *v == '\0' ||
			    (tb = ref_get(v, &tried)) == NULL) {
				free(v);
				continue;
			}
			if (!tb->shared) {
				/* not asked of this run: forget it */
				if (nrefs > had) {
					nrefs--;
					free_table(tb);
					free(tb);
				}
			} else if (colon != NULL && *colon != '\0' &&
			    need_get(tb, colon, err, sizeof err) < 0)
				bad(line, MX_EXIT_USAGE, "%s: %s",
				    optnames[ok], err);
			free(v);
		}
	}
	mx_buf_free(&b);
	mx_buf_free(&tried);
	testfile = saved;
}

static struct table	**inmain;	/* refs counted in the main pass */
static size_t		 ninmain;

static void
main_row(void *arg, const struct row *r)
{
	struct test *t;
	size_t i;

	(void)arg;
	mx_seen_spans(&named, r->sp);
	for (i = 0; i < ninmain; i++)
		ref_row(inmain[i], r);
	for (i = 0; i < nrowtests; i++) {
		t = rowtests[i];
		if (t->where >= 0 && expr_truth(t->where, r->sp) != 1)
			continue;
		t->rows++;
		if (mode == M_PARTIAL && kinds[t->kind].prow != NULL)
			kinds[t->kind].prow(t, r);
		else
			kinds[t->kind].row(t, r);
	}
}

/* ---- incremental tests: --partial FILE, --merge ---- */

/*
 * A partial, little-endian whatever the host:
 *
 *	"mx-test-partial\n", version (8 bytes)
 *	the key sections: entries of 32 bytes, a 128-bit key hash (high
 *	    half, low half) and two values, in ascending order of hash
 *	the index: the test file's digest, the files of the part (their
 *	    Hive root and path), its rows, then for each test its counts,
 *	    newest timestamp, kept failing rows (file, line, record) and
 *	    key section; the key sections of the table's counted keys;
 *	    for each field the tests read, whether a row had it
 *	the index's offset and the XXH3-64 of all that comes before
 *
 * The keys are what a merge streams (a part of a 10-million-row table
 * has as many), the index what it holds.
 */
static const char	pmagic[16] = "mx-test-partial\n";
#define PVERSION	2
#define PENTRY		32

static void
le64(unsigned char *c, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		c[i] = (unsigned char)(v >> (8 * i));
}

static void
put64(struct mx_buf *b, uint64_t v)
{
	unsigned char c[8];

	le64(c, v);
	mx_buf_add(b, c, 8);
}

/* (one load where the host is little-endian: the merge reads four a
 * key, and the compiler kept the loop of bytes) */
static uint64_t
get64(const unsigned char *c)
{
	uint64_t v;

	memcpy(&v, c, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static void
putstr(struct mx_buf *b, const char *p, size_t n)
{
	put64(b, n);
	mx_buf_add(b, p, n);
}

/* A failing row the merge may store: it stores the same bytes. */
static void
prow_put(struct test *t, const struct row *r)
{
	put64(&t->pstore, (uint64_t)(r->f - main_tb.f));
	put64(&t->pstore, r->line);
	putstr(&t->pstore, r->p, r->n);
	t->nstored++;
}

/* The partial as it is written: every byte goes through the checksum. */
struct pw {
	struct mx_out	*o;
	struct mx_hash64 *h;
	uint64_t	 off;
};

static void
pw_write(struct pw *w, const void *p, size_t n)
{
	mx_out_write(w->o, p, n);
	mx_hash64_update(w->h, p, n);
	w->off += n;
}

struct kent {
	struct mx_h128	 h;
	uint64_t	 v[2];
};

static int
kentcmp(const void *a, const void *b)
{
	return mx_h128_cmp(((const struct kent *)a)->h,
	    ((const struct kent *)b)->h);
}

/* The keys of ks, sorted, with their values (vsize 16, or 0); into the
 * index, where they are and how many. */
static void
keys_put(struct pw *w, struct mx_buf *ix, struct mx_keyset *ks, int vals)
{
	static unsigned char chunk[2048 * PENTRY];
	struct kent *e;
	uint64_t *v;
	size_t i, k, n = 0, pos = 0;

	e = mx_calloc(mx_keyset_count(ks) + 1, sizeof *e);
	while ((v = mx_keyset_next(ks, &pos, &e[n].h)) != NULL) {
		if (vals)
			memcpy(e[n].v, v, sizeof e[n].v);
		n++;
	}
	mx_hsort(e, n, sizeof *e, kentcmp);
	put64(ix, w->off);
	put64(ix, n);
	/* (written 2048 entries at a time: an output call and a hash
	 * update an entry were a twentieth of a partition's partial) */
	for (i = 0, k = 0; i < n; i++) {
		le64(chunk + k, e[i].h.hi);
		le64(chunk + k + 8, e[i].h.lo);
		le64(chunk + k + 16, e[i].v[0]);
		le64(chunk + k + 24, e[i].v[1]);
		k += PENTRY;
		if (k == sizeof chunk || i + 1 == n) {
			pw_write(w, chunk, k);
			k = 0;
		}
	}
	free(e);
}

/* Was spec k of counted table i counted by an earlier name of it? */
static int
need_dup(size_t i, size_t k)
{
	size_t j, m;

	for (j = 0; j <= i; j++)
		for (m = 0; m < (j < i ? inmain[j]->nneed : k); m++)
			if (strcmp(inmain[j]->need[m].spec,
			    inmain[i]->need[k].spec) == 0)
				return 1;
	return 0;
}

static void
partial_write(const char *path)
{
	struct mx_buf ix = { 0 }, b = { 0 };
	struct pw w;
	struct need *nd;
	size_t i, k, nneeds = 0;
	uint64_t ixoff;

	w.o = mx_out_open(path);
	w.h = mx_hash64_new();
	w.off = 0;
	pw_write(&w, pmagic, sizeof pmagic);
	put64(&b, PVERSION);
	pw_write(&w, b.p, b.len);
	put64(&ix, testdigest.hi);
	put64(&ix, testdigest.lo);
	put64(&ix, main_tb.nf);
	for (i = 0; i < main_tb.nf; i++) {
		const char *p = main_tb.f[i].path;

		put64(&ix, main_tb.f[i].root);
		putstr(&ix, p, strlen(p));
	}
	put64(&ix, main_tb.rows);
	put64(&ix, ntests);
	for (i = 0; i < ntests; i++) {
		struct test *t = &tests[i];

		put64(&ix, (uint64_t)t->kind);
		put64(&ix, t->rows);
		put64(&ix, t->failing);
		put64(&ix, (uint64_t)t->hasnewest);
		put64(&ix, (uint64_t)t->newest.sec);
		put64(&ix, (uint64_t)t->newest.nsec);
		put64(&ix, (uint64_t)t->newest.dateonly);
		put64(&ix, t->nstored);
		putstr(&ix, t->pstore.p, t->pstore.len);
		if (kinds[t->kind].prow != NULL)
			keys_put(&w, &ix, t->ks, 1);
		else {
			put64(&ix, 0);
			put64(&ix, 0);
		}
	}
	/* the keys counted of the table by another name (--precount, or
	 * a bound of row_count), each spec once */
	for (i = 0; i < ninmain; i++)
		for (k = 0; k < inmain[i]->nneed; k++)
			nneeds += !need_dup(i, k) && !inmain[i]->need[k].lookup;
	put64(&ix, nneeds);
	for (i = 0; i < ninmain; i++)
		for (k = 0; k < inmain[i]->nneed; k++) {
			nd = &inmain[i]->need[k];
			if (need_dup(i, k) || nd->lookup)
				continue;
			putstr(&ix, nd->spec, strlen(nd->spec));
			keys_put(&w, &ix, nd->ks, 0);
		}
	put64(&ix, named.n);
	for (i = 0; i < named.n; i++)
		put64(&ix, (uint64_t)named.v[i].seen);
	ixoff = w.off;
	pw_write(&w, ix.p, ix.len);
	b.len = 0;
	put64(&b, ixoff);
	put64(&b, mx_hash64_end(w.h));
	mx_out_write(w.o, b.p, b.len);
	mx_out_close(w.o);
	mx_buf_free(&ix);
	mx_buf_free(&b);
}

/* A partial read for the merge: its index, checked whole first. */
struct ptest {
	int		 kind;
	uintmax_t	 rows, failing, nstored;
	int		 hasnewest;
	struct mx_time	 newest;
	const unsigned char *stored;	/* nstored (file, line, record) */
	uint64_t	 nbytes;
	uint64_t	 keys, nkeys;	/* offset, entries */
};

struct pneed {
	char		*spec;
	uint64_t	 keys, nkeys;
};

struct partial {
	const char	*path;
	unsigned char	*ix;
	struct mx_h128	 digest;
	size_t		 f0, nf;	/* its files among main_tb's */
	uintmax_t	 rows;
	struct ptest	*t;
	size_t		 nt;
	struct pneed	*need;
	size_t		 nneed;
	unsigned char	*seen;		/* per field of named */
	size_t		 nseen;
};

static struct partial	*parts;
static size_t		 nparts;

struct rd {
	const unsigned char *p, *e;
	const char	*path;
	uint64_t	 keysend;	/* where the key sections end */
};

static MX_NORETURN void
corrupt(const char *path, const char *why)
{
	mx_errx(MX_EXIT_FAIL, "%s: not a partial of mx-test, or a damaged "
	    "one: %s", path, why);
}

static uint64_t
rd64(struct rd *r)
{
	uint64_t v;

	if (r->e - r->p < 8)
		corrupt(r->path, "its index is cut short");
	v = get64(r->p);
	r->p += 8;
	return v;
}

static const unsigned char *
rdbytes(struct rd *r, uint64_t *n)
{
	const unsigned char *p;

	*n = rd64(r);
	if ((uint64_t)(r->e - r->p) < *n)
		corrupt(r->path, "its index is cut short");
	p = r->p;
	r->p += *n;
	return p;
}

static void
rdkeys(struct rd *r, uint64_t *off, uint64_t *n)
{
	*off = rd64(r);
	*n = rd64(r);
	if (*n > 0 && (*off < sizeof pmagic + 8 || *off > r->keysend ||
	    *n > (r->keysend - *off) / PENTRY))
		corrupt(r->path, "a key section out of place");
}

/* Check the whole file against its checksum, then hold its index. */
static void
partial_read(struct partial *pt, const char *path)
{
	struct mx_hash64 *h = mx_hash64_new();
	unsigned char buf[65536], tail[16];
	struct rd r;
	struct stat st;
	FILE *fp;
	uint64_t size, left, ixoff, n, i, k, v;
	size_t m;

	memset(pt, 0, sizeof *pt);
	pt->path = path;
	if ((fp = fopen(path, "rb")) == NULL || fstat(fileno(fp), &st) < 0)
		mx_err(MX_EXIT_FAIL, "%s", path);
	size = (uint64_t)st.st_size;
	if (size < sizeof pmagic + 8 + sizeof tail ||
	    fread(buf, 1, sizeof pmagic + 8, fp) != sizeof pmagic + 8 ||
	    memcmp(buf, pmagic, sizeof pmagic) != 0)
		corrupt(path, "no partial's header");
	if (get64(buf + sizeof pmagic) != PVERSION)
		mx_errx(MX_EXIT_FAIL, "%s: a partial of format %ju, not %d",
		    path, (uintmax_t)get64(buf + sizeof pmagic), PVERSION);
	mx_hash64_update(h, buf, sizeof pmagic + 8);
	for (left = size - sizeof pmagic - 8 - sizeof tail; left > 0;
	    left -= m) {
		m = left < sizeof buf ? (size_t)left : sizeof buf;
		if (fread(buf, 1, m, fp) != m)
			mx_err(MX_EXIT_FAIL, "%s", path);
		mx_hash64_update(h, buf, m);
	}
	if (fread(tail, 1, sizeof tail, fp) != sizeof tail)
		mx_err(MX_EXIT_FAIL, "%s", path);
	if (get64(tail + 8) != mx_hash64_end(h))
		corrupt(path, "its checksum does not match (cut short?)");
	ixoff = get64(tail);
	if (ixoff < sizeof pmagic + 8 || ixoff > size - sizeof tail)
		corrupt(path, "its index out of place");
	n = size - sizeof tail - ixoff;
	pt->ix = mx_calloc(n + 1, 1);
	if (fseeko(fp, (off_t)ixoff, SEEK_SET) < 0 ||
	    fread(pt->ix, 1, n, fp) != n)
		mx_err(MX_EXIT_FAIL, "%s", path);
	fclose(fp);

	r.p = pt->ix;
	r.e = pt->ix + n;
	r.path = path;
	r.keysend = ixoff;
	pt->digest.hi = rd64(&r);
	pt->digest.lo = rd64(&r);
	pt->f0 = main_tb.nf;
	pt->nf = rd64(&r);
	for (i = 0; i < pt->nf; i++) {
		const unsigned char *p;
		char *s;

		v = rd64(&r);
		p = rdbytes(&r, &n);
		s = mx_strndup((const char *)p, n);
		if (v > n || strlen(s) != n)
			corrupt(path, "a bad file name");
		add_file(&main_tb, s, v);
		free(s);
	}
	pt->rows = rd64(&r);
	main_tb.rows += pt->rows;
	pt->nt = rd64(&r);
	if (pt->nt > (uint64_t)(r.e - r.p))
		corrupt(path, "too many tests");
	pt->t = mx_calloc(pt->nt + 1, sizeof *pt->t);
	for (i = 0; i < pt->nt; i++) {
		struct ptest *t = &pt->t[i];

		t->kind = (int)rd64(&r);
		t->rows = rd64(&r);
		t->failing = rd64(&r);
		t->hasnewest = rd64(&r) != 0;
		t->newest.sec = (int64_t)rd64(&r);
		t->newest.nsec = (int32_t)rd64(&r);
		t->newest.dateonly = (int8_t)rd64(&r);
		t->nstored = rd64(&r);
		t->stored = rdbytes(&r, &t->nbytes);
		rdkeys(&r, &t->keys, &t->nkeys);
	}
	pt->nneed = rd64(&r);
	if (pt->nneed > (uint64_t)(r.e - r.p))
		corrupt(path, "too many key sections");
	pt->need = mx_calloc(pt->nneed + 1, sizeof *pt->need);
	for (k = 0; k < pt->nneed; k++) {
		const unsigned char *p = rdbytes(&r, &n);

		pt->need[k].spec = mx_strndup((const char *)p, n);
		rdkeys(&r, &pt->need[k].keys, &pt->need[k].nkeys);
	}
	pt->nseen = rd64(&r);
	if (pt->nseen > (uint64_t)(r.e - r.p))
		corrupt(path, "too many fields");
	pt->seen = mx_calloc(pt->nseen + 1, 1);
	for (k = 0; k < pt->nseen; k++)
		pt->seen[k] = rd64(&r) != 0;
	if (r.p != r.e)
		corrupt(path, "bytes after its index");
}

/* After the test file is read: the partials are of it. */
static void
partials_check(void)
{
	size_t p, i;

	for (p = 0; p < nparts; p++) {
		struct partial *pt = &parts[p];

		if (mx_h128_cmp(pt->digest, testdigest) != 0)
			mx_errx(MX_EXIT_FAIL, "%s: a partial of another test "
			    "file than %s", pt->path, testfile);
		if (pt->nt != ntests)
			corrupt(pt->path, "not as many tests as the test file");
		if (pt->nseen != named.n)
			corrupt(pt->path, "not as many fields as the test file");
		for (i = 0; i < named.n; i++)
			if (pt->seen[i])
				mx_seen_mark(&named, i);
		for (i = 0; i < ntests; i++)
			if (pt->t[i].kind != tests[i].kind)
				corrupt(pt->path, "another kind of test");
	}
}

/* A key section of a partial, read in order, CURBUF entries at a time
 * (an entry a read was a sixth of the merge of a 10M-row table). */
#define CURBUF	256
struct cur {
	FILE		*fp;
	const char	*path;
	uint64_t	 left;		/* entries not yet in buf */
	size_t		 p;		/* the partial */
	struct mx_h128	 h;
	uint64_t	 v[2];
	unsigned char	*buf;
	size_t		 bi, bn;
};

static void
cur_close(struct cur *c)
{
	fclose(c->fp);
	c->fp = NULL;
	free(c->buf);
	c->buf = NULL;
}

/* The next entry into h and v; 0 (the cursor closed) at the end. */
static int
cur_next(struct cur *c)
{
	const unsigned char *e;
	size_t n;

	if (c->bi == c->bn) {
		if (c->left == 0) {
			cur_close(c);
			return 0;
		}
		n = c->left < CURBUF ? (size_t)c->left : CURBUF;
		if (fread(c->buf, PENTRY, n, c->fp) != n)
			mx_errx(MX_EXIT_FAIL, "%s: cut short since it was "
			    "checked", c->path);
		c->left -= n;
		c->bi = 0;
		c->bn = n;
	}
	e = c->buf + c->bi++ * PENTRY;
	c->h.hi = get64(e);
	c->h.lo = get64(e + 8);
	c->v[0] = get64(e + 16);
	c->v[1] = get64(e + 24);
	return 1;
}

static void
cur_open(struct cur *c, size_t p, uint64_t off, uint64_t n)
{
	c->p = p;
	c->path = parts[p].path;
	c->left = n;
	c->bi = c->bn = 0;
	c->buf = mx_reallocarray(NULL, CURBUF, PENTRY);
	if ((c->fp = fopen(c->path, "rb")) == NULL ||
	    fseeko(c->fp, (off_t)off, SEEK_SET) < 0)
		mx_err(MX_EXIT_FAIL, "%s", c->path);
	(void)cur_next(c);
}

/* A head of a section in the merge's heap: its hash's high word beside
 * it, which decides nearly every compare without reaching the cursor. */
struct hent {
	uint64_t	 hi;
	struct cur	*c;
};

/* The order of the heads: hash, then partial.  (Equal high words are
 * rare, so that branch is predicted; the compare of random words is
 * left without one.) */
static inline int
hlt(const struct hent *a, const struct hent *b)
{
	if (MX_UNLIKELY(a->hi == b->hi))
		return (a->c->h.lo < b->c->h.lo) | ((a->c->h.lo ==
		    b->c->h.lo) & (a->c->p < b->c->p));
	return a->hi < b->hi;
}

static void
heap_down(struct hent *h, size_t n, size_t i)
{
	struct hent x = h[i];
	size_t c;

	while ((c = 2 * i + 1) < n) {
		c += c + 1 < n && hlt(&h[c + 1], &h[c]);
		if (!hlt(&h[c], &x))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
}

static void
heap_up(struct hent *h, size_t i)
{
	struct hent x = h[i];

	while (i > 0 && hlt(&x, &h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = x;
}

/*
 * Each distinct hash of the sections, in ascending order, with the
 * cursors that hold it in the partials' order: a k-way merge through a
 * heap of the heads, one entry (and one open file) a partial.
 */
static void
kmerge(struct cur *c, size_t k, void (*fn)(void *, struct cur **, size_t),
    void *arg)
{
	struct hent *heap = mx_calloc(k + 1, sizeof *heap);
	struct cur **same = mx_calloc(k + 1, sizeof *same);
	struct mx_h128 min;
	size_t i, n, nh = 0;

	for (i = 0; i < k; i++)
		if (c[i].fp != NULL) {
			heap[nh].hi = c[i].h.hi;
			heap[nh++].c = &c[i];
			heap_up(heap, nh - 1);
		}
	while (nh > 0) {
		min = heap[0].c->h;
		/* the head alone with its hash, as nearly every key is (one
		 * that another holds has it in a child: the heap's order is
		 * the hash's first): it moves on in place */
		if ((nh < 2 || mx_h128_cmp(heap[1].c->h, min) != 0) &&
		    (nh < 3 || mx_h128_cmp(heap[2].c->h, min) != 0)) {
			fn(arg, &heap[0].c, 1);
			if (cur_next(heap[0].c))
				heap[0].hi = heap[0].c->h.hi;
			else
				heap[0] = heap[--nh];
			if (nh > 0)
				heap_down(heap, nh, 0);
			continue;
		}
		n = 0;
		while (nh > 0 && mx_h128_cmp(heap[0].c->h, min) == 0) {
			same[n++] = heap[0].c;
			heap[0] = heap[--nh];
			if (nh > 0)
				heap_down(heap, nh, 0);
		}
		fn(arg, same, n);
		for (i = 0; i < n; i++)
			if (cur_next(same[i])) {
				heap[nh].hi = same[i]->h.hi;
				heap[nh++].c = same[i];
				heap_up(heap, nh - 1);
			}
	}
	free(heap);
	free(same);
}

/* The key sections of test i (need NULL) or of a counted spec. */
static struct cur *
curs_open(size_t i, const char *need)
{
	struct cur *c = mx_calloc(nparts + 1, sizeof *c);
	size_t p, k;

	for (p = 0; p < nparts; p++) {
		if (need == NULL) {
			cur_open(&c[p], p, parts[p].t[i].keys,
			    parts[p].t[i].nkeys);
			continue;
		}
		for (k = 0; k < parts[p].nneed; k++)
			if (strcmp(parts[p].need[k].spec, need) == 0)
				break;
		cur_open(&c[p], p, parts[p].need[k].keys,
		    parts[p].need[k].nkeys);
	}
	return c;
}

static void
count_key(void *arg, struct cur **same, size_t n)
{
	(void)same;
	(void)n;
	++*(uintmax_t *)arg;
}

/* The counts of a table that is the one under test, from the partials:
 * 0, or -1 when a partial lacks one (it was made without the
 * --precount or bound that asks for it: the table is read). */
static int
merge_counts(struct table *tb)
{
	struct cur *c;
	size_t i, k, p;

	for (i = 0; i < tb->nneed; i++)
		for (p = 0; p < nparts; p++) {
			for (k = 0; k < parts[p].nneed; k++)
				if (strcmp(parts[p].need[k].spec,
				    tb->need[i].spec) == 0)
					break;
			if (k == parts[p].nneed)
				return -1;
		}
	for (i = 0; i < tb->nneed; i++) {
		c = curs_open(0, tb->need[i].spec);
		tb->need[i].count = 0;
		kmerge(c, nparts, count_key, &tb->need[i].count);
		tb->need[i].merged = 1;
		free(c);
	}
	tb->rows = main_tb.rows;
	return 0;
}

/* unique: the first row of a key in each partial after the first that
 * has it fails, as the run would find it a second time */
static void
unique_key(void *arg, struct cur **same, size_t n)
{
	struct test *t = arg;
	size_t i;

	for (i = 1; i < n; i++) {
		if (same[i]->v[0] >= parts[same[i]->p].nf || same[i]->v[1] == 0)
			corrupt(same[i]->path, "a key's row in no file");
		if (t->nxp == t->axp) {
			t->axp = t->axp > 0 ? 2 * t->axp : 64;
			t->xp = mx_reallocarray(t->xp, t->axp, sizeof *t->xp);
		}
		t->xp[t->nxp].p = same[i]->p;
		t->xp[t->nxp].f = parts[same[i]->p].f0 + same[i]->v[0];
		t->xp[t->nxp++].line = same[i]->v[1];
		t->failing++;
	}
}

static void
unique_merge(struct test *t, size_t i)
{
	struct cur *c = curs_open(i, NULL);

	kmerge(c, nparts, unique_key, t);
	free(c);
}

/* relationships: every row of a key the other table lacks fails; the
 * partial has counted them; which they are, a merge that stores them
 * finds by reading again the parts that have such a key */
struct relmerge {
	struct test	*t;
	char		*redo;		/* the partials to read again */
};

static void
relation_key(void *arg, struct cur **same, size_t n)
{
	struct relmerge *m = arg;
	struct test *t = m->t;
	uintmax_t rows = 0;
	size_t i;
	int isnew;

	if (mx_keyset_get(t->to->need[t->need].ks, same[0]->h) != NULL)
		return;
	for (i = 0; i < n; i++) {
		rows += same[i]->v[0];
		m->redo[same[i]->p] = 1;
	}
	t->failing += rows;
	if (opt.store != NULL)
		mx_keyset_put(t->missing, same[0]->h, &isnew);
}

static void
relation_again(void *arg, const struct row *r)
{
	struct test *t = arg;

	if (t->limit >= 0 && t->nstored >= (uintmax_t)t->limit)
		return;
	if (t->where >= 0 && expr_truth(t->where, r->sp) != 1)
		return;
	if (mx_exprs_canon(&t->cols, r->sp, &kb) > 0)
		return;
	if (mx_keyset_get(t->missing, mx_hash128(kb.p, kb.len)) != NULL)
		store_row(t, r);
}

static void
relation_merge(struct test *t, size_t i)
{
	struct relmerge m;
	struct table part;
	struct cur *c = curs_open(i, NULL);
	size_t p;

	m.t = t;
	m.redo = mx_calloc(nparts + 1, 1);
	t->missing = mx_keyset_new(0);
	kmerge(c, nparts, relation_key, &m);
	free(c);
	for (p = 0; p < nparts && opt.store != NULL; p++) {
		if (!m.redo[p] || (t->limit >= 0 &&
		    t->nstored >= (uintmax_t)t->limit))
			continue;
		memset(&part, 0, sizeof part);
		part.f = main_tb.f + parts[p].f0;
		part.nf = parts[p].nf;
		part.sel = main_tb.sel;
		pass(&part, relation_again, t);
	}
	free(m.redo);
}

static int
xposcmp(const void *a, const void *b)
{
	const struct xpos *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	if (x->f != y->f)
		return x->f < y->f ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* A line of the table read again, the files in order. */
struct back {
	struct mx_reader r;
	int		 open;
	uint64_t	 f;
};

static void
back_row(struct back *b, struct row *row, uint64_t f, uint64_t line)
{
	const char *l = NULL;
	ssize_t n = 0;

	if (b->open && (b->f != f || b->r.lineno >= line)) {
		mx_reader_close(&b->r);
		b->open = 0;
	}
	if (!b->open) {
		if (mx_reader_open(&b->r, main_tb.f[f].path) < 0)
			mx_err(MX_EXIT_FAIL, "%s", main_tb.f[f].path);
		b->open = 1;
		b->f = f;
	}
	while (b->r.lineno < line)
		if ((n = mx_reader_line(&b->r, &l)) < 0)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: no such line: the file "
			    "changed since its partial", main_tb.f[f].path,
			    (uintmax_t)line);
	row->p = l;
	row->n = (size_t)n;
	row->f = &main_tb.f[f];
	row->line = line;
}

/* The failing rows of test i the partials kept, and those read back,
 * in the table's order: the first limit= of them. */
static void
merge_store(struct test *t, size_t i)
{
	struct back back = { 0 };
	struct rd r;
	struct row row;
	struct xpos own = { 0, 0, 0 };
	uint64_t left, n;
	size_t p, x = 0;
	int have;

	if (t->nxp > 1)
		qsort(t->xp, t->nxp, sizeof *t->xp, xposcmp);
	memset(&row, 0, sizeof row);
	for (p = 0; p < nparts; p++) {
		r.p = parts[p].t[i].stored;
		r.e = r.p + parts[p].t[i].nbytes;
		r.path = parts[p].path;
		left = parts[p].t[i].nstored;
		have = 0;
		for (;;) {
			if (t->limit >= 0 && t->nstored >= (uintmax_t)t->limit)
				break;
			if (!have && left > 0) {
				own.p = p;
				own.f = parts[p].f0 + rd64(&r);
				own.line = rd64(&r);
				row.p = (const char *)rdbytes(&r, &n);
				row.n = (size_t)n;
				if (own.f >= parts[p].f0 + parts[p].nf)
					corrupt(r.path, "a row of no file");
				have = 1;
				left--;
			}
			if (x < t->nxp && t->xp[x].p == p && (!have ||
			    xposcmp(&t->xp[x], &own) < 0)) {
				struct row b;

				back_row(&back, &b, t->xp[x].f, t->xp[x].line);
				store_row(t, &b);
				x++;
			} else if (have) {
				row.f = &main_tb.f[own.f];
				row.line = own.line;
				store_row(t, &row);
				have = 0;
			} else
				break;
		}
		while (x < t->nxp && t->xp[x].p == p)
			x++;
	}
	if (back.open)
		mx_reader_close(&back.r);
}

/* What the pass of a run finds, from the partials. */
static void
merge_tests(void)
{
	size_t i, p;

	for (i = 0; i < ntests; i++) {
		struct test *t = &tests[i];

		if (kinds[t->kind].row == NULL)
			continue;
		for (p = 0; p < nparts; p++) {
			const struct ptest *pt = &parts[p].t[i];

			t->rows += pt->rows;
			t->failing += pt->failing;
			if (pt->hasnewest && (!t->hasnewest ||
			    mx_time_cmp(&pt->newest, &t->newest) > 0)) {
				t->newest = pt->newest;
				t->hasnewest = 1;
			}
		}
		if (kinds[t->kind].merge != NULL)
			kinds[t->kind].merge(t, i);
		if (opt.store != NULL)
			merge_store(t, i);
	}
}

/* ---- custom tests ---- */

static void
feeder_exit(int code)
{
	_exit(code);
}

/* The table's records, as they are, to fd (the command's input). */
static MX_NORETURN void
feed(int fd)
{
	struct mx_reader r;
	char buf[65536];
	size_t i, n, off;
	ssize_t w;

	/* an error here must not remove the parent's temporary files */
	mx_exit_hook = feeder_exit;
	signal(SIGPIPE, SIG_DFL);
	for (i = 0; i < main_tb.nf; i++) {
		if (mx_reader_open(&r, main_tb.f[i].path) < 0)
			mx_err(MX_EXIT_FAIL, "%s", main_tb.f[i].path);
		while ((n = mx_reader_read(&r, buf, sizeof buf)) > 0)
			for (off = 0; off < n; off += (size_t)w)
				if ((w = write(fd, buf + off, n - off)) < 0) {
					if (errno == EINTR) {
						w = 0;
						continue;
					}
					_exit(errno == EPIPE ? 0 : 1);
				}
		mx_reader_close(&r);
	}
	_exit(0);
}

/* DuckDB's list of the files: ['a','b'] */
static char *
sqlfiles(void)
{
	struct mx_buf b = { 0 };
	const char *c;
	size_t i;

	mx_buf_addc(&b, '[');
	for (i = 0; i < main_tb.nf; i++) {
		if (i > 0)
			mx_buf_addc(&b, ',');
		mx_buf_addc(&b, '\'');
		for (c = main_tb.f[i].path; *c != '\0'; c++) {
			if (*c == '\'')
				mx_buf_addc(&b, '\'');
			mx_buf_addc(&b, *c);
		}
		mx_buf_addc(&b, '\'');
	}
	mx_buf_addc(&b, ']');
	return (char *)mx_buf_cstr(&b);
}

static MX_NORETURN void
command(struct test *t, int in, int out)
{
	struct mx_buf b = { 0 };
	char **argv, tm[40], *list;
	size_t i;

	if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
		_exit(126);
	close(in);
	close(out);
	signal(SIGPIPE, SIG_DFL);
	mx_time_fmt(&now, tm);
	list = sqlfiles();
	if (setenv("MX_TEST_TABLE", main_tb.name, 1) < 0 ||
	    setenv("MX_TEST_NAME", t->name, 1) < 0 ||
	    setenv("MX_TEST_RUN", opt.run, 1) < 0 ||
	    setenv("MX_TEST_NOW", tm, 1) < 0 ||
	    setenv("MX_TEST_FILES_SQL", list, 1) < 0)
		_exit(126);
	/* the -T directories, as PATH lists its own */
	b.len = 0;
	for (i = 0; i < opt.ntdirs; i++)
		mx_buf_printf(&b, "%s%s", i > 0 ? ":" : "", opt.tdirs[i]);
	if (setenv("MX_TEST_TABLES", mx_buf_cstr(&b), 1) < 0)
		_exit(126);
	argv = mx_calloc(main_tb.nf + 5, sizeof *argv);
	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = t->arg;
	argv[3] = "sh";
	for (i = 0; i < main_tb.nf; i++)
		argv[4 + i] = main_tb.f[i].path;
	execv("/bin/sh", argv);
	_exit(127);
}

static void
custom_run(struct test *t)
{
	struct mx_json *j = mx_json_new(NULL);
	struct mx_buf b = { 0 };
	int in[2], out[2], st, fst;
	pid_t cmd, feeder;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;

	mx_out_flush(mx_stdout);
	if (pipe(in) < 0 || pipe(out) < 0)
		mx_err(MX_EXIT_FAIL, "pipe");
	if ((cmd = fork()) < 0)
		mx_err(MX_EXIT_FAIL, "fork");
	if (cmd == 0) {
		close(in[1]);
		close(out[0]);
		command(t, in[0], out[1]);
	}
	close(in[0]);
	close(out[1]);
	if ((feeder = fork()) < 0)
		mx_err(MX_EXIT_FAIL, "fork");
	if (feeder == 0) {
		close(out[0]);
		feed(in[1]);
	}
	close(in[1]);
	if ((fp = fdopen(out[0], "r")) == NULL)
		mx_err(MX_EXIT_FAIL, "fdopen");
	/* each line of output is a failing row: a JSON object is stored
	 * as it is, other text as {"line": ...} */
	while ((n = getline(&line, &cap, fp)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (mx_blank(line, (size_t)n))
			continue;
		t->failing++;
		if (opt.store == NULL)
			continue;
		b.len = 0;
		if (mx_json_scan(j, line, (size_t)n, NULL, 1) == 0)
			mx_buf_add(&b, line, (size_t)n);
		else {
			mx_buf_adds(&b, "{\"line\":");
			if (mx_json_name(&b, line, (size_t)n) != 0) {
				mx_buf_adds(&b, ",\"line_base64\":\"");
				mx_b64(&b, line, (size_t)n);
				mx_buf_addc(&b, '"');
			}
			mx_buf_addc(&b, '}');
		}
		store_obj(t, b.p, b.len);
	}
	if (ferror(fp))
		mx_err(MX_EXIT_FAIL, "reading the output of %s", t->name);
	fclose(fp);
	free(line);
	while (waitpid(cmd, &st, 0) < 0)
		if (errno != EINTR)
			mx_err(MX_EXIT_FAIL, "waitpid");
	while (waitpid(feeder, &fst, 0) < 0)
		if (errno != EINTR)
			mx_err(MX_EXIT_FAIL, "waitpid");
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
		t->broken = 1;
		mx_buf_printf(&t->detail, "the command exited %d",
		    WEXITSTATUS(st));
	} else if (WIFSIGNALED(st)) {
		t->broken = 1;
		mx_buf_printf(&t->detail, "the command was killed by signal "
		    "%d", WTERMSIG(st));
	} else if (!WIFEXITED(fst) || WEXITSTATUS(fst) != 0) {
		if (!(WIFSIGNALED(fst) && WTERMSIG(fst) == SIGPIPE)) {
			t->broken = 1;
			mx_buf_adds(&t->detail, "the table could not be read");
		}
	}
	t->rows = main_tb.rows;
	mx_buf_free(&b);
	mx_json_free(j);
}

/* ---- results ---- */

/* A test that reads a field no row of the table had tested nothing: it
 * is broken (a table of no rows says nothing of its fields). */
static void
unseen(struct test *t)
{
	size_t i;

	for (i = 0; i < t->nfld && main_tb.rows > 0; i++)
		if (!named.v[t->fld[i]].seen) {
			t->broken = 1;
			t->detail.len = 0;
			mx_buf_printf(&t->detail, "no row had the column '%s'",
			    named.v[t->fld[i]].path);
			return;
		}
}

static void
judge(struct test *t)
{
	t->state = S_PASS;
	if (t->broken)
		t->state = t->sev == SEV_ERROR ? S_FAIL : S_WARN;
	else if (t->sev == SEV_ERROR && cond_holds(&t->errif, t->failing,
	    t->rows))
		t->state = S_FAIL;
	else if (cond_holds(&t->warnif, t->failing, t->rows))
		t->state = S_WARN;
}

static void
print_text(const struct test *t, int width)
{
	struct mx_out *o = mx_stdout;

	if (opt.quiet && t->state == S_PASS)
		return;
	mx_out_printf(o, "%s  %s  %-*s  %ju failing of %ju rows  %.3f s",
	    statenames[t->state], main_tb.name, width, t->name, t->failing,
	    t->rows, t->seconds);
	if (t->detail.len > 0) {
		struct mx_buf b = { 0 };

		mx_buf_vis(&b, t->detail.p, t->detail.len);
		mx_out_printf(o, "  [%.*s]", (int)b.len, b.p);
		mx_buf_free(&b);
	}
	mx_out_putc(o, '\n');
}

static void
jstr(struct mx_out *o, const char *s)
{
	struct mx_buf b = { 0 };

	mx_json_name(&b, s, strlen(s));
	mx_out_write(o, b.p, b.len);
	mx_buf_free(&b);
}

static void
print_json(const struct test *t)
{
	struct mx_out *o = mx_stdout;

	mx_out_puts(o, "{\"table\":");
	jstr(o, main_tb.name);
	mx_out_puts(o, ",\"test\":");
	jstr(o, t->name);
	mx_out_printf(o, ",\"kind\":\"%s\",\"severity\":\"%s\",\"state\":"
	    "\"%s\",\"failing\":%ju,\"rows\":%ju,\"seconds\":%.3f,\"file\":",
	    kinds[t->kind].name, t->sev == SEV_ERROR ? "error" : "warn",
	    statenames[t->state], t->failing, t->rows, t->seconds);
	jstr(o, testfile);
	mx_out_printf(o, ",\"line\":%zu,\"run\":", t->line);
	jstr(o, opt.run);
	mx_out_puts(o, ",\"stored\":");
	if (t->stored != NULL)
		jstr(o, t->stored);
	else
		mx_out_puts(o, "null");
	mx_out_puts(o, ",\"detail\":");
	if (t->detail.len > 0)
		mx_out_jstr(o, t->detail.p, t->detail.len);
	else
		mx_out_puts(o, "null");
	mx_out_puts(o, "}\n");
}

/* A table's name: components that can be directories of --store. */
static void
check_table_name(const char *name)
{
	char *copy = mx_strdup(name), *c, *next;
	const char *why;

	for (c = copy; c != NULL; c = next) {
		if ((next = strchr(c, '/')) != NULL)
			*next++ = '\0';
		if ((why = badname(c)) != NULL)
			mx_errx(MX_EXIT_USAGE, "--name: '%s': %s", name, why);
	}
	free(copy);
}

static char *
default_name(const char *path)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b != NULL ? b + 1 : path;
	n = strlen(b);
	if (n > 6 && strcmp(b + n - 6, ".tests") == 0)
		n -= 6;
	return mx_strndup(b, n);
}

static void
free_table(struct table *tb)
{
	size_t i, k;

	for (i = 0; i < tb->nf; i++) {
		free(tb->f[i].path);
		mx_buf_free(&tb->f[i].jname);
		for (k = 0; k < tb->f[i].nh; k++) {
			free(tb->f[i].hk[k]);
			mx_buf_free(&tb->f[i].hv[k]);
		}
		free(tb->f[i].hk);
		free(tb->f[i].hv);
	}
	free(tb->f);
	for (i = 0; i < tb->nneed; i++) {
		free(tb->need[i].spec);
		free(tb->need[i].pi);
		mx_exprs_free(&tb->need[i].e);
		mx_keyset_free(tb->need[i].ks);
	}
	free(tb->need);
	free(tb->pc);
	mx_buf_free(&tb->pb);
	if (!tb->shared)
		mx_sel_free(tb->sel);
	free(tb->name);
}

static void
free_test(struct test *t)
{
	size_t i;

	free(t->name);
	free(t->arg);
	mx_exprs_free(&t->cols);
	for (i = 0; i < t->nin; i++)
		mx_lit_free(&t->in[i]);
	free(t->in);
	free(t->min.text);
	free(t->max.text);
	mx_keyset_free(t->ks);
	free(t->stored);
	mx_buf_free(&t->detail);
	mx_buf_free(&t->pstore);
	free(t->xp);
	mx_keyset_free(t->missing);
	free(t->fld);
}

/* The tests of the file, the options of the line read last and the
 * tables the tests name (the fuzzer's too, between its inputs). */
static void
free_tests(void)
{
	size_t i;

	for (i = 0; i < ntests; i++)
		free_test(&tests[i]);
	free(tests);
	for (i = 0; i < NOPTS; i++)
		free(lineopts.v[i]);
	memset(&lineopts, 0, sizeof lineopts);
	for (i = 0; i < nrefs; i++) {
		free_table(refs[i]);
		free(refs[i]);
	}
	free(refs);
	tests = NULL;
	ntests = 0;
	refs = NULL;
	nrefs = 0;
}

/* The rest of a run (or a merge): ends, judgements, the results. */
static int
results(double dt)
{
	double t0;
	size_t i, k, width = 0;
	int fail = 0;

	for (i = 0; i < ninmain; i++)
		inmain[i]->rows = main_tb.rows;
	for (i = 0; i < nrefs; i++)
		cache_save(refs[i]);
	for (i = 0; i < ntests; i++) {
		struct test *t = &tests[i];

		if (kinds[t->kind].row != NULL)
			t->seconds = dt / (double)nrowtests;
		if (t->to != NULL)
			t->seconds += t->to->seconds / (double)t->to->users;
		if (t->min.tb != NULL)
			t->seconds += t->min.tb->seconds /
			    (double)t->min.tb->users;
		if (t->max.tb != NULL && t->max.tb != t->min.tb)
			t->seconds += t->max.tb->seconds /
			    (double)t->max.tb->users;
		if (kinds[t->kind].end != NULL) {
			t0 = clock_now();
			kinds[t->kind].end(t);
			t->seconds += clock_now() - t0;
		}
		unseen(t);
		judge(t);
		store_close(t);
		k = strlen(t->name);
		if (k > width)
			width = k;
	}

	for (i = 0; i < ntests; i++) {
		if (opt.json)
			print_json(&tests[i]);
		else
			print_text(&tests[i], (int)width);
	}
	mx_out_close(mx_stdout);
	/* after the results, which say what passed: what failed, by line */
	for (i = 0; i < ntests; i++) {
		struct test *t = &tests[i];

		if (t->state != S_FAIL)
			continue;
		fail = 1;
		mx_warnx("%s:%zu: %s: %ju failing of %ju rows%s%.*s%s",
		    testfile, t->line, t->name, t->failing, t->rows,
		    t->detail.len > 0 ? " [" : "", (int)t->detail.len,
		    t->detail.p != NULL ? t->detail.p : "",
		    t->detail.len > 0 ? "]" : "");
	}
	return fail;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "tables", required_argument, NULL, 'T' },
		{ "name", required_argument, NULL, 'n' },
		{ "store", required_argument, NULL, 's' },
		{ "run", required_argument, NULL, 'r' },
		{ "now", required_argument, NULL, 'N' },
		{ "cache", required_argument, NULL, 'C' },
		{ "precount", required_argument, NULL, 'P' },
		{ "partial", required_argument, NULL, 'A' },
		{ "merge", no_argument, NULL, 'M' },
		MX_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct mx_buf tried = { 0 };
	const char *nowarg = NULL, *why;
	char runbuf[32];
	double t0, dt;
	size_t i, k;
	int c, fail = 0;

	mx_init(argv[0]);
	while ((c = mx_getopt(argc, argv, "qT:", longopts, NULL, synopsis)) !=
	    -1)
		switch (c) {
		case 'j':
			opt.json = 1;
			break;
		case 'q':
			opt.quiet = 1;
			break;
		case 'T':
			opt.tdirs = mx_reallocarray(opt.tdirs, opt.ntdirs + 1,
			    sizeof *opt.tdirs);
			opt.tdirs[opt.ntdirs++] = optarg;
			break;
		case 'n':
			opt.name = optarg;
			break;
		case 's':
			opt.store = optarg;
			break;
		case 'r':
			opt.run = optarg;
			break;
		case 'N':
			nowarg = optarg;
			break;
		case 'C':
			opt.cache = optarg;
			break;
		case 'P':
			opt.pre = mx_reallocarray(opt.pre, opt.npre + 1,
			    sizeof *opt.pre);
			opt.pre[opt.npre++] = optarg;
			break;
		case 'A':
			opt.partial = optarg;
			break;
		case 'M':
			mode = M_MERGE;
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		mx_warnx("no test file");
		usage();
	}
	if (opt.partial != NULL) {
		/* a part is judged only with the others: nothing to say,
		 * store or cache of it */
		if (mode == M_MERGE || opt.store != NULL || opt.cache != NULL ||
		    opt.json || opt.quiet) {
			mx_warnx("--partial: with --merge, --store, --cache, "
			    "--json or -q");
			usage();
		}
		mode = M_PARTIAL;
	}
	if (mode == M_MERGE && argc < 2) {
		mx_warnx("--merge: no partial");
		usage();
	}
	if (opt.npre > 0 && opt.cache == NULL && mode != M_PARTIAL) {
		mx_warnx("--precount: counts are kept in --cache, which is not "
		    "given");
		usage();
	}
	testfile = argv[0];
	if (nowarg != NULL) {
		if (mx_time_parse(nowarg, strlen(nowarg), &now) < 0) {
			mx_warnx("--now: '%s' is not a time", nowarg);
			usage();
		}
	} else
		now = mx_time_now();
	if (opt.run == NULL) {
		/* the lake's form of a run id: 20240313T000000Z */
		int y, mo, d, h, mi, s;

		mx_time_civil(now.sec, &y, &mo, &d, &h, &mi, &s);
		snprintf(runbuf, sizeof runbuf, "%04d%02d%02dT%02d%02d%02dZ",
		    y, mo, d, h, mi, s);
		opt.run = runbuf;
	} else if ((why = badname(opt.run)) != NULL) {
		mx_warnx("--run: '%s': %s", opt.run, why);
		usage();
	}
	main_tb.name = opt.name != NULL ? mx_strdup(opt.name) :
	    default_name(testfile);
	check_table_name(main_tb.name);
	main_tb.sel = mx_sel_new();
	/* quotients as mx-calc writes them by default, so that a test of
	 * x == a / b holds of the x it computed */
	calc = mx_calc_new(main_tb.sel, 6);
	mx_calc_set_now(calc, &now);
	if (mode == M_MERGE) {
		/* the table is the files of the partials, in their order */
		nparts = (size_t)argc - 1;
		parts = mx_calloc(nparts, sizeof *parts);
		for (i = 0; i < nparts; i++)
			partial_read(&parts[i], argv[i + 1]);
	} else if (argc > 1) {
		for (i = 1; i < (size_t)argc; i++)
			if (add_path(&main_tb, argv[i]) < 0)
				mx_err(MX_EXIT_FAIL, "%s", argv[i]);
	} else if (opt.ntdirs > 0) {
		if (resolve(&main_tb, main_tb.name, &tried) < 0)
			mx_errx(MX_EXIT_FAIL, "%s: no such table (tried %s)",
			    main_tb.name, tried.p);
	} else
		add_path(&main_tb, "-");
	mx_buf_free(&tried);
	if (mode == M_PARTIAL && main_tb.isstdin)
		mx_errx(MX_EXIT_USAGE, "--partial: the table in files, not "
		    "standard input (a merge reads rows back)");
	table_id(&main_tb);

	load(testfile);
	if (ntests == 0)
		mx_errx(MX_EXIT_USAGE, "%s: no tests", testfile);
	for (i = 0; i < ntests && mode == M_PARTIAL; i++)
		if (!kinds[tests[i].kind].partial)
			mx_errx(MX_EXIT_USAGE, "%s:%zu: %s: a %s test is not "
			    "incremental (--partial): test the whole table",
			    testfile, tests[i].line, tests[i].name,
			    kinds[tests[i].kind].name);
	if (mode == M_MERGE)
		partials_check();
	for (i = 0; i < opt.npre; i++)
		precount(opt.pre[i]);
	if (opt.cache != NULL && mkdir(opt.cache, 0777) < 0 &&
	    errno != EEXIST)
		mx_err(MX_EXIT_FAIL, "--cache: %s", opt.cache);
	mx_out_stdout();

	/* the tables that relationships and row counts read: one pass
	 * each, for every key asked of them, but for those the cache
	 * knows, and those the pass over the table under test counts
	 * (the same files, no key to look up before it) */
	for (i = 0; i < nrefs; i++) {
		struct table *tb = refs[i];

		/* a part reads no other table: the merge does */
		if (mode == M_PARTIAL) {
			if (tb->shared) {
				inmain = mx_reallocarray(inmain, ninmain + 1,
				    sizeof *inmain);
				inmain[ninmain++] = tb;
			}
			continue;
		}
		cache_load(tb);
		if (tb->cached)
			continue;
		for (k = 0; k < tb->nneed && !tb->need[k].lookup; k++)
			;
		if (mode == M_MERGE && tb->shared && k == tb->nneed &&
		    merge_counts(tb) == 0)
			continue;
		if (tb->shared && k == tb->nneed && mode == M_RUN) {
			inmain = mx_reallocarray(inmain, ninmain + 1,
			    sizeof *inmain);
			inmain[ninmain++] = tb;
			continue;
		}
		t0 = clock_now();
		pass(tb, ref_row, tb);
		tb->seconds = clock_now() - t0;
	}
	for (i = 0; i < ntests; i++) {
		struct test *t = &tests[i];

		if (t->to != NULL)
			t->to->users++;
		if (t->min.tb != NULL)
			t->min.tb->users++;
		if (t->max.tb != NULL && t->max.tb != t->min.tb)
			t->max.tb->users++;
		if (kinds[t->kind].row != NULL) {
			rowtests = mx_reallocarray(rowtests, nrowtests + 1,
			    sizeof *rowtests);
			rowtests[nrowtests++] = t;
		}
	}

	/* every row-level test in one pass, or from the partials */
	t0 = clock_now();
	if (mode == M_MERGE)
		merge_tests();
	else
		pass(&main_tb, main_row, NULL);
	dt = clock_now() - t0;
	if (mode == M_PARTIAL)
		partial_write(opt.partial);
	else
		fail = results(dt);

	free_tests();
	free(rowtests);
	free(inmain);
	free(opt.pre);
	for (i = 0; i < nparts; i++) {
		for (k = 0; k < parts[i].nneed; k++)
			free(parts[i].need[k].spec);
		free(parts[i].need);
		free(parts[i].seen);
		free(parts[i].t);
		free(parts[i].ix);
	}
	free(parts);
	mx_calc_free(calc);
	mx_seen_free(&named);
	free_table(&main_tb);
	free(opt.tdirs);
	mx_buf_free(&kb);
	return fail ? MX_EXIT_FAIL : MX_EXIT_OK;
}
