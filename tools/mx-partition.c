/*
 * mx-partition: NDJSON records into Hive-style key=value directories,
 * published so that a reader never sees half of a partition.
 *
 * Records are buffered per partition and written, byte for byte, into
 * part files that are never reopened.  Nothing is visible under ROOT until
 * the input has been read whole; then each partition is published at once:
 *
 * - local file systems: the run's files are written into a staging tree
 *   next to ROOT (outside it, so that globbing readers never meet them);
 *   each staged partition directory then takes the place of the old one
 *   by one rename(2) that exchanges the two directories (RENAME_EXCHANGE),
 *   so the partition switches from its old files to its new ones at one
 *   instant.  In append mode the staged directory first gets hard links to
 *   the old files.
 * - S3 mounts, where rename and append do not exist: files are written
 *   whole under new names, fsynced and closed with both checked; then a
 *   _SUCCESS manifest is written last in each partition and only then are
 *   the old files deleted.
 *
 * Leftovers of a killed run are removed by the next run, under a lock.
 */
#define _GNU_SOURCE	/* renameat2, syncfs */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "mx.h"
#include "keyindex.h"
#include "ring.h"
#include "xsort.h"

#define FUSE_MAGIC	0x65735546	/* statfs f_type of every FUSE mount */
#define CHUNK		(128 * 1024)	/* a partition's buffer is written at this */
#define MANIFEST	"_SUCCESS"
#define MARKER		".mx-running"	/* S3 mode: a run is (or was) under way */

enum { M_APPEND, M_OVERWRITE, M_REPLACE };
static const char *const modes[] = { "append", "overwrite", "replace" };

static struct {
	const char	*root;
	char		 run[72];
	int		 mode;
	int		 s3;		/* -1: detect */
	int		 level;		/* gzip level, 0: plain */
	int		 sync;
	int		 verbose;
	uintmax_t	 maxrecs, maxbytes;
	size_t		 maxopen, memory;
	const char	*index;		/* --index */
	char		**adopt;	/* --adopt, nadopt of them */
	size_t		 nadopt;
} opt = { NULL, "", M_APPEND, -1, 0, 1, 0, 0, 0, 64, 64 << 20, NULL, NULL, 0 };

/* A part file this run has finished. */
struct pfile {
	unsigned	 seq;		/* the n of part-<run>-<n> */
	uintmax_t	 records, bytes;
	uint64_t	 xxh3;
};

struct slot;

struct part {
	char		*path;		/* "k1=v1/k2=v2", relative to ROOT */
	char		*values;	/* {"k1":v1,"k2":v2} */
	struct mx_buf	 buf;		/* records not written yet */
	uintmax_t	 pend;		/* how many */
	struct slot	*open;		/* its open part file */
	struct pfile	*files;
	unsigned	 nfiles;
	int		 made;		/* its directory exists */
	uint32_t	 no;		/* its number, in the order first seen */
	int		 keyed;		/* --index: it holds a keyed record */
	const char	*from;		/* --adopt: the directory it is in */
};

/* An open part file; at most opt.maxopen of them. */
struct slot {
	struct mx_seqfile f;
	struct part	*p;
	uintmax_t	 records;
	uint64_t	 used;		/* for least-recently-used eviction */
	char		*again;		/* S3: the file of an earlier attempt: */
	char		*againpath;	/* its temporary, and as a path */
};

static struct mx_exprs	 keys;
static struct mx_exprs	 ikeys;		/* --index-key */
static struct mx_xsort	*ix;		/* --index: (key hash, part->no) */
static struct scanner	*sc0;		/* this thread's */
static struct mx_span	*vals;		/* getpart's */
static struct mx_hmap	*ptab;		/* path to its struct part * */
static struct part	**parts;
static size_t		 nparts;
static struct slot	*slots;
static size_t		 nopen;
static uint64_t		 clk;
static size_t		 pending;	/* bytes in all partition buffers */
static struct mx_buf	 prev, pathb, tmp, full;
static struct part	*last;
static struct mx_out	*rej;
static struct mx_seen	 named;		/* the fields of -k */
static const char	*fname;
static uintmax_t	 nin, nout, nrej, nblank, nfiles;

static char		*disp;		/* ROOT as given, for output */
static int		 rootfd = -1;	/* ROOT */
static int		 basefd = -1;	/* where part files go */
static char		*realroot;	/* local: ROOT without symbolic links */
static char		*staging;	/* local: the staging directory */
static int		 stagefd = -1, runfd = -1;
static int		 staged;	/* runfd holds unpublished work */

static const char synopsis[] =
	    "usage: mx-partition -d root -k expr[,expr...] [-vz] [--level n]\n"
	    "                    [-m append|overwrite|replace] [--max-records n]\n"
	    "                    [--max-bytes size] [--max-open n] [--memory size]\n"
	    "                    [--s3 | --local] [--no-sync] [--run id]\n"
	    "                    [--rejects file] [--strict] [--trusted]\n"
	    "                    [--max-record size] [--max-depth n] [--threads n]\n"
	    "                    [--index file --index-key keys] [file ...]\n"
	    "       mx-partition -d root -m overwrite --adopt dir ... [-v] [--local]\n"
	    "                    [--no-sync] [--run id]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

/* ---- directories ---- */

static int
isdots(const char *s)
{
	return s[0] == '.' && (s[1] == '\0' || (s[1] == '.' && s[2] == '\0'));
}

/* The directory path[0..n) below dirfd, made when create is set; never
 * through a symbolic link.  Returns a descriptor, or -1 with errno. */
static int
walk(int dirfd, const char *path, size_t n, int create)
{
	char comp[MX_HIVE_NAMEMAX + 1];
	const char *s = path, *e, *end = path + n;
	int fd = dirfd, nfd, err;

	do {
		for (e = s; e < end && *e != '/'; e++)
			;
		if ((size_t)(e - s) > MX_HIVE_NAMEMAX) {
			errno = ENAMETOOLONG;
			nfd = -1;
		} else {
			memcpy(comp, s, e - s);
			comp[e - s] = '\0';
			if (create && mkdirat(fd, comp, 0777) != 0 &&
			    errno != EEXIST)
				nfd = -1;
			else
				nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC);
		}
		err = errno;
		if (fd != dirfd)
			close(fd);
		if (nfd < 0) {
			errno = err;
			return -1;
		}
		fd = nfd;
		s = e + 1;
	} while (e < end);
	return fd;
}

/* mkdir -p path below dirfd; returns dirfd, or -1 with errno. */
static int
mkpath(int dirfd, const char *path)
{
	char *p = mx_strdup(path), *s = p;

	for (;;) {
		s = strchr(s, '/');
		if (s != NULL)
			*s = '\0';
		if (mkdirat(dirfd, p, 0777) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		if (s == NULL)
			break;
		*s++ = '/';
	}
	free(p);
	return dirfd;
}

/* Remove name below at and everything under it, without following
 * symbolic links.  Best effort when quiet (at exit), else errors end the
 * run. */
static void
rmtree(int at, const char *name, int quiet)
{
	struct dirent *d;
	struct stat st;
	DIR *dp;
	int fd;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT || quiet)
			return;
		mx_err(MX_EXIT_FAIL, "%s", name);
	}
	if (S_ISDIR(st.st_mode)) {
		fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd < 0 || (dp = fdopendir(fd)) == NULL) {
			if (quiet)
				return;
			mx_err(MX_EXIT_FAIL, "%s", name);
		}
		while ((d = readdir(dp)) != NULL)
			if (!isdots(d->d_name))
				rmtree(dirfd(dp), d->d_name, quiet);
		closedir(dp);
	}
	if (unlinkat(at, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0 &&
	    errno != ENOENT && !quiet)
		mx_err(MX_EXIT_FAIL, "cannot remove %s", name);
}

/* One writer per ROOT: a second one is refused.  A mount that cannot lock
 * at all gets a warning, not a refusal. */
static void
lock(int fd, const char *what)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return;
	if (errno == EWOULDBLOCK)
		mx_errx(MX_EXIT_FAIL, "%s: another mx-partition is writing here",
		    disp);
	mx_warn("%s: cannot lock %s; a concurrent run would not be noticed",
	    disp, what);
}

static DIR *
opendirat(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dp;

	if (fd < 0)
		return NULL;
	if ((dp = fdopendir(fd)) == NULL)
		close(fd);
	return dp;
}

/* A whole small file (a manifest) appended to b; 0 if there is none. */
static int
slurpat(int dirfd, const char *name, struct mx_buf *b, const char *where)
{
	char chunk[16384];
	ssize_t k;
	int fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		mx_err(MX_EXIT_FAIL, "%s/%s", where, name);
	}
	while ((k = read(fd, chunk, sizeof chunk)) != 0) {
		if (k < 0) {
			if (errno == EINTR)
				continue;
			mx_err(MX_EXIT_FAIL, "%s/%s", where, name);
		}
		mx_buf_add(b, chunk, (size_t)k);
	}
	close(fd);
	if (b->len > 0 && b->p[b->len - 1] != '\n')
		mx_buf_addc(b, '\n');
	return 1;
}

