/* reminder.c - tests for reminders: lead times, overdue repeats, cron
 * reminders, catch-up after downtime, acknowledgements, and exactly-once
 * delivery across a process killed with SIGKILL. The clock is injected;
 * nothing sleeps. Zone Europe/Berlin: CET (UTC+1) until 2026-03-29, CEST
 * (UTC+2) after; reminders fire at 09:00 local. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calendar.h"
#include "date.h"
#include "plainsnap.h"
#include "model.h"
#include "reminder.h"
#include "tap.h"
#include "alloc.h"
#include "err.h"
#include "problems.h"
#include "sys.h"

#define BAIL_OUT()                                          \
	do {                                                \
		printf("Bail out! %s\n", err_msg());        \
		exit(1);                                    \
	} while (0)

static char dir[64];

/* A UTC instant. */
static int64_t
utc(int y, int m, int d, int h, int mi)
{
	return date_days((struct ymd){ y, m, d }) * 86400 + h * 3600 + mi * 60;
}

/* A calendar of one corrective action due 2026-06-15. */
static struct calendar *
one_event(int overdue)
{
	struct calendar *c = xcalloc(1, sizeof(*c));
	c->tz = xstrdup("Europe/Berlin");
	c->n = 1;
	c->v = xcalloc(1, sizeof(*c->v));
	c->v[0].id = xstrdup("corrective-action:NC-1");
	c->v[0].kind = CAL_CORRECTIVE_ACTION;
	c->v[0].title = xstrdup("Corrective action for NC-1");
	c->v[0].date = (struct ymd){ 2026, 6, 15 };
	c->v[0].owner = xstrdup("p-anna");
	c->v[0].file = xstrdup("nonconformities.yaml");
	c->v[0].line = 7;
	c->v[0].overdue = overdue;
	return c;
}

/* The due reminders' ids joined by spaces (static buffer). */
static const char *
due_ids(struct reminder_state *s, const struct reminder_config *cfg, const struct calendar *c,
        int64_t now, struct reminder_list *keep)
{
	static char out[1024];
	struct reminder_list l;

	out[0] = '\0';
	if (reminder_due(s, cfg, c, now, &l) < 0)
		return err_msg();
	for (size_t i = 0; i < l.n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s%s", i ? " " : "",
		         l.v[i].id, l.v[i].redelivery ? "(again)" : "");
	if (keep)
		*keep = l;
	else
		reminder_list_free(&l);
	return out;
}

/* Fire and deliver everything due at now; return how many. */
static size_t
fire_all(struct reminder_state *s, const struct reminder_config *cfg, const struct calendar *c,
         int64_t now)
{
	struct reminder_list l;
	size_t n;

	if (reminder_due(s, cfg, c, now, &l) < 0)
		return 0;
	for (size_t i = 0; i < l.n; i++) {
		if (!l.v[i].redelivery)
			reminder_mark_fired(s, &l.v[i]);
		reminder_mark_delivered(s, l.v[i].id);
	}
	n = l.n;
	reminder_list_free(&l);
	return n;
}

/* A fresh state directory. */
static struct reminder_state *
fresh(void)
{
	struct reminder_state *s = NULL;
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0 || reminder_open(dir, &s) < 0)
		BAIL_OUT();
	return s;
}

