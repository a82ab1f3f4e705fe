/* repo.c - ISMS repositories the daemon serves: libgit2 helpers for the
 * evaluation thread (resolve, mirror, ancestry) and inotify watches for
 * the loop thread. */
#include "repo.h"

#include <dirent.h>
#include <errno.h>
#include <git2.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "engine.h"
#include "gitcache.h"
#include "looseguard.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
init_git(void)
{
	git_libgit2_init();
}

static int
gerr(const char *what)
{
	const git_error *e = git_error_last();
	return err_set("%s: %s", what, e && e->message ? e->message : "unknown error");
}

const char *
repo_health_name(enum repo_health h)
{
	static const char *const names[] = {
		"pending", "ok", "vanished", "corrupt", "unreachable", "not_isms", "removed",
	};
	return (size_t)h < NELEM(names) ? names[h] : "?";
}

int
repo_resolve(const char *path, const char *ref, char out[41])
{
	git_repository *r = NULL;
	git_object *o = NULL;
	int rc = -1;
	pthread_once(&once, init_git);
	if (access(path, F_OK) < 0)
		return err_set("the repository %s is gone: %s", path, strerror(errno));
	if (gitcache_open(&r, path) < 0) {
		gerr(path);
		goto out;
	}
	if (git_revparse_single(&o, r, ref ? ref : "HEAD") < 0) {
		gerr(ref ? ref : "HEAD");
		goto out;
	}
	git_object *c = NULL;
	if (git_object_peel(&c, o, GIT_OBJECT_COMMIT) < 0) {
		gerr(ref ? ref : "HEAD");
		goto out;
	}
	git_oid_tostr(out, 41, git_object_id(c));
	git_object_free(c);
	rc = 0;
out:
	git_object_free(o);
	gitcache_close(r);
	return rc;
}

int
repo_commit_time(const char *path, const char *commit, int64_t *out)
{
	git_repository *r = NULL;
	git_commit *c = NULL;
	git_oid id;
	pthread_once(&once, init_git);
	int rc = gitcache_open(&r, path) < 0 || git_oid_fromstr(&id, commit) < 0 ||
	                         git_commit_lookup(&c, r, &id) < 0
	                 ? gerr(commit)
	                 : 0;
	if (rc == 0)
		*out = (int64_t)git_commit_time(c);
	git_commit_free(c);
	gitcache_close(r);
	return rc;
}

int
repo_descends(const char *path, const char *old, const char *new_)
{
	git_repository *r = NULL;
	git_oid a, b;
	int rc = -1;
	pthread_once(&once, init_git);
	if (strcmp(old, new_) == 0)
		return 1;
	if (gitcache_open(&r, path) < 0)
		return gerr(path);
	if (git_oid_fromstr(&a, old) < 0 || git_oid_fromstr(&b, new_) < 0) {
		gerr("commit id");
		goto out;
	}
	rc = git_graph_descendant_of(r, &b, &a);
	if (rc < 0)
		gerr(path);
out:
	gitcache_close(r);
	return rc;
}

/* Point the mirror's HEAD at the remote's default branch, or at main or
 * master when the remote did not say. */
static void
set_head(git_repository *r, git_remote *remote)
{
	git_buf b = { 0 };
	if (git_remote_default_branch(&b, remote) == 0) {
		git_repository_set_head(r, b.ptr);
		git_buf_dispose(&b);
		return;
	}
	git_reference *ref = NULL;
	if (git_reference_lookup(&ref, r, "refs/heads/main") == 0)
		git_repository_set_head(r, "refs/heads/main");
	else if (git_reference_lookup(&ref, r, "refs/heads/master") == 0)
		git_repository_set_head(r, "refs/heads/master");
	git_reference_free(ref);
}

int
repo_mirror(const char *url, const char *dir)
{
	git_repository *r = NULL;
	git_remote *remote = NULL;
	git_fetch_options fo;
	int rc = -1;
	char *specs[] = { "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*" };
	git_strarray refspecs = { specs, 2 };
	pthread_once(&once, init_git);
	if (git_repository_open_bare(&r, dir) < 0 && git_repository_init(&r, dir, 1) < 0) {
		gerr(dir);
		goto out;
	}
	/* The fetch reads the mirror's own objects: see loose.h. */
	if (looseguard_attach(r) < 0)
		goto out;
	/* Anonymous, and without url.*.insteadOf rewriting: the URL is used as
	 * configured (this also avoids a leak in libgit2 1.5's glob matching). */
	git_remote_create_options ro;
	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ro.repository = r;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
	if (git_remote_create_with_opts(&remote, url, &ro) < 0) {
		gerr(url);
		goto out;
	}
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.prune = GIT_FETCH_PRUNE;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	if (git_remote_fetch(remote, &refspecs, &fo, NULL) < 0) {
		const git_error *e = git_error_last();
		err_set("cannot fetch %s: %s", url, e && e->message ? e->message : "unknown error");
		goto out;
	}
	set_head(r, remote);
	rc = 0;
out:
	git_remote_free(remote);
	git_repository_free(r);
	return rc;
}

