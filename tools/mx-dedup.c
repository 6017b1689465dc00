/*
 * mx-dedup: one record per key.
 *
 * A key is one or more field expressions, compared by value (mx_json_canon)
 * and remembered as its 128-bit XXH3 hash in a keyset: 16 bytes a key for
 * keep-first, which streams.  Keep-last and latest-by remember the winner's
 * ordinal per key and write the winners in a second pass over the input
 * (files are read again, anything else is spooled to a temporary file).
 *
 * Past --memory the table stops growing and is frozen: records of keys it
 * holds are still decided by it, records of new keys are spilled into 16
 * partitions by hash, each processed the same way (recursively).  With
 * keep-first the results, tagged with their input ordinal, are merged
 * back into input order; the two-pass modes spill only (ordinal, hash,
 * order), mark the winning ordinals in a bitmap, and pass 2 writes them
 * as it reads.  So a spilled run writes the same bytes as an unbounded
 * one.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mx.h"
#include "ring.h"

enum { KEEP_FIRST, KEEP_LAST, KEEP_LATEST };
enum { NULL_PASS, NULL_DROP, NULL_KEY, NULL_ERROR };
/* what a record is, before any key is compared */
enum { C_KEY, C_NULL, C_SEEN, C_REJECT };
/* what --latest-by compares */
enum { O_NONE, O_TIME, O_NUM };

#define NPART		16
#define PARTBITS	4
#define MAXDEPTH	(64 / PARTBITS)
#define SIDE		(1 + sizeof(struct mx_h128))
#define NSIDE		64
#define BATCH		16

static struct {
	int		 keep;
	int		 nulls;
	int		 verbose;
	const char	*latest;
	const char	*byopt;		/* "--latest-by" or "--earliest-by" */
	int		 earliest;
	const char	*seen;
	const char	*dups;
	long long	 memory;
	int		 threads;
} opt = { KEEP_FIRST, NULL_PASS, 0, NULL, NULL, 0, NULL, NULL,
    (long long)1 << 30, 1 };

static struct {
	uintmax_t	in, out, dups, seen, nulls, rejected, spilled, blank;
} cnt;

/* One record as a level sees it. */
struct rec {
	uint64_t	 ord;		/* place in the input, from 0 */
	struct mx_h128	 h;
	__int128	 order;		/* --latest-by, as a comparable integer */
	const char	*p;
	size_t		 n;
	int		 cls;
};

/* What keep-last and latest-by remember per key. */
struct win {
	uint64_t	ord;
	unsigned char	order[16];	/* memcpy: slots are 8-byte aligned */
};

/* An input file and what pass 2 needs to read it again. */
struct input {
	const char	*path;
	char		*spool;		/* its copy, when it cannot be reread */
	FILE		*spoolfp;
	off_t		 off0;		/* stdin that is a file: its start */
	uintmax_t	 lines, bytes;	/* pass 1, checked by pass 2 */
};

/* A stream of records: the input (top) or a spill partition. */
struct src {
	int		 top;
	int		 pass;
	/* top */
	struct input	*in;
	int		 nin, fi, open;
	struct mx_reader rd;
	uint64_t	 ord;
	/* pass 1 keeps what it found per line, so pass 2 need not parse:
	 * a class byte and the hash of a key (SIDE bytes), written and
	 * read NSIDE lines at a time */
	FILE		*side;
	unsigned char	 sb[NSIDE * SIDE];
	int		 sbi, sbn;
	const struct mx_keyset *ks;	/* its slots are prefetched */
	/* partition */
	FILE		*fp;
	struct mx_buf	 b;
};

/* Where decided records go: lines to o, or (ordinal, record) to a run. */
struct sink {
	struct mx_out	*o;
	FILE		*run;
};

/* A sorted stream of key hashes: an array, or a run file. */
struct kstream {
	const struct mx_h128	*a;
	size_t			 n, i;
	FILE			*fp;
	struct mx_h128		 cur;
	struct mx_keyset	*owner;		/* holds a */
};

static struct mx_exprs	 keys;
static int		 latest_sel = -1;
static int		 okind = O_NONE;
static struct mx_buf	 kb;		/* canonical key bytes */
static int		 allfields;	/* --all-fields */
static struct mx_member	*mem;		/* a record's members, without -k */
static size_t		 memcap;
static struct mx_buf	 mb;		/* their canonical forms, unsorted */

/*
 * The key of a record without -k: its members by value (mx_json_canon, so
 * {"a":1.0} and {"a": 1} are one record), in an order of their names (so
 * the order they were written in does not matter), without the members
 * whose names start with '_' unless --all-fields: mx-ingest gives every
 * record its own _line and _ingested_at, which would make every record
 * unique.  The canonical forms are length-prefixed, so comparing two of
 * them whole compares their names first, and names are unique.
 */
struct mpart { size_t off, len; };

