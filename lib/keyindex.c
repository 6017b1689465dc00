/*
 * keyindex.c: the key index file of mx-index (see keyindex.h).
 *
 * The entries have a fixed size and the count is written after them, so
 * that a writer merging an old index with new entries need not know the
 * count in advance, and a reader can tell a truncated file from the file
 * size alone before reading a single entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "keyindex.h"

#define KI_MAGIC	"MXKIDX01"
#define KI_ENT		20	/* hi, lo, partition */
#define KI_TRAILER	16	/* count, checksum */

struct mx_kidx_reader {
	FILE		*fp;
	const char	*path;
	XXH3_state_t	*st;
	char		**parts;
	size_t		 nparts;
	uint64_t	 n, left;	/* entries announced by the size, to read */
	struct mx_kidx_ent last;
};

/* (entries are written and hashed KI_BATCH at a time: the hash's update
 * and the writer's call cost more than the entry itself, 0.2 s of the
 * 10M-event lake's silver) */
#define KI_BATCH	4096

struct mx_kidx_writer {
	struct mx_out	*o;
	XXH3_state_t	*st;
	uint64_t	 n;
	uint32_t	 nparts;
	struct mx_kidx_ent last;
	size_t		 nb;		/* bytes in b */
	unsigned char	 b[KI_BATCH * KI_ENT];
};

