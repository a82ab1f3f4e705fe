/* Tests of watch.c: every repository's refs watched through one inotify
 * instance, past the 128 instances Linux allows a user by default; a git
 * directory served twice; one call per burst; a queue overflow making
 * every repository look again; a git directory removed; the instance
 * closed with the last watch. Real directories, a real event loop. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "tap.h"
#include "alloc.h"
#include "log.h"
#include "watch.h"

#define NREPOS 200

static char T[] = "/tmp/isms-watch.XXXXXX";
static struct event_base *base;
static int calls[NREPOS + 2];

static void
changed(void *arg, int fetch)
{
	(*(int *)arg)++;
}

/* Run the loop for ms milliseconds, or until *until is non-zero. */
static void
spin(int ms, const int *until)
{
	for (int i = 0; i < ms; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		if (until && *until)
			return;
		usleep(1000);
	}
}

static void
mkdirs(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0700);
			*s = '/';
		}
	mkdir(p, 0700);
	free(p);
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* A bare-looking repository: T/NAME/.git with HEAD and refs/heads. */
static char *
repo(const char *name)
{
	char *heads = xasprintf("%s/%s/.git/refs/heads", T, name);
	char *head = xasprintf("%s/%s/.git/HEAD", T, name);
	mkdirs(heads);
	put(head, "ref: refs/heads/main\n");
	free(heads);
	free(head);
	return xasprintf("%s/%s", T, name);
}

/* Write refs/heads/BRANCH of repository NAME as git does: a lock file
 * renamed into place. */
static void
commit(const char *name, const char *branch)
{
	char *lock = xasprintf("%s/%s/.git/refs/heads/%s.lock", T, name, branch);
	char *ref = xasprintf("%s/%s/.git/refs/heads/%s", T, name, branch);
	put(lock, "0123456789012345678901234567890123456789\n");
	rename(lock, ref);
	free(lock);
	free(ref);
}

/* The inotify instances this process holds, and their watches. */
static int
instances(int *watches)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;
	*watches = 0;
	while ((e = readdir(d)) != NULL) {
		char link[300], to[256];
		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		ssize_t k = readlink(link, to, sizeof(to) - 1);
		if (k <= 0)
			continue;
		to[k] = '\0';
		if (strcmp(to, "anon_inode:inotify") != 0)
			continue;
		n++;
		char info[300], line[512];
		snprintf(info, sizeof(info), "/proc/self/fdinfo/%s", e->d_name);
		FILE *f = fopen(info, "r");
		while (f && fgets(line, sizeof(line), f))
			*watches += strncmp(line, "inotify wd:", 11) == 0;
		if (f)
			fclose(f);
	}
	closedir(d);
	return n;
}

static int
called(void)
{
	int n = 0;
	for (int i = 0; i < NREPOS; i++)
		n += calls[i] > 0;
	return n;
}

/* With the calls counted afresh, move a branch of repository ri and
 * wait for its call, then a little longer for any other. */
static void
commit_and_wait(int i)
{
	char name[16];
	snprintf(name, sizeof(name), "r%d", i);
	memset(calls, 0, sizeof(calls));
	commit(name, "main");
	spin(2000, &calls[i]);
	spin(20, NULL);
}

static struct watch *
start(const char *name, const char *path, int *count)
{
	struct repo_conf rc = { .name = (char *)name, .path = (char *)path };
	return watch_start(base, &rc, changed, count);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[65536];
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	return buf;
}

