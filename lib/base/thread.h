/* thread.h - the one way work goes to another thread in ismsd: a
 * long-lived thread with a name (the evaluator, a plugin's queue, the
 * scheduler's loader), or one piece of work run beside the caller's own
 * and joined when the caller is done (parsing, history walk, rules). */
#ifndef ISMS_THREAD_H
#define ISMS_THREAD_H

#include <pthread.h>

/* Start fn(arg) on a new thread named name (at most 15 bytes show in ps
 * and gdb). 0, or -1 with the error set; *t is joinable on success. */
int thread_start(pthread_t *t, const char *name, void *(*fn)(void *), void *arg);

/* Work beside the caller's own. side_start runs fn(arg) on a second thread
 * when want is true and a thread can be had; side_join waits for it.
 * side_started() says whether it went to a thread: when it did not,
 * nothing ran, and the caller decides (run it inline, or keep it). */
struct side {
	pthread_t t;
	int started;
};
void side_start(struct side *s, int want, const char *name, void *(*fn)(void *), void *arg);
int side_started(const struct side *s);
void side_join(struct side *s);

#endif
