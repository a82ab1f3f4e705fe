/* daemon.c - start-up, change detection, publishing what changed, reload
 * and shutdown. Everything here runs on the loop thread; evaluation jobs
 * go to the evaluator and come back finished. */
#include "daemon.h"
#include "daemon_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "asof.h"
#include "bus.h"
#include "checkpoint.h"
#include "date.h"
#include "engine.h"
#include "evaluator.h"
#include "headcache.h"
#include "journal.h"
#include "log.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "problems.h"
#include "notify.h"
#include "plugin.h"
#include "repo.h"
#include "rpc.h"
#include "sandbox.h"
#include "schedule.h"
#include "server.h"
#include "signer.h"
#include "verdict.h"
#include "watch.h"
#include "escape.h"
#include "cdefs.h"

/* The daemon's clock. */
static int64_t
daemon_now(const struct daemon *d)
{
	return d->frozen ? d->frozen_at : (int64_t)time(NULL) + d->clock_offset;
}

void
daemon_publish_status(struct daemon *d, struct repo *r)
{
	json_t *o = json_pack("{s:s, s:s?, s:s?}", "health", repo_health_name(r->health), "message",
	                      r->health_msg, "rules_error", r->rules_error);
	if (bus_publish(d->bus, r->conf.name, "status", daemon_now(d), o) == 0)
		log_warnx("%s", err_msg());
	json_decref(o);
}

static void
set_health(struct daemon *d, struct repo *r, enum repo_health h, const char *msg)
{
	int same = r->health == h && ((msg == NULL && r->health_msg == NULL) ||
	                              (msg && r->health_msg && strcmp(msg, r->health_msg) == 0));
	if (same)
		return;
	if (h != RH_OK)
		log_warnx("repository %s: %s%s%s", r->conf.name, repo_health_name(h),
		          msg ? ": " : "", msg ? msg : "");
	else if (r->health != RH_PENDING)
		log_info("repository %s: healthy again", r->conf.name);
	r->health = h;
	free(r->health_msg);
	r->health_msg = msg ? xstrdup(msg) : NULL;
	daemon_publish_status(d, r);
}

static void
publish_findings(struct daemon *d, struct repo *r, const char *commit, json_t *old, json_t *v)
{
	json_t *added, *resolved;
	if (verdict_findings_diff(old, v, &added, &resolved)) {
		json_t *o = json_pack("{s:O, s:s, s:O, s:o, s:o}", "rule", json_object_get(v, "id"),
		                      "commit", commit, "status", json_object_get(v, "status"),
		                      "added", added, "resolved", resolved);
		bus_publish(d->bus, r->conf.name, "findings", daemon_now(d), o);
		json_decref(o);
		return;
	}
	json_decref(added);
	json_decref(resolved);
}

/* Publish the verdicts of a finished head evaluation that differ from
 * what r published last; returns how many changed. */
static size_t
publish_diff(struct daemon *d, struct repo *r, struct ev_job *j)
{
	/* The previous verdicts of the changed rules (olds), by reference:
	 * repo_apply below replaces them in r->results, and their findings
	 * are compared after. A rule that did not run again hands over the
	 * very object published last (evaluator.c), so most comparisons stop
	 * at the pointer. */
	json_t *changed, *removed, *olds, *v;
	size_t i, n = verdict_diff(r->results, j->results, &changed, &olds, &removed);
	int first = r->commit[0] == '\0';
	int newcommit = strcmp(r->commit, j->commit) != 0;
	char at[21];
	int64_t now = daemon_now(d);
	date_format_utc(now, at);
	/* One evaluation's notifications land together or not at all: a kill
	 * between its results and its commits line would leave the commit
	 * looking published with nothing more to come. */
	bus_hold(d->bus);
	if (n || first) {
		json_t *data = json_pack("{s:s, s:I, s:s, s:s?, s:b, s:O, s:O}", "commit",
		                         j->commit, "commit_time", (json_int_t)j->commit_time,
		                         "evaluated_at", at, "organisation", j->organisation,
		                         "full", first, "changed", changed, "removed", removed);
		bus_publish(d->bus, r->conf.name, "results", now, data);
		repo_apply(r, data);
		json_decref(data);
		json_array_foreach (changed, i, v)
			publish_findings(d, r, j->commit, json_array_get(olds, i), v);
	}
	if (newcommit || first) {
		snprintf(r->commit, sizeof(r->commit), "%s", j->commit);
		r->commit_time = j->commit_time;
		r->evaluated_at = now;
		struct verdict_counts vc;
		verdict_count(r->results, &vc);
		json_t *counts = verdict_counts_json(&vc);
		int conformant = verdict_conformant(&vc);
		json_t *c = json_pack(
		        "{s:s, s:I, s:s, s:o, s:b, s:I, s:I, s:I, s:f, s:b}", "commit", j->commit,
		        "commit_time", (json_int_t)j->commit_time, "evaluated_at", at, "counts",
		        counts, "conformant", conformant, "changed", (json_int_t)n, "rules_run",
		        (json_int_t)j->nrun, "rules", (json_int_t)j->nrules, "eval_ms", j->ms,
		        "history_rewritten", j->rewritten);
		if (j->digest[0])
			json_object_set_new(c, "rules_digest", json_string(j->digest));
		json_object_set_new(c, "phases_ms",
		                    json_pack("{s:f, s:f, s:f}", "files", j->load_ms, "records",
		                              j->model_ms, "rules", j->rules_ms));
		if (d->signer)
			signer_sign(d->signer, r->conf.name, c);
		bus_publish(d->bus, r->conf.name, "commits", now, c);
		json_decref(c);
	}
	if (bus_release(d->bus) < 0)
		log_warnx("%s", err_msg());
	json_decref(olds);
	json_decref(changed);
	json_decref(removed);
	return n;
}

