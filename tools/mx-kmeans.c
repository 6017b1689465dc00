/*
 * mx-kmeans: k-means clustering of NDJSON records on numeric fields.
 *
 * The features of every record are held as doubles, standardised; each of
 * several restarts draws k-means++ centres from one seeded generator
 * (xoshiro256**, seeded by splitmix64: the same numbers on every machine,
 * unlike rand()) and runs Lloyd's iterations until no record changes
 * cluster; the restart with the least inertia wins.  Every sum is taken in
 * record order, so the same input and seed give the same bytes wherever
 * doubles are IEEE 754 and products are not fused into additions.
 *
 * The input is read twice: features first, then the records again to
 * append their cluster.  With --assign a saved model assigns records in
 * one streaming pass, which is what keeps cluster numbers stable from one
 * night to the next.
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mx.h"

#define MAXF		64		/* features */
#define MAXK		1000
#define BIG		1e150		/* a feature's largest magnitude */
#define NOLABEL		UINT32_MAX

enum { S_Z, S_MINMAX, S_NONE };
static const char *const scales[] = { "z", "minmax", "none", NULL };

static struct {
	long		 k;
	int		 scale;
	uint64_t	 seed;
	long		 restarts;
	long		 maxiter;
	int		 distance;
	const char	*model;
	const char	*assign;
	const char	*tmpdir;
	int		 verbose;
} opt = { 0, S_Z, 1, 4, 100, 0, NULL, NULL, NULL, 0 };

static struct {
	uintmax_t	in, out, rejected, blank;
} cnt;

struct input {
	const char	*path;
	char		*spool;		/* a copy of a stream, for pass 2 */
	FILE		*spoolfp;
	off_t		 off0;		/* stdin that is a file: its start */
	uintmax_t	 lines, bytes;
};

static struct mx_exprs	 feats;
static struct mx_seen	 named;		/* the feature fields */
static struct mx_buf	 spec;		/* the -f arguments, for the model */
static int		 d;
static struct mx_json	*scan;
static struct mx_span	*spans;
static int		 csel, dsel;	/* "cluster", "distance" */
static struct mx_out	*rej;
static struct mx_buf	 nb;

static double		*X;		/* n records of d features, scaled */
static size_t		 n, xcap;
static uint64_t		*rejl;		/* the lines rejected, ascending */
static size_t		 nrejl, rejcap;
static double		 center[MAXF], scalev[MAXF];
static double		*cent;		/* k centroids of d features */
static uint32_t		*lab;
static size_t		*csize;
static double		 inertia;
static long		 iters, alliters;
static int		 converged;

static const char synopsis[] =
	    "usage: mx-kmeans -k n -f features [-v] [--scale z|minmax|none] [--seed n]\n"
	    "                 [--restarts n] [--max-iter n] [--distance] [--model file]\n"
	    "                 [--rejects file] [--stats file] [--strict] [-T dir]\n"
	    "                 [--max-record size] [--max-depth n] [file ...]\n"
	    "       mx-kmeans --assign model [-v] [--distance] [--rejects file]\n"
	    "                 [--stats file] [--strict] [--max-record size]\n"
	    "                 [--max-depth n] [file ...]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

/* ---- the generator: xoshiro256**, seeded by splitmix64 ---- */

static uint64_t rs[4];

static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
next(void)
{
	uint64_t r = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;

	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = rotl(rs[3], 45);
	return r;
}

/* [0, 1), from the top 53 bits */
static double
uniform(void)
{
	return (double)(next() >> 11) * 0x1.0p-53;
}

static size_t
pick(size_t m)
{
	size_t i = (size_t)(uniform() * (double)m);

	return i < m ? i : m - 1;
}

/* ---- numbers ---- */

/* The shortest of 15, 16 or 17 significant digits that reads back as v:
 * exact, and the same text on every machine. */
static void
put_num(struct mx_out *o, double v)
{
	char b[40];
	int p;

	for (p = 15; p < 17; p++) {
		snprintf(b, sizeof b, "%.*g", p, v);
		if (strtod(b, NULL) == v)
			break;
	}
	if (p == 17)
		snprintf(b, sizeof b, "%.17g", v);
	mx_out_puts(o, b);
}

