/* cron_fuzz.c - a libFuzzer target for cron expressions (isms.yaml
 * reminder schedules). `make fuzz` builds and runs it.
 *
 * The first input byte picks a time zone (with daylight saving, with a
 * half-hour shift, with none); the rest is the expression. A parsed
 * expression must give a fire time after the instant asked, and a later
 * one after that, or say why not; a refused one must say why. Neither may
 * crash, hang or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cron.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const zones[] = { "", "Europe/Berlin", "America/New_York",
		                             "Australia/Lord_Howe", "Asia/Kolkata" };
	/* 2026-03-29T00:30:00Z: an hour before Berlin's clocks go forward. */
	const int64_t after = 1774744200;
	struct cron c;
	int64_t t1, t2;

	if (size < 1 || size > CRON_MAX_LEN + 16)
		return 0;
	char *expr = xstrndup((const char *)data + 1, size - 1);
	const char *tz = zones[data[0] % NELEM(zones)];
	if (cron_parse(expr, &c) < 0) {
		if (err_msg()[0] == '\0')
			abort();
	} else if (cron_next(&c, after, tz, &t1) == 0) {
		if (t1 <= after)
			abort();
		if (cron_next(&c, t1, tz, &t2) == 0 && t2 <= t1)
			abort();
	} else if (err_msg()[0] == '\0') {
		abort();
	}
	free(expr);
	return 0;
}
