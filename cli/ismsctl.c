/* ismsctl.c - the user's tool: check an ISMS repository offline, print
 * the record schemas, list the rules. */
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

#include "client.h"
#include "paths.h"
#include "calendar.h"
#include "date.h"
#include "engine.h"
#include "log.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "problems.h"
#include "sys.h"
#include "ical.h"
#include "model.h"
#include "planner.h"
#include "record.h"
#include "report.h"
#include "review_pack.h"
#include "scaffold.h"
#include "snapshot.h"
#include "spec.h"
#include "thread.h"

#define EXIT_NONCONFORMANT 1
#define EXIT_USAGE         2

/* Extra rule pack directories (--pack), loaded after the shipped rules;
 * NULL-terminated. */
#define MAX_PACK_DIRS 16
static const char *pack_dirs[MAX_PACK_DIRS + 1];
static int add_pack_dir(const char *cmd, const char *dir);

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static int cmd_check(int, char **);
static int cmd_schema(int, char **);
static int cmd_rules(int, char **);
static int cmd_version(int, char **);
static int cmd_test(int, char **);
static int cmd_help(int, char **);
static int cmd_status(int, char **);
static int cmd_results(int, char **);
static int cmd_explain(int, char **);
static int cmd_summary(int, char **);
static int cmd_watch(int, char **);
static int cmd_sync(int, char **);
static int cmd_history(int, char **);
static int cmd_call(int, char **);
static int cmd_new_pack(int, char **);
static int cmd_calendar(int, char **);
static int cmd_audit_plan(int, char **);
static int cmd_review_pack(int, char **);
static int cmd_ack(int, char **);

static const struct command commands[] = {
	{ "check", cmd_check, "evaluate an ISMS repository and report nonconformities" },
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

static const char check_help[] =
        "usage: ismsctl check --repo PATH [--ref REF] [--worktree DIR] [--now DATE]\n"
        "                     [--rules DIR] [--pack DIR]... [--format text|json|tap]\n"
        "                     [--verbose]\n"
        "\n"
        "Evaluate the ISMS in a git repository against ISO/IEC 27001:2022 and\n"
        "report every nonconformity with the file and line it is about and what\n"
        "to do about it.\n"
        "\n"
        "  --repo PATH      the ISMS repository (work tree, .git or bare); default .\n"
        "  --ref REF        branch, tag or commit to check; default HEAD\n"
        "  --worktree DIR   check the files in DIR, committed or not (pre-commit)\n"
        "  --now DATE       evaluate as of DATE (ISO 8601); default: now\n"
        "  --rules DIR      rule packs to use; default: the installed ones\n"
        "  --pack DIR       also the organisation's own rule packs in DIR\n"
        "                   (repeatable; loaded after those of --rules)\n"
        "  --format FMT     text (default), json or tap\n"
        "  --verbose        also list passing and not applicable rules\n"
        "  --profile        print the time per phase and the slowest rules to standard error\n"
        "\n"
        "Exit status: 0 conformant, 1 nonconformities (or a rule that could not\n"
        "be evaluated), 2 usage or repository error.\n";

struct check_opts {
	const char *repo, *ref, *worktree, *rules, *now;
	enum report_format format;
	int verbose, profile;
};

static int
parse_check(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		{ "repo", required_argument, NULL, 'r' },
		{ "ref", required_argument, NULL, 'f' },
		{ "worktree", required_argument, NULL, 'w' },
		{ "now", required_argument, NULL, 'n' },
		{ "rules", required_argument, NULL, 'R' },
		{ "pack", required_argument, NULL, 'P' },
		{ "format", required_argument, NULL, 'F' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "profile", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	o->repo = ".";
	while ((c = getopt_long(argc, argv, "r:f:w:n:R:P:F:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->repo = optarg; break;
		case 'f': o->ref = optarg; break;
		case 'w': o->worktree = optarg; break;
		case 'n': o->now = optarg; break;
		case 'R': o->rules = optarg; break;
		case 'P':
			if (add_pack_dir("check", optarg) < 0)
				return -1;
			break;
		case 'v': o->verbose = 1; break;
		case 'p': o->profile = 1; break;
		case 'F':
			if (report_format_parse(optarg, &o->format) < 0) {
				fprintf(stderr, "ismsctl check: %s\n", err_msg());
				return -1;
			}
			break;
		case 'h': fputs(check_help, stdout); exit(0);
		default: fputs(check_help, stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ismsctl check: unexpected argument '%s'\n%s", argv[optind],
		        check_help);
		return -1;
	}
	return 0;
}

/* Read the whole number s given to option flag into *out. */
static int
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
static int
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
static int
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

static void
print_problems(const char *what, const struct problems *p)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->v[i].path && p->v[i].line)
			fprintf(stderr, "%s:%d: %s\n", p->v[i].path, p->v[i].line, p->v[i].msg);
		else if (p->v[i].path)
			fprintf(stderr, "%s: %s\n", p->v[i].path, p->v[i].msg);
		else
			fprintf(stderr, "%s\n", p->v[i].msg);
	}
	fprintf(stderr, "ismsctl: %s\n", what);
}

static const char *
organisation(const struct model *m)
{
	const struct node *root = m->manifest->doc->root;
	const struct node *org = root ? node_get(root, "organisation") : NULL;
	if (org && org->kind == NODE_MAP)
		org = node_get(org, "name");
	return org && org->kind == NODE_STRING ? org->str : NULL;
}

/* Loading the rule packs on a thread of its own (engine_load_packs). */
struct pack_load {
	struct engine_opts opts;
	struct engine *e;
	struct problems errs;
	int rc;
	char *error;
};

static void *
load_packs(void *arg)
{
	struct pack_load *pl = arg;
	pl->rc = engine_load_packs(&pl->opts, pack_dirs, &pl->e, &pl->errs);
	if (pl->rc < 0)
		pl->error = xstrdup(err_msg());
	return NULL;
}

static int
cmd_check(int argc, char **argv)
{
	struct check_opts o = { 0 };
	struct snapshot *snap = NULL;
	struct model *m = NULL;
	struct engine *e = NULL;
	struct evaluation *ev = NULL;
	struct problems errs = { 0 };
	int64_t now;
	int rc = EXIT_USAGE;
	if (parse_check(argc, argv, &o) < 0)
		return EXIT_USAGE;
	if (parse_now(o.now, &now) < 0) {
		fprintf(stderr, "ismsctl check: --now: %s\n", err_msg());
		return EXIT_USAGE;
	}
	/* --profile: where the time went, phase by phase. */
	double t[5];
	t[0] = mono_ms();
	/* The rule packs load while the repository is read. */
	struct pack_load pl = { .opts = { o.rules ? o.rules : engine_default_rules_dir(),
		                          { 0, 0 } } };
	struct side th;
	side_start(&th, 1, "packs", load_packs, &pl);
	if (!side_started(&th))
		load_packs(&pl);
	struct snapshot_limits lim = { SNAPSHOT_DEFAULT_MAX_BLOB, SNAPSHOT_DEFAULT_MAX_FILES };
	int read = snapshot_load(o.repo, o.ref, o.worktree, &lim, &snap);
	if (read < 0)
		fprintf(stderr, "ismsctl check: %s\n", err_msg());
	t[1] = mono_ms();
	side_join(&th);
	e = pl.e;
	errs = pl.errs;
	t[2] = mono_ms();
	if (pl.rc < 0) {
		print_problems(pl.error, &errs);
		free(pl.error);
		goto out;
	}
	if (read < 0)
		goto out;
	if (model_build(snap, &m) < 0) {
		fprintf(stderr, "ismsctl check: %s: %s\n", o.repo, err_msg());
		goto out;
	}
	t[3] = mono_ms();
	if (engine_eval(e, m, now, NULL, &ev) < 0) {
		fprintf(stderr, "ismsctl check: %s\n", err_msg());
		goto out;
	}
	t[4] = mono_ms();
	struct report_meta meta = {
		.repo = o.repo,
		.ref = o.ref,
		.organisation = organisation(m),
		.worktree = o.worktree != NULL,
		.verbose = o.verbose,
		.color = o.format == REPORT_TEXT && isatty(1) && !getenv("NO_COLOR"),
	};
	report_write(stdout, o.format, ev, e, &meta);
	if (o.profile) {
		fprintf(stderr,
		        "phases: repository read in %.1f ms, rule packs loaded (meanwhile) %.1f ms "
		        "later, records parsed and validated in %.1f ms, rules run in %.1f ms, "
		        "report written in %.1f ms\n",
		        t[1] - t[0], t[2] - t[1], t[3] - t[2], t[4] - t[3], mono_ms() - t[4]);
		report_profile(stderr, ev, 20);
	}
	rc = report_exit_status(ev);
out:
	evaluation_free(ev);
	model_free(m);
	snapshot_free(snap);
	engine_free(e);
	problems_free(&errs);
	return rc;
}

static const char schema_help[] =
        "usage: ismsctl schema [--list | --markdown | --out DIR | TYPE]\n"
        "\n"
        "  --list       the record types with their default paths\n"
        "  --markdown   the record type reference (docs/isms-repository.md)\n"
        "  --out DIR    write one JSON Schema file per record type into DIR\n"
        "  TYPE         print the JSON Schema of one record type\n"
        "\n"
        "For editor completion, point the YAML language server at the files:\n"
        "  # yaml-language-server: $schema=schemas/risk.json\n";

static int
write_schemas(const char *dir)
{
	size_t n;
	const struct record_type *t = record_types(&n);
	if (mkdir(dir, 0777) < 0 && access(dir, W_OK) < 0) {
		fprintf(stderr, "ismsctl schema: cannot create %s\n", dir);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s.json", dir, t[i].name);
		FILE *f = fopen(path, "w");
		if (f == NULL) {
			fprintf(stderr, "ismsctl schema: cannot write %s\n", path);
			return EXIT_USAGE;
		}
		char *s = record_json_schema(&t[i]);
		fputs(s, f);
		fputc('\n', f);
		free(s);
		if (fclose(f) != 0) {
			fprintf(stderr, "ismsctl schema: cannot write %s\n", path);
			return EXIT_USAGE;
		}
	}
	printf("wrote %zu schema files to %s\n", n, dir);
	return 0;
}

static int
cmd_schema(int argc, char **argv)
{
	size_t n;
	const struct record_type *t = record_types(&n);
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; i < n; i++)
			printf("%-20s %-8s %s\n", t[i].name, t[i].clause, t[i].paths);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--markdown") == 0) {
		char *s = record_markdown();
		fputs(s, stdout);
		free(s);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--out") == 0)
		return write_schemas(argv[2]);
	if (argc == 2 && argv[1][0] != '-') {
		const struct record_type *rt = record_type_find(argv[1]);
		if (rt == NULL) {
			fprintf(stderr,
			        "ismsctl schema: '%s' is not a record type; "
			        "'ismsctl schema --list' lists them\n",
			        argv[1]);
			return EXIT_USAGE;
		}
		char *s = record_json_schema(rt);
		puts(s);
		free(s);
		return 0;
	}
	fputs(schema_help, argc == 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
	return argc == 2 && strcmp(argv[1], "--help") == 0 ? 0 : EXIT_USAGE;
}

static const char rules_help[] =
        "usage: ismsctl rules [--rules DIR] [--pack DIR]... [--coverage | --markdown | --json]\n"
        "\n"
        "List the rules of the rule packs, or with --coverage every clause and\n"
        "Annex A control with the rules that cover it.\n";

static void
print_coverage(const struct engine *e, const char **ids, size_t nids, int control,
               size_t *uncovered)
{
	const struct rule_info *r;
	size_t nr = engine_rules(e, &r);
	for (size_t i = 0; i < nids; i++) {
		printf("  %-7s %-58.58s ", ids[i],
		       control ? catalogue_control_title(engine_catalogue(e), ids[i])
		               : catalogue_title(engine_catalogue(e), ids[i]));
		int any = 0;
		for (size_t k = 0; k < nr; k++) {
			const char *on = control ? r[k].control : r[k].clause;
			if (on && strcmp(on, ids[i]) == 0) {
				printf("%s%s", any ? ", " : "", r[k].id);
				any = 1;
			}
		}
		if (!any) {
			printf("NOT COVERED");
			(*uncovered)++;
		}
		printf("\n");
	}
}

/* Markdown table cells: no pipes or line breaks. */
static void
md_cell(const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", stdout);
		else if (*s == '\n')
			fputc(' ', stdout);
		else
			fputc(*s, stdout);
	}
}

