/* The external sort (xsort.c): whatever the elements, bounds and spills,
 * the same sequence as qsort and dropping duplicates, strictly ascending.
 * The input chooses the bound and a few thousand elements: hashes with
 * few distinct top bits (crowded buckets), spread ones, duplicates. */
#include "fuzz.h"
#include "xsort.h"

struct ent {
	struct mx_h128	h;
	uint32_t	part;
};

static int
entcmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	int c = mx_h128_cmp(x->h, y->h);

	return c != 0 ? c : x->part < y->part ? -1 : x->part > y->part;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct mx_xsort *x;
	const struct ent *got;
	struct ent *e;
	size_t i, j, m, k;
	long long memory;
	uint8_t b0, b1;

	if (n < 4)
		return 0;
	memory = data[0] < 16 ? (long long)1 << 30 :
	    (long long)sizeof *e * 2 * (64 + 40 * (size_t)data[0]);
	m = 1 + 24 * (size_t)data[1];
	e = calloc(m, sizeof *e);
	x = mx_xsort_new(sizeof *e, entcmp, memory);
	if (data[2] & 1)
		mx_xsort_hashed(x);
	for (i = 0; i < m; i++) {
		b0 = data[3 + i % (n - 3)];
		b1 = data[3 + (i + i / (n - 3)) % (n - 3)];
		if (data[2] & 2) {
			k = i % (1 + b0);
			e[i].h.hi = mx_hash64(&k, sizeof k);
		} else
			e[i].h.hi = (uint64_t)b0 << 56 | (uint64_t)(b1 & 3) << 20;
		e[i].h.lo = b1 >> 2;
		e[i].part = (uint32_t)(i / 3 & 1);
		mx_xsort_add(x, &e[i]);
	}
	qsort(e, m, sizeof *e, entcmp);
	for (i = j = 0; i < m; i++)
		if (j == 0 || entcmp(&e[j - 1], &e[i]) != 0)
			e[j++] = e[i];
	for (i = 0; (got = mx_xsort_next(x)) != NULL; i++)
		if (i >= j || memcmp(got, &e[i], sizeof *e) != 0)
			abort();
	if (i != j)
		abort();
	mx_xsort_free(x);
	free(e);
	return 0;
}
