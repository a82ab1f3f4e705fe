/* rpc.h - the JSON-RPC 2.0 methods of the socket (docs/protocol.md), in
 * one table with flags (read, write, subscribe) checked before a handler
 * runs. */
#ifndef ISMS_RPC_H
#define ISMS_RPC_H

#include <jansson.h>
#include <stddef.h>

#include "evaluator.h"
#include "server.h"

struct daemon;

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

/* Handle one request line from c (a server_line_fn; arg is the daemon). */
void rpc_line(void *arg, struct client *c, const char *line, size_t len);
/* A client has gone: end its subscriptions (a server_gone_fn). */
void rpc_gone(void *arg, struct client *c);
/* Reply to the request a finished job carried (job->client, job->req_id). */
void rpc_finish(struct daemon *d, struct ev_job *j, size_t changed);
/* Parse a request line into its parts, for the dispatcher and the tests.
 * On success *req is the caller's and 0 is returned; on failure an error
 * response is built into *err (the caller's) and -1 returned. */
int rpc_parse(const char *line, size_t len, json_t **req, json_t **err);
/* An error response for id (borrowed; NULL: null). The caller's. */
json_t *rpc_error(json_t *id, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Whether a method exists and its flags; -1 when it does not. */
int rpc_method_flags(const char *name);
enum { RPC_READ = 1, RPC_WRITE = 2, RPC_SUBSCRIBE = 4 };

#endif
