/* sha1.h - SHA-1 (FIPS 180-4) for digests that name content: the rule
 * packs' digest and the name-based UUIDs of exports. Not for secrets. Any
 * thread. */
#ifndef ISMS_SHA1_H
#define ISMS_SHA1_H

#include <stddef.h>
#include <stdint.h>

struct sha1 {
	uint32_t h[5];
	uint64_t len; /* bytes fed */
	unsigned char block[64];
	size_t used;
};

void sha1_init(struct sha1 *s);
void sha1_update(struct sha1 *s, const void *data, size_t len);
/* Feed a string and its terminating NUL, so that ("ab","c") and ("a","bc")
 * differ; NULL feeds one 0xff byte. */
void sha1_str(struct sha1 *s, const char *str);
void sha1_final(struct sha1 *s, unsigned char out[20]);
/* The digest as 40 lower-case hex digits into out. */
void sha1_final_hex(struct sha1 *s, char out[41]);

#endif
