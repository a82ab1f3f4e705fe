/* plugin.c - load C plugins and run each on a thread of its own.
 *
 * A plugin is loaded in three steps, each refusing it with a message that
 * names the file: dlopen, the one symbol, the ABI version (read before
 * anything else of the plugin is used). Then the host creates an event
 * base and a wake-up pipe for it and starts its thread, which calls init
 * and register_lua and runs the base. plugin_host_publish copies an event
 * into each plugin's bounded queue (dropping the oldest when full) and
 * writes a byte to its pipe; the thread takes a few events per wake-up so
 * that the plugin's own timers and sockets keep running in between. */
#include "plugin.h"

#include <dlfcn.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <jansson.h>
#include <lauxlib.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "thread.h"
#include "log.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "utf8.h"

#define BATCH    16   /* events per wake-up */
#define GRACE_MS 2000 /* for shutdown after the drain */

enum pstate { P_FAILED, P_RUNNING, P_STUCK };

struct qev {
	struct ismsd_event ev;
	char *repo, *payload, *json;
};

struct lfn {
	char *name, *doc;
	ismsd_lua_fn fn;
	void *data;
	struct plug *pl;
};

struct stat_kv {
	char *name;
	int64_t v;
};

struct plug {
	char *name, *path, *config;
	void *dl;
	const struct ismsd_plugin *p;
	void *state;
	struct ismsd_host api;
	struct event_base *base;
	struct event *wake;
	int pipe[2];
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* Under mu. */
	int init_done, init_rc, stopping, done;
	struct timespec deadline;
	struct qev **q;
	size_t qhead, qlen, qmax;
	uint64_t published, delivered, dropped, discarded;
	char *last_msg;
	struct stat_kv *stats;
	size_t nstats;
	/* Set before the thread runs or once it is done. */
	enum pstate st;
	char *error;
	struct lfn *fns;
	size_t nfns;
};

struct verdicts {
	char *repo;
	json_t *rules; /* id -> verdict object */
};

struct plugin_host {
	struct plug **v;
	size_t n;
	pthread_mutex_t mu; /* for the verdicts of publish_topic */
	struct verdicts *repos;
	size_t nrepos;
};

/* Log a line for the plugin and keep warnings for the status. */
static void
api_log(const struct ismsd_host *h, int level, const char *fmt, ...)
{
	struct plug *pl = h->host_data;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	switch (level) {
	case ISMSD_LOG_ERR:
	case ISMSD_LOG_WARN:
		log_warnx("plugin %s: %s", pl->name, msg);
		pthread_mutex_lock(&pl->mu);
		free(pl->last_msg);
		pl->last_msg = xstrdup(msg);
		pthread_mutex_unlock(&pl->mu);
		break;
	case ISMSD_LOG_INFO: log_info("plugin %s: %s", pl->name, msg); break;
	default: log_debug("plugin %s: %s", pl->name, msg); break;
	}
}

static struct event_base *
api_base(const struct ismsd_host *h)
{
	return ((struct plug *)h->host_data)->base;
}

/* Set a named statistic of the plugin. */
static void
api_stat(const struct ismsd_host *h, const char *name, int64_t value)
{
	struct plug *pl = h->host_data;
	if (name == NULL)
		return;
	pthread_mutex_lock(&pl->mu);
	size_t i;
	for (i = 0; i < pl->nstats; i++)
		if (strcmp(pl->stats[i].name, name) == 0)
			break;
	if (i == pl->nstats && pl->nstats < 64) {
		pl->stats = xreallocarray(pl->stats, pl->nstats + 1, sizeof(*pl->stats));
		pl->stats[pl->nstats++].name = xstrdup(name);
	}
	if (i < pl->nstats)
		pl->stats[i].v = value;
	pthread_mutex_unlock(&pl->mu);
}

static int
valid_name(const char *s, int dash)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || (dash && c == '-')))
			return 0;
	}
	return 1;
}

