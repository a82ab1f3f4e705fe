/* source.c - load an ISMS repository at one commit, or its work tree, with
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
#include "source.h"

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
#include "gitrepo.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "utf8.h"
#include "problems.h"
#include "sys.h"

/* Deeper directory nesting than this is reported, not followed. */
#define MAX_DEPTH 256

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

static int gerr(const char *fmt, ...) PRINTF(1, 2);

/* Set the error message to fmt, followed by libgit2's last error. */
static int
gerr(const char *fmt, ...)
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
static int
is_record(const char *path)
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
 * a limit is named ("16 MiB", "100-byte"). */
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
		snprintf(out, n, adj ? "%llu-byte" : "%llu bytes", (unsigned long long)v);
}

/* Report a file over the size limit. */
static void
too_big(struct snapshot *s, const char *path, uint64_t size, size_t max)
{
	char a[32], b[32];

	fmt_size(a, sizeof(a), size, 0);
	fmt_size(b, sizeof(b), max, 1);
	problems_add(&s->problems, path, 0,
	             "is %s, over the %s limit for one record file; it is not loaded", a, b);
}

/*
 * A string-to-index map with open addressing, for path look-ups during the
 * history walk. Keys are borrowed.
 */

struct smap {
	const char **key;
	size_t *val;
	size_t mask;
};

/* Hash a string (FNV-1a). */
static uint64_t
shash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Size the map for n keys. */
static void
smap_init(struct smap *m, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n + 2)
		cap *= 2;
	m->key = xcalloc(cap, sizeof(*m->key));
	m->val = xcalloc(cap, sizeof(*m->val));
	m->mask = cap - 1;
}

/* Slot of key: where it is, or the empty slot where it would go. */
static size_t
smap_slot(const struct smap *m, const char *key)
{
	size_t i = (size_t)shash(key) & m->mask;

	while (m->key[i] && strcmp(m->key[i], key) != 0)
		i = (i + 1) & m->mask;
	return i;
}

/* Add key (borrowed) unless present; 1 when it was added. */
static int
smap_put(struct smap *m, const char *key, size_t val)
{
	size_t i = smap_slot(m, key);

	if (m->key[i])
		return 0;
	m->key[i] = key;
	m->val[i] = val;
	return 1;
}

/* Find key; 1 and *val when present. */
static int
smap_get(const struct smap *m, const char *key, size_t *val)
{
	size_t i = smap_slot(m, key);

	if (m->key[i] == NULL)
		return 0;
	*val = m->val[i];
	return 1;
}

static void
smap_free(struct smap *m)
{
	free(m->key);
	free(m->val);
	m->key = NULL;
	m->val = NULL;
}

/*
 * Opening and resolving.
 */

/* Open the repository at path: a work tree, its .git, or a bare one,
 * with its loose objects guarded (gitrepo.h). */
