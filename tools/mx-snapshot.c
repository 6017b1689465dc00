/*
 * mx-snapshot: the history of an entity, slowly changing dimension type 2.
 *
 * The input is the current state of an entity, one record per key; the
 * history is an NDJSON file of its versions, each a record of the entity
 * with valid_from, valid_to, is_current and hash_diff appended.  A run
 * compares the two and writes the new history: its rows are copied byte
 * for byte but for the few whose valid_to closes, and the new versions
 * follow, in input order.  So the same input twice leaves the same bytes.
 *
 * Memory is the index of the input's keys: per key, where its record is,
 * its hash and what the history's latest version of it is.  The history
 * is streamed twice (its latest versions, then the copy) and the input
 * twice (the index, then the records of the new versions), so a history
 * of any length costs no memory.  A late change (timestamp strategy) needs
 * the versions around it: a third pass over the history finds them, for
 * the late keys alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mx.h"

#define OPEN	INT64_MAX	/* the valid_to of a current version */
#define NS	1000000000LL

/* the fields a version has besides its record's, in the order written */
enum { M_VF, M_VT, M_CUR, M_HASH, NMETA };
static const char *const meta[NMETA] = {
	"valid_from", "valid_to", "is_current", "hash_diff"
};

/* what a run does with a key of the input */
enum { A_NONE, A_NEW, A_DUP, A_LATE };

#define F_HIST	0x01	/* the history has versions of the key */
#define F_SAMEU	0x02	/* one of them has the record's updated_at */
#define F_CUR	0x04	/* one of them is current */

/*
 * One key of the input.  Times are nanoseconds since the epoch.  While the
 * history is read, vf, vt and cmp describe the key's latest version (cmp:
 * its updated_at, or its hash) and other is its row; once decided, vf and
 * vt are those of the version to append, and other the row (+1) whose
 * valid_to becomes vf.  A duplicated key keeps another of its lines there.
 */
struct ent {
	uint64_t	ord;	/* the record's line, counted over all inputs */
	uint64_t	hash;	/* its hash_diff */
	int64_t		upd;	/* its updated_at (timestamp strategy) */
	uint64_t	other;
	int64_t		vf;
	int64_t		vt;
	int64_t		cmp;
	uint32_t	flags;
	uint32_t	act;
};

/* A late change: the versions that begin before and after it. */
struct late {
	int64_t		u;
	uint64_t	pord;	/* the one before: its row */
	int64_t		pvf, pvt;
	int64_t		svf;	/* the first one after: its valid_from */
	uint32_t	hasp, hass;
};

/* A history row whose valid_to changes. */
struct chg {
	uint64_t	row;
	int64_t		vt;
};

/* A line of the input to write as a version (or reject). */
struct add {
	uint64_t	 ord;
	struct ent	*e;
};

struct input {
	const char	*path;
	char		*spool;		/* a copy of a stream, for pass 2 */
	FILE		*spoolfp;
	off_t		 off0;		/* stdin that is a file: its start */
	uint64_t	 start;		/* the ordinal of its first line */
	uintmax_t	 lines, bytes;
};

/* A history row as pass 1 reads it. */
struct row {
	struct mx_h128	h;
	int64_t		vf, vt, upd;
};

struct name {
	const char	*p;
	size_t		 off, len, i;
	int		 inbuf;
};

static struct {
	const char	*history;
	const char	*output;
	const char	*tmpdir;
	const char	*updated;
	int		 hard;
	int		 verbose;
} opt;

static struct {
	uintmax_t	in, blank, rejected, new, changed, unchanged, late,
			stale, reopened, hin, hout, deleted, absent;
} cnt;

static struct mx_exprs	 keys, track;
static struct mx_seen	 named;		/* the fields of -k and -c */
static char		**excl;
static size_t		 nexcl;
static struct mx_json	*scan;
static struct mx_span	*spans;
static int		 msel[NMETA], usel = -1;
static struct mx_keyset	*ks, *lks;
static struct mx_buf	 kb, hb, nb;
static struct mx_member	*mem;
static size_t		 memcap;
static struct name	*names;
static size_t		 namecap;
static struct input	*in;
static int		 nin;
static int64_t		 at;
static struct mx_out	*rej;
static struct chg	*chg;
static size_t		 nchg, chgcap;
static struct add	*adds;
static size_t		 nadd, addcap, ndup;
static int		 nohist;
static uintmax_t	 hlines, hbytes;
static int64_t		 maxt = INT64_MIN;	/* the history's latest time */
static uintmax_t	 maxtline;

static const char synopsis[] =
	    "usage: mx-snapshot -k keys -s history [-v] [-c columns | -x columns]\n"
	    "                   [-u field] [--at time] [--hard-deletes] [-o file]\n"
	    "                   [--rejects file] [--stats file] [--strict] [-T dir]\n"
	    "                   [--max-record size] [--max-depth n] [file ...]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

/* ---- times ---- */

/* Nanoseconds in 64 bits, which hold the years 1678 to 2261, so that a
 * key's times take 8 bytes each. */
