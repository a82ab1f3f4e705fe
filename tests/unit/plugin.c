/* plugin.c - the plugin host against real shared objects: the fixtures
 * of tests/plugins and the example of sdk/examples are compiled here with
 * cc; the shipped plugins are taken from the build tree (or compiled the
 * same way when missing). Covers refusals (ABI version, missing symbol,
 * failing init), queues, drain, the Lua bridge, and exec, syslog, webhook
 * and prometheus end to end. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <lua.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "plugin.h"
#include "sandbox.h"
#include "tap.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "sys.h"

static char top[1024], build[1024], tmp[64];

static double
now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

/* Compile src (relative to the top) into tmp/name.so; its path. */
static char *
build_so(const char *src, const char *name)
{
	char *out = xasprintf("%s/%s.so", tmp, name);
	char *cmd = xasprintf("cc -std=c11 -D_GNU_SOURCE -fPIC -shared -I%s/sdk/include "
	                      "$(pkg-config --cflags jansson libevent) -o %s %s/%s "
	                      "$(pkg-config --libs jansson libevent) -lpthread",
	                      top, out, top, src);
	if (system(cmd) != 0) {
		printf("Bail out! cannot compile %s\n", src);
		exit(1);
	}
	free(cmd);
	return out;
}

/* A shipped plugin: from the build tree, else compiled here. */
static char *
shipped(const char *name)
{
	char *p = xasprintf("%s/plugins/%s.so", build, name);
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	char *src = xasprintf("plugins/%s.c", name);
	p = build_so(src, name);
	free(src);
	return p;
}

/* The status entry of plugin name, the running one when several have
 * that name (a new reference), or NULL. */
static json_t *
entry(struct plugin_host *h, const char *name)
{
	char *s = plugin_host_status(h);
	json_t *a = json_loads(s, 0, NULL), *v, *found = NULL;
	size_t i;
	free(s);
	json_array_foreach(a, i, v) {
		if (strcmp(json_string_value(json_object_get(v, "name")), name) != 0)
			continue;
		if (found == NULL ||
		    strcmp(json_string_value(json_object_get(v, "state")), "running") == 0) {
			json_decref(found);
			found = json_incref(v);
		}
	}
	json_decref(a);
	return found;
}

/* A field of the entry (stats first), as an integer; -1 when absent. */
static long long
field(struct plugin_host *h, const char *name, const char *k)
{
	json_t *e = entry(h, name);
	json_t *v = json_object_get(json_object_get(e, "stats"), k);
	if (v == NULL)
		v = json_object_get(e, k);
	long long r = v ? (long long)json_integer_value(v) : -1;
	json_decref(e);
	return r;
}

/* A string field of the entry, the caller's; "" when absent. */
static char *
sfield(struct plugin_host *h, const char *name, const char *k)
{
	json_t *e = entry(h, name);
	const char *v = json_string_value(json_object_get(e, k));
	char *r = xstrdup(v ? v : "");
	json_decref(e);
	return r;
}

/* Wait until field k of plugin name reaches want; its last value. */
static long long
wait_for(struct plugin_host *h, const char *name, const char *k, long long want,
         double secs)
{
	double end = now_s() + secs;
	long long v;
	while ((v = field(h, name, k)) < want && now_s() < end)
		sleep_ms(10);
	return v;
}

static void
emit(struct plugin_host *h, enum ismsd_event_kind k, uint64_t cursor, const char *payload)
{
	plugin_host_emit(h, k, "isms", cursor, payload);
}

