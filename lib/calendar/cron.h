/* cron.h - five-field cron expressions for recurring reminders, and their
 * next fire time in a time zone.
 *
 * Syntax (see docs/scheduler.md): "minute hour day-of-month month
 * day-of-week", each field '*', a number, a range a-b, any of these followed
 * by /n (every n-th value; a/n runs from a to the field's end), or a
 * comma-separated list of these; months
 * jan-dec and days sun-sat by name (any case); day-of-week 0-7 with 0 and
 * 7 both Sunday; and the shorthands @yearly, @annually, @monthly,
 * @weekly, @daily, @midnight and @hourly.
 *
 * Semantics: day-of-month and day-of-week both restricted (neither field
 * starts with '*') means a day matching either (Vixie cron); otherwise a
 * day must match both. Times are wall-clock times in the zone. A time that
 * a daylight-saving change skips fires once, at the first instant after
 * the gap; a time that occurs twice fires once, at its first occurrence. */
#ifndef ISMS_CRON_H
#define ISMS_CRON_H

#include <stdint.h>

#define CRON_MAX_LEN 256

struct cron {
	uint64_t minute; /* bit m: minute m (0-59) */
	uint32_t hour;   /* bit h: hour h (0-23) */
	uint32_t mday;   /* bit d: day of month d (1-31) */
	uint32_t month;  /* bit m: month m (1-12) */
	uint32_t wday;   /* bit w: day of week w (0-6, Sunday 0) */
	int mday_star;   /* the day-of-month field starts with '*' */
	int wday_star;   /* the day-of-week field starts with '*' */
};

/* Parse expr into *out. Returns 0, or -1 with err_msg() naming the field
 * and what is wrong with it; an expression that can never fire (30
 * February) is refused too. */
int cron_parse(const char *expr, struct cron *out);

/* The first fire time strictly after instant `after` in zone tz (IANA
 * name; NULL or "" is UTC) into *out. Returns 0, or -1 with err_msg()
 * (unknown zone, or no fire time before the year 9999). */
int cron_next(const struct cron *c, int64_t after, const char *tz, int64_t *out);

#endif
