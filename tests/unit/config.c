/* config.c - the daemon's configuration file: every key, bad values with
 * file:line, hostile input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tap.h"
#include "alloc.h"
#include "problems.h"

static char dir[] = "/tmp/isms-config-XXXXXX";

static const char *
write_conf(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

/* Load text; returns the number of problems, their text in out. */
static size_t
load(const char *text, struct config *c, char *out, size_t outlen)
{
	struct problems errs = {0};
	config_defaults(c);
	const char *p = write_conf("ismsd.conf", text);
	if (config_load(p, c, &errs) == 0)
		config_check(c, &errs);
	out[0] = '\0';
	for (size_t i = 0; i < errs.n; i++) {
		size_t l = strlen(out);
		snprintf(out + l, outlen - l, "%s:%d: %s\n", errs.v[i].path, errs.v[i].line,
		         errs.v[i].msg);
	}
	size_t n = errs.n;
	problems_free(&errs);
	return n;
}

static void
test_full(void)
{
	struct config c;
	char msg[4096];
	size_t n = load("socket: /tmp/x.sock\n"
	                "listen_tcp: 127.0.0.1:7027\n"
	                "state_dir: /var/tmp/isms\n"
	                "pidfile: /tmp/ismsd.pid\n"
	                "rules: /opt/rules\n"
	                "log_level: debug\n"
	                "syslog: true\n"
	                "max_clients: 50\n"
	                "max_message: 4096\n"
	                "subscriber_buffer: 65536\n"
	                "eval_threads: 4\n"
	                "eval_timeout: 30\n"
	                "write_users: [0, root]\n"
	                "write_groups: [0]\n"
	                "repositories:\n"
	                "  - name: acme\n"
	                "    path: /srv/isms/acme\n"
	                "    ref: main\n"
	                "    poll_interval: 10\n"
	                "  - name: north\n"
	                "    url: file:///srv/north.git\n"
	                "    fetch_interval: 120\n"
	                "    rules: /opt/north-rules\n",
	                &c, msg, sizeof(msg));
	is_int(n, 0, "a full configuration loads");
	if (n)
		printf("# %s", msg);
	is_str(c.socket, "/tmp/x.sock", "socket");
	is_str(c.listen_tcp, "127.0.0.1:7027", "listen_tcp");
	is_str(c.state_dir, "/var/tmp/isms", "state_dir");
	is_str(c.pidfile, "/tmp/ismsd.pid", "pidfile");
	is_str(c.rules, "/opt/rules", "rules");
	is_int(c.log_level, LOG_LVL_DEBUG, "log_level");
	is_int(c.syslog, 1, "syslog");
	is_int(c.max_clients, 50, "max_clients");
	is_int(c.max_message, 4096, "max_message");
	is_int(c.subscriber_buffer, 65536, "subscriber_buffer");
	is_int(c.eval_threads, 4, "eval_threads");
	is_int(c.eval_timeout, 30, "eval_timeout");
	is_int(c.nwrite_uids, 2, "write_users: by number and by name");
	is_int(c.write_uids[1], 0, "root by name is uid 0");
	is_int(c.nwrite_gids, 1, "write_groups");
	is_int(c.nrepos, 2, "two repositories");
	is_str(c.repos[0].ref, "main", "ref");
	is_int(c.repos[0].poll_interval, 10, "poll_interval");
	is_str(c.repos[1].url, "file:///srv/north.git", "url");
	is_int(c.repos[1].fetch_interval, 120, "fetch_interval");
	is_str(c.repos[1].rules, "/opt/north-rules", "per-repository rules");
	ok(!c.repos[0].from_flag && !c.repos[1].from_flag,
	   "repositories of the file are not marked as --repo ones");
	ok(config_repo(&c, "north") == &c.repos[1], "config_repo by name");
	ok(config_repo(&c, NULL) == NULL, "no default among two");
	config_free(&c);
}

