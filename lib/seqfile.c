/*
 * seqfile.c: files written once, front to back, and never reopened: the
 * only kind of write an S3 mount supports.  Every write, the fsync and the
 * close are checked (an S3 mount reports a failed upload there and only
 * there), and the XXH3 of the bytes that reach the disk is kept, so a
 * manifest can name the file's checksum without reading it back.
 *
 * Optionally gzip: every ZCHUNK bytes of input are a gzip member of their
 * own (no name, time 0), so that the chunks can be compressed by several
 * threads (mx_seqfile_threads) and the file is the same bytes whatever
 * their number.  Every gzip reader reads the members as one stream; a 256
 * KiB member costs about 1% in size against one member.  A member is one
 * buffer, which libdeflate compresses whole: at level 1, 2.1 times as fast
 * as zlib and 8% smaller on the lake's records (its output is the same
 * for the same version of libdeflate, whatever the CPU).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* sync_file_range */
#endif
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <xxhash.h>

#include "mx.h"

#define ZCHUNK	(256 * 1024)
/* the worst case for ZCHUNK bytes (stored blocks) and the gzip header
 * and trailer, with room to spare (libdeflate_gzip_compress_bound says
 * less) */
#define ZOUT	(ZCHUNK + ZCHUNK / 8 + ZCHUNK / 64 + 64)

/* A chunk: being filled, compressed by a thread, or compressed. */
struct zslot {
	unsigned char	*in, *out;
	size_t		 inlen, outlen;
	int		 level;
	int		 busy;		/* given to a thread, not written out */
	int		 done;		/* the thread is done (under mu) */
	int		 err;
};

/* The gzip side of a file: a ring of slots, filled in turn; the slot
 * after the one being filled is the oldest still being compressed. */
struct zfile {
	struct zslot	*slot;
	int		 nslot, cur;
	struct libdeflate_compressor *c;	/* without threads */
	int		 clevel;
};

/* The threads, shared by all files, and the slots queued for them. */
static int		 nthreads;
static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 cwork = PTHREAD_COND_INITIALIZER;
static pthread_cond_t	 cdone = PTHREAD_COND_INITIALIZER;
static struct zslot	**queue;
static size_t		 qhead, qlen, qcap;
static size_t		 nzfiles;	/* gzip files open */

/* One member of s->in into s->out; *c is the caller's compressor, made
 * at the slot's level on first use (*clevel: its level, -1 none). */
static void
deflate_slot(struct libdeflate_compressor **c, int *clevel,
    struct zslot *s)
{
	if (*clevel != s->level) {
		libdeflate_free_compressor(*c);
		*clevel = -1;
		if ((*c = libdeflate_alloc_compressor(s->level)) == NULL) {
			s->err = 1;
			return;
		}
		*clevel = s->level;
	}
	s->outlen = libdeflate_gzip_compress(*c, s->in, s->inlen, s->out,
	    ZOUT);
	s->err = s->outlen == 0;
}

static void *
worker(void *arg)
{
	struct libdeflate_compressor *c = NULL;
	int clevel = -1;
	struct zslot *s;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&mu);
		while (qlen == 0)
			pthread_cond_wait(&cwork, &mu);
		s = queue[qhead];
		qhead = (qhead + 1) % qcap;
		qlen--;
		pthread_mutex_unlock(&mu);
		deflate_slot(&c, &clevel, s);
		pthread_mutex_lock(&mu);
		s->done = 1;
		pthread_cond_broadcast(&cdone);
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

void
mx_seqfile_threads(int n)
{
	pthread_t t;
	int i;

	if (nthreads > 0 || n < 2)
		return;
	for (i = 0; i < n; i++) {
		if (pthread_create(&t, NULL, worker, NULL) != 0)
			mx_errx(MX_EXIT_FAIL, "cannot start a thread");
		pthread_detach(t);
	}
	nthreads = n;
}

