/* doc.c - parse ISMS records into node trees: YAML through libyaml's event
 * parser, JSON with a small strict parser of our own, and Markdown as YAML
 * front matter plus a body. Every node keeps its line, and everything a
 * document holds lives in its arena. */
#include "doc.h"

#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "arena.h"
#include "log.h"
#include "cdefs.h"
#include "alloc.h"
#include "buf.h"

/* One child of a container being built: a list item, or a key and value. */
struct kid {
	const char *key; /* MAP: the key, in the arena; NULL in a SEQ */
	size_t klen;
	int kline;
	struct node *val;
};

/* State shared by the parsers while one document is built. The children
 * of every open container sit on one stack, innermost last; a container
 * copies its own into arena arrays when it closes. */
struct build {
	struct doc *d;
	struct arena *a;
	struct kid *kids;
	size_t nkids, capkids;
	const struct kid **sort; /* scratch for finding duplicate keys */
	size_t capsort;
	struct { /* interned keys (see intern_key) */
		const char **v;
		size_t n, cap; /* cap: 0 or a power of two */
	} keys;
	size_t nodes;    /* made so far, against DOC_MAX_NODES */
	const char *src; /* the text given to the YAML parser */
	size_t srclen;
	int line_off;                    /* added to YAML lines (Markdown front matter) */
	int odd_breaks;                  /* the text has a lone CR, NEL, LS or PS */
	size_t last_line;                /* of the YAML text: marks past it are clamped */
	struct {                         /* where() position: character index -> line */
		size_t byte, chars, sol; /* sol: index of the line's start */
		int line;
	} at;
};

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

/* Record the first parse error of d; later ones are consequences. */
static int doc_fail(struct doc *d, int line, const char *fmt, ...) PRINTF(3, 4);

static int
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
static const char *
clip(char *out, size_t size, const char *s, size_t len)
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
static int
line_at(const char *s, size_t len, size_t off)
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
static int
line_count(const char *s, size_t len)
{
	int n = line_at(s, len, len);

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
		return doc_fail(d, line_at(s, len, off),
		                "contains a NUL byte; this looks like a binary file, "
		                "not text");
	return doc_fail(d, line_at(s, len, off),
	                "not valid UTF-8 text; save the file with UTF-8 encoding");
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
static int
to_int64(const char *s, size_t len, int64_t *out)
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
static int
digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Make n a FLOAT from its text, refusing numbers too large for a double. */
static int
set_float(struct build *b, struct node *n)
{
	char tmp[48];

	n->kind = NODE_FLOAT;
	n->f = to_double(n->str);
	if (isinf(n->f))
		return doc_fail(b->d, n->line, "the number %s is too large",
		                clip(tmp, sizeof(tmp), n->str, n->len));
	return 0;
}

/* Length of the run of digits at s[i..len). */
static size_t
digits(const char *s, size_t i, size_t len)
{
	size_t j = i;

	while (j < len && digit(s[j]))
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
static int
resolve(struct build *b, struct node *n)
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
		if (to_int64(s, len, &n->i) == 0) {
			n->kind = NODE_INT;
			return 0;
		}
		return set_float(b, n);
	}
	if (float_syntax(s, len))
		return set_float(b, n);
	return 0;
}

/* A new node of kind k at line and col, in the arena, with empty text. */
static struct node *
node_new(struct build *b, enum node_kind k, int line, int col)
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
static int
too_many(struct build *b, int line)
{
	return doc_fail(b->d, line,
	                "the file holds more than %d values; split "
	                "it into smaller record files",
	                DOC_MAX_NODES);
}

/* Push a child of the innermost open container. */
static void
push_kid(struct build *b, const char *key, size_t klen, int kline, struct node *val)
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

static const char *
intern_key(struct build *b, const char *s, size_t len)
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
	                clip(tmp, sizeof(tmp), k->key, k->klen), first->kline, k->kline);
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
static int
finish(struct build *b, struct node *n, size_t base)
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

