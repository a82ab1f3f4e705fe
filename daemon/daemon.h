/* daemon.h - the daemon as one object: configuration, journal and bus,
 * the repositories it serves, the evaluation thread and the socket, tied
 * together on one libevent loop. ismsd.c is its command line. */
#ifndef ISMS_DAEMON_H
#define ISMS_DAEMON_H

#include <event2/event.h>
#include <stdint.h>

#include "config.h"

struct daemon;

/* Start serving cfg (stolen: the daemon owns it from now on, also on
 * failure) on base's loop thread. offset shifts the clock; with frozen
 * the clock stands still there and moves only by the socket method
 * `clock` (a testing aid). *out is the caller's (daemon_stop), also on
 * failure. Returns 0, or -1 with err_msg(). */
int daemon_start(struct daemon **out, struct event_base *base, struct config *cfg, int64_t offset,
                 int frozen);
/* Close clients, stop the evaluation thread, free everything and d. */
void daemon_stop(struct daemon *d);
/* Re-read the configuration file and the rule packs (SIGHUP): serve the
 * repositories added to the file, stop serving the removed ones, apply a
 * changed path, url, ref, rules or interval. A broken file or pack keeps
 * the old one running, reported in status and the log. */
void daemon_reload(struct daemon *d);
/* ismsd -t: check cfg and every repository's rule packs; print problems
 * as file:line to stderr. Returns 0 when all is well. */
int daemon_check(const struct config *cfg);

#endif
