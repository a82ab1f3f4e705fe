/* engine.c - the rule engine and its sandbox: verdicts, findings with
 * file and line, waivers, read tracking, and hostile rules that must end
 * as `error` for themselves only. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "engine.h"
#include "plainsnap.h"
#include "model.h"
#include "tap.h"
#include "buf.h"
#include "cdefs.h"
#include "err.h"
#include "buf.h"
#include "problems.h"
#include "memo.h"

static char rules_dir[256];

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

/* A rules directory with the catalogue and one pack. */
static void
make_rules(const char *pack)
{
	char path[1024], cmd[2048];
	const char *top = getenv("ISMS_TOP") ? getenv("ISMS_TOP") : ".";
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s/clauses %s/lib && "
	         "cp %s/rules/iso27001-2022.json %s/", rules_dir, rules_dir,
	         rules_dir, top, rules_dir);
	if (system(cmd) != 0)
		exit(2);
	snprintf(path, sizeof(path), "%s/clauses/test.lua", rules_dir);
	write_text(path, pack);
	snprintf(path, sizeof(path), "%s/lib/helper.lua", rules_dir);
	write_text(path, "return { double = function(x) return 2 * x end }\n");
}

static const char manifest[] =
	"organisation: Test Ltd\n"
	"time_zone: Europe/Berlin\n"
	"top_management: [p-ceo]\n"
	"waivers:\n"
	"  - rule: waived-rule\n"
	"    reason: migration in progress\n"
	"    approved_by: p-ceo\n"
	"    approved_on: 2026-01-01\n"
	"    expires: 2026-12-31\n"
	"parameters:\n"
	"  months: 6\n"
	"  names: alpha, beta\n"
	"  typed-bad:\n"
	"    months: soon\n";

static const char risks[] =
	"risks:\n"
	"  - id: R-1\n"
	"    title: Laptop theft\n"
	"    owner: p-ceo\n"
	"    likelihood: 2\n"
	"    impact: 3\n"
	"  - id: R-2\n"
	"    title: Phishing\n"
	"    likelihood: 4\n"
	"    impact: 4\n";

struct run {
	struct engine *e;
	struct snapshot *s;
	struct model *m;
	struct evaluation *ev;
	struct problems errs;
};

/* Load pack and evaluate it on the manifest and risks, and soa.yaml when
 * soa is not NULL. */
static int
run_soa(struct run *r, const char *pack, int64_t now, const char *soa)
{
	static const char *paths[] = {"isms.yaml", "risk/register.yaml", "soa.yaml"};
	const char *data[] = {manifest, risks, soa};
	memset(r, 0, sizeof(*r));
	make_rules(pack);
	struct engine_opts o = {rules_dir, {2000000, 8u << 20}};
	if (engine_load(&o, &r->e, &r->errs) < 0)
		return -1;
	r->s = plainsnap_memory(paths, data, soa ? 3 : 2, now, "tester");
	if (model_build(r->s, &r->m) < 0)
		return -1;
	return engine_eval(r->e, r->m, now, NULL, &r->ev);
}

static int
run(struct run *r, const char *pack, int64_t now)
{
	return run_soa(r, pack, now, NULL);
}

static void
run_free(struct run *r)
{
	evaluation_free(r->ev);
	model_free(r->m);
	snapshot_free(r->s);
	engine_free(r->e);
	problems_free(&r->errs);
}

static const struct rule_result *
result(const struct run *r, const char *id)
{
	for (size_t i = 0; r->ev && i < r->ev->n; i++)
		if (strcmp(r->ev->results[i].rule->id, id) == 0)
			return &r->ev->results[i];
	return NULL;
}

static const char *
status(const struct run *r, const char *id)
{
	const struct rule_result *x = result(r, id);
	return x ? rule_status_name(x->status) : "(missing)";
}

#define RULE(id, body)                                                        \
	"isms.rule { id = '" id "', clause = '6.1.2', severity = 'major',\n"     \
	"  title = 't', rationale = 'r', remediation = 'do it',\n"              \
	"  check = function(r)\n" body "\nend }\n"

static int64_t
day(const char *s)
{
	struct ymd d;
	int64_t t;
	date_parse(s, "UTC", &d, &t, NULL);
	return t + 12 * 3600;
}

static int has_read(const struct rule_result *x, const char *path);

