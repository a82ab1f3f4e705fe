/* prometheus.c - metrics over HTTP in the Prometheus text format 0.0.4.
 *
 * Fed by events, served from the plugin's own thread by libevent's HTTP
 * server, so a scrape never touches the daemon's loop. Per repository:
 * rules by verdict, per clause (4 .. 10) and per Annex A theme the rules
 * by verdict and the conformance ratio (pass / (pass + fail + warn +
 * error)), evaluation durations (a histogram), evaluations, the times of
 * the last evaluation and the last commit, the history cursor, findings
 * raised and resolved, reminders fired and reminders due. Durations come
 * from evaluation-finished (duration_seconds) or commit-seen (eval_ms).
 * Configuration:
 *   listen  address:port to serve on (default 127.0.0.1:9464; port 0
 *           picks a free port, shown as the stat "port")
 *   path    the metrics path (default /metrics) */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ismsd/plugin.h>

static const double buckets[] = { 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300 };
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))
#define STATUSES 6
static const char *const statuses[STATUSES] = {
	"pass", "fail", "warn", "not_applicable", "waived", "error",
};

struct prom {
	const struct ismsd_host *h;
	struct evhttp *http;
	char *path;
	json_t *repos; /* name -> state object */
	int64_t scrapes;
};

/* The state object of repo, created empty. */
static json_t *
repo_state(struct prom *m, const char *repo)
{
	json_t *r = json_object_get(m->repos, repo);
	if (r == NULL) {
		r = json_pack("{s:{}, s:{}, s:{}, s:[], s:f, s:I, s:{}, s:I, s:I, s:I}", "counts",
		              "clauses", "themes", "buckets", "duration_sum", 0.0, "evaluations",
		              (json_int_t)0, "raised", "resolved", (json_int_t)0, "reminders_fired",
		              (json_int_t)0, "reminders_due", (json_int_t)0);
		for (size_t i = 0; i < NBUCKETS; i++)
			json_array_append_new(json_object_get(r, "buckets"), json_integer(0));
		json_object_set_new(m->repos, repo, r);
	}
	return r;
}

static void
add_int(json_t *o, const char *k, json_int_t d)
{
	json_object_set_new(o, k, json_integer(json_integer_value(json_object_get(o, k)) + d));
}

/* Count one evaluation of dur seconds in the histogram. */
static void
observe(json_t *r, double dur)
{
	if (dur < 0)
		dur = 0;
	json_t *b = json_object_get(r, "buckets");
	for (size_t i = 0; i < NBUCKETS; i++)
		if (dur <= buckets[i])
			json_array_set_new(
			        b, i, json_integer(json_integer_value(json_array_get(b, i)) + 1));
	json_object_set_new(r, "duration_sum",
	                    json_real(json_real_value(json_object_get(r, "duration_sum")) + dur));
	add_int(r, "evaluations", 1);
}

static void
evaluated(json_t *r, const struct ismsd_event *ev, json_t *d)
{
	json_t *v;
	if ((v = json_object_get(d, "counts")) && json_is_object(v))
		json_object_set(r, "counts", v);
	if ((v = json_object_get(d, "clauses")) && json_is_object(v))
		json_object_set(r, "clauses", v);
	if ((v = json_object_get(d, "themes")) && json_is_object(v))
		json_object_set(r, "themes", v);
	json_t *dv = json_object_get(d, "duration_seconds");
	if (json_is_number(dv))
		observe(r, json_number_value(dv));
	json_int_t t = json_integer_value(json_object_get(d, "time"));
	json_object_set_new(r, "last_evaluation", json_integer(t ? t : ev->time));
	json_int_t ct = json_integer_value(json_object_get(d, "commit_time"));
	if (ct > 0)
		json_object_set_new(r, "last_commit", json_integer(ct));
}