static void
test_refusals(void)
{
	char *bad = build_so("tests/plugins/badabi.c", "badabi");
	char *nosym = build_so("tests/plugins/nosym.c", "nosym");
	char *initfail = build_so("tests/plugins/initfail.c", "initfail");
	char *hello = build_so("sdk/examples/plugin-hello/hello.c", "hello");
	char *text = xasprintf("%s/text.so", tmp);
	FILE *f = fopen(text, "w");
	fputs("not an object\n", f);
	fclose(f);
	struct plugin_conf c[] = {
		{NULL, bad, NULL, 0, "ismsd.conf:3"},
		{NULL, nosym, NULL, 0, NULL},
		{NULL, initfail, NULL, 0, NULL},
		{"missing", "/nonexistent/plugin.so", NULL, 0, NULL},
		{"text", text, NULL, 0, NULL},
		{"hello", hello, "[1, 2]", 0, NULL},
		{"hello", hello, "{\"greeting\": 7}", 0, NULL},
		{"bad name!", hello, NULL, 0, NULL},
		{"hello", hello, "{\"greeting\": \"hi\"}", 0, NULL},
		{"hello", hello, NULL, 0, NULL},
	};
	struct plugin_host *h = plugin_host_load(c, NELEM(c));
	is_int(plugin_host_running(h), 1, "only the good hello runs");
	is_int(plugin_host_failed(h), 9, "nine plugins are refused");
	char *e = sfield(h, "badabi", "error");
	like(e, "ismsd.conf:3: plugin badabi: ", "the ABI refusal names the config line");
	like(e, bad, "the ABI refusal names the file");
	like(e, "ABI version 999", "the ABI refusal names the plugin's version");
	like(e, "uses version 1", "the ABI refusal names the daemon's version");
	free(e);
	e = sfield(h, "nosym", "error");
	like(e, "does not export the symbol 'ismsd_plugin'", "a missing symbol is refused");
	free(e);
	e = sfield(h, "initfail", "error");
	like(e, "init failed: cannot reach the ticket system", "a failing init is reported with its reason");
	free(e);
	e = sfield(h, "missing", "error");
	like(e, "cannot load /nonexistent/plugin.so", "a missing file is reported");
	free(e);
	e = sfield(h, "text", "error");
	like(e, "cannot load", "a file that is no shared object is reported");
	free(e);
	char *s = plugin_host_status(h);
	like(s, "configuration is not a JSON object", "a config that is no object is refused");
	like(s, "init failed: \\\"greeting\\\" must be a string", "the plugin's own config check is reported");
	like(s, "not a usable plugin name", "a bad instance name is refused");
	like(s, "already named 'hello'", "a second instance of one name is refused");
	free(s);
	char *state = sfield(h, "hello", "state");
	is_str(state, "running", "hello runs");
	free(state);
	emit(h, ISMSD_EV_FINDING_RAISED, 1, "{\"severity\":\"major\",\"message\":\"m\"}");
	emit(h, ISMSD_EV_COMMIT_SEEN, 2, "{\"commit\":\"abc\"}");
	emit(h, ISMSD_EV_COMMIT_SEEN, 3, "[not an object]");
	emit(h, ISMSD_EV_COMMIT_SEEN, 4, "{broken");
	emit(h, (enum ismsd_event_kind)77, 5, "{}");
	is_int(wait_for(h, "hello", "events", 2, 5), 2, "hello got the two good events");
	sleep_ms(50);
	is_int(field(h, "hello", "published"), 2, "bad payloads and kinds are not published");
	is_int(field(h, "hello", "delivered"), 2, "both were delivered");

	/* The Lua side: plugins.hello.greet in a sandbox. */
	struct sandbox *sb = sandbox_new();
	plugin_host_extend(sb, h);
	lua_State *L = sandbox_lua(sb);
	const char *src = "return plugins.hello.greet('auditor'), plugins.hello.raised().major, "
	                  "pcall(function() plugins.x = 1 end)";
	sandbox_push_env(sb);
	ok(sandbox_load(sb, "t.lua", src, strlen(src)) == 0, "chunk loads");
	struct sandbox_limits lim = {1000000, 8u << 20};
	ok(sandbox_call(sb, 0, 3, &lim) == 0, "greet runs");
	is_str(lua_tostring(L, -3), "hi, auditor", "the plugin's greeting comes back");
	is_int(lua_tointeger(L, -2), 1, "the counts the plugin keeps are visible to rules");
	ok(!lua_toboolean(L, -1), "the plugins table is read-only");
	lua_pop(L, 3);
	sandbox_free(sb);
	plugin_host_free(h, 0);
	free(bad);
	free(nosym);
	free(initfail);
	free(hello);
	free(text);
}

/* Run src in a fresh sandbox extended by h; the error, or NULL. */
static char *
run_lua(struct plugin_host *h, const char *src, uint64_t budget, size_t mem,
        char **result)
{
	struct sandbox *sb = sandbox_new();
	plugin_host_extend(sb, h);
	lua_State *L = sandbox_lua(sb);
	sandbox_push_env(sb);
	char *err = NULL;
	struct sandbox_limits lim = {budget, mem};
	if (sandbox_load(sb, "t.lua", src, strlen(src)) < 0)
		err = xstrdup(err_msg());
	else if (sandbox_call(sb, 0, 1, &lim) < 0)
		err = xstrdup(err_msg());
	else {
		if (result)
			*result = xstrdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : "(nil)");
		lua_pop(L, 1);
	}
	sandbox_free(sb);
	return err;
}

