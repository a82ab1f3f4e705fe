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
#include "suggest.h"

/* A declared parameter: its name and the JSON types it may have (null
 * always counts as leaving it out). */
enum { P_STR = 1, P_BOOL = 2, P_INT = 4, P_LIST = 8 };
struct param {
	const char *name;
	int types;
	const char *what; /* the type in words, for the error */
};

#define REPO                                                                                       \
	{                                                                                          \
		"repo", P_STR, "a repository name"                                                 \
	}
#define AS_OF                                                                                      \
	{                                                                                          \
		"as_of", P_STR, "a commit or an ISO 8601 date"                                     \
	}
#define END                                                                                        \
	{                                                                                          \
		NULL, 0, NULL                                                                      \
	}
#define MAX_PARAMS 8

struct method {
	const char *name;
	int flags;
	int (*fn)(struct call *);
	struct param params[MAX_PARAMS];
};

#define NEEDS_REPO 8

static const struct method methods[] = {
	{ "status", RPC_READ, m_status, { REPO, END } },
	{ "results",
	  RPC_READ | NEEDS_REPO,
	  m_results,
	  { REPO,
	    AS_OF,
	    { "status", P_STR,
	      "a verdict status (pass, fail, warn, not_applicable, waived, error)" },
	    { "clause", P_STR, "a clause such as \"6\" or \"6.1.2\"" },
	    { "control", P_STR, "an Annex A control such as \"5\" or \"5.15\"" },
	    { "theme", P_STR, "an Annex A theme" },
	    END } },
	{ "explain",
	  RPC_READ | NEEDS_REPO,
	  m_explain,
	  { REPO, AS_OF, { "rule", P_STR, "a rule id" }, END } },
	{ "summary", RPC_READ | NEEDS_REPO, m_summary, { REPO, AS_OF, END } },
	{ "soa",
	  RPC_READ | NEEDS_REPO,
	  m_soa,
	  { REPO,
	    { "detail", P_BOOL, "true or false (true: the whole Statement of Applicability)" },
	    END } },
	{ "rules", RPC_READ | NEEDS_REPO, m_rules, { REPO, END } },
	{ "history",
	  RPC_READ | NEEDS_REPO,
	  m_history,
	  { REPO,
	    { "since", P_STR, "an ISO 8601 date" },
	    { "until", P_STR, "an ISO 8601 date" },
	    { "limit", P_INT, "a positive whole number" },
	    { "from", P_STR, "an ISO 8601 date" },
	    { "to", P_STR, "an ISO 8601 date" },
	    { "every", P_STR, "\"week\" or \"month\"" },
	    END } },
	{ "sync", RPC_WRITE | NEEDS_REPO, m_sync, { REPO, END } },
	{ "evaluate",
	  RPC_WRITE | NEEDS_REPO,
	  m_evaluate,
	  { REPO,
	    { "ref", P_STR, "a branch, tag or commit" },
	    { "now", P_STR, "an ISO 8601 date" },
	    END } },
	{ "subscribe",
	  RPC_SUBSCRIBE,
	  m_subscribe,
	  { REPO,
	    { "topics", P_LIST, "a list of topics" },
	    { "cursor", P_INT, "a cursor (a whole number)" },
	    END } },
	{ "unsubscribe",
	  RPC_SUBSCRIBE,
	  m_unsubscribe,
	  { { "subscription", P_INT, "a number from subscribe" }, END } },
	{ "schedule",
	  RPC_READ | NEEDS_REPO,
	  m_schedule,
	  { REPO, { "ics", P_BOOL, "true or false" }, { "text", P_BOOL, "true or false" }, END } },
	{ "calendar",
	  RPC_READ | NEEDS_REPO,
	  m_schedule,
	  { REPO, { "ics", P_BOOL, "true or false" }, { "text", P_BOOL, "true or false" }, END } },
	{ "audit-plan",
	  RPC_READ | NEEDS_REPO,
	  m_audit_plan,
	  { REPO, { "text", P_BOOL, "true or false" }, END } },
	{ "review-pack",
	  RPC_READ | NEEDS_REPO,
	  m_review_pack,
	  { REPO, { "links", P_STR, "a path prefix such as \"../\"" }, END } },
	{ "ack",
	  RPC_WRITE | NEEDS_REPO,
	  m_ack,
	  { REPO, { "id", P_STR, "a reminder id or its ack key" }, END } },
	{ "clock",
	  RPC_WRITE,
	  m_clock,
	  { { "set", P_STR, "an ISO 8601 date" },
	    { "advance", P_INT, "a number of seconds" },
	    END } },
};

