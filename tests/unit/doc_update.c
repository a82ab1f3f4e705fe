/* doc_update.c - tests for parsing a changed register again by the
 * records that changed: whatever doc_update gives must be what a full
 * parse of the new text gives, node for node (lines, columns, keys, key
 * lines, values), and it must take the short way for the usual edits. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "doc.h"
#include "tap.h"

/* The first difference between a and b, in why; 0 when none. */
static int
differ(const struct node *a, const struct node *b, char *why, size_t size)
{
	if (a->kind != b->kind || a->line != b->line || a->col != b->col || a->n != b->n ||
	    a->len != b->len) {
		snprintf(why, size, "node at %d:%d (kind %d, %u items) against %d:%d (kind %d, %u items)",
		         a->line, a->col, a->kind, a->n, b->line, b->col, b->kind, b->n);
		return 1;
	}
	if (memcmp(a->str, b->str, a->len) != 0 ||
	    (a->kind == NODE_FLOAT ? a->f != b->f : a->i != b->i)) {
		snprintf(why, size, "value at %d:%d: '%s' against '%s'", a->line, a->col, a->str, b->str);
		return 1;
	}
	for (size_t i = 0; i < a->n; i++) {
		if (a->kind == NODE_MAP &&
		    (strcmp(a->keys[i], b->keys[i]) != 0 || a->key_lines[i] != b->key_lines[i])) {
			snprintf(why, size, "key %s:%d against %s:%d", a->keys[i], a->key_lines[i],
			         b->keys[i], b->key_lines[i]);
			return 1;
		}
		if (differ(a->items[i], b->items[i], why, size))
			return 1;
	}
	if (doc_node_hash(a) != doc_node_hash(b)) {
		snprintf(why, size, "hash at %d:%d", a->line, a->col);
		return 1;
	}
	return 0;
}

/* doc_update from old to new, checked against a full parse of new.
 * Returns 1 when it took the short way, 0 when it declined, -1 when its
 * result differs from the full parse (reported). */
static int
update(const char *old, const char *new, const char *name)
{
	struct doc *prev = doc_parse("r.yaml", old, strlen(old));
	struct doc *full = doc_parse("r.yaml", new, strlen(new));
	struct doc *inc = prev->root ? doc_update(prev, old, strlen(old), new, strlen(new)) : NULL;
	int rc = inc != NULL;
	char why[256] = "";
	if (inc && (full->root == NULL || differ(inc->root, full->root, why, sizeof(why)))) {
		ok(0, "%s: the update equals a full parse (%s)", name,
		   full->root ? why : "the full parse fails");
		fprintf(stderr, "# old:\n%s\n# new:\n%s\n", old, new);
		rc = -1;
	}
	doc_free(prev);
	doc_free(full);
	doc_free(inc);
	return rc;
}

static const char REG[] = "# Training records (7.2, 7.3).\n"
                          "type: training\n"
                          "training:\n"
                          "  - person: p-anna\n"
                          "    course: \"Security awareness\"\n"
                          "    kind: awareness\n"
                          "    completed_on: 2025-01-01\n"
                          "  - person: p-ben\n"
                          "    course: Phishing\n"
                          "    kind: awareness\n"
                          "    completed_on: 2025-02-01\n"
                          "    notes:\n"
                          "  # the third\n"
                          "  - person: p-cleo\n"
                          "    course: Policy\n"
                          "    kind: policy-acknowledgement\n"
                          "    tags: [a, b]\n"
                          "    completed_on: 2025-03-01\n";

/* REG with `from` (which must occur) replaced by `to`. */
static char *
edit(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	struct buf b = { 0 };
	if (at == NULL) {
		ok(0, "the test's text holds '%s'", from);
		return strdup(text);
	}
	buf_add(&b, text, (size_t)(at - text));
	buf_adds(&b, to);
	buf_adds(&b, at + strlen(from));
	return buf_steal(&b);
}

/* An edit that must take the short way and equal a full parse. */
static void
short_way(const char *text, const char *from, const char *to, const char *name)
{
	char *n = edit(text, from, to);
	is_int(update(text, n, name), 1, "%s: only the changed record is parsed again", name);
	free(n);
}

/* An edit that must be declined (and so parsed in full). */
static void
long_way(const char *text, const char *from, const char *to, const char *name)
{
	char *n = edit(text, from, to);
	is_int(update(text, n, name), 0, "%s: parsed in full", name);
	free(n);
}

