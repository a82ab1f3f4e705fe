/* reminder.c - reminders that fire exactly once.
 *
 * State: an append-only log, REMINDER_LOG in the state directory, each
 * line written with one write() and made durable with fsync() before the
 * call returns:
 *
 *   F <seq> <time> <id> <check>   reminder id fired (persisted before delivery)
 *   D <seq> <time> <id> <check>   reminder id delivered
 *   A <seq> <time> <key> <check>  acknowledged: that event's reminders stop
 *   S <seq> <time> <cron> <check> cron reminder first seen at <time>
 *
 * Ids are percent-encoded (no blanks or line breaks); <check> is the
 * FNV-1a hash of the rest of the line, so a torn or damaged line is
 * recognised and skipped. Opening the log replays it into tables and cuts
 * a partial last line away. Nothing is ever rewritten in place.
 *
 * Which reminders are due is a function of the calendar, the settings,
 * the clock and the log, so after downtime the same computation catches
 * up: of an event's lead times that have passed, the most recent one
 * fires (earlier ones it supersedes never do); an overdue obligation
 * fires the day after its date and every repeat_days after, until it is
 * acknowledged or leaves the calendar; a cron reminder fires its latest
 * occurrence since it last fired (or was first seen), looking back at
 * most catchup_days. */
#include "reminder.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "problems.h"
#include "sys.h"

#define DAY          86400
#define LINE_MAX_LEN 4096
#define LOG_MAX      (64u << 20) /* refuse to replay a log larger than this */

struct entry {
	char *key;
	uint64_t seq;
	int fired, delivered, acked;
	int64_t seen; /* cron: first seen */
	int64_t last; /* cron: latest occurrence fired */
};

struct table {
	struct entry *v;
	size_t cap, n;
};

struct reminder_state {
	int fd;
	char *path;
	uint64_t seq;
	struct table t;
	size_t skipped; /* damaged lines found on open */
};

/* FNV-1a over n bytes. */
static uint32_t
fnv(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

/* Find key in t, adding it when add is set; NULL when absent. */
static struct entry *
tab_get(struct table *t, const char *key, int add)
{
	size_t i;

	if (t->cap == 0 || (add && (t->n + 1) * 2 > t->cap)) {
		if (!add && t->cap == 0)
			return NULL;
		struct table g = { xcalloc(t->cap ? t->cap * 2 : 64, sizeof(struct entry)),
			           t->cap ? t->cap * 2 : 64, t->n };
		for (size_t k = 0; k < t->cap; k++) {
			if (t->v[k].key == NULL)
				continue;
			for (i = fnv(t->v[k].key, strlen(t->v[k].key)) % g.cap; g.v[i].key;
			     i = (i + 1) % g.cap)
				;
			g.v[i] = t->v[k];
		}
		free(t->v);
		*t = g;
	}
	for (i = fnv(key, strlen(key)) % t->cap; t->v[i].key; i = (i + 1) % t->cap)
		if (strcmp(t->v[i].key, key) == 0)
			return &t->v[i];
	if (!add)
		return NULL;
	memset(&t->v[i], 0, sizeof(t->v[i]));
	t->v[i].key = xstrdup(key);
	t->n++;
	return &t->v[i];
}

/* Percent-encode s for the log. */
static void
encode(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c == '%' || c == 0x7f)
			buf_printf(b, "%%%02X", c);
		else
			buf_addc(b, (char)c);
	}
}

/* The value of hex digit c, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode a percent-encoded field in place; -1 when malformed. */
static int
decode(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (*s != '%') {
			*o++ = *s;
			continue;
		}
		/* Two hex digits must follow; s[2] is read only if s[1] is one. */
		int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);
		if (lo < 0 || (hi | lo) == 0)
			return -1;
		*o++ = (char)(hi << 4 | lo);
		s += 2;
	}
	*o = '\0';
	return 0;
}

