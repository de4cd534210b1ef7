/*
 * fieldcrypt.c: personal-field encryption (AES-256-GCM or XChaCha20-
 * Poly1305, libsodium) with record/field binding, blind indexes (keyed
 * BLAKE2b) and the normalization used before indexing. The format is
 * described in fieldcrypt.h.
 */
#include "auth/fieldcrypt.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"

/* KDF contexts (exactly 8 bytes): one per purpose, so no two subkeys are
 * ever the same even when the subkey ids coincide. */
static const char kdf_ctx_aes[crypto_kdf_CONTEXTBYTES] = "cmfldaes";
static const char kdf_ctx_xchacha[crypto_kdf_CONTEXTBYTES] = "cmfldxch";
static const char kdf_ctx_index[crypto_kdf_CONTEXTBYTES] = "cmfldidx";

/* BLAKE2b personalization of the per-field index subkey (16 bytes). */
static const unsigned char
    index_personal[crypto_generichash_blake2b_PERSONALBYTES] =
        "cm-blind-field-1";

/* The associated data: a tag, the 2-byte header, then the record id and
 * field name, each preceded by its length (so the split is unambiguous). */
static const char ad_tag[] = "compel-field-v1";

#define HEADER_BYTES 2
#define TAG_BYTES    16

_Static_assert(crypto_aead_aes256gcm_ABYTES == TAG_BYTES, "GCM tag size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == TAG_BYTES,
               "Poly1305 tag size");
_Static_assert(crypto_aead_aes256gcm_KEYBYTES == FIELDCRYPT_KEY_BYTES,
               "GCM key size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES ==
                   FIELDCRYPT_KEY_BYTES,
               "XChaCha20 key size");
_Static_assert(crypto_kdf_KEYBYTES == FIELDCRYPT_KEY_BYTES, "master size");

bool
fieldcrypt_has_aes(void)
{
    return crypto_aead_aes256gcm_is_available() != 0;
}

static size_t
nonce_bytes(enum fieldcrypt_alg alg)
{
    return alg == FIELDCRYPT_ALG_AES256GCM
               ? crypto_aead_aes256gcm_NPUBBYTES
               : crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
}

static bool
is_valid_key_id(unsigned id)
{
    return id >= 1 && id <= FIELDCRYPT_KEY_ID_MAX;
}

/* The encryption subkeys of key `id` of `master`. Subkey id = key id, so
 * key 1's subkeys are those of every ciphertext made before rotation. */
static bool
derive_cipher_keys(const unsigned char master[FIELDCRYPT_KEY_BYTES],
                   unsigned id,
                   unsigned char aes[FIELDCRYPT_KEY_BYTES],
                   unsigned char xchacha[FIELDCRYPT_KEY_BYTES])
{
    return crypto_kdf_derive_from_key(aes, FIELDCRYPT_KEY_BYTES, id,
                                      kdf_ctx_aes, master) == 0 &&
           crypto_kdf_derive_from_key(xchacha, FIELDCRYPT_KEY_BYTES, id,
                                      kdf_ctx_xchacha, master) == 0;
}

static enum cm_err
init_key_alg(struct fieldcrypt *fc,
             const unsigned char master[FIELDCRYPT_KEY_BYTES],
             unsigned key_id,
             enum fieldcrypt_alg alg)
{
    struct fieldcrypt k;
    enum cm_err err = CM_ERR_INTERNAL;

    if (sodium_init() < 0)
        return CM_ERR_INTERNAL;
    if ((alg != FIELDCRYPT_ALG_AES256GCM &&
         alg != FIELDCRYPT_ALG_XCHACHA20POLY1305) ||
        !is_valid_key_id(key_id))
        return CM_ERR_USAGE;
    if (alg == FIELDCRYPT_ALG_AES256GCM && !fieldcrypt_has_aes())
        return CM_ERR_UNAVAILABLE;
    memset(&k, 0, sizeof k);
    k.seal_alg = alg;
    k.key_id = key_id;
    if (!derive_cipher_keys(master, key_id, k.aes_key, k.xchacha_key) ||
        crypto_kdf_derive_from_key(k.index_root, sizeof k.index_root, key_id,
                                   kdf_ctx_index, master) != 0)
        goto out_wipe;
    *fc = k;
    err = CM_ERR_OK;
out_wipe:
    sodium_memzero(&k, sizeof k);
    return err;
}

enum cm_err
fieldcrypt_init_alg(struct fieldcrypt *fc,
                    const unsigned char master[FIELDCRYPT_KEY_BYTES],
                    enum fieldcrypt_alg alg)
{
    return init_key_alg(fc, master, FIELDCRYPT_KEY_ID, alg);
}

