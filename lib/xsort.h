/*
 * xsort.h: distinct fixed-size elements in ascending order, within a
 * bound on memory: elements are gathered up to the bound, each full batch
 * is sorted and spilled to a temporary file as a run, and the runs are
 * merged at the end; and the sort of hashes it uses.  The keys of
 * mx-index and mx-partition --index, the key sections of mx-test's
 * partials: a module of its own, as few tools use it.
 */
#ifndef MX_XSORT_H
#define MX_XSORT_H

#include "mx.h"

struct mx_xsort;

/* Elements of size bytes ordered by cmp, sorted within memory bytes: a
 * batch, the sort's copy of it and mx_hsort's bucket counts (at least 64
 * elements a batch whatever the bound). */
struct mx_xsort *mx_xsort_new(size_t size,
	    int (*cmp)(const void *, const void *), long long memory);
/* The elements begin with a struct mx_h128, a hash, which cmp orders
 * first: batches are sorted by mx_hsort. */
void	mx_xsort_hashed(struct mx_xsort *x);
void	mx_xsort_add(struct mx_xsort *x, const void *e);
/* The next element in ascending order, equal ones once: NULL at the
 * end.  The first call ends adding.
 * The element is valid until the next call. */
const void *mx_xsort_next(struct mx_xsort *x);
/* The runs spilled to temporary files (0: all fitted in memory). */
size_t	mx_xsort_runs(const struct mx_xsort *x);
void	mx_xsort_free(struct mx_xsort *x);

/* qsort of n elements of size bytes that begin with a struct mx_h128, a
 * hash, which cmp orders first: put in order by the hashes' top bits
 * first, in a copy of the array, which is much faster when the hashes
 * are spread (and no slower when they are not). */
void	mx_hsort(void *a, size_t n, size_t size,
	    int (*cmp)(const void *, const void *));

#endif /* MX_XSORT_H */
