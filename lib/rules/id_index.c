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

struct building {
	struct id_index *x;
	size_t cap, pos;
	const char *key;
};

/* Add record rec of file md, the next in r:records order, when its id
 * field holds text (rec:text gives nothing for null, lists and maps). */
static void
add(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct building *b = arg;
	struct id_index *x = b->x;
	size_t pos = b->pos++;
	const struct node *v = node_get(rec, b->key);
	if (v == NULL || v->kind == NODE_NULL || v->kind == NODE_SEQ || v->kind == NODE_MAP ||
	    v->str == NULL)
		return;
	if (x->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		x->v = xreallocarray(x->v, b->cap, sizeof(*x->v));
	}
	x->v[x->n++] = (struct id_entry){ v->str, v->len, pos, rec, md };
}

void
id_index_build(struct id_index *x, const struct model *m, const struct record_type *t)
{
	struct building b = { x, 0, 0, t->id_field };
	memset(x, 0, sizeof(*x));
	if (t->id_field == NULL)
		return;
	model_each_record(m, t, add, &b);
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