struct repo_anchor *
daemon_anchor_get(struct repo_anchor *a)
{
	a->refs++;
	return a;
}

void
daemon_anchor_put(struct repo_anchor *a)
{
	if (--a->refs == 0)
		free(a);
}

static void
arm_valid(struct daemon *d, struct repo *r)
{
	if (r->next_valid <= 0) {
		evtimer_del(r->valid_ev);
		return;
	}
	int64_t delay = r->next_valid - daemon_now(d);
	struct timeval tv = { delay > 0 ? (time_t)delay : 0, 0 };
	/* A frozen clock reaches it only when the clock method moves it. */
	if (d->frozen && delay > 0) {
		evtimer_del(r->valid_ev);
		return;
	}
	evtimer_add(r->valid_ev, &tv);
}

static enum repo_health
failure_kind(struct repo *r, struct ev_job *j)
{
	if (j->fetch_failed)
		return RH_UNREACHABLE;
	if (r->conf.path && access(r->conf.path, F_OK) < 0)
		return RH_VANISHED;
	if (j->not_isms)
		return RH_NOT_ISMS;
	if (j->unborn)
		return RH_EMPTY;
	return RH_CORRUPT;
}

/* Take a finished head evaluation of r: health, verdicts, the schedule,
 * the expiry timer. why: the job's failure. Returns how many verdicts
 * changed. */
static size_t
head_result(struct daemon *d, struct repo *r, struct ev_job *j, const char *why)
{
	size_t changed = 0;
	if (j->rc < 0 && j->no_rules) {
		/* The repository is not at fault: status shows rules_error.
		 * The calendar needs no rules. */
		schedule_commit(r, j->commit, NULL);
	} else if (j->rc < 0) {
		set_health(d, r, failure_kind(r, j), why);
	} else {
		r->rewritten = j->rewritten;
		if (j->rewritten)
			log_warnx("repository %s: history rewritten (force-push); evaluated "
			          "the new head %.12s",
			          r->conf.name, j->commit);
		if (!j->unchanged) {
			r->last_ms = j->ms;
			r->last_run = j->nrun;
			r->nevals++;
			changed = publish_diff(d, r, j);
			log_debug("repository %s: %.12s evaluated in %.1f ms, %zu of %zu "
			          "rules run, %zu verdicts changed",
			          r->conf.name, j->commit, j->ms, j->nrun, j->nrules, changed);
		}
		if (j->digest[0])
			snprintf(r->rules_digest, sizeof(r->rules_digest), "%s", j->digest);
		set_health(d, r, RH_OK, NULL);
		schedule_commit(r, j->commit, j->head);
		r->next_valid = j->next_valid;
		arm_valid(d, r);
	}
	return changed;
}

/* A head job of a repository that was removed (r NULL), or whose path,
 * url or ref changed, while it ran: nothing is published; a sync waiting
 * for it is told why. */
static void
stale(struct repo *r, struct ev_job *j)
{
	if (j->reply == NULL)
		return;
	j->rc = -1;
	err_set("%s", r ? "the repository's path, url or ref changed (SIGHUP) while it was "
	                  "evaluated; sync again"
	                : "the repository was removed from the configuration (SIGHUP) while "
	                  "it was evaluated");
	j->reply(j, 0, j->reply_arg);
}