static void
on_event(void *state, const struct ismsd_event *ev)
{
	struct prom *m = state;
	json_t *d = json_loads(ev->payload, 0, NULL);
	if (d == NULL)
		return;
	json_t *r = repo_state(m, ev->repo);
	json_object_set_new(r, "cursor", json_integer((json_int_t)ev->cursor));
	switch (ev->kind) {
	case ISMSD_EV_EVALUATION_FINISHED: evaluated(r, ev, d); break;
	case ISMSD_EV_FINDING_RAISED: {
		const char *sev = json_string_value(json_object_get(d, "severity"));
		add_int(json_object_get(r, "raised"), sev ? sev : "unknown", 1);
		break;
	}
	case ISMSD_EV_FINDING_RESOLVED: add_int(r, "resolved", 1); break;
	case ISMSD_EV_REMINDER_DUE: {
		add_int(r, "reminders_fired", 1);
		json_t *o = json_object_get(d, "outstanding");
		if (json_is_integer(o))
			json_object_set(r, "reminders_due", o);
		else
			add_int(r, "reminders_due", 1);
		break;
	}
	case ISMSD_EV_COMMIT_SEEN: {
		/* The daemon's commit notification also says how long its
		 * evaluation took (eval_ms). */
		json_int_t t = json_integer_value(json_object_get(d, "time"));
		if (t == 0)
			t = json_integer_value(json_object_get(d, "commit_time"));
		json_object_set_new(r, "last_commit", json_integer(t ? t : ev->time));
		json_t *ms = json_object_get(d, "eval_ms");
		if (json_is_number(ms))
			observe(r, json_number_value(ms) / 1000.0);
		break;
	}
	default: break;
	}
	json_decref(d);
}

/* Append a label value, escaped as the text format wants. */
static void
add_label(struct evbuffer *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			evbuffer_add(b, "\\\\", 2);
		else if (*v == '"')
			evbuffer_add(b, "\\\"", 2);
		else if (*v == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add(b, v, 1);
	}
}

