/* treediff.c - the paths that differ between two commits, for
 * incremental evaluation. */
#include "treediff.h"

#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "alloc.h"
#include "gitcache.h"
#include "snapshot_int.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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
	if (snapshot_resolve(r, repo, spec, &c) < 0)
		return -1;
	rc = git_commit_tree(t, c);
	git_commit_free(c);
	if (rc < 0)
		return snapshot_git_err("cannot read the tree of '%s' in %s", spec, repo);
	return 0;
}

int
treediff_paths(const char *repo, const char *old_commit, const char *new_commit, char ***paths,
               size_t *n)
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
	if (snapshot_open(repo, &r) < 0)
		return -1;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	if (spec_tree(r, repo, old_commit, &a) < 0 ||
	    spec_tree(r, repo, new_commit && *new_commit ? new_commit : "HEAD", &b) < 0)
		goto out;
	if (git_diff_tree_to_tree(&d, r, a, b, &opts) < 0) {
		snapshot_git_err("cannot compare two commits of %s", repo);
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
	gitcache_close(r);
	return rc;
}
