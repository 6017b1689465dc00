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