static int
mpart_cmp(const void *a, const void *b)
{
	const struct mpart *x = a, *y = b;
	int c = memcmp(mb.p + x->off, mb.p + y->off,
	    x->len < y->len ? x->len : y->len);

	return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

static void
whole_key(const char *p, size_t n)
{
	static struct mpart *part;
	static size_t partcap;
	size_t i, k = 0, nm = mx_json_members(p, n, &mem, &memcap);

	if (nm > partcap) {
		partcap = nm;
		if ((part = realloc(part, partcap * sizeof *part)) == NULL)
			mx_err(MX_EXIT_FAIL, "out of memory");
	}
	mb.len = 0;
	for (i = 0; i < nm; i++) {
		size_t off = mb.len;

		mx_json_canon(&mem[i].key, &mb);
		/* 5 bytes of tag and length, then the name unescaped */
		if (!allfields && mb.len > off + 5 && mb.p[off + 5] == '_') {
			mb.len = off;
			continue;
		}
		mx_json_canon(&mem[i].val, &mb);
		part[k].off = off;
		part[k++].len = mb.len - off;
	}
	qsort(part, k, sizeof *part, mpart_cmp);
	kb.len = 0;
	for (i = 0; i < k; i++)
		mx_buf_add(&kb, mb.p + part[i].off, part[i].len);
}
static struct mx_out	*rej;
static struct mx_keys	 seen;		/* --seen: the keys of earlier runs */
static uintmax_t	 newkeys;	/* keys of this run, over all tables */
static size_t		 tablemax;	/* bytes a table may take */
static char		*keyspec;
static struct mx_seen	 named;		/* the fields of -k */

static const char synopsis[] =
	    "usage: mx-dedup [-v] [-k keys | --all-fields]\n"
	    "                [--first | --last | --latest-by field | --earliest-by field]\n"
	    "                [--nulls pass|drop|key|error] [--seen file] [--dups file]\n"
	    "                [--rejects file] [--stats file] [--strict] [--trusted]\n"
	    "                [-m size] [-T dir] [--threads n]\n"
	    "                [--max-record size] [--max-depth n] [file ...]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

/* ---- temporary files ---- */

static void
tmp_close(FILE *fp)
{
	if (fp != NULL)
		fclose(fp);
}

/* ---- sinks and runs ---- */

static void
put(struct sink *s, uint64_t ord, const char *p, size_t n)
{
	uint32_t len = (uint32_t)n;

	if (s->run != NULL) {
		mx_spill_write(s->run, &ord, sizeof ord);
		mx_spill_write(s->run, &len, sizeof len);
		mx_spill_write(s->run, p, n);
	} else if (s->o != NULL) {
		mx_out_write(s->o, p, n);
		mx_out_putc(s->o, '\n');
	}
}

struct run {
	FILE		*fp;
	uint64_t	 ord;
	struct mx_buf	 b;
	int		 live;
};

static void
run_next(struct run *r)
{
	uint32_t len;

	r->live = mx_spill_read(r->fp, &r->ord, sizeof r->ord);
	if (!r->live)
		return;
	mx_spill_need(r->fp, &len, sizeof len);
	r->b.len = 0;
	mx_buf_grow(&r->b, len);
	mx_spill_need(r->fp, r->b.p, len);
	r->b.len = len;
}

/* Merge runs, each in ordinal order, into s; the runs are closed. */
static void
merge_runs(FILE **fps, int n, struct sink *s)
{
	struct run *r = mx_calloc(n, sizeof *r);
	int i, best;

	for (i = 0; i < n; i++) {
		r[i].fp = fps[i];
		if (fps[i] != NULL) {
			mx_spill_rewind(fps[i]);
			run_next(&r[i]);
		}
	}
	for (;;) {
		best = -1;
		for (i = 0; i < n; i++)
			if (r[i].live && (best < 0 || r[i].ord < r[best].ord))
				best = i;
		if (best < 0)
			break;
		put(s, r[best].ord, r[best].b.p, r[best].b.len);
		run_next(&r[best]);
	}
	for (i = 0; i < n; i++) {
		tmp_close(r[i].fp);
		mx_buf_free(&r[i].b);
	}
	free(r);
}

/* ---- key streams ---- */

static int
ks_next(struct kstream *k)
{
	if (k->fp != NULL)
		return mx_spill_read(k->fp, &k->cur, sizeof k->cur);
	if (k->i == k->n)
		return 0;
	k->cur = k->a[k->i++];
	return 1;
}

/* Merge sorted, disjoint key streams into a run file or a key file. */
static void
merge_keys(struct kstream *k, int n, FILE *to, struct mx_keyfile *kf)
{
	int *live = mx_calloc(n, sizeof *live), i, best;

	for (i = 0; i < n; i++) {
		if (k[i].fp != NULL)
			mx_spill_rewind(k[i].fp);
		live[i] = ks_next(&k[i]);
	}
	for (;;) {
		best = -1;
		for (i = 0; i < n; i++)
			if (live[i] && (best < 0 ||
			    mx_h128_cmp(k[i].cur, k[best].cur) < 0))
				best = i;
		if (best < 0)
			break;
		if (to != NULL)
			mx_spill_write(to, &k[best].cur, sizeof k[best].cur);
		else
			mx_keyfile_add(kf, k[best].cur);
		live[best] = ks_next(&k[best]);
	}
	for (i = 0; i < n; i++) {
		tmp_close(k[i].fp);
		mx_keyset_free(k[i].owner);
	}
	free(live);
}

/* ---- records from the input ---- */

static void
reject(const char *name, uintmax_t line, const char *rule, const char *why,
    const char *p, size_t n)
{
	cnt.rejected++;
	if (rej == NULL)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(name), line, why);
	mx_reject_write(rej, "mx-dedup", mx_name(name), line, rule, why, p, n);
}

/* A --latest-by value as read, before the records before it say how it
 * is compared: its class, and its order as a timestamp and as a number
 * where it can be one. */
struct ordv {
	int		 cls;		/* MX_OC_* */
	int		 missing;	/* MX_OC_NULL: no such field */
	int		 tok, nok;	/* t, o: a time, a number in range */
	__int128	 t, o;
};

/* The thread's own of what a scan needs. */
struct scanner {
	struct mx_json	*js;
	struct mx_span	*spans;
	struct mx_buf	 kb;		/* canonical key bytes */
	struct mx_oval	 ov;
	struct mx_seen	*named;
};

static struct scanner	*sc0;		/* this thread's */

/* The value v of --latest-by as read (ordv), in the ordering of mx(7):
 * nanoseconds since the epoch for a timestamp, units of 10^-18 for a
 * number (or a number in a string); a number is also read as time,
 * epoch seconds (or milliseconds), for a field that holds timestamps. */
static void
order_read(struct mx_oval *ov, const struct mx_span *v, struct ordv *r)
{
	static const __int128 max = (__int128)(((unsigned __int128)1 << 127) -
	    1);
	struct mx_time t;
	__int128 m = 1;
	int i;

	mx_oval_set(ov, v);
	r->cls = ov->cls;
	r->missing = v->kind == MX_JNONE;
	r->tok = r->nok = 0;
	if (ov->cls == MX_OC_TIME) {
		r->t = (__int128)ov->t.sec * 1000000000 + ov->t.nsec;
		r->tok = 1;
	} else if (ov->cls == MX_OC_NUM) {
		if (mx_time_parse(ov->p, ov->n, &t) == 0) {
			r->t = (__int128)t.sec * 1000000000 + t.nsec;
			r->tok = 1;
		}
		if (ov->exact) {
			for (i = ov->d.scale; i < MX_DEC_MAXSCALE; i++)
				m *= 10;
			if (ov->d.v <= max / m && ov->d.v >= -(max / m)) {
				r->o = ov->d.v * m;
				r->nok = 1;
			}
		}
	}
}

