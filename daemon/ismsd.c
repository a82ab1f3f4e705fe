/* ismsd.c - the daemon's command line: flags, configuration, pidfile,
 * background mode, and the event loop. */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "shard.h"
#include "daemon.h"
#include "date.h"
#include "log.h"
#include "alloc.h"
#include "err.h"
#include "problems.h"
#include "sys.h"
#include "escape.h"

static const char usage_text[] =
        "usage: ismsd [-f] [-t] [-c FILE] [--repo PATH] [--socket PATH]\n"
        "             [--state-dir DIR] [--rules DIR] [--pidfile FILE]\n"
        "             [--log-level LEVEL] [--syslog] [--now DATE] [--frozen-clock]\n"
        "\n"
        "Evaluate ISMS repositories on every commit and serve the verdicts on a\n"
        "JSON-RPC socket (docs/protocol.md). Settings: docs/ismsd.conf.md.\n"
        "\n"
        "  -c, --config FILE    the configuration file (YAML)\n"
        "  -f, --foreground     stay in the foreground, log to stderr\n"
        "  -t, --test           check the configuration and rule packs, then exit\n"
        "  --repo PATH          serve the local repository PATH (repeatable)\n"
        "  --socket PATH        the Unix socket; default " ISMSD_DEFAULT_SOCKET "\n"
        "  --state-dir DIR      history journal and mirrors; default " ISMSD_DEFAULT_STATE "\n"
        "  --rules DIR          rule packs; default: the installed ones\n"
        "  --pidfile FILE       write the process id to FILE\n"
        "  --log-level LEVEL    error, warning, info (default) or debug\n"
        "  --syslog             log to syslog (the default in the background)\n"
        "  --now DATE           run the clock from DATE (ISO 8601), for tests\n"
        "  --frozen-clock       for tests: the clock stands still (at --now) and moves\n"
        "                       only by the socket method clock, which then fires\n"
        "                       the timers that fell due (docs/protocol.md)\n";

struct opts {
	const char *config, *now, *level;
	int foreground, test, syslog, frozen;
	struct config flags; /* what the flags set */
	const char **paths;
	size_t npaths;
};

static void
set(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "test", no_argument, NULL, 't' },
		{ "repo", required_argument, NULL, 'r' },
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "rules", required_argument, NULL, 'R' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "syslog", no_argument, NULL, 'y' },
		{ "now", required_argument, NULL, 'n' },
		{ "frozen-clock", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "c:fth", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'f': o->foreground = 1; break;
		case 't': o->test = 1; break;
		case 'r':
			o->paths = xreallocarray(o->paths, o->npaths + 1, sizeof(*o->paths));
			o->paths[o->npaths++] = optarg;
			break;
		case 's': set(&o->flags.socket, optarg); break;
		case 'S': set(&o->flags.state_dir, optarg); break;
		case 'R': set(&o->flags.rules, optarg); break;
		case 'p': set(&o->flags.pidfile, optarg); break;
		case 'l': o->level = optarg; break;
		case 'y': o->syslog = 1; break;
		case 'n': o->now = optarg; break;
		case 'F': o->frozen = 1; break;
		case 'V': printf("ismsd %s\n", ISMS_VERSION); exit(0);
		case 'h': fputs(usage_text, stdout); exit(0);
		default: fputs(usage_text, stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ismsd: unexpected argument '%s'\n%s", argv[optind], usage_text);
		return -1;
	}
	return 0;
}

static void
print_problems(const struct problems *p)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->v[i].path && p->v[i].line)
			fprintf(stderr, "%s:%d: %s\n", esc(p->v[i].path), p->v[i].line,
			        esc(p->v[i].msg));
		else if (p->v[i].path)
			fprintf(stderr, "%s: %s\n", esc(p->v[i].path), esc(p->v[i].msg));
		else
			fprintf(stderr, "%s\n", esc(p->v[i].msg));
	}
}

/* The file, then the flags over it. */
static int
build_config(struct opts *o, struct config *c)
{
	struct problems errs = { 0 };
	int rc = 0;
	config_defaults(c);
	if (o->config && config_load(o->config, c, &errs) < 0)
		rc = -1;
	if (o->flags.socket)
		set(&c->socket, o->flags.socket);
	if (o->flags.state_dir)
		set(&c->state_dir, o->flags.state_dir);
	if (o->flags.rules)
		set(&c->rules, o->flags.rules);
	if (o->flags.pidfile)
		set(&c->pidfile, o->flags.pidfile);
	if (o->level && log_level_parse(o->level, &c->log_level) < 0)
		problems_add(&errs, NULL, 0, "--log-level: %s", err_msg()), rc = -1;
	if (o->syslog)
		c->syslog = 1;
	for (size_t i = 0; i < o->npaths; i++)
		config_add_path(c, o->paths[i]);
	if (rc == 0 && shard_apply(c, &errs) < 0)
		rc = -1;
	/* every problem at once: the checks run after a file with problems
	 * too, unless it could not be read at all */
	if ((rc == 0 || c->file) && config_check(c, &errs) < 0)
		rc = -1;
	print_problems(&errs);
	problems_free(&errs);
	return rc;
}

