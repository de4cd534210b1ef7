/*
 * checkpoint.c: writing and strictly parsing signed audit checkpoints
 * (format in checkpoint.h). The parser treats its input as hostile: it
 * accepts only the exact line structure, bounded lengths, canonical
 * base64 and decimal, and a real UTC time, before checking the signature.
 */
#include "audit/checkpoint.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

/* KDF context of the signing seed (8 bytes) and its subkey id. */
static const char kdf_ctx_sign[crypto_kdf_CONTEXTBYTES] = "cmckpt01";
#define SIGN_SUBKEY_ID 1

/* The signature line's prefix: U+2014 EM DASH, a space, the key name and
 * a space. */
static const char sig_prefix[] = "\xe2\x80\x94 " CHECKPOINT_KEY_NAME " ";

#define KEY_ID_BYTES   4
#define SIG_BLOB_BYTES (KEY_ID_BYTES + crypto_sign_BYTES)

/* Base64 (padded) lengths of the head hash and the signature blob. */
#define HEAD_B64_LEN ((size_t)4 * ((AUDIT_HASH_BYTES + 2) / 3))
#define SIG_B64_LEN  ((size_t)4 * ((SIG_BLOB_BYTES + 2) / 3))

/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" */
#define TIME_LEN 27

/* Body lines, the blank line and the signature line. */
#define LINE_COUNT 7

#define US_PER_SEC  INT64_C(1000000)
#define SEC_PER_DAY INT64_C(86400)

_Static_assert(crypto_sign_PUBLICKEYBYTES == CHECKPOINT_PUBLIC_BYTES,
               "Ed25519 public key size");
_Static_assert(crypto_kdf_KEYBYTES == CHECKPOINT_MASTER_BYTES,
               "master key size");

static enum cm_err
derive_keypair(const unsigned char master[CHECKPOINT_MASTER_BYTES],
               unsigned char pk[crypto_sign_PUBLICKEYBYTES],
               unsigned char sk[crypto_sign_SECRETKEYBYTES])
{
    unsigned char seed[crypto_sign_SEEDBYTES];
    enum cm_err err = CM_ERR_INTERNAL;

    if (crypto_kdf_derive_from_key(seed, sizeof seed, SIGN_SUBKEY_ID,
                                   kdf_ctx_sign, master) != 0)
        goto out_wipe;
    if (crypto_sign_seed_keypair(pk, sk, seed) != 0)
        goto out_wipe;
    err = CM_ERR_OK;
out_wipe:
    sodium_memzero(seed, sizeof seed);
    return err;
}

/* signed-note key id: SHA-256(name || "\n" || 0x01 || pk)[:4]. */
static void
key_id(const unsigned char pk[CHECKPOINT_PUBLIC_BYTES],
       unsigned char out[KEY_ID_BYTES])
{
    static const unsigned char sep[2] = {0x0a, 0x01};
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];

    (void)crypto_hash_sha256_init(&st);
    (void)crypto_hash_sha256_update(&st,
                                    (const unsigned char *)CHECKPOINT_KEY_NAME,
                                    sizeof CHECKPOINT_KEY_NAME - 1);
    (void)crypto_hash_sha256_update(&st, sep, sizeof sep);
    (void)crypto_hash_sha256_update(&st, pk, CHECKPOINT_PUBLIC_BYTES);
    (void)crypto_hash_sha256_final(&st, h);
    memcpy(out, h, KEY_ID_BYTES);
}

static bool
is_valid_origin(const char *s, size_t n)
{
    if (n == 0 || n > CHECKPOINT_ORIGIN_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x21 || s[i] > 0x7e)
            return false;
    }
    return true;
}

/* Days since 1970-01-01 of a Gregorian date (year >= 1), after
 * H. Hinnant's days_from_civil. */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era;
    int64_t yoe;
    int64_t doy;
    int64_t doe;

    y -= m <= 2;
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The Gregorian date of `z` days since 1970-01-01 (z >= 0). */
static void
civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    int64_t era;
    int64_t doe;
    int64_t yoe;
    int64_t doy;
    int64_t mp;

    z += 719468;
    era = z / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static void
format_time(int64_t at_us, struct buf *out)
{
    int64_t secs = at_us / US_PER_SEC;
    int64_t us = at_us % US_PER_SEC;
    int64_t day = secs / SEC_PER_DAY;
    int64_t sod = secs % SEC_PER_DAY;
    int64_t y, m, d;

    civil_from_days(day, &y, &m, &d);
    buf_addf(out, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%06lldZ",
             (long long)y, (long long)m, (long long)d, (long long)(sod / 3600),
             (long long)(sod / 60 % 60), (long long)(sod % 60), (long long)us);
}

