/* journal.c - the history journal, the bus over it and the checkpoints:
 * cursors, fsync'd appends, the index and lines read back, repair after a
 * torn write, garbage, subscribers, and states rebuilt from checkpoints
 * that must equal a linear replay of the whole journal, also when
 * checkpoint files are torn, corrupt, foreign or missing. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "checkpoint.h"
#include "date.h"
#include "journal.h"
#include "repo.h"
#include "tap.h"
#include "alloc.h"
#include "err.h"
#include "sys.h"

static char dir[] = "/tmp/isms-journal-XXXXXX";
static char path[256], ckdir[256];

static void
append_raw(const char *s)
{
	int fd = open(path, O_WRONLY | O_APPEND);
	ok(fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s), "append raw bytes");
	close(fd);
}

static size_t
file_size(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? (size_t)st.st_size : 0;
}

static void
rm_checkpoints(void)
{
	DIR *d = opendir(ckdir);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *p = xasprintf("%s/%s", ckdir, de->d_name);
		unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(ckdir);
}

static void
test_append_reopen(void)
{
	struct journal *j;
	struct journal_entry e;
	is_int(journal_open(path, &j), 0, "open a new journal");
	is_int(journal_last(j), 0, "empty: cursor 0");
	json_t *d = json_pack("{s:s}", "commit", "abc");
	is_int(journal_append(j, "acme", "results", 1700000000, d, &e), 0, "append");
	ok(e.seq == 1, "first entry has cursor 1");
	like(e.line, "\"cursor\":1", "the line carries its cursor");
	like(e.line, "\"method\":\"results\"", "the line is a notification");
	is_int(e.line[e.len - 1], '\n', "the line ends with a newline");
	is_int(strlen(e.line), e.len, "len is the line's length");
	free(e.line);
	is_int(journal_append(j, "other", "commits", 1700000100, d, &e), 0, "append again");
	ok(e.seq == 2, "second entry has cursor 2");
	free(e.line);
	json_decref(d);
	journal_close(j);

	is_int(journal_open(path, &j), 0, "reopen");
	is_int(journal_count(j), 2, "both entries indexed");
	journal_entry_at(j, 1, &e);
	is_str(e.repo, "other", "repository kept");
	is_str(e.topic, "commits", "topic kept");
	is_int(e.time, 1700000100, "time kept");
	ok(e.line == NULL, "the index holds no line");
	is_int(journal_read(j, 0, &e), 0, "read the first line back");
	like(e.line, "\"commit\":\"abc\"", "its line");
	json_t *back = journal_data(&e);
	is_str(json_string_value(json_object_get(back, "commit")), "abc", "data kept");
	json_decref(back);
	free(e.line);
	back = journal_data_at(j, 1);
	is_str(json_string_value(json_object_get(back, "commit")), "abc", "data read by index");
	json_decref(back);
	is_int(journal_after(j, 0), 0, "after cursor 0: the first");
	is_int(journal_after(j, 1), 1, "after cursor 1: the second");
	is_int(journal_after(j, 99), 2, "after a future cursor: none");
	journal_close(j);
}

static void
test_torn(void)
{
	struct journal *j;
	struct journal_entry e;
	size_t good = file_size(path);
	append_raw("{\"jsonrpc\":\"2.0\",\"method\":\"results\",\"params\":{\"cur");
	is_int(journal_open(path, &j), 0, "open a journal with a torn last line");
	is_int(journal_last(j), 2, "the torn entry is not counted");
	is_int(file_size(path), good, "and is cut off the file");
	json_t *d = json_object();
	is_int(journal_append(j, "acme", "status", 1700000200, d, &e), 0, "append after repair");
	free(e.line);
	is_int(journal_last(j), 3, "cursors continue");
	json_decref(d);
	journal_close(j);

	/* A last line whose header is whole but whose data was torn, even
	 * with its newline: the last line is parsed whole. */
	good = file_size(path);
	append_raw("{\"jsonrpc\":\"2.0\",\"method\":\"results\",\"params\":{\"cursor\":4,"
	           "\"repo\":\"acme\",\"topic\":\"results\",\"time\":\"2024-01-01T00:00:00Z\","
	           "\"data\":{\"changed\":[{\"id\":\"x\"\n");
	is_int(journal_open(path, &j), 0, "open with a torn data part");
	is_int(journal_last(j), 3, "the entry with torn data is not counted");
	is_int(file_size(path), good, "and is cut off");
	journal_close(j);

	/* Garbage and a cursor that goes backwards end the readable part. */
	append_raw("{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"cursor\":2,"
	           "\"repo\":\"a\",\"topic\":\"x\",\"time\":\"2024-01-01T00:00:00Z\"}}\n");
	append_raw("\x01\x02 garbage\n");
	is_int(journal_open(path, &j), 0, "open with a stale cursor and garbage");
	is_int(journal_last(j), 3, "nothing after the last good entry is taken");
	is_int(file_size(path), good, "and it is cut off");
	journal_close(j);

	/* Lines not in the form the daemon writes (keys reordered, escapes)
	 * are read the slow way, and still count. */
	append_raw("{\"params\":{\"time\":\"2024-01-02T00:00:00Z\",\"topic\":\"status\","
	           "\"repo\":\"we\\u00efrd \\\"one\\\"\",\"cursor\":4,\"data\":{}},"
	           "\"method\":\"status\",\"jsonrpc\":\"2.0\"}\n");
	append_raw("{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"params\":{\"cursor\":5,"
	           "\"repo\":\"a\\/b\",\"topic\":\"status\",\"time\":\"2024-01-03T00:00:00Z\","
	           "\"data\":{}}}\n");
	is_int(journal_open(path, &j), 0, "open with lines in another form");
	is_int(journal_last(j), 5, "both are taken");
	journal_entry_at(j, 3, &e);
	is_str(e.repo, "we\xc3\xafrd \"one\"", "an escaped repository name is decoded");
	journal_entry_at(j, 4, &e);
	is_str(e.repo, "a/b", "an escaped slash too");
	is_int(e.time, 1704240000, "and its time");
	journal_close(j);

	/* An entry with a huge cursor, and one with a negative one. */
	append_raw("{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"cursor\":"
	           "99999999999999999999999,\"repo\":\"a\",\"topic\":\"x\",\"time\":"
	           "\"2024-01-01T00:00:00Z\",\"data\":{}}}\n");
	is_int(journal_open(path, &j), 0, "open with a cursor beyond 64 bits");
	is_int(journal_last(j), 5, "it is not taken");
	journal_close(j);
	unlink(path);
}

