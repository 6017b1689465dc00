/*
 * mx-ingest: raw files in, bronze NDJSON out.
 *
 * Every source record becomes one NDJSON record, byte for byte, with
 * provenance appended: _source, _line, _ingested_at, _rid.  Inputs are
 * NDJSON, JSON documents (an array of records, a record, or an array at a
 * path), CSV and TSV, any of them gzipped.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "mx.h"

enum fmt { F_AUTO, F_NDJSON, F_JSON, F_CSV, F_TSV };

static struct {
	int		 fmt;
	int		 delim;
	int		 infer;
	int		 verbose;
	const char	*source;
	const char	*path;		/* -p: records are the array here */
	uintmax_t	 maxrecs;	/* per input file; 0: no limit */
	uintmax_t	 maxbytes;
} opt = { F_AUTO, ',', 0, 0, NULL, NULL, 0, 0 };

struct counts {
	uintmax_t	in, out, rejected, blank, empty;
};

static struct mx_out	*out, *rej;
static struct mx_json	*scan;
static struct mx_span	 spans[4];
static struct mx_jq	*jq;
static struct counts	 total, file;
/* What emit appends, made once (keys scanned for escapes per record were
 * a tenth of the tool): the file's "_source":..."_line": and the run's
 * ,"_ingested_at":...,"_rid":" */
static struct mx_buf	 head;
static char		 when[80];
static const char	*fname;		/* the current input, for messages */
static struct mx_reader	*cur;		/* and its reader */
static struct mx_buf	 tmp;

static const char *const meta[] = { "_source", "_line", "_ingested_at",
    "_rid" };

static const char synopsis[] =
	    "usage: mx-ingest [-v] [-f auto|ndjson|json|csv|tsv] [-d delim] [--infer]\n"
	    "                 [-p path] [-j program | -J file] [--rejects file]\n"
	    "                 [--stats file] [--source name] [--max-record size]\n"
	    "                 [--max-depth n] [--max-file-records n]\n"
	    "                 [--max-file-bytes size] [--files0-from file] [file ...]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

static void
reject(uintmax_t line, const char *rule, const char *why, const char *raw,
    size_t n)
{
	file.rejected++;
	if (rej == NULL)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(fname), line, why);
	mx_reject_write(rej, "mx-ingest", mx_name(fname), line, rule, why, raw,
	    n);
}

/*
 * A gzip bomb (a few hundred kilobytes that expand to tens of millions of
 * records) is bounded in memory by --max-record, but each record it holds
 * is written to bronze.  These limits, per input file, stop it with an
 * error before it fills the disk.
 */
static MX_NORETURN void
toomany(uintmax_t line)
{
	mx_errx(MX_EXIT_FAIL, "%s:%ju: more than %ju records in the file "
	    "(--max-file-records)", mx_name(fname), line, opt.maxrecs);
}

static MX_NORETURN void
toobig(uintmax_t line)
{
	mx_errx(MX_EXIT_FAIL, "%s:%ju: more than %ju bytes in the file%s "
	    "(--max-file-bytes)", mx_name(fname), line, opt.maxbytes,
	    cur->gz ? " once decompressed" : "");
}

/* One more source record of the file. */
static void
counted(uintmax_t line)
{
	file.in++;
	if (opt.maxrecs > 0 && file.in > opt.maxrecs)
		toomany(line);
}

/* The bytes of the file read so far, up to the end of this line. */
static void
sized(uintmax_t line)
{
	if (opt.maxbytes > 0 && cur->bytes > opt.maxbytes)
		toobig(line);
}

/* A record that passed every check, with provenance appended. */
static void
emit(const char *rec, size_t n, uintmax_t line, uint64_t rid)
{
	struct mx_objw w;
	char hex[17];

	mx_out_obj_open(&w, out, rec, n);
	if (!w.empty)
		mx_out_putc(out, ',');
	mx_out_write(out, head.p, head.len);
	mx_out_uint(out, line);
	mx_out_puts(out, when);
	mx_hash64_hex(rid, hex);
	hex[16] = '"';
	mx_out_write(out, hex, 17);
	mx_out_obj_close(&w);
	file.out++;
}

