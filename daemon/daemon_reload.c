/* daemon_reload.c - SIGHUP: read the configuration file again and serve
 * what it says: repositories added, removed, moved or retimed, new rule
 * packs, write permissions and limits. A broken file keeps the running
 * configuration. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asof.h"
#include "daemon.h"
#include "shard.h"
#include "daemon_int.h"
#include "bus.h"
#include "checkpoint.h"
#include "engine.h"
#include "headcache.h"
#include "log.h"
#include "server.h"
#include "alloc.h"
#include "err.h"
#include "problems.h"

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Stop serving r (its entry left the file): tell its subscribers with a
 * `status` notification, stop its watch, polling, timers and schedule,
 * and retire its evaluator half behind the jobs still queued for it
 * (they come back to an anchor without a repository). */
static void
repo_remove(struct daemon *d, struct repo *r)
{
	log_info("repository %s: removed from %s; no longer watched, evaluated or served",
	         r->conf.name, d->cfg.file);
	r->health = RH_REMOVED;
	free(r->health_msg);
	r->health_msg = xasprintf("removed from the configuration (%s): ismsd no longer "
	                          "watches, evaluates or serves this repository",
	                          d->cfg.file);
	daemon_publish_status(d, r);
	evaluator_repo_retire(d->ev, r->er, daemon_drop_done, daemon_anchor_get(r->anchor));
	daemon_repo_teardown(r);
}

/* Apply rc to r, served already: new rule packs take effect with the
 * reload's load; a new path, url or ref gets a new evaluator half (the
 * old one is retired behind its queued jobs, whose results are dropped)
 * and its rule packs loaded anew; new intervals restart the watch and
 * the polling. The published verdicts stay, so the first evaluation
 * publishes what differs. Returns 1 when r must be evaluated anew. */
static int
repo_update(struct daemon *d, struct repo *r, const struct repo_conf *rc)
{
	int moved = !same_str(r->conf.path, rc->path) || !same_str(r->conf.url, rc->url) ||
	            !same_str(r->conf.ref, rc->ref);
	int timing = moved || r->conf.poll_interval != rc->poll_interval ||
	             r->conf.fetch_interval != rc->fetch_interval;
	if (timing)
		daemon_watch_stop(r);
	if (moved) {
		log_info("repository %s: now %s%s%s; loading its rule packs and evaluating it anew",
		         rc->name, rc->url ? rc->url : rc->path, rc->ref ? " at " : "",
		         rc->ref ? rc->ref : "");
		evaluator_repo_retire(d->ev, r->er, daemon_drop_done, daemon_anchor_get(r->anchor));
		free(r->gitdir);
		r->gitdir = daemon_gitdir_for(d, rc);
		r->er = evaluator_repo_new(d->ev, r->gitdir, rc->url, rc->ref);
		/* The new half has no rules: the reload's load is its first. */
		json_decref(r->rules);
		r->rules = NULL;
		r->rewritten = 0;
	}
	daemon_free_conf(&r->conf);
	daemon_copy_conf(&r->conf, rc);
	if (timing)
		daemon_watch_setup(d, r);
	return moved;
}

/* Start serving r, added to the file: its schedule, and a `status`
 * notification (pending) so that dashboards learn of it. */
static void
repo_added(struct daemon *d, struct repo *r)
{
	log_info("repository %s: added in %s; watching and evaluating it", r->conf.name,
	         d->cfg.file);
	if (schedule_open(&d->sched, r) < 0)
		log_warnx("%s; its reminders are not sent until ismsd restarts", err_msg());
	r->health_msg = xasprintf("added to the configuration (%s); the first evaluation "
	                          "follows",
	                          d->cfg.file);
	daemon_publish_status(d, r);
}

/* Serve the repositories of nc: keep the ones served already (moved to the
 * new list in nc's order, updated), set up the new ones, remove the rest.
 * d->repos is rebuilt; what points at a repository goes through its
 * anchor and schedule_moved. Returns, per repository of the new list,
 * whether it needs a first evaluation (the caller's; submitted after the
 * rule packs' loads). */
static unsigned char *
apply_repos(struct daemon *d, const struct config *nc)
{
	struct repo *nv = xcalloc(nc->nrepos, sizeof(*nv));
	unsigned char *fresh = xcalloc(nc->nrepos, 1), *added = xcalloc(nc->nrepos, 1);
	for (size_t i = 0; i < d->nrepos; i++)
		if (config_repo(nc, d->repos[i].conf.name) == NULL)
			repo_remove(d, &d->repos[i]);
	for (size_t i = 0; i < nc->nrepos; i++) {
		const struct repo_conf *rc = &nc->repos[i];
		struct repo *old = NULL;
		for (size_t k = 0; k < d->nrepos && old == NULL; k++)
			if (d->repos[k].conf.name && strcmp(d->repos[k].conf.name, rc->name) == 0)
				old = &d->repos[k];
		if (old) {
			nv[i] = *old;
			nv[i].anchor->r = &nv[i];
			schedule_moved(old, &nv[i]);
			/* Moved: the old slot is searched no more. */
			memset(old, 0, sizeof(*old));
			fresh[i] = (unsigned char)repo_update(d, &nv[i], rc);
		} else {
			daemon_repo_setup(d, &nv[i], rc);
			fresh[i] = added[i] = 1;
		}
	}
	free(d->repos);
	d->repos = nv;
	d->nrepos = nc->nrepos;
	for (size_t i = 0; i < d->nrepos; i++)
		if (added[i])
			repo_added(d, &d->repos[i]);
	free(added);
	return fresh;
}

