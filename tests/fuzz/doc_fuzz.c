/* doc_fuzz.c - a libFuzzer target for the record parsers. `make fuzz`
 * builds and runs it (FUZZ_TIME seconds; see tests/fuzz/run.sh).
 *
 * The first input byte picks the format; the rest is the file. Every
 * result must be a well-formed tree or an error with a line in the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop the run: the parser broke its contract. */
static void
broken(void)
{
	abort();
}

/* Check every node under n. */
static void
walk(const struct node *n, int lines, int depth)
{
	if (n == NULL || n->line < 1 || n->line > lines || n->col < 1 ||
	    depth > DOC_MAX_DEPTH || n->str == NULL)
		broken();
	if (n->kind != NODE_SEQ && n->kind != NODE_MAP) {
		if (n->str[n->len] != '\0' || strlen(n->str) != n->len)
			broken();
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		if (n->kind == NODE_MAP && (n->keys[i] == NULL ||
		    n->key_lines[i] < 1 || n->key_lines[i] > lines))
			broken();
		walk(n->items[i], lines, depth + 1);
	}
	/* Keys are unique: a lookup finds the first and only one. */
	for (size_t i = 0; n->kind == NODE_MAP && i < n->n; i++)
		if (node_get(n, n->keys[i]) != n->items[i])
			broken();
}

/* Parse one input and check the result. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {"f.yaml", "f.json", "f.md"};
	const char *text;
	struct doc *d;
	int lines = 1;

	if (size < 1)
		return 0;
	text = (const char *)data + 1;
	size--;
	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n';
	d = doc_parse(paths[data[0] % 3], text, size);
	if (d->root != NULL) {
		if (d->error != NULL)
			broken();
		walk(d->root, lines, 0);
		if (d->format == DOC_MARKDOWN && (d->body == NULL ||
		    d->body[d->body_len] != '\0' || d->body_line < 1))
			broken();
	} else if (d->error == NULL || d->error_line < 1 ||
	    d->error_line > lines)
		broken();
	doc_free(d);
	return 0;
}
