/* cmd_daemon.c - the commands that talk to a running ismsd: status,
 * results, explain, summary, sync, ack, history, watch and call. */
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
#include "alloc.h"
#include "err.h"
#include "escape.h"
#include "ismsctl_int.h"

static const char daemon_help[] =
        "Common options: --socket PATH (default $ISMS_SOCKET or " ISMSD_DEFAULT_SOCKET "),\n"
        "--repo NAME (when the daemon serves several), --json (the raw reply).\n";

/* Parse --socket, --repo, --json and the flags in fl (each takes a value). */
int
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
		if (a[0] == '-') {
			const char *names[40] = { "--json", "--help", "--socket", "--repo" };
			size_t nn = 4;
			for (size_t f = 0; f < nfl && nn < NELEM(names) - 1; f++)
				names[nn++] = fl[f].name;
			names[nn] = NULL;
			flag_error_names(argv[0], a, names);
		} else {
			fprintf(stderr, "ismsctl %s: unexpected argument '%s'\n", argv[0], esc(a));
		}
		fprintf(stderr, "%s%s", help, daemon_help);
		return -1;
	}
	return 0;
}

/* Call method on the daemon; prints the error and returns -1 on failure. */
int
dcall(const struct dopts *o, const char *method, json_t *params, json_t **result)
{
	struct client_conn *c;
	const char *path = client_socket_path(o->socket);
	if (o->repo)
		json_object_set_new(params, "repo", json_string(o->repo));
	int rc = client_open(path, &c);
	if (rc == 0) {
		rc = client_call(c, method, params, result);
		client_close(c);
	}
	json_decref(params);
	if (rc < 0)
		fprintf(stderr, "ismsctl %s: %s\n", method, err_msg());
	return rc;
}

void
print_json(json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
}

static const char *
jget(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? esc(s) : "-";
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

/* The plugin's own counters on one line ("sent 80, dropped 2, ..."). */
static void
print_stats(json_t *stats)
{
	const char *k;
	json_t *v;
	int first = 1;
	json_object_foreach (stats, k, v) {
		printf("%s%s %lld", first ? "\n    counters: " : ", ", esc(k),
		       (long long)json_integer_value(v));
		first = 0;
	}
}

/* Two lines per plugin: its state, what it took and lost (events the
 * daemon's queue dropped plus the plugin's own `dropped` counter), and
 * its counters; why when it is not running. */
static void
print_plugins(json_t *plugins)
{
	json_t *p;
	size_t i;
	if (json_array_size(plugins) == 0)
		return;
	printf("\nplugins\n");
	json_array_foreach (plugins, i, p) {
		json_t *stats = json_object_get(p, "stats");
		printf("  %-16s %-8s", jget(p, "name"), jget(p, "state"));
		if (json_is_string(json_object_get(p, "version")))
			printf(" %s %s,", jget(p, "plugin"), jget(p, "version"));
		printf(" %lld delivered, %lld dropped, %lld queued",
		       (long long)json_integer_value(json_object_get(p, "delivered")),
		       (long long)(json_integer_value(json_object_get(p, "dropped")) +
		                   json_integer_value(json_object_get(stats, "dropped"))),
		       (long long)json_integer_value(json_object_get(p, "queued")));
		print_stats(stats);
		if (json_is_string(json_object_get(p, "error")))
			printf("\n    %s", jget(p, "error"));
		else if (json_is_string(json_object_get(p, "last_message")))
			printf("\n    last message: %s", jget(p, "last_message"));
		putchar('\n');
	}
}

static const char status_help[] = "usage: ismsctl status [--json]\n";

int
cmd_status(int argc, char **argv)
{
	struct dopts o;
	json_t *r, *v;
	size_t i;
	for (int a = 1; a < argc; a++)
		if (strcmp(argv[a], "--fleet") == 0)
			return cmd_fleet_status(argc, argv);
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
		if (json_is_string(json_object_get(v, "commit")))
			printf("  commit:     %.12s (%s), evaluated %s\n", jget(v, "commit"),
			       jget(v, "commit_time"), jget(v, "evaluated_at"));
		else
			printf("  commit:     none evaluated\n");
		printf("  verdicts:   ");
		print_counts(json_object_get(v, "counts"));
		if (!json_is_string(json_object_get(v, "commit")))
			printf("\n  conformant: NO (no verdicts: %s)\n", jget(v, "health"));
		else
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

int
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

int
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
		printf("    %s\n", esc(json_string_value(v)));
	json_array_foreach (json_object_get(r, "patterns"), i, v)
		printf("    pattern %s\n", esc(json_string_value(v)));
	json_decref(r);
	return 0;
}

static const char summary_help[] = "usage: ismsctl summary [--as-of COMMIT|DATE] [--json]\n";

int
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

int
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

int
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

int
cmd_history(int argc, char **argv)
{
	static const struct dflag fl[] = { { "--since", 0 }, { "--until", 1 }, { "--limit", 2 } };
	struct dopts o;
	json_t *r, *v;
	size_t i;
	long long limit = 0;
	for (int a = 1; a < argc; a++)
		if (strcmp(argv[a], "--from") == 0 || strncmp(argv[a], "--from=", 7) == 0)
			return cmd_history_backfill(argc, argv);
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
		rc = client_call(*c, "subscribe", p, &r);
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

int
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

int
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
