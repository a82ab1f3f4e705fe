/* loadgen.c - a load generator for the daemon's socket: C connections to
 * a Unix socket, each sending one fixed request line and waiting for the
 * whole reply line before sending it again (pipelining depth 1, like
 * redis-benchmark's default), all on one thread over epoll. Prints
 * requests per second and latency percentiles. Every reply must be a
 * complete JSON-RPC result for the request's id; anything else ends the
 * run with exit status 1.
 *
 *   loadgen -s SOCK [-c CONNECTIONS] [-t SECONDS | -n REQUESTS] [-r LINE]
 *
 * Bench only: built by `make bench` into BUILD/loadgen. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINE  (64u << 20) /* a longer reply is a failure */
#define MAX_DEPTH 512         /* JSON nesting accepted in a reply */
#define STALL_MS  10000       /* no reply for this long is a failure */

struct conn {
	int fd;
	size_t sent; /* bytes of the request written so far */
	int waiting; /* a request is out, its reply not complete */
	uint64_t t0; /* when the request's first byte was written */
	char *in;    /* bytes read, not yet a whole line */
	size_t len, cap;
	uint64_t nreplies;
};

static const char *req; /* the request line, '\n' included */
static size_t reqlen;
static const char *req_id; /* the request's id as JSON text */
static size_t req_idlen;

static uint64_t *lat; /* nanoseconds per reply */
static size_t nlat, caplat;

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;
	fputs("loadgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL)
		die("out of memory");
	return p;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A JSON text scanner: checks the syntax of one value and, at the top
 * level, notes the keys that matter. No values are built, so checking a
 * reply costs far less than the daemon spends making it. */
struct scan {
	const char *p, *end;
	int depth;
	/* top-level object members, as raw JSON text */
	const char *id, *jsonrpc;
	size_t idlen, jsonrpclen;
	int has_result, has_error;
	const char *why; /* what was wrong, or NULL */
};

static int value(struct scan *s);

static int
bad(struct scan *s, const char *why)
{
	if (s->why == NULL)
		s->why = why;
	return -1;
}

static void
ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r' || *s->p == '\n'))
		s->p++;
}

static int
hex4(const char *p)
{
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	return 1;
}

static int
string(struct scan *s)
{
	if (s->p >= s->end || *s->p != '"')
		return bad(s, "a string was expected");
	for (s->p++; s->p < s->end; s->p++) {
		unsigned char c = (unsigned char)*s->p;
		if (c == '"') {
			s->p++;
			return 0;
		}
		if (c < 0x20)
			return bad(s, "a control character in a string");
		if (c != '\\')
			continue;
		if (++s->p >= s->end)
			break;
		if (*s->p == 'u') {
			if (s->end - s->p < 5 || !hex4(s->p + 1))
				return bad(s, "a bad \\u escape");
			s->p += 4;
		} else if (strchr("\"\\/bfnrt", *s->p) == NULL || *s->p == '\0') {
			return bad(s, "a bad escape in a string");
		}
	}
	return bad(s, "an unterminated string");
}

static int
digits(struct scan *s)
{
	const char *b = s->p;
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > b ? 0 : bad(s, "a digit was expected");
}

static int
number(struct scan *s)
{
	if (*s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (digits(s) < 0)
		return -1;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (digits(s) < 0)
			return -1;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (digits(s) < 0)
			return -1;
	}
	return 0;
}

static int
word(struct scan *s, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
		return bad(s, "a JSON value was expected");
	s->p += n;
	return 0;
}

/* Note a top-level member: key is the raw string with its quotes. */
static void
member(struct scan *s, const char *key, size_t klen, const char *v, size_t vlen)
{
	if (klen == 4 && memcmp(key, "\"id\"", 4) == 0) {
		s->id = v;
		s->idlen = vlen;
	} else if (klen == 9 && memcmp(key, "\"jsonrpc\"", 9) == 0) {
		s->jsonrpc = v;
		s->jsonrpclen = vlen;
	} else if (klen == 8 && memcmp(key, "\"result\"", 8) == 0) {
		s->has_result++;
	} else if (klen == 7 && memcmp(key, "\"error\"", 7) == 0) {
		s->has_error++;
	}
}

static int
object(struct scan *s)
{
	int top = s->depth == 1;
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		ws(s);
		const char *key = s->p;
		if (string(s) < 0)
			return -1;
		size_t klen = (size_t)(s->p - key);
		ws(s);
		if (s->p >= s->end || *s->p != ':')
			return bad(s, "':' was expected after a key");
		s->p++;
		ws(s);
		const char *v = s->p;
		if (value(s) < 0)
			return -1;
		if (top)
			member(s, key, klen, v, (size_t)(s->p - v));
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return 0;
		}
		return bad(s, "',' or '}' was expected in an object");
	}
}

static int
array(struct scan *s)
{
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		ws(s);
		if (value(s) < 0)
			return -1;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return 0;
		}
		return bad(s, "',' or ']' was expected in an array");
	}
}

