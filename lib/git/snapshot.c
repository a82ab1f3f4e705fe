/* snapshot.c - load an ISMS repository at one commit, or its work tree, with
 * libgit2: every regular file with its blob id, the contents of record files
 * (.yaml .yml .json .md), and the commit that last changed each file, found
 * by one walk of the history.
 *
 * Every regular file is listed, so that rules can check that evidence files
 * exist; only record files have contents (data is NULL and len 0 for the
 * others), and only they are held to max_blob. A zero limit means the
 * default. In work-tree mode the history comes from ref (NULL: HEAD), and a
 * file whose contents differ from that commit has no blob id, no commit
 * and no author, and its modification time as its time.
 *
 * libgit2 is initialised once per process on first use and never shut down:
 * other threads may be loading at any time, and the library's global state is
 * released by the process exit. */
#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "thread.h"
#include "gitcache.h"
#include "snapshot_int.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "utf8.h"
#include "problems.h"
#include "sys.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* Initialise libgit2; called once. Objects are not re-hashed on every
 * read, as git itself does not: zlib's checksum still catches a damaged
 * object, and re-hashing every blob and tree of the history walk cost a
 * tenth of a check. `git fsck` is the tool for verifying the store. */
static void
init_git(void)
{
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}

/* Set the error message to fmt, followed by libgit2's last error. */
int
snapshot_git_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *what = xvasprintf(fmt, ap);
	va_end(ap);
	const git_error *e = git_error_last();
	err_set("%s: %s", what, e && e->message ? e->message : "unknown error");
	free(what);
	return -1;
}

/*
 * Names and sizes.
 */

/* Add s to b with every byte that is not valid UTF-8 written as \xNN. */
static void
add_escaped(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n > 0) {
		size_t k = utf8_seq(p, n);
		if (k == 0) {
			buf_printf(b, "\\x%02x", *p);
			k = 1;
		} else
			buf_add(b, p, k);
		p += k;
		n -= k;
	}
}

/* 1 when the file name has a record extension, in any letter case. */
int
snapshot_is_record(const char *path)
{
	static const char *const ext[] = { "yaml", "yml", "json", "md" };
	const char *base = strrchr(path, '/');
	const char *dot = strrchr(base ? base + 1 : path, '.');

	if (dot == NULL)
		return 0;
	for (size_t i = 0; i < NELEM(ext); i++)
		if (strcasecmp(dot + 1, ext[i]) == 0)
			return 1;
	return 0;
}

/* Write a byte count for people ("20.0 MiB", "300 bytes"); with adj, as
 * a limit is named ("16 MiB" rather than "16.0 MiB"). */
static void
fmt_size(char *out, size_t n, uint64_t v, int adj)
{
	const uint64_t kib = 1024, mib = kib * 1024;

	if (v >= mib && adj && v % mib == 0)
		snprintf(out, n, "%llu MiB", (unsigned long long)(v / mib));
	else if (v >= mib)
		snprintf(out, n, "%.1f MiB", (double)v / (double)mib);
	else if (v >= kib && adj && v % kib == 0)
		snprintf(out, n, "%llu KiB", (unsigned long long)(v / kib));
	else if (v >= kib)
		snprintf(out, n, "%.1f KiB", (double)v / (double)kib);
	else
		snprintf(out, n, "%llu bytes", (unsigned long long)v);
}

/* Report a file over the size limit. */
void
snapshot_too_big(struct snapshot *s, const char *path, uint64_t size, size_t max)
{
	char a[32], b[32];

	fmt_size(a, sizeof(a), size, 0);
	fmt_size(b, sizeof(b), max, 1);
	problems_add(&s->problems, path, 0,
	             "is %s, over the size cap for one record file (%s); it is not loaded", a, b);
}

/*
 * Opening and resolving.
 */

/* Open the repository at path: a work tree, its .git, or a bare one,
 * with its loose objects guarded (gitcache.h). */
