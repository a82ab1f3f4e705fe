/* evaluator.c - the evaluation threads. Only they touch engines and
 * previous evaluations, and only one at a time per repository; the loop
 * thread sees JSON handed over in finished jobs.
 *
 * Fairness: each repository has its own queue, and the workers (eval_threads)
 * take the repositories with work in turn, one job each, so a repository
 * whose evaluation is slow holds up only itself while another worker is
 * free; the evaluation deadline (engine_set_eval_deadline) bounds how long
 * it can hold a worker.
 *
 * Incremental evaluation: the previous evaluation of a repository records
 * what each rule read (paths) and listed (patterns). For a new commit the
 * tree diff gives the changed paths, and only rules that read one of them,
 * list a pattern one of them matches, read nothing at all, or whose
 * verdict has expired (valid_until) run again; the others keep their
 * verdict. */
#include "evaluator.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "thread.h"
#include "engine.h"
#include "memo.h"
#include "gitcache.h"
#include "headcache.h"
#include "record_diff.h"
#include "log.h"
#include "alloc.h"
#include "err.h"
#include "problems.h"
#include "sys.h"
#include "model.h"
#include "pathglob.h"
#include "repo.h"
#include "report.h"
#include "snapshot.h"
#include "treediff.h"

struct evaluator_repo {
	char *gitdir, *url, *ref;
	struct evaluator *ev; /* NULL: a job run alone (evaluator_run) */
	/* The rule packs it is judged by: shared with the repositories
	 * loaded from the same directory in the same generation (pack), or
	 * its own engine when there is no evaluator. */
	struct pack *pack;
	struct engine *engine;
	struct memo *memo;       /* r:each iterations of the heads (memo.h) */
	struct evaluation *prev; /* merged verdicts of the last head */
	/* prev's verdicts as JSON, by rule index (null where none): a rule
	 * that did not run again keeps its object instead of a new one. The
	 * objects are never changed once made, so the loop thread may hold
	 * them too (jansson's reference counts are atomic). */
	json_t *prev_json;
	/* The files and records of the last head loaded are kept in the
	 * evaluator's head cache under this struct, while the budget allows,
	 * and reused for the next (snapshot_update, model_update). The
	 * organisation's name of the last head loaded (NULL: none) is kept
	 * here, for a commit that changes nothing a rule reads. */
	char *org;
	/* The last head that could not be read (no isms.yaml, damaged):
	 * not read again until the ref moves, or until retry_at (monotonic
	 * ms), each failure of the same commit doubling the wait. */
	char failed[41];
	char *failed_msg;
	int failed_not_isms;
	double retry_at, retry_ms;
	struct evaluator_repo *next;
	/* Scheduling, under the evaluator's lock: jobs wait here, in order;
	 * while a worker runs one of them (or prepares the engine) running
	 * is set and no other worker takes the next, so that the jobs of one
	 * repository run one at a time and in order. A repository with jobs
	 * that no worker runs is on the ready list, once. */
	struct ev_job *q, **qtail;
	int running, ready;
	struct evaluator_repo *rnext;
};

/* Waits before an unchanged head that failed is read again. */
#define RETRY_FIRST_MS 60000.0
#define RETRY_MAX_MS   3600000.0

/* How long the workers stay idle after a job before the heap freed since
 * is handed back to the system (trim). */
#define TRIM_AFTER_MS 1000

/* The engines of one rules directory loaded in one generation, shared by
 * every repository that loaded it: an engine is used by one worker at a
 * time, so there are at most as many as workers, made as they are wanted
 * (the first by the load). The rules of all are the same (their digests
 * equal), so a repository's previous verdicts, which point at the rules
 * of whichever engine judged them, stay good while the pack lives. */
struct pack {
	char *rules_dir;
	unsigned gen;
	char digest[41];
	struct engine **idle; /* not in use, up to nthreads */
	size_t nidle, nengines;
	size_t refs; /* repositories holding it */
	json_t *rules;
	size_t nrules;
	struct pack *next;
};

struct evaluator {
	pthread_t *threads;
	size_t nthreads;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* Repositories with jobs to run, oldest first: a worker takes one
	 * job of the first and puts the repository back at the end, so that
	 * repositories take turns whatever each has queued. */
	struct evaluator_repo *ready, **rtail;
	struct ev_job *done, **dtail; /* finished */
	size_t pending;
	int stop;
	int trim_due; /* jobs ran since the last trim */
	int pipe[2];
	struct event *ev;
	struct evaluator_repo *repos;
	struct pack *packs;      /* under mu */
	struct headcache *heads; /* borrowed; NULL: keep no head */
};

/* The head cache r's heads are kept in, or NULL (a job run alone). */
static struct headcache *
heads_of(const struct evaluator_repo *r)
{
	return r->ev ? r->ev->heads : NULL;
}

/* A job with what only the evaluator touches: why it failed, kept from
 * the worker's thread to the loop thread's err_msg(). */