static void
test_lua(void)
{
	char *so = build_so("tests/plugins/luafns.c", "luafns");
	struct plugin_conf c = {NULL, so, NULL, 0, NULL};
	struct plugin_host *h = plugin_host_load(&c, 1);
	is_int(plugin_host_running(h), 1, "luafns runs (bad and duplicate names were refused)");
	char *r = NULL, *e;
	e = run_lua(h, "local t = plugins.luafns.echo(1, 'two', {a = {true, false}}, nil, 2.5)\n"
	               "return t[1] .. t[2] .. tostring(t[3].a[2]) .. tostring(t[4]) .. t[5]",
	            1000000, 8u << 20, &r);
	ok(e == NULL, "echo runs: %s", e ? e : "");
	is_str(r, "1twofalsenil2.5", "values survive the trip through JSON");
	free(e);
	free(r);
	r = NULL;
	e = run_lua(h, "return plugins.luafns.echo('caf\\xc3\\xa9 \"q\" \\n')[1]", 1000000, 8u << 20, &r);
	is_str(r, "caf\xc3\xa9 \"q\" \n", "strings with quotes, newlines and UTF-8 survive");
	free(e);
	free(r);
	e = run_lua(h, "return plugins.luafns.echo(print)", 1000000, 8u << 20, NULL);
	like(e, "plugins.luafns.echo: argument 1 holds a function", "a function cannot be passed");
	free(e);
	e = run_lua(h, "return plugins.luafns.echo('\\xff\\xfe')", 1000000, 8u << 20, NULL);
	like(e, "not valid UTF-8", "bytes that are not UTF-8 are refused");
	free(e);
	e = run_lua(h, "return plugins.luafns.echo({1, 2, x = 3})", 1000000, 8u << 20, NULL);
	like(e, "mixes list items and named fields", "a mixed table is refused");
	free(e);
	e = run_lua(h, "return plugins.luafns.echo(0/0)", 1000000, 8u << 20, NULL);
	like(e, "inf or nan", "nan is refused");
	free(e);
	e = run_lua(h, "local t = {} t.t = t return plugins.luafns.echo(t)", 1000000, 8u << 20, NULL);
	like(e, "nested deeper", "a table that holds itself is refused");
	free(e);
	e = run_lua(h, "return plugins.luafns.fail()", 1000000, 8u << 20, NULL);
	like(e, "plugins.luafns.fail: the CMDB is unreachable", "a plugin error reaches the rule");
	free(e);
	r = NULL;
	e = run_lua(h, "local ok, m = pcall(plugins.luafns.fail) return tostring(ok) .. ' ' .. m",
	            1000000, 8u << 20, &r);
	like(r, "false", "a rule can catch a plugin error");
	free(e);
	free(r);
	e = run_lua(h, "return plugins.luafns.badjson()", 1000000, 8u << 20, NULL);
	like(e, "returned text that is not JSON", "a result that is no JSON is an error");
	free(e);
	e = run_lua(h, "return #plugins.luafns.big(2000000)", 1000000000, 8u << 20, NULL);
	like(e, "larger than", "a result over 4 MiB is refused");
	free(e);
	e = run_lua(h, "return #plugins.luafns.big(400000)", 1000000000, 1u << 20, NULL);
	ok(e && (strstr(e, "memory") || strstr(e, "not enough")), "a big result hits the memory cap: %s",
	   e ? e : "(none)");
	free(e);
	e = run_lua(h, "local s = string.rep('x', 100000)\n"
	               "for i = 1, 1000 do plugins.luafns.echo(s) end",
	            2000000, 8u << 20, NULL);
	ok(e && strstr(e, "budget") , "calls are charged to the budget: %s", e ? e : "(none)");
	free(e);
	r = NULL;
	e = run_lua(h, "return tostring(plugins.nothere)", 1000000, 8u << 20, &r);
	is_str(r, "nil", "an absent plugin is nil");
	free(e);
	free(r);
	plugin_host_free(h, 0);
	r = NULL;
	e = run_lua(NULL, "return type(plugins)", 1000000, 8u << 20, &r);
	ok(e == NULL && r && strcmp(r, "nil") != 0, "without plugins the table exists (%s)", r ? r : "?");
	free(e);
	free(r);
	free(so);
}

static void
test_queue(void)
{
	char *so = build_so("tests/plugins/slow.c", "slow");
	struct plugin_conf c = {"slow", so, NULL, 2, NULL};
	struct plugin_host *h = plugin_host_load(&c, 1);
	for (int i = 1; i <= 10; i++)
		emit(h, ISMSD_EV_COMMIT_SEEN, (uint64_t)i, "{}");
	is_int(field(h, "slow", "published"), 10, "all ten were published");
	ok(field(h, "slow", "dropped") >= 7, "a full queue drops the oldest (%lld dropped)",
	   field(h, "slow", "dropped"));
	ok(field(h, "slow", "queued") <= 2, "the queue holds no more than its bound");
	double t0 = now_s();
	plugin_host_free(h, 0);
	ok(now_s() - t0 < 2, "a short queue drains quickly");

	h = plugin_host_load(&(struct plugin_conf){"slow", so, NULL, 1000, NULL}, 1);
	for (int i = 1; i <= 100; i++)
		emit(h, ISMSD_EV_COMMIT_SEEN, (uint64_t)i, "{}");
	t0 = now_s();
	plugin_host_free(h, 300);
	double dt = now_s() - t0;
	ok(dt < 1.5, "the drain stops at its timeout (%.2f s for 10 s of work)", dt);
	free(so);
}