/* Register a rule function for the plugin (its thread, in register_lua). */
static int
reg_add(const struct ismsd_lua_reg *reg, const char *name, ismsd_lua_fn fn, void *data,
        const char *doc)
{
	struct plug *pl = reg->host_data;
	if (name == NULL || fn == NULL || !valid_name(name, 0)) {
		api_log(&pl->api, ISMSD_LOG_WARN,
		        "cannot register a rule function "
		        "named '%s': use letters, digits and _",
		        name ? name : "");
		return -1;
	}
	for (size_t i = 0; i < pl->nfns; i++)
		if (strcmp(pl->fns[i].name, name) == 0) {
			api_log(&pl->api, ISMSD_LOG_WARN,
			        "the rule function '%s' "
			        "is registered twice",
			        name);
			return -1;
		}
	pl->fns = xreallocarray(pl->fns, pl->nfns + 1, sizeof(*pl->fns));
	struct lfn *f = &pl->fns[pl->nfns++];
	f->name = xstrdup(name);
	f->doc = doc ? xstrdup(doc) : NULL;
	f->fn = fn;
	f->data = data;
	f->pl = pl;
	return 0;
}

static void
qev_free(struct qev *e)
{
	if (e == NULL)
		return;
	free(e->repo);
	free(e->payload);
	free(e->json);
	free(e);
}

