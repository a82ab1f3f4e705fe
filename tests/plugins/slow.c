/* slow.c - a plugin that takes a while over each event: for the queue
 * bound and the drain timeout. */
#include <time.h>

#include <ismsd/plugin.h>

static int
init(const struct ismsd_host *h, const char *config, void **state)
{
	*state = (void *)h;
	return 0;
}

static void
on_event(void *state, const struct ismsd_event *ev)
{
	struct timespec ts = {0, 100 * 1000 * 1000};
	nanosleep(&ts, NULL);
}

const struct ismsd_plugin ismsd_plugin = {
	.abi_version = ISMSD_PLUGIN_ABI_VERSION,
	.name = "slow",
	.version = "0.0.1",
	.init = init,
	.on_event = on_event,
};
