/* http.h - the HTTP API and the dashboard (docs/dashboard.md and the HTTP
 * section of docs/protocol.md) over libevent's evhttp: the socket's read
 * methods as JSON, the bus as Server-Sent Events resumable by cursor, the
 * calendar as an iCalendar feed, and the page itself, embedded in the
 * binary. Every request but the page's own files needs a bearer token
 * from the tokens file. Loop thread only. */
#ifndef ISMS_HTTP_H
#define ISMS_HTTP_H

#include <event2/event.h>
#include <stddef.h>

#include "problems.h"

struct http;
struct http_tokens;
struct rpc_env;

struct http_opts {
	const char *listen; /* HOST:PORT */
	const char *tokens; /* the tokens file */
	size_t max_clients; /* connections at once */
	size_t max_message; /* bytes of a request's headers, and of its body */
	size_t max_output;  /* bytes queued to an event stream before it is dropped */
	int idle_timeout;   /* seconds a connection may stay silent; 0: ever */
};

/* What a token may do. */
enum http_right { HTTP_NONE = 0, HTTP_READ = 1, HTTP_WRITE = 2 };

/* Listen as o says, serving env's methods (borrowed; it must outlive the
 * server). *out is the caller's (http_free). Returns 0, or -1 with
 * err_msg(). */
int http_start(struct event_base *base, const struct http_opts *o, struct rpc_env *env,
               struct http **out);
/* A reload: read the tokens file again (on failure the old tokens stay,
 * and -1 with err_msg()) and take o's limits. The address stays. */
int http_reload(struct http *h, const struct http_opts *o);
/* Close every connection and the listener. */
void http_free(struct http *h);
/* Open connections and event streams. */
size_t http_nclients(const struct http *h);
size_t http_nstreams(const struct http *h);

/* The tokens file: one "TOKEN RIGHT" per line (RIGHT read or write),
 * blank lines and '#' comments allowed; a token is 16 to 256 characters
 * of letters, digits and "-._~+/=". Problems go to errs as file:line.
 * Returns 0 with *out the caller's (http_tokens_free), or -1. */
int http_tokens_load(const char *path, struct http_tokens **out, struct problems *errs);
/* The same from text, for the tests; path names it in problems. */
int http_tokens_parse(const char *path, const char *text, size_t len, struct http_tokens **out,
                      struct problems *errs);
/* The right of token (len bytes), compared in constant time with every
 * token known: HTTP_NONE when it is none of them. */
enum http_right http_tokens_check(const struct http_tokens *t, const char *token, size_t len);
size_t http_tokens_count(const struct http_tokens *t);
void http_tokens_free(struct http_tokens *t);

#endif
