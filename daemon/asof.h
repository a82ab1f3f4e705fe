/* asof.h - evaluations of a repository as of a date or a commit that the
 * journal does not hold (the as_of of results, explain, summary and
 * history): run on the evaluator's threads as an EV_REF job that reads
 * its as-of spec along the repository's ref (snapshot_asof_spec), shared
 * by every request for the same repository and spec while it runs, and
 * kept afterwards in a least-recently-used cache of at most `capacity`
 * evaluations (asof_cache in ismsd.conf). A failed one is not kept.
 *
 * Entries are counted: the cache holds one reference to each entry it
 * keeps, a running job one, and whoever waits for an entry or reads it
 * takes its own (asof_ref). An entry pushed out of the cache stays valid
 * for those who hold it, so memory is bounded by the capacity plus the
 * evaluations that requests hold at the moment. Loop thread only. */
#ifndef ISMS_ASOF_H
#define ISMS_ASOF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct asof;
struct evaluator;
struct evaluator_repo;

enum asof_state { ASOF_RUNNING, ASOF_DONE, ASOF_FAILED };

struct asof_waiter;

/* One evaluation of repo as of spec. */
struct asof_entry {
	char *repo, *spec;
	enum asof_state state;
	int bad_spec;    /* FAILED: spec names nothing in the repository */
	char *error;     /* FAILED: why */
	char commit[41]; /* DONE: the commit evaluated */
	int64_t now;     /* DONE: the clock it was evaluated at */
	char digest[41]; /* DONE: the rules_digest that judged it */
	json_t *results; /* DONE: rule id -> verdict */
	double ms;       /* DONE: evaluation wall time */
	/* The cache's. */
	size_t refs;
	int kept; /* on the cache's list */
	struct asof_waiter *waiters;
	struct asof_entry *prev, *next;
	struct asof *owner;
};

/* Figures for status. */
struct asof_stats {
	size_t capacity; /* evaluations kept at most */
	size_t kept;     /* evaluations kept now */
	size_t running;  /* evaluations running or queued */
	size_t evaluations, hits;
};

/* A cache submitting to ev, keeping at most capacity (at least 1)
 * evaluations. The caller's (asof_free, after evaluator_free: running
 * jobs point at their entries). */
struct asof *asof_new(struct evaluator *ev, size_t capacity);
void asof_free(struct asof *a);
/* Keep at most capacity evaluations from now on (a reload). */
void asof_set_capacity(struct asof *a, size_t capacity);
/* The evaluation of repo as of spec, kept or running, or NULL; a kept
 * one becomes the most recently used. Borrowed: asof_ref to keep it. */
struct asof_entry *asof_find(struct asof *a, const char *repo, const char *spec);
/* Start the evaluation of repo (its worker half er) as of spec, unless it
 * is kept or runs already; returns it (borrowed). */
struct asof_entry *asof_start(struct asof *a, struct evaluator_repo *er, const char *repo,
                              const char *spec);
/* Call fn(x, arg) on the loop thread once x (running) has finished,
 * failed or not; x stays valid during the call. */
void asof_wait(struct asof_entry *x, void (*fn)(struct asof_entry *, void *), void *arg);
struct asof_entry *asof_ref(struct asof_entry *x);
void asof_unref(struct asof_entry *x);
/* Drop the kept evaluations of repo (NULL: of every repository): its rule
 * packs or its place changed, so they may no longer hold. */
void asof_forget(struct asof *a, const char *repo);
void asof_stats(const struct asof *a, struct asof_stats *out);

#endif
