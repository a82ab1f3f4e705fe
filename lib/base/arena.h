/* arena.h - a bump allocator for data that lives and dies together (the
 * nodes and strings of one parsed document). */
#ifndef ISMS_ARENA_H
#define ISMS_ARENA_H

#include <stddef.h>

struct arena;

/* A new, empty arena, the caller's to free with arena_free. */
struct arena *arena_new(void);
/* n bytes aligned for any type, valid until arena_free; never NULL
 * (running out of memory is fatal). The memory is not zeroed. */
void *arena_alloc(struct arena *a, size_t n);
/* A NUL-terminated copy of the n bytes at s (which may hold NULs). */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* The bytes the arena holds from the system (its chunks), for memory
 * accounting; 0 for NULL. */
size_t arena_bytes(const struct arena *a);
/* Free the arena and everything allocated from it; NULL is allowed. */
void arena_free(struct arena *a);

#endif
