/* ismsctl_int.h - what the files of ismsctl share: the commands (one file
 * per group: cmd_check.c, cmd_author.c, cmd_daemon.c, cmd_calendar.c),
 * the exit statuses, the --pack directories and the option helpers
 * (ismsctl.c), and the daemon client's options (cmd_daemon.c). Single
 * threaded except where a command says otherwise. */
#ifndef ISMS_ISMSCTL_INT_H
#define ISMS_ISMSCTL_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "baseline.h"
#include "engine.h"
#include "snapshot.h"
#include "model.h"
#include "problems.h"
#include "report.h"

#define EXIT_NONCONFORMANT 1
#define EXIT_USAGE         2

/* Each command: argv[0] is its name; returns the exit status. */
int cmd_check(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_new_pack(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_results(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_call(int argc, char **argv);
int cmd_ack(int argc, char **argv);
int cmd_calendar(int argc, char **argv);
int cmd_audit_plan(int argc, char **argv);
int cmd_review_pack(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_attest(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
/* cmd_fleet.c: `status --fleet`, the members of a fleet from NATS. */
int cmd_fleet_status(int argc, char **argv);
int cmd_soa(int argc, char **argv); /* cmd_export.c */
int cmd_report(int argc, char **argv);
int cmd_history_backfill(int argc, char **argv);

/* ismsctl.c */

/* Extra rule pack directories (--pack), loaded after the shipped rules;
 * NULL-terminated. */
#define MAX_PACK_DIRS 16
extern const char *pack_dirs[MAX_PACK_DIRS + 1];
/* Add an extra rule pack directory for `cmd`; -1 after saying why. */
int add_pack_dir(const char *cmd, const char *dir);

struct option;
/* Say why getopt_long refused argument arg of cmd: a value missing, or an
 * unknown option with the closest of longopts as "did you mean". */
void flag_error(const char *cmd, const char *arg, const struct option *longopts);
/* The same for a command that parses its own flags: names lists the
 * flags it knows ("--json", ...; NULL-terminated). */
void flag_error_names(const char *cmd, const char *arg, const char *const *names);

/* Read the whole number s given to option flag into *out; 0, or -1 with
 * err_msg(). */
int parse_int(const char *flag, const char *s, long long *out);
/* Read the number of seconds s given to option flag as milliseconds. */
int parse_secs(const char *flag, const char *s, int *ms);
/* The evaluation instant: s (--now, ISO 8601), else the clock. */
int parse_now(const char *s, int64_t *out);
/* Print problems as file:line: message to standard error, then what. */
void print_problems(const char *what, const struct problems *p);
/* The organisation's name from the manifest, or NULL; borrowed. */
const char *organisation(const struct model *m);

/* Loading the rule packs on a thread of its own (engine_load_packs). */
struct pack_load {
	struct engine_opts opts;
	struct engine *e;
	struct problems errs;
	int rc;
	char *error;
};
/* The thread function: loads opts' packs and pack_dirs into e. */
void *load_packs(void *arg);

/* cmd_gate.c */

/* The gate of check: --baseline and --fail-on. */
struct gate_opts {
	const char *baseline;      /* the ref compared with, or NULL */
	enum baseline_level level; /* --fail-on */
	int level_set;             /* --fail-on was given */
};
/* Evaluate ref of repo with e at now into a check document (report_json);
 * *doc is the caller's. 0, or -1 with err_msg(). */
int gate_eval(struct engine *e, const char *repo, const char *ref, int64_t now, json_t **doc);
/* Write the check of ev in fmt, compared with g's baseline (read from
 * repo, a path) when there is one, and return the exit status: 1 when the gate fails, 0 when it
 * passes, 2 when the baseline cannot be evaluated. */
int gate_check(const struct gate_opts *g, const char *repo, struct engine *e,
               const struct evaluation *ev, const struct report_meta *meta, enum report_format fmt);

/* cmd_daemon.c */

/* Options shared by the commands that talk to the daemon. */
struct dopts {
	const char *socket, *repo;
	int json;
	const char *arg[8]; /* command-specific values, by index in the table */
	const char *positional;
};
struct dflag {
	const char *name;
	int idx; /* into dopts.arg */
};
/* Parse --socket, --repo, --json and the flags in fl (each takes a
 * value); help is printed for --help. */
int parse_dopts(int argc, char **argv, const struct dflag *fl, size_t nfl, int want_pos,
                struct dopts *o, const char *help);
/* Call method on the daemon; *result is the caller's. Prints the error
 * and returns -1 on failure. */
int dcall(const struct dopts *o, const char *method, json_t *params, json_t **result);
/* Print v as indented JSON on standard output. */
void print_json(json_t *v);

/* cmd_export.c */

/* The commit to evaluate and the clock for --as-of spec: a date gives
 * the head of ref (NULL: HEAD) at that instant (parse_now), along its
 * first parents, and that instant; a commit gives itself and its commit
 * time. 0, or -1 with err_msg(). */
int asof_resolve(const char *repo, const char *ref, const char *spec, char commit[41],
                 int64_t *now);

/* An offline evaluation: the packs, and the last commit evaluated. */
struct offline {
	struct engine *e;
	struct snapshot *snap;
	struct model *m;
	struct evaluation *ev;
};
/* Load the rule packs (rules, NULL: the default, and pack_dirs) into o;
 * -1 after printing why. */
int offline_open(const char *cmd, const char *rules, struct offline *o);
/* Evaluate ref (or worktree) of repo at now, reusing what o holds of an
 * earlier commit; -1 after printing why (o keeps the earlier state). */
int offline_eval(const char *cmd, struct offline *o, const char *repo, const char *ref,
                 const char *worktree, int64_t now);
/* The trend from `from` to `to`: at each step (a month, or a week) the
 * head of ref then, evaluated then, as {date, commit, conformant,
 * conformance, counts}; dates before the first commit are left out.
 * Uses o's engine only. *out is the caller's; -1 after printing why. */
int offline_trend(const char *cmd, struct offline *o, const char *repo, const char *ref,
                  int64_t from, int64_t to, int weekly, json_t **out);
void offline_close(struct offline *o);

#endif
