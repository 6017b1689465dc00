/*
 * mx-calc: computed fields per record, in exact decimals (Miller's put,
 * with money that adds up).
 *
 * The expressions (lib/calc.c) are compiled once; their fields, the
 * names they compute (to find a record that has one already) and the
 * names of --keep are one selection, so each record is scanned once,
 * without a tree, and written as its own bytes with the computed fields
 * appended, as mx-join appends.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "mx.h"
#include "calc.h"

static struct {
	const char	*keep;
	int		 scale, verbose;
} opt = { .scale = 6 };

static struct {
	uintmax_t	in, out, rejected, filtered, blank;
} st;

static struct mx_calc	*calc;
static struct mx_calc	*where;		/* the -w conditions, over the input */
static size_t		 nwhere;
static struct mx_sel	*sel;
static int		*namesel;	/* per computed field: its name's index */
static char		**keep;		/* --keep names */
static int		*keepsel;
static int		*keepcalc;	/* the computed field it is, or -1 */
static size_t		 nkeep;
static int		 rejsel;
static struct mx_out	*out, *rej;
static struct mx_seen	 named;		/* the fields the options name */

static const char synopsis[] =
	    "usage: mx-calc [-e name=expr ...] [-w cond ...] [--keep f1,f2,...]\n"
	    "               [--scale n] [--rejects file] [--stats file] "
	    "[--strict] [-v]\n"
	    "               [--max-record size] [--max-depth n] [file ...]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

/* Select the top-level field name (its dots and backslashes escaped, so
 * that it is no path); returns its index. */
static int
select_name(const char *name)
{
	struct mx_buf path = { 0 };
	const char *p;
	int i;

	for (p = name; *p; p++) {
		if (*p == '.' || *p == '\\')
			mx_buf_addc(&path, '\\');
		mx_buf_addc(&path, *p);
	}
	i = mx_sel_add(sel, mx_buf_cstr(&path));
	mx_buf_free(&path);
	if (i < 0) {
		mx_warnx("'%s' cannot be a field name", name);
		usage();
	}
	return i;
}

static void
parse_keep(const char *spec)
{
	char *copy = mx_strdup(spec), *item, *next;
	size_t i, k;

	for (item = copy; item != NULL; item = next) {
		if ((next = strchr(item, ',')) != NULL)
			*next++ = '\0';
		if (*item == '\0') {
			mx_warnx("--keep: an empty field name");
			usage();
		}
		for (i = 0; i < nkeep; i++)
			if (strcmp(keep[i], item) == 0) {
				mx_warnx("--keep: %s named twice", item);
				usage();
			}
		keep = mx_reallocarray(keep, nkeep + 1, sizeof *keep);
		keepsel = mx_reallocarray(keepsel, nkeep + 1, sizeof *keepsel);
		keepcalc = mx_reallocarray(keepcalc, nkeep + 1,
		    sizeof *keepcalc);
		keep[nkeep] = mx_strdup(item);
		keepsel[nkeep] = select_name(item);
		keepcalc[nkeep] = -1;
		/* the last field computed under the name is the one kept */
		for (k = 0; k < mx_calc_count(calc); k++)
			if (strcmp(mx_calc_name(calc, k), item) == 0)
				keepcalc[nkeep] = (int)k;
		nkeep++;
	}
	free(copy);
}

/* The fields that the items of c read, named by opt. */
static void
name_calc(const struct mx_calc *c, const char *opt)
{
	const char **paths;
	int *f;
	size_t i, k, n;

	for (i = 0; i < mx_calc_count(c); i++) {
		n = mx_calc_fields(c, i, &f, &paths);
		for (k = 0; k < n; k++)
			(void)mx_seen_add(&named, opt, paths[k], f[k]);
		free(f);
		free(paths);
	}
}

/* The fields that -e, -w and --keep read, for the warning of those no
 * record had (a misspelt name is otherwise a column of nulls). */
static void
name_fields(void)
{
	size_t i;

	name_calc(calc, "-e");
	name_calc(where, "-w");
	for (i = 0; i < nkeep; i++)
		if (keepcalc[i] < 0)
			(void)mx_seen_add(&named, "--keep", keep[i],
			    keepsel[i]);
}

static void
reject(const struct mx_rec *in, const char *rule, const char *field,
    const char *why)
{
	st.rejected++;
	if (rej == NULL) {
		if (field != NULL)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: %s: %s",
			    mx_name(in->file), in->line, field, why);
		mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(in->file),
		    in->line, why);
	}
	mx_reject_rec(rej, "mx-calc", in, rule, field, why);
}