/* The order of a value read (order_read), as an integer that orders
 * like it: the first value decides which of the two the field holds;
 * once it holds timestamps a number is compared as time.  NULL, or why
 * the value cannot be ordered. */
static const char *
order_of(const struct ordv *v, __int128 *o)
{
	int kind;

	switch (v->cls) {
	case MX_OC_NULL:
		return v->missing ? "missing" : "null";
	case MX_OC_TIME:
		kind = O_TIME;
		*o = v->t;
		break;
	case MX_OC_NUM:
		if (okind == O_TIME) {
			if (!v->tok)
				return "number out of range";
			kind = O_TIME;
			*o = v->t;
			break;
		}
		if (!v->nok)
			return "number out of range";
		kind = O_NUM;
		*o = v->o;
		break;
	case MX_OC_STR:
		return okind == O_NUM ? "not a number" : "not a timestamp";
	default:
		return "neither a timestamp nor a number";
	}
	if (okind == O_NONE)
		okind = kind;
	else if (kind != okind)
		return "a timestamp, where earlier records have numbers";
	return NULL;
}

/* What a line is as its scan finds it, before the lines before it are
 * known: not a valid record (rule, why), a record without a key, or a
 * key, its hash and its --latest-by value read. */
struct scanned {
	int		 cls;		/* C_KEY, C_NULL or C_REJECT */
	const char	*rule, *why;
	struct mx_h128	 h;
	struct ordv	 ov;
};

/* Scan a line.  Only computes (on the thread's own scanner and named),
 * so that scanning threads may call it; why may point into the scanner,
 * until its next scan. */
static void
scanline(struct scanner *sc, const char *p, size_t n, struct scanned *r)
{
	struct mx_span v;
	char tmp[MX_EXPR_TMP];
	size_t i;
	int isnull = 0, bad;

	r->cls = C_REJECT;
	if (mx_json_scan(sc->js, p, n, sc->spans, 1) < 0) {
		r->rule = "json";
		r->why = mx_json_errstr(sc->js);
		return;
	}
	mx_seen_spans(sc->named, sc->spans);
	if (keys.n == 0) {
		/* (this thread only: no scanning threads without -k) */
		whole_key(p, n);
		r->h = mx_hash128(kb.p, kb.len);
	} else {
		sc->kb.len = 0;
		for (i = 0; i < keys.n; i++) {
			int k = mx_expr_eval(&keys.v[i], sc->spans, &v, tmp,
			    &bad);

			if (k == MX_JNONE || k == MX_JNULL)
				isnull = 1;
			mx_json_canon(&v, &sc->kb);
		}
		if (isnull && opt.nulls != NULL_KEY) {
			if (opt.nulls == NULL_ERROR) {
				r->rule = "null-key";
				r->why = "the key is missing or null";
				return;
			}
			r->cls = C_NULL;
			return;
		}
		r->h = mx_hash128(sc->kb.p, sc->kb.len);
	}
	if (latest_sel >= 0)
		order_read(&sc->ov, &sc->spans[latest_sel], &r->ov);
	r->cls = C_KEY;
}

/* Decide what a scanned line is, in input order (line lineno of name):
 * not a valid record, a record without a key, a key seen in an earlier
 * run, or a key (with its hash and order). */
static void
settle(const struct scanned *sc, const char *name, uintmax_t lineno,
    const char *p, size_t n, struct rec *r)
{
	char msg[256];
	const char *why;

	r->p = p;
	r->n = n;
	r->cls = C_REJECT;
	if (sc->cls == C_REJECT) {
		reject(name, lineno, sc->rule, sc->why, p, n);
		return;
	}
	if (sc->cls == C_NULL) {
		r->cls = C_NULL;
		return;
	}
	r->h = sc->h;
	if (latest_sel >= 0 && (why = order_of(&sc->ov, &r->order)) != NULL) {
		snprintf(msg, sizeof msg, "%s %s: %s", opt.byopt, opt.latest,
		    why);
		reject(name, lineno, opt.byopt + 2, msg, p, n);
		return;
	}
	/* the earliest is the greatest of the negated values */
	if (opt.earliest)
		r->order = -r->order;
	if (mx_keys_find(&seen, r->h)) {
		r->cls = C_SEEN;
		return;
	}
	r->cls = C_KEY;
}

static void
in_open(struct src *s)
{
	struct input *in = &s->in[s->fi];
	struct stat st;
	int isstdin = strcmp(in->path, "-") == 0;

	if (s->pass == 2 && in->spool != NULL) {
		if (fclose(in->spoolfp) != 0)
			mx_spill_fail();
		in->spoolfp = NULL;
		if (mx_reader_open(&s->rd, in->spool) < 0)
			mx_err(MX_EXIT_FAIL, "%s", in->spool);
		return;
	}
	if (s->pass == 2 && in->off0 >= 0 &&
	    lseek(0, in->off0, SEEK_SET) < 0)
		mx_err(MX_EXIT_FAIL, "<stdin>: cannot read again");
	in->off0 = -1;
	/* pass 2 reads regular files again; anything else is spooled */
	if (s->pass == 1 && opt.keep != KEEP_FIRST && isstdin &&
	    fstat(0, &st) == 0 && S_ISREG(st.st_mode))
		in->off0 = lseek(0, 0, SEEK_CUR);
	if (mx_reader_open(&s->rd, in->path) < 0)
		mx_err(MX_EXIT_FAIL, "%s", in->path);
	s->rd.whole = mx_opt_trusted;
	if (s->pass != 1 || opt.keep == KEEP_FIRST || in->off0 >= 0 ||
	    (!isstdin && fstat(s->rd.fd, &st) == 0 && S_ISREG(st.st_mode)))
		return;
	/* a named file, which the reader of pass 2 opens */
	{
		struct mx_buf path = { 0 };

		in->spoolfp = mx_spill_create(&path);
		in->spool = path.p;
	}
}

