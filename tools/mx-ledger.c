/*
 * mx-ledger: which raw files are new.
 *
 * A lake takes a raw file in once.  The ledger remembers each file taken
 * in: its name (any bytes a file system allows), size, modification time,
 * the XXH3 of its content and the run that took it.  Given the files that
 * are there now, mx-ledger writes the names of the new ones and the
 * ledger as it will be once they are in; the caller puts that ledger in
 * place after the data it describes is safe.  A file in the ledger with
 * another size or time is hashed: the same content is touched, not new;
 * other content is reported and not read again (raw files are immutable:
 * new content needs a new name).  A new name whose content is already in
 * is reported and skipped.
 *
 * The ledger is NDJSON, so a name with a tab or a newline is one field of
 * one line; a name that is not UTF-8 is written for people with U+FFFD
 * and exactly, in base64, in path_base64.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mx.h"

static struct {
	const char	*ledger, *out, *run, *files0;
	int		 nul, nofollow, verbose;
} opt;

static struct {
	uintmax_t	files, known, touched, changed, same, links, new;
} cnt;

/* A file of the ledger, or one seen now. */
struct ent {
	char		*name;		/* exact bytes */
	size_t		 len;
	long long	 size, mtime;
	uint64_t	 xxh3;
	char		*run;
};

static struct ent	*led;		/* the ledger, sorted by name */
static size_t		 nled;
static struct ent	*add;		/* this run's new files, in order */
static size_t		 nadd;
static struct mx_out	*out;
static struct mx_buf	 vis;

static const char synopsis[] =
	    "usage: mx-ledger -l ledger [-0v] [--out file] [--run id] [--no-follow]\n"
	    "                 [--stats file] [--files0-from file] [file ...]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

/* A name as it can be shown on a terminal. */
static const char *
show(const char *p, size_t n)
{
	vis.len = 0;
	mx_buf_vis(&vis, p, n);
	return mx_buf_cstr(&vis);
}

static int
namecmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c != 0 ? c : (an > bn) - (an < bn);
}

static int
entcmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;

	return namecmp(x->name, x->len, y->name, y->len);
}

static struct ent *
find(const char *p, size_t n)
{
	struct ent k;

	k.name = (char *)p;
	k.len = n;
	return nled > 0 ? bsearch(&k, led, nled, sizeof *led, entcmp) : NULL;
}

static const char *
hashname(uint64_t xxh3, const char *skip, size_t skiplen, size_t *len)
{
	size_t i;

	for (i = 0; i < nled; i++)
		if (led[i].xxh3 == xxh3 && namecmp(led[i].name, led[i].len,
		    skip, skiplen) != 0) {
			*len = led[i].len;
			return led[i].name;
		}
	for (i = 0; i < nadd; i++)
		if (add[i].xxh3 == xxh3) {
			*len = add[i].len;
			return add[i].name;
		}
	return NULL;
}

