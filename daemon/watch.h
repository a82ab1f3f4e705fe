/* watch.h - change detection for one served repository: inotify on a
 * local repository's refs (HEAD, packed-refs and every directory under
 * refs/), and polling every poll_interval (local) or fetch_interval
 * (remote), or every WATCH_FALLBACK_POLL seconds when inotify cannot
 * watch or starts to miss changes. A push that writes several refs gives
 * one call. Loop thread only. */
#ifndef ISMS_WATCH_H
#define ISMS_WATCH_H

#include <event2/event.h>

#include "config.h"

/* Seconds between ref checks when inotify cannot watch a repository. */
#define WATCH_FALLBACK_POLL 5

struct watch;

/* Start noticing changes of the repository rc (borrowed; its name, path,
 * url and intervals are read now). changed(arg, fetch) is called when it
 * may have changed; fetch is set when a poll of a remote asks for a
 * fetch. Problems are logged, never fatal. The caller's (watch_free). */
struct watch *watch_start(struct event_base *base, const struct repo_conf *rc,
                          void (*changed)(void *arg, int fetch), void *arg);
/* Stop watching and polling. NULL is a no-op. */
void watch_free(struct watch *w);

#endif