/* docs/rules.md: one table per clause and per Annex A theme. */
static void
print_rules_markdown(const struct rule_info *r, size_t nr)
{
	printf("# Rules\n\n"
	       "What each rule checks, by clause and Annex A theme. Generated by\n"
	       "`ismsctl rules --markdown`; parameters are set in isms.yaml under\n"
	       "`parameters:` (by rule id, or by name for every rule).\n");
	for (size_t g = 0; g < report_ngroups(); g++) {
		const char *key, *label;
		report_group_at(g, &key, &label);
		int any = 0;
		for (size_t i = 0; i < nr; i++) {
			if (strcmp(report_group(&r[i]), key) != 0)
				continue;
			if (!any)
				printf("\n## %s\n\n| id | %s | title | what it checks | parameters "
				       "| severity |\n"
				       "|---|---|---|---|---|---|\n",
				       label, r[i].control ? "control" : "clause");
			any = 1;
			printf("| `%s` | %s | ", r[i].id,
			       r[i].control ? r[i].control : r[i].clause);
			md_cell(r[i].title);
			printf(" | ");
			md_cell(r[i].rationale);
			printf(" | ");
			for (size_t k = 0; k < r[i].nparams; k++) {
				printf("%s`%s` = %s", k ? ", " : "", r[i].params[k].name,
				       r[i].params[k].def);
				if (r[i].params[k].doc) {
					printf(" (");
					md_cell(r[i].params[k].doc);
					printf(")");
				}
			}
			printf(" | %s |\n", r[i].severity);
		}
	}
}

