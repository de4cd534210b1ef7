/*
 * sha1.c: SHA-1 following FIPS 180-4: padding (5.1.1), parsing into 512-bit
 * blocks (5.2.1), the initial hash value (5.3.1) and the computation with
 * its 80-word message schedule (6.1.2). Only for HMAC-SHA1 in TOTP.
 */
#include "auth/sha1.h"

#include <sodium.h>
#include <string.h>

static uint32_t
rotl(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32u - n));
}

static uint32_t
load_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

static void
store_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* FIPS 180-4 6.1.2: process one 64-byte block. */
static void
compress(uint32_t h[5], const unsigned char *block)
{
    uint32_t w[80];
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

    for (size_t t = 0; t < 16; t++)
        w[t] = load_be32(block + 4 * t);
    for (unsigned t = 16; t < 80; t++)
        w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    for (unsigned t = 0; t < 80; t++) {
        uint32_t f;
        uint32_t k;
        uint32_t tmp;

        /* f_t and K_t from FIPS 180-4 4.1.1 and 4.2.1. */
        if (t < 20) {
            f = (b & c) ^ (~b & d);
            k = 0x5a827999u;
        } else if (t < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1u;
        } else if (t < 60) {
            f = (b & c) ^ (b & d) ^ (c & d);
            k = 0x8f1bbcdcu;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6u;
        }
        tmp = rotl(a, 5) + f + e + k + w[t];
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = tmp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    sodium_memzero(w, sizeof w);
}

void
sha1_init(struct sha1_ctx *ctx)
{
    /* FIPS 180-4 5.3.1. */
    ctx->h[0] = 0x67452301u;
    ctx->h[1] = 0xefcdab89u;
    ctx->h[2] = 0x98badcfeu;
    ctx->h[3] = 0x10325476u;
    ctx->h[4] = 0xc3d2e1f0u;
    ctx->total = 0;
    ctx->fill = 0;
}

void
sha1_update(struct sha1_ctx *ctx, const void *data, size_t n)
{
    const unsigned char *p = data;

    if (n == 0)
        return;
    ctx->total += (uint64_t)n;
    if (ctx->fill > 0) {
        size_t take = SHA1_BLOCK_BYTES - ctx->fill;

        if (take > n)
            take = n;
        memcpy(ctx->block + ctx->fill, p, take);
        ctx->fill += take;
        p += take;
        n -= take;
        if (ctx->fill < SHA1_BLOCK_BYTES)
            return;
        compress(ctx->h, ctx->block);
        ctx->fill = 0;
    }
    while (n >= SHA1_BLOCK_BYTES) {
        compress(ctx->h, p);
        p += SHA1_BLOCK_BYTES;
        n -= SHA1_BLOCK_BYTES;
    }
    if (n > 0) {
        memcpy(ctx->block, p, n);
        ctx->fill = n;
    }
}

void
sha1_final(struct sha1_ctx *ctx, unsigned char out[SHA1_DIGEST_BYTES])
{
    /* FIPS 180-4 5.1.1: a 1 bit, zeros, then the length in bits as a
     * 64-bit big-endian number, ending on a block boundary. */
    uint64_t bits = ctx->total * 8u;
    unsigned char len[8];

    ctx->block[ctx->fill++] = 0x80;
    if (ctx->fill > SHA1_BLOCK_BYTES - 8) {
        memset(ctx->block + ctx->fill, 0, SHA1_BLOCK_BYTES - ctx->fill);
        compress(ctx->h, ctx->block);
        ctx->fill = 0;
    }
    memset(ctx->block + ctx->fill, 0, SHA1_BLOCK_BYTES - 8 - ctx->fill);
    store_be32(len, (uint32_t)(bits >> 32));
    store_be32(len + 4, (uint32_t)bits);
    memcpy(ctx->block + SHA1_BLOCK_BYTES - 8, len, 8);
    compress(ctx->h, ctx->block);
    for (size_t i = 0; i < 5; i++)
        store_be32(out + 4 * i, ctx->h[i]);
    sodium_memzero(ctx, sizeof *ctx);
}

void
sha1_digest(const void *data, size_t n, unsigned char out[SHA1_DIGEST_BYTES])
{
    struct sha1_ctx ctx;

    sha1_init(&ctx);
    sha1_update(&ctx, data, n);
    sha1_final(&ctx, out);
}
