/* verdict.c - counts, conformance, groups and differences of verdict
 * sets, with empty sets, unknown statuses and input that is not a set. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "verdict.h"

static json_t *
load(const char *text)
{
	json_t *o = json_loads(text, JSON_DECODE_ANY, NULL);
	if (o == NULL)
		printf("Bail out! bad test JSON: %s\n", text);
	return o;
}

/* o as compact JSON; the caller's. */
static char *
dump(json_t *o)
{
	return json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY);
}

static void
test_counts(void)
{
	struct verdict_counts c;
	json_t *set = load("{\"a\":{\"id\":\"a\",\"status\":\"pass\"},"
	                   "\"b\":{\"id\":\"b\",\"status\":\"fail\"},"
	                   "\"c\":{\"id\":\"c\",\"status\":\"bogus\"},"
	                   "\"d\":{\"id\":\"d\"},\"e\":42,"
	                   "\"f\":{\"id\":\"f\",\"status\":\"warn\"}}");
	verdict_count(set, &c);
	is_int(c.n[ST_PASS], 1, "one pass");
	is_int(c.n[ST_FAIL], 1, "one fail");
	is_int(c.n[ST_WARN], 1, "one warn");
	is_int(c.unknown, 3, "an unknown status, none and a non-object are unknown");
	is_int(verdict_counts_total(&c), 6, "the total counts them all");
	ok(!verdict_conformant(&c), "a fail is not conformant");
	ok(verdict_conformance(&c) > 0.333 && verdict_conformance(&c) < 0.334,
	   "conformance is pass among pass, fail, warn, error");
	json_t *j = verdict_counts_json(&c);
	char *s = dump(j);
	json_decref(j);
	is_str(s,
	       "{\"pass\":1,\"fail\":1,\"warn\":1,\"not_applicable\":0,\"waived\":0,\"error\":0}",
	       "counts as JSON in status order, unknown left out");
	free(s);
	json_decref(set);

	verdict_count(NULL, &c);
	is_int(verdict_counts_total(&c), 0, "NULL counts nothing");
	ok(verdict_conformant(&c), "nothing is conformant");
	ok(!verdict_repo_conformant(&c), "a repository without verdicts is not");
	ok(verdict_conformance(&c) < 0, "no conformance share without verdicts");
	json_t *odd = load("\"not a set\"");
	verdict_count(odd, &c);
	is_int(verdict_counts_total(&c), 0, "a string counts nothing");
	json_decref(odd);
	odd = load("[{\"status\":\"error\"},null,[1]]");
	verdict_count(odd, &c);
	is_int(c.n[ST_ERROR], 1, "an array is counted");
	is_int(c.unknown, 2, "its non-verdicts are unknown");
	ok(!verdict_conformant(&c), "an error is not conformant");
	json_decref(odd);

	memset(&c, 0, sizeof(c));
	verdict_counts_add(&c, -1);
	verdict_counts_add(&c, ST_COUNT);
	verdict_counts_add(&c, 1000);
	is_int(c.unknown, 3, "out of range statuses are unknown");
	size_t n[ST_COUNT] = { 2, 0, 0, 0, 3, 0 };
	verdict_counts_from(&c, n);
	is_int(verdict_counts_total(&c), 5, "counts from an evaluation's array");
	ok(verdict_conformant(&c), "pass and waived are conformant");

	is_int(verdict_status_parse("not_applicable"), ST_NOT_APPLICABLE, "status by name");
	is_int(verdict_status_parse("PASS"), -1, "names are exact");
	is_int(verdict_status_parse(NULL), -1, "no name");
	is_int(verdict_status(NULL), -1, "no verdict");
}