static void
test_verdicts(void)
{
	struct run r;
	const char *pack =
		RULE("owners", "for _, k in ipairs(r:records('risk')) do\n"
		               "  if not k.owner then r:fail(k, 'risk %s has no owner', k.id) end\n"
		               "end")
		RULE("passes", "local h = require 'helper'; assert(h.double(2) == 4)")
		RULE("warns", "r:warn('just an observation')")
		RULE("na", "r:not_applicable('no such thing here')")
		RULE("waived-rule", "r:fail('known gap')")
		RULE("at-field", "local k = r:record('risk', 'R-1'); r:fail(isms.at(k, 'impact'), 'impact')")
		RULE("expires", "r:valid_until(isms.date('2026-06-30'))")
		RULE("count", "assert(r:count('risk') == #r:records('risk') and r:count('risk') > 0)\n"
		              "assert(r:count('audit_report') == 0)")
		RULE("count-only", "assert(r:count('risk') > 0)")
		RULE("dates", "assert(r.now == isms.date('2026-05-01'))\n"
		              "assert(isms.date('2024-01-31'):add_months(1) == isms.date('2024-02-29'))\n"
		              "assert(r.now - isms.date('2026-04-01') == 30)\n"
		              "assert(tostring(r.now) == '2026-05-01')\n"
		              "assert(r.now > '2026-04-30' and '2026-05-02' > r.now and r.now <= '2026-05-01')\n"
		              "assert(isms.date(r.now) == r.now and tostring('x') == 'x' and tostring(5) == '5')\n"
		              "local d, m = isms.date(nil) assert(d == nil and m == 'expected a date, found nil')\n"
		              "d, m = isms.date(5) assert(d == nil and m == 'expected a date, found number')\n"
		              "d, m = isms.date('2026-02-30') assert(d == nil and m:find('2026%-02%-30'))\n"
		              "local ok, e = pcall(r.now.days_until, 5, r.now) assert(not ok and e:find('isms.date expected'))\n"
		              "ok, e = pcall(function() return r.now < {} end) assert(not ok and e:find('date expected'))\n"
		              "assert(r.now:days_until('2026-05-11') == 10 and (r.now + 1):iso() == '2026-05-02')");
	ok(run(&r, pack, day("2026-05-01")) == 0, "evaluation runs: %s", err_msg());
	is_str(status(&r, "owners"), "fail", "a missing owner fails");
	const struct rule_result *o = result(&r, "owners");
	ok(o && o->nfindings == 1, "one finding");
	if (o && o->nfindings == 1) {
		is_str(o->findings[0].file, "risk/register.yaml", "finding names the file");
		is_int(o->findings[0].line, 7, "finding names the record's line");
		is_str(o->findings[0].message, "risk R-2 has no owner", "message formatted");
		is_str(o->findings[0].severity, "major", "rule severity");
	}
	is_str(status(&r, "passes"), "pass", "require of a lib module works");
	is_str(status(&r, "warns"), "warn", "warn");
	is_str(status(&r, "na"), "not_applicable", "not applicable");
	is_str(status(&r, "waived-rule"), "waived", "an approved, unexpired waiver waives");
	const struct rule_result *af = result(&r, "at-field");
	ok(af && af->nfindings == 1 && af->findings[0].line == 6, "isms.at points at the field's line");
	const struct rule_result *ex = result(&r, "expires");
	int64_t want;
	struct ymd d = {2026, 7, 1};
	date_local_midnight(d, "Europe/Berlin", &want);
	ok(ex && ex->valid_until == want, "valid_until is the next local midnight");
	is_str(status(&r, "dates"), "pass", "date arithmetic");
	is_str(status(&r, "count"), "pass", "r:count agrees with #r:records, 0 for an absent type");
	ok(has_read(result(&r, "count-only"), "risk/register.yaml"),
	   "r:count reads the files of its type, for incremental evaluation");
	const struct rule_result *rd = result(&r, "owners");
	int read_register = 0;
	for (size_t i = 0; rd && i < rd->nreads; i++)
		read_register |= strcmp(rd->reads[i], "risk/register.yaml") == 0;
	ok(read_register && rd->npatterns >= 1, "the engine records what a rule read");
	run_free(&r);

	ok(run(&r, pack, day("2027-02-01")) == 0, "evaluation after the waiver expired");
	is_str(status(&r, "waived-rule"), "fail", "an expired waiver no longer waives");
	run_free(&r);
}