/*
 * Writeback as the bytes come: the kernel otherwise holds them until the
 * sync that publishes them (gigabytes fit under its dirty limits here),
 * which then writes them all while the tool waits: the 1M-event silver's
 * 330 MB took 0.25 s of syncfs with both cores idle.  Started every
 * FLUSHAT bytes of a file and not waited for, so the disk writes while
 * the records are read; the sync finds little left.  (A hint: a file
 * system that refuses it stops being asked, and the sync still reports
 * any write error.)
 *
 * The blocks come first, a run at a time (fallocate, the file's size
 * kept): ext4 otherwise allocates them as it writes back, a few MiB at a
 * time, holding the file's lock that the writer's next write waits for,
 * and reading block bitmaps from the disk while it holds it.  Ahead of
 * the bytes by as many as are written, up to PREMAX, from FLUSHAT on: a
 * file holds at most twice its size, and never PREMAX more, until it is
 * closed, which gives the rest back (ftruncate to its size, before the
 * fsync).  Other writers must not run out of space for blocks that are
 * only reserved: the blocks reserved ahead and not yet written, all
 * files together, stay within a quarter of the free space, and none are
 * reserved when that would leave less than PREFREE free.
 * Silver's pipe at 10M events (mx-dedup into mx-partition, 3.3 GB over
 * 39 partitions), alone, six runs each in turn: 15.5-21.0 s (median
 * 17.5) against 17.0-21.1 s (median 20.1), the same bytes.  (A hint too:
 * a file system without it, or full, stops being asked; the writes then
 * say what is wrong.)
 */
#define FLUSHAT	((uintmax_t)4 << 20)
#define PREMAX	((uintmax_t)64 << 20)
#define PREFREE	((uintmax_t)1 << 30)

static int		writeback, prealloc;
static uintmax_t	ahead_all;	/* reserved and not yet written */

void
mx_seqfile_writeback(void)
{
	writeback = prealloc = 1;
}

/* Blocks for the n bytes about to be written, when they have none yet
 * (a file under FLUSHAT is written back whole: none). */
static void
reserve(struct mx_seqfile *f, size_t n)
{
	struct statvfs sv;
	uintmax_t ahead, avail, want;

	if (f->bytes + n <= f->reserved || f->bytes + n <= FLUSHAT)
		return;
	/* (what is left of its last reservation, the next write's; the
	 * total under the lock: a close on another thread takes from it) */
	pthread_mutex_lock(&mu);
	ahead_all -= f->held;
	want = ahead_all;
	pthread_mutex_unlock(&mu);
	f->held = 0;
	if (f->reserved < f->bytes)
		f->reserved = f->bytes;
	ahead = f->bytes < PREMAX ? f->bytes : PREMAX;
	if (ahead < f->bytes + n - f->reserved)
		ahead = f->bytes + n - f->reserved;
	if (fstatvfs(f->fd, &sv) != 0)
		return;
	avail = (uintmax_t)sv.f_bavail * sv.f_frsize;
	want += ahead;
	if (avail < want || avail - want < PREFREE || want > avail / 4)
		return;
	if (fallocate(f->fd, FALLOC_FL_KEEP_SIZE, (off_t)f->reserved,
	    (off_t)ahead) != 0) {
		prealloc = 0;
		return;
	}
	f->reserved += ahead;
	f->held = f->reserved - f->bytes;
	pthread_mutex_lock(&mu);
	ahead_all += f->held;
	pthread_mutex_unlock(&mu);
}

/* n bytes at p to f's file: 0, or the errno of the write that failed.
 * (With the writer on, a plain file's are put by the writer alone.) */
