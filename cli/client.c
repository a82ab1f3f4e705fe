/* client.c - a blocking JSON-RPC client over the daemon's Unix socket. */
#include "client.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "paths.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"

#define MAX_REPLY (512u << 20)

struct pending {
	json_t *msg;
	struct pending *next;
};

struct client_conn {
	int fd;
	struct buf in; /* bytes read, not yet a whole line */
	size_t off;    /* consumed prefix of in */
	long long next_id;
	struct pending *queue, **tail; /* notifications held during a call */
};

const char *
client_socket_path(const char *path)
{
	const char *env = getenv("ISMS_SOCKET");
	if (path)
		return path;
	return env && *env ? env : ISMSD_DEFAULT_SOCKET;
}

int
client_open(const char *path, struct client_conn **out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sun.sun_path))
		return err_set("socket path %s is too long", path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;
		close(fd);
		if (e == ENOENT || e == ECONNREFUSED)
			return err_set("ismsd is not running on %s (start it, or give "
			               "--socket or $ISMS_SOCKET)",
			               path);
		return err_set("cannot connect to ismsd on %s: %s", path, strerror(e));
	}
	struct client_conn *c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->tail = &c->queue;
	*out = c;
	return 0;
}

void
client_close(struct client_conn *c)
{
	if (c == NULL)
		return;
	while (c->queue) {
		struct pending *p = c->queue;
		c->queue = p->next;
		json_decref(p->msg);
		free(p);
	}
	close(c->fd);
	buf_free(&c->in);
	free(c);
}

static int
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return err_set("cannot send to ismsd: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
client_send_line(struct client_conn *c, const char *line)
{
	if (send_all(c->fd, line, strlen(line)) < 0)
		return -1;
	return send_all(c->fd, "\n", 1);
}

/* A whole line from the buffer, parsed; 1, 0 when none is complete yet,
 * -1 when the line is not JSON. */
static int
take_line(struct client_conn *c, json_t **msg)
{
	char *start = c->in.data ? c->in.data + c->off : NULL;
	char *nl = start ? memchr(start, '\n', c->in.len - c->off) : NULL;
	if (nl == NULL) {
		if (c->off) {
			memmove(c->in.data, start, c->in.len - c->off);
			c->in.len -= c->off;
			c->in.data[c->in.len] = '\0';
			c->off = 0;
		}
		return 0;
	}
	json_error_t je;
	*msg = json_loadb(start, (size_t)(nl - start), 0, &je);
	c->off = (size_t)(nl - c->in.data) + 1;
	if (*msg == NULL)
		return err_set("ismsd sent something that is not JSON: %s", je.text);
	return 1;
}

int
client_next(struct client_conn *c, int timeout_ms, json_t **msg)
{
	if (c->queue) {
		struct pending *p = c->queue;
		c->queue = p->next;
		if (c->queue == NULL)
			c->tail = &c->queue;
		*msg = p->msg;
		free(p);
		return 1;
	}
	for (;;) {
		int rc = take_line(c, msg);
		if (rc != 0)
			return rc;
		struct pollfd pf = { c->fd, POLLIN, 0 };
		rc = poll(&pf, 1, timeout_ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0)
			return 0;
		char tmp[65536];
		ssize_t n = read(c->fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set("ismsd closed the connection");
		if (c->in.len + (size_t)n > MAX_REPLY)
			return err_set("ismsd sent a message larger than %u bytes", MAX_REPLY);
		buf_add(&c->in, tmp, (size_t)n);
	}
}

int
client_call(struct client_conn *c, const char *method, json_t *params, json_t **result)
{
	long long id = ++c->next_id;
	json_t *req = json_pack("{s:s, s:I, s:s}", "jsonrpc", "2.0", "id", (json_int_t)id, "method",
	                        method);
	if (params)
		json_object_set(req, "params", params);
	char *s = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	int rc = client_send_line(c, s);
	free(s);
	if (rc < 0)
		return -1;
	*result = NULL;
	for (;;) {
		json_t *m;
		/* Bypass the queue: the reply is read from the socket. */
		struct pending *held = c->queue;
		c->queue = NULL;
		rc = client_next(c, -1, &m);
		c->queue = held;
		if (held == NULL)
			c->tail = &c->queue;
		if (rc <= 0)
			return -1;
		json_t *mid = json_object_get(m, "id");
		if (json_object_get(m, "method") || mid == NULL ||
		    (json_is_integer(mid) && json_integer_value(mid) != id)) {
			struct pending *p = xcalloc(1, sizeof(*p));
			p->msg = m;
			*c->tail = p;
			c->tail = &p->next;
			continue;
		}
		json_t *err = json_object_get(m, "error");
		if (err) {
			err_set("%s", json_string_value(json_object_get(err, "message")));
			json_decref(m);
			return -1;
		}
		*result = json_incref(json_object_get(m, "result"));
		json_decref(m);
		return 0;
	}
}
