/*
 * reader.c: one line reader for every tool.
 *
 * Input is plain or gzip, told apart by the magic bytes rather than by the
 * file name, because stdin has no name and people do name gzip files .ndjson.
 * Lines are returned as pointers into one buffer: no allocation per line,
 * and the buffer grows only for a line longer than it (up to maxrec).
 */
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "mx.h"

#define RAWCAP	(1024 * 1024)	/* gz: compressed bytes read ahead */
#define BUFSZ	(1024 * 1024)
/* Plain input is read a little at a time into the front of the buffer,
 * so that the bytes read are still in the cache when the line scanner and
 * the JSON scanner come to them: reading 1 MB at once costs a trip to
 * memory for each byte twice. */
#define READSZ	(64 * 1024)

static ssize_t
readfd(struct mx_reader *r, void *p, size_t n)
{
	ssize_t k;

	do
		k = read(r->fd, p, n);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		mx_err(MX_EXIT_FAIL, "%s: read error", mx_name(r->name));
	r->fdbytes += (uintmax_t)k;
	mx_progress_tick(r);
	return k;
}

/*
 * Only gzip is read (zlib is everywhere, and the lake writes it); the
 * other compressions people meet are named, with the command that reads
 * them, rather than reported as invalid JSON at column 1.
 */
static const struct {
	const char	*magic;
	size_t		 n, want;	/* its length; the bytes that decide */
	const char	*name, *cmd;
} fmt[] = {
	{ "\xfd" "7zXZ\0", 6, 6, "xz", "xz -dc" },
	{ "\x28\xb5\x2f\xfd", 4, 4, "zstd", "zstd -dc" },
	/* "BZh", the block size, then a block's or the end's magic, so
	 * that a text starting "BZh1" is still text */
	{ "BZh", 3, 10, "bzip2", "bzip2 -dc" },
	{ "\x04\x22\x4d\x18", 4, 4, "lz4", "lz4 -dc" },
};

/* How many bytes the start of the input must have to be told apart. */
static size_t
magic_wanted(const struct mx_reader *r)
{
	size_t i, want = 2, k;

	for (i = 0; i < sizeof fmt / sizeof fmt[0]; i++) {
		k = r->end < fmt[i].n ? r->end : fmt[i].n;
		if (memcmp(r->buf, fmt[i].magic, k) == 0 && fmt[i].want > want)
			want = fmt[i].want;
	}
	return want;
}

static void
refuse_compressed(struct mx_reader *r)
{
	const unsigned char *b = (const unsigned char *)r->buf;
	size_t i;

	for (i = 0; i < sizeof fmt / sizeof fmt[0]; i++) {
		if (r->end < fmt[i].n || memcmp(b, fmt[i].magic, fmt[i].n) != 0)
			continue;
		if (fmt[i].magic[0] == 'B' && (r->end < 10 || b[3] < '1' ||
		    b[3] > '9' || (memcmp(b + 4, "\x31\x41\x59\x26\x53\x59",
		    6) != 0 && memcmp(b + 4, "\x17\x72\x45\x38\x50\x90",
		    6) != 0)))
			continue;
		mx_errx(MX_EXIT_FAIL, "%s: compressed with %s: decompress "
		    "first, e.g. %s %s |", mx_name(r->name), fmt[i].name,
		    fmt[i].cmd, strcmp(r->name, "-") == 0 ? "FILE" :
		    r->name);
	}
}

/*
 * A plain regular file is read where the page cache holds it: mapped, its
 * lines are handed out in place, where read() would copy every byte into
 * the buffer first (a quarter of the system time of a pass over a large
 * file).  A file cut short while mapped ends the run (SIGBUS: err.c).
 * Below a megabyte a file takes a read or two and is not worth a mapping.
 */
off_t	mx_reader_mapmin = (off_t)1 << 20;

/* The pages of the lines handed out before the last are let go (they
 * stay in the page cache), so that a mapped file does not count in the
 * reader's resident memory as a whole: at most DROPSZ and a line. */
#define DROPSZ	((size_t)8 << 20)

static void
unmap_behind(struct mx_reader *r, size_t line)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t from = r->dropped, to = line & ~(pg - 1);

	/* (line: where the line returned now starts) */
	if (to > from)
		(void)madvise(r->buf + from, to - from, MADV_DONTNEED);
	r->dropped = to > from ? to : from;
	r->fdbytes = r->beg;
	mx_progress_tick(r);
}

