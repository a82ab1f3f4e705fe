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

/* loose_check on the objects directory of an open repository (its
 * common directory's, for a linked work tree). */
struct git_repository;
int loose_check_repo(struct git_repository *r);

/* A job that opens one repository several times (the daemon evaluating
 * a commit resolves, diffs and loads it) checks it once: between
 * loose_session_begin and loose_session_end, a repeated check of the same
 * objects directory on this thread passes at once. */
void loose_session_begin(void);
void loose_session_end(void);

/* Forget the objects remembered (tests). */
void loose_forget(void);

#endif