static void
test_exec(void)
{
	char *so = shipped("exec");
	char cfg[4][1024];
	snprintf(cfg[0], sizeof(cfg[0]),
	         "{\"command\": \"cat > %s/in.json; printf '%%s %%s %%s' \\\"$ISMSD_EVENT\\\" "
	         "\\\"$ISMSD_REPO\\\" \\\"$ISMSD_CURSOR\\\" > %s/env\"}", tmp, tmp);
	snprintf(cfg[1], sizeof(cfg[1]),
	         "{\"command\": \"sleep 30 & echo $! > %s/bg.pid; sleep 30\", \"timeout\": 0.5}", tmp);
	snprintf(cfg[2], sizeof(cfg[2]),
	         "{\"command\": [\"head\", \"-c\", \"30000000\", \"/dev/zero\"], \"max_output\": 1000}");
	snprintf(cfg[3], sizeof(cfg[3]),
	         "{\"command\": \"echo oops, no ticket; exit 3\", \"events\": [\"finding-raised\"]}");
	struct plugin_conf c[] = {
		{"stdin", so, cfg[0], 0, NULL}, {"hang", so, cfg[1], 0, NULL},
		{"flood", so, cfg[2], 0, NULL}, {"exit3", so, cfg[3], 0, NULL},
		{"nocmd", so, "{\"timeout\": 5}", 0, NULL},
		{"badtimeout", so, "{\"command\": \"true\", \"timeout\": -1}", 0, NULL},
		{"badevents", so, "{\"command\": \"true\", \"events\": [\"lunch\"]}", 0, NULL},
	};
	struct plugin_host *h = plugin_host_load(c, NELEM(c));
	is_int(plugin_host_running(h), 4, "four exec instances run");
	char *s = plugin_host_status(h);
	like(s, "\\\"command\\\" must be a command line", "a missing command is refused");
	like(s, "\\\"timeout\\\" must be a number from", "a negative timeout is refused");
	like(s, "\\\"events\\\" must list event names", "an unknown event name is refused");
	free(s);
	double t0 = now_s();
	emit(h, ISMSD_EV_FINDING_RAISED, 7, "{\"message\":\"no policy\",\"severity\":\"major\"}");
	is_int(wait_for(h, "stdin", "succeeded", 1, 5), 1, "the command ran and succeeded");
	char *in = NULL, *env = NULL;
	size_t len;
	char path[512];
	snprintf(path, sizeof(path), "%s/in.json", tmp);
	read_file(path, 1 << 20, &in, &len);
	like(in, "\"event\":\"finding-raised\"", "stdin carries the event");
	like(in, "\"repo\":\"isms\",\"cursor\":7", "stdin carries repository and cursor");
	like(in, "\"data\":{\"message\":\"no policy\"", "stdin carries the payload");
	snprintf(path, sizeof(path), "%s/env", tmp);
	read_file(path, 1 << 20, &env, &len);
	is_str(env, "finding-raised isms 7", "the environment names event, repository and cursor");
	free(in);
	free(env);

	is_int(wait_for(h, "exit3", "failed", 1, 5), 1, "a nonzero exit counts as failed");
	char *m = sfield(h, "exit3", "last_message");
	like(m, "exited with status 3", "the exit status is logged");
	like(m, "oops, no ticket", "with the command's output");
	free(m);

	is_int(wait_for(h, "flood", "succeeded", 1, 10), 1, "a flooding command completes");
	is_int(field(h, "flood", "output_truncated"), 1, "its output was cut");

	is_int(wait_for(h, "hang", "timed_out", 1, 5), 1, "a hanging command is killed");
	double dt = now_s() - t0;
	ok(dt < 4, "at its timeout (%.2f s)", dt);
	m = sfield(h, "hang", "last_message");
	like(m, "did not finish within 0.5 s", "the timeout is logged");
	free(m);
	snprintf(path, sizeof(path), "%s/bg.pid", tmp);
	char *pid = NULL;
	read_file(path, 100, &pid, &len);
	int gone = 0;
	for (int i = 0; pid && i < 100 && !gone; i++) {
		char stat[64], *st = NULL;
		snprintf(stat, sizeof(stat), "/proc/%d/stat", atoi(pid));
		gone = read_file(stat, 4096, &st, &len) < 0 || strstr(st, ") Z ") != NULL;
		free(st);
		if (!gone)
			sleep_ms(20);
	}
	ok(gone, "its background child was killed with the process group");
	free(pid);

	/* The concurrency bound. */
	plugin_host_free(h, 0);
	struct plugin_conf cc = {"bound", so, "{\"command\": \"sleep 0.3\", \"max_running\": 2}", 0, NULL};
	h = plugin_host_load(&cc, 1);
	for (int i = 1; i <= 5; i++)
		emit(h, ISMSD_EV_COMMIT_SEEN, (uint64_t)i, "{}");
	long long most = 0;
	double end = now_s() + 10;
	while (field(h, "bound", "succeeded") < 5 && now_s() < end) {
		long long r = field(h, "bound", "running");
		most = r > most ? r : most;
		sleep_ms(5);
	}
	is_int(field(h, "bound", "succeeded"), 5, "all five runs happen");
	is_int(most, 2, "never more than max_running at once");
	emit(h, ISMSD_EV_COMMIT_SEEN, 6, "{}");
	t0 = now_s();
	plugin_host_free(h, 0);
	ok(now_s() - t0 < 2, "shutdown kills a run in progress");
	free(so);
}

/* Receive one datagram within ms, or "" . */
static char *
recv_line(int fd, int ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	char buf[9000];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	return xstrdup(buf);
}

