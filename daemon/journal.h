/* journal.h - the history journal: every notification the daemon sends,
 * one JSON-RPC line each, appended and fsync'd before anyone sees it.
 * A notification's cursor is its sequence number here.
 *
 * In memory the journal keeps a compact index of its entries (cursor,
 * repository, topic, time, where the line lies in the file), never the
 * lines: those are read back from the file when someone needs them, so
 * memory does not grow with years of history. */
#ifndef ISMS_JOURNAL_H
#define ISMS_JOURNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* One entry. repo and topic are the journal's (valid until
 * journal_close). line is set only by journal_read and journal_append,
 * and is then the caller's to free. */
struct journal_entry {
	uint64_t seq;      /* the cursor, from 1 */
	const char *repo;  /* repository name */
	const char *topic; /* results, findings, commits, status, ... */
	int64_t time;      /* when it was published (daemon clock) */
	char *line;        /* the notification, '\n'-terminated, or NULL */
	size_t len;        /* the line's length, newline included */
};

struct journal;

/* Open (creating) the journal at path and index it. A torn last line (a
 * crash mid-write), and the lines of a group it leaves unfinished, are
 * cut off. *out is the caller's (journal_close).
 * Returns 0, or -1 with err_msg(). */
int journal_open(const char *path, struct journal **out);
void journal_close(struct journal *j);
/* Append the notification {"jsonrpc":"2.0","method":topic,"params":{
 * "cursor":N,"repo":repo,"topic":topic,"time":T,"data":data}}, write it
 * and fsync. data is borrowed. Fills *out with the new entry and its line
 * (out->line is the caller's). Returns 0, or -1 with err_msg() when the
 * disk refused it. */
int journal_append(struct journal *j, const char *repo, const char *topic, int64_t time,
                   json_t *data, struct journal_entry *out);
/* One notification of a group (journal_append_group); all borrowed. */
struct journal_item {
	const char *repo, *topic;
	int64_t time;
	json_t *data;
};
/* Append n notifications as one group, written with one write and one
 * fsync: each line but the last carries "more":K, the lines of the group
 * that follow it, so that opening a journal whose last group a crash cut
 * short drops that group whole (it was never delivered). Fills out[0..n)
 * as journal_append does. Returns 0, or -1 with err_msg() and nothing
 * written. */
int journal_append_group(struct journal *j, const struct journal_item *items, size_t n,
                         struct journal_entry *out);
/* How many entries there are; entry i is the i-th oldest. */
size_t journal_count(const struct journal *j);
/* The index of the first entry after cursor (journal_count: none). */
size_t journal_after(const struct journal *j, uint64_t cursor);
/* Entry i (below journal_count) from the index: e->line is NULL. */
void journal_entry_at(const struct journal *j, size_t i, struct journal_entry *e);
/* Entry i with its line read back from the file; e->line is the
 * caller's. Returns 0, or -1 with err_msg(). */
int journal_read(const struct journal *j, size_t i, struct journal_entry *e);
/* The params.data object of an entry that has its line, parsed; the
 * caller's. NULL when the line is not JSON. */
json_t *journal_data(const struct journal_entry *e);
/* The params.data object of entry i, read back and parsed; the caller's.
 * NULL with err_msg() when it cannot be read or is not JSON. */
json_t *journal_data_at(const struct journal *j, size_t i);
/* The last cursor handed out (0: none). */
uint64_t journal_last(const struct journal *j);
/* The journal file's path (borrowed). */
const char *journal_path(const struct journal *j);

#endif
