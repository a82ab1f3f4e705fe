/* ical.c - tests for the iCalendar export: the output is parsed back with
 * libical's parser and checked property by property, and its lines are
 * checked against RFC 5545 (CRLF, folded at 75 octets, UTF-8 kept whole). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "calendar.h"
#include "date.h"
#include "ical.h"
#include "reminder.h"
#include "tap.h"
#include "alloc.h"

/* A calendar of two events, one with a long UTF-8 title. */
static struct calendar *
sample(void)
{
	struct calendar *c = xcalloc(1, sizeof(*c));
	c->tz = xstrdup("Europe/Berlin");
	c->n = 2;
	c->v = xcalloc(2, sizeof(*c->v));
	c->v[0] = (struct cal_event){ xstrdup("document-review:backup-policy"), CAL_DOCUMENT_REVIEW,
		                      xstrdup("Review of Backup policy (backup-policy)"),
		                      { 2026, 2, 28 }, xstrdup("p-lukas"),
		                      xstrdup("policies/backup-policy.md"), 6, 0 };
	c->v[1] = (struct cal_event){
		xstrdup("corrective-action:NC-1"), CAL_CORRECTIVE_ACTION,
		xstrdup("Korrekturmaßnahme für NC-1: Wiederherstellung prüfen; Größenänderung, "
		        "Übergabe, Schlüssel, \"Zitat\", Komma, Semikolon; und ein langer Satz ÄÖÜ"),
		{ 2025, 12, 1 }, NULL, xstrdup("nonconformities.yaml"), 8, 1
	};
	return c;
}

/* Check RFC 5545 lines: CRLF ends, at most 75 octets, continuation lines
 * start with a blank, no UTF-8 sequence split across a fold. */
static void
check_lines(const char *s)
{
	int crlf = 1, len = 1, utf8 = 1;
	const char *p = s;

	while (*p) {
		const char *e = strstr(p, "\r\n");
		if (e == NULL) {
			crlf = 0;
			break;
		}
		if (e - p > 75)
			len = 0;
		for (const char *q = strchr(p, '\n'); q && q < e; q = NULL)
			crlf = 0;
		if (p != s && *p == ' ' && ((unsigned char)p[1] & 0xc0) == 0x80)
			utf8 = 0;
		p = e + 2;
	}
	ok(crlf, "every line ends in CRLF");
	ok(len, "no line is longer than 75 octets");
	ok(utf8, "folds do not split a UTF-8 character");
}

int
main(void)
{
	struct calendar *c = sample();
	struct reminder_config *cfg = reminder_config_default(c->tz);
	int64_t stamp = date_days((struct ymd){ 2025, 11, 1 }) * 86400 + 3600;
	char *out = NULL;
	icalcomponent *cal, *ev;
	int nev = 0;

	ok(ical_export(c, cfg, "Test GmbH ISMS", stamp, &out) == 0, "exported");
	like(out, "BEGIN:VCALENDAR\r\n", "a VCALENDAR");
	like(out, "DTSTART;VALUE=DATE:20251201\r\n", "all-day start as DATE");
	like(out, "DTSTAMP:20251101T010000Z\r\n", "DTSTAMP in UTC");
	like(out, "TRIGGER:-P90D\r\n", "alarm 90 days before");
	check_lines(out);

	date_ical_lock();
	cal = icalparser_parse_string(out);
	ok(cal && icalcomponent_isa(cal) == ICAL_VCALENDAR_COMPONENT, "libical parses it back");
	ok(cal && icalcomponent_get_first_property(cal, ICAL_VERSION_PROPERTY) &&
	   strcmp(icalproperty_get_version(icalcomponent_get_first_property(
			  cal, ICAL_VERSION_PROPERTY)), "2.0") == 0,
	   "VERSION 2.0");
	ok(cal && icalcomponent_get_first_property(cal, ICAL_PRODID_PROPERTY), "PRODID present");
	for (ev = cal ? icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT) : NULL; ev;
	     ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		const struct cal_event *e = &c->v[nev < 2 ? nev : 1];
		struct icaltimetype st = icalcomponent_get_dtstart(ev);
		struct icaltimetype en = icalcomponent_get_dtend(ev);
		char *uid = xasprintf("%s@ismsd", e->id);
		int alarms = icalcomponent_count_components(ev, ICAL_VALARM_COMPONENT);
		is_str(icalcomponent_get_uid(ev), uid, "event %d: UID", nev);
		is_str(icalcomponent_get_summary(ev), e->title, "event %d: SUMMARY round-trips", nev);
		ok(st.is_date && st.year == e->date.y && st.month == e->date.m && st.day == e->date.d,
		   "event %d: DTSTART is the date", nev);
		ok(en.is_date && icaltime_compare(en, st) > 0, "event %d: DTEND after it", nev);
		ok(icalcomponent_get_first_property(ev, ICAL_DTSTAMP_PROPERTY) != NULL,
		   "event %d: DTSTAMP", nev);
		like(icalcomponent_get_description(ev), e->file, "event %d: DESCRIPTION names the source",
		     nev);
		is_int(alarms, 4, "event %d: four alarms (90, 30, 7, 1 days)", nev);
		icalcomponent *al = icalcomponent_get_first_component(ev, ICAL_VALARM_COMPONENT);
		struct icaltriggertype tr = icalproperty_get_trigger(
			icalcomponent_get_first_property(al, ICAL_TRIGGER_PROPERTY));
		ok(tr.duration.is_neg && tr.duration.days == 90 && tr.duration.weeks == 0,
		   "event %d: first alarm -P90D", nev);
		free(uid);
		nev++;
	}
	is_int(nev, 2, "two VEVENTs");
	if (cal)
		icalcomponent_free(cal);
	date_ical_unlock();
	free(out);

	calendar_free(c);
	c = xcalloc(1, sizeof(*c));
	c->tz = xstrdup("UTC");
	ok(ical_export(c, NULL, NULL, 0, &out) == 0 && strstr(out, "BEGIN:VEVENT") == NULL,
	   "an empty calendar exports with no events");
	free(out);
	calendar_free(c);
	reminder_config_free(cfg);
	date_shutdown();
	return done_testing();
}