static struct qev *
qpop(struct plug *pl)
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
			while ((e = qpop(pl)) != NULL) {
				pl->discarded++;
				qev_free(e);
			}
		}
		struct qev *e = qpop(pl);
		pthread_mutex_unlock(&pl->mu);
		if (e == NULL)
			break;
		if (pl->p->on_event)
			pl->p->on_event(pl->state, &e->ev);
		qev_free(e);
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
static void *
run(void *arg)
{
	struct plug *pl = arg;
	void *state = NULL;
	int rc = pl->p->init(&pl->api, pl->config, &state);
	if (rc == 0) {
		pl->state = state;
		struct ismsd_lua_reg reg = { ISMSD_LUA_REG_VERSION, reg_add, pl };
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

/* dlopen path and check the symbol and the ABI version, in that order. */
static int
open_object(struct plug *pl)
{
	dlerror();
	pl->dl = dlopen(pl->path, RTLD_NOW | RTLD_LOCAL);
	if (pl->dl == NULL)
		return err_set("cannot load %s: %s", pl->path, dlerror());
	const struct ismsd_plugin *p = dlsym(pl->dl, ISMSD_PLUGIN_SYMBOL);
	if (p == NULL)
		return err_set("%s is not an ismsd plugin: it does not export "
		               "the symbol '%s'",
		               pl->path, ISMSD_PLUGIN_SYMBOL);
	if (p->abi_version != ISMSD_PLUGIN_ABI_VERSION)
		return err_set("%s was built for plugin ABI version %u, but this "
		               "ismsd uses version %d: rebuild the plugin against "
		               "this version's ismsd/plugin.h",
		               pl->path, (unsigned)p->abi_version, ISMSD_PLUGIN_ABI_VERSION);
	if (p->name == NULL || p->version == NULL || p->init == NULL)
		return err_set("%s does not declare its %s", pl->path,
		               p->name == NULL      ? "name"
		               : p->version == NULL ? "version"
		                                    : "init hook");
	pl->p = p;
	return 0;
}

/* Check the configuration section: a JSON object. */
static int
check_config(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	int ok = json_is_object(v);
	json_decref(v);
	if (!ok)
		return err_set("its configuration is not a JSON object%s%s", v ? "" : ": ",
		               v ? "" : je.text);
	return 0;
}

/* The event base, the pipe and the thread; waits for init. */
static int
start(struct plug *pl)
{
	pl->base = event_base_new();
	if (pl->base == NULL)
		return err_set("cannot create an event loop for it");
	if (pipe2(pl->pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return err_set("cannot create its wake-up pipe: %s", strerror(errno));
	pl->wake = event_new(pl->base, pl->pipe[0], EV_READ | EV_PERSIST, wake_cb, pl);
	if (pl->wake == NULL || event_add(pl->wake, NULL) < 0)
		return err_set("cannot watch its wake-up pipe");
	if (thread_start(&pl->thr, "plugin", run, pl) < 0)
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

static char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	s = s ? s + 1 : path;
	size_t n = strcspn(s, ".");
	return xstrndup(s, n);
}

static int
name_taken(const struct plugin_host *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i]->st == P_RUNNING && strcmp(h->v[i]->name, name) == 0)
			return 1;
	return 0;
}

/* Load and start one plugin; on failure, record why in pl->error. */
static void
load_one(struct plugin_host *h, struct plug *pl, const struct plugin_conf *c)
{
	int rc = -1;
	if (c->path == NULL || *c->path == '\0') {
		err_set("no shared object is configured for it");
		goto out;
	}
	if (!valid_name(pl->name, 1)) {
		err_set("'%s' is not a usable plugin name: use letters, digits, "
		        "_ and -",
		        pl->name);
		goto out;
	}
	if (name_taken(h, pl->name)) {
		err_set("another plugin is already named '%s'", pl->name);
		goto out;
	}
	if (check_config(pl->config) < 0 || open_object(pl) < 0)
		goto out;
	if (c->name == NULL && strcmp(pl->name, pl->p->name) != 0 && valid_name(pl->p->name, 1) &&
	    !name_taken(h, pl->p->name)) {
		free(pl->name);
		pl->name = xstrdup(pl->p->name);
		pl->api.instance = pl->name;
	}
	rc = start(pl);
out:
	if (rc == 0) {
		pl->st = P_RUNNING;
		log_info("plugin %s: %s %s loaded from %s", pl->name, pl->p->name, pl->p->version,
		         pl->path);
		return;
	}
	pl->st = P_FAILED;
	pl->error = c->origin ? xasprintf("%s: plugin %s: %s", c->origin, pl->name, err_msg())
	                      : xasprintf("plugin %s: %s", pl->name, err_msg());
	log_warnx("%s; ismsd goes on without it", pl->error);
}

/* Load, check and start every configured plugin. */
struct plugin_host *
plugin_host_load(const struct plugin_conf *c, size_t n)
{
	struct plugin_host *h = xcalloc(1, sizeof(*h));
	h->v = xcalloc(n ? n : 1, sizeof(struct plug *));
	pthread_mutex_init(&h->mu, NULL);
	for (size_t i = 0; i < n; i++) {
		struct plug *pl = xcalloc(1, sizeof(*pl));
		pl->path = xstrdup(c[i].path ? c[i].path : "");
		pl->name = c[i].name ? xstrdup(c[i].name) : base_name(pl->path);
		pl->config = xstrdup(c[i].config ? c[i].config : "{}");
		pl->qmax = c[i].queue_max ? c[i].queue_max : PLUGIN_QUEUE_DEFAULT;
		pl->q = xcalloc(pl->qmax, sizeof(struct qev *));
		pl->pipe[0] = pl->pipe[1] = -1;
		pthread_mutex_init(&pl->mu, NULL);
		pthread_cond_init(&pl->cv, NULL);
		pl->api = (struct ismsd_host){
			ISMSD_HOST_VERSION, pl->name, ISMS_VERSION, api_log, api_base, api_stat, pl
		};
		h->v[h->n++] = pl;
		load_one(h, pl, &c[i]);
	}
	return h;
}

size_t
plugin_host_failed(const struct plugin_host *h)
{
	size_t k = 0;
	for (size_t i = 0; h && i < h->n; i++)
		k += h->v[i]->st == P_FAILED;
	return k;
}

size_t
plugin_host_running(const struct plugin_host *h)
{
	size_t k = 0;
	for (size_t i = 0; h && i < h->n; i++)
		k += h->v[i]->st == P_RUNNING;
	return k;
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
		qev_free(e);
		return;
	}
	pl->published++;
	if (pl->qlen == pl->qmax) {
		qev_free(qpop(pl));
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

/* Queue counters, stats and state of one plugin as a JSON object. */
static json_t *
plug_status(struct plug *pl)
{
	static const char *const names[] = { "failed", "running", "stuck" };
	json_t *o = json_pack("{s:s, s:s, s:s}", "name", pl->name, "path", pl->path, "state",
	                      names[pl->st]);
	if (pl->p) {
		json_object_set_new(o, "plugin", json_string(pl->p->name));
		json_object_set_new(o, "version", json_string(pl->p->version));
	}
	if (pl->error)
		json_object_set_new(o, "error", json_string(pl->error));
	json_t *fns = json_array();
	for (size_t i = 0; i < pl->nfns; i++)
		json_array_append_new(fns, json_string(pl->fns[i].name));
	json_object_set_new(o, "functions", fns);
	pthread_mutex_lock(&pl->mu);
	json_object_set_new(o, "queued", json_integer((json_int_t)pl->qlen));
	json_object_set_new(o, "queue_max", json_integer((json_int_t)pl->qmax));
	json_object_set_new(o, "published", json_integer((json_int_t)pl->published));
	json_object_set_new(o, "delivered", json_integer((json_int_t)pl->delivered));
	json_object_set_new(o, "dropped", json_integer((json_int_t)pl->dropped));
	if (pl->last_msg)
		json_object_set_new(o, "last_message", json_string(pl->last_msg));
	json_t *st = json_object();
	for (size_t i = 0; i < pl->nstats; i++)
		json_object_set_new(st, pl->stats[i].name,
		                    json_integer((json_int_t)pl->stats[i].v));
	pthread_mutex_unlock(&pl->mu);
	json_object_set_new(o, "stats", st);
	return o;
}

char *
plugin_host_status(struct plugin_host *h)
{
	json_t *a = json_array();
	for (size_t i = 0; h && i < h->n; i++)
		json_array_append_new(a, plug_status(h->v[i]));
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s ? s : xstrdup("[]");
}

static void
plug_free(struct plug *pl)
{
	if (pl->wake)
		event_free(pl->wake);
	if (pl->base)
		event_base_free(pl->base);
	for (int i = 0; i < 2; i++)
		if (pl->pipe[i] >= 0)
			close(pl->pipe[i]);
	struct qev *e;
	while ((e = qpop(pl)) != NULL)
		qev_free(e);
	if (pl->dl)
		dlclose(pl->dl);
	for (size_t i = 0; i < pl->nfns; i++) {
		free(pl->fns[i].name);
		free(pl->fns[i].doc);
	}
	for (size_t i = 0; i < pl->nstats; i++)
		free(pl->stats[i].name);
	free(pl->stats);
	free(pl->fns);
	free(pl->q);
	free(pl->last_msg);
	free(pl->error);
	free(pl->name);
	free(pl->path);
	free(pl->config);
	pthread_mutex_destroy(&pl->mu);
	pthread_cond_destroy(&pl->cv);
	free(pl);
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
static int
stop(struct plug *pl, unsigned drain_ms)
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

/* Stop every plugin and free the host. */
void
plugin_host_free(struct plugin_host *h, unsigned drain_ms)
{
	if (h == NULL)
		return;
	if (drain_ms == 0)
		drain_ms = PLUGIN_DRAIN_DEFAULT_MS;
	for (size_t i = 0; i < h->n; i++) {
		struct plug *pl = h->v[i];
		if (pl->st == P_RUNNING && stop(pl, drain_ms) < 0)
			continue; /* its thread may still use it: leave it */
		plug_free(pl);
	}
	for (size_t i = 0; i < h->nrepos; i++) {
		free(h->repos[i].repo);
		json_decref(h->repos[i].rules);
	}
	free(h->repos);
	pthread_mutex_destroy(&h->mu);
	free(h->v);
	free(h);
}

/* Rule functions: plugins.<instance>.<name>(...) in every sandbox.
 *
 * The arguments go to the plugin as a JSON array and its result comes
 * back as JSON. Everything allocated with malloc on the way lives in a
 * box (a userdata with __gc), so a Lua error at any point (the budget, the
 * memory cap) frees it. */

#define CALL_MT    "isms.plugin_call"
#define MAX_ARGS   (1u << 20)
#define MAX_RESULT (4u << 20)
#define MAX_DEPTH  32
#define CALL_COST  200

struct box {
	struct buf args;
	char *result;
	size_t rlen;
	char *error;
	json_t *json;
};

static void
box_clear(struct box *b)
{
	buf_free(&b->args);
	free(b->result);
	free(b->error);
	json_decref(b->json);
	memset(b, 0, sizeof(*b));
}

static int
box_gc(lua_State *L)
{
	box_clear(luaL_checkudata(L, 1, CALL_MT));
	return 0;
}

static void
call_result(struct ismsd_call *c, const char *json, size_t len)
{
	struct box *b = c->host_data;
	free(b->result);
	b->result = NULL;
	if (json == NULL)
		return;
	if (len > MAX_RESULT) {
		free(b->error);
		b->error = xasprintf("its result is larger than %u bytes", MAX_RESULT);
		return;
	}
	b->result = xstrndup(json, len);
	b->rlen = len;
}

static void
call_error(struct ismsd_call *c, const char *msg)
{
	struct box *b = c->host_data;
	free(b->error);
	b->error = xstrdup(msg && *msg ? msg : "failed");
}

static int
put_string(struct buf *o, const char *s, size_t n)
{
	if (utf8_valid(s, n) != n)
		return err_set("a string that is not valid UTF-8");
	buf_addc(o, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			buf_addc(o, '\\');
			buf_addc(o, (char)c);
		} else if (c < 0x20)
			buf_printf(o, "\\u%04x", c);
		else
			buf_addc(o, (char)c);
	}
	buf_addc(o, '"');
	return 0;
}

static int put_value(lua_State *L, int idx, struct buf *o, int depth);

/* The table at idx: a list when its keys are exactly 1..n, else an
 * object with string keys. */
static int
put_table(lua_State *L, int idx, struct buf *o, int depth)
{
	size_t n = lua_rawlen(L, idx), keys = 0;
	int strkeys = 0, other = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		keys++;
		if (lua_type(L, -2) == LUA_TSTRING)
			strkeys++;
		else if (!lua_isinteger(L, -2))
			other++;
		lua_pop(L, 1);
	}
	if (keys == n) {
		buf_addc(o, '[');
		for (size_t i = 1; i <= n; i++) {
			if (i > 1)
				buf_addc(o, ',');
			lua_rawgeti(L, idx, (lua_Integer)i);
			int rc = put_value(L, lua_gettop(L), o, depth + 1);
			lua_pop(L, 1);
			if (rc < 0)
				return -1;
		}
		buf_addc(o, ']');
		return 0;
	}
	if ((size_t)strkeys != keys || other)
		return err_set("a table that mixes list items and named fields");
	buf_addc(o, '{');
	int first = 1;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		size_t kl;
		const char *k = lua_tolstring(L, -2, &kl);
		if (!first)
			buf_addc(o, ',');
		first = 0;
		int rc = put_string(o, k, kl);
		if (rc == 0) {
			buf_addc(o, ':');
			rc = put_value(L, lua_gettop(L), o, depth + 1);
		}
		if (rc < 0) {
			lua_pop(L, 2);
			return -1;
		}
		lua_pop(L, 1);
	}
	buf_addc(o, '}');
	return 0;
}

/* Append the Lua value at idx (absolute) as JSON; -1 with err_msg() for
 * what JSON cannot carry. Raises no Lua error. */
static int
put_value(lua_State *L, int idx, struct buf *o, int depth)
{
	if (depth > MAX_DEPTH)
		return err_set("tables nested deeper than %d levels", MAX_DEPTH);
	if (o->len > MAX_ARGS)
		return err_set("arguments larger than %u bytes", MAX_ARGS);
	switch (lua_type(L, idx)) {
	case LUA_TNIL: buf_adds(o, "null"); return 0;
	case LUA_TBOOLEAN: buf_adds(o, lua_toboolean(L, idx) ? "true" : "false"); return 0;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx)) {
			buf_printf(o, "%lld", (long long)lua_tointeger(L, idx));
			return 0;
		} else {
			double d = lua_tonumber(L, idx);
			if (d != d || d > 1.7976931348623157e308 || d < -1.7976931348623157e308)
				return err_set("a number that JSON cannot hold (inf or nan)");
			buf_printf(o, "%.17g", d);
			return 0;
		}
	case LUA_TSTRING: {
		size_t n;
		const char *s = lua_tolstring(L, idx, &n);
		return put_string(o, s, n);
	}
	case LUA_TTABLE:
		if (!lua_checkstack(L, 4))
			return err_set("tables nested too deeply");
		return put_table(L, idx, o, depth);
	default:
		if (sandbox_is_proxy(L, idx))
			return err_set("an ISMS record or read-only table: pass the "
			               "fields the plugin needs instead");
		return err_set("a %s", luaL_typename(L, idx));
	}
}

