/* engine.h - load rule packs and evaluate them against a model. */
#ifndef ISMS_ENGINE_H
#define ISMS_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "catalogue.h"
#include "model.h"
#include "sandbox.h"
#include "problems.h"

enum rule_status { ST_PASS, ST_FAIL, ST_WARN, ST_NOT_APPLICABLE, ST_WAIVED, ST_ERROR, ST_COUNT };

struct rule_param {
	char *name;
	char *def; /* default, as text */
	char *doc;
};

/* What a rule declares. */
struct rule_info {
	char *id;
	char *clause;  /* "5.2", or NULL */
	char *control; /* Annex A id "5.15", or NULL */
	char *theme;   /* the control's theme, or NULL */
	char *title;
	char *severity; /* major, minor, observation */
	char *rationale;
	char *remediation;
	char *pack; /* pack file, relative to the rules directory */
	int line;   /* where isms.rule{} is called */
	struct rule_param *params;
	size_t nparams;
};

struct finding {
	char *message;
	char *severity;
	char *file; /* NULL: the repository as a whole */
	int line;
	char *key;    /* the kind of problem as the rule named it, or NULL */
	char *record; /* the record it is about (fingerprint_record) */
	/* Rule, record and kind hashed (fingerprint.h): the same finding
	 * in another commit has the same one, wherever its line moved. */
	char fingerprint[33];
};

/* The first byte of a rule_result field entry that names a file read as
 * a whole rather than a field. */
#define FIELD_WHOLE_FILE '\001'

struct rule_result {
	const struct rule_info *rule; /* borrowed from the engine */
	enum rule_status status;
	struct finding *findings;
	size_t nfindings;
	char *note;          /* not_applicable reason, waiver, or error text */
	int64_t valid_until; /* instant the verdict may change; 0: none */
	char **reads;        /* paths read */
	size_t nreads;
	char **patterns; /* path patterns read */
	size_t npatterns;
	/* The fields of records it read, by name ("*": every field of some
	 * record), and the files it read otherwise (FIELD_WHOLE_FILE and the
	 * path; "**" for all): a commit that changes only other fields of
	 * the records of the files it read cannot change its verdict.
	 * fields_known is 0 when the list is not whole (the rule failed or
	 * was cut short). */
	char **fields;
	size_t nfields;
	int fields_known;
	uint64_t steps; /* instructions used */
	double ms;      /* wall time of the run */
};

struct evaluation {
	char commit[41];
	int64_t now;
	char *tz;
	struct rule_result *results; /* in rule order */
	size_t n;
	size_t counts[ST_COUNT];
	char digest[41]; /* engine_params_digest: what judged it */
};

struct engine_opts {
	const char *rules_dir;
	struct sandbox_limits limits;
};

struct engine;

/* Load every pack under opts->rules_dir (clauses/, annex-a/, and any
 * other directory but lib/, which holds modules for `require`, and
 * directories named specs, which hold specs). Errors
 * are collected into errs as "file:line: what" and, when there are any,
 * the load fails. *out is the caller's (engine_free). */
int engine_load(const struct engine_opts *opts, struct engine **out, struct problems *errs);
/* The same, then the packs in each directory of extra_dirs (NULL or a
 * NULL-terminated list; borrowed), in order: every *.lua file under it
 * but those in directories named specs. An organisation's own packs live
 * there, beside the shipped ones, and may `require` the shipped lib/. */
int engine_load_packs(const struct engine_opts *opts, const char *const *extra_dirs,
                      struct engine **out, struct problems *errs);
void engine_free(struct engine *e);
size_t engine_rules(const struct engine *e, const struct rule_info **rules);
/* Evaluate with memo m (borrowed; NULL: none): what each iteration of
 * r:each gave is kept in m for the next evaluation with the same m, and
 * an iteration whose record and other reads have not changed since is
 * replayed rather than run. For a caller that evaluates one repository
 * commit after commit (the daemon): one memo per repository, made with
 * memo_new(engine_rules(e, NULL)) for engines of the same rules. */
struct memo;
void engine_use_memo(struct engine *e, struct memo *m);
const struct catalogue *engine_catalogue(const struct engine *e);

/* Run every rule (only[i] nonzero, when only is not NULL) against m at
 * instant now. *out is the caller's (evaluation_free). */
int engine_eval(struct engine *e, const struct model *m, int64_t now, const unsigned char *only,
                struct evaluation **out);
void evaluation_free(struct evaluation *ev);
/* Set up one sandbox for a coming evaluation of e, off its critical path
 * (the daemon does it while idle). Returns nonzero while more are wanted.
 * Not to be called while e evaluates. */
int engine_prepare(struct engine *e);

const char *rule_status_name(enum rule_status s);

/* SHA-1 (hex) of the rule packs and libraries e loaded, names and text.
 * Borrowed, valid while e is. */
const char *engine_digest(const struct engine *e);
/* SHA-1 (hex) of engine_digest and the parameters and waivers in m's
 * isms.yaml (m may be NULL): equal digests mean equal rules judged with
 * equal settings. Also set in every evaluation. */
void engine_params_digest(const struct engine *e, const struct model *m, char out[41]);
/* Set the wall-clock deadline of every evaluation (engine_eval), in
 * milliseconds from its start; 0 (the default) turns it off. Past it the
 * running rules stop and the rules not yet run end as error, with a note
 * that says so. Any thread; takes effect at the next evaluation. */
void engine_set_eval_deadline(uint32_t ms);

/* A function that adds globals to every sandbox the engines make, at load
 * and at each evaluation (the daemon installs its plugins' rule functions
 * this way). Set it before engine_load, from one thread; fn NULL: none. */
typedef void (*engine_extend_fn)(struct sandbox *sb, void *arg);
void engine_set_extension(engine_extend_fn fn, void *arg);

/* The default rules directory: $ISMS_RULES, else rules/ beside the build
 * tree the binary runs from, else the installed one. Borrowed. */
const char *engine_default_rules_dir(void);

#endif
