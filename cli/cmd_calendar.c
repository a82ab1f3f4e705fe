/* cmd_calendar.c - the scheduler's commands: calendar, audit-plan and
 * review-pack, offline or from the daemon. */
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
#include "calendar.h"
#include "date.h"
#include "engine.h"
#include "err.h"
#include "buf.h"
#include "problems.h"
#include "sys.h"
#include "ical.h"
#include "model.h"
#include "planner.h"
#include "review_pack.h"
#include "snapshot.h"
#include "ismsctl_int.h"
#include "escape.h"

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
		default:
			flag_error(cmd, argv[optind - 1], longopts);
			fprintf(stderr, "%s%s", help, sched_mode_help);
			return -1;
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
	struct stat st;
	if (stat(o->repo, &st) < 0) {
		/* offline, --repo is a path; through the daemon it is a name */
		fprintf(stderr,
		        "ismsctl %s: --repo %s: no such directory. Without --socket, --repo is "
		        "the path of a repository read offline; to ask the daemon for the "
		        "repository it serves under that name, add --socket PATH "
		        "and leave out --ref, --worktree and --now\n",
		        cmd, esc(o->repo));
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
		fprintf(stderr, "%s:%d: %s\n", esc(p->v[i].path), p->v[i].line, esc(p->v[i].msg));
	if (p->n)
		fprintf(stderr, "ismsctl %s: fix the parameters above in isms.yaml\n", cmd);
	return p->n > 0;
}

int
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

int
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

int
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
