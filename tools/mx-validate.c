/*
 * mx-validate: a data contract between bronze and silver.
 *
 * Each record is scanned once for every path the contract reads; each
 * field is cast and checked on its span.  Valid records are written
 * projected to the contract's fields (plus the input's "_" metadata);
 * invalid ones go whole to the rejects file with every rule they failed,
 * or, with --mark, every record goes out with is_valid_record and _errors.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mx.h"

static struct {
	const char	*contract;
	int		 mark;
	int		 keep;
	int		 verbose;
	long long	 maxrej;	/* -1: no limit */
	double		 maxrate;	/* < 0: no limit */
} opt = { NULL, 0, 0, 0, -1, -1 };

struct counts {
	uintmax_t	in, valid, rejected, blank;
};

/* A top-level member of a record: key and value, JSON text. */
struct member {
	const char	*k, *v;
	size_t		 kn, vn;
	int		 meta;		/* the key begins with '_' */
};

static struct mx_out		*out, *rej;
static struct mx_contract	*con;
static struct mx_json		*scan;
static struct mx_span		*spans;
static int			 rejsel;	/* the selection's "_reject" */
static int			 srcsel, linesel;	/* "_source", "_line" */
static size_t			 nf;
static struct mx_buf		*keys;		/* "name": with its comma */
static struct mx_buf		*qnames;	/* "name" */
static uintmax_t		(*failed)[MX_CR_NRULES];
static uintmax_t		 badjson;
static struct counts		 total, file;
static const char		*fname;
static struct member		*mem;
static size_t			 nmem, capmem;
static struct mx_buf		 tmp;
/* The contract's paths no record had: a required one is said (every
 * record was rejected for it, or took its default: a typo, most likely),
 * an optional one only with -v (a batch may well lack it: reschedules,
 * old payloads); --strict makes either an error. */
static struct mx_seen		 need, may;

static const char synopsis[] =
	    "usage: mx-validate -c contract [-kv] [--mark] [--strict]\n"
	    "                   [--rejects file] [--stats file] [--max-rejects n]\n"
	    "                   [--max-reject-rate r] [--max-record size]\n"
	    "                   [--max-depth n] [file ...]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

/* ---- the members of a record ---- */

/* The members of the record the scanner last accepted (it kept them as
 * it went: a second walk of the record was a tenth of the time). */
static void
members(void)
{
	const struct mx_member *jm;
	size_t i;

	jm = mx_json_last_members(scan, &nmem);
	if (nmem > capmem) {
		capmem = 2 * nmem;
		mem = mx_reallocarray(mem, capmem, sizeof *mem);
	}
	for (i = 0; i < nmem; i++) {
		struct member *m = &mem[i];

		m->k = jm[i].key.p;
		m->kn = jm[i].key.n;
		m->v = jm[i].val.p;
		m->vn = jm[i].val.n;
		if (jm[i].key.esc) {
			tmp.len = 0;
			mx_json_unescape(&jm[i].key, &tmp);
			m->meta = tmp.len > 0 && tmp.p[0] == '_';
		} else
			m->meta = m->k[1] == '_';
	}
}

/* Could the record have a key beginning with '_' ("_ in its text, or an
 * escape)?  A quick test before splitting it into members. */
static int
maybe_meta(const char *p, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	const __m128i q = _mm_set1_epi8('"'), u = _mm_set1_epi8('_');
	const __m128i b = _mm_set1_epi8('\\');

	for (; i + 17 <= n; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(p + i));
		__m128i y = _mm_loadu_si128((const __m128i *)(p + i + 1));

		if (_mm_movemask_epi8(_mm_or_si128(_mm_and_si128(
		    _mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(y, u)),
		    _mm_cmpeq_epi8(x, b))) != 0)
			return 1;
	}
#endif
	for (; i + 1 < n; i++)
		if ((p[i] == '"' && p[i + 1] == '_') || p[i] == '\\')
			return 1;
	return 0;
}

