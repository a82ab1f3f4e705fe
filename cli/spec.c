/* spec.c - rule specs.
 *
 * A spec file is Lua that calls spec{...} once per case:
 *
 *   spec {
 *     name = "policy approved by the CEO passes",
 *     now = "2026-11-22",
 *     fixture = "../../contrib/example-isms/records",  -- optional base
 *     files = { ["isms.yaml"] = [[...]] },             -- add or replace
 *     edit = { ["soa.yaml"] = { { "from text", "to text" } } },
 *     remove = { "risk/register.yaml" },
 *     broken_records = true,   -- the fixture is invalid on purpose
 *     expect = {
 *       ["5.2-policy-approved"] = "pass",
 *       ["9.3-review-held"] = { status = "pass", valid_until = "2027-03-01" },
 *       ["6.1.3-soa-complete"] = { status = "fail", count = 1,
 *         findings = { { file = "soa.yaml", line = 3, message = "7.4" } } },
 *     },
 *   }
 *
 * Paths of fixtures are relative to the spec file. Only the rules named
 * in expect run. A finding matches when file and line are equal (where
 * given) and its message contains the expected text; note = "text"
 * expects the verdict's note (a reason not applicable, a link to the
 * rule that reports the root cause) to contain it. valid_until is the
 * last day the verdict holds without a new commit ("none": it does not
 * expire), in the organisation's time zone. */
#include "spec.h"
#include "escape.h"

#include <dirent.h>
#include <lauxlib.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "date.h"
#include "engine.h"
#include "plainsnap.h"
#include "model.h"
#include "sandbox.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "problems.h"
#include "sys.h"

struct file {
	char *path, *data;
};

struct files {
	struct file *v;
	size_t n;
};

struct ctx {
	struct engine *e;
	FILE *out;
	int n, failed;
	int broken; /* a spec file could not be loaded or run */
};

static void
files_set(struct files *f, const char *path, const char *data)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].path, path) == 0) {
			free(f->v[i].data);
			f->v[i].data = xstrdup(data);
			return;
		}
	f->v = xreallocarray(f->v, f->n + 1, sizeof(*f->v));
	f->v[f->n].path = xstrdup(path);
	f->v[f->n].data = xstrdup(data);
	f->n++;
}

static void
files_free(struct files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].data);
	}
	free(f->v);
}

static void
remove_file(struct files *f, const char *path)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].path, path) == 0) {
			free(f->v[i].path);
			free(f->v[i].data);
			f->v[i] = f->v[--f->n];
			return;
		}
}

/* Load the base fixture directory into f. */
static int
load_fixture(const char *specdir, const char *rel, struct files *f)
{
	char dir[4096];
	if (rel[0] == '/')
		snprintf(dir, sizeof(dir), "%s", rel);
	else
		snprintf(dir, sizeof(dir), "%s/%s", specdir, rel);
	struct snapshot *s;
	if (plainsnap_dir(dir, 0, &s) < 0)
		return -1;
	for (size_t i = 0; i < s->nfiles; i++)
		files_set(f, s->files[i].path, s->files[i].data ? s->files[i].data : "");
	snapshot_free(s);
	return 0;
}

