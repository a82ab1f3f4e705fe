/* date.c - civil dates (proleptic Gregorian), ISO 8601 parsing and time
 * zones.
 *
 * Day numbers count from 1970-01-01 and are computed here, not by the C
 * library, so that years 1 to 9999 work the same on every platform. Zone
 * offsets come from libical reading the system zoneinfo. libical keeps one
 * process-wide cache of loaded zones and expands their rules lazily, so every
 * libical call is made under zlock; date_shutdown() frees the cache.
 *
 * Local times that do not exist or exist twice (clock changes) are resolved
 * like this, for every zone:
 *   - a local date-time skipped by a forward change moves forward by the
 *     length of the change (02:30 on a day the clocks jump from 02:00 to
 *     03:00 is 03:30), as RFC 5545 does;
 *   - a local date-time that occurs twice is the earlier instant;
 *   - a day begins at the first instant whose local date is that day: its
 *     midnight, or where midnight is skipped (America/Havana, Asia/Beirut,
 *     America/Santiago turn the clocks from 00:00 to 01:00) the instant of
 *     the change; a date skipped altogether (Pacific/Apia, 2011-12-30)
 *     begins where the next day does.
 *
 * Accuracy is libical's: it agrees with the C library for every zone from
 * 2023 to 2037, but the zone data it builds is wrong for some zones in some
 * past years (America/Sao_Paulo 2014, Asia/Tehran 2002-2019, Pacific/Fiji
 * 2011-2017, ...) and, after 2037, where a zone's rule has a DST step other
 * than one hour or a change time outside 00:00-24:00 (America/St_Johns,
 * Australia/Lord_Howe, Africa/Cairo, Asia/Gaza). */
#include "date.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <libical/ical.h>

#include "err.h"

#define DAY            86400
#define DAYS_400Y      146097                  /* days in 400 Gregorian years */
#define DAYS_1_TO_1970 719162                  /* 0001-01-01 to 1970-01-01 */
#define DAYS_LIMIT     (DAYS_400Y * 5000000LL) /* keeps years inside an int */
#define EPOCH_MIN      (-62135596800LL - DAY)  /* 0001-01-01, less a day */
#define EPOCH_MAX      (253402300799LL + DAY)  /* 9999-12-31, plus a day */
#define ZONE_NAME_MAX  64
/* libical expands a zone's rules only up to about year 2580, and a lookup
 * past that is slow and wrong; later instants are moved back by whole 400-
 * year cycles (which repeat weekdays exactly) to land at or before this. */
#define FOLD_YEAR 2500
/* Instants before this (0002-01-01) are looked up as this: every zone is on
 * local mean time long before, so the offset is the same. */
#define OFFSET_MIN (-62104060800LL)

static const char *const month_names[] = {
	"January", "February", "March",     "April",   "May",      "June",
	"July",    "August",   "September", "October", "November", "December",
};

/* Days before each month, in common and leap years. */
static const int before[2][13] = {
	{ 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365 },
	{ 0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366 },
};

static pthread_mutex_t zlock = PTHREAD_MUTEX_INITIALIZER;

/* Divide rounding towards minus infinity. */
static int64_t
fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if (a % b != 0 && (a < 0) != (b < 0))
		q--;
	return q;
}

/* Whether year y (any sign) is a leap year. */
static int
leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* Leap years among years 1 to y (negative when y < 0). */
static int64_t
leaps(int64_t y)
{
	return fdiv(y, 4) - fdiv(y, 100) + fdiv(y, 400);
}

/* Days in month m of year y; 0 for a month outside 1..12. */
int
date_month_days(int y, int m)
{
	if (m < 1 || m > 12)
		return 0;
	return before[leap(y)][m] - before[leap(y)][m - 1];
}

/* Whether d is a real date in years 1 to 9999. */
int
date_valid(struct ymd d)
{
	return d.y >= 1 && d.y <= 9999 && d.m >= 1 && d.m <= 12 && d.d >= 1 &&
	       d.d <= date_month_days(d.y, d.m);
}

/* Count days from 1970-01-01. A month outside 1..12 carries into the year
 * and a day outside the month counts on from its first day, so any fields
 * give a defined answer. */
