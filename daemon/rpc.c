/* rpc.c - the socket's JSON-RPC 2.0 framing and dispatch. One table
 * lists every method with its flags; the dispatcher validates the
 * envelope, checks authorisation for write methods and resolves the
 * repository before the handler runs. The handlers live by group in
 * rpc_status.c, rpc_verdicts.c, rpc_jobs.c and rpc_subscribe.c;
 * docs/protocol.md documents each method. */
#include "rpc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "repo.h"
#include "rpc_int.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "utf8.h"

struct method {
	const char *name;
	int flags;
	int (*fn)(struct call *);
};

#define NEEDS_REPO 8

static const struct method methods[] = {
	{ "status", RPC_READ, m_status },
	{ "results", RPC_READ | NEEDS_REPO, m_results },
	{ "explain", RPC_READ | NEEDS_REPO, m_explain },
	{ "summary", RPC_READ | NEEDS_REPO, m_summary },
	{ "soa", RPC_READ | NEEDS_REPO, m_soa },
	{ "rules", RPC_READ | NEEDS_REPO, m_rules },
	{ "history", RPC_READ | NEEDS_REPO, m_history },
	{ "sync", RPC_WRITE | NEEDS_REPO, m_sync },
	{ "evaluate", RPC_WRITE | NEEDS_REPO, m_evaluate },
	{ "subscribe", RPC_SUBSCRIBE, m_subscribe },
	{ "unsubscribe", RPC_SUBSCRIBE, m_unsubscribe },
	{ "schedule", RPC_READ | NEEDS_REPO, m_schedule },
	{ "calendar", RPC_READ | NEEDS_REPO, m_schedule },
	{ "audit-plan", RPC_READ | NEEDS_REPO, m_audit_plan },
	{ "review-pack", RPC_READ | NEEDS_REPO, m_review_pack },
	{ "ack", RPC_WRITE | NEEDS_REPO, m_ack },
	{ "clock", RPC_WRITE, m_clock },
};

json_t *
rpc_error(json_t *id, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *raw = xvasprintf(fmt, ap);
	va_end(ap);
	/* A message may quote the request's bytes (the JSON parser's error
	 * context), which need not be UTF-8. */
	char *msg = utf8_clean(raw);
	json_t *o = json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id",
	                      id ? id : json_null(), "error", "code", code, "message", msg);
	free(raw);
	free(msg);
	return o;
}

int
rpc_fail(struct call *k, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	k->error = rpc_error(k->id, code, "%s", msg);
	free(msg);
	return -1;
}

int
rpc_method_flags(const char *name)
{
	for (size_t i = 0; i < NELEM(methods); i++)
		if (strcmp(methods[i].name, name) == 0)
			return methods[i].flags & (RPC_READ | RPC_WRITE | RPC_SUBSCRIBE);
	return -1;
}

json_t *
rpc_id(json_t *req)
{
	json_t *id = json_object_get(req, "id");
	return json_is_string(id) || json_is_integer(id) || json_is_null(id) ? id : NULL;
}

int
rpc_parse(const char *line, size_t len, json_t **req)
{
	json_error_t je;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	*req = o;
	if (o == NULL) {
		err_set("not valid JSON: %s (column %d)", je.text, je.column);
		return RPC_PARSE_ERROR;
	}
	const char *why = NULL;
	if (json_is_array(o))
		why = "batches are not supported: send one request per line";
	else if (!json_is_object(o))
		why = "a request must be a JSON object";
	else if (!json_is_string(json_object_get(o, "jsonrpc")) ||
	         strcmp(json_string_value(json_object_get(o, "jsonrpc")), "2.0") != 0)
		why = "\"jsonrpc\" must be \"2.0\"";
	else if (!json_is_string(json_object_get(o, "method")))
		why = "\"method\" must be a string";
	else if (json_object_get(o, "id") && rpc_id(o) == NULL)
		why = "\"id\" must be a string, a whole number or null";
	if (why) {
		err_set("invalid request: %s", why);
		return RPC_INVALID_REQUEST;
	}
	json_t *p = json_object_get(o, "params");
	if (p && !json_is_object(p) && !json_is_null(p)) {
		err_set("\"params\" must be an object of named parameters");
		return RPC_INVALID_PARAMS;
	}
	return 0;
}

/* Whether the peer may call write methods: write_users / write_groups,
 * or by default root and the daemon's own user. */
static int
authorised(const struct config *cfg, struct client *c)
{
	uid_t uid;
	gid_t gid;
	if (server_client_cred(c, &uid, &gid) < 0)
		return 0;
	if (!cfg->write_set)
		return uid == 0 || uid == geteuid();
	for (size_t i = 0; i < cfg->nwrite_uids; i++)
		if (cfg->write_uids[i] == uid)
			return 1;
	for (size_t i = 0; i < cfg->nwrite_gids; i++)
		if (cfg->write_gids[i] == gid)
			return 1;
	return 0;
}

