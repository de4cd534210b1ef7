/*
 * password.c: Argon2id hashing and password rules, on libsodium.
 */
#include "auth/password.h"

#include <ctype.h>
#include <sodium.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* PASSWORD_COST_STANDARD: 64 MiB, 3 passes, above OWASP's floor (about
 * 0.2 s on the 2-core machine of docs/performance.md). */
#define PW_STANDARD_OPSLIMIT 3ULL
#define PW_STANDARD_MEMLIMIT (64ULL * 1024 * 1024)
/* PASSWORD_COST_MINIMUM: OWASP's floor for Argon2id, m=19 MiB, t=2, p=1
 * (the Password Storage Cheat Sheet), about a fifth of the time. */
#define PW_MINIMUM_OPSLIMIT 2ULL
#define PW_MINIMUM_MEMLIMIT (19ULL * 1024 * 1024)

static enum password_cost cost = PASSWORD_COST_STANDARD;

bool
password_cost_parse(const char *text, enum password_cost *out)
{
    if (strcmp(text, "standard") == 0)
        *out = PASSWORD_COST_STANDARD;
    else if (strcmp(text, "minimum") == 0)
        *out = PASSWORD_COST_MINIMUM;
    else
        return false;
    return true;
}

void
password_set_cost(enum password_cost c)
{
    cost = c;
}

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

/* Whether `hay` contains the `n` bytes at `needle`, ignoring ASCII case. */
static bool
contains_nocase(const char *hay, const char *needle, size_t n)
{
    size_t h = strlen(hay);

    for (size_t i = 0; n > 0 && i + n <= h; i++)
        if (strncasecmp(hay + i, needle, n) == 0)
            return true;
    return false;
}

/* Every byte the same, or each one more (or each one less) than the one
 * before it. */
static bool
is_repeat_or_run(const char *pw)
{
    size_t n = strlen(pw);
    bool same = true, up = true, down = true;

    for (size_t i = 1; i < n; i++) {
        int d = (unsigned char)pw[i] - (unsigned char)pw[i - 1];

        same = same && d == 0;
        /* Digits run on from 9 to 0 ("123456789012"). */
        up = up && (d == 1 || (pw[i - 1] == '9' && pw[i] == '0'));
        down = down && (d == -1 || (pw[i - 1] == '0' && pw[i] == '9'));
    }
    return same || up || down;
}

enum cm_err
password_check_for(const char *pw,
                   const char *email,
                   const char *name,
                   const char **why)
{
    enum cm_err err = password_check_strength(pw, why);
    const char *at = email ? strchr(email, '@') : NULL;

    if (err != CM_ERR_OK)
        return err;
    if (is_repeat_or_run(pw)) {
        *why = "the password must not be one character repeated or a run "
               "of consecutive characters";
        return CM_ERR_VALIDATION_FAILED;
    }
    if (contains_nocase(pw, "compel", 6)) {
        *why = "the password must not contain the service's name";
        return CM_ERR_VALIDATION_FAILED;
    }
    if (email && (size_t)(at ? at - email : (ptrdiff_t)strlen(email)) >= 3 &&
        contains_nocase(pw, email, at ? (size_t)(at - email) : strlen(email))) {
        *why = "the password must not contain the email address's name";
        return CM_ERR_VALIDATION_FAILED;
    }
    for (const char *p = name ? name : ""; *p;) {
        size_t n = 0;

        while (p[n] && isalpha((unsigned char)p[n]))
            n++;
        if (n >= 4 && contains_nocase(pw, p, n)) {
            *why = "the password must not contain the user's name";
            return CM_ERR_VALIDATION_FAILED;
        }
        p += n;
        while (*p && !isalpha((unsigned char)*p))
            p++;
    }
    return CM_ERR_OK;
}

enum cm_err
password_hash(const char *pw, char out[PASSWORD_HASH_MAX])
{
    char h[crypto_pwhash_STRBYTES];
    bool minimum = cost == PASSWORD_COST_MINIMUM;

    _Static_assert(crypto_pwhash_STRBYTES <= PASSWORD_HASH_MAX,
                   "hash buffer too small");
    if (crypto_pwhash_str_alg(
            h, pw, strlen(pw),
            minimum ? PW_MINIMUM_OPSLIMIT : PW_STANDARD_OPSLIMIT,
            minimum ? PW_MINIMUM_MEMLIMIT : PW_STANDARD_MEMLIMIT,
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
