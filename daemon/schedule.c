/* schedule.c - the scheduler glue of the daemon: the head commit's model
 * per repository, reminders fired on the `reminders` topic, and the
 * calendar, audit plan, review pack and acknowledgement behind the socket.
 *
 * The model is the evaluator's: every head it evaluates comes with its
 * model (a model_hold, shared by count and never changed), so a commit
 * costs no second load. The scheduler keeps no reference to it: the head
 * cache (headcache.h) keeps it while model_cache allows, and when it has
 * been let go it is loaded again from the head commit, which gives the
 * same records. A timer loads it on a short-lived thread (one at a time
 * over all repositories; the snapshot and the model are built there and
 * touched by nobody else until the loop thread joins it), and so does a
 * head the evaluator could not give a model for (no rule packs loaded);
 * a request, the clock method and an acknowledgement load it on the loop
 * thread, as they answer with it. The reminder state is only touched on
 * the loop thread, as reminder.h requires. */
#include "schedule.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "thread.h"
#include "calendar.h"
#include "catalogue.h"
#include "export.h"
#include "soa_export.h"
#include "bus.h"
#include "config.h"
#include "date.h"
#include "engine.h"
#include "ical.h"
#include "log.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "problems.h"
#include "headcache.h"
#include "model.h"
#include "planner.h"
#include "reminder.h"
#include "review_pack.h"
#include "repo.h"
#include "snapshot.h"
#include "escape.h"

/* Re-check at least this often (seconds), in case the clock jumps. */
#define MAX_SLEEP ((int64_t)6 * 3600)
/* Loads on threads of their own at once; the others wait their turn, so
 * that the timers of many repositories falling due together do not
 * parse them all at once. */
#define MAX_LOADS 1

/* One load of a commit, built on its own thread (or on the loop thread
 * for a request that cannot wait). */
struct load {
	char *gitdir, *ref;
	const void *key; /* the head cache's key of the repository it is of */
	char commit[41]; /* "" at start: resolve ref */
	struct snapshot *snap;
	struct model *m;
	struct reminder_config *cfg;
	struct problems probs; /* isms.yaml reminder settings */
	char *error;           /* the load failed, why */
	int wfd;               /* written to when done; -1: none */
};

/* The scheduler's half of one repository. Its model is not kept here:
 * the head cache (headcache.h) keeps it while its budget allows, and it
 * is loaded again when it is wanted and no longer kept. */
struct sched {
	const struct schedule_env *env;
	struct repo *r;
	struct reminder_state *st;
	char commit[41]; /* the head the reminder settings are of; "" for none */
	struct reminder_config *cfg;
	struct problems probs;
	struct load *ld; /* running, or NULL */
	pthread_t th;
	char want[41]; /* a newer head to load after ld */
	/* A newer head's model, given while ld ran: installed after it. */
	struct model_hold *given;
	char given_commit[41];
	/* Waiting for a load slot (MAX_LOADS), to load qcommit. */
	int queued;
	char qcommit[41];
	struct sched *qnext;
	int pipe[2];
	struct event *done_ev, *timer;
	/* The calendar run_with worked out last, and what it was worked out
	 * from (calendar_inputs): a commit that changes none of it (an asset
	 * edited) keeps it on the same day. */
	struct calendar *cal;
	uint64_t cal_inputs;
	struct sched *next;
};

/* The daemon's repositories have no slot for it: find ours by repo. */
static struct sched *scheds;
/* Loads running on their threads, and the repositories waiting for one. */
static size_t loads;
static struct sched *waiting, **wtail = &waiting;

static struct sched *
find(const struct repo *r)
{
	for (struct sched *s = scheds; s; s = s->next)
		if (s->r == r)
			return s;
	return NULL;
}

/* What the head cache knows r's head by: the evaluator's half. */
static const void *
key_of(const struct sched *s)
{
	return s->r->er;
}

/* The model of the head s->commit when the cache keeps it (a reference,
 * the caller's), or NULL. */
