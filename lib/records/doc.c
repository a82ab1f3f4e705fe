/* doc.c - parsed records as trees of nodes: the format of a file, the
 * look-ups rules and validation use, freeing. The parsing is in
 * doc_parse.c (the tree builder, Markdown front matter), doc_yaml.c and
 * doc_json.c, which share doc_int.h. */
#include "doc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "cdefs.h"

/* Nodes are most of a parsed ISMS's memory: keep them from growing. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct node) <= 72, "struct node grew");

/* clang-format off */
static const char *const kind_names[] = {
	[NODE_NULL] = "nothing",
	[NODE_BOOL] = "true or false",
	[NODE_INT] = "a whole number",
	[NODE_FLOAT] = "a number",
	[NODE_STRING] = "text",
	[NODE_SEQ] = "a list",
	[NODE_MAP] = "a mapping",
};
/* clang-format on */

/* ---- the public functions ---- */

/* Select the format by the (case-insensitive) extension of path. */
int
doc_format_of(const char *path)
{
	static const struct {
		const char *ext;
		enum doc_format f;
	} exts[] = {
		{ ".yaml", DOC_YAML },
		{ ".yml", DOC_YAML },
		{ ".json", DOC_JSON },
		{ ".md", DOC_MARKDOWN },
	};
	const char *dot, *slash;

	if (path == NULL || (dot = strrchr(path, '.')) == NULL)
		return -1;
	slash = strrchr(path, '/');
	if (slash != NULL && slash > dot)
		return -1;
	for (size_t i = 0; i < NELEM(exts); i++)
		if (strcasecmp(dot, exts[i].ext) == 0)
			return (int)exts[i].f;
	return -1;
}
/* Free a document and everything in it; NULL is allowed. */
void
doc_free(struct doc *d)
{
	if (d == NULL)
		return;
	arena_free(d->arena);
	free(d->path);
	free(d->error);
	free(d);
}

/* Look key up in map; a borrowed pointer, or NULL. */
const struct node *
node_get(const struct node *map, const char *key)
{
	if (map == NULL || map->kind != NODE_MAP || key == NULL)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i], key) == 0)
			return map->items[i];
	return NULL;
}

/* Whether two numbers are the same (two NaNs are: their text, compared
 * as well, tells them apart). */
static int
same_float(double x, double y)
{
	return x == y || (x != x && y != y);
}

int
doc_node_same(const struct node *a, const struct node *b)
{
	if (a->kind != b->kind || a->line != b->line || a->col != b->col || a->n != b->n ||
	    a->len != b->len || memcmp(a->str, b->str, a->len) != 0 ||
	    (a->kind == NODE_FLOAT ? !same_float(a->f, b->f) : a->i != b->i))
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		if (a->kind == NODE_MAP &&
		    (strcmp(a->keys[i], b->keys[i]) != 0 || a->key_lines[i] != b->key_lines[i]))
			return 0;
		if (!doc_node_same(a->items[i], b->items[i]))
			return 0;
	}
	return 1;
}

/* Name a node kind the way messages to users do. */
const char *
node_kind_name(enum node_kind k)
{
	if ((unsigned)k >= NELEM(kind_names))
		return "something unknown";
	return kind_names[k];
}

/* FNV-1a over bytes, continuing from h. */
static uint64_t
mix(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * UINT64_C(1099511628211);
	return h;
}

static uint64_t
mix_int(uint64_t h, int64_t v)
{
	return mix(h, &v, sizeof(v));
}

uint64_t
doc_node_hash(const struct node *n)
{
	uint64_t h = __atomic_load_n(&n->hash, __ATOMIC_RELAXED);
	if (h != 0)
		return h;
	h = UINT64_C(14695981039346656037);
	h = mix_int(h, n->kind);
	h = mix_int(h, n->line);
	h = mix_int(h, (int64_t)n->len);
	h = mix(h, n->str, n->len);
	h = mix_int(h, (int64_t)n->n);
	for (size_t i = 0; i < n->n; i++) {
		if (n->kind == NODE_MAP) {
			h = mix(h, n->keys[i], strlen(n->keys[i]) + 1);
			h = mix_int(h, n->key_lines[i]);
		}
		h = mix_int(h, (int64_t)doc_node_hash(n->items[i]));
	}
	if (h == 0)
		h = 1;
	/* Nodes are otherwise read-only once parsed: the hash is a cache that
	 * two threads may fill at once, with the same value. */
	__atomic_store_n(&((struct node *)n)->hash, h, __ATOMIC_RELAXED);
	return h;
}
