/* snapshot.c - tests for the snapshot loader: fixture repositories are built with
 * the git command line in a private sandbox, and every last-change answer
 * is checked against `git log -1 -- path`. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snapshot.h"
#include "treediff.h"
#include "tap.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "problems.h"

static char sandbox[PATH_MAX];
static const long T0 = 1700000000L;

static int sh(const char *fmt, ...) PRINTF(1, 2);
static char *capture(const char *fmt, ...) PRINTF(1, 2);

/* Run a shell command in the sandbox; its exit status. */
static int
sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = xvasprintf(fmt, ap);
	va_end(ap);
	char *full = xasprintf("cd '%s' && { %s ; } >>'%s/log' 2>&1", sandbox, cmd, sandbox);
	int st = system(full);
	int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
	free(full);
	free(cmd);
	return rc;
}

static void setup_failed(int line);

/* Run a command that must succeed; stop the test when it fails. */
#define must(...)                                                                                  \
	do {                                                                                       \
		if (sh(__VA_ARGS__) != 0)                                                          \
			setup_failed(__LINE__);                                                    \
	} while (0)

/* Output of a shell command run in the sandbox, without the trailing
 * newline; the caller frees it. */
static char *
capture(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = xvasprintf(fmt, ap);
	va_end(ap);
	char *full = xasprintf("cd '%s' && %s", sandbox, cmd);
	FILE *p = popen(full, "r");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;

	while (p && (n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_add(&b, chunk, n);
	if (p)
		pclose(p);
	while (b.len > 0 && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	free(full);
	free(cmd);
	return buf_steal(&b);
}

/* Report a failed set-up step with the end of its output, and stop. */
static void
setup_failed(int line)
{
	char *log = capture("tail -5 log");

	printf("# setup command failed at line %d:\n", line);
	for (char *l = strtok(log, "\n"); l; l = strtok(NULL, "\n"))
		printf("#   %s\n", l);
	free(log);
	exit(1);
}

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

/* Write a file below the sandbox, creating its directories. */
static void
put(const char *repo, const char *path, const char *text)
{
	char *full = xasprintf("%s/%s/%s", sandbox, repo, path);
	char *dir = xstrdup(full);
	*strrchr(dir, '/') = '\0';
	must("mkdir -p '%s'", dir);
	FILE *f = fopen(full, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		printf("# cannot write %s\n", full);
		exit(1);
	}
	free(dir);
	free(full);
}

/* Commit everything in repo at time t by author; returns the commit id,
 * the caller's. */
static char *
commit(const char *repo, long t, const char *author, const char *msg)
{
	must("cd %s && git add -A && GIT_AUTHOR_NAME='%s' "
	     "GIT_AUTHOR_DATE='%ld +0000' GIT_COMMITTER_DATE='%ld +0000' "
	     "git commit -q --allow-empty -m '%s'",
	     repo, author, t, t, msg);
	return capture("cd %s && git rev-parse HEAD", repo);
}

static char *
repo_path(const char *name)
{
	return xasprintf("%s/%s", sandbox, name);
}

/* Load repo (a sandbox name) at ref; NULL with a diagnostic on failure. */
static struct snapshot *
load(const char *name, const char *ref, const char *wt, const struct snapshot_limits *lim)
{
	char *r = repo_path(name);
	char *w = wt ? repo_path(wt) : NULL;
	struct snapshot *s = NULL;

	if (snapshot_load(r, ref, w, lim, &s) < 0)
		printf("# snapshot_load %s: %s\n", name, err_msg());
	free(r);
	free(w);
	return s;
}

/* Compare every file's last change with git log at commit. */
static void
check_log(const char *repo, const struct snapshot *s, const char *what)
{
	int bad = 0;

	for (size_t i = 0; i < s->nfiles; i++) {
		const struct snapshot_file *f = &s->files[i];
		if (f->commit[0] == '\0')
			continue;
		char *want = capture("cd %s && git log -1 --format='%%H %%ct "
		                     "%%an' %s -- '%s'",
		                     repo, s->commit, f->path);
		char *got = xasprintf("%s %lld %s", f->commit, (long long)f->time,
		                      f->author ? f->author : "(null)");
		if (strcmp(want, got) != 0) {
			printf("# %s: got '%s', git log says '%s'\n", f->path, got, want);
			bad++;
		}
		free(want);
		free(got);
	}
	ok(bad == 0, "%s: last change of every file agrees with git log", what);
}

/* 1 when the files are sorted by path, strictly. */
static int
sorted(const struct snapshot *s)
{
	for (size_t i = 1; i < s->nfiles; i++)
		if (strcmp(s->files[i - 1].path, s->files[i].path) >= 0)
			return 0;
	return 1;
}

/* 1 when two snapshots hold the same commit, files and history. */
static int
same_snapshot(const struct snapshot *a, const struct snapshot *b)
{
	if (a == NULL || b == NULL || strcmp(a->commit, b->commit) != 0 ||
	    a->commit_time != b->commit_time || a->nfiles != b->nfiles ||
	    a->problems.n != b->problems.n)
		return 0;
	for (size_t i = 0; i < a->nfiles; i++) {
		const struct snapshot_file *f = &a->files[i], *g = &b->files[i];
		if (strcmp(f->path, g->path) || strcmp(f->blob, g->blob) ||
		    strcmp(f->commit, g->commit) || f->time != g->time || f->len != g->len ||
		    (!f->data != !g->data) || (f->data && memcmp(f->data, g->data, f->len)) ||
		    (!f->author != !g->author) || (f->author && strcmp(f->author, g->author))) {
			printf("# differs at %s\n", f->path);
			return 0;
		}
	}
	return 1;
}

/* The problem about path, or NULL. */
static const struct problem *
problem_for(const struct snapshot *s, const char *path)
{
	for (size_t i = 0; i < s->problems.n; i++) {
		const char *p = s->problems.v[i].path;
		if ((p == NULL && path == NULL) || (p && path && !strcmp(p, path)))
			return &s->problems.v[i];
	}
	return NULL;
}

static const char *
problem_msg(const struct snapshot *s, const char *path)
{
	const struct problem *p = problem_for(s, path);
	return p ? p->msg : NULL;
}

/*
 * The fixture repositories.
 */

static char *simple_c[6];

/* Five commits by five authors, with files in directories, a binary
 * evidence file and a change that is later reverted. */
static void
make_simple(void)
{
	must("git init -q simple");
	put("simple", "isms.yaml", "organisation: Example\n");
	put("simple", "policies/infosec.md", "---\nowner: ciso\n---\n# Policy\n");
	put("simple", "risk/register.yaml", "risks: []\n");
	put("simple", "Data.JSON", "{\"a\": 1}\n");
	put("simple", "docs/Readme.MD", "# Readme\n");
	put("simple", "docs/notes.txt", "notes\n");
	must("mkdir -p simple/evidence && "
	     "printf 'PDF\\000\\001\\002' > simple/evidence/scan.pdf");
	simple_c[1] = commit("simple", T0, "Alice", "first");
	put("simple", "risk/register.yaml", "risks:\n  - id: R1\n");
	put("simple", "policies/access.md", "# Access\n");
	simple_c[2] = commit("simple", T0 + 100, "Bob", "second");
	put("simple", "isms.yaml", "organisation: Example Ltd\n");
	put("simple", "policies/infosec.md", "# changed\n");
	simple_c[3] = commit("simple", T0 + 200, "Carol", "third");
	put("simple", "policies/infosec.md", "---\nowner: ciso\n---\n# Policy\n");
	simple_c[4] = commit("simple", T0 + 300, "Dave", "revert");
	put("simple", "docs/notes.txt", "more notes\n");
	simple_c[5] = commit("simple", T0 + 400, "Émile Ünal", "fifth");
}

static void
t_simple(void)
{
	struct snapshot *s = load("simple", NULL, NULL, NULL);
	const struct snapshot_file *f;

	ok(s != NULL, "simple: loads at HEAD");
	if (s == NULL)
		return;
	is_str(s->commit, simple_c[5], "simple: snapshot commit is HEAD");
	is_int(s->commit_time, T0 + 400, "simple: commit time");
	is_str(s->ref, "HEAD", "simple: ref defaults to HEAD");
	is_int(s->worktree, 0, "simple: not a work tree");
	is_int(s->nfiles, 8, "simple: every regular file is listed");
	is_int(s->problems.n, 0, "simple: no problems");
	ok(sorted(s), "simple: files sorted by path");
	is_str(s->files[0].path, "Data.JSON", "simple: uppercase sorts first");

	f = snapshot_find(s, "isms.yaml");
	ok(f && f->data && !strcmp(f->data, "organisation: Example Ltd\n"),
	   "simple: isms.yaml contents");
	ok(f && f->len == strlen("organisation: Example Ltd\n"), "simple: isms.yaml length");
	is_str(f ? f->commit : NULL, simple_c[3], "simple: isms.yaml changed third");
	is_str(f ? f->author : NULL, "Carol", "simple: isms.yaml author");
	is_int(f ? f->time : 0, T0 + 200, "simple: isms.yaml time");

	f = snapshot_find(s, "policies/infosec.md");
	is_str(f ? f->commit : NULL, simple_c[4],
	       "simple: a reverted file's last change is the revert");
	f = snapshot_find(s, "risk/register.yaml");
	is_str(f ? f->commit : NULL, simple_c[2], "simple: register changed second");
	f = snapshot_find(s, "docs/notes.txt");
	is_str(f ? f->author : NULL, "Émile Ünal", "simple: UTF-8 author name");
	ok(f && f->data == NULL && f->len == 0,
	   "simple: a non-record file is listed without contents");

	f = snapshot_find(s, "evidence/scan.pdf");
	char *blob = capture("cd simple && git rev-parse HEAD:evidence/scan.pdf");
	ok(f && f->data == NULL, "simple: evidence file listed, not read");
	is_str(f ? f->blob : NULL, blob, "simple: evidence blob id");
	free(blob);
	f = snapshot_find(s, "Data.JSON");
	ok(f && f->data && !strcmp(f->data, "{\"a\": 1}\n"),
	   "simple: extension matched in any case (.JSON)");
	f = snapshot_find(s, "docs/Readme.MD");
	ok(f && f->data != NULL, "simple: extension matched in any case (.MD)");

	ok(snapshot_find(s, "nope.yaml") == NULL, "find: absent path");
	ok(snapshot_find(s, "policies") == NULL, "find: a directory is no file");
	ok(snapshot_find(s, "") == NULL, "find: empty path");
	ok(snapshot_find(NULL, "isms.yaml") == NULL, "find: no snapshot");
	for (size_t i = 0; i < s->nfiles; i++)
		if (snapshot_find(s, s->files[i].path) != &s->files[i])
			ok(0, "find: %s", s->files[i].path);
	check_log("simple", s, "simple");
	snapshot_free(s);

	s = load("simple", simple_c[2], NULL, NULL);
	ok(s && !strcmp(s->commit, simple_c[2]), "simple: loads an older commit");
	if (s) {
		is_int(s->nfiles, 8, "simple@2: file count");
		f = snapshot_find(s, "isms.yaml");
		ok(f && !strcmp(f->data, "organisation: Example\n"),
		   "simple@2: contents as of that commit");
		is_str(f ? f->commit : NULL, simple_c[1], "simple@2: history as of that commit");
		check_log("simple", s, "simple@2");
	}
	snapshot_free(s);
}

/* A branch merged with --no-ff, one file in conflict resolved by hand. */
static void
t_merge(void)
{
	char *c1, *fa, *m3, *mg;

	must("git init -q merge");
	put("merge", "a.yaml", "a: 1\n");
	put("merge", "b.yaml", "b: 1\n");
	put("merge", "c.yaml", "c: 1\n");
	c1 = commit("merge", T0, "Alice", "base");
	must("cd merge && git checkout -q -b feature");
	put("merge", "a.yaml", "a: feature\n");
	fa = commit("merge", T0 + 10, "Fiona", "feature a");
	put("merge", "c.yaml", "c: feature\n");
	free(commit("merge", T0 + 20, "Fiona", "feature c"));
	must("cd merge && git checkout -q main");
	put("merge", "b.yaml", "b: main\n");
	m3 = commit("merge", T0 + 30, "Bob", "main b");
	put("merge", "c.yaml", "c: main\n");
	free(commit("merge", T0 + 40, "Bob", "main c"));
	ok(sh("cd merge && git merge -q --no-ff feature -m merge") != 0,
	   "merge: fixture has a conflict");
	put("merge", "c.yaml", "c: resolved\n");
	mg = commit("merge", T0 + 50, "Mona", "merge feature");

	struct snapshot *s = load("merge", NULL, NULL, NULL);
	ok(s != NULL, "merge: loads");
	if (s) {
		const struct snapshot_file *f = snapshot_find(s, "a.yaml");
		is_str(f ? f->commit : NULL, fa,
		       "merge: a file merged cleanly keeps the branch commit");
		is_str(f ? f->author : NULL, "Fiona", "merge: branch author");
		f = snapshot_find(s, "b.yaml");
		is_str(f ? f->commit : NULL, m3, "merge: main's change");
		f = snapshot_find(s, "c.yaml");
		is_str(f ? f->commit : NULL, mg,
		       "merge: a conflict resolved in the merge is the merge");
		check_log("merge", s, "merge");
	}
	snapshot_free(s);
	free(c1);
	free(fa);
	free(m3);
	free(mg);
}

/* The same content reached on two branches: the newer commit wins, on
 * either side of the merge (git log would follow the first parent). */
static void
t_order(void)
{
	must("git init -q order");
	put("order", "d.yaml", "d: 0\n");
	put("order", "e.yaml", "e: 0\n");
	free(commit("order", T0, "Alice", "base"));
	must("cd order && git checkout -q -b feature");
	put("order", "d.yaml", "d: same\n");
	char *fd = commit("order", T0 + 10, "Fiona", "feature d");
	put("order", "e.yaml", "e: same\n");
	char *fe = commit("order", T0 + 40, "Fiona", "feature e");
	must("cd order && git checkout -q main");
	put("order", "d.yaml", "d: same\n");
	char *md = commit("order", T0 + 20, "Bob", "main d");
	put("order", "e.yaml", "e: same\n");
	char *me = commit("order", T0 + 30, "Bob", "main e");
	must("cd order && GIT_COMMITTER_DATE='%ld +0000' git merge -q --no-ff feature -m merge",
	     T0 + 50);

	struct snapshot *s = load("order", NULL, NULL, NULL);
	const struct snapshot_file *f = s ? snapshot_find(s, "d.yaml") : NULL;
	is_str(f ? f->commit : NULL, md, "order: newer change on the first parent's side");
	f = s ? snapshot_find(s, "e.yaml") : NULL;
	is_str(f ? f->commit : NULL, fe, "order: newer change on the merged branch's side");
	snapshot_free(s);
	free(fd);
	free(fe);
	free(md);
	free(me);
}

/* A file moved with git mv. */
static void
t_rename(void)
{
	must("git init -q rename");
	put("rename", "a.yaml", "a: 1\n");
	put("rename", "z.yaml", "z: 1\n");
	char *c1 = commit("rename", T0, "Alice", "add");
	must("cd rename && mkdir sub && git mv a.yaml sub/b.yaml");
	char *c2 = commit("rename", T0 + 60, "Bob", "move");
	struct snapshot *s = load("rename", NULL, NULL, NULL);
	const struct snapshot_file *f = s ? snapshot_find(s, "sub/b.yaml") : NULL;
	is_str(f ? f->commit : NULL, c2, "rename: the new path changed in the move");
	f = s ? snapshot_find(s, "z.yaml") : NULL;
	is_str(f ? f->commit : NULL, c1, "rename: an untouched file keeps its commit");
	ok(s && snapshot_find(s, "a.yaml") == NULL, "rename: old path is gone");
	snapshot_free(s);

	char **v = NULL;
	size_t n = 0;
	char *r = repo_path("rename");
	ok(treediff_paths(r, c1, c2, &v, &n) == 0, "changed: rename");
	ok(n == 2 && !strcmp(v[0], "a.yaml") && !strcmp(v[1], "sub/b.yaml"),
	   "changed: a move lists both paths");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	free(r);
	free(c1);
	free(c2);
}

/* Packed objects and refs load the same as loose ones; so does a bare
 * mirror and the .git directory itself. */
static void
t_packed(void)
{
	struct snapshot *a = load("merge", NULL, NULL, NULL);
	struct snapshot *m, *g, *b;

	must("git clone -q --mirror merge mirror.git");
	must("cd merge && git gc -q --aggressive && git pack-refs --all");
	ok(sh("ls merge/.git/objects/pack/*.pack && test -f merge/.git/packed-refs "
	      "&& test ! -f merge/.git/refs/heads/feature") == 0,
	   "packed: objects and refs are packed");
	b = load("merge", NULL, NULL, NULL);
	ok(same_snapshot(a, b), "packed: same snapshot after gc and pack-refs");
	m = load("mirror.git", NULL, NULL, NULL);
	ok(same_snapshot(a, m), "packed: a bare mirror gives the same snapshot");
	g = load("merge/.git", NULL, NULL, NULL);
	ok(same_snapshot(a, g), "packed: the .git directory gives the same snapshot");
	snapshot_free(a);
	snapshot_free(b);
	snapshot_free(m);
	snapshot_free(g);
}

/* A shallow clone: history stops at its edge, and says so. */
static void
t_shallow(void)
{
	must("git clone -q --depth 2 file://%s/simple shallow", sandbox);
	struct snapshot *s = load("shallow", NULL, NULL, NULL);
	ok(s != NULL, "shallow: loads");
	if (s == NULL)
		return;
	is_str(s->commit, simple_c[5], "shallow: HEAD");
	const struct snapshot_file *f = snapshot_find(s, "docs/notes.txt");
	is_str(f ? f->commit : NULL, simple_c[5], "shallow: a recent change is exact");
	f = snapshot_find(s, "isms.yaml");
	is_str(f ? f->commit : NULL, simple_c[4], "shallow: an older change shows the edge commit");
	like(problem_msg(s, NULL), "shallow clone", "shallow: the gap is reported");
	like(problem_msg(s, NULL), simple_c[4], "shallow: names the edge commit");
	check_log("shallow", s, "shallow");
	snapshot_free(s);

	/* A linked work tree opens like its main one. */
	must("cd simple && git worktree add -q ../linked %s", simple_c[3]);
	s = load("linked", NULL, NULL, NULL);
	is_str(s ? s->commit : NULL, simple_c[3], "linked work tree: its own HEAD");
	snapshot_free(s);
	s = load("linked", NULL, "linked", NULL);
	ok(s && s->nfiles == 8 && snapshot_find(s, "isms.yaml") &&
	           !strcmp(snapshot_find(s, "isms.yaml")->commit, simple_c[3]),
	   "linked work tree: work-tree mode");
	snapshot_free(s);
	must("cd simple && git worktree remove --force ../linked");
}

/* Tags, branches, short ids and revision expressions as refs. */
static void
t_refs(void)
{
	struct {
		const char *ref;
		int want;
	} c[] = {
		{ "v1", 2 },     { "v2", 3 },   { "old", 1 },
		{ "HEAD~1", 4 }, { "main", 5 }, { "refs/heads/main", 5 },
		{ "", 5 },
	};
	struct snapshot *s;

	must("cd simple && git tag v1 %s && git tag -a -m 'release two' v2 %s "
	     "&& git branch old %s",
	     simple_c[2], simple_c[3], simple_c[1]);
	for (size_t i = 0; i < NELEM(c); i++) {
		s = load("simple", c[i].ref, NULL, NULL);
		is_str(s ? s->commit : NULL, simple_c[c[i].want], "ref '%s'", c[i].ref);
		if (s && *c[i].ref)
			is_str(s->ref, c[i].ref, "ref '%s' recorded", c[i].ref);
		snapshot_free(s);
	}
	char *shortid = xstrndup(simple_c[2], 8);
	s = load("simple", shortid, NULL, NULL);
	is_str(s ? s->commit : NULL, simple_c[2], "ref: a short commit id");
	snapshot_free(s);
	free(shortid);
}

/* Refs that do not name a commit, repositories that are not there. */
static void
t_errors(void)
{
	struct snapshot *s = (struct snapshot *)&s;
	char *r = repo_path("simple");
	char *e;

	ok(snapshot_load(r, "no-such-branch", NULL, NULL, &s) < 0 && s == NULL,
	   "bad ref: fails with no snapshot");
	like(err_msg(), "ref 'no-such-branch' not found", "bad ref: names the ref");
	like(err_msg(), r, "bad ref: names the repository");
	ok(snapshot_load(r, "HEAD:isms.yaml", NULL, NULL, &s) < 0, "bad ref: a blob is not a commit");
	like(err_msg(), "does not name a commit", "bad ref: says why");
	ok(snapshot_load(r, "HEAD^{tree}", NULL, NULL, &s) < 0, "bad ref: a tree is not a commit");
	ok(snapshot_load(r, "HEAD~99", NULL, NULL, &s) < 0, "bad ref: beyond the root commit");
	ok(snapshot_load(r, "--all", NULL, NULL, &s) < 0, "bad ref: an option");
	free(r);

	must("git init -q empty");
	r = repo_path("empty");
	ok(snapshot_load(r, NULL, NULL, NULL, &s) < 0, "empty repository: fails");
	like(err_msg(), "has no commits yet", "empty repository: says so");
	like(err_msg(), r, "empty repository: names it");
	ok(snapshot_load(r, "main", NULL, NULL, &s) < 0, "empty repository: by branch");
	like(err_msg(), "has no commits yet", "empty repository: by branch, says so");
	free(r);

	must("mkdir plain && echo x > plain/file.yaml");
	r = repo_path("plain");
	ok(snapshot_load(r, NULL, NULL, NULL, &s) < 0, "not a repository: fails");
	like(err_msg(), "is not a git repository", "not a repository: says so");
	like(err_msg(), r, "not a repository: names it");
	free(r);
	r = repo_path("plain/file.yaml");
	ok(snapshot_load(r, NULL, NULL, NULL, &s) < 0, "a file: fails");
	like(err_msg(), "is not a git repository", "a file: says so");
	free(r);
	r = repo_path("missing");
	ok(snapshot_load(r, NULL, NULL, NULL, &s) < 0, "missing path: fails");
	like(err_msg(), "No such file", "missing path: says why");
	free(r);
	ok(snapshot_load("", NULL, NULL, NULL, &s) < 0, "empty path: fails");
	/* A directory inside a repository is not the repository. */
	r = repo_path("simple/policies");
	ok(snapshot_load(r, NULL, NULL, NULL, &s) < 0, "a subdirectory of a work tree: fails");
	free(r);

	char **v = (char **)&v;
	size_t n = 7;
	r = repo_path("simple");
	ok(treediff_paths(r, "nope", "HEAD", &v, &n) < 0 && v == NULL && n == 0,
	   "changed: bad old commit fails");
	like(err_msg(), "'nope'", "changed: names the bad commit");
	free(r);
	r = repo_path("plain");
	ok(treediff_paths(r, NULL, "HEAD", &v, &n) < 0, "changed: not a repository");
	free(r);
	e = repo_path("empty");
	ok(treediff_paths(e, NULL, NULL, &v, &n) < 0, "changed: empty repository");
	free(e);
}

/* Symbolic links and submodules are reported, not loaded. */
static void
t_special(void)
{
	must("git init -q special");
	put("special", "a.yaml", "a: 1\n");
	put("special", "dir/b.md", "# b\n");
	must("cd special && ln -s a.yaml link.yaml && ln -s dir linkdir");
	free(commit("special", T0, "Alice", "one"));
	must("cd special && git update-index --add --cacheinfo "
	     "160000,%s,sub && git commit -q -m sub",
	     simple_c[1]);
	struct snapshot *s = load("special", NULL, NULL, NULL);
	ok(s != NULL, "special: loads");
	if (s == NULL)
		return;
	is_int(s->nfiles, 2, "special: only the regular files");
	ok(snapshot_find(s, "link.yaml") == NULL, "special: link not loaded");
	like(problem_msg(s, "link.yaml"), "is a symbolic link", "special: link reported");
	like(problem_msg(s, "linkdir"), "is a symbolic link", "special: link to a directory");
	like(problem_msg(s, "sub"), "is a submodule", "special: submodule reported");
	is_int(s->problems.n, 3, "special: three problems");
	ok(s->problems.v[0].line == 0, "special: whole-file problems");
	check_log("special", s, "special");
	snapshot_free(s);

	s = load("special", NULL, "special", NULL);
	ok(s != NULL, "special: loads as a work tree");
	if (s) {
		like(problem_msg(s, "link.yaml"), "is a symbolic link",
		     "special work tree: link reported");
		ok(snapshot_find(s, "a.yaml") && snapshot_find(s, "a.yaml")->commit[0],
		   "special work tree: a.yaml committed");
	}
	snapshot_free(s);
}

/* Size and count caps. */
static void
t_limits(void)
{
	struct snapshot_limits lim = { .max_blob = 100 };
	struct snapshot *s;
	char big[301];

	memset(big, 'x', 300);
	big[300] = '\0';
	must("git init -q limits");
	put("limits", "small.yaml", "a: 1\n");
	put("limits", "big.yaml", big);
	put("limits", "big.pdf", big);
	put("limits", "e1.md", "1\n");
	put("limits", "e2.md", "2\n");
	free(commit("limits", T0, "Alice", "one"));

	s = load("limits", NULL, NULL, &lim);
	ok(s && snapshot_find(s, "big.yaml") == NULL, "limits: big record not loaded");
	like(s ? problem_msg(s, "big.yaml") : NULL, "is 300 bytes, over the size cap for one record file (100 bytes)",
	     "limits: problem gives the size and the limit");
	ok(s && snapshot_find(s, "big.pdf") != NULL,
	   "limits: a big evidence file is listed (it is not read)");
	ok(s && snapshot_find(s, "small.yaml") && snapshot_find(s, "small.yaml")->data,
	   "limits: small record loaded");
	snapshot_free(s);

	s = load("limits", NULL, "limits", &lim);
	ok(s && snapshot_find(s, "big.yaml") == NULL, "limits: work tree, big record not loaded");
	like(s ? problem_msg(s, "big.yaml") : NULL, "over the size cap for one record file (100 bytes)",
	     "limits: work tree, problem");
	snapshot_free(s);

	lim.max_blob = 0;
	lim.max_files = 2;
	s = load("limits", NULL, NULL, &lim);
	is_int(s ? s->nfiles : 0, 2, "limits: file count capped");
	like(s ? problem_msg(s, NULL) : NULL, "3 files were not loaded",
	     "limits: says how many were left out");
	like(s ? problem_msg(s, NULL) : NULL, "file count cap (2 files)", "limits: says which cap and its value");
	ok(s && sorted(s), "limits: capped list still sorted");
	snapshot_free(s);
	s = load("limits", NULL, "limits", &lim);
	is_int(s ? s->nfiles : 0, 2, "limits: work tree file count capped");
	snapshot_free(s);
	/* The manifest sorts after the directory that fills the cap. */
	must("git init -q capped && mkdir capped/a");
	put("capped", "a/1.yaml", "a: 1\n");
	put("capped", "a/2.yaml", "a: 2\n");
	put("capped", "a/3.yaml", "a: 3\n");
	put("capped", "isms.yaml", "organisation: x\n");
	free(commit("capped", T0, "Alice", "many"));
	s = load("capped", NULL, NULL, &lim);
	ok(s && snapshot_find(s, "isms.yaml") && snapshot_find(s, "isms.yaml")->data,
	   "limits: the manifest is loaded past the file count cap");
	like(s ? problem_msg(s, NULL) : NULL, "1 file was not loaded",
	     "limits: and the cap still leaves the others out");
	snapshot_free(s);
	s = load("capped", NULL, "capped", &lim);
	ok(s && snapshot_find(s, "isms.yaml") != NULL,
	   "limits: work tree, the manifest past the cap");
	snapshot_free(s);

	lim.max_files = 0;
	must("git init -q huge && head -c %d /dev/zero | tr '\\0' 'y' > huge/big.yaml", 20 << 20);
	free(commit("huge", T0, "Alice", "big"));
	s = load("huge", NULL, NULL, &lim);
	like(s ? problem_msg(s, "big.yaml") : NULL,
	     "is 20.0 MiB, over the size cap for one record file (16 MiB)",
	     "limits: default limit, sizes in MiB");
	snapshot_free(s);
}

/* File names that are not UTF-8 are reported with the bad bytes shown. */
static void
t_names(void)
{
	must("git init -q names");
	put("names", "good.yaml", "g: 1\n");
	put("names", "résumé.md", "# CV\n");
	must("cd names && printf 'x: 1\\n' > \"$(printf 'bad\\377name.yaml')\" && "
	     "mkdir \"$(printf 'd\\376ir')\" && "
	     "printf 'y: 1\\n' > \"$(printf 'd\\376ir')/x.yaml\" && "
	     "printf 'z\\n' > \"$(printf 'over\\300\\257long.md')\"");
	free(commit("names", T0, "Alice", "names"));
	for (int wt = 0; wt < 2; wt++) {
		const char *how = wt ? "names (work tree)" : "names";
		struct snapshot *s = load("names", NULL, wt ? "names" : NULL, NULL);
		ok(s != NULL, "%s: loads", how);
		if (s == NULL)
			continue;
		is_int(s->nfiles, 2, "%s: only the valid names", how);
		ok(snapshot_find(s, "résumé.md") != NULL, "%s: UTF-8 name is fine", how);
		like(problem_msg(s, "bad\\xffname.yaml"), "not valid UTF-8", "%s: bad byte escaped",
		     how);
		like(problem_msg(s, "d\\xfeir"), "not valid UTF-8",
		     "%s: bad directory reported once", how);
		ok(problem_msg(s, "over\\xc0\\xaflong.md") != NULL, "%s: overlong encoding refused",
		   how);
		is_int(s->problems.n, 3, "%s: three problems", how);
		if (!wt)
			check_log("names", s, how);
		snapshot_free(s);
	}
}

/* Work-tree mode: changed, new, ignored and unchanged files. */
static void
t_worktree(void)
{
	struct snapshot *s;
	const struct snapshot_file *f;

	must("git init -q wt");
	put("wt", "a.yaml", "a: 1\n");
	put("wt", "b.yaml", "b: 1\n");
	put("wt", "dir/c.md", "# c\n");
	put("wt", ".gitignore", "*.log\nbuild/\n");
	put("wt", "keep.log", "tracked though ignored\n");
	must("cd wt && git add -f keep.log");
	char *c1 = commit("wt", T0, "Alice", "one");
	put("wt", "a.yaml", "a: 2\n");
	put("wt", "racy.yaml", "r: 1\n");
	must("touch -d @1750000000 wt/racy.yaml");
	char *c2 = commit("wt", T0 + 10, "Bob", "two");
	/* Same size, same mtime as staged, index written in that second:
	 * the stat data cannot tell, the contents must. */
	put("wt", "racy.yaml", "r: 2\n");
	must("touch -d @1750000000 wt/racy.yaml wt/.git/index");

	put("wt", "b.yaml", "b: changed\n");
	must("touch -d @1800000000 wt/b.yaml");
	put("wt", "new.yaml", "n: 1\n");
	put("wt", "other.log", "ignored\n");
	put("wt", "build/out.yaml", "o: 1\n");
	put("wt", "nested/.git/HEAD", "ref: refs/heads/main\n");
	put("wt", "nested/x.yaml", "x: 1\n");
	must("mkfifo wt/pipe.yaml");

	s = load("wt", NULL, "wt", NULL);
	ok(s != NULL, "worktree: loads");
	if (s == NULL)
		return;
	is_int(s->worktree, 1, "worktree: flagged");
	is_str(s->commit, c2, "worktree: HEAD commit");
	ok(sorted(s), "worktree: sorted");
	f = snapshot_find(s, "a.yaml");
	is_str(f ? f->commit : NULL, c2, "worktree: unchanged file has HEAD's history");
	ok(f && f->blob[0], "worktree: unchanged file has its blob id");
	f = snapshot_find(s, "dir/c.md");
	is_str(f ? f->commit : NULL, c1, "worktree: unchanged file in a directory");
	is_str(f ? f->author : NULL, "Alice", "worktree: its author");
	f = snapshot_find(s, "b.yaml");
	ok(f && f->commit[0] == '\0' && f->blob[0] == '\0' && f->author == NULL,
	   "worktree: modified file is uncommitted");
	is_int(f ? f->time : 0, 1800000000, "worktree: modified file has its mtime");
	ok(f && f->data && !strcmp(f->data, "b: changed\n"),
	   "worktree: modified file's contents from disk");
	f = snapshot_find(s, "new.yaml");
	ok(f && f->commit[0] == '\0' && f->data, "worktree: new file is loaded");
	ok(snapshot_find(s, "other.log") == NULL, "worktree: ignored file left out");
	ok(snapshot_find(s, "build/out.yaml") == NULL, "worktree: ignored directory left out");
	f = snapshot_find(s, "keep.log");
	is_str(f ? f->commit : NULL, c1, "worktree: a tracked file is loaded though ignored");
	ok(snapshot_find(s, ".gitignore") != NULL, "worktree: .gitignore listed");
	ok(snapshot_find(s, "nested/x.yaml") == NULL, "worktree: nested repository left out");
	like(problem_msg(s, "nested"), "separate git repository",
	     "worktree: nested repository reported");
	like(problem_msg(s, "pipe.yaml"), "not a regular file", "worktree: a pipe is reported");
	for (size_t i = 0; i < s->nfiles; i++)
		if (strncmp(s->files[i].path, ".git/", 5) == 0)
			ok(0, "worktree: .git not listed (%s)", s->files[i].path);
	f = snapshot_find(s, "racy.yaml");
	ok(f && f->commit[0] == '\0' && f->data && !strcmp(f->data, "r: 2\n"),
	   "worktree: a same-size change in the index's second is seen");
	is_int(s->nfiles, 7, "worktree: file count");
	check_log("wt", s, "worktree");

	/* The same directory against a bare mirror of the repository. */
	must("git clone -q --mirror wt wt-mirror.git");
	struct snapshot *m = load("wt-mirror.git", NULL, "wt", NULL);
	ok(same_snapshot(s, m), "worktree: a bare repository with a separate work tree");
	snapshot_free(m);
	snapshot_free(s);

	char *r = repo_path("wt"), *w = repo_path("missing-dir");
	ok(snapshot_load(r, NULL, w, NULL, &s) < 0, "worktree: missing directory fails");
	like(err_msg(), "cannot read the work tree", "worktree: says so");
	free(w);
	w = repo_path("wt/a.yaml");
	ok(snapshot_load(r, NULL, w, NULL, &s) < 0, "worktree: a file is no work tree");
	free(w);
	free(r);

	/* A repository without commits: every file is uncommitted. */
	must("git init -q fresh");
	put("fresh", "a.yaml", "a: 1\n");
	put("fresh", "p/b.md", "# b\n");
	s = load("fresh", NULL, "fresh", NULL);
	ok(s != NULL, "worktree: repository without commits loads");
	if (s) {
		is_str(s->commit, "", "worktree: no commit");
		is_int(s->nfiles, 2, "worktree: both files");
		ok(s->files[0].commit[0] == '\0' && s->files[1].commit[0] == '\0',
		   "worktree: all uncommitted");
	}
	snapshot_free(s);
	free(c1);
	free(c2);
}

/* Changed paths between commits. */
static void
t_changed(void)
{
	char *r = repo_path("simple");
	char **v = NULL;
	size_t n = 0;

	ok(treediff_paths(r, simple_c[1], simple_c[2], &v, &n) == 0, "changed: two commits");
	ok(n == 2 && !strcmp(v[0], "policies/access.md") && !strcmp(v[1], "risk/register.yaml"),
	   "changed: the two paths, sorted");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);

	ok(treediff_paths(r, simple_c[2], simple_c[4], &v, &n) == 0 && n == 1 &&
	           !strcmp(v[0], "isms.yaml"),
	   "changed: a change and its revert cancel");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);

	ok(treediff_paths(r, NULL, simple_c[5], &v, &n) == 0 && n == 8,
	   "changed: no old commit means every file");
	ok(n > 0 && !strcmp(v[0], "Data.JSON"), "changed: sorted");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);

	ok(treediff_paths(r, "", "HEAD", &v, &n) == 0 && n == 8,
	   "changed: empty old commit means every file");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);

	ok(treediff_paths(r, "HEAD", "HEAD", &v, &n) == 0 && n == 0,
	   "changed: nothing between a commit and itself");
	free(v);

	must("cd simple && git rm -q docs/notes.txt");
	char *c6 = commit("simple", T0 + 500, "Alice", "remove");
	ok(treediff_paths(r, simple_c[5], c6, &v, &n) == 0 && n == 1 &&
	           !strcmp(v[0], "docs/notes.txt"),
	   "changed: a deleted file");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	free(c6);
	free(r);
}