static void
in_close(struct src *s)
{
	struct input *in = &s->in[s->fi];

	if (s->pass == 1) {
		in->lines = s->rd.lineno;
		in->bytes = s->rd.bytes;
	} else if (in->lines != s->rd.lineno ||
	    (in->spool == NULL && in->bytes != s->rd.bytes))
		mx_errx(MX_EXIT_FAIL, "%s: changed while being read (%ju "
		    "lines, then %ju)", mx_name(in->path), in->lines,
		    s->rd.lineno);
	mx_reader_close(&s->rd);
	if (s->pass == 2 && in->spool != NULL) {
		unlink(in->spool);
		mx_tmp_forget(in->spool);
	}
}

/* The next line's class and hash from pass 1; read ahead in batches whose
 * slots in the table are prefetched, as the lookups miss the cache. */
static void
side_next(struct src *s, struct rec *r)
{
	const unsigned char *e;
	struct mx_h128 h;
	size_t k;

	if (s->sbi == s->sbn) {
		k = fread(s->sb, SIDE, NSIDE, s->side);
		if (k == 0) {
			if (ferror(s->side))
				mx_spill_fail();
			mx_spill_short();
		}
		s->sbi = 0;
		s->sbn = (int)k;
		for (e = s->sb; e < s->sb + k * SIDE; e += SIDE) {
			if (*e == C_KEY && s->ks != NULL) {
				memcpy(&h, e + 1, sizeof h);
				mx_keyset_prefetch(s->ks, h);
			}
		}
	}
	e = s->sb + s->sbi++ * SIDE;
	r->cls = *e;
	memcpy(&r->h, e + 1, sizeof r->h);
}

/* Pass 1's side entries, kept in sb until NSIDE are there. */
static void
side_flush(struct src *s)
{
	if (s->side == NULL)
		s->side = mx_spill_open();
	mx_spill_write(s->side, s->sb, (size_t)s->sbn * SIDE);
	s->sbn = 0;
}

/* The next line of the input, read (and spooled, in pass 1); its
 * length, or -1 at the end of the input.  Blank lines are skipped alike
 * in both passes, so that ordinals agree. */
static ssize_t
top_line(struct src *s, const char **line)
{
	struct input *in;
	ssize_t n;

	for (;;) {
		if (!s->open) {
			if (s->fi == s->nin)
				return -1;
			in_open(s);
			s->open = 1;
		}
		if ((n = mx_reader_line(&s->rd, line)) < 0) {
			in_close(s);
			s->open = 0;
			s->fi++;
			continue;
		}
		in = &s->in[s->fi];
		if (in->spoolfp != NULL && s->pass == 1) {
			mx_spill_write(in->spoolfp, *line, (size_t)n);
			if (putc('\n', in->spoolfp) == EOF)
				mx_spill_fail();
		}
		if (!mx_blank(*line, (size_t)n))
			return n;
		if (s->pass != 2)
			cnt.blank++;
	}
}

/* ---- the first pass on threads (--threads) ---- */

/*
 * The scan of a record (the JSON, the key, the --latest-by value) is most
 * of the first pass, and nothing in it depends on the records before.
 * With --threads n, n threads scan batches of lines that this one reads
 * (in turn: thread i the batches i, i + n, ...), and this one settles
 * them in input order (order_of, --seen, rejects) and fills the table:
 * the same decisions, messages and bytes as one thread.  The scanning
 * threads only compute; every message and every exit stays here.
 */

/* A line's scan, kept in its batch (why: an offset in aux, when the
 * scanner's own). */
struct lres {
	struct scanned	 sc;
	size_t		 woff;
};

static struct {
	int		 n;		/* scanning threads; 0: none */
	struct mx_ring	*ring;
	struct scanner	**sc;
} th;

static struct scanner *
scanner_new(struct mx_sel *sel, struct mx_seen *named_)
{
	struct scanner *sc = mx_calloc(1, sizeof *sc);

	sc->js = mx_json_new(sel);
	/* (a key of the whole record reads all of it, and its members are
	 * split as the scan accepted them) */
	mx_json_partial(sc->js, mx_opt_trusted && keys.n > 0);
	sc->spans = mx_calloc(mx_sel_count(sel) + 1, sizeof *sc->spans);
	sc->named = named_;
	return sc;
}

static void
scanner_free(struct scanner *sc)
{
	mx_json_free(sc->js);
	free(sc->spans);
	mx_buf_free(&sc->kb);
	mx_oval_free(&sc->ov);
	free(sc);
}

/* (a scanning thread's: arg its scanner) */
static void
th_scan(void *arg, struct mx_rbatch *b)
{
	struct lres *res = (struct lres *)(void *)b->res;
	size_t i;

	for (i = 0; i < b->n; i++) {
		scanline(arg, b->text.p + b->v[i].off, b->v[i].n, &res[i].sc);
		if (res[i].sc.cls == C_REJECT) {
			res[i].woff = b->aux.len;
			mx_buf_add(&b->aux, res[i].sc.why,
			    strlen(res[i].sc.why) + 1);
		}
	}
}

static void
th_start(struct mx_sel *sel, int n)
{
	int i;

	th.n = n;
	th.sc = mx_calloc((size_t)n, sizeof *th.sc);
	for (i = 0; i < n; i++) {
		struct mx_seen *ns = mx_calloc(1, sizeof *ns);

		/* its own marks of the -k fields seen, merged at the end */
		*ns = named;
		ns->v = mx_reallocarray(NULL, named.n ? named.n : 1,
		    sizeof *ns->v);
		memcpy(ns->v, named.v, named.n * sizeof *ns->v);
		ns->nrec = 0;
		th.sc[i] = scanner_new(sel, ns);
	}
	th.ring = mx_ring_new(n, sizeof(struct lres), th_scan,
	    (void **)th.sc);
}