/* Push the JSON value v as Lua; null is nil. */
static void
push_json(lua_State *L, json_t *v, int depth)
{
	if (depth > MAX_DEPTH * 2)
		luaL_error(L, "the result is nested too deeply");
	luaL_checkstack(L, 3, "result nested too deeply");
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *x;
		lua_createtable(L, 0, (int)json_object_size(v));
		json_object_foreach (v, k, x) {
			push_json(L, x, depth + 1);
			lua_setfield(L, -2, k);
		}
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *x;
		lua_createtable(L, (int)json_array_size(v), 0);
		json_array_foreach (v, i, x) {
			push_json(L, x, depth + 1);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		break;
	}
	case JSON_STRING: lua_pushlstring(L, json_string_value(v), json_string_length(v)); break;
	case JSON_INTEGER: lua_pushinteger(L, (lua_Integer)json_integer_value(v)); break;
	case JSON_REAL: lua_pushnumber(L, json_real_value(v)); break;
	case JSON_TRUE:
	case JSON_FALSE: lua_pushboolean(L, json_is_true(v)); break;
	default: lua_pushnil(L); break;
	}
}

/* A rule's call of a plugin function (upvalue: its struct lfn). */
static int
call_fn(lua_State *L)
{
	const struct lfn *f = lua_touserdata(L, lua_upvalueindex(1));
	int nargs = lua_gettop(L);
	struct box *b = lua_newuserdatauv(L, sizeof(*b), 0);
	memset(b, 0, sizeof(*b));
	luaL_setmetatable(L, CALL_MT);
	buf_addc(&b->args, '[');
	for (int i = 1; i <= nargs; i++) {
		if (i > 1)
			buf_addc(&b->args, ',');
		if (put_value(L, i, &b->args, 0) < 0)
			return luaL_error(L, "plugins.%s.%s: argument %d holds %s", f->pl->name,
			                  f->name, i, err_msg());
	}
	buf_addc(&b->args, ']');
	sandbox_charge(L, CALL_COST + b->args.len / 4);
	struct ismsd_call c = { ISMSD_CALL_VERSION, b->args.data, b->args.len,
		                call_result,        call_error,   b };
	f->fn(f->data, &c);
	if (b->error)
		return luaL_error(L, "plugins.%s.%s: %s", f->pl->name, f->name, b->error);
	if (b->result == NULL)
		return 0;
	sandbox_charge(L, b->rlen / 4);
	json_error_t je;
	b->json = json_loadb(b->result, b->rlen, JSON_DECODE_ANY, &je);
	if (b->json == NULL)
		return luaL_error(L,
		                  "plugins.%s.%s returned text that is not "
		                  "JSON: %s",
		                  f->pl->name, f->name, je.text);
	push_json(L, b->json, 0);
	return 1;
}

