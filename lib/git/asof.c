/* asof.c - a repository as of an instant: the commit that was the head
 * of a ref then, along the ref's first-parent history (the commits the
 * ref itself pointed at, as a branch that merges others moves), and the
 * list of those commits for sampling a trend. A piece of the snapshot
 * module (snapshot_int.h). */
#include "snapshot.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "err.h"
#include "gitcache.h"
#include "snapshot_int.h"

int
snapshot_first_parents(const char *repo, const char *ref, struct snapshot_point **out, size_t *n)
{
	git_repository *r = NULL;
	git_commit *c = NULL;
	*out = NULL;
	*n = 0;
	if (snapshot_open(repo, &r) < 0)
		return -1;
	if (snapshot_unborn(r)) {
		gitcache_close(r);
		return 0;
	}
	if (snapshot_resolve(r, repo, ref ? ref : "HEAD", &c) < 0) {
		gitcache_close(r);
		return -1;
	}
	size_t cap = 0;
	while (c != NULL) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = xreallocarray(*out, cap, sizeof(**out));
		}
		struct snapshot_point *p = &(*out)[(*n)++];
		git_oid_tostr(p->commit, sizeof(p->commit), git_commit_id(c));
		p->time = (int64_t)git_commit_time(c);
		git_commit *parent = NULL;
		/* A missing parent (a shallow clone) ends the history there. */
		if (git_commit_parentcount(c) > 0 && git_commit_parent(&parent, c, 0) < 0)
			parent = NULL;
		git_commit_free(c);
		c = parent;
	}
	gitcache_close(r);
	return 0;
}

int
snapshot_asof(const char *repo, const char *ref, int64_t when, struct snapshot_point *out)
{
	struct snapshot_point *v;
	size_t n;
	if (snapshot_first_parents(repo, ref, &v, &n) < 0)
		return -1;
	int found = 0;
	/* Newest first: the first commit made by then was the head then. */
	for (size_t i = 0; i < n && !found; i++)
		if (v[i].time <= when) {
			*out = v[i];
			found = 1;
		}
	free(v);
	return found;
}
