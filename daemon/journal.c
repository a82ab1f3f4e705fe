/* journal.c - an append-only file of notification lines, fsync'd. Lines
 * are self-describing JSON, so the file is also the history an auditor
 * can read with any JSON tool. */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "util.h"

#define MAX_JOURNAL_LINE (256u << 20)

struct journal {
	int fd;
	char *path;
	struct journal_entry *v;
	size_t n, cap;
	uint64_t last;
};

static void
push(struct journal *j, uint64_t seq, const char *repo, const char *topic, int64_t time,
     const char *line, size_t len)
{
	if (j->n == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 64;
		j->v = xreallocarray(j->v, j->cap, sizeof(*j->v));
	}
	struct journal_entry *e = &j->v[j->n++];
	e->seq = seq;
	e->repo = xstrdup(repo);
	e->topic = xstrdup(topic);
	e->time = time;
	e->line = xmalloc(len + 2);
	memcpy(e->line, line, len);
	e->line[len] = '\n';
	e->line[len + 1] = '\0';
	e->len = len + 1;
	j->last = seq;
}

/* Take one stored line back: 0, or -1 when it is not a journal line. */
static int
parse_line(struct journal *j, const char *line, size_t len)
{
	json_error_t je;
	json_t *o = json_loadb(line, len, 0, &je);
	json_t *p = o ? json_object_get(o, "params") : NULL;
	json_t *seq = json_object_get(p, "cursor");
	const char *repo = json_string_value(json_object_get(p, "repo"));
	const char *topic = json_string_value(json_object_get(p, "topic"));
	const char *t = json_string_value(json_object_get(p, "time"));
	int64_t when = 0;
	int rc = -1;
	if (json_is_integer(seq) && repo && topic && t &&
	    (uint64_t)json_integer_value(seq) > j->last &&
	    date_parse(t, "UTC", NULL, &when, NULL) == 0) {
		push(j, (uint64_t)json_integer_value(seq), repo, topic, when, line, len);
		rc = 0;
	}
	json_decref(o);
	return rc;
}

/* Read every line back; cut the file after the last good one. */
static int
replay(struct journal *j)
{
	char *data = NULL;
	size_t len = 0, good = 0;
	struct stat st;
	if (fstat(j->fd, &st) < 0)
		return err_set("%s: %s", j->path, strerror(errno));
	if (st.st_size == 0)
		return 0;
	if (read_file(j->path, (size_t)st.st_size + 1, &data, &len) < 0)
		return -1;
	for (size_t at = 0; at < len;) {
		char *nl = memchr(data + at, '\n', len - at);
		if (nl == NULL || (size_t)(nl - data - at) > MAX_JOURNAL_LINE ||
		    parse_line(j, data + at, (size_t)(nl - data - at)) < 0)
			break;
		at = (size_t)(nl - data) + 1;
		good = at;
	}
	free(data);
	if (good < len && ftruncate(j->fd, (off_t)good) < 0)
		return err_set("%s: cannot cut off a torn entry: %s", j->path, strerror(errno));
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
	if (replay(j) < 0)
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
	for (size_t i = 0; i < j->n; i++) {
		free(j->v[i].repo);
		free(j->v[i].topic);
		free(j->v[i].line);
	}
	free(j->v);
	free(j->path);
	free(j);
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

const struct journal_entry *
journal_append(struct journal *j, const char *repo, const char *topic, int64_t time, json_t *data)
{
	char t[21];
	uint64_t seq = j->last + 1;
	date_format_utc(time, t);
	json_t *o = json_pack("{s:s, s:s, s:{s:I, s:s, s:s, s:s, s:O}}", "jsonrpc", "2.0", "method",
	                      topic, "params", "cursor", (json_int_t)seq, "repo", repo, "topic",
	                      topic, "time", t, "data", data);
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	size_t len = strlen(s);
	s[len] = '\n'; /* json_dumps leaves room: we write len+1 below */
	off_t end = lseek(j->fd, 0, SEEK_END);
	if (write_all(j->fd, s, len + 1) < 0 || fdatasync(j->fd) < 0) {
		err_set("cannot write the history journal %s: %s", j->path, strerror(errno));
		if (end >= 0 && ftruncate(j->fd, end) < 0)
			err_set("cannot write the history journal %s: %s", j->path,
			        strerror(errno));
		free(s);
		return NULL;
	}
	push(j, seq, repo, topic, time, s, len);
	free(s);
	return &j->v[j->n - 1];
}

size_t
journal_entries(const struct journal *j, const struct journal_entry **v)
{
	*v = j->v;
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

uint64_t
journal_last(const struct journal *j)
{
	return j->last;
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
