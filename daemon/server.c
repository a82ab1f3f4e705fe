/* server.c - listeners and client connections over libevent events and
 * evbuffers. A client that must go is marked and freed from a deferred
 * event, never inside the callback that noticed, so no caller is left
 * holding a freed client.
 *
 * An idle connection (most are subscribers waiting for the next
 * notification) holds its socket, one read event and its struct client:
 * the buffers and the write event exist only while there is a partial line
 * to keep or output the socket has not taken, so 10,000 subscribers cost
 * about 0.5 KB each rather than a bufferevent's 1 KB and more.
 *
 * Replies are written the way Redis writes them: queued during a pass of
 * the event loop and written straight to the socket once at the end of the
 * pass, one system call per client. Only what the socket does not take
 * waits for a write event, so the common case costs no epoll_ctl and no
 * extra wake-up.
 *
 * A notification for every subscriber is one shared copy (struct
 * shared), not one per client: a client keeps a reference to it until
 * the end of the pass, when it goes to the socket straight from the
 * shared copy; only what the socket does not take is copied into that
 * client's own output. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "alloc.h"
#include "err.h"

/* A line queued to many clients: freed when the last has sent it. */
struct shared {
	size_t refs;
	size_t len;
	char data[];
};

struct client {
	struct server *srv;
	evutil_socket_t fd;
	struct event *rev;    /* reading, with the idle timeout */
	struct event *wev;    /* NULL until the socket first refuses output */
	struct evbuffer *in;  /* a partial line; NULL when none */
	struct evbuffer *out; /* output not yet written; NULL when none */
	int writing;          /* wev is waiting for the socket */
	/* A shared line after the output buffer's content, sent from off;
	 * only while queued. */
	struct shared *sh;
	size_t sh_off;
	uint64_t id;
	int cred; /* uid and gid known */
	uid_t uid;
	gid_t gid;
	int dead;    /* being dropped */
	int closing; /* close once the output is sent */
	int shut;    /* output sent and shut down; reading to EOF */
	int eof;     /* the client half-closed: nothing more to read */
	int holds;   /* replies still to come (server_client_hold) */
	int queued;  /* on the server's list to write at the end of the pass */
	void *data;
	struct client *next, *prev;
	struct client *next_dead;
	struct client *next_queued;
};

struct server {
	struct event_base *base;
	struct evconnlistener *unix_l, *tcp_l;
	char *path;
	size_t max_clients, max_message, max_output, max_per_user;
	int idle_timeout;
	server_line_fn on_line;
	server_gone_fn on_gone;
	void *arg;
	struct client *clients, *dead;
	struct client *queued; /* output to write at the end of the pass */
	size_t nclients;
	uint64_t next_id;
	struct event *reap_ev;
	struct event *pass_ev; /* the end of the current pass */
	int pass_armed;        /* pass_ev is active */
	uint64_t pass;         /* passes ended (server_pass) */
	/* The shared line of this pass (server_send_shared), one reference
	 * held until the pass ends. */
	struct shared *share;
	uint64_t share_key;
	const char *share_src;
};

static void flush(struct server *s);

static void
shared_put(struct shared *sh)
{
	if (sh && --sh->refs == 0)
		free(sh);
}

/* Bytes queued to c and not yet written. */
static size_t
unsent(const struct client *c)
{
	return (c->out ? evbuffer_get_length(c->out) : 0) + (c->sh ? c->sh->len - c->sh_off : 0);
}

static struct evbuffer *
output(struct client *c)
{
	if (c->out == NULL)
		c->out = evbuffer_new();
	return c->out;
}

/* Move the unsent rest of c's shared line into its own output buffer,
 * behind what is there. */
static void
spill(struct client *c)
{
	if (c->sh == NULL)
		return;
	evbuffer_add(output(c), c->sh->data + c->sh_off, c->sh->len - c->sh_off);
	shared_put(c->sh);
	c->sh = NULL;
	c->sh_off = 0;
}
static void shut(struct client *c);
static void drop(struct client *c);

/* All of c's output is out: a closing client is shut down, and one that
 * half-closed with nothing more to come is dropped. */
static void
done_writing(struct client *c)
{
	if (c->dead)
		return;
	if (c->eof && (c->closing || c->holds == 0)) {
		drop(c);
		return;
	}
	if (c->closing && !c->shut)
		shut(c);
}