static const char *
ns_of(const struct mx_time *t, int64_t *ns)
{
	if (t->sec <= INT64_MIN / NS + 1 || t->sec >= INT64_MAX / NS - 1)
		return "out of range (years 1678 to 2261)";
	*ns = t->sec * NS + t->nsec;
	return NULL;
}

/* A timestamp as nanoseconds, or why it is none. */
static const char *
time_of(const struct mx_span *s, int64_t *ns)
{
	struct mx_time t;

	if (s->kind == MX_JNONE)
		return "missing";
	if (s->kind == MX_JNULL)
		return "null";
	if ((s->kind != MX_JSTR && s->kind != MX_JNUM) ||
	    mx_time_span(s, &t) < 0)
		return "not a timestamp";
	return ns_of(&t, ns);
}

static int
fmt_time(int64_t ns, char out[40])
{
	struct mx_time t;

	t.sec = ns / NS;
	t.nsec = (int32_t)(ns % NS);
	if (t.nsec < 0) {
		t.sec--;
		t.nsec += NS;
	}
	t.dateonly = 0;
	return mx_time_fmt(&t, out);
}

static void
put_time(struct mx_out *o, int64_t ns)
{
	char b[40];
	int n = fmt_time(ns, b);

	mx_out_putc(o, '"');
	mx_out_write(o, b, (size_t)n);
	mx_out_putc(o, '"');
}

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* ---- the inputs ---- */

/* "file:line" of an ordinal, for messages. */
static const char *
where(uint64_t ord, char *b, size_t n)
{
	int i;

	for (i = nin - 1; i > 0 && in[i].start > ord; i--)
		;
	snprintf(b, n, "%s:%ju", mx_name(in[i].path),
	    (uintmax_t)(ord - in[i].start + 1));
	return b;
}

static void
reject(const struct mx_reader *r, const char *rule, const char *why,
    const char *p, size_t n)
{
	cnt.rejected++;
	if (rej == NULL)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(r->name),
		    r->lineno, why);
	mx_reject_write(rej, "mx-snapshot", mx_name(r->name), r->lineno,
	    rule, why, p, n);
}

static int
namecmp(const void *a, const void *b)
{
	const struct name *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int
excluded(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < NMETA; i++)
		if (strlen(meta[i]) == n && memcmp(meta[i], p, n) == 0)
			return 1;
	for (i = 0; i < nexcl; i++)
		if (strlen(excl[i]) == n && memcmp(excl[i], p, n) == 0)
			return 1;
	return 0;
}

/*
 * The hash of the tracked columns of a scanned record: the listed ones in
 * their order, or every top-level field but the excluded ones, by name, so
 * that the order of the fields does not matter.  A null is a missing
 * field: {"a":null} and {} are the same state.
 */
static uint64_t
track_hash(const char *p, size_t n)
{
	size_t nm, i, k = 0;

	hb.len = 0;
	if (track.n > 0) {
		mx_exprs_canon(&track, spans, &hb);
		return mx_hash64(hb.p, hb.len);
	}
	nm = mx_json_members(p, n, &mem, &memcap);
	if (nm > namecap) {
		namecap = nm;
		names = mx_reallocarray(names, namecap, sizeof *names);
	}
	nb.len = 0;
	for (i = 0; i < nm; i++) {
		struct name *e = &names[k];

		if (mem[i].val.kind == MX_JNULL)
			continue;
		e->i = i;
		e->inbuf = mem[i].key.esc;
		if (e->inbuf) {
			e->off = nb.len;
			mx_json_unescape(&mem[i].key, &nb);
			e->len = nb.len - e->off;
		} else {
			e->p = mem[i].key.p + 1;
			e->len = mem[i].key.n - 2;
		}
		k++;
	}
	for (i = 0; i < k; i++)
		if (names[i].inbuf)
			names[i].p = nb.p + names[i].off;
	/* records have a few fields, mostly in one order already */
	for (i = 1; i < k; i++) {
		struct name t = names[i];
		size_t j;

		for (j = i; j > 0 && namecmp(&names[j - 1], &t) > 0; j--)
			names[j] = names[j - 1];
		names[j] = t;
	}
	for (i = 0; i < k; i++) {
		if (excluded(names[i].p, names[i].len))
			continue;
		mx_json_canon(&mem[names[i].i].key, &hb);
		mx_json_canon(&mem[names[i].i].val, &hb);
	}
	return mx_hash64(hb.p, hb.len);
}

static void
add_new(struct ent *e, uint64_t ord)
{
	if (nadd == addcap) {
		addcap = addcap ? addcap * 2 : 1024;
		adds = mx_reallocarray(adds, addcap, sizeof *adds);
	}
	adds[nadd].ord = ord;
	adds[nadd++].e = e;
}

static void
add_chg(uint64_t row, int64_t vt)
{
	if (nchg == chgcap) {
		chgcap = chgcap ? chgcap * 2 : 1024;
		chg = mx_reallocarray(chg, chgcap, sizeof *chg);
	}
	chg[nchg].row = row;
	chg[nchg++].vt = vt;
}

