/* doc_parse.c - parse ISMS records into node trees: the checks every
 * text gets, the builder the parsers share (nodes, keys, duplicates,
 * plain scalars resolved), Markdown as YAML front matter plus a body, and
 * doc_parse, which picks the parser. Every node keeps its line, and
 * everything a document holds lives in its arena. */
#include "doc.h"

#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "log.h"
#include "alloc.h"
#include "doc_int.h"

/* Record the first parse error of d; later ones are consequences. */
int
doc_fail(struct doc *d, int line, const char *fmt, ...)
{
	va_list ap;

	if (d->error != NULL)
		return -1;
	va_start(ap, fmt);
	d->error = xvasprintf(fmt, ap);
	va_end(ap);
	d->error_line = line;
	return -1;
}

/* Copy up to about 40 bytes of s for a message, cut at a character
 * boundary, with control characters shown as '?'. */
const char *
doc_clip(char *out, size_t size, const char *s, size_t len)
{
	size_t max = size - 4, n = len < max ? len : max;

	if (n < len)
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	strcpy(out + n, n < len ? "..." : "");
	return out;
}

/* Count the line (1-based) that byte off of s falls on. */
int
doc_line_at(const char *s, size_t len, size_t off)
{
	int line = 1;
	const char *p = s, *end = s + (off < len ? off : len);

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		line++;
		p++;
	}
	return line;
}

/* Count the lines of s: a last line without a newline counts too. */
int
doc_line_count(const char *s, size_t len)
{
	int n = doc_line_at(s, len, len);

	if (len == 0 || s[len - 1] == '\n')
		n--;
	return n < 1 ? 1 : n;
}

/* Whether the eight bytes of v are all ASCII and none is NUL or CR. */
static int
plain_ascii8(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t cr = v ^ (ones * '\r');

	return (v & highs) == 0 && ((v - ones) & ~v & highs) == 0 &&
	       ((cr - ones) & ~cr & highs) == 0;
}

/* Offset of the first NUL byte or the first byte that does not start a
 * valid UTF-8 sequence (overlong forms, surrogates and code points past
 * U+10FFFF are invalid); len when the text is clean. *odd is set when the
 * text holds a line break other than LF and CR LF. */
static size_t
bad_text(const unsigned char *s, size_t len, int *nul, int *odd)
{
	size_t i = 0;

	*nul = *odd = 0;
	while (i < len) {
		uint64_t v;
		if (len - i >= 8 && (memcpy(&v, s + i, 8), plain_ascii8(v))) {
			i += 8;
			continue;
		}
		unsigned c = s[i];
		if (c < 0x80) {
			if (c == 0) {
				*nul = 1;
				return i;
			}
			if (c == '\r' && (i + 1 == len || s[i + 1] != '\n'))
				*odd = 1;
			i++;
			continue;
		}
		size_t need;
		uint32_t cp;
		if (c >= 0xC2 && c <= 0xDF)
			need = 1, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			need = 2, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			need = 3, cp = c & 0x07;
		else
			return i;
		if (len - i <= need)
			return i;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if (need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)))
			return i;
		if (need == 3 && (cp < 0x10000 || cp > 0x10FFFF))
			return i;
		if (cp == 0x85 || cp == 0x2028 || cp == 0x2029)
			*odd = 1;
		i += need + 1;
	}
	return len;
}

/* Refuse text with NUL bytes or invalid UTF-8, naming the line; *odd
 * tells whether it has line breaks other than LF and CR LF. */
static int
check_text(struct doc *d, const char *s, size_t len, int *odd)
{
	int nul;
	size_t off = bad_text((const unsigned char *)s, len, &nul, odd);

	if (off == len)
		return 0;
	if (nul)
		return doc_fail(d, doc_line_at(s, len, off),
		                "contains a NUL byte; this looks like a binary file, "
		                "not text");
	return doc_fail(d, doc_line_at(s, len, off),
	                "not valid UTF-8 text; save the file with UTF-8 encoding");
}

int
doc_text_plain(const char *s, size_t len)
{
	int nul, odd;
	return bad_text((const unsigned char *)s, len, &nul, &odd) == len && !odd;
}

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

/* Create the "C" numeric locale that number conversion uses. */
static void
c_locale_init(void)
{
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (c_locale == (locale_t)0)
		fatal("cannot create the C locale");
}

/* Convert s (NUL-terminated, already checked as a number) to a double,
 * with '.' as the decimal point whatever the process locale. */
