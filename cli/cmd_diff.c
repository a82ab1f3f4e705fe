/* cmd_diff.c - `ismsctl diff REF1 REF2`: what a branch would change in
 * the ISMS's conformance: new and resolved findings and changed verdicts,
 * evaluated offline with the same rule packs and clock, or by the daemon
 * through its `evaluate` method. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "err.h"
#include "mirror.h"
#include "ismsctl_int.h"

static const char diff_help[] =
        "usage: ismsctl diff REF1 REF2 [--repo PATH|URL] [--now DATE] [--rules DIR]\n"
        "                   [--pack DIR]... [--fail-on LEVEL] [--json]\n"
        "       ismsctl diff REF1 REF2 --daemon [--socket PATH] [--repo NAME] [--json]\n"
        "\n"
        "What REF2 changes compared with REF1 (a merge request: the target\n"
        "branch, then the source branch): findings new in REF2, findings REF2\n"
        "resolves, findings both have, and rules whose verdict changed. Findings\n"
        "are matched by fingerprint, not by line (docs/ci.md).\n"
        "\n"
        "  --repo PATH|URL  the ISMS repository; default . (with --daemon: the\n"
        "                   daemon's name for it, when it serves several)\n"
        "  --daemon         let the running ismsd evaluate both refs (`evaluate`)\n"
        "  --socket PATH    the daemon's socket (implies --daemon)\n"
        "  --now DATE       evaluate both as of DATE; default now\n"
        "  --fail-on LEVEL  exit 1 when REF2 adds a finding at LEVEL or above:\n"
        "                   major, minor (default) or observation\n"
        "  --json           the comparison as JSON\n"
        "\n"
        "Exit status: 0 nothing new at the level, 1 new findings, 2 usage or\n"
        "repository error.\n";

struct diff_opts {
	const char *ref[2], *repo, *now, *rules, *socket;
	int daemon, json;
	enum baseline_level level;
};

static int
parse_diff(int argc, char **argv, struct diff_opts *o)
{
	int nref = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int need = i + 1 < argc;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(diff_help, stdout);
			exit(0);
		} else if (strcmp(a, "--json") == 0) {
			o->json = 1;
		} else if (strcmp(a, "--daemon") == 0) {
			o->daemon = 1;
		} else if (strcmp(a, "--socket") == 0 && need) {
			o->socket = argv[++i];
			o->daemon = 1;
		} else if (strcmp(a, "--repo") == 0 && need) {
			o->repo = argv[++i];
		} else if (strcmp(a, "--now") == 0 && need) {
			o->now = argv[++i];
		} else if (strcmp(a, "--rules") == 0 && need) {
			o->rules = argv[++i];
		} else if (strcmp(a, "--pack") == 0 && need) {
			if (add_pack_dir("diff", argv[++i]) < 0)
				return -1;
		} else if (strcmp(a, "--fail-on") == 0 && need) {
			if (baseline_level_parse(argv[++i], &o->level) < 0) {
				fprintf(stderr, "ismsctl diff: --fail-on: %s\n", err_msg());
				return -1;
			}
		} else if (a[0] != '-' && nref < 2) {
			o->ref[nref++] = a;
		} else {
			fprintf(stderr, "ismsctl diff: unexpected argument '%s'\n%s", a, diff_help);
			return -1;
		}
	}
	if (nref != 2) {
		fputs(diff_help, stderr);
		return -1;
	}
	return 0;
}

/* Both refs evaluated by the daemon into docs[]. */
static int
by_daemon(const struct diff_opts *o, json_t *docs[2])
{
	struct dopts d = { .socket = o->socket, .repo = o->repo };
	for (int k = 0; k < 2; k++) {
		json_t *params = json_object();
		json_object_set_new(params, "ref", json_string(o->ref[k]));
		if (o->now)
			json_object_set_new(params, "now", json_string(o->now));
		if (dcall(&d, "evaluate", params, &docs[k]) < 0)
			return -1;
	}
	return 0;
}

