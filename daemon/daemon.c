/* daemon.c - start-up, change detection, publishing what changed, reload
 * and shutdown. Everything here runs on the loop thread; evaluation jobs
 * go to the evaluator and come back finished. */
#include "daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "engine.h"
#include "log.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "problems.h"
#include "plugin.h"
#include "rpc.h"
#include "schedule.h"

int64_t
daemon_now(const struct daemon *d)
{
	return (int64_t)time(NULL) + d->clock_offset;
}

struct repo *
daemon_repo(struct daemon *d, const char *name)
{
	if (d->repos == NULL)
		return NULL;
	if (name == NULL)
		return d->nrepos == 1 ? &d->repos[0] : NULL;
	for (size_t i = 0; i < d->nrepos; i++)
		if (d->repos[i].conf.name && strcmp(d->repos[i].conf.name, name) == 0)
			return &d->repos[i];
	return NULL;
}

static void
publish_status(struct daemon *d, struct repo *r)
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
	publish_status(d, r);
}

/* Equal verdicts: every key but what the rule read. */
static int
verdict_equal(json_t *a, json_t *b)
{
	const char *k;
	json_t *v;
	size_t na = 0, nb = 0;
	json_object_foreach (a, k, v) {
		if (strcmp(k, "reads") == 0 || strcmp(k, "patterns") == 0)
			continue;
		na++;
		if (!json_equal(v, json_object_get(b, k)))
			return 0;
	}
	json_object_foreach (b, k, v)
		nb += strcmp(k, "reads") != 0 && strcmp(k, "patterns") != 0;
	return na == nb;
}

/* Items of a not in b. */
static json_t *
minus(json_t *a, json_t *b)
{
	json_t *out = json_array(), *x, *y;
	size_t i, k;
	json_array_foreach (a, i, x) {
		int found = 0;
		json_array_foreach (b, k, y)
			if (json_equal(x, y)) {
				found = 1;
				break;
			}
		if (!found)
			json_array_append(out, x);
	}
	return out;
}

static void
publish_findings(struct daemon *d, struct repo *r, const char *commit, json_t *old, json_t *v)
{
	json_t *of = json_object_get(old, "findings"), *nf = json_object_get(v, "findings");
	json_t *added = minus(nf, of), *resolved = minus(of, nf);
	if (json_array_size(added) || json_array_size(resolved)) {
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
	json_t *changed = json_array(), *removed = json_array(), *seen = json_object();
	/* The previous verdicts of the changed rules, by reference and in the
	 * order of changed (null where there was none): repo_apply below
	 * replaces them in r->results, and their findings are compared after.
	 * No copy is needed, verdict objects are never changed once made. A
	 * rule that did not run again hands over the very object published
	 * last (evaluator.c), so most comparisons stop at the pointer. */
	json_t *olds = json_array();
	json_t *v, *old, *prev = r->results;
	size_t i;
	const char *id;
	int first = r->commit[0] == '\0';
	int newcommit = strcmp(r->commit, j->commit) != 0;
	json_array_foreach (j->results, i, v) {
		id = json_string_value(json_object_get(v, "id"));
		json_object_set_new(seen, id, json_true());
		old = json_object_get(prev, id);
		if (old == NULL || (old != v && !verdict_equal(old, v))) {
			json_array_append(changed, v);
			json_array_append(olds, old ? old : json_null());
		}
	}
	json_object_foreach (prev, id, v)
		if (!json_object_get(seen, id))
			json_array_append_new(removed, json_string(id));
	size_t n = json_array_size(changed) + json_array_size(removed);
	char at[21];
	int64_t now = daemon_now(d);
	date_format_utc(now, at);
	if (n || first) {
		json_t *data = json_pack("{s:s, s:I, s:s, s:s?, s:b, s:O, s:O}", "commit",
		                         j->commit, "commit_time", (json_int_t)j->commit_time,
		                         "evaluated_at", at, "organisation", j->organisation,
		                         "full", first, "changed", changed, "removed", removed);
		if (bus_publish(d->bus, r->conf.name, "results", now, data) == 0)
			log_warnx("%s", err_msg());
		repo_apply(r, data);
		json_decref(data);
		json_array_foreach (changed, i, v)
			publish_findings(d, r, j->commit, json_array_get(olds, i), v);
	}
	if (newcommit || first) {
		snprintf(r->commit, sizeof(r->commit), "%s", j->commit);
		r->commit_time = j->commit_time;
		r->evaluated_at = now;
		json_t *counts = repo_counts(r->results);
		int conformant = json_integer_value(json_object_get(counts, "fail")) == 0 &&
		                 json_integer_value(json_object_get(counts, "error")) == 0;
		json_t *c = json_pack(
		        "{s:s, s:I, s:s, s:o, s:b, s:I, s:I, s:I, s:f, s:b}", "commit", j->commit,
		        "commit_time", (json_int_t)j->commit_time, "evaluated_at", at, "counts",
		        counts, "conformant", conformant, "changed", (json_int_t)n, "rules_run",
		        (json_int_t)j->nrun, "rules", (json_int_t)j->nrules, "eval_ms", j->ms,
		        "history_rewritten", j->rewritten);
		json_object_set_new(c, "phases_ms",
		                    json_pack("{s:f, s:f, s:f}", "files", j->load_ms, "records",
		                              j->model_ms, "rules", j->rules_ms));
		if (bus_publish(d->bus, r->conf.name, "commits", now, c) == 0)
			log_warnx("%s", err_msg());
		json_decref(c);
	}
	json_decref(olds);
	json_decref(changed);
	json_decref(removed);
	json_decref(seen);
	return n;
}

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

static struct repo_anchor *
anchor_get(struct repo_anchor *a)
{
	a->refs++;
	return a;
}

static void
anchor_put(struct repo_anchor *a)
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
	evtimer_add(r->valid_ev, &tv);
}