/* ---- part files ---- */

static void
partname(char *out, size_t n, unsigned seq)
{
	snprintf(out, n, "part-%s-%05u.ndjson%s", opt.run, seq,
	    opt.level ? ".gz" : "");
}

/* Is name one of the part files this run wrote into p? */
static int
ours(const struct part *p, const char *name)
{
	size_t n = strlen(opt.run);
	char *end;
	unsigned long seq;

	if (strncmp(name, "part-", 5) != 0 || strncmp(name + 5, opt.run,
	    n) != 0 || name[5 + n] != '-' || name[6 + n] < '0' ||
	    name[6 + n] > '9')
		return 0;
	seq = strtoul(name + 6 + n, &end, 10);
	return seq < p->nfiles && strcmp(end, opt.level ? ".ndjson.gz" :
	    ".ndjson") == 0;
}

/* The XXH3-64 of a file's bytes, as mx_seqfile_close gives it. */
static uint64_t
hash_file(int dirfd, const char *name, const char *where)
{
	struct mx_buf b = { 0 };
	uint64_t h;

	slurpat(dirfd, name, &b, where);
	h = mx_hash64(b.p, b.len);
	mx_buf_free(&b);
	return h;
}

/*
 * S3 mode, a run id used again: a run that was killed after it published
 * some partitions is finished by the same run id, and its files are there
 * already under the names it would write.  Neither rename nor overwrite in
 * place can be relied on, so the file is written under a temporary name
 * and compared: the same bytes (a resumed run, same input) keep the old
 * file, which the manifest already lists; other bytes mean the run id was
 * used for another run, an error.
 */
static void
again_close(struct slot *s, struct pfile *pf)
{
	char name[NAME_MAX + 1];

	partname(name, sizeof name, pf->seq);
	tmp.len = 0;
	mx_buf_printf(&tmp, "%s/%s", s->p->path, name);
	full.len = 0;
	mx_buf_printf(&full, "%s/%s", disp, tmp.p);
	if (hash_file(basefd, mx_buf_cstr(&tmp), mx_buf_cstr(&full)) !=
	    pf->xxh3) {
		unlinkat(basefd, s->again, 0);
		mx_errx(MX_EXIT_FAIL, "%s already exists with other content: "
		    "run id '%s' was used before", full.p, opt.run);
	}
	if (unlinkat(basefd, s->again, 0) != 0)
		mx_err(MX_EXIT_FAIL, "cannot remove %s/%s", disp, s->again);
	mx_tmp_forget(s->againpath);
	free(s->again);
	free(s->againpath);
	s->again = s->againpath = NULL;
}

static void
closeslot(struct slot *s)
{
	struct part *p = s->p;
	struct pfile *pf;

	p->files = mx_reallocarray(p->files, p->nfiles + 1, sizeof *p->files);
	pf = &p->files[p->nfiles++];
	pf->seq = p->nfiles - 1;
	pf->records = s->records;
	/* An S3 mount uploads at fsync and reports failure there; locally
	 * one syncfs before publishing does the work of every fsync. */
	pf->xxh3 = mx_seqfile_close(&s->f, opt.s3);
	pf->bytes = s->f.bytes;
	if (s->again != NULL)
		again_close(s, pf);
	nfiles++;
	p->open = NULL;
	s->p = NULL;
	nopen--;
	if (p->buf.len == 0)
		mx_buf_free(&p->buf);
}

static struct slot *
openslot(struct part *p)
{
	struct slot *s = NULL, *o;
	char name[NAME_MAX + 1];
	size_t i;
	int fd;

	for (i = 0; i < opt.maxopen; i++) {
		o = &slots[i];
		if (o->p == NULL) {
			s = o;
			break;
		}
		if (s == NULL || o->used < s->used)
			s = o;
	}
	if (s->p != NULL)
		closeslot(s);
	if (!p->made) {
		/* The staging tree is ours; under ROOT, never go through a
		 * symbolic link. */
		fd = opt.s3 ? walk(basefd, p->path, strlen(p->path), 1) :
		    mkpath(basefd, p->path);
		if (fd < 0)
			mx_err(MX_EXIT_FAIL, "%s/%s", disp, p->path);
		if (fd != basefd)
			close(fd);
		p->made = 1;
	}
	partname(name, sizeof name, p->nfiles);
	tmp.len = 0;
	mx_buf_printf(&tmp, "%s/%s", p->path, name);
	full.len = 0;
	mx_buf_printf(&full, "%s/%s", disp, mx_buf_cstr(&tmp));
	if (mx_seqfile_open(&s->f, basefd, tmp.p, mx_buf_cstr(&full),
	    O_CREAT | O_EXCL, opt.level) != 0) {
		if (errno != EEXIST)
			mx_err(MX_EXIT_FAIL, "%s", full.p);
		if (!opt.s3 || opt.mode == M_APPEND)
			mx_errx(MX_EXIT_FAIL, "%s already exists: run id '%s' "
			    "was used before", full.p, opt.run);
		/* see again_close() */
		tmp.len = 0;
		mx_buf_printf(&tmp, "%s/.%s.again", p->path, name);
		s->again = mx_strdup(tmp.p);
		full.len = 0;
		mx_buf_printf(&full, "%s/%s", disp, tmp.p);
		s->againpath = mx_strdup(mx_buf_cstr(&full));
		mx_tmp_add(s->againpath);
		if (mx_seqfile_open(&s->f, basefd, tmp.p, full.p,
		    O_CREAT | O_TRUNC, opt.level) != 0)
			mx_err(MX_EXIT_FAIL, "%s", full.p);
	}
	s->p = p;
	s->records = 0;
	p->open = s;
	nopen++;
	return s;
}

/* Write p's buffered records to its part file. */
static void
drain(struct part *p)
{
	struct slot *s = p->open != NULL ? p->open : openslot(p);

	pending -= p->buf.len;
	mx_seqfile_give(&s->f, &p->buf);
	s->records += p->pend;
	s->used = ++clk;
	p->pend = 0;
	if (p->buf.cap > 2 * CHUNK)
		mx_buf_free(&p->buf);
}

/* Finish p's current part file: the next record starts another. */
static void
seal(struct part *p)
{
	if (p->pend > 0)
		drain(p);
	if (p->open != NULL)
		closeslot(p->open);
}

static int
bybuf(const void *a, const void *b)
{
	size_t x = (*(struct part *const *)a)->buf.len;
	size_t y = (*(struct part *const *)b)->buf.len;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Over the memory limit: write out the largest buffers, down to half. */
static void
shed(void)
{
	struct part **v = mx_reallocarray(NULL, nparts, sizeof *v);
	size_t i, n = 0;

	for (i = 0; i < nparts; i++)
		if (parts[i]->buf.len > 0)
			v[n++] = parts[i];
	qsort(v, n, sizeof *v, bybuf);
	for (i = 0; i < n && pending > opt.memory / 2; i++)
		drain(v[i]);
	free(v);
}

static void
add(struct part *p, const char *rec, size_t n)
{
	uintmax_t frec = p->open != NULL ? p->open->records : 0;
	uintmax_t fbytes = (p->open != NULL ? p->open->f.raw : 0) + p->buf.len;

	if ((opt.maxrecs && frec + p->pend >= opt.maxrecs) ||
	    (opt.maxbytes && fbytes > 0 && fbytes + n + 1 > opt.maxbytes))
		seal(p);
	if (p->buf.len > 0 && p->buf.len + n + 1 > CHUNK)
		drain(p);
	mx_buf_add(&p->buf, rec, n);
	mx_buf_addc(&p->buf, '\n');
	p->pend++;
	pending += n + 1;
	if (pending > opt.memory)
		shed();
}

/* ---- records ---- */

static void
reject(uintmax_t line, const char *rule, const char *why, const char *raw,
    size_t n)
{
	struct mx_objw w;

	nrej++;
	if (rej == NULL)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(fname), line, why);
	mx_out_obj_new(&w, rej);
	mx_out_key(&w, "_reject");
	mx_out_puts(rej, "{\"tool\":\"mx-partition\",\"file\":");
	mx_out_jstr(rej, mx_name(fname), strlen(mx_name(fname)));
	mx_out_puts(rej, ",\"line\":");
	mx_out_uint(rej, line);
	mx_out_puts(rej, ",\"rule\":\"");
	mx_out_puts(rej, rule);
	mx_out_puts(rej, "\",\"reason\":");
	mx_out_jstr(rej, why, strlen(why));
	mx_out_putc(rej, '}');
	mx_reject_raw(&w, raw, n);
	mx_out_obj_close(&w);
}

/* What a record's scan finds: its key as bytes (for each key: its JSON
 * kind, escape flag, length, then its text), compared whole to find runs
 * of one partition; and with --index its index key's hash. */
struct scanner {
	struct mx_json	*js;
	struct mx_span	*spans, *vals;
	char		(*tmps)[MX_EXPR_TMP];
	struct mx_buf	 key, kb;
	char		 msg[256];
};