static void
map(struct mx_reader *r)
{
	void *p;

	if ((uintmax_t)r->size > SIZE_MAX)
		return;
	p = mmap(NULL, (size_t)r->size, PROT_READ, MAP_PRIVATE, r->fd, 0);
	if (p == MAP_FAILED)
		return;		/* read as any other input */
	(void)madvise(p, (size_t)r->size, MADV_SEQUENTIAL);
	mx_bus_watch(mx_name(r->name), p, (size_t)r->size);
	free(r->buf);
	r->buf = p;
	r->cap = r->end = (size_t)r->size;
	r->beg = 0;
	r->fdbytes = 0;
	r->eof = 1;
	r->mapped = 1;
}

/* At the end of a mapped file: a file cut within its last page raises no
 * SIGBUS (the page reads as zeros past the new end), so its size is
 * asked again. */
static void
mapped_end(struct mx_reader *r)
{
	struct stat st;

	if (fstat(r->fd, &st) == 0 && st.st_size < r->size)
		mx_errx(MX_EXIT_FAIL, "%s: cut short while it was read",
		    mx_name(r->name));
}

int
mx_reader_open(struct mx_reader *r, const char *path)
{
	struct stat st;
	ssize_t k;
	size_t want;
	off_t at;

	memset(r, 0, sizeof *r);
	r->name = path != NULL ? path : "-";
	r->maxrec = mx_maxrec;
	if (strcmp(r->name, "-") == 0) {
		r->fd = 0;
		mx_pipesize(0);
	} else if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode))
		r->size = st.st_size;
	/* (standard input may be a file read in part already: only a file
	 * read from its start is mapped) */
	at = r->size > 0 ? lseek(r->fd, 0, SEEK_CUR) : -1;
	if (r->size >= (off_t)16 << 20)
		mx_heap_big();
	r->cap = BUFSZ;
	r->buf = mx_malloc(r->cap);
	/* Two bytes decide gzip, up to ten the compressions we refuse; a
	 * pipe may hand them over a few at a time, and a line of input may
	 * be shorter: more are waited for only while they could still be a
	 * magic number.  (A file to be mapped: its magic read alone, not a
	 * buffer that would be let go.) */
	want = r->size >= mx_reader_mapmin && at == 0 ? 64 : r->cap;
	while (r->end < magic_wanted(r)) {
		k = readfd(r, r->buf + r->end, want - r->end);
		if (k == 0) {
			r->eof = 1;
			break;
		}
		r->end += k;
	}
	refuse_compressed(r);
	if (r->end >= 2 && (unsigned char)r->buf[0] == 0x1f &&
	    (unsigned char)r->buf[1] == 0x8b) {
		z_stream *z = mx_calloc(1, sizeof *z);

		if (inflateInit2(z, 15 + 16) != Z_OK)
			mx_errx(MX_EXIT_FAIL, "%s: cannot start zlib",
			    mx_name(r->name));
		r->z = z;
		r->gz = 1;
		r->rawcap = RAWCAP > r->end ? RAWCAP : r->end;
		r->raw = mx_malloc(r->rawcap);
		memcpy(r->raw, r->buf, r->end);
		r->rawend = r->end;
		r->end = 0;
	} else if (r->size >= mx_reader_mapmin && at == 0)
		map(r);
	return 0;
}

void
mx_reader_close(struct mx_reader *r)
{
	mx_progress_done(r);
	if (r->gz) {
		inflateEnd(r->z);
		free(r->z);
	}
	if (r->fd > 0)
		close(r->fd);
	libdeflate_free_decompressor(r->d);
	free(r->raw);
	if (r->mapped) {
		mx_bus_unwatch(r->buf);
		(void)munmap(r->buf, r->cap);
	} else
		free(r->buf);
	r->buf = NULL;
	r->raw = NULL;
	r->z = NULL;
}

static MX_NORETURN void
gzfail(struct mx_reader *r, const char *what)
{
	mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(r->name), r->lineno + 1,
	    what);
}

/*
 * Zero bytes after the last gzip member: tape and block devices, and some
 * uploaders, pad a file to a block size.  gzip(1) reads such a file and
 * ignores them, so they are accepted here, with a warning, when nothing
 * but zeros follows up to the end; anything else is garbage.
 */
static void
skip_padding(struct mx_reader *r)
{
	ssize_t k;

	for (;;) {
		for (; r->rawbeg < r->rawend; r->rawbeg++)
			if (r->raw[r->rawbeg] != 0)
				gzfail(r, "trailing garbage after gzip data");
		if (r->eof)
			break;
		r->rawbeg = r->rawend = 0;
		if ((k = readfd(r, r->raw, r->rawcap)) == 0)
			r->eof = 1;
		r->rawend = k;
	}
	mx_warnx("%s: trailing zero bytes after the gzip data ignored",
	    mx_name(r->name));
}