/* A blob that cannot be read, and a tree that lists a path twice. */
static void
t_damaged(void)
{
	must("git init -q damaged");
	put("damaged", "a.yaml", "a: 1\n");
	put("damaged", "b.yaml", "b: 1\n");
	free(commit("damaged", T0, "Alice", "one"));
	char *id = capture("cd damaged && git rev-parse HEAD:a.yaml");
	must("rm -f damaged/.git/objects/%.2s/%s", id, id + 2);
	struct snapshot *s = load("damaged", NULL, NULL, NULL);
	ok(s && snapshot_find(s, "a.yaml") == NULL && snapshot_find(s, "b.yaml"),
	   "damaged: a missing blob is left out, the others load");
	like(s ? problem_msg(s, "a.yaml") : NULL, "cannot be read from the repository",
	     "damaged: the missing blob is reported");
	snapshot_free(s);
	free(id);

	/* Many files, read by the loading thread from the front and by the
	 * history thread from the back: a missing blob at each end is left
	 * out and reported, whichever thread met it, and every other file
	 * loads with its contents. */
	must("git init -q many-missing && mkdir -p many-missing/assets");
	for (int i = 0; i < 300; i++) {
		char name[32], body[32];
		snprintf(name, sizeof(name), "assets/a%03d.yaml", i);
		snprintf(body, sizeof(body), "id: A-%03d\n", i);
		put("many-missing", name, body);
	}
	free(commit("many-missing", T0, "Alice", "many"));
	char *first = capture("cd many-missing && git rev-parse HEAD:assets/a000.yaml");
	char *last = capture("cd many-missing && git rev-parse HEAD:assets/a299.yaml");
	must("rm -f many-missing/.git/objects/%.2s/%s many-missing/.git/objects/%.2s/%s", first,
	     first + 2, last, last + 2);
	s = load("many-missing", NULL, NULL, NULL);
	int loaded = 0;
	for (int i = 1; s && i < 299; i++) {
		char name[32], body[32];
		snprintf(name, sizeof(name), "assets/a%03d.yaml", i);
		snprintf(body, sizeof(body), "id: A-%03d\n", i);
		const struct snapshot_file *f = snapshot_find(s, name);
		loaded += f && f->data && strcmp(f->data, body) == 0;
	}
	is_int(loaded, 298, "many files: every readable blob loads with its contents");
	ok(s && !snapshot_find(s, "assets/a000.yaml") && !snapshot_find(s, "assets/a299.yaml"),
	   "many files: the missing blobs at both ends are left out");
	like(s ? problem_msg(s, "assets/a000.yaml") : NULL, "cannot be read from the repository",
	     "many files: the first is reported");
	like(s ? problem_msg(s, "assets/a299.yaml") : NULL, "cannot be read from the repository",
	     "many files: the last is reported");
	snapshot_free(s);
	free(first);
	free(last);

	/* A blob whose header reads but whose contents are cut short: libgit2
	 * 1.5 would loop forever reading it; the load does not hang, and
	 * fails naming the damaged object. Unlike a missing blob, the file is
	 * not just left out: going on without it would report its records as
	 * gone, where the repository is damaged. */
	must("git init -q torn");
	put("torn", "a.yaml", "a: 1\n");
	put("torn", "b.yaml", "b: 1\n");
	free(commit("torn", T0, "Alice", "one"));
	id = capture("cd torn && git rev-parse HEAD:b.yaml");
	must("f=torn/.git/objects/%.2s/%s && chmod u+w $f && head -c 2000 /dev/urandom | "
	     "/usr/bin/python3 -c 'import sys, zlib; d = sys.stdin.buffer.read(); "
	     "sys.stdout.buffer.write(zlib.compress(b\"blob 2000\\0\" + d)[:100])' > $f",
	     id, id + 2);
	s = load("torn", NULL, NULL, NULL);
	ok(s == NULL, "torn: a repository with a truncated object does not load");
	like(err_msg(), "object store is damaged: object", "torn: the error says why");
	like(err_msg(), id, "torn: and names the object");
	snapshot_free(s);
	free(id);

	/* git itself refuses to write such a tree: write its bytes here. */
	must("git init -q dup");
	char *b = capture("cd dup && printf 'd: 1\\n' | git hash-object -w --stdin");
	char *tf = xasprintf("%s/dup/tree", sandbox);
	FILE *o = fopen(tf, "w");
	for (int k = 0; o && k < 2; k++) {
		fputs("100644 d.yaml", o);
		fputc('\0', o);
		for (int j = 0; j < 20 && b[2 * j]; j++) {
			unsigned v;
			sscanf(b + 2 * j, "%2x", &v);
			fputc((int)v, o);
		}
	}
	if (o)
		fclose(o);
	must("cd dup && t=$(git hash-object -t tree -w --literally --stdin < tree) && "
	     "c=$(git commit-tree -m dup $t) && git update-ref refs/heads/main $c");
	free(b);
	free(tf);
	s = load("dup", NULL, NULL, NULL);
	if (s) {
		is_int(s->nfiles, 1, "damaged: a path listed twice loads once");
		like(problem_msg(s, "d.yaml"), "more than once", "damaged: and is reported");
		ok(s->nfiles == 1 && s->files[0].commit[0], "damaged: with its history");
	} else {
		like(err_msg(), "dup", "damaged: a tree listing a path twice is refused");
	}
	snapshot_free(s);
}

