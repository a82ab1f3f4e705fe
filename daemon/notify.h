/* notify.h - tell the service manager how the daemon stands (systemd's
 * sd_notify protocol): ready, reloading, stopping and a status line for
 * `systemctl status`. Every call is a no-op when NOTIFY_SOCKET is unset,
 * as it is outside a Type=notify unit. Called on the loop thread. */
#ifndef ISMS_NOTIFY_H
#define ISMS_NOTIFY_H

/* READY=1 with a STATUS= line made from fmt. */
void notify_ready(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* RELOADING=1 (with the MONOTONIC_USEC= that Type=notify-reload wants). */
void notify_reloading(void);
/* STOPPING=1. */
void notify_stopping(void);
/* STATUS= alone. */
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