int
snapshot_open(const char *path, git_repository **out)
{
	struct stat st;

	pthread_once(&init_once, init_git);
	if (path == NULL || *path == '\0')
		return err_set("no repository given");
	if (stat(path, &st) < 0)
		return err_set("cannot open the repository %s: %s", path, strerror(errno));
	if (gitcache_open(out, path) == 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return err_set("%s is not a git repository: it is a file, not "
		               "a directory",
		               path);
	return snapshot_git_err("%s is not a git repository that can be opened "
	                        "(a work tree, its .git directory, or a bare repository)",
	                        path);
}

/* 1 when the repository's HEAD has no commit yet. */
int
snapshot_unborn(git_repository *r)
{
	return git_repository_head_unborn(r) == 1;
}

/* Resolve spec to a commit; *out is the caller's. */
int
snapshot_resolve(git_repository *r, const char *path, const char *spec, git_commit **out)
{
	git_object *obj = NULL, *c = NULL;
	int rc = -1;

	if (git_revparse_single(&obj, r, spec) < 0) {
		if (snapshot_unborn(r) &&
		    (strcmp(spec, "HEAD") == 0 || git_repository_is_empty(r) == 1))
			return err_set("the repository %s has no commits yet", path);
		return snapshot_git_err("ref '%s' not found in %s", spec, path);
	}
	if (git_object_peel(&c, obj, GIT_OBJECT_COMMIT) < 0) {
		snapshot_git_err("ref '%s' in %s does not name a commit", spec, path);
		goto out;
	}
	*out = (git_commit *)c;
	rc = 0;
out:
	git_object_free(obj);
	return rc;
}

/*
 * Building the snapshot.
 */

/* Append name to the current path; returns the old length to restore. */
size_t
snapshot_path_push(struct load *l, const char *name)
{
	size_t len = l->path.len;

	if (len)
		buf_addc(&l->path, '/');
	buf_adds(&l->path, name);
	return len;
}

void
snapshot_path_pop(struct buf *b, size_t len)
{
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
}

/* Report a name that is not valid UTF-8 under the current path. */
void
snapshot_bad_name(struct load *l, const char *name)
{
	struct buf b = { 0 };

	buf_add(&b, l->path.data ? l->path.data : "", l->path.len);
	if (l->path.len)
		buf_addc(&b, '/');
	add_escaped(&b, name);
	problems_add(&l->s->problems, b.data, 0, "the name is not valid UTF-8; it is not loaded");
	buf_free(&b);
}

/* Take a slot for the file at the current path, or NULL over the cap.
 * The manifest at the top is taken past the cap: the tree lists it after
 * any directory whose name sorts before it, and a repository with too
 * many files is still an ISMS whose cap is worth reporting. */
struct snapshot_file *
snapshot_new_file(struct load *l)
{
	struct snapshot *s = l->s;

	if (s->nfiles >= l->max_files && strcmp(l->path.data, SNAPSHOT_MANIFEST) != 0) {
		l->skipped++;
		return NULL;
	}
	if (s->nfiles == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		s->files = xreallocarray(s->files, l->cap, sizeof(*s->files));
	}
	struct snapshot_file *f = &s->files[s->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(l->path.data);
	return f;
}

/* Drop the file most recently taken with new_file. */
void
snapshot_drop_last(struct load *l)
{
	struct snapshot_file *f = &l->s->files[--l->s->nfiles];

	free(f->path);
	free(f->data);
}

/* Report a record that cannot be read from the object database. */
static void
unreadable(struct load *l, const char *why)
{
	const git_error *e = git_error_last();

	problems_add(&l->s->problems, l->s->files[l->s->nfiles - 1].path, 0,
	             "cannot be read from the repository (%s); it is not loaded",
	             why               ? why
	             : e && e->message ? e->message
	                               : "unknown error");
	snapshot_drop_last(l);
}

/* Copy f's contents from the previous snapshot when it holds the same
 * blob there (snapshot_update); 1 when f is settled, loaded or reported as
 * too big, 0 when the blob must be read. */
static int
reuse_blob(struct load *l, struct snapshot_file *f)
{
	const struct snapshot_file *pf = snapshot_find(l->prev, f->path);

	if (pf == NULL || pf->data == NULL || strcmp(pf->blob, f->blob) != 0)
		return 0;
	if (pf->len > l->max_blob) {
		snapshot_too_big(l->s, f->path, pf->len, l->max_blob);
		snapshot_drop_last(l);
		return 1;
	}
	f->len = pf->len;
	f->data = xmalloc(f->len + 1);
	memcpy(f->data, pf->data, f->len + 1);
	return 1;
}

void
snapshot_take_blob(struct snapshot_file *f, git_odb_object *o)
{
	f->len = git_odb_object_size(o);
	f->data = xmalloc(f->len + 1);
	memcpy(f->data, git_odb_object_data(o), f->len);
	f->data[f->len] = '\0';
	git_odb_object_free(o);
}

/* Whether a failed read (libgit2's code rc) is damage rather than a
 * missing blob; the first damage is kept, and fails the load. */
static int
damaged(struct load *l, int rc)
{
	if (rc == GIT_ENOTFOUND)
		return 0;
	if (l->damage == NULL) {
		const git_error *e = git_error_last();
		l->damage = xstrdup(e && e->message ? e->message : "a damaged object");
	}
	return 1;
}

/* After a failed read of a blob: a missing one is reported and its file
 * left out; a damaged one fails the load (damaged). */
static void
read_failed(struct load *l, int rc)
{
	if (damaged(l, rc))
		snapshot_drop_last(l);
	else
		unreadable(l, NULL);
}

/* Read a record blob into f (the last file taken), or report why it is
 * not loaded. The size is checked before the contents are read. */
static void
read_blob(struct load *l, struct snapshot_file *f, const git_oid *id)
{
	git_odb_object *o = NULL;
	git_object_t type;
	size_t size;

	int rc;
	if (reuse_blob(l, f))
		return;
	if ((rc = git_odb_read_header(&size, &type, l->odb, id)) < 0)
		return read_failed(l, rc);
	if (type != GIT_OBJECT_BLOB)
		return unreadable(l, "the tree lists it as a file, but it is not one");
	if (size > l->max_blob) {
		snapshot_too_big(l->s, f->path, size, l->max_blob);
		snapshot_drop_last(l);
		return;
	}
	if (l->defer)
		return; /* read_blobs reads it, beside the history walk */
	if ((rc = git_odb_read(&o, l->odb, id)) < 0)
		return read_failed(l, rc);
	snapshot_take_blob(f, o);
}

/* Add the blob at the current path. */
static void
add_blob(struct load *l, const git_oid *id)
{
	struct snapshot_file *f = snapshot_new_file(l);

	if (f == NULL)
		return;
	git_oid_tostr(f->blob, sizeof(f->blob), id);
	if (snapshot_is_record(f->path))
		read_blob(l, f, id);
}

static int load_tree(struct load *, git_tree *, int);

/* Load one tree entry at the current path. */
static int
load_entry(struct load *l, const git_tree_entry *e, int depth)
{
	struct problems *p = &l->s->problems;
	const char *path = l->path.data;
	git_tree *sub = NULL;
	int rc;

	switch (git_tree_entry_filemode(e)) {
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE: add_blob(l, git_tree_entry_id(e)); return 0;
	case GIT_FILEMODE_TREE:
		if (depth >= MAX_DEPTH) {
			problems_add(p, path, 0,
			             "is nested more than %d "
			             "directories deep; its contents are not loaded",
			             MAX_DEPTH);
			return 0;
		}
		if (git_tree_lookup(&sub, l->repo, git_tree_entry_id(e)) < 0)
			return snapshot_git_err("cannot read directory %s in %s", path,
			                        l->repopath);
		rc = load_tree(l, sub, depth + 1);
		git_tree_free(sub);
		return rc;
	case GIT_FILEMODE_LINK:
		problems_add(p, path, 0,
		             "is a symbolic link; ISMS records "
		             "are not followed through links");
		return 0;
	case GIT_FILEMODE_COMMIT:
		problems_add(p, path, 0, "is a submodule; its contents are not loaded");
		return 0;
	default:
		problems_add(p, path, 0,
		             "has an unknown file type (mode %o); "
		             "it is not loaded",
		             (unsigned)git_tree_entry_filemode(e));
		return 0;
	}
}

/* Load every entry of tree t, which is at the current path. */
static int
load_tree(struct load *l, git_tree *t, int depth)
{
	size_t n = git_tree_entrycount(t);

	for (size_t i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		const char *name = git_tree_entry_name(e);
		if (utf8_valid(name, strlen(name)) != strlen(name)) {
			snapshot_bad_name(l, name);
			continue;
		}
		size_t len = snapshot_path_push(l, name);
		int rc = load_entry(l, e, depth);
		snapshot_path_pop(&l->path, len);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int
cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct snapshot_file *)a)->path,
	              ((const struct snapshot_file *)b)->path);
}

