/* id_index.c - r:record's index: the first record of a type with an id,
 * in r:records order (files by path, items in file order), ids as
 * written (text, numbers as their text), records without an id or with a
 * list or map for one left out. */
#include <string.h>

#include "doc.h"
#include "id_index.h"
#include "model.h"
#include "plainsnap.h"
#include "record.h"
#include "tap.h"

static const char *
id_of(const struct node *rec)
{
	const struct node *v = rec ? node_get(rec, "name") : NULL;
	return v && v->kind == NODE_STRING ? v->str : "(none)";
}

static const char *
find(const struct id_index *x, const char *id)
{
	const struct model_doc *md = NULL;
	const struct node *n = id_index_find(x, id, strlen(id), &md);
	if (n == NULL)
		return NULL;
	return id_of(n);
}

int
main(void)
{
	const char *paths[] = { "assets/b.yaml", "assets/a.yaml", "isms.yaml" };
	const char *data[] = {
		"assets:\n"
		"  - id: AS-2\n    name: b-two\n"
		"  - id: AS-9\n    name: b-nine\n"
		"  - id: 5.30\n    name: b-number\n",
		"assets:\n"
		"  - id: AS-2\n    name: a-two\n"
		"  - name: a-no-id\n"
		"  - id: [AS-7]\n    name: a-list\n"
		"  - id: AS-1\n    name: a-one\n"
		"  - id: AS-1\n    name: a-one-again\n",
		"organisation: Test\n",
	};
	struct snapshot *s = plainsnap_memory(paths, data, 3, 1700000000, "tester");
	struct model *m = NULL;
	ok(model_build(s, &m) == 0, "a model of two asset files");
	struct id_index x;
	id_index_build(&x, m, record_type_find("asset"));
	is_str(find(&x, "AS-2"), "a-two", "a file earlier by path wins (a.yaml before b.yaml)");
	is_str(find(&x, "AS-1"), "a-one", "within a file, the first of two");
	is_str(find(&x, "AS-9"), "b-nine", "an id of the later file");
	is_str(find(&x, "5.30"), "b-number", "a number found by its text as written");
	ok(find(&x, "5.3") == NULL, "not by the number's value");
	ok(find(&x, "AS-7") == NULL, "a list is no id");
	ok(find(&x, "") == NULL && find(&x, "AS-") == NULL && find(&x, "AS-10") == NULL,
	   "absent, empty and prefix ids are not found");
	id_index_free(&x);
	id_index_free(&x); /* twice is harmless */

	id_index_build(&x, m, record_type_find("risk"));
	ok(find(&x, "AS-2") == NULL, "a type with no records has an empty index");
	id_index_free(&x);
	model_free(m);
	snapshot_free(s);
	return done_testing();
}