static int
has_read(const struct rule_result *x, const char *path)
{
	for (size_t i = 0; x && i < x->nreads; i++)
		if (strcmp(x->reads[i], path) == 0)
			return 1;
	return 0;
}

/* r:shared: computed once per builder, read-only, its reads count for
 * every rule given the result, and it cannot judge. A builder is told
 * apart by where it is defined and what it closes over, so that another
 * builder with the same key (another pack's) never hands its value on. */
static void
test_shared(void)
{
	struct run r;
	const char *pack =
		"local computed = 0\n"
		"local function count(c)\n"
		"  computed = computed + 1\n"
		"  local n = 0\n"
		"  for _ in ipairs(c:records('risk')) do n = n + 1 end\n"
		"  return { n = n, list = { 'a' } }\n"
		"end\n"
		RULE("s-first", "local v = r:shared('t.count', count)\n"
		                "if v.n ~= 2 then r:fail('counted %s', tostring(v.n)) end")
		RULE("s-again", "local v = r:shared('t.count', count)\n"
		                "if v.n ~= 2 or v.list[1] ~= 'a' then r:fail('not shared') end\n"
		                "if computed ~= 1 then r:fail('computed %d times', computed) end")
		RULE("s-change", "local v = r:shared('t.count', count)\n"
		                 "v.list[1] = 'b'")
		RULE("s-intact", "local v = r:shared('t.count', count)\n"
		                 "if v.list[1] ~= 'a' then r:fail('changed by another rule') end")
		RULE("s-other", "local v = r:shared('t.count', function() return 'mine' end)\n"
		                "if v ~= 'mine' then r:fail('given another builder\\'s result') end")
		RULE("s-after", "local v = r:shared('t.count', count)\n"
		                "if type(v) ~= 'table' or v.n ~= 2 then r:fail('poisoned') end")
		RULE("s-judges", "r:shared('t.judge', function(c) c:fail('from inside') end)")
		RULE("s-raises", "r:shared('t.flaky', function() error('broken helper') end)")
		RULE("s-retries", "local v = r:shared('t.flaky', function() return 7 end)\n"
		                  "if v ~= 7 then r:fail('no retry') end")
		RULE("s-bad-key", "r:shared(42, function() end)")
		RULE("s-no-fn", "r:shared('t.count')");
	ok(run(&r, pack, day("2026-05-01")) == 0, "evaluation with r:shared runs: %s", err_msg());
	is_str(status(&r, "s-first"), "pass", "the first rule computes the shared result");
	is_str(status(&r, "s-again"), "pass", "a later rule gets it without computing again");
	ok(has_read(result(&r, "s-first"), "risk/register.yaml"),
	   "the computing rule read what the computation read");
	ok(has_read(result(&r, "s-again"), "risk/register.yaml"),
	   "a rule given the result read the same files");
	is_str(status(&r, "s-change"), "error", "the shared result is read-only");
	is_str(status(&r, "s-intact"), "pass", "no rule changes what the next one gets");
	is_str(status(&r, "s-other"), "pass", "another builder with the same key gets its own result");
	is_str(status(&r, "s-after"), "pass", "and does not replace the first builder's");
	const struct rule_result *j = result(&r, "s-judges");
	is_str(status(&r, "s-judges"), "error", "a shared computation cannot report findings");
	ok(j && j->note && strstr(j->note, "r:shared"), "the error names r:shared: %s",
	   j && j->note ? j->note : "(none)");
	ok(j && j->nfindings == 0, "and no finding is left behind");
	is_str(status(&r, "s-raises"), "error", "an error in the computation is the rule's");
	is_str(status(&r, "s-retries"), "pass", "the next rule computes it again");
	is_str(status(&r, "s-bad-key"), "error", "a key that is not text is an error");
	is_str(status(&r, "s-no-fn"), "error", "a builder is required");
	run_free(&r);
}

/* The evaluation's deadline: rules whose turn comes after it are not
 * run, end as error, say why and read nothing, so that they run again at
 * the next commit. (The rule running at it is stopped by its sandbox:
 * tests/unit/sandbox.c.) */