static void
reap(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	flush(s); /* empties the queue, which may hold dead clients */
	while (s->dead) {
		struct client *c = s->dead;
		s->dead = c->next_dead;
		if (c->prev)
			c->prev->next = c->next;
		else
			s->clients = c->next;
		if (c->next)
			c->next->prev = c->prev;
		event_free(c->rev);
		if (c->wev)
			event_free(c->wev);
		if (c->in)
			evbuffer_free(c->in);
		if (c->out)
			evbuffer_free(c->out);
		evutil_closesocket(c->fd);
		s->nclients--;
		free(c);
	}
}

/* Mark c to be freed from the loop; tell the owner now. */
static void
drop(struct client *c)
{
	struct server *s = c->srv;
	if (c->dead)
		return;
	c->dead = 1;
	shared_put(c->sh);
	c->sh = NULL;
	event_del(c->rev);
	if (c->wev)
		event_del(c->wev);
	s->on_gone(s->arg, c);
	c->next_dead = s->dead;
	s->dead = c;
	event_active(s->reap_ev, EV_TIMEOUT, 0);
}

/* Run end_pass once the callbacks of this pass are done. */
static void
arm(struct server *s)
{
	if (s->pass_armed)
		return;
	s->pass_armed = 1;
	event_active(s->pass_ev, EV_TIMEOUT, 0);
}

static void on_writable(evutil_socket_t fd, short what, void *arg);

/* The socket refused output: write the rest when it is writable. */
static void
wait_writable(struct client *c)
{
	spill(c);
	if (c->wev == NULL)
		c->wev = event_new(c->srv->base, c->fd, EV_WRITE | EV_PERSIST, on_writable, c);
	event_add(c->wev, NULL);
	c->writing = 1;
}

/* c's output buffer is empty: let go of it until more comes. */
static void
emptied(struct client *c)
{
	if (c->out && evbuffer_get_length(c->out) == 0) {
		evbuffer_free(c->out);
		c->out = NULL;
	}
}

/* Write c's output, then its shared line, to its socket now. What the
 * socket does not take waits for the write event (on_writable). */
static void
write_out(struct client *c)
{
	if (c->writing) {
		spill(c);
		return; /* the socket was full: the write event is waiting */
	}
	while (unsent(c) > 0) {
		struct evbuffer_iovec v[16];
		struct iovec iov[17];
		size_t mine = 0; /* bytes of c->out in iov */
		int n = c->out ? evbuffer_peek(c->out, -1, NULL, v, 16) : 0, whole = n <= 16;
		if (n > 16)
			n = 16;
		for (int i = 0; i < n; i++) {
			iov[i].iov_base = v[i].iov_base;
			iov[i].iov_len = v[i].iov_len;
			mine += v[i].iov_len;
		}
		if (whole && c->sh) {
			iov[n].iov_base = c->sh->data + c->sh_off;
			iov[n].iov_len = c->sh->len - c->sh_off;
			n++;
		}
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)n };
		ssize_t w = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			wait_writable(c);
			return;
		}
		if (w < 0) {
			log_debug("client %llu dropped: %s", (unsigned long long)c->id,
			          strerror(errno));
			drop(c);
			return;
		}
		size_t done = (size_t)w < mine ? (size_t)w : mine;
		if (done)
			evbuffer_drain(c->out, done);
		if ((size_t)w > mine && c->sh) { /* the rest came from the shared line */
			c->sh_off += (size_t)w - mine;
			if (c->sh_off == c->sh->len) {
				shared_put(c->sh);
				c->sh = NULL;
				c->sh_off = 0;
			}
		}
	}
	emptied(c);
	done_writing(c);
}

/* The socket takes output again: write what waited, and once it is all
 * out go back to writing at the end of each pass. */
static void
on_writable(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	if (c->dead)
		return;
	while (c->out && evbuffer_get_length(c->out) > 0) {
		int w = evbuffer_write(c->out, c->fd);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (w <= 0) {
			log_debug("client %llu dropped: %s", (unsigned long long)c->id,
			          w < 0 ? strerror(errno) : "connection closed");
			drop(c);
			return;
		}
	}
	event_del(c->wev);
	c->writing = 0;
	emptied(c);
	done_writing(c);
}

/* Write the output queued in this pass, one system call per client. */
static void
flush(struct server *s)
{
	while (s->queued) {
		struct client *c = s->queued;
		s->queued = c->next_queued;
		c->queued = 0;
		if (!c->dead)
			write_out(c);
	}
}

static void
end_pass(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	s->pass_armed = 0;
	s->pass++;
	flush(s);
	shared_put(s->share);
	s->share = NULL;
}

