/* model.h - a snapshot's records, parsed, typed and validated: what the
 * rules read. */
#ifndef ISMS_MODEL_H
#define ISMS_MODEL_H

#include <stdatomic.h>
#include <stddef.h>

#include "doc.h"
#include "record.h"
#include "snapshot.h"
#include "problems.h"

struct docref;

struct model_doc {
	struct doc *doc;                  /* parsed; doc->root NULL if it failed */
	const struct record_type *type;   /* NULL: no known type */
	const struct snapshot_file *file; /* borrowed from the snapshot */
	/* Private to model.c: the count of models sharing doc, and where
	 * this file's type and validation problems are in problems. */
	struct docref *ref;
	size_t pfirst, np;
	const struct model_doc *was; /* while parsing: the previous model's */
};

struct model {
	const struct snapshot *snap; /* borrowed; must outlive the model */
	struct model_doc *manifest;  /* isms.yaml, or NULL */
	char *tz;                    /* the organisation's time zone */
	struct model_doc *docs;      /* every record file, sorted by path */
	size_t ndocs;
	/* Effective path patterns per record type (index as record_types()). */
	char ***patterns;
	size_t *npatterns;
	struct problems problems; /* unloadable, unparseable, invalid */
	/* Private to model.c: where each type's ids used in two files are
	 * in problems (index as record_types()). */
	size_t *ids_first, *ids_n;
};

#define MANIFEST_PATH "isms.yaml"

/* Parse, type and validate every record file of s. *out is the caller's,
 * freed with model_free. Fails (-1, err_msg()) only when s has no
 * manifest: then it is not an ISMS repository. */
int model_build(const struct snapshot *s, struct model **out);
/* Like model_build, for s, a snapshot of the same repository as the
 * snapshot of prev: files whose blob id is the same in both keep prev's
 * parsed document (shared, not copied) and, when isms.yaml is unchanged,
 * prev's type and validation problems; the others are parsed, typed and
 * validated. The result equals what model_build(s) gives. prev and its
 * snapshot are only read, and need to be valid during the call only: the
 * shared documents are reference-counted, so prev may be freed before or
 * after *out, on any thread. *out is the caller's (model_free) and
 * borrows s as model_build's does. A NULL prev builds in full. */
int model_update(const struct model *prev, const struct snapshot *s, struct model **out);
void model_free(struct model *m);
/* A model with the snapshot it borrows, kept alive by a count so that
 * threads can share it read-only: the evaluator's head model is also the
 * scheduler's, whose calendar reads it on the loop thread while the
 * evaluator builds the next head from it. */
struct model_hold {
	struct snapshot *snap;
	struct model *m;       /* NULL when the commit is not an ISMS */
	atomic_size_t holders; /* private to model.c */
};

/* Hold s and m (either may be NULL); both become the hold's. */
struct model_hold *model_hold_new(struct snapshot *s, struct model *m);
/* One more holder of h (NULL gives NULL); any thread. */
struct model_hold *model_hold_ref(struct model_hold *h);
/* Let go of h; the last holder frees the model and the snapshot. */
void model_hold_drop(struct model_hold *h);
/* About how many bytes h keeps in memory: the file contents of its
 * snapshot and the parsed documents of its model (a document shared with
 * another model is counted in both). */
size_t model_hold_bytes(const struct model_hold *h);

/* The document at path, or NULL (borrowed). */
const struct model_doc *model_find(const struct model *m, const char *path);
/* The index of type t in record_types(). */
size_t model_type_index(const struct record_type *t);

/* Call fn for every record of type t in m, in the order rules see them
 * (r:records): files by path, a collection's items in file order, a
 * document's root; items and roots that are not mappings are no records. */
typedef void (*model_record_fn)(const struct node *rec, const struct model_doc *md, void *arg);
void model_each_record(const struct model *m, const struct record_type *t, model_record_fn fn,
                       void *arg);

#endif
