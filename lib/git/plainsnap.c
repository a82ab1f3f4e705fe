/* plainsnap.c - snapshots from memory or from a plain directory. */
#include "plainsnap.h"

#include "alloc.h"
#include "err.h"
#include "problems.h"
#include "sys.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int
cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct snapshot_file *)a)->path,
	              ((const struct snapshot_file *)b)->path);
}

static void
add_file(struct snapshot *s, const char *path, char *data, size_t len, int64_t t,
         const char *author)
{
	s->files = xreallocarray(s->files, s->nfiles + 1, sizeof(*s->files));
	struct snapshot_file *f = &s->files[s->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->data = data;
	f->len = len;
	snprintf(f->commit, sizeof(f->commit), "%040d", 0);
	f->time = t;
	f->author = author ? xstrdup(author) : NULL;
}

static struct snapshot *
new_snapshot(int64_t t)
{
	struct snapshot *s = xcalloc(1, sizeof(*s));
	snprintf(s->commit, sizeof(s->commit), "%040d", 0);
	s->commit_time = t;
	s->ref = xstrdup("fixture");
	return s;
}

struct snapshot *
plainsnap_memory(const char *const *paths, const char *const *data, size_t n, int64_t t,
                 const char *author)
{
	struct snapshot *s = new_snapshot(t);
	for (size_t i = 0; i < n; i++)
		add_file(s, paths[i], xstrdup(data[i]), strlen(data[i]), t, author);
	qsort(s->files, s->nfiles, sizeof(*s->files), cmp_file);
	return s;
}

static int
walk(struct snapshot *s, const char *root, const char *rel, int64_t t, int depth)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s%s%s", root, *rel ? "/" : "", rel);
	DIR *d = opendir(dir);
	if (d == NULL)
		return err_set("%s: %s", dir, strerror(errno));
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, ".git") == 0)
			continue;
		char sub[4096], full[8192];
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		snprintf(full, sizeof(full), "%s/%s", root, sub);
		struct stat st;
		if (lstat(full, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			problems_add(&s->problems, sub, 0,
			             "is a symbolic link; ISMS "
			             "records are not followed through links");
		} else if (S_ISDIR(st.st_mode)) {
			if (depth < 32)
				rc = walk(s, root, sub, t, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			char *data;
			size_t len;
			if (read_file(full, SNAPSHOT_DEFAULT_MAX_BLOB, &data, &len) < 0)
				problems_add(&s->problems, sub, 0, "%s", err_msg());
			else
				add_file(s, sub, data, len, t, NULL);
		}
	}
	closedir(d);
	return rc;
}

int
plainsnap_dir(const char *dir, int64_t t, struct snapshot **out)
{
	struct snapshot *s = new_snapshot(t);
	if (walk(s, dir, "", t, 0) < 0) {
		snapshot_free(s);
		return -1;
	}
	qsort(s->files, s->nfiles, sizeof(*s->files), cmp_file);
	*out = s;
	return 0;
}
