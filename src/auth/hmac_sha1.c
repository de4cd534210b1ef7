/*
 * hmac_sha1.c: HMAC (RFC 2104 section 2) over SHA-1:
 * H(K ^ opad || H(K ^ ipad || text)), with K zero-padded to the 64-byte
 * block and ipad = 0x36, opad = 0x5c repeated. Key material is wiped.
 */
#include "auth/hmac_sha1.h"

#include <sodium.h>
#include <string.h>

void
hmac_sha1_init(struct hmac_sha1_ctx *ctx, const void *key, size_t key_len)
{
    unsigned char k[SHA1_BLOCK_BYTES] = {0};
    unsigned char pad[SHA1_BLOCK_BYTES];

    if (key_len > SHA1_BLOCK_BYTES)
        sha1_digest(key, key_len, k);
    else if (key_len > 0)
        memcpy(k, key, key_len);
    for (size_t i = 0; i < SHA1_BLOCK_BYTES; i++)
        pad[i] = (unsigned char)(k[i] ^ 0x36u);
    sha1_init(&ctx->inner);
    sha1_update(&ctx->inner, pad, sizeof pad);
    for (size_t i = 0; i < SHA1_BLOCK_BYTES; i++)
        pad[i] = (unsigned char)(k[i] ^ 0x5cu);
    sha1_init(&ctx->outer);
    sha1_update(&ctx->outer, pad, sizeof pad);
    sodium_memzero(k, sizeof k);
    sodium_memzero(pad, sizeof pad);
}

void
hmac_sha1_update(struct hmac_sha1_ctx *ctx, const void *data, size_t n)
{
    sha1_update(&ctx->inner, data, n);
}

void
hmac_sha1_final(struct hmac_sha1_ctx *ctx, unsigned char out[HMAC_SHA1_BYTES])
{
    unsigned char inner[SHA1_DIGEST_BYTES];

    sha1_final(&ctx->inner, inner);
    sha1_update(&ctx->outer, inner, sizeof inner);
    sha1_final(&ctx->outer, out);
    sodium_memzero(inner, sizeof inner);
}

void
hmac_sha1(const void *key,
          size_t key_len,
          const void *data,
          size_t n,
          unsigned char out[HMAC_SHA1_BYTES])
{
    struct hmac_sha1_ctx ctx;

    hmac_sha1_init(&ctx, key, key_len);
    hmac_sha1_update(&ctx, data, n);
    hmac_sha1_final(&ctx, out);
}
