/* checkpoint.c - states of a repository's history from checkpoints plus
 * a few journal entries.
 *
 * Per repository, memory holds one small record per results or commits
 * entry (its place in the journal and the latest time of the repository's
 * entries up to it, which is what `as_of` a date searches), where its
 * checkpoints belong, and the latest state, whose verdict objects are
 * shared with the daemon's. Commit ids are read from the commits entries
 * the first time `as_of` a commit asks.
 *
 * A checkpoint file is one header line
 *     ismsd-checkpoint 3 CURSOR LINE-LENGTH TIME BASE BODY-LENGTH CHECKSUM JSON-LENGTH
 * naming the journal entry it follows (so that a checkpoint of another
 * journal is never taken), the checkpoint it is a difference against
 * (BASE, the cursor of the one before it; 0 for a full one), the body's
 * length and FNV-1a hash, and the length of the JSON the body inflates
 * to; then the body, the zlib stream of {"repo":..,"commit":..,
 * "rules_digest":..,"commit_time":..,"evaluated_at":..,"organisation":..} with, in a full
 * one, "results":{..}, and in a difference "changed":[verdicts],
 * "removed":[ids] and, when the verdicts' order is not the one these
 * give, "order":[ids]. Every full_every-th checkpoint of a repository is
 * full, and any whose predecessor's state is not at hand, so a state is
 * read from at most full_every files. Version 2 files (full ones without
 * BASE) are still read.
 *
 * Files are written by a thread of their own: the loop thread hands it
 * shallow copies of the states (the verdict objects are shared and never
 * changed) and takes the outcomes back the next time it comes here;
 * before a checkpoint is read, the writes queued are waited for. */
#include "checkpoint.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "thread.h"
#include "verdict.h"
#include "log.h"
#include "repo.h"
#include "alloc.h"
#include "err.h"
#include "sys.h"

#define MAGIC          "ismsd-checkpoint 3 "
#define MAGIC2         "ismsd-checkpoint 2 "
#define MAX_CHECKPOINT ((uint64_t)1 << 30)
#define MAX_QUEUED     4 /* checkpoints waiting for the writer */

enum { RESULTS = 1, COMMITS = 2 };
/* What is known of a checkpoint file. */
enum { CK_UNKNOWN, CK_GOOD, CK_BAD, CK_UNWRITABLE, CK_PENDING };

struct point {
	uint32_t idx;  /* the entry's index in the journal */
	uint32_t kind; /* RESULTS or COMMITS */
	int64_t upto;  /* the latest time of the repository's entries up to it */
};

/* A commits entry's commit id: its leading hex digits, as nibbles. */
struct cid {
	uint32_t pos; /* its point */
	uint8_t nhex; /* up to 40 */
	uint8_t id[20];
};

struct ck {
	uint32_t pos; /* the point it holds the state after */
	uint32_t state;
};

struct hist {
	char *name;
	struct point *p;
	size_t np, pcap;
	struct ck *ck;
	size_t nck, ckcap;
	struct cid *c;
	size_t nc, ccap;
	size_t cscan;        /* points looked at for c */
	unsigned nres, nall; /* since the last checkpoint position */
	int64_t upto;
	struct repo *live; /* the state after the last point, or NULL */
	/* The verdicts at checkpoint base_ck (shallow), the base of the
	 * next one's difference; NULL when not at hand. */
	json_t *base;
	size_t base_ck;
};

/* A checkpoint file to write, on the writer thread. */
struct task {
	struct hist *h; /* where the outcome goes (lives until close) */
	size_t ck;
	uint64_t seq, len, base_seq; /* base_seq 0: full */
	int64_t time;
	json_t *doc;     /* the metadata */
	json_t *results; /* shallow copy */
	json_t *base;    /* shallow copy of the base's verdicts, or NULL */
	char *path, *tmp, *error;
	size_t bytes; /* written */
	struct task *next;
};

struct checkpoints {
	struct journal *j;
	char *dir;
	size_t seen; /* journal entries taken in */
	struct hist **h;
	size_t nh;
	struct checkpoint_stats st;
	unsigned full_every;
	/* The writer: tasks queued (q) and done (done), under mu. */
	pthread_t writer;
	int started, stop;
	pthread_mutex_t mu;
	pthread_cond_t cv, idle;
	struct task *q, **qtail, *done;
	size_t queued; /* queued or being written */
};

static struct repo *
state_new(void)
{
	struct repo *t = xcalloc(1, sizeof(*t));
	t->results = json_object();
	return t;
}