static void
test_bad(void)
{
	struct config c;
	char msg[4096];
	size_t n = load("max_clients: lots\nsyslog: maybe\nbogus: 1\nlog_level: loud\n"
	                "repositories:\n  - name: a\n    path: /x\n    colour: red\n",
	                &c, msg, sizeof(msg));
	is_int(n, 5, "five problems, all reported");
	like(msg, "ismsd.conf:1: 'max_clients' must be a whole number", "line 1: max_clients");
	like(msg, "ismsd.conf:2: 'syslog' must be true or false", "line 2: syslog");
	like(msg, "ismsd.conf:3: unknown setting 'bogus'", "line 3: unknown key");
	like(msg, "ismsd.conf:4: unknown log level 'loud'", "line 4: log level");
	like(msg, "ismsd.conf:8: unknown repository setting 'colour'", "line 8: repo key");
	config_free(&c);

	n = load("repositories:\n  - name: a\n    path: /x\n  - name: a\n    url: u\n"
	         "  - name: b\n  - name: 'bad name'\n    path: /y\n",
	         &c, msg, sizeof(msg));
	ok(n >= 3, "repository problems found (%zu)", n);
	like(msg, "two repositories are named 'a'", "duplicate names");
	like(msg, "'b' has neither a path nor a url", "neither path nor url");
	like(msg, "needs a name of letters", "bad name");
	config_free(&c);

	n = load("listen_tcp: 0.0.0.0:7027\nrepositories:\n  - {name: a, path: /x}\n",
	         &c, msg, sizeof(msg));
	like(msg, "must be a loopback address", "TCP only on loopback");
	config_free(&c);

	n = load("", &c, msg, sizeof(msg));
	like(msg, "no repository to serve", "an empty file: defaults, but no repository");
	config_free(&c);

	n = load("- just\n- a list\n", &c, msg, sizeof(msg));
	like(msg, "must be a map of settings", "a list is not a configuration");
	config_free(&c);

	n = load("socket: [unclosed\n", &c, msg, sizeof(msg));
	like(msg, "ismsd.conf:", "unparseable YAML names the file");
	config_free(&c);

	n = load("write_users: [no-such-user-here]\nrepositories: [{name: a, path: /x}]\n",
	         &c, msg, sizeof(msg));
	like(msg, "no such user 'no-such-user-here'", "unknown user");
	config_free(&c);

	n = load("max_message: 99999999999999999999\nrepositories: [{name: a, path: /x}]\n",
	         &c, msg, sizeof(msg));
	ok(n >= 1, "an out-of-range number is refused");
	config_free(&c);

	n = load("eval_threads: 0\nrepositories: [{name: a, path: /x}]\n", &c, msg, sizeof(msg));
	ok(n >= 1, "no evaluation thread is refused");
	config_free(&c);
	n = load("eval_threads: 65\neval_timeout: -1\nrepositories: [{name: a, path: /x}]\n", &c,
	         msg, sizeof(msg));
	is_int(n, 2, "too many evaluation threads and a negative eval_timeout are refused");
	config_free(&c);

	/* Hostile: deep nesting and a huge file. */
	char *deep = xmalloc(40000);
	memset(deep, '[', 39999);
	deep[39999] = '\0';
	n = load(deep, &c, msg, sizeof(msg));
	ok(n >= 1, "deeply nested input is refused, not a crash");
	free(deep);
	config_free(&c);

	struct problems errs = {0};
	config_defaults(&c);
	ok(config_load("/nonexistent/ismsd.conf", &c, &errs) < 0, "a missing file fails");
	like(errs.n ? errs.v[0].msg : "", "cannot read", "and says it cannot be read");
	problems_free(&errs);
	config_free(&c);
}

static void
test_add_path(void)
{
	struct config c;
	config_defaults(&c);
	config_add_path(&c, "/srv/isms/acme.git");
	config_add_path(&c, "/other/acme");
	config_add_path(&c, "/srv/we ird!/");
	is_str(c.repos[0].name, "acme", "--repo: named after the directory, .git dropped");
	is_str(c.repos[1].name, "repo2", "a clash gets a numbered name");
	ok(c.repos[2].name && strchr(c.repos[2].name, ' ') == NULL, "odd characters replaced");
	ok(c.repos[0].from_flag && c.repos[2].from_flag,
	   "--repo repositories are marked: a reload of the file keeps them");
	struct problems errs = {0};
	is_int(config_check(&c, &errs), 0, "the result passes the check");
	problems_free(&errs);
	config_free(&c);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	test_full();
	test_bad();
	test_add_path();
	char p[300];
	snprintf(p, sizeof(p), "%s/ismsd.conf", dir);
	unlink(p);
	rmdir(dir);
	return done_testing();
}
