/* rpc_verdicts.c - the methods that read verdicts: results, explain,
 * summary, soa, rules and history, of the published state or of the
 * state as of a commit or an instant (checkpoint.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asof.h"
#include "bus.h"
#include "checkpoint.h"
#include "date.h"
#include "alloc.h"
#include "err.h"
#include "journal.h"
#include "repo.h"
#include "report.h"
#include "rpc.h"
#include "rpc_int.h"
#include "schedule.h"
#include "verdict.h"

/* Parse as_of: a date or date-time (UTC; a bare date means the end of that
 * day), or else a commit id (at least 4 hex digits). */
static int
parse_as_of(const char *s, int64_t *when, int *is_commit)
{
	struct ymd d;
	int has_time;
	*is_commit = 0;
	if (date_parse(s, "UTC", &d, when, &has_time) == 0) {
		if (!has_time)
			*when = (date_days(d) + 1) * 86400 - 1;
		return 0;
	}
	size_t n = strlen(s);
	if (n >= 4 && n <= 40 && strspn(s, "0123456789abcdef") == n) {
		*is_commit = 1;
		return 0;
	}
	return -1;
}

/* The verdicts of r as of a commit or an instant, from the nearest
 * checkpoint and the journal entries after it (checkpoint.h). Returns 1
 * and *out (the caller's), 0 when the commit was never evaluated or
 * nothing was before the instant, -1 with err_msg(). */
static int
state_as_of(const struct rpc_env *e, struct repo *r, const char *spec, int64_t when, int is_commit,
            char commit[41], char digest[41], json_t **out)
{
	struct checkpoint_query q = { is_commit ? CHECKPOINT_COMMIT : CHECKPOINT_TIME, when, spec };
	struct repo t = { 0 };
	int rc = checkpoint_state(bus_checkpoints(e->bus), r->conf.name, &q, &t);
	free(t.organisation);
	if (rc == 1 && t.commit[0] == '\0') {
		json_decref(t.results);
		return 0;
	}
	if (rc == 1) {
		snprintf(commit, 41, "%s", t.commit);
		snprintf(digest, 41, "%s", t.rules_digest);
		*out = t.results;
	}
	return rc;
}

static int
matches(json_t *v, struct call *k)
{
	static const char *const keys[] = { "clause", "control", "theme", "status" };
	for (size_t i = 0; i < NELEM(keys); i++) {
		const char *want = rpc_pstr(k, keys[i]);
		const char *have = json_string_value(json_object_get(v, keys[i]));
		if (want == NULL)
			continue;
		if (have == NULL)
			return 0;
		/* clause "6" takes 6.1.2 too */
		size_t wl = strlen(want);
		if (strcmp(have, want) != 0 &&
		    !(i < 2 && strncmp(have, want, wl) == 0 && have[wl] == '.'))
			return 0;
	}
	return 1;
}

/* Where a reply's verdicts come from ("source" in docs/protocol.md). */
struct source {
	char commit[41];
	char digest[41];  /* rules_digest, "" when not known */
	json_t *at;       /* evaluated_at; the caller's */
	json_t *res;      /* rule id -> verdict; the caller's */
	const char *from; /* "published", "journal", "evaluated" or "cache" */
};

/* The longest as_of read: a date-time with a zone, or a commit id. */
#define AS_OF_MAX 64

/* Fill s from an evaluation as of spec that the journal lacks (asof.h).
 * 1, 0 when the call waits for it, -1 with the error set. */
static int
source_evaluated(struct call *k, const char *key, const char *spec, int is_commit, struct source *s)
{
	struct asof_entry *x;
	if (rpc_asof_get(k, spec, &x, &s->from) == 0)
		return 0;
	if (x->state == ASOF_FAILED && x->bad_spec && is_commit)
		return rpc_fail(k, RPC_INVALID_PARAMS, "\"%s\": no commit %s in repository %s", key,
		                spec, k->r->conf.name);
	if (x->state == ASOF_FAILED && x->bad_spec)
		return rpc_fail(k, RPC_INVALID_PARAMS, "\"%s\": %s", key, x->error);
	if (x->state == ASOF_FAILED)
		return rpc_fail(k, RPC_FAILED, "\"%s\" %s could not be evaluated: %s", key, spec,
		                x->error);
	snprintf(s->commit, sizeof(s->commit), "%s", x->commit);
	snprintf(s->digest, sizeof(s->digest), "%s", x->digest);
	s->at = rpc_jtime(x->now);
	s->res = json_incref(x->results);
	return 1;
}

