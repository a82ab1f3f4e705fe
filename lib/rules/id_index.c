/* id_index.c - records by id (id_index.h). */
#include "id_index.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "doc.h"
#include "record.h"
#include "strset.h"

struct id_entry {
	const char *s;
	size_t len;
	const struct node *rec;
	const struct model_doc *md;
};

struct building {
	struct id_index *x;
	size_t cap;
	const char *key;
};

/* Add record rec of file md, the next in r:records order, when its id
 * field holds text (rec:text gives nothing for null, lists and maps). */
static void
add(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct building *b = arg;
	struct id_index *x = b->x;
	const struct node *v = node_get(rec, b->key);
	if (v == NULL || v->kind == NODE_NULL || v->kind == NODE_SEQ || v->kind == NODE_MAP ||
	    v->str == NULL)
		return;
	if (x->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		x->v = xreallocarray(x->v, b->cap, sizeof(*x->v));
	}
	x->v[x->n++] = (struct id_entry){ v->str, v->len, rec, md };
}

/* The slot of id in x's table: the one holding it, or the free one where
 * it would go. */
static size_t
probe(const struct id_index *x, const char *id, size_t len)
{
	size_t h = (size_t)mem_hash(id, len) & x->mask;
	for (; x->slot[h] != 0; h = (h + 1) & x->mask) {
		const struct id_entry *e = &x->v[x->slot[h] - 1];
		if (e->len == len && memcmp(e->s, id, len) == 0)
			break;
	}
	return h;
}

void
id_index_build(struct id_index *x, const struct model *m, const struct record_type *t)
{
	struct building b = { x, 0, t->id_field };
	memset(x, 0, sizeof(*x));
	if (t->id_field == NULL)
		return;
	model_each_record(m, t, add, &b);
	/* A hash table at most half full; entries go in in r:records order,
	 * so the first of equal ids holds the slot. */
	size_t cap = 16;
	while (cap < 2 * x->n)
		cap *= 2;
	x->slot = xcalloc(cap, sizeof(*x->slot));
	x->mask = cap - 1;
	for (size_t i = 0; i < x->n; i++) {
		size_t h = probe(x, x->v[i].s, x->v[i].len);
		if (x->slot[h] == 0)
			x->slot[h] = (uint32_t)i + 1;
	}
}

void
id_index_free(struct id_index *x)
{
	free(x->v);
	free(x->slot);
	memset(x, 0, sizeof(*x));
}

const struct node *
id_index_find(const struct id_index *x, const char *id, size_t len, const struct model_doc **md)
{
	if (x->slot == NULL)
		return NULL;
	uint32_t i = x->slot[probe(x, id, len)];
	if (i == 0)
		return NULL;
	*md = x->v[i - 1].md;
	return x->v[i - 1].rec;
}
