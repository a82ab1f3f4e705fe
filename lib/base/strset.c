/* strset.c - see strset.h. */
#include "strset.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

/* Below this many strings a scan is as quick as hashing. */
#define INDEX_FROM ((size_t)16)

uint64_t
str_hash(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return h;
}

uint64_t
mem_hash(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = UINT64_C(14695981039346656037);
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * UINT64_C(1099511628211);
	return h;
}

/* Place string i (0-based) of v in the index. */
static void
index_put(struct strset *s, size_t i)
{
	size_t h = (size_t)str_hash(s->v[i]) & s->mask;
	while (s->idx[h] != 0)
		h = (h + 1) & s->mask;
	s->idx[h] = (uint32_t)i + 1;
}

static void
index_build(struct strset *s, size_t entries)
{
	free(s->idx);
	s->idx = xcalloc(entries, sizeof(*s->idx));
	s->mask = entries - 1;
	for (size_t i = 0; i < s->n; i++)
		index_put(s, i);
}

int
strset_has(const struct strset *s, const char *v)
{
	if (s->mask == 0) {
		for (size_t i = 0; i < s->n; i++)
			if (strcmp(s->v[i], v) == 0)
				return 1;
		return 0;
	}
	for (size_t h = (size_t)str_hash(v) & s->mask; s->idx[h] != 0; h = (h + 1) & s->mask)
		if (strcmp(s->v[s->idx[h] - 1], v) == 0)
			return 1;
	return 0;
}

void
strset_add(struct strset *s, const char *v)
{
	if (strset_has(s, v))
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xreallocarray(s->v, s->cap, sizeof(char *));
	}
	s->v[s->n++] = xstrdup(v);
	if (s->n < INDEX_FROM)
		return;
	/* At most half full, so that probes stay short. */
	if (s->mask == 0 || 2 * s->n > s->mask + 1)
		index_build(s, s->mask ? 2 * (s->mask + 1) : 4 * INDEX_FROM);
	else
		index_put(s, s->n - 1);
}

char **
strset_take(struct strset *s, size_t *n)
{
	char **v = s->v;
	*n = s->n;
	free(s->idx);
	memset(s, 0, sizeof(*s));
	return v;
}

void
strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	free(s->idx);
	memset(s, 0, sizeof(*s));
}