/* ---- YAML ---- */

/* An open YAML container. */
struct frame {
	struct node *n;
	size_t base;  /* its first child on the kid stack */
	int want_key; /* MAP: the next scalar is a key */
};

/* The YAML tree builder: open containers and the result. */
struct ytree {
	struct build *b;
	struct frame st[DOC_MAX_DEPTH];
	int depth;
	int ndocs;
	struct node *root;
};

/* Find the file line and the column of a libyaml mark. libyaml also
 * breaks lines at a lone CR, NEL, LS and PS; when the text holds one of
 * those, the line is recounted from the mark's character index so that
 * only LF counts, as in editors and grep -n. Marks mostly come in file
 * order, so the count resumes where the last one stopped. A mark at the
 * very end (an empty value on the last line) stays on the last line. */
static void
where(struct build *b, yaml_mark_t m, int *line, int *col)
{
	size_t l = m.line + 1, c = m.column + 1;

	if (b->odd_breaks) {
		if (m.index < b->at.chars || b->at.line == 0) {
			memset(&b->at, 0, sizeof(b->at));
			b->at.line = 1;
		}
		while (b->at.chars < m.index && b->at.byte < b->srclen) {
			unsigned char ch = (unsigned char)b->src[b->at.byte];
			b->at.byte += ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
			b->at.chars++;
			if (ch == '\n') {
				b->at.line++;
				b->at.sol = b->at.chars;
			}
		}
		l = (size_t)b->at.line;
		c = m.index - b->at.sol + 1;
	}
	if (l > b->last_line)
		l = b->last_line;
	l += (size_t)b->line_off;
	*line = l > INT_MAX ? INT_MAX : (int)l;
	if (col != NULL)
		*col = c > INT_MAX ? INT_MAX : (int)c;
}

/* The file line of a libyaml mark. */
static int
mark_line(struct build *b, yaml_mark_t m)
{
	int line;

	where(b, m, &line, NULL);
	return line;
}

/* Hang a finished node under the innermost open container (or make it
 * the root). */
static int
attach(struct ytree *y, struct node *n)
{
	if (y->depth == 0) {
		y->root = n;
		return 0;
	}
	struct frame *f = &y->st[y->depth - 1];
	if (f->n->kind == NODE_SEQ) {
		push_kid(y->b, NULL, 0, 0, n);
		return 0;
	}
	if (f->want_key)
		return doc_fail(y->b->d, n->line,
		                "a key must be a plain value, not a list or mapping");
	y->b->kids[y->b->nkids - 1].val = n;
	f->want_key = 1;
	return 0;
}

/* Whether a scalar's tag asks for text whatever it looks like. */
static int
tag_says_text(const yaml_char_t *tag)
{
	return tag != NULL && (strcmp((const char *)tag, "!") == 0 ||
	                       strcmp((const char *)tag, YAML_STR_TAG) == 0);
}

/* Handle a scalar event: a key of the open mapping, or a value. */
static int
y_scalar(struct ytree *y, const yaml_event_t *e)
{
	struct build *b = y->b;
	const char *s = (const char *)e->data.scalar.value;
	size_t len = e->data.scalar.length;
	yaml_scalar_style_t style = e->data.scalar.style;
	int line, col;

	where(b, e->start_mark, &line, &col);

	/* Only an escape in double quotes can put a NUL in a scalar. */
	if (style == YAML_DOUBLE_QUOTED_SCALAR_STYLE && memchr(s, 0, len))
		return doc_fail(b->d, line, "text cannot contain the NUL character (\\0)");
	if (y->depth > 0) {
		struct frame *f = &y->st[y->depth - 1];
		if (f->n->kind == NODE_MAP && f->want_key) {
			push_kid(b, intern_key(b, s, len), len, line, NULL);
			f->want_key = 0;
			return 0;
		}
	}
	struct node *n = node_new(b, NODE_STRING, line, col);
	n->str = arena_strndup(b->a, s, len);
	n->len = len;
	if (style == YAML_PLAIN_SCALAR_STYLE && !tag_says_text(e->data.scalar.tag))
		if (resolve(b, n) < 0)
			return -1;
	return attach(y, n);
}