/* Provenance is ours to add: a record that has it already was most
 * likely ingested twice. */
static const char *
has_meta(void)
{
	static char msg[96];
	size_t i;

	for (i = 0; i < 4; i++)
		if (spans[i].kind != MX_JNONE) {
			snprintf(msg, sizeof msg,
			    "record already has the field %s (ingested twice?)",
			    meta[i]);
			return msg;
		}
	return NULL;
}

struct jqctx {
	uintmax_t	 line;
	uint64_t	 rid;
	const char	*raw;
	size_t		 rawn;
	int		 n;
};

static int
jq_out(void *arg, const char *json, size_t len, int kind)
{
	struct jqctx *c = arg;
	const char *why;

	c->n++;
	if (kind != MX_JOBJ) {
		static const char *const what[] = { "nothing", "null",
		    "false", "true", "a number", "a string", "an array",
		    "an object" };
		char msg[80];

		snprintf(msg, sizeof msg, "jq output is not an object (%s)",
		    what[kind]);
		reject(c->line, "jq", msg, c->raw, c->rawn);
		return 1;
	}
	/* jq's output is valid JSON; the scan finds our field names */
	if (mx_json_scan(scan, json, len, spans, 1) < 0) {
		reject(c->line, "jq", mx_json_errstr(scan), c->raw, c->rawn);
		return 1;
	}
	if ((why = has_meta()) != NULL) {
		reject(c->line, "metadata", why, c->raw, c->rawn);
		return 1;
	}
	emit(json, len, c->line, c->rid);
	return 0;
}

/* One source record: its JSON text (rec) and its raw bytes (raw). */
static void
record(const char *rec, size_t n, uintmax_t line, const char *raw,
    size_t rawn)
{
	const char *why;
	uint64_t rid = mx_hash64(raw, rawn);

	counted(line);
	if (mx_json_scan(scan, rec, n, spans, 1) < 0) {
		reject(line, "json", mx_json_errstr(scan), raw, rawn);
		return;
	}
	if (jq != NULL) {
		struct jqctx c = { line, rid, raw, rawn, 0 };
		uintmax_t before = file.rejected;

		if (mx_jq_run(jq, rec, n, jq_out, &c, &why) < 0) {
			if (file.rejected == before)
				reject(line, "jq", why, raw, rawn);
		} else if (c.n == 0)
			file.empty++;
		return;
	}
	if ((why = has_meta()) != NULL) {
		reject(line, "metadata", why, raw, rawn);
		return;
	}
	emit(rec, n, line, rid);
}

static void
do_ndjson(struct mx_reader *r)
{
	const char *line;
	ssize_t n;

	while ((n = mx_reader_line(r, &line)) >= 0) {
		sized(r->lineno);
		if (mx_blank(line, (size_t)n)) {
			file.blank++;
			continue;
		}
		record(line, (size_t)n, r->lineno, line, (size_t)n);
	}
}

/* ---- CSV and TSV ---- */

static void
do_csv(struct mx_reader *r, int delim)
{
	struct mx_csv *c = mx_csv_new(r, delim);
	struct mx_csvrec rec;
	const char *const *names;
	const size_t *lens;
	const char *err;
	size_t i;
	int k;

	while ((k = mx_csv_next(c, &rec, &err)) != 0) {
		sized(rec.lineno);
		if (k < 0) {
			char msg[256];

			counted(rec.lineno);
			snprintf(msg, sizeof msg, "CSV record %ju: %s",
			    rec.recno, err);
			reject(rec.lineno, "csv", msg, rec.raw, rec.rawlen);
			continue;
		}
		mx_csv_header(c, &names, &lens);
		tmp.len = 0;
		mx_buf_addc(&tmp, '{');
		for (i = 0; i < rec.nf; i++) {
			if (i)
				mx_buf_addc(&tmp, ',');
			mx_json_quote(&tmp, names[i], lens[i]);
			mx_buf_addc(&tmp, ':');
			if (opt.infer && rec.null[i])
				mx_buf_adds(&tmp, "null");
			else if (opt.infer && mx_json_isnum(rec.f[i], rec.len[i]))
				mx_buf_add(&tmp, rec.f[i], rec.len[i]);
			else
				mx_json_quote(&tmp, rec.f[i], rec.len[i]);
		}
		mx_buf_addc(&tmp, '}');
		/* _line is the record number, the header being record 1: the
		 * line number whenever no field holds a newline */
		record(tmp.p, tmp.len, rec.recno, rec.raw, rec.rawlen);
	}
	mx_csv_free(c);
}

