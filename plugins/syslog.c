/* syslog.c - findings and reminders as structured syslog messages.
 *
 * Each event becomes one message, by default in RFC 5424 form with the
 * event's fields as structured data:
 *   <131>1 2026-03-01T09:00:00Z host ismsd 812 finding-raised
 *     [ismsd@32473 repo="isms" cursor="42" rule="5.2-policy-approved"
 *     severity="major" file="policies/is-policy.md" line="3"] finding
 *     raised: approved by p-cto, not top management
 * It goes to a local syslog socket (a datagram each), to a collector over
 * UDP (a datagram each) or over TCP (octet-counting framing of RFC 6587:
 * "LEN SP MESSAGE", so that no content can end a frame early).
 * Configuration:
 *   transport        unix (default), udp or tcp
 *   socket           unix: the syslog socket (default /dev/log)
 *   host, port       udp and tcp: the collector (port default 514)
 *   queue            messages kept while the socket is full or the
 *                    collector unreachable (default 1000)
 *   backoff_initial  seconds before the first retry (default 0.05)
 *   backoff_max      longest delay between retries (default 10)
 *   facility         daemon (default), user, auth, authpriv, local0 .. local7
 *   app_name         APP-NAME (default ismsd)
 *   format           rfc5424 (default) or rfc3164 (key=value pairs after
 *                    the message, for collectors that do not parse
 *                    structured data)
 *   sd_id            the structured data id (default ismsd@32473; 32473 is
 *                    the example enterprise number of RFC 5612: use your own)
 *   events           event names (default finding-raised, finding-resolved,
 *                    reminder-due)
 * The plugin never waits: a message the socket does not take at once
 * (EAGAIN, ENOBUFS, no syslog daemon, the collector down) stays in the
 * bounded queue and is retried from the plugin's event base, with a delay
 * that doubles from backoff_initial to backoff_max; the queue is sent in
 * order once the socket takes messages again. Only when the queue is full
 * is a message dropped (the oldest), and each one is counted. Status
 * counters: sent, dropped, queued, failed_attempts. */
#include <errno.h>
#include <event2/event.h>
#include <jansson.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <ismsd/plugin.h>

#define MAX_LINE   8192
#define MAX_PARAMS 24
/* Seconds a TCP connection may take to be set up. */
#define CONNECT_TIMEOUT 10

enum transport { T_UNIX, T_UDP, T_TCP };

/* One message as it goes on the wire (with its frame length for TCP). */
struct msg {
	char *s;
	size_t n;
};

struct sl {
	const struct ismsd_host *h;
	char *path, *app, *sd_id, *peer, host[256], where[320], port[8];
	int transport, facility, rfc3164, fd, connecting;
	uint32_t mask;
	/* A ring of qmax messages from qhead; off bytes of the head are
	 * already written (a TCP frame cut by a full socket buffer). */
	struct msg *q;
	size_t qhead, qlen, qmax, off;
	struct event *retry, *wr; /* wr: TCP connect done or writable */
	double b_init, b_max, backoff;
	int64_t sent, dropped, failed;
	int failing, overflowing;
};

struct line {
	char s[MAX_LINE];
	size_t n;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append to the line; what does not fit is cut. */
static void
add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	if (l->n >= sizeof(l->s) - 1)
		return;
	va_start(ap, fmt);
	int k = vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		l->n += (size_t)k < sizeof(l->s) - l->n ? (size_t)k : sizeof(l->s) - 1 - l->n;
}

/* Bytes at v that break a line: a control character (C0, DEL) or the
 * UTF-8 of NEL (U+0085), LINE and PARAGRAPH SEPARATOR (U+2028, U+2029),
 * which some readers take as line ends. 0 when *v is none of them. */
static size_t
breaker(const char *v)
{
	const unsigned char *u = (const unsigned char *)v;
	if (u[0] < 0x20 || u[0] == 0x7f)
		return 1;
	if (u[0] == 0xc2 && u[1] == 0x85)
		return 2;
	if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9))
		return 3;
	return 0;
}

/* Append a value, escaping what RFC 5424 (", \ and ]) or a key=value
 * reader needs escaped, and line breakers as spaces. */