/* Is member m the key word (unescaped)? */
static int
keyis(const struct member *m, const char *word)
{
	struct mx_span sp = { m->k, (uint32_t)m->kn, MX_JSTR, 1 };
	size_t n = strlen(word);

	if (memchr(m->k, '\\', m->kn) == NULL)
		return m->kn == n + 2 && memcmp(m->k + 1, word, n) == 0;
	tmp.len = 0;
	mx_json_unescape(&sp, &tmp);
	return tmp.len == n && memcmp(tmp.p, word, n) == 0;
}

/* ---- output ---- */

static void
put_member(struct mx_out *o, const struct member *m)
{
	mx_out_putc(o, ',');
	mx_out_write(o, m->k, m->kn);
	mx_out_putc(o, ':');
	mx_out_write(o, m->v, m->vn);
}

/* A line that is not JSON fails this rule, of no field. */
#define RULE_JSON	MX_CR_NRULES

static void
put_errors(struct mx_out *o, const struct mx_cfail *x, size_t n)
{
	size_t i;

	mx_out_putc(o, '[');
	for (i = 0; i < n; i++) {
		if (i)
			mx_out_putc(o, ',');
		mx_out_puts(o, "{\"rule\":\"");
		if (x[i].rule == RULE_JSON)
			mx_out_puts(o, "json\",\"field\":null");
		else {
			mx_out_puts(o, mx_crule_names[x[i].rule]);
			mx_out_puts(o, "\",\"field\":");
			mx_out_write(o, qnames[x[i].field].p,
			    qnames[x[i].field].len);
		}
		mx_out_puts(o, ",\"value\":");
		if (x[i].value.kind == MX_JNONE)
			mx_out_puts(o, "null");
		else
			mx_out_write(o, x[i].value.p, x[i].value.n);
		mx_out_puts(o, ",\"message\":");
		mx_out_jstr(o, x[i].msg, strlen(x[i].msg));
		mx_out_putc(o, '}');
	}
	mx_out_putc(o, ']');
}

/*
 * A record as the contract shapes it: its fields in the contract's order,
 * with --keep the input's other fields, with --mark is_valid_record, then
 * the input's metadata, then (--mark) _errors.  vals is NULL for a line
 * that is not JSON (every field null).
 */
static void
project(const char *rec, size_t n, const struct mx_cval *vals,
    const struct mx_cfail *x, size_t nx)
{
	size_t i;

	mx_out_putc(out, '{');
	for (i = 0; i < nf; i++) {
		mx_out_write(out, keys[i].p, keys[i].len);
		if (vals == NULL) {
			mx_out_write(out, "null", 4);
			continue;
		}
		if (vals[i].quote)
			mx_out_putc(out, '"');
		mx_out_write(out, vals[i].p, vals[i].n);
		if (vals[i].quote)
			mx_out_putc(out, '"');
	}
	nmem = 0;
	if (vals != NULL && (opt.keep || maybe_meta(rec, n)))
		members();
	if (opt.keep)
		for (i = 0; i < nmem; i++) {
			const struct member *m = &mem[i];
			struct mx_span sp = { m->k, (uint32_t)m->kn, MX_JSTR,
			    1 };

			if (m->meta || (opt.mark && keyis(m, "is_valid_record")))
				continue;
			tmp.len = 0;
			mx_json_unescape(&sp, &tmp);
			if (!mx_contract_names(con, tmp.p, tmp.len))
				put_member(out, m);
		}
	if (opt.mark)
		mx_out_puts(out, nx == 0 ? ",\"is_valid_record\":true" :
		    ",\"is_valid_record\":false");
	for (i = 0; i < nmem; i++)
		if (mem[i].meta && !keyis(&mem[i], "_reject") &&
		    !(opt.mark && keyis(&mem[i], "_errors")))
			put_member(out, &mem[i]);
	if (vals == NULL) {
		struct mx_objw w = { out, 0 };

		mx_reject_raw(&w, rec, n);
	}
	if (opt.mark) {
		mx_out_puts(out, ",\"_errors\":");
		put_errors(out, x, nx);
	}
	mx_out_write(out, "}\n", 2);
}

/* "field: message; field: message" (the reason of a reject). */
static void
reasons(struct mx_buf *b, const struct mx_cfail *x, size_t nx)
{
	size_t i;

	b->len = 0;
	for (i = 0; i < nx; i++) {
		if (i)
			mx_buf_adds(b, "; ");
		if (x[i].rule != RULE_JSON) {
			mx_buf_adds(b, mx_contract_name(con, x[i].field));
			mx_buf_adds(b, ": ");
		}
		mx_buf_adds(b, x[i].msg);
	}
}