/* Many entries, some far larger than the scan buffer, read back exactly
 * after reopening. */
static void
test_index(void)
{
	struct journal *j;
	struct journal_entry e;
	enum { N = 1500 };
	char **lines = xcalloc(N, sizeof(*lines));
	is_int(journal_open(path, &j), 0, "fresh journal for the index");
	for (int i = 0; i < N; i++) {
		size_t big = i == 700 ? (3u << 20) : (size_t)(i % 17) * 100;
		char *pad = xmalloc(big + 1);
		memset(pad, 'a' + i % 26, big);
		pad[big] = '\0';
		json_t *d = json_pack("{s:i, s:s}", "i", i, "pad", pad);
		free(pad);
		journal_append(j, i % 3 ? "acme" : "zeta", i % 2 ? "results" : "findings",
		               1700000000 + i, d, &e);
		lines[i] = e.line;
		json_decref(d);
	}
	journal_close(j);
	is_int(journal_open(path, &j), 0, "reopen");
	is_int(journal_count(j), N, "every entry indexed");
	int same = 1;
	for (int i = 0; i < N; i++) {
		if (journal_read(j, (size_t)i, &e) < 0 || strcmp(e.line, lines[i]) != 0 ||
		    e.seq != (uint64_t)i + 1 || e.time != 1700000000 + i ||
		    strcmp(e.repo, i % 3 ? "acme" : "zeta") != 0)
			same = 0;
		free(e.line);
		free(lines[i]);
	}
	free(lines);
	ok(same, "every line read back is the one written (a 3 MiB one too)");
	is_int(journal_after(j, 700), 700, "after cursor 700: index 700");
	journal_close(j);
	/* The file shrank behind the index's back: an error, not a crash. */
	is_int(journal_open(path, &j), 0, "reopen once more");
	ok(truncate(path, 1000) == 0, "cut the file short by hand");
	ok(journal_read(j, N - 1, &e) < 0, "reading a line that is gone fails");
	like(err_msg(), "changed by hand", "and says why");
	ok(journal_data_at(j, N - 1) == NULL, "so does its data");
	journal_close(j);
	unlink(path);
}

struct seen {
	int n;
	uint64_t last;
	int lines_ok;
	struct bus *b;
	struct bus_sub *self;
};

static void
count(void *arg, const struct journal_entry *e)
{
	struct seen *s = arg;
	s->n++;
	s->last = e->seq;
	if (e->line && e->line[e->len - 1] == '\n' && strstr(e->line, "\"cursor\""))
		s->lines_ok++;
}

static void
quit_after_one(void *arg, const struct journal_entry *e)
{
	struct seen *s = arg;
	s->n++;
	bus_unsubscribe(s->b, s->self);
}

