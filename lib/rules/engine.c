/* engine.c - rule packs in, verdicts out.
 *
 * Each evaluation gets a fresh sandbox: the SDK (sdk.lua, built into the
 * binary) is loaded with a table of internal functions, then every pack
 * runs to register its rules, then each rule's check runs under its own
 * budget and memory cap. While a rule runs, the internal functions note
 * every path and pattern it reads: the daemon re-runs a rule only when a
 * commit touches what it read. */
#include "engine.h"

#include <dirent.h>
#include <errno.h>
#include <lauxlib.h>
#include <lualib.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "thread.h"
#include "id_index.h"
#include "memo.h"
#include "date.h"
#include "log.h"
#include "alloc.h"
#include "err.h"
#include "problems.h"
#include "sys.h"
#include "fingerprint.h"
#include "lua_date.h"
#include "lua_record.h"
#include "pathglob.h"
#include "sha1.h"
#include "strset.h"

extern const char sdk_lua[];
extern const size_t sdk_lua_len;

#define MAX_PACK_BYTES (4u << 20)
#define MAX_PACK_FILES 1000

struct srcfile {
	char *rel; /* path relative to the rules directory */
	char *src;
	size_t len;
	/* src compiled once (compile_all), loaded by every sandbox instead
	 * of parsing src again; NULL when src does not compile. */
	char *bin;
	size_t binlen;
};

struct engine {
	char *rules_dir;
	struct sandbox_limits limits;
	struct catalogue *cat;
	struct srcfile *packs, *libs;
	size_t npacks, nlibs;
	struct rule_info *rules;
	size_t nrules;
	/* A sandbox set up ahead (engine_prepare) for the first run of the
	 * next evaluation, so that it starts running rules at once; it is used
	 * once. Only one: the evaluating thread that made it runs it, and the
	 * second run sets up its own sandbox on its own thread, so that
	 * neither allocates from the other's malloc arena. */
	struct run *spare[1];
	size_t nspare;
	char digest[41];    /* of every pack and library file, names and text */
	struct srcfile sdk; /* the built-in SDK, compiled */
	struct memo *memo;  /* r:each results between evaluations (borrowed); NULL: off */
};

#define SHARED_DEPTH 8

/* One sandbox's evaluation: what its rules read is noted here, so that two
 * sandboxes can run rules at once on a shared, read-only model. */
struct run {
	struct engine *eng;
	const struct model *m; /* NULL while packs load */
	int64_t now;
	struct ymd today;
	struct strset reads, patterns;
	/* The fields of records read (engine.h, rule_result.fields), with
	 * the last few noted, compared by content: a rule reads the same
	 * fields of thousands of records. */
	struct strset fields;
	int track_fields; /* whether to (only for incremental evaluation) */
	struct {
		char k[24];
		size_t len; /* 0: empty */
	} seen[8];
	/* r:shared computations under way: the rule's own sets, saved
	 * while the computation's reads are collected apart. */
	struct strset saved[SHARED_DEPTH][3];
	uint64_t saved_typed[SHARED_DEPTH];
	int depth;
	/* Record types whose files this rule (or computation) has already
	 * noted as read: a rule asks for people thousands of times. */
	uint64_t typed;
	struct sandbox *sb;
	struct evaluation *ev;
	struct queue *q; /* the rules to evaluate, shared by the runs */
	int from_back;   /* takes the queue's rules from its back */
	struct problems errs;
	struct memo_rule *mr; /* the running rule's memo, or NULL */
	/* r:record's indexes, by record type, of the model ids_of. */
	struct id_index *ids;
	const struct model *ids_of;
};

/* The rules of one evaluation, taken one at a time by whichever run is
 * free, so that two runs finish together whatever the rules cost. The
 * first run takes them from the front, the second from the back: rules
 * next to each other in a pack read the same records and share the same
 * r:shared results, which each sandbox would otherwise make for itself. */
struct queue {
	size_t *rule; /* indexes into the engine's rules */
	size_t n;
	pthread_mutex_t lock;
	size_t front, back; /* rule[front..back) are still to run */
	double cutoff;      /* mono_ms() at which the evaluation ends; 0: never */
	uint32_t eval_ms;   /* its deadline, for the notes */
};

static atomic_uint eval_deadline;

void
engine_set_eval_deadline(uint32_t ms)
{
	atomic_store(&eval_deadline, ms);
}

static void run_done(struct run *x);

static engine_extend_fn extend_fn;
static void *extend_arg;

static const char *const status_names[ST_COUNT] = {
	"pass", "fail", "warn", "not_applicable", "waived", "error",
};

const char *
rule_status_name(enum rule_status s)
{
	return s < ST_COUNT ? status_names[s] : "?";
}

/* Finding the rules directory. */

const char *
engine_default_rules_dir(void)
{
	static char dir[4096];
	const char *env = getenv("ISMS_RULES");
	if (env && *env)
		return env;
	/* From the binary's place: rules/ beside a build directory
	 * (build/ismsctl), or share/ismsd/rules of an installed tree moved
	 * after it was built (PREFIX/bin/ismsctl). */
	static const char *const beside[] = { "../rules", "../share/ismsd/rules" };
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
	if (slash) {
		*slash = '\0';
		for (size_t i = 0; i < NELEM(beside); i++) {
			struct stat st;
			char probe[4200];
			snprintf(dir, sizeof(dir), "%.4000s/%s", exe, beside[i]);
			snprintf(probe, sizeof(probe), "%s/iso27001-2022.json", dir);
			if (stat(probe, &st) == 0)
				return dir;
		}
	}
	return ISMS_DATADIR "/rules";
}

/* Loading pack sources. */

/* Collects what lua_dump writes. */
static int
dump_to(lua_State *L, const void *p, size_t n, void *arg)
{
	(void)L;
	struct srcfile *f = arg;
	f->bin = xrealloc(f->bin, f->binlen + n);
	memcpy(f->bin + f->binlen, p, n);
	f->binlen += n;
	return 0;
}

/* Compile f once, keeping its line information for messages. A file
 * that does not compile keeps no code: loading it from its text gives
 * the error where it is reported. */
static void
compile(lua_State *L, struct srcfile *f)
{
	char chunk[512];
	snprintf(chunk, sizeof(chunk), "@%s", f->rel);
	if (luaL_loadbufferx(L, f->src, f->len, chunk, "t") == LUA_OK &&
	    lua_dump(L, dump_to, f, 0) != 0) {
		free(f->bin);
		f->bin = NULL;
		f->binlen = 0;
	}
	lua_settop(L, 0);
}

/* Compile the SDK and every pack and library once per engine: a sandbox
 * is set up for every evaluation (and two for a full one), and parsing
 * the Lua text again each time cost more than some of the rules. */
static void
compile_all(struct engine *e)
{
	lua_State *L = luaL_newstate();
	if (L == NULL)
		return;
	e->sdk.rel = xstrdup("sdk.lua");
	e->sdk.src = xmalloc(sdk_lua_len);
	memcpy(e->sdk.src, sdk_lua, sdk_lua_len);
	e->sdk.len = sdk_lua_len;
	compile(L, &e->sdk);
	for (size_t i = 0; i < e->npacks; i++)
		compile(L, &e->packs[i]);
	for (size_t i = 0; i < e->nlibs; i++)
		compile(L, &e->libs[i]);
	lua_close(L);
}

