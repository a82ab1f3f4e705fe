/* problems.c - the problems found while loading a repository. */
#include "problems.h"

#include <stdarg.h>
#include <stdlib.h>

#include "alloc.h"

void
problems_add(struct problems *p, const char *path, int line, const char *fmt, ...)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = xreallocarray(p->v, p->cap, sizeof(*p->v));
	}
	va_list ap;
	va_start(ap, fmt);
	p->v[p->n].msg = xvasprintf(fmt, ap);
	va_end(ap);
	p->v[p->n].path = path ? xstrdup(path) : NULL;
	p->v[p->n].line = line;
	p->v[p->n].note = 0;
	p->n++;
}

void
problems_free(struct problems *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].path);
		free(p->v[i].msg);
	}
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}
