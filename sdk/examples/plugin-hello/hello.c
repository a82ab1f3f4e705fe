/* hello.c - the smallest useful ismsd plugin.
 *
 * It counts the findings raised per severity, logs each one, and gives
 * rules a function: plugins.hello.greet(name) returns "<greeting>, <name>"
 * and plugins.hello.raised() the counts so far. Configuration:
 *   greeting  the word to greet with (default "hello")
 * Build (docs/writing-plugins.md):
 *   cc -std=c11 -fPIC -shared $(pkg-config --cflags ismsd-plugin jansson) \
 *      -o hello.so hello.c $(pkg-config --libs jansson) */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <ismsd/plugin.h>

struct hello {
	const struct ismsd_host *host;
	char *greeting;
	pthread_mutex_t mu;   /* raised is read by rules on another thread */
	json_t *raised;       /* severity -> count */
	int64_t events;
};

/* Parse the configuration and set up the state. */
static int
init(const struct ismsd_host *host, const char *config, void **state)
{
	json_t *cfg = json_loads(config, 0, NULL);
	json_t *g = json_object_get(cfg, "greeting");
	if (g && !json_is_string(g)) {
		host->log(host, ISMSD_LOG_ERR, "\"greeting\" must be a string");
		json_decref(cfg);
		return -1;
	}
	struct hello *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		json_decref(cfg);
		return -1;
	}
	p->host = host;
	p->greeting = strdup(g ? json_string_value(g) : "hello");
	p->raised = json_object();
	pthread_mutex_init(&p->mu, NULL);
	json_decref(cfg);
	*state = p;
	return 0;
}

/* Count and log a raised finding (on the plugin's own thread). */
static void
on_event(void *state, const struct ismsd_event *ev)
{
	struct hello *p = state;
	p->events++;
	p->host->stat(p->host, "events", p->events);
	if (ev->kind != ISMSD_EV_FINDING_RAISED)
		return;
	json_t *d = json_loads(ev->payload, 0, NULL);
	const char *sev = json_string_value(json_object_get(d, "severity"));
	const char *msg = json_string_value(json_object_get(d, "message"));
	if (sev == NULL)
		sev = "unknown";
	pthread_mutex_lock(&p->mu);
	json_int_t n = json_integer_value(json_object_get(p->raised, sev)) + 1;
	json_object_set_new(p->raised, sev, json_integer(n));
	pthread_mutex_unlock(&p->mu);
	p->host->log(p->host, ISMSD_LOG_INFO, "%s finding in %s at %llu: %s", sev,
	             ev->repo, (unsigned long long)ev->cursor, msg ? msg : "?");
	json_decref(d);
}

/* plugins.hello.greet(name): the arguments arrive as a JSON array. */
static void
greet(void *data, struct ismsd_call *c)
{
	struct hello *p = data;
	json_t *args = json_loadb(c->args, c->args_len, 0, NULL);
	const char *name = json_string_value(json_array_get(args, 0));
	if (name == NULL) {
		c->error(c, "greet(name) wants a string");
	} else {
		json_t *r = json_pack("s++", p->greeting, ", ", name);
		char *s = json_dumps(r, JSON_ENCODE_ANY);
		if (s)
			c->result(c, s, strlen(s));
		free(s);
		json_decref(r);
	}
	json_decref(args);
}

/* plugins.hello.raised(): a table of counts by severity. */
static void
raised(void *data, struct ismsd_call *c)
{
	struct hello *p = data;
	pthread_mutex_lock(&p->mu);
	char *s = json_dumps(p->raised, JSON_COMPACT);
	pthread_mutex_unlock(&p->mu);
	if (s)
		c->result(c, s, strlen(s));
	free(s);
}

static int
register_lua(void *state, const struct ismsd_lua_reg *reg)
{
	if (reg->add_function(reg, "greet", greet, state,
	                      "greet(name) -> string: a greeting") < 0)
		return -1;
	return reg->add_function(reg, "raised", raised, state,
	                         "raised() -> {severity = count}");
}

static void
shutdown_(void *state)
{
	struct hello *p = state;
	p->host->log(p->host, ISMSD_LOG_INFO, "saw %lld events", (long long)p->events);
	json_decref(p->raised);
	pthread_mutex_destroy(&p->mu);
	free(p->greeting);
	free(p);
}

const struct ismsd_plugin ismsd_plugin = {
	.abi_version = ISMSD_PLUGIN_ABI_VERSION,
	.name = "hello",
	.version = "1.0.0",
	.description = "counts findings and greets rules",
	.init = init,
	.register_lua = register_lua,
	.on_event = on_event,
	.shutdown = shutdown_,
};
