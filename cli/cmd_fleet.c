/* cmd_fleet.c - `ismsctl status --fleet`: every member of a fleet of
 * daemons and the repositories each serves, from the health the nats
 * plugins keep in NATS (the key-value bucket ISMS_FLEET; see
 * docs/scaling.md). Works from anywhere that reaches the NATS server.
 * Single threaded (libnats runs its own threads). */
#include <jansson.h>
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ismsctl_int.h"

static const char fleet_help[] =
        "usage: ismsctl status --fleet [--nats URL] [--bucket NAME] [--creds FILE] [--json]\n"
        "\n"
        "Every member of the fleet (each ismsd with the nats plugin) with its shard,\n"
        "when it last reported, and each repository it serves: health, commit and\n"
        "verdict. URL defaults to $ISMS_NATS, else nats://127.0.0.1:4222; the bucket\n"
        "to ISMS_FLEET. A member that has not reported for 3 health intervals\n"
        "(30 s by default) is shown as silent.\n"
        "\n"
        "Exit status: 0 every member reports and every repository is ok, 1 not,\n"
        "2 NATS unreachable or no member.\n";

static json_t *
members(const char *url, const char *bucket, const char *creds)
{
	natsOptions *opts = NULL;
	natsConnection *nc = NULL;
	jsCtx *js = NULL;
	kvStore *kv = NULL;
	kvKeysList keys = { 0 };
	json_t *out = NULL;
	natsStatus s = natsOptions_Create(&opts);
	if (s == NATS_OK)
		s = natsOptions_SetURL(opts, url);
	if (s == NATS_OK && creds)
		s = natsOptions_SetUserCredentialsFromFiles(opts, creds, NULL);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(opts, 3000);
	if (s == NATS_OK)
		s = natsConnection_Connect(&nc, opts);
	if (s == NATS_OK)
		s = natsConnection_JetStream(&js, nc, NULL);
	if (s == NATS_OK)
		s = js_KeyValue(&kv, js, bucket);
	if (s == NATS_OK)
		s = kvStore_Keys(&keys, kv, NULL);
	if (s == NATS_NOT_FOUND) {
		fprintf(stderr,
		        "ismsctl status --fleet: no member has reported to %s (bucket %s)\n", url,
		        bucket);
		goto out;
	}
	if (s != NATS_OK) {
		fprintf(stderr, "ismsctl status --fleet: %s: %s\n", url, natsStatus_GetText(s));
		goto out;
	}
	out = json_array();
	for (int i = 0; i < keys.Count; i++) {
		kvEntry *e = NULL;
		if (kvStore_Get(&e, kv, keys.Keys[i]) != NATS_OK)
			continue;
		json_t *m = json_loads(kvEntry_ValueString(e), 0, NULL);
		if (json_is_object(m))
			json_array_append_new(out, m);
		else
			json_decref(m);
		kvEntry_Destroy(e);
	}
out:
	kvKeysList_Destroy(&keys);
	kvStore_Destroy(kv);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	natsOptions_Destroy(opts);
	return out;
}

static int
by_member(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "member"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "member"));
	return strcmp(x ? x : "", y ? y : "");
}

int
cmd_fleet_status(int argc, char **argv)
{
	const char *url = getenv("ISMS_NATS"), *bucket = "ISMS_FLEET", *creds = NULL;
	int json = 0;
	long long stale = 30;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--fleet") == 0)
			continue;
		if (strcmp(argv[i], "--nats") == 0 && i + 1 < argc)
			url = argv[++i];
		else if (strcmp(argv[i], "--bucket") == 0 && i + 1 < argc)
			bucket = argv[++i];
		else if (strcmp(argv[i], "--creds") == 0 && i + 1 < argc)
			creds = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(fleet_help, stdout);
			return 0;
		} else {
			fputs(fleet_help, stderr);
			return EXIT_USAGE;
		}
	}
	json_t *a = members(url && *url ? url : "nats://127.0.0.1:4222", bucket, creds);
	if (a == NULL)
		return EXIT_USAGE;
	size_t n = json_array_size(a), i, k;
	json_t **v = calloc(n ? n : 1, sizeof(json_t *)), *m, *r;
	for (i = 0; i < n; i++)
		v[i] = json_array_get(a, i);
	qsort(v, n, sizeof(json_t *), by_member);
	int64_t now = (int64_t)time(NULL);
	int bad = n == 0;
	if (json) {
		print_json(a);
		json_decref(a);
		free(v);
		return 0;
	}
	size_t nrepos = 0;
	for (i = 0; i < n; i++)
		nrepos += json_array_size(json_object_get(v[i], "repositories"));
	printf("Fleet: %zu member%s, %zu repositor%s\n", n, n == 1 ? "" : "s", nrepos,
	       nrepos == 1 ? "y" : "ies");
	for (i = 0; i < n; i++) {
		m = v[i];
		int64_t age = now - (int64_t)json_integer_value(json_object_get(m, "time"));
		int silent = age > stale || !json_is_true(json_object_get(m, "daemon"));
		bad |= silent;
		const char *shard = json_string_value(json_object_get(m, "shard"));
		printf("\n%s%s%s  %s, last report %llds ago, %lld events published, %lld pending\n",
		       json_string_value(json_object_get(m, "member")), shard ? "  shard " : "",
		       shard ? shard : "", silent ? "SILENT" : "up", (long long)age,
		       (long long)json_integer_value(json_object_get(m, "published")),
		       (long long)json_integer_value(json_object_get(m, "pending")));
		json_array_foreach (json_object_get(m, "repositories"), k, r) {
			const char *h = json_string_value(json_object_get(r, "health"));
			const char *c = json_string_value(json_object_get(r, "commit"));
			bad |= h == NULL || strcmp(h, "ok") != 0;
			printf("  %-24s %-11s %.12s %s\n",
			       json_string_value(json_object_get(r, "name")), h ? h : "?",
			       c ? c : "-",
			       json_is_true(json_object_get(r, "conformant")) ? "conformant"
			                                                      : "NOT conformant");
		}
	}
	free(v);
	json_decref(a);
	return bad ? 1 : 0;
}
