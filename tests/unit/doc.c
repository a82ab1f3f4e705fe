/* doc.c - tests for the record parsers: YAML, JSON, Markdown front matter,
 * their line numbers, and hostile input. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "doc.h"
#include "tap.h"
#include "cdefs.h"
#include "buf.h"

/* Parse a NUL-terminated string as the format of path. */
static struct doc *
parse(const char *path, const char *s)
{
	return doc_parse(path, s, strlen(s));
}

/* The value at key of the root map of d, or NULL. */
static const struct node *
get(const struct doc *d, const char *key)
{
	return d && d->root ? node_get(d->root, key) : NULL;
}

/* Kind of n, or -1 when n is NULL. */
static int
kind(const struct node *n)
{
	return n ? (int)n->kind : -1;
}

/* Expect path/s to fail at line with a message containing what. */
static void
fails(const char *path, const char *s, size_t len, int line, const char *what,
    const char *name)
{
	struct doc *d = doc_parse(path, s, len);
	ok(d->root == NULL && d->error != NULL, "%s: refused", name);
	is_int(d->error_line, line, "%s: error on line %d", name, line);
	like(d->error, what, "%s: message says '%s'", name, what);
	doc_free(d);
}

/* fails() for NUL-terminated text. */
static void
fails_s(const char *path, const char *s, int line, const char *what,
    const char *name)
{
	fails(path, s, strlen(s), line, what, name);
}

static void
test_format_of(void)
{
	is_int(doc_format_of("risk/register.yaml"), DOC_YAML, ".yaml");
	is_int(doc_format_of("a.YML"), DOC_YAML, ".YML, any case");
	is_int(doc_format_of("x/y.Json"), DOC_JSON, ".Json");
	is_int(doc_format_of("policies/p.md"), DOC_MARKDOWN, ".md");
	is_int(doc_format_of("notes.txt"), -1, ".txt is not a record");
	is_int(doc_format_of("dir.yaml/README"), -1, "dot in a directory");
	is_int(doc_format_of("Makefile"), -1, "no extension");
	is_int(doc_format_of("yaml"), -1, "bare word");
}

static void
test_yaml_scalars(void)
{
	const char *y =
	    "n1: ~\nn2: null\nn3: Null\nn4: NULL\nn5:\n"
	    "b1: true\nb2: False\nb3: TRUE\nb4: yes\nb5: no\n"
	    "i1: 42\ni2: -7\ni3: +3\ni4: 9223372036854775807\n"
	    "i5: -9223372036854775808\ni6: 9223372036854775808\ni7: 007\n"
	    "f1: 1.5\nf2: 1e3\nf3: .inf\nf4: -.Inf\nf5: .nan\nf6: 2.\nf7: -.5E-2\n"
	    "s1: 2024-05-01\ns2: 0x1F\ns3: '42'\ns4: \"true\"\ns5: !!str 12\n"
	    "s6: 12:30\ns7: hello world\ns8: ! 7\ns9: 1.2.3\ns10: 1e\n"
	    "t1: !!int 5\nt2: !custom 2.5\nnulltext: 'null'\n";
	struct doc *d = parse("s.yaml", y);
	const char *nulls[] = {"n1", "n2", "n3", "n4", "n5"};
	const struct node *n;

	ok(d->root && d->error == NULL, "scalar file parses");
	if (d->root == NULL)
		printf("# %d: %s\n", d->error_line, d->error);
	for (size_t i = 0; i < NELEM(nulls); i++)
		is_int(kind(get(d, nulls[i])), NODE_NULL, "%s is null", nulls[i]);
	n = get(d, "b1");
	ok(kind(n) == NODE_BOOL && n->i == 1, "true");
	n = get(d, "b2");
	ok(kind(n) == NODE_BOOL && n->i == 0, "False");
	n = get(d, "b3");
	ok(kind(n) == NODE_BOOL && n->i == 1, "TRUE");
	is_int(kind(get(d, "b4")), NODE_STRING, "yes stays text (YAML 1.2)");
	is_int(kind(get(d, "b5")), NODE_STRING, "no stays text");
	n = get(d, "i1");
	ok(kind(n) == NODE_INT && n->i == 42, "42");
	is_str(n ? n->str : NULL, "42", "an int keeps its source text");
	n = get(d, "i2");
	ok(kind(n) == NODE_INT && n->i == -7, "-7");
	n = get(d, "i3");
	ok(kind(n) == NODE_INT && n->i == 3, "+3");
	n = get(d, "i4");
	ok(kind(n) == NODE_INT && n->i == INT64_MAX, "INT64_MAX");
	n = get(d, "i5");
	ok(kind(n) == NODE_INT && n->i == INT64_MIN, "INT64_MIN");
	n = get(d, "i6");
	ok(kind(n) == NODE_FLOAT && n->f > 9.2e18, "past int64 becomes a number");
	n = get(d, "i7");
	ok(kind(n) == NODE_INT && n->i == 7, "007 is decimal 7");
	n = get(d, "f1");
	ok(kind(n) == NODE_FLOAT && n->f == 1.5, "1.5");
	n = get(d, "f2");
	ok(kind(n) == NODE_FLOAT && n->f == 1000.0, "1e3");
	n = get(d, "f3");
	ok(kind(n) == NODE_FLOAT && isinf(n->f) && n->f > 0, ".inf");
	n = get(d, "f4");
	ok(kind(n) == NODE_FLOAT && isinf(n->f) && n->f < 0, "-.Inf");
	n = get(d, "f5");
	ok(kind(n) == NODE_FLOAT && isnan(n->f), ".nan");
	n = get(d, "f6");
	ok(kind(n) == NODE_FLOAT && n->f == 2.0, "2.");
	n = get(d, "f7");
	ok(kind(n) == NODE_FLOAT && fabs(n->f + 0.005) < 1e-12, "-.5E-2");
	n = get(d, "s1");
	ok(kind(n) == NODE_STRING && strcmp(n->str, "2024-05-01") == 0,
	    "a date stays text");
	is_int(kind(get(d, "s2")), NODE_STRING, "hex stays text");
	n = get(d, "s3");
	ok(kind(n) == NODE_STRING && n->len == 2, "quoted number is text");
	is_int(kind(get(d, "s4")), NODE_STRING, "quoted true is text");
	n = get(d, "s5");
	ok(kind(n) == NODE_STRING && strcmp(n->str, "12") == 0,
	    "!!str forces text");
	is_int(kind(get(d, "s6")), NODE_STRING, "12:30 is text");
	n = get(d, "s7");
	is_str(n ? n->str : NULL, "hello world", "plain text");
	is_int(kind(get(d, "s8")), NODE_STRING, "'!' tag makes text");
	is_int(kind(get(d, "s9")), NODE_STRING, "1.2.3 is text");
	is_int(kind(get(d, "s10")), NODE_STRING, "1e is text");
	n = get(d, "t1");
	ok(kind(n) == NODE_INT && n->i == 5, "!!int resolves as untagged");
	n = get(d, "t2");
	ok(kind(n) == NODE_FLOAT && n->f == 2.5, "custom tag resolves as untagged");
	is_int(kind(get(d, "nulltext")), NODE_STRING, "'null' quoted is text");
	is_int(d->root ? (long long)d->root->n : 0, 37, "37 fields");
	doc_free(d);
}