/* The part of a cron reminder id before '@': its cron key. */
static char *
cron_key(const char *id)
{
	const char *at = strrchr(id, '@');
	return at ? xstrndup(id, (size_t)(at - id)) : xstrdup(id);
}

/* Apply one log record to the tables. */
static void
apply(struct reminder_state *s, char type, uint64_t seq, int64_t t, const char *key)
{
	struct entry *e = tab_get(&s->t, key, 1);

	if (seq >= s->seq)
		s->seq = seq + 1;
	switch (type) {
	case 'F':
		e->fired = 1;
		e->seq = seq;
		if (strncmp(key, "cron:", 5) == 0 && strrchr(key, '@')) {
			char *ck = cron_key(key);
			struct entry *c = tab_get(&s->t, ck, 1);
			int64_t at;
			if (date_parse(strrchr(key, '@') + 1, "UTC", NULL, &at, NULL) == 0 &&
			    at > c->last)
				c->last = at;
			free(ck);
		}
		break;
	case 'D': e->delivered = 1; break;
	case 'A': e->acked = 1; break;
	case 'S':
		if (e->seen == 0)
			e->seen = t;
		break;
	}
}

/* Parse and apply one whole line (without its newline); -1 if damaged. */
static int
replay_line(struct reminder_state *s, char *line, size_t len)
{
	char *sp, *end, *key;

	if (len == 0 || len >= LINE_MAX_LEN || (sp = strrchr(line, ' ')) == NULL)
		return -1;
	errno = 0;
	unsigned long check = strtoul(sp + 1, &end, 16);
	if (end == sp + 1 || *end != '\0' || errno != 0 || check > UINT32_MAX ||
	    fnv(line, (size_t)(sp - line)) != check)
		return -1;
	*sp = '\0';
	/* "<type> <seq> <time> <key>", one blank apart. */
	char type = line[0];
	if (type == '\0' || strchr("FDAS", type) == NULL || line[1] != ' ')
		return -1;
	unsigned long long seq = strtoull(line + 2, &end, 10);
	if (end == line + 2 || *end != ' ' || errno != 0)
		return -1;
	key = end + 1;
	long long t = strtoll(key, &end, 10);
	if (end == key || *end != ' ' || errno != 0)
		return -1;
	key = end + 1;
	if (*key == '\0' || strchr(key, ' ') != NULL || decode(key) < 0)
		return -1;
	apply(s, type, seq, t, key);
	return 0;
}