struct job {
	struct ev_job pub; /* first: a struct ev_job * is a struct job * */
	char *error;
};

static struct job *
job_of(struct ev_job *j)
{
	return (struct job *)(void *)j;
}

struct ev_job *
ev_job_new(enum ev_kind kind, struct evaluator_repo *er)
{
	struct job *p = xcalloc(1, sizeof(*p));
	p->pub.kind = kind;
	p->pub.er = er;
	return &p->pub;
}

/* Hand a failed job's message to this thread's err_msg(), for done(). */
static void
tell(struct ev_job *j)
{
	if (j->rc < 0)
		err_set("%s", job_of(j)->error ? job_of(j)->error : "the evaluation failed");
}

void
ev_job_free(struct ev_job *j)
{
	if (j == NULL)
		return;
	free(j->ref);
	free(j->asof);
	free(j->rules_dir);
	free(job_of(j)->error);
	free(j->organisation);
	model_hold_drop(j->head);
	problems_free(&j->errs);
	json_decref(j->results);
	json_decref(j->rules);
	json_decref(j->req_id);
	/* A retired repository goes with its drop job (evaluator_repo_retire). */
	if (j->kind == EV_DROP)
		evaluator_repo_free(j->er);
	free(j);
}

static void
fail(struct ev_job *j, const char *what)
{
	j->rc = -1;
	free(job_of(j)->error);
	job_of(j)->error = xstrdup(what);
}

/* Free p and its engines. */
static void
pack_free(struct pack *p)
{
	if (p == NULL)
		return;
	while (p->nidle > 0)
		engine_free(p->idle[--p->nidle]);
	free(p->idle);
	json_decref(p->rules);
	free(p->rules_dir);
	free(p);
}

/* Let go of p (NULL: none); the last repository to frees it. */
static void
pack_put(struct evaluator *e, struct pack *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&e->mu);
	int last = --p->refs == 0;
	if (last) {
		struct pack **pp = &e->packs;
		while (*pp != p)
			pp = &(*pp)->next;
		*pp = p->next;
	}
	pthread_mutex_unlock(&e->mu);
	if (last)
		pack_free(p);
}

/* The pack of dir loaded in generation gen (not 0), with a reference, or
 * NULL. Under e->mu. */
static struct pack *
pack_find(struct evaluator *e, const char *dir, unsigned gen)
{
	for (struct pack *p = e->packs; p && gen; p = p->next)
		if (p->gen == gen && strcmp(p->rules_dir, dir) == 0) {
			p->refs++;
			return p;
		}
	return NULL;
}

/* The pack for engine g, just loaded from dir in generation gen, with a
 * reference: a new one, or the one another worker loaded meanwhile, which
 * then keeps g as a second engine when it has the same rules. */
static struct pack *
pack_add(struct evaluator *e, const char *dir, unsigned gen, struct engine *g)
{
	pthread_mutex_lock(&e->mu);
	struct pack *p = pack_find(e, dir, gen);
	if (p && p->nengines < e->nthreads && strcmp(p->digest, engine_digest(g)) == 0) {
		p->idle[p->nidle++] = g;
		p->nengines++;
		g = NULL;
	}
	if (p == NULL) {
		p = xcalloc(1, sizeof(*p));
		p->rules_dir = xstrdup(dir);
		p->gen = gen;
		snprintf(p->digest, sizeof(p->digest), "%s", engine_digest(g));
		p->idle = xcalloc(e->nthreads, sizeof(struct engine *));
		p->idle[p->nidle++] = g;
		p->nengines = 1;
		p->refs = 1;
		p->rules = json_array();
		const struct rule_info *r;
		p->nrules = engine_rules(g, &r);
		for (size_t i = 0; i < p->nrules; i++)
			json_array_append_new(p->rules, report_rule_json(&r[i]));
		p->next = e->packs;
		e->packs = p;
		g = NULL;
	}
	pthread_mutex_unlock(&e->mu);
	engine_free(g);
	return p;
}

static void
do_load(struct ev_job *j)
{
	struct evaluator_repo *er = j->er;
	struct evaluator *ev = er->ev;
	const char *dir = j->rules_dir ? j->rules_dir : engine_default_rules_dir();
	struct engine *e = NULL;
	struct pack *p = NULL;
	if (ev) {
		pthread_mutex_lock(&ev->mu);
		p = pack_find(ev, dir, j->gen);
		pthread_mutex_unlock(&ev->mu);
	}
	if (p == NULL) {
		struct engine_opts o = { dir, { 0, 0 } };
		if (engine_load(&o, &e, &j->errs) < 0) {
			fail(j, err_msg());
			return;
		}
		if (ev)
			p = pack_add(ev, dir, j->gen, e);
	}
	/* A new rule set: the next evaluation runs every rule. */
	evaluation_free(er->prev);
	er->prev = NULL;
	json_decref(er->prev_json);
	er->prev_json = NULL;
	engine_free(er->engine);
	er->engine = NULL;
	/* Commit after commit: r:each iterations over records that did not
	 * change are replayed; a new rule set starts a new memo. */
	memo_free(er->memo);
	er->memo = memo_new(p ? p->nrules : engine_rules(e, NULL));
	if (ev) {
		pack_put(ev, er->pack);
		er->pack = p;
		j->rules = json_incref(p->rules);
		j->nrules = p->nrules;
		return;
	}
	er->engine = e;
	const struct rule_info *r;
	size_t n = engine_rules(e, &r);
	j->rules = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(j->rules, report_rule_json(&r[i]));
	j->nrules = n;
}