static void
test_yaml_tree(void)
{
	const char *y =
	    "# a risk register\n"                   /* 1 */
	    "owner: ciso\n"                         /* 2 */
	    "risks:\n"                              /* 3 */
	    "  - id: R-1\n"                         /* 4 */
	    "    score: 12\n"                       /* 5 */
	    "    controls: [A.5.1, A.8.2]\n"        /* 6 */
	    "  - id: R-2\n"                         /* 7 */
	    "    notes: |\n"                        /* 8 */
	    "      first line\n"                    /* 9 */
	    "      second line\n"                   /* 10 */
	    "    folded: >\n"                       /* 11 */
	    "      one\n"                           /* 12 */
	    "      two\n"                           /* 13 */
	    "empty_list: []\n"                      /* 14 */
	    "empty_map: {}\n";                      /* 15 */
	struct doc *d = parse("r.yaml", y);
	const struct node *r = d->root, *risks, *r1, *r2, *c, *n;

	ok(r && r->kind == NODE_MAP && r->n == 4, "root map of 4 fields");
	if (r == NULL)
		goto out;
	is_int(r->line, 2, "root map starts at its first key");
	is_int(r->key_lines[0], 2, "key 'owner' on line 2");
	is_int(r->key_lines[1], 3, "key 'risks' on line 3");
	is_int(r->key_lines[2], 14, "key 'empty_list' on line 14");
	is_str(r->keys[3], "empty_map", "keys in file order");
	risks = node_get(r, "risks");
	ok(kind(risks) == NODE_SEQ && risks->n == 2, "two risks");
	if (kind(risks) != NODE_SEQ || risks->n != 2)
		goto out;
	is_int(risks->line, 4, "list on line 4");
	is_int(risks->col, 3, "list at column 3");
	r1 = risks->items[0];
	r2 = risks->items[1];
	is_int(r1->line, 4, "first risk on line 4");
	is_int(r1->col, 5, "first risk at column 5");
	is_int(r2->line, 7, "second risk on line 7");
	n = node_get(r1, "score");
	ok(kind(n) == NODE_INT && n->i == 12 && n->line == 5 && n->col == 12,
	    "score 12 at 5:12");
	is_int(r1->key_lines[1], 5, "key 'score' on line 5");
	c = node_get(r1, "controls");
	ok(kind(c) == NODE_SEQ && c->n == 2 && c->line == 6, "flow list line 6");
	if (kind(c) == NODE_SEQ && c->n == 2) {
		is_str(c->items[1]->str, "A.8.2", "flow item text");
		is_int(c->items[1]->col, 23, "flow item column");
	}
	n = node_get(r2, "notes");
	is_str(n ? n->str : NULL, "first line\nsecond line\n", "literal block");
	is_int(n ? n->line : 0, 8, "block scalar starts at its indicator");
	n = node_get(r2, "folded");
	is_str(n ? n->str : NULL, "one two\n", "folded block");
	n = node_get(r, "empty_list");
	ok(kind(n) == NODE_SEQ && n->n == 0, "empty list");
	n = node_get(r, "empty_map");
	ok(kind(n) == NODE_MAP && n->n == 0 && node_get(n, "x") == NULL,
	    "empty map");
	ok(node_get(r, "missing") == NULL, "absent key");
	ok(node_get(risks, "id") == NULL, "node_get on a list");
	ok(node_get(NULL, "id") == NULL, "node_get on NULL");
out:
	doc_free(d);
}

