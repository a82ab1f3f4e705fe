/* repo.h - one ISMS repository the daemon serves: where it lives (a local
 * repository, or a remote mirrored into the state directory), how its
 * changes are noticed (inotify on the refs, polling as the fallback), its
 * health, and the verdicts last published for it. */
#ifndef ISMS_REPO_H
#define ISMS_REPO_H

#include <event2/event.h>
#include <jansson.h>
#include <stdint.h>

#include "config.h"

struct evaluator_repo;
struct repo_anchor;
struct repo_watch;

/* Health of a repository as status reports it. */
enum repo_health {
	RH_PENDING, /* not evaluated yet */
	RH_OK,
	RH_VANISHED,    /* the path is gone */
	RH_CORRUPT,     /* cannot be opened or read */
	RH_UNREACHABLE, /* the remote cannot be fetched */
	RH_NOT_ISMS,    /* no isms.yaml at the commit */
	RH_REMOVED,     /* taken out of the configuration (only notified) */
};

/* Loop-thread state of one repository. Owned by the daemon. */
struct repo {
	void *owner;                /* the daemon */
	struct repo_anchor *anchor; /* what its timers, watch and jobs point at */
	struct repo_conf conf;      /* a copy: the config may be reloaded */
	char *gitdir;               /* local path, or the mirror directory */
	struct evaluator_repo *er;  /* the evaluation thread's half */
	/* Published state, rebuilt from the journal at start. */
	json_t *results; /* rule id -> verdict object */
	char commit[41];
	int64_t commit_time, evaluated_at;
	char *organisation;
	json_t *rules; /* the loaded rules, as an array */
	/* Health. */
	enum repo_health health;
	char *health_msg;  /* why, or NULL */
	char *rules_error; /* the last failed reload, or NULL */
	int rewritten;     /* the last new head did not descend */
	/* Scheduling. */
	int busy, again;    /* an evaluation runs; another is wanted */
	int64_t next_valid; /* earliest valid_until, 0: none */
	struct event *poll_ev, *valid_ev, *kick_ev;
	struct repo_watch *watch;
	/* Figures of the last evaluation. */
	double last_ms;
	size_t last_run, nevals;
};

const char *repo_health_name(enum repo_health h);

/* Resolve ref (NULL: HEAD) of the repository at path to a commit id.
 * Returns 0, or -1 with err_msg(). Any thread. */
int repo_resolve(const char *path, const char *ref, char out[41]);
/* Mirror url into dir (a bare repository, created when missing): fetch
 * every branch and tag, and point HEAD at the remote's default branch.
 * Returns 0, or -1 with err_msg(). Blocks: run it off the loop. */
int repo_mirror(const char *url, const char *dir);
/* 1 when commit `new` descends from (or is) `old` in path, 0 when not
 * (history rewritten), -1 on error. */
int repo_descends(const char *path, const char *old, const char *new_);
/* The commit time of commit (40 hex digits) in the repository at path.
 * Returns 0, or -1 with err_msg(). */
int repo_commit_time(const char *path, const char *commit, int64_t *out);
/* The git directory to watch for ref changes of the repository at path
 * (path/.git for a work tree); the caller's. */
char *repo_gitdir_of(const char *path);

/* Call fn(arg) when a ref of the repository at gitdir may have changed:
 * inotify on HEAD and packed-refs in gitdir, and on every directory under
 * refs/ (branches with slashes; directories that appear later are watched
 * as they appear). *out is the caller's (repo_watch_free). Fails (-1)
 * when inotify is unavailable or a directory cannot be watched (the
 * watch limit): poll then. */
int repo_watch_start(struct event_base *base, const char *gitdir, void (*fn)(void *), void *arg,
                     struct repo_watch **out);
/* Why w started to miss changes (a directory that appeared could not be
 * watched: the watch limit; the git directory went away), once: the next
 * calls return NULL. Borrowed, valid until repo_watch_free. fn is called
 * when it happens. The caller polls from then on. */
const char *repo_watch_lost(struct repo_watch *w);
/* How many directories w watches (besides the git directory). */
size_t repo_watch_dirs(const struct repo_watch *w);
void repo_watch_free(struct repo_watch *w);

/* Apply a journaled "results" payload to r's published state. */
void repo_apply(struct repo *r, json_t *data);
/* Verdict counts of a results object (id -> verdict). The caller's. */
json_t *repo_counts(json_t *results);

#endif
