/* http.c - the HTTP server of the API and the dashboard: the listener,
 * the connections it counts, the tokens it checks, the routes. The JSON
 * routes run the socket's own methods (rpc_call), so both transports give
 * the same answers; the event stream is in http_sse.c. evhttp keeps a
 * connection until it closes; the connection's close callback is where
 * what hangs on it (an event stream, a sync waiting) lets go. */
#include "http.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "evaluator.h"
#include "http_int.h"
#include "journal.h"
#include "repo.h"
#include "rpc.h"
#include "schedule.h"
#include "web.h"
#include "cdefs.h"
#include "log.h"
#include "alloc.h"
#include "err.h"
#include "problems.h"

/* A sync waiting for its evaluation (POST /api/sync). */
struct pending {
	struct http *h;
	struct conn *conn;
	struct evhttp_request *req; /* NULL once the connection has gone */
	struct pending *next, *prev;
};

/* The socket's read methods served as GET /api/NAME. */
static const char *const reads[] = {
	"status",  "results",  "summary",  "soa",        "rules",
	"history", "calendar", "schedule", "audit-plan", "review-pack"
};

/* Connections by evcon. */

static size_t
bucket(const struct http *h, const struct evhttp_connection *evcon)
{
	uint64_t x = (uint64_t)(uintptr_t)evcon * 0x9E3779B97F4A7C15ull;
	return (size_t)(x >> 32) & (h->index_size - 1);
}

static struct conn *
conn_find(const struct http *h, const struct evhttp_connection *evcon)
{
	for (struct conn *c = h->index[bucket(h, evcon)]; c; c = c->hnext)
		if (c->evcon == evcon)
			return c;
	return NULL;
}

static void
index_grow(struct http *h)
{
	size_t old = h->index_size;
	struct conn **ov = h->index;
	h->index_size = old ? old * 2 : 64;
	h->index = xcalloc(h->index_size, sizeof(struct conn *));
	for (size_t i = 0; i < old; i++)
		for (struct conn *c = ov[i], *n; c; c = n) {
			n = c->hnext;
			size_t b = bucket(h, c->evcon);
			c->hnext = h->index[b];
			h->index[b] = c;
		}
	free(ov);
}

/* evhttp closes a connection: end what hangs on it. */
static void
conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct conn *c = arg, **pp;
	struct http *h = c->h;
	if (c->stream)
		http_sse_gone(h, c->stream);
	if (c->pend) {
		c->pend->req = NULL;
		c->pend->conn = NULL;
	}
	for (pp = &h->index[bucket(h, evcon)]; *pp && *pp != c; pp = &(*pp)->hnext)
		;
	if (*pp)
		*pp = c->hnext;
	if (c->prev)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	h->nconns--;
	free(c);
}

/* The connection of req, counted from its first request; NULL when there
 * are max_clients already. */
static struct conn *
conn_of(struct http *h, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct conn *c = conn_find(h, evcon);
	if (c || evcon == NULL)
		return c;
	if (h->nconns >= h->max_clients)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->h = h;
	c->evcon = evcon;
	c->next = h->conns;
	if (h->conns)
		h->conns->prev = c;
	h->conns = c;
	h->nconns++;
	if (h->nconns > h->index_size)
		index_grow(h);
	size_t b = bucket(h, evcon);
	c->hnext = h->index[b];
	h->index[b] = c;
	evhttp_connection_set_closecb(evcon, conn_closed, c);
	return c;
}

/* Replies. */

void
http_reply(struct evhttp_request *req, int code, const char *type, const char *body, size_t len)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct evbuffer *b = evbuffer_new();
	evhttp_add_header(out, "Content-Type", type);
	evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(out, "Referrer-Policy", "no-referrer");
	evhttp_add_header(out, "Cache-Control", "no-store");
	evbuffer_add(b, body, len);
	evhttp_send_reply(req, code, NULL, b);
	evbuffer_free(b);
}

void
http_error(struct evhttp_request *req, int status, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	json_t *o = json_pack("{s:{s:i, s:s}}", "error", "code", code, "message", msg);
	char *s = json_dumps(o, JSON_COMPACT);
	if (status == 401)
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
		                  "Bearer realm=\"ismsd\"");
	http_reply(req, status, "application/json", s, strlen(s));
	free(s);
	free(msg);
	json_decref(o);
}

