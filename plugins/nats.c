/* nats.c - every event to NATS JetStream, and the member's health.
 *
 * Each event is published to the subject PREFIX.<repo>.<event> (a '.' in
 * the repository name becomes '_'; <event> is the event name, such as
 * finding-raised) with a Nats-Msg-Id made from the repository, the
 * journal cursor and the event (plus the commit, and a finding's key or a
 * reminder's id and sequence), so that JetStream drops a message published
 * twice within the stream's duplicate window: after a restart, after a
 * retry whose acknowledgement was lost, or when a member of a fleet
 * publishes again what its predecessor had.
 *
 * Delivery. Events are published in order, each acknowledged by the
 * server before the next. One that is not (no connection, a timeout) stays
 * pending, with those after it, and is retried every second; pending
 * events are also written to the spool file (when configured), so that
 * the next start publishes what a stop or kill left undelivered.
 *
 * A rebuilt member. A daemon started with an empty state directory
 * publishes its first evaluation of each repository in full. When the
 * stream's last commit-seen of that repository names the same commit, the
 * group (evaluation-finished, its findings, commit-seen) was published
 * already and is left out.
 *
 * Health. Every health_interval seconds the daemon's status (read from its
 * socket, $ISMS_SOCKET) is published on PREFIX.fleet.<member> and kept in
 * the key-value bucket `fleet_bucket` under the member's name, where
 * `ismsctl status --fleet` reads it.
 *
 * Configuration:
 *   url              nats://127.0.0.1:4222 (a comma-separated list too)
 *   stream           ISMS: created if missing, file storage
 *   subject_prefix   isms
 *   credentials      a .creds file (JWT and seed), optional
 *   dedup_window     seconds of the stream's duplicate window (default 600)
 *   replicas         of the stream when the plugin creates it (default 1)
 *   spool            file keeping undelivered events across restarts;
 *                    "{member}" in it is replaced by the member's name
 *   health_interval  seconds (default 10; 0: no health)
 *   fleet_bucket     ISMS_FLEET
 *   member           this daemon's name in the fleet (default
 *                    $ISMSD_MEMBER, else shard-I when sharded, else the
 *                    host name)
 *   events           event names to publish (default: all) */
#include <errno.h>
#include <event2/event.h>
#include <jansson.h>
#include <nats/nats.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <ismsd/plugin.h>

/* An event waiting for the server's acknowledgement. */
struct pending {
	char *subject, *id, *data;
	char *repo, *commit; /* commit: NULL for reminders */
	uint32_t kind;
	int full; /* a full (first) evaluation-finished */
};

/* A repository whose first full evaluation repeats the stream's last. */
struct skip {
	char *repo, *commit;
	struct skip *next;
};

struct nt {
	const struct ismsd_host *h;
	char *url, *stream, *prefix, *creds, *spool, *bucket, *member;
	int64_t dedup, health_every, replicas;
	uint32_t mask;
	int lib; /* holds the NATS library (lib_hold) */
	natsOptions *opts;
	natsConnection *nc;
	jsCtx *js;
	kvStore *kv;
	int stream_ok;
	struct pending *q;
	size_t qlen, qcap;
	FILE *spoolf;
	struct skip *skips;
	struct event *retry, *health;
	int64_t published, duplicates, failures, skipped;
};

static char *
xdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (d == NULL)
		abort();
	return d;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

static void
stats(struct nt *n)
{
	n->h->stat(n->h, "published", n->published);
	n->h->stat(n->h, "duplicates", n->duplicates);
	n->h->stat(n->h, "pending", (int64_t)n->qlen);
	n->h->stat(n->h, "failures", n->failures);
	n->h->stat(n->h, "skipped_republish", n->skipped);
}

/* A subject token for name: '.', '*', '>' and blanks become '_'. */
static char *
token(const char *name)
{
	char *t = xdup(name);
	for (char *p = t; *p; p++)
		if (strchr(".*> \t", *p))
			*p = '_';
	return t;
}

