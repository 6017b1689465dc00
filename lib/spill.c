/*
 * spill.c: the temporary files a tool spills to when what it must hold
 * outgrows its --memory (mx-dedup, mx-join, mx-index).  Every read and
 * write is checked: a full disk or a file cut short ends the run with a
 * message, never a result built from half a file.
 */
#include <stdlib.h>
#include <unistd.h>

#include "mx.h"

static const char *dir;

void
mx_spill_dir(const char *d)
{
	dir = d;
}

const char *
mx_spill_where(void)
{
	if (dir == NULL && ((dir = getenv("TMPDIR")) == NULL || *dir == '\0'))
		dir = "/tmp";
	return dir;
}

MX_NORETURN void
mx_spill_fail(void)
{
	mx_err(MX_EXIT_FAIL, "temporary file in %s", mx_spill_where());
}

MX_NORETURN void
mx_spill_short(void)
{
	mx_errx(MX_EXIT_FAIL, "temporary file in %s: truncated",
	    mx_spill_where());
}

FILE *
mx_spill_create(struct mx_buf *path)
{
	FILE *fp;
	int fd;

	path->len = 0;
	mx_buf_printf(path, "%s/%s.XXXXXX", mx_spill_where(), mx_prog);
	mx_buf_cstr(path);
	if ((fd = mkstemp(path->p)) < 0)
		mx_err(MX_EXIT_FAIL, "cannot create a temporary file in %s",
		    mx_spill_where());
	mx_tmp_add(path->p);
	if ((fp = fdopen(fd, "w+")) == NULL)
		mx_err(MX_EXIT_FAIL, "fdopen");
	setvbuf(fp, NULL, _IOFBF, 256 * 1024);
	return fp;
}

/* Unlinked at once: the kernel removes it however the program ends. */
FILE *
mx_spill_open(void)
{
	struct mx_buf path = { 0 };
	FILE *fp = mx_spill_create(&path);

	unlink(path.p);
	mx_tmp_forget(path.p);
	mx_buf_free(&path);
	return fp;
}

/* (A spill file is one thread's: its reads and writes, a few words each,
 * skip the stream's lock, which took a tenth of mx-dedup's spilling run.) */
void
mx_spill_write(FILE *fp, const void *p, size_t n)
{
	if (n > 0 && fwrite_unlocked(p, 1, n, fp) != n)
		mx_spill_fail();
}

int
mx_spill_read(FILE *fp, void *p, size_t n)
{
	size_t k = n > 0 ? fread_unlocked(p, 1, n, fp) : 0;

	if (k == n)
		return 1;
	if (ferror(fp))
		mx_spill_fail();
	if (k != 0)
		mx_spill_short();
	return 0;
}

void
mx_spill_need(FILE *fp, void *p, size_t n)
{
	if (!mx_spill_read(fp, p, n))
		mx_spill_short();
}

void
mx_spill_rewind(FILE *fp)
{
	if (fflush(fp) != 0 || fseeko(fp, 0, SEEK_SET) != 0)
		mx_spill_fail();
}