static void
test_syslog(void)
{
	char *so = shipped("syslog");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/log", tmp);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ok(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "a syslog socket to listen on");
	char c1[600], c2[600];
	snprintf(c1, sizeof(c1), "{\"socket\": \"%s\"}", sa.sun_path);
	snprintf(c2, sizeof(c2), "{\"socket\": \"%s\", \"format\": \"rfc3164\", \"facility\": "
	         "\"local3\", \"events\": [\"reminder-due\"]}", sa.sun_path);
	struct plugin_conf c[] = {
		{"s5424", so, c1, 0, NULL},
		{"s3164", so, c2, 0, NULL},
		{"sbad", so, "{\"facility\": \"kitchen\"}", 0, NULL},
	};
	struct plugin_host *h = plugin_host_load(c, NELEM(c));
	is_int(plugin_host_running(h), 2, "two syslog instances run, a bad facility is refused");
	emit(h, ISMSD_EV_FINDING_RAISED, 42,
	     "{\"rule\":\"5.2-policy-approved\",\"severity\":\"major\",\"message\":"
	     "\"approved by \\\"cto\\\"] not top\\nmanagement\",\"file\":\"policies/p.md\","
	     "\"line\":3,\"key\":\"00ab\",\"evidence\":{\"x\":1},"
	     "\"owner\":\"x\\\"] [forged@1 a=\\\"b\\\"]\\n<13>1 y\"}");
	char *l = recv_line(fd, 3000);
	like(l, "<27>1 ", "RFC 5424 header with daemon.err for a major finding");
	like(l, " finding-raised [ismsd@32473 repo=\"isms\" cursor=\"42\"", "structured data names repo and cursor");
	like(l, "rule=\"5.2-policy-approved\"", "and the rule");
	like(l, "line=\"3\"", "and the line");
	ok(strstr(l, "evidence=") == NULL, "objects are left out of the parameters");
	like(l, "owner=\"x\\\"\\] [forged@1 a=\\\"b\\\"\\] <13>1 y\"",
	     "a value cannot close the structured data or start a line");
	like(l, "] finding raised: approved by \"cto\"] not top management", "the message follows, one line");
	free(l);
	emit(h, ISMSD_EV_REMINDER_DUE, 43, "{\"title\":\"Management review\",\"due\":\"2026-03-01\"}");
	char *a = recv_line(fd, 3000), *b = recv_line(fd, 3000);
	char *r5424 = strncmp(a, "<29>1 ", 6) == 0 ? a : b, *r3164 = r5424 == a ? b : a;
	like(r5424, "reminder-due [ismsd@32473 repo=\"isms\" cursor=\"43\" title=\"Management review\"",
	     "a reminder in RFC 5424");
	like(r3164, "<157>", "local3.notice in RFC 3164");
	like(r3164, "]: reminder due: Management review event=reminder-due repo=\"isms\"",
	     "key=value pairs after the message");
	free(a);
	free(b);
	emit(h, ISMSD_EV_EVALUATION_FINISHED, 44, "{}");
	l = recv_line(fd, 300);
	is_str(l, "", "evaluations are not sent by default");
	free(l);
	is_int(field(h, "s5424", "sent"), 2, "two lines sent");
	close(fd);
	unlink(sa.sun_path);
	emit(h, ISMSD_EV_FINDING_RESOLVED, 45, "{\"message\":\"m\"}");
	is_int(wait_for(h, "s5424", "queued", 1, 3), 1,
	       "without a syslog daemon a line is queued, not waited for");
	is_int(field(h, "s5424", "dropped"), 0, "and not dropped");
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ok(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "the syslog daemon comes back");
	l = recv_line(fd, 3000);
	like(l, "finding-resolved [ismsd@32473 repo=\"isms\" cursor=\"45\"",
	     "the queued line is sent when it is back");
	free(l);
	is_int(wait_for(h, "s5424", "sent", 3, 3), 3, "and counted as sent");
	is_int(field(h, "s5424", "queued"), 0, "the queue is empty");
	close(fd);
	unlink(sa.sun_path);
	plugin_host_free(h, 0);

	/* A queue of two: the third line while nobody listens drops the oldest. */
	char c3[600];
	snprintf(c3, sizeof(c3), "{\"socket\": \"%s\", \"queue\": 2}", sa.sun_path);
	struct plugin_conf cq = {"small", so, c3, 0, NULL};
	h = plugin_host_load(&cq, 1);
	for (int i = 1; i <= 3; i++)
		emit(h, ISMSD_EV_FINDING_RAISED, (uint64_t)(100 + i), "{\"message\":\"m\"}");
	is_int(wait_for(h, "small", "dropped", 1, 3), 1, "a full queue drops one line and counts it");
	is_int(field(h, "small", "queued"), 2, "two stay queued");
	char *m = sfield(h, "small", "last_message");
	like(m, "is full (2 messages): dropping the oldest", "the drop is logged");
	free(m);
	plugin_host_free(h, 0);

	/* Settings that cannot work are refused with the reason. */
	struct plugin_conf cb[] = {
		{"t1", so, "{\"transport\": \"smoke\"}", 0, NULL},
		{"t2", so, "{\"transport\": \"tcp\"}", 0, NULL},
		{"t3", so, "{\"transport\": \"udp\", \"host\": \"h\", \"port\": 70000}", 0, NULL},
		{"t4", so, "{\"transport\": \"udp\", \"host\": \"h\", \"port\": \"5x\"}", 0, NULL},
		{"t5", so, "{\"host\": \"h\"}", 0, NULL},
		{"t6", so, "{\"transport\": \"tcp\", \"host\": \"h\", \"socket\": \"/x\"}", 0, NULL},
		{"t7", so, "{\"queue\": 0}", 0, NULL},
		{"t8", so, "{\"trasnport\": \"tcp\"}", 0, NULL},
	};
	h = plugin_host_load(cb, NELEM(cb));
	is_int(plugin_host_running(h), 0, "bad transports, ports, hosts and queues are refused");
	char *st = plugin_host_status(h);
	like(st, "\\\"transport\\\" must be unix, udp or tcp, not \\\"smoke\\\"", "an unknown transport");
	like(st, "transport tcp needs \\\"host\\\"", "a missing host");
	like(st, "\\\"port\\\" must be a number from 1 to 65535", "a bad port");
	like(st, "\\\"host\\\" and \\\"port\\\" are for transport udp or tcp", "a host for the local socket");
	like(st, "\\\"socket\\\" is for transport unix", "a socket for tcp");
	like(st, "\\\"queue\\\" must be a number from 1", "an empty queue");
	like(st, "unknown setting \\\"trasnport\\\"", "a misspelt setting");
	free(st);
	plugin_host_free(h, 0);
	free(so);
}

