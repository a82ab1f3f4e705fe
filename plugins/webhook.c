/* webhook.c - HTTP POST of events, with retries and backoff.
 *
 * Events are posted one at a time, in order, as the JSON event object
 * (Content-Type: application/json). A 2xx answer delivers an event; a
 * connection failure, a timeout, 408, 429 or 5xx is retried after a delay
 * that doubles from backoff_initial to backoff_max, for as long as it
 * takes: nothing is lost while fewer than `queue` events wait. When the
 * queue is full the oldest waiting event is dropped (counted and logged).
 * Any other answer (400, 404, ...) rejects the event: it is logged and
 * skipped, since sending it again would fail again. Each request carries
 * Idempotency-Key: repo:cursor:event[:key], so that a receiver can drop
 * the duplicates that retries after a timeout may cause. Each request
 * goes over a connection of its own (Connection: close), so that a
 * receiver that closes after every answer, as HTTP/1.0 ones do, is never
 * sent a request on a connection it has closed.
 * Configuration:
 *   url              http://host[:port]/path or https://... (required)
 *   ca_file          PEM file of the certificate authorities to trust for
 *                    https (default: the system's)
 *   verify           check the server's certificate and name (default
 *                    true; false only for testing)
 *   secret           HMAC-SHA256 key: each request then carries
 *                    X-Ismsd-Timestamp (Unix seconds) and X-Ismsd-Signature
 *                    "sha256=" + hex HMAC of "<timestamp>.<body>"
 *   timeout          seconds for one request (default 10)
 *   backoff_initial  seconds before the first retry (default 1)
 *   backoff_max      longest delay between retries (default 300)
 *   queue            events held (default 1000)
 *   headers          object of extra headers (for example Authorization)
 *   events           event names to post (default: all)
 * Every request carries Content-Length, over http and https alike.
 * The host name is resolved on the plugin's thread (it may block there,
 * never the daemon). */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <ismsd/plugin.h>

struct item {
	char *body, *key, *what;
};

struct wh {
	const struct ismsd_host *h;
	struct evhttp_uri *uri;
	char *target, *hostport;
	struct evhttp_connection *conn;
	struct event *retry;
	struct event *kick; /* send the next event, outside the last one's callback */
	char *host, *secret;
	int port, verify;
	SSL_CTX *tls; /* https: the client context; NULL for http */
	json_t *headers;
	double timeout, b_init, b_max, backoff;
	struct item *q;
	size_t qlen, qmax;
	uint32_t mask;
	int inflight, closing, failing;
	int64_t delivered, attempts_failed, dropped, rejected;
};

static void send_head(struct wh *w);

static void
stats(struct wh *w)
{
	w->h->stat(w->h, "delivered", w->delivered);
	w->h->stat(w->h, "failed_attempts", w->attempts_failed);
	w->h->stat(w->h, "dropped", w->dropped);
	w->h->stat(w->h, "rejected", w->rejected);
	w->h->stat(w->h, "queued", (int64_t)w->qlen);
}

static void
item_free(struct item *it)
{
	free(it->body);
	free(it->key);
	free(it->what);
}

/* Remove item i from the queue. */
static void
remove_at(struct wh *w, size_t i)
{
	item_free(&w->q[i]);
	memmove(&w->q[i], &w->q[i + 1], (w->qlen - i - 1) * sizeof(*w->q));
	w->qlen--;
}

static struct timeval
tv_of(double s)
{
	struct timeval tv = { (time_t)s, (suseconds_t)((s - (double)(time_t)s) * 1e6) };
	return tv;
}

/* Count a failed attempt and try again after the backoff. */
static void
failed(struct wh *w, int code, const char *why)
{
	w->attempts_failed++;
	if (!w->failing++)
		w->h->log(w->h, ISMSD_LOG_WARN,
		          "cannot deliver %s to %s: %s%s; "
		          "retrying with backoff",
		          w->q[0].what, w->hostport, code ? "answer " : "",
		          code ? why : "no answer");
	struct timeval tv = tv_of(w->backoff);
	evtimer_add(w->retry, &tv);
	w->backoff *= 2;
	if (w->backoff > w->b_max)
		w->backoff = w->b_max;
	stats(w);
}