static void
test_leads_and_catchup(void)
{
	struct reminder_config *cfg = reminder_config_default("Europe/Berlin");
	struct calendar *c = one_event(0);
	struct reminder_state *s = fresh();

	is_str(due_ids(s, cfg, c, utc(2026, 3, 17, 7, 59), NULL), "",
	       "nothing before 90 days ahead at 09:00 local");
	is_str(due_ids(s, cfg, c, utc(2026, 3, 17, 8, 0), NULL),
	       "corrective-action:NC-1@2026-06-15/-90d", "90 days ahead at 09:00 CET");
	is_int(fire_all(s, cfg, c, utc(2026, 3, 17, 8, 0)), 1, "fired");
	is_str(due_ids(s, cfg, c, utc(2026, 3, 17, 8, 5), NULL), "", "not twice");
	reminder_close(s);
	reminder_open(dir, &s);
	is_str(due_ids(s, cfg, c, utc(2026, 5, 10, 8, 0), NULL), "", "not twice after a restart");
	/* Down from 2026-05-10 to 2026-05-17: the 30-day reminder (2026-05-16
	 * 09:00 CEST) was missed. */
	is_str(due_ids(s, cfg, c, utc(2026, 5, 17, 12, 0), NULL),
	       "corrective-action:NC-1@2026-06-15/-30d", "catch-up after a week of downtime");
	is_int(fire_all(s, cfg, c, utc(2026, 5, 17, 12, 0)), 1, "the missed one fires once");
	is_int(fire_all(s, cfg, c, utc(2026, 5, 17, 12, 1)), 0, "  ... and only once");
	is_str(due_ids(s, cfg, c, utc(2026, 6, 14, 12, 0), NULL),
	       "corrective-action:NC-1@2026-06-15/-1d",
	       "down over both the 7- and 1-day reminders: the latest fires, not both");
	is_int(fire_all(s, cfg, c, utc(2026, 6, 14, 12, 0)), 1, "fired");
	is_str(due_ids(s, cfg, c, utc(2026, 6, 20, 12, 0), NULL), "",
	       "not an obligation: nothing once the date has passed");
	ok(reminder_next(s, cfg, c, utc(2026, 3, 17, 8, 0)) == utc(2026, 5, 16, 7, 0),
	   "next wake-up is the 30-day reminder at 09:00 CEST");
	reminder_close(s);
	calendar_free(c);
	reminder_config_free(cfg);
}

static void
test_overdue_and_ack(void)
{
	struct reminder_config *cfg = reminder_config_default("Europe/Berlin");
	struct calendar *c = one_event(1);
	struct reminder_state *s = fresh();

	is_str(due_ids(s, cfg, c, utc(2026, 6, 16, 6, 59), NULL),
	       "corrective-action:NC-1@2026-06-15/-1d", "before 09:00 the day after: still the lead");
	is_str(due_ids(s, cfg, c, utc(2026, 6, 16, 7, 0), NULL),
	       "corrective-action:NC-1@2026-06-15/overdue-0", "overdue the day after, 09:00");
	is_int(fire_all(s, cfg, c, utc(2026, 6, 16, 7, 0)), 1, "fired");
	is_str(due_ids(s, cfg, c, utc(2026, 6, 22, 12, 0), NULL), "", "quiet for a week");
	is_str(due_ids(s, cfg, c, utc(2026, 6, 23, 7, 0), NULL),
	       "corrective-action:NC-1@2026-06-15/overdue-1", "repeats after a week");
	ok(reminder_ack(s, "corrective-action:NC-1@2026-06-15/overdue-1") == 0, "acknowledged");
	ok(reminder_acked(s, "corrective-action:NC-1@2026-06-15"), "  ... the event's reminders");
	is_str(due_ids(s, cfg, c, utc(2026, 6, 23, 7, 0), NULL), "", "an acknowledged one is not due");
	reminder_close(s);
	reminder_open(dir, &s);
	is_str(due_ids(s, cfg, c, utc(2026, 7, 30, 7, 0), NULL), "",
	       "the acknowledgement persists and stops the repeats");
	free(c->v[0].id);
	c->v[0].date = (struct ymd){ 2026, 9, 1 };
	c->v[0].id = xstrdup("corrective-action:NC-1");
	is_str(due_ids(s, cfg, c, utc(2026, 7, 30, 7, 0), NULL),
	       "corrective-action:NC-1@2026-09-01/-90d",
	       "a new due date starts over (its 90-day reminder, catch-up)");
	ok(reminder_ack(s, "") < 0, "an empty id is refused");
	reminder_close(s);
	calendar_free(c);
	reminder_config_free(cfg);
}

