/* record_validate.c - records checked against their declared type: every
 * problem names the file, line and field, says what was expected, and
 * suggests the closest name for a misspelt one. */
#include "record.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "problems.h"
#include "record_int.h"

/* ---- validation ---- */

#define CLIP 64

/* Where a value sits inside a record, for messages: findings[2].kind. */
struct fpath {
	const struct fpath *up;
	const char *name; /* a field name, or NULL for a list index */
	size_t index;
};

/* One validation call: where problems go and how many were added. */
struct vctx {
	const char *path;
	struct problems *out;
	char prefix[CLIP + 32]; /* names the record of a collection, or "" */
	size_t shown, hidden;
};

/* Copy up to about 48 bytes of s for a message, cut at a character
 * boundary, with control characters shown as '?'. */
static const char *
clip(char out[CLIP], const char *s, size_t len)
{
	size_t n = len < 48 ? len : 48;

	if (n < len)
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	strcpy(out + n, n < len ? "..." : "");
	return out;
}

/* Append the dotted name of p to b. */
static void
fpath_put(struct buf *b, const struct fpath *p)
{
	char c[CLIP];

	if (p == NULL)
		return;
	fpath_put(b, p->up);
	if (p->name == NULL) {
		buf_printf(b, "[%zu]", p->index);
		return;
	}
	if (b->len > 0)
		buf_addc(b, '.');
	buf_adds(b, clip(c, p->name, strlen(p->name)));
}

/* Whether the problem cap is reached; then the problem is only counted. */
static int
full(struct vctx *c)
{
	if (c->shown < RECORD_MAX_PROBLEMS)
		return 0;
	c->hidden++;
	return 1;
}

static void report(struct vctx *c, int line, const char *fmt, ...) PRINTF(3, 4);
static void bad(struct vctx *c, const struct fpath *p, int line, const char *fmt, ...) PRINTF(4, 5);

/* Add one problem at line, after the record's prefix. */
static void
report(struct vctx *c, int line, const char *fmt, ...)
{
	va_list ap;
	char *m;

	if (full(c))
		return;
	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	problems_add(c->out, c->path, line, "%s%s", c->prefix, m);
	free(m);
	c->shown++;
}

/* Add a problem about the field at p: "field 'p': ...". */
static void
bad(struct vctx *c, const struct fpath *p, int line, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;
	char *m;

	if (full(c))
		return;
	fpath_put(&b, p);
	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	report(c, line, "field '%s': %s", b.data ? b.data : "", m);
	free(m);
	buf_free(&b);
}

/* Close a validation call: count what the cap held back. Returns the
 * number of problems added. */
static int
finish(struct vctx *c)
{
	if (c->hidden > 0)
		problems_add(c->out, c->path, 0, "%zu more problems in this file are not listed",
		             c->hidden);
	return (int)(c->shown + (c->hidden > 0));
}

