/*
 * digest.c: SHA-256 through libsodium (digest.h).
 */
#include "auth/digest.h"

#include <sodium.h>

void
digest_sha256(const void *data,
              size_t len,
              unsigned char out[DIGEST_SHA256_SIZE])
{
    static const unsigned char none[1] = {0};

    (void)crypto_hash_sha256(out, len ? data : none, len);
}

void
digest_sha256_hex(const unsigned char h[DIGEST_SHA256_SIZE],
                  char out[DIGEST_SHA256_HEX_SIZE])
{
    (void)sodium_bin2hex(out, DIGEST_SHA256_HEX_SIZE, h, DIGEST_SHA256_SIZE);
}
