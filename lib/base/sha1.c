/* sha1.c - SHA-1 as FIPS 180-4 gives it. */
#include "sha1.h"

#include <stdio.h>
#include <string.h>

static uint32_t
rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void
compress(struct sha1 *s, const unsigned char *p)
{
	uint32_t w[80];
	for (size_t i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (size_t i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
	for (size_t i = 0; i < 80; i++) {
		uint32_t f, k;
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		uint32_t t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = t;
	}
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
}

void
sha1_init(struct sha1 *s)
{
	static const uint32_t h0[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
		                        0xc3d2e1f0 };
	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
	s->used = 0;
}

void
sha1_update(struct sha1 *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	s->len += len;
	while (len > 0) {
		size_t take = 64 - s->used < len ? 64 - s->used : len;
		memcpy(s->block + s->used, p, take);
		s->used += take;
		p += take;
		len -= take;
		if (s->used == 64) {
			compress(s, s->block);
			s->used = 0;
		}
	}
}

void
sha1_str(struct sha1 *s, const char *str)
{
	if (str == NULL)
		sha1_update(s, "\xff", 1);
	else
		sha1_update(s, str, strlen(str) + 1);
}

void
sha1_final(struct sha1 *s, unsigned char out[20])
{
	uint64_t bits = s->len * 8;
	unsigned char pad[72] = { 0x80 };
	size_t n = s->used < 56 ? 56 - s->used : 120 - s->used;
	for (int i = 0; i < 8; i++)
		pad[n + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(s, pad, n + 8);
	for (size_t i = 0; i < 5; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}

void
sha1_final_hex(struct sha1 *s, char out[41])
{
	unsigned char d[20];
	sha1_final(s, d);
	for (size_t i = 0; i < 20; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}
