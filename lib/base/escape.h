/* escape.h - the one escaping rule for text printed for people (text
 * reports, TAP, Markdown, iCalendar summaries, log and syslog lines):
 * repository content never forges structure. Control characters (C0,
 * DEL, C1), the Unicode line and paragraph separators and bytes that are
 * not UTF-8 are written as visible escapes (\n, \r, \t, \e for ESC,
 * \xHH, \u0085, \u2028); everything else, backslash included, is kept.
 * JSON output needs none of this: its encoder escapes. Any thread. */
#ifndef ISMS_ESCAPE_H
#define ISMS_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

struct buf;

/* Append s escaped to b (NULL s: nothing). */
void escape_buf(struct buf *b, const char *s);
/* A copy of s escaped. The caller's to free; NULL for NULL. */
char *escape_dup(const char *s);
/* s escaped, in one of a small ring of per-thread buffers: valid until
 * ESCAPE_RING further calls on the same thread. For fprintf arguments.
 * NULL stays NULL. */
const char *esc(const char *s);
#define ESCAPE_RING 16
/* Whether s needs escaping at all. */
int escape_needed(const char *s);
/* Escape s in place, within its own size (for fixed buffers such as a
 * log line): what does not fit is cut at a character boundary. */
void escape_inplace(char *s, size_t size);

#endif
