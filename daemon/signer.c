/* signer.c - the daemon's signature on each published evaluation
 * (signer.h). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "err.h"
#include "log.h"
#include "sign.h"
#include "signer.h"

struct signer {
	struct sign_key key;
	char id[2 * SIGN_ID_LEN + 1];
};

int
signer_open(const char *path, struct signer **out)
{
	struct signer *s = xcalloc(1, sizeof(*s));
	if (sign_key_load(path, &s->key) < 0) {
		free(s);
		return err_set("sign_key: %s", err_msg());
	}
	sign_id_hex(s->key.id, s->id);
	*out = s;
	return 0;
}

void
signer_free(struct signer *s)
{
	if (s == NULL)
		return;
	sodium_memzero(&s->key, sizeof(s->key));
	free(s);
}

void
signer_sign(struct signer *s, const char *repo, json_t *data)
{
	json_t *o = json_deep_copy(data);
	json_object_set_new(o, "repo", json_string(repo));
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	const char *commit = json_string_value(json_object_get(data, "commit"));
	const char *at = json_string_value(json_object_get(data, "evaluated_at"));
	char *tc = xasprintf("ismsd evaluation repo=%s commit=%s evaluated_at=%s conformant=%s",
	                     repo, commit ? commit : "", at ? at : "",
	                     json_is_true(json_object_get(data, "conformant")) ? "true" : "false");
	char *sig = text ? sign_detached(&s->key, text, strlen(text), tc) : NULL;
	if (sig)
		json_object_set_new(data, "signature",
		                    json_pack("{s:s, s:s, s:s}", "key_id", s->id, "signed", text,
		                              "minisig", sig));
	else
		log_warnx("cannot sign the evaluation of %s", repo);
	free(text), free(tc), free(sig);
}