static void
state_free(struct repo *t)
{
	if (t == NULL)
		return;
	json_decref(t->results);
	free(t->organisation);
	free(t);
}

/* A copy that shares the verdict objects. */
static struct repo *
state_copy(const struct repo *s)
{
	struct repo *t = xcalloc(1, sizeof(*t));
	t->results = json_copy(s->results);
	memcpy(t->commit, s->commit, sizeof(t->commit));
	memcpy(t->rules_digest, s->rules_digest, sizeof(t->rules_digest));
	t->commit_time = s->commit_time;
	t->evaluated_at = s->evaluated_at;
	t->organisation = s->organisation ? xstrdup(s->organisation) : NULL;
	return t;
}

/* Apply one journal entry of the repository to t: the same steps for
 * start-up and as_of. data may be NULL (a line that is not JSON). */
static void
apply(struct repo *t, uint32_t kind, int64_t time, json_t *data)
{
	if (kind == RESULTS) {
		repo_apply(t, data);
		return;
	}
	const char *c = json_string_value(json_object_get(data, "commit"));
	if (c)
		snprintf(t->commit, sizeof(t->commit), "%s", c);
	/* A commits entry written before rules_digest was journaled has none. */
	const char *dg = json_string_value(json_object_get(data, "rules_digest"));
	snprintf(t->rules_digest, sizeof(t->rules_digest), "%s", dg ? dg : "");
	t->commit_time = json_integer_value(json_object_get(data, "commit_time"));
	t->evaluated_at = time;
}

static void *writer(void *arg);

struct checkpoints *
checkpoint_open(struct journal *j, const char *dir)
{
	struct checkpoints *cp = xcalloc(1, sizeof(*cp));
	cp->j = j;
	cp->dir = xstrdup(dir);
	cp->full_every = CHECKPOINT_FULL_EVERY;
	cp->qtail = &cp->q;
	pthread_mutex_init(&cp->mu, NULL);
	pthread_cond_init(&cp->cv, NULL);
	pthread_cond_init(&cp->idle, NULL);
	return cp;
}

void
checkpoint_set_full_every(struct checkpoints *cp, unsigned k)
{
	cp->full_every = k ? k : 1;
}

static void
hist_free(struct hist *h)
{
	state_free(h->live);
	json_decref(h->base);
	free(h->name);
	free(h->p);
	free(h->ck);
	free(h->c);
	free(h);
}

static void
task_free(struct task *t)
{
	json_decref(t->doc);
	json_decref(t->results);
	json_decref(t->base);
	free(t->path);
	free(t->tmp);
	free(t->error);
	free(t);
}

/* Take in the writes finished: each checkpoint's state, and the first
 * failure's message into err_msg(). Returns 0, or -1 when one failed. */
static int
collect(struct checkpoints *cp)
{
	pthread_mutex_lock(&cp->mu);
	struct task *list = cp->done;
	cp->done = NULL;
	pthread_mutex_unlock(&cp->mu);
	int rc = 0;
	while (list) {
		struct task *t = list;
		list = t->next;
		struct ck *c = &t->h->ck[t->ck];
		if (t->error) {
			c->state = CK_UNWRITABLE;
			if (rc == 0)
				err_set("%s", t->error);
			rc = -1;
		} else {
			c->state = CK_GOOD;
			cp->st.written++;
			cp->st.bytes += t->bytes;
		}
		task_free(t);
	}
	return rc;
}

/* Wait until every write queued is done, and take them in. */
static int
flush(struct checkpoints *cp)
{
	pthread_mutex_lock(&cp->mu);
	while (cp->queued > 0)
		pthread_cond_wait(&cp->idle, &cp->mu);
	pthread_mutex_unlock(&cp->mu);
	return collect(cp);
}

void
checkpoint_close(struct checkpoints *cp)
{
	if (cp == NULL)
		return;
	if (cp->started) {
		pthread_mutex_lock(&cp->mu);
		cp->stop = 1;
		pthread_cond_signal(&cp->cv);
		pthread_mutex_unlock(&cp->mu);
		pthread_join(cp->writer, NULL);
	}
	if (collect(cp) < 0)
		log_warnx("%s", err_msg());
	for (size_t i = 0; i < cp->nh; i++)
		hist_free(cp->h[i]);
	free(cp->h);
	free(cp->dir);
	pthread_mutex_destroy(&cp->mu);
	pthread_cond_destroy(&cp->cv);
	pthread_cond_destroy(&cp->idle);
	free(cp);
}