/* The verdicts to answer from: the published ones, or those as of
 * params.as_of, from the journal or else evaluated from git history.
 * 1 with s filled, 0 when the call waits for that evaluation, -1 with
 * the error set. */
static int
source_results(struct call *k, struct source *s)
{
	const char *as_of = rpc_pstr(k, "as_of");
	memset(s, 0, sizeof(*s));
	if (as_of == NULL) {
		snprintf(s->commit, sizeof(s->commit), "%s", k->r->commit);
		snprintf(s->digest, sizeof(s->digest), "%s", k->r->rules_digest);
		s->at = rpc_jtime(k->r->evaluated_at);
		s->res = json_incref(k->r->results);
		s->from = "published";
		return 1;
	}
	size_t len = strlen(as_of);
	if (len > AS_OF_MAX)
		return rpc_fail(k, RPC_INVALID_PARAMS,
		                "\"as_of\" is too long (%zu characters): give a date (2026-03-01) "
		                "or a commit id (at most 40 hex digits)",
		                len);
	int64_t when;
	int is_commit;
	if (parse_as_of(as_of, &when, &is_commit) < 0)
		return rpc_fail(k, RPC_INVALID_PARAMS,
		                "\"as_of\" '%s' is neither a date (2026-03-01) nor a commit id",
		                as_of);
	int found = state_as_of(k->e, k->r, as_of, when, is_commit, s->commit, s->digest, &s->res);
	if (found < 0)
		return rpc_fail(k, RPC_FAILED, "%s", err_msg());
	if (found == 0)
		return source_evaluated(k, "as_of", as_of, is_commit, s);
	s->at = is_commit ? json_null() : rpc_jtime(when);
	s->from = "journal";
	return 1;
}

/* Let go of what s holds. */
static void
source_done(struct source *s)
{
	json_decref(s->res);
	json_decref(s->at);
}

json_t *
rpc_strip(json_t *v)
{
	json_t *o = json_copy(v);
	json_object_del(o, "reads");
	json_object_del(o, "patterns");
	return o;
}

/* The reply of results and summary: where the verdicts come from, their
 * counts, and body (taken) under key; lets go of s. */
static void
reply(struct call *k, struct source *s, const char *key, json_t *body)
{
	struct verdict_counts vc;
	verdict_count(s->res, &vc);
	k->result = json_pack("{s:s, s:s?, s:O, s:O?, s:s, s:s?, s:b, s:o, s:o}", "repo",
	                      k->r->conf.name, "commit", s->commit[0] ? s->commit : NULL,
	                      "evaluated_at", s->at, "as_of", json_object_get(k->params, "as_of"),
	                      "source", s->from, "rules_digest", s->digest[0] ? s->digest : NULL,
	                      "conformant", verdict_repo_conformant(&vc), "counts",
	                      verdict_counts_json(&vc), key, body);
	source_done(s);
}

int
m_results(struct call *k)
{
	struct source s;
	int rc = source_results(k, &s);
	if (rc <= 0)
		return rc;
	json_t *a = json_array(), *v;
	const char *id;
	json_object_foreach (s.res, id, v)
		if (matches(v, k))
			json_array_append_new(a, rpc_strip(v));
	reply(k, &s, "results", a);
	return 0;
}

static json_t *
rule_decl(struct repo *r, const char *id)
{
	json_t *v;
	size_t i;
	json_array_foreach (r->rules, i, v)
		if (json_is_string(json_object_get(v, "id")) &&
		    strcmp(json_string_value(json_object_get(v, "id")), id) == 0)
			return v;
	return NULL;
}

