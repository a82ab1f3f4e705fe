/* treediff.h - the paths that differ between two commits (a tree-to-tree
 * diff), for incremental evaluation. */
#ifndef ISMS_TREEDIFF_H
#define ISMS_TREEDIFF_H

#include <stddef.h>

/* Changed paths between commits old_commit (NULL or "": none, so every
 * path of new) and new_commit (NULL or "": HEAD) of repo; *paths is the
 * caller's (free each, then the array). Returns 0, or -1 with
 * err_msg(). */
int treediff_paths(const char *repo, const char *old_commit, const char *new_commit, char ***paths,
                   size_t *n);

#endif