enum cm_err
fieldcrypt_init_key(struct fieldcrypt *fc,
                    const unsigned char master[FIELDCRYPT_KEY_BYTES],
                    unsigned key_id)
{
    if (sodium_init() < 0)
        return CM_ERR_INTERNAL;
    return init_key_alg(fc, master, key_id,
                        fieldcrypt_has_aes()
                            ? FIELDCRYPT_ALG_AES256GCM
                            : FIELDCRYPT_ALG_XCHACHA20POLY1305);
}

enum cm_err
fieldcrypt_init(struct fieldcrypt *fc,
                const unsigned char master[FIELDCRYPT_KEY_BYTES])
{
    return fieldcrypt_init_key(fc, master, FIELDCRYPT_KEY_ID);
}

enum cm_err
fieldcrypt_add_retiring(struct fieldcrypt *fc,
                        const unsigned char master[FIELDCRYPT_KEY_BYTES],
                        unsigned key_id)
{
    unsigned char aes[FIELDCRYPT_KEY_BYTES];
    unsigned char xchacha[FIELDCRYPT_KEY_BYTES];
    enum cm_err err = CM_ERR_INTERNAL;

    if (!is_valid_key_id(key_id) || key_id == fc->key_id || fc->old_id != 0)
        return CM_ERR_USAGE;
    if (derive_cipher_keys(master, key_id, aes, xchacha)) {
        memcpy(fc->old_aes_key, aes, sizeof aes);
        memcpy(fc->old_xchacha_key, xchacha, sizeof xchacha);
        fc->old_id = key_id;
        err = CM_ERR_OK;
    }
    sodium_memzero(aes, sizeof aes);
    sodium_memzero(xchacha, sizeof xchacha);
    return err;
}

unsigned
fieldcrypt_key_id_of(const void *ct, size_t n)
{
    return ct != NULL && n >= 2 ? ((const unsigned char *)ct)[1] : 0;
}

static bool
is_valid_name(const char *s)
{
    size_t n;

    if (s == NULL)
        return false;
    n = strnlen(s, FIELDCRYPT_NAME_MAX + 1);
    return n > 0 && n <= FIELDCRYPT_NAME_MAX;
}

static void
add_ad_string(struct buf *ad, const char *s)
{
    size_t n = strlen(s);

    buf_addch(ad, (char)(unsigned char)(n >> 8));
    buf_addch(ad, (char)(unsigned char)n);
    buf_add(ad, s, n);
}

static void
build_ad(struct buf *ad,
         const unsigned char header[HEADER_BYTES],
         const char *record_id,
         const char *field)
{
    buf_add(ad, ad_tag, sizeof ad_tag);
    buf_add(ad, header, HEADER_BYTES);
    add_ad_string(ad, record_id);
    add_ad_string(ad, field);
}

enum cm_err
fieldcrypt_seal(const struct fieldcrypt *fc,
                const char *record_id,
                const char *field,
                const void *plain,
                size_t n,
                struct buf *out)
{
    static const unsigned char empty[1] = {0};
    enum fieldcrypt_alg alg = fc->seal_alg;
    size_t nlen = nonce_bytes(alg);
    size_t total;
    unsigned char *ct;
    unsigned long long clen = 0;
    struct buf ad = BUF_INIT;
    const unsigned char *m = n > 0 ? plain : empty;
    enum cm_err err = CM_ERR_INTERNAL;
    int rc;

    if (!is_valid_name(record_id) || !is_valid_name(field))
        return CM_ERR_VALIDATION_FAILED;
    if (n > SIZE_MAX - FIELDCRYPT_OVERHEAD_MAX)
        return CM_ERR_VALIDATION_FAILED;
    total = HEADER_BYTES + nlen + n + TAG_BYTES;
    ct = cm_malloc(total);
    ct[0] = (unsigned char)alg;
    ct[1] = (unsigned char)fc->key_id;
    randombytes_buf(ct + HEADER_BYTES, nlen);
    build_ad(&ad, ct, record_id, field);
    if (alg == FIELDCRYPT_ALG_AES256GCM)
        rc = crypto_aead_aes256gcm_encrypt(ct + HEADER_BYTES + nlen, &clen, m,
                                           n, (const unsigned char *)ad.data,
                                           ad.len, NULL, ct + HEADER_BYTES,
                                           fc->aes_key);
    else
        rc = crypto_aead_xchacha20poly1305_ietf_encrypt(
            ct + HEADER_BYTES + nlen, &clen, m, n,
            (const unsigned char *)ad.data, ad.len, NULL, ct + HEADER_BYTES,
            fc->xchacha_key);
    if (rc == 0 && clen == n + TAG_BYTES) {
        buf_add(out, ct, total);
        err = CM_ERR_OK;
    }
    buf_release(&ad);
    cm_free(ct);
    return err;
}