/* The HTTP status of a JSON-RPC error code. */
static int
status_of(int code)
{
	switch (code) {
	case 0: return 200;
	case RPC_NO_METHOD:
	case RPC_NO_REPO: return 404;
	case RPC_UNAUTHORISED: return 403;
	case RPC_BUSY: return 503;
	case RPC_FAILED:
	case RPC_INTERNAL: return 500;
	default: return 400;
	}
}

/* The token of req: the Authorization header's bearer token, else the
 * query's token= (for EventSource and calendar applications, which
 * cannot send headers). Borrowed from req or q. */
static const char *
token_of(struct evhttp_request *req, const struct evkeyvalq *q)
{
	const char *a = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	if (a && strncasecmp(a, "Bearer ", 7) == 0)
		return a + 7 + strspn(a + 7, " ");
	return evhttp_find_header(q, "token");
}

/* Query parameters as the method's params: numbers for limit and
 * cursor, booleans for ics and text, text otherwise; token is not one.
 * NULL (and a 400 reply sent) when a parameter is malformed. */
static json_t *
params_of(struct evhttp_request *req, const struct evkeyvalq *q)
{
	static const char *const ints[] = { "limit", "cursor" };
	static const char *const bools[] = { "ics", "text" };
	json_t *p = json_object();
	for (const struct evkeyval *kv = q->tqh_first; kv; kv = kv->next.tqe_next) {
		json_t *v = NULL;
		if (strcmp(kv->key, "token") == 0)
			continue;
		for (size_t i = 0; i < NELEM(ints) && v == NULL; i++)
			if (strcmp(kv->key, ints[i]) == 0) {
				char *end;
				long long n = strtoll(kv->value, &end, 10);
				if (*kv->value == '\0' || *end || n < 0)
					goto bad;
				v = json_integer(n);
			}
		for (size_t i = 0; i < NELEM(bools) && v == NULL; i++)
			if (strcmp(kv->key, bools[i]) == 0) {
				if (strcmp(kv->value, "true") != 0 &&
				    strcmp(kv->value, "false") != 0 &&
				    strcmp(kv->value, "1") != 0 && strcmp(kv->value, "0") != 0)
					goto bad;
				v = json_boolean(!strcmp(kv->value, "true") ||
				                 !strcmp(kv->value, "1"));
			}
		if (v == NULL && (v = json_string(kv->value)) == NULL)
			goto bad;
		if (json_object_get(p, kv->key)) {
			json_decref(v);
			http_error(req, 400, RPC_INVALID_PARAMS,
			           "the parameter '%.100s' is given twice", kv->key);
			json_decref(p);
			return NULL;
		}
		json_object_set_new(p, kv->key, v);
		continue;
	bad:
		http_error(req, 400, RPC_INVALID_PARAMS,
		           "the parameter '%.100s' is malformed (limit and cursor: whole numbers; "
		           "ics and text: true or false; text in UTF-8)",
		           kv->key);
		json_decref(p);
		return NULL;
	}
	return p;
}

/* A POST body's JSON object merged into p (the query wins); -1 with a 400
 * reply sent when the body is not one. */
static int
merge_body(struct evhttp_request *req, json_t *p)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	json_error_t je;
	if (len == 0)
		return 0;
	json_t *b =
	        json_loadb((const char *)evbuffer_pullup(in, -1), len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(b)) {
		json_decref(b);
		http_error(req, 400, RPC_INVALID_PARAMS,
		           "the body must be a JSON object of named parameters");
		return -1;
	}
	json_object_update_missing(p, b);
	json_decref(b);
	return 0;
}

/* Run method and reply with its result. */
static void
call(struct http *h, struct evhttp_request *req, const char *method, json_t *params, int allow)
{
	char *out;
	size_t len;
	int code = rpc_call(h->env, method, params, allow, &out, &len);
	http_reply(req, status_of(code), "application/json", out, len);
	free(out);
}

/* The repository named by params.repo, or the only one; NULL with a 404
 * sent. */
static struct repo *
repo_of(struct http *h, struct evhttp_request *req, json_t *params)
{
	const char *name = json_string_value(json_object_get(params, "repo"));
	struct repo *r;
	size_t n = 0;
	for (size_t i = 0; (r = h->env->repo_at(h->env->arg, i)) != NULL; i++, n++)
		if (name && r->conf.name && strcmp(r->conf.name, name) == 0)
			return r;
	if (name == NULL && n == 1)
		return h->env->repo_at(h->env->arg, 0);
	if (name)
		http_error(req, 404, RPC_NO_REPO, "no repository named '%.100s'", name);
	else
		http_error(req, 404, RPC_NO_REPO,
		           "this daemon serves %zu repositories: name one with ?repo=NAME", n);
	return NULL;
}

