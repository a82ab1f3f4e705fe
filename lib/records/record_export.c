/* record_export.c - the record types for people and editors: JSON
 * Schema files (draft 2020-12) for completion in a YAML language server,
 * and the Markdown field reference of docs/isms-repository.md. */
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "log.h"
#include "alloc.h"
#include "buf.h"
#include "problems.h"
#include "record_int.h"

/* ---- JSON Schema ---- */

#define SCHEMA_DRAFT "https://json-schema.org/draft/2020-12/schema"
#define SCHEMA_BASE  "https://ismsd.invalid/schema/"

/* Patterns that accept what control_ok, clause_ok and area_ok accept. */
#define RE_CONTROL                                                                                 \
	"(5\\.([1-9]|[12][0-9]|3[0-7])|6\\.[1-8]|"                                                 \
	"7\\.([1-9]|1[0-4])|8\\.([1-9]|[12][0-9]|3[0-4]))"
#define RE_CLAUSE                                                                                  \
	"(4(\\.[1-4])?|5(\\.[1-3])?|6(\\.1(\\.[1-3])?|\\.[23])?|"                                  \
	"7(\\.[1-4]|\\.5(\\.[1-3])?)?|8(\\.[1-3])?|"                                               \
	"9(\\.1|\\.2(\\.[12])?|\\.3(\\.[1-3])?)?|10(\\.[12])?)"
#define RE_AREA     "(" RE_CLAUSE "|A\\.(" RE_CONTROL "|[5-8]))"
#define RE_DATETIME "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}"

static void schema_fill(json_t *s, const struct field_decl *f, enum field_type t);
static json_t *schema_object(const struct field_decl *fields, const struct record_type *typed);

/* A new schema for a value of type t. */
static json_t *
schema_new(const struct field_decl *f, enum field_type t)
{
	json_t *s = json_object();

	schema_fill(s, f, t);
	return s;
}

/* Describe a text value: ids also accept numbers, some follow a pattern. */
static void
schema_text(json_t *s, const struct field_decl *f)
{
	const char *re = NULL;

	if (f->flags & ID_FLAGS)
		json_object_set_new(s, "type", json_pack("[ss]", "string", "number"));
	else
		json_object_set_new(s, "type", json_string("string"));
	if (f->flags & FIELD_CONTROL)
		re = "^" RE_CONTROL "$";
	else if (f->flags & FIELD_CLAUSE)
		re = "^" RE_CLAUSE "$";
	else if (f->flags & FIELD_AREA)
		re = "^" RE_AREA "$";
	if (re != NULL)
		json_object_set_new(s, "pattern", json_string(re));
}

/* Describe a list; one item alone is allowed where the field says so. */
static void
schema_list(json_t *s, const struct field_decl *f)
{
	struct field_decl it = record_item_decl(f);

	if (!(f->flags & FIELD_ONE_OR_MORE)) {
		json_object_set_new(s, "type", json_string("array"));
		json_object_set_new(s, "items", schema_new(&it, it.type));
		return;
	}
	json_t *arr = json_object();
	json_object_set_new(arr, "type", json_string("array"));
	json_object_set_new(arr, "items", schema_new(&it, it.type));
	json_object_set_new(s, "anyOf", json_pack("[oo]", schema_new(&it, it.type), arr));
}

/* Describe a mapping with free keys. */
static void
schema_map(json_t *s, const struct field_decl *f)
{
	json_object_set_new(s, "type", json_string("object"));
	if (f->flags & FIELD_TYPE_KEYS) {
		json_t *names = json_array();
		size_t nt;
		const struct record_type *types = record_types(&nt);
		for (size_t i = 1; i < nt; i++)
			json_array_append_new(names, json_string(types[i].name));
		json_object_set_new(s, "propertyNames", json_pack("{so}", "enum", names));
	}
	if (f->fields != NULL && f->fields[0].name != NULL) {
		json_t *v = json_object();
		json_object_set_new(v, "description", json_string(f->fields[0].doc));
		schema_fill(v, &f->fields[0], f->fields[0].type);
		json_object_set_new(s, "additionalProperties", v);
	}
}