static struct model_hold *
cached(const struct sched *s)
{
	if (s->commit[0] == '\0')
		return NULL;
	return headcache_get(s->env->heads, key_of(s), s->commit);
}

static void
load_free(struct load *l)
{
	if (l == NULL)
		return;
	free(l->gitdir);
	free(l->ref);
	model_free(l->m);
	snapshot_free(l->snap);
	reminder_config_free(l->cfg);
	problems_free(&l->probs);
	free(l->error);
	free(l);
}

/* Resolve, load, build the model, read the settings. */
static void
load_run(struct load *l)
{
	struct snapshot_limits lim = { SNAPSHOT_DEFAULT_MAX_BLOB, SNAPSHOT_DEFAULT_MAX_FILES };
	if ((l->commit[0] == '\0' && repo_resolve(l->gitdir, l->ref, l->commit, NULL) < 0) ||
	    snapshot_load(l->gitdir, l->commit, NULL, &lim, &l->snap) < 0 ||
	    model_build(l->snap, &l->m) < 0)
		l->error = xstrdup(err_msg());
	else
		reminder_config_load(l->m, &l->cfg, &l->probs);
}

/* The loading thread. */
static void *
loader(void *arg)
{
	struct load *l = arg;
	char c = 1;
	load_run(l);
	if (write(l->wfd, &c, 1) < 0)
		log_warn("cannot wake the event loop");
	return NULL;
}

static struct load *
load_new(struct sched *s, const char *commit)
{
	struct load *l = xcalloc(1, sizeof(*l));
	l->gitdir = xstrdup(s->r->gitdir);
	l->ref = s->r->conf.ref ? xstrdup(s->r->conf.ref) : NULL;
	l->key = key_of(s);
	snprintf(l->commit, sizeof(l->commit), "%s", commit ? commit : "");
	l->wfd = s->pipe[1];
	return l;
}

/* Take s off the waiting list. */
static void
unqueue(struct sched *s)
{
	if (!s->queued)
		return;
	struct sched **p = &waiting;
	while (*p != s)
		p = &(*p)->qnext;
	*p = s->qnext;
	if (wtail == &s->qnext)
		wtail = p;
	s->qnext = NULL;
	s->queued = 0;
}

static void
spawn(struct sched *s, const char *commit)
{
	struct load *l = load_new(s, commit);
	if (thread_start(&s->th, "calendar", loader, l) < 0) {
		log_warnx("repository %s: cannot load the calendar: %s", s->r->conf.name,
		          err_msg());
		load_free(l);
		return;
	}
	s->ld = l;
	loads++;
}

/* Load commit (NULL: resolve the ref) on a thread, now or when a slot is
 * free. */
static void
start_load(struct sched *s, const char *commit)
{
	if (loads < MAX_LOADS && !s->env->stopping) {
		unqueue(s);
		spawn(s, commit);
		return;
	}
	snprintf(s->qcommit, sizeof(s->qcommit), "%s", commit ? commit : "");
	if (s->queued)
		return;
	s->queued = 1;
	s->qnext = NULL;
	*wtail = s;
	wtail = &s->qnext;
}

/* Start the loads waiting while slots are free. */
static void
pump(void)
{
	while (loads < MAX_LOADS && waiting) {
		struct sched *s = waiting;
		if (s->env->stopping)
			return;
		unqueue(s);
		spawn(s, s->qcommit[0] ? s->qcommit : NULL);
	}
}

/* Publish and mark one due reminder; -1 when it could not be delivered. */
static int
fire(struct sched *s, struct reminder *r, int64_t now)
{
	if (!r->redelivery && reminder_mark_fired(s->st, r) < 0)
		return -1;
	json_t *o = reminder_json(r);
	uint64_t cur = bus_publish(s->env->bus, s->r->conf.name, "reminders", now, o);
	json_decref(o);
	if (cur == 0)
		return -1;
	log_info("repository %s: reminder %s", s->r->conf.name, r->id);
	return reminder_mark_delivered(s->st, r->id);
}