static struct scanner *
scanner_new(struct mx_sel *sel)
{
	struct scanner *sc = mx_calloc(1, sizeof *sc);

	sc->js = mx_json_new(sel);
	mx_json_partial(sc->js, mx_opt_trusted);
	sc->spans = mx_calloc(mx_sel_count(sel), sizeof *sc->spans);
	sc->vals = mx_calloc(keys.n, sizeof *sc->vals);
	sc->tmps = mx_calloc(keys.n, sizeof *sc->tmps);
	return sc;
}

static void
scanner_free(struct scanner *sc)
{
	mx_json_free(sc->js);
	free(sc->spans);
	free(sc->vals);
	free(sc->tmps);
	mx_buf_free(&sc->key);
	mx_buf_free(&sc->kb);
	free(sc);
}

/* The partition of the key bytes k (scanrec's), made on first sight. */
static struct part *
getpart(const char *k)
{
	struct mx_buf v = { 0 };
	struct part *p;
	uint64_t h;
	size_t i, id;
	uint32_t len;
	int isnew;

	for (i = 0; i < keys.n; i++) {
		vals[i].kind = (uint8_t)k[0];
		vals[i].esc = (uint8_t)k[1];
		memcpy(&len, k + 2, sizeof len);
		vals[i].n = len;
		vals[i].p = k + 2 + sizeof len;
		k += 2 + sizeof len + len;
	}
	/* scan() refused objects and arrays, and the length of every name
	 * was checked at start: this cannot fail */
	pathb.len = 0;
	mx_hive_path_vals(&pathb, &keys, vals, &tmp);
	h = mx_hash64(pathb.p, pathb.len);
	id = mx_hmap_add(ptab, pathb.p, pathb.len, h, &isnew);
	if (!isnew)
		return *(struct part **)mx_hmap_val(ptab, id);

	p = mx_calloc(1, sizeof *p);
	*(struct part **)mx_hmap_val(ptab, id) = p;
	p->path = mx_strndup(pathb.p, pathb.len);
	mx_buf_addc(&v, '{');
	for (i = 0; i < keys.n; i++) {
		const struct mx_span *s = &vals[i];

		if (i > 0)
			mx_buf_addc(&v, ',');
		mx_json_quote(&v, keys.v[i].name, strlen(keys.v[i].name));
		mx_buf_addc(&v, ':');
		if (s->kind == MX_JNONE)
			mx_buf_adds(&v, "null");
		else if (s->kind == MX_JSTR) {
			/* as one spelling, whatever the escapes */
			tmp.len = 0;
			mx_json_unescape(s, &tmp);
			mx_json_quote(&v, tmp.p, tmp.len);
		} else
			mx_buf_add(&v, s->p, s->n);
	}
	mx_buf_addc(&v, '}');
	p->values = mx_strndup(v.p, v.len);
	mx_buf_free(&v);
	if ((nparts & (nparts - 1)) == 0)
		parts = mx_reallocarray(parts, nparts ? nparts * 2 : 1,
		    sizeof *parts);
	p->no = (uint32_t)nparts;
	parts[nparts++] = p;
	return p;
}

/* Scan the record: its key into sc->key and, with --index, whether it
 * has an index key (*keyed) and its hash.  NULL, or the rule it breaks,
 * the reason in *why (which the next scan overwrites).  Only computes,
 * so that a scanning thread may call it (named aside: the fields seen
 * are only ever marked by one thread). */
static const char *
scanrec(struct scanner *sc, const char *rec, size_t n, int *keyed,
    struct mx_h128 *h, const char **why)
{
	static const char *const what[] = { "", "", "", "", "", "", "an array",
	    "an object" };
	size_t i;
	uint32_t len;
	int k, bad;

	if (mx_json_scan(sc->js, rec, n, sc->spans, 1) < 0) {
		*why = mx_json_errstr(sc->js);
		return "json";
	}
	mx_seen_spans(&named, sc->spans);
	sc->key.len = 0;
	for (i = 0; i < keys.n; i++) {
		const struct mx_expr *e = &keys.v[i];
		struct mx_span *v = &sc->vals[i];

		k = mx_expr_eval(e, sc->spans, v, sc->tmps[i], &bad);
		if (bad) {
			const struct mx_span *s = &sc->spans[e->sel];

			snprintf(sc->msg, sizeof sc->msg, "key %s: %s(%s): "
			    "not a time: %.*s%s", e->name, mx_efn_names[e->fn],
			    e->path, s->n > 40 ? 40 : (int)s->n, s->p,
			    s->n > 40 ? "..." : "");
			*why = sc->msg;
			return "key";
		}
		if (k == MX_JOBJ || k == MX_JARR) {
			snprintf(sc->msg, sizeof sc->msg, "key %s: %s cannot "
			    "name a partition", e->name, what[k]);
			*why = sc->msg;
			return "key";
		}
		len = v->n;
		mx_buf_addc(&sc->key, k);
		mx_buf_addc(&sc->key, v->esc);
		mx_buf_add(&sc->key, &len, sizeof len);
		mx_buf_add(&sc->key, v->p, len);
	}
	/* (a record without the whole key cannot be found: not indexed,
	 * as by mx-index put) */
	*keyed = ix != NULL && mx_exprs_canon(&ikeys, sc->spans, &sc->kb) == 0;
	if (*keyed)
		*h = mx_hash128(sc->kb.p, sc->kb.len);
	return NULL;
}

/* A scanned record into its partition (key: its key bytes). */
static void
place(const char *rec, size_t n, const char *key, size_t kn, int keyed,
    const struct mx_h128 *h)
{
	/* Records of one partition tend to come in runs. */
	if (last == NULL || kn != prev.len || memcmp(key, prev.p, kn) != 0) {
		last = getpart(key);
		prev.len = 0;
		mx_buf_add(&prev, key, kn);
	}
	if (keyed) {
		struct mx_kidx_ent e;

		memset(&e, 0, sizeof e);	/* no unset padding spilled */
		e.h = *h;
		e.part = last->no;
		mx_xsort_add(ix, &e);
		last->keyed = 1;
	}
	add(last, rec, n);
	nout++;
}

static void
route(const char *rec, size_t n, uintmax_t line)
{
	struct mx_h128 h;
	const char *rule, *why;
	int keyed;

	if ((rule = scanrec(sc0, rec, n, &keyed, &h, &why)) != NULL)
		reject(line, rule, why, rec, n);
	else
		place(rec, n, sc0->key.p, sc0->key.len, keyed, &h);
}

/* ---- scanning ahead (--threads 2 or more, not compressing) ---- */

/*
 * The scan (the JSON, the key, the index key) is about 40% of the work of
 * a plain run.  With threads to spare a second thread scans batches of
 * lines (lib/ring.c) while this one routes and writes the batches before
 * them, in their order: the same bytes, messages and exits as one thread.
 */

/* A line's scan: its key, or the reason it is refused, in aux. */
struct lres {
	size_t		 koff;
	uint32_t	 kn;
	const char	*rule;		/* not NULL: refused */
	int		 keyed;
	struct mx_h128	 h;
};

static struct {
	struct mx_ring	*ring;		/* NULL: not on */
	int		 draining;
	pthread_t	 reader;	/* this thread */
	struct scanner	*sc;
} ah;

/* (the scanning thread's: arg its scanner) */
static void
ah_scan(void *arg, struct mx_rbatch *b)
{
	struct scanner *sc = arg;
	struct lres *x = (struct lres *)(void *)b->res;
	const char *why;
	size_t i;

	for (i = 0; i < b->n; i++, x++) {
		x->rule = scanrec(sc, b->text.p + b->v[i].off, b->v[i].n,
		    &x->keyed, &x->h, &why);
		x->koff = b->aux.len;
		if (x->rule != NULL)
			mx_buf_add(&b->aux, why, strlen(why) + 1);
		else {
			x->kn = (uint32_t)sc->key.len;
			mx_buf_add(&b->aux, sc->key.p, sc->key.len);
		}
	}
}

/* Route the oldest batch handed over, once scanned. */
static void
ah_drain(void)
{
	struct mx_rbatch *b = mx_ring_oldest(ah.ring);
	const struct mx_rline *l;
	const struct lres *x = (const struct lres *)(void *)b->res;
	size_t i;

	ah.draining = 1;
	for (i = 0; i < b->n; i++, x++) {
		l = &b->v[i];
		fname = l->name;
		if (x->rule != NULL)
			reject(l->lineno, x->rule, b->aux.p + x->koff,
			    b->text.p + l->off, l->n);
		else
			place(b->text.p + l->off, l->n, b->aux.p + x->koff,
			    x->kn, x->keyed, &x->h);
	}
	ah.draining = 0;
	mx_ring_done(ah.ring);
}

/* (path: the file read, not fname, which names the line being routed) */
static void
ah_line(const char *path, const char *line, size_t n, uintmax_t lineno)
{
	struct mx_rbatch *b;

	/* the batch to fill is free once those before it are routed */
	while ((b = mx_ring_fill(ah.ring)) == NULL)
		ah_drain();
	if (mx_ring_add(ah.ring, b, path, lineno, line, n))
		mx_ring_hand(ah.ring);
}

