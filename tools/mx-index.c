/*
 * mx-index: which partitions of a table hold a key.
 *
 * A table partitioned by date and deduplicated by an id is deduplicated
 * only within a partition unless something remembers where each id
 * lives: a click re-sent just after midnight lands in the next day, and
 * an order corrected to another date in another month.  The index is
 * that memory: for every key of the table the partitions that hold it,
 * as 128-bit hashes of the key (compared by value, as mx-dedup compares
 * keys), kept sorted on disk.  `find` tells which partitions a batch of
 * new records touches besides its own, so that rebuilding those too
 * keeps one record per key over the whole table; `put` records what
 * partitions hold after they were rewritten.
 *
 * Both stream the index and hold only the new side in memory: a key of
 * the records read costs 16 bytes in `find`, 24 in `put`, up to -m; past
 * it the keys are sorted in runs on disk and merged (xsort.h).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mx.h"
#include "keyindex.h"
#include "xsort.h"

static struct {
	const char	*index, *root, *pspec, *outdir;
	char		**from;		/* --from, nfrom of them */
	size_t		 nfrom;
	int		 all, verbose, earliest;
	long long	 memory;
} opt = { .memory = (long long)1 << 30 };

static struct {
	uintmax_t	records, nokey, blank, keys, found, parts, entries;
	uintmax_t	removed, runs, dropped;
} cnt;

enum cmd { C_FIND, C_PUT, C_DROPS };

static struct mx_exprs	 keys;
static struct mx_exprs	 pkeys;		/* find -p: the partition keys */
static struct mx_seen	 named;		/* the fields of -k and -p */
static struct {
	char	**v;
	size_t	  n;
} own;				/* find -p: the records' own partitions */
static struct mx_sel	*sel;
static struct mx_json	*scan;
static struct mx_span	*spans;
static struct mx_buf	 kb;
static struct mx_out	*out;
static char		*spec;

static const char synopsis[] =
	    "usage: mx-index -i index -k keys [-v] [-m size] [-T dir] [--stats file]\n"
	    "                [--strict] [--max-record size] [--max-depth n]\n"
	    "                find [-p keys] [file ...]\n"
	    "       mx-index -i index -k keys [-v] [-m size] [-T dir] [--stats file]\n"
	    "                [--strict] [--max-record size] [--max-depth n]\n"
	    "                put -d root --all | partition ...\n"
	    "       mx-index -i index -k keys [-v] [--stats file]\n"
	    "                put [-d root] --from file ... partition ...\n"
	    "       mx-index -i index -k keys [-v] [--stats file]\n"
	    "                drops [--earliest] -o dir [new-index ...]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

static int
strpcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* find -p: the partition the record itself goes to, as mx-partition
 * names it, kept once. */
static void
ownpart(const char *path, uintmax_t line)
{
	static struct mx_buf pb, tmp;
	static uint64_t *seen;
	static size_t nseen, cap, last;
	uint64_t h;
	size_t i;

	pb.len = 0;
	if (mx_hive_path(&pb, &pkeys, spans, &tmp) < 0)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: -p: a partition key is an object, "
		    "an array, or not a time its function can read",
		    mx_name(path), line);
	/* most records go where the one before went; partitions are few */
	h = mx_hash64(pb.p, pb.len);
	if (last < nseen && seen[last] == h &&
	    strcmp(own.v[last], mx_buf_cstr(&pb)) == 0)
		return;
	for (i = nseen; i-- > 0;)
		if (seen[i] == h && strcmp(own.v[i], mx_buf_cstr(&pb)) == 0) {
			last = i;
			return;
		}
	last = nseen;
	if (nseen == cap) {
		cap = cap ? cap * 2 : 64;
		seen = mx_reallocarray(seen, cap, sizeof *seen);
		own.v = mx_reallocarray(own.v, cap, sizeof *own.v);
	}
	seen[nseen] = h;
	own.v[nseen++] = mx_strndup(pb.p, pb.len);
	own.n = nseen;
}

/* Read the records of path; each keyed one is handed to add() with its
 * hash.  A record that is not one JSON object ends the run: the inputs
 * are tables mx wrote, and a damaged one must not be indexed. */
