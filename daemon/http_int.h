/* http_int.h - what the pieces of the HTTP server share: the server, its
 * connections, and the event streams of http_sse.c. Private to
 * daemon/http*.c. Loop thread only. */
#ifndef ISMS_HTTP_INT_H
#define ISMS_HTTP_INT_H

#include <event2/event.h>
#include <event2/http.h>
#include <stddef.h>

#include "http.h"

struct bus_sub;
struct pending;

/* One connection, known from its first request until evhttp closes it. */
struct conn {
	struct http *h;
	struct evhttp_connection *evcon;
	struct stream *stream; /* its event stream, or NULL */
	struct pending *pend;  /* a sync waiting for its evaluation, or NULL */
	struct conn *next, *prev;
	struct conn *hnext; /* in the index's bucket */
};

/* One event stream (GET /api/events). */
struct stream {
	struct conn *conn;
	struct evhttp_request *req;
	struct bus_sub *sub;
	int dead; /* dropped: freed from the reaper */
	struct stream *next, *prev;
	struct stream *next_dead;
};

struct http {
	struct event_base *base;
	struct evhttp *eh;
	struct rpc_env *env;
	struct http_tokens *tokens;
	size_t max_clients, max_message, max_output;
	int idle_timeout;
	/* connections, and an index of them by evcon */
	struct conn *conns;
	size_t nconns;
	struct conn **index;
	size_t index_size; /* buckets, a power of two, at least nconns */
	struct stream *streams, *dead;
	size_t nstreams;
	struct event *reaper, *keepalive;
	struct pending *pends; /* syncs waiting */
};

/* GET /api/events: start an event stream on req. */
void http_sse_start(struct http *h, struct conn *c, struct evhttp_request *req);
/* The connection of s has gone: end the stream (no write). */
void http_sse_gone(struct http *h, struct stream *s);
/* Start and stop the timers of the streams. */
void http_sse_init(struct http *h);
void http_sse_free(struct http *h);

/* Send a reply with body (len bytes) and content type; adds the headers
 * every reply carries. */
void http_reply(struct evhttp_request *req, int code, const char *type, const char *body,
                size_t len);
/* A JSON error reply {"error":{"code":..,"message":..}}. */
void http_error(struct evhttp_request *req, int status, int code, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

#endif
