/* exec.c - run a command for each event, the event as JSON on stdin.
 *
 * The bridge to mail, chat and ticketing. Configuration:
 *   command      string (run by /bin/sh -c) or array of strings (argv);
 *                required
 *   timeout      seconds a run may take (default 30); then the command's
 *                whole process group is killed
 *   max_running  runs at once (default 4); further events wait
 *   queue        events waiting for a free slot (default 256); when full
 *                the oldest is dropped
 *   max_output   bytes of stdout and stderr kept for the log (default
 *                65536); the rest is read and thrown away
 *   events       event names to run for (default: all)
 * The command also gets ISMSD_EVENT, ISMSD_REPO and ISMSD_CURSOR in its
 * environment. Exit status, signals, timeouts and an excerpt of the
 * output are logged; counters go to the daemon's status. */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ismsd/plugin.h>

extern char **environ;

#define POLL_MS 20
#define EXCERPT 300

struct job {
	struct ex *x;
	pid_t pid;
	int in, out;
	struct event *ev_in, *ev_out, *ev_timeout, *ev_poll;
	char *input;
	size_t inlen, inoff;
	char *output;
	size_t outlen, dropped;
	int timed_out;
	char what[160]; /* "finding-raised isms@42", for messages */
	struct job *next;
};

struct pend {
	char *json, *repo;
	uint32_t kind;
	uint64_t cursor;
};

struct ex {
	const struct ismsd_host *h;
	char **argv;
	double timeout;
	long max_running;
	size_t max_output, qmax;
	uint32_t mask;
	struct job *jobs;
	long nrunning;
	struct pend *q;
	size_t qhead, qlen;
	int64_t runs, ok, failed, timeouts, truncated, dropped;
};

static void start_next(struct ex *x);

static void
stats(struct ex *x)
{
	const struct ismsd_host *h = x->h;
	h->stat(h, "runs", x->runs);
	h->stat(h, "succeeded", x->ok);
	h->stat(h, "failed", x->failed);
	h->stat(h, "timed_out", x->timeouts);
	h->stat(h, "output_truncated", x->truncated);
	h->stat(h, "dropped", x->dropped);
	h->stat(h, "running", x->nrunning);
	h->stat(h, "waiting", (int64_t)x->qlen);
}

/* A printable one-line excerpt of the output. */
static void
excerpt(const struct job *j, char *out, size_t size)
{
	size_t n = j->outlen < size - 1 ? j->outlen : size - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)j->output[i];
		out[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	out[n] = '\0';
	while (n > 0 && out[n - 1] == ' ')
		out[--n] = '\0';
}

/* Free a job's events, descriptors and buffers. */
static void
job_free(struct job *j)
{
	struct event *evs[] = { j->ev_in, j->ev_out, j->ev_timeout, j->ev_poll };
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (evs[i])
			event_free(evs[i]);
	if (j->in >= 0)
		close(j->in);
	if (j->out >= 0)
		close(j->out);
	free(j->input);
	free(j->output);
	free(j);
}

static void
unlink_job(struct ex *x, struct job *j)
{
	for (struct job **p = &x->jobs; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			break;
		}
	x->nrunning--;
}

/* Read what the command wrote; keep up to max_output bytes. Returns 1 at
 * end of file, 0 when nothing more is ready. */
static int
drain(struct job *j)
{
	char tmp[8192];
	for (;;) {
		ssize_t n = read(j->out, tmp, sizeof(tmp));
		if (n == 0)
			return 1;
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : 1;
		size_t keep = j->x->max_output - j->outlen;
		if (keep > (size_t)n)
			keep = (size_t)n;
		if (keep) {
			memcpy(j->output + j->outlen, tmp, keep);
			j->outlen += keep;
		}
		j->dropped += (size_t)n - keep;
	}
}

static void
on_out(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;
	if (drain(j)) {
		event_del(j->ev_out);
		close(j->out);
		j->out = -1;
	}
}

/* Feed the event to the command's stdin; a command that does not read
 * it is not an error. */
static void
on_in(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;
	while (j->inoff < j->inlen) {
		ssize_t n = send(j->in, j->input + j->inoff, j->inlen - j->inoff,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0)
			break;
		j->inoff += (size_t)n;
	}
	event_del(j->ev_in);
	shutdown(j->in, SHUT_WR);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;
	j->timed_out = 1;
	kill(-j->pid, SIGKILL);
}

