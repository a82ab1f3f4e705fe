/* update_fuzz.c - a libFuzzer target for parsing a changed register by
 * the records that changed (doc_update). `make fuzz` builds and runs it.
 *
 * The input is an old YAML text and an edit of it: the first two bytes
 * say where the edit starts (a fraction of the text), the next two how
 * many bytes it removes, and the rest, after a NUL, is what it puts in.
 * Whenever doc_update answers, its document must be node for node the
 * one a full parse of the new text gives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 5)
		return 0;
	const char *rest = (const char *)data + 4, *nul = memchr(rest, 0, size - 4);
	if (nul == NULL)
		return 0;
	size_t oldlen = (size_t)(nul - rest), inslen = size - 4 - oldlen - 1;
	size_t at = oldlen * (size_t)(data[0] | data[1] << 8) / 65536;
	size_t cut = (size_t)(data[2] | data[3] << 8) % 64;
	if (at + cut > oldlen)
		cut = oldlen - at;
	char *new = malloc(oldlen - cut + inslen + 1);
	memcpy(new, rest, at);
	memcpy(new + at, nul + 1, inslen);
	memcpy(new + at + inslen, rest + at + cut, oldlen - at - cut);
	size_t newlen = oldlen - cut + inslen;

	struct doc *prev = doc_parse("f.yaml", rest, oldlen);
	struct doc *inc = doc_update(prev, rest, oldlen, new, newlen);
	if (inc) {
		struct doc *full = doc_parse("f.yaml", new, newlen);
		if (full->root == NULL || !doc_node_same(inc->root, full->root) ||
		    doc_node_hash(inc->root) != doc_node_hash(full->root))
			abort();
		doc_free(full);
	}
	doc_free(inc);
	doc_free(prev);
	free(new);
	return 0;
}