/* Sort the files by path and drop repeated paths (a malformed tree). */
void
snapshot_sort_files(struct snapshot *s)
{
	size_t j = 0;

	if (s->nfiles > 1)
		qsort(s->files, s->nfiles, sizeof(*s->files), cmp_file);
	for (size_t i = 0; i < s->nfiles; i++) {
		struct snapshot_file *f = &s->files[i];
		if (j > 0 && strcmp(s->files[j - 1].path, f->path) == 0) {
			problems_add(&s->problems, f->path, 0,
			             "appears more "
			             "than once in the tree; only one copy is loaded");
			free(f->path);
			free(f->data);
			continue;
		}
		s->files[j++] = *f;
	}
	s->nfiles = j;
}

/* Report the files left out by the file count cap. */
void
snapshot_report_skipped(struct load *l)
{
	if (l->skipped == 0)
		return;
	problems_add(&l->s->problems, NULL, 0,
	             "%zu file%s not loaded: the "
	             "repository has more files than the file count cap (%zu files)",
	             l->skipped, l->skipped == 1 ? " was" : "s were", l->max_files);
}

/*
 * Loading a commit.
 */

/* The record blobs of a full load still to read, shared by two readers:
 * the loading thread takes files from the front, the history thread, once
 * its walk is done, from the back, each with its own object database. */