static int
cmd_rules(int argc, char **argv)
{
	const char *dir = NULL;
	int coverage = 0, json = 0, markdown = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--pack") == 0 && i + 1 < argc) {
			if (add_pack_dir("rules", argv[++i]) < 0)
				return EXIT_USAGE;
		} else if (strcmp(argv[i], "--coverage") == 0)
			coverage = 1;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--markdown") == 0)
			markdown = 1;
		else {
			fputs(rules_help, strcmp(argv[i], "--help") ? stderr : stdout);
			return strcmp(argv[i], "--help") ? EXIT_USAGE : 0;
		}
	}
	struct engine *e;
	struct problems errs = { 0 };
	struct engine_opts eo = { dir ? dir : engine_default_rules_dir(), { 0, 0 } };
	if (engine_load_packs(&eo, pack_dirs, &e, &errs) < 0) {
		print_problems(err_msg(), &errs);
		problems_free(&errs);
		return EXIT_USAGE;
	}
	const struct rule_info *r;
	size_t nr = engine_rules(e, &r);
	int rc = 0;
	if (coverage) {
		const char **ids;
		size_t uncovered = 0, n = catalogue_clauses(engine_catalogue(e), &ids);
		printf("Clauses\n");
		print_coverage(e, ids, n, 0, &uncovered);
		n = catalogue_controls(engine_catalogue(e), &ids);
		printf("Annex A controls\n");
		print_coverage(e, ids, n, 1, &uncovered);
		printf("%zu clause%s or control%s not covered by any rule\n", uncovered,
		       uncovered == 1 ? "" : "s", uncovered == 1 ? "" : "s");
		rc = uncovered ? EXIT_NONCONFORMANT : 0;
	} else if (markdown) {
		print_rules_markdown(r, nr);
	} else if (json) {
		json_t *a = json_array();
		for (size_t i = 0; i < nr; i++)
			json_array_append_new(a, report_rule_json(&r[i]));
		json_dumpf(a, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(a);
	} else {
		for (size_t i = 0; i < nr; i++)
			printf("%-34s %-8s %-11s %s\n", r[i].id,
			       r[i].control ? r[i].control : r[i].clause, r[i].severity,
			       r[i].title);
		printf("%zu rules\n", nr);
	}
	engine_free(e);
	return rc;
}

static const char test_help[] =
        "usage: ismsctl test [--rules DIR] [--pack DIR]... [SPEC...]\n"
        "\n"
        "Run rule specs (Lua files of spec{...} cases: fixture records, an\n"
        "evaluation date, the expected verdicts and findings) and print TAP.\n"
        "SPEC is a spec file or a directory of them; default: specs/ in the\n"
        "rules directory. --pack DIR adds the organisation's own rule packs in\n"
        "DIR (repeatable) to those of --rules. Exit status: 0 all passed, 1 some\n"
        "failed, 2 error.\n";

static int
cmd_test(int argc, char **argv)
{
	const char *dir = NULL;
	int i, failed = 0, ran = 0;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (strcmp(argv[i], "--pack") == 0 && i + 1 < argc) {
			if (add_pack_dir("test", argv[++i]) < 0)
				return EXIT_USAGE;
		} else {
			int help = strcmp(argv[i], "--help") == 0;
			fputs(test_help, help ? stdout : stderr);
			return help ? 0 : EXIT_USAGE;
		}
	}
	const char *rules = dir ? dir : engine_default_rules_dir();
	char deflt[4200];
	snprintf(deflt, sizeof(deflt), "%s/specs", rules);
	for (; i < argc || !ran; i++, ran++) {
		const char *path = i < argc ? argv[i] : deflt;
		int rc = spec_run_packs(path, rules, pack_dirs, stdout);
		if (rc < 0) {
			fprintf(stderr, "ismsctl test: %s\n", err_msg());
			return EXIT_USAGE;
		}
		failed += rc;
		if (i >= argc)
			break;
	}
	return failed ? EXIT_NONCONFORMANT : 0;
}

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

static const char daemon_help[] =
        "Common options: --socket PATH (default $ISMS_SOCKET or " ISMSD_DEFAULT_SOCKET "),\n"
        "--repo NAME (when the daemon serves several), --json (the raw reply).\n";

/* Parse --socket, --repo, --json and the flags in fl (each takes a value). */
static int
parse_dopts(int argc, char **argv, const struct dflag *fl, size_t nfl, int want_pos,
            struct dopts *o, const char *help)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int need = i + 1 < argc;
		if (strcmp(a, "--json") == 0) {
			o->json = 1;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			printf("%s%s", help, daemon_help);
			exit(0);
		}
		if (strcmp(a, "--socket") == 0 && need) {
			o->socket = argv[++i];
			continue;
		}
		if (strcmp(a, "--repo") == 0 && need) {
			o->repo = argv[++i];
			continue;
		}
		size_t k;
		for (k = 0; k < nfl; k++)
			if (strcmp(a, fl[k].name) == 0 && need) {
				o->arg[fl[k].idx] = argv[++i];
				break;
			}
		if (k < nfl)
			continue;
		if (a[0] != '-' && want_pos && o->positional == NULL) {
			o->positional = a;
			continue;
		}
		fprintf(stderr, "ismsctl %s: unexpected argument '%s'\n%s%s", argv[0], a, help,
		        daemon_help);
		return -1;
	}
	return 0;
}

/* Call method on the daemon; prints the error and returns -1 on failure. */
static int
dcall(const struct dopts *o, const char *method, json_t *params, json_t **result)
{
	struct client_conn *c;
	const char *path = client_socket_path(o->socket);
	if (o->repo)
		json_object_set_new(params, "repo", json_string(o->repo));
	int rc = client_open(path, &c);
	if (rc == 0) {
		rc = client_call(c, method, params, result, NULL);
		client_close(c);
	}
	json_decref(params);
	if (rc < 0)
		fprintf(stderr, "ismsctl %s: %s\n", method, err_msg());
	return rc;
}

static void
print_json(json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
}

static const char *
jget(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "-";
}

static void
print_counts(json_t *counts)
{
	const char *k;
	json_t *v;
	int first = 1;
	json_object_foreach (counts, k, v) {
		if (json_integer_value(v) == 0)
			continue;
		printf("%s%lld %s", first ? "" : ", ", (long long)json_integer_value(v), k);
		first = 0;
	}
	if (first)
		printf("no verdicts");
}

/* One line per plugin: its state, and why when it is not running. */
static void
print_plugins(json_t *plugins)
{
	json_t *p;
	size_t i;
	if (json_array_size(plugins) == 0)
		return;
	printf("\nplugins\n");
	json_array_foreach (plugins, i, p) {
		printf("  %-16s %-8s", jget(p, "name"), jget(p, "state"));
		if (json_is_string(json_object_get(p, "version")))
			printf(" %s %s,", jget(p, "plugin"), jget(p, "version"));
		printf(" %lld delivered, %lld dropped, %lld queued",
		       (long long)json_integer_value(json_object_get(p, "delivered")),
		       (long long)json_integer_value(json_object_get(p, "dropped")),
		       (long long)json_integer_value(json_object_get(p, "queued")));
		if (json_is_string(json_object_get(p, "error")))
			printf("\n    %s", jget(p, "error"));
		else if (json_is_string(json_object_get(p, "last_message")))
			printf("\n    last message: %s", jget(p, "last_message"));
		putchar('\n');
	}
}

