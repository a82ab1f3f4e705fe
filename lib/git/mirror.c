/* mirror.c - bare mirrors of remote repositories. */
#include "mirror.h"

#include <ftw.h>
#include <git2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "err.h"
#include "looseguard.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
init_git(void)
{
	git_libgit2_init();
}

static int
gerr(const char *what)
{
	const git_error *e = git_error_last();
	return err_set("%s: %s", what, e && e->message ? e->message : "unknown error");
}

/* Point the mirror's HEAD at the remote's default branch, or at main or
 * master when the remote did not say. */
static void
set_head(git_repository *r, git_remote *remote)
{
	git_buf b = { 0 };
	if (git_remote_default_branch(&b, remote) == 0) {
		git_repository_set_head(r, b.ptr);
		git_buf_dispose(&b);
		return;
	}
	git_reference *ref = NULL;
	if (git_reference_lookup(&ref, r, "refs/heads/main") == 0)
		git_repository_set_head(r, "refs/heads/main");
	else if (git_reference_lookup(&ref, r, "refs/heads/master") == 0)
		git_repository_set_head(r, "refs/heads/master");
	git_reference_free(ref);
}

int
mirror_fetch(const char *url, const char *dir)
{
	git_repository *r = NULL;
	git_remote *remote = NULL;
	git_fetch_options fo;
	int rc = -1;
	char *specs[] = { "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*" };
	git_strarray refspecs = { specs, 2 };
	pthread_once(&once, init_git);
	if (git_repository_open_bare(&r, dir) < 0 && git_repository_init(&r, dir, 1) < 0) {
		gerr(dir);
		goto out;
	}
	/* The fetch reads the mirror's own objects: see looseguard.h. */
	if (looseguard_attach(r) < 0)
		goto out;
	/* Anonymous, and without url.*.insteadOf rewriting: the URL is used as
	 * configured (this also avoids a leak in libgit2 1.5's glob matching). */
	git_remote_create_options ro;
	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ro.repository = r;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
	if (git_remote_create_with_opts(&remote, url, &ro) < 0) {
		gerr(url);
		goto out;
	}
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.prune = GIT_FETCH_PRUNE;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	if (git_remote_fetch(remote, &refspecs, &fo, NULL) < 0) {
		const git_error *e = git_error_last();
		err_set("cannot fetch %s: %s", url, e && e->message ? e->message : "unknown error");
		goto out;
	}
	set_head(r, remote);
	rc = 0;
out:
	git_remote_free(remote);
	git_repository_free(r);
	return rc;
}

int
mirror_is_url(const char *s)
{
	const char *p = s ? strstr(s, "://") : NULL;
	if (p == NULL || p == s)
		return 0;
	for (const char *q = s; q < p; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '+'))
			return 0;
	return 1;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void
mirror_remove(const char *dir)
{
	if (dir && *dir)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
mirror_temp(const char *url, char **dir)
{
	const char *tmp = getenv("TMPDIR");
	char *d = xasprintf("%s/ismsctl-mirror.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	*dir = NULL;
	if (mkdtemp(d) == NULL) {
		err_set("cannot create a temporary directory for the mirror of %s", url);
		free(d);
		return -1;
	}
	if (mirror_fetch(url, d) < 0) {
		mirror_remove(d);
		free(d);
		return -1;
	}
	*dir = d;
	return 0;
}
