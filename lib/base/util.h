/* util.h - allocation that cannot fail, the thread-local error buffer,
 * string buffers and the problem list shared by every module. */
#ifndef ISMS_UTIL_H
#define ISMS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define PRINTF(f, a) __attribute__((format(printf, f, a)))
#define NELEM(a)     (sizeof(a) / sizeof((a)[0]))

/* Allocation failure is fatal in the daemon and in ismsctl. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PRINTF(1, 0);

/* The error of the last failed call on this thread; functions that fail
 * return a negative int and set it. err_msg() is borrowed, valid until the
 * next err_set on the same thread. */
int err_set(const char *fmt, ...) PRINTF(1, 2);
const char *err_msg(void);

/* The length of the UTF-8 sequence at s (n > 0 bytes left), or 0 when it
 * is not a valid one. */
size_t utf8_seq(const unsigned char *s, size_t n);
/* The length of the longest prefix of s[0..n) that is valid UTF-8 (no
 * overlong forms, no surrogates, nothing past U+10FFFF): n when all is. */
size_t utf8_valid(const char *s, size_t n);
/* A copy of s with every byte that is not part of valid UTF-8 replaced by
 * '?': text from outside (a parser's error context, a file name) made
 * fit for JSON, whose encoder refuses invalid UTF-8. */
char *utf8_clean(const char *s);

/* A growable byte buffer; always NUL-terminated. */
struct buf {
	char *data;
	size_t len, cap;
};
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) PRINTF(2, 3);
void buf_free(struct buf *b);
/* Steals the buffer's storage; the caller frees it. */
char *buf_steal(struct buf *b);

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

/* Monotonic clock in milliseconds, for durations. */
double mono_ms(void);

/* Write all n bytes to fd, retrying short writes and EINTR; 0, or -1
 * with errno set. */
int write_all(int fd, const void *p, size_t n);

/* Read a whole file; *out is the caller's (NUL-terminated). */
int read_file(const char *path, size_t max, char **out, size_t *len);

#endif