uint64_t
server_pass(struct server *s)
{
	arm(s);
	return s->pass;
}

/* Whether more may be queued to c; drops it when not. One reply larger
 * than the bound still goes out; a backlog does not. */
static int
room(struct client *c)
{
	if (c->dead || c->closing)
		return 0;
	if (unsent(c) > c->srv->max_output) {
		log_info("client %llu dropped: it is not reading (more than %zu bytes queued)",
		         (unsigned long long)c->id, c->srv->max_output);
		drop(c);
		return 0;
	}
	return 1;
}

/* Write c's output at the end of this pass. */
static void
enqueue(struct client *c)
{
	if (!c->queued) {
		c->queued = 1;
		c->next_queued = c->srv->queued;
		c->srv->queued = c;
		arm(c->srv);
	}
}

void
server_send(struct client *c, const char *line, size_t len)
{
	if (!room(c))
		return;
	spill(c); /* in order */
	evbuffer_add(output(c), line, len);
	enqueue(c);
}

void
server_send_shared(struct client *c, uint64_t key, const char *line, size_t len)
{
	if (!room(c))
		return;
	struct server *s = c->srv;
	if (c->writing) {
		/* The socket is full: the line waits in c's own buffer. */
		server_send(c, line, len);
		return;
	}
	if (s->share == NULL || s->share_key != key || s->share_src != line ||
	    s->share->len != len) {
		shared_put(s->share);
		s->share = xmalloc(sizeof(*s->share) + len);
		s->share->refs = 1;
		s->share->len = len;
		memcpy(s->share->data, line, len);
		s->share_key = key;
		s->share_src = line;
		arm(s); /* the pass's end lets go of it */
	}
	spill(c); /* one shared line at a time; the earlier one in order */
	s->share->refs++;
	c->sh = s->share;
	c->sh_off = 0;
	enqueue(c);
}

void
server_send_json(struct client *c, json_t *msg)
{
	char *s = msg ? json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (s == NULL) {
		/* A reply that could not be built still gets an answer. */
		log_warnx("a reply could not be encoded as JSON; sent an internal error instead");
		s = xstrdup("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,"
		            "\"message\":\"internal error: the reply could not be encoded\"}}");
	}
	size_t n = strlen(s);
	s[n] = '\n'; /* over the terminating NUL: the line is n + 1 bytes */
	server_send(c, s, n + 1);
	free(s);
}

/* The reply is out: shut the sending side and discard what the client
 * still sends until it closes, so the reply is not lost to a reset. */
static void
shut(struct client *c)
{
	struct timeval tv = { 5, 0 };
	c->shut = 1;
	shutdown(c->fd, SHUT_WR);
	if (!c->eof)
		event_add(c->rev, &tv);
}

void
server_close_after(struct client *c)
{
	if (c->dead || c->closing)
		return;
	c->closing = 1;
	/* else write_out or on_writable shuts it once the output is out */
	if (unsent(c) == 0)
		shut(c);
}

static void
too_long(struct client *c)
{
	char line[200];
	int n = snprintf(line, sizeof(line),
	                 "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
	                 "\"message\":\"message longer than %zu bytes\"}}\n",
	                 c->srv->max_message);
	server_send(c, line, (size_t)n);
	server_close_after(c);
}

/* Hand each complete line in c->in to on_line. */
static void
lines(struct client *c)
{
	struct server *s = c->srv;
	struct evbuffer *in = c->in;
	if (c->closing) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	while (!c->dead && !c->closing) {
		struct evbuffer_ptr p = evbuffer_search_eol(in, NULL, NULL, EVBUFFER_EOL_LF);
		if (p.pos < 0) {
			if (evbuffer_get_length(in) > s->max_message)
				too_long(c);
			return;
		}
		if ((size_t)p.pos > s->max_message) {
			too_long(c);
			return;
		}
		/* Hand the line over in place, its newline made the NUL. The
		 * buffer stays until the drain: a dropped client is freed later. */
		size_t n = (size_t)p.pos;
		char *line = (char *)evbuffer_pullup(in, (ev_ssize_t)n + 1);
		if (line == NULL)
			return;
		line[n] = '\0';
		s->on_line(s->arg, c, line, n);
		evbuffer_drain(in, n + 1);
	}
}

/* The client half-closed (shutdown(SHUT_WR), `nc -N`, the end of a
 * pipe into socat): a last line without its newline still counts, and
 * the client stays until every reply it asked for is written, its
 * pending jobs' included; then it goes (a closed connection looks the
 * same, so subscriptions end here too). */
