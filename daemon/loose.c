/* loose.c - check loose objects with zlib before libgit2 reads them (see
 * loose.h for why). An object file's name is its hash, so a sound one
 * stays sound until it is removed; the cache makes a daemon read each
 * once. */
#include "loose.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <git2.h>

#include "util.h"

struct seen {
	char *path;
	off_t size;
	int64_t mtime;
};

static struct {
	pthread_mutex_t mu;
	struct seen *v; /* open addressing; path NULL: free */
	size_t n, cap;
} cache = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0 };

static size_t
hash(const char *s)
{
	size_t h = 5381;
	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static int64_t
mtime_of(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* The slot of path (its entry, or the free slot for it). Lock held. */
static struct seen *
slot(const char *path)
{
	size_t i = hash(path) & (cache.cap - 1);
	while (cache.v[i].path && strcmp(cache.v[i].path, path) != 0)
		i = (i + 1) & (cache.cap - 1);
	return &cache.v[i];
}

static int
known(const char *path, const struct stat *st)
{
	pthread_mutex_lock(&cache.mu);
	const struct seen *e = cache.cap ? slot(path) : NULL;
	int yes = e && e->path && e->size == st->st_size && e->mtime == mtime_of(st);
	pthread_mutex_unlock(&cache.mu);
	return yes;
}

static void
remember(const char *path, const struct stat *st)
{
	pthread_mutex_lock(&cache.mu);
	if ((cache.n + 1) * 2 > cache.cap) {
		struct seen *old = cache.v;
		size_t oldcap = cache.cap;
		cache.cap = cache.cap ? cache.cap * 2 : 1024;
		cache.v = xcalloc(cache.cap, sizeof(*cache.v));
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].path)
				*slot(old[i].path) = old[i];
		free(old);
	}
	struct seen *e = slot(path);
	if (e->path == NULL) {
		e->path = xstrdup(path);
		cache.n++;
	}
	e->size = st->st_size;
	e->mtime = mtime_of(st);
	pthread_mutex_unlock(&cache.mu);
}

/* This thread's session: the objects directory checked in it. */
static _Thread_local int in_session;
static _Thread_local char *session_dir;

void
loose_session_begin(void)
{
	in_session = 1;
}

void
loose_session_end(void)
{
	in_session = 0;
	free(session_dir);
	session_dir = NULL;
}

void
loose_forget(void)
{
	pthread_mutex_lock(&cache.mu);
	for (size_t i = 0; i < cache.cap; i++)
		free(cache.v[i].path);
	free(cache.v);
	cache.v = NULL;
	cache.n = cache.cap = 0;
	pthread_mutex_unlock(&cache.mu);
}

/* Parse "<type> <size>" NUL at the start of h (n bytes); the header's
 * length with the NUL, or 0 when it is not one. */
static size_t
header(const unsigned char *h, size_t n, uint64_t *size)
{
	static const char *const types[] = { "blob ", "tree ", "commit ", "tag " };
	size_t i = 0;
	for (size_t t = 0; t < NELEM(types) && i == 0; t++) {
		size_t len = strlen(types[t]);
		if (n >= len && memcmp(h, types[t], len) == 0)
			i = len;
	}
	if (i == 0 || i >= n || h[i] < '0' || h[i] > '9')
		return 0;
	*size = 0;
	for (; i < n && h[i] >= '0' && h[i] <= '9'; i++) {
		if (*size > (UINT64_MAX - 9) / 10)
			return 0;
		*size = *size * 10 + (uint64_t)(h[i] - '0');
	}
	return i < n && h[i] == '\0' ? i + 1 : 0;
}

/* What is wrong with the object in file fd, or NULL when it is sound. */
static const char *
damage(int fd)
{
	unsigned char in[16384], out[65536], hdr[64];
	size_t nhdr = 0;
	uint64_t total = 0, size = 0;
	z_stream z;
	int zr = Z_OK;
	const char *why = NULL;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return "unreadable (zlib cannot start)";
	while (zr != Z_STREAM_END && why == NULL) {
		ssize_t got = read(fd, in, sizeof(in));
		if (got < 0) {
			why = "unreadable";
			break;
		}
		if (got == 0) {
			why = "truncated";
			break;
		}
		z.next_in = in;
		z.avail_in = (uInt)got;
		while (z.avail_in > 0 && zr != Z_STREAM_END) {
			z.next_out = out;
			z.avail_out = sizeof(out);
			zr = inflate(&z, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
				why = "not a valid compressed object";
				break;
			}
			size_t produced = sizeof(out) - z.avail_out;
			for (size_t k = 0; k < produced && nhdr < sizeof(hdr); k++)
				hdr[nhdr++] = out[k];
			total += produced;
			if (zr == Z_BUF_ERROR && produced == 0 && z.avail_in > 0) {
				why = "not a valid compressed object"; /* no progress */
				break;
			}
		}
	}
	inflateEnd(&z);
	if (why)
		return why;
	size_t hl = header(hdr, nhdr, &size);
	if (hl == 0)
		return "not a git object (no type and size header)";
	if (total != hl + size)
		return total < hl + size ? "truncated" : "longer than its header says";
	return NULL;
}

static int
is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[n] == '\0';
}

/* Check one object file; 0 or -1 with err_msg(). */
static int
check_file(const char *path, const char *xx, const char *name)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || known(path, &st))
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* removed since listed (git gc) */
	const char *why = damage(fd);
	close(fd);
	if (why)
		return err_set("the repository's object store is damaged: object %s%s (%s) is %s; "
		               "`git fsck` lists the damage, and a fresh clone or a backup of the "
		               "repository repairs it",
		               xx, name, path, why);
	remember(path, &st);
	return 0;
}

/* Check the objects of fan-out directory objdir/xx. Every file is
 * stat'ed each time: damage is made in place (a disk error, a crash
 * mid-write of a copy), which a directory's time does not show. */
static int
check_fanout(const char *objdir, const char *xx)
{
	char *dir = xasprintf("%s/%s", objdir, xx);
	DIR *d = opendir(dir);
	int rc = 0;
	struct dirent *de;
	if (d == NULL) {
		free(dir);
		return 0;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (!is_hex(de->d_name, 38))
			continue; /* git's temporary files and anything else */
		char *path = xasprintf("%s/%s", dir, de->d_name);
		rc = check_file(path, xx, de->d_name);
		free(path);
	}
	closedir(d);
	free(dir);
	return rc;
}

int
loose_check(const char *objdir)
{
	if (in_session && session_dir && strcmp(session_dir, objdir) == 0)
		return 0;
	DIR *d = opendir(objdir);
	struct dirent *de;
	int rc = 0;
	if (d == NULL)
		return 0; /* libgit2 reports a missing object store itself */
	while (rc == 0 && (de = readdir(d)) != NULL)
		if (is_hex(de->d_name, 2))
			rc = check_fanout(objdir, de->d_name);
	closedir(d);
	if (rc == 0 && in_session) {
		free(session_dir);
		session_dir = xstrdup(objdir);
	}
	return rc;
}

int
loose_check_repo(git_repository *r)
{
	char *objdir = xasprintf("%sobjects", git_repository_commondir(r));
	int rc = loose_check(objdir);
	free(objdir);
	return rc;
}
