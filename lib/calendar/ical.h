/* ical.h - the ISMS calendar as iCalendar (RFC 5545), built with
 * libical's component API, for calendar applications. */
#ifndef ISMS_ICAL_H
#define ISMS_ICAL_H

#include <stdint.h>

#include "calendar.h"
#include "reminder.h"

/* Write calendar c as a VCALENDAR: one all-day VEVENT per event (UID
 * "<event id>@ismsd", DTSTAMP dtstamp, DTSTART;VALUE=DATE, DTEND the next
 * day, SUMMARY, DESCRIPTION with owner and source file:line, CATEGORIES
 * the kind) with a display VALARM for each lead time of cfg (NULL: the
 * defaults). name titles the calendar (X-WR-CALNAME; NULL for none).
 * *out is the caller's to free: CRLF line ends, lines folded at 75
 * octets. Returns 0, or -1 with err_msg(). */
int ical_export(const struct calendar *c, const struct reminder_config *cfg, const char *name,
                int64_t dtstamp, char **out);

/* A person of the personnel records, for attendees (strings borrowed). */
struct ical_person {
	const char *id, *name, *email; /* email may be NULL */
};

/* What a subscribed feed adds: the repository's name in every UID
 * ("<event id>@<repo>.ismsd", so that the feeds of two repositories do not
 * collide in one calendar application), and each event's owner as an
 * ATTENDEE (mailto: the e-mail, CN the name) when people names them with
 * an address; the description names the owner by name. */
struct ical_feed {
	const char *repo;
	const struct ical_person *people;
	size_t npeople;
};

/* ical_export for a feed f (borrowed; NULL: as ical_export). */
int ical_export_feed(const struct calendar *c, const struct reminder_config *cfg, const char *name,
                     const struct ical_feed *f, int64_t dtstamp, char **out);

#endif
