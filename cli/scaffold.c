/* scaffold.c - `ismsctl new-pack`: a new rule pack with one example rule,
 * its specs and a README. The templates below are filled in with the
 * pack's name (@NAME@) and its directory as the user gave it (@PACK@),
 * so that the commands they show run as written. tests/cli/sdk-examples.t
 * runs the specs of a freshly made pack. */
#include "scaffold.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cdefs.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"

#define MAX_NAME 48

/* clang-format off */
static const char pack_tpl[] =
	"-- @NAME@.lua - the @NAME@ rule pack: rules of the organisation's own, run\n"
	"-- after the shipped ones. Each isms.rule{} declares one rule; its check\n"
	"-- function reads records through `r` and reports findings that point at\n"
	"-- the file and line they are about. Reference: docs/writing-rules.md.\n"
	"--\n"
	"-- Try it:  ismsctl test --pack @PACK@ @PACK@/specs\n"
	"-- Use it:  ismsctl check --repo PATH-TO-ISMS --pack @PACK@\n"
	"\n"
	"isms.rule {\n"
	"  -- A unique id: it names the rule in results, waivers and parameters.\n"
	"  id = \"@NAME@-access-review\",\n"
	"  -- The Annex A control it checks (or clause = \"9.2\" for a clause).\n"
	"  control = \"5.18\", severity = \"major\",\n"
	"  title = \"Access rights reviewed at least every 90 days\",\n"
	"  rationale = \"Access rights are reviewed at planned intervals (A.5.18).\",\n"
	"  remediation = \"Review the access rights and record it under evidence/ as kind access-review, with its date.\",\n"
	"  -- Parameters: isms.yaml can override them under `parameters:`.\n"
	"  params = {\n"
	"    max_age_days = { default = 90, doc = \"days between access reviews\" },\n"
	"  },\n"
	"  check = function(r)\n"
	"    -- The newest access review among the evidence records.\n"
	"    local newest, newest_day\n"
	"    for _, ev in ipairs(r:records(\"evidence\")) do\n"
	"      local day = isms.date(ev.date)\n"
	"      if ev.kind == \"access-review\" and day and (newest_day == nil or day > newest_day) then\n"
	"        newest, newest_day = ev, day\n"
	"      end\n"
	"    end\n"
	"    if not newest then\n"
	"      -- A finding without a location is about the repository as a whole.\n"
	"      return r:fail(\"no access review is recorded (evidence of kind access-review)\")\n"
	"    end\n"
	"    -- An observation: the verdict is warn unless something fails.\n"
	"    if newest.result == \"fail\" then\n"
	"      r:warn(newest:at(\"result\"), \"the last access review (%s) failed\", newest.id)\n"
	"    end\n"
	"    -- The verdict holds until the next review falls due: the daemon\n"
	"    -- evaluates again then, without waiting for a commit.\n"
	"    local due = newest_day:add_days(r:param(\"max_age_days\"))\n"
	"    r:valid_until(due)\n"
	"    if r.now > due then\n"
	"      -- Point the finding at the field it is about.\n"
	"      r:fail(newest:at(\"date\"), \"the last access review (%s) was on %s; the next was due on %s\",\n"
	"        newest.id, newest_day, due)\n"
	"    end\n"
	"  end,\n"
	"}\n";