/* Log how a run ended and count it. */
static void
report(struct job *j, int status)
{
	struct ex *x = j->x;
	const struct ismsd_host *h = x->h;
	char ex[EXCERPT + 1], trunc[96] = "";
	excerpt(j, ex, sizeof(ex));
	if (j->dropped) {
		x->truncated++;
		snprintf(trunc, sizeof(trunc),
		         " (output cut at %zu bytes, %zu more "
		         "dropped)",
		         x->max_output, j->dropped);
	}
	if (j->timed_out) {
		x->timeouts++;
		x->failed++;
		h->log(h, ISMSD_LOG_WARN,
		       "the command for %s did not finish within "
		       "%g s: it was killed with its process group%s%s%s",
		       j->what, x->timeout, *ex ? "; output: " : "", ex, trunc);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		x->ok++;
		h->log(h, ISMSD_LOG_INFO, "the command for %s succeeded%s%s%s", j->what,
		       *ex ? "; output: " : "", ex, trunc);
	} else if (WIFEXITED(status)) {
		x->failed++;
		h->log(h, ISMSD_LOG_WARN,
		       "the command for %s exited with status "
		       "%d%s%s%s",
		       j->what, WEXITSTATUS(status), *ex ? "; output: " : "", ex, trunc);
	} else {
		x->failed++;
		h->log(h, ISMSD_LOG_WARN,
		       "the command for %s was killed by signal "
		       "%d%s%s%s",
		       j->what, WTERMSIG(status), *ex ? "; output: " : "", ex, trunc);
	}
}

/* Reap the command when it has ended; then report and start the next. */
static void
on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;
	int status;
	pid_t r = waitpid(j->pid, &status, WNOHANG);
	if (r == 0 || (r < 0 && errno == EINTR))
		return;
	if (r < 0)
		status = 0;
	if (j->out >= 0)
		drain(j);
	struct ex *x = j->x;
	report(j, status);
	unlink_job(x, j);
	job_free(j);
	start_next(x);
	stats(x);
}

/* The environment of a run: ours plus ISMSD_*; the caller frees it. */
static char **
make_env(const struct pend *p)
{
	size_t n = 0;
	while (environ && environ[n])
		n++;
	char **env = calloc(n + 4, sizeof(*env));
	size_t k = 0;
	if (env == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "ISMSD_", 6) != 0)
			env[k++] = environ[i];
	char *a = NULL, *b = NULL, *c = NULL;
	if (asprintf(&a, "ISMSD_EVENT=%s", ismsd_event_name(p->kind)) < 0)
		a = NULL;
	if (asprintf(&b, "ISMSD_REPO=%s", p->repo) < 0)
		b = NULL;
	if (asprintf(&c, "ISMSD_CURSOR=%llu", (unsigned long long)p->cursor) < 0)
		c = NULL;
	if (a)
		env[k++] = a;
	if (b)
		env[k++] = b;
	if (c)
		env[k++] = c;
	return env;
}

static void
free_env(char **env)
{
	if (env == NULL)
		return;
	for (size_t i = 0; env[i]; i++)
		if (strncmp(env[i], "ISMSD_", 6) == 0)
			free(env[i]);
	free(env);
}

/* Start the command in a process group of its own, stdin a socket (so a
 * command that closes it raises no SIGPIPE here), stdout and stderr one
 * pipe. Returns the pid, or -1 with errno. */
static pid_t
spawn(struct ex *x, char **env, int *in, int *out)
{
	int sv[2] = { -1, -1 }, po[2] = { -1, -1 };
	pid_t pid = -1;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	if (pipe2(po, O_CLOEXEC) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, po[1], 2);
	posix_spawnattr_init(&at);
	sigset_t none, def;
	sigemptyset(&none);
	sigemptyset(&def);
	int sigs[] = {
		SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM
	};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&def, sigs[i]);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	                                      POSIX_SPAWN_SETSIGDEF);
	int rc = posix_spawnp(&pid, x->argv[0], &fa, &at, x->argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(sv[1]);
	close(po[1]);
	if (rc != 0) {
		close(sv[0]);
		close(po[0]);
		errno = rc;
		return -1;
	}
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(po[0], F_SETFL, O_NONBLOCK);
	*in = sv[0];
	*out = po[0];
	return pid;
}

