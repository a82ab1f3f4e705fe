/* sign.c - Ed25519 in minisign's formats (sign.h).
 *
 * The layouts, all base64 (with padding) on the line after an
 * "untrusted comment:" line:
 *   public key  "Ed" | key id (8) | public key (32)
 *   secret key  "Ed" | kdf "\0\0" (unencrypted) | "B2" | salt (32) |
 *               opslimit (8) | memlimit (8) | key id (8) | secret key (64) |
 *               checksum (32) = BLAKE2b-256("Ed" | key id | secret key)
 *   signature   "Ed" | key id (8) | Ed25519(message) (64), then the line
 *               "trusted comment: TEXT" and base64 of
 *               Ed25519(signature (64) | TEXT).
 * "ED" signatures sign BLAKE2b-512(message) instead; we verify them. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "err.h"
#include "sign.h"
#include "sys.h"

#define SK_LEN   (2 + 2 + 2 + 32 + 8 + 8 + SIGN_ID_LEN + 64 + 32)
#define PK_LEN   (2 + SIGN_ID_LEN + 32)
#define SIG_LEN  (2 + SIGN_ID_LEN + 64)
#define MAX_FILE 65536

static const uint8_t ED[2] = { 'E', 'd' }, B2[2] = { 'B', '2' };

static int
init_sodium(void)
{
	if (sodium_init() < 0)
		return err_set("libsodium cannot be initialised");
	return 0;
}

/* The base64 on the line after the first line of text, decoded into out
 * of exactly n bytes. */
static int
second_line(const char *text, const char *what, uint8_t *out, size_t n)
{
	const char *p = text;
	if (strncmp(p, "untrusted comment:", 18) == 0) {
		p = strchr(p, '\n');
		if (p == NULL)
			return err_set("%s has no key line after its comment", what);
		p++;
	}
	size_t l = strcspn(p, "\r\n");
	size_t got = 0;
	if (sodium_base642bin(out, n, p, l, NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) !=
	            0 ||
	    got != n)
		return err_set("%s is not a minisign key (base64 of %zu bytes expected)", what, n);
	return 0;
}

int
sign_key_load(const char *path, struct sign_key *out)
{
	char *text = NULL;
	size_t len;
	uint8_t raw[SK_LEN] = { 0 };
	int rc = -1;
	if (init_sodium() < 0)
		return -1;
	if (read_file(path, MAX_FILE, &text, &len) < 0)
		return err_set("cannot read the secret key: %s", err_msg());
	if (second_line(text, path, raw, sizeof(raw)) < 0)
		goto out;
	if (memcmp(raw, "Ed", 2) != 0 || memcmp(raw + 4, "B2", 2) != 0) {
		err_set("%s: not an Ed25519 minisign secret key", path);
		goto out;
	}
	if (raw[2] != 0 || raw[3] != 0) {
		err_set("%s: the secret key is encrypted with a password; make an unencrypted "
		        "one with `minisign -G -W` or `ismsctl keygen`",
		        path);
		goto out;
	}
	const uint8_t *id = raw + 54, *sk = id + SIGN_ID_LEN, *chk = sk + 64;
	uint8_t want[32], zero[32] = { 0 };
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof(want));
	crypto_generichash_update(&st, raw, 2);
	crypto_generichash_update(&st, id, SIGN_ID_LEN);
	crypto_generichash_update(&st, sk, 64);
	crypto_generichash_final(&st, want, sizeof(want));
	/* minisign 0.11 leaves the checksum of an unencrypted key zero. */
	if (memcmp(chk, want, 32) != 0 && memcmp(chk, zero, 32) != 0) {
		err_set("%s: the secret key's checksum is wrong (a damaged key file)", path);
		goto out;
	}
	memcpy(out->id, id, SIGN_ID_LEN);
	memcpy(out->sk, sk, 64);
	rc = 0;
out:
	sodium_memzero(raw, sizeof(raw));
	if (text)
		sodium_memzero(text, len);
	free(text);
	return rc;
}

