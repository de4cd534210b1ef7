/*
 * password.c: Argon2id hashing and password rules, on libsodium.
 */
#include "auth/password.h"

#include <sodium.h>
#include <string.h>

/* 64 MiB, 3 passes: above OWASP's floor, about 0.1 s here. */
#define PW_OPSLIMIT 3ULL
#define PW_MEMLIMIT (64ULL * 1024 * 1024)

enum cm_err
password_lib_init(void)
{
    return sodium_init() < 0 ? CM_ERR_INTERNAL : CM_ERR_OK;
}

enum cm_err
password_check_strength(const char *pw, const char **why)
{
    size_t n = strlen(pw);

    if (n < PASSWORD_MIN_LEN) {
        *why = "the password must be at least 12 characters long";
        return CM_ERR_VALIDATION_FAILED;
    }
    if (n > PASSWORD_MAX_LEN) {
        *why = "the password must be at most 1024 characters long";
        return CM_ERR_VALIDATION_FAILED;
    }
    return CM_ERR_OK;
}

enum cm_err
password_hash(const char *pw, char out[PASSWORD_HASH_MAX])
{
    char h[crypto_pwhash_STRBYTES];

    _Static_assert(crypto_pwhash_STRBYTES <= PASSWORD_HASH_MAX,
                   "hash buffer too small");
    if (crypto_pwhash_str_alg(h, pw, strlen(pw), PW_OPSLIMIT, PW_MEMLIMIT,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return CM_ERR_NO_MEMORY;
    memcpy(out, h, sizeof h);
    return CM_ERR_OK;
}

bool
password_verify(const char *pw, const char *hash)
{
    return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

void
password_generate(char *out, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    const uint32_t n = (uint32_t)(sizeof alphabet - 1);

    for (size_t i = 0; i < len; i++)
        out[i] = alphabet[randombytes_uniform(n)];
    out[len] = '\0';
}