static void
head_done(struct ev_job *j, void *arg)
{
	struct repo_anchor *a = arg;
	struct daemon *d = a->d;
	struct repo *r = a->r;
	if (r)
		r->busy--;
	if (d->stopping) {
		/* Finished jobs are only freed now. */
	} else if (r == NULL || j->er != r->er) {
		stale(r, j);
	} else {
		/* Publishing may set the message anew: the reply tells the job's. */
		char *why = j->rc < 0 ? xstrdup(err_msg()) : NULL;
		size_t changed = head_result(d, r, j, why);
		if (j->reply) {
			if (why)
				err_set("%s", why);
			j->reply(j, changed, j->reply_arg);
		}
		free(why);
	}
	if (r && !d->stopping && r->again && r->busy == 0) {
		r->again = 0;
		daemon_submit_head(d, r, 0, NULL);
	}
	ev_job_free(j);
	daemon_anchor_put(a);
}

/* Queue an evaluation of r's head; like (or NULL) gives who waits for it
 * besides: its reply, reply_arg, client and req_id are taken. */
void
daemon_submit_head(struct daemon *d, struct repo *r, int fetch, struct ev_job *like)
{
	struct ev_job *j = ev_job_new(EV_HEAD, r->er);
	j->now = daemon_now(d);
	j->fetch = fetch && r->conf.url;
	j->done = head_done;
	j->arg = daemon_anchor_get(r->anchor);
	if (like) {
		j->force = like->force;
		j->reply = like->reply;
		j->reply_arg = like->reply_arg;
		j->client = like->client;
		j->req_id = like->req_id ? json_incref(like->req_id) : NULL;
	}
	r->busy++;
	evaluator_submit(d->ev, j);
}

/* Evaluate r's head soon (fetch first when fetch is set and r is remote). */
static void
daemon_kick(struct daemon *d, struct repo *r, int fetch)
{
	if (r->busy) {
		r->again = 1;
		return;
	}
	daemon_submit_head(d, r, fetch, NULL);
}

/* The sync method's evaluation (rpc.h, struct rpc_env). */
static void
env_sync(void *arg, struct repo *r, uint64_t client, json_t *req_id,
         void (*reply)(struct ev_job *, size_t, void *), void *reply_arg)
{
	struct ev_job like = { .reply = reply,
		               .reply_arg = reply_arg,
		               .client = client,
		               .req_id = req_id,
		               .force = 1 };
	daemon_submit_head(arg, r, 1, &like);
}

static int64_t
env_now(void *arg)
{
	return daemon_now(arg);
}

/* The clock method (--frozen-clock): move the clock to t and run what
 * fell due: evaluations whose verdicts expired, reminders. Returns how
 * many evaluations it queued. */
static size_t
env_clock(void *arg, int64_t t)
{
	struct daemon *d = arg;
	size_t n = 0;
	d->frozen_at = t;
	log_info("clock set to %lld (--frozen-clock)", (long long)t);
	for (size_t i = 0; i < d->nrepos; i++) {
		struct repo *r = &d->repos[i];
		if (r->conf.name == NULL)
			continue;
		if (r->next_valid > 0 && r->next_valid <= t) {
			evtimer_del(r->valid_ev);
			daemon_kick(d, r, 0);
			n++;
		}
		schedule_clock_moved(r);
	}
	return n;
}

static struct repo *
env_repo_at(void *arg, size_t i)
{
	struct daemon *d = arg;
	return d->repos && i < d->nrepos ? &d->repos[i] : NULL;
}

static const char *
env_config_error(void *arg)
{
	const struct daemon *d = arg;
	return d->config_error;
}

/* The rule packs' problems as one message: why (err_msg() of the job),
 * then the first few file:line lines. */
static char *
problems_text(const struct ev_job *j, const char *why)
{
	struct buf b = { 0 };
	buf_adds(&b, why);
	for (size_t i = 0; i < j->errs.n && i < 5; i++) {
		const struct problem *p = &j->errs.v[i];
		if (p->path)
			buf_printf(&b, "; %s:%d: %s", p->path, p->line, p->msg);
		else
			buf_printf(&b, "; %s", p->msg);
	}
	return buf_steal(&b);
}

