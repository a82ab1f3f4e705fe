/* watch.c - change detection: inotify on a repository's refs with a
 * bound on what it watches, a short pause so that one push gives one
 * call, and polling where inotify cannot watch or has started to miss
 * changes. Every repository's watches share the daemon's one inotify
 * instance. */
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
#include "alloc.h"
#include "cdefs.h"
#include "err.h"

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
/* Reads of the instance per wake-up, so that a burst of events in one
 * repository cannot hold the loop; the rest is read at the next turn. */
#define WATCH_MAX_READS 64

/* One watched directory: inotify's descriptor and the path it stands for. */
struct wdir {
	int wd;
	char *path;
};

/* inotify on the git directory (HEAD, packed-refs) and on every directory
 * under refs/, added as they appear. */
struct refs_watch {
	int top; /* the git directory's watch, or -1 */
	char *gitdir;
	void (*fn)(void *);
	void *arg;
	struct wdir *dirs;
	size_t n;
	char *lost;                     /* why changes may be missed from now on, or NULL */
	int told;                       /* lost was handed to refs_lost */
	int hit;                        /* an event since fn was last called */
	struct refs_watch *prev, *next; /* every watch of the instance */
};

/* A row of the instance's table: events of descriptor wd go to w. */
struct route {
	int wd;
	struct refs_watch *w;
};

/* The daemon's one inotify instance. Linux gives a user 128 instances
 * (fs.inotify.max_user_instances) but many thousand watches, so every
 * repository's watches share this one: one descriptor, one event on the
 * loop, and a table from watch descriptor to the watches it serves,
 * sorted by descriptor. inotify gives one descriptor per directory and
 * instance, so a git directory served twice (two refs of one repository)
 * has one descriptor and two rows. Opened by the first watch, closed with
 * the last. Loop thread only. */
static struct {
	int fd; /* -1: closed */
	struct event_base *base;
	struct event *ev;
	struct route *routes;
	size_t n, cap;
	struct refs_watch *all;
} ino = { .fd = -1 };

/* The first row of wd, or where it would go. */
static size_t
lower(int wd)
{
	size_t lo = 0, hi = ino.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ino.routes[mid].wd < wd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether any watch listens to wd. */
static int
used(int wd)
{
	size_t i = lower(wd);
	return i < ino.n && ino.routes[i].wd == wd;
}

/* Send wd's events to w too (once). */
static void
route_add(int wd, struct refs_watch *w)
{
	size_t i = lower(wd);
	for (size_t j = i; j < ino.n && ino.routes[j].wd == wd; j++)
		if (ino.routes[j].w == w)
			return;
	if (ino.n == ino.cap) {
		ino.cap = ino.cap ? 2 * ino.cap : 64;
		ino.routes = xreallocarray(ino.routes, ino.cap, sizeof(*ino.routes));
	}
	memmove(&ino.routes[i + 1], &ino.routes[i], (ino.n - i) * sizeof(*ino.routes));
	ino.routes[i] = (struct route){ wd, w };
	ino.n++;
}

/* Stop sending wd's events to w. The last watch to let go of wd removes
 * it from the instance, unless inotify already did (gone): another
 * repository's watch on the same directory keeps it. */
static void
route_del(int wd, struct refs_watch *w, int gone)
{
	size_t j = lower(wd);
	while (j < ino.n && ino.routes[j].wd == wd && ino.routes[j].w != w)
		j++;
	if (j == ino.n || ino.routes[j].wd != wd)
		return;
	memmove(&ino.routes[j], &ino.routes[j + 1], (ino.n - j - 1) * sizeof(*ino.routes));
	ino.n--;
	if (!gone && !used(wd))
		inotify_rm_watch(ino.fd, wd);
}

static void on_inotify(evutil_socket_t fd, short what, void *arg);

/* Open the instance on base unless it is open. Fails (-1 with err_msg())
 * when inotify is unavailable. */
static int
ino_open(struct event_base *base)
{
	if (ino.fd >= 0 && ino.base == base)
		return 0;
	if (ino.fd >= 0) {
		err_set("inotify: the instance is in use by another event loop");
		return -1;
	}
	ino.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ino.fd < 0) {
		err_set("inotify: %s%s", strerror(errno),
		        errno == EMFILE ? " (the inotify instance limit, "
		                          "fs.inotify.max_user_instances, is reached by other "
		                          "programs of this user)"
		                        : "");
		return -1;
	}
	ino.base = base;
	ino.ev = event_new(base, ino.fd, EV_READ | EV_PERSIST, on_inotify, NULL);
	event_add(ino.ev, NULL);
	return 0;
}

/* Close the instance once no watch uses it. */
static void
ino_close_unused(void)
{
	if (ino.fd < 0 || ino.all != NULL)
		return;
	event_free(ino.ev);
	close(ino.fd);
	free(ino.routes);
	ino.fd = -1;
	ino.base = NULL;
	ino.ev = NULL;
	ino.routes = NULL;
	ino.n = ino.cap = 0;
}

static struct wdir *
dir_of(struct refs_watch *w, int wd)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->dirs[i].wd == wd)
			return &w->dirs[i];
	return NULL;
}