static void
test_bus(void)
{
	struct journal *j;
	unlink(path);
	is_int(journal_open(path, &j), 0, "fresh journal for the bus");
	struct bus *b = bus_new(j);
	struct seen all = { 0 }, res = { 0 }, acme = { 0 }, once = { 0 };
	const char *t_all[] = { "*" }, *t_res[] = { "results" };
	bus_subscribe(b, NULL, t_all, 1, count, &all);
	bus_subscribe(b, NULL, t_res, 1, count, &res);
	bus_subscribe(b, "acme", t_all, 1, count, &acme);
	once.b = b;
	once.self = bus_subscribe(b, NULL, t_all, 1, quit_after_one, &once);
	json_t *d = json_object();
	is_int(bus_publish(b, "acme", "results", 1, d), 1, "publish: cursor 1");
	is_int(bus_publish(b, "zeta", "commits", 2, d), 2, "publish: cursor 2");
	is_int(bus_publish(b, "acme", "findings", 3, d), 3, "publish: cursor 3");
	is_int(all.n, 3, "'*' takes every topic");
	is_int(all.lines_ok, 3, "with the notification lines");
	is_int(res.n, 1, "a topic subscriber takes its topic only");
	is_int(acme.n, 2, "a repository subscriber takes its repository only");
	is_int(once.n, 1, "a subscriber may unsubscribe itself while receiving");
	is_int(bus_nsubs(b), 3, "three subscriptions left");
	struct seen late = { 0 };
	struct bus_sub *s = bus_subscribe(b, "acme", t_all, 1, count, &late);
	bus_replay(b, s, 1);
	is_int(late.n, 1, "replay after cursor 1: what it missed, filtered");
	is_int(late.last, 3, "replay delivers cursor 3");
	is_int(late.lines_ok, 1, "with its line read back from the file");
	bus_unsubscribe(b, s);
	json_decref(d);
	bus_free(b);
	journal_close(j);
	unlink(path);
	rm_checkpoints();
}

/* The reference: the linear replay from the first entry that as_of and
 * start-up did before checkpoints. Returns 1 and fills t, or 0. */
static int
linear(struct journal *j, const char *repo, const struct checkpoint_query *q, struct repo *t)
{
	int found = q->when != CHECKPOINT_COMMIT, points = 0;
	t->results = json_object();
	for (size_t i = 0; i < journal_count(j); i++) {
		struct journal_entry e;
		journal_entry_at(j, i, &e);
		if (strcmp(e.repo, repo) != 0)
			continue;
		if (q->when == CHECKPOINT_TIME && e.time > q->time)
			break;
		int res = strcmp(e.topic, "results") == 0, com = strcmp(e.topic, "commits") == 0;
		if (!res && !com)
			continue;
		points++;
		json_t *data = journal_data_at(j, i);
		const char *c = json_string_value(json_object_get(data, "commit"));
		if (res) {
			repo_apply(t, data);
		} else {
			if (c)
				snprintf(t->commit, sizeof(t->commit), "%s", c);
			t->commit_time = json_integer_value(json_object_get(data, "commit_time"));
			t->evaluated_at = e.time;
		}
		int hit = com && q->when == CHECKPOINT_COMMIT && c &&
		          strncmp(c, q->commit, strlen(q->commit)) == 0;
		json_decref(data);
		if (hit) {
			found = 1;
			break;
		}
	}
	return found && points > 0;
}

static void
state_clear(struct repo *t)
{
	json_decref(t->results);
	free(t->organisation);
	memset(t, 0, sizeof(*t));
}

/* Whether the rebuilt state equals the linear one, serialised. */
static int
same_state(struct checkpoints *cp, struct journal *j, const char *repo,
           const struct checkpoint_query *q, size_t *applied)
{
	struct repo a = { 0 }, b = { 0 };
	struct checkpoint_stats s0, s1;
	checkpoint_stats(cp, &s0);
	int ra = checkpoint_state(cp, repo, q, &a);
	checkpoint_stats(cp, &s1);
	if (applied && s1.applied - s0.applied > *applied)
		*applied = s1.applied - s0.applied;
	int rb = linear(j, repo, q, &b);
	int same = ra == rb;
	if (same && ra == 1) {
		char *x = json_dumps(a.results, JSON_COMPACT | JSON_PRESERVE_ORDER);
		char *y = json_dumps(b.results, JSON_COMPACT | JSON_PRESERVE_ORDER);
		same = strcmp(x, y) == 0 && strcmp(a.commit, b.commit) == 0 &&
		       a.commit_time == b.commit_time && a.evaluated_at == b.evaluated_at &&
		       ((a.organisation == NULL && b.organisation == NULL) ||
		        (a.organisation && b.organisation &&
		         strcmp(a.organisation, b.organisation) == 0));
		free(x);
		free(y);
	}
	if (!same)
		printf("# %s differs: when %d time %lld commit %s: got %d, linear %d\n", repo,
		       q->when, (long long)q->time, q->when == CHECKPOINT_COMMIT ? q->commit : "-",
		       ra, rb);
	if (ra == 1)
		state_clear(&a);
	state_clear(&b);
	return same;
}

