/* evaluator.h - evaluation off the event loop: worker threads run jobs
 * (load rule packs, evaluate a repository's head incrementally, evaluate
 * any ref in full) and hand each finished job back to the loop thread
 * through a pipe the loop watches. The jobs of one repository run one at
 * a time, in the order submitted, and finish in that order; the
 * repositories with jobs waiting take turns for the workers.
 *
 * Lifetimes: the snapshot and the model of the last head loaded of each
 * repository (a model_hold) go to the head cache (headcache.h), which
 * keeps them while its byte budget allows; the next head's are built
 * from them when they are still kept (snapshot_update, model_update):
 * files and records of unchanged blobs are reused, the parsed documents
 * shared by reference count, and read and parsed in full when not. An
 * EV_HEAD job that evaluated a new head hands a reference to its hold to
 * the loop thread (the scheduler reads it for the calendar); the model is
 * never changed once built, so both threads read it, and the last to let
 * go frees it. Everything else a finished job carries is JSON. */
#ifndef ISMS_EVALUATOR_H
#define ISMS_EVALUATOR_H

#include <event2/event.h>
#include <jansson.h>
#include <stdint.h>

#include "problems.h"

struct evaluator;
struct evaluator_repo;
struct headcache;
struct model_hold;

enum ev_kind {
	EV_LOAD, /* load the rule packs of rules_dir; keep the old on failure */
	EV_HEAD, /* fetch (remote), resolve the ref, re-run what changed */
	EV_REF,  /* evaluate ref in full; the head state is untouched */
	EV_DROP, /* free a retired repository's state (evaluator_repo_retire) */
};

struct ev_job {
	/* Set by the submitter. */
	enum ev_kind kind;
	struct evaluator_repo *er;
	char *ref; /* EV_REF; the job's */
	/* EV_REF instead of ref: a date or commit (snapshot_asof_spec) read
	 * along the repository's ref, which sets commit and now; the job's. */
	char *asof;
	char *rules_dir; /* EV_LOAD; the job's */
	/* EV_LOAD: the loads of one rules_dir in one generation (not 0)
	 * share their engines: one load, and at most eval_threads engines,
	 * whatever the number of repositories. The daemon starts a new
	 * generation at start-up and at each reload. */
	unsigned gen;
	int64_t now; /* evaluation instant */
	int fetch;   /* EV_HEAD: fetch the remote first */
	int force;   /* EV_HEAD: read the head even if it failed before (sync) */
	/* On the loop thread; when rc is -1, err_msg() says why as it is
	 * called (and after evaluator_run). */
	void (*done)(struct ev_job *, void *arg);
	void *arg;
	/* Free for the submitter's use: who else waits for the job (a socket
	 * request), told by the submitter's done() with how many published
	 * verdicts changed. req_id is decref'd with the job. */
	void (*reply)(struct ev_job *, size_t changed, void *reply_arg);
	void *reply_arg;
	uint64_t client;
	json_t *req_id;
	/* Set by the worker. */
	int rc;               /* 0, or -1 (see done) */
	struct problems errs; /* EV_LOAD: file:line problems */
	int fetch_failed, not_isms, no_rules;
	int unborn;    /* EV_HEAD: the repository has no commits yet */
	int unchanged; /* EV_HEAD: same commit, nothing expired */
	int rewritten; /* EV_HEAD: the new head does not descend */
	int bad_asof;  /* EV_REF: asof names nothing in the repository */
	char commit[41];
	char digest[41]; /* the rules and settings that judged it (engine_params_digest) */
	int64_t commit_time;
	char *organisation;
	json_t *results;                    /* verdicts in rule order (array) */
	json_t *rules;                      /* EV_LOAD: the rules (array) */
	size_t nrun, nrules;                /* rules run, rules in all */
	double ms;                          /* evaluation wall time */
	double load_ms, model_ms, rules_ms; /* its phases: files, records, rules */
	int64_t next_valid;                 /* earliest valid_until after now; 0: none */
	struct model_hold *head;            /* EV_HEAD: the new head's model, or NULL */
	struct ev_job *next;
};

/* Start nthreads workers (at least one); finished jobs come back on
 * base's thread. Heads are kept in heads (borrowed, it must outlive the
 * evaluator; NULL: none kept, each head is read in full). The caller's
 * (evaluator_free). */
struct evaluator *evaluator_new(struct event_base *base, size_t nthreads, struct headcache *heads);
/* Stop the workers (after their running jobs) and free every repository's
 * worker state. Jobs not started are finished with rc -1. */
void evaluator_free(struct evaluator *e);
/* Worker state for one repository at gitdir (mirrored from url when not
 * NULL), evaluating ref (NULL: HEAD). Owned by e. */
struct evaluator_repo *evaluator_repo_new(struct evaluator *e, const char *gitdir, const char *url,
                                          const char *ref);
/* Free a repository's worker state made with a NULL evaluator (the
 * evaluator frees its own). */
void evaluator_repo_free(struct evaluator_repo *r);
/* Stop serving er (made by e): queue a job behind every job of er already
 * queued that frees er's worker state when the worker reaches it; er
 * itself goes when the job is freed (ev_job_free; also when the job never
 * ran because the evaluator stopped). done(job, arg) is called on the loop
 * thread after the done() of every earlier job of er. Submit nothing for
 * er afterwards. */
void evaluator_repo_retire(struct evaluator *e, struct evaluator_repo *er,
                           void (*done)(struct ev_job *, void *), void *arg);
/* Queue job (the evaluator's until done() is called; done() then owns
 * it and frees it with ev_job_free). */
void evaluator_submit(struct evaluator *e, struct ev_job *job);
struct ev_job *ev_job_new(enum ev_kind kind, struct evaluator_repo *er);
void ev_job_free(struct ev_job *j);
/* Run one job on the calling thread (ismsd -t, tests); rc -1 with
 * err_msg(). */
void evaluator_run(struct ev_job *j);
/* Jobs queued or running. */
size_t evaluator_pending(struct evaluator *e);

#endif