/* Take a finished load of r's rule packs. */
static void
load_result(struct daemon *d, struct repo *r, struct ev_job *j)
{
	int initial = r->rules == NULL;
	if (j->rc < 0) {
		char *why = xstrdup(err_msg());
		for (size_t i = 0; i < j->errs.n; i++)
			log_warnx("%s:%d: %s", j->errs.v[i].path ? j->errs.v[i].path : "rules",
			          j->errs.v[i].line, j->errs.v[i].msg);
		free(r->rules_error);
		r->rules_error = problems_text(j, why);
		free(why);
		log_warnx("repository %s: %s%s", r->conf.name, r->rules_error,
		          initial ? "" : "; the previous rule packs keep running");
		daemon_publish_status(d, r);
	} else {
		int had_error = r->rules_error != NULL;
		free(r->rules_error);
		r->rules_error = NULL;
		json_decref(r->rules);
		r->rules = j->rules;
		j->rules = NULL;
		asof_forget(d->asof, r->conf.name); /* judged by the rules before */
		log_info("repository %s: %zu rules loaded", r->conf.name, j->nrules);
		if (had_error)
			daemon_publish_status(d, r);
		if (!initial)
			daemon_kick(d, r, 0);
	}
}

static void
load_done(struct ev_job *j, void *arg)
{
	struct repo_anchor *a = arg;
	/* Not when the repository was removed, or its evaluator half replaced
	 * (the new one loads its own), while the job waited. */
	if (!a->d->stopping && a->r && j->er == a->r->er)
		load_result(a->d, a->r, j);
	ev_job_free(j);
	daemon_anchor_put(a);
}

void
daemon_submit_load(struct daemon *d, struct repo *r)
{
	struct ev_job *j = ev_job_new(EV_LOAD, r->er);
	const char *rules = r->conf.rules ? r->conf.rules : d->cfg.rules;
	j->rules_dir = xstrdup(rules ? rules : engine_default_rules_dir());
	j->gen = d->load_gen;
	j->done = load_done;
	j->arg = daemon_anchor_get(r->anchor);
	evaluator_submit(d->ev, j);
}

/* A retired evaluator half is gone (evaluator_repo_retire). */
void
daemon_drop_done(struct ev_job *j, void *arg)
{
	ev_job_free(j);
	daemon_anchor_put(arg);
}

/* r may have changed (watch.h). */
static void
on_change(void *arg, int fetch)
{
	struct repo_anchor *a = arg;
	if (a->r)
		daemon_kick(a->d, a->r, fetch);
}

static void
on_valid(evutil_socket_t fd, short what, void *arg)
{
	struct repo_anchor *a = arg;
	if (a->r == NULL)
		return;
	log_debug("repository %s: a verdict expires now; evaluating", a->r->conf.name);
	daemon_kick(a->d, a->r, 0);
}

/* Notice r's changes (watch.h). */
void
daemon_watch_setup(struct daemon *d, struct repo *r)
{
	r->watch = watch_start(d->base, &r->conf, on_change, r->anchor);
}

void
daemon_watch_stop(struct repo *r)
{
	watch_free(r->watch);
	r->watch = NULL;
}

void
daemon_copy_conf(struct repo_conf *dst, const struct repo_conf *src)
{
	dst->name = xstrdup(src->name);
	dst->path = src->path ? xstrdup(src->path) : NULL;
	dst->url = src->url ? xstrdup(src->url) : NULL;
	dst->ref = src->ref ? xstrdup(src->ref) : NULL;
	dst->rules = src->rules ? xstrdup(src->rules) : NULL;
	dst->poll_interval = src->poll_interval;
	dst->fetch_interval = src->fetch_interval;
	dst->from_flag = src->from_flag;
}

void
daemon_free_conf(struct repo_conf *c)
{
	free(c->name);
	free(c->path);
	free(c->url);
	free(c->ref);
	free(c->rules);
}

static int
mkdirs(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0750);
			*s = '/';
		}
	int rc = mkdir(p, 0750) == 0 || errno == EEXIST ? 0 : -1;
	if (rc < 0)
		err_set("cannot create %s: %s", p, strerror(errno));
	free(p);
	return rc;
}

/* The git directory evaluated for rc: its path, or the mirror of its url.
 * The caller's. */
char *
daemon_gitdir_for(const struct daemon *d, const struct repo_conf *rc)
{
	if (rc->url)
		return xasprintf("%s/mirrors/%s.git", d->cfg.state_dir, rc->name);
	return xstrdup(rc->path);
}