int64_t
date_days(struct ymd d)
{
	int64_t m = (int64_t)d.m - 1;
	int64_t y = d.y + fdiv(m, 12);

	m -= fdiv(m, 12) * 12;
	return 365 * (y - 1) + leaps(y - 1) + before[leap(y)][m] + d.d - 1 - DAYS_1_TO_1970;
}

/* Turn a day count from 1970-01-01 back into a civil date, by peeling off
 * 400-year cycles, centuries, 4-year groups and years; the last year of a
 * group (and the last century of a cycle) is the one with the extra day.
 * Counts past some two billion years are clamped. */
struct ymd
date_from_days(int64_t days)
{
	struct ymd d;
	int64_t n, q, c, f, a;
	int l, m;

	if (days > DAYS_LIMIT)
		days = DAYS_LIMIT;
	if (days < -DAYS_LIMIT)
		days = -DAYS_LIMIT;
	n = days + DAYS_1_TO_1970;
	q = fdiv(n, DAYS_400Y);
	n -= q * DAYS_400Y;
	c = n / 36524;
	if (c == 4)
		c = 3;
	n -= c * 36524;
	f = n / 1461;
	n -= f * 1461;
	a = n / 365;
	if (a == 4)
		a = 3;
	n -= a * 365;
	d.y = (int)(1 + 400 * q + 100 * c + 4 * f + a);
	l = leap(d.y);
	for (m = 12; before[l][m - 1] > n; m--)
		;
	d.m = m;
	d.d = (int)(n - before[l][m - 1]) + 1;
	return d;
}

/* Add months, keeping the day unless the target month is shorter. */
struct ymd
date_add_months(struct ymd d, int months)
{
	int64_t t = (int64_t)d.y * 12 + ((int64_t)d.m - 1) + months;
	int64_t y = fdiv(t, 12);
	struct ymd r;
	int last;

	if (y > INT_MAX)
		y = INT_MAX;
	if (y < INT_MIN + 1)
		y = INT_MIN + 1;
	r.y = (int)y;
	r.m = (int)(t - fdiv(t, 12) * 12) + 1;
	r.d = d.d;
	last = date_month_days(r.y, r.m);
	if (r.d > last)
		r.d = last;
	return r;
}

/* Write v as exactly width digits (clamped to what fits) at p. */
static char *
putnum(char *p, int64_t v, int width)
{
	int64_t max = 1;
	for (int i = 0; i < width; i++)
		max *= 10;
	if (v < 0)
		v = 0;
	if (v >= max)
		v = max - 1;
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/* Format a civil date; fields out of range are clamped to the digits. */
void
date_format(struct ymd d, char out[11])
{
	char *p = out;
	p = putnum(p, d.y, 4);
	*p++ = '-';
	p = putnum(p, d.m, 2);
	*p++ = '-';
	p = putnum(p, d.d, 2);
	*p = '\0';
}

/* Format an instant as UTC date and time. */
void
date_format_utc(int64_t epoch, char out[21])
{
	int64_t days = fdiv(epoch, DAY), s = epoch - days * DAY;
	char *p = out + 10;

	date_format(date_from_days(days), out);
	*p++ = 'T';
	p = putnum(p, s / 3600, 2);
	*p++ = ':';
	p = putnum(p, s / 60 % 60, 2);
	*p++ = ':';
	p = putnum(p, s % 60, 2);
	*p++ = 'Z';
	*p = '\0';
}

/* Copy s into q (64 bytes) for an error message: control characters become
 * '?', and long input is cut at a character boundary and marked "...". */
static const char *
quote(const char *s, char q[64])
{
	size_t n = strlen(s), cut = n > 40 ? 40 : n;

	if (n > 40)
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
	for (size_t i = 0; i < cut; i++)
		q[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	strcpy(q + cut, n > cut ? "..." : "");
	return q;
}

/* Time zones. */

/* Whether tz means UTC without consulting the zone database. */
static int
is_utc(const char *tz)
{
	return tz == NULL || *tz == '\0' || strcmp(tz, "UTC") == 0;
}

/* Whether tz is shaped like an IANA zone name ("America/Argentina/Salta",
 * "Etc/GMT+5"): letters, digits, '_', '-' and '+' in segments joined by
 * single '/'. Anything else never reaches the zone file loader. */
static int
zone_name_ok(const char *tz)
{
	size_t n = strlen(tz);

	if (n == 0 || n > ZONE_NAME_MAX || tz[0] == '/' || tz[n - 1] == '/' ||
	    strstr(tz, "//") != NULL)
		return 0;
	for (const char *p = tz; *p; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '+' || *p == '/'))
			return 0;
	}
	return 1;
}

