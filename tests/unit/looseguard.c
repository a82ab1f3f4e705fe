/* looseguard.c - the loose-object guard, through guarded handles as the
 * loader opens them: sound objects pass, truncated, overlong and foreign
 * ones are named, git's temporary files are ignored, and a sound object is
 * read once; a guarded repository checks the objects it reads, by full or
 * abbreviated id, and only those. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gitcache.h"
#include "looseguard.h"
#include "tap.h"
#include "alloc.h"
#include "err.h"

static char dir[] = "/tmp/isms-loose.XXXXXX";

static void
sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = xvasprintf(fmt, ap);
	va_end(ap);
	if (system(cmd) != 0) {
		printf("# failed: %s\n", cmd);
		exit(2);
	}
	free(cmd);
}

/* Write a loose object file for id holding the zlib stream of the bytes
 * that the shell command body prints, cut to cut bytes (0: whole). */
static void
object(const char *id, const char *body, int cut)
{
	sh("mkdir -p %s/s/objects/%.2s && %s | /usr/bin/python3 -c 'import sys, zlib; "
	   "d = zlib.compress(sys.stdin.buffer.read()); sys.stdout.buffer.write(d[:%d] if %d else "
	   "d)'"
	   " > %s/s/objects/%.2s/%s",
	   dir, id, body, cut, cut, dir, id, id + 2);
}