static uint32_t rnd_state = 12345;

static uint32_t
rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) & 0xffffff;
}

static json_t *
verdict(int id, int gen)
{
	static const char *const st[] = { "pass", "fail", "warn", "not_applicable" };
	char name[32];
	snprintf(name, sizeof(name), "rule-%03d", id);
	return json_pack("{s:s, s:s, s:s, s:[{s:s, s:i}], s:[s]}", "id", name, "status",
	                 st[(id + gen) % 4], "clause", id % 2 ? "6.1.2" : "9.2", "findings",
	                 "message", "a finding", "line", gen, "reads", "isms.yaml");
}

/* The commits published, oldest first, for as_of by commit. */
static char commits[1400][41];
static int ncommits;
static int64_t times[3000];
static int ntimes;

/* Publish a long history of two repositories through the bus, shaped as
 * the daemon's: a full first evaluation, then per commit the changed and
 * removed verdicts, findings, and the commit; now and then a commit with
 * nothing changed, a re-evaluation without a commit, and the clock set
 * back once. */
static void
publish_history(struct bus *b, int ncommit)
{
	int64_t now = 1750000000;
	int gen = 0;
	for (int c = 0; c < ncommit; c++) {
		const char *repo = c % 5 == 4 ? "zeta" : "acme";
		char id[41];
		for (int k = 0; k < 40; k++)
			id[k] = "0123456789abcdef"[rnd() % 16];
		id[40] = '\0';
		if (c == 300)
			now -= 7200; /* the clock went back */
		now += 60 + (int64_t)(rnd() % 600);
		times[ntimes++] = now;
		json_t *changed = json_array(), *removed = json_array();
		int full = c < 2;
		int n = full ? 40 : (c % 7 == 3 ? 0 : 1 + (int)(rnd() % 3));
		gen++;
		for (int k = 0; k < n; k++)
			json_array_append_new(changed, verdict(full ? k : (int)(rnd() % 45), gen));
		if (c % 11 == 5)
			json_array_append_new(removed, json_string("rule-007"));
		if (c % 13 == 6)
			json_array_append_new(removed, json_string("no-such-rule"));
		char at[21];
		date_format_utc(now, at);
		if (n || full || json_array_size(removed)) {
			json_t *d =
			        json_pack("{s:s, s:I, s:s, s:s, s:b, s:o, s:o}", "commit", id,
			                  "commit_time", (json_int_t)(now - 30), "evaluated_at", at,
			                  "organisation", c < 200 ? "Fernwerk" : "Fernwerk GmbH",
			                  "full", full, "changed", changed, "removed", removed);
			bus_publish(b, repo, "results", now, d);
			json_decref(d);
			json_t *f = json_pack("{s:s, s:s}", "rule", "rule-001", "commit", id);
			bus_publish(b, repo, "findings", now, f);
			json_decref(f);
		} else {
			json_decref(changed);
			json_decref(removed);
		}
		if (c % 9 == 8)
			continue; /* re-evaluated after a valid_until: no commit entry */
		json_t *m = json_pack("{s:s, s:I, s:s, s:i}", "commit", id, "commit_time",
		                      (json_int_t)(now - 30), "evaluated_at", at, "changed", n);
		bus_publish(b, repo, "commits", now, m);
		json_decref(m);
		if (strcmp(repo, "acme") == 0)
			memcpy(commits[ncommits++], id, 41);
		if (c % 50 == 10) {
			/* A status far in the future ends an as_of by date early. */
			json_t *s = json_object();
			bus_publish(b, repo, "status", now + (c == 110 ? 999999 : 0), s);
			json_decref(s);
		}
	}
}

/* as_of at many commits and instants, and the latest state, equal the
 * linear replay; *applied is the most entries one rebuild applied. */
