/* memo.c - r:each iterations kept between evaluations: replayed while
 * their record, the files they read, the day and the parameters are as
 * they were; run again when any of them changes, when the rule failed,
 * and for records the last run did not see. */
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "memo.h"
#include "model.h"
#include "plainsnap.h"
#include "tap.h"

static const char people[] = "people:\n"
                             "  - id: p-ada\n"
                             "    name: Ada\n";

struct world {
	struct snapshot *s;
	struct model *m;
};

/* A model of three assets (the second with classification `second`) and
 * the personnel file, with blob ids asset_blob and people_blob. */
static void
world_make(struct world *w, const char *second, const char *asset_blob, const char *people_blob)
{
	static char assets[512];
	snprintf(assets, sizeof(assets),
	         "assets:\n"
	         "  - id: AS-1\n    owner: p-ada\n    classification: internal\n"
	         "  - id: AS-2\n    owner: p-ada\n    classification: %s\n"
	         "  - id: AS-3\n    owner: p-ada\n    classification: internal\n",
	         second);
	const char *paths[] = { "assets/a.yaml", "isms.yaml", "people/personnel.yaml" };
	const char *data[] = { assets, "organisation: Test\n", people };
	w->s = plainsnap_memory(paths, data, 3, 1700000000, "tester");
	for (size_t i = 0; i < w->s->nfiles; i++) {
		struct snapshot_file *f = &w->s->files[i];
		const char *b = strcmp(f->path, "assets/a.yaml") == 0           ? asset_blob
		                : strcmp(f->path, "people/personnel.yaml") == 0 ? people_blob
		                                                                : "m";
		snprintf(f->blob, sizeof(f->blob), "%s", b);
	}
	if (model_build(w->s, &w->m) < 0)
		w->m = NULL;
}

static void
world_free(struct world *w)
{
	model_free(w->m);
	snapshot_free(w->s);
}

/* Asset i (0-based) of the model's asset file. */
static const struct node *
asset(const struct world *w, size_t i)
{
	const struct model_doc *d = model_find(w->m, "assets/a.yaml");
	const struct node *list = d ? node_get(d->doc->root, "assets") : NULL;
	return list && i < list->n ? list->items[i] : NULL;
}

/* One run of the rule over the three assets on day `day`: each iteration
 * not replayed is "run" and kept, with one finding for AS-2 and the
 * personnel file as its read. Returns a bitmask of the assets replayed. */
static int
one_run(struct memo *m, const struct world *w, int64_t day, const char *digest, int ok)
{
	static const char *const reads[] = { "people/personnel.yaml" };
	struct memo_finding f = { .message = "AS-2 is odd", .severity = "minor",
	                          .file = "assets/a.yaml", .line = 7 };
	struct memo_rule *r = memo_rule_begin(m, 0, w->m, day, digest);
	int replayed = 0;
	for (size_t i = 0; i < 3; i++) {
		const struct memo_result *got = memo_get(r, "assets/a.yaml", asset(w, i));
		if (got) {
			replayed |= 1 << i;
			if (i == 1 && (got->nfindings != 1 ||
			               strcmp(got->findings[0].message, f.message) != 0))
				replayed |= 1 << 8; /* a wrong replay */
			continue;
		}
		struct memo_result res = { .valid_until = INT64_MIN, .reads = reads, .nreads = 1 };
		if (i == 1) {
			res.findings = &f;
			res.nfindings = 1;
			res.failed = 1;
		}
		memo_put(r, "assets/a.yaml", asset(w, i), &res);
	}
	memo_rule_end(r, ok);
	return replayed;
}

int
main(void)
{
	struct memo *m = memo_new(1);
	struct world w1, w2, w3;
	world_make(&w1, "internal", "a1", "p1");
	ok(w1.m && asset(&w1, 2), "the model has its three assets");
	is_int(one_run(m, &w1, 100, "d", 1), 0, "a first run runs every iteration");
	is_int(one_run(m, &w1, 100, "d", 1), 7,
	       "the next one replays all three, with their findings");

	world_make(&w2, "secret", "a2", "p1");
	is_int(one_run(m, &w2, 100, "d", 1), 5, "one record changes: only its iteration runs");
	is_int(one_run(m, &w2, 100, "d", 1), 7, "and is kept in turn");

	world_make(&w3, "secret", "a2", "p2");
	is_int(one_run(m, &w3, 100, "d", 1), 0, "a file the iterations read changes: all run");
	is_int(one_run(m, &w2, 100, "d", 1), 0,
	       "and going back to the old file does not bring back what was kept for it");
	is_int(one_run(m, &w2, 100, "d", 1), 7, "(kept again)");

	is_int(one_run(m, &w2, 101, "d", 1), 0, "a new day: all run");
	is_int(one_run(m, &w2, 101, "e", 1), 0, "other parameters: all run");
	is_int(one_run(m, &w2, 101, "e", 0), 7, "a run that fails still replays what holds");
	is_int(one_run(m, &w2, 101, "e", 1), 0, "but keeps nothing for the next");

	/* A run that sees only the first record drops the others. */
	struct memo_rule *r = memo_rule_begin(m, 0, w2.m, 101, "e");
	ok(memo_get(r, "assets/a.yaml", asset(&w2, 0)) != NULL, "a partial run replays the first");
	memo_rule_end(r, 1);
	is_int(one_run(m, &w2, 101, "e", 1), 1, "and what it did not see is gone");

	size_t replayed, ran;
	memo_counts(m, &replayed, &ran);
	ok(replayed > 0 && ran > 0, "the counts: %zu replayed, %zu run", replayed, ran);
	ok(memo_rule_begin(m, 5, w2.m, 101, "e") == NULL, "a rule beyond the memo has none");

	world_free(&w1);
	world_free(&w2);
	world_free(&w3);
	memo_free(m);
	return done_testing();
}
