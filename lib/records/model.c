/* model.c - turn a snapshot into typed, validated records.
 *
 * A record file's type comes from an explicit `type:` field, else from
 * the first record type whose path patterns match it (patterns from
 * isms.yaml `paths:` replace a type's defaults). A record file of no
 * known type is reported as an observation unless isms.yaml `ignore:`
 * lists it, so that a misplaced record is never skipped silently. */
#include "model.h"

#include <stdatomic.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "thread.h"
#include "arena.h"
#include "date.h"
#include "pathglob.h"
#include "alloc.h"
#include "err.h"
#include "problems.h"
#include "suggest.h"

/* A parsed document shared by the models that hold it; the last to let
 * go frees it. Models may be freed on different threads. */
struct docref {
	atomic_size_t n;
};

static const char *const default_ignore[] = {
	"README.md",  "**/README.md", "CHANGELOG.md",   "LICENSE.md",
	".github/**", ".gitlab/**",   ".gitlab-ci.yml", ".pre-commit-config.yaml",
	"docs/**",    NULL,
};

size_t
model_type_index(const struct record_type *t)
{
	size_t n;
	const struct record_type *all = record_types(&n);
	return (size_t)(t - all);
}

void
model_each_record(const struct model *m, const struct record_type *t, model_record_fn fn, void *arg)
{
	for (size_t i = 0; m && i < m->ndocs; i++) {
		const struct model_doc *md = &m->docs[i];
		const struct node *root = md->doc ? md->doc->root : NULL;
		if (md->type != t || root == NULL)
			continue;
		if (t->shape != SHAPE_COLLECTION) {
			if (root->kind == NODE_MAP)
				fn(root, md, arg);
			continue;
		}
		const struct node *list =
		        root->kind == NODE_MAP ? node_get(root, t->list_key) : root;
		for (size_t k = 0; list && list->kind == NODE_SEQ && k < list->n; k++)
			if (list->items[k]->kind == NODE_MAP)
				fn(list->items[k], md, arg);
	}
}

static void
add_pattern(struct model *m, size_t ti, const char *pat, size_t len)
{
	size_t k = m->npatterns[ti]++;
	m->patterns[ti] = xreallocarray(m->patterns[ti], k + 1, sizeof(char *));
	m->patterns[ti][k] = xstrndup(pat, len);
}

/* Split space-separated patterns. */
static void
add_patterns(struct model *m, size_t ti, const char *list)
{
	const char *p = list;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		if (e > p)
			add_pattern(m, ti, p, (size_t)(e - p));
		p = e;
	}
}

/* Patterns from isms.yaml `paths:` (text or list of text) replace the
 * defaults of the named type. */
static void
load_patterns(struct model *m, const struct node *paths)
{
	size_t nt;
	const struct record_type *types = record_types(&nt);
	m->patterns = xcalloc(nt, sizeof(char **));
	m->npatterns = xcalloc(nt, sizeof(size_t));
	for (size_t i = 0; paths && paths->kind == NODE_MAP && i < paths->n; i++) {
		const struct record_type *t = record_type_find(paths->keys[i]);
		const struct node *v = paths->items[i];
		if (t == NULL)
			continue; /* reported by the manifest's validation */
		size_t ti = model_type_index(t);
		if (v->kind == NODE_STRING) {
			add_patterns(m, ti, v->str);
		} else if (v->kind == NODE_SEQ) {
			for (size_t k = 0; k < v->n; k++)
				if (v->items[k]->kind == NODE_STRING)
					add_pattern(m, ti, v->items[k]->str, v->items[k]->len);
		}
	}
	for (size_t ti = 0; ti < nt; ti++)
		if (m->npatterns[ti] == 0)
			add_patterns(m, ti, types[ti].paths);
}

static int
ignored(const struct node *ign, const char *path)
{
	for (const char *const *p = default_ignore; *p; p++)
		if (pathglob_match(*p, path))
			return 1;
	for (size_t i = 0; ign && ign->kind == NODE_SEQ && i < ign->n; i++)
		if (ign->items[i]->kind == NODE_STRING && pathglob_match(ign->items[i]->str, path))
			return 1;
	return 0;
}

static const struct record_type *
type_by_path(const struct model *m, const char *path)
{
	size_t nt;
	const struct record_type *types = record_types(&nt);
	for (size_t ti = 0; ti < nt; ti++)
		for (size_t k = 0; k < m->npatterns[ti]; k++)
			if (pathglob_match(m->patterns[ti][k], path))
				return &types[ti];
	return NULL;
}