static void
test_yaml_special_files(void)
{
	struct doc *d;
	const struct node *n;

	d = parse("e.yaml", "");
	ok(d->root && d->root->kind == NODE_NULL && d->error == NULL,
	    "empty file: a null root, no error");
	ok(d->root && d->root->str && d->root->len == 0 && d->root->line == 1,
	    "the null root has empty text, line 1");
	doc_free(d);
	d = parse("e.yaml", "# only a comment\n\n");
	ok(d->root && d->root->kind == NODE_NULL, "comment-only file: null");
	doc_free(d);
	d = parse("e.yaml", "---\n");
	ok(d->root && d->root->kind == NODE_NULL, "'---' alone: null");
	doc_free(d);
	d = parse("b.yaml", "\xEF\xBB\xBFname: x\nn: 2\n");
	n = get(d, "name");
	ok(n && strcmp(n->str, "x") == 0 && n->line == 1 && n->col == 7,
	    "BOM skipped, columns unchanged");
	doc_free(d);
	d = parse("c.yaml", "a: 1\r\nb:\r\n  - x\r\n  - y\r\nc: |\r\n  l1\r\n  l2\r\nd: z\r\n");
	n = get(d, "b");
	ok(kind(n) == NODE_SEQ && n->n == 2 && n->items[1]->line == 4,
	    "CRLF: lines counted once");
	n = get(d, "c");
	is_str(n ? n->str : NULL, "l1\nl2\n", "CRLF block scalar uses \\n");
	n = get(d, "d");
	ok(n && n->line == 8 && strcmp(n->str, "z") == 0, "CRLF: last line 8");
	doc_free(d);
	d = parse("o.yaml", "\xC3\xA9\xC3\xA9: x\r\nb: \"q\xE2\x80\xA8r\"\nc: y\rd: z\n"
	    "e: [1,\n  \xC3\xA9]\n");
	n = get(d, "\xC3\xA9\xC3\xA9");
	ok(n && n->line == 1 && n->col == 5, "multibyte key: column in characters");
	n = get(d, "c");
	ok(n && n->line == 3 && n->col == 4, "a line separator in text is not a line");
	n = get(d, "d");
	ok(n && n->line == 3 && n->col == 9, "a lone CR is not a line");
	n = get(d, "e");
	ok(kind(n) == NODE_SEQ && n->n == 2 && n->items[1]->line == 5 &&
	    n->items[1]->col == 3, "lines after odd breaks count LF only");
	doc_free(d);
	fails_s("o.yaml", "a: 1\rb: 2\n\tc: 3\n", 2, "tab",
	    "error line after a lone CR counts LF only");
	d = parse("s.yaml", "just text\n");
	ok(d->root && d->root->kind == NODE_STRING, "a scalar document");
	doc_free(d);
	d = parse("a.yaml", "base: &b x\nother: y\n");
	ok(d->root && d->error == NULL, "anchors without aliases are allowed");
	doc_free(d);
	d = parse("k.yaml", "1: one\ntrue: yes\n~: nothing\n");
	ok(d->root && d->root->n == 3 && strcmp(d->root->keys[0], "1") == 0 &&
	    strcmp(d->root->keys[2], "~") == 0, "scalar keys keep their text");
	doc_free(d);
	d = parse("x.txt", "a: 1\n");
	ok(d->root == NULL && d->error && d->error_line == 0,
	    "not a record extension");
	doc_free(d);
}