/* Handle the start of a list or mapping. */
static int
y_open(struct ytree *y, enum node_kind k, const yaml_event_t *e)
{
	struct build *b = y->b;
	int line, col;

	where(b, e->start_mark, &line, &col);
	if (y->depth > 0) {
		struct frame *f = &y->st[y->depth - 1];
		if (f->n->kind == NODE_MAP && f->want_key)
			return doc_fail(b->d, line,
			                "a key must be a plain value, not a list or mapping");
	}
	if (y->depth == DOC_MAX_DEPTH)
		return doc_fail(b->d, line,
		                "lists and mappings are nested more than %d levels deep",
		                DOC_MAX_DEPTH);
	struct frame *f = &y->st[y->depth++];
	f->n = node_new(b, k, line, col);
	f->base = b->nkids;
	f->want_key = k == NODE_MAP;
	return 0;
}

/* Handle the end of the innermost list or mapping. */
static int
y_close(struct ytree *y)
{
	if (y->depth == 0)
		return doc_fail(y->b->d, 1, "the YAML structure is unbalanced");
	struct frame *f = &y->st[--y->depth];
	if (f->n->kind == NODE_MAP && !f->want_key)
		y->b->kids[y->b->nkids - 1].val = node_new(y->b, NODE_NULL, f->n->line, f->n->col);
	if (finish(y->b, f->n, f->base) < 0)
		return -1;
	return attach(y, f->n);
}

/* Handle one parser event; *done is set at the end of the stream. */
static int
y_event(struct ytree *y, const yaml_event_t *e, int *done)
{
	struct build *b = y->b;
	char tmp[48];
	const char *anchor;

	switch (e->type) {
	case YAML_STREAM_END_EVENT: *done = 1; return 0;
	case YAML_DOCUMENT_START_EVENT:
		if (y->ndocs++ > 0)
			return doc_fail(b->d, mark_line(b, e->start_mark),
			                "more than one YAML document in the file (a line "
			                "'---' starts a second one)");
		return 0;
	case YAML_ALIAS_EVENT:
		anchor = (const char *)e->data.alias.anchor;
		return doc_fail(b->d, mark_line(b, e->start_mark),
		                "aliases (*%s) are not supported in ISMS records; write the "
		                "value out in full",
		                clip(tmp, sizeof(tmp), anchor, strlen(anchor)));
	case YAML_SCALAR_EVENT:
		if (b->nodes >= DOC_MAX_NODES)
			return too_many(b, mark_line(b, e->start_mark));
		return y_scalar(y, e);
	case YAML_SEQUENCE_START_EVENT: return y_open(y, NODE_SEQ, e);
	case YAML_MAPPING_START_EVENT: return y_open(y, NODE_MAP, e);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: return y_close(y);
	default: return 0;
	}
}

/* How a libyaml message is shown: at the line where its context (a quoted
 * text, a key, a '[') started, or with that line named in the text. */
#define AT_CTX   1
#define NOTE_CTX 2

