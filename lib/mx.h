/*
 * mx.h: the one public header of libmx.
 *
 * Third-party headers (zlib, libcsv, xxHash) stay inside lib/; tools see
 * only what is declared here.  Names are mx_ / MX_, structs are plain.
 */
#ifndef MX_H
#define MX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#if defined(__GNUC__)
#define MX_NORETURN	__attribute__((noreturn))
#define MX_PRINTF(a, b)	__attribute__((format(printf, a, b)))
#define MX_LIKELY(x)	__builtin_expect(!!(x), 1)
#define MX_UNLIKELY(x)	__builtin_expect(!!(x), 0)
#else
#define MX_NORETURN
#define MX_PRINTF(a, b)
#define MX_LIKELY(x)	(x)
#define MX_UNLIKELY(x)	(x)
#endif

enum {
	MX_EXIT_OK = 0,		/* success */
	MX_EXIT_FAIL = 1,	/* data or I/O failure */
	MX_EXIT_USAGE = 2	/* bad command line */
};

/* ---- err.c: messages, exit, cleanup on exit and on signals ---- */

extern const char *mx_prog;

/* Set the program name, ignore SIGPIPE (EPIPE is handled by the writer),
 * clean registered temporary files on SIGINT, SIGTERM and SIGHUP, and
 * keep the heap on huge pages where the system allows. */
void	mx_init(const char *argv0);
/* A large input is coming: the heap's first 2 MB on a huge page too. */
void	mx_heap_big(void);
/* "prog: msg: strerror(errno)" and exit(code) */
MX_NORETURN void mx_err(int code, const char *fmt, ...) MX_PRINTF(2, 3);
/* "prog: msg" and exit(code) */
MX_NORETURN void mx_errx(int code, const char *fmt, ...) MX_PRINTF(2, 3);
void	mx_warn(const char *fmt, ...) MX_PRINTF(1, 2);
void	mx_warnx(const char *fmt, ...) MX_PRINTF(1, 2);
/* A path removed if the process exits or is killed by a catchable signal
 * before mx_tmp_forget(); at most MX_TMP_MAX at once. */
#define MX_TMP_MAX	64
void	mx_tmp_add(const char *path);
void	mx_tmp_forget(const char *path);
/* Remove every registered path now (async-signal-safe). */
void	mx_tmp_cleanup(void);
/* Spill files (spill.c): temporary files in the directory of -T, else
 * $TMPDIR, else /tmp.  Every read and write is checked: an error or a
 * file cut short ends the run with a message naming the directory. */
struct mx_buf;
void	mx_spill_dir(const char *dir);
const char *mx_spill_where(void);
/* A new file, named in path and removed if the program ends before
 * mx_tmp_forget(path); mx_spill_open's is unlinked at once. */
FILE	*mx_spill_create(struct mx_buf *path);
FILE	*mx_spill_open(void);
void	mx_spill_write(FILE *fp, const void *p, size_t n);
/* 1, or 0 at the end of the file (a part of n bytes is an error). */
int	mx_spill_read(FILE *fp, void *p, size_t n);
/* n bytes that must be there: the rest of an entry. */
void	mx_spill_need(FILE *fp, void *p, size_t n);
/* Written so far, now to be read from the start. */
void	mx_spill_rewind(FILE *fp);
MX_NORETURN void mx_spill_fail(void);
MX_NORETURN void mx_spill_short(void);
/* Called instead of exit() by mx_err and mx_errx when set: fuzzing
 * harnesses use it to turn a fatal input error into a return. */
extern void (*mx_exit_hook)(int code);
/* Called first by mx_err and mx_errx, once, when set: a tool holding
 * records read but not yet handled (mx-partition's scanned batches)
 * handles them, so that an error among them, which came first, is the
 * one told. */
extern void (*mx_fatal_hook)(void);
/* Close a stdio stream, exiting 1 with a message if anything written to it
 * was lost. */
void	mx_fshut(FILE *fp, const char *name);

/* ---- version.c ---- */

extern const char mx_version[];		/* "0.9.0", from VERSION */
extern const char mx_gitdesc[];		/* git describe, or "" */
/* "mx-agg (mx) 0.9.0 (v0.9.0-12-gabc1234)" and a newline */
void	mx_print_version(FILE *fp);

/* ---- mem.c: allocation that never returns NULL, growable buffers ---- */

void	*mx_malloc(size_t n);
void	*mx_calloc(size_t nmemb, size_t size);
void	*mx_realloc(void *p, size_t n);
void	*mx_reallocarray(void *p, size_t nmemb, size_t size);
char	*mx_strdup(const char *s);
char	*mx_strndup(const char *s, size_t n);

struct mx_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};
void	mx_buf_grow(struct mx_buf *b, size_t need);
void	mx_buf_free(struct mx_buf *b);
/* NUL-terminate without counting the NUL in len. */
const char *mx_buf_cstr(struct mx_buf *b);
void	mx_buf_printf(struct mx_buf *b, const char *fmt, ...) MX_PRINTF(2, 3);

