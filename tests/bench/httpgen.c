/* httpgen.c - a load generator for ismsd's HTTP API, one thread over
 * epoll, two modes:
 *
 *   httpgen -p PORT -k TOKEN [-c CONNECTIONS] [-t SECONDS] [-u PATH]
 *       keep-alive GET requests of PATH (default /api/status), one
 *       outstanding per connection (as loadgen does on the socket);
 *       prints requests per second and latency percentiles. Any reply but
 *       200 with a Content-Length ends the run with exit status 1.
 *   httpgen -p PORT -k TOKEN -e STREAMS [-t SECONDS]
 *       opens STREAMS event streams (GET /api/events), prints "ready"
 *       once every one has its hello, then waits until every stream has
 *       received one more event and prints how long the last one took
 *       after the first. Exit status 1 when one is missing after SECONDS.
 *
 * Bench only: built by `make bench` into BUILD/httpgen. Loopback only. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
	int fd;
	char *in;
	size_t len, cap;
	uint64_t t0;
	int events; /* event stream: events seen, hello included */
};

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "httpgen: %s%s%s\n", what, errno ? ": " : "", errno ? strerror(errno) : "");
	exit(1);
}

static int
dial(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void
put(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write");
		s += n;
		len -= (size_t)n;
	}
}

/* Read what fd has into c; 0 at EOF. */
static ssize_t
take(struct conn *c)
{
	if (c->cap - c->len < 65536) {
		c->cap = c->cap * 2 + 65536;
		c->in = realloc(c->in, c->cap);
		if (c->in == NULL)
			die("out of memory");
	}
	ssize_t n = read(c->fd, c->in + c->len, c->cap - c->len - 1);
	if (n > 0) {
		c->len += (size_t)n;
		c->in[c->len] = '\0';
	}
	return n;
}

static int
cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void
raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* A whole reply at the head of c: its length, 0 for not yet, -1 bad. */
static ssize_t
reply_len(const struct conn *c)
{
	const char *end = strstr(c->in, "\r\n\r\n");
	if (end == NULL)
		return 0;
	if (strncmp(c->in, "HTTP/1.1 200", 12) != 0)
		return -1;
	const char *cl = strcasestr(c->in, "\r\nContent-Length:");
	if (cl == NULL || cl > end)
		return -1;
	size_t body = strtoul(cl + 17, NULL, 10), head = (size_t)(end + 4 - c->in);
	return c->len >= head + body ? (ssize_t)(head + body) : 0;
}

static int
requests(int port, const char *token, int nconn, int secs, const char *path)
{
	char *req;
	if (asprintf(&req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n",
	             path, token) < 0)
		die("out of memory");
	size_t reqlen = strlen(req), nlat = 0, caplat = 1 << 20;
	uint64_t *lat = malloc(caplat * sizeof(*lat));
	struct conn *cs = calloc((size_t)nconn, sizeof(*cs));
	int ep = epoll_create1(0);
	for (int i = 0; i < nconn; i++) {
		cs[i].fd = dial(port);
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &cs[i] };
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
		cs[i].t0 = now_ns();
		put(cs[i].fd, req, reqlen);
	}
	uint64_t start = now_ns(), stop = start + (uint64_t)secs * 1000000000u;
	struct epoll_event evs[256];
	while (now_ns() < stop) {
		int n = epoll_wait(ep, evs, 256, 1000);
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (take(c) <= 0)
				die("the daemon closed a connection");
			ssize_t l;
			while ((l = reply_len(c)) > 0) {
				uint64_t t = now_ns();
				if (nlat == caplat && (lat = realloc(lat, (caplat *= 2) * sizeof(*lat))) == NULL)
					die("out of memory");
				lat[nlat++] = t - c->t0;
				memmove(c->in, c->in + l, c->len - (size_t)l + 1);
				c->len -= (size_t)l;
				c->t0 = t;
				put(c->fd, req, reqlen);
			}
			if (l < 0) {
				fprintf(stderr, "httpgen: unexpected reply: %.200s\n", c->in);
				return 1;
			}
		}
	}
	double el = (double)(now_ns() - start) / 1e9;
	qsort(lat, nlat, sizeof(*lat), cmp);
	printf("%zu requests in %.2f s: %.0f requests/s, p50 %.3f ms, p99 %.3f ms\n", nlat, el,
	       (double)nlat / el, nlat ? (double)lat[nlat / 2] / 1e6 : 0.0,
	       nlat ? (double)lat[nlat * 99 / 100] / 1e6 : 0.0);
	return nlat ? 0 : 1;
}

static int
streams(int port, const char *token, int n, int secs)
{
	char *req;
	if (asprintf(&req,
	             "GET /api/events?token=%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	             "Accept: text/event-stream\r\n\r\n",
	             token) < 0)
		die("out of memory");
	struct conn *cs = calloc((size_t)n, sizeof(*cs));
	int ep = epoll_create1(0), helloed = 0, got = 0;
	uint64_t first = 0, last = 0, t0 = now_ns();
	for (int i = 0; i < n; i++) {
		cs[i].fd = dial(port);
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &cs[i] };
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
		put(cs[i].fd, req, strlen(req));
	}
	struct epoll_event evs[256];
	uint64_t stop = now_ns() + (uint64_t)secs * 1000000000u;
	int said = 0;
	while (now_ns() < stop && got < n) {
		int k = epoll_wait(ep, evs, 256, 200);
		for (int i = 0; i < k; i++) {
			struct conn *c = evs[i].data.ptr;
			if (take(c) <= 0)
				die("the daemon closed an event stream");
			/* count the events ("\nid: ") seen so far */
			int e = 0;
			for (const char *p = c->in; (p = strstr(p, "\nid: ")) != NULL; p++)
				e++;
			if (c->events == 0 && e >= 1)
				helloed++;
			if (c->events < 2 && e >= 2) {
				uint64_t t = now_ns();
				if (got++ == 0)
					first = t;
				last = t;
			}
			c->events = e;
			if (c->len > (1u << 20)) { /* keep the tail only */
				memmove(c->in, c->in + c->len - 4096, 4097);
				c->len = 4096;
			}
		}
		if (!said && helloed == n) {
			printf("ready: %d streams open in %.0f ms\n", n, (double)(now_ns() - t0) / 1e6);
			fflush(stdout);
			said = 1;
		}
	}
	if (got < n) {
		printf("%d of %d streams received the event within %d s\n", got, n, secs);
		return 1;
	}
	printf("%d streams: every one received the event, the last %.1f ms after the first\n", n,
	       (double)(last - first) / 1e6);
	return 0;
}

int
main(int argc, char **argv)
{
	int port = 0, nconn = 50, secs = 3, nstreams = 0, o;
	const char *token = NULL, *path = "/api/status";
	while ((o = getopt(argc, argv, "p:k:c:t:u:e:")) != -1) {
		switch (o) {
		case 'p': port = atoi(optarg); break;
		case 'k': token = optarg; break;
		case 'c': nconn = atoi(optarg); break;
		case 't': secs = atoi(optarg); break;
		case 'u': path = optarg; break;
		case 'e': nstreams = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (port <= 0 || token == NULL || nconn <= 0 || secs <= 0 || nstreams < 0)
		goto usage;
	raise_nofile();
	return nstreams ? streams(port, token, nstreams, secs)
	                : requests(port, token, nconn, secs, path);
usage:
	fprintf(stderr, "usage: httpgen -p PORT -k TOKEN [-c CONNS] [-t SECS] [-u PATH]\n"
	                "       httpgen -p PORT -k TOKEN -e STREAMS [-t SECS]\n");
	return 2;
}