/* The last zone found, under zlock: libical looks a name up by searching
 * its whole list, and the calendar asks for the same zone thousands of
 * times per evaluation. */
static char last_tz[64];
static icaltimezone *last_z;

/* Lock libical and look up zone tz. Returns the zone with zlock held, or
 * NULL with zlock released and the error set. The zone is borrowed from
 * libical's cache, valid until date_shutdown(). */
static icaltimezone *
zone_lock(const char *tz)
{
	icaltimezone *z = NULL;
	char q[64];

	if (zone_name_ok(tz)) {
		pthread_mutex_lock(&zlock);
		if (last_z != NULL && strcmp(last_tz, tz) == 0)
			return last_z;
		z = icaltimezone_get_builtin_timezone(tz);
		if (z != NULL) {
			if (strlen(tz) < sizeof(last_tz)) {
				memcpy(last_tz, tz, strlen(tz) + 1);
				last_z = z;
			}
			return z;
		}
		pthread_mutex_unlock(&zlock);
	}
	err_set("unknown time zone '%s' (expected a name from the time zone "
	        "database such as Europe/Berlin or America/New_York)",
	        quote(tz, q));
	return NULL;
}

/* Release zlock taken by zone_lock(). */
static void
zone_unlock(void)
{
	pthread_mutex_unlock(&zlock);
}

/* Check that an instant lies within the years this module handles. */
static int
epoch_ok(int64_t epoch)
{
	if (epoch < EPOCH_MIN || epoch > EPOCH_MAX)
		return err_set("the instant %lld is outside the years 0001 to 9999",
		               (long long)epoch);
	return 0;
}

/* The UTC offset in seconds of zone z at instant t. zlock is held. */
static int
zoff(icaltimezone *z, int64_t t)
{
	struct icaltimetype it = icaltime_null_time();
	int64_t days, s;
	struct ymd d;
	int dst = 0;

	if (t < OFFSET_MIN)
		t = OFFSET_MIN;
	d = date_from_days(fdiv(t, DAY));
	if (d.y > FOLD_YEAR)
		t -= (int64_t)((d.y - FOLD_YEAR + 399) / 400) * DAYS_400Y * DAY;
	days = fdiv(t, DAY);
	s = t - days * DAY;
	d = date_from_days(days);
	it.year = d.y;
	it.month = d.m;
	it.day = d.d;
	it.hour = (int)(s / 3600);
	it.minute = (int)(s / 60 % 60);
	it.second = (int)(s % 60);
	return icaltimezone_get_utc_offset_of_utc_time(z, &it, &dst);
}

/* The first instant t in (lo, hi] whose local time t + offset reaches L;
 * lo is before it and hi at or after it, with one forward change between.
 * zlock is held. */
