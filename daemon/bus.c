/* bus.c - publish and subscribe over the journal. Subscribers are kept in
 * a list; one serialised line is shared by all of them. */
#include "bus.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "alloc.h"
#include "err.h"

struct bus_sub {
	char *repo; /* NULL: every repository */
	char **topics;
	size_t ntopics;
	bus_fn fn;
	void *arg;
	int dead; /* unsubscribed during a delivery */
	struct bus_sub *next, *prev;
};

struct bus {
	struct journal *j;
	struct checkpoints *cp;
	struct bus_sub *subs;
	size_t nsubs;
	int delivering; /* nesting depth of deliveries */
	size_t ndead;   /* marked dead, not yet freed */
	int holding;    /* bus_hold: publications wait for bus_release */
	struct journal_item *held;
	size_t nheld, capheld;
};

struct bus *
bus_new(struct journal *j)
{
	struct bus *b = xcalloc(1, sizeof(*b));
	const char *path = journal_path(j), *slash = strrchr(path, '/');
	char *dir = slash ? xasprintf("%.*s/checkpoints", (int)(slash - path), path)
	                  : xstrdup("checkpoints");
	b->j = j;
	b->cp = checkpoint_open(j, dir);
	free(dir);
	return b;
}

static void
sub_free(struct bus_sub *s)
{
	for (size_t i = 0; i < s->ntopics; i++)
		free(s->topics[i]);
	free(s->topics);
	free(s->repo);
	free(s);
}

void
bus_free(struct bus *b)
{
	if (b == NULL)
		return;
	while (b->subs) {
		struct bus_sub *s = b->subs;
		b->subs = s->next;
		sub_free(s);
	}
	checkpoint_close(b->cp);
	free(b->held);
	free(b);
}

int
bus_sub_wants(const struct bus_sub *s, const char *repo, const char *topic)
{
	if (s->dead || (s->repo && strcmp(s->repo, repo) != 0))
		return 0;
	for (size_t i = 0; i < s->ntopics; i++)
		if (strcmp(s->topics[i], topic) == 0 || strcmp(s->topics[i], "*") == 0)
			return 1;
	return 0;
}

static void
unlink_sub(struct bus *b, struct bus_sub *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		b->subs = s->next;
	if (s->next)
		s->next->prev = s->prev;
	sub_free(s);
}

/* Free subscriptions ended during a delivery, once no delivery runs. */
static void
reap(struct bus *b)
{
	if (b->delivering || b->ndead == 0)
		return;
	for (struct bus_sub *s = b->subs, *next; s; s = next) {
		next = s->next;
		if (s->dead)
			unlink_sub(b, s);
	}
	b->ndead = 0;
}

/* Deliver the n entries just journaled, then note their data for the
 * checkpoints (after delivery: a due checkpoint must not delay
 * subscribers). Frees each entry's line. */
static void
deliver(struct bus *b, const struct journal_item *items, struct journal_entry *e, size_t n)
{
	b->delivering++;
	for (size_t i = 0; i < n; i++)
		for (struct bus_sub *s = b->subs; s; s = s->next)
			if (bus_sub_wants(s, items[i].repo, items[i].topic))
				s->fn(s->arg, &e[i]);
	b->delivering--;
	reap(b);
	for (size_t i = 0; i < n; i++) {
		free(e[i].line);
		if (checkpoint_note(b->cp, items[i].data) < 0)
			log_warnx("%s", err_msg());
	}
}

uint64_t
bus_publish(struct bus *b, const char *repo, const char *topic, int64_t now, json_t *data)
{
	if (b->holding) {
		if (b->nheld == b->capheld) {
			b->capheld = b->capheld ? b->capheld * 2 : 8;
			b->held = xreallocarray(b->held, b->capheld, sizeof(*b->held));
		}
		b->held[b->nheld++] = (struct journal_item){ xstrdup(repo), xstrdup(topic), now,
			                                     json_incref(data) };
		return journal_last(b->j) + b->nheld;
	}
	struct journal_item it = { repo, topic, now, data };
	struct journal_entry e;
	if (journal_append(b->j, repo, topic, now, data, &e) < 0)
		return 0;
	deliver(b, &it, &e, 1);
	return e.seq;
}

void
bus_hold(struct bus *b)
{
	b->holding = 1;
}

int
bus_release(struct bus *b)
{
	size_t n = b->nheld;
	struct journal_entry *e = xcalloc(n ? n : 1, sizeof(*e));
	b->holding = 0;
	int rc = n ? journal_append_group(b->j, b->held, n, e) : 0;
	if (rc == 0)
		deliver(b, b->held, e, n);
	for (size_t i = 0; i < n; i++) {
		free((char *)b->held[i].repo);
		free((char *)b->held[i].topic);
		json_decref(b->held[i].data);
	}
	b->nheld = 0;
	free(e);
	return rc;
}

struct bus_sub *
bus_subscribe(struct bus *b, const char *repo, const char *const *topics, size_t n, bus_fn fn,
              void *arg)
{
	struct bus_sub *s = xcalloc(1, sizeof(*s));
	s->repo = repo ? xstrdup(repo) : NULL;
	s->topics = xcalloc(n ? n : 1, sizeof(*s->topics));
	for (size_t i = 0; i < n; i++)
		s->topics[i] = xstrdup(topics[i]);
	s->ntopics = n;
	s->fn = fn;
	s->arg = arg;
	s->next = b->subs;
	if (b->subs)
		b->subs->prev = s;
	b->subs = s;
	b->nsubs++;
	return s;
}

void
bus_replay(struct bus *b, struct bus_sub *s, uint64_t cursor)
{
	size_t n = journal_count(b->j);
	b->delivering++;
	for (size_t i = journal_after(b->j, cursor); i < n && !s->dead; i++) {
		struct journal_entry e;
		journal_entry_at(b->j, i, &e);
		if (!bus_sub_wants(s, e.repo, e.topic))
			continue;
		if (journal_read(b->j, i, &e) < 0) {
			log_warnx("%s", err_msg());
			break;
		}
		s->fn(s->arg, &e);
		free(e.line);
	}
	b->delivering--;
	reap(b);
}

void
bus_unsubscribe(struct bus *b, struct bus_sub *s)
{
	if (s == NULL || s->dead)
		return;
	b->nsubs--;
	if (b->delivering) {
		s->dead = 1;
		b->ndead++;
	} else {
		unlink_sub(b, s);
	}
}

struct journal *
bus_journal(struct bus *b)
{
	return b->j;
}

struct checkpoints *
bus_checkpoints(struct bus *b)
{
	return b->cp;
}

size_t
bus_nsubs(const struct bus *b)
{
	return b->nsubs;
}