/* The ack key `ismsctl watch` showed with a reminder stays good after a
 * commit moved the event to another date. */
static void
test_ack_after_move(void)
{
	struct reminder_config *cfg = reminder_config_default("Europe/Berlin");
	struct calendar *c = one_event(0);
	struct reminder_state *s = fresh();

	is_int(fire_all(s, cfg, c, utc(2026, 6, 8, 8, 0)), 1, "the 7-day reminder fires");
	c->v[0].date = (struct ymd){ 2026, 9, 1 };
	reminder_close(s);
	reminder_open(dir, &s);
	ok(reminder_ack_known(s, cfg, c, "corrective-action:NC-1@2026-06-15"),
	   "its ack key is known after the date moved (and a restart)");
	ok(reminder_ack_known(s, cfg, c, "corrective-action:NC-1@2026-09-01"),
	   "so is the key of the new date");
	ok(!reminder_ack_known(s, cfg, c, "corrective-action:NC-1@2026-06-16"),
	   "a date that neither fired nor is in the calendar is not");
	ok(!reminder_ack_known(s, cfg, c, "corrective-action:NC@2026-06-15"),
	   "nor the key of another event that shares a prefix");
	ok(reminder_ack(s, "corrective-action:NC-1@2026-06-15") == 0, "it is acknowledged");
	is_str(due_ids(s, cfg, c, utc(2026, 8, 25, 8, 0), NULL),
	       "corrective-action:NC-1@2026-09-01/-7d",
	       "which does not stop the reminders of the new date");
	reminder_close(s);
	calendar_free(c);
	reminder_config_free(cfg);
}

/* In a child: open the state, fire what is due at now, append each id to
 * the consumer's file `sink`, and die with SIGKILL at `crash`: 0 after
 * marking fired, 1 after delivering, before marking delivered. */
static void
child(const struct reminder_config *cfg, const struct calendar *c, int64_t now,
      const char *sink, int crash)
{
	struct reminder_state *s;
	struct reminder_list l;
	FILE *f;

	if (reminder_open(dir, &s) < 0 || reminder_due(s, cfg, c, now, &l) < 0)
		_exit(3);
	for (size_t i = 0; i < l.n; i++) {
		if (reminder_mark_fired(s, &l.v[i]) < 0)
			_exit(4);
		if (crash == 0)
			raise(SIGKILL);
		if ((f = fopen(sink, "a")) == NULL)
			_exit(5);
		fprintf(f, "%s\n", l.v[i].id);
		fclose(f);
		raise(SIGKILL);
	}
	_exit(6);
}

/* Deliver idempotently: append id to sink unless it is already there.
 * Returns 1 if delivered now. */
static int
deliver(const char *sink, const char *id)
{
	char line[512];
	FILE *f = fopen(sink, "a+");
	int seen = 0;

	rewind(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, id, strlen(id)) == 0 && line[strlen(id)] == '\n')
			seen = 1;
	if (!seen)
		fprintf(f, "%s\n", id);
	fclose(f);
	return !seen;
}

/* Count the lines of sink equal to id. */
static int
count(const char *sink, const char *id)
{
	char line[512];
	FILE *f = fopen(sink, "r");
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n += strncmp(line, id, strlen(id)) == 0 && line[strlen(id)] == '\n';
	if (f)
		fclose(f);
	return n;
}

