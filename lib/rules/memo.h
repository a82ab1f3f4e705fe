/* memo.h - what each iteration of a rule's r:each gave, kept from one
 * evaluation to the next, so that when one record of a large register
 * changes only the iterations over that record (and those whose other
 * reads changed) run again; the others replay their findings.
 *
 * An iteration is known by its record's file and line and the hash of
 * the record's content (doc_node_hash). It is replayed only when, in
 * addition, everything else it read is as it was (the files it read, by
 * blob id, and the files its path patterns match), the day is the same
 * (messages may count days) and so are the rule's parameters. A rule's
 * memo is rebuilt on each run from the iterations it used, so it never
 * holds records that are gone. Each rule's memo is used by one thread at
 * a time (the one running the rule). */
#ifndef ISMS_MEMO_H
#define ISMS_MEMO_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct memo;
struct memo_rule;

/* What one iteration gave: its findings, the earliest day its verdict
 * holds to (INT64_MIN: none), whether it failed or warned. */
struct memo_finding {
	const char *message, *severity, *file, *key; /* NULL: none */
	int line;
	/* Kept by the memo once worked out for the verdict (the record the
	 * finding is about, and its fingerprint): a replay does not work them
	 * out again. NULL / empty until then. */
	char *record;
	char fingerprint[33];
};

struct memo_result {
	struct memo_finding *findings; /* the memo's: valid until memo_rule_end */
	size_t nfindings;
	int64_t valid_until;
	int failed, warned;
	/* What it read besides its record, to count as read again. */
	const char *const *reads;
	size_t nreads;
	const char *const *patterns;
	size_t npatterns;
	/* Who else read the same: results with the same set read the same
	 * (their reads need adding once). NULL: it read nothing else. */
	const void *set;
};

/* Memos for nrules rules. The caller's (memo_free). */
struct memo *memo_new(size_t nrules);
void memo_free(struct memo *m);

/* Start a run of rule i against model md on day `day` with parameters
 * digest `digest`: the memo of an earlier run on another day or with
 * other parameters is dropped. Returns the rule's memo for memo_get and
 * memo_put until memo_rule_end. */
struct memo_rule *memo_rule_begin(struct memo *m, size_t i, const struct model *md, int64_t day,
                                  const char *digest);
/* End the run: keep what it used or put (ok), or drop all (the rule
 * failed or was cut short, so what it put may be partial). */
void memo_rule_end(struct memo_rule *r, int ok);

/* The result of the iteration over record rec (a record node of file
 * path), or NULL when it must run again. Valid until the next call. */
const struct memo_result *memo_get(struct memo_rule *r, const char *path, const struct node *rec);
/* Keep what the iteration over rec gave (res and its strings are
 * copied: they may be borrowed from the rule's Lua state). */
void memo_put(struct memo_rule *r, const char *path, const struct node *rec,
              const struct memo_result *res);

/* The fields (rule_result.fields) of the run under way, fields, and of
 * the rule's runs before, since the memo last dropped its iterations:
 * each is added to the other, so that the fields read by iterations that
 * were replayed rather than run count too. */
struct strset;
void memo_fields(struct memo_rule *r, struct strset *fields);

/* Iterations replayed and run in the last runs (for the profile). */
void memo_counts(const struct memo *m, size_t *replayed, size_t *run);

#endif