static void
readkeys(const char *path, void (*add)(struct mx_h128, void *), void *arg)
{
	struct mx_reader r;
	const char *line;
	ssize_t n;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_FAIL, "%s", mx_name(path));
	while ((n = mx_reader_line(&r, &line)) >= 0) {
		if (mx_blank(line, (size_t)n)) {
			cnt.blank++;
			continue;
		}
		cnt.records++;
		if (mx_json_scan(scan, line, (size_t)n, spans, 1) < 0)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(path),
			    r.lineno, mx_json_errstr(scan));
		mx_seen_spans(&named, spans);
		if (pkeys.n > 0)
			ownpart(path, r.lineno);
		if (mx_exprs_canon(&keys, spans, &kb) > 0) {
			cnt.nokey++;
			continue;
		}
		add(mx_hash128(kb.p, kb.len), arg);
	}
	mx_reader_close(&r);
}

/* The fields no record had, once every input is read: with --strict an
 * error, before anything is written. */
static void
unseen(void)
{
	if (mx_seen_report(&named, mx_opt_strict) > 0 && mx_opt_strict)
		exit(MX_EXIT_FAIL);
}

/* ---- find ---- */

static struct mx_xsort	*xs;	/* the keys read (find), the new entries (put) */

static void
addq(struct mx_h128 h, void *arg)
{
	(void)arg;
	mx_xsort_add(xs, &h);
}

static int
hcmp(const void *a, const void *b)
{
	return mx_h128_cmp(*(const struct mx_h128 *)a,
	    *(const struct mx_h128 *)b);
}

static void
find(int argc, char *argv[])
{
	struct mx_kidx_reader *r;
	struct mx_kidx_ent e;
	unsigned char *hit;
	const struct mx_h128 *h;
	char err[512];
	size_t i;
	int st;

	/* a bad index is told before any input is read */
	if ((r = mx_kidx_open(opt.index, spec, err, sizeof err)) == NULL)
		mx_errx(MX_EXIT_FAIL, "%s", err);
	xs = mx_xsort_new(sizeof *h, hcmp, opt.memory);
	mx_xsort_hashed(xs);
	if (argc == 0)
		readkeys("-", addq, NULL);
	for (i = 0; i < (size_t)argc; i++)
		readkeys(argv[i], addq, NULL);
	unseen();
	hit = mx_calloc(mx_kidx_nparts(r) + 1, 1);
	/* both sides sorted: one merge, whatever the size of the index */
	h = mx_xsort_next(xs);
	while ((st = mx_kidx_next(r, &e, err, sizeof err)) > 0) {
		for (; h != NULL && mx_h128_cmp(*h, e.h) < 0;
		    h = mx_xsort_next(xs))
			cnt.keys++;
		if (h != NULL && mx_h128_cmp(*h, e.h) == 0) {
			if (!hit[e.part])
				cnt.parts++;
			hit[e.part] = 1;
		}
	}
	if (st < 0)
		mx_errx(MX_EXIT_FAIL, "%s", err);
	for (; h != NULL; h = mx_xsort_next(xs))
		cnt.keys++;
	cnt.runs = mx_xsort_runs(xs);
	/* the partitions found, and with -p the records' own, once each */
	for (i = 0; i < mx_kidx_nparts(r); i++)
		if (hit[i]) {
			own.v = mx_reallocarray(own.v, own.n + 1, sizeof *own.v);
			own.v[own.n++] = mx_strdup(mx_kidx_part(r, i));
		}
	if (own.n > 1)
		qsort(own.v, own.n, sizeof *own.v, strpcmp);
	for (i = 0; i < own.n; i++)
		if (i == 0 || strcmp(own.v[i - 1], own.v[i]) != 0) {
			mx_out_puts(out, own.v[i]);
			mx_out_putc(out, '\n');
		}
	for (i = 0; i < own.n; i++)
		free(own.v[i]);
	free(own.v);
	free(hit);
	mx_kidx_close(r);
	mx_xsort_free(xs);
}

/* ---- put ---- */

static uintmax_t	nadded;

/* arg: the number of the partition in up.v */
static void
addent(struct mx_h128 h, void *arg)
{
	struct mx_kidx_ent e;

	memset(&e, 0, sizeof e);	/* no unset padding in a spill file */
	e.h = h;
	e.part = (uint32_t)(uintptr_t)arg;
	mx_xsort_add(xs, &e);
	nadded++;
}