static void
add_value(struct line *l, const char *v)
{
	while (*v && l->n < sizeof(l->s) - 3) {
		size_t b = breaker(v);
		unsigned char c = (unsigned char)*v;
		if (c == '"' || c == '\\' || c == ']')
			l->s[l->n++] = '\\';
		l->s[l->n++] = b ? ' ' : (char)c;
		v += b ? b : 1;
	}
	l->s[l->n] = '\0';
}

/* Append text with line breakers as spaces: one line. */
static void
add_text(struct line *l, const char *v)
{
	while (*v && l->n < sizeof(l->s) - 1) {
		size_t b = breaker(v);
		l->s[l->n++] = b ? ' ' : *v;
		v += b ? b : 1;
	}
	l->s[l->n] = '\0';
}
/* A PARAM-NAME: printable ASCII but = ] " and space, at most 32. */
static void
add_name(struct line *l, const char *k)
{
	size_t i = 0;
	for (; k[i] && i < 32 && l->n < sizeof(l->s) - 1; i++) {
		unsigned char c = (unsigned char)k[i];
		l->s[l->n++] =
		        c > 32 && c < 127 && c != '=' && c != ']' && c != '"' ? (char)c : '_';
	}
	l->s[l->n] = '\0';
}

static void
add_param(struct sl *s, struct line *l, const char *k, const char *v)
{
	add(l, " ");
	add_name(l, k);
	add(l, "=\"");
	add_value(l, v);
	add(l, "\"");
}

/* Severity (RFC 5424 numbering) of an event. */
static int
severity(uint32_t kind, json_t *data)
{
	const char *sev = json_string_value(json_object_get(data, "severity"));
	switch (kind) {
	case ISMSD_EV_FINDING_RAISED:
		if (sev && strcmp(sev, "major") == 0)
			return 3;
		if (sev && strcmp(sev, "minor") == 0)
			return 4;
		return 5;
	case ISMSD_EV_FINDING_RESOLVED:
	case ISMSD_EV_REMINDER_DUE: return 5;
	default: return 6;
	}
}

/* The human part of the line. */
static void
add_message(struct line *l, uint32_t kind, json_t *data)
{
	const char *msg = json_string_value(json_object_get(data, "message"));
	const char *title = json_string_value(json_object_get(data, "title"));
	const char *commit = json_string_value(json_object_get(data, "commit"));
	switch (kind) {
	case ISMSD_EV_FINDING_RAISED:
		add(l, "finding raised: ");
		add_text(l, msg ? msg : "?");
		break;
	case ISMSD_EV_FINDING_RESOLVED:
		add(l, "finding resolved: ");
		add_text(l, msg ? msg : "?");
		break;
	case ISMSD_EV_REMINDER_DUE:
		add(l, "reminder due: ");
		add_text(l, title ? title : "?");
		break;
	case ISMSD_EV_COMMIT_SEEN:
		add(l, "commit ");
		add_text(l, commit ? commit : "?");
		add(l, " seen");
		break;
	default: {
		json_t *c = json_object_get(data, "counts");
		add(l, "evaluation of ");
		add_text(l, commit ? commit : "?");
		add(l, " finished: %lld pass, %lld fail, %lld warn, %lld error",
		    (long long)json_integer_value(json_object_get(c, "pass")),
		    (long long)json_integer_value(json_object_get(c, "fail")),
		    (long long)json_integer_value(json_object_get(c, "warn")),
		    (long long)json_integer_value(json_object_get(c, "error")));
		break;
	}
	}
}

/* The event's scalar fields as parameters (repo and cursor first). */
static void
add_params(struct sl *s, struct line *l, const struct ismsd_event *ev, json_t *data)
{
	char cur[32];
	snprintf(cur, sizeof(cur), "%llu", (unsigned long long)ev->cursor);
	add_param(s, l, "repo", ev->repo);
	add_param(s, l, "cursor", cur);
	const char *k;
	json_t *v;
	int n = 0;
	json_object_foreach (data, k, v) {
		char num[64];
		const char *text = NULL;
		if (n >= MAX_PARAMS || strcmp(k, "message") == 0)
			continue;
		if (json_is_string(v))
			text = json_string_value(v);
		else if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
			text = num;
		} else if (json_is_real(v)) {
			snprintf(num, sizeof(num), "%g", json_real_value(v));
			text = num;
		} else if (json_is_boolean(v))
			text = json_is_true(v) ? "true" : "false";
		if (text) {
			add_param(s, l, k, text);
			n++;
		}
	}
}