/* One record of the input into the index, or a reject. */
static void
take(const struct mx_reader *r, uint64_t ord, const char *p, size_t n)
{
	struct ent *e;
	struct mx_h128 h;
	char msg[512], loc[300];
	const char *why;
	int64_t u = 0;
	int i, isnew;

	if (mx_json_scan(scan, p, n, spans, 1) < 0) {
		reject(r, "json", mx_json_errstr(scan), p, n);
		return;
	}
	mx_seen_spans(&named, spans);
	for (i = 0; i < NMETA; i++)
		if (spans[msel[i]].kind != MX_JNONE) {
			snprintf(msg, sizeof msg, "the field %s is the "
			    "history's own", meta[i]);
			reject(r, "reserved", msg, p, n);
			return;
		}
	if (mx_exprs_canon(&keys, spans, &kb) > 0) {
		reject(r, "null-key", "the key is missing or null", p, n);
		return;
	}
	if (usel >= 0 && (why = time_of(&spans[usel], &u)) != NULL) {
		snprintf(msg, sizeof msg, "--updated-at %s: %s", opt.updated,
		    why);
		reject(r, "updated-at", msg, p, n);
		return;
	}
	h = mx_hash128(kb.p, kb.len);
	e = mx_keyset_put(ks, h, &isnew);
	if (!isnew) {
		if (e->act != A_DUP) {
			e->act = A_DUP;
			e->other = ord;
		}
		snprintf(msg, sizeof msg, "duplicate key: also at %s",
		    where(e->ord, loc, sizeof loc));
		reject(r, "duplicate-key", msg, p, n);
		return;
	}
	e->ord = ord;
	e->hash = track_hash(p, n);
	e->upd = u;
}

static void
spool_fail(void)
{
	mx_err(MX_EXIT_FAIL, "temporary file in %s", opt.tmpdir);
}

/* Open an input for pass 1 or 2; streams are copied in pass 1. */
static void
in_open(struct mx_reader *r, struct input *f, int pass)
{
	struct stat st;
	int isstdin = strcmp(f->path, "-") == 0;

	if (pass == 2 && f->spool != NULL) {
		if (fclose(f->spoolfp) != 0)
			spool_fail();
		f->spoolfp = NULL;
		if (mx_reader_open(r, f->spool) < 0)
			mx_err(MX_EXIT_FAIL, "%s", f->spool);
		unlink(f->spool);
		mx_tmp_forget(f->spool);
		r->name = f->path;
		return;
	}
	if (pass == 2 && isstdin && lseek(0, f->off0, SEEK_SET) < 0)
		mx_err(MX_EXIT_FAIL, "<stdin>: cannot read again");
	if (pass == 1 && isstdin && fstat(0, &st) == 0 &&
	    S_ISREG(st.st_mode) && (f->off0 = lseek(0, 0, SEEK_CUR)) >= 0)
		isstdin = 0;		/* read again like a file */
	if (mx_reader_open(r, f->path) < 0)
		mx_err(MX_EXIT_FAIL, "%s", f->path);
	if (pass == 2 || (!isstdin && fstat(r->fd, &st) == 0 &&
	    S_ISREG(st.st_mode)))
		return;
	{
		struct mx_buf path = { 0 };
		int fd;

		mx_buf_printf(&path, "%s/mx-snapshot.XXXXXX", opt.tmpdir);
		mx_buf_cstr(&path);
		if ((fd = mkstemp(path.p)) < 0)
			mx_err(MX_EXIT_FAIL, "cannot create a temporary file "
			    "in %s", opt.tmpdir);
		mx_tmp_add(path.p);
		if ((f->spoolfp = fdopen(fd, "w")) == NULL)
			mx_err(MX_EXIT_FAIL, "fdopen");
		setvbuf(f->spoolfp, NULL, _IOFBF, 256 * 1024);
		f->spool = path.p;
	}
}

/* A table that grows by rehashing its keys takes most of the time of a
 * large input: a plain file's size over the length of its first lines
 * tells about how many keys are coming, when those lines (r's, k0 the
 * keys before them) were mostly new keys. */
static void
reserve(const struct mx_reader *r, size_t k0)
{
	mx_keyset_reserve_rate(ks, mx_keyset_count(ks) - k0, r->lineno,
	    mx_reader_guess(r, 0));
}

static void
read_input(void)
{
	struct mx_reader r;
	const char *line;
	uint64_t ord = 0;
	ssize_t n;
	size_t k0;
	int i;

	for (i = 0; i < nin; i++) {
		struct input *f = &in[i];

		f->start = ord;
		k0 = mx_keyset_count(ks);
		in_open(&r, f, 1);
		while ((n = mx_reader_line(&r, &line)) >= 0) {
			if (f->spoolfp != NULL && (fwrite(line, 1, (size_t)n,
			    f->spoolfp) != (size_t)n ||
			    putc('\n', f->spoolfp) == EOF))
				spool_fail();
			if (mx_blank(line, (size_t)n)) {
				cnt.blank++;
				continue;
			}
			cnt.in++;
			take(&r, f->start + r.lineno - 1, line, (size_t)n);
			if (r.lineno == 4096)
				reserve(&r, k0);
		}
		f->lines = r.lineno;
		f->bytes = r.bytes;
		ord = f->start + f->lines;
		mx_reader_close(&r);
		if (f->spoolfp != NULL && fflush(f->spoolfp) != 0)
			spool_fail();
	}
}