struct blob_queue {
	struct snapshot *s;
	pthread_mutex_t lock;
	size_t front, back; /* files[front..back) are still to take */
	unsigned char *bad; /* files whose blob could not be read */
	size_t nbad;
	char *why;    /* libgit2's message for the first of them */
	char *damage; /* the first that was damage, not a missing blob */
};

/* The index of the next file to read from one end, or 0 when none is left. */
static int
blob_take(struct blob_queue *q, int from_back, size_t *i)
{
	pthread_mutex_lock(&q->lock);
	int any = q->front < q->back;
	if (any)
		*i = from_back ? --q->back : q->front++;
	pthread_mutex_unlock(&q->lock);
	return any;
}

/* Note that file i could not be read, with libgit2's message for it
 * (this thread's) and whether it is damage (damaged). */
static void
blob_failed(struct blob_queue *q, size_t i, int rc)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : NULL;
	pthread_mutex_lock(&q->lock);
	q->bad[i] = 1;
	q->nbad++;
	if (q->why == NULL)
		q->why = xstrdup(msg ? msg : "unknown error");
	if (rc < 0 && rc != GIT_ENOTFOUND && q->damage == NULL)
		q->damage = xstrdup(msg ? msg : "a damaged object");
	pthread_mutex_unlock(&q->lock);
}

/* Read the record blobs from one end of q until none is left. Files that
 * are not records, or whose contents came from the previous snapshot,
 * are passed over. */
static void
read_blobs(struct blob_queue *q, git_odb *odb, int from_back)
{
	for (size_t i; blob_take(q, from_back, &i);) {
		struct snapshot_file *f = &q->s->files[i];
		git_odb_object *o = NULL;
		git_oid id;
		int rc = 0;
		if (f->data != NULL || !snapshot_is_record(f->path))
			continue;
		if (git_oid_fromstr(&id, f->blob) < 0 || (rc = git_odb_read(&o, odb, &id)) < 0) {
			blob_failed(q, i, rc);
			continue;
		}
		snapshot_take_blob(f, o);
	}
}

/* The history walk of a full load, on its own thread and repository
 * handle (libgit2 objects are not shared between threads); then it helps
 * read the record blobs. */
struct hist_job {
	const char *repopath;
	git_oid head;
	struct snapshot *s;
	struct blob_queue *q;
	int rc;
	char *error;
};

