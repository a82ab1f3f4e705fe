/* worktree.c - a snapshot from the files of a work tree: ignore rules
 * applied, unchanged files told by the index or by hashing, history from
 * the commit the work tree is compared with. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "alloc.h"
#include "buf.h"
#include "err.h"
#include "problems.h"
#include "snapshot.h"
#include "snapshot_int.h"
#include "utf8.h"

/*
 * Loading a work tree.
 */

static int
cmp_hent(const void *a, const void *b)
{
	return strcmp(((const struct hent *)a)->path, ((const struct hent *)b)->path);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Remember a blob of HEAD's tree (a git_tree_walk callback). */
static int
head_entry(const char *root, const git_tree_entry *e, void *arg)
{
	struct load *l = arg;

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	if (l->nhead == l->headcap) {
		l->headcap = l->headcap ? l->headcap * 2 : 64;
		l->head = xreallocarray(l->head, l->headcap, sizeof(*l->head));
	}
	struct hent *h = &l->head[l->nhead++];
	h->path = xasprintf("%s%s", root, git_tree_entry_name(e));
	git_oid_cpy(&h->id, git_tree_entry_id(e));
	return 0;
}

/* The blob HEAD has at path, or NULL. */
static const struct hent *
head_find(const struct load *l, const char *path)
{
	struct hent key = { .path = (char *)path };

	if (l->nhead == 0)
		return NULL;
	return bsearch(&key, l->head, l->nhead, sizeof(*l->head), cmp_hent);
}

/* 1 when HEAD has a blob below directory d. */
static int
head_below(const struct load *l, const char *d)
{
	size_t lo = 0, hi = l->nhead, n = strlen(d);
	char *key = xasprintf("%s/", d);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(l->head[mid].path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	free(key);
	return lo < l->nhead && strncmp(l->head[lo].path, d, n) == 0 && l->head[lo].path[n] == '/';
}

/* 1 when the ignore rules exclude the current path, 0 if not, -1 on
 * error. */
static int
ignored(struct load *l, int dir)
{
	char *p = xasprintf("%s%s", l->path.data, dir ? "/" : "");
	int ig = 0, rc;

	rc = git_ignore_path_is_ignored(&ig, l->repo, p);
	free(p);
	if (rc < 0)
		return snapshot_git_err("cannot apply the ignore rules to %s", l->path.data);
	return ig != 0;
}

/* Point the repository (in memory only) at work tree wt, so that ignore
 * rules and content filters apply there; *same is set when wt is the
 * repository's own work tree, which is then left alone (libgit2 1.5 leaks a
 * buffer when told the work tree it already has). */
static int
use_workdir(git_repository *r, const char *wt, int *same)
{
	const char *cur = git_repository_workdir(r);
	char *real = realpath(wt, NULL);

	*same = 0;
	if (cur && real) {
		size_t n = strlen(real);
		*same = strncmp(cur, real, n) == 0 && (strcmp(cur + n, "/") == 0 || cur[n] == '\0');
	}
	free(real);
	return *same ? 0 : git_repository_set_workdir(r, wt, 0);
}

/* Open the repository's index, to tell unchanged files without reading
 * them; without one, every tracked file is hashed. */
static void
open_index(struct load *l)
{
	struct stat st;

	if (git_repository_index(&l->index, l->repo) < 0) {
		l->index = NULL;
		return;
	}
	if (git_index_path(l->index) == NULL || stat(git_index_path(l->index), &st) < 0) {
		git_index_free(l->index);
		l->index = NULL;
		return;
	}
	l->index_mtime = (int64_t)st.st_mtime;
}

/* 1 when the index shows the file unchanged since it was staged with blob
 * want, as git decides it: same size, inode and times, and not changed in
 * the second the index was written (a "racily clean" entry is hashed). */
static int
index_clean(const struct load *l, const char *path, const struct stat *st, const git_oid *want)
{
	const git_index_entry *e;

	if (l->index == NULL || (e = git_index_get_bypath(l->index, path, 0)) == NULL)
		return 0;
	return git_oid_equal(&e->id, want) && e->file_size == (uint32_t)st->st_size &&
	       e->ino == (uint32_t)st->st_ino && e->mtime.seconds == (int32_t)st->st_mtime &&
	       e->ctime.seconds == (int32_t)st->st_ctime && (int64_t)st->st_mtime < l->index_mtime;
}

/* Read the work-tree file at the current path into f; -1 (with a
 * problem) when it is not loaded. */
static int
read_wfile(struct load *l, struct snapshot_file *f)
{
	struct problems *p = &l->s->problems;
	struct stat st;
	struct buf b = { 0 };
	char chunk[65536];
	ssize_t r;
	int fd, rc = -1;

	fd = openat(l->root, f->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		problems_add(p, f->path, 0,
		             "cannot be read (%s); it is not "
		             "loaded",
		             strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		problems_add(p, f->path, 0,
		             "changed while it was read; it "
		             "is not loaded");
		goto out;
	}
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			problems_add(p, f->path, 0,
			             "cannot be read (%s); it "
			             "is not loaded",
			             strerror(errno));
			goto out;
		}
		if (b.len + (size_t)r > l->max_blob) {
			snapshot_too_big(l->s, f->path, b.len + (size_t)r, l->max_blob);
			goto out;
		}
		buf_add(&b, chunk, (size_t)r);
	}
	f->len = b.len;
	f->data = buf_steal(&b);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	buf_free(&b);
	return rc;
}

/* Add the regular work-tree file at the current path. */
static int
add_wfile(struct load *l, const struct stat *st)
{
	struct snapshot_file *f;
	const struct hent *h = head_find(l, l->path.data);
	git_oid id;

	if ((f = snapshot_new_file(l)) == NULL)
		return 0;
	if (snapshot_is_record(f->path)) {
		if ((uint64_t)st->st_size > l->max_blob) {
			snapshot_too_big(l->s, f->path, (uint64_t)st->st_size, l->max_blob);
			snapshot_drop_last(l);
			return 0;
		}
		if (read_wfile(l, f) < 0) {
			snapshot_drop_last(l);
			return 0;
		}
	}
	if (h && index_clean(l, f->path, st, &h->id)) {
		git_oid_tostr(f->blob, sizeof(f->blob), &h->id);
		return 0;
	}
	if (h && git_repository_hashfile(&id, l->repo, f->path, GIT_OBJECT_BLOB, NULL) < 0) {
		problems_add(&l->s->problems, f->path, 0,
		             "cannot be read "
		             "(%s); it is not loaded",
		             git_error_last() ? git_error_last()->message : "unknown error");
		snapshot_drop_last(l);
		return 0;
	}
	if (h && git_oid_equal(&id, &h->id)) {
		git_oid_tostr(f->blob, sizeof(f->blob), &id);
		return 0;
	}
	f->time = (int64_t)st->st_mtime;
	return 0;
}

/* List the names in the directory at the current path, sorted; *names is
 * the caller's. Returns -1 with errno set. */
static int
list_dir(struct load *l, char ***names, size_t *n)
{
	const char *p = l->path.len ? l->path.data : ".";
	struct dirent *de;
	size_t cap = 0;
	DIR *d;
	int fd;

	*names = NULL;
	*n = 0;
	fd = openat(l->root, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			*names = xreallocarray(*names, cap, sizeof(**names));
		}
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), cmp_str);
	return 0;
}