/*
 * A member after the first, in a regular file: decompressed whole by
 * libdeflate when its compressed bytes are all in raw[] and what it gives
 * fits in buf[] (the members mx writes are 256 KiB of records:
 * seqfile.c), twice as fast as zlib's stream.  Anything else, or a member
 * libdeflate refuses, goes to zlib, which says what is wrong; after one
 * refusal the file's other members go there too.  Returns 1 when done.
 */
#define FASTIN	((size_t)512 << 10)	/* a member's compressed bytes, at most */
#define FASTOUT	((size_t)256 << 10)	/* its records, at most */

static int
fast_member(struct mx_reader *r)
{
	struct libdeflate_decompressor *d = r->d;
	size_t in, out;
	ssize_t k;

	if (r->nofast || r->size == 0 || r->cap - r->end < FASTOUT)
		return 0;
	if (d == NULL && (r->d = d = libdeflate_alloc_decompressor()) == NULL) {
		r->nofast = 1;
		return 0;
	}
	if (!r->eof && r->rawend - r->rawbeg < FASTIN) {
		memmove(r->raw, r->raw + r->rawbeg, r->rawend - r->rawbeg);
		r->rawend -= r->rawbeg;
		r->rawbeg = 0;
		while (!r->eof && r->rawend < r->rawcap) {
			if ((k = readfd(r, r->raw + r->rawend,
			    r->rawcap - r->rawend)) == 0)
				r->eof = 1;
			r->rawend += k;
		}
	}
	/* a header CRC (FLG.FHCRC) libdeflate skips unchecked: zlib's */
	if (r->rawend - r->rawbeg < 4 || (r->raw[r->rawbeg + 3] & 0x02))
		return 0;
	if (libdeflate_gzip_decompress_ex(d, r->raw + r->rawbeg,
	    r->rawend - r->rawbeg, r->buf + r->end, r->cap - r->end, &in,
	    &out) != LIBDEFLATE_SUCCESS) {
		r->nofast = 1;
		return 0;
	}
	r->rawbeg += in;
	r->end += out;
	return 1;
}

/* Inflate into buf[end..cap); returns bytes added, 0 at the clean end. */
static size_t
inflate_some(struct mx_reader *r)
{
	z_stream *z = r->z;
	size_t before = r->end;
	ssize_t k;
	int ret;

	while (r->end == before) {
		if (r->rawbeg == r->rawend) {
			if (r->eof)
				break;
			r->rawbeg = r->rawend = 0;
			k = readfd(r, r->raw, r->rawcap);
			if (k == 0) {
				r->eof = 1;
				break;
			}
			r->rawend = k;
		}
		if (r->zend) {
			/* Another member follows, or padding, or garbage. */
			if (r->raw[r->rawbeg] == 0) {
				skip_padding(r);
				break;
			}
			if (r->raw[r->rawbeg] != 0x1f)
				gzfail(r, "trailing garbage after gzip data");
			if (fast_member(r))
				continue;	/* and the next is at a start */
			if (inflateReset(z) != Z_OK)
				gzfail(r, "cannot reset zlib");
			r->zend = 0;
		}
		z->next_in = r->raw + r->rawbeg;
		z->avail_in = (uInt)(r->rawend - r->rawbeg);
		z->next_out = (unsigned char *)r->buf + r->end;
		z->avail_out = (uInt)(r->cap - r->end > 0x40000000 ?
		    0x40000000 : r->cap - r->end);
		ret = inflate(z, Z_NO_FLUSH);
		r->rawbeg = r->rawend - z->avail_in;
		r->end = (char *)z->next_out - r->buf;
		if (ret == Z_STREAM_END)
			r->zend = 1;
		else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT) {
			char msg[256];

			snprintf(msg, sizeof msg, "corrupt gzip input (%s)",
			    z->msg != NULL ? z->msg : "data error");
			gzfail(r, msg);
		} else if (ret == Z_MEM_ERROR)
			gzfail(r, "out of memory in zlib");
		else if (ret != Z_OK && ret != Z_BUF_ERROR)
			gzfail(r, "zlib error");
	}
	if (r->end == before && r->eof && !r->zend)
		gzfail(r, "truncated gzip input (unexpected end of file)");
	return r->end - before;
}

/* Make room and add decoded bytes after end; 0 means no more input. */
static size_t
fill(struct mx_reader *r)
{
	ssize_t k;

	if (r->mapped)
		return 0;
	if (r->beg > 0 && (r->end == r->cap || r->beg >= r->cap / 2 ||
	    (r->gz && r->cap - r->end < FASTOUT) ||
	    (!r->gz && r->beg >= READSZ && r->end - r->beg < READSZ))) {
		memmove(r->buf, r->buf + r->beg, r->end - r->beg);
		r->end -= r->beg;
		r->beg = 0;
	}
	if (r->end == r->cap) {
		size_t ncap = r->cap * 2;

		if (ncap > r->maxrec + 2)
			ncap = r->maxrec + 2;
		if (ncap <= r->cap)
			ncap = r->cap + 1;
		r->buf = mx_realloc(r->buf, ncap);
		r->cap = ncap;
	}
	if (r->gz)
		return inflate_some(r);
	if (r->eof)
		return 0;
	k = readfd(r, r->buf + r->end, r->cap - r->end > READSZ ? READSZ :
	    r->cap - r->end);
	if (k == 0)
		r->eof = 1;
	r->end += k;
	return k;
}