/*
 * Where the record came from, when it says so: the _source (a string) and
 * _line (a whole number) that mx-ingest appended.  In a lake mx-validate
 * reads bronze through a pipe, and "<stdin>:1" would send whoever reads
 * the rejects nowhere.  Returns 0 when the record has no such provenance.
 */
static int
provenance(const struct mx_span **src, const struct mx_span **line)
{
	const struct mx_span *s = &spans[srcsel], *l = &spans[linesel];
	uint32_t i;

	if (s->kind != MX_JSTR || l->kind != MX_JNUM || l->n > 20)
		return 0;
	for (i = 0; i < l->n; i++)
		if (l->p[i] < '0' || l->p[i] > '9')
			return 0;
	*src = s;
	*line = l;
	return 1;
}

/* The record whole, its old _reject (if any) replaced by ours; a line
 * that is not JSON as _raw.  file and line are the record's provenance
 * when it has one, input_file and input_line then where it was read. */
static void
reject(const char *rec, size_t n, uintmax_t line, const struct mx_cfail *x,
    size_t nx)
{
	const struct mx_span *src = NULL, *sline = NULL;
	struct mx_objw w;
	size_t i;

	if (x[0].rule == RULE_JSON)
		mx_out_puts(rej, "{\"_reject\":");
	else if (spans[rejsel].kind != MX_JNONE) {
		members();
		mx_out_putc(rej, '{');
		for (i = 0; i < nmem; i++)
			if (!keyis(&mem[i], "_reject")) {
				mx_out_write(rej, mem[i].k, mem[i].kn);
				mx_out_putc(rej, ':');
				mx_out_write(rej, mem[i].v, mem[i].vn);
				mx_out_putc(rej, ',');
			}
		mx_out_puts(rej, "\"_reject\":");
	} else {
		mx_out_obj_open(&w, rej, rec, n);
		mx_out_key(&w, "_reject");
	}
	mx_out_puts(rej, "{\"tool\":\"mx-validate\",\"file\":");
	if (x[0].rule != RULE_JSON && provenance(&src, &sline)) {
		mx_out_write(rej, src->p, src->n);
		mx_out_puts(rej, ",\"line\":");
		mx_out_write(rej, sline->p, sline->n);
		mx_out_puts(rej, ",\"input_file\":");
	}
	mx_out_jstr(rej, mx_name(fname), strlen(mx_name(fname)));
	mx_out_puts(rej, x[0].rule != RULE_JSON && src != NULL ?
	    ",\"input_line\":" : ",\"line\":");
	mx_out_uint(rej, line);
	mx_out_puts(rej, ",\"rule\":\"");
	mx_out_puts(rej, x[0].rule == RULE_JSON ? "json" :
	    mx_crule_names[x[0].rule]);
	mx_out_puts(rej, "\",\"reason\":");
	reasons(&tmp, x, nx);
	mx_out_jstr(rej, tmp.p, tmp.len);
	mx_out_puts(rej, ",\"errors\":");
	put_errors(rej, x, nx);
	mx_out_putc(rej, '}');
	if (x[0].rule == RULE_JSON) {
		struct mx_objw w = { rej, 0 };

		mx_reject_raw(&w, rec, n);
	}
	mx_out_write(rej, "}\n", 2);
}

