/* strset.c - the set of strings that keeps the order they were added in:
 * each string once, the first addition's place kept, the same answers
 * before and after it grows a hash index, and nothing left after take or
 * free (valgrind). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strset.h"
#include "tap.h"

int
main(void)
{
	struct strset s = { 0 };
	char name[64];

	strset_add(&s, "risk/register.yaml");
	strset_add(&s, "assets/a.yaml");
	strset_add(&s, "risk/register.yaml");
	is_int((int)s.n, 2, "a string added twice is held once");
	ok(strset_has(&s, "assets/a.yaml") && !strset_has(&s, "assets/b.yaml"),
	   "a small set answers by scanning");

	/* Past the size at which the index is built, and past two growths. */
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 5000; i++) {
			snprintf(name, sizeof(name), "evidence/%04d.md", i);
			strset_add(&s, name);
		}
	is_int((int)s.n, 5002, "5,000 more strings added twice each are held once each");
	is_str(s.v[0], "risk/register.yaml", "the first string keeps its place");
	is_str(s.v[2], "evidence/0000.md", "the others follow in the order first added");
	is_str(s.v[5001], "evidence/4999.md", "the last string is last");
	int all = 1;
	for (int i = 0; i < 5000 && all; i++) {
		snprintf(name, sizeof(name), "evidence/%04d.md", i);
		all = strset_has(&s, name);
	}
	ok(all, "every string is found through the index");
	ok(!strset_has(&s, "evidence/5000.md") && !strset_has(&s, ""),
	   "strings never added are not found");
	strset_add(&s, "");
	ok(strset_has(&s, "") && s.n == 5003, "the empty string is a string like another");

	size_t n;
	char **v = strset_take(&s, &n);
	ok(n == 5003 && s.n == 0 && s.v == NULL && !strset_has(&s, "assets/a.yaml"),
	   "take hands the strings over and leaves the set empty");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);

	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "people/%d.yaml", i % 20);
		strset_add(&s, name);
	}
	is_int((int)s.n, 20, "a set used again after take works as new");
	strset_free(&s);
	ok(s.n == 0 && s.v == NULL, "free empties it");

	ok(str_hash("") == UINT64_C(14695981039346656037),
	   "str_hash is FNV-1a: the empty string gives the offset basis");
	ok(str_hash("a") == UINT64_C(0xaf63dc4c8601ec8c), "and 'a' gives FNV-1a's published value");
	return done_testing();
}