/* Decide the type of one parsed document. */
static void
classify(const struct model *m, struct model_doc *md, const struct node *ign, struct problems *out)
{
	const char *path = md->file->path;
	const struct node *root = md->doc->root;
	const struct node *tn = root ? node_get(root, "type") : NULL;
	if (tn && tn->kind == NODE_STRING) {
		md->type = record_type_find(tn->str);
		if (md->type == NULL) {
			struct suggest s = { .word = tn->str, .wlen = strlen(tn->str) };
			size_t nt;
			const struct record_type *types = record_types(&nt);
			char h[160];
			for (size_t i = 0; i < nt; i++)
				suggest_consider(&s, types[i].name);
			problems_add(out, path, tn->line,
			             "'%s' is not a known record type%s (see `ismsctl "
			             "schema --list`)",
			             tn->str, suggest_hint(&s, h, sizeof(h)));
		}
		return;
	}
	md->type = type_by_path(m, path);
	if (md->type == NULL && !ignored(ign, path)) {
		problems_add(out, path, 0,
		             "not a known ISMS record: no record type's path "
		             "matches it; add `type:`, move it, or list it under "
		             "`ignore:` in isms.yaml");
		out->v[out->n - 1].note = 1;
	}
}

static void
copy_source_problems(struct model *m, const struct snapshot *s)
{
	for (size_t i = 0; i < s->problems.n; i++) {
		const struct problem *p = &s->problems.v[i];
		problems_add(&m->problems, p->path, p->line, "%s", p->msg);
		m->problems.v[m->problems.n - 1].note = p->note;
	}
}

/* The document of prev for file f when prev parsed the same blob, or
 * NULL. */
static const struct model_doc *
same_doc(const struct model *prev, const struct snapshot_file *f)
{
	const struct model_doc *pd = prev ? model_find(prev, f->path) : NULL;

	if (pd == NULL || f->blob[0] == '\0' || strcmp(pd->file->blob, f->blob) != 0)
		return NULL;
	return pd;
}

/* Documents to parse, split between the calling thread and one more:
 * parsing is most of loading a large repository, and files are
 * independent. A document to parse may have an earlier version in the
 * previous model (was): then only the records that changed are parsed
 * again, when the change allows it (doc_update). */
struct parse_job {
	struct model_doc **v;
	size_t n;
};

static void *
parse_job_run(void *arg)
{
	struct parse_job *j = arg;
	for (size_t i = 0; i < j->n; i++) {
		struct model_doc *md = j->v[i];
		const struct snapshot_file *f = md->file;
		const struct model_doc *was = md->was;
		md->doc = was && was->file->data ? doc_update(was->doc, was->file->data,
		                                              was->file->len, f->data, f->len)
		                                 : NULL;
		if (md->doc == NULL)
			md->doc = doc_parse(f->path, f->data, f->len);
		md->was = NULL;
	}
	return NULL;
}

#define PARALLEL_PARSE_BYTES (1u << 20)

static void
parse_docs(struct model_doc **todo, size_t n, size_t bytes)
{
	struct parse_job mine = { xcalloc(n + 1, sizeof(struct model_doc *)), 0 };
	struct parse_job other = { xcalloc(n + 1, sizeof(struct model_doc *)), 0 };
	size_t a = 0, b = 0;
	/* Greedy by size keeps the two halves about equal in bytes. */
	for (size_t i = 0; i < n; i++) {
		if (a <= b) {
			mine.v[mine.n++] = todo[i];
			a += todo[i]->file->len;
		} else {
			other.v[other.n++] = todo[i];
			b += todo[i]->file->len;
		}
	}
	struct side t;
	side_start(&t, bytes >= PARALLEL_PARSE_BYTES && other.n > 0, "parse", parse_job_run,
	           &other);
	parse_job_run(&mine);
	if (side_started(&t))
		side_join(&t);
	else
		parse_job_run(&other);
	free(mine.v);
	free(other.v);
}

/* Parse every record file of s into m, sharing prev's document of a file
 * whose blob is unchanged (prev may be NULL). */
