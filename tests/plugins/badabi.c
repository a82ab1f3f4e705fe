/* badabi.c - a plugin built for another ABI version: must be refused
 * before any of its hooks runs (init would abort the test). */
#include <stdlib.h>

#include <ismsd/plugin.h>

static int
init(const struct ismsd_host *h, const char *config, void **state)
{
	abort();
}

const struct ismsd_plugin ismsd_plugin = {
	.abi_version = 999,
	.name = "badabi",
	.version = "0.0.1",
	.init = init,
};
