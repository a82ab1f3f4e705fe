/* cron.c - tests for cron expressions and their next fire times.
 *
 * Expected instants were worked out by hand. Clock changes used (tzdata):
 *   Europe/Berlin     2026-03-29 02:00 CET -> 03:00 CEST (01:00 UTC)
 *                     2026-10-25 03:00 CEST -> 02:00 CET (01:00 UTC)
 *   America/New_York  2026-03-08 02:00 EST -> 03:00 EDT (07:00 UTC)
 *                     2026-11-01 02:00 EDT -> 01:00 EST (06:00 UTC)
 *   America/Havana    2026-03-08 00:00 CST -> 01:00 CDT (05:00 UTC)
 * 2026-01-01 is a Thursday; 2100 is not a leap year. */
#include <stdint.h>
#include <string.h>

#include "cron.h"
#include "date.h"
#include "tap.h"
#include "err.h"

/* A UTC instant. */
static int64_t
utc(int y, int m, int d, int h, int mi)
{
	return date_days((struct ymd){ y, m, d }) * 86400 + h * 3600 + mi * 60;
}

/* Check the next fire time of expr after `after` in tz. */
static void
next_is(const char *expr, const char *tz, int64_t after, int64_t want, const char *what)
{
	struct cron c;
	int64_t got = -1;
	char g[21], w[21];

	if (cron_parse(expr, &c) < 0 || cron_next(&c, after, tz, &got) < 0) {
		ok(0, "%s: %s", what, err_msg());
		return;
	}
	date_format_utc(got, g);
	date_format_utc(want, w);
	is_str(g, w, "%s ('%s' in %s)", what, expr, tz ? tz : "UTC");
}

/* Check that expr is refused with a message containing msg. */
static void
bad(const char *expr, const char *msg)
{
	struct cron c;
	char q[48] = "";
	int rc = cron_parse(expr, &c);

	for (size_t i = 0; expr && expr[i] && i + 1 < sizeof(q); i++)
		q[i] = (unsigned char)expr[i] < 0x20 ? '?' : expr[i], q[i + 1] = '\0';
	ok(rc < 0, "'%s' is refused", q);
	like(rc < 0 ? err_msg() : "", msg, "  ... saying '%s'", msg);
}

static void
test_fields(void)
{
	next_is("0 9 * * mon-fri", NULL, utc(2026, 3, 7, 10, 0), utc(2026, 3, 9, 9, 0),
	        "weekday range skips the weekend");
	next_is("5,10-20/5 */6 * * *", NULL, utc(2026, 1, 1, 0, 7), utc(2026, 1, 1, 0, 10),
	        "list with a stepped range");
	next_is("5,10-20/5 */6 * * *", NULL, utc(2026, 1, 1, 0, 20), utc(2026, 1, 1, 6, 5),
	        "stepped hours");
	next_is("0 0 1 jan,JUL *", NULL, utc(2026, 1, 1, 0, 0), utc(2026, 7, 1, 0, 0),
	        "month names in any case, strictly after");
	next_is("0 0 * * 7", NULL, utc(2026, 3, 4, 0, 0), utc(2026, 3, 8, 0, 0), "7 is Sunday");
	next_is("0 0 * * sun", NULL, utc(2026, 3, 4, 0, 0), utc(2026, 3, 8, 0, 0), "sun");
	next_is("30 4/6 * * *", NULL, utc(2026, 1, 1, 5, 0), utc(2026, 1, 1, 10, 30),
	        "a/n runs from a to the end");
	next_is("  15   10  *  *  *  ", NULL, utc(2026, 1, 1, 10, 15), utc(2026, 1, 2, 10, 15),
	        "extra blanks and the exact minute itself is not 'after'");
	next_is("* * * * *", NULL, utc(2026, 1, 1, 10, 15) + 59, utc(2026, 1, 1, 10, 16),
	        "every minute from the middle of a minute");
	next_is("0 0 1-7 * mon", NULL, utc(2026, 3, 3, 0, 0), utc(2026, 3, 4, 0, 0),
	        "both days restricted: either matches (Vixie)");
	next_is("0 0 */2 * mon", NULL, utc(2026, 3, 1, 0, 0), utc(2026, 3, 9, 0, 0),
	        "day-of-month starting with '*': both must match (odd day and Monday)");
	next_is("0 0 */2 * mon", NULL, utc(2026, 3, 9, 0, 0), utc(2026, 3, 23, 0, 0),
	        "  ... the next odd Monday");
}

static void
test_shorthands(void)
{
	next_is("@yearly", NULL, utc(2026, 5, 1, 0, 0), utc(2027, 1, 1, 0, 0), "@yearly");
	next_is("@annually", NULL, utc(2026, 5, 1, 0, 0), utc(2027, 1, 1, 0, 0), "@annually");
	next_is("@monthly", NULL, utc(2026, 1, 31, 0, 0), utc(2026, 2, 1, 0, 0), "@monthly");
	next_is("@weekly", NULL, utc(2026, 3, 4, 12, 0), utc(2026, 3, 8, 0, 0),
	        "@weekly is Sunday midnight");
	next_is("@daily", NULL, utc(2026, 12, 31, 23, 59), utc(2027, 1, 1, 0, 0), "@daily");
	next_is("@hourly", NULL, utc(2026, 1, 1, 10, 0), utc(2026, 1, 1, 11, 0), "@hourly");
	next_is("@DAILY", NULL, utc(2026, 1, 1, 10, 0), utc(2026, 1, 2, 0, 0), "any case");
}