static const char status_help[] = "usage: ismsctl status [--json]\n";

static int
cmd_status(int argc, char **argv)
{
	struct dopts o;
	json_t *r, *v;
	size_t i;
	if (parse_dopts(argc, argv, NULL, 0, 0, &o, status_help) < 0)
		return EXIT_USAGE;
	if (dcall(&o, "status", json_object(), &r) < 0)
		return EXIT_USAGE;
	if (o.json) {
		print_json(r);
		json_decref(r);
		return 0;
	}
	printf("ismsd %s, pid %lld, %lld client(s), cursor %lld\n", jget(r, "version"),
	       (long long)json_integer_value(json_object_get(r, "pid")),
	       (long long)json_integer_value(json_object_get(r, "clients")),
	       (long long)json_integer_value(json_object_get(r, "cursor")));
	if (json_is_string(json_object_get(r, "config_error")))
		printf("configuration reload refused: %s\n", jget(r, "config_error"));
	int bad = 0;
	json_array_foreach (json_object_get(r, "repositories"), i, v) {
		printf("\n%s  (%s)\n", jget(v, "name"), jget(v, "source"));
		printf("  health:     %s%s%s\n", jget(v, "health"),
		       json_is_string(json_object_get(v, "message")) ? ": " : "",
		       json_is_string(json_object_get(v, "message")) ? jget(v, "message") : "");
		printf("  commit:     %.12s (%s), evaluated %s\n", jget(v, "commit"),
		       jget(v, "commit_time"), jget(v, "evaluated_at"));
		printf("  verdicts:   ");
		print_counts(json_object_get(v, "counts"));
		printf("\n  conformant: %s\n",
		       json_is_true(json_object_get(v, "conformant")) ? "yes" : "NO");
		if (json_is_string(json_object_get(v, "rules_error")))
			printf("  rule packs: reload failed, previous set running: %s\n",
			       jget(v, "rules_error"));
		if (json_is_string(json_object_get(v, "next_evaluation")))
			printf("  next time-based evaluation: %s\n", jget(v, "next_evaluation"));
		bad |= strcmp(jget(v, "health"), "ok") != 0;
	}
	print_plugins(json_object_get(r, "plugins"));
	json_decref(r);
	return bad ? EXIT_NONCONFORMANT : 0;
}

static void
print_result(json_t *v, int details)
{
	const char *ctl = json_string_value(json_object_get(v, "control"));
	printf("%-15s %-36s %s%s\n", jget(v, "status"), jget(v, "id"), ctl ? "Annex A " : "clause ",
	       ctl ? ctl : jget(v, "clause"));
	json_t *f;
	size_t i;
	json_array_foreach (json_object_get(v, "findings"), i, f) {
		json_t *line = json_object_get(f, "line");
		if (json_is_string(json_object_get(f, "file")) && json_is_integer(line))
			printf("    %s:%lld: %s\n", jget(f, "file"),
			       (long long)json_integer_value(line), jget(f, "message"));
		else if (json_is_string(json_object_get(f, "file")))
			printf("    %s: %s\n", jget(f, "file"), jget(f, "message"));
		else
			printf("    %s\n", jget(f, "message"));
	}
	if (details && json_is_string(json_object_get(v, "note")))
		printf("    %s\n", jget(v, "note"));
}

static const char results_help[] =
        "usage: ismsctl results [--status S] [--clause C] [--control C] [--theme T]\n"
        "                       [--as-of COMMIT|DATE] [--json]\n"
        "\nThe daemon's verdicts; --as-of answers what they were at a commit or date.\n";

static int
cmd_results(int argc, char **argv)
{
	static const struct dflag fl[] = { { "--status", 0 },
		                           { "--clause", 1 },
		                           { "--control", 2 },
		                           { "--theme", 3 },
		                           { "--as-of", 4 } };
	static const char *const keys[] = { "status", "clause", "control", "theme", "as_of" };
	struct dopts o;
	json_t *r, *v;
	size_t i;
	if (parse_dopts(argc, argv, fl, NELEM(fl), 0, &o, results_help) < 0)
		return EXIT_USAGE;
	json_t *p = json_object();
	for (i = 0; i < NELEM(keys); i++)
		if (o.arg[i])
			json_object_set_new(p, keys[i], json_string(o.arg[i]));
	if (dcall(&o, "results", p, &r) < 0)
		return EXIT_USAGE;
	if (o.json) {
		print_json(r);
	} else {
		printf("%s at %.12s: ", jget(r, "repo"), jget(r, "commit"));
		print_counts(json_object_get(r, "counts"));
		printf("\n");
		json_array_foreach (json_object_get(r, "results"), i, v)
			print_result(v, 0);
	}
	int rc = json_is_true(json_object_get(r, "conformant")) ? 0 : EXIT_NONCONFORMANT;
	json_decref(r);
	return rc;
}

static const char explain_help[] =
        "usage: ismsctl explain RULE [--as-of COMMIT|DATE] [--json]\n"
        "\nOne rule's verdict, findings, what it read, and at which commit.\n";

static int
cmd_explain(int argc, char **argv)
{
	static const struct dflag fl[] = { { "--as-of", 0 } };
	struct dopts o;
	json_t *r, *v;
	size_t i;
	if (parse_dopts(argc, argv, fl, NELEM(fl), 1, &o, explain_help) < 0)
		return EXIT_USAGE;
	if (o.positional == NULL) {
		fputs(explain_help, stderr);
		return EXIT_USAGE;
	}
	json_t *p = json_pack("{s:s}", "rule", o.positional);
	if (o.arg[0])
		json_object_set_new(p, "as_of", json_string(o.arg[0]));
	if (dcall(&o, "explain", p, &r) < 0)
		return EXIT_USAGE;
	if (o.json) {
		print_json(r);
		json_decref(r);
		return 0;
	}
	printf("%s - %s\n", jget(r, "id"), jget(r, "title"));
	printf("verdict:   %s (severity %s) at commit %.12s, evaluated %s\n", jget(r, "status"),
	       jget(r, "severity"), jget(r, "commit"), jget(r, "evaluated_at"));
	if (json_is_string(json_object_get(r, "rationale")))
		printf("why:       %s\n", jget(r, "rationale"));
	print_result(r, 1);
	if (json_is_string(json_object_get(r, "valid_until")))
		printf("valid until %s\n", jget(r, "valid_until"));
	printf("what to do: %s\n", jget(r, "remediation"));
	printf("read %zu file(s):\n", json_array_size(json_object_get(r, "reads")));
	json_array_foreach (json_object_get(r, "reads"), i, v)
		printf("    %s\n", json_string_value(v));
	json_array_foreach (json_object_get(r, "patterns"), i, v)
		printf("    pattern %s\n", json_string_value(v));
	json_decref(r);
	return 0;
}

static const char summary_help[] = "usage: ismsctl summary [--as-of COMMIT|DATE] [--json]\n";

