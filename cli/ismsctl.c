/* ismsctl.c - the user's tool: the table of commands, dispatch, and the
 * option helpers the commands share. The commands live in cmd_check.c
 * (offline), cmd_author.c (rule authors), cmd_daemon.c (the running
 * daemon) and cmd_calendar.c (the scheduler). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "paths.h"
#include "date.h"
#include "engine.h"
#include "log.h"
#include "alloc.h"
#include "err.h"
#include "problems.h"
#include "model.h"

#include "ismsctl_int.h"
#include "escape.h"
#include "suggest.h"
#include <getopt.h>
#include <stdint.h>

/* The rule pack directories of --pack, in order; NULL-terminated. */
const char *pack_dirs[MAX_PACK_DIRS + 1];

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static int cmd_version(int, char **);
static int cmd_help(int, char **);

static const struct command commands[] = {
	{ "check", cmd_check, "evaluate an ISMS repository and report nonconformities" },
	{ "diff", cmd_diff, "new, resolved and changed findings between two refs" },
	{ "rules", cmd_rules, "list the rules, or the clauses and controls they cover" },
	{ "schema", cmd_schema, "print the record types as JSON Schema or Markdown" },
	{ "test", cmd_test, "run rule specs against fixture records and print TAP" },
	{ "new-pack", cmd_new_pack, "create a rule pack with one example rule and its specs" },
	{ "status", cmd_status, "ask the daemon how each repository stands" },
	{ "results", cmd_results, "the daemon's verdicts, filtered (--status fail ...)" },
	{ "explain", cmd_explain, "one rule: verdict, findings, what it read" },
	{ "summary", cmd_summary, "verdicts per clause and Annex A theme" },
	{ "watch", cmd_watch, "print changes as the daemon publishes them" },
	{ "sync", cmd_sync, "make the daemon evaluate now (post-receive hook)" },
	{ "ack", cmd_ack, "acknowledge a reminder: its repeats stop" },
	{ "history", cmd_history, "the conformance trend over evaluated commits" },
	{ "call", cmd_call, "send one JSON-RPC request and print the reply" },
	{ "calendar", cmd_calendar,
	  "the ISMS calendar: reviews, audits, due dates (text or iCalendar)" },
	{ "audit-plan", cmd_audit_plan, "plan the internal audit programme for the cycle" },
	{ "review-pack", cmd_review_pack,
	  "the management review inputs since the last review (Markdown)" },
	{ "attest", cmd_attest, "check and sign the result set (minisign format)" },
	{ "verify", cmd_verify, "check an attestation's signature and evaluate it again" },
	{ "keygen", cmd_keygen, "make a key pair for attest and the daemon's sign_key" },
	{ "soa", cmd_soa, "the Statement of Applicability (Markdown, CSV, HTML, JSON)" },
	{ "report", cmd_report, "the audit readiness report (HTML, Markdown, JSON)" },
	{ "version", cmd_version, "print the version" },
	{ "help", cmd_help, "show this help" },
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: ismsctl COMMAND [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < NELEM(commands); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'ismsctl COMMAND --help' for a command's options.\n");
}

static int
cmd_help(int argc, char **argv)
{
	(void)argc, (void)argv;
	usage(stdout);
	return 0;
}

static int
cmd_version(int argc, char **argv)
{
	(void)argc, (void)argv;
	printf("ismsctl %s\n", ISMS_VERSION);
	return 0;
}

/* Read the whole number s given to option flag into *out. */
int
parse_int(const char *flag, const char *s, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0)
		return err_set("%s wants a whole number, not \"%s\"", flag, s);
	*out = v;
	return 0;
}

/* Read the number of seconds s given to option flag as milliseconds. */
int
parse_secs(const char *flag, const char *s, int *ms)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(v) || v < 0 || v > INT_MAX / 1000)
		return err_set("%s wants a number of seconds (up to %d), not \"%s\"", flag,
		               INT_MAX / 1000, s);
	*ms = (int)(v * 1000);
	return 0;
}

