/*
 * token.c: random bearer tokens and their hashes (libsodium).
 */
#include "auth/token.h"

#include <sodium.h>
#include <string.h>

#include "core/rand.h"

void
token_new(char token[TOKEN_LEN + 1], unsigned char hash[TOKEN_HASH_SIZE])
{
    unsigned char raw[32];

    randombytes_buf(raw, sizeof raw);
    (void)cm_base64url(raw, sizeof raw, token);
    sodium_memzero(raw, sizeof raw);
    crypto_generichash(hash, TOKEN_HASH_SIZE, (const unsigned char *)token,
                       TOKEN_LEN, NULL, 0);
}

bool
token_hash(const char *token, unsigned char hash[TOKEN_HASH_SIZE])
{
    size_t n = 0;

    for (; n <= TOKEN_LEN && token[n] != '\0'; n++) {
        char c = token[n];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    if (n != TOKEN_LEN)
        return false;
    crypto_generichash(hash, TOKEN_HASH_SIZE, (const unsigned char *)token,
                       TOKEN_LEN, NULL, 0);
    return true;
}

void
token_hash_hex(const unsigned char hash[TOKEN_HASH_SIZE],
               char out[TOKEN_HASH_HEX_SIZE])
{
    (void)sodium_bin2hex(out, TOKEN_HASH_HEX_SIZE, hash, 8);
}

bool
token_hash_equal(const unsigned char a[TOKEN_HASH_SIZE],
                 const unsigned char b[TOKEN_HASH_SIZE])
{
    return sodium_memcmp(a, b, TOKEN_HASH_SIZE) == 0;
}

void
token_digest(const void *data, size_t n, unsigned char out[TOKEN_HASH_SIZE])
{
    crypto_generichash(out, TOKEN_HASH_SIZE, data, n, NULL, 0);
}