static void
arm(struct sched *s, int64_t now, int64_t next)
{
	int64_t delay = next == INT64_MAX ? MAX_SLEEP : next - now;
	if (delay > MAX_SLEEP)
		delay = MAX_SLEEP;
	/* A frozen clock gets there only by the clock method, which calls
	 * schedule_clock_moved. */
	if (s->env->frozen && delay > 0) {
		evtimer_del(s->timer);
		return;
	}
	struct timeval tv = { delay > 0 ? (time_t)delay : 0, delay > 0 ? 0 : 1000 };
	evtimer_add(s->timer, &tv);
}

/* Deliver what is due now by the calendar of m and arm the timer for
 * what comes next. */
static void
run_with(struct sched *s, const struct model *m)
{
	struct reminder_list list = { 0 };
	struct calendar *cal = NULL;
	int64_t now = s->env->now(s->env->arg);
	if (m == NULL || s->st == NULL)
		return;
	struct ymd today;
	uint64_t inputs = calendar_inputs(m);
	if (s->cal && inputs && inputs == s->cal_inputs &&
	    date_local_ymd(now, m->tz, &today) == 0 &&
	    memcmp(&today, &s->cal->today, sizeof(today)) == 0) {
		cal = s->cal;
	} else {
		calendar_free(s->cal);
		calendar_build(m, now, &cal);
		s->cal = cal;
		s->cal_inputs = inputs;
	}
	if (reminder_due(s->st, s->cfg, cal, now, &list) < 0) {
		log_warnx("repository %s: reminders: %s", s->r->conf.name, err_msg());
	} else {
		for (size_t i = 0; i < list.n; i++)
			if (fire(s, &list.v[i], now) < 0) {
				log_warnx("repository %s: reminder %s not delivered: %s",
				          s->r->conf.name, list.v[i].id, err_msg());
				break;
			}
	}
	reminder_list_free(&list);
	arm(s, now, reminder_next(s->st, s->cfg, cal, now));
}

/* Keep commit as the head, with its reminder settings cfg and their
 * problems probs (logged: they are new). */
static void
keep(struct sched *s, const char *commit, struct reminder_config *cfg, struct problems *probs)
{
	for (size_t i = 0; i < probs->n; i++)
		log_warnx("repository %s: %s:%d: %s", s->r->conf.name, probs->v[i].path,
		          probs->v[i].line, probs->v[i].msg);
	reminder_config_free(s->cfg);
	problems_free(&s->probs);
	s->cfg = cfg;
	s->probs = *probs;
	memset(probs, 0, sizeof(*probs));
	snprintf(s->commit, sizeof(s->commit), "%s", commit);
	log_debug("repository %s: calendar of %.12s loaded", s->r->conf.name, s->commit);
}

/* Take a finished load: its commit becomes the head unless it is the head
 * already (loaded again because the cache let it go), and its model goes
 * to the cache. Returns the model (a reference, the caller's), or NULL
 * when the load failed. */
static struct model_hold *
install(struct sched *s, struct load *l)
{
	if (l->error) {
		log_warnx("repository %s: the calendar cannot be computed: %s", s->r->conf.name,
		          l->error);
		return NULL;
	}
	struct model_hold *h = model_hold_new(l->snap, l->m);
	l->m = NULL;
	l->snap = NULL;
	/* A load started before a reload gave r another evaluator half is
	 * of a repository that may no longer be r's. */
	if (l->key == key_of(s))
		headcache_put(s->env->heads, key_of(s), h);
	if (strcmp(l->commit, s->commit) != 0) {
		keep(s, l->commit, l->cfg, &l->probs);
		l->cfg = NULL;
	}
	return h;
}

/* Take the evaluator's model of commit as the head's. */
static void
install_given(struct sched *s, const struct model_hold *hold, const char *commit)
{
	struct reminder_config *cfg = NULL;
	struct problems probs = { 0 };
	reminder_config_load(hold->m, &cfg, &probs);
	keep(s, commit, cfg, &probs);
}

