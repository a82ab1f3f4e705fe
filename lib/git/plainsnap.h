/* plainsnap.h - snapshots made from files in memory or in a plain
 * directory: rule specs and tests evaluate records without a git
 * repository. */
#ifndef ISMS_PLAINSNAP_H
#define ISMS_PLAINSNAP_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

/* A snapshot of n files (paths[i] with contents data[i], NUL-terminated),
 * all last changed at time t by `author`. The caller frees it with
 * snapshot_free. */
struct snapshot *plainsnap_memory(const char *const *paths, const char *const *data, size_t n,
                                  int64_t t, const char *author);

/* The same from the regular files under dir (recursively; symlinks are
 * reported as problems). Returns 0, or -1 with err_msg(). */
int plainsnap_dir(const char *dir, int64_t t, struct snapshot **out);

#endif