static int
cmd_summary(int argc, char **argv)
{
	static const struct dflag fl[] = { { "--as-of", 0 } };
	struct dopts o;
	json_t *r, *v;
	size_t i;
	if (parse_dopts(argc, argv, fl, NELEM(fl), 0, &o, summary_help) < 0)
		return EXIT_USAGE;
	json_t *p = json_object();
	if (o.arg[0])
		json_object_set_new(p, "as_of", json_string(o.arg[0]));
	if (dcall(&o, "summary", p, &r) < 0)
		return EXIT_USAGE;
	if (o.json) {
		print_json(r);
	} else {
		printf("%s at %.12s\n", jget(r, "repo"), jget(r, "commit"));
		json_array_foreach (json_object_get(r, "groups"), i, v) {
			printf("  %-40s ", jget(v, "label"));
			print_counts(json_object_get(v, "counts"));
			printf("%s\n",
			       json_is_true(json_object_get(v, "conformant")) ? "" : "   <--");
		}
	}
	int rc = json_is_true(json_object_get(r, "conformant")) ? 0 : EXIT_NONCONFORMANT;
	json_decref(r);
	return rc;
}

static const char sync_help[] =
        "usage: ismsctl sync [--json]\n"
        "\nFetch (remote) and evaluate the head now; returns once it is done.\n";

static int
cmd_sync(int argc, char **argv)
{
	struct dopts o;
	json_t *r;
	if (parse_dopts(argc, argv, NULL, 0, 0, &o, sync_help) < 0)
		return EXIT_USAGE;
	if (dcall(&o, "sync", json_object(), &r) < 0)
		return EXIT_USAGE;
	if (o.json)
		print_json(r);
	else
		printf("evaluated %.12s: %lld verdict(s) changed, %lld rule(s) run in %.1f ms\n",
		       jget(r, "commit"),
		       (long long)json_integer_value(json_object_get(r, "changed")),
		       (long long)json_integer_value(json_object_get(r, "rules_run")),
		       json_number_value(json_object_get(r, "eval_ms")));
	json_decref(r);
	return 0;
}

static const char ack_help[] =
        "usage: ismsctl ack ID [--json]\n"
        "\nAcknowledge reminder ID, or its ack key (EVENT@DATE): the reminders of that\n"
        "event for that date stop repeating; for a cron reminder, that occurrence.\n";

static int
cmd_ack(int argc, char **argv)
{
	struct dopts o;
	json_t *r;
	if (parse_dopts(argc, argv, NULL, 0, 1, &o, ack_help) < 0)
		return EXIT_USAGE;
	if (o.positional == NULL) {
		fprintf(stderr, "ismsctl ack: which reminder? Give its id\n%s%s", ack_help,
		        daemon_help);
		return EXIT_USAGE;
	}
	if (dcall(&o, "ack", json_pack("{s:s}", "id", o.positional), &r) < 0)
		return EXIT_USAGE;
	if (o.json)
		print_json(r);
	else
		printf("acknowledged %s in %s\n", jget(r, "id"), jget(r, "repo"));
	json_decref(r);
	return 0;
}

static const char history_help[] =
        "usage: ismsctl history [--since DATE] [--until DATE] [--limit N] [--json]\n"
        "\nThe verdict counts of every evaluated commit, oldest first.\n";

static int
cmd_history(int argc, char **argv)
{
	static const struct dflag fl[] = { { "--since", 0 }, { "--until", 1 }, { "--limit", 2 } };
	struct dopts o;
	json_t *r, *v;
	size_t i;
	long long limit = 0;
	if (parse_dopts(argc, argv, fl, NELEM(fl), 0, &o, history_help) < 0)
		return EXIT_USAGE;
	if (o.arg[2] && parse_int("--limit", o.arg[2], &limit) < 0) {
		fprintf(stderr, "ismsctl history: %s\n", err_msg());
		return EXIT_USAGE;
	}
	json_t *p = json_object();
	if (o.arg[0])
		json_object_set_new(p, "since", json_string(o.arg[0]));
	if (o.arg[1])
		json_object_set_new(p, "until", json_string(o.arg[1]));
	if (o.arg[2])
		json_object_set_new(p, "limit", json_integer(limit));
	if (dcall(&o, "history", p, &r) < 0)
		return EXIT_USAGE;
	if (o.json) {
		print_json(r);
	} else {
		json_array_foreach (json_object_get(r, "commits"), i, v) {
			printf("%s  %.12s  %-13s ", jget(v, "evaluated_at"), jget(v, "commit"),
			       json_is_true(json_object_get(v, "conformant")) ? "conformant"
			                                                      : "NOT conformant");
			print_counts(json_object_get(v, "counts"));
			printf("\n");
		}
	}
	json_decref(r);
	return 0;
}

/* One notification as a line for people. */
/* The findings of a findings notification, one a line, under what. */
static void
print_findings(const char *what, json_t *list)
{
	size_t i;
	json_t *f;
	json_array_foreach (list, i, f) {
		printf("    %-8s ", what);
		if (json_is_string(json_object_get(f, "file")))
			printf("%s:%lld: ", jget(f, "file"),
			       (long long)json_integer_value(json_object_get(f, "line")));
		printf("%s\n", jget(f, "message"));
	}
}