static double
to_double(const char *s)
{
	pthread_once(&c_locale_once, c_locale_init);
	return strtod_l(s, NULL, c_locale);
}

/* Parse [-+]?[0-9]+ of len bytes into *out; -1 when it does not fit. */
int
doc_to_int64(const char *s, size_t len, int64_t *out)
{
	uint64_t v = 0, limit = INT64_MAX;
	size_t i = 0;
	int neg = 0;

	if (s[0] == '-' || s[0] == '+')
		neg = s[i++] == '-';
	if (neg)
		limit++;
	for (; i < len; i++) {
		unsigned dg = (unsigned)(s[i] - '0');
		if (v > (limit - dg) / 10)
			return -1;
		v = v * 10 + dg;
	}
	if (neg)
		*out = v == limit ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;
	return 0;
}

/* Whether c is an ASCII digit. */
int
doc_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Make n a FLOAT from its text, refusing numbers too large for a double. */
int
doc_set_float(struct build *b, struct node *n)
{
	char tmp[48];

	n->kind = NODE_FLOAT;
	n->f = to_double(n->str);
	if (isinf(n->f))
		return doc_fail(b->d, n->line, "the number %s is too large",
		                doc_clip(tmp, sizeof(tmp), n->str, n->len));
	return 0;
}

/* Length of the run of digits at s[i..len). */
static size_t
digits(const char *s, size_t i, size_t len)
{
	size_t j = i;

	while (j < len && doc_digit(s[j]))
		j++;
	return j - i;
}

/* Whether s is a YAML 1.2 core-schema float without a special value:
 * [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int
float_syntax(const char *s, size_t len)
{
	size_t i = 0, m;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	m = digits(s, i, len);
	i += m;
	if (i < len && s[i] == '.') {
		size_t f = digits(s, i + 1, len);
		if (m == 0 && f == 0)
			return 0;
		i += 1 + f;
	} else if (m == 0)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		m = digits(s, i, len);
		if (m == 0)
			return 0;
		i += m;
	}
	return i == len;
}

/* Whether s is one of the words in list (NULL-terminated). */
static int
one_of(const char *s, size_t len, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == len && memcmp(*list, s, len) == 0)
			return 1;
	return 0;
}

static const char *const null_words[] = { "~", "null", "Null", "NULL", NULL };
static const char *const true_words[] = { "true", "True", "TRUE", NULL };
static const char *const false_words[] = { "false", "False", "FALSE", NULL };
static const char *const inf_words[] = { ".inf", ".Inf", ".INF", NULL };
static const char *const nan_words[] = { ".nan", ".NaN", ".NAN", NULL };

/* Resolve a plain YAML scalar (n is a STRING holding its text) as the
 * YAML 1.2 core schema does, with decimal integers only: null, booleans,
 * whole numbers, numbers, and text for everything else (dates too). */
