/* config.h - the daemon's configuration: a YAML file (docs/ismsd.conf.md)
 * plus the command-line flags that override it. */
#ifndef ISMS_CONFIG_H
#define ISMS_CONFIG_H

#include <stddef.h>
#include <sys/types.h>

#include "log.h"
#include "paths.h"
#include "problems.h"

#define ISMSD_MAX_REPOS   4096
#define ISMSD_MAX_PLUGINS 64

/* One C plugin to load (docs/ismsd.conf.md, plugins). */
struct plugin_entry {
	char *name;       /* instance name; NULL: the plugin's own */
	char *path;       /* the shared object, absolute (bare names resolved) */
	char *config;     /* its config section as JSON object text */
	size_t queue_max; /* events held for it; 0: the default */
	char *origin;     /* "file:line" of the entry */
};

/* One ISMS repository the daemon serves. */
struct repo_conf {
	char *name;         /* unique, [A-Za-z0-9._-]+ */
	char *path;         /* a local repository, or NULL */
	char *url;          /* a remote mirrored into the state directory, or NULL */
	char *ref;          /* branch, tag or commit evaluated; NULL: HEAD */
	char *rules;        /* rule packs; NULL: the daemon's */
	int poll_interval;  /* seconds between ref checks (local); 0: never */
	int fetch_interval; /* seconds between fetches (remote) */
	int from_flag;      /* added by --repo: a reload of the file keeps it */
	int line;           /* where the entry starts in the file; 0: a flag */
};

struct config {
	char *file;                       /* the file loaded, or NULL */
	char *socket;                     /* Unix socket path */
	char *listen_tcp;                 /* "127.0.0.1:PORT", or NULL */
	int socket_line, listen_tcp_line; /* where they are set in the file; 0: not */
	char *state_dir;
	char *pidfile; /* NULL: none */
	char *rules;   /* default rule packs directory */
	enum log_level log_level;
	int syslog;
	size_t max_clients;
	size_t max_clients_per_user; /* 0: half of max_clients */
	int idle_timeout;            /* seconds; 0: never */
	int eval_threads;            /* evaluation workers (at start only) */
	int eval_timeout;            /* seconds an evaluation's rules may take; 0: no bound */
	int asof_cache;              /* as-of evaluations kept (asof.h) */
	int model_cache;             /* MiB of heads' records kept (headcache.h) */
	int checkpoint_full_every;   /* every k-th checkpoint full, the others differences */
	size_t max_message;          /* bytes per request line */
	size_t subscriber_buffer;    /* bytes queued to one client before it is dropped */
	uid_t *write_uids;           /* who may call write methods */
	size_t nwrite_uids;
	gid_t *write_gids;
	size_t nwrite_gids;
	int write_set; /* write_users or write_groups given */
	/* The HTTP API and dashboard (docs/dashboard.md); off without listen. */
	char *http_listen;       /* "127.0.0.1:PORT", or NULL */
	char *http_tokens;       /* the bearer token file */
	int http_allow_remote;   /* a non-loopback http listen is allowed */
	size_t http_max_clients; /* 0: max_clients */
	struct repo_conf *repos;
	size_t nrepos;
	struct plugin_entry *plugins;
	size_t nplugins;
	char *shard;          /* "I/N" as written, or NULL (shard.h) */
	int shard_line;       /* its line in the file */
	unsigned shard_index; /* this member's shard, set by shard_apply */
	unsigned shard_count; /* 0 or 1: no sharding */
	size_t shard_others;  /* repositories left to other shards */
	char *sign_key;       /* minisign secret key signing commits; NULL: none */
};

/* Fill c with the defaults (no repositories). */
void config_defaults(struct config *c);
/* Read the YAML file path into c (on top of what c holds). Every problem
 * goes to errs as "file:line: what"; fails (-1) when there is any. */
int config_load(const char *path, struct config *c, struct problems *errs);
/* Free what r holds (not r). */
void config_repo_free(struct repo_conf *r);
/* Add a local repository named after its directory (the --repo flag). */
void config_add_path(struct config *c, const char *path);
/* Check what the file and the flags gave together (names unique, each
 * repository a path or a URL, at least one). */
int config_check(const struct config *c, struct problems *errs);
/* The repository named name, or the only one when name is NULL. */
const struct repo_conf *config_repo(const struct config *c, const char *name);
/* Where a bare plugin name is looked up: build/plugins beside the build
 * tree the binary runs from, else lib/ismsd/plugins of the installed tree
 * it runs from (PREFIX/bin/../lib/ismsd), else ISMS_LIBDIR/plugins.
 * Borrowed. */
const char *config_plugin_dir(void);
/* Whether a and b configure the same plugins in the same order. */
int config_plugins_equal(const struct config *a, const struct config *b);
void config_free(struct config *c);

#endif