static struct hist *
hist_of(struct checkpoints *cp, const char *name, int create)
{
	for (size_t i = 0; i < cp->nh; i++)
		if (strcmp(cp->h[i]->name, name) == 0)
			return cp->h[i];
	if (!create)
		return NULL;
	struct hist *h = xcalloc(1, sizeof(*h));
	h->name = xstrdup(name);
	h->upto = INT64_MIN;
	cp->h = xreallocarray(cp->h, cp->nh + 1, sizeof(struct hist *));
	cp->h[cp->nh++] = h;
	return h;
}

/* Index journal entry i. Returns its repository's history when it is a
 * results or commits entry, else NULL. */
static struct hist *
take(struct checkpoints *cp, size_t i)
{
	struct journal_entry e;
	journal_entry_at(cp->j, i, &e);
	struct hist *h = hist_of(cp, e.repo, 1);
	if (e.time > h->upto)
		h->upto = e.time;
	uint32_t kind = strcmp(e.topic, "results") == 0   ? RESULTS
	                : strcmp(e.topic, "commits") == 0 ? COMMITS
	                                                  : 0;
	if (kind == 0 || i > UINT32_MAX)
		return NULL;
	if (h->np == h->pcap) {
		h->pcap = h->pcap ? h->pcap * 2 : 64;
		h->p = xreallocarray(h->p, h->pcap, sizeof(*h->p));
	}
	h->p[h->np++] = (struct point){ (uint32_t)i, kind, h->upto };
	h->nall++;
	h->nres += kind == RESULTS;
	if (h->nres == CHECKPOINT_RESULTS || h->nall == CHECKPOINT_ENTRIES) {
		if (h->nck == h->ckcap) {
			/* The writer only reaches a checkpoint through collect(),
			 * on this thread: moving them is safe. */
			h->ckcap = h->ckcap ? h->ckcap * 2 : 16;
			h->ck = xreallocarray(h->ck, h->ckcap, sizeof(*h->ck));
		}
		h->ck[h->nck++] = (struct ck){ (uint32_t)(h->np - 1), CK_UNKNOWN };
		h->nres = h->nall = 0;
	}
	return h;
}

/* Take in the journal entries up to (not including) entry n. A latest
 * state they make stale is dropped: it is rebuilt when needed. */
static void
sync_to(struct checkpoints *cp, size_t n)
{
	while (cp->seen < n) {
		struct hist *h = take(cp, cp->seen++);
		if (h && h->live) {
			state_free(h->live);
			h->live = NULL;
		}
	}
}