void
daemon_repo_setup(struct daemon *d, struct repo *r, const struct repo_conf *rc)
{
	r->anchor = xcalloc(1, sizeof(*r->anchor));
	*r->anchor = (struct repo_anchor){ d, r, 1 };
	daemon_copy_conf(&r->conf, rc);
	r->results = json_object();
	r->gitdir = daemon_gitdir_for(d, rc);
	r->er = evaluator_repo_new(d->ev, r->gitdir, rc->url, rc->ref);
	r->valid_ev = evtimer_new(d->base, on_valid, r->anchor);
	daemon_watch_setup(d, r);
}

/* Free what r holds on the loop thread and let go of its anchor. Its
 * evaluator half is left alone: evaluator_free frees it, or it was
 * retired. */
void
daemon_repo_teardown(struct repo *r)
{
	schedule_close(r);
	daemon_watch_stop(r);
	if (r->valid_ev)
		event_free(r->valid_ev);
	json_decref(r->results);
	json_decref(r->rules);
	free(r->gitdir);
	free(r->organisation);
	free(r->health_msg);
	free(r->rules_error);
	daemon_free_conf(&r->conf);
	r->anchor->r = NULL;
	daemon_anchor_put(r->anchor);
	memset(r, 0, sizeof(*r));
}

/* Rebuild the published state of every repository from its latest
 * checkpoint and the journal entries after it (checkpoint.h). */
