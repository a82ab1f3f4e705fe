/* reminder.h - reminders of the ISMS calendar and of cron expressions,
 * each fired exactly once, with the state kept crash-safely in the state
 * directory.
 *
 * Use (the daemon, on start and whenever the timer fires):
 *
 *   reminder_due(st, cfg, cal, now, &list);     what to deliver now
 *   for each r in list:
 *     if (!r->redelivery) reminder_mark_fired(st, r);   persisted first
 *     publish r (socket topic "reminders", plugins), carrying r->id
 *     reminder_mark_delivered(st, r->id);
 *   arm the timer for reminder_next(st, cfg, cal, now)
 *
 * A crash between marking and delivering makes the next reminder_due()
 * return the same reminder (same id and sequence number) with redelivery
 * set: delivery is at least once, and since the id is stable, consumers
 * that drop ids they have seen get each reminder exactly once. A crash
 * before the mark loses nothing either: the reminder is still due. */
#ifndef ISMS_REMINDER_H
#define ISMS_REMINDER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "cron.h"
#include "model.h"
#include "problems.h"

#define REMINDER_MAX_LEADS 8
#define REMINDER_LOG       "reminders.log"

struct reminder_cron {
	char *id; /* name in the state and in reminder ids */
	char *expr;
	struct cron cron;
	char *message;
	char *to; /* recipient (person id, address), or NULL */
	int line; /* in isms.yaml */
};

struct reminder_config {
	char *tz;                                  /* the organisation's zone */
	int leads[CAL_NKINDS][REMINDER_MAX_LEADS]; /* days before, descending */
	size_t nleads[CAL_NKINDS];
	int hour;         /* local hour reminders fire (9) */
	int repeat_days;  /* overdue reminders repeat (7) */
	int catchup_days; /* missed cron reminders looked back (35) */
	struct reminder_cron *crons;
	size_t ncrons;
};

struct reminder {
	char *id;         /* unique per firing (docs/scheduler.md) */
	char *ack_key;    /* what an acknowledgement stops */
	const char *kind; /* "lead", "overdue" or "cron" (static) */
	char *event;      /* calendar event id, or NULL for cron */
	char *message;
	char *to;        /* event owner or cron recipient, or NULL */
	int64_t fire_at; /* when it was due */
	struct ymd date; /* event date (lead, overdue) */
	int days;        /* days before (lead) or after (overdue) the date */
	char *file;      /* record behind the event, or NULL */
	int line;
	uint64_t seq;   /* persisted sequence number; 0 until fired */
	int redelivery; /* fired before, delivery not confirmed */
};

struct reminder_list {
	struct reminder *v;
	size_t n;
};

struct reminder_state;

/* Read the reminder settings of isms.yaml (parameters reminder_lead_days,
 * reminder_hour, reminder_repeat_days, reminders). Malformed entries are
 * added to probs with isms.yaml and line, and left out. *out is the
 * caller's (reminder_config_free). */
void reminder_config_load(const struct model *m, struct reminder_config **out,
                          struct problems *probs);
/* Defaults only (90, 30, 7, 1 days; 09:00; weekly), in zone tz. */
struct reminder_config *reminder_config_default(const char *tz);
void reminder_config_free(struct reminder_config *c);

/* Open (creating) the state in directory dir, taking an exclusive lock:
 * a second process on the same directory is refused. *out is the
 * caller's (reminder_close). Damaged lines (a torn write) are skipped and
 * the file is cut back to its last whole line. */
int reminder_open(const char *dir, struct reminder_state **out);
void reminder_close(struct reminder_state *s);

/* The reminders to deliver at instant now, oldest first, into *out (the
 * caller's: reminder_list_free). Records in the state when a cron
 * reminder is first seen, so only later occurrences fire. */
int reminder_due(struct reminder_state *s, const struct reminder_config *cfg,
                 const struct calendar *cal, int64_t now, struct reminder_list *out);
/* Persist that r fires (write and fsync) before it is delivered; sets
 * r->seq. */
int reminder_mark_fired(struct reminder_state *s, struct reminder *r);
/* Persist that reminder id was delivered. */
int reminder_mark_delivered(struct reminder_state *s, const char *id);
/* Acknowledge a reminder id or ack key: that event's reminders (for that
 * date) stop; for a cron reminder, that occurrence. */
int reminder_ack(struct reminder_state *s, const char *id);
/* Whether id names a reminder that can be acknowledged: fired or
 * acknowledged before (also by the ack key of a fired reminder whose
 * event has moved to another date since), an event of cal by its ack
 * key, or an occurrence of a cron of cfg. */
int reminder_ack_known(const struct reminder_state *s, const struct reminder_config *cfg,
                       const struct calendar *cal, const char *id);
/* Whether key (an ack key or id) is acknowledged. */
int reminder_acked(const struct reminder_state *s, const char *id);
/* The next instant after now at which a reminder may fall due; INT64_MAX
 * when none. */
int64_t reminder_next(const struct reminder_state *s, const struct reminder_config *cfg,
                      const struct calendar *cal, int64_t now);
/* Lead times of kind k (days before, descending). */
size_t reminder_leads(const struct reminder_config *cfg, enum cal_kind k, const int **days);

void reminder_list_free(struct reminder_list *l);
/* A reminder as a JSON object (a new reference), as published. */
json_t *reminder_json(const struct reminder *r);

#endif