/*
 * An error of the reader (a file that does not open, a line past
 * --max-record, a cut gzip stream) or of the writing: the lines read
 * before it are routed first, so that without --rejects the first bad
 * record is the one named, as on one thread.  (Not from the scanning
 * thread, nor from within a drain, whose own error it is.)
 */
static void
ah_fatal(void)
{
	if (!pthread_equal(pthread_self(), ah.reader) || ah.draining)
		return;
	mx_ring_hand(ah.ring);
	while (mx_ring_busy(ah.ring) > 0)
		ah_drain();
}

static void
ah_start(struct mx_sel *sel)
{
	ah.reader = pthread_self();
	mx_fatal_hook = ah_fatal;
	ah.sc = scanner_new(sel);
	ah.ring = mx_ring_new(1, sizeof(struct lres), ah_scan,
	    (void **)&ah.sc);
}

/* Every batch routed, the thread ended. */
static void
ah_end(void)
{
	if (ah.ring == NULL)
		return;
	mx_ring_hand(ah.ring);
	while (mx_ring_busy(ah.ring) > 0)
		ah_drain();
	mx_fatal_hook = NULL;
	mx_ring_free(ah.ring);
	scanner_free(ah.sc);
	ah.ring = NULL;
}

static void
readfile(const char *path)
{
	struct mx_reader r;
	const char *line;
	ssize_t n;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_FAIL, "%s", path);
	r.whole = mx_opt_trusted;
	fname = path;
	while ((n = mx_reader_line(&r, &line)) >= 0) {
		if (mx_blank(line, (size_t)n)) {
			nblank++;
			continue;
		}
		nin++;
		if (ah.ring != NULL)
			ah_line(path, line, (size_t)n, r.lineno);
		else
			route(line, (size_t)n, r.lineno);
	}
	mx_reader_close(&r);
}

/* ---- manifests and output ---- */

static void
manifest_line(struct mx_buf *b, const struct pfile *f)
{
	char name[NAME_MAX + 1], hex[17];

	partname(name, sizeof name, f->seq);
	mx_hash64_hex(f->xxh3, hex);
	mx_buf_printf(b, "{\"file\":\"%s\",\"run\":\"%s\",\"records\":%ju,"
	    "\"bytes\":%ju,\"xxh3\":\"%s\"}\n", name, opt.run, f->records,
	    f->bytes, hex);
}

/*
 * Append mode adds a run's files to what a partition holds, so running the
 * same command twice doubles the table.  The manifest lists each file's
 * XXH3: a new file with the bytes of one already there is the same records
 * appended again, which is worth a warning (the run goes on: appending is
 * what was asked for).
 */
static void
warn_repeat(const struct part *p, const struct mx_buf *old)
{
	char hex[17], key[32], mine[NAME_MAX + 1];
	const char *at, *line, *f;
	unsigned i;
	int n;

	for (i = 0; i < p->nfiles; i++) {
		mx_hash64_hex(p->files[i].xxh3, hex);
		partname(mine, sizeof mine, p->files[i].seq);
		snprintf(key, sizeof key, "\"xxh3\":\"%s\"", hex);
		if (old->len == 0 ||
		    (at = memmem(old->p, old->len, key, strlen(key))) == NULL)
			continue;
		for (line = at; line > old->p && line[-1] != '\n'; line--)
			;
		n = 0;
		if ((f = memmem(line, (size_t)(at - line), "\"file\":\"", 8)) !=
		    NULL)
			for (f += 8; f + n < at && f[n] != '"'; n++)
				;
		/* the very file, listed by a killed run resumed on S3 */
		if (f != NULL && (size_t)n == strlen(mine) &&
		    memcmp(f, mine, (size_t)n) == 0)
			continue;
		mx_warnx("%s/%s: appended the same records as %.*s, which it "
		    "already holds (to run a command again, use -m overwrite)",
		    disp, p->path, n, f != NULL ? f : "");
	}
}

/*
 * _SUCCESS for p, in dirfd or (dirfd is basefd) in p's directory below
 * it: the previous manifest's lines (append mode), then one line per new
 * file.  In staging it is a new file.  On an S3 mount it replaces the
 * old one in a single upload, and the way to get that differs: s3fs
 * uploads an empty object at once when a file is opened with O_TRUNC (and
 * ignores ftruncate), so the old file is rewritten without truncation,
 * and a shorter manifest is padded with spaces, which JSON ignores;
 * mountpoint-s3 refuses that, and needs O_TRUNC, with which it keeps the
 * old object until the new one is uploaded.
 */
static void
write_manifest(struct part *p, int dirfd, const struct mx_buf *old)
{
	struct mx_seqfile f;
	struct mx_buf b = { 0 };
	struct stat st;
	unsigned i;
	int r;

	if (old != NULL)
		mx_buf_add(&b, old->p, old->len);
	for (i = 0; i < p->nfiles; i++)
		manifest_line(&b, &p->files[i]);
	tmp.len = 0;
	if (dirfd == basefd)
		mx_buf_printf(&tmp, "%s/", p->path);
	mx_buf_adds(&tmp, MANIFEST);
	full.len = 0;
	mx_buf_printf(&full, "%s/%s/%s", disp, p->path, MANIFEST);
	mx_buf_cstr(&tmp);
	mx_buf_cstr(&full);
	if (!opt.s3)
		r = mx_seqfile_open(&f, dirfd, tmp.p, full.p, O_CREAT | O_EXCL, 0);
	else if ((r = mx_seqfile_open(&f, dirfd, tmp.p, full.p, 0, 0)) == 0) {
		if (fstat(f.fd, &st) != 0)
			mx_err(MX_EXIT_FAIL, "%s", full.p);
		if ((uintmax_t)st.st_size > b.len) {
			b.len--;
			while (b.len + 1 < (uintmax_t)st.st_size)
				mx_buf_addc(&b, ' ');
			mx_buf_addc(&b, '\n');
		}
	} else if (errno == ENOENT)
		r = mx_seqfile_open(&f, dirfd, tmp.p, full.p, O_CREAT | O_EXCL,
		    0);
	else
		r = mx_seqfile_open(&f, dirfd, tmp.p, full.p, O_TRUNC, 0);
	if (r != 0)
		mx_err(MX_EXIT_FAIL, "%s", full.p);
	mx_seqfile_write(&f, b.p, b.len);
	mx_seqfile_close(&f, opt.s3);
	mx_buf_free(&b);
}

static int
bypath(const void *a, const void *b)
{
	return strcmp((*(struct part *const *)a)->path,
	    (*(struct part *const *)b)->path);
}

static int
entcmp(const void *a, const void *b)
{
	return mx_kidx_cmp(a, b);
}

/* --index: the keys of the records written, as mx-index put would have
 * read them back from the partitions: the partitions that hold a keyed
 * record, by path (parts[] is sorted by path), and their keys.  Written
 * before anything is published, so that a run that cannot write it
 * publishes nothing. */
static void
write_index(void)
{
	struct mx_kidx_writer *w;
	const struct mx_kidx_ent *e;
	struct mx_kidx_ent *grp = NULL;
	char **names, *spec;
	uint32_t *rank;
	size_t i, j, k, n = 0, cap = 0;

	names = mx_calloc(nparts + 1, sizeof *names);
	rank = mx_calloc(nparts + 1, sizeof *rank);
	for (i = k = 0; i < nparts; i++)
		if (parts[i]->keyed) {
			names[k] = parts[i]->path;
			rank[parts[i]->no] = (uint32_t)k++;
		}
	spec = mx_exprs_spec(&ikeys);
	w = mx_kidx_create(opt.index, spec, names, k);
	/* The entries come by hash, then by the partitions' first sight;
	 * renumbered, those of one hash (a key in several partitions, or
	 * a collision) are put in order again. */
	for (;;) {
		e = mx_xsort_next(ix);
		if (n > 0 && (e == NULL || e->h.hi != grp[0].h.hi ||
		    e->h.lo != grp[0].h.lo)) {
			if (n > 1)
				qsort(grp, n, sizeof *grp, entcmp);
			for (j = 0; j < n; j++)
				mx_kidx_add(w, &grp[j]);
			n = 0;
		}
		if (e == NULL)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			grp = mx_reallocarray(grp, cap, sizeof *grp);
		}
		grp[n] = *e;
		grp[n++].part = rank[e->part];
	}
	mx_kidx_commit(w);
	free(grp);
	free(spec);
	free(rank);
	free(names);
}

static void
report(struct mx_out *o)
{
	char name[NAME_MAX + 1], hex[17];
	size_t i;
	unsigned k;

	for (i = 0; i < nparts; i++) {
		struct part *p = parts[i];

		for (k = 0; k < p->nfiles; k++) {
			partname(name, sizeof name, p->files[k].seq);
			tmp.len = 0;
			mx_buf_printf(&tmp, "%s/%s/%s", disp, p->path, name);
			mx_out_puts(o, "{\"path\":");
			mx_out_jstr(o, tmp.p, tmp.len);
			mx_out_puts(o, ",\"partition\":");
			mx_out_puts(o, p->values);
			mx_out_puts(o, ",\"records\":");
			mx_out_uint(o, p->files[k].records);
			mx_out_puts(o, ",\"bytes\":");
			mx_out_uint(o, p->files[k].bytes);
			mx_hash64_hex(p->files[k].xxh3, hex);
			mx_out_printf(o, ",\"xxh3\":\"%s\"}\n", hex);
		}
	}
}