/* Load f in L: its compiled code when it has some (made by this engine,
 * so trusted as binary), else its text. */
static int
load_src(lua_State *L, const struct srcfile *f)
{
	char chunk[512];
	snprintf(chunk, sizeof(chunk), "@%s", f->rel);
	if (f->bin)
		return luaL_loadbufferx(L, f->bin, f->binlen, chunk, "b");
	return luaL_loadbufferx(L, f->src, f->len, chunk, "t");
}

static int
cmp_src(const void *a, const void *b)
{
	return strcmp(((const struct srcfile *)a)->rel, ((const struct srcfile *)b)->rel);
}

static void
add_src(struct srcfile **v, size_t *n, const char *rel, char *src, size_t len)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].rel = xstrdup(rel);
	(*v)[*n].src = src;
	(*v)[*n].len = len;
	(*v)[*n].bin = NULL;
	(*v)[*n].binlen = 0;
	(*n)++;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Collect *.lua under root/rel: in the rules directory lib/ into libs
 * and the rest into packs, named relative to it; in an extra pack
 * directory (extra) everything into packs, named root/rel so that errors
 * point at the file. Directories named specs hold specs, not packs. */
static void
scan(struct engine *e, const char *root, const char *rel, int depth, int extra,
     struct problems *errs)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	DIR *d = opendir(path);
	if (d == NULL) {
		problems_add(errs, path, 0, "cannot read the %s directory %s: %s",
		             extra ? "rule pack" : "rules", path, strerror(errno));
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char sub[4096], full[8192];
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		snprintf(full, sizeof(full), "%s/%s", root, sub);
		struct stat st;
		if (lstat(full, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < 8 && strcmp(de->d_name, "specs") != 0)
				scan(e, root, sub, depth + 1, extra, errs);
			continue;
		}
		if (!S_ISREG(st.st_mode) || !ends_with(de->d_name, ".lua"))
			continue;
		if (e->npacks + e->nlibs >= MAX_PACK_FILES) {
			problems_add(errs, full, 0, "too many rule files (limit %u)",
			             MAX_PACK_FILES);
			break;
		}
		char *src;
		size_t len;
		if (read_file(full, MAX_PACK_BYTES, &src, &len) < 0) {
			problems_add(errs, full, 0, "%s", err_msg());
			continue;
		}
		if (extra)
			add_src(&e->packs, &e->npacks, full, src, len);
		else if (strncmp(sub, "lib/", 4) == 0)
			add_src(&e->libs, &e->nlibs, sub, src, len);
		else
			add_src(&e->packs, &e->npacks, sub, src, len);
	}
	closedir(d);
}

/* The internal functions the SDK calls (table I in sdk.lua). */