/* Replay the log; cut a partial last line away. */
static int
replay(struct reminder_state *s)
{
	char *data = NULL;
	size_t len = 0, start = 0;
	int rc = -1;

	if (read_file(s->path, LOG_MAX, &data, &len) < 0)
		return err_set("%s: %s", s->path, err_msg());
	for (size_t i = 0; i < len; i++) {
		if (data[i] != '\n')
			continue;
		data[i] = '\0';
		if (replay_line(s, data + start, i - start) < 0)
			s->skipped++;
		start = i + 1;
	}
	if (start < len && ftruncate(s->fd, (off_t)start) < 0) {
		err_set("%s: cannot cut the damaged last line: %s", s->path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(data);
	return rc;
}

/* Open the state; see reminder.h. */
int
reminder_open(const char *dir, struct reminder_state **out)
{
	struct reminder_state *s = xcalloc(1, sizeof(*s));
	struct stat st;
	int created, dfd;

	s->fd = -1;
	s->seq = 1;
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		err_set("cannot create the state directory %s: %s", dir, strerror(errno));
		goto fail;
	}
	s->path = xasprintf("%s/%s", dir, REMINDER_LOG);
	created = stat(s->path, &st) < 0;
	s->fd = open(s->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (s->fd < 0) {
		err_set("cannot open %s: %s", s->path, strerror(errno));
		goto fail;
	}
	if (flock(s->fd, LOCK_EX | LOCK_NB) < 0) {
		err_set("%s is in use by another process (another ismsd on the same "
		        "state directory?)",
		        s->path);
		goto fail;
	}
	if (created && (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd); /* make the new file's name durable */
		close(dfd);
	}
	if (replay(s) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	reminder_close(s);
	return -1;
}

/* Close the state. */
void
reminder_close(struct reminder_state *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0)
		close(s->fd);
	for (size_t i = 0; i < s->t.cap; i++)
		free(s->t.v[i].key);
	free(s->t.v);
	free(s->path);
	free(s);
}

/* Append one record durably, then apply it. */
static int
append(struct reminder_state *s, char type, int64_t t, const char *key)
{
	struct buf b = { 0 };
	uint64_t seq = s->seq;
	ssize_t w;
	int rc = -1;

	buf_printf(&b, "%c %" PRIu64 " %lld ", type, seq, (long long)t);
	encode(&b, key);
	if (b.len + 10 >= LINE_MAX_LEN) {
		err_set("reminder id too long to record: %.60s...", key);
		goto out;
	}
	buf_printf(&b, " %08x\n", fnv(b.data, b.len));
	w = write(s->fd, b.data, b.len);
	if (w != (ssize_t)b.len || fsync(s->fd) < 0) {
		err_set("cannot record the reminder state in %s: %s", s->path,
		        w < 0 || w == (ssize_t)b.len ? strerror(errno) : "short write");
		goto out;
	}
	apply(s, type, seq, t, key);
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

/* Persist that r fires. */
int
reminder_mark_fired(struct reminder_state *s, struct reminder *r)
{
	uint64_t seq = s->seq;

	if (append(s, 'F', r->fire_at, r->id) < 0)
		return -1;
	r->seq = seq;
	return 0;
}

/* Persist that id was delivered. */
int
reminder_mark_delivered(struct reminder_state *s, const char *id)
{
	return append(s, 'D', 0, id);
}

/* The ack key of a reminder id: for an event's reminder, the id without
 * its "/<lead or overdue>" suffix; otherwise the id. */
static char *
ack_key(const char *id)
{
	const char *sl = strrchr(id, '/');

	if (strncmp(id, "cron:", 5) != 0 && sl && strchr(id, '@') && strchr(id, '@') < sl &&
	    (sl[1] == '-' || strncmp(sl + 1, "overdue", 7) == 0))
		return xstrndup(id, (size_t)(sl - id));
	return xstrdup(id);
}

/* Acknowledge; see reminder.h. */
int
reminder_ack(struct reminder_state *s, const char *id)
{
	char *key;
	int rc;

	if (id == NULL || *id == '\0' || strlen(id) > 1000)
		return err_set("a reminder id is needed (at most 1000 characters)");
	key = ack_key(id);
	rc = append(s, 'A', 0, key);
	free(key);
	return rc;
}

/* Whether a reminder with ack key key has fired: the key a subscriber
 * was shown stays good after the event's date moved. */
static int
fired_with_key(const struct reminder_state *s, const char *key)
{
	size_t n = strlen(key);
	for (size_t i = 0; i < s->t.cap; i++) {
		const struct entry *e = &s->t.v[i];
		if (e->key == NULL || !e->fired || strncmp(e->key, key, n) != 0 || e->key[n] != '/')
			continue;
		char *k = ack_key(e->key);
		int same = strcmp(k, key) == 0;
		free(k);
		if (same)
			return 1;
	}
	return 0;
}

/* Whether id names a reminder: one fired or acknowledged before (by its
 * id or by its ack key, whatever the event's date is now), an event of
 * cal by its ack key (<event>@<date>, the date of the event's current
 * calendar entry), or an occurrence of a configured cron. */
int
reminder_ack_known(const struct reminder_state *s, const struct reminder_config *cfg,
                   const struct calendar *cal, const char *id)
{
	char *key = ack_key(id);
	int known = tab_get((struct table *)&s->t, id, 0) != NULL ||
	            tab_get((struct table *)&s->t, key, 0) != NULL || fired_with_key(s, key);
	for (size_t i = 0; !known && cal && i < cal->n; i++) {
		char d[11];
		date_format(cal->v[i].date, d);
		size_t n = strlen(cal->v[i].id);
		known = strncmp(key, cal->v[i].id, n) == 0 && key[n] == '@' &&
		        strcmp(key + n + 1, d) == 0;
	}
	for (size_t i = 0; !known && cfg && i < cfg->ncrons; i++) {
		size_t n = strlen(cfg->crons[i].id);
		known = strncmp(key, "cron:", 5) == 0 &&
		        strncmp(key + 5, cfg->crons[i].id, n) == 0 && key[5 + n] == '@';
	}
	free(key);
	return known;
}

/* Whether id (or its ack key) is acknowledged. */
int
reminder_acked(const struct reminder_state *s, const char *id)
{
	char *key = ack_key(id);
	struct entry *e = tab_get((struct table *)&s->t, key, 0);
	free(key);
	return e && e->acked;
}

/* Settings. */

static const int default_leads[] = { 90, 30, 7, 1 };

/* The defaults. */
struct reminder_config *
reminder_config_default(const char *tz)
{
	struct reminder_config *c = xcalloc(1, sizeof(*c));

	c->tz = xstrdup(tz ? tz : "UTC");
	for (int k = 0; k < CAL_NKINDS; k++) {
		memcpy(c->leads[k], default_leads, sizeof(default_leads));
		c->nleads[k] = NELEM(default_leads);
	}
	c->hour = 9;
	c->repeat_days = 7;
	c->catchup_days = 35;
	return c;
}

/* Order lead days descending. */
static int
desc(const void *a, const void *b)
{
	return *(const int *)b - *(const int *)a;
}

/* Read a list of lead days into one kind's slots; -1 if malformed. */
static int
read_leads(const struct node *v, struct reminder_config *c, int k, struct problems *p)
{
	size_t n = 0;

	if (v->kind != NODE_SEQ || v->n > REMINDER_MAX_LEADS)
		goto bad;
	for (size_t i = 0; i < v->n; i++) {
		if (v->items[i]->kind != NODE_INT || v->items[i]->i < 0 || v->items[i]->i > 3660)
			goto bad;
		c->leads[k][n++] = (int)v->items[i]->i;
	}
	qsort(c->leads[k], n, sizeof(int), desc);
	c->nleads[k] = n;
	return 0;
bad:
	problems_add(p, MANIFEST_PATH, v->line,
	             "parameters: reminder_lead_days: expected a list of at most %d whole "
	             "numbers of days from 0 to 3660, such as [90, 30, 7, 1]",
	             REMINDER_MAX_LEADS);
	return -1;
}

/* parameters.reminder_lead_days: a list for every kind, or a map of kind
 * (or "default") to list. */
static void
load_leads(const struct model *m, struct reminder_config *c, struct problems *p)
{
	const struct node *v = calendar_param(m, NULL, "reminder_lead_days"), *d;

	if (v == NULL)
		return;
	if (v->kind == NODE_SEQ) {
		for (int k = 0; k < CAL_NKINDS; k++)
			if (read_leads(v, c, k, p) < 0)
				return;
		return;
	}
	if (v->kind != NODE_MAP) {
		read_leads(v, c, 0, p);
		return;
	}
	if ((d = node_get(v, "default")) != NULL)
		for (int k = 0; k < CAL_NKINDS; k++)
			if (read_leads(d, c, k, p) < 0)
				break;
	for (size_t i = 0; i < v->n; i++) {
		int k = calendar_kind_find(v->keys[i]);
		if (strcmp(v->keys[i], "default") == 0)
			continue;
		if (k < 0)
			problems_add(p, MANIFEST_PATH, v->key_lines[i],
			             "parameters: reminder_lead_days: '%s' is not an event kind "
			             "(see docs/scheduler.md)",
			             v->keys[i]);
		else
			read_leads(v->items[i], c, k, p);
	}
}

/* parameters.reminders: [{id, cron, message, to}]. */
static void
load_crons(const struct model *m, struct reminder_config *c, struct problems *p)
{
	const struct node *v = calendar_param(m, NULL, "reminders");

	if (v == NULL)
		return;
	if (v->kind != NODE_SEQ) {
		problems_add(p, MANIFEST_PATH, v->line,
		             "parameters: reminders must be a list of {cron, message, to}");
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct node *r = v->items[i];
		const char *expr = calendar_str(r, "cron"), *msg = calendar_str(r, "message");
		const char *id = calendar_str(r, "id");
		struct reminder_cron rc;
		if (r->kind != NODE_MAP || expr == NULL || msg == NULL) {
			problems_add(p, MANIFEST_PATH, r->line,
			             "parameters: reminders: each entry needs cron and message");
			continue;
		}
		if (cron_parse(expr, &rc.cron) < 0) {
			problems_add(p, MANIFEST_PATH, node_get(r, "cron")->line,
			             "parameters: reminders: %s", err_msg());
			continue;
		}
		rc.id = id ? xstrdup(id)
		           : xasprintf("%08x", fnv(msg, strlen(msg)) ^ fnv(expr, strlen(expr)));
		rc.expr = xstrdup(expr);
		rc.message = xstrdup(msg);
		rc.to = calendar_str(r, "to") ? xstrdup(calendar_str(r, "to")) : NULL;
		rc.line = r->line;
		c->crons = xreallocarray(c->crons, c->ncrons + 1, sizeof(rc));
		c->crons[c->ncrons++] = rc;
	}
}

/* Read the settings; see reminder.h. */
void
reminder_config_load(const struct model *m, struct reminder_config **out, struct problems *probs)
{
	struct reminder_config *c = reminder_config_default(m->tz);
	int64_t h = calendar_param_int(m, NULL, "reminder_hour", 9);
	int64_t r = calendar_param_int(m, NULL, "reminder_repeat_days", 7);

	if (h < 0 || h > 23) {
		problems_add(probs, MANIFEST_PATH, calendar_param(m, NULL, "reminder_hour")->line,
		             "parameters: reminder_hour must be a whole hour from 0 to 23");
		h = 9;
	}
	if (r < 1 || r > 366) {
		problems_add(probs, MANIFEST_PATH,
		             calendar_param(m, NULL, "reminder_repeat_days")->line,
		             "parameters: reminder_repeat_days must be from 1 to 366");
		r = 7;
	}
	c->hour = (int)h;
	c->repeat_days = (int)r;
	load_leads(m, c, probs);
	load_crons(m, c, probs);
	*out = c;
}

/* Free the settings. */
void
reminder_config_free(struct reminder_config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->ncrons; i++) {
		free(c->crons[i].id);
		free(c->crons[i].expr);
		free(c->crons[i].message);
		free(c->crons[i].to);
	}
	free(c->crons);
	free(c->tz);
	free(c);
}

/* Lead times of a kind. */
size_t
reminder_leads(const struct reminder_config *cfg, enum cal_kind k, const int **days)
{
	*days = cfg->leads[k];
	return cfg->nleads[k];
}

/* Which reminders are due. */

/* The instant of cfg->hour on day number d in the zone. */
static int64_t
at_hour(const struct reminder_config *cfg, int64_t d)
{
	int64_t t;
	if (date_local_first(d * DAY + (int64_t)cfg->hour * 3600, cfg->tz, &t, NULL) < 0)
		return d * DAY + (int64_t)cfg->hour * 3600;
	return t;
}

/* Free the strings of one reminder. */
static void
reminder_clear(struct reminder *r)
{
	free(r->id);
	free(r->ack_key);
	free(r->event);
	free(r->message);
	free(r->to);
	free(r->file);
}

/* Append a reminder to l unless delivered; its strings are copied. */
static void
push(const struct reminder_state *s, struct reminder_list *l, struct reminder *r)
{
	struct entry *e = tab_get((struct table *)&s->t, r->id, 0);

	if (e && e->fired && e->delivered)
		return;
	if (e && e->fired) {
		r->redelivery = 1;
		r->seq = e->seq;
	}
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*r));
	l->v[l->n++] = *r;
}