enum cm_err
fieldcrypt_open(const struct fieldcrypt *fc,
                const char *record_id,
                const char *field,
                const void *ct,
                size_t n,
                struct buf *out)
{
    const unsigned char *c = ct;
    const unsigned char *aes_key;
    const unsigned char *xchacha_key;
    enum cm_err err = CM_ERR_VALIDATION_FAILED;
    struct buf ad = BUF_INIT;
    unsigned char *plain;
    unsigned long long plen = 0;
    size_t nlen;
    size_t body;
    int rc;

    if (!is_valid_name(record_id) || !is_valid_name(field) || c == NULL ||
        n < HEADER_BYTES)
        return CM_ERR_VALIDATION_FAILED;
    if (c[0] != FIELDCRYPT_ALG_AES256GCM &&
        c[0] != FIELDCRYPT_ALG_XCHACHA20POLY1305)
        return CM_ERR_VALIDATION_FAILED;
    if (c[1] == fc->key_id) {
        aes_key = fc->aes_key;
        xchacha_key = fc->xchacha_key;
    } else if (fc->old_id != 0 && c[1] == fc->old_id) {
        aes_key = fc->old_aes_key;
        xchacha_key = fc->old_xchacha_key;
    } else {
        return CM_ERR_VALIDATION_FAILED;
    }
    nlen = nonce_bytes((enum fieldcrypt_alg)c[0]);
    if (n < HEADER_BYTES + nlen + TAG_BYTES)
        return CM_ERR_VALIDATION_FAILED;
    if (c[0] == FIELDCRYPT_ALG_AES256GCM && !fieldcrypt_has_aes())
        return CM_ERR_UNAVAILABLE;
    body = n - HEADER_BYTES - nlen;
    plain = cm_malloc(body - TAG_BYTES + 1);
    build_ad(&ad, c, record_id, field);
    if (c[0] == FIELDCRYPT_ALG_AES256GCM)
        rc = crypto_aead_aes256gcm_decrypt(
            plain, &plen, NULL, c + HEADER_BYTES + nlen, body,
            (const unsigned char *)ad.data, ad.len, c + HEADER_BYTES, aes_key);
    else
        rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
            plain, &plen, NULL, c + HEADER_BYTES + nlen, body,
            (const unsigned char *)ad.data, ad.len, c + HEADER_BYTES,
            xchacha_key);
    if (rc != 0 || plen != body - TAG_BYTES)
        goto out_wipe;
    buf_add(out, plain, (size_t)plen);
    err = CM_ERR_OK;
out_wipe:
    sodium_memzero(plain, body - TAG_BYTES + 1);
    cm_free(plain);
    buf_release(&ad);
    return err;
}

enum cm_err
fieldcrypt_blind_index(const struct fieldcrypt *fc,
                       const char *field,
                       const char *normalized_value,
                       unsigned char out[FIELDCRYPT_INDEX_BYTES])
{
    unsigned char field_key[FIELDCRYPT_KEY_BYTES];
    unsigned char mac[FIELDCRYPT_INDEX_BYTES];
    enum cm_err err = CM_ERR_INTERNAL;

    if (!is_valid_name(field) || normalized_value == NULL)
        return CM_ERR_VALIDATION_FAILED;
    /* The field's subkey: BLAKE2b keyed with the index root over the field
     * name, personalized so it is never confused with an index value. */
    if (crypto_generichash_blake2b_salt_personal(
            field_key, sizeof field_key, (const unsigned char *)field,
            strlen(field), fc->index_root, sizeof fc->index_root, NULL,
            index_personal) != 0)
        goto out_wipe;
    if (crypto_generichash(
            mac, sizeof mac, (const unsigned char *)normalized_value,
            strlen(normalized_value), field_key, sizeof field_key) != 0)
        goto out_wipe;
    memcpy(out, mac, sizeof mac);
    err = CM_ERR_OK;
out_wipe:
    sodium_memzero(field_key, sizeof field_key);
    return err;
}

static bool
is_ascii_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
           c == '\r';
}

/* The length of the valid UTF-8 sequence at `p` that is not a control
 * character, or 0 (RFC 3629: no overlong forms, surrogates or values
 * above U+10FFFF). */