static void *
hist_thread(void *arg)
{
	struct hist_job *j = arg;
	git_repository *r = NULL;
	git_odb *odb = NULL;
	j->rc = snapshot_open(j->repopath, &r) < 0 ? -1
	                                           : history_walk(r, j->repopath, &j->head, j->s);
	if (j->rc < 0)
		j->error = xstrdup(err_msg());
	else if (git_repository_odb(&odb, r) == 0)
		read_blobs(j->q, odb, 1);
	git_odb_free(odb);
	gitcache_close(r);
	return NULL;
}

/* Drop the files of q that could not be read, each reported with why;
 * damage fails the load (l->damage). */
static void
drop_unread(struct load *l, struct blob_queue *q)
{
	struct snapshot *s = l->s;
	if (q->damage != NULL && l->damage == NULL) {
		l->damage = q->damage;
		q->damage = NULL;
	}
	size_t j = 0;
	for (size_t i = 0; q->nbad > 0 && i < s->nfiles; i++) {
		if (!q->bad[i]) {
			s->files[j++] = s->files[i];
			continue;
		}
		problems_add(&s->problems, s->files[i].path, 0,
		             "cannot be read from the repository (%s); it is not loaded", q->why);
		free(s->files[i].path);
		free(s->files[i].author);
	}
	if (q->nbad > 0)
		s->nfiles = j;
	free(q->bad);
	free(q->why);
	free(q->damage);
	pthread_mutex_destroy(&q->lock);
}

/* Load the tree of commit c into l->s, then its history. The history walk
 * and reading the record blobs take about as long each, so they run at
 * once, each on its own thread. */
static int
load_commit(struct load *l, git_commit *c)
{
	git_tree *t = NULL;
	int rc = -1;
	struct blob_queue q = { .s = l->s };
	struct hist_job hj = {
		.repopath = l->repopath, .head = *git_commit_id(c), .s = l->s, .q = &q
	};
	struct side th;

	pthread_mutex_init(&q.lock, NULL);
	git_oid_tostr(l->s->commit, sizeof(l->s->commit), git_commit_id(c));
	l->s->commit_time = (int64_t)git_commit_time(c);
	if (git_commit_tree(&t, c) < 0) {
		snapshot_git_err("cannot read the tree of %s in %s", l->s->commit, l->repopath);
		goto out;
	}
	l->defer = 1;
	if (load_tree(l, t, 0) < 0)
		goto out;
	snapshot_report_skipped(l);
	snapshot_sort_files(l->s);
	q.back = l->s->nfiles;
	q.bad = xcalloc(l->s->nfiles + 1, 1);
	side_start(&th, 1, "history", hist_thread, &hj);
	if (!side_started(&th)) {
		read_blobs(&q, l->odb, 0);
		rc = history_walk(l->repo, l->repopath, git_commit_id(c), l->s);
		goto out;
	}
	read_blobs(&q, l->odb, 0);
	side_join(&th);
	rc = hj.rc;
	if (rc < 0)
		err_set("%s", hj.error);
out:
	l->defer = 0;
	drop_unread(l, &q);
	free(hj.error);
	git_tree_free(t);
	return rc;
}

/* Load commit c into l->s from l->prev; 0, 1 to load in full instead, or
 * -1 on error. */
static int
update_commit(struct load *l, git_commit *c)
{
	git_oid a, *v = NULL;
	git_tree *t = NULL;
	size_t nv;
	int rc;

	if (git_repository_is_shallow(l->repo) != 0 || git_oid_fromstr(&a, l->prev->commit) < 0)
		return 1;
	if ((rc = history_chain(l->repo, &a, git_commit_id(c), &v, &nv)) != 0)
		return rc;
	git_oid_tostr(l->s->commit, sizeof(l->s->commit), git_commit_id(c));
	l->s->commit_time = (int64_t)git_commit_time(c);
	rc = -1;
	if (git_commit_tree(&t, c) < 0) {
		snapshot_git_err("cannot read the tree of %s in %s", l->s->commit, l->repopath);
		goto out;
	}
	if (load_tree(l, t, 0) < 0)
		goto out;
	snapshot_report_skipped(l);
	snapshot_sort_files(l->s);
	rc = history_update(l->repo, l->repopath, v, nv, &a, l->s, l->prev);
out:
	git_tree_free(t);
	free(v);
	return rc;
}

/*
 * The interface.
 */

