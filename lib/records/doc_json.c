/* doc_json.c - a small strict JSON parser of our own into nodes: lines
 * kept, duplicate keys, depth and size bounded, messages that say what
 * to fix. */
#include "doc.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "cdefs.h"
#include "alloc.h"
#include "buf.h"
#include "doc_int.h"

/* ---- JSON ---- */

/* The JSON parser's position. */
struct jp {
	struct build *b;
	const char *p, *end;
	const char *ls; /* start of the current line */
	int line;
	const char *colp; /* characters from ls to colp: colc */
	size_t colc;
	struct buf sb; /* scratch for strings with escapes */
};

static int j_value(struct jp *j, int depth, struct node **out);

/* Fail at the current line. */
static int j_fail(struct jp *j, const char *fmt, ...) PRINTF(2, 3);

static int
j_fail(struct jp *j, const char *fmt, ...)
{
	va_list ap;

	if (j->b->d->error != NULL)
		return -1;
	va_start(ap, fmt);
	j->b->d->error = xvasprintf(fmt, ap);
	va_end(ap);
	j->b->d->error_line = j->line;
	return -1;
}

/* Skip whitespace, counting lines. */
static void
j_ws(struct jp *j)
{
	for (; j->p < j->end; j->p++) {
		char c = *j->p;
		if (c == '\n') {
			j->line++;
			j->ls = j->p + 1;
		} else if (c != ' ' && c != '\t' && c != '\r')
			break;
	}
}

/* A new node at the current position. Its column counts characters,
 * resuming from the last node's on the same line. */
static struct node *
j_node(struct jp *j, enum node_kind k)
{
	if (j->colp < j->ls) {
		j->colp = j->ls;
		j->colc = 0;
	}
	for (; j->colp < j->p; j->colp++)
		j->colc += ((unsigned char)*j->colp & 0xC0) != 0x80;
	return doc_node_new(j->b, k, j->line, j->colc >= INT_MAX ? INT_MAX : (int)j->colc + 1);
}

/* Describe the character at the current position for a message. */
static const char *
j_what(struct jp *j, char *tmp, size_t size)
{
	unsigned char c;

	if (j->p >= j->end)
		return "the end of the file";
	c = (unsigned char)*j->p;
	if (c >= 0x20 && c < 0x7F)
		snprintf(tmp, size, "'%c'", c);
	else
		snprintf(tmp, size, "byte 0x%02X", c);
	return tmp;
}

/* Value of the hex digit c, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read the four hex digits of a \u escape at j->p. */
static int
j_hex4(struct jp *j, uint32_t *out)
{
	uint32_t v = 0;

	if (j->end - j->p < 4)
		return j_fail(j, "a \\u escape needs four hex digits");
	for (int i = 0; i < 4; i++) {
		int h = hexval(j->p[i]);
		if (h < 0)
			return j_fail(j, "a \\u escape needs four hex digits");
		v = v << 4 | (uint32_t)h;
	}
	j->p += 4;
	*out = v;
	return 0;
}

/* Append code point cp as UTF-8. */
static void
put_utf8(struct buf *sb, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80)
		u[0] = (char)cp, n = 1;
	else if (cp < 0x800)
		u[0] = (char)(0xC0 | cp >> 6), n = 2;
	else if (cp < 0x10000)
		u[0] = (char)(0xE0 | cp >> 12), n = 3;
	else
		u[0] = (char)(0xF0 | cp >> 18), n = 4;
	for (size_t i = 1; i < n; i++)
		u[i] = (char)(0x80 | ((cp >> (6 * (n - 1 - i))) & 0x3F));
	buf_add(sb, u, n);
}

/* Decode a \u escape (j->p after the 'u'), pairing surrogates. */
static int
j_unicode(struct jp *j)
{
	uint32_t cp = 0, lo = 0;

	if (j_hex4(j, &cp) < 0)
		return -1;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return j_fail(j,
		              "\\u%04X is half of a character (a lone "
		              "surrogate) and is not valid text",
		              (unsigned)cp);
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
			return j_fail(j,
			              "\\u%04X is half of a character (a lone "
			              "surrogate) and is not valid text",
			              (unsigned)cp);
		j->p += 2;
		if (j_hex4(j, &lo) < 0)
			return -1;
		if (lo < 0xDC00 || lo > 0xDFFF)
			return j_fail(j,
			              "\\u%04X is half of a character (a lone "
			              "surrogate) and is not valid text",
			              (unsigned)cp);
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	if (cp == 0)
		return j_fail(j, "text cannot contain the NUL character "
		                 "(\\u0000)");
	put_utf8(&j->sb, cp);
	return 0;
}