static void
replay(struct daemon *d)
{
	static const struct checkpoint_query latest = { CHECKPOINT_LATEST, 0, NULL };
	for (size_t i = 0; i < d->nrepos; i++) {
		struct repo *r = &d->repos[i];
		if (r->conf.name &&
		    checkpoint_state(bus_checkpoints(d->bus), r->conf.name, &latest, r) < 0)
			log_warnx("repository %s: the published state could not be rebuilt: %s",
			          r->conf.name, err_msg());
	}
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	if (sig == SIGHUP) {
		log_info("SIGHUP: reloading the configuration and the rule packs");
		notify_reloading();
		daemon_reload(d);
		notify_ready("reloaded; serving %zu repositor%s", d->nrepos,
		             d->nrepos == 1 ? "y" : "ies");
		return;
	}
	log_info("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	notify_stopping();
	/* A rule still running stops at its next instruction; what it was
	 * part of is not published (head_done), so shutdown never waits for a
	 * rule and never publishes a verdict cut short. */
	d->stopping = 1;
	sandbox_abort_all();
	event_base_loopexit(d->base, NULL);
}

/* Hand one journaled notification to the plugins. */
static void
plugins_on_bus(void *arg, const struct journal_entry *e)
{
	json_t *data = journal_data(e);
	plugin_host_publish_topic(arg, e->repo, e->topic, e->seq, data);
	json_decref(data);
}

/* Load and start cfg's plugins; blocks while their init hooks run. The
 * host is the caller's (plugin_host_free). The engines get the plugins'
 * rule functions when there is any plugin. */
static struct plugin_host *
plugins_load(const struct config *cfg, int check_only)
{
	struct plugin_conf *pc = xcalloc(cfg->nplugins + 1, sizeof(*pc));
	for (size_t i = 0; i < cfg->nplugins; i++) {
		const struct plugin_entry *p = &cfg->plugins[i];
		pc[i] = (struct plugin_conf){ p->name, p->path, p->config, p->queue_max,
			                      p->origin };
	}
	struct plugin_host *h = check_only ? plugin_host_check(pc, cfg->nplugins)
	                                   : plugin_host_load(pc, cfg->nplugins);
	free(pc);
	if (cfg->nplugins)
		engine_set_extension(plugin_host_extend, h);
	return h;
}

/* Stop the plugins: only once no engine evaluates any more. */
static void
plugins_stop(struct daemon *d)
{
	if (d->plugin_sub)
		bus_unsubscribe(d->bus, d->plugin_sub);
	d->plugin_sub = NULL;
	plugin_host_free(d->plugins, 0);
	d->plugins = NULL;
	engine_set_extension(NULL, NULL);
}

static void
raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

struct server_opts
daemon_server_opts(const struct config *c)
{
	size_t per_user =
	        c->max_clients_per_user ? c->max_clients_per_user : (c->max_clients + 1) / 2;
	return (struct server_opts){ c->socket,      c->listen_tcp,        c->max_clients,
		                     c->max_message, c->subscriber_buffer, per_user,
		                     c->idle_timeout };
}

struct http_opts
daemon_http_opts(const struct config *c)
{
	return (struct http_opts){ c->http_listen,
		                   c->http_tokens,
		                   c->http_max_clients ? c->http_max_clients : c->max_clients,
		                   c->max_message,
		                   c->subscriber_buffer,
		                   c->idle_timeout };
}

int
daemon_start(struct daemon **out, struct event_base *base, struct config *cfg, int64_t offset,
             int frozen)
{
	struct daemon *d = *out = xcalloc(1, sizeof(*d));
	d->base = base;
	d->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	d->clock_offset = offset;
	d->frozen_at = (int64_t)time(NULL) + offset;
	d->frozen = frozen;
	d->started = daemon_now(d);
	raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	if (d->cfg.sign_key && signer_open(d->cfg.sign_key, &d->signer) < 0)
		return -1;
	d->plugins = plugins_load(&d->cfg, 0);
	char *jpath = xasprintf("%s/journal.jsonl", d->cfg.state_dir);
	char *mirrors = xasprintf("%s/mirrors", d->cfg.state_dir);
	int rc = mkdirs(d->cfg.state_dir) < 0 || mkdirs(mirrors) < 0 ||
	                         journal_open(jpath, &d->journal) < 0
	                 ? -1
	                 : 0;
	free(jpath);
	free(mirrors);
	if (rc < 0)
		return -1;
	d->bus = bus_new(d->journal);
	checkpoint_set_full_every(bus_checkpoints(d->bus), (unsigned)d->cfg.checkpoint_full_every);
	if (d->cfg.nplugins) {
		static const char *const t[] = { "results", "findings", "commits", "reminders" };
		d->plugin_sub =
		        bus_subscribe(d->bus, NULL, t, NELEM(t), plugins_on_bus, d->plugins);
	}
	engine_set_eval_deadline((uint32_t)d->cfg.eval_timeout * 1000u);
	d->heads = headcache_new((size_t)d->cfg.model_cache << 20);
	d->ev = evaluator_new(base, (size_t)d->cfg.eval_threads, d->heads);
	d->asof = asof_new(d->ev, (size_t)d->cfg.asof_cache);
	d->sched = (struct schedule_env){ .base = base,
		                          .bus = d->bus,
		                          .cfg = &d->cfg,
		                          .now = env_now,
		                          .arg = d,
		                          .heads = d->heads,
		                          .frozen = frozen };
	d->repos = xcalloc(d->cfg.nrepos, sizeof(*d->repos));
	d->nrepos = d->cfg.nrepos;
	for (size_t i = 0; i < d->nrepos; i++)
		daemon_repo_setup(d, &d->repos[i], &d->cfg.repos[i]);
	replay(d);
	for (size_t i = 0; i < d->nrepos; i++)
		if (schedule_open(&d->sched, &d->repos[i]) < 0)
			return -1;
	d->rpc = (struct rpc_env){ .bus = d->bus,
		                   .journal = d->journal,
		                   .ev = d->ev,
		                   .asof = d->asof,
		                   .plugins = d->plugins,
		                   .cfg = &d->cfg,
		                   .started = d->started,
		                   .arg = d,
		                   .now = env_now,
		                   .repo_at = env_repo_at,
		                   .config_error = env_config_error,
		                   .sync = env_sync,
		                   .clock = frozen ? env_clock : NULL };
	struct server_opts so = daemon_server_opts(&d->cfg);
	/* the socket's directory, like the state directory, is made if
	 * missing (ismsd -t checks that it can be) */
	char *sdir = xstrdup(d->cfg.socket);
	char *slash = strrchr(sdir, '/');
	if (slash && slash != sdir) {
		*slash = '\0';
		if (mkdirs(sdir) < 0) {
			free(sdir);
			return -1;
		}
	}
	free(sdir);
	if (server_start(base, &so, rpc_line, rpc_gone, &d->rpc, &d->srv) < 0)
		return -1;
	d->rpc.srv = d->srv;
	struct http_opts ho = daemon_http_opts(&d->cfg);
	if (d->cfg.http_listen && http_start(base, &ho, &d->rpc, &d->http) < 0)
		return -1;
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT };
	for (size_t i = 0; i < NELEM(sigs); i++) {
		d->sig[i] = evsignal_new(base, sigs[i], on_signal, d);
		event_add(d->sig[i], NULL);
	}
	/* Repositories with the same rules directory share one load. */
	d->load_gen++;
	for (size_t i = 0; i < d->nrepos; i++) {
		daemon_submit_load(d, &d->repos[i]);
		daemon_submit_head(d, &d->repos[i], 1, NULL);
	}
	log_info("serving %zu repositor%s on %s%s%s", d->nrepos, d->nrepos == 1 ? "y" : "ies",
	         d->cfg.socket, d->cfg.listen_tcp ? " and " : "",
	         d->cfg.listen_tcp ? d->cfg.listen_tcp : "");
	notify_ready("serving %zu repositor%s on %s", d->nrepos, d->nrepos == 1 ? "y" : "ies",
	             d->cfg.socket);
	return 0;
}