/* ---- the history ---- */

static MX_NORETURN void MX_PRINTF(2, 3)
bad_row(const struct mx_reader *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(r->name), r->lineno, msg);
}

/* A history row: its key, its times; anything else is a broken history,
 * which is never half read. */
static void
parse_row(const struct mx_reader *r, const char *p, size_t n, struct row *w)
{
	const struct mx_span *c = &spans[msel[M_CUR]];
	const char *why;

	if (mx_json_scan(scan, p, n, spans, 1) < 0)
		bad_row(r, "%s", mx_json_errstr(scan));
	if (mx_exprs_canon(&keys, spans, &kb) > 0)
		bad_row(r, "the key is missing or null");
	w->h = mx_hash128(kb.p, kb.len);
	if ((why = time_of(&spans[msel[M_VF]], &w->vf)) != NULL)
		bad_row(r, "valid_from: %s", why);
	if (spans[msel[M_VT]].kind == MX_JNULL)
		w->vt = OPEN;
	else if ((why = time_of(&spans[msel[M_VT]], &w->vt)) != NULL)
		bad_row(r, "valid_to: %s", why);
	if (c->kind != MX_JTRUE && c->kind != MX_JFALSE)
		bad_row(r, "is_current: %s", c->kind == MX_JNONE ?
		    "missing" : "neither true nor false");
	if ((c->kind == MX_JTRUE) != (w->vt == OPEN))
		bad_row(r, "is_current is %s but valid_to is %s",
		    c->kind == MX_JTRUE ? "true" : "false",
		    w->vt == OPEN ? "null" : "not");
	if (spans[msel[M_HASH]].kind != MX_JSTR)
		bad_row(r, "hash_diff: %s", spans[msel[M_HASH]].kind ==
		    MX_JNONE ? "missing" : "not a string");
	if (usel >= 0 && (why = time_of(&spans[usel], &w->upd)) != NULL)
		bad_row(r, "--updated-at %s: %s", opt.updated, why);
}

static int
hist_open(struct mx_reader *r)
{
	if (mx_reader_open(r, opt.history) == 0)
		return 1;
	if (errno != ENOENT)
		mx_err(MX_EXIT_FAIL, "%s", opt.history);
	return 0;
}

static void
hist_done(struct mx_reader *r, int pass)
{
	if (pass == 1) {
		hlines = r->lineno;
		hbytes = r->bytes;
	} else if (r->lineno != hlines || r->bytes != hbytes)
		mx_errx(MX_EXIT_FAIL, "%s: changed while being read",
		    opt.history);
	mx_reader_close(r);
}

/* Pass 1: the latest version of every key of the input; the current
 * versions of the keys it lacks. */
static void
read_history(void)
{
	struct mx_reader r;
	struct row w;
	struct ent *e;
	const char *line;
	ssize_t n;
	uint64_t row;

	if (!hist_open(&r)) {
		nohist = 1;
		return;
	}
	while ((n = mx_reader_line(&r, &line)) >= 0) {
		if (mx_blank(line, (size_t)n))
			continue;
		cnt.hin++;
		row = r.lineno - 1;
		parse_row(&r, line, (size_t)n, &w);
		if (usel < 0 && max64(w.vf, w.vt == OPEN ? w.vf : w.vt) >
		    maxt) {
			maxt = max64(w.vf, w.vt == OPEN ? w.vf : w.vt);
			maxtline = r.lineno;
		}
		if ((e = mx_keyset_get(ks, w.h)) == NULL) {
			if (w.vt != OPEN)
				continue;
			if (opt.hard) {
				add_chg(row, max64(at, w.vf));
				cnt.deleted++;
			} else
				cnt.absent++;
			continue;
		}
		if (e->act == A_DUP)
			continue;
		if (w.vt == OPEN) {
			if (e->flags & F_CUR)
				bad_row(&r, "a second current version of a "
				    "key");
			e->flags |= F_CUR;
		}
		if (usel >= 0 && w.upd == e->upd)
			e->flags |= F_SAMEU;
		/* of versions that begin together, the later row is later */
		if (!(e->flags & F_HIST) || w.vf >= e->vf) {
			e->flags |= F_HIST;
			e->other = row;
			e->vf = w.vf;
			e->vt = w.vt;
			e->cmp = usel >= 0 ? w.upd :
			    (int64_t)track_hash(line, (size_t)n);
		}
	}
	hist_done(&r, 1);
}

