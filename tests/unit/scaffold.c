/* scaffold.c - `ismsctl new-pack`: pack names, the filled-in templates,
 * the files made, and refusals that leave nothing behind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scaffold.h"
#include "tap.h"
#include "err.h"

static char tmp[] = "/tmp/isms-scaffold.XXXXXX";

static int
exists(const char *fmt, const char *a, const char *b)
{
	char path[1024];
	struct stat st;
	snprintf(path, sizeof(path), fmt, a, b);
	return stat(path, &st) == 0;
}

static void
test_names(void)
{
	static const char *const good[] = { "a", "acme", "acme-backups", "x2", "a-1-b", NULL };
	static const char *const bad[] = {
		"", "A", "Acme", "1abc", "-abc", "abc-", "a--b", "a b", "a/b", "../x",
		"a.b", "a_b", "é", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij", NULL,
	};
	for (size_t i = 0; good[i]; i++)
		ok(scaffold_check_name(good[i]) == 0, "'%s' names a pack", good[i]);
	for (size_t i = 0; bad[i]; i++) {
		ok(scaffold_check_name(bad[i]) < 0, "'%s' is refused", bad[i]);
		ok(strlen(err_msg()) > 0, "with a reason: %s", err_msg());
	}
}

static void
test_text(void)
{
	char *s = scaffold_text("pack", "packs/", "acme");
	like(s, "id = \"acme-access-review\"", "the rule id carries the pack name");
	like(s, "ismsctl test --pack packs/acme packs/acme/specs", "the command names the path");
	ok(strstr(s, "@NAME@") == NULL && strstr(s, "@PACK@") == NULL, "no placeholder is left");
	free(s);
	s = scaffold_text("spec", ".", "acme");
	like(s, "--pack acme acme/specs", "in the current directory the path is the name");
	like(s, "local RULE = \"acme-access-review\"", "the spec names the rule");
	free(s);
	s = scaffold_text("readme", "/", "acme");
	like(s, "--pack /acme /acme/specs", "at the root the path is /name");
	free(s);
	ok(scaffold_text("nonsense", ".", "acme") == NULL, "an unknown file gives NULL");
}

static void
test_make(void)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/a/b", tmp);
	is_int(scaffold_pack(dir, "acme"), 0, "a pack is made, parents too");
	ok(exists("%s/%s/acme/acme.lua", dir, ""), "the rule file");
	ok(exists("%s/%s/acme/specs/acme.lua", dir, ""), "the spec file");
	ok(exists("%s/%s/acme/README.md", dir, ""), "the README");
	is_int(scaffold_pack(dir, "acme"), -1, "an existing pack is refused");
	like(err_msg(), "already exists", "saying so");
	ok(exists("%s/%s/acme/acme.lua", dir, ""), "and left as it was");
	is_int(scaffold_pack(dir, "Bad"), -1, "a bad name is refused");
	ok(!exists("%s/%s/Bad", dir, ""), "before anything is made");

	/* dir is a file: nothing can be made there. */
	char file[300];
	snprintf(file, sizeof(file), "%s/file", tmp);
	FILE *f = fopen(file, "w");
	fclose(f);
	is_int(scaffold_pack(file, "acme"), -1, "a file as the directory is refused");
	like(err_msg(), "not a directory", "saying so");
	is_int(scaffold_pack("", "acme"), -1, "an empty directory name is refused");

	/* The spec directory cannot be made: the pack directory is removed. */
	char ro[300];
	snprintf(ro, sizeof(ro), "%s/ro", tmp);
	mkdir(ro, 0555);
	if (geteuid() != 0) {
		is_int(scaffold_pack(ro, "acme"), -1, "an unwritable directory fails");
		ok(!exists("%s/%s/acme", ro, ""), "leaving nothing behind");
	}
	chmod(ro, 0755);
}

int
main(void)
{
	if (mkdtemp(tmp) == NULL)
		return 2;
	test_names();
	test_text();
	test_make();
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd) != 0)
		return 2;
	return done_testing();
}