static void
test_eval_deadline(void)
{
	struct run r;
	struct buf b = { 0 };
	for (int i = 0; i < 20; i++)
		buf_printf(&b, RULE("d-spin-%d", "r:records('risk') while true do end"), i);
	buf_adds(&b, RULE("d-after", "r:records('risk')"));
	engine_set_eval_deadline(50);
	ok(run(&r, b.data, day("2026-05-01")) == 0, "an evaluation with a deadline runs: %s",
	   err_msg());
	engine_set_eval_deadline(0);
	const struct rule_result *x = result(&r, "d-after");
	is_str(status(&r, "d-after"), "error", "a rule whose turn comes after the deadline is error");
	ok(x && x->note && strstr(x->note, "not run") && strstr(x->note, "50 ms (eval_timeout)"),
	   "and says it was not run: %s", x && x->note ? x->note : "(none)");
	ok(x && x->nreads == 0, "it read nothing: it runs again at the next commit");
	run_free(&r);
	buf_free(&b);
}

/* Each hostile rule ends as error; the rules after it still run. */
static void
test_hostile(void)
{
	static const struct {
		const char *id, *body, *why;
	} cases[] = {
		{"loop", "while true do end", "infinite loop"},
		{"pcall-loop", "while true do pcall(function() while true do end end) end",
		 "a loop that catches the budget error"},
		{"xpcall-handler", "xpcall(function() error('x') end, function() while true do end end) while true do end",
		 "a looping error handler"},
		{"gc", "setmetatable({}, {__gc = function() while true do end end})",
		 "a finalizer (runs with hooks off)"},
		{"coroutine", "local co = coroutine.wrap(function() while true do end end) co()",
		 "a loop inside a coroutine"},
		{"metamethod", "local t = setmetatable({}, {__index = function(t, k) while true do end end}) local _ = t.x",
		 "a loop inside a metamethod"},
		{"memory", "local t = {} for i = 1, 1e8 do t[i] = ('x'):rep(100) .. i end",
		 "a memory bomb"},
		{"rep", "local s = ('x'):rep(1 << 40)", "a huge string.rep"},
		{"pattern", "local s = ('a'):rep(50000) s:find('.-.-.-.-x')", "a pathological pattern"},
		{"os", "os.execute('touch /tmp/pwned')", "os.execute"},
		{"io", "io.open('/etc/passwd')", "io"},
		{"load", "load(string.dump(function() end))", "load of bytecode"},
		{"dofile", "dofile('/etc/passwd')", "dofile"},
		{"require-file", "require('../../../etc/passwd')", "require outside lib/"},
		{"debug", "debug.sethook()", "the debug library"},
		{"string-write", "string.upper = function() return 'pwned' end", "changing the string library"},
		{"isms-write", "isms.rule = nil", "changing the SDK"},
		{"record-write", "local k = r:records('risk')[1] k.owner = 'x'", "changing a record"},
		{"rawset-record", "rawset(r:records('risk')[1], 'owner', 'x')", "rawset on a record"},
		{"string-mt", "getmetatable('').__index.upper = nil", "the string metatable"},
		{"catalogue-write", "isms.catalogue.annex_a[1] = nil", "changing the catalogue"},
		{"error-object", "error(setmetatable({}, {__tostring = function() while true do end end}))",
		 "an error object whose __tostring loops"},
	};
	struct buf pack = {0};
	const char *only = getenv("HOSTILE_ONLY");  /* to debug one case */
	for (size_t i = 0; i < NELEM(cases); i++)
		if (only == NULL || strcmp(only, cases[i].id) == 0)
			buf_printf(&pack, RULE("%s", "%s"), cases[i].id, cases[i].body);
	buf_adds(&pack, RULE("after", "assert(string.upper('a') == 'A')\n"
	                              "assert(isms.rule ~= nil)\n"
	                              "assert(r:records('risk')[1].owner == 'p-ceo')\n"
	                              "assert(#isms.catalogue.annex_a == 93)\n"
	                              "assert(type(r:records('risk')[1]) == 'table')"));
	struct run r;
	ok(run(&r, pack.data, day("2026-05-01")) == 0, "hostile pack evaluates: %s", err_msg());
	for (size_t i = 0; i < NELEM(cases); i++) {
		if (only && strcmp(only, cases[i].id) != 0)
			continue;
		const struct rule_result *x = result(&r, cases[i].id);
		ok(x && x->status == ST_ERROR, "%s gives error for that rule (%s)",
		   cases[i].why, x && x->note ? x->note : "no note");
	}
	is_str(status(&r, "after"), "pass", "rules after the hostile ones see intact libraries and records");
	ok(access("/tmp/pwned", F_OK) != 0, "nothing was executed");
	run_free(&r);
	buf_free(&pack);
}

