/* log.c - logging to stderr or syslog, with levels. */
#include "log.h"
#include "escape.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "err.h"

static const char *prog = "ismsd";
static enum log_level maxlevel = LOG_LVL_INFO;
static int tosyslog;

void
log_init(const char *progname, enum log_level level, int use_syslog)
{
	prog = progname;
	maxlevel = level;
	tosyslog = use_syslog;
	if (tosyslog)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum log_level level)
{
	maxlevel = level;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	for (size_t i = 0; i < NELEM(names); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return err_set("unknown log level '%s' (use error, warning, info or debug)", s);
}

static void
vlog(enum log_level level, const char *errstr, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	if (level > maxlevel)
		return;
	char msg[2048];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* A file name or a record value in a message must not start a line of
	 * its own in the log or in syslog (escape.h). */
	escape_inplace(msg, sizeof(msg));
	if (tosyslog) {
		if (errstr)
			syslog(prio[level], "%s: %s", msg, errstr);
		else
			syslog(prio[level], "%s", msg);
		return;
	}
	if (errstr)
		fprintf(stderr, "%s: %s: %s\n", prog, msg, errstr);
	else
		fprintf(stderr, "%s: %s\n", prog, msg);
}

#define LOGFN(name, level, witherr)                                                                \
	void name(const char *fmt, ...)                                                            \
	{                                                                                          \
		const char *e = (witherr) ? strerror(errno) : NULL;                                \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		vlog(level, e, fmt, ap);                                                           \
		va_end(ap);                                                                        \
	}

LOGFN(log_warn, LOG_LVL_WARN, 1)
LOGFN(log_warnx, LOG_LVL_WARN, 0)
LOGFN(log_info, LOG_LVL_INFO, 0)
LOGFN(log_debug, LOG_LVL_DEBUG, 0)

void
fatal(const char *fmt, ...)
{
	const char *e = strerror(errno);
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, e, fmt, ap);
	va_end(ap);
	exit(2);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, NULL, fmt, ap);
	va_end(ap);
	exit(2);
}