static int
parse_now(const char *s, int64_t *offset)
{
	int64_t t;
	struct ymd d;
	int has_time;
	*offset = 0;
	if (s == NULL)
		return 0;
	if (date_parse(s, "UTC", &d, &t, &has_time) < 0)
		return -1;
	if (!has_time)
		t = date_days(d) * 86400 + (int64_t)12 * 3600;
	*offset = t - (int64_t)time(NULL);
	return 0;
}

/* Write the pidfile, refusing when it names a live process. */
static int
write_pidfile(const char *path)
{
	char *old = NULL;
	size_t n;
	if (read_file(path, 64, &old, &n) == 0) {
		long pid = strtol(old, NULL, 10);
		free(old);
		if (pid > 0 && pid != getpid() && kill((pid_t)pid, 0) == 0)
			return err_set("%s names process %ld, which is running: is ismsd "
			               "already started?",
			               path, pid);
	}
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int rc = -1;
	if (f && fprintf(f, "%ld\n", (long)getpid()) > 0 && fflush(f) == 0 &&
	    fsync(fileno(f)) == 0 && rename(tmp, path) == 0)
		rc = 0;
	else
		err_set("cannot write the pidfile %s: %s", path, strerror(errno));
	if (f)
		fclose(f);
	free(tmp);
	return rc;
}

/* Go to the background; the parent exits once the child says it is
 * serving (or failed), so the exit status means something. Returns the
 * pipe's write end in the child. */
static int
background(void)
{
	int p[2];
	if (pipe(p) < 0)
		fatal("pipe");
	pid_t pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid > 0) {
		char c = 1;
		close(p[1]);
		ssize_t n = read(p[0], &c, 1);
		_exit(n == 1 && c == 0 ? 0 : 2);
	}
	close(p[0]);
	if (setsid() < 0)
		fatal("setsid");
	if (chdir("/") < 0)
		fatal("chdir /");
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return p[1];
}

static char *
absolute(const char *p)
{
	if (p[0] == '/')
		return xstrdup(p);
	char cwd[4096];
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return xstrdup(p);
	return xasprintf("%s/%s", cwd, p);
}

/* Background mode changes directory: make every path absolute first. */
static void
absolutise(struct config *c)
{
	char **v[] = { &c->socket, &c->state_dir, &c->pidfile, &c->rules, &c->file };
	for (size_t i = 0; i < NELEM(v); i++)
		if (*v[i]) {
			char *a = absolute(*v[i]);
			free(*v[i]);
			*v[i] = a;
		}
	for (size_t i = 0; i < c->nrepos; i++) {
		char **w[] = { &c->repos[i].path, &c->repos[i].rules };
		for (size_t k = 0; k < NELEM(w); k++)
			if (*w[k]) {
				char *a = absolute(*w[k]);
				free(*w[k]);
				*w[k] = a;
			}
	}
}

/* libevent's own messages, through the daemon's log. */
static void
event_log(int severity, const char *msg)
{
	switch (severity) {
	case EVENT_LOG_DEBUG: log_debug("libevent: %s", msg); break;
	case EVENT_LOG_MSG: log_info("libevent: %s", msg); break;
	default: log_warnx("libevent: %s", msg); break;
	}
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct config cfg;
	struct daemon *d = NULL;
	int64_t offset;
	int ready = -1, rc = 2;
	log_init("ismsd", LOG_LVL_INFO, 0);
	if (parse_args(argc, argv, &o) < 0)
		return 2;
	if (parse_now(o.now, &offset) < 0) {
		fprintf(stderr, "ismsd: --now: %s\n", err_msg());
		return 2;
	}
	int bad = build_config(&o, &cfg);
	if (bad < 0 || o.test) {
		/* -t goes on past configuration problems (unless the file could
		 * not be read): rule packs, plugins and places are checked too */
		if (o.test && (bad == 0 || cfg.file))
			bad = daemon_check(&cfg) < 0 || bad < 0;
		if (o.test)
			printf("%s\n", bad ? "configuration or rule packs have problems"
			                   : "configuration and rule packs are fine");
		config_free(&cfg);
		date_shutdown();
		free(o.paths);
		config_free(&o.flags);
		return bad ? 1 : 0;
	}
	absolutise(&cfg);
	log_init("ismsd", cfg.log_level, cfg.syslog || !o.foreground);
	shard_export(&cfg);
	if (!o.foreground)
		ready = background();
	char *pidfile = cfg.pidfile ? xstrdup(cfg.pidfile) : NULL;
	if (pidfile && write_pidfile(pidfile) < 0) {
		log_warnx("%s", err_msg());
		free(pidfile);
		pidfile = NULL;
		config_free(&cfg);
		goto out;
	}
	event_set_log_callback(event_log);
	struct event_base *base = event_base_new();
	if (daemon_start(&d, base, &cfg, offset, o.frozen) < 0) {
		log_warnx("cannot start: %s", err_msg());
		daemon_stop(d);
		event_base_free(base);
		goto out;
	}
	if (ready >= 0) {
		char c = 0;
		if (write(ready, &c, 1) < 0)
			log_warn("cannot tell the parent process");
		close(ready);
	}
	event_base_dispatch(base);
	daemon_stop(d);
	event_base_free(base);
	log_info("stopped");
	rc = 0;
out:
	if (pidfile)
		unlink(pidfile);
	free(pidfile);
	free(o.paths);
	config_free(&o.flags);
	date_shutdown();
	libevent_global_shutdown();
	return rc;
}