static void
test_calendar_edges(void)
{
	next_is("0 0 29 2 *", NULL, utc(2026, 1, 1, 0, 0), utc(2028, 2, 29, 0, 0),
	        "29 February: the next leap year");
	next_is("0 0 29 2 *", NULL, utc(2096, 3, 1, 0, 0), utc(2104, 2, 29, 0, 0),
	        "29 February: 2100 is not a leap year");
	next_is("0 12 31 * *", NULL, utc(2026, 4, 1, 0, 0), utc(2026, 5, 31, 12, 0),
	        "31st: April is skipped");
	next_is("0 12 31 * *", NULL, utc(2026, 1, 31, 13, 0), utc(2026, 3, 31, 12, 0),
	        "31st: February is skipped");
	next_is("0 0 13 * fri", NULL, utc(2026, 2, 1, 0, 0), utc(2026, 2, 6, 0, 0),
	        "Friday or the 13th: Friday the 6th");
	next_is("0 0 13 * fri", NULL, utc(2026, 2, 6, 0, 0), utc(2026, 2, 13, 0, 0),
	        "  ... then Friday the 13th");
	next_is("59 23 31 12 *", NULL, utc(2026, 12, 31, 23, 59), utc(2027, 12, 31, 23, 59),
	        "last minute of the year");
}

static void
test_dst(void)
{
	const char *be = "Europe/Berlin", *ny = "America/New_York";

	next_is("30 2 * * *", be, utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 1, 0),
	        "Berlin gap: 02:30 fires at 03:00 CEST");
	next_is("30 2 * * *", be, utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30),
	        "  ... once, then 02:30 CEST next day");
	next_is("*/15 2 * * *", be, utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 1, 0),
	        "Berlin gap: four times in the gap fire once");
	next_is("*/15 2 * * *", be, utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 0),
	        "  ... and not again");
	next_is("30 3 * * *", be, utc(2026, 3, 29, 0, 59), utc(2026, 3, 29, 1, 30),
	        "Berlin: 03:30 on the day of the gap is 01:30 UTC");
	next_is("30 2 * * *", be, utc(2026, 10, 24, 12, 0), utc(2026, 10, 25, 0, 30),
	        "Berlin overlap: first 02:30 (CEST)");
	next_is("30 2 * * *", be, utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30),
	        "  ... not the second 02:30 (CET)");
	next_is("0 * * * *", be, utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 2, 0),
	        "Berlin overlap: hourly skips the repeated 02:00");
	next_is("0 9 * * *", be, utc(2026, 3, 28, 9, 0), utc(2026, 3, 29, 7, 0),
	        "Berlin 09:00 after the change is 07:00 UTC");
	next_is("30 2 * * *", ny, utc(2026, 3, 7, 12, 0), utc(2026, 3, 8, 7, 0),
	        "New York gap: 02:30 fires at 03:00 EDT");
	next_is("30 1 * * *", ny, utc(2026, 10, 31, 12, 0), utc(2026, 11, 1, 5, 30),
	        "New York overlap: first 01:30 (EDT)");
	next_is("30 1 * * *", ny, utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30),
	        "  ... then 01:30 EST the next day");
	next_is("30 1 * * *", ny, utc(2026, 11, 1, 6, 10), utc(2026, 11, 2, 6, 30),
	        "New York: from inside the repeated hour, the repeat does not fire");
	next_is("@daily", "America/Havana", utc(2026, 3, 7, 12, 0), utc(2026, 3, 8, 5, 0),
	        "Havana: skipped midnight fires at 01:00 CDT");
}

static void
test_invalid(void)
{
	char big[400];
	struct cron c;
	int64_t t;

	bad("", "empty");
	bad(NULL, "empty");
	bad("* * * *", "has 4 fields, not 5");
	bad("* * * * * *", "more than 5 fields");
	bad("60 * * * *", "minute field: '60' is outside 0-59");
	bad("* 24 * * *", "hour field: '24' is outside 0-23");
	bad("* * 0 * *", "day-of-month field: '0' is outside 1-31");
	bad("* * 32 * *", "outside 1-31");
	bad("* * * 13 *", "month field: '13' is outside 1-12");
	bad("* * * * 8", "day-of-week field: '8' is outside 0-7");
	bad("*/0 * * * *", "step in '*/0' must be a number from 1 to 60");
	bad("*/61 * * * *", "must be a number from 1 to 60");
	bad("*/ * * * *", "step");
	bad("5-1 * * * *", "runs backwards");
	bad("a * * * *", "minute field: 'a' is not a number from 0 to 59");
	bad("* * * foo *", "not a number or a month name");
	bad("* * * * monday", "not a number or a day name");
	bad("* * * * mon-", "day-of-week field");
	bad("1,,2 * * * *", "empty list item");
	bad("1, * * * *", "empty list item");
	bad("0 0 30 2 *", "never fires");
	bad("0 0 31 4,6,9,11 *", "never fires");
	bad("@reboot", "unknown shorthand");
	bad("@daily 5", "unknown shorthand");
	bad("1-2-3 * * * *", "not a value, a range or a step");
	bad("99999999999999999999 * * * *", "outside 0-59");
	bad("0 0\n* * *", "control character");
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	bad(big, "longer than 256");
	ok(cron_parse("0 0 30 2 mon", &c) == 0, "30 February or Monday is accepted (Vixie: either)");
	ok(cron_parse("0 0 * * *", &c) == 0 && cron_next(&c, 0, "Mars/Olympus", &t) < 0,
	   "an unknown zone is an error");
	like(err_msg(), "unknown time zone", "  ... saying so");
	ok(cron_parse("0 0 31 12 *", &c) == 0 && cron_next(&c, utc(9999, 12, 31, 12, 0), NULL, &t) < 0,
	   "no fire time before the year 9999 is an error, not a loop");
}

int
main(void)
{
	test_fields();
	test_shorthands();
	test_calendar_edges();
	test_dst();
	test_invalid();
	date_shutdown();
	return done_testing();
}