static void
print_event(json_t *m)
{
	json_t *p = json_object_get(m, "params"), *d = json_object_get(p, "data"), *v;
	const char *topic = jget(p, "topic");
	size_t i;
	printf("[%lld] %s %s %s: ", (long long)json_integer_value(json_object_get(p, "cursor")),
	       jget(p, "time"), jget(p, "repo"), topic);
	if (strcmp(topic, "results") == 0) {
		/* A first evaluation lists every verdict: show what is not passing. */
		int full = json_is_true(json_object_get(d, "full"));
		size_t n = json_array_size(json_object_get(d, "changed")), shown = 0;
		if (full)
			printf("first evaluation at %.12s: %zu verdicts; not passing:\n",
			       jget(d, "commit"), n);
		else
			printf("%zu verdict(s) changed at %.12s\n", n, jget(d, "commit"));
		json_array_foreach (json_object_get(d, "changed"), i, v) {
			if (full && strcmp(jget(v, "status"), "pass") == 0)
				continue;
			printf("    %-15s %s\n", jget(v, "status"), jget(v, "id"));
			shown++;
		}
		if (full && shown == 0)
			printf("    (none)\n");
	} else if (strcmp(topic, "commits") == 0) {
		printf("%.12s %s (", jget(d, "commit"),
		       json_is_true(json_object_get(d, "conformant")) ? "conformant"
		                                                      : "NOT conformant");
		print_counts(json_object_get(d, "counts"));
		printf(")\n");
	} else if (strcmp(topic, "findings") == 0) {
		printf("%s: %zu new, %zu resolved\n", jget(d, "rule"),
		       json_array_size(json_object_get(d, "added")),
		       json_array_size(json_object_get(d, "resolved")));
		print_findings("new", json_object_get(d, "added"));
		print_findings("resolved", json_object_get(d, "resolved"));
	} else if (strcmp(topic, "reminders") == 0) {
		printf("%s\n", jget(d, "message"));
		if (json_is_string(json_object_get(d, "to")))
			printf("    to:          %s\n", jget(d, "to"));
		if (json_is_string(json_object_get(d, "file")))
			printf("    record:      %s:%lld\n", jget(d, "file"),
			       (long long)json_integer_value(json_object_get(d, "line")));
		if (json_is_true(json_object_get(d, "redelivery")))
			printf("    (sent again: its delivery was not confirmed)\n");
		printf("    acknowledge: ismsctl ack %s\n", jget(d, "ack"));
	} else if (strcmp(topic, "status") == 0) {
		printf("%s%s%s\n", jget(d, "health"),
		       json_is_string(json_object_get(d, "message")) ? ": " : "",
		       json_is_string(json_object_get(d, "message")) ? jget(d, "message") : "");
	} else {
		char *s = json_dumps(d, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
	}
	fflush(stdout);
}

static const char watch_help[] =
        "usage: ismsctl watch [--topics LIST] [--cursor N] [--count N] [--timeout SEC] [--json]\n"
        "\nSubscribe and print what changes as it happens. LIST is comma-separated\n"
        "(results,findings,commits,status,reminders; default all). With --cursor,\n"
        "first what was published after that cursor. Reconnects with the last\n"
        "cursor seen when the daemon restarts. --count and --timeout stop after N\n"
        "notifications or SEC seconds of silence (exit 1 on timeout).\n";

/* Subscribe on a new connection; 0 or -1. Without a cursor yet, the
 * daemon's current one becomes *cursor, so a reconnect resumes there. */
static int
watch_connect(const struct dopts *o, long long *cursor, struct client_conn **c)
{
	json_t *p = json_object(), *r;
	if (o->arg[0]) {
		json_t *t = json_array();
		char *list = xstrdup(o->arg[0]);
		for (char *save, *s = strtok_r(list, ",", &save); s; s = strtok_r(NULL, ",", &save))
			json_array_append_new(t, json_string(s));
		free(list);
		json_object_set_new(p, "topics", t);
	}
	if (*cursor >= 0)
		json_object_set_new(p, "cursor", json_integer(*cursor));
	if (o->repo)
		json_object_set_new(p, "repo", json_string(o->repo));
	int rc = client_open(client_socket_path(o->socket), c);
	if (rc == 0) {
		rc = client_call(*c, "subscribe", p, &r, NULL);
		if (rc == 0 && *cursor < 0)
			*cursor = json_integer_value(json_object_get(r, "cursor"));
		if (rc == 0)
			json_decref(r);
		else {
			client_close(*c);
			*c = NULL;
		}
	}
	json_decref(p);
	return rc;
}

static int
cmd_watch(int argc, char **argv)
{
	static const struct dflag fl[] = {
		{ "--topics", 0 }, { "--cursor", 1 }, { "--count", 2 }, { "--timeout", 3 }
	};
	struct dopts o;
	struct client_conn *c = NULL;
	if (parse_dopts(argc, argv, fl, NELEM(fl), 0, &o, watch_help) < 0)
		return EXIT_USAGE;
	long long cursor = -1, count = -1, seen = 0;
	int timeout = -1;
	if ((o.arg[1] && parse_int("--cursor", o.arg[1], &cursor) < 0) ||
	    (o.arg[2] && parse_int("--count", o.arg[2], &count) < 0) ||
	    (o.arg[3] && parse_secs("--timeout", o.arg[3], &timeout) < 0) ||
	    watch_connect(&o, &cursor, &c) < 0) {
		fprintf(stderr, "ismsctl watch: %s\n", err_msg());
		return EXIT_USAGE;
	}
	while (count < 0 || seen < count) {
		json_t *m;
		int rc = client_next(c, timeout, &m);
		if (rc == 0) {
			client_close(c);
			return EXIT_NONCONFORMANT;
		}
		if (rc < 0) {
			/* The daemon went away: reconnect from the last cursor. */
			client_close(c);
			c = NULL;
			fprintf(stderr, "ismsctl watch: %s; reconnecting\n", err_msg());
			for (int tries = 0; c == NULL; tries++) {
				usleep(tries < 10 ? 200000 : 1000000);
				if (watch_connect(&o, &cursor, &c) < 0 && tries > 300) {
					fprintf(stderr, "ismsctl watch: %s\n", err_msg());
					return EXIT_USAGE;
				}
			}
			continue;
		}
		json_t *cur = json_object_get(json_object_get(m, "params"), "cursor");
		if (json_object_get(m, "method") && json_is_integer(cur)) {
			cursor = json_integer_value(cur);
			if (o.json) {
				char *s = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
				printf("%s\n", s);
				fflush(stdout);
				free(s);
			} else {
				print_event(m);
			}
			seen++;
		}
		json_decref(m);
	}
	client_close(c);
	return 0;
}

static const char call_help[] =
        "usage: ismsctl call METHOD [PARAMS-JSON]   or   ismsctl call --raw LINE\n"
        "\nSend one request and print the reply line as it came.\n";

static int
cmd_call(int argc, char **argv)
{
	const char *sock = NULL;
	int i = 1, raw = 0;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
			sock = argv[++i];
		else if (strcmp(argv[i], "--raw") == 0)
			raw = 1;
		else {
			fputs(call_help, strcmp(argv[i], "--help") ? stderr : stdout);
			return strcmp(argv[i], "--help") ? EXIT_USAGE : 0;
		}
	}
	if (i >= argc || argc - i > 2) {
		fputs(call_help, stderr);
		return EXIT_USAGE;
	}
	char *line;
	if (raw) {
		line = xstrdup(argv[i]);
	} else {
		json_error_t je;
		json_t *p = i + 1 < argc ? json_loads(argv[i + 1], 0, &je) : json_object();
		if (p == NULL) {
			fprintf(stderr, "ismsctl call: PARAMS is not JSON: %s\n", je.text);
			return EXIT_USAGE;
		}
		json_t *req = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", 1, "method",
		                        argv[i], "params", p);
		line = json_dumps(req, JSON_COMPACT);
		json_decref(req);
	}
	struct client_conn *c;
	json_t *m = NULL;
	int rc = client_open(client_socket_path(sock), &c);
	if (rc == 0) {
		rc = client_send_line(c, line);
		if (rc == 0)
			rc = client_next(c, 30000, &m) == 1 ? 0 : -1;
		client_close(c);
	}
	free(line);
	if (rc < 0) {
		fprintf(stderr, "ismsctl call: %s\n", err_msg());
		return EXIT_USAGE;
	}
	char *s = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
	printf("%s\n", s);
	free(s);
	rc = json_object_get(m, "error") ? EXIT_NONCONFORMANT : 0;
	json_decref(m);
	return rc;
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
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc, argv);
	for (size_t i = 0; i < NELEM(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			optind = 1;
			return commands[i].run(argc - 1, argv + 1);
		}
	fprintf(stderr, "ismsctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}

/* Add an extra rule pack directory for `cmd`; -1 after saying why. */
static int
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

static const char new_pack_help[] =
        "usage: ismsctl new-pack NAME [--dir DIR]\n"
        "\n"
        "Create the rule pack DIR/NAME (DIR: default the current directory) with\n"
        "one example rule in NAME.lua, its specs in specs/NAME.lua and a README\n"
        "saying how to run them. NAME: lower-case letters, digits and hyphens.\n"
        "Then:  ismsctl test --pack DIR/NAME DIR/NAME/specs\n";

static int
cmd_new_pack(int argc, char **argv)
{
	const char *dir = ".", *name = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			fputs(new_pack_help, stdout);
			return 0;
		} else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (argv[i][0] != '-' && name == NULL) {
			name = argv[i];
		} else {
			fprintf(stderr, "ismsctl new-pack: unexpected argument '%s'\n%s", argv[i],
			        new_pack_help);
			return EXIT_USAGE;
		}
	}
	if (name == NULL) {
		fputs(new_pack_help, stderr);
		return EXIT_USAGE;
	}
	if (scaffold_pack(dir, name) < 0) {
		fprintf(stderr, "ismsctl new-pack: %s\n", err_msg());
		return EXIT_USAGE;
	}
	char *readme = scaffold_text("readme", dir, name);
	const char *run = strstr(readme, "    ismsctl test");
	printf("created the rule pack %s%s%s: %s.lua, specs/%s.lua, README.md\n"
	       "run its specs with:\n%.*s",
	       strcmp(dir, ".") ? dir : "", strcmp(dir, ".") ? "/" : "", name, name, name,
	       run ? (int)(strchr(run, '\n') - run + 1) : 0, run ? run : "");
	free(readme);
	return 0;
}