static void
parse_all(struct model *m, const struct snapshot *s, const struct model *prev)
{
	m->docs = xcalloc(s->nfiles ? s->nfiles : 1, sizeof(*m->docs));
	struct model_doc **todo = xcalloc(s->nfiles + 1, sizeof(struct model_doc *));
	size_t ntodo = 0, bytes = 0;
	for (size_t i = 0; i < s->nfiles; i++) {
		const struct snapshot_file *f = &s->files[i];
		if (f->data == NULL || doc_format_of(f->path) < 0)
			continue;
		struct model_doc *md = &m->docs[m->ndocs++];
		const struct model_doc *pd = same_doc(prev, f);
		md->file = f;
		if (pd) {
			md->doc = pd->doc;
			md->ref = pd->ref;
			atomic_fetch_add(&md->ref->n, 1);
		} else {
			md->was = prev ? model_find(prev, f->path) : NULL;
			todo[ntodo++] = md;
			bytes += f->len;
			md->ref = xcalloc(1, sizeof(*md->ref));
			atomic_init(&md->ref->n, 1);
		}
	}
	parse_docs(todo, ntodo, bytes);
	free(todo);
	for (size_t i = 0; i < m->ndocs; i++) {
		struct model_doc *md = &m->docs[i];
		if (md->doc->root == NULL)
			problems_add(&m->problems, md->file->path, md->doc->error_line, "%s",
			             md->doc->error);
		if (strcmp(md->file->path, MANIFEST_PATH) == 0)
			m->manifest = md;
	}
}

static void
read_tz(struct model *m)
{
	const struct node *root = m->manifest->doc->root;
	const struct node *tz = root ? node_get(root, "time_zone") : NULL;
	m->tz = xstrdup("UTC");
	if (tz == NULL || tz->kind != NODE_STRING)
		return;
	if (date_tz_valid(tz->str) < 0)
		return; /* reported by the manifest's validation; UTC is used */
	free(m->tz);
	m->tz = xstrdup(tz->str);
}

/* 1 when the manifests of a and b are the same blob. */
static int
same_manifest(const struct model *a, const struct model *b)
{
	const char *x = a->manifest->file->blob, *y = b->manifest->file->blob;

	return x[0] != '\0' && strcmp(x, y) == 0;
}

/* Append n problems of from, from the first on, to to. */
static void
copy_problems(struct problems *to, const struct problems *from, size_t first, size_t n)
{
	for (size_t k = first; k < first + n; k++) {
		const struct problem *p = &from->v[k];
		problems_add(to, p->path, p->line, "%s", p->msg);
		to->v[to->n - 1].note = p->note;
	}
}

/* Copy prev's type and problems for md, a document it shares with prev
 * (pd). */
static void
keep_class(struct model *m, struct model_doc *md, const struct model_doc *pd,
           const struct model *prev)
{
	md->type = pd->type;
	copy_problems(&m->problems, &prev->problems, pd->pfirst, pd->np);
}

/* Typing and validating documents on two threads: each document's
 * problems go to its own list, merged in document order afterwards. */
struct class_job {
	const struct model *m;
	const struct node *ign;
	struct model_doc **todo;
	struct problems **out;
	size_t n, first;
};

static void *
class_job_run(void *arg)
{
	struct class_job *j = arg;
	for (size_t i = j->first; i < j->n; i += 2) {
		classify(j->m, j->todo[i], j->ign, j->out[i]);
		if (j->todo[i]->type)
			record_validate_doc(j->todo[i]->type, j->todo[i]->doc, j->out[i]);
	}
	return NULL;
}

static void
append_problems(struct problems *to, struct problems *from)
{
	for (size_t k = 0; k < from->n; k++) {
		problems_add(to, from->v[k].path, from->v[k].line, "%s", from->v[k].msg);
		to->v[to->n - 1].note = from->v[k].note;
	}
	problems_free(from);
}

#define PARALLEL_CLASSIFY_DOCS 64

/* Type and validate every parsed document, keeping prev's answer for the
 * documents it shares when prev (may be NULL) has the same manifest. */
static void
classify_all(struct model *m, const struct model *prev)
{
	const struct node *root = m->manifest->doc->root;
	const struct node *ign = root ? node_get(root, "ignore") : NULL;

	if (prev && !same_manifest(m, prev))
		prev = NULL;
	struct model_doc **todo = xcalloc(m->ndocs + 1, sizeof(struct model_doc *));
	struct problems **out = xcalloc(m->ndocs + 1, sizeof(struct problems *));
	struct problems *lists = xcalloc(m->ndocs + 1, sizeof(*lists));
	size_t n = 0;
	for (size_t i = 0; i < m->ndocs; i++) {
		struct model_doc *md = &m->docs[i];
		const struct model_doc *pd = prev ? model_find(prev, md->file->path) : NULL;
		if (md->doc->root != NULL && !(pd && pd->doc == md->doc)) {
			out[n] = &lists[i];
			todo[n++] = md;
		}
	}
	struct class_job a = { m, ign, todo, out, n, 0 }, b = { m, ign, todo, out, n, 1 };
	struct side t;
	side_start(&t, n >= PARALLEL_CLASSIFY_DOCS, "classify", class_job_run, &b);
	class_job_run(&a);
	if (side_started(&t))
		side_join(&t);
	else
		class_job_run(&b);
	for (size_t i = 0; i < m->ndocs; i++) {
		struct model_doc *md = &m->docs[i];
		md->pfirst = m->problems.n;
		if (md->doc->root == NULL)
			continue;
		const struct model_doc *pd = prev ? model_find(prev, md->file->path) : NULL;
		if (pd && pd->doc == md->doc)
			keep_class(m, md, pd, prev);
		else
			append_problems(&m->problems, &lists[i]);
		md->np = m->problems.n - md->pfirst;
	}
	free(todo);
	free(out);
	free(lists);
}