/* Make the stream if it is missing. */
static int
ensure_stream(struct nt *n)
{
	jsStreamInfo *si = NULL;
	jsErrCode je = 0;
	if (n->stream_ok)
		return 0;
	natsStatus s = js_GetStreamInfo(&si, n->js, n->stream, NULL, &je);
	if (s == NATS_NOT_FOUND) {
		jsStreamConfig c;
		jsStreamConfig_Init(&c);
		char *subj[ISMSD_EV_MAX];
		for (uint32_t k = 1; k <= ISMSD_EV_MAX; k++)
			subj[k - 1] = fmt("%s.*.%s", n->prefix, ismsd_event_name(k));
		c.Name = n->stream;
		c.Subjects = (const char **)subj;
		c.SubjectsLen = ISMSD_EV_MAX;
		c.Storage = js_FileStorage;
		c.Duplicates = n->dedup * 1000000000LL;
		c.Replicas = n->replicas;
		s = js_AddStream(&si, n->js, &c, NULL, &je);
		for (int k = 0; k < ISMSD_EV_MAX; k++)
			free(subj[k]);
		if (s == NATS_OK)
			n->h->log(n->h, ISMSD_LOG_INFO, "created stream %s (subjects %s.*.<event>)",
			          n->stream, n->prefix);
	}
	jsStreamInfo_Destroy(si);
	if (s != NATS_OK) {
		n->h->log(n->h, ISMSD_LOG_WARN, "stream %s: %s (%d)", n->stream,
		          natsStatus_GetText(s), (int)je);
		return -1;
	}
	n->stream_ok = 1;
	return 0;
}

static int
connected(struct nt *n)
{
	return n->nc && natsConnection_Status(n->nc) == NATS_CONN_STATUS_CONNECTED;
}

/* One pending event as a spool line (the caller's). */
static char *
spool_line(const struct pending *p)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:i, s:b}", "subject", p->subject, "id",
	                      p->id, "data", p->data, "repo", p->repo, "commit", p->commit, "kind",
	                      (int)p->kind, "full", p->full);
	char *line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return line;
}

/* Write the pending events to the spool (replacing it). */
static void
spool_write(struct nt *n)
{
	if (n->spoolf == NULL)
		return;
	if (ftruncate(fileno(n->spoolf), 0) < 0 || fseek(n->spoolf, 0, SEEK_SET) < 0)
		return;
	for (size_t i = 0; i < n->qlen; i++) {
		char *line = spool_line(&n->q[i]);
		fprintf(n->spoolf, "%s\n", line);
		free(line);
	}
	fflush(n->spoolf);
}

static void
drop_head(struct nt *n, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		struct pending *p = &n->q[i];
		free(p->subject), free(p->id), free(p->data), free(p->repo), free(p->commit);
	}
	if (k == 0)
		return; /* also when nothing was ever queued: q may be NULL */
	memmove(n->q, n->q + k, (n->qlen - k) * sizeof(*n->q));
	n->qlen -= k;
}

/* Whether pending event p repeats the group the stream has last (see the
 * top). Decided when the full evaluation-finished is next to go, so with
 * a connection. */
static int
repeats(struct nt *n, const struct pending *p)
{
	struct skip **pp = &n->skips, *s;
	for (; (s = *pp) != NULL; pp = &s->next)
		if (strcmp(s->repo, p->repo) == 0)
			break;
	if (p->full && p->commit) {
		char *t = token(p->repo);
		char *subj = fmt("%s.%s.commit-seen", n->prefix, t);
		natsMsg *m = NULL;
		jsErrCode je = 0;
		int same = 0;
		if (js_GetLastMsg(&m, n->js, n->stream, subj, NULL, &je) == NATS_OK) {
			json_t *last = json_loadb(natsMsg_GetData(m),
			                          (size_t)natsMsg_GetDataLength(m), 0, NULL);
			const char *lc = json_string_value(
			        json_object_get(json_object_get(last, "data"), "commit"));
			same = lc && strcmp(lc, p->commit) == 0;
			json_decref(last);
			natsMsg_Destroy(m);
		}
		free(t), free(subj);
		if (same && s == NULL) {
			s = calloc(1, sizeof(*s));
			if (s == NULL)
				abort();
			s->repo = xdup(p->repo);
			s->next = n->skips;
			n->skips = s;
			pp = &n->skips;
		}
		if (s) {
			free(s->commit);
			s->commit = same ? xdup(p->commit) : NULL;
		}
		if (same)
			n->h->log(n->h, ISMSD_LOG_INFO,
			          "%s: commit %.12s was published already; not again", p->repo,
			          p->commit);
	}
	if (s == NULL || s->commit == NULL || p->commit == NULL ||
	    strcmp(s->commit, p->commit) != 0 || p->kind == ISMSD_EV_REMINDER_DUE)
		return 0;
	if (p->kind == ISMSD_EV_COMMIT_SEEN) {
		*pp = s->next;
		free(s->repo), free(s->commit), free(s);
	}
	return 1;
}

