/* The HTTP server's tokens file and its constant-time check (http.h).
 * The server itself is tested by tests/dashboard/. */
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "problems.h"
#include "tap.h"

#define R "read-token-0123456789"
#define W "write-token-0123456789"

/* Parse text; returns the tokens or NULL, and the first problem. */
static struct http_tokens *
parse(const char *text, char *first, size_t n)
{
	struct problems p = { 0 };
	struct http_tokens *t = NULL;
	first[0] = '\0';
	http_tokens_parse("tokens", text, strlen(text), &t, &p);
	if (p.n)
		snprintf(first, n, "%d: %s", p.v[0].line, p.v[0].msg);
	problems_free(&p);
	return t;
}

int
main(void)
{
	char msg[512];
	struct http_tokens *t = parse("# who may read\n" R " read\n\n" W "\twrite # ops\r\n", msg,
	                              sizeof(msg));
	ok(t != NULL, "a tokens file parses (%s)", msg);
	is_int(http_tokens_count(t), 2, "two tokens");
	is_int(http_tokens_check(t, R, strlen(R)), HTTP_READ, "the read token reads");
	is_int(http_tokens_check(t, W, strlen(W)), HTTP_WRITE, "the write token writes");
	is_int(http_tokens_check(t, R "x", strlen(R) + 1), HTTP_NONE, "a longer token is not it");
	is_int(http_tokens_check(t, R, strlen(R) - 1), HTTP_NONE, "nor a prefix of it");
	is_int(http_tokens_check(t, "", 0), HTTP_NONE, "nor the empty token");
	is_int(http_tokens_check(t, NULL, 0), HTTP_NONE, "nor none");
	is_int(http_tokens_check(NULL, R, strlen(R)), HTTP_NONE, "no tokens file: nothing passes");
	http_tokens_free(t);

	ok(parse("", msg, sizeof(msg)) == NULL, "an empty file is refused");
	like(msg, "no token", "and says to add one");
	ok(parse("short read\n", msg, sizeof(msg)) == NULL, "a short token is refused");
	like(msg, "1: a token must have 16 to 256", "with its line");
	ok(parse(R " admin\n", msg, sizeof(msg)) == NULL, "an unknown right is refused");
	like(msg, "'read' or 'write'", "naming the rights");
	ok(parse(R "\n", msg, sizeof(msg)) == NULL, "a token without a right is refused");
	ok(parse(R " read\n" R " write\n", msg, sizeof(msg)) == NULL, "a token twice is refused");
	like(msg, "2: this token is listed twice", "on the second line");
	ok(parse(R " read extra\n", msg, sizeof(msg)) == NULL, "text after the right is refused");
	ok(parse("tok\"en-0123456789abc read\n", msg, sizeof(msg)) == NULL,
	   "a token with a quote is refused");
	char nul[] = R " read\n" R "\0 write\n";
	struct problems p = { 0 };
	ok(http_tokens_parse("tokens", nul, sizeof(nul) - 1, &t, &p) < 0, "a NUL byte is refused");
	problems_free(&p);
	char big[300];
	memset(big, 'a', sizeof(big));
	strcpy(big + 257, " read");
	ok(parse(big, msg, sizeof(msg)) == NULL, "a token longer than 256 is refused");
	return done_testing();
}
