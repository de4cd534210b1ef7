/*
 * hmac_sha256.c: HMAC-SHA256 (hmac_sha256.h) with libsodium's
 * crypto_auth_hmacsha256 multi-part API, which takes keys of any length.
 */
#include "auth/hmac_sha256.h"

#include <sodium.h>

void
hmac_sha256(const void *key,
            size_t key_len,
            const void *msg,
            size_t msg_len,
            unsigned char out[HMAC_SHA256_SIZE])
{
    crypto_auth_hmacsha256_state st;

    (void)crypto_auth_hmacsha256_init(&st, key, key_len);
    (void)crypto_auth_hmacsha256_update(&st, msg, msg_len);
    (void)crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

void
hmac_sha256_hex(const void *key,
                size_t key_len,
                const void *msg,
                size_t msg_len,
                char out[HMAC_SHA256_HEX_SIZE])
{
    unsigned char mac[HMAC_SHA256_SIZE];

    hmac_sha256(key, key_len, msg, msg_len, mac);
    (void)sodium_bin2hex(out, HMAC_SHA256_HEX_SIZE, mac, sizeof mac);
}