/*
 * A long random history with merges, written with git fast-import: every
 * file's last change must agree with git log.
 */

#define NF    40
#define NSTEP 400

struct lcg {
	unsigned long long x;
};

static unsigned
rnd(struct lcg *g, unsigned n)
{
	g->x = g->x * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)((g->x >> 33) % n);
}

static void
fi_file(FILE *o, int i, int content)
{
	char body[64];
	int n = snprintf(body, sizeof(body), "v: %d\n", content);
	fprintf(o, "M 100644 inline d%d/f%d.yaml\ndata %d\n%s\n", i % 5, i, n, body);
}

static void
fi_header(FILE *o, const char *br, int mark, int step)
{
	fprintf(o, "commit refs/heads/%s\nmark :%d\n", br, mark);
	fprintf(o, "author Author%d <a%d@example.org> %ld +0000\n", step % 7, step % 7,
	        T0 + step * 60L);
	fprintf(o, "committer C <c@example.org> %ld +0000\n", T0 + step * 60L);
	fprintf(o, "data 5\nstep\n");
}

/* Write the stream; returns the number of files present at the end. */
static int
write_history(FILE *o)
{
	int st[2][NF] = { { 0 } }, tip[2] = { 0, 0 }, mark = 0, content = 1;
	struct lcg g = { 42 };
	const char *br[2] = { "main", "side" };

	fi_header(o, "main", ++mark, 0);
	for (int i = 0; i < NF; i++)
		fi_file(o, i, st[0][i] = content++);
	fprintf(o, "\nreset refs/heads/side\nfrom :1\n\n");
	memcpy(st[1], st[0], sizeof(st[0]));
	tip[0] = tip[1] = mark;
	for (int step = 1; step < NSTEP; step++) {
		int b = (int)rnd(&g, 2);
		if (rnd(&g, 10) == 0) {
			fi_header(o, "main", ++mark, step);
			fprintf(o, "from :%d\nmerge :%d\n", tip[0], tip[1]);
			for (int i = 0; i < NF; i++) {
				if (st[0][i] == st[1][i])
					continue;
				int v = rnd(&g, 4) == 0 ? content++ : st[1][i];
				if (v == 0)
					fprintf(o, "D d%d/f%d.yaml\n", i % 5, i);
				else
					fi_file(o, i, v);
				st[0][i] = v;
			}
			fprintf(o, "\nreset refs/heads/side\nfrom :%d\n\n", mark);
			memcpy(st[1], st[0], sizeof(st[0]));
			tip[0] = tip[1] = mark;
			continue;
		}
		fi_header(o, br[b], ++mark, step);
		fprintf(o, "from :%d\n", tip[b]);
		for (int k = 1 + (int)rnd(&g, 3); k > 0; k--) {
			int i = (int)rnd(&g, NF);
			if (st[b][i] && rnd(&g, 8) == 0) {
				fprintf(o, "D d%d/f%d.yaml\n", i % 5, i);
				st[b][i] = 0;
			} else
				fi_file(o, i, st[b][i] = content++);
		}
		fprintf(o, "\n");
		tip[b] = mark;
	}
	int n = 0;
	for (int i = 0; i < NF; i++)
		n += st[0][i] != 0;
	return n;
}

