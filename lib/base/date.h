/* date.h - calendar dates and instants for rules and the scheduler:
 * ISO 8601 parsing, month arithmetic, time zones. */
#ifndef ISMS_DATE_H
#define ISMS_DATE_H

#include <stdint.h>
#include <time.h>

/* A civil date, proleptic Gregorian. */
struct ymd {
	int y, m, d;
};

/* Days since 1970-01-01 of a civil date, and back. */
int64_t date_days(struct ymd d);
struct ymd date_from_days(int64_t days);
int date_valid(struct ymd d);
int date_month_days(int y, int m);

/* Add months, clamping the day to the end of the target month
 * (2024-01-31 + 1 month = 2024-02-29). */
struct ymd date_add_months(struct ymd d, int months);

/* Parse an ISO 8601 date or date-time:
 *   2024-05-01, 2024-05-01T09:30, 2024-05-01T09:30:15, with optional
 *   fractional seconds and Z or +hh:mm / -hh:mm offset (also 'T' as ' ').
 * On success *ymd is the civil date written, and when has_time is not NULL
 * it says whether a time was present; *epoch (if not NULL) is the instant,
 * using tz for a date-time without offset and for a bare date (its local
 * midnight). Returns 0, or -1 with err_msg() saying what is wrong. */
int date_parse(const char *s, const char *tz, struct ymd *ymd, int64_t *epoch, int *has_time);

/* Format a civil date as YYYY-MM-DD into out (11 bytes). */
void date_format(struct ymd d, char out[11]);
/* Format an instant as UTC 'YYYY-MM-DDTHH:MM:SSZ' into out (21 bytes). */
void date_format_utc(int64_t epoch, char out[21]);

/* Time zones by IANA name ("Europe/Berlin"); NULL or "" means UTC.
 * Returns 0, or -1 when the zone is unknown. */
int date_tz_valid(const char *tz);
/* The civil date at instant epoch in zone tz. */
int date_local_ymd(int64_t epoch, const char *tz, struct ymd *out);
/* The instant of local midnight starting civil date d in zone tz. */
int date_local_midnight(struct ymd d, const char *tz, int64_t *out);
/* The UTC offset in seconds of zone tz at instant epoch. */
int date_tz_offset(int64_t epoch, const char *tz, int *out);
/* The instant at which local wall-clock time `local` (seconds since
 * 1970-01-01 00:00 local) occurs in zone tz: the earlier instant when it
 * occurs twice (clocks turned back), and when a forward change skips it,
 * the instant of the change (the first instant whose local time is past
 * it). *skipped (if not NULL) is set to 1 in that last case, else 0.
 * The scheduler's cron times use this. */
int date_local_first(int64_t local, const char *tz, int64_t *out, int *skipped);
/* Hold libical's lock around libical calls made outside this module
 * (iCalendar export and parsing), so that they never run beside a zone
 * lookup: libical's zone cache is process-wide and not thread-safe. */
void date_ical_lock(void);
void date_ical_unlock(void);
/* Free the time zone data loaded so far (libical's zone cache); call at
 * exit so leak checkers stay quiet. Later calls load zones again. */
void date_shutdown(void);

#endif