void
daemon_stop(struct daemon *d)
{
	if (d == NULL)
		return;
	d->stopping = d->rpc.stopping = d->sched.stopping = 1;
	http_free(d->http);
	d->http = NULL;
	server_free(d->srv);
	d->srv = d->rpc.srv = NULL;
	/* Finished jobs may still reach their repositories: stop the worker
	 * before the repositories go. */
	evaluator_free(d->ev);
	d->ev = NULL;
	asof_free(d->asof); /* after the jobs that point at its evaluations */
	d->asof = NULL;
	plugins_stop(d);
	for (size_t i = 0; i < d->nrepos; i++)
		daemon_repo_teardown(&d->repos[i]);
	free(d->repos);
	headcache_free(d->heads); /* after the evaluator and the scheduler */
	d->heads = NULL;
	for (size_t i = 0; i < NELEM(d->sig); i++)
		if (d->sig[i])
			event_free(d->sig[i]);
	bus_free(d->bus);
	journal_close(d->journal);
	free(d->config_error);
	signer_free(d->signer);
	config_free(&d->cfg);
	free(d);
}

/* ismsd -t: load and init cfg's plugins, print how each stands, stop
 * them. Returns how many failed. The host is left in *out while the rule
 * packs are checked (their sandboxes see the plugins' functions). */
static size_t
check_plugins(const struct config *cfg, struct plugin_host **out)
{
	signal(SIGPIPE, SIG_IGN);
	/* The host's own log lines would repeat what is printed here. */
	log_set_level(LOG_LVL_ERR);
	*out = plugins_load(cfg, 1);
	log_set_level(cfg->log_level);
	char *s = plugin_host_status(*out);
	json_t *a = json_loads(s, 0, NULL);
	free(s);
	size_t i;
	json_t *p;
	json_array_foreach (a, i, p) {
		const char *err = json_string_value(json_object_get(p, "error"));
		if (err)
			fprintf(stderr, "%s\n", err);
		else
			printf("plugin %s: %s %s from %s\n",
			       json_string_value(json_object_get(p, "name")),
			       json_string_value(json_object_get(p, "plugin")),
			       json_string_value(json_object_get(p, "version")),
			       json_string_value(json_object_get(p, "path")));
	}
	json_decref(a);
	return plugin_host_failed(*out);
}

/* Whether dir exists as a writable directory, or could be created: its
 * nearest existing ancestor is a writable directory. NULL, or why not
 * (static). Creates nothing, so that -t is safe while the daemon runs. */
static const char *
dir_usable(const char *dir)
{
	static char why[600];
	struct stat st;
	char *p = xstrdup(dir);
	int missing = 0;
	while (stat(p, &st) < 0) {
		char *slash = strrchr(p, '/');
		missing = 1;
		if (slash == NULL || slash == p) {
			snprintf(p, strlen(p) + 1, "%s", slash == p ? "/" : ".");
			if (stat(p, &st) < 0)
				st.st_mode = 0;
			break;
		}
		*slash = '\0';
	}
	const char *w = NULL;
	if (!S_ISDIR(st.st_mode))
		snprintf(why, sizeof(why), "%s is not a directory", p), w = why;
	else if (access(p, W_OK | X_OK) < 0)
		snprintf(why, sizeof(why), "%s is not writable by this user (uid %u)%s", p,
		         (unsigned)geteuid(), missing ? ", so it cannot be created" : ""),
		        w = why;
	free(p);
	return w;
}

/* Whether url looks like something git can fetch: scheme://host/path or
 * [user@]host:path. */