/* Add to s the keywords for a value of type t declared by f. */
static void
schema_fill(json_t *s, const struct field_decl *f, enum field_type t)
{
	switch (t) {
	case FT_STRING:
	case FT_TEXT: schema_text(s, f); break;
	case FT_DATE:
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(
		        s, "anyOf",
		        json_pack("[{ss}{ss}]", "format", "date", "pattern", RE_DATETIME));
		break;
	case FT_INT: json_object_set_new(s, "type", json_string("integer")); break;
	case FT_NUMBER: json_object_set_new(s, "type", json_string("number")); break;
	case FT_BOOL: json_object_set_new(s, "type", json_string("boolean")); break;
	case FT_ENUM: {
		json_t *vals = json_array();
		for (const char *const *v = f->values; v && *v; v++)
			json_array_append_new(vals, json_string(*v));
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(s, "enum", vals);
		break;
	}
	case FT_LIST: schema_list(s, f); break;
	case FT_OBJECT:
		if (f->flags & FIELD_MAP)
			schema_map(s, f);
		else {
			json_t *o = schema_object(f->fields, NULL);
			json_object_update(s, o);
			json_decref(o);
		}
		break;
	case FT_ANY: break;
	}
}

/* The `type:` property of a document, naming the record type. */
static json_t *
schema_type_prop(const struct record_type *t)
{
	return json_pack("{ssss}", "description",
	                 "Record type of this file; needed only when the file is not at one of the "
	                 "type's default paths.",
	                 "const", t->name);
}

/* A schema for a mapping of the given fields. */
static json_t *
schema_object(const struct field_decl *fields, const struct record_type *typed)
{
	json_t *s = json_object(), *props = json_object(), *req = json_array();

	json_object_set_new(s, "type", json_string("object"));
	for (const struct field_decl *f = fields; f && f->name; f++) {
		json_t *p = json_object();
		json_object_set_new(p, "description", json_string(f->doc));
		schema_fill(p, f, f->type);
		json_object_set_new(props, f->name, p);
		if (f->flags & FIELD_REQUIRED)
			json_array_append_new(req, json_string(f->name));
	}
	if (typed != NULL)
		json_object_set_new(props, "type", schema_type_prop(typed));
	json_object_set_new(s, "properties", props);
	if (json_array_size(req) > 0)
		json_object_set_new(s, "required", req);
	else
		json_decref(req);
	json_object_set_new(s, "additionalProperties", json_false());
	return s;
}

/* The file of a collection: a mapping holding the list under list_key,
 * or the list alone; records are described once, under $defs. */
static void
schema_collection(json_t *root, const struct record_type *t)
{
	char *ref = xasprintf("#/$defs/%s", t->name);
	char *what = xasprintf("The %s records, one per item.", t->name);
	json_t *props = json_object(), *inmap = json_object(), *defs;

	json_object_set_new(props, t->list_key,
	                    json_pack("{sssss{ss}}", "description", what, "type", "array", "items",
	                              "$ref", ref));
	json_object_set_new(props, "type", schema_type_prop(t));
	json_object_set_new(inmap, "type", json_string("object"));
	json_object_set_new(inmap, "properties", props);
	json_object_set_new(inmap, "required", json_pack("[s]", t->list_key));
	json_object_set_new(inmap, "additionalProperties", json_false());
	json_object_set_new(root, "type", json_pack("[ss]", "object", "array"));
	json_object_set_new(
	        root, "anyOf",
	        json_pack("[o{sss{ss}}]", inmap, "type", "array", "items", "$ref", ref));
	defs = json_object();
	json_object_set_new(defs, t->name, schema_object(t->fields, NULL));
	json_object_set_new(root, "$defs", defs);
	free(what);
	free(ref);
}

