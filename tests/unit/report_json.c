/* report_json.c - a rule's verdict as JSON, made again from the last
 * one: findings that say the same share the last verdict's objects, the
 * others are new, and the text is always what a verdict made afresh
 * gives. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "report.h"
#include "tap.h"

static struct rule_info rule = { .id = "A.5.12-classification-scheme", .control = "5.12",
	                         .theme = "organizational", .title = "Assets are classified",
	                         .severity = "minor", .remediation = "Classify them." };

/* n findings, one per asset, the one at `changed` with another message
 * and the one at `moved` on another line. */
static struct rule_result
result(size_t n, size_t changed, size_t moved)
{
	struct rule_result r = { .rule = &rule, .status = ST_FAIL, .nfindings = n };
	r.findings = calloc(n, sizeof(*r.findings));
	for (size_t i = 0; i < n; i++) {
		struct finding *f = &r.findings[i];
		char m[96];
		snprintf(m, sizeof(m), "asset AS-%zu: classification '%s' is not a label", i,
		         i == changed ? "top" : "secret");
		f->message = strdup(m);
		f->severity = i % 2 ? strdup("major") : NULL;
		f->file = strdup("assets/servers.yaml");
		f->line = (int)(i * 7 + 3 + (i == moved ? 1 : 0));
		snprintf(m, sizeof(m), "asset:AS-%zu", i);
		f->record = strdup(m);
		snprintf(f->fingerprint, sizeof(f->fingerprint), "%032zx", i);
	}
	return r;
}

static void
result_free(struct rule_result *r)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		free(r->findings[i].message);
		free(r->findings[i].severity);
		free(r->findings[i].file);
		free(r->findings[i].record);
	}
	free(r->findings);
}

/* How many findings of a are the very objects of b's. */
static size_t
shared(const json_t *a, const json_t *b)
{
	const json_t *fa = json_object_get(a, "findings"), *fb = json_object_get(b, "findings");
	size_t n = 0;
	for (size_t i = 0; i < json_array_size(fa); i++)
		for (size_t k = 0; k < json_array_size(fb); k++)
			n += json_array_get(fa, i) == json_array_get(fb, k);
	return n;
}

int
main(void)
{
	struct rule_result r1 = result(50, 99, 99);
	json_t *prev = report_result_json(&r1);

	/* The same findings: all shared, the text the same. */
	json_t *same = report_result_json_from(&r1, prev);
	ok(json_equal(same, prev), "made again from itself: equal");
	is_int((int)shared(same, prev), 50, "every finding is the last verdict's object");

	/* One message changed and one line moved: those two are new. */
	struct rule_result r2 = result(50, 10, 20);
	json_t *fresh = report_result_json(&r2), *again = report_result_json_from(&r2, prev);
	ok(json_equal(fresh, again), "one finding changed, one moved: equal to a fresh verdict");
	is_int((int)shared(again, prev), 48, "the 48 others are shared");

	/* A finding inserted at the front and one removed: the rest are
	 * found a place off. */
	struct rule_result r3 = result(51, 99, 99);
	free(r3.findings[50].message);
	free(r3.findings[50].severity);
	free(r3.findings[50].file);
	free(r3.findings[50].record);
	memmove(r3.findings + 1, r3.findings, 50 * sizeof(*r3.findings));
	r3.findings[0] = (struct finding){ .message = strdup("asset AS-new: no owner"),
		                           .file = strdup("assets/new.yaml"), .line = 1 };
	json_t *f3 = report_result_json(&r3), *a3 = report_result_json_from(&r3, prev);
	ok(json_equal(f3, a3), "a finding inserted at the front: equal to a fresh verdict");
	is_int((int)shared(a3, prev), 50, "the findings after it are shared");
	struct rule_result r4 = r1;
	r4.findings = r1.findings + 1;
	r4.nfindings = 49;
	json_t *f4 = report_result_json(&r4), *a4 = report_result_json_from(&r4, prev);
	ok(json_equal(f4, a4), "the first finding gone: equal to a fresh verdict");
	is_int((int)shared(a4, prev), 49, "the findings after it are shared");

	/* Three findings inserted in the middle: those after them are found
	 * three places on. */
	struct rule_result r7 = result(53, 99, 99);
	for (size_t i = 50; i < 53; i++) {
		free(r7.findings[i].message);
		free(r7.findings[i].severity);
		free(r7.findings[i].file);
		free(r7.findings[i].record);
	}
	memmove(r7.findings + 23, r7.findings + 20, 30 * sizeof(*r7.findings));
	for (size_t i = 20; i < 23; i++)
		r7.findings[i] = (struct finding){ .message = strdup("new"), .line = (int)i };
	json_t *f7 = report_result_json(&r7), *a7 = report_result_json_from(&r7, prev);
	ok(json_equal(f7, a7), "three findings inserted: equal to a fresh verdict");
	is_int((int)shared(a7, prev), 50, "the findings before and after them are shared");
	json_decref(f7);
	json_decref(a7);
	result_free(&r7);

	/* Another rule's verdict, or no findings at all, share nothing wrong. */
	struct rule_result none = { .rule = &rule, .status = ST_PASS };
	json_t *a5 = report_result_json_from(&none, prev), *f5 = report_result_json(&none);
	ok(json_equal(a5, f5), "no findings: equal to a fresh verdict");
	json_t *odd = json_pack("{s:[i, s, {}]}", "findings", 1, "x");
	json_t *a6 = report_result_json_from(&r1, odd);
	ok(json_equal(a6, prev), "a last verdict of another shape: nothing is taken from it");

	json_decref(prev);
	json_decref(same);
	json_decref(fresh);
	json_decref(again);
	json_decref(f3);
	json_decref(a3);
	json_decref(f4);
	json_decref(a4);
	json_decref(a5);
	json_decref(f5);
	json_decref(odd);
	json_decref(a6);
	result_free(&r1);
	result_free(&r2);
	result_free(&r3);
	return done_testing();
}
