/*
 * mx-gen: seeded, deterministic raw data for every mx domain.
 *
 * Each output file is a sequence of lines drawn from six kinds: regular
 * records, late ones, byte-identical re-sends, same-key re-sends, records
 * that parse but break the domain's rules, and malformed lines.  The
 * number of lines of each kind is fixed from the rates before the first
 * line is written, and their positions are drawn without replacement, so
 * the counts are exact and the stats are an oracle for the tools that read
 * the data.  All randomness comes from xoshiro256** seeded through
 * splitmix64; time comes only from --from and --to.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mx.h"

#define US		1000000LL	/* microseconds in a second */
#define DAY_US		(86400 * US)
#define RING		1024		/* recent records a re-send copies */
#define RECMAX		128		/* the largest record struct */

enum kind { K_NORMAL, K_LATE, K_DUP, K_KEYDUP, K_INVALID, K_BAD, NKIND };

static const char *const kind_name[NKIND] = { "records", "late",
    "exact_dups", "key_dups", "invalid", "malformed" };

struct gen;

/* One kind of output file. */
struct domain {
	const char	*name;
	const char	*file;		/* its name under -d */
	const char	*header;	/* CSV: the header line */
	size_t		 recsz;
	int		 ranged;	/* records a day; volume from the range */
	void		(*init)(struct gen *);
	/* A new record of kind K_NORMAL, K_LATE, K_INVALID or K_BAD into
	 * rec; returns the kind to count (spend defers some records and
	 * reports them as late). */
	int		(*make)(struct gen *, void *rec, int kind);
	/* Turn a copy of an earlier record into a same-key re-send. */
	void		(*resend)(struct gen *, void *rec);
	void		(*render)(struct gen *, const void *rec);
	/* Account a record (regular or late) in the stats. */
	void		(*tally)(struct gen *, const void *rec);
	void		(*stats)(struct gen *, struct mx_buf *);
	/* kinds (1 << K_...) whose rates do not apply: a file without
	 * times has no late records, a reference table no rates at all */
	unsigned	 skip;
};

struct rng {
	uint64_t	s[4];
};

struct gen {
	const struct domain	*d;
	struct rng	 r;
	uint64_t	 seed;		/* the domain's own seed */
	struct mx_out	*o;
	struct mx_gzw	*z;
	const char	*path;
	struct mx_buf	 line;
	uint64_t	 n, i;		/* lines to write, lines written */
	uint64_t	 left[NKIND];	/* lines of each kind still to come */
	uint64_t	 done[NKIND];
	int64_t		 t0, span;	/* the range, in microseconds */
	uint64_t	 seq;		/* originals made so far: the next id */
	unsigned char	*ring;
	size_t		 nring, ringpos;
	unsigned char	 rec[RECMAX];
	void		*st;		/* the domain's state */
	/* stats that domains keep */
	uint64_t	 cnt[8];
	struct mx_dec	 sum;
	int64_t		 timesum;	/* seconds: a checksum of the records */
	uint64_t	 raw;		/* bytes before compression */
};

static struct {
	uint64_t	 n;
	int		 nset;
	uint64_t	 seed;
	int64_t		 from, to;	/* days since the epoch */
	double		 rate[NKIND];
	int		 gzip;
	int		 verbose;
	const char	*out;
	const char	*dir;
} opt = { 1000, 0, 1, 0, 0, { 0 }, 0, 0, NULL, NULL };

static const char synopsis[] =
	    "usage: mx-gen [-vz] [-n count] [-s seed] [--from date] [--to date]\n"
	    "              [--dup-rate r] [--key-dup-rate r] [--late-rate r]\n"
	    "              [--invalid-rate r] [--malformed-rate r]\n"
	    "              [-o file | -d dir] [--stats file] domain\n"
	    "domains: ecommerce spend adclicks calendly crm retail growth all\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

/* ---- randomness ---- */

static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A stateless hash, for the attributes of an entity (a product's price, an
 * invitee's name) that must be the same wherever the entity appears. */
static uint64_t
mix(uint64_t a, uint64_t b)
{
	uint64_t x = a ^ (b * 0xd1342543de82ef95ULL);

	return splitmix(&x);
}

static void
rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return x << k | x >> (64 - k);
}

static inline uint64_t
rnd(struct rng *r)
{
	uint64_t *s = r->s, v = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return v;
}

/* 0 .. n-1 (n > 0) */
static inline uint64_t
below(struct rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rnd(r) * n) >> 64);
}

static inline uint64_t
hbelow(uint64_t h, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)h * n) >> 64);
}

static inline int
pct(struct rng *r, unsigned p)
{
	return below(r, 100) < p;
}

/* ---- text ---- */

static inline char *
put(char *w, const char *s, size_t n)
{
	memcpy(w, s, n);
	return w + n;
}

#define PUT(w, lit)	((w) = put((w), (lit), sizeof(lit) - 1))

static inline char *
puts0(char *w, const char *s)
{
	return put(w, s, strlen(s));
}

/* s as the inside of a JSON string (the tables hold no control
 * characters) */
static char *
jesc(char *w, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			*w++ = '\\';
		*w++ = *s;
	}
	return w;
}

/* s as a CSV field, quoted when it holds a comma or a quote */
static char *
cesc(char *w, const char *s)
{
	const char *p;

	if (strpbrk(s, ",\"\n") == NULL)
		return puts0(w, s);
	*w++ = '"';
	for (p = s; *p; p++) {
		if (*p == '"')
			*w++ = '"';
		*w++ = *p;
	}
	*w++ = '"';
	return w;
}