/* One more engine for p, or NULL when the packs on disk are no longer
 * the ones p was loaded from. */
static struct engine *
pack_engine_load(const struct pack *p)
{
	struct engine_opts o = { p->rules_dir, { 0, 0 } };
	struct problems errs = { 0 };
	struct engine *g = NULL;
	if (engine_load(&o, &g, &errs) == 0 && strcmp(engine_digest(g), p->digest) != 0) {
		engine_free(g);
		g = NULL;
	}
	problems_free(&errs);
	return g;
}

/* An engine of er's rules for j, used by j alone until engine_put: an
 * idle one of its pack, or one more when every one is busy (a pack has
 * at most one per worker). NULL, with j failed, when the packs on disk
 * are no longer those loaded. */
static struct engine *
engine_get(struct ev_job *j)
{
	struct evaluator_repo *er = j->er;
	struct pack *p = er->pack;
	struct engine *g = NULL;
	if (p == NULL)
		return er->engine;
	pthread_mutex_lock(&er->ev->mu);
	if (p->nidle > 0)
		g = p->idle[--p->nidle];
	pthread_mutex_unlock(&er->ev->mu);
	if (g)
		return g;
	if ((g = pack_engine_load(p)) == NULL) {
		fail(j, "the rule packs changed on disk since they were loaded; reload them");
		return NULL;
	}
	pthread_mutex_lock(&er->ev->mu);
	p->nengines++;
	pthread_mutex_unlock(&er->ev->mu);
	return g;
}

/* Give back an engine engine_get gave. */
static void
engine_put(struct evaluator_repo *er, struct engine *g)
{
	struct pack *p = er->pack;
	if (p == NULL || g == NULL)
		return;
	pthread_mutex_lock(&er->ev->mu);
	if (p->nidle < er->ev->nthreads) {
		p->idle[p->nidle++] = g;
		g = NULL;
	} else {
		p->nengines--;
	}
	pthread_mutex_unlock(&er->ev->mu);
	engine_free(g);
}