/* Thread body: load the random repository into *arg. */
static void *
load_random(void *arg)
{
	*(struct snapshot **)arg = load("random", NULL, NULL, NULL);
	return NULL;
}

static void
t_random(void)
{
	char *path = xasprintf("%s/history.fi", sandbox);
	FILE *o = fopen(path, "w");

	if (o == NULL) {
		ok(0, "random: cannot write the stream");
		free(path);
		return;
	}
	int n = write_history(o);
	fclose(o);
	must("git init -q random && cd random && git fast-import --quiet "
	     "< ../history.fi && git symbolic-ref HEAD refs/heads/main");
	struct snapshot *s = load("random", NULL, NULL, NULL);
	ok(s != NULL, "random: loads");
	if (s) {
		is_int(s->nfiles, n, "random: file count");
		ok(s->nfiles > 0 && sorted(s), "random: sorted");
		check_log("random", s, "random history with merges");
	}
	/* Loads on several threads at once agree with one another. */
	pthread_t th[4];
	struct snapshot *par[4] = { 0 };
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, load_random, &par[i]);
	int same = 1;
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		same &= same_snapshot(s, par[i]);
		snapshot_free(par[i]);
	}
	ok(same, "random: four threads load the same snapshot");

	struct snapshot *p = NULL;
	must("cd random && git gc -q");
	p = load("random", NULL, NULL, NULL);
	ok(same_snapshot(s, p), "random: same after gc");
	snapshot_free(p);
	snapshot_free(s);
	free(path);
}