static int
all_same(struct checkpoints *cp, struct journal *j, size_t *applied)
{
	int same = 1;
	struct checkpoint_query q = { CHECKPOINT_LATEST, 0, NULL };
	same &= same_state(cp, j, "acme", &q, applied);
	same &= same_state(cp, j, "zeta", &q, applied);
	same &= same_state(cp, j, "nobody", &q, applied);
	q.when = CHECKPOINT_COMMIT;
	char pre[41];
	for (int i = 0; i < ncommits; i += 23) {
		size_t len = 4 + (size_t)i % 37;
		memcpy(pre, commits[i], len);
		pre[len] = '\0';
		q.commit = pre;
		same &= same_state(cp, j, "acme", &q, applied);
	}
	q.commit = commits[ncommits - 1];
	same &= same_state(cp, j, "acme", &q, applied);
	q.commit = "0000000000000000000000000000000000000000";
	same &= same_state(cp, j, "acme", &q, applied);
	q.commit = "zzzz";
	same &= same_state(cp, j, "acme", &q, applied);
	q.when = CHECKPOINT_TIME;
	for (int i = 0; i < ntimes; i += 19) {
		for (int64_t dt = -1; dt <= 1; dt++) {
			q.time = times[i] + dt;
			same &= same_state(cp, j, i % 2 ? "acme" : "zeta", &q, applied);
		}
	}
	q.time = 0;
	same &= same_state(cp, j, "acme", &q, applied);
	q.time = INT64_MAX;
	same &= same_state(cp, j, "acme", &q, applied);
	return same;
}

static int
n_checkpoints(void)
{
	DIR *d = opendir(ckdir);
	struct dirent *de;
	int n = 0;
	while (d && (de = readdir(d)) != NULL)
		n += strstr(de->d_name, ".ckpt") != NULL && strstr(de->d_name, ".tmp") == NULL;
	if (d)
		closedir(d);
	return n;
}

/* The nth checkpoint file's path (sorted by name), the caller's. */
static char *
checkpoint_file(int nth)
{
	struct dirent **v;
	int n = scandir(ckdir, &v, NULL, alphasort), k = 0;
	char *p = NULL;
	for (int i = 0; i < n; i++) {
		if (p == NULL && strstr(v[i]->d_name, ".ckpt") && k++ == nth)
			p = xasprintf("%s/%s", ckdir, v[i]->d_name);
		free(v[i]);
	}
	free(v);
	return p;
}

static void
flip_byte(const char *p, size_t at)
{
	int fd = open(p, O_RDWR);
	char c = 0;
	if (fd >= 0 && pread(fd, &c, 1, (off_t)at) == 1) {
		c ^= 0x20;
		ok(pwrite(fd, &c, 1, (off_t)at) == 1, "flip a byte of %s", p);
	}
	close(fd);
}

/* Rewrite the JSON length of checkpoint file p's header: plus delta, or
 * delta itself when it is past 2^30. */
static int
lie_about_length(const char *p, long long delta)
{
	char *buf;
	size_t len;
	unsigned long long jlen;
	int pre = 0;
	if (read_file(p, 1 << 30, &buf, &len) < 0)
		return -1;
	char *nl = memchr(buf, '\n', len);
	if (nl == NULL ||
	    sscanf(buf, "ismsd-checkpoint 3 %*s %*s %*s %*s %*s %*s %n%llu", &pre, &jlen) != 1) {
		free(buf);
		return -1;
	}
	jlen = delta > (1LL << 30) ? (unsigned long long)delta : jlen + (unsigned long long)delta;
	FILE *f = fopen(p, "w");
	int rc = f && fprintf(f, "%.*s%llu", pre, buf, jlen) > 0 &&
	                         fwrite(nl, 1, len - (size_t)(nl - buf), f) ==
	                                 len - (size_t)(nl - buf)
	                 ? 0
	                 : -1;
	if (f)
		fclose(f);
	free(buf);
	return rc;
}

static void
reopen(struct journal **j, struct bus **b)
{
	bus_free(*b);
	journal_close(*j);
	if (journal_open(path, j) < 0) {
		printf("Bail out! %s\n", err_msg());
		exit(1);
	}
	*b = bus_new(*j);
}