/* v in decimal, zero-padded to at least width digits */
static inline char *
num(char *w, uint64_t v, int width)
{
	char t[24];
	int i = sizeof t;

	do
		t[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while ((int)sizeof t - i < width)
		t[--i] = '0';
	return put(w, t + i, sizeof t - i);
}

/* v / 10^scale with exactly scale decimals */
static char *
fixed(char *w, int64_t v, int scale)
{
	static const int64_t p10[] = { 1, 10, 100, 1000, 10000 };

	if (v < 0) {
		*w++ = '-';
		v = -v;
	}
	w = num(w, (uint64_t)(v / p10[scale]), 1);
	if (scale > 0) {
		*w++ = '.';
		w = num(w, (uint64_t)(v % p10[scale]), scale);
	}
	return w;
}

static inline int64_t
floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* YYYY-MM-DD of a day number; the last one is kept, since consecutive
 * records mostly fall on the same day. */
static char *
date10(char *w, int64_t day)
{
	static int64_t cday = INT64_MIN;
	static char cs[10];
	int y, m, d, h, mi, s;

	if (day != cday) {
		mx_time_civil(day * 86400, &y, &m, &d, &h, &mi, &s);
		num(cs, (uint64_t)(y < 0 ? 0 : y), 4);
		cs[4] = '-';
		num(cs + 5, (uint64_t)m, 2);
		cs[7] = '-';
		num(cs + 8, (uint64_t)d, 2);
		cday = day;
	}
	return put(w, cs, 10);
}

/* RFC 3339 UTC with 0, 3 or 6 decimals */
static char *
stamp(char *w, int64_t us, int prec)
{
	int64_t sec = floordiv(us, US), frac = us - sec * US;
	int64_t day = floordiv(sec, 86400), rem = sec - day * 86400;

	w = date10(w, day);
	*w++ = 'T';
	w = num(w, (uint64_t)(rem / 3600), 2);
	*w++ = ':';
	w = num(w, (uint64_t)(rem / 60 % 60), 2);
	*w++ = ':';
	w = num(w, (uint64_t)(rem % 60), 2);
	if (prec == 3) {
		*w++ = '.';
		w = num(w, (uint64_t)(frac / 1000), 3);
	} else if (prec == 6) {
		*w++ = '.';
		w = num(w, (uint64_t)frac, 6);
	}
	*w++ = 'Z';
	return w;
}

/* A time as US exports write it, which no RFC 3339 reader accepts:
 * 03/01/2024 10:00:00 */
static char *
usdate(char *w, int64_t us)
{
	char t[32];

	stamp(t, us, 0);
	w = put(w, t + 5, 2);
	*w++ = '/';
	w = put(w, t + 8, 2);
	*w++ = '/';
	w = put(w, t, 4);
	*w++ = ' ';
	return put(w, t + 11, 8);
}

/* Room for one rendered record. */
static char *
room(struct gen *g, size_t n)
{
	if (g->line.cap - g->line.len < n)
		mx_buf_grow(&g->line, n);
	return g->line.p + g->line.len;
}

static void
done_line(struct gen *g, char *w)
{
	g->line.len = (size_t)(w - g->line.p);
}

/* ---- the shared catalogue ---- */

static const char *const categories[] = { "electronics", "books",
    "clothing", "home", "beauty", "sports", "toys", "grocery" };
#define NCATEG	8
/* price range per category, in cents */
static const int32_t cat_lo[NCATEG] = { 999, 499, 999, 499, 399, 999, 499,
    99 };
static const int32_t cat_hi[NCATEG] = { 99999, 4999, 19999, 29999, 8999,
    39999, 9999, 2999 };
static const char *const nouns[NCATEG][4] = {
	{ "Headphones", "Speaker", "Keyboard", "Charger" },
	{ "Cookbook", "Novel", "Atlas", "Notebook" },
	{ "T-Shirt", "Jacket", "Sneakers", "Scarf" },
	{ "Lamp", "Mug", "Pillow", "Frying Pan" },
	{ "Face Cream", "Shampoo", "Perfume", "Lip Balm" },
	{ "Yoga Mat", "Dumbbell", "Water Bottle", "Tennis Racket" },
	{ "Puzzle", "Robot Kit", "Plush Bear", "Board Game" },
	{ "Coffee Beans", "Olive Oil", "Green Tea", "Dark Chocolate" },
};
static const char *const adjectives[] = { "Classic", "Compact", "Deluxe",
    "Eco", "Pro", "Travel", "Vintage", "Wireless" };
static const char *const colours[] = { "Black", "White", "Red", "Blue" };

#define NPROD	5000

static struct {
	int32_t		price[NPROD + 1];	/* cents */
	uint8_t		cat[NPROD + 1];
	char		name[NPROD + 1][48];
	uint32_t	bycat[NCATEG][NPROD];	/* the products of a category */
	uint32_t	ncat[NCATEG];
	int		ready;
} cat;

/* Products are the same in every domain of one seed: p00042 has one
 * category, name and price in ecommerce and in the CRM sales. */
static void
catalogue(uint64_t seed)
{
	static const int endings[] = { 99, 99, 49, 0, 95 };
	uint64_t h;
	int p, c, lo, hi, k;
	double u;
	char *w;

	if (cat.ready)
		return;
	for (p = 1; p <= NPROD; p++) {
		h = mix(seed ^ 0x70726f64ULL, (uint64_t)p);
		c = (int)hbelow(h, NCATEG);
		lo = cat_lo[c] / 100;
		hi = cat_hi[c] / 100;
		u = (double)(h >> 11 & 0xfffff) / 0x100000;
		k = lo + (int)((hi - lo) * u * u);
		cat.cat[p] = (uint8_t)c;
		cat.bycat[c][cat.ncat[c]++] = (uint32_t)p;
		cat.price[p] = k * 100 + endings[h >> 40 & 3];
		if (cat.price[p] == 0)
			cat.price[p] = 99;
		/* names with commas and inch marks, as CSV exports have */
		w = cat.name[p];
		w = puts0(w, adjectives[h >> 44 & 7]);
		*w++ = ' ';
		w = puts0(w, nouns[c][h >> 48 & 3]);
		if ((h >> 52 & 3) == 0) {
			PUT(w, ", ");
			w = puts0(w, colours[h >> 54 & 3]);
		} else if ((h >> 52 & 15) == 1)
			PUT(w, " 15\"");
		*w = '\0';
	}
	cat.ready = 1;
}

/* A product, the popular ones more often. */
static uint32_t
pick_product(struct rng *r)
{
	return (uint32_t)below(r, below(r, NPROD) + 1) + 1;
}

/* Paid channels: spend is reported for these; Calendly's utm_source and
 * utm_medium joined by "_" name them. */
static const char *const channels[] = { "facebook_paid_ads",
    "instagram_paid_ads", "youtube_paid_ads", "tiktok_paid_ads",
    "google_paid_search", "bing_paid_search", "linkedin_paid_ads",
    "pinterest_paid_ads" };
#define NCHAN	8
static const int chan_daily[NCHAN] = { 850, 420, 380, 300, 1200, 160, 520,
    90 };	/* typical spend per day */

/* ---- lines ---- */

static void
emit(struct gen *g)
{
	g->raw += g->line.len;
	if (g->z != NULL)
		mx_gzw_write(g->z, g->line.p, g->line.len);
	else
		mx_out_write(g->o, g->line.p, g->line.len);
}

static int
pick_kind(struct gen *g)
{
	uint64_t x;
	int k;

	/* the first line is a regular record, so re-sends have a source */
	if (g->i == 0)
		k = K_NORMAL;
	else {
		x = below(&g->r, g->n - g->i);
		for (k = 0; k < NKIND - 1 && x >= g->left[k]; k++)
			x -= g->left[k];
	}
	g->left[k]--;
	return k;
}

static void *
ring_pick(struct gen *g)
{
	return g->ring + below(&g->r, g->nring) * g->d->recsz;
}

static void
ring_add(struct gen *g, const void *rec)
{
	memcpy(g->ring + g->ringpos * g->d->recsz, rec, g->d->recsz);
	g->ringpos = (g->ringpos + 1) % RING;
	if (g->nring < RING)
		g->nring++;
}

/* The clock: the regular records' time advances evenly over the range
 * with the line number, with a jitter that keeps it non-decreasing. */
static int64_t
now(struct gen *g)
{
	int64_t base, step;

	base = g->t0 + (int64_t)((__int128)g->span * g->i / g->n);
	step = g->span / (int64_t)g->n;
	return step > 1 ? base + (int64_t)below(&g->r, (uint64_t)step) : base;
}

/* A late record: one to seven days before the clock. */
static int64_t
late_time(struct gen *g)
{
	return now(g) - DAY_US - (int64_t)below(&g->r, 6 * DAY_US);
}

/* Replace del bytes of the line at off with ins[0..n). */
static void
splice(struct gen *g, size_t off, size_t del, const char *ins, size_t n)
{
	char *p;

	mx_buf_grow(&g->line, n);
	p = g->line.p;
	memmove(p + off + n, p + off + del, g->line.len - off - del);
	memcpy(p + off, ins, n);
	g->line.len += n - del;
}

/* Break a rendered NDJSON line so that no JSON parser accepts it. */
static void
corrupt_json(struct gen *g)
{
	static const char *const badnum[] = { "NaN", "1,5", "0x1F", "012",
	    "1.2.3", ".5", "1e" };
	char *p = g->line.p, *q, *e = p + g->line.len - 1;	/* at \n */
	size_t at;
	int how = (int)below(&g->r, 5);

	if (how == 2) {
		/* a number value replaced by a broken literal */
		for (q = p; q + 2 < e; q++)
			if (q[0] == '"' && q[1] == ':' && (q[2] == '-' ||
			    (q[2] >= '0' && q[2] <= '9')))
				break;
		if (q + 2 < e) {
			const char *b = badnum[below(&g->r, 7)];
			char *t = q + 2;

			while (t < e && strchr("0123456789.-+eE", *t) != NULL)
				t++;
			splice(g, (size_t)(q + 2 - p), (size_t)(t - q - 2), b,
			    strlen(b));
			return;
		}
		how = 0;	/* no number in this record */
	}
	/* the first string value: just after the first ":" */
	for (q = p; q + 3 < e && memcmp(q, "\":\"", 3) != 0; q++)
		;
	at = q + 3 < e ? (size_t)(q - p) + 3 : 0;
	switch (at == 0 ? 0 : how) {
	case 0:		/* cut short, as by a full disk or a killed writer */
		g->line.len = 1 + below(&g->r, g->line.len - 2);
		mx_buf_addc(&g->line, '\n');
		break;
	case 1:		/* invalid UTF-8 */
		splice(g, at, 0, "\xff\xfe", 2);
		break;
	case 3:		/* a raw control character inside a string */
		splice(g, at, 0, "\t", 1);
		break;
	default:	/* a key's closing quote lost */
		splice(g, at - 3, 1, "", 0);
		break;
	}
}

/* Break a rendered CSV line: a field short, a field too many, a stray
 * quote, invalid UTF-8.  Quotes are never left open, so the break stays
 * on its line. */
static void
corrupt_csv(struct gen *g)
{
	char *p = g->line.p;
	size_t n = g->line.len - 1, i, cuts[64], nc = 0;
	int inq = 0, how = (int)below(&g->r, 4);

	for (i = 0; i < n && nc < 64; i++) {
		if (p[i] == '"')
			inq = !inq;
		else if (p[i] == ',' && !inq)
			cuts[nc++] = i;
	}
	switch (nc == 0 ? 1 : how) {
	case 0:
		g->line.len = cuts[below(&g->r, nc)];
		mx_buf_addc(&g->line, '\n');
		break;
	case 1:
		g->line.len = n;
		mx_buf_adds(&g->line, ",extra\n");
		break;
	case 2:		/* a quote inside the first (unquoted) field */
		splice(g, 1, 0, "\"", 1);
		break;
	default:	/* invalid UTF-8 in the second field */
		i = cuts[0] + 1;
		if (p[i] == '"')	/* inside its quotes */
			i++;
		splice(g, i, 0, "\xc3\x28", 2);
		break;
	}
}

/* ---- ecommerce ---- */

enum { EV_VIEW, EV_CART, EV_UNCART, EV_BUY, EV_SEARCH, EV_START };
static const char *const etypes[] = { "page_view", "add_to_cart",
    "remove_from_cart", "purchase", "search" };
/* marginal mix of the late events, in percent */
static const unsigned elate[] = { 60, 15, 5, 10, 10 };

static const char *const queries[] = { "wireless headphones",
    "bestseller novel", "winter jacket", "desk lamp", "face cream",
    "yoga mat", "lego", "coffee beans", "usb-c charger", "cookbook",
    "running shoes", "frying pan", "shampoo", "tennis racket", "puzzle",
    "green tea" };	/* query q looks for category q % NCATEG */
#define NQUERY	16

/* A product of the category the query looks for. */
static uint32_t
search_hit(struct rng *r, int q)
{
	int c = q % NCATEG;

	return cat.bycat[c][below(r, cat.ncat[c])];
}

enum { ED_NONE, ED_NOID, ED_NOTIME, ED_NOUSER, ED_TYPE, ED_TIME, ED_QTY0,
    ED_QTYFRAC, ED_PRICENEG, ED_PRICESTR, ED_N };

struct erec {
	uint64_t	id;
	int64_t		us;
	uint32_t	user, session, product;
	uint8_t		type, qty, defect, query;
};

struct esess {
	uint32_t	id, user, product, cart;
	uint8_t		last, cartq, query;
};

#define NSESS	32

struct ecom {
	uint32_t	nuser, nsess;
	struct esess	s[NSESS];
};

static void
ecom_init(struct gen *g)
{
	struct ecom *e = mx_calloc(1, sizeof *e);
	int k;

	/* a user has a few sessions; six digits of user ids */
	e->nuser = g->n / 8 < 50 ? 50 : g->n / 8 > 999999 ? 999999 :
	    (uint32_t)(g->n / 8);
	for (k = 0; k < NSESS; k++)
		e->s[k].last = EV_START;
	g->st = e;
}

static void
new_session(struct gen *g, struct esess *s)
{
	struct ecom *e = g->st;

	memset(s, 0, sizeof *s);
	s->id = ++e->nsess;
	s->user = (uint32_t)below(&g->r, e->nuser) + 1;
	s->last = EV_START;
}

/* The funnel: many views, fewer carts, fewer purchases. */
static int
next_event(struct gen *g, struct esess *s)
{
	unsigned x = (unsigned)below(&g->r, 100);

	switch (s->last) {
	case EV_START:
		return x < 85 ? EV_VIEW : EV_SEARCH;
	case EV_VIEW:
		return x < 50 ? EV_VIEW : x < 60 ? EV_SEARCH : x < 75 ?
		    EV_CART : EV_START;
	case EV_SEARCH:
		return x < 75 ? EV_VIEW : x < 85 ? EV_SEARCH : EV_START;
	case EV_CART:
		return x < 30 ? EV_VIEW : x < 40 ? EV_CART : x < 50 ?
		    EV_UNCART : x < 85 ? EV_BUY : EV_START;
	case EV_UNCART:
		return x < 60 ? EV_VIEW : EV_START;
	default:
		return x < 25 ? EV_VIEW : EV_START;
	}
}

static int
ecom_make(struct gen *g, void *rp, int kind)
{
	struct ecom *e = g->st;
	struct erec *r = rp;
	struct esess *s;
	int t;
	unsigned x;

	memset(r, 0, sizeof *r);
	r->id = ++g->seq;
	if (kind == K_LATE) {
		/* an event held on a device for days: its own session */
		r->us = late_time(g) / 1000 * 1000;
		r->user = (uint32_t)below(&g->r, e->nuser) + 1;
		r->session = ++e->nsess;
		for (x = (unsigned)below(&g->r, 100), t = 0; x >= elate[t];
		    x -= elate[t], t++)
			;
		r->type = (uint8_t)t;
		r->product = pick_product(&g->r);
		r->qty = r->type == EV_VIEW ? 1 : 1 + (uint8_t)below(&g->r, 2);
		r->query = (uint8_t)below(&g->r, NQUERY);
	} else {
		s = &e->s[below(&g->r, NSESS)];
		if (s->id == 0)
			new_session(g, s);
		while ((t = next_event(g, s)) == EV_START)
			new_session(g, s);
		r->us = now(g) / 1000 * 1000;
		r->user = s->user;
		r->session = s->id;
		r->type = (uint8_t)t;
		switch (t) {
		case EV_VIEW:
			if (s->last == EV_SEARCH)	/* a result of the search */
				s->product = search_hit(&g->r, s->query);
			else
				s->product = pick_product(&g->r);
			r->product = s->product;
			r->qty = 1;
			break;
		case EV_SEARCH:
			r->query = s->query = (uint8_t)below(&g->r, NQUERY);
			break;
		case EV_CART:
			if (s->cart == s->product && s->cartq < 9)
				s->cartq++;
			else {
				s->cart = s->product;
				s->cartq = 1 + (uint8_t)(pct(&g->r, 20) ?
				    below(&g->r, 3) : 0);
			}
			r->product = s->cart;
			r->qty = s->cartq;
			break;
		default:	/* remove or buy what is in the cart */
			r->product = s->cart;
			r->qty = s->cartq;
			s->cart = 0;
			s->cartq = 0;
			break;
		}
		s->last = (uint8_t)t;
	}
	if (kind == K_INVALID) {
		/* rules that every reader can check the same way */
		static const uint8_t any[] = { ED_NOID, ED_NOTIME, ED_NOUSER,
		    ED_TYPE, ED_TIME };
		static const uint8_t priced[] = { ED_NOID, ED_NOTIME,
		    ED_NOUSER, ED_TYPE, ED_TIME, ED_QTY0, ED_QTYFRAC,
		    ED_PRICENEG, ED_PRICESTR };

		if (r->type == EV_SEARCH)
			r->defect = any[below(&g->r, sizeof any)];
		else
			r->defect = priced[below(&g->r, sizeof priced)];
	}
	return kind;
}

static void
ecom_resend(struct gen *g, void *rp)
{
	struct erec *r = rp;

	/* the tracker retried: same event, stamped again */
	r->us += (1 + (int64_t)below(&g->r, 300)) * US;
}

static void
ecom_render(struct gen *g, const void *rp)
{
	const struct erec *r = rp;
	char *w0 = room(g, 512), *w = w0;
	int64_t price = r->product ? cat.price[r->product] : 0;

	/* every field opens with a comma; the first becomes the brace */
	if (r->defect != ED_NOID) {
		PUT(w, ",\"event_id\":\"e");
		w = num(w, r->id, 9);
		*w++ = '"';
	}
	if (r->defect != ED_NOTIME) {
		PUT(w, ",\"timestamp\":\"");
		w = r->defect == ED_TIME ? usdate(w, r->us) :
		    stamp(w, r->us, 3);
		*w++ = '"';
	}
	if (r->defect != ED_NOUSER) {
		PUT(w, ",\"user_id\":\"u");
		w = num(w, r->user, 6);
		*w++ = '"';
	}
	PUT(w, ",\"session_id\":\"s");
	w = num(w, r->session, 8);
	PUT(w, "\",\"event_type\":\"");
	w = puts0(w, r->defect == ED_TYPE ? "checkout" : etypes[r->type]);
	*w++ = '"';
	if (r->type == EV_SEARCH) {
		PUT(w, ",\"product_id\":null,\"quantity\":null,\"price\":null,"
		    "\"category\":null,\"search_query\":\"");
		w = puts0(w, queries[r->query]);
		PUT(w, "\"}\n");
	} else {
		PUT(w, ",\"product_id\":\"p");
		w = num(w, r->product, 5);
		PUT(w, "\",\"quantity\":");
		if (r->defect == ED_QTY0)
			*w++ = '0';
		else if (r->defect == ED_QTYFRAC)
			PUT(w, "1.5");
		else
			w = num(w, r->qty, 1);
		PUT(w, ",\"price\":");
		if (r->defect == ED_PRICESTR)
			PUT(w, "\"free\"");
		else
			w = fixed(w, r->defect == ED_PRICENEG ? -price : price,
			    2);
		PUT(w, ",\"category\":\"");
		w = puts0(w, categories[cat.cat[r->product]]);
		PUT(w, "\",\"search_query\":null}\n");
	}
	*w0 = '{';
	done_line(g, w);
}

static void
ecom_tally(struct gen *g, const void *rp)
{
	const struct erec *r = rp;
	struct mx_dec v;

	g->timesum += floordiv(r->us, US);
	if (r->type != EV_BUY)
		return;
	g->cnt[0]++;
	v.v = (__int128)cat.price[r->product] * r->qty;
	v.scale = 2;
	mx_dec_add(&g->sum, &v);
}

static void
ecom_stats(struct gen *g, struct mx_buf *b)
{
	char t[48];

	mx_dec_fmt_scale(&g->sum, 2, t);
	mx_buf_printf(b, ",\"purchases\":%ju,\"revenue\":\"%s\"",
	    g->cnt[0], t);
}

/* ---- spend ---- */

/*
 * The keys of spend are its days and channels, so its records are slots
 * (day, channel) in order.  A late record is a slot held back and sent
 * one to three days later; invalid and malformed lines are broken copies
 * of a slot already sent, so the valid records cover every day and
 * channel of the range exactly once.
 */
struct srec {
	int64_t		cents;
	uint32_t	slot;
	uint8_t		defect;
};

enum { SD_NONE, SD_NEG, SD_STR, SD_NOCHAN, SD_DATE, SD_N };

struct held {
	uint64_t	slot, due;
};

/* The slots of a ranged file (spend, Meta's insights): per of them a
 * day, in order; a held one is sent one to maxlag days later. */
struct spend {
	uint64_t	cur, nslot, days, per;
	uint64_t	late, eligible;	/* still to hold back, slots left */
	uint64_t	maxlag;
	struct held	*h;
	size_t		 nh;
};

static int64_t
slot_cents(struct gen *g, uint64_t slot)
{
	uint64_t h = mix(g->seed, slot);
	int c = (int)(slot % NCHAN);
	int64_t day = g->t0 / DAY_US + (int64_t)(slot / NCHAN);
	int dow = mx_time_dow(day * 86400);
	double f = 0.7 + 0.6 * (double)(h >> 11) / 9007199254740992.0;

	if (dow >= 6)
		f *= 0.8;
	return (int64_t)llround(chan_daily[c] * 100 * f);
}

static void
spend_init(struct gen *g)
{
	struct spend *s = mx_calloc(1, sizeof *s);

	/* every slot is sent once, on a regular (or late) line */
	s->per = (uint64_t)g->d->ranged;
	s->maxlag = 3;
	s->nslot = g->left[K_NORMAL];
	s->days = (s->nslot + s->per - 1) / s->per;
	s->late = g->left[K_LATE];
	g->left[K_NORMAL] += g->left[K_LATE];
	g->left[K_LATE] = 0;
	/* a held slot must have a later day to follow */
	s->eligible = s->days > 1 ? (s->days - 1) * s->per : 0;
	if (s->late > s->eligible)
		mx_errx(MX_EXIT_USAGE, "%s: %ju late records do not fit "
		    "in %ju days", g->d->name, s->late, s->days);
	s->h = mx_calloc(s->late + 1, sizeof *s->h);
	g->st = s;
}

/* The next slot of a regular line: a held one whose day has come, or the
 * next in order, unless that is held back; *kind says which. */
static uint64_t
next_slot(struct gen *g, int *kind)
{
	struct spend *s = g->st;
	uint64_t slot, day, lag;
	size_t k, best;

	for (;;) {
		/* a held slot whose day has come goes first */
		for (k = 0, best = s->nh; k < s->nh; k++)
			if ((s->h[k].due <= s->cur || s->cur == s->nslot) &&
			    (best == s->nh || s->h[k].due < s->h[best].due))
				best = k;
		if (best < s->nh) {
			slot = s->h[best].slot;
			s->h[best] = s->h[--s->nh];
			*kind = K_LATE;
			return slot;
		}
		slot = s->cur++;
		day = slot / s->per;
		if (slot < s->eligible && below(&g->r, s->eligible - slot) <
		    s->late) {
			s->late--;
			lag = s->days - 1 - day;
			lag = 1 + below(&g->r, lag < s->maxlag ? lag :
			    s->maxlag);
			s->h[s->nh].slot = slot;
			s->h[s->nh].due = (day + lag) * s->per +
			    below(&g->r, s->per);
			s->nh++;
			continue;
		}
		*kind = K_NORMAL;
		return slot;
	}
}

static int
spend_make(struct gen *g, void *rp, int kind)
{
	struct srec *r = rp;
	uint64_t slot;

	if (kind == K_INVALID || kind == K_BAD) {
		memcpy(r, ring_pick(g), sizeof *r);
		if (kind == K_INVALID)
			r->defect = 1 + (uint8_t)below(&g->r, SD_N - 1);
		return kind;
	}
	slot = next_slot(g, &kind);
	r->slot = (uint32_t)slot;
	r->cents = slot_cents(g, slot);
	r->defect = SD_NONE;
	return kind;
}

static void
spend_resend(struct gen *g, void *rp)
{
	struct srec *r = rp;

	/* the platform restated the day */
	r->cents = r->cents * (90 + (int64_t)below(&g->r, 21)) / 100;
}

static char *
spend_date(struct gen *g, char *w, const struct srec *r)
{
	int64_t day = g->t0 / DAY_US + r->slot / NCHAN;

	if (r->defect == SD_DATE)	/* 03/01/2024, without the time */
		return usdate(w, day * DAY_US) - 9;
	return date10(w, day);
}

static void
spend_render(struct gen *g, const void *rp)
{
	const struct srec *r = rp;
	char *w = room(g, 128);

	PUT(w, "{\"date\":\"");
	w = spend_date(g, w, r);
	*w++ = '"';
	if (r->defect != SD_NOCHAN) {
		PUT(w, ",\"channel\":\"");
		w = puts0(w, channels[r->slot % NCHAN]);
		*w++ = '"';
	}
	PUT(w, ",\"spend\":");
	if (r->defect == SD_STR)
		PUT(w, "\"n/a\"");
	else
		w = fixed(w, r->defect == SD_NEG ? -r->cents : r->cents, 2);
	PUT(w, "}\n");
	done_line(g, w);
}

static void
spend_render_csv(struct gen *g, const void *rp)
{
	const struct srec *r = rp;
	char *w = room(g, 128);

	w = spend_date(g, w, r);
	*w++ = ',';
	if (r->defect != SD_NOCHAN)
		w = puts0(w, channels[r->slot % NCHAN]);
	*w++ = ',';
	if (r->defect == SD_STR)
		PUT(w, "n/a");
	else
		w = fixed(w, r->defect == SD_NEG ? -r->cents : r->cents, 2);
	*w++ = '\n';
	done_line(g, w);
}

static void
spend_tally(struct gen *g, const void *rp)
{
	const struct srec *r = rp;
	struct mx_dec v = { r->cents, 2 };

	g->timesum += (g->t0 / DAY_US + r->slot / NCHAN) * 86400;
	mx_dec_add(&g->sum, &v);
}

static void
spend_stats(struct gen *g, struct mx_buf *b)
{
	char t[48];

	mx_dec_fmt_scale(&g->sum, 2, t);
	mx_buf_printf(b, ",\"spend\":\"%s\"", t);
}

/* ---- adclicks ---- */

#define NADV	25
#define NADS	250

enum { AD_NONE, AD_NOID, AD_NEG, AD_STR, AD_TYPE, AD_TIME, AD_N };

struct arec {
	uint64_t	id;
	int64_t		us;
	int64_t		amount;		/* 1/10000 */
	uint16_t	ad;
	uint8_t		click, defect;
};

/* The daily budget of an advertiser at a time, in cents.  A quarter of
 * the advertisers raise it once in the range (30% to 50% of the way in),
 * and half of those set it back at 80%: budget history, and a budget
 * that changes within a day. */
static int64_t
budget(struct gen *g, int adv, int64_t us)
{
	uint64_t h = mix(g->seed ^ 0xb0d6e7ULL, (uint64_t)adv);
	int64_t b = (int64_t)(1 + hbelow(h, 100)) * 5000, at;

	if (adv % 4 != 0)
		return b;
	at = g->t0 + g->span / 100 * (30 + (int64_t)hbelow(rotl(h, 20), 20));
	if (us < at || (adv % 8 == 0 && us >= g->t0 + g->span / 100 * 80))
		return b;
	return b + (int64_t)(1 + hbelow(rotl(h, 40), 20)) * 2500;
}

static int
ads_make(struct gen *g, void *rp, int kind)
{
	struct arec *r = rp;
	uint64_t h;
	int64_t base;

	memset(r, 0, sizeof *r);
	r->id = ++g->seq;
	r->us = (kind == K_LATE ? late_time(g) : now(g)) / US * US;
	r->ad = (uint16_t)(below(&g->r, below(&g->r, NADS) + 1) + 1);
	h = mix(g->seed ^ 0xad5ULL, r->ad);
	/* each ad has its click-through rate (1-8%) and its cost per click */
	r->click = below(&g->r, 1000) < 10 + hbelow(h, 70);
	if (r->click) {
		base = 1000 + (int64_t)hbelow(rotl(h, 32), 24000);
		r->amount = (base * (80 + (int64_t)below(&g->r, 41)) / 100) /
		    100 * 100;
	} else
		r->amount = 10 + (int64_t)below(&g->r, 140);
	if (kind == K_INVALID)
		r->defect = 1 + (uint8_t)below(&g->r, AD_N - 1);
	return kind;
}

static void
ads_resend(struct gen *g, void *rp)
{
	struct arec *r = rp;

	r->us += (1 + (int64_t)below(&g->r, 60)) * US;
}

static void
ads_render(struct gen *g, const void *rp)
{
	const struct arec *r = rp;
	char *w0 = room(g, 256), *w = w0;
	int adv = (r->ad - 1) % NADV + 1;

	PUT(w, ",\"event_type\":\"");
	w = puts0(w, r->defect == AD_TYPE ? "hover" : r->click ? "click" :
	    "impression");
	*w++ = '"';
	if (r->defect != AD_NOID) {
		PUT(w, ",\"click_id\":\"c");
		w = num(w, r->id, 9);
		*w++ = '"';
	}
	PUT(w, ",\"advertiser\":\"adv_");
	w = num(w, (uint64_t)adv, 3);
	PUT(w, "\",\"ad_id\":\"ad_");
	w = num(w, r->ad, 4);
	PUT(w, "\",\"amount\":");
	if (r->defect == AD_STR)
		PUT(w, "\"n/a\"");
	else
		w = fixed(w, (r->defect == AD_NEG ? -r->amount :
		    r->amount) / (r->click ? 100 : 1), r->click ? 2 : 4);
	PUT(w, ",\"budget_value\":");
	w = fixed(w, budget(g, adv, r->us), 2);
	PUT(w, ",\"timestamp\":\"");
	w = r->defect == AD_TIME ? usdate(w, r->us) : stamp(w, r->us, 0);
	PUT(w, "\"}\n");
	*w0 = '{';
	done_line(g, w);
}

static void
ads_tally(struct gen *g, const void *rp)
{
	const struct arec *r = rp;
	struct mx_dec v = { r->amount, 4 };

	g->timesum += r->us / US;
	g->cnt[r->click ? 0 : 1]++;
	mx_dec_add(&g->sum, &v);
}

static void
ads_stats(struct gen *g, struct mx_buf *b)
{
	char t[48];

	mx_dec_fmt(&g->sum, t);
	mx_buf_printf(b, ",\"clicks\":%ju,\"impressions\":%ju,\"amount\":\"%s\"",
	    g->cnt[0], g->cnt[1], t);
}


/* ---- people ---- */

struct person {
	const char	*name, *mail;
};

static const struct person firsts[] = { { "James", "james" },
    { "Mary", "mary" }, { "Robert \"Bob\"", "bob" }, { "Patricia",
    "patricia" }, { "John", "john" }, { "Jennifer", "jennifer" },
    { "Michael", "michael" }, { "Linda", "linda" }, { "David", "david" },
    { "Elizabeth", "elizabeth" }, { "José", "jose" }, { "Zoë", "zoe" },
    { "Åsa", "asa" }, { "Łukasz", "lukasz" }, { "Chloé", "chloe" },
    { "Søren", "soren" }, { "Aoife", "aoife" }, { "Mohammed",
    "mohammed" }, { "Priya", "priya" }, { "Wei", "wei" }, { "Yuki",
    "yuki" }, { "Olga", "olga" }, { "Renée", "renee" }, { "Björn",
    "bjorn" } };
static const struct person lasts[] = { { "Smith", "smith" },
    { "Johnson", "johnson" }, { "Williams", "williams" }, { "Brown",
    "brown" }, { "Garcia", "garcia" }, { "Miller", "miller" }, { "Davis",
    "davis" }, { "Hernández", "hernandez" }, { "Müller", "mueller" },
    { "O'Brien", "obrien" }, { "Nguyen", "nguyen" }, { "Kowalski",
    "kowalski" }, { "Dubois", "dubois" }, { "Rossi", "rossi" },
    { "Tanaka", "tanaka" }, { "Kim", "kim" }, { "Patel", "patel" },
    { "van der Berg", "vanderberg" }, { "Larsen", "larsen" }, { "Novák",
    "novak" } };
#define NFIRST	(sizeof firsts / sizeof firsts[0])
#define NLAST	(sizeof lasts / sizeof lasts[0])
static const char *const maildomains[] = { "gmail.com", "outlook.com",
    "yahoo.com", "example.com", "acme.io", "globex.com" };

/* A person is a hash: its bits choose the names and the mail domain. */
static const struct person *
first_of(uint64_t h)
{
	return &firsts[hbelow(h, NFIRST)];
}

static const struct person *
last_of(uint64_t h)
{
	return &lasts[hbelow(rotl(h, 20), NLAST)];
}

/* "First Last", escaped for JSON or raw (the caller quotes CSV) */
static char *
person_name(char *w, uint64_t h, int json)
{
	char *(*cp)(char *, const char *) = json ? jesc : puts0;

	w = cp(w, first_of(h)->name);
	*w++ = ' ';
	return cp(w, last_of(h)->name);
}

/* first.last42@domain; variant moves the person to another domain */
static char *
person_mail(char *w, uint64_t h, int variant)
{
	w = puts0(w, first_of(h)->mail);
	*w++ = '.';
	w = puts0(w, last_of(h)->mail);
	w = num(w, h >> 48 & 127, 1);
	*w++ = '@';
	return puts0(w, maildomains[(hbelow(rotl(h, 40), 6) +
	    (unsigned)variant) % 6]);
}

/* ---- calendly ---- */

/*
 * Bookings are made at the clock; some are canceled or rescheduled later,
 * which is kept in a queue ordered by time.  A reschedule is two webhooks,
 * as Calendly sends them: invitee.canceled with rescheduled true and
 * new_invitee set, then invitee.created for the new invitee, whose
 * old_invitee is set.  Counting invitee.created with a null old_invitee
 * counts each booking once.
 */
struct crec {
	uint64_t	inv;		/* the invitee: its URI */
	uint64_t	who;		/* the person: name, tracking, event type */
	uint64_t	prev, next;	/* old_invitee, new_invitee; 0: null */
	int64_t		booked;		/* the invitee's created_at */
	int64_t		start;		/* the meeting */
	int64_t		at;		/* when it happened */
	int64_t		sent;		/* the delivery's created_at */
	uint8_t		canceled, resched, defect, byhost;
};

enum { CD_NONE, CD_NOMAIL, CD_NOURI, CD_START, CD_EVENT, CD_N };

static const struct {
	const char	*name;
	int		 minutes, hosts;
} evtypes[] = { { "30 Minute Meeting", 30, 1 }, { "Product Demo", 45, 1 },
    { "Discovery Call", 30, 1 }, { "Team Demo", 60, 2 } };

static const struct person hosts[] = { { "Alex Morgan",
    "alex.morgan@acme.io" }, { "Sam Lee", "sam.lee@acme.io" },
    { "Dana Whitfield", "dana.whitfield@acme.io" }, { "Chris Okafor",
    "chris.okafor@acme.io" }, { "Taylor Brooks", "taylor.brooks@acme.io" },
    { "Jordan Pérez", "jordan.perez@acme.io" } };

/* utm_source and utm_medium, percent of bookings; the last: no UTM */
static const struct {
	const char	*source, *medium;
	unsigned	 pct;
} utms[] = { { "facebook", "paid_ads", 14 }, { "instagram", "paid_ads", 8 },
    { "youtube", "paid_ads", 6 }, { "tiktok", "paid_ads", 6 },
    { "google", "paid_search", 16 }, { "bing", "paid_search", 3 },
    { "linkedin", "paid_ads", 8 }, { "pinterest", "paid_ads", 2 },
    { "newsletter", "email", 7 }, { NULL, NULL, 30 } };
static const char *const campaigns[] = { "spring_sale", "brand",
    "retargeting", "webinar", "demo_request" };
static const char *const timezones[] = { "America/New_York",
    "America/Chicago", "America/Los_Angeles", "Europe/London",
    "Europe/Berlin", "Asia/Tokyo" };
/* already JSON text */
static const char *const answers[] = { "Pricing for 20 seats",
    "We use HubSpot, Salesforce, and Zapier.",
    "Migrating from our old CRM.\\nNeed help with imports.",
    "Partnership \\\"co-marketing\\\" ideas" };
static const char *const reasons[] = { "Schedule conflict",
    "No longer needed", "", "Found another solution" };

struct cal {
	struct crec	*q;		/* a binary heap on at */
	size_t		 nq, capq;
	char		 owner[16];	/* who created the webhook */
};

static char *
calid(char *w, uint64_t h)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	uint64_t l = splitmix(&h);
	int i;

	for (i = 0; i < 12; i++, h >>= 5)
		*w++ = a[h & 31];
	for (i = 0; i < 4; i++, l >>= 5)
		*w++ = a[l & 31];
	return w;
}

