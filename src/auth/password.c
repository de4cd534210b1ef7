/*
 * password.c: Argon2id hashing and password rules, on libsodium.
 */
#include "auth/password.h"

#include <ctype.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/file.h"

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

/* ---- the list of common passwords ------------------------------------*/

/* Largest list file read (a list of 10 million passwords is ~100 MiB). */
#define BLOCKLIST_FILE_MAX (512u * 1024 * 1024)

/* The list: `text` holds every entry, lower-cased and NUL-ended; `words`
 * points into it, sorted for bsearch. */
static struct {
    char *text;
    const char **words;
    size_t n;
} blocklist;

static int
word_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t
password_blocklist_size(void)
{
    return blocklist.n;
}

void
password_blocklist_release(void)
{
    cm_free(blocklist.text);
    cm_free(blocklist.words);
    memset(&blocklist, 0, sizeof blocklist);
}

enum cm_err
password_blocklist_load(const char *path, struct buf *why)
{
    struct buf b = BUF_INIT;
    const char **words = NULL;
    size_t n = 0, cap = 0;
    char *p, *end;

    if (!*path) {
        password_blocklist_release();
        return CM_ERR_OK;
    }
    if (file_read_all(path, BLOCKLIST_FILE_MAX, &b) != CM_ERR_OK) {
        buf_addf(why,
                 "password_blocklist: cannot read %s (at most 512 MiB); "
                 "install Debian's john-data for its list of common "
                 "passwords, or set password_blocklist to a list of your "
                 "own, one password per line",
                 path);
        buf_release(&b);
        return CM_ERR_IO;
    }
    p = b.data ? b.data : (char *)"";
    end = p + b.len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *e = nl ? nl : end;
        size_t len;

        if (e > p && e[-1] == '\r')
            e--;
        len = (size_t)(e - p);
        *e = '\0';
        if (len > 0 && len <= PASSWORD_MAX_LEN &&
            strncmp(p, "#!comment", 9) != 0 && !memchr(p, '\0', len)) {
            if (n == cap) {
                cap = cap ? cap * 2 : 1024;
                words = cm_realloc(words, cap * sizeof *words);
            }
            for (size_t i = 0; i < len; i++)
                p[i] = (char)tolower((unsigned char)p[i]);
            words[n++] = p;
        }
        p = nl ? nl + 1 : end;
    }
    if (n > 0)
        qsort(words, n, sizeof *words, word_cmp);
    password_blocklist_release();
    blocklist.text = buf_detach(&b, NULL); /* the words point into it */
    blocklist.words = words;
    blocklist.n = n;
    return CM_ERR_OK;
}

/* Whether the `len` bytes at `s` (lower case) are an entry of the list. */
static bool
is_listed(const char *s, size_t len)
{
    char key[PASSWORD_MAX_LEN + 1];
    const char *k = key;

    if (len == 0 || len > PASSWORD_MAX_LEN || blocklist.n == 0)
        return false;
    memcpy(key, s, len);
    key[len] = '\0';
    return bsearch(&k, blocklist.words, blocklist.n, sizeof *blocklist.words,
                   word_cmp) != NULL;
}

/* Whether the `len` bytes at `s` are an entry, or an entry repeated. */
static bool
is_listed_or_repeated(const char *s, size_t len)
{
    if (is_listed(s, len))
        return true;
    for (size_t unit = 1; unit <= len / 2; unit++) {
        bool same = len % unit == 0;

        for (size_t i = unit; same && i < len; i += unit)
            same = memcmp(s, s + i, unit) == 0;
        if (same && is_listed(s, unit))
            return true;
    }
    return false;
}

/* On the list, ignoring ASCII case: the whole password, or what is left
 * of it without the digits, punctuation and spaces around it (at least 4
 * characters), either of them alone or repeated. */
static bool
is_common(const char *pw)
{
    char low[PASSWORD_MAX_LEN + 1];
    size_t n = strlen(pw), a = 0, b;

    if (blocklist.n == 0 || n > PASSWORD_MAX_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)pw[i]);
    low[n] = '\0';
    if (is_listed_or_repeated(low, n))
        return true;
    b = n;
    while (a < b && (unsigned char)low[a] < 0x80 &&
           !isalpha((unsigned char)low[a]))
        a++;
    while (b > a && (unsigned char)low[b - 1] < 0x80 &&
           !isalpha((unsigned char)low[b - 1]))
        b--;
    return b - a >= 4 && (a > 0 || b < n) &&
           is_listed_or_repeated(low + a, b - a);
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
    if (is_common(pw)) {
        *why = "the password is on a list of common or breached passwords "
               "(digits or symbols around it do not help): choose another, "
               "such as a few unrelated words";
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