/* 1 when two snapshots are equal in every field, problems included. */
static int
identical(const struct snapshot *a, const struct snapshot *b)
{
	if (!same_snapshot(a, b) || strcmp(a->ref, b->ref) != 0 || a->worktree != b->worktree)
		return 0;
	for (size_t i = 0; i < a->nfiles; i++)
		if (memcmp(a->files[i].blob, b->files[i].blob, sizeof(a->files[i].blob)) != 0 ||
		    memcmp(a->files[i].commit, b->files[i].commit, sizeof(a->files[i].commit)) != 0)
			return 0;
	for (size_t i = 0; i < a->problems.n; i++) {
		const struct problem *p = &a->problems.v[i], *q = &b->problems.v[i];
		if ((!p->path != !q->path) || (p->path && strcmp(p->path, q->path)) ||
		    p->line != q->line || p->note != q->note || strcmp(p->msg, q->msg)) {
			printf("# problem %zu differs: %s\n", i, p->msg);
			return 0;
		}
	}
	return 1;
}

/* Update *prev to commit c of repo upd and compare with a full load;
 * *prev becomes the new snapshot. */
static void
step(struct snapshot **prev, const char *c, const struct snapshot_limits *lim, const char *what)
{
	char *r = repo_path("upd");
	struct snapshot *u = NULL, *f = NULL;

	if (snapshot_update(*prev, r, c, lim, &u) < 0)
		printf("# snapshot_update: %s\n", err_msg());
	if (snapshot_load(r, c, NULL, lim, &f) < 0)
		printf("# snapshot_load: %s\n", err_msg());
	ok(u && f && identical(u, f), "update: %s: same as a full load", what);
	if (u && strstr(what, "mode") == NULL) /* a mode change alone is no change here */
		check_log("upd", u, what);
	snapshot_free(f);
	snapshot_free(*prev);
	*prev = u;
	free(r);
}

