/* pathglob.h - path patterns: '*' and '?' within one path segment,
 * '**' across segments, '[...]' classes. */
#ifndef ISMS_PATHGLOB_H
#define ISMS_PATHGLOB_H

/* 1 when path matches pattern, else 0. */
int pathglob_match(const char *pattern, const char *path);

#endif