/* Decode the escape at j->p (just after the backslash). */
static int
j_escape(struct jp *j)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *at;

	if (j->p >= j->end)
		return j_fail(j, "the file ends inside quoted text");
	if (*j->p == 'u') {
		j->p++;
		return j_unicode(j);
	}
	if (*j->p == '\0' || (at = strchr(from, *j->p)) == NULL) {
		char tmp[16];
		return j_fail(j,
		              "unknown escape \\%s in quoted text (write \\\\ "
		              "for a backslash)",
		              j_what(j, tmp, sizeof(tmp)));
	}
	buf_addc(&j->sb, to[at - from]);
	j->p++;
	return 0;
}

/* Read a string (j->p at the opening quote) into the arena. */
static int
j_string(struct jp *j, const char **out, size_t *outlen)
{
	const char *q = ++j->p;
	int line = j->line;

	while (q < j->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
		q++;
	if (q < j->end && *q == '"') {
		*out = arena_strndup(j->b->a, j->p, (size_t)(q - j->p));
		*outlen = (size_t)(q - j->p);
		j->p = q + 1;
		return 0;
	}
	j->sb.len = 0;
	buf_add(&j->sb, j->p, (size_t)(q - j->p));
	j->p = q;
	for (;;) {
		if (j->p >= j->end) {
			j->line = line;
			return j_fail(j, "the quoted text that starts on this "
			                 "line is never closed");
		}
		unsigned char c = (unsigned char)*j->p;
		if (c == '"')
			break;
		if (c == '\n')
			return j_fail(j, "a line break inside quoted text; is a "
			                 "closing '\"' missing?");
		if (c < 0x20)
			return j_fail(j,
			              "control character 0x%02X inside quoted "
			              "text; write it as an escape such as \\t",
			              c);
		if (c == '\\') {
			j->p++;
			if (j_escape(j) < 0)
				return -1;
			continue;
		}
		q = j->p;
		while (q < j->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
			q++;
		buf_add(&j->sb, j->p, (size_t)(q - j->p));
		j->p = q;
	}
	j->p++;
	*out = arena_strndup(j->b->a, j->sb.data, j->sb.len);
	*outlen = j->sb.len;
	return 0;
}

/* Skip a run of digits; -1 (with msg) when there is none. */
static int
j_digits(struct jp *j, const char *msg)
{
	const char *s = j->p;

	while (j->p < j->end && doc_digit(*j->p))
		j->p++;
	if (j->p == s)
		return j_fail(j, "invalid number: %s", msg);
	return 0;
}

/* Read a number: a whole number that fits 64 bits becomes INT, any other
 * a FLOAT; one too large for a double is an error. */
static int
j_number(struct jp *j, struct node **out)
{
	struct node *n = j_node(j, NODE_INT);
	const char *s = j->p;
	int whole = 1;

	if (*j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0') {
		j->p++;
		if (j->p < j->end && doc_digit(*j->p))
			return j_fail(j, "invalid number: leading zeros are not "
			                 "allowed");
	} else if (j_digits(j, "a digit must follow '-'") < 0)
		return -1;
	if (j->p < j->end && *j->p == '.') {
		whole = 0;
		j->p++;
		if (j_digits(j, "a digit must follow the decimal point") < 0)
			return -1;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		whole = 0;
		j->p++;
		if (j->p < j->end && (*j->p == '-' || *j->p == '+'))
			j->p++;
		if (j_digits(j, "a digit must follow the exponent 'e'") < 0)
			return -1;
	}
	n->len = (size_t)(j->p - s);
	n->str = arena_strndup(j->b->a, s, n->len);
	*out = n;
	if (whole && doc_to_int64(n->str, n->len, &n->i) == 0)
		return 0;
	return doc_set_float(j->b, n);
}

/* Read true, false or null. */
static int
j_literal(struct jp *j, struct node **out)
{
	static const struct {
		const char *word;
		enum node_kind kind;
		int64_t v;
	} lits[] = {
		{ "true", NODE_BOOL, 1 },
		{ "false", NODE_BOOL, 0 },
		{ "null", NODE_NULL, 0 },
	};
	char tmp[16];

	for (size_t i = 0; i < NELEM(lits); i++) {
		size_t len = strlen(lits[i].word);
		if ((size_t)(j->end - j->p) < len || memcmp(j->p, lits[i].word, len) != 0)
			continue;
		struct node *n = j_node(j, lits[i].kind);
		n->str = lits[i].word;
		n->len = len;
		n->i = lits[i].v;
		j->p += len;
		*out = n;
		return 0;
	}
	return j_fail(j,
	              "expected a value but found %s (text must be in "
	              "double quotes)",
	              j_what(j, tmp, sizeof(tmp)));
}

/* Read an object (j->p at '{'). */
static int
j_object(struct jp *j, int depth, struct node **out)
{
	struct node *n = j_node(j, NODE_MAP), *v = NULL;
	size_t base = j->b->nkids, klen = 0;
	const char *key = "";
	char tmp[48];
	int kline;

	j->p++;
	j_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		*out = n;
		return 0;
	}
	for (;;) {
		j_ws(j);
		if (j->p >= j->end)
			return j_fail(j,
			              "the file ends before the '{' of line %d "
			              "is closed with '}'",
			              n->line);
		if (*j->p == '}')
			return j_fail(j, "extra ',' before '}'");
		if (*j->p != '"')
			return j_fail(j,
			              "expected a field name in double quotes "
			              "but found %s",
			              j_what(j, tmp, sizeof(tmp)));
		kline = j->line;
		if (j_string(j, &key, &klen) < 0)
			return -1;
		j_ws(j);
		if (j->p >= j->end || *j->p != ':')
			return j_fail(j, "expected ':' after the field name '%s'",
			              doc_clip(tmp, sizeof(tmp), key, klen));
		j->p++;
		if (j_value(j, depth, &v) < 0)
			return -1;
		doc_push_kid(j->b, doc_intern_key(j->b, key, klen), klen, kline, v);
		j_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == '}')
			break;
		if (j->p >= j->end)
			return j_fail(j,
			              "the file ends before the '{' of line %d "
			              "is closed with '}'",
			              n->line);
		return j_fail(j, "expected ',' or '}' after the field '%s'",
		              doc_clip(tmp, sizeof(tmp), key, klen));
	}
	j->p++;
	*out = n;
	return doc_finish(j->b, n, base);
}