/* The ledger of earlier runs (a missing file is an empty ledger). */
static void
readledger(void)
{
	static const char *const f[] = { "path", "path_base64", "size",
	    "mtime", "xxh3", "run" };
	struct mx_sel *sel = mx_sel_new();
	struct mx_json *j;
	struct mx_span sp[6];
	struct mx_reader r;
	struct mx_buf b = { 0 };
	struct ent *e;
	const char *line;
	ssize_t n;
	size_t k;
	int bad;

	for (k = 0; k < 6; k++)
		mx_sel_add(sel, f[k]);
	j = mx_json_new(sel);
	if (mx_reader_open(&r, opt.ledger) < 0) {
		if (errno != ENOENT)
			mx_err(MX_EXIT_FAIL, "%s", opt.ledger);
		goto done;
	}
	while ((n = mx_reader_line(&r, &line)) >= 0) {
		if (mx_blank(line, (size_t)n))
			continue;
		bad = mx_json_scan(j, line, (size_t)n, sp, 1) < 0 ||
		    sp[0].kind != MX_JSTR || sp[2].kind != MX_JNUM ||
		    sp[3].kind != MX_JNUM || sp[4].kind != MX_JSTR ||
		    sp[5].kind != MX_JSTR || (sp[1].kind != MX_JNONE &&
		    sp[1].kind != MX_JSTR);
		if (bad)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: not a ledger line (path, "
			    "size, mtime, xxh3, run)", opt.ledger, r.lineno);
		led = mx_reallocarray(led, nled + 1, sizeof *led);
		e = &led[nled++];
		memset(e, 0, sizeof *e);
		b.len = 0;
		if (sp[1].kind == MX_JSTR) {
			struct mx_buf t = { 0 };

			mx_json_unescape(&sp[1], &t);
			if (mx_unb64(&b, t.p, t.len) < 0)
				bad = 1;
			mx_buf_free(&t);
		} else
			mx_json_unescape(&sp[0], &b);
		e->len = b.len;
		e->name = mx_malloc(b.len + 1);
		if (b.len > 0)
			memcpy(e->name, b.p, b.len);
		e->name[b.len] = '\0';
		e->size = strtoll(mx_span_cstr(&sp[2], &b), NULL, 10);
		e->mtime = strtoll(mx_span_cstr(&sp[3], &b), NULL, 10);
		mx_span_cstr(&sp[4], &b);
		if (b.len != 16 || mx_hash64_unhex(b.p, &e->xxh3) < 0)
			bad = 1;
		e->run = mx_strdup(mx_span_cstr(&sp[5], &b));
		if (bad)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: not a ledger line (bad "
			    "path_base64 or xxh3)", opt.ledger, r.lineno);
	}
	mx_reader_close(&r);
done:
	if (nled > 1)
		qsort(led, nled, sizeof *led, entcmp);
	mx_buf_free(&b);
	mx_json_free(j);
	mx_sel_free(sel);
}

/* The XXH3-64 of a file's bytes, read in chunks. */
static uint64_t
hashfile(const char *path)
{
	struct mx_hash64 *h = mx_hash64_new();
	char buf[1 << 16];
	ssize_t n;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL)
		mx_err(MX_EXIT_FAIL, "%s", show(path, strlen(path)));
	while ((n = (ssize_t)fread(buf, 1, sizeof buf, fp)) > 0)
		mx_hash64_update(h, buf, (size_t)n);
	if (ferror(fp))
		mx_err(MX_EXIT_FAIL, "%s", show(path, strlen(path)));
	fclose(fp);
	return mx_hash64_end(h);
}

static void
one(const char *path)
{
	size_t n = strlen(path), olen;
	struct ent *e;
	struct stat st;
	const char *other;
	uint64_t h;

	cnt.files++;
	if (lstat(path, &st) < 0)
		mx_err(MX_EXIT_FAIL, "%s", show(path, n));
	if (S_ISLNK(st.st_mode)) {
		if (opt.nofollow) {
			mx_warnx("%s: a symbolic link; not followed "
			    "(--no-follow)", show(path, n));
			cnt.links++;
			return;
		}
		if (stat(path, &st) < 0)
			mx_err(MX_EXIT_FAIL, "%s", show(path, n));
	}
	if (!S_ISREG(st.st_mode)) {
		mx_warnx("%s: not a regular file; skipped", show(path, n));
		cnt.links++;
		return;
	}
	if ((e = find(path, n)) != NULL) {
		if (e->size == (long long)st.st_size &&
		    e->mtime == (long long)st.st_mtime) {
			cnt.known++;
			return;
		}
		if (hashfile(path) == e->xxh3) {
			cnt.touched++;
			return;
		}
		mx_warnx("%s: changed since run %s took it in; not read again "
		    "(give the new content a new name)", show(path, n), e->run);
		cnt.changed++;
		return;
	}
	h = hashfile(path);
	if ((other = hashname(h, path, n, &olen)) != NULL) {
		char *o = mx_strdup(show(other, olen));

		mx_warnx("%s: the same content as %s, which is in; skipped",
		    show(path, n), o);
		free(o);
		cnt.same++;
		return;
	}
	add = mx_reallocarray(add, nadd + 1, sizeof *add);
	e = &add[nadd++];
	memset(e, 0, sizeof *e);
	e->name = mx_strdup(path);
	e->len = n;
	e->size = (long long)st.st_size;
	e->mtime = (long long)st.st_mtime;
	e->xxh3 = h;
	cnt.new++;
	mx_out_write(out, path, n);
	mx_out_putc(out, opt.nul ? '\0' : '\n');
}