/* A scheduler result: 0, or its error sent. */
static int
sched_ok(struct evhttp_request *req, int rc)
{
	if (rc == 0)
		return 0;
	if (rc == SCHEDULE_NOT_READY)
		http_error(req, 503, RPC_BUSY, "%s", err_msg());
	else
		http_error(req, 500, RPC_FAILED, "%s", err_msg());
	return -1;
}

static void
reply_json(struct evhttp_request *req, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	http_reply(req, 200, "application/json", s, strlen(s));
	free(s);
}

/* GET /api/people: names and addresses of the personnel records. */
static void
people(struct http *h, struct evhttp_request *req, json_t *params)
{
	struct repo *r = repo_of(h, req, params);
	json_t *o = NULL;
	if (r == NULL || sched_ok(req, schedule_people(r, &o)) < 0)
		return;
	reply_json(req, o);
	json_decref(o);
}

/* The newest reminders of one repository, collected from the journal. */
#define MAX_REMINDERS 200

struct collect {
	json_t *byid; /* id -> reminder; the last delivery wins */
	json_t *order;
};

static void
collect(void *arg, const struct journal_entry *e)
{
	struct collect *c = arg;
	json_t *n = journal_data(e);
	const char *id = json_string_value(json_object_get(n, "id"));
	if (id) {
		json_object_set(c->byid, id, n);
		json_array_append_new(c->order, json_string(id));
		if (json_array_size(c->order) > (size_t)4 * MAX_REMINDERS)
			json_array_remove(c->order, 0);
	}
	json_decref(n);
}

/* GET /api/reminders: the reminders fired (newest first), each with
 * whether it was acknowledged. */
static void
reminders(struct http *h, struct evhttp_request *req, json_t *params)
{
	struct repo *r = repo_of(h, req, params);
	if (r == NULL)
		return;
	static const char *const topic[] = { "reminders" };
	struct collect c = { json_object(), json_array() };
	struct bus_sub *sub = bus_subscribe(h->env->bus, r->conf.name, topic, 1, collect, &c);
	bus_replay(h->env->bus, sub, 0);
	bus_unsubscribe(h->env->bus, sub);
	json_t *list = json_array(), *seen = json_object(), *v;
	for (size_t i = json_array_size(c.order);
	     i-- > 0 && json_array_size(list) < MAX_REMINDERS;) {
		const char *id = json_string_value(json_array_get(c.order, i));
		if (json_object_get(seen, id))
			continue;
		json_object_set_new(seen, id, json_true());
		v = json_deep_copy(json_object_get(c.byid, id));
		const char *ack = json_string_value(json_object_get(v, "ack"));
		json_object_set_new(v, "acknowledged", json_boolean(ack && schedule_acked(r, ack)));
		json_array_append_new(list, v);
	}
	json_t *o = json_pack("{s:s, s:o}", "repo", r->conf.name, "reminders", list);
	reply_json(req, o);
	json_decref(o);
	json_decref(seen);
	json_decref(c.byid);
	json_decref(c.order);
}

/* GET /calendar.ics: the subscribed feed. */
static void
feed(struct http *h, struct evhttp_request *req, json_t *params)
{
	struct repo *r = repo_of(h, req, params);
	char *ics = NULL;
	if (r == NULL || sched_ok(req, schedule_feed(r, &ics)) < 0)
		return;
	char *disp = xasprintf("inline; filename=\"%s.ics\"", r->conf.name);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Disposition", disp);
	http_reply(req, 200, "text/calendar; charset=utf-8", ics, strlen(ics));
	free(disp);
	free(ics);
}

static void
pending_free(struct http *h, struct pending *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		h->pends = p->next;
	if (p->next)
		p->next->prev = p->prev;
	if (p->conn)
		p->conn->pend = NULL;
	free(p);
}

/* A sync's evaluation is done: reply as the socket's sync does. */
static void
sync_done(struct ev_job *j, size_t changed, void *arg)
{
	struct pending *p = arg;
	if (p->req && j->rc < 0) {
		http_error(p->req, 500, RPC_FAILED, "%s", err_msg());
	} else if (p->req) {
		json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:f, s:b}", "commit", j->commit,
		                      "changed", (json_int_t)changed, "rules_run",
		                      (json_int_t)(j->unchanged ? 0 : j->nrun), "cursor",
		                      (json_int_t)journal_last(p->h->env->journal), "eval_ms",
		                      j->ms, "unchanged", j->unchanged);
		reply_json(p->req, o);
		json_decref(o);
	}
	pending_free(p->h, p);
}