static void
half_closed(struct client *c)
{
	struct server *s = c->srv;
	c->eof = 1;
	event_del(c->rev);
	size_t n = c->in ? evbuffer_get_length(c->in) : 0;
	if (!c->closing && n > 0 && n <= s->max_message) {
		evbuffer_add(c->in, "\n", 1);
		lines(c);
	}
	if (c->dead)
		return;
	if (unsent(c) == 0 && !c->queued)
		done_writing(c);
}

/* A silent client: one that subscribed is listening, and stays; one
 * that did not holds a slot for nothing, and goes. */
static void
idle(struct client *c)
{
	if (c->data != NULL || c->closing)
		return;
	log_info("closed client %llu: silent for %d s without a subscription (idle_timeout)",
	         (unsigned long long)c->id, c->srv->idle_timeout);
	drop(c);
}

/* Bytes read from a client at most per wake-up. */
#define READ_MAX 16384

static void
on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	if (c->dead)
		return;
	if (!(what & EV_READ)) {
		idle(c);
		return;
	}
	if (c->in == NULL)
		c->in = evbuffer_new();
	int n = evbuffer_read(c->in, c->fd, READ_MAX);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n == 0 && !c->shut && !c->eof) {
		half_closed(c);
	} else if (n <= 0) {
		drop(c);
		return;
	} else {
		lines(c);
	}
	/* No partial line: no buffer kept while the client is quiet. The
	 * buffer of a dropped client goes with it. */
	if (!c->dead && c->in && evbuffer_get_length(c->in) == 0) {
		evbuffer_free(c->in);
		c->in = NULL;
	}
}

static void
refuse(evutil_socket_t fd, const char *why)
{
	char msg[256];
	int n = snprintf(msg, sizeof(msg),
	                 "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32000,"
	                 "\"message\":\"%s; try again later\"}}\n",
	                 why);
	if (send(fd, msg, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_debug("cannot tell a refused client why");
	close(fd);
}

/* How many clients peer uid holds (cred 0: TCP clients, one peer). */
static size_t
held_by(const struct server *s, int cred, uid_t uid)
{
	size_t n = 0;
	for (const struct client *c = s->clients; c; c = c->next)
		if (!c->dead && c->cred == cred && (!cred || c->uid == uid))
			n++;
	return n;
}

/* Why a new client of peer (cred, uid) cannot have a slot, or NULL. */
static const char *
no_slot(const struct server *s, int cred, uid_t uid)
{
	int operator= cred &&(uid == 0 || uid == geteuid());
	if (s->nclients >= s->max_clients)
		return "too many clients";
	if (operator)
		return NULL;
	if (s->nclients + SERVER_RESERVED_SLOTS >= s->max_clients &&
	    s->max_clients > SERVER_RESERVED_SLOTS)
		return "too many clients";
	if (s->max_per_user && held_by(s, cred, uid) >= s->max_per_user)
		return "too many clients of this user";
	return NULL;
}

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct server *s = arg;
	struct ucred uc = { 0 };
	socklen_t ul = sizeof(uc);
	int cred =
	        sa->sa_family == AF_UNIX && getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &ul) == 0;
	const char *why = no_slot(s, cred, uc.uid);
	if (why) {
		if (cred)
			log_warnx("refused a client of uid %u: %s (%zu connected, max_clients %zu, "
			          "max_clients_per_user %zu)",
			          (unsigned)uc.uid, why, s->nclients, s->max_clients,
			          s->max_per_user);
		else
			log_warnx("refused a TCP client: %s (%zu connected, max_clients %zu, "
			          "max_clients_per_user %zu)",
			          why, s->nclients, s->max_clients, s->max_per_user);
		refuse(fd, why);
		return;
	}
	struct client *c = xcalloc(1, sizeof(*c));
	c->srv = s;
	c->id = ++s->next_id;
	c->cred = cred;
	c->uid = uc.uid;
	c->gid = uc.gid;
	evutil_make_socket_nonblocking(fd);
	c->fd = fd;
	c->rev = event_new(s->base, fd, EV_READ | EV_PERSIST, on_readable, c);
	struct timeval tv = { s->idle_timeout, 0 };
	event_add(c->rev, s->idle_timeout > 0 ? &tv : NULL);
	c->next = s->clients;
	if (s->clients)
		s->clients->prev = c;
	s->clients = c;
	s->nclients++;
}