/* A feature of a scanned record, or why it is not one. */
static const char *
feature(const struct mx_expr *e, double *v)
{
	struct mx_span s;
	char tmp[MX_EXPR_TMP], *end;
	int kind, bad;

	kind = mx_expr_eval(e, spans, &s, tmp, &bad);
	if (kind == MX_JNONE)
		return "missing";
	if (kind == MX_JNULL)
		return bad ? "not a timestamp" : "null";
	if (kind != MX_JNUM)
		return "not a number";
	nb.len = 0;
	mx_buf_add(&nb, s.p, s.n);
	*v = strtod(mx_buf_cstr(&nb), &end);
	if (!isfinite(*v) || fabs(*v) > BIG)
		return "out of range";
	return NULL;
}

/* ---- input ---- */

static void
spool_fail(void)
{
	mx_err(MX_EXIT_FAIL, "temporary file in %s", opt.tmpdir);
}

/* Open an input for pass 1 or 2; streams are copied in pass 1 when a
 * second pass will come. */
static void
in_open(struct mx_reader *r, struct input *f, int pass, int twice)
{
	struct stat st;
	int isstdin = strcmp(f->path, "-") == 0;

	if (pass == 2 && f->spool != NULL) {
		if (fclose(f->spoolfp) != 0)
			spool_fail();
		f->spoolfp = NULL;
		if (mx_reader_open(r, f->spool) < 0)
			mx_err(MX_EXIT_FAIL, "%s", f->spool);
		unlink(f->spool);
		mx_tmp_forget(f->spool);
		r->name = f->path;
		return;
	}
	if (pass == 2 && isstdin && lseek(0, f->off0, SEEK_SET) < 0)
		mx_err(MX_EXIT_FAIL, "<stdin>: cannot read again");
	if (pass == 1 && twice && isstdin && fstat(0, &st) == 0 &&
	    S_ISREG(st.st_mode) && (f->off0 = lseek(0, 0, SEEK_CUR)) >= 0)
		isstdin = 0;		/* read again like a file */
	if (mx_reader_open(r, f->path) < 0)
		mx_err(MX_EXIT_FAIL, "%s", f->path);
	if (pass == 2 || !twice || (!isstdin && fstat(r->fd, &st) == 0 &&
	    S_ISREG(st.st_mode)))
		return;
	{
		struct mx_buf path = { 0 };
		int fd;

		mx_buf_printf(&path, "%s/mx-kmeans.XXXXXX", opt.tmpdir);
		mx_buf_cstr(&path);
		if ((fd = mkstemp(path.p)) < 0)
			mx_err(MX_EXIT_FAIL, "cannot create a temporary file "
			    "in %s", opt.tmpdir);
		mx_tmp_add(path.p);
		if ((f->spoolfp = fdopen(fd, "w")) == NULL)
			mx_err(MX_EXIT_FAIL, "fdopen");
		setvbuf(f->spoolfp, NULL, _IOFBF, 256 * 1024);
		f->spool = path.p;
	}
}

static void
reject(const struct mx_reader *r, const char *rule, const char *why,
    const char *p, size_t n)
{
	cnt.rejected++;
	if (rej == NULL)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(r->name),
		    r->lineno, why);
	mx_reject_write(rej, "mx-kmeans", mx_name(r->name), r->lineno,
	    rule, why, p, n);
}

/* The features of a record into x[], or a reject (returns -1). */
static int
take(const struct mx_reader *r, const char *p, size_t len, double *x)
{
	char msg[512];
	const char *why;
	int f;

	if (mx_json_scan(scan, p, len, spans, 1) < 0) {
		reject(r, "json", mx_json_errstr(scan), p, len);
		return -1;
	}
	mx_seen_spans(&named, spans);
	for (f = 0; f < d; f++)
		if ((why = feature(&feats.v[f], &x[f])) != NULL) {
			snprintf(msg, sizeof msg, "feature %s: %s",
			    feats.v[f].name, why);
			reject(r, "feature", msg, p, len);
			return -1;
		}
	if (spans[csel].kind != MX_JNONE ||
	    (opt.distance && spans[dsel].kind != MX_JNONE)) {
		snprintf(msg, sizeof msg, "the field %s is mx-kmeans's own",
		    spans[csel].kind != MX_JNONE ? "cluster" : "distance");
		reject(r, "reserved", msg, p, len);
		return -1;
	}
	return 0;
}

