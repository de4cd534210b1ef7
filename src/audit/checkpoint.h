/*
 * checkpoint.h: signed checkpoints of the audit hash chain, exported out
 * of the database so that truncating or rewriting the chain is caught.
 *
 * The text follows C2SP signed-note / tlog-checkpoint: a body of lines,
 * a blank line, then one signature line. Exactly:
 *
 *   compel-audit-checkpoint/v1
 *   <origin: 1 to 128 printable ASCII bytes, no spaces>
 *   <size: the last seq, decimal, no sign or leading zeros>
 *   <base64 (RFC 4648, padded) of the 32-byte chain head hash>
 *   <UTC time: YYYY-MM-DDTHH:MM:SS.uuuuuuZ>
 *
 *   — compel <base64 of key id (4 bytes) || Ed25519 signature (64 bytes)>
 *
 * Every line ends with "\n" (no CR). The dash is U+2014. The signature
 * covers the body: the five lines, each with its newline. The key id is
 * the first 4 bytes of SHA-256("compel" || 0x0A || 0x01 || public key),
 * as signed-note defines it for Ed25519.
 *
 * The Ed25519 key pair is derived from the master key (auth/keyfile.h),
 * so the signing key lives only in the key file; a verifier needs only the
 * public key, which can be handed out as hex.
 *
 * Call password_lib_init() (sodium_init) before any function here.
 */
#ifndef CM_AUDIT_CHECKPOINT_H
#define CM_AUDIT_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "audit/chain.h"
#include "core/buf.h"
#include "core/errors.h"

#define CHECKPOINT_MASTER_BYTES 32
#define CHECKPOINT_PUBLIC_BYTES 32

/* Longest origin, in bytes. */
#define CHECKPOINT_ORIGIN_MAX 128

/* Longest checkpoint text accepted by the parser, in bytes. */
#define CHECKPOINT_TEXT_MAX 512

/* The first body line. */
#define CHECKPOINT_VERSION_LINE "compel-audit-checkpoint/v1"

/* The signer's name on the signature line. */
#define CHECKPOINT_KEY_NAME "compel"

/* Length of a fingerprint in hex digits. */
#define CHECKPOINT_FINGERPRINT_LEN 16

/* The latest time a checkpoint can carry: 9999-12-31T23:59:59.999999Z. */
#define CHECKPOINT_AT_US_MAX INT64_C(253402300799999999)

/* A checkpoint's values, as parsed. */
struct checkpoint {
    char origin[CHECKPOINT_ORIGIN_MAX + 1]; /* NUL-terminated */
    int64_t size;                           /* last seq; 0 when empty */
    unsigned char head[AUDIT_HASH_BYTES];   /* chain hash of entry `size` */
    int64_t at_us;                          /* when it was made, UTC */
};

/* Sign a checkpoint of the chain (last seq `size`, hash `head`) for the
 * database named `origin`, made at `at_us`, with the key derived from
 * `master`, and append its text to `out` (only on success).
 * CM_ERR_VALIDATION_FAILED for an origin that is empty, too long or not
 * printable ASCII without spaces, a negative size, or a time outside
 * 1970 to 9999. */
enum cm_err checkpoint_sign(const unsigned char master[CHECKPOINT_MASTER_BYTES],
                            const char *origin,
                            int64_t size,
                            const unsigned char head[AUDIT_HASH_BYTES],
                            int64_t at_us,
                            struct buf *out);

/* Parse `len` bytes of `text` (hostile: a file a user gives) and verify
 * its signature against `public_key`; write the values into `out` only on
 * success. CM_ERR_VALIDATION_FAILED for anything that is not exactly the
 * format above, is longer than CHECKPOINT_TEXT_MAX, was signed by another
 * key, or does not verify. */
enum cm_err
checkpoint_parse_verify(const unsigned char public_key[CHECKPOINT_PUBLIC_BYTES],
                        const char *text,
                        size_t len,
                        struct checkpoint *out);

/* The checkpoint public key derived from `master`, into `pk`.
 * CM_ERR_INTERNAL if derivation fails. */
enum cm_err
checkpoint_public_key(const unsigned char master[CHECKPOINT_MASTER_BYTES],
                      unsigned char pk[CHECKPOINT_PUBLIC_BYTES]);

/* The public key as 64 lowercase hex digits and a NUL, into `out`: the
 * form a verifier stores and passes to checkpoint_public_key_from_hex. */
void checkpoint_public_key_hex(const unsigned char pk[CHECKPOINT_PUBLIC_BYTES],
                               char out[2 * CHECKPOINT_PUBLIC_BYTES + 1]);

/* Parse exactly 64 hex digits (either case) into `pk` (only on success);
 * CM_ERR_VALIDATION_FAILED otherwise. */
enum cm_err
checkpoint_public_key_from_hex(const char *hex,
                               unsigned char pk[CHECKPOINT_PUBLIC_BYTES]);

/* A short fingerprint of `pk` for people to compare: the first 8 bytes of
 * SHA-256(pk) as 16 lowercase hex digits and a NUL, into `out`. */
void checkpoint_fingerprint(const unsigned char pk[CHECKPOINT_PUBLIC_BYTES],
                            char out[CHECKPOINT_FINGERPRINT_LEN + 1]);

#endif
