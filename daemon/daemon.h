/* daemon.h - the daemon as one object: configuration, journal and bus,
 * the repositories it serves, the evaluation thread and the socket, tied
 * together on one libevent loop. ismsd.c is its command line. */
#ifndef ISMS_DAEMON_H
#define ISMS_DAEMON_H

#include <event2/event.h>
#include <stdint.h>

#include "bus.h"
#include "config.h"
#include "evaluator.h"
#include "journal.h"
#include "repo.h"
#include "server.h"

struct plugin_host;

struct daemon {
	struct event_base *base;
	struct config cfg;
	struct journal *journal;
	struct bus *bus;
	struct evaluator *ev;
	struct server *srv;
	struct repo *repos; /* rebuilt by a reload: hold no pointer across */
	size_t nrepos;
	int64_t clock_offset; /* seconds added to the system clock (--now) */
	int64_t started;
	char *config_error; /* why the last reload was refused, or NULL */
	int stopping;       /* finished jobs are only freed now */
	struct event *sig[4];
	struct plugin_host *plugins; /* the C plugins; kept across reloads */
	struct bus_sub *plugin_sub;  /* their subscription to the bus */
};

/* Start serving cfg (stolen: d owns it from now on, also on failure).
 * offset shifts the clock. Returns 0, or -1 with err_msg(). */
int daemon_start(struct daemon *d, struct event_base *base, struct config *cfg, int64_t offset);
/* Close clients, stop the evaluation thread, free everything. */
void daemon_stop(struct daemon *d);
/* The daemon's clock. */
int64_t daemon_now(const struct daemon *d);
/* The repository named name; NULL name: the only one. NULL when none. */
struct repo *daemon_repo(struct daemon *d, const char *name);
/* Evaluate r's head soon (fetch first when fetch is set and r is remote). */
void daemon_kick(struct daemon *d, struct repo *r, int fetch);
/* Queue an evaluation of r's head whose job reports to the caller too:
 * job->client and job->req_id are kept, and rpc_finish() is called. */
void daemon_sync(struct daemon *d, struct repo *r, uint64_t client, json_t *req_id);
/* Re-read the configuration file and the rule packs (SIGHUP): serve the
 * repositories added to the file, stop serving the removed ones, apply a
 * changed path, url, ref, rules or interval. A broken file or pack keeps
 * the old one running, reported in status and the log. */
void daemon_reload(struct daemon *d);
/* ismsd -t: check cfg and every repository's rule packs; print problems
 * as file:line to stderr. Returns 0 when all is well. */
int daemon_check(const struct config *cfg);

#endif