/* libyaml's messages, put in plainer words. */
static const struct {
	const char *problem;
	const char *context; /* NULL: any */
	const char *say;
	int how;
} yaml_says[] = {
	{ "found unexpected end of stream", "while scanning a quoted scalar",
	  "the quoted text that starts on this line is never closed", AT_CTX },
	{ "found unexpected end of stream", NULL, "the file ends in the middle of a value", 0 },
	{ "could not find expected ':'", NULL, "expected ':' after the key on this line", AT_CTX },
	{ "mapping values are not allowed in this context", NULL,
	  "a ':' is not allowed here: check the indentation, or put the "
	  "value in quotes if it contains ': '",
	  0 },
	{ "did not find expected key", NULL,
	  "bad indentation: this line does not line up with the fields "
	  "above it",
	  0 },
	{ "did not find expected '-' indicator", NULL,
	  "bad indentation: this line does not line up with the list "
	  "items above it",
	  0 },
	{ "found a tab character that violates indentation", NULL,
	  "a tab is used for indentation; YAML needs spaces", 0 },
	{ "found unknown escape character", NULL,
	  "unknown escape sequence in double-quoted text (write \\\\ for "
	  "a backslash, or use single quotes)",
	  0 },
	{ "did not find expected ',' or ']'", NULL, "expected ',' or ']': the list opened with '['",
	  NOTE_CTX },
	{ "did not find expected ',' or '}'", NULL,
	  "expected ',' or '}': the mapping opened with '{'", NOTE_CTX },
	{ "did not find expected node content", NULL, "expected a value here", 0 },
	{ "found character that cannot start any token", NULL,
	  "a value cannot start with this character (such as @ or `); put "
	  "the value in quotes",
	  0 },
	{ "block sequence entries are not allowed in this context", NULL,
	  "a list item ('- ') cannot follow a key on the same line; start "
	  "the list on the next line",
	  0 },
	{ "did not find expected <document start>", NULL,
	  "unexpected text after the end of the document", 0 },
};

/* Whether the text of the given line (1-based, in b->src) starts with
 * whitespace that holds a tab. */
static int
tab_indented(const struct build *b, int line)
{
	const char *p = b->src, *end = b->src + b->srclen;

	for (int l = 1; l < line && p < end; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	for (; p < end && (*p == ' ' || *p == '\t'); p++)
		if (*p == '\t')
			return 1;
	return 0;
}

/* Turn a libyaml reader failure (a character YAML does not allow) into
 * the document's error. */
static int
y_reader_error(struct build *b, const yaml_parser_t *p)
{
	int line = line_at(b->src, b->srclen, p->problem_offset) + b->line_off;

	if (p->problem_value >= 0 && p->problem_value < 0x20)
		return doc_fail(b->d, line,
		                "control character 0x%02X is not "
		                "allowed in YAML text",
		                p->problem_value);
	if (p->problem_value >= 0)
		return doc_fail(b->d, line,
		                "the character U+%04X is not allowed "
		                "in YAML text",
		                p->problem_value);
	return doc_fail(b->d, line, "%s", p->problem ? p->problem : "unreadable YAML text");
}

/* Turn a libyaml failure into the document's error; one found at the end
 * of the text says that the text ends too early. */
static int
y_error(struct build *b, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "unreadable YAML";
	const char *early = "";
	int cline = mark_line(b, p->context_mark), line;
	size_t chars = 0;

	if (p->error == YAML_MEMORY_ERROR)
		fatalx("out of memory parsing YAML");
	if (p->error == YAML_READER_ERROR)
		return y_reader_error(b, p);
	line = mark_line(b, p->problem_mark);
	for (size_t i = 0; i < b->srclen; i++)
		chars += ((unsigned char)b->src[i] & 0xC0) != 0x80;
	if (p->problem_mark.index >= chars)
		early = "the text ends too early: ";
	if (strcmp(problem, "found character that cannot start any token") == 0 &&
	    tab_indented(b, line - b->line_off))
		return doc_fail(b->d, line, "a tab is used for indentation; YAML needs spaces");
	for (size_t i = 0; i < NELEM(yaml_says); i++) {
		if (strcmp(problem, yaml_says[i].problem) != 0)
			continue;
		if (yaml_says[i].context &&
		    (p->context == NULL || strcmp(p->context, yaml_says[i].context) != 0))
			continue;
		if (yaml_says[i].how == AT_CTX && p->context)
			return doc_fail(b->d, cline, "%s", yaml_says[i].say);
		if (yaml_says[i].how == NOTE_CTX && p->context)
			return doc_fail(b->d, line, "%s%s on line %d is not closed", early,
			                yaml_says[i].say, cline);
		return doc_fail(b->d, line, "%s%s", early, yaml_says[i].say);
	}
	if (p->context)
		return doc_fail(b->d, line, "%s%s (%s started on line %d)", early, problem,
		                p->context, cline);
	return doc_fail(b->d, line, "%s%s", early, problem);
}

/* Parse YAML text s (len bytes, no BOM, valid UTF-8) into *out. An empty
 * stream gives a NULL node; more than one document is an error. */
static int
parse_yaml(struct build *b, const char *s, size_t len, struct node **out)
{
	yaml_parser_t p;
	yaml_event_t e;
	struct ytree y = { .b = b };
	int done = 0, rc = -1;

	if (!yaml_parser_initialize(&p))
		fatalx("out of memory starting the YAML parser");
	b->src = s;
	b->srclen = len;
	b->at.line = 0;
	b->last_line = (size_t)line_count(s, len);
	yaml_parser_set_input_string(&p, (const unsigned char *)s, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&p, &e)) {
			y_error(b, &p);
			goto out;
		}
		int r = y_event(&y, &e, &done);
		yaml_event_delete(&e);
		if (r < 0)
			goto out;
	}
	if (y.root == NULL)
		y.root = node_new(b, NODE_NULL, 1 + b->line_off, 1);
	*out = y.root;
	rc = 0;