static int64_t
gap_end(icaltimezone *z, int64_t L, int64_t lo, int64_t hi)
{
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		if (mid + zoff(z, mid) >= L)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/* The instant at which local time L (seconds from 1970-01-01 local) occurs
 * in zone z, resolved as the comment at the top says; day_start asks for
 * the first instant of the day rather than a shifted time. The offsets a
 * day either side bracket any clock change near L (zones change at most
 * once within such a window). zlock is held. */
static int64_t
local_instant(icaltimezone *z, int64_t L, int day_start)
{
	int ob = zoff(z, L - DAY), oa = zoff(z, L + DAY);
	int64_t tb = L - ob, ta = L - oa;
	int okb = zoff(z, tb) == ob, oka = zoff(z, ta) == oa;

	if (okb && oka)
		return tb < ta ? tb : ta;
	if (okb)
		return tb;
	if (oka)
		return ta;
	/* L was skipped: the clocks jumped from L - gap to past L. */
	if (!day_start || ob >= oa)
		return tb;
	return gap_end(z, L, ta, tb);
}

/* Check that zone tz is known (loading it). */
int
date_tz_valid(const char *tz)
{
	if (is_utc(tz))
		return 0;
	if (zone_lock(tz) == NULL)
		return -1;
	zone_unlock();
	return 0;
}

/* Find the UTC offset of zone tz at an instant. */
int
date_tz_offset(int64_t epoch, const char *tz, int *out)
{
	icaltimezone *z;

	if (epoch_ok(epoch) < 0)
		return -1;
	if (is_utc(tz)) {
		*out = 0;
		return 0;
	}
	if ((z = zone_lock(tz)) == NULL)
		return -1;
	*out = zoff(z, epoch);
	zone_unlock();
	return 0;
}

/* Find the civil date in zone tz at an instant. */
int
date_local_ymd(int64_t epoch, const char *tz, struct ymd *out)
{
	int off;

	if (date_tz_offset(epoch, tz, &off) < 0)
		return -1;
	*out = date_from_days(fdiv(epoch + off, DAY));
	return 0;
}

/* Convert local seconds L in tz to an instant (see local_instant). */
static int
local_to_epoch(int64_t L, const char *tz, int day_start, int64_t *out)
{
	icaltimezone *z;

	if (epoch_ok(L) < 0)
		return -1;
	if (is_utc(tz)) {
		*out = L;
		return 0;
	}
	if ((z = zone_lock(tz)) == NULL)
		return -1;
	*out = local_instant(z, L, day_start);
	zone_unlock();
	return 0;
}

/* Find the first instant of civil date d in zone tz. */
int
date_local_midnight(struct ymd d, const char *tz, int64_t *out)
{
	if (!date_valid(d))
		return err_set("%04d-%02d-%02d is not a valid date", d.y, d.m, d.d);
	return local_to_epoch(date_days(d) * DAY, tz, 1, out);
}

/* Convert local wall-clock seconds to an instant; see date.h. */
int
date_local_first(int64_t local, const char *tz, int64_t *out, int *skipped)
{
	int off;

	if (local_to_epoch(local, tz, 1, out) < 0)
		return -1;
	if (skipped != NULL) {
		if (date_tz_offset(*out, tz, &off) < 0)
			return -1;
		*skipped = *out + off != local;
	}
	return 0;
}

/* Take libical's lock for a caller outside this module. */
void
date_ical_lock(void)
{
	pthread_mutex_lock(&zlock);
}

/* Release the lock taken by date_ical_lock(). */
void
date_ical_unlock(void)
{
	pthread_mutex_unlock(&zlock);
}

/* Free libical's zone cache; safe to call more than once, and later calls
 * load zones again. */
void
date_shutdown(void)
{
	pthread_mutex_lock(&zlock);
	last_z = NULL;
	icaltimezone_free_builtin_timezones();
	pthread_mutex_unlock(&zlock);
}

/* ISO 8601 parsing. */

/* What date_parse has read so far. */
struct parsed {
	struct ymd d;
	int hh, mi, ss;
	int timed, has_off, off;
};

/* Read exactly n ASCII digits at *pp into *out. */
static int
digits(const char **pp, int n, int *out)
{
	const char *p = *pp;
	int v = 0;

	for (int i = 0; i < n; i++, p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	*pp = p;
	*out = v;
	return 0;
}

/* Skip character c at *pp if it is there. */
static int
skip(const char **pp, char c)
{
	if (**pp != c)
		return 0;
	(*pp)++;
	return 1;
}

/* Read YYYY-MM-DD and check that the date exists. */
static int
parse_date(const char **pp, const char *s, struct parsed *r)
{
	char q[64];
	struct ymd d;

	if (digits(pp, 4, &d.y) < 0 || !skip(pp, '-') || digits(pp, 2, &d.m) < 0 ||
	    !skip(pp, '-') || digits(pp, 2, &d.d) < 0)
		return err_set("'%s' is not an ISO 8601 date (expected YYYY-MM-DD, "
		               "for example 2024-05-01)",
		               quote(s, q));
	if (d.y < 1)
		return err_set("'%s' is not a valid date (years run from 0001 to "
		               "9999)",
		               quote(s, q));
	if (d.m < 1 || d.m > 12)
		return err_set("'%s' is not a valid date (months run from 01 to 12)", quote(s, q));
	if (d.d < 1 || d.d > date_month_days(d.y, d.m))
		return err_set("'%s' is not a valid date (%s %d has %d days)", quote(s, q),
		               month_names[d.m - 1], d.y, date_month_days(d.y, d.m));
	r->d = d;
	return 0;
}

/* Read HH:MM[:SS[.fraction]]; the fraction is checked and ignored. */
static int
parse_time(const char **pp, const char *s, struct parsed *r)
{
	char q[64];

	if (digits(pp, 2, &r->hh) < 0 || !skip(pp, ':') || digits(pp, 2, &r->mi) < 0)
		goto shape;
	if (skip(pp, ':')) {
		if (digits(pp, 2, &r->ss) < 0)
			goto shape;
		if (skip(pp, '.') || skip(pp, ',')) {
			if (**pp < '0' || **pp > '9')
				goto shape;
			while (**pp >= '0' && **pp <= '9')
				(*pp)++;
		}
	}
	if (r->hh > 23)
		return err_set("'%s' is not a valid time (hours run from 00 to 23)", quote(s, q));
	if (r->mi > 59)
		return err_set("'%s' is not a valid time (minutes run from 00 to 59)", quote(s, q));
	if (r->ss > 59)
		return err_set("'%s' is not a valid time (seconds run from 00 to 59)", quote(s, q));
	r->timed = 1;
	return 0;
shape:
	return err_set("'%s' has a malformed time (expected HH:MM or HH:MM:SS "
	               "after the date, for example 2024-05-01T09:30)",
	               quote(s, q));
}

/* Read an optional offset: Z, +hh:mm, +hhmm or +hh (or '-'). */
static int
parse_offset(const char **pp, const char *s, struct parsed *r)
{
	char q[64];
	int sign, h, m = 0;

	if (skip(pp, 'Z')) {
		r->has_off = 1;
		return 0;
	}
	if (**pp != '+' && **pp != '-')
		return 0;
	sign = *(*pp)++ == '-' ? -1 : 1;
	if (digits(pp, 2, &h) < 0)
		goto shape;
	if (skip(pp, ':')) {
		if (digits(pp, 2, &m) < 0)
			goto shape;
	} else if (**pp >= '0' && **pp <= '9' && digits(pp, 2, &m) < 0) {
		goto shape;
	}
	if (h > 23 || m > 59)
		return err_set("'%s' has an impossible UTC offset (at most 23 hours "
		               "and 59 minutes)",
		               quote(s, q));
	r->has_off = 1;
	r->off = sign * (h * 3600 + m * 60);
	return 0;
shape:
	return err_set("'%s' has a malformed UTC offset (expected Z, +hh:mm, "
	               "+hhmm or +hh)",
	               quote(s, q));
}

/* Parse an ISO 8601 date or date-time; see date.h. */
int
date_parse(const char *s, const char *tz, struct ymd *ymd, int64_t *epoch, int *has_time)
{
	struct parsed r = { { 0, 0, 0 }, 0, 0, 0, 0, 0, 0 };
	const char *p = s;
	char q[64];
	int64_t local, t;

	if (s == NULL || *s == '\0')
		return err_set("the date is empty (expected YYYY-MM-DD, for "
		               "example 2024-05-01)");
	if (parse_date(&p, s, &r) < 0)
		return -1;
	if (skip(&p, 'T') || skip(&p, ' ')) {
		if (parse_time(&p, s, &r) < 0 || parse_offset(&p, s, &r) < 0)
			return -1;
	}
	if (*p != '\0')
		return err_set("'%s' has unexpected text after the %s: '%s'", quote(s, q),
		               r.timed ? "time" : "date", quote(p, (char[64]){ 0 }));
	if (epoch != NULL) {
		local = date_days(r.d) * DAY + (int64_t)r.hh * 3600 + (int64_t)r.mi * 60 + r.ss;
		if (r.has_off)
			t = local - r.off;
		else if (local_to_epoch(local, tz, !r.timed, &t) < 0)
			return -1;
		*epoch = t;
	}
	if (ymd != NULL)
		*ymd = r.d;
	if (has_time != NULL)
		*has_time = r.timed;
	return 0;
}