/* ---- JSON documents ---- */

/*
 * Documents are split into records as they stream in, so a 10 GB array
 * needs no more memory than its largest element.  The splitter only
 * follows strings and brackets; each record it cuts out is then checked
 * strictly like any NDJSON line.  Whitespace outside strings is dropped,
 * which makes a pretty-printed element one line.
 */
struct doc {
	struct mx_reader	*r;
	char			 chunk[64 * 1024];
	size_t			 len, pos;
	int			 full;	/* the chunk ends at --max-file-bytes */
	uintmax_t		 line;
	char			**path;
	size_t			 npath;
	struct mx_buf		 rec;
	struct mx_buf		 key;
};

static MX_NORETURN void
docfail(struct doc *d, const char *what)
{
	mx_errx(MX_EXIT_FAIL,
	    "%s:%ju: malformed JSON document: %s (the rest of the file "
	    "cannot be split into records)", mx_name(fname), d->line, what);
}

static int
dpeek(struct doc *d)
{
	if (d->pos == d->len) {
		if (d->full)
			toobig(d->line);
		d->len = mx_reader_read(d->r, d->chunk, sizeof d->chunk);
		d->pos = 0;
		/* cut the chunk at the limit, so that the error names the line
		 * of the first byte past it */
		if (opt.maxbytes > 0 && d->r->bytes > opt.maxbytes) {
			d->len -= d->r->bytes - opt.maxbytes;
			d->full = 1;
			if (d->len == 0)
				toobig(d->line);
		}
		if (d->len == 0)
			return -1;
	}
	return (unsigned char)d->chunk[d->pos];
}

static int
dget(struct doc *d)
{
	int c = dpeek(d);

	if (c >= 0) {
		d->pos++;
		if (c == '\n')
			d->line++;
	}
	return c;
}

static int
dws(struct doc *d)
{
	int c;

	while ((c = dpeek(d)) == ' ' || c == '\n' || c == '\r' || c == '\t')
		dget(d);
	return c;
}

/* The rest of a string after its opening quote, into b (if not NULL). */
static void
dstring(struct doc *d, struct mx_buf *b)
{
	int c;

	for (;;) {
		if ((c = dget(d)) < 0)
			docfail(d, "unterminated string");
		if (b != NULL)
			mx_buf_addc(b, c);
		if (c == '"')
			return;
		if (c == '\\') {
			if ((c = dget(d)) < 0)
				docfail(d, "unterminated string");
			if (b != NULL)
				mx_buf_addc(b, c);
		}
	}
}

/*
 * One value into b (minified), or skipped when b is NULL.  A scalar ends
 * where the next token begins: inside a container that is a delimiter,
 * but a scalar that is a whole document (42, true) is followed by space,
 * the end of the file or the next document, and must end there too, or
 * it would swallow what follows.
 */
static void
dvalue(struct doc *d, struct mx_buf *b)
{
	int c, depth = 0, started = 0, scalar = 0;

	for (;;) {
		c = dpeek(d);
		if (scalar && (c < 0 || c == ' ' || c == '\n' || c == '\r' ||
		    c == '\t' || c == '"' || c == '[' || c == '{'))
			return;
		if (c < 0)
			docfail(d, "unexpected end of input");
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
			dget(d);
			continue;
		}
		if (depth == 0 && (c == ',' || c == ']' || c == '}')) {
			if (!started)
				docfail(d, "expected a value");
			return;
		}
		dget(d);
		started = 1;
		if (b != NULL) {
			mx_buf_addc(b, c);
			if (b->len > mx_maxrec)
				mx_errx(MX_EXIT_FAIL,
				    "%s:%ju: record longer than %zu bytes (the "
				    "record size limit)", mx_name(fname),
				    d->line, mx_maxrec);
		}
		if (c == '"')
			dstring(d, b);
		else if (c == '[' || c == '{') {
			if (++depth > mx_maxdepth)
				docfail(d, "nesting too deep");
		} else if (c == ']' || c == '}') {
			if (--depth < 0)
				docfail(d, "unbalanced brackets");
		} else if (depth == 0)
			scalar = 1;
		if (depth == 0) {
			/* a scalar ends at a delimiter, a container here */
			if (c == '"' || c == ']' || c == '}')
				return;
		}
	}
}