/* The repository named name; NULL name: the only one. NULL when none. */
struct repo *
rpc_repo_named(const struct rpc_env *e, const char *name)
{
	struct repo *r;
	if (name == NULL)
		return e->repo_at(e->arg, 0) && !e->repo_at(e->arg, 1) ? e->repo_at(e->arg, 0)
		                                                       : NULL;
	for (size_t i = 0; (r = e->repo_at(e->arg, i)) != NULL; i++)
		if (r->conf.name && strcmp(r->conf.name, name) == 0)
			return r;
	return NULL;
}

const char *
rpc_pstr(struct call *k, const char *key)
{
	return json_string_value(json_object_get(k->params, key));
}

/* Resolve params.repo, or the only repository. */
static int
find_repo(struct call *k)
{
	json_t *v = json_object_get(k->params, "repo");
	if (v && !json_is_string(v) && !json_is_null(v))
		return rpc_fail(k, RPC_INVALID_PARAMS, "\"repo\" must be a repository name");
	const char *name = json_string_value(v);
	k->r = rpc_repo_named(k->e, name);
	if (k->r)
		return 0;
	if (name)
		return rpc_fail(k, RPC_NO_REPO, "no repository named '%s'", name);
	struct buf b = { 0 };
	struct repo *r;
	size_t n;
	for (n = 0; (r = k->e->repo_at(k->e->arg, n)) != NULL; n++)
		buf_printf(&b, "%s%s", n ? ", " : "", r->conf.name);
	rpc_fail(k, RPC_NO_REPO,
	         "this daemon serves %zu repositories (%s): name one with "
	         "\"repo\"",
	         n, b.data);
	buf_free(&b);
	return -1;
}

/* Send an already encoded result as the reply to id: the same bytes as
 * server_send_json would send for the envelope. */
static void
send_text(struct client *c, json_t *id, const char *text, size_t len)
{
	static struct buf b; /* reused: no allocation per reply */
	b.len = 0;
	buf_adds(&b, "{\"jsonrpc\":\"2.0\",\"id\":");
	if (json_is_integer(id)) {
		buf_printf(&b, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
	} else {
		char *s = json_dumps(id, JSON_COMPACT | JSON_ENCODE_ANY);
		buf_adds(&b, s);
		free(s);
	}
	buf_adds(&b, ",\"result\":");
	buf_add(&b, text, len);
	buf_add(&b, "}\n", 2);
	server_send(c, b.data, b.len);
}

void
rpc_reply(struct call *k)
{
	if (k->id == NULL || k->pending) {
		json_decref(k->result);
		json_decref(k->error);
		return;
	}
	if (k->error == NULL && k->text) {
		send_text(k->c, k->id, k->text, k->textlen);
		return;
	}
	json_t *o = k->error;
	if (o == NULL)
		o = json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", k->id, "result",
		              k->result ? k->result : json_null());
	server_send_json(k->c, o);
	json_decref(o);
}

void
rpc_line(void *arg, struct client *c, const char *line, size_t len)
{
	struct call k = { .e = arg, .c = c };
	json_t *req;
	int code = rpc_parse(line, len, &req);
	if (code < 0) {
		json_t *err = rpc_error(rpc_id(req), code, "%s", err_msg());
		server_send_json(c, err);
		json_decref(err);
		json_decref(req);
		return;
	}
	k.id = json_object_get(req, "id");
	k.params = json_object_get(req, "params");
	json_t *empty = NULL;
	if (!json_is_object(k.params))
		k.params = empty = json_object();
	const char *name = json_string_value(json_object_get(req, "method"));
	const struct method *m = NULL;
	for (size_t i = 0; i < NELEM(methods); i++)
		if (strcmp(methods[i].name, name) == 0)
			m = &methods[i];
	if (m == NULL)
		rpc_fail(&k, RPC_NO_METHOD, "no method '%s' (see docs/protocol.md)", name);
	else if ((m->flags & RPC_WRITE) && !authorised(k.e->cfg, c))
		rpc_fail(&k, RPC_UNAUTHORISED,
		         "not authorised: '%s' changes the daemon's "
		         "state and this user may not call it (write_users, write_groups)",
		         name);
	else if (!(m->flags & NEEDS_REPO) || find_repo(&k) == 0)
		m->fn(&k);
	/* writes and subscriptions change what status shows */
	if (m && !(m->flags & RPC_READ))
		rpc_status_forget();
	rpc_reply(&k);
	json_decref(empty);
	json_decref(req);
}
