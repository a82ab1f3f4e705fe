/* rpc_subscribe.c - subscriptions: subscribe (the reply, then what was
 * missed since a cursor, then live notifications), unsubscribe, and the
 * end of a client's. */
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "journal.h"
#include "rpc.h"
#include "rpc_int.h"
#include "cdefs.h"
#include "alloc.h"

static const char *const topics[] = { "results", "findings", "commits", "status", "reminders" };

/* A client's subscriptions. */
struct subs {
	struct bus_sub **v;
	size_t n;
};

static void
deliver(void *arg, const struct journal_entry *e)
{
	rpc_status_forget(); /* the notification tells of a new state */
	server_send_shared(arg, e->seq, e->line, e->len);
}

int
m_subscribe(struct call *k)
{
	json_t *t = json_object_get(k->params, "topics"), *v;
	json_t *cur = json_object_get(k->params, "cursor");
	const char *repo = rpc_pstr(k, "repo");
	const char *names[NELEM(topics) + 1];
	size_t n = 0, i;
	if (t == NULL) {
		for (i = 0; i < NELEM(topics); i++)
			names[n++] = topics[i];
	} else if (!json_is_array(t) || json_array_size(t) == 0 ||
	           json_array_size(t) > NELEM(topics)) {
		return rpc_fail(k, RPC_INVALID_PARAMS,
		                "\"topics\" must be a list of topics "
		                "(results, findings, commits, status, reminders)");
	}
	json_array_foreach (t, i, v) {
		const char *s = json_string_value(v);
		size_t x;
		for (x = 0; s && x < NELEM(topics); x++)
			if (strcmp(s, topics[x]) == 0)
				break;
		if (s == NULL || x == NELEM(topics))
			return rpc_fail(k, RPC_INVALID_PARAMS,
			                "unknown topic %s%s%s (use results, "
			                "findings, commits, status or reminders)",
			                s ? "'" : "", s ? s : "(not a string)", s ? "'" : "");
		names[n++] = s;
	}
	if (repo && rpc_repo_named(k->e, repo) == NULL)
		return rpc_fail(k, RPC_NO_REPO, "no repository named '%s'", repo);
	if (cur && (!json_is_integer(cur) || json_integer_value(cur) < 0))
		return rpc_fail(k, RPC_INVALID_PARAMS,
		                "\"cursor\" must be a cursor from a notification");
	struct subs *ss = server_client_data(k->c);
	if (ss == NULL) {
		ss = xcalloc(1, sizeof(*ss));
		server_client_set_data(k->c, ss);
	}
	if (ss->n >= 64)
		return rpc_fail(k, RPC_INVALID_PARAMS, "too many subscriptions on one connection");
	struct bus_sub *sub = bus_subscribe(k->e->bus, repo, names, n, deliver, k->c);
	ss->v = xreallocarray(ss->v, ss->n + 1, sizeof(struct bus_sub *));
	ss->v[ss->n++] = sub;
	json_t *tn = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(tn, json_string(names[i]));
	k->result = json_pack("{s:I, s:o, s:s?, s:I}", "subscription", (json_int_t)ss->n, "topics",
	                      tn, "repo", repo, "cursor", (json_int_t)journal_last(k->e->journal));
	/* The reply first, then what was missed, then live events. */
	rpc_reply(k);
	k->result = NULL;
	k->sent = 1;
	if (cur)
		bus_replay(k->e->bus, sub, (uint64_t)json_integer_value(cur));
	return 0;
}

int
m_unsubscribe(struct call *k)
{
	struct subs *ss = server_client_data(k->c);
	json_t *which = json_object_get(k->params, "subscription");
	size_t ended = 0;
	if (which && (!json_is_integer(which) || json_integer_value(which) < 1))
		return rpc_fail(k, RPC_INVALID_PARAMS,
		                "\"subscription\" must be a number from subscribe");
	for (size_t i = 0; ss && i < ss->n; i++) {
		if (ss->v[i] == NULL || (which && (json_int_t)i + 1 != json_integer_value(which)))
			continue;
		bus_unsubscribe(k->e->bus, ss->v[i]);
		ss->v[i] = NULL;
		ended++;
	}
	k->result = json_pack("{s:I}", "ended", (json_int_t)ended);
	return 0;
}

void
rpc_gone(void *arg, struct client *c)
{
	const struct rpc_env *e = arg;
	struct subs *ss = server_client_data(c);
	rpc_status_forget(); /* one client fewer */
	if (ss == NULL)
		return;
	for (size_t i = 0; i < ss->n; i++)
		if (ss->v[i])
			bus_unsubscribe(e->bus, ss->v[i]);
	free(ss->v);
	free(ss);
	server_client_set_data(c, NULL);
}