/* The scheduler's commands: calendar, audit-plan, review-pack. They load
 * a repository as `check` does and share its --repo, --ref, --worktree
 * and --now options. */

struct sched_opts {
	const char *repo, *ref, *worktree, *now, *rules, *links, *socket;
	int ics, json, timing;
	int offline; /* --repo, --ref, --worktree or --now without --socket */
};

static const char sched_mode_help[] =
        "\n"
        "Without --repo, --ref, --worktree or --now, or with --socket PATH, the\n"
        "command asks the running daemon (socket: --socket, $ISMS_SOCKET or\n"
        "" ISMSD_DEFAULT_SOCKET "); --repo NAME then names one of its repositories, and\n"
        "the daemon's clock and head commit apply. Otherwise it reads the repository\n"
        "at --repo PATH (default .) itself, as `check` does.\n";

static const char calendar_help[] =
        "usage: ismsctl calendar [--repo PATH] [--ref REF] [--worktree DIR] [--now DATE]\n"
        "                        [--ics | --json] [--timing]\n"
        "\n"
        "The ISMS calendar: management reviews, internal and certification audits,\n"
        "reviews of documents, the risk assessment and suppliers, and the due dates\n"
        "of corrective and risk treatment actions, with overdue items marked.\n"
        "--ics writes iCalendar (RFC 5545) for calendar applications.\n"
        "Offline, iCalendar DTSTAMPs use --now; from the daemon, its clock.\n";

static const char audit_plan_help[] =
        "usage: ismsctl audit-plan [--repo PATH] [--ref REF] [--worktree DIR] [--now DATE]\n"
        "                          [--rules DIR] [--json] [--timing]\n"
        "\n"
        "Propose a dated internal audit programme for the rest of the cycle: every\n"
        "clause and applicable Annex A control audited within the cycle, high-risk\n"
        "areas and areas with open nonconformities more often, no auditor auditing\n"
        "what they own, no auditor over capacity. Exit status 1 when no plan meets\n"
        "every constraint (the failing ones are listed), 2 on errors.\n";

static const char review_pack_help[] =
        "usage: ismsctl review-pack [--repo PATH] [--ref REF] [--worktree DIR] [--now DATE]\n"
        "                           [--links PREFIX]\n"
        "\n"
        "The inputs of the next management review (9.3.2) since the last one, as\n"
        "Markdown to commit as its agenda. Links to records start with PREFIX\n"
        "(default ../, for a pack kept under reviews/).\n";

