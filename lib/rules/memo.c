/* memo.c - the results of r:each iterations between evaluations (memo.h).
 *
 * A rule's memo is an open-addressing table of entries keyed by the
 * iteration's record: its file, line and content hash. What an iteration
 * read besides its record is a "read set", shared by the entries that
 * read the same (most iterations of a rule read the same files), and
 * checked once per run: a read set still holds when a digest of the blob
 * ids of its files, and of the files its patterns match, is unchanged. */
#include "memo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "doc.h"
#include "pathglob.h"
#include "strset.h"

struct readset {
	char **paths, **patterns;
	size_t npaths, npatterns;
	uint64_t digest;  /* of the files, when the entries were made */
	uint64_t checked; /* the run (memo_rule.run) it was last checked in */
	int holds;        /* the outcome of that check */
	size_t refs;      /* entries pointing here, in the old and new tables */
	struct readset *next;
};

/* Kept small: a large register has tens of thousands of them per rule. */
struct entry {
	uint64_t path, rec; /* hashes of the file path and of the record */
	int line;
	uint32_t nfindings : 30, failed : 1, warned : 1;
	int64_t valid_until;
	struct memo_finding *owned; /* its findings */
	struct readset *rs;
};

struct table {
	struct entry *v;
	size_t n, cap;
};

struct memo_rule {
	struct memo *m;
	const struct model *md;
	int64_t day;
	char digest[41];
	struct table old, cur;  /* the last run's entries, and this run's */
	struct readset *sets;   /* every read set still referenced */
	uint64_t run;           /* runs so far, to date read set checks */
	int live;               /* between begin and end */
	struct memo_result out; /* what memo_get returned last */
	/* The path asked for last, and its hash: a rule asks for the records
	 * of one file after another. Valid during a run (the model's paths
	 * live as long). */
	const char *path;
	uint64_t path_hash;
	/* The fields every run read since the memo was last emptied
	 * (memo_fields). */
	struct strset fields;
};

struct memo {
	struct memo_rule *rules;
	size_t nrules;
	size_t replayed, ran;
};

static uint64_t
key_of(uint64_t path, int line, uint64_t rec)
{
	uint64_t k = path ^ (rec * UINT64_C(0x9E3779B97F4A7C15)) ^ ((uint64_t)(unsigned)line << 17);
	return k ? k : 1;
}

static void
findings_free(struct memo_finding *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)f[i].message);
		free((char *)f[i].severity);
		free((char *)f[i].file);
		free((char *)f[i].key);
		free(f[i].record);
	}
	free(f);
}

static void
readset_drop(struct memo_rule *r, struct readset *rs)
{
	if (rs == NULL || --rs->refs > 0)
		return;
	for (struct readset **p = &r->sets; *p; p = &(*p)->next)
		if (*p == rs) {
			*p = rs->next;
			break;
		}
	for (size_t i = 0; i < rs->npaths; i++)
		free(rs->paths[i]);
	for (size_t i = 0; i < rs->npatterns; i++)
		free(rs->patterns[i]);
	free(rs->paths);
	free(rs->patterns);
	free(rs);
}

static void
table_clear(struct memo_rule *r, struct table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		if (t->v[i].path || t->v[i].rec) {
			findings_free(t->v[i].owned, t->v[i].nfindings);
			readset_drop(r, t->v[i].rs);
		}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static struct entry *
table_slot(struct table *t, uint64_t path, int line, uint64_t rec)
{
	if (t->cap == 0)
		return NULL;
	for (size_t i = key_of(path, line, rec) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		struct entry *e = &t->v[i];
		if (e->path == 0 && e->rec == 0)
			return e;
		if (e->path == path && e->rec == rec && e->line == line)
			return e;
	}
}

static void
table_grow(struct table *t)
{
	struct table bigger = { xcalloc(t->cap ? t->cap * 2 : 64, sizeof(struct entry)), 0,
		                t->cap ? t->cap * 2 : 64 };
	for (size_t i = 0; i < t->cap; i++)
		if (t->v[i].path || t->v[i].rec) {
			*table_slot(&bigger, t->v[i].path, t->v[i].line, t->v[i].rec) = t->v[i];
			bigger.n++;
		}
	free(t->v);
	*t = bigger;
}

/* A free (or the matching) slot of t, grown when needed. */
static struct entry *
table_add(struct table *t, uint64_t path, int line, uint64_t rec)
{
	if ((t->n + 1) * 4 > t->cap * 3)
		table_grow(t);
	struct entry *e = table_slot(t, path, line, rec);
	return e;
}

struct memo *
memo_new(size_t nrules)
{
	struct memo *m = xcalloc(1, sizeof(*m));
	m->rules = xcalloc(nrules ? nrules : 1, sizeof(*m->rules));
	m->nrules = nrules;
	for (size_t i = 0; i < nrules; i++)
		m->rules[i].m = m;
	return m;
}

static void
rule_reset(struct memo_rule *r)
{
	table_clear(r, &r->old);
	table_clear(r, &r->cur);
	strset_free(&r->fields);
}

void
memo_free(struct memo *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nrules; i++)
		rule_reset(&m->rules[i]);
	free(m->rules);
	free(m);
}

