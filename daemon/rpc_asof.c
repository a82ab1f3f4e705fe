/* rpc_asof.c - calls that wait for an evaluation as of a date or commit
 * the journal does not hold (asof.h): the call takes a reference to each
 * evaluation it needs, and when any is still running the client's reply
 * is held, the loop goes on serving others, and the call runs again once
 * the last of them has finished. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "asof.h"
#include "repo.h"
#include "rpc.h"
#include "rpc_int.h"

/* A call waiting for evaluations: what it needs to run again. */
struct waiting {
	struct rpc_env *e;
	uint64_t client;
	struct batch *batch;
	json_t *id, *params;
	char *repo;
	int (*fn)(struct call *);
	struct rpc_held *held;
	size_t nheld;
	size_t left; /* evaluations still running */
};

int
rpc_asof_get(struct call *k, const char *spec, struct asof_entry **out, const char **source)
{
	for (size_t i = 0; i < k->nheld; i++) {
		struct asof_entry *x = k->held[i].x;
		if (strcmp(x->repo, k->r->conf.name) == 0 && strcmp(x->spec, spec) == 0) {
			*out = x;
			*source = k->held[i].waited ? "evaluated" : "cache";
			return x->state != ASOF_RUNNING;
		}
	}
	struct asof_entry *x = asof_find(k->e->asof, k->r->conf.name, spec);
	int kept = x && x->state != ASOF_RUNNING;
	if (x == NULL)
		x = asof_start(k->e->asof, k->r->er, k->r->conf.name, spec);
	k->held = xreallocarray(k->held, k->nheld + 1, sizeof(*k->held));
	k->held[k->nheld++] = (struct rpc_held){ asof_ref(x), !kept };
	rpc_status_forget(); /* status counts the evaluations */
	*out = x;
	*source = kept ? "cache" : "evaluated";
	return kept;
}

static void
drop_held(struct rpc_held *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		asof_unref(h[i].x);
	free(h);
}

static void resume(struct asof_entry *x, void *arg);

void
rpc_asof_settle(struct call *k)
{
	size_t running = 0;
	for (size_t i = 0; i < k->nheld; i++)
		running += k->held[i].x->state == ASOF_RUNNING;
	if (running && k->error == NULL && k->result == NULL && k->text == NULL) {
		if (k->c == NULL) {
			/* HTTP cannot hold a reply: the evaluation goes on and is
			 * kept for the next request. */
			rpc_fail(k, RPC_BUSY,
			         "the ISMS as of that date or commit is being evaluated from git "
			         "history; ask again in a few seconds");
		} else if (k->id != NULL) {
			struct waiting *w = xcalloc(1, sizeof(*w));
			w->e = k->e;
			w->client = server_client_id(k->c);
			w->batch = k->batch;
			w->id = json_incref(k->id);
			w->params = json_incref(k->params);
			w->repo = xstrdup(k->r->conf.name);
			w->fn = k->fn;
			w->held = k->held;
			w->nheld = k->nheld;
			w->left = running;
			for (size_t i = 0; i < k->nheld; i++)
				if (k->held[i].x->state == ASOF_RUNNING)
					asof_wait(k->held[i].x, resume, w);
			k->held = NULL;
			k->nheld = 0;
			k->pending = 1;
			return;
		}
	}
	drop_held(k->held, k->nheld);
	k->held = NULL;
	k->nheld = 0;
}

/* One evaluation w waits for has finished; after the last, run the call
 * again and send its reply. */
static void
resume(struct asof_entry *x, void *arg)
{
	struct waiting *w = arg;
	if (--w->left > 0)
		return;
	struct rpc_env *e = w->e;
	struct call k = { .e = e,
		          .batch = w->batch,
		          .id = w->id,
		          .params = w->params,
		          .fn = w->fn,
		          .held = w->held,
		          .nheld = w->nheld };
	w->held = NULL;
	if (!e->stopping) {
		k.c = server_client(e->srv, w->client);
		k.r = rpc_repo_named(e, w->repo);
		if (k.c == NULL)
			; /* gone: nothing to answer */
		else if (k.r == NULL)
			rpc_fail(&k, RPC_NO_REPO,
			         "repository %s was removed from the configuration while it was "
			         "evaluated",
			         w->repo);
		else
			w->fn(&k);
		rpc_asof_settle(&k);
	} else {
		drop_held(k.held, k.nheld);
	}
	if (k.pending)
		goto out; /* waits again, with the same hold */
	if (!e->stopping && k.c != NULL)
		rpc_reply(&k);
	else {
		json_decref(k.result);
		json_decref(k.error);
	}
	if (w->batch)
		rpc_batch_settle(w->batch);
	else if (!e->stopping)
		server_release(e->srv, w->client);
out:
	json_decref(w->id);
	json_decref(w->params);
	free(w->repo);
	free(w);
}
