/* staged.c - a snapshot from the index. */
#include "staged.h"

#include <string.h>

#include <git2.h>

#include "alloc.h"
#include "buf.h"
#include "err.h"
#include "gitcache.h"
#include "problems.h"
#include "snapshot_int.h"
#include "utf8.h"

/* Read the record blob id into f (the last file taken), or report why it
 * is not loaded and drop it. */
static void
read_staged(struct load *l, struct snapshot_file *f, const git_oid *id)
{
	git_odb_object *o = NULL;
	git_object_t type;
	size_t size;

	if (git_odb_read_header(&size, &type, l->odb, id) < 0 || type != GIT_OBJECT_BLOB ||
	    git_odb_read(&o, l->odb, id) < 0) {
		const git_error *e = git_error_last();
		problems_add(&l->s->problems, f->path, 0,
		             "is staged but cannot be read from the repository (%s); it is not "
		             "loaded",
		             e && e->message ? e->message : "not a blob");
		snapshot_drop_last(l);
		return;
	}
	if (size > l->max_blob) {
		snapshot_too_big(l->s, f->path, size, l->max_blob);
		snapshot_drop_last(l);
		git_odb_object_free(o);
		return;
	}
	snapshot_take_blob(f, o);
}

/* Add index entry e; head is HEAD's tree or NULL. */
static void
add_entry(struct load *l, const git_index_entry *e, git_tree *head, const char **conflict)
{
	struct problems *p = &l->s->problems;
	git_tree_entry *te = NULL;

	if (utf8_valid(e->path, strlen(e->path)) != strlen(e->path)) {
		snapshot_bad_name(l, e->path);
		return;
	}
	size_t len = snapshot_path_push(l, e->path);
	const char *path = l->path.data;
	if (GIT_INDEX_ENTRY_STAGE(e) != 0) {
		/* stages 1 to 3 of one path follow each other: report it once */
		if (*conflict == NULL || strcmp(*conflict, e->path) != 0)
			problems_add(p, path, 0,
			             "has unresolved merge conflicts in the index; resolve them "
			             "and stage the result");
		*conflict = e->path;
		goto out;
	}
	switch (e->mode) {
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE: break;
	case GIT_FILEMODE_LINK:
		problems_add(p, path, 0,
		             "is a symbolic link; ISMS records are not followed through links");
		goto out;
	case GIT_FILEMODE_COMMIT:
		problems_add(p, path, 0, "is a submodule; its contents are not loaded");
		goto out;
	default:
		problems_add(p, path, 0, "has an unknown file type (mode %o); it is not loaded",
		             (unsigned)e->mode);
		goto out;
	}
	struct snapshot_file *f = snapshot_new_file(l);
	if (f == NULL)
		goto out;
	if (head && git_tree_entry_bypath(&te, head, e->path) == 0 &&
	    git_oid_equal(git_tree_entry_id(te), &e->id))
		git_oid_tostr(f->blob, sizeof(f->blob), &e->id);
	else
		f->time = (int64_t)e->mtime.seconds;
	if (snapshot_is_record(f->path))
		read_staged(l, f, &e->id);
out:
	git_tree_entry_free(te);
	snapshot_path_pop(&l->path, len);
}

int
staged_load(const char *repo, const char *index, const struct snapshot_limits *lim,
            struct snapshot **out)
{
	struct load l = { .repopath = repo, .root = -1 };
	git_index *idx = NULL;
	git_commit *c = NULL;
	git_tree *head = NULL;
	const char *conflict = NULL;
	int rc = -1;

	*out = NULL;
	if (snapshot_open(repo, &l.repo) < 0)
		return -1;
	l.max_blob = lim && lim->max_blob ? lim->max_blob : SNAPSHOT_DEFAULT_MAX_BLOB;
	l.max_files = lim && lim->max_files ? lim->max_files : SNAPSHOT_DEFAULT_MAX_FILES;
	l.s = xcalloc(1, sizeof(*l.s));
	l.s->ref = xstrdup("index");
	l.s->worktree = 1;
	if (git_repository_is_bare(l.repo)) {
		err_set("%s is a bare repository: it has no index of staged files to check", repo);
		goto out;
	}
	if (git_repository_odb(&l.odb, l.repo) < 0 ||
	    (index ? git_index_open(&idx, index) : git_repository_index(&idx, l.repo)) < 0 ||
	    git_index_read(idx, 1) < 0) {
		snapshot_git_err("cannot read the index %s of %s", index ? index : "", repo);
		goto out;
	}
	if (!snapshot_unborn(l.repo)) {
		if (snapshot_resolve(l.repo, repo, "HEAD", &c) < 0)
			goto out;
		git_oid_tostr(l.s->commit, sizeof(l.s->commit), git_commit_id(c));
		l.s->commit_time = (int64_t)git_commit_time(c);
		if (git_commit_tree(&head, c) < 0) {
			snapshot_git_err("cannot read the tree of HEAD in %s", repo);
			goto out;
		}
	}
	size_t n = git_index_entrycount(idx);
	for (size_t i = 0; i < n; i++)
		add_entry(&l, git_index_get_byindex(idx, i), head, &conflict);
	snapshot_report_skipped(&l);
	snapshot_sort_files(l.s);
	if (c && history_walk(l.repo, repo, git_commit_id(c), l.s) < 0)
		goto out;
	*out = l.s;
	l.s = NULL;
	rc = 0;
out:
	snapshot_free(l.s);
	git_tree_free(head);
	git_commit_free(c);
	git_index_free(idx);
	git_odb_free(l.odb);
	gitcache_close(l.repo);
	buf_free(&l.path);
	return rc;
}
