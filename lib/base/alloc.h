/* alloc.h - allocation that cannot fail: out of memory is fatal, so
 * callers never test for NULL. */
#ifndef ISMS_ALLOC_H
#define ISMS_ALLOC_H

#include <stdarg.h>
#include <stddef.h>

#include "cdefs.h"

/* Allocation failure is fatal in the daemon and in ismsctl; every result
 * is the caller's to free. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PRINTF(1, 0);

#endif