/* The reminder of event e due at now, if any, into *r (0: none). */
static int
event_reminder(const struct reminder_config *cfg, const struct cal_event *e, int64_t now,
               struct reminder *r)
{
	int64_t day = date_days(e->date), first = at_hour(cfg, day + 1);
	char d[11];
	const int *leads;
	size_t nl = reminder_leads(cfg, e->kind, &leads);

	date_format(e->date, d);
	memset(r, 0, sizeof(*r));
	if (now >= first) {
		struct ymd today;
		int64_t dd;
		if (!e->overdue || date_local_ymd(now, cfg->tz, &today) < 0)
			return 0;
		dd = date_days(today) - (day + 1);
		if (at_hour(cfg, date_days(today)) > now)
			dd--;
		int64_t n = dd < 0 ? 0 : dd / cfg->repeat_days;
		r->days = (int)(1 + n * cfg->repeat_days);
		r->fire_at = at_hour(cfg, day + r->days);
		r->kind = "overdue";
		r->id = xasprintf("%s@%s/overdue-%lld", e->id, d, (long long)n);
		r->message = xasprintf("Overdue since %s: %s", d, e->title);
	} else {
		size_t i;
		for (i = nl; i-- > 0;) /* shortest lead first */
			if (at_hour(cfg, day - leads[i]) <= now)
				break;
		if (i == (size_t)-1)
			return 0;
		r->days = leads[i];
		r->fire_at = at_hour(cfg, day - leads[i]);
		r->kind = "lead";
		r->id = xasprintf("%s@%s/-%dd", e->id, d, leads[i]);
		r->message = leads[i] == 0 ? xasprintf("Today (%s): %s", d, e->title)
		                           : xasprintf("In %d day%s (%s): %s", leads[i],
		                                       leads[i] == 1 ? "" : "s", d, e->title);
	}
	r->ack_key = xasprintf("%s@%s", e->id, d);
	r->event = xstrdup(e->id);
	r->to = e->owner ? xstrdup(e->owner) : NULL;
	r->date = e->date;
	r->file = xstrdup(e->file);
	r->line = e->line;
	return 1;
}