static void
drecord(struct doc *d, uintmax_t line)
{
	record(d->rec.p, d->rec.len, line, d->rec.p, d->rec.len);
}

/* The elements of the array at the current position are records. */
static void
darray(struct doc *d)
{
	uintmax_t line;
	int c;

	dget(d);			/* [ */
	if (dws(d) == ']') {
		dget(d);
		return;
	}
	for (;;) {
		dws(d);
		line = d->line;
		d->rec.len = 0;
		dvalue(d, &d->rec);
		drecord(d, line);
		c = dws(d);
		dget(d);
		if (c == ']')
			return;
		if (c != ',')
			docfail(d, "expected ',' or ']' between records");
	}
}

/* A value at path depth k: descend towards the records. */
static void
dfind(struct doc *d, size_t k)
{
	int c = dws(d);
	uintmax_t line = d->line;

	if (k == d->npath) {
		if (c == '[') {
			darray(d);
			return;
		}
		d->rec.len = 0;
		dvalue(d, &d->rec);
		drecord(d, line);
		return;
	}
	if (c != '{') {
		char msg[128];

		snprintf(msg, sizeof msg, "'%s' is not inside an object",
		    d->path[k]);
		docfail(d, msg);
	}
	dget(d);
	if (dws(d) == '}') {
		dget(d);
		return;
	}
	for (;;) {
		if (dws(d) != '"')
			docfail(d, "expected a key");
		dget(d);
		d->key.len = 0;
		dstring(d, &d->key);
		d->key.len--;		/* the closing quote */
		if (dws(d) != ':')
			docfail(d, "expected ':'");
		dget(d);
		dws(d);
		if (d->key.len == strlen(d->path[k]) &&
		    memcmp(d->key.p, d->path[k], d->key.len) == 0)
			dfind(d, k + 1);
		else
			dvalue(d, NULL);
		c = dws(d);
		dget(d);
		if (c == '}')
			return;
		if (c != ',')
			docfail(d, "expected ',' or '}'");
	}
}

static void
do_json(struct mx_reader *r)
{
	struct doc *d = mx_calloc(1, sizeof *d);
	char *p, *q;

	d->r = r;
	d->line = 1;
	if (opt.path != NULL) {
		p = mx_strdup(opt.path);
		for (q = strtok(p, "."); q != NULL; q = strtok(NULL, ".")) {
			d->path = mx_reallocarray(d->path, d->npath + 1,
			    sizeof *d->path);
			d->path[d->npath++] = mx_strdup(q);
		}
		free(p);
	}
	/* a file may hold several documents, one after the other */
	while (dws(d) >= 0)
		dfind(d, 0);
	while (d->npath > 0)
		free(d->path[--d->npath]);
	free(d->path);
	mx_buf_free(&d->rec);
	mx_buf_free(&d->key);
	free(d);
}

/* ---- files ---- */

static int
endswith(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);

	return n >= k && strcmp(s + n - k, suf) == 0;
}

