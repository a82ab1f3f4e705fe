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
 *     ismsd-checkpoint 2 CURSOR LINE-LENGTH TIME BODY-LENGTH CHECKSUM JSON-LENGTH
 * naming the journal entry it follows (so that a checkpoint of another
 * journal is never taken), the body's length and FNV-1a hash, and the
 * length of the JSON the body inflates to; then the body, the zlib stream
 * of {"repo":..,"commit":..,"rules_digest":..,"commit_time":..,"evaluated_at":..,
 * "organisation":..,"results":{..}}. Verdicts repeat their rule's texts
 * and findings from one checkpoint to the next: compressed, a checkpoint
 * is a tenth of its JSON. */
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "log.h"
#include "repo.h"
#include "alloc.h"
#include "err.h"
#include "sys.h"

#define MAGIC          "ismsd-checkpoint 2 "
#define MAX_CHECKPOINT ((uint64_t)1 << 30)

enum { RESULTS = 1, COMMITS = 2 };
/* What is known of a checkpoint file. */
enum { CK_UNKNOWN, CK_GOOD, CK_BAD, CK_UNWRITABLE };

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
};

struct checkpoints {
	struct journal *j;
	char *dir;
	size_t seen; /* journal entries taken in */
	struct hist **h;
	size_t nh;
	struct checkpoint_stats st;
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

struct checkpoints *
checkpoint_open(struct journal *j, const char *dir)
{
	struct checkpoints *cp = xcalloc(1, sizeof(*cp));
	cp->j = j;
	cp->dir = xstrdup(dir);
	return cp;
}

static void
hist_free(struct hist *h)
{
	state_free(h->live);
	free(h->name);
	free(h->p);
	free(h->ck);
	free(h->c);
	free(h);
}

void
checkpoint_close(struct checkpoints *cp)
{
	if (cp == NULL)
		return;
	for (size_t i = 0; i < cp->nh; i++)
		hist_free(cp->h[i]);
	free(cp->h);
	free(cp->dir);
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

/* The journal entry of a checkpoint position. */
static void
ck_entry(struct checkpoints *cp, struct hist *h, const struct ck *c, struct journal_entry *e)
{
	journal_entry_at(cp->j, h->p[c->pos].idx, e);
}

static char *
ck_path(struct checkpoints *cp, uint64_t seq, const char *suffix)
{
	return xasprintf("%s/%" PRIu64 ".ckpt%s", cp->dir, seq, suffix);
}

/* Write state t as checkpoint c of h: to a temporary file, fsync'd, then
 * renamed into place, so that a crash leaves the old file or none. */
static int
ck_write(struct checkpoints *cp, struct hist *h, struct ck *c, const struct repo *t)
{
	struct journal_entry e;
	ck_entry(cp, h, c, &e);
	json_t *o = json_pack(
	        "{s:s, s:s, s:s?, s:I, s:I, s:s?, s:O}", "repo", h->name, "commit", t->commit,
	        "rules_digest", t->rules_digest[0] ? t->rules_digest : NULL, "commit_time",
	        (json_int_t)t->commit_time, "evaluated_at", (json_int_t)t->evaluated_at,
	        "organisation", t->organisation, "results", t->results);
	char *json = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	char *path = ck_path(cp, e.seq, ""), *tmp = ck_path(cp, e.seq, ".tmp"), *head = NULL;
	char *body = NULL;
	int rc = -1, fd = -1;
	size_t jlen = json ? strlen(json) : 0;
	uLongf blen = compressBound((uLong)jlen);
	if (json == NULL || jlen > MAX_CHECKPOINT) {
		errno = EINVAL;
		goto out;
	}
	/* Level 1: this runs on the loop thread; it still packs JSON tenfold. */
	body = xmalloc(blen);
	if (compress2((Bytef *)body, &blen, (const Bytef *)json, (uLong)jlen, 1) != Z_OK) {
		errno = ENOMEM;
		goto out;
	}
	head = xasprintf(MAGIC "%" PRIu64 " %zu %" PRId64 " %zu %" PRIu64 " %zu\n", e.seq, e.len,
	                 e.time, (size_t)blen, fnv1a(body, blen), jlen);
	if (mkdir(cp->dir, 0750) < 0 && errno != EEXIST)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || write_all(fd, head, strlen(head)) < 0 || write_all(fd, body, blen) < 0 ||
	    fsync(fd) < 0)
		goto out;
	rc = close(fd);
	fd = -1;
	if (rc < 0 || rename(tmp, path) < 0)
		goto out;
	c->state = CK_GOOD;
	cp->st.written++;
	rc = 0;
out:
	if (rc < 0) {
		err_set("cannot write the checkpoint %s: %s; as_of and start-up read more of "
		        "the history journal until it can be written (check the state "
		        "directory's permissions and free space)",
		        path, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		c->state = CK_UNWRITABLE;
	}
	free(head);
	free(body);
	free(json);
	free(path);
	free(tmp);
	return rc;
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

/* Check the header of a checkpoint file against journal entry e; the
 * body's length and checksum into *blen, *sum, the length of its JSON
 * into *jlen, its start into *body. */
static int
ck_header(const char *buf, const struct journal_entry *e, uint64_t *blen, uint64_t *sum,
          uint64_t *jlen, const char **body)
{
	const char *p = buf;
	uint64_t seq, len, time;
	int neg, n2, n3, n4;
	if (strncmp(p, MAGIC, strlen(MAGIC)) != 0)
		return -1;
	p += strlen(MAGIC);
	if (number(&p, ' ', 0, &seq, &neg) < 0 || number(&p, ' ', 0, &len, &n2) < 0 ||
	    number(&p, ' ', 1, &time, &n3) < 0 || number(&p, ' ', 0, blen, &n4) < 0 ||
	    number(&p, ' ', 0, sum, &neg) < 0 || number(&p, '\n', 0, jlen, &neg) < 0)
		return -1;
	int64_t t = n3 ? -(int64_t)time : (int64_t)time;
	if (seq != e->seq || len != e->len || t != e->time)
		return -1;
	*body = p;
	return 0;
}

/* The state in a checkpoint body, or NULL when it is not one of h. */
static struct repo *
ck_parse(const struct hist *h, const char *body, size_t len)
{
	json_error_t je;
	json_t *o = json_loadb(body, len, 0, &je);
	const char *repo = json_string_value(json_object_get(o, "repo"));
	const char *commit = json_string_value(json_object_get(o, "commit"));
	json_t *ct = json_object_get(o, "commit_time"), *at = json_object_get(o, "evaluated_at");
	json_t *org = json_object_get(o, "organisation"), *res = json_object_get(o, "results");
	struct repo *t = NULL;
	if (repo && strcmp(repo, h->name) == 0 && commit && strlen(commit) <= 40 &&
	    json_is_integer(ct) && json_is_integer(at) &&
	    (org == NULL || json_is_null(org) || json_is_string(org)) && json_is_object(res)) {
		t = xcalloc(1, sizeof(*t));
		t->results = json_incref(res);
		snprintf(t->commit, sizeof(t->commit), "%s", commit);
		const char *dg = json_string_value(json_object_get(o, "rules_digest"));
		if (dg && strlen(dg) == 40)
			snprintf(t->rules_digest, sizeof(t->rules_digest), "%s", dg);
		t->commit_time = json_integer_value(ct);
		t->evaluated_at = json_integer_value(at);
		t->organisation = json_is_string(org) ? xstrdup(json_string_value(org)) : NULL;
	}
	json_decref(o);
	return t;
}

/* The state in a compressed body of blen bytes that inflates to jlen of
 * JSON, or NULL when it does not inflate to exactly that. */
static struct repo *
ck_inflate(const struct hist *h, const char *body, size_t blen, size_t jlen)
{
	char *json = xmalloc(jlen + 1);
	uLongf got = (uLongf)jlen;
	struct repo *t = NULL;
	if (uncompress((Bytef *)json, &got, (const Bytef *)body, (uLong)blen) == Z_OK &&
	    got == jlen)
		t = ck_parse(h, json, jlen);
	free(json);
	return t;
}

/* Read checkpoint c of h back. Returns the state (the caller's), or NULL
 * when the file is missing or not to be trusted. */
static struct repo *
ck_load(struct checkpoints *cp, struct hist *h, const struct ck *c)
{
	struct journal_entry e;
	ck_entry(cp, h, c, &e);
	char *path = ck_path(cp, e.seq, ""), *buf = NULL;
	struct repo *t = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return NULL; /* missing: written again on the way */
	if (fstat(fd, &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size <= MAX_CHECKPOINT) {
		size_t n = (size_t)st.st_size, got = 0;
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
		uint64_t blen, sum, jlen;
		const char *body;
		if (got == n && ck_header(buf, &e, &blen, &sum, &jlen, &body) == 0 &&
		    (uint64_t)(buf + n - body) == blen && fnv1a(body, (size_t)blen) == sum &&
		    jlen <= MAX_CHECKPOINT)
			t = ck_inflate(h, body, (size_t)blen, (size_t)jlen);
	}
	close(fd);
	free(buf);
	if (t)
		cp->st.loaded++;
	else
		cp->st.rejected++;
	return t;
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

/* The state after point p of h, rebuilt from the nearest checkpoint that
 * can be read; checkpoints passed on the way that could not be are
 * written again (the one at p itself only when write_p is set). *out is
 * the caller's. */
static int
fold(struct checkpoints *cp, struct hist *h, size_t p, int write_p, struct repo **out)
{
	if (h->live && p == h->np - 1) {
		*out = state_copy(h->live);
		return 0;
	}
	size_t k = 0; /* checkpoints at or before p */
	while (k < h->nck && h->ck[k].pos <= p)
		k++;
	struct repo *t = NULL;
	size_t from = 0, next = k;
	for (; k > 0; k--) {
		struct ck *c = &h->ck[k - 1];
		if (c->state == CK_BAD || c->state == CK_UNWRITABLE)
			continue;
		if ((t = ck_load(cp, h, c)) != NULL) {
			c->state = CK_GOOD;
			from = c->pos + 1;
			next = k;
			break;
		}
		c->state = CK_BAD;
	}
	if (t == NULL) {
		t = state_new();
		next = 0;
	}
	for (size_t i = from; i <= p; i++) {
		if (apply_point(cp, h, i, t) < 0) {
			state_free(t);
			return -1;
		}
		if (next < h->nck && h->ck[next].pos == i) {
			if (h->ck[next].state == CK_BAD && (i < p || write_p) &&
			    ck_write(cp, h, &h->ck[next], t) < 0)
				log_warnx("%s", err_msg());
			next++;
		}
	}
	if (p == h->np - 1 && h->live == NULL)
		h->live = state_copy(t);
	*out = t;
	return 0;
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
	struct ck *c = h->nck ? &h->ck[h->nck - 1] : NULL;
	if (c == NULL || c->pos != h->np - 1)
		return 0;
	if (h->live == NULL) {
		struct repo *t;
		if (fold(cp, h, h->np - 1, 0, &t) < 0)
			return -1;
		state_free(t);
	}
	return ck_write(cp, h, c, h->live);
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

void
checkpoint_stats(const struct checkpoints *cp, struct checkpoint_stats *out)
{
	*out = cp->st;
}