char *
repo_gitdir_of(const char *path)
{
	char *dotgit = xasprintf("%s/.git", path);
	struct stat st;
	if (stat(dotgit, &st) == 0 && S_ISDIR(st.st_mode))
		return dotgit;
	free(dotgit);
	return xstrdup(path);
}

/* What a watched directory reports: a ref written (lock file renamed into
 * place, or written in place), created, deleted or moved. */
#define WATCH_MASK                                                                                 \
	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF |   \
	 IN_MOVE_SELF)
/* Directories watched per repository, and how deep under refs/: a bound,
 * so that a huge or hostile refs tree cannot take every inotify watch of
 * the user. Past it the daemon polls. */
#define WATCH_MAX_DIRS  1024
#define WATCH_MAX_DEPTH 32

/* One watched directory: inotify's descriptor and the path it stands for. */
struct wdir {
	int wd;
	char *path;
};

/* inotify on the git directory (HEAD, packed-refs) and on every directory
 * under refs/, added as they appear. */
struct repo_watch {
	int fd;
	int top; /* the git directory's watch */
	char *gitdir;
	struct event *ev;
	void (*fn)(void *);
	void *arg;
	struct wdir *dirs;
	size_t n;
	char *lost; /* why changes may be missed from now on, or NULL */
	int told;   /* lost was handed to repo_watch_lost */
};

static struct wdir *
dir_of(struct repo_watch *w, int wd)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->dirs[i].wd == wd)
			return &w->dirs[i];
	return NULL;
}

static void
forget(struct repo_watch *w, int wd)
{
	struct wdir *d = dir_of(w, wd);
	if (d == NULL)
		return;
	free(d->path);
	*d = w->dirs[--w->n];
}

/* Note why the watch is incomplete (steals why; the first reason is
 * kept). Returns -1. */
static int
lose(struct repo_watch *w, char *why)
{
	if (w->lost == NULL)
		w->lost = why;
	else
		free(why);
	return -1;
}

/* How deep path lies under the git directory's refs/. */
static int
depth_of(const struct repo_watch *w, const char *path)
{
	int n = 0;
	for (const char *p = path + strlen(w->gitdir); *p; p++)
		n += *p == '/';
	return n;
}

static int add_tree(struct repo_watch *w, const char *path);

/* Watch the directories under path (already watched itself). */
static int
add_children(struct repo_watch *w, const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *e;
	int rc = 0;
	if (dir == NULL)
		return errno == ENOENT || errno == ENOTDIR
		               ? 0
		               : lose(w, xasprintf("cannot read %s: %s", path, strerror(errno)));
	while (rc == 0 && (e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *sub = xasprintf("%s/%s", path, e->d_name);
		struct stat st;
		/* Symbolic links are not followed: a loop cannot recurse. */
		if (e->d_type == DT_DIR ||
		    (e->d_type == DT_UNKNOWN && lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)))
			rc = add_tree(w, sub);
		free(sub);
	}
	closedir(dir);
	return rc;
}

/* Watch path and every directory below it. A directory that vanished
 * meanwhile is no error; the watch limit and the bounds above are. */
static int
add_tree(struct repo_watch *w, const char *path)
{
	if (depth_of(w, path) > WATCH_MAX_DEPTH)
		return lose(w, xasprintf("%s lies deeper than %d directories under refs/", path,
		                         WATCH_MAX_DEPTH));
	int wd = inotify_add_watch(w->fd, path, WATCH_MASK | IN_ONLYDIR | IN_DONT_FOLLOW);
	int err = errno;
	if (wd < 0 && (err == ENOENT || err == ENOTDIR))
		return 0;
	if (wd < 0)
		return lose(w, xasprintf("cannot watch %s: %s%s", path, strerror(err),
		                         err == ENOSPC ? " (the inotify watch limit, "
		                                         "fs.inotify.max_user_watches, is reached)"
		                                       : ""));
	/* The same directory again (a rescan, or moved): inotify gives the
	 * same descriptor; take the new path. */
	struct wdir *d = dir_of(w, wd);
	if (d) {
		free(d->path);
		d->path = xstrdup(path);
	} else if (w->n >= WATCH_MAX_DIRS) {
		inotify_rm_watch(w->fd, wd);
		return lose(w, xasprintf("more than %d directories under %s/refs", WATCH_MAX_DIRS,
		                         w->gitdir));
	} else {
		w->dirs = xreallocarray(w->dirs, w->n + 1, sizeof(*w->dirs));
		w->dirs[w->n++] = (struct wdir){ wd, xstrdup(path) };
	}
	return add_children(w, path);
}

/* Watch refs/ again from the top: after a queue overflow new directories
 * may have been missed. */
static void
rescan(struct repo_watch *w)
{
	char *refs = xasprintf("%s/refs", w->gitdir);
	add_tree(w, refs);
	free(refs);
}