out:
	yaml_parser_delete(&p);
	return rc;
}

/* ---- JSON ---- */

/* The JSON parser's position. */
struct jp {
	struct build *b;
	const char *p, *end;
	const char *ls; /* start of the current line */
	int line;
	const char *colp; /* characters from ls to colp: colc */
	size_t colc;
	struct buf sb; /* scratch for strings with escapes */
};

static int j_value(struct jp *j, int depth, struct node **out);

/* Fail at the current line. */
static int j_fail(struct jp *j, const char *fmt, ...) PRINTF(2, 3);

static int
j_fail(struct jp *j, const char *fmt, ...)
{
	va_list ap;

	if (j->b->d->error != NULL)
		return -1;
	va_start(ap, fmt);
	j->b->d->error = xvasprintf(fmt, ap);
	va_end(ap);
	j->b->d->error_line = j->line;
	return -1;
}

/* Skip whitespace, counting lines. */
static void
j_ws(struct jp *j)
{
	for (; j->p < j->end; j->p++) {
		char c = *j->p;
		if (c == '\n') {
			j->line++;
			j->ls = j->p + 1;
		} else if (c != ' ' && c != '\t' && c != '\r')
			break;
	}
}

/* A new node at the current position. Its column counts characters,
 * resuming from the last node's on the same line. */
static struct node *
j_node(struct jp *j, enum node_kind k)
{
	if (j->colp < j->ls) {
		j->colp = j->ls;
		j->colc = 0;
	}
	for (; j->colp < j->p; j->colp++)
		j->colc += ((unsigned char)*j->colp & 0xC0) != 0x80;
	return node_new(j->b, k, j->line, j->colc >= INT_MAX ? INT_MAX : (int)j->colc + 1);
}

/* Describe the character at the current position for a message. */
static const char *
j_what(struct jp *j, char *tmp, size_t size)
{
	unsigned char c;

	if (j->p >= j->end)
		return "the end of the file";
	c = (unsigned char)*j->p;
	if (c >= 0x20 && c < 0x7F)
		snprintf(tmp, size, "'%c'", c);
	else
		snprintf(tmp, size, "byte 0x%02X", c);
	return tmp;
}

