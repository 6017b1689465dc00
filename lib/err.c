/*
 * err.c: messages in the form "prog: where: what", exit codes, and the
 * removal of temporary files when the program ends early.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mx.h"

const char *mx_prog = "mx";
void (*mx_exit_hook)(int code);
void (*mx_fatal_hook)(void);

/*
 * Temporary paths live in fixed storage so that the signal handler can
 * walk them without locks or allocation; a slot is claimed by writing the
 * path first and setting its flag last.
 */
static char tmp_path[MX_TMP_MAX][4096];
static volatile sig_atomic_t tmp_used[MX_TMP_MAX];
/* The process that made them: a forked child (mx-test's feeder) that ends
 * on a signal must not take its parent's files with it. */
static pid_t tmp_owner;

void
mx_tmp_cleanup(void)
{
	int i;

	if (getpid() != tmp_owner)
		return;
	for (i = 0; i < MX_TMP_MAX; i++)
		if (tmp_used[i]) {
			(void)unlink(tmp_path[i]);
			tmp_used[i] = 0;
		}
}

void
mx_tmp_add(const char *path)
{
	size_t n = strlen(path);
	int i;

	if (n >= sizeof tmp_path[0])
		mx_errx(MX_EXIT_FAIL, "%s: path too long", path);
	tmp_owner = getpid();
	for (i = 0; i < MX_TMP_MAX; i++)
		if (!tmp_used[i]) {
			memcpy(tmp_path[i], path, n + 1);
			tmp_used[i] = 1;
			return;
		}
	mx_errx(MX_EXIT_FAIL, "too many temporary files open");
}

void
mx_tmp_forget(const char *path)
{
	int i;

	for (i = 0; i < MX_TMP_MAX; i++)
		if (tmp_used[i] && strcmp(tmp_path[i], path) == 0) {
			tmp_used[i] = 0;
			return;
		}
}

static void
on_signal(int sig)
{
	mx_tmp_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * A mapped input (reader.c) cut short under the reader: the pages past
 * its new end raise SIGBUS.  Said, naming the file whose pages the fault
 * was in, and the run ends as on a read error (only what is safe in a
 * handler: write, unlink, _exit).  The mapped files are kept in fixed
 * slots, for the handler to read without locks.  A fault elsewhere is no
 * input cut short but a bug: left to the default action (a core), not
 * disguised as a message.
 */
#define BUS_MAX	16
static struct {
	const char	*name;
	const char	*base;
	size_t		 len;
} bus_map[BUS_MAX];
static volatile sig_atomic_t bus_used[BUS_MAX];
static volatile sig_atomic_t bus_lost;	/* more mapped than slots */

static void
say(const char *s)
{
	(void)write(2, s, strlen(s));
}

static void
on_bus(int sig, siginfo_t *si, void *ctx)
{
	const char *a = si != NULL ? (const char *)si->si_addr : NULL;
	int i;

	(void)ctx;
	for (i = 0; i < BUS_MAX; i++)
		if (bus_used[i] && a >= bus_map[i].base &&
		    a < bus_map[i].base + bus_map[i].len)
			break;
	if (i == BUS_MAX && (!bus_lost || si == NULL || si->si_code <= 0)) {
		mx_tmp_cleanup();
		signal(sig, SIG_DFL);
		/* (a fault comes again on return; a kill(2) does not) */
		if (si == NULL || si->si_code <= 0)
			raise(sig);
		return;
	}
	say(mx_prog);
	if (i < BUS_MAX) {
		say(": ");
		say(bus_map[i].name);
		say(": cut short while it was read\n");
	} else
		say(": an input file was cut short while it was read\n");
	mx_tmp_cleanup();
	_exit(MX_EXIT_FAIL);
}

void
mx_bus_watch(const char *name, const void *base, size_t len)
{
	static int done;
	struct sigaction sa;
	int i;

	if (!done) {
		done = 1;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = on_bus;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGBUS, &sa, NULL);
	}
	for (i = 0; i < BUS_MAX; i++)
		if (!bus_used[i]) {
			bus_map[i].name = name;
			bus_map[i].base = base;
			bus_map[i].len = len;
			bus_used[i] = 1;
			return;
		}
	bus_lost = 1;	/* (a fault is then said without a name) */
}

void
mx_bus_unwatch(const void *base)
{
	int i;

	for (i = 0; i < BUS_MAX; i++)
		if (bus_used[i] && bus_map[i].base == base)
			bus_used[i] = 0;
}

static void
at_exit(void)
{
	mx_tmp_cleanup();
}

/*
 * A page fault is what a tool's memory costs most: 15 us for each 4 KB
 * page on the virtual machines we measure on (bench/NOTES.md), more than
 * a tool spends on 50 records.  So memory freed is kept for reuse rather
 * than handed back to the system, and the first HEAPPAD bytes of the heap
 * go on huge pages where the system gives them for the asking
 * (transparent_hugepage "madvise"): a 2 MB page costs one fault.
 */
#define HEAPPAD		((size_t)32 << 20)
#if defined(__linux__) && !defined(MADV_COLLAPSE)
#define MADV_COLLAPSE	25	/* Linux 6.1; glibc 2.36 lacks the name */
#endif
#define HUGE		((size_t)2 << 20)