/* Apply files, edit and remove of the spec table at the top of L. */
static int
apply(lua_State *L, struct files *f)
{
	lua_getfield(L, -1, "files");
	if (lua_istable(L, -1)) {
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
				return err_set("files: give path = text");
			files_set(f, lua_tostring(L, -2), lua_tostring(L, -1));
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	lua_getfield(L, -1, "edit");
	if (lua_istable(L, -1)) {
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			const char *path = lua_tostring(L, -2);
			struct file *fl = NULL;
			for (size_t i = 0; path && i < f->n; i++)
				if (strcmp(f->v[i].path, path) == 0)
					fl = &f->v[i];
			if (fl == NULL)
				return err_set("edit: no file %s in the fixture",
				               path ? path : "?");
			for (lua_Integer k = 1; lua_rawgeti(L, -1, k) == LUA_TTABLE; k++) {
				lua_rawgeti(L, -1, 1);
				lua_rawgeti(L, -2, 2);
				const char *from = lua_tostring(L, -2), *to = lua_tostring(L, -1);
				char *at = from ? strstr(fl->data, from) : NULL;
				if (at == NULL || to == NULL)
					return err_set("edit: '%s' is not in %s", from ? from : "?",
					               path);
				struct buf b = { 0 };
				buf_add(&b, fl->data, (size_t)(at - fl->data));
				buf_adds(&b, to);
				buf_adds(&b, at + strlen(from));
				free(fl->data);
				fl->data = buf_steal(&b);
				lua_pop(L, 3);
			}
			lua_pop(L, 2);
		}
	}
	lua_pop(L, 1);
	lua_getfield(L, -1, "remove");
	if (lua_istable(L, -1)) {
		for (lua_Integer k = 1; lua_rawgeti(L, -1, k) == LUA_TSTRING; k++) {
			remove_file(f, lua_tostring(L, -1));
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

static void
tap(struct ctx *c, int pass, const char *name, const char *rule, const char *what)
{
	c->n++;
	if (!pass)
		c->failed++;
	fprintf(c->out, "%s %d - %s: %s %s\n", pass ? "ok" : "not ok", c->n, esc(name), esc(rule),
	        esc(what));
}

static void
show(struct ctx *c, const struct rule_result *r)
{
	fprintf(c->out, "#   got %s%s%s\n", rule_status_name(r->status), r->note ? ": " : "",
	        r->note ? esc(r->note) : "");
	for (size_t k = 0; k < r->nfindings; k++)
		fprintf(c->out, "#     %s:%d: %s\n",
		        r->findings[k].file ? esc(r->findings[k].file) : "-", r->findings[k].line,
		        esc(r->findings[k].message));
}

static int
finding_matches(lua_State *L, const struct finding *f)
{
	lua_getfield(L, -1, "file");
	const char *file = lua_tostring(L, -1);
	int ok = file == NULL || (f->file && strcmp(f->file, file) == 0);
	lua_getfield(L, -2, "line");
	ok = ok && (lua_isnil(L, -1) || lua_tointeger(L, -1) == f->line);
	lua_getfield(L, -3, "message");
	const char *msg = lua_tostring(L, -1);
	ok = ok && (msg == NULL || strstr(f->message, msg));
	lua_pop(L, 3);
	return ok;
}

/* The last day a verdict holds ("none" when it does not expire), in
 * the organisation's time zone tz. */
static void
holds_through(const struct rule_result *r, const char *tz, char out[11])
{
	struct ymd d;
	if (r->valid_until == 0 || date_local_ymd(r->valid_until - 1, tz, &d) < 0) {
		snprintf(out, 11, "none");
		return;
	}
	date_format(d, out);
}

/* Check valid_until = "YYYY-MM-DD" (or "none") of the expectation table
 * at the top of L: the last day the verdict holds without a new commit. */
static void
check_valid_until(struct ctx *c, lua_State *L, const char *name, const struct rule_result *r,
                  const char *tz)
{
	lua_getfield(L, -1, "valid_until");
	const char *want = lua_tostring(L, -1);
	if (want != NULL) {
		char got[11], what[128];
		holds_through(r, tz, got);
		snprintf(what, sizeof(what), "holds through %.20s", want);
		int pass = strcmp(got, want) == 0;
		tap(c, pass, name, r->rule->id, what);
		if (!pass)
			fprintf(c->out, "#   got valid_until %s\n", got);
	}
	lua_pop(L, 1);
}

/* Check one rule's expectation (the value at the top of L). */
static void
check_one(struct ctx *c, lua_State *L, const char *name, const struct rule_result *r,
          const char *tz)
{
	const char *want = lua_isstring(L, -1) ? lua_tostring(L, -1) : NULL;
	if (want == NULL && lua_istable(L, -1)) {
		lua_getfield(L, -1, "status");
		want = lua_tostring(L, -1);
		lua_pop(L, 1);
	}
	char what[128];
	snprintf(what, sizeof(what), "is %s", want ? want : "?");
	int pass = want && strcmp(rule_status_name(r->status), want) == 0;
	tap(c, pass, name, r->rule->id, what);
	if (!pass)
		show(c, r);
	if (!lua_istable(L, -1))
		return;
	check_valid_until(c, L, name, r, tz);
	lua_getfield(L, -1, "note");
	if (lua_isstring(L, -1)) {
		const char *part = lua_tostring(L, -1);
		int found = r->note && strstr(r->note, part) != NULL;
		snprintf(what, sizeof(what), "notes '%.80s'", part);
		tap(c, found, name, r->rule->id, what);
		if (!found)
			show(c, r);
	}
	lua_pop(L, 1);
	lua_getfield(L, -1, "count");
	if (lua_isinteger(L, -1)) {
		lua_Integer n = lua_tointeger(L, -1);
		snprintf(what, sizeof(what), "has %lld finding%s", (long long)n, n == 1 ? "" : "s");
		tap(c, (lua_Integer)r->nfindings == n, name, r->rule->id, what);
		if ((lua_Integer)r->nfindings != n)
			show(c, r);
	}
	lua_pop(L, 1);
	lua_getfield(L, -1, "findings");
	int list = lua_istable(L, -1);
	for (lua_Integer k = 1; list && lua_rawgeti(L, -1, k) == LUA_TTABLE; k++) {
		int found = 0;
		for (size_t i = 0; i < r->nfindings && !found; i++)
			found = finding_matches(L, &r->findings[i]);
		lua_getfield(L, -1, "message");
		snprintf(what, sizeof(what), "finds '%.80s'",
		         lua_tostring(L, -1) ? lua_tostring(L, -1) : "");
		lua_pop(L, 1);
		tap(c, found, name, r->rule->id, what);
		if (!found)
			show(c, r);
		lua_pop(L, 1);
	}
	/* the findings value, and the non-table that ended the list if any */
	lua_pop(L, list ? 2 : 1);
}

static const struct rule_result *
find_result(const struct evaluation *ev, const char *id)
{
	for (size_t i = 0; i < ev->n; i++)
		if (strcmp(ev->results[i].rule->id, id) == 0)
			return &ev->results[i];
	return NULL;
}

/* Select the rules named in expect; -1 when one is unknown. */
static int
select_rules(struct ctx *c, lua_State *L, unsigned char *only)
{
	const struct rule_info *rules;
	size_t n = engine_rules(c->e, &rules);
	lua_getfield(L, -1, "expect");
	if (!lua_istable(L, -1))
		return err_set("no expect table");
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		const char *id = lua_tostring(L, -2);
		size_t i;
		for (i = 0; i < n && strcmp(rules[i].id, id ? id : "") != 0; i++)
			;
		if (i == n) {
			lua_pop(L, 3);
			return err_set("expect: there is no rule '%s'", id ? id : "?");
		}
		only[i] = 1;
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

/* A fixture whose records do not parse would let a spec pass without
 * testing anything: that fails, unless the spec is about such problems
 * (it expects a verdict of 7.5-records-valid, or says broken_records). */
static void
fixture_problems(struct ctx *c, lua_State *L, const struct model *m, const char *name)
{
	int top = lua_gettop(L), about = 0;
	lua_getfield(L, -1, "broken_records");
	about = lua_toboolean(L, -1);
	lua_pop(L, 1);
	lua_getfield(L, -1, "expect");
	if (lua_istable(L, -1)) {
		lua_getfield(L, -1, "7.5-records-valid");
		about = about || !lua_isnil(L, -1);
	}
	lua_settop(L, top);
	if (about)
		return;
	size_t bad = 0;
	for (size_t i = 0; i < m->problems.n; i++)
		bad += !m->problems.v[i].note;
	if (bad == 0)
		return;
	tap(c, 0, name, "fixture", "has records that do not parse or validate");
	for (size_t i = 0; i < m->problems.n; i++)
		if (!m->problems.v[i].note)
			fprintf(c->out, "#   %s:%d: %s\n",
			        m->problems.v[i].path ? esc(m->problems.v[i].path) : "-",
			        m->problems.v[i].line, esc(m->problems.v[i].msg));
}

static int
eval_spec(struct ctx *c, lua_State *L, const struct files *f, const char *name, int64_t now,
          const unsigned char *only)
{
	const char **paths = xcalloc(f->n + 1, sizeof(char *));
	const char **data = xcalloc(f->n + 1, sizeof(char *));
	for (size_t i = 0; i < f->n; i++) {
		paths[i] = f->v[i].path;
		data[i] = f->v[i].data;
	}
	struct snapshot *s = plainsnap_memory(paths, data, f->n, now - 86400, "spec");
	free(paths);
	free(data);
	struct model *m = NULL;
	struct evaluation *ev = NULL;
	int rc = model_build(s, &m);
	if (rc == 0)
		fixture_problems(c, L, m, name);
	if (rc == 0)
		rc = engine_eval(c->e, m, now, only, &ev);
	if (rc == 0) {
		lua_getfield(L, -1, "expect");
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			check_one(c, L, name, find_result(ev, lua_tostring(L, -2)), ev->tz);
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	evaluation_free(ev);
	model_free(m);
	snapshot_free(s);
	return rc;
}

/* Run the spec table at the top of L. */
static void
run_spec(struct ctx *c, lua_State *L, const char *file, const char *specdir)
{
	struct files f = { 0 };
	int top = lua_gettop(L); /* error paths leave the stack unbalanced */
	const struct rule_info *rules;
	unsigned char *only = xcalloc(engine_rules(c->e, &rules) + 1, 1);
	lua_getfield(L, -1, "name");
	char *name = xstrdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : file);
	lua_pop(L, 1);
	lua_getfield(L, -1, "now");
	struct ymd d;
	int64_t now = 0;
	const char *ns = lua_tostring(L, -1);
	int bad = ns == NULL || date_parse(ns, "UTC", &d, &now, NULL) < 0;
	lua_pop(L, 1);
	now += (int64_t)12 * 3600;
	int rc = bad ? err_set("now: give the evaluation date, e.g. now = \"2026-11-22\"") : 0;
	lua_getfield(L, -1, "fixture");
	if (rc == 0 && lua_isstring(L, -1))
		rc = load_fixture(specdir, lua_tostring(L, -1), &f);
	lua_pop(L, 1);
	if (rc == 0)
		rc = apply(L, &f);
	if (rc == 0)
		rc = select_rules(c, L, only);
	if (rc == 0)
		rc = eval_spec(c, L, &f, name, now, only);
	if (rc < 0) {
		c->n++;
		c->failed++;
		fprintf(c->out, "not ok %d - %s (%s): %s\n", c->n, esc(name), esc(file),
		        esc(err_msg()));
	}
	lua_settop(L, top);
	free(name);
	free(only);
	files_free(&f);
}

static int
l_spec(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, LUA_REGISTRYINDEX, "isms.specs");
	lua_pushvalue(L, 1);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	return 0;
}

static int
run_file(struct ctx *c, const char *path)
{
	char *src;
	size_t len;
	if (read_file(path, 16u << 20, &src, &len) < 0)
		return -1;
	struct sandbox *sb = sandbox_new();
	lua_State *L = sandbox_lua(sb);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "isms.specs");
	lua_pushcfunction(L, l_spec);
	sandbox_set_global(sb, "spec");
	sandbox_push_env(sb);
	struct sandbox_limits lim = { SANDBOX_DEFAULT_BUDGET, SANDBOX_DEFAULT_MEM_CAP };
	int rc = sandbox_load(sb, path, src, len);
	free(src);
	if (rc == 0 && sandbox_call(sb, 0, 0, &lim) < 0)
		rc = -1;
	if (rc == 0) {
		char *dup = xstrdup(path);
		const char *dir = dirname(dup);
		lua_getfield(L, LUA_REGISTRYINDEX, "isms.specs");
		for (lua_Integer k = 1; lua_rawgeti(L, -1, k) == LUA_TTABLE; k++) {
			run_spec(c, L, path, dir);
			lua_pop(L, 1);
		}
		lua_pop(L, 2);
		free(dup);
	}
	sandbox_free(sb);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
run_dir(struct ctx *c, const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return err_set("%s: cannot read the directory", dir);
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] != '.' && l > 4 && strcmp(de->d_name + l - 4, ".lua") == 0) {
			names = xreallocarray(names, n + 1, sizeof(char *));
			names[n++] = xasprintf("%s/%s", dir, de->d_name);
		}
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(char *), cmp_str);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (run_file(c, names[i]) < 0) {
			c->n++;
			c->failed++;
			c->broken = 1;
			fprintf(c->out, "not ok %d - %s: %s\n", c->n, esc(names[i]),
			        esc(err_msg()));
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int
spec_run(const char *path, const char *rules_dir, const char *const *extra_dirs, FILE *out)
{
	struct ctx c = { .out = out };
	struct problems errs = { 0 };
	struct engine_opts o = { rules_dir, { 0, 0 } };
	if (engine_load_packs(&o, extra_dirs, &c.e, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", esc(errs.v[i].msg));
		problems_free(&errs);
		return -1;
	}
	struct stat st;
	int rc;
	if (stat(path, &st) < 0)
		rc = err_set("%s: no such spec file or directory", path);
	else if (S_ISDIR(st.st_mode))
		rc = run_dir(&c, path);
	else if ((rc = run_file(&c, path)) < 0) {
		c.n++;
		c.failed++;
		c.broken = 1;
		fprintf(out, "not ok %d - %s: %s\n", c.n, esc(path), esc(err_msg()));
		rc = 0;
	}
	fprintf(out, "1..%d\n", c.n);
	engine_free(c.e);
	if (rc == 0 && c.broken)
		return SPEC_BROKEN;
	return rc < 0 ? -1 : c.failed;
}