/* Install the global `plugins` into sb. */
void
plugin_host_extend(struct sandbox *sb, void *arg)
{
	struct plugin_host *h = arg;
	lua_State *L = sandbox_lua(sb);
	if (luaL_newmetatable(L, CALL_MT)) {
		lua_pushcfunction(L, box_gc);
		lua_setfield(L, -2, "__gc");
		lua_pushboolean(L, 0);
		lua_setfield(L, -2, "__metatable");
	}
	lua_pop(L, 1);
	lua_newtable(L);
	for (size_t i = 0; h && i < h->n; i++) {
		struct plug *pl = h->v[i];
		if (pl->st != P_RUNNING || pl->nfns == 0)
			continue;
		lua_createtable(L, 0, (int)pl->nfns);
		for (size_t k = 0; k < pl->nfns; k++) {
			lua_pushlightuserdata(L, &pl->fns[k]);
			lua_pushcclosure(L, call_fn, 1);
			lua_setfield(L, -2, pl->fns[k].name);
		}
		lua_setfield(L, -2, pl->name);
	}
	sandbox_push_readonly(L, -1);
	lua_remove(L, -2);
	sandbox_set_global(sb, "plugins");
}

/* Events from evaluations. */

/* The result of rule id in ev (trying index hint first), or NULL; a rule
 * that was not run has no result. */