static int
entcmp(const void *a, const void *b)
{
	return mx_kidx_cmp(a, b);
}


/* A partition is a directory path below the root: no absolute path, no
 * empty, "." or ".." component, so that no name reaches outside it. */
static char *
partname(const char *s)
{
	char *p = mx_strdup(s), *c, *e;
	size_t n = strlen(p);

	while (n > 0 && p[n - 1] == '/')
		p[--n] = '\0';
	if (n == 0 || p[0] == '/')
		goto bad;
	for (c = p; c != NULL; c = e ? e + 1 : NULL) {
		e = strchr(c, '/');
		n = e ? (size_t)(e - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			goto bad;
	}
	return p;
bad:
	mx_errx(MX_EXIT_USAGE, "'%s': not a partition (a directory path "
	    "below the root, such as event_date=2024-03-01)", s);
}

/* The data files of a partition, sorted: what mx-partition writes. */
static int
datafile(const char *name)
{
	size_t n = strlen(name);

	return strncmp(name, "part-", 5) == 0 && ((n > 7 &&
	    strcmp(name + n - 7, ".ndjson") == 0) || (n > 10 &&
	    strcmp(name + n - 10, ".ndjson.gz") == 0));
}

static size_t
listfiles(const char *dir, char ***files)
{
	struct dirent *d;
	char **v = NULL;
	size_t n = 0;
	DIR *dp;

	*files = NULL;
	if ((dp = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;	/* gone: the partition is empty */
		mx_err(MX_EXIT_FAIL, "%s", dir);
	}
	while ((d = readdir(dp)) != NULL)
		if (datafile(d->d_name)) {
			v = mx_reallocarray(v, n + 1, sizeof *v);
			v[n++] = mx_strdup(d->d_name);
		}
	closedir(dp);
	if (n > 1)
		qsort(v, n, sizeof *v, strpcmp);
	*files = v;
	return n;
}

static struct {
	char	**v;
	size_t	  n;
} up;				/* the partitions to record again */

/* --from: the files, each a reader, its partitions' numbers in up.v and
 * its next entry; a heap of the files by their next entry when there
 * are several. */
static struct fsrc {
	struct mx_kidx_reader	*r;
	const char		*path;
	uint32_t		*map;
	struct mx_kidx_ent	 cur;
} *from;
static size_t		 nfrom, *heap, nheap;

/* The next entry of source i into its cur: 0 at its end. */
static int
fsrc_next(size_t i)
{
	char err[512];
	int st;

	if ((st = mx_kidx_next(from[i].r, &from[i].cur, err, sizeof err)) < 0)
		mx_errx(MX_EXIT_FAIL, "%s", err);
	if (st > 0)
		from[i].cur.part = from[i].map[from[i].cur.part];
	return st;
}

static int
heap_less(size_t a, size_t b)
{
	return mx_kidx_cmp(&from[heap[a]].cur, &from[heap[b]].cur) < 0;
}

static void
heap_down(size_t i)
{
	size_t c, t;

	for (; (c = 2 * i + 1) < nheap; i = c) {
		if (c + 1 < nheap && heap_less(c + 1, c))
			c++;
		if (!heap_less(c, i))
			break;
		t = heap[i];
		heap[i] = heap[c];
		heap[c] = t;
	}
}

/* The next new entry, in order: from the keys read (sorted by xs), or
 * the files open_from opened, each sorted already (their names are
 * sorted and among those they are numbered in, so the numbers keep
 * their order), merged; an entry in two files is given once; NULL at
 * the end.  Valid until the next call. */
static const struct mx_kidx_ent *
next_new(void)
{
	static struct mx_kidx_ent e;
	static int any;
	struct mx_kidx_ent c;

	if (xs != NULL)
		return mx_xsort_next(xs);
	while (nheap > 0) {
		c = from[heap[0]].cur;
		if (fsrc_next(heap[0]) == 0)
			heap[0] = heap[--nheap];
		heap_down(0);
		if (any && mx_kidx_cmp(&c, &e) == 0)
			continue;
		e = c;
		any = 1;
		return &e;
	}
	return NULL;
}

/* --from FILE...: the partitions of each FILE, a key index mx-partition
 * --index wrote, hold what its entries say; each must be among the
 * sorted names nv[0..nn), whose numbers the entries take.  has[i]: nv[i]
 * holds a keyed record. */
static void
open_from(char **paths, size_t n, char **nv, size_t nn, unsigned char *has)
{
	char err[512], **f;
	const char *nm;
	size_t i, j;

	from = mx_calloc(n, sizeof *from);
	heap = mx_calloc(n, sizeof *heap);
	nfrom = n;
	for (j = 0; j < n; j++) {
		struct fsrc *fs = &from[j];

		fs->path = paths[j];
		if ((fs->r = mx_kidx_open(fs->path, spec, err,
		    sizeof err)) == NULL)
			mx_errx(MX_EXIT_FAIL, "%s", err);
		fs->map = mx_calloc(mx_kidx_nparts(fs->r) + 1,
		    sizeof *fs->map);
		for (i = 0; i < mx_kidx_nparts(fs->r); i++) {
			nm = mx_kidx_part(fs->r, i);
			if ((f = bsearch(&nm, nv, nn, sizeof *nv,
			    strpcmp)) == NULL)
				mx_errx(MX_EXIT_FAIL, "%s: partition %s is not "
				    "among those named", fs->path, nm);
			fs->map[i] = (uint32_t)(f - nv);
			if (has != NULL)
				has[f - nv] = 1;
		}
	}
	for (j = 0; j < n; j++)
		if (fsrc_next(j) > 0)
			heap[nheap++] = j;
	for (j = nheap / 2; j-- > 0;)
		heap_down(j);
}

static void
close_from(void)
{
	size_t j;

	for (j = 0; j < nfrom; j++) {
		mx_kidx_close(from[j].r);
		free(from[j].map);
	}
	free(from);
	free(heap);
}

static void
addup(char *name)
{
	up.v = mx_reallocarray(up.v, up.n + 1, sizeof *up.v);
	up.v[up.n++] = name;
}

/* --all: every directory below root that holds data files, skipping
 * hidden ones ('.': staging, '_': metadata). */
static void
walk(struct mx_buf *rel)
{
	struct mx_buf path = { 0 };
	struct dirent *d;
	struct stat st;
	size_t len = rel->len;
	int data = 0;
	DIR *dp;

	mx_buf_printf(&path, "%s/%s", opt.root, mx_buf_cstr(rel));
	if ((dp = opendir(mx_buf_cstr(&path))) == NULL)
		mx_err(MX_EXIT_FAIL, "%s", path.p);
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.' || d->d_name[0] == '_')
			continue;
		if (datafile(d->d_name)) {
			data = 1;
			continue;
		}
		path.len = 0;
		mx_buf_printf(&path, "%s/%s%s", opt.root, mx_buf_cstr(rel),
		    d->d_name);
		if (stat(mx_buf_cstr(&path), &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		mx_buf_printf(rel, "%s/", d->d_name);
		walk(rel);
		rel->len = len;
	}
	closedir(dp);
	if (data && len > 0)
		addup(mx_strndup(rel->p, len - 1));
	mx_buf_free(&path);
}

/* Write the new entries n and after that come before e (all of them when
 * e is NULL), numbered as in the new index; the first one not written. */
static const struct mx_kidx_ent *
put_new(struct mx_kidx_writer *w, const struct mx_kidx_ent *n,
    const uint32_t *upmap, const struct mx_kidx_ent *e)
{
	struct mx_kidx_ent m;

	for (; n != NULL; n = next_new()) {
		m = *n;
		m.part = upmap[n->part];
		if (e != NULL && mx_kidx_cmp(&m, e) >= 0)
			break;
		mx_kidx_add(w, &m);
		cnt.keys++;
	}
	return n;
}

static void
put(int argc, char *argv[])
{
	struct mx_kidx_reader *r;
	struct mx_kidx_writer *w;
	struct mx_kidx_ent e;
	const struct mx_kidx_ent *n;
	struct mx_buf path = { 0 };
	char err[512], **names, **files;
	uint32_t *map, *upmap;
	size_t i, j, k, nn, nf, nold;
	int st;

	if (opt.all) {
		struct mx_buf rel = { 0 };

		if (argc > 0)
			usage();
		walk(&rel);
		mx_buf_free(&rel);
	} else {
		if (argc == 0)
			usage();
		for (i = 0; i < (size_t)argc; i++)
			addup(partname(argv[i]));
	}
	if (up.n > 1)
		qsort(up.v, up.n, sizeof *up.v, strpcmp);
	for (i = j = 0; i < up.n; i++)
		if (j == 0 || strcmp(up.v[j - 1], up.v[i]) != 0)
			up.v[j++] = up.v[i];
		else
			free(up.v[i]);
	up.n = j;

	if ((r = mx_kidx_open(opt.index, spec, err, sizeof err)) == NULL)
		mx_errx(MX_EXIT_FAIL, "%s", err);
	nold = mx_kidx_nparts(r);
	/* The new partition names: the old ones not named again, and the
	 * named ones that hold a keyed record; both lists are sorted, so
	 * the numbers of the kept old ones keep their order. */
	names = mx_calloc(nold + up.n + 1, sizeof *names);
	nn = 0;
	for (i = 0; i < nold; i++) {
		const char *nm = mx_kidx_part(r, i);

		if (bsearch(&nm, up.v, up.n, sizeof *up.v, strpcmp) == NULL)
			names[nn++] = (char *)nm;
	}
	if (opt.nfrom > 0) {
		unsigned char *has = mx_calloc(up.n + 1, 1);

		open_from(opt.from, opt.nfrom, up.v, up.n, has);
		for (i = 0; i < up.n; i++)
			if (has[i])
				names[nn++] = up.v[i];
		free(has);
	} else {
		xs = mx_xsort_new(sizeof e, entcmp, opt.memory);
		mx_xsort_hashed(xs);
	}
	for (i = 0; opt.nfrom == 0 && i < up.n; i++) {
		uintmax_t before = nadded;

		path.len = 0;
		mx_buf_printf(&path, "%s/%s", opt.root, up.v[i]);
		nf = listfiles(mx_buf_cstr(&path), &files);
		for (k = 0; k < nf; k++) {
			path.len = 0;
			mx_buf_printf(&path, "%s/%s/%s", opt.root, up.v[i],
			    files[k]);
			readkeys(mx_buf_cstr(&path), addent,
			    (void *)(uintptr_t)i);
			free(files[k]);
		}
		free(files);
		if (nadded > before)
			names[nn++] = up.v[i];
	}
	qsort(names, nn, sizeof *names, strpcmp);
	for (i = j = 0; i < nn; i++)
		if (j == 0 || strcmp(names[j - 1], names[i]) != 0)
			names[j++] = names[i];
	nn = j;
	/* old number -> new number, or UINT32_MAX when read again */
	map = mx_calloc(nold + 1, sizeof *map);
	for (i = j = 0; i < nold; i++) {
		const char *nm = mx_kidx_part(r, i);

		if (bsearch(&nm, up.v, up.n, sizeof *up.v, strpcmp) != NULL) {
			map[i] = UINT32_MAX;
			continue;
		}
		/* kept: in names, at or after j (both lists are sorted) */
		while (strcmp(names[j], nm) != 0)
			j++;
		map[i] = (uint32_t)j;
	}
	/* a partition read again -> its new number; the order of the new
	 * entries, by hash and then up.v's order, is the same by hash and
	 * then the new numbers (both lists are sorted) */
	upmap = mx_calloc(up.n + 1, sizeof *upmap);
	for (i = 0; i < up.n; i++) {
		char **f = bsearch(&up.v[i], names, nn, sizeof *names,
		    strpcmp);

		upmap[i] = f != NULL ? (uint32_t)(f - names) : UINT32_MAX;
	}
	unseen();

	w = mx_kidx_create(opt.index, spec, names, nn);
	/* (the sort gives a key twice in one partition once) */
	n = next_new();
	while ((st = mx_kidx_next(r, &e, err, sizeof err)) > 0) {
		if (map[e.part] == UINT32_MAX) {
			cnt.removed++;
			continue;
		}
		e.part = map[e.part];
		/* the new entries are of other partitions: never equal */
		n = put_new(w, n, upmap, &e);
		mx_kidx_add(w, &e);
		cnt.entries++;
	}
	if (st < 0)
		mx_errx(MX_EXIT_FAIL, "%s", err);
	(void)put_new(w, n, upmap, NULL);
	cnt.entries += cnt.keys;
	cnt.runs = xs != NULL ? mx_xsort_runs(xs) : 0;
	/* the old index was whole (its checksum held): replace it */
	mx_kidx_commit(w);
	cnt.parts = nn;
	free(map);
	free(upmap);
	free(names);
	mx_kidx_close(r);
	close_from();
	if (xs != NULL)
		mx_xsort_free(xs);
	for (i = 0; i < up.n; i++)
		free(up.v[i]);
	free(up.v);
	mx_buf_free(&path);
}

/* ---- drops ---- */

/*
 * A table whose records are split by a time (-k 'event_date=date(ts)')
 * and deduplicated by the latest of that time can be rebuilt a partition
 * at a time, on different hosts, once each partition knows the keys whose
 * winner is in another: for a key in two partitions or more, the winner
 * is in the latest of them (their names sort as their times do), or the
 * earliest with --earliest.  The new indexes are those mx-partition
 * --index wrote of the new records, partitioned apart; the table's index
 * tells where the keys already are.  Only keys of the new records count:
 * the table holds one record per key.  Every side is sorted: one merge
 * of them all, in the memory of a few buffers and the keys to drop.
 */
struct droplist {
	struct mx_h128	*h;
	size_t		 n, cap;
};

/* The partitions of the key under way (both sides'). */
static struct {
	uint32_t	*v;
	size_t		 n, cap;
} grp;

static void
grp_add(uint32_t part)
{
	if (grp.n == grp.cap) {
		grp.cap = grp.cap ? grp.cap * 2 : 16;
		grp.v = mx_reallocarray(grp.v, grp.cap, sizeof *grp.v);
	}
	grp.v[grp.n++] = part;
}

static void
drops(int argc, char *argv[])
{
	struct mx_kidx_reader *r, *nr;
	struct mx_kidx_ent te;
	const struct mx_kidx_ent *n;
	struct droplist *dl;
	struct mx_keyfile *kf;
	struct mx_buf path = { 0 };
	uint32_t *rmap;
	unsigned char *touched;
	char err[512], **names;
	size_t i, j, k, nn = 0;
	int tst;

	if (opt.outdir == NULL)
		usage();
	if ((r = mx_kidx_open(opt.index, spec, err, sizeof err)) == NULL)
		mx_errx(MX_EXIT_FAIL, "%s", err);
	/* the names of all, sorted: their numbers keep the names' order */
	names = mx_calloc(mx_kidx_nparts(r) + 1, sizeof *names);
	for (i = 0; i < mx_kidx_nparts(r); i++)
		names[nn++] = mx_strdup(mx_kidx_part(r, i));
	for (j = 0; j < (size_t)argc; j++) {
		if ((nr = mx_kidx_open(argv[j], spec, err, sizeof err)) == NULL)
			mx_errx(MX_EXIT_FAIL, "%s", err);
		names = mx_reallocarray(names, nn + mx_kidx_nparts(nr) + 1,
		    sizeof *names);
		for (i = 0; i < mx_kidx_nparts(nr); i++)
			names[nn++] = mx_strdup(mx_kidx_part(nr, i));
		mx_kidx_close(nr);
	}
	qsort(names, nn, sizeof *names, strpcmp);
	for (i = k = 0; i < nn; i++)
		if (k == 0 || strcmp(names[k - 1], names[i]) != 0)
			names[k++] = names[i];
		else
			free(names[i]);
	nn = k;
	rmap = mx_calloc(mx_kidx_nparts(r) + 1, sizeof *rmap);
	for (i = 0; i < mx_kidx_nparts(r); i++) {
		const char *nm = mx_kidx_part(r, i);

		rmap[i] = (uint32_t)((char **)bsearch(&nm, names, nn,
		    sizeof *names, strpcmp) - names);
	}
	/* the new entries, merged as they are read (each file is sorted,
	 * and its numbers in names keep their order) */
	open_from(argv, (size_t)argc, names, nn, NULL);
	touched = mx_calloc(nn + 1, 1);
	dl = mx_calloc(nn + 1, sizeof *dl);
	/* both sides sorted by hash: a key's partitions come together */
	n = next_new();
	if ((tst = mx_kidx_next(r, &te, err, sizeof err)) < 0)
		mx_errx(MX_EXIT_FAIL, "%s", err);
	while (n != NULL) {
		struct mx_h128 h = n->h;
		uint32_t win;

		for (; tst > 0 && mx_h128_cmp(te.h, h) < 0;
		    tst = mx_kidx_next(r, &te, err, sizeof err))
			;
		if (tst < 0)
			mx_errx(MX_EXIT_FAIL, "%s", err);
		cnt.keys++;
		grp.n = 0;
		for (; n != NULL && mx_h128_cmp(n->h, h) == 0; n = next_new())
			grp_add(n->part);
		for (; tst > 0 && mx_h128_cmp(te.h, h) == 0;
		    tst = mx_kidx_next(r, &te, err, sizeof err))
			grp_add(rmap[te.part]);
		if (tst < 0)
			mx_errx(MX_EXIT_FAIL, "%s", err);
		win = grp.v[0];
		for (i = 0; i < grp.n; i++) {
			touched[grp.v[i]] = 1;
			if (opt.earliest ? grp.v[i] < win : grp.v[i] > win)
				win = grp.v[i];
		}
		/* a partition named twice (by both sides) drops the key once:
		 * the hash is the last of its list already */
		for (i = 0; i < grp.n; i++) {
			struct droplist *d = &dl[grp.v[i]];

			if (grp.v[i] == win || (d->n > 0 &&
			    mx_h128_cmp(d->h[d->n - 1], h) == 0))
				continue;
			if (d->n == d->cap) {
				d->cap = d->cap ? d->cap * 2 : 64;
				d->h = mx_reallocarray(d->h, d->cap,
				    sizeof *d->h);
			}
			d->h[d->n++] = h;
			cnt.dropped++;
		}
	}
	/* the rest of the index is read, so that its checksum is checked */
	while (tst > 0)
		tst = mx_kidx_next(r, &te, err, sizeof err);
	if (tst < 0)
		mx_errx(MX_EXIT_FAIL, "%s", err);
	for (i = 0; i < nn; i++) {
		if (!touched[i])
			continue;
		cnt.parts++;
		mx_out_puts(out, names[i]);
		if (dl[i].n > 0) {
			path.len = 0;
			mx_buf_printf(&path, "%s/%zu.keys", opt.outdir, i);
			kf = mx_keyfile_create(mx_buf_cstr(&path));
			mx_keyfile_begin(kf, spec, dl[i].n);
			for (k = 0; k < dl[i].n; k++)
				mx_keyfile_add(kf, dl[i].h[k]);
			mx_keyfile_close(kf);
			mx_out_printf(out, "\t%s", path.p);
		}
		mx_out_putc(out, '\n');
		free(dl[i].h);
	}
	free(dl);
	free(touched);
	free(grp.v);
	free(rmap);
	close_from();
	mx_buf_free(&path);
	for (i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	mx_kidx_close(r);
}

static void
report(enum cmd cmd)
{
	struct mx_out *s;

	if (opt.verbose)
		switch (cmd) {
		case C_FIND:
			mx_warnx("%ju records, %ju keys, %ju without a key; in "
			    "%ju partitions", cnt.records, cnt.keys, cnt.nokey,
			    cnt.parts);
			break;
		case C_PUT:
			mx_warnx("%ju records, %ju without a key; %ju entries "
			    "in %ju partitions, %ju removed", cnt.records,
			    cnt.nokey, cnt.entries, cnt.parts, cnt.removed);
			break;
		case C_DROPS:
			mx_warnx("%ju new keys in %ju partitions; %ju to drop",
			    cnt.keys, cnt.parts, cnt.dropped);
			break;
		}
	if (mx_opt_stats != NULL) {
		s = mx_out_open(mx_opt_stats);
		mx_out_printf(s, "{\"records\":%ju,\"no_key\":%ju,\"blank\":%ju,"
		    "\"keys\":%ju,\"partitions\":%ju", cnt.records, cnt.nokey,
		    cnt.blank, cnt.keys, cnt.parts);
		if (cmd == C_PUT)
			mx_out_printf(s, ",\"entries\":%ju,\"removed\":%ju",
			    cnt.entries, cnt.removed);
		if (cmd == C_DROPS)
			mx_out_printf(s, ",\"dropped\":%ju", cnt.dropped);
		mx_out_printf(s, ",\"runs\":%ju", cnt.runs);
		mx_out_puts(s, "}\n");
		mx_out_close(s);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'A' },
		{ "dir", required_argument, NULL, 'd' },
		{ "earliest", no_argument, NULL, 'E' },
		{ "from", required_argument, NULL, 'F' },
		{ "index", required_argument, NULL, 'i' },
		{ "key", required_argument, NULL, 'k' },
		{ "memory", required_argument, NULL, 'm' },
		{ "out", required_argument, NULL, 'o' },
		{ "partition", required_argument, NULL, 'p' },
		{ "tmpdir", required_argument, NULL, 'T' },
		MX_STATS_LONGOPT,
		{ "verbose", no_argument, NULL, 'v' },
		MX_STRICT_LONGOPT,
		MX_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	char err[256];
	enum cmd cmd;
	int c;

	mx_init(argv[0]);
	sel = mx_sel_new();
	while ((c = mx_getopt(argc, argv, "d:i:k:m:o:p:T:v", longopts, NULL,
	    synopsis)) != -1)
		switch (c) {
		case 'A':
			opt.all = 1;
			break;
		case 'd':
			opt.root = optarg;
			break;
		case 'E':
			opt.earliest = 1;
			break;
		case 'F':
			opt.from = mx_reallocarray(opt.from, opt.nfrom + 1,
			    sizeof *opt.from);
			opt.from[opt.nfrom++] = optarg;
			break;
		case 'i':
			opt.index = optarg;
			break;
		case 'k':
			if (mx_exprs_parse(&keys, optarg, sel, err,
			    sizeof err) < 0) {
				mx_warnx("-k: %s", err);
				usage();
			}
			break;
		case 'o':
			opt.outdir = optarg;
			break;
		case 'p':
			if (mx_exprs_parse(&pkeys, optarg, sel, err,
			    sizeof err) < 0) {
				mx_warnx("-p: %s", err);
				usage();
			}
			break;
		case 'm':
			if ((opt.memory = mx_size_opt("--memory", optarg)) < 0)
				usage();
			break;
		case 'T':
			mx_spill_dir(optarg);
			break;
		case 'v':
			opt.verbose = 1;
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;
	if (argc == 0 || opt.index == NULL || keys.n == 0)
		usage();
	if (strcmp(argv[0], "find") == 0)
		cmd = C_FIND;
	else if (strcmp(argv[0], "put") == 0)
		cmd = C_PUT;
	else if (strcmp(argv[0], "drops") == 0)
		cmd = C_DROPS;
	else {
		mx_warnx("%s: no such command (find, put or drops)", argv[0]);
		usage();
	}
	argc--;
	argv++;
	/* each command's own options, and no other's */
	if ((cmd != C_PUT && (opt.root != NULL || opt.all ||
	    opt.nfrom > 0)) || (cmd != C_FIND && pkeys.n > 0) ||
	    (cmd != C_DROPS && (opt.outdir != NULL || opt.earliest)) ||
	    (cmd == C_PUT && ((opt.root == NULL && opt.nfrom == 0) ||
	    (opt.all && opt.nfrom > 0))))
		usage();
	for (c = 0; c < (int)keys.n; c++)
		(void)mx_seen_add(&named, "-k", keys.v[c].path, keys.v[c].sel);
	for (c = 0; c < (int)pkeys.n; c++)
		(void)mx_seen_add(&named, "-p", pkeys.v[c].path,
		    pkeys.v[c].sel);
	spec = mx_exprs_spec(&keys);
	scan = mx_json_new(sel);
	spans = mx_calloc((size_t)mx_sel_count(sel) + 1, sizeof *spans);
	out = mx_out_stdout();
	switch (cmd) {
	case C_FIND:
		find(argc, argv);
		break;
	case C_PUT:
		put(argc, argv);
		break;
	case C_DROPS:
		drops(argc, argv);
		break;
	}
	report(cmd);
	mx_out_close(out);
	mx_json_free(scan);
	mx_sel_free(sel);
	mx_exprs_free(&keys);
	mx_exprs_free(&pkeys);
	free(spans);
	free(spec);
	free(opt.from);
	mx_buf_free(&kb);
	return MX_EXIT_OK;
}