/* Pass 1: the features of every record; the lines rejected. */
static void
read_features(struct input *in, int nin)
{
	struct mx_reader r;
	const char *line;
	uint64_t ord = 0;
	ssize_t len;
	int i;

	for (i = 0; i < nin; i++) {
		struct input *f = &in[i];

		in_open(&r, f, 1, 1);
		while ((len = mx_reader_line(&r, &line)) >= 0) {
			if (f->spoolfp != NULL && (fwrite(line, 1, (size_t)len,
			    f->spoolfp) != (size_t)len ||
			    putc('\n', f->spoolfp) == EOF))
				spool_fail();
			ord++;
			if (mx_blank(line, (size_t)len)) {
				cnt.blank++;
				continue;
			}
			cnt.in++;
			if (n == xcap) {
				xcap = xcap ? xcap * 2 : 4096;
				X = mx_reallocarray(X, xcap, d * sizeof *X);
			}
			if (take(&r, line, (size_t)len, X + n * d) == 0) {
				n++;
				continue;
			}
			if (nrejl == rejcap) {
				rejcap = rejcap ? rejcap * 2 : 64;
				rejl = mx_reallocarray(rejl, rejcap,
				    sizeof *rejl);
			}
			rejl[nrejl++] = ord - 1;
		}
		f->lines = r.lineno;
		f->bytes = r.bytes;
		mx_reader_close(&r);
		if (f->spoolfp != NULL && fflush(f->spoolfp) != 0)
			spool_fail();
	}
}

/* ---- k-means ---- */

static double
dist2(const double *x, const double *c)
{
	double s = 0, t;
	int f;

	for (f = 0; f < d; f++) {
		t = x[f] - c[f];
		s += t * t;
	}
	return s;
}

/* Centre and scale of each feature; the features scaled in place. */
static void
standardise(void)
{
	size_t i;
	int f;

	for (f = 0; f < d; f++) {
		double a = 0, b = 0, t;

		center[f] = 0;
		scalev[f] = 1;
		if (opt.scale == S_Z) {
			for (i = 0; i < n; i++)
				a += X[i * d + f];
			a /= (double)n;
			for (i = 0; i < n; i++) {
				t = X[i * d + f] - a;
				b += t * t;
			}
			center[f] = a;
			b = sqrt(b / (double)n);
		} else if (opt.scale == S_MINMAX) {
			a = b = X[f];
			for (i = 1; i < n; i++) {
				t = X[i * d + f];
				if (t < a)
					a = t;
				if (t > b)
					b = t;
			}
			center[f] = a;
			b -= a;
		} else
			b = 1;
		/* a constant feature: all its values are the centre */
		scalev[f] = b > 0 ? b : 1;
	}
	for (i = 0; i < n; i++)
		for (f = 0; f < d; f++)
			X[i * d + f] = (X[i * d + f] - center[f]) / scalev[f];
}

/* k-means++: the first centre at random, each next one drawn with a
 * probability proportional to its squared distance to the nearest centre
 * so far. */
static void
seed_centres(double *c, double *d2)
{
	size_t i, p, last;
	double total, r, cum, t;
	long j;

	p = pick(n);
	memcpy(c, X + p * d, d * sizeof *c);
	for (i = 0; i < n; i++)
		d2[i] = dist2(X + i * d, c);
	for (j = 1; j < opt.k; j++) {
		total = 0;
		for (i = 0; i < n; i++)
			total += d2[i];
		if (total > 0) {
			r = uniform() * total;
			cum = 0;
			p = n;
			last = 0;
			for (i = 0; i < n; i++) {
				if (d2[i] > 0)
					last = i;
				cum += d2[i];
				if (cum > r) {
					p = i;
					break;
				}
			}
			/* rounding left r at the very end */
			if (p == n)
				p = last;
		} else
			p = pick(n);
		memcpy(c + j * d, X + p * d, d * sizeof *c);
		for (i = 0; i < n; i++)
			if ((t = dist2(X + i * d, c + j * d)) < d2[i])
				d2[i] = t;
	}
}

/* Each record to its nearest centre (the first of equals); how many
 * changed, and the inertia. */