static int
open_repo(const char *path, git_repository **out)
{
	struct stat st;

	pthread_once(&init_once, init_git);
	if (path == NULL || *path == '\0')
		return err_set("no repository given");
	if (stat(path, &st) < 0)
		return err_set("cannot open the repository %s: %s", path, strerror(errno));
	if (gitrepo_open(out, path) == 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return err_set("%s is not a git repository: it is a file, not "
		               "a directory",
		               path);
	return gerr("%s is not a git repository that can be opened "
	            "(a work tree, its .git directory, or a bare repository)",
	            path);
}

/* 1 when the repository's HEAD has no commit yet. */
static int
unborn(git_repository *r)
{
	return git_repository_head_unborn(r) == 1;
}

/* Resolve spec to a commit; *out is the caller's. */
static int
resolve(git_repository *r, const char *path, const char *spec, git_commit **out)
{
	git_object *obj = NULL, *c = NULL;
	int rc = -1;

	if (git_revparse_single(&obj, r, spec) < 0) {
		if (unborn(r) && (strcmp(spec, "HEAD") == 0 || git_repository_is_empty(r) == 1))
			return err_set("the repository %s has no commits yet", path);
		return gerr("ref '%s' not found in %s", spec, path);
	}
	if (git_object_peel(&c, obj, GIT_OBJECT_COMMIT) < 0) {
		gerr("ref '%s' in %s does not name a commit", spec, path);
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
	const struct snapshot *prev; /* source_update: contents to reuse */
	int defer;                   /* check record blobs' headers only; read them later */
	/* A blob that is there but cannot be read (a damaged object, loose.h):
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

/* Append name to the current path; returns the old length to restore. */
static size_t
path_push(struct load *l, const char *name)
{
	size_t len = l->path.len;

	if (len)
		buf_addc(&l->path, '/');
	buf_adds(&l->path, name);
	return len;
}

static void
path_pop(struct buf *b, size_t len)
{
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
}

/* Report a name that is not valid UTF-8 under the current path. */
static void
bad_name(struct load *l, const char *name)
{
	struct buf b = { 0 };

	buf_add(&b, l->path.data ? l->path.data : "", l->path.len);
	if (l->path.len)
		buf_addc(&b, '/');
	add_escaped(&b, name);
	problems_add(&l->s->problems, b.data, 0, "the name is not valid UTF-8; it is not loaded");
	buf_free(&b);
}

/* Take a slot for the file at the current path, or NULL over the cap. */
static struct source_file *
new_file(struct load *l)
{
	struct snapshot *s = l->s;

	if (s->nfiles >= l->max_files) {
		l->skipped++;
		return NULL;
	}
	if (s->nfiles == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		s->files = xreallocarray(s->files, l->cap, sizeof(*s->files));
	}
	struct source_file *f = &s->files[s->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(l->path.data);
	return f;
}

/* Drop the file most recently taken with new_file. */
static void
drop_last(struct load *l)
{
	struct source_file *f = &l->s->files[--l->s->nfiles];

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
	drop_last(l);
}

/* Copy f's contents from the previous snapshot when it holds the same
 * blob there (source_update); 1 when f is settled, loaded or reported as
 * too big, 0 when the blob must be read. */
static int
reuse_blob(struct load *l, struct source_file *f)
{
	const struct source_file *pf = snapshot_find(l->prev, f->path);

	if (pf == NULL || pf->data == NULL || strcmp(pf->blob, f->blob) != 0)
		return 0;
	if (pf->len > l->max_blob) {
		too_big(l->s, f->path, pf->len, l->max_blob);
		drop_last(l);
		return 1;
	}
	f->len = pf->len;
	f->data = xmalloc(f->len + 1);
	memcpy(f->data, pf->data, f->len + 1);
	return 1;
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
		drop_last(l);
	else
		unreadable(l, NULL);
}

/* Read a record blob into f (the last file taken), or report why it is
 * not loaded. The size is checked before the contents are read. */
static void
read_blob(struct load *l, struct source_file *f, const git_oid *id)
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
		too_big(l->s, f->path, size, l->max_blob);
		drop_last(l);
		return;
	}
	if (l->defer)
		return; /* read_contents reads it, beside the history walk */
	if ((rc = git_odb_read(&o, l->odb, id)) < 0)
		return read_failed(l, rc);
	f->len = git_odb_object_size(o);
	f->data = xmalloc(f->len + 1);
	memcpy(f->data, git_odb_object_data(o), f->len);
	f->data[f->len] = '\0';
	git_odb_object_free(o);
}

/* Add the blob at the current path. */
static void
add_blob(struct load *l, const git_oid *id)
{
	struct source_file *f = new_file(l);

	if (f == NULL)
		return;
	git_oid_tostr(f->blob, sizeof(f->blob), id);
	if (is_record(f->path))
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
			return gerr("cannot read directory %s in %s", path, l->repopath);
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
			bad_name(l, name);
			continue;
		}
		size_t len = path_push(l, name);
		int rc = load_entry(l, e, depth);
		path_pop(&l->path, len);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int
cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct source_file *)a)->path, ((const struct source_file *)b)->path);
}

