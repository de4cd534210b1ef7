/*
 * chain.h: the audit trail's hash chain.
 *
 * Each audit entry is hashed with the hash of the entry before it:
 *   hash_n = BLAKE2b-256("compel-audit-chain/v1" NUL || hash_(n-1) ||
 *                        encoding(entry_n))
 * with 32 zero bytes before the first entry (seq 1). Changing, removing or
 * reordering any entry changes every later hash, so a signed checkpoint of
 * the last hash (audit/checkpoint.h) pins the whole trail.
 *
 * The encoding is canonical and unambiguous: a version byte, seq and at_us
 * as 8-byte big-endian two's complement, then each string field in a fixed
 * order as a presence byte (0 for NULL, 1 for a string) and, for a string,
 * a 4-byte big-endian length and its bytes. NULL, "" and a shifted field
 * boundary therefore all encode differently.
 *
 * An entry records who did what to which object, never personal values:
 * names, A-numbers, dates of birth and the like stay out of every field.
 */
#ifndef CM_AUDIT_CHAIN_H
#define CM_AUDIT_CHAIN_H

#include <stdint.h>

#include "core/buf.h"
#include "core/errors.h"

#define AUDIT_HASH_BYTES 32

/* The version byte that starts every encoding. */
#define AUDIT_ENCODING_VERSION 1

/* One audit event. Every string is borrowed (this struct owns nothing)
 * and may be NULL or empty. */
struct audit_entry {
    int64_t seq;              /* 1, 2, 3, ... with no gaps */
    int64_t at_us;            /* microseconds since the epoch, UTC */
    const char *actor_id;     /* user id, or NULL for the system */
    const char *org_id;       /* the actor's organization */
    const char *role;         /* the role acted in ("officer") */
    const char *session_hash; /* hex of a hash of the session, never a token */
    const char *client_addr;  /* the client's IP address */
    const char *action;       /* "subpoena.serve", "person.read", ... */
    const char *object_kind;  /* "subpoena", "person", ... */
    const char *object_id;    /* the object's opaque id */
    const char *outcome;      /* "ok", "forbidden", "not_found", ... */
    const char *detail;       /* free text without personal values */
};

/* Append the canonical encoding of `e` to `out` (only on success).
 * CM_ERR_VALIDATION_FAILED if a string is 2^32 bytes or longer. */
enum cm_err audit_entry_encode(const struct audit_entry *e, struct buf *out);

/* The chain hash of `e` after the entry whose hash is `prev` (32 zero
 * bytes for the first entry), written into `out` (only on success).
 * Errors as audit_entry_encode, or CM_ERR_INTERNAL. */
enum cm_err audit_chain_hash(const unsigned char prev[AUDIT_HASH_BYTES],
                             const struct audit_entry *e,
                             unsigned char out[AUDIT_HASH_BYTES]);

/* Check one link: `e` must follow the entry numbered `prev_seq` whose hash
 * is `prev` (0 and 32 zero bytes before the first entry), so e->seq must
 * be prev_seq + 1, and `stored` must be its chain hash. CM_ERR_OK when the
 * link holds, CM_ERR_VALIDATION_FAILED when it does not. */
enum cm_err
audit_chain_verify_step(const unsigned char prev[AUDIT_HASH_BYTES],
                        int64_t prev_seq,
                        const struct audit_entry *e,
                        const unsigned char stored[AUDIT_HASH_BYTES]);

/* Write the lowercase hex of `hash` and a NUL into `out`. */
void audit_hash_hex(const unsigned char hash[AUDIT_HASH_BYTES],
                    char out[2 * AUDIT_HASH_BYTES + 1]);

#endif
