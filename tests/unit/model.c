/* model.c - tests for the record model: a model updated from the previous
 * commit's model is the model built from scratch, field for field, and it
 * shares the parsed documents of unchanged files. The fixture is the
 * example ISMS committed into a private sandbox, changed commit by commit
 * with the git command line. */
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model.h"
#include "tap.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"
#include "problems.h"

#ifndef EXAMPLE_DIR
#define EXAMPLE_DIR "contrib/example-isms/records"
#endif

static char sandbox[PATH_MAX];
static char repo[PATH_MAX + 8];
static long tick = 1700000000L;

static int sh(const char *fmt, ...) PRINTF(1, 2);

/* Run a shell command in the repository; its exit status. */
static int
sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = xvasprintf(fmt, ap);
	va_end(ap);
	char *full = xasprintf("cd '%s' && { %s ; } >>'%s/log' 2>&1", repo, cmd, sandbox);
	int st = system(full);
	free(full);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

/* Run a command that must succeed; stop the test when it fails. */
#define must(...)                                                                                  \
	do {                                                                                       \
		if (sh(__VA_ARGS__) != 0) {                                                        \
			printf("# setup failed at line %d (see %s/log)\n", __LINE__, sandbox);     \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

/* Remove the sandbox, unless ISMS_KEEP_SANDBOX is set. */
static void
cleanup(void)
{
	if (sandbox[0] == '\0' || getenv("ISMS_KEEP_SANDBOX"))
		return;
	char *rm = xasprintf("rm -rf '%s'", sandbox);
	if (system(rm) != 0)
		printf("# could not remove %s\n", sandbox);
	free(rm);
}

/* Write text to path in the repository. */
static void
put(const char *path, const char *text)
{
	char *full = xasprintf("%s/%s", repo, path);
	FILE *f = fopen(full, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		printf("# cannot write %s\n", full);
		exit(1);
	}
	free(full);
}

/* Commit everything, one second after the last commit. */
static void
commit(const char *msg)
{
	tick++;
	must("git add -A && GIT_AUTHOR_DATE='%ld +0000' GIT_COMMITTER_DATE='%ld +0000' "
	     "git commit -q --allow-empty -m '%s'",
	     tick, tick, msg);
}

/* The snapshot of HEAD; NULL with a diagnostic on failure. */
static struct snapshot *
head(void)
{
	struct snapshot *s = NULL;
	if (snapshot_load(repo, NULL, NULL, NULL, &s) < 0)
		printf("# snapshot_load: %s\n", err_msg());
	return s;
}

/* 1 when two node trees are equal in kind, position and value. */
static int
same_node(const struct node *a, const struct node *b)
{
	return a == NULL || b == NULL ? a == b : doc_node_same(a, b);
}

/* 1 when two parsed documents hold the same content. */
static int
same_doc(const struct doc *a, const struct doc *b)
{
	return strcmp(a->path, b->path) == 0 && a->format == b->format &&
	       same_node(a->root, b->root) && a->body_len == b->body_len &&
	       (!a->body == !b->body) && (!a->body || memcmp(a->body, b->body, a->body_len) == 0) &&
	       a->body_line == b->body_line && (!a->error == !b->error) &&
	       (!a->error || strcmp(a->error, b->error) == 0) && a->error_line == b->error_line;
}

/* 1 when two problem lists are equal, in order. */
static int
same_problems(const struct problems *a, const struct problems *b)
{
	if (a->n != b->n) {
		printf("# %zu problems, want %zu\n", a->n, b->n);
		return 0;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct problem *p = &a->v[i], *q = &b->v[i];
		if ((!p->path != !q->path) || (p->path && strcmp(p->path, q->path)) ||
		    p->line != q->line || p->note != q->note || strcmp(p->msg, q->msg)) {
			printf("# problem %zu: '%s', want '%s'\n", i, p->msg, q->msg);
			return 0;
		}
	}
	return 1;
}

/* 1 when two models of the same snapshot are equal in every field. */
static int
same_model(const struct model *a, const struct model *b)
{
	size_t nt;
	record_types(&nt);
	if (a->snap != b->snap || a->ndocs != b->ndocs || strcmp(a->tz, b->tz) != 0 ||
	    (!a->manifest != !b->manifest) ||
	    (a->manifest && a->manifest->file != b->manifest->file))
		return 0;
	for (size_t i = 0; i < a->ndocs; i++) {
		const struct model_doc *x = &a->docs[i], *y = &b->docs[i];
		if (x->file != y->file || x->type != y->type || !same_doc(x->doc, y->doc)) {
			printf("# document %s differs\n", x->file->path);
			return 0;
		}
	}
	for (size_t t = 0; t < nt; t++) {
		if (a->npatterns[t] != b->npatterns[t])
			return 0;
		for (size_t k = 0; k < a->npatterns[t]; k++)
			if (strcmp(a->patterns[t][k], b->patterns[t][k]) != 0)
				return 0;
	}
	return same_problems(&a->problems, &b->problems);
}

/* Whether m has a problem whose message holds what. */
static int
has_problem(const struct model *m, const char *what)
{
	for (size_t i = 0; i < m->problems.n; i++)
		if (strstr(m->problems.v[i].msg, what))
			return 1;
	return 0;
}

/* Count the documents of m that are the very documents of prev. */
static size_t
shared(const struct model *m, const struct model *prev)
{
	size_t n = 0;
	for (size_t i = 0; i < m->ndocs; i++) {
		const struct model_doc *pd = model_find(prev, m->docs[i].file->path);
		n += pd && pd->doc == m->docs[i].doc;
	}
	return n;
}

struct state {
	struct snapshot *snap;
	struct model *model;
};

/* Load HEAD, update the model from st and compare it with a full build;
 * want_shared is how many documents must be shared with the previous
 * model ((size_t)-1: do not check). st moves to HEAD; the previous
 * snapshot is freed before the previous model, and the previous model
 * before the new one, so that a document still in use would be found
 * freed. */
static void
step(struct state *st, size_t want_shared, const char *what)
{
	struct snapshot *s = head();
	struct model *u = NULL, *f = NULL;
	if (s == NULL) {
		ok(0, "%s: loads", what);
		return;
	}
	int urc = model_update(st->model, s, &u);
	int frc = model_build(s, &f);
	is_int(urc, frc, "%s: update and build agree on success", what);
	if (urc == 0 && frc == 0) {
		ok(same_model(u, f), "%s: the updated model is the built one", what);
		if (st->model && want_shared != (size_t)-1)
			is_int(shared(u, st->model), want_shared, "%s: documents shared", what);
	}
	model_free(f);
	snapshot_free(st->snap);
	model_free(st->model);
	st->snap = s;
	st->model = u;
}

/* Number of record files of the snapshot, as the model counts them. */
static size_t
nrecords(const struct snapshot *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nfiles; i++)
		n += s->files[i].data && doc_format_of(s->files[i].path) >= 0;
	return n;
}

/* Free a model on another thread. */
static void *
free_model(void *arg)
{
	model_free(arg);
	return NULL;
}

static void
t_update(void)
{
	struct state st = { 0 };

	step(&st, (size_t)-1, "first build");
	ok(st.model != NULL, "first build: an ISMS");
	size_t n = st.snap ? nrecords(st.snap) : 0;
	ok(n > 20, "first build: %zu record files", n);

	commit("nothing");
	step(&st, n, "an empty commit shares every document");

	must("printf '\\nBenchmark note.\\n' >> policies/backup-policy.md");
	commit("edit a policy");
	step(&st, n - 1, "an edit re-parses one file");

	/* Edits within one risk: only that risk is parsed again (doc_update),
	 * and the model, problems and lines included, is the full build's. */
	must("sed -i '0,/^    likelihood: 4$/s//    likelihood: 3/' risk/register.yaml");
	commit("one value of a risk");
	step(&st, n - 1, "one value of a risk changed");
	must("sed -i '0,/^    impact: 5$/s//    impact: 5\\n    impact_note: [a, b]\\n    review_note: later/' "
	     "risk/register.yaml");
	commit("lines added to a risk, one of them not in the schema");
	step(&st, n - 1, "lines added to risks: later risks move down");
	must("sed -i '/^    impact_note:/d; /^    review_note:/d' risk/register.yaml");
	commit("lines removed");
	step(&st, n - 1, "lines removed from risks: later risks move up");
	must("printf '  - id: R-01\\n    title: twice\\n' >> risk/register.yaml");
	commit("a risk appended with an id in use");
	step(&st, n - 1, "a risk appended at the end");

	/* An id used in two files is a problem of the model; an edit of a
	 * file of another type keeps it, one of the type works it out again. */
	put("assets/more.yaml", "assets:\n  - id: AS-APP-01\n    name: twice\n");
	commit("an asset id in two files");
	step(&st, n, "an asset id used in two files");
	n += 1;
	must("printf '\\nMore.\\n' >> policies/backup-policy.md");
	commit("a policy edited");
	step(&st, n - 1, "another type's file edited: the id problem stays");
	ok(st.model && has_problem(st.model, "is also used at"), "the id problem is reported");
	must("sed -i 's/name: twice/name: once more/' assets/more.yaml");
	commit("the duplicate asset renamed");
	step(&st, n - 1, "the file with the id edited");
	must("git rm -q assets/more.yaml");
	commit("the duplicate asset removed");
	step(&st, n - 1, "the file with the id removed");
	n -= 1;
	ok(st.model && !has_problem(st.model, "is also used at"), "the id problem is gone");

	put("risk/register.yaml", "risks: [unclosed\n");
	commit("break the register");
	step(&st, n - 1, "a file that does not parse");

	put("policies/stray.md", "---\ntitle: stray\n---\nNo type.\n");
	put("policies/typo.yaml", "type: polcy\nid: x\n");
	must("mkdir -p notes");
	put("notes/todo.md", "# To do\n");
	commit("add records");
	step(&st, n, "added files, one of an unknown type");
	n += 3;

	must("git rm -q policies/stray.md && git mv policies/typo.yaml policies/typo2.yaml");
	commit("delete and rename");
	step(&st, n - 2, "a delete and a rename");
	n -= 1;

	must("git checkout -q HEAD~3 -- risk/register.yaml");
	commit("restore the register");
	step(&st, n - 1, "a file restored");

	must("sed -i 's|^  - README.md$|  - README.md\\n  - notes/todo.md|' isms.yaml");
	commit("manifest change");
	step(&st, n - 1, "a file ignored in isms.yaml");

	must("printf 'paths:\\n  policy: \"notes/*.md policies/*.md procedures/*.md\"\\n' "
	     ">> isms.yaml");
	commit("manifest paths");
	step(&st, n - 1, "changed record paths re-type files");
	const struct model_doc *todo = st.model ? model_find(st.model, "notes/todo.md") : NULL;
	ok(todo && todo->type && strcmp(todo->type->name, "policy") == 0,
	   "changed record paths: notes/todo.md is now a policy");

	must("git checkout -q HEAD~2 -- isms.yaml");
	commit("manifest back");
	step(&st, n - 1, "isms.yaml restored");

	must("git rm -q isms.yaml");
	commit("no manifest");
	step(&st, (size_t)-1, "isms.yaml removed");
	ok(st.model == NULL, "isms.yaml removed: not an ISMS, for both");
	like(err_msg(), "no isms.yaml at the top", "isms.yaml removed: says so");

	must("git checkout -q HEAD~1 -- isms.yaml");
	commit("manifest again");
	step(&st, (size_t)-1, "isms.yaml back, from no model");

	/* A work-tree snapshot: changed files have no blob id and are never
	 * taken from the previous model. */
	must("printf '\\nUncommitted.\\n' >> policies/backup-policy.md");
	struct snapshot *w = NULL;
	struct model *u = NULL, *f = NULL;
	ok(snapshot_load(repo, NULL, repo, NULL, &w) == 0, "work tree: loads");
	ok(w && model_update(st.model, w, &u) == 0 && model_build(w, &f) == 0,
	   "work tree: update and build");
	if (u && f) {
		ok(same_model(u, f), "work tree: the updated model is the built one");
		const struct model_doc *d = model_find(u, "policies/backup-policy.md");
		const struct model_doc *p = model_find(st.model, "policies/backup-policy.md");
		ok(d && p && d->doc != p->doc, "work tree: the changed file is parsed again");
		ok(d && d->doc->body && strstr(d->doc->body, "Uncommitted."),
		   "work tree: with its new content");
	}
	must("git checkout -q -- policies/backup-policy.md");

	/* Documents outlive the model they came from, on another thread. */
	pthread_t th;
	pthread_create(&th, NULL, free_model, st.model);
	pthread_join(th, NULL);
	st.model = NULL;
	snapshot_free(st.snap);
	st.snap = NULL;
	const struct model_doc *d = u ? model_find(u, "isms.yaml") : NULL;
	ok(d && d->doc->root && node_get(d->doc->root, "organisation"),
	   "a shared document outlives the model it came from");
	model_free(u);
	model_free(f);
	snapshot_free(w);
	model_free(st.model);
	snapshot_free(st.snap);
}

int
main(void)
{
	char tmpl[] = "/tmp/isms-model-XXXXXX";
	char cwd[PATH_MAX];

	if (mkdtemp(tmpl) == NULL || getcwd(cwd, sizeof(cwd)) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(sandbox, sizeof(sandbox), "%s", tmpl);
	snprintf(repo, sizeof(repo), "%s/repo", sandbox);
	atexit(cleanup);
	setenv("HOME", sandbox, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "Alice", 1);
	setenv("GIT_AUTHOR_EMAIL", "alice@example.org", 1);
	setenv("GIT_COMMITTER_NAME", "Alice", 1);
	setenv("GIT_COMMITTER_EMAIL", "alice@example.org", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	char *cp = xasprintf("mkdir -p '%s' && cp -R '%s/%s/.' '%s' && cd '%s' && "
	                     "git init -q -b main . && git config commit.gpgsign false",
	                     repo, cwd, EXAMPLE_DIR, repo, repo);
	if (system(cp) != 0) {
		printf("# cannot copy the example ISMS\n");
		free(cp);
		return 1;
	}
	free(cp);
	commit("the example ISMS");

	t_update();
	return done_testing();
}