static int
sniff(struct mx_reader *r, const char *path)
{
	const char *p;
	size_t n, i;
	char name[4096];

	if (opt.fmt != F_AUTO)
		return opt.fmt;
	snprintf(name, sizeof name, "%s", path != NULL ? path : "");
	if (endswith(name, ".gz"))
		name[strlen(name) - 3] = '\0';
	if (endswith(name, ".csv"))
		return F_CSV;
	if (endswith(name, ".tsv") || endswith(name, ".tab"))
		return F_TSV;
	if (opt.path != NULL)
		return F_JSON;
	/* '[' opens a document, and so does a '{' whose line does not end
	 * with '}' (pretty-printed); otherwise one record per line */
	n = mx_reader_peek(r, &p, 64 * 1024);
	for (i = 0; i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
	    p[i] == '\n'); i++)
		;
	if (i < n && p[i] == '[')
		return F_JSON;
	if (i < n && p[i] == '{') {
		const char *nl = memchr(p + i, '\n', n - i), *e;

		if (nl == NULL)
			return n < 64 * 1024 ? F_JSON : F_NDJSON;
		for (e = nl; e > p + i && (e[-1] == '\r' || e[-1] == ' ' ||
		    e[-1] == '\t'); e--)
			;
		if (e[-1] != '}')
			return F_JSON;
	}
	return F_NDJSON;
}

static void
ingest(const char *path)
{
	struct mx_reader r;
	const char *src;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_FAIL, "%s", path);
	fname = path;
	cur = &r;
	src = opt.source != NULL ? opt.source : mx_name(path);
	head.len = 0;
	mx_buf_adds(&head, "\"_source\":");
	if (mx_json_name(&head, src, strlen(src))) {
		mx_buf_adds(&head, ",\"_source_base64\":\"");
		mx_b64(&head, src, strlen(src));
		mx_buf_addc(&head, '"');
	}
	mx_buf_adds(&head, ",\"_line\":");
	memset(&file, 0, sizeof file);
	switch (sniff(&r, path)) {
	case F_CSV:
		do_csv(&r, opt.delim);
		break;
	case F_TSV:
		do_csv(&r, '\t');
		break;
	case F_JSON:
		do_json(&r);
		break;
	default:
		do_ndjson(&r);
	}
	mx_reader_close(&r);
	cur = NULL;
	if (opt.verbose)
		mx_warnx("%s: %ju in, %ju out, %ju rejected", mx_name(path),
		    file.in, file.out, file.rejected);
	total.in += file.in;
	total.out += file.out;
	total.rejected += file.rejected;
	total.blank += file.blank;
	total.empty += file.empty;
}

static void
write_stats(int nfiles)
{
	struct mx_out *s = mx_out_open(mx_opt_stats);

	mx_out_printf(s, "{\"tool\":\"mx-ingest\",\"files\":%d,\"in\":%ju,"
	    "\"out\":%ju,\"rejected\":%ju,\"blank\":%ju,\"jq_empty\":%ju}\n",
	    nfiles, total.in, total.out, total.rejected, total.blank,
	    total.empty);
	mx_out_close(s);
}

