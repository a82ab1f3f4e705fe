/* mirror.h - a bare mirror of a remote repository: its branches and tags
 * fetched into a local bare repository, HEAD at the remote's default
 * branch. The daemon keeps one per served URL in its state directory;
 * `ismsctl check --repo URL` makes a temporary one. Any thread, one
 * mirror at a time per directory. */
#ifndef ISMS_MIRROR_H
#define ISMS_MIRROR_H

/* Create the bare repository dir if it is not one, and fetch url's
 * branches and tags into it (pruning what the remote deleted). Returns 0
 * or -1 with err_msg(). */
int mirror_fetch(const char *url, const char *dir);
/* Whether s names a remote repository rather than a path: a URL with a
 * scheme (file://, https://, ssh://, git://). */
int mirror_is_url(const char *s);
/* Mirror url into a new temporary directory under $TMPDIR; *dir is the
 * caller's (free), to remove with mirror_remove. Returns 0 or -1 with
 * err_msg(), nothing left behind. */
int mirror_temp(const char *url, char **dir);
/* Remove the directory tree dir (a temporary mirror). */
void mirror_remove(const char *dir);

#endif
