/*
 * backupcrypt.c: seal and open backup files (backupcrypt.h) with
 * libsodium's KDF and crypto_secretstream_xchacha20poly1305.
 */
#include "auth/backupcrypt.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

#include "core/alloc.h"

#define SS_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_HEADER crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define MAGIC_LEN (sizeof BACKUPCRYPT_MAGIC - 1)

/* The KDF context of backup keys (exactly 8 bytes): no other subkey of the
 * master key is derived under it. */
static const char kdf_ctx_backup[crypto_kdf_CONTEXTBYTES] = "cmbackup";

_Static_assert(crypto_kdf_KEYBYTES == BACKUPCRYPT_MASTER_BYTES, "master");
_Static_assert(crypto_secretstream_xchacha20poly1305_KEYBYTES >=
                       crypto_kdf_BYTES_MIN &&
                   crypto_secretstream_xchacha20poly1305_KEYBYTES <=
                       crypto_kdf_BYTES_MAX,
               "subkey size");
_Static_assert(40 + SS_HEADER == BACKUPCRYPT_HEADER_BYTES, "header layout");
_Static_assert(MAGIC_LEN == 13, "magic");

const char *
backupcrypt_rc_text(enum backupcrypt_rc rc)
{
    switch (rc) {
    case BACKUPCRYPT_OK:
        return "ok";
    case BACKUPCRYPT_IO:
        return "the file could not be read or written";
    case BACKUPCRYPT_NOT_BACKUP:
        return "it is not a compel backup (or its first bytes were changed)";
    case BACKUPCRYPT_BAD_VERSION:
        return "its format version is not one this compel reads (or that "
               "byte was changed)";
    case BACKUPCRYPT_MALFORMED:
        return "its header is malformed (it was changed)";
    case BACKUPCRYPT_AUTH:
        return "it does not authenticate: it was changed, or it was sealed "
               "with another key file";
    case BACKUPCRYPT_TRUNCATED:
        return "it was cut short (the final chunk is missing)";
    case BACKUPCRYPT_TRAILING:
        return "bytes were added after its end";
    case BACKUPCRYPT_USAGE:
        return "bad arguments";
    }
    return "unknown error";
}