static void
test_load_errors(void)
{
	const char *pack =
		"isms.rule { id = 'no-title', clause = '5.2', severity = 'major', rationale = 'r', remediation = 'x', check = function() end }\n"
		"isms.rule { id = 'bad-clause', clause = '11.1', severity = 'major', title = 't', rationale = 'r', remediation = 'x', check = function() end }\n"
		"isms.rule { id = 'bad-sev', control = '5.15', severity = 'huge', title = 't', rationale = 'r', remediation = 'x', check = function() end }\n"
		"isms.rule { id = 'bad-sev', control = '9.99', severity = 'minor', title = 't', rationale = 'r', remediation = 'x', check = 1, typo = 2 }\n";
	struct run r;
	ok(run(&r, pack, day("2026-05-01")) < 0, "a broken pack is refused");
	is_int(r.errs.n, 4, "every broken rule is reported");
	if (r.errs.n == 4) {
		like(r.errs.v[0].msg, "clauses/test.lua:1: rule 'no-title': title is required", "file:line and what");
		like(r.errs.v[1].msg, "clause '11.1' is not an ISO/IEC 27001:2022 clause", "unknown clause");
		like(r.errs.v[2].msg, "severity must be", "bad severity");
		like(r.errs.v[3].msg, "unknown field 'typo'", "unknown field");
	}
	run_free(&r);
	ok(run(&r, "isms.rule { id = 'x'\n", day("2026-05-01")) < 0, "a syntax error is refused");
	ok(r.errs.n == 1 && strstr(r.errs.v[0].msg, "clauses/test.lua:"), "syntax error names the file and line: %s",
	   r.errs.n ? r.errs.v[0].msg : "");
	run_free(&r);
	ok(run(&r, "while true do end", day("2026-05-01")) < 0, "a pack that loops at load time is refused");
	ok(r.errs.n == 1 && strstr(r.errs.v[0].msg, "budget"), "and the reason is the budget");
	run_free(&r);
}

/* A rule declaring control = is not applicable when the SoA excludes the
 * control, before its check runs, unless it runs when excluded. */
static void
test_excluded(void)
{
	static const char soa[] = "controls:\n"
	                          "  - control: \"5.15\"\n"
	                          "    applicable: false\n"
	                          "    justification: no systems of our own\n"
	                          "  - control: \"5.16\"\n"
	                          "    applicable: true\n";
	const char *pack =
		"local function rule(id, control, extra)\n"
		"  local def = { id = id, control = control, severity = 'minor', title = 't',\n"
		"    rationale = 'r', remediation = 'x', check = function(r) r:fail('ran') end }\n"
		"  for k, v in pairs(extra or {}) do def[k] = v end\n"
		"  isms.rule(def)\n"
		"end\n"
		"rule('excluded', '5.15')\n"
		"rule('judges-exclusion', '5.15', { run_when_excluded = true })\n"
		"rule('included', '5.16')\n";
	struct run r;
	ok(run_soa(&r, pack, day("2026-05-01"), soa) == 0, "evaluation with an SoA runs: %s", err_msg());
	const struct rule_result *x = result(&r, "excluded");
	is_str(status(&r, "excluded"), "not_applicable", "a rule of an excluded control is not applicable");
	ok(x && x->nfindings == 0, "and its check did not run");
	is_str(x ? x->note : NULL, "A.5.15 Access control is excluded in the Statement of Applicability",
	       "the note names the control and the SoA");
	ok(has_read(x, "soa.yaml"), "the SoA counts as read, for incremental evaluation");
	is_str(status(&r, "judges-exclusion"), "fail", "run_when_excluded runs the check anyway");
	is_str(status(&r, "included"), "fail", "a rule of an included control runs");
	run_free(&r);
	ok(run(&r, pack, day("2026-05-01")) == 0, "evaluation without an SoA runs");
	is_str(status(&r, "excluded"), "fail", "without an SoA the rule runs");
	run_free(&r);
}

/* A number in a field the schema types as text reaches rules as the text
 * written: an unquoted control id 5.30 is "5.30", not 5.3, through
 * r:records, r:doc, list items and pairs; numeric fields stay numbers. */
