/* sign.h - Ed25519 signatures (libsodium) in minisign's file formats, so
 * that `minisign -V -p KEY.pub -m FILE` checks what ismsd signs without
 * ismsd. Keys: minisign's unencrypted secret key file (`minisign -G -W`,
 * or sign_keygen) and its public key file. Signatures: the legacy
 * algorithm "Ed" (the message itself is signed), an untrusted comment, a
 * trusted comment and the global signature over signature and trusted
 * comment. Any thread; no state. */
#ifndef ISMS_SIGN_H
#define ISMS_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define SIGN_ID_LEN 8

/* A secret key: its id and libsodium's 64-byte secret key. */
struct sign_key {
	uint8_t id[SIGN_ID_LEN];
	uint8_t sk[64];
};

/* A public key. */
struct sign_pub {
	uint8_t id[SIGN_ID_LEN];
	uint8_t pk[32];
};

/* Read an unencrypted minisign secret key file. 0, or -1 with err_msg()
 * (an encrypted key is refused with the way to make an unencrypted one). */
int sign_key_load(const char *path, struct sign_key *out);
/* Read a minisign public key: a .pub file, or its base64 line itself. */
int sign_pub_load(const char *path_or_b64, struct sign_pub *out);
/* The public half of k. */
void sign_key_public(const struct sign_key *k, struct sign_pub *out);
/* Make a new key pair: the secret key file (mode 0600, refused when it
 * exists) and the public key file, both in minisign's format. */
int sign_keygen(const char *key_path, const char *pub_path);
/* The key id as minisign prints it (16 upper-case hex digits); out holds
 * at least 17 bytes. */
void sign_id_hex(const uint8_t id[SIGN_ID_LEN], char *out);
/* Sign msg: the text of a .minisig file, the caller's to free. The
 * trusted comment must be one line (a line break is refused: NULL). */
char *sign_detached(const struct sign_key *k, const void *msg, size_t len,
                    const char *trusted_comment);
/* Check the .minisig text sig over msg with p: 0, or -1 with err_msg().
 * *trusted (may be NULL) is the caller's: the trusted comment. Accepts
 * both "Ed" and the prehashed "ED". */
int sign_verify(const struct sign_pub *p, const void *msg, size_t len, const char *sig,
                char **trusted);

#endif
