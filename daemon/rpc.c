/* rpc.c - the socket's JSON-RPC 2.0 methods. One table lists every
 * method with its flags; the dispatcher validates the envelope, checks
 * authorisation for write methods and resolves the repository before the
 * handler runs. docs/protocol.md documents each method. */
#include "rpc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "date.h"
#include "engine.h"
#include "log.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "utf8.h"
#include "plugin.h"
#include "report.h"
#include "schedule.h"

/* One call being handled. */
struct call {
	struct daemon *d;
	struct client *c;
	json_t *id;       /* borrowed; NULL for a notification */
	json_t *params;   /* borrowed; an object */
	struct repo *r;   /* the repository named, or the only one */
	json_t *result;   /* set by the handler, stolen by the dispatcher */
	const char *text; /* or the result already encoded (borrowed) */
	size_t textlen;   /* and its length */
	json_t *error;    /* or this */
	int pending;      /* the reply comes later (rpc_finish) */
};

struct method {
	const char *name;
	int flags;
	int (*fn)(struct call *);
};

static int m_status(struct call *);
static int m_results(struct call *);
static int m_explain(struct call *);
static int m_summary(struct call *);
static int m_soa(struct call *);
static int m_rules(struct call *);
static int m_history(struct call *);
static int m_sync(struct call *);
static int m_evaluate(struct call *);
static int m_subscribe(struct call *);
static int m_unsubscribe(struct call *);
static int m_schedule(struct call *);
static int m_audit_plan(struct call *);
static int m_review_pack(struct call *);
static int m_ack(struct call *);

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
};

static const char *const topics[] = { "results", "findings", "commits", "status", "reminders" };

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
	const struct daemon *d;
	const struct server *srv;
	uint64_t pass; /* server_pass() */
	int64_t now;
	size_t clients, subs, pending;
	uint64_t cursor;
};

static struct {
	struct status_key key;
	char *config_error; /* a copy, or NULL */
	char *only;         /* the "repo" asked for, or NULL: all */
	char *text;         /* the result, encoded; NULL: nothing kept */
	size_t len;
} scache;