int
m_explain(struct call *k)
{
	const char *rule = rpc_pstr(k, "rule");
	if (rule == NULL)
		return rpc_fail(k, RPC_INVALID_PARAMS, "\"rule\" (a rule id) is required");
	struct source s;
	int rc = source_results(k, &s);
	if (rc <= 0)
		return rc;
	json_t *v = json_object_get(s.res, rule);
	if (v == NULL) {
		source_done(&s);
		return rpc_fail(k, RPC_INVALID_PARAMS,
		                "no rule '%s' in repository %s (see the "
		                "'rules' method)",
		                rule, k->r->conf.name);
	}
	json_t *o = json_copy(v);
	json_t *decl = rule_decl(k->r, rule);
	if (decl) {
		json_object_set(o, "rationale", json_object_get(decl, "rationale"));
		json_object_set(o, "pack", json_object_get(decl, "pack"));
		json_object_set(o, "line", json_object_get(decl, "line"));
	}
	json_object_set_new(o, "repo", json_string(k->r->conf.name));
	json_object_set_new(o, "commit", s.commit[0] ? json_string(s.commit) : json_null());
	json_object_set(o, "evaluated_at", s.at);
	json_object_set_new(o, "source", json_string(s.from));
	json_object_set_new(o, "rules_digest", s.digest[0] ? json_string(s.digest) : json_null());
	k->result = o;
	source_done(&s);
	return 0;
}

int
m_summary(struct call *k)
{
	struct source s;
	int rc = source_results(k, &s);
	if (rc <= 0)
		return rc;
	json_t *groups = json_array();
	struct verdict_counts vc;
	for (size_t g = 0; g < report_ngroups(); g++) {
		const char *key, *label;
		report_group_at(g, &key, &label);
		verdict_count_where(s.res, VERDICT_BY_GROUP, key, &vc);
		json_array_append_new(groups, json_pack("{s:s, s:s, s:I, s:b, s:o}", "group", key,
		                                        "label", label, "rules",
		                                        (json_int_t)verdict_counts_total(&vc),
		                                        "conformant", verdict_conformant(&vc),
		                                        "counts", verdict_counts_json(&vc)));
	}
	reply(k, &s, "groups", groups);
	return 0;
}

static int
rank(const char *status)
{
	static const char *const order[] = { "error", "fail",   "warn",
		                             "pass",  "waived", "not_applicable" };
	for (size_t i = 0; i < NELEM(order); i++)
		if (status && strcmp(status, order[i]) == 0)
			return (int)i;
	return (int)NELEM(order);
}

/* Per Annex A control: the rules checking it and the worst verdict; with
 * "detail", the whole Statement of Applicability (soa_export.h). */
int
m_soa(struct call *k)
{
	json_t *detail = json_object_get(k->params, "detail");
	if (detail && !json_is_boolean(detail))
		return rpc_fail(k, RPC_INVALID_PARAMS, "\"detail\" must be true or false");
	if (json_is_true(detail)) {
		json_t *out = NULL;
		int rc = schedule_soa(k->r, k->r->results, &out);
		if (rc == SCHEDULE_NOT_READY)
			return rpc_fail(k, RPC_BUSY, "%s", err_msg());
		if (rc < 0)
			return rpc_fail(k, RPC_FAILED, "%s", err_msg());
		k->result = out;
		return 0;
	}
	json_t *controls = json_object(), *v;
	const char *id;
	json_object_foreach (k->r->results, id, v) {
		const char *ctl = json_string_value(json_object_get(v, "control"));
		if (ctl == NULL)
			continue;
		json_t *c = json_object_get(controls, ctl);
		if (c == NULL) {
			c = json_pack("{s:s, s:O, s:s, s:[]}", "control", ctl, "theme",
			              json_object_get(v, "theme"), "status", "not_applicable",
			              "rules");
			json_object_set_new(controls, ctl, c);
		}
		const char *st = json_string_value(json_object_get(v, "status"));
		json_array_append_new(json_object_get(c, "rules"),
		                      json_pack("{s:s, s:s?}", "id", id, "status", st));
		if (rank(st) < rank(json_string_value(json_object_get(c, "status"))))
			json_object_set_new(c, "status", json_string(st));
	}
	json_t *a = json_array();
	json_object_foreach (controls, id, v)
		json_array_append(a, v);
	json_decref(controls);
	k->result = json_pack("{s:s, s:s?, s:s?, s:o}", "repo", k->r->conf.name, "commit",
	                      k->r->commit[0] ? k->r->commit : NULL, "rules_digest",
	                      k->r->rules_digest[0] ? k->r->rules_digest : NULL, "controls", a);
	return 0;
}

