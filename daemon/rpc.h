/* rpc.h - the JSON-RPC 2.0 methods of the socket (docs/protocol.md), in
 * one table with flags (read, write, subscribe) checked before a handler
 * runs. */
#ifndef ISMS_RPC_H
#define ISMS_RPC_H

#include <jansson.h>
#include <stddef.h>

#include "evaluator.h"
#include "server.h"

struct asof;
struct bus;
struct config;
struct journal;
struct plugin_host;
struct repo;

/* What the methods work with, set up by the daemon and kept current by it
 * (a reload changes the configuration and the repositories, not this
 * struct's address). The socket's server_line_fn and server_gone_fn get
 * it as their arg. Loop thread only. */
struct rpc_env {
	struct server *srv; /* the socket's server */
	struct bus *bus;
	struct journal *journal;
	struct evaluator *ev;
	struct asof *asof;           /* as-of evaluations the journal lacks */
	struct plugin_host *plugins; /* for status; may be NULL */
	const struct config *cfg;    /* write_users and write_groups */
	int64_t started;             /* when the daemon started */
	int stopping;                /* set: finished jobs get no reply */
	void *arg;                   /* for the callbacks below */
	/* The daemon's clock. */
	int64_t (*now)(void *arg);
	/* The i-th repository served; NULL past the last. */
	struct repo *(*repo_at)(void *arg, size_t i);
	/* Why the last reload was refused, or NULL. */
	const char *(*config_error)(void *arg);
	/* Queue an evaluation of r's head (fetching first) whose job carries
	 * client, req_id (a reference is taken), reply and reply_arg; the
	 * job's done() calls reply once it has published the result. */
	void (*sync)(void *arg, struct repo *r, uint64_t client, json_t *req_id,
	             void (*reply)(struct ev_job *, size_t, void *), void *reply_arg);
	/* With --frozen-clock: move the clock to t (not before now) and run
	 * the timers that fell due; returns how many evaluations that queued.
	 * NULL when the clock runs by itself. */
	size_t (*clock)(void *arg, int64_t t);
};

/* JSON-RPC error codes. */
enum {
	RPC_PARSE_ERROR = -32700,
	RPC_INVALID_REQUEST = -32600,
	RPC_NO_METHOD = -32601,
	RPC_INVALID_PARAMS = -32602,
	RPC_INTERNAL = -32603,
	RPC_BUSY = -32000,
	RPC_UNAUTHORISED = -32001,
	RPC_NO_REPO = -32002,
	RPC_FAILED = -32003,
};

/* Handle one request line from c (a server_line_fn; arg is the
 * struct rpc_env). */
void rpc_line(void *arg, struct client *c, const char *line, size_t len);
/* A client has gone: end its subscriptions (a server_gone_fn; arg is the
 * struct rpc_env). */
void rpc_gone(void *arg, struct client *c);
/* Parse a request line, for the dispatcher and the tests. Returns 0 with
 * *req the request or a non-empty batch (an array; the caller's), or a
 * JSON-RPC error code (negative) with err_msg() the message and *req what
 * was parsed (the caller's, for rpc_id), or NULL when the line is not
 * JSON. */
int rpc_parse(const char *line, size_t len, json_t **req);
/* Check one request object's envelope (jsonrpc, method, id, params): 0,
 * or a JSON-RPC error code with err_msg(). */
int rpc_check(json_t *req);
/* The id of a parsed request when it is one an error reply may carry (a
 * string, a whole number or null), else NULL. Borrowed. */
json_t *rpc_id(json_t *req);
/* An error response for id (borrowed; NULL: null). The caller's. */
json_t *rpc_error(json_t *id, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Whether a method exists and its flags; -1 when it does not. */
int rpc_method_flags(const char *name);
enum { RPC_READ = 1, RPC_WRITE = 2, RPC_SUBSCRIBE = 4 };
/* Call method with params (an object, borrowed) for another transport
 * (the HTTP API): methods whose flags are in allow, except those that
 * reply later (sync, evaluate) and subscriptions. Returns 0 with *out the
 * result as JSON text, or the JSON-RPC error code with *out
 * {"error":{code,message}}; *out is the caller's, *len its length. */
int rpc_call(struct rpc_env *e, const char *method, json_t *params, int allow, char **out,
             size_t *len);

#endif