int
sign_pub_load(const char *s, struct sign_pub *out)
{
	char *text = NULL;
	size_t len;
	uint8_t raw[PK_LEN] = { 0 };
	if (init_sodium() < 0)
		return -1;
	if (strlen(s) == 56 && access(s, F_OK) != 0)
		text = xstrdup(s);
	else if (read_file(s, MAX_FILE, &text, &len) < 0)
		return err_set("cannot read the public key: %s", err_msg());
	int rc = second_line(text, s, raw, sizeof(raw));
	free(text);
	if (rc < 0)
		return -1;
	if (memcmp(raw, "Ed", 2) != 0)
		return err_set("%s: not an Ed25519 minisign public key", s);
	memcpy(out->id, raw + 2, SIGN_ID_LEN);
	memcpy(out->pk, raw + 2 + SIGN_ID_LEN, 32);
	return 0;
}

void
sign_key_public(const struct sign_key *k, struct sign_pub *out)
{
	memcpy(out->id, k->id, SIGN_ID_LEN);
	crypto_sign_ed25519_sk_to_pk(out->pk, k->sk);
}

void
sign_id_hex(const uint8_t id[SIGN_ID_LEN], char *out)
{
	/* minisign prints the id as a little-endian 64-bit number. */
	for (int i = 0; i < SIGN_ID_LEN; i++)
		sprintf(out + (size_t)2 * i, "%02X", id[SIGN_ID_LEN - 1 - i]);
}

static char *
b64(const uint8_t *p, size_t n)
{
	size_t l = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
	char *s = xmalloc(l);
	sodium_bin2base64(s, l, p, n, sodium_base64_VARIANT_ORIGINAL);
	return s;
}

