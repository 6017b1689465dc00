/*
 * ring.c: batches of lines scanned on threads, taken back in order
 * (ring.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

#define RING_LINES	4096
#define RING_BYTES	((size_t)1 << 20)

enum { B_FREE, B_FULL, B_DONE };

struct worker {
	pthread_t	 t;
	struct mx_ring	*r;
	int		 no;
	void		*arg;
};

struct mx_ring {
	int		 n;
	struct worker	*w;
	struct mx_rbatch *b;
	size_t		 nb, ressize;
	void		(*scan)(void *, struct mx_rbatch *);
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	uint64_t	 fill, drain;	/* the reader's next batches */
	int		 drained;	/* the reader's: drain seen scanned */
	int		 quit;
};

static void
ring_set(struct mx_ring *r, struct mx_rbatch *b, int state)
{
	pthread_mutex_lock(&r->mu);
	b->state = state;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct mx_ring *r = w->r;
	struct mx_rbatch *b;
	uint64_t seq = (uint64_t)w->no;
	int go;

	for (;; seq += (uint64_t)r->n) {
		b = &r->b[seq % r->nb];
		pthread_mutex_lock(&r->mu);
		while (!(b->state == B_FULL && b->seq == seq) && !r->quit)
			pthread_cond_wait(&r->cv, &r->mu);
		go = b->state == B_FULL && b->seq == seq;
		pthread_mutex_unlock(&r->mu);
		if (!go)
			return NULL;
		r->scan(w->arg, b);
		ring_set(r, b, B_DONE);
	}
}

struct mx_ring *
mx_ring_new(int n, size_t ressize, void (*scan)(void *, struct mx_rbatch *),
    void **arg)
{
	struct mx_ring *r = mx_calloc(1, sizeof *r);
	int i, e;

	r->n = n;
	r->nb = (size_t)n * 2 + 2;
	r->b = mx_calloc(r->nb, sizeof *r->b);
	r->w = mx_calloc((size_t)n, sizeof *r->w);
	r->ressize = ressize;
	r->scan = scan;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	for (i = 0; i < n; i++) {
		r->w[i].r = r;
		r->w[i].no = i;
		r->w[i].arg = arg[i];
		if ((e = pthread_create(&r->w[i].t, NULL, worker_main,
		    &r->w[i])) != 0) {
			errno = e;
			mx_err(MX_EXIT_FAIL, "cannot start a thread");
		}
	}
	return r;
}

struct mx_rbatch *
mx_ring_fill(struct mx_ring *r)
{
	return r->fill - r->drain < r->nb ? &r->b[r->fill % r->nb] : NULL;
}

int
mx_ring_add(struct mx_ring *r, struct mx_rbatch *b, const char *name,
    uintmax_t lineno, const char *p, size_t n)
{
	struct mx_rline *l;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->v = mx_reallocarray(b->v, b->cap, sizeof *b->v);
		b->res = mx_reallocarray(b->res, b->cap, r->ressize);
	}
	l = &b->v[b->n++];
	l->off = b->text.len;
	l->n = (uint32_t)n;
	l->name = name;
	l->lineno = lineno;
	mx_buf_add(&b->text, p, n);
	return b->n == RING_LINES || b->text.len >= RING_BYTES;
}

void
mx_ring_hand(struct mx_ring *r)
{
	struct mx_rbatch *b = mx_ring_fill(r);

	if (b == NULL || b->n == 0)
		return;
	pthread_mutex_lock(&r->mu);
	b->seq = r->fill++;
	b->state = B_FULL;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

struct mx_rbatch *
mx_ring_oldest(struct mx_ring *r)
{
	struct mx_rbatch *b;

	if (r->drain == r->fill)
		return NULL;
	b = &r->b[r->drain % r->nb];
	/* (mx-dedup asks for each line: the lock once a batch) */
	if (r->drained)
		return b;
	pthread_mutex_lock(&r->mu);
	while (b->state != B_DONE)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
	r->drained = 1;
	return b;
}

void
mx_ring_done(struct mx_ring *r)
{
	struct mx_rbatch *b = &r->b[r->drain % r->nb];

	b->n = b->next = b->text.len = b->aux.len = 0;
	/* (a batch that took a long line lets it go) */
	if (b->text.cap > 2 * RING_BYTES)
		mx_buf_free(&b->text);
	ring_set(r, b, B_FREE);
	r->drain++;
	r->drained = 0;
}

size_t
mx_ring_busy(const struct mx_ring *r)
{
	return (size_t)(r->fill - r->drain);
}

void
mx_ring_free(struct mx_ring *r)
{
	size_t i;
	int k;

	pthread_mutex_lock(&r->mu);
	r->quit = 1;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	for (k = 0; k < r->n; k++)
		pthread_join(r->w[k].t, NULL);
	for (i = 0; i < r->nb; i++) {
		mx_buf_free(&r->b[i].text);
		mx_buf_free(&r->b[i].aux);
		free(r->b[i].v);
		free(r->b[i].res);
	}
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	free(r->b);
	free(r->w);
	free(r);
}
