/* http_sse.c - GET /api/events: the bus as Server-Sent Events. Each
 * notification is one event whose id is its journal cursor, so that a
 * browser's EventSource, reconnecting with Last-Event-ID, is sent what it
 * missed (replayed from the journal) and then the live events, as a socket
 * subscriber with a cursor is. A stream whose unread output passes the
 * bound is dropped, as a socket subscriber is; a comment every
 * KEEPALIVE seconds keeps proxies open and finds peers that went away. A
 * dropped stream is freed from the reaper event, never inside the bus
 * delivery that noticed. */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "http_int.h"
#include "journal.h"
#include "repo.h"
#include "rpc.h"
#include "cdefs.h"
#include "log.h"
#include "alloc.h"

#define KEEPALIVE  15 /* seconds between comments */
#define STALL_SECS 60 /* a stream whose output does not move for this long goes */
#define RETRY_MS   2000

static const char *const topics[] = { "results", "findings", "commits", "status", "reminders" };

/* Bytes waiting to be written to s's peer. */
static size_t
queued(const struct stream *s)
{
	struct bufferevent *bev = evhttp_connection_get_bufferevent(s->conn->evcon);
	return bev ? evbuffer_get_length(bufferevent_get_output(bev)) : 0;
}

static void
drop(struct http *h, struct stream *s, const char *why)
{
	if (s->dead)
		return;
	log_warnx("http: event stream dropped: %s", why);
	s->dead = 1;
	if (s->sub)
		bus_unsubscribe(h->env->bus, s->sub);
	s->sub = NULL;
	s->next_dead = h->dead;
	h->dead = s;
	event_active(h->reaper, EV_TIMEOUT, 0);
}

/* Queue b (emptied) to s, dropping s when its peer does not keep up. */
static void
send_buf(struct http *h, struct stream *s, struct evbuffer *b)
{
	if (s->dead || s->conn == NULL)
		return;
	evhttp_send_reply_chunk(s->req, b);
	if (queued(s) > h->max_output)
		drop(h, s, "the client does not read (subscriber_buffer)");
}

/* A notification from the bus. */
static void
deliver(void *arg, const struct journal_entry *e)
{
	struct stream *s = arg;
	struct http *h = s->conn ? s->conn->h : NULL;
	if (h == NULL || s->dead || e->line == NULL)
		return;
	size_t len = e->len && e->line[e->len - 1] == '\n' ? e->len - 1 : e->len;
	struct evbuffer *b = evbuffer_new();
	/* The line is compact JSON: no line break inside it. */
	evbuffer_add_printf(b, "id: %" PRIu64 "\nevent: %s\ndata: ", e->seq, e->topic);
	evbuffer_add(b, e->line, len);
	evbuffer_add(b, "\n\n", 2);
	send_buf(h, s, b);
	evbuffer_free(b);
}

/* The cursor to resume after: Last-Event-ID, else ?last_event_id=;
 * 0 for none, -1 when malformed. */
static long long
resume_cursor(struct evhttp_request *req, const struct evkeyvalq *q)
{
	const char *v = evhttp_find_header(evhttp_request_get_input_headers(req), "Last-Event-ID");
	if (v == NULL || *v == '\0')
		v = evhttp_find_header(q, "last_event_id");
	if (v == NULL || *v == '\0')
		return 0;
	char *end;
	long long n = strtoll(v, &end, 10);
	return *end || n < 0 ? -1 : n;
}