/* ---- local file systems: staging and directory exchange ---- */

static void
link_tree(int from, int to, const char *where)
{
	struct dirent *d;
	struct stat st;
	char target[PATH_MAX];
	ssize_t k;
	DIR *dp;
	int a, b;

	if ((dp = opendirat(from, ".")) == NULL)
		mx_err(MX_EXIT_FAIL, "%s", where);
	while ((d = readdir(dp)) != NULL) {
		if (isdots(d->d_name) || strcmp(d->d_name, MANIFEST) == 0)
			continue;
		if (fstatat(from, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			mx_err(MX_EXIT_FAIL, "%s/%s", where, d->d_name);
		if (S_ISREG(st.st_mode)) {
			if (linkat(from, d->d_name, to, d->d_name, 0) == 0)
				continue;
			if (errno == EEXIST)
				mx_errx(MX_EXIT_FAIL, "%s/%s already exists: run "
				    "id '%s' was used before", where,
				    d->d_name, opt.run);
			mx_err(MX_EXIT_FAIL, "cannot link %s/%s", where,
			    d->d_name);
		} else if (S_ISDIR(st.st_mode)) {
			char sub[PATH_MAX];

			snprintf(sub, sizeof sub, "%s/%s", where, d->d_name);
			if ((a = walk(from, d->d_name, strlen(d->d_name), 0)) < 0 ||
			    (b = walk(to, d->d_name, strlen(d->d_name), 1)) < 0)
				mx_err(MX_EXIT_FAIL, "%s", sub);
			link_tree(a, b, sub);
			close(a);
			close(b);
		} else if (S_ISLNK(st.st_mode)) {
			k = readlinkat(from, d->d_name, target,
			    sizeof target - 1);
			if (k < 0)
				mx_err(MX_EXIT_FAIL, "%s/%s", where, d->d_name);
			target[k] = '\0';
			if (symlinkat(target, to, d->d_name) != 0)
				mx_err(MX_EXIT_FAIL, "%s/%s", where, d->d_name);
		} else
			mx_errx(MX_EXIT_FAIL, "%s/%s: not a file or directory",
			    where, d->d_name);
	}
	closedir(dp);
}

static void
cleanup_at_exit(void)
{
	if (staged && runfd >= 0) {
		rmtree(stagefd, opt.run, 1);
		(void)rmdir(staging);
	}
}

/* Under ROOT's lock: the staging directory next to ROOT, emptied of what
 * killed runs left there, with this run's tree in it. */
static void
local_setup(void)
{
	struct stat rs, ss, ps;
	struct dirent *d;
	char *real, *slash;
	DIR *dp;
	int made;

	if ((real = realroot = realpath(disp, NULL)) == NULL)
		mx_err(MX_EXIT_FAIL, "%s", disp);
	slash = strrchr(real, '/');
	if (slash[1] == '\0')
		mx_errx(MX_EXIT_USAGE, "%s: the root of the file system cannot "
		    "be a partitioned directory", disp);
	tmp.len = 0;
	mx_buf_printf(&tmp, "%.*s/.%s.mx-staging", (int)(slash - real), real,
	    slash + 1);
	staging = mx_strdup(mx_buf_cstr(&tmp));
	/* A refused mount point must not be left with an empty staging
	 * directory next to it: ask the parent before making anything. */
	tmp.len = 0;
	mx_buf_printf(&tmp, "%.*s", slash == real ? 1 : (int)(slash - real),
	    real);
	if (fstat(rootfd, &rs) != 0)
		mx_err(MX_EXIT_FAIL, "%s", disp);
	if (stat(mx_buf_cstr(&tmp), &ps) != 0)
		mx_err(MX_EXIT_FAIL, "%s", tmp.p);
	if (rs.st_dev != ps.st_dev)
		mx_errx(MX_EXIT_FAIL, "%s is a mount point: its staging "
		    "directory %s would be on another file system; use a "
		    "directory inside it", disp, staging);
	made = mkdir(staging, 0777) == 0;
	if (!made && errno != EEXIST)
		mx_err(MX_EXIT_FAIL, "cannot make the staging directory %s",
		    staging);
	if ((stagefd = open(staging, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		mx_err(MX_EXIT_FAIL, "%s", staging);
	if (fstat(stagefd, &ss) != 0)
		mx_err(MX_EXIT_FAIL, "%s", staging);
	if (rs.st_dev != ss.st_dev) {
		/* a file system mounted on the staging directory itself */
		if (made)
			(void)rmdir(staging);
		mx_errx(MX_EXIT_FAIL, "%s: its staging directory %s is on "
		    "another file system", disp, staging);
	}
	lock(stagefd, staging);

	if ((dp = opendirat(stagefd, ".")) == NULL)
		mx_err(MX_EXIT_FAIL, "%s", staging);
	while ((d = readdir(dp)) != NULL)
		if (!isdots(d->d_name)) {
			if (opt.verbose)
				mx_warnx("%s: removing %s/%s, left by a run "
				    "that did not finish", disp, staging,
				    d->d_name);
			rmtree(stagefd, d->d_name, 0);
		}
	closedir(dp);

	if (mkdirat(stagefd, opt.run, 0777) != 0 ||
	    (runfd = openat(stagefd, opt.run, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		mx_err(MX_EXIT_FAIL, "%s/%s", staging, opt.run);
	staged = 1;
	atexit(cleanup_at_exit);
	/* Ask now, not after an hour of work, whether the file system can
	 * exchange two directories. */
	if (mkdirat(runfd, "root", 0777) != 0 || mkdirat(runfd, "x", 0777) != 0)
		mx_err(MX_EXIT_FAIL, "%s/%s", staging, opt.run);
	if (renameat2(runfd, "x", runfd, "root", RENAME_EXCHANGE) != 0)
		mx_err(MX_EXIT_FAIL, "%s: the file system cannot exchange two "
		    "directories at once (renameat2 RENAME_EXCHANGE); use --s3 "
		    "to publish with manifests", disp);
	if (unlinkat(runfd, "x", AT_REMOVEDIR) != 0 ||
	    (basefd = openat(runfd, "root", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		mx_err(MX_EXIT_FAIL, "%s/%s", staging, opt.run);
}

static void
sync_or_die(int fd, const char *what)
{
	if (opt.sync && syncfs(fd) != 0)
		mx_err(MX_EXIT_FAIL, "syncfs: %s", what);
}

/*
 * The staged files go to the disk while the key index is sorted and
 * written, in a thread: at 1M records the index took 0.27 s after the
 * input ended and the sync that followed 0.18 s.  publish syncs again
 * (the manifests, and whatever came after), and finds little left.  An
 * error of this one is kept for the main thread to say: a second syncfs
 * through the same descriptor would not report it.
 */
static pthread_t	 flusher;
static int		 flushing, flusherr;

static void *
flush(void *arg)
{
	(void)arg;
	if (syncfs(runfd) != 0)
		flusherr = errno;
	return NULL;
}

static void
flush_start(void)
{
	if (opt.sync && !opt.s3 && runfd >= 0)
		flushing = pthread_create(&flusher, NULL, flush, NULL) == 0;
}

static void
flush_end(void)
{
	if (!flushing)
		return;
	pthread_join(flusher, NULL);
	flushing = 0;
	if (flusherr != 0) {
		errno = flusherr;
		mx_err(MX_EXIT_FAIL, "syncfs: %s/%s", staging, opt.run);
	}
}

static void
local_publish(void)
{
	struct mx_buf old = { 0 };
	struct stat st;
	const char *leaf;
	size_t i, dlen;
	int sfd, ofd, pfd, r;

	/* Complete every staged partition: old files linked in (append),
	 * then the manifest. */
	for (i = 0; i < nparts; i++) {
		struct part *p = parts[i];

		if (opt.mode != M_APPEND) {
			if (opt.nadopt == 0)	/* (adopted: it has its own) */
				write_manifest(p, basefd, NULL);
			continue;
		}
		if ((ofd = walk(rootfd, p->path, strlen(p->path), 0)) < 0) {
			if (errno != ENOENT)
				mx_err(MX_EXIT_FAIL, "%s/%s", disp, p->path);
			write_manifest(p, basefd, NULL);
			continue;
		}
		if ((sfd = walk(basefd, p->path, strlen(p->path), 0)) < 0)
			mx_err(MX_EXIT_FAIL, "%s/%s/root/%s", staging, opt.run,
			    p->path);
		old.len = 0;
		tmp.len = 0;
		mx_buf_printf(&tmp, "%s/%s", disp, p->path);
		link_tree(ofd, sfd, mx_buf_cstr(&tmp));
		slurpat(ofd, MANIFEST, &old, tmp.p);
		warn_repeat(p, &old);
		write_manifest(p, sfd, &old);
		close(ofd);
		close(sfd);
	}
	mx_buf_free(&old);
	sync_or_die(runfd, staging);

	if (opt.mode == M_REPLACE) {
		if (fstat(rootfd, &st) != 0 ||
		    fchmod(basefd, st.st_mode & 07777) != 0)
			mx_err(MX_EXIT_FAIL, "%s", disp);
		tmp.len = 0;
		mx_buf_printf(&tmp, "%s/%s/root", staging, opt.run);
		if (renameat2(AT_FDCWD, mx_buf_cstr(&tmp), AT_FDCWD, realroot,
		    RENAME_EXCHANGE) != 0)
			mx_err(MX_EXIT_FAIL, "cannot exchange %s and %s",
			    tmp.p, disp);
	} else
		for (i = 0; i < nparts; i++) {
			struct part *p = parts[i];

			leaf = strrchr(p->path, '/');
			leaf = leaf != NULL ? leaf + 1 : p->path;
			dlen = leaf > p->path ? (size_t)(leaf - 1 - p->path) : 0;
			pfd = dlen ? walk(rootfd, p->path, dlen, 1) : rootfd;
			sfd = dlen ? walk(basefd, p->path, dlen, 0) : basefd;
			if (pfd < 0 || sfd < 0)
				mx_err(MX_EXIT_FAIL, "%s/%.*s", disp, (int)dlen,
				    p->path);
			/* A new partition appears, an old one is exchanged
			 * with its successor: one step either way. */
			r = renameat2(sfd, leaf, pfd, leaf, RENAME_NOREPLACE);
			if (r != 0 && errno == EEXIST) {
				if (fstatat(pfd, leaf, &st,
				    AT_SYMLINK_NOFOLLOW) != 0)
					mx_err(MX_EXIT_FAIL, "%s/%s", disp,
					    p->path);
				if (!S_ISDIR(st.st_mode))
					mx_errx(MX_EXIT_FAIL, "%s/%s: not a "
					    "directory", disp, p->path);
				r = renameat2(sfd, leaf, pfd, leaf,
				    RENAME_EXCHANGE);
			}
			if (r != 0)
				mx_err(MX_EXIT_FAIL, "cannot publish %s/%s",
				    disp, p->path);
			if (pfd != rootfd)
				close(pfd);
			if (sfd != basefd)
				close(sfd);
		}
	sync_or_die(rootfd, disp);
	/* What is left in staging is the old content of the partitions. */
	rmtree(stagefd, opt.run, 0);
	staged = 0;
	(void)rmdir(staging);	/* kept when another run is starting */
}

/* ---- --adopt: partitions written elsewhere, published here ---- */

/*
 * A table rebuilt a partition at a time on other hosts: each wrote its
 * partition with mx-partition -m overwrite under a directory of its own
 * (on storage this machine shares), with this run's id.  Its partition
 * directories, manifest included, are moved into this run's staging tree
 * and published as overwrite publishes its own: the table gets the bytes
 * one mx-partition writing them all would have given, without the
 * records being read again.  Moving needs one file system; the hosts'
 * mx-partition synced the files (unless --no-sync there).
 */
static void
adopt_walk(const char *dir, int dirfd, struct mx_buf *rel)
{
	struct dirent *d;
	struct stat st;
	size_t len = rel->len;
	DIR *dp;
	int fd, leaf = 0;

	if ((dp = opendirat(dirfd, ".")) == NULL)
		mx_err(MX_EXIT_FAIL, "%s/%.*s", dir, (int)len, rel->p);
	while ((d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, MANIFEST) == 0) {
			leaf = 1;
			continue;
		}
		/* hidden: a staging directory, a run's marker */
		if (d->d_name[0] == '.' || fstatat(dirfd, d->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
			continue;
		if ((fd = walk(dirfd, d->d_name, strlen(d->d_name), 0)) < 0)
			mx_err(MX_EXIT_FAIL, "%s/%.*s%s", dir, (int)len,
			    rel->p, d->d_name);
		mx_buf_printf(rel, "%s/", d->d_name);
		adopt_walk(dir, fd, rel);
		close(fd);
		rel->len = len;
	}
	closedir(dp);
	if (leaf && len > 0) {
		struct part *p = mx_calloc(1, sizeof *p);

		p->path = mx_strndup(rel->p, len - 1);
		p->from = dir;
		parts = mx_reallocarray(parts, nparts + 1, sizeof *parts);
		parts[nparts++] = p;
	}
}

/* Every partition of every --adopt directory into the staging tree, once
 * all are found and none is in two of them. */
static void
adopt(void)
{
	struct mx_buf rel = { 0 };
	const char *leaf, *dir;
	size_t i, dlen;
	int afd, from, to;

	for (i = 0; i < opt.nadopt; i++) {
		if ((afd = open(opt.adopt[i], O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) < 0)
			mx_err(MX_EXIT_FAIL, "%s", opt.adopt[i]);
		rel.len = 0;
		adopt_walk(opt.adopt[i], afd, &rel);
		close(afd);
	}
	mx_buf_free(&rel);
	if (nparts > 1)
		qsort(parts, nparts, sizeof *parts, bypath);
	for (i = 1; i < nparts; i++)
		if (strcmp(parts[i - 1]->path, parts[i]->path) == 0)
			mx_errx(MX_EXIT_FAIL, "--adopt: the partition %s is in "
			    "%s and in %s", parts[i]->path, parts[i - 1]->from,
			    parts[i]->from);
	for (i = 0; i < nparts; i++) {
		struct part *p = parts[i];

		dir = p->from;
		leaf = strrchr(p->path, '/');
		leaf = leaf != NULL ? leaf + 1 : p->path;
		dlen = leaf > p->path ? (size_t)(leaf - 1 - p->path) : 0;
		if ((afd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			mx_err(MX_EXIT_FAIL, "%s", dir);
		from = dlen ? walk(afd, p->path, dlen, 0) : afd;
		to = dlen ? walk(basefd, p->path, dlen, 1) : basefd;
		if (from < 0 || to < 0)
			mx_err(MX_EXIT_FAIL, "%s/%s", dir, p->path);
		if (renameat(from, leaf, to, leaf) != 0) {
			if (errno == EXDEV)
				mx_errx(MX_EXIT_FAIL, "--adopt: %s and %s are "
				    "on different file systems", dir, disp);
			mx_err(MX_EXIT_FAIL, "cannot move %s/%s", dir,
			    p->path);
		}
		if (from != afd)
			close(from);
		if (to != basefd)
			close(to);
		close(afd);
	}
	if (opt.verbose)
		mx_warnx("%s: %zu partitions adopted from %zu directories",
		    disp, nparts, opt.nadopt);
}

/* ---- S3 mounts: new names, fsync, manifest last, delete last ---- */

static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
ispart(const char *name)
{
	size_t n = strlen(name);

	return strncmp(name, "part-", 5) == 0 &&
	    ((n > 12 && strcmp(name + n - 7, ".ndjson") == 0) ||
	    (n > 15 && strcmp(name + n - 10, ".ndjson.gz") == 0));
}

/* The temporary of a file written again (see again_close). */
static int
isagain(const char *name)
{
	size_t n = strlen(name);

	return name[0] == '.' && strncmp(name + 1, "part-", 5) == 0 &&
	    n > 12 && strcmp(name + n - 6, ".again") == 0;
}

/* After a killed run: in every partition directory below dirfd, delete
 * the part files its manifest does not list. */
static void
sweep(int dirfd, const char *where)
{
	struct mx_sel *sel = mx_sel_new();
	struct mx_json *j;
	struct mx_span sp;
	struct mx_buf m = { 0 }, b = { 0 };
	struct dirent *d;
	char **listed = NULL, *line, *nl, *key;
	size_t nl_ = 0, i;
	DIR *dp;
	int fd;

	mx_sel_add(sel, "file");
	j = mx_json_new(sel);
	slurpat(dirfd, MANIFEST, &m, where);
	for (line = m.p; line != NULL && line < m.p + m.len; line = nl + 1) {
		nl = memchr(line, '\n', m.p + m.len - line);
		if (mx_json_scan(j, line, nl - line, &sp, 1) == 0 &&
		    sp.kind == MX_JSTR) {
			listed = mx_reallocarray(listed, nl_ + 1, sizeof *listed);
			listed[nl_++] = mx_strdup(mx_span_cstr(&sp, &b));
		}
	}
	if (nl_ > 0)	/* qsort and bsearch want a base, even for 0 */
		qsort(listed, nl_, sizeof *listed, strp_cmp);
	if ((dp = opendirat(dirfd, ".")) == NULL)
		mx_err(MX_EXIT_FAIL, "%s", where);
	while ((d = readdir(dp)) != NULL) {
		if (isdots(d->d_name))
			continue;
		key = d->d_name;
		if (strchr(d->d_name, '=') != NULL &&
		    (fd = walk(dirfd, d->d_name, strlen(d->d_name), 0)) >= 0) {
			char sub[PATH_MAX];

			snprintf(sub, sizeof sub, "%s/%s", where, d->d_name);
			sweep(fd, sub);
			close(fd);
		} else if ((ispart(d->d_name) &&
		    (nl_ == 0 ||
		    bsearch(&key, listed, nl_, sizeof *listed, strp_cmp) == NULL)) ||
		    isagain(d->d_name)) {
			if (opt.verbose)
				mx_warnx("%s/%s: removing, left by a run that "
				    "did not finish", where, d->d_name);
			if (unlinkat(dirfd, d->d_name, 0) != 0)
				mx_err(MX_EXIT_FAIL, "cannot remove %s/%s",
				    where, d->d_name);
		}
	}
	closedir(dp);
	for (i = 0; i < nl_; i++)
		free(listed[i]);
	free(listed);
	mx_buf_free(&m);
	mx_buf_free(&b);
	mx_json_free(j);
	mx_sel_free(sel);
}

static void
s3_setup(void)
{
	struct mx_seqfile f;
	struct stat st;

	basefd = rootfd;
	if (fstatat(rootfd, MARKER, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (opt.verbose)
			mx_warnx("%s: a run did not finish: removing its files",
			    disp);
		sweep(rootfd, disp);
		return;
	}
	tmp.len = 0;
	mx_buf_printf(&tmp, "%s/%s", disp, MARKER);
	if (mx_seqfile_open(&f, rootfd, MARKER, mx_buf_cstr(&tmp),
	    O_CREAT | O_EXCL, 0) != 0)
		mx_err(MX_EXIT_FAIL, "%s", tmp.p);
	mx_seqfile_write(&f, opt.run, strlen(opt.run));
	mx_seqfile_write(&f, "\n", 1);
	mx_seqfile_close(&f, 1);
}

/* Replace mode: below dirfd (at depth in the key list), delete what is
 * not on the way to a partition of this run. */
static void
prune_root(int dirfd, struct mx_hmap *keep, struct mx_buf *pre, size_t depth)
{
	struct dirent *d;
	size_t mark = pre->len;
	DIR *dp;
	int fd;

	if ((dp = opendirat(dirfd, ".")) == NULL)
		mx_err(MX_EXIT_FAIL, "%s/%.*s", disp, (int)pre->len, pre->p);
	while ((d = readdir(dp)) != NULL) {
		if (isdots(d->d_name) || (depth == 0 &&
		    strcmp(d->d_name, MARKER) == 0))
			continue;
		pre->len = mark;
		if (depth > 0)
			mx_buf_addc(pre, '/');
		mx_buf_adds(pre, d->d_name);
		if (mx_hmap_find(keep, pre->p, pre->len, mx_hash64(pre->p,
		    pre->len)) == MX_HMAP_NONE)
			rmtree(dirfd, d->d_name, 0);
		else if (depth + 1 < keys.n) {
			if ((fd = walk(dirfd, d->d_name, strlen(d->d_name),
			    0)) < 0)
				mx_err(MX_EXIT_FAIL, "%s/%s", disp,
				    mx_buf_cstr(pre));
			prune_root(fd, keep, pre, depth + 1);
			close(fd);
		}
	}
	pre->len = mark;
	closedir(dp);
}

static void
s3_publish(void)
{
	struct mx_buf old = { 0 }, pre = { 0 };
	struct dirent *d;
	struct mx_hmap *keep;
	size_t i, k;
	DIR *dp;
	int fd;

	for (i = 0; i < nparts; i++) {
		struct part *p = parts[i];

		if ((fd = walk(rootfd, p->path, strlen(p->path), 0)) < 0)
			mx_err(MX_EXIT_FAIL, "%s/%s", disp, p->path);
		old.len = 0;
		if (opt.mode == M_APPEND) {
			tmp.len = 0;
			mx_buf_printf(&tmp, "%s/%s", disp, p->path);
			slurpat(fd, MANIFEST, &old, mx_buf_cstr(&tmp));
			warn_repeat(p, &old);
		}
		write_manifest(p, fd, &old);
		/* The new files are closed and listed: the old ones go. */
		if (opt.mode != M_APPEND) {
			if ((dp = opendirat(fd, ".")) == NULL)
				mx_err(MX_EXIT_FAIL, "%s/%s", disp, p->path);
			while ((d = readdir(dp)) != NULL)
				if (!isdots(d->d_name) &&
				    strcmp(d->d_name, MANIFEST) != 0 &&
				    !ours(p, d->d_name))
					rmtree(fd, d->d_name, 0);
			closedir(dp);
		}
		close(fd);
	}
	mx_buf_free(&old);
	if (opt.mode == M_REPLACE) {
		/* every directory on the way to a partition of this run */
		keep = mx_hmap_new(0);
		for (i = 0; i < nparts; i++)
			for (k = 0; parts[i]->path[k] != '\0'; k++)
				if (parts[i]->path[k + 1] == '/' ||
				    parts[i]->path[k + 1] == '\0')
					mx_hmap_add(keep, parts[i]->path, k + 1,
					    mx_hash64(parts[i]->path, k + 1),
					    NULL);
		prune_root(rootfd, keep, &pre, 0);
		mx_hmap_free(keep);
		mx_buf_free(&pre);
	}
	if (unlinkat(rootfd, MARKER, 0) != 0)
		mx_err(MX_EXIT_FAIL, "cannot remove %s/%s", disp, MARKER);
}

/* ---- setup ---- */

static void
mkdirs(const char *path)
{
	char *p = mx_strdup(path), *s;

	for (s = p + 1; ; s++)
		if (*s == '/' || *s == '\0') {
			int end = *s == '\0';

			*s = '\0';
			if (mkdir(p, 0777) != 0 && errno != EEXIST)
				mx_err(MX_EXIT_FAIL, "cannot make %s", p);
			if (end)
				break;
			*s = '/';
		}
	free(p);
}

static void
make_run_id(void)
{
	struct timespec ts;
	struct tm tm;
	uint64_t seed[2];
	char hex[17];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	seed[0] = (uint64_t)ts.tv_sec << 30 ^ (uint64_t)ts.tv_nsec;
	seed[1] = (uint64_t)getpid();
	mx_hash64_hex(mx_hash64(seed, sizeof seed), hex);
	snprintf(opt.run, sizeof opt.run, "%04d%02d%02dT%02d%02d%02dZ-%.8s",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, hex);
}

static int
valid_run(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") == n;
}

static void
check_fd_limit(void)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)opt.maxopen + 32;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		mx_errx(MX_EXIT_USAGE, "--max-open %zu: the limit on open files "
		    "is %llu", opt.maxopen, (unsigned long long)rl.rlim_max);
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		mx_err(MX_EXIT_USAGE, "--max-open %zu", opt.maxopen);
}

static uintmax_t
count_arg(const char *what, const char *s, int size, uintmax_t max)
{
	long long v = size ? mx_parse_size(s) : mx_parse_count(s);

	if (v <= 0 || (uintmax_t)v > max) {
		mx_warnx("%s: bad value '%s'", what, s);
		usage();
	}
	return (uintmax_t)v;
}

int
main(int argc, char *argv[])
{
	enum { OPT_MAXREC = 256, OPT_LEVEL, OPT_MAXBYTES, OPT_MAXOPEN, OPT_MEMORY,
	    OPT_S3, OPT_LOCAL, OPT_NOSYNC, OPT_RUN, OPT_THREADS, OPT_INDEX,
	    OPT_IKEY, OPT_ADOPT };
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "keys", required_argument, NULL, 'k' },
		{ "mode", required_argument, NULL, 'm' },
		{ "gzip", no_argument, NULL, 'z' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "max-records", required_argument, NULL, OPT_MAXREC },
		{ "max-bytes", required_argument, NULL, OPT_MAXBYTES },
		{ "max-open", required_argument, NULL, OPT_MAXOPEN },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "level", required_argument, NULL, OPT_LEVEL },
		{ "s3", no_argument, NULL, OPT_S3 },
		{ "local", no_argument, NULL, OPT_LOCAL },
		{ "no-sync", no_argument, NULL, OPT_NOSYNC },
		{ "run", required_argument, NULL, OPT_RUN },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "index", required_argument, NULL, OPT_INDEX },
		{ "index-key", required_argument, NULL, OPT_IKEY },
		{ "adopt", required_argument, NULL, OPT_ADOPT },
		MX_REJECTS_LONGOPT,
		MX_STRICT_LONGOPT,
		MX_TRUSTED_LONGOPT,
		MX_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct mx_buf spec = { 0 }, ispec = { 0 };
	struct mx_sel *sel;
	struct statfs sf;
	char err[256];
	size_t i, n;
	int c, nthr = 1;

	mx_init(argv[0]);
	while ((c = mx_getopt(argc, argv, "d:k:m:vz", longopts, NULL,
	    synopsis)) != -1)
		switch (c) {
		case 'd':
			opt.root = optarg;
			break;
		case 'k':
			if (spec.len > 0)
				mx_buf_addc(&spec, ',');
			mx_buf_adds(&spec, optarg);
			break;
		case 'm':
			for (i = 0; i < 3; i++)
				if (strcmp(optarg, modes[i]) == 0)
					break;
			if (i == 3) {
				mx_warnx("-m: unknown mode '%s'", optarg);
				usage();
			}
			opt.mode = (int)i;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'z':
			if (opt.level == 0)
				opt.level = 6;
			break;
		case OPT_LEVEL:
			opt.level = (int)count_arg("--level", optarg, 0, 9);
			break;
		case OPT_MAXREC:
			opt.maxrecs = count_arg("--max-records", optarg, 0,
			    UINTMAX_MAX);
			break;
		case OPT_MAXBYTES:
			opt.maxbytes = count_arg("--max-bytes", optarg, 1,
			    UINTMAX_MAX);
			break;
		case OPT_MAXOPEN:
			opt.maxopen = count_arg("--max-open", optarg, 0,
			    1000000);
			break;
		case OPT_MEMORY:
			opt.memory = count_arg("--memory", optarg, 1, SIZE_MAX);
			break;
		case OPT_S3:
			opt.s3 = 1;
			break;
		case OPT_LOCAL:
			opt.s3 = 0;
			break;
		case OPT_NOSYNC:
			opt.sync = 0;
			break;
		case OPT_RUN:
			if (!valid_run(optarg)) {
				mx_warnx("--run: 1 to 64 of A-Z a-z 0-9 _ -");
				usage();
			}
			snprintf(opt.run, sizeof opt.run, "%s", optarg);
			break;
		case OPT_THREADS:
			nthr = (int)count_arg("--threads", optarg, 1, 64);
			break;
		case OPT_INDEX:
			opt.index = optarg;
			break;
		case OPT_ADOPT:
			opt.adopt = mx_reallocarray(opt.adopt, opt.nadopt + 1,
			    sizeof *opt.adopt);
			opt.adopt[opt.nadopt++] = optarg;
			break;
		case OPT_IKEY:
			if (ispec.len > 0)
				mx_buf_addc(&ispec, ',');
			mx_buf_add(&ispec, optarg, strlen(optarg));
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;
	if (opt.level > 0)
		mx_seqfile_threads(nthr);
	if (opt.nadopt > 0 && (argc > 0 || spec.len > 0 ||
	    opt.mode != M_OVERWRITE || opt.index != NULL || opt.s3 == 1 ||
	    opt.level > 0 || mx_opt_rejects != NULL)) {
		mx_warnx("--adopt: -d, -m overwrite, and no -k, file, "
		    "--index, --s3, -z or --rejects");
		usage();
	}
	if (opt.root == NULL || (spec.len == 0 && opt.nadopt == 0)) {
		mx_warnx("-d and -k are required");
		usage();
	}
	if (*opt.root == '\0' || !mx_utf8_valid(opt.root, strlen(opt.root))) {
		mx_warnx("-d: the root must be a UTF-8 path");
		usage();
	}
	sel = mx_sel_new();
	if (opt.nadopt == 0 && mx_exprs_parse(&keys, mx_buf_cstr(&spec),
	    sel, err, sizeof err) < 0) {
		mx_warnx("-k: %s", err);
		usage();
	}
	if ((opt.index == NULL) != (ispec.len == 0)) {
		mx_warnx("--index and --index-key go together");
		usage();
	}
	if (opt.index != NULL && opt.mode == M_APPEND) {
		/* the index holds what a partition holds: then only what this
		 * run wrote */
		mx_warnx("--index: -m overwrite or replace (an appended "
		    "partition holds more than the records written)");
		usage();
	}
	if (opt.index != NULL && mx_exprs_parse(&ikeys, mx_buf_cstr(&ispec),
	    sel, err, sizeof err) < 0) {
		mx_warnx("--index-key: %s", err);
		usage();
	}
	for (i = 0; i < ikeys.n; i++)
		(void)mx_seen_add(&named, "--index-key", ikeys.v[i].path,
		    ikeys.v[i].sel);
	for (i = 0; i < keys.n; i++) {
		pathb.len = 0;
		if (mx_hive_dirname(&pathb, keys.v[i].name, NULL, 0) < 0) {
			mx_warnx("-k: the name '%s' is too long for a "
			    "directory name", keys.v[i].name);
			usage();
		}
		(void)mx_seen_add(&named, "-k", keys.v[i].path,
		    keys.v[i].sel);
	}
	if (opt.run[0] == '\0')
		make_run_id();
	check_fd_limit();

	/* ROOT for output as given, without trailing slashes */
	n = strlen(opt.root);
	while (n > 1 && opt.root[n - 1] == '/')
		n--;
	disp = mx_strndup(opt.root, n);
	mkdirs(disp);
	if ((rootfd = open(disp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		mx_err(MX_EXIT_FAIL, "%s", disp);
	lock(rootfd, disp);
	if (opt.s3 < 0) {
		if (fstatfs(rootfd, &sf) != 0)
			mx_err(MX_EXIT_FAIL, "%s", disp);
		opt.s3 = (unsigned long)sf.f_type == FUSE_MAGIC;
	}
	if (opt.s3 && opt.nadopt > 0)
		mx_errx(MX_EXIT_FAIL, "--adopt: %s is on an S3 mount, where a "
		    "directory cannot be moved in one step", disp);
	if (opt.s3)
		s3_setup();
	else
		local_setup();
	if (opt.sync && !opt.s3)
		mx_seqfile_writeback();
	if (opt.verbose)
		mx_warnx("%s: run %s, %s mode, publishing %s", disp, opt.run,
		    modes[opt.mode], opt.s3 ? "with manifests (S3 mount)" :
		    "by directory exchange (local file system)");

	sc0 = scanner_new(sel);
	vals = mx_calloc(keys.n, sizeof *vals);
	/* (compressing, the threads are the compressors': a scanning one
	 * beside them made bronze no faster) */
	if (nthr > 1 && opt.level == 0 && opt.nadopt == 0 &&
	    mx_maxrec <= UINT32_MAX)	/* (a batch's lines are 32-bit) */
		ah_start(sel);
	/* (and a writer: write(2) was 42% of silver's reading thread) */
	if (nthr > 1 && opt.level == 0)
		mx_seqfile_writer();
	slots = mx_calloc(opt.maxopen, sizeof *slots);
	ptab = mx_hmap_new(sizeof(struct part *));
	if (opt.index != NULL) {
		/* the keys' sort takes half of --memory, the buffers the rest */
		opt.memory = opt.memory / 2 > 0 ? opt.memory / 2 : 1;
		ix = mx_xsort_new(sizeof(struct mx_kidx_ent), entcmp,
		    (long long)opt.memory);
		mx_xsort_hashed(ix);
	}
	if (mx_opt_rejects != NULL)
		rej = mx_out_open(mx_opt_rejects);
	if (opt.nadopt > 0)
		adopt();
	else if (argc == 0)
		readfile("-");
	for (i = 0; i < (size_t)argc; i++)
		readfile(argv[i]);
	ah_end();
	if (mx_seen_report(&named, mx_opt_strict) > 0 && mx_opt_strict) {
		/* nothing published, as when a bad record ends the run */
		if (rej != NULL)
			mx_out_abort(rej);
		exit(MX_EXIT_FAIL);
	}

	/* Every record is in a closed file before anything is published. */
	for (i = 0; i < opt.maxopen; i++)
		if (slots[i].p != NULL)
			seal(slots[i].p);
	for (i = 0; i < nparts; i++)
		seal(parts[i]);
	if (nparts > 0)
		qsort(parts, nparts, sizeof *parts, bypath);
	if (ix != NULL) {
		flush_start();
		write_index();
		flush_end();
	}
	if (opt.s3)
		s3_publish();
	else
		local_publish();
	if (rej != NULL)
		mx_out_close(rej);
	report(mx_out_stdout());
	if (opt.verbose && opt.nadopt == 0)
		mx_warnx("%s: %ju records in, %ju written, %ju rejected, %ju "
		    "blank lines; %zu partitions, %ju files", disp, nin, nout,
		    nrej, nblank, nparts, nfiles);
	mx_out_close(mx_stdout);

	for (i = 0; i < nparts; i++) {
		free(parts[i]->path);
		free(parts[i]->values);
		free(parts[i]->files);
		mx_buf_free(&parts[i]->buf);
		free(parts[i]);
	}
	free(parts);
	mx_hmap_free(ptab);
	free(slots);
	scanner_free(sc0);
	free(vals);
	free(opt.adopt);
	free(staging);
	free(realroot);
	free(disp);
	mx_sel_free(sel);
	mx_exprs_free(&keys);
	mx_exprs_free(&ikeys);
	if (ix != NULL)
		mx_xsort_free(ix);
	mx_buf_free(&ispec);
	mx_buf_free(&spec);
	mx_buf_free(&prev);
	mx_buf_free(&pathb);
	mx_buf_free(&tmp);
	mx_buf_free(&full);
	return MX_EXIT_OK;
}
