/* cmd_gate.c - the gate of `ismsctl check --baseline REF --fail-on LEVEL`:
 * the baseline evaluated with the same rule packs and clock, its findings
 * compared by fingerprint, the result written in every format and the
 * exit status decided by the new findings only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "err.h"
#include "model.h"
#include "report.h"
#include "snapshot.h"
#include "ismsctl_int.h"

int
gate_eval(struct engine *e, const char *repo, const char *ref, int64_t now, json_t **doc)
{
	struct snapshot *snap = NULL;
	struct model *m = NULL;
	struct evaluation *ev = NULL;
	struct snapshot_limits lim = { SNAPSHOT_DEFAULT_MAX_BLOB, SNAPSHOT_DEFAULT_MAX_FILES };
	int rc = -1;
	*doc = NULL;
	if (snapshot_load(repo, ref, NULL, &lim, &snap) < 0)
		goto out;
	if (model_build(snap, &m) < 0) {
		err_set("%s at %s: %s", repo, ref, err_msg());
		goto out;
	}
	if (engine_eval(e, m, now, NULL, &ev) < 0)
		goto out;
	struct report_meta meta = { .repo = repo, .ref = ref, .organisation = organisation(m) };
	*doc = report_json(ev, &meta);
	rc = 0;
out:
	evaluation_free(ev);
	model_free(m);
	snapshot_free(snap);
	return rc;
}

/* What a comparison is against: the ref and the commit it resolved to. */
static void
name_base(json_t *cmp, const char *ref, json_t *base)
{
	json_object_set_new(cmp, "ref", json_string(ref));
	json_object_set(cmp, "commit", json_object_get(base, "commit"));
}

int
gate_check(const struct gate_opts *g, const char *repo, struct engine *e,
           const struct evaluation *ev, const struct report_meta *meta, enum report_format fmt)
{
	json_t *doc = report_json(ev, meta), *base = NULL, *cmp = NULL;
	int failed, rc = EXIT_USAGE;
	if (g->baseline) {
		if (gate_eval(e, repo, g->baseline, ev->now, &base) < 0) {
			fprintf(stderr, "ismsctl check: --baseline %s: %s\n", g->baseline,
			        err_msg());
			goto out;
		}
		cmp = baseline_compare(json_object_get(base, "results"),
		                       json_object_get(doc, "results"));
		name_base(cmp, g->baseline, base);
		json_object_set(doc, "baseline", cmp);
		failed = baseline_fails(cmp, g->level);
	} else {
		failed = g->level_set
		                 ? baseline_fails_plain(json_object_get(doc, "results"), g->level)
		                 : report_exit_status(ev) != 0;
	}
	json_t *gate = json_object();
	static const char *const names[] = { "major", "minor", "observation" };
	json_object_set_new(gate, "fail_on", json_string(names[g->level]));
	json_object_set_new(gate, "passed", json_boolean(!failed));
	json_object_set_new(doc, "gate", gate);
	switch (fmt) {
	case REPORT_TEXT:
		if (cmp == NULL) {
			report_write(stdout, fmt, ev, e, meta);
			break;
		}
		printf("ISMS gate%s%s\nRepository: %s at %s (commit %.12s)%s\n",
		       meta->organisation ? " - " : "",
		       meta->organisation ? meta->organisation : "", meta->repo,
		       meta->ref ? meta->ref : "HEAD", ev->commit[0] ? ev->commit : "none",
		       meta->worktree ? ", with uncommitted changes" : "");
		char what[128];
		snprintf(what, sizeof(what), "%s (commit %.12s)", g->baseline,
		         json_string_value(json_object_get(base, "commit"))
		                 ? json_string_value(json_object_get(base, "commit"))
		                 : "none");
		baseline_write_text(stdout, cmp, what, g->level);
		break;
	case REPORT_TAP: report_write(stdout, fmt, ev, e, meta); break;
	default: report_write_doc(stdout, fmt, doc, e);
	}
	rc = failed ? EXIT_NONCONFORMANT : 0;
out:
	json_decref(cmp);
	json_decref(base);
	json_decref(doc);
	return rc;
}