/* One use of a record id, for the check across files. */
struct iduse {
	const char *s; /* the id as written */
	size_t len;
	size_t doc; /* index in m->docs */
	int line;
};

static int
iduse_cmp(const void *a, const void *b)
{
	const struct iduse *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);
	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if (x->doc != y->doc)
		return x->doc < y->doc ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

static void
add_iduse(struct iduse **v, size_t *n, size_t *cap, const struct node *rec, const char *key,
          size_t doc)
{
	const struct node *id = rec->kind == NODE_MAP ? node_get(rec, key) : NULL;
	if (id == NULL || id->str == NULL || id->len == 0 || id->kind == NODE_SEQ ||
	    id->kind == NODE_MAP)
		return;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = (struct iduse){ id->str, id->len, doc, id->line };
}

/* The ids of type ty used in more than one file, as problems of m. */
static void
check_ids_of(struct model *m, const struct record_type *ty)
{
	if (ty->id_field == NULL || ty->shape == SHAPE_SINGLETON)
		return;
	struct iduse *v = NULL;
	size_t n = 0, cap = 0, files = 0;
	for (size_t i = 0; i < m->ndocs; i++) {
		const struct model_doc *md = &m->docs[i];
		if (md->type != ty || md->doc->root == NULL)
			continue;
		files++;
		const struct node *root = md->doc->root;
		if (ty->shape == SHAPE_DOCUMENT) {
			add_iduse(&v, &n, &cap, root, ty->id_field, i);
			continue;
		}
		const struct node *list =
		        root->kind == NODE_MAP ? node_get(root, ty->list_key) : root;
		for (size_t k = 0; list && list->kind == NODE_SEQ && k < list->n; k++)
			add_iduse(&v, &n, &cap, list->items[k], ty->id_field, i);
	}
	if (files > 1 && n > 1) {
		qsort(v, n, sizeof(*v), iduse_cmp);
		for (size_t i = 1, g = 0; i < n; i++) {
			if (v[i].len != v[g].len || memcmp(v[i].s, v[g].s, v[i].len) != 0) {
				g = i;
				continue;
			}
			if (v[i].doc == v[g].doc)
				continue; /* within one file: the validation's */
			const char *first = m->docs[v[g].doc].file->path;
			problems_add(&m->problems, m->docs[v[i].doc].file->path, v[i].line,
			             "%s '%.*s': %s '%.*s' is also used at %s:%d; ids must be "
			             "unique across all %s files, so that references to it "
			             "are not ambiguous: give one of them a new id",
			             ty->name, (int)v[i].len, v[i].s, ty->id_field, (int)v[i].len,
			             v[i].s, first, v[g].line, ty->name);
		}
	}
	free(v);
}

/* Whether m and prev have the very same documents of type ty, in the
 * same order. */
static int
same_docs_of(const struct model *m, const struct model *prev, const struct record_type *ty)
{
	size_t i = 0, j = 0;
	for (;;) {
		while (i < m->ndocs && m->docs[i].type != ty)
			i++;
		while (j < prev->ndocs && prev->docs[j].type != ty)
			j++;
		if (i == m->ndocs || j == prev->ndocs)
			return i == m->ndocs && j == prev->ndocs;
		if (m->docs[i++].doc != prev->docs[j++].doc)
			return 0;
	}
}

/* Ids must be unique across every file of a type, not only within one
 * (a register split per department still names each risk once): report
 * an id used in two files at its use in the later file, naming the first.
 * Uses within one file are reported by the validation. A type whose
 * documents are all prev's (may be NULL) has prev's problems. */