static void
test_usual_edits(void)
{
	short_way(REG, "completed_on: 2025-02-01", "completed_on: 2025-02-03", "a date changed");
	short_way(REG, "person: p-anna", "person: p-anna-maria", "the first record's first line");
	short_way(REG, "course: Phishing\n", "course: Phishing\n    evidence: LMS-1\n",
	          "a field added: the records after it move down");
	short_way(REG, "    course: Phishing\n", "", "a field removed: the records after it move up");
	short_way(REG, "    notes:\n", "    notes: |\n      two\n      lines\n",
	          "an empty value at a record's end becomes a block");
	short_way(REG, "tags: [a, b]", "tags: [a, b, c]", "the last record");
	short_way(REG, "completed_on: 2025-03-01\n",
	          "completed_on: 2025-03-01\n  - person: p-dan\n    course: New\n",
	          "a record appended at the end");
	short_way(REG, "    notes:\n",
	          "    notes:\n  - person: p-eve\n    kind: role\n",
	          "a record inserted between two");
	short_way(REG, "  # the third\n", "  # the third, checked\n", "a comment between records");
	short_way(REG, "kind: awareness\n    completed_on: 2025-01-01",
	          "kind: awareness\n    completed_on: not a date", "a value of another type");
}

static void
test_declined(void)
{
	long_way(REG, "type: training", "type: training # note", "a change above the register");
	long_way(REG, "completed_on: 2025-01-01\n  - person: p-ben",
	         "completed_on: 2025-01-02\n  - person: p-benny", "a change across two records");
	long_way(REG, "course: Phishing", "course: \"Phishing", "an unclosed quote");
	long_way(REG, "course: Phishing", "course: *ph", "an alias");
	long_way(REG, "course: Phishing\n", "course: Phishing\r", "a lone CR");
	long_way(REG, "course: Phishing", "course: Phishing\n    course: twice", "a duplicate key");
	long_way(REG, "  - person: p-ben\n", "  -\n    person: p-ben\n",
	         "a dash on a line of its own");
	is_int(update(REG, REG, "no change"), 0, "the same text: nothing to update");
}

/* A register that is not the last key, a register at the root, and
 * other shapes. */
static void
test_shapes(void)
{
	static const char tail[] = "risks:\n"
	                           "- id: R-1\n"
	                           "  owner: ann\n"
	                           "- id: R-2\n"
	                           "  owner:\n"
	                           "reviewed_on: 2025-01-01\n"
	                           "approved_by: ben\n";
	short_way(tail, "owner: ann", "owner: anne", "an indentless list: the first record");
	short_way(tail, "  owner:\n", "  owner: cleo\n", "the last record, a key after the list");
	short_way(tail, "  owner:\n", "  owner:\n- id: R-3\n", "a record appended before the next key");
	long_way(tail, "reviewed_on: 2025-01-01", "reviewed_on: 2025-01-02", "a key after the list");

	static const char root[] = "- id: A-1\n"
	                           "  name: Laptop\n"
	                           "- id: A-2\n"
	                           "  name: Phone\n";
	short_way(root, "name: Laptop", "name: Laptop 2", "a list at the root");
	short_way(root, "name: Phone\n", "name: Phone\n  site: HQ\n", "the root list's last record");

	static const char bom[] = "\xEF\xBB\xBF"
	                          "assets:\n"
	                          "  - id: A-1\n"
	                          "    name: x\n";
	short_way(bom, "name: x", "name: y", "a file with a byte order mark");

	/* Found by tests/fuzz/update_fuzz.c: a tag above a root list places
	 * the list on its line; a first record whose dash line holds only a
	 * comment starts on the next line. */
	static const char tag[] = "!s\n- id: A-1\n  name: x\n- id: A-2\n  name: y\n";
	short_way(tag, "name: y", "name: z", "a tag above the root list");
	/* The common tail starts a line in the old text but not in the new:
	 * the record before it changed too. */
	static const char root2[] = "#c\n  - a b\n  - k: false\n\n";
	long_way(root2, "a b\n  - k", "a b'x\n  - r  - k", "a change that ends inside the next record");
	static const char comment[] = "assets:\n  - # first\n    id: A-1\n  - id: A-2\n    name: y\n";
	long_way(comment, "name: y", "name: z", "the first record's dash line holds a comment");

	static const char flow[] = "assets: [{id: A-1}, {id: A-2}]\n";
	long_way(flow, "A-2", "A-3", "a list in flow style");

	struct doc *md = doc_parse("r.md", "---\na: 1\n---\nbody\n", 18);
	ok(doc_update(md, "---\na: 1\n---\nbody\n", 18, "---\na: 2\n---\nbody\n", 18) == NULL,
	   "Markdown is parsed in full");
	doc_free(md);
}

