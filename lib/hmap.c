/*
 * hmap.c: the one hash map of the tools: byte strings to fixed-size
 * values, for the tables that must hold the keys themselves (joins,
 * budgets, partitions), where a keyset's 128-bit hashes are not enough.
 *
 * Entries live in arrays in the order they were added, so an entry's id
 * is stable and a walk over the ids is the order of insertion: that is
 * the order the tools write.  The index is open addressing with linear
 * probing over 8-byte slots: the high half of the key's hash beside the
 * id, so that a probe compares keys only when 32 bits of hash agree, and
 * a miss costs one cache line.  An entry's value sits beside it, so a
 * hit costs a line more and the key's bytes.  Keys are copied into one
 * arena: no allocation per key.
 */
#include <stdlib.h>
#include <string.h>

#include "mx.h"

#define FIRSTSLOTS	1024
#define FIRSTENTS	256

/* 32 bytes, so that the value beside it is 16-byte aligned. */
struct ment {
	uint64_t	h;
	uint64_t	off;	/* in keys */
	uint64_t	len;
	uint64_t	pad;
};

struct mx_hmap {
	uint64_t	*slot;		/* hash >> 32 << 32 | id + 1; 0: empty */
	size_t		 nslots;
	unsigned char	*e;		/* entries: struct ment, then value */
	size_t		 n, cap;
	size_t		 vsize, stride;
	struct mx_buf	 keys;
};

#define ENT(m, i)	((struct ment *)((m)->e + (i) * (m)->stride))

struct mx_hmap *
mx_hmap_new(size_t vsize)
{
	struct mx_hmap *m = mx_calloc(1, sizeof *m);

	m->vsize = vsize;
	/* values 16-byte aligned: they hold decimals (__int128), times,
	 * pointers */
	m->stride = sizeof(struct ment) + ((vsize + 15) & ~(size_t)15);
	return m;
}

void
mx_hmap_free(struct mx_hmap *m)
{
	if (m == NULL)
		return;
	free(m->slot);
	free(m->e);
	mx_buf_free(&m->keys);
	free(m);
}

void
mx_hmap_clear(struct mx_hmap *m)
{
	if (m->nslots > 0)
		memset(m->slot, 0, m->nslots * sizeof *m->slot);
	m->n = 0;
	m->keys.len = 0;
}

size_t
mx_hmap_count(const struct mx_hmap *m)
{
	return m->n;
}

size_t
mx_hmap_bytes(const struct mx_hmap *m)
{
	return m->nslots * sizeof *m->slot + m->cap * m->stride +
	    m->keys.cap;
}

static int
same(const struct mx_hmap *m, uint64_t s, const void *k, size_t n)
{
	const struct ment *e = ENT(m, (uint32_t)s - 1);

	return e->len == n && (n == 0 || memcmp(m->keys.p + e->off, k,
	    n) == 0);
}

/* The slot of k, or the empty slot where it would go. */
static size_t
probe(const struct mx_hmap *m, const void *k, size_t n, uint64_t h)
{
	uint64_t tag = h >> 32 << 32, s;
	size_t i, mask = m->nslots - 1;

	for (i = h & mask; (s = m->slot[i]) != 0; i = (i + 1) & mask)
		if ((s & ~(uint64_t)0xffffffff) == tag && same(m, s, k, n))
			break;
	return i;
}

size_t
mx_hmap_find(const struct mx_hmap *m, const void *k, size_t n, uint64_t h)
{
	uint64_t s;

	if (m->nslots == 0)
		return MX_HMAP_NONE;
	s = m->slot[probe(m, k, n, h)];
	return s != 0 ? (uint32_t)s - 1 : MX_HMAP_NONE;
}

static void
grow(struct mx_hmap *m)
{
	size_t i, k, mask;
	uint64_t h;

	free(m->slot);
	m->nslots = m->nslots ? m->nslots * 2 : FIRSTSLOTS;
	m->slot = mx_calloc(m->nslots, sizeof *m->slot);
	mask = m->nslots - 1;
	for (i = 0; i < m->n; i++) {
		h = ENT(m, i)->h;
		for (k = h & mask; m->slot[k] != 0; k = (k + 1) & mask)
			;
		m->slot[k] = h >> 32 << 32 | (uint64_t)(i + 1);
	}
}

size_t
mx_hmap_add(struct mx_hmap *m, const void *k, size_t n, uint64_t h,
    int *isnew)
{
	size_t i;

	/* at most half full: short probes, and a miss ends soon */
	if ((m->n + 1) * 2 > m->nslots)
		grow(m);
	i = probe(m, k, n, h);
	if (m->slot[i] != 0) {
		if (isnew != NULL)
			*isnew = 0;
		return (uint32_t)m->slot[i] - 1;
	}
	if (m->n == UINT32_MAX - 1)
		mx_errx(MX_EXIT_FAIL, "more than %u keys in one table",
		    UINT32_MAX - 1);
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : FIRSTENTS;
		m->e = mx_reallocarray(m->e, m->cap, m->stride);
	}
	memset(ENT(m, m->n), 0, m->stride);
	ENT(m, m->n)->h = h;
	ENT(m, m->n)->off = m->keys.len;
	ENT(m, m->n)->len = n;
	mx_buf_add(&m->keys, k, n);
	m->slot[i] = h >> 32 << 32 | (uint64_t)(m->n + 1);
	if (isnew != NULL)
		*isnew = 1;
	return m->n++;
}

void *
mx_hmap_val(const struct mx_hmap *m, size_t id)
{
	return m->e + id * m->stride + sizeof(struct ment);
}

const char *
mx_hmap_key(const struct mx_hmap *m, size_t id, size_t *n)
{
	*n = ENT(m, id)->len;
	return m->keys.p != NULL ? m->keys.p + ENT(m, id)->off : "";
}

void
mx_hmap_prefetch(const struct mx_hmap *m, uint64_t h)
{
#if defined(__GNUC__)
	if (m->nslots > 0)
		__builtin_prefetch(m->slot + (h & (m->nslots - 1)));
#else
	(void)m;
	(void)h;
#endif
}