/* Value of the hex digit c, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read the four hex digits of a \u escape at j->p. */
static int
j_hex4(struct jp *j, uint32_t *out)
{
	uint32_t v = 0;

	if (j->end - j->p < 4)
		return j_fail(j, "a \\u escape needs four hex digits");
	for (int i = 0; i < 4; i++) {
		int h = hexval(j->p[i]);
		if (h < 0)
			return j_fail(j, "a \\u escape needs four hex digits");
		v = v << 4 | (uint32_t)h;
	}
	j->p += 4;
	*out = v;
	return 0;
}

/* Append code point cp as UTF-8. */
static void
put_utf8(struct buf *sb, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80)
		u[0] = (char)cp, n = 1;
	else if (cp < 0x800)
		u[0] = (char)(0xC0 | cp >> 6), n = 2;
	else if (cp < 0x10000)
		u[0] = (char)(0xE0 | cp >> 12), n = 3;
	else
		u[0] = (char)(0xF0 | cp >> 18), n = 4;
	for (size_t i = 1; i < n; i++)
		u[i] = (char)(0x80 | ((cp >> (6 * (n - 1 - i))) & 0x3F));
	buf_add(sb, u, n);
}

/* Decode a \u escape (j->p after the 'u'), pairing surrogates. */
static int
j_unicode(struct jp *j)
{
	uint32_t cp = 0, lo = 0;

	if (j_hex4(j, &cp) < 0)
		return -1;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return j_fail(j,
		              "\\u%04X is half of a character (a lone "
		              "surrogate) and is not valid text",
		              (unsigned)cp);
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
			return j_fail(j,
			              "\\u%04X is half of a character (a lone "
			              "surrogate) and is not valid text",
			              (unsigned)cp);
		j->p += 2;
		if (j_hex4(j, &lo) < 0)
			return -1;
		if (lo < 0xDC00 || lo > 0xDFFF)
			return j_fail(j,
			              "\\u%04X is half of a character (a lone "
			              "surrogate) and is not valid text",
			              (unsigned)cp);
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	if (cp == 0)
		return j_fail(j, "text cannot contain the NUL character "
		                 "(\\u0000)");
	put_utf8(&j->sb, cp);
	return 0;
}

/* Decode the escape at j->p (just after the backslash). */
static int
j_escape(struct jp *j)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *at;

	if (j->p >= j->end)
		return j_fail(j, "the file ends inside quoted text");
	if (*j->p == 'u') {
		j->p++;
		return j_unicode(j);
	}
	if (*j->p == '\0' || (at = strchr(from, *j->p)) == NULL) {
		char tmp[16];
		return j_fail(j,
		              "unknown escape \\%s in quoted text (write \\\\ "
		              "for a backslash)",
		              j_what(j, tmp, sizeof(tmp)));
	}
	buf_addc(&j->sb, to[at - from]);
	j->p++;
	return 0;
}

