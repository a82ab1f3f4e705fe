/* watch.c - change detection: inotify on a repository's refs with a
 * bound on what it watches, a short pause so that one push gives one
 * call, and polling where inotify cannot watch or has started to miss
 * changes. */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "repo.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "utf8.h"

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
struct refs_watch {
	int fd;
	int top; /* the git directory's watch */
	char *gitdir;
	struct event *ev;
	void (*fn)(void *);
	void *arg;
	struct wdir *dirs;
	size_t n;
	char *lost; /* why changes may be missed from now on, or NULL */
	int told;   /* lost was handed to refs_lost */
};

static struct wdir *
dir_of(struct refs_watch *w, int wd)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->dirs[i].wd == wd)
			return &w->dirs[i];
	return NULL;
}

static void
forget(struct refs_watch *w, int wd)
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
lose(struct refs_watch *w, char *why)
{
	if (w->lost == NULL)
		w->lost = why;
	else
		free(why);
	return -1;
}

/* How deep path lies under the git directory's refs/. */
static int
depth_of(const struct refs_watch *w, const char *path)
{
	int n = 0;
	for (const char *p = path + strlen(w->gitdir); *p; p++)
		n += *p == '/';
	return n;
}

static int add_tree(struct refs_watch *w, const char *path);

/* Watch the directories under path (already watched itself). */
static int
add_children(struct refs_watch *w, const char *path)
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
add_tree(struct refs_watch *w, const char *path)
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
rescan(struct refs_watch *w)
{
	char *refs = xasprintf("%s/refs", w->gitdir);
	add_tree(w, refs);
	free(refs);
}

/* Whether event e may mean a ref changed; watches new directories. */
static int
handle(struct refs_watch *w, const struct inotify_event *e)
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
	struct refs_watch *w = arg;
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

static void refs_free(struct refs_watch *w);

/* Call fn(arg) when a ref of the repository at gitdir may have changed,
 * watching directories under refs/ as they appear. *out is the caller's
 * (refs_free). Fails (-1 with err_msg()) when inotify is unavailable or a
 * directory cannot be watched (the watch limit): poll then. */
static int
refs_start(struct event_base *base, const char *gitdir, void (*fn)(void *), void *arg,
           struct refs_watch **out)
{
	struct refs_watch *w = xcalloc(1, sizeof(*w));
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
		refs_free(w);
		return -1;
	}
	w->top = inotify_add_watch(w->fd, gitdir, WATCH_MASK | IN_ONLYDIR);
	if (w->top < 0)
		lose(w, xasprintf("cannot watch %s: %s", gitdir, strerror(errno)));
	else
		rescan(w);
	if (w->lost) {
		err_set("%s", w->lost);
		refs_free(w);
		return -1;
	}
	w->ev = event_new(base, w->fd, EV_READ | EV_PERSIST, on_inotify, w);
	event_add(w->ev, NULL);
	*out = w;
	return 0;
}

/* Why w started to miss changes, once: the next calls return NULL.
 * Borrowed, valid until refs_free. */
static const char *
refs_lost(struct refs_watch *w)
{
	if (w == NULL || w->lost == NULL || w->told)
		return NULL;
	w->told = 1;
	return w->lost;
}

static size_t
refs_dirs(const struct refs_watch *w)
{
	return w ? w->n : 0;
}

static void
refs_free(struct refs_watch *w)
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

struct watch {
	char *name; /* the repository's, for messages */
	int interval, url;
	struct refs_watch *refs;
	struct event *poll_ev, *kick_ev;
	void (*changed)(void *, int);
	void *arg;
};

static void
on_kick(evutil_socket_t fd, short what, void *arg)
{
	struct watch *w = arg;
	w->changed(w->arg, 0);
}

static void
on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct watch *w = arg;
	w->changed(w->arg, w->url);
}

static void
start_poll(struct watch *w, struct event_base *base, int interval)
{
	struct timeval tv = { interval, 0 };
	w->poll_ev = event_new(base, -1, EV_PERSIST, on_poll, w);
	event_add(w->poll_ev, &tv);
}

/* A ref may have changed: call after a short pause, so one push that
 * writes several refs gives one call. When the watch has started to miss
 * changes (a new directory past the watch limit), poll too. */
static void
on_ref_change(void *arg)
{
	struct watch *w = arg;
	const char *lost = refs_lost(w->refs);
	if (lost && w->poll_ev == NULL) {
		log_warnx("repository %s: %s; inotify may miss changes, polling every %d s "
		          "from now on",
		          w->name, lost, WATCH_FALLBACK_POLL);
		start_poll(w, event_get_base(w->kick_ev), WATCH_FALLBACK_POLL);
	} else if (lost) {
		log_warnx("repository %s: %s; inotify may miss changes, polling every %d s "
		          "covers them",
		          w->name, lost, w->interval);
	}
	struct timeval tv = { 0, 5000 };
	evtimer_add(w->kick_ev, &tv);
}

struct watch *
watch_start(struct event_base *base, const struct repo_conf *rc,
            void (*changed)(void *arg, int fetch), void *arg)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	int interval = rc->url ? rc->fetch_interval : rc->poll_interval;
	w->name = xstrdup(rc->name);
	w->interval = rc->poll_interval;
	w->url = rc->url != NULL;
	w->changed = changed;
	w->arg = arg;
	w->kick_ev = evtimer_new(base, on_kick, w);
	if (rc->path) {
		char *gd = repo_gitdir_of(rc->path);
		if (refs_start(base, gd, on_ref_change, w, &w->refs) < 0) {
			if (interval == 0)
				interval = WATCH_FALLBACK_POLL;
			log_warnx("repository %s: %s; polling every %d s", rc->name, err_msg(),
			          interval);
		} else {
			log_debug("repository %s: watching %s and %zu directories of refs",
			          rc->name, gd, refs_dirs(w->refs));
		}
		free(gd);
	}
	if (interval > 0)
		start_poll(w, base, interval);
	return w;
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	refs_free(w->refs);
	if (w->poll_ev)
		event_free(w->poll_ev);
	event_free(w->kick_ev);
	free(w->name);
	free(w);
}