static size_t
utf8_char_len(const unsigned char *p)
{
    unsigned char c = p[0];
    uint32_t cp;
    size_t len;

    if (c < 0x80)
        return (c < 0x20 || c == 0x7f) ? 0 : 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1fu;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0fu;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0u) != 0x80u)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    /* C1 control characters. */
    if (cp >= 0x80 && cp <= 0x9f)
        return 0;
    return len;
}

enum cm_err
fieldcrypt_normalize_name(const char *in, struct buf *out)
{
    const unsigned char *p = (const unsigned char *)in;
    struct buf tmp = BUF_INIT;
    enum cm_err err = CM_ERR_VALIDATION_FAILED;
    bool pending_space = false;

    if (in == NULL)
        return CM_ERR_VALIDATION_FAILED;
    while (*p != '\0') {
        size_t len;

        if (is_ascii_space(*p)) {
            pending_space = tmp.len > 0;
            p++;
            continue;
        }
        len = utf8_char_len(p);
        if (len == 0)
            goto out_release;
        if (pending_space)
            buf_addch(&tmp, ' ');
        pending_space = false;
        if (len == 1 && *p >= 'A' && *p <= 'Z')
            buf_addch(&tmp, (char)(*p - 'A' + 'a'));
        else
            buf_add(&tmp, p, len);
        p += len;
    }
    if (tmp.len == 0)
        goto out_release;
    buf_add(out, tmp.data, tmp.len);
    err = CM_ERR_OK;
out_release:
    if (tmp.data != NULL)
        sodium_memzero(tmp.data, tmp.len);
    buf_release(&tmp);
    return err;
}

/* `s` without surrounding ASCII whitespace: *start and its length. */
static size_t
trim(const char *s, const char **start)
{
    size_t n;

    while (is_ascii_space((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n > 0 && is_ascii_space((unsigned char)s[n - 1]))
        n--;
    *start = s;
    return n;
}

enum cm_err
fieldcrypt_normalize_a_number(const char *in,
                              char out[FIELDCRYPT_A_NUMBER_LEN + 1])
{
    char digits[FIELDCRYPT_A_NUMBER_LEN];
    size_t nd = 0;
    const char *s;
    size_t n;
    size_t i = 0;

    if (in == NULL)
        return CM_ERR_VALIDATION_FAILED;
    n = trim(in, &s);
    if (n > 0 && (s[0] == 'A' || s[0] == 'a'))
        i = 1;
    for (; i < n; i++) {
        if (s[i] == '-')
            continue;
        if (s[i] < '0' || s[i] > '9' || nd == FIELDCRYPT_A_NUMBER_LEN)
            return CM_ERR_VALIDATION_FAILED;
        digits[nd++] = s[i];
    }
    /* USCIS: an A-number has 7, 8 or 9 digits. */
    if (nd < 7)
        return CM_ERR_VALIDATION_FAILED;
    memset(out, '0', FIELDCRYPT_A_NUMBER_LEN - nd);
    memcpy(out + FIELDCRYPT_A_NUMBER_LEN - nd, digits, nd);
    out[FIELDCRYPT_A_NUMBER_LEN] = '\0';
    return CM_ERR_OK;
}

static bool
is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return true;
}

static unsigned
digits_value(const char *s, size_t n)
{
    unsigned v = 0;

    for (size_t i = 0; i < n; i++)
        v = v * 10u + (unsigned)(s[i] - '0');
    return v;
}

enum cm_err
fieldcrypt_normalize_date(const char *in, char out[FIELDCRYPT_DATE_LEN + 1])
{
    static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30,
                                       31, 31, 30, 31, 30, 31};
    const char *s;
    unsigned y, m, d, last;

    if (in == NULL || trim(in, &s) != FIELDCRYPT_DATE_LEN)
        return CM_ERR_VALIDATION_FAILED;
    if (!is_digits(s, 4) || s[4] != '-' || !is_digits(s + 5, 2) ||
        s[7] != '-' || !is_digits(s + 8, 2))
        return CM_ERR_VALIDATION_FAILED;
    y = digits_value(s, 4);
    m = digits_value(s + 5, 2);
    d = digits_value(s + 8, 2);
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return CM_ERR_VALIDATION_FAILED;
    last = mdays[m - 1];
    /* Gregorian leap years: divisible by 4, except centuries not
     * divisible by 400. */
    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
        last = 29;
    if (d > last)
        return CM_ERR_VALIDATION_FAILED;
    memcpy(out, s, FIELDCRYPT_DATE_LEN);
    out[FIELDCRYPT_DATE_LEN] = '\0';
    return CM_ERR_OK;
}

void
fieldcrypt_release(struct fieldcrypt *fc)
{
    if (fc != NULL)
        sodium_memzero(fc, sizeof *fc);
}
