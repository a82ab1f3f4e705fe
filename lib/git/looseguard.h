/* looseguard.h - a check of a repository's loose objects, made before libgit2
 * reads any of them: libgit2 1.5 loops forever on a truncated loose object
 * and writes past its buffer on one whose header claims fewer bytes than
 * it holds, where git reports both as corruption. */
#ifndef ISMS_LOOSEGUARD_H
#define ISMS_LOOSEGUARD_H

/* Guard the open repository r: before libgit2 reads an object that is
 * stored loose, the object's file is checked: it must be one whole zlib
 * stream holding "<type> <size>" NUL and exactly size bytes. A damaged
 * one fails the read, with libgit2's error naming the object. Objects
 * found sound are remembered for the life of the process (keyed by path,
 * size and modification time), so each is read once. Only what is read is
 * checked, by full or abbreviated id. Every handle must be guarded before
 * its first read. Returns 0, or -1 with err_msg(). Thread-safe. */
struct git_repository;
int looseguard_attach(struct git_repository *r);

#endif