int
doc_resolve(struct build *b, struct node *n)
{
	const char *s = n->str;
	size_t len = n->len, i;

	if (len == 0 || one_of(s, len, null_words)) {
		n->kind = NODE_NULL;
		return 0;
	}
	if (strchr("nNtTfF+-.0123456789", s[0]) == NULL)
		return 0;
	if (one_of(s, len, true_words) || one_of(s, len, false_words)) {
		n->kind = NODE_BOOL;
		n->i = s[0] == 't' || s[0] == 'T';
		return 0;
	}
	i = s[0] == '-' || s[0] == '+';
	if (i < len && one_of(s + i, len - i, inf_words)) {
		n->kind = NODE_FLOAT;
		n->f = s[0] == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	if (one_of(s, len, nan_words)) {
		n->kind = NODE_FLOAT;
		n->f = NAN;
		return 0;
	}
	if (i < len && digits(s, i, len) == len - i) {
		if (doc_to_int64(s, len, &n->i) == 0) {
			n->kind = NODE_INT;
			return 0;
		}
		return doc_set_float(b, n);
	}
	if (float_syntax(s, len))
		return doc_set_float(b, n);
	return 0;
}

/* A new node of kind k at line and col, in the arena, with empty text. */
struct node *
doc_node_new(struct build *b, enum node_kind k, int line, int col)
{
	struct node *n = arena_alloc(b->a, sizeof(*n));

	b->nodes++;
	memset(n, 0, sizeof(*n));
	n->str = "";
	n->kind = k;
	n->line = line;
	n->col = col;
	return n;
}

/* The file holds more values than one record file may. */
int
doc_too_many(struct build *b, int line)
{
	return doc_fail(b->d, line,
	                "the file holds more than %d values; split "
	                "it into smaller record files",
	                DOC_MAX_NODES);
}

/* Push a child of the innermost open container. */
void
doc_push_kid(struct build *b, const char *key, size_t klen, int kline, struct node *val)
{
	if (b->nkids == b->capkids) {
		b->capkids = b->capkids ? b->capkids * 2 : 256;
		b->kids = xreallocarray(b->kids, b->capkids, sizeof(*b->kids));
	}
	b->kids[b->nkids++] = (struct kid){ key, klen, kline, val };
}

/* A collection file holds thousands of records with the same few field
 * names: storing each name once keeps a record's keys on a few shared
 * cache lines, which is what field lookups from rules touch. */
static size_t
key_hash(const char *s, size_t len)
{
	size_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h ^ len;
}

const char *
doc_intern_key(struct build *b, const char *s, size_t len)
{
	if (b->keys.n * 2 >= b->keys.cap) {
		size_t cap = b->keys.cap ? b->keys.cap * 2 : 64;
		const char **v = xcalloc(cap, sizeof(*v));
		for (size_t i = 0; i < b->keys.cap; i++) {
			const char *k = b->keys.v[i];
			if (k == NULL)
				continue;
			size_t j = key_hash(k, strlen(k)) & (cap - 1);
			while (v[j])
				j = (j + 1) & (cap - 1);
			v[j] = k;
		}
		free(b->keys.v);
		b->keys.v = v;
		b->keys.cap = cap;
	}
	size_t j = key_hash(s, len) & (b->keys.cap - 1);
	for (const char *k; (k = b->keys.v[j]) != NULL; j = (j + 1) & (b->keys.cap - 1))
		if (strncmp(k, s, len) == 0 && k[len] == '\0')
			return k;
	b->keys.n++;
	return b->keys.v[j] = arena_strndup(b->a, s, len);
}

/* Whether two children have the same key. */
static int
same_key(const struct kid *x, const struct kid *y)
{
	return x->klen == y->klen && memcmp(x->key, y->key, x->klen) == 0;
}

/* Report key k (seen first as first). */
static int
dup_key(struct build *b, const struct kid *first, const struct kid *k)
{
	char tmp[48];

	return doc_fail(b->d, k->kline,
	                "the key '%s' appears twice in the same mapping, on line %d and "
	                "on line %d",
	                doc_clip(tmp, sizeof(tmp), k->key, k->klen), first->kline, k->kline);
}

/* Order children by key, then by position (they sit in one array). */
static int
kid_cmp(const void *x, const void *y)
{
	const struct kid *a = *(const struct kid *const *)x;
	const struct kid *b = *(const struct kid *const *)y;
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int c = memcmp(a->key, b->key, n);

	if (c != 0)
		return c;
	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Refuse a mapping whose keys k[0..n) repeat one, naming the repeat that
 * comes first in the file: a plain scan for small mappings, a sort of
 * pointers for large ones (n log n whatever the keys). */
static int
check_dups(struct build *b, const struct kid *k, size_t n)
{
	const struct kid *first = NULL, *again = NULL;

	if (n <= 16) {
		for (size_t i = 1; i < n; i++)
			for (size_t j = 0; j < i; j++)
				if (same_key(&k[i], &k[j]))
					return dup_key(b, &k[j], &k[i]);
		return 0;
	}
	if (n > b->capsort) {
		free(b->sort);
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
		b->sort = xreallocarray(NULL, n, sizeof(*b->sort));
		b->capsort = n;
	}
	for (size_t i = 0; i < n; i++)
		b->sort[i] = &k[i];
	qsort(b->sort, n, sizeof(*b->sort), kid_cmp); /* NOLINT(bugprone-sizeof-expression) */
	for (size_t i = 1; i < n; i++) {
		if (!same_key(b->sort[i - 1], b->sort[i]))
			continue;
		if (again == NULL || b->sort[i] < again) {
			again = b->sort[i];
			first = b->sort[i - 1];
		}
		while (i + 1 < n && same_key(b->sort[i], b->sort[i + 1]))
			i++;
	}
	return again ? dup_key(b, first, again) : 0;
}

/* Close container n: move its children (from index base on the stack)
 * into arena arrays and check a mapping's keys. */
int
doc_finish(struct build *b, struct node *n, size_t base)
{
	size_t cnt = b->nkids - base;
	/* No child yet in any container: kids may still be NULL. */
	const struct kid *k = cnt ? b->kids + base : NULL;

	n->n = cnt;
	if (cnt > 0) {
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
		n->items = arena_alloc(b->a, cnt * sizeof(*n->items));
		for (size_t i = 0; i < cnt; i++)
			n->items[i] = k[i].val;
	}
	if (n->kind == NODE_MAP && cnt > 0) {
		n->keys = arena_alloc(b->a, cnt * sizeof(*n->keys));
		n->key_lines = arena_alloc(b->a, cnt * sizeof(*n->key_lines));
		for (size_t i = 0; i < cnt; i++) {
			n->keys[i] = k[i].key;
			n->key_lines[i] = k[i].kline;
		}
		if (check_dups(b, k, cnt) < 0)
			return -1;
	}
	b->nkids = base;
	return 0;
}
/* ---- Markdown ---- */

/* Whether the line at s[at] is exactly mark (3 bytes) followed by a line
 * end or the end of the text; *next receives the start of the next line. */
static int
fence(const char *s, size_t len, size_t at, const char *mark, size_t *next)
{
	if (len - at < 3 || memcmp(s + at, mark, 3) != 0)
		return 0;
	at += 3;
	if (at < len && s[at] == '\r')
		at++;
	if (at == len || s[at] == '\n') {
		*next = at < len ? at + 1 : len;
		return 1;
	}
	return 0;
}

/* Parse a Markdown file: YAML front matter between '---' lines at the top
 * (a mapping, with file line numbers), and the body after it. */
static int
parse_md(struct build *b, const char *s, size_t len, struct node **out)
{
	struct doc *d = b->d;
	size_t start, at, next = 0;
	int line = 2, found = 0;
	struct node *root;

	if (!fence(s, len, 0, "---", &start)) {
		*out = doc_node_new(b, NODE_MAP, 1, 1);
		d->body = arena_strndup(b->a, s, len);
		d->body_len = len;
		d->body_line = 1;
		return 0;
	}
	for (at = start; at < len; line++) {
		if (fence(s, len, at, "---", &next) || fence(s, len, at, "...", &next)) {
			found = 1;
			break;
		}
		const char *nl = memchr(s + at, '\n', len - at);
		if (nl == NULL)
			break;
		at = (size_t)(nl - s) + 1;
	}
	if (!found)
		return doc_fail(d, 1,
		                "the front matter that starts on line 1 is "
		                "never closed with a '---' line");
	b->line_off = 1;
	if (doc_yaml_parse(b, s + start, at - start, &root) < 0)
		return -1;
	if (root->kind == NODE_NULL)
		root = doc_node_new(b, NODE_MAP, 1, 1);
	else if (root->kind != NODE_MAP)
		return doc_fail(d, root->line,
		                "the front matter must be a "
		                "mapping of fields (lines of 'name: value'), not %s",
		                node_kind_name(root->kind));
	*out = root;
	d->body = arena_strndup(b->a, s + next, len - next);
	d->body_len = len - next;
	d->body_line = line + 1;
	return 0;
}

/* Parse buf as the format path names. The result is the caller's, to free
 * with doc_free; on failure root is NULL and error says why. */
struct doc *
doc_parse(const char *path, const char *buf, size_t len)
{
	struct doc *d = xcalloc(1, sizeof(*d));
	struct build b = { .d = d };
	struct node *root = NULL;
	int fmt, rc = -1;

	d->path = xstrdup(path ? path : "");
	d->arena = arena_new();
	b.a = d->arena;
	if (buf == NULL)
		len = 0, buf = "";
	if ((fmt = doc_format_of(d->path)) < 0) {
		doc_fail(d, 0,
		         "not a record file: the name must end in .yaml, "
		         ".yml, .json or .md");
		return d;
	}
	d->format = (enum doc_format)fmt;
	if (len > INT_MAX) {
		doc_fail(d, 0, "the file is too large to read as a record");
		return d;
	}
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		buf += 3, len -= 3;
	if (check_text(d, buf, len, &b.odd_breaks) < 0)
		return d;
	switch (d->format) {
	case DOC_YAML: rc = doc_yaml_parse(&b, buf, len, &root); break;
	case DOC_JSON: rc = doc_json_parse(&b, buf, len, &root); break;
	case DOC_MARKDOWN: rc = parse_md(&b, buf, len, &root); break;
	}
	if (rc == 0 && d->error == NULL)
		d->root = root;
	else {
		d->body = NULL;
		d->body_len = 0;
	}
	free(b.kids);
	free(b.sort);
	free(b.keys.v);
	return d;
}
