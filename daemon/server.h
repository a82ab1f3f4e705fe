/* server.h - the socket transport: a Unix socket (mode 0660) and, when
 * configured, TCP on loopback; one JSON message per line, a maximum line
 * length, a maximum number of clients, and clients whose unread output
 * passes a bound are dropped. What a line means is the caller's business
 * (rpc.c). Loop thread only. */
#ifndef ISMS_SERVER_H
#define ISMS_SERVER_H

#include <event2/event.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct server;
struct client;

struct server_opts {
	const char *socket; /* Unix socket path */
	const char *tcp;    /* "127.0.0.1:PORT", or NULL */
	size_t max_clients;
	size_t max_message;  /* bytes per line */
	size_t max_output;   /* bytes queued to a client before it is dropped */
	size_t max_per_user; /* connections of one peer uid (all TCP: one peer); 0: no limit */
	int idle_timeout;    /* seconds a client without subscriptions may stay silent; 0: ever */
};

/* Connections kept free for root and the daemon's own uid: however many
 * others hold, `ismsctl status` by an operator still gets through. */
#define SERVER_RESERVED_SLOTS 8

/* Called for every complete line a client sends, without its newline
 * (borrowed; line[len] is '\0'). */
typedef void (*server_line_fn)(void *arg, struct client *c, const char *line, size_t len);
/* Called when a client goes (to drop its subscriptions); c is still valid. */
typedef void (*server_gone_fn)(void *arg, struct client *c);

/* Listen as o says. Refuses when a live daemon answers on the socket path;
 * removes a stale one. *out is the caller's (server_free). Returns 0, or
 * -1 with err_msg(). */
int server_start(struct event_base *base, const struct server_opts *o, server_line_fn on_line,
                 server_gone_fn on_gone, void *arg, struct server **out);
/* Close every client and the listeners, and remove the socket path. */
void server_free(struct server *s);
/* New limits (a reload): max_clients, max_output, max_per_user and
 * idle_timeout of o; existing clients keep their connection. */
void server_set_limits(struct server *s, const struct server_opts *o);
size_t server_nclients(const struct server *s);
/* A number that stays the same for the rest of this pass of the event
 * loop and is another one in the next pass: what was worked out in this
 * pass can be reused while it holds. */
uint64_t server_pass(struct server *s);

/* Queue len bytes (a whole line, '\n' included) to c; they are written
 * at the end of this pass of the event loop. Drops c when its queue passes
 * the bound. No-op for a client being dropped. */
void server_send(struct client *c, const char *line, size_t len);
/* server_send for a line queued to many clients in this pass (a
 * notification to every subscriber): the clients given the same key, line
 * and len share one copy of it instead of one each. key names the line's
 * content (its journal cursor); line is borrowed. */
void server_send_shared(struct client *c, uint64_t key, const char *line, size_t len);
/* Queue msg as one line; msg is borrowed. */
void server_send_json(struct client *c, json_t *msg);
/* Send what is queued, then close (after a fatal protocol error). */
void server_close_after(struct client *c);
/* The client with this id, or NULL when it has gone. */
struct client *server_client(struct server *s, uint64_t id);
uint64_t server_client_id(const struct client *c);
/* A reply to c will come later (a job's): a client that half-closes
 * stays until it is written. */
void server_client_hold(struct client *c);
/* The held reply to client id has been sent (or will not be); nothing
 * when the client has gone. */
void server_release(struct server *s, uint64_t id);
/* Peer credentials (Unix socket): 0, or -1 for a TCP client. */
int server_client_cred(const struct client *c, uid_t *uid, gid_t *gid);
/* A pointer the caller keeps with the client (its subscriptions). */
void server_client_set_data(struct client *c, void *data);
void *server_client_data(const struct client *c);

#endif