static struct run *
eng(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

static const struct record_type *
check_type(lua_State *L, int idx)
{
	const char *name = luaL_checkstring(L, idx);
	const struct record_type *t = record_type_find(name);
	if (t == NULL) {
		luaL_error(L, "'%s' is not a record type (see `ismsctl schema --list`)", name);
		abort(); /* not reached: luaL_error does not return */
	}
	return t;
}

static int
i_track_type(lua_State *L)
{
	struct run *e = eng(L);
	const struct record_type *t = check_type(L, 1);
	if (e->m == NULL)
		return 0;
	size_t ti = model_type_index(t);
	if (ti < 64 && (e->typed & (UINT64_C(1) << ti)))
		return 0;
	if (ti < 64)
		e->typed |= UINT64_C(1) << ti;
	for (size_t k = 0; k < e->m->npatterns[ti]; k++)
		strset_add(&e->patterns, e->m->patterns[ti][k]);
	for (size_t i = 0; i < e->m->ndocs; i++)
		if (e->m->docs[i].type == t)
			strset_add(&e->reads, e->m->docs[i].file->path);
	return 0;
}

/* r:shared: collect what a shared computation reads apart from the
 * rule's own reads, so that every rule given its result can be said to
 * have read the same. */
static int
i_track_push(lua_State *L)
{
	struct run *e = eng(L);
	if (e->depth == SHARED_DEPTH)
		return luaL_error(L, "r:shared computations nest more than %d deep", SHARED_DEPTH);
	e->saved[e->depth][0] = e->reads;
	e->saved[e->depth][1] = e->patterns;
	e->saved[e->depth][2] = e->fields;
	e->saved_typed[e->depth] = e->typed;
	e->depth++;
	e->typed = 0;
	memset(&e->reads, 0, sizeof(e->reads));
	memset(&e->patterns, 0, sizeof(e->patterns));
	memset(&e->fields, 0, sizeof(e->fields));
	memset(e->seen, 0, sizeof(e->seen));
	return 0;
}

static void
push_strings(lua_State *L, const struct strset *s)
{
	lua_createtable(L, (int)s->n, 0);
	for (size_t i = 0; i < s->n; i++) {
		lua_pushstring(L, s->v[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
}

/* End the innermost computation: its reads join the rule's, and are
 * returned (reads, patterns) for the rules that reuse the result. */
static void
track_pop(struct run *e)
{
	struct strset in[3] = { e->reads, e->patterns, e->fields };
	e->depth--;
	e->reads = e->saved[e->depth][0];
	e->patterns = e->saved[e->depth][1];
	e->fields = e->saved[e->depth][2];
	e->typed = e->saved_typed[e->depth];
	memset(e->seen, 0, sizeof(e->seen));
	struct strset *to[3] = { &e->reads, &e->patterns, &e->fields };
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < in[k].n; i++)
			strset_add(to[k], in[k].v[i]);
		strset_free(&in[k]);
	}
}

static int
i_track_pop(lua_State *L)
{
	struct run *e = eng(L);
	if (e->depth == 0)
		return luaL_error(L, "no r:shared computation to end");
	push_strings(L, &e->reads);
	push_strings(L, &e->patterns);
	push_strings(L, &e->fields);
	track_pop(e);
	return 3;
}

/* Count the reads of a reused shared result as the rule's own: reads,
 * patterns and fields (track_pop's three lists). */
static int
i_track_add(lua_State *L)
{
	struct run *e = eng(L);
	struct strset *to[3] = { &e->reads, &e->patterns, &e->fields };
	for (int k = 1; k <= 3; k++) {
		luaL_checktype(L, k, LUA_TTABLE);
		for (lua_Integer i = 1; lua_rawgeti(L, k, i) == LUA_TSTRING; i++) {
			strset_add(to[k - 1], lua_tostring(L, -1));
			lua_pop(L, 1);
		}
	}
	return 0;
}

/* A field of a record read (key: its name; "*": all of them): noted for
 * the rule or computation under way. Called for every field read, so
 * the last few are looked up first. */
static void
note_field(void *arg, const char *key, size_t len)
{
	struct run *e = arg;
	size_t h = (len * 31 + (unsigned char)key[0] + (len ? (unsigned char)key[len - 1] : 0)) & 7;
	if (e->seen[h].len == len && memcmp(e->seen[h].k, key, len) == 0)
		return;
	if (memchr(key, '\0', len))
		return; /* no record has such a field: reading it reads nothing */
	strset_add(&e->fields, key);
	if (len < sizeof(e->seen[h].k)) {
		memcpy(e->seen[h].k, key, len);
		e->seen[h].len = len;
	}
}

/* What the rule read of path in a way field tracking does not follow
 * (its history, its Markdown body, the file as a whole): any change to
 * it counts ("**": any change anywhere). */
static void
note_whole(struct run *e, const char *path)
{
	if (!e->track_fields)
		return;
	size_t n = strlen(path);
	char *v = xmalloc(n + 2);
	v[0] = FIELD_WHOLE_FILE;
	memcpy(v + 1, path, n + 1);
	strset_add(&e->fields, v);
	free(v);
}

/* Text field k of the table at the top, borrowed from it; NULL when
 * absent or not text. */
static const char *
str_field(lua_State *L, const char *k)
{
	lua_getfield(L, -1, k);
	const char *v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	lua_pop(L, 1);
	return v;
}

/* The finding table at the top (what r:fail and its kin make), its
 * strings borrowed from it: for the verdict and for the memo alike. */
static struct memo_finding
finding_fields(lua_State *L)
{
	struct memo_finding f = { .message = str_field(L, "message"),
		                  .severity = str_field(L, "severity"),
		                  .file = str_field(L, "file"),
		                  .key = str_field(L, "key") };
	lua_getfield(L, -1, "line");
	f.line = (int)lua_tointeger(L, -1);
	lua_pop(L, 1);
	return f;
}

/* r:each: whether iterations are kept for the next evaluation. */
static int
i_memo_on(lua_State *L)
{
	lua_pushboolean(L, eng(L)->mr != NULL);
	return 1;
}

/* r:each over type 1: the iterations that can be replayed and those that
 * must run, in one pass over the records, making no proxy for those
 * replayed (a one-record edit of a 10,000-record register replays 9,999).
 * Returns:
 *   runs, at   the records to run, in order, and their places among all
 *              the records of the type (1-based);
 *   found, fat the replayed findings (the memo's, as light userdata that
 *              read_findings knows), and the places of their records;
 *   the earliest valid_until of the replayed iterations (nil: none), and
 *   whether any of them failed, or warned.
 * The reads of the replayed iterations count as the rule's. */
enum { SCAN_RUNS = 2, SCAN_AT, SCAN_FOUND, SCAN_FAT };

struct scan {
	lua_State *L;
	struct run *e;
	lua_Integer k, nruns, nfound;
	int64_t vu;
	int failed, warned;
	const void *sets[8]; /* the read sets added last, a few */
	unsigned nsets;
};

static void
scan_reads(struct scan *s, const struct memo_result *res)
{
	if (res->set == NULL)
		return;
	for (unsigned i = 0; i < s->nsets && i < 8; i++)
		if (s->sets[i] == res->set)
			return;
	s->sets[s->nsets++ % 8] = res->set;
	for (size_t i = 0; i < res->nreads; i++)
		strset_add(&s->e->reads, res->reads[i]);
	for (size_t i = 0; i < res->npatterns; i++)
		strset_add(&s->e->patterns, res->patterns[i]);
}

static void
scan_one(const struct node *n, const struct model_doc *md, void *arg)
{
	struct scan *s = arg;
	lua_State *L = s->L;
	const struct memo_result *res = memo_get(s->e->mr, md->doc->path, n);
	s->k++;
	/* About what the loop would spend on the record: budgets stay fair. */
	sandbox_charge(L, 8);
	if (res == NULL) {
		lua_record_push_decl(L, n, md->doc, record_type_decl(md->type));
		lua_rawseti(L, SCAN_RUNS, ++s->nruns);
		lua_pushinteger(L, s->k);
		lua_rawseti(L, SCAN_AT, s->nruns);
		return;
	}
	scan_reads(s, res);
	for (size_t i = 0; i < res->nfindings; i++) {
		lua_pushlightuserdata(L, &res->findings[i]);
		lua_rawseti(L, SCAN_FOUND, ++s->nfound);
		lua_pushinteger(L, s->k);
		lua_rawseti(L, SCAN_FAT, s->nfound);
	}
	if (res->valid_until != INT64_MIN && (s->vu == INT64_MIN || res->valid_until < s->vu))
		s->vu = res->valid_until;
	s->failed |= res->failed;
	s->warned |= res->warned;
}

static int
i_memo_scan(lua_State *L)
{
	struct run *e = eng(L);
	const struct record_type *t = check_type(L, 1);
	lua_settop(L, 1);
	for (int i = 0; i < 4; i++)
		lua_newtable(L);
	struct scan s = { .L = L, .e = e, .vu = INT64_MIN };
	if (e->mr)
		model_each_record(e->m, t, scan_one, &s);
	if (s.vu == INT64_MIN)
		lua_pushnil(L);
	else
		lua_date_push(L, s.vu);
	lua_pushboolean(L, s.failed);
	lua_pushboolean(L, s.warned);
	return 7;
}

/* The strings of list idx, borrowed from it (it keeps them alive); the
 * caller frees the array. */
static const char **
borrowed_strings(lua_State *L, int idx, size_t *n)
{
	*n = lua_rawlen(L, idx);
	const char **v = xcalloc(*n ? *n : 1, sizeof(*v));
	for (size_t i = 0; i < *n; i++) {
		lua_rawgeti(L, idx, (lua_Integer)i + 1);
		v[i] = lua_tostring(L, -1) ? lua_tostring(L, -1) : "";
		lua_pop(L, 1);
	}
	return v;
}

/* r:each: keep what the iteration over record 1 gave: findings (list of
 * tables, 2), valid_until (3), failed (4), warned (5), what it read
 * (reads 6, patterns 7). */
static int
i_memo_put(lua_State *L)
{
	struct run *e = eng(L);
	const struct doc *d;
	const struct node *n = lua_record_get(L, 1, &d);
	if (e->mr == NULL || n == NULL)
		return 0;
	luaL_checktype(L, 2, LUA_TTABLE);
	luaL_checktype(L, 6, LUA_TTABLE);
	luaL_checktype(L, 7, LUA_TTABLE);
	struct memo_result res = { .valid_until = INT64_MIN };
	int64_t days;
	if (lua_date_get(L, 3, &days))
		res.valid_until = days;
	res.failed = lua_toboolean(L, 4);
	res.warned = lua_toboolean(L, 5);
	/* Everything below is borrowed from the tables at 2, 6 and 7, which
	 * keep it alive: memo_put copies what it keeps. */
	size_t nf = lua_rawlen(L, 2);
	struct memo_finding *f = xcalloc(nf ? nf : 1, sizeof(*f));
	for (size_t i = 0; i < nf; i++) {
		lua_rawgeti(L, 2, (lua_Integer)i + 1);
		f[i] = finding_fields(L);
		lua_pop(L, 1);
	}
	res.findings = f;
	res.nfindings = nf;
	const char **reads = borrowed_strings(L, 6, &res.nreads);
	const char **pats = borrowed_strings(L, 7, &res.npatterns);
	res.reads = reads;
	res.patterns = pats;
	memo_put(e->mr, d->path, n, &res);
	free(f);
	free(reads);
	free(pats);
	return 0;
}

struct pushing {
	lua_State *L;
	lua_Integer k;
};

static void
push_record(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct pushing *p = arg;
	lua_record_push_decl(p->L, rec, md->doc, record_type_decl(md->type));
	lua_rawseti(p->L, -2, ++p->k);
}

static int
i_records(lua_State *L)
{
	struct run *e = eng(L);
	const struct record_type *t = check_type(L, 1);
	struct pushing p = { L, 0 };
	lua_newtable(L);
	model_each_record(e->m, t, push_record, &p);
	return 1;
}

static void
count_record(const struct node *rec, const struct model_doc *md, void *arg)
{
	(void)rec;
	(void)md;
	++*(lua_Integer *)arg;
}

/* The number of records of a type, without making them: a rule that asks
 * whether any training is recorded should not pay for 20,000 records. */
static int
i_count(lua_State *L)
{
	struct run *e = eng(L);
	const struct record_type *t = check_type(L, 1);
	lua_Integer n = 0;
	model_each_record(e->m, t, count_record, &n);
	lua_pushinteger(L, n);
	return 1;
}

static void
ids_free(struct run *e)
{
	size_t nt;
	(void)record_types(&nt);
	for (size_t i = 0; e->ids && i < nt; i++)
		id_index_free(&e->ids[i]);
	free(e->ids);
	e->ids = NULL;
	e->ids_of = NULL;
}

/* r:record(type 1, id 2): the first record of the type with that id, or
 * nothing; the index of a type is made at its first lookup in this
 * evaluation. The rule's reads are noted by the caller (track_type). */
static int
i_record_by_id(lua_State *L)
{
	struct run *e = eng(L);
	const struct record_type *t = check_type(L, 1);
	size_t len;
	const char *id = luaL_checklstring(L, 2, &len);
	if (e->m == NULL)
		return 0;
	if (e->ids_of != e->m) {
		ids_free(e);
		size_t nt;
		(void)record_types(&nt);
		e->ids = xcalloc(nt + 1, sizeof(*e->ids));
		e->ids_of = e->m;
	}
	struct id_index *x = &e->ids[model_type_index(t)];
	if (x->v == NULL && x->n == 0) {
		id_index_build(x, e->m, t);
		/* Work a Lua loop over the records would have been charged. */
		sandbox_charge(L, 8 * (uint64_t)x->n);
		if (x->n == 0) /* built, and empty: not built again */
			x->v = xcalloc(1, 1);
	}
	const struct model_doc *md;
	const struct node *n = id_index_find(x, id, len, &md);
	if (n == NULL)
		return 0;
	lua_record_push_decl(L, n, md->doc, record_type_decl(t));
	return 1;
}

static int
i_id_field(lua_State *L)
{
	const struct record_type *t = check_type(L, 1);
	if (t->id_field)
		lua_pushstring(L, t->id_field);
	else
		lua_pushnil(L);
	return 1;
}

static int
i_doc(lua_State *L)
{
	struct run *e = eng(L);
	const char *path = luaL_checkstring(L, 1);
	if (e->m == NULL)
		return 0;
	strset_add(&e->reads, path);
	note_whole(e, path);
	const struct model_doc *md = model_find(e->m, path);
	if (md == NULL || md->doc->root == NULL)
		return 0;
	lua_record_push_decl(L, md->doc->root, md->doc,
	                     md->type ? record_file_decl(md->type, md->doc->root) : NULL);
	return 1;
}

static int
i_manifest(lua_State *L)
{
	lua_settop(L, 0);
	lua_pushliteral(L, MANIFEST_PATH);
	return i_doc(L);
}

static int
i_glob(lua_State *L)
{
	struct run *e = eng(L);
	const char *pat = luaL_checkstring(L, 1);
	lua_newtable(L);
	if (e->m == NULL)
		return 1;
	strset_add(&e->patterns, pat);
	lua_Integer k = 0;
	const struct snapshot *s = e->m->snap;
	for (size_t i = 0; i < s->nfiles; i++) {
		sandbox_charge(L, 64);
		if (pathglob_match(pat, s->files[i].path)) {
			lua_pushstring(L, s->files[i].path);
			lua_rawseti(L, -2, ++k);
		}
	}
	return 1;
}

static void
push_file_info(lua_State *L, struct run *e, const struct snapshot_file *f)
{
	lua_createtable(L, 0, 4);
	lua_pushstring(L, f->path);
	lua_setfield(L, -2, "path");
	lua_pushstring(L, f->commit);
	lua_setfield(L, -2, "commit");
	if (f->author) {
		lua_pushstring(L, f->author);
		lua_setfield(L, -2, "author");
	}
	struct ymd d;
	if (date_local_ymd(f->time, e->m->tz, &d) == 0) {
		lua_date_push(L, date_days(d));
		lua_setfield(L, -2, "date");
	}
}

static int
i_file(lua_State *L)
{
	struct run *e = eng(L);
	const char *path = luaL_checkstring(L, 1);
	if (e->m == NULL)
		return 0;
	strset_add(&e->reads, path);
	note_whole(e, path);
	const struct snapshot_file *f = snapshot_find(e->m->snap, path);
	if (f == NULL)
		return 0;
	push_file_info(L, e, f);
	return 1;
}

static const struct doc *
check_record_doc(lua_State *L, int idx)
{
	const struct doc *d;
	if (lua_record_get(L, idx, &d) == NULL)
		luaL_typeerror(L, idx, "record");
	return d;
}

static int
i_changed(lua_State *L)
{
	struct run *e = eng(L);
	const struct doc *d = check_record_doc(L, 1);
	note_whole(e, d->path);
	const struct snapshot_file *f = e->m ? snapshot_find(e->m->snap, d->path) : NULL;
	if (f == NULL)
		return 0;
	push_file_info(L, e, f);
	return 1;
}

static int
i_body(lua_State *L)
{
	const struct doc *d = check_record_doc(L, 1);
	note_whole(eng(L), d->path);
	if (d->body == NULL)
		return 0;
	lua_pushlstring(L, d->body, d->body_len);
	lua_pushinteger(L, d->body_line);
	return 2;
}

static int
i_problems(lua_State *L)
{
	struct run *e = eng(L);
	lua_newtable(L);
	if (e->m == NULL)
		return 1;
	strset_add(&e->patterns, "**");
	note_whole(e, "**");
	for (size_t i = 0; i < e->m->problems.n; i++) {
		const struct problem *p = &e->m->problems.v[i];
		lua_createtable(L, 0, 4);
		if (p->path) {
			lua_pushstring(L, p->path);
			lua_setfield(L, -2, "file");
		}
		lua_pushinteger(L, p->line);
		lua_setfield(L, -2, "line");
		lua_pushstring(L, p->msg);
		lua_setfield(L, -2, "message");
		lua_pushboolean(L, p->note);
		lua_setfield(L, -2, "note");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

static int
i_today(lua_State *L)
{
	lua_date_push(L, date_days(eng(L)->today));
	return 1;
}

static int
i_tz(lua_State *L)
{
	struct run *e = eng(L);
	lua_pushstring(L, e->m ? e->m->tz : "UTC");
	return 1;
}

static int
i_loc(lua_State *L)
{
	const char *path;
	int line;
	if (!lua_loc_get(L, 1, &path, &line))
		return 0;
	lua_pushstring(L, path);
	lua_pushinteger(L, line);
	return 2;
}

static int
i_location(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	lua_Integer line = luaL_optinteger(L, 2, 0);
	luaL_argcheck(L, line >= 0 && line <= INT32_MAX, 2, "line out of range");
	lua_loc_push(L, path, (int)line);
	return 1;
}

static int
i_at(lua_State *L)
{
	check_record_doc(L, 1);
	lua_getfield(L, 1, "at");
	if (!lua_isfunction(L, -1)) {
		/* the record has a field named "at": use the metatable's method */
		const struct doc *d;
		const struct node *n = lua_record_get(L, 1, &d);
		lua_loc_push(L, d->path, n->line);
		return 1;
	}
	lua_pushvalue(L, 1);
	lua_pushvalue(L, 2);
	lua_call(L, 2, 1);
	return 1;
}

static int
i_text(lua_State *L)
{
	const struct doc *d;
	const struct node *n = lua_record_get(L, 1, &d);
	if (n == NULL || n->kind != NODE_MAP)
		return 0;
	size_t klen;
	const char *k = luaL_checklstring(L, 2, &klen);
	if (eng(L)->track_fields)
		note_field(eng(L), k, klen);
	const struct node *v = node_get(n, k);
	if (v == NULL || v->kind == NODE_NULL || v->kind == NODE_SEQ || v->kind == NODE_MAP)
		return 0;
	lua_pushlstring(L, v->str, v->len);
	return 1;
}

static int
i_is_proxy(lua_State *L)
{
	lua_pushboolean(L, sandbox_is_proxy(L, 1));
	return 1;
}

static int
i_readonly(lua_State *L)
{
	sandbox_push_readonly(L, 1);
	return 1;
}

static int
i_new_env(lua_State *L)
{
	sandbox_push_env(sandbox_of(L));
	return 1;
}

static int
i_lib_load(lua_State *L)
{
	struct run *e = eng(L);
	const char *name = luaL_checkstring(L, 1);
	char rel[512];
	if (strlen(name) > 200 || strstr(name, ".."))
		return 0;
	snprintf(rel, sizeof(rel), "lib/%s.lua", name);
	for (char *p = rel + 4; *p; p++)
		if (*p == '.' && strcmp(p, ".lua") != 0)
			*p = '/';
	for (size_t i = 0; i < e->eng->nlibs; i++)
		if (strcmp(e->eng->libs[i].rel, rel) == 0) {
			if (load_src(L, &e->eng->libs[i]) != LUA_OK) {
				lua_pushnil(L);
				lua_insert(L, -2);
				return 2;
			}
			/* Its own environment, as every module has. */
			sandbox_push_env(sandbox_of(L));
			if (lua_setupvalue(L, -2, 1) == NULL)
				lua_pop(L, 1);
			lua_pushstring(L, rel);
			return 2;
		}
	return 0;
}
static void
push_internal(lua_State *L, struct run *e)
{
	static const luaL_Reg fns[] = {
		{ "track_type", i_track_type },
		{ "track_push", i_track_push },
		{ "track_pop", i_track_pop },
		{ "track_add", i_track_add },
		{ "records", i_records },
		{ "count", i_count },
		{ "id_field", i_id_field },
		{ "doc", i_doc },
		{ "manifest", i_manifest },
		{ "glob", i_glob },
		{ "file", i_file },
		{ "changed", i_changed },
		{ "body", i_body },
		{ "problems", i_problems },
		{ "today", i_today },
		{ "tz", i_tz },
		{ "loc", i_loc },
		{ "at", i_at },
		{ "location", i_location },
		{ "is_proxy", i_is_proxy },
		{ "text", i_text },
		{ "readonly", i_readonly },
		{ "memo_on", i_memo_on },
		{ "memo_scan", i_memo_scan },
		{ "record_by_id", i_record_by_id },
		{ "memo_put", i_memo_put },
		{ "new_env", i_new_env },
		{ "lib_load", i_lib_load },
		{ NULL, NULL },
	};
	lua_newtable(L);
	lua_pushlightuserdata(L, e);
	luaL_setfuncs(L, fns, 1);
	luaopen_isms_date(L);
	lua_setfield(L, -2, "date_module");
	catalogue_push(L, e->eng->cat);
	lua_setfield(L, -2, "catalogue_raw");
}

/* Set the function that extends every new sandbox. */
void
engine_set_extension(engine_extend_fn fn, void *arg)
{
	extend_fn = fn;
	extend_arg = arg;
}

/* A state with the SDK loaded and every pack run. Leaves S (the SDK's
 * engine table) at the top. Pack errors go to errs. */
static struct sandbox *
setup(struct run *x, struct problems *errs)
{
	const struct engine *e = x->eng;
	struct sandbox *sb = sandbox_new();
	lua_State *L = sandbox_lua(sb);
	lua_record_init(L);
	if (load_src(L, &e->sdk) != LUA_OK)
		fatalx("the built-in SDK does not load: %s", lua_tostring(L, -1));
	push_internal(L, x);
	if (lua_pcall(L, 1, 1, 0) != LUA_OK)
		fatalx("the built-in SDK fails: %s", lua_tostring(L, -1));
	lua_getfield(L, -1, "isms");
	sandbox_set_global(sb, "isms");
	lua_getfield(L, -1, "require");
	sandbox_set_global(sb, "require");
	if (extend_fn)
		extend_fn(sb, extend_arg);
	for (size_t i = 0; i < e->npacks; i++) {
		const struct srcfile *p = &e->packs[i];
		lua_getfield(L, -1, "begin_pack");
		lua_pushstring(L, p->rel);
		lua_call(L, 1, 0);
		sandbox_push_env(sb);
		if (sandbox_load_compiled(sb, p->rel, p->src, p->len, p->bin, p->binlen) < 0) {
			problems_add(errs, NULL, 0, "%s", err_msg());
			continue;
		}
		if (sandbox_call(sb, 0, 0, &x->eng->limits) < 0)
			problems_add(errs, NULL, 0, "%s", err_msg());
	}
	lua_getfield(L, -1, "errors");
	lua_call(L, 0, 1);
	for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TSTRING; i++) {
		problems_add(errs, NULL, 0, "%s", lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
	return sb;
}

static char *
opt_field(lua_State *L, int idx, const char *k)
{
	lua_getfield(L, idx, k);
	char *v = lua_type(L, -1) == LUA_TSTRING ? xstrdup(lua_tostring(L, -1)) : NULL;
	lua_pop(L, 1);
	return v;
}

static int
cmp_param(const void *a, const void *b)
{
	return strcmp(((const struct rule_param *)a)->name, ((const struct rule_param *)b)->name);
}

/* The declared parameters, sorted by name (Lua tables have no order),
 * each with its default as text (sdk.lua's `shown`: a list's items
 * separated by spaces). */
static void
read_params(lua_State *L, struct rule_info *r)
{
	lua_getfield(L, -1, "params");
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		if (lua_type(L, -2) == LUA_TSTRING) {
			r->params = xreallocarray(r->params, r->nparams + 1, sizeof(*r->params));
			struct rule_param *p = &r->params[r->nparams++];
			p->name = xstrdup(lua_tostring(L, -2));
			p->def = opt_field(L, -1, "shown");
			if (p->def == NULL)
				p->def = xstrdup("");
			p->doc = opt_field(L, -1, "doc");
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	if (r->nparams > 1)
		qsort(r->params, r->nparams, sizeof(*r->params), cmp_param);
}

static void
read_rules(struct engine *e, lua_State *L)
{
	lua_getfield(L, -1, "rules");
	lua_call(L, 0, 1);
	size_t n = lua_rawlen(L, -1);
	e->rules = xcalloc(n ? n : 1, sizeof(*e->rules));
	for (size_t i = 0; i < n; i++) {
		struct rule_info *r = &e->rules[i];
		lua_rawgeti(L, -1, (lua_Integer)i + 1);
		r->id = opt_field(L, -1, "id");
		r->clause = opt_field(L, -1, "clause");
		r->control = opt_field(L, -1, "control");
		r->title = opt_field(L, -1, "title");
		r->severity = opt_field(L, -1, "severity");
		r->rationale = opt_field(L, -1, "rationale");
		r->remediation = opt_field(L, -1, "remediation");
		r->pack = opt_field(L, -1, "pack");
		lua_getfield(L, -1, "line");
		r->line = (int)lua_tointeger(L, -1);
		lua_pop(L, 1);
		const char *th = r->control ? catalogue_theme(e->cat, r->control) : NULL;
		r->theme = th ? xstrdup(th) : NULL;
		read_params(L, r);
		lua_pop(L, 1);
	}
	e->nrules = n;
	lua_pop(L, 1);
}

int
engine_load(const struct engine_opts *opts, struct engine **out, struct problems *errs)
{
	return engine_load_packs(opts, NULL, out, errs);
}

/* Compile every pack and library under e's rules directory, without
 * running them: their syntax errors as file:line problems. */
static void
syntax_check(struct engine *e, struct problems *errs)
{
	scan(e, e->rules_dir, "", 0, 0, errs);
	lua_State *L = luaL_newstate();
	for (int lib = 0; lib < 2; lib++) {
		struct srcfile *v = lib ? e->libs : e->packs;
		size_t n = lib ? e->nlibs : e->npacks;
		for (size_t i = 0; i < n; i++) {
			char *chunk = xasprintf("@%s", v[i].rel);
			if (luaL_loadbuffer(L, v[i].src, v[i].len, chunk) != LUA_OK)
				problems_add(errs, NULL, 0, "%s", lua_tostring(L, -1));
			lua_settop(L, 0);
			free(chunk);
		}
	}
	lua_close(L);
}
static void digest_packs(struct engine *e);

int
engine_load_packs(const struct engine_opts *opts, const char *const *extra_dirs,
                  struct engine **out, struct problems *errs)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	e->rules_dir = xstrdup(opts->rules_dir);
	e->limits = opts->limits;
	if (e->limits.budget == 0)
		e->limits.budget = SANDBOX_DEFAULT_BUDGET;
	if (e->limits.mem_cap == 0)
		e->limits.mem_cap = SANDBOX_DEFAULT_MEM_CAP;
	char cpath[4200];
	struct stat st;
	if (stat(e->rules_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		problems_add(errs, NULL, 0, "the rules directory %s %s", e->rules_dir,
		             errno == ENOENT ? "does not exist" : "is not a directory");
		engine_free(e);
		return err_set("cannot load the rules from %s", opts->rules_dir);
	}
	snprintf(cpath, sizeof(cpath), "%s/iso27001-2022.json", e->rules_dir);
	if (catalogue_load(cpath, &e->cat) < 0) {
		problems_add(errs, cpath, 0,
		             "%s; `rules` must name a rules directory with the catalogue (such as "
		             "the installed one), and the organisation's own packs are added "
		             "beside it (ismsctl --pack)",
		             err_msg());
		/* the packs' own errors are worth knowing at the same time */
		syntax_check(e, errs);
		engine_free(e);
		return err_set("cannot load the rules from %s", opts->rules_dir);
	}
	size_t before = errs->n;
	scan(e, e->rules_dir, "", 0, 0, errs);
	qsort(e->packs, e->npacks, sizeof(*e->packs), cmp_src);
	qsort(e->libs, e->nlibs, sizeof(*e->libs), cmp_src);
	/* Extra packs run after the shipped ones, each directory in order. */
	for (size_t k = 0; extra_dirs && extra_dirs[k]; k++) {
		size_t first = e->npacks;
		scan(e, extra_dirs[k], "", 0, 1, errs);
		qsort(e->packs + first, e->npacks - first, sizeof(*e->packs), cmp_src);
	}
	digest_packs(e);
	compile_all(e);
	struct run *x = xcalloc(1, sizeof(*x));
	x->eng = e;
	x->sb = setup(x, errs);
	int top = lua_gettop(sandbox_lua(x->sb));
	read_rules(e, sandbox_lua(x->sb));
	/* No rule has run in it: it serves the first evaluation. */
	if (errs->n == before && lua_gettop(sandbox_lua(x->sb)) == top)
		e->spare[e->nspare++] = x;
	else
		run_done(x);
	if (errs->n > before) {
		size_t nerr = errs->n - before;
		engine_free(e);
		return err_set("%zu error%s in the rule packs of %s%s", nerr, nerr == 1 ? "" : "s",
		               opts->rules_dir,
		               extra_dirs && extra_dirs[0] ? " and the extra pack directories"
		                                           : "");
	}
	*out = e;
	return 0;
}

/* The packs' digest: every pack and library file, name and text, in
 * load order. */
static void
digest_packs(struct engine *e)
{
	struct sha1 h;
	sha1_init(&h);
	for (size_t i = 0; i < e->npacks + e->nlibs; i++) {
		const struct srcfile *f = i < e->npacks ? &e->packs[i] : &e->libs[i - e->npacks];
		char len[32];
		snprintf(len, sizeof(len), "%zu", f->len);
		sha1_str(&h, f->rel);
		sha1_str(&h, len);
		sha1_update(&h, f->src, f->len);
	}
	sha1_final_hex(&h, e->digest);
}

/* Feed a record node to h: kinds, keys and text, so that equal values
 * give equal digests whatever their layout in the file. */
static void
digest_node(struct sha1 *h, const struct node *n)
{
	char k = n ? (char)('0' + n->kind) : '-';
	sha1_update(h, &k, 1);
	if (n == NULL)
		return;
	if (n->kind == NODE_SEQ || n->kind == NODE_MAP) {
		for (size_t i = 0; i < n->n; i++) {
			if (n->kind == NODE_MAP)
				sha1_str(h, n->keys[i]);
			digest_node(h, n->items[i]);
		}
		sha1_update(h, "]", 1);
		return;
	}
	if (n->str)
		sha1_update(h, n->str, n->len);
	sha1_update(h, "", 1);
}

const char *
engine_digest(const struct engine *e)
{
	return e->digest;
}

void
engine_params_digest(const struct engine *e, const struct model *m, char out[41])
{
	struct sha1 h;
	sha1_init(&h);
	sha1_str(&h, e->digest);
	const struct node *root =
	        m && m->manifest && m->manifest->doc ? m->manifest->doc->root : NULL;
	digest_node(&h, node_get(root, "parameters"));
	digest_node(&h, node_get(root, "waivers"));
	sha1_final_hex(&h, out);
}

static void
free_src(struct srcfile *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].rel);
		free(v[i].src);
		free(v[i].bin);
	}
	free(v);
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->nrules; i++) {
		struct rule_info *r = &e->rules[i];
		free(r->id);
		free(r->clause);
		free(r->control);
		free(r->theme);
		free(r->title);
		free(r->severity);
		free(r->rationale);
		free(r->remediation);
		free(r->pack);
		for (size_t k = 0; k < r->nparams; k++) {
			free(r->params[k].name);
			free(r->params[k].def);
			free(r->params[k].doc);
		}
		free(r->params);
	}
	free(e->rules);
	while (e->nspare > 0)
		run_done(e->spare[--e->nspare]);
	free_src(e->packs, e->npacks);
	free_src(e->libs, e->nlibs);
	free(e->sdk.rel);
	free(e->sdk.src);
	free(e->sdk.bin);
	catalogue_free(e->cat);
	free(e->rules_dir);
	free(e);
}

size_t
engine_rules(const struct engine *e, const struct rule_info **rules)
{
	if (rules)
		*rules = e->rules;
	return e->nrules;
}

const struct catalogue *
engine_catalogue(const struct engine *e)
{
	return e->cat;
}

/* Give finding f of rule id its record and fingerprint. */
static void
identify_one(const struct model *m, const char *id, struct finding *f)
{
	f->record = fingerprint_record(m, f->file, f->line);
	char *kind = fingerprint_kind(f->key, f->message);
	fingerprint_make(id, f->record, kind, f->fingerprint);
	free(kind);
}

/* Copy the findings list at the top of the stack into res. */
static void
read_findings(lua_State *L, const struct model *m, struct rule_result *res)
{
	size_t n = lua_rawlen(L, -1);
	res->findings = xcalloc(n ? n : 1, sizeof(*res->findings));
	for (size_t i = 0; i < n; i++) {
		struct finding *f = &res->findings[res->nfindings++];
		lua_rawgeti(L, -1, (lua_Integer)i + 1);
		/* A replayed r:each finding is the memo's own (i_memo_scan). */
		struct memo_finding *kept =
		        lua_islightuserdata(L, -1) ? lua_touserdata(L, -1) : NULL;
		struct memo_finding g = kept ? *kept : finding_fields(L);
		f->message = xstrdup(g.message ? g.message : "(no message)");
		f->severity = g.severity ? xstrdup(g.severity) : NULL;
		f->file = g.file ? xstrdup(g.file) : NULL;
		f->key = g.key ? xstrdup(g.key) : NULL;
		f->line = g.line;
		if (kept && kept->record == NULL) {
			/* Worked out once, kept by the memo for the next replays. */
			identify_one(m, res->rule->id, f);
			kept->record = xstrdup(f->record);
			memcpy(kept->fingerprint, f->fingerprint, sizeof(kept->fingerprint));
		} else if (kept) {
			f->record = xstrdup(kept->record);
			memcpy(f->fingerprint, kept->fingerprint, sizeof(f->fingerprint));
		}
		lua_pop(L, 1);
	}
}

/* Give each finding of res its record and fingerprint, but for those a
 * replay brought with them. */
static void
identify(const struct model *m, struct rule_result *res)
{
	for (size_t k = 0; k < res->nfindings; k++)
		if (res->findings[k].record == NULL)
			identify_one(m, res->rule->id, &res->findings[k]);
}

static enum rule_status
parse_status(const char *s)
{
	for (int i = 0; i < ST_COUNT; i++)
		if (s && strcmp(s, status_names[i]) == 0)
			return (enum rule_status)i;
	return ST_ERROR;
}

/* The instant a verdict valid through day `days` may change: the next
 * local midnight in the organisation's time zone. */
static int64_t
expiry_instant(const char *tz, int64_t days)
{
	int64_t t;
	if (date_local_midnight(date_from_days(days + 1), tz, &t) < 0)
		t = (days + 1) * 86400;
	return t;
}

static void
run_rule(struct run *e, struct sandbox *sb, size_t i, struct rule_result *res)
{
	lua_State *L = sandbox_lua(sb);
	double t0 = mono_ms();
	res->rule = &e->eng->rules[i];
	e->typed = 0;
	memset(e->seen, 0, sizeof(e->seen));
	int cut = 0;
	e->mr = e->eng->memo
	                ? memo_rule_begin(e->eng->memo, i, e->m, date_days(e->today), e->ev->digest)
	                : NULL;
	lua_getfield(L, -1, "run");
	lua_pushinteger(L, (lua_Integer)i + 1);
	if (sandbox_call(sb, 1, 1, &e->eng->limits) < 0) {
		res->status = ST_ERROR;
		res->note = xstrdup(err_msg());
		cut = e->q->cutoff > 0 && mono_ms() >= e->q->cutoff;
	} else {
		lua_getfield(L, -1, "status");
		res->status = parse_status(lua_tostring(L, -1));
		lua_pop(L, 1);
		res->note = opt_field(L, -1, "note");
		lua_getfield(L, -1, "findings");
		read_findings(L, e->m, res);
		lua_pop(L, 1);
		identify(e->m, res);
		lua_getfield(L, -1, "valid_until");
		int64_t days;
		/* A date already past changes nothing: the verdict holds. */
		if (lua_date_get(L, -1, &days) && expiry_instant(e->m->tz, days) > e->now)
			res->valid_until = expiry_instant(e->m->tz, days);
		lua_pop(L, 2);
	}
	/* A rule that failed inside r:shared leaves its computation open. */
	while (e->depth > 0)
		track_pop(e);
	res->steps = sandbox_steps(sb);
	res->ms = mono_ms() - t0;
	if (cut) {
		/* Cut short by the evaluation's end: what it read so far is
		 * not all it reads, and with nothing read it runs again at
		 * the next commit. */
		strset_free(&e->reads);
		strset_free(&e->patterns);
	}
	/* What fields replayed iterations read is what they read when they
	 * ran: the memo keeps the fields of its rule's runs. */
	res->fields_known = e->track_fields && res->status != ST_ERROR && !cut;
	if (res->fields_known)
		memo_fields(e->mr, &e->fields);
	memo_rule_end(e->mr, res->status != ST_ERROR && !cut);
	e->mr = NULL;
	res->reads = strset_take(&e->reads, &res->nreads);
	res->patterns = strset_take(&e->patterns, &res->npatterns);
	res->fields = strset_take(&e->fields, &res->nfields);
	/* No collection step here: the collector's own pace costs far less
	 * than a step after every rule (a third of the rule phase on a large
	 * ISMS), budgets charge allocation rather than collection, and a rule
	 * that nears its memory cap makes Lua collect before it fails. */
}

/* The next rule for run x, from its end of the queue; 0 when none is left. */
static int
queue_take(struct run *x, size_t *k)
{
	struct queue *q = x->q;
	pthread_mutex_lock(&q->lock);
	int any = q->front < q->back;
	if (any)
		*k = x->from_back ? --q->back : q->front++;
	pthread_mutex_unlock(&q->lock);
	return any;
}

/* Run this run's rules in its own sandbox. */
static void *
run_rules(void *arg)
{
	struct run *x = arg;
	struct engine *e = x->eng;
	if (x->sb == NULL)
		x->sb = setup(x, &x->errs);
	lua_State *L = sandbox_lua(x->sb);
	/* Fields are noted for evaluations that keep what rules did for the
	 * next (the memo): a check that runs once has no use for them, and
	 * noting costs a call per field read. */
	x->track_fields = e->memo != NULL;
	lua_record_on_field(L, x->track_fields ? note_field : NULL, x);
	lua_getfield(L, -1, "rules");
	lua_call(L, 0, 1);
	size_t n = lua_rawlen(L, -1);
	lua_pop(L, 1);
	if (x->errs.n || n != e->nrules) {
		if (x->errs.n == 0)
			problems_add(&x->errs, NULL, 0, "rule count changed");
		return NULL;
	}
	sandbox_set_cutoff(x->sb, x->q->cutoff, x->q->eval_ms);
	for (size_t k; queue_take(x, &k);) {
		struct rule_result *res = &x->ev->results[x->q->rule[k]];
		if (x->q->cutoff > 0 && mono_ms() >= x->q->cutoff) {
			res->status = ST_ERROR;
			res->note = xasprintf(
			        "not run: the evaluation ran past its deadline of "
			        "%u ms (eval_timeout) before this rule's turn; it runs again "
			        "with the next commit",
			        (unsigned)x->q->eval_ms);
			continue;
		}
		run_rule(x, x->sb, x->q->rule[k], res);
	}
	sandbox_set_cutoff(x->sb, 0, 0);
	return NULL;
}

static void
run_done(struct run *x)
{
	if (x == NULL)
		return;
	sandbox_free(x->sb);
	ids_free(x);
	strset_free(&x->reads);
	strset_free(&x->patterns);
	strset_free(&x->fields);
	problems_free(&x->errs);
	free(x);
}

/* A run for one evaluation: a prepared one when there is one. */
static struct run *
run_take(struct engine *e)
{
	if (e->nspare > 0)
		return e->spare[--e->nspare];
	struct run *x = xcalloc(1, sizeof(*x));
	x->eng = e;
	return x;
}

void
engine_use_memo(struct engine *e, struct memo *m)
{
	e->memo = m;
}

int
engine_prepare(struct engine *e)
{
	if (e->nspare == NELEM(e->spare))
		return 0;
	struct run *x = xcalloc(1, sizeof(*x));
	x->eng = e;
	x->sb = setup(x, &x->errs);
	if (x->errs.n) {
		/* The next evaluation sets up its own and reports this. */
		run_done(x);
		return 0;
	}
	e->spare[e->nspare++] = x;
	return e->nspare < NELEM(e->spare);
}

/* Below this many rules a second sandbox costs more than it saves. */
#define PARALLEL_RULES 32

int
engine_eval(struct engine *e, const struct model *m, int64_t now, const unsigned char *only,
            struct evaluation **out)
{
	struct ymd today;
	if (date_local_ymd(now, m->tz, &today) < 0)
		today = date_from_days(now / 86400);
	size_t n = e->nrules;
	struct evaluation *ev = xcalloc(1, sizeof(*ev));
	snprintf(ev->commit, sizeof(ev->commit), "%s", m->snap->commit);
	ev->now = now;
	ev->tz = xstrdup(m->tz);
	engine_params_digest(e, m, ev->digest);
	ev->results = xcalloc(n ? n : 1, sizeof(*ev->results));
	ev->n = n;
	struct queue q = { .rule = xcalloc(n + 1, sizeof(size_t)),
		           .eval_ms = atomic_load(&eval_deadline) };
	if (q.eval_ms)
		q.cutoff = mono_ms() + q.eval_ms;
	for (size_t i = 0; i < n; i++) {
		ev->results[i].rule = &e->rules[i];
		ev->results[i].status = ST_COUNT; /* not run */
		if (!only || only[i])
			q.rule[q.n++] = i;
	}
	pthread_mutex_init(&q.lock, NULL);
	q.back = q.n;
	/* Two runs, each with its own sandbox and thread, share the queue. */
	struct run *x[2];
	for (int k = 0; k < 2; k++) {
		x[k] = run_take(e);
		x[k]->m = m;
		x[k]->now = now;
		x[k]->today = today;
		x[k]->ev = ev;
		x[k]->q = &q;
		x[k]->from_back = k == 1;
	}
	/* Plugins' rule functions are promised one evaluation thread. */
	struct side t;
	side_start(&t, q.n >= PARALLEL_RULES && extend_fn == NULL && !getenv("ISMS_ONE_RUN"),
	           "rules", run_rules, x[1]);
	int threaded = side_started(&t);
	run_rules(x[0]);
	side_join(&t);
	int bad = x[0]->errs.n || x[1]->errs.n;
	/* A second run that did not start keeps its sandbox for next time. */
	if (!threaded && e->nspare < NELEM(e->spare) && x[1]->sb) {
		x[1]->m = NULL;
		x[1]->ev = NULL;
		x[1]->q = NULL;
		e->spare[e->nspare++] = x[1];
		x[1] = NULL;
	}
	for (int k = 0; k < 2; k++)
		run_done(x[k]);
	pthread_mutex_destroy(&q.lock);
	free(q.rule);
	if (bad) {
		evaluation_free(ev);
		return err_set(
		        "the rule packs changed on disk since they were loaded; reload them");
	}
	for (size_t i = 0; i < n; i++)
		if (ev->results[i].status < ST_COUNT)
			ev->counts[ev->results[i].status]++;
	*out = ev;
	return 0;
}

void
evaluation_free(struct evaluation *ev)
{
	if (ev == NULL)
		return;
	for (size_t i = 0; i < ev->n; i++) {
		struct rule_result *r = &ev->results[i];
		for (size_t k = 0; k < r->nfindings; k++) {
			free(r->findings[k].message);
			free(r->findings[k].severity);
			free(r->findings[k].file);
			free(r->findings[k].key);
			free(r->findings[k].record);
		}
		free(r->findings);
		free(r->note);
		for (size_t k = 0; k < r->nreads; k++)
			free(r->reads[k]);
		free(r->reads);
		for (size_t k = 0; k < r->npatterns; k++)
			free(r->patterns[k]);
		free(r->patterns);
		for (size_t k = 0; k < r->nfields; k++)
			free(r->fields[k]);
		free(r->fields);
	}
	free(ev->results);
	free(ev->tz);
	free(ev);
}
