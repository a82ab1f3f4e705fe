/* plugin_queue.c - each plugin's thread and bounded queue: events are
 * copied in (the oldest dropped when full) and taken a few per wake-up,
 * and the daemon's bus notifications become plugin events. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "plugin.h"
#include "plugin_int.h"
#include "thread.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"
#include "verdict.h"

void
plugin_qev_free(struct qev *e)
{
	if (e == NULL)
		return;
	free(e->repo);
	free(e->payload);
	free(e->json);
	free(e);
}

struct qev *
plugin_qpop(struct plug *pl)
{
	if (pl->qlen == 0)
		return NULL;
	struct qev *e = pl->q[pl->qhead];
	pl->qhead = (pl->qhead + 1) % pl->qmax;
	pl->qlen--;
	return e;
}

static int
past(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* Deliver up to BATCH queued events; stop the loop when told to and the
 * queue is empty or the drain time is over. Runs on the plugin thread. */
static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct plug *pl = arg;
	char junk[64];
	while (read(fd, junk, sizeof(junk)) > 0)
		;
	for (int i = 0; i < BATCH; i++) {
		pthread_mutex_lock(&pl->mu);
		if (pl->stopping && past(&pl->deadline)) {
			struct qev *e;
			while ((e = plugin_qpop(pl)) != NULL) {
				pl->discarded++;
				plugin_qev_free(e);
			}
		}
		struct qev *e = plugin_qpop(pl);
		pthread_mutex_unlock(&pl->mu);
		if (e == NULL)
			break;
		if (pl->p->on_event)
			pl->p->on_event(pl->state, &e->ev);
		plugin_qev_free(e);
		pthread_mutex_lock(&pl->mu);
		pl->delivered++;
		pthread_mutex_unlock(&pl->mu);
	}
	pthread_mutex_lock(&pl->mu);
	size_t left = pl->qlen;
	int stop = pl->stopping;
	pthread_mutex_unlock(&pl->mu);
	if (left)
		event_active(pl->wake, EV_READ, 0);
	else if (stop)
		event_base_loopexit(pl->base, NULL);
}

