/* graph.h - the commit graph from one commit, walked newest first with
 * every commit before its parents (as git log --topo-order
 * --date-order). Commits whose parents are missing, as at the edge of a
 * shallow clone, count as roots. Used by the history walk. */
#ifndef ISMS_GRAPH_H
#define ISMS_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

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

/* Discover every commit reachable from head in r (at repopath, for the
 * message). Returns 0, or -1 with err_msg(); free g with graph_free
 * either way. */
int graph_load(struct graph *g, git_repository *r, const char *repopath, const git_oid *head);
void graph_free(struct graph *g);
/* Add node i to the commits ready to walk. */
void graph_push(struct graph *g, size_t i);
/* Take the next commit to walk. */
size_t graph_pop(struct graph *g);

#endif
