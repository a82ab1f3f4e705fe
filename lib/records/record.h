/* record.h - ISMS record types, declared once: the declarations drive
 * validation, the field tables in docs/isms-repository.md and the JSON
 * Schema files of `ismsctl schema`. */
#ifndef ISMS_RECORD_H
#define ISMS_RECORD_H

#include <stddef.h>

#include "doc.h"
#include "problems.h"

enum field_type {
	FT_STRING, /* one-line text */
	FT_TEXT,   /* free text, may span lines */
	FT_DATE,   /* ISO 8601 date (YYYY-MM-DD) or date-time */
	FT_INT,    /* whole number */
	FT_NUMBER, /* any number */
	FT_BOOL,   /* true or false */
	FT_ENUM,   /* one of values */
	FT_LIST,   /* list of item_type (objects: subfields) */
	FT_OBJECT, /* mapping with subfields */
	FT_ANY,    /* not checked */
};

#define FIELD_REQUIRED    0x001 /* must be present and not empty */
#define FIELD_ID_TEXT     0x002 /* a number is read as its source text (5.15) */
#define FIELD_PERSON      0x004 /* a person id from the personnel list */
#define FIELD_CONTROL     0x008 /* an Annex A control id, 5.1 to 8.34 */
#define FIELD_CLAUSE      0x010 /* a clause number, 4 to 10.2 */
#define FIELD_AREA        0x020 /* a clause number, or a control as A.5.15 */
#define FIELD_ONE_OR_MORE 0x040 /* FT_LIST: one item alone is accepted too */
#define FIELD_MAP                                                                                  \
	0x080                 /* FT_OBJECT with free keys; fields, if not                          \
	                         NULL, is one entry for every value */
#define FIELD_TYPE_KEYS 0x100 /* FIELD_MAP: keys are record type names */
#define FIELD_KEY       0x200 /* in a list of objects: unique in the list */
#define FIELD_TIME_ZONE 0x400 /* an IANA time zone name */

/* Problems reported per validation call; the rest are counted in one
 * closing problem, so a hostile file cannot flood the results. */
#define RECORD_MAX_PROBLEMS 100

struct field_decl {
	const char *name;
	enum field_type type;
	unsigned flags;
	const char *const *values;       /* FT_ENUM (or FT_LIST of FT_ENUM);
	                                    terminated by NULL */
	enum field_type item_type;       /* FT_LIST */
	const struct field_decl *fields; /* FT_OBJECT, or FT_LIST of FT_OBJECT;
	                                    terminated by name == NULL */
	const char *doc;                 /* one line for the docs and schema */
};

enum record_shape {
	SHAPE_DOCUMENT,   /* one record per file (policy, audit report) */
	SHAPE_COLLECTION, /* a file holds a list of records under list_key */
	SHAPE_SINGLETON,  /* the one record of its kind (manifest, scope) */
};

struct record_type {
	const char *name;   /* "risk" */
	const char *title;  /* "Risk register entry" */
	const char *clause; /* where ISO/IEC 27001 asks for it: "6.1.2" */
	const char *paths;  /* default path patterns, space-separated */
	enum record_shape shape;
	const char *list_key;            /* COLLECTION: the top-level key of the list */
	const char *id_field;            /* field naming a record uniquely, or NULL */
	const struct field_decl *fields; /* terminated by name == NULL */
	const char *doc;                 /* a paragraph for the docs */
};

/* All record types, in documentation order; *n receives the count. */
const struct record_type *record_types(size_t *n);
const struct record_type *record_type_find(const char *name);

/* Check one record (a MAP node) against its type, adding a problem with
 * path and line for each wrong type, missing required field, value not
 * allowed, or unknown field. Returns the number of problems added. */
int record_validate(const struct record_type *t, const struct node *rec, const char *path,
                    struct problems *out);

/* Check a whole file of type t: a document (the root map, or the front
 * matter), or a collection (a list under list_key, or a top-level list). */
int record_validate_doc(const struct record_type *t, const struct doc *d, struct problems *out);

/* JSON Schema (draft 2020-12) for type t, the caller's string to free. */
char *record_json_schema(const struct record_type *t);
/* The Markdown reference of every record type (the generated part of
 * docs/isms-repository.md), the caller's string to free. */
char *record_markdown(void);

#endif