/* Start one run for p (whose json this steals). */
static void
start_job(struct ex *x, struct pend *p)
{
	const struct ismsd_host *h = x->h;
	struct event_base *base = h->base(h);
	struct job *j = calloc(1, sizeof(*j));
	char **env = make_env(p);
	if (j == NULL || env == NULL || (j->output = malloc(x->max_output + 1)) == NULL) {
		h->log(h, ISMSD_LOG_ERR, "out of memory for a run");
		goto fail;
	}
	j->x = x;
	j->in = j->out = -1;
	snprintf(j->what, sizeof(j->what), "%s %s@%llu", ismsd_event_name(p->kind), p->repo,
	         (unsigned long long)p->cursor);
	j->pid = spawn(x, env, &j->in, &j->out);
	if (j->pid < 0) {
		h->log(h, ISMSD_LOG_WARN, "cannot run %s for %s: %s", x->argv[0], j->what,
		       strerror(errno));
		x->failed++;
		goto fail;
	}
	x->runs++;
	j->input = p->json;
	j->inlen = strlen(p->json);
	p->json = NULL;
	struct timeval tv = { (time_t)x->timeout,
		              (suseconds_t)((x->timeout - (double)(time_t)x->timeout) * 1e6) };
	struct timeval poll = { 0, (suseconds_t)POLL_MS * 1000 };
	j->ev_in = event_new(base, j->in, EV_WRITE | EV_PERSIST, on_in, j);
	j->ev_out = event_new(base, j->out, EV_READ | EV_PERSIST, on_out, j);
	j->ev_timeout = evtimer_new(base, on_timeout, j);
	j->ev_poll = event_new(base, -1, EV_PERSIST, on_poll, j);
	event_add(j->ev_in, NULL);
	event_add(j->ev_out, NULL);
	event_add(j->ev_timeout, &tv);
	event_add(j->ev_poll, &poll);
	j->next = x->jobs;
	x->jobs = j;
	x->nrunning++;
	free_env(env);
	free(p->json);
	free(p->repo);
	return;
fail:
	free_env(env);
	if (j) {
		free(j->output);
		free(j);
	}
	free(p->json);
	free(p->repo);
}

/* Start waiting events while there is a free slot. */
static void
start_next(struct ex *x)
{
	while (x->nrunning < x->max_running && x->qlen > 0) {
		struct pend p = x->q[x->qhead];
		x->qhead = (x->qhead + 1) % x->qmax;
		x->qlen--;
		start_job(x, &p);
	}
}

static void
on_event(void *state, const struct ismsd_event *ev)
{
	struct ex *x = state;
	if (!(x->mask & (1u << ev->kind)))
		return;
	if (x->qlen == x->qmax) {
		struct pend *old = &x->q[x->qhead];
		free(old->json);
		free(old->repo);
		x->qhead = (x->qhead + 1) % x->qmax;
		x->qlen--;
		x->dropped++;
		x->h->log(x->h, ISMSD_LOG_WARN,
		          "%zu events wait for a free slot; "
		          "dropped the oldest",
		          x->qmax);
	}
	struct pend *p = &x->q[(x->qhead + x->qlen) % x->qmax];
	p->json = strdup(ev->json);
	p->repo = strdup(ev->repo);
	p->kind = ev->kind;
	p->cursor = ev->cursor;
	if (p->json == NULL || p->repo == NULL) {
		free(p->json);
		free(p->repo);
		return;
	}
	x->qlen++;
	start_next(x);
	stats(x);
}

/* The argv of the command setting. */
static int
parse_command(struct ex *x, json_t *cmd)
{
	size_t n = json_is_array(cmd) ? json_array_size(cmd) : 3;
	if (!(json_is_string(cmd) && *json_string_value(cmd)) && !(json_is_array(cmd) && n > 0))
		return -1;
	x->argv = calloc(n + 1, sizeof(*x->argv));
	if (x->argv == NULL)
		return -1;
	if (json_is_string(cmd)) {
		x->argv[0] = strdup("/bin/sh");
		x->argv[1] = strdup("-c");
		x->argv[2] = strdup(json_string_value(cmd));
	} else
		for (size_t i = 0; i < n; i++) {
			json_t *a = json_array_get(cmd, i);
			if (!json_is_string(a))
				return -1;
			x->argv[i] = strdup(json_string_value(a));
		}
	for (size_t i = 0; i < n; i++)
		if (x->argv[i] == NULL)
			return -1;
	return 0;
}