static const struct rule_result *
find_result(const struct evaluation *ev, const char *id, size_t hint)
{
	if (ev == NULL)
		return NULL;
	const struct rule_result *r = NULL;
	if (hint < ev->n && strcmp(ev->results[hint].rule->id, id) == 0)
		r = &ev->results[hint];
	for (size_t i = 0; r == NULL && i < ev->n; i++)
		if (strcmp(ev->results[i].rule->id, id) == 0)
			r = &ev->results[i];
	return r && r->status < ST_COUNT ? r : NULL;
}

/* cur's result i, or prev's for that rule when it was not run. */
static const struct rule_result *
effective(const struct evaluation *prev, const struct evaluation *cur, size_t i)
{
	const struct rule_result *r = &cur->results[i];
	if (r->status < ST_COUNT)
		return r;
	return find_result(prev, r->rule->id, i);
}

static json_t *
status_counts(void)
{
	json_t *o = json_object();
	for (int s = 0; s < ST_COUNT; s++)
		json_object_set_new(o, rule_status_name((enum rule_status)s), json_integer(0));
	return o;
}

static void
bump(json_t *counts, enum rule_status st)
{
	const char *name = rule_status_name(st);
	json_int_t v = json_integer_value(json_object_get(counts, name));
	json_object_set_new(counts, name, json_integer(v + 1));
}