static void
status_forget(void)
{
	free(scache.text);
	scache.text = NULL;
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

static int fail(struct call *k, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int
fail(struct call *k, int code, const char *fmt, ...)
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

int
rpc_parse(const char *line, size_t len, json_t **req, json_t **err)
{
	json_error_t je;
	*req = NULL;
	*err = NULL;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (o == NULL) {
		*err = rpc_error(NULL, RPC_PARSE_ERROR, "not valid JSON: %s (column %d)", je.text,
		                 je.column);
		return -1;
	}
	json_t *id = json_object_get(o, "id");
	if (id && !json_is_string(id) && !json_is_integer(id) && !json_is_null(id))
		id = NULL;
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
	else if (json_object_get(o, "id") && id == NULL)
		why = "\"id\" must be a string, a whole number or null";
	if (why) {
		*err = rpc_error(id, RPC_INVALID_REQUEST, "invalid request: %s", why);
		json_decref(o);
		return -1;
	}
	json_t *p = json_object_get(o, "params");
	if (p && !json_is_object(p) && !json_is_null(p)) {
		*err = rpc_error(id, RPC_INVALID_PARAMS,
		                 "\"params\" must be an object "
		                 "of named parameters");
		json_decref(o);
		return -1;
	}
	*req = o;
	return 0;
}

/* Whether the peer may call write methods: write_users / write_groups,
 * or by default root and the daemon's own user. */
static int
authorised(struct daemon *d, struct client *c)
{
	uid_t uid;
	gid_t gid;
	if (server_client_cred(c, &uid, &gid) < 0)
		return 0;
	if (!d->cfg.write_set)
		return uid == 0 || uid == geteuid();
	for (size_t i = 0; i < d->cfg.nwrite_uids; i++)
		if (d->cfg.write_uids[i] == uid)
			return 1;
	for (size_t i = 0; i < d->cfg.nwrite_gids; i++)
		if (d->cfg.write_gids[i] == gid)
			return 1;
	return 0;
}

static const char *
pstr(struct call *k, const char *key)
{
	return json_string_value(json_object_get(k->params, key));
}

/* Resolve params.repo, or the only repository. */
static int
find_repo(struct call *k)
{
	json_t *v = json_object_get(k->params, "repo");
	if (v && !json_is_string(v) && !json_is_null(v))
		return fail(k, RPC_INVALID_PARAMS, "\"repo\" must be a repository name");
	const char *name = json_string_value(v);
	k->r = daemon_repo(k->d, name);
	if (k->r)
		return 0;
	if (name)
		return fail(k, RPC_NO_REPO, "no repository named '%s'", name);
	struct buf b = { 0 };
	for (size_t i = 0; i < k->d->nrepos; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", k->d->repos[i].conf.name);
	fail(k, RPC_NO_REPO,
	     "this daemon serves %zu repositories (%s): name one with "
	     "\"repo\"",
	     k->d->nrepos, b.data);
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

static void
reply(struct call *k)
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
	struct call k = { .d = arg, .c = c };
	json_t *req, *err;
	if (rpc_parse(line, len, &req, &err) < 0) {
		server_send_json(c, err);
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
	if (m == NULL)
		fail(&k, RPC_NO_METHOD, "no method '%s' (see docs/protocol.md)", name);
	else if ((m->flags & RPC_WRITE) && !authorised(k.d, c))
		fail(&k, RPC_UNAUTHORISED,
		     "not authorised: '%s' changes the daemon's "
		     "state and this user may not call it (write_users, write_groups)",
		     name);
	else if (!(m->flags & NEEDS_REPO) || find_repo(&k) == 0)
		m->fn(&k);
	/* writes and subscriptions change what status shows */
	if (m && !(m->flags & RPC_READ))
		status_forget();
	reply(&k);
	json_decref(empty);
	json_decref(req);
}

static json_t *
jtime(int64_t t)
{
	char s[21];
	if (t == 0)
		return json_null();
	date_format_utc(t, s);
	return json_string(s);
}

static int
conformant(json_t *counts)
{
	return json_integer_value(json_object_get(counts, "fail")) == 0 &&
	       json_integer_value(json_object_get(counts, "error")) == 0;
}

static json_t *
repo_status(struct daemon *d, struct repo *r)
{
	json_t *counts = repo_counts(r->results);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:o, s:o, s:s?, s:O, s:b}", "name",
	                      r->conf.name, "source", r->conf.url ? r->conf.url : r->conf.path,
	                      "health", repo_health_name(r->health), "message", r->health_msg,
	                      "commit", r->commit[0] ? r->commit : NULL, "organisation",
	                      r->organisation, "commit_time", jtime(r->commit_time), "evaluated_at",
	                      jtime(r->evaluated_at), "rules_error", r->rules_error, "counts",
	                      counts, "conformant", conformant(counts));
	json_decref(counts);
	json_object_set_new(o, "rules", json_integer((json_int_t)json_array_size(r->rules)));
	json_object_set_new(o, "next_evaluation", jtime(r->next_valid));
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
status_key(struct daemon *d, struct status_key *key)
{
	memset(key, 0, sizeof(*key)); /* the padding too: keys are compared whole */
	key->d = d;
	key->srv = d->srv;
	key->pass = server_pass(d->srv);
	key->now = daemon_now(d);
	key->clients = server_nclients(d->srv);
	key->subs = bus_nsubs(d->bus);
	key->pending = evaluator_pending(d->ev);
	key->cursor = journal_last(d->journal);
}

/* The kept status for key and only, or NULL. */
static const char *
status_kept(struct daemon *d, const struct status_key *key, const char *only, size_t *len)
{
	if (scache.text == NULL || memcmp(&scache.key, key, sizeof(*key)) != 0 ||
	    !same_str(scache.only, only) || !same_str(scache.config_error, d->config_error))
		return NULL;
	*len = scache.len;
	return scache.text;
}

/* Keep result (borrowed) as the status for key and only; the text. */
static const char *
status_keep(struct daemon *d, const struct status_key *key, const char *only, json_t *result,
            size_t *len)
{
	status_forget();
	free(scache.only);
	free(scache.config_error);
	scache.key = *key;
	scache.only = only ? xstrdup(only) : NULL;
	scache.config_error = d->config_error ? xstrdup(d->config_error) : NULL;
	scache.text = json_dumps(result, JSON_COMPACT | JSON_PRESERVE_ORDER);
	scache.len = strlen(scache.text);
	*len = scache.len;
	return scache.text;
}

static int
m_status(struct call *k)
{
	struct daemon *d = k->d;
	const char *only = pstr(k, "repo");
	struct status_key key;
	status_key(d, &key);
	if ((k->text = status_kept(d, &key, only, &k->textlen)) != NULL)
		return 0;
	json_t *repos = json_array();
	for (size_t i = 0; i < d->nrepos; i++)
		if (only == NULL || strcmp(only, d->repos[i].conf.name) == 0)
			json_array_append_new(repos, repo_status(d, &d->repos[i]));
	if (only && json_array_size(repos) == 0) {
		json_decref(repos);
		return fail(k, RPC_NO_REPO, "no repository named '%s'", only);
	}
	k->result =
	        json_pack("{s:s, s:i, s:o, s:o, s:I, s:I, s:I, s:I, s:s?, s:o}", "version",
	                  ISMS_VERSION, "pid", (int)getpid(), "started", jtime(d->started), "now",
	                  jtime(daemon_now(d)), "clients", (json_int_t)server_nclients(d->srv),
	                  "subscriptions", (json_int_t)bus_nsubs(d->bus), "pending_evaluations",
	                  (json_int_t)evaluator_pending(d->ev), "cursor",
	                  (json_int_t)journal_last(d->journal), "config_error", d->config_error,
	                  "repositories", repos);
	char *ps = plugin_host_status(d->plugins);
	json_t *plugins = json_loads(ps, 0, NULL);
	free(ps);
	json_object_set_new(k->result, "plugins", plugins ? plugins : json_array());
	k->text = status_keep(d, &key, only, k->result, &k->textlen);
	json_decref(k->result);
	k->result = NULL;
	return 0;
}

/* Parse as_of: a date or date-time (UTC; a bare date means the end of that
 * day), or else a commit id (at least 4 hex digits). */
static int
parse_as_of(const char *s, int64_t *when, int *is_commit)
{
	struct ymd d;
	int has_time;
	*is_commit = 0;
	if (date_parse(s, "UTC", &d, when, &has_time) == 0) {
		if (!has_time)
			*when = (date_days(d) + 1) * 86400 - 1;
		return 0;
	}
	size_t n = strlen(s);
	if (n >= 4 && n <= 40 && strspn(s, "0123456789abcdef") == n) {
		*is_commit = 1;
		return 0;
	}
	return -1;
}

/* The verdicts of r as of a commit or an instant, from the nearest
 * checkpoint and the journal entries after it (checkpoint.h). Returns 1
 * and *out (the caller's), 0 when the commit was never evaluated or
 * nothing was before the instant, -1 with err_msg(). */
static int
state_as_of(struct daemon *d, struct repo *r, const char *spec, int64_t when, int is_commit,
            char commit[41], json_t **out)
{
	struct checkpoint_query q = { is_commit ? CHECKPOINT_COMMIT : CHECKPOINT_TIME, when, spec };
	struct repo t = { 0 };
	int rc = checkpoint_state(bus_checkpoints(d->bus), r->conf.name, &q, &t);
	free(t.organisation);
	if (rc == 1 && t.commit[0] == '\0') {
		json_decref(t.results);
		return 0;
	}
	if (rc == 1) {
		snprintf(commit, 41, "%s", t.commit);
		*out = t.results;
	}
	return rc;
}

static int
matches(json_t *v, struct call *k)
{
	static const char *const keys[] = { "clause", "control", "theme", "status" };
	for (size_t i = 0; i < NELEM(keys); i++) {
		const char *want = pstr(k, keys[i]);
		const char *have = json_string_value(json_object_get(v, keys[i]));
		if (want == NULL)
			continue;
		if (have == NULL)
			return 0;
		/* clause "6" takes 6.1.2 too */
		size_t wl = strlen(want);
		if (strcmp(have, want) != 0 &&
		    !(i < 2 && strncmp(have, want, wl) == 0 && have[wl] == '.'))
			return 0;
	}
	return 1;
}

/* The verdicts to answer from: the published ones, or those as of
 * params.as_of. Sets commit and at. The caller's. */
static json_t *
source_results(struct call *k, char commit[41], json_t **at)
{
	const char *as_of = pstr(k, "as_of");
	json_t *asv = json_object_get(k->params, "as_of");
	if (asv && !json_is_string(asv)) {
		fail(k, RPC_INVALID_PARAMS, "\"as_of\" must be a commit or an ISO 8601 date");
		return NULL;
	}
	if (as_of == NULL) {
		snprintf(commit, 41, "%s", k->r->commit);
		*at = jtime(k->r->evaluated_at);
		return json_incref(k->r->results);
	}
	int64_t when;
	int is_commit;
	if (parse_as_of(as_of, &when, &is_commit) < 0) {
		fail(k, RPC_INVALID_PARAMS,
		     "\"as_of\" '%s' is neither a date (2026-03-01) "
		     "nor a commit id",
		     as_of);
		return NULL;
	}
	commit[0] = '\0';
	json_t *res = NULL;
	int found = state_as_of(k->d, k->r, as_of, when, is_commit, commit, &res);
	if (found < 0) {
		fail(k, RPC_FAILED, "%s", err_msg());
		return NULL;
	}
	if (found == 0) {
		fail(k, RPC_FAILED,
		     is_commit ? "commit %s was never evaluated by this daemon"
		               : "no evaluation of this repository before %s",
		     as_of);
		return NULL;
	}
	*at = is_commit ? json_null() : jtime(when);
	return res;
}

static json_t *
strip(json_t *v)
{
	json_t *o = json_copy(v);
	json_object_del(o, "reads");
	json_object_del(o, "patterns");
	return o;
}

static int
m_results(struct call *k)
{
	char commit[41];
	json_t *at = NULL;
	json_t *res = source_results(k, commit, &at);
	if (res == NULL)
		return -1;
	json_t *a = json_array(), *v;
	const char *id;
	json_object_foreach (res, id, v)
		if (matches(v, k))
			json_array_append_new(a, strip(v));
	json_t *counts = repo_counts(res);
	k->result = json_pack("{s:s, s:s?, s:o, s:O?, s:b, s:o, s:o}", "repo", k->r->conf.name,
	                      "commit", commit[0] ? commit : NULL, "evaluated_at", at, "as_of",
	                      json_object_get(k->params, "as_of"), "conformant", conformant(counts),
	                      "counts", counts, "results", a);
	json_decref(res);
	return 0;
}

static json_t *
rule_decl(struct repo *r, const char *id)
{
	json_t *v;
	size_t i;
	json_array_foreach (r->rules, i, v)
		if (json_is_string(json_object_get(v, "id")) &&
		    strcmp(json_string_value(json_object_get(v, "id")), id) == 0)
			return v;
	return NULL;
}

static int
m_explain(struct call *k)
{
	const char *rule = pstr(k, "rule");
	if (rule == NULL)
		return fail(k, RPC_INVALID_PARAMS, "\"rule\" (a rule id) is required");
	char commit[41];
	json_t *at = NULL;
	json_t *res = source_results(k, commit, &at);
	if (res == NULL)
		return -1;
	json_t *v = json_object_get(res, rule);
	if (v == NULL) {
		json_decref(res);
		json_decref(at);
		return fail(k, RPC_INVALID_PARAMS,
		            "no rule '%s' in repository %s (see the "
		            "'rules' method)",
		            rule, k->r->conf.name);
	}
	json_t *o = json_copy(v);
	json_t *decl = rule_decl(k->r, rule);
	if (decl) {
		json_object_set(o, "rationale", json_object_get(decl, "rationale"));
		json_object_set(o, "pack", json_object_get(decl, "pack"));
		json_object_set(o, "line", json_object_get(decl, "line"));
	}
	json_object_set_new(o, "repo", json_string(k->r->conf.name));
	json_object_set_new(o, "commit", commit[0] ? json_string(commit) : json_null());
	json_object_set_new(o, "evaluated_at", at);
	k->result = o;
	json_decref(res);
	return 0;
}

static int
m_summary(struct call *k)
{
	char commit[41];
	json_t *at = NULL;
	json_t *res = source_results(k, commit, &at);
	if (res == NULL)
		return -1;
	json_t *groups = json_array();
	for (size_t g = 0; g < report_ngroups(); g++) {
		const char *key, *label;
		report_group_at(g, &key, &label);
		json_t *sub = json_object(), *v;
		const char *id;
		json_object_foreach (res, id, v) {
			const char *gv = json_string_value(json_object_get(v, "group"));
			if (gv && strcmp(gv, key) == 0)
				json_object_set(sub, id, v);
		}
		json_t *counts = repo_counts(sub);
		json_array_append_new(
		        groups, json_pack("{s:s, s:s, s:I, s:b, s:o}", "group", key, "label", label,
		                          "rules", (json_int_t)json_object_size(sub), "conformant",
		                          conformant(counts), "counts", counts));
		json_decref(sub);
	}
	json_t *counts = repo_counts(res);
	k->result = json_pack("{s:s, s:s?, s:o, s:b, s:o, s:o}", "repo", k->r->conf.name, "commit",
	                      commit[0] ? commit : NULL, "evaluated_at", at, "conformant",
	                      conformant(counts), "counts", counts, "groups", groups);
	json_decref(res);
	return 0;
}

static int
rank(const char *status)
{
	static const char *const order[] = { "error", "fail",   "warn",
		                             "pass",  "waived", "not_applicable" };
	for (size_t i = 0; i < NELEM(order); i++)
		if (status && strcmp(status, order[i]) == 0)
			return (int)i;
	return (int)NELEM(order);
}

/* Per Annex A control: the rules checking it and the worst verdict. */
static int
m_soa(struct call *k)
{
	json_t *controls = json_object(), *v;
	const char *id;
	json_object_foreach (k->r->results, id, v) {
		const char *ctl = json_string_value(json_object_get(v, "control"));
		if (ctl == NULL)
			continue;
		json_t *c = json_object_get(controls, ctl);
		if (c == NULL) {
			c = json_pack("{s:s, s:O, s:s, s:[]}", "control", ctl, "theme",
			              json_object_get(v, "theme"), "status", "not_applicable",
			              "rules");
			json_object_set_new(controls, ctl, c);
		}
		const char *st = json_string_value(json_object_get(v, "status"));
		json_array_append_new(json_object_get(c, "rules"),
		                      json_pack("{s:s, s:s?}", "id", id, "status", st));
		if (rank(st) < rank(json_string_value(json_object_get(c, "status"))))
			json_object_set_new(c, "status", json_string(st));
	}
	json_t *a = json_array();
	json_object_foreach (controls, id, v)
		json_array_append(a, v);
	json_decref(controls);
	k->result = json_pack("{s:s, s:s?, s:o}", "repo", k->r->conf.name, "commit",
	                      k->r->commit[0] ? k->r->commit : NULL, "controls", a);
	return 0;
}

static int
m_rules(struct call *k)
{
	json_t *rules = k->r->rules ? json_incref(k->r->rules) : json_array();
	k->result = json_pack("{s:s, s:o}", "repo", k->r->conf.name, "rules", rules);
	return 0;
}

static int
m_history(struct call *k)
{
	int64_t since = 0, until = INT64_MAX;
	const char *s = pstr(k, "since"), *u = pstr(k, "until");
	json_t *lim = json_object_get(k->params, "limit");
	if (lim && (!json_is_integer(lim) || json_integer_value(lim) < 1))
		return fail(k, RPC_INVALID_PARAMS, "\"limit\" must be a positive whole number");
	if ((s && date_parse(s, "UTC", NULL, &since, NULL) < 0) ||
	    (u && date_parse(u, "UTC", NULL, &until, NULL) < 0))
		return fail(k, RPC_INVALID_PARAMS,
		            "\"since\" and \"until\" must be ISO 8601 "
		            "dates: %s",
		            err_msg());
	/* Newest first from the index, reading back only the lines taken,
	 * then turned around: oldest first. */
	struct journal *jn = k->d->journal;
	size_t max = lim ? (size_t)json_integer_value(lim) : SIZE_MAX;
	json_t *newest = json_array(), *a = json_array();
	for (size_t i = journal_count(jn); i-- > 0 && json_array_size(newest) < max;) {
		struct journal_entry e;
		journal_entry_at(jn, i, &e);
		if (strcmp(e.topic, "commits") != 0 || strcmp(e.repo, k->r->conf.name) != 0 ||
		    e.time < since || e.time > until)
			continue;
		if (journal_read(jn, i, &e) < 0) {
			json_decref(newest);
			json_decref(a);
			return fail(k, RPC_FAILED, "%s", err_msg());
		}
		json_t *data = journal_data(&e);
		free(e.line);
		if (data == NULL)
			continue;
		json_object_set_new(data, "cursor", json_integer((json_int_t)e.seq));
		json_array_append_new(newest, data);
	}
	for (size_t i = json_array_size(newest); i-- > 0;)
		json_array_append(a, json_array_get(newest, i));
	json_decref(newest);
	k->result = json_pack("{s:s, s:o}", "repo", k->r->conf.name, "commits", a);
	return 0;
}

static int
m_sync(struct call *k)
{
	if (k->id == NULL)
		k->id = json_null();
	daemon_sync(k->d, k->r, server_client_id(k->c), k->id);
	k->pending = 1;
	return 0;
}

static void
evaluate_done(struct ev_job *j, void *arg)
{
	struct daemon *d = arg;
	if (!d->stopping)
		rpc_finish(d, j, 0);
	ev_job_free(j);
}

static int
m_evaluate(struct call *k)
{
	const char *ref = pstr(k, "ref");
	if (ref == NULL || *ref == '\0' || strlen(ref) > 256)
		return fail(k, RPC_INVALID_PARAMS, "\"ref\" (a branch, tag or commit) is required");
	json_t *now = json_object_get(k->params, "now");
	struct ev_job *j = ev_job_new(EV_REF, k->r->er);
	j->ref = xstrdup(ref);
	j->now = daemon_now(k->d);
	if (now && (!json_is_string(now) ||
	            date_parse(json_string_value(now), "UTC", NULL, &j->now, NULL) < 0)) {
		ev_job_free(j);
		return fail(k, RPC_INVALID_PARAMS, "\"now\" must be an ISO 8601 date");
	}
	j->done = evaluate_done;
	j->arg = k->d;
	j->client = server_client_id(k->c);
	j->req_id = json_incref(k->id ? k->id : json_null());
	evaluator_submit(k->d->ev, j);
	k->pending = 1;
	return 0;
}

void
rpc_finish(struct daemon *d, struct ev_job *j, size_t changed)
{
	struct client *c = server_client(d->srv, j->client);
	json_t *res;
	status_forget(); /* the reply tells of a new state */
	if (c == NULL)
		return;
	if (j->rc < 0) {
		json_t *e = rpc_error(j->req_id, RPC_FAILED, "%s", j->error);
		server_send_json(c, e);
		json_decref(e);
		return;
	}
	if (j->kind == EV_REF) {
		json_t *byid = json_object(), *v, *stripped = json_array();
		size_t i;
		json_array_foreach (j->results, i, v) {
			json_object_set(byid, json_string_value(json_object_get(v, "id")), v);
			json_array_append_new(stripped, strip(v));
		}
		json_t *counts = repo_counts(byid);
		json_decref(byid);
		res = json_pack("{s:s, s:s, s:o, s:b, s:f, s:{s:f, s:f, s:f}, s:o}", "ref", j->ref,
		                "commit", j->commit, "counts", counts, "conformant",
		                conformant(counts), "eval_ms", j->ms, "phases_ms", "files",
		                j->load_ms, "records", j->model_ms, "rules", j->rules_ms, "results",
		                stripped);
	} else {
		res = json_pack("{s:s, s:I, s:I, s:I, s:f, s:b}", "commit", j->commit, "changed",
		                (json_int_t)changed, "rules_run",
		                (json_int_t)(j->unchanged ? 0 : j->nrun), "cursor",
		                (json_int_t)journal_last(d->journal), "eval_ms", j->ms, "unchanged",
		                j->unchanged);
	}
	json_t *o = json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", j->req_id, "result", res);
	server_send_json(c, o);
	json_decref(o);
}

/* A client's subscriptions. */
struct subs {
	struct bus_sub **v;
	size_t n;
};

static void
deliver(void *arg, const struct journal_entry *e)
{
	status_forget(); /* the notification tells of a new state */
	server_send(arg, e->line, e->len);
}

static int
m_subscribe(struct call *k)
{
	json_t *t = json_object_get(k->params, "topics"), *v;
	json_t *cur = json_object_get(k->params, "cursor");
	const char *repo = pstr(k, "repo");
	const char *names[NELEM(topics) + 1];
	size_t n = 0, i;
	if (t == NULL) {
		for (i = 0; i < NELEM(topics); i++)
			names[n++] = topics[i];
	} else if (!json_is_array(t) || json_array_size(t) == 0 ||
	           json_array_size(t) > NELEM(topics)) {
		return fail(k, RPC_INVALID_PARAMS,
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
			return fail(k, RPC_INVALID_PARAMS,
			            "unknown topic %s%s%s (use results, "
			            "findings, commits, status or reminders)",
			            s ? "'" : "", s ? s : "(not a string)", s ? "'" : "");
		names[n++] = s;
	}
	if (repo && daemon_repo(k->d, repo) == NULL)
		return fail(k, RPC_NO_REPO, "no repository named '%s'", repo);
	if (cur && (!json_is_integer(cur) || json_integer_value(cur) < 0))
		return fail(k, RPC_INVALID_PARAMS,
		            "\"cursor\" must be a cursor from a notification");
	struct subs *ss = server_client_data(k->c);
	if (ss == NULL) {
		ss = xcalloc(1, sizeof(*ss));
		server_client_set_data(k->c, ss);
	}
	if (ss->n >= 64)
		return fail(k, RPC_INVALID_PARAMS, "too many subscriptions on one connection");
	struct bus_sub *sub = bus_subscribe(k->d->bus, repo, names, n, deliver, k->c);
	ss->v = xreallocarray(ss->v, ss->n + 1, sizeof(struct bus_sub *));
	ss->v[ss->n++] = sub;
	json_t *tn = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(tn, json_string(names[i]));
	k->result = json_pack("{s:I, s:o, s:s?, s:I}", "subscription", (json_int_t)ss->n, "topics",
	                      tn, "repo", repo, "cursor", (json_int_t)journal_last(k->d->journal));
	/* The reply first, then what was missed, then live events. */
	reply(k);
	k->result = NULL;
	k->pending = 1;
	if (cur)
		bus_replay(k->d->bus, sub, (uint64_t)json_integer_value(cur));
	return 0;
}

static int
m_unsubscribe(struct call *k)
{
	struct subs *ss = server_client_data(k->c);
	json_t *which = json_object_get(k->params, "subscription");
	size_t ended = 0;
	if (which && (!json_is_integer(which) || json_integer_value(which) < 1))
		return fail(k, RPC_INVALID_PARAMS,
		            "\"subscription\" must be a number from subscribe");
	for (size_t i = 0; ss && i < ss->n; i++) {
		if (ss->v[i] == NULL || (which && (json_int_t)i + 1 != json_integer_value(which)))
			continue;
		bus_unsubscribe(k->d->bus, ss->v[i]);
		ss->v[i] = NULL;
		ended++;
	}
	k->result = json_pack("{s:I}", "ended", (json_int_t)ended);
	return 0;
}

/* A boolean parameter: 0 or 1, or -1 (and the error) when not a boolean. */
static int
pbool(struct call *k, const char *key)
{
	json_t *v = json_object_get(k->params, key);
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return fail(k, RPC_INVALID_PARAMS, "\"%s\" must be true or false", key);
	return json_is_true(v);
}

/* Set the reply from a scheduler result: rc 0 with out, or an error. */
static int
sched_reply(struct call *k, int rc, json_t *out, int code)
{
	if (rc < 0)
		return fail(k, code, "%s", err_msg());
	k->result = out;
	return 0;
}

/* schedule and calendar: the ISMS calendar (ics: iCalendar, text). */
static int
m_schedule(struct call *k)
{
	json_t *out = NULL;
	int code = 0, ics = pbool(k, "ics"), text;
	if (ics < 0 || (text = pbool(k, "text")) < 0)
		return -1;
	if (ics && text)
		return fail(k, RPC_INVALID_PARAMS, "ask for \"ics\" or \"text\", not both");
	int rc = schedule_calendar(k->r, ics, text, &out, &code);
	return sched_reply(k, rc, out, code);
}

static int
m_audit_plan(struct call *k)
{
	json_t *out = NULL;
	int code = 0, text = pbool(k, "text");
	if (text < 0)
		return -1;
	int rc = schedule_audit_plan(k->r, text, &out, &code);
	return sched_reply(k, rc, out, code);
}

static int
m_review_pack(struct call *k)
{
	json_t *out = NULL, *v = json_object_get(k->params, "links");
	int code = 0;
	const char *links = json_string_value(v);
	if (v && !json_is_null(v) &&
	    (links == NULL || strlen(links) > 1024 || strpbrk(links, "\n\r()") != NULL))
		return fail(k, RPC_INVALID_PARAMS,
		            "\"links\" must be a path prefix such as "
		            "\"../\" (no line breaks or parentheses, at most 1024 characters)");
	int rc = schedule_review_pack(k->r, links, &out, &code);
	return sched_reply(k, rc, out, code);
}

/* Acknowledge a reminder by id or ack key: its repeats stop. */
static int
m_ack(struct call *k)
{
	json_t *out = NULL;
	int code = 0;
	const char *id = pstr(k, "id");
	if (id == NULL || *id == '\0' || strlen(id) > 1000)
		return fail(k, RPC_INVALID_PARAMS,
		            "\"id\" (a reminder id or its ack key, at "
		            "most 1000 characters) is required");
	for (const char *p = id; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return fail(k, RPC_INVALID_PARAMS,
			            "\"id\" must not contain control "
			            "characters");
	int rc = schedule_ack(k->r, id, &out, &code);
	return sched_reply(k, rc, out, code);
}

void
rpc_gone(void *arg, struct client *c)
{
	struct daemon *d = arg;
	struct subs *ss = server_client_data(c);
	status_forget(); /* one client fewer */
	if (ss == NULL)
		return;
	for (size_t i = 0; i < ss->n; i++)
		if (ss->v[i])
			bus_unsubscribe(d->bus, ss->v[i]);
	free(ss->v);
	free(ss);
	server_client_set_data(c, NULL);
}
