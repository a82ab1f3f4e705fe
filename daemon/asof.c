/* asof.c - evaluations as of a date or commit, shared while they run and
 * kept in a least-recently-used cache (asof.h). */
#include "asof.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "err.h"
#include "evaluator.h"

struct asof_waiter {
	void (*fn)(struct asof_entry *, void *);
	void *arg;
	struct asof_waiter *next;
};

struct asof {
	struct evaluator *ev;
	size_t capacity;
	/* Kept evaluations, most recently used first, and those running
	 * (not kept yet). A short list: the capacity is small, and a look-up
	 * costs far less than the evaluation it saves. */
	struct asof_entry *head, *tail;
	struct asof_entry *running;
	struct asof_stats st;
};

struct asof *
asof_new(struct evaluator *ev, size_t capacity)
{
	struct asof *a = xcalloc(1, sizeof(*a));
	a->ev = ev;
	a->capacity = capacity ? capacity : 1;
	return a;
}

struct asof_entry *
asof_ref(struct asof_entry *x)
{
	x->refs++;
	return x;
}

void
asof_unref(struct asof_entry *x)
{
	if (x == NULL || --x->refs > 0)
		return;
	free(x->repo);
	free(x->spec);
	free(x->error);
	json_decref(x->results);
	free(x);
}

static void
unlink_kept(struct asof *a, struct asof_entry *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		a->head = x->next;
	if (x->next)
		x->next->prev = x->prev;
	else
		a->tail = x->prev;
	x->prev = x->next = NULL;
	x->kept = 0;
	a->st.kept--;
}

static void
push_front(struct asof *a, struct asof_entry *x)
{
	x->prev = NULL;
	x->next = a->head;
	if (a->head)
		a->head->prev = x;
	else
		a->tail = x;
	a->head = x;
	x->kept = 1;
	a->st.kept++;
}

/* Let go of the least recently used until at most the capacity is kept;
 * never of keep (NULL: none), the one just put in. */
static void
trim(struct asof *a, const struct asof_entry *keep)
{
	struct asof_entry *x = a->tail;
	while (x && a->st.kept > a->capacity) {
		struct asof_entry *prev = x->prev;
		if (x != keep) {
			unlink_kept(a, x);
			asof_unref(x);
		}
		x = prev;
	}
}

void
asof_set_capacity(struct asof *a, size_t capacity)
{
	a->capacity = capacity ? capacity : 1;
	trim(a, NULL);
}

static int
same(const struct asof_entry *x, const char *repo, const char *spec)
{
	return strcmp(x->repo, repo) == 0 && strcmp(x->spec, spec) == 0;
}

struct asof_entry *
asof_find(struct asof *a, const char *repo, const char *spec)
{
	for (struct asof_entry *x = a->running; x; x = x->next)
		if (same(x, repo, spec))
			return x;
	for (struct asof_entry *x = a->head; x; x = x->next)
		if (same(x, repo, spec)) {
			unlink_kept(a, x);
			push_front(a, x);
			a->st.hits++;
			return x;
		}
	return NULL;
}

/* Take x off the running list. */
static void
unlink_running(struct asof *a, struct asof_entry *x)
{
	struct asof_entry **p = &a->running;
	while (*p && *p != x)
		p = &(*p)->next;
	if (*p)
		*p = x->next;
	x->next = NULL;
	a->st.running--;
}

/* The job's done(): fill the entry, keep it (when it did not fail), tell
 * who waits. */
static void
job_done(struct ev_job *j, void *arg)
{
	struct asof_entry *x = arg;
	struct asof *a = x->owner;
	if (j->rc < 0) {
		x->state = ASOF_FAILED;
		x->error = xstrdup(err_msg());
		x->bad_spec = j->bad_asof;
	} else {
		x->state = ASOF_DONE;
		snprintf(x->commit, sizeof(x->commit), "%s", j->commit);
		snprintf(x->digest, sizeof(x->digest), "%s", j->digest);
		x->now = j->now;
		x->ms = j->ms;
		x->results = json_object();
		size_t i;
		json_t *v;
		json_array_foreach (j->results, i, v) {
			const char *id = json_string_value(json_object_get(v, "id"));
			if (id)
				json_object_set(x->results, id, v);
		}
		a->st.evaluations++;
	}
	ev_job_free(j);
	unlink_running(a, x);
	if (x->state == ASOF_DONE) {
		push_front(a, asof_ref(x));
		trim(a, x);
	}
	struct asof_waiter *w = x->waiters;
	x->waiters = NULL;
	while (w) {
		struct asof_waiter *next = w->next;
		w->fn(x, w->arg);
		free(w);
		w = next;
	}
	asof_unref(x); /* the job's */
}

struct asof_entry *
asof_start(struct asof *a, struct evaluator_repo *er, const char *repo, const char *spec)
{
	struct asof_entry *x = asof_find(a, repo, spec);
	if (x)
		return x;
	x = xcalloc(1, sizeof(*x));
	x->repo = xstrdup(repo);
	x->spec = xstrdup(spec);
	x->owner = a;
	x->refs = 1; /* the job's */
	x->next = a->running;
	a->running = x;
	a->st.running++;
	struct ev_job *j = ev_job_new(EV_REF, er);
	j->asof = xstrdup(spec);
	j->done = job_done;
	j->arg = x;
	evaluator_submit(a->ev, j);
	return x;
}

void
asof_wait(struct asof_entry *x, void (*fn)(struct asof_entry *, void *), void *arg)
{
	struct asof_waiter *w = xcalloc(1, sizeof(*w));
	w->fn = fn;
	w->arg = arg;
	/* At the end: those who asked first are answered first. */
	struct asof_waiter **p = &x->waiters;
	while (*p)
		p = &(*p)->next;
	*p = w;
}

void
asof_forget(struct asof *a, const char *repo)
{
	struct asof_entry *x = a->head;
	while (x) {
		struct asof_entry *next = x->next;
		if (repo == NULL || strcmp(x->repo, repo) == 0) {
			unlink_kept(a, x);
			asof_unref(x);
		}
		x = next;
	}
}

void
asof_stats(const struct asof *a, struct asof_stats *out)
{
	*out = a->st;
	out->capacity = a->capacity;
}

void
asof_free(struct asof *a)
{
	if (a == NULL)
		return;
	asof_forget(a, NULL);
	free(a);
}
