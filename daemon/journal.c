/* journal.c - an append-only file of notification lines, fsync'd. Lines
 * are self-describing JSON, so the file is also the history an auditor
 * can read with any JSON tool.
 *
 * Opening indexes the file in one sequential pass with a fixed buffer:
 * only the header each line starts with (cursor, repository, topic, time)
 * is read, not the data after it. The last line, the only one a crash can
 * have torn (every append is fsync'd before the next begins), is parsed
 * whole; so is any line whose header is not in the form journal_append
 * writes. */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "sys.h"

#define MAX_JOURNAL_LINE (256u << 20)
#define MAX_NAMES        65535u /* distinct repositories and topics */
#define HEAD_MAX         1024u  /* a line's header is read from this much */
#define SCAN_CHUNK       (1u << 20)

/* One entry in memory: 32 bytes. */
struct jent {
	uint64_t seq;
	int64_t time;
	uint64_t off;         /* where the line starts in the file */
	uint32_t len;         /* with its newline */
	uint16_t repo, topic; /* into names[] */
};

struct journal {
	int fd;
	char *path;
	struct jent *v;
	size_t n, cap;
	char **names; /* repository and topic names, each once */
	size_t nnames;
	uint64_t last;
	uint64_t size; /* of the file: where the next line goes */
};

/* The index of name in j->names, added when new; -1 when full. */
static int
intern(struct journal *j, const char *s, size_t len)
{
	for (size_t i = 0; i < j->nnames; i++)
		if (strncmp(j->names[i], s, len) == 0 && j->names[i][len] == '\0')
			return (int)i;
	if (j->nnames == MAX_NAMES)
		return -1;
	j->names = xreallocarray(j->names, j->nnames + 1, sizeof(*j->names));
	j->names[j->nnames] = xstrndup(s, len);
	return (int)j->nnames++;
}

static int
push(struct journal *j, uint64_t seq, const char *repo, size_t rlen, const char *topic, size_t tlen,
     int64_t time, uint64_t off, size_t len)
{
	int r = intern(j, repo, rlen), t = intern(j, topic, tlen);
	if (r < 0 || t < 0)
		return err_set("the history journal %s names more than %u repositories and "
		               "topics; move it aside to start a new history",
		               j->path, MAX_NAMES);
	if (j->n == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 256;
		j->v = xreallocarray(j->v, j->cap, sizeof(*j->v));
	}
	j->v[j->n++] = (struct jent){ seq, time, off, (uint32_t)len, (uint16_t)r, (uint16_t)t };
	j->last = seq;
	return 0;
}

