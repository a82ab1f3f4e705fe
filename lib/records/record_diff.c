/* record_diff.c - what changed between two versions of a record file
 * (record_diff.h). */
#include "record_diff.h"

#include <string.h>

#include "doc.h"
#include "record.h"

/* Two versions of one record: at the same place with the same fields
 * (in order, at the same lines), or the change is whole. */
static void
record(const struct node *a, const struct node *b, struct record_change *out)
{
	if (a->kind != NODE_MAP || b->kind != NODE_MAP) {
		out->whole |= !doc_node_same(a, b);
		return;
	}
	if (a->line != b->line || a->col != b->col || a->n != b->n) {
		out->whole = 1;
		return;
	}
	for (size_t i = 0; i < a->n && !out->whole; i++) {
		if (strcmp(a->keys[i], b->keys[i]) != 0 || a->key_lines[i] != b->key_lines[i])
			out->whole = 1;
		else if (!doc_node_same(a->items[i], b->items[i]))
			strset_add(&out->fields, a->keys[i]);
	}
}

/* The records of a collection file: the list under the list key (the
 * root's other keys the same), or the root list. */
static void
collection(const struct node *a, const struct node *b, const char *key, struct record_change *out)
{
	const struct node *la = a, *lb = b;
	if (a->kind != b->kind) {
		out->whole = 1;
		return;
	}
	if (a->kind == NODE_MAP) {
		if (a->n != b->n || a->line != b->line || a->col != b->col) {
			out->whole = 1;
			return;
		}
		la = lb = NULL;
		for (size_t i = 0; i < a->n; i++) {
			if (strcmp(a->keys[i], b->keys[i]) != 0 ||
			    a->key_lines[i] != b->key_lines[i]) {
				out->whole = 1;
				return;
			}
			if (strcmp(a->keys[i], key) == 0) {
				la = a->items[i];
				lb = b->items[i];
			} else if (!doc_node_same(a->items[i], b->items[i])) {
				out->whole = 1;
				return;
			}
		}
	}
	if (la == NULL || la->kind != NODE_SEQ || lb->kind != NODE_SEQ) {
		out->whole |= !(la == NULL || doc_node_same(la, lb));
		return;
	}
	if (la->n != lb->n || la->line != lb->line || la->col != lb->col) {
		out->whole = 1;
		return;
	}
	for (size_t i = 0; i < la->n && !out->whole; i++)
		record(la->items[i], lb->items[i], out);
}

void
record_diff(const struct model_doc *a, const struct model_doc *b, struct record_change *out)
{
	memset(out, 0, sizeof(*out));
	out->whole = 1;
	if (a == NULL || b == NULL || a->type == NULL || a->type != b->type)
		return;
	const struct doc *x = a->doc, *y = b->doc;
	if (x->root == NULL || y->root == NULL || x->format != y->format || !x->body != !y->body ||
	    x->body_len != y->body_len || x->body_line != y->body_line ||
	    (x->body && memcmp(x->body, y->body, x->body_len) != 0))
		return;
	out->whole = 0;
	if (a->type->shape == SHAPE_COLLECTION)
		collection(x->root, y->root, a->type->list_key, out);
	else
		record(x->root, y->root, out);
	if (out->whole)
		strset_free(&out->fields);
}

void
record_change_free(struct record_change *c)
{
	strset_free(&c->fields);
}
