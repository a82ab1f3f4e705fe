/* err.c - the thread-local message of the last failed call. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char errbuf[1024];

int
err_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return -1;
}

const char *
err_msg(void)
{
	return errbuf[0] ? errbuf : "unknown error";
}