static char *
user_uri(struct gen *g, char *w, int host)
{
	PUT(w, "https://api.calendly.com/users/");
	return calid(w, mix(g->seed ^ 0x75736572ULL, (uint64_t)host));
}

static char *
event_uri(struct gen *g, char *w, uint64_t inv)
{
	PUT(w, "https://api.calendly.com/scheduled_events/");
	return calid(w, mix(g->seed ^ 0x6576ULL, inv));
}

static char *
invitee_uri(struct gen *g, char *w, uint64_t inv)
{
	w = event_uri(g, w, inv);
	PUT(w, "/invitees/");
	return calid(w, mix(g->seed ^ 0x696e76ULL, inv));
}

static void
q_push(struct cal *c, const struct crec *r)
{
	size_t i, p;

	if (c->nq == c->capq) {
		c->capq = c->capq ? c->capq * 2 : 1024;
		c->q = mx_reallocarray(c->q, c->capq, sizeof *c->q);
	}
	for (i = c->nq++; i > 0 && c->q[p = (i - 1) / 2].at > r->at; i = p)
		c->q[i] = c->q[p];
	c->q[i] = *r;
}

static void
q_pop(struct cal *c, struct crec *r)
{
	struct crec last = c->q[--c->nq];
	size_t i = 0, k;

	*r = c->q[0];
	for (;;) {
		k = 2 * i + 1;
		if (k >= c->nq)
			break;
		if (k + 1 < c->nq && c->q[k + 1].at < c->q[k].at)
			k++;
		if (c->q[k].at >= last.at)
			break;
		c->q[i] = c->q[k];
		i = k;
	}
	if (c->nq > 0)
		c->q[i] = last;
}

static void
cal_init(struct gen *g)
{
	g->st = mx_calloc(1, sizeof(struct cal));
}

static int64_t
delivery(struct gen *g, int64_t at)
{
	return at + 200000 + (int64_t)below(&g->r, 1300000);
}

/* A cancellation or a reschedule, some time before the meeting. */
static void
plan_change(struct gen *g, const struct crec *r, int resched)
{
	struct crec c = *r;
	int64_t lo = r->booked + 3600 * US, hi = r->start - 3600 * US;

	if (hi <= lo)
		return;
	c.at = lo + (int64_t)below(&g->r, (uint64_t)(hi - lo));
	c.sent = delivery(g, c.at);
	c.canceled = 1;
	c.resched = (uint8_t)resched;
	c.byhost = (uint8_t)pct(&g->r, 20);
	if (resched)
		c.next = ++g->seq;
	q_push(g->st, &c);
}

static void
book(struct gen *g, struct crec *r, int64_t t)
{
	int64_t day = floordiv(t, DAY_US) + 1 + (int64_t)below(&g->r, 14);

	memset(r, 0, sizeof *r);
	r->inv = r->who = ++g->seq;
	r->booked = r->at = t;
	r->sent = delivery(g, t);
	/* on the hour or the half hour, 13:00 to 21:30 UTC */
	r->start = day * DAY_US + (13 * 3600 + 1800 *
	    (int64_t)below(&g->r, 18)) * US;
}

static int
cal_make(struct gen *g, void *rp, int kind)
{
	struct cal *c = g->st;
	struct crec *r = rp;
	int64_t t = kind == K_LATE ? late_time(g) : now(g);
	unsigned x;

	if (kind == K_NORMAL && c->nq > 0 && c->q[0].at <= t) {
		q_pop(c, r);
		if (r->resched) {
			/* the new booking follows at once */
			struct crec n = *r;

			n.inv = r->next;
			n.prev = r->inv;
			n.next = 0;
			n.canceled = n.resched = 0;
			n.booked = n.at = r->at + 1500000;
			n.sent = delivery(g, n.at);
			n.start = r->start + (1 + (int64_t)below(&g->r, 7)) *
			    DAY_US;
			q_push(c, &n);
			if (pct(&g->r, 5))
				plan_change(g, &n, 0);
		}
		return kind;
	}
	book(g, r, t);
	if (kind == K_INVALID)
		r->defect = 1 + (uint8_t)below(&g->r, CD_N - 1);
	else if (kind == K_NORMAL) {
		x = (unsigned)below(&g->r, 100);
		if (x < 15)
			plan_change(g, r, x >= 8);
	}
	return kind;
}

static void
cal_resend(struct gen *g, void *rp)
{
	struct crec *r = rp;

	/* delivered again, a little later */
	r->sent += (1 + (int64_t)below(&g->r, 300)) * US;
}

static void
cal_render(struct gen *g, const void *rp)
{
	const struct crec *r = rp;
	uint64_t h = mix(g->seed ^ 0x706572ULL, r->who);
	uint64_t h2 = splitmix(&h);
	int et = (int)hbelow(h2, 4), host = (int)(h2 >> 8 & 0xff) % 6;
	unsigned u = (unsigned)hbelow(rotl(h2, 17), 100), k;
	char *w = room(g, 8192), id[16];
	int i, nq = (int)(h2 >> 24 & 3);

	calid(id, mix(g->seed ^ 0x696e76ULL, r->inv));
	PUT(w, "{\"created_at\":\"");
	w = stamp(w, r->sent, 6);
	PUT(w, "\",\"created_by\":\"");
	w = user_uri(g, w, 99);
	PUT(w, "\",\"event\":\"");
	w = puts0(w, r->defect == CD_EVENT ? "invitee.rescheduled" :
	    r->canceled ? "invitee.canceled" : "invitee.created");
	PUT(w, "\",\"payload\":{\"cancel_url\":\"https://calendly.com/"
	    "cancellations/");
	w = put(w, id, 16);
	*w++ = '"';
	if (r->canceled) {
		PUT(w, ",\"cancellation\":{\"canceled_by\":\"");
		if (r->byhost)
			w = jesc(w, hosts[host].name);
		else
			w = person_name(w, h, 1);
		PUT(w, "\",\"canceler_type\":\"");
		w = puts0(w, r->byhost ? "host" : "invitee");
		PUT(w, "\",\"created_at\":\"");
		w = stamp(w, r->at, 6);
		PUT(w, "\",\"reason\":\"");
		w = puts0(w, r->resched ? "" : reasons[h2 >> 30 & 3]);
		PUT(w, "\"}");
	}
	PUT(w, ",\"created_at\":\"");
	w = stamp(w, r->booked, 6);
	*w++ = '"';
	if (r->defect != CD_NOMAIL) {
		PUT(w, ",\"email\":\"");
		w = person_mail(w, h, 0);
		*w++ = '"';
	}
	PUT(w, ",\"event\":\"");
	w = event_uri(g, w, r->inv);
	PUT(w, "\",\"first_name\":null,\"invitee_scheduled_by\":null,"
	    "\"last_name\":null,\"name\":\"");
	w = person_name(w, h, 1);
	PUT(w, "\",\"new_invitee\":");
	if (r->next && r->canceled) {
		*w++ = '"';
		w = invitee_uri(g, w, r->next);
		*w++ = '"';
	} else
		PUT(w, "null");
	PUT(w, ",\"no_show\":null,\"old_invitee\":");
	if (r->prev) {
		*w++ = '"';
		w = invitee_uri(g, w, r->prev);
		*w++ = '"';
	} else
		PUT(w, "null");
	PUT(w, ",\"payment\":null,\"questions_and_answers\":[");
	for (i = 0; i < (nq == 3 ? 1 : nq); i++) {
		if (i)
			*w++ = ',';
		PUT(w, "{\"answer\":\"");
		w = puts0(w, answers[(h2 >> (32 + 2 * i)) & 3]);
		PUT(w, "\",\"position\":");
		w = num(w, (uint64_t)i, 1);
		PUT(w, ",\"question\":\"");
		w = puts0(w, i ? "How did you hear about us?" :
		    "What would you like to discuss?");
		PUT(w, "\"}");
	}
	PUT(w, "],\"reconfirmation\":null,\"reschedule_url\":\"https://"
	    "calendly.com/reschedulings/");
	w = put(w, id, 16);
	PUT(w, "\",\"rescheduled\":");
	w = puts0(w, r->resched ? "true" : "false");
	PUT(w, ",\"routing_form_submission\":null,\"scheduled_event\":{"
	    "\"created_at\":\"");
	w = stamp(w, r->booked, 6);
	PUT(w, "\",\"end_time\":\"");
	w = stamp(w, r->start + evtypes[et].minutes * 60 * US, 6);
	PUT(w, "\",\"event_guests\":[],\"event_memberships\":[");
	for (i = 0; i < evtypes[et].hosts; i++) {
		k = (unsigned)(host + i) % 6;
		if (i)
			*w++ = ',';
		PUT(w, "{\"user\":\"");
		w = user_uri(g, w, (int)k);
		PUT(w, "\",\"user_email\":\"");
		w = puts0(w, hosts[k].mail);
		PUT(w, "\",\"user_name\":\"");
		w = jesc(w, hosts[k].name);
		PUT(w, "\"}");
	}
	PUT(w, "],\"event_type\":\"https://api.calendly.com/event_types/");
	w = calid(w, mix(g->seed ^ 0x6574ULL, (uint64_t)et));
	PUT(w, "\",\"invitees_counter\":{\"active\":");
	*w++ = r->canceled ? '0' : '1';
	PUT(w, ",\"limit\":1,\"total\":1},\"location\":");
	switch (h2 >> 40 & 3) {
	case 0:
		PUT(w, "{\"type\":\"physical\",\"location\":\"1 Main St, "
		    "Springfield\"}");
		break;
	case 1:
		PUT(w, "{\"type\":\"zoom\",\"status\":\"pushed\","
		    "\"join_url\":\"https://us02web.zoom.us/j/");
		w = num(w, h2 >> 30 & 0x3ffffffff, 11);
		PUT(w, "\"}");
		break;
	default:
		PUT(w, "{\"type\":\"google_conference\",\"status\":\"pushed\","
		    "\"join_url\":\"https://calendly.com/events/");
		w = calid(w, mix(g->seed ^ 0x6576ULL, r->inv));
		PUT(w, "/google_meet\"}");
		break;
	}
	PUT(w, ",\"meeting_notes_html\":null,\"meeting_notes_plain\":null,"
	    "\"name\":\"");
	w = puts0(w, evtypes[et].name);
	PUT(w, "\",\"start_time\":\"");
	if (r->defect == CD_START)
		PUT(w, "TBD");
	else
		w = stamp(w, r->start, 6);
	PUT(w, "\",\"status\":\"");
	w = puts0(w, r->canceled ? "canceled" : "active");
	PUT(w, "\",\"updated_at\":\"");
	w = stamp(w, r->at, 6);
	PUT(w, "\",\"uri\":\"");
	w = event_uri(g, w, r->inv);
	PUT(w, "\"},\"scheduling_method\":null,\"status\":\"");
	w = puts0(w, r->canceled ? "canceled" : "active");
	PUT(w, "\",\"text_reminder_number\":");
	if ((h2 >> 44 & 7) == 0) {
		PUT(w, "\"+1 555-01");
		w = num(w, h2 >> 48 & 63, 2);
		*w++ = '"';
	} else
		PUT(w, "null");
	PUT(w, ",\"timezone\":");
	if ((h2 >> 54 & 7) == 0)
		PUT(w, "null");
	else {
		*w++ = '"';
		w = puts0(w, timezones[hbelow(rotl(h2, 7), 6)]);
		*w++ = '"';
	}
	PUT(w, ",\"tracking\":{\"utm_campaign\":");
	for (k = 0; u >= utms[k].pct; u -= utms[k].pct, k++)
		;
	if (utms[k].source == NULL)
		PUT(w, "null,\"utm_source\":null,\"utm_medium\":null,"
		    "\"utm_content\":null,");
	else {
		*w++ = '"';
		w = puts0(w, campaigns[hbelow(rotl(h2, 3), 5)]);
		PUT(w, "\",\"utm_source\":\"");
		w = puts0(w, utms[k].source);
		PUT(w, "\",\"utm_medium\":\"");
		w = puts0(w, utms[k].medium);
		PUT(w, "\",\"utm_content\":");
		if (h2 >> 60 & 1) {
			PUT(w, "\"ad_");
			w = num(w, h2 >> 56 & 15, 2);
			PUT(w, "\",");
		} else
			PUT(w, "null,");
	}
	PUT(w, "\"utm_term\":null,\"salesforce_uuid\":null},\"updated_at\":\"");
	w = stamp(w, r->at, 6);
	*w++ = '"';
	if (r->defect != CD_NOURI) {
		PUT(w, ",\"uri\":\"");
		w = invitee_uri(g, w, r->inv);
		*w++ = '"';
	}
	PUT(w, "}}\n");
	done_line(g, w);
}

