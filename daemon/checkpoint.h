/* checkpoint.h - the published state of a repository (its verdicts,
 * commit, commit time, evaluation time and organisation) at any point of
 * its history, without replaying the whole journal: for `as_of` and for
 * start-up.
 *
 * After every CHECKPOINT_RESULTS results entries of a repository (or
 * CHECKPOINT_ENTRIES of its results and commits entries, whichever comes
 * first) the state at that cursor is written to DIR/CURSOR.ckpt, by a
 * thread of its own: written, fsync'd, then renamed into place. Most
 * checkpoints hold only the difference against the one before; every
 * full_every-th holds the whole state, so that a state is read from at
 * most that many files. A state is rebuilt from the nearest
 * checkpoint at or before it plus the journal entries after that one, so
 * at most CHECKPOINT_RESULTS diffs are applied; the answer is exactly the
 * one that applying every entry from the start gives. A checkpoint that is
 * missing, torn, corrupt or does not match the journal is ignored, and
 * written again the next time a rebuild passes its cursor.
 *
 * Loop thread only (the writer thread is this module's own). */
#ifndef ISMS_CHECKPOINT_H
#define ISMS_CHECKPOINT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "journal.h"

#define CHECKPOINT_RESULTS 64
#define CHECKPOINT_ENTRIES 256
/* Every this many checkpoints of a repository, a full one (the default of
 * checkpoint_full_every). */
#define CHECKPOINT_FULL_EVERY 16

struct repo;
struct checkpoints;

/* Which state of a repository. */
enum checkpoint_when {
	CHECKPOINT_LATEST, /* after its last entry */
	CHECKPOINT_TIME,   /* after every entry up to the first published later than time */
	CHECKPOINT_COMMIT, /* up to the first commits entry of a commit id starting with commit */
};

struct checkpoint_query {
	enum checkpoint_when when;
	int64_t time;       /* CHECKPOINT_TIME */
	const char *commit; /* CHECKPOINT_COMMIT: 4 to 40 lowercase hex digits */
};

/* Counters, for tests and benchmarks. */
struct checkpoint_stats {
	size_t written;  /* checkpoints written */
	size_t loaded;   /* checkpoints read back and used */
	size_t rejected; /* checkpoints found torn, corrupt or not matching the journal */
	size_t applied;  /* journal entries applied to rebuild a state */
	size_t bytes;    /* the size of the checkpoints written */
};

/* The checkpoints of journal j (borrowed; it must outlive them), kept in
 * the directory dir (created when the first one is written). Reads
 * nothing yet. The caller's (checkpoint_close). */
struct checkpoints *checkpoint_open(struct journal *j, const char *dir);
void checkpoint_close(struct checkpoints *cp);
/* Take in the journal's newest entry, just appended with data (borrowed):
 * keeps the latest state current and writes a checkpoint when one is due.
 * Returns 0, or -1 with err_msg() when a due checkpoint could not be
 * written (states stay right: they are rebuilt from the journal). */
int checkpoint_note(struct checkpoints *cp, json_t *data);
/* The state of repository repo at q, into out: results, commit,
 * commit_time, evaluated_at and organisation are replaced (the old
 * results and organisation freed). Returns 1, or 0 when the repository
 * has no such point in the journal (out untouched), or -1 with err_msg()
 * when the journal cannot be read. */
int checkpoint_state(struct checkpoints *cp, const char *repo, const struct checkpoint_query *q,
                     struct repo *out);
/* Wait for the checkpoints queued to be written. Returns 0, or -1 with
 * err_msg() when one of those written since the last call failed. */
int checkpoint_flush(struct checkpoints *cp);
/* The counters, once the writes queued are done. */
void checkpoint_stats(struct checkpoints *cp, struct checkpoint_stats *out);
/* Make every k-th checkpoint of a repository full (1: all of them), the
 * others differences against the one before. */
void checkpoint_set_full_every(struct checkpoints *cp, unsigned k);

#endif