/* Join the running load (blocking until it is done) and install it; its
 * model (a reference) or NULL. */
static struct model_hold *
finish(struct sched *s)
{
	char buf[16];
	struct model_hold *h = NULL;
	if (s->ld == NULL)
		return NULL;
	pthread_join(s->th, NULL);
	while (read(s->pipe[0], buf, sizeof(buf)) > 0)
		;
	struct load *l = s->ld;
	s->ld = NULL;
	loads--;
	if (!s->env->stopping)
		h = install(s, l);
	load_free(l);
	return h;
}

/* After a load: take the model given meanwhile, or load the newer head
 * wanted meanwhile; then recompute, and let the next load waiting start. */
static void
complete(struct sched *s)
{
	struct model_hold *h = finish(s);
	if (s->given) {
		install_given(s, s->given, s->given_commit);
		model_hold_drop(h);
		h = s->given;
		s->given = NULL;
		s->want[0] = '\0';
	}
	if (s->want[0] && strcmp(s->want, s->commit) != 0) {
		start_load(s, s->want);
		s->want[0] = '\0';
	} else {
		s->want[0] = '\0';
		/* A failed load is not tried again here: the next commit, timer
		 * or request does. */
		if (h)
			run_with(s, h->m);
	}
	model_hold_drop(h);
	pump();
}

/* The model of the head: kept, or loaded now on this thread (a request
 * waits for it). A reference, the caller's; NULL with err_msg() when
 * there is no head yet or it cannot be read. */
static struct model_hold *
model_now(struct sched *s)
{
	struct model_hold *h = cached(s);
	if (h)
		return h;
	if (s->ld) {
		complete(s);
		if ((h = cached(s)) != NULL)
			return h;
	}
	/* A load waiting for its turn is of a newer head (or of the head
	 * the cache let go): it is done now instead. */
	char want[41], was[41];
	snprintf(want, sizeof(want), "%s", s->queued ? s->qcommit : s->commit);
	if (s->commit[0] == '\0' && !s->queued) {
		err_set("repository %s has no commit with an isms.yaml loaded yet (see its "
		        "health in status)",
		        s->r->conf.name);
		return NULL;
	}
	unqueue(s);
	snprintf(was, sizeof(was), "%s", s->commit);
	struct load *l = load_new(s, want[0] ? want : NULL);
	l->wfd = -1;
	load_run(l);
	h = install(s, l);
	if (h == NULL)
		err_set("repository %s: the records of its head cannot be read: %s",
		        s->r->conf.name, l->error);
	load_free(l);
	/* A new head: its reminders, as complete() would. */
	if (h && strcmp(was, s->commit) != 0)
		run_with(s, h->m);
	return h;
}

/* Deliver what is due and arm the timer, with the model loaded now when
 * it is not kept. */
static void
run_now(struct sched *s)
{
	struct model_hold *h = s->commit[0] ? model_now(s) : NULL;
	if (h)
		run_with(s, h->m);
	model_hold_drop(h);
}

static void
on_loaded(evutil_socket_t fd, short what, void *arg)
{
	struct sched *s = arg;
	if (s->ld)
		complete(s);
}

/* The timer: recompute with the model kept, or load it first off the
 * loop thread (complete() recomputes). */
static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct sched *s = arg;
	if (s->ld || s->queued)
		return;
	struct model_hold *h = cached(s);
	if (h)
		run_with(s, h->m);
	else if (s->commit[0])
		start_load(s, s->commit);
	model_hold_drop(h);
}

/* Create dir and its parents (mode 0750). */
static int
mkpath(const char *dir)
{
	char *p = xstrdup(dir);
	int rc = 0;
	for (char *c = p + 1;; c++) {
		if (*c != '/' && *c != '\0')
			continue;
		char was = *c;
		*c = '\0';
		if (mkdir(p, 0750) < 0 && errno != EEXIST) {
			rc = err_set("cannot create %s: %s", p, strerror(errno));
			break;
		}
		*c = was;
		if (was == '\0')
			break;
	}
	free(p);
	return rc;
}

