/* config.c - the daemon's configuration file: YAML, every key documented
 * in docs/ismsd.conf.md, every problem reported as file:line. */
#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc.h"
#include "alloc.h"
#include "err.h"
#include "problems.h"
#include "suggest.h"
#include "sys.h"

#define MAX_CONFIG_BYTES (1u << 20)

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->socket = xstrdup(ISMSD_DEFAULT_SOCKET);
	c->state_dir = xstrdup(ISMSD_DEFAULT_STATE);
	c->log_level = LOG_LVL_INFO;
	c->max_clients = 1024;
	c->idle_timeout = 300;
	c->eval_threads = 2;
	c->eval_timeout = 120;
	c->asof_cache = 16;
	c->model_cache = 64;
	c->checkpoint_full_every = 16;
	c->max_message = 1u << 20;
	c->subscriber_buffer = 8u << 20;
}

void
config_repo_free(struct repo_conf *r)
{
	free(r->name);
	free(r->path);
	free(r->url);
	free(r->ref);
	free(r->rules);
}

static void
plugin_entry_free(struct plugin_entry *p)
{
	free(p->name);
	free(p->path);
	free(p->config);
	free(p->origin);
}

void
config_free(struct config *c)
{
	free(c->file);
	free(c->socket);
	free(c->listen_tcp);
	free(c->http_listen);
	free(c->http_tokens);
	free(c->state_dir);
	free(c->pidfile);
	free(c->sign_key);
	free(c->shard);
	free(c->rules);
	free(c->write_uids);
	free(c->write_gids);
	for (size_t i = 0; i < c->nrepos; i++)
		config_repo_free(&c->repos[i]);
	free(c->repos);
	for (size_t i = 0; i < c->nplugins; i++)
		plugin_entry_free(&c->plugins[i]);
	free(c->plugins);
	memset(c, 0, sizeof(*c));
}

/* Parsing context: the file name for messages and the problem list. */
struct ctx {
	const char *file;
	struct problems *errs;
};

static void
bad(struct ctx *x, const struct node *n, const char *key, const char *what)
{
	problems_add(x->errs, x->file, n ? n->line : 0, "'%s' %s", key, what);
}

static void
set_str(struct ctx *x, const struct node *n, const char *key, char **dst)
{
	if (n->kind != NODE_STRING || n->len == 0) {
		bad(x, n, key, "must be a non-empty text");
		return;
	}
	free(*dst);
	*dst = xstrndup(n->str, n->len);
}

static void
set_int(struct ctx *x, const struct node *n, const char *key, long long lo, long long hi,
        long long *dst)
{
	if (n->kind != NODE_INT || n->i < lo || n->i > hi) {
		problems_add(x->errs, x->file, n->line,
		             "'%s' must be a whole number from %lld to %lld", key, lo, hi);
		return;
	}
	*dst = n->i;
}

static void
set_bool(struct ctx *x, const struct node *n, const char *key, int *dst)
{
	if (n->kind != NODE_BOOL) {
		bad(x, n, key, "must be true or false");
		return;
	}
	*dst = (int)n->i;
}

/* A user or group given by name or number. */
static int
id_of(const struct node *n, int group, unsigned *out)
{
	if (n->kind == NODE_INT && n->i >= 0 && n->i < 0x7fffffff) {
		*out = (unsigned)n->i;
		return 0;
	}
	if (n->kind != NODE_STRING)
		return -1;
	char *name = xstrndup(n->str, n->len);
	int rc = -1;
	if (group) {
		struct group *g = getgrnam(name);
		if (g) {
			*out = g->gr_gid;
			rc = 0;
		}
	} else {
		struct passwd *p = getpwnam(name);
		if (p) {
			*out = p->pw_uid;
			rc = 0;
		}
	}
	free(name);
	return rc;
}

static void
set_ids(struct ctx *x, const struct node *n, const char *key, int group, unsigned **dst,
        size_t *ndst)
{
	if (n->kind != NODE_SEQ) {
		bad(x, n, key, "must be a list of user or group names or numbers");
		return;
	}
	free(*dst);
	*dst = xcalloc(n->n + 1, sizeof(**dst));
	*ndst = 0;
	for (size_t i = 0; i < n->n; i++) {
		if (id_of(n->items[i], group, &(*dst)[*ndst]) < 0)
			problems_add(x->errs, x->file, n->items[i]->line, "'%s': no such %s '%.*s'",
			             key, group ? "group" : "user", (int)n->items[i]->len,
			             n->items[i]->str ? n->items[i]->str : "");
		else
			(*ndst)++;
	}
}

