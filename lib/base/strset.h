/* strset.h - a set of strings that keeps the order they were added in,
 * with a hash index once it is large enough to need one (the files a
 * rule reads: thousands of additions, mostly of strings already in it). */
#ifndef ISMS_STRSET_H
#define ISMS_STRSET_H

#include <stddef.h>
#include <stdint.h>

struct strset {
	char **v; /* owned copies, in the order added */
	size_t n, cap;
	uint32_t *idx; /* open addressing: position in v plus one, 0: free */
	size_t mask;   /* idx has mask + 1 entries; 0 while there is no index */
};

/* FNV-1a over a C string, and over n bytes. */
uint64_t str_hash(const char *s);
uint64_t mem_hash(const void *p, size_t n);

/* Add a copy of v unless the set holds it. */
void strset_add(struct strset *s, const char *v);
/* Whether the set holds v. */
int strset_has(const struct strset *s, const char *v);
/* Hand the strings over, in the order added (the caller frees each and
 * the array), and empty the set. *n is their number. */
char **strset_take(struct strset *s, size_t *n);
void strset_free(struct strset *s);

#endif