static void
cal_tally(struct gen *g, const void *rp)
{
	const struct crec *r = rp;

	g->timesum += floordiv(r->sent, US);
	if (!r->canceled)
		g->cnt[r->prev ? 3 : 0]++;
	else
		g->cnt[r->resched ? 2 : 1]++;
}

static void
cal_stats(struct gen *g, struct mx_buf *b)
{
	mx_buf_printf(b, ",\"bookings\":%ju,\"cancellations\":%ju,"
	    "\"reschedules\":%ju", g->cnt[0], g->cnt[1], g->cnt[2]);
}

/* ---- crm: customers ---- */

static const char *const companies[] = { "Globex, Inc.", "Initech, LLC",
    "Acme Corp", "Stark Industries", "Wayne Enterprises, Inc.",
    "Umbrella, S.A.", "Soylent Co.", "Hooli" };
static const struct {
	const char	*code;
	unsigned	 pct;
} countries[] = { { "US", 35 }, { "GB", 10 }, { "DE", 10 }, { "FR", 8 },
    { "CA", 7 }, { "ES", 5 }, { "NL", 5 }, { "AU", 5 }, { "BR", 5 },
    { "JP", 5 }, { "IN", 5 } };
static const char *const segments[] = { "consumer", "small_business",
    "enterprise" };

enum { UD_NONE, UD_NOID, UD_MAIL, UD_DATE, UD_SEGMENT, UD_N };

struct urec {
	uint64_t	id;
	int64_t		us;
	uint8_t		defect, variant;
};

/* customer ids that sales may refer to */
static uint64_t ncustomers = 1;

static int
cust_make(struct gen *g, void *rp, int kind)
{
	struct urec *r = rp;

	memset(r, 0, sizeof *r);
	r->id = ++g->seq;
	r->us = kind == K_LATE ? late_time(g) : now(g);
	if (kind == K_INVALID)
		r->defect = 1 + (uint8_t)below(&g->r, UD_N - 1);
	return kind;
}

static void
cust_resend(struct gen *g, void *rp)
{
	struct urec *r = rp;

	(void)g;
	r->variant = 1;		/* the customer changed address */
}

static void
cust_render(struct gen *g, const void *rp)
{
	const struct urec *r = rp;
	uint64_t h = mix(g->seed ^ 0x637573ULL, r->id);
	char *w = room(g, 512), name[128];
	unsigned u = (unsigned)hbelow(rotl(h, 9), 100), k, seg;

	seg = (h >> 50 & 15) < 9 ? 0 : (h >> 50 & 15) < 14 ? 1 : 2;
	if (r->defect != UD_NOID) {
		*w++ = 'C';
		w = num(w, r->id, 6);
	}
	*w++ = ',';
	if (seg == 2)
		w = cesc(w, companies[h >> 56 & 7]);
	else {
		*person_name(name, h, 0) = '\0';
		w = cesc(w, name);
	}
	*w++ = ',';
	if (r->defect == UD_MAIL) {
		char *a = w, *at;

		w = person_mail(w, h, r->variant);
		at = memchr(a, '@', (size_t)(w - a));
		*at = '.';	/* no @ */
	} else
		w = person_mail(w, h, r->variant);
	*w++ = ',';
	for (k = 0; u >= countries[k].pct; u -= countries[k].pct, k++)
		;
	w = puts0(w, countries[k].code);
	*w++ = ',';
	if (r->defect == UD_DATE)
		w = usdate(w, r->us) - 9;
	else
		w = date10(w, floordiv(r->us, DAY_US));
	*w++ = ',';
	w = puts0(w, r->defect == UD_SEGMENT ? "vip" : segments[seg]);
	*w++ = '\n';
	done_line(g, w);
}

static void
cust_tally(struct gen *g, const void *rp)
{
	const struct urec *r = rp;

	g->timesum += floordiv(r->us, DAY_US) * 86400;
}

static void
cust_stats(struct gen *g, struct mx_buf *b)
{
	(void)g;
	(void)b;
}

/* ---- crm: online sales ---- */

/* the channel an order is attributed to: the paid ones, then organic,
 * email and direct; percent */
static const char *const sale_channels[] = { "facebook_paid_ads",
    "instagram_paid_ads", "youtube_paid_ads", "tiktok_paid_ads",
    "google_paid_search", "bing_paid_search", "linkedin_paid_ads",
    "pinterest_paid_ads", "organic", "email", "direct" };
static const unsigned sale_pct[] = { 12, 8, 5, 5, 16, 3, 4, 2, 25, 10, 10 };

enum { OD_NONE, OD_QTY0, OD_PRICENEG, OD_PRICECOMMA, OD_DATE, OD_NOCUST,
    OD_N };

struct orec {
	uint64_t	id;
	int64_t		us;
	uint32_t	cust, product;
	uint8_t		qty, chan, defect;
};

static int
sale_make(struct gen *g, void *rp, int kind)
{
	struct orec *r = rp;
	unsigned u;

	memset(r, 0, sizeof *r);
	r->id = ++g->seq;
	r->us = kind == K_LATE ? late_time(g) : now(g);
	r->cust = (uint32_t)(below(&g->r, ncustomers) + 1);
	r->product = pick_product(&g->r);
	r->qty = (uint8_t)(pct(&g->r, 70) ? 1 : 2 + below(&g->r, 4));
	for (u = (unsigned)below(&g->r, 100); u >= sale_pct[r->chan];
	    u -= sale_pct[r->chan], r->chan++)
		;
	if (kind == K_INVALID)
		r->defect = 1 + (uint8_t)below(&g->r, OD_N - 1);
	return kind;
}

static void
sale_resend(struct gen *g, void *rp)
{
	struct orec *r = rp;

	(void)g;
	r->qty = (uint8_t)(r->qty % 5 + 1);	/* the order was amended */
}

static void
sale_render(struct gen *g, const void *rp)
{
	const struct orec *r = rp;
	char *w = room(g, 512);
	int64_t price = cat.price[r->product];

	*w++ = 'O';
	w = num(w, r->id, 7);
	*w++ = ',';
	if (r->defect != OD_NOCUST) {
		*w++ = 'C';
		w = num(w, r->cust, 6);
	}
	PUT(w, ",p");
	w = num(w, r->product, 5);
	*w++ = ',';
	w = cesc(w, cat.name[r->product]);
	*w++ = ',';
	w = puts0(w, categories[cat.cat[r->product]]);
	*w++ = ',';
	w = num(w, r->defect == OD_QTY0 ? 0 : r->qty, 1);
	*w++ = ',';
	if (r->defect == OD_PRICECOMMA) {	/* a decimal comma */
		*w++ = '"';
		w = fixed(w, price, 2);
		w[-3] = ',';
		*w++ = '"';
	} else
		w = fixed(w, r->defect == OD_PRICENEG ? -price : price, 2);
	*w++ = ',';
	if (r->defect == OD_DATE)
		w = usdate(w, r->us) - 9;
	else
		w = date10(w, floordiv(r->us, DAY_US));
	*w++ = ',';
	w = puts0(w, sale_channels[r->chan]);
	*w++ = '\n';
	done_line(g, w);
}

static void
sale_tally(struct gen *g, const void *rp)
{
	const struct orec *r = rp;
	struct mx_dec v;

	g->timesum += floordiv(r->us, DAY_US) * 86400;
	v.v = (__int128)cat.price[r->product] * r->qty;
	v.scale = 2;
	mx_dec_add(&g->sum, &v);
}

static void
sale_stats(struct gen *g, struct mx_buf *b)
{
	char t[48];

	mx_dec_fmt_scale(&g->sum, 2, t);
	mx_buf_printf(b, ",\"revenue\":\"%s\"", t);
}

/* ---- retail ---- */

/*
 * The shape of Kaggle's "Marketing Insights for E-Commerce Company": a
 * fixed catalogue of Google merchandise store SKUs, customers by number,
 * sales as transaction lines, and three small reference tables (coupons
 * per month and category, daily offline and online spend, tax per
 * category).  One category of the catalogue, Gift Cards, is left out of
 * the coupons and the tax on purpose, and about 1% of the transactions
 * name a customer that the customers file does not hold: the lake's
 * unknown members have something to catch.
 */

enum { RK_NEST_USA, RK_OFFICE, RK_APPAREL, RK_DRINKWARE, RK_LIFESTYLE,
    RK_NEST, RK_BAGS, RK_HEADGEAR, RK_NOTEBOOKS, RK_WAZE, RK_GIFT, NRCAT };
#define NRCAT_REF	RK_GIFT		/* the categories with coupons and tax */

static const struct {
	const char	*name, *coupon;
	int		 gst;		/* hundredths */
} rcats[NRCAT] = { { "Nest-USA", "ELEC", 10 }, { "Office", "OFF", 10 },
    { "Apparel", "SALE", 18 }, { "Drinkware", "EXTRA", 18 },
    { "Lifestyle", "EXTRA", 18 }, { "Nest", "ELEC", 5 },
    { "Bags", "AIO", 18 }, { "Headgear", "HGEAR", 5 },
    { "Notebooks & Journals", "NJ", 5 }, { "Waze", "WEMP", 12 },
    { "Gift Cards", "GIFT", 0 } };

/* Descriptions with commas and inch marks, as the store's exports have:
 * they must come out quoted. */
static const struct {
	const char	*sku, *desc;
	uint8_t		 cat;
	int32_t		 cents;
} skus[] = {
	{ "GGOENEBJ079499", "Nest Learning Thermostat 3rd Gen-USA - "
	    "Stainless Steel", RK_NEST_USA, 15371 },
	{ "GGOENEBQ078999", "Nest Cam Outdoor Security Camera - USA",
	    RK_NEST_USA, 12277 },
	{ "GGOENEBQ079099", "Nest Protect Smoke + CO White Battery Alarm-USA",
	    RK_NEST_USA, 8150 },
	{ "GGOENEBQ079199", "Nest Protect Smoke + CO White Wired Alarm-USA",
	    RK_NEST_USA, 8052 },
	{ "GGOENEBB078899", "Nest Cam Indoor Security Camera - USA",
	    RK_NEST_USA, 12277 },
	{ "GGOENEBQ084699", "Nest Learning Thermostat 3rd Gen-USA - White",
	    RK_NEST_USA, 15900 },
	{ "GGOEGFKQ020399", "Google Laptop and Cell Phone Stickers",
	    RK_OFFICE, 205 },
	{ "GGOEGOAQ012899", "Ballpoint LED Light Pen", RK_OFFICE, 250 },
	{ "GGOEGOCC077999", "Google Pen, Highlighter and Marker Set",
	    RK_OFFICE, 599 },
	{ "GGOEGODM081399", "Google Desk Mat, 24\" x 12\"", RK_OFFICE, 1499 },
	{ "GGOEGFSR022099", "Google Emoji Sticker Pack", RK_OFFICE, 499 },
	{ "GGOEGAAB010516", "Google Men's 100% Cotton Short Sleeve Hero Tee "
	    "White", RK_APPAREL, 1699 },
	{ "GGOEGAAX010499", "Google Women's Short Sleeve Hero Tee Black",
	    RK_APPAREL, 1699 },
	{ "GGOEGAAH034113", "Google Men's Zip Hoodie, Charcoal", RK_APPAREL,
	    4599 },
	{ "GGOEYAAQ031717", "YouTube Men's Vintage Henley", RK_APPAREL, 2639 },
	{ "GGOEGAEC033115", "Google Women's Yoga Jacket Black", RK_APPAREL,
	    4279 },
	{ "GGOEAAKQ040914", "Android Men's Long Sleeve Tee, Grey",
	    RK_APPAREL, 1919 },
	{ "GGOEGDHC018299", "Google 22 oz Water Bottle", RK_DRINKWARE, 299 },
	{ "GGOEGDHQ015399", "Google 17oz Stainless Steel Sport Bottle",
	    RK_DRINKWARE, 1679 },
	{ "GGOEGDWC020199", "Google Tumbler (Red)", RK_DRINKWARE, 1199 },
	{ "GGOEGDHB072199", "Google Leather Strap Hip Flask", RK_DRINKWARE,
	    1599 },
	{ "GGOEGHGR019499", "Google Sunglasses", RK_LIFESTYLE, 350 },
	{ "GGOEGCKQ013199", "Google Bottle Opener Keychain", RK_LIFESTYLE,
	    699 },
	{ "GGOEGESQ016799", "Google Luggage Tag", RK_LIFESTYLE, 799 },
	{ "GGOENEBQ086499", "Nest Cam IQ Outdoor", RK_NEST, 29900 },
	{ "GGOENEBD084799", "Nest Thermostat E", RK_NEST, 16900 },
	{ "GGOENEBQ081799", "Nest Secure Alarm System Starter Pack", RK_NEST,
	    39900 },
	{ "GGOEGBJL013999", "Google Canvas Tote Natural/Navy", RK_BAGS,
	    1750 },
	{ "GGOEGBRJ037299", "Google Laptop Backpack", RK_BAGS, 6399 },
	{ "GGOEGBMJ013399", "Google 15\" Laptop Sleeve", RK_BAGS, 2399 },
	{ "GGOEGBRA037499", "Google Rucksack", RK_BAGS, 3999 },
	{ "GGOEGHPB071610", "Google Twill Cap", RK_HEADGEAR, 1099 },
	{ "GGOEYHPB072210", "YouTube Twill Cap", RK_HEADGEAR, 1099 },
	{ "GGOEGHPJ080310", "Google Beanie, Heather Grey", RK_HEADGEAR,
	    1599 },
	{ "GGOEGOLC014299", "Google Spiral Journal with Pen", RK_NOTEBOOKS,
	    999 },
	{ "GGOEGOCB017499", "Leatherette Journal", RK_NOTEBOOKS, 1199 },
	{ "GGOEGOCL077699", "Google Hard Cover Journal", RK_NOTEBOOKS, 1519 },
	{ "GGOEWXXX082799", "Waze Baby on Board Window Decal", RK_WAZE, 399 },
	{ "GGOEWDHQ088099", "Waze Mood Happy Mug", RK_WAZE, 699 },
	{ "GGOEWAEA083899", "Waze Men's Typography Short Sleeve Tee",
	    RK_WAZE, 1439 },
	/* the category nobody set a coupon or a tax for: keep it last */
	{ "GGOEGGCX056299", "Gift Card - $50.00", RK_GIFT, 5000 },
	{ "GGOEGGCX056399", "Gift Card - $100.00", RK_GIFT, 10000 },
};
#define NSKU		(sizeof skus / sizeof skus[0])
#define NSKU_REF	(NSKU - 2)	/* the SKUs before the gift cards */

static const char *const rlocations[] = { "Chicago", "California",
    "New York", "New Jersey", "Washington DC" };
static const unsigned rloc_pct[] = { 35, 31, 19, 9, 6 };
#define NRLOC	5
static const char *const coupon_status[] = { "Clicked", "Used",
    "Not Used" };
static const unsigned coupon_pct[] = { 50, 34, 16 };
static const int32_t delivery_cents[] = { 650, 650, 650, 650, 0, 0, 600,
    1299, 1999, 7500 };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

#define RC_ID0	12346		/* the first CustomerID */
#define RT_ID0	16679		/* the first Transaction_ID */

/* The customers the sales may name: the valid rows of retail_customers,
 * and the first id past every row, where the unknown ones begin. */
static struct {
	uint32_t	*id;
	size_t		 n, cap;
	uint32_t	 next;
} rcust;

/* ---- retail: customers ---- */

enum { RC_NONE, RC_NOID, RC_GENDER, RC_LOCATION, RC_TENURE, RC_N };

struct rcrec {
	uint32_t	id;
	uint8_t		defect, variant, delta;
};

static int
rcust_make(struct gen *g, void *rp, int kind)
{
	struct rcrec *r = rp;

	memset(r, 0, sizeof *r);
	r->id = (uint32_t)(RC_ID0 - 1 + ++g->seq);
	if (kind == K_INVALID)
		r->defect = 1 + (uint8_t)below(&g->r, RC_N - 1);
	return kind;
}