static void submit_head(struct daemon *d, struct repo *r, int fetch, uint64_t client,
                        json_t *req_id);

static enum repo_health
failure_kind(struct repo *r, struct ev_job *j)
{
	if (j->fetch_failed)
		return RH_UNREACHABLE;
	if (r->conf.path && access(r->conf.path, F_OK) < 0)
		return RH_VANISHED;
	if (j->not_isms)
		return RH_NOT_ISMS;
	return RH_CORRUPT;
}

/* Take a finished head evaluation of r: health, verdicts, the schedule,
 * the expiry timer. Returns how many verdicts changed. */
static size_t
head_result(struct daemon *d, struct repo *r, struct ev_job *j)
{
	size_t changed = 0;
	if (j->rc < 0 && j->no_rules) {
		/* The repository is not at fault: status shows rules_error.
		 * The calendar needs no rules. */
		schedule_commit(r, j->commit, NULL);
	} else if (j->rc < 0) {
		set_health(d, r, failure_kind(r, j), j->error);
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
stale(struct daemon *d, struct repo *r, struct ev_job *j)
{
	if (j->req_id == NULL)
		return;
	j->rc = -1;
	free(j->error);
	j->error = xstrdup(r ? "the repository's path, url or ref changed (SIGHUP) while it "
	                       "was evaluated; sync again"
	                     : "the repository was removed from the configuration (SIGHUP) "
	                       "while it was evaluated");
	rpc_finish(d, j, 0);
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
		stale(d, r, j);
	} else {
		size_t changed = head_result(d, r, j);
		if (j->req_id)
			rpc_finish(d, j, changed);
	}
	if (r && !d->stopping && r->again && r->busy == 0) {
		r->again = 0;
		submit_head(d, r, 0, 0, NULL);
	}
	ev_job_free(j);
	anchor_put(a);
}

static void
submit_head(struct daemon *d, struct repo *r, int fetch, uint64_t client, json_t *req_id)
{
	struct ev_job *j = ev_job_new(EV_HEAD, r->er);
	j->now = daemon_now(d);
	j->fetch = fetch && r->conf.url;
	j->done = head_done;
	j->arg = anchor_get(r->anchor);
	j->client = client;
	j->req_id = req_id ? json_incref(req_id) : NULL;
	r->busy++;
	evaluator_submit(d->ev, j);
}

void
daemon_kick(struct daemon *d, struct repo *r, int fetch)
{
	if (r->busy) {
		r->again = 1;
		return;
	}
	submit_head(d, r, fetch, 0, NULL);
}

void
daemon_sync(struct daemon *d, struct repo *r, uint64_t client, json_t *req_id)
{
	submit_head(d, r, 1, client, req_id);
}

/* The rule packs' problems as one message: the first few file:line lines. */
static char *
problems_text(const struct ev_job *j)
{
	struct buf b = { 0 };
	buf_adds(&b, j->error ? j->error : "the rule packs did not load");
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
		for (size_t i = 0; i < j->errs.n; i++)
			log_warnx("%s:%d: %s", j->errs.v[i].path ? j->errs.v[i].path : "rules",
			          j->errs.v[i].line, j->errs.v[i].msg);
		free(r->rules_error);
		r->rules_error = problems_text(j);
		log_warnx("repository %s: %s%s", r->conf.name, r->rules_error,
		          initial ? "" : "; the previous rule packs keep running");
		publish_status(d, r);
	} else {
		int had_error = r->rules_error != NULL;
		free(r->rules_error);
		r->rules_error = NULL;
		json_decref(r->rules);
		r->rules = j->rules;
		j->rules = NULL;
		log_info("repository %s: %zu rules loaded", r->conf.name, j->nrules);
		if (had_error)
			publish_status(d, r);
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
	anchor_put(a);
}

static void
submit_load(struct daemon *d, struct repo *r)
{
	struct ev_job *j = ev_job_new(EV_LOAD, r->er);
	const char *rules = r->conf.rules ? r->conf.rules : d->cfg.rules;
	j->rules_dir = xstrdup(rules ? rules : engine_default_rules_dir());
	j->done = load_done;
	j->arg = anchor_get(r->anchor);
	evaluator_submit(d->ev, j);
}

/* A retired evaluator half is gone (evaluator_repo_retire). */
static void
drop_done(struct ev_job *j, void *arg)
{
	ev_job_free(j);
	anchor_put(arg);
}

static void
on_kick(evutil_socket_t fd, short what, void *arg)
{
	struct repo_anchor *a = arg;
	if (a->r)
		daemon_kick(a->d, a->r, 0);
}

static void
on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct repo_anchor *a = arg;
	if (a->r)
		daemon_kick(a->d, a->r, a->r->conf.url != NULL);
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

/* Seconds between ref checks when inotify cannot watch a repository. */
#define FALLBACK_POLL 5

static void
start_poll(struct daemon *d, struct repo *r, int interval)
{
	struct timeval tv = { interval, 0 };
	r->poll_ev = event_new(d->base, -1, EV_PERSIST, on_poll, r->anchor);
	event_add(r->poll_ev, &tv);
}

/* A ref may have changed: evaluate after a short pause, so one push that
 * writes several refs gives one evaluation. When the watch has started
 * to miss changes (a new directory past the watch limit), poll too. */
static void
on_ref_change(void *arg)
{
	struct repo_anchor *a = arg;
	struct repo *r = a->r;
	if (r == NULL)
		return;
	const char *lost = repo_watch_lost(r->watch);
	if (lost && r->poll_ev == NULL) {
		log_warnx("repository %s: %s; inotify may miss changes, polling every %d s "
		          "from now on",
		          r->conf.name, lost, FALLBACK_POLL);
		start_poll(a->d, r, FALLBACK_POLL);
	} else if (lost) {
		log_warnx("repository %s: %s; inotify may miss changes, polling every %d s "
		          "covers them",
		          r->conf.name, lost, r->conf.poll_interval);
	}
	struct timeval tv = { 0, 5000 };
	evtimer_add(r->kick_ev, &tv);
}

/* Notice r's changes: inotify on a local repository's refs, and polling
 * every poll_interval (local) or fetch_interval (remote), or every
 * FALLBACK_POLL seconds when inotify cannot watch. */
static void
watch_setup(struct daemon *d, struct repo *r)
{
	const struct repo_conf *rc = &r->conf;
	int interval = rc->url ? rc->fetch_interval : rc->poll_interval;
	if (rc->path) {
		char *gd = repo_gitdir_of(rc->path);
		if (repo_watch_start(d->base, gd, on_ref_change, r->anchor, &r->watch) < 0) {
			if (interval == 0)
				interval = FALLBACK_POLL;
			log_warnx("repository %s: %s; polling every %d s", rc->name, err_msg(),
			          interval);
		} else {
			log_debug("repository %s: watching %s and %zu directories of refs",
			          rc->name, gd, repo_watch_dirs(r->watch));
		}
		free(gd);
	}
	if (interval > 0)
		start_poll(d, r, interval);
}

static void
watch_stop(struct repo *r)
{
	repo_watch_free(r->watch);
	r->watch = NULL;
	if (r->poll_ev)
		event_free(r->poll_ev);
	r->poll_ev = NULL;
}

static void
copy_conf(struct repo_conf *dst, const struct repo_conf *src)
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

static void
free_conf(struct repo_conf *c)
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
static char *
gitdir_for(const struct daemon *d, const struct repo_conf *rc)
{
	if (rc->url)
		return xasprintf("%s/mirrors/%s.git", d->cfg.state_dir, rc->name);
	return xstrdup(rc->path);
}

static void
repo_setup(struct daemon *d, struct repo *r, const struct repo_conf *rc)
{
	r->owner = d;
	r->anchor = xcalloc(1, sizeof(*r->anchor));
	*r->anchor = (struct repo_anchor){ d, r, 1 };
	copy_conf(&r->conf, rc);
	r->results = json_object();
	r->gitdir = gitdir_for(d, rc);
	r->er = evaluator_repo_new(d->ev, r->gitdir, rc->url, rc->ref);
	r->kick_ev = evtimer_new(d->base, on_kick, r->anchor);
	r->valid_ev = evtimer_new(d->base, on_valid, r->anchor);
	watch_setup(d, r);
}

/* Free what r holds on the loop thread and let go of its anchor. Its
 * evaluator half is left alone: evaluator_free frees it, or it was
 * retired. */
static void
repo_teardown(struct repo *r)
{
	schedule_close(r);
	watch_stop(r);
	if (r->kick_ev)
		event_free(r->kick_ev);
	if (r->valid_ev)
		event_free(r->valid_ev);
	json_decref(r->results);
	json_decref(r->rules);
	free(r->gitdir);
	free(r->organisation);
	free(r->health_msg);
	free(r->rules_error);
	free_conf(&r->conf);
	r->anchor->r = NULL;
	anchor_put(r->anchor);
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
		daemon_reload(d);
		return;
	}
	log_info("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
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
plugins_load(const struct config *cfg)
{
	struct plugin_conf *pc = xcalloc(cfg->nplugins + 1, sizeof(*pc));
	for (size_t i = 0; i < cfg->nplugins; i++) {
		const struct plugin_entry *p = &cfg->plugins[i];
		pc[i] = (struct plugin_conf){ p->name, p->path, p->config, p->queue_max,
			                      p->origin };
	}
	struct plugin_host *h = plugin_host_load(pc, cfg->nplugins);
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

int
daemon_start(struct daemon *d, struct event_base *base, struct config *cfg, int64_t offset)
{
	memset(d, 0, sizeof(*d));
	d->base = base;
	d->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	d->clock_offset = offset;
	d->started = daemon_now(d);
	raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	d->plugins = plugins_load(&d->cfg);
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
	if (d->cfg.nplugins) {
		static const char *const t[] = { "results", "findings", "commits", "reminders" };
		d->plugin_sub =
		        bus_subscribe(d->bus, NULL, t, NELEM(t), plugins_on_bus, d->plugins);
	}
	d->ev = evaluator_new(base);
	d->repos = xcalloc(d->cfg.nrepos, sizeof(*d->repos));
	d->nrepos = d->cfg.nrepos;
	for (size_t i = 0; i < d->nrepos; i++)
		repo_setup(d, &d->repos[i], &d->cfg.repos[i]);
	replay(d);
	for (size_t i = 0; i < d->nrepos; i++)
		if (schedule_open(d, &d->repos[i]) < 0)
			return -1;
	struct server_opts so = { d->cfg.socket, d->cfg.listen_tcp, d->cfg.max_clients,
		                  d->cfg.max_message, d->cfg.subscriber_buffer };
	if (server_start(base, &so, rpc_line, rpc_gone, d, &d->srv) < 0)
		return -1;
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT };
	for (size_t i = 0; i < NELEM(sigs); i++) {
		d->sig[i] = evsignal_new(base, sigs[i], on_signal, d);
		event_add(d->sig[i], NULL);
	}
	for (size_t i = 0; i < d->nrepos; i++) {
		submit_load(d, &d->repos[i]);
		submit_head(d, &d->repos[i], 1, 0, NULL);
	}
	log_info("serving %zu repositor%s on %s%s%s", d->nrepos, d->nrepos == 1 ? "y" : "ies",
	         d->cfg.socket, d->cfg.listen_tcp ? " and " : "",
	         d->cfg.listen_tcp ? d->cfg.listen_tcp : "");
	return 0;
}

void
daemon_stop(struct daemon *d)
{
	d->stopping = 1;
	server_free(d->srv);
	d->srv = NULL;
	/* Finished jobs may still reach their repositories: stop the worker
	 * before the repositories go. */
	evaluator_free(d->ev);
	d->ev = NULL;
	plugins_stop(d);
	for (size_t i = 0; i < d->nrepos; i++)
		repo_teardown(&d->repos[i]);
	free(d->repos);
	for (size_t i = 0; i < NELEM(d->sig); i++)
		if (d->sig[i])
			event_free(d->sig[i]);
	bus_free(d->bus);
	journal_close(d->journal);
	free(d->config_error);
	config_free(&d->cfg);
	memset(d, 0, sizeof(*d));
}

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
	publish_status(d, r);
	evaluator_repo_retire(d->ev, r->er, drop_done, anchor_get(r->anchor));
	repo_teardown(r);
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
		watch_stop(r);
	if (moved) {
		log_info("repository %s: now %s%s%s; loading its rule packs and evaluating it anew",
		         rc->name, rc->url ? rc->url : rc->path, rc->ref ? " at " : "",
		         rc->ref ? rc->ref : "");
		evaluator_repo_retire(d->ev, r->er, drop_done, anchor_get(r->anchor));
		free(r->gitdir);
		r->gitdir = gitdir_for(d, rc);
		r->er = evaluator_repo_new(d->ev, r->gitdir, rc->url, rc->ref);
		/* The new half has no rules: the reload's load is its first. */
		json_decref(r->rules);
		r->rules = NULL;
		r->rewritten = 0;
	}
	free_conf(&r->conf);
	copy_conf(&r->conf, rc);
	if (timing)
		watch_setup(d, r);
	return moved;
}

/* Start serving r, added to the file: its schedule, and a `status`
 * notification (pending) so that dashboards learn of it. */
static void
repo_added(struct daemon *d, struct repo *r)
{
	log_info("repository %s: added in %s; watching and evaluating it", r->conf.name,
	         d->cfg.file);
	if (schedule_open(d, r) < 0)
		log_warnx("%s; its reminders are not sent until ismsd restarts", err_msg());
	r->health_msg = xasprintf("added to the configuration (%s); the first evaluation "
	                          "follows",
	                          d->cfg.file);
	publish_status(d, r);
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
			repo_setup(d, &nv[i], rc);
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

/* Take the settings a reload may change from the new configuration, and
 * its repositories. Returns what apply_repos returns. */
static unsigned char *
adopt(struct daemon *d, struct config *nc)
{
	log_set_level(nc->log_level);
	server_set_limits(d->srv, nc->max_clients, nc->subscriber_buffer);
	d->cfg.log_level = nc->log_level;
	d->cfg.max_clients = nc->max_clients;
	d->cfg.subscriber_buffer = nc->subscriber_buffer;
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
		copy_conf(&nc->repos[nc->nrepos++], &d->cfg.repos[i]);
	}
	if (config_check(nc, errs) < 0)
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
	for (size_t i = 0; i < d->nrepos; i++) {
		submit_load(d, &d->repos[i]);
		if (fresh && fresh[i])
			submit_head(d, &d->repos[i], 1, 0, NULL);
	}
	free(fresh);
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
	*out = plugins_load(cfg);
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

int
daemon_check(const struct config *cfg)
{
	struct plugin_host *plugins;
	int bad = check_plugins(cfg, &plugins) > 0;
	for (size_t i = 0; i < cfg->nrepos; i++) {
		const struct repo_conf *rc = &cfg->repos[i];
		struct ev_job *j = ev_job_new(EV_LOAD, evaluator_repo_new(NULL, ".", NULL, NULL));
		const char *rules = rc->rules ? rc->rules : cfg->rules;
		j->rules_dir = xstrdup(rules ? rules : engine_default_rules_dir());
		evaluator_run(j);
		if (j->rc < 0) {
			for (size_t k = 0; k < j->errs.n; k++)
				fprintf(stderr, "%s:%d: %s\n",
				        j->errs.v[k].path ? j->errs.v[k].path : "rules",
				        j->errs.v[k].line, j->errs.v[k].msg);
			fprintf(stderr, "repository %s: %s\n", rc->name, j->error);
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