static inline void
mx_buf_add(struct mx_buf *b, const void *p, size_t n)
{
	if (MX_UNLIKELY(b->cap - b->len < n))
		mx_buf_grow(b, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static inline void
mx_buf_addc(struct mx_buf *b, int c)
{
	if (MX_UNLIKELY(b->cap == b->len))
		mx_buf_grow(b, 1);
	b->p[b->len++] = (char)c;
}

static inline void
mx_buf_adds(struct mx_buf *b, const char *s)
{
	mx_buf_add(b, s, strlen(s));
}

/* a[0..n) == b[0..n) for the few bytes of a key or a timestamp: whole
 * words, where a call to memcmp costs more than the compare (the scanner's
 * keys, the timestamps lib/time.c remembers).  The last word first: two
 * times of a file differ in their seconds; the others overlap it. */
static inline int
mx_sameb(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	uint32_t u, v;
	size_t i;

	if (n >= 8) {
		memcpy(&x, a + n - 8, 8);
		memcpy(&y, b + n - 8, 8);
		if (x != y)
			return 0;
		for (i = 0; i + 8 < n; i += 8) {
			memcpy(&x, a + i, 8);
			memcpy(&y, b + i, 8);
			if (x != y)
				return 0;
		}
		return 1;
	}
	if (n >= 4) {
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		if (u != v)
			return 0;
		memcpy(&u, a + n - 4, 4);
		memcpy(&v, b + n - 4, 4);
		return u == v;
	}
	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* The length of the control character at p[0..n), UTF-8: 1 for C0 (but
 * the tab) and DEL, 2 for C1 (U+0080-U+009F); 0 for anything else. */
size_t	mx_ctl(const char *p, size_t n);
/* Append the UTF-8 text p[0..n) safe for a terminal: \t \n \r \\ and
 * \u00XX for the other control characters, as JSON writes them; the
 * backslash doubled so that no escape is ambiguous. */
void	mx_buf_vis(struct mx_buf *b, const char *p, size_t n);

/* Parse a size such as 400M, 2G, 512k, 1048576; -1 on error. */
long long mx_parse_size(const char *s);
/* The size of option name (--memory ...): -1, said, when arg is none. */
long long mx_size_opt(const char *name, const char *arg);

/* ---- reader.c: lines from files or stdin, gzip by magic bytes ---- */

#define MX_MAXREC_DEFAULT	((size_t)1 << 30)	/* 1 GiB */

struct mx_reader {
	const char	*name;		/* for messages: the path, or "-" */
	int		 fd;
	int		 gz;		/* input is gzip (one or more members) */
	void		*z;		/* z_stream when gz */
	int		 zend;		/* last gzip member ended cleanly */
	int		 eof;		/* no more bytes from fd */
	int		 ateof;		/* no more lines */
	unsigned char	*raw;		/* compressed bytes waiting for inflate */
	size_t		 rawcap, rawbeg, rawend;
	char		*buf;		/* decoded bytes */
	size_t		 cap, beg, end;
	size_t		 maxrec;	/* longest line accepted */
	uintmax_t	 lineno;	/* number of the line last returned */
	uintmax_t	 bytes;		/* decoded bytes consumed so far */
	int		 cr;		/* the last line ended in \r\n */
	off_t		 size;		/* of a regular file, else 0 */
	uintmax_t	 fdbytes;	/* bytes read from fd */
	int		 mapped;	/* buf is the file, mapped */
	size_t		 dropped;	/* mapped: its pages let go up to here */
	void		*d;		/* gz: libdeflate's decompressor */
	int		 nofast;	/* gz: every member through zlib */
	int		 whole;		/* a last line without newline is an
					 * error (set after open: --trusted) */
};

/* Open path ("-" or NULL: stdin).  Returns -1 with errno set on failure.
 * Zero bytes after the last gzip member are skipped with a warning. */
int	mx_reader_open(struct mx_reader *r, const char *path);
void	mx_reader_close(struct mx_reader *r);
/* Next line without its \n (or \r\n); the pointer is valid until the next
 * call.  Returns the length, or -1 at the end.  A read error, a truncated
 * gzip stream or a line longer than maxrec ends the program with a
 * message naming the file and line. */
ssize_t	mx_reader_line(struct mx_reader *r, const char **line);
/* Plain files of this size or more are mapped (1 MiB; the reader's
 * fuzzer maps every file, to compare both ways of reading). */
extern off_t	mx_reader_mapmin;
/* The file name mapped at base for len bytes: SIGBUS there (the file cut
 * short under the reader) ends the run with a message naming it; the
 * name must live until mx_bus_unwatch. */
void	mx_bus_watch(const char *name, const void *base, size_t len);
void	mx_bus_unwatch(const void *base);
/* A line that is empty or only spaces, tabs and CRs: every tool skips it
 * (it is no record) and counts it where it reports counts. */
int	mx_blank(const char *p, size_t n);
/* Up to n decoded bytes (for parsers that are not line based); 0 at end. */
size_t	mx_reader_read(struct mx_reader *r, char *dst, size_t n);
/* Peek at the first decoded bytes without consuming them; returns how many
 * are available (up to n). */
size_t	mx_reader_peek(struct mx_reader *r, const char **p, size_t n);
/* About how many lines the rest of r's file and more bytes of the same
 * kind hold (a little over), at the length of the lines read so far: for
 * a table of a key a line, sized once rather than grown.  0 when it
 * cannot be told (gzip, not a plain file, nothing read yet). */
uintmax_t mx_reader_guess(const struct mx_reader *r, uintmax_t more);
/* The size of the plain file path; 0 for anything else ("-" too). */
uintmax_t mx_plain_size(const char *path);

/* ---- progress.c: a line updated in place on a terminal ---- */

/* --progress 1, --no-progress 0, -1 (default): when stderr is a terminal */
extern int	mx_progress;
/* Called by the reader on each read from its file. */
void	mx_progress_tick(const struct mx_reader *r);
/* Called by the reader when its file is done, to keep the totals. */
void	mx_progress_done(const struct mx_reader *r);
/* Take the line off the terminal before other output to stderr. */
void	mx_progress_clear(void);
/* The input is read again (pass n): the line counts it from 0, saying
 * "pass n", rather than adding the second reading to the first. */
void	mx_progress_pass(int n);

/* ---- out.c: buffered output, checked; files published atomically ---- */

struct mx_out {
	int		 fd;
	char		*buf;
	size_t		 len, cap;
	const char	*name;		/* for messages */
	char		*path;		/* final path of an atomic file */
	char		*tmp;		/* its temporary name until committed */
	uintmax_t	 bytes;		/* total bytes written */
	int		 isstdout;
	int		 refs;		/* stdout: its holders ("-" of an
					 * option is stdout too) */
};

extern struct mx_out *mx_stdout;

/* The buffered stdout; flushed and checked by mx_out_close(mx_stdout). */
struct mx_out *mx_out_stdout(void);
/* A pipe on fd widened to 1 MiB, where Linux lets it (out.c). */
void	mx_pipesize(int fd);
/* Create path through a temporary name in the same directory; nothing
 * appears at path until mx_out_close().  "-" means stdout. */
struct mx_out *mx_out_open(const char *path);
void	mx_out_flush(struct mx_out *o);
/* Flush, fsync (files), close, publish; exits 1 on any error. */
void	mx_out_close(struct mx_out *o);
/* Drop an unfinished file (its temporary is removed). */
void	mx_out_abort(struct mx_out *o);
void	mx_out_slow(struct mx_out *o, const void *p, size_t n);

static inline void
mx_out_write(struct mx_out *o, const void *p, size_t n)
{
	if (MX_LIKELY(o->cap - o->len >= n)) {
		/* (an empty field may come as NULL, 0: no memcpy of that) */
		if (n > 0)
			memcpy(o->buf + o->len, p, n);
		o->len += n;
	} else
		mx_out_slow(o, p, n);
}

static inline void
mx_out_putc(struct mx_out *o, int c)
{
	if (MX_UNLIKELY(o->len == o->cap))
		mx_out_flush(o);
	o->buf[o->len++] = (char)c;
}

static inline void
mx_out_puts(struct mx_out *o, const char *s)
{
	mx_out_write(o, s, strlen(s));
}

void	mx_out_printf(struct mx_out *o, const char *fmt, ...) MX_PRINTF(2, 3);
void	mx_out_uint(struct mx_out *o, uintmax_t v);
/* A JSON string literal for the bytes s[0..n) (which must be UTF-8). */
void	mx_out_jstr(struct mx_out *o, const char *s, size_t n);

/* Append fields to the JSON object text rec[0..n) without re-serialising
 * it: mx_out_obj_open writes everything before the closing brace; each
 * mx_out_key writes the separator and "key":, the caller writes the value;
 * mx_out_obj_close writes the brace and a newline. */
struct mx_objw {
	struct mx_out	*o;
	int		 empty;		/* nothing written yet inside the braces */
};
void	mx_out_obj_open(struct mx_objw *w, struct mx_out *o, const char *rec,
	    size_t n);
void	mx_out_obj_new(struct mx_objw *w, struct mx_out *o);
void	mx_out_key(struct mx_objw *w, const char *key);
void	mx_out_obj_close(struct mx_objw *w);

/* ---- json.c: strict RFC 8259 scanner and field lookup ---- */

enum mx_jkind {
	MX_JNONE = 0,	/* missing */
	MX_JNULL,
	MX_JFALSE,
	MX_JTRUE,
	MX_JNUM,
	MX_JSTR,
	MX_JARR,
	MX_JOBJ
};

/* A value inside a scanned text: its exact JSON bytes (strings keep their
 * quotes and escapes). */
struct mx_span {
	const char	*p;
	uint32_t	 n;
	uint8_t		 kind;	/* enum mx_jkind */
	uint8_t		 esc;	/* a string with backslash escapes */
};

#define MX_DEPTH_DEFAULT	512
#define MX_DEPTH_MAX		10000

struct mx_sel;		/* a compiled set of dotted paths */
struct mx_json;		/* a scanner: selection, limits, scratch space */

/* Paths are dotted (payload.tracking.utm_source); a numeric component
 * also indexes arrays (items.0.sku); "\." is a literal dot in a key. */
struct mx_sel *mx_sel_new(void);
/* Index of path in the selection (adding it if new); -1 if malformed. */
int	mx_sel_add(struct mx_sel *s, const char *path);
int	mx_sel_count(const struct mx_sel *s);
/* The index of the path that is the top-level key key[0..n) alone (not
 * added when absent: -1). */
int	mx_sel_key(const struct mx_sel *s, const char *key, size_t n);
void	mx_sel_free(struct mx_sel *s);

/* The scanner owns nothing of sel, which must outlive it (NULL: only
 * validate). */
struct mx_json *mx_json_new(const struct mx_sel *sel);
void	mx_json_free(struct mx_json *j);
void	mx_json_maxdepth(struct mx_json *j, int depth);
/* Scan lines known to be valid objects without a repeated member (written
 * by another mx tool) only as far as the last selected top-level member:
 * what follows is neither read nor checked. */
void	mx_json_partial(struct mx_json *j, int on);
/* Check that p[0..n) is exactly one JSON value (an object, when objonly is
 * set) and fill out[] (one span per selected path, kind MX_JNONE when
 * absent).  Returns 0, or -1 with the reason in mx_json_error(). */
int	mx_json_scan(struct mx_json *j, const char *p, size_t n,
	    struct mx_span *out, int objonly);
/* The last error: message and 1-based byte column. */
const char *mx_json_error(const struct mx_json *j, size_t *col);
/* The last error as one phrase: "invalid JSON at column 17: expected ':'"
 * or "not a JSON object (an array)"; valid until the next scan. */
const char *mx_json_errstr(struct mx_json *j);

/* Decode the string span s (with its quotes) into b (appending). */
void	mx_json_unescape(const struct mx_span *s, struct mx_buf *b);
/* Append a JSON string literal for the UTF-8 bytes p[0..n). */
void	mx_json_quote(struct mx_buf *b, const char *p, size_t n);
/* Is p[0..n) valid UTF-8?  (overlongs, surrogates and > U+10FFFF are not) */
int	mx_utf8_valid(const char *p, size_t n);
/* Is p[0..n) exactly a JSON number literal? */
int	mx_json_isnum(const char *p, size_t n);
/* Canonical form of a value for keys: equal values give equal bytes
 * (strings unescaped, numbers by value: 1, 1.0, 1e0 are one key; the
 * string "1" is not the number 1; objects and arrays byte for byte).
 * Appends to b. */
void	mx_json_canon(const struct mx_span *s, struct mx_buf *b);
/* Minify one JSON text (drop whitespace outside strings); appends to b. */
void	mx_json_minify(const char *p, size_t n, struct mx_buf *b);
/* Convenience: a string span's content as a NUL-terminated C string in b
 * (b is reset); for numbers and literals their text. */
const char *mx_span_cstr(const struct mx_span *s, struct mx_buf *b);

/* ---- hash.c: XXH3 ---- */

struct mx_h128 {
	uint64_t	hi, lo;
};
uint64_t mx_hash64(const void *p, size_t n);
struct mx_h128 mx_hash128(const void *p, size_t n);
/* 16 lowercase hex digits, big-endian (the canonical xxhsum form) + NUL */
void	mx_hash64_hex(uint64_t h, char out[17]);
/* mx_hash64 of bytes given in pieces; mx_hash64_end frees h. */
struct mx_hash64;
struct mx_hash64 *mx_hash64_new(void);
void	mx_hash64_update(struct mx_hash64 *h, const void *p, size_t n);
uint64_t mx_hash64_end(struct mx_hash64 *h);
void	mx_hash128_hex(struct mx_h128 h, char out[33]);
/* The inverses, from the 16 (32) lowercase hex digits at p (no NUL
 * needed): 0, or -1 when one of them is not such a digit. */
int	mx_hash64_unhex(const char *p, uint64_t *h);
int	mx_hash128_unhex(const char *p, struct mx_h128 *h);

/* ---- time.c: timestamps ---- */

struct mx_time {
	int64_t	sec;	/* seconds since 1970-01-01T00:00:00Z */
	int32_t	nsec;
	int8_t	dateonly;	/* parsed from YYYY-MM-DD */
};
/* RFC 3339 / ISO 8601 with fractions and offsets ("T" or " "), a trailing
 * " UTC", YYYY-MM-DD, and epoch seconds or milliseconds (numbers with more
 * than 11 integer digits are milliseconds).  0 or -1. */
int	mx_time_parse(const char *p, size_t n, struct mx_time *t);
/* Parse a span: a string holding a timestamp, or a number (epoch). */
int	mx_time_span(const struct mx_span *s, struct mx_time *t);
/* YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]Z; returns length. */
int	mx_time_fmt(const struct mx_time *t, char out[40]);
/* YYYY-MM-DD */
int	mx_time_date(const struct mx_time *t, char out[16]);
void	mx_time_civil(int64_t sec, int *y, int *mon, int *d, int *h, int *mi,
	    int *s);
int64_t	mx_days_from_civil(int64_t y, unsigned m, unsigned d);
/* ISO week: year and week number (1..53); ISO weekday 1 (Mon) .. 7. */
void	mx_time_isoweek(int64_t sec, int *year, int *week);
int	mx_time_dow(int64_t sec);
/* The order of two instants: -1, 0 or 1 (order.c). */
int	mx_time_cmp(const struct mx_time *a, const struct mx_time *b);
/* Ingestion time: SOURCE_DATE_EPOCH when set, else now. */
struct mx_time mx_time_now(void);

/* ---- dec.c: exact decimals ---- */

/* v * 10^-scale; 38 significant digits. */
struct mx_dec {
	__int128	v;
	int		scale;	/* 0..MX_DEC_MAXSCALE */
};
#define MX_DEC_MAXSCALE	18
/* From a JSON number or a decimal string ("12.50", "-3", "1e2"); 0 or -1
 * (not a number, or out of range). */
int	mx_dec_parse(const char *p, size_t n, struct mx_dec *d);
/* a += b; -1 on overflow */
int	mx_dec_add(struct mx_dec *a, const struct mx_dec *b);
/* r = a * b; -1 on overflow (scales add, then trailing zeros are cut) */
int	mx_dec_mul(const struct mx_dec *a, const struct mx_dec *b,
	    struct mx_dec *r);
int	mx_dec_cmp(const struct mx_dec *a, const struct mx_dec *b);
/* Shortest exact text: 12.5, -0.3, 100 (no exponent); returns length. */
int	mx_dec_fmt(const struct mx_dec *d, char out[48]);
/* Rounded half away from zero to scale digits. */
int	mx_dec_fmt_scale(const struct mx_dec *d, int scale, char out[48]);
double	mx_dec_double(const struct mx_dec *d);
/* An integer as decimal text, as "%lld" writes it; returns length. */
int	mx_fmt_int(long long v, char out[24]);
int	mx_dec_iszero(const struct mx_dec *d);
/* Wide decimals: up to MX_DEC_WIDESCALE places, for sums of values with
 * more than 18.  Where 38 digits cannot hold a value or a result exactly,
 * the places that do not fit are rounded half away from zero and
 * *inexact is set; -1 only for a magnitude of 10^38 or more (or, for
 * the parse, text that is no number; *a is then unchanged).  mx_dec_fmt
 * prints them. */
#define MX_DEC_WIDESCALE	38
int	mx_dec_parse_wide(const char *p, size_t n, struct mx_dec *d,
	    int *inexact);
int	mx_dec_add_wide(struct mx_dec *a, const struct mx_dec *b,
	    int *inexact);
int	mx_dec_mul_wide(const struct mx_dec *a, const struct mx_dec *b,
	    struct mx_dec *r, int *inexact);
/* The variance of n values of the given sum and sum of squares, divided
 * by n - ddof (1: of a sample, 0: of the population), or its square root
 * when root is set: worked out exactly, then rounded half away from zero
 * to scale places (0..18).  -1 when n <= ddof or it does not fit. */
int	mx_dec_variance(uint64_t n, int ddof, const struct mx_dec *sum,
	    const struct mx_dec *sumsq, int root, int scale, struct mx_dec *r);

/* ---- stat.c: estimators shared by mx-agg and mx-stats ---- */

/* HyperLogLog with 2^14 one-byte registers: standard error 1.04/128. */
#define MX_HLL_P	14
#define MX_HLL_M	(1 << MX_HLL_P)
#define MX_HLL_Q	(64 - MX_HLL_P)
/* Count the value of 64-bit hash h in the MX_HLL_M registers reg. */
void	mx_hll_add(uint8_t *reg, uint64_t h);
/* Ertl's estimate of the distinct values counted (reg NULL: 0). */
uint64_t mx_hll_estimate(const uint8_t *reg);
/* The q-quantile (0 <= q <= 1) of the ascending v[0..n), n > 0,
 * interpolated between the two nearest ranks: rank h = q (n - 1),
 * v[floor h] + (h - floor h) (v[floor h + 1] - v[floor h]), as DuckDB's
 * quantile_cont and the default of numpy. */
void	mx_dec_quantile(const struct mx_dec *v, size_t n,
	    const struct mx_dec *q, struct mx_dec *r);
/* Approximate quantiles: each power of two cut in MX_QS_SUB buckets, whose
 * middle is within 1/(2 MX_QS_SUB) of any value in it. */
#define MX_QS_SUB	128
#define MX_QS_OFF	1100	/* past the exponent of the least double */
struct mx_qbucket {
	int64_t		 idx;
	uint64_t	 n;
};
/* Buckets by index, with their counts. */
struct mx_qsketch {
	struct mx_qbucket *b;
	size_t		 n, cap;
};
/* The bucket of x (0 for zero, negative below it), and a bucket's middle. */
int64_t	mx_qs_index(double x);
double	mx_qs_value(int64_t i);
/* Count n values into bucket idx; returns the bytes the sketch grew by. */
size_t	mx_qsketch_add(struct mx_qsketch *k, int64_t idx, uint64_t n);
/* The q-quantile of the n values counted (n > 0), interpolated as
 * mx_dec_quantile does. */
double	mx_qsketch_quantile(const struct mx_qsketch *k, uint64_t n, double q);
/* A double as plain decimal text to 6 significant digits (what a sketch
 * promises is fewer), appended. */
void	mx_buf_approx(struct mx_buf *b, double v);

/* ---- table.c: aligned text tables for people ---- */

/* Cells row by row, ncol a row; numbers to the right, the rest to the
 * left, a rule under the first row when it is a header. */
struct mx_table {
	struct mx_buf	 text;		/* the cells, shown, one after another */
	size_t		*end;		/* end of each cell in text */
	size_t		 n, cap;
	size_t		 ncol;
	size_t		*width;		/* per column */
	int		*num;		/* per column: every value a number */
	int		 header;
};
void	mx_table_init(struct mx_table *t, size_t ncol, int header);
/* The characters of the UTF-8 text p[0..n) (what a terminal shows, wide
 * characters aside). */
size_t	mx_utf8_chars(const char *p, size_t n);
/* The next cell, in column col: the bytes p[0..n) (control characters
 * escaped when shown); isnum: a number; header: a header cell (which
 * does not decide the alignment). */
void	mx_table_cell(struct mx_table *t, size_t col, const char *p, size_t n,
	    int isnum, int header);
void	mx_table_write(const struct mx_table *t, struct mx_out *o);
void	mx_table_free(struct mx_table *t);

/* ---- expr.c: field expressions for keys, group-bys, partitions ---- */

enum mx_efn {
	MX_EPATH = 0,	/* the value as it is */
	MX_EDATE,	/* "YYYY-MM-DD" */
	MX_EHOUR,	/* 0..23 */
	MX_EWEEK,	/* "YYYY-Www" (ISO week) */
	MX_EDOW,	/* 1 (Monday) .. 7 */
	MX_EMONTH,	/* "YYYY-MM" */
	MX_EYEAR,	/* 2024 */
	MX_EMINUTE,	/* 0..59 */
	/* the window a timestamp falls in, as timestamps: its start and its
	 * (exclusive) end, "2024-03-01T10:00:00Z" */
	MX_EHSTART,
	MX_EHEND,
	MX_EDSTART,
	MX_EDEND,
	MX_EMSTART,
	MX_EMEND,
	MX_EDAYS	/* days since 1970-01-01 of the date: 19787 */
};

struct mx_expr {
	char	*name;	/* output name */
	char	*path;	/* the source field */
	int	 fn;	/* enum mx_efn */
	int	 sel;	/* index in the selection */
};

struct mx_exprs {
	struct mx_expr	*v;
	size_t		 n;
};

/* Parse "a,b=c,d=date(ts)" into list, adding the paths to sel.  Returns 0,
 * or -1 with a message in err. */
int	mx_exprs_parse(struct mx_exprs *l, const char *spec, struct mx_sel *sel,
	    char *err, size_t errlen);
void	mx_exprs_free(struct mx_exprs *l);

/* The value of an expression for one record.  For a plain path it is the
 * field's span; for a time function it is JSON text written into tmp.
 * Returns the kind: MX_JNONE when the field is missing, MX_JNULL when it
 * is null or a time function cannot read it (then *bad is set). */
#define MX_EXPR_TMP	32
int	mx_expr_eval(const struct mx_expr *e, const struct mx_span *spans,
	    struct mx_span *val, char tmp[MX_EXPR_TMP], int *bad);
/* The names of the functions, for messages and man pages. */
extern const char *const mx_efn_names[];
/* The key as it is compared ("a,date(ts)": paths and functions, renames
 * left out), for files that must be read with the same key; malloc'd. */
char	*mx_exprs_spec(const struct mx_exprs *l);
/* The canonical bytes of a record's key (mx_json_canon of each part, in
 * order) into kb, which is reset; returns how many parts are missing or
 * null (a time function that cannot read its field counts as null). */
size_t	mx_exprs_canon(const struct mx_exprs *l, const struct mx_span *spans,
	    struct mx_buf *kb);

/* ---- csv.c: libcsv, strict, header row to field names ---- */

struct mx_csvrec {
	size_t		 nf;
	const char	**f;		/* field bytes (not NUL-terminated) */
	size_t		*len;
	unsigned char	*null;		/* empty and unquoted (a,,b) */
	const char	*raw;		/* the record's raw text */
	size_t		 rawlen;
	uintmax_t	 recno;		/* 1 = the header */
	uintmax_t	 lineno;	/* first physical line */
};

struct mx_csv;
/* delim ',' or another byte; '\t' means TSV: no quoting, and the escapes
 * \t \n \r \\ decoded.  The first record is the header; a UTF-8
 * byte order mark before it is dropped. */
struct mx_csv *mx_csv_new(struct mx_reader *r, int delim);
/* The header's field names (after the first mx_csv_next). */
size_t	mx_csv_header(struct mx_csv *c, const char *const **names,
	    const size_t **lens);
/* Next record into rec (valid until the next call): 1, 0 at end, or -1 on
 * a malformed record, with the reason in err (then the next call resumes
 * at the following line). */
int	mx_csv_next(struct mx_csv *c, struct mx_csvrec *rec, const char **err);
void	mx_csv_free(struct mx_csv *c);

/* ---- jq.c: libjq, compiled once, run per record ---- */

struct mx_jq;
/* Compile a jq program; on failure NULL and the compiler's messages in
 * err (a malloc'd string the caller frees). */
struct mx_jq *mx_jq_new(const char *program, char **err);
void	mx_jq_free(struct mx_jq *q);
/* Run the program on the JSON text p[0..n).  For each output, out() gets
 * its compact JSON text (valid until out returns) and its kind; out
 * returns nonzero to stop.  Returns 0, or -1 with the runtime or parse
 * error in err (valid until the next call). */
int	mx_jq_run(struct mx_jq *q, const char *p, size_t n,
	    int (*out)(void *arg, const char *json, size_t len, int kind),
	    void *arg, const char **err);

/* ---- limit.c: --max-record and --max-depth, shared by every tool ---- */

/* Every reader and scanner opened after these are set obeys them. */
extern size_t	mx_maxrec;
extern int	mx_maxdepth;

enum { MX_OPT_MAXREC = 0x1000, MX_OPT_MAXDEPTH };
#define MX_LIMIT_LONGOPTS \
	{ "max-record", required_argument, NULL, MX_OPT_MAXREC }, \
	{ "max-depth", required_argument, NULL, MX_OPT_MAXDEPTH }
/* Set the limit of a MX_OPT_ option; -1 after a warning if arg is bad. */
int	mx_limit_opt(int opt, const char *arg);

/* ---- opt.c: the options every tool shares ---- */

enum { MX_OPT_VERSION = 0x1100, MX_OPT_PROGRESS, MX_OPT_NOPROGRESS };
/* --rejects file and --stats file, for the tools that take them: set by
 * mx_getopt when longopts has these entries, NULL when not given. */
enum { MX_OPT_REJECTS = 0x1200, MX_OPT_STATS, MX_OPT_STRICT, MX_OPT_TRUSTED };
#define MX_REJECTS_LONGOPT \
	{ "rejects", required_argument, NULL, MX_OPT_REJECTS }
#define MX_STATS_LONGOPT \
	{ "stats", required_argument, NULL, MX_OPT_STATS }
extern const char *mx_opt_rejects;
extern const char *mx_opt_stats;
/* --strict, for the tools that check the fields their options name (see
 * seen.c): set by mx_getopt when longopts has MX_STRICT_LONGOPT. */
#define MX_STRICT_LONGOPT \
	{ "strict", no_argument, NULL, MX_OPT_STRICT }
extern int mx_opt_strict;
/* --trusted, for the tools that pass on records another mx tool wrote:
 * their record scanners are partial (mx_json_partial), their readers
 * refuse a last line cut short (mx_reader.whole). */
#define MX_TRUSTED_LONGOPT \
	{ "trusted", no_argument, NULL, MX_OPT_TRUSTED }
extern int mx_opt_trusted;
struct option;
/*
 * getopt_long(3) with the options every tool takes besides those of
 * opts and longopts: -h and --help (synopsis on standard output, exit 0),
 * --version (exit 0), --progress and --no-progress (mx_progress), and,
 * when longopts has MX_LIMIT_LONGOPTS,
 * --max-record and --max-depth, set here and never returned; so are
 * --rejects, --stats, --strict and --trusted (mx_opt_rejects,
 * mx_opt_stats, mx_opt_strict, mx_opt_trusted) when it has
 * MX_REJECTS_LONGOPT, MX_STATS_LONGOPT, MX_STRICT_LONGOPT and
 * MX_TRUSTED_LONGOPT.  A bad
 * option prints synopsis (the tool's usage text) and exits 2.
 */
int	mx_getopt(int argc, char *const argv[], const char *opts,
	    const struct option *longopts, int *li, const char *synopsis);
/* The synopsis on standard error; exit 2. */
MX_NORETURN void mx_usage(const char *synopsis);

/* ---- seen.c: fields named in options that no record had ---- */

struct mx_seen_field {
	char		*opt;		/* the option that named it: "-k" */
	char		*path;
	int		 sel;		/* its selection index, or -1 */
	int		 seen;
};
/* Zeroed, it is empty; whose, when set, names the input the fields are
 * of in the messages ("no record of right.ndjson had ..."). */
struct mx_seen {
	struct mx_seen_field *v;
	size_t		 n;
	size_t		 left;		/* fields no record had so far */
	uintmax_t	 nrec;		/* records counted */
	const char	*whose;
};
/* Option opt named the field path, at selection index sel (-1 when the
 * tool finds it otherwise and calls mx_seen_mark); returns its index, an
 * earlier one when the field was named before (same sel, or same path
 * when sel is -1). */
size_t	mx_seen_add(struct mx_seen *s, const char *opt, const char *path,
	    int sel);
void	mx_seen_mark(struct mx_seen *s, size_t i);
/* A record scanned into sp: counted, and its fields marked seen (sp
 * NULL: only counted, the tool marks with mx_seen_mark). */
void	mx_seen_spans(struct mx_seen *s, const struct mx_span *sp);
/* "opt: no record had the field 'path' (a typo?)" on stderr for each
 * field never seen (without "(a typo?)" when strict: the caller makes it
 * an error); nothing when no record was counted.  Returns how many. */
size_t	mx_seen_report(const struct mx_seen *s, int strict);
void	mx_seen_free(struct mx_seen *s);

/* ---- util ---- */

/* "-" prints as "<stdin>" in messages. */
const char *mx_name(const char *path);
/* Parse a non-negative integer option; -1 on error. */
long long mx_parse_count(const char *s);

/* ---- keyset.c: sets of 128-bit key hashes; key files ---- */

/* Open addressing over slots of 16 bytes plus vsize bytes of value (for
 * exact count-distinct, dedup winners, group indexes).  No allocation per
 * key; the table grows up to its limit. */
struct mx_keyset;
struct mx_keyset *mx_keyset_new(size_t vsize);
void	mx_keyset_free(struct mx_keyset *ks);
/* The most bytes the table may take (default: no limit); 0 if that is
 * too small for any table. */
int	mx_keyset_limit(struct mx_keyset *ks, size_t bytes);
/* Make room for n keys in all, at once, within the limit (as much as it
 * allows): for a caller that knows about how many keys will come, which
 * spares the rehashes of a growing table. */
void	mx_keyset_reserve(struct mx_keyset *ks, size_t n);
/* Room for the keys of more lines still to come, when keys of the last
 * lines read were new keys: as many new keys a line (nothing when fewer
 * than half of those lines were). */
void	mx_keyset_reserve_rate(struct mx_keyset *ks, uintmax_t keys,
	    uintmax_t lines, uintmax_t more);
/* The value of h (vsize bytes, zeroed when new, 8-byte aligned, valid
 * until the next insertion), inserting h when absent (*isnew says so).
 * NULL when h is absent and the table is full at its limit. */
void	*mx_keyset_put(struct mx_keyset *ks, struct mx_h128 h, int *isnew);
/* The value of h, or NULL when absent. */
void	*mx_keyset_get(const struct mx_keyset *ks, struct mx_h128 h);
/* A hint that h is looked up soon: its slot is loaded into the cache. */
void	mx_keyset_prefetch(const struct mx_keyset *ks, struct mx_h128 h);
/* Every key and its value, in no particular order: *pos starts at 0; the
 * value of the next key (its hash in *h), or NULL at the end.  The table
 * must not change during the walk. */
void	*mx_keyset_next(const struct mx_keyset *ks, size_t *pos,
	    struct mx_h128 *h);
size_t	mx_keyset_count(const struct mx_keyset *ks);
size_t	mx_keyset_bytes(const struct mx_keyset *ks);
/* How many more keys surely fit within the limit. */
size_t	mx_keyset_room(const struct mx_keyset *ks);
/* The keys in ascending order, in the table's own memory (valid until
 * mx_keyset_free); the set is empty afterwards. */
struct mx_h128 *mx_keyset_sorted(struct mx_keyset *ks, size_t *n);
/* Order of hashes: hi, then lo, unsigned.  (Inline: merges and sorts
 * compare hashes more than they do anything else.) */
static inline int
mx_h128_cmp(struct mx_h128 a, struct mx_h128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

/* A sorted set of hashes, searched through a directory on their top bits
 * (at most 1 byte a key on top of the 16 of the key). */
struct mx_keys {
	struct mx_h128	*a;	/* ascending, malloc'd */
	size_t		 n;
	size_t		*dir;	/* dir[b]: the first key whose top bits >= b */
	int		 bits;
};
/* (Re)build the directory after a or n changed. */
void	mx_keys_index(struct mx_keys *k);
int	mx_keys_find(const struct mx_keys *k, struct mx_h128 h);
size_t	mx_keys_bytes(const struct mx_keys *k);
void	mx_keys_free(struct mx_keys *k);

/* A key file persists a sorted set: magic, version, the key specification
 * it was made for, the keys, and a checksum.  mx_keyfile_read checks all
 * of them and returns 0 with the set indexed in keys, or -1 with a message
 * naming the file in err. */
int	mx_keyfile_read(const char *path, const char *spec,
	    struct mx_keys *keys, char *err, size_t errlen);
/* Written through mx_out_open (create early, to fail early): nothing
 * appears at path until mx_keyfile_close, which checks that the count
 * given to mx_keyfile_begin of ascending keys were added. */
struct mx_keyfile;
struct mx_keyfile *mx_keyfile_create(const char *path);
void	mx_keyfile_begin(struct mx_keyfile *w, const char *spec,
	    uint64_t count);
void	mx_keyfile_add(struct mx_keyfile *w, struct mx_h128 h);
void	mx_keyfile_close(struct mx_keyfile *w);

/* ---- hmap.c: byte strings to fixed-size values ---- */

/* Keys are copied in; each entry has an id, 0, 1, ... in the order of
 * insertion, and vsize bytes of value (zeroed when new, 8-byte aligned).
 * h is the key's mx_hash64: callers that route keys by hash compute it
 * once. */
struct mx_hmap;
#define MX_HMAP_NONE	((size_t)-1)
struct mx_hmap *mx_hmap_new(size_t vsize);
void	mx_hmap_free(struct mx_hmap *m);
/* Empty the map, keeping its memory for the next keys. */
void	mx_hmap_clear(struct mx_hmap *m);
/* The id of k[0..n), or MX_HMAP_NONE. */
size_t	mx_hmap_find(const struct mx_hmap *m, const void *k, size_t n,
	    uint64_t h);
/* The id of k[0..n), added when absent (*isnew says so, if not NULL). */
size_t	mx_hmap_add(struct mx_hmap *m, const void *k, size_t n, uint64_t h,
	    int *isnew);
/* An entry's value and key: valid until the next mx_hmap_add. */
void	*mx_hmap_val(const struct mx_hmap *m, size_t id);
const char *mx_hmap_key(const struct mx_hmap *m, size_t id, size_t *n);
size_t	mx_hmap_count(const struct mx_hmap *m);
/* The memory the map holds. */
size_t	mx_hmap_bytes(const struct mx_hmap *m);
/* A hint that h is looked up soon. */
void	mx_hmap_prefetch(const struct mx_hmap *m, uint64_t h);

/* ---- join.c: keys and rejects of the join tools ---- */

/* Parse the keys of a join, "left=right,...": each side one field
 * expression (a path, or fn(path)), an item without '=' the same on both
 * sides.  The right expressions take the left ones' names.  With
 * leftpaths, the left side must be a field path, and an item without '='
 * names the left field as mx.7 names the expression ("date(ts)": the
 * field date).  Returns 0, or -1 with a message in err. */
int	mx_joinkeys_parse(const char *spec, int leftpaths, struct mx_exprs *left,
	    struct mx_sel *lsel, struct mx_exprs *right, struct mx_sel *rsel,
	    char *err, size_t errlen);
/* The key of a record: each part's canonical bytes (mx_json_canon)
 * appended to canon and, when text is not NULL, its JSON text (a 4-byte
 * length, then the bytes) to text.  Returns -1, or the index of the first
 * part that is missing or null, its kind in *kind (*bad set when a time
 * function could not read its field); the parts before it are appended. */
int	mx_jkey(const struct mx_exprs *x, const struct mx_span *sp,
	    struct mx_buf *canon, struct mx_buf *text, int *kind, int *bad);
/* Write the key texts of mx_jkey as fields named after names. */
void	mx_jkey_put(struct mx_objw *w, const struct mx_exprs *names,
	    const char *text);
/* The natural order of two keys of nk parts (canonical bytes c, texts t):
 * part by part, null before false, true, numbers by value, strings by
 * their bytes (ISO dates in time order), arrays and objects by text. */
int	mx_jkey_cmp(const char *ca, const char *ta, const char *cb,
	    const char *tb, size_t nk);

/* A line of input as a tool read it. */
struct mx_rec {
	const char	*file;
	uintmax_t	 line;
	const char	*p;
	size_t		 n;
	int		 whole;		/* an object without a _reject field */
};
/* A rejected record: whole with _reject {tool, file, line, rule, field
 * (unless NULL), reason} appended, or, when it is not whole, the _reject
 * object and the line as _raw (_raw_base64). */
void	mx_reject_rec(struct mx_out *o, const char *tool,
	    const struct mx_rec *r, const char *rule, const char *field,
	    const char *why);
/* The same line, newline included, appended to b. */
void	mx_reject_fmt(struct mx_buf *b, const char *tool,
	    const struct mx_rec *r, const char *rule, const char *field,
	    const char *why);
/* Append the object rec[0..n), which a scan accepted, less its closing
 * brace (and the spaces before it are kept); returns 1 when it has no
 * members, so that what is appended next needs no comma. */
int	mx_buf_obj_open(struct mx_buf *b, const char *rec, size_t n);
/* The length of the object rec[0..n) before its closing brace; *empty
 * is set when it has no members. */
size_t	mx_obj_end(const char *rec, size_t n, int *empty);

/* ---- name.c: bytes that need not be UTF-8, in JSON ---- */

/* Append the base64 of p[0..n) (RFC 4648, padded). */
void	mx_b64(struct mx_buf *b, const char *p, size_t n);
/* Append the bytes of the base64 text p[0..n); -1 if it is not base64. */
int	mx_unb64(struct mx_buf *b, const char *p, size_t n);
/* Append p[0..n) as a JSON string: exact when it is UTF-8 (0 returned),
 * else with each byte that breaks UTF-8 as U+FFFD (1 returned: the caller
 * adds the exact bytes, in base64, beside it). */
int	mx_json_name(struct mx_buf *b, const char *p, size_t n);
/* The file of NUL-separated names at path ("-": stdin), as find -print0
 * writes them, whole and NUL-terminated, its length in *len; exits 1 when
 * it cannot be read, or holds an empty name. */
char	*mx_files0(const char *path, size_t *len);

/* ---- reject.c: the rejected-record format ---- */

/* One line {"_reject":{"tool","file","line","rule","reason"},"_raw":...}
 * (_raw_base64 when raw[0..n) is not UTF-8); file as mx_name() gives it. */
void	mx_reject_write(struct mx_out *o, const char *tool, const char *file,
	    uintmax_t line, const char *rule, const char *reason,
	    const char *raw, size_t n);
/* Append _raw (or _raw_base64) for raw[0..n) to the object being written
 * through w, for tools that write rejects of their own shape. */
void	mx_reject_raw(struct mx_objw *w, const char *raw, size_t n);

/* ---- ratio.c: exact quotients of decimals ---- */

/* r = a / b rounded half away from zero to scale places (0..18), exactly;
 * -1 when b is zero or the quotient does not fit 38 digits. */
int	mx_dec_div(const struct mx_dec *a, const struct mx_dec *b, int scale,
	    struct mx_dec *r);

/* ---- order.c: the one ordering of JSON values (mx(7), Order) ---- */

/* The classes, lowest first. */
enum mx_oclass {
	MX_OC_NULL = 0,	/* null, and a missing value */
	MX_OC_BOOL,	/* false, then true */
	MX_OC_NUM,	/* numbers and strings holding a JSON number: by value */
	MX_OC_TIME,	/* strings in a date form (YYYY-MM-DD...): by instant */
	MX_OC_STR,	/* other strings: by their (unescaped) bytes */
	MX_OC_ARR,	/* arrays, by their JSON text */
	MX_OC_OBJ	/* objects, by their JSON text */
};

/* A value read for comparison.  p points into the span it was set from,
 * or into buf for a string with escapes: the span's text must outlive it. */
struct mx_oval {
	int		 cls;		/* enum mx_oclass */
	int		 b;		/* MX_OC_BOOL: true */
	int		 exact;		/* MX_OC_NUM: d holds the value */
	struct mx_dec	 d;
	struct mx_time	 t;		/* MX_OC_TIME */
	const char	*p;		/* number text, string bytes, JSON text */
	size_t		 n;
	struct mx_buf	 buf;
};

/* mx_oval_cmp flags: compared as time, a number (or a number in a string)
 * against a timestamp is epoch seconds, or milliseconds past 11 integer
 * digits. */
#define MX_ORD_TIME	0x1
/* What mx_oval_cmp returns for a number that is no instant under
 * MX_ORD_TIME: the two are not comparable. */
#define MX_ORD_NONE	2

void	mx_oval_set(struct mx_oval *o, const struct mx_span *v);
void	mx_oval_free(struct mx_oval *o);
/* -1, 0 or 1 (or MX_ORD_NONE, with MX_ORD_TIME). */
int	mx_oval_cmp(const struct mx_oval *a, const struct mx_oval *b,
	    int flags);
/* The order of two spans (equal values written differently are 0). */
int	mx_order_cmp(const struct mx_span *a, const struct mx_span *b);
/* A total order: mx_order_cmp, then a number before a string, then the
 * bytes; 0 only for the same text. */
int	mx_order_total(const struct mx_span *a, const struct mx_span *b);
/* The exact order of two JSON number texts, whatever their size. */
int	mx_num_cmp(const char *a, size_t an, const char *b, size_t bn);
/* The span of the valid JSON text p[0..n). */
void	mx_span_of(const char *p, size_t n, struct mx_span *v);

/* ---- where.c: conditions (-w) and the literals they compare with ---- */

/* A value from the command line: null, true, false, a JSON number or a
 * JSON string as written; any other text is the string it spells. */
struct mx_lit {
	struct mx_buf	text;	/* its JSON text */
	struct mx_span	span;
	struct mx_oval	v;
};
void	mx_lit_parse(struct mx_lit *l, const char *s, size_t n);
void	mx_lit_free(struct mx_lit *l);
/* Is v equal to l in the ordering (a number against a timestamp as time;
 * null equals null and a missing value)? */
int	mx_lit_eq(const struct mx_lit *l, const struct mx_span *v);

/* Conditions, each "term or term ...", where a term is field=value,
 * field!=value, <, <=, >, >=, "field in a,b" or "field not in a,b"
 * (mx(7), Conditions); all of them must hold. */
struct mx_where;
struct mx_where *mx_where_new(void);
/* Add the condition text, its fields to sel; 0, or -1 with a message in
 * err when it is malformed or ambiguous. */
int	mx_where_add(struct mx_where *w, const char *text, struct mx_sel *sel,
	    char *err, size_t errlen);
/* Does the record scanned into spans (through sel) meet them all? */
int	mx_where_match(const struct mx_where *w, const struct mx_span *spans);
/* The selection indexes and paths of the fields named, in arrays the
 * caller frees; how many.  The paths live as long as w. */
size_t	mx_where_fields(const struct mx_where *w, int **f,
	    const char ***paths);
void	mx_where_free(struct mx_where *w);

/* ---- gzout.c: gzip output, deterministic (no name, mtime 0) ---- */

struct mx_gzw;
/* Compress into o at zlib level 0..9 (-1: zlib's default); o stays the
 * caller's to close, after mx_gzw_finish. */
struct mx_gzw *mx_gzw_new(struct mx_out *o, int level);
void	mx_gzw_write(struct mx_gzw *g, const void *p, size_t n);
/* End the gzip stream (its last bytes go to o) and free g. */
void	mx_gzw_finish(struct mx_gzw *g);

/* ---- contract.c: data contracts (mx-validate) ---- */

/* The rules a value can fail, in the order a field checks them. */
enum mx_crule {
	MX_CR_TYPE = 0,	/* the value casts to the field's type */
	MX_CR_REQUIRED,	/* present and not null */
	MX_CR_MIN,
	MX_CR_MAX,
	MX_CR_IN,	/* one of the accepted values */
	MX_CR_MINLEN,
	MX_CR_MAXLEN,
	MX_CR_RE,	/* matches a POSIX extended regular expression */
	MX_CR_SCALE,	/* at most so many decimal places */
	MX_CR_NRULES
};
extern const char *const mx_crule_names[];

struct mx_contract;

/* A field's value as cast: the JSON text p[0..n), to be written between
 * quotes when quote is set. */
struct mx_cval {
	const char	*p;
	uint32_t	 n;
	uint8_t		 quote;
};

/* One failed rule of a record. */
struct mx_cfail {
	uint32_t	field;		/* index in the contract */
	uint32_t	rule;		/* enum mx_crule */
	struct mx_span	value;		/* the input value (MX_JNONE: missing) */
	char		msg[192];	/* "less than the minimum 0" */
};

/* Compile the contract text[0..n), adding every path it reads to sel;
 * dir is the contract file's directory, where relative map= files are
 * (NULL: map= is refused).  Returns NULL with a message in err and its
 * line in *line (0: the contract as a whole). */
struct mx_contract *mx_contract_parse(const char *text, size_t n,
	    const char *dir, struct mx_sel *sel, char *err, size_t errlen,
	    size_t *line);
/* The values a map= field met that its map neither maps nor holds as
 * canonical, in the order first met, at most MX_CUNMAPPED_MAX (the
 * records of others are counted in *other). */
#define MX_CUNMAPPED_MAX	100
struct mx_cunmapped {
	char		*value;		/* decoded */
	size_t		 len;
	uintmax_t	 records;
};
const struct mx_cunmapped *mx_contract_unmapped(const struct mx_contract *c,
	    size_t i, size_t *n, uintmax_t *other);
void	mx_contract_free(struct mx_contract *c);
size_t	mx_contract_nfields(const struct mx_contract *c);
const char *mx_contract_name(const struct mx_contract *c, size_t i);
/* The rules field i has, as bits 1 << MX_CR_*. */
unsigned mx_contract_rules(const struct mx_contract *c, size_t i);
/* The path field i reads (from=, else its name), its index in the
 * selection and its line in the contract. */
const char *mx_contract_path(const struct mx_contract *c, size_t i,
	    int *sel, size_t *line);
/* Is the top-level key key[0..n) a field's name or a field's whole
 * source? */
int	mx_contract_names(const struct mx_contract *c, const char *key,
	    size_t n);
/* Check one record, given the spans of a scan with the selection the
 * contract was compiled into.  *vals gets one value per field (null for a
 * value that is missing, null or does not cast, unless a default
 * applies), *fails every failed rule; both live in c until the next call.
 * Returns the number of failures. */
size_t	mx_contract_check(struct mx_contract *c, const struct mx_span *spans,
	    const struct mx_cval **vals, const struct mx_cfail **fails);

/* ---- hive.c: Hive-style partition directory names ---- */

#define MX_HIVE_NULL	"__HIVE_DEFAULT_PARTITION__"
#define MX_HIVE_NAMEMAX	255	/* NAME_MAX of Linux and of S3 mounts */

/* Append s[0..n) escaped as Hive's FileUtils.escapePathName does: control
 * characters, DEL and " # % ' * / : = ? \ { [ ] ^ become %XX (upper-case
 * hex); a value made only of dots becomes %2E...; other bytes, UTF-8
 * included, are kept. */
void	mx_hive_escape(struct mx_buf *b, const char *s, size_t n);
/* Append s[0..n) with every %XX decoded; a '%' not followed by two hex
 * digits is kept, as Hive does. */
void	mx_hive_unescape(struct mx_buf *b, const char *s, size_t n);
/* Append the directory name "name=value" for the value bytes val[0..n)
 * (NULL or empty: the null partition, MX_HIVE_NULL), never longer than
 * MX_HIVE_NAMEMAX: a longer one keeps what fits of the escaped value (cut
 * at a character) followed by "~" and the XXH3 of the whole value in 16
 * hex digits.  Returns 0, or -1 (nothing appended) when the escaped name
 * leaves no room for a value. */
int	mx_hive_dirname(struct mx_buf *b, const char *name, const char *val,
	    size_t n);
/* Append the partition path of a record, "k1=v1/k2=v2", as mx-partition
 * names its directories, from the spans of a scan with the keys'
 * selection; tmp is scratch.  -1 when a key is an object or an array, a
 * time function cannot read its field, or a name leaves no room. */
int	mx_hive_path(struct mx_buf *b, const struct mx_exprs *keys,
	    const struct mx_span *spans, struct mx_buf *tmp);
/* The same path from the keys' values already evaluated by mx_expr_eval,
 * vals[i] for keys->v[i] (mx-partition has them for its own checks and
 * messages).  -1 when a value is an object or an array, or a name leaves
 * no room. */
int	mx_hive_path_vals(struct mx_buf *b, const struct mx_exprs *keys,
	    const struct mx_span *vals, struct mx_buf *tmp);

/* ---- seqfile.c: files written once, front to back, with a checksum ---- */

struct mx_seqfile {
	int		 fd;
	char		*name;		/* for messages */
	void		*z;		/* the gzip chunks, when gzip */
	void		*h;		/* XXH3 state of the bytes written */
	uintmax_t	 bytes;		/* bytes written to the file */
	uintmax_t	 raw;		/* bytes given, before compression */
	uintmax_t	 flushed;	/* bytes handed to writeback */
	uintmax_t	 reserved;	/* bytes with blocks (fallocate) */
	uintmax_t	 held;		/* reserved ahead of bytes at the last
					 * reservation (seqfile.c's total) */
	int		 queued;	/* buffers given to the writer, not
					 * yet written */
	int		 werr;		/* the writer's errno, 0: none */
};

/* Open file in dirfd for writing, never through a symbolic link, with
 * the extra open flags given (O_CREAT | O_EXCL, O_TRUNC, ...), gzip-
 * compressed at level 1..9 or plain when level is 0; name is for
 * messages.  Returns 0, or -1 with errno set. */
int	mx_seqfile_open(struct mx_seqfile *f, int dirfd, const char *file,
	    const char *name, int flags, int level);
/* Compress the chunks of gzip files on n threads (none below 2: the
 * writer compresses), called before the first file is opened; the bytes
 * do not depend on n. */
void	mx_seqfile_threads(int n);
/* Start the disk writes of every file's bytes as they are written, a few
 * MiB at a time, without waiting for them (sync_file_range), their blocks
 * allocated ahead of them (fallocate, given back at close): for files
 * that are fsynced (or syncfs'd) once whole, on a local file system. */
void	mx_seqfile_writeback(void);
/* Write plain files' bytes given by mx_seqfile_give on a thread of its
 * own, in the order given, while the caller goes on (a process that
 * writes no gzip file; called before the first file is opened). */
void	mx_seqfile_writer(void);
/* Write (and compress); exits 1 with a message on any error. */
void	mx_seqfile_write(struct mx_seqfile *f, const void *p, size_t n);
/* Write b's bytes, as mx_seqfile_write, and empty b: with the writer on
 * and a plain file, b's memory goes to the writer and b gets a buffer it
 * is done with.  An error of the writer is said here or at the close. */
void	mx_seqfile_give(struct mx_seqfile *f, struct mx_buf *b);
/* End the last gzip member, fsync when sync is set, close (each
 * checked; exits 1 on failure) and return the XXH3-64 of the bytes in
 * the file. */
uint64_t mx_seqfile_close(struct mx_seqfile *f, int sync);

/* ---- members.c: the members and elements of scanned values ---- */

struct mx_member {
	struct mx_span	key;	/* the key as a string span (quotes kept) */
	struct mx_span	val;
};
/* Split rec[0..n), an object mx_json_scan accepted, into its members, in
 * order, into *m (grown as needed, *cap its size); returns how many. */
size_t	mx_json_members(const char *rec, size_t n, struct mx_member **m,
	    size_t *cap);
/* Split arr[0..n), a valid JSON array, into its elements, in order, into
 * *e (grown as needed, *cap its size); returns how many. */
size_t	mx_json_elements(const char *arr, size_t n, struct mx_span **e,
	    size_t *cap);
/* The kind (enum mx_jkind) of the valid JSON value that starts at p. */
int	mx_json_kind(const char *p);
/* Have j keep the top-level members of each object it scans: after a scan
 * that accepted an object, mx_json_last_members gives what mx_json_members
 * would, without a second walk (valid until the next scan; *n set). */
void	mx_json_keep_members(struct mx_json *j);
const struct mx_member *mx_json_last_members(const struct mx_json *j,
	    size_t *n);

#endif /* MX_H */
