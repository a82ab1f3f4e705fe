/* headcache.h - the parsed records of repositories' heads kept between
 * commits, within a budget of bytes (model_cache in ismsd.conf).
 *
 * The evaluator builds a head's records from the last head's (only the
 * files that changed are parsed again), and the scheduler reads them for
 * the calendar, the audit plan, the review pack and the detailed SoA. Both
 * find them here by repository (the evaluator's struct evaluator_repo is
 * the key). When the heads kept pass the budget, the least recently used
 * are let go: the next commit of such a repository reads its files and
 * parses them in full, and the scheduler parses them again when it needs
 * them. The head just kept stays, however large, so that a single large
 * repository is always evaluated incrementally.
 *
 * Every function may be called from any thread. A hold returned is the
 * caller's reference (model_hold_drop); it stays valid after the cache
 * lets go of it. */
#ifndef ISMS_HEADCACHE_H
#define ISMS_HEADCACHE_H

#include <stddef.h>

struct headcache;
struct model_hold;

/* Figures for status. */
struct headcache_stats {
	size_t budget;       /* bytes */
	size_t bytes;        /* kept now */
	size_t kept;         /* heads kept now */
	size_t hits, misses; /* of headcache_get */
};

/* A cache keeping at most budget bytes (but always the last head put).
 * The caller's (headcache_free). */
struct headcache *headcache_new(size_t budget);
/* Let go of every head kept and free c. */
void headcache_free(struct headcache *c);
/* Keep at most budget bytes from now on (a reload). */
void headcache_set_budget(struct headcache *c, size_t budget);
/* The head kept for key, with a new reference, when it is of commit
 * (NULL: of any commit); it becomes the most recently used. NULL when
 * none is kept. */
struct model_hold *headcache_get(struct headcache *c, const void *key, const char *commit);
/* Keep h (a reference is taken; NULL or a hold with no model keeps
 * nothing) as key's head, in place of the one kept, then let go of the
 * least recently used heads of other keys until the budget holds. */
void headcache_put(struct headcache *c, const void *key, struct model_hold *h);
/* Let go of key's head (the repository is no longer served). */
void headcache_forget(struct headcache *c, const void *key);
void headcache_stats(struct headcache *c, struct headcache_stats *out);

#endif
