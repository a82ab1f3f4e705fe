/* journal.c - the history journal and the bus over it: cursors, fsync'd
 * appends, replay after a torn write, garbage, subscribers. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "date.h"
#include "journal.h"
#include "tap.h"
#include "util.h"

static char dir[] = "/tmp/isms-journal-XXXXXX";
static char path[256];

static void
append_raw(const char *s)
{
	int fd = open(path, O_WRONLY | O_APPEND);
	ok(fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s), "append raw bytes");
	close(fd);
}

static size_t
file_size(void)
{
	char *d;
	size_t n = 0;
	if (read_file(path, 1 << 20, &d, &n) == 0)
		free(d);
	return n;
}

static void
test_append_reopen(void)
{
	struct journal *j;
	const struct journal_entry *v;
	is_int(journal_open(path, &j), 0, "open a new journal");
	is_int(journal_last(j), 0, "empty: cursor 0");
	json_t *d = json_pack("{s:s}", "commit", "abc");
	const struct journal_entry *e = journal_append(j, "acme", "results", 1700000000, d);
	ok(e && e->seq == 1, "first entry has cursor 1");
	like(e->line, "\"cursor\":1", "the line carries its cursor");
	like(e->line, "\"method\":\"results\"", "the line is a notification");
	is_int(e->line[e->len - 1], '\n', "the line ends with a newline");
	e = journal_append(j, "other", "commits", 1700000100, d);
	ok(e && e->seq == 2, "second entry has cursor 2");
	json_decref(d);
	journal_close(j);

	is_int(journal_open(path, &j), 0, "reopen");
	is_int(journal_entries(j, &v), 2, "both entries read back");
	is_str(v[1].repo, "other", "repository kept");
	is_str(v[1].topic, "commits", "topic kept");
	is_int(v[1].time, 1700000100, "time kept");
	json_t *back = journal_data(&v[0]);
	is_str(json_string_value(json_object_get(back, "commit")), "abc", "data kept");
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
	size_t good = file_size();
	append_raw("{\"jsonrpc\":\"2.0\",\"method\":\"results\",\"params\":{\"cur");
	is_int(journal_open(path, &j), 0, "open a journal with a torn last line");
	is_int(journal_last(j), 2, "the torn entry is not counted");
	is_int(file_size(), good, "and is cut off the file");
	json_t *d = json_object();
	ok(journal_append(j, "acme", "status", 1700000200, d) != NULL, "append after repair");
	is_int(journal_last(j), 3, "cursors continue");
	json_decref(d);
	journal_close(j);

	/* Garbage and a cursor that goes backwards end the readable part. */
	append_raw("{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"cursor\":2,"
	           "\"repo\":\"a\",\"topic\":\"x\",\"time\":\"2024-01-01T00:00:00Z\"}}\n");
	append_raw("\x01\x02 garbage\n");
	is_int(journal_open(path, &j), 0, "open with a stale cursor and garbage");
	is_int(journal_last(j), 3, "nothing after the last good entry is taken");
	journal_close(j);
}

struct seen {
	int n;
	uint64_t last;
	struct bus *b;
	struct bus_sub *self;
};

static void
count(void *arg, const struct journal_entry *e)
{
	struct seen *s = arg;
	s->n++;
	s->last = e->seq;
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
	struct seen all = {0}, res = {0}, acme = {0}, once = {0};
	const char *t_all[] = {"*"}, *t_res[] = {"results"};
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
	is_int(res.n, 1, "a topic subscriber takes its topic only");
	is_int(acme.n, 2, "a repository subscriber takes its repository only");
	is_int(once.n, 1, "a subscriber may unsubscribe itself while receiving");
	is_int(bus_nsubs(b), 3, "three subscriptions left");
	struct seen late = {0};
	struct bus_sub *s = bus_subscribe(b, "acme", t_all, 1, count, &late);
	bus_replay(b, s, 1);
	is_int(late.n, 1, "replay after cursor 1: what it missed, filtered");
	is_int(late.last, 3, "replay delivers cursor 3");
	bus_unsubscribe(b, s);
	json_decref(d);
	bus_free(b);
	journal_close(j);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
	test_append_reopen();
	test_torn();
	test_bus();
	struct journal *j;
	ok(journal_open("/nonexistent-dir/j", &j) < 0, "an unopenable path fails");
	like(err_msg(), "/nonexistent-dir/j", "and names it");
	unlink(path);
	rmdir(dir);
	date_shutdown();
	return done_testing();
}
