/* cron.c - our five-field cron parser and the next fire time of an
 * expression in a time zone.
 *
 * Fields become bit sets. The next fire time is found on the local wall
 * clock: the first matching local minute after the local time of the
 * starting instant, turned into an instant by date_local_first(), which
 * moves a time skipped by a clock change to the end of the gap and takes
 * the first of two occurrences. Since that mapping never goes backwards,
 * a candidate whose instant is not after the start (a time in a gap that
 * has already fired, or the second pass through a repeated hour) is
 * skipped and the search goes on from the next minute. */
#include "cron.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "cdefs.h"
#include "err.h"

#define DAY          86400
#define SEARCH_YEARS 10 /* 29 February can be 8 years away (2096 -> 2104) */

struct field {
	const char *name;
	int lo, hi;
	const char *const *names; /* index 0 is value lo */
};

static const char *const month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", NULL,
};
static const char *const day_names[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL,
};

static const struct field fields[5] = {
	{ "minute", 0, 59, NULL },          { "hour", 0, 23, NULL },
	{ "day-of-month", 1, 31, NULL },    { "month", 1, 12, month_names },
	{ "day-of-week", 0, 7, day_names },
};

static const struct {
	const char *name, *expr;
} shorthands[] = {
	{ "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" }, { "@monthly", "0 0 1 * *" },
	{ "@weekly", "0 0 * * 0" }, { "@daily", "0 0 * * *" },    { "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" },
};

/* Divide rounding towards minus infinity. */
static int64_t
fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if (a % b != 0 && (a < 0) != (b < 0))
		q--;
	return q;
}

/* Read a number or a name of field f at *pp into *out. */
static int
value(const char **pp, const struct field *f, const char *item, int *out)
{
	const char *p = *pp;
	int v = 0, n = 0;

	if (isdigit((unsigned char)*p)) {
		while (isdigit((unsigned char)*p) && n < 4)
			v = v * 10 + (*p++ - '0'), n++;
		if (isdigit((unsigned char)*p) || v < f->lo || v > f->hi)
			return err_set("%s field: '%s' is outside %d-%d", f->name, item, f->lo,
			               f->hi);
		*pp = p;
		*out = v;
		return 0;
	}
	for (int i = 0; f->names && f->names[i]; i++) {
		if (strncasecmp(p, f->names[i], 3) == 0 && !isalpha((unsigned char)p[3])) {
			*pp = p + 3;
			*out = f->lo + i;
			return 0;
		}
	}
	if (f->names)
		return err_set("%s field: '%s' is not a number or a %s name (%s)", f->name, item,
		               f == &fields[3] ? "month" : "day",
		               f == &fields[3] ? "jan to dec" : "sun to sat");
	return err_set("%s field: '%s' is not a number from %d to %d", f->name, item, f->lo, f->hi);
}

/* Parse one list item (a, a-b, *, each with an optional /step) of field
 * f into *bits. */
static int
item(const char *s, const struct field *f, uint64_t *bits)
{
	const char *p = s;
	int a = f->lo, b = f->hi, step = 1, star = 0, range = 0;

	if (*p == '*') {
		p++;
		star = 1;
	} else {
		if (value(&p, f, s, &a) < 0)
			return -1;
		b = a;
		if (*p == '-') {
			p++;
			range = 1;
			if (value(&p, f, s, &b) < 0)
				return -1;
			if (b < a)
				return err_set("%s field: range '%s' runs backwards (write "
				               "the smaller value first)",
				               f->name, s);
		}
	}
	if (*p == '/') {
		const char *q = ++p;
		step = 0;
		while (isdigit((unsigned char)*p) && p - q < 4)
			step = step * 10 + (*p++ - '0');
		if (p == q || isdigit((unsigned char)*p) || step < 1 || step > f->hi - f->lo + 1)
			return err_set("%s field: step in '%s' must be a number from 1 to %d",
			               f->name, s, f->hi - f->lo + 1);
		if (!star && !range)
			b = f->hi; /* a/n: from a to the end of the field */
	}
	if (*p != '\0')
		return err_set("%s field: '%s' is not a value, a range or a step", f->name, s);
	for (int v = a; v <= b; v += step)
		*bits |= (uint64_t)1 << v;
	return 0;
}

/* Parse field number i (text s, len n) into *bits. */
static int
field(const char *s, size_t n, int i, uint64_t *bits)
{
	const struct field *f = &fields[i];
	char buf[CRON_MAX_LEN + 1];
	char *save = NULL, *tok;

	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[0] == ',' || buf[n - 1] == ',' || strstr(buf, ",,") != NULL)
		return err_set("%s field: '%s' has an empty list item", f->name, buf);
	*bits = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (item(tok, f, bits) < 0)
			return -1;
	return 0;
}

/* Whether some selected day of month exists in some selected month
 * (29 February counts: it comes every few years). */
static int
satisfiable(const struct cron *c)
{
	for (int m = 1; m <= 12; m++) {
		if (!(c->month >> m & 1))
			continue;
		int last = m == 2 ? 29 : date_month_days(2001, m);
		for (int d = 1; d <= last; d++)
			if (c->mday >> d & 1)
				return 1;
	}
	return 0;
}