void
http_sse_start(struct http *h, struct conn *c, struct evhttp_request *req)
{
	struct evkeyvalq q;
	const char *names[NELEM(topics)];
	size_t n = 0;
	TAILQ_INIT(&q);
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	if (query)
		evhttp_parse_query_str(query, &q);
	const char *repo = evhttp_find_header(&q, "repo");
	const char *want = evhttp_find_header(&q, "topics");
	long long cursor = resume_cursor(req, &q);
	struct repo *r = NULL;
	for (size_t i = 0; repo && (r = h->env->repo_at(h->env->arg, i)) != NULL; i++)
		if (strcmp(r->conf.name, repo) == 0)
			break;
	for (size_t i = 0; i < NELEM(topics); i++) {
		const char *at = want ? strstr(want, topics[i]) : NULL;
		size_t l = strlen(topics[i]);
		while (at && !((at == want || at[-1] == ',') && (at[l] == ',' || at[l] == '\0')))
			at = strstr(at + 1, topics[i]);
		if (want == NULL || at)
			names[n++] = topics[i];
	}
	if (c->stream) {
		http_error(req, 409, RPC_INVALID_REQUEST, "this connection has an event stream");
	} else if (repo && r == NULL) {
		http_error(req, 404, RPC_NO_REPO, "no repository named '%.100s'", repo);
	} else if (n == 0 ||
	           (want && strspn(want, "abcdefghijklmnopqrstuvwxyz,") != strlen(want))) {
		http_error(req, 400, RPC_INVALID_PARAMS,
		           "topics must be a comma-separated list of results, findings, commits, "
		           "status and reminders");
	} else if (cursor < 0) {
		http_error(req, 400, RPC_INVALID_PARAMS,
		           "Last-Event-ID must be a cursor, the id of an event");
	} else {
		struct evkeyvalq *out = evhttp_request_get_output_headers(req);
		evhttp_add_header(out, "Content-Type", "text/event-stream; charset=utf-8");
		evhttp_add_header(out, "Cache-Control", "no-store");
		evhttp_add_header(out, "X-Accel-Buffering", "no");
		evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
		evhttp_send_reply_start(req, 200, "OK");
		struct bufferevent *bev = evhttp_connection_get_bufferevent(c->evcon);
		struct timeval stall = { STALL_SECS, 0 };
		/* A quiet stream is not idle; one whose output stalls is. */
		bufferevent_set_timeouts(bev, NULL, &stall);
		struct stream *s = xcalloc(1, sizeof(*s));
		s->conn = c;
		s->req = req;
		s->next = h->streams;
		if (h->streams)
			h->streams->prev = s;
		h->streams = s;
		h->nstreams++;
		c->stream = s;
		uint64_t last = journal_last(h->env->journal);
		struct evbuffer *b = evbuffer_new();
		/* The hello's id is where a reconnection resumes from when no
		 * event came in between. */
		evbuffer_add_printf(b,
		                    "retry: %d\nid: %llu\nevent: hello\ndata: "
		                    "{\"cursor\":%" PRIu64 ",\"resumed\":%s}\n\n",
		                    RETRY_MS, cursor ? cursor : (long long)last, last,
		                    cursor ? "true" : "false");
		send_buf(h, s, b);
		evbuffer_free(b);
		s->sub = bus_subscribe(h->env->bus, repo, names, n, deliver, s);
		if (cursor && !s->dead)
			bus_replay(h->env->bus, s->sub, (uint64_t)cursor);
	}
	evhttp_clear_headers(&q);
}

static void
unlink_stream(struct http *h, struct stream *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		h->streams = s->next;
	if (s->next)
		s->next->prev = s->prev;
	h->nstreams--;
}

void
http_sse_gone(struct http *h, struct stream *s)
{
	s->conn->stream = NULL;
	s->conn = NULL;
	if (s->dead)
		return; /* the reaper frees it */
	if (s->sub)
		bus_unsubscribe(h->env->bus, s->sub);
	unlink_stream(h, s);
	free(s);
}

/* Free the dropped streams, closing their connections. */
static void
reap(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;
	while (h->dead) {
		struct stream *s = h->dead;
		h->dead = s->next_dead;
		if (s->conn) {
			struct conn *c = s->conn;
			c->stream = NULL;
			s->conn = NULL;
			evhttp_connection_free(c->evcon);
		}
		unlink_stream(h, s);
		free(s);
	}
}

static void
keepalive(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;
	struct evbuffer *b = evbuffer_new();
	for (struct stream *s = h->streams, *next; s; s = next) {
		next = s->next;
		evbuffer_add(b, ":\n\n", 3);
		send_buf(h, s, b);
		evbuffer_drain(b, evbuffer_get_length(b));
	}
	evbuffer_free(b);
}

void
http_sse_init(struct http *h)
{
	struct timeval tv = { KEEPALIVE, 0 };
	h->reaper = event_new(h->base, -1, 0, reap, h);
	h->keepalive = event_new(h->base, -1, EV_PERSIST, keepalive, h);
	event_add(h->keepalive, &tv);
}

void
http_sse_free(struct http *h)
{
	reap(-1, 0, h);
	if (h->reaper)
		event_free(h->reaper);
	if (h->keepalive)
		event_free(h->keepalive);
	h->reaper = h->keepalive = NULL;
	for (struct stream *s = h->streams, *next; s; s = next) {
		next = s->next;
		if (s->sub)
			bus_unsubscribe(h->env->bus, s->sub);
		if (s->conn)
			s->conn->stream = NULL;
		free(s);
	}
	h->streams = NULL;
	h->nstreams = 0;
}
