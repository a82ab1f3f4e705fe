/* thread.c - starting and joining threads (thread.h). */
#include "thread.h"

#include <stdio.h>
#include <string.h>

#include "err.h"

int
thread_start(pthread_t *t, const char *name, void *(*fn)(void *), void *arg)
{
	int e = pthread_create(t, NULL, fn, arg);
	if (e != 0)
		return err_set("cannot start the %s thread: %s", name, strerror(e));
	char shortname[16];
	snprintf(shortname, sizeof shortname, "%s", name);
	pthread_setname_np(*t, shortname);
	return 0;
}

void
side_start(struct side *s, int want, const char *name, void *(*fn)(void *), void *arg)
{
	s->started = want && thread_start(&s->t, name, fn, arg) == 0;
}

int
side_started(const struct side *s)
{
	return s->started;
}

void
side_join(struct side *s)
{
	if (s->started)
		pthread_join(s->t, NULL);
	s->started = 0;
}