static int
put(struct mx_seqfile *f, const unsigned char *p, size_t n)
{
	ssize_t k;

	XXH3_64bits_update(f->h, p, n);
	if (prealloc)
		reserve(f, n);
	while (n > 0) {
		k = write(f->fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += k;
		n -= k;
		f->bytes += k;
	}
	if (writeback && f->bytes - f->flushed >= FLUSHAT) {
		if (sync_file_range(f->fd, (off_t)f->flushed,
		    (off_t)(f->bytes - f->flushed), SYNC_FILE_RANGE_WRITE) != 0)
			writeback = 0;
		f->flushed = f->bytes;
	}
	return 0;
}

/* A failed write of f's (e: put's answer), said; the writer's once the
 * lock is let go. */
static void
werr_say(struct mx_seqfile *f, int e)
{
	if (e != 0) {
		errno = e;
		mx_err(MX_EXIT_FAIL, "write error: %s", f->name);
	}
}

/*
 * The writer (mx_seqfile_writer).  Silver's mx-partition spent 42% of its
 * main thread in write(2), the copy into the page cache, while a core
 * stood idle: the thread that reads, routes and buffers the records now
 * hands each full buffer over whole (its memory, not a copy) and goes on.
 * One thread writes them all, in the order given, so each file's bytes
 * and checksum are those of a plain run.  At most NGIVEN buffers wait;
 * the giver then waits for the oldest.  A write that fails is kept in
 * its file (werr) and said by the giver at the file's next give or its
 * close, which waits for the file's buffers: nothing is published that
 * was not written whole.
 */
#define NGIVEN	8

static struct given {
	struct mx_seqfile *f;
	struct mx_buf	 b;
}			 given[NGIVEN];
static size_t		 ghead, glen;
static int		 writer_on;
static pthread_cond_t	 gwork = PTHREAD_COND_INITIALIZER;
static pthread_cond_t	 gdone = PTHREAD_COND_INITIALIZER;

static void *
writer(void *arg)
{
	struct given *g;
	int e;

	(void)arg;
	pthread_mutex_lock(&mu);
	for (;;) {
		while (glen == 0)
			pthread_cond_wait(&gwork, &mu);
		g = &given[ghead];
		pthread_mutex_unlock(&mu);
		/* (werr is this thread's to write: after a failure the
		 * file's other buffers are not written) */
		e = g->f->werr != 0 ? 0 :
		    put(g->f, (const unsigned char *)g->b.p, g->b.len);
		pthread_mutex_lock(&mu);
		if (e != 0)
			g->f->werr = e;
		g->f->queued--;
		g->f = NULL;
		ghead = (ghead + 1) % NGIVEN;
		glen--;
		pthread_cond_broadcast(&gdone);
	}
	return NULL;
}

void
mx_seqfile_writer(void)
{
	pthread_t t;

	if (writer_on)
		return;
	if (pthread_create(&t, NULL, writer, NULL) != 0)
		mx_errx(MX_EXIT_FAIL, "cannot start a thread");
	pthread_detach(t);
	writer_on = 1;
}

/* b's bytes to the writer for f; b gets a buffer the writer is done
 * with, emptied. */
static void
enqueue(struct mx_seqfile *f, struct mx_buf *b)
{
	struct given *g;
	struct mx_buf t;
	int e;

	pthread_mutex_lock(&mu);
	while (glen == NGIVEN)
		pthread_cond_wait(&gdone, &mu);
	if ((e = f->werr) == 0) {
		g = &given[(ghead + glen) % NGIVEN];
		t = g->b;
		g->b = *b;
		*b = t;
		g->f = f;
		f->queued++;
		glen++;
		pthread_cond_signal(&gwork);
	}
	pthread_mutex_unlock(&mu);
	werr_say(f, e);
	b->len = 0;
}

/* Every buffer given for f written. */
static void
settle(struct mx_seqfile *f)
{
	int e;

	pthread_mutex_lock(&mu);
	while (f->queued > 0)
		pthread_cond_wait(&gdone, &mu);
	e = f->werr;
	pthread_mutex_unlock(&mu);
	werr_say(f, e);
}

/* The compressed slot s to the file, once its thread is done with it. */
static void
slot_out(struct mx_seqfile *f, struct zslot *s)
{
	if (nthreads > 0) {
		pthread_mutex_lock(&mu);
		while (!s->done)
			pthread_cond_wait(&cdone, &mu);
		s->done = 0;
		pthread_mutex_unlock(&mu);
	}
	if (s->err)
		mx_errx(MX_EXIT_FAIL, "%s: cannot compress (libdeflate)",
		    f->name);
	werr_say(f, put(f, s->out, s->outlen));
	s->busy = 0;
	s->inlen = 0;
}

/* The slot being filled is a member: compressed here, or queued for a
 * thread, after which the next slot is made free (written out). */
static void
slot_submit(struct mx_seqfile *f)
{
	struct zfile *zf = f->z;
	struct zslot *s = &zf->slot[zf->cur];

	if (nthreads == 0) {
		deflate_slot(&zf->c, &zf->clevel, s);
		slot_out(f, s);
		return;
	}
	s->busy = 1;
	pthread_mutex_lock(&mu);
	queue[(qhead + qlen) % qcap] = s;
	qlen++;
	pthread_cond_signal(&cwork);
	pthread_mutex_unlock(&mu);
	zf->cur = (zf->cur + 1) % zf->nslot;
	s = &zf->slot[zf->cur];
	if (s->busy)
		slot_out(f, s);
}

int
mx_seqfile_open(struct mx_seqfile *f, int dirfd, const char *file,
    const char *name, int flags, int level)
{
	memset(f, 0, sizeof *f);
	/* (gzip's members are put by this thread: not beside the writer) */
	if (level > 0 && writer_on) {
		errno = EINVAL;
		return -1;
	}
	f->fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | flags,
	    0666);
	if (f->fd < 0)
		return -1;
	f->name = mx_strdup(name);
	if ((f->h = XXH3_createState()) == NULL ||
	    XXH3_64bits_reset(f->h) != XXH_OK)
		mx_errx(MX_EXIT_FAIL, "out of memory");
	if (level > 0) {
		struct zfile *zf = mx_calloc(1, sizeof *zf);
		int i;

		/* a slot per thread in flight, and the one being filled */
		zf->nslot = nthreads + 1;
		zf->slot = mx_calloc((size_t)zf->nslot, sizeof *zf->slot);
		for (i = 0; i < zf->nslot; i++)
			zf->slot[i].level = level;
		zf->clevel = -1;
		f->z = zf;
		if (nthreads > 0) {
			size_t need = ++nzfiles * (size_t)zf->nslot, k;

			/* room in the queue for every slot of every file
			 * (the ring moves to the front of the new one) */
			pthread_mutex_lock(&mu);
			if (qcap < need) {
				struct zslot **nq = mx_calloc(2 * need,
				    sizeof *nq);

				for (k = 0; k < qlen; k++)
					nq[k] = queue[(qhead + k) % qcap];
				free(queue);
				queue = nq;
				qhead = 0;
				qcap = 2 * need;
			}
			pthread_mutex_unlock(&mu);
		}
	}
	return 0;
}