static int
write_new(const char *path, int mode, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return err_set("%s: %s", path, strerror(errno));
	if (write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0) {
		int e = errno;
		close(fd);
		unlink(path);
		return err_set("%s: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

int
sign_keygen(const char *key_path, const char *pub_path)
{
	uint8_t raw[SK_LEN] = { 0 }, pk[32], pub[PK_LEN];
	char hex[2 * SIGN_ID_LEN + 1];
	if (init_sodium() < 0)
		return -1;
	uint8_t *id = raw + 54, *sk = id + SIGN_ID_LEN, *chk = sk + 64;
	memcpy(raw, ED, 2);
	memcpy(raw + 4, B2, 2);
	randombytes_buf(id, SIGN_ID_LEN);
	crypto_sign_keypair(pk, sk);
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, raw, 2);
	crypto_generichash_update(&st, id, SIGN_ID_LEN);
	crypto_generichash_update(&st, sk, 64);
	crypto_generichash_final(&st, chk, 32);
	memcpy(pub, ED, 2);
	memcpy(pub + 2, id, SIGN_ID_LEN);
	memcpy(pub + 2 + SIGN_ID_LEN, pk, 32);
	sign_id_hex(id, hex);
	char *sk64 = b64(raw, sizeof(raw)), *pk64 = b64(pub, sizeof(pub));
	char *sktext = xasprintf("untrusted comment: minisign secret key %s (unencrypted, "
	                         "ismsctl keygen)\n%s\n",
	                         hex, sk64);
	char *pktext = xasprintf("untrusted comment: minisign public key %s\n%s\n", hex, pk64);
	int rc = write_new(key_path, 0600, sktext);
	if (rc == 0 && write_new(pub_path, 0644, pktext) < 0) {
		unlink(key_path);
		rc = -1;
	}
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(sktext, strlen(sktext));
	sodium_memzero(sk64, strlen(sk64));
	free(sktext), free(pktext), free(sk64), free(pk64);
	return rc;
}

char *
sign_detached(const struct sign_key *k, const void *msg, size_t len, const char *trusted)
{
	uint8_t sig[SIG_LEN], global[64];
	char hex[2 * SIGN_ID_LEN + 1];
	if (init_sodium() < 0 || strpbrk(trusted, "\r\n") != NULL)
		return NULL;
	memcpy(sig, ED, 2);
	memcpy(sig + 2, k->id, SIGN_ID_LEN);
	crypto_sign_detached(sig + 2 + SIGN_ID_LEN, NULL, msg, len, k->sk);
	size_t tl = strlen(trusted);
	uint8_t *g = xmalloc(64 + tl + 1);
	memcpy(g, sig + 2 + SIGN_ID_LEN, 64);
	memcpy(g + 64, trusted, tl + 1);
	crypto_sign_detached(global, NULL, g, 64 + tl, k->sk);
	free(g);
	sign_id_hex(k->id, hex);
	char *s64 = b64(sig, sizeof(sig)), *g64 = b64(global, sizeof(global));
	char *out = xasprintf("untrusted comment: signature from ismsd key %s\n%s\n"
	                      "trusted comment: %s\n%s\n",
	                      hex, s64, trusted, g64);
	free(s64), free(g64);
	return out;
}

/* The n-th line of text (from 0), without its line end; NULL if absent. */
static char *
line_at(const char *text, int n)
{
	const char *p = text;
	for (int i = 0; i < n; i++) {
		p = strchr(p, '\n');
		if (p == NULL)
			return NULL;
		p++;
	}
	size_t l = strcspn(p, "\r\n");
	if (*p == '\0')
		return NULL;
	return xstrndup(p, l);
}

int
sign_verify(const struct sign_pub *p, const void *msg, size_t len, const char *sigtext,
            char **trusted)
{
	uint8_t sig[SIG_LEN], global[64];
	size_t got = 0;
	int rc = -1;
	char *l1 = line_at(sigtext, 1), *l2 = line_at(sigtext, 2), *l3 = line_at(sigtext, 3);
	if (init_sodium() < 0)
		goto out;
	if (l1 == NULL || l2 == NULL || l3 == NULL ||
	    strncmp(sigtext, "untrusted comment:", 18) != 0 ||
	    strncmp(l2, "trusted comment: ", 17) != 0) {
		err_set("not a minisign signature (four lines: untrusted comment, signature, "
		        "trusted comment, global signature)");
		goto out;
	}
	if (sodium_base642bin(sig, sizeof(sig), l1, strlen(l1), NULL, &got, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != sizeof(sig) ||
	    sodium_base642bin(global, sizeof(global), l3, strlen(l3), NULL, &got, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != sizeof(global)) {
		err_set("the signature is not valid base64 of the expected length");
		goto out;
	}
	if (memcmp(sig + 2, p->id, SIGN_ID_LEN) != 0) {
		char a[17], b[17];
		sign_id_hex(sig + 2, a);
		sign_id_hex(p->id, b);
		err_set("signed with key %s, but the public key given is %s", a, b);
		goto out;
	}
	const uint8_t *s = sig + 2 + SIGN_ID_LEN;
	int ok;
	if (memcmp(sig, "Ed", 2) == 0) {
		ok = crypto_sign_verify_detached(s, msg, len, p->pk) == 0;
	} else if (memcmp(sig, "ED", 2) == 0) {
		uint8_t h[crypto_generichash_BYTES_MAX];
		crypto_generichash(h, sizeof(h), msg, len, NULL, 0);
		ok = crypto_sign_verify_detached(s, h, sizeof(h), p->pk) == 0;
	} else {
		err_set("unknown signature algorithm (neither Ed nor ED)");
		goto out;
	}
	if (!ok) {
		err_set("signature verification failed: the file is not what was signed");
		goto out;
	}
	const char *tc = l2 + 17;
	size_t tl = strlen(tc);
	uint8_t *g = xmalloc(64 + tl + 1);
	memcpy(g, s, 64);
	memcpy(g + 64, tc, tl + 1);
	ok = crypto_sign_verify_detached(global, g, 64 + tl, p->pk) == 0;
	free(g);
	if (!ok) {
		err_set("the trusted comment was altered after signing");
		goto out;
	}
	if (trusted)
		*trusted = xstrdup(tc);
	rc = 0;
out:
	free(l1), free(l2), free(l3);
	return rc;
}