/* POST /api/sync: evaluate the head now; the reply waits for it. */
static void
sync(struct http *h, struct conn *c, struct evhttp_request *req, json_t *params)
{
	struct repo *r = repo_of(h, req, params);
	if (r == NULL)
		return;
	if (c->pend) {
		http_error(req, 409, RPC_BUSY, "this connection already waits for a sync");
		return;
	}
	struct pending *p = xcalloc(1, sizeof(*p));
	*p = (struct pending){ .h = h, .conn = c, .req = req, .next = h->pends };
	if (h->pends)
		h->pends->prev = p;
	h->pends = p;
	c->pend = p;
	h->env->sync(h->env->arg, r, 0, json_null(), sync_done, p);
}

/* The page's own files: no token needed, nothing of the ISMS in them. */
static int
asset(struct evhttp_request *req, const char *path)
{
	if (strcmp(path, "/") == 0)
		path = "/index.html";
	for (size_t i = 0; i < web_nassets; i++) {
		if (strcmp(path + 1, web_assets[i].name) != 0)
			continue;
		struct evkeyvalq *out = evhttp_request_get_output_headers(req);
		evhttp_add_header(out, "Content-Security-Policy",
		                  "default-src 'none'; script-src 'self'; style-src 'self'; "
		                  "img-src 'self' data:; connect-src 'self'; "
		                  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
		evhttp_add_header(out, "X-Frame-Options", "DENY");
		http_reply(req, 200, web_assets[i].type, (const char *)web_assets[i].data,
		           web_assets[i].len);
		return 1;
	}
	return 0;
}

/* Route one request. */
static void
route(struct evhttp_request *req, void *arg)
{
	struct http *h = arg;
	struct conn *c = conn_of(h, req);
	if (c == NULL) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		http_error(req, 503, RPC_BUSY, "too many clients (max_clients)");
		return;
	}
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	const char *raw = uri ? evhttp_uri_get_path(uri) : NULL;
	size_t plen = 0;
	char *path = evhttp_uridecode(raw && *raw ? raw : "/", 0, &plen);
	struct evkeyvalq q;
	json_t *params = NULL;
	TAILQ_INIT(&q);
	if (path == NULL || strlen(path) != plen || uri == NULL ||
	    (evhttp_uri_get_query(uri) &&
	     evhttp_parse_query_str(evhttp_uri_get_query(uri), &q) < 0)) {
		http_error(req, 400, RPC_INVALID_REQUEST, "a malformed URL");
		goto out;
	}
	if ((cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD) && asset(req, path))
		goto out;
	if (strcmp(path, "/calendar.ics") != 0 && strncmp(path, "/api/", 5) != 0) {
		http_error(req, 404, RPC_NO_METHOD,
		           "nothing at %.200s: the dashboard is at /, the API under /api/ "
		           "(docs/protocol.md)",
		           path);
		goto out;
	}
	const char *tok = token_of(req, &q);
	enum http_right right = tok ? http_tokens_check(h->tokens, tok, strlen(tok)) : HTTP_NONE;
	if (right == HTTP_NONE) {
		http_error(req, 401, RPC_UNAUTHORISED,
		           "%s: send 'Authorization: Bearer TOKEN' (or ?token=TOKEN) with a token "
		           "of the http tokens file",
		           tok ? "this token is not known" : "a token is required");
		goto out;
	}
	if ((params = params_of(req, &q)) == NULL)
		goto out;
	const char *name = path + 5;
	if (cmd == EVHTTP_REQ_POST) {
		if (right < HTTP_WRITE) {
			http_error(
			        req, 403, RPC_UNAUTHORISED,
			        "not authorised: '%.100s' changes the daemon's state and needs a "
			        "token with the right 'write'",
			        name);
		} else if (merge_body(req, params) < 0) {
		} else if (strcmp(name, "sync") == 0) {
			sync(h, c, req, params);
		} else if (strcmp(name, "ack") == 0) {
			call(h, req, "ack", params, RPC_WRITE);
		} else {
			http_error(req, 404, RPC_NO_METHOD,
			           "no write method '%.100s' over HTTP (POST /api/sync, /api/ack)",
			           name);
		}
		goto out;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		http_error(req, 405, RPC_INVALID_REQUEST, "use GET, or POST for sync and ack");
		goto out;
	}
	if (strcmp(path, "/calendar.ics") == 0) {
		feed(h, req, params);
	} else if (strcmp(name, "events") == 0) {
		http_sse_start(h, c, req);
	} else if (strcmp(name, "people") == 0) {
		people(h, req, params);
	} else if (strcmp(name, "reminders") == 0) {
		reminders(h, req, params);
	} else if (strncmp(name, "explain/", 8) == 0 && name[8]) {
		json_object_set_new(params, "rule", json_string(name + 8));
		call(h, req, "explain", params, RPC_READ);
	} else {
		size_t i;
		for (i = 0; i < NELEM(reads) && strcmp(reads[i], name) != 0; i++)
			;
		if (i < NELEM(reads))
			call(h, req, name, params, RPC_READ);
		else
			http_error(req, 404, RPC_NO_METHOD, "no method '%.100s' (docs/protocol.md)",
			           name);
	}
out:
	json_decref(params);
	evhttp_clear_headers(&q);
	free(path);
}

