/*
 * xsort.c: an external sort of fixed-size elements (xsort.h).  A batch
 * fills up to the bound, is sorted, and is written to an unlinked
 * temporary file with its duplicates dropped; at the end the runs and the
 * last batch, kept in memory, are merged through a heap of their heads.
 */
#include <stdlib.h>
#include <string.h>

#include "xsort.h"

/* A run's elements are read XREAD at a time: one fread each cost more
 * than the merge's compares (mx-partition --index of 10M keys). */
#define XREAD	256

struct src {
	FILE		*fp;		/* a run, or NULL: the batch in memory */
	unsigned char	*cur;		/* its head */
	unsigned char	*buf;		/* a run's: XREAD elements */
	size_t		 pos, n;	/* buf's next element, and its count */
	size_t		 left;		/* the run's elements not yet read */
};

/* A head in the merge's heap: its source, and the high word of its hash
 * (a hashed sort's; 0 otherwise), which tells most heads apart without
 * finding them. */
struct hent {
	uint64_t	 hi;
	size_t		 i;
};

struct mx_xsort {
	size_t		  size, n, cap, max;
	int		(*cmp)(const void *, const void *);
	unsigned char	 *a;		/* the batch */
	FILE		**runs;
	size_t		 *runlen;	/* each run's elements */
	size_t		  nruns;
	int		  merging;
	struct src	 *s;
	struct hent	 *heap;
	size_t		  nheap, memat;
	unsigned char	 *last;
	int		  haslast;
	int		  hashed;
};

struct mx_xsort *
mx_xsort_new(size_t size, int (*cmp)(const void *, const void *),
    long long memory)
{
	struct mx_xsort *x = mx_calloc(1, sizeof *x);

	x->size = size;
	x->cmp = cmp;
	/* a batch and its copy (glibc's qsort sorts through one, and so
	 * does mx_hsort), and mx_hsort's bucket counts beside them: fewer
	 * than n / 4 buckets of 8 bytes, 2 bytes an element */
	x->max = memory > 0 ? (size_t)memory / (2 * size + 2) : 0;
	if (x->max < 64)
		x->max = 64;
	x->last = mx_malloc(size);
	return x;
}

/* The elements put in order by the top bits of their hashes, about 8 a
 * bucket, each bucket then sorted on its own: two passes over the array
 * and a few comparisons an element, where qsort makes 20 (mx-partition
 * --index over 1M records: 0.61 s -> 0.51 s of user time).  The copy
 * they are sorted in takes what qsort's would, and a bucket of more than
 * 32 is qsorted in it; hashes so crowded that a bucket holds an eighth
 * of them are qsorted whole instead, so that the copy and a bucket's
 * copy never take memory together. */
void
mx_hsort(void *base, size_t n, size_t sz,
    int (*cmp)(const void *, const void *))
{
	unsigned char *a = base, *t, *e, *tmp;
	size_t *at, i, j, k, b, nb;
	uint64_t hi;
	int bits = 1;

	if (n <= 1024) {
		if (n > 1)	/* (base may be NULL when n is 0) */
			qsort(base, n, sz, cmp);
		return;
	}
	while (bits < 20 && ((size_t)1 << bits) < n / 8)
		bits++;
	nb = (size_t)1 << bits;
	at = mx_calloc(nb + 1, sizeof *at);
	for (i = 0; i < n; i++) {
		memcpy(&hi, a + i * sz, sizeof hi);
		at[(hi >> (64 - bits)) + 1]++;
	}
	/* hashes that are not spread: qsort, and no copy but its own */
	for (b = 0; b < nb; b++)
		if (at[b + 1] > n / 8) {
			free(at);
			qsort(base, n, sz, cmp);
			return;
		}
	for (b = 0; b < nb; b++)
		at[b + 1] += at[b];
	t = mx_reallocarray(NULL, n, sz);
	for (i = 0; i < n; i++) {
		memcpy(&hi, a + i * sz, sizeof hi);
		memcpy(t + at[hi >> (64 - bits)]++ * sz, a + i * sz, sz);
	}
	/* (at[b] is now where bucket b ends) */
	tmp = mx_malloc(sz);
	for (b = 0, i = 0; b < nb; i = at[b++]) {
		if (at[b] - i > 32) {
			qsort(t + i * sz, at[b] - i, sz, cmp);
			continue;
		}
		for (j = i + 1; j < at[b]; j++) {
			e = t + j * sz;
			for (k = j; k > i && cmp(t + (k - 1) * sz, e) > 0; k--)
				;
			if (k == j)
				continue;
			memcpy(tmp, e, sz);
			memmove(t + (k + 1) * sz, t + k * sz, (j - k) * sz);
			memcpy(t + k * sz, tmp, sz);
		}
	}
	memcpy(a, t, n * sz);
	free(tmp);
	free(t);
	free(at);
}

void
mx_xsort_hashed(struct mx_xsort *x)
{
	x->hashed = 1;
}

/* The batch sorted, each distinct element once. */
static void
batch_sort(struct mx_xsort *x)
{
	size_t i, j;

	if (x->hashed)
		mx_hsort(x->a, x->n, x->size, x->cmp);
	else if (x->n > 1)
		qsort(x->a, x->n, x->size, x->cmp);
	for (i = j = 0; i < x->n; i++)
		if (j == 0 || x->cmp(x->a + (j - 1) * x->size,
		    x->a + i * x->size) != 0) {
			if (j != i)
				memcpy(x->a + j * x->size, x->a + i * x->size,
				    x->size);
			j++;
		}
	x->n = j;
}

