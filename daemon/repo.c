/* repo.c - ISMS repositories the daemon serves: libgit2 helpers for the
 * evaluation thread (resolve, mirror, ancestry) and the published state.
 * Noticing their changes is watch.c's. */
#include "repo.h"

#include <errno.h>
#include <git2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "gitcache.h"
#include "looseguard.h"
#include "mirror.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"
#include "verdict.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
init_git(void)
{
	git_libgit2_init();
}

static int
gerr(const char *what)
{
	const git_error *e = git_error_last();
	return err_set("%s: %s", what, e && e->message ? e->message : "unknown error");
}

const char *
repo_health_name(enum repo_health h)
{
	static const char *const names[] = {
		"pending",     "ok",       "vanished", "corrupt",
		"unreachable", "not_isms", "empty",    "removed",
	};
	return (size_t)h < NELEM(names) ? names[h] : "?";
}

int
repo_resolve(const char *path, const char *ref, char out[41], int *unborn)
{
	git_repository *r = NULL;
	git_object *o = NULL;
	int rc = -1;
	if (unborn)
		*unborn = 0;
	pthread_once(&once, init_git);
	if (access(path, F_OK) < 0)
		return err_set("the repository %s is gone: %s", path, strerror(errno));
	if (gitcache_open(&r, path) < 0) {
		char *gd = repo_gitdir_of(path), *sub = xasprintf("%s/refs", gd);
		if (access(sub, F_OK) < 0 && errno == ENOENT)
			err_set("the repository %s has lost its refs directory (%s is missing), "
			        "where git keeps its branches: restore it or clone the repository "
			        "again",
			        path, sub);
		else
			gerr(path);
		free(sub);
		free(gd);
		goto out;
	}
	if (git_revparse_single(&o, r, ref ? ref : "HEAD") < 0) {
		/* HEAD names a branch with no commit yet: nothing is wrong. */
		if (git_repository_head_unborn(r) == 1 &&
		    (ref == NULL || strcmp(ref, "HEAD") == 0 || git_repository_is_empty(r) == 1)) {
			if (unborn)
				*unborn = 1;
			err_set("the repository %s has no commits yet", path);
		} else {
			gerr(ref ? ref : "HEAD");
		}
		goto out;
	}
	git_object *c = NULL;
	if (git_object_peel(&c, o, GIT_OBJECT_COMMIT) < 0) {
		gerr(ref ? ref : "HEAD");
		goto out;
	}
	git_oid_tostr(out, 41, git_object_id(c));
	git_object_free(c);
	rc = 0;
out:
	git_object_free(o);
	gitcache_close(r);
	return rc;
}

int
repo_commit_time(const char *path, const char *commit, int64_t *out)
{
	git_repository *r = NULL;
	git_commit *c = NULL;
	git_oid id;
	pthread_once(&once, init_git);
	int rc = gitcache_open(&r, path) < 0 || git_oid_fromstr(&id, commit) < 0 ||
	                         git_commit_lookup(&c, r, &id) < 0
	                 ? gerr(commit)
	                 : 0;
	if (rc == 0)
		*out = (int64_t)git_commit_time(c);
	git_commit_free(c);
	gitcache_close(r);
	return rc;
}

int
repo_descends(const char *path, const char *old, const char *new_)
{
	git_repository *r = NULL;
	git_oid a, b;
	int rc = -1;
	pthread_once(&once, init_git);
	if (strcmp(old, new_) == 0)
		return 1;
	if (gitcache_open(&r, path) < 0)
		return gerr(path);
	if (git_oid_fromstr(&a, old) < 0 || git_oid_fromstr(&b, new_) < 0) {
		gerr("commit id");
		goto out;
	}
	rc = git_graph_descendant_of(r, &b, &a);
	if (rc < 0)
		gerr(path);
out:
	gitcache_close(r);
	return rc;
}

int
repo_mirror(const char *url, const char *dir)
{
	return mirror_fetch(url, dir);
}

char *
repo_gitdir_of(const char *path)
{
	char *dotgit = xasprintf("%s/.git", path);
	struct stat st;
	if (stat(dotgit, &st) == 0 && S_ISDIR(st.st_mode))
		return dotgit;
	free(dotgit);
	return xstrdup(path);
}

void
repo_apply(struct repo *r, json_t *data)
{
	const char *commit = json_string_value(json_object_get(data, "commit"));
	const char *at = json_string_value(json_object_get(data, "evaluated_at"));
	if (r->results == NULL)
		r->results = json_object();
	verdict_apply(r->results, data);
	if (commit)
		snprintf(r->commit, sizeof(r->commit), "%s", commit);
	if (at)
		date_parse(at, "UTC", NULL, &r->evaluated_at, NULL);
	json_t *ct = json_object_get(data, "commit_time");
	if (json_is_integer(ct))
		r->commit_time = json_integer_value(ct);
	const char *org = json_string_value(json_object_get(data, "organisation"));
	if (org) {
		free(r->organisation);
		r->organisation = xstrdup(org);
	}
}