/* What to do with each key of the input. */
static void
decide(void)
{
	struct mx_h128 h;
	struct ent *e;
	struct late *l;
	size_t pos = 0;
	uint64_t row;
	int64_t vf;
	int isnew;

	while ((e = mx_keyset_next(ks, &pos, &h)) != NULL) {
		if (e->act == A_DUP) {
			/* its first line is rejected in pass 2 */
			add_new(e, e->ord);
			ndup++;
			continue;
		}
		if (!(e->flags & F_HIST)) {
			e->act = A_NEW;
			e->vf = usel >= 0 ? e->upd : at;
			e->vt = OPEN;
			e->other = 0;
			cnt.new++;
			add_new(e, e->ord);
			continue;
		}
		if ((e->flags & F_CUR) && e->vt != OPEN)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: a version later than "
			    "the current one of its key", opt.history,
			    (uintmax_t)e->other + 1);
		row = e->other;
		e->other = 0;
		if (usel >= 0) {
			if (e->upd < e->cmp && (e->flags & F_SAMEU)) {
				/* a late change placed by an earlier run */
				cnt.unchanged++;
				continue;
			}
			if (e->upd < e->cmp) {
				/* placed among the versions by a third pass */
				e->act = A_LATE;
				l = mx_keyset_put(lks, h, &isnew);
				l->u = e->upd;
				continue;
			}
			if (e->vt == OPEN && e->upd == e->cmp) {
				cnt.unchanged++;
				continue;
			}
			if (e->vt == OPEN) {
				vf = max64(e->upd, e->vf);
				e->other = row + 1;
				cnt.changed++;
			} else {
				/* back after a hard delete: from the change,
				 * or from now if it precedes the delete */
				vf = e->upd >= e->vt ? e->upd :
				    max64(at, e->vt);
				cnt.reopened++;
			}
		} else if (e->vt == OPEN) {
			if ((uint64_t)e->cmp == e->hash) {
				cnt.unchanged++;
				continue;
			}
			vf = at;
			e->other = row + 1;
			cnt.changed++;
		} else {
			vf = at;
			cnt.reopened++;
		}
		e->act = A_NEW;
		e->vf = vf;
		e->vt = OPEN;
		if (e->other != 0)
			add_chg(e->other - 1, vf);
		add_new(e, e->ord);
	}
}

/* Pass 1b, for late changes only: the versions that begin before and
 * after each, so that it is placed between them. */
static void
place_late(void)
{
	struct mx_reader r;
	struct mx_h128 h;
	struct late *l;
	struct ent *e;
	struct row w;
	const char *line;
	size_t pos = 0;
	ssize_t n;

	if (mx_keyset_count(lks) == 0)
		return;
	if (!hist_open(&r))
		mx_errx(MX_EXIT_FAIL, "%s: removed while being read",
		    opt.history);
	while ((n = mx_reader_line(&r, &line)) >= 0) {
		if (mx_blank(line, (size_t)n))
			continue;
		parse_row(&r, line, (size_t)n, &w);
		if ((l = mx_keyset_get(lks, w.h)) == NULL)
			continue;
		if (w.vf <= l->u && (!l->hasp || w.vf >= l->pvf)) {
			l->hasp = 1;
			l->pord = r.lineno - 1;
			l->pvf = w.vf;
			l->pvt = w.vt;
		}
		if (w.vf > l->u && (!l->hass || w.vf < l->svf)) {
			l->hass = 1;
			l->svf = w.vf;
		}
	}
	hist_done(&r, 2);
	while ((l = mx_keyset_next(lks, &pos, &h)) != NULL) {
		e = mx_keyset_get(ks, h);
		/* older than a current version that began before it: the
		 * history already holds a later state for that time */
		if (!l->hass || (l->hasp && l->pvt == OPEN)) {
			e->act = A_NONE;
			cnt.stale++;
			continue;
		}
		e->act = A_NEW;
		e->vf = l->u;
		/* it ends where the version it splits ended (a delete's gap
		 * stays), or where the next one begins */
		if (l->hasp && l->pvt > l->u) {
			e->vt = l->pvt;
			add_chg(l->pord, l->u);
		} else
			e->vt = l->svf;
		e->other = 0;
		cnt.late++;
		add_new(e, e->ord);
	}
}

/* ---- writing ---- */

/* The four fields of a version, after its record's, and its end. */
static void
put_meta(struct mx_objw *w, const char *vf, size_t vfn, int64_t vt,
    const char *hash, size_t hn)
{
	mx_out_key(w, meta[M_VF]);
	mx_out_write(w->o, vf, vfn);
	mx_out_key(w, meta[M_VT]);
	if (vt == OPEN)
		mx_out_puts(w->o, "null");
	else
		put_time(w->o, vt);
	mx_out_key(w, meta[M_CUR]);
	mx_out_puts(w->o, vt == OPEN ? "true" : "false");
	mx_out_key(w, meta[M_HASH]);
	mx_out_write(w->o, hash, hn);
	mx_out_obj_close(w);
}

static int
is_meta(const struct mx_span *key, int m)
{
	size_t n = strlen(meta[m]);

	return !key->esc && key->n == n + 2 &&
	    memcmp(key->p + 1, meta[m], n) == 0;
}

/* A history row with a new valid_to: its record's fields as they were
 * (byte for byte when the four fields of the history end it, as
 * mx-snapshot writes them), then the four. */