/* Snapshots updated commit to commit equal full loads: edits, adds,
 * deletes, renames, reverts, several commits at once, merges, rewritten
 * history, and changed limits. */
static void
t_update(void)
{
	struct snapshot_limits small = { .max_blob = 40 };
	struct snapshot *s = NULL, *w = NULL;
	char *c[12], *r = repo_path("upd");
	char big[101];

	memset(big, 'b', 100);
	big[100] = '\0';
	must("git init -q upd");
	put("upd", "isms.yaml", "organisation: Acme\n");
	put("upd", "policy/a.md", "---\nowner: Alice\n---\nText.\n");
	put("upd", "policy/b.md", "---\nowner: Bob\n---\nText.\n");
	put("upd", "risk/register.yaml", "risks: []\n");
	put("upd", "evidence/scan.pdf", "%PDF\n");
	must("cd upd && ln -s isms.yaml link.yaml");
	c[0] = commit("upd", T0, "Alice", "initial");
	s = load("upd", c[0], NULL, NULL);
	ok(s != NULL, "update: first load");

	put("upd", "policy/a.md", "---\nowner: Carol\n---\nText.\n");
	c[1] = commit("upd", T0 + 10, "Carol", "edit");
	step(&s, c[1], NULL, "an edit");

	put("upd", "policy/c.md", "---\nowner: Dan\n---\n");
	put("upd", "big.yaml", big);
	c[2] = commit("upd", T0 + 20, "Dan", "add");
	step(&s, c[2], NULL, "an add");

	must("cd upd && git rm -q policy/b.md");
	c[3] = commit("upd", T0 + 30, "Eve", "delete");
	step(&s, c[3], NULL, "a delete");

	must("cd upd && git mv policy/c.md policy/d.md && chmod +x risk/register.yaml");
	c[4] = commit("upd", T0 + 40, "Fay", "rename");
	step(&s, c[4], NULL, "a rename and a mode change");

	put("upd", "policy/a.md", "---\nowner: Zed\n---\nText.\n");
	free(commit("upd", T0 + 50, "Gus", "away"));
	put("upd", "policy/a.md", "---\nowner: Carol\n---\nText.\n");
	put("upd", "risk/register.yaml", "risks: [1]\n");
	free(commit("upd", T0 + 60, "Hal", "back"));
	put("upd", "risk/register.yaml", "risks: []\n");
	c[5] = commit("upd", T0 + 70, "Ivy", "revert");
	step(&s, c[5], NULL, "three commits, two reverting an edit");

	c[6] = commit("upd", T0 + 80, "Jo", "empty");
	step(&s, c[6], NULL, "an empty commit");
	step(&s, c[6], NULL, "the same commit");

	must("cd upd && git checkout -q -b side");
	put("upd", "policy/side.md", "---\nowner: Kim\n---\n");
	free(commit("upd", T0 + 90, "Kim", "side"));
	must("cd upd && git checkout -q main");
	put("upd", "policy/a.md", "---\nowner: Lou\n---\nText.\n");
	free(commit("upd", T0 + 100, "Lou", "main"));
	must("cd upd && GIT_AUTHOR_DATE='%ld +0000' GIT_COMMITTER_DATE='%ld +0000' "
	     "git merge -q --no-ff side -m merge",
	     T0 + 110, T0 + 110);
	c[7] = capture("cd upd && git rev-parse HEAD");
	step(&s, c[7], NULL, "a merge");
	put("upd", "policy/d.md", "---\nowner: Max\n---\n");
	c[8] = commit("upd", T0 + 120, "Max", "after the merge");
	step(&s, c[8], NULL, "a commit after a merge");

	step(&s, c[2], NULL, "back to an ancestor (force-push)");
	step(&s, c[8], NULL, "forward again");
	step(&s, c[8], &small, "a smaller size limit");
	step(&s, c[8], NULL, "the default limit again");
	step(&s, "main", NULL, "a branch name");

	/* A work-tree snapshot, or one of another repository, is not reused. */
	if (snapshot_load(r, NULL, r, NULL, &w) < 0)
		printf("# %s\n", err_msg());
	step(&w, c[8], NULL, "from a work-tree snapshot");
	snapshot_free(w);
	w = load("simple", NULL, NULL, NULL);
	step(&w, c[8], NULL, "from a snapshot of another repository");
	snapshot_free(w);
	w = load("upd", c[8], NULL, NULL);
	if (w)
		snprintf(w->commit, sizeof(w->commit), "not-a-commit");
	step(&w, c[8], NULL, "from a snapshot with a malformed commit id");
	snapshot_free(w);
	w = NULL;
	step(&w, c[8], NULL, "from no snapshot");
	snapshot_free(w);

	struct snapshot *u = (struct snapshot *)1;
	ok(snapshot_update(s, r, "no-such-ref", NULL, &u) < 0 && u == NULL,
	   "update: an unknown ref fails and leaves no snapshot");
	like(err_msg(), "ref 'no-such-ref' not found", "update: says which ref");
	u = (struct snapshot *)1;
	ok(snapshot_update(s, "/nonexistent/repo", "HEAD", NULL, &u) < 0 && u == NULL,
	   "update: a missing repository fails");

	/* A new commit whose one changed blob is damaged: the update fails
	 * naming it, rather than report the file as gone. */
	struct snapshot *base = load("upd", "HEAD", NULL, NULL);
	put("upd", "policy/a.md", "---\nowner: Alice\n---\nRevised text, long enough.\n");
	free(commit("upd", T0 + 999, "Alice", "revised"));
	char *blob = capture("cd upd && git rev-parse HEAD:policy/a.md");
	must("f=upd/.git/objects/%.2s/%s && chmod u+w $f && head -c 12 $f > $f.t && mv $f.t $f", blob,
	     blob + 2);
	u = (struct snapshot *)1;
	ok(base && snapshot_update(base, r, "HEAD", NULL, &u) < 0 && u == NULL,
	   "update: a damaged blob fails the update");
	like(err_msg(), blob, "update: and names the object");
	snapshot_free(base);
	free(blob);
	snapshot_free(s);
	for (int i = 0; i <= 8; i++)
		free(c[i]);
	free(r);
}