static void
limits(struct http *h, const struct http_opts *o)
{
	h->max_clients = o->max_clients ? o->max_clients : 1024;
	h->max_message = o->max_message;
	h->max_output = o->max_output;
	h->idle_timeout = o->idle_timeout;
	evhttp_set_max_headers_size(h->eh,
	                            (ev_ssize_t)(o->max_message < 65536 ? o->max_message : 65536));
	evhttp_set_max_body_size(h->eh, (ev_ssize_t)o->max_message);
	evhttp_set_timeout(h->eh, o->idle_timeout > 0 ? o->idle_timeout : 3600);
}

static int
tokens_read(const char *path, struct http_tokens **out)
{
	struct problems errs = { 0 };
	int rc = http_tokens_load(path, out, &errs);
	for (size_t i = 0; i < errs.n; i++)
		log_warnx("%s:%d: %s", errs.v[i].path, errs.v[i].line, errs.v[i].msg);
	problems_free(&errs);
	return rc;
}

int
http_start(struct event_base *base, const struct http_opts *o, struct rpc_env *env,
           struct http **out)
{
	struct http *h = xcalloc(1, sizeof(*h));
	char *host = NULL;
	*out = NULL;
	h->base = base;
	h->env = env;
	if (tokens_read(o->tokens, &h->tokens) < 0)
		goto fail;
	h->eh = evhttp_new(base);
	evhttp_set_allowed_methods(h->eh, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST);
	evhttp_set_gencb(h->eh, route, h);
	limits(h, o);
	index_grow(h);
	const char *colon = strrchr(o->listen, ':');
	if (colon == NULL) {
		err_set("http listen '%s' is not HOST:PORT", o->listen);
		goto fail;
	}
	host = xstrndup(o->listen, (size_t)(colon - o->listen));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if (evhttp_bind_socket(h->eh, host, (ev_uint16_t)strtol(colon + 1, NULL, 10)) < 0) {
		err_set("cannot listen for HTTP on %s: %s", o->listen,
		        evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		goto fail;
	}
	free(host);
	http_sse_init(h);
	log_info("http: the dashboard and API on http://%s/ (%zu tokens)", o->listen,
	         http_tokens_count(h->tokens));
	*out = h;
	return 0;
fail:
	free(host);
	http_free(h);
	return -1;
}

int
http_reload(struct http *h, const struct http_opts *o)
{
	struct http_tokens *t;
	limits(h, o);
	if (tokens_read(o->tokens, &t) < 0)
		return -1;
	http_tokens_free(h->tokens);
	h->tokens = t;
	return 0;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	/* The streams first, while their connections are valid; closing
	 * the connections then lets go of waiting syncs. */
	http_sse_free(h);
	if (h->eh)
		evhttp_free(h->eh);
	for (struct pending *p = h->pends, *next; p; p = next) {
		next = p->next;
		if (p->conn)
			p->conn->pend = NULL;
		free(p);
	}
	h->pends = NULL;
	while (h->conns) {
		struct conn *c = h->conns;
		h->conns = c->next;
		free(c);
	}
	free(h->index);
	http_tokens_free(h->tokens);
	free(h);
}

size_t
http_nclients(const struct http *h)
{
	return h ? h->nconns : 0;
}

size_t
http_nstreams(const struct http *h)
{
	return h ? h->nstreams : 0;
}