/* w no longer watches directory wd (gone: inotify dropped it). */
static void
forget(struct refs_watch *w, int wd, int gone)
{
	struct wdir *d = dir_of(w, wd);
	if (d) {
		free(d->path);
		*d = w->dirs[--w->n];
	}
	if (wd != w->top)
		route_del(wd, w, gone);
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

/* Note that path cannot be watched: inotify_add_watch failed with err. */
static int
unwatchable(struct refs_watch *w, const char *path, int err)
{
	return lose(w, xasprintf("cannot watch %s: %s%s", path, strerror(err),
	                         err == ENOSPC ? " (the inotify watch limit, "
	                                         "fs.inotify.max_user_watches, is reached)"
	                                       : ""));
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
	int wd = inotify_add_watch(ino.fd, path, WATCH_MASK | IN_ONLYDIR | IN_DONT_FOLLOW);
	int err = errno;
	if (wd < 0 && (err == ENOENT || err == ENOTDIR))
		return 0;
	if (wd < 0)
		return unwatchable(w, path, err);
	/* The same directory again (a rescan, or moved): inotify gives the
	 * same descriptor; take the new path. */
	struct wdir *d = dir_of(w, wd);
	if (d) {
		free(d->path);
		d->path = xstrdup(path);
	} else if (w->n >= WATCH_MAX_DIRS) {
		/* Watched for another repository, it stays. */
		if (!used(wd))
			inotify_rm_watch(ino.fd, wd);
		return lose(w, xasprintf("more than %d directories under %s/refs", WATCH_MAX_DIRS,
		                         w->gitdir));
	} else {
		w->dirs = xreallocarray(w->dirs, w->n + 1, sizeof(*w->dirs));
		w->dirs[w->n++] = (struct wdir){ wd, xstrdup(path) };
		route_add(wd, w);
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

/* Whether event e, on a directory w watches, may mean a ref changed;
 * watches new directories. */
static int
handle(struct refs_watch *w, const struct inotify_event *e)
{
	if (e->mask & IN_IGNORED) {
		/* The git directory itself went: nothing is watched any more. */
		int top = e->wd == w->top;
		if (top) {
			lose(w, xasprintf("%s was removed or moved", w->gitdir));
			w->top = -1;
		}
		forget(w, e->wd, 1);
		return top;
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

/* Hand event e to every watch of its directory. A queue overflow may
 * have hidden any repository's change: every watch looks again. */
static void
dispatch(const struct inotify_event *e)
{
	if (e->mask & IN_Q_OVERFLOW) {
		for (struct refs_watch *w = ino.all; w; w = w->next) {
			rescan(w);
			w->hit = 1;
		}
		return;
	}
	size_t i = lower(e->wd), k = 0;
	while (i + k < ino.n && ino.routes[i + k].wd == e->wd)
		k++;
	if (k == 0)
		return; /* let go of meanwhile */
	/* handle() changes the table: take the watches out first. */
	struct refs_watch *few[8];
	struct refs_watch **ws =
	        k <= NELEM(few) ? few : xreallocarray(NULL, k, sizeof(struct refs_watch *));
	for (size_t j = 0; j < k; j++)
		ws[j] = ino.routes[i + j].w;
	for (size_t j = 0; j < k; j++)
		ws[j]->hit |= handle(ws[j], e);
	if (ws != few)
		free(ws);
}

static void
on_inotify(evutil_socket_t fd, short what, void *arg)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (int reads = 0; reads < WATCH_MAX_READS; reads++) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *e = (const struct inotify_event *)(void *)p;
			dispatch(e);
			p += sizeof(*e) + e->len;
		}
	}
	/* One call per watch for everything read; fn never frees a watch. */
	for (struct refs_watch *w = ino.all; w; w = w->next)
		if (w->hit || (w->lost && !w->told)) {
			w->hit = 0;
			w->fn(w->arg);
		}
}

static void refs_free(struct refs_watch *w);

/* Call fn(arg) when a ref of the repository at gitdir may have changed,
 * watching directories under refs/ as they appear. fn runs on the loop
 * and must not free a watch. *out is the caller's (refs_free). Fails (-1
 * with err_msg()) when inotify is unavailable or a directory cannot be
 * watched (the watch limit): poll then. */
static int
refs_start(struct event_base *base, const char *gitdir, void (*fn)(void *), void *arg,
           struct refs_watch **out)
{
	*out = NULL;
	if (ino_open(base) < 0)
		return -1;
	struct refs_watch *w = xcalloc(1, sizeof(*w));
	w->gitdir = xstrdup(gitdir);
	w->fn = fn;
	w->arg = arg;
	w->next = ino.all;
	if (ino.all)
		ino.all->prev = w;
	ino.all = w;
	w->top = inotify_add_watch(ino.fd, gitdir, WATCH_MASK | IN_ONLYDIR);
	if (w->top < 0) {
		unwatchable(w, gitdir, errno);
	} else {
		route_add(w->top, w);
		rescan(w);
	}
	if (w->lost) {
		err_set("%s", w->lost);
		refs_free(w);
		return -1;
	}
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

/* Stop w: its directories leave the instance unless another watch has
 * them too; the last watch closes the instance. */
static void
refs_free(struct refs_watch *w)
{
	if (w == NULL)
		return;
	if (w->prev)
		w->prev->next = w->next;
	else
		ino.all = w->next;
	if (w->next)
		w->next->prev = w->prev;
	for (size_t i = 0; i < w->n; i++) {
		route_del(w->dirs[i].wd, w, 0);
		free(w->dirs[i].path);
	}
	if (w->top >= 0)
		route_del(w->top, w, 0);
	free(w->dirs);
	free(w->gitdir);
	free(w->lost);
	free(w);
	ino_close_unused();
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
