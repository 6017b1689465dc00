/*
 * ring.h: lines read on one thread, scanned in batches on others, taken
 * back in their order (mx-dedup's first pass, mx-partition's scan).  The
 * reading thread fills the batch mx_ring_fill gives it and hands it over;
 * thread i of n scans the batches i, i + n, ...; the reading thread takes
 * the oldest back once scanned, uses it, and frees it with mx_ring_done.
 * The scanning threads only compute: every message and exit stays with
 * the reader, which is what keeps the output the same as one thread's.
 */
#ifndef MX_RING_H
#define MX_RING_H

#include <stdint.h>

#include "mx.h"

struct mx_rline {
	size_t		 off;		/* in text */
	uint32_t	 n;
	const char	*name;		/* its file */
	uintmax_t	 lineno;
};

struct mx_rbatch {
	struct mx_buf	 text;
	struct mx_buf	 aux;		/* the scan's, beside its lines */
	struct mx_rline	*v;
	unsigned char	*res;		/* the scan's, ressize bytes a line */
	size_t		 n, cap;
	size_t		 next;		/* the reader's, from 0 */
	uint64_t	 seq;
	int		 state;
};

struct mx_ring;

/* n threads, each calling scan(arg[i], batch) on its batches; ressize
 * bytes of result a line.  (2n + 2 batches of 4096 lines or 1 MB.) */
struct mx_ring *mx_ring_new(int n, size_t ressize,
	    void (*scan)(void *arg, struct mx_rbatch *b), void **arg);
/* The batch to fill, or NULL when every batch is handed over. */
struct mx_rbatch *mx_ring_fill(struct mx_ring *r);
/* A line into b; true when b is full. */
int	mx_ring_add(struct mx_ring *r, struct mx_rbatch *b, const char *name,
	    uintmax_t lineno, const char *p, size_t n);
/* The batch being filled over to the threads (none: nothing in it). */
void	mx_ring_hand(struct mx_ring *r);
/* The oldest batch handed over, once scanned; NULL when there is none. */
struct mx_rbatch *mx_ring_oldest(struct mx_ring *r);
/* The oldest batch used: free for more lines. */
void	mx_ring_done(struct mx_ring *r);
/* Batches handed over and not done. */
size_t	mx_ring_busy(const struct mx_ring *r);
/* The threads ended, the batches freed. */
void	mx_ring_free(struct mx_ring *r);

#endif /* MX_RING_H */
