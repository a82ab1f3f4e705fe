/* graph.c - the commit graph from one commit, walked newest first with
 * every commit before its parents (see graph.h). */
#include "graph.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "err.h"
#include "sys.h"

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
int
graph_load(struct graph *g, git_repository *r, const char *repopath, const git_oid *head)
{
	git_commit *c;

	if (git_commit_lookup(&c, r, head) < 0) {
		const git_error *e = git_error_last();
		return err_set("cannot read the history of %s: %s", repopath,
		               e && e->message ? e->message : "unknown error");
	}
	graph_shallow(g, r);
	graph_add(g, c);
	for (size_t i = 0; i < g->n; i++)
		graph_parents(g, r, i);
	g->heap = xcalloc(g->n, sizeof(*g->heap));
	return 0;
}

void
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
void
graph_push(struct graph *g, size_t i)
{
	size_t k = g->nheap++;

	g->heap[k] = i;
	while (k > 0 && heap_before(g, g->heap[k], g->heap[(k - 1) / 2])) {
		heap_swap(g, k, (k - 1) / 2);
		k = (k - 1) / 2;
	}
}

/* Take the next commit to walk. */
size_t
graph_pop(struct graph *g)
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