/* A local HTTP server for the webhook: down (bound, not listening), slow
 * (answers after the client gave up), then up. */
struct srv {
	int fd, port, mode, stop;
	struct event_base *base;
	struct evhttp *http;
	pthread_t thr;
	pthread_mutex_t mu;
	char keys[64][64];
	int nkeys, slow_hits;
	struct event *tick;
};

static void
srv_handle(struct evhttp_request *req, void *arg)
{
	struct srv *s = arg;
	pthread_mutex_lock(&s->mu);
	int mode = s->mode;
	pthread_mutex_unlock(&s->mu);
	if (mode == 1) {
		s->slow_hits++;
		sleep_ms(400);
		evhttp_send_reply(req, 200, "OK", NULL);
		return;
	}
	const char *k = evhttp_find_header(evhttp_request_get_input_headers(req), "Idempotency-Key");
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(in);
	char *body = xcalloc(1, n + 1);
	evbuffer_copyout(in, body, n);
	pthread_mutex_lock(&s->mu);
	if (s->nkeys < 64 && k && strstr(body, "\"event\":\"commit-seen\""))
		snprintf(s->keys[s->nkeys++], sizeof(s->keys[0]), "%s", k);
	pthread_mutex_unlock(&s->mu);
	free(body);
	evhttp_send_reply(req, 200, "OK", NULL);
}

static void
srv_tick(evutil_socket_t fd, short what, void *arg)
{
	struct srv *s = arg;
	pthread_mutex_lock(&s->mu);
	if (s->stop)
		event_base_loopexit(s->base, NULL);
	pthread_mutex_unlock(&s->mu);
}

static void *
srv_run(void *arg)
{
	struct srv *s = arg;
	event_base_dispatch(s->base);
	return NULL;
}

static void
srv_open(struct srv *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(sa);
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(s->fd, (struct sockaddr *)&sa, &len) < 0) {
		printf("Bail out! cannot bind a local port\n");
		exit(1);
	}
	s->port = ntohs(sa.sin_port);
}

static void
srv_start(struct srv *s, int mode)
{
	s->mode = mode;
	listen(s->fd, 16);
	evutil_make_socket_nonblocking(s->fd);
	s->base = event_base_new();
	s->http = evhttp_new(s->base);
	evhttp_set_gencb(s->http, srv_handle, s);
	evhttp_accept_socket(s->http, s->fd);
	s->tick = event_new(s->base, -1, EV_PERSIST, srv_tick, s);
	struct timeval tv = {0, 20000};
	event_add(s->tick, &tv);
	pthread_create(&s->thr, NULL, srv_run, s);
}

static void
srv_close(struct srv *s)
{
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thr, NULL);
	evhttp_free(s->http);
	event_free(s->tick);
	event_base_free(s->base);
	pthread_mutex_destroy(&s->mu);
}

static void
test_webhook(void)
{
	char *so = shipped("webhook");
	struct srv s;
	srv_open(&s);
	char cfg[512];
	snprintf(cfg, sizeof(cfg), "{\"url\": \"http://127.0.0.1:%d/hook?x=1\", \"timeout\": 0.2, "
	         "\"backoff_initial\": 0.05, \"backoff_max\": 0.2, \"queue\": 8, "
	         "\"headers\": {\"Authorization\": \"Bearer t\"}}", s.port);
	struct plugin_conf c[] = {
		{"hook", so, cfg, 0, NULL},
		{"hooks", so, "{\"url\": \"ftp://127.0.0.1/\"}", 0, NULL},
		{"hookh", so, "{\"url\": \"http://h/\", \"headers\": {\"X\": \"a\\r\\nb\"}}", 0, NULL},
	};
	struct plugin_host *h = plugin_host_load(c, NELEM(c));
	is_int(plugin_host_running(h), 1, "other schemes and header injection are refused");
	for (int i = 1; i <= 5; i++)
		emit(h, ISMSD_EV_COMMIT_SEEN, (uint64_t)i, "{\"commit\":\"abc\"}");
	ok(wait_for(h, "hook", "failed_attempts", 3, 5) >= 3, "a server that is down is retried");
	is_int(field(h, "hook", "delivered"), 0, "nothing is delivered while it is down");
	char *m = sfield(h, "hook", "last_message");
	like(m, "retrying with backoff", "the failure is logged once");
	free(m);
	srv_start(&s, 1);
	double end = now_s() + 5;
	while (now_s() < end) {
		pthread_mutex_lock(&s.mu);
		int hits = s.slow_hits;
		pthread_mutex_unlock(&s.mu);
		if (hits >= 2)
			break;
		sleep_ms(10);
	}
	ok(s.slow_hits >= 2, "a slow server is retried after the timeout");
	is_int(field(h, "hook", "delivered"), 0, "nothing counts as delivered from a slow server");
	pthread_mutex_lock(&s.mu);
	s.mode = 2;
	pthread_mutex_unlock(&s.mu);
	is_int(wait_for(h, "hook", "delivered", 5, 10), 5, "once up, every event is delivered");
	is_int(field(h, "hook", "dropped"), 0, "nothing was dropped within the bound");
	pthread_mutex_lock(&s.mu);
	int ok_order = s.nkeys >= 5;
	for (int i = 0; ok_order && i < 5; i++) {
		char want[64];
		snprintf(want, sizeof(want), "isms:%d:commit-seen", i + 1);
		ok_order = strcmp(s.keys[i], want) == 0;
	}
	pthread_mutex_unlock(&s.mu);
	ok(ok_order, "in order, each with its idempotency key (%s ...)", s.nkeys ? s.keys[0] : "none");
	plugin_host_free(h, 0);
	srv_close(&s);
	close(s.fd);

	/* Past the bound the oldest waiting events go. */
	struct srv d;
	srv_open(&d);
	snprintf(cfg, sizeof(cfg), "{\"url\": \"http://127.0.0.1:%d/\", \"timeout\": 0.2, "
	         "\"backoff_initial\": 5, \"queue\": 4}", d.port);
	h = plugin_host_load(&(struct plugin_conf){"hook", so, cfg, 0, NULL}, 1);
	for (int i = 1; i <= 7; i++)
		emit(h, ISMSD_EV_COMMIT_SEEN, (uint64_t)i, "{}");
	is_int(wait_for(h, "hook", "dropped", 3, 3), 3, "three events over the bound are dropped");
	is_int(field(h, "hook", "queued"), 4, "the bound is kept");
	plugin_host_free(h, 0);
	close(d.fd);
	free(so);
}