static int
name_ok(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                 "0123456789._-") == strlen(s);
}

static void
parse_repo(struct ctx *x, const struct node *m, struct repo_conf *r)
{
	long long v;
	if (m->kind != NODE_MAP) {
		problems_add(x->errs, x->file, m->line,
		             "each repository must be a map with name and path or url");
		return;
	}
	for (size_t i = 0; i < m->n; i++) {
		const char *k = m->keys[i];
		const struct node *n = m->items[i];
		if (strcmp(k, "name") == 0)
			set_str(x, n, k, &r->name);
		else if (strcmp(k, "path") == 0)
			set_str(x, n, k, &r->path);
		else if (strcmp(k, "url") == 0)
			set_str(x, n, k, &r->url);
		else if (strcmp(k, "ref") == 0)
			set_str(x, n, k, &r->ref);
		else if (strcmp(k, "rules") == 0)
			set_str(x, n, k, &r->rules);
		else if (strcmp(k, "poll_interval") == 0) {
			v = r->poll_interval;
			set_int(x, n, k, 0, 86400, &v);
			r->poll_interval = (int)v;
		} else if (strcmp(k, "fetch_interval") == 0) {
			v = r->fetch_interval;
			set_int(x, n, k, 1, 86400, &v);
			r->fetch_interval = (int)v;
		} else {
			static const char *const keys[] = {
				"name",          "path",           "url", "ref", "rules",
				"poll_interval", "fetch_interval", NULL
			};
			char h[160];
			problems_add(x->errs, x->file, m->key_lines[i],
			             "unknown repository setting '%s'%s", k,
			             suggest_among(k, keys, SIZE_MAX, h, sizeof(h)));
		}
	}
}

static void
parse_repos(struct ctx *x, const struct node *n, struct config *c)
{
	if (n->kind != NODE_SEQ) {
		bad(x, n, "repositories", "must be a list");
		return;
	}
	for (size_t i = 0; i < n->n && c->nrepos < ISMSD_MAX_REPOS; i++) {
		c->repos = xreallocarray(c->repos, c->nrepos + 1, sizeof(*c->repos));
		struct repo_conf *r = &c->repos[c->nrepos++];
		memset(r, 0, sizeof(*r));
		r->poll_interval = 5;
		r->fetch_interval = 60;
		r->line = n->items[i]->line;
		parse_repo(x, n->items[i], r);
	}
	if (n->n > ISMSD_MAX_REPOS)
		problems_add(x->errs, x->file, n->line, "more than %d repositories",
		             ISMSD_MAX_REPOS);
}

/* A YAML node as JSON, the caller's; NULL when a number has no JSON form. */
static json_t *
node_json(const struct node *n)
{
	json_t *o, *v;
	switch (n->kind) {
	case NODE_NULL: return json_null();
	case NODE_BOOL: return json_boolean(n->i);
	case NODE_INT: return json_integer((json_int_t)n->i);
	case NODE_FLOAT: return json_real(n->f);
	case NODE_STRING: return json_stringn(n->str, n->len);
	case NODE_SEQ:
		o = json_array();
		for (size_t i = 0; i < n->n; i++) {
			if ((v = node_json(n->items[i])) == NULL)
				goto bad;
			json_array_append_new(o, v);
		}
		return o;
	case NODE_MAP:
		o = json_object();
		for (size_t i = 0; i < n->n; i++) {
			if ((v = node_json(n->items[i])) == NULL)
				goto bad;
			json_object_set_new(o, n->keys[i], v);
		}
		return o;
	}
	return NULL;
bad:
	json_decref(o);
	return NULL;
}

const char *
config_plugin_dir(void)
{
	static char dir[4096];
	char exe[4000], probe[4200];
	struct stat st;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			/* build/ismsd beside build/libisms.a: the build tree */
			snprintf(probe, sizeof(probe), "%s/libisms.a", exe);
			if (stat(probe, &st) == 0) {
				snprintf(dir, sizeof(dir), "%s/plugins", exe);
				return dir;
			}
			/* PREFIX/bin/ismsd: the installed tree it belongs to,
			 * also under a DESTDIR or after a move */
			snprintf(dir, sizeof(dir), "%s/../lib/ismsd/plugins", exe);
			if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
				return dir;
		}
	}
	return ISMS_LIBDIR "/plugins";
}

