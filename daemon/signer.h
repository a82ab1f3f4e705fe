/* signer.h - the daemon's signature on each published evaluation
 * (`sign_key` in the configuration; docs/protocol.md, "commits"). Loop
 * thread. */
#ifndef ISMS_SIGNER_H
#define ISMS_SIGNER_H

#include <jansson.h>

struct signer;

/* Load the minisign secret key at path; *out is the caller's
 * (signer_free). 0, or -1 with err_msg(). */
int signer_open(const char *path, struct signer **out);
void signer_free(struct signer *s);
/* Sign the `commits` data of repo: add data.signature = {key_id, signed,
 * minisig}, where `signed` is the compact JSON (sorted keys) of the data
 * with "repo" added, and `minisig` its minisign signature. */
void signer_sign(struct signer *s, const char *repo, json_t *data);

#endif