static void
rewrite(struct mx_out *o, const char *p, size_t n, int64_t vt)
{
	struct mx_objw w;
	struct mx_span vf = { 0 }, hash = { 0 };
	size_t nm, i, m;
	const char *s;
	int tail = 1;

	mx_json_scan(scan, p, n, spans, 1);
	vf = spans[msel[M_VF]];
	hash = spans[msel[M_HASH]];
	nm = mx_json_members(p, n, &mem, &memcap);
	for (m = 0; m < NMETA; m++)
		if (nm < NMETA || !is_meta(&mem[nm - NMETA + m].key, (int)m))
			tail = 0;
	w.o = o;
	if (tail) {
		/* back from the first of the four over blanks to the comma
		 * (or the brace) before it */
		for (s = mem[nm - NMETA].key.p - 1; *s != ',' && *s != '{';
		    s--)
			;
		w.empty = *s == '{';
		mx_out_write(o, p, (size_t)(s - p) + (*s == '{'));
	} else {
		mx_out_obj_new(&w, o);
		for (i = 0; i < nm; i++) {
			for (m = 0; m < NMETA; m++)
				if (is_meta(&mem[i].key, (int)m))
					break;
			if (m < NMETA)
				continue;
			if (!w.empty)
				mx_out_putc(o, ',');
			w.empty = 0;
			mx_out_write(o, mem[i].key.p, mem[i].key.n);
			mx_out_putc(o, ':');
			mx_out_write(o, mem[i].val.p, mem[i].val.n);
		}
	}
	put_meta(&w, vf.p, vf.n, vt, hash.p, hash.n);
}

static int
chgcmp(const void *a, const void *b)
{
	const struct chg *x = a, *y = b;

	return x->row < y->row ? -1 : x->row > y->row;
}

static int
addcmp(const void *a, const void *b)
{
	const struct add *x = a, *y = b;

	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

/* Pass 2: the history, a few rows closed, then the new versions (with no
 * output, only the rejects of duplicated keys). */
static void
write_history(struct mx_out *o)
{
	struct mx_reader r;
	struct mx_objw w;
	const char *line;
	char vf[48], hash[24], loc[300], msg[512];
	size_t ci = 0, ai = 0;
	ssize_t n;
	int i, k, stopped;

	/* qsort of a null array is undefined even with no element */
	if (nchg > 1)
		qsort(chg, nchg, sizeof *chg, chgcmp);
	if (o != NULL && !nohist && hist_open(&r)) {
		while ((n = mx_reader_line(&r, &line)) >= 0) {
			if (mx_blank(line, (size_t)n))
				continue;
			cnt.hout++;
			if (ci < nchg && chg[ci].row == r.lineno - 1) {
				rewrite(o, line, (size_t)n, chg[ci++].vt);
				continue;
			}
			mx_out_write(o, line, (size_t)n);
			mx_out_putc(o, '\n');
		}
		hist_done(&r, 2);
	}
	if (nadd > 1)
		qsort(adds, nadd, sizeof *adds, addcmp);
	for (i = 0; i < nin && ai < nadd; i++) {
		in_open(&r, &in[i], 2);
		stopped = 0;
		while ((n = mx_reader_line(&r, &line)) >= 0) {
			struct ent *e;

			if (ai == nadd) {
				stopped = 1;
				break;
			}
			e = adds[ai].e;
			if (adds[ai].ord != in[i].start + r.lineno - 1)
				continue;
			ai++;
			if (e->act == A_DUP) {
				snprintf(msg, sizeof msg, "duplicate key: also "
				    "at %s", where(e->other, loc, sizeof loc));
				reject(&r, "duplicate-key", msg, line,
				    (size_t)n);
				continue;
			}
			cnt.hout++;
			mx_out_obj_open(&w, o, line, (size_t)n);
			vf[0] = '"';
			k = fmt_time(e->vf, vf + 1) + 1;
			vf[k++] = '"';
			hash[0] = '"';
			mx_hash64_hex(e->hash, hash + 1);
			hash[17] = '"';
			put_meta(&w, vf, (size_t)k, e->vt, hash, 18);
		}
		/* a file read to its end again must not have changed */
		if (!stopped && (r.lineno != in[i].lines ||
		    (in[i].spool == NULL && r.bytes != in[i].bytes)))
			mx_errx(MX_EXIT_FAIL, "%s: changed while being read",
			    mx_name(in[i].path));
		mx_reader_close(&r);
	}
}

/* ---- the lock, and what killed runs left ---- */

/* One run at a time updates a history; a temporary file of the history
 * that a run holding the lock finds is a killed run's, and goes. */
static void
lock_history(void)
{
	struct mx_buf b = { 0 }, dir = { 0 };
	struct stat st, cur;
	const char *slash = strrchr(opt.history, '/'), *base;
	struct dirent *d;
	DIR *dp;
	size_t plen;
	int fd;

	base = slash != NULL ? slash + 1 : opt.history;
	if (slash != NULL)
		mx_buf_add(&dir, opt.history, (size_t)(slash - opt.history) +
		    1);
	else
		mx_buf_adds(&dir, "./");
	mx_buf_printf(&b, "%s.%s.lock", mx_buf_cstr(&dir), base);
	/* The lock file goes when the run ends, lock held: a run that
	 * locked the file just before it went tries again on a new one. */
	for (;;) {
		if ((fd = open(b.p, O_RDWR | O_CREAT | O_CLOEXEC, 0666)) < 0)
			mx_err(MX_EXIT_FAIL, "%s", b.p);
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			if (errno == EWOULDBLOCK)
				mx_errx(MX_EXIT_FAIL, "%s: another mx-snapshot "
				    "is updating it", opt.history);
			mx_warn("%s: cannot lock it; a concurrent run would "
			    "not be noticed", opt.history);
			break;
		}
		if (fstat(fd, &st) == 0 && stat(b.p, &cur) == 0 &&
		    st.st_dev == cur.st_dev && st.st_ino == cur.st_ino) {
			mx_tmp_add(b.p);
			break;
		}
		close(fd);
	}
	/* the descriptor stays open, and the lock held, until the end */
	b.len = 0;
	mx_buf_printf(&b, ".%s.tmp-", base);
	plen = b.len;
	if ((dp = opendir(mx_buf_cstr(&dir))) == NULL)
		mx_err(MX_EXIT_FAIL, "%s", dir.p);
	while ((d = readdir(dp)) != NULL)
		if (strncmp(d->d_name, b.p, plen) == 0 &&
		    d->d_name[plen] != '\0') {
			if (unlinkat(dirfd(dp), d->d_name, 0) != 0)
				mx_err(MX_EXIT_FAIL, "cannot remove %s%s",
				    dir.p, d->d_name);
			if (opt.verbose)
				mx_warnx("removed %s%s, left by a killed run",
				    dir.p, d->d_name);
		}
	closedir(dp);
	mx_buf_free(&b);
	mx_buf_free(&dir);
}