/* Format ev as one syslog line. */
static void
format(struct sl *s, const struct ismsd_event *ev, json_t *data, struct line *l)
{
	int pri = s->facility * 8 + severity(ev->kind, data);
	time_t t = (time_t)ev->time;
	struct tm tm;
	char ts[64];
	l->n = 0;
	l->s[0] = '\0';
	if (s->rfc3164) {
		localtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%b %e %H:%M:%S", &tm);
		add(l, "<%d>%s %s[%ld]: ", pri, ts, s->app, (long)getpid());
		add_message(l, ev->kind, data);
		add(l, " event=%s", ismsd_event_name(ev->kind));
		add_params(s, l, ev, data);
		return;
	}
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	add(l, "<%d>1 %s %s %s %ld %s [%s", pri, ts, s->host, s->app, (long)getpid(),
	    ismsd_event_name(ev->kind), s->sd_id);
	add_params(s, l, ev, data);
	add(l, "] ");
	add_message(l, ev->kind, data);
}

static void
stats(struct sl *s)
{
	s->h->stat(s->h, "sent", s->sent);
	s->h->stat(s->h, "dropped", s->dropped);
	s->h->stat(s->h, "queued", (int64_t)s->qlen);
	s->h->stat(s->h, "failed_attempts", s->failed);
}

static struct timeval
tv_of(double sec)
{
	struct timeval tv = { (time_t)sec, (suseconds_t)((sec - (double)(time_t)sec) * 1e6) };
	return tv;
}

static void
close_fd(struct sl *s)
{
	if (s->wr)
		event_free(s->wr);
	s->wr = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->connecting = 0;
	s->off = 0; /* a cut frame is sent whole on the next connection */
}

/* Remove the head of the queue. */
static void
pop(struct sl *s)
{
	free(s->q[s->qhead].s);
	s->qhead = (s->qhead + 1) % s->qmax;
	s->qlen--;
	s->off = 0;
}

/* Count a failed attempt and try again after the backoff. The first
 * failure of a run is logged; the messages stay queued. */
static void
trouble(struct sl *s, const char *why)
{
	s->failed++;
	if (!s->failing++)
		s->h->log(s->h, ISMSD_LOG_WARN,
		          "cannot send to %s: %s; keeping the messages (%zu queued, at most "
		          "%zu) and retrying",
		          s->where, why, s->qlen, s->qmax);
	struct timeval tv = tv_of(s->backoff);
	evtimer_add(s->retry, &tv);
	s->backoff = s->backoff * 2 > s->b_max ? s->b_max : s->backoff * 2;
}

static void
recovered(struct sl *s)
{
	if (s->failing)
		s->h->log(s->h, ISMSD_LOG_INFO, "sending to %s again after %d failed attempts",
		          s->where, s->failing);
	s->failing = 0;
	s->overflowing = 0;
	s->backoff = s->b_init;
}

static void flush(struct sl *s);

/* The TCP connection is up, or the socket takes bytes again. */
static void
on_writable(evutil_socket_t fd, short what, void *arg)
{
	struct sl *s = arg;
	if (s->connecting) {
		int e = 0;
		socklen_t len = sizeof(e);
		if (what & EV_TIMEOUT)
			e = ETIMEDOUT;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
			e = errno;
		if (e != 0) {
			close_fd(s);
			trouble(s, strerror(e));
			stats(s);
			return;
		}
		s->connecting = 0;
	}
	flush(s);
	stats(s);
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct sl *s = arg;
	flush(s);
	stats(s);
}

/* Open the socket: connected at once for unix and udp, under way for tcp
 * (s->connecting until on_writable). Returns 0, or -1 with *why set. */