/* The evaluation instant: --now, else the clock. */
int
parse_now(const char *s, int64_t *out)
{
	if (s == NULL) {
		*out = (int64_t)time(NULL);
		return 0;
	}
	struct ymd d;
	int has_time;
	if (date_parse(s, "UTC", &d, out, &has_time) < 0)
		return -1;
	if (!has_time)
		*out = date_days(d) * 86400 + (int64_t)12 * 3600; /* midday: any zone's date */
	return 0;
}

void
print_problems(const char *what, const struct problems *p)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->v[i].path && p->v[i].line)
			fprintf(stderr, "%s:%d: %s\n", esc(p->v[i].path), p->v[i].line,
			        esc(p->v[i].msg));
		else if (p->v[i].path)
			fprintf(stderr, "%s: %s\n", esc(p->v[i].path), esc(p->v[i].msg));
		else
			fprintf(stderr, "%s\n", esc(p->v[i].msg));
	}
	fprintf(stderr, "ismsctl: %s\n", what);
}

const char *
organisation(const struct model *m)
{
	const struct node *root = m->manifest->doc->root;
	const struct node *org = root ? node_get(root, "organisation") : NULL;
	if (org && org->kind == NODE_MAP)
		org = node_get(org, "name");
	return org && org->kind == NODE_STRING ? org->str : NULL;
}

void *
load_packs(void *arg)
{
	struct pack_load *pl = arg;
	pl->rc = engine_load_packs(&pl->opts, pack_dirs, &pl->e, &pl->errs);
	if (pl->rc < 0)
		pl->error = xstrdup(err_msg());
	return NULL;
}

int
main(int argc, char **argv)
{
	log_init("ismsctl", LOG_LVL_WARN, 0);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(argc, argv);
	opterr = 0; /* flag_error says it, with a suggestion */
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc, argv);
	for (size_t i = 0; i < NELEM(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			optind = 1;
			return commands[i].run(argc - 1, argv + 1);
		}
	const char *names[NELEM(commands) + 1];
	char hint[160];
	for (size_t i = 0; i < NELEM(commands); i++)
		names[i] = commands[i].name;
	names[NELEM(commands)] = NULL;
	fprintf(stderr, "ismsctl: unknown command '%s'%s\n", esc(argv[1]),
	        suggest_among(argv[1], names, NELEM(commands), hint, sizeof(hint)));
	usage(stderr);
	return EXIT_USAGE;
}

void
flag_error_names(const char *cmd, const char *arg, const char *const *names)
{
	char hint[160], word[80];
	/* --format=x: the name is what is before '=' */
	snprintf(word, sizeof(word), "%.*s", (int)strcspn(arg, "="), arg);
	for (size_t i = 0; names[i]; i++)
		if (strcmp(word, names[i]) == 0) {
			fprintf(stderr, "ismsctl %s: option '%s' needs a value\n", cmd, esc(word));
			return;
		}
	fprintf(stderr, "ismsctl %s: unknown option '%s'%s\n", cmd, esc(word),
	        suggest_among(word, names, SIZE_MAX, hint, sizeof(hint)));
}

void
flag_error(const char *cmd, const char *arg, const struct option *longopts)
{
	const char *names[64];
	char buf[64][40];
	size_t n = 0;
	for (; longopts[n].name && n < NELEM(names) - 1; n++) {
		snprintf(buf[n], sizeof(buf[n]), "--%s", longopts[n].name);
		names[n] = buf[n];
	}
	names[n] = NULL;
	flag_error_names(cmd, arg ? arg : "", names);
}

/* Add an extra rule pack directory for `cmd`; -1 after saying why. */
int
add_pack_dir(const char *cmd, const char *dir)
{
	size_t n = 0;
	while (pack_dirs[n] != NULL)
		n++;
	if (n == MAX_PACK_DIRS) {
		fprintf(stderr, "ismsctl %s: at most %d --pack directories\n", cmd, MAX_PACK_DIRS);
		return -1;
	}
	pack_dirs[n] = dir;
	return 0;
}
