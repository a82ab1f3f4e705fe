/* id_index.c - records by id (id_index.h). */
#include "id_index.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "doc.h"
#include "record.h"

struct id_entry {
	const char *s;
	size_t len;
	size_t pos; /* place in r:records order: the first of equal ids wins */
	const struct node *rec;
	const struct model_doc *md;
};

static int
cmp_id(const char *a, size_t na, const char *b, size_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);
	if (c)
		return c;
	return (na > nb) - (na < nb);
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct id_entry *x = a, *y = b;
	int c = cmp_id(x->s, x->len, y->s, y->len);
	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* Add record rec of file md, the pos-th of its type, when its id field
 * holds text (rec:text gives nothing for null, lists and maps). */
static void
add(struct id_index *x, size_t *cap, const struct node *rec, const struct model_doc *md, size_t pos,
    const char *key)
{
	const struct node *v = node_get(rec, key);
	if (v == NULL || v->kind == NODE_NULL || v->kind == NODE_SEQ || v->kind == NODE_MAP ||
	    v->str == NULL)
		return;
	if (x->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		x->v = xreallocarray(x->v, *cap, sizeof(*x->v));
	}
	x->v[x->n++] = (struct id_entry){ v->str, v->len, pos, rec, md };
}

void
id_index_build(struct id_index *x, const struct model *m, const struct record_type *t)
{
	size_t cap = 0, pos = 0;
	memset(x, 0, sizeof(*x));
	if (t->id_field == NULL)
		return;
	for (size_t i = 0; m && i < m->ndocs; i++) {
		const struct model_doc *md = &m->docs[i];
		const struct node *root = md->doc ? md->doc->root : NULL;
		if (md->type != t || root == NULL)
			continue;
		if (t->shape != SHAPE_COLLECTION) {
			if (root->kind == NODE_MAP)
				add(x, &cap, root, md, pos++, t->id_field);
			continue;
		}
		const struct node *list =
		        root->kind == NODE_MAP ? node_get(root, t->list_key) : root;
		for (size_t k = 0; list && list->kind == NODE_SEQ && k < list->n; k++)
			if (list->items[k]->kind == NODE_MAP)
				add(x, &cap, list->items[k], md, pos++, t->id_field);
	}
	if (x->n > 1)
		qsort(x->v, x->n, sizeof(*x->v), cmp_entry);
}

void
id_index_free(struct id_index *x)
{
	free(x->v);
	memset(x, 0, sizeof(*x));
}

const struct node *
id_index_find(const struct id_index *x, const char *id, size_t len, const struct model_doc **md)
{
	size_t lo = 0, hi = x->n;
	while (lo < hi) { /* the first entry not below id */
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_id(x->v[mid].s, x->v[mid].len, id, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == x->n || cmp_id(x->v[lo].s, x->v[lo].len, id, len) != 0)
		return NULL;
	*md = x->v[lo].md;
	return x->v[lo].rec;
}