int
m_rules(struct call *k)
{
	json_t *rules = k->r->rules ? json_incref(k->r->rules) : json_array();
	k->result = json_pack("{s:s, s:o}", "repo", k->r->conf.name, "rules", rules);
	return 0;
}

/* The points of a back-filled trend at most (history with "from"): each
 * may be an evaluation from git history. */
#define HISTORY_MAX_POINTS 30

/* One point of a back-filled trend: the state at instant when, from the
 * journal or else evaluated from git. 1 with *out (NULL: the history
 * starts later), 0 when the call waits, -1 with the error set. */
static int
trend_point(struct call *k, int64_t when, json_t **out)
{
	char t[21], commit[41], digest[41];
	json_t *res = NULL;
	const char *from = "journal";
	date_format_utc(when, t);
	*out = NULL;
	int found = state_as_of(k->e, k->r, t, when, 0, commit, digest, &res);
	if (found < 0)
		return rpc_fail(k, RPC_FAILED, "%s", err_msg());
	if (found == 0) {
		struct asof_entry *x;
		if (rpc_asof_get(k, t, &x, &from) == 0)
			return 0;
		if (x->state == ASOF_FAILED && x->bad_spec)
			return 1; /* before the first commit: no point, as offline */
		if (x->state == ASOF_FAILED)
			return rpc_fail(k, RPC_FAILED,
			                "the ISMS as of %s could not be evaluated: %s", t,
			                x->error);
		snprintf(commit, sizeof(commit), "%s", x->commit);
		res = json_incref(x->results);
	}
	struct verdict_counts vc;
	verdict_count(res, &vc);
	double conf = verdict_conformance(&vc);
	*out = json_pack("{s:s, s:s, s:b, s:o, s:o, s:s}", "date", t, "commit", commit,
	                 "conformant", verdict_conformant(&vc), "conformance",
	                 conf < 0 ? json_null() : json_real(conf), "counts",
	                 verdict_counts_json(&vc), "source", from);
	json_decref(res);
	return 1;
}

/* history with "from": the trend back-filled from git, one point a week
 * or a month from "from" to "to" (default now), as `ismsctl history
 * --from` makes it offline. */
