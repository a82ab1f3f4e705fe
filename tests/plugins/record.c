/* record.c - a plugin that appends each event to a file as
 * "event repo cursor payload": for the events the host derives from
 * evaluations. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ismsd/plugin.h>

static int
init(const struct ismsd_host *h, const char *config, void **state)
{
	json_t *cfg = json_loads(config, 0, NULL);
	const char *path = json_string_value(json_object_get(cfg, "file"));
	FILE *f = path ? fopen(path, "w") : NULL;
	json_decref(cfg);
	if (f == NULL) {
		h->log(h, ISMSD_LOG_ERR, "\"file\" must name a writable file");
		return -1;
	}
	*state = f;
	return 0;
}

static void
on_event(void *state, const struct ismsd_event *ev)
{
	fprintf(state, "%s %s %llu %s\n", ismsd_event_name(ev->kind), ev->repo,
	        (unsigned long long)ev->cursor, ev->payload);
	fflush(state);
}

static void
shutdown_(void *state)
{
	fclose(state);
}

const struct ismsd_plugin ismsd_plugin = {
	.abi_version = ISMSD_PLUGIN_ABI_VERSION,
	.name = "record",
	.version = "0.0.1",
	.init = init,
	.on_event = on_event,
	.shutdown = shutdown_,
};