static int walk_dir(struct load *, int);

/* Load the work-tree directory at the current path, unless it is ignored,
 * too deep or another repository. */
static int
walk_subdir(struct load *l, int depth)
{
	struct stat st;
	char *git;
	int rc;

	if (depth >= MAX_DEPTH) {
		problems_add(&l->s->problems, l->path.data, 0,
		             "is nested "
		             "more than %d directories deep; its contents are not "
		             "loaded",
		             MAX_DEPTH);
		return 0;
	}
	git = xasprintf("%s/.git", l->path.data);
	rc = fstatat(l->root, git, &st, AT_SYMLINK_NOFOLLOW);
	free(git);
	if (rc == 0) {
		problems_add(&l->s->problems, l->path.data, 0,
		             "is a separate "
		             "git repository (a submodule or a clone); its contents "
		             "are not loaded");
		return 0;
	}
	if (!head_below(l, l->path.data) && (rc = ignored(l, 1)) != 0)
		return rc < 0 ? -1 : 0;
	return walk_dir(l, depth + 1);
}

/* Load the work-tree entry at the current path. */
static int
walk_entry(struct load *l, int depth)
{
	struct problems *p = &l->s->problems;
	const char *path = l->path.data;
	struct stat st;
	int rc;

	if (fstatat(l->root, path, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		problems_add(p, path, 0,
		             "cannot be read (%s); it is not "
		             "loaded",
		             strerror(errno));
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		problems_add(p, path, 0,
		             "is a symbolic link; ISMS records "
		             "are not followed through links");
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return walk_subdir(l, depth);
	if (!S_ISREG(st.st_mode)) {
		problems_add(p, path, 0,
		             "is not a regular file (a device, "
		             "socket or pipe); it is not loaded");
		return 0;
	}
	if (head_find(l, path) == NULL && (rc = ignored(l, 0)) != 0)
		return rc < 0 ? -1 : 0;
	return add_wfile(l, &st);
}

/* Load every entry of the work-tree directory at the current path. */
static int
walk_dir(struct load *l, int depth)
{
	char **names;
	size_t n;
	int rc = 0;

	if (list_dir(l, &names, &n) < 0) {
		if (depth == 0)
			return err_set("cannot read the work tree: %s", strerror(errno));
		problems_add(&l->s->problems, l->path.data, 0,
		             "cannot be "
		             "read (%s); its contents are not loaded",
		             strerror(errno));
		return 0;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (strcmp(names[i], ".git") == 0)
			continue;
		if (utf8_valid(names[i], strlen(names[i])) != strlen(names[i])) {
			snapshot_bad_name(l, names[i]);
			continue;
		}
		size_t len = snapshot_path_push(l, names[i]);
		rc = walk_entry(l, depth);
		snapshot_path_pop(&l->path, len);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* Read HEAD's blobs (of commit c) for comparison with the work tree. */
static int
load_head(struct load *l, git_commit *c)
{
	git_tree *t = NULL;
	int rc = -1;

	git_oid_tostr(l->s->commit, sizeof(l->s->commit), git_commit_id(c));
	l->s->commit_time = (int64_t)git_commit_time(c);
	if (git_commit_tree(&t, c) < 0 || git_tree_walk(t, GIT_TREEWALK_PRE, head_entry, l) < 0) {
		snapshot_git_err("cannot read the tree of %s in %s", l->s->commit, l->repopath);
		goto out;
	}
	if (l->nhead > 1)
		qsort(l->head, l->nhead, sizeof(*l->head), cmp_hent);
	rc = 0;
out:
	git_tree_free(t);
	return rc;
}

/* Load the files of directory wt, with history from ref (NULL: HEAD). */
int
worktree_load(struct load *l, const char *ref, const char *wt)
{
	git_commit *c = NULL;
	int rc = -1, same;

	if ((l->root = open(wt, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set("cannot read the work tree %s: %s", wt, strerror(errno));
	if (use_workdir(l->repo, wt, &same) < 0) {
		snapshot_git_err("cannot use %s as the work tree of %s", wt, l->repopath);
		goto out;
	}
	if (same)
		open_index(l);
	if (!(snapshot_unborn(l->repo) && strcmp(ref, "HEAD") == 0) &&
	    (snapshot_resolve(l->repo, l->repopath, ref, &c) < 0 || load_head(l, c) < 0))
		goto out;
	if (walk_dir(l, 0) < 0) {
		err_set("%s (work tree %s)", err_msg(), wt);
		goto out;
	}
	snapshot_report_skipped(l);
	snapshot_sort_files(l->s);
	if (c && history_walk(l->repo, l->repopath, git_commit_id(c), l->s) < 0)
		goto out;
	rc = 0;
out:
	git_commit_free(c);
	for (size_t i = 0; i < l->nhead; i++)
		free(l->head[i].path);
	free(l->head);
	git_index_free(l->index);
	close(l->root);
	return rc;
}