static void
count_in(json_t *group, const char *key, enum rule_status st)
{
	json_t *g = json_object_get(group, key);
	if (g == NULL) {
		g = status_counts();
		json_object_set_new(group, key, g);
	}
	bump(g, st);
}

/* Add "conformance" (pass / (pass+fail+warn+error); null when none of
 * those) to each group. */
static void
add_conformance(json_t *group)
{
	const char *k;
	json_t *g;
	json_object_foreach (group, k, g) {
		json_int_t pass = json_integer_value(json_object_get(g, "pass"));
		json_int_t all = pass + json_integer_value(json_object_get(g, "fail")) +
		                 json_integer_value(json_object_get(g, "warn")) +
		                 json_integer_value(json_object_get(g, "error"));
		json_object_set_new(g, "conformance",
		                    all ? json_real((double)pass / (double)all) : json_null());
	}
}

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
rule_ref(const struct rule_info *ri)
{
	return json_pack("{s:s, s:o, s:o, s:o, s:o}", "rule", ri->id, "title",
	                 str_or_null(ri->title), "clause", str_or_null(ri->clause), "control",
	                 str_or_null(ri->control), "theme", str_or_null(ri->theme));
}

static json_t *
evaluation_obj(const struct evaluation *prev, const struct evaluation *cur, double duration,
               int64_t commit_time)
{
	json_t *counts = status_counts(), *clauses = json_object(), *themes = json_object(),
	       *changed = json_array();
	for (size_t i = 0; i < cur->n; i++) {
		const struct rule_result *r = effective(prev, cur, i);
		if (r == NULL)
			continue;
		const struct rule_info *ri = cur->results[i].rule;
		bump(counts, r->status);
		if (ri->clause) {
			char *top = xstrndup(ri->clause, strcspn(ri->clause, "."));
			count_in(clauses, top, r->status);
			free(top);
		}
		if (ri->theme)
			count_in(themes, ri->theme, r->status);
		const struct rule_result *p = find_result(prev, ri->id, i);
		if (p && p->status == r->status)
			continue;
		json_t *c = rule_ref(ri);
		json_object_set_new(c, "status", json_string(rule_status_name(r->status)));
		json_object_set_new(c, "previous",
		                    p ? json_string(rule_status_name(p->status)) : json_null());
		json_object_set_new(c, "findings", json_integer((json_int_t)r->nfindings));
		json_object_set_new(c, "note", str_or_null(r->note));
		json_array_append_new(changed, c);
	}
	add_conformance(clauses);
	add_conformance(themes);
	return json_pack("{s:s, s:I, s:I, s:f, s:o, s:o, s:o, s:o}", "commit", cur->commit, "time",
	                 (json_int_t)cur->now, "commit_time", (json_int_t)commit_time,
	                 "duration_seconds", duration, "counts", counts, "clauses", clauses,
	                 "themes", themes, "changed", changed);
}

char *
plugin_evaluation_json(const struct evaluation *prev, const struct evaluation *cur,
                       double duration_seconds, int64_t commit_time)
{
	json_t *o = evaluation_obj(prev, cur, duration_seconds, commit_time);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s ? s : xstrdup("{}");
}

static int
same_finding(const struct finding *a, const struct finding *b)
{
	return a->line == b->line && strcmp(a->message, b->message) == 0 &&
	       ((a->file == NULL && b->file == NULL) ||
	        (a->file && b->file && strcmp(a->file, b->file) == 0));
}

static int
has_finding(const struct rule_result *r, const struct finding *f)
{
	for (size_t i = 0; r && i < r->nfindings; i++)
		if (same_finding(&r->findings[i], f))
			return 1;
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

static void
emit_finding(struct plugin_host *h, enum ismsd_event_kind kind, const char *repo, uint64_t cursor,
             const char *commit, const struct rule_info *ri, const struct rule_result *r,
             const struct finding *f)
{
	char key[17];
	finding_key(ri->id, f, key);
	json_t *o = rule_ref(ri);
	json_object_set_new(o, "key", json_string(key));
	json_object_set_new(o, "status", json_string(rule_status_name(r->status)));
	json_object_set_new(o, "severity", str_or_null(f->severity));
	json_object_set_new(o, "message", json_string(f->message));
	json_object_set_new(o, "file", str_or_null(f->file));
	json_object_set_new(o, "line", json_integer(f->line));
	json_object_set_new(o, "commit", json_string(commit));
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s)
		plugin_host_emit(h, kind, repo, cursor, s);
	free(s);
}