static size_t
assign(const double *c, uint32_t *l, double *in)
{
	size_t i, changed = 0;
	double s = 0, bd, t;
	uint32_t j, b;

	for (i = 0; i < n; i++) {
		const double *x = X + i * d;

		b = 0;
		bd = dist2(x, c);
		for (j = 1; j < (uint32_t)opt.k; j++)
			if ((t = dist2(x, c + j * d)) < bd) {
				bd = t;
				b = j;
			}
		if (l[i] != b) {
			l[i] = b;
			changed++;
		}
		s += bd;
	}
	*in = s;
	return changed;
}

/* Each centre to the mean of its records; an empty cluster keeps its
 * centre. */
static void
update(double *c, const uint32_t *l, double *sum, size_t *m)
{
	size_t i;
	long j;
	int f;

	memset(sum, 0, opt.k * d * sizeof *sum);
	memset(m, 0, opt.k * sizeof *m);
	for (i = 0; i < n; i++) {
		m[l[i]]++;
		for (f = 0; f < d; f++)
			sum[l[i] * d + f] += X[i * d + f];
	}
	for (j = 0; j < opt.k; j++)
		if (m[j] > 0)
			for (f = 0; f < d; f++)
				c[j * d + f] = sum[j * d + f] / (double)m[j];
}

static const double *sortc;