int
snapshot_load(const char *repo, const char *ref, const char *worktree,
              const struct snapshot_limits *lim, struct snapshot **out)
{
	struct load l = { .repopath = repo, .root = -1 };
	git_commit *c = NULL;
	int rc = -1;

	*out = NULL;
	if (ref == NULL || *ref == '\0')
		ref = "HEAD";
	if (snapshot_open(repo, &l.repo) < 0)
		return -1;
	l.max_blob = lim && lim->max_blob ? lim->max_blob : SNAPSHOT_DEFAULT_MAX_BLOB;
	l.max_files = lim && lim->max_files ? lim->max_files : SNAPSHOT_DEFAULT_MAX_FILES;
	l.s = xcalloc(1, sizeof(*l.s));
	l.s->ref = xstrdup(ref);
	l.s->worktree = worktree != NULL;
	if (git_repository_odb(&l.odb, l.repo) < 0) {
		snapshot_git_err("cannot open the object database of %s", repo);
		goto out;
	}
	if (worktree) {
		if (worktree_load(&l, ref, worktree) < 0)
			goto out;
	} else if (snapshot_resolve(l.repo, repo, ref, &c) < 0 || load_commit(&l, c) < 0)
		goto out;
	if (l.damage) {
		err_set("%s", l.damage);
		goto out;
	}
	*out = l.s;
	l.s = NULL;
	rc = 0;
out:
	snapshot_free(l.s);
	git_commit_free(c);
	git_odb_free(l.odb);
	gitcache_close(l.repo);
	buf_free(&l.path);
	free(l.damage);
	return rc;
}

int
snapshot_update(const struct snapshot *prev, const char *repo, const char *ref,
                const struct snapshot_limits *lim, struct snapshot **out)
{
	struct load l = { .repopath = repo, .root = -1, .prev = prev };
	git_commit *c = NULL;
	int rc = -1;

	*out = NULL;
	if (ref == NULL || *ref == '\0')
		ref = "HEAD";
	if (!history_reusable(prev))
		return snapshot_load(repo, ref, NULL, lim, out);
	if (snapshot_open(repo, &l.repo) < 0)
		return -1;
	l.max_blob = lim && lim->max_blob ? lim->max_blob : SNAPSHOT_DEFAULT_MAX_BLOB;
	l.max_files = lim && lim->max_files ? lim->max_files : SNAPSHOT_DEFAULT_MAX_FILES;
	l.s = xcalloc(1, sizeof(*l.s));
	l.s->ref = xstrdup(ref);
	if (git_repository_odb(&l.odb, l.repo) < 0) {
		snapshot_git_err("cannot open the object database of %s", repo);
		goto out;
	}
	if (snapshot_resolve(l.repo, repo, ref, &c) < 0 || (rc = update_commit(&l, c)) < 0) {
		rc = -1;
		goto out;
	}
	if (rc == 0 && l.damage) {
		rc = err_set("%s", l.damage);
		goto out;
	}
	if (rc == 0) {
		*out = l.s;
		l.s = NULL;
	}
out:
	snapshot_free(l.s);
	git_commit_free(c);
	git_odb_free(l.odb);
	gitcache_close(l.repo);
	buf_free(&l.path);
	free(l.damage);
	if (rc == 1)
		return snapshot_load(repo, ref, NULL, lim, out);
	return rc;
}

void
snapshot_drop_contents(struct snapshot *s)
{
	for (size_t i = 0; s != NULL && i < s->nfiles; i++) {
		free(s->files[i].data);
		s->files[i].data = NULL;
		s->files[i].len = 0;
	}
}

void
snapshot_free(struct snapshot *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nfiles; i++) {
		free(s->files[i].path);
		free(s->files[i].data);
		free(s->files[i].author);
	}
	free(s->files);
	problems_free(&s->problems);
	free(s->ref);
	free(s);
}

static int
cmp_find(const void *key, const void *f)
{
	return strcmp(key, ((const struct snapshot_file *)f)->path);
}

const struct snapshot_file *
snapshot_find(const struct snapshot *s, const char *path)
{
	if (s == NULL || path == NULL || s->nfiles == 0)
		return NULL;
	return bsearch(path, s->files, s->nfiles, sizeof(*s->files), cmp_find);
}
