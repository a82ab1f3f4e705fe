/* snapshot.h - an ISMS repository at one commit (or a work tree): its record
 * files with their contents and last-change commit, loaded with libgit2. */
#ifndef ISMS_SNAPSHOT_H
#define ISMS_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "problems.h"

struct snapshot_limits {
	size_t max_blob;  /* bytes per file; default 16 MiB */
	size_t max_files; /* files loaded; default 100000 */
};
#define SNAPSHOT_DEFAULT_MAX_BLOB  (16u << 20)
#define SNAPSHOT_DEFAULT_MAX_FILES 100000u
/* The manifest: loaded whatever the file count cap (model.h's
 * MANIFEST_PATH). */
#define SNAPSHOT_MANIFEST "isms.yaml"

struct snapshot_file {
	char *path; /* repository-relative, '/' separated */
	char *data; /* contents, NUL-terminated */
	size_t len;
	char blob[41];   /* blob id (hex); "" for an uncommitted work-tree file */
	char commit[41]; /* commit that last changed it; "" if uncommitted */
	int64_t time;    /* that commit's time (epoch seconds) */
	char *author;    /* that commit's author name, or NULL */
};

/* A loaded snapshot. Files are sorted by path. */
struct snapshot {
	char commit[41]; /* the commit loaded ("" for none, e.g. empty repo) */
	int64_t commit_time;
	char *ref;    /* the ref or revision asked for */
	int worktree; /* nonzero when files come from a work tree */
	struct snapshot_file *files;
	size_t nfiles;
	/* Files not loaded and why (symlink, submodule, over the size cap,
	 * file count cap, name not UTF-8): each becomes a finding. */
	struct problems problems;
};

/* Open repo (a path to a work tree, its .git, or a bare repository) and
 * load the tree of ref (NULL: HEAD). When worktree is not NULL, files are
 * read from that directory instead, and history comes from repo's HEAD.
 * *out is the caller's, freed with snapshot_free. Returns 0 or -1 with
 * err_msg(). */
int snapshot_load(const char *repo, const char *ref, const char *worktree,
                  const struct snapshot_limits *lim, struct snapshot **out);
/* Load commit ref (NULL: HEAD) of repo like snapshot_load with no work
 * tree, reusing prev, a snapshot of an earlier commit of the same
 * repository: the contents of files whose blob id is unchanged are copied
 * from prev instead of read, and the last change of files no commit since
 * prev's touched is taken from prev, so only the new commits are walked.
 * The result is exactly what snapshot_load would give. When prev cannot be
 * reused (NULL, a work tree, a history that is incomplete, or the new
 * commit does not descend from prev's along single-parent commits, such
 * as across a merge or after a force-push) the commit is loaded in full.
 * prev is only read and stays the caller's; *out is the caller's, freed
 * with snapshot_free, and shares nothing with prev. Returns 0 or -1 with
 * err_msg(). */
int snapshot_update(const struct snapshot *prev, const char *repo, const char *ref,
                    const struct snapshot_limits *lim, struct snapshot **out);
void snapshot_free(struct snapshot *s);
/* Let go of the files' contents (data NULL, len 0), for a caller that has
 * parsed what it needs: the parsed records copy what they keep. The
 * snapshot can then no longer be parsed again or passed as prev to
 * snapshot_update. */
void snapshot_drop_contents(struct snapshot *s);
/* Binary search by path; borrowed pointer or NULL. */
const struct snapshot_file *snapshot_find(const struct snapshot *s, const char *path);

/* A commit of a ref's first-parent history. */
struct snapshot_point {
	char commit[41];
	int64_t time; /* commit time, epoch seconds */
};
/* The first-parent history of ref (NULL: HEAD) in repo, newest first:
 * the commits the ref pointed at. *out (the caller's, free) is empty for
 * an unborn HEAD. Returns 0, or -1 with err_msg(). */
int snapshot_first_parents(const char *repo, const char *ref, struct snapshot_point **out,
                           size_t *n);
/* The commit that was the head of ref at instant when: the newest commit
 * of its first-parent history made by then. Returns 1 with *out, 0 when
 * the history starts after when, -1 with err_msg(). */
int snapshot_asof(const char *repo, const char *ref, int64_t when, struct snapshot_point *out);
/* The commit to evaluate and the clock for an as-of spec, the one reading
 * of `check --as-of` and the daemon's as_of: a date or date-time (ISO
 * 8601, UTC; a bare date is midday UTC, any zone's same date) gives the
 * head of ref (NULL: HEAD) at that instant along its first parents, and
 * that instant; anything else is taken for a commit, which gives itself
 * and its commit time. Returns 1 with commit and *now; 0 when spec names
 * nothing in repo (a date before its first commit, no such commit), with
 * err_msg() saying which; -1 with err_msg() when repo cannot be read. */
int snapshot_asof_spec(const char *repo, const char *ref, const char *spec, char commit[41],
                       int64_t *now);

#endif
