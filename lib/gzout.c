/*
 * gzout.c: gzip output through an mx_out.  The stream carries no file
 * name and a zero time stamp, so the same input always gives the same
 * bytes (Make and checksums rely on it).
 */
#include <stdlib.h>
#include <zlib.h>

#include "mx.h"

#define GZCHUNK	(256 * 1024)

struct mx_gzw {
	struct mx_out	*o;
	z_stream	 z;
	unsigned char	*in, *out;
	size_t		 len;		/* bytes waiting in in[] */
};

struct mx_gzw *
mx_gzw_new(struct mx_out *o, int level)
{
	struct mx_gzw *g = mx_calloc(1, sizeof *g);

	g->o = o;
	g->in = mx_malloc(GZCHUNK);
	g->out = mx_malloc(GZCHUNK);
	/* 15 + 16: a gzip wrapper, with zlib's default header (no name,
	 * mtime 0) */
	if (deflateInit2(&g->z, level, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		mx_errx(MX_EXIT_FAIL, "cannot initialise zlib");
	return g;
}

static void
deflate_some(struct mx_gzw *g, int flush)
{
	int ret;

	g->z.next_in = g->in;
	g->z.avail_in = (uInt)g->len;
	do {
		g->z.next_out = g->out;
		g->z.avail_out = GZCHUNK;
		ret = deflate(&g->z, flush);
		if (ret == Z_STREAM_ERROR)
			mx_errx(MX_EXIT_FAIL, "%s: zlib error", g->o->name);
		mx_out_write(g->o, g->out, GZCHUNK - g->z.avail_out);
	} while (g->z.avail_out == 0 || (flush == Z_FINISH &&
	    ret != Z_STREAM_END));
	g->len = 0;
}

void
mx_gzw_write(struct mx_gzw *g, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t k;

	while (n > 0) {
		k = GZCHUNK - g->len < n ? GZCHUNK - g->len : n;
		memcpy(g->in + g->len, s, k);
		g->len += k;
		s += k;
		n -= k;
		if (g->len == GZCHUNK)
			deflate_some(g, Z_NO_FLUSH);
	}
}

void
mx_gzw_finish(struct mx_gzw *g)
{
	if (g == NULL)
		return;
	deflate_some(g, Z_FINISH);
	deflateEnd(&g->z);
	free(g->in);
	free(g->out);
	free(g);
}
