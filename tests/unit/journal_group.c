/* journal_group.c - one evaluation's notifications are all or nothing:
 * the journal is cut at every byte of a history holding single lines and
 * groups, and each cut must open as the whole lines and whole groups
 * before it, with the file cut back to match and the next append taking
 * the next cursor. Then the bus: held publications reach nobody until
 * released, and arrive in order with consecutive cursors. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "journal.h"
#include "tap.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "utf8.h"
#include "sys.h"

static char dir[] = "/tmp/isms-jgroup-XXXXXX";
static char path[256];

static size_t
file_size(void)
{
	struct stat st;
	return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

static json_t *
payload(int i)
{
	return json_pack("{s:i, s:s}", "n", i, "text", "line\nwith \"quotes\" and é");
}

/* Where each unit of the history ends (a single line, or a whole group),
 * and how many entries it holds up to there. */
struct unit_end {
	size_t off, entries;
};

static size_t
write_history(struct unit_end *ends)
{
	struct journal *j;
	size_t nends = 0, entries = 0;
	ok(journal_open(path, &j) == 0, "open an empty journal");
	static const size_t groups[] = { 1, 3, 1, 2, 4, 1 };
	int k = 0;
	for (size_t g = 0; g < NELEM(groups); g++) {
		struct journal_item it[4];
		struct journal_entry e[4];
		json_t *data[4];
		for (size_t i = 0; i < groups[g]; i++) {
			data[i] = payload(k++);
			it[i] = (struct journal_item){ "isms", i + 1 == groups[g] ? "commits" : "results",
				                       1700000000 + k, data[i] };
		}
		ok(journal_append_group(j, it, groups[g], e) == 0, "append a group of %zu",
		   groups[g]);
		for (size_t i = 0; i < groups[g]; i++) {
			if (i + 1 < groups[g])
				like(e[i].line, "\"more\":", "line %zu of %zu says more follow", i + 1,
				     groups[g]);
			else
				ok(strstr(e[i].line, "\"more\"") == NULL, "the last line has no more");
			free(e[i].line);
			json_decref(data[i]);
		}
		entries += groups[g];
		ends[nends++] = (struct unit_end){ file_size(), entries };
	}
	journal_close(j);
	return nends;
}

static char *
slurp(size_t *len)
{
	char *s = NULL;
	ok(read_file(path, 1 << 20, &s, len) == 0, "read the journal back");
	return s;
}

/* The journal as if a crash had stopped its writing after n bytes. */
static int
write_prefix(const char *all, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int rc = fd >= 0 ? write_all(fd, all, n) : -1;
	if (fd >= 0)
		close(fd);
	return rc;
}

static void
test_every_cut(void)
{
	struct unit_end ends[16];
	size_t nends = write_history(ends), len;
	char *all = slurp(&len);
	is_int(len, ends[nends - 1].off, "the journal is the history written");
	int bad = 0;
	for (size_t cut = 0; cut <= len; cut++) {
		struct unit_end want = { 0, 0 };
		for (size_t u = 0; u < nends && ends[u].off <= cut; u++)
			want = ends[u];
		struct journal *j;
		if (write_prefix(all, cut) < 0 || journal_open(path, &j) < 0) {
			printf("# cut at %zu: %s\n", cut, err_msg());
			bad++;
			continue;
		}
		int good = journal_count(j) == want.entries && journal_last(j) == want.entries &&
		           file_size() == want.off;
		/* The next append continues the history after the cut. */
		struct journal_entry e;
		json_t *d = payload(99);
		good = good && journal_append(j, "isms", "status", 1800000000, d, &e) == 0 &&
		       e.seq == want.entries + 1;
		if (good)
			free(e.line);
		json_decref(d);
		journal_close(j);
		if (good && (journal_open(path, &j) < 0 || journal_count(j) != want.entries + 1))
			good = 0;
		else if (good)
			journal_close(j);
		if (!good) {
			printf("# cut at byte %zu of %zu: want %zu entries ending at %zu\n", cut, len,
			       want.entries, want.off);
			bad++;
		}
	}
	is_int(bad, 0, "every cut of %zu bytes opens as the whole groups before it", len);
	free(all);
}

static int delivered;
static uint64_t seen[8];

static void
on_note(void *arg, const struct journal_entry *e)
{
	if (delivered < 8)
		seen[delivered] = e->seq;
	delivered++;
}

static void
test_bus_hold(void)
{
	unlink(path);
	struct journal *j;
	ok(journal_open(path, &j) == 0, "open a journal for the bus");
	struct bus *b = bus_new(j);
	const char *all[] = { "*" };
	bus_subscribe(b, NULL, all, 1, on_note, NULL);
	json_t *d = payload(1);
	bus_hold(b);
	uint64_t c1 = bus_publish(b, "isms", "results", 1700000000, d);
	uint64_t c2 = bus_publish(b, "isms", "findings", 1700000000, d);
	uint64_t c3 = bus_publish(b, "isms", "commits", 1700000000, d);
	is_int(delivered, 0, "held notifications reach nobody before the release");
	is_int(journal_count(j), 0, "nor the journal");
	ok(c1 == 1 && c2 == 2 && c3 == 3, "held notifications get the cursors they will have");
	ok(bus_release(b) == 0, "release the group");
	is_int(delivered, 3, "the group is delivered on release");
	ok(seen[0] == 1 && seen[1] == 2 && seen[2] == 3, "in order, with consecutive cursors");
	ok(bus_release(b) == 0, "releasing nothing is harmless");
	ok(bus_publish(b, "isms", "status", 1700000000, d) == 4, "after a release, publish at once");
	is_int(delivered, 4, "and deliver at once");
	json_decref(d);
	bus_free(b);
	journal_close(j);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/journal", dir);
	test_every_cut();
	test_bus_hold();
	char *cmd = xasprintf("rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
	free(cmd);
	return done_testing();
}
