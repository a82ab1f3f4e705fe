/* plugin.h - the daemon's side of the C plugin ABI (sdk/include/ismsd/
 * plugin.h): load plugins, give each a thread, an event base and a
 * bounded queue, hand them events, install their rule functions into
 * evaluation sandboxes, and stop them. */
#ifndef ISMS_PLUGIN_H
#define ISMS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <ismsd/plugin.h>
#include <jansson.h>

#include "engine.h"
#include "sandbox.h"

/* One configured plugin. Every string is borrowed for the duration of
 * plugin_host_load only. */
struct plugin_conf {
	const char *name;   /* instance name; NULL: the plugin's own name */
	const char *path;   /* the shared object */
	const char *config; /* its section as a JSON object; NULL: {} */
	size_t queue_max;   /* events held for it; 0: PLUGIN_QUEUE_DEFAULT */
	const char *origin; /* "ismsd.conf:12", for messages; may be NULL */
};
#define PLUGIN_QUEUE_DEFAULT    1024
#define PLUGIN_DRAIN_DEFAULT_MS 5000

struct plugin_host;

/* Load, check and start every plugin in c[0..n-1]. Never fails as a
 * whole: a plugin that does not load, has another ABI version or whose
 * init fails is logged and reported by plugin_host_status, and the others
 * run. Each running plugin's init and register_lua have returned when
 * this returns. The result is the caller's (plugin_host_free). Call it
 * from one thread; it blocks while the plugins' init hooks run. */
struct plugin_host *plugin_host_load(const struct plugin_conf *c, size_t n);
/* For ismsd -t: load every plugin and call its init with the host's
 * check_only set, on this thread; start no thread and run no base.
 * register_lua is called, on_event never; plugin_host_free calls
 * shutdown. Failures are reported as by plugin_host_load. */
struct plugin_host *plugin_host_check(const struct plugin_conf *c, size_t n);
/* How many of the configured plugins failed to load or init. */
size_t plugin_host_failed(const struct plugin_host *h);
/* How many are running. */
size_t plugin_host_running(const struct plugin_host *h);

/* Queue ev for every running plugin that wants its kind. Never blocks on
 * a plugin: the event is copied, and a full queue drops its oldest event
 * (counted). ev->version, kind, repo, cursor, payload (a JSON object) and
 * time (0: now) are read; ev->json is built here. Any thread. */
void plugin_host_publish(struct plugin_host *h, const struct ismsd_event *ev);
/* The same from parts. */
void plugin_host_emit(struct plugin_host *h, enum ismsd_event_kind kind, const char *repo,
                      uint64_t cursor, const char *payload);

/* Turn one journaled bus notification into plugin events: "results"
 * (changed verdicts; the host keeps each repository's verdicts) becomes
 * evaluation-finished with counts and the per clause and theme summary,
 * "findings" one finding-raised per added and one finding-resolved per
 * resolved finding, "commits" commit-seen and "reminders" reminder-due,
 * each with data (borrowed) as payload; other topics are ignored. cursor
 * is the journal's. Any one thread at a time (a lock keeps it safe). */
void plugin_host_publish_topic(struct plugin_host *h, const char *repo, const char *topic,
                               uint64_t cursor, json_t *data);

/* The plugins' state as a JSON array text, the caller's to free: name,
 * path, version, state (running, failed, stopped), error, queue counters
 * and the stats the plugin published. Any thread. */
char *plugin_host_status(struct plugin_host *h);

/* Install the global `plugins` (plugins.<instance>.<fn>) into sb: pass
 * as an engine extension (engine_opts.extend = plugin_host_extend,
 * extend_arg = host). h may be NULL (an empty table). The host must
 * outlive every engine it was given to. */
void plugin_host_extend(struct sandbox *sb, void *h);

/* Stop every plugin: let each thread work through its queue for up to
 * drain_ms (0: PLUGIN_DRAIN_DEFAULT_MS), call shutdown, dlclose. A plugin
 * still stuck in a hook after that is abandoned (logged; its object stays
 * mapped). No engine given this host may evaluate any more. NULL is a
 * no-op. */
void plugin_host_free(struct plugin_host *h, unsigned drain_ms);

#endif
