/*
 * time.c: timestamps.  Everything is converted to seconds and nanoseconds
 * since the epoch in UTC with civil-calendar arithmetic (no timezone
 * database, no locale, no libc time functions, whose range and thread
 * behaviour vary), and printed back in one canonical form.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mx.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * algorithm, valid for every year an int64 can hold here). */
int64_t
mx_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void put2(char *, int);

/* A day: its civil date and the text date() writes of it (n its length,
 * as snprintf counts it past 15 for a year of more than 4 digits). */
struct day {
	int64_t	z;
	int	y, m, d, n;
	char	text[16];
};

/* The day z days after 1970-01-01.  Records come in time order, so most
 * calls ask for a day asked for just before: remembering it saves the
 * divisions below, and date()'s text, on nearly every record of a date()
 * or hour() group key.  Two days: a record's time and its _ingested_at
 * are days apart, and a test of one against the other asks for both, in
 * turn.  (A thread each: mx-dedup scans on threads.) */
static const struct day *
day_of(int64_t z)
{
	static __thread struct day last[2] = { { .z = INT64_MIN },
	    { .z = INT64_MIN } };
	static __thread int older;
	struct day *e;
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;
	int k;

	for (k = 0; k < 2; k++)
		if (z == last[k].z) {
			older = !k;
			return &last[k];
		}
	e = &last[older];
	older = !older;
	e->z = z;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	e->d = (int)(doy - (153 * mp + 2) / 5 + 1);
	e->m = (int)(mp < 10 ? mp + 3 : mp - 9);
	e->y = (int)(yy + (e->m <= 2));
	if (e->y < 0 || e->y > 9999) {
		e->n = snprintf(e->text, sizeof e->text, "%d-%02d-%02d", e->y,
		    e->m, e->d);
		return e;
	}
	put2(e->text, e->y / 100);
	put2(e->text + 2, e->y % 100);
	e->text[4] = '-';
	put2(e->text + 5, e->m);
	e->text[7] = '-';
	put2(e->text + 8, e->d);
	e->text[10] = '\0';
	e->n = 10;
	return e;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	const struct day *e = day_of(z);

	*y = e->y;
	*m = e->m;
	*d = e->d;
}

static int64_t
floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void
mx_time_civil(int64_t sec, int *y, int *mon, int *d, int *h, int *mi, int *s)
{
	int64_t days = floordiv(sec, 86400), rem = sec - days * 86400;

	civil_from_days(days, y, mon, d);
	*h = (int)(rem / 3600);
	*mi = (int)(rem / 60 % 60);
	*s = (int)(rem % 60);
}

int
mx_time_dow(int64_t sec)
{
	int64_t days = floordiv(sec, 86400);

	/* 1970-01-01 was a Thursday (4) */
	return (int)((days % 7 + 7 + 3) % 7) + 1;
}

void
mx_time_isoweek(int64_t sec, int *year, int *week)
{
	int64_t days = floordiv(sec, 86400), thu, jan1;
	int y, m, d;

	/* The ISO year is the year of the week's Thursday. */
	thu = days - (mx_time_dow(sec) - 1) + 3;
	civil_from_days(thu, &y, &m, &d);
	jan1 = mx_days_from_civil(y, 1, 1);
	*year = y;
	*week = (int)((thu - jan1) / 7 + 1);
}

static int
digits(const char *p, const char *end, int n, int *v)
{
	int i;

	if (end - p < n)
		return -1;
	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*v = *v * 10 + (p[i] - '0');
	}
	return 0;
}

static int
mdays(int y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 29;
	return md[m - 1];
}

static int epoch(const char *p, const char *end, struct mx_time *t);

/* Epoch seconds written with an exponent (1.7092872e9): the point moved
 * to give plain digits, then read as those. */
static int
epoch_exp(const char *p, const char *end, struct mx_time *t)
{
	/* out: sign, "0.", 40 zeros and 64 digits, or 64 + 40 digits */
	char d[64], out[112];
	const char *s = p, *e;
	int nd = 0, point = -1, neg = 0, eneg, n = 0, i;
	long x;

	if (s < end && *s == '-')
		neg = *s++ == '-';
	for (; s < end && *s != 'e' && *s != 'E'; s++) {
		if (*s == '.' && point < 0)
			point = nd;
		else if (*s >= '0' && *s <= '9' && nd < (int)sizeof d)
			d[nd++] = *s;
		else
			return -1;
	}
	if (nd == 0 || s == end)
		return -1;
	if (point < 0)
		point = nd;
	/* by hand: the text is not NUL-terminated, strtol would read on */
	e = s + 1;
	eneg = e < end && (*e == '-' || *e == '+') ? *e++ == '-' : 0;
	if (e == end)
		return -1;
	for (x = 0; e < end; e++) {
		if (*e < '0' || *e > '9' || (x = x * 10 + (*e - '0')) > 40)
			return -1;
	}
	if (eneg)
		x = -x;
	point += (int)x;
	if (neg)
		out[n++] = '-';
	if (point <= 0) {
		out[n++] = '0';
		out[n++] = '.';
		for (i = point; i < 0; i++)
			out[n++] = '0';
		for (i = 0; i < nd; i++)
			out[n++] = d[i];
	} else {
		for (i = 0; i < point || i < nd; i++) {
			if (i == point)
				out[n++] = '.';
			out[n++] = i < nd ? d[i] : '0';
		}
	}
	return epoch(out, out + n, t);
}

