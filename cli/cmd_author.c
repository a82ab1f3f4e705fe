/* cmd_author.c - the commands for rule authors: run rule specs (test)
 * and start a new rule pack (new-pack). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "alloc.h"
#include "err.h"
#include "scaffold.h"
#include "spec.h"
#include "ismsctl_int.h"

static const char test_help[] =
        "usage: ismsctl test [--rules DIR] [--pack DIR]... [SPEC...]\n"
        "\n"
        "Run rule specs (Lua files of spec{...} cases: fixture records, an\n"
        "evaluation date, the expected verdicts and findings) and print TAP.\n"
        "SPEC is a spec file or a directory of them, or a rule pack's directory\n"
        "(its .lua files with specs/ beside them: the pack and its specs);\n"
        "default: specs/ in the rules directory. --pack DIR adds the organisation's own rule packs "
        "in\n"
        "DIR (repeatable) to those of --rules. Exit status: 0 all passed, 1 some\n"
        "failed, 2 error.\n";

/* When dir is a rule pack's directory (a .lua file beside a specs/
 * folder), its specs folder, else NULL. The caller's to free. */
static char *
pack_specs(const char *dir)
{
	struct stat st;
	char *specs = xasprintf("%s/specs", dir);
	int pack = stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && stat(specs, &st) == 0 &&
	           S_ISDIR(st.st_mode);
	DIR *d = pack ? opendir(dir) : NULL;
	struct dirent *de;
	pack = 0;
	while (d && (de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		pack |= l > 4 && strcmp(de->d_name + l - 4, ".lua") == 0;
	}
	if (d)
		closedir(d);
	if (!pack) {
		free(specs);
		return NULL;
	}
	return specs;
}

int
cmd_test(int argc, char **argv)
{
	const char *dir = NULL;
	int i, failed = 0, ran = 0;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (strcmp(argv[i], "--pack") == 0 && i + 1 < argc) {
			if (add_pack_dir("test", argv[++i]) < 0)
				return EXIT_USAGE;
		} else {
			int help = strcmp(argv[i], "--help") == 0;
			fputs(test_help, help ? stdout : stderr);
			return help ? 0 : EXIT_USAGE;
		}
	}
	const char *rules = dir ? dir : engine_default_rules_dir();
	char deflt[4200];
	snprintf(deflt, sizeof(deflt), "%s/specs", rules);
	int broken = 0;
	for (; i < argc || !ran; i++, ran++) {
		const char *path = i < argc ? argv[i] : deflt;
		char *specs = pack_specs(path);
		if (specs) {
			/* a pack directory: the pack with its specs */
			if (add_pack_dir("test", path) < 0) {
				free(specs);
				return EXIT_USAGE;
			}
			path = specs;
		}
		int rc = spec_run(path, rules, pack_dirs, stdout);
		free(specs);
		if (rc == SPEC_BROKEN) {
			broken = 1;
		} else if (rc < 0) {
			fprintf(stderr, "ismsctl test: %s\n", err_msg());
			return EXIT_USAGE;
		} else {
			failed += rc;
		}
		if (i >= argc)
			break;
	}
	if (broken) {
		fprintf(stderr,
		        "ismsctl test: a spec file could not be loaded (see its not ok line)\n");
		return EXIT_USAGE;
	}
	return failed ? EXIT_NONCONFORMANT : 0;
}

static const char new_pack_help[] =
        "usage: ismsctl new-pack NAME [--dir DIR]\n"
        "\n"
        "Create the rule pack DIR/NAME (DIR: default the current directory) with\n"
        "one example rule in NAME.lua, its specs in specs/NAME.lua and a README\n"
        "saying how to run them. NAME: lower-case letters, digits and hyphens.\n"
        "Then:  ismsctl test --pack DIR/NAME DIR/NAME/specs\n";

int
cmd_new_pack(int argc, char **argv)
{
	const char *dir = ".", *name = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			fputs(new_pack_help, stdout);
			return 0;
		} else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (argv[i][0] != '-' && name == NULL) {
			name = argv[i];
		} else {
			fprintf(stderr, "ismsctl new-pack: unexpected argument '%s'\n%s", argv[i],
			        new_pack_help);
			return EXIT_USAGE;
		}
	}
	if (name == NULL) {
		fputs(new_pack_help, stderr);
		return EXIT_USAGE;
	}
	if (scaffold_pack(dir, name) < 0) {
		fprintf(stderr, "ismsctl new-pack: %s\n", err_msg());
		return EXIT_USAGE;
	}
	char *readme = scaffold_text("readme", dir, name);
	const char *run = strstr(readme, "    ismsctl test");
	printf("created the rule pack %s%s%s: %s.lua, specs/%s.lua, README.md\n"
	       "run its specs with:\n%.*s",
	       strcmp(dir, ".") ? dir : "", strcmp(dir, ".") ? "/" : "", name, name, name,
	       run ? (int)(strchr(run, '\n') - run + 1) : 0, run ? run : "");
	free(readme);
	return 0;
}