/* Publish what is pending, in order, until one fails; 0 when all went. */
static int
flush(struct nt *n)
{
	size_t done = 0;
	int rc = 0;
	if (n->qlen == 0)
		return 0;
	if (!connected(n) || ensure_stream(n) < 0) {
		rc = -1;
		goto out;
	}
	for (; done < n->qlen; done++) {
		struct pending *p = &n->q[done];
		if (repeats(n, p)) {
			n->skipped++;
			continue;
		}
		jsPubOptions po;
		jsPubOptions_Init(&po);
		po.MsgId = p->id;
		po.MaxWait = 2000;
		jsPubAck *pa = NULL;
		jsErrCode je = 0;
		natsStatus s =
		        js_Publish(&pa, n->js, p->subject, p->data, (int)strlen(p->data), &po, &je);
		if (s != NATS_OK) {
			n->failures++;
			if (n->failures == 1 || n->failures % 100 == 0)
				n->h->log(n->h, ISMSD_LOG_WARN, "publish to %s: %s (%d); retrying",
				          p->subject, natsStatus_GetText(s), (int)je);
			if (je == JSStreamNotFoundErr || s == NATS_NO_RESPONDERS)
				n->stream_ok = 0;
			jsPubAck_Destroy(pa);
			rc = -1;
			break;
		}
		if (pa && pa->Duplicate)
			n->duplicates++;
		else
			n->published++;
		jsPubAck_Destroy(pa);
	}
out:
	if (done)
		drop_head(n, done);
	if (done || rc < 0)
		spool_write(n);
	stats(n);
	return rc;
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct nt *n = arg;
	(void)fd, (void)what;
	if (flush(n) < 0) {
		struct timeval tv = { 1, 0 };
		evtimer_add(n->retry, &tv);
	}
}

static void
enqueue(struct nt *n, struct pending p)
{
	if (n->qlen == n->qcap) {
		n->qcap = n->qcap ? 2 * n->qcap : 64;
		n->q = realloc(n->q, n->qcap * sizeof(*n->q));
		if (n->q == NULL)
			abort();
	}
	n->q[n->qlen++] = p;
	if (n->spoolf && n->qlen > 1) {
		/* Something waits already: keep this one on disk too. */
		char *line = spool_line(&p);
		fprintf(n->spoolf, "%s\n", line);
		fflush(n->spoolf);
		free(line);
	}
}

static void
on_event(void *state, const struct ismsd_event *ev)
{
	struct nt *n = state;
	if (!(n->mask & ISMSD_EV_BIT(ev->kind)))
		return;
	json_t *d = json_loads(ev->payload, 0, NULL);
	char *t = token(ev->repo);
	char *subject = fmt("%s.%s.%s", n->prefix, t, ismsd_event_name(ev->kind));
	const char *commit = json_string_value(json_object_get(d, "commit"));
	const char *key = json_string_value(json_object_get(d, "key"));
	char *id;
	if (ev->kind == ISMSD_EV_REMINDER_DUE)
		id = fmt("%s:reminder:%s:%lld", ev->repo,
		         json_string_value(json_object_get(d, "id")) ?: "",
		         (long long)json_integer_value(json_object_get(d, "seq")));
	else
		id = fmt("%s:%llu:%s:%s%s%s", ev->repo, (unsigned long long)ev->cursor,
		         ismsd_event_name(ev->kind), commit ? commit : "", key ? ":" : "",
		         key ? key : "");
	struct pending p = { subject,
		             id,
		             xdup(ev->json),
		             xdup(ev->repo),
		             commit && ev->kind != ISMSD_EV_REMINDER_DUE ? xdup(commit) : NULL,
		             ev->kind,
		             ev->kind == ISMSD_EV_EVALUATION_FINISHED &&
		                     json_is_true(json_object_get(d, "full")) };
	json_decref(d);
	free(t);
	enqueue(n, p);
	if (n->qlen == 1 && flush(n) == 0)
		return;
	if (!evtimer_pending(n->retry, NULL)) {
		struct timeval tv = { 1, 0 };
		evtimer_add(n->retry, &tv);
	}
}