/* Publish evaluation-finished, then the findings that went away, then
 * those that appeared. */
void
plugin_host_publish_evaluation(struct plugin_host *h, const char *repo, uint64_t cursor,
                               const struct evaluation *prev, const struct evaluation *cur,
                               double duration_seconds, int64_t commit_time)
{
	if (h == NULL || cur == NULL || plugin_host_running(h) == 0)
		return;
	char *s = plugin_evaluation_json(prev, cur, duration_seconds, commit_time);
	plugin_host_emit(h, ISMSD_EV_EVALUATION_FINISHED, repo, cursor, s);
	free(s);
	for (size_t i = 0; prev && i < prev->n; i++) {
		const struct rule_result *p = &prev->results[i];
		if (p->status >= ST_COUNT)
			continue;
		const struct rule_result *r = NULL;
		for (size_t k = 0; r == NULL && k < cur->n; k++)
			if (strcmp(cur->results[k].rule->id, p->rule->id) == 0)
				r = effective(prev, cur, k);
		for (size_t k = 0; k < p->nfindings; k++)
			if (!has_finding(r, &p->findings[k]))
				emit_finding(h, ISMSD_EV_FINDING_RESOLVED, repo, cursor,
				             cur->commit, p->rule, r ? r : p, &p->findings[k]);
	}
	for (size_t i = 0; i < cur->n; i++) {
		const struct rule_result *r = effective(prev, cur, i);
		if (r == NULL || r != &cur->results[i])
			continue;
		const struct rule_result *p = find_result(prev, r->rule->id, i);
		for (size_t k = 0; k < r->nfindings; k++)
			if (!has_finding(p, &r->findings[k]))
				emit_finding(h, ISMSD_EV_FINDING_RAISED, repo, cursor, cur->commit,
				             r->rule, r, &r->findings[k]);
	}
}

/* Events from the daemon's bus topics.
 *
 * The daemon journals every notification (which gives it its cursor) and
 * publishes JSON objects on topics; plugin_host_publish_topic turns them
 * into plugin events. For "results" (verdicts that changed, or all of them
 * when "full") the host keeps each repository's verdicts so that
 * evaluation-finished carries the same counts and per clause and theme
 * summary as plugin_evaluation_json. */

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

static int
status_of(json_t *v)
{
	const char *s = json_string_value(json_object_get(v, "status"));
	for (int i = 0; s && i < ST_COUNT; i++)
		if (strcmp(s, rule_status_name((enum rule_status)i)) == 0)
			return i;
	return -1;
}

/* evaluation-finished from a "results" notification. */
static void
topic_results(struct plugin_host *h, const char *repo, uint64_t cursor, json_t *d)
{
	json_t *rules = repo_verdicts(h, repo), *changed = json_array(), *v;
	size_t i;
	if (json_is_true(json_object_get(d, "full")))
		json_object_clear(rules);
	json_array_foreach (json_object_get(d, "changed"), i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));
		if (id == NULL || status_of(v) < 0)
			continue;
		json_t *old = json_object_get(rules, id);
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
		json_object_set(rules, id, v);
	}
	json_array_foreach (json_object_get(d, "removed"), i, v)
		if (json_is_string(v))
			json_object_del(rules, json_string_value(v));
	json_t *counts = status_counts(), *clauses = json_object(), *themes = json_object();
	const char *id;
	json_object_foreach (rules, id, v) {
		int st = status_of(v);
		const char *cl = json_string_value(json_object_get(v, "clause"));
		const char *th = json_string_value(json_object_get(v, "theme"));
		bump(counts, (enum rule_status)st);
		if (cl) {
			char *top = xstrndup(cl, strcspn(cl, "."));
			count_in(clauses, top, (enum rule_status)st);
			free(top);
		}
		if (th)
			count_in(themes, th, (enum rule_status)st);
	}
	add_conformance(clauses);
	add_conformance(themes);
	json_t *o = json_pack("{s:O?, s:O?, s:O?, s:o, s:o, s:o, s:o}", "commit",
	                      json_object_get(d, "commit"), "commit_time",
	                      json_object_get(d, "commit_time"), "evaluated_at",
	                      json_object_get(d, "evaluated_at"), "counts", counts, "clauses",
	                      clauses, "themes", themes, "changed", changed);
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
			struct finding f = { (char *)msg, NULL, (char *)file,
				             (int)json_integer_value(json_object_get(v, "line")) };
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
