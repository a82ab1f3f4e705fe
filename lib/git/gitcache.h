/* gitcache.h - opening a repository with libgit2, once per job. Evaluating
 * a commit resolves the head, walks the ancestry, diffs the trees and
 * loads the files, each step by path; every open reads the repository's
 * configuration and pack indexes again and starts with an empty object
 * cache. Between gitcache_session_begin and gitcache_session_end, a thread
 * that opens the same path again gets the handle it already holds.
 * Outside a session every open is a new handle. A handle is only ever
 * used by the thread that opened it. */
#ifndef ISMS_GITCACHE_H
#define ISMS_GITCACHE_H

#include <git2.h>

/* git_repository_open_ext(path, NO_SEARCH) with its loose objects
 * guarded (looseguard.h), or this thread's session handle of path. Returns
 * libgit2's code: 0, or < 0 with git_error_last() set. Release with
 * gitcache_close. */
int gitcache_open(git_repository **out, const char *path);
/* Let go of r: freed unless it is the session's handle. */
void gitcache_close(git_repository *r);

void gitcache_session_begin(void);
/* Free the session's handle; later opens are new handles again. */
void gitcache_session_end(void);

#endif
