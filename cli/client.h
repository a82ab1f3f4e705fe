/* client.h - the ismsctl side of the socket: connect, call a method and
 * wait for its reply, read notifications. Blocking; one connection per
 * object. */
#ifndef ISMS_CLIENT_H
#define ISMS_CLIENT_H

#include <jansson.h>

struct client_conn;

/* The socket path: path when not NULL, else $ISMS_SOCKET, else the
 * default. Borrowed. */
const char *client_socket_path(const char *path);
/* Connect to the daemon at path. *out is the caller's (client_close).
 * Returns 0, or -1 with err_msg() saying whether the daemon runs. */
int client_open(const char *path, struct client_conn **out);
void client_close(struct client_conn *c);
/* Call method with params (borrowed; NULL: none) and wait for the reply.
 * Notifications that arrive meanwhile are kept for client_next. On success
 * *result is the caller's; on a JSON-RPC error -1 is returned and
 * err_msg() holds the daemon's message. */
int client_call(struct client_conn *c, const char *method, json_t *params, json_t **result);
/* Send one raw line (a request written by hand). */
int client_send_line(struct client_conn *c, const char *line);
/* The next message (a notification or a reply), waiting up to timeout_ms
 * (-1: forever). Returns 1 with *msg the caller's, 0 on timeout, -1 when
 * the connection closed or failed. */
int client_next(struct client_conn *c, int timeout_ms, json_t **msg);

#endif
