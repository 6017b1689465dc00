/*
 * keyset.c: a set of 128-bit key hashes, each with an optional fixed-size
 * value, and the file format that persists a sorted set across runs.
 *
 * The table is open addressing with linear probing over slots of two
 * uint64 (plus the value): no allocation per key, so a set of keys costs
 * 16 bytes a slot and nothing else.  The home slot of a hash is its high
 * word scaled to the table size (hi * n >> 64), which keeps the table in
 * hash order apart from the displacement inside clusters: that is what
 * lets mx_keyset_sorted() sort it in place in linear time.
 *
 * A growing table is rehashed into a new one while the old one is handed
 * back to the system chunk by chunk (see rehash()), so the resident size
 * stays about that of the larger table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "mx.h"

/* Grow when more than 4/5 of the slots are used. */
#define LOAD_NUM	4
#define LOAD_DEN	5
#define MINSLOTS	16
#define FIRSTSLOTS	16

struct mx_keyset {
	uint64_t	*t;		/* nslots * stride words; all-zero = empty */
	size_t		 nslots;
	size_t		 count;		/* keys in t (the zero hash aside) */
	size_t		 stride;	/* words per slot: 2 + value words */
	size_t		 vsize;
	size_t		 limit;		/* bytes the table may reach */
	size_t		 mapped;	/* length of t's mapping; 0: malloc'd */
	int		 haszero;	/* the hash 0:0, which marks empty slots */
	uint64_t	*zval;
};

static size_t
home(uint64_t hi, size_t n)
{
	return (size_t)(((unsigned __int128)hi * n) >> 64);
}

static size_t
maxslots(const struct mx_keyset *ks)
{
	return ks->limit / (ks->stride * 8);
}

static int
fits(size_t count, size_t nslots)
{
	return (unsigned __int128)count * LOAD_DEN <=
	    (unsigned __int128)nslots * LOAD_NUM;
}

/* Tables from this size on are mapped rather than allocated: their pages
 * can be handed back one by one while a rehash consumes them. */
#define MAPMIN		((size_t)4 << 20)
#define CHUNK		((size_t)2 << 20)

/* A zeroed table of n slots of size bytes, *mapped set to its mapped
 * length (0 for a malloc'd one).  A mapped table is not cleared: its
 * pages are zero when first touched, so it costs nothing until used.  It
 * goes on huge pages where the system has them: a lookup is a random
 * access, and with 4 KB pages nearly every one misses the TLB as well as
 * the cache. */