static void
test_text_ids(void)
{
	static const char soa[] = "version: 1.10\n"
	                          "controls:\n"
	                          "  - control: 5.30\n"
	                          "    applicable: true\n"
	                          "  - control: 8.20\n"
	                          "    applicable: true\n"
	                          "  - control: \"5.10\"\n"
	                          "    applicable: true\n";
	const char *pack =
		RULE("ids-records", "local e = r:records('soa')[1]\n"
		                    "local got = {}\n"
		                    "for i, c in ipairs(e.controls) do got[i] = c.control end\n"
		                    "assert(math.type(got[1]) == nil and got[1] == '5.30', tostring(got[1]))\n"
		                    "assert(got[2] == '8.20' and got[3] == '5.10', tostring(got[2]))\n"
		                    "assert(e.version == '1.10', tostring(e.version))")
		RULE("ids-doc", "local d = r:doc('soa.yaml')\n"
		                "assert(d.controls[2].control == '8.20', tostring(d.controls[2].control))\n"
		                "for k, v in pairs(d.controls[1]) do\n"
		                "  if k == 'control' then assert(v == '5.30', tostring(v)) end\n"
		                "end")
		RULE("ids-soa", "assert(r:soa('5.30') ~= nil and r:soa('8.20') ~= nil)\n"
		                "assert(r:soa('5.3') == nil and r:soa('8.2') == nil)")
		RULE("numbers-stay", "local k = r:record('risk', 'R-1')\n"
		                     "assert(math.type(k.likelihood) == 'integer' and k.likelihood == 2)");
	struct run r;
	ok(run_soa(&r, pack, day("2026-05-01"), soa) == 0, "evaluation with unquoted ids runs: %s",
	   err_msg());
	const char *ids[] = { "ids-records", "ids-doc", "ids-soa", "numbers-stay" };
	for (size_t i = 0; i < NELEM(ids); i++) {
		const struct rule_result *x = result(&r, ids[i]);
		is_str(status(&r, ids[i]), "pass", "%s: %s", ids[i], x && x->note ? x->note : "text ids");
	}
	run_free(&r);
}

/* Parameters take the type of their declared default: the declaration is
 * checked at load, isms.yaml's value before the check. */