static void
check_ids_across(struct model *m, const struct model *prev)
{
	size_t nt;
	const struct record_type *types = record_types(&nt);
	m->ids_first = xcalloc(nt, sizeof(*m->ids_first));
	m->ids_n = xcalloc(nt, sizeof(*m->ids_n));
	for (size_t t = 0; t < nt; t++) {
		m->ids_first[t] = m->problems.n;
		if (prev && prev->ids_first && same_docs_of(m, prev, &types[t]))
			copy_problems(&m->problems, &prev->problems, prev->ids_first[t],
			              prev->ids_n[t]);
		else
			check_ids_of(m, &types[t]);
		m->ids_n[t] = m->problems.n - m->ids_first[t];
	}
}

/* Build the model of s, reusing prev's work where files are unchanged. */
static int
build(const struct snapshot *s, const struct model *prev, struct model **out)
{
	struct model *m = xcalloc(1, sizeof(*m));
	m->snap = s;
	copy_source_problems(m, s);
	parse_all(m, s, prev);
	if (prev && prev->manifest == NULL)
		prev = NULL;
	if (m->manifest == NULL) {
		/* There, but not loaded (over a cap) or not readable: say why,
		 * rather than that there is none. */
		const struct problem *why = NULL;
		for (size_t i = 0; why == NULL && i < m->problems.n; i++)
			if (m->problems.v[i].path &&
			    strcmp(m->problems.v[i].path, MANIFEST_PATH) == 0)
				why = &m->problems.v[i];
		if (why) {
			err_set("the manifest %s cannot be used: %s%s%.0d: %s", MANIFEST_PATH,
			        MANIFEST_PATH, why->line ? ":" : "", why->line, why->msg);
			model_free(m);
			return -1;
		}
		model_free(m);
		return err_set("no %s at the top of the repository: this is not an "
		               "ISMS repository (see docs/isms-repository.md)",
		               MANIFEST_PATH);
	}
	const struct node *root = m->manifest->doc->root;
	load_patterns(m, root ? node_get(root, "paths") : NULL);
	read_tz(m);
	classify_all(m, prev);
	check_ids_across(m, prev);
	*out = m;
	return 0;
}

int
model_build(const struct snapshot *s, struct model **out)
{
	return build(s, NULL, out);
}

int
model_update(const struct model *prev, const struct snapshot *s, struct model **out)
{
	return build(s, prev, out);
}

void
model_free(struct model *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->ndocs; i++) {
		struct docref *r = m->docs[i].ref;
		if (atomic_fetch_sub(&r->n, 1) == 1) {
			doc_free(m->docs[i].doc);
			free(r);
		}
	}
	free(m->docs);
	size_t nt;
	record_types(&nt);
	for (size_t ti = 0; m->patterns && ti < nt; ti++) {
		for (size_t k = 0; k < m->npatterns[ti]; k++)
			free(m->patterns[ti][k]);
		free(m->patterns[ti]);
	}
	free(m->patterns);
	free(m->npatterns);
	free(m->ids_first);
	free(m->ids_n);
	free(m->tz);
	problems_free(&m->problems);
	free(m);
}

struct model_hold *
model_hold_new(struct snapshot *s, struct model *m)
{
	struct model_hold *h = xcalloc(1, sizeof(*h));
	h->snap = s;
	h->m = m;
	atomic_init(&h->holders, 1);
	return h;
}

struct model_hold *
model_hold_ref(struct model_hold *h)
{
	if (h)
		atomic_fetch_add(&h->holders, 1);
	return h;
}

void
model_hold_drop(struct model_hold *h)
{
	if (h == NULL || atomic_fetch_sub(&h->holders, 1) != 1)
		return;
	model_free(h->m);
	snapshot_free(h->snap);
	free(h);
}

size_t
model_hold_bytes(const struct model_hold *h)
{
	size_t n = sizeof(*h);
	for (size_t i = 0; h->snap && i < h->snap->nfiles; i++) {
		const struct snapshot_file *f = &h->snap->files[i];
		n += sizeof(*f) + f->len + 1 + strlen(f->path) + 1;
	}
	for (size_t i = 0; h->m && i < h->m->ndocs; i++) {
		const struct doc *d = h->m->docs[i].doc;
		n += sizeof(h->m->docs[i]) + (d ? sizeof(*d) + arena_bytes(d->arena) : 0);
	}
	return n;
}

const struct model_doc *
model_find(const struct model *m, const char *path)
{
	size_t lo = 0, hi = m->ndocs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(m->docs[mid].file->path, path);
		if (c == 0)
			return &m->docs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