/* The threads ended, what they saw of the -k fields counted. */
static void
th_end(void)
{
	struct mx_seen *ns;
	size_t i;
	int k;

	if (th.n == 0)
		return;
	mx_ring_free(th.ring);
	for (k = 0; k < th.n; k++) {
		ns = th.sc[k]->named;
		for (i = 0; i < named.n; i++)
			if (ns->v[i].seen)
				mx_seen_mark(&named, i);
		named.nrec += ns->nrec;
		free(ns->v);
		free(ns);
		scanner_free(th.sc[k]);
	}
	free(th.sc);
	th.n = 0;
}

/* Read lines into the free batches and hand them to the threads. */
static void
th_fill(struct src *s)
{
	struct mx_rbatch *b;
	const char *line;
	ssize_t n;

	while ((b = mx_ring_fill(th.ring)) != NULL) {
		for (;;) {
			if ((n = top_line(s, &line)) < 0)
				break;
			if (mx_ring_add(th.ring, b, s->in[s->fi].path,
			    s->rd.lineno, line, (size_t)n))
				break;
		}
		if (b->n == 0)
			return;
		mx_ring_hand(th.ring);
	}
}

/* Pass 1's next record from the threads' batches, settled here. */
static int
th_next(struct src *s, struct rec *r)
{
	struct mx_rbatch *b;
	struct mx_rline *l;
	struct lres *x;

	for (;;) {
		if ((b = mx_ring_oldest(th.ring)) != NULL) {
			if (b->next < b->n)
				break;
			/* (the oldest, settled: free for the next lines) */
			mx_ring_done(th.ring);
		}
		th_fill(s);
		if (mx_ring_busy(th.ring) == 0) {
			th_end();
			return 0;
		}
	}
	l = &b->v[b->next];
	x = &((struct lres *)(void *)b->res)[b->next++];
	if (x->sc.cls == C_REJECT)
		x->sc.why = b->aux.p + x->woff;
	settle(&x->sc, l->name, l->lineno, b->text.p + l->off, l->n, r);
	return 1;
}

static int
top_next(struct src *s, struct rec *r)
{
	struct scanned sc;
	const char *line;
	ssize_t n;

	if (s->pass == 1 && th.n > 0) {
		if (!th_next(s, r))
			return 0;
	} else {
		if ((n = top_line(s, &line)) < 0)
			return 0;
		if (s->pass == 2) {
			r->ord = s->ord++;
			side_next(s, r);
			r->p = line;
			r->n = (size_t)n;
			return 1;
		}
		scanline(sc0, line, (size_t)n, &sc);
		settle(&sc, s->rd.name, s->rd.lineno, line, (size_t)n, r);
	}
	r->ord = s->ord++;
	cnt.in++;
	if (opt.keep != KEEP_FIRST) {
		unsigned char *e = s->sb + s->sbn++ * SIDE;

		*e = (unsigned char)r->cls;
		if (r->cls == C_KEY)
			memcpy(e + 1, &r->h, sizeof r->h);
		else
			memset(e + 1, 0, sizeof r->h);
		if (s->sbn == NSIDE)
			side_flush(s);
	}
	return 1;
}

/* ---- records from a partition ---- */

#define SPILLED	(sizeof(uint64_t) + sizeof(struct mx_h128) + sizeof(__int128))

/* A spilled record: ordinal, hash, order (latest-by), then with --first
 * its length and bytes (the other modes read the input again, and need
 * only to know which ordinals win). */
static void
spill(FILE *fp, const struct rec *r)
{
	unsigned char e[SPILLED];
	uint32_t len = (uint32_t)r->n;
	size_t n = 0;

	memcpy(e, &r->ord, sizeof r->ord);
	n += sizeof r->ord;
	memcpy(e + n, &r->h, sizeof r->h);
	n += sizeof r->h;
	if (opt.keep == KEEP_LATEST) {
		memcpy(e + n, &r->order, sizeof r->order);
		n += sizeof r->order;
	}
	mx_spill_write(fp, e, n);
	if (opt.keep == KEEP_FIRST) {
		mx_spill_write(fp, &len, sizeof len);
		mx_spill_write(fp, r->p, r->n);
	}
	cnt.spilled++;
}

static int
part_next(struct src *s, struct rec *r)
{
	unsigned char e[SPILLED];
	uint32_t len;
	size_t n = sizeof r->ord + sizeof r->h;

	if (opt.keep == KEEP_LATEST)
		n += sizeof r->order;
	if (!mx_spill_read(s->fp, e, n))
		return 0;
	memcpy(&r->ord, e, sizeof r->ord);
	memcpy(&r->h, e + sizeof r->ord, sizeof r->h);
	if (opt.keep == KEEP_LATEST)
		memcpy(&r->order, e + sizeof r->ord + sizeof r->h,
		    sizeof r->order);
	r->p = NULL;
	r->n = 0;
	if (opt.keep == KEEP_FIRST) {
		mx_spill_need(s->fp, &len, sizeof len);
		s->b.len = 0;
		mx_buf_grow(&s->b, len);
		mx_spill_need(s->fp, s->b.p, len);
		r->p = s->b.p;
		r->n = len;
	}
	r->cls = C_KEY;
	return 1;
}

static int
src_next(struct src *s, struct rec *r)
{
	return s->top ? top_next(s, r) : part_next(s, r);
}

static void
src_rewind(struct src *s)
{
	s->pass++;
	if (s->top) {
		mx_progress_pass(s->pass);
		s->fi = 0;
		s->ord = 0;
		if (s->pass == 2 && opt.keep != KEEP_FIRST) {
			side_flush(s);
			mx_spill_rewind(s->side);
			s->sbi = s->sbn = 0;
		}
	} else
		mx_spill_rewind(s->fp);
}

/* ---- levels ---- */

/* Bytes of value per key: nothing for keep-first, the winner's ordinal
 * for keep-last, and its order too for latest-by. */
static size_t
vsize(void)
{
	if (opt.keep == KEEP_FIRST)
		return 0;
	return opt.keep == KEEP_LAST ? sizeof(uint64_t) : sizeof(struct win);
}