static int
value(struct scan *s)
{
	if (s->p >= s->end)
		return bad(s, "the line ends inside a value");
	if (++s->depth > MAX_DEPTH)
		return bad(s, "nested too deeply");
	int rc;
	switch (*s->p) {
	case '{': rc = object(s); break;
	case '[': rc = array(s); break;
	case '"': rc = string(s); break;
	case 't': rc = word(s, "true"); break;
	case 'f': rc = word(s, "false"); break;
	case 'n': rc = word(s, "null"); break;
	default:
		rc = (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
		             ? number(s)
		             : bad(s, "a JSON value was expected");
	}
	s->depth--;
	return rc;
}

/* Scan one line as a JSON object. Returns 0, or -1 with s->why. */
static int
scan_line(struct scan *s, const char *line, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->p = line;
	s->end = line + len;
	ws(s);
	if (s->p >= s->end || *s->p != '{')
		return bad(s, "the line is not a JSON object");
	if (value(s) < 0)
		return -1;
	ws(s);
	if (s->p != s->end)
		return bad(s, "text after the JSON object");
	return 0;
}

/* Fail unless line is a JSON-RPC result for the request's id. */
static void
check_reply(const struct conn *c, const char *line, size_t len)
{
	struct scan s;
	const char *why = NULL;
	if (scan_line(&s, line, len) < 0)
		why = s.why;
	else if (s.has_error)
		why = "it is an error, not a result";
	else if (s.has_result != 1)
		why = "it has no \"result\"";
	else if (s.jsonrpc == NULL || s.jsonrpclen != 5 || memcmp(s.jsonrpc, "\"2.0\"", 5) != 0)
		why = "\"jsonrpc\" is not \"2.0\"";
	else if (s.id == NULL || s.idlen != req_idlen || memcmp(s.id, req_id, req_idlen) != 0)
		why = "its \"id\" is not the request's";
	if (why)
		die("connection %d, reply %llu: %s: %.*s%s", c->fd,
		    (unsigned long long)c->nreplies + 1, why, (int)(len > 300 ? 300 : len), line,
		    len > 300 ? "..." : "");
}

static void
record(uint64_t ns)
{
	if (nlat == caplat) {
		caplat = caplat ? caplat * 2 : 1 << 16;
		lat = xrealloc(lat, caplat * sizeof(*lat));
	}
	lat[nlat++] = ns;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static double
pct(double p)
{
	size_t i = (size_t)(p / 100.0 * (double)nlat);
	if (i >= nlat)
		i = nlat - 1;
	return (double)lat[i] / 1e6;
}

static void
watch(int ep, struct conn *c, uint32_t events, int op)
{
	struct epoll_event e = { .events = events, .data.ptr = c };
	if (epoll_ctl(ep, op, c->fd, &e) < 0)
		die("epoll_ctl: %s", strerror(errno));
}

/* Write what is left of the request; wait for EPOLLOUT when the socket
 * is full. */
static void
send_req(int ep, struct conn *c)
{
	if (c->sent == 0) {
		c->t0 = now_ns();
		c->waiting = 1;
	}
	while (c->sent < reqlen) {
		ssize_t n = send(c->fd, req + c->sent, reqlen - c->sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			watch(ep, c, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
			return;
		}
		if (n < 0)
			die("connection %d: cannot send: %s", c->fd, strerror(errno));
		c->sent += (size_t)n;
	}
}

static int
connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sun.sun_path))
		die("socket path %s is too long", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		die("cannot connect to %s: %s", path, strerror(errno));
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		die("fcntl: %s", strerror(errno));
	return fd;
}

static void
usage(void)
{
	fputs("usage: loadgen -s SOCKET [-c CONNECTIONS] [-t SECONDS | -n REQUESTS] [-r LINE]\n"
	      "  -c  connections, each with one request outstanding (default 50)\n"
	      "  -t  run for this many seconds (default 3)\n"
	      "  -n  or send this many requests in all\n"
	      "  -r  the request line, a JSON-RPC request with an id\n"
	      "      (default {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"})\n",
	      stderr);
	exit(2);
}

static long
num(const char *s, long max)
{
	char *e;
	errno = 0;
	long v = strtol(s, &e, 10);
	if (errno || *e || v < 1 || v > max)
		usage();
	return v;
}

/* What the run has left to do. */
struct run {
	uint64_t left;        /* requests still to send */
	uint64_t outstanding; /* sent, their reply not complete */
	uint64_t done;        /* replies */
	int stop;             /* the time is up: send no more */
};

/* Read what c has; handle every complete line. Returns 1 when a reply
 * completed. */
