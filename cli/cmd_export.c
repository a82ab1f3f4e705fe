/* cmd_export.c - what the auditor takes away, offline or from the
 * daemon: `soa` (the Statement of Applicability), `report` (the audit
 * readiness report), `history --from` (the trend back-filled from git),
 * and the evaluation of a repository as of a date or commit that `check
 * --as-of` and these share. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "audit_report.h"
#include "date.h"
#include "engine.h"
#include "err.h"
#include "export.h"
#include "model.h"
#include "report.h"
#include "snapshot.h"
#include "soa_export.h"
#include "verdict.h"
#include "ismsctl_int.h"

/* The verdicts of ev in rule order, as report_result_json makes them. */
static json_t *
export_verdicts(const struct evaluation *ev)
{
	json_t *a = json_array();
	for (size_t i = 0; i < ev->n; i++)
		if (ev->results[i].status < ST_COUNT)
			json_array_append_new(a, report_result_json(&ev->results[i]));
	return a;
}

int
asof_resolve(const char *repo, const char *ref, const char *spec, char commit[41], int64_t *now)
{
	return snapshot_asof_spec(repo, ref, spec, commit, now) == 1 ? 0 : -1;
}

void
offline_close(struct offline *o)
{
	evaluation_free(o->ev);
	model_free(o->m);
	snapshot_free(o->snap);
	engine_free(o->e);
	memset(o, 0, sizeof(*o));
}

int
offline_open(const char *cmd, const char *rules, struct offline *o)
{
	struct problems errs = { 0 };
	struct engine_opts eo = { rules ? rules : engine_default_rules_dir(), { 0, 0 } };
	memset(o, 0, sizeof(*o));
	if (engine_load_packs(&eo, pack_dirs, &o->e, &errs) < 0) {
		char *what = xasprintf("ismsctl %s: %s", cmd, err_msg());
		print_problems(what, &errs);
		free(what);
		problems_free(&errs);
		return -1;
	}
	problems_free(&errs);
	return 0;
}

int
offline_eval(const char *cmd, struct offline *o, const char *repo, const char *ref,
             const char *worktree, int64_t now)
{
	struct snapshot_limits lim = { SNAPSHOT_DEFAULT_MAX_BLOB, SNAPSHOT_DEFAULT_MAX_FILES };
	struct snapshot *snap = NULL;
	struct model *m = NULL;
	struct evaluation *ev = NULL;
	int rc = worktree || o->snap == NULL ? snapshot_load(repo, ref, worktree, &lim, &snap)
	                                     : snapshot_update(o->snap, repo, ref, &lim, &snap);
	if (rc < 0 || model_update(o->m, snap, &m) < 0 ||
	    engine_eval(o->e, m, now, NULL, &ev) < 0) {
		fprintf(stderr, "ismsctl %s: %s: %s\n", cmd, repo, err_msg());
		model_free(m);
		snapshot_free(snap);
		return -1;
	}
	evaluation_free(o->ev);
	model_free(o->m);
	snapshot_free(o->snap);
	o->snap = snap;
	o->m = m;
	o->ev = ev;
	return 0;
}

/* One point of a trend: the commit that was the head at `when`,
 * evaluated then. */
static json_t *
trend_point(struct evaluation *ev, int64_t when)
{
	struct verdict_counts c;
	char t[21];
	verdict_counts_from(&c, ev->counts);
	date_format_utc(when, t);
	double conf = verdict_conformance(&c);
	return json_pack("{s:s, s:s, s:b, s:o, s:o}", "date", t, "commit", ev->commit, "conformant",
	                 verdict_conformant(&c), "conformance",
	                 conf < 0 ? json_null() : json_real(conf), "counts",
	                 verdict_counts_json(&c));
}

int
offline_trend(const char *cmd, struct offline *o, const char *repo, const char *ref, int64_t from,
              int64_t to, int weekly, json_t **out)
{
	struct offline t = { .e = o->e };
	json_t *a = json_array();
	struct ymd start = date_from_days(from / 86400);
	int64_t tod = from % 86400;
	int rc = 0;
	for (int i = 0;; i++) {
		struct ymd d = weekly ? date_from_days(date_days(start) + (int64_t)7 * i)
		                      : date_add_months(start, i);
		int64_t when = date_days(d) * 86400 + tod;
		if (when > to || i > 2000)
			break;
		struct snapshot_point p;
		int found = snapshot_asof(repo, ref, when, &p);
		if (found < 0) {
			fprintf(stderr, "ismsctl %s: %s\n", cmd, err_msg());
			rc = -1;
			break;
		}
		if (found == 0)
			continue;
		if (offline_eval(cmd, &t, repo, p.commit, NULL, when) < 0) {
			rc = -1;
			break;
		}
		json_array_append_new(a, trend_point(t.ev, when));
	}
	t.e = NULL;
	offline_close(&t);
	if (rc < 0) {
		json_decref(a);
		return -1;
	}
	*out = a;
	return 0;
}

