/* loose.h - a check of a repository's loose objects, made before libgit2
 * reads any of them: libgit2 1.5 loops forever on a truncated loose object
 * and writes past its buffer on one whose header claims fewer bytes than
 * it holds, where git reports both as corruption. */
#ifndef ISMS_LOOSE_H
#define ISMS_LOOSE_H

/* Check every loose object under objdir (a repository's objects
 * directory): each must be one whole zlib stream holding "<type> <size>"
 * NUL and exactly size bytes. Objects found sound are remembered for the
 * life of the process (keyed by path, size and modification time), so a
 * repository is read once and then only its new objects. Returns 0, or
 * -1 with err_msg() naming the first damaged object. Thread-safe. */
int loose_check(const char *objdir);

/* Guard the open repository r: before libgit2 reads an object that is
 * stored loose, the object's file is checked as loose_check checks it
 * (and remembered once sound); a damaged one fails the read, with
 * libgit2's error naming the object. Only what is read is checked. Every
 * handle must be guarded before its first read. Returns 0, or -1 with
 * err_msg(). */
struct git_repository;
int loose_guard(struct git_repository *r);

/* Forget the objects remembered (tests). */
void loose_forget(void);

#endif