static int
pread_all(int fd, char *p, size_t n, uint64_t off)
{
	while (n > 0) {
		ssize_t r = pread(fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/* Take one line the slow way, parsing all of it: 0, or -1 when it is not
 * a journal line (or not the next one). *more is its "more" (0: none). */
static int
take_parsed(struct journal *j, const char *line, size_t len, uint64_t off, uint64_t *more)
{
	json_error_t je;
	json_t *o = json_loadb(line, len, 0, &je);
	json_t *p = o ? json_object_get(o, "params") : NULL;
	json_t *seq = json_object_get(p, "cursor");
	const char *repo = json_string_value(json_object_get(p, "repo"));
	const char *topic = json_string_value(json_object_get(p, "topic"));
	const char *t = json_string_value(json_object_get(p, "time"));
	json_t *m = json_object_get(p, "more");
	int64_t when = 0;
	int rc = -1;
	*more = json_is_integer(m) && json_integer_value(m) > 0 ? (uint64_t)json_integer_value(m) : 0;
	if (json_is_integer(seq) && repo && topic && t &&
	    (uint64_t)json_integer_value(seq) > j->last &&
	    date_parse(t, "UTC", NULL, &when, NULL) == 0)
		rc = push(j, (uint64_t)json_integer_value(seq), repo, strlen(repo), topic,
		          strlen(topic), when, off, len + 1);
	json_decref(o);
	return rc;
}

/* Match the literal s at p; the position after it, or NULL. */
static const char *
lit(const char *p, const char *e, const char *s)
{
	size_t n = strlen(s);
	return p && (size_t)(e - p) >= n && memcmp(p, s, n) == 0 ? p + n : NULL;
}

/* A JSON string without escapes at p: its text in *s, *n; the position
 * after it, or NULL (escaped strings go the slow way). */
static const char *
plain_str(const char *p, const char *e, const char **s, size_t *n)
{
	if (p == NULL || p >= e || *p != '"')
		return NULL;
	for (const char *q = p + 1; q < e; q++) {
		if (*q == '"') {
			*s = p + 1;
			*n = (size_t)(q - p - 1);
			return q + 1;
		}
		if (*q == '\\' || (unsigned char)*q < 0x20)
			return NULL;
	}
	return NULL;
}

/* The decimal number at p (at most 19 digits, no sign) in *v; the
 * position after it, or NULL. */
static const char *
number(const char *p, const char *e, uint64_t *v)
{
	int digits = 0;
	*v = 0;
	for (; p && p < e && *p >= '0' && *p <= '9' && digits < 19; p++, digits++)
		*v = *v * 10 + (uint64_t)(*p - '0');
	return digits ? p : NULL;
}

/* Take one line from its header alone, in the form journal_append writes:
 * {"jsonrpc":"2.0","method":T,"params":{"cursor":N,"repo":R,"topic":T,
 * "time":S[,"more":K],"data":... Returns 0, or -1 when the header is not
 * in that form or does not fit in hlen bytes. *more is K (0: none). */
static int
take_head(struct journal *j, const char *h, size_t hlen, uint64_t off, size_t len,
          uint64_t *more)
{
	const char *e = h + hlen, *m, *repo, *topic, *t;
	size_t mn, rn, tn, timen;
	const char *p = plain_str(lit(h, e, "{\"jsonrpc\":\"2.0\",\"method\":"), e, &m, &mn);
	p = lit(p, e, ",\"params\":{\"cursor\":");
	if (p == NULL || p >= e || *p < '1' || *p > '9')
		return -1;
	uint64_t seq;
	p = number(p, e, &seq);
	p = plain_str(lit(p, e, ",\"repo\":"), e, &repo, &rn);
	p = plain_str(lit(p, e, ",\"topic\":"), e, &topic, &tn);
	p = plain_str(lit(p, e, ",\"time\":"), e, &t, &timen);
	*more = 0;
	if (lit(p, e, ",\"more\":"))
		p = number(lit(p, e, ",\"more\":"), e, more);
	if (lit(p, e, ",\"data\":") == NULL || seq <= j->last || timen >= 64)
		return -1;
	char ts[64];
	int64_t when;
	memcpy(ts, t, timen);
	ts[timen] = '\0';
	if (date_parse(ts, "UTC", NULL, &when, NULL) < 0)
		return -1;
	return push(j, seq, repo, rn, topic, tn, when, off, len + 1);
}

/* Index the line of len bytes (newline not counted) at off, whose first
 * hlen bytes are in head; *more is how many lines of its group follow it.
 * Returns 0, or -1 when it ends the readable part (with err_msg() set
 * only for an I/O error, in *io). */
static int
take_line(struct journal *j, const char *head, size_t hlen, uint64_t off, size_t len, int last,
          int *io, uint64_t *more)
{
	if (!last && take_head(j, head, hlen, off, len, more) == 0)
		return 0;
	char *line = xmalloc(len + 1);
	int rc = -1;
	if (pread_all(j->fd, line, len, off) < 0) {
		*io = 1;
		err_set("cannot read the history journal %s: %s", j->path, strerror(errno));
	} else {
		rc = take_parsed(j, line, len, off, more);
	}
	free(line);
	return rc;
}

/* Where an unfinished group began: the journal ends at the last line of
 * a whole group, never inside one. */
struct group {
	uint64_t off;    /* where its first line starts */
	size_t n;        /* entries indexed before it */
	uint64_t expect; /* the "more" its next line must carry + 1; 0: none open */
};

/* Follow the group a line just indexed belongs to; off is where the line
 * starts and n the entries indexed before it. *good moves only to the
 * end of a whole group or of a line outside groups. */
static void
follow_group(struct group *g, uint64_t more, uint64_t off, size_t n, uint64_t end, uint64_t *good)
{
	if (g->expect && more + 1 != g->expect)
		g->expect = 0; /* not the line its group promised: that group ends here */
	if (g->expect == 0 && more) {
		g->off = off;
		g->n = n;
	}
	g->expect = more;
	if (more == 0)
		*good = end;
}

/* Forget the entries of an unfinished group: they were never delivered. */
static void
drop_group(struct journal *j, const struct group *g)
{
	j->n = g->n;
	j->last = g->n ? j->v[g->n - 1].seq : 0;
}

/* Index every line; *good is where the readable part ends. */
static int
scan(struct journal *j, uint64_t size, uint64_t *good)
{
	char *buf = xmalloc(SCAN_CHUNK), head[HEAD_MAX];
	uint64_t pos = 0, start = 0, more = 0;
	size_t hlen = 0;
	struct group g = { 0, 0, 0 };
	int io = 0;
	*good = 0;
	while (pos < size) {
		size_t want = size - pos < SCAN_CHUNK ? (size_t)(size - pos) : SCAN_CHUNK;
		if (pread_all(j->fd, buf, want, pos) < 0) {
			err_set("cannot read the history journal %s: %s", j->path, strerror(errno));
			io = 1;
			break;
		}
		for (size_t at = 0; at < want;) {
			const char *nl = memchr(buf + at, '\n', want - at);
			size_t upto = nl ? (size_t)(nl - buf) : want;
			size_t take = upto - at < HEAD_MAX - hlen ? upto - at : HEAD_MAX - hlen;
			memcpy(head + hlen, buf + at, take);
			hlen += take;
			if (nl == NULL)
				break;
			uint64_t end = pos + upto; /* the newline */
			size_t before = j->n;
			if (end - start > MAX_JOURNAL_LINE ||
			    take_line(j, head, hlen, start, (size_t)(end - start), end + 1 == size,
			              &io, &more) < 0)
				goto out;
			follow_group(&g, more, start, before, end + 1, good);
			at = upto + 1;
			start = end + 1;
			hlen = 0;
		}
		pos += want;
		if (pos - start > MAX_JOURNAL_LINE)
			break;
	}
out:
	if (g.expect)
		drop_group(j, &g);
	free(buf);
	return io ? -1 : 0;
}

/* Index the file; cut it after the last good line. */
static int
load(struct journal *j)
{
	struct stat st;
	uint64_t good;
	if (fstat(j->fd, &st) < 0)
		return err_set("%s: %s", j->path, strerror(errno));
	if (scan(j, (uint64_t)st.st_size, &good) < 0)
		return -1;
	if (good < (uint64_t)st.st_size && ftruncate(j->fd, (off_t)good) < 0)
		return err_set("%s: cannot cut off a torn entry: %s", j->path, strerror(errno));
	j->size = good;
	return 0;
}

int
journal_open(const char *path, struct journal **out)
{
	struct journal *j = xcalloc(1, sizeof(*j));
	j->path = xstrdup(path);
	j->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (j->fd < 0) {
		err_set("cannot open the history journal %s: %s", path, strerror(errno));
		goto fail;
	}
	if (load(j) < 0)
		goto fail;
	*out = j;
	return 0;
fail:
	journal_close(j);
	return -1;
}

void
journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	if (j->fd >= 0)
		close(j->fd);
	for (size_t i = 0; i < j->nnames; i++)
		free(j->names[i]);
	free(j->names);
	free(j->v);
	free(j->path);
	free(j);
}

/* The line of item i of a group of n whose first cursor is seq, with its
 * newline, in *out (the caller's); 0, or -1 with the error set. */
static int
format_line(struct journal *j, const struct journal_item *it, uint64_t seq, uint64_t more,
            struct buf *out)
{
	char t[21];
	date_format_utc(it->time, t);
	json_t *params = json_pack("{s:I, s:s, s:s, s:s}", "cursor", (json_int_t)seq, "repo",
	                           it->repo, "topic", it->topic, "time", t);
	if (more)
		json_object_set_new(params, "more", json_integer((json_int_t)more));
	json_object_set(params, "data", it->data);
	json_t *o = json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method", it->topic, "params",
	                      params);
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (s == NULL)
		return err_set("cannot write the history journal %s: the %s notification is "
		               "not valid JSON",
		               j->path, it->topic);
	size_t len = strlen(s);
	if (len + 1 > MAX_JOURNAL_LINE) {
		free(s);
		return err_set("cannot write the history journal %s: the %s notification is "
		               "larger than %u MiB",
		               j->path, it->topic, MAX_JOURNAL_LINE >> 20);
	}
	buf_add(out, s, len);
	buf_addc(out, '\n');
	free(s);
	/* Room for the names first: a line written must be indexed. */
	if (intern(j, it->repo, strlen(it->repo)) < 0 || intern(j, it->topic, strlen(it->topic)) < 0)
		return err_set("the history journal %s names more than %u repositories and "
		               "topics; move it aside to start a new history",
		               j->path, MAX_NAMES);
	return 0;
}

int
journal_append_group(struct journal *j, const struct journal_item *items, size_t n,
                     struct journal_entry *out)
{
	struct buf all = { 0 };
	size_t *ends = xcalloc(n ? n : 1, sizeof(*ends));
	int rc = -1;
	for (size_t i = 0; i < n; i++) {
		if (format_line(j, &items[i], j->last + 1 + i, n - 1 - i, &all) < 0)
			goto out;
		ends[i] = all.len;
	}
	uint64_t off = j->size;
	/* One write and one sync for the group: on replay a group cut short
	 * by a crash is dropped whole (its lines were never delivered). */
	if (write_all(j->fd, all.data, all.len) < 0 || fdatasync(j->fd) < 0) {
		err_set("cannot write the history journal %s: %s", j->path, strerror(errno));
		if (ftruncate(j->fd, (off_t)off) < 0)
			err_set("cannot write the history journal %s: %s", j->path,
			        strerror(errno));
		goto out;
	}
	j->size = off + all.len;
	for (size_t i = 0; i < n; i++) {
		size_t from = i ? ends[i - 1] : 0, len = ends[i] - from;
		const struct journal_item *it = &items[i];
		push(j, j->last + 1, it->repo, strlen(it->repo), it->topic, strlen(it->topic),
		     it->time, off + from, len);
		journal_entry_at(j, j->n - 1, &out[i]);
		out[i].line = xstrndup(all.data + from, len);
	}
	rc = 0;
out:
	free(ends);
	buf_free(&all);
	return rc;
}

int
journal_append(struct journal *j, const char *repo, const char *topic, int64_t time, json_t *data,
               struct journal_entry *out)
{
	struct journal_item it = { repo, topic, time, data };
	return journal_append_group(j, &it, 1, out);
}

size_t
journal_count(const struct journal *j)
{
	return j->n;
}

size_t
journal_after(const struct journal *j, uint64_t cursor)
{
	size_t lo = 0, hi = j->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (j->v[mid].seq <= cursor)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
journal_entry_at(const struct journal *j, size_t i, struct journal_entry *e)
{
	const struct jent *x = &j->v[i];
	*e = (struct journal_entry){ x->seq, j->names[x->repo], j->names[x->topic], x->time, NULL,
		                     x->len };
}

int
journal_read(const struct journal *j, size_t i, struct journal_entry *e)
{
	const struct jent *x = &j->v[i];
	journal_entry_at(j, i, e);
	char *line = xmalloc((size_t)x->len + 1);
	errno = 0;
	if (pread_all(j->fd, line, x->len, x->off) < 0 || line[x->len - 1] != '\n') {
		free(line);
		return err_set("cannot read cursor %llu back from the history journal %s: %s",
		               (unsigned long long)x->seq, j->path,
		               errno ? strerror(errno) : "the file was changed by hand");
	}
	line[x->len] = '\0';
	e->line = line;
	return 0;
}

json_t *
journal_data(const struct journal_entry *e)
{
	json_error_t je;
	json_t *o = json_loadb(e->line, e->len, 0, &je);
	json_t *d = json_incref(json_object_get(json_object_get(o, "params"), "data"));
	json_decref(o);
	return d;
}

json_t *
journal_data_at(const struct journal *j, size_t i)
{
	struct journal_entry e;
	if (journal_read(j, i, &e) < 0)
		return NULL;
	json_t *d = journal_data(&e);
	free(e.line);
	if (d == NULL)
		err_set("cursor %llu of the history journal %s is not a notification",
		        (unsigned long long)e.seq, j->path);
	return d;
}

uint64_t
journal_last(const struct journal *j)
{
	return j->last;
}

const char *
journal_path(const struct journal *j)
{
	return j->path;
}
