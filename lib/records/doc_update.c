/* doc_update.c - a changed register parsed again by the records that
 * changed (doc_update in doc.h).
 *
 * When one record of a 6,000-record file is edited, the text before and
 * after it is the text it was, and so are the nodes parsed from it. Only
 * the lines from the changed record's start to the next record's start
 * are given to the YAML parser, with the header of the file above them,
 * the other lines left blank (so that every line and column comes out as
 * in the whole file), and the next record's first line after them (so
 * that the ends of the changed record's values are where the whole file
 * puts them). The new document is the earlier one's records before the
 * change, the new records, and the earlier one's records after it, moved
 * by the lines the edit added or removed.
 *
 * Anything this cannot vouch for gives NULL and a full parse: a change
 * outside one record or across two, a list not in block style, a record
 * whose dash stands on a line of its own, text with a line break other
 * than LF, a parse error, a result of another shape. */
#include "doc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "arena.h"
#include "doc_int.h"

/* What changed between the texts, in lines of each: lines lo..old_hi of
 * the old text became lines lo..new_hi of the new one (old_hi is lo - 1
 * when lines were only added; new_hi likewise when only removed). */
struct change {
	int lo, old_hi, new_hi;
	int old_lines, new_lines;
};

static const char *
skip_bom(const char *s, size_t *len)
{
	if (*len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		*len -= 3;
		return s + 3;
	}
	return s;
}

/* Work out c; -1 when the texts are the same. */
static int
find_change(const char *old, size_t oldlen, const char *s, size_t len, struct change *c)
{
	size_t lim = oldlen < len ? oldlen : len, p = 0, q = 0;
	while (p + 8 <= lim && memcmp(old + p, s + p, 8) == 0)
		p += 8;
	while (p < lim && old[p] == s[p])
		p++;
	if (p == oldlen && p == len)
		return -1;
	while (q < lim - p && old[oldlen - 1 - q] == s[len - 1 - q])
		q++;
	/* The unchanged tail, from a line start on in both texts: where the
	 * common suffix starts, when both texts have a line break just
	 * before it, else after its first line break. */
	size_t o = oldlen - q;
	if (!(o > 0 && len > q && old[o - 1] == '\n' && s[len - q - 1] == '\n')) {
		const char *nl = memchr(old + o, '\n', q);
		o = nl ? (size_t)(nl - old) + 1 : oldlen;
	}
	int tail = o < oldlen ? doc_line_count(old + o, oldlen - o) : 0;
	c->old_lines = doc_line_count(old, oldlen);
	c->new_lines = doc_line_count(s, len);
	c->lo = doc_line_at(s, len, p);
	c->old_hi = c->old_lines - tail;
	c->new_hi = c->new_lines - tail;
	/* An empty text counts one line: nothing to vouch for there. */
	if (c->old_hi < c->lo - 1 || c->new_hi < c->lo - 1 || oldlen == 0 || len == 0)
		return -1;
	return 0;
}

/* Byte offsets of the starts of lines 1..nlines of s (entry i: line i+1),
 * and one more entry: the end of the text. */
static size_t *
line_starts(const char *s, size_t len, int nlines)
{
	size_t *v = xcalloc((size_t)nlines + 2, sizeof(*v));
	int i = 1;
	for (const char *p = s;
	     i <= nlines && (p = memchr(p, '\n', len - (size_t)(p - s))) != NULL;)
		v[i++] = (size_t)(++p - s);
	for (; i <= nlines + 1; i++)
		v[i] = len;
	return v;
}

/* Whether a block sequence item at column col starts line ls (its first
 * col - 1 bytes): spaces, its dash, then spaces. */
static int
dash_line(const char *ls, size_t avail, int col)
{
	size_t n = (size_t)col - 1, i = 0;
	if (col < 3 || n > avail)
		return 0;
	while (i < n && ls[i] == ' ')
		i++;
	if (i >= n || ls[i] != '-')
		return 0;
	for (i++; i < n; i++)
		if (ls[i] != ' ')
			return 0;
	return 1;
}

/* ---- copying nodes into the new document ---- */

static struct node *
copy_node(struct build *b, const struct node *n, int shift)
{
	struct node *c = doc_node_new(b, n->kind, n->line + shift, n->col);
	c->n = n->n;
	c->len = n->len;
	if (n->kind == NODE_FLOAT)
		c->f = n->f;
	else
		c->i = n->i;
	if (n->kind != NODE_SEQ && n->kind != NODE_MAP) {
		c->str = arena_strndup(b->a, n->str, n->len);
		c->hash = shift == 0 ? __atomic_load_n(&n->hash, __ATOMIC_RELAXED) : 0;
		return c;
	}
	if (n->n == 0)
		return c;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
	c->items = arena_alloc(b->a, n->n * sizeof(*c->items));
	for (size_t i = 0; i < n->n; i++)
		c->items[i] = copy_node(b, n->items[i], shift);
	if (n->kind == NODE_MAP) {
		c->keys = arena_alloc(b->a, n->n * sizeof(*c->keys));
		c->key_lines = arena_alloc(b->a, n->n * sizeof(*c->key_lines));
		for (size_t i = 0; i < n->n; i++) {
			c->keys[i] = doc_intern_key(b, n->keys[i], strlen(n->keys[i]));
			c->key_lines[i] = n->key_lines[i] + shift;
		}
	}
	c->hash = shift == 0 ? __atomic_load_n(&n->hash, __ATOMIC_RELAXED) : 0;
	return c;
}

