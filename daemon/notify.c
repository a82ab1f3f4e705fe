/* notify.c - readiness and status for systemd through libsystemd. */
#include "notify.h"

#include <stdarg.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "log.h"

/* Send one state string. A failure is only a debug line: the daemon
 * works the same without a service manager. */
static void
send_state(const char *state)
{
	int rc = sd_notify(0, state);
	if (rc < 0)
		log_debug("sd_notify: cannot send '%s' (error %d)", state, -rc);
}

static void
send_with_status(const char *head, const char *fmt, va_list ap)
{
	char status[512], msg[600];
	vsnprintf(status, sizeof(status), fmt, ap);
	for (char *p = status; *p; p++)
		if (*p == '\n')
			*p = ' ';
	snprintf(msg, sizeof(msg), "%sSTATUS=%s", head, status);
	send_state(msg);
}

void
notify_ready(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	send_with_status("READY=1\n", fmt, ap);
	va_end(ap);
}

void
notify_status(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	send_with_status("", fmt, ap);
	va_end(ap);
}

void
notify_reloading(void)
{
	struct timespec ts;
	char msg[128];
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=%llu",
	         (unsigned long long)ts.tv_sec * 1000000ULL +
	                 (unsigned long long)ts.tv_nsec / 1000);
	send_state(msg);
}

void
notify_stopping(void)
{
	send_state("STOPPING=1\nSTATUS=stopping");
}