static int
history_backfill(struct call *k)
{
	const char *f = rpc_pstr(k, "from"), *u = rpc_pstr(k, "to"), *every = rpc_pstr(k, "every");
	if (rpc_pstr(k, "since") || rpc_pstr(k, "until") || json_object_get(k->params, "limit"))
		return rpc_fail(k, RPC_INVALID_PARAMS,
		                "\"from\" back-fills the trend from git; give it with \"to\" and "
		                "\"every\", not with \"since\", \"until\" or \"limit\"");
	if (every && strcmp(every, "week") != 0 && strcmp(every, "month") != 0)
		return rpc_fail(k, RPC_INVALID_PARAMS, "\"every\" must be \"week\" or \"month\"");
	int weekly = every && strcmp(every, "week") == 0;
	struct ymd d;
	int has_time;
	int64_t t0, t1 = k->e->now(k->e->arg);
	/* A bare date is midday UTC, as ismsctl reads --from and --to. */
	if (strlen(f) > AS_OF_MAX || date_parse(f, "UTC", &d, &t0, &has_time) < 0)
		return rpc_fail(k, RPC_INVALID_PARAMS, "\"from\" must be an ISO 8601 date");
	if (!has_time)
		t0 = date_days(d) * 86400 + (int64_t)12 * 3600;
	if (u && (strlen(u) > AS_OF_MAX || date_parse(u, "UTC", &d, &t1, &has_time) < 0))
		return rpc_fail(k, RPC_INVALID_PARAMS, "\"to\" must be an ISO 8601 date");
	if (u && !has_time)
		t1 = date_days(d) * 86400 + (int64_t)12 * 3600;
	if (t1 < t0)
		return rpc_fail(k, RPC_INVALID_PARAMS, "\"to\" is before \"from\"");
	struct ymd start = date_from_days(t0 / 86400);
	int64_t tod = t0 % 86400, when[HISTORY_MAX_POINTS];
	size_t n = 0;
	for (int i = 0;; i++) {
		struct ymd di = weekly ? date_from_days(date_days(start) + (int64_t)7 * i)
		                       : date_add_months(start, i);
		int64_t w = date_days(di) * 86400 + tod;
		if (w > t1)
			break;
		if (n == HISTORY_MAX_POINTS)
			return rpc_fail(
			        k, RPC_INVALID_PARAMS,
			        "\"from\" to \"to\" every %s makes more than %d points, and "
			        "each may be an evaluation from git: ask for a shorter range%s",
			        weekly ? "week" : "month", HISTORY_MAX_POINTS,
			        weekly ? " or every month" : "");
		when[n++] = w;
	}
	/* Every point is asked for before any is waited for: their
	 * evaluations queue together. */
	json_t *a = json_array();
	int waits = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *p;
		int rc = trend_point(k, when[i], &p);
		if (rc < 0) {
			json_decref(a);
			return -1;
		}
		waits |= rc == 0;
		if (p)
			json_array_append_new(a, p);
	}
	if (waits) {
		json_decref(a);
		return 0;
	}
	char from_s[21], to_s[21];
	date_format_utc(t0, from_s);
	date_format_utc(t1, to_s);
	k->result = json_pack("{s:s, s:s, s:s, s:s, s:o}", "repo", k->r->conf.name, "every",
	                      weekly ? "week" : "month", "from", from_s, "to", to_s, "points", a);
	return 0;
}

int
m_history(struct call *k)
{
	if (rpc_pstr(k, "from"))
		return history_backfill(k);
	if (rpc_pstr(k, "to") || rpc_pstr(k, "every"))
		return rpc_fail(k, RPC_INVALID_PARAMS,
		                "\"to\" and \"every\" go with \"from\" (the trend back-filled "
		                "from git)");
	int64_t since = 0, until = INT64_MAX;
	const char *s = rpc_pstr(k, "since"), *u = rpc_pstr(k, "until");
	json_t *lim = json_object_get(k->params, "limit");
	if (lim && (!json_is_integer(lim) || json_integer_value(lim) < 1))
		return rpc_fail(k, RPC_INVALID_PARAMS, "\"limit\" must be a positive whole number");
	if ((s && date_parse(s, "UTC", NULL, &since, NULL) < 0) ||
	    (u && date_parse(u, "UTC", NULL, &until, NULL) < 0))
		return rpc_fail(k, RPC_INVALID_PARAMS,
		                "\"since\" and \"until\" must be ISO 8601 "
		                "dates: %s",
		                err_msg());
	/* Newest first from the index, reading back only the lines taken,
	 * then turned around: oldest first. */
	struct journal *jn = k->e->journal;
	size_t max = lim ? (size_t)json_integer_value(lim) : SIZE_MAX;
	json_t *newest = json_array(), *a = json_array();
	for (size_t i = journal_count(jn); i-- > 0 && json_array_size(newest) < max;) {
		struct journal_entry e;
		journal_entry_at(jn, i, &e);
		if (strcmp(e.topic, "commits") != 0 || strcmp(e.repo, k->r->conf.name) != 0 ||
		    e.time < since || e.time > until)
			continue;
		if (journal_read(jn, i, &e) < 0) {
			json_decref(newest);
			json_decref(a);
			return rpc_fail(k, RPC_FAILED, "%s", err_msg());
		}
		json_t *data = journal_data(&e);
		free(e.line);
		if (data == NULL)
			continue;
		json_object_set_new(data, "cursor", json_integer((json_int_t)e.seq));
		json_array_append_new(newest, data);
	}
	for (size_t i = json_array_size(newest); i-- > 0;)
		json_array_append(a, json_array_get(newest, i));
	json_decref(newest);
	k->result = json_pack("{s:s, s:o}", "repo", k->r->conf.name, "commits", a);
	return 0;
}
