/* verdict.c - counts, conformance, groups and differences of verdicts. */
#include "verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
verdict_status_parse(const char *s)
{
	for (int i = 0; s && i < ST_COUNT; i++)
		if (strcmp(s, rule_status_name((enum rule_status)i)) == 0)
			return i;
	return -1;
}

int
verdict_status(json_t *v)
{
	return verdict_status_parse(json_string_value(json_object_get(v, "status")));
}

void
verdict_counts_add(struct verdict_counts *c, int st)
{
	if (st >= 0 && st < ST_COUNT)
		c->n[st]++;
	else
		c->unknown++;
}

void
verdict_counts_from(struct verdict_counts *c, const size_t n[ST_COUNT])
{
	memset(c, 0, sizeof(*c));
	memcpy(c->n, n, sizeof(c->n));
}

size_t
verdict_counts_total(const struct verdict_counts *c)
{
	size_t t = c->unknown;
	for (int s = 0; s < ST_COUNT; s++)
		t += c->n[s];
	return t;
}

void
verdict_count(json_t *set, struct verdict_counts *out)
{
	const char *k;
	json_t *v;
	size_t i;
	memset(out, 0, sizeof(*out));
	if (json_is_object(set))
		json_object_foreach (set, k, v)
			verdict_counts_add(out, verdict_status(v));
	else
		json_array_foreach (set, i, v)
			verdict_counts_add(out, verdict_status(v));
}

int
verdict_conformant(const struct verdict_counts *c)
{
	return c->n[ST_FAIL] == 0 && c->n[ST_ERROR] == 0;
}

int
verdict_repo_conformant(const struct verdict_counts *c)
{
	return verdict_counts_total(c) > 0 && verdict_conformant(c);
}

double
verdict_conformance(const struct verdict_counts *c)
{
	size_t all = c->n[ST_PASS] + c->n[ST_FAIL] + c->n[ST_WARN] + c->n[ST_ERROR];
	return all ? (double)c->n[ST_PASS] / (double)all : -1;
}

json_t *
verdict_counts_json(const struct verdict_counts *c)
{
	json_t *o = json_object();
	for (int s = 0; s < ST_COUNT; s++)
		json_object_set_new(o, rule_status_name((enum rule_status)s),
		                    json_integer((json_int_t)c->n[s]));
	return o;
}

json_t *
verdict_count_json(json_t *set)
{
	struct verdict_counts c;
	verdict_count(set, &c);
	return verdict_counts_json(&c);
}

const char *
verdict_clause_top(const char *clause, char *buf, size_t size)
{
	const char *c = clause ? clause : "";
	size_t n = strcspn(c, ".");
	if (size == 0)
		return buf;
	if (n >= size)
		n = size - 1;
	memcpy(buf, c, n);
	buf[n] = '\0';
	return buf;
}

const char *
verdict_group_key(const char *clause, const char *theme, char *buf, size_t size)
{
	if (theme) {
		snprintf(buf, size, "%s", theme);
		return buf;
	}
	return verdict_clause_top(clause, buf, size);
}

/* v's key by `by` into buf, or NULL when it has none. */
static const char *
key_of(json_t *v, enum verdict_by by, char *buf, size_t size)
{
	const char *s;
	switch (by) {
	case VERDICT_BY_GROUP: return json_string_value(json_object_get(v, "group"));
	case VERDICT_BY_CLAUSE:
		s = json_string_value(json_object_get(v, "clause"));
		return s ? verdict_clause_top(s, buf, size) : NULL;
	case VERDICT_BY_THEME: return json_string_value(json_object_get(v, "theme"));
	}
	return NULL;
}

void
verdict_count_where(json_t *set, enum verdict_by by, const char *key, struct verdict_counts *out)
{
	const char *id, *k;
	char buf[64];
	json_t *v;
	size_t i;
	memset(out, 0, sizeof(*out));
	if (json_is_object(set)) {
		json_object_foreach (set, id, v)
			if ((k = key_of(v, by, buf, sizeof(buf))) != NULL && strcmp(k, key) == 0)
				verdict_counts_add(out, verdict_status(v));
	} else {
		json_array_foreach (set, i, v)
			if ((k = key_of(v, by, buf, sizeof(buf))) != NULL && strcmp(k, key) == 0)
				verdict_counts_add(out, verdict_status(v));
	}
}

/* Count v into its group of g. */
static void
group_add(json_t *g, json_t *v, enum verdict_by by)
{
	char buf[64];
	const char *k = key_of(v, by, buf, sizeof(buf));
	int st = verdict_status(v);
	if (k == NULL || st < 0)
		return;
	json_t *c = json_object_get(g, k);
	if (c == NULL) {
		struct verdict_counts zero = { 0 };
		c = verdict_counts_json(&zero);
		json_object_set_new(g, k, c);
	}
	const char *name = rule_status_name((enum rule_status)st);
	json_object_set_new(c, name,
	                    json_integer(json_integer_value(json_object_get(c, name)) + 1));
}