/* The first line a shell command prints, into out (41 bytes). */
static void
capture(char out[41], const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = xvasprintf(fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	if (p == NULL || fgets(out, 41, p) == NULL) {
		printf("# failed: %s\n", cmd);
		exit(2);
	}
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
	free(cmd);
}

/* Read the first n hex digits of id from the bare repository dir/s
 * through a new guarded handle: its header for a whole id, the object for
 * an abbreviated one. 0, or -1 with libgit2's message in msg. */
static char msg[1024];
static int
check(const char *id, size_t n)
{
	char *repo = xasprintf("%s/s", dir);
	git_repository *r = NULL;
	git_odb *odb = NULL;
	git_odb_object *o = NULL;
	git_object_t type;
	git_oid oid;
	size_t len;
	int rc = -1;

	msg[0] = '\0';
	if (gitcache_open(&r, repo) == 0 && git_repository_odb(&odb, r) == 0 &&
	    git_oid_fromstrn(&oid, id, n) == 0)
		rc = n == GIT_OID_HEXSZ ? git_odb_read_header(&len, &type, odb, &oid)
		                        : git_odb_read_prefix(&o, odb, &oid, n);
	if (rc < 0) {
		const git_error *e = git_error_last();
		snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "");
	}
	git_odb_object_free(o);
	git_odb_free(odb);
	gitcache_close(r);
	free(repo);
	return rc < 0 ? -1 : 0;
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 2;
	const char *a = "aa00000000000000000000000000000000000000";
	const char *b = "bb00000000000000000000000000000000000000";

	git_libgit2_init();
	/* as the loader runs it: zlib's checksum, no re-hash of every object */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	sh("git init -q --bare %s/s", dir);
	object(a, "printf 'blob 5\\000hello'", 0);
	ok(check(a, GIT_OID_HEXSZ) == 0, "a sound object passes");
	sh("mkdir -p %s/s/objects/pack %s/s/objects/info && touch %s/s/objects/aa/tmp_obj_x", dir,
	   dir, dir);
	ok(check(a, 7) == 0, "by abbreviated id, git's temporary files are left alone: %s", msg);

	object(b, "head -c 3000 /dev/urandom | (printf 'blob 3000\\000'; cat)", 100);
	ok(check(b, GIT_OID_HEXSZ) < 0, "a truncated object is refused");
	like(msg, b, "the message names the object");
	like(msg, "is truncated", "and says it is truncated");
	like(msg, "git fsck", "and what to do");
	ok(check(b, 5) < 0 && strstr(msg, b), "so is an abbreviated id of it");

	object(b, "printf 'blob 3\\000hello world'", 0);
	ok(check(b, GIT_OID_HEXSZ) < 0, "an object longer than its header says is refused");
	like(msg, "longer than its header says", "and named so");

	object(b, "printf 'blob 30\\000hello'", 0);
	ok(check(b, GIT_OID_HEXSZ) < 0 && strstr(msg, "truncated"),
	   "a complete stream holding fewer bytes than its header says is truncated");

	object(b, "printf 'nonsense'", 0);
	ok(check(b, GIT_OID_HEXSZ) < 0 && strstr(msg, "not a git object"),
	   "contents with no type and size header are refused");

	sh("printf 'not zlib at all' > %s/s/objects/bb/%s", dir, b + 2);
	ok(check(b, GIT_OID_HEXSZ) < 0 && strstr(msg, "not a valid compressed object"),
	   "a file that is not zlib is refused: %s", msg);

	object(b, "printf 'tree 0\\000'", 0);
	ok(check(b, GIT_OID_HEXSZ) == 0, "repaired, the object passes");

	/* Sound objects are remembered by size and time; damage made in
	 * place later changes them and is found. */
	sh("cp -p %s/s/objects/aa/%s %s/keep && touch -r %s/keep %s/s/objects/aa", dir, a + 2, dir,
	   dir, dir);
	ok(check(a, GIT_OID_HEXSZ) == 0, "a remembered object passes");
	sh("head -c 12 %s/keep > %s/s/objects/aa/%s && touch -r %s/keep %s/s/objects/aa", dir, dir,
	   a + 2, dir, dir);
	ok(check(a, GIT_OID_HEXSZ) < 0 && strstr(msg, a),
	   "one truncated in place later, the directory's time unchanged, is refused");
	sh("cp -p %s/keep %s/s/objects/aa/%s && printf X | dd of=%s/s/objects/aa/%s bs=1 seek=3 "
	   "conv=notrunc status=none && touch -r %s/keep %s/s/objects/aa/%s",
	   dir, dir, a + 2, dir, a + 2, dir, dir, a + 2);
	check(a, GIT_OID_HEXSZ); /* libgit2 itself may or may not notice */
	ok(strstr(msg, "object store is damaged") == NULL,
	   "damage keeping size and time is not read again by the guard (the cost of reading "
	   "each object once)");

	/* The guard, on a real repository: what is read is checked, what is
	 * not read is not, and a damaged object fails the read (libgit2
	 * alone would loop on it) with the object named. */
	sh("git init -q %s/g && cd %s/g && echo one > a.md && echo two > b.md && git add . && "
	   "git -c user.name=t -c user.email=t@x commit -qm c",
	   dir, dir);
	char *g = xasprintf("%s/g", dir);
	char ha[41], hb[41];
	capture(ha, "cd %s && git rev-parse HEAD:a.md", g);
	capture(hb, "cd %s && git rev-parse HEAD:b.md", g);
	sh("cd %s/.git/objects/%.2s && chmod u+w %s && head -c 10 %s > t && mv t %s", g, hb, hb + 2,
	   hb + 2, hb + 2);
	git_repository *r = NULL;
	git_blob *blob = NULL;
	git_oid id;
	ok(gitcache_open(&r, g) == 0, "a guarded repository opens");
	git_oid_fromstr(&id, ha);
	ok(git_blob_lookup(&blob, r, &id) == 0,
	   "a sound object reads, beside a damaged one unread");
	git_blob_free(blob);
	blob = NULL;
	git_oid_fromstr(&id, hb);
	ok(git_blob_lookup(&blob, r, &id) < 0, "the damaged object fails to read");
	const git_error *e = git_error_last();
	like(e ? e->message : "", hb, "libgit2's error names the object");
	like(e ? e->message : "", "truncated", "and the damage");
	git_object *o = NULL;
	char abbrev[8];
	snprintf(abbrev, sizeof(abbrev), "%.7s", hb);
	ok(git_revparse_single(&o, r, abbrev) < 0, "so does an abbreviated id of it");
	gitcache_close(r);
	git_object_free(o);
	git_libgit2_shutdown();
	free(g);

	sh("rm -rf %s", dir);
	return done_testing();
}