static void
test_yaml_errors(void)
{
	fails_s("i.yaml", "a:\n  b: 1\n c: 2\n", 3, "indentation",
	    "bad indentation");
	fails_s("i.yaml", "a: 1\n  b: 2\n", 2, "':'", "value indented under a value");
	fails_s("q.yaml", "a: 1\nb: \"open\nc: 3\nd: 4\n", 2, "never closed",
	    "unclosed double quote on its line");
	fails_s("q.yaml", "a: 'x\n", 1, "never closed", "unclosed single quote");
	/* A quote closed by a later line's quote fails there; the error names
	 * the line that opened it. */
	fails_s("q.yaml", "r:\n  - id: R-1\n    title: \"Laptop theft\n    owner: p-a\n"
	    "  - id: R-2\n    note: \"mail\" attacks\n", 3, "quote opened on this line",
	    "unclosed double quote closed by a later line");
	fails_s("q.yaml", "r:\n  - id: R-1\n    title: \"Laptop theft\n    owner: p-a\n"
	    "  - id: R-2\n    note: \"mail\" attacks\n", 3, "up to line 6",
	    "and it says where YAML failed");
	fails_s("q.yaml", "a: 'Laptop theft\nb: x\nc: it's fine\n", 1, "not closed on it",
	    "unclosed single quote closed by an apostrophe later");
	fails_s("q.yaml", "- \"open\n- x\n- \"y\" z\n", 1, "quote opened",
	    "in a list item");
	/* A well-formed quoted value over several lines is not blamed for a
	 * later, unrelated error. */
	fails_s("q.yaml", "a: \"one\n  two\"\nb: 1\n  c: 2\n", 4, "':'",
	    "a multi-line quoted value before an unrelated error");
	fails_s("q.yaml", "a: 'it''s\n  long'\nb:\n  c: 1\n d: 2\n", 5, "indentation",
	    "doubled single quotes do not close the value");
	fails_s("t.yaml", "a:\n\tb: 1\n", 2, "tab", "tab indentation");
	fails_s("t.yaml", "a: 1\nb:\n  c: 1\n\td: 2\n", 4, "tab",
	    "tab indentation inside a mapping");
	fails_s("d.yaml", "a: 1\nb: 2\na: 3\n", 3, "line 1 and on line 3",
	    "duplicate key names both lines");
	fails_s("d.yaml", "x:\n  k: 1\n  'k': 2\n", 3, "'k'",
	    "duplicate quoted key");
	fails_s("al.yaml", "a: &x 1\nb: *x\n", 2, "aliases (*x) are not supported",
	    "alias refused");
	fails_s("al.yaml", "a: &x [1]\nb:\n  - c\n  - *x\n", 4, "*x", "alias in a list");
	fails_s("km.yaml", "? {a: 1}\n: v\n", 1, "a key must be a plain value",
	    "a mapping as a key");
	fails_s("km.yaml", "x: 1\n? [a, b]\n: v\n", 2, "a key must be a plain value",
	    "a list as a key");
	fails_s("km.yaml", "{[a]: 1}\n", 1, "a key must be a plain value",
	    "flow list as a key");
	fails_s("2.yaml", "a: 1\n---\nb: 2\n", 2, "more than one YAML document",
	    "two documents");
	fails_s("2.yaml", "---\na: 1\n...\n---\nb: 2\n", 4, "more than one",
	    "two explicit documents");
	fails_s("ctl.yaml", "a: 1\nb: x\x01y\n", 2, "control character",
	    "control character");
	fails_s("nul.yaml", "a: \"x\\0y\"\n", 1, "NUL", "escaped NUL in text");
	fails_s("f.yaml", "n: 1e999\n", 1, "too large", "float overflow");
	fails_s("u.yaml", "a: [1, 2\nb: 3\n", 2, "'[' on line 1 is not closed",
	    "unclosed flow list");
	fails_s("k.yaml", "a:\n  b: 1\n  b c\n", 3, "':'", "key without colon");
	fails_s("r.yaml", "a: 1\nkey: @foo\n", 2, "in quotes",
	    "reserved first character");
	fails_s("r.yaml", "a: - b\n", 1, "next line", "list item after a key");
}

/* Build n nested openers (and closers when close) of the given text. */
static char *
nest(const char *open, const char *mid, const char *close, size_t n)
{
	struct buf b = {0};

	for (size_t i = 0; i < n; i++)
		buf_adds(&b, open);
	buf_adds(&b, mid);
	for (size_t i = 0; close && i < n; i++)
		buf_adds(&b, close);
	return buf_steal(&b);
}

static void
test_depth(void)
{
	char *s;
	struct doc *d;

	s = nest("[", "1", "]", 10000);
	fails_s("deep.yaml", s, 1, "nested more than 64", "YAML [[[[ 10000 deep");
	fails_s("deep.json", s, 1, "nested more than 64", "JSON [[[[ 10000 deep");
	free(s);
	s = nest("[", "", NULL, 10000);
	fails_s("deep.json", s, 1, "nested", "JSON unclosed [[[[ 10000 deep");
	free(s);
	s = nest("- ", "x\n", NULL, 10000);
	fails_s("deep.yaml", s, 1, "nested more than 64", "YAML - - - 10000 deep");
	free(s);
	s = nest("{\"a\":", "1", "}", 10000);
	fails_s("deep.json", s, 1, "nested", "JSON objects 10000 deep");
	free(s);
	s = nest("{a: ", "1", "}", 10000);
	fails_s("deep.yaml", s, 1, "nested", "YAML flow maps 10000 deep");
	free(s);
	s = nest("[", "1", "]", DOC_MAX_DEPTH);
	d = parse("ok.json", s);
	ok(d->root != NULL, "JSON nesting of exactly the limit parses");
	doc_free(d);
	d = parse("ok.yaml", s);
	ok(d->root != NULL, "YAML nesting of exactly the limit parses");
	doc_free(d);
	free(s);
	s = nest("[", "1", "]", DOC_MAX_DEPTH + 1);
	fails_s("no.json", s, 1, "nested", "JSON one past the limit");
	fails_s("no.yaml", s, 1, "nested", "YAML one past the limit");
	free(s);
}

static void
test_bad_text(void)
{
	static const struct {
		const char *s;
		size_t len;
		int line;
		const char *name;
	} bad[] = {
		{"a: 1\nb: 2\nc: 3\nd: \xC0\x80\n", 21, 4, "overlong NUL"},
		{"a: \xE0\x80\xAF\n", 7, 1, "overlong slash"},
		{"a: 1\nb: \xED\xA0\x80\n", 12, 2, "encoded surrogate"},
		{"a: \xF4\x90\x80\x80\n", 8, 1, "past U+10FFFF"},
		{"a: \xF8\x88\x80\x80\x80\n", 9, 1, "five-byte form"},
		{"a: 1\n\n\nb: x\x80y\n", 13, 4, "stray continuation"},
		{"a: \xE2\x82", 5, 1, "truncated at the end"},
		{"a: caf\xE9\n", 8, 1, "Latin-1 text"},
	};
	const char *fmts[] = {"b.yaml", "b.json", "b.md"};

	for (size_t i = 0; i < NELEM(bad); i++)
		fails("b.yaml", bad[i].s, bad[i].len, bad[i].line, "not valid UTF-8",
		    bad[i].name);
	for (size_t i = 0; i < NELEM(fmts); i++)
		fails(fmts[i], "{}\n\n\xFF", 5, 3, "UTF-8", fmts[i]);
	fails("n.yaml", "a: 1\nb: 2\x00\n", 10, 2, "NUL byte", "NUL byte in YAML");
	fails("n.json", "{\"a\":\n\"\x00\"}", 10, 2, "NUL byte", "NUL byte in JSON");
	fails("n.md", "# x\n\x00", 5, 2, "NUL byte", "NUL byte in Markdown");
	struct doc *d = parse("u.yaml", "name: \"Zo\xC3\xAB \xE2\x82\xAC \xF0\x9F\x94\x92\"\n");
	const struct node *n = get(d, "name");
	ok(n && n->len == 13, "valid multibyte text kept");
	doc_free(d);
}