int
schedule_open(const struct schedule_env *env, struct repo *r)
{
	struct sched *s = xcalloc(1, sizeof(*s));
	char *dir = xasprintf("%s/reminders/%s", env->cfg->state_dir, r->conf.name);
	int rc = -1;
	s->env = env;
	s->r = r;
	s->pipe[0] = s->pipe[1] = -1;
	if (mkpath(dir) < 0 || reminder_open(dir, &s->st) < 0)
		goto out;
	if (pipe2(s->pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
		err_set("cannot create a pipe: %s", strerror(errno));
		goto out;
	}
	s->done_ev = event_new(env->base, s->pipe[0], EV_READ | EV_PERSIST, on_loaded, s);
	event_add(s->done_ev, NULL);
	s->timer = evtimer_new(env->base, on_timer, s);
	/* The first evaluation of the head brings its model. */
	rc = 0;
out:
	if (rc < 0)
		err_set("repository %s: reminder state %s: %s", r->conf.name, dir, err_msg());
	free(dir);
	s->next = scheds;
	scheds = s;
	return rc;
}

void
schedule_close(struct repo *r)
{
	struct sched **p = &scheds, *s;
	while (*p && (*p)->r != r)
		p = &(*p)->next;
	if ((s = *p) == NULL)
		return;
	*p = s->next;
	unqueue(s);
	model_hold_drop(finish(s));
	if (s->done_ev)
		event_free(s->done_ev);
	if (s->timer)
		event_free(s->timer);
	if (s->pipe[0] >= 0) {
		close(s->pipe[0]);
		close(s->pipe[1]);
	}
	reminder_close(s->st);
	calendar_free(s->cal);
	model_hold_drop(s->given);
	reminder_config_free(s->cfg);
	problems_free(&s->probs);
	free(s);
	pump();
}

void
schedule_moved(const struct repo *old, struct repo *r)
{
	struct sched *s = find(old);
	if (s)
		s->r = r;
}

void
schedule_commit(struct repo *r, const char *commit, struct model_hold *hold)
{
	struct sched *s = find(r);
	if (s == NULL || s->st == NULL || commit == NULL || commit[0] == '\0')
		return;
	if (hold && hold->m && strcmp(s->commit, commit) != 0) {
		if (s->ld) {
			/* Installed once the running load is: that one is older. */
			model_hold_drop(s->given);
			s->given = model_hold_ref(hold);
			snprintf(s->given_commit, sizeof(s->given_commit), "%s", commit);
			s->want[0] = '\0';
			return;
		}
		/* A load waiting for its turn is of an older head. */
		unqueue(s);
		install_given(s, hold, commit);
		run_with(s, hold->m);
		return;
	}
	if (s->ld) {
		if (strcmp(s->ld->commit, commit) != 0)
			snprintf(s->want, sizeof(s->want), "%s", commit);
		return;
	}
	if (strcmp(s->commit, commit) != 0)
		start_load(s, commit);
}

void
schedule_clock_moved(struct repo *r)
{
	struct sched *s = find(r);
	if (s && s->ld == NULL)
		run_now(s);
}

/* r's scheduler half and the model of its head (*h, a reference the
 * caller drops); or SCHEDULE_NOT_READY with err_msg(). */
static int
ready(struct repo *r, struct sched **sp, struct model_hold **h)
{
	struct sched *s = find(r);
	*h = NULL;
	if (s == NULL) {
		err_set("repository %s has no commit with an isms.yaml loaded yet (see its "
		        "health in status)",
		        r->conf.name);
		return SCHEDULE_NOT_READY;
	}
	if ((*h = model_now(s)) == NULL)
		return SCHEDULE_NOT_READY;
	*sp = s;
	return 0;
}

static json_t *
event_json(const struct cal_event *e)
{
	char d[11];
	date_format(e->date, d);
	return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:i, s:b}", "id", e->id, "kind",
	                 calendar_kind_name(e->kind), "title", e->title, "date", d, "owner",
	                 e->owner, "file", e->file, "line", e->line, "overdue", e->overdue);
}