/* The plugin's thread: init, register_lua, the loop, shutdown. */
void *
plugin_run(void *arg)
{
	struct plug *pl = arg;
	void *state = NULL;
	int rc = pl->p->init(&pl->api, pl->config, &state);
	if (rc == 0) {
		pl->state = state;
		struct ismsd_lua_reg reg = { ISMSD_LUA_REG_VERSION, plugin_reg_add, pl };
		if (pl->p->register_lua && pl->p->register_lua(state, &reg) < 0) {
			rc = -1;
			if (pl->p->shutdown)
				pl->p->shutdown(state);
		}
	}
	pthread_mutex_lock(&pl->mu);
	pl->init_done = 1;
	pl->init_rc = rc;
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
	if (rc < 0)
		return NULL;
	event_base_dispatch(pl->base);
	if (pl->p->shutdown)
		pl->p->shutdown(pl->state);
	pthread_mutex_lock(&pl->mu);
	pl->done = 1;
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

/* The event base, the pipe and the thread; waits for init. */
int
plugin_start(struct plug *pl)
{
	pl->base = event_base_new();
	if (pl->base == NULL)
		return err_set("cannot create an event loop for it");
	if (pipe2(pl->pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return err_set("cannot create its wake-up pipe: %s", strerror(errno));
	pl->wake = event_new(pl->base, pl->pipe[0], EV_READ | EV_PERSIST, wake_cb, pl);
	if (pl->wake == NULL || event_add(pl->wake, NULL) < 0)
		return err_set("cannot watch its wake-up pipe");
	if (thread_start(&pl->thr, "plugin", plugin_run, pl) < 0)
		return -1;
	pthread_mutex_lock(&pl->mu);
	while (!pl->init_done)
		pthread_cond_wait(&pl->cv, &pl->mu);
	int rc = pl->init_rc;
	pthread_mutex_unlock(&pl->mu);
	if (rc < 0) {
		pthread_join(pl->thr, NULL);
		pthread_mutex_lock(&pl->mu);
		const char *why = pl->last_msg;
		err_set("its init failed%s%s", why ? ": " : "", why ? why : "");
		pthread_mutex_unlock(&pl->mu);
		for (size_t i = 0; i < pl->nfns; i++) {
			free(pl->fns[i].name);
			free(pl->fns[i].doc);
		}
		free(pl->fns);
		pl->fns = NULL;
		pl->nfns = 0;
		return -1;
	}
	return 0;
}

/* The event envelope {"event","repo","cursor","time","data"}, or NULL
 * when the payload is not a JSON object. */
static char *
envelope(const struct ismsd_event *ev, int64_t t)
{
	json_error_t je;
	json_t *data = json_loads(ev->payload ? ev->payload : "{}", 0, &je);
	if (data == NULL || !json_is_object(data)) {
		json_decref(data);
		return NULL;
	}
	json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:o}", "event", ismsd_event_name(ev->kind),
	                      "repo", ev->repo ? ev->repo : "", "cursor", (json_int_t)ev->cursor,
	                      "time", (json_int_t)t, "data", data);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

static void
enqueue(struct plug *pl, struct qev *e)
{
	pthread_mutex_lock(&pl->mu);
	if (pl->stopping) {
		pthread_mutex_unlock(&pl->mu);
		plugin_qev_free(e);
		return;
	}
	pl->published++;
	if (pl->qlen == pl->qmax) {
		plugin_qev_free(plugin_qpop(pl));
		pl->dropped++;
	}
	pl->q[(pl->qhead + pl->qlen++) % pl->qmax] = e;
	pthread_mutex_unlock(&pl->mu);
	char b = 1;
	if (write(pl->pipe[1], &b, 1) < 0 && errno != EAGAIN)
		log_warn("plugin %s: cannot wake its thread", pl->name);
}

static struct qev *
copy_event(const struct ismsd_event *ev, int64_t t, const char *json)
{
	struct qev *e = xcalloc(1, sizeof(*e));
	e->repo = xstrdup(ev->repo ? ev->repo : "");
	e->payload = xstrdup(ev->payload ? ev->payload : "{}");
	e->json = xstrdup(json);
	e->ev = (struct ismsd_event){ ISMSD_EVENT_VERSION, ev->kind, e->repo,        ev->cursor, t,
		                      e->payload,          e->json,  strlen(e->json) };
	return e;
}

/* Copy ev into the queue of every running plugin that wants it. */
void
plugin_host_publish(struct plugin_host *h, const struct ismsd_event *ev)
{
	if (h == NULL || ev == NULL)
		return;
	if (ev->kind < 1 || ev->kind > ISMSD_EV_MAX) {
		log_warnx("plugins: an event of unknown kind %u is not published",
		          (unsigned)ev->kind);
		return;
	}
	int64_t t = ev->time ? ev->time : (int64_t)time(NULL);
	char *json = NULL;
	for (size_t i = 0; i < h->n; i++) {
		struct plug *pl = h->v[i];
		if (pl->st != P_RUNNING ||
		    (pl->p->events && !(pl->p->events & ISMSD_EV_BIT(ev->kind))))
			continue;
		if (json == NULL && (json = envelope(ev, t)) == NULL) {
			log_warnx("plugins: a %s event for %s has a payload that is "
			          "not a JSON object; not published",
			          ismsd_event_name(ev->kind), ev->repo ? ev->repo : "?");
			return;
		}
		enqueue(pl, copy_event(ev, t, json));
	}
	free(json);
}

void
plugin_host_emit(struct plugin_host *h, enum ismsd_event_kind kind, const char *repo,
                 uint64_t cursor, const char *payload)
{
	struct ismsd_event ev = { ISMSD_EVENT_VERSION, kind, repo, cursor, 0, payload, NULL, 0 };
	plugin_host_publish(h, &ev);
}

static void
add_ms(struct timespec *t, unsigned ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/* Tell a running plugin to stop and wait for its thread; 0, or -1 when
 * it is stuck in a hook. */
int
plugin_stop(struct plug *pl, unsigned drain_ms)
{
	pthread_mutex_lock(&pl->mu);
	pl->stopping = 1;
	clock_gettime(CLOCK_MONOTONIC, &pl->deadline);
	add_ms(&pl->deadline, drain_ms);
	pthread_mutex_unlock(&pl->mu);
	char b = 0;
	if (write(pl->pipe[1], &b, 1) < 0 && errno != EAGAIN)
		log_warn("plugin %s: cannot wake its thread", pl->name);
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	add_ms(&until, drain_ms + GRACE_MS);
	pthread_mutex_lock(&pl->mu);
	int rc = 0;
	while (!pl->done && rc == 0)
		rc = pthread_cond_timedwait(&pl->cv, &pl->mu, &until);
	int done = pl->done;
	uint64_t lost = pl->discarded + pl->qlen;
	pthread_mutex_unlock(&pl->mu);
	if (!done) {
		log_warnx("plugin %s: still busy %u ms after it was told to stop; "
		          "abandoning it",
		          pl->name, drain_ms + GRACE_MS);
		pthread_detach(pl->thr);
		pl->st = P_STUCK;
		return -1;
	}
	pthread_join(pl->thr, NULL);
	if (lost)
		log_warnx("plugin %s: %llu queued event%s not delivered at shutdown", pl->name,
		          (unsigned long long)lost, lost == 1 ? "" : "s");
	return 0;
}

/* A stable key for a finding: FNV-1a over rule, file, line and message. */
static void
finding_key(const char *rule, const struct finding *f, char out[17])
{
	uint64_t h = 1469598103934665603ull;
	char line[24];
	snprintf(line, sizeof(line), "%d", f->line);
	const char *parts[] = { rule, f->file ? f->file : "", line, f->message };
	for (size_t i = 0; i < NELEM(parts); i++)
		for (const char *p = parts[i];; p++) {
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
			if (*p == '\0')
				break;
		}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* Events from the daemon's bus topics.
 *
 * The daemon journals every notification (which gives it its cursor) and
 * publishes JSON objects on topics; plugin_host_publish_topic turns them
 * into plugin events. For "results" (verdicts that changed, or all of them
 * when "full") the host keeps each repository's verdicts so that
 * evaluation-finished carries the counts and the per clause and theme
 * summary of all of them. */

static json_t *
repo_verdicts(struct plugin_host *h, const char *repo)
{
	for (size_t i = 0; i < h->nrepos; i++)
		if (strcmp(h->repos[i].repo, repo) == 0)
			return h->repos[i].rules;
	h->repos = xreallocarray(h->repos, h->nrepos + 1, sizeof(*h->repos));
	h->repos[h->nrepos].repo = xstrdup(repo);
	h->repos[h->nrepos].rules = json_object();
	return h->repos[h->nrepos++].rules;
}

/* evaluation-finished from a "results" notification. */
static void
topic_results(struct plugin_host *h, const char *repo, uint64_t cursor, json_t *d)
{
	json_t *rules = repo_verdicts(h, repo), *changed = json_array(), *v;
	int full = json_is_true(json_object_get(d, "full"));
	size_t i;
	json_array_foreach (json_object_get(d, "changed"), i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));
		if (id == NULL || verdict_status(v) < 0)
			continue;
		json_t *old = full ? NULL : json_object_get(rules, id);
		json_t *c = json_pack(
		        "{s:s, s:O?, s:O?, s:O?, s:O?, s:O, s:s?, s:I, s:O?}", "rule", id, "title",
		        json_object_get(v, "title"), "clause", json_object_get(v, "clause"),
		        "control", json_object_get(v, "control"), "theme",
		        json_object_get(v, "theme"), "status", json_object_get(v, "status"),
		        "previous", old ? json_string_value(json_object_get(old, "status")) : NULL,
		        "findings", (json_int_t)json_array_size(json_object_get(v, "findings")),
		        "note", json_object_get(v, "note"));
		if (c)
			json_array_append_new(changed, c);
	}
	verdict_apply(rules, d);
	json_t *counts = verdict_count_json(rules);
	json_t *clauses = verdict_groups(rules, VERDICT_BY_CLAUSE);
	json_t *themes = verdict_groups(rules, VERDICT_BY_THEME);
	json_t *o = json_pack("{s:O?, s:O?, s:O?, s:o, s:o, s:o, s:o}", "commit",
	                      json_object_get(d, "commit"), "commit_time",
	                      json_object_get(d, "commit_time"), "evaluated_at",
	                      json_object_get(d, "evaluated_at"), "counts", counts, "clauses",
	                      clauses, "themes", themes, "changed", changed);
	/* A repository's first evaluation by this daemon (a new or emptied
	 * state directory): every verdict is in changed. */
	json_object_set_new(o, "full", json_boolean(full));
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (s)
		plugin_host_emit(h, ISMSD_EV_EVALUATION_FINISHED, repo, cursor, s);
	free(s);
	json_decref(o);
}

/* finding-raised and finding-resolved from a "findings" notification. */
static void
topic_findings(struct plugin_host *h, const char *repo, uint64_t cursor, json_t *d)
{
	static const struct {
		const char *field;
		enum ismsd_event_kind kind;
	} parts[] = { { "resolved", ISMSD_EV_FINDING_RESOLVED },
		      { "added", ISMSD_EV_FINDING_RAISED } };
	const char *rule = json_string_value(json_object_get(d, "rule"));
	json_t *v;
	size_t i;
	for (size_t p = 0; p < NELEM(parts); p++)
		json_array_foreach (json_object_get(d, parts[p].field), i, v) {
			const char *msg = json_string_value(json_object_get(v, "message"));
			if (rule == NULL || msg == NULL)
				continue;
			const char *file = json_string_value(json_object_get(v, "file"));
			struct finding f = { .message = (char *)msg,
				             .file = (char *)file,
				             .line = (int)json_integer_value(
				                     json_object_get(v, "line")) };
			char key[17];
			finding_key(rule, &f, key);
			json_t *o = json_deep_copy(v);
			json_object_set_new(o, "rule", json_string(rule));
			json_object_set_new(o, "key", json_string(key));
			json_object_set(o, "status", json_object_get(d, "status"));
			json_object_set(o, "commit", json_object_get(d, "commit"));
			char *s = json_dumps(o, JSON_COMPACT);
			if (s)
				plugin_host_emit(h, parts[p].kind, repo, cursor, s);
			free(s);
			json_decref(o);
		}
}

/* Turn one journaled notification into plugin events. */
void
plugin_host_publish_topic(struct plugin_host *h, const char *repo, const char *topic,
                          uint64_t cursor, json_t *data)
{
	if (h == NULL || repo == NULL || topic == NULL || !json_is_object(data) ||
	    plugin_host_running(h) == 0)
		return;
	pthread_mutex_lock(&h->mu);
	if (strcmp(topic, "results") == 0)
		topic_results(h, repo, cursor, data);
	else if (strcmp(topic, "findings") == 0)
		topic_findings(h, repo, cursor, data);
	else if (strcmp(topic, "commits") == 0 || strcmp(topic, "reminders") == 0) {
		char *s = json_dumps(data, JSON_COMPACT);
		if (s)
			plugin_host_emit(
			        h, topic[0] == 'c' ? ISMSD_EV_COMMIT_SEEN : ISMSD_EV_REMINDER_DUE,
			        repo, cursor, s);
		free(s);
	}
	pthread_mutex_unlock(&h->mu);
}