static char *
slurp(const char *path)
{
	struct mx_reader r;
	struct mx_buf b = { 0 };
	char chunk[65536];
	size_t n;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_USAGE, "-J %s", path);
	while ((n = mx_reader_read(&r, chunk, sizeof chunk)) > 0)
		mx_buf_add(&b, chunk, n);
	mx_reader_close(&r);
	mx_buf_cstr(&b);
	return b.p;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "delimiter", required_argument, NULL, 'd' },
		{ "infer", no_argument, NULL, 'I' },
		{ "path", required_argument, NULL, 'p' },
		{ "jq", required_argument, NULL, 'j' },
		{ "jq-file", required_argument, NULL, 'J' },
		MX_REJECTS_LONGOPT,
		MX_STATS_LONGOPT,
		{ "source", required_argument, NULL, 's' },
		MX_LIMIT_LONGOPTS,
		{ "max-file-records", required_argument, NULL, 'F' },
		{ "max-file-bytes", required_argument, NULL, 'B' },
		{ "files0-from", required_argument, NULL, '0' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	const char *prog = NULL, *files0 = NULL;
	char *progbuf = NULL, *err, *f0 = NULL;
	struct mx_sel *sel;
	struct mx_time now;
	long long ll;
	int c, i, nfiles;
	size_t k;

	mx_init(argv[0]);
	while ((c = mx_getopt(argc, argv, "d:f:j:J:p:s:v", longopts, NULL,
	    synopsis)) != -1)
		switch (c) {
		case 'f':
			if (strcmp(optarg, "auto") == 0)
				opt.fmt = F_AUTO;
			else if (strcmp(optarg, "ndjson") == 0 ||
			    strcmp(optarg, "jsonl") == 0)
				opt.fmt = F_NDJSON;
			else if (strcmp(optarg, "json") == 0)
				opt.fmt = F_JSON;
			else if (strcmp(optarg, "csv") == 0)
				opt.fmt = F_CSV;
			else if (strcmp(optarg, "tsv") == 0)
				opt.fmt = F_TSV;
			else {
				mx_warnx("-f: unknown format '%s'", optarg);
				usage();
			}
			break;
		case 'd':
			if (strcmp(optarg, "\\t") == 0 || strcmp(optarg,
			    "tab") == 0)
				opt.delim = '\t';
			else if (strlen(optarg) == 1 && *optarg != '"' &&
			    *optarg != '\n')
				opt.delim = (unsigned char)*optarg;
			else {
				mx_warnx("-d: the delimiter is one byte");
				usage();
			}
			if (opt.fmt == F_AUTO)
				opt.fmt = F_CSV;
			break;
		case 'I':
			opt.infer = 1;
			break;
		case 'p':
			opt.path = optarg;
			break;
		case 'j':
			prog = optarg;
			break;
		case 'J':
			prog = progbuf = slurp(optarg);
			break;
		case '0':
			files0 = optarg;
			break;
		case 's':
			opt.source = optarg;
			break;
		case 'F':
			if ((ll = mx_parse_count(optarg)) <= 0) {
				mx_warnx("--max-file-records: a count from 1, "
				    "not '%s'", optarg);
				usage();
			}
			opt.maxrecs = (uintmax_t)ll;
			break;
		case 'B':
			if ((ll = mx_parse_size(optarg)) <= 0) {
				mx_warnx("--max-file-bytes: a size from 1 "
				    "(1048576, 512k, 100M, 2G), not '%s'",
				    optarg);
				usage();
			}
			opt.maxbytes = (uintmax_t)ll;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;

	if (prog != NULL && (jq = mx_jq_new(prog, &err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		mx_errx(MX_EXIT_USAGE, "the jq program does not compile");
	}
	sel = mx_sel_new();
	for (k = 0; k < 4; k++)
		mx_sel_add(sel, meta[k]);
	scan = mx_json_new(sel);
	now = mx_time_now();
	k = (size_t)snprintf(when, sizeof when, ",\"_ingested_at\":\"");
	k += (size_t)mx_time_fmt(&now, when + k);
	snprintf(when + k, sizeof when - k, "\",\"_rid\":\"");

	out = mx_out_stdout();
	if (mx_opt_rejects != NULL)
		rej = mx_out_open(mx_opt_rejects);
	if (files0 != NULL) {
		size_t len;
		char *p;

		/* names separated by NUL bytes: any name a file system
		 * allows, newlines included (find -print0) */
		if (argc > 0)
			mx_errx(MX_EXIT_USAGE, "--files0-from: no file operands "
			    "as well");
		f0 = mx_files0(files0, &len);
		nfiles = 0;
		for (p = f0; p < f0 + len; p += strlen(p) + 1) {
			ingest(p);
			nfiles++;
		}
	} else {
		nfiles = argc > 0 ? argc : 1;
		if (argc == 0)
			ingest("-");
		for (i = 0; i < argc; i++)
			ingest(argv[i]);
	}
	if (opt.verbose && nfiles > 1)
		mx_warnx("total: %ju in, %ju out, %ju rejected", total.in,
		    total.out, total.rejected);
	if (rej != NULL)
		mx_out_close(rej);
	if (mx_opt_stats != NULL)
		write_stats(nfiles);
	mx_out_close(out);
	mx_jq_free(jq);
	mx_json_free(scan);
	mx_sel_free(sel);
	mx_buf_free(&head);
	free(f0);
	mx_buf_free(&tmp);
	free(progbuf);
	return MX_EXIT_OK;
}
