/* record_diff.c - tests for what changed between two versions of a
 * record file, as incremental evaluation needs it: the fields whose value
 * changed, or a whole change (records added, moved, fields added, the
 * body, anything outside the records). */
#include <stdio.h>
#include <string.h>

#include "cdefs.h"
#include "model.h"
#include "plainsnap.h"
#include "record_diff.h"
#include "tap.h"

static const char assets[] = "# Assets\n"
                             "assets:\n"
                             "  - id: A-1\n"
                             "    owner: ann\n"
                             "    location: Berlin\n"
                             "    tags: [a, b]\n"
                             "  - id: A-2\n"
                             "    owner: ben\n"
                             "    location: Hamburg\n";
static const char policy[] = "---\nid: pol\ntitle: A policy\nowner: ann\n---\n# Body\n\nText.\n";

/* Compare path in a model of {path: before} with one of {path: after}:
 * whole, and the changed fields joined with spaces. */
static void
diff(const char *path, const char *before, const char *after, int whole, const char *fields,
     const char *what)
{
	const char *paths[] = { "isms.yaml", path };
	const char *a[] = { "organisation: T\n", before }, *b[] = { "organisation: T\n", after };
	struct snapshot *sa = plainsnap_memory(paths, a, 2, 0, "t");
	struct snapshot *sb = plainsnap_memory(paths, b, 2, 0, "t");
	struct model *ma = NULL, *mb = NULL;
	if (model_build(sa, &ma) < 0 || model_build(sb, &mb) < 0) {
		ok(0, "%s: models", what);
		return;
	}
	struct record_change c;
	record_diff(model_find(ma, path), model_find(mb, path), &c);
	char got[256] = "";
	for (size_t i = 0; i < c.fields.n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "",
		         c.fields.v[i]);
	is_int(c.whole, whole, "%s: %s", what, whole ? "a whole change" : "field values only");
	if (!whole)
		is_str(got, fields, "%s: the fields that changed", what);
	record_change_free(&c);
	model_free(ma);
	model_free(mb);
	snapshot_free(sa);
	snapshot_free(sb);
}

/* assets with from replaced by to. */
static const char *
with(const char *text, const char *from, const char *to)
{
	static char out[2][1024];
	static int k;
	char *o = out[k++ % 2];
	const char *at = strstr(text, from);
	snprintf(o, 1024, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return o;
}

int
main(void)
{
	const char *A = "assets/a.yaml";
	diff(A, assets, assets, 0, "", "the same text");
	diff(A, assets, with(assets, "owner: ann", "owner: cleo"), 0, "owner", "one owner");
	diff(A, assets, with(with(assets, "owner: ann", "owner: cleo"), "Hamburg", "Bremen"), 0,
	     "owner location", "two fields of two records");
	diff(A, assets, with(assets, "[a, b]", "[a, c]"), 0, "tags", "an item of a list field");
	diff(A, assets, with(assets, "# Assets", "# The assets"), 0, "", "a comment");
	diff(A, assets, with(assets, "    location: Berlin\n", "    location: Berlin\n    note: x\n"),
	     1, "", "a field added");
	diff(A, assets, with(assets, "    location: Berlin\n", ""), 1, "", "a field removed");
	diff(A, assets, with(assets, "  - id: A-1\n", "\n  - id: A-1\n"), 1, "", "records moved down");
	diff(A, assets, with(assets, "    location: Hamburg\n", "    location: Hamburg\n  - id: A-3\n"),
	     1, "", "a record added");
	diff(A, assets, with(assets, "assets:\n", "reviewed_on: 2025-01-01\nassets:\n"), 1, "",
	     "a key outside the records");
	diff(A, assets, "assets: [unclosed\n", 1, "", "a file that no longer parses");
	const char *P = "policies/p.md";
	diff(P, policy, with(policy, "owner: ann", "owner: ben"), 0, "owner",
	     "a policy's front matter");
	diff(P, policy, with(policy, "Text.", "Other text."), 1, "", "a policy's body");
	diff(P, policy, with(policy, "id: pol", "id: pol2"), 0, "id", "an id");

	struct record_change c;
	record_diff(NULL, NULL, &c);
	ok(c.whole, "a file absent on one side is a whole change");
	record_change_free(&c);
	return done_testing();
}
