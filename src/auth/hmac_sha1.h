/*
 * hmac_sha1.h: HMAC-SHA1 (RFC 2104 with FIPS 180-4 SHA-1), the PRF of
 * HOTP (RFC 4226) and TOTP (RFC 6238). Only for one-time codes.
 */
#ifndef CM_AUTH_HMAC_SHA1_H
#define CM_AUTH_HMAC_SHA1_H

#include <stddef.h>

#include "auth/sha1.h"

#define HMAC_SHA1_BYTES SHA1_DIGEST_BYTES

struct hmac_sha1_ctx {
    struct sha1_ctx inner; /* H(K ^ ipad || ...) */
    struct sha1_ctx outer; /* H(K ^ opad || ...), fed at the end */
};

/* Start an HMAC with the `key_len`-byte `key` (any length; keys longer
 * than 64 bytes are hashed first, as RFC 2104 section 2 says). */
void hmac_sha1_init(struct hmac_sha1_ctx *ctx, const void *key, size_t key_len);

/* Authenticate `n` more bytes of `data`. */
void hmac_sha1_update(struct hmac_sha1_ctx *ctx, const void *data, size_t n);

/* Write the 20-byte tag into `out` and wipe `ctx`. */
void hmac_sha1_final(struct hmac_sha1_ctx *ctx,
                     unsigned char out[HMAC_SHA1_BYTES]);

/* The HMAC-SHA1 of `n` bytes of `data` under `key`, written into `out`. */
void hmac_sha1(const void *key,
               size_t key_len,
               const void *data,
               size_t n,
               unsigned char out[HMAC_SHA1_BYTES]);

#endif
