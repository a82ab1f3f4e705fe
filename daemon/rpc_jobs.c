/* rpc_jobs.c - the methods that start work or ask the scheduler: sync
 * and evaluate (answered when their evaluation job is done), schedule,
 * calendar, audit-plan, review-pack and ack. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "alloc.h"
#include "err.h"
#include "journal.h"
#include "repo.h"
#include "rpc.h"
#include "rpc_int.h"
#include "schedule.h"
#include "verdict.h"
#include "err.h"
#include "alloc.h"

static void finish(struct ev_job *j, size_t changed, void *arg);
static void finish_batch(struct ev_job *j, size_t changed, void *arg);
static void finish_quiet(struct ev_job *j, size_t changed, void *arg);

int
m_sync(struct call *k)
{
	int notification = k->id == NULL;
	if (notification)
		k->id = json_null();
	if (k->batch && notification) {
		/* a notification in a batch: no response */
		k->e->sync(k->e->arg, k->r, server_client_id(k->c), k->id, finish_quiet, k->e);
		k->id = NULL;
		return 0;
	}
	if (k->batch)
		k->e->sync(k->e->arg, k->r, server_client_id(k->c), k->id, finish_batch, k->batch);
	else
		k->e->sync(k->e->arg, k->r, server_client_id(k->c), k->id, finish, k->e);
	k->pending = 1;
	return 0;
}

static void
evaluate_done(struct ev_job *j, void *arg)
{
	const struct rpc_env *e = arg;
	if (!e->stopping)
		finish(j, 0, arg);
	ev_job_free(j);
}

static void
finish_quiet(struct ev_job *j, size_t changed, void *arg)
{
	rpc_status_forget();
}

static void
evaluate_quiet(struct ev_job *j, void *arg)
{
	ev_job_free(j);
}

static void
evaluate_done_batch(struct ev_job *j, void *arg)
{
	finish_batch(j, 0, arg);
	ev_job_free(j);
}

int
m_evaluate(struct call *k)
{
	const char *ref = rpc_pstr(k, "ref");
	if (ref == NULL || *ref == '\0' || strlen(ref) > 256)
		return rpc_fail(k, RPC_INVALID_PARAMS,
		                "\"ref\" (a branch, tag or commit) is required");
	json_t *now = json_object_get(k->params, "now");
	struct ev_job *j = ev_job_new(EV_REF, k->r->er);
	j->ref = xstrdup(ref);
	j->now = k->e->now(k->e->arg);
	if (now && (!json_is_string(now) ||
	            date_parse(json_string_value(now), "UTC", NULL, &j->now, NULL) < 0)) {
		ev_job_free(j);
		return rpc_fail(k, RPC_INVALID_PARAMS, "\"now\" must be an ISO 8601 date");
	}
	j->done = evaluate_done;
	j->arg = k->e;
	if (k->batch && k->id) {
		j->done = evaluate_done_batch;
		j->arg = k->batch;
	} else if (k->batch) {
		j->done = evaluate_quiet;
	}
	j->client = server_client_id(k->c);
	j->req_id = json_incref(k->id ? k->id : json_null());
	evaluator_submit(k->e->ev, j);
	k->pending = k->id != NULL || !k->batch;
	return 0;
}

static json_t *job_message(const struct rpc_env *env, struct ev_job *j, size_t changed);

/* Reply to the request a finished job carried (job->client, job->req_id):
 * the sync and evaluate jobs' reply. When j->rc is -1, err_msg() says why. */
static void
finish(struct ev_job *j, size_t changed, void *arg)
{
	const struct rpc_env *env = arg;
	struct client *c = server_client(env->srv, j->client);
	rpc_status_forget(); /* the reply tells of a new state */
	if (c == NULL)
		return;
	json_t *o = job_message(env, j, changed);
	server_send_json(c, o);
	json_decref(o);
	server_release(env->srv, j->client);
}

/* The same for a request of a batch (arg): its response joins the
 * batch's, which goes out with the last. */
static void
finish_batch(struct ev_job *j, size_t changed, void *arg)
{
	struct batch *b = arg;
	rpc_status_forget();
	if (!b->e->stopping) {
		json_t *o = job_message(b->e, j, changed);
		rpc_batch_add(b, o);
		json_decref(o);
	}
	rpc_batch_settle(b);
}

