/* cmd_check.c - the offline commands: check a repository, the record
 * schemas, the rules and their coverage. */
#include <errno.h>
#include <fnmatch.h>
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

#include "alloc.h"
#include "engine.h"
#include "suggest.h"
#include "err.h"
#include "problems.h"
#include "sys.h"
#include "model.h"
#include "record.h"
#include "oscal.h"
#include "report.h"
#include "mirror.h"
#include "snapshot.h"
#include "staged.h"
#include "thread.h"
#include "ismsctl_int.h"

static const char check_help[] =
        "usage: ismsctl check --repo PATH|URL [--ref REF | --worktree DIR | --index]\n"
        "                     [--as-of DATE|COMMIT | --now DATE] [--baseline REF]\n"
        "                     [--fail-on major|minor|observation] [--rules DIR]\n"
        "                     [--pack DIR]... [--format text|json|tap|sarif|junit|oscal]\n"
        "                     [--rule ID]... [--verbose] [--profile]\n"
        "\n"
        "Evaluate the ISMS in a git repository against ISO/IEC 27001:2022 and\n"
        "report every nonconformity with the file and line it is about and what\n"
        "to do about it.\n"
        "\n"
        "  --repo PATH|URL  the ISMS repository (work tree, .git or bare), or a URL\n"
        "                   (file://, https://, ssh://) mirrored for the check; default .\n"
        "  --ref REF        branch, tag or commit to check; default HEAD\n"
        "  --worktree DIR   check the files in DIR, committed or not\n"
        "  --index          check what is staged for the next commit (pre-commit)\n"
        "  --baseline REF   fail only on findings that REF does not have; list the\n"
        "                   resolved and existing ones (docs/ci.md)\n"
        "  --fail-on LEVEL  the least severity that fails: major, minor (default)\n"
        "                   or observation\n"
        "  --now DATE       evaluate as of DATE (ISO 8601); default: now\n"
        "  --as-of WHEN     the ISMS as it was: the commit that was the head of REF\n"
        "                   at date WHEN (its first-parent history), with the clock\n"
        "                   at WHEN; or commit WHEN with the clock at its time\n"
        "  --rules DIR      rule packs to use; default: the installed ones\n"
        "  --pack DIR       also the organisation's own rule packs in DIR\n"
        "                   (repeatable; loaded after those of --rules)\n"
        "  --format FMT     text (default), json, tap, sarif (SARIF 2.1.0), junit\n"
        "                   or oscal (OSCAL 1.0.6 assessment results)\n"
        "  --rule ID        run only this rule (repeatable; a pattern such as\n"
        "                   'A.5.*' names several); the others are left out\n"
        "  --verbose        also list passing and not applicable rules\n"
        "  --profile        print the time per phase and the slowest rules to standard error\n"
        "\n"
        "Exit status: 0 conformant, 1 nonconformities (or a rule that could not\n"
        "be evaluated), 2 usage or repository error.\n";

struct check_opts {
	const char *repo, *ref, *worktree, *rules, *now, *as_of;
	enum report_format format;
	int verbose, profile, index, oscal;
	struct gate_opts gate;
	const char *only[64]; /* --rule: ids or patterns */
	size_t nonly;
};

