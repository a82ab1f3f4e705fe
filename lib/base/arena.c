/* arena.c - a bump allocator of growing chunks, freed all at once. */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "alloc.h"

#define ALIGN       alignof(max_align_t)
#define FIRST_CHUNK ((size_t)4096)
#define MAX_CHUNK   ((size_t)1 << 20)

struct chunk {
	struct chunk *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

struct arena {
	struct chunk *head; /* the chunk being filled; older ones follow */
	size_t next_size;   /* data size of the next regular chunk */
};

/* Allocate a chunk with room for size bytes. */
static struct chunk *
chunk_new(size_t size)
{
	if (size > SIZE_MAX - sizeof(struct chunk))
		fatalx("arena: allocation of %zu bytes is too large", size);
	struct chunk *c = xmalloc(sizeof(*c) + size);
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

/* Create an empty arena; the first chunk comes with the first allocation. */
struct arena *
arena_new(void)
{
	struct arena *a = xmalloc(sizeof(*a));
	a->head = NULL;
	a->next_size = FIRST_CHUNK;
	return a;
}

/* Hand out n bytes aligned to align (a power of two) from the current
 * chunk, starting a new one when it is full. A request larger than a
 * quarter of a regular chunk gets a chunk of its own, linked behind the
 * current one so that the current one's free space is kept. */
static void *
bump(struct arena *a, size_t n, size_t align)
{
	if (n > SIZE_MAX / 2)
		fatalx("arena: allocation of %zu bytes is too large", n);
	if (n == 0)
		n = 1;
	struct chunk *c = a->head;
	if (c != NULL) {
		size_t at = (c->used + align - 1) & ~(align - 1);
		if (at <= c->size && c->size - at >= n) {
			c->used = at + n;
			return c->data + at;
		}
	}
	if (n > a->next_size / 4) {
		struct chunk *big = chunk_new(n);
		big->used = n;
		if (c != NULL) {
			big->next = c->next;
			c->next = big;
		} else
			a->head = big;
		return big->data;
	}
	c = chunk_new(a->next_size);
	if (a->next_size < MAX_CHUNK)
		a->next_size *= 2;
	c->next = a->head;
	a->head = c;
	c->used = n;
	return c->data;
}

/* Allocate n bytes aligned for any type. */
void *
arena_alloc(struct arena *a, size_t n)
{
	return bump(a, n, ALIGN);
}

/* Copy n bytes and a terminating NUL into the arena (no alignment). */
char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	if (n > SIZE_MAX / 2)
		fatalx("arena: string of %zu bytes is too long", n);
	char *p = bump(a, n + 1, 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Sum the chunks, headers included. */
size_t
arena_bytes(const struct arena *a)
{
	size_t n = 0;
	for (const struct chunk *c = a ? a->head : NULL; c != NULL; c = c->next)
		n += sizeof(*c) + c->size;
	return n;
}

/* Free every chunk and the arena itself. */
void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	struct chunk *c = a->head;
	while (c != NULL) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
	free(a);
}