/* Sort the files by path and drop repeated paths (a malformed tree). */
static void
sort_files(struct snapshot *s)
{
	size_t j = 0;

	if (s->nfiles > 1)
		qsort(s->files, s->nfiles, sizeof(*s->files), cmp_file);
	for (size_t i = 0; i < s->nfiles; i++) {
		struct source_file *f = &s->files[i];
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
static void
report_skipped(struct load *l)
{
	if (l->skipped == 0)
		return;
	problems_add(&l->s->problems, NULL, 0,
	             "%zu file%s not loaded: the "
	             "repository has more files than the limit of %zu",
	             l->skipped, l->skipped == 1 ? " was" : "s were", l->max_files);
}

/*
 * The commit graph from one commit, walked newest first with every commit
 * before its parents (as git log --topo-order --date-order). Commits whose
 * parents are missing, as at the edge of a shallow clone, count as roots.
 */

struct cnode {
	git_oid id;
	int64_t time;
	git_commit *c;        /* held from discovery until its parents are listed */
	size_t first;         /* its parents: edge[first .. first + npar) */
	unsigned npar, indeg; /* indeg: children not yet walked */
	int cut;              /* some parent is missing or cut off */
};

struct graph {
	struct cnode *node;
	size_t n, cap;
	size_t *edge;
	size_t nedge, edgecap;
	size_t *slot; /* id -> node index + 1, open addressing */
	size_t mask;
	git_oid *shallow; /* sorted commits a shallow clone stops at */
	size_t nshallow;
	size_t *heap; /* commits ready to walk, newest on top */
	size_t nheap;
};

/* Hash of a commit id: its first bytes are already uniform. */
static size_t
oid_hash(const git_oid *id)
{
	uint64_t h;

	memcpy(&h, id->id, sizeof(h));
	return (size_t)h;
}

/* Slot of id in the table: where it is, or where it would go. */
static size_t
graph_slot(const struct graph *g, const git_oid *id)
{
	size_t i = oid_hash(id) & g->mask;

	while (g->slot[i] && !git_oid_equal(&g->node[g->slot[i] - 1].id, id))
		i = (i + 1) & g->mask;
	return i;
}

/* Double the table. */
static void
graph_grow(struct graph *g)
{
	size_t cap = g->slot ? (g->mask + 1) * 2 : 1024;

	free(g->slot);
	g->slot = xcalloc(cap, sizeof(*g->slot));
	g->mask = cap - 1;
	for (size_t i = 0; i < g->n; i++)
		g->slot[graph_slot(g, &g->node[i].id)] = i + 1;
}

/* Add commit c (stolen) as a node; its index. */
static size_t
graph_add(struct graph *g, git_commit *c)
{
	if (g->slot == NULL || 2 * (g->n + 1) > g->mask + 1)
		graph_grow(g);
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 256;
		g->node = xreallocarray(g->node, g->cap, sizeof(*g->node));
	}
	struct cnode *nd = &g->node[g->n];
	memset(nd, 0, sizeof(*nd));
	git_oid_cpy(&nd->id, git_commit_id(c));
	nd->time = (int64_t)git_commit_time(c);
	nd->c = c;
	g->slot[graph_slot(g, &nd->id)] = ++g->n;
	return g->n - 1;
}

static int
cmp_oid(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

/* Read the commits a shallow clone stops at, if it is one. */
static void
graph_shallow(struct graph *g, git_repository *r)
{
	char *path = xasprintf("%sshallow", git_repository_commondir(r));
	char *text = NULL, *line, *save = NULL;
	size_t len, cap = 0;

	if (read_file(path, 64u << 20, &text, &len) < 0) {
		free(path);
		return;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (g->nshallow == cap) {
			cap = cap ? cap * 2 : 16;
			g->shallow = xreallocarray(g->shallow, cap, sizeof(*g->shallow));
		}
		if (git_oid_fromstrn(&g->shallow[g->nshallow], line, strlen(line)) == 0 &&
		    strlen(line) == GIT_OID_HEXSZ)
			g->nshallow++;
	}
	if (g->nshallow > 1)
		qsort(g->shallow, g->nshallow, sizeof(*g->shallow), cmp_oid);
	free(text);
	free(path);
}

/* List the parents of node i, discovering new commits. */
static void
graph_parents(struct graph *g, git_repository *r, size_t i)
{
	git_commit *c = g->node[i].c;
	unsigned np = git_commit_parentcount(c);
	size_t first = g->nedge;
	unsigned n = 0;
	int cut = 0;

	if (g->nshallow &&
	    bsearch(&g->node[i].id, g->shallow, g->nshallow, sizeof(*g->shallow), cmp_oid))
		np = 0, cut = 1;
	for (unsigned k = 0; k < np; k++) {
		const git_oid *pid = git_commit_parent_id(c, k);
		size_t j = g->slot[graph_slot(g, pid)];
		git_commit *pc;
		if (j == 0) {
			if (git_commit_lookup(&pc, r, pid) < 0) {
				cut = 1;
				continue;
			}
			j = graph_add(g, pc) + 1;
		}
		if (g->nedge == g->edgecap) {
			g->edgecap = g->edgecap ? g->edgecap * 2 : 256;
			g->edge = xreallocarray(g->edge, g->edgecap, sizeof(*g->edge));
		}
		g->edge[g->nedge++] = j - 1;
		g->node[j - 1].indeg++;
		n++;
	}
	g->node[i].first = first;
	g->node[i].npar = n;
	g->node[i].cut = cut;
	g->node[i].c = NULL;
	git_commit_free(c);
}

/* Discover every commit reachable from head. */
static int
graph_load(struct graph *g, git_repository *r, const char *repopath, const git_oid *head)
{
	git_commit *c;

	if (git_commit_lookup(&c, r, head) < 0) {
		gerr("cannot read the history of %s", repopath);
		return -1;
	}
	graph_shallow(g, r);
	graph_add(g, c);
	for (size_t i = 0; i < g->n; i++)
		graph_parents(g, r, i);
	g->heap = xcalloc(g->n, sizeof(*g->heap));
	return 0;
}

static void
graph_free(struct graph *g)
{
	for (size_t i = 0; i < g->n; i++)
		git_commit_free(g->node[i].c);
	free(g->node);
	free(g->edge);
	free(g->slot);
	free(g->shallow);
	free(g->heap);
}

/* 1 when node a is walked before node b: newer, or found earlier. */
static int
heap_before(const struct graph *g, size_t a, size_t b)
{
	if (g->node[a].time != g->node[b].time)
		return g->node[a].time > g->node[b].time;
	return a < b;
}

static void
heap_swap(struct graph *g, size_t i, size_t j)
{
	size_t t = g->heap[i];

	g->heap[i] = g->heap[j];
	g->heap[j] = t;
}

/* Add node i to the commits ready to walk. */
static void
heap_push(struct graph *g, size_t i)
{
	size_t k = g->nheap++;

	g->heap[k] = i;
	while (k > 0 && heap_before(g, g->heap[k], g->heap[(k - 1) / 2])) {
		heap_swap(g, k, (k - 1) / 2);
		k = (k - 1) / 2;
	}
}

/* Take the next commit to walk. */
static size_t
heap_pop(struct graph *g)
{
	size_t top = g->heap[0], k = 0;

	g->heap[0] = g->heap[--g->nheap];
	for (;;) {
		size_t l = 2 * k + 1, r = l + 1, m = k;
		if (l < g->nheap && heap_before(g, g->heap[l], g->heap[m]))
			m = l;
		if (r < g->nheap && heap_before(g, g->heap[r], g->heap[m]))
			m = r;
		if (m == k)
			break;
		heap_swap(g, k, m);
		k = m;
	}
	return top;
}

/*
 * History: the commit that last changed each file, from one walk.
 *
 * For a file with blob B at path P, that is the first commit C, newest
 * first in topological order, where P has blob B and P differs in every
 * parent of C (or C has none). Each commit's tree is compared with its
 * first parent's, descending only into directories whose ids differ and
 * that still hold files without an answer; other parents only confirm the
 * candidates. The walk stops when every file has its answer.
 */

/* How the message about an incomplete history begins. */
#define HIST_CUT "the history of the repository is incomplete"

struct hist {
	git_repository *repo;
	const char *repopath;
	struct source_file *files;
	git_oid *want;          /* per file: its blob id */
	unsigned char *pending; /* per file: still without an answer */
	size_t npending;
	struct smap fmap; /* path -> file index */
	struct smap dmap; /* directory -> directory index */
	char **dirs;      /* owned directory keys */
	size_t *dpending; /* per directory: pending files below */
	size_t ndirs;
	struct buf path;
	size_t *cand; /* files changed by the current commit */
	size_t ncand;
	const struct cnode *cut; /* a root by truncation that answered */
};

/* Register every directory above file i and count it as pending there. */
static void
hist_dirs(struct hist *h, size_t i)
{
	char *p = h->files[i].path;

	for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		char *d = xstrndup(p, (size_t)(s - p));
		size_t k;
		if (smap_get(&h->dmap, d, &k)) {
			free(d);
		} else {
			k = h->ndirs++;
			h->dirs[k] = d;
			h->dpending[k] = 0;
			smap_put(&h->dmap, d, k);
		}
		h->dpending[k]++;
	}
}

/* Set up the walk for the files that have a blob id and no commit yet. */
static void
hist_init(struct hist *h, struct snapshot *s)
{
	size_t n = s->nfiles, ndirmax = 0;

	h->files = s->files;
	h->want = xcalloc(n, sizeof(*h->want));
	h->pending = xcalloc(n, 1);
	h->cand = xcalloc(n, sizeof(*h->cand));
	for (size_t i = 0; i < n; i++)
		for (const char *c = s->files[i].path; *c; c++)
			ndirmax += *c == '/';
	h->dirs = xcalloc(ndirmax, sizeof(*h->dirs));
	h->dpending = xcalloc(ndirmax, sizeof(*h->dpending));
	smap_init(&h->fmap, n);
	smap_init(&h->dmap, ndirmax);
	for (size_t i = 0; i < n; i++) {
		struct source_file *f = &s->files[i];
		if (f->blob[0] == '\0' || f->commit[0] != '\0' ||
		    git_oid_fromstr(&h->want[i], f->blob) < 0)
			continue;
		h->pending[i] = 1;
		h->npending++;
		smap_put(&h->fmap, f->path, i);
		hist_dirs(h, i);
	}
}

static void
hist_free(struct hist *h)
{
	for (size_t i = 0; i < h->ndirs; i++)
		free(h->dirs[i]);
	free(h->dirs);
	free(h->dpending);
	free(h->want);
	free(h->pending);
	free(h->cand);
	smap_free(&h->fmap);
	smap_free(&h->dmap);
	buf_free(&h->path);
}

/* 1 when some pending file lies below directory d. */
static int
dir_pending(const struct hist *h, const char *d)
{
	size_t k;

	return smap_get(&h->dmap, d, &k) && h->dpending[k] > 0;
}

static int hist_diff(struct hist *, git_tree *, git_tree *, int);

/* Compare entry e of the commit's tree with f, its parent's (or NULL). */
static int
hist_entry(struct hist *h, const git_tree_entry *e, const git_tree_entry *f, int depth)
{
	git_tree *a = NULL, *b = NULL;
	size_t i;
	int rc = 0;

	switch (git_tree_entry_type(e)) {
	case GIT_OBJECT_BLOB:
		/* pending 2 marks a candidate, so a path listed twice in a
		 * malformed tree is taken once. */
		if (smap_get(&h->fmap, h->path.data, &i) && h->pending[i] == 1 &&
		    git_oid_equal(&h->want[i], git_tree_entry_id(e))) {
			h->pending[i] = 2;
			h->cand[h->ncand++] = i;
		}
		return 0;
	case GIT_OBJECT_TREE:
		if (depth >= MAX_DEPTH || !dir_pending(h, h->path.data))
			return 0;
		if (git_tree_lookup(&a, h->repo, git_tree_entry_id(e)) < 0 ||
		    (f && git_tree_entry_type(f) == GIT_OBJECT_TREE &&
		     git_tree_lookup(&b, h->repo, git_tree_entry_id(f)) < 0)) {
			rc = gerr("cannot read the history of %s", h->repopath);
			goto out;
		}
		rc = hist_diff(h, a, b, depth + 1);
	out:
		git_tree_free(a);
		git_tree_free(b);
		return rc;
	default: return 0;
	}
}

/* Collect the pending files that differ between tree a and tree b (a's
 * parent, or NULL), both at the current path. */
static int
hist_diff(struct hist *h, git_tree *a, git_tree *b, int depth)
{
	size_t n = git_tree_entrycount(a);

	for (size_t i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(a, i);
		const char *name = git_tree_entry_name(e);
		const git_tree_entry *f = b ? git_tree_entry_byname(b, name) : NULL;
		if (f && git_oid_equal(git_tree_entry_id(e), git_tree_entry_id(f)))
			continue;
		size_t len = h->path.len;
		if (len)
			buf_addc(&h->path, '/');
		buf_adds(&h->path, name);
		int rc = hist_entry(h, e, f, depth);
		path_pop(&h->path, len);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Drop the candidates whose blob in tree t is the wanted one. */
static void
hist_filter(struct hist *h, git_tree *t)
{
	size_t j = 0;

	for (size_t i = 0; i < h->ncand; i++) {
		size_t k = h->cand[i];
		git_tree_entry *e = NULL;
		int same = git_tree_entry_bypath(&e, t, h->files[k].path) == 0 &&
		           git_oid_equal(git_tree_entry_id(e), &h->want[k]);
		git_tree_entry_free(e);
		if (!same)
			h->cand[j++] = k;
		else
			h->pending[k] = 1;
	}
	h->ncand = j;
}

/* Give file i its last change: commit c. */
static void
hist_assign(struct hist *h, size_t i, const git_commit *c)
{
	struct source_file *f = &h->files[i];
	const git_signature *a = git_commit_author(c);
	size_t k;

	git_oid_tostr(f->commit, sizeof(f->commit), git_commit_id(c));
	f->time = (int64_t)git_commit_time(c);
	free(f->author);
	f->author = xstrdup(a && a->name ? a->name : "");
	h->pending[i] = 0;
	h->npending--;
	for (char *s = strchr(f->path, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (smap_get(&h->dmap, f->path, &k))
			h->dpending[k]--;
		*s = '/';
	}
}

/* Tree of commit id, or NULL when it cannot be read. */
static git_tree *
commit_tree(git_repository *r, const git_oid *id)
{
	git_commit *c = NULL;
	git_tree *t = NULL;

	if (git_commit_lookup(&c, r, id) == 0 && git_commit_tree(&t, c) < 0)
		t = NULL;
	git_commit_free(c);
	return t;
}

/* Find the pending files that commit i of graph g changed, and assign
 * them. */
static int
hist_commit(struct hist *h, const struct graph *g, size_t i)
{
	const struct cnode *nd = &g->node[i];
	git_commit *c = NULL;
	git_tree *t = NULL, *p = NULL;
	int rc = -1;

	if (git_commit_lookup(&c, h->repo, &nd->id) < 0 || git_commit_tree(&t, c) < 0) {
		gerr("cannot read the history of %s", h->repopath);
		goto out;
	}
	if (nd->npar > 0 && (p = commit_tree(h->repo, &g->node[g->edge[nd->first]].id)) == NULL) {
		gerr("cannot read the history of %s", h->repopath);
		goto out;
	}
	h->ncand = 0;
	path_pop(&h->path, 0);
	if (hist_diff(h, t, p, 0) < 0)
		goto out;
	for (unsigned k = 1; k < nd->npar && h->ncand > 0; k++) {
		git_tree *o = commit_tree(h->repo, &g->node[g->edge[nd->first + k]].id);
		if (o)
			hist_filter(h, o);
		git_tree_free(o);
	}
	for (size_t k = 0; k < h->ncand; k++)
		hist_assign(h, h->cand[k], c);
	if (nd->cut && h->ncand > 0 && h->cut == NULL)
		h->cut = nd;
	rc = 0;
out:
	git_tree_free(p);
	git_tree_free(t);
	git_commit_free(c);
	return rc;
}

/* Fill in the last change of every file of s that has a blob id, walking
 * the history from commit head. */
static int
hist_run(git_repository *r, const char *repopath, const git_oid *head, struct snapshot *s)
{
	struct hist h = { .repo = r, .repopath = repopath };
	struct graph g = { 0 };
	char id[GIT_OID_HEXSZ + 1];
	int rc = -1;

	hist_init(&h, s);
	if (h.npending == 0) {
		rc = 0;
		goto out;
	}
	if (graph_load(&g, r, repopath, head) < 0)
		goto out;
	heap_push(&g, 0);
	while (h.npending > 0 && g.nheap > 0) {
		size_t i = heap_pop(&g);
		if (hist_commit(&h, &g, i) < 0)
			goto out;
		for (unsigned k = 0; k < g.node[i].npar; k++) {
			size_t p = g.edge[g.node[i].first + k];
			if (--g.node[p].indeg == 0)
				heap_push(&g, p);
		}
	}
	if (h.cut)
		problems_add(&s->problems, NULL, 0,
		             HIST_CUT
		             " (a shallow clone, "
		             "or missing commits): files last changed before commit %s show "
		             "that commit as their last change; fetch the full history",
		             git_oid_tostr(id, sizeof(id), &h.cut->id));
	rc = 0;
out:
	graph_free(&g);
	hist_free(&h);
	return rc;
}

/*
 * Loading a commit.
 */

/* The history walk of a full load, on its own thread and repository
 * handle (libgit2 objects are not shared between threads). */
struct hist_job {
	const char *repopath;
	git_oid head;
	struct snapshot *s;
	int rc;
	char *error;
};

static void *
hist_thread(void *arg)
{
	struct hist_job *j = arg;
	git_repository *r = NULL;
	j->rc = open_repo(j->repopath, &r) < 0 ? -1 : hist_run(r, j->repopath, &j->head, j->s);
	if (j->rc < 0)
		j->error = xstrdup(err_msg());
	gitrepo_close(r);
	return NULL;
}

/* Read the record blobs whose headers load_tree checked. Runs beside the
 * history walk, which writes other fields of the same files; a blob
 * that cannot be read is reported and its file dropped afterwards. */
static void
read_contents(struct load *l)
{
	struct snapshot *s = l->s;
	unsigned char *bad = xcalloc(s->nfiles + 1, 1);
	size_t nbad = 0;

	for (size_t i = 0; i < s->nfiles; i++) {
		struct source_file *f = &s->files[i];
		git_odb_object *o = NULL;
		git_oid id;
		int rc = 0;
		if (f->data != NULL || !is_record(f->path))
			continue;
		if (git_oid_fromstr(&id, f->blob) < 0 || (rc = git_odb_read(&o, l->odb, &id)) < 0) {
			if (rc < 0)
				damaged(l, rc);
			bad[i] = 1;
			nbad++;
			continue;
		}
		f->len = git_odb_object_size(o);
		f->data = xmalloc(f->len + 1);
		memcpy(f->data, git_odb_object_data(o), f->len);
		f->data[f->len] = '\0';
		git_odb_object_free(o);
	}
	l->defer = 0;
	if (nbad == 0) {
		free(bad);
		return;
	}
	const git_error *e = git_error_last();
	size_t j = 0;
	for (size_t i = 0; i < s->nfiles; i++) {
		if (!bad[i]) {
			s->files[j++] = s->files[i];
			continue;
		}
		problems_add(&s->problems, s->files[i].path, 0,
		             "cannot be read from the repository (%s); it is not loaded",
		             e && e->message ? e->message : "unknown error");
		free(s->files[i].path);
		free(s->files[i].author);
	}
	s->nfiles = j;
	free(bad);
}

/* Load the tree of commit c into l->s, then its history. The history walk
 * and reading the record blobs take about as long each, so they run at
 * once, each on its own thread. */
static int
load_commit(struct load *l, git_commit *c)
{
	git_tree *t = NULL;
	int rc = -1;
	struct hist_job hj = { .repopath = l->repopath, .head = *git_commit_id(c), .s = l->s };
	struct side th;

	git_oid_tostr(l->s->commit, sizeof(l->s->commit), git_commit_id(c));
	l->s->commit_time = (int64_t)git_commit_time(c);
	if (git_commit_tree(&t, c) < 0) {
		gerr("cannot read the tree of %s in %s", l->s->commit, l->repopath);
		goto out;
	}
	l->defer = 1;
	if (load_tree(l, t, 0) < 0)
		goto out;
	report_skipped(l);
	sort_files(l->s);
	side_start(&th, 1, "history", hist_thread, &hj);
	if (!side_started(&th)) {
		read_contents(l);
		rc = hist_run(l->repo, l->repopath, git_commit_id(c), l->s);
		goto out;
	}
	read_contents(l);
	side_join(&th);
	rc = hj.rc;
	if (rc < 0)
		err_set("%s", hj.error);
out:
	l->defer = 0;
	free(hj.error);
	git_tree_free(t);
	return rc;
}

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
		return gerr("cannot apply the ignore rules to %s", l->path.data);
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
read_wfile(struct load *l, struct source_file *f)
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
			too_big(l->s, f->path, b.len + (size_t)r, l->max_blob);
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
	struct source_file *f;
	const struct hent *h = head_find(l, l->path.data);
	git_oid id;

	if ((f = new_file(l)) == NULL)
		return 0;
	if (is_record(f->path)) {
		if ((uint64_t)st->st_size > l->max_blob) {
			too_big(l->s, f->path, (uint64_t)st->st_size, l->max_blob);
			drop_last(l);
			return 0;
		}
		if (read_wfile(l, f) < 0) {
			drop_last(l);
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
		drop_last(l);
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
			bad_name(l, names[i]);
			continue;
		}
		size_t len = path_push(l, names[i]);
		rc = walk_entry(l, depth);
		path_pop(&l->path, len);
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
		gerr("cannot read the tree of %s in %s", l->s->commit, l->repopath);
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
static int
load_worktree(struct load *l, const char *ref, const char *wt)
{
	git_commit *c = NULL;
	int rc = -1, same;

	if ((l->root = open(wt, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set("cannot read the work tree %s: %s", wt, strerror(errno));
	if (use_workdir(l->repo, wt, &same) < 0) {
		gerr("cannot use %s as the work tree of %s", wt, l->repopath);
		goto out;
	}
	if (same)
		open_index(l);
	if (!(unborn(l->repo) && strcmp(ref, "HEAD") == 0) &&
	    (resolve(l->repo, l->repopath, ref, &c) < 0 || load_head(l, c) < 0))
		goto out;
	if (walk_dir(l, 0) < 0) {
		err_set("%s (work tree %s)", err_msg(), wt);
		goto out;
	}
	report_skipped(l);
	sort_files(l->s);
	if (c && hist_run(l->repo, l->repopath, git_commit_id(c), l->s) < 0)
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

/*
 * Updating a snapshot to a later commit.
 *
 * When the new commit descends from the previous snapshot's commit along
 * single-parent commits only, the one-walk answer for a file can be found
 * from those commits alone: a file that one of them changed gets its last
 * change there, and a file none of them changed has the blob and the last
 * change it had before, because the walk below the previous commit is the
 * same walk. Anything else (a merge on the way, a commit that does not
 * descend, a shallow or incomplete history, a work-tree snapshot) is loaded
 * in full.
 */

/* Single-parent commits walked at most before loading in full. */
#define MAX_CHAIN 1000

/* The commits from n back to a, newest first, a excluded, into *v (the
 * caller's); 0, or 1 when n does not reach a along single-parent
 * commits within MAX_CHAIN, or -1 on error. */
static int
chain(git_repository *r, const git_oid *a, const git_oid *n, git_oid **v, size_t *nv)
{
	git_commit *c = NULL;
	git_oid id;
	size_t cap = 0;
	int rc = 1;

	*v = NULL;
	*nv = 0;
	git_oid_cpy(&id, n);
	while (!git_oid_equal(&id, a)) {
		if (*nv == MAX_CHAIN)
			goto out;
		if (git_commit_lookup(&c, r, &id) < 0) {
			rc = gerr("cannot read commit %s", git_oid_tostr_s(&id));
			goto out;
		}
		if (git_commit_parentcount(c) != 1)
			goto out;
		if (*nv == cap) {
			cap = cap ? cap * 2 : 16;
			*v = xreallocarray(*v, cap, sizeof(**v));
		}
		git_oid_cpy(&(*v)[(*nv)++], &id);
		git_oid_cpy(&id, git_commit_parent_id(c, 0));
		git_commit_free(c);
		c = NULL;
	}
	rc = 0;
out:
	git_commit_free(c);
	if (rc != 0) {
		free(*v);
		*v = NULL;
		*nv = 0;
	}
	return rc;
}

/* Assign the pending files that commit id changed against its parent
 * pid. */
static int
hist_linear(struct hist *h, const git_oid *id, const git_oid *pid)
{
	git_commit *c = NULL;
	git_tree *t = NULL, *p = NULL;
	int rc = -1;

	if (git_commit_lookup(&c, h->repo, id) < 0 || git_commit_tree(&t, c) < 0 ||
	    (p = commit_tree(h->repo, pid)) == NULL) {
		gerr("cannot read the history of %s", h->repopath);
		goto out;
	}
	h->ncand = 0;
	path_pop(&h->path, 0);
	if (hist_diff(h, t, p, 0) < 0)
		goto out;
	for (size_t k = 0; k < h->ncand; k++)
		hist_assign(h, h->cand[k], c);
	rc = 0;
out:
	git_tree_free(p);
	git_tree_free(t);
	git_commit_free(c);
	return rc;
}

/* Take the last change of file f, unchanged since prev, from prev; 0, or
 * 1 when prev does not know it. */
static int
hist_keep(struct source_file *f, const struct snapshot *prev)
{
	const struct source_file *pf = snapshot_find(prev, f->path);

	if (pf == NULL || pf->commit[0] == '\0' || strcmp(pf->blob, f->blob) != 0)
		return 1;
	memcpy(f->commit, pf->commit, sizeof(f->commit));
	f->time = pf->time;
	free(f->author);
	f->author = pf->author ? xstrdup(pf->author) : NULL;
	return 0;
}

/* Fill in the last change of every file of s from the commits v (newest
 * first; the last one's parent is a) and prev, at a. 0, 1 when prev
 * cannot answer for some file, or -1 on error. */
static int
hist_update(git_repository *r, const char *repopath, const git_oid *v, size_t nv, const git_oid *a,
            struct snapshot *s, const struct snapshot *prev)
{
	struct hist h = { .repo = r, .repopath = repopath };
	int rc = 0;

	hist_init(&h, s);
	for (size_t i = 0; i < nv && h.npending > 0 && rc == 0; i++)
		rc = hist_linear(&h, &v[i], i + 1 < nv ? &v[i + 1] : a);
	for (size_t i = 0; i < s->nfiles && rc == 0; i++)
		if (h.pending[i])
			rc = hist_keep(&s->files[i], prev);
	hist_free(&h);
	return rc;
}

/* 1 when prev can be updated: a commit's snapshot with a complete
 * history. */
static int
updatable(const struct snapshot *prev)
{
	if (prev == NULL || prev->worktree || prev->commit[0] == '\0')
		return 0;
	for (size_t i = 0; i < prev->problems.n; i++) {
		const struct problem *p = &prev->problems.v[i];
		if (p->path == NULL && strncmp(p->msg, HIST_CUT, strlen(HIST_CUT)) == 0)
			return 0;
	}
	return 1;
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
	if ((rc = chain(l->repo, &a, git_commit_id(c), &v, &nv)) != 0)
		return rc;
	git_oid_tostr(l->s->commit, sizeof(l->s->commit), git_commit_id(c));
	l->s->commit_time = (int64_t)git_commit_time(c);
	rc = -1;
	if (git_commit_tree(&t, c) < 0) {
		gerr("cannot read the tree of %s in %s", l->s->commit, l->repopath);
		goto out;
	}
	if (load_tree(l, t, 0) < 0)
		goto out;
	report_skipped(l);
	sort_files(l->s);
	rc = hist_update(l->repo, l->repopath, v, nv, &a, l->s, l->prev);
out:
	git_tree_free(t);
	free(v);
	return rc;
}

/*
 * The interface.
 */

int
source_load(const char *repo, const char *ref, const char *worktree,
            const struct source_limits *lim, struct snapshot **out)
{
	struct load l = { .repopath = repo, .root = -1 };
	git_commit *c = NULL;
	int rc = -1;

	*out = NULL;
	if (ref == NULL || *ref == '\0')
		ref = "HEAD";
	if (open_repo(repo, &l.repo) < 0)
		return -1;
	l.max_blob = lim && lim->max_blob ? lim->max_blob : SOURCE_DEFAULT_MAX_BLOB;
	l.max_files = lim && lim->max_files ? lim->max_files : SOURCE_DEFAULT_MAX_FILES;
	l.s = xcalloc(1, sizeof(*l.s));
	l.s->ref = xstrdup(ref);
	l.s->worktree = worktree != NULL;
	if (git_repository_odb(&l.odb, l.repo) < 0) {
		gerr("cannot open the object database of %s", repo);
		goto out;
	}
	if (worktree) {
		if (load_worktree(&l, ref, worktree) < 0)
			goto out;
	} else if (resolve(l.repo, repo, ref, &c) < 0 || load_commit(&l, c) < 0)
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
	gitrepo_close(l.repo);
	buf_free(&l.path);
	free(l.damage);
	return rc;
}

int
source_update(const struct snapshot *prev, const char *repo, const char *ref,
              const struct source_limits *lim, struct snapshot **out)
{
	struct load l = { .repopath = repo, .root = -1, .prev = prev };
	git_commit *c = NULL;
	int rc = -1;

	*out = NULL;
	if (ref == NULL || *ref == '\0')
		ref = "HEAD";
	if (!updatable(prev))
		return source_load(repo, ref, NULL, lim, out);
	if (open_repo(repo, &l.repo) < 0)
		return -1;
	l.max_blob = lim && lim->max_blob ? lim->max_blob : SOURCE_DEFAULT_MAX_BLOB;
	l.max_files = lim && lim->max_files ? lim->max_files : SOURCE_DEFAULT_MAX_FILES;
	l.s = xcalloc(1, sizeof(*l.s));
	l.s->ref = xstrdup(ref);
	if (git_repository_odb(&l.odb, l.repo) < 0) {
		gerr("cannot open the object database of %s", repo);
		goto out;
	}
	if (resolve(l.repo, repo, ref, &c) < 0 || (rc = update_commit(&l, c)) < 0) {
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
	gitrepo_close(l.repo);
	buf_free(&l.path);
	free(l.damage);
	if (rc == 1)
		return source_load(repo, ref, NULL, lim, out);
	return rc;
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
	return strcmp(key, ((const struct source_file *)f)->path);
}

const struct source_file *
snapshot_find(const struct snapshot *s, const char *path)
{
	if (s == NULL || path == NULL || s->nfiles == 0)
		return NULL;
	return bsearch(path, s->files, s->nfiles, sizeof(*s->files), cmp_find);
}

/* Add both paths of every delta of d to the list *v of *n (capacity
 * *cap). */
static void
delta_paths(git_diff *d, char ***v, size_t *n, size_t *cap)
{
	size_t nd = git_diff_num_deltas(d);

	for (size_t i = 0; i < nd; i++) {
		const git_diff_delta *dl = git_diff_get_delta(d, i);
		const char *p[2] = { dl->old_file.path, dl->new_file.path };
		for (int k = 0; k < 2; k++) {
			if (p[k] == NULL)
				continue;
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 32;
				*v = xreallocarray(*v, *cap, sizeof(**v));
			}
			(*v)[(*n)++] = xstrdup(p[k]);
		}
	}
}

/* Sort the list and drop repeated paths. */
static void
uniq_paths(char **v, size_t *n)
{
	size_t j = 0;

	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < *n; i++) {
		if (j > 0 && strcmp(v[j - 1], v[i]) == 0)
			free(v[i]);
		else
			v[j++] = v[i];
	}
	*n = j;
}

/* Tree of commit spec into *t, or NULL for a NULL or empty spec. */
static int
spec_tree(git_repository *r, const char *repo, const char *spec, git_tree **t)
{
	git_commit *c = NULL;
	int rc;

	*t = NULL;
	if (spec == NULL || *spec == '\0')
		return 0;
	if (resolve(r, repo, spec, &c) < 0)
		return -1;
	rc = git_commit_tree(t, c);
	git_commit_free(c);
	if (rc < 0)
		return gerr("cannot read the tree of '%s' in %s", spec, repo);
	return 0;
}

int
source_changed_paths(const char *repo, const char *old_commit, const char *new_commit,
                     char ***paths, size_t *n)
{
	git_diff_options opts;
	git_repository *r = NULL;
	git_tree *a = NULL, *b = NULL;
	git_diff *d = NULL;
	char **v = NULL;
	size_t nv = 0, cap = 0;
	int rc = -1;

	*paths = NULL;
	*n = 0;
	if (open_repo(repo, &r) < 0)
		return -1;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	if (spec_tree(r, repo, old_commit, &a) < 0 ||
	    spec_tree(r, repo, new_commit && *new_commit ? new_commit : "HEAD", &b) < 0)
		goto out;
	if (git_diff_tree_to_tree(&d, r, a, b, &opts) < 0) {
		gerr("cannot compare two commits of %s", repo);
		goto out;
	}
	delta_paths(d, &v, &nv, &cap);
	uniq_paths(v, &nv);
	*paths = v;
	*n = nv;
	rc = 0;
out:
	git_diff_free(d);
	git_tree_free(a);
	git_tree_free(b);
	gitrepo_close(r);
	return rc;
}
