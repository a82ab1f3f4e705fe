/* rpc_status.c - the status method, and the encoded status kept between
 * requests while what it shows cannot have changed. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asof.h"
#include "bus.h"
#include "date.h"
#include "alloc.h"
#include "err.h"
#include "journal.h"
#include "plugin.h"
#include "repo.h"
#include "rpc.h"
#include "rpc_int.h"
#include "verdict.h"
#include "alloc.h"

/* The encoded result of status, kept while what it shows cannot have
 * changed. Dashboards and monitors poll status far more often than the
 * state moves, and building it (verdict counts, plugin figures, the
 * encoding) costs more than the rest of a request. It is reused within
 * one pass of the event loop only, and only while the clock's second, the
 * client, subscription and pending counts, the cursor and the
 * configuration error are those it was made with. What a client can learn
 * a change from (a notification, the reply to a write or a subscription,
 * a client gone) drops it first, so a status asked for after that shows
 * the change. Loop thread only. */
struct status_key {
	const struct rpc_env *e;
	const struct server *srv;
	uint64_t pass; /* server_pass() */
	int64_t now;
	size_t clients, subs, pending;
	uint64_t cursor;
	struct asof_stats asof;
};

static struct {
	struct status_key key;
	char *config_error; /* a copy, or NULL */
	char *only;         /* the "repo" asked for, or NULL: all */
	char *text;         /* the result, encoded; NULL: nothing kept */
	size_t len;
} scache;

void
rpc_status_forget(void)
{
	free(scache.text);
	scache.text = NULL;
}

json_t *
rpc_jtime(int64_t t)
{
	char s[21];
	if (t == 0)
		return json_null();
	date_format_utc(t, s);
	return json_string(s);
}

static json_t *
repo_status(struct repo *r)
{
	struct verdict_counts vc;
	verdict_count(r->results, &vc);
	json_t *o =
	        json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:o, s:o, s:s?, s:o, s:b}", "name",
	                  r->conf.name, "source", r->conf.url ? r->conf.url : r->conf.path,
	                  "health", repo_health_name(r->health), "message", r->health_msg, "commit",
	                  r->commit[0] ? r->commit : NULL, "organisation", r->organisation,
	                  "commit_time", rpc_jtime(r->commit_time), "evaluated_at",
	                  rpc_jtime(r->evaluated_at), "rules_error", r->rules_error, "counts",
	                  verdict_counts_json(&vc), "conformant", verdict_repo_conformant(&vc));
	json_object_set_new(o, "rules", json_integer((json_int_t)json_array_size(r->rules)));
	json_object_set_new(o, "rules_digest",
	                    r->rules_digest[0] ? json_string(r->rules_digest) : json_null());
	json_object_set_new(o, "next_evaluation", rpc_jtime(r->next_valid));
	json_object_set_new(o, "evaluating", json_boolean(r->busy > 0));
	json_object_set_new(o, "evaluations", json_integer((json_int_t)r->nevals));
	json_object_set_new(o, "last_eval_ms", json_real(r->last_ms));
	json_object_set_new(o, "last_rules_run", json_integer((json_int_t)r->last_run));
	json_object_set_new(o, "history_rewritten", json_boolean(r->rewritten));
	return o;
}

static int
same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static void
status_key(const struct rpc_env *e, struct status_key *key)
{
	memset(key, 0, sizeof(*key)); /* the padding too: keys are compared whole */
	key->e = e;
	key->srv = e->srv;
	key->pass = server_pass(e->srv);
	key->now = e->now(e->arg);
	key->clients = server_nclients(e->srv);
	key->subs = bus_nsubs(e->bus);
	key->pending = evaluator_pending(e->ev);
	key->cursor = journal_last(e->journal);
	asof_stats(e->asof, &key->asof);
}

/* The kept status for key and only, or NULL. */
static const char *
status_kept(const struct rpc_env *e, const struct status_key *key, const char *only, size_t *len)
{
	if (scache.text == NULL || memcmp(&scache.key, key, sizeof(*key)) != 0 ||
	    !same_str(scache.only, only) || !same_str(scache.config_error, e->config_error(e->arg)))
		return NULL;
	*len = scache.len;
	return scache.text;
}

/* Keep result (borrowed) as the status for key and only; the text. */
static const char *
status_keep(const struct rpc_env *e, const struct status_key *key, const char *only, json_t *result,
            size_t *len)
{
	rpc_status_forget();
	free(scache.only);
	free(scache.config_error);
	scache.key = *key;
	scache.only = only ? xstrdup(only) : NULL;
	const char *ce = e->config_error(e->arg);
	scache.config_error = ce ? xstrdup(ce) : NULL;
	scache.text = json_dumps(result, JSON_COMPACT | JSON_PRESERVE_ORDER);
	scache.len = strlen(scache.text);
	*len = scache.len;
	return scache.text;
}

int
m_status(struct call *k)
{
	const struct rpc_env *e = k->e;
	const char *only = rpc_pstr(k, "repo");
	struct status_key key;
	struct repo *r;
	status_key(e, &key);
	if ((k->text = status_kept(e, &key, only, &k->textlen)) != NULL)
		return 0;
	json_t *repos = json_array();
	for (size_t i = 0; (r = e->repo_at(e->arg, i)) != NULL; i++)
		if (only == NULL || strcmp(only, r->conf.name) == 0)
			json_array_append_new(repos, repo_status(r));
	if (only && json_array_size(repos) == 0) {
		json_decref(repos);
		return rpc_fail(k, RPC_NO_REPO, "no repository named '%s'", only);
	}
	k->result = json_pack("{s:s, s:i, s:o, s:o, s:I, s:I, s:I, s:I, s:s?, s:o}", "version",
	                      ISMS_VERSION, "pid", (int)getpid(), "started", rpc_jtime(e->started),
	                      "now", rpc_jtime(e->now(e->arg)), "clients",
	                      (json_int_t)server_nclients(e->srv), "subscriptions",
	                      (json_int_t)bus_nsubs(e->bus), "pending_evaluations",
	                      (json_int_t)evaluator_pending(e->ev), "cursor",
	                      (json_int_t)journal_last(e->journal), "config_error",
	                      e->config_error(e->arg), "repositories", repos);
	char *ps = plugin_host_status(e->plugins);
	json_t *plugins = json_loads(ps, 0, NULL);
	free(ps);
	json_object_set_new(k->result, "plugins", plugins ? plugins : json_array());
	json_object_set_new(
	        k->result, "as_of_cache",
	        json_pack("{s:I, s:I, s:I, s:I, s:I}", "capacity", (json_int_t)key.asof.capacity,
	                  "kept", (json_int_t)key.asof.kept, "running",
	                  (json_int_t)key.asof.running, "evaluations",
	                  (json_int_t)key.asof.evaluations, "hits", (json_int_t)key.asof.hits));
	k->text = status_keep(e, &key, only, k->result, &k->textlen);
	json_decref(k->result);
	k->result = NULL;
	return 0;
}