static void
test_json(void)
{
	const char *j =
	    "{\n"                                          /* 1 */
	    "  \"org\": \"Acme \\\"Ltd\\\"\",\n"           /* 2 */
	    "  \"n\": 42, \"neg\": -0, \"big\": 12345678901234567890,\n" /* 3 */
	    "  \"f\": 1.25e2, \"g\": 1.0, \"t\": true, \"z\": null,\n" /* 4 */
	    "  \"list\": [\n"                              /* 5 */
	    "    {\"id\": \"x\\u00e9\\ud83d\\udd12\"},\n"  /* 6 */
	    "    [], {}, \"\\/\\b\\f\\n\\r\\t\\\\\"\n"       /* 7 */
	    "  ]\n"                                        /* 8 */
	    "}\n";
	struct doc *d = parse("a.json", j);
	const struct node *r = d->root, *n, *l;

	ok(r && kind(r) == NODE_MAP && r->n == 9, "JSON object of 9 members");
	if (r == NULL) {
		printf("# %d: %s\n", d->error_line, d->error);
		doc_free(d);
		return;
	}
	is_int(r->line, 1, "object on line 1");
	n = node_get(r, "org");
	is_str(n ? n->str : NULL, "Acme \"Ltd\"", "escaped quotes");
	is_int(r->key_lines[0], 2, "key org on line 2");
	is_int(r->key_lines[2], 3, "key neg on line 3");
	n = node_get(r, "n");
	ok(kind(n) == NODE_INT && n->i == 42 && n->line == 3 && n->col == 8,
	    "42 at 3:8");
	n = node_get(r, "neg");
	ok(kind(n) == NODE_INT && n->i == 0, "-0 is a whole number");
	n = node_get(r, "big");
	ok(kind(n) == NODE_FLOAT && n->f > 1.2e19, "past int64: a number");
	n = node_get(r, "f");
	ok(kind(n) == NODE_FLOAT && n->f == 125.0, "1.25e2");
	n = node_get(r, "g");
	ok(kind(n) == NODE_FLOAT && n->f == 1.0, "1.0 is a number");
	n = node_get(r, "t");
	ok(kind(n) == NODE_BOOL && n->i == 1 && strcmp(n->str, "true") == 0,
	    "true");
	is_int(kind(node_get(r, "z")), NODE_NULL, "null");
	l = node_get(r, "list");
	ok(kind(l) == NODE_SEQ && l->n == 4 && l->line == 5, "list on line 5");
	if (kind(l) == NODE_SEQ && l->n == 4) {
		n = node_get(l->items[0], "id");
		is_str(n ? n->str : NULL, "x\xC3\xA9\xF0\x9F\x94\x92",
		    "\\u escapes and a surrogate pair become UTF-8");
		is_int(l->items[0]->line, 6, "object in list on line 6");
		is_int(l->items[0]->key_lines[0], 6, "its key on line 6");
		is_int(l->items[2]->line, 7, "empty object line 7");
		is_str(l->items[3]->str, "/\b\f\n\r\t\\", "short escapes");
	}
	doc_free(d);
	d = parse("c.json", "{\"\xC3\xA9\xC3\xA9\": [\"\xE2\x82\xAC\", 2],\n \"b\": 1}");
	n = d->root ? d->root->items[0] : NULL;
	ok(kind(n) == NODE_SEQ && n->col == 8 && n->items[1]->col == 14,
	    "JSON columns count characters");
	n = get(d, "b");
	ok(n && n->line == 2 && n->col == 7, "JSON column on the next line");
	doc_free(d);
	d = parse("s.json", " \"text\" ");
	ok(d->root && d->root->kind == NODE_STRING, "a top-level string");
	doc_free(d);
	d = parse("s.json", "\xEF\xBB\xBF{\"a\": 1}");
	ok(d->root && node_get(d->root, "a"), "JSON with a BOM");
	doc_free(d);
	d = parse("s.json", "{\r\n\"a\": 1,\r\n\"b\": 2\r\n}\r\n");
	ok(d->root && d->root->key_lines[1] == 3, "JSON CRLF lines");
	doc_free(d);
}