ssize_t
mx_reader_line(struct mx_reader *r, const char **line)
{
	size_t scan = r->beg, len;
	char *nl, *p;

	if (r->ateof)
		return -1;
	for (;;) {
		len = r->end - scan;
		/* (mapped, the rest of the file is there: a line is looked
		 * for no further than the longest accepted) */
		if (r->mapped && len > r->maxrec + 2 - (scan - r->beg))
			len = r->maxrec + 2 - (scan - r->beg);
		nl = memchr(r->buf + scan, '\n', len);
		if (nl != NULL) {
			p = r->buf + r->beg;
			len = nl - p;
			r->beg += len + 1;
			r->bytes += len + 1;
			break;
		}
		/* (a line of maxrec bytes and its CR is still to come whole) */
		if (r->end - r->beg > r->maxrec + 1) {
			if (r->mapped)
				mapped_end(r);
			mx_errx(MX_EXIT_FAIL,
			    "%s:%ju: line longer than %zu bytes (the record size limit)",
			    mx_name(r->name), r->lineno + 1, r->maxrec);
		}
		scan = r->end - r->beg;
		if (fill(r) == 0) {
			if (r->mapped)
				mapped_end(r);
			if (r->end == r->beg) {
				r->ateof = 1;
				return -1;
			}
			/* A last line without a newline is still a line;
			 * not with --trusted, which reads only as far as it
			 * needs: its writers end each line, so one was cut */
			if (r->whole)
				mx_errx(MX_EXIT_FAIL, "%s:%ju: no newline at "
				    "the end: a record cut short (--trusted)",
				    mx_name(r->name), r->lineno + 1);
			p = r->buf + r->beg;
			len = r->end - r->beg;
			r->beg = r->end;
			r->bytes += len;
			r->ateof = 1;
			break;
		}
		scan += r->beg;
	}
	r->lineno++;
	if (r->mapped && r->beg - r->fdbytes >= DROPSZ)
		unmap_behind(r, (size_t)(p - r->buf));
	r->cr = len > 0 && p[len - 1] == '\r';
	if (r->cr)
		len--;
	if (len > r->maxrec)
		mx_errx(MX_EXIT_FAIL,
		    "%s:%ju: line longer than %zu bytes (the record size limit)",
		    mx_name(r->name), r->lineno, r->maxrec);
	*line = p;
	return (ssize_t)len;
}

size_t
mx_reader_peek(struct mx_reader *r, const char **p, size_t n)
{
	while (r->end - r->beg < n && !r->ateof)
		if (fill(r) == 0)
			break;
	*p = r->buf + r->beg;
	return r->end - r->beg < n ? r->end - r->beg : n;
}

size_t
mx_reader_read(struct mx_reader *r, char *dst, size_t n)
{
	size_t got = 0, k;

	while (got < n) {
		if (r->beg == r->end) {
			if (r->mapped) {
				mapped_end(r);
				break;
			}
			r->beg = r->end = 0;
			if (fill(r) == 0)
				break;
		}
		k = r->end - r->beg;
		if (k > n - got)
			k = n - got;
		memcpy(dst + got, r->buf + r->beg, k);
		r->beg += k;
		r->bytes += k;
		got += k;
		if (r->mapped && r->beg - r->fdbytes >= DROPSZ)
			unmap_behind(r, r->beg);
	}
	return got;
}

int
mx_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

uintmax_t
mx_reader_guess(const struct mx_reader *r, uintmax_t more)
{
	/* (standard input may be a file read from its middle) */
	if (r->gz || r->fd == 0 || r->size <= 0 || r->bytes == 0 ||
	    (uintmax_t)r->size < r->bytes)
		return 0;
	/* (a little over: a table a few keys short grows by half) */
	return (uintmax_t)((double)((uintmax_t)r->size - r->bytes + more) /
	    (double)r->bytes * (double)r->lineno * 1.0625);
}

uintmax_t
mx_plain_size(const char *path)
{
	struct stat st;

	if (path == NULL || strcmp(path, "-") == 0 || stat(path, &st) < 0 ||
	    !S_ISREG(st.st_mode))
		return 0;
	return (uintmax_t)st.st_size;
}
