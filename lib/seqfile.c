/*
 * seqfile.c: files written once, front to back, and never reopened: the
 * only kind of write an S3 mount supports.  Every write, the fsync and the
 * close are checked (an S3 mount reports a failed upload there and only
 * there), and the XXH3 of the bytes that reach the disk is kept, so a
 * manifest can name the file's checksum without reading it back.
 * Optionally gzip (zlib, one member per file).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <xxhash.h>
#include <zlib.h>

#include "mx.h"

#define ZBUF	(256 * 1024)

static void
put(struct mx_seqfile *f, const unsigned char *p, size_t n)
{
	ssize_t k;

	XXH3_64bits_update(f->h, p, n);
	while (n > 0) {
		k = write(f->fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			mx_err(MX_EXIT_FAIL, "write error: %s", f->name);
		}
		p += k;
		n -= k;
		f->bytes += k;
	}
}

/* Run deflate over what is in the stream until it wants more input (or,
 * with Z_FINISH, until the member is complete). */
static void
deflate_out(struct mx_seqfile *f, int flush)
{
	z_stream *z = f->z;
	int ret;

	do {
		z->next_out = f->zbuf;
		z->avail_out = ZBUF;
		ret = deflate(z, flush);
		if (ret == Z_STREAM_ERROR)
			mx_errx(MX_EXIT_FAIL, "%s: zlib error", f->name);
		put(f, f->zbuf, ZBUF - z->avail_out);
	} while (z->avail_out == 0 || (flush == Z_FINISH && ret != Z_STREAM_END));
}

int
mx_seqfile_open(struct mx_seqfile *f, int dirfd, const char *file,
    const char *name, int flags, int level)
{
	memset(f, 0, sizeof *f);
	f->fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | flags,
	    0666);
	if (f->fd < 0)
		return -1;
	f->name = mx_strdup(name);
	if ((f->h = XXH3_createState()) == NULL ||
	    XXH3_64bits_reset(f->h) != XXH_OK)
		mx_errx(MX_EXIT_FAIL, "out of memory");
	if (level > 0) {
		z_stream *z = mx_calloc(1, sizeof *z);

		/* windowBits 15 + 16: a gzip header and trailer, not zlib's */
		if (deflateInit2(z, level, Z_DEFLATED, 15 + 16, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK)
			mx_errx(MX_EXIT_FAIL, "%s: cannot start zlib", name);
		f->z = z;
		f->zbuf = mx_malloc(ZBUF);
	}
	return 0;
}

void
mx_seqfile_write(struct mx_seqfile *f, const void *p, size_t n)
{
	z_stream *z = f->z;

	f->raw += n;
	if (z == NULL) {
		put(f, p, n);
		return;
	}
	/* avail_in is 32 bits wide */
	while (n > 0) {
		size_t k = n > 0x40000000 ? 0x40000000 : n;

		z->next_in = (unsigned char *)p;
		z->avail_in = (uInt)k;
		deflate_out(f, Z_NO_FLUSH);
		p = (const char *)p + k;
		n -= k;
	}
}

uint64_t
mx_seqfile_close(struct mx_seqfile *f, int sync)
{
	uint64_t h;

	if (f->z != NULL) {
		deflate_out(f, Z_FINISH);
		deflateEnd(f->z);
		free(f->z);
		free(f->zbuf);
		f->z = NULL;
	}
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