static void
test_json_errors(void)
{
	fails_s("e.json", "{\"a\": 1,}", 1, "extra ','", "trailing comma in object");
	fails_s("e.json", "[1,\n2,\n]", 3, "extra ','", "trailing comma in list");
	fails_s("e.json", "{\"a\": 1\n\"b\": 2}", 2, "expected ',' or '}'",
	    "missing comma");
	fails_s("e.json", "[1 2]", 1, "expected ',' or ']'", "missing list comma");
	fails_s("e.json", "{\"a\": \"\\ud800\"}", 1, "lone surrogate",
	    "lone high surrogate");
	fails_s("e.json", "[\"\\udc00\"]", 1, "lone surrogate", "lone low surrogate");
	fails_s("e.json", "[\"\\ud800\\u0041\"]", 1, "surrogate",
	    "high surrogate with a non-surrogate");
	fails_s("e.json", "[1e400]", 1, "too large", "huge exponent");
	char *s = nest("9", "", NULL, 500);
	fails_s("e.json", s, 1, "too large", "500-digit number");
	free(s);
	fails_s("e.json", "{}\n\nx", 3, "after the end", "trailing garbage");
	fails_s("e.json", "{} {}", 1, "after the end", "two values");
	fails_s("e.json", "", 1, "empty", "empty JSON");
	fails_s("e.json", "{\"a\":\n1,\n\"a\": 2}", 3, "line 1 and on line 3",
	    "duplicate key");
	fails_s("e.json", "{\"a\": \"open\n}", 1, "line break", "unclosed string");
	fails_s("e.json", "{\"a\": \"open", 1, "never closed", "string to EOF");
	fails_s("e.json", "[\"a\tb\"]", 1, "control character", "raw tab in string");
	fails_s("e.json", "[\"\\u0000\"]", 1, "NUL", "\\u0000");
	fails_s("e.json", "[\"\\x41\"]", 1, "unknown escape", "bad escape");
	fails_s("e.json", "[\"\\u12G4\"]", 1, "four hex", "bad \\u");
	fails_s("e.json", "[01]", 1, "leading zeros", "leading zero");
	fails_s("e.json", "[1.]", 1, "decimal point", "1.");
	fails_s("e.json", "[-]", 1, "digit", "bare minus");
	fails_s("e.json", "[1e]", 1, "exponent", "1e");
	fails_s("e.json", "{a: 1}", 1, "double quotes", "unquoted key");
	fails_s("e.json", "['a']", 1, "double quotes", "single quotes");
	fails_s("e.json", "[tru]", 1, "expected a value", "bad literal");
	fails_s("e.json", "{\"a\" 1}", 1, "expected ':'", "missing colon");
	fails_s("e.json", "{\n\"a\": [1,\n2", 3, "'[' of line 2", "unclosed list");
	fails_s("e.json", "{\n\"a\": 1", 2, "'{' of line 1", "unclosed object");
	fails_s("e.json", "[NaN]", 1, "expected a value", "NaN is not JSON");
	fails_s("e.json", "// c\n{}", 1, "expected a value", "comments are not JSON");
}

static void
test_markdown(void)
{
	const char *m =
	    "---\n"                                  /* 1 */
	    "title: Access control policy\n"         /* 2 */
	    "owner: ciso\n"                          /* 3 */
	    "controls:\n"                            /* 4 */
	    "  - A.5.15\n"                           /* 5 */
	    "---\n"                                  /* 6 */
	    "# Access control\n"                     /* 7 */
	    "Body text.\n";                          /* 8 */
	struct doc *d = parse("p.md", m);
	const struct node *n;

	ok(d->root && d->root->kind == NODE_MAP && d->root->n == 3,
	    "front matter of 3 fields");
	is_int(d->root ? d->root->key_lines[0] : 0, 2, "title on file line 2");
	n = get(d, "owner");
	ok(n && n->line == 3 && n->col == 8, "owner value at 3:8");
	n = get(d, "controls");
	ok(kind(n) == NODE_SEQ && n->items[0]->line == 5, "list item on line 5");
	is_int(d->body_line, 7, "body starts on line 7");
	ok(d->body && d->body_len == 28 &&
	    strcmp(d->body, "# Access control\nBody text.\n") == 0, "body text");
	doc_free(d);

	d = parse("p.md", "# No front matter\ntext\n");
	ok(d->root && d->root->kind == NODE_MAP && d->root->n == 0,
	    "no front matter: an empty map");
	ok(d->body_line == 1 && d->body_len == 23, "body is the whole file");
	doc_free(d);

	d = parse("p.md", "\xEF\xBB\xBF---\r\na: 1\r\nb: x\r\n...\r\nrest\r\n");
	n = get(d, "b");
	ok(n && n->line == 3 && strcmp(n->str, "x") == 0,
	    "BOM, CRLF and '...' closing");
	ok(d->body_line == 5 && d->body && strcmp(d->body, "rest\r\n") == 0,
	    "CRLF body");
	doc_free(d);

	d = parse("p.md", "---\n---\nbody");
	ok(d->root && d->root->kind == NODE_MAP && d->root->n == 0 &&
	    d->body_line == 3 && strcmp(d->body, "body") == 0,
	    "empty front matter is an empty map");
	doc_free(d);

	d = parse("p.md", "---\na: 1\n---");
	ok(d->root && d->body_len == 0 && d->body_line == 4,
	    "closing fence at the end of the file");
	doc_free(d);

	d = parse("p.md", "--- \na: 1\n---\n");
	ok(d->root && d->root->n == 0 && d->body_line == 1,
	    "'--- ' with a space is not a fence");
	doc_free(d);

	fails_s("p.md", "---\ntitle: x\nowner: y\n", 1, "never closed",
	    "unterminated front matter");
	fails_s("p.md", "---\n", 1, "never closed", "lone opening fence");
	fails_s("p.md", "---\n- a\n- b\n---\ntext\n", 2, "must be a mapping",
	    "front matter that is a list");
	fails_s("p.md", "---\njust words\n---\n", 2, "must be a mapping",
	    "front matter that is text");
	fails_s("p.md", "---\na: 1\nb: [\n---\n", 3, "ends too early",
	    "YAML error in front matter, on its last line");
	fails_s("p.md", "---\na: 1\na: 2\n---\n", 3, "line 2 and on line 3",
	    "duplicate key in front matter, file lines");
	fails_s("p.md", "---\nx:\n\ty: 1\n---\n", 3, "tab",
	    "tab in front matter, file line");
}