static void
rcust_resend(struct gen *g, void *rp)
{
	struct rcrec *r = rp;

	/* a later export restates the customer: moved, or longer tenure */
	r->variant = 1 + (uint8_t)below(&g->r, 2);
	r->delta = 1 + (uint8_t)below(&g->r, 6);
}

static void
rcust_render(struct gen *g, const void *rp)
{
	const struct rcrec *r = rp;
	uint64_t h = mix(g->seed ^ 0x72637573ULL, r->id);
	unsigned u = (unsigned)hbelow(rotl(h, 9), 100), loc, tenure;
	char *w = room(g, 128);

	for (loc = 0; u >= rloc_pct[loc]; u -= rloc_pct[loc], loc++)
		;
	tenure = 2 + (unsigned)hbelow(rotl(h, 21), 49);
	if (r->variant == 2 && tenure + r->delta <= 50)
		tenure += r->delta;
	else if (r->variant != 0)	/* past 50 months, a move instead */
		loc = (loc + 1 + r->delta % 4u) % NRLOC;
	if (r->defect != RC_NOID)
		w = num(w, r->id, 1);
	*w++ = ',';
	if (r->defect == RC_GENDER)
		*w++ = 'X';
	else
		*w++ = hbelow(h, 100) < 64 ? 'F' : 'M';
	*w++ = ',';
	if (r->defect != RC_LOCATION)
		w = puts0(w, rlocations[loc]);
	*w++ = ',';
	if (r->defect == RC_TENURE)
		*w++ = '-';
	w = num(w, tenure, 1);
	*w++ = '\n';
	done_line(g, w);
}

static void
rcust_tally(struct gen *g, const void *rp)
{
	const struct rcrec *r = rp;

	(void)g;
	if (rcust.n == rcust.cap) {
		rcust.cap = rcust.cap ? rcust.cap * 2 : 256;
		rcust.id = mx_reallocarray(rcust.id, rcust.cap,
		    sizeof *rcust.id);
	}
	rcust.id[rcust.n++] = r->id;
}

/* ---- retail: sales ---- */

enum { RS_NONE, RS_NOCUST, RS_QTYNEG, RS_PRICESTR, RS_DATE, RS_COUPON,
    RS_NOSKU, RS_N };

struct rsrec {
	uint32_t	cust, txn;
	int32_t		day;
	uint8_t		sku, qty, coupon, deliv, defect, unknown;
};

/* A transaction: its lines share the customer, the date and the
 * delivery charge, and have distinct SKUs. */
struct rtxn {
	uint32_t	cust, txn;
	int32_t		day;
	uint8_t		deliv, left, nused, unknown, used[3];
};

/* the state: the transaction the regular lines are filling */
static void
rsale_init(struct gen *g)
{
	g->st = mx_calloc(1, sizeof(struct rtxn));
}

static void
rtxn_new(struct gen *g, struct rtxn *t, int64_t day, unsigned lines)
{
	unsigned u;

	memset(t, 0, sizeof *t);
	t->txn = (uint32_t)(RT_ID0 - 1 + ++g->seq);
	t->day = (int32_t)day;
	t->left = (uint8_t)lines;
	if (below(&g->r, 1000) < 10 || rcust.n == 0) {
		/* past every customers row: an unknown member */
		t->cust = rcust.next + (uint32_t)below(&g->r, 1000);
		t->unknown = 1;
	} else	/* a few customers buy often */
		t->cust = rcust.id[pct(&g->r, 50) ? below(&g->r, rcust.n) :
		    below(&g->r, below(&g->r, rcust.n) + 1)];
	u = (unsigned)below(&g->r, sizeof delivery_cents /
	    sizeof delivery_cents[0]);
	t->deliv = (uint8_t)u;
}

/* The next line of t: a SKU it does not hold yet. */
static void
rtxn_line(struct gen *g, struct rtxn *t, struct rsrec *r)
{
	unsigned u, k, sku;

	memset(r, 0, sizeof *r);
	for (;;) {
		if (below(&g->r, 1000) < 5)
			sku = NSKU_REF + (unsigned)below(&g->r, NSKU - NSKU_REF);
		else if (pct(&g->r, 50))
			sku = (unsigned)below(&g->r, NSKU_REF);
		else	/* the thermostats and the tees sell most */
			sku = (unsigned)below(&g->r, below(&g->r, NSKU_REF) +
			    1);
		for (k = 0; k < t->nused && t->used[k] != sku; k++)
			;
		if (k == t->nused)
			break;
	}
	t->used[t->nused++] = (uint8_t)sku;
	t->left--;
	r->cust = t->cust;
	r->txn = t->txn;
	r->day = t->day;
	r->deliv = t->deliv;
	r->unknown = t->unknown;
	r->sku = (uint8_t)sku;
	u = (unsigned)below(&g->r, 100);
	r->qty = (uint8_t)(u < 60 ? 1 : u < 85 ? 2 + below(&g->r, 2) :
	    u < 95 ? 4 + below(&g->r, 5) : 9 + below(&g->r, 12));
	for (u = (unsigned)below(&g->r, 100); u >= coupon_pct[r->coupon];
	    u -= coupon_pct[r->coupon], r->coupon++)
		;
}

static int
rsale_make(struct gen *g, void *rp, int kind)
{
	struct rtxn *t = g->st, one;
	struct rsrec *r = rp;
	int64_t day = floordiv(now(g), DAY_US), lag;
	unsigned u;

	if (kind == K_NORMAL) {
		if (t->left == 0) {
			u = (unsigned)below(&g->r, 100);
			rtxn_new(g, t, day, u < 65 ? 1 : u < 90 ? 2 : 3);
		}
		rtxn_line(g, t, r);
		return kind;
	}
	/* late, invalid and malformed lines are transactions of their own,
	 * so that the regular ones stay whole */
	if (kind == K_LATE) {
		/* one to seven days back, never before --from */
		lag = day - opt.from < 7 ? day - opt.from : 7;
		if (lag > 0)
			day -= 1 + (int64_t)below(&g->r, (uint64_t)lag);
	}
	rtxn_new(g, &one, day, 1);
	rtxn_line(g, &one, r);
	if (kind == K_INVALID)
		r->defect = 1 + (uint8_t)below(&g->r, RS_N - 1);
	return kind;
}

static void
rsale_resend(struct gen *g, void *rp)
{
	struct rsrec *r = rp;
	unsigned d = 1 + (unsigned)below(&g->r, 3);

	/* the store restated the line: a few more or fewer */
	r->qty = (uint8_t)(r->qty > d ? r->qty - d : r->qty + d);
}

static void
rsale_render(struct gen *g, const void *rp)
{
	const struct rsrec *r = rp;
	char *w = room(g, 256);

	if (r->defect != RS_NOCUST)
		w = num(w, r->cust, 1);
	*w++ = ',';
	w = num(w, r->txn, 1);
	*w++ = ',';
	if (r->defect == RS_DATE)
		w = usdate(w, r->day * DAY_US) - 9;
	else
		w = date10(w, r->day);
	*w++ = ',';
	if (r->defect != RS_NOSKU)
		w = puts0(w, skus[r->sku].sku);
	*w++ = ',';
	w = cesc(w, skus[r->sku].desc);
	*w++ = ',';
	w = cesc(w, rcats[skus[r->sku].cat].name);
	*w++ = ',';
	if (r->defect == RS_QTYNEG)
		*w++ = '-';
	w = num(w, r->qty, 1);
	*w++ = ',';
	if (r->defect == RS_PRICESTR)
		PUT(w, "abc");
	else
		w = fixed(w, skus[r->sku].cents, 2);
	*w++ = ',';
	w = fixed(w, delivery_cents[r->deliv], 2);
	*w++ = ',';
	w = puts0(w, r->defect == RS_COUPON ? "Expired" :
	    coupon_status[r->coupon]);
	*w++ = '\n';
	done_line(g, w);
}

static void
rsale_tally(struct gen *g, const void *rp)
{
	const struct rsrec *r = rp;
	struct mx_dec v;

	g->timesum += (int64_t)r->day * 86400;
	v.v = (__int128)skus[r->sku].cents * r->qty;
	v.scale = 2;
	mx_dec_add(&g->sum, &v);
	if (r->unknown)
		g->cnt[0]++;
	if (skus[r->sku].cat == RK_GIFT)
		g->cnt[1]++;
}

static void
rsale_stats(struct gen *g, struct mx_buf *b)
{
	char t[48];

	mx_dec_fmt_scale(&g->sum, 2, t);
	mx_buf_printf(b, ",\"revenue\":\"%s\",\"unknown_customers\":%ju,"
	    "\"unknown_categories\":%ju", t, g->cnt[0], g->cnt[1]);
}

/* ---- retail: the reference tables ---- */

/* Their records are numbered rows, drawn from the seed and the row alone:
 * no rates apply, and the bytes depend on nothing else. */
struct rrow {
	uint32_t	i;
};

static int
rrow_make(struct gen *g, void *rp, int kind)
{
	struct rrow *r = rp;

	r->i = (uint32_t)g->seq++;
	return kind;
}

static void
rcoupon_render(struct gen *g, const void *rp)
{
	const struct rrow *r = rp;
	unsigned m = r->i / NRCAT_REF, c = r->i % NRCAT_REF;
	/* the discounts of a category cycle through the year */
	unsigned p = 10 * (1 + (m + (unsigned)hbelow(mix(g->seed, c), 3)) %
	    3);
	char *w = room(g, 128);

	w = puts0(w, months[m]);
	*w++ = ',';
	w = cesc(w, rcats[c].name);
	*w++ = ',';
	w = puts0(w, rcats[c].coupon);
	w = num(w, p, 1);
	*w++ = ',';
	w = num(w, p, 1);
	*w++ = '\n';
	done_line(g, w);
}

static void
rspend_cents(struct gen *g, uint32_t i, int64_t *off, int64_t *on)
{
	uint64_t h = mix(g->seed, i);

	*off = (5 + (int64_t)hbelow(h, 46)) * 10000;
	*on = 32025 + (int64_t)hbelow(rotl(h, 32), 455693 - 32025 + 1);
}

static void
rspend_render(struct gen *g, const void *rp)
{
	const struct rrow *r = rp;
	int64_t off, on;
	char *w = room(g, 64);

	rspend_cents(g, r->i, &off, &on);
	w = date10(w, opt.from + r->i);
	*w++ = ',';
	w = fixed(w, off, 2);
	*w++ = ',';
	w = fixed(w, on, 2);
	*w++ = '\n';
	done_line(g, w);
}

static void
rspend_tally(struct gen *g, const void *rp)
{
	const struct rrow *r = rp;
	int64_t off, on;
	struct mx_dec v = { 0, 2 };

	rspend_cents(g, r->i, &off, &on);
	g->timesum += (opt.from + r->i) * 86400;
	/* offline in sum, online in cnt: cents are whole */
	v.v = off;
	mx_dec_add(&g->sum, &v);
	g->cnt[0] += (uint64_t)on;
}

static void
rspend_stats(struct gen *g, struct mx_buf *b)
{
	char t[48];
	struct mx_dec on = { (__int128)g->cnt[0], 2 };
	char u[48];

	mx_dec_fmt_scale(&g->sum, 2, t);
	mx_dec_fmt_scale(&on, 2, u);
	mx_buf_printf(b, ",\"offline_spend\":\"%s\",\"online_spend\":\"%s\"",
	    t, u);
}

static void
rtax_render(struct gen *g, const void *rp)
{
	const struct rrow *r = rp;
	char *w = room(g, 64);

	w = cesc(w, rcats[r->i].name);
	*w++ = ',';
	w = fixed(w, rcats[r->i].gst, 2);
	*w++ = '\n';
	done_line(g, w);
}

static void
rnone_tally(struct gen *g, const void *rp)
{
	(void)g;
	(void)rp;
}

/* ---- growth ---- */

/*
 * The raw data of a CRM, Meta Ads and GA4 warehouse: HubSpot's contacts
 * and deals exports, Meta's ad insights (level=ad, time_increment=1),
 * GA4's BigQuery export of events, and a table of exchange rates to the
 * dollar.  The ad accounts, campaigns, ad sets and ads are a fixed tree;
 * contacts and GA4 users from Paid Social name its campaigns, so either
 * can be attributed.  About 1% of the deals name a contact that the
 * contacts file does not hold, and one GBP rate is missing on purpose.
 */

static const char *const gcountries[] = { "United States", "Canada",
    "Germany", "France", "United Kingdom" };
static const unsigned gcountry_pct[] = { 40, 10, 20, 12, 18 };
/* the currency of a country, and the Meta account that targets it */
static const uint8_t gcountry_cur[] = { 0, 0, 1, 1, 2 };
static const char *const gcur[] = { "USD", "EUR", "GBP" };
static const char *const gcur_lc[] = { "usd", "eur", "gbp" };	/* stats */

static unsigned
gcountry(uint64_t h)
{
	unsigned u = (unsigned)hbelow(h, 100), k;

	for (k = 0; u >= gcountry_pct[k]; u -= gcountry_pct[k], k++)
		;
	return k;
}

static const char *const maccounts[] = { "1111111111", "2222222222",
    "3333333333" };	/* in the order of gcur */

/* two campaigns per account, two ad sets each */
static const struct {
	const char	*name, *theme, *adset[2];
	uint8_t		 acct;
} mcamps[] = {
	{ "Spring Sale - Prospecting", "Spring", { "US 25-44 - Interests",
	    "US+CA Lookalike 1%" }, 0 },
	{ "Spring Sale - Retargeting", "Spring", { "Site Visitors 30d",
	    "Add to Cart 14d" }, 0 },
	{ "Brand Awareness DE", "Brand", { "DE 18-34 - Broad",
	    "DE 35-54 - Broad" }, 1 },
	{ "Lead Gen FR", "Leads", { "FR 25-54 - Interests",
	    "FR Lookalike 2%" }, 1 },
	{ "Lead Gen UK", "Leads", { "UK 25-54 - Interests",
	    "UK Lookalike 1%" }, 2 },
	{ "Spring Sale UK - Retargeting", "Spring", { "UK Site Visitors 30d",
	    "UK Engaged Shoppers" }, 2 },
};
#define NMCAMP	6
#define MADS_C	5		/* ads a campaign: 2 + 3 or 3 + 2 */
#define NMADS	(NMCAMP * MADS_C)
static const char *const adformats[] = { "Carousel", "Video",
    "Single Image" };

/* Ad a: its campaign, ad set (0, 1) and number in the campaign (1..5). */
static void
mad(unsigned a, unsigned *c, unsigned *set, unsigned *k)
{
	*c = a / MADS_C;
	*k = a % MADS_C + 1;
	*set = *k > 2 + *c % 2;
}

/* A Paid Social campaign for a country: one of its account's two. */
static unsigned
gcampaign(unsigned country, uint64_t h)
{
	return 2u * gcountry_cur[country] + (unsigned)(h >> 7 & 1);
}

/* "YYYY-MM-DD HH:MM", as HubSpot exports a time */
static char *
hsminute(char *w, int64_t us)
{
	char t[32];

	stamp(t, us, 0);
	t[10] = ' ';
	return put(w, t, 16);
}

#define HC_ID0	1000001		/* the first contact's Record ID */
#define HD_ID0	5000001		/* the first deal's */

/* The contacts the deals may name: the valid rows of hubspot_contacts,
 * in the order of their Create Date, and the first id past every row. */
static struct {
	uint32_t	*id;
	uint8_t		*country;
	int64_t		*created;
	size_t		 n, cap;
	uint32_t	 next;
} hcont;

/* ---- growth: HubSpot contacts ---- */

static const char *const hstages[] = { "Subscriber", "Lead",
    "Marketing Qualified Lead", "Sales Qualified Lead", "Opportunity",
    "Customer" };
static const unsigned hstage_pct[] = { 15, 30, 20, 12, 10, 13 };
#define HS_CUSTOMER	5
static const char *const hsources[] = { "Paid Social", "Paid Search",
    "Organic Search", "Direct Traffic", "Email Marketing", "Referrals" };
static const unsigned hsource_pct[] = { 40, 15, 15, 12, 10, 8 };

enum { HC_NONE, HC_NOID, HC_MAIL, HC_DATE, HC_STAGE, HC_N };

struct hcrec {
	int64_t		created, modified;	/* whole minutes */
	uint32_t	id;
	uint8_t		stage, defect;
};

/* the last minute of the range, which no Last Modified Date passes */
static int64_t
hc_end(void)
{
	return (opt.to + 1) * DAY_US - 60 * US;
}

static uint64_t
hc_hash(struct gen *g, uint32_t id)
{
	return mix(g->seed ^ 0x68636f6eULL, id);
}

static int
hcont_make(struct gen *g, void *rp, int kind)
{
	struct hcrec *r = rp;
	unsigned u;

	memset(r, 0, sizeof *r);
	r->id = (uint32_t)(HC_ID0 - 1 + ++g->seq);
	/* the clock ends an hour early: a restatement has room */
	r->created = floordiv(now(g), 60 * US) * 60 * US;
	r->modified = r->created + (int64_t)below(&g->r, (uint64_t)((hc_end() -
	    r->created) / 2 / (60 * US) + 1)) * 60 * US;
	for (u = (unsigned)below(&g->r, 100); u >= hstage_pct[r->stage];
	    u -= hstage_pct[r->stage], r->stage++)
		;
	if (kind == K_INVALID)
		r->defect = 1 + (uint8_t)below(&g->r, HC_N - 1);
	return kind;
}

static void
hcont_resend(struct gen *g, void *rp)
{
	struct hcrec *r = rp;
	uint64_t room = (uint64_t)((hc_end() - r->modified) / (60 * US));
	uint64_t m = 1 + below(&g->r, room > 0 ? room : 1);

	/* a later export: modified since, one or two stages on, the later
	 * the further, so the latest restatement has the latest stage */
	r->modified += (int64_t)m * 60 * US;
	r->stage += (uint8_t)(1 + 2 * m / (room + 1));
	if (r->stage > HS_CUSTOMER)
		r->stage = HS_CUSTOMER;
}