/* Without --rejects or --mark the first bad record ends the run. */
static MX_NORETURN void
stop(uintmax_t line, const struct mx_cfail *x, size_t nx)
{
	const struct mx_span *src, *sline;
	struct mx_buf b = { 0 };
	size_t i, k;

	for (i = 0; i < nx; i++) {
		const struct mx_span *v = &x[i].value;

		if (i)
			mx_buf_adds(&b, "; ");
		mx_buf_adds(&b, mx_contract_name(con, x[i].field));
		mx_buf_adds(&b, ": ");
		if (v->kind != MX_JNONE && v->kind != MX_JNULL) {
			/* the value, cut at a character boundary */
			for (k = v->n > 60 ? 60 : v->n; k < v->n &&
			    ((unsigned char)v->p[k] & 0xc0) == 0x80; k--)
				;
			mx_buf_add(&b, v->p, k);
			if (k < v->n)
				mx_buf_adds(&b, "...");
			mx_buf_adds(&b, ": ");
		}
		mx_buf_adds(&b, x[i].msg);
	}
	if (provenance(&src, &sline)) {
		/* a file name can hold anything; the terminal gets escapes */
		tmp.len = 0;
		mx_json_unescape(src, &tmp);
		mx_buf_adds(&b, " (from ");
		mx_buf_vis(&b, tmp.p, tmp.len);
		mx_buf_printf(&b, ":%.*s)", (int)sline->n, sline->p);
	}
	mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(fname), line,
	    mx_buf_cstr(&b));
}

static void
record(const char *rec, size_t n, uintmax_t line)
{
	const struct mx_cval *vals;
	const struct mx_cfail *x;
	size_t nx, i;

	file.in++;
	if (mx_json_scan(scan, rec, n, spans, 1) < 0) {
		/* (not a record: it says nothing of the paths) */
		struct mx_cfail j;

		memset(&j, 0, sizeof j);
		j.rule = RULE_JSON;
		snprintf(j.msg, sizeof j.msg, "%s", mx_json_errstr(scan));
		file.rejected++;
		badjson++;
		if (opt.mark)
			project(rec, n, NULL, &j, 1);
		if (rej != NULL)
			reject(rec, n, line, &j, 1);
		else if (!opt.mark)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(fname),
			    line, j.msg);
		return;
	}
	mx_seen_spans(&need, spans);
	mx_seen_spans(&may, spans);
	nx = mx_contract_check(con, spans, &vals, &x);
	if (nx == 0) {
		file.valid++;
		project(rec, n, vals, x, 0);
		return;
	}
	file.rejected++;
	for (i = 0; i < nx; i++)
		failed[x[i].field][x[i].rule]++;
	if (opt.mark)
		project(rec, n, vals, x, nx);
	if (rej != NULL)
		reject(rec, n, line, x, nx);
	else if (!opt.mark)
		stop(line, x, nx);
}

static void
validate(const char *path)
{
	struct mx_reader r;
	const char *line;
	ssize_t n;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_FAIL, "%s", path);
	fname = path;
	memset(&file, 0, sizeof file);
	while ((n = mx_reader_line(&r, &line)) >= 0) {
		if (mx_blank(line, (size_t)n)) {
			file.blank++;
			continue;
		}
		record(line, (size_t)n, r.lineno);
	}
	mx_reader_close(&r);
	if (opt.verbose)
		mx_warnx("%s: %ju in, %ju valid, %ju rejected", mx_name(path),
		    file.in, file.valid, file.rejected);
	total.in += file.in;
	total.valid += file.valid;
	total.rejected += file.rejected;
	total.blank += file.blank;
}

/* Every rule of the contract with the number of records that failed it. */
static void
write_stats(int nfiles)
{
	struct mx_out *s = mx_out_open(mx_opt_stats);
	size_t i;
	int k;

	mx_out_puts(s, "{\"tool\":\"mx-validate\",\"contract\":");
	mx_out_jstr(s, opt.contract, strlen(opt.contract));
	mx_out_printf(s, ",\"files\":%d,\"in\":%ju,\"valid\":%ju,"
	    "\"rejected\":%ju,\"blank\":%ju}\n", nfiles, total.in, total.valid,
	    total.rejected, total.blank);
	mx_out_printf(s, "{\"field\":null,\"rule\":\"json\",\"failed\":%ju}\n",
	    badjson);
	for (i = 0; i < nf; i++)
		for (k = 0; k < MX_CR_NRULES; k++)
			if (mx_contract_rules(con, i) & 1u << k) {
				mx_out_puts(s, "{\"field\":");
				mx_out_write(s, qnames[i].p, qnames[i].len);
				mx_out_printf(s, ",\"rule\":\"%s\",\"failed\":"
				    "%ju}\n", mx_crule_names[k], failed[i][k]);
			}
	for (i = 0; i < nf; i++) {
		const struct mx_cunmapped *u;
		uintmax_t other;
		size_t j, nu;

		u = mx_contract_unmapped(con, i, &nu, &other);
		for (j = 0; j < nu; j++) {
			mx_out_puts(s, "{\"field\":");
			mx_out_write(s, qnames[i].p, qnames[i].len);
			mx_out_puts(s, ",\"rule\":\"map\",\"unmapped\":");
			mx_out_jstr(s, u[j].value, u[j].len);
			mx_out_printf(s, ",\"records\":%ju}\n", u[j].records);
		}
		if (other > 0) {
			mx_out_puts(s, "{\"field\":");
			mx_out_write(s, qnames[i].p, qnames[i].len);
			mx_out_printf(s, ",\"rule\":\"map\",\"unmapped\":null,"
			    "\"records\":%ju}\n", other);
		}
	}
	mx_out_close(s);
}