/* Is the decoded member name key one of the computed fields? */
static int
computed(const struct mx_span *key, struct mx_buf *dec)
{
	size_t i, n = mx_calc_count(calc);

	dec->len = 0;
	mx_json_unescape(key, dec);
	for (i = 0; i < n; i++)
		if (strlen(mx_calc_name(calc, i)) == dec->len &&
		    memcmp(mx_calc_name(calc, i), dec->p, dec->len) == 0)
			return 1;
	return 0;
}

/* The record with the computed fields appended; a field it has under a
 * computed name is dropped, its new value appended. */
static void
write_rec(const char *line, size_t n, const struct mx_span *sp,
    const struct mx_span *vals)
{
	static struct mx_member *m;
	static struct mx_buf dec;
	static size_t mcap;
	struct mx_objw w;
	size_t i, k, nm, nc = mx_calc_count(calc);
	int has = 0, last;

	for (i = 0; i < nc && !has; i++)
		has = sp[namesel[i]].kind != MX_JNONE;
	if (!has)
		mx_out_obj_open(&w, out, line, n);
	else {
		mx_out_obj_new(&w, out);
		nm = mx_json_members(line, n, &m, &mcap);
		for (i = 0; i < nm; i++) {
			if (computed(&m[i].key, &dec))
				continue;
			if (!w.empty)
				mx_out_putc(out, ',');
			w.empty = 0;
			mx_out_write(out, m[i].key.p, m[i].key.n);
			mx_out_putc(out, ':');
			mx_out_write(out, m[i].val.p, m[i].val.n);
		}
	}
	for (i = 0; i < nc; i++) {
		/* a name computed twice is written once, last value */
		last = 1;
		for (k = i + 1; k < nc; k++)
			if (strcmp(mx_calc_name(calc, k),
			    mx_calc_name(calc, i)) == 0)
				last = 0;
		if (!last)
			continue;
		mx_out_key(&w, mx_calc_name(calc, i));
		mx_out_write(out, vals[i].p, vals[i].n);
	}
	mx_out_obj_close(&w);
}

/* --keep: those fields only, in that order, null for one missing. */
static void
write_keep(const struct mx_span *sp, const struct mx_span *vals)
{
	struct mx_objw w;
	const struct mx_span *v;
	size_t i;

	mx_out_obj_new(&w, out);
	for (i = 0; i < nkeep; i++) {
		mx_out_key(&w, keep[i]);
		v = keepcalc[i] >= 0 ? &vals[keepcalc[i]] : &sp[keepsel[i]];
		if (v->kind == MX_JNONE)
			mx_out_write(out, "null", 4);
		else
			mx_out_write(out, v->p, v->n);
	}
	mx_out_obj_close(&w);
}

static void
read_file(const char *path, struct mx_json *scan, struct mx_span *sp)
{
	struct mx_reader r;
	struct mx_rec in;
	const struct mx_span *vals;
	const char *line, *why;
	size_t failed, i;
	ssize_t n;
	int t = 0;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_FAIL, "%s", mx_name(path));
	in.file = path;
	while ((n = mx_reader_line(&r, &line)) >= 0) {
		in.line = r.lineno;
		in.p = line;
		in.n = (size_t)n;
		in.whole = 0;
		if (mx_blank(line, (size_t)n)) {
			st.blank++;
			continue;
		}
		st.in++;
		if (mx_json_scan(scan, line, (size_t)n, sp, 1) < 0) {
			reject(&in, "json", NULL, mx_json_errstr(scan));
			continue;
		}
		mx_seen_spans(&named, sp);
		in.whole = sp[rejsel].kind == MX_JNONE;
		for (i = 0; i < nwhere; i++)
			if ((t = mx_calc_test(where, i, sp, &why)) != 1)
				break;
		if (i < nwhere && t == -2) {
			reject(&in, "where", NULL, why);
			continue;
		}
		if (i < nwhere) {
			st.filtered++;
			continue;
		}
		if (mx_calc_run(calc, sp, &vals, &failed, &why) < 0) {
			reject(&in, "calc", mx_calc_name(calc, failed), why);
			continue;
		}
		if (nkeep > 0)
			write_keep(sp, vals);
		else
			write_rec(line, (size_t)n, sp, vals);
		st.out++;
	}
	mx_reader_close(&r);
}