/* Records settled without the table: a key seen in an earlier run is
 * dropped; a missing or null key passes or is dropped, as --nulls says. */
static void
early(const struct rec *r, struct sink *out, struct sink *dup)
{
	if (r->cls == C_SEEN) {
		cnt.seen++;
		put(dup, r->ord, r->p, r->n);
		return;
	}
	cnt.nulls++;
	if (opt.nulls == NULL_PASS) {
		cnt.out++;
		put(out, r->ord, r->p, r->n);
	} else
		put(dup, r->ord, r->p, r->n);
}

/* Does r beat the winner so far?  Ties go to the later record with
 * --latest-by, to the earlier with --earliest-by. */
static int
later(const struct rec *r, const struct win *w)
{
	__int128 cur;

	memcpy(&cur, w->order, sizeof cur);
	return opt.earliest ? r->order > cur : r->order >= cur;
}

static void
decided(const struct rec *r, int win, struct sink *out, struct sink *dup)
{
	if (win) {
		cnt.out++;
		put(out, r->ord, r->p, r->n);
	} else {
		cnt.dups++;
		put(dup, r->ord, r->p, r->n);
	}
}

/* Keep-last and latest-by past the table: the winning ordinals, a bit
 * each, so that pass 2 writes in input order with nothing to merge. */
static uint64_t		*wins;

static void
wins_mark(struct mx_keyset *ks)
{
	struct mx_h128 h;
	struct win *w;
	size_t pos = 0;

	/* (keep-last's value is its ordinal alone: the first member) */
	while ((w = mx_keyset_next(ks, &pos, &h)) != NULL)
		wins[w->ord / 64] |= (uint64_t)1 << (w->ord % 64);
}

static int
wins_has(uint64_t ord)
{
	return (wins[ord / 64] >> (ord % 64)) & 1;
}

/* Pass 2 of keep-last and latest-by: each record read again, decided by
 * the table, or by the bits when it spilled. */
static void
pass2(struct src *src, struct mx_keyset *ks, struct sink *o, struct sink *d)
{
	struct win *w;
	struct rec r;

	src->ks = ks;
	src_rewind(src);
	while (src_next(src, &r)) {
		if (r.cls == C_REJECT)
			continue;
		if (r.cls != C_KEY)
			early(&r, o, d);
		else if (ks == NULL)
			decided(&r, wins_has(r.ord), o, d);
		else if ((w = mx_keyset_get(ks, r.h)) != NULL)
			decided(&r, w->ord == r.ord, o, d);
	}
}

/* The table sized once for the keys still to come, up to its bound,
 * rather than rehashed as it grows (--latest-by over 1M records: 0.98 s
 * -> 0.88 s of CPU, 88 MB -> 66 MB): when the records so far (n, in the
 * first file to reach line 4096) were mostly new keys, the rest of the
 * named files are taken to hold as many new keys a record.  (Few keys in
 * many records keep a small table; files that repeat the first's keys
 * hold a table too large, up to the bound, the memory of its pages
 * taken as they are touched: mx-dedup(1) says so.) */
static void
size_table(struct mx_keyset *ks, const struct src *s, uint64_t n)
{
	uintmax_t more = 0;
	int i;

	for (i = s->fi + 1; i < s->nin; i++)
		more += mx_plain_size(s->in[i].path);
	mx_keyset_reserve_rate(ks, mx_keyset_count(ks), n,
	    mx_reader_guess(&s->rd, more));
}

/*
 * One stream of records, decided with one table of at most tablemax
 * bytes.  Results go to out and dup, in ordinal order; with --seen the
 * keys of the table (and of the partitions below) go to keys, sorted.
 * Once the table is full, decisions that later records might precede are
 * deferred to runs of this level, merged with the partitions' at the end.
 */
static void
level(struct src *src, int depth, struct sink *out, struct sink *dup,
    struct kstream *keys_out)
{
	struct mx_keyset *ks;
	struct sink dout = { NULL, NULL }, ddup = { NULL, NULL };
	struct sink *o = out, *d = dup;
	FILE *part[NPART] = { NULL }, *runs[NPART + 1], *druns[NPART + 1];
	struct kstream kin[NPART + 1];
	struct rec r, rb[BATCH];
	struct win *w;
	int isnew, i, nb, bi, lim, spilled = 0, sized = 0;
	size_t nk;

	ks = mx_keyset_new(vsize());
	mx_keyset_limit(ks, tablemax);
	/*
	 * Records are taken BATCH at a time, their slots prefetched before
	 * the first is looked up: a lookup in a large table misses the cache,
	 * and this way the misses overlap.  Not with --first, which writes
	 * each record before the next is read (an error stops the run with
	 * the records before it written).  The other modes need no record's
	 * bytes in pass 1, not even to spill it.
	 */
	lim = opt.keep == KEEP_FIRST ? 1 : BATCH;
	for (;;) {
		for (nb = 0; nb < lim && src_next(src, &rb[nb]); nb++) {
			if (lim > 1)
				rb[nb].p = NULL;
			if (rb[nb].cls == C_KEY)
				mx_keyset_prefetch(ks, rb[nb].h);
		}
		if (nb == 0)
			break;
		/* (with --threads the reader is ahead of the records: the
		 * rate is of those decided) */
		if (!sized && src->top && src->open && src->rd.lineno >= 4096 &&
		    (th.n == 0 || src->ord >= 4096)) {
			sized = 1;
			size_table(ks, src, src->ord - (uint64_t)nb);
		}
		for (bi = 0; bi < nb; bi++) {
			r = rb[bi];
			if (r.cls == C_REJECT)
				continue;
			if (r.cls != C_KEY) {
				if (opt.keep == KEEP_FIRST)
					early(&r, o, d);
				continue;
			}
			w = mx_keyset_put(ks, r.h, &isnew);
			if (w == NULL) {
				if (!spilled) {
					if (depth == MAXDEPTH)
						mx_errx(MX_EXIT_FAIL, "cannot "
						    "spill: too many keys with "
						    "one hash prefix; raise "
						    "--memory");
					spilled = 1;
					for (i = 0; i < NPART; i++)
						part[i] = mx_spill_open();
				}
				/* --first: from here on, order is restored
				 * by merging */
				if (opt.keep == KEEP_FIRST && o == out) {
					dout.run = mx_spill_open();
					if (dup->o != NULL || dup->run != NULL)
						ddup.run = mx_spill_open();
					o = &dout;
					d = &ddup;
				}
				spill(part[r.h.lo >> (depth * PARTBITS) &
				    (NPART - 1)], &r);
				continue;
			}
			if (opt.keep == KEEP_FIRST)
				decided(&r, isnew, o, d);
			else if (isnew || opt.keep == KEEP_LAST ||
			    later(&r, w)) {
				w->ord = r.ord;
				if (opt.keep == KEEP_LATEST)
					memcpy(w->order, &r.order,
					    sizeof w->order);
			}
		}
	}
	/* the other modes decide in pass 2: by the table, or once it
	 * spilled by the bits its winners and the partitions' set */
	if (opt.keep != KEEP_FIRST) {
		if (spilled && src->top)
			wins = mx_calloc(src->ord / 64 + 1, sizeof *wins);
		if (spilled || !src->top)
			wins_mark(ks);
		else
			pass2(src, ks, o, d);
	}