/* Both refs evaluated here into docs[]. */
static int
offline(const struct diff_opts *o, json_t *docs[2])
{
	struct engine *e = NULL;
	struct problems errs = { 0 };
	struct engine_opts eo = { o->rules ? o->rules : engine_default_rules_dir(), { 0, 0 } };
	const char *repo = o->repo ? o->repo : ".";
	char *mirror = NULL;
	int64_t now;
	int rc = -1;
	if (parse_now(o->now, &now) < 0) {
		fprintf(stderr, "ismsctl diff: --now: %s\n", err_msg());
		return -1;
	}
	if (engine_load_packs(&eo, pack_dirs, &e, &errs) < 0) {
		print_problems(err_msg(), &errs);
		goto out;
	}
	if (mirror_is_url(repo)) {
		if (mirror_temp(repo, &mirror) < 0) {
			fprintf(stderr, "ismsctl diff: %s\n", err_msg());
			goto out;
		}
		repo = mirror;
	}
	for (int k = 0; k < 2; k++)
		if (gate_eval(e, repo, o->ref[k], now, &docs[k]) < 0) {
			fprintf(stderr, "ismsctl diff: %s: %s\n", o->ref[k], err_msg());
			goto out;
		}
	rc = 0;
out:
	if (mirror) {
		mirror_remove(mirror);
		free(mirror);
	}
	engine_free(e);
	problems_free(&errs);
	return rc;
}

/* {"ref", "commit"} of one side. */
static json_t *
side(const char *ref, json_t *doc)
{
	json_t *s = json_object();
	json_object_set_new(s, "ref", json_string(ref));
	json_object_set(s, "commit", json_object_get(doc, "commit"));
	json_object_set(s, "conformant", json_object_get(doc, "conformant"));
	json_object_set(s, "counts", json_object_get(doc, "counts"));
	return s;
}

int
cmd_diff(int argc, char **argv)
{
	struct diff_opts o = { .level = LEVEL_MINOR };
	json_t *docs[2] = { NULL, NULL };
	int rc = EXIT_USAGE;
	if (parse_diff(argc, argv, &o) < 0)
		return EXIT_USAGE;
	if ((o.daemon ? by_daemon(&o, docs) : offline(&o, docs)) < 0)
		goto out;
	json_t *cmp = baseline_compare(json_object_get(docs[0], "results"),
	                               json_object_get(docs[1], "results"));
	int failed = baseline_fails(cmp, o.level);
	if (o.json) {
		json_t *out = json_object();
		json_object_set_new(out, "from", side(o.ref[0], docs[0]));
		json_object_set_new(out, "to", side(o.ref[1], docs[1]));
		json_object_update(out, cmp);
		json_t *gate = json_object();
		static const char *const names[] = { "major", "minor", "observation" };
		json_object_set_new(gate, "fail_on", json_string(names[o.level]));
		json_object_set_new(gate, "passed", json_boolean(!failed));
		json_object_set_new(out, "gate", gate);
		print_json(out);
		json_decref(out);
	} else {
		const char *c0 = json_string_value(json_object_get(docs[0], "commit"));
		const char *c1 = json_string_value(json_object_get(docs[1], "commit"));
		printf("ISMS diff: %s (commit %.12s) -> %s (commit %.12s)%s\n", o.ref[0],
		       c0 ? c0 : "none", o.ref[1], c1 ? c1 : "none",
		       o.daemon ? ", evaluated by ismsd" : "");
		char what[128];
		snprintf(what, sizeof(what), "%s", o.ref[0]);
		baseline_write_text(stdout, cmp, what, o.level);
	}
	json_decref(cmp);
	rc = failed ? EXIT_NONCONFORMANT : 0;
out:
	json_decref(docs[0]);
	json_decref(docs[1]);
	return rc;
}
