/* luafns.c - rule functions for the Lua bridge tests: echo returns its
 * arguments, fail fails, big returns a result of the size asked for,
 * badjson returns text that is not JSON. A register_lua that registers a
 * bad name is also tried (and must not stop the others). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ismsd/plugin.h>

static void
echo(void *data, struct ismsd_call *c)
{
	c->result(c, c->args, c->args_len);
}

static void
fail(void *data, struct ismsd_call *c)
{
	c->error(c, "the CMDB is unreachable");
}

static void
big(void *data, struct ismsd_call *c)
{
	long n = strtol(c->args + 1, NULL, 10);
	if (n < 0 || n > (64L << 20))
		n = 0;
	char *s = malloc((size_t)n * 4 + 3);
	if (s == NULL)
		return;
	s[0] = '[';
	size_t k = 1;
	for (long i = 0; i < n; i++) {
		memcpy(s + k, i ? ",\"x\"" : "\"x\"", i ? 4 : 3);
		k += i ? 4 : 3;
	}
	s[k++] = ']';
	c->result(c, s, k);
	free(s);
}

static void
badjson(void *data, struct ismsd_call *c)
{
	c->result(c, "{not json", 9);
}

static int
init(const struct ismsd_host *h, const char *config, void **state)
{
	*state = (void *)h;
	return 0;
}

static int
reg(void *state, const struct ismsd_lua_reg *r)
{
	if (r->add_function(r, "bad name", echo, NULL, NULL) == 0)
		return -1;
	if (r->add_function(r, "echo", echo, NULL, "returns its arguments") < 0 ||
	    r->add_function(r, "echo", echo, NULL, NULL) == 0)
		return -1;
	return r->add_function(r, "fail", fail, NULL, NULL) < 0 ||
	       r->add_function(r, "big", big, NULL, NULL) < 0 ||
	       r->add_function(r, "badjson", badjson, NULL, NULL) < 0 ? -1 : 0;
}

const struct ismsd_plugin ismsd_plugin = {
	.abi_version = ISMSD_PLUGIN_ABI_VERSION,
	.name = "luafns",
	.version = "0.0.1",
	.init = init,
	.register_lua = reg,
};