static void
putline(struct mx_out *o, const struct ent *e)
{
	struct mx_buf b = { 0 };
	char hex[17];

	mx_out_puts(o, "{\"path\":");
	if (mx_json_name(&b, e->name, e->len)) {
		mx_out_write(o, b.p, b.len);
		b.len = 0;
		mx_b64(&b, e->name, e->len);
		mx_out_puts(o, ",\"path_base64\":\"");
		mx_out_write(o, b.p, b.len);
		mx_out_putc(o, '"');
	} else
		mx_out_write(o, b.p, b.len);
	mx_hash64_hex(e->xxh3, hex);
	mx_out_printf(o, ",\"size\":%lld,\"mtime\":%lld,\"xxh3\":\"%s\","
	    "\"run\":", e->size, e->mtime, hex);
	mx_out_jstr(o, opt.run, strlen(opt.run));
	mx_out_puts(o, "}\n");
	mx_buf_free(&b);
}

/* The ledger once the new files are in: the old lines as they were, then
 * this run's, in the order given. */
static void
writeledger(void)
{
	struct mx_out *o = mx_out_open(opt.out);
	struct mx_reader r;
	const char *line;
	ssize_t n;
	size_t i;

	/* in the old file's order, not the sorted one */
	if (mx_reader_open(&r, opt.ledger) == 0) {
		while ((n = mx_reader_line(&r, &line)) >= 0)
			if (!mx_blank(line, (size_t)n)) {
				mx_out_write(o, line, (size_t)n);
				mx_out_putc(o, '\n');
			}
		mx_reader_close(&r);
	}
	for (i = 0; i < nadd; i++)
		putline(o, &add[i]);
	mx_out_close(o);
}

static void
report(void)
{
	struct mx_out *s;

	if (opt.verbose)
		mx_warnx("%ju files: %ju new, %ju in already, %ju touched, %ju "
		    "changed, %ju the same as another, %ju skipped", cnt.files,
		    cnt.new, cnt.known, cnt.touched, cnt.changed, cnt.same,
		    cnt.links);
	if (mx_opt_stats == NULL)
		return;
	s = mx_out_open(mx_opt_stats);
	mx_out_printf(s, "{\"tool\":\"mx-ledger\",\"files\":%ju,\"new\":%ju,"
	    "\"known\":%ju,\"touched\":%ju,\"changed\":%ju,\"same\":%ju,"
	    "\"skipped\":%ju}\n", cnt.files, cnt.new, cnt.known, cnt.touched,
	    cnt.changed, cnt.same, cnt.links);
	mx_out_close(s);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "ledger", required_argument, NULL, 'l' },
		{ "out", required_argument, NULL, 'o' },
		{ "run", required_argument, NULL, 'r' },
		MX_STATS_LONGOPT,
		{ "files0-from", required_argument, NULL, 'F' },
		{ "no-follow", no_argument, NULL, 'N' },
		{ "null", no_argument, NULL, '0' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	char *f0 = NULL;
	size_t i, n0;
	int c;

	mx_init(argv[0]);
	opt.run = "";
	while ((c = mx_getopt(argc, argv, "0l:o:r:v", longopts, NULL,
	    synopsis)) != -1)
		switch (c) {
		case '0':
			opt.nul = 1;
			break;
		case 'l':
			opt.ledger = optarg;
			break;
		case 'o':
			opt.out = optarg;
			break;
		case 'r':
			opt.run = optarg;
			break;
		case 'F':
			opt.files0 = optarg;
			break;
		case 'N':
			opt.nofollow = 1;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;
	if (opt.ledger == NULL || (opt.files0 != NULL && argc > 0))
		usage();
	readledger();
	out = mx_out_stdout();
	if (opt.files0 != NULL) {
		char *p;

		f0 = mx_files0(opt.files0, &n0);
		for (p = f0; p < f0 + n0; p += strlen(p) + 1)
			one(p);
	} else
		for (i = 0; i < (size_t)argc; i++)
			one(argv[i]);
	if (opt.out != NULL)
		writeledger();
	report();
	mx_out_close(out);
	for (i = 0; i < nled; i++) {
		free(led[i].name);
		free(led[i].run);
	}
	for (i = 0; i < nadd; i++)
		free(add[i].name);
	free(led);
	free(add);
	free(f0);
	mx_buf_free(&vis);
	return MX_EXIT_OK;
}
