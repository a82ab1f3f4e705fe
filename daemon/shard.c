/* shard.c - which repositories this member of a fleet serves (shard.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "shard.h"

static int
read_uint(const char *s, const char *end, unsigned *out)
{
	if (s == end || end - s > 9)
		return -1;
	unsigned v = 0;
	for (const char *p = s; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	*out = v;
	return 0;
}

int
shard_parse(const char *s, unsigned *index, unsigned *count)
{
	const char *slash = strchr(s, '/');
	unsigned i, n;
	if (slash == NULL || read_uint(s, slash, &i) < 0 ||
	    read_uint(slash + 1, slash + strlen(slash), &n) < 0)
		return err_set("shard '%s' must be INDEX/COUNT, such as 0/3", s);
	if (n < 1 || n > SHARD_MAX || i >= n)
		return err_set("shard '%s': the index counts from 0 and must be below the count "
		               "(at most %d)",
		               s, SHARD_MAX);
	*index = i, *count = n;
	return 0;
}

unsigned
shard_of(const char *name, unsigned count)
{
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	/* Lamping and Veach, "A fast, minimal memory, consistent hash". */
	int64_t b = -1, j = 0;
	while (j < (int64_t)count) {
		b = j;
		h = h * 2862933555777941757ULL + 1;
		j = (int64_t)((double)(b + 1) * ((double)(1LL << 31) / (double)((h >> 33) + 1)));
	}
	return (unsigned)b;
}

/* The index in env: "I/N", "I", or a name ending in "-I". */
static int
env_shard(const char *env, struct config *c)
{
	unsigned i, n;
	if (strchr(env, '/'))
		return shard_parse(env, &c->shard_index, &c->shard_count);
	const char *dash = strrchr(env, '-');
	const char *num = dash ? dash + 1 : env;
	if (read_uint(num, num + strlen(num), &i) < 0)
		return err_set("ISMSD_SHARD '%s' must be INDEX/COUNT, INDEX, or a name ending "
		               "in -INDEX (a StatefulSet pod)",
		               env);
	n = c->shard_count;
	if (n < 1)
		return err_set("ISMSD_SHARD '%s' gives only the index: set the count in the "
		               "configuration (shard: 0/N)",
		               env);
	if (i >= n)
		return err_set("ISMSD_SHARD '%s': index %u is not below the count %u", env, i, n);
	c->shard_index = i;
	return 0;
}

int
shard_apply(struct config *c, struct problems *errs)
{
	const char *env = getenv("ISMSD_SHARD");
	const char *f = c->file ? c->file : "ISMSD_SHARD";
	c->shard_index = 0, c->shard_count = 0;
	if (c->shard && shard_parse(c->shard, &c->shard_index, &c->shard_count) < 0) {
		problems_add(errs, f, c->shard_line, "%s", err_msg());
		return -1;
	}
	if (env && *env && env_shard(env, c) < 0) {
		problems_add(errs, f, 0, "%s", err_msg());
		return -1;
	}
	c->shard_others = 0;
	if (c->shard_count <= 1)
		return 0;
	size_t k = 0;
	for (size_t i = 0; i < c->nrepos; i++) {
		struct repo_conf *r = &c->repos[i];
		if (r->from_flag || r->name == NULL ||
		    shard_of(r->name, c->shard_count) == c->shard_index)
			c->repos[k++] = *r;
		else {
			config_repo_free(r);
			c->shard_others++;
		}
	}
	c->nrepos = k;
	return 0;
}

void
shard_export(const struct config *c)
{
	char s[32];
	setenv("ISMS_SOCKET", c->socket, 1);
	if (c->shard_count > 1) {
		snprintf(s, sizeof(s), "%u/%u", c->shard_index, c->shard_count);
		setenv("ISMSD_SHARD", s, 1);
		log_info("shard %s: serving %zu repositories, %zu belong to other shards", s,
		         c->nrepos, c->shard_others);
	}
}