/* Epoch seconds, milliseconds or microseconds, with an optional fraction. */
static int
epoch(const char *p, const char *end, struct mx_time *t)
{
	const char *s = p;
	int neg = 0, nint = 0, nfrac = 0;
	int64_t v = 0, frac = 0, scale = 1000000000;

	if (s < end && *s == '-') {
		neg = 1;
		s++;
	}
	for (; s < end && *s >= '0' && *s <= '9'; s++, nint++) {
		if (nint >= 18)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (nint == 0)
		return -1;
	if (s < end && *s == '.') {
		for (s++; s < end && *s >= '0' && *s <= '9'; s++, nfrac++)
			if (nfrac < 9) {
				scale /= 10;
				frac += (*s - '0') * scale;
			}
		if (nfrac == 0)
			return -1;
	}
	if (s < end && (*s == 'e' || *s == 'E'))
		return epoch_exp(p, end, t);
	if (s != end)
		return -1;
	/* Seconds of 12 digits or more would be past the year 33658: such
	 * a number is milliseconds, and of 15 or more, microseconds (GA4's
	 * event_timestamp). */
	if (nint > 14) {
		frac = (v % 1000000) * 1000 + frac / 1000000;
		v /= 1000000;
	} else if (nint > 11) {
		frac = (v % 1000) * 1000000 + frac / 1000;
		v /= 1000;
	}
	if (neg) {
		v = -v;
		if (frac) {
			v--;
			frac = 1000000000 - frac;
		}
	}
	t->sec = v;
	t->nsec = (int32_t)frac;
	t->dateonly = 0;
	return 0;
}

static int
parse(const char *p, size_t n, struct mx_time *t)
{
	/* (no date matches "x") */
	static __thread char lastdate[2][10] = { "x", "x" };
	static __thread int64_t lastdays[2];
	static __thread int older;
	const char *s = p, *end = p + n;
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om, sign;
	int64_t nsec = 0, scale = 100000000, off = 0, days;

	if (n == 0)
		return -1;
	if (n < 10 || p[4] != '-')
		return epoch(p, end, t);
	/* Records come in time order: the day of the one before is likely
	 * the day of this one, and the same ten bytes are the same day (two
	 * days, as day_of keeps them). */
	if (memcmp(s, lastdate[0], 10) == 0) {
		days = lastdays[0];
		older = 1;
	} else if (memcmp(s, lastdate[1], 10) == 0) {
		days = lastdays[1];
		older = 0;
	} else {
		if (digits(s, end, 4, &y) || s[4] != '-' ||
		    digits(s + 5, end, 2, &mo) || s[7] != '-' ||
		    digits(s + 8, end, 2, &d))
			return -1;
		if (mo < 1 || mo > 12 || d < 1 || d > mdays(y, mo))
			return -1;
		days = mx_days_from_civil(y, mo, d);
		memcpy(lastdate[older], s, 10);
		lastdays[older] = days;
		older = !older;
	}
	s += 10;
	t->dateonly = s == end;
	if (s < end) {
		if (*s != 'T' && *s != 't' && *s != ' ')
			return -1;
		s++;
		if (digits(s, end, 2, &h) || end - s < 5 || s[2] != ':' ||
		    digits(s + 3, end, 2, &mi))
			return -1;
		s += 5;
		if (s < end && *s == ':') {
			if (digits(s + 1, end, 2, &sec))
				return -1;
			s += 3;
			if (s < end && (*s == '.' || *s == ',')) {
				if (++s >= end || *s < '0' || *s > '9')
					return -1;
				for (; s < end && *s >= '0' && *s <= '9'; s++)
					if (scale > 0) {
						nsec += (*s - '0') * scale;
						scale /= 10;
					}
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		/* the zone: Z, +HH:MM, +HHMM, +HH, " UTC", or none (UTC) */
		if (s < end && (*s == 'Z' || *s == 'z'))
			s++;
		else if (s < end && (*s == '+' || *s == '-')) {
			sign = *s++ == '-' ? -1 : 1;
			if (digits(s, end, 2, &oh))
				return -1;
			s += 2;
			om = 0;
			if (s < end && *s == ':')
				s++;
			if (s < end) {
				if (digits(s, end, 2, &om))
					return -1;
				s += 2;
			}
			if (oh > 23 || om > 59)
				return -1;
			off = sign * (oh * 3600 + om * 60);
		} else if (end - s == 4 && memcmp(s, " UTC", 4) == 0)
			s += 4;
		if (s != end)
			return -1;
	}
	t->sec = days * 86400 + h * 3600 + mi * 60 + sec - off;
	t->nsec = (int32_t)nsec;
	return 0;
}

/*
 * A row's time is read by several expressions (the keys a test counts,
 * date() and hour() of it, a bound against _ingested_at): the last texts
 * read are remembered, and the same bytes are the same time (the 1M-event
 * lake's tests read each timestamp seven times).  Four, the least recently
 * read replaced: with two, a row's new time replaced the _ingested_at that
 * every row reads (when the row before read its own time last), which then
 * missed too: two parses a row instead of one.  (A thread each, as the
 * days are.)
 */
#define MEMO	40
#define NMEMO	4

int
mx_time_parse(const char *p, size_t n, struct mx_time *t)
{
	static __thread struct {
		char		b[MEMO];
		size_t		n;	/* 0: none (no time is "") */
		uint64_t	used;	/* when last read */
		struct mx_time	t;
	} memo[NMEMO];
	static __thread uint64_t clock;
	static __thread int last;
	int k, old = 0;

	if (n == 0 || n > MEMO)
		return parse(p, n, t);
	/* (the text read last first: a row's expressions read its time
	 * several times in a row) */
	if (memo[last].n == n && mx_sameb(memo[last].b, p, n)) {
		*t = memo[last].t;
		return 0;
	}
	for (k = 0; k < NMEMO; k++)
		if (k != last && memo[k].n == n && mx_sameb(memo[k].b, p, n)) {
			*t = memo[k].t;
			memo[k].used = ++clock;
			last = k;
			return 0;
		}
	for (k = 1; k < NMEMO; k++)
		if (memo[k].used < memo[old].used)
			old = k;
	if (parse(p, n, t) < 0)
		return -1;
	memcpy(memo[old].b, p, n);
	memo[old].n = n;
	memo[old].used = ++clock;
	memo[old].t = *t;
	last = old;
	return 0;
}

int
mx_time_span(const struct mx_span *s, struct mx_time *t)
{
	char tmp[64];
	struct mx_buf b = { 0 };
	int r;

	if (s->kind == MX_JNUM)
		return epoch(s->p, s->p + s->n, t);
	if (s->kind != MX_JSTR)
		return -1;
	if (!s->esc)
		return mx_time_parse(s->p + 1, s->n - 2, t);
	if (s->n > sizeof tmp)
		return -1;
	/* escapes in a timestamp are odd but legal */
	mx_json_unescape(s, &b);
	r = mx_time_parse(b.p, b.len, t);
	mx_buf_free(&b);
	return r;
}

static void
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

int
mx_time_date(const struct mx_time *t, char out[16])
{
	const struct day *e = day_of(floordiv(t->sec, 86400));

	memcpy(out, e->text, sizeof e->text);
	return e->n;
}

int
mx_time_fmt(const struct mx_time *t, char out[40])
{
	int y, m, d, h, mi, s, n;
	long f = t->nsec;

	mx_time_civil(t->sec, &y, &m, &d, &h, &mi, &s);
	n = mx_time_date(t, out);
	out[n] = 'T';
	put2(out + n + 1, h);
	out[n + 3] = ':';
	put2(out + n + 4, mi);
	out[n + 6] = ':';
	put2(out + n + 7, s);
	n += 9;
	if (f != 0) {
		int w = 9, i;

		if (f % 1000000 == 0) {
			w = 3;
			f /= 1000000;
		} else if (f % 1000 == 0) {
			w = 6;
			f /= 1000;
		}
		out[n++] = '.';
		for (i = w - 1; i >= 0; i--) {
			out[n + i] = (char)('0' + f % 10);
			f /= 10;
		}
		n += w;
	}
	out[n++] = 'Z';
	out[n] = '\0';
	return n;
}

struct mx_time
mx_time_now(void)
{
	struct mx_time t = { 0, 0, 0 };
	const char *e = getenv("SOURCE_DATE_EPOCH");
	struct timespec ts;

	if (e != NULL && *e != '\0') {
		char *end;
		long long v = strtoll(e, &end, 10);

		if (*end != '\0')
			mx_errx(MX_EXIT_USAGE,
			    "SOURCE_DATE_EPOCH is not a number: %s", e);
		t.sec = v;
		return t;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	t.sec = ts.tv_sec;
	t.nsec = (int32_t)(ts.tv_nsec / 1000000 * 1000000);
	return t;
}
