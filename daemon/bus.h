/* bus.h - the event bus: publishers (evaluation, repository health, the
 * scheduler, plugins) publish a topic's payload for a repository; the bus
 * writes it to the journal, which gives it its cursor, and hands the
 * notification line to every subscriber of that topic and repository.
 * Since every notification passes through it, the bus also keeps the
 * checkpoints of the published state current (checkpoint.h).
 * Single-threaded: call from the event loop only. */
#ifndef ISMS_BUS_H
#define ISMS_BUS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "checkpoint.h"
#include "journal.h"

struct bus;
struct bus_sub;

/* Receives one notification: e is borrowed, valid during the call, and
 * has its line. A subscriber may unsubscribe itself (or others) from
 * inside the call. */
typedef void (*bus_fn)(void *arg, const struct journal_entry *e);

/* A bus over journal j (borrowed), with its checkpoints in the directory
 * checkpoints/ beside the journal file. The caller's (bus_free). */
struct bus *bus_new(struct journal *j);
void bus_free(struct bus *b);
/* Publish data (borrowed) on topic for repo: journal it, then deliver it.
 * Returns the cursor, or 0 with err_msg() when the journal write failed
 * (nothing is delivered then). now is the daemon's clock. */
uint64_t bus_publish(struct bus *b, const char *repo, const char *topic, int64_t now, json_t *data);
/* Publish what follows as one group, all or nothing: from bus_hold,
 * bus_publish only queues (returning the cursor the notification will
 * get), and bus_release journals the queue with one write and one fsync,
 * then delivers it. A crash before the group is whole on disk leaves none
 * of it (journal_append_group). bus_release returns 0, or -1 with
 * err_msg() when the journal refused the group (nothing delivered). */
void bus_hold(struct bus *b);
int bus_release(struct bus *b);
/* Subscribe fn to topics (n names, copied) of repo (NULL: every
 * repository). Returns a handle, the bus's, until bus_unsubscribe. */
struct bus_sub *bus_subscribe(struct bus *b, const char *repo, const char *const *topics, size_t n,
                              bus_fn fn, void *arg);
/* Deliver to s every journaled notification it matches after cursor,
 * oldest first: what a reconnecting subscriber missed, read back from the
 * journal file. Stops early when s is unsubscribed meanwhile, or when the
 * journal cannot be read (logged). */
void bus_replay(struct bus *b, struct bus_sub *s, uint64_t cursor);
void bus_unsubscribe(struct bus *b, struct bus_sub *s);
/* Whether s takes topic: the topics it named, or "*". */
int bus_sub_wants(const struct bus_sub *s, const char *repo, const char *topic);
/* The journal (borrowed). */
struct journal *bus_journal(struct bus *b);
/* The checkpoints of the published state (borrowed). */
struct checkpoints *bus_checkpoints(struct bus *b);
size_t bus_nsubs(const struct bus *b);

#endif
