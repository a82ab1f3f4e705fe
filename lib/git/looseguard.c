/* looseguard.c - check loose objects with zlib before libgit2 reads them (see
 * looseguard.h for why). An object file's name is its hash, so a sound one
 * stays sound until it is removed; the cache makes a daemon read each
 * once. */
#include "looseguard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <git2.h>
#include <git2/sys/odb_backend.h>

#include "cdefs.h"
#include "alloc.h"
#include "err.h"

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

/* Check the objects of fan-out directory objdir/xx whose names start
 * with rest ("" for all). Every file is stat'ed each time: damage is made
 * in place (a disk error, a crash mid-write of a copy), which a
 * directory's time does not show. */
static int
check_fanout(const char *objdir, const char *xx, const char *rest)
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
		if (!is_hex(de->d_name, 38) || strncmp(de->d_name, rest, strlen(rest)) != 0)
			continue; /* git's temporary files and anything else */
		char *path = xasprintf("%s/%s", dir, de->d_name);
		rc = check_file(path, xx, de->d_name);
		free(path);
	}
	closedir(d);
	free(dir);
	return rc;
}

/* The guard: an object database backend that libgit2 asks first (it has
 * the highest priority) and that reads nothing itself. For an object
 * stored loose it checks the file (check_file, remembered once sound) and
 * answers GIT_PASSTHROUGH, so that libgit2's own backends read it, or
 * fails naming the damage; an object not stored loose passes through
 * unchecked. So libgit2 never opens a damaged loose object, and what is
 * checked is what is read, however many loose objects the store holds. */
struct guard {
	git_odb_backend parent;
	char *objdir;
};

/* GIT_PASSTHROUGH, or GIT_ERROR with libgit2's error set to the damage. */
static int
passthrough(int rc)
{
	if (rc == 0)
		return GIT_PASSTHROUGH;
	git_error_set_str(GIT_ERROR_ODB, err_msg());
	return GIT_ERROR;
}

/* Check the loose objects the first n hex digits of id may name: the one
 * object for a whole id, every match for an abbreviated one. */
static int
guard_id(git_odb_backend *b, const git_oid *id, size_t n)
{
	char hex[GIT_OID_HEXSZ + 1], xx[3];
	if (n < 2)
		return GIT_PASSTHROUGH;
	const char *objdir = ((struct guard *)b)->objdir;
	git_oid_tostr(hex, sizeof(hex), id);
	memcpy(xx, hex, 2);
	xx[2] = '\0';
	if (n < GIT_OID_HEXSZ) {
		hex[n] = '\0';
		return passthrough(check_fanout(objdir, xx, hex + 2));
	}
	/* The common case, one file: no directory listing. */
	char *path = xasprintf("%s/%s/%s", objdir, xx, hex + 2);
	int rc = check_file(path, xx, hex + 2);
	free(path);
	return passthrough(rc);
}

static int
guard_read(void **data, size_t *len, git_object_t *type, git_odb_backend *b, const git_oid *id)
{
	return guard_id(b, id, GIT_OID_HEXSZ);
}

static int
guard_read_header(size_t *len, git_object_t *type, git_odb_backend *b, const git_oid *id)
{
	return guard_id(b, id, GIT_OID_HEXSZ);
}

static int
guard_read_prefix(git_oid *out, void **data, size_t *len, git_object_t *type, git_odb_backend *b,
                  const git_oid *prefix, size_t n)
{
	return guard_id(b, prefix, n);
}

static void
guard_free(git_odb_backend *b)
{
	struct guard *g = (struct guard *)b;
	free(g->objdir);
	free(g);
}

int
looseguard_attach(git_repository *r)
{
	git_odb *odb = NULL;
	if (git_repository_odb(&odb, r) < 0) {
		const git_error *e = git_error_last();
		return err_set("cannot open the object database: %s",
		               e && e->message ? e->message : "unknown error");
	}
	struct guard *g = xcalloc(1, sizeof(*g));
	git_odb_init_backend(&g->parent, GIT_ODB_BACKEND_VERSION);
	g->parent.read = guard_read;
	g->parent.read_header = guard_read_header;
	g->parent.read_prefix = guard_read_prefix;
	g->parent.free = guard_free;
	g->objdir = xasprintf("%sobjects", git_repository_commondir(r));
	int rc = 0;
	if (git_odb_add_backend(odb, &g->parent, INT_MAX) < 0) {
		guard_free(&g->parent);
		rc = err_set("cannot guard the object database of %s", git_repository_commondir(r));
	}
	git_odb_free(odb);
	return rc;
}
