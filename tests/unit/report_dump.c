/* report_dump.c - JSON reports written a block at a time: the same text
 * json_dumps gives, with a newline, for documents smaller and larger than
 * the block, with a token larger than the block, and with text that needs
 * escaping. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "tap.h"

/* What report_dump_json writes for doc. */
static char *
dumped(const json_t *doc, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	report_dump_json(f, doc);
	fclose(f);
	return text;
}

/* Whether report_dump_json writes json_dumps's text and a newline. */
static int
same_as_dumps(const json_t *doc)
{
	size_t len;
	char *got = dumped(doc, &len);
	char *want = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	size_t n = strlen(want);
	int same = len == n + 1 && memcmp(got, want, n) == 0 && got[n] == '\n';
	free(got);
	free(want);
	return same;
}

int
main(void)
{
	json_t *small = json_pack("{s:s, s:i, s:[b, n]}", "id", "A.5.1", "findings", 3, "x", 1);
	ok(same_as_dumps(small), "a small document is written as json_dumps writes it");
	json_decref(small);

	/* Thousands of findings: many blocks' worth of small tokens. */
	json_t *big = json_object(), *fs = json_array();
	for (int i = 0; i < 5000; i++)
		json_array_append_new(fs, json_pack("{s:s, s:s, s:i}", "message",
		                                    "asset AS-1 has no owner \"quoted\" \xc3\xa9",
		                                    "file", "assets/servers.yaml", "line", i + 1));
	json_object_set_new(big, "findings", fs);
	ok(same_as_dumps(big), "5,000 findings are written as json_dumps writes them");
	json_decref(big);

	/* A single value larger than the block. */
	size_t n = 200000;
	char *s = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('a' + i % 26);
	s[n] = '\0';
	json_t *huge = json_pack("{s:s, s:s}", "before", "x", "note", s);
	ok(same_as_dumps(huge), "a value larger than the block is written whole, in order");
	json_decref(huge);
	free(s);
	return done_testing();
}
