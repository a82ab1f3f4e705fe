/* plugin_int.h - what the pieces of the plugin host share: a loaded
 * plugin, its queue and its rule functions, and the host. Private to
 * daemon/plugin*.c: plugin.c loads, checks and frees, plugin_queue.c runs
 * each plugin's thread and queue and turns bus notifications into events,
 * plugin_lua.c marshals rule function calls between Lua and JSON. */
#ifndef ISMS_PLUGIN_INT_H
#define ISMS_PLUGIN_INT_H

#include <ismsd/plugin.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>

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
	int checked; /* ismsd -t: init ran on the caller's thread, no thread */
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
	int check_only;     /* plugin_host_check */
	pthread_mutex_t mu; /* for the verdicts of publish_topic */
	struct verdicts *repos;
	size_t nrepos;
};

/* The plugin's thread: init, register_lua, the loop, shutdown (arg: its
 * struct plug). */
void *plugin_run(void *arg);
void plugin_qev_free(struct qev *e);
/* The oldest event of pl's queue, or NULL; the caller's. Under pl->mu. */
struct qev *plugin_qpop(struct plug *pl);
/* The event base, the pipe and the thread of pl; waits for its init.
 * Returns 0, or -1 with err_msg(). */
int plugin_start(struct plug *pl);
/* Register a rule function for the plugin (its thread, in register_lua):
 * ismsd_host's register_lua hook. */
int plugin_reg_add(const struct ismsd_lua_reg *reg, const char *name, ismsd_lua_fn fn, void *data,
                   const char *doc);
/* Tell a running plugin to stop and wait for its thread; 0, or -1 when
 * it is stuck in a hook. */
int plugin_stop(struct plug *pl, unsigned drain_ms);

#endif