static void
print_counts(void)
{
	size_t i;
	int k;

	if (badjson > 0)
		mx_warnx("json: %ju failed", badjson);
	for (i = 0; i < nf; i++) {
		const struct mx_cunmapped *u;
		uintmax_t other;
		size_t j, nu;

		for (k = 0; k < MX_CR_NRULES; k++)
			if (failed[i][k] > 0)
				mx_warnx("%s: %s: %ju failed",
				    mx_contract_name(con, i), mx_crule_names[k],
				    failed[i][k]);
		u = mx_contract_unmapped(con, i, &nu, &other);
		for (j = 0; j < nu; j++)
			mx_warnx("%s: map: \"%.*s\" not mapped (%ju records)",
			    mx_contract_name(con, i), (int)u[j].len,
			    u[j].value, u[j].records);
		if (other > 0)
			mx_warnx("%s: map: %ju records of other values not "
			    "mapped", mx_contract_name(con, i), other);
	}
}

static void
load(const char *path, struct mx_sel *sel)
{
	struct mx_reader r;
	struct mx_buf b = { 0 };
	char chunk[65536], err[512], *dir, *slash;
	size_t n, line, i;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_USAGE, "%s", path);
	while ((n = mx_reader_read(&r, chunk, sizeof chunk)) > 0)
		mx_buf_add(&b, chunk, n);
	mx_reader_close(&r);
	dir = mx_strdup(path);
	if ((slash = strrchr(dir, '/')) != NULL)
		slash[slash == dir] = '\0';
	else
		strcpy(dir, ".");
	con = mx_contract_parse(b.p, b.len, dir, sel, err, sizeof err, &line);
	mx_buf_free(&b);
	free(dir);
	if (con == NULL) {
		if (line > 0)
			mx_errx(MX_EXIT_USAGE, "%s:%zu: %s", path, line, err);
		mx_errx(MX_EXIT_USAGE, "%s: %s", path, err);
	}
	nf = mx_contract_nfields(con);
	keys = mx_calloc(nf, sizeof *keys);
	qnames = mx_calloc(nf, sizeof *qnames);
	failed = mx_calloc(nf, sizeof *failed);
	for (i = 0; i < nf; i++) {
		const char *name = mx_contract_name(con, i);

		if (opt.mark && strcmp(name, "is_valid_record") == 0)
			mx_errx(MX_EXIT_USAGE, "%s: --mark adds the field "
			    "is_valid_record, which the contract names",
			    path);
		mx_json_quote(&qnames[i], name, strlen(name));
		if (i > 0)
			mx_buf_addc(&keys[i], ',');
		mx_buf_add(&keys[i], qnames[i].p, qnames[i].len);
		mx_buf_addc(&keys[i], ':');
	}
	for (i = 0; i < nf; i++) {
		const char *p;
		size_t line;
		int psel;

		p = mx_contract_path(con, i, &psel, &line);
		tmp.len = 0;
		mx_buf_printf(&tmp, "%s:%zu", mx_name(path), line);
		mx_seen_add(mx_contract_rules(con, i) & 1u << MX_CR_REQUIRED ?
		    &need : &may, mx_buf_cstr(&tmp), p, psel);
	}
}