static void
test_checkpoints(void)
{
	struct journal *j;
	struct checkpoint_stats st;
	size_t applied = 0;
	unlink(path);
	rm_checkpoints();
	is_int(journal_open(path, &j), 0, "fresh journal for checkpoints");
	struct bus *b = bus_new(j);
	struct checkpoint_query latest = { CHECKPOINT_LATEST, 0, NULL };
	struct repo r = { 0 };
	is_int(checkpoint_state(bus_checkpoints(b), "acme", &latest, &r), 0,
	       "no history yet: no state");
	is_int(checkpoint_state(bus_checkpoints(b), "zeta", &latest, &r), 0, "none for zeta");
	publish_history(b, 650);
	checkpoint_stats(bus_checkpoints(b), &st);
	ok(st.written >= 6, "checkpoints were written while publishing (%zu)", st.written);
	is_int(st.applied, 0, "without reading the journal back (the latest state is kept)");
	is_int(n_checkpoints(), (int)st.written, "one file each");
	ok(all_same(bus_checkpoints(b), j, &applied), "as_of and the latest state equal the linear "
	                                              "replay while running");

	/* A restart: everything from the files. */
	reopen(&j, &b);
	applied = 0;
	ok(all_same(bus_checkpoints(b), j, &applied), "and after reopening");
	checkpoint_stats(bus_checkpoints(b), &st);
	ok(applied <= CHECKPOINT_ENTRIES, "one rebuild applies at most %d entries (%zu)",
	   CHECKPOINT_ENTRIES, applied);
	ok(st.loaded > 0 && st.rejected == 0 && st.written == 0,
	   "from checkpoints: %zu loaded, none rejected or rewritten", st.loaded);

	/* Compressed: the header's JSON length against the file's size. */
	char *first = checkpoint_file(0), *head = NULL;
	size_t hlen = 0;
	unsigned long long jlen = 0;
	int got = read_file(first, 1 << 30, &head, &hlen) == 0 &&
	          sscanf(head, "ismsd-checkpoint 3 %*s %*s %*s %*s %*s %*s %llu", &jlen) == 1;
	ok(got && jlen > 3 * hlen, "a checkpoint is stored compressed (%zu bytes for %llu of JSON)",
	   hlen, jlen);
	free(head);
	free(first);

	/* Damage: a flipped byte, a torn file, another cursor's file, one gone,
	 * a header with numbers beyond 64 bits, garbage. */
	char *p0 = checkpoint_file(0), *p1 = checkpoint_file(1), *p2 = checkpoint_file(2);
	char *p3 = checkpoint_file(3), *p4 = checkpoint_file(4), *p5 = checkpoint_file(5);
	flip_byte(p0, file_size(p0) / 2);
	ok(truncate(p1, (off_t)file_size(p1) - 10) == 0, "tear a checkpoint");
	char *buf;
	size_t len;
	ok(read_file(p3, 1 << 30, &buf, &len) == 0, "read a checkpoint");
	FILE *f = fopen(p2, "w");
	ok(f && fwrite(buf, 1, len, f) == len, "put another cursor's checkpoint in its place");
	fclose(f);
	free(buf);
	ok(unlink(p3) == 0, "remove a checkpoint");
	f = fopen(p4, "w");
	fputs("ismsd-checkpoint 3 99999999999999999999999 1 1 0 1 1 1\n{}", f);
	fclose(f);
	f = fopen(p5, "w");
	fputs("\x01\x02garbage", f);
	fclose(f);
	reopen(&j, &b);
	ok(all_same(bus_checkpoints(b), j, NULL), "damaged checkpoints: still the linear answers");
	checkpoint_stats(bus_checkpoints(b), &st);
	ok(st.rejected == 5, "the five damaged ones were rejected (%zu)", st.rejected);
	ok(st.written == 6, "and they and the missing one were written again (%zu)", st.written);
	reopen(&j, &b);
	applied = 0;
	ok(all_same(bus_checkpoints(b), j, &applied), "after that, the same answers");
	checkpoint_stats(bus_checkpoints(b), &st);
	ok(st.rejected == 0 && st.written == 0 && applied <= CHECKPOINT_ENTRIES,
	   "from good checkpoints again");
	free(p0);
	free(p1);
	free(p2);
	free(p3);
	free(p4);
	free(p5);

	/* A header whose JSON length is not what the body inflates to (one
	 * less, and one past the limit: a body that would inflate without
	 * bound), its checksum intact: refused, not trusted or inflated. */
	char *c0 = checkpoint_file(0), *c1 = checkpoint_file(1);
	ok(lie_about_length(c0, -1) == 0 && lie_about_length(c1, 1LL << 31) == 0,
	   "change two headers' JSON lengths");
	reopen(&j, &b);
	ok(all_same(bus_checkpoints(b), j, NULL), "lying lengths: still the linear answers");
	checkpoint_stats(bus_checkpoints(b), &st);
	ok(st.rejected == 2, "both refused (%zu)", st.rejected);
	free(c0);
	free(c1);

	/* Every checkpoint gone (as after an upgrade): rebuilt on the way. */
	rm_checkpoints();
	reopen(&j, &b);
	ok(all_same(bus_checkpoints(b), j, NULL), "no checkpoints: the linear answers");
	checkpoint_stats(bus_checkpoints(b), &st);
	ok(st.written >= 6 && n_checkpoints() == (int)st.written, "and all written again (%zu)",
	   st.written);

	/* A journal from elsewhere under old checkpoints: none is taken. */
	bus_free(b);
	journal_close(j);
	unlink(path);
	is_int(journal_open(path, &j), 0, "a new journal beside the old checkpoints");
	b = bus_new(j);
	rnd_state = 777;
	ncommits = ntimes = 0;
	publish_history(b, 200);
	reopen(&j, &b);
	ok(all_same(bus_checkpoints(b), j, NULL), "its answers are its own");
	bus_free(b);
	journal_close(j);
	unlink(path);
	rm_checkpoints();
}

