/* escape.c - one escaping rule for everything printed for people; see
 * escape.h. */
#include "escape.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "utf8.h"

/* The escape for the character at s (n bytes left), or NULL when it is
 * printed as it is; *len is its length in bytes. */
static const char *
escape_of(const unsigned char *s, size_t n, size_t *len, char tmp[8])
{
	size_t l = utf8_seq(s, n);
	*len = l ? l : 1;
	if (l == 0) {
		snprintf(tmp, 8, "\\x%02X", s[0]);
		return tmp;
	}
	if (l == 1) {
		switch (s[0]) {
		case '\n': return "\\n";
		case '\r': return "\\r";
		case '\t': return "\\t";
		case 0x1b: return "\\e";
		default: break;
		}
		if (s[0] < 0x20 || s[0] == 0x7f) {
			snprintf(tmp, 8, "\\x%02X", s[0]);
			return tmp;
		}
		return NULL;
	}
	if (l == 2 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
		snprintf(tmp, 8, "\\u%04X", s[1]);
		return tmp;
	}
	if (l == 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9)) {
		snprintf(tmp, 8, "\\u%04X", 0x2000 | (s[2] & 0x3f));
		return tmp;
	}
	return NULL;
}

int
escape_needed(const char *s)
{
	size_t n = s ? strlen(s) : 0, len;
	char tmp[8];
	for (size_t i = 0; i < n; i += len)
		if (escape_of((const unsigned char *)s + i, n - i, &len, tmp))
			return 1;
	return 0;
}

void
escape_buf(struct buf *b, const char *s)
{
	if (s == NULL)
		return;
	size_t n = strlen(s), len, start = 0;
	char tmp[8];
	for (size_t i = 0; i < n; i += len) {
		const char *e = escape_of((const unsigned char *)s + i, n - i, &len, tmp);
		if (e == NULL)
			continue;
		buf_add(b, s + start, i - start);
		buf_adds(b, e);
		start = i + len;
	}
	buf_add(b, s + start, n - start);
	if (b->data == NULL)
		buf_add(b, "", 0);
}

char *
escape_dup(const char *s)
{
	if (s == NULL)
		return NULL;
	struct buf b = { 0 };
	escape_buf(&b, s);
	return buf_steal(&b);
}

const char *
esc(const char *s)
{
	static _Thread_local struct buf ring[ESCAPE_RING];
	static _Thread_local unsigned next;
	if (s == NULL)
		return NULL;
	if (!escape_needed(s))
		return s;
	struct buf *b = &ring[next++ % ESCAPE_RING];
	b->len = 0;
	escape_buf(b, s);
	return b->data;
}

void
escape_inplace(char *s, size_t size)
{
	if (size == 0 || !escape_needed(s))
		return;
	char *src = xstrdup(s), tmp[8];
	size_t n = strlen(src), len, o = 0;
	for (size_t i = 0; i < n; i += len) {
		const char *e = escape_of((const unsigned char *)src + i, n - i, &len, tmp);
		const char *piece = e ? e : src + i;
		size_t pl = e ? strlen(e) : len;
		if (o + pl >= size)
			break; /* cut at a whole character or escape */
		memcpy(s + o, piece, pl);
		o += pl;
	}
	s[o] = '\0';
	free(src);
}