/* The latest occurrence of cron c in (since, now], or -1. */
static int64_t
latest(const struct reminder_config *cfg, const struct reminder_cron *c, int64_t since, int64_t now)
{
	int64_t t = since, best = -1;

	if (t < now - (int64_t)cfg->catchup_days * DAY)
		t = now - (int64_t)cfg->catchup_days * DAY;
	while (cron_next(&c->cron, t, cfg->tz, &t) == 0 && t <= now)
		best = t;
	return best;
}

/* Fill *r for occurrence t of cron c. */
static void
cron_fill(const struct reminder_cron *c, const char *key, int64_t t, struct reminder *r)
{
	char at[21];

	date_format_utc(t, at);
	memset(r, 0, sizeof(*r));
	r->kind = "cron";
	r->id = xasprintf("%s@%s", key, at);
	r->ack_key = xstrdup(r->id);
	r->message = xstrdup(c->message);
	r->to = c->to ? xstrdup(c->to) : NULL;
	r->fire_at = t;
	r->file = xstrdup(MANIFEST_PATH);
	r->line = c->line;
}

/* Add to l what cron c has due: the last fired occurrence again if its
 * delivery was not confirmed, and its latest occurrence since. The first
 * time a cron is seen, record that instead. */
static int
cron_due(struct reminder_state *s, const struct reminder_config *cfg, const struct reminder_cron *c,
         int64_t now, struct reminder_list *l)
{
	char *key = xasprintf("cron:%s", c->id);
	struct entry *e = tab_get(&s->t, key, 0);
	struct reminder r;
	int64_t since, t;
	int rc = 0;

	if (e == NULL || e->seen == 0) {
		rc = append(s, 'S', now, key);
		goto out;
	}
	since = e->last > e->seen ? e->last : e->seen;
	if (e->last > 0) {
		cron_fill(c, key, e->last, &r);
		size_t before = l->n;
		if (!reminder_acked(s, r.id))
			push(s, l, &r);
		if (l->n == before)
			reminder_clear(&r);
	}
	if ((t = latest(cfg, c, since, now)) >= 0) {
		cron_fill(c, key, t, &r);
		size_t before = l->n;
		if (!reminder_acked(s, r.id))
			push(s, l, &r);
		if (l->n == before)
			reminder_clear(&r);
	}
out:
	free(key);
	return rc;
}

