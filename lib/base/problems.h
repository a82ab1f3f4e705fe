/* problems.h - the problems found while loading a repository. */
#ifndef ISMS_PROBLEMS_H
#define ISMS_PROBLEMS_H

#include <stddef.h>

#include "cdefs.h"

/* Problems found while loading a repository (unparseable record, missing
 * field, file over the size cap): each names the file and line, and the
 * engine turns them into findings of the record-validity rule. */
struct problem {
	char *path; /* repository-relative, or NULL for the repository */
	int line;   /* 1-based, 0 when the whole file is meant */
	char *msg;
	int note; /* 1: an observation (file of no known type), not an error */
};
struct problems {
	struct problem *v;
	size_t n, cap;
};
void problems_add(struct problems *p, const char *path, int line, const char *fmt, ...)
        PRINTF(4, 5);
void problems_free(struct problems *p);

#endif
