/* headcache.c - repositories' head records kept within a byte budget,
 * least recently used first to go. The list is short (what fits the
 * budget), so it is searched in order. Holds are let go outside the lock:
 * freeing a large model takes a while. */
#include "headcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "log.h"
#include "model.h"

struct entry {
	const void *key;
	struct model_hold *h;
	size_t bytes;
	struct entry *prev, *next; /* most recently used first */
};

struct headcache {
	pthread_mutex_t mu;
	struct entry *first, *last;
	size_t budget, bytes, kept, hits, misses;
};

struct headcache *
headcache_new(size_t budget)
{
	struct headcache *c = xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	c->budget = budget;
	return c;
}

/* Take x off the list; under the lock. */
static void
unlink_entry(struct headcache *c, struct entry *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		c->first = x->next;
	if (x->next)
		x->next->prev = x->prev;
	else
		c->last = x->prev;
	x->prev = x->next = NULL;
	c->bytes -= x->bytes;
	c->kept--;
}

/* Put x first; under the lock. */
static void
push_front(struct headcache *c, struct entry *x)
{
	x->prev = NULL;
	x->next = c->first;
	if (c->first)
		c->first->prev = x;
	else
		c->last = x;
	c->first = x;
	c->bytes += x->bytes;
	c->kept++;
}

static struct entry *
find(struct headcache *c, const void *key)
{
	for (struct entry *x = c->first; x; x = x->next)
		if (x->key == key)
			return x;
	return NULL;
}

/* Holds taken off the list under the lock, let go of after it. */
struct drops {
	struct model_hold **v;
	size_t n;
};

/* Free the entry x (unlinked) and keep its hold for drops_run. */
static void
drops_add(struct drops *d, struct entry *x)
{
	d->v = xreallocarray(d->v, d->n + 1, sizeof(struct model_hold *));
	d->v[d->n++] = x->h;
	free(x);
}

static void
drops_run(struct drops *d)
{
	for (size_t i = 0; i < d->n; i++)
		model_hold_drop(d->v[i]);
	free(d->v);
}

/* Keep the most recently used entries while they fit the budget (the
 * first whatever its size) and take the others off the list. Under the
 * lock. */
static void
trim(struct headcache *c, struct drops *d)
{
	struct entry *x = c->first;
	if (x == NULL || c->bytes <= c->budget)
		return;
	size_t sum = x->bytes;
	while (x->next && sum + x->next->bytes <= c->budget) {
		x = x->next;
		sum += x->bytes;
	}
	struct entry *tail = x->next;
	x->next = NULL;
	c->last = x;
	while (tail) {
		struct entry *next = tail->next;
		c->bytes -= tail->bytes;
		c->kept--;
		drops_add(d, tail);
		tail = next;
	}
}

void
headcache_free(struct headcache *c)
{
	if (c == NULL)
		return;
	struct drops d = { 0 };
	struct entry *x = c->first;
	while (x) {
		struct entry *next = x->next;
		drops_add(&d, x);
		x = next;
	}
	drops_run(&d);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

void
headcache_set_budget(struct headcache *c, size_t budget)
{
	struct drops d = { 0 };
	pthread_mutex_lock(&c->mu);
	c->budget = budget;
	trim(c, &d);
	pthread_mutex_unlock(&c->mu);
	drops_run(&d);
}

struct model_hold *
headcache_get(struct headcache *c, const void *key, const char *commit)
{
	struct model_hold *h = NULL;
	pthread_mutex_lock(&c->mu);
	struct entry *x = find(c, key);
	if (x && (commit == NULL || strcmp(x->h->snap->commit, commit) == 0)) {
		unlink_entry(c, x);
		push_front(c, x);
		h = model_hold_ref(x->h);
		c->hits++;
	} else
		c->misses++;
	pthread_mutex_unlock(&c->mu);
	return h;
}

void
headcache_put(struct headcache *c, const void *key, struct model_hold *h)
{
	struct drops d = { 0 };
	struct entry *x = NULL;
	size_t mine = 0;
	if (h && h->m && h->snap) {
		x = xcalloc(1, sizeof(*x));
		x->key = key;
		x->h = model_hold_ref(h);
		x->bytes = mine = model_hold_bytes(h);
	}
	pthread_mutex_lock(&c->mu);
	struct entry *old = find(c, key);
	if (old) {
		unlink_entry(c, old);
		drops_add(&d, old);
	}
	if (x) {
		push_front(c, x);
		trim(c, &d);
	}
	size_t bytes = c->bytes, kept = c->kept;
	pthread_mutex_unlock(&c->mu);
	if (mine)
		log_debug("records of %.12s kept: %zu KiB; %zu heads in %zu KiB", h->snap->commit,
		          mine >> 10, kept, bytes >> 10);
	drops_run(&d);
}

void
headcache_forget(struct headcache *c, const void *key)
{
	struct drops d = { 0 };
	pthread_mutex_lock(&c->mu);
	struct entry *x = find(c, key);
	if (x) {
		unlink_entry(c, x);
		drops_add(&d, x);
	}
	pthread_mutex_unlock(&c->mu);
	drops_run(&d);
}

void
headcache_stats(struct headcache *c, struct headcache_stats *out)
{
	pthread_mutex_lock(&c->mu);
	*out = (struct headcache_stats){ c->budget, c->bytes, c->kept, c->hits, c->misses };
	pthread_mutex_unlock(&c->mu);
}