/* A plugin's path: absolute, or a bare name (exec, exec.so) looked up in
 * config_plugin_dir. */
static void
set_plugin_path(struct ctx *x, const struct node *n, char **dst)
{
	set_str(x, n, "path", dst);
	if (*dst == NULL || n->kind != NODE_STRING || (*dst)[0] == '/')
		return;
	size_t l = strlen(*dst);
	int so = l > 3 && strcmp(*dst + l - 3, ".so") == 0;
	if (strchr(*dst, '/') || strspn(*dst, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                                      "0123456789_-.") != l) {
		problems_add(x->errs, x->file, n->line,
		             "plugin path '%s' must be absolute or "
		             "the bare name of an installed plugin (exec, syslog, webhook, "
		             "prometheus)",
		             *dst);
		free(*dst);
		*dst = NULL;
		return;
	}
	char *full = xasprintf("%s/%s%s", config_plugin_dir(), *dst, so ? "" : ".so");
	free(*dst);
	*dst = full;
}

static void
set_plugin_config(struct ctx *x, const struct node *n, char **dst)
{
	json_t *j = NULL;
	if (n->kind != NODE_MAP && n->kind != NODE_NULL) {
		bad(x, n, "config", "must be a map of the plugin's settings");
		return;
	}
	if (n->kind == NODE_MAP && (j = node_json(n)) == NULL) {
		bad(x, n, "config", "holds a number that JSON cannot carry (inf or nan)");
		return;
	}
	free(*dst);
	*dst = j ? json_dumps(j, JSON_COMPACT) : xstrdup("{}");
	json_decref(j);
}

static void
parse_plugin(struct ctx *x, const struct node *m, struct plugin_entry *p)
{
	long long v;
	if (m->kind != NODE_MAP) {
		problems_add(x->errs, x->file, m->line,
		             "each plugin must be a map with at least a path");
		return;
	}
	for (size_t i = 0; i < m->n; i++) {
		const char *k = m->keys[i];
		const struct node *n = m->items[i];
		if (strcmp(k, "name") == 0) {
			set_str(x, n, k, &p->name);
			if (p->name &&
			    (strlen(p->name) > 64 ||
			     strspn(p->name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0"
			                     "123456789_-") != strlen(p->name)))
				problems_add(x->errs, x->file, n->line,
				             "plugin name '%s' may only "
				             "hold letters, digits, '_' and '-' (at most 64)",
				             p->name);
		} else if (strcmp(k, "path") == 0)
			set_plugin_path(x, n, &p->path);
		else if (strcmp(k, "config") == 0)
			set_plugin_config(x, n, &p->config);
		else if (strcmp(k, "queue_max") == 0) {
			v = (long long)p->queue_max;
			set_int(x, n, k, 1, 1000000, &v);
			p->queue_max = (size_t)v;
		} else {
			static const char *const keys[] = { "name", "path", "config", "queue_max",
				                            NULL };
			char h[160];
			problems_add(x->errs, x->file, m->key_lines[i],
			             "unknown plugin setting '%s'%s", k,
			             suggest_among(k, keys, SIZE_MAX, h, sizeof(h)));
		}
	}
	if (p->path == NULL && node_get(m, "path") == NULL)
		problems_add(x->errs, x->file, m->line, "a plugin needs a 'path'");
}

static void
parse_plugins(struct ctx *x, const struct node *n, struct config *c)
{
	if (n->kind != NODE_SEQ) {
		bad(x, n, "plugins", "must be a list");
		return;
	}
	for (size_t i = 0; i < n->n && c->nplugins < ISMSD_MAX_PLUGINS; i++) {
		c->plugins = xreallocarray(c->plugins, c->nplugins + 1, sizeof(*c->plugins));
		struct plugin_entry *p = &c->plugins[c->nplugins++];
		memset(p, 0, sizeof(*p));
		p->origin = xasprintf("%s:%d", x->file, n->items[i]->line);
		parse_plugin(x, n->items[i], p);
		for (size_t k = 0; p->name && k + 1 < c->nplugins; k++)
			if (c->plugins[k].name && strcmp(c->plugins[k].name, p->name) == 0)
				problems_add(x->errs, x->file, n->items[i]->line,
				             "two plugins are named '%s'", p->name);
	}
	if (n->n > ISMSD_MAX_PLUGINS)
		problems_add(x->errs, x->file, n->line, "more than %d plugins", ISMSD_MAX_PLUGINS);
}