static int
url_ok(const char *url)
{
	static const char *const schemes[] = { "https://", "http://", "ssh://", "git://",
		                               "file://" };
	for (size_t i = 0; i < NELEM(schemes); i++)
		if (strncmp(url, schemes[i], strlen(schemes[i])) == 0)
			return url[strlen(schemes[i])] != '\0' && !strpbrk(url, " \t\n\r");
	const char *colon = strchr(url, ':');
	/* host:path, with no '/' before the colon */
	return colon && colon > url && colon[1] != '\0' &&
	       strcspn(url, "/") > (size_t)(colon - url) && !strpbrk(url, " \t\n\r");
}

/* ismsd -t: what start-up needs of places - the state directory, the
 * socket's directory, each repository's path or url. Prints each problem
 * as file:line; returns how many. */
static size_t
check_places(const struct config *cfg)
{
	size_t bad = 0;
	const char *f = cfg->file ? cfg->file : "command line";
	const char *why;
	if (cfg->state_dir && (why = dir_usable(cfg->state_dir)) != NULL) {
		fprintf(stderr, "%s: state_dir %s cannot be used: %s\n", f, esc(cfg->state_dir),
		        esc(why));
		bad++;
	}
	if (cfg->socket) {
		char *dir = xstrdup(cfg->socket);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if ((why = dir_usable(dir)) != NULL) {
				fprintf(stderr,
				        "%s:%d: the socket's directory %s cannot be used: %s\n", f,
				        cfg->socket_line, esc(dir), esc(why));
				bad++;
			}
		}
		free(dir);
	}
	for (size_t i = 0; i < cfg->nrepos; i++) {
		const struct repo_conf *rc = &cfg->repos[i];
		struct stat st;
		const char *rf = rc->line ? f : "--repo";
		if (rc->path && stat(rc->path, &st) < 0) {
			fprintf(stderr, "%s:%d: repository '%s': the path %s does not exist\n", rf,
			        rc->line, esc(rc->name), esc(rc->path));
			bad++;
		} else if (rc->path && !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "%s:%d: repository '%s': the path %s is not a directory\n",
			        rf, rc->line, esc(rc->name), esc(rc->path));
			bad++;
		}
		if (rc->url && !url_ok(rc->url)) {
			fprintf(stderr,
			        "%s:%d: repository '%s': the url %s is not one git can fetch "
			        "(https://host/path, ssh://host/path, file:///path or host:path)\n",
			        rf, rc->line, esc(rc->name), esc(rc->url));
			bad++;
		}
	}
	return bad;
}

int
daemon_check(const struct config *cfg)
{
	struct plugin_host *plugins;
	int bad = check_plugins(cfg, &plugins) > 0;
	struct signer *sg = NULL;
	if (cfg->sign_key && signer_open(cfg->sign_key, &sg) < 0) {
		printf("%s: %s\n", cfg->file ? cfg->file : "sign_key", err_msg());
		bad = 1;
	} else if (sg)
		printf("sign_key %s: each evaluation published is signed\n", cfg->sign_key);
	signer_free(sg);
	if (cfg->shard_count > 1)
		printf("shard %u/%u: %zu repositories here, %zu on other shards\n",
		       cfg->shard_index, cfg->shard_count, cfg->nrepos, cfg->shard_others);
	bad |= check_places(cfg) > 0;
	for (size_t i = 0; i < cfg->nrepos; i++) {
		const struct repo_conf *rc = &cfg->repos[i];
		struct ev_job *j = ev_job_new(EV_LOAD, evaluator_repo_new(NULL, ".", NULL, NULL));
		const char *rules = rc->rules ? rc->rules : cfg->rules;
		j->rules_dir = xstrdup(rules ? rules : engine_default_rules_dir());
		evaluator_run(j);
		if (j->rc < 0) {
			for (size_t k = 0; k < j->errs.n; k++)
				if (j->errs.v[k].path && j->errs.v[k].line)
					fprintf(stderr, "%s:%d: %s\n", esc(j->errs.v[k].path),
					        j->errs.v[k].line, esc(j->errs.v[k].msg));
				else if (j->errs.v[k].path)
					fprintf(stderr, "%s: %s\n", esc(j->errs.v[k].path),
					        esc(j->errs.v[k].msg));
				else
					fprintf(stderr, "%s\n", esc(j->errs.v[k].msg));
			fprintf(stderr, "repository %s: %s\n", rc->name, err_msg());
			bad = 1;
		} else {
			printf("repository %s: %zu rules in %s\n", rc->name, j->nrules,
			       j->rules_dir);
		}
		evaluator_repo_free(j->er);
		ev_job_free(j);
	}
	plugin_host_free(plugins, 0);
	engine_set_extension(NULL, NULL);
	return bad ? -1 : 0;
}
