/* ismsctl.c - the user's tool: check an ISMS repository offline, print
 * the record schemas, list the rules. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "engine.h"
#include "log.h"
#include "model.h"
#include "record.h"
#include "report.h"
#include "source.h"
#include "spec.h"

#define EXIT_NONCONFORMANT 1
#define EXIT_USAGE 2

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

static const struct command commands[] = {
	{"check", cmd_check, "evaluate an ISMS repository and report nonconformities"},
	{"rules", cmd_rules, "list the rules, or the clauses and controls they cover"},
	{"schema", cmd_schema, "print the record types as JSON Schema or Markdown"},
	{"test", cmd_test, "run rule specs against fixture records and print TAP"},
	{"version", cmd_version, "print the version"},
	{"help", cmd_help, "show this help"},
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
	"                     [--rules DIR] [--format text|json|tap] [--verbose]\n"
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
	"  --format FMT     text (default), json or tap\n"
	"  --verbose        also list passing and not applicable rules\n"
	"\n"
	"Exit status: 0 conformant, 1 nonconformities (or a rule that could not\n"
	"be evaluated), 2 usage or repository error.\n";

struct check_opts {
	const char *repo, *ref, *worktree, *rules, *now;
	enum report_format format;
	int verbose;
};

static int
parse_check(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		{"repo", required_argument, NULL, 'r'},
		{"ref", required_argument, NULL, 'f'},
		{"worktree", required_argument, NULL, 'w'},
		{"now", required_argument, NULL, 'n'},
		{"rules", required_argument, NULL, 'R'},
		{"format", required_argument, NULL, 'F'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	o->repo = ".";
	while ((c = getopt_long(argc, argv, "r:f:w:n:R:F:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->repo = optarg; break;
		case 'f': o->ref = optarg; break;
		case 'w': o->worktree = optarg; break;
		case 'n': o->now = optarg; break;
		case 'R': o->rules = optarg; break;
		case 'v': o->verbose = 1; break;
		case 'F':
			if (report_format_parse(optarg, &o->format) < 0) {
				fprintf(stderr, "ismsctl check: %s\n", err_msg());
				return -1;
			}
			break;
		case 'h':
			fputs(check_help, stdout);
			exit(0);
		default:
			fputs(check_help, stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ismsctl check: unexpected argument '%s'\n%s",
		        argv[optind], check_help);
		return -1;
	}
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
		*out = date_days(d) * 86400 + 12 * 3600; /* midday: any zone's date */
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

static int
cmd_check(int argc, char **argv)
{
	struct check_opts o = {0};
	struct snapshot *snap = NULL;
	struct model *m = NULL;
	struct engine *e = NULL;
	struct evaluation *ev = NULL;
	struct problems errs = {0};
	int64_t now;
	int rc = EXIT_USAGE;
	if (parse_check(argc, argv, &o) < 0)
		return EXIT_USAGE;
	if (parse_now(o.now, &now) < 0) {
		fprintf(stderr, "ismsctl check: --now: %s\n", err_msg());
		return EXIT_USAGE;
	}
	struct engine_opts eo = {o.rules ? o.rules : engine_default_rules_dir(), {0, 0}};
	if (engine_load(&eo, &e, &errs) < 0) {
		print_problems(err_msg(), &errs);
		goto out;
	}
	struct source_limits lim = {SOURCE_DEFAULT_MAX_BLOB, SOURCE_DEFAULT_MAX_FILES};
	if (source_load(o.repo, o.ref, o.worktree, &lim, &snap) < 0) {
		fprintf(stderr, "ismsctl check: %s\n", err_msg());
		goto out;
	}
	if (model_build(snap, &m) < 0) {
		fprintf(stderr, "ismsctl check: %s: %s\n", o.repo, err_msg());
		goto out;
	}
	if (engine_eval(e, m, now, NULL, &ev) < 0) {
		fprintf(stderr, "ismsctl check: %s\n", err_msg());
		goto out;
	}
	struct report_meta meta = {
		.repo = o.repo, .ref = o.ref, .organisation = organisation(m),
		.worktree = o.worktree != NULL, .verbose = o.verbose,
		.color = o.format == REPORT_TEXT && isatty(1) && !getenv("NO_COLOR"),
	};
	report_write(stdout, o.format, ev, e, &meta);
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
			fprintf(stderr, "ismsctl schema: '%s' is not a record type; "
			        "'ismsctl schema --list' lists them\n", argv[1]);
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
	"usage: ismsctl rules [--rules DIR] [--coverage | --markdown | --json]\n"
	"\n"
	"List the rules of the rule packs, or with --coverage every clause and\n"
	"Annex A control with the rules that cover it.\n";

static void
print_coverage(const struct engine *e, const char **ids, size_t nids,
               int control, size_t *uncovered)
{
	const struct rule_info *r;
	size_t nr = engine_rules(e, &r);
	for (size_t i = 0; i < nids; i++) {
		printf("  %-7s %-58.58s ", ids[i],
		       catalogue_title(engine_catalogue(e), ids[i]));
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

static json_t *
jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
rule_json(const struct rule_info *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "clause", jstr_or_null(r->clause));
	json_object_set_new(o, "control", jstr_or_null(r->control));
	json_object_set_new(o, "theme", jstr_or_null(r->theme));
	json_object_set_new(o, "title", json_string(r->title));
	json_object_set_new(o, "severity", json_string(r->severity));
	json_object_set_new(o, "rationale", json_string(r->rationale));
	json_object_set_new(o, "remediation", json_string(r->remediation));
	json_object_set_new(o, "pack", jstr_or_null(r->pack));
	json_object_set_new(o, "line", json_integer(r->line));
	json_t *p = json_object();
	for (size_t k = 0; k < r->nparams; k++)
		json_object_set_new(p, r->params[k].name, json_string(r->params[k].def));
	json_object_set_new(o, "params", p);
	return o;
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
				printf("\n## %s\n\n| id | %s | title | what it checks | parameters | severity |\n"
				       "|---|---|---|---|---|---|\n", label,
				       r[i].control ? "control" : "clause");
			any = 1;
			printf("| `%s` | %s | ", r[i].id, r[i].control ? r[i].control : r[i].clause);
			md_cell(r[i].title);
			printf(" | ");
			md_cell(r[i].rationale);
			printf(" | ");
			for (size_t k = 0; k < r[i].nparams; k++) {
				printf("%s`%s` = %s", k ? ", " : "", r[i].params[k].name, r[i].params[k].def);
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
		else if (strcmp(argv[i], "--coverage") == 0)
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
	struct problems errs = {0};
	struct engine_opts eo = {dir ? dir : engine_default_rules_dir(), {0, 0}};
	if (engine_load(&eo, &e, &errs) < 0) {
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
			json_array_append_new(a, rule_json(&r[i]));
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
	"usage: ismsctl test [--rules DIR] [SPEC...]\n"
	"\n"
	"Run rule specs (Lua files of spec{...} cases: fixture records, an\n"
	"evaluation date, the expected verdicts and findings) and print TAP.\n"
	"SPEC is a spec file or a directory of them; default: specs/ in the\n"
	"rules directory. Exit status: 0 all passed, 1 some failed, 2 error.\n";

static int
cmd_test(int argc, char **argv)
{
	const char *dir = NULL;
	int i, failed = 0, ran = 0;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
			dir = argv[++i];
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
		int rc = spec_run(path, rules, stdout);
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