static void
on_done(struct evhttp_request *req, void *arg)
{
	struct wh *w = arg;
	if (w->closing || !w->inflight)
		return;
	w->inflight = 0;
	int code = req ? evhttp_request_get_response_code(req) : 0;
	char why[16];
	snprintf(why, sizeof(why), "%d", code);
	if (code >= 200 && code < 300) {
		if (w->failing)
			w->h->log(w->h, ISMSD_LOG_INFO,
			          "%s delivered after %d failed "
			          "attempt%s",
			          w->q[0].what, w->failing, w->failing == 1 ? "" : "s");
		remove_at(w, 0);
		w->delivered++;
		w->failing = 0;
		w->backoff = w->b_init;
		stats(w);
		event_active(w->kick, EV_TIMEOUT, 0);
	} else if (code == 0 || code == 408 || code == 429 || code >= 500) {
		failed(w, code, why);
	} else {
		w->h->log(w->h, ISMSD_LOG_WARN,
		          "%s rejected by %s with answer %d; "
		          "skipped",
		          w->q[0].what, w->hostport, code);
		remove_at(w, 0);
		w->rejected++;
		w->failing = 0;
		stats(w);
		event_active(w->kick, EV_TIMEOUT, 0);
	}
}

static void
on_kick(evutil_socket_t fd, short what, void *arg)
{
	send_head(arg);
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	send_head(arg);
}

/* A new connection for one request: over TLS for https, checking the
 * server's certificate and name unless verify is off. */
static int
connect_(struct wh *w)
{
	struct event_base *base = w->h->base(w->h);
	struct bufferevent *bev = NULL;
	if (w->conn)
		evhttp_connection_free(w->conn);
	w->conn = NULL;
	if (w->tls) {
		SSL *ssl = SSL_new(w->tls);
		if (ssl == NULL)
			return -1;
		SSL_set_tlsext_host_name(ssl, w->host);
		if (w->verify)
			SSL_set1_host(ssl, w->host);
		bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
		                                     BEV_OPT_CLOSE_ON_FREE |
		                                             BEV_OPT_DEFER_CALLBACKS);
		if (bev == NULL) {
			SSL_free(ssl);
			return -1;
		}
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	}
	w->conn = evhttp_connection_base_bufferevent_new(base, NULL, bev, w->host,
	                                                 (unsigned short)w->port);
	if (w->conn == NULL)
		return -1;
	struct timeval tv = tv_of(w->timeout);
	evhttp_connection_set_timeout_tv(w->conn, &tv);
	evhttp_connection_set_retries(w->conn, 0);
	return 0;
}

/* Sign body: X-Ismsd-Timestamp and X-Ismsd-Signature (see the top). */
static void
sign(struct wh *w, struct evkeyvalq *hd, const char *body)
{
	char ts[24], sig[7 + 2 * EVP_MAX_MD_SIZE + 1] = "sha256=";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int ml = 0;
	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	char *msg = NULL;
	if (asprintf(&msg, "%s.%s", ts, body) < 0)
		return;
	HMAC(EVP_sha256(), w->secret, (int)strlen(w->secret), (const unsigned char *)msg,
	     strlen(msg), mac, &ml);
	free(msg);
	for (unsigned int i = 0; i < ml; i++)
		snprintf(sig + 7 + 2 * (size_t)i, 3, "%02x", mac[i]);
	evhttp_add_header(hd, "X-Ismsd-Timestamp", ts);
	evhttp_add_header(hd, "X-Ismsd-Signature", sig);
}

/* Post the oldest event unless a request or a retry is pending. */
static void
send_head(struct wh *w)
{
	if (w->inflight || w->qlen == 0 || evtimer_pending(w->retry, NULL))
		return;
	if (connect_(w) < 0) {
		w->h->log(w->h, ISMSD_LOG_ERR, "cannot set up a connection to %s", w->hostport);
		failed(w, 0, "");
		return;
	}
	struct evhttp_request *req = evhttp_request_new(on_done, w);
	if (req == NULL) {
		failed(w, 0, "");
		return;
	}
	struct evkeyvalq *hd = evhttp_request_get_output_headers(req);
	evhttp_add_header(hd, "Host", w->hostport);
	evhttp_add_header(hd, "Content-Type", "application/json");
	evhttp_add_header(hd, "User-Agent", "ismsd-webhook/1.0");
	evhttp_add_header(hd, "Idempotency-Key", w->q[0].key);
	evhttp_add_header(hd, "Connection", "close");
	if (w->secret)
		sign(w, hd, w->q[0].body);
	const char *k;
	json_t *v;
	json_object_foreach (w->headers, k, v)
		evhttp_add_header(hd, k, json_string_value(v));
	size_t len = strlen(w->q[0].body);
	char cl[24];
	snprintf(cl, sizeof(cl), "%zu", len);
	evhttp_add_header(hd, "Content-Length", cl);
	evbuffer_add(evhttp_request_get_output_buffer(req), w->q[0].body, len);
	w->inflight = 1;
	if (evhttp_make_request(w->conn, req, EVHTTP_REQ_POST, w->target) < 0 && w->inflight) {
		/* Failed before any callback ran. */
		w->inflight = 0;
		failed(w, 0, "");
	}
}

