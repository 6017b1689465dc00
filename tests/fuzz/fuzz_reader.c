/* The line reader over plain and gzip input: the input is read as it is,
 * and also gzip-compressed and then cut or corrupted as its first byte
 * says.  Lines must come back whole, in order, and add up. */
#include <zlib.h>

#include "fuzz.h"

/* What a reading gave: its lines' hash and count, and how it ended. */
struct result {
	uint64_t	 hash;
	uintmax_t	 lines, bytes;
	int		 code;		/* 0, or the exit code of an error */
};

static struct result
readall(const uint8_t *data, size_t n, int plain, size_t maxrec)
{
	/* static: it must keep what mx_reader_open stored when an error
	 * longjmps out of it (a refused xz or zstd start), to be freed */
	static struct mx_reader r;
	struct result res = { 0 };
	const char *line;
	char path[64];
	ssize_t k;
	int fd, code;

	fd = fuzz_file(data, n, path);
	memset(&r, 0, sizeof r);
	if ((code = setjmp(fuzz_jb)) == 0) {
		if (mx_reader_open(&r, path) < 0)
			abort();
		r.maxrec = maxrec;
		while ((k = mx_reader_line(&r, &line)) >= 0) {
			res.hash = res.hash * 31 + r.cr +
			    mx_hash64(line, (size_t)k);
			res.lines++;
		}
		/* plain input: every byte is in some line (a last line
		 * without newline counts one byte too many) */
		if (plain && r.bytes != n)
			abort();
	}
	res.code = code;
	res.bytes = r.bytes;
	if (r.buf != NULL)
		mx_reader_close(&r);
	close(fd);
	return res;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static uint8_t gz[1 << 20];
	z_stream z;
	size_t len, cut;

	mx_exit_hook = fuzz_exit;
	/* plain input, read and mapped: the same lines, the same end */
	if (n < 2 || data[0] != 0x1f || data[1] != 0x8b) {
		struct result a, b;

		/* (a limit the lines meet often: its edges are tried) */
		size_t max = n > 0 ? 1 + data[n - 1] % 96 : 4096;

		mx_reader_mapmin = (off_t)1 << 20;
		a = readall(data, n, 1, max);
		mx_reader_mapmin = 1;
		b = readall(data, n, 1, max);
		/* (after an error the bytes counted are not the same: the
		 * line refused may be counted or not, and the run is over) */
		if (a.hash != b.hash || a.lines != b.lines ||
		    a.code != b.code || (a.code == 0 && a.bytes != b.bytes))
			abort();
	}
	if (n == 0 || n > sizeof gz / 2)
		return 0;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY)
	    != Z_OK)
		abort();
	z.next_in = (uint8_t *)data + 1;
	z.avail_in = (uInt)(n - 1);
	z.next_out = gz;
	z.avail_out = sizeof gz;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	len = sizeof gz - z.avail_out;
	deflateEnd(&z);
	switch (data[0] % 4) {
	case 0:
		break;			/* whole */
	case 1:
		cut = len * data[0] / 256;
		len = cut;		/* truncated */
		break;
	case 2:
		gz[len * data[0] / 256] ^= 0x55;	/* corrupt */
		break;
	case 3:
		memcpy(gz + len, gz, len);	/* two members */
		len *= 2;
		break;
	}
	readall(gz, len, 0, 4096);
	return 0;
}