/* Read an array (j->p at '['). */
static int
j_array(struct jp *j, int depth, struct node **out)
{
	struct node *n = j_node(j, NODE_SEQ), *v = NULL;
	size_t base = j->b->nkids;

	j->p++;
	j_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		*out = n;
		return 0;
	}
	for (;;) {
		j_ws(j);
		if (j->p < j->end && *j->p == ']')
			return j_fail(j, "extra ',' before ']'");
		if (j_value(j, depth, &v) < 0)
			return -1;
		doc_push_kid(j->b, NULL, 0, 0, v);
		j_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == ']')
			break;
		if (j->p >= j->end)
			return j_fail(j,
			              "the file ends before the '[' of line %d "
			              "is closed with ']'",
			              n->line);
		return j_fail(j, "expected ',' or ']' after a list item");
	}
	j->p++;
	*out = n;
	return doc_finish(j->b, n, base);
}

/* Read any value; depth counts the containers around it. */
static int
j_value(struct jp *j, int depth, struct node **out)
{
	if (j->b->nodes >= DOC_MAX_NODES)
		return doc_too_many(j->b, j->line);
	j_ws(j);
	if (j->p >= j->end)
		return j_fail(j, "expected a value but the file ends");
	switch (*j->p) {
	case '{':
	case '[':
		if (depth >= DOC_MAX_DEPTH)
			return j_fail(j,
			              "lists and objects are nested more than "
			              "%d levels deep",
			              DOC_MAX_DEPTH);
		if (*j->p == '{')
			return j_object(j, depth + 1, out);
		return j_array(j, depth + 1, out);
	case '"': {
		struct node *n = j_node(j, NODE_STRING);
		*out = n;
		return j_string(j, &n->str, &n->len);
	}
	case '-':
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9': return j_number(j, out);
	default: return j_literal(j, out);
	}
}

/* Parse JSON text s (len bytes, no BOM, valid UTF-8) into *out. */
int
doc_json_parse(struct build *b, const char *s, size_t len, struct node **out)
{
	struct jp j = { .b = b, .p = s, .end = s + len, .ls = s, .line = 1, .colp = s };
	char tmp[16];
	int rc = -1;

	j_ws(&j);
	if (j.p == j.end) {
		j_fail(&j, "the file is empty; a JSON record needs a value "
		           "such as {}");
		goto out;
	}
	if (j_value(&j, 0, out) < 0)
		goto out;
	j_ws(&j);
	if (j.p < j.end) {
		j_fail(&j, "unexpected %s after the end of the JSON value",
		       j_what(&j, tmp, sizeof(tmp)));
		goto out;
	}
	rc = 0;
out:
	buf_free(&j.sb);
	return rc;
}