static void
hcont_render(struct gen *g, const void *rp)
{
	const struct hcrec *r = rp;
	uint64_t h = hc_hash(g, r->id), i = r->id - HC_ID0;
	/* a bijection of the ids onto the pairs of names (317 is prime to
	 * their 480), a number after the pair once they run out: the
	 * addresses are unique */
	uint64_t c = (i * 317 + hbelow(g->seed, NFIRST * NLAST)) %
	    (NFIRST * NLAST), k = i / (NFIRST * NLAST);
	const struct person *f = &firsts[c % NFIRST], *l = &lasts[c / NFIRST];
	unsigned country = gcountry(rotl(h, 9)), src;
	unsigned u = (unsigned)hbelow(rotl(h, 23), 100);
	char *w = room(g, 512);

	for (src = 0; u >= hsource_pct[src]; u -= hsource_pct[src], src++)
		;
	if (r->defect != HC_NOID)
		w = num(w, r->id, 1);
	*w++ = ',';
	w = cesc(w, f->name);
	*w++ = ',';
	w = cesc(w, l->name);
	*w++ = ',';
	w = puts0(w, f->mail);
	*w++ = '.';
	w = puts0(w, l->mail);
	if (k > 0)
		w = num(w, k + 1, 1);
	if (r->defect != HC_MAIL)
		*w++ = '@';
	PUT(w, "example.com,");
	w = puts0(w, r->defect == HC_STAGE ? "Zombie" : hstages[r->stage]);
	*w++ = ',';
	w = puts0(w, hsources[src]);
	*w++ = ',';
	if (src == 0)
		w = puts0(w, mcamps[gcampaign(country, h)].name);
	*w++ = ',';
	w = puts0(w, gcountries[country]);
	*w++ = ',';
	if (r->defect == HC_DATE)	/* 03/04/2024 10:05 */
		w = usdate(w, r->created) - 3;
	else
		w = hsminute(w, r->created);
	*w++ = ',';
	w = hsminute(w, r->modified);
	*w++ = '\n';
	done_line(g, w);
}

static void
hcont_tally(struct gen *g, const void *rp)
{
	const struct hcrec *r = rp;
	uint64_t h = hc_hash(g, r->id);

	g->timesum += r->created / US;
	if (hbelow(rotl(h, 23), 100) < hsource_pct[0])
		g->cnt[0]++;
	if (hcont.n == hcont.cap) {
		hcont.cap = hcont.cap ? hcont.cap * 2 : 256;
		hcont.id = mx_reallocarray(hcont.id, hcont.cap,
		    sizeof *hcont.id);
		hcont.country = mx_reallocarray(hcont.country, hcont.cap,
		    sizeof *hcont.country);
		hcont.created = mx_reallocarray(hcont.created, hcont.cap,
		    sizeof *hcont.created);
	}
	hcont.id[hcont.n] = r->id;
	hcont.country[hcont.n] = (uint8_t)gcountry(rotl(h, 9));
	hcont.created[hcont.n++] = r->created;
}

static void
hcont_stats(struct gen *g, struct mx_buf *b)
{
	mx_buf_printf(b, ",\"paid_social\":%ju", g->cnt[0]);
}

/* ---- growth: HubSpot deals ---- */

static const char *const hdstages[] = { "Appointment Scheduled",
    "Qualified To Buy", "Presentation Scheduled", "Decision Maker Bought-In",
    "Contract Sent", "Closed Won", "Closed Lost" };
static const unsigned hdstage_pct[] = { 10, 10, 9, 8, 8, 35, 20 };
#define HD_WON	5
#define HD_LOST	6
/* the companies of each currency's countries; some names need quotes */
static const char *const hcompanies[3][4] = {
	{ "Acme Corp", "Globex, Inc.", "Initech LLC", "Hooli" },
	{ "Acme GmbH", "Müller & Söhne KG", "Dupont SARL",
	    "Lumière Conseil, SA" },
	{ "Stark & Co Ltd", "Wonka Industries, plc", "Hobbs Ltd",
	    "Pemberton, Hale & Co" },
};
static const char *const hplans[] = { "Annual plan", "Monthly plan",
    "Enterprise license", "Pilot - 3 months", "Renewal",
    "Upsell, 10 seats" };

enum { HD_NONE, HD_AMTSTR, HD_AMTNEG, HD_CUR, HD_CLOSE, HD_NOCONTACT,
    HD_N };

struct hdrec {
	uint32_t	id, contact, cents;
	int32_t		created, closed;	/* days */
	uint8_t		stage, cur, defect, unknown;
};

/* A deal closed: won about 64 times in 100, some day from its creation
 * to --to. */
static void
hdeal_close(struct gen *g, struct hdrec *r)
{
	r->stage = pct(&g->r, 64) ? HD_WON : HD_LOST;
	r->closed = r->created + (int32_t)below(&g->r, (uint64_t)(opt.to -
	    r->created + 1));
}

static int
hdeal_make(struct gen *g, void *rp, int kind)
{
	struct hdrec *r = rp;
	int64_t day = floordiv(now(g), DAY_US), lag, end;
	size_t lo, hi, mid;
	double u;
	unsigned x;

	memset(r, 0, sizeof *r);
	r->id = (uint32_t)(HD_ID0 - 1 + ++g->seq);
	if (kind == K_LATE) {	/* one to seven days back, not before --from */
		lag = day - opt.from < 7 ? day - opt.from : 7;
		if (lag > 0)
			day -= 1 + (int64_t)below(&g->r, (uint64_t)lag);
	}
	r->created = (int32_t)day;
	/* one deal in a hundred, not a draw: a small file would otherwise
	 * hold several and pass a lake's threshold of unknown members */
	if (g->seq % 100 == 50 || hcont.n == 0) {
		/* past every contacts row: an unknown member */
		r->contact = hcont.next + (uint32_t)below(&g->r, 1000);
		r->unknown = 1;
		r->cur = gcountry_cur[gcountry(rnd(&g->r))];
	} else {
		/* a contact created by the end of the deal's day */
		end = (day + 1) * DAY_US;
		for (lo = 0, hi = hcont.n; lo < hi;)
			if (hcont.created[mid = lo + (hi - lo) / 2] < end)
				lo = mid + 1;
			else
				hi = mid;
		mid = below(&g->r, lo > 0 ? lo : hcont.n);
		r->contact = hcont.id[mid];
		r->cur = gcountry_cur[hcont.country[mid]];
	}
	u = (double)below(&g->r, 1u << 20) / (1u << 20);
	r->cents = 20000 + (uint32_t)((2000000 - 20000) * u * u);
	for (x = (unsigned)below(&g->r, 100); x >= hdstage_pct[r->stage];
	    x -= hdstage_pct[r->stage], r->stage++)
		;
	r->closed = -1;
	if (r->stage >= HD_WON)
		r->closed = r->created + (int32_t)below(&g->r,
		    (uint64_t)(opt.to - r->created + 1));
	if (kind == K_INVALID) {
		r->defect = 1 + (uint8_t)below(&g->r, HD_N - 1);
		if (r->defect == HD_CLOSE && r->closed < 0)
			hdeal_close(g, r);
	}
	return kind;
}

static void
hdeal_resend(struct gen *g, void *rp)
{
	struct hdrec *r = rp;
	uint32_t c;

	if (r->stage < HD_WON && pct(&g->r, 70)) {
		/* moved on in the pipeline, or closed */
		r->stage += 1 + (uint8_t)below(&g->r, 2);
		if (r->stage >= HD_WON)
			hdeal_close(g, r);
		return;
	}
	/* the amount renegotiated, by up to 15% */
	c = (uint32_t)((uint64_t)r->cents * (85 + below(&g->r, 31)) / 100);
	c = c < 20000 ? 20000 : c > 2000000 ? 2000000 : c;
	if (c == r->cents)	/* changed all the same */
		c = c < 1000000 ? c + 100 : c - 100;
	r->cents = c;
}

static void
hdeal_render(struct gen *g, const void *rp)
{
	const struct hdrec *r = rp;
	uint64_t h = mix(g->seed ^ 0x6465616cULL, r->id);
	char *w = room(g, 512), name[96], *n = name;

	w = num(w, r->id, 1);
	*w++ = ',';
	n = puts0(n, hcompanies[r->cur][hbelow(h, 4)]);
	PUT(n, " - ");
	n = puts0(n, hplans[hbelow(rotl(h, 17), 6)]);
	*n = '\0';
	w = cesc(w, name);
	PUT(w, ",Sales Pipeline,");
	w = puts0(w, hdstages[r->stage]);
	*w++ = ',';
	if (r->defect == HD_AMTSTR)
		PUT(w, "abc");
	else
		w = fixed(w, r->defect == HD_AMTNEG ? -(int64_t)r->cents :
		    r->cents, 2);
	*w++ = ',';
	w = puts0(w, r->defect == HD_CUR ? "XXX" : gcur[r->cur]);
	*w++ = ',';
	w = date10(w, r->created);
	*w++ = ',';
	if (r->closed >= 0) {
		if (r->defect == HD_CLOSE)	/* 03/04/2024 */
			w = usdate(w, r->closed * DAY_US) - 9;
		else
			w = date10(w, r->closed);
	}
	*w++ = ',';
	if (r->defect != HD_NOCONTACT)
		w = num(w, r->contact, 1);
	*w++ = '\n';
	done_line(g, w);
}

static void
hdeal_tally(struct gen *g, const void *rp)
{
	const struct hdrec *r = rp;

	g->timesum += (int64_t)r->created * 86400;
	if (r->unknown)
		g->cnt[0]++;
	if (r->stage == HD_WON)
		g->cnt[1]++;
}

static void
hdeal_stats(struct gen *g, struct mx_buf *b)
{
	mx_buf_printf(b, ",\"unknown_contacts\":%ju,\"closed_won\":%ju",
	    g->cnt[0], g->cnt[1]);
}

/* ---- growth: Meta ads insights ---- */

/*
 * One row per ad and day, the slots of spend: a late row is a day held
 * back and sent one to seven days later, invalid and malformed lines are
 * broken copies of rows already sent.  The numbers of a row come from the
 * seed, the ad and the day; a same-key duplicate is the row pulled again
 * once the numbers settled.
 */

enum { MA_LINK, MA_LPV, MA_LEAD, MA_BUY, NMA };
static const char *const mactions[NMA] = { "link_click",
    "landing_page_view", "lead", "purchase" };

enum { MD_NONE, MD_SPEND, MD_IMPR, MD_NODATE, MD_ACTION, MD_N };

struct mrec {
	int64_t		spend, value;	/* cents of the account's currency */
	uint32_t	slot, impr, clicks, act[NMA];
	uint8_t		ord, defect;	/* ord: a permutation, 0 the usual */
};

static void
meta_init(struct gen *g)
{
	spend_init(g);
	((struct spend *)g->st)->maxlag = 7;
}

/* n * lo/100 .. n * hi/100, from the bits of h */
static uint32_t
share(uint32_t n, uint64_t h, unsigned lo, unsigned hi)
{
	return (uint32_t)((uint64_t)n * (lo + hbelow(h, hi - lo + 1)) / 100);
}

static void
meta_numbers(struct gen *g, struct mrec *r)
{
	unsigned a = r->slot % NMADS, c = a / MADS_C;
	int64_t day = g->t0 / DAY_US + r->slot / NMADS;
	uint64_t ha = mix(g->seed ^ 0x6164ULL, a), h = mix(g->seed, r->slot);
	double f = 0.6 + 0.8 * (double)(h >> 11) / 9007199254740992.0;
	uint32_t base, lpv;
	const char *theme = mcamps[c].theme;

	/* one ad in eight barely delivers: rows without actions */
	base = hbelow(ha, 8) == 0 ? 5 + (uint32_t)hbelow(rotl(ha, 8), 150) :
	    800 + (uint32_t)hbelow(rotl(ha, 8), 11200);
	if (mx_time_dow(day * 86400) >= 6)
		f *= 0.85;
	r->impr = (uint32_t)llround(base * f);
	if (r->impr == 0)
		r->impr = 1;
	/* a click-through rate of 0.4% to 3% */
	r->clicks = (uint32_t)((uint64_t)r->impr * (40 + hbelow(rotl(ha, 16),
	    261)) * (80 + hbelow(rotl(h, 8), 41)) / 1000000);
	r->act[MA_LINK] = share(r->clicks, rotl(h, 16), 60, 90);
	lpv = r->act[MA_LPV] = share(r->act[MA_LINK], rotl(h, 24), 55, 90);
	r->act[MA_LEAD] = theme[0] == 'L' ? share(lpv, rotl(h, 32), 8, 20) :
	    share(lpv, rotl(h, 32), 0, 3);
	r->act[MA_BUY] = theme[0] == 'S' ? share(lpv, rotl(h, 40), 2, 8) :
	    theme[0] == 'B' ? share(lpv, rotl(h, 40), 0, 2) : 0;
	r->value = (int64_t)r->act[MA_BUY] * (3000 + (int64_t)hbelow(rotl(h,
	    48), 12001));
	/* a cost per thousand impressions of 4.00 to 15.00 */
	r->spend = ((int64_t)r->impr * (400 + (int64_t)hbelow(rotl(ha, 24),
	    1101)) + 500) / 1000;
	if (r->spend == 0)
		r->spend = 1;
	r->ord = hbelow(rotl(h, 56), 5) == 0 ? 1 + (uint8_t)hbelow(rotl(h,
	    4), 23) : 0;
}

static int
meta_make(struct gen *g, void *rp, int kind)
{
	struct mrec *r = rp;

	if (kind == K_INVALID || kind == K_BAD) {
		memcpy(r, ring_pick(g), sizeof *r);
		if (kind == K_INVALID) {
			r->defect = 1 + (uint8_t)below(&g->r, MD_N - 1);
			/* no link clicks, no actions at all */
			if (r->defect == MD_ACTION && r->act[MA_LINK] == 0)
				r->defect = MD_SPEND;
		}
		return kind;
	}
	memset(r, 0, sizeof *r);
	r->slot = (uint32_t)next_slot(g, &kind);
	meta_numbers(g, r);
	return kind;
}

/* x plus up to d more, at most cap */
static uint32_t
upto(struct gen *g, uint32_t x, uint32_t d, uint32_t cap)
{
	x += (uint32_t)below(&g->r, (uint64_t)d + 1);
	return x < cap ? x : cap;
}

static void
meta_resend(struct gen *g, void *rp)
{
	struct mrec *r = rp;
	uint32_t c = r->clicks;

	/* pulled again days later: the attribution window filled in */
	r->clicks += 1 + (uint32_t)below(&g->r, c / 10 + 2);
	if (r->impr < r->clicks)
		r->impr = r->clicks;
	r->act[MA_LINK] = upto(g, r->act[MA_LINK], r->clicks - c, r->clicks);
	r->act[MA_LPV] = upto(g, r->act[MA_LPV], r->clicks - c,
	    r->act[MA_LINK]);
	if (pct(&g->r, 30))
		r->act[MA_LEAD]++;
	if (r->act[MA_BUY] > 0 && pct(&g->r, 20)) {
		r->value += r->value / r->act[MA_BUY];
		r->act[MA_BUY]++;
	}
}

static void
meta_render(struct gen *g, const void *rp)
{
	const struct mrec *r = rp;
	unsigned a = r->slot % NMADS, c, set, k, i, p, j, t, o[NMA];
	int64_t day = g->t0 / DAY_US + r->slot / NMADS;
	int first = 1;
	char *w = room(g, 1024);

	mad(a, &c, &set, &k);
	PUT(w, "{\"account_id\":\"");
	w = puts0(w, maccounts[mcamps[c].acct]);
	PUT(w, "\",\"account_currency\":\"");
	w = puts0(w, gcur[mcamps[c].acct]);
	PUT(w, "\",\"campaign_id\":\"");
	w = num(w, 23850000000000001ULL + c, 1);
	PUT(w, "\",\"campaign_name\":\"");
	w = jesc(w, mcamps[c].name);
	PUT(w, "\",\"adset_id\":\"");
	w = num(w, 23851000000000000ULL + (c + 1) * 10 + set + 1, 1);
	PUT(w, "\",\"adset_name\":\"");
	w = jesc(w, mcamps[c].adset[set]);
	PUT(w, "\",\"ad_id\":\"");
	w = num(w, 23852000000000000ULL + (c + 1) * 100 + (set + 1) * 10 + k,
	    1);
	PUT(w, "\",\"ad_name\":\"");
	w = puts0(w, adformats[(c + k) % 3]);
	PUT(w, " - ");
	w = puts0(w, mcamps[c].theme);
	*w++ = ' ';
	w = num(w, k, 2);
	*w++ = '"';
	if (r->defect != MD_NODATE) {
		PUT(w, ",\"date_start\":\"");
		w = date10(w, day);
		*w++ = '"';
	}
	PUT(w, ",\"date_stop\":\"");
	w = date10(w, day);
	PUT(w, "\",\"impressions\":\"");
	if (r->defect == MD_IMPR)
		PUT(w, "abc");
	else
		w = num(w, r->impr, 1);
	PUT(w, "\",\"clicks\":\"");
	w = num(w, r->clicks, 1);
	PUT(w, "\",\"spend\":\"");
	w = r->defect == MD_SPEND ? put(w, "-1.00", 5) : fixed(w, r->spend, 2);
	*w++ = '"';
	/* the action types in the permutation ord (Lehmer code), the ones
	 * with a count only */
	for (i = 0; i < NMA; i++)
		o[i] = i;
	for (p = r->ord, i = 0; i < NMA - 1; i++) {
		j = i + p % (NMA - i);
		p /= NMA - i;
		t = o[i];
		o[i] = o[j];
		o[j] = t;
	}
	for (i = 0; i < NMA; i++) {
		if (r->act[o[i]] == 0)
			continue;
		if (first)
			PUT(w, ",\"actions\":[");
		else
			*w++ = ',';
		PUT(w, "{\"action_type\":\"");
		w = puts0(w, mactions[o[i]]);
		PUT(w, "\",\"value\":\"");
		if (r->defect == MD_ACTION && first)
			*w++ = 'x';
		else
			w = num(w, r->act[o[i]], 1);
		PUT(w, "\"}");
		first = 0;
	}
	if (!first)
		*w++ = ']';
	if (r->act[MA_BUY] > 0) {
		PUT(w, ",\"action_values\":[{\"action_type\":\"purchase\","
		    "\"value\":\"");
		w = fixed(w, r->value, 2);
		PUT(w, "\"}]");
	}
	PUT(w, "}\n");
	done_line(g, w);
}