/* Random edits of a generated register: whatever the short way gives
 * equals the full parse, and it is taken for most one-value edits. */
static uint64_t rng = 0x2545F4914F6CDD1DULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static char *
generated(int nrec)
{
	struct buf b = { 0 };
	buf_adds(&b, "# generated\ntype: asset\nassets:\n");
	for (int i = 0; i < nrec; i++) {
		buf_printf(&b, "  - id: A-%d\n    name: \"Asset %d\"\n    owner: p-%d\n", i, i, i % 7);
		if (i % 3 == 0)
			buf_printf(&b, "    tags:\n      - t%d\n      - u\n", i);
		if (i % 5 == 0)
			buf_adds(&b, "    notes: |\n      kept\n\n      as is\n");
		if (i % 4 == 1)
			buf_adds(&b, "    retired_on:\n");
	}
	if (nrec % 2)
		buf_adds(&b, "reviewed_on: 2025-01-01\n");
	return buf_steal(&b);
}

/* Replace, insert or delete something at a random place of t. */
static char *
mutate(const char *t)
{
	static const char *const bits[] = {
		"x", " ", "\n", ":", "- ", "  ", "\"", "'", "#", "[", "]", "{", "}", "|", ">",
		"\t", "&a", "*a", ",", "\n  - id: N\n", "\n    k: v", "\n      - z", "-1", "1.5",
	};
	size_t len = strlen(t), at = rnd((unsigned)len), cut = rnd(4);
	if (at + cut > len)
		cut = len - at;
	struct buf b = { 0 };
	buf_add(&b, t, at);
	if (rnd(3) != 0)
		buf_adds(&b, bits[rnd((unsigned)(sizeof(bits) / sizeof(bits[0])))]);
	buf_adds(&b, t + at + cut);
	return buf_steal(&b);
}

/* One value of a random record changed, the way people edit. */
static char *
value_edit(const char *t, int nrec)
{
	char from[32], to[48];
	int i = (int)rnd((unsigned)nrec);
	snprintf(from, sizeof(from), "name: \"Asset %d\"", i);
	snprintf(to, sizeof(to), "name: \"Asset %d, renamed\"", i);
	const char *at = strstr(t, from);
	struct buf b = { 0 };
	buf_add(&b, t, (size_t)(at - t));
	buf_adds(&b, to);
	buf_adds(&b, at + strlen(from));
	return buf_steal(&b);
}

static void
test_random(void)
{
	int bad = 0, taken = 0, tried = 0, short_ways = 0;
	for (int round = 0; round < 8000; round++) {
		int nrec = 1 + (int)rnd(12);
		char *t = generated(nrec);
		char *n = mutate(t);
		if (rnd(2))
			n = (free(t), t = n, mutate(t));
		int rc = update(t, n, "a random edit");
		bad += rc < 0;
		short_ways += rc == 1;
		free(t);
		free(n);
	}
	ok(bad == 0, "8,000 random edits: every short-way result equals the full parse (%d differ)",
	   bad);
	/* Most random edits still parse: the comparison is not empty. */
	ok(short_ways > 1500, "%d of the random edits took the short way", short_ways);
	for (int round = 0; round < 200; round++) {
		int nrec = 1 + (int)rnd(40);
		char *t = generated(nrec);
		char *n = value_edit(t, nrec);
		int rc = update(t, n, "a value edit");
		bad += rc < 0;
		taken += rc == 1;
		tried++;
		free(t);
		free(n);
	}
	ok(bad == 0, "value edits equal the full parse");
	is_int(taken, tried, "every one-value edit of a record takes the short way (%d of %d)", taken,
	       tried);
}

/* A large register: the short way copies the other records rather than
 * parsing them, and the result still matches. */
static void
test_large(void)
{
	char *t = generated(5000);
	char *n = value_edit(t, 5000);
	is_int(update(t, n, "5,000 records"), 1, "a one-value edit of a 5,000-record register");
	free(t);
	free(n);
}

int
main(void)
{
	test_usual_edits();
	test_declined();
	test_shapes();
	test_random();
	test_large();
	return done_testing();
}
