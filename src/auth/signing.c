/*
 * signing.c: canonical content, Ed25519 office keys sealed with the master
 * key, signatures and verification codes (signing.h).
 */
#include "auth/signing.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/rand.h"
#include "domain/date.h"

/* The field a sealed seed is bound to (with the office id). */
#define SEAL_FIELD "signing_key"

/* Crockford's base32 digits. */
static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#define CODE_RANDOM_BYTES 10 /* 80 bits: 16 digits of 5 bits */

_Static_assert(crypto_sign_PUBLICKEYBYTES == SIGNING_PUBLIC_BYTES,
               "Ed25519 public key size");
_Static_assert(crypto_sign_BYTES == SIGNING_SIGNATURE_BYTES,
               "Ed25519 signature size");
_Static_assert(crypto_hash_sha256_BYTES == SIGNING_HASH_BYTES, "SHA-256 size");
_Static_assert(CODE_RANDOM_BYTES * 8 == SIGNING_CODE_LEN * 5, "code size");

/* Append `v` escaped: backslash, LF and CR as \\, \n, \r; the rest as is,
 * so a value can never start a new line. */
static void
add_value(struct buf *out, const char *v)
{
    for (const char *p = v ? v : ""; *p; p++) {
        if (*p == '\\')
            buf_adds(out, "\\\\");
        else if (*p == '\n')
            buf_adds(out, "\\n");
        else if (*p == '\r')
            buf_adds(out, "\\r");
        else
            buf_addch(out, *p);
    }
}

static void
add_line(struct buf *out, const char *key, const char *v)
{
    buf_adds(out, key);
    buf_addch(out, '=');
    add_value(out, v);
    buf_addch(out, '\n');
}

static void
add_hex(struct buf *out, const unsigned char *b, size_t n)
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        buf_addch(out, hex[b[i] >> 4]);
        buf_addch(out, hex[b[i] & 15]);
    }
}

/* key=<hex SHA-256 of v>, or key= (empty) when v is NULL or "". */
static void
add_digest_line(struct buf *out, const char *key, const char *v)
{
    unsigned char h[SIGNING_HASH_BYTES];

    buf_adds(out, key);
    buf_addch(out, '=');
    if (v && *v) {
        signing_sha256(v, strlen(v), h);
        add_hex(out, h, sizeof h);
    }
    buf_addch(out, '\n');
}

/* RFC 3339 UTC with microseconds: 2020-01-10T17:00:00.000000Z. */
static void
add_time_line(struct buf *out, const char *key, int64_t us)
{
    char text[DATE_RFC3339_SIZE];
    int64_t secs = us / 1000000;
    int64_t frac = us % 1000000;
    size_t n;

    if (frac < 0) {
        frac += 1000000;
        secs--;
    }
    date_time_format_rfc3339(secs, 0, text);
    n = strlen(text);
    if (n > 0 && text[n - 1] == 'Z')
        text[n - 1] = '\0';
    buf_addf(out, "%s=%s.%06lldZ\n", key, text, (long long)frac);
}

void
signing_canonical(const struct signing_content *c, struct buf *out)
{
    char key[64];

    buf_adds(out, SIGNING_CONTENT_VERSION "\n");
    add_line(out, "subpoena_id", c->subpoena_id);
    add_line(out, "number", c->number);
    add_line(out, "issuing_office_id", c->office_id);
    add_line(out, "issuing_office_name", c->office_name);
    add_line(out, "recipient_org_id", c->recipient_id);
    add_line(out, "recipient_org_name", c->recipient_name);
    add_line(out, "authority", c->authority ? c->authority : SIGNING_AUTHORITY);
    add_digest_line(out, "person_id_sha256", c->person_id);
    add_digest_line(out, "purpose_sha256", c->purpose);
    buf_addf(out, "item_count=%zu\n", c->n_items);
    for (size_t i = 0; i < c->n_items; i++) {
        const struct signing_item *it = &c->items[i];

        buf_addf(out, "item.%zu.position=%lld\n", i + 1,
                 (long long)it->position);
        (void)snprintf(key, sizeof key, "item.%zu.category", i + 1);
        add_line(out, key, it->category);
        (void)snprintf(key, sizeof key, "item.%zu.description", i + 1);
        add_line(out, key, it->description);
    }
    add_line(out, "return_place", c->return_place);
    add_line(out, "signer_user_id", c->signer_id);
    add_line(out, "signer_name", c->signer_name);
    add_line(out, "signer_title", c->signer_title);
    add_time_line(out, "signed_at", c->signed_at);
}

void
signing_sha256(const void *data,
               size_t n,
               unsigned char out[SIGNING_HASH_BYTES])
{
    static const unsigned char empty[1] = {0};

    (void)crypto_hash_sha256(out, n ? data : empty, (unsigned long long)n);
}