/* Read a string (j->p at the opening quote) into the arena. */
static int
j_string(struct jp *j, const char **out, size_t *outlen)
{
	const char *q = ++j->p;
	int line = j->line;

	while (q < j->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
		q++;
	if (q < j->end && *q == '"') {
		*out = arena_strndup(j->b->a, j->p, (size_t)(q - j->p));
		*outlen = (size_t)(q - j->p);
		j->p = q + 1;
		return 0;
	}
	j->sb.len = 0;
	buf_add(&j->sb, j->p, (size_t)(q - j->p));
	j->p = q;
	for (;;) {
		if (j->p >= j->end) {
			j->line = line;
			return j_fail(j, "the quoted text that starts on this "
			                 "line is never closed");
		}
		unsigned char c = (unsigned char)*j->p;
		if (c == '"')
			break;
		if (c == '\n')
			return j_fail(j, "a line break inside quoted text; is a "
			                 "closing '\"' missing?");
		if (c < 0x20)
			return j_fail(j,
			              "control character 0x%02X inside quoted "
			              "text; write it as an escape such as \\t",
			              c);
		if (c == '\\') {
			j->p++;
			if (j_escape(j) < 0)
				return -1;
			continue;
		}
		q = j->p;
		while (q < j->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
			q++;
		buf_add(&j->sb, j->p, (size_t)(q - j->p));
		j->p = q;
	}
	j->p++;
	*out = arena_strndup(j->b->a, j->sb.data, j->sb.len);
	*outlen = j->sb.len;
	return 0;
}

/* Skip a run of digits; -1 (with msg) when there is none. */
static int
j_digits(struct jp *j, const char *msg)
{
	const char *s = j->p;

	while (j->p < j->end && digit(*j->p))
		j->p++;
	if (j->p == s)
		return j_fail(j, "invalid number: %s", msg);
	return 0;
}

/* Read a number: a whole number that fits 64 bits becomes INT, any other
 * a FLOAT; one too large for a double is an error. */
static int
j_number(struct jp *j, struct node **out)
{
	struct node *n = j_node(j, NODE_INT);
	const char *s = j->p;
	int whole = 1;

	if (*j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0') {
		j->p++;
		if (j->p < j->end && digit(*j->p))
			return j_fail(j, "invalid number: leading zeros are not "
			                 "allowed");
	} else if (j_digits(j, "a digit must follow '-'") < 0)
		return -1;
	if (j->p < j->end && *j->p == '.') {
		whole = 0;
		j->p++;
		if (j_digits(j, "a digit must follow the decimal point") < 0)
			return -1;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		whole = 0;
		j->p++;
		if (j->p < j->end && (*j->p == '-' || *j->p == '+'))
			j->p++;
		if (j_digits(j, "a digit must follow the exponent 'e'") < 0)
			return -1;
	}
	n->len = (size_t)(j->p - s);
	n->str = arena_strndup(j->b->a, s, n->len);
	*out = n;
	if (whole && to_int64(n->str, n->len, &n->i) == 0)
		return 0;
	return set_float(j->b, n);
}

/* Read true, false or null. */
static int
j_literal(struct jp *j, struct node **out)
{
	static const struct {
		const char *word;
		enum node_kind kind;
		int64_t v;
	} lits[] = {
		{ "true", NODE_BOOL, 1 },
		{ "false", NODE_BOOL, 0 },
		{ "null", NODE_NULL, 0 },
	};
	char tmp[16];

	for (size_t i = 0; i < NELEM(lits); i++) {
		size_t len = strlen(lits[i].word);
		if ((size_t)(j->end - j->p) < len || memcmp(j->p, lits[i].word, len) != 0)
			continue;
		struct node *n = j_node(j, lits[i].kind);
		n->str = lits[i].word;
		n->len = len;
		n->i = lits[i].v;
		j->p += len;
		*out = n;
		return 0;
	}
	return j_fail(j,
	              "expected a value but found %s (text must be in "
	              "double quotes)",
	              j_what(j, tmp, sizeof(tmp)));
}

/* Read an object (j->p at '{'). */
static int
j_object(struct jp *j, int depth, struct node **out)
{
	struct node *n = j_node(j, NODE_MAP), *v = NULL;
	size_t base = j->b->nkids, klen = 0;
	const char *key = "";
	char tmp[48];
	int kline;

	j->p++;
	j_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		*out = n;
		return 0;
	}
	for (;;) {
		j_ws(j);
		if (j->p >= j->end)
			return j_fail(j,
			              "the file ends before the '{' of line %d "
			              "is closed with '}'",
			              n->line);
		if (*j->p == '}')
			return j_fail(j, "extra ',' before '}'");
		if (*j->p != '"')
			return j_fail(j,
			              "expected a field name in double quotes "
			              "but found %s",
			              j_what(j, tmp, sizeof(tmp)));
		kline = j->line;
		if (j_string(j, &key, &klen) < 0)
			return -1;
		j_ws(j);
		if (j->p >= j->end || *j->p != ':')
			return j_fail(j, "expected ':' after the field name '%s'",
			              clip(tmp, sizeof(tmp), key, klen));
		j->p++;
		if (j_value(j, depth, &v) < 0)
			return -1;
		push_kid(j->b, intern_key(j->b, key, klen), klen, kline, v);
		j_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == '}')
			break;
		if (j->p >= j->end)
			return j_fail(j,
			              "the file ends before the '{' of line %d "
			              "is closed with '}'",
			              n->line);
		return j_fail(j, "expected ',' or '}' after the field '%s'",
		              clip(tmp, sizeof(tmp), key, klen));
	}
	j->p++;
	*out = n;
	return finish(j->b, n, base);
}