static void
test_params(void)
{
	const char *pack =
		"isms.rule { id = 'typed', clause = '9.1', severity = 'minor', title = 't',\n"
		"  rationale = 'r', remediation = 'x',\n"
		"  params = { months = 12, names = { default = { 'x' }, doc = 'names' },\n"
		"    flag = true, ratio = 0.5, label = 'none', empty = {} },\n"
		"  check = function(r)\n"
		"    assert(math.type(r:param('months')) == 'integer' and r:param('months') == 6)\n"
		"    local n = r:param('names')\n"
		"    assert(#n == 2 and n[1] == 'alpha' and n[2] == 'beta')\n"
		"    assert(r:param('flag') == true and r:param('ratio') == 0.5)\n"
		"    assert(r:param('label') == 'none' and #r:param('empty') == 0)\n"
		"    assert(r:param('undeclared', 7) == 7)\n"
		"  end }\n"
		"isms.rule { id = 'typed-bad', clause = '9.1', severity = 'minor', title = 't',\n"
		"  rationale = 'r', remediation = 'x', params = { months = 12 },\n"
		"  check = function(r) r:warn('the check ran') end }\n";
	struct run r;
	ok(run(&r, pack, day("2026-05-01")) == 0, "a pack with typed parameters runs: %s", err_msg());
	is_str(status(&r, "typed"), "pass", "r:param gives each value typed");
	const struct rule_result *x = result(&r, "typed-bad");
	is_str(status(&r, "typed-bad"), "fail", "a value of the wrong type fails the rule");
	ok(x && x->nfindings == 1, "with one finding, and the check did not run");
	if (x && x->nfindings == 1) {
		is_str(x->findings[0].file, "isms.yaml", "at the value in isms.yaml");
		is_int(x->findings[0].line, 14, "on its line");
		like(x->findings[0].message,
		     "parameter months must be a whole number above zero, not 'soon': correct it in "
		     "isms.yaml (rule typed-bad, declared at clauses/test.lua:13 with default '12')",
		     "naming the parameter, the rule and the pack file");
	}
	const struct rule_info *rules;
	size_t n = engine_rules(r.e, &rules);
	const struct rule_info *t = n ? &rules[0] : NULL;
	ok(t && t->nparams == 6, "the declared parameters are listed");
	if (t && t->nparams == 6) {
		is_str(t->params[0].name, "empty", "in name order");
		is_str(t->params[0].def, "", "an empty list shows as nothing");
		is_str(t->params[4].name, "names", "a list parameter");
		is_str(t->params[4].def, "x", "shows its items");
		is_str(t->params[4].doc, "names", "and its doc");
		is_str(t->params[5].def, "0.5", "a number shows as written");
	}
	run_free(&r);

	const char *bad =
		"local function rule(id, params, extra)\n"
		"  local def = { id = id, clause = '9.1', severity = 'minor', title = 't',\n"
		"    rationale = 'r', remediation = 'x', params = params, check = function() end }\n"
		"  for k, v in pairs(extra or {}) do def[k] = v end\n"
		"  isms.rule(def)\n"
		"end\n"
		"rule('no-default', { months = { doc = 'months' } })\n"
		"rule('bad-default', { when = { default = function() end } })\n"
		"rule('bad-field', { months = { default = 1, type = 'integer' } })\n"
		"rule('bad-name', { ['two words'] = 1 })\n"
		"rule('bad-list', { kinds = { 'a', { 'b' } } })\n"
		"rule('no-control', {}, { run_when_excluded = true })\n";
	ok(run(&r, bad, day("2026-05-01")) < 0, "bad parameter declarations are refused");
	is_int(r.errs.n, 6, "each is reported");
	if (r.errs.n == 6) {
		like(r.errs.v[0].msg, "clauses/test.lua:5: rule 'no-default': parameter 'months': give a default",
		     "file:line, rule and parameter");
		like(r.errs.v[1].msg, "parameter 'when': the default must be a whole number, a number, text, "
		     "true or false, or a list of text, not function", "a default of no type");
		like(r.errs.v[2].msg, "parameter 'months': unknown field 'type'", "an unknown field");
		like(r.errs.v[3].msg, "parameter 'two words': a name is", "a bad name");
		like(r.errs.v[4].msg, "rule 'bad-list': parameter 'kinds'", "a list of lists");
		like(r.errs.v[5].msg, "run_when_excluded needs the control", "run_when_excluded without control");
	}
	run_free(&r);
}

/* Findings get a record and a fingerprint; :key names their kind. */
static void
test_fingerprints(void)
{
	struct run r;
	const char *pack =
		RULE("fp", "local k = r:record('risk', 'R-2')\n"
		           "r:fail(k, 'risk R-2 is %d days late', 3)\n"
		           "r:fail(k, 'risk R-2 is %d days late', 4)\n"
		           "r:fail(k, 'risk R-2 has status %s', 'open'):key('status')\n"
		           "r:fail(isms.at(r:record('risk', 'R-1'), 'impact'), 'risk R-2 is 3 days late')")
		RULE("bad-key", "r:fail('x'):key(42)");
	ok(run(&r, pack, day("2026-05-01")) == 0, "evaluation runs: %s", err_msg());
	const struct rule_result *x = result(&r, "fp");
	ok(x && x->nfindings == 4, "four findings");
	if (x && x->nfindings == 4) {
		is_str(x->findings[0].record, "risk:R-2", "the record a finding is about");
		is_str(x->findings[3].record, "risk:R-1", "a field's finding is about its record");
		is_int(strlen(x->findings[0].fingerprint), 32, "a fingerprint of 32 hex digits");
		is_str(x->findings[0].fingerprint, x->findings[1].fingerprint,
		       "numbers in the message do not change the fingerprint");
		is_str(x->findings[2].key, "status", ":key is kept");
		ok(strcmp(x->findings[0].fingerprint, x->findings[2].fingerprint) != 0,
		   "another kind, another fingerprint");
		ok(strcmp(x->findings[0].fingerprint, x->findings[3].fingerprint) != 0,
		   "another record, another fingerprint");
	}
	is_str(status(&r, "bad-key"), "error", "a key that is not a string is the rule's error");
	run_free(&r);
}


/* Whether result x noted field f (rule_result.fields). */
static int
has_field(const struct rule_result *x, const char *f)
{
	for (size_t i = 0; x && i < x->nfields; i++)
		if (strcmp(x->fields[i], f) == 0)
			return 1;
	return 0;
}

