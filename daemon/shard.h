/* shard.h - several daemons sharing one configuration: each serves the
 * repositories that a stable hash of their names assigns to its index
 * (`shard: I/N` in the configuration, or ISMSD_SHARD from the
 * environment; docs/scaling.md). Loop thread, at start and reload. */
#ifndef ISMS_SHARD_H
#define ISMS_SHARD_H

#include <stdint.h>

#include "config.h"
#include "problems.h"

#define SHARD_MAX 4096

/* Read "I/N" (0 <= I < N <= SHARD_MAX) into *index and *count. 0, or -1
 * with err_msg(). */
int shard_parse(const char *s, unsigned *index, unsigned *count);
/* The shard of N that owns the repository called name: a jump consistent
 * hash of its FNV-1a hash, so that growing N moves only the repositories
 * the new shards take. */
unsigned shard_of(const char *name, unsigned count);
/* Apply ISMSD_SHARD over c's `shard` ("I/N", or only "I", or a
 * StatefulSet pod name ending in "-I", with N from the file), then drop the
 * repositories another shard owns (counted in c->shard_others). Repositories
 * given with --repo always stay. 0, or -1 with a problem in errs. */
int shard_apply(struct config *c, struct problems *errs);

/* Tell the plugins and the commands the daemon starts where it listens
 * and which shard it is: ISMS_SOCKET, and ISMSD_SHARD as "I/N" when
 * sharded. At start, before any thread. */
void shard_export(const struct config *c);

#endif