static int
on_readable(int ep, struct conn *c, struct run *run)
{
	int got = 0;
	for (;;) {
		if (c->cap - c->len < 65536) {
			c->cap = c->cap ? c->cap * 2 : 1 << 17;
			c->in = xrealloc(c->in, c->cap);
		}
		size_t room = c->cap - c->len;
		ssize_t n = recv(c->fd, c->in + c->len, room, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			die("connection %d: cannot read: %s", c->fd, strerror(errno));
		if (n == 0)
			die("connection %d: the daemon closed it after %llu replies", c->fd,
			    (unsigned long long)c->nreplies);
		size_t from = c->len;
		c->len += (size_t)n;
		char *nl;
		while ((nl = memchr(c->in + from, '\n', c->len - from)) != NULL) {
			size_t ll = (size_t)(nl - c->in);
			if (!c->waiting)
				die("connection %d: a line came with no request outstanding: %.*s",
				    c->fd, (int)(ll > 300 ? 300 : ll), c->in);
			record(now_ns() - c->t0);
			check_reply(c, c->in, ll);
			c->nreplies++;
			c->waiting = 0;
			run->outstanding--;
			run->done++;
			got = 1;
			memmove(c->in, nl + 1, c->len - ll - 1);
			c->len -= ll + 1;
			from = 0;
			if (!run->stop && run->left > 0) {
				run->left--;
				run->outstanding++;
				c->sent = 0;
				send_req(ep, c);
			}
		}
		if (c->len > MAX_LINE)
			die("connection %d: a reply longer than %u bytes", c->fd, MAX_LINE);
		if ((size_t)n < room)
			break; /* the socket is drained: back to epoll */
	}
	return got;
}

int
main(int argc, char **argv)
{
	const char *sock = NULL;
	const char *line = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"}";
	long nconn = 50, seconds = 3, total = 0;
	int opt;
	while ((opt = getopt(argc, argv, "s:c:t:n:r:")) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'c': nconn = num(optarg, 100000); break;
		case 't': seconds = num(optarg, 86400); break;
		case 'n': total = num(optarg, LONG_MAX); break;
		case 'r': line = optarg; break;
		default: usage();
		}
	}
	if (sock == NULL || optind != argc)
		usage();
	if (strchr(line, '\n'))
		die("the request must be one line");
	struct scan s;
	if (scan_line(&s, line, strlen(line)) < 0)
		die("the request is not a JSON object: %s", s.why);
	if (s.id == NULL || s.idlen == 4)
		die("the request needs an \"id\" (not null): without one the daemon does not "
		    "reply");
	req_id = s.id;
	req_idlen = s.idlen;
	size_t ll = strlen(line);
	char *r = xrealloc(NULL, ll + 2);
	memcpy(r, line, ll);
	r[ll] = '\n';
	r[ll + 1] = '\0';
	req = r;
	reqlen = ll + 1;

	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1: %s", strerror(errno));
	struct conn *conns = calloc((size_t)nconn, sizeof(*conns));
	if (conns == NULL)
		die("out of memory");
	for (long i = 0; i < nconn; i++) {
		conns[i].fd = connect_to(sock);
		watch(ep, &conns[i], EPOLLIN, EPOLL_CTL_ADD);
	}

	struct run run = { .left = total ? (uint64_t)total : UINT64_MAX };
	uint64_t start = now_ns(), end = start + (uint64_t)seconds * 1000000000u;
	uint64_t last = start;
	for (long i = 0; i < nconn && run.left > 0; i++) {
		run.left--;
		run.outstanding++;
		send_req(ep, &conns[i]);
	}
	struct epoll_event evs[256];
	while (run.outstanding > 0) {
		int n = epoll_wait(ep, evs, 256, 1000);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("epoll_wait: %s", strerror(errno));
		uint64_t t = now_ns();
		if (!total && t >= end)
			run.stop = 1;
		if (n == 0 && t - last > (uint64_t)STALL_MS * 1000000u)
			die("no reply for %d s (%llu requests outstanding)", STALL_MS / 1000,
			    (unsigned long long)run.outstanding);
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if ((evs[i].events & EPOLLOUT) && c->waiting && c->sent < reqlen) {
				watch(ep, c, EPOLLIN, EPOLL_CTL_MOD);
				send_req(ep, c);
			}
			if ((evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) &&
			    on_readable(ep, c, &run))
				last = now_ns();
		}
	}
	double secs = (double)(last - start) / 1e9;
	qsort(lat, nlat, sizeof(*lat), cmp_u64);
	printf("requests: %llu in %.3f s over %ld connections, one request outstanding on each\n",
	       (unsigned long long)run.done, secs, nconn);
	printf("requests/s: %.0f\n", secs > 0 ? (double)run.done / secs : 0.0);
	if (nlat)
		printf("latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n", pct(50),
		       pct(90), pct(99), pct(99.9), (double)lat[nlat - 1] / 1e6);
	for (long i = 0; i < nconn; i++) {
		close(conns[i].fd);
		free(conns[i].in);
	}
	free(conns);
	free(lat);
	free(r);
	close(ep);
	return 0;
}