/* ---- main ---- */

static void
report(int wrote)
{
	if (opt.verbose) {
		char blank[64] = "";

		if (cnt.blank > 0)
			snprintf(blank, sizeof blank, ", %ju blank", cnt.blank);
		mx_warnx("%ju in, %ju new, %ju changed, %ju unchanged, %ju "
		    "late, %ju stale, %ju reopened, %ju rejected%s",
		    cnt.in, cnt.new, cnt.changed, cnt.unchanged, cnt.late,
		    cnt.stale, cnt.reopened, cnt.rejected, blank);
		mx_warnx("history: %ju rows in, %ju out%s; %ju deleted, %ju "
		    "absent kept", cnt.hin, wrote ? cnt.hout : cnt.hin,
		    wrote ? "" : " (unchanged, not rewritten)", cnt.deleted,
		    cnt.absent);
	}
	if (mx_opt_stats != NULL) {
		struct mx_out *s = mx_out_open(mx_opt_stats);

		mx_out_printf(s, "{\"tool\":\"mx-snapshot\",\"files\":%d,"
		    "\"in\":%ju,\"blank\":%ju,\"rejected\":%ju,\"new\":%ju,"
		    "\"changed\":%ju,\"unchanged\":%ju,\"late\":%ju,"
		    "\"stale\":%ju,\"reopened\":%ju,", nin, cnt.in, cnt.blank,
		    cnt.rejected, cnt.new, cnt.changed, cnt.unchanged,
		    cnt.late, cnt.stale, cnt.reopened);
		mx_out_printf(s, "\"deleted\":%ju,\"absent\":%ju,"
		    "\"history_in\":%ju,\"history_out\":%ju,\"written\":%s}\n",
		    cnt.deleted, cnt.absent, cnt.hin,
		    wrote ? cnt.hout : cnt.hin, wrote ? "true" : "false");
		mx_out_close(s);
	}
}