/* Split the five fields of s and parse each into c. */
static int
fields_parse(const char *s, struct cron *c)
{
	const char *start[5];
	size_t len[5];
	uint64_t bits[5];
	int n = 0;

	for (const char *p = s; *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (n == 5)
			return err_set("has more than 5 fields (minute hour day-of-month month "
			               "day-of-week)");
		start[n] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		len[n] = (size_t)(p - start[n]);
		n++;
	}
	if (n < 5)
		return err_set("has %d field%s, not 5 (minute hour day-of-month month "
		               "day-of-week)",
		               n, n == 1 ? "" : "s");
	for (int i = 0; i < 5; i++)
		if (field(start[i], len[i], i, &bits[i]) < 0)
			return -1;
	c->minute = bits[0];
	c->hour = (uint32_t)bits[1];
	c->mday = (uint32_t)bits[2];
	c->month = (uint32_t)bits[3];
	c->wday = (uint32_t)(bits[4] & 0x7f) | (uint32_t)(bits[4] >> 7 & 1); /* 7 is Sunday */
	c->mday_star = start[2][0] == '*';
	c->wday_star = start[4][0] == '*';
	return 0;
}

/* Parse a cron expression; see cron.h. */
int
cron_parse(const char *expr, struct cron *out)
{
	struct cron c;
	char q[CRON_MAX_LEN + 1];
	const char *s = expr;
	size_t n;

	if (expr == NULL || (n = strlen(expr)) == 0)
		return err_set("the cron expression is empty (expected 5 fields such as "
		               "'0 9 * * mon', or @daily)");
	if (n > CRON_MAX_LEN)
		return err_set("the cron expression is longer than %d characters", CRON_MAX_LEN);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)expr[i] < 0x20 && expr[i] != '\t')
			return err_set("the cron expression contains a control character");
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '@') {
		size_t k;
		for (k = 0; k < NELEM(shorthands); k++) {
			size_t l = strlen(shorthands[k].name);
			if (strncasecmp(s, shorthands[k].name, l) == 0 &&
			    strspn(s + l, " \t") == strlen(s + l))
				break;
		}
		if (k == NELEM(shorthands))
			return err_set("cron expression '%s': unknown shorthand (use @yearly, "
			               "@annually, @monthly, @weekly, @daily, @midnight or "
			               "@hourly)",
			               expr);
		s = shorthands[k].expr;
	}
	memset(&c, 0, sizeof(c));
	if (fields_parse(s, &c) < 0) {
		snprintf(q, sizeof(q), "%s", err_msg());
		return err_set("cron expression '%s': %s", expr, q);
	}
	if ((c.mday_star || c.wday_star) && !satisfiable(&c))
		return err_set("cron expression '%s' never fires: no selected month has "
		               "the selected day of month",
		               expr);
	*out = c;
	return 0;
}

/* Whether civil day d (days since 1970-01-01) is selected. */
static int
day_ok(const struct cron *c, struct ymd d, int64_t days)
{
	int w = (int)(days - fdiv(days + 4, 7) * 7 + 4); /* 1970-01-01 was a Thursday */
	int dm = c->mday >> d.d & 1, dw = c->wday >> w & 1;

	if (!(c->month >> d.m & 1))
		return 0;
	if (!c->mday_star && !c->wday_star)
		return dm || dw;
	return dm && dw;
}

/* The first selected local minute at or after local seconds `from`
 * (a multiple of 60) into *out; -1 when none within SEARCH_YEARS. */
static int
next_local(const struct cron *c, int64_t from, int64_t *out)
{
	int64_t days = fdiv(from, DAY);
	int h = (int)((from - days * DAY) / 3600), mi = (int)((from - days * DAY) / 60 % 60);
	struct ymd d = date_from_days(days);
	int limit = d.y + SEARCH_YEARS;

	while (d.y <= limit && d.y <= 9999) {
		if (!(c->month >> d.m & 1)) {
			d = (struct ymd){ d.m == 12 ? d.y + 1 : d.y, d.m == 12 ? 1 : d.m + 1, 1 };
			days = date_days(d);
			h = mi = 0;
			continue;
		}
		if (day_ok(c, d, days)) {
			for (; h < 24; h++, mi = 0) {
				if (!(c->hour >> h & 1))
					continue;
				for (; mi < 60; mi++)
					if (c->minute >> mi & 1) {
						*out = days * DAY + (int64_t)h * 3600 +
						       (int64_t)mi * 60;
						return 0;
					}
			}
		}
		d = date_from_days(++days);
		h = mi = 0;
	}
	return -1;
}

/* Find the next fire time after an instant; see cron.h. */
int
cron_next(const struct cron *c, int64_t after, const char *tz, int64_t *out)
{
	int64_t local, m, t;
	int off;

	if (date_tz_offset(after, tz, &off) < 0)
		return -1;
	local = after + off;
	m = fdiv(local, 60) * 60 + 60;
	for (;;) {
		if (next_local(c, m, &m) < 0)
			return err_set("the cron expression has no fire time within %d years",
			               SEARCH_YEARS);
		if (date_local_first(m, tz, &t, NULL) < 0)
			return -1;
		if (t > after) {
			*out = t;
			return 0;
		}
		m += 60;
	}
}