/* The reminder settings' problems as [{file, line, message}]. */
static json_t *
problems_json(const struct problems *p)
{
	json_t *a = json_array();
	for (size_t i = 0; i < p->n; i++)
		json_array_append_new(a, json_pack("{s:s?, s:i, s:s}", "file", p->v[i].path, "line",
		                                   p->v[i].line, "message", p->v[i].msg));
	return a;
}

/* The organisation's name from isms.yaml, or NULL; the caller's. */
static char *
org_name(const struct model *m)
{
	const struct node *root = m->manifest && m->manifest->doc ? m->manifest->doc->root : NULL;
	const struct node *o = root ? node_get(root, "organisation") : NULL;
	if (o && o->kind == NODE_MAP)
		o = node_get(o, "name");
	return o && o->kind == NODE_STRING ? xstrndup(o->str, o->len) : NULL;
}

static int
calendar_of(struct sched *s, const struct model *m, struct repo *r, int ics, int text, json_t **out)
{
	struct calendar *cal = NULL;
	int64_t now = s->env->now(s->env->arg);
	char today[11];
	calendar_build(m, now, &cal);
	date_format(cal->today, today);
	json_t *o =
	        json_pack("{s:s, s:s, s:s, s:s, s:o}", "repo", r->conf.name, "commit", s->commit,
	                  "today", today, "tz", cal->tz, "problems", problems_json(&s->probs));
	if (ics) {
		char *txt = NULL;
		char *name = org_name(m);
		int rc = ical_export(cal, s->cfg, name, now, &txt);
		free(name);
		if (rc < 0) {
			json_decref(o);
			calendar_free(cal);
			return SCHEDULE_FAILED;
		}
		json_object_set_new(o, "ics", json_string(txt));
		free(txt);
	} else if (text) {
		struct buf b = { 0 };
		calendar_text(cal, &b);
		json_object_set_new(o, "text", json_string(b.data ? b.data : ""));
		buf_free(&b);
	} else {
		json_t *a = json_array();
		for (size_t i = 0; i < cal->n; i++)
			json_array_append_new(a, event_json(&cal->v[i]));
		json_object_set_new(o, "events", a);
	}
	calendar_free(cal);
	*out = o;
	return 0;
}

/* Load the catalogue of r's rule packs; the caller's. */
static int
load_catalogue(struct sched *s, struct catalogue **out)
{
	const char *dir = s->r->conf.rules ? s->r->conf.rules : s->env->cfg->rules;
	char *path = xasprintf("%s/iso27001-2022.json", dir ? dir : engine_default_rules_dir());
	int rc = catalogue_load(path, out);
	free(path);
	return rc;
}

/* The planner's input problems as one message. */
static void
problems_error(const struct problems *p)
{
	struct buf b = { 0 };
	buf_adds(&b, "fix the audit programme parameters in isms.yaml");
	for (size_t i = 0; i < p->n; i++)
		buf_printf(&b, "; %s:%d: %s", esc(p->v[i].path), p->v[i].line, esc(p->v[i].msg));
	err_set("%s", b.data);
	buf_free(&b);
}

static int
audit_plan_of(struct sched *s, const struct model *m, struct repo *r, int text, json_t **out)
{
	struct catalogue *cat = NULL;
	struct plan_input *in = NULL;
	struct plan *p = NULL;
	struct problems probs = { 0 };
	const char **clauses, **controls;
	int rc = SCHEDULE_FAILED;
	if (load_catalogue(s, &cat) < 0)
		goto out;
	size_t ncl = catalogue_clauses(cat, &clauses), nct = catalogue_controls(cat, &controls);
	planner_input(m, clauses, ncl, controls, nct, s->env->now(s->env->arg), &in, &probs);
	if (probs.n) {
		problems_error(&probs);
		goto out;
	}
	planner_run(in, &p);
	json_t *o = planner_json(in, p);
	if (text) {
		struct buf b = { 0 };
		planner_text(in, p, &b);
		json_object_set_new(o, "text", json_string(b.data ? b.data : ""));
		buf_free(&b);
	}
	json_object_set_new(o, "repo", json_string(r->conf.name));
	json_object_set_new(o, "commit", json_string(s->commit));
	*out = o;
	rc = 0;
out:
	problems_free(&probs);
	plan_free(p);
	planner_input_free(in);
	catalogue_free(cat);
	return rc;
}