int
main(void)
{
	char tmpl[] = "/tmp/isms-source-XXXXXX";

	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(sandbox, sizeof(sandbox), "%s", tmpl);
	atexit(cleanup);
	setenv("HOME", sandbox, 1);
	setenv("XDG_CONFIG_HOME", sandbox, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "Alice", 1);
	setenv("GIT_AUTHOR_EMAIL", "alice@example.org", 1);
	setenv("GIT_COMMITTER_NAME", "Committer", 1);
	setenv("GIT_COMMITTER_EMAIL", "committer@example.org", 1);
	setenv("GIT_AUTHOR_DATE", "1700000000 +0000", 1);
	setenv("GIT_COMMITTER_DATE", "1700000000 +0000", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	must("git config --global init.defaultBranch main && "
	     "git config --global commit.gpgsign false && "
	     "git config --global gc.auto 0 && "
	     "git config --global advice.detachedHead false");

	make_simple();
	t_simple();
	t_merge();
	t_order();
	t_rename();
	t_packed();
	t_shallow();
	t_refs();
	t_errors();
	t_special();
	t_limits();
	t_names();
	t_worktree();
	t_changed();
	t_damaged();
	t_random();
	t_update();

	for (size_t i = 0; i < NELEM(simple_c); i++)
		free(simple_c[i]);
	return done_testing();
}