/* Build the JSON Schema of one record type's files. */
char *
record_json_schema(const struct record_type *t)
{
	json_t *root = json_object();
	json_malloc_t jmalloc;
	json_free_t jfree;
	char *id = xasprintf(SCHEMA_BASE "%s.json", t->name), *text, *out;

	json_object_set_new(root, "$schema", json_string(SCHEMA_DRAFT));
	json_object_set_new(root, "$id", json_string(id));
	json_object_set_new(root, "title", json_string(t->title));
	json_object_set_new(root, "description", json_string(t->doc));
	if (t->shape == SHAPE_COLLECTION) {
		schema_collection(root, t);
	} else {
		json_t *o = schema_object(t->fields, t);
		json_object_update(root, o);
		json_decref(o);
	}
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	free(id);
	if (text == NULL)
		fatalx("out of memory writing the JSON Schema of %s", t->name);
	/* jansson may have its own allocator; hand back our own copy. */
	out = xstrdup(text);
	json_get_alloc_funcs(&jmalloc, &jfree);
	jfree(text);
	return out;
}
/* ---- the Markdown reference ---- */

/* Append s to b for a table cell: '|' escaped, line breaks as spaces. */
static void
md_cell(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			buf_adds(b, "\\|");
		else
			buf_addc(b, *s == '\n' ? ' ' : *s);
	}
}

/* Name the kind of a value of type t, singular or plural. */
static const char *
md_kind(const struct field_decl *f, enum field_type t, int plural)
{
	switch (t) {
	case FT_STRING:
	case FT_TEXT:
		if (f->flags & FIELD_CONTROL)
			return plural ? "control ids" : "control id";
		if (f->flags & FIELD_CLAUSE)
			return plural ? "clause numbers" : "clause number";
		if (f->flags & FIELD_AREA)
			return plural ? "clauses or controls" : "clause or control";
		if (f->flags & FIELD_PERSON)
			return plural ? "person ids" : "person id";
		if (f->flags & FIELD_TIME_ZONE)
			return "time zone";
		if (f->flags & FIELD_ID_TEXT)
			return plural ? "text or numbers" : "text or number";
		return t == FT_TEXT ? "long text" : "text";
	case FT_DATE: return plural ? "dates" : "date";
	case FT_INT: return plural ? "whole numbers" : "whole number";
	case FT_NUMBER: return plural ? "numbers" : "number";
	case FT_BOOL: return "true/false";
	case FT_ENUM: return plural ? "choices" : "choice";
	case FT_OBJECT:
		if (f->flags & FIELD_MAP)
			return plural ? "maps" : "map";
		return plural ? "entries (fields below)" : "fields below";
	case FT_LIST: return plural ? "lists" : "list";
	case FT_ANY: return "any value";
	}
	return "?";
}

/* The type column: "date", "list of person ids", "text or list of text". */
static void
md_type(struct buf *b, const struct field_decl *f)
{
	if (f->type != FT_LIST) {
		buf_adds(b, md_kind(f, f->type, 0));
		return;
	}
	struct field_decl it = record_item_decl(f);
	if (f->flags & FIELD_ONE_OR_MORE)
		buf_printf(b, "%s or ", md_kind(&it, it.type, 0));
	buf_printf(b, "list of %s", md_kind(&it, it.type, 1));
}

/* The allowed-values column. */
static void
md_values(struct buf *b, const struct field_decl *f)
{
	enum field_type t = f->type == FT_LIST ? f->item_type : f->type;

	if (t == FT_ENUM) {
		for (const char *const *v = f->values; v && *v; v++)
			buf_printf(b, "%s`%s`", v == f->values ? "" : ", ", *v);
	} else if (f->flags & FIELD_CONTROL) {
		buf_adds(b, "5.1 to 5.37, 6.1 to 6.8, 7.1 to 7.14, 8.1 to 8.34");
	} else if (f->flags & FIELD_CLAUSE) {
		buf_adds(b, "4 to 10.2, e.g. `9.2.2`");
	} else if (f->flags & FIELD_AREA) {
		buf_adds(b, "clause `9.2`, control `A.5.15`, theme `A.5`");
	} else if (f->flags & FIELD_TIME_ZONE) {
		buf_adds(b, "IANA name, e.g. `Europe/Berlin`");
	} else if (f->flags & FIELD_PERSON) {
		buf_adds(b, "an `id` from people/personnel.yaml");
	} else if (f->flags & FIELD_TYPE_KEYS) {
		buf_adds(b, "record type names");
	} else if (t == FT_DATE) {
		buf_adds(b, "`YYYY-MM-DD`, or a date-time");
	} else if (t == FT_BOOL) {
		buf_adds(b, "`true`, `false`");
	}
}