static int
in_list(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/* Whether rule result r must run again after paths changed. */
static int
affected(const struct rule_result *r, char **paths, size_t npaths)
{
	if (r->nreads == 0 && r->npatterns == 0)
		return 1;
	for (size_t p = 0; p < npaths; p++) {
		if (in_list(r->reads, r->nreads, paths[p]))
			return 1;
		for (size_t k = 0; k < r->npatterns; k++)
			if (pathglob_match(r->patterns[k], paths[p]))
				return 1;
	}
	return 0;
}

/* The rules to run for commit against the previous evaluation, or NULL
 * for all. Sets *any when at least one is selected. A rule selected only
 * because files it read changed is marked ONLY_IF_FIELDS: which fields of
 * their records changed decides, once both models are built (refine);
 * the changed paths are left in *pathsp (the caller frees them). */
#define ONLY_IF_FIELDS 2
static unsigned char *
select_rules(struct ev_job *j, const char *commit, int *any, char ***pathsp, size_t *npathsp)
{
	struct evaluator_repo *er = j->er;
	struct evaluation *prev = er->prev;
	char **paths = NULL;
	size_t npaths = 0;
	*any = 1;
	*pathsp = NULL;
	*npathsp = 0;
	if (prev == NULL)
		return NULL;
	int same = strcmp(prev->commit, commit) == 0;
	if (!same) {
		int d = repo_descends(er->gitdir, prev->commit, commit);
		j->rewritten = d == 0;
		if (treediff_paths(er->gitdir, prev->commit, commit, &paths, &npaths) < 0)
			return NULL;
	}
	unsigned char *only = xcalloc(prev->n + 1, 1);
	*any = 0;
	for (size_t i = 0; i < prev->n; i++) {
		const struct rule_result *r = &prev->results[i];
		int expired = r->valid_until && r->valid_until <= j->now;
		if (expired || r->nreads + r->npatterns == 0 || !r->fields_known)
			only[i] = (unsigned char)(expired || (!same && affected(r, paths, npaths)));
		else if (!same && affected(r, paths, npaths))
			only[i] = ONLY_IF_FIELDS;
		*any |= only[i] != 0;
	}
	*pathsp = paths;
	*npathsp = npaths;
	return only;
}

static void
paths_free(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

/* Whether rule result r, whose rule read path (or matched it with a
 * pattern), must run again for change c of that file. */
static int
field_affected(const struct rule_result *r, const char *path, const struct record_change *c,
               const struct model_doc *md)
{
	for (size_t k = 0; k < r->nfields; k++) {
		const char *f = r->fields[k];
		if (f[0] == FIELD_WHOLE_FILE &&
		    (strcmp(f + 1, "**") == 0 || strcmp(f + 1, path) == 0))
			return 1;
	}
	if (c->whole)
		return 1;
	const char *id = md && md->type ? md->type->id_field : NULL;
	for (size_t i = 0; i < c->fields.n; i++) {
		const char *name = c->fields.v[i];
		/* A record's id is what findings and r:record know it by. */
		if (id && strcmp(name, id) == 0)
			return 1;
		if (in_list(r->fields, r->nfields, name) || in_list(r->fields, r->nfields, "*"))
			return 1;
	}
	return 0;
}

/* Settle the rules marked ONLY_IF_FIELDS (select_rules) now that the
 * models before (was, or NULL: unknown) and after (m) the commit are
 * built: a rule runs again only when one of the changed files it read
 * changed in a field it read (or more than fields changed); else its
 * last verdict stands, as a full evaluation would give it. */
static void
refine(const struct evaluation *prev, unsigned char *only, char **paths, size_t npaths,
       const struct model *was, const struct model *m)
{
	struct record_change *ch = xcalloc(npaths + 1, sizeof(*ch));
	unsigned char *done = xcalloc(npaths + 1, 1);
	for (size_t i = 0; only && i < prev->n; i++) {
		if (only[i] != ONLY_IF_FIELDS)
			continue;
		const struct rule_result *r = &prev->results[i];
		int run = was == NULL;
		for (size_t p = 0; p < npaths && !run; p++) {
			if (!affected(r, &paths[p], 1))
				continue;
			const struct model_doc *md = model_find(m, paths[p]);
			if (!done[p]) {
				record_diff(model_find(was, paths[p]), md, &ch[p]);
				done[p] = 1;
			}
			run = field_affected(r, paths[p], &ch[p], md);
		}
		only[i] = (unsigned char)run;
	}
	for (size_t p = 0; p < npaths; p++)
		record_change_free(&ch[p]);
	free(ch);
	free(done);
}

/* Keep the verdicts of rules that did not run from prev. */
static void
merge(struct evaluation *ev, struct evaluation *prev)
{
	memset(ev->counts, 0, sizeof(ev->counts));
	for (size_t i = 0; i < ev->n; i++) {
		if (ev->results[i].status == ST_COUNT && prev && i < prev->n) {
			struct rule_result t = ev->results[i];
			ev->results[i] = prev->results[i];
			prev->results[i] = t;
		}
		if (ev->results[i].status < ST_COUNT)
			ev->counts[ev->results[i].status]++;
	}
}

static json_t *
strings(char **v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* r's verdict as JSON, sharing what it says as prev said it (the
 * rule's last verdict object, or NULL). */
static json_t *
verdict_json(const struct rule_result *r, const json_t *prev)
{
	json_t *o = report_result_json_from(r, prev);
	json_object_set_new(o, "reads", strings(r->reads, r->nreads));
	json_object_set_new(o, "patterns", strings(r->patterns, r->npatterns));
	return o;
}

/* The verdicts as JSON, with what each rule read. With cache (the
 * objects of the previous verdicts by rule index), rules that did not run
 * (ran[i] zero) reuse theirs: a large ISMS has thousands of findings that
 * a one-file commit leaves as they were. *cache becomes this evaluation's
 * objects. */
static json_t *
results_json(const struct evaluation *ev, int64_t now, int64_t *next, const unsigned char *ran,
             json_t **cache)
{
	json_t *a = json_array(), *objs = json_array();
	*next = 0;
	for (size_t i = 0; i < ev->n; i++) {
		const struct rule_result *r = &ev->results[i];
		if (r->status >= ST_COUNT) {
			json_array_append_new(objs, json_null());
			continue;
		}
		json_t *o = json_array_get(*cache, i);
		if (!json_is_object(o))
			o = verdict_json(r, NULL);
		else if (ran && !ran[i])
			o = json_incref(o);
		else
			o = verdict_json(r, o);
		json_array_append(objs, o);
		json_array_append_new(a, o);
		if (r->valid_until > now && (*next == 0 || r->valid_until < *next))
			*next = r->valid_until;
	}
	json_decref(*cache);
	*cache = objs;
	return a;
}

static char *
organisation(const struct model *m)
{
	const struct node *root = m->manifest && m->manifest->doc ? m->manifest->doc->root : NULL;
	const struct node *org = root ? node_get(root, "organisation") : NULL;
	if (org && org->kind == NODE_MAP)
		org = node_get(org, "name");
	return org && org->kind == NODE_STRING ? xstrndup(org->str, org->len) : NULL;
}

/* Remember that the head commit of j could not be read, and when to try
 * it again. */
static void
failed_head(struct evaluator_repo *er, struct ev_job *j)
{
	int again = strcmp(er->failed, j->commit) == 0;
	er->retry_ms = again ? er->retry_ms * 2 : RETRY_FIRST_MS;
	if (er->retry_ms > RETRY_MAX_MS)
		er->retry_ms = RETRY_MAX_MS;
	er->retry_at = mono_ms() + er->retry_ms;
	snprintf(er->failed, sizeof(er->failed), "%s", j->commit);
	free(er->failed_msg);
	er->failed_msg = xstrdup(job_of(j)->error ? job_of(j)->error : "cannot be read");
	er->failed_not_isms = j->not_isms;
	log_debug("%s: %.12s cannot be read (%s); not read again until the ref moves, or "
	          "in %.0f s",
	          er->gitdir, j->commit, er->failed_msg, er->retry_ms / 1000);
}

/* Whether j may skip reading its head: the same commit failed to read
 * and its wait is not over. The job then fails as it did. */
static int
still_failed(struct evaluator_repo *er, struct ev_job *j)
{
	if (j->force || er->failed[0] == '\0' || strcmp(er->failed, j->commit) != 0 ||
	    mono_ms() >= er->retry_at)
		return 0;
	j->not_isms = er->failed_not_isms;
	fail(j, er->failed_msg);
	return 1;
}

/* Load commit, evaluate the rules selected by only (NULL: all). With
 * head, start from the repository's last head and keep the new files and
 * records for the next head. */
/* Evaluate spec: only the rules only marks (all when NULL); for a head,
 * from the last head's files and records, the rules marked
 * ONLY_IF_FIELDS settled against the files changed since (paths). */
static struct evaluation *
evaluate(struct ev_job *j, const char *spec, unsigned char *only, int head, char **paths,
         size_t npaths)
{
	struct evaluator_repo *er = j->er;
	struct snapshot *snap = NULL;
	struct model *m = NULL;
	struct evaluation *ev = NULL;
	struct snapshot_limits lim = { SNAPSHOT_DEFAULT_MAX_BLOB, SNAPSHOT_DEFAULT_MAX_FILES };
	/* A head starts from the last head's files and records, when they
	 * are kept. */
	struct headcache *heads = head ? heads_of(er) : NULL;
	struct model_hold *last = heads ? headcache_get(heads, er, NULL) : NULL;
	double t0 = mono_ms();
	if (snapshot_update(last ? last->snap : NULL, er->gitdir, spec, &lim, &snap) < 0) {
		fail(j, err_msg());
		if (head)
			failed_head(er, j);
		goto out;
	}
	j->load_ms = mono_ms() - t0;
	if (model_update(last ? last->m : NULL, snap, &m) < 0) {
		j->not_isms = 1;
		fail(j, err_msg());
		if (head)
			failed_head(er, j);
		goto out;
	}
	if (head)
		er->failed[0] = '\0';
	j->model_ms = mono_ms() - t0 - j->load_ms;
	if (head && only) {
		/* The last head's model is that of the verdicts to keep only when
		 * it is of their commit (the scheduler may have put another). */
		const struct evaluation *prev = er->prev;
		int ours =
		        last && prev && last->snap && strcmp(last->snap->commit, prev->commit) == 0;
		refine(prev, only, paths, npaths, ours ? last->m : NULL, m);
	}
	j->commit_time = snap->commit_time;
	free(j->organisation);
	j->organisation = organisation(m);
	struct engine *g = engine_get(j);
	/* Heads follow each other: their r:each iterations are kept (memo.h).
	 * Another commit (as_of, a ref) would only displace them. */
	if (g)
		engine_use_memo(g, head ? er->memo : NULL);
	if (g && engine_eval(g, m, j->now, only, &ev) < 0)
		fail(j, err_msg());
	if (g)
		engine_use_memo(g, NULL);
	engine_put(er, g);
	j->rules_ms = mono_ms() - t0 - j->load_ms - j->model_ms;
	log_debug("%s: %zu files loaded in %.1f ms, records parsed in %.1f ms, rules "
	          "run in %.1f ms",
	          er->gitdir, snap->nfiles, j->load_ms, j->model_ms, j->rules_ms);
out:
	/* The old model shares documents with m, counted: whoever lets go of
	 * it last frees it. */
	model_hold_drop(last);
	if (head && snap) {
		free(er->org);
		er->org = m ? organisation(m) : NULL;
		struct model_hold *h = model_hold_new(snap, m);
		if (heads)
			headcache_put(heads, er, h);
		if (m && ev)
			j->head = h;
		else
			model_hold_drop(h);
		return ev;
	}
	model_free(m);
	snapshot_free(snap);
	return ev;
}

static void
count_run(struct ev_job *j, const struct evaluation *ev)
{
	j->nrules = ev->n;
	j->nrun = 0;
	for (size_t i = 0; i < ev->n; i++)
		j->nrun += ev->results[i].status < ST_COUNT;
}

static void
do_head(struct ev_job *j)
{
	struct evaluator_repo *er = j->er;
	int any;
	if (er->url && j->fetch && repo_mirror(er->url, er->gitdir) < 0) {
		j->fetch_failed = 1;
		fail(j, err_msg());
		return;
	}
	if (repo_resolve(er->gitdir, er->ref, j->commit, &j->unborn) < 0) {
		fail(j, err_msg());
		return;
	}
	/* After the resolve: the calendar loads the head without rules. */
	if (er->engine == NULL && er->pack == NULL) {
		j->no_rules = 1;
		fail(j, "no rule packs are loaded");
		return;
	}
	if (still_failed(er, j))
		return;
	char **paths;
	size_t npaths;
	unsigned char *only = select_rules(j, j->commit, &any, &paths, &npaths);
	if (!any && strcmp(er->prev->commit, j->commit) != 0) {
		/* A new commit that changes nothing a rule reads (an empty
		 * commit, a revert to the same tree): the verdicts hold, now for
		 * this commit, which is published as the head. */
		snprintf(er->prev->commit, sizeof(er->prev->commit), "%s", j->commit);
		if (repo_commit_time(er->gitdir, j->commit, &j->commit_time) < 0)
			j->commit_time = 0;
		free(j->organisation);
		j->organisation = er->org ? xstrdup(er->org) : NULL;
		j->nrules = er->prev->n;
		j->nrun = 0;
		snprintf(j->digest, sizeof(j->digest), "%s", er->prev->digest);
		j->results = results_json(er->prev, j->now, &j->next_valid, only, &er->prev_json);
		free(only);
		paths_free(paths, npaths);
		return;
	}
	if (!any) {
		j->unchanged = 1;
		snprintf(j->digest, sizeof(j->digest), "%s", er->prev->digest);
		snprintf(j->commit, sizeof(j->commit), "%s", er->prev->commit);
		j->results = results_json(er->prev, j->now, &j->next_valid, only, &er->prev_json);
		free(only);
		paths_free(paths, npaths);
		return;
	}
	struct evaluation *ev = evaluate(j, j->commit, only, 1, paths, npaths);
	paths_free(paths, npaths);
	if (ev == NULL) {
		free(only);
		return;
	}
	count_run(j, ev);
	merge(ev, er->prev);
	evaluation_free(er->prev);
	er->prev = ev;
	snprintf(j->digest, sizeof(j->digest), "%s", ev->digest);
	j->results = results_json(ev, j->now, &j->next_valid, only, &er->prev_json);
	free(only);
}

static void
do_ref(struct ev_job *j)
{
	char commit[41];
	if (j->er->engine == NULL && j->er->pack == NULL) {
		j->no_rules = 1;
		fail(j, "no rule packs are loaded");
		return;
	}
	if (j->asof) {
		int rc = snapshot_asof_spec(j->er->gitdir, j->er->ref, j->asof, commit, &j->now);
		if (rc <= 0) {
			j->bad_asof = rc == 0;
			fail(j, err_msg());
			return;
		}
	} else if (repo_resolve(j->er->gitdir, j->ref, commit, NULL) < 0) {
		fail(j, err_msg());
		return;
	}
	snprintf(j->commit, sizeof(j->commit), "%s", commit);
	struct evaluation *ev = evaluate(j, commit, NULL, 0, NULL, 0);
	if (ev == NULL)
		return;
	count_run(j, ev);
	snprintf(j->digest, sizeof(j->digest), "%s", ev->digest);
	json_t *objs = NULL;
	j->results = results_json(ev, j->now, &j->next_valid, NULL, &objs);
	json_decref(objs);
	evaluation_free(ev);
}

static void release(struct evaluator_repo *r);

/* Retiring a repository (evaluator_repo_retire): its jobs all came before
 * this one in its queue, and a repository's jobs run one at a time, so
 * none is queued or running any more, and nothing can be submitted for it
 * after. Free its engine and kept state here, on a worker as the other
 * jobs; the struct itself is freed with this job on the loop thread
 * (ev_job_free), once the worker has let go of it (worker()). */
static void
do_drop(struct ev_job *j)
{
	release(j->er);
}

void
evaluator_run(struct ev_job *j)
{
	double t0 = mono_ms();
	gitcache_session_begin(); /* one open repository per job */
	switch (j->kind) {
	case EV_LOAD: do_load(j); break;
	case EV_HEAD: do_head(j); break;
	case EV_REF: do_ref(j); break;
	case EV_DROP: do_drop(j); break;
	}
	gitcache_session_end();
	j->ms = mono_ms() - t0;
	tell(j);
}

/* Put er at the end of the ready list when it has jobs and no worker.
 * Under the lock. */
static void
make_ready(struct evaluator *e, struct evaluator_repo *er)
{
	if (er->q == NULL || er->running || er->ready)
		return;
	er->ready = 1;
	er->rnext = NULL;
	*e->rtail = er;
	e->rtail = &er->rnext;
	pthread_cond_signal(&e->cv);
}

/* Take the first job of the first ready repository, which is then
 * running. Under the lock; NULL when none is ready. */
static struct ev_job *
take(struct evaluator *e)
{
	struct evaluator_repo *er = e->ready;
	if (er == NULL)
		return NULL;
	e->ready = er->rnext;
	if (e->ready == NULL)
		e->rtail = &e->ready;
	er->ready = 0;
	er->running = 1;
	struct ev_job *j = er->q;
	er->q = j->next;
	if (er->q == NULL)
		er->qtail = &er->q;
	j->next = NULL;
	return j;
}

/* The workers have been idle for TRIM_AFTER_MS since a job: hand the
 * heap that the evaluations, and the loop thread publishing them, freed
 * back to the system. Every thread allocates from its own glibc arena,
 * each of which would otherwise keep the peak of the largest evaluation
 * (and of the previous model, freed after it) resident until the next.
 * Off the loop thread; the next evaluation faults in what it reuses.
 * Under the lock, which it drops while trimming. */
static void
trim(struct evaluator *e)
{
	e->trim_due = 0;
	pthread_mutex_unlock(&e->mu);
	double t0 = mono_ms();
	malloc_trim(0);
	log_debug("heap handed back to the system in %.1f ms", mono_ms() - t0);
	pthread_mutex_lock(&e->mu);
}

/* Wait for a job; trim once the workers have been idle long enough.
 * Under the lock; NULL when stopping. */
static struct ev_job *
next_job(struct evaluator *e)
{
	struct ev_job *j = NULL;
	while (!e->stop && (j = take(e)) == NULL) {
		if (!e->trim_due) {
			pthread_cond_wait(&e->cv, &e->mu);
			continue;
		}
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += TRIM_AFTER_MS / 1000;
		ts.tv_nsec += (long)(TRIM_AFTER_MS % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&e->cv, &e->mu, &ts) == ETIMEDOUT && e->trim_due &&
		    e->ready == NULL && !e->stop)
			trim(e);
	}
	return j;
}

static void *
worker(void *arg)
{
	struct evaluator *e = arg;
	pthread_mutex_lock(&e->mu);
	for (;;) {
		struct ev_job *j = next_job(e);
		if (j == NULL)
			break;
		pthread_mutex_unlock(&e->mu);
		evaluator_run(j);
		/* The job is the loop thread's once handed over, and a drop
		 * job's repository is freed with it there: er is only touched
		 * before the job is on the done list, or while er is running
		 * (no drop job of it can run then, so nothing frees it). */
		struct evaluator_repo *er = j->er;
		int drop = j->kind == EV_DROP;
		pthread_mutex_lock(&e->mu);
		e->trim_due = 1;
		if (drop)
			er->running = 0;
		*e->dtail = j;
		e->dtail = &j->next;
		char c = 1;
		if (write(e->pipe[1], &c, 1) < 0 && errno != EAGAIN)
			log_warn("cannot wake the event loop");
		if (drop)
			continue;
		/* While nothing waits, set up the next evaluation's sandboxes
		 * in an idle engine of er's rules (er->pack changes only in
		 * er's jobs, and er is still running). */
		while (er->q == NULL && e->ready == NULL && !e->stop && er->pack &&
		       er->pack->nidle > 0) {
			struct pack *p = er->pack;
			struct engine *g = p->idle[--p->nidle];
			pthread_mutex_unlock(&e->mu);
			int more = engine_prepare(g);
			pthread_mutex_lock(&e->mu);
			p->idle[p->nidle++] = g;
			if (!more)
				break;
		}
		/* And an engine of er's rules per worker, so that no evaluation
		 * waits for one to load when two repositories evaluate at once. */
		if (er->q == NULL && e->ready == NULL && !e->stop && er->pack &&
		    er->pack->nengines < e->nthreads) {
			struct pack *p = er->pack;
			p->nengines++;
			pthread_mutex_unlock(&e->mu);
			struct engine *g = pack_engine_load(p);
			pthread_mutex_lock(&e->mu);
			if (g)
				p->idle[p->nidle++] = g;
			else
				p->nengines--;
		}
		er->running = 0;
		make_ready(e, er);
	}
	pthread_mutex_unlock(&e->mu);
	return NULL;
}

/* On the loop thread: hand every finished job to its done(). */
static void
on_done(evutil_socket_t fd, short what, void *arg)
{
	struct evaluator *e = arg;
	char buf[256];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&e->mu);
	struct ev_job *list = e->done;
	e->done = NULL;
	e->dtail = &e->done;
	pthread_mutex_unlock(&e->mu);
	while (list) {
		struct ev_job *j = list;
		list = j->next;
		pthread_mutex_lock(&e->mu);
		e->pending--;
		pthread_mutex_unlock(&e->mu);
		tell(j);
		j->done(j, j->arg);
	}
}

struct evaluator *
evaluator_new(struct event_base *base, size_t nthreads, struct headcache *heads)
{
	struct evaluator *e = xcalloc(1, sizeof(*e));
	pthread_condattr_t ca;
	e->heads = heads;
	pthread_mutex_init(&e->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* the idle wait (trim) */
	pthread_cond_init(&e->cv, &ca);
	pthread_condattr_destroy(&ca);
	e->rtail = &e->ready;
	e->dtail = &e->done;
	if (pipe2(e->pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		fatal("pipe");
	e->ev = event_new(base, e->pipe[0], EV_READ | EV_PERSIST, on_done, e);
	event_add(e->ev, NULL);
	e->nthreads = nthreads ? nthreads : 1;
	e->threads = xcalloc(e->nthreads, sizeof(*e->threads));
	for (size_t i = 0; i < e->nthreads; i++)
		if (thread_start(&e->threads[i], "evaluator", worker, e) < 0)
			fatalx("%s", err_msg());
	return e;
}

static void
finish_all(struct ev_job *list)
{
	while (list) {
		struct ev_job *j = list;
		list = j->next;
		if (j->rc == 0 && j->results == NULL && j->rules == NULL)
			fail(j, "the daemon is stopping");
		tell(j);
		j->done(j, j->arg);
	}
}

void
evaluator_free(struct evaluator *e)
{
	if (e == NULL)
		return;
	pthread_mutex_lock(&e->mu);
	e->stop = 1;
	pthread_cond_broadcast(&e->cv);
	pthread_mutex_unlock(&e->mu);
	for (size_t i = 0; i < e->nthreads; i++)
		pthread_join(e->threads[i], NULL);
	free(e->threads);
	finish_all(e->done);
	/* With the workers gone, every repository with jobs is ready. A drop
	 * job frees its repository: take the next one first. */
	while (e->ready) {
		struct evaluator_repo *er = e->ready;
		struct ev_job *q = er->q;
		e->ready = er->rnext;
		er->q = NULL;
		er->qtail = &er->q;
		er->ready = 0;
		finish_all(q);
	}
	event_free(e->ev);
	close(e->pipe[0]);
	close(e->pipe[1]);
	while (e->repos) {
		struct evaluator_repo *r = e->repos;
		e->repos = r->next;
		evaluator_repo_free(r);
	}
	while (e->packs) {
		struct pack *p = e->packs;
		e->packs = p->next;
		pack_free(p);
	}
	pthread_mutex_destroy(&e->mu);
	pthread_cond_destroy(&e->cv);
	free(e);
}

struct evaluator_repo *
evaluator_repo_new(struct evaluator *e, const char *gitdir, const char *url, const char *ref)
{
	struct evaluator_repo *r = xcalloc(1, sizeof(*r));
	r->qtail = &r->q;
	r->ev = e;
	r->gitdir = xstrdup(gitdir);
	r->url = url ? xstrdup(url) : NULL;
	r->ref = ref ? xstrdup(ref) : NULL;
	if (e) {
		r->next = e->repos;
		e->repos = r;
	}
	return r;
}

/* Free r's engine and what it kept of the last head; r stays usable. */
static void
release(struct evaluator_repo *r)
{
	evaluation_free(r->prev);
	json_decref(r->prev_json);
	if (heads_of(r))
		headcache_forget(heads_of(r), r);
	free(r->org);
	r->org = NULL;
	engine_free(r->engine);
	memo_free(r->memo);
	if (r->ev)
		pack_put(r->ev, r->pack);
	r->pack = NULL;
	r->prev = NULL;
	r->prev_json = NULL;
	r->engine = NULL;
	r->memo = NULL;
	free(r->failed_msg);
	r->failed_msg = NULL;
	r->failed[0] = '\0';
}

void
evaluator_repo_free(struct evaluator_repo *r)
{
	if (r == NULL)
		return;
	release(r);
	free(r->gitdir);
	free(r->url);
	free(r->ref);
	free(r);
}

void
evaluator_repo_retire(struct evaluator *e, struct evaluator_repo *er,
                      void (*done)(struct ev_job *, void *), void *arg)
{
	/* The list is the loop thread's (evaluator_repo_new) until the worker
	 * is joined in evaluator_free, which then frees only what is on it. */
	struct evaluator_repo **p = &e->repos;
	while (*p && *p != er)
		p = &(*p)->next;
	if (*p)
		*p = er->next;
	er->next = NULL;
	struct ev_job *j = ev_job_new(EV_DROP, er);
	j->done = done;
	j->arg = arg;
	evaluator_submit(e, j);
}

void
evaluator_submit(struct evaluator *e, struct ev_job *j)
{
	struct evaluator_repo *er = j->er;
	j->next = NULL;
	pthread_mutex_lock(&e->mu);
	*er->qtail = j;
	er->qtail = &j->next;
	e->pending++;
	make_ready(e, er);
	pthread_mutex_unlock(&e->mu);
}

size_t
evaluator_pending(struct evaluator *e)
{
	size_t n;
	pthread_mutex_lock(&e->mu);
	n = e->pending;
	pthread_mutex_unlock(&e->mu);
	return n;
}