static int
by_cursor(const void *a, const void *b)
{
	unsigned long long x = strtoull(*(char *const *)a, NULL, 10);
	unsigned long long y = strtoull(*(char *const *)b, NULL, 10);
	return x < y ? -1 : x > y;
}

/* The nth checkpoint file's path in cursor order, the caller's. */
static char *
checkpoint_nth(int nth)
{
	DIR *d = opendir(ckdir);
	struct dirent *de;
	char **v = NULL, *p = NULL;
	int n = 0;
	while (d && (de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".ckpt") && !strstr(de->d_name, ".tmp")) {
			v = xreallocarray(v, (size_t)n + 1, sizeof(*v));
			v[n++] = xstrdup(de->d_name);
		}
	if (d)
		closedir(d);
	qsort(v, (size_t)n, sizeof(*v), by_cursor);
	for (int i = 0; i < n; i++) {
		if (i == nth)
			p = xasprintf("%s/%s", ckdir, v[i]);
		free(v[i]);
	}
	free(v);
	return p;
}

/* Whether checkpoint file p holds a difference: 1, 0 for a full one, -1
 * when its header cannot be read. */
static int
is_difference(const char *p)
{
	char *buf;
	size_t len;
	unsigned long long base;
	if (p == NULL || read_file(p, 1 << 30, &buf, &len) < 0)
		return -1;
	int rc = sscanf(buf, "ismsd-checkpoint 3 %*s %*s %*s %llu", &base) == 1 ? base != 0 : -1;
	free(buf);
	return rc;
}

/* Differential checkpoints: a full one every K, the others against the
 * one before; smaller on disk; a chain with a corrupt link falls back to
 * the journal from the link before it, and the state loaded always equals
 * the linear replay. */