/* Append the table rows of fields, nested ones as parent.child. */
static void
md_rows(struct buf *b, const struct field_decl *fields, const char *parent)
{
	for (const struct field_decl *f = fields; f && f->name; f++) {
		char *name = parent ? xasprintf("%s.%s", parent, f->name) : xstrdup(f->name);
		buf_printf(b, "| `%s` | ", name);
		md_type(b, f);
		buf_printf(b, " | %s | ", f->flags & FIELD_REQUIRED ? "yes" : "");
		md_values(b, f);
		buf_adds(b, " | ");
		md_cell(b, f->doc);
		buf_adds(b, " |\n");
		int nested =
		        f->type == FT_OBJECT || (f->type == FT_LIST && f->item_type == FT_OBJECT);
		if (nested)
			md_rows(b, f->fields, name);
		free(name);
	}
}

/* Whether every default path of t names a Markdown file. */
static int
md_markdown_paths(const struct record_type *t)
{
	const char *p = t->paths;

	while (*p) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len < 3 || strncmp(p + len - 3, ".md", 3) != 0)
			return 0;
		p += len;
		while (*p == ' ')
			p++;
	}
	return 1;
}

/* Append the facts list of one record type. */
static void
md_facts(struct buf *b, const struct record_type *t)
{
	const char *p = t->paths;

	buf_adds(b, "- Default paths:");
	while (*p) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		buf_printf(b, "%s `%.*s`", p == t->paths ? "" : ",", (int)len, p);
		p += len;
		while (*p == ' ')
			p++;
	}
	buf_printf(b, "\n- Format: %s\n",
	           md_markdown_paths(t) ? "Markdown; the fields are the YAML front matter, the "
	                                  "text below it is the document"
	                                : "YAML (JSON with the same fields also works)");
	if (t->shape == SHAPE_COLLECTION)
		buf_printf(b,
		           "- Shape: collection; a file holds many records as a list under `%s:` "
		           "(or a list at the top of the file)\n",
		           t->list_key);
	else if (t->shape == SHAPE_SINGLETON)
		buf_adds(b, "- Shape: singleton; one file holds the only record of its kind\n");
	else
		buf_adds(b, "- Shape: document; one record per file\n");
	buf_printf(b, "- ISO/IEC 27001:2022: %s\n", t->clause);
	if (t->id_field != NULL)
		buf_printf(b, "- Identified by: `%s`%s\n", t->id_field,
		           t->shape == SHAPE_COLLECTION ? ", unique within the file" : "");
	size_t nt;
	if (t != record_types(&nt)) /* the manifest is only isms.yaml */
		buf_printf(b, "- At another path: `type: %s` %s\n", t->name,
		           t->shape == SHAPE_COLLECTION ? "at the top of the file, next to the list"
		           : md_markdown_paths(t)       ? "in the front matter"
		                                        : "at the top of the file");
	buf_printf(b, "- JSON Schema: `" SCHEMA_BASE "%s.json`\n", t->name);
}

/* Build the Markdown reference of every record type. */
char *
record_markdown(void)
{
	struct buf b = { 0 };
	size_t nt;
	const struct record_type *types = record_types(&nt);

	for (size_t i = 0; i < nt; i++) {
		const struct record_type *t = &types[i];
		buf_printf(&b, "%s### `%s`: %s\n\n%s\n\n", i ? "\n" : "", t->name, t->title,
		           t->doc);
		md_facts(&b, t);
		buf_adds(&b, "\n| field | type | required | allowed values | meaning "
		             "|\n|---|---|---|---|---|\n");
		md_rows(&b, t->fields, NULL);
	}
	return buf_steal(&b);
}
