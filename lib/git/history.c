/* history.c - the commit that last changed each file of a snapshot, from
 * one walk of the history, and the same answer carried forward to a later
 * commit from the commits in between. */

#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "alloc.h"
#include "buf.h"
#include "graph.h"
#include "problems.h"
#include "snapshot.h"
#include "snapshot_int.h"
#include "strset.h"

/*
 * A string-to-index map with open addressing, for path look-ups during the
 * history walk. Keys are borrowed.
 */

struct smap {
	const char **key;
	size_t *val;
	size_t mask;
};

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
	size_t i = (size_t)str_hash(key) & m->mask;

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
	struct snapshot_file *files;
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
		struct snapshot_file *f = &s->files[i];
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
			rc = snapshot_git_err("cannot read the history of %s", h->repopath);
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
		snapshot_path_pop(&h->path, len);
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
	struct snapshot_file *f = &h->files[i];
	const git_signature *a = git_commit_author(c);
	size_t k;

	git_oid_tostr(f->commit, sizeof(f->commit), git_commit_id(c));
	f->time = (int64_t)git_commit_time(c);
	free(f->author);
	f->author = xstrdup(a && a->name ? a->name : "");
	h->pending[i] = 0;
	h->npending--;
	/* Its directories, cut from a copy: the loading thread reads f->path
	 * meanwhile. */
	char *dir = xstrdup(f->path);
	for (char *s = strchr(dir, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (smap_get(&h->dmap, dir, &k))
			h->dpending[k]--;
		*s = '/';
	}
	free(dir);
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
		snapshot_git_err("cannot read the history of %s", h->repopath);
		goto out;
	}
	if (nd->npar > 0 && (p = commit_tree(h->repo, &g->node[g->edge[nd->first]].id)) == NULL) {
		snapshot_git_err("cannot read the history of %s", h->repopath);
		goto out;
	}
	h->ncand = 0;
	snapshot_path_pop(&h->path, 0);
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
int
history_walk(git_repository *r, const char *repopath, const git_oid *head, struct snapshot *s)
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
	graph_push(&g, 0);
	while (h.npending > 0 && g.nheap > 0) {
		size_t i = graph_pop(&g);
		if (hist_commit(&h, &g, i) < 0)
			goto out;
		for (unsigned k = 0; k < g.node[i].npar; k++) {
			size_t p = g.edge[g.node[i].first + k];
			if (--g.node[p].indeg == 0)
				graph_push(&g, p);
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
int
history_chain(git_repository *r, const git_oid *a, const git_oid *n, git_oid **v, size_t *nv)
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
			rc = snapshot_git_err("cannot read commit %s", git_oid_tostr_s(&id));
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
		snapshot_git_err("cannot read the history of %s", h->repopath);
		goto out;
	}
	h->ncand = 0;
	snapshot_path_pop(&h->path, 0);
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
hist_keep(struct snapshot_file *f, const struct snapshot *prev)
{
	const struct snapshot_file *pf = snapshot_find(prev, f->path);

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
int
history_update(git_repository *r, const char *repopath, const git_oid *v, size_t nv,
               const git_oid *a, struct snapshot *s, const struct snapshot *prev)
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
int
history_reusable(const struct snapshot *prev)
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
