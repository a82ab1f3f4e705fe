/* log.h - logging to stderr or syslog, with levels. */
#ifndef ISMS_LOG_H
#define ISMS_LOG_H

#include "cdefs.h"

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(const char *progname, enum log_level level, int use_syslog);
void log_set_level(enum log_level level);
int log_level_parse(const char *s, enum log_level *out);
void log_warn(const char *fmt, ...) PRINTF(1, 2); /* adds strerror(errno) */
void log_warnx(const char *fmt, ...) PRINTF(1, 2);
void log_info(const char *fmt, ...) PRINTF(1, 2);
void log_debug(const char *fmt, ...) PRINTF(1, 2);
_Noreturn void fatal(const char *fmt, ...) PRINTF(1, 2) __attribute__((noreturn));
_Noreturn void fatalx(const char *fmt, ...) PRINTF(1, 2) __attribute__((noreturn));

#endif