/* Whether event e may mean a ref changed; watches new directories. */
static int
handle(struct repo_watch *w, const struct inotify_event *e)
{
	if (e->mask & IN_Q_OVERFLOW) {
		rescan(w);
		return 1;
	}
	if (e->mask & IN_IGNORED) {
		/* The git directory itself went: nothing is watched any more. */
		if (e->wd == w->top)
			lose(w, xasprintf("%s was removed or moved", w->gitdir));
		forget(w, e->wd);
		return e->wd == w->top;
	}
	const char *name = e->len ? e->name : "";
	int newdir = (e->mask & IN_ISDIR) && (e->mask & (IN_CREATE | IN_MOVED_TO));
	if (e->wd == w->top) {
		/* The git directory: only HEAD, packed-refs (git pack-refs
		 * renames packed-refs.lock onto it), refs/ itself and the
		 * directory going away matter; not the index, FETCH_HEAD, ... */
		if (newdir && strcmp(name, "refs") == 0)
			rescan(w);
		return (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) || strcmp(name, "HEAD") == 0 ||
		       strcmp(name, "packed-refs") == 0 || strcmp(name, "refs") == 0;
	}
	struct wdir *d = dir_of(w, e->wd);
	if (newdir && d) {
		char *sub = xasprintf("%s/%s", d->path, name);
		add_tree(w, sub);
		free(sub);
	}
	return 1;
}

static void
on_inotify(evutil_socket_t fd, short what, void *arg)
{
	struct repo_watch *w = arg;
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	int any = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *e = (const struct inotify_event *)(void *)p;
			any |= handle(w, e);
			p += sizeof(*e) + e->len;
		}
	}
	if (any || (w->lost && !w->told))
		w->fn(w->arg);
}

int
repo_watch_start(struct event_base *base, const char *gitdir, void (*fn)(void *), void *arg,
                 struct repo_watch **out)
{
	struct repo_watch *w = xcalloc(1, sizeof(*w));
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	w->gitdir = xstrdup(gitdir);
	w->fn = fn;
	w->arg = arg;
	*out = NULL;
	if (w->fd < 0) {
		err_set("inotify: %s%s", strerror(errno),
		        errno == EMFILE ? " (the inotify instance limit, "
		                          "fs.inotify.max_user_instances, is reached)"
		                        : "");
		repo_watch_free(w);
		return -1;
	}
	w->top = inotify_add_watch(w->fd, gitdir, WATCH_MASK | IN_ONLYDIR);
	if (w->top < 0)
		lose(w, xasprintf("cannot watch %s: %s", gitdir, strerror(errno)));
	else
		rescan(w);
	if (w->lost) {
		err_set("%s", w->lost);
		repo_watch_free(w);
		return -1;
	}
	w->ev = event_new(base, w->fd, EV_READ | EV_PERSIST, on_inotify, w);
	event_add(w->ev, NULL);
	*out = w;
	return 0;
}

const char *
repo_watch_lost(struct repo_watch *w)
{
	if (w == NULL || w->lost == NULL || w->told)
		return NULL;
	w->told = 1;
	return w->lost;
}

size_t
repo_watch_dirs(const struct repo_watch *w)
{
	return w ? w->n : 0;
}

void
repo_watch_free(struct repo_watch *w)
{
	if (w == NULL)
		return;
	if (w->ev)
		event_free(w->ev);
	if (w->fd >= 0)
		close(w->fd);
	for (size_t i = 0; i < w->n; i++)
		free(w->dirs[i].path);
	free(w->dirs);
	free(w->gitdir);
	free(w->lost);
	free(w);
}

void
repo_apply(struct repo *r, json_t *data)
{
	const char *commit = json_string_value(json_object_get(data, "commit"));
	const char *at = json_string_value(json_object_get(data, "evaluated_at"));
	json_t *v;
	size_t i;
	if (r->results == NULL)
		r->results = json_object();
	if (json_is_true(json_object_get(data, "full")))
		json_object_clear(r->results);
	json_array_foreach (json_object_get(data, "changed"), i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));
		if (id)
			json_object_set(r->results, id, v);
	}
	json_array_foreach (json_object_get(data, "removed"), i, v)
		if (json_is_string(v))
			json_object_del(r->results, json_string_value(v));
	if (commit)
		snprintf(r->commit, sizeof(r->commit), "%s", commit);
	if (at)
		date_parse(at, "UTC", NULL, &r->evaluated_at, NULL);
	json_t *ct = json_object_get(data, "commit_time");
	if (json_is_integer(ct))
		r->commit_time = json_integer_value(ct);
	const char *org = json_string_value(json_object_get(data, "organisation"));
	if (org) {
		free(r->organisation);
		r->organisation = xstrdup(org);
	}
}

json_t *
repo_counts(json_t *results)
{
	json_t *c = json_object();
	for (int s = 0; s < ST_COUNT; s++)
		json_object_set_new(c, rule_status_name((enum rule_status)s), json_integer(0));
	const char *k;
	json_t *v;
	json_object_foreach (results, k, v) {
		const char *st = json_string_value(json_object_get(v, "status"));
		json_t *n = st ? json_object_get(c, st) : NULL;
		if (n)
			json_integer_set(n, json_integer_value(n) + 1);
	}
	return c;
}
