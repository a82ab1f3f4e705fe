/* plugin.c - load C plugins and run each on a thread of its own.
 *
 * A plugin is loaded in three steps, each refusing it with a message that
 * names the file: dlopen, the one symbol, the ABI version (read before
 * anything else of the plugin is used). Then the host creates an event
 * base and a wake-up pipe for it and starts its thread, which calls init
 * and register_lua and runs the base. plugin_host_publish copies an event
 * into each plugin's bounded queue (dropping the oldest when full) and
 * writes a byte to its pipe; the thread takes a few events per wake-up so
 * that the plugin's own timers and sockets keep running in between.
 * This file loads, checks, reports and frees; the threads and queues are
 * plugin_queue.c's, the rule functions plugin_lua.c's. */
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
#include "plugin_int.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "utf8.h"

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
int
plugin_reg_add(const struct ismsd_lua_reg *reg, const char *name, ismsd_lua_fn fn, void *data,
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
	rc = plugin_start(pl);
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
	while ((e = plugin_qpop(pl)) != NULL)
		plugin_qev_free(e);
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
		if (pl->st == P_RUNNING && plugin_stop(pl, drain_ms) < 0)
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