	/* the table's keys, sorted, before it is freed for the partitions */
	memset(kin, 0, sizeof kin);
	if (keys_out != NULL) {
		newkeys += mx_keyset_count(ks);
		kin[0].a = mx_keyset_sorted(ks, &nk);
		kin[0].n = nk;
		if (spilled || depth > 0) {
			kin[0].fp = mx_spill_open();
			for (i = 0; (size_t)i < nk; i++)
				mx_spill_write(kin[0].fp, &kin[0].a[i],
				    sizeof kin[0].a[i]);
			kin[0].a = NULL;
		}
	}
	if (!spilled) {
		if (keys_out != NULL) {
			*keys_out = kin[0];
			if (kin[0].a != NULL) {
				/* the array lives in the table's memory */
				keys_out->owner = ks;
				return;
			}
		}
		mx_keyset_free(ks);
		return;
	}
	mx_keyset_free(ks);

	runs[0] = dout.run;
	druns[0] = ddup.run;
	for (i = 0; i < NPART; i++) {
		struct src sub = { 0 };
		struct sink so = { NULL, NULL }, sd = { NULL, NULL };

		sub.fp = part[i];
		sub.pass = 1;
		mx_spill_rewind(sub.fp);
		if (opt.keep == KEEP_FIRST) {
			so.run = mx_spill_open();
			if (ddup.run != NULL)
				sd.run = mx_spill_open();
		}
		level(&sub, depth + 1, &so, &sd, keys_out ? &kin[i + 1] : NULL);
		tmp_close(part[i]);
		mx_buf_free(&sub.b);
		runs[i + 1] = so.run;
		druns[i + 1] = sd.run;
	}
	if (opt.keep == KEEP_FIRST) {
		merge_runs(runs, NPART + 1, out);
		merge_runs(druns, NPART + 1, dup);
	} else if (src->top) {
		pass2(src, NULL, out, dup);
		free(wins);
	}
	if (keys_out != NULL) {
		memset(keys_out, 0, sizeof *keys_out);
		keys_out->fp = mx_spill_open();
		merge_keys(kin, NPART + 1, keys_out->fp, NULL);
	}
}

/* ---- main ---- */

static void
load_seen(void)
{
	char err[512];
	struct stat st;

	if (stat(opt.seen, &st) < 0 && errno == ENOENT)
		return;			/* the first run */
	if (mx_keyfile_read(opt.seen, keyspec, &seen, err, sizeof err) < 0)
		mx_errx(MX_EXIT_FAIL, "--seen %s", err);
}

static void
save_seen(struct mx_keyfile *kf, struct kstream *mine)
{
	struct kstream k[2];

	memset(k, 0, sizeof k);
	k[0].a = seen.a;
	k[0].n = seen.n;
	k[1] = *mine;
	mx_keyfile_begin(kf, keyspec, seen.n + newkeys);
	merge_keys(k, 2, NULL, kf);
	mx_keyfile_close(kf);
}

