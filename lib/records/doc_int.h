/* doc_int.h - what the pieces of the document parser share: the tree
 * builder of doc_parse.c, used by doc_yaml.c and doc_json.c, and the two
 * parsers, called by doc_parse. Not for use outside lib/records; doc.c
 * needs none of it. */
#ifndef ISMS_DOC_INT_H
#define ISMS_DOC_INT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "cdefs.h"
#include "doc.h"

/* One child of a container being built: a list item, or a key and value. */
struct kid {
	const char *key; /* MAP: the key, in the arena; NULL in a SEQ */
	size_t klen;
	int kline;
	struct node *val;
};

/* State shared by the parsers while one document is built. The children
 * of every open container sit on one stack, innermost last; a container
 * copies its own into arena arrays when it closes. */
struct build {
	struct doc *d;
	struct arena *a;
	struct kid *kids;
	size_t nkids, capkids;
	const struct kid **sort; /* scratch for finding duplicate keys */
	size_t capsort;
	struct { /* interned keys (see intern_key) */
		const char **v;
		size_t n, cap; /* cap: 0 or a power of two */
	} keys;
	size_t nodes;    /* made so far, against DOC_MAX_NODES */
	const char *src; /* the text given to the YAML parser */
	size_t srclen;
	int line_off;                    /* added to YAML lines (Markdown front matter) */
	int odd_breaks;                  /* the text has a lone CR, NEL, LS or PS */
	size_t last_line;                /* of the YAML text: marks past it are clamped */
	struct {                         /* where() position: character index -> line */
		size_t byte, chars, sol; /* sol: index of the line's start */
		int line;
	} at;
};

/* doc_parse.c: the builder */

/* Record the first parse error of d; later ones are consequences.
 * Returns -1. */
int doc_fail(struct doc *d, int line, const char *fmt, ...) PRINTF(3, 4);
/* Copy up to about 40 bytes of s for a message into out, cut at a
 * character boundary, with control characters shown as '?'. */
const char *doc_clip(char *out, size_t size, const char *s, size_t len);
/* Count the line (1-based) that byte off of s falls on. */
int doc_line_at(const char *s, size_t len, size_t off);
/* Count the lines of s: a last line without a newline counts too. */
int doc_line_count(const char *s, size_t len);
/* Whether c is an ASCII digit. */
int doc_digit(char c);
/* Whether s is valid UTF-8 without NUL bytes whose lines all end in LF
 * or CR LF. */
int doc_text_plain(const char *s, size_t len);
/* Parse [-+]?[0-9]+ of len bytes into *out; -1 when it does not fit. */
int doc_to_int64(const char *s, size_t len, int64_t *out);
/* Make n a FLOAT from its text, refusing numbers too large for a double. */
int doc_set_float(struct build *b, struct node *n);
/* Resolve a plain YAML scalar (n is a STRING holding its text) as the
 * YAML 1.2 core schema does, with decimal integers only. */
int doc_resolve(struct build *b, struct node *n);
/* A new node of kind k at line and col, in the arena, with empty text. */
struct node *doc_node_new(struct build *b, enum node_kind k, int line, int col);
/* The file holds more values than one record file may; -1. */
int doc_too_many(struct build *b, int line);
/* Push a child of the innermost open container. */
void doc_push_kid(struct build *b, const char *key, size_t klen, int kline, struct node *val);
/* The one arena copy of key s (len bytes) in this document. */
const char *doc_intern_key(struct build *b, const char *s, size_t len);
/* Close container n: move its children (from index base on the stack)
 * into arena arrays and check a mapping's keys. */
int doc_finish(struct build *b, struct node *n, size_t base);

/* doc_yaml.c */

/* Parse YAML text s (len bytes, no BOM, valid UTF-8) into *out. An empty
 * stream gives a NULL node; more than one document is an error. */
int doc_yaml_parse(struct build *b, const char *s, size_t len, struct node **out);

/* doc_json.c */

/* Parse JSON text s (len bytes, no BOM, valid UTF-8) into *out. */
int doc_json_parse(struct build *b, const char *s, size_t len, struct node **out);

#endif
