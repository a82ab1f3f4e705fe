/* syslog.c - findings and reminders as structured syslog lines.
 *
 * Each event becomes one datagram on a local syslog socket, by default
 * in RFC 5424 form with the event's fields as structured data:
 *   <131>1 2026-03-01T09:00:00Z host ismsd 812 finding-raised
 *     [ismsd@32473 repo="isms" cursor="42" rule="5.2-policy-approved"
 *     severity="major" file="policies/is-policy.md" line="3"] finding
 *     raised: approved by p-cto, not top management
 * Configuration:
 *   socket    the syslog socket (default /dev/log; a datagram socket)
 *   facility  daemon (default), user, auth, authpriv, local0 .. local7
 *   app_name  APP-NAME (default ismsd)
 *   format    rfc5424 (default) or rfc3164 (key=value pairs after the
 *             message, for collectors that do not parse structured data)
 *   sd_id     the structured data id (default ismsd@32473; 32473 is the
 *             example enterprise number of RFC 5612: use your own)
 *   events    event names (default finding-raised, finding-resolved,
 *             reminder-due)
 * A message that cannot be sent at once (no syslog daemon, socket full)
 * is dropped and counted: the plugin never waits. */
#include <errno.h>
#include <jansson.h>
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

struct sl {
	const struct ismsd_host *h;
	char *path, *app, *sd_id, host[256];
	int facility, rfc3164, fd;
	uint32_t mask;
	int64_t sent, dropped;
	int warned;
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

/* Append a value, escaping what RFC 5424 (", \ and ]) or a key=value
 * reader needs escaped, and control characters as spaces. */
static void
add_value(struct line *l, const char *v)
{
	for (; *v && l->n < sizeof(l->s) - 3; v++) {
		unsigned char c = (unsigned char)*v;
		if (c == '"' || c == '\\' || c == ']')
			l->s[l->n++] = '\\';
		l->s[l->n++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	l->s[l->n] = '\0';
}

/* Append text with control characters as spaces: one line. */
static void
add_text(struct line *l, const char *v)
{
	for (; *v && l->n < sizeof(l->s) - 1; v++) {
		unsigned char c = (unsigned char)*v;
		l->s[l->n++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
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

static int
connect_log(struct sl *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (s->fd >= 0)
		return 0;
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->path);
	if (connect(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	return 0;
}

/* Send one line; reconnect once when the syslog daemon was restarted. */
static void
send_line(struct sl *s, const struct line *l)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		if (connect_log(s) == 0 &&
		    send(s->fd, l->s, l->n, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0) {
			s->sent++;
			s->warned = 0;
			return;
		}
		int e = errno;
		if (s->fd >= 0 && (e == EAGAIN || e == ENOBUFS))
			break;
		if (s->fd >= 0)
			close(s->fd);
		s->fd = -1;
	}
	s->dropped++;
	if (!s->warned++)
		s->h->log(s->h, ISMSD_LOG_WARN,
		          "cannot send to the syslog socket %s: "
		          "%s; dropping messages until it works",
		          s->path, strerror(errno));
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
		send_line(s, l);
	}
	free(l);
	json_decref(data);
	s->h->stat(s->h, "sent", s->sent);
	s->h->stat(s->h, "dropped", s->dropped);
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

static void
sl_free(struct sl *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
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

static int
init(const struct ismsd_host *h, const char *config, void **state)
{
	json_t *cfg = json_loads(config, 0, NULL);
	struct sl *s = calloc(1, sizeof(*s));
	if (cfg == NULL || s == NULL)
		goto fail;
	s->h = h;
	s->fd = -1;
	const char *path = opt_str(cfg, "socket", "/dev/log");
	const char *fac = opt_str(cfg, "facility", "daemon");
	const char *app = opt_str(cfg, "app_name", "ismsd");
	const char *fmt = opt_str(cfg, "format", "rfc5424");
	const char *sd = opt_str(cfg, "sd_id", "ismsd@32473");
	if (path == NULL || *path == '\0' ||
	    strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		h->log(h, ISMSD_LOG_ERR, "\"socket\" must be the path of a syslog socket");
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
	s->rfc3164 = strcmp(fmt, "rfc3164") == 0;
	s->path = strdup(path);
	s->app = strdup(app);
	s->sd_id = strdup(sd);
	if (gethostname(s->host, sizeof(s->host) - 1) < 0 || s->host[0] == '\0')
		strcpy(s->host, "-");
	for (char *p = s->host; *p; p++)
		if (*p <= ' ' || *p >= 127)
			*p = '_';
	if (!s->path || !s->app || !s->sd_id)
		goto fail;
	json_decref(cfg);
	*state = s;
	return 0;
fail:
	json_decref(cfg);
	if (s)
		sl_free(s);
	return -1;
}

static void
shutdown_(void *state)
{
	sl_free(state);
}

const struct ismsd_plugin ismsd_plugin = {
	.abi_version = ISMSD_PLUGIN_ABI_VERSION,
	.name = "syslog",
	.version = "1.0.0",
	.description = "findings and reminders as structured syslog lines",
	.init = init,
	.on_event = on_event,
	.shutdown = shutdown_,
};