static int
soa_of(struct sched *s, const struct model *m, struct repo *r, json_t *results, json_t **out)
{
	struct catalogue *cat = NULL;
	if (load_catalogue(s, &cat) < 0)
		return SCHEDULE_FAILED;
	int64_t now = s->env->now(s->env->arg);
	json_t *env = export_envelope("soa", s->commit, r->rules_digest, now, m->tz);
	json_object_set_new(env, "repo", json_string(r->conf.name));
	*out = soa_build(m, results, cat, now, env);
	catalogue_free(cat);
	return 0;
}

static int
review_pack_of(struct sched *s, const struct model *m, struct repo *r, const char *links,
               json_t **out)
{
	struct buf b = { 0 };
	review_pack_write(m, s->env->now(s->env->arg), links ? links : "../", &b);
	*out = json_pack("{s:s, s:s, s:s}", "repo", r->conf.name, "commit", s->commit, "markdown",
	                 b.data ? b.data : "");
	buf_free(&b);
	return 0;
}

int
schedule_ack(struct repo *r, const char *id, json_t **out)
{
	struct sched *s = find(r);
	if (s == NULL || s->st == NULL) {
		err_set("repository %s keeps no reminder state", r->conf.name);
		return SCHEDULE_FAILED;
	}
	struct calendar *cal = NULL;
	/* The head's calendar, loaded when the cache let it go. */
	struct model_hold *h = s->commit[0] ? model_now(s) : NULL;
	if (h)
		calendar_build(h->m, s->env->now(s->env->arg), &cal);
	model_hold_drop(h);
	int known = id && reminder_ack_known(s->st, s->cfg, cal, id);
	calendar_free(cal);
	if (id && *id && !known) {
		err_set("no reminder has the id or ack key '%.200s': use the \"ack\" of a "
		        "reminder (ismsctl watch shows it), or <event id>@<date> of an event "
		        "in ismsctl calendar",
		        id);
		return SCHEDULE_BAD_ID;
	}
	if (reminder_ack(s->st, id) < 0)
		return SCHEDULE_BAD_ID;
	log_info("repository %s: reminder %s acknowledged", r->conf.name, id);
	run_now(s);
	*out = json_pack("{s:s, s:s, s:b}", "repo", r->conf.name, "id", id, "acknowledged", 1);
	return 0;
}

/* One person's id, name and e-mail address into the object arg. */
static void
visit_person(const struct node *rec, const struct model_doc *md, void *arg)
{
	const struct node *id = node_get(rec, "id"), *name = node_get(rec, "name");
	const struct node *mail = node_get(rec, "email");
	if (id == NULL || id->kind != NODE_STRING)
		return;
	char *key = xstrndup(id->str, id->len);
	json_object_set_new(arg, key,
	                    json_pack("{s:s%, s:s%}", "name",
	                              name && name->kind == NODE_STRING ? name->str : "",
	                              name && name->kind == NODE_STRING ? name->len : 0, "email",
	                              mail && mail->kind == NODE_STRING ? mail->str : "",
	                              mail && mail->kind == NODE_STRING ? mail->len : 0));
	free(key);
}

/* A scalar field of rec as JSON (text, boolean), or null. */
static json_t *
field(const struct node *rec, const char *key)
{
	const struct node *n = node_get(rec, key);
	if (n && n->kind == NODE_STRING)
		return json_stringn(n->str, n->len);
	if (n && n->kind == NODE_BOOL)
		return json_boolean(n->i);
	return json_null();
}

