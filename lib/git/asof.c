/* asof.c - a repository as of an instant: the commit that was the head
 * of a ref then, along the ref's first-parent history (the commits the
 * ref itself pointed at, as a branch that merges others moves), and the
 * list of those commits for sampling a trend. A piece of the snapshot
 * module (snapshot_int.h). */
#include "snapshot.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "date.h"
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

int
snapshot_asof_spec(const char *repo, const char *ref, const char *spec, char commit[41],
                   int64_t *now)
{
	struct snapshot_point *v = NULL;
	size_t n = 0;
	struct ymd d;
	int has_time;
	if (date_parse(spec, "UTC", &d, now, &has_time) == 0) {
		if (!has_time)
			*now = date_days(d) * 86400 + (int64_t)12 * 3600;
		if (snapshot_first_parents(repo, ref, &v, &n) < 0)
			return -1;
		/* Newest first: the first commit made by then was the head then. */
		size_t i = 0;
		while (i < n && v[i].time > *now)
			i++;
		if (i == n) {
			char first[21] = "";
			if (n > 0)
				date_format_utc(v[n - 1].time, first);
			err_set("%s has no commit on %s or before: %s%s", ref ? ref : "HEAD", spec,
			        n ? "its first commit is from " : "it has no commits yet", first);
			free(v);
			return 0;
		}
		snprintf(commit, 41, "%s", v[i].commit);
		free(v);
		return 1;
	}
	/* A commit (or any revision): evaluated with the clock at its time. */
	if (snapshot_first_parents(repo, spec, &v, &n) < 0) {
		char why[512]; /* err_set writes where err_msg points */
		snprintf(why, sizeof(why), "%s", err_msg());
		err_set("'%s' is neither a date (2026-03-01) nor a commit: %s", spec, why);
		return 0;
	}
	if (n == 0) {
		free(v);
		err_set("'%s': no such commit", spec);
		return 0;
	}
	snprintf(commit, 41, "%s", v[0].commit);
	*now = v[0].time;
	free(v);
	return 1;
}