/* The daemon's status from its socket, or NULL. Blocks for at most 2 s. */
static json_t *
daemon_status(void)
{
	const char *path = getenv("ISMS_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (path == NULL || strlen(path) >= sizeof(sa.sun_path))
		return NULL;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	static const char req[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"}\n";
	char *buf = NULL;
	size_t len = 0;
	json_t *res = NULL;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1))
		goto out;
	for (;;) {
		struct pollfd pf = { fd, POLLIN, 0 };
		if (poll(&pf, 1, 2000) <= 0)
			goto out;
		char chunk[8192];
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r <= 0 || len + (size_t)r > (16u << 20))
			goto out;
		buf = realloc(buf, len + (size_t)r + 1);
		if (buf == NULL)
			abort();
		memcpy(buf + len, chunk, (size_t)r);
		len += (size_t)r;
		if (memchr(chunk, '\n', (size_t)r))
			break;
	}
	json_t *reply = json_loadb(buf, len, JSON_DISABLE_EOF_CHECK, NULL);
	res = json_incref(json_object_get(reply, "result"));
	json_decref(reply);
out:
	free(buf);
	close(fd);
	return res;
}

static void
on_health(evutil_socket_t fd, short what, void *arg)
{
	struct nt *n = arg;
	(void)fd, (void)what;
	struct timeval tv = { (time_t)n->health_every, 0 };
	evtimer_add(n->health, &tv);
	if (!connected(n))
		return;
	json_t *st = daemon_status(), *repos = json_array(), *r;
	size_t i;
	json_array_foreach (json_object_get(st, "repositories"), i, r) {
		json_array_append_new(repos, json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}",
		                                       "name", json_object_get(r, "name"), "health",
		                                       json_object_get(r, "health"), "commit",
		                                       json_object_get(r, "commit"), "conformant",
		                                       json_object_get(r, "conformant"), "counts",
		                                       json_object_get(r, "counts"), "evaluated_at",
		                                       json_object_get(r, "evaluated_at")));
	}
	const char *shard = getenv("ISMSD_SHARD");
	json_t *o = json_pack("{s:s, s:s?, s:I, s:b, s:O?, s:O?, s:o, s:I, s:I}", "member",
	                      n->member, "shard", shard, "time", (json_int_t)time(NULL), "daemon",
	                      st != NULL, "version", json_object_get(st, "version"), "pid",
	                      json_object_get(st, "pid"), "repositories", repos, "pending",
	                      (json_int_t)n->qlen, "published", (json_int_t)n->published);
	char *text = json_dumps(o, JSON_COMPACT);
	char *t = token(n->member);
	char *subj = fmt("%s.fleet.%s", n->prefix, t);
	natsConnection_PublishString(n->nc, subj, text);
	if (n->kv == NULL && js_KeyValue(&n->kv, n->js, n->bucket) != NATS_OK) {
		kvConfig kc;
		kvConfig_Init(&kc);
		kc.Bucket = n->bucket;
		kc.History = 1;
		kc.StorageType = js_FileStorage;
		if (js_CreateKeyValue(&n->kv, n->js, &kc) != NATS_OK)
			n->kv = NULL;
	}
	if (n->kv && kvStore_PutString(NULL, n->kv, t, text) != NATS_OK) {
		kvStore_Destroy(n->kv);
		n->kv = NULL;
	}
	free(text), free(t), free(subj);
	json_decref(o);
	json_decref(st);
}

/* The NATS library's global state is set up by the first instance's
 * options and torn down with the last instance, so that nothing of it
 * outlives the plugin (ismsd -t loads and stops it at once). */
static pthread_mutex_t lib_mu = PTHREAD_MUTEX_INITIALIZER;
static int lib_users;

static void
lib_hold(void)
{
	pthread_mutex_lock(&lib_mu);
	lib_users++;
	pthread_mutex_unlock(&lib_mu);
}

static void
lib_release(void)
{
	pthread_mutex_lock(&lib_mu);
	if (--lib_users == 0)
		nats_Close();
	pthread_mutex_unlock(&lib_mu);
}