static void
test_names(void)
{
	is_str(node_kind_name(NODE_NULL), "nothing", "name of null");
	is_str(node_kind_name(NODE_BOOL), "true or false", "name of bool");
	is_str(node_kind_name(NODE_INT), "a whole number", "name of int");
	is_str(node_kind_name(NODE_FLOAT), "a number", "name of float");
	is_str(node_kind_name(NODE_STRING), "text", "name of string");
	is_str(node_kind_name(NODE_SEQ), "a list", "name of list");
	is_str(node_kind_name(NODE_MAP), "a mapping", "name of map");
	doc_free(NULL);
	ok(1, "doc_free(NULL) is harmless");
}

static void
test_arena(void)
{
	struct arena *a = arena_new();
	int aligned = 1, intact = 1;
	unsigned char *p[2000];
	size_t sz[2000];

	for (size_t i = 0; i < NELEM(p); i++) {
		sz[i] = i % 7 == 0 ? 70000 + i : i % 50;
		p[i] = arena_alloc(a, sz[i]);
		aligned &= (uintptr_t)p[i] % _Alignof(max_align_t) == 0;
		memset(p[i], (int)(i & 0xFF), sz[i]);
		char *s = arena_strndup(a, "odd\0len", i % 8);
		intact &= s[i % 8] == '\0';
	}
	ok(aligned, "arena allocations are aligned for any type");
	for (size_t i = 0; i < NELEM(p); i++)
		for (size_t k = 0; k < sz[i]; k++)
			intact &= p[i][k] == (unsigned char)(i & 0xFF);
	ok(intact, "arena allocations do not overlap");
	char *e = arena_strndup(a, "", 0);
	ok(e != NULL && e[0] == '\0', "empty string copy");
	ok(arena_alloc(a, 0) != NULL, "a zero-byte allocation is valid");
	arena_free(a);
	arena_free(NULL);
}

/* Milliseconds since an arbitrary start. */
static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
test_big(void)
{
	struct buf b = {0};
	size_t items = 0;
	struct doc *d;
	double t;

	buf_adds(&b, "items:\n");
	while (b.len < 20u << 20) {
		buf_printf(&b, "  - id: ITEM-%07zu\n    name: \"an item with a "
		    "fairly long description text, number %zu\"\n    n: %zu\n",
		    items, items, items);
		items++;
	}
	t = now_ms();
	d = doc_parse("big.yaml", b.data, b.len);
	t = now_ms() - t;
	printf("# %.1f MB of YAML (%zu records) parsed in %.0f ms\n",
	    b.len / 1048576.0, items, t);
	const struct node *l = get(d, "items");
	ok(kind(l) == NODE_SEQ && l->n == items, "20 MB list parses whole");
	if (kind(l) == NODE_SEQ && l->n == items) {
		const struct node *last = l->items[items - 1];
		is_int(last->line, (int)(2 + 3 * (items - 1)), "line of the last item");
		const struct node *n = node_get(last, "n");
		ok(kind(n) == NODE_INT && n->i == (int64_t)items - 1, "its number");
	}
	doc_free(d);
	buf_free(&b);

	/* A mapping large enough for the hashed duplicate check. */
	buf_adds(&b, "{\n");
	for (int i = 0; i < 5000; i++)
		buf_printf(&b, "\"k%d\": %d,\n", i, i);
	buf_adds(&b, "\"k1234\": 0\n}\n");
	fails("many.json", b.data, b.len, 5002, "'k1234'",
	    "duplicate among 5001 keys");
	buf_free(&b);
	buf_adds(&b, "list:\n  - k0: 0\n");
	for (int i = 1; i < 100; i++)
		buf_printf(&b, "    k%d: %d\n", i, i);
	buf_adds(&b, "    k7: again\n    k70: again\n    k3: again\n");
	fails("many.yaml", b.data, b.len, 102, "'k7' appears twice in the same "
	    "mapping, on line 9 and on line 102", "first repeat in a large map");
	buf_free(&b);
	buf_adds(&b, "{\n");
	for (int i = 0; i < 5000; i++)
		buf_printf(&b, "\"k%d\": %d%s\n", i, i, i < 4999 ? "," : "");
	buf_adds(&b, "}\n");
	d = doc_parse("many.json", b.data, b.len);
	ok(d->root && d->root->n == 5000 &&
	    node_get(d->root, "k4999")->i == 4999, "5000 distinct keys");
	doc_free(d);
	buf_free(&b);
}

/* A deterministic pseudo-random generator (xorshift64*). */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