static void
test_groups(void)
{
	char buf[8];
	is_str(verdict_clause_top("6.1.3", buf, sizeof(buf)), "6", "top-level clause");
	is_str(verdict_clause_top("10", buf, sizeof(buf)), "10", "a clause without dots");
	is_str(verdict_clause_top(NULL, buf, sizeof(buf)), "", "no clause");
	is_str(verdict_clause_top("123456789.1", buf, sizeof(buf)), "1234567", "cut to the buffer");
	is_str(verdict_group_key("5.15", "organizational", buf, sizeof(buf)), "organiz",
	       "a theme is the group, cut to the buffer");
	is_str(verdict_group_key("9.2", NULL, buf, sizeof(buf)), "9", "else the top clause");

	json_t *set = load("{\"a\":{\"clause\":\"9.2\",\"group\":\"9\",\"status\":\"pass\"},"
	                   "\"b\":{\"clause\":\"9.3\",\"group\":\"9\",\"status\":\"fail\"},"
	                   "\"c\":{\"clause\":\"6.1\",\"group\":\"6\",\"status\":\"pass\"},"
	                   "\"d\":{\"theme\":\"people\",\"group\":\"people\",\"status\":\"waived\"},"
	                   "\"e\":{\"clause\":\"9.1\",\"group\":\"9\",\"status\":\"nope\"},"
	                   "\"f\":{\"clause\":7,\"status\":\"pass\"}}");
	json_t *g = verdict_groups(set, VERDICT_BY_CLAUSE);
	char *s = dump(g);
	is_str(s,
	       "{\"9\":{\"pass\":1,\"fail\":1,\"warn\":0,\"not_applicable\":0,\"waived\":0,"
	       "\"error\":0,\"conformance\":0.5},\"6\":{\"pass\":1,\"fail\":0,\"warn\":0,"
	       "\"not_applicable\":0,\"waived\":0,\"error\":0,\"conformance\":1.0}}",
	       "per clause in the order met, unknown statuses and non-string clauses left out");
	free(s);
	json_decref(g);
	g = verdict_groups(set, VERDICT_BY_THEME);
	ok(json_is_null(json_object_get(json_object_get(g, "people"), "conformance")),
	   "a theme of waived rules only has no conformance share");
	is_int(json_object_size(g), 1, "one theme");
	json_decref(g);
	struct verdict_counts c;
	verdict_count_where(set, VERDICT_BY_GROUP, "9", &c);
	is_int(verdict_counts_total(&c), 3, "three rules in group 9, one of unknown status");
	ok(!verdict_conformant(&c), "group 9 is not conformant");
	verdict_count_where(set, VERDICT_BY_GROUP, "4", &c);
	is_int(verdict_counts_total(&c), 0, "an empty group");
	json_decref(set);

	g = verdict_groups(NULL, VERDICT_BY_CLAUSE);
	is_int(json_object_size(g), 0, "no groups of nothing");
	json_decref(g);
	set = load("[1, \"x\", {\"clause\":\"4.1\",\"status\":\"error\"}]");
	g = verdict_groups(set, VERDICT_BY_CLAUSE);
	is_int(json_object_size(g), 1, "groups of an array skip what is not a verdict");
	json_decref(g);
	json_decref(set);
}


/* A rule with thousands of findings, one changed, one added, one gone
 * and one repeated: the difference is exact (and takes no time). */
static void
findings_large(void)
{
	json_t *o = json_object(), *n = json_object(), *of = json_array(), *nf = json_array();
	for (int i = 0; i < 3000; i++) {
		json_array_append_new(of, json_pack("{s:i, s:s}", "line", i, "m", "same"));
		if (i == 1500)
			json_array_append_new(nf, json_pack("{s:i, s:s}", "line", i, "m", "new"));
		else if (i != 2999)
			json_array_append_new(nf, json_pack("{s:i, s:s}", "line", i, "m", "same"));
	}
	json_array_append_new(nf, json_pack("{s:i, s:s}", "line", 7, "m", "same"));
	json_array_append_new(nf, json_pack("{s:i, s:s}", "line", 9999, "m", "added"));
	json_object_set_new(o, "findings", of);
	json_object_set_new(n, "findings", nf);
	json_t *added, *resolved;
	ok(verdict_findings_diff(o, n, &added, &resolved), "large: changed");
	char *s = dump(added);
	is_str(s, "[{\"line\":1500,\"m\":\"new\"},{\"line\":9999,\"m\":\"added\"}]",
	       "large: the added findings, a repeat of a kept one not among them");
	free(s);
	s = dump(resolved);
	is_str(s, "[{\"line\":1500,\"m\":\"same\"},{\"line\":2999,\"m\":\"same\"}]",
	       "large: the resolved ones");
	free(s);
	json_decref(added);
	json_decref(resolved);
	json_decref(o);
	json_decref(n);
}