json_t *
verdict_groups(json_t *set, enum verdict_by by)
{
	json_t *g = json_object(), *v, *c;
	const char *k;
	size_t i;
	if (json_is_object(set))
		json_object_foreach (set, k, v)
			group_add(g, v, by);
	else
		json_array_foreach (set, i, v)
			group_add(g, v, by);
	json_object_foreach (g, k, c) {
		struct verdict_counts n = { 0 };
		for (int s = 0; s < ST_COUNT; s++)
			n.n[s] = (size_t)json_integer_value(
			        json_object_get(c, rule_status_name((enum rule_status)s)));
		double share = verdict_conformance(&n);
		json_object_set_new(c, "conformance", share < 0 ? json_null() : json_real(share));
	}
	return g;
}

/* Whether key k is part of what a verdict says (not what the rule read). */
static int
said(const char *k)
{
	return strcmp(k, "reads") != 0 && strcmp(k, "patterns") != 0;
}

int
verdict_equal(json_t *a, json_t *b)
{
	const char *k;
	json_t *v;
	size_t na = 0, nb = 0;
	if (a == b)
		return 1;
	if (!json_is_object(a) || !json_is_object(b))
		return json_equal(a, b);
	json_object_foreach (a, k, v) {
		if (!said(k))
			continue;
		na++;
		if (!json_equal(v, json_object_get(b, k)))
			return 0;
	}
	json_object_foreach (b, k, v)
		nb += said(k);
	return na == nb;
}

size_t
verdict_diff(json_t *prev, json_t *next, json_t **changed, json_t **olds, json_t **removed)
{
	json_t *seen = json_object(), *v, *old;
	const char *id;
	size_t i;
	*changed = json_array();
	*olds = json_array();
	*removed = json_array();
	json_array_foreach (next, i, v) {
		id = json_string_value(json_object_get(v, "id"));
		if (id)
			json_object_set_new(seen, id, json_true());
		old = id ? json_object_get(prev, id) : NULL;
		if (old == NULL || (old != v && !verdict_equal(old, v))) {
			json_array_append(*changed, v);
			json_array_append(*olds, old ? old : json_null());
		}
	}
	json_object_foreach (prev, id, v)
		if (!json_object_get(seen, id))
			json_array_append_new(*removed, json_string(id));
	json_decref(seen);
	return json_array_size(*changed) + json_array_size(*removed);
}

/* Whether b holds an item equal to x: by its text in seen when there is
 * one (see minus), else by comparing. */
static int
holds(json_t *b, json_t *seen, json_t *x)
{
	if (seen) {
		char *k = json_dumps(x, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		int in = k && json_object_get(seen, k) != NULL;
		free(k);
		return in;
	}
	size_t k;
	json_t *y;
	json_array_foreach (b, k, y)
		if (json_equal(x, y))
			return 1;
	return 0;
}

/* Items of a not in b. A rule that runs again gives its findings in the
 * same order as before, with few added or gone: the items that match
 * at the same place from either end are skipped, and only the rest is
 * looked for in b, by comparing when that is little work and through a
 * set of b's items as text when it is not (thousands of findings of one
 * rule would make comparing each with each take seconds). */
static json_t *
minus(json_t *a, json_t *b)
{
	json_t *out = json_array(), *seen = NULL;
	size_t na = json_array_size(a), nb = json_array_size(b), lo = 0, hi = na;
	while (lo < na && lo < nb && json_equal(json_array_get(a, lo), json_array_get(b, lo)))
		lo++;
	while (hi > lo && nb - (na - hi) > lo &&
	       json_equal(json_array_get(a, hi - 1), json_array_get(b, nb - (na - hi) - 1)))
		hi--;
	if ((hi - lo) * nb > 4096) {
		seen = json_object();
		for (size_t i = 0; i < nb; i++) {
			char *k = json_dumps(json_array_get(b, i),
			                     JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
			if (k)
				json_object_set_new(seen, k, json_true());
			free(k);
		}
	}
	for (size_t i = lo; i < hi; i++)
		if (!holds(b, seen, json_array_get(a, i)))
			json_array_append(out, json_array_get(a, i));
	json_decref(seen);
	return out;
}

int
verdict_findings_diff(json_t *old, json_t *now, json_t **added, json_t **resolved)
{
	json_t *of = json_object_get(old, "findings"), *nf = json_object_get(now, "findings");
	*added = minus(nf, of);
	*resolved = minus(of, nf);
	return json_array_size(*added) || json_array_size(*resolved);
}

void
verdict_apply(json_t *set, json_t *diff)
{
	json_t *v;
	size_t i;
	if (!json_is_object(set))
		return;
	if (json_is_true(json_object_get(diff, "full")))
		json_object_clear(set);
	json_array_foreach (json_object_get(diff, "changed"), i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));
		if (id)
			json_object_set(set, id, v);
	}
	json_array_foreach (json_object_get(diff, "removed"), i, v)
		if (json_is_string(v))
			json_object_del(set, json_string_value(v));
}

json_t *
verdict_list(json_t *set)
{
	if (json_is_array(set))
		return json_incref(set);
	json_t *a = json_array(), *v;
	const char *k;
	if (json_is_object(set))
		json_object_foreach (set, k, v)
			json_array_append(a, v);
	return a;
}