static void
shutdown_(void *state)
{
	struct nt *n = state;
	if (n->qlen)
		flush(n);
	if (n->qlen)
		n->h->log(n->h, ISMSD_LOG_WARN, "%zu events not delivered%s", n->qlen,
		          n->spoolf ? "; kept in the spool for the next start" : "");
	spool_write(n);
	if (n->spoolf)
		fclose(n->spoolf);
	drop_head(n, n->qlen);
	free(n->q);
	while (n->skips) {
		struct skip *s = n->skips;
		n->skips = s->next;
		free(s->repo), free(s->commit), free(s);
	}
	if (n->retry)
		event_free(n->retry);
	if (n->health)
		event_free(n->health);
	kvStore_Destroy(n->kv);
	jsCtx_Destroy(n->js);
	natsConnection_Destroy(n->nc);
	natsOptions_Destroy(n->opts);
	if (n->lib)
		lib_release();
	free(n->url), free(n->stream), free(n->prefix), free(n->creds), free(n->spool);
	free(n->bucket), free(n->member);
	free(n);
}

static void
on_connected(natsConnection *nc, void *arg)
{
	(void)nc, (void)arg;
}

/* The string setting key of cfg into *dst (default def); -1 if not a
 * string. */
static int
str(struct nt *n, json_t *cfg, const char *key, const char *def, char **dst)
{
	json_t *v = json_object_get(cfg, key);
	if (v && !json_is_string(v)) {
		n->h->log(n->h, ISMSD_LOG_ERR, "\"%s\" must be a string", key);
		return -1;
	}
	*dst = v ? xdup(json_string_value(v)) : def ? xdup(def) : NULL;
	return 0;
}

static int
num(struct nt *n, json_t *cfg, const char *key, int64_t def, int64_t lo, int64_t hi, int64_t *dst)
{
	json_t *v = json_object_get(cfg, key);
	*dst = def;
	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		n->h->log(n->h, ISMSD_LOG_ERR, "\"%s\" must be a whole number from %lld to %lld",
		          key, (long long)lo, (long long)hi);
		return -1;
	}
	*dst = json_integer_value(v);
	return 0;
}

/* Read the spool of a previous run into the queue. */
static void
spool_load(struct nt *n)
{
	FILE *f = fopen(n->spool, "r");
	char *line = NULL;
	size_t cap = 0;
	if (f == NULL)
		return;
	while (getline(&line, &cap, f) > 0) {
		json_t *o = json_loads(line, 0, NULL);
		const char *s = json_string_value(json_object_get(o, "subject"));
		const char *id = json_string_value(json_object_get(o, "id"));
		const char *d = json_string_value(json_object_get(o, "data"));
		const char *repo = json_string_value(json_object_get(o, "repo"));
		const char *c = json_string_value(json_object_get(o, "commit"));
		if (s && id && d && repo)
			enqueue(n,
			        (struct pending){
			                xdup(s), xdup(id), xdup(d), xdup(repo), c ? xdup(c) : NULL,
			                (uint32_t)json_integer_value(json_object_get(o, "kind")),
			                json_is_true(json_object_get(o, "full")) });
		json_decref(o);
	}
	free(line);
	fclose(f);
	if (n->qlen)
		n->h->log(n->h, ISMSD_LOG_INFO, "%zu undelivered events from the spool", n->qlen);
}

