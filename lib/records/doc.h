/* doc.h - ISMS records as parsed documents: YAML, JSON, or Markdown with
 * YAML front matter become one tree of nodes, each with its line. */
#ifndef ISMS_DOC_H
#define ISMS_DOC_H

#include <stddef.h>
#include <stdint.h>

enum node_kind {
	NODE_NULL,
	NODE_BOOL,
	NODE_INT,
	NODE_FLOAT,
	NODE_STRING,
	NODE_SEQ,
	NODE_MAP,
};

/* 72 bytes: a register of 10,000 records is half a million nodes. */
struct node {
	enum node_kind kind;
	int line;        /* 1-based line in the file */
	int col;         /* 1-based column */
	uint32_t n;      /* SEQ: items; MAP: pairs; 0 for scalars */
	const char *str; /* STRING: the text; other scalars: their source text */
	size_t len;      /* length of str */
	union {
		int64_t i; /* INT value; BOOL: 0 or 1 */
		double f;  /* FLOAT value */
	};
	struct node **items; /* SEQ items, or MAP values */
	const char **keys;   /* MAP keys, in file order, unique */
	int *key_lines;      /* MAP: line of each key */
	uint64_t hash;       /* doc_node_hash, once worked out; 0: not yet */
};

enum doc_format { DOC_YAML, DOC_JSON, DOC_MARKDOWN };

struct arena;

/* A parsed file. All nodes and strings live in the document's arena and
 * are freed with it. */
struct doc {
	char *path; /* repository-relative */
	enum doc_format format;
	struct node *root; /* NULL when the file did not parse */
	const char *body;  /* Markdown: text after the front matter */
	size_t body_len;
	int body_line;  /* line where the body starts */
	char *error;    /* parse error message, or NULL */
	int error_line; /* line of the parse error (1-based) */
	struct arena *arena;
};

/* Limits that keep hostile files from exhausting the process. */
#define DOC_MAX_DEPTH 64
#define DOC_MAX_NODES 2000000 /* about 200 MB of nodes */

/* The format a path's extension selects; -1 when it is not a record file
 * (.yaml, .yml, .json, .md). */
int doc_format_of(const char *path);

/* Parse buf (len bytes, need not be NUL-terminated) as the format of path.
 * Always returns a document, the caller's to free with doc_free: on a parse
 * error root is NULL and error/error_line say what and where. */
struct doc *doc_parse(const char *path, const char *buf, size_t len);
void doc_free(struct doc *d);
/* The document of buf, the new text of the YAML file that prev was
 * parsed from when its text was old: when the change lies within one
 * record of a register (the file's list of records, or a root key's),
 * only the lines of that record are parsed again and the others are
 * copied from prev, moved by the lines the change added or removed.
 * Equal to what doc_parse(buf) gives; NULL when the change is not of
 * that kind or the new text does not parse (doc_parse says why). */
struct doc *doc_update(const struct doc *prev, const char *old, size_t oldlen, const char *buf,
                       size_t len);

/* Look a key up in a MAP node; NULL when absent or node is not a map. */
const struct node *node_get(const struct node *map, const char *key);
/* Whether a and b hold the same value at the same lines and columns,
 * keys and key lines included. */
int doc_node_same(const struct node *a, const struct node *b);
/* The name of a node kind for messages ("a list", "a string", ...). */
const char *node_kind_name(enum node_kind k);
/* A 64-bit hash of what n holds and of the lines it is on: two records
 * with the same hash read the same and sit at the same lines. Worked out
 * once per node and kept (nodes never change after parsing); safe to
 * call from several threads. */
uint64_t doc_node_hash(const struct node *n);

#endif
