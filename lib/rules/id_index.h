/* id_index.h - the records of one type by their id, for r:record(type,
 * id): built in C once per evaluation and type, a hash table, so
 * that a rule asking for a few ids does not make a proxy for each of the
 * 10,000 records of a register. */
#ifndef ISMS_ID_INDEX_H
#define ISMS_ID_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct id_entry;

struct id_index {
	struct id_entry *v; /* records with an id, in r:records order */
	size_t n;
	uint32_t *slot; /* open addressing: place in v plus one, 0: free */
	size_t mask;
};

/* Index the records of type t in m (in the order of r:records: files by
 * path, items in file order) by the text of their id field, as
 * rec:text(id_field) gives it. A type without an id field has an empty
 * index. */
void id_index_build(struct id_index *x, const struct model *m, const struct record_type *t);
void id_index_free(struct id_index *x);

/* The first record (in r:records order) whose id is the len bytes at id,
 * or NULL; *md is set to its file. */
const struct node *id_index_find(const struct id_index *x, const char *id, size_t len,
                                 const struct model_doc **md);

#endif