static double
parse_rate(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= 0 && v <= 1))
		return -1;
	return v;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "contract", required_argument, NULL, 'c' },
		{ "keep", no_argument, NULL, 'k' },
		{ "mark", no_argument, NULL, 'm' },
		MX_REJECTS_LONGOPT,
		MX_STATS_LONGOPT,
		{ "max-rejects", required_argument, NULL, 'N' },
		{ "max-reject-rate", required_argument, NULL, 'r' },
		MX_LIMIT_LONGOPTS,
		MX_STRICT_LONGOPT,
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct mx_sel *sel;
	int c, i, nfiles, fail = 0;

	mx_init(argv[0]);
	while ((c = mx_getopt(argc, argv, "c:kv", longopts, NULL,
	    synopsis)) != -1)
		switch (c) {
		case 'c':
			opt.contract = optarg;
			break;
		case 'k':
			opt.keep = 1;
			break;
		case 'm':
			opt.mark = 1;
			break;
		case 'N':
			if ((opt.maxrej = mx_parse_count(optarg)) < 0) {
				mx_warnx("--max-rejects: not a count: '%s'",
				    optarg);
				usage();
			}
			break;
		case 'r':
			if ((opt.maxrate = parse_rate(optarg)) < 0) {
				mx_warnx("--max-reject-rate: a fraction from 0 "
				    "to 1, not '%s'", optarg);
				usage();
			}
			break;
		case 'v':
			opt.verbose = 1;
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;
	if (opt.contract == NULL) {
		mx_warnx("no contract (-c file)");
		usage();
	}
	if ((opt.maxrej >= 0 || opt.maxrate >= 0) && mx_opt_rejects == NULL &&
	    !opt.mark) {
		mx_warnx("--max-rejects and --max-reject-rate need --rejects "
		    "or --mark");
		usage();
	}

	sel = mx_sel_new();
	load(opt.contract, sel);
	rejsel = mx_sel_add(sel, "_reject");
	srcsel = mx_sel_add(sel, "_source");
	linesel = mx_sel_add(sel, "_line");
	spans = mx_calloc(mx_sel_count(sel), sizeof *spans);
	scan = mx_json_new(sel);
	mx_json_keep_members(scan);

	out = mx_out_stdout();
	if (mx_opt_rejects != NULL)
		rej = mx_out_open(mx_opt_rejects);
	nfiles = argc > 0 ? argc : 1;
	if (argc == 0)
		validate("-");
	for (i = 0; i < argc; i++)
		validate(argv[i]);
	if (opt.verbose) {
		if (nfiles > 1)
			mx_warnx("total: %ju in, %ju valid, %ju rejected",
			    total.in, total.valid, total.rejected);
		print_counts();
	}
	if (rej != NULL)
		mx_out_close(rej);
	if (mx_opt_stats != NULL)
		write_stats(nfiles);
	mx_out_close(out);

	/* thresholds are judged once everything is written */
	if (opt.maxrej >= 0 && total.rejected > (uintmax_t)opt.maxrej) {
		mx_warnx("%ju records rejected, more than --max-rejects %lld",
		    total.rejected, opt.maxrej);
		fail = 1;
	}
	if (opt.maxrate >= 0 && total.in > 0 &&
	    (double)total.rejected / (double)total.in > opt.maxrate) {
		mx_warnx("%ju of %ju records rejected (%.4g), more than "
		    "--max-reject-rate %g", total.rejected, total.in,
		    (double)total.rejected / (double)total.in, opt.maxrate);
		fail = 1;
	}
	if (mx_seen_report(&need, mx_opt_strict) > 0 && mx_opt_strict)
		fail = 1;
	if ((opt.verbose || mx_opt_strict) &&
	    mx_seen_report(&may, mx_opt_strict) > 0 && mx_opt_strict)
		fail = 1;
	mx_seen_free(&need);
	mx_seen_free(&may);
	mx_contract_free(con);
	mx_json_free(scan);
	mx_sel_free(sel);
	for (i = 0; (size_t)i < nf; i++) {
		mx_buf_free(&keys[i]);
		mx_buf_free(&qnames[i]);
	}
	free(keys);
	free(qnames);
	free(failed);
	free(spans);
	free(mem);
	mx_buf_free(&tmp);
	return fail ? MX_EXIT_FAIL : MX_EXIT_OK;
}