/* GET http://127.0.0.1:port/path with a plain socket; the body. */
static char *
http_get(int port, const char *path, int *status)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct buf b = {0};
	*status = 0;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		char req[256];
		snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", path);
		if (write(fd, req, strlen(req)) > 0) {
			char tmpb[4096];
			ssize_t n;
			while ((n = read(fd, tmpb, sizeof(tmpb))) > 0)
				buf_add(&b, tmpb, (size_t)n);
		}
	}
	close(fd);
	char *body = b.data ? strstr(b.data, "\r\n\r\n") : NULL;
	if (b.data)
		sscanf(b.data, "HTTP/1.%*d %d", status);
	char *r = xstrdup(body ? body + 4 : "");
	buf_free(&b);
	return r;
}

static void
test_prometheus(void)
{
	char *so = shipped("prometheus");
	struct plugin_conf c[] = {
		{"prom", so, "{\"listen\": \"127.0.0.1:0\"}", 0, NULL},
		{"prombad", so, "{\"listen\": \"nowhere\"}", 0, NULL},
	};
	struct plugin_host *h = plugin_host_load(c, NELEM(c));
	is_int(plugin_host_running(h), 1, "prometheus runs; a bad listen address is refused");
	int port = (int)field(h, "prom", "port");
	ok(port > 0, "it listens on port %d", port);
	emit(h, ISMSD_EV_EVALUATION_FINISHED, 9,
	     "{\"commit\":\"abc\",\"time\":1767225600,\"commit_time\":1767220000,"
	     "\"duration_seconds\":0.7,\"counts\":{\"pass\":5,\"fail\":2,\"warn\":0,"
	     "\"not_applicable\":1,\"waived\":0,\"error\":1},\"clauses\":{\"5\":{\"pass\":3,"
	     "\"fail\":1,\"warn\":0,\"not_applicable\":0,\"waived\":0,\"error\":0,\"conformance\":0.75}},"
	     "\"themes\":{\"organizational\":{\"pass\":2,\"fail\":1,\"warn\":0,\"not_applicable\":1,"
	     "\"waived\":0,\"error\":1,\"conformance\":0.5}},\"changed\":[]}");
	plugin_host_emit(h, ISMSD_EV_FINDING_RAISED, "other \"repo\"\n", 3, "{\"severity\":\"major\"}");
	emit(h, ISMSD_EV_REMINDER_DUE, 10, "{\"title\":\"t\",\"outstanding\":4}");
	emit(h, ISMSD_EV_COMMIT_SEEN, 11, "{\"time\":1767229999}");
	wait_for(h, "prom", "delivered", 4, 5);
	int status;
	char *body = http_get(port, "/metrics", &status);
	is_int(status, 200, "GET /metrics answers");
	like(body, "ismsd_clause_conformance_ratio{repo=\"isms\",clause=\"5\"} 0.75", "conformance per clause");
	like(body, "ismsd_theme_rules{repo=\"isms\",theme=\"organizational\",status=\"error\"} 1",
	     "rules by status per theme");
	like(body, "ismsd_last_commit_timestamp_seconds{repo=\"isms\"} 1767229999", "last commit time");
	like(body, "ismsd_reminders_due{repo=\"isms\"} 4", "reminders due");
	like(body, "repo=\"other \\\"repo\\\"\\n\"", "label values are escaped");
	char path[512];
	snprintf(path, sizeof(path), "%s/metrics.txt", tmp);
	FILE *f = fopen(path, "w");
	fputs(body, f);
	fclose(f);
	/* The Debian package of the parser is for the system's python3. */
	const char *py = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
	char *cmd = xasprintf("%s %s/tests/plugins/check-prom.py %s > %s/prom.out 2>&1",
	                      py, top, path, tmp);
	int rc = system(cmd);
	free(cmd);
	snprintf(path, sizeof(path), "%s/prom.out", tmp);
	char *out = NULL;
	size_t len;
	read_file(path, 1 << 20, &out, &len);
	ok(rc == 0, "a real Prometheus parser reads the exposition");
	if (rc != 0)
		printf("# %s\n", out ? out : "");
	like(out, "ismsd_evaluation_duration_seconds histogram", "the histogram parses as one");
	like(out, "ismsd_evaluations counter", "the counter parses as one");
	free(out);
	free(body);
	body = http_get(port, "/other", &status);
	is_int(status, 404, "other paths are not found");
	free(body);
	plugin_host_free(h, 0);
	free(so);
}