void
mx_seqfile_give(struct mx_seqfile *f, struct mx_buf *b)
{
	if (b->len == 0)
		return;
	if (!writer_on || f->z != NULL) {
		mx_seqfile_write(f, b->p, b->len);
		b->len = 0;
		return;
	}
	f->raw += b->len;
	enqueue(f, b);
}

void
mx_seqfile_write(struct mx_seqfile *f, const void *p, size_t n)
{
	struct zfile *zf = f->z;
	const unsigned char *b = p;

	f->raw += n;
	if (zf == NULL && writer_on) {
		struct mx_buf t = { 0 };

		mx_buf_add(&t, p, n);
		enqueue(f, &t);
		mx_buf_free(&t);
		return;
	}
	if (zf == NULL) {
		werr_say(f, put(f, p, n));
		return;
	}
	while (n > 0) {
		struct zslot *s = &zf->slot[zf->cur];
		size_t k = ZCHUNK - s->inlen < n ? ZCHUNK - s->inlen : n;

		if (s->in == NULL) {
			s->in = mx_malloc(ZCHUNK);
			s->out = mx_malloc(ZOUT);
		}
		memcpy(s->in + s->inlen, b, k);
		s->inlen += k;
		b += k;
		n -= k;
		if (s->inlen == ZCHUNK)
			slot_submit(f);
	}
}

uint64_t
mx_seqfile_close(struct mx_seqfile *f, int sync)
{
	struct zfile *zf = f->z;
	uint64_t h;
	int i;

	if (zf == NULL && writer_on)
		settle(f);
	if (zf != NULL) {
		struct zslot *s = &zf->slot[zf->cur];

		/* the last chunk; an empty file is one empty member */
		if (s->inlen > 0 || f->raw == 0) {
			if (s->in == NULL) {
				s->in = mx_malloc(ZCHUNK);
				s->out = mx_malloc(ZOUT);
			}
			slot_submit(f);
		}
		/* the rest in the order they were given */
		for (i = 0; i < zf->nslot; i++) {
			s = &zf->slot[(zf->cur + i) % zf->nslot];
			if (s->busy)
				slot_out(f, s);
		}
		for (i = 0; i < zf->nslot; i++) {
			free(zf->slot[i].in);
			free(zf->slot[i].out);
		}
		free(zf->slot);
		if (nthreads > 0)
			nzfiles--;
		libdeflate_free_compressor(zf->c);
		free(zf);
		f->z = NULL;
	}
	if (f->reserved > f->bytes && ftruncate(f->fd, (off_t)f->bytes) != 0)
		mx_err(MX_EXIT_FAIL, "ftruncate: %s", f->name);
	pthread_mutex_lock(&mu);
	ahead_all -= f->held;
	pthread_mutex_unlock(&mu);
	f->held = 0;
	if (sync && fsync(f->fd) != 0)
		mx_err(MX_EXIT_FAIL, "fsync: %s", f->name);
	if (close(f->fd) != 0)
		mx_err(MX_EXIT_FAIL, "close: %s", f->name);
	f->fd = -1;
	h = XXH3_64bits_digest(f->h);
	XXH3_freeState(f->h);
	free(f->name);
	f->h = NULL;
	f->name = NULL;
	return h;
}
