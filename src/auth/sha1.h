/*
 * sha1.h: SHA-1 (FIPS 180-4, section 6.1), written here because libsodium
 * has none and authenticator apps compute RFC 6238 codes with HMAC-SHA1.
 *
 * SHA-1 is broken for collision resistance; compel uses it only inside
 * HMAC-SHA1 for TOTP, where that weakness does not apply (RFC 6194). Do not
 * use it for anything else.
 *
 * Lifecycle: sha1_init, sha1_update any number of times, sha1_final (which
 * wipes the context). sha1_digest does all three for one buffer.
 */
#ifndef CM_AUTH_SHA1_H
#define CM_AUTH_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_BYTES 20
#define SHA1_BLOCK_BYTES  64

struct sha1_ctx {
    uint32_t h[5];                         /* the chaining state */
    uint64_t total;                        /* bytes hashed so far */
    unsigned char block[SHA1_BLOCK_BYTES]; /* a partial block */
    size_t fill;                           /* bytes used in `block` */
};

/* Start a new hash in `ctx`. */
void sha1_init(struct sha1_ctx *ctx);

/* Hash `n` more bytes of `data` (NULL is allowed when n is 0). */
void sha1_update(struct sha1_ctx *ctx, const void *data, size_t n);

/* Write the 20-byte digest into `out` and wipe `ctx`; start again with
 * sha1_init before reusing it. */
void sha1_final(struct sha1_ctx *ctx, unsigned char out[SHA1_DIGEST_BYTES]);

/* The SHA-1 digest of `n` bytes of `data`, written into `out`. */
void
sha1_digest(const void *data, size_t n, unsigned char out[SHA1_DIGEST_BYTES]);

#endif