/* The http section: listen, tokens, allow_remote, max_clients. */
static void
parse_http(struct ctx *x, const struct node *m, struct config *c)
{
	long long v;
	if (m->kind != NODE_MAP) {
		bad(x, m, "http", "must be a map with listen and tokens");
		return;
	}
	for (size_t i = 0; i < m->n; i++) {
		const char *k = m->keys[i];
		const struct node *n = m->items[i];
		if (strcmp(k, "listen") == 0)
			set_str(x, n, k, &c->http_listen);
		else if (strcmp(k, "tokens") == 0)
			set_str(x, n, k, &c->http_tokens);
		else if (strcmp(k, "allow_remote") == 0)
			set_bool(x, n, k, &c->http_allow_remote);
		else if (strcmp(k, "max_clients") == 0) {
			v = (long long)c->http_max_clients;
			set_int(x, n, k, 1, 1000000, &v);
			c->http_max_clients = (size_t)v;
		} else
			problems_add(x->errs, x->file, m->key_lines[i], "unknown http setting '%s'",
			             k);
	}
	if (c->http_listen && c->http_tokens == NULL)
		problems_add(x->errs, x->file, m->line,
		             "'http' needs 'tokens', the file of bearer tokens");
}

static void
parse_key(struct ctx *x, const char *k, const struct node *n, struct config *c)
{
	long long v;
	if (strcmp(k, "socket") == 0) {
		set_str(x, n, k, &c->socket);
		c->socket_line = n->line;
	} else if (strcmp(k, "listen_tcp") == 0) {
		set_str(x, n, k, &c->listen_tcp);
		c->listen_tcp_line = n->line;
	} else if (strcmp(k, "state_dir") == 0)
		set_str(x, n, k, &c->state_dir);
	else if (strcmp(k, "pidfile") == 0)
		set_str(x, n, k, &c->pidfile);
	else if (strcmp(k, "rules") == 0)
		set_str(x, n, k, &c->rules);
	else if (strcmp(k, "syslog") == 0)
		set_bool(x, n, k, &c->syslog);
	else if (strcmp(k, "log_level") == 0) {
		char *s = NULL;
		set_str(x, n, k, &s);
		if (s && log_level_parse(s, &c->log_level) < 0)
			problems_add(x->errs, x->file, n->line, "%s", err_msg());
		free(s);
	} else if (strcmp(k, "max_clients") == 0) {
		v = (long long)c->max_clients;
		set_int(x, n, k, 1, 1000000, &v);
		c->max_clients = (size_t)v;
	} else if (strcmp(k, "max_clients_per_user") == 0) {
		v = (long long)c->max_clients_per_user;
		set_int(x, n, k, 1, 1000000, &v);
		c->max_clients_per_user = (size_t)v;
	} else if (strcmp(k, "idle_timeout") == 0) {
		v = c->idle_timeout;
		set_int(x, n, k, 0, 86400, &v);
		c->idle_timeout = (int)v;
	} else if (strcmp(k, "eval_threads") == 0) {
		v = c->eval_threads;
		set_int(x, n, k, 1, 64, &v);
		c->eval_threads = (int)v;
	} else if (strcmp(k, "checkpoint_full_every") == 0) {
		v = c->checkpoint_full_every;
		set_int(x, n, k, 1, 1000, &v);
		c->checkpoint_full_every = (int)v;
	} else if (strcmp(k, "eval_timeout") == 0) {
		v = c->eval_timeout;
		set_int(x, n, k, 0, 86400, &v);
		c->eval_timeout = (int)v;
	} else if (strcmp(k, "asof_cache") == 0) {
		v = c->asof_cache;
		set_int(x, n, k, 1, 1024, &v);
		c->asof_cache = (int)v;
	} else if (strcmp(k, "model_cache") == 0) {
		v = c->model_cache;
		set_int(x, n, k, 0, 1048576, &v);
		c->model_cache = (int)v;
	} else if (strcmp(k, "max_message") == 0) {
		v = (long long)c->max_message;
		set_int(x, n, k, 1024, 64 << 20, &v);
		c->max_message = (size_t)v;
	} else if (strcmp(k, "subscriber_buffer") == 0) {
		v = (long long)c->subscriber_buffer;
		set_int(x, n, k, 4096, 1LL << 32, &v);
		c->subscriber_buffer = (size_t)v;
	} else if (strcmp(k, "write_users") == 0) {
		set_ids(x, n, k, 0, &c->write_uids, &c->nwrite_uids);
		c->write_set = 1;
	} else if (strcmp(k, "write_groups") == 0) {
		set_ids(x, n, k, 1, &c->write_gids, &c->nwrite_gids);
		c->write_set = 1;
	} else if (strcmp(k, "repositories") == 0)
		parse_repos(x, n, c);
	else if (strcmp(k, "plugins") == 0)
		parse_plugins(x, n, c);
	else if (strcmp(k, "http") == 0)
		parse_http(x, n, c);
	else if (strcmp(k, "sign_key") == 0)
		set_str(x, n, k, &c->sign_key);
	else if (strcmp(k, "shard") == 0) {
		set_str(x, n, k, &c->shard);
		c->shard_line = n->line;
	} else {
		static const char *const keys[] = { "socket",
			                            "listen_tcp",
			                            "state_dir",
			                            "pidfile",
			                            "rules",
			                            "syslog",
			                            "log_level",
			                            "max_clients",
			                            "max_clients_per_user",
			                            "idle_timeout",
			                            "checkpoint_full_every",
			                            "max_message",
			                            "subscriber_buffer",
			                            "write_users",
			                            "write_groups",
			                            "repositories",
			                            "plugins",
			                            "http",
			                            "sign_key",
			                            "shard",
			                            NULL };
		char h[160];
		problems_add(x->errs, x->file, n->line, "unknown setting '%s'%s", k,
		             suggest_among(k, keys, SIZE_MAX, h, sizeof(h)));
	}
}