static void
put_le(unsigned char *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get_le(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Read up to n bytes; *got = how many. false on a read error. */
static bool
read_some(FILE *in, unsigned char *p, size_t n, size_t *got)
{
    *got = fread(p, 1, n, in);
    return *got == n || !ferror(in);
}

static void
derive(const unsigned char master[BACKUPCRYPT_MASTER_BYTES],
       uint64_t subkey_id,
       unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES])
{
    /* Only fails for sizes out of range, which the asserts above rule
     * out. */
    (void)crypto_kdf_derive_from_key(
        key, crypto_secretstream_xchacha20poly1305_KEYBYTES, subkey_id,
        kdf_ctx_backup, master);
}

enum backupcrypt_rc
backupcrypt_seal(const unsigned char master[BACKUPCRYPT_MASTER_BYTES],
                 int64_t created_us,
                 const char *meta,
                 size_t meta_len,
                 uint32_t chunk_size,
                 FILE *in,
                 FILE *out)
{
    unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    crypto_secretstream_xchacha20poly1305_state st;
    unsigned char *head, *cur, *next, *ct;
    size_t head_len, cur_len, next_len;
    uint64_t subkey_id;
    bool first = true;
    enum backupcrypt_rc rc = BACKUPCRYPT_IO;

    if (chunk_size == 0 || chunk_size > BACKUPCRYPT_CHUNK_MAX ||
        meta_len > BACKUPCRYPT_META_MAX || (meta == NULL && meta_len > 0))
        return BACKUPCRYPT_USAGE;
    head_len = BACKUPCRYPT_HEADER_BYTES + meta_len;
    head = cm_calloc(1, head_len);
    cur = cm_malloc(chunk_size);
    next = cm_malloc(chunk_size);
    ct = cm_malloc((size_t)chunk_size + SS_ABYTES);

    randombytes_buf(&subkey_id, sizeof subkey_id);
    derive(master, subkey_id, key);
    memcpy(head, BACKUPCRYPT_MAGIC, MAGIC_LEN);
    head[13] = BACKUPCRYPT_VERSION;
    put_le(head + 16, subkey_id, 8);
    put_le(head + 24, (uint64_t)created_us, 8);
    put_le(head + 32, chunk_size, 4);
    put_le(head + 36, meta_len, 4);
    (void)crypto_secretstream_xchacha20poly1305_init_push(&st, head + 40, key);
    if (meta_len > 0)
        memcpy(head + BACKUPCRYPT_HEADER_BYTES, meta, meta_len);
    if (fwrite(head, 1, head_len, out) != head_len)
        goto out;

    /* One chunk of look-ahead: the chunk before the end is tagged FINAL,
     * also when the input is empty or a whole number of chunks. */
    if (!read_some(in, cur, chunk_size, &cur_len))
        goto out;
    for (;;) {
        unsigned long long ct_len;
        unsigned char tag;
        unsigned char *t;

        next_len = 0;
        if (cur_len == chunk_size &&
            !read_some(in, next, chunk_size, &next_len))
            goto out;
        tag = next_len == 0 ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                            : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
        (void)crypto_secretstream_xchacha20poly1305_push(
            &st, ct, &ct_len, cur, cur_len, first ? head : NULL,
            first ? head_len : 0, tag);
        first = false;
        if (fwrite(ct, 1, (size_t)ct_len, out) != (size_t)ct_len)
            goto out;
        if (next_len == 0)
            break;
        t = cur;
        cur = next;
        next = t;
        cur_len = next_len;
    }
    rc = fflush(out) == 0 ? BACKUPCRYPT_OK : BACKUPCRYPT_IO;
out:
    sodium_memzero(key, sizeof key);
    sodium_memzero(&st, sizeof st);
    sodium_memzero(cur, chunk_size);
    sodium_memzero(next, chunk_size);
    cm_free(head);
    cm_free(cur);
    cm_free(next);
    cm_free(ct);
    return rc;
}

/* Read and check the fixed header into head[0..64); *chunk_size and
 * *meta_len from it. */
static enum backupcrypt_rc
read_header(FILE *in,
            unsigned char head[BACKUPCRYPT_HEADER_BYTES],
            uint32_t *chunk_size,
            uint32_t *meta_len)
{
    size_t got;

    if (!read_some(in, head, BACKUPCRYPT_HEADER_BYTES, &got))
        return BACKUPCRYPT_IO;
    if (got < MAGIC_LEN || memcmp(head, BACKUPCRYPT_MAGIC, MAGIC_LEN) != 0)
        return BACKUPCRYPT_NOT_BACKUP;
    if (got < BACKUPCRYPT_HEADER_BYTES)
        return BACKUPCRYPT_TRUNCATED;
    if (head[13] != BACKUPCRYPT_VERSION)
        return BACKUPCRYPT_BAD_VERSION;
    *chunk_size = (uint32_t)get_le(head + 32, 4);
    *meta_len = (uint32_t)get_le(head + 36, 4);
    if (head[14] != 0 || head[15] != 0 || *chunk_size == 0 ||
        *chunk_size > BACKUPCRYPT_CHUNK_MAX || *meta_len > BACKUPCRYPT_META_MAX)
        return BACKUPCRYPT_MALFORMED;
    return BACKUPCRYPT_OK;
}

enum backupcrypt_rc
backupcrypt_open(const unsigned char master[BACKUPCRYPT_MASTER_BYTES],
                 FILE *in,
                 FILE *out,
                 struct buf *meta,
                 struct backupcrypt_info *info)
{
    unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    unsigned char fixed[BACKUPCRYPT_HEADER_BYTES];
    crypto_secretstream_xchacha20poly1305_state st;
    unsigned char *head = NULL, *ct = NULL, *pt = NULL;
    uint32_t chunk_size = 0, meta_len = 0;
    uint64_t plain = 0;
    size_t head_len, got;
    bool first = true;
    enum backupcrypt_rc rc;

    memset(key, 0, sizeof key);
    rc = read_header(in, fixed, &chunk_size, &meta_len);
    if (rc != BACKUPCRYPT_OK)
        goto out;
    head_len = BACKUPCRYPT_HEADER_BYTES + (size_t)meta_len;
    head = cm_malloc(head_len);
    memcpy(head, fixed, sizeof fixed);
    rc = BACKUPCRYPT_IO;
    if (!read_some(in, head + BACKUPCRYPT_HEADER_BYTES, meta_len, &got))
        goto out;
    if (got < meta_len) {
        rc = BACKUPCRYPT_TRUNCATED;
        goto out;
    }
    derive(master, get_le(head + 16, 8), key);
    if (crypto_secretstream_xchacha20poly1305_init_pull(&st, head + 40, key) !=
        0) {
        rc = BACKUPCRYPT_AUTH;
        goto out;
    }
    ct = cm_malloc((size_t)chunk_size + SS_ABYTES);
    pt = cm_malloc(chunk_size);
    for (;;) {
        unsigned long long pt_len;
        unsigned char tag = 0;

        rc = BACKUPCRYPT_IO;
        if (!read_some(in, ct, (size_t)chunk_size + SS_ABYTES, &got))
            goto out;
        if (got == 0) {
            rc = BACKUPCRYPT_TRUNCATED;
            goto out;
        }
        if (got < SS_ABYTES ||
            crypto_secretstream_xchacha20poly1305_pull(
                &st, pt, &pt_len, &tag, ct, got, first ? head : NULL,
                first ? head_len : 0) != 0) {
            rc = BACKUPCRYPT_AUTH;
            goto out;
        }
        first = false;
        if (pt_len > 0 && fwrite(pt, 1, (size_t)pt_len, out) != (size_t)pt_len)
            goto out;
        plain += pt_len;
        if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
            break;
        if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
            rc = BACKUPCRYPT_AUTH; /* never written by backupcrypt_seal */
            goto out;
        }
    }
    if (fgetc(in) != EOF) {
        rc = BACKUPCRYPT_TRAILING;
        goto out;
    }
    if (ferror(in) || fflush(out) != 0)
        goto out;
    buf_add(meta, head + BACKUPCRYPT_HEADER_BYTES, meta_len);
    if (info) {
        info->version = head[13];
        info->subkey_id = get_le(head + 16, 8);
        info->created_us = (int64_t)get_le(head + 24, 8);
        info->chunk_size = chunk_size;
        info->plain_bytes = plain;
    }
    rc = BACKUPCRYPT_OK;
out:
    sodium_memzero(key, sizeof key);
    sodium_memzero(&st, sizeof st);
    if (pt)
        sodium_memzero(pt, chunk_size);
    cm_free(head);
    cm_free(ct);
    cm_free(pt);
    return rc;
}
