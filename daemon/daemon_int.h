/* daemon_int.h - what daemon.c and daemon_reload.c share: the daemon
 * itself, the anchor its repositories' timers and jobs point at, and the
 * steps of serving a repository. Private to daemon/daemon*.c; loop
 * thread only. */
#ifndef ISMS_DAEMON_INT_H
#define ISMS_DAEMON_INT_H

#include <event2/event.h>
#include <stdint.h>

#include "config.h"
#include "evaluator.h"
#include "http.h"
#include "repo.h"
#include "rpc.h"
#include "schedule.h"

struct daemon {
	struct event_base *base;
	struct config cfg;
	struct journal *journal;
	struct bus *bus;
	struct evaluator *ev;
	struct asof *asof;       /* as-of evaluations the journal lacks (asof.h) */
	struct headcache *heads; /* heads' records kept between commits */
	struct server *srv;
	struct http *http;  /* the HTTP API and dashboard, or NULL */
	struct repo *repos; /* rebuilt by a reload: hold no pointer across */
	size_t nrepos;
	int64_t clock_offset; /* seconds added to the system clock (--now) */
	int frozen;           /* --frozen-clock: the clock is frozen_at */
	int64_t frozen_at;
	int64_t started;
	char *config_error; /* why the last reload was refused, or NULL */
	int stopping;       /* finished jobs are only freed now */
	struct event *sig[4];
	struct plugin_host *plugins; /* the C plugins; kept across reloads */
	struct bus_sub *plugin_sub;  /* their subscription to the bus */
	struct rpc_env rpc;          /* what the socket's methods work with */
	struct schedule_env sched;   /* what the scheduler works with */
	struct signer *signer;       /* sign_key: signs each commits notification */
	unsigned load_gen;           /* of the rule packs' loads: start-up, each reload */
};

/* What the timers, the ref watch and the evaluation jobs of a repository
 * point at. A reload that adds or removes repositories rebuilds d->repos,
 * so they cannot point into it: r follows the repository to its new slot
 * and is NULL once the repository is removed. refs counts the repository
 * itself (until it is removed or the daemon stops) and each of its jobs
 * not yet back; the anchor is freed at zero, so a job that comes back
 * after its repository was removed still finds it. Loop thread only. */
struct repo_anchor {
	struct daemon *d;
	struct repo *r;
	size_t refs;
};

struct repo_anchor *daemon_anchor_get(struct repo_anchor *a);
void daemon_anchor_put(struct repo_anchor *a);
/* Publish r's health on the `status` topic. */
void daemon_publish_status(struct daemon *d, struct repo *r);
/* The done() of a retired evaluator half's job (evaluator_repo_retire);
 * arg: an anchor reference. */
void daemon_drop_done(struct ev_job *j, void *arg);
/* Start and stop noticing r's changes (watch.h). */
void daemon_watch_setup(struct daemon *d, struct repo *r);
void daemon_watch_stop(struct repo *r);
/* The git directory evaluated for rc: its path, or the mirror of its url.
 * The caller's. */
char *daemon_gitdir_for(const struct daemon *d, const struct repo_conf *rc);
void daemon_copy_conf(struct repo_conf *dst, const struct repo_conf *src);
void daemon_free_conf(struct repo_conf *c);
/* Set up r to serve rc: its anchor, evaluator half, timers and watch. */
void daemon_repo_setup(struct daemon *d, struct repo *r, const struct repo_conf *rc);
/* Free what r holds on the loop thread and let go of its anchor. */
void daemon_repo_teardown(struct repo *r);
/* Queue a load of r's rule packs. */
/* The server's side of configuration c (borrowed strings): limits, with
 * max_clients_per_user defaulting to half of max_clients. */
struct server_opts daemon_server_opts(const struct config *c);
/* The HTTP server's side of configuration c (borrowed strings). */
struct http_opts daemon_http_opts(const struct config *c);
void daemon_submit_load(struct daemon *d, struct repo *r);
/* Queue an evaluation of r's head; like (or NULL) gives who waits for it
 * besides: its reply, reply_arg, client and req_id are taken. */
void daemon_submit_head(struct daemon *d, struct repo *r, int fetch, struct ev_job *like);

#endif
