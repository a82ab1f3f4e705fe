/* ismsd/plugin.h - the C plugin ABI of ismsd.
 *
 * A plugin is a shared object that exports exactly one symbol, the data
 * object `ismsd_plugin` (ISMSD_PLUGIN_SYMBOL). The daemon dlopen()s the
 * file (RTLD_NOW | RTLD_LOCAL), reads `abi_version`, the first field, and
 * refuses the plugin unless it equals the daemon's ISMSD_PLUGIN_ABI_VERSION.
 * Nothing else in the object is touched before that check.
 *
 * Every public struct starts with a version field. A plugin sets the
 * version of the structs it fills in (ismsd_plugin.abi_version); the
 * daemon sets the version of the structs it hands out (ismsd_host,
 * ismsd_event, ismsd_lua_reg, ismsd_call). A field is only ever added at
 * the end of a struct together with a version bump, so a plugin can test
 * `host->version >= N` before using a newer field.
 *
 * Checking. `ismsd -t` loads every configured plugin and calls its init
 * with host->check_only set (struct ismsd_host, version 2): the plugin
 * parses its configuration and reports problems, but binds, connects
 * and starts nothing. A plugin built against host version 1 does not
 * know the flag; it is initialised as usual, on the checking thread.
 *
 * Threads. Each plugin gets a thread of its own that runs a libevent
 * event_base of its own. init, register_lua, on_event and shutdown are all
 * called on that thread, one at a time, never on the daemon's event loop.
 * (ismsd -t calls init, register_lua and shutdown on its own thread and
 * starts none.) A plugin does slow work by adding events (timers, sockets, HTTP clients
 * and servers) to host->base(host) from these hooks: the base keeps
 * running between events. A hook that blocks only delays that plugin's
 * own queue; when the queue is full the oldest event is dropped and
 * counted in the daemon's status. The one exception is the functions a
 * plugin registers for rules (ismsd_lua_fn): they run on an evaluation
 * thread (one call of them at a time, whichever thread it is),
 * concurrently with the plugin's thread, and must protect any state they
 * share with it.
 *
 * Plugins run inside the daemon's process: a crash in a plugin (a
 * segmentation fault, abort(), exit()) ends the daemon. A plugin must not
 * change process-wide state: signal dispositions, the working directory,
 * the environment, or reap children it did not start (waitpid(-1)).
 */
#ifndef ISMSD_PLUGIN_H
#define ISMSD_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes. Bumped on any incompatible change. */
#define ISMSD_PLUGIN_ABI_VERSION 1
/* The one symbol a plugin exports: `const struct ismsd_plugin ismsd_plugin`. */
#define ISMSD_PLUGIN_SYMBOL "ismsd_plugin"

/* Versions of the structs the daemon hands to plugins. */
#define ISMSD_HOST_VERSION    2
#define ISMSD_EVENT_VERSION   1
#define ISMSD_LUA_REG_VERSION 1
#define ISMSD_CALL_VERSION    1

struct event_base; /* libevent */

/* What happened. Each kind's payload is a JSON object documented in
 * docs/writing-plugins.md. */
enum ismsd_event_kind {
	ISMSD_EV_EVALUATION_FINISHED = 1, /* counts, summary, changed verdicts */
	ISMSD_EV_FINDING_RAISED = 2,      /* a finding that was not there before */
	ISMSD_EV_FINDING_RESOLVED = 3,    /* a finding that went away */
	ISMSD_EV_REMINDER_DUE = 4,        /* a scheduled reminder fired */
	ISMSD_EV_COMMIT_SEEN = 5,         /* a new commit on the watched ref */
};
#define ISMSD_EV_MAX 5
/* A bit for the `events` mask of struct ismsd_plugin. */
#define ISMSD_EV_BIT(kind) (1u << (kind))

/* The name of an event kind ("finding-raised"), or NULL. */
static inline const char *
ismsd_event_name(uint32_t kind)
{
	static const char *const names[ISMSD_EV_MAX + 1] = {
		0,
		"evaluation-finished",
		"finding-raised",
		"finding-resolved",
		"reminder-due",
		"commit-seen",
	};
	return kind >= 1 && kind <= ISMSD_EV_MAX ? names[kind] : 0;
}

/* The kind named s, or 0. */
static inline uint32_t
ismsd_event_kind(const char *s)
{
	for (uint32_t k = 1; s && k <= ISMSD_EV_MAX; k++) {
		const char *n = ismsd_event_name(k), *p = s;
		while (*n && *n == *p)
			n++, p++;
		if (*n == '\0' && *p == '\0')
			return k;
	}
	return 0;
}

/* One event. Borrowed: valid only during the on_event call; copy what
 * you keep. */
struct ismsd_event {
	uint32_t version;    /* ISMSD_EVENT_VERSION */
	uint32_t kind;       /* enum ismsd_event_kind */
	const char *repo;    /* repository name from the configuration */
	uint64_t cursor;     /* position in the repository's history:
	                      * (repo, cursor, kind) identifies the event
	                      * (with data.key for finding events), so a
	                      * consumer can drop duplicates */
	int64_t time;        /* when it happened, Unix seconds */
	const char *payload; /* JSON object, the kind's data */
	const char *json;    /* the whole event as one JSON object:
	                      * {"event", "repo", "cursor", "time", "data"} */
	size_t json_len;
};

