/*
 * chain.c: canonical encoding of audit entries and the BLAKE2b-256 hash
 * chain over them (the format is described in chain.h).
 */
#include "audit/chain.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

/* Domain separation: the tag and its NUL are hashed first. */
static const char chain_tag[] = "compel-audit-chain/v1";

static void
add_be64(struct buf *out, int64_t v)
{
    uint64_t u = (uint64_t)v;
    unsigned char b[8];

    for (unsigned i = 0; i < 8; i++)
        b[i] = (unsigned char)(u >> (56 - 8 * i));
    buf_add(out, b, sizeof b);
}

static bool
add_field(struct buf *out, const char *s)
{
    size_t n;
    unsigned char b[5];

    if (s == NULL) {
        buf_addch(out, 0);
        return true;
    }
    n = strlen(s);
    if (n > UINT32_MAX)
        return false;
    b[0] = 1;
    b[1] = (unsigned char)(n >> 24);
    b[2] = (unsigned char)(n >> 16);
    b[3] = (unsigned char)(n >> 8);
    b[4] = (unsigned char)n;
    buf_add(out, b, sizeof b);
    buf_add(out, s, n);
    return true;
}

enum cm_err
audit_entry_encode(const struct audit_entry *e, struct buf *out)
{
    /* The order is part of the format: never change it within a
     * version. */
    const char *fields[] = {
        e->actor_id,    e->org_id, e->role,        e->session_hash,
        e->client_addr, e->action, e->object_kind, e->object_id,
        e->outcome,     e->detail,
    };
    struct buf enc = BUF_INIT;
    enum cm_err err = CM_ERR_VALIDATION_FAILED;

    buf_addch(&enc, AUDIT_ENCODING_VERSION);
    add_be64(&enc, e->seq);
    add_be64(&enc, e->at_us);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (!add_field(&enc, fields[i]))
            goto out_release;
    }
    buf_add(out, enc.data, enc.len);
    err = CM_ERR_OK;
out_release:
    buf_release(&enc);
    return err;
}

enum cm_err
audit_chain_hash(const unsigned char prev[AUDIT_HASH_BYTES],
                 const struct audit_entry *e,
                 unsigned char out[AUDIT_HASH_BYTES])
{
    crypto_generichash_state st;
    struct buf enc = BUF_INIT;
    unsigned char h[AUDIT_HASH_BYTES];
    enum cm_err err = audit_entry_encode(e, &enc);

    if (err != CM_ERR_OK)
        goto out_release;
    err = CM_ERR_INTERNAL;
    if (crypto_generichash_init(&st, NULL, 0, sizeof h) != 0 ||
        crypto_generichash_update(&st, (const unsigned char *)chain_tag,
                                  sizeof chain_tag) != 0 ||
        crypto_generichash_update(&st, prev, AUDIT_HASH_BYTES) != 0 ||
        crypto_generichash_update(&st, (const unsigned char *)enc.data,
                                  enc.len) != 0 ||
        crypto_generichash_final(&st, h, sizeof h) != 0)
        goto out_release;
    memcpy(out, h, sizeof h);
    err = CM_ERR_OK;
out_release:
    buf_release(&enc);
    return err;
}

enum cm_err
audit_chain_verify_step(const unsigned char prev[AUDIT_HASH_BYTES],
                        int64_t prev_seq,
                        const struct audit_entry *e,
                        const unsigned char stored[AUDIT_HASH_BYTES])
{
    unsigned char h[AUDIT_HASH_BYTES];

    if (prev_seq < 0 || prev_seq == INT64_MAX || e->seq != prev_seq + 1)
        return CM_ERR_VALIDATION_FAILED;
    if (audit_chain_hash(prev, e, h) != CM_ERR_OK)
        return CM_ERR_VALIDATION_FAILED;
    return sodium_memcmp(h, stored, sizeof h) == 0 ? CM_ERR_OK
                                                   : CM_ERR_VALIDATION_FAILED;
}

void
audit_hash_hex(const unsigned char hash[AUDIT_HASH_BYTES],
               char out[2 * AUDIT_HASH_BYTES + 1])
{
    (void)sodium_bin2hex(out, 2 * AUDIT_HASH_BYTES + 1, hash, AUDIT_HASH_BYTES);
}