static void
family(struct evbuffer *b, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample: name{repo="..."[,k="v"]} value. */
static void
sample(struct evbuffer *b, const char *name, const char *repo, const char *k, const char *v,
       json_t *value)
{
	evbuffer_add_printf(b, "%s{repo=\"", name);
	add_label(b, repo);
	if (k) {
		evbuffer_add_printf(b, "\",%s=\"", k);
		add_label(b, v);
	}
	if (json_is_integer(value))
		evbuffer_add_printf(b, "\"} %lld\n", (long long)json_integer_value(value));
	else
		evbuffer_add_printf(b, "\"} %.17g\n", json_number_value(value));
}

/* A family with one sample per repository from the field key. */
static void
per_repo(struct prom *m, struct evbuffer *b, const char *name, const char *type, const char *help,
         const char *key)
{
	const char *repo;
	json_t *r;
	int any = 0;
	json_object_foreach (m->repos, repo, r) {
		json_t *v = json_object_get(r, key);
		if (!json_is_number(v))
			continue;
		if (!any++)
			family(b, name, type, help);
		sample(b, name, repo, NULL, NULL, v);
	}
}

/* Rules by verdict per group (clause or theme), and their conformance. */
static void
groups(struct prom *m, struct evbuffer *b, const char *field, const char *label)
{
	char rules[64], ratio[64], help[160];
	const char *repo, *g;
	json_t *r, *c;
	snprintf(rules, sizeof(rules), "ismsd_%s_rules", label);
	snprintf(ratio, sizeof(ratio), "ismsd_%s_conformance_ratio", label);
	snprintf(help, sizeof(help), "Rules by verdict per %s in the latest evaluation.", label);
	family(b, rules, "gauge", help);
	json_object_foreach (m->repos, repo, r) {
		json_object_foreach (json_object_get(r, field), g, c) {
			for (int s = 0; s < STATUSES; s++) {
				char lbl[256];
				evbuffer_add_printf(b, "%s{repo=\"", rules);
				add_label(b, repo);
				evbuffer_add_printf(b, "\",%s=\"", label);
				add_label(b, g);
				snprintf(lbl, sizeof(lbl), "\",status=\"%s\"} %lld\n", statuses[s],
				         (long long)json_integer_value(
				                 json_object_get(c, statuses[s])));
				evbuffer_add(b, lbl, strlen(lbl));
			}
		}
	}
	snprintf(help, sizeof(help),
	         "Share of passing rules per %s: pass / (pass + "
	         "fail + warn + error).",
	         label);
	family(b, ratio, "gauge", help);
	json_object_foreach (m->repos, repo, r) {
		json_object_foreach (json_object_get(r, field), g, c) {
			json_t *v = json_object_get(c, "conformance");
			if (json_is_number(v)) {
				evbuffer_add_printf(b, "%s{repo=\"", ratio);
				add_label(b, repo);
				evbuffer_add_printf(b, "\",%s=\"", label);
				add_label(b, g);
				evbuffer_add_printf(b, "\"} %.17g\n", json_number_value(v));
			}
		}
	}
}

static void
histogram(struct prom *m, struct evbuffer *b)
{
	const char *n = "ismsd_evaluation_duration_seconds", *repo;
	json_t *r;
	family(b, n, "histogram", "How long evaluations took.");
	json_object_foreach (m->repos, repo, r) {
		json_t *bk = json_object_get(r, "buckets");
		for (size_t i = 0; i <= NBUCKETS; i++) {
			evbuffer_add_printf(b, "%s_bucket{repo=\"", n);
			add_label(b, repo);
			if (i < NBUCKETS)
				evbuffer_add_printf(
				        b, "\",le=\"%g\"} %lld\n", buckets[i],
				        (long long)json_integer_value(json_array_get(bk, i)));
			else
				evbuffer_add_printf(b, "\",le=\"+Inf\"} %lld\n",
				                    (long long)json_integer_value(
				                            json_object_get(r, "evaluations")));
		}
		sample(b, "ismsd_evaluation_duration_seconds_sum", repo, NULL, NULL,
		       json_object_get(r, "duration_sum"));
		sample(b, "ismsd_evaluation_duration_seconds_count", repo, NULL, NULL,
		       json_object_get(r, "evaluations"));
	}
}

/* The whole exposition. */
static void
render(struct prom *m, struct evbuffer *b)
{
	const char *repo, *k;
	json_t *r, *v;
	family(b, "ismsd_rules", "gauge", "Rules by verdict in the latest evaluation.");
	json_object_foreach (m->repos, repo, r)
		for (int s = 0; s < STATUSES; s++) {
			json_t *c = json_object_get(json_object_get(r, "counts"), statuses[s]);
			json_t *zero = json_integer(0);
			sample(b, "ismsd_rules", repo, "status", statuses[s], c ? c : zero);
			json_decref(zero);
		}
	groups(m, b, "clauses", "clause");
	groups(m, b, "themes", "theme");
	histogram(m, b);
	per_repo(m, b, "ismsd_evaluations_total", "counter", "Evaluations finished.",
	         "evaluations");
	per_repo(m, b, "ismsd_last_evaluation_timestamp_seconds", "gauge",
	         "When the latest evaluation ran, Unix time.", "last_evaluation");
	per_repo(m, b, "ismsd_last_commit_timestamp_seconds", "gauge",
	         "Time of the latest commit seen, Unix time.", "last_commit");
	per_repo(m, b, "ismsd_history_cursor", "gauge",
	         "Position in the repository's history of the latest event.", "cursor");
	family(b, "ismsd_findings_raised_total", "counter", "Findings raised, by severity.");
	json_object_foreach (m->repos, repo, r)
		json_object_foreach (json_object_get(r, "raised"), k, v)
			sample(b, "ismsd_findings_raised_total", repo, "severity", k, v);
	per_repo(m, b, "ismsd_findings_resolved_total", "counter", "Findings resolved.",
	         "resolved");
	per_repo(m, b, "ismsd_reminders_fired_total", "counter", "Reminders that fell due.",
	         "reminders_fired");
	per_repo(m, b, "ismsd_reminders_due", "gauge", "Reminders due and not acknowledged.",
	         "reminders_due");
	evbuffer_add_printf(b,
	                    "# HELP ismsd_plugin_scrapes_total Scrapes served.\n"
	                    "# TYPE ismsd_plugin_scrapes_total counter\n"
	                    "ismsd_plugin_scrapes_total %lld\n",
	                    (long long)m->scrapes);
}

static void
serve(struct evhttp_request *req, void *arg)
{
	struct prom *m = arg;
	enum evhttp_cmd_type c = evhttp_request_get_command(req);
	if (c != EVHTTP_REQ_GET && c != EVHTTP_REQ_HEAD) {
		evhttp_send_error(req, 405, "use GET");
		return;
	}
	struct evbuffer *b = evbuffer_new();
	if (b == NULL) {
		evhttp_send_error(req, 500, "out of memory");
		return;
	}
	m->scrapes++;
	m->h->stat(m->h, "scrapes", m->scrapes);
	render(m, b);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	                  "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void
not_found(struct evhttp_request *req, void *arg)
{
	evhttp_send_error(req, 404, "metrics are elsewhere");
}

/* Split "host:port" (or "[v6]:port"); host is the caller's. */
static int
split_listen(const char *s, char **host, unsigned short *port)
{
	const char *colon = strrchr(s, ':');
	if (colon == NULL || colon == s)
		return -1;
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end || colon[1] == '\0' || p < 0 || p > 65535)
		return -1;
	const char *h = s;
	size_t n = (size_t)(colon - s);
	if (h[0] == '[' && n >= 2 && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	*host = strndup(h, n);
	*port = (unsigned short)p;
	return *host ? 0 : -1;
}

static int
bound_port(struct evhttp_bound_socket *bs)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);
	if (getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

static void
prom_free(struct prom *m)
{
	if (m->http)
		evhttp_free(m->http);
	json_decref(m->repos);
	free(m->path);
	free(m);
}

static int
init(const struct ismsd_host *h, const char *config, void **state)
{
	json_t *cfg = json_loads(config, 0, NULL);
	struct prom *m = calloc(1, sizeof(*m));
	char *host = NULL;
	unsigned short port;
	if (cfg == NULL || m == NULL)
		goto fail;
	m->h = h;
	m->repos = json_object();
	json_t *lv = json_object_get(cfg, "listen"), *pv = json_object_get(cfg, "path");
	const char *listen = lv ? json_string_value(lv) : "127.0.0.1:9464";
	const char *path = pv ? json_string_value(pv) : "/metrics";
	if (listen == NULL || split_listen(listen, &host, &port) < 0) {
		h->log(h, ISMSD_LOG_ERR,
		       "\"listen\" must be address:port, such as "
		       "127.0.0.1:9464");
		goto fail;
	}
	if (path == NULL || path[0] != '/') {
		h->log(h, ISMSD_LOG_ERR, "\"path\" must start with /");
		goto fail;
	}
	m->path = strdup(path);
	if (m->path == NULL)
		goto fail;
	if (h->version >= 2 && h->check_only) /* ismsd -t: the port may be the daemon's */
		goto done;
	m->http = evhttp_new(h->base(h));
	if (m->http == NULL)
		goto fail;
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_cb(m->http, m->path, serve, m);
	evhttp_set_gencb(m->http, not_found, m);
	struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(m->http, host, port);
	if (bs == NULL) {
		h->log(h, ISMSD_LOG_ERR, "cannot listen on %s: %s", listen, strerror(errno));
		goto fail;
	}
	h->stat(h, "port", bound_port(bs));
	h->log(h, ISMSD_LOG_INFO, "serving metrics on http://%s:%d%s", host, bound_port(bs),
	       m->path);
done:
	free(host);
	json_decref(cfg);
	*state = m;
	return 0;
fail:
	free(host);
	json_decref(cfg);
	if (m)
		prom_free(m);
	return -1;
}

static void
shutdown_(void *state)
{
	prom_free(state);
}

const struct ismsd_plugin ismsd_plugin = {
	.abi_version = ISMSD_PLUGIN_ABI_VERSION,
	.name = "prometheus",
	.version = "1.0.0",
	.description = "metrics over HTTP in the Prometheus text format",
	.init = init,
	.on_event = on_event,
	.shutdown = shutdown_,
};