static uint64_t *
table(size_t n, size_t size, size_t *mapped)
{
	size_t bytes;
	void *p;

	if (n > SIZE_MAX / size - CHUNK)
		mx_errx(MX_EXIT_FAIL, "key table too large");
	bytes = n * size;
	*mapped = 0;
	if (bytes < MAPMIN)
		return mx_calloc(n, size);
	bytes = (bytes + CHUNK - 1) / CHUNK * CHUNK;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		mx_err(MX_EXIT_FAIL, "key table of %zu bytes", bytes);
#ifdef MADV_HUGEPAGE
	(void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
	*mapped = bytes;
	return p;
}

static void
tablefree(uint64_t *t, size_t mapped)
{
	if (mapped > 0)
		(void)munmap(t, mapped);
	else
		free(t);
}

struct mx_keyset *
mx_keyset_new(size_t vsize)
{
	struct mx_keyset *ks = mx_calloc(1, sizeof *ks);

	ks->vsize = vsize;
	ks->stride = 2 + (vsize + 7) / 8;
	ks->limit = SIZE_MAX / 2;
	ks->zval = mx_calloc(ks->stride, 8);
	return ks;
}

void
mx_keyset_free(struct mx_keyset *ks)
{
	if (ks == NULL)
		return;
	tablefree(ks->t, ks->mapped);
	free(ks->zval);
	free(ks);
}

int
mx_keyset_limit(struct mx_keyset *ks, size_t bytes)
{
	ks->limit = bytes;
	return maxslots(ks) >= MINSLOTS;
}

size_t
mx_keyset_count(const struct mx_keyset *ks)
{
	return ks->count + (size_t)ks->haszero;
}

size_t
mx_keyset_room(const struct mx_keyset *ks)
{
	size_t max = maxslots(ks) / LOAD_DEN * LOAD_NUM;

	return max > ks->count ? max - ks->count : 0;
}

size_t
mx_keyset_bytes(const struct mx_keyset *ks)
{
	return ks->nslots * ks->stride * 8;
}

/*
 * Rehash into a new table of n slots (n >= nslots).  The old table is
 * read once, in slot order, and each of its chunks is handed back to the
 * system as soon as it is read; the new one is written in about the same
 * order, since a home slot scales with the table.  So the two tables
 * together stay about the size of the new one, and both stream: no key
 * is moved twice, and the new pages are never cleared by hand.
 */
static void
rehash(struct mx_keyset *ks, size_t n)
{
	size_t old = ks->nslots, w = ks->stride, i, j, mapped, done = 0;
	uint64_t *t = ks->t, *s;

	ks->t = table(n, w * 8, &mapped);
	for (i = 0; i < old; i++) {
		s = t + i * w;
		if (ks->mapped > 0 && (size_t)((char *)s - (char *)t) >=
		    done + CHUNK) {
			(void)madvise((char *)t + done, CHUNK, MADV_DONTNEED);
			done += CHUNK;
		}
		if ((s[0] | s[1]) == 0)
			continue;
		for (j = home(s[0], n); (ks->t[j * w] | ks->t[j * w + 1]) != 0;
		    j = j + 1 == n ? 0 : j + 1)
			;
		memcpy(ks->t + j * w, s, w * 8);
	}
	tablefree(t, ks->mapped);
	ks->mapped = mapped;
	ks->nslots = n;
}

/* Room for one more key; 0 when the limit forbids it. */
static int
grow(struct mx_keyset *ks)
{
	size_t n, max = maxslots(ks);

	if (ks->nslots == 0)
		n = FIRSTSLOTS;
	else if (ks->nslots < 65536)
		n = ks->nslots * 2;
	else
		n = ks->nslots + ks->nslots / 2;
	if (n > max)
		n = max;
	if (n <= ks->nslots || !fits(ks->count + 1, n))
		return 0;
	rehash(ks, n);
	return 1;
}

void
mx_keyset_reserve(struct mx_keyset *ks, size_t n)
{
	size_t slots = n / LOAD_NUM * LOAD_DEN + MINSLOTS, max = maxslots(ks);

	if (slots > max)
		slots = max;
	if (slots > ks->nslots)
		rehash(ks, slots);
}

void
mx_keyset_reserve_rate(struct mx_keyset *ks, uintmax_t keys, uintmax_t lines,
    uintmax_t more)
{
	/* (few keys in many lines: a table sized for the lines would take
	 * the memory of its pages as they are touched) */
	if (lines == 0 || keys < lines / 2 || more == 0)
		return;
	mx_keyset_reserve(ks, (size_t)((double)mx_keyset_count(ks) +
	    (double)more * (double)keys / (double)lines));
}

static uint64_t *
probe(const struct mx_keyset *ks, struct mx_h128 h)
{
	size_t i = home(h.hi, ks->nslots), w = ks->stride;
	uint64_t *s;

	for (;;) {
		s = ks->t + i * w;
		if ((s[0] == h.hi && s[1] == h.lo) || (s[0] | s[1]) == 0)
			return s;
		if (++i == ks->nslots)
			i = 0;
	}
}

void *
mx_keyset_put(struct mx_keyset *ks, struct mx_h128 h, int *isnew)
{
	uint64_t *s = NULL;

	if (MX_UNLIKELY((h.hi | h.lo) == 0)) {
		*isnew = !ks->haszero;
		ks->haszero = 1;
		return ks->zval;
	}
	if (ks->nslots > 0) {
		s = probe(ks, h);
		if ((s[0] | s[1]) != 0) {
			*isnew = 0;
			return s + 2;
		}
	}
	if (!fits(ks->count + 1, ks->nslots)) {
		if (!grow(ks))
			return NULL;
		s = probe(ks, h);
	}
	s[0] = h.hi;
	s[1] = h.lo;
	ks->count++;
	*isnew = 1;
	return s + 2;
}

void *
mx_keyset_get(const struct mx_keyset *ks, struct mx_h128 h)
{
	uint64_t *s;

	if (MX_UNLIKELY((h.hi | h.lo) == 0))
		return ks->haszero ? ks->zval : NULL;
	if (ks->nslots == 0)
		return NULL;
	s = probe(ks, h);
	return (s[0] | s[1]) != 0 ? s + 2 : NULL;
}

void *
mx_keyset_next(const struct mx_keyset *ks, size_t *pos, struct mx_h128 *h)
{
	uint64_t *s;

	/* the slots, then the zero hash, which has no slot */
	while (*pos < ks->nslots) {
		s = ks->t + (*pos)++ * ks->stride;
		if ((s[0] | s[1]) != 0) {
			h->hi = s[0];
			h->lo = s[1];
			return s + 2;
		}
	}
	if (*pos == ks->nslots && ks->haszero) {
		(*pos)++;
		h->hi = h->lo = 0;
		return ks->zval;
	}
	return NULL;
}

void
mx_keyset_prefetch(const struct mx_keyset *ks, struct mx_h128 h)
{
#if defined(__GNUC__)
	if (ks->nslots > 0)
		__builtin_prefetch(ks->t + home(h.hi, ks->nslots) * ks->stride);
#else
	(void)ks;
	(void)h;
#endif
}

/*
 * The keys in ascending order, in the table's own memory.  Walked from an
 * empty slot, the table is in order of home slot; a key is out of place
 * only among the keys of its cluster, so an insertion sort finishes in
 * time linear in the keys and the cluster lengths.  The cluster that
 * wraps past the end of the table is the one exception: its keys that
 * wrapped are moved to the end first.
 */
struct mx_h128 *
mx_keyset_sorted(struct mx_keyset *ks, size_t *np)
{
	struct mx_h128 *a = (struct mx_h128 *)ks->t, *wrap, x;
	size_t w = ks->stride, e, i, k = 0, nw = 0, j;
	uint64_t *s;

	if (ks->nslots == 0) {
		ks->t = mx_malloc(sizeof *a);
		a = (struct mx_h128 *)ks->t;
	}
	/* the first cluster, [0, e), may hold keys that wrapped */
	for (e = 0; e < ks->nslots; e++)
		if ((ks->t[e * w] | ks->t[e * w + 1]) == 0)
			break;
	wrap = mx_calloc(e + 1, sizeof *wrap);
	for (i = 0; i < e; i++) {
		s = ks->t + i * w;
		x.hi = s[0];
		x.lo = s[1];
		if (home(x.hi, ks->nslots) > i)
			wrap[nw++] = x;
		else
			a[k++] = x;
	}
	/* compacting: the write position never passes the read position */
	for (i = e; i < ks->nslots; i++) {
		s = ks->t + i * w;
		if ((s[0] | s[1]) == 0)
			continue;
		x.hi = s[0];
		x.lo = s[1];
		a[k++] = x;
	}
	if (ks->haszero)
		wrap[nw++] = (struct mx_h128){ 0, 0 };
	if (nw > 0) {
		if ((k + nw) * sizeof *a > ks->nslots * w * 8) {
			/* only a table too small for a load factor, or none */
			a = mx_reallocarray(NULL, k + nw, sizeof *a);
			memcpy(a, ks->t, k * sizeof *a);
			tablefree(ks->t, ks->mapped);
			ks->t = (uint64_t *)a;
			ks->mapped = 0;
		}
		memcpy(a + k, wrap, nw * sizeof *a);
		k += nw;
	}
	free(wrap);
	for (i = 1; i < k; i++) {
		x = a[i];
		for (j = i; j > 0 && mx_h128_cmp(a[j - 1], x) > 0; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
	ks->nslots = 0;
	ks->count = 0;
	ks->haszero = 0;
	*np = k;
	return a;
}

/*
 * A sorted set is searched through a directory on the top bits of the
 * hashes, which are uniform: about one entry per eight keys, so a lookup
 * is one read of the directory and a bisection inside two or three cache
 * lines of keys.
 */
void
mx_keys_index(struct mx_keys *k)
{
	size_t b, i = 0, nb;

	for (k->bits = 0; k->bits < 40 && ((size_t)16 << k->bits) <= k->n;
	    k->bits++)
		;
	nb = (size_t)1 << k->bits;
	free(k->dir);
	k->dir = mx_reallocarray(NULL, nb + 1, sizeof *k->dir);
	for (b = 0; b < nb; b++) {
		while (i < k->n && (k->bits == 0 ? 0 :
		    k->a[i].hi >> (64 - k->bits)) < b)
			i++;
		k->dir[b] = i;
	}
	k->dir[nb] = k->n;
}

int
mx_keys_find(const struct mx_keys *k, struct mx_h128 h)
{
	size_t b, lo, hi, mid;
	int c;

	if (k->n == 0)
		return 0;
	b = k->bits == 0 ? 0 : (size_t)(h.hi >> (64 - k->bits));
	lo = k->dir[b];
	hi = k->dir[b + 1];
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = mx_h128_cmp(h, k->a[mid])) == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

size_t
mx_keys_bytes(const struct mx_keys *k)
{
	return k->n * sizeof *k->a + (k->dir != NULL ?
	    (((size_t)1 << k->bits) + 1) * sizeof *k->dir : 0);
}

void
mx_keys_free(struct mx_keys *k)
{
	free(k->a);
	free(k->dir);
	memset(k, 0, sizeof *k);
}

/* ---- key files ---- */

/*
 * A key file: "MXKEYSET", then big-endian u32 version, u32 length of the
 * key specification and its bytes, u64 count, count keys as u64 hi and
 * u64 lo in strictly ascending order, and the XXH3 64-bit hash of all the
 * bytes before it.
 */
#define KF_MAGIC	"MXKEYSET"
#define KF_VERSION	1

static void
be64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
readall(int fd, void *p, size_t n)
{
	char *s = p;
	ssize_t k;

	while (n > 0) {
		k = read(fd, s, n > (1 << 30) ? (1 << 30) : n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -1 : 0;
		s += k;
		n -= (size_t)k;
	}
	return 1;
}

int
mx_keyfile_read(const char *path, const char *spec, struct mx_keys *keys,
    char *err, size_t errlen)
{
	unsigned char hd[16], *spb = NULL, b[8];
	struct mx_h128 *a = NULL;
	XXH3_state_t *st = NULL;
	struct stat sb;
	uint64_t n = 0, i, want;
	uint32_t ver, slen;
	int fd, r, ret = -1;

	memset(keys, 0, sizeof *keys);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	st = XXH3_createState();
	if (st == NULL || XXH3_64bits_reset(st) != XXH_OK)
		mx_errx(MX_EXIT_FAIL, "out of memory (xxHash state)");
#define BAD(...) do { snprintf(err, errlen, __VA_ARGS__); goto out; } while (0)
	if ((r = readall(fd, hd, 16)) < 0)
		BAD("%s: %s", path, strerror(errno));
	if (r == 0 || memcmp(hd, KF_MAGIC, 8) != 0)
		BAD("%s: not an mx key file (bad magic)", path);
	if ((ver = get32(hd + 8)) != KF_VERSION)
		BAD("%s: key file version %u, this mx reads version %d", path,
		    ver, KF_VERSION);
	slen = get32(hd + 12);
	if ((uint64_t)sb.st_size < 16 + (uint64_t)slen + 16)
		BAD("%s: truncated key file (%jd bytes)", path,
		    (intmax_t)sb.st_size);
	spb = mx_malloc((size_t)slen + 1);
	if (readall(fd, spb, slen) <= 0 || readall(fd, b, 8) <= 0)
		BAD("%s: truncated key file", path);
	spb[slen] = '\0';
	n = get64(b);
	want = 16 + (uint64_t)slen + 8 + 16 * n + 8;
	if (n > ((uint64_t)1 << 58) || (uint64_t)sb.st_size != want)
		BAD("%s: truncated or corrupt key file (%jd bytes, %ju keys "
		    "announced need %ju)", path, (intmax_t)sb.st_size,
		    (uintmax_t)n, (uintmax_t)want);
	XXH3_64bits_update(st, hd, 16);
	XXH3_64bits_update(st, spb, slen);
	XXH3_64bits_update(st, b, 8);
	a = mx_reallocarray(NULL, n ? n : 1, sizeof *a);
	if (readall(fd, a, n * 16) <= 0 || readall(fd, b, 8) <= 0)
		BAD("%s: truncated key file", path);
	XXH3_64bits_update(st, a, n * 16);
	if (XXH3_64bits_digest(st) != get64(b))
		BAD("%s: corrupt key file (checksum mismatch)", path);
	for (i = 0; i < n; i++) {
		unsigned char *p = (unsigned char *)&a[i];

		a[i] = (struct mx_h128){ get64(p), get64(p + 8) };
		if (i > 0 && mx_h128_cmp(a[i - 1], a[i]) >= 0)
			BAD("%s: corrupt key file (keys out of order)", path);
	}
	if (strcmp((char *)spb, spec) != 0)
		BAD("%s: written for the key '%s', not '%s'", path,
		    slen ? (char *)spb : "(whole record)",
		    *spec ? spec : "(whole record)");
#undef BAD
	keys->a = a;
	keys->n = (size_t)n;
	mx_keys_index(keys);
	a = NULL;
	ret = 0;
out:
	free(a);
	free(spb);
	XXH3_freeState(st);
	close(fd);
	return ret;
}

struct mx_keyfile {
	struct mx_out	*o;
	XXH3_state_t	*st;
	uint64_t	 want, n;
	struct mx_h128	 last;
};

static void
kf_put(struct mx_keyfile *w, const void *p, size_t n)
{
	XXH3_64bits_update(w->st, p, n);
	mx_out_write(w->o, p, n);
}

struct mx_keyfile *
mx_keyfile_create(const char *path)
{
	struct mx_keyfile *w = mx_calloc(1, sizeof *w);

	w->o = mx_out_open(path);
	w->st = XXH3_createState();
	if (w->st == NULL || XXH3_64bits_reset(w->st) != XXH_OK)
		mx_errx(MX_EXIT_FAIL, "out of memory (xxHash state)");
	return w;
}

void
mx_keyfile_begin(struct mx_keyfile *w, const char *spec, uint64_t count)
{
	unsigned char hd[16], b[8];
	size_t slen = strlen(spec);

	w->want = count;
	memcpy(hd, KF_MAGIC, 8);
	be64(b, ((uint64_t)KF_VERSION << 32) | slen);
	memcpy(hd + 8, b, 8);
	kf_put(w, hd, 16);
	kf_put(w, spec, slen);
	be64(b, count);
	kf_put(w, b, 8);
}

void
mx_keyfile_add(struct mx_keyfile *w, struct mx_h128 h)
{
	unsigned char b[16];

	if (w->n > 0 && mx_h128_cmp(w->last, h) >= 0)
		mx_errx(MX_EXIT_FAIL, "%s: internal error: keys out of order",
		    w->o->name);
	w->last = h;
	w->n++;
	be64(b, h.hi);
	be64(b + 8, h.lo);
	kf_put(w, b, 16);
}

void
mx_keyfile_close(struct mx_keyfile *w)
{
	unsigned char b[8];

	if (w->n != w->want)
		mx_errx(MX_EXIT_FAIL, "%s: internal error: %ju keys written, "
		    "%ju announced", w->o->name, (uintmax_t)w->n,
		    (uintmax_t)w->want);
	be64(b, XXH3_64bits_digest(w->st));
	mx_out_write(w->o, b, 8);
	mx_out_close(w->o);
	XXH3_freeState(w->st);
	free(w);
}