static int
same_listen(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Take the settings a reload may change from the new configuration, and
 * its repositories. Returns what apply_repos returns. */
static unsigned char *
adopt(struct daemon *d, struct config *nc)
{
	log_set_level(nc->log_level);
	struct server_opts so = daemon_server_opts(nc);
	server_set_limits(d->srv, &so);
	if (d->http && nc->http_tokens) {
		free(d->cfg.http_tokens);
		d->cfg.http_tokens = nc->http_tokens;
		nc->http_tokens = NULL;
		d->cfg.http_max_clients = nc->http_max_clients;
		struct http_opts ho = daemon_http_opts(nc);
		ho.tokens = d->cfg.http_tokens;
		if (http_reload(d->http, &ho) < 0)
			log_warnx("http: %s; the previous tokens stay", err_msg());
	}
	if (!same_listen(d->cfg.http_listen, nc->http_listen))
		log_warnx("%s: the http listen address changed; restart ismsd to apply it",
		          d->cfg.file);
	d->cfg.log_level = nc->log_level;
	d->cfg.max_clients = nc->max_clients;
	d->cfg.max_clients_per_user = nc->max_clients_per_user;
	d->cfg.idle_timeout = nc->idle_timeout;
	d->cfg.subscriber_buffer = nc->subscriber_buffer;
	d->cfg.eval_timeout = nc->eval_timeout;
	engine_set_eval_deadline((uint32_t)nc->eval_timeout * 1000u);
	d->cfg.asof_cache = nc->asof_cache;
	asof_set_capacity(d->asof, (size_t)nc->asof_cache);
	d->cfg.model_cache = nc->model_cache;
	headcache_set_budget(d->heads, (size_t)nc->model_cache << 20);
	/* A repository's place or rule packs may have changed under its name. */
	asof_forget(d->asof, NULL);
	checkpoint_set_full_every(bus_checkpoints(d->bus), (unsigned)nc->checkpoint_full_every);
	if (nc->eval_threads != d->cfg.eval_threads)
		log_warnx("%s: eval_threads changed; restart ismsd to apply it (%d workers "
		          "stay)",
		          nc->file, d->cfg.eval_threads);
	free(d->cfg.write_uids);
	free(d->cfg.write_gids);
	d->cfg.write_uids = nc->write_uids;
	d->cfg.nwrite_uids = nc->nwrite_uids;
	d->cfg.write_gids = nc->write_gids;
	d->cfg.nwrite_gids = nc->nwrite_gids;
	d->cfg.write_set = nc->write_set;
	nc->write_uids = NULL;
	nc->write_gids = NULL;
	free(d->cfg.rules);
	d->cfg.rules = nc->rules;
	nc->rules = NULL;
	if (!config_plugins_equal(&d->cfg, nc))
		log_warnx("%s: the plugins changed; restart ismsd to apply them "
		          "(the running ones stay)",
		          nc->file);
	unsigned char *fresh = apply_repos(d, nc);
	/* Keep the served list (with the --repo ones) for the next reload. */
	struct repo_conf *t = d->cfg.repos;
	size_t tn = d->cfg.nrepos;
	d->cfg.repos = nc->repos;
	d->cfg.nrepos = nc->nrepos;
	nc->repos = t;
	nc->nrepos = tn;
	return fresh;
}

/* A relative path of the file, taken from the current directory as the
 * first load's were (ismsd.c). */
static void
absolute_path(char **p)
{
	char cwd[4096];
	if (*p == NULL || (*p)[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return;
	char *a = xasprintf("%s/%s", cwd, *p);
	free(*p);
	*p = a;
}

/* Read the file again into nc, add the running --repo repositories, and
 * check the whole as at start. Returns 0, or -1 with errs and err_msg(). */
static int
read_config(struct daemon *d, struct config *nc, struct problems *errs)
{
	config_defaults(nc);
	if (config_load(d->cfg.file, nc, errs) < 0)
		return -1;
	absolute_path(&nc->rules);
	for (size_t i = 0; i < nc->nrepos; i++) {
		absolute_path(&nc->repos[i].path);
		absolute_path(&nc->repos[i].rules);
	}
	for (size_t i = 0; i < d->cfg.nrepos; i++) {
		if (!d->cfg.repos[i].from_flag)
			continue;
		nc->repos = xreallocarray(nc->repos, nc->nrepos + 1, sizeof(*nc->repos));
		daemon_copy_conf(&nc->repos[nc->nrepos++], &d->cfg.repos[i]);
	}
	if (shard_apply(nc, errs) < 0 || config_check(nc, errs) < 0)
		return err_set("%s: %s", d->cfg.file, err_msg());
	return 0;
}

void
daemon_reload(struct daemon *d)
{
	unsigned char *fresh = NULL;
	free(d->config_error);
	d->config_error = NULL;
	if (d->cfg.file) {
		struct config nc;
		struct problems errs = { 0 };
		if (read_config(d, &nc, &errs) < 0) {
			for (size_t i = 0; i < errs.n; i++)
				log_warnx("%s:%d: %s",
				          errs.v[i].path ? errs.v[i].path : d->cfg.file,
				          errs.v[i].line, errs.v[i].msg);
			d->config_error = xstrdup(err_msg());
			log_warnx("%s; the previous configuration keeps running", d->config_error);
		} else {
			fresh = adopt(d, &nc);
		}
		problems_free(&errs);
		config_free(&nc);
	}
	d->load_gen++;
	for (size_t i = 0; i < d->nrepos; i++) {
		daemon_submit_load(d, &d->repos[i]);
		if (fresh && fresh[i])
			daemon_submit_head(d, &d->repos[i], 1, NULL);
	}
	free(fresh);
}
