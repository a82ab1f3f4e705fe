/* doc_yaml.c - YAML through libyaml's event parser into nodes, with
 * lines and columns as people count them and messages that say what to
 * fix. */
#include "doc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "alloc.h"
#include "arena.h"
#include "log.h"
#include "cdefs.h"
#include "doc_int.h"

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
		doc_push_kid(y->b, NULL, 0, 0, n);
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
			doc_push_kid(b, doc_intern_key(b, s, len), len, line, NULL);
			f->want_key = 0;
			return 0;
		}
	}
	struct node *n = doc_node_new(b, NODE_STRING, line, col);
	n->str = arena_strndup(b->a, s, len);
	n->len = len;
	if (style == YAML_PLAIN_SCALAR_STYLE && !tag_says_text(e->data.scalar.tag))
		if (doc_resolve(b, n) < 0)
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
	f->n = doc_node_new(b, k, line, col);
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
		y->b->kids[y->b->nkids - 1].val =
		        doc_node_new(y->b, NODE_NULL, f->n->line, f->n->col);
	if (doc_finish(y->b, f->n, f->base) < 0)
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
		                doc_clip(tmp, sizeof(tmp), anchor, strlen(anchor)));
	case YAML_SCALAR_EVENT:
		if (b->nodes >= DOC_MAX_NODES)
			return doc_too_many(b, mark_line(b, e->start_mark));
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
	int line = doc_line_at(b->src, b->srclen, p->problem_offset) + b->line_off;

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

/* The end of the quoted text that starts at the quote q (in b->src), or
 * NULL when it runs to the end: '' inside single quotes and \\x inside
 * double quotes do not end it. */
static const char *
quote_end(const struct build *b, const char *q)
{
	const char *end = b->src + b->srclen;
	for (const char *c = q + 1; c < end; c++) {
		if (*q == '"' && *c == '\\' && c + 1 < end) {
			c++;
			continue;
		}
		if (*c != *q)
			continue;
		if (*q == '\'' && c + 1 < end && c[1] == '\'') {
			c++;
			continue;
		}
		return c;
	}
	return NULL;
}

/* The line (1-based, in b->src) before line `upto` whose value opens a
 * quote that is not closed on it and is not a well-formed quoted value
 * over several lines (its closing quote ends a line, or comes before a
 * comment or a flow separator), or 0. The value is what follows "key: ",
 * "- " or both. */
static int
unclosed_quote_line(const struct build *b, int upto)
{
	const char *p = b->src, *end = b->src + b->srclen;

	for (int line = 1; line < upto && p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *v = p;
		while (v < e && *v == ' ')
			v++;
		if (e - v >= 2 && v[0] == '-' && v[1] == ' ')
			for (v += 2; v < e && *v == ' '; v++)
				;
		if (v < e && *v != '"' && *v != '\'' && *v != '#') {
			/* a plain key followed by ": " */
			const char *k = v;
			while (k < e && !(k[0] == ':' && (k + 1 == e || k[1] == ' ')) && *k != '#')
				k++;
			if (k < e && *k == ':')
				for (v = k + 1; v < e && *v == ' '; v++)
					;
		}
		if (v < e && (*v == '"' || *v == '\'')) {
			const char *c = quote_end(b, v);
			if (c == NULL)
				return line;
			if (c > e) {
				/* over several lines: fine when the quote ends its line */
				const char *t = c + 1;
				while (t < end && (*t == ' ' || *t == '\r'))
					t++;
				if (!(t == end || *t == '\n' || *t == '#' || *t == ',' ||
				      *t == ']' || *t == '}' || *t == ':'))
					return line;
				/* skip the lines the value took */
				for (const char *x = e; x < c; x++)
					if (*x == '\n')
						line++;
				nl = memchr(c, '\n', (size_t)(end - c));
			}
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* When the error was found after a line whose quote is not closed on it,
 * say so at that line: the parser read on from the quote and found the
 * error only where the text it swallowed ran out. */
static void
blame_open_quote(struct build *b)
{
	struct doc *d = b->d;
	if (d->error == NULL)
		return;
	int upto = d->error_line - b->line_off;
	int q = unclosed_quote_line(b, upto);
	if (q <= 0)
		return;
	char *old = d->error;
	d->error = xasprintf("the quote opened on this line is not closed on it, so YAML read "
	                     "everything up to line %d as one value and failed there (%s): "
	                     "close the quote on this line",
	                     d->error_line, old);
	d->error_line = q + b->line_off;
	free(old);
}

/* Parse YAML text s (len bytes, no BOM, valid UTF-8) into *out. An empty
 * stream gives a NULL node; more than one document is an error. */
int
doc_yaml_parse(struct build *b, const char *s, size_t len, struct node **out)
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
	b->last_line = (size_t)doc_line_count(s, len);
	yaml_parser_set_input_string(&p, (const unsigned char *)s, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&p, &e)) {
			y_error(b, &p);
			blame_open_quote(b);
			goto out;
		}
		int r = y_event(&y, &e, &done);
		yaml_event_delete(&e);
		if (r < 0)
			goto out;
	}
	if (y.root == NULL)
		y.root = doc_node_new(b, NODE_NULL, 1 + b->line_off, 1);
	*out = y.root;
	rc = 0;
out:
	yaml_parser_delete(&p);
	return rc;
}
