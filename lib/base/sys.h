/* sys.h - system calls made whole: a file read at once, a write that
 * finishes, the monotonic clock. */
#ifndef ISMS_SYS_H
#define ISMS_SYS_H

#include <stddef.h>

/* Monotonic clock in milliseconds, for durations. */
double mono_ms(void);

/* Write all n bytes to fd, retrying short writes and EINTR; 0, or -1
 * with errno set. */
int write_all(int fd, const void *p, size_t n);

/* Read a whole file of at most max bytes; *out is the caller's
 * (NUL-terminated). 0, or -1 with err_msg() set. */
int read_file(const char *path, size_t max, char **out, size_t *len);

#endif