static int
open_fd(struct sl *s, const char **why)
{
	if (s->transport == T_UNIX) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->path);
		s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (s->fd >= 0 && connect(s->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return 0;
		*why = strerror(errno);
		close_fd(s);
		return -1;
	}
	/* Resolving may block, on the plugin's thread only. */
	struct addrinfo hints = { .ai_flags = AI_NUMERICSERV }, *ai = NULL;
	hints.ai_socktype = s->transport == T_TCP ? SOCK_STREAM : SOCK_DGRAM;
	int rc = getaddrinfo(s->peer, s->port, &hints, &ai);
	if (rc != 0) {
		*why = gai_strerror(rc);
		return -1;
	}
	*why = "no address";
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		s->fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		               a->ai_protocol);
		if (s->fd < 0) {
			*why = strerror(errno);
			continue;
		}
		int conn = connect(s->fd, a->ai_addr, a->ai_addrlen);
		if (conn == 0 || (s->transport == T_TCP && errno == EINPROGRESS)) {
			s->connecting = conn < 0;
			break;
		}
		*why = strerror(errno);
		close_fd(s);
	}
	freeaddrinfo(ai);
	if (s->fd < 0)
		return -1;
	if (s->transport == T_TCP) {
		s->wr = event_new(s->h->base(s->h), s->fd, EV_WRITE, on_writable, s);
		if (s->wr == NULL) {
			*why = "cannot watch the connection";
			close_fd(s);
			return -1;
		}
		if (s->connecting) {
			struct timeval tv = { CONNECT_TIMEOUT, 0 };
			event_add(s->wr, &tv);
		}
	}
	return 0;
}

/* Whether the TCP collector still holds the connection open. It sends
 * nothing, so what can be read is its end: a closed connection is found
 * before a message is written into it and lost. */
static int
alive(struct sl *s)
{
	char b[512];
	ssize_t n;
	while ((n = recv(s->fd, b, sizeof(b), MSG_DONTWAIT)) > 0)
		;
	return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
}

/* Send what is queued, in order, until the socket takes no more. Never
 * waits: a full socket or a failure leaves the rest queued, with a retry
 * on the timer (or, for a full TCP buffer, when it is writable). */
static void
flush(struct sl *s)
{
	int reopened = 0;
	const char *why = NULL;
	while (s->qlen > 0) {
		if (evtimer_pending(s->retry, NULL) || s->connecting ||
		    (s->wr && event_pending(s->wr, EV_WRITE, NULL)))
			return;
		if (s->fd < 0 && open_fd(s, &why) < 0) {
			trouble(s, why);
			return;
		}
		if (s->connecting)
			return;
		if (s->transport == T_TCP && s->off == 0 && !alive(s)) {
			close_fd(s);
			trouble(s, "it closed the connection");
			return;
		}
		struct msg *m = &s->q[s->qhead];
		ssize_t n = send(s->fd, m->s + s->off, m->n - s->off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			if (s->transport == T_TCP && (e == EAGAIN || e == EWOULDBLOCK)) {
				event_add(s->wr, NULL);
				return;
			}
			if (e == EMSGSIZE) {
				s->h->log(s->h, ISMSD_LOG_WARN,
				          "%s refuses a message of %zu bytes as too long; "
				          "dropping it",
				          s->where, m->n);
				pop(s);
				s->dropped++;
				continue;
			}
			if (e != EAGAIN && e != EWOULDBLOCK && e != ENOBUFS &&
			    !(s->transport == T_UDP && e == ECONNREFUSED)) {
				/* The syslog daemon was restarted, the connection
				 * reset: open a new socket, once at once. (A refused
				 * UDP datagram was not sent: it is retried.) */
				close_fd(s);
				if (!reopened++)
					continue;
			}
			trouble(s, strerror(e));
			return;
		}
		s->off += (size_t)n;
		if (s->transport == T_TCP && s->off < m->n)
			continue;
		pop(s);
		s->sent++;
		recovered(s);
	}
}

/* Queue one line (framed for TCP). When the queue is full the oldest
 * message that is not half written is dropped and counted. */
