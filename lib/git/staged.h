/* staged.h - a snapshot of what the next commit would hold: the files of
 * a repository's index (staged content), not of its work tree, with
 * history from HEAD. The pre-commit hook checks this, so that a bad change
 * staged and then reverted in the work tree is still seen, and a bad edit
 * left unstaged is not. */
#ifndef ISMS_STAGED_H
#define ISMS_STAGED_H

#include "snapshot.h"

/* Load the index of repo (a work tree or its .git; not a bare
 * repository), or the index file at path index when not NULL (git gives
 * hooks a temporary one in GIT_INDEX_FILE for `git commit -a` or
 * `git commit PATH`). A file staged as it is at HEAD keeps its blob id and last
 * change; a file staged with other content has no blob id and no commit,
 * and the time it was staged. Files with unresolved merge conflicts,
 * symbolic links and submodules are reported, not loaded. *out is the
 * caller's (snapshot_free), its ref "index". Returns 0 or -1 with
 * err_msg(). */
int staged_load(const char *repo, const char *index, const struct snapshot_limits *lim,
                struct snapshot **out);

#endif
