/* err.h - the thread-local message of the last failed call. */
#ifndef ISMS_ERR_H
#define ISMS_ERR_H

#include "cdefs.h"

/* The error of the last failed call on this thread; functions that fail
 * return a negative int and set it. err_set returns -1 so that a failing
 * path can `return err_set(...)`. err_msg() is borrowed, valid until the
 * next err_set on the same thread. */
int err_set(const char *fmt, ...) PRINTF(1, 2);
const char *err_msg(void);

#endif