static void
on_accept_error(struct evconnlistener *l, void *arg)
{
	log_warn("cannot accept a client");
}

/* Whether a daemon answers on path. */
static int
alive(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int up = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return up;
}

static int
listen_unix(struct server *s, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sun.sun_path))
		return err_set("socket path %s is too long", path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return err_set("%s exists and is not a socket; not replacing it", path);
		if (alive(path))
			return err_set("another ismsd is already listening on %s", path);
		unlink(path);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_set("socket: %s", strerror(errno));
	mode_t old = umask(0117);
	int rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0 || chmod(path, 0660) < 0 || listen(fd, 4096) < 0) {
		err_set("cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	s->unix_l = evconnlistener_new(s->base, on_accept, s, LEV_OPT_CLOSE_ON_FREE, -1, fd);
	evconnlistener_set_error_cb(s->unix_l, on_accept_error);
	s->path = xstrdup(path);
	return 0;
}

static int
listen_tcp(struct server *s, const char *addr)
{
	struct sockaddr_storage ss;
	int sl = sizeof(ss);
	char *a = xstrdup(addr);
	if (strncmp(a, "localhost:", 10) == 0) {
		char *b = xasprintf("127.0.0.1:%s", a + 10);
		free(a);
		a = b;
	}
	int rc = evutil_parse_sockaddr_port(a, (struct sockaddr *)&ss, &sl);
	free(a);
	if (rc < 0)
		return err_set("cannot parse the TCP address %s", addr);
	s->tcp_l = evconnlistener_new_bind(s->base, on_accept, s,
	                                   LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
	                                           LEV_OPT_CLOSE_ON_EXEC,
	                                   1024, (struct sockaddr *)&ss, sl);
	if (s->tcp_l == NULL)
		return err_set("cannot listen on %s: %s", addr, strerror(errno));
	evconnlistener_set_error_cb(s->tcp_l, on_accept_error);
	return 0;
}

int
server_start(struct event_base *base, const struct server_opts *o, server_line_fn on_line,
             server_gone_fn on_gone, void *arg, struct server **out)
{
	struct server *s = xcalloc(1, sizeof(*s));
	s->base = base;
	s->on_line = on_line;
	s->on_gone = on_gone;
	s->arg = arg;
	s->max_message = o->max_message;
	server_set_limits(s, o);
	s->reap_ev = event_new(base, -1, 0, reap, s);
	s->pass_ev = event_new(base, -1, 0, end_pass, s);
	if (listen_unix(s, o->socket) < 0 || (o->tcp && listen_tcp(s, o->tcp) < 0)) {
		server_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void
server_set_limits(struct server *s, const struct server_opts *o)
{
	s->max_clients = o->max_clients;
	s->max_output = o->max_output;
	s->max_per_user = o->max_per_user;
	s->idle_timeout = o->idle_timeout;
}

void
server_free(struct server *s)
{
	if (s == NULL)
		return;
	for (struct client *c = s->clients; c; c = c->next)
		drop(c);
	reap(-1, 0, s);
	if (s->unix_l)
		evconnlistener_free(s->unix_l);
	if (s->tcp_l)
		evconnlistener_free(s->tcp_l);
	if (s->path)
		unlink(s->path);
	shared_put(s->share);
	event_free(s->reap_ev);
	event_free(s->pass_ev);
	free(s->path);
	free(s);
}

size_t
server_nclients(const struct server *s)
{
	return s->nclients;
}

struct client *
server_client(struct server *s, uint64_t id)
{
	for (struct client *c = s->clients; c; c = c->next)
		if (c->id == id)
			return c->dead ? NULL : c;
	return NULL;
}

void
server_client_hold(struct client *c)
{
	c->holds++;
}

void
server_release(struct server *s, uint64_t id)
{
	struct client *c = server_client(s, id);
	if (c == NULL || c->holds == 0)
		return;
	c->holds--;
	if (c->eof && unsent(c) == 0 && !c->queued)
		done_writing(c);
}

uint64_t
server_client_id(const struct client *c)
{
	return c->id;
}

int
server_client_cred(const struct client *c, uid_t *uid, gid_t *gid)
{
	if (!c->cred)
		return -1;
	*uid = c->uid;
	*gid = c->gid;
	return 0;
}

void
server_client_set_data(struct client *c, void *data)
{
	c->data = data;
}

void *
server_client_data(const struct client *c)
{
	return c->data;
}
