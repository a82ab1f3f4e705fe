/* initfail.c - a plugin whose init reports an error and fails. */
#include <ismsd/plugin.h>

static int
init(const struct ismsd_host *h, const char *config, void **state)
{
	h->log(h, ISMSD_LOG_ERR, "cannot reach the ticket system at %s", "tickets.example");
	return -1;
}

const struct ismsd_plugin ismsd_plugin = {
	.abi_version = ISMSD_PLUGIN_ABI_VERSION,
	.name = "initfail",
	.version = "0.0.1",
	.init = init,
};