/* The SoA's owner and, per control, its applicability, implementation
 * status, owner and justification, into the object arg. */
static void
visit_soa(const struct node *rec, const struct model_doc *md, void *arg)
{
	const struct node *list = node_get(rec, "controls");
	json_t *controls = json_object();
	for (size_t i = 0; list && list->kind == NODE_SEQ && i < list->n; i++) {
		const struct node *c = list->items[i];
		json_t *id = c->kind == NODE_MAP ? field(c, "control") : NULL;
		if (json_is_string(id))
			json_object_set_new(controls, json_string_value(id),
			                    json_pack("{s:o, s:o, s:o, s:o, s:s, s:i}",
			                              "applicable", field(c, "applicable"),
			                              "status", field(c, "status"), "owner",
			                              field(c, "owner"), "justification",
			                              field(c, "justification"), "file",
			                              md->file->path, "line", c->line));
		json_decref(id);
	}
	json_object_set_new(arg, "owner", field(rec, "owner"));
	json_object_set_new(arg, "controls", controls);
}

static int
people_of(struct sched *s, const struct model *m, struct repo *r, json_t **out)
{
	json_t *people = json_object(), *soa = json_object();
	calendar_each(m, "person", visit_person, people);
	calendar_each(m, "soa", visit_soa, soa);
	*out = json_pack("{s:s, s:s, s:o, s:o}", "repo", r->conf.name, "commit", s->commit,
	                 "people", people, "soa", soa);
	return 0;
}

static int
feed_of(struct sched *s, const struct model *m, struct repo *r, char **out)
{
	struct calendar *cal = NULL;
	json_t *people = NULL, *p;
	const char *id;
	int64_t now = s->env->now(s->env->arg);
	people = json_object();
	calendar_each(m, "person", visit_person, people);
	struct ical_person *v = xcalloc(json_object_size(people) + 1, sizeof(*v));
	struct ical_feed f = { r->conf.name, v, 0 };
	json_object_foreach (people, id, p) {
		const char *mail = json_string_value(json_object_get(p, "email"));
		v[f.npeople++] =
		        (struct ical_person){ id, json_string_value(json_object_get(p, "name")),
			                      mail && *mail ? mail : NULL };
	}
	calendar_build(m, now, &cal);
	char *name = org_name(m);
	int rc = ical_export_feed(cal, s->cfg, name, &f, now, out);
	free(name);
	free(v);
	json_decref(people);
	calendar_free(cal);
	return rc < 0 ? SCHEDULE_FAILED : 0;
}

int
schedule_acked(struct repo *r, const char *key)
{
	struct sched *s = find(r);
	return s && s->st && reminder_acked(s->st, key) > 0;
}

/* The methods above on r's head model, loaded when the cache let it go. */
#define ON_HEAD(call)                                                                              \
	do {                                                                                       \
		struct sched *s;                                                                   \
		struct model_hold *h;                                                              \
		if (ready(r, &s, &h) < 0)                                                          \
			return SCHEDULE_NOT_READY;                                                 \
		int rc_ = (call);                                                                  \
		model_hold_drop(h);                                                                \
		return rc_;                                                                        \
	} while (0)

int
schedule_calendar(struct repo *r, int ics, int text, json_t **out)
{
	ON_HEAD(calendar_of(s, h->m, r, ics, text, out));
}

int
schedule_audit_plan(struct repo *r, int text, json_t **out)
{
	ON_HEAD(audit_plan_of(s, h->m, r, text, out));
}

int
schedule_soa(struct repo *r, json_t *results, json_t **out)
{
	ON_HEAD(soa_of(s, h->m, r, results, out));
}

int
schedule_review_pack(struct repo *r, const char *links, json_t **out)
{
	ON_HEAD(review_pack_of(s, h->m, r, links, out));
}

int
schedule_people(struct repo *r, json_t **out)
{
	ON_HEAD(people_of(s, h->m, r, out));
}

int
schedule_feed(struct repo *r, char **out)
{
	ON_HEAD(feed_of(s, h->m, r, out));
}
