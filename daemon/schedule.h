/* schedule.h - the scheduler inside the daemon. Per repository it reads
 * the model of the head commit (the evaluator's, kept in the head cache
 * while model_cache allows, or loaded again: on a thread of its own for
 * a timer or a head the evaluator has no model for, on the loop thread
 * for a request), keeps the reminder settings of its isms.yaml and the
 * reminder state under
 * <state_dir>/reminders/<repository>; it fires the reminders that fall
 * due on the `reminders` topic, exactly once, and arms a timer for the
 * next one. The socket's schedule, calendar, audit-plan, review-pack and
 * ack methods answer from here. Everything but the loading runs on the
 * loop thread. */
#ifndef ISMS_SCHEDULE_H
#define ISMS_SCHEDULE_H

#include <event2/event.h>
#include <jansson.h>
#include <stdint.h>

struct bus;
struct config;
struct headcache;
struct repo;

/* What the scheduler works with, set up by the daemon and kept current by
 * it; it must outlive every repository opened with it. */
struct schedule_env {
	struct event_base *base;
	struct bus *bus;          /* reminders are published here */
	const struct config *cfg; /* state_dir, rules */
	struct headcache *heads;  /* where heads' records are kept (headcache.h) */
	int stopping;             /* set: loads that finish are not installed */
	int frozen;               /* the clock moves only by the clock method */
	int64_t (*now)(void *arg);
	void *arg;
};

/* Why a method failed, as its negative result; err_msg() says more. */
enum schedule_error {
	SCHEDULE_FAILED = -1,    /* it could not be computed */
	SCHEDULE_NOT_READY = -2, /* no commit with an isms.yaml is loaded yet */
	SCHEDULE_BAD_ID = -3,    /* the id or ack key to acknowledge was refused */
};

/* Open r's reminder state and start loading its head. Returns 0, or -1
 * with err_msg() (another process holds the state). env is borrowed. */
int schedule_open(const struct schedule_env *env, struct repo *r);
/* Wait for r's load, close its reminder state and free what it keeps. */
void schedule_close(struct repo *r);
/* The daemon moved r's state from old to r (a reload rebuilt its list of
 * repositories): follow it. */
void schedule_moved(const struct repo *old, struct repo *r);
/* r's head was evaluated at commit: read its model hold (the evaluator's,
 * borrowed), or when NULL load that commit's model unless it is the head
 * already (or being loaded); reminders are recomputed after. */
struct model_hold;
void schedule_commit(struct repo *r, const char *commit, struct model_hold *hold);

/* The daemon's clock was moved (--frozen-clock): fire r's reminders that
 * fell due and arm for the next. */
void schedule_clock_moved(struct repo *r);

/* Method results (docs/protocol.md). Each returns 0 with *out the
 * caller's, or an enum schedule_error with err_msg(). */

/* The calendar: events as JSON, or iCalendar (ics) or text. */
int schedule_calendar(struct repo *r, int ics, int text, json_t **out);
/* The internal audit programme, as planner_json (or text). */
int schedule_audit_plan(struct repo *r, int text, json_t **out);
/* The Statement of Applicability of r's head judged by results (the
 * published verdicts), as soa_build makes it. */
int schedule_soa(struct repo *r, json_t *results, json_t **out);
/* The management review pack as Markdown; links NULL: "../". */
int schedule_review_pack(struct repo *r, const char *links, json_t **out);
/* Acknowledge reminder id (or ack key) and recompute r's reminders. */
int schedule_ack(struct repo *r, const char *id, json_t **out);

/* For the HTTP API and the dashboard (http.c). */
/* The people of the personnel records and who owns what in the SoA:
 * {repo, commit, people: {id: {name, email}}, soa: {owner, controls:
 * {control: {applicable, status, owner, justification, file, line}}}};
 * *out is the caller's. */
int schedule_people(struct repo *r, json_t **out);
/* The calendar as a subscribed iCalendar feed (ical_export_feed: UIDs
 * with the repository's name, owners as attendees); *out is the
 * caller's. */
int schedule_feed(struct repo *r, char **out);
/* Whether the reminders with this ack key were acknowledged. */
int schedule_acked(struct repo *r, const char *key);

#endif