/* Options shared by soa and report. */
struct xopts {
	const char *repo, *ref, *rules, *now, *as_of, *out, *socket, *daemon_repo;
	enum export_format format;
	int daemon;
};

static int
parse_x(const char *cmd, int argc, char **argv, unsigned formats, struct xopts *o, const char *help)
{
	static const struct option longopts[] = {
		{ "repo", required_argument, NULL, 'r' },
		{ "ref", required_argument, NULL, 'f' },
		{ "rules", required_argument, NULL, 'R' },
		{ "pack", required_argument, NULL, 'P' },
		{ "now", required_argument, NULL, 'n' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "socket", required_argument, NULL, 's' },
		{ "daemon", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	o->repo = ".";
	while ((c = getopt_long(argc, argv, "r:f:R:P:n:a:F:o:s:dh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->repo = optarg; break;
		case 'f': o->ref = optarg; break;
		case 'R': o->rules = optarg; break;
		case 'P':
			if (add_pack_dir(cmd, optarg) < 0)
				return -1;
			break;
		case 'n': o->now = optarg; break;
		case 'a': o->as_of = optarg; break;
		case 'o': o->out = optarg; break;
		case 's':
			o->socket = optarg;
			o->daemon = 1;
			break;
		case 'd': o->daemon = 1; break;
		case 'F':
			if (export_format_parse(optarg, formats, &o->format) < 0) {
				fprintf(stderr, "ismsctl %s: %s\n", cmd, err_msg());
				return -1;
			}
			break;
		case 'h': fputs(help, stdout); exit(0);
		default: fputs(help, stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ismsctl %s: unexpected argument '%s'\n%s", cmd, argv[optind],
		        help);
		return -1;
	}
	if (o->as_of && o->now) {
		fprintf(stderr, "ismsctl %s: --as-of sets the clock; give --now or --as-of\n", cmd);
		return -1;
	}
	return 0;
}

/* Evaluate as the options say: the ref (or the commit as of a date) at
 * the instant asked for. */
static int
x_eval(const char *cmd, const struct xopts *x, struct offline *o)
{
	int64_t now = 0;
	char commit[41];
	const char *ref = x->ref;
	if (x->as_of) {
		if (asof_resolve(x->repo, x->ref, x->as_of, commit, &now) < 0) {
			fprintf(stderr, "ismsctl %s: --as-of: %s\n", cmd, err_msg());
			return -1;
		}
		ref = commit;
	} else if (parse_now(x->now, &now) < 0) {
		fprintf(stderr, "ismsctl %s: --now: %s\n", cmd, err_msg());
		return -1;
	}
	if (offline_open(cmd, x->rules, o) < 0)
		return -1;
	return offline_eval(cmd, o, x->repo, ref, NULL, now);
}

/* Write doc with fn to --output or standard output. */
static int
x_write(const char *cmd, const struct xopts *x, void (*fn)(FILE *, enum export_format, json_t *),
        json_t *doc)
{
	FILE *f = x->out ? fopen(x->out, "w") : stdout;
	if (f == NULL) {
		fprintf(stderr, "ismsctl %s: cannot write %s\n", cmd, x->out);
		return EXIT_USAGE;
	}
	fn(f, x->format, doc);
	if ((x->out ? fclose(f) : fflush(f)) != 0) {
		fprintf(stderr, "ismsctl %s: cannot write %s\n", cmd, x->out ? x->out : "output");
		return EXIT_USAGE;
	}
	return 0;
}

static const char soa_help[] =
        "usage: ismsctl soa [--repo PATH] [--ref REF] [--now DATE | --as-of DATE|COMMIT]\n"
        "                   [--format markdown|csv|html|json] [--output FILE]\n"
        "                   [--rules DIR] [--pack DIR]... [--daemon | --socket PATH]\n"
        "\n"
        "The Statement of Applicability for the auditor: all 93 Annex A controls in\n"
        "order with applicability, justification, status, owner, evidence with the\n"
        "date it last changed, the rule verdicts and open findings, the 2013 control\n"
        "each replaces and the ISO/IEC 27002 attributes.\n"
        "\n"
        "  --format FMT     markdown (default), csv (one row per control), html (one\n"
        "                   self-contained file that prints well) or json\n"
        "  --output FILE    write to FILE instead of standard output\n"
        "  --daemon         ask the daemon (ISMS_SOCKET, or --socket) for its head's\n"
        "                   SoA instead of evaluating here; --repo names the repository\n";

int
cmd_soa(int argc, char **argv)
{
	struct xopts x = { 0 };
	struct offline o = { 0 };
	json_t *doc = NULL;
	int rc = EXIT_USAGE;
	if (parse_x("soa", argc, argv, 0xf, &x, soa_help) < 0)
		return EXIT_USAGE;
	if (x.daemon) {
		struct dopts d = { .socket = x.socket,
			           .repo = strcmp(x.repo, ".") ? x.repo : NULL };
		json_t *p = json_pack("{s:b}", "detail", 1);
		if (dcall(&d, "soa", p, &doc) < 0)
			return EXIT_USAGE;
		rc = x_write("soa", &x, soa_write, doc);
		json_decref(doc);
		return rc;
	}
	if (x_eval("soa", &x, &o) < 0)
		goto out;
	json_t *verdicts = export_verdicts(o.ev);
	doc = soa_build(o.m, verdicts, engine_catalogue(o.e), o.ev->now,
	                export_envelope_ev("soa", o.ev));
	json_decref(verdicts);
	rc = x_write("soa", &x, soa_write, doc);
out:
	json_decref(doc);
	offline_close(&o);
	return rc;
}

static const char report_help[] =
        "usage: ismsctl report [--repo PATH] [--ref REF] [--now DATE | --as-of DATE|COMMIT]\n"
        "                      [--format html|markdown|json] [--output FILE]\n"
        "                      [--months N] [--rules DIR] [--pack DIR]...\n"
        "\n"
        "The audit readiness report as one file: organisation, scope, certificate\n"
        "and audit cycle; conformance per clause and Annex A theme; every\n"
        "nonconformity and observation with file:line, owner and what to do,\n"
        "grouped by owner; the evidence index; the coming calendar; and the trend\n"
        "over the last 12 months, evaluated from git history (one commit a month).\n"
        "\n"
        "  --format FMT     html (default), markdown or json\n"
        "  --output FILE    write to FILE instead of standard output\n";

int
cmd_report(int argc, char **argv)
{
	struct xopts x = { .format = EXPORT_HTML };
	struct offline o = { 0 };
	json_t *doc = NULL, *trend = NULL;
	int rc = EXIT_USAGE;
	if (parse_x("report", argc, argv,
	            1u << EXPORT_HTML | 1u << EXPORT_MARKDOWN | 1u << EXPORT_JSON, &x,
	            report_help) < 0 ||
	    x.daemon) {
		if (x.daemon)
			fprintf(stderr, "ismsctl report: works offline only; give --repo\n");
		return EXIT_USAGE;
	}
	if (x_eval("report", &x, &o) < 0)
		goto out;
	/* Twelve monthly points ending at the evaluation instant. */
	struct ymd today = date_from_days(o.ev->now / 86400);
	int64_t from = date_days(date_add_months(today, -11)) * 86400 + o.ev->now % 86400;
	if (offline_trend("report", &o, x.repo, o.ev->commit, from, o.ev->now, 0, &trend) < 0)
		goto out;
	json_t *verdicts = export_verdicts(o.ev);
	doc = audit_report_build(o.m, verdicts, engine_catalogue(o.e), o.ev->now, trend,
	                         export_envelope_ev("report", o.ev));
	json_decref(verdicts);
	rc = x_write("report", &x, audit_report_write, doc);
out:
	json_decref(doc);
	offline_close(&o);
	return rc;
}

static const char backfill_help[] =
        "usage: ismsctl history --from DATE [--to DATE] [--every week|month]\n"
        "                       [--repo PATH] [--ref REF] [--json] [--rules DIR]\n"
        "                       [--daemon | --socket PATH]\n"
        "\n"
        "Back-fill the conformance trend from git, without a daemon: the commit\n"
        "that was the head of REF at each date from DATE on, one a week or a\n"
        "month (default), evaluated with the clock at that date.\n"
        "\n"
        "  --daemon         ask the daemon (ISMS_SOCKET, or --socket) instead: it\n"
        "                   answers each date from its journal or evaluates it from\n"
        "                   git (at most 30 dates a request); --repo names the\n"
        "                   repository\n";

/* history --from through the daemon: its points. */
static int
backfill_daemon(const char *socket, const char *repo, const char *from, const char *to, int weekly,
                json_t **out)
{
	struct dopts d = { .socket = socket, .repo = strcmp(repo, ".") ? repo : NULL };
	json_t *p = json_pack("{s:s, s:s}", "from", from, "every", weekly ? "week" : "month");
	json_t *r;
	if (to)
		json_object_set_new(p, "to", json_string(to));
	if (dcall(&d, "history", p, &r) < 0)
		return -1;
	*out = json_incref(json_object_get(r, "points"));
	json_decref(r);
	if (!json_is_array(*out)) {
		json_decref(*out);
		fprintf(stderr, "ismsctl history: the daemon's reply has no points\n");
		return -1;
	}
	return 0;
}

int
cmd_history_backfill(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 't' },
		{ "every", required_argument, NULL, 'e' },
		{ "repo", required_argument, NULL, 'r' },
		{ "ref", required_argument, NULL, 'f' },
		{ "rules", required_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "daemon", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *to = NULL, *repo = ".", *ref = NULL, *rules = NULL;
	const char *socket = NULL;
	int weekly = 0, json = 0, daemon = 0, c;
	while ((c = getopt_long(argc, argv, "F:t:e:r:f:R:js:dh", longopts, NULL)) != -1) {
		switch (c) {
		case 'F': from = optarg; break;
		case 't': to = optarg; break;
		case 'e':
			if (strcmp(optarg, "week") != 0 && strcmp(optarg, "month") != 0) {
				fprintf(stderr, "ismsctl history: --every is week or month\n");
				return EXIT_USAGE;
			}
			weekly = strcmp(optarg, "week") == 0;
			break;
		case 'r': repo = optarg; break;
		case 'f': ref = optarg; break;
		case 'R': rules = optarg; break;
		case 'j': json = 1; break;
		case 's':
			socket = optarg;
			daemon = 1;
			break;
		case 'd': daemon = 1; break;
		case 'h': fputs(backfill_help, stdout); return 0;
		default: fputs(backfill_help, stderr); return EXIT_USAGE;
		}
	}
	int64_t t0, t1;
	if (from == NULL || optind < argc || parse_now(from, &t0) < 0 || parse_now(to, &t1) < 0) {
		fprintf(stderr, "ismsctl history: --from and --to want ISO 8601 dates\n%s",
		        backfill_help);
		return EXIT_USAGE;
	}
	json_t *trend = NULL;
	if (daemon) {
		if (ref || rules) {
			fprintf(stderr,
			        "ismsctl history: the daemon evaluates its own ref with its "
			        "own rules; --ref and --rules are for offline use\n");
			return EXIT_USAGE;
		}
		if (backfill_daemon(socket, repo, from, to, weekly, &trend) < 0)
			return EXIT_USAGE;
	} else {
		struct offline o;
		if (offline_open("history", rules, &o) < 0)
			return EXIT_USAGE;
		int rc = offline_trend("history", &o, repo, ref, t0, t1, weekly, &trend);
		offline_close(&o);
		if (rc < 0)
			return EXIT_USAGE;
	}
	if (json) {
		json_t *doc = export_envelope("history", NULL, NULL, t1, NULL);
		json_object_set_new(doc, "every", json_string(weekly ? "week" : "month"));
		json_object_set_new(doc, "points", trend);
		print_json(doc);
		json_decref(doc);
		return 0;
	}
	size_t i;
	json_t *v;
	json_array_foreach (trend, i, v) {
		json_t *cn = json_object_get(v, "counts");
		printf("%.10s  %.12s  %-14s %3lld pass %3lld fail %3lld warn\n",
		       json_string_value(json_object_get(v, "date")),
		       json_string_value(json_object_get(v, "commit")),
		       json_is_true(json_object_get(v, "conformant")) ? "conformant"
		                                                      : "NOT conformant",
		       json_integer_value(json_object_get(cn, "pass")),
		       json_integer_value(json_object_get(cn, "fail")),
		       json_integer_value(json_object_get(cn, "warn")));
	}
	json_decref(trend);
	return 0;
}