struct memo_rule *
memo_rule_begin(struct memo *m, size_t i, const struct model *md, int64_t day, const char *digest)
{
	if (i >= m->nrules)
		return NULL;
	struct memo_rule *r = &m->rules[i];
	if (r->day != day || strcmp(r->digest, digest) != 0) {
		rule_reset(r);
		r->day = day;
		snprintf(r->digest, sizeof(r->digest), "%s", digest);
	}
	r->md = md;
	r->run++;
	r->live = 1;
	r->path = NULL;
	/* This run keeps about as many as the last: no growing on the way. */
	if (r->cur.cap == 0 && r->old.cap > 0) {
		r->cur.v = xcalloc(r->old.cap, sizeof(struct entry));
		r->cur.cap = r->old.cap;
	}
	return r;
}

void
memo_rule_end(struct memo_rule *r, int ok)
{
	if (r == NULL || !r->live)
		return;
	r->live = 0;
	r->md = NULL;
	table_clear(r, &r->old);
	if (ok) {
		r->old = r->cur;
		memset(&r->cur, 0, sizeof(r->cur));
	} else {
		table_clear(r, &r->cur);
		r->day = 0;
	}
}

/* Hash of the blob ids of the files rs reads and of the files its
 * patterns match, in the model of this run. */
static uint64_t
readset_digest(const struct model *md, const struct readset *rs)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (size_t i = 0; i < rs->npaths; i++) {
		const struct model_doc *d = model_find(md, rs->paths[i]);
		h = (h ^ str_hash(rs->paths[i])) * UINT64_C(1099511628211);
		h = (h ^ (d ? str_hash(d->file->blob) : 7)) * UINT64_C(1099511628211);
		/* a file of the work tree has no blob id: it never holds */
		if (d && d->file->blob[0] == '\0')
			h ^= (uint64_t)(uintptr_t)d;
	}
	for (size_t k = 0; k < rs->npatterns; k++) {
		h = (h ^ str_hash(rs->patterns[k])) * UINT64_C(1099511628211);
		for (size_t i = 0; i < md->ndocs; i++) {
			const struct snapshot_file *f = md->docs[i].file;
			if (pathglob_match(rs->patterns[k], f->path)) {
				h = (h ^ str_hash(f->path)) * UINT64_C(1099511628211);
				h = (h ^ str_hash(f->blob)) * UINT64_C(1099511628211);
			}
		}
	}
	return h;
}

/* Whether the files rs reads are as they were when its entries were
 * made (worked out once per run). */
static int
readset_holds(struct memo_rule *r, struct readset *rs)
{
	if (rs == NULL)
		return 1;
	if (rs->checked != r->run) {
		rs->checked = r->run;
		rs->holds = readset_digest(r->md, rs) == rs->digest;
	}
	return rs->holds;
}

/* The result of entry e, in r->out until the next call. */
static const struct memo_result *
result_of(struct memo_rule *r, const struct entry *e)
{
	struct memo_result *o = &r->out;
	o->findings = e->owned;
	o->nfindings = e->nfindings;
	o->valid_until = e->valid_until;
	o->failed = e->failed;
	o->warned = e->warned;
	o->reads = e->rs ? (const char *const *)e->rs->paths : NULL;
	o->nreads = e->rs ? e->rs->npaths : 0;
	o->patterns = e->rs ? (const char *const *)e->rs->patterns : NULL;
	o->npatterns = e->rs ? e->rs->npatterns : 0;
	o->set = e->rs;
	return o;
}

/* The hash of path, worked out once per file of a run. */
static uint64_t
path_hash(struct memo_rule *r, const char *path)
{
	if (path != r->path) {
		r->path = path;
		r->path_hash = str_hash(path);
	}
	return r->path_hash;
}