void
signing_key_id(const unsigned char pk[SIGNING_PUBLIC_BYTES],
               char out[SIGNING_KEY_ID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char h[SIGNING_HASH_BYTES];

    signing_sha256(pk, SIGNING_PUBLIC_BYTES, h);
    for (size_t i = 0; i < SIGNING_KEY_ID_LEN / 2; i++) {
        out[2 * i] = hex[h[i] >> 4];
        out[2 * i + 1] = hex[h[i] & 15];
    }
    out[SIGNING_KEY_ID_LEN] = '\0';
}

enum cm_err
signing_key_new(const struct fieldcrypt *fc,
                const char *org_id,
                unsigned char pk[SIGNING_PUBLIC_BYTES],
                char key_id[SIGNING_KEY_ID_LEN + 1],
                struct buf *sealed)
{
    unsigned char seed[crypto_sign_SEEDBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    unsigned char p[SIGNING_PUBLIC_BYTES];
    struct buf ct = BUF_INIT;
    enum cm_err err = CM_ERR_INTERNAL;

    if (!org_id || !*org_id)
        return CM_ERR_VALIDATION_FAILED;
    if (sodium_init() < 0)
        return CM_ERR_INTERNAL;
    randombytes_buf(seed, sizeof seed);
    if (crypto_sign_seed_keypair(p, sk, seed) != 0)
        goto out_wipe;
    err = fieldcrypt_seal(fc, org_id, SEAL_FIELD, seed, sizeof seed, &ct);
    if (err != CM_ERR_OK)
        goto out_wipe;
    memcpy(pk, p, sizeof p);
    signing_key_id(p, key_id);
    buf_add(sealed, ct.data, ct.len);
out_wipe:
    buf_release(&ct);
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(sk, sizeof sk);
    return err;
}

enum cm_err
signing_sign(const struct fieldcrypt *fc,
             const char *org_id,
             const void *sealed,
             size_t n,
             const unsigned char hash[SIGNING_HASH_BYTES],
             unsigned char sig[SIGNING_SIGNATURE_BYTES])
{
    unsigned char pk[SIGNING_PUBLIC_BYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    unsigned char s[SIGNING_SIGNATURE_BYTES];
    struct buf seed = BUF_INIT;
    enum cm_err err;

    if (sodium_init() < 0)
        return CM_ERR_INTERNAL;
    err = fieldcrypt_open(fc, org_id, SEAL_FIELD, sealed, n, &seed);
    if (err != CM_ERR_OK)
        goto out_wipe;
    err = CM_ERR_VALIDATION_FAILED;
    if (seed.len != crypto_sign_SEEDBYTES)
        goto out_wipe;
    err = CM_ERR_INTERNAL;
    if (crypto_sign_seed_keypair(pk, sk, (const unsigned char *)seed.data) !=
            0 ||
        crypto_sign_detached(s, NULL, hash, SIGNING_HASH_BYTES, sk) != 0)
        goto out_wipe;
    memcpy(sig, s, sizeof s);
    err = CM_ERR_OK;
out_wipe:
    if (seed.data)
        sodium_memzero(seed.data, seed.len);
    buf_release(&seed);
    sodium_memzero(sk, sizeof sk);
    return err;
}

bool
signing_is_valid(const unsigned char pk[SIGNING_PUBLIC_BYTES],
                 const unsigned char hash[SIGNING_HASH_BYTES],
                 const unsigned char sig[SIGNING_SIGNATURE_BYTES])
{
    if (sodium_init() < 0)
        return false;
    return crypto_sign_verify_detached(sig, hash, SIGNING_HASH_BYTES, pk) == 0;
}

void
signing_public_key_base64(const unsigned char pk[SIGNING_PUBLIC_BYTES],
                          char out[SIGNING_PUBLIC_B64_SIZE])
{
    (void)sodium_bin2base64(out, SIGNING_PUBLIC_B64_SIZE, pk,
                            SIGNING_PUBLIC_BYTES,
                            sodium_base64_VARIANT_ORIGINAL);
}

void
signing_code_new(char out[SIGNING_CODE_LEN + 1])
{
    unsigned char r[CODE_RANDOM_BYTES];
    unsigned acc = 0;
    int bits = 0;
    size_t n = 0;

    cm_random_bytes(r, sizeof r);
    for (size_t i = 0; i < sizeof r; i++) {
        acc = (acc << 8) | r[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[n++] = crockford[(acc >> bits) & 31];
        }
        acc &= (1u << bits) - 1;
    }
    out[n] = '\0';
}

/* The Crockford digit `c` stands for (after the look-alike rules), or
 * '\0' when none. */
static char
crockford_digit(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    if (c == 'O')
        return '0';
    if (c == 'I' || c == 'L')
        return '1';
    if (c == 'U' || c == '\0')
        return '\0';
    return strchr(crockford, c) ? c : '\0';
}

enum cm_err
signing_code_parse(const char *in, char out[SIGNING_CODE_LEN + 1])
{
    char code[SIGNING_CODE_LEN + 1];
    size_t n = 0;

    if (!in || strnlen(in, SIGNING_CODE_INPUT_MAX + 1) > SIGNING_CODE_INPUT_MAX)
        return CM_ERR_VALIDATION_FAILED;
    for (const char *p = in; *p; p++) {
        char d;

        if (*p == '-' || *p == ' ')
            continue;
        d = crockford_digit(*p);
        if (d == '\0' || n == SIGNING_CODE_LEN)
            return CM_ERR_VALIDATION_FAILED;
        code[n++] = d;
    }
    if (n != SIGNING_CODE_LEN)
        return CM_ERR_VALIDATION_FAILED;
    code[n] = '\0';
    memcpy(out, code, sizeof code);
    return CM_ERR_OK;
}

void
signing_code_format(const char *code, char out[SIGNING_CODE_GROUPED_LEN + 1])
{
    size_t n = 0;

    for (size_t i = 0; i < SIGNING_CODE_LEN && code[i]; i++) {
        if (i > 0 && i % 4 == 0)
            out[n++] = '-';
        out[n++] = code[i];
    }
    out[n] = '\0';
}