/* Parse the scheduler commands' options; help is the command's text. */
static int
parse_sched(const char *cmd, const char *help, int argc, char **argv, struct sched_opts *o)
{
	static const struct option longopts[] = {
		{ "repo", required_argument, NULL, 'r' },
		{ "ref", required_argument, NULL, 'f' },
		{ "worktree", required_argument, NULL, 'w' },
		{ "now", required_argument, NULL, 'n' },
		{ "rules", required_argument, NULL, 'R' },
		{ "links", required_argument, NULL, 'l' },
		{ "ics", no_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "timing", no_argument, NULL, 't' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->repo = NULL;
	while ((c = getopt_long(argc, argv, "r:f:w:n:R:l:ijths:", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->repo = optarg; break;
		case 'f': o->ref = optarg; break;
		case 'w': o->worktree = optarg; break;
		case 'n': o->now = optarg; break;
		case 's': o->socket = optarg; break;
		case 'R': o->rules = optarg; break;
		case 'l': o->links = optarg; break;
		case 'i': o->ics = 1; break;
		case 'j': o->json = 1; break;
		case 't': o->timing = 1; break;
		case 'h': printf("%s%s", help, sched_mode_help); exit(0);
		default: fprintf(stderr, "%s%s", help, sched_mode_help); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ismsctl %s: unexpected argument '%s'\n%s", cmd, argv[optind],
		        help);
		return -1;
	}
	o->offline = o->socket == NULL && (o->repo || o->ref || o->worktree || o->now);
	if (!o->offline && (o->ref || o->worktree || o->now || o->rules || o->timing)) {
		fprintf(stderr,
		        "ismsctl %s: --ref, --worktree, --now, --rules and --timing read "
		        "a repository offline; with --socket the daemon's head and clock apply\n",
		        cmd);
		return -1;
	}
	if (o->offline && o->repo == NULL)
		o->repo = ".";
	return 0;
}

/* The string v, or "" (a reply without the field). */
static const char *
jtext(json_t *v)
{
	const char *t = json_string_value(v);
	return t ? t : "";
}

/* Ask the daemon for a scheduler method's result; -1 printed on failure. */
static int
sched_call(const struct sched_opts *o, const char *method, json_t *params, json_t **result)
{
	struct dopts d = { 0 };
	d.socket = o->socket;
	d.repo = o->repo;
	return dcall(&d, method, params, result);
}

/* calendar from the daemon: text, --ics or --json (the events). */
static int
calendar_remote(const struct sched_opts *o)
{
	json_t *r;
	json_t *p = json_pack("{s:b, s:b}", "ics", o->ics, "text", !o->ics && !o->json);
	if (sched_call(o, "schedule", p, &r) < 0)
		return EXIT_USAGE;
	if (o->json) {
		json_dumpf(json_object_get(r, "events"), stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		fputs(jtext(json_object_get(r, o->ics ? "ics" : "text")), stdout);
	}
	json_decref(r);
	return 0;
}

/* audit-plan from the daemon; exit 1 when the plan is not feasible. */
static int
audit_plan_remote(const struct sched_opts *o)
{
	json_t *r;
	if (sched_call(o, "audit-plan", json_pack("{s:b}", "text", !o->json), &r) < 0)
		return EXIT_USAGE;
	if (o->json)
		print_json(r);
	else
		fputs(jtext(json_object_get(r, "text")), stdout);
	int rc = json_is_true(json_object_get(r, "feasible")) ? 0 : EXIT_NONCONFORMANT;
	json_decref(r);
	return rc;
}

/* review-pack from the daemon: the Markdown. */
static int
review_pack_remote(const struct sched_opts *o)
{
	json_t *r;
	if (sched_call(o, "review-pack", json_pack("{s:s?}", "links", o->links), &r) < 0)
		return EXIT_USAGE;
	fputs(jtext(json_object_get(r, "markdown")), stdout);
	json_decref(r);
	return 0;
}

/* Load the repository at --ref (or the work tree) into *snap and *m, as
 * of *now; prints the error and returns -1 on failure. */
static int
sched_load(const char *cmd, const struct sched_opts *o, struct snapshot **snap, struct model **m,
           int64_t *now)
{
	struct snapshot_limits lim = { SNAPSHOT_DEFAULT_MAX_BLOB, SNAPSHOT_DEFAULT_MAX_FILES };

	if (parse_now(o->now, now) < 0) {
		fprintf(stderr, "ismsctl %s: --now: %s\n", cmd, err_msg());
		return -1;
	}
	if (snapshot_load(o->repo, o->ref, o->worktree, &lim, snap) < 0) {
		fprintf(stderr, "ismsctl %s: %s\n", cmd, err_msg());
		return -1;
	}
	if (model_build(*snap, m) < 0) {
		fprintf(stderr, "ismsctl %s: %s: %s\n", cmd, o->repo, err_msg());
		return -1;
	}
	return 0;
}

/* Print settings problems (isms.yaml:line: ...); 1 if there were any. */
static int
sched_problems(const char *cmd, const struct problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		fprintf(stderr, "%s:%d: %s\n", p->v[i].path, p->v[i].line, p->v[i].msg);
	if (p->n)
		fprintf(stderr, "ismsctl %s: fix the parameters above in isms.yaml\n", cmd);
	return p->n > 0;
}

static int
cmd_calendar(int argc, char **argv)
{
	struct sched_opts o = { 0 };
	struct snapshot *snap = NULL;
	struct model *m = NULL;
	struct calendar *cal = NULL;
	struct reminder_config *cfg = NULL;
	struct problems probs = { 0 };
	struct buf b = { 0 };
	char *ics = NULL;
	int64_t now;
	int rc = EXIT_USAGE;

	if (parse_sched("calendar", calendar_help, argc, argv, &o) < 0)
		goto out;
	if (!o.offline)
		return calendar_remote(&o);
	if (sched_load("calendar", &o, &snap, &m, &now) < 0)
		goto out;
	double t0 = mono_ms();
	calendar_build(m, now, &cal);
	if (o.timing)
		fprintf(stderr,
		        "timing: calendar of %zu events from %zu records files in %.2f ms\n",
		        cal->n, m->ndocs, mono_ms() - t0);
	if (o.ics) {
		reminder_config_load(m, &cfg, &probs);
		if (sched_problems("calendar", &probs))
			goto out;
		if (ical_export(cal, cfg, organisation(m), now, &ics) < 0) {
			fprintf(stderr, "ismsctl calendar: %s\n", err_msg());
			goto out;
		}
		fputs(ics, stdout);
	} else if (o.json) {
		json_t *a = json_array();
		for (size_t i = 0; i < cal->n; i++) {
			const struct cal_event *e = &cal->v[i];
			char d[11];
			date_format(e->date, d);
			json_array_append_new(
			        a, json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:i, s:b}", "id",
			                     e->id, "kind", calendar_kind_name(e->kind), "title",
			                     e->title, "date", d, "owner",
			                     e->owner ? json_string(e->owner) : json_null(), "file",
			                     e->file, "line", e->line, "overdue", e->overdue));
		}
		json_dumpf(a, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(a);
	} else {
		calendar_text(cal, &b);
		fputs(b.data ? b.data : "", stdout);
	}
	rc = 0;
out:
	free(ics);
	buf_free(&b);
	problems_free(&probs);
	reminder_config_free(cfg);
	calendar_free(cal);
	model_free(m);
	snapshot_free(snap);
	date_shutdown();
	return rc;
}

static int
cmd_audit_plan(int argc, char **argv)
{
	struct sched_opts o = { 0 };
	struct snapshot *snap = NULL;
	struct model *m = NULL;
	struct catalogue *cat = NULL;
	struct plan_input *in = NULL;
	struct plan *p = NULL;
	struct problems probs = { 0 };
	struct buf b = { 0 };
	const char **clauses, **controls;
	char cpath[4200];
	int64_t now;
	int rc = EXIT_USAGE;

	if (parse_sched("audit-plan", audit_plan_help, argc, argv, &o) < 0)
		goto out;
	if (!o.offline)
		return audit_plan_remote(&o);
	if (sched_load("audit-plan", &o, &snap, &m, &now) < 0)
		goto out;
	snprintf(cpath, sizeof(cpath), "%s/iso27001-2022.json",
	         o.rules ? o.rules : engine_default_rules_dir());
	if (catalogue_load(cpath, &cat) < 0) {
		fprintf(stderr, "ismsctl audit-plan: %s\n", err_msg());
		goto out;
	}
	size_t ncl = catalogue_clauses(cat, &clauses), nct = catalogue_controls(cat, &controls);
	planner_input(m, clauses, ncl, controls, nct, now, &in, &probs);
	if (sched_problems("audit-plan", &probs))
		goto out;
	double t0 = mono_ms();
	planner_run(in, &p);
	if (o.timing)
		fprintf(stderr,
		        "timing: plan of %zu areas, %zu auditors, %zu sites: %zu audits, %zu "
		        "failures in %.2f ms\n",
		        in->nareas, in->nauditors, in->nsites ? in->nsites : 1, p->naudits,
		        p->nfailures, mono_ms() - t0);
	if (o.json) {
		json_t *j = planner_json(in, p);
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(j);
	} else {
		planner_text(in, p, &b);
		fputs(b.data ? b.data : "", stdout);
	}
	rc = p->nfailures ? EXIT_NONCONFORMANT : 0;
out:
	buf_free(&b);
	problems_free(&probs);
	plan_free(p);
	planner_input_free(in);
	catalogue_free(cat);
	model_free(m);
	snapshot_free(snap);
	date_shutdown();
	return rc;
}

static int
cmd_review_pack(int argc, char **argv)
{
	struct sched_opts o = { 0 };
	struct snapshot *snap = NULL;
	struct model *m = NULL;
	struct buf b = { 0 };
	int64_t now;
	int rc = EXIT_USAGE;

	if (parse_sched("review-pack", review_pack_help, argc, argv, &o) < 0)
		goto out;
	if (!o.offline)
		return review_pack_remote(&o);
	if (sched_load("review-pack", &o, &snap, &m, &now) < 0)
		goto out;
	review_pack_write(m, now, o.links, &b);
	fputs(b.data ? b.data : "", stdout);
	rc = 0;
out:
	buf_free(&b);
	model_free(m);
	snapshot_free(snap);
	date_shutdown();
	return rc;
}