int
mx_kidx_cmp(const struct mx_kidx_ent *a, const struct mx_kidx_ent *b)
{
	int c = mx_h128_cmp(a->h, b->h);

	if (c != 0)
		return c;
	return a->part < b->part ? -1 : a->part > b->part;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void
put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
get64(const unsigned char *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static XXH3_state_t *
newstate(void)
{
	XXH3_state_t *st = XXH3_createState();

	if (st == NULL || XXH3_64bits_reset(st) != XXH_OK)
		mx_errx(MX_EXIT_FAIL, "out of memory (xxHash state)");
	return st;
}

/* Read n bytes into the checksum too; 0 at a short read. */
static int
rd(struct mx_kidx_reader *r, void *p, size_t n)
{
	if (n > 0 && fread(p, 1, n, r->fp) != n)
		return 0;
	XXH3_64bits_update(r->st, p, n);
	return 1;
}

struct mx_kidx_reader *
mx_kidx_open(const char *path, const char *spec, char *err, size_t errlen)
{
	struct mx_kidx_reader *r = mx_calloc(1, sizeof *r);
	unsigned char b[8];
	char *sp = NULL;
	struct stat st;
	uint64_t used, len;
	uint32_t i, n;

	r->path = path;
	r->st = newstate();
	if ((r->fp = fopen(path, "rb")) == NULL) {
		if (errno == ENOENT)
			return r;	/* an empty index */
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto bad;
	}
#define BAD(...) do { snprintf(err, errlen, __VA_ARGS__); goto bad; } while (0)
	if (fstat(fileno(r->fp), &st) < 0)
		BAD("%s: %s", path, strerror(errno));
	if (!rd(r, b, 8) || memcmp(b, KI_MAGIC, 8) != 0)
		BAD("%s: not an mx key index (bad magic)", path);
	if (!rd(r, b, 4))
		BAD("%s: truncated key index", path);
	n = get32(b);
	used = 12 + (uint64_t)n;
	if ((uint64_t)st.st_size < used)
		BAD("%s: truncated key index", path);
	sp = mx_malloc((size_t)n + 1);
	if (!rd(r, sp, n))
		BAD("%s: truncated key index", path);
	sp[n] = '\0';
	if (strcmp(sp, spec) != 0)
		BAD("%s: made for the key '%s', not '%s'", path, sp, spec);
	if (!rd(r, b, 4))
		BAD("%s: truncated key index", path);
	n = get32(b);
	used += 4;
	if ((uint64_t)n > (uint64_t)st.st_size)
		BAD("%s: corrupt key index (%u partitions)", path, n);
	r->parts = mx_calloc(n ? n : 1, sizeof *r->parts);
	for (i = 0; i < n; i++) {
		if (!rd(r, b, 4))
			BAD("%s: truncated key index", path);
		len = get32(b);
		used += 4 + len;
		if (used > (uint64_t)st.st_size)
			BAD("%s: truncated key index", path);
		r->parts[i] = mx_malloc((size_t)len + 1);
		r->nparts++;
		if (!rd(r, r->parts[i], (size_t)len))
			BAD("%s: truncated key index", path);
		r->parts[i][len] = '\0';
		if (i > 0 && strcmp(r->parts[i - 1], r->parts[i]) >= 0)
			BAD("%s: corrupt key index (partitions out of order)",
			    path);
	}
	if ((uint64_t)st.st_size < used + KI_TRAILER ||
	    ((uint64_t)st.st_size - used - KI_TRAILER) % KI_ENT != 0)
		BAD("%s: truncated or corrupt key index (%jd bytes)", path,
		    (intmax_t)st.st_size);
#undef BAD
	r->n = r->left = ((uint64_t)st.st_size - used - KI_TRAILER) / KI_ENT;
	free(sp);
	return r;
bad:
	free(sp);
	mx_kidx_close(r);
	return NULL;
}

size_t
mx_kidx_nparts(const struct mx_kidx_reader *r)
{
	return r->nparts;
}

const char *
mx_kidx_part(const struct mx_kidx_reader *r, size_t i)
{
	return r->parts[i];
}

int
mx_kidx_next(struct mx_kidx_reader *r, struct mx_kidx_ent *e, char *err,
    size_t errlen)
{
	unsigned char b[KI_ENT];
	uint64_t sum;

	if (r->fp == NULL)
		return 0;
	if (r->left == 0) {
		if (fread(b, 1, KI_TRAILER, r->fp) != KI_TRAILER) {
			snprintf(err, errlen, "%s: truncated key index",
			    r->path);
			return -1;
		}
		XXH3_64bits_update(r->st, b, 8);
		sum = XXH3_64bits_digest(r->st);
		if (get64(b) != r->n || get64(b + 8) != sum) {
			snprintf(err, errlen, "%s: corrupt key index (checksum "
			    "mismatch)", r->path);
			return -1;
		}
		return 0;
	}
	if (!rd(r, b, KI_ENT)) {
		snprintf(err, errlen, "%s: truncated key index", r->path);
		return -1;
	}
	e->h.hi = get64(b);
	e->h.lo = get64(b + 8);
	e->part = get32(b + 16);
	if (e->part >= r->nparts || (r->left < r->n &&
	    mx_kidx_cmp(&r->last, e) >= 0)) {
		snprintf(err, errlen, "%s: corrupt key index (entry %ju)",
		    r->path, (uintmax_t)(r->n - r->left + 1));
		return -1;
	}
	r->last = *e;
	r->left--;
	return 1;
}

void
mx_kidx_close(struct mx_kidx_reader *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->fp != NULL)
		fclose(r->fp);
	for (i = 0; i < r->nparts; i++)
		free(r->parts[i]);
	free(r->parts);
	XXH3_freeState(r->st);
	free(r);
}

static void
wr(struct mx_kidx_writer *w, const void *p, size_t n)
{
	XXH3_64bits_update(w->st, p, n);
	mx_out_write(w->o, p, n);
}

struct mx_kidx_writer *
mx_kidx_create(const char *path, const char *spec, char *const *parts,
    size_t nparts)
{
	struct mx_kidx_writer *w = mx_calloc(1, sizeof *w);
	unsigned char b[4];
	size_t i, n;

	w->o = mx_out_open(path);
	w->st = newstate();
	w->nparts = (uint32_t)nparts;
	wr(w, KI_MAGIC, 8);
	put32(b, (uint32_t)strlen(spec));
	wr(w, b, 4);
	wr(w, spec, strlen(spec));
	put32(b, (uint32_t)nparts);
	wr(w, b, 4);
	for (i = 0; i < nparts; i++) {
		n = strlen(parts[i]);
		put32(b, (uint32_t)n);
		wr(w, b, 4);
		wr(w, parts[i], n);
	}
	return w;
}

void
mx_kidx_add(struct mx_kidx_writer *w, const struct mx_kidx_ent *e)
{
	if (e->part >= w->nparts ||
	    (w->n > 0 && mx_kidx_cmp(&w->last, e) >= 0))
		mx_errx(MX_EXIT_FAIL, "%s: internal error: index entries out "
		    "of order", w->o->name);
	w->last = *e;
	w->n++;
	if (w->nb == sizeof w->b) {
		wr(w, w->b, w->nb);
		w->nb = 0;
	}
	put64(w->b + w->nb, e->h.hi);
	put64(w->b + w->nb + 8, e->h.lo);
	put32(w->b + w->nb + 16, e->part);
	w->nb += KI_ENT;
}

void
mx_kidx_commit(struct mx_kidx_writer *w)
{
	unsigned char b[KI_TRAILER];

	wr(w, w->b, w->nb);
	put64(b, w->n);
	XXH3_64bits_update(w->st, b, 8);
	put64(b + 8, XXH3_64bits_digest(w->st));
	mx_out_write(w->o, b, KI_TRAILER);
	mx_out_close(w->o);
	XXH3_freeState(w->st);
	free(w);
}