/* The response to a finished job's request. The caller's. */
static json_t *
job_message(const struct rpc_env *env, struct ev_job *j, size_t changed)
{
	json_t *res;
	if (j->rc < 0)
		return rpc_error(j->req_id, RPC_FAILED, "%s", err_msg());
	if (j->kind == EV_REF) {
		json_t *v, *stripped = json_array();
		size_t i;
		struct verdict_counts vc;
		json_array_foreach (j->results, i, v)
			json_array_append_new(stripped, rpc_strip(v));
		verdict_count(j->results, &vc);
		res = json_pack("{s:s, s:s, s:o, s:b, s:f, s:{s:f, s:f, s:f}, s:o}", "ref", j->ref,
		                "commit", j->commit, "counts", verdict_counts_json(&vc),
		                "conformant", verdict_conformant(&vc), "eval_ms", j->ms,
		                "phases_ms", "files", j->load_ms, "records", j->model_ms, "rules",
		                j->rules_ms, "results", stripped);
	} else {
		res = json_pack("{s:s, s:I, s:I, s:I, s:f, s:b}", "commit", j->commit, "changed",
		                (json_int_t)changed, "rules_run",
		                (json_int_t)(j->unchanged ? 0 : j->nrun), "cursor",
		                (json_int_t)journal_last(env->journal), "eval_ms", j->ms,
		                "unchanged", j->unchanged);
	}
	return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", j->req_id, "result", res);
}

/* A boolean parameter: 0 or 1, or -1 (and the error) when not a boolean. */
static int
pbool(struct call *k, const char *key)
{
	json_t *v = json_object_get(k->params, key);
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return rpc_fail(k, RPC_INVALID_PARAMS, "\"%s\" must be true or false", key);
	return json_is_true(v);
}

/* Set the reply from a scheduler result: rc 0 with out, or an enum
 * schedule_error as its JSON-RPC error. */
static int
sched_reply(struct call *k, int rc, json_t *out)
{
	if (rc == SCHEDULE_NOT_READY)
		return rpc_fail(k, RPC_BUSY, "%s", err_msg());
	if (rc == SCHEDULE_BAD_ID)
		return rpc_fail(k, RPC_INVALID_PARAMS, "%s", err_msg());
	if (rc < 0)
		return rpc_fail(k, RPC_FAILED, "%s", err_msg());
	k->result = out;
	return 0;
}

/* schedule and calendar: the ISMS calendar (ics: iCalendar, text). */
int
m_schedule(struct call *k)
{
	json_t *out = NULL;
	int ics = pbool(k, "ics"), text;
	if (ics < 0 || (text = pbool(k, "text")) < 0)
		return -1;
	if (ics && text)
		return rpc_fail(k, RPC_INVALID_PARAMS, "ask for \"ics\" or \"text\", not both");
	int rc = schedule_calendar(k->r, ics, text, &out);
	return sched_reply(k, rc, out);
}

int
m_audit_plan(struct call *k)
{
	json_t *out = NULL;
	int text = pbool(k, "text");
	if (text < 0)
		return -1;
	int rc = schedule_audit_plan(k->r, text, &out);
	return sched_reply(k, rc, out);
}

int
m_review_pack(struct call *k)
{
	json_t *out = NULL, *v = json_object_get(k->params, "links");
	const char *links = json_string_value(v);
	if (v && !json_is_null(v) &&
	    (links == NULL || strlen(links) > 1024 || strpbrk(links, "\n\r()") != NULL))
		return rpc_fail(k, RPC_INVALID_PARAMS,
		                "\"links\" must be a path prefix such as "
		                "\"../\" (no line breaks or parentheses, at most 1024 characters)");
	int rc = schedule_review_pack(k->r, links, &out);
	return sched_reply(k, rc, out);
}

/* Acknowledge a reminder by id or ack key: its repeats stop. */
int
m_ack(struct call *k)
{
	json_t *out = NULL;
	const char *id = rpc_pstr(k, "id");
	if (id == NULL || *id == '\0' || strlen(id) > 1000)
		return rpc_fail(k, RPC_INVALID_PARAMS,
		                "\"id\" (a reminder id or its ack key, at "
		                "most 1000 characters) is required");
	for (const char *p = id; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return rpc_fail(k, RPC_INVALID_PARAMS,
			                "\"id\" must not contain control "
			                "characters");
	int rc = schedule_ack(k->r, id, &out);
	return sched_reply(k, rc, out);
}