int
config_load(const char *path, struct config *c, struct problems *errs)
{
	char *data = NULL;
	size_t len = 0;
	size_t before = errs->n;
	if (read_file(path, MAX_CONFIG_BYTES, &data, &len) < 0) {
		problems_add(errs, path, 0, "cannot read the configuration: %s", err_msg());
		return err_set("%s: cannot read the configuration", path);
	}
	/* The parser picks the format by extension; the file is YAML whatever
	 * its name. */
	struct doc *d = doc_parse("ismsd.yaml", data, len);
	struct ctx x = { path, errs };
	free(c->file);
	c->file = xstrdup(path);
	if (d->root == NULL)
		problems_add(errs, path, d->error_line, "%s", d->error ? d->error : "not YAML");
	else if (d->root->kind == NODE_NULL)
		; /* an empty file: the defaults */
	else if (d->root->kind != NODE_MAP)
		problems_add(errs, path, d->root->line,
		             "the configuration must be a map of settings");
	else
		for (size_t i = 0; i < d->root->n; i++)
			parse_key(&x, d->root->keys[i], d->root->items[i], c);
	doc_free(d);
	free(data);
	if (errs->n > before)
		return err_set("%s: %zu problem%s in the configuration", path, errs->n - before,
		               errs->n - before == 1 ? "" : "s");
	return 0;
}

void
config_add_path(struct config *c, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash && slash[1] ? slash + 1 : path;
	char *name = xstrdup(base);
	size_t l = strlen(name);
	if (l > 4 && strcmp(name + l - 4, ".git") == 0)
		name[l - 4] = '\0';
	for (char *p = name; *p; p++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-",
		            *p))
			*p = '_';
	if (!name_ok(name) || config_repo(c, name) != NULL) {
		free(name);
		name = xasprintf("repo%zu", c->nrepos + 1);
	}
	c->repos = xreallocarray(c->repos, c->nrepos + 1, sizeof(*c->repos));
	struct repo_conf *r = &c->repos[c->nrepos++];
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->path = xstrdup(path);
	r->poll_interval = 5;
	r->fetch_interval = 60;
	r->from_flag = 1;
}

