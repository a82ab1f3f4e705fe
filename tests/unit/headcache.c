/* headcache.c - tests for the head cache: heads found by repository and
 * commit, the least recently used let go past the budget, the last put
 * always kept, holds valid after the cache lets go, and several threads
 * at once. Models are built from records in memory. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "headcache.h"
#include "model.h"
#include "plainsnap.h"
#include "tap.h"
#include "alloc.h"

static const char *const paths[] = { "isms.yaml", "risks.yaml" };
static const char *const data[] = {
	"organisation:\n  name: Example\ntimezone: UTC\n",
	"risks:\n  - id: R1\n    title: laptop theft\n  - id: R2\n    title: phishing\n",
};

/* A head of commit c: a snapshot and its model, one reference. */
static struct model_hold *
head(const char *c)
{
	struct snapshot *s = plainsnap_memory(paths, data, 2, 1700000000, "test");
	struct model *m = NULL;
	snprintf(s->commit, sizeof(s->commit), "%s", c);
	if (model_build(s, &m) < 0)
		return NULL;
	return model_hold_new(s, m);
}

static int keys[4];

static void *
hammer(void *arg)
{
	struct headcache *c = arg;
	for (int i = 0; i < 200; i++) {
		struct model_hold *h = head("cccc");
		headcache_put(c, &keys[i % 4], h);
		model_hold_drop(h);
		model_hold_drop(headcache_get(c, &keys[(i + 1) % 4], NULL));
	}
	return NULL;
}

int
main(void)
{
	struct model_hold *a = head("aaaa"), *b = head("bbbb");
	ok(a && b, "two heads built");
	size_t one = model_hold_bytes(a);
	ok(one > strlen(data[0]) + strlen(data[1]), "a head counts its files and records (%zu bytes)",
	   one);

	struct headcache *c = headcache_new(one * 3);
	ok(headcache_get(c, &keys[0], NULL) == NULL, "nothing is kept at first");
	headcache_put(c, &keys[0], a);
	headcache_put(c, &keys[1], b);
	struct model_hold *g = headcache_get(c, &keys[0], "aaaa");
	ok(g == a, "a head is found by repository and commit");
	model_hold_drop(g);
	ok(headcache_get(c, &keys[0], "bbbb") == NULL, "not for another commit");
	g = headcache_get(c, &keys[1], NULL);
	ok(g == b, "or for any commit");
	model_hold_drop(g);
	struct headcache_stats st;
	headcache_stats(c, &st);
	is_int(st.kept, 2, "two heads kept");
	is_int(st.hits, 2, "two hits");
	is_int(st.misses, 2, "two misses");

	/* A third and a fourth pass the budget: the least recently used go. */
	struct model_hold *x = head("xxxx"), *y = head("yyyy");
	headcache_put(c, &keys[2], x);
	headcache_put(c, &keys[3], y);
	headcache_stats(c, &st);
	ok(st.bytes <= st.budget, "the bytes kept fit the budget (%zu of %zu)", st.bytes,
	   st.budget);
	ok(headcache_get(c, &keys[0], NULL) == NULL, "the least recently used went first");
	g = headcache_get(c, &keys[3], "yyyy");
	ok(g == y, "the last put is kept");
	model_hold_drop(g);
	ok(strcmp(a->snap->commit, "aaaa") == 0 && a->m != NULL,
	   "a head let go stays valid for its holders");

	/* A new head of a repository replaces its old one. */
	struct model_hold *y2 = head("yyy2");
	headcache_put(c, &keys[3], y2);
	ok(headcache_get(c, &keys[3], "yyyy") == NULL, "the old head of a repository is replaced");
	g = headcache_get(c, &keys[3], "yyy2");
	ok(g == y2, "by its new one");
	model_hold_drop(g);

	/* A budget of 0 keeps only the last head put. */
	headcache_set_budget(c, 0);
	headcache_stats(c, &st);
	is_int(st.kept, 1, "a budget of 0 keeps one head");
	headcache_put(c, &keys[1], b);
	ok(headcache_get(c, &keys[3], NULL) == NULL, "the one before goes");
	g = headcache_get(c, &keys[1], "bbbb");
	ok(g == b, "the one put stays, however large");
	model_hold_drop(g);

	/* A hold with no model is not kept, and drops the old head. */
	struct model_hold *none = model_hold_new(NULL, NULL);
	headcache_put(c, &keys[1], none);
	ok(headcache_get(c, &keys[1], NULL) == NULL, "a commit that is no ISMS keeps nothing");
	model_hold_drop(none);
	headcache_forget(c, &keys[1]);

	/* Threads putting and getting at once (ASan, TSan). */
	headcache_set_budget(c, one * 2);
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, hammer, c);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	headcache_stats(c, &st);
	ok(st.kept >= 1 && st.bytes <= st.budget + one, "threads leave the cache within its budget");
	headcache_forget(c, &keys[0]);
	headcache_forget(c, &keys[1]);

	model_hold_drop(a);
	model_hold_drop(b);
	model_hold_drop(x);
	model_hold_drop(y);
	model_hold_drop(y2);
	headcache_free(c);
	return done_testing();
}