static bool
read_digits(const char *s, size_t n, int64_t *out)
{
    int64_t v = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool
parse_time(const char *s, size_t n, int64_t *out)
{
    static const int64_t mdays[12] = {31, 28, 31, 30, 31, 30,
                                      31, 31, 30, 31, 30, 31};
    int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, us = 0, last;

    if (n != TIME_LEN || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
        s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z')
        return false;
    if (!read_digits(s, 4, &y) || !read_digits(s + 5, 2, &mo) ||
        !read_digits(s + 8, 2, &d) || !read_digits(s + 11, 2, &h) ||
        !read_digits(s + 14, 2, &mi) || !read_digits(s + 17, 2, &sec) ||
        !read_digits(s + 20, 6, &us))
        return false;
    /* No leap seconds: checkpoint times come from our own clock. */
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59)
        return false;
    last = mdays[mo - 1];
    if (mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
        last = 29;
    if (d > last)
        return false;
    *out =
        ((days_from_civil(y, mo, d) * SEC_PER_DAY + h * 3600 + mi * 60 + sec) *
         US_PER_SEC) +
        us;
    return true;
}

/* A non-negative decimal without sign or leading zeros that fits int64. */
static bool
parse_size(const char *s, size_t n, int64_t *out)
{
    int64_t v = 0;

    if (n == 0 || n > 19 || (n > 1 && s[0] == '0'))
        return false;
    for (size_t i = 0; i < n; i++) {
        int digit;

        if (s[i] < '0' || s[i] > '9')
            return false;
        digit = s[i] - '0';
        if (v > (INT64_MAX - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    *out = v;
    return true;
}

/* Decode exactly `want` bytes from padded base64, accepting only the
 * canonical text (so each value has exactly one spelling). */
static bool
decode_b64(const char *s, size_t n, unsigned char *bin, size_t want)
{
    char again[SIG_B64_LEN + 1];
    size_t bin_len = 0;
    const char *end = NULL;

    if (n != 4 * ((want + 2) / 3) || n > SIG_B64_LEN)
        return false;
    if (sodium_base642bin(bin, want, s, n, NULL, &bin_len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        bin_len != want || end != s + n)
        return false;
    (void)sodium_bin2base64(again, sizeof again, bin, want,
                            sodium_base64_VARIANT_ORIGINAL);
    return memcmp(again, s, n) == 0;
}

enum cm_err
checkpoint_sign(const unsigned char master[CHECKPOINT_MASTER_BYTES],
                const char *origin,
                int64_t size,
                const unsigned char head[AUDIT_HASH_BYTES],
                int64_t at_us,
                struct buf *out)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    unsigned char blob[SIG_BLOB_BYTES];
    char head_b64[HEAD_B64_LEN + 1];
    char sig_b64[SIG_B64_LEN + 1];
    struct buf text = BUF_INIT;
    enum cm_err err = CM_ERR_VALIDATION_FAILED;

    if (origin == NULL ||
        !is_valid_origin(origin, strnlen(origin, CHECKPOINT_ORIGIN_MAX + 1)) ||
        size < 0 || at_us < 0 || at_us > CHECKPOINT_AT_US_MAX)
        return CM_ERR_VALIDATION_FAILED;
    err = derive_keypair(master, pk, sk);
    if (err != CM_ERR_OK)
        goto out_wipe;
    (void)sodium_bin2base64(head_b64, sizeof head_b64, head, AUDIT_HASH_BYTES,
                            sodium_base64_VARIANT_ORIGINAL);
    buf_addf(&text, "%s\n%s\n%lld\n%s\n", CHECKPOINT_VERSION_LINE, origin,
             (long long)size, head_b64);
    format_time(at_us, &text);
    buf_addch(&text, '\n');
    key_id(pk, blob);
    if (crypto_sign_detached(blob + KEY_ID_BYTES, NULL,
                             (const unsigned char *)text.data, text.len,
                             sk) != 0) {
        err = CM_ERR_INTERNAL;
        goto out_wipe;
    }
    (void)sodium_bin2base64(sig_b64, sizeof sig_b64, blob, sizeof blob,
                            sodium_base64_VARIANT_ORIGINAL);
    buf_addf(&text, "\n%s%s\n", sig_prefix, sig_b64);
    buf_add(out, text.data, text.len);
    err = CM_ERR_OK;
out_wipe:
    sodium_memzero(sk, sizeof sk);
    buf_release(&text);
    return err;
}

enum cm_err
checkpoint_parse_verify(const unsigned char public_key[CHECKPOINT_PUBLIC_BYTES],
                        const char *text,
                        size_t len,
                        struct checkpoint *out)
{
    const char *line[LINE_COUNT];
    size_t line_len[LINE_COUNT];
    unsigned char want_id[KEY_ID_BYTES];
    unsigned char blob[SIG_BLOB_BYTES];
    struct checkpoint cp;
    size_t nlines = 0;
    size_t body_len;
    size_t pos = 0;
    size_t sig_n;

    if (text == NULL || len == 0 || len > CHECKPOINT_TEXT_MAX)
        return CM_ERR_VALIDATION_FAILED;
    /* Split into lines, each ended by "\n"; no text may follow the last. */
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);

        if (nl == NULL || nlines == LINE_COUNT)
            return CM_ERR_VALIDATION_FAILED;
        line[nlines] = text + pos;
        line_len[nlines] = (size_t)(nl - (text + pos));
        nlines++;
        pos = (size_t)(nl - text) + 1;
    }
    if (nlines != LINE_COUNT)
        return CM_ERR_VALIDATION_FAILED;
    if (line_len[0] != sizeof CHECKPOINT_VERSION_LINE - 1 ||
        memcmp(line[0], CHECKPOINT_VERSION_LINE, line_len[0]) != 0)
        return CM_ERR_VALIDATION_FAILED;
    if (!is_valid_origin(line[1], line_len[1]))
        return CM_ERR_VALIDATION_FAILED;
    memcpy(cp.origin, line[1], line_len[1]);
    cp.origin[line_len[1]] = '\0';
    if (!parse_size(line[2], line_len[2], &cp.size))
        return CM_ERR_VALIDATION_FAILED;
    if (!decode_b64(line[3], line_len[3], cp.head, sizeof cp.head))
        return CM_ERR_VALIDATION_FAILED;
    if (!parse_time(line[4], line_len[4], &cp.at_us))
        return CM_ERR_VALIDATION_FAILED;
    if (line_len[5] != 0)
        return CM_ERR_VALIDATION_FAILED;
    sig_n = sizeof sig_prefix - 1;
    if (line_len[6] != sig_n + SIG_B64_LEN ||
        memcmp(line[6], sig_prefix, sig_n) != 0 ||
        !decode_b64(line[6] + sig_n, SIG_B64_LEN, blob, sizeof blob))
        return CM_ERR_VALIDATION_FAILED;
    key_id(public_key, want_id);
    if (memcmp(blob, want_id, KEY_ID_BYTES) != 0)
        return CM_ERR_VALIDATION_FAILED;
    /* The signed body: the five lines with their newlines. */
    body_len = (size_t)(line[5] - text);
    if (crypto_sign_verify_detached(blob + KEY_ID_BYTES,
                                    (const unsigned char *)text, body_len,
                                    public_key) != 0)
        return CM_ERR_VALIDATION_FAILED;
    *out = cp;
    return CM_ERR_OK;
}

enum cm_err
checkpoint_public_key(const unsigned char master[CHECKPOINT_MASTER_BYTES],
                      unsigned char pk[CHECKPOINT_PUBLIC_BYTES])
{
    unsigned char p[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    enum cm_err err = derive_keypair(master, p, sk);

    sodium_memzero(sk, sizeof sk);
    if (err == CM_ERR_OK)
        memcpy(pk, p, sizeof p);
    return err;
}

void
checkpoint_public_key_hex(const unsigned char pk[CHECKPOINT_PUBLIC_BYTES],
                          char out[2 * CHECKPOINT_PUBLIC_BYTES + 1])
{
    (void)sodium_bin2hex(out, 2 * CHECKPOINT_PUBLIC_BYTES + 1, pk,
                         CHECKPOINT_PUBLIC_BYTES);
}

enum cm_err
checkpoint_public_key_from_hex(const char *hex,
                               unsigned char pk[CHECKPOINT_PUBLIC_BYTES])
{
    unsigned char p[CHECKPOINT_PUBLIC_BYTES];
    size_t bin_len = 0;
    const char *end = NULL;
    size_t n;

    if (hex == NULL)
        return CM_ERR_VALIDATION_FAILED;
    n = strnlen(hex, 2 * CHECKPOINT_PUBLIC_BYTES + 1);
    if (n != (size_t)2 * CHECKPOINT_PUBLIC_BYTES)
        return CM_ERR_VALIDATION_FAILED;
    if (sodium_hex2bin(p, sizeof p, hex, n, NULL, &bin_len, &end) != 0 ||
        bin_len != sizeof p || end != hex + n)
        return CM_ERR_VALIDATION_FAILED;
    memcpy(pk, p, sizeof p);
    return CM_ERR_OK;
}

void
checkpoint_fingerprint(const unsigned char pk[CHECKPOINT_PUBLIC_BYTES],
                       char out[CHECKPOINT_FINGERPRINT_LEN + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];

    (void)crypto_hash_sha256(h, pk, CHECKPOINT_PUBLIC_BYTES);
    (void)sodium_bin2hex(out, CHECKPOINT_FINGERPRINT_LEN + 1, h,
                         CHECKPOINT_FINGERPRINT_LEN / 2);
}