static void
test_kill9(void)
{
	struct reminder_config *cfg = reminder_config_default("Europe/Berlin");
	struct calendar *c = one_event(0);
	struct reminder_state *s = fresh();
	const char *id = "corrective-action:NC-1@2026-06-15/-90d";
	char sink[96];
	struct reminder_list l;
	int64_t now = utc(2026, 3, 20, 12, 0);
	int st;

	reminder_close(s);
	snprintf(sink, sizeof(sink), "%s.sink", dir);
	unlink(sink);
	for (int crash = 0; crash < 2; crash++) {
		pid_t pid = fork();
		if (pid == 0)
			child(cfg, c, now, sink, crash);
		waitpid(pid, &st, 0);
		ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child killed with SIGKILL %s",
		   crash ? "after delivering" : "after persisting, before delivering");
		if (reminder_open(dir, &s) < 0)
			BAIL_OUT();
		if (reminder_due(s, cfg, c, now, &l) < 0)
			BAIL_OUT();
		ok(l.n == 1 && strcmp(l.v[0].id, id) == 0 && l.v[0].redelivery && l.v[0].seq > 0,
		   "after the restart the same reminder is due again, marked as a redelivery");
		for (size_t i = 0; i < l.n; i++) {
			deliver(sink, l.v[i].id);
			reminder_mark_delivered(s, l.v[i].id);
		}
		reminder_list_free(&l);
		is_int(count(sink, id), 1, "the consumer has it exactly once");
		is_str(due_ids(s, cfg, c, now + 60, NULL), "", "and it is not due again");
		reminder_close(s);
		s = fresh();
		reminder_close(s);
		unlink(sink);
	}
	/* Killed before anything was persisted: it is simply still due. */
	pid_t pid = fork();
	if (pid == 0) {
		if (reminder_open(dir, &s) < 0)
			_exit(3);
		raise(SIGKILL);
	}
	waitpid(pid, &st, 0);
	reminder_open(dir, &s);
	is_str(due_ids(s, cfg, c, now, NULL), id, "killed before firing: due, not a redelivery");
	reminder_close(s);
	calendar_free(c);
	reminder_config_free(cfg);
}

static void
test_damage_and_lock(void)
{
	struct reminder_config *cfg = reminder_config_default("Europe/Berlin");
	struct calendar *c = one_event(0);
	struct reminder_state *s = fresh(), *s2 = NULL;
	char path[128], *data;
	size_t len;
	FILE *f;

	ok(reminder_open(dir, &s2) < 0, "a second process on the same state is refused");
	like(err_msg(), "in use", "  ... saying it is in use");
	fire_all(s, cfg, c, utc(2026, 3, 20, 12, 0));
	reminder_close(s);
	snprintf(path, sizeof(path), "%s/%s", dir, REMINDER_LOG);
	f = fopen(path, "a");
	fputs("A 77 0 corrective-action:NC-1@2026-06-15 deadbeef\n", f); /* bad check */
	fputs("F 78 0 corrective-action:NC-1@2026-06-15/-30d 0", f);     /* torn */
	fclose(f);
	ok(reminder_open(dir, &s) == 0, "a damaged log opens");
	ok(!reminder_acked(s, "corrective-action:NC-1@2026-06-15"),
	   "a line with a bad check is ignored");
	is_str(due_ids(s, cfg, c, utc(2026, 5, 17, 12, 0), NULL),
	       "corrective-action:NC-1@2026-06-15/-30d", "a torn last line is ignored");
	fire_all(s, cfg, c, utc(2026, 5, 17, 12, 0));
	reminder_close(s);
	read_file(path, 1 << 20, &data, &len);
	ok(strstr(data, " 0F ") == NULL && data[len - 1] == '\n',
	   "the torn line was cut away before appending");
	free(data);
	reminder_open(dir, &s);
	is_str(due_ids(s, cfg, c, utc(2026, 5, 17, 12, 5), NULL), "", "state intact after the repair");
	reminder_close(s);
	ok(reminder_open("/proc/no/such/dir", &s) < 0, "an unusable directory is an error");
	like(err_msg(), "state directory", "  ... naming the state directory");
	calendar_free(c);
	reminder_config_free(cfg);
}