enum ismsd_log_level {
	ISMSD_LOG_ERR,
	ISMSD_LOG_WARN,
	ISMSD_LOG_INFO,
	ISMSD_LOG_DEBUG,
};

/* What the daemon offers a plugin. Borrowed: valid from init until
 * shutdown returns. Every function may be called from the plugin's
 * thread; log and stat also from its rule functions. */
struct ismsd_host {
	uint32_t version;     /* ISMSD_HOST_VERSION */
	const char *instance; /* this instance's name in the config */
	const char *daemon_version;
	/* Log a line, prefixed with the instance name. Warnings and errors
	 * also show in the daemon's status as the plugin's last message. */
	void (*log)(const struct ismsd_host *h, int level, const char *fmt, ...)
	        __attribute__((format(printf, 3, 4)));
	/* The plugin's own event base, run by its thread. Add events to it
	 * from the hooks; free every one of them in shutdown. */
	struct event_base *(*base)(const struct ismsd_host *h);
	/* Publish a named counter or gauge in the daemon's status (for
	 * example "delivered", "retries"). name is copied. By convention
	 * "dropped" counts what the plugin lost after it took an event
	 * (ismsctl status adds it to the events the daemon's queue
	 * dropped) and "queued" what waits in the plugin. */
	void (*stat)(const struct ismsd_host *h, const char *name, int64_t value);
	void *host_data; /* the daemon's; do not touch */
	/* Version 2 (test host->version >= 2 first). Nonzero when the
	 * daemon only checks the configuration (ismsd -t, while the real
	 * daemon may be running): init must validate its configuration and
	 * return without binding ports, connecting, starting processes or
	 * adding events to the base. It is then called on the checking
	 * thread, no event is delivered, register_lua may be called, and
	 * shutdown follows. */
	int check_only;
};

/* A call from a rule into a plugin function. Borrowed: valid during the
 * ismsd_lua_fn call only. */
struct ismsd_call {
	uint32_t version; /* ISMSD_CALL_VERSION */
	const char *args; /* the arguments as a JSON array */
	size_t args_len;
	/* Set the return value from JSON text (copied; at most 4 MiB). A
	 * function that sets none returns nil. */
	void (*result)(struct ismsd_call *c, const char *json, size_t len);
	/* Fail the call: the rule gets a Lua error with this message and ends
	 * as `error` unless it catches it. */
	void (*error)(struct ismsd_call *c, const char *msg);
	void *host_data; /* the daemon's; do not touch */
};

/* A function rules call as plugins.<instance>.<name>(...). Runs on the
 * evaluation thread, inside the rule's budget: the call is charged for
 * the size of its arguments and result, and the result counts against the
 * rule's memory cap. It must return quickly: serve from state kept up to
 * date by the plugin's thread (locked), never wait on the network. */
typedef void (*ismsd_lua_fn)(void *data, struct ismsd_call *call);

/* Given to register_lua. Borrowed: valid during that call only. */
struct ismsd_lua_reg {
	uint32_t version; /* ISMSD_LUA_REG_VERSION */
	/* Register fn under name ([A-Za-z_][A-Za-z0-9_]*, at most 64 bytes);
	 * data is passed back to it. doc (copied, may be NULL) says what it
	 * does. Returns 0, or -1 for a bad or duplicate name. */
	int (*add_function)(const struct ismsd_lua_reg *reg, const char *name, ismsd_lua_fn fn,
	                    void *data, const char *doc);
	void *host_data; /* the daemon's; do not touch */
};

/* The plugin's description, exported as `ismsd_plugin`. */
struct ismsd_plugin {
	uint32_t abi_version;    /* ISMSD_PLUGIN_ABI_VERSION: required */
	const char *name;        /* short name, required */
	const char *version;     /* the plugin's own version, required */
	const char *description; /* one line, may be NULL */
	/* Bits ISMSD_EV_BIT(kind) of the events wanted; 0 means all. */
	uint32_t events;
	/* Required. Parse config (the plugin's configuration section as a
	 * JSON object, borrowed, never NULL) and set *state (the plugin's,
	 * passed to every other hook). Return 0, or -1 after logging why
	 * through host->log: the plugin is then reported as failed and not
	 * called again (shutdown is not called). */
	int (*init)(const struct ismsd_host *host, const char *config, void **state);
	/* Optional. Register functions for rules; called once, right after a
	 * successful init. Return 0 or -1 (the plugin is then failed and its
	 * shutdown is called). */
	int (*register_lua)(void *state, const struct ismsd_lua_reg *reg);
	/* Optional. One event; see struct ismsd_event for lifetimes. */
	void (*on_event)(void *state, const struct ismsd_event *ev);
	/* Optional. Free state and every event added to the base. Called
	 * once, after the last on_event. Registered functions are never
	 * called after it. */
	void (*shutdown)(void *state);
};

/* What a plugin defines (and nothing else non-static):
 *   const struct ismsd_plugin ismsd_plugin = { ISMSD_PLUGIN_ABI_VERSION, ... }; */
extern const struct ismsd_plugin ismsd_plugin;

#ifdef __cplusplus
}
#endif

#endif