/* ---- the update ---- */

/* Where the register is in the earlier document, and which record the
 * change is in. */
struct site {
	const struct node *root, *list;
	size_t li;  /* root MAP: the list's key; root SEQ: unused */
	size_t k;   /* the record that changed */
	int hdr;    /* the last line above the first record (kept as it is) */
	int end;    /* the last line of record k */
	int follow; /* what the line after record k starts: 0 nothing, 1 the
	             * next record, 2 the next key of the root */
};

/* The register holding the change: the root list, or the block list
 * value of a root key, whose record k holds every changed line. */
static int
find_site(const struct doc *prev, const struct change *c, struct site *st)
{
	const struct node *root = prev->root;
	int lo = c->old_hi >= c->lo ? c->lo : c->lo - 1;
	memset(st, 0, sizeof(*st));
	st->root = root;
	for (size_t i = 0; root->kind == NODE_MAP && i < root->n; i++) {
		const struct node *v = root->items[i];
		if (v->kind != NODE_SEQ || v->n == 0 || root->key_lines[i] >= v->items[0]->line)
			continue;
		int end = i + 1 < root->n ? root->key_lines[i + 1] - 1 : c->old_lines;
		if (v->items[0]->line <= lo && c->old_hi <= end) {
			st->list = v;
			st->li = i;
			st->end = end;
			st->follow = i + 1 < root->n ? 2 : 0;
			break;
		}
	}
	if (root->kind == NODE_SEQ && root->n > 0 && root->items[0]->line <= lo) {
		st->list = root;
		st->end = c->old_lines;
	}
	if (st->list == NULL)
		return -1;
	/* Everything above the first record stays as it is: a tag or an
	 * anchor there places the list (or the root) where it stands. */
	const struct node *l = st->list;
	st->hdr = l->items[0]->line - 1;
	/* The last record starting at or before lo. */
	size_t a = 0, z = l->n;
	while (z - a > 1) {
		size_t mid = a + (z - a) / 2;
		if (l->items[mid]->line <= lo)
			a = mid;
		else
			z = mid;
	}
	st->k = a;
	if (a + 1 < l->n) {
		st->end = l->items[a + 1]->line - 1;
		st->follow = 1;
	}
	return c->old_hi <= st->end && st->end >= l->items[a]->line ? 0 : -1;
}

/* The text the parser is given (*n bytes, the caller's to free): lines
 * 1..hdr, blank lines, the lines of record k as they are now, and the
 * line after them. */
static char *
masked_text(const char *s, const size_t *ls, const struct site *st, int first, int last, int nlines,
            size_t *n)
{
	int upto = last + (st->follow ? 1 : 0);
	if (upto > nlines)
		upto = nlines;
	size_t head = ls[st->hdr], blank = (size_t)(first - 1 - st->hdr),
	       body = ls[upto] - ls[first - 1];
	char *t = xmalloc(head + blank + body + 1);
	memcpy(t, s, head);
	memset(t + head, '\n', blank);
	memcpy(t + head + blank, s + ls[first - 1], body);
	*n = head + blank + body;
	t[*n] = '\0';
	return t;
}

/* Whether m, the parse of the masked text, is the shape it must be: the
 * same root with the same keys up to the list, the list holding the new
 * records and, when the next record's line was given, that record's
 * start where the earlier document has it. *nnew receives the count of
 * new records. */
static const struct node *
new_records(const struct doc *m, const struct site *st, const struct change *c, size_t *nnew)
{
	const struct node *r = m->root, *root = st->root, *l;
	int shift = c->new_hi - c->old_hi;
	if (r == NULL || r->kind != root->kind)
		return NULL;
	if (r->kind == NODE_MAP) {
		size_t want = st->li + 1 + (st->follow == 2 ? 1 : 0);
		if (r->n != want)
			return NULL;
		for (size_t i = 0; i < want; i++)
			if (strcmp(r->keys[i], root->keys[i]) != 0 ||
			    r->key_lines[i] != root->key_lines[i] + (i > st->li ? shift : 0))
				return NULL;
		l = r->items[st->li];
	} else {
		l = r;
	}
	if (l->kind != NODE_SEQ || l->n < 1)
		return NULL;
	*nnew = l->n;
	if (st->follow == 1) {
		const struct node *next = st->list->items[st->k + 1], *got = l->items[l->n - 1];
		if (l->n < 2 || got->line != next->line + shift || got->col != next->col)
			return NULL;
		*nnew = l->n - 1;
	}
	return l;
}