/* Check k->params against m's declared parameters: each known, each of
 * its type. -1 with the error set. */
static int
check_params(struct call *k, const struct method *m)
{
	const char *key;
	json_t *v;
	json_object_foreach (k->params, key, v) {
		const struct param *p = NULL;
		const char *names[MAX_PARAMS + 1];
		size_t n = 0;
		for (; m->params[n].name; n++) {
			names[n] = m->params[n].name;
			if (strcmp(m->params[n].name, key) == 0)
				p = &m->params[n];
		}
		names[n] = NULL;
		if (p == NULL) {
			char h[160];
			struct buf b = { 0 };
			for (size_t i = 0; i < n; i++)
				buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
			rpc_fail(k, RPC_INVALID_PARAMS,
			         "unknown parameter \"%s\" for '%s'%s (it takes %s)", key, m->name,
			         suggest_among(key, names, n, h, sizeof(h)),
			         n ? b.data : "no parameters");
			buf_free(&b);
			return -1;
		}
		int t = json_is_string(v)    ? P_STR
		        : json_is_boolean(v) ? P_BOOL
		        : json_is_integer(v) ? P_INT
		        : json_is_array(v)   ? P_LIST
		                             : 0;
		if (!json_is_null(v) && !(t & p->types))
			return rpc_fail(k, RPC_INVALID_PARAMS, "\"%s\" must be %s", key, p->what);
	}
	return 0;
}

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
rpc_check(json_t *o)
{
	const char *why = NULL;
	if (!json_is_object(o))
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
	if (json_is_array(o)) {
		if (json_array_size(o) > 0)
			return 0;
		err_set("invalid request: an empty batch");
		return RPC_INVALID_REQUEST;
	}
	return rpc_check(o);
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

/* Send one encoded response (s, n bytes ending in its newline): to
 * client c as a line, or into batch b. One server_send per reply, so the
 * output bound sees the reply whole. */
static void
emit(struct client *c, struct batch *b, const char *s, size_t n)
{
	if (b) {
		buf_add(&b->out, b->n++ ? "," : "[", 1);
		buf_add(&b->out, s, n - 1);
		return;
	}
	server_send(c, s, n);
}

static void
emit_json(struct client *c, struct batch *b, json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (s == NULL) {
		/* A reply that could not be built still gets an answer. */
		s = xstrdup("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,"
		            "\"message\":\"internal error: the reply could not be encoded\"}}");
	}
	size_t n = strlen(s);
	s[n] = '\n'; /* over the terminating NUL: the line is n + 1 bytes */
	emit(c, b, s, n + 1);
	free(s);
}

void
rpc_batch_add(struct batch *b, json_t *msg)
{
	emit_json(NULL, b, msg);
}

void
rpc_batch_settle(struct batch *b)
{
	if (b->waiting > 0 && --b->waiting > 0)
		return;
	struct client *c = b->e->stopping ? NULL : server_client(b->e->srv, b->client);
	if (c && b->n > 0) {
		buf_add(&b->out, "]\n", 2);
		server_send(c, b->out.data, b->out.len);
	}
	if (b->held && !b->e->stopping)
		server_release(b->e->srv, b->client);
	buf_free(&b->out);
	free(b);
}

/* Send an already encoded result as the reply to id: the same bytes as
 * emit_json would send for the envelope. */
static void
send_text(struct client *c, struct batch *bt, json_t *id, const char *text, size_t len)
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
	emit(c, bt, b.data, b.len);
}

void
rpc_reply(struct call *k)
{
	if (k->id == NULL || k->pending || k->sent) {
		json_decref(k->result);
		json_decref(k->error);
		return;
	}
	if (k->error == NULL && k->text) {
		send_text(k->c, k->batch, k->id, k->text, k->textlen);
		return;
	}
	json_t *o = k->error;
	if (o == NULL)
		o = json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", k->id, "result",
		              k->result ? k->result : json_null());
	emit_json(k->c, k->batch, o);
	json_decref(o);
}

/* Handle one request object (req, borrowed) from c, its reply sent or
 * added to batch b (NULL: none). */
