/* fingerprint.c - finding identity: the record a line is in, the kind of
 * a problem, and the hash of both with the rule. */
#include "fingerprint.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "doc.h"

/* The item of seq that line is in: the last one starting at or before
 * it, or -1 when line is before the first. */
static long
item_at(const struct node *seq, int line)
{
	/* Items are in file order: the last that starts at or before line.
	 * Halving, as a register of thousands of items has a finding for
	 * many of them. */
	size_t lo = 0, hi = seq->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (seq->items[mid]->line <= line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

static int
scalar(const struct node *n)
{
	return n && n->kind != NODE_MAP && n->kind != NODE_SEQ && n->kind != NODE_NULL && n->str;
}

/* The field of fields named name, or NULL. */
static const struct field_decl *
decl_of(const struct field_decl *fields, const char *name)
{
	for (; fields && fields->name; fields++)
		if (strcmp(fields->name, name) == 0)
			return fields;
	return NULL;
}

/* The field that keys the items of a list of objects, or NULL. */
static const struct field_decl *
key_of(const struct field_decl *d)
{
	if (d->type != FT_LIST || d->item_type != FT_OBJECT)
		return NULL;
	for (const struct field_decl *f = d->fields; f && f->name; f++)
		if (f->flags & FIELD_KEY)
			return f;
	return NULL;
}

/* Append "/FIELD[KEY=VALUE]" for the keyed list item of map that line is
 * in, and so on down; end is the first line after map. */
static void
keyed(struct buf *b, const struct node *map, const struct field_decl *fields, int line, int end,
      int depth)
{
	if (map == NULL || map->kind != NODE_MAP || fields == NULL || depth > 8)
		return;
	for (size_t k = 0; k < map->n; k++) {
		int from = map->key_lines[k];
		int to = k + 1 < map->n ? map->key_lines[k + 1] : end;
		if (line < from || line >= to)
			continue;
		const struct field_decl *d = decl_of(fields, map->keys[k]);
		const struct node *v = map->items[k];
		if (d == NULL)
			return;
		if (d->type == FT_OBJECT && !(d->flags & FIELD_MAP)) {
			keyed(b, v, d->fields, line, to, depth + 1);
			return;
		}
		const struct field_decl *key = key_of(d);
		if (key == NULL || v->kind != NODE_SEQ)
			return;
		long i = item_at(v, line);
		if (i < 0)
			return;
		const struct node *item = v->items[i];
		const struct node *kv = item->kind == NODE_MAP ? node_get(item, key->name) : NULL;
		if (kv == NULL || !scalar(kv))
			return;
		buf_printf(b, "/%s[%s=%.*s]", d->name, key->name, (int)kv->len, kv->str);
		int next = (size_t)i + 1 < v->n ? v->items[i + 1]->line : to;
		keyed(b, item, d->fields, line, next, depth + 1);
		return;
	}
}

char *
fingerprint_record(const struct model *m, const char *path, int line)
{
	if (path == NULL)
		return xstrdup("");
	const struct model_doc *md = m ? model_find(m, path) : NULL;
	if (md == NULL || md->type == NULL || md->doc == NULL || md->doc->root == NULL || line <= 0)
		return xstrdup(path);
	const struct record_type *t = md->type;
	const struct node *root = md->doc->root, *rec = root;
	int end = INT_MAX;
	struct buf b = { 0 };
	if (t->shape == SHAPE_COLLECTION) {
		const struct node *list =
		        root->kind == NODE_MAP && t->list_key ? node_get(root, t->list_key) : root;
		long i = list && list->kind == NODE_SEQ ? item_at(list, line) : -1;
		if (i < 0)
			return xstrdup(path);
		rec = list->items[i];
		if ((size_t)i + 1 < list->n)
			end = list->items[i + 1]->line;
		const struct node *id =
		        t->id_field && rec->kind == NODE_MAP ? node_get(rec, t->id_field) : NULL;
		if (id != NULL && scalar(id)) {
			buf_adds(&b, t->name);
			buf_addc(&b, ':');
			buf_add(&b, id->str, id->len);
		} else {
			buf_adds(&b, path);
		}
	} else {
		buf_adds(&b, path);
	}
	keyed(&b, rec, t->fields, line, end, 0);
	return buf_steal(&b);
}

static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

char *
fingerprint_kind(const char *key, const char *message)
{
	if (key && *key)
		return xstrdup(key);
	const char *s = message ? message : "";
	/* Written in place: the kind is never longer than the message, and
	 * a rule may report thousands of findings. */
	char *out = xmalloc(strlen(s) + 1), *o = out;
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	while (*s) {
		if (*s >= '0' && *s <= '9') {
			while (*s >= '0' && *s <= '9')
				s++;
			*o++ = '#';
		} else if (blank(*s)) {
			while (blank(*s))
				s++;
			if (*s)
				*o++ = ' ';
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* FNV-1a over s and its NUL, from h. */
static uint64_t
fnv(uint64_t h, const char *s)
{
	do {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	} while (*s++);
	return h;
}

void
fingerprint_make(const char *rule, const char *record, const char *kind,
                 char out[FINGERPRINT_HEX + 1])
{
	/* Two FNV-1a hashes from different starts: 128 bits, so that two
	 * findings of one repository never share a fingerprint by chance. Not
	 * a defence against someone forging one; nothing needs that. */
	uint64_t h[2] = { 0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL };
	for (int i = 0; i < 2; i++) {
		h[i] = fnv(h[i], rule ? rule : "");
		h[i] = fnv(h[i], record ? record : "");
		h[i] = fnv(h[i], kind ? kind : "");
	}
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < 16; k++)
			out[16 * i + k] = hex[(h[i] >> (60 - 4 * k)) & 15];
	out[FINGERPRINT_HEX] = '\0';
}
