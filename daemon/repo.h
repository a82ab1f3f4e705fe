/* repo.h - one ISMS repository the daemon serves: where it lives (a local
 * repository, or a remote mirrored into the state directory), its health,
 * and the verdicts last published for it. watch.h notices its changes. */
#ifndef ISMS_REPO_H
#define ISMS_REPO_H

#include <event2/event.h>
#include <jansson.h>
#include <stdint.h>

#include "config.h"

struct evaluator_repo;
struct repo_anchor;
struct watch;

/* Health of a repository as status reports it. */
enum repo_health {
	RH_PENDING, /* not evaluated yet */
	RH_OK,
	RH_VANISHED,    /* the path is gone */
	RH_CORRUPT,     /* cannot be opened or read */
	RH_UNREACHABLE, /* the remote cannot be fetched */
	RH_NOT_ISMS,    /* no isms.yaml at the commit */
	RH_EMPTY,       /* no commits yet (an unborn HEAD) */
	RH_REMOVED,     /* taken out of the configuration (only notified) */
};

/* Loop-thread state of one repository. Owned by the daemon. */
struct repo {
	struct repo_anchor *anchor; /* what its timers, watch and jobs point at */
	struct repo_conf conf;      /* a copy: the config may be reloaded */
	char *gitdir;               /* local path, or the mirror directory */
	struct evaluator_repo *er;  /* the evaluation thread's half */
	/* Published state, rebuilt from the journal at start. */
	json_t *results; /* rule id -> verdict object */
	char commit[41];
	char rules_digest[41]; /* what judged it (engine_params_digest); "" unknown */
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
	struct event *valid_ev;
	struct watch *watch; /* inotify on the refs, polling */
	/* Figures of the last evaluation. */
	double last_ms;
	size_t last_run, nevals;
};

const char *repo_health_name(enum repo_health h);

/* Resolve ref (NULL: HEAD) of the repository at path to a commit id.
 * Returns 0, or -1 with err_msg(); *unborn (when not NULL) is set when
 * the ref is an unborn HEAD, a repository with no commits yet. Any
 * thread. */
int repo_resolve(const char *path, const char *ref, char out[41], int *unborn);
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

/* Apply a journaled "results" payload to r's published state. */
void repo_apply(struct repo *r, json_t *data);

#endif