static void
enqueue(struct sl *s, const struct line *l)
{
	int np = s->transport == T_TCP ? snprintf(NULL, 0, "%zu ", l->n) : 0;
	struct msg m = { malloc((size_t)np + l->n + 1), (size_t)np + l->n };
	if (m.s == NULL) {
		s->dropped++;
		return;
	}
	snprintf(m.s, (size_t)np + 1, "%zu ", l->n); /* "" when np is 0 */
	memcpy(m.s + np, l->s, l->n + 1);
	if (s->qlen == s->qmax) {
		if (!s->overflowing++)
			s->h->log(s->h, ISMSD_LOG_WARN,
			          "the queue for %s is full (%zu messages): dropping the "
			          "oldest; raise \"queue\" or see why it does not take them",
			          s->where, s->qmax);
		s->dropped++;
		if (s->off > 0 && s->qmax == 1) {
			free(m.s); /* the one queued is half written: keep it */
			return;
		}
		if (s->off > 0) {
			/* Drop the second; the half-written head moves up. */
			size_t second = (s->qhead + 1) % s->qmax;
			free(s->q[second].s);
			s->q[second] = s->q[s->qhead];
			s->qhead = second;
			s->qlen--;
		} else {
			free(s->q[s->qhead].s);
			s->qhead = (s->qhead + 1) % s->qmax;
			s->qlen--;
		}
	}
	s->q[(s->qhead + s->qlen) % s->qmax] = m;
	s->qlen++;
}

static void
on_event(void *state, const struct ismsd_event *ev)
{
	struct sl *s = state;
	if (!(s->mask & (1u << ev->kind)))
		return;
	json_t *data = json_loads(ev->payload, 0, NULL);
	struct line *l = malloc(sizeof(*l));
	if (data && l) {
		format(s, ev, data, l);
		enqueue(s, l);
		flush(s);
	}
	free(l);
	json_decref(data);
	stats(s);
}

static int
facility(const char *name)
{
	static const struct {
		const char *name;
		int code;
	} f[] = { { "kern", 0 },    { "user", 1 },      { "mail", 2 },    { "daemon", 3 },
		  { "auth", 4 },    { "authpriv", 10 }, { "local0", 16 }, { "local1", 17 },
		  { "local2", 18 }, { "local3", 19 },   { "local4", 20 }, { "local5", 21 },
		  { "local6", 22 }, { "local7", 23 } };
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (strcmp(f[i].name, name) == 0)
			return f[i].code;
	return -1;
}

static const char *
opt_str(json_t *cfg, const char *k, const char *def)
{
	json_t *v = json_object_get(cfg, k);
	return v == NULL ? def : json_string_value(v);
}

/* A number setting from lo to hi, def when absent; -1 after logging. */
static int
opt_num(const struct ismsd_host *h, json_t *cfg, const char *k, double def, double lo, double hi,
        double *out)
{
	json_t *v = json_object_get(cfg, k);
	*out = v ? json_number_value(v) : def;
	if (v && (!json_is_number(v) || *out < lo || *out > hi)) {
		h->log(h, ISMSD_LOG_ERR, "\"%s\" must be a number from %g to %g", k, lo, hi);
		return -1;
	}
	return 0;
}

static void
sl_free(struct sl *s)
{
	close_fd(s);
	if (s->retry)
		event_free(s->retry);
	while (s->q && s->qlen > 0)
		pop(s);
	free(s->q);
	free(s->path);
	free(s->peer);
	free(s->app);
	free(s->sd_id);
	free(s);
}

/* The events setting, default findings and reminders. */
static int
events(json_t *v, uint32_t *mask)
{
	size_t i;
	json_t *e;
	if (v == NULL) {
		*mask = 1u << ISMSD_EV_FINDING_RAISED | 1u << ISMSD_EV_FINDING_RESOLVED |
		        1u << ISMSD_EV_REMINDER_DUE;
		return 0;
	}
	if (!json_is_array(v))
		return -1;
	*mask = 0;
	json_array_foreach (v, i, e) {
		uint32_t k = ismsd_event_kind(json_string_value(e));
		if (k == 0)
			return -1;
		*mask |= 1u << k;
	}
	return 0;
}