int
main(void)
{
	if (mkdtemp(T) == NULL)
		return 1;
	char *logfile = xasprintf("%s/log", T);
	int fd = open(logfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	log_init("watch", LOG_LVL_DEBUG, 0);
	base = event_base_new();

	struct watch *w[NREPOS + 2];
	char *paths[NREPOS];
	int before;
	int had = instances(&before);
	for (int i = 0; i < NREPOS; i++) {
		char name[16];
		snprintf(name, sizeof(name), "r%d", i);
		paths[i] = repo(name);
		w[i] = start(name, paths[i], &calls[i]);
	}
	int nw;
	is_int(instances(&nw) - had, 1, "%d repositories share one inotify instance", NREPOS);
	/* Each: the git directory, refs/, refs/heads/ (refs/tags is not made). */
	is_int(nw - before, 3 * NREPOS, "with three watches each");
	ok(strstr(slurp(logfile), "polling") == NULL, "no repository falls back to polling");

	spin(20, NULL);
	commit_and_wait(170);
	is_int(calls[170], 1, "a commit past the 128th repository is noticed");
	is_int(called(), 1, "by that repository only");

	memset(calls, 0, sizeof(calls));
	for (int i = 0; i < 20; i++) {
		char b[16];
		snprintf(b, sizeof(b), "b%d", i);
		commit("r3", b);
	}
	spin(2000, &calls[3]);
	spin(50, NULL);
	is_int(calls[3], 1, "a push of 20 refs gives one call");
	is_int(called(), 1, "to its repository only");

	/* One git directory served twice (two refs of one repository). */
	int wa;
	instances(&wa);
	w[NREPOS] = start("twin", paths[5], &calls[NREPOS]);
	int wb;
	instances(&wb);
	is_int(wb, wa, "a git directory served twice adds no watch");
	memset(calls, 0, sizeof(calls));
	commit("r5", "main");
	spin(2000, &calls[NREPOS]);
	spin(20, &calls[5]);
	ok(calls[5] == 1 && calls[NREPOS] == 1,
	   "both repositories of one git directory are called");
	watch_free(w[5]);
	w[5] = NULL;
	instances(&wb);
	is_int(wb, wa, "freeing one leaves the directories the other watches");
	calls[NREPOS] = 0;
	commit("r5", "main");
	spin(2000, &calls[NREPOS]);
	is_int(calls[NREPOS], 1, "and the other is still called");
	watch_free(w[NREPOS]);
	w[NREPOS] = NULL;
	instances(&wb);
	is_int(wb, wa - 3, "freeing the second removes the directories' watches");

	/* A queue overflow: every repository may have missed a change. */
	long max = strtol(slurp("/proc/sys/fs/inotify/max_queued_events"), NULL, 10);
	if (max > 0 && max <= 100000) {
		/* A rename is two events that inotify cannot merge. */
		char *a = xasprintf("%s/r9/.git/refs/heads/a", T);
		char *b = xasprintf("%s/r9/.git/refs/heads/b", T);
		put(a, "");
		for (long i = 0; i < max / 2 + 100; i++)
			rename(i % 2 ? b : a, i % 2 ? a : b);
		free(a);
		free(b);
		memset(calls, 0, sizeof(calls));
		for (int t = 0; t < 300 && called() < NREPOS - 1; t++)
			spin(10, NULL);
		spin(20, NULL);
		is_int(called(), NREPOS - 1, "after a queue overflow every repository looks again");
	} else {
		ok(1, "# SKIP max_queued_events is %ld", max);
	}
	commit_and_wait(42);
	is_int(calls[42], 1, "after it, a commit is noticed as before");
	is_int(called(), 1, "by its repository only");

	/* A git directory removed: the repository is told, and the log says
	 * it is polled from then on. */
	memset(calls, 0, sizeof(calls));
	char *rm = xasprintf("rm -rf %s/r7", T);
	ok(system(rm) == 0, "r7 removed");
	free(rm);
	spin(2000, &calls[7]);
	spin(20, NULL);
	ok(calls[7] >= 1, "the removed repository is called");
	like(slurp(logfile), "repository r7: ", "the log names it");
	like(slurp(logfile), "/r7/.git was removed or moved", "says what happened");
	like(slurp(logfile), "polling every 5 s from now on", "and that it is polled");
	commit("r8", "main");
	spin(2000, &calls[8]);
	is_int(calls[8], 1, "its neighbour is still watched");

	/* A watch that cannot start polls and says why. */
	w[NREPOS + 1] = start("nothing", "/nonexistent/isms", &calls[NREPOS + 1]);
	like(slurp(logfile), "repository nothing: cannot watch /nonexistent/isms",
	     "a missing repository is reported");
	watch_free(w[NREPOS + 1]);

	for (int i = 0; i < NREPOS; i++) {
		watch_free(w[i]);
		free(paths[i]);
	}
	int after;
	is_int(instances(&after), had, "the instance is closed with the last watch");
	char *again = repo("again");
	w[0] = start("again", again, &calls[0]);
	is_int(instances(&after) - had, 1, "and opened again by the next");
	watch_free(w[0]);
	free(again);
	event_base_free(base);
	char *cmd = xasprintf("rm -rf %s", T);
	if (system(cmd) != 0)
		return 1;
	free(cmd);
	free(logfile);
	return done_testing();
}