static void
meta_tally(struct gen *g, const void *rp)
{
	const struct mrec *r = rp;

	g->timesum += (g->t0 / DAY_US + r->slot / NMADS) * 86400;
	g->cnt[0] += r->impr;
	g->cnt[1] += r->clicks;
	g->cnt[2] += r->act[MA_BUY];
	g->cnt[3 + mcamps[r->slot % NMADS / MADS_C].acct] +=
	    (uint64_t)r->spend;
}

static void
meta_stats(struct gen *g, struct mx_buf *b)
{
	struct mx_dec v;
	char t[48];
	int k;

	mx_buf_printf(b, ",\"impressions\":%ju,\"clicks\":%ju,"
	    "\"purchases\":%ju", g->cnt[0], g->cnt[1], g->cnt[2]);
	for (k = 0; k < 3; k++) {
		v.v = (__int128)g->cnt[3 + k];
		v.scale = 2;
		mx_dec_fmt_scale(&v, 2, t);
		mx_buf_printf(b, ",\"spend_%s\":\"%s\"", gcur_lc[k], t);
	}
}

/* ---- growth: GA4 events ---- */

/*
 * Sessions of users, their events in time order: a heap of the sessions
 * under way, on the time of their next event, as calendly's changes.  At
 * each regular line the session whose event is due goes first; when none
 * is, a session starts at the clock.
 */

enum { GE_START, GE_VIEW, GE_CART, GE_CHECKOUT, GE_BUY, GE_END };
static const char *const gnames[] = { "session_start", "page_view",
    "add_to_cart", "begin_checkout", "purchase" };
/* the pages: home, products 1..NGPROD, the rest, then checkout */
static const char *const gpages[] = { "/", "/products/eco-lamp",
    "/products/travel-mug", "/products/wireless-headphones",
    "/products/yoga-mat", "/products/canvas-tote",
    "/collections/spring-sale", "/blog/spring-lookbook", "/about",
    "/checkout", "/checkout/thank-you" };
#define NGPROD		5
#define NGVIEW		9	/* the pages a view may show */
#define GP_CHECKOUT	9
#define GP_THANKS	10
static const char *const gdevices[] = { "mobile", "desktop", "tablet" };
/* the acquisition of the users that are not Meta's: source, medium,
 * name */
static const char *const gsources[3][3] = {
	{ "google", "organic", "(organic)" },
	{ "(direct)", "(none)", "(direct)" },
	{ "newsletter", "email", "march_newsletter" },
};

enum { GD_NONE, GD_NOUSER, GD_TIME, GD_NOSESS, GD_NAME, GD_N };

struct grec {
	int64_t		us, sess;	/* the event; the session's start (s) */
	uint32_t	user, txn, cents, engage;
	uint16_t	snum;
	uint8_t		name, page, ord, defect;
};

struct gsess {
	int64_t		at, start;	/* the next event, the start */
	uint32_t	user;
	uint16_t	snum;
	uint8_t		next, views, nview, cart, checkout, buy, page;
};

struct guser {
	int64_t		first;		/* first visit, seconds */
	uint16_t	nsess;
	uint8_t		active;
};

struct ga4 {
	struct gsess	*q;
	size_t		 nq, capq;
	struct guser	*u;
	size_t		 nu, capu;
	uint32_t	 txn;
};

static void
ga4_init(struct gen *g)
{
	g->st = mx_calloc(1, sizeof(struct ga4));
}

static void
gq_push(struct ga4 *s, const struct gsess *x)
{
	size_t i, p;

	if (s->nq == s->capq) {
		s->capq = s->capq ? s->capq * 2 : 1024;
		s->q = mx_reallocarray(s->q, s->capq, sizeof *s->q);
	}
	for (i = s->nq++; i > 0 && s->q[p = (i - 1) / 2].at > x->at; i = p)
		s->q[i] = s->q[p];
	s->q[i] = *x;
}

static void
gq_pop(struct ga4 *s, struct gsess *x)
{
	struct gsess last = s->q[--s->nq];
	size_t i = 0, k;

	*x = s->q[0];
	for (;;) {
		k = 2 * i + 1;
		if (k >= s->nq)
			break;
		if (k + 1 < s->nq && s->q[k + 1].at < s->q[k].at)
			k++;
		if (s->q[k].at >= last.at)
			break;
		s->q[i] = s->q[k];
		i = k;
	}
	if (s->nq > 0)
		s->q[i] = last;
}

/* A new user, first seen at us. */
static uint32_t
guser_new(struct ga4 *s, int64_t us)
{
	if (s->nu == s->capu) {
		s->capu = s->capu ? s->capu * 2 : 1024;
		s->u = mx_reallocarray(s->u, s->capu, sizeof *s->u);
	}
	s->u[s->nu].first = floordiv(us, US);
	s->u[s->nu].nsess = 0;
	s->u[s->nu].active = 0;
	return (uint32_t)s->nu++;
}

static uint64_t
guser_hash(struct gen *g, uint32_t u)
{
	return mix(g->seed ^ 0x75736572ULL, u);
}

/* The user's currency, by the country. */
static unsigned
guser_cur(struct gen *g, uint32_t u)
{
	return gcountry_cur[gcountry(rotl(guser_hash(g, u), 9))];
}

static int
ga4_make(struct gen *g, void *rp, int kind)
{
	struct ga4 *s = g->st;
	struct grec *r = rp;
	struct gsess x;
	int64_t t = now(g), lo;
	unsigned k;

	memset(r, 0, sizeof *r);
	r->ord = (uint8_t)below(&g->r, 256);
	r->engage = 200 + (uint32_t)below(&g->r, 60000);
	if (kind == K_LATE) {
		/* a view held on a device for days, never before --from:
		 * its session's start is not in the file */
		lo = t - DAY_US - (int64_t)below(&g->r, 6 * DAY_US);
		if (lo < g->t0)
			lo = g->t0 + (int64_t)below(&g->r,
			    (uint64_t)(t - g->t0) + 1);
		r->us = lo;
		r->sess = floordiv(lo, US) - (int64_t)below(&g->r, 600);
		r->user = guser_new(s, r->sess * US);
		r->snum = ++s->u[r->user].nsess;
		r->name = GE_VIEW;
		r->page = (uint8_t)below(&g->r, NGVIEW);
		return kind;
	}
	if (s->nq > 0 && s->q[0].at <= t)
		gq_pop(s, &x);
	else {
		/* a session starts: of a returning user about a third of
		 * the time */
		memset(&x, 0, sizeof x);
		x.at = x.start = t;
		x.user = s->nu > 0 && pct(&g->r, 35) ?
		    (uint32_t)below(&g->r, s->nu) : UINT32_MAX;
		if (x.user == UINT32_MAX || s->u[x.user].active)
			x.user = guser_new(s, t);
		s->u[x.user].active = 1;
		x.snum = ++s->u[x.user].nsess;
		x.next = GE_START;
		x.views = 1 + (uint8_t)below(&g->r, 6);
		x.cart = (uint8_t)pct(&g->r, 30);
		x.checkout = x.cart && pct(&g->r, 55);
		x.buy = x.checkout && pct(&g->r, 65);
		x.page = (uint8_t)below(&g->r, NGVIEW);
	}
	r->us = x.at;
	r->sess = floordiv(x.start, US);
	r->user = x.user;
	r->snum = x.snum;
	r->name = x.next;
	switch (x.next) {
	case GE_START:	/* the landing page, viewed at once */
		r->page = x.page;
		x.next = GE_VIEW;
		x.at += 1000 + (int64_t)below(&g->r, 2 * US);
		break;
	case GE_VIEW:	/* the landing page first, then others */
		if (x.nview++ > 0)
			x.page = (uint8_t)below(&g->r, NGVIEW);
		r->page = x.page;
		x.next = --x.views > 0 ? GE_VIEW : x.cart ? GE_CART : GE_END;
		break;
	case GE_CART:	/* the product on view, or one of them */
		if (x.page < 1 || x.page > NGPROD)
			x.page = 1 + (uint8_t)below(&g->r, NGPROD);
		r->page = x.page;
		x.next = x.checkout ? GE_CHECKOUT : GE_END;
		break;
	case GE_CHECKOUT:
		r->page = GP_CHECKOUT;
		x.next = x.buy ? GE_BUY : GE_END;
		break;
	default:
		r->page = GP_THANKS;
		r->txn = ++s->txn;
		r->cents = 1500 + (uint32_t)below(&g->r, 18501);
		x.next = GE_END;
		break;
	}
	if (r->name != GE_START)
		x.at += (5 + (int64_t)below(&g->r, 115)) * US +
		    (int64_t)below(&g->r, US);
	if (x.next == GE_END)
		s->u[x.user].active = 0;
	else
		gq_push(s, &x);
	if (kind == K_INVALID) {
		k = 1 + (unsigned)below(&g->r, GD_N - 1);
		if (k == GD_NOSESS && r->name != GE_VIEW)
			k = GD_NOUSER;
		r->defect = (uint8_t)k;
	}
	return kind;
}

static char *
gparam(char *w, const char *key, const char *type)
{
	PUT(w, "{\"key\":\"");
	w = puts0(w, key);
	PUT(w, "\",\"value\":{\"");
	w = puts0(w, type);
	PUT(w, "_value\":");
	return w;
}

static void
ga4_render(struct gen *g, const void *rp)
{
	const struct grec *r = rp;
	const struct ga4 *s = g->st;
	uint64_t h = guser_hash(g, r->user), ph;
	unsigned country = gcountry(rotl(h, 9)), o[7], np = 0, i, j, t;
	unsigned u = (unsigned)hbelow(rotl(h, 30), 100);
	char *w = room(g, 1536), d[16];

	/* the parameters, in an order of the event's own */
	if (r->defect != GD_NOSESS)
		o[np++] = 0;
	o[np++] = 1;
	o[np++] = 2;
	if (r->name != GE_START)
		o[np++] = 3;
	if (r->name == GE_BUY) {
		o[np++] = 4;
		o[np++] = 5;
		o[np++] = 6;
	}
	for (ph = mix(0x6f7264ULL, r->ord), i = np - 1; i > 0; i--) {
		j = (unsigned)(ph % (i + 1));
		ph /= i + 1;
		t = o[i];
		o[i] = o[j];
		o[j] = t;
	}
	date10(d, floordiv(r->us, DAY_US));
	PUT(w, "{\"event_date\":\"");
	w = put(w, d, 4);
	w = put(w, d + 5, 2);
	w = put(w, d + 8, 2);
	PUT(w, "\",\"event_timestamp\":\"");
	if (r->defect == GD_TIME)
		PUT(w, "abc");
	else
		w = num(w, (uint64_t)r->us, 1);
	PUT(w, "\",\"event_name\":\"");
	if (r->defect != GD_NAME)
		w = puts0(w, gnames[r->name]);
	*w++ = '"';
	if (r->defect != GD_NOUSER) {
		PUT(w, ",\"user_pseudo_id\":\"");
		w = num(w, 1000000000 + hbelow(h, 1147483648), 1);
		*w++ = '.';
		w = num(w, (uint64_t)s->u[r->user].first, 1);
		*w++ = '"';
	}
	PUT(w, ",\"event_params\":[");
	for (i = 0; i < np; i++) {
		if (i > 0)
			*w++ = ',';
		switch (o[i]) {
		case 0:
			w = gparam(w, "ga_session_id", "int");
			*w++ = '"';
			w = num(w, (uint64_t)r->sess, 1);
			*w++ = '"';
			break;
		case 1:
			w = gparam(w, "ga_session_number", "int");
			*w++ = '"';
			w = num(w, r->snum, 1);
			*w++ = '"';
			break;
		case 2:
			w = gparam(w, "page_location", "string");
			PUT(w, "\"https://shop.example.com");
			w = puts0(w, gpages[r->page]);
			*w++ = '"';
			break;
		case 3:
			w = gparam(w, "engagement_time_msec", "int");
			*w++ = '"';
			w = num(w, r->engage, 1);
			*w++ = '"';
			break;
		case 4:
			w = gparam(w, "transaction_id", "string");
			PUT(w, "\"T");
			w = num(w, r->txn, 6);
			*w++ = '"';
			break;
		case 5:		/* a FLOAT64: 59.9, 60.0, 59.95 */
			w = gparam(w, "value", "double");
			w = num(w, r->cents / 100, 1);
			*w++ = '.';
			w = num(w, r->cents % 10 != 0 ? r->cents % 100 :
			    r->cents % 100 / 10, r->cents % 10 != 0 ? 2 : 1);
			break;
		default:
			w = gparam(w, "currency", "string");
			*w++ = '"';
			w = puts0(w, gcur[gcountry_cur[country]]);
			*w++ = '"';
			break;
		}
		PUT(w, "}}");
	}
	PUT(w, "],\"traffic_source\":{\"name\":\"");
	if (u < 40) {
		w = jesc(w, mcamps[gcampaign(country, h)].name);
		PUT(w, "\",\"medium\":\"cpc\",\"source\":\"facebook\"}");
	} else {
		u = u < 65 ? 0 : u < 90 ? 1 : 2;
		w = puts0(w, gsources[u][2]);
		PUT(w, "\",\"medium\":\"");
		w = puts0(w, gsources[u][1]);
		PUT(w, "\",\"source\":\"");
		w = puts0(w, gsources[u][0]);
		PUT(w, "\"}");
	}
	PUT(w, ",\"device\":{\"category\":\"");
	u = (unsigned)hbelow(rotl(h, 50), 100);
	w = puts0(w, gdevices[u < 60 ? 0 : u < 95 ? 1 : 2]);
	PUT(w, "\"},\"geo\":{\"country\":\"");
	w = puts0(w, gcountries[country]);
	PUT(w, "\"}}\n");
	done_line(g, w);
}

static void
ga4_tally(struct gen *g, const void *rp)
{
	const struct grec *r = rp;

	g->timesum += floordiv(r->us, US);
	if (r->name == GE_START)
		g->cnt[0]++;
	else if (r->name == GE_BUY) {
		g->cnt[1]++;
		g->cnt[2 + guser_cur(g, r->user)] += r->cents;
	}
}

static void
ga4_stats(struct gen *g, struct mx_buf *b)
{
	struct mx_dec v;
	char t[48];
	int k;

	mx_buf_printf(b, ",\"sessions\":%ju,\"purchases\":%ju", g->cnt[0],
	    g->cnt[1]);
	for (k = 0; k < 3; k++) {
		v.v = (__int128)g->cnt[2 + k];
		v.scale = 2;
		mx_dec_fmt_scale(&v, 2, t);
		mx_buf_printf(b, ",\"revenue_%s\":\"%s\"", gcur_lc[k], t);
	}
}

/* ---- growth: exchange rates ---- */

/*
 * US dollars per unit of EUR and GBP, four decimals: a base plus the sum
 * of the last 30 days' steps of up to 0.0030, each step drawn from the
 * seed and its date alone, so that a rate does not depend on --from.
 * GBP has no rate on the range's third day: a gap to refuse, not to fill.
 */

#define FX_GAP	5	/* the slot (day 2, GBP) left out */

static int64_t
fx_rate(struct gen *g, unsigned cur, int64_t day)
{
	int64_t v = cur == 0 ? 10800 : 12600;
	int j;

	for (j = 0; j < 30; j++)
		v += (int64_t)hbelow(mix(g->seed ^ (0x6678ULL + cur),
		    (uint64_t)(day - j)), 61) - 30;
	return v;
}

/* the slot of row i: day i / 2, EUR or GBP */
static uint32_t
fx_slot(uint32_t i)
{
	return opt.to - opt.from >= 2 && i >= FX_GAP ? i + 1 : i;
}

static void
fx_render(struct gen *g, const void *rp)
{
	const struct rrow *r = rp;
	uint32_t s = fx_slot(r->i);
	char *w = room(g, 64);

	w = date10(w, opt.from + s / 2);
	*w++ = ',';
	w = puts0(w, gcur[1 + s % 2]);
	*w++ = ',';
	w = fixed(w, fx_rate(g, s % 2, opt.from + s / 2), 4);
	*w++ = '\n';
	done_line(g, w);
}

static void
fx_tally(struct gen *g, const void *rp)
{
	const struct rrow *r = rp;

	g->timesum += (opt.from + fx_slot(r->i) / 2) * 86400;
}

/* ---- the domains ---- */

enum { D_ECOM, D_SPEND, D_ADS, D_CAL, D_CUST, D_SALES, D_MSPEND, D_RCUST,
    D_RSALES, D_RCOUPON, D_RSPEND, D_RTAX, D_HCONT, D_HDEAL, D_META, D_GA4,
    D_FX, ND };

#define SKIP_LATE	(1u << K_LATE)
#define SKIP_ALL	(1u << K_LATE | 1u << K_DUP | 1u << K_KEYDUP | \
			    1u << K_INVALID | 1u << K_BAD)