static const char manifest[] =
	"organisation: Test GmbH\n"
	"time_zone: Europe/Berlin\n"
	"parameters:\n"
	"  reminder_lead_days:\n"
	"    default: [30, 1]\n"
	"    corrective-action: [14]\n"
	"    no-such-kind: [3]\n"
	"  reminders:\n"
	"    - id: weekly\n"
	"      cron: \"0 9 * * mon\"\n"
	"      message: Weekly ISMS check\n"
	"      to: p-anna\n"
	"    - cron: \"61 * * * *\"\n"
	"      message: broken\n"
	"    - message: no cron\n";

static void
test_cron_reminders(void)
{
	const char *paths[] = { "isms.yaml" }, *data[] = { manifest };
	struct snapshot *snap = plainsnap_memory(paths, data, 1, 0, "t");
	struct model *m;
	struct reminder_config *cfg;
	struct problems pr = { 0 };
	struct reminder_state *s = fresh();
	const int *d;

	model_build(snap, &m);
	reminder_config_load(m, &cfg, &pr);
	is_int(pr.n, 3, "three problems in the settings");
	ok(pr.n == 3 && pr.v[0].line == 7 && strstr(pr.v[0].msg, "no-such-kind"),
	   "unknown kind, at isms.yaml:7");
	ok(pr.n == 3 && pr.v[1].line == 13 && strstr(pr.v[1].msg, "'61' is outside 0-59"),
	   "bad cron expression, at isms.yaml:13");
	ok(pr.n == 3 && pr.v[2].line == 15 && strstr(pr.v[2].msg, "needs cron and message"),
	   "entry without cron, at isms.yaml:15");
	ok(reminder_leads(cfg, CAL_CORRECTIVE_ACTION, &d) == 1 && d[0] == 14,
	   "lead days per kind");
	ok(reminder_leads(cfg, CAL_DOCUMENT_REVIEW, &d) == 2 && d[0] == 30 && d[1] == 1,
	   "lead days by default");
	is_int(cfg->ncrons, 1, "one cron reminder");
	is_str(due_ids(s, cfg, NULL, utc(2026, 3, 4, 12, 0), NULL), "",
	       "first seen: earlier occurrences do not fire");
	is_str(due_ids(s, cfg, NULL, utc(2026, 3, 9, 7, 59), NULL), "", "not before Monday 09:00");
	is_str(due_ids(s, cfg, NULL, utc(2026, 3, 9, 8, 30), NULL), "cron:weekly@2026-03-09T08:00:00Z",
	       "Monday 09:00 CET");
	is_int(fire_all(s, cfg, NULL, utc(2026, 3, 9, 8, 30)), 1, "fired");
	is_str(due_ids(s, cfg, NULL, utc(2026, 3, 9, 9, 30), NULL), "", "once");
	reminder_close(s);
	reminder_open(dir, &s);
	is_str(due_ids(s, cfg, NULL, utc(2026, 3, 24, 12, 0), NULL),
	       "cron:weekly@2026-03-23T08:00:00Z",
	       "after two weeks down, the latest missed occurrence fires once");
	is_int(fire_all(s, cfg, NULL, utc(2026, 3, 24, 12, 0)), 1, "fired");
	ok(reminder_next(s, cfg, NULL, utc(2026, 3, 24, 12, 0)) == utc(2026, 3, 30, 7, 0),
	   "next: Monday 09:00 CEST after the clock change");
	is_str(due_ids(s, cfg, NULL, utc(2026, 3, 30, 7, 0), NULL), "cron:weekly@2026-03-30T07:00:00Z",
	       "fires at 09:00 CEST");
	reminder_close(s);
	problems_free(&pr);
	reminder_config_free(cfg);
	model_free(m);
	snapshot_free(snap);
}

int
main(void)
{
	char cmd[256];

	snprintf(dir, sizeof(dir), "/tmp/isms-reminder-%ld", (long)getpid());
	test_leads_and_catchup();
	test_overdue_and_ack();
	test_ack_after_move();
	test_kill9();
	test_damage_and_lock();
	test_cron_reminders();
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s.sink", dir, dir);
	if (system(cmd) != 0)
		ok(0, "clean up");
	date_shutdown();
	return done_testing();
}
