/* journal.h - the history journal: every notification the daemon sends,
 * one JSON-RPC line each, appended and fsync'd before anyone sees it.
 * A notification's cursor is its sequence number here. */
#ifndef ISMS_JOURNAL_H
#define ISMS_JOURNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct journal_entry {
	uint64_t seq; /* the cursor, from 1 */
	char *repo;   /* repository name */
	char *topic;  /* results, findings, commits, status, ... */
	int64_t time; /* when it was published (daemon clock) */
	char *line;   /* the notification, '\n'-terminated */
	size_t len;
};

struct journal;

/* Open (creating) the journal at path and read it back. A torn last line
 * (a crash mid-write) is cut off. *out is the caller's (journal_close).
 * Returns 0, or -1 with err_msg(). */
int journal_open(const char *path, struct journal **out);
void journal_close(struct journal *j);
/* Append the notification {"jsonrpc":"2.0","method":topic,"params":{
 * "cursor":N,"repo":repo,"topic":topic,"time":T,"data":data}}, write it
 * and fsync. data is borrowed. Returns the entry (borrowed, valid until
 * journal_close), or NULL with err_msg() when the disk refused it. */
const struct journal_entry *journal_append(struct journal *j, const char *repo, const char *topic,
                                           int64_t time, json_t *data);
/* The entries, oldest first (borrowed). */
size_t journal_entries(const struct journal *j, const struct journal_entry **v);
/* The index of the first entry after cursor. */
size_t journal_after(const struct journal *j, uint64_t cursor);
/* The last cursor handed out (0: none). */
uint64_t journal_last(const struct journal *j);
/* The params.data object of an entry, parsed; the caller's. */
json_t *journal_data(const struct journal_entry *e);

#endif
