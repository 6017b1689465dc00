/*
 * out.c: the writer.  Output goes through one large buffer per stream; every
 * write is checked, so a full disk or a closed pipe is noticed, never lost.
 * Files a tool creates appear under their name only once complete: they
 * are written under a temporary name in the same directory, synced, and
 * renamed on close.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* F_SETPIPE_SZ */
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mx.h"

#define OUTBUF	(256 * 1024)
#ifndef PIPESZ
#define PIPESZ	(1024 * 1024)
#endif

struct mx_out *mx_stdout;

static struct mx_out *
newout(int fd, const char *name)
{
	struct mx_out *o = mx_calloc(1, sizeof *o);

	o->fd = fd;
	o->name = name;
	o->cap = OUTBUF;
	o->buf = mx_malloc(o->cap);
	return o;
}

/* A pipe between two tools holds 64 KiB by default: the writer, which
 * flushes OUTBUF at a time, and the reader then take turns four times a
 * flush.  A larger pipe lets them run side by side (a Linux fcntl; where
 * it fails or is missing, the pipe stays as it was).  The 1M lake: 5.64-
 * 5.90 s against 6.04-6.14 s, three runs each in turn. */
void
mx_pipesize(int fd)
{
#ifdef F_SETPIPE_SZ
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, PIPESZ);
#else
	(void)fd;
#endif
}

struct mx_out *
mx_out_stdout(void)
{
	if (mx_stdout == NULL) {
		mx_stdout = newout(1, "<stdout>");
		mx_stdout->isstdout = 1;
		mx_pipesize(1);
	}
	mx_stdout->refs++;
	return mx_stdout;
}

/* Does path name an open descriptor?  (A file under /dev/shm, or any
 * other regular file under /dev or /proc, does not: a TMPDIR of /dev/shm
 * is written like any other directory.) */
static int
fdname(const char *path)
{
	const char *p;

	if (strcmp(path, "/dev/stdout") == 0 ||
	    strcmp(path, "/dev/stderr") == 0 ||
	    strcmp(path, "/dev/stdin") == 0 ||
	    strncmp(path, "/dev/fd/", 8) == 0)
		return 1;
	if (strncmp(path, "/proc/", 6) != 0)
		return 0;
	p = path + 6;
	if (strncmp(p, "self/", 5) == 0 || strncmp(p, "thread-self/", 12) == 0)
		p = strchr(p, '/') + 1;
	else {
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p++ != '/')
			return 0;
	}
	return strncmp(p, "fd/", 3) == 0;
}

struct mx_out *
mx_out_open(const char *path)
{
	struct mx_out *o;
	struct mx_buf t = { 0 };
	struct stat st;
	static unsigned seq;
	const char *slash;
	int fd;

	if (strcmp(path, "-") == 0)
		return mx_out_stdout();
	/* Devices and pipes (/dev/null, a FIFO) are written in place:
	 * renaming over them would replace them.  So are the names of open
	 * descriptors (/dev/stderr, /dev/fd/3), even when a regular file is
	 * behind them, which is then appended to. */
	if ((stat(path, &st) == 0 && !S_ISREG(st.st_mode)) ||
	    fdname(path)) {
		if ((fd = open(path, O_WRONLY | O_CLOEXEC | O_APPEND)) < 0)
			mx_err(MX_EXIT_FAIL, "%s", path);
		o = newout(fd, NULL);
		o->path = mx_strdup(path);
		o->name = o->path;
		return o;
	}
	slash = strrchr(path, '/');
	if (slash != NULL)
		mx_buf_add(&t, path, slash + 1 - path);
	mx_buf_printf(&t, ".%s.tmp-%ld-%u", slash != NULL ? slash + 1 : path,
	    (long)getpid(), seq++);
	mx_buf_cstr(&t);
	if ((fd = open(t.p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) < 0)
		mx_err(MX_EXIT_FAIL, "%s", path);
	mx_tmp_add(t.p);
	o = newout(fd, NULL);
	o->path = mx_strdup(path);
	o->name = o->path;
	o->tmp = t.p;
	return o;
}

static MX_NORETURN void
closed_pipe(void)
{
	/* The reader went away: end quietly, as cat does, by the signal the
	 * shell expects, after removing what we had not published. */
	mx_tmp_cleanup();
	signal(SIGPIPE, SIG_DFL);
	raise(SIGPIPE);
	_exit(128 + SIGPIPE);
}

void
mx_out_flush(struct mx_out *o)
{
	size_t off = 0;
	ssize_t k;

	while (off < o->len) {
		k = write(o->fd, o->buf + off, o->len - off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE && o->isstdout)
				closed_pipe();
			o->len = 0;	/* not again from the error path */
			mx_err(MX_EXIT_FAIL, "write error: %s", o->name);
		}
		off += k;
	}
	o->bytes += o->len;
	o->len = 0;
}