static void
handle(struct rpc_env *e, struct client *c, struct batch *b, json_t *req)
{
	struct call k = { .e = e, .c = c, .batch = b };
	int code = rpc_check(req);
	if (code < 0) {
		json_t *err = rpc_error(rpc_id(req), code, "%s", err_msg());
		emit_json(c, b, err);
		json_decref(err);
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
	if (m == NULL) {
		char h[160];
		const char *names[NELEM(methods)];
		for (size_t i = 0; i < NELEM(methods); i++)
			names[i] = methods[i].name;
		rpc_fail(&k, RPC_NO_METHOD, "no method '%s'%s (see docs/protocol.md)", name,
		         suggest_among(name, names, NELEM(methods), h, sizeof(h)));
	} else if (check_params(&k, m) < 0) {
		; /* the error is set */
	} else if ((m->flags & RPC_WRITE) && !authorised(k.e->cfg, c)) {
		rpc_fail(&k, RPC_UNAUTHORISED,
		         "not authorised: '%s' changes the daemon's "
		         "state and this user may not call it (write_users, write_groups)",
		         name);
	} else {
		/* a null parameter is one left out */
		const char *key;
		json_t *v;
		void *tmp;
		json_object_foreach_safe(k.params, tmp, key, v) if (json_is_null(v))
		        json_object_del(k.params, key);
		k.fn = m->fn;
		if (!(m->flags & NEEDS_REPO) || find_repo(&k) == 0)
			m->fn(&k);
		rpc_asof_settle(&k);
	}
	if (k.pending && b)
		b->waiting++;
	else if (k.pending)
		server_client_hold(c);
	/* writes and subscriptions change what status shows */
	if (m && !(m->flags & RPC_READ))
		rpc_status_forget();
	rpc_reply(&k);
	json_decref(empty);
}

void
rpc_line(void *arg, struct client *c, const char *line, size_t len)
{
	struct rpc_env *e = arg;
	json_t *req;
	int code = rpc_parse(line, len, &req);
	if (code < 0 && !json_is_object(req)) {
		/* not JSON, an empty batch, or not a request at all */
		json_t *err = rpc_error(NULL, code, "%s", err_msg());
		server_send_json(c, err);
		json_decref(err);
		json_decref(req);
		return;
	}
	if (!json_is_array(req)) {
		handle(e, c, NULL, req);
		json_decref(req);
		return;
	}
	/* A batch: one array of the responses, none for notifications, sent
	 * when the last (a sync's or an evaluate's) is in. */
	struct batch *b = xcalloc(1, sizeof(*b));
	b->e = e;
	b->client = server_client_id(c);
	b->waiting = 1; /* until every request has been handled */
	size_t i;
	json_t *v;
	json_array_foreach (req, i, v)
		handle(e, c, b, v);
	json_decref(req);
	if (b->waiting > 1) {
		server_client_hold(c);
		b->held = 1;
	}
	rpc_batch_settle(b);
}

/* Run one method for another transport (http.c): no client, no id. Only
 * methods whose flags are in allow run, and none that replies later. */
int
rpc_call(struct rpc_env *e, const char *method, json_t *params, int allow, char **out, size_t *len)
{
	struct call k = { .e = e, .id = json_null(), .params = params };
	const struct method *m = NULL;
	for (size_t i = 0; i < NELEM(methods); i++)
		if (strcmp(methods[i].name, method) == 0)
			m = &methods[i];
	if (m == NULL || !(m->flags & allow) || m->fn == m_sync || m->fn == m_evaluate ||
	    (m->flags & RPC_SUBSCRIBE))
		rpc_fail(&k, RPC_NO_METHOD, "no method '%s' over HTTP (see docs/protocol.md)",
		         method);
	else if (!(m->flags & NEEDS_REPO) || find_repo(&k) == 0)
		m->fn(&k);
	rpc_asof_settle(&k);
	if (m && !(m->flags & RPC_READ))
		rpc_status_forget();
	int code = 0;
	if (k.error) {
		json_t *err = json_object_get(k.error, "error");
		code = (int)json_integer_value(json_object_get(err, "code"));
		json_t *o = json_pack("{s:O}", "error", err);
		*out = json_dumps(o, JSON_COMPACT);
		json_decref(o);
	} else if (k.text) {
		*out = xstrndup(k.text, k.textlen);
	} else {
		*out = json_dumps(k.result ? k.result : json_null(),
		                  JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	}
	*len = strlen(*out);
	json_decref(k.result);
	json_decref(k.error);
	return code;
}
