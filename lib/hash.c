/*
 * hash.c: XXH3, the record id and key hash of every tool.  Hashes are
 * printed big-endian (xxhsum's canonical form) so that ids agree across
 * machines.
 */
#include <stdlib.h>
#include <xxhash.h>

#include "mx.h"

#if XXH_VERSION_NUMBER < 800
#error "xxHash >= 0.8.0 required (stable XXH3)"
#endif

uint64_t
mx_hash64(const void *p, size_t n)
{
	return XXH3_64bits(p, n);
}

struct mx_h128
mx_hash128(const void *p, size_t n)
{
	XXH128_hash_t h = XXH3_128bits(p, n);
	struct mx_h128 r;

	r.hi = h.high64;
	r.lo = h.low64;
	return r;
}

static void
hex(uint64_t h, char *out)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 15; i >= 0; i--) {
		out[i] = digits[h & 15];
		h >>= 4;
	}
}

void
mx_hash64_hex(uint64_t h, char out[17])
{
	hex(h, out);
	out[16] = '\0';
}

void
mx_hash128_hex(struct mx_h128 h, char out[33])
{
	hex(h.hi, out);
	hex(h.lo, out + 16);
	out[32] = '\0';
}

/* A lowercase hex digit's value plus one; 0 for any other byte.  (A
 * table and no branch per digit: mx-agg --merge reads millions of
 * hashes.) */
static const unsigned char hexv[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16
};

int
mx_hash64_unhex(const char *p, uint64_t *h)
{
	uint64_t x = 0;
	unsigned bad = 0, d;
	int i;

	for (i = 0; i < 16; i++) {
		d = hexv[(unsigned char)p[i]];
		bad |= d == 0;
		x = x << 4 | (uint64_t)(d - 1);
	}
	*h = x;
	return bad ? -1 : 0;
}

int
mx_hash128_unhex(const char *p, struct mx_h128 *h)
{
	return mx_hash64_unhex(p, &h->hi) < 0 ||
	    mx_hash64_unhex(p + 16, &h->lo) < 0 ? -1 : 0;
}

/* Streaming XXH3-64, for files hashed in chunks: the same value as
 * mx_hash64 over the whole. */
struct mx_hash64 {
	XXH3_state_t	*st;
};

struct mx_hash64 *
mx_hash64_new(void)
{
	struct mx_hash64 *h = mx_malloc(sizeof *h);

	if ((h->st = XXH3_createState()) == NULL ||
	    XXH3_64bits_reset(h->st) != XXH_OK)
		mx_errx(MX_EXIT_FAIL, "out of memory (xxHash state)");
	return h;
}

void
mx_hash64_update(struct mx_hash64 *h, const void *p, size_t n)
{
	XXH3_64bits_update(h->st, p, n);
}

uint64_t
mx_hash64_end(struct mx_hash64 *h)
{
	uint64_t v = XXH3_64bits_digest(h->st);

	XXH3_freeState(h->st);
	free(h);
	return v;
}