static const char spec_tpl[] =
	"-- Specs of @NAME@.lua. Each spec{} writes a small ISMS inline (files),\n"
	"-- evaluates it as of a date (now) and says what the rule must report\n"
	"-- (expect). Run: ismsctl test --pack @PACK@ @PACK@/specs\n"
	"\n"
	"local RULE = \"@NAME@-access-review\"\n"
	"\n"
	"local FILES = {\n"
	"  [\"isms.yaml\"] = [[\n"
	"organisation: Example Ltd\n"
	"time_zone: Europe/London\n"
	"]],\n"
	"  [\"evidence/access-reviews.yaml\"] = [[\n"
	"evidence:\n"
	"  - id: EV-AR-1\n"
	"    kind: access-review\n"
	"    date: 2026-01-15\n"
	"    result: pass\n"
	"]],\n"
	"}\n"
	"\n"
	"spec {\n"
	"  name = \"an access review 30 days ago passes until the next is due\",\n"
	"  now = \"2026-02-14\",\n"
	"  files = FILES,\n"
	"  expect = { [RULE] = { status = \"pass\", valid_until = \"2026-04-15\" } },\n"
	"}\n"
	"\n"
	"spec {\n"
	"  name = \"an access review 100 days ago fails at its date\",\n"
	"  now = \"2026-04-25\",\n"
	"  files = FILES,\n"
	"  expect = { [RULE] = { status = \"fail\", count = 1,\n"
	"    findings = { { file = \"evidence/access-reviews.yaml\", line = 4,\n"
	"                   message = \"the next was due on 2026-04-15\" } } } },\n"
	"}\n"
	"\n"
	"spec {\n"
	"  name = \"isms.yaml can allow a longer interval\",\n"
	"  now = \"2026-04-25\",\n"
	"  files = FILES,\n"
	"  edit = { [\"isms.yaml\"] = { { \"time_zone: Europe/London\",\n"
	"    \"time_zone: Europe/London\\nparameters:\\n  \" .. RULE .. \":\\n    max_age_days: 120\" } } },\n"
	"  expect = { [RULE] = \"pass\" },\n"
	"}\n"
	"\n"
	"spec {\n"
	"  name = \"no access review at all fails\",\n"
	"  now = \"2026-02-14\",\n"
	"  files = FILES,\n"
	"  remove = { \"evidence/access-reviews.yaml\" },\n"
	"  expect = { [RULE] = { status = \"fail\", findings = { { message = \"no access review is recorded\" } } } },\n"
	"}\n";

static const char readme_tpl[] =
	"# @NAME@ - a rule pack\n"
	"\n"
	"The organisation's own rules, run after the rules shipped with ismsd.\n"
	"\n"
	"    @NAME@.lua          the rules: one isms.rule{} each\n"
	"    specs/@NAME@.lua    their specs: inline ISMS records, a date, the\n"
	"                        verdicts and findings expected\n"
	"\n"
	"## Run the specs\n"
	"\n"
	"    ismsctl test --pack @PACK@ @PACK@/specs\n"
	"\n"
	"`ismsctl test` prints TAP (`ok` / `not ok` per expectation) and exits 0\n"
	"when every expectation holds, 1 when one does not, 2 when a spec or a\n"
	"pack cannot be loaded (the message names the file and line). `--pack`\n"
	"adds this directory to the shipped rules; `--rules DIR` chooses another\n"
	"directory of shipped rules.\n"
	"\n"
	"## Check an ISMS with it\n"
	"\n"
	"    ismsctl check --repo PATH-TO-ISMS --pack @PACK@\n"
	"\n"
	"## Next steps\n"
	"\n"
	"- Rename the example rule, change its check, and adjust the specs.\n"
	"- Parameters declared in `params` can be set in the ISMS's isms.yaml:\n"
	"  `parameters: { @NAME@-access-review: { max_age_days: 60 } }`.\n"
	"- The API (`isms.*`, `r:*`, records, dates) and the spec format are\n"
	"  described in docs/writing-rules.md; sdk/lua/isms.lua gives an editor\n"
	"  completion and type checks (see sdk/lua/.luarc.json).\n";
/* clang-format on */

struct file {
	const char *which; /* for scaffold_text */
	const char *rel;   /* path under dir/name, a template too */
	const char *tpl;
};

static const struct file files[] = {
	{ "pack", "@NAME@.lua", pack_tpl },
	{ "spec", "specs/@NAME@.lua", spec_tpl },
	{ "readme", "README.md", readme_tpl },
};

int
scaffold_check_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > MAX_NAME)
		return err_set("a pack name has 1 to %d characters", MAX_NAME);
	if (name[0] < 'a' || name[0] > 'z')
		return err_set("'%s': a pack name starts with a lower-case letter", name);
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
		if (!ok)
			return err_set("'%s': a pack name has lower-case letters, digits and "
			               "hyphens only",
			               name);
		if (c == '-' && (i + 1 == n || name[i + 1] == '-'))
			return err_set("'%s': a hyphen must be followed by a letter or digit",
			               name);
	}
	return 0;
}