static void
report(int nfiles)
{
	char spill[64] = "", blank[64] = "";

	if (cnt.spilled > 0)
		snprintf(spill, sizeof spill, ", %ju spilled", cnt.spilled);
	if (cnt.blank > 0)
		snprintf(blank, sizeof blank, ", %ju blank", cnt.blank);
	if (!opt.verbose && cnt.nulls > 0)
		mx_warnx("%ju records without a key (missing or null) %s",
		    cnt.nulls, opt.nulls == NULL_PASS ? "passed through" :
		    "dropped");
	if (opt.verbose)
		mx_warnx("%ju in, %ju out, %ju duplicates, %ju seen, %ju null "
		    "keys, %ju rejected%s%s", cnt.in, cnt.out, cnt.dups,
		    cnt.seen, cnt.nulls, cnt.rejected, blank, spill);
	if (mx_opt_stats != NULL) {
		struct mx_out *s = mx_out_open(mx_opt_stats);

		mx_out_printf(s, "{\"tool\":\"mx-dedup\",\"files\":%d,"
		    "\"in\":%ju,\"out\":%ju,\"duplicates\":%ju,\"seen\":%ju,"
		    "\"null_keys\":%ju,\"rejected\":%ju,\"spilled\":%ju,"
		    "\"blank\":%ju}\n", nfiles, cnt.in, cnt.out, cnt.dups,
		    cnt.seen, cnt.nulls, cnt.rejected, cnt.spilled, cnt.blank);
		mx_out_close(s);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "all-fields", no_argument, NULL, 'A' },
		{ "first", no_argument, NULL, 'F' },
		{ "last", no_argument, NULL, 'L' },
		{ "latest-by", required_argument, NULL, 'B' },
		{ "earliest-by", required_argument, NULL, 'E' },
		{ "nulls", required_argument, NULL, 'N' },
		{ "seen", required_argument, NULL, 'S' },
		{ "dups", required_argument, NULL, 'D' },
		MX_REJECTS_LONGOPT,
		MX_STATS_LONGOPT,
		{ "memory", required_argument, NULL, 'm' },
		{ "tmpdir", required_argument, NULL, 'T' },
		{ "threads", required_argument, NULL, 'J' },
		{ "verbose", no_argument, NULL, 'v' },
		MX_STRICT_LONGOPT,
		MX_TRUSTED_LONGOPT,
		MX_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char *const nullmodes[] = { "pass", "drop", "key",
	    "error", NULL };
	struct mx_sel *sel = mx_sel_new();
	struct mx_out *dupo = NULL;
	struct mx_keyfile *seenkf = NULL;
	struct sink out = { NULL, NULL }, dup = { NULL, NULL };
	struct kstream mine;
	struct src top = { 0 };
	char err[256];
	int c, i;

	mx_init(argv[0]);
	while ((c = mx_getopt(argc, argv, "k:m:T:v", longopts, NULL,
	    synopsis)) != -1)
		switch (c) {
		case 'k':
			if (mx_exprs_parse(&keys, optarg, sel, err,
			    sizeof err) < 0) {
				mx_warnx("-k: %s", err);
				usage();
			}
			break;
		case 'A':
			allfields = 1;
			break;
		case 'F':
			opt.keep = KEEP_FIRST;
			opt.latest = NULL;
			opt.earliest = 0;
			break;
		case 'L':
			opt.keep = KEEP_LAST;
			opt.latest = NULL;
			opt.earliest = 0;
			break;
		case 'B':
		case 'E':
			opt.keep = KEEP_LATEST;
			opt.latest = optarg;
			opt.earliest = c == 'E';
			opt.byopt = c == 'E' ? "--earliest-by" : "--latest-by";
			break;
		case 'N':
			for (i = 0; nullmodes[i] != NULL; i++)
				if (strcmp(optarg, nullmodes[i]) == 0)
					break;
			if (nullmodes[i] == NULL) {
				mx_warnx("--nulls: pass, drop, key or error");
				usage();
			}
			opt.nulls = i;
			break;
		case 'S':
			opt.seen = optarg;
			break;
		case 'D':
			opt.dups = optarg;
			break;
		case 'm':
			if ((opt.memory = mx_size_opt("--memory", optarg)) < 0)
				usage();
			break;
		case 'T':
			mx_spill_dir(optarg);
			break;
		case 'J': {
			long long t = mx_parse_count(optarg);

			if (t < 1 || t > 64) {
				mx_warnx("--threads: 1 to 64");
				usage();
			}
			opt.threads = (int)t;
			break;
		}
		case 'v':
			opt.verbose = 1;
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;
	if (allfields && keys.n > 0) {
		mx_warnx("--all-fields: the key is the whole record, not -k");
		usage();
	}
	for (i = 0; i < (int)keys.n; i++)
		(void)mx_seen_add(&named, "-k", keys.v[i].path,
		    keys.v[i].sel);

	if (opt.latest != NULL &&
	    (latest_sel = mx_sel_add(sel, opt.latest)) < 0) {
		mx_warnx("%s: bad field path '%s'", opt.byopt, opt.latest);
		usage();
	}
	keyspec = mx_exprs_spec(&keys);
	if (opt.seen != NULL) {
		load_seen();
		seenkf = mx_keyfile_create(opt.seen);
	}
	if ((long long)mx_keys_bytes(&seen) >= opt.memory)
		mx_errx(MX_EXIT_FAIL, "--seen %s: %zu keys take %zu bytes, "
		    "more than --memory", opt.seen, seen.n,
		    mx_keys_bytes(&seen));
	tablemax = (size_t)opt.memory - mx_keys_bytes(&seen);
	{
		struct mx_keyset *probe = mx_keyset_new(vsize());
		int ok = mx_keyset_limit(probe, tablemax);

		mx_keyset_free(probe);
		if (!ok)
			mx_errx(MX_EXIT_USAGE, "-m: %lld bytes is too little "
			    "for a key table", opt.memory);
	}
	sc0 = scanner_new(sel, &named);
	/* (without -k the key is the whole record: one thread) */
	if (opt.threads > 1 && keys.n > 0)
		th_start(sel, opt.threads);

	out.o = mx_out_stdout();
	if (opt.dups != NULL)
		dup.o = dupo = mx_out_open(opt.dups);
	if (mx_opt_rejects != NULL)
		rej = mx_out_open(mx_opt_rejects);

	top.top = 1;
	top.pass = 1;
	top.nin = argc > 0 ? argc : 1;
	top.in = mx_calloc(top.nin, sizeof *top.in);
	for (i = 0; i < top.nin; i++)
		top.in[i].path = argc > 0 ? argv[i] : "-";
	memset(&mine, 0, sizeof mine);
	level(&top, 0, &out, &dup, opt.seen != NULL ? &mine : NULL);
	th_end();
	tmp_close(top.side);
	if (mx_seen_report(&named, mx_opt_strict) > 0 && mx_opt_strict) {
		/* no file published, and --seen keeps its keys */
		if (rej != NULL)
			mx_out_abort(rej);
		if (dupo != NULL)
			mx_out_abort(dupo);
		mx_out_close(out.o);
		exit(MX_EXIT_FAIL);
	}

	/* the keys become seen only once every output is safe */
	if (rej != NULL)
		mx_out_close(rej);
	if (dupo != NULL)
		mx_out_close(dupo);
	/* the counts come after the records, but before stdout closes, so
	 * that --stats /dev/stdout still works */
	mx_out_flush(out.o);
	report(top.nin);
	mx_out_close(out.o);
	if (seenkf != NULL)
		save_seen(seenkf, &mine);
	for (i = 0; i < top.nin; i++)
		free(top.in[i].spool);
	free(top.in);
	mx_keys_free(&seen);
	free(keyspec);
	scanner_free(sc0);
	mx_buf_free(&kb);
	mx_exprs_free(&keys);
	mx_sel_free(sel);
	return MX_EXIT_OK;
}