static int
init(const struct ismsd_host *h, const char *config, void **state)
{
	struct nt *n = calloc(1, sizeof(*n));
	json_t *cfg = json_loads(config, 0, NULL), *v;
	char host[256] = "ismsd";
	size_t i;
	if (n == NULL)
		abort();
	n->h = h;
	n->mask = 0;
	if (str(n, cfg, "url", "nats://127.0.0.1:4222", &n->url) < 0 ||
	    str(n, cfg, "stream", "ISMS", &n->stream) < 0 ||
	    str(n, cfg, "subject_prefix", "isms", &n->prefix) < 0 ||
	    str(n, cfg, "credentials", NULL, &n->creds) < 0 ||
	    str(n, cfg, "spool", NULL, &n->spool) < 0 ||
	    str(n, cfg, "fleet_bucket", "ISMS_FLEET", &n->bucket) < 0 ||
	    str(n, cfg, "member", NULL, &n->member) < 0 ||
	    num(n, cfg, "dedup_window", 600, 1, 30LL * 86400, &n->dedup) < 0 ||
	    num(n, cfg, "health_interval", 10, 0, 86400, &n->health_every) < 0 ||
	    num(n, cfg, "replicas", 1, 1, 5, &n->replicas) < 0)
		goto bad;
	if (!*n->stream || strpbrk(n->stream, ".*> \t") || !*n->prefix ||
	    strpbrk(n->prefix, "*> \t")) {
		h->log(h, ISMSD_LOG_ERR, "\"stream\" and \"subject_prefix\" must be plain names");
		goto bad;
	}
	json_array_foreach (json_object_get(cfg, "events"), i, v) {
		uint32_t k = ismsd_event_kind(json_string_value(v));
		if (k == 0) {
			h->log(h, ISMSD_LOG_ERR, "\"events\": no event named %s",
			       json_string_value(v) ? json_string_value(v) : "(not a string)");
			goto bad;
		}
		n->mask |= ISMSD_EV_BIT(k);
	}
	if (n->mask == 0)
		n->mask = ~0u;
	if (n->member == NULL) {
		const char *env = getenv("ISMSD_MEMBER"), *shard = getenv("ISMSD_SHARD");
		if (env && *env)
			n->member = xdup(env);
		else if (shard && *shard)
			n->member = fmt("shard-%.*s", (int)strcspn(shard, "/"), shard);
		else {
			gethostname(host, sizeof(host) - 1);
			n->member = xdup(host);
		}
	}
	char *m = n->spool ? strstr(n->spool, "{member}") : NULL;
	if (m) {
		char *sp = fmt("%.*s%s%s", (int)(m - n->spool), n->spool, n->member, m + 8);
		free(n->spool);
		n->spool = sp;
	}
	lib_hold();
	n->lib = 1;
	if (natsOptions_Create(&n->opts) != NATS_OK) {
		h->log(h, ISMSD_LOG_ERR, "cannot set up the NATS client");
		goto bad;
	}
	if (natsOptions_SetURL(n->opts, n->url) != NATS_OK) {
		h->log(h, ISMSD_LOG_ERR, "\"url\" %s: %s", n->url, nats_GetLastError(NULL));
		goto bad;
	}
	if (n->creds && access(n->creds, R_OK) != 0) {
		h->log(h, ISMSD_LOG_ERR, "\"credentials\" %s: %s", n->creds, strerror(errno));
		goto bad;
	}
	json_decref(cfg);
	cfg = NULL;
	*state = n;
	if (h->version >= 2 && h->check_only)
		return 0;
	if (n->creds)
		natsOptions_SetUserCredentialsFromFiles(n->opts, n->creds, NULL);
	char *name = fmt("ismsd %s", n->member);
	natsOptions_SetName(n->opts, name);
	free(name);
	natsOptions_SetMaxReconnect(n->opts, -1);
	natsOptions_SetReconnectWait(n->opts, 250);
	/* With a callback the first connection is made in the background:
	 * init does not wait for a server that is down. */
	natsOptions_SetRetryOnFailedConnect(n->opts, true, on_connected, n);
	natsStatus s = natsConnection_Connect(&n->nc, n->opts);
	if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) {
		h->log(h, ISMSD_LOG_ERR, "cannot connect to %s: %s", n->url, natsStatus_GetText(s));
		shutdown_(n);
		*state = NULL;
		return -1;
	}
	jsOptions jo;
	jsOptions_Init(&jo);
	jo.Wait = 2000;
	natsConnection_JetStream(&n->js, n->nc, &jo);
	n->retry = evtimer_new(h->base(h), on_retry, n);
	if (n->spool) {
		spool_load(n);
		n->spoolf = fopen(n->spool, "a+");
		if (n->spoolf == NULL)
			h->log(h, ISMSD_LOG_WARN,
			       "spool %s: %s; undelivered events are lost at a stop", n->spool,
			       strerror(errno));
		spool_write(n);
	}
	if (n->qlen) {
		struct timeval tv = { 0, 0 };
		evtimer_add(n->retry, &tv);
	}
	if (n->health_every > 0) {
		n->health = evtimer_new(h->base(h), on_health, n);
		struct timeval tv = { 0, 200000 };
		evtimer_add(n->health, &tv);
	}
	stats(n);
	return 0;
bad:
	json_decref(cfg);
	free(n->url), free(n->stream), free(n->prefix), free(n->creds), free(n->spool);
	free(n->bucket), free(n->member);
	natsOptions_Destroy(n->opts);
	if (n->lib)
		lib_release();
	free(n);
	return -1;
}

const struct ismsd_plugin ismsd_plugin = {
	.abi_version = ISMSD_PLUGIN_ABI_VERSION,
	.name = "nats",
	.version = "1.0.0",
	.description = "events to NATS JetStream, deduplicated by cursor; fleet health",
	.init = init,
	.on_event = on_event,
	.shutdown = shutdown_,
};