/* The events setting: a list of event names; none means all. */
static int
parse_events(const struct ismsd_host *h, json_t *v, uint32_t *mask)
{
	*mask = 0;
	if (v == NULL) {
		*mask = ~0u;
		return 0;
	}
	size_t i;
	json_t *e;
	if (!json_is_array(v))
		goto bad;
	json_array_foreach (v, i, e) {
		uint32_t k = ismsd_event_kind(json_string_value(e));
		if (k == 0)
			goto bad;
		*mask |= 1u << k;
	}
	return 0;
bad:
	h->log(h, ISMSD_LOG_ERR,
	       "\"events\" must list event names: "
	       "evaluation-finished, finding-raised, finding-resolved, "
	       "reminder-due, commit-seen");
	return -1;
}

static void
ex_free(struct ex *x)
{
	for (size_t i = 0; x->argv && x->argv[i]; i++)
		free(x->argv[i]);
	free(x->argv);
	for (size_t i = 0; i < x->qlen; i++) {
		free(x->q[(x->qhead + i) % x->qmax].json);
		free(x->q[(x->qhead + i) % x->qmax].repo);
	}
	free(x->q);
	free(x);
}

/* A number setting within [lo, hi], or def when absent. */
static int
num(const struct ismsd_host *h, json_t *cfg, const char *key, double def, double lo, double hi,
    double *out)
{
	json_t *v = json_object_get(cfg, key);
	*out = v ? json_number_value(v) : def;
	if (v && (!json_is_number(v) || *out < lo || *out > hi)) {
		h->log(h, ISMSD_LOG_ERR, "\"%s\" must be a number from %g to %g", key, lo, hi);
		return -1;
	}
	return 0;
}

static int
init(const struct ismsd_host *h, const char *config, void **state)
{
	json_t *cfg = json_loads(config, 0, NULL);
	struct ex *x = calloc(1, sizeof(*x));
	double mr, mo, qm;
	if (cfg == NULL || x == NULL)
		goto fail;
	x->h = h;
	if (parse_command(x, json_object_get(cfg, "command")) < 0) {
		h->log(h, ISMSD_LOG_ERR,
		       "\"command\" must be a command line or a "
		       "list of arguments");
		goto fail;
	}
	if (num(h, cfg, "timeout", 30, 0.001, 86400, &x->timeout) < 0 ||
	    num(h, cfg, "max_running", 4, 1, 64, &mr) < 0 ||
	    num(h, cfg, "max_output", 65536, 0, 16 << 20, &mo) < 0 ||
	    num(h, cfg, "queue", 256, 1, 1 << 20, &qm) < 0 ||
	    parse_events(h, json_object_get(cfg, "events"), &x->mask) < 0)
		goto fail;
	x->max_running = (long)mr;
	x->max_output = (size_t)mo;
	x->qmax = (size_t)qm;
	x->q = calloc(x->qmax, sizeof(*x->q));
	if (x->q == NULL)
		goto fail;
	json_decref(cfg);
	stats(x);
	*state = x;
	return 0;
fail:
	json_decref(cfg);
	if (x)
		ex_free(x);
	return -1;
}

/* Kill what still runs (whole process groups) and reap it. */
static void
shutdown_(void *state)
{
	struct ex *x = state;
	if (x->qlen)
		x->h->log(x->h, ISMSD_LOG_WARN,
		          "%zu events never ran: ismsd is "
		          "stopping",
		          x->qlen);
	while (x->jobs) {
		struct job *j = x->jobs;
		x->jobs = j->next;
		kill(-j->pid, SIGKILL);
		while (waitpid(j->pid, NULL, 0) < 0 && errno == EINTR)
			;
		x->h->log(x->h, ISMSD_LOG_WARN,
		          "the command for %s was still "
		          "running at shutdown; killed it",
		          j->what);
		job_free(j);
	}
	ex_free(x);
}

const struct ismsd_plugin ismsd_plugin = {
	.abi_version = ISMSD_PLUGIN_ABI_VERSION,
	.name = "exec",
	.version = "1.0.0",
	.description = "run a command with each event as JSON on stdin",
	.init = init,
	.on_event = on_event,
	.shutdown = shutdown_,
};