/* Order reminders by due time, then id. */
static int
by_time(const void *a, const void *b)
{
	const struct reminder *x = a, *y = b;
	if (x->fire_at != y->fire_at)
		return x->fire_at < y->fire_at ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Compute the due reminders; see reminder.h. */
int
reminder_due(struct reminder_state *s, const struct reminder_config *cfg,
             const struct calendar *cal, int64_t now, struct reminder_list *out)
{
	struct reminder r;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; cal && i < cal->n; i++) {
		if (!event_reminder(cfg, &cal->v[i], now, &r))
			continue;
		if (reminder_acked(s, r.id)) {
			reminder_clear(&r);
			continue;
		}
		size_t before = out->n;
		push(s, out, &r);
		if (out->n == before)
			reminder_clear(&r);
	}
	for (size_t i = 0; i < cfg->ncrons; i++) {
		if (cron_due(s, cfg, &cfg->crons[i], now, out) < 0) {
			reminder_list_free(out);
			return -1;
		}
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), by_time);
	return 0;
}

/* The next instant a reminder may fall due. */
int64_t
reminder_next(const struct reminder_state *s, const struct reminder_config *cfg,
              const struct calendar *cal, int64_t now)
{
	int64_t next = INT64_MAX, t;

	(void)s;
	for (size_t i = 0; cal && i < cal->n; i++) {
		const struct cal_event *e = &cal->v[i];
		int64_t day = date_days(e->date), first = at_hour(cfg, day + 1);
		const int *leads;
		size_t nl = reminder_leads(cfg, e->kind, &leads);
		for (size_t k = 0; k < nl; k++)
			if ((t = at_hour(cfg, day - leads[k])) > now && t < next)
				next = t;
		if (e->overdue || (now < first && calendar_obligation(e->kind))) {
			int64_t n = now < first
			                    ? 0
			                    : (now - first) / ((int64_t)cfg->repeat_days * DAY) + 1;
			t = at_hour(cfg, day + 1 + n * cfg->repeat_days);
			if (t > now && t < next)
				next = t;
		}
	}
	for (size_t i = 0; i < cfg->ncrons; i++)
		if (cron_next(&cfg->crons[i].cron, now, cfg->tz, &t) == 0 && t < next)
			next = t;
	return next;
}

/* Free a list. */
void
reminder_list_free(struct reminder_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		reminder_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* A reminder as JSON. */
json_t *
reminder_json(const struct reminder *r)
{
	json_t *o = json_object();
	char d[11], t[21];

	date_format_utc(r->fire_at, t);
	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "ack", json_string(r->ack_key));
	json_object_set_new(o, "kind", json_string(r->kind));
	json_object_set_new(o, "seq", json_integer((json_int_t)r->seq));
	json_object_set_new(o, "redelivery", json_boolean(r->redelivery));
	json_object_set_new(o, "due_at", json_string(t));
	json_object_set_new(o, "message", json_string(r->message));
	json_object_set_new(o, "to", r->to ? json_string(r->to) : json_null());
	json_object_set_new(o, "event", r->event ? json_string(r->event) : json_null());
	if (r->event) {
		date_format(r->date, d);
		json_object_set_new(o, "date", json_string(d));
		json_object_set_new(o, "days", json_integer(r->days));
	}
	json_object_set_new(o, "file", r->file ? json_string(r->file) : json_null());
	json_object_set_new(o, "line", json_integer(r->line));
	return o;
}