/* Replace every @KEY@ of tpl; the caller frees the result. */
static char *
fill(const char *tpl, const char *name, const char *pack)
{
	struct buf b = { 0 };
	for (const char *p = tpl; *p;) {
		if (strncmp(p, "@NAME@", 6) == 0) {
			buf_adds(&b, name);
			p += 6;
		} else if (strncmp(p, "@PACK@", 6) == 0) {
			buf_adds(&b, pack);
			p += 6;
		} else {
			buf_addc(&b, *p++);
		}
	}
	if (b.data == NULL)
		buf_adds(&b, "");
	return buf_steal(&b);
}

/* The pack's directory as the user would type it: dir/name. */
static char *
pack_path(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '.')
		return xstrdup(name);
	if (n == 1 && dir[0] == '/')
		return xasprintf("/%s", name);
	return xasprintf("%.*s/%s", (int)n, dir, name);
}

char *
scaffold_text(const char *which, const char *dir, const char *name)
{
	for (size_t i = 0; i < NELEM(files); i++)
		if (strcmp(files[i].which, which) == 0) {
			char *pack = pack_path(dir, name);
			char *s = fill(files[i].tpl, name, pack);
			free(pack);
			return s;
		}
	return NULL;
}

/* Create dir and its missing parents. */
static int
make_dirs(const char *dir)
{
	if (dir[0] == '\0')
		return err_set("give the directory to create the pack in");
	char *p = xstrdup(dir);
	int rc = 0;
	for (char *s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST)
			rc = err_set("cannot create the directory %s: %s", p, strerror(errno));
		*s = c;
		if (c == '\0')
			break;
	}
	struct stat st;
	if (rc == 0 && (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)))
		rc = err_set("%s is not a directory", dir);
	free(p);
	return rc;
}

/* Write text to a new file at path; -1 when it exists or cannot be
 * written. */
static int
write_new(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0)
		return err_set("cannot create %s: %s", path, strerror(errno));
	FILE *f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return err_set("cannot write %s: %s", path, strerror(errno));
	}
	int bad = fputs(text, f) == EOF;
	if (fclose(f) != 0 || bad)
		return err_set("cannot write %s: %s", path, strerror(errno));
	return 0;
}

int
scaffold_pack(const char *dir, const char *name)
{
	char *root = NULL, *specs = NULL;
	char *made[NELEM(files)] = { NULL };
	int rc = -1, root_made = 0, specs_made = 0;
	if (scaffold_check_name(name) < 0 || make_dirs(dir) < 0)
		return -1;
	root = pack_path(dir, name);
	specs = xasprintf("%s/specs", root);
	if (mkdir(root, 0777) < 0) {
		if (errno == EEXIST)
			err_set("%s already exists: choose another name, or remove it first", root);
		else
			err_set("cannot create the directory %s: %s", root, strerror(errno));
		goto out;
	}
	root_made = 1;
	if (mkdir(specs, 0777) < 0) {
		err_set("cannot create the directory %s: %s", specs, strerror(errno));
		goto out;
	}
	specs_made = 1;
	for (size_t i = 0; i < NELEM(files); i++) {
		char *rel = fill(files[i].rel, name, root);
		char *path = xasprintf("%s/%s", root, rel);
		free(rel);
		char *text = fill(files[i].tpl, name, root);
		int w = write_new(path, text);
		free(text);
		if (w < 0) {
			free(path);
			goto out;
		}
		made[i] = path;
	}
	rc = 0;
out:
	for (size_t i = 0; i < NELEM(files); i++) {
		if (rc < 0 && made[i])
			unlink(made[i]);
		free(made[i]);
	}
	if (rc < 0 && specs_made)
		rmdir(specs);
	if (rc < 0 && root_made)
		rmdir(root);
	free(specs);
	free(root);
	return rc;
}