/* What each rule read of the records, field by field, for incremental
 * evaluation: noted while a memo is in use (the daemon), through shared
 * results and replayed r:each iterations too; files read otherwise are
 * noted whole. */
static void
test_fields(void)
{
	const char *pack =
	        "local function by_title(r)\n"
	        "  local t = {}\n"
	        "  for _, x in ipairs(r:records('risk')) do t[#t + 1] = x.title end\n"
	        "  return t\n"
	        "end\n" RULE("f-owner", "for _, x in ipairs(r:records('risk')) do local _ = x.owner end")
	                RULE("f-shared", "local _ = r:shared('titles', by_title)")
	                RULE("f-pairs", "for _, x in ipairs(r:records('risk')) do for k in pairs(x) do end end")
	                RULE("f-doc", "local _ = r:doc('risk/register.yaml')")
	                RULE("f-problems", "local _ = r:problems()")
	                RULE("f-text", "for _, x in ipairs(r:records('risk')) do local _ = isms.text(x, 'impact') end")
	                RULE("f-each", "r:each('risk', function(x) if x.likelihood == 9 then r:fail(x, 'x') end end)");
	static const char *paths[] = { "isms.yaml", "risk/register.yaml" };
	const char *data[] = { manifest, risks };
	struct run r;
	memset(&r, 0, sizeof(r));
	make_rules(pack);
	struct engine_opts o = { rules_dir, { 2000000, 8u << 20 } };
	if (engine_load(&o, &r.e, &r.errs) < 0) {
		ok(0, "fields: the pack loads");
		return;
	}
	r.s = plainsnap_memory(paths, data, 2, day("2026-06-01"), "tester");
	for (size_t i = 0; i < r.s->nfiles; i++)
		snprintf(r.s->files[i].blob, sizeof(r.s->files[i].blob), "b%zu", i);
	if (model_build(r.s, &r.m) < 0)
		return;
	struct memo *m = memo_new(engine_rules(r.e, NULL));
	engine_use_memo(r.e, m);
	for (int round = 0; round < 2; round++) {
		/* The second round replays every r:each iteration. */
		evaluation_free(r.ev);
		r.ev = NULL;
		engine_eval(r.e, r.m, day("2026-06-01"), NULL, &r.ev);
		const char *when = round ? "replayed" : "first run";
		const struct rule_result *x = result(&r, "f-owner");
		ok(x && x->fields_known && has_field(x, "owner") && !has_field(x, "title"),
		   "%s: a rule that read owners noted owner only", when);
		ok(has_field(result(&r, "f-shared"), "title"),
		   "%s: a shared result's fields are the rule's", when);
		ok(has_field(result(&r, "f-pairs"), "*"), "%s: pairs over a record reads every field",
		   when);
		ok(has_field(result(&r, "f-doc"), "\001risk/register.yaml"),
		   "%s: r:doc reads the file as a whole", when);
		ok(has_field(result(&r, "f-problems"), "\001**"),
		   "%s: r:problems reads every file as a whole", when);
		ok(has_field(result(&r, "f-text"), "impact"), "%s: isms.text reads its field", when);
		ok(has_field(result(&r, "f-each"), "likelihood"),
		   "%s: r:each's iterations' fields are the rule's", when);
	}
	size_t replayed, ran;
	memo_counts(m, &replayed, &ran);
	ok(replayed >= 2, "the second round replayed the iterations (%zu)", replayed);
	engine_use_memo(r.e, NULL);
	evaluation_free(r.ev);
	r.ev = NULL;
	engine_eval(r.e, r.m, day("2026-06-01"), NULL, &r.ev);
	const struct rule_result *x = result(&r, "f-owner");
	ok(x && !x->fields_known && x->nfields == 0, "without a memo no field is noted");
	run_free(&r);
	memo_free(m);
}

int
main(void)
{
	snprintf(rules_dir, sizeof(rules_dir), "/tmp/isms-engine-t.%d", (int)getpid());
	test_verdicts();
	test_fingerprints();
	test_hostile();
	test_load_errors();
	test_shared();
	test_eval_deadline();
	test_excluded();
	test_params();
	test_text_ids();
	test_fields();
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", rules_dir);
	if (system(cmd) != 0)
		return 2;
	date_shutdown();
	return done_testing();
}