static void
test_chain(void)
{
	struct journal *j = NULL;
	struct bus *b = NULL;
	struct checkpoint_stats st;
	size_t bytes[2] = { 0, 0 }, nck = 0;
	for (int pass = 0; pass < 2; pass++) {
		if (b) {
			bus_free(b);
			journal_close(j);
		}
		unlink(path);
		rm_checkpoints();
		if (journal_open(path, &j) < 0) {
			printf("Bail out! %s\n", err_msg());
			exit(1);
		}
		b = bus_new(j);
		checkpoint_set_full_every(bus_checkpoints(b), pass ? 4 : 1);
		rnd_state = 4242;
		ncommits = ntimes = 0;
		publish_history(b, 1300);
		checkpoint_stats(bus_checkpoints(b), &st);
		bytes[pass] = st.bytes;
		nck = st.written;
		ok(all_same(bus_checkpoints(b), j, NULL), "%s: as_of equals the linear replay",
		   pass ? "a full checkpoint every 4" : "every checkpoint full");
	}
	ok(bytes[1] < bytes[0], "differences take less room: %zu bytes against %zu full",
	   bytes[1], bytes[0]);
	/* Two repositories' checkpoints, each's every 4th full. */
	size_t nfull = 0;
	int kind[64];
	for (size_t i = 0; i < nck && i < 64; i++) {
		char *p = checkpoint_nth((int)i);
		kind[i] = is_difference(p);
		nfull += kind[i] == 0;
		free(p);
	}
	ok(nck >= 12 && nck < 64 && nfull >= 2 && nfull <= nck / 4 + 2,
	   "%zu of %zu checkpoints are full, the others differences", nfull, nck);
	/* A difference, a full one after it, and a difference after that. */
	int a = 4, fu, d;
	while (a < (int)nck && kind[a] != 1)
		a++;
	for (fu = a + 1; fu < (int)nck && kind[fu] != 0; fu++)
		;
	for (d = fu + 1; d < (int)nck && kind[d] != 1; d++)
		;
	ok(d < (int)nck, "a difference (%d), a full one (%d) and a difference (%d)", a, fu, d);

	/* A corrupt difference in the middle of a chain. */
	char *d5 = checkpoint_nth(a), *f8 = checkpoint_nth(fu), *d9 = checkpoint_nth(d);
	flip_byte(d5, file_size(d5) / 2);
	reopen(&j, &b);
	checkpoint_set_full_every(bus_checkpoints(b), 4);
	size_t applied = 0;
	ok(all_same(bus_checkpoints(b), j, &applied), "a corrupt link: still the linear answers");
	checkpoint_stats(bus_checkpoints(b), &st);
	ok(st.rejected == 1 && st.written == 1, "it was refused and written again (%zu, %zu)",
	   st.rejected, st.written);
	ok(is_difference(d5) == 1, "as a difference");
	reopen(&j, &b);
	checkpoint_set_full_every(bus_checkpoints(b), 4);
	ok(all_same(bus_checkpoints(b), j, NULL), "then the chain is whole again");
	checkpoint_stats(bus_checkpoints(b), &st);
	ok(st.rejected == 0 && st.written == 0, "nothing refused (%zu)", st.rejected);

	/* A torn full one and the difference after it: the previous chain
	 * and the journal carry the states across. */
	ok(truncate(f8, (off_t)file_size(f8) - 7) == 0, "tear a full checkpoint");
	flip_byte(d9, file_size(d9) - 3);
	reopen(&j, &b);
	checkpoint_set_full_every(bus_checkpoints(b), 4);
	ok(all_same(bus_checkpoints(b), j, NULL), "a torn full one: still the linear answers");
	checkpoint_stats(bus_checkpoints(b), &st);
	ok(st.rejected == 2 && st.written == 2, "both refused and written again (%zu, %zu)",
	   st.rejected, st.written);
	ok(is_difference(f8) == 0 && is_difference(d9) == 1, "each as what it was");

	/* Another link's file in a link's place: its base is not the one
	 * before, so it is refused. */
	char *d6 = checkpoint_nth(a + 1), *buf;
	size_t len;
	ok(read_file(d6, 1 << 30, &buf, &len) == 0, "read a difference");
	FILE *f = fopen(d5, "w");
	ok(f && fwrite(buf, 1, len, f) == len, "put it in the place of the one before");
	fclose(f);
	free(buf);
	reopen(&j, &b);
	checkpoint_set_full_every(bus_checkpoints(b), 4);
	ok(all_same(bus_checkpoints(b), j, NULL), "a link out of place: still the linear answers");
	free(d5);
	free(d6);
	free(f8);
	free(d9);
	bus_free(b);
	journal_close(j);
	unlink(path);
	rm_checkpoints();
}

/* A state directory where checkpoints cannot be written: the answers
 * stay right and the failure says what to check. */
static void
test_unwritable(void)
{
	struct journal *j;
	struct journal_entry e;
	unlink(path);
	is_int(journal_open(path, &j), 0, "a journal whose checkpoints cannot be written");
	FILE *f = fopen(ckdir, "w"); /* a file where the directory belongs */
	fclose(f);
	struct checkpoints *cp = checkpoint_open(j, ckdir);
	int failed = 0;
	for (int i = 0; i < CHECKPOINT_RESULTS; i++) {
		json_t *d = json_pack("{s:s, s:b, s:[{s:s, s:i}], s:[]}", "commit", "abcd", "full",
		                      i == 0, "changed", "id", "r", "status", i, "removed");
		journal_append(j, "acme", "results", 1700000000 + i, d, &e);
		free(e.line);
		failed += checkpoint_note(cp, d) < 0;
		json_decref(d);
	}
	failed += checkpoint_flush(cp) < 0; /* written on the writer thread */
	is_int(failed, 1, "the due checkpoint fails");
	like(err_msg(), "free space", "and the message says what to check");
	struct checkpoint_query q = { CHECKPOINT_TIME, 1700000010, NULL };
	struct repo t = { 0 };
	is_int(checkpoint_state(cp, "acme", &q, &t), 1, "as_of still answers");
	is_int(json_integer_value(json_object_get(json_object_get(t.results, "r"), "status")), 10,
	       "from the journal");
	state_clear(&t);
	checkpoint_close(cp);
	journal_close(j);
	unlink(ckdir);
	unlink(path);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
	snprintf(ckdir, sizeof(ckdir), "%s/checkpoints", dir);
	test_append_reopen();
	test_torn();
	test_index();
	test_bus();
	test_checkpoints();
	test_chain();
	test_unwritable();
	struct journal *j;
	ok(journal_open("/nonexistent-dir/j", &j) < 0, "an unopenable path fails");
	like(err_msg(), "/nonexistent-dir/j", "and names it");
	unlink(path);
	rmdir(dir);
	date_shutdown();
	return done_testing();
}
