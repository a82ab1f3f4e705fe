/* http_token.c - the bearer tokens of the HTTP API: the file, and the
 * comparison that takes as long whichever token, and however much of it,
 * matches. */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "alloc.h"
#include "err.h"
#include "sys.h"

#define MAX_TOKENS_BYTES (1u << 20)
#define TOKEN_MIN        16
#define TOKEN_MAX        256

struct token {
	char *s;
	size_t len;
	enum http_right right;
};

struct http_tokens {
	struct token *v;
	size_t n;
};

static const char token_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789-._~+/=";

/* One line: "TOKEN RIGHT"; 0, or -1 with the problem added. */
static int
parse_line(const char *path, int lineno, char *line, struct http_tokens *t, struct problems *errs)
{
	char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	size_t tl = strspn(p, token_chars);
	char *q = p + tl;
	if (*q != ' ' && *q != '\t') {
		problems_add(errs, path, lineno,
		             "a line must be a token and its right (read or write), "
		             "e.g. 'k3J9...Qz read'; tokens hold letters, digits and -._~+/=");
		return -1;
	}
	if (tl < TOKEN_MIN || tl > TOKEN_MAX) {
		problems_add(errs, path, lineno,
		             "a token must have %d to %d characters (this one has %zu): make one "
		             "with 'head -c 24 /dev/urandom | base64'",
		             TOKEN_MIN, TOKEN_MAX, tl);
		return -1;
	}
	*q++ = '\0';
	while (*q == ' ' || *q == '\t')
		q++;
	size_t rl = strcspn(q, " \t#");
	char *rest = q + rl + strspn(q + rl, " \t");
	enum http_right right;
	if (rl == 4 && strncmp(q, "read", 4) == 0)
		right = HTTP_READ;
	else if (rl == 5 && strncmp(q, "write", 5) == 0)
		right = HTTP_WRITE;
	else {
		problems_add(errs, path, lineno,
		             "the right must be 'read' or 'write' (write also allows sync and "
		             "ack)");
		return -1;
	}
	if (*rest && *rest != '#') {
		problems_add(errs, path, lineno, "unexpected text after the right");
		return -1;
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].len == tl && memcmp(t->v[i].s, p, tl) == 0) {
			problems_add(errs, path, lineno, "this token is listed twice");
			return -1;
		}
	t->v = xreallocarray(t->v, t->n + 1, sizeof(*t->v));
	t->v[t->n++] = (struct token){ xstrndup(p, tl), tl, right };
	return 0;
}

int
http_tokens_parse(const char *path, const char *text, size_t len, struct http_tokens **out,
                  struct problems *errs)
{
	struct http_tokens *t = xcalloc(1, sizeof(*t));
	size_t before = errs->n;
	int lineno = 0;
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t l = nl ? (size_t)(nl - (text + at)) : len - at;
		lineno++;
		if (memchr(text + at, '\0', l)) {
			problems_add(errs, path, lineno, "a NUL byte in the tokens file");
		} else {
			char *line = xstrndup(text + at, l);
			if (l && line[l - 1] == '\r')
				line[l - 1] = '\0';
			parse_line(path, lineno, line, t, errs);
			free(line);
		}
		at += l + 1;
	}
	if (errs->n == before && t->n == 0)
		problems_add(errs, path, 0, "no token: add a line 'TOKEN read' or 'TOKEN write'");
	if (errs->n > before) {
		http_tokens_free(t);
		return err_set("%s: %zu problem%s in the tokens file", path, errs->n - before,
		               errs->n - before == 1 ? "" : "s");
	}
	*out = t;
	return 0;
}

int
http_tokens_load(const char *path, struct http_tokens **out, struct problems *errs)
{
	char *data = NULL;
	size_t len = 0;
	if (read_file(path, MAX_TOKENS_BYTES, &data, &len) < 0) {
		problems_add(errs, path, 0, "cannot read the tokens file: %s", err_msg());
		return err_set("%s: cannot read the tokens file", path);
	}
	int rc = http_tokens_parse(path, data, len, out, errs);
	free(data);
	return rc;
}

/* Whether a (alen bytes) equals b (blen bytes), looking at every byte of
 * b whatever a holds: the time depends on blen only. */
static int
same(const char *a, size_t alen, const char *b, size_t blen)
{
	volatile unsigned char d = (unsigned char)(alen != blen);
	for (size_t i = 0; i < blen; i++)
		d |= (unsigned char)((unsigned char)b[i] ^ (unsigned char)(alen ? a[i % alen] : 0));
	return d == 0;
}

enum http_right
http_tokens_check(const struct http_tokens *t, const char *token, size_t len)
{
	enum http_right r = HTTP_NONE;
	if (t == NULL || token == NULL || len > TOKEN_MAX)
		return HTTP_NONE;
	/* every token is compared: which one matched does not show */
	for (size_t i = 0; i < t->n; i++)
		if (same(token, len, t->v[i].s, t->v[i].len) && t->v[i].right > r)
			r = t->v[i].right;
	return r;
}

size_t
http_tokens_count(const struct http_tokens *t)
{
	return t ? t->n : 0;
}

void
http_tokens_free(struct http_tokens *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		explicit_bzero(t->v[i].s, t->v[i].len);
		free(t->v[i].s);
	}
	free(t->v);
	free(t);
}
