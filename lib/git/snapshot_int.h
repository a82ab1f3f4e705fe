/* snapshot_int.h - what the pieces of the snapshot loader share:
 * snapshot.c (opening, trees, commits, the interface), worktree.c (a
 * work tree), history.c (the last change of every file) and treediff.c
 * (changed paths between commits). Not for use outside lib/git. Each
 * function's prefix names the file that defines it. The snapshot types
 * are only declared here, so that the pieces lean on snapshot.h and not
 * the other way round. */
#ifndef ISMS_SNAPSHOT_INT_H
#define ISMS_SNAPSHOT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "buf.h"
#include "cdefs.h"

/* Deeper directory nesting than this is reported, not followed. */
#define MAX_DEPTH 256

struct snapshot;
struct snapshot_file;

/* A blob of the commit a work tree is compared with. */
struct hent {
	char *path;
	git_oid id;
};

struct load {
	git_repository *repo;
	git_odb *odb;
	const char *repopath;
	struct snapshot *s;
	size_t cap; /* of s->files */
	size_t max_blob, max_files;
	size_t skipped;              /* regular files past max_files */
	struct buf path;             /* current repository-relative path */
	const struct snapshot *prev; /* snapshot_update: contents to reuse */
	int defer;                   /* check record blobs' headers only; read them later */
	/* A blob that is there but cannot be read (a damaged object, looseguard.h):
	 * the repository is corrupt, and the load fails rather than go on
	 * without the file as if it had been removed. */
	char *damage;
	/* work-tree mode */
	int root;         /* directory fd of the work tree */
	git_index *index; /* the work tree's index, when it is the repository's */
	int64_t index_mtime;
	struct hent *head; /* HEAD's blobs, sorted by path */
	size_t nhead, headcap;
};

/* Set the error message to fmt, followed by libgit2's last error;
 * returns -1. */
/* snapshot.c */

int snapshot_git_err(const char *fmt, ...) PRINTF(1, 2);
/* Open the repository at path: a work tree, its .git, or a bare one,
 * with its loose objects guarded; release with gitcache_close. */
int snapshot_open(const char *path, git_repository **out);
/* 1 when the repository's HEAD has no commit yet. */
int snapshot_unborn(git_repository *r);
/* Resolve spec to a commit; *out is the caller's. */
int snapshot_resolve(git_repository *r, const char *path, const char *spec, git_commit **out);

/* 1 when the file name has a record extension, in any letter case. */
int snapshot_is_record(const char *path);
/* Report a file over the size limit. */
void snapshot_too_big(struct snapshot *s, const char *path, uint64_t size, size_t max);
/* Append name to the current path; returns the old length to restore
 * with snapshot_path_pop. */
size_t snapshot_path_push(struct load *l, const char *name);
void snapshot_path_pop(struct buf *b, size_t len);
/* Report a name that is not valid UTF-8 under the current path. */
void snapshot_bad_name(struct load *l, const char *name);
/* Take a slot for the file at the current path, or NULL over the cap. */
struct snapshot_file *snapshot_new_file(struct load *l);
/* Give f a NUL-terminated copy of blob o's contents, and free o. */
void snapshot_take_blob(struct snapshot_file *f, git_odb_object *o);
/* Drop the file most recently taken with snapshot_new_file. */
void snapshot_drop_last(struct load *l);
/* Sort the files by path and drop repeated paths (a malformed tree). */
void snapshot_sort_files(struct snapshot *s);
/* Report the files left out by the file count cap. */
void snapshot_report_skipped(struct load *l);

/* history.c */

/* Fill in the last change of every file of s that has a blob id, walking
 * the history of r (at repopath, for messages) from commit head. An
 * incomplete history is reported in s's problems. Returns 0, or -1 with
 * err_msg(). */
int history_walk(git_repository *r, const char *repopath, const git_oid *head, struct snapshot *s);
/* The commits from n back to a, newest first, a excluded, into *v (the
 * caller's); 0, or 1 when n does not reach a along single-parent commits
 * within a bound, or -1 on error. */
int history_chain(git_repository *r, const git_oid *a, const git_oid *n, git_oid **v, size_t *nv);
/* Fill in the last change of every file of s from the commits v (newest
 * first, from history_chain; the last one's parent is a) and prev, the
 * snapshot at a. 0, 1 when prev cannot answer for some file, or -1 on
 * error. */
int history_update(git_repository *r, const char *repopath, const git_oid *v, size_t nv,
                   const git_oid *a, struct snapshot *s, const struct snapshot *prev);
/* 1 when prev can be updated: a commit's snapshot with a complete
 * history. */
int history_reusable(const struct snapshot *prev);

/* worktree.c */

/* Load the files of directory wt into l->s, with history from ref: a
 * file whose contents differ from ref has no blob id and its
 * modification time. Returns 0, or -1 with err_msg(). */
int worktree_load(struct load *l, const char *ref, const char *wt);

#endif
