/* ical.c - export the ISMS calendar as iCalendar with libical.
 *
 * All libical calls run under date.c's libical lock: libical's time zone
 * cache is process-wide and the UTC zone used for DTSTAMP lives in it. */
#include "ical.h"
#include "escape.h"

#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "date.h"
#include "alloc.h"
#include "err.h"

/* A DATE value. */
static struct icaltimetype
day(struct ymd d)
{
	struct icaltimetype t = icaltime_null_date();

	t.year = d.y;
	t.month = d.m;
	t.day = d.d;
	t.is_date = 1;
	return t;
}

/* One display alarm `days` before the start. */
static icalcomponent *
alarm(const struct cal_event *e, int days)
{
	icalcomponent *a = icalcomponent_new_valarm();
	struct icaltriggertype tr;
	char *text;

	memset(&tr, 0, sizeof(tr));
	tr.time = icaltime_null_time();
	tr.duration = icaldurationtype_null_duration();
	tr.duration.is_neg = days > 0;
	tr.duration.days = (unsigned)days;
	icalcomponent_add_property(a, icalproperty_new_action(ICAL_ACTION_DISPLAY));
	icalcomponent_add_property(a, icalproperty_new_trigger(tr));
	text = days ? xasprintf("In %d day%s: %s", days, days == 1 ? "" : "s", esc(e->title))
	            : xasprintf("Today: %s", esc(e->title));
	icalcomponent_add_property(a, icalproperty_new_description(text));
	free(text);
	return a;
}

/* The person with id, or NULL. */
static const struct ical_person *
person(const struct ical_feed *f, const char *id)
{
	for (size_t i = 0; f && id && i < f->npeople; i++)
		if (f->people[i].id && strcmp(f->people[i].id, id) == 0)
			return &f->people[i];
	return NULL;
}

/* Whether s can stand in a mailto: URI as it is: an address of the
 * characters RFC 5322 allows unquoted, with one '@'. */
static int
address_ok(const char *s)
{
	const char *at = s ? strchr(s, '@') : NULL;
	return at && at != s && at[1] && !strchr(at + 1, '@') && strlen(s) <= 254 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	                 ".!#$%&'*+/=?^_`{|}~@-") == strlen(s);
}

/* A copy of s fit for a parameter value (CN): no DQUOTE, no controls. */
static char *
param_text(const char *s)
{
	char *t = xstrdup(s);
	for (char *p = t; *p; p++)
		if (*p == '"' || (unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return t;
}

/* The owner as ATTENDEE. */
static void
attendee(icalcomponent *v, const struct ical_person *p)
{
	char *uri = xasprintf("mailto:%s", p->email);
	icalproperty *a = icalproperty_new_attendee(uri);
	if (p->name) {
		char *cn = param_text(p->name);
		icalproperty_add_parameter(a, icalparameter_new_cn(cn));
		free(cn);
	}
	icalproperty_add_parameter(a, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
	icalcomponent_add_property(v, a);
	free(uri);
}

/* One all-day event with its alarms. */
static icalcomponent *
event(const struct cal_event *e, const struct reminder_config *cfg, const struct ical_feed *f,
      struct icaltimetype stamp)
{
	icalcomponent *v = icalcomponent_new_vevent();
	struct ymd next = date_from_days(date_days(e->date) + 1);
	const int *leads;
	size_t nl = reminder_leads(cfg, e->kind, &leads);
	/* Record values go through the one escaping rule before libical's
	 * own TEXT escaping: no line of the calendar comes from them. */
	const struct ical_person *who = person(f, e->owner);
	char *uid = f && f->repo ? xasprintf("%s@%s.ismsd", esc(e->id), esc(f->repo))
	                         : xasprintf("%s@ismsd", esc(e->id));
	char *owner = who && who->name ? xasprintf("%s (%s)", esc(who->name), esc(e->owner))
	                               : xstrdup(e->owner ? esc(e->owner) : "not named");
	char *desc =
	        xasprintf("%s%s\nOwner: %s\nSource: %s:%d\nId: %s", e->overdue ? "OVERDUE. " : "",
	                  esc(e->title), owner, esc(e->file), e->line, esc(e->id));

	icalcomponent_add_property(v, icalproperty_new_uid(uid));
	icalcomponent_add_property(v, icalproperty_new_dtstamp(stamp));
	icalcomponent_add_property(v, icalproperty_new_dtstart(day(e->date)));
	icalcomponent_add_property(v, icalproperty_new_dtend(day(next)));
	icalcomponent_add_property(v, icalproperty_new_summary(esc(e->title)));
	icalcomponent_add_property(v, icalproperty_new_description(desc));
	icalcomponent_add_property(v, icalproperty_new_categories(calendar_kind_name(e->kind)));
	icalcomponent_add_property(v, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	if (who && address_ok(who->email))
		attendee(v, who);
	for (size_t i = 0; i < nl; i++)
		icalcomponent_add_component(v, alarm(e, leads[i]));
	free(uid);
	free(owner);
	free(desc);
	return v;
}

/* Export; see ical.h. */
int
ical_export(const struct calendar *c, const struct reminder_config *cfg, const char *name,
            int64_t dtstamp, char **out)
{
	return ical_export_feed(c, cfg, name, NULL, dtstamp, out);
}

int
ical_export_feed(const struct calendar *c, const struct reminder_config *cfg, const char *name,
                 const struct ical_feed *f, int64_t dtstamp, char **out)
{
	struct reminder_config *def = cfg ? NULL : reminder_config_default(c->tz);
	icalcomponent *cal;
	struct icaltimetype stamp;
	char *s;

	date_ical_lock();
	stamp = icaltime_from_timet_with_zone((time_t)dtstamp, 0, icaltimezone_get_utc_timezone());
	cal = icalcomponent_new_vcalendar();
	icalcomponent_add_property(
	        cal, icalproperty_new_prodid("-//ismsd//ISMS calendar " ISMS_VERSION "//EN"));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(cal, icalproperty_new_method(ICAL_METHOD_PUBLISH));
	if (name != NULL) {
		icalproperty *p = icalproperty_new_x(esc(name));
		icalproperty_set_x_name(p, "X-WR-CALNAME");
		icalcomponent_add_property(cal, p);
	}
	for (size_t i = 0; i < c->n; i++)
		icalcomponent_add_component(cal, event(&c->v[i], cfg ? cfg : def, f, stamp));
	s = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	date_ical_unlock();
	reminder_config_free(def);
	if (s == NULL)
		return err_set("cannot write the calendar as iCalendar: %s",
		               icalerror_strerror(icalerrno));
	*out = xstrdup(s);
	icalmemory_free_buffer(s);
	return 0;
}