void
mx_xsort_add(struct mx_xsort *x, const void *e)
{
	FILE *fp;

	if (x->n == x->cap) {
		if (x->cap == x->max) {
			batch_sort(x);
			fp = mx_spill_open();
			mx_spill_write(fp, x->a, x->n * x->size);
			mx_spill_rewind(fp);
			x->runs = mx_reallocarray(x->runs, x->nruns + 1,
			    sizeof *x->runs);
			x->runlen = mx_reallocarray(x->runlen, x->nruns + 1,
			    sizeof *x->runlen);
			x->runlen[x->nruns] = x->n;
			x->runs[x->nruns++] = fp;
			x->n = 0;
		} else {
			x->cap = x->cap == 0 ? 1024 : x->cap * 2;
			if (x->cap > x->max)
				x->cap = x->max;
			x->a = mx_reallocarray(x->a, x->cap, x->size);
		}
	}
	memcpy(x->a + x->n++ * x->size, e, x->size);
}

/* Move source i to its next element: 0 when it has none. */
static int
advance(struct mx_xsort *x, size_t i)
{
	struct src *s = &x->s[i];

	if (s->fp != NULL) {
		if (s->pos == s->n) {
			if (s->left == 0)
				return 0;
			s->n = s->left < XREAD ? s->left : XREAD;
			mx_spill_need(s->fp, s->buf, s->n * x->size);
			s->left -= s->n;
			s->pos = 0;
		}
		s->cur = s->buf + s->pos++ * x->size;
		return 1;
	}
	if (x->memat >= x->n)
		return 0;
	s->cur = x->a + x->memat++ * x->size;
	return 1;
}

/* Elements of a hashed sort are told apart by their high words, mostly,
 * without the call. */
static inline int
order(const struct mx_xsort *x, const unsigned char *p,
    const unsigned char *q)
{
	uint64_t u, v;

	if (x->hashed) {
		memcpy(&u, p, sizeof u);
		memcpy(&v, q, sizeof v);
		if (u != v)
			return u < v ? -1 : 1;
	}
	return x->cmp(p, q);
}

static inline int
less(const struct mx_xsort *x, const struct hent *a, const struct hent *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi;
	return x->cmp(x->s[a->i].cur, x->s[b->i].cur) < 0;
}

/* The heap entry of source i, whose head is new. */
static void
head(struct mx_xsort *x, struct hent *h, size_t i)
{
	h->i = i;
	h->hi = 0;
	if (x->hashed)
		memcpy(&h->hi, x->s[i].cur, sizeof h->hi);
}

/* (the smaller child picked without a branch: which of two random hashes
 * is smaller is a coin's toss to the branch predictor) */
static void
sift(struct mx_xsort *x, size_t i)
{
	struct hent *h = x->heap, t = h[i];
	size_t c, d;

	while ((c = 2 * i + 1) < x->nheap) {
		d = c + 1 < x->nheap ? c + 1 : c;
		if (h[d].hi != h[c].hi)
			c += h[d].hi < h[c].hi;
		else if (d != c)
			c += x->cmp(x->s[h[d].i].cur, x->s[h[c].i].cur) < 0;
		if (!less(x, &h[c], &t))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = t;
}

static void
merge_begin(struct mx_xsort *x)
{
	size_t i, k = x->nruns + 1;

	x->merging = 1;
	batch_sort(x);
	x->s = mx_calloc(k, sizeof *x->s);
	x->heap = mx_calloc(k, sizeof *x->heap);
	for (i = 0; i < k; i++) {
		if (i < x->nruns) {
			x->s[i].fp = x->runs[i];
			x->s[i].buf = mx_reallocarray(NULL, XREAD, x->size);
			x->s[i].left = x->runlen[i];
		}
		if (advance(x, i))
			head(x, &x->heap[x->nheap++], i);
	}
	for (i = x->nheap / 2; i-- > 0;)
		sift(x, i);
}

const void *
mx_xsort_next(struct mx_xsort *x)
{
	size_t top;
	int fresh;

	if (!x->merging)
		merge_begin(x);
	while (x->nheap > 0) {
		top = x->heap[0].i;
		fresh = !x->haslast || order(x, x->last, x->s[top].cur) != 0;
		if (fresh) {
			memcpy(x->last, x->s[top].cur, x->size);
			x->haslast = 1;
		}
		if (advance(x, top))
			head(x, &x->heap[0], top);
		else
			x->heap[0] = x->heap[--x->nheap];
		sift(x, 0);
		if (fresh)
			return x->last;
	}
	return NULL;
}

size_t
mx_xsort_runs(const struct mx_xsort *x)
{
	return x->nruns;
}

void
mx_xsort_free(struct mx_xsort *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->nruns; i++) {
		fclose(x->runs[i]);
		if (x->s != NULL)
			free(x->s[i].buf);
	}
	free(x->runs);
	free(x->runlen);
	free(x->s);
	free(x->heap);
	free(x->a);
	free(x->last);
	free(x);
}