/* The Idempotency-Key: repo:cursor:event[:key]. */
static char *
idem_key(const struct ismsd_event *ev)
{
	json_t *d = json_loads(ev->payload, 0, NULL);
	const char *k = json_string_value(json_object_get(d, "key"));
	char *s = NULL;
	if (asprintf(&s, "%s:%llu:%s%s%s", ev->repo, (unsigned long long)ev->cursor,
	             ismsd_event_name(ev->kind), k ? ":" : "", k ? k : "") < 0)
		s = NULL;
	json_decref(d);
	for (char *p = s; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '_';
	return s;
}

static void
on_event(void *state, const struct ismsd_event *ev)
{
	struct wh *w = state;
	if (!(w->mask & (1u << ev->kind)))
		return;
	if (w->qlen == w->qmax) {
		/* Drop the oldest event that is not being sent. */
		size_t i = w->inflight ? 1 : 0;
		if (i >= w->qlen)
			return;
		w->h->log(w->h, ISMSD_LOG_WARN,
		          "%zu events wait for %s; dropped "
		          "the oldest, %s",
		          w->qmax, w->hostport, w->q[i].what);
		remove_at(w, i);
		w->dropped++;
	}
	struct item it = { strdup(ev->json), idem_key(ev), NULL };
	if (asprintf(&it.what, "%s %s@%llu", ismsd_event_name(ev->kind), ev->repo,
	             (unsigned long long)ev->cursor) < 0)
		it.what = NULL;
	if (!it.body || !it.key || !it.what) {
		item_free(&it);
		return;
	}
	w->q[w->qlen++] = it;
	stats(w);
	send_head(w);
}

static void
wh_free(struct wh *w)
{
	w->closing = 1;
	if (w->conn)
		evhttp_connection_free(w->conn);
	if (w->retry)
		event_free(w->retry);
	if (w->kick)
		event_free(w->kick);
	if (w->tls)
		SSL_CTX_free(w->tls);
	free(w->host);
	free(w->secret);
	if (w->uri)
		evhttp_uri_free(w->uri);
	for (size_t i = 0; i < w->qlen; i++)
		item_free(&w->q[i]);
	free(w->q);
	free(w->target);
	free(w->hostport);
	json_decref(w->headers);
	free(w);
}

static int
num(const struct ismsd_host *h, json_t *cfg, const char *key, double def, double lo, double hi,
    double *out)
{
	json_t *v = json_object_get(cfg, key);
	*out = v ? json_number_value(v) : def;
	if (v && (!json_is_number(v) || *out < lo || *out > hi)) {
		h->log(h, ISMSD_LOG_ERR, "\"%s\" must be a number from %g to %g", key, lo, hi);
		return -1;
	}
	return 0;
}

/* url: http or https, a host; target is path?query. For https, the TLS
 * context with ca_file (or the system's authorities). */
static int
parse_url(struct wh *w, const char *url, const char *ca_file)
{
	const struct ismsd_host *h = w->h;
	w->uri = url ? evhttp_uri_parse(url) : NULL;
	const char *scheme = w->uri ? evhttp_uri_get_scheme(w->uri) : NULL;
	const char *host = w->uri ? evhttp_uri_get_host(w->uri) : NULL;
	if (w->uri == NULL || scheme == NULL || host == NULL || *host == '\0') {
		h->log(h, ISMSD_LOG_ERR, "\"url\" must be an http:// or https:// URL with a host");
		return -1;
	}
	int https = strcmp(scheme, "https") == 0;
	if (!https && strcmp(scheme, "http") != 0) {
		h->log(h, ISMSD_LOG_ERR, "\"url\" uses %s: only http and https are supported",
		       scheme);
		return -1;
	}
	if (ca_file && !https) {
		h->log(h, ISMSD_LOG_ERR, "\"ca_file\" is for an https url");
		return -1;
	}
	int port = evhttp_uri_get_port(w->uri);
	const char *path = evhttp_uri_get_path(w->uri);
	const char *query = evhttp_uri_get_query(w->uri);
	if (port < 0)
		port = https ? 443 : 80;
	w->port = port;
	w->host = strdup(host);
	if (w->host == NULL ||
	    asprintf(&w->target, "%s%s%s", path && *path ? path : "/", query ? "?" : "",
	             query ? query : "") < 0 ||
	    asprintf(&w->hostport, "%s:%d", host, port) < 0) {
		w->target = w->hostport = NULL;
		return -1;
	}
	if (!https)
		return 0;
	w->tls = SSL_CTX_new(TLS_client_method());
	if (w->tls == NULL)
		return -1;
	SSL_CTX_set_verify(w->tls, w->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	if (ca_file ? SSL_CTX_load_verify_locations(w->tls, ca_file, NULL) != 1
	            : SSL_CTX_set_default_verify_paths(w->tls) != 1) {
		h->log(h, ISMSD_LOG_ERR, "cannot read the certificate authorities%s%s",
		       ca_file ? " in " : "", ca_file ? ca_file : "");
		return -1;
	}
	return 0;
}

/* headers: an object of strings without line breaks; not those that
 * frame the body, which the plugin sets. */
static int
parse_headers(struct wh *w, json_t *v)
{
	const char *k;
	json_t *x;
	w->headers = v ? json_incref(v) : json_object();
	if (!json_is_object(w->headers))
		goto bad;
	json_object_foreach (w->headers, k, x) {
		if (!json_is_string(x) || strpbrk(k, "\r\n: ") || *k == '\0' ||
		    strpbrk(json_string_value(x), "\r\n"))
			goto bad;
		if (strcasecmp(k, "Content-Length") == 0 ||
		    strcasecmp(k, "Transfer-Encoding") == 0) {
			w->h->log(w->h, ISMSD_LOG_ERR,
			          "\"headers\" cannot set %s: the plugin sends the "
			          "body's length itself",
			          k);
			return -1;
		}
	}
	return 0;
bad:
	w->h->log(w->h, ISMSD_LOG_ERR,
	          "\"headers\" must map header names to "
	          "one-line strings");
	return -1;
}

static int
events(json_t *v, uint32_t *mask)
{
	size_t i;
	json_t *e;
	*mask = v ? 0 : ~0u;
	if (v && !json_is_array(v))
		return -1;
	json_array_foreach (v, i, e) {
		uint32_t k = ismsd_event_kind(json_string_value(e));
		if (k == 0)
			return -1;
		*mask |= 1u << k;
	}
	return 0;
}

static int
init(const struct ismsd_host *h, const char *config, void **state)
{
	json_t *cfg = json_loads(config, 0, NULL);
	struct wh *w = calloc(1, sizeof(*w));
	double qm;
	if (cfg == NULL || w == NULL)
		goto fail;
	w->h = h;
	if (num(h, cfg, "timeout", 10, 0.001, 3600, &w->timeout) < 0 ||
	    num(h, cfg, "backoff_initial", 1, 0.001, 3600, &w->b_init) < 0 ||
	    num(h, cfg, "backoff_max", 300, 0.001, 86400, &w->b_max) < 0 ||
	    num(h, cfg, "queue", 1000, 1, 1 << 20, &qm) < 0)
		goto fail;
	if (events(json_object_get(cfg, "events"), &w->mask) < 0) {
		h->log(h, ISMSD_LOG_ERR, "\"events\" must list event names");
		goto fail;
	}
	json_t *ver = json_object_get(cfg, "verify"), *sec = json_object_get(cfg, "secret");
	json_t *ca = json_object_get(cfg, "ca_file");
	if ((ver && !json_is_boolean(ver)) || (ca && !json_is_string(ca)) ||
	    (sec && (!json_is_string(sec) || json_string_length(sec) == 0))) {
		h->log(h, ISMSD_LOG_ERR,
		       "\"verify\" must be true or false, \"ca_file\" a path and "
		       "\"secret\" a non-empty string");
		goto fail;
	}
	w->verify = ver == NULL || json_is_true(ver);
	if (sec && (w->secret = strdup(json_string_value(sec))) == NULL)
		goto fail;
	if (parse_headers(w, json_object_get(cfg, "headers")) < 0 ||
	    parse_url(w, json_string_value(json_object_get(cfg, "url")), json_string_value(ca)) < 0)
		goto fail;
	w->backoff = w->b_init;
	w->qmax = (size_t)qm;
	w->q = calloc(w->qmax, sizeof(*w->q));
	w->retry = evtimer_new(h->base(h), on_retry, w);
	w->kick = event_new(h->base(h), -1, 0, on_kick, w);
	if (w->q == NULL || w->retry == NULL || w->kick == NULL)
		goto fail;
	json_decref(cfg);
	stats(w);
	*state = w;
	return 0;
fail:
	json_decref(cfg);
	if (w)
		wh_free(w);
	return -1;
}

static void
shutdown_(void *state)
{
	struct wh *w = state;
	if (w->qlen)
		w->h->log(w->h, ISMSD_LOG_WARN,
		          "%zu event%s not delivered to %s "
		          "at shutdown",
		          w->qlen, w->qlen == 1 ? "" : "s", w->hostport);
	wh_free(w);
}

const struct ismsd_plugin ismsd_plugin = {
	.abi_version = ISMSD_PLUGIN_ABI_VERSION,
	.name = "webhook",
	.version = "1.0.0",
	.description = "HTTP(S) POST of events, signed, with retries and backoff",
	.init = init,
	.on_event = on_event,
	.shutdown = shutdown_,
};