static uintptr_t heaplo;	/* the 2 MB malloc wrote on early, until collapsed */

static void
heap_init(void)
{
	uintptr_t lo, hi, brk0 = (uintptr_t)sbrk(0);
	int fresh = mallinfo2().arena == 0;
	size_t n;
	void *p;

	mallopt(M_TRIM_THRESHOLD, (int)(2 * HEAPPAD));
	mallopt(M_MMAP_THRESHOLD, (int)HEAPPAD);
	mallopt(M_TOP_PAD, (int)HEAPPAD);
	/* A heap not used yet starts on a 2 MB boundary, or its first
	 * (randomly placed) stretch up to one would be 4 KB pages. */
	if (fresh && (brk0 & (HUGE - 1)) != 0 &&
	    sbrk((intptr_t)(HUGE - (brk0 & (HUGE - 1)))) != (void *)-1)
		brk0 = (uintptr_t)sbrk(0);
	/* the heap grows by HEAPPAD past this block (unless malloc is not
	 * glibc's, as under ASan, and the break does not move); a heap in
	 * use may have room for a small one */
	n = fresh ? 1 : HUGE;
	if ((p = malloc(n)) == NULL)
		return;
	lo = (brk0 + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
	hi = (uintptr_t)sbrk(0) & ~(uintptr_t)(HUGE - 1);
#ifdef MADV_HUGEPAGE
	if (hi > lo) {
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
		/* where malloc wrote the block's end, a 4 KB page already */
		heaplo = ((uintptr_t)p + n) & ~(uintptr_t)(HUGE - 1);
		if (heaplo < lo || heaplo >= hi)
			heaplo = 0;
	}
#endif
	free(p);
}

void
mx_heap_big(void)
{
#ifdef MADV_COLLAPSE
	/* A 2 MB stretch of the heap has a 4 KB page already (written by
	 * malloc before the madvise), so it stays small pages unless made
	 * a huge page now.  Not done for every run: it costs 0.7 ms, a
	 * fifth of a run over a small file. */
	if (heaplo != 0)
		(void)madvise((void *)heaplo, HUGE, MADV_COLLAPSE);
#endif
	heaplo = 0;
}

void
mx_init(const char *argv0)
{
	const char *p;
	struct sigaction sa;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	size_t i;

	heap_init();
	if (argv0 != NULL) {
		p = strrchr(argv0, '/');
		mx_prog = p != NULL ? p + 1 : argv0;
	}
	/* A closed stdout shows up as EPIPE in the writer, which ends the
	 * program after cleaning up (see out.c). */
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	atexit(at_exit);
}

static void
vmsg(int errnum, const char *fmt, va_list ap)
{
	char buf[8192];
	int n;

	/* One write per message so that lines from parallel jobs do not
	 * interleave. */
	n = snprintf(buf, sizeof buf, "%s: ", mx_prog);
	if (n < 0)
		return;
	if ((size_t)n < sizeof buf)
		n += vsnprintf(buf + n, sizeof buf - n, fmt, ap);
	if ((size_t)n < sizeof buf && errnum)
		n += snprintf(buf + n, sizeof buf - n, ": %s", strerror(errnum));
	if ((size_t)n >= sizeof buf - 1)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	fflush(stdout);
	mx_progress_clear();
	fflush(stderr);
	(void)!write(2, buf, n);
}

/* What a tool wrote before failing still reaches its reader, best effort:
 * the failure is already being reported. */
static void
flush_stdout(void)
{
	if (mx_stdout != NULL && mx_stdout->len > 0) {
		(void)!write(mx_stdout->fd, mx_stdout->buf, mx_stdout->len);
		mx_stdout->len = 0;
	}
}

/* mx_fatal_hook, once: an error it meets itself is told, not its own. */
static void
fatal_first(void)
{
	void (*h)(void) = mx_fatal_hook;

	mx_fatal_hook = NULL;
	if (h != NULL)
		h();
}

void
mx_err(int code, const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fatal_first();
	flush_stdout();
	va_start(ap, fmt);
	vmsg(e, fmt, ap);
	va_end(ap);
	if (mx_exit_hook != NULL)
		mx_exit_hook(code);
	exit(code);
}

void
mx_errx(int code, const char *fmt, ...)
{
	va_list ap;

	fatal_first();
	flush_stdout();
	va_start(ap, fmt);
	vmsg(0, fmt, ap);
	va_end(ap);
	if (mx_exit_hook != NULL)
		mx_exit_hook(code);
	exit(code);
}

void
mx_warn(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vmsg(e, fmt, ap);
	va_end(ap);
}

void
mx_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(0, fmt, ap);
	va_end(ap);
}

void
mx_fshut(FILE *fp, const char *name)
{
	int bad;

	bad = fflush(fp) != 0 || ferror(fp);
	if (fclose(fp) != 0 || bad)
		mx_err(MX_EXIT_FAIL, "%s: write error", name);
}

const char *
mx_name(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0 ? "<stdin>" : path;
}
