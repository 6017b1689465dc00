/* The CSV and TSV adapter: any bytes give records or clean errors. */
#include "fuzz.h"

static void
parse(const uint8_t *data, size_t n, int delim)
{
	/* static: it must keep what mx_reader_open stored when an error
	 * longjmps out of it (a refused xz or zstd start), to be freed */
	static struct mx_reader r;
	struct mx_csv *volatile c = NULL;
	struct mx_csvrec rec;
	const char *err;
	char path[64];
	size_t i, sum;
	int fd, k;

	fd = fuzz_file(data, n, path);
	memset(&r, 0, sizeof r);
	if (setjmp(fuzz_jb) == 0) {
		if (mx_reader_open(&r, path) < 0)
			abort();
		r.maxrec = 4096;
		c = mx_csv_new(&r, delim);
		while ((k = mx_csv_next(c, &rec, &err)) != 0) {
			if (k < 0)
				continue;
			for (i = sum = 0; i < rec.nf; i++)
				sum += rec.len[i];
			(void)sum;
		}
	}
	mx_csv_free(c);
	if (r.buf != NULL)
		mx_reader_close(&r);
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	mx_exit_hook = fuzz_exit;
	parse(data, n, ',');
	parse(data, n, '\t');
	parse(data, n, ';');
	return 0;
}