/* Put the new document together: the earlier root with the list's
 * records k..k replaced by the nnew records of nl. */
static struct node *
assemble(struct build *b, const struct site *st, const struct node *nl, size_t nnew, int shift)
{
	const struct node *root = st->root, *l = st->list;
	struct node *list = doc_node_new(b, NODE_SEQ, l->line, l->col);
	if (st->k == 0) {
		list->line = nl->line;
		list->col = nl->col;
	}
	list->n = (uint32_t)(l->n - 1 + nnew);
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
	list->items = arena_alloc(b->a, list->n * sizeof(*list->items));
	size_t j = 0;
	for (size_t i = 0; i < st->k; i++)
		list->items[j++] = copy_node(b, l->items[i], 0);
	for (size_t i = 0; i < nnew; i++)
		list->items[j++] = copy_node(b, nl->items[i], 0);
	for (size_t i = st->k + 1; i < l->n; i++)
		list->items[j++] = copy_node(b, l->items[i], shift);
	if (root == l)
		return list;
	struct node *r = doc_node_new(b, NODE_MAP, root->line, root->col);
	r->n = root->n;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
	r->items = arena_alloc(b->a, r->n * sizeof(*r->items));
	r->keys = arena_alloc(b->a, r->n * sizeof(*r->keys));
	r->key_lines = arena_alloc(b->a, r->n * sizeof(*r->key_lines));
	for (size_t i = 0; i < root->n; i++) {
		int s = i > st->li ? shift : 0;
		r->keys[i] = doc_intern_key(b, root->keys[i], strlen(root->keys[i]));
		r->key_lines[i] = root->key_lines[i] + s;
		r->items[i] = i == st->li ? list : copy_node(b, root->items[i], s);
	}
	return r;
}

struct doc *
doc_update(const struct doc *prev, const char *old, size_t oldlen, const char *buf, size_t len)
{
	if (prev == NULL || prev->root == NULL || prev->format != DOC_YAML || old == NULL ||
	    buf == NULL || len > INT_MAX || oldlen > INT_MAX)
		return NULL;
	old = skip_bom(old, &oldlen);
	const char *s = skip_bom(buf, &len);
	struct change c;
	struct site st;
	if (!doc_text_plain(old, oldlen) || !doc_text_plain(s, len) ||
	    find_change(old, oldlen, s, len, &c) < 0 || find_site(prev, &c, &st) < 0)
		return NULL;
	int shift = c.new_hi - c.old_hi;
	int first = st.list->items[st.k]->line, last = st.end + shift;
	size_t *ls = line_starts(s, len, c.new_lines);
	size_t *ols = line_starts(old, oldlen, c.old_lines);
	struct doc *out = NULL, *m = NULL;
	/* Record k starts its line with its dash, in both texts, and so do
	 * the one after it and the first (the lines above it are kept). */
	int col = st.list->items[st.k]->col;
	const struct node *top = st.list->items[0];
	int ok = last >= first && dash_line(s + ls[first - 1], len - ls[first - 1], col) &&
	         dash_line(old + ols[first - 1], oldlen - ols[first - 1], col) &&
	         dash_line(old + ols[top->line - 1], oldlen - ols[top->line - 1], top->col);
	if (ok && st.follow == 1) {
		const struct node *next = st.list->items[st.k + 1];
		ok = dash_line(old + ols[next->line - 1], oldlen - ols[next->line - 1], next->col);
	}
	char *text = NULL;
	size_t tlen = 0;
	if (ok) {
		text = masked_text(s, ls, &st, first, last, c.new_lines, &tlen);
		m = doc_parse(prev->path, text, tlen);
	}
	size_t nnew = 0;
	const struct node *nl = m && m->error == NULL ? new_records(m, &st, &c, &nnew) : NULL;
	if (nl) {
		out = xcalloc(1, sizeof(*out));
		out->path = xstrdup(prev->path);
		out->format = DOC_YAML;
		out->arena = arena_new();
		struct build b = { .d = out, .a = out->arena };
		out->root = assemble(&b, &st, nl, nnew, shift);
		free(b.keys.v);
		/* No more nodes than a full parse allows: a file near the limit
		 * is parsed in full, which says so. */
		if (b.nodes + 16 >= DOC_MAX_NODES) {
			doc_free(out);
			out = NULL;
		}
	}
	doc_free(m);
	free(text);
	free(ls);
	free(ols);
	return out;
}