static void
test_diff(void)
{
	json_t *prev = load("{\"a\":{\"id\":\"a\",\"status\":\"pass\",\"reads\":[\"x\"]},"
	                    "\"b\":{\"id\":\"b\",\"status\":\"fail\",\"findings\":[{\"m\":1}]},"
	                    "\"gone\":{\"id\":\"gone\",\"status\":\"pass\"}}");
	json_t *next = load("[{\"id\":\"a\",\"status\":\"pass\",\"reads\":[\"y\"]},"
	                    "{\"id\":\"b\",\"status\":\"fail\",\"findings\":[{\"m\":2}]},"
	                    "{\"id\":\"new\",\"status\":\"warn\"},{\"status\":\"pass\"}]");
	json_t *changed, *olds, *removed;
	size_t n = verdict_diff(prev, next, &changed, &olds, &removed);
	is_int(n, 4, "b changed, new and one without id are new, gone was removed");
	is_int(json_array_size(changed), 3, "three changed");
	is_str(json_string_value(json_object_get(json_array_get(changed, 0), "id")), "b",
	       "what the rule read is no change");
	ok(json_array_get(olds, 0) == json_object_get(prev, "b"), "the old verdict by reference");
	ok(json_is_null(json_array_get(olds, 1)), "a new rule has no old verdict");
	char *s = dump(removed);
	is_str(s, "[\"gone\"]", "the removed ids");
	free(s);

	json_t *added, *resolved;
	ok(verdict_findings_diff(json_array_get(olds, 0), json_array_get(changed, 0), &added,
	                         &resolved),
	   "a finding changed");
	s = dump(added);
	is_str(s, "[{\"m\":2}]", "the new finding");
	free(s);
	s = dump(resolved);
	is_str(s, "[{\"m\":1}]", "the resolved finding");
	free(s);
	json_decref(added);
	json_decref(resolved);
	findings_large();
	ok(!verdict_findings_diff(NULL, NULL, &added, &resolved), "no verdicts, no findings");
	is_int(json_array_size(added) + json_array_size(resolved), 0, "and empty lists");
	json_decref(added);
	json_decref(resolved);

	/* Applied as journaled, the difference gives next back. */
	json_t *data = json_pack("{s:b, s:O, s:O}", "full", 0, "changed", changed, "removed",
	                         removed);
	verdict_apply(prev, data);
	is_int(json_object_size(prev), 3, "a, b and new after the diff");
	ok(json_object_get(prev, "gone") == NULL, "gone is gone");
	ok(json_object_get(prev, "b") == json_array_get(next, 1), "b is the new verdict");
	json_decref(data);
	json_decref(changed);
	json_decref(olds);
	json_decref(removed);

	n = verdict_diff(prev, next, &changed, &olds, &removed);
	is_int(n, 1, "only the verdict without id differs from itself");
	json_decref(changed);
	json_decref(olds);
	json_decref(removed);

	data = load("{\"full\":true,\"changed\":[{\"id\":\"z\",\"status\":\"pass\"},7,"
	            "{\"id\":3}],\"removed\":[1,null,\"a\"]}");
	verdict_apply(prev, data);
	is_int(json_object_size(prev), 1, "full clears; bad entries are ignored");
	ok(json_object_get(prev, "z") != NULL, "z is in");
	json_decref(data);
	data = load("[\"not\", \"a diff\"]");
	verdict_apply(prev, data);
	is_int(json_object_size(prev), 1, "a diff that is not an object changes nothing");
	verdict_apply(data, prev);
	is_int(json_array_size(data), 2, "nor is a set that is not an object changed");
	json_decref(data);

	n = verdict_diff(NULL, NULL, &changed, &olds, &removed);
	is_int(n, 0, "nothing to nothing");
	json_decref(changed);
	json_decref(olds);
	json_decref(removed);
	json_decref(prev);
	json_decref(next);

	json_t *a = load("{\"id\":\"a\",\"status\":\"pass\",\"patterns\":[1]}");
	json_t *b = load("{\"id\":\"a\",\"status\":\"pass\"}");
	ok(verdict_equal(a, b), "patterns are no difference");
	json_object_set_new(b, "note", json_string("x"));
	ok(!verdict_equal(a, b), "a key more is");
	ok(!verdict_equal(b, a), "either way");
	ok(verdict_equal(NULL, NULL), "nothing equals nothing");
	ok(!verdict_equal(a, NULL), "a verdict is not nothing");
	json_decref(a);
	json_decref(b);
}

int
main(void)
{
	test_counts();
	test_groups();
	test_diff();
	return done_testing();
}