static uint64_t
fnv1a(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* The journal entry of checkpoint k of h. */
static void
ck_entry(struct checkpoints *cp, const struct hist *h, size_t k, struct journal_entry *e)
{
	journal_entry_at(cp->j, h->p[h->ck[k].pos].idx, e);
}

static char *
ck_path(struct checkpoints *cp, uint64_t seq, const char *suffix)
{
	return xasprintf("%s/%" PRIu64 ".ckpt%s", cp->dir, seq, suffix);
}

/* Whether the keys of a and b come in the same order. */
static int
same_order(json_t *a, json_t *b)
{
	void *x = json_object_iter(a), *y = json_object_iter(b);
	for (; x && y; x = json_object_iter_next(a, x), y = json_object_iter_next(b, y))
		if (strcmp(json_object_iter_key(x), json_object_iter_key(y)) != 0)
			return 0;
	return x == NULL && y == NULL;
}

/* Add to doc what turns base into res: the verdicts changed (each under
 * its own id), the ids removed, and the order when applying those does
 * not give res's. Returns -1 when a verdict is not keyed by its id (then
 * only a full checkpoint says it). Writer thread. */
static int
diff_into(json_t *doc, json_t *base, json_t *res)
{
	json_t *changed = json_array(), *removed = json_array(), *v;
	const char *id;
	json_object_set_new(doc, "changed", changed);
	json_object_set_new(doc, "removed", removed);
	json_object_foreach (res, id, v) {
		json_t *old = json_object_get(base, id);
		const char *vid = json_string_value(json_object_get(v, "id"));
		if (vid == NULL || strcmp(vid, id) != 0)
			return -1;
		if (old != v && !json_equal(old, v))
			json_array_append(changed, v);
	}
	json_object_foreach (base, id, v)
		if (json_object_get(res, id) == NULL)
			json_array_append_new(removed, json_string(id));
	json_t *got = json_copy(base);
	verdict_apply(got, doc);
	if (!same_order(got, res)) {
		json_t *order = json_array();
		json_object_foreach (res, id, v)
			json_array_append_new(order, json_string(id));
		json_object_set_new(doc, "order", order);
	}
	json_decref(got);
	return 0;
}

/* Write t's checkpoint: to a temporary file, fsync'd, then renamed into
 * place, so that a crash leaves the old file or none. Writer thread;
 * the outcome in t->error (NULL: written). */
static void
task_write(const char *dir, struct task *t)
{
	if (t->base && diff_into(t->doc, t->base, t->results) < 0) {
		json_object_del(t->doc, "changed");
		json_object_del(t->doc, "removed");
		json_object_del(t->doc, "order");
		json_decref(t->base);
		t->base = NULL;
		t->base_seq = 0;
	}
	if (t->base == NULL)
		json_object_set(t->doc, "results", t->results);
	char *json = json_dumps(t->doc, JSON_COMPACT | JSON_PRESERVE_ORDER), *head = NULL;
	char *body = NULL;
	int ok = 0, fd = -1;
	size_t jlen = json ? strlen(json) : 0;
	uLongf blen = compressBound((uLong)jlen);
	if (json == NULL || jlen > MAX_CHECKPOINT) {
		errno = EINVAL;
		goto out;
	}
	body = xmalloc(blen);
	if (compress2((Bytef *)body, &blen, (const Bytef *)json, (uLong)jlen, 6) != Z_OK) {
		errno = ENOMEM;
		goto out;
	}
	head = xasprintf(
	        MAGIC "%" PRIu64 " %" PRIu64 " %" PRId64 " %" PRIu64 " %zu %" PRIu64 " %zu\n",
	        t->seq, t->len, t->time, t->base_seq, (size_t)blen, fnv1a(body, blen), jlen);
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		goto out;
	fd = open(t->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || write_all(fd, head, strlen(head)) < 0 || write_all(fd, body, blen) < 0 ||
	    fsync(fd) < 0)
		goto out;
	int rc = close(fd);
	fd = -1;
	if (rc < 0 || rename(t->tmp, t->path) < 0)
		goto out;
	t->bytes = strlen(head) + blen;
	ok = 1;
out:
	if (!ok) {
		t->error = xasprintf("cannot write the checkpoint %s: %s; as_of and start-up read "
		                     "more of the history journal until it can be written (check "
		                     "the state directory's permissions and free space)",
		                     t->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(t->tmp);
	}
	free(head);
	free(body);
	free(json);
}

static void *
writer(void *arg)
{
	struct checkpoints *cp = arg;
	pthread_mutex_lock(&cp->mu);
	for (;;) {
		while (cp->q == NULL && !cp->stop)
			pthread_cond_wait(&cp->cv, &cp->mu);
		struct task *t = cp->q;
		if (t == NULL)
			break;
		cp->q = t->next;
		if (cp->q == NULL)
			cp->qtail = &cp->q;
		pthread_mutex_unlock(&cp->mu);
		task_write(cp->dir, t);
		/* Only the outcome waits for collect(): the states go now. */
		json_decref(t->doc);
		json_decref(t->results);
		json_decref(t->base);
		t->doc = t->results = t->base = NULL;
		pthread_mutex_lock(&cp->mu);
		t->next = cp->done;
		cp->done = t;
		cp->queued--;
		pthread_cond_broadcast(&cp->idle);
	}
	pthread_mutex_unlock(&cp->mu);
	return NULL;
}

/* Queue state t as checkpoint k of h, as a difference against base (the
 * verdicts at checkpoint k - 1) unless k is due to be full or base is
 * NULL. */
static void
ck_write(struct checkpoints *cp, struct hist *h, size_t k, const struct repo *t, json_t *base)
{
	struct journal_entry e;
	ck_entry(cp, h, k, &e);
	struct task *w = xcalloc(1, sizeof(*w));
	w->h = h;
	w->ck = k;
	w->seq = e.seq;
	w->len = e.len;
	w->time = e.time;
	if (base && k > 0 && k % cp->full_every != 0) {
		struct journal_entry b;
		ck_entry(cp, h, k - 1, &b);
		w->base_seq = b.seq;
		w->base = json_deep_copy(base);
	}
	w->doc = json_pack("{s:s, s:s, s:s?, s:I, s:I, s:s?}", "repo", h->name, "commit", t->commit,
	                   "rules_digest", t->rules_digest[0] ? t->rules_digest : NULL,
	                   "commit_time", (json_int_t)t->commit_time, "evaluated_at",
	                   (json_int_t)t->evaluated_at, "organisation", t->organisation);
	if (w->doc == NULL) /* a commit id that is not UTF-8 */
		w->doc = json_object();
	/* Deep copies: the writer reads them while the loop thread goes on
	 * and lets go of its own. A shallow copy shares the verdict objects,
	 * and jansson drops a count with release ordering only, so the last
	 * one freed on the loop thread is not ordered after the writer's reads
	 * (ThreadSanitizer saw it). Once per CHECKPOINT_RESULTS results. */
	w->results = json_deep_copy(t->results);
	w->path = ck_path(cp, e.seq, "");
	w->tmp = ck_path(cp, e.seq, ".tmp");
	h->ck[k].state = CK_PENDING;
	pthread_mutex_lock(&cp->mu);
	/* Each task keeps a state's verdicts alive: a rebuild that passes
	 * many checkpoints waits for the writer rather than hold them all. */
	while (cp->queued >= MAX_QUEUED)
		pthread_cond_wait(&cp->idle, &cp->mu);
	if (!cp->started) {
		if (thread_start(&cp->writer, "checkpoints", writer, cp) < 0)
			fatalx("%s", err_msg());
		cp->started = 1;
	}
	*cp->qtail = w;
	cp->qtail = &w->next;
	cp->queued++;
	pthread_cond_signal(&cp->cv);
	pthread_mutex_unlock(&cp->mu);
}

/* A decimal number at *p, optionally negative, then one space or
 * newline (end). Returns 0 and advances *p, or -1. */
static int
number(const char **p, char end, int neg_ok, uint64_t *v, int *neg)
{
	const char *s = *p;
	*neg = 0;
	if (neg_ok && *s == '-') {
		*neg = 1;
		s++;
	}
	uint64_t x = 0;
	const char *d = s;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	if (s == d || *s != end)
		return -1;
	*v = x;
	*p = s + 1;
	return 0;
}

/* What a checkpoint file's header says. */
struct ck_head {
	uint64_t base, blen, sum, jlen;
	const char *body;
};

/* Check the header of a checkpoint file against journal entry e. */
static int
ck_header(const char *buf, const struct journal_entry *e, struct ck_head *o)
{
	const char *p = buf;
	uint64_t seq, len, time;
	int neg, n2, n3, n4, v2 = strncmp(p, MAGIC2, strlen(MAGIC2)) == 0;
	if (!v2 && strncmp(p, MAGIC, strlen(MAGIC)) != 0)
		return -1;
	p += strlen(MAGIC);
	o->base = 0;
	if (number(&p, ' ', 0, &seq, &neg) < 0 || number(&p, ' ', 0, &len, &n2) < 0 ||
	    number(&p, ' ', 1, &time, &n3) < 0 || (!v2 && number(&p, ' ', 0, &o->base, &neg) < 0) ||
	    number(&p, ' ', 0, &o->blen, &n4) < 0 || number(&p, ' ', 0, &o->sum, &neg) < 0 ||
	    number(&p, '\n', 0, &o->jlen, &neg) < 0)
		return -1;
	int64_t t = n3 ? -(int64_t)time : (int64_t)time;
	if (seq != e->seq || len != e->len || t != e->time)
		return -1;
	o->body = p;
	return 0;
}

/* Whether v is an array of strings. */
static int
strings_ok(json_t *v)
{
	json_t *x;
	size_t i;
	if (!json_is_array(v))
		return 0;
	json_array_foreach (v, i, x)
		if (!json_is_string(x))
			return 0;
	return 1;
}

/* Turn t's verdicts into their order in order (the ids of exactly its
 * verdicts). Returns -1 when it is not that. */
static int
reorder(struct repo *t, json_t *order)
{
	json_t *n = json_object(), *x;
	size_t i;
	json_array_foreach (order, i, x) {
		json_t *v = json_object_get(t->results, json_string_value(x));
		if (v == NULL || json_object_get(n, json_string_value(x)))
			break;
		json_object_set(n, json_string_value(x), v);
	}
	if (json_object_size(n) != json_object_size(t->results)) {
		json_decref(n);
		return -1;
	}
	json_decref(t->results);
	t->results = n;
	return 0;
}

/* The state in a checkpoint body: a full one, or one whose base is the
 * state *t (then applied to it). Returns 0 and replaces *t, or -1 when
 * it is not a checkpoint of h that fits. */
static int
ck_parse(const struct hist *h, const char *body, size_t len, int full, struct repo **t)
{
	json_error_t je;
	json_t *o = json_loadb(body, len, 0, &je);
	const char *repo = json_string_value(json_object_get(o, "repo"));
	const char *commit = json_string_value(json_object_get(o, "commit"));
	json_t *ct = json_object_get(o, "commit_time"), *at = json_object_get(o, "evaluated_at");
	json_t *org = json_object_get(o, "organisation"), *res = json_object_get(o, "results");
	json_t *ch = json_object_get(o, "changed"), *rm = json_object_get(o, "removed");
	json_t *order = json_object_get(o, "order"), *v;
	size_t i;
	int rc = -1;
	if (!(repo && strcmp(repo, h->name) == 0 && commit && strlen(commit) <= 40 &&
	      json_is_integer(ct) && json_is_integer(at) &&
	      (org == NULL || json_is_null(org) || json_is_string(org))))
		goto out;
	if (full && !json_is_object(res))
		goto out;
	if (!full) {
		if (!json_is_array(ch) || !strings_ok(rm) || (order && !strings_ok(order)))
			goto out;
		json_array_foreach (ch, i, v)
			if (!json_is_object(v) || !json_is_string(json_object_get(v, "id")))
				goto out;
	}
	struct repo *n = xcalloc(1, sizeof(*n));
	if (full) {
		n->results = json_incref(res);
	} else {
		n->results = json_copy((*t)->results);
		verdict_apply(n->results, o);
		if (order && reorder(n, order) < 0) {
			state_free(n);
			goto out;
		}
	}
	snprintf(n->commit, sizeof(n->commit), "%s", commit);
	const char *dg = json_string_value(json_object_get(o, "rules_digest"));
	if (dg && strlen(dg) == 40)
		snprintf(n->rules_digest, sizeof(n->rules_digest), "%s", dg);
	n->commit_time = json_integer_value(ct);
	n->evaluated_at = json_integer_value(at);
	n->organisation = json_is_string(org) ? xstrdup(json_string_value(org)) : NULL;
	state_free(*t);
	*t = n;
	rc = 0;
out:
	json_decref(o);
	return rc;
}

/* Read checkpoint k of h back. Full ones replace *t; a difference is
 * applied to *t, which must be the state at checkpoint k - 1 (base_seq
 * its cursor; 0 when there is none). With head_only, only say whether
 * the file looks like a full checkpoint (1), a difference (0), or is not
 * to be trusted (-1). Returns 0 when *t was replaced, -1 when the file is
 * not to be trusted or not a difference against base_seq, -2 when it is
 * missing. */
static int
ck_read(struct checkpoints *cp, struct hist *h, size_t k, uint64_t base_seq, int head_only,
        struct repo **t)
{
	struct journal_entry e;
	ck_entry(cp, h, k, &e);
	char *path = ck_path(cp, e.seq, ""), *buf = NULL;
	struct stat st;
	int rc = -1, fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return -2; /* missing: written again on the way */
	if (fstat(fd, &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size <= MAX_CHECKPOINT) {
		size_t n = head_only && st.st_size > 512 ? 512 : (size_t)st.st_size, got = 0;
		buf = xmalloc(n + 1);
		while (got < n) {
			ssize_t r = pread(fd, buf + got, n - got, (off_t)got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		buf[got] = '\0';
		struct ck_head hd;
		if (got != n || ck_header(buf, &e, &hd) < 0 || hd.jlen > MAX_CHECKPOINT)
			goto out;
		if (head_only) {
			rc = hd.base == 0;
			goto out;
		}
		if ((uint64_t)(buf + n - hd.body) != hd.blen || fnv1a(hd.body, hd.blen) != hd.sum ||
		    (hd.base != 0 && (hd.base != base_seq || base_seq == 0)))
			goto out;
		char *json = xmalloc(hd.jlen + 1);
		uLongf jl = (uLongf)hd.jlen;
		if (uncompress((Bytef *)json, &jl, (const Bytef *)hd.body, (uLong)hd.blen) ==
		            Z_OK &&
		    jl == hd.jlen)
			rc = ck_parse(h, json, hd.jlen, hd.base == 0, t);
		free(json);
	}
out:
	close(fd);
	free(buf);
	if (!head_only) {
		if (rc >= 0)
			cp->st.loaded++;
		else
			cp->st.rejected++;
	}
	return rc;
}

/* Apply point i of h to t, read back from the journal. */
static int
apply_point(struct checkpoints *cp, const struct hist *h, size_t i, struct repo *t)
{
	struct journal_entry e;
	if (journal_read(cp->j, h->p[i].idx, &e) < 0)
		return -1;
	json_t *data = journal_data(&e);
	apply(t, h->p[i].kind, e.time, data);
	json_decref(data);
	free(e.line);
	cp->st.applied++;
	return 0;
}

/* The cursor of checkpoint k of h; 0 for none (k < 0). */
static uint64_t
ck_seq(struct checkpoints *cp, const struct hist *h, long k)
{
	struct journal_entry e;
	if (k < 0)
		return 0;
	ck_entry(cp, h, (size_t)k, &e);
	return e.seq;
}

/* The state after point p of h: from the newest full checkpoint at or
 * before it that can be read, then each checkpoint after that in turn
 * (a difference against the one before), and the journal entries where
 * one cannot be read, which is then written again (the one at p itself
 * only when write_p is set). *out is the caller's. */
static int
fold(struct checkpoints *cp, struct hist *h, size_t p, int write_p, struct repo **out)
{
	if (h->live && p == h->np - 1) {
		*out = state_copy(h->live);
		return 0;
	}
	if (flush(cp) < 0)
		log_warnx("%s", err_msg());
	size_t k = 0; /* checkpoints at or before p */
	while (k < h->nck && h->ck[k].pos <= p)
		k++;
	struct repo *t = state_new();
	long c = -1; /* t is the state at checkpoint c (-1: before any) */
	for (size_t f = k; f > 0; f--) {
		struct ck *x = &h->ck[f - 1];
		if (x->state == CK_BAD || x->state == CK_UNWRITABLE)
			continue;
		int full = ck_read(cp, h, f - 1, 0, 1, &t);
		if (full == 1 && ck_read(cp, h, f - 1, 0, 0, &t) == 0) {
			x->state = CK_GOOD;
			c = (long)f - 1;
			break;
		}
		if (full != 0) {
			x->state = CK_BAD;
			if (full == -1)
				cp->st.rejected++;
		}
	}
	/* From here t is the state at checkpoint c, and base its verdicts
	 * (NULL before the first). */
	json_t *base = c >= 0 ? json_copy(t->results) : NULL;
	size_t i = c >= 0 ? h->ck[c].pos + 1 : 0;
	for (size_t nc = (size_t)(c + 1); nc < k; nc++) {
		struct ck *x = &h->ck[nc];
		if (x->state != CK_BAD && x->state != CK_UNWRITABLE &&
		    ck_read(cp, h, nc, ck_seq(cp, h, (long)nc - 1), 0, &t) == 0) {
			x->state = CK_GOOD;
		} else {
			if (x->state != CK_UNWRITABLE)
				x->state = CK_BAD;
			for (; i <= x->pos; i++)
				if (apply_point(cp, h, i, t) < 0)
					goto fail;
			if (x->state == CK_BAD && (x->pos < p || write_p))
				ck_write(cp, h, nc, t, base);
		}
		i = x->pos + 1;
		c = (long)nc;
		json_decref(base);
		base = json_copy(t->results);
	}
	for (; i <= p; i++)
		if (apply_point(cp, h, i, t) < 0)
			goto fail;
	if (c >= 0 && (size_t)c == h->nck - 1) {
		json_decref(h->base);
		h->base = base;
		h->base_ck = (size_t)c;
		base = NULL;
	}
	json_decref(base);
	if (p == h->np - 1 && h->live == NULL)
		h->live = state_copy(t);
	*out = t;
	return 0;
fail:
	json_decref(base);
	state_free(t);
	return -1;
}

static int
unhex(char x)
{
	return x <= '9' ? x - '0' : x - 'a' + 10;
}

/* Hex digit k of a commit id. */
static int
nibble(const struct cid *c, size_t k)
{
	return (c->id[k / 2] >> (k % 2 ? 0 : 4)) & 0xf;
}

/* Fill h->c from the commits entries not looked at yet. */
static int
read_cids(struct checkpoints *cp, struct hist *h)
{
	for (; h->cscan < h->np; h->cscan++) {
		if (h->p[h->cscan].kind != COMMITS)
			continue;
		struct journal_entry e;
		if (journal_read(cp->j, h->p[h->cscan].idx, &e) < 0)
			return -1;
		json_t *data = journal_data(&e);
		free(e.line);
		const char *s = json_string_value(json_object_get(data, "commit"));
		struct cid c = { (uint32_t)h->cscan, 0, { 0 } };
		for (; s && c.nhex < 40 && s[c.nhex] && strchr("0123456789abcdef", s[c.nhex]);
		     c.nhex++)
			c.id[c.nhex / 2] |= (uint8_t)(unhex(s[c.nhex]) << (c.nhex % 2 ? 0 : 4));
		json_decref(data);
		if (h->nc == h->ccap) {
			h->ccap = h->ccap ? h->ccap * 2 : 64;
			h->c = xreallocarray(h->c, h->ccap, sizeof(*h->c));
		}
		h->c[h->nc++] = c;
	}
	return 0;
}

/* The point of the first commits entry whose commit starts with hex:
 * 1 and *p, 0 when none, -1 with err_msg(). */
static int
find_commit(struct checkpoints *cp, struct hist *h, const char *hex, size_t *p)
{
	size_t n = strlen(hex);
	if (n > 40 || strspn(hex, "0123456789abcdef") != n)
		return 0;
	if (read_cids(cp, h) < 0)
		return -1;
	for (size_t i = 0; i < h->nc; i++) {
		const struct cid *c = &h->c[i];
		size_t k = 0;
		while (k < n && c->nhex >= n && nibble(c, k) == unhex(hex[k]))
			k++;
		if (c->nhex >= n && k == n) {
			*p = c->pos;
			return 1;
		}
	}
	return 0;
}

/* The last point of h whose entries up to it were all published at or
 * before time: 1 and *p, 0 when none. */
static int
find_time(const struct hist *h, int64_t time, size_t *p)
{
	size_t lo = 0, hi = h->np;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (h->p[mid].upto <= time)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	*p = lo - 1;
	return 1;
}

int
checkpoint_note(struct checkpoints *cp, json_t *data)
{
	size_t n = journal_count(cp->j);
	if (n == 0)
		return 0;
	sync_to(cp, n - 1);
	if (cp->seen == n)
		return 0;
	struct journal_entry e;
	journal_entry_at(cp->j, n - 1, &e);
	struct hist *h = take(cp, cp->seen++);
	if (h == NULL)
		return 0;
	if (h->live)
		apply(h->live, h->p[h->np - 1].kind, e.time, data);
	size_t k = h->nck - 1;
	if (h->nck == 0 || h->ck[k].pos != h->np - 1)
		return collect(cp);
	/* The difference is against the previous checkpoint's verdicts,
	 * when they are at hand. */
	json_t *base = h->base && h->base_ck + 1 == k ? json_incref(h->base) : NULL;
	if (h->live == NULL) {
		struct repo *t;
		json_decref(base);
		base = NULL;
		if (fold(cp, h, h->np - 1, 0, &t) < 0)
			return -1;
		state_free(t);
	}
	ck_write(cp, h, k, h->live, base);
	json_decref(base);
	json_decref(h->base);
	h->base = json_copy(h->live->results);
	h->base_ck = k;
	return collect(cp);
}

int
checkpoint_state(struct checkpoints *cp, const char *repo, const struct checkpoint_query *q,
                 struct repo *out)
{
	sync_to(cp, journal_count(cp->j));
	struct hist *h = hist_of(cp, repo, q->when == CHECKPOINT_LATEST);
	size_t p = 0;
	int found = 0;
	if (h == NULL)
		return 0;
	if (h->np == 0) {
		/* No history yet: the latest state is the empty one. */
		if (h->live == NULL)
			h->live = state_new();
		return 0;
	}
	switch (q->when) {
	case CHECKPOINT_LATEST:
		p = h->np - 1;
		found = 1;
		break;
	case CHECKPOINT_TIME: found = find_time(h, q->time, &p); break;
	case CHECKPOINT_COMMIT: found = q->commit ? find_commit(cp, h, q->commit, &p) : 0; break;
	}
	struct repo *t;
	if (found <= 0 || fold(cp, h, p, 1, &t) < 0)
		return found <= 0 ? found : -1;
	json_decref(out->results);
	free(out->organisation);
	out->results = t->results;
	memcpy(out->commit, t->commit, sizeof(out->commit));
	memcpy(out->rules_digest, t->rules_digest, sizeof(out->rules_digest));
	out->commit_time = t->commit_time;
	out->evaluated_at = t->evaluated_at;
	out->organisation = t->organisation;
	free(t);
	return 1;
}

int
checkpoint_flush(struct checkpoints *cp)
{
	return flush(cp);
}

void
checkpoint_stats(struct checkpoints *cp, struct checkpoint_stats *out)
{
	if (flush(cp) < 0)
		log_warnx("%s", err_msg());
	*out = cp->st;
}
