/* gitcache.c - one libgit2 handle per repository and job; see gitcache.h. */
#include "gitcache.h"

#include <stdlib.h>
#include <string.h>

#include "looseguard.h"
#include "alloc.h"
#include "err.h"

/* This thread's session: whether one is open, and the handle it keeps. */
static _Thread_local int in_session;
static _Thread_local char *session_path;
static _Thread_local git_repository *session_repo;

int
gitcache_open(git_repository **out, const char *path)
{
	if (in_session && session_repo && strcmp(session_path, path) == 0) {
		*out = session_repo;
		return 0;
	}
	int rc = git_repository_open_ext(out, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (rc == 0 && looseguard_attach(*out) < 0) {
		git_error_set_str(GIT_ERROR_ODB, err_msg());
		git_repository_free(*out);
		*out = NULL;
		return -1;
	}
	if (rc == 0 && in_session && session_repo == NULL) {
		session_repo = *out;
		session_path = xstrdup(path);
	}
	return rc;
}

void
gitcache_close(git_repository *r)
{
	if (r != NULL && r != session_repo)
		git_repository_free(r);
}

void
gitcache_session_begin(void)
{
	in_session = 1;
}

void
gitcache_session_end(void)
{
	git_repository_free(session_repo);
	free(session_path);
	session_repo = NULL;
	session_path = NULL;
	in_session = 0;
}