/* Refuse a setting this plugin does not know: a misspelt key would
 * otherwise be ignored in silence. */
static int
known_keys(const struct ismsd_host *h, json_t *cfg)
{
	static const char *const keys[] = { "transport", "socket",          "host",
		                            "port",      "queue",           "facility",
		                            "format",    "app_name",        "sd_id",
		                            "events",    "backoff_initial", "backoff_max" };
	const char *k;
	json_t *v;
	json_object_foreach (cfg, k, v) {
		size_t i = 0;
		while (i < sizeof(keys) / sizeof(keys[0]) && strcmp(keys[i], k) != 0)
			i++;
		if (i == sizeof(keys) / sizeof(keys[0])) {
			h->log(h, ISMSD_LOG_ERR,
			       "unknown setting \"%.64s\"; the syslog plugin knows transport, "
			       "socket, host, port, queue, backoff_initial, backoff_max, "
			       "facility, format, app_name, sd_id and events",
			       k);
			return -1;
		}
	}
	return 0;
}

/* transport, socket, host and port: where the messages go. */
static int
destination(struct sl *s, json_t *cfg)
{
	const struct ismsd_host *h = s->h;
	const char *t = opt_str(cfg, "transport", "unix");
	json_t *port = json_object_get(cfg, "port");
	if (t && strcmp(t, "unix") == 0)
		s->transport = T_UNIX;
	else if (t && strcmp(t, "udp") == 0)
		s->transport = T_UDP;
	else if (t && strcmp(t, "tcp") == 0)
		s->transport = T_TCP;
	else {
		h->log(h, ISMSD_LOG_ERR, "\"transport\" must be unix, udp or tcp, not %s%.32s%s",
		       t ? "\"" : "", t ? t : "a string", t ? "\"" : "");
		return -1;
	}
	if (s->transport == T_UNIX) {
		const char *path = opt_str(cfg, "socket", "/dev/log");
		if (json_object_get(cfg, "host") || port) {
			h->log(h, ISMSD_LOG_ERR,
			       "\"host\" and \"port\" are for transport udp or tcp; "
			       "transport unix takes \"socket\"");
			return -1;
		}
		if (path == NULL || *path == '\0' ||
		    strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
			h->log(h, ISMSD_LOG_ERR, "\"socket\" must be the path of a syslog socket");
			return -1;
		}
		s->path = strdup(path);
		snprintf(s->where, sizeof(s->where), "the syslog socket %s", path);
		return s->path ? 0 : -1;
	}
	const char *host = opt_str(cfg, "host", NULL);
	if (json_object_get(cfg, "socket")) {
		h->log(h, ISMSD_LOG_ERR,
		       "\"socket\" is for transport unix; transport %s takes \"host\" "
		       "and \"port\"",
		       t);
		return -1;
	}
	if (host == NULL || *host == '\0' || strlen(host) > 253 ||
	    strcspn(host, " \t\r\n/") != strlen(host)) {
		h->log(h, ISMSD_LOG_ERR,
		       "transport %s needs \"host\": the collector's name or address", t);
		return -1;
	}
	long p = 514;
	if (json_is_integer(port))
		p = (long)json_integer_value(port);
	else if (json_is_string(port)) {
		char *end;
		errno = 0;
		p = strtol(json_string_value(port), &end, 10);
		if (errno || end == json_string_value(port) || *end)
			p = 0;
	} else if (port)
		p = 0;
	if (p < 1 || p > 65535) {
		h->log(h, ISMSD_LOG_ERR, "\"port\" must be a number from 1 to 65535");
		return -1;
	}
	snprintf(s->port, sizeof(s->port), "%ld", p);
	s->peer = strdup(host);
	snprintf(s->where, sizeof(s->where), "the %s collector %s%s%s:%ld", t,
	         strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", p);
	return s->peer ? 0 : -1;
}

static int
init(const struct ismsd_host *h, const char *config, void **state)
{
	json_t *cfg = json_loads(config, 0, NULL);
	struct sl *s = calloc(1, sizeof(*s));
	double qm;
	if (cfg == NULL || s == NULL)
		goto fail;
	s->h = h;
	s->fd = -1;
	const char *fac = opt_str(cfg, "facility", "daemon");
	const char *app = opt_str(cfg, "app_name", "ismsd");
	const char *fmt = opt_str(cfg, "format", "rfc5424");
	const char *sd = opt_str(cfg, "sd_id", "ismsd@32473");
	if (known_keys(h, cfg) < 0 || destination(s, cfg) < 0)
		goto fail;
	if (opt_num(h, cfg, "queue", 1000, 1, 1000000, &qm) < 0 ||
	    opt_num(h, cfg, "backoff_initial", 0.05, 0.001, 3600, &s->b_init) < 0 ||
	    opt_num(h, cfg, "backoff_max", 10, 0.001, 86400, &s->b_max) < 0)
		goto fail;
	if (s->b_max < s->b_init) {
		h->log(h, ISMSD_LOG_ERR, "\"backoff_max\" must not be below \"backoff_initial\"");
		goto fail;
	}
	if (fac == NULL || (s->facility = facility(fac)) < 0) {
		h->log(h, ISMSD_LOG_ERR,
		       "\"facility\" must be daemon, user, auth, "
		       "authpriv or local0 to local7");
		goto fail;
	}
	if (fmt == NULL || (strcmp(fmt, "rfc5424") != 0 && strcmp(fmt, "rfc3164") != 0)) {
		h->log(h, ISMSD_LOG_ERR, "\"format\" must be rfc5424 or rfc3164");
		goto fail;
	}
	if (app == NULL || *app == '\0' || strlen(app) > 48 || strpbrk(app, " \t\n[]") ||
	    sd == NULL || *sd == '\0' || strlen(sd) > 32 || strpbrk(sd, " =]\"")) {
		h->log(h, ISMSD_LOG_ERR,
		       "\"app_name\" and \"sd_id\" must be short "
		       "words without spaces");
		goto fail;
	}
	if (events(json_object_get(cfg, "events"), &s->mask) < 0) {
		h->log(h, ISMSD_LOG_ERR, "\"events\" must list event names");
		goto fail;
	}
	s->qmax = (size_t)qm;
	s->backoff = s->b_init;
	s->rfc3164 = strcmp(fmt, "rfc3164") == 0;
	s->app = strdup(app);
	s->sd_id = strdup(sd);
	s->q = calloc(s->qmax, sizeof(*s->q));
	if (gethostname(s->host, sizeof(s->host) - 1) < 0 || s->host[0] == '\0')
		strcpy(s->host, "-");
	for (char *p = s->host; *p; p++)
		if (*p <= ' ' || *p >= 127)
			*p = '_';
	if (!s->app || !s->sd_id || !s->q)
		goto fail;
	if (!(h->version >= 2 && h->check_only)) {
		s->retry = evtimer_new(h->base(h), on_retry, s);
		if (s->retry == NULL)
			goto fail;
	}
	json_decref(cfg);
	*state = s;
	return 0;
fail:
	json_decref(cfg);
	if (s)
		sl_free(s);
	return -1;
}

/* One last attempt without waiting; what is still queued is lost and
 * said so. */
static void
shutdown_(void *state)
{
	struct sl *s = state;
	if (s->retry) {
		evtimer_del(s->retry);
		s->failing = 1; /* no new warning: the summary below says it */
		flush(s);
		evtimer_del(s->retry);
	}
	if (s->qlen > 0)
		s->h->log(s->h, ISMSD_LOG_WARN, "%zu messages were not sent to %s before shutdown",
		          s->qlen, s->where);
	sl_free(s);
}

const struct ismsd_plugin ismsd_plugin = {
	.abi_version = ISMSD_PLUGIN_ABI_VERSION,
	.name = "syslog",
	.version = "1.1.0",
	.description = "findings and reminders as structured syslog messages, local, UDP or TCP",
	.init = init,
	.on_event = on_event,
	.shutdown = shutdown_,
};