/* A loopback TCP address: 127.0.0.1:PORT, [::1]:PORT or localhost:PORT. */
static int
tcp_ok(const char *s)
{
	const char *colon = strrchr(s, ':');
	if (colon == NULL)
		return 0;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535)
		return 0;
	size_t hl = (size_t)(colon - s);
	return (hl == 9 && strncmp(s, "127.0.0.1", 9) == 0) ||
	       (hl == 5 && strncmp(s, "[::1]", 5) == 0) ||
	       (hl == 9 && strncmp(s, "localhost", 9) == 0);
}

/* Any HOST:PORT (an IPv4 address, [IPv6] or a name) with a valid port. */
static int
http_addr_ok(const char *s)
{
	const char *colon = strrchr(s, ':');
	char *end;
	if (colon == NULL || colon == s)
		return 0;
	long port = strtol(colon + 1, &end, 10);
	return *end == '\0' && port >= 1 && port <= 65535 && colon[1] != '\0';
}

int
config_check(const struct config *c, struct problems *errs)
{
	const char *f = c->file ? c->file : "command line";
	size_t before = errs->n;
	if (c->nrepos == 0 && c->shard_others == 0)
		problems_add(errs, f, 0,
		             "no repository to serve: add one under "
		             "'repositories' or give --repo PATH");
	for (size_t i = 0; i < c->nrepos; i++) {
		const struct repo_conf *r = &c->repos[i];
		/* a repository given by --repo has no line: name the flag */
		const char *rf = r->line ? f : "--repo";
		if (r->name == NULL || !name_ok(r->name))
			problems_add(errs, rf, r->line,
			             "repository %zu needs a name of letters, "
			             "digits, '.', '_' or '-'",
			             i + 1);
		else
			for (size_t k = 0; k < i; k++)
				if (c->repos[k].name && strcmp(c->repos[k].name, r->name) == 0)
					problems_add(
					        errs, rf, r->line,
					        "two repositories are named '%s' (the other is "
					        "at line %d)",
					        r->name, c->repos[k].line);
		if (r->path && r->url)
			problems_add(errs, rf, r->line,
			             "repository '%s' has both a path and a url: give "
			             "one (path: a local repository; url: a remote one to mirror)",
			             r->name ? r->name : "?");
		else if (r->path == NULL && r->url == NULL)
			problems_add(errs, rf, r->line,
			             "repository '%s' has neither a path nor a url: give "
			             "one (path: a local repository; url: a remote one to mirror)",
			             r->name ? r->name : "?");
	}
	if (c->listen_tcp && !tcp_ok(c->listen_tcp))
		problems_add(errs, c->listen_tcp_line ? f : "--listen-tcp", c->listen_tcp_line,
		             "listen_tcp '%s' must be a loopback address "
		             "such as 127.0.0.1:7027",
		             c->listen_tcp);
	if (c->http_listen && !tcp_ok(c->http_listen) &&
	    !(c->http_allow_remote && http_addr_ok(c->http_listen)))
		problems_add(errs, f, 0,
		             "http listen '%s' must be a loopback address such as "
		             "127.0.0.1:7028 (or HOST:PORT with allow_remote: true)",
		             c->http_listen);
	if (c->socket == NULL || strlen(c->socket) >= 108)
		problems_add(errs, c->socket_line ? f : "--socket", c->socket_line,
		             "the socket path must be shorter than 108 bytes (it is %zu)",
		             c->socket ? strlen(c->socket) : 0);
	if (errs->n > before)
		return err_set("%zu problem%s in the configuration", errs->n - before,
		               errs->n - before == 1 ? "" : "s");
	return 0;
}

const struct repo_conf *
config_repo(const struct config *c, const char *name)
{
	if (name == NULL)
		return c->nrepos == 1 ? &c->repos[0] : NULL;
	for (size_t i = 0; i < c->nrepos; i++)
		if (c->repos[i].name && strcmp(c->repos[i].name, name) == 0)
			return &c->repos[i];
	return NULL;
}

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

int
config_plugins_equal(const struct config *a, const struct config *b)
{
	if (a->nplugins != b->nplugins)
		return 0;
	for (size_t i = 0; i < a->nplugins; i++) {
		const struct plugin_entry *p = &a->plugins[i], *q = &b->plugins[i];
		if (!same_str(p->name, q->name) || !same_str(p->path, q->path) ||
		    !same_str(p->config, q->config) || p->queue_max != q->queue_max)
			return 0;
	}
	return 1;
}