static void
write_stats(void)
{
	struct mx_out *s = mx_out_open(mx_opt_stats);

	mx_out_printf(s, "{\"tool\":\"mx-calc\",\"in\":%ju,\"out\":%ju,"
	    "\"rejected\":%ju,\"filtered\":%ju,\"blank\":%ju}\n", st.in,
	    st.out, st.rejected, st.filtered, st.blank);
	mx_out_close(s);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "expr", required_argument, NULL, 'e' },
		{ "keep", required_argument, NULL, 'K' },
		{ "where", required_argument, NULL, 'w' },
		{ "scale", required_argument, NULL, 'S' },
		MX_REJECTS_LONGOPT,
		MX_STATS_LONGOPT,
		MX_STRICT_LONGOPT,
		{ "verbose", no_argument, NULL, 'v' },
		MX_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct mx_json *scan;
	struct mx_span *sp;
	const char **exprs = NULL, **conds = NULL;
	size_t nexpr = 0, ncond = 0, i;
	char err[256];
	long long v;
	int c, k;

	mx_init(argv[0]);
	while ((c = mx_getopt(argc, argv, "e:vw:", longopts, NULL,
	    synopsis)) != -1) {
		switch (c) {
		case 'e':
			exprs = mx_reallocarray(exprs, nexpr + 1,
			    sizeof *exprs);
			exprs[nexpr++] = optarg;
			break;
		case 'K':
			opt.keep = optarg;
			break;
		case 'w':
			conds = mx_reallocarray(conds, ncond + 1,
			    sizeof *conds);
			conds[ncond++] = optarg;
			break;
		case 'S':
			if ((v = mx_parse_count(optarg)) < 0 ||
			    v > MX_DEC_MAXSCALE) {
				mx_warnx("--scale: '%s' is not a number of "
				    "places 0..18", optarg);
				usage();
			}
			opt.scale = (int)v;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (nexpr == 0 && ncond == 0 && opt.keep == NULL) {
		mx_warnx("nothing to do: no -e name=expr, no -w, no --keep");
		usage();
	}
	sel = mx_sel_new();
	calc = mx_calc_new(sel, opt.scale);
	for (i = 0; i < nexpr; i++)
		if (mx_calc_add(calc, exprs[i], err, sizeof err) < 0) {
			/* cut short, so that the message after it shows */
			if (strlen(exprs[i]) > 72)
				mx_warnx("-e '%.69s...': %s", exprs[i], err);
			else
				mx_warnx("-e '%s': %s", exprs[i], err);
			usage();
		}
	/* conditions read the input record: their own program */
	where = mx_calc_new(sel, opt.scale);
	for (nwhere = 0; nwhere < ncond; nwhere++)
		if (mx_calc_add_cond(where, conds[nwhere], err,
		    sizeof err) < 0) {
			if (strlen(conds[nwhere]) > 72)
				mx_warnx("-w '%.69s...': %s", conds[nwhere],
				    err);
			else
				mx_warnx("-w '%s': %s", conds[nwhere], err);
			usage();
		}
	namesel = mx_calloc(nexpr, sizeof *namesel);
	for (i = 0; i < nexpr; i++)
		namesel[i] = select_name(mx_calc_name(calc, i));
	if (opt.keep != NULL)
		parse_keep(opt.keep);
	name_fields();
	rejsel = mx_sel_add(sel, "_reject");

	out = mx_out_stdout();
	if (mx_opt_rejects != NULL)
		rej = mx_out_open(mx_opt_rejects);
	scan = mx_json_new(sel);
	sp = mx_calloc((size_t)mx_sel_count(sel), sizeof *sp);
	if (argc == 0)
		read_file("-", scan, sp);
	for (k = 0; k < argc; k++)
		read_file(argv[k], scan, sp);

	if (mx_seen_report(&named, mx_opt_strict) > 0 && mx_opt_strict) {
		/* the records are out; the files are not published */
		if (rej != NULL)
			mx_out_abort(rej);
		mx_out_close(out);
		exit(MX_EXIT_FAIL);
	}
	mx_out_close(rej);
	if (mx_opt_stats != NULL)
		write_stats();
	mx_out_close(out);
	if (opt.verbose)
		mx_warnx("%ju in, %ju out, %ju rejected, %ju filtered, %ju "
		    "blank", st.in, st.out, st.rejected, st.filtered,
		    st.blank);

	mx_json_free(scan);
	free(sp);
	mx_calc_free(calc);
	mx_calc_free(where);
	mx_sel_free(sel);
	free(namesel);
	for (i = 0; i < nkeep; i++)
		free(keep[i]);
	free(keep);
	free(keepsel);
	free(keepcalc);
	free(exprs);
	free(conds);
	mx_seen_free(&named);
	return MX_EXIT_OK;
}