/* Describe a value for "found ...": text 'x', the number 3, a list. */
static const char *
describe(const struct node *v, char *out, size_t size)
{
	char c[CLIP];

	switch (v->kind) {
	case NODE_STRING: snprintf(out, size, "text '%s'", clip(c, v->str, v->len)); break;
	case NODE_INT:
	case NODE_FLOAT: snprintf(out, size, "the number %s", clip(c, v->str, v->len)); break;
	case NODE_BOOL: snprintf(out, size, "%s", clip(c, v->str, v->len)); break;
	default: snprintf(out, size, "%s", node_kind_name(v->kind)); break;
	}
	return out;
}
/* The field of fields named name, or NULL. */
static const struct field_decl *
find_field(const struct field_decl *fields, const char *name)
{
	for (const struct field_decl *f = fields; f && f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* Say in words what a field of type t expects: "a date (YYYY-MM-DD)". */
static void
expectation(struct buf *b, const struct field_decl *f, enum field_type t)
{
	switch (t) {
	case FT_STRING:
	case FT_TEXT:
		if (f->flags & FIELD_CONTROL)
			buf_adds(b, "an Annex A control id such as 5.15");
		else if (f->flags & FIELD_CLAUSE)
			buf_adds(b, "a clause number such as 9.2");
		else if (f->flags & FIELD_AREA)
			buf_adds(b, "a clause (9.2) or control (A.5.15)");
		else if (f->flags & FIELD_PERSON)
			buf_adds(b, "a person id");
		else
			buf_adds(b, "text");
		break;
	case FT_DATE: buf_adds(b, "a date (YYYY-MM-DD)"); break;
	case FT_INT: buf_adds(b, "a whole number"); break;
	case FT_NUMBER: buf_adds(b, "a number"); break;
	case FT_BOOL: buf_adds(b, "true or false"); break;
	case FT_ENUM:
		buf_adds(b, "one of ");
		for (const char *const *v = f->values; v && *v; v++)
			buf_printf(b, "%s%s", v == f->values ? "" : ", ", *v);
		break;
	case FT_LIST: buf_adds(b, "a list"); break;
	case FT_OBJECT: buf_adds(b, "a mapping (lines of 'name: value')"); break;
	case FT_ANY: buf_adds(b, "a value"); break;
	}
}

/* Report a value of the wrong kind, with an optional hint. */
static void
mismatch(struct vctx *c, const struct field_decl *f, enum field_type t, const struct node *v,
         const struct fpath *p, const char *tip)
{
	struct buf b = { 0 };
	char d[CLIP + 16];

	if (full(c))
		return;
	expectation(&b, f, t);
	bad(c, p, v->line, "expected %s, found %s%s", b.data, describe(v, d, sizeof(d)), tip);
	buf_free(&b);
}

static void check_value(struct vctx *, const struct field_decl *, enum field_type,
                        const struct node *, const struct fpath *);
static void check_fields(struct vctx *, const struct field_decl *, const struct node *,
                         const struct fpath *, const struct record_type *);

/* Check what an id-like text says: a control, clause, area, time zone. */
static void
check_id(struct vctx *c, const struct field_decl *f, const struct node *v, const struct fpath *p)
{
	const char *s = v->str;
	size_t len = v->len;
	char q[CLIP];

	clip(q, s, len);
	if ((f->flags & FIELD_CONTROL) && !record_control_ok(s, len)) {
		if (len > 2 && s[0] == 'A' && s[1] == '.' && record_control_ok(s + 2, len - 2))
			bad(c, p, v->line, "write the control '%s' without 'A.', as %s", q, q + 2);
		else
			bad(c, p, v->line,
			    "'%s' is not an Annex A control (5.1 to 5.37, 6.1 to 6.8, 7.1 to 7.14, "
			    "8.1 to 8.34)",
			    q);
	} else if ((f->flags & FIELD_CLAUSE) && !record_clause_ok(s, len)) {
		bad(c, p, v->line, "'%s' is not a clause of ISO/IEC 27001 (4 to 10.2, e.g. 9.2.2)",
		    q);
	} else if ((f->flags & FIELD_AREA) && !record_area_ok(s, len)) {
		if (record_control_ok(s, len))
			bad(c, p, v->line,
			    "'%s' is not a clause; write the Annex A control as A.%s", q, q);
		else
			bad(c, p, v->line,
			    "'%s' is neither a clause (such as 9.2) nor a control (such as A.5.15)",
			    q);
	} else if ((f->flags & FIELD_TIME_ZONE) &&
	           (memchr(s, 0, len) != NULL || date_tz_valid(s) < 0)) {
		bad(c, p, v->line, "'%s' is not a time zone name such as Europe/Berlin", q);
	}
}

/* Check a text field; numbers count as text where ids are expected. */
static void
check_text(struct vctx *c, const struct field_decl *f, enum field_type t, const struct node *v,
           const struct fpath *p)
{
	int num = v->kind == NODE_INT || v->kind == NODE_FLOAT;

	if (v->kind == NODE_STRING || (num && (f->flags & ID_FLAGS))) {
		check_id(c, f, v, p);
		return;
	}
	mismatch(c, f, t, v, p,
	         num || v->kind == NODE_BOOL ? " (put it in quotes to make it text)" : "");
}

/* Check an ISO 8601 date or date-time; date_parse says what is wrong. */
static void
check_date(struct vctx *c, const struct field_decl *f, const struct node *v, const struct fpath *p)
{
	struct ymd ymd;
	char q[CLIP], why[256];

	if (v->kind != NODE_STRING) {
		mismatch(c, f, FT_DATE, v, p, "");
		return;
	}
	if (v->len > 64 || memchr(v->str, 0, v->len) != NULL) {
		bad(c, p, v->line, "'%s' is not a valid date (far too long)",
		    clip(q, v->str, v->len));
		return;
	}
	if (date_parse(v->str, NULL, &ymd, NULL, NULL) == 0 || full(c))
		return;
	snprintf(why, sizeof(why), "%s", err_msg());
	for (char *w = why; *w; w++)
		if ((unsigned char)*w < 0x20 || *w == 0x7f)
			*w = '?';
	bad(c, p, v->line, "%s", why);
}

/* Check a value against one of the allowed values. */
static void
check_enum(struct vctx *c, const struct field_decl *f, const struct node *v, const struct fpath *p)
{
	struct buf b = { 0 };
	char q[CLIP], h[CLIP + 32];

	if (v->kind != NODE_STRING) {
		mismatch(c, f, FT_ENUM, v, p, "");
		return;
	}
	for (const char *const *a = f->values; a && *a; a++)
		if (strlen(*a) == v->len && memcmp(*a, v->str, v->len) == 0)
			return;
	if (full(c))
		return;
	struct suggest s = { .word = v->str, .wlen = v->len };
	for (const char *const *a = f->values; a && *a; a++) {
		suggest_consider(&s, *a);
		buf_printf(&b, "%s%s", a == f->values ? "" : ", ", *a);
	}
	bad(c, p, v->line, "'%s' is not one of %s%s", clip(q, v->str, v->len), b.data ? b.data : "",
	    suggest_hint(&s, h, sizeof(h)));
	buf_free(&b);
}

/* Check a true/false value; quoted "true" gets a hint. */
static void
check_bool(struct vctx *c, const struct field_decl *f, const struct node *v, const struct fpath *p)
{
	static const char *const words[] = { "true", "false", "yes", "no" };
	const char *tip = "";

	if (v->kind == NODE_BOOL)
		return;
	for (size_t i = 0; v->kind == NODE_STRING && i < NELEM(words); i++)
		if (v->len == strlen(words[i]) && strncasecmp(v->str, words[i], v->len) == 0)
			tip = " (write true or false, without quotes)";
	mismatch(c, f, FT_BOOL, v, p, tip);
}

/* One key of a list of objects: its text and where it is. */
struct keyref {
	const char *s;
	size_t len;
	int line;
	size_t pos; /* item index */
	int first;  /* DUP: line of the first use */
};

/* Order key references by text, then by position. */
static int
keyref_cmp(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int r = memcmp(x->s, y->s, n);

	if (r != 0)
		return r;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Order key references by position. */
static int
keyref_pos(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Gather the scalar values of key in the items of list; *n the count.
 * The result is the caller's. */
static struct keyref *
gather_keys(const struct node *list, const char *key, size_t *n)
{
	struct keyref *r = xcalloc(list->n, sizeof(*r));

	*n = 0;
	for (size_t i = 0; i < list->n; i++) {
		const struct node *v = node_get(list->items[i], key);
		if (v == NULL || v->len == 0 ||
		    (v->kind != NODE_STRING && v->kind != NODE_INT && v->kind != NODE_FLOAT))
			continue;
		r[(*n)++] = (struct keyref){ v->str, v->len, v->line, i, 0 };
	}
	return r;
}

/* Whether two key references hold the same text. */
static int
keyref_same(const struct keyref *x, const struct keyref *y)
{
	return x->len == y->len && memcmp(x->s, y->s, x->len) == 0;
}

/* Report values of key used more than once among the items of list, in
 * file order, each naming the line of the first use. */
static void
check_unique(struct vctx *c, const struct node *list, const char *key, const struct fpath *p)
{
	struct buf where = { 0 };
	size_t n, ndup = 0;
	struct keyref *r = gather_keys(list, key, &n);
	struct keyref *dup = xcalloc(n, sizeof(*dup));
	char q[CLIP];

	qsort(r, n, sizeof(*r), keyref_cmp);
	for (size_t i = 1, g = 0; i < n; i++) {
		if (!keyref_same(&r[g], &r[i])) {
			g = i;
			continue;
		}
		dup[ndup] = r[i];
		dup[ndup++].first = r[g].line;
	}
	qsort(dup, ndup, sizeof(*dup), keyref_pos);
	if (p != NULL)
		fpath_put(&where, p);
	for (size_t i = 0; i < ndup; i++)
		report(c, dup[i].line, "duplicate %s '%s'%s%s%s (lines %d and %d)", key,
		       clip(q, dup[i].s, dup[i].len), p ? " in '" : "",
		       where.data ? where.data : "", p ? "'" : "", dup[i].first, dup[i].line);
	buf_free(&where);
	free(dup);
	free(r);
}

struct field_decl
record_item_decl(const struct field_decl *f)
{
	struct field_decl it = *f;

	it.type = f->item_type;
	it.flags = f->flags & ~(unsigned)(FIELD_REQUIRED | FIELD_ONE_OR_MORE | FIELD_KEY);
	return it;
}

/* Check a list and each of its items; a list of objects also has the
 * values of its key fields checked for repeats. */
static void
check_list(struct vctx *c, const struct field_decl *f, const struct node *v, const struct fpath *p)
{
	struct field_decl it = record_item_decl(f);

	if (v->kind != NODE_SEQ) {
		if ((f->flags & FIELD_ONE_OR_MORE) && v->kind != NODE_MAP)
			check_value(c, &it, it.type, v, p);
		else
			mismatch(c, f, FT_LIST, v, p, "");
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		struct fpath ip = { p, NULL, i };
		check_value(c, &it, it.type, v->items[i], &ip);
	}
	if (it.type != FT_OBJECT)
		return;
	for (const struct field_decl *k = f->fields; k && k->name; k++)
		if (k->flags & FIELD_KEY)
			check_unique(c, v, k->name, p);
}

/* Whether name is a record type that `paths:` may place. */
static int
placeable(const char *name)
{
	const struct record_type *t = record_type_find(name);

	size_t n;

	return t != NULL && t != record_types(&n); /* the first is the manifest */
}

/* Check a mapping with free keys (parameters, paths): record type names
 * as keys where asked, and each value against the one value decl. */
static void
check_map(struct vctx *c, const struct field_decl *f, const struct node *v, const struct fpath *p)
{
	char q[CLIP], h[CLIP + 32];

	for (size_t i = 0; i < v->n; i++) {
		const char *k = v->keys[i];
		if ((f->flags & FIELD_TYPE_KEYS) && !placeable(k)) {
			if (full(c))
				continue;
			struct suggest s = { .word = k, .wlen = strlen(k) };
			size_t nt;
			const struct record_type *types = record_types(&nt);
			for (size_t t = 1; t < nt; t++)
				suggest_consider(&s, types[t].name);
			bad(c, p, v->key_lines[i],
			    "'%s' is not a record type whose files can be placed here%s",
			    clip(q, k, strlen(k)), suggest_hint(&s, h, sizeof(h)));
			continue;
		}
		if (f->fields == NULL || f->fields[0].name == NULL)
			continue;
		struct fpath kp = { p, k, 0 };
		check_value(c, &f->fields[0], f->fields[0].type, v->items[i], &kp);
	}
}

/* Check a value against its declaration, as type t (the field's own type,
 * or its item type inside a list). */
static void
check_value(struct vctx *c, const struct field_decl *f, enum field_type t, const struct node *v,
            const struct fpath *p)
{
	switch (t) {
	case FT_STRING:
	case FT_TEXT: check_text(c, f, t, v, p); break;
	case FT_DATE: check_date(c, f, v, p); break;
	case FT_INT:
		if (v->kind != NODE_INT)
			mismatch(c, f, t, v, p, "");
		break;
	case FT_NUMBER:
		if (v->kind != NODE_INT && (v->kind != NODE_FLOAT || !isfinite(v->f)))
			mismatch(c, f, t, v, p, "");
		break;
	case FT_BOOL: check_bool(c, f, v, p); break;
	case FT_ENUM: check_enum(c, f, v, p); break;
	case FT_LIST: check_list(c, f, v, p); break;
	case FT_OBJECT:
		if (v->kind != NODE_MAP)
			mismatch(c, f, t, v, p, "");
		else if (f->flags & FIELD_MAP)
			check_map(c, f, v, p);
		else
			check_fields(c, f->fields, v, p, NULL);
		break;
	case FT_ANY: break;
	}
}

/* Check an explicit `type:` against the type the file is read as. */
static void
check_type(struct vctx *c, const struct record_type *t, const struct node *v)
{
	const struct fpath p = { NULL, "type", 0 };
	char q[CLIP], h[CLIP + 32];

	if (v->kind != NODE_STRING) {
		if (full(c))
			return;
		bad(c, &p, v->line, "expected a record type name such as %s, found %s", t->name,
		    describe(v, q, sizeof(q)));
		return;
	}
	if (strlen(t->name) == v->len && memcmp(t->name, v->str, v->len) == 0)
		return;
	if (full(c))
		return;
	if (record_type_find(v->str) != NULL) {
		bad(c, &p, v->line, "says '%s', but the file is read as a %s record", v->str,
		    t->name);
		return;
	}
	struct suggest s = { .word = v->str, .wlen = v->len };
	size_t nt;
	const struct record_type *types = record_types(&nt);
	for (size_t i = 0; i < nt; i++)
		suggest_consider(&s, types[i].name);
	bad(c, &p, v->line, "'%s' is not a record type%s", clip(q, v->str, v->len),
	    suggest_hint(&s, h, sizeof(h)));
}

/* Report an unknown field, suggesting the closest known name. */
static void
unknown(struct vctx *c, const struct field_decl *fields, int typed, const char *key, int line,
        const struct fpath *up)
{
	struct buf b = { 0 };
	char q[CLIP], h[CLIP + 32];

	if (full(c))
		return;
	struct suggest s = { .word = key, .wlen = strlen(key) };
	for (const struct field_decl *f = fields; f && f->name; f++)
		suggest_consider(&s, f->name);
	if (typed)
		suggest_consider(&s, "type");
	fpath_put(&b, up);
	report(c, line, "unknown field '%s%s%s'%s", b.data ? b.data : "", b.len ? "." : "",
	       clip(q, key, strlen(key)), suggest_hint(&s, h, sizeof(h)));
	buf_free(&b);
}

/* Check the fields of a mapping: each present field against its
 * declaration, unknown names, and required fields that are missing. A
 * document's own mapping (typed) may also name its type. */
static void
check_fields(struct vctx *c, const struct field_decl *fields, const struct node *map,
             const struct fpath *up, const struct record_type *typed)
{
	for (size_t i = 0; i < map->n; i++) {
		const char *k = map->keys[i];
		const struct node *v = map->items[i];
		int kline = map->key_lines[i];
		if (typed != NULL && strcmp(k, "type") == 0) {
			check_type(c, typed, v);
			continue;
		}
		const struct field_decl *f = find_field(fields, k);
		if (f == NULL) {
			unknown(c, fields, typed != NULL, k, kline, up);
			continue;
		}
		struct fpath p = { up, f->name, 0 };
		if (v->kind == NODE_NULL) {
			if (f->flags & FIELD_REQUIRED)
				bad(c, &p, kline, "required, but empty");
			continue;
		}
		check_value(c, f, f->type, v, &p);
	}
	for (const struct field_decl *f = fields; f && f->name; f++) {
		if (!(f->flags & FIELD_REQUIRED) || node_get(map, f->name) != NULL)
			continue;
		struct buf b = { 0 };
		struct fpath p = { up, f->name, 0 };
		fpath_put(&b, &p);
		report(c, map->line, "missing required field '%s'", b.data);
		buf_free(&b);
	}
}

/* Check one record; a record of a collection is named in each message
 * by its id. */
static void
check_record(struct vctx *c, const struct record_type *t, const struct node *rec, int typed)
{
	char q[CLIP];

	c->prefix[0] = '\0';
	if (rec->kind != NODE_MAP) {
		report(c, rec->line,
		       "expected the fields of a %s record (lines of 'name: value'), found %s",
		       t->name, describe(rec, q, sizeof(q)));
		return;
	}
	const struct node *id = t->id_field ? node_get(rec, t->id_field) : NULL;
	if (t->shape == SHAPE_COLLECTION && id != NULL && id->len > 0 &&
	    (id->kind == NODE_STRING || id->kind == NODE_INT || id->kind == NODE_FLOAT))
		snprintf(c->prefix, sizeof(c->prefix), "%s '%s': ", t->name,
		         clip(q, id->str, id->len));
	check_fields(c, t->fields, rec, NULL, typed ? t : NULL);
	c->prefix[0] = '\0';
}

/* Check one record against its type. */
int
record_validate(const struct record_type *t, const struct node *rec, const char *path,
                struct problems *out)
{
	struct vctx c = { .path = path, .out = out };

	if (rec == NULL)
		report(&c, 0, "no %s record to check", t->name);
	else
		check_record(&c, t, rec, t->shape != SHAPE_COLLECTION);
	return finish(&c);
}

/* Whether any key of map is a field of t: one record written where the
 * list of records belongs. */
static int
looks_like_record(const struct record_type *t, const struct node *map)
{
	for (size_t i = 0; i < map->n; i++)
		if (find_field(t->fields, map->keys[i]) != NULL)
			return 1;
	return 0;
}

/* Check the mapping at the top of a collection file; returns its list of
 * records, or NULL. */
static const struct node *
collection_list(struct vctx *c, const struct record_type *t, const struct node *root)
{
	const struct node *list = NULL;
	const struct field_decl key[] = { { .name = t->list_key }, { .name = NULL } };
	char d[CLIP + 16];

	if (node_get(root, t->list_key) == NULL) {
		if (looks_like_record(t, root)) {
			report(c, root->line,
			       "the %s records must be a list under '%s:'; put this record under "
			       "'%s:' as an item starting with '- '",
			       t->name, t->list_key, t->list_key);
			return NULL;
		}
		report(c, root->line, "missing the list '%s:' that holds the %s records",
		       t->list_key, t->name);
	}
	for (size_t i = 0; i < root->n; i++) {
		const struct node *v = root->items[i];
		if (strcmp(root->keys[i], "type") == 0)
			check_type(c, t, v);
		else if (strcmp(root->keys[i], t->list_key) != 0)
			unknown(c, key, 1, root->keys[i], root->key_lines[i], NULL);
		else if (v->kind == NODE_SEQ)
			list = v;
		else if (v->kind != NODE_NULL)
			report(c, v->line, "field '%s': expected a list of %s records, found %s",
			       t->list_key, t->name, describe(v, d, sizeof(d)));
	}
	return list;
}

/* Check a collection file: each record, then repeated ids. */
static void
check_collection(struct vctx *c, const struct record_type *t, const struct node *root)
{
	const struct node *list = root;
	char d[CLIP + 16];

	if (root->kind == NODE_MAP)
		list = collection_list(c, t, root);
	else if (root->kind != NODE_SEQ) {
		report(c, root->line, "expected a list of %s records under '%s:', found %s",
		       t->name, t->list_key, describe(root, d, sizeof(d)));
		return;
	}
	if (list == NULL)
		return;
	for (size_t i = 0; i < list->n; i++)
		check_record(c, t, list->items[i], 0);
	if (t->id_field != NULL)
		check_unique(c, list, t->id_field, NULL);
}

/* Check a whole file: a document's fields, or a collection's records. */
int
record_validate_doc(const struct record_type *t, const struct doc *d, struct problems *out)
{
	struct vctx c = { .path = d->path, .out = out };
	const struct node *root = d->root;

	if (root == NULL) {
		report(&c, d->error_line, "%s", d->error ? d->error : "the file could not be read");
		return finish(&c);
	}
	if (d->format == DOC_MARKDOWN && root->kind == NODE_MAP && root->n == 0 &&
	    d->body_line == 1) {
		report(&c, 1,
		       "no front matter: a %s record starts with its fields between two '---' "
		       "lines at the top of the file",
		       t->name);
		return finish(&c);
	}
	if (t->shape == SHAPE_COLLECTION)
		check_collection(&c, t, root);
	else
		check_record(&c, t, root, 1);
	return finish(&c);
}
