/* gitcache.c - one libgit2 handle per repository and job: inside a session
 * a second open of the same path is the same handle, another path or
 * another thread gets its own, closing the session's handle keeps it, and
 * outside a session every open is new. Leaks show under valgrind and
 * ASan. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "gitcache.h"
#include "tap.h"
#include "alloc.h"

static char dir[] = "/tmp/isms-gitrepo.XXXXXX";
static char *a; /* the repository opened on both threads */

static void *
other_thread(void *arg)
{
	git_repository *r = NULL;
	if (gitcache_open(&r, a) < 0)
		return NULL;
	int differs = r != *(git_repository **)arg;
	gitcache_close(r);
	return differs ? arg : NULL;
}

int
main(void)
{
	git_libgit2_init();
	if (mkdtemp(dir) == NULL)
		return 2;
	char *cmd = xasprintf("git init -q %s/a && git init -q %s/b", dir, dir);
	if (system(cmd) != 0)
		return 2;
	free(cmd);
	a = xasprintf("%s/a", dir);
	char *b = xasprintf("%s/b", dir);
	git_repository *r1 = NULL, *r2 = NULL, *r3 = NULL;

	ok(gitcache_open(&r1, a) == 0 && gitcache_open(&r2, a) == 0 && r1 != r2,
	   "outside a session, two opens are two handles");
	gitcache_close(r1);
	gitcache_close(r2);

	gitcache_session_begin();
	ok(gitcache_open(&r1, a) == 0, "a session opens the repository");
	gitcache_close(r1);
	ok(gitcache_open(&r2, a) == 0 && r2 == r1, "and gives the same handle again after a close");
	ok(gitcache_open(&r3, b) == 0 && r3 != r1, "another repository is a handle of its own");
	gitcache_close(r3);
	ok(git_repository_is_bare(r2) == 0 && git_repository_workdir(r2) != NULL,
	   "the kept handle is still usable after the close");
	void *res = NULL;
	pthread_t t;
	ok(pthread_create(&t, NULL, other_thread, &r2) == 0 && pthread_join(t, &res) == 0 &&
	           res == &r2,
	   "another thread gets a handle of its own");
	gitcache_close(r2);
	ok(gitcache_open(&r3, "/nonexistent/isms-repo") < 0, "a missing repository fails");
	gitcache_session_end();
	ok(gitcache_open(&r1, a) == 0, "after the session, opens are new again");
	gitcache_close(r1);

	cmd = xasprintf("rm -rf %s", dir);
	ok(system(cmd) == 0, "clean up");
	free(cmd);
	free(a);
	free(b);
	git_libgit2_shutdown();
	done_testing();
}