static void
parse_excl(const char *spec)
{
	const char *p = spec, *c;

	for (;;) {
		c = strchr(p, ',');
		if ((c == NULL ? strlen(p) : (size_t)(c - p)) == 0) {
			mx_warnx("-x: an empty field name");
			usage();
		}
		excl = mx_reallocarray(excl, nexcl + 1, sizeof *excl);
		excl[nexcl++] = c == NULL ? mx_strdup(p) :
		    mx_strndup(p, (size_t)(c - p));
		if (c == NULL)
			break;
		p = c + 1;
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "history", required_argument, NULL, 's' },
		{ "check", required_argument, NULL, 'c' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "updated-at", required_argument, NULL, 'u' },
		{ "at", required_argument, NULL, 'A' },
		{ "hard-deletes", no_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		MX_REJECTS_LONGOPT,
		MX_STATS_LONGOPT,
		{ "tmpdir", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		MX_STRICT_LONGOPT,
		MX_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct mx_sel *sel = mx_sel_new();
	struct mx_out *out = NULL;
	struct mx_time t;
	const char *atopt = NULL, *why;
	char err[256];
	size_t i;
	int c, wrote;

	mx_init(argv[0]);
	while ((c = mx_getopt(argc, argv, "c:k:o:s:T:u:vx:", longopts, NULL,
	    synopsis)) != -1)
		switch (c) {
		case 'k':
			if (mx_exprs_parse(&keys, optarg, sel, err,
			    sizeof err) < 0) {
				mx_warnx("-k: %s", err);
				usage();
			}
			break;
		case 's':
			opt.history = optarg;
			break;
		case 'c':
			if (mx_exprs_parse(&track, optarg, sel, err,
			    sizeof err) < 0) {
				mx_warnx("-c: %s", err);
				usage();
			}
			break;
		case 'x':
			parse_excl(optarg);
			break;
		case 'u':
			opt.updated = optarg;
			break;
		case 'A':
			atopt = optarg;
			break;
		case 'H':
			opt.hard = 1;
			break;
		case 'o':
			opt.output = optarg;
			break;
		case 'T':
			opt.tmpdir = optarg;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;

	if (keys.n == 0 || opt.history == NULL) {
		mx_warnx("-k and -s are required");
		usage();
	}
	if (track.n > 0 && nexcl > 0) {
		mx_warnx("-c and -x: one or the other");
		usage();
	}
	for (i = 0; i < track.n; i++)
		if (!excluded(track.v[i].path, strlen(track.v[i].path)))
			continue;
		else {
			mx_warnx("-c: %s is the history's own", track.v[i].path);
			usage();
		}
	for (i = 0; i < keys.n; i++)
		(void)mx_seen_add(&named, "-k", keys.v[i].path, keys.v[i].sel);
	for (i = 0; i < track.n; i++)
		(void)mx_seen_add(&named, "-c", track.v[i].path,
		    track.v[i].sel);
	if (opt.updated != NULL && (usel = mx_sel_add(sel, opt.updated)) < 0) {
		mx_warnx("-u: bad field path '%s'", opt.updated);
		usage();
	}
	for (i = 0; i < NMETA; i++)
		msel[i] = mx_sel_add(sel, meta[i]);
	if (atopt != NULL && mx_time_parse(atopt, strlen(atopt), &t) < 0) {
		mx_warnx("--at: not a timestamp: %s", atopt);
		usage();
	}
	if (atopt == NULL)
		t = mx_time_now();
	if ((why = ns_of(&t, &at)) != NULL) {
		mx_warnx("--at %s: %s", atopt != NULL ? atopt :
		    "(SOURCE_DATE_EPOCH or the clock)", why);
		usage();
	}
	if (opt.tmpdir == NULL && ((opt.tmpdir = getenv("TMPDIR")) == NULL ||
	    *opt.tmpdir == '\0'))
		opt.tmpdir = "/tmp";

	scan = mx_json_new(sel);
	spans = mx_calloc(mx_sel_count(sel) + 1, sizeof *spans);
	ks = mx_keyset_new(sizeof(struct ent));
	lks = mx_keyset_new(sizeof(struct late));
	nin = argc > 0 ? argc : 1;
	in = mx_calloc(nin, sizeof *in);
	for (c = 0; c < nin; c++) {
		in[c].path = argc > 0 ? argv[c] : "-";
		in[c].start = UINT64_MAX;	/* not read yet */
	}

	if (opt.output == NULL)
		lock_history();
	if (mx_opt_rejects != NULL)
		rej = mx_out_open(mx_opt_rejects);
	read_input();
	if (mx_seen_report(&named, mx_opt_strict) > 0 && mx_opt_strict) {
		/* the history is left as it was */
		if (rej != NULL)
			mx_out_abort(rej);
		exit(MX_EXIT_FAIL);
	}
	if (opt.hard && mx_keyset_count(ks) == 0)
		mx_errx(MX_EXIT_FAIL, "--hard-deletes with no record in the "
		    "input would close every key: refused");
	read_history();
	if (usel < 0 && at < maxt) {
		char a[40], m[40];

		fmt_time(at, a);
		fmt_time(maxt, m);
		mx_errx(MX_EXIT_FAIL, "--at %s is before %s, a time in %s:%ju",
		    a, m, opt.history, maxtline);
	}
	decide();
	place_late();

	/* a history that does not change is left alone */
	wrote = opt.output != NULL || nohist || nchg > 0 || nadd > ndup;
	if (wrote) {
		out = mx_out_open(opt.output != NULL ? opt.output :
		    opt.history);
		write_history(out);
	} else if (nadd > 0)
		write_history(NULL);
	if (rej != NULL)
		mx_out_close(rej);
	if (out != NULL)
		mx_out_flush(out);
	report(wrote);
	mx_out_close(out);
	if (mx_stdout != NULL)
		mx_out_close(mx_stdout);

	for (c = 0; c < nin; c++)
		free(in[c].spool);
	free(in);
	for (i = 0; i < nexcl; i++)
		free(excl[i]);
	free(excl);
	free(chg);
	free(adds);
	free(names);
	free(mem);
	free(spans);
	mx_buf_free(&kb);
	mx_buf_free(&hb);
	mx_buf_free(&nb);
	mx_keyset_free(ks);
	mx_keyset_free(lks);
	mx_json_free(scan);
	mx_exprs_free(&keys);
	mx_exprs_free(&track);
	mx_sel_free(sel);
	return MX_EXIT_OK;
}