/* Whether every node under n is well formed: lines inside the file,
 * scalars NUL-terminated at their length, keys present. */
static int
walk(const struct node *n, int lines, int depth)
{
	if (n == NULL || n->line < 1 || n->line > lines || n->col < 1 ||
	    depth > DOC_MAX_DEPTH)
		return 0;
	if (n->kind != NODE_SEQ && n->kind != NODE_MAP)
		return n->str != NULL && n->str[n->len] == '\0' &&
		    strlen(n->str) == n->len;
	for (size_t i = 0; i < n->n; i++) {
		if (n->kind == NODE_MAP && (n->keys[i] == NULL ||
		    n->key_lines[i] < 1 || n->key_lines[i] > lines))
			return 0;
		if (!walk(n->items[i], lines, depth + 1))
			return 0;
	}
	return 1;
}

/* Whether a parse result keeps the contract: a well-formed tree or an
 * error, never both, and an error line inside the file. */
static int
sane(const struct doc *d, const char *s, size_t len)
{
	int lines = 1;

	for (size_t i = 0; i < len; i++)
		lines += s[i] == '\n';
	if (d->root != NULL)
		return d->error == NULL && walk(d->root, lines, 0);
	return d->error != NULL && d->error[0] != '\0' && d->error_line >= 1 &&
	    d->error_line <= lines;
}

static void
test_garbage(void)
{
	static const char alphabet[] = "{}[]:,-\"'\\ \n\t#&*!|>?%@`~.0123456789"
	    "abcnultrefxyz\r\xC3\xA9\xE2\x82\xAC\xFF\x80";
	static const char *const seeds[] = {
	    "a: 1\nb:\n  - x\n  - {c: 'd', e: [1, 2.5, true]}\nf: |\n  text\n",
	    "{\"a\": [1, -2.5e3, \"x\\u00e9\\ud83d\\udd12\"], \"b\": {\"c\": null}}",
	    "---\ntitle: x\nlist: [a, b]\n---\n# body\n",
	};
	const char *paths[] = {"g.yaml", "g.json", "g.md"};
	char buf[512];
	int bad = 0, runs = 0;

	for (int i = 0; i < 3000; i++) {
		size_t len = rng() % sizeof(buf);
		int mode = i % 3;
		for (size_t k = 0; k < len; k++)
			buf[k] = mode == 0 ? (char)rng()
			    : alphabet[rng() % (sizeof(alphabet) - 1)];
		if (mode == 2) {
			const char *seed = seeds[rng() % NELEM(seeds)];
			len = strlen(seed);
			memcpy(buf, seed, len);
			for (int m = 1 + (int)(rng() % 4); m > 0; m--)
				buf[rng() % len] = alphabet[rng() % (sizeof(alphabet) - 1)];
		}
		for (size_t f = 0; f < NELEM(paths); f++) {
			struct doc *d = doc_parse(paths[f], buf, len);
			if (!sane(d, buf, len) && bad++ < 5)
				printf("# garbage %d in %s: error line %d: %s\n", i,
				    paths[f], d->error_line, d->error);
			runs++;
			doc_free(d);
		}
	}
	is_int(bad, 0, "%d random and mutated inputs: no crash, sane results",
	    runs);
}

/* A file of millions of tiny values is refused before it eats memory. */
static void
test_node_cap(void)
{
	size_t n = (size_t)DOC_MAX_NODES + 10;
	char *buf = malloc(2 * n + 2);
	buf[0] = '[';
	for (size_t i = 0; i < n; i++) {
		buf[1 + 2 * i] = '0';
		buf[2 + 2 * i] = i + 1 < n ? ',' : ']';
	}
	struct doc *d = doc_parse("huge.json", buf, 2 * n + 1);
	ok(d->root == NULL, "JSON with more than DOC_MAX_NODES values is refused");
	like(d->error, "split it into smaller record files", "and says what to do");
	doc_free(d);
	struct buf y = {0};
	for (size_t i = 0; i < n; i++)
		buf_add(&y, "- 0\n", 4);
	d = doc_parse("huge.yaml", y.data, y.len);
	ok(d->root == NULL, "YAML with more than DOC_MAX_NODES values is refused");
	doc_free(d);
	buf_free(&y);
	free(buf);
}

/* Empty containers as the first (or only) thing a file holds: no child
 * has been seen yet when they close (found by make fuzz). */
static void
test_empty_first(void)
{
	static const char *const cases[][2] = {
		{ "e.json", "{}" }, { "e.json", "[]" }, { "e.json", "[[], {}]" },
		{ "e.yaml", "{}" }, { "e.yaml", "[]" }, { "e.yaml", "a: {}\n" },
		{ "e.md", "---\n{}\n---\nbody\n" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct doc *d = doc_parse(cases[i][0], cases[i][1], strlen(cases[i][1]));
		ok(d->root && (d->root->kind == NODE_MAP || d->root->kind == NODE_SEQ),
		   "empty container case %zu (%s) parses", i, cases[i][0]);
		doc_free(d);
	}
}

int
main(void)
{
	test_empty_first();
	test_node_cap();
	test_format_of();
	test_yaml_scalars();
	test_yaml_tree();
	test_yaml_special_files();
	test_yaml_errors();
	test_depth();
	test_bad_text();
	test_json();
	test_json_errors();
	test_markdown();
	test_names();
	test_arena();
	test_big();
	test_garbage();
	return done_testing();
}