/* Plugin events from the daemon's bus notifications. */
static void
test_evaluation_events(void)
{
	char *so = build_so("tests/plugins/record.c", "record");
	char cfg[512], path[512], *text = NULL;
	size_t len;
	struct plugin_host *h;
	json_t *d;
	snprintf(cfg, sizeof(cfg), "{\"file\": \"%s/topics.txt\"}", tmp);
	h = plugin_host_load(&(struct plugin_conf){"record", so, cfg, 0, NULL}, 1);
	d = json_loads("{\"commit\":\"c1\",\"full\":true,\"changed\":["
	                       "{\"id\":\"r1\",\"clause\":\"9.2\",\"status\":\"fail\",\"findings\":[{}]},"
	                       "{\"id\":\"r2\",\"theme\":\"people\",\"status\":\"pass\",\"findings\":[]},"
	                       "{\"id\":\"r3\",\"status\":\"bogus\"}],\"removed\":[]}", 0, NULL);
	plugin_host_publish_topic(h, "isms", "results", 20, d);
	json_decref(d);
	d = json_loads("{\"commit\":\"c2\",\"full\":false,\"changed\":["
	               "{\"id\":\"r1\",\"clause\":\"9.2\",\"status\":\"pass\",\"findings\":[]}],"
	               "\"removed\":[\"r2\"]}", 0, NULL);
	plugin_host_publish_topic(h, "isms", "results", 21, d);
	json_decref(d);
	d = json_loads("{\"rule\":\"r1\",\"commit\":\"c2\",\"status\":\"pass\",\"added\":["
	               "{\"message\":\"no access review\",\"severity\":\"minor\",\"file\":null}],"
	               "\"resolved\":[{\"message\":\"no audit\",\"severity\":\"major\","
	               "\"file\":\"audit.yaml\",\"line\":4}]}", 0, NULL);
	plugin_host_publish_topic(h, "isms", "findings", 22, d);
	json_decref(d);
	d = json_loads("{\"commit\":\"c2\",\"commit_time\":5,\"eval_ms\":12.5}", 0, NULL);
	plugin_host_publish_topic(h, "isms", "commits", 23, d);
	plugin_host_publish_topic(h, "isms", "status", 24, d);
	json_decref(d);
	is_int(wait_for(h, "record", "delivered", 5, 5), 5, "five events from four notifications");
	plugin_host_free(h, 0);
	text = NULL;
	snprintf(path, sizeof(path), "%s/topics.txt", tmp);
	read_file(path, 1 << 20, &text, &len);
	like(text, "evaluation-finished isms 20 {\"commit\":\"c1\"", "results are evaluation-finished");
	like(text, "\"counts\":{\"pass\":1,\"fail\":1,",
	     "a full result sets the counts (a bad status is ignored)");
	like(text, "\"counts\":{\"pass\":1,\"fail\":0", "a removed rule leaves the counts");
	like(text, "\"previous\":\"fail\"", "the previous verdict is kept between notifications");
	like(text, "\"clauses\":{\"9\":{\"pass\":1", "clauses are summarised");
	like(text, "finding-resolved isms 22 {\"message\":\"no audit\"", "findings are split per finding");
	like(text, "finding-raised isms 22 {\"message\":\"no access review\"", "added findings are raised");
	like(text, "\"severity\":\"minor\",\"file\":null,\"rule\":\"r1\"",
	     "with severity, message and location");
	like(text, "commit-seen isms 23 ", "commits are commit-seen");
	ok(strstr(text, " 24 ") == NULL, "other topics are ignored");
	free(text);
	free(so);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	snprintf(top, sizeof(top), "%s", getenv("ISMS_TOP") ? getenv("ISMS_TOP") : ".");
	if (getenv("ISMS_BUILD"))
		snprintf(build, sizeof(build), "%s", getenv("ISMS_BUILD"));
	else {
		ssize_t n = readlink("/proc/self/exe", build, sizeof(build) - 1);
		build[n > 0 ? n : 0] = '\0';
		for (int i = 0; i < 2; i++) {
			char *slash = strrchr(build, '/');
			if (slash)
				*slash = '\0';
		}
	}
	snprintf(tmp, sizeof(tmp), "/tmp/ismsd-plugin-t.XXXXXX");
	if (mkdtemp(tmp) == NULL) {
		printf("Bail out! no temporary directory\n");
		return 1;
	}
	test_refusals();
	test_lua();
	test_queue();
	test_exec();
	test_syslog();
	test_webhook();
	test_prometheus();
	test_evaluation_events();
	char *cmd = xasprintf("rm -rf %s", tmp);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", tmp);
	free(cmd);
	return done_testing();
}