const struct memo_result *
memo_get(struct memo_rule *r, const char *path, const struct node *rec)
{
	if (r == NULL || !r->live)
		return NULL;
	uint64_t ph = path_hash(r, path), rh = doc_node_hash(rec);
	struct entry *e = table_slot(&r->old, ph, rec->line, rh);
	if (e == NULL || (e->path == 0 && e->rec == 0) || !readset_holds(r, e->rs)) {
		__atomic_fetch_add(&r->m->ran, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	/* Move it to this run's table (the old one is dropped at the end). */
	struct entry *n = table_add(&r->cur, ph, rec->line, rh);
	__atomic_fetch_add(&r->m->replayed, 1, __ATOMIC_RELAXED);
	if (n->path || n->rec) /* the same record twice (a file listed twice): keep the first */
		return result_of(r, n);
	*n = *e;
	r->cur.n++;
	if (n->rs)
		n->rs->refs++;
	/* The old entry no longer owns its findings. */
	e->owned = NULL;
	e->nfindings = 0;
	return result_of(r, n);
}

static char **
copy_strings(const char *const *v, size_t n)
{
	char **out = xcalloc(n ? n : 1, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static int
same_strings(char *const *a, size_t na, const char *const *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}

/* The read set of res, shared with an entry that read the same. */
static struct readset *
readset_of(struct memo_rule *r, const struct memo_result *res)
{
	if (res->nreads == 0 && res->npatterns == 0)
		return NULL;
	/* Shared only with a read set of the same files as they are now: one
	 * made in an earlier run when the files were otherwise stands for
	 * entries of that content, which must not be replayed now. */
	for (struct readset *rs = r->sets; rs; rs = rs->next)
		if (same_strings(rs->paths, rs->npaths, res->reads, res->nreads) &&
		    same_strings(rs->patterns, rs->npatterns, res->patterns, res->npatterns) &&
		    readset_holds(r, rs)) {
			rs->refs++;
			return rs;
		}
	struct readset *rs = xcalloc(1, sizeof(*rs));
	rs->paths = copy_strings(res->reads, res->nreads);
	rs->npaths = res->nreads;
	rs->patterns = copy_strings(res->patterns, res->npatterns);
	rs->npatterns = res->npatterns;
	rs->digest = readset_digest(r->md, rs);
	rs->checked = r->run;
	rs->holds = 1;
	rs->refs = 1;
	rs->next = r->sets;
	r->sets = rs;
	return rs;
}

void
memo_put(struct memo_rule *r, const char *path, const struct node *rec,
         const struct memo_result *res)
{
	if (r == NULL || !r->live)
		return;
	uint64_t ph = path_hash(r, path), rh = doc_node_hash(rec);
	struct entry *e = table_add(&r->cur, ph, rec->line, rh);
	if (e->path || e->rec)
		return; /* the same record twice: the first stays */
	memset(e, 0, sizeof(*e));
	e->path = ph;
	e->rec = rh;
	e->line = rec->line;
	/* Most iterations find nothing: no allocation for them. */
	if (res->nfindings > 0)
		e->owned = xcalloc(res->nfindings, sizeof(*e->owned));
	for (size_t i = 0; i < res->nfindings; i++) {
		const struct memo_finding *f = &res->findings[i];
		e->owned[i].message = f->message ? xstrdup(f->message) : NULL;
		e->owned[i].severity = f->severity ? xstrdup(f->severity) : NULL;
		e->owned[i].file = f->file ? xstrdup(f->file) : NULL;
		e->owned[i].key = f->key ? xstrdup(f->key) : NULL;
		e->owned[i].line = f->line;
	}
	e->nfindings = (uint32_t)res->nfindings;
	e->failed = res->failed != 0;
	e->warned = res->warned != 0;
	e->valid_until = res->valid_until;
	e->rs = readset_of(r, res);
	r->cur.n++;
}

void
memo_fields(struct memo_rule *r, struct strset *fields)
{
	if (r == NULL || !r->live)
		return;
	for (size_t i = 0; i < fields->n; i++)
		strset_add(&r->fields, fields->v[i]);
	for (size_t i = 0; i < r->fields.n; i++)
		strset_add(fields, r->fields.v[i]);
}

void
memo_counts(const struct memo *m, size_t *replayed, size_t *run)
{
	*replayed = __atomic_load_n(&m->replayed, __ATOMIC_RELAXED);
	*run = __atomic_load_n(&m->ran, __ATOMIC_RELAXED);
}
