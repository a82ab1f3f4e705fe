/* buf.h - a growable byte buffer, always NUL-terminated. */
#ifndef ISMS_BUF_H
#define ISMS_BUF_H

#include <stddef.h>

#include "cdefs.h"

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

#endif