static const struct domain domains[ND] = {
	{ "ecommerce", "ecommerce.ndjson", NULL, sizeof(struct erec), 0,
	    ecom_init, ecom_make, ecom_resend, ecom_render, ecom_tally,
	    ecom_stats, 0 },
	{ "spend", "spend.ndjson", NULL, sizeof(struct srec), NCHAN,
	    spend_init, spend_make, spend_resend, spend_render, spend_tally,
	    spend_stats, 0 },
	{ "adclicks", "adclicks.ndjson", NULL, sizeof(struct arec), 0, NULL,
	    ads_make, ads_resend, ads_render, ads_tally, ads_stats, 0 },
	{ "calendly", "calendly.ndjson", NULL, sizeof(struct crec), 0,
	    cal_init, cal_make, cal_resend, cal_render, cal_tally, cal_stats, 0 },
	{ "customers", "customers.csv",
	    "customer_id,name,email,country,signup_date,segment\n",
	    sizeof(struct urec), 0, NULL, cust_make, cust_resend,
	    cust_render, cust_tally, cust_stats, 0 },
	{ "online_sales", "online_sales.csv",
	    "order_id,customer_id,product_id,product_name,category,quantity,"
	    "unit_price,order_date,channel\n", sizeof(struct orec), 0, NULL,
	    sale_make, sale_resend, sale_render, sale_tally, sale_stats, 0 },
	{ "marketing_spend", "marketing_spend.csv", "date,channel,spend\n",
	    sizeof(struct srec), NCHAN, spend_init, spend_make, spend_resend,
	    spend_render_csv, spend_tally, spend_stats, 0 },
	{ "retail_customers", "retail_customers.csv",
	    "CustomerID,Gender,Location,Tenure_Months\n",
	    sizeof(struct rcrec), 0, NULL, rcust_make, rcust_resend,
	    rcust_render, rcust_tally, cust_stats, SKIP_LATE },
	{ "retail_sales", "retail_sales.csv",
	    "CustomerID,Transaction_ID,Transaction_Date,Product_SKU,"
	    "Product_Description,Product_Category,Quantity,Avg_Price,"
	    "Delivery_Charges,Coupon_Status\n", sizeof(struct rsrec), 0,
	    rsale_init, rsale_make, rsale_resend, rsale_render, rsale_tally,
	    rsale_stats, 0 },
	{ "retail_coupons", "retail_coupons.csv",
	    "Month,Product_Category,Coupon_Code,Discount_pct\n",
	    sizeof(struct rrow), 0, NULL, rrow_make, NULL, rcoupon_render,
	    rnone_tally, cust_stats, SKIP_ALL },
	{ "retail_spend", "retail_spend.csv",
	    "Date,Offline_Spend,Online_Spend\n", sizeof(struct rrow), 0, NULL,
	    rrow_make, NULL, rspend_render, rspend_tally, rspend_stats,
	    SKIP_ALL },
	{ "retail_tax", "retail_tax.csv", "Product_Category,GST\n",
	    sizeof(struct rrow), 0, NULL, rrow_make, NULL, rtax_render,
	    rnone_tally, cust_stats, SKIP_ALL },
	{ "hubspot_contacts", "hubspot_contacts.csv",
	    "Record ID,First Name,Last Name,Email,Lifecycle Stage,"
	    "Original Source,Original Source Drill-Down 2,Country/Region,"
	    "Create Date,Last Modified Date\n", sizeof(struct hcrec), 0, NULL,
	    hcont_make, hcont_resend, hcont_render, hcont_tally, hcont_stats,
	    SKIP_LATE },
	{ "hubspot_deals", "hubspot_deals.csv",
	    "Record ID,Deal Name,Pipeline,Deal Stage,Amount,"
	    "Deal Currency Code,Create Date,Close Date,"
	    "Associated Contact IDs\n", sizeof(struct hdrec), 0, NULL,
	    hdeal_make, hdeal_resend, hdeal_render, hdeal_tally, hdeal_stats,
	    0 },
	{ "meta_ads_insights", "meta_ads_insights.ndjson", NULL,
	    sizeof(struct mrec), NMADS, meta_init, meta_make, meta_resend,
	    meta_render, meta_tally, meta_stats, 0 },
	/* an exported event has no key to restate */
	{ "ga4_events", "ga4_events.ndjson", NULL, sizeof(struct grec), 0,
	    ga4_init, ga4_make, NULL, ga4_render, ga4_tally, ga4_stats,
	    1u << K_KEYDUP },
	{ "fx_rates", "fx_rates.csv", "date,currency,rate\n",
	    sizeof(struct rrow), 0, NULL, rrow_make, NULL, fx_render, fx_tally,
	    cust_stats, SKIP_ALL },
};

/* ---- one file ---- */

/* Lines of each kind for n lines; -1 if they leave no regular record to
 * start with. */
static int
plan(uint64_t n, unsigned skip, uint64_t left[NKIND])
{
	uint64_t sum = 0;
	int k;

	for (k = K_LATE; k < NKIND; k++) {
		left[k] = skip & 1u << k ? 0 :
		    (uint64_t)floor(opt.rate[k] * (double)n + 0.5);
		sum += left[k];
	}
	if (n > 0 && sum > n - 1)
		return -1;
	left[K_NORMAL] = n - sum;
	return 0;
}

/* A ranged file has one record per day and channel: the lines are those
 * records plus the re-sends and broken lines their rates add. */
static uint64_t
ranged_lines(uint64_t slots, uint64_t left[NKIND])
{
	uint64_t n;

	for (n = slots;; n++)
		if (plan(n, 0, left) == 0 && left[K_NORMAL] + left[K_LATE] >= slots)
			return n;
}

static void
plan_file(struct gen *g, int dom)
{
	uint64_t days = (uint64_t)(opt.to - opt.from + 1);

	if (domains[dom].ranged)
		g->n = ranged_lines(days * (uint64_t)domains[dom].ranged,
		    g->left);
	else {
		g->n = dom == D_CUST && opt.n > 0 ? (opt.n / 4 > 0 ?
		    opt.n / 4 : 1) : opt.n;
		/* the retail reference tables: their size is their content */
		if (dom == D_RCUST)
			g->n = opt.n / 10 > 20 ? opt.n / 10 : 20;
		else if (dom == D_RCOUPON)
			g->n = 12 * NRCAT_REF;
		else if (dom == D_RSPEND)
			g->n = days;
		else if (dom == D_RTAX)
			g->n = NRCAT_REF;
		else if (dom == D_HCONT)
			g->n = opt.n / 10 > 20 ? opt.n / 10 : 20;
		else if (dom == D_HDEAL)
			g->n = opt.n / 20 > 10 ? opt.n / 20 : 10;
		else if (dom == D_FX)	/* EUR and GBP a day, but one */
			g->n = 2 * days - (days >= 3);
		if (plan(g->n, domains[dom].skip, g->left) < 0)
			mx_errx(MX_EXIT_USAGE, "%s: the rates add up to more "
			    "than the %ju lines", domains[dom].name, g->n);
	}
}

static void
run(struct gen *g)
{
	const struct domain *d = g->d;
	int k;

	for (g->i = 0; g->i < g->n; g->i++) {
		k = pick_kind(g);
		g->line.len = 0;
		switch (k) {
		case K_DUP:
			memcpy(g->rec, ring_pick(g), d->recsz);
			break;
		case K_KEYDUP:
			memcpy(g->rec, ring_pick(g), d->recsz);
			d->resend(g, g->rec);
			break;
		default:
			k = d->make(g, g->rec, k);
			if (k == K_NORMAL || k == K_LATE) {
				ring_add(g, g->rec);
				d->tally(g, g->rec);
			}
		}
		d->render(g, g->rec);
		if (k == K_BAD)
			(d->header != NULL ? corrupt_csv : corrupt_json)(g);
		g->done[k]++;
		emit(g);
	}
}

static void
report(struct gen *g, struct mx_out *st)
{
	struct mx_buf b = { 0 };
	int k;

	mx_buf_printf(&b, "{\"tool\":\"mx-gen\",\"domain\":\"%s\",\"file\":",
	    g->d->name);
	mx_json_quote(&b, g->path, strlen(g->path));
	mx_buf_printf(&b, ",\"seed\":%ju,\"lines\":%ju", opt.seed, g->n);
	mx_buf_printf(&b, ",\"records\":%ju", g->done[K_NORMAL] +
	    g->done[K_LATE]);
	for (k = K_LATE; k < NKIND; k++)
		mx_buf_printf(&b, ",\"%s\":%ju", kind_name[k], g->done[k]);
	mx_buf_printf(&b, ",\"bytes\":%ju,\"time_sum\":%jd", g->raw,
	    (intmax_t)g->timesum);
	g->d->stats(g, &b);
	mx_buf_adds(&b, "}\n");
	if (st != NULL)
		mx_out_write(st, b.p, b.len);
	mx_buf_free(&b);
	if (opt.verbose)
		mx_warnx("%s: %s: %ju lines: %ju records (%ju late), %ju exact "
		    "dups, %ju key dups, %ju invalid, %ju malformed; %ju bytes",
		    strcmp(g->path, "-") == 0 ? "<stdout>" : g->path, g->d->name,
		    g->n, g->done[K_NORMAL] +
		    g->done[K_LATE], g->done[K_LATE], g->done[K_DUP],
		    g->done[K_KEYDUP], g->done[K_INVALID], g->done[K_BAD],
		    g->raw);
}

static void
gen_file(int dom, struct mx_out *st)
{
	struct gen g;
	struct mx_buf path = { 0 };
	const char *name;

	memset(&g, 0, sizeof g);
	g.d = &domains[dom];
	if (g.d->recsz > RECMAX)
		mx_errx(MX_EXIT_FAIL, "%s: records larger than RECMAX",
		    g.d->name);
	/* each domain its own stream, so that "all" writes what the domains
	 * write alone */
	name = dom == D_MSPEND ? "spend" : g.d->name;	/* the same figures */
	g.seed = mix(opt.seed, mx_hash64(name, strlen(name)));
	rng_seed(&g.r, g.seed);
	g.t0 = opt.from * DAY_US;
	g.span = (opt.to - opt.from + 1) * DAY_US;
	if (dom == D_CUST) {	/* customers signed up over two years */
		g.t0 -= 730 * DAY_US;
		g.span += 730 * DAY_US;
	}
	if (dom == D_HCONT)	/* room for a later Last Modified Date */
		g.span -= 3600 * US;
	plan_file(&g, dom);
	if (dom == D_CUST)
		ncustomers = g.left[K_NORMAL] + g.left[K_LATE] +
		    g.left[K_INVALID] + g.left[K_BAD];
	if (dom == D_RCUST)
		rcust.n = 0;
	if (dom == D_HCONT)
		hcont.n = 0;
	if (opt.dir != NULL) {
		mx_buf_printf(&path, "%s/%s%s", opt.dir, g.d->file,
		    opt.gzip ? ".gz" : "");
		g.path = mx_buf_cstr(&path);
		g.o = mx_out_open(g.path);
	} else if (opt.out != NULL) {
		g.path = opt.out;
		g.o = mx_out_open(g.path);
	} else {
		g.path = "-";
		g.o = mx_out_stdout();
	}
	if (opt.gzip)
		g.z = mx_gzw_new(g.o, 6);
	g.ring = mx_calloc(RING, g.d->recsz);
	if (g.d->init != NULL)
		g.d->init(&g);
	if (g.d->header != NULL) {
		g.line.len = 0;
		mx_buf_adds(&g.line, g.d->header);
		emit(&g);
	}
	run(&g);
	if (dom == D_RCUST)	/* no customers row has an id from here on */
		rcust.next = (uint32_t)(RC_ID0 + g.seq);
	if (dom == D_HCONT)
		hcont.next = (uint32_t)(HC_ID0 + g.seq);
	mx_gzw_finish(g.z);
	if (!g.o->isstdout)
		mx_out_close(g.o);
	else
		mx_out_flush(g.o);
	report(&g, st);
	if (g.st != NULL && g.d->init == cal_init)
		free(((struct cal *)g.st)->q);
	if (g.st != NULL && (g.d->init == spend_init ||
	    g.d->init == meta_init))
		free(((struct spend *)g.st)->h);
	if (g.st != NULL && g.d->init == ga4_init) {
		free(((struct ga4 *)g.st)->q);
		free(((struct ga4 *)g.st)->u);
	}
	free(g.st);
	free(g.ring);
	mx_buf_free(&g.line);
	mx_buf_free(&path);
}

/* ---- options ---- */

static double
parse_rate(const char *name, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && *end == '%' && end[1] == '\0') {
		v /= 100;
		end++;
	}
	if (errno || end == s || *end != '\0' || !(v >= 0 && v <= 1)) {
		mx_warnx("%s: '%s' is not a rate from 0 to 1 (or 0%% to "
		    "100%%)", name, s);
		usage();
	}
	return v;
}

static int64_t
parse_day(const char *name, const char *s)
{
	struct mx_time t;

	if (strlen(s) != 10 || mx_time_parse(s, 10, &t) < 0 || !t.dateonly ||
	    t.sec < 0 || t.sec >= 253402300800LL) {
		mx_warnx("%s: '%s' is not a date (YYYY-MM-DD, 1970 to 9999)",
		    name, s);
		usage();
	}
	return t.sec / 86400;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "dup-rate", required_argument, NULL, 'D' },
		{ "key-dup-rate", required_argument, NULL, 'K' },
		{ "late-rate", required_argument, NULL, 'L' },
		{ "invalid-rate", required_argument, NULL, 'I' },
		{ "malformed-rate", required_argument, NULL, 'M' },
		{ "gzip", no_argument, NULL, 'z' },
		{ "output", required_argument, NULL, 'o' },
		{ "dir", required_argument, NULL, 'd' },
		MX_STATS_LONGOPT,
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	static const int crm[] = { D_CUST, D_SALES, D_MSPEND, -1 };
	static const int retail[] = { D_RCUST, D_RSALES, D_RCOUPON, D_RSPEND,
	    D_RTAX, -1 };
	static const int growth[] = { D_HCONT, D_HDEAL, D_META, D_GA4, D_FX,
	    -1 };
	/* retail, then growth, last: every file has its own stream, so the
	 * older files are the bytes they were before those existed */
	static const int all[] = { D_ECOM, D_SPEND, D_ADS, D_CAL, D_CUST,
	    D_SALES, D_MSPEND, D_RCUST, D_RSALES, D_RCOUPON, D_RSPEND, D_RTAX,
	    D_HCONT, D_HDEAL, D_META, D_GA4, D_FX, -1 };
	int one[2] = { -1, -1 };
	const int *files = NULL;
	struct mx_out *st = NULL;
	long long v;
	char *end;
	int c, k;

	mx_init(argv[0]);
	opt.from = parse_day("--from", "2024-03-01");
	opt.to = parse_day("--to", "2024-03-31");
	while ((c = mx_getopt(argc, argv, "d:n:o:s:vz", longopts, NULL,
	    synopsis)) != -1)
		switch (c) {
		case 'n':
			if ((v = mx_parse_count(optarg)) < 0) {
				mx_warnx("-n: '%s' is not a count", optarg);
				usage();
			}
			opt.n = (uint64_t)v;
			opt.nset = 1;
			break;
		case 's':
			errno = 0;
			opt.seed = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end != '\0' ||
			    *optarg == '-') {
				mx_warnx("--seed: '%s' is not a number",
				    optarg);
				usage();
			}
			break;
		case 'F':
			opt.from = parse_day("--from", optarg);
			break;
		case 'T':
			opt.to = parse_day("--to", optarg);
			break;
		case 'D':
			opt.rate[K_DUP] = parse_rate("--dup-rate", optarg);
			break;
		case 'K':
			opt.rate[K_KEYDUP] = parse_rate("--key-dup-rate",
			    optarg);
			break;
		case 'L':
			opt.rate[K_LATE] = parse_rate("--late-rate", optarg);
			break;
		case 'I':
			opt.rate[K_INVALID] = parse_rate("--invalid-rate",
			    optarg);
			break;
		case 'M':
			opt.rate[K_BAD] = parse_rate("--malformed-rate",
			    optarg);
			break;
		case 'z':
			opt.gzip = 1;
			break;
		case 'o':
			opt.out = optarg;
			break;
		case 'd':
			opt.dir = optarg;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;
	if (argc != 1) {
		mx_warnx(argc == 0 ? "no domain given" : "one domain at a time");
		usage();
	}
	if (strcmp(argv[0], "crm") == 0)
		files = crm;
	else if (strcmp(argv[0], "retail") == 0)
		files = retail;
	else if (strcmp(argv[0], "growth") == 0)
		files = growth;
	else if (strcmp(argv[0], "all") == 0)
		files = all;
	else {
		for (k = 0; k < D_CUST; k++)
			if (strcmp(argv[0], domains[k].name) == 0)
				one[0] = k;
		if (one[0] < 0) {
			mx_warnx("unknown domain '%s'", argv[0]);
			usage();
		}
		files = one;
	}
	if (opt.to < opt.from) {
		mx_warnx("--to is before --from");
		usage();
	}
	if (opt.out != NULL && opt.dir != NULL) {
		mx_warnx("-o and -d exclude each other");
		usage();
	}
	if (files != one && opt.dir == NULL) {
		mx_warnx("%s writes several files: give a directory with -d",
		    argv[0]);
		usage();
	}
	if (files == one && one[0] == D_SPEND && opt.nset) {
		mx_warnx("spend has one record per channel and day: its "
		    "volume is --from and --to, not -n");
		usage();
	}
	if (opt.rate[K_DUP] + opt.rate[K_KEYDUP] + opt.rate[K_INVALID] +
	    opt.rate[K_BAD] + opt.rate[K_LATE] >= 1) {
		mx_warnx("the rates add up to 1 or more: no regular records "
		    "would be left");
		usage();
	}
	if (opt.dir != NULL && mkdir(opt.dir, 0777) < 0 && errno != EEXIST)
		mx_err(MX_EXIT_FAIL, "%s", opt.dir);

	catalogue(opt.seed);
	if (mx_opt_stats != NULL)
		st = mx_out_open(mx_opt_stats);
	for (k = 0; files[k] >= 0; k++)
		gen_file(files[k], st);
	if (st != NULL)
		mx_out_close(st);
	if (mx_stdout != NULL)
		mx_out_close(mx_stdout);
	free(rcust.id);
	free(hcont.id);
	free(hcont.country);
	free(hcont.created);
	return MX_EXIT_OK;
}