static int
centcmp(const void *a, const void *b)
{
	const double *x = sortc + *(const uint32_t *)a * d;
	const double *y = sortc + *(const uint32_t *)b * d;
	int f;

	for (f = 0; f < d; f++)
		if (x[f] != y[f])
			return x[f] < y[f] ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static void
fit(void)
{
	double *c = mx_calloc(opt.k * d, sizeof *c);
	double *sum = mx_calloc(opt.k * d, sizeof *sum);
	double *d2 = mx_calloc(n, sizeof *d2), in;
	uint32_t *l = mx_calloc(n, sizeof *l), *tl, *order, *rank;
	size_t *m = mx_calloc(opt.k, sizeof *m), i;
	uint64_t x = opt.seed;
	long r, it, j;
	int f, conv;

	for (i = 0; i < 4; i++)
		rs[i] = splitmix(&x);
	cent = mx_calloc(opt.k * d, sizeof *cent);
	lab = mx_calloc(n, sizeof *lab);
	for (r = 0; r < opt.restarts; r++) {
		seed_centres(c, d2);
		for (i = 0; i < n; i++)
			l[i] = NOLABEL;
		conv = 0;
		for (it = 1;; it++) {
			if (assign(c, l, &in) == 0) {
				conv = 1;
				break;
			}
			if (it == opt.maxiter)
				break;
			update(c, l, sum, m);
		}
		alliters += it;
		if (r == 0 || in < inertia) {
			inertia = in;
			iters = it;
			converged = conv;
			memcpy(cent, c, opt.k * d * sizeof *c);
			tl = lab;
			lab = l;
			l = tl;
		}
		if (opt.verbose)
			mx_warnx("restart %ld: inertia %.17g after %ld "
			    "iterations%s", r + 1, in, it, conv ? "" :
			    " (not converged)");
	}
	/* clusters numbered in the order of their centres, first feature
	 * first, so that the numbers do not depend on the draw */
	order = mx_calloc(opt.k, sizeof *order);
	rank = mx_calloc(opt.k, sizeof *rank);
	for (j = 0; j < opt.k; j++)
		order[j] = (uint32_t)j;
	sortc = cent;
	qsort(order, opt.k, sizeof *order, centcmp);
	for (j = 0; j < opt.k; j++) {
		rank[order[j]] = (uint32_t)j;
		for (f = 0; f < d; f++)
			c[j * d + f] = cent[order[j] * d + f];
	}
	memcpy(cent, c, opt.k * d * sizeof *c);
	csize = mx_calloc(opt.k, sizeof *csize);
	for (i = 0; i < n; i++) {
		lab[i] = rank[lab[i]];
		csize[lab[i]]++;
	}
	free(order);
	free(rank);
	free(c);
	free(sum);
	free(d2);
	free(l);
	free(m);
}

/* ---- the model ---- */

static void
write_model(void)
{
	struct mx_out *o = mx_out_open(opt.model);
	long j;
	int f;

	mx_out_puts(o, "{\"model\":\"mx-kmeans\",\"version\":1,\"k\":");
	mx_out_uint(o, (uintmax_t)opt.k);
	mx_out_puts(o, ",\"features\":");
	mx_out_jstr(o, spec.p, spec.len);
	mx_out_printf(o, ",\"scale\":\"%s\",\"seed\":", scales[opt.scale]);
	mx_out_uint(o, opt.seed);
	mx_out_printf(o, ",\"restarts\":%ld,\"max_iter\":%ld,\"records\":",
	    opt.restarts, opt.maxiter);
	mx_out_uint(o, n);
	mx_out_printf(o, ",\"iterations\":%ld,\"converged\":%s,"
	    "\"inertia\":", iters, converged ? "true" : "false");
	put_num(o, inertia);
	mx_out_puts(o, "}\n");
	for (f = 0; f < d; f++) {
		mx_out_puts(o, "{\"feature\":");
		mx_out_jstr(o, feats.v[f].name, strlen(feats.v[f].name));
		mx_out_puts(o, ",\"center\":");
		put_num(o, center[f]);
		mx_out_puts(o, ",\"scale\":");
		put_num(o, scalev[f]);
		mx_out_puts(o, "}\n");
	}
	for (j = 0; j < opt.k; j++) {
		mx_out_printf(o, "{\"cluster\":%ld,\"size\":", j);
		mx_out_uint(o, csize[j]);
		mx_out_puts(o, ",\"centroid\":{");
		for (f = 0; f < d; f++) {
			if (f > 0)
				mx_out_putc(o, ',');
			mx_out_jstr(o, feats.v[f].name,
			    strlen(feats.v[f].name));
			mx_out_putc(o, ':');
			put_num(o, cent[j * d + f] * scalev[f] + center[f]);
		}
		mx_out_puts(o, "},\"scaled\":[");
		for (f = 0; f < d; f++) {
			if (f > 0)
				mx_out_putc(o, ',');
			put_num(o, cent[j * d + f]);
		}
		mx_out_puts(o, "]}\n");
	}
	mx_out_close(o);
}

static MX_NORETURN void MX_PRINTF(3, 4)
bad_model(const struct mx_reader *r, int atline, const char *fmt, ...);

static double
model_num(const struct mx_reader *r, const struct mx_span *s,
    const char *what)
{
	double v;
	char *end;

	if (s->kind != MX_JNUM)
		bad_model(r, 1, "%s: %s", what, s->kind == MX_JNONE ?
		    "missing" : "not a number");
	nb.len = 0;
	mx_buf_add(&nb, s->p, s->n);
	v = strtod(mx_buf_cstr(&nb), &end);
	if (!isfinite(v))
		bad_model(r, 1, "%s: out of range", what);
	return v;
}

static void
bad_model(const struct mx_reader *r, int atline, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (atline)
		mx_errx(MX_EXIT_FAIL, "--assign %s:%ju: %s", mx_name(r->name),
		    r->lineno, msg);
	mx_errx(MX_EXIT_FAIL, "--assign %s: %s", mx_name(r->name), msg);
}

/* The next line of a model, scanned; one that ends too soon is refused. */
static void
model_line(struct mx_reader *r, struct mx_json *j, struct mx_span *s,
    const char *what)
{
	const char *line;
	ssize_t len;

	do
		if ((len = mx_reader_line(r, &line)) < 0)
			bad_model(r, 0, "ends before its %s", what);
	while (mx_blank(line, (size_t)len));
	if (mx_json_scan(j, line, (size_t)len, s, 1) < 0)
		bad_model(r, 1, "%s", mx_json_errstr(j));
}

/* Read a model of --assign: the features (into feats and sel), the
 * scaling and the centres. */
static void
read_model(struct mx_sel *sel)
{
	struct mx_reader r;
	struct mx_sel *hs = mx_sel_new(), *fs = mx_sel_new(),
	    *cs = mx_sel_new();
	struct mx_json *hj, *fj, *cj;
	struct mx_span s[8 + MAXF];
	struct mx_buf b = { 0 }, path = { 0 };
	char err[256];
	const char *line;
	long j;
	int f;

	if (mx_reader_open(&r, opt.assign) < 0)
		mx_err(MX_EXIT_FAIL, "--assign %s", opt.assign);
	mx_sel_add(hs, "model");
	mx_sel_add(hs, "version");
	mx_sel_add(hs, "k");
	mx_sel_add(hs, "features");
	mx_sel_add(hs, "scale");
	hj = mx_json_new(hs);
	model_line(&r, hj, s, "first line");
	if (s[0].kind != MX_JSTR || s[0].n != 11 ||
	    memcmp(s[0].p, "\"mx-kmeans\"", 11) != 0)
		bad_model(&r, 1, "not a model of mx-kmeans");
	if (s[1].kind != MX_JNUM || s[1].n != 1 || s[1].p[0] != '1')
		bad_model(&r, 1, "a model of another version");
	opt.k = (long)model_num(&r, &s[2], "k");
	if (opt.k < 1 || opt.k > MAXK)
		bad_model(&r, 1, "k: out of range");
	if (s[3].kind != MX_JSTR)
		bad_model(&r, 1, "features: missing");
	line = mx_span_cstr(&s[3], &b);
	if (mx_exprs_parse(&feats, line, sel, err, sizeof err) < 0)
		bad_model(&r, 1, "features: %s", err);
	d = (int)feats.n;
	if (d > MAXF)
		bad_model(&r, 1, "features: more than %d", MAXF);
	mx_sel_add(fs, "feature");
	mx_sel_add(fs, "center");
	mx_sel_add(fs, "scale");
	fj = mx_json_new(fs);
	for (f = 0; f < d; f++) {
		model_line(&r, fj, s, "scaling");
		if (s[0].kind != MX_JSTR ||
		    strcmp(mx_span_cstr(&s[0], &b), feats.v[f].name) != 0)
			bad_model(&r, 1, "not the scaling of feature %s",
			    feats.v[f].name);
		center[f] = model_num(&r, &s[1], "center");
		scalev[f] = model_num(&r, &s[2], "scale");
		if (scalev[f] == 0)
			bad_model(&r, 1, "scale: zero");
	}
	mx_sel_add(cs, "cluster");
	for (f = 0; f < d; f++) {
		path.len = 0;
		mx_buf_printf(&path, "scaled.%d", f);
		mx_sel_add(cs, mx_buf_cstr(&path));
	}
	cj = mx_json_new(cs);
	cent = mx_calloc(opt.k * d, sizeof *cent);
	for (j = 0; j < opt.k; j++) {
		model_line(&r, cj, s, "centroids");
		if (model_num(&r, &s[0], "cluster") != (double)j)
			bad_model(&r, 1, "cluster: not %ld", j);
		for (f = 0; f < d; f++)
			cent[j * d + f] = model_num(&r, &s[1 + f], "scaled");
	}
	mx_reader_close(&r);
	mx_json_free(hj);
	mx_json_free(fj);
	mx_json_free(cj);
	mx_sel_free(hs);
	mx_sel_free(fs);
	mx_sel_free(cs);
	mx_buf_free(&b);
	mx_buf_free(&path);
}

/* ---- output ---- */

static void
put_rec(struct mx_out *o, const char *line, size_t len, uint32_t c,
    const double *x)
{
	struct mx_objw w;

	mx_out_obj_open(&w, o, line, len);
	mx_out_key(&w, "cluster");
	mx_out_uint(o, c);
	if (opt.distance) {
		mx_out_key(&w, "distance");
		put_num(o, sqrt(dist2(x, cent + c * d)));
	}
	mx_out_obj_close(&w);
	cnt.out++;
}

/* Pass 2 of a fit: every record again, with its cluster. */
static void
write_fit(struct mx_out *o, struct input *in, int nin)
{
	struct mx_reader r;
	const char *line;
	uint64_t ord = 0;
	size_t i = 0, ri = 0;
	ssize_t len;
	int fi;

	mx_progress_pass(2);
	for (fi = 0; fi < nin; fi++) {
		in_open(&r, &in[fi], 2, 1);
		while ((len = mx_reader_line(&r, &line)) >= 0) {
			if (mx_blank(line, (size_t)len)) {
				ord++;
				continue;
			}
			if (ri < nrejl && rejl[ri] == ord++) {
				ri++;
				continue;
			}
			if (i == n)
				mx_errx(MX_EXIT_FAIL, "%s: changed while being "
				    "read", mx_name(in[fi].path));
			put_rec(o, line, (size_t)len, lab[i], X + i * d);
			i++;
		}
		if (r.lineno != in[fi].lines || (in[fi].spool == NULL &&
		    r.bytes != in[fi].bytes))
			mx_errx(MX_EXIT_FAIL, "%s: changed while being read",
			    mx_name(in[fi].path));
		mx_reader_close(&r);
	}
}

/* --assign: one pass, each record to the nearest centre of the model. */
static void
write_assign(struct mx_out *o, struct input *in, int nin)
{
	struct mx_reader r;
	const char *line;
	double x[MAXF], bd, t;
	ssize_t len;
	uint32_t j, b;
	int fi, f;

	for (fi = 0; fi < nin; fi++) {
		in_open(&r, &in[fi], 1, 0);
		while ((len = mx_reader_line(&r, &line)) >= 0) {
			if (mx_blank(line, (size_t)len)) {
				cnt.blank++;
				continue;
			}
			cnt.in++;
			if (take(&r, line, (size_t)len, x) < 0)
				continue;
			for (f = 0; f < d; f++)
				x[f] = (x[f] - center[f]) / scalev[f];
			b = 0;
			bd = dist2(x, cent);
			for (j = 1; j < (uint32_t)opt.k; j++)
				if ((t = dist2(x, cent + j * d)) < bd) {
					bd = t;
					b = j;
				}
			put_rec(o, line, (size_t)len, b, x);
		}
		mx_reader_close(&r);
	}
}

/* ---- main ---- */

/* The features no record had: every record was rejected for them, which
 * a warning explains (--strict: an error, and no file published). */
static void
unseen(void)
{
	if (mx_seen_report(&named, mx_opt_strict) == 0 || !mx_opt_strict)
		return;
	if (rej != NULL)
		mx_out_abort(rej);
	mx_out_close(mx_stdout);
	exit(MX_EXIT_FAIL);
}

static void
report(int nin)
{
	if (opt.verbose) {
		if (opt.assign == NULL)
			mx_warnx("%ju in, %ju out, %ju rejected; k %ld: "
			    "inertia %.17g after %ld iterations (best of %ld "
			    "restarts, %ld iterations in all)", cnt.in,
			    cnt.out, cnt.rejected, opt.k, inertia, iters,
			    opt.restarts, alliters);
		else
			mx_warnx("%ju in, %ju out, %ju rejected", cnt.in,
			    cnt.out, cnt.rejected);
	}
	if (mx_opt_stats != NULL) {
		struct mx_out *s = mx_out_open(mx_opt_stats);

		mx_out_printf(s, "{\"tool\":\"mx-kmeans\",\"files\":%d,"
		    "\"in\":%ju,\"out\":%ju,\"rejected\":%ju,\"blank\":%ju,"
		    "\"k\":%ld", nin, cnt.in, cnt.out, cnt.rejected,
		    cnt.blank, opt.k);
		if (opt.assign == NULL) {
			mx_out_printf(s, ",\"restarts\":%ld,\"iterations\":%ld,"
			    "\"all_iterations\":%ld,\"converged\":%s,"
			    "\"inertia\":", opt.restarts, iters, alliters,
			    converged ? "true" : "false");
			put_num(s, inertia);
		}
		mx_out_puts(s, "}\n");
		mx_out_close(s);
	}
}

static long
count_opt(const char *name, const char *arg, long min, long max)
{
	long long v = mx_parse_count(arg);

	if (v < min || v > max) {
		mx_warnx("%s: %ld to %ld", name, min, max);
		usage();
	}
	return (long)v;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "clusters", required_argument, NULL, 'k' },
		{ "features", required_argument, NULL, 'f' },
		{ "scale", required_argument, NULL, 'Z' },
		{ "seed", required_argument, NULL, 'S' },
		{ "restarts", required_argument, NULL, 'n' },
		{ "max-iter", required_argument, NULL, 'I' },
		{ "distance", no_argument, NULL, 'D' },
		{ "model", required_argument, NULL, 'M' },
		{ "assign", required_argument, NULL, 'A' },
		MX_REJECTS_LONGOPT,
		MX_STATS_LONGOPT,
		{ "tmpdir", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		MX_STRICT_LONGOPT,
		MX_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct mx_sel *sel = mx_sel_new();
	struct mx_out *out;
	struct input *in;
	char err[256];
	int c, i, nin, fitopt = 0;

	mx_init(argv[0]);
	while ((c = mx_getopt(argc, argv, "f:k:T:v", longopts, NULL,
	    synopsis)) != -1)
		switch (c) {
		case 'k':
			opt.k = count_opt("-k", optarg, 1, MAXK);
			fitopt = 1;
			break;
		case 'f':
			if (spec.len > 0)
				mx_buf_addc(&spec, ',');
			mx_buf_adds(&spec, optarg);
			fitopt = 1;
			break;
		case 'Z':
			for (i = 0; scales[i] != NULL; i++)
				if (strcmp(optarg, scales[i]) == 0)
					break;
			if (scales[i] == NULL) {
				mx_warnx("--scale: z, minmax or none");
				usage();
			}
			opt.scale = i;
			fitopt = 1;
			break;
		case 'S':
			if (mx_parse_count(optarg) < 0) {
				mx_warnx("--seed: a number from 0");
				usage();
			}
			opt.seed = strtoull(optarg, NULL, 10);
			fitopt = 1;
			break;
		case 'n':
			opt.restarts = count_opt("--restarts", optarg, 1, 1000);
			fitopt = 1;
			break;
		case 'I':
			opt.maxiter = count_opt("--max-iter", optarg, 1,
			    1000000);
			fitopt = 1;
			break;
		case 'D':
			opt.distance = 1;
			break;
		case 'M':
			opt.model = optarg;
			fitopt = 1;
			break;
		case 'A':
			opt.assign = optarg;
			break;
		case 'T':
			opt.tmpdir = optarg;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;

	if (opt.assign != NULL) {
		if (fitopt) {
			mx_warnx("--assign takes its clusters, features and "
			    "scaling from the model");
			usage();
		}
		read_model(sel);
	} else {
		if (opt.k == 0 || spec.len == 0) {
			mx_warnx("-k and -f are required");
			usage();
		}
		if (mx_exprs_parse(&feats, mx_buf_cstr(&spec), sel, err,
		    sizeof err) < 0) {
			mx_warnx("-f: %s", err);
			usage();
		}
		d = (int)feats.n;
		if (d > MAXF) {
			mx_warnx("-f: at most %d features", MAXF);
			usage();
		}
	}
	for (i = 0; i < d; i++)
		for (c = 0; c < i; c++)
			if (strcmp(feats.v[i].name, feats.v[c].name) == 0) {
				mx_warnx("-f: %s twice", feats.v[i].name);
				usage();
			}
	/* with --assign the model names them */
	for (i = 0; i < d; i++)
		(void)mx_seen_add(&named, opt.assign != NULL ? "--assign" :
		    "-f", feats.v[i].path, feats.v[i].sel);
	csel = mx_sel_add(sel, "cluster");
	dsel = mx_sel_add(sel, "distance");
	if (opt.tmpdir == NULL && ((opt.tmpdir = getenv("TMPDIR")) == NULL ||
	    *opt.tmpdir == '\0'))
		opt.tmpdir = "/tmp";
	scan = mx_json_new(sel);
	spans = mx_calloc(mx_sel_count(sel) + 1, sizeof *spans);
	nin = argc > 0 ? argc : 1;
	in = mx_calloc(nin, sizeof *in);
	for (i = 0; i < nin; i++)
		in[i].path = argc > 0 ? argv[i] : "-";

	if (mx_opt_rejects != NULL)
		rej = mx_out_open(mx_opt_rejects);
	out = mx_out_stdout();
	if (opt.assign != NULL) {
		write_assign(out, in, nin);
		unseen();
	} else {
		read_features(in, nin);
		unseen();
		if (n < (size_t)opt.k)
			mx_errx(MX_EXIT_FAIL, "%zu records for %ld clusters: "
			    "too few", n, opt.k);
		standardise();
		fit();
		if (opt.model != NULL)
			write_model();
		write_fit(out, in, nin);
	}
	if (rej != NULL)
		mx_out_close(rej);
	mx_out_flush(out);
	report(nin);
	mx_out_close(out);

	for (i = 0; i < nin; i++)
		free(in[i].spool);
	free(in);
	free(X);
	free(rejl);
	free(cent);
	free(lab);
	free(csize);
	free(spans);
	mx_buf_free(&spec);
	mx_buf_free(&nb);
	mx_json_free(scan);
	mx_exprs_free(&feats);
	mx_sel_free(sel);
	return MX_EXIT_OK;
}