/* Read an array (j->p at '['). */
static int
j_array(struct jp *j, int depth, struct node **out)
{
	struct node *n = j_node(j, NODE_SEQ), *v = NULL;
	size_t base = j->b->nkids;

	j->p++;
	j_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		*out = n;
		return 0;
	}
	for (;;) {
		j_ws(j);
		if (j->p < j->end && *j->p == ']')
			return j_fail(j, "extra ',' before ']'");
		if (j_value(j, depth, &v) < 0)
			return -1;
		push_kid(j->b, NULL, 0, 0, v);
		j_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == ']')
			break;
		if (j->p >= j->end)
			return j_fail(j,
			              "the file ends before the '[' of line %d "
			              "is closed with ']'",
			              n->line);
		return j_fail(j, "expected ',' or ']' after a list item");
	}
	j->p++;
	*out = n;
	return finish(j->b, n, base);
}

/* Read any value; depth counts the containers around it. */
static int
j_value(struct jp *j, int depth, struct node **out)
{
	if (j->b->nodes >= DOC_MAX_NODES)
		return too_many(j->b, j->line);
	j_ws(j);
	if (j->p >= j->end)
		return j_fail(j, "expected a value but the file ends");
	switch (*j->p) {
	case '{':
	case '[':
		if (depth >= DOC_MAX_DEPTH)
			return j_fail(j,
			              "lists and objects are nested more than "
			              "%d levels deep",
			              DOC_MAX_DEPTH);
		if (*j->p == '{')
			return j_object(j, depth + 1, out);
		return j_array(j, depth + 1, out);
	case '"': {
		struct node *n = j_node(j, NODE_STRING);
		*out = n;
		return j_string(j, &n->str, &n->len);
	}
	case '-':
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9': return j_number(j, out);
	default: return j_literal(j, out);
	}
}

/* Parse JSON text s (len bytes, no BOM, valid UTF-8) into *out. */
static int
parse_json(struct build *b, const char *s, size_t len, struct node **out)
{
	struct jp j = { .b = b, .p = s, .end = s + len, .ls = s, .line = 1, .colp = s };
	char tmp[16];
	int rc = -1;

	j_ws(&j);
	if (j.p == j.end) {
		j_fail(&j, "the file is empty; a JSON record needs a value "
		           "such as {}");
		goto out;
	}
	if (j_value(&j, 0, out) < 0)
		goto out;
	j_ws(&j);
	if (j.p < j.end) {
		j_fail(&j, "unexpected %s after the end of the JSON value",
		       j_what(&j, tmp, sizeof(tmp)));
		goto out;
	}
	rc = 0;
out:
	buf_free(&j.sb);
	return rc;
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
		*out = node_new(b, NODE_MAP, 1, 1);
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
	if (parse_yaml(b, s + start, at - start, &root) < 0)
		return -1;
	if (root->kind == NODE_NULL)
		root = node_new(b, NODE_MAP, 1, 1);
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
	case DOC_YAML: rc = parse_yaml(&b, buf, len, &root); break;
	case DOC_JSON: rc = parse_json(&b, buf, len, &root); break;
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

/* Name a node kind the way messages to users do. */
const char *
node_kind_name(enum node_kind k)
{
	if ((unsigned)k >= NELEM(kind_names))
		return "something unknown";
	return kind_names[k];
}
