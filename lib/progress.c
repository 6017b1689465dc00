/*
 * progress.c: one line on standard error, updated in place, for runs long
 * enough to wonder about (more than a second): records and bytes read, the
 * rate, and how far into the current file.  Only when standard error is a
 * terminal, unless --progress or --no-progress (or MX_PROGRESS=1 or 0 in
 * the environment, which is how the lake passes its choice on) says
 * otherwise: a log file or a pipe must never fill with carriage returns.
 *
 * The reader ticks it each time it reads from a file (every 64 KB to 1 MB),
 * so the cost is one clock read per read(2), nothing per record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mx.h"

int	mx_progress = -1;

static int		 on = -1;	/* decided at the first tick */
static int		 shown;
static double		 t0, last, tpass;
static uintmax_t	 donerecs, donebytes;	/* of closed readers */
static int		 pass = 1;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
clear(void)
{
	if (shown)
		fputs("\r\033[K", stderr);
}

/* bytes as people read them */
static void
human(char *buf, size_t n, double v)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	int i = 0;

	while (v >= 1000 && i < 4) {
		v /= 1000;
		i++;
	}
	snprintf(buf, n, i == 0 ? "%.0f %s" : "%.1f %s", v, unit[i]);
}

void
mx_progress_tick(const struct mx_reader *r)
{
	char b[32], rate[32], pct[64] = "", ps[32] = "";
	const char *e;
	uintmax_t recs;
	double t, bytes;

	if (on == 0)
		return;
	t = now();
	if (on < 0) {
		if (mx_progress < 0 && (e = getenv("MX_PROGRESS")) != NULL &&
		    (strcmp(e, "0") == 0 || strcmp(e, "1") == 0))
			mx_progress = *e == '1';
		on = mx_progress >= 0 ? mx_progress : isatty(2);
		/* forced, it shows from the first read */
		t0 = tpass = t;
		last = mx_progress == 1 ? t - 1 : t;
		if (on)
			atexit(clear);
		if (mx_progress != 1)
			return;
	}
	if ((mx_progress != 1 && t - t0 < 1) || t - last < 0.25)
		return;
	last = t;
	recs = donerecs + r->lineno;
	bytes = (double)(donebytes + r->bytes);
	human(b, sizeof b, bytes);
	human(rate, sizeof rate, t > tpass ? bytes / (t - tpass) : 0);
	if (r->size > 0)
		snprintf(pct, sizeof pct, ", %.0f%% of %s",
		    100.0 * (double)r->fdbytes / (double)r->size,
		    mx_name(r->name));
	if (pass > 1)
		snprintf(ps, sizeof ps, "pass %d: ", pass);
	fprintf(stderr, "\r%s: %s%ju records, %s, %s/s%s\033[K", mx_prog, ps,
	    recs, b, rate, pct);
	fflush(stderr);
	shown = 1;
}

void
mx_progress_done(const struct mx_reader *r)
{
	donerecs += r->lineno;
	donebytes += r->bytes;
}

void
mx_progress_pass(int n)
{
	pass = n;
	donerecs = donebytes = 0;
	tpass = now();
	/* forced, the new pass shows at its first read */
	if (mx_progress == 1)
		last = tpass - 1;
}

void
mx_progress_clear(void)
{
	clear();
	shown = 0;
}