void
mx_out_slow(struct mx_out *o, const void *p, size_t n)
{
	const char *s = p;
	size_t k;

	while (n > 0) {
		if (o->len == o->cap)
			mx_out_flush(o);
		k = o->cap - o->len < n ? o->cap - o->len : n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
	}
}

void
mx_out_close(struct mx_out *o)
{
	if (o == NULL)
		return;
	mx_out_flush(o);
	/* stdout closes with its last holder (--rejects - shares it) */
	if (o->isstdout && --o->refs > 0)
		return;
	if (o->tmp != NULL) {
		if (fsync(o->fd) != 0)
			mx_err(MX_EXIT_FAIL, "fsync: %s", o->name);
		if (close(o->fd) != 0)
			mx_err(MX_EXIT_FAIL, "close: %s", o->name);
		if (rename(o->tmp, o->path) != 0)
			mx_err(MX_EXIT_FAIL, "rename %s to %s", o->tmp, o->path);
		mx_tmp_forget(o->tmp);
		free(o->tmp);
		free(o->path);
	} else if (o->path != NULL) {
		if (close(o->fd) != 0)
			mx_err(MX_EXIT_FAIL, "close: %s", o->name);
		free(o->path);
	} else if (o->isstdout) {
		/* Errors a file system reports only at close (NFS, FUSE). */
		if (close(o->fd) != 0 && errno != EBADF)
			mx_err(MX_EXIT_FAIL, "write error: %s", o->name);
		mx_stdout = NULL;
	}
	free(o->buf);
	free(o);
}

void
mx_out_abort(struct mx_out *o)
{
	if (o == NULL)
		return;
	if (o->isstdout) {
		o->refs--;
		return;
	}
	close(o->fd);
	if (o->tmp != NULL) {
		unlink(o->tmp);
		mx_tmp_forget(o->tmp);
		free(o->tmp);
	}
	free(o->path);
	free(o->buf);
	free(o);
}

void
mx_out_printf(struct mx_out *o, const char *fmt, ...)
{
	char small[256], *p = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof small) {
		p = mx_malloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	mx_out_write(o, p, (size_t)n);
	if (p != small)
		free(p);
}

void
mx_out_uint(struct mx_out *o, uintmax_t v)
{
	char t[24];
	int i = sizeof t;

	do
		t[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	mx_out_write(o, t + i, sizeof t - i);
}

void
mx_out_jstr(struct mx_out *o, const char *s, size_t n)
{
	static struct mx_buf b;

	b.len = 0;
	mx_json_quote(&b, s, n);
	mx_out_write(o, b.p, b.len);
}

void
mx_out_obj_open(struct mx_objw *w, struct mx_out *o, const char *rec,
    size_t n)
{
	size_t e = n, i;

	/* The record has been scanned: it is an object, so the last
	 * non-space byte is its closing brace. */
	while (e > 0 && rec[e - 1] != '}')
		e--;
	e--;
	i = e;
	while (i > 0 && (rec[i - 1] == ' ' || rec[i - 1] == '\t' ||
	    rec[i - 1] == '\n' || rec[i - 1] == '\r'))
		i--;
	w->o = o;
	w->empty = i > 0 && rec[i - 1] == '{';
	mx_out_write(o, rec, e);
}

void
mx_out_obj_new(struct mx_objw *w, struct mx_out *o)
{
	w->o = o;
	w->empty = 1;
	mx_out_putc(o, '{');
}

void
mx_out_key(struct mx_objw *w, const char *key)
{
	const char *k;

	if (!w->empty)
		mx_out_putc(w->o, ',');
	w->empty = 0;
	for (k = key; *k; k++)
		if ((unsigned char)*k < 0x20 || *k == '"' || *k == '\\')
			break;
	if (*k == '\0') {
		mx_out_putc(w->o, '"');
		mx_out_write(w->o, key, k - key);
		mx_out_putc(w->o, '"');
	} else
		mx_out_jstr(w->o, key, strlen(key));
	mx_out_putc(w->o, ':');
}

void
mx_out_obj_close(struct mx_objw *w)
{
	mx_out_write(w->o, "}\n", 2);
}