static int
parse_check(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		{ "repo", required_argument, NULL, 'r' },
		{ "ref", required_argument, NULL, 'f' },
		{ "worktree", required_argument, NULL, 'w' },
		{ "now", required_argument, NULL, 'n' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "rules", required_argument, NULL, 'R' },
		{ "pack", required_argument, NULL, 'P' },
		{ "format", required_argument, NULL, 'F' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "profile", no_argument, NULL, 'p' },
		{ "index", no_argument, NULL, 'i' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "fail-on", required_argument, NULL, 'L' },
		{ "rule", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	o->repo = ".";
	while ((c = getopt_long(argc, argv, "r:f:w:n:a:R:P:F:O:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->repo = optarg; break;
		case 'f': o->ref = optarg; break;
		case 'w': o->worktree = optarg; break;
		case 'n': o->now = optarg; break;
		case 'a': o->as_of = optarg; break;
		case 'R': o->rules = optarg; break;
		case 'P':
			if (add_pack_dir("check", optarg) < 0)
				return -1;
			break;
		case 'v': o->verbose = 1; break;
		case 'p': o->profile = 1; break;
		case 'i': o->index = 1; break;
		case 'b': o->gate.baseline = optarg; break;
		case 'O':
			if (o->nonly == NELEM(o->only)) {
				fprintf(stderr,
				        "ismsctl check: --rule: at most %zu (use a pattern)\n",
				        NELEM(o->only));
				return -1;
			}
			o->only[o->nonly++] = optarg;
			break;
		case 'L':
			if (baseline_level_parse(optarg, &o->gate.level) < 0) {
				fprintf(stderr, "ismsctl check: --fail-on: %s\n", err_msg());
				return -1;
			}
			o->gate.level_set = 1;
			break;
		case 'F':
			o->oscal = strcmp(optarg, "oscal") == 0;
			if (!o->oscal && report_format_parse(optarg, &o->format) < 0) {
				fprintf(stderr, "ismsctl check: %s\n", err_msg());
				return -1;
			}
			break;
		case 'h': fputs(check_help, stdout); exit(0);
		default:
			flag_error("check", argv[optind - 1], longopts);
			fputs(check_help, stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ismsctl check: unexpected argument '%s'\n%s", argv[optind],
		        check_help);
		return -1;
	}
	if (o->index + (o->worktree != NULL) + (o->ref != NULL) > 1) {
		fprintf(stderr, "ismsctl check: --index, --worktree and --ref each say what to "
		                "check; give one\n");
		return -1;
	}
	return 0;
}

/* --rule: the mask of the rules to run (the caller's), or NULL with an
 * error naming a pattern that matches no rule. */
static unsigned char *
rules_selected(const struct engine *e, const struct check_opts *o)
{
	const struct rule_info *rules;
	size_t n = engine_rules(e, &rules);
	unsigned char *only = xcalloc(n + 1, 1);
	for (size_t k = 0; k < o->nonly; k++) {
		int hit = 0;
		struct suggest sg = { .word = o->only[k], .wlen = strlen(o->only[k]) };
		for (size_t i = 0; i < n; i++) {
			if (fnmatch(o->only[k], rules[i].id, 0) == 0)
				only[i] = hit = 1;
			suggest_consider(&sg, rules[i].id);
		}
		if (!hit) {
			char hint[160];
			err_set("--rule %s: no rule has this id%s", o->only[k],
			        suggest_hint(&sg, hint, sizeof(hint)));
			free(only);
			return NULL;
		}
	}
	return only;
}

/* Leave the rules that did not run out of the evaluation. */
static void
keep_run_rules(struct evaluation *ev)
{
	size_t k = 0;
	for (size_t i = 0; i < ev->n; i++)
		if (ev->results[i].status < ST_COUNT)
			ev->results[k++] = ev->results[i];
	ev->n = k;
}

int
cmd_check(int argc, char **argv)
{
	struct check_opts o = { .gate.level = LEVEL_MINOR };
	struct snapshot *snap = NULL;
	struct model *m = NULL;
	struct engine *e = NULL;
	struct evaluation *ev = NULL;
	struct problems errs = { 0 };
	int64_t now;
	int rc = EXIT_USAGE;
	char *mirror = NULL;
	if (parse_check(argc, argv, &o) < 0)
		return EXIT_USAGE;
	char asof[41];
	if (o.as_of && (o.now || o.worktree)) {
		fprintf(stderr, "ismsctl check: --as-of sets the commit and the clock; it does not "
		                "go with --now or --worktree\n");
		return EXIT_USAGE;
	}
	if (o.as_of) {
		if (asof_resolve(o.repo, o.ref, o.as_of, asof, &now) < 0) {
			fprintf(stderr, "ismsctl check: --as-of: %s\n", err_msg());
			return EXIT_USAGE;
		}
		o.ref = asof;
	} else if (parse_now(o.now, &now) < 0) {
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
	const char *url = NULL;
	int read = 0;
	/* A URL is checked from a temporary bare mirror. */
	if (mirror_is_url(o.repo) && (o.index || o.worktree)) {
		read = err_set("%s is a URL: it has no index or work tree to check", o.repo);
	} else if (mirror_is_url(o.repo)) {
		url = o.repo;
		if ((read = mirror_temp(url, &mirror)) == 0)
			o.repo = mirror;
	}
	if (read == 0)
		read = o.index ? staged_load(o.repo, getenv("GIT_INDEX_FILE"), &lim, &snap)
		               : snapshot_load(o.repo, o.ref, o.worktree, &lim, &snap);
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
	/* The records keep copies of what they need: the texts, as large as
	 * the repository's records, need not stay through the rule phase. */
	snapshot_drop_contents(snap);
	t[3] = mono_ms();
	unsigned char *only = NULL;
	if (o.nonly && (only = rules_selected(e, &o)) == NULL) {
		fprintf(stderr, "ismsctl check: %s\n", err_msg());
		goto out;
	}
	int evrc = engine_eval(e, m, now, only, &ev);
	free(only);
	if (evrc < 0) {
		fprintf(stderr, "ismsctl check: %s\n", err_msg());
		goto out;
	}
	if (o.nonly)
		keep_run_rules(ev);
	t[4] = mono_ms();
	struct report_meta meta = {
		.repo = url ? url : o.repo,
		.ref = o.index ? "the index (staged changes)" : o.ref,
		.organisation = organisation(m),
		.worktree = o.worktree != NULL,
		.verbose = o.verbose,
		.color = o.format == REPORT_TEXT && isatty(1) && !getenv("NO_COLOR"),
	};
	if (o.oscal) {
		json_t *doc = oscal_build(ev, meta.organisation, o.repo);
		report_dump_json(stdout, doc);
		json_decref(doc);
		rc = report_exit_status(ev);
	} else if (o.gate.baseline || o.gate.level_set) {
		/* the baseline is read from the mirror, not the URL */
		rc = gate_check(&o.gate, o.repo, e, ev, &meta, o.format);
	} else {
		report_write(stdout, o.format, ev, e, &meta);
		rc = report_exit_status(ev);
	}
	if (o.profile) {
		fprintf(stderr,
		        "phases: repository read in %.1f ms, rule packs loaded (meanwhile) %.1f ms "
		        "later, records parsed and validated in %.1f ms, rules run in %.1f ms, "
		        "report written in %.1f ms\n",
		        t[1] - t[0], t[2] - t[1], t[3] - t[2], t[4] - t[3], mono_ms() - t[4]);
		report_profile(stderr, ev, getenv("ISMS_PROFILE_ALL") ? 1000 : 20);
	}
out:
	evaluation_free(ev);
	model_free(m);
	snapshot_free(snap);
	engine_free(e);
	problems_free(&errs);
	if (mirror) {
		mirror_remove(mirror);
		free(mirror);
	}
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

int
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

int
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
