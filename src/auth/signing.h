/*
 * signing.h: signed subpoenas a jurisdiction can verify.
 *
 * Signing a subpoena signs its canonical content: a deterministic UTF-8
 * text built by signing_canonical from what the signer attests (the
 * subpoena, the offices, the authority, the items, the return place, the
 * signer, the time), with no personal data in clear (the person and the
 * purpose enter only as SHA-256 digests). Its SHA-256 is signed with the
 * issuing office's Ed25519 key (RFC 8032, pure Ed25519 over the 32 bytes
 * of the digest). The format is documented, byte for byte, in
 * docs/verification.md; any change to it must change its first line.
 *
 * Keys: one Ed25519 key pair per agency office, made on the office's first
 * signature. The 32-byte seed is sealed with fieldcrypt (the master key of
 * auth/keyfile.h) bound to the office id and the field "signing_key", so a
 * sealed key copied to another office does not open. The key id is the
 * first 8 bytes of SHA-256 of the public key, in lowercase hex.
 *
 * Verification codes: 80 random bits written as 16 Crockford base32
 * digits (0-9 and A-Z without I, L, O, U), shown in groups of four
 * ("7K3M-Q9XD-2B4T-HV8C"). On input, case, dashes and Crockford's
 * look-alikes (O for 0, I and L for 1) are forgiven.
 */
#ifndef CM_AUTH_SIGNING_H
#define CM_AUTH_SIGNING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/fieldcrypt.h"
#include "core/buf.h"
#include "core/errors.h"

#define SIGNING_PUBLIC_BYTES    32
#define SIGNING_SIGNATURE_BYTES 64
#define SIGNING_HASH_BYTES      32

/* A key id: 16 lowercase hex digits. */
#define SIGNING_KEY_ID_LEN 16

/* A code as stored: 16 upper-case Crockford digits. */
#define SIGNING_CODE_LEN 16

/* A code as shown: four groups of four joined by dashes. */
#define SIGNING_CODE_GROUPED_LEN 19

/* The longest text signing_code_parse looks at, in bytes. */
#define SIGNING_CODE_INPUT_MAX 64

/* The authority every subpoena cites. */
#define SIGNING_AUTHORITY "8 U.S.C. 1225(d)(4)(A); 8 CFR 287.4"

/* The first line of the canonical content (its format's version). */
#define SIGNING_CONTENT_VERSION "compel-subpoena-v1"

/* One requested item. */
struct signing_item {
    int64_t position;        /* 1, 2, ... */
    const char *category;    /* "home_address", ... */
    const char *description; /* free text, or NULL */
};

/* What a signature attests. Strings are borrowed UTF-8; NULL is taken as
 * "". */
struct signing_content {
    const char *subpoena_id;
    const char *number;
    const char *office_id; /* the issuing agency office */
    const char *office_name;
    const char *recipient_id; /* the jurisdiction */
    const char *recipient_name;
    const char *authority; /* NULL: SIGNING_AUTHORITY */
    const char *person_id; /* hashed, never written in clear; may be NULL */
    const char *purpose;   /* hashed, never written in clear */
    const struct signing_item *items;
    size_t n_items;
    const char *return_place;
    const char *signer_id;
    const char *signer_name;
    const char *signer_title;
    int64_t signed_at; /* microseconds since the epoch, UTC */
};

/* Append the canonical content of `c` to `out`. Deterministic: the same
 * `c` always gives the same bytes; changing any field changes them. */
void signing_canonical(const struct signing_content *c, struct buf *out);

/* SHA-256 of `n` bytes at `data` into `out`. */
void signing_sha256(const void *data,
                    size_t n,
                    unsigned char out[SIGNING_HASH_BYTES]);

/* The key id of public key `pk` into `out` (16 hex digits and a NUL). */
void signing_key_id(const unsigned char pk[SIGNING_PUBLIC_BYTES],
                    char out[SIGNING_KEY_ID_LEN + 1]);

/*
 * Make a new key pair for office `org_id`: the public key into `pk`, its
 * id into `key_id`, and the sealed seed appended to `sealed` (opaque;
 * store it as is). Outputs written only on success; CM_ERR_INTERNAL when
 * libsodium fails, CM_ERR_VALIDATION_FAILED for an empty org id.
 */
enum cm_err signing_key_new(const struct fieldcrypt *fc,
                            const char *org_id,
                            unsigned char pk[SIGNING_PUBLIC_BYTES],
                            char key_id[SIGNING_KEY_ID_LEN + 1],
                            struct buf *sealed);

/*
 * Sign `hash` with the key of office `org_id` sealed in `n` bytes at
 * `sealed`, into `sig` (written only on success). The seed and secret key
 * are wiped before returning. CM_ERR_VALIDATION_FAILED when the sealed
 * key does not open for this office (tampered, another office's, another
 * master key).
 */
enum cm_err signing_sign(const struct fieldcrypt *fc,
                         const char *org_id,
                         const void *sealed,
                         size_t n,
                         const unsigned char hash[SIGNING_HASH_BYTES],
                         unsigned char sig[SIGNING_SIGNATURE_BYTES]);

/* True when `sig` is a valid Ed25519 signature of `hash` under `pk`. */
bool signing_is_valid(const unsigned char pk[SIGNING_PUBLIC_BYTES],
                      const unsigned char hash[SIGNING_HASH_BYTES],
                      const unsigned char sig[SIGNING_SIGNATURE_BYTES]);

/* Bytes of a public key in standard base64 with padding, and a NUL. */
#define SIGNING_PUBLIC_B64_SIZE 45

/* `pk` in standard base64 (RFC 4648 section 4, padded) into `out`. */
void signing_public_key_base64(const unsigned char pk[SIGNING_PUBLIC_BYTES],
                               char out[SIGNING_PUBLIC_B64_SIZE]);

/* A new random verification code (80 bits) into `out` as stored. */
void signing_code_new(char out[SIGNING_CODE_LEN + 1]);

/*
 * Normalize a code typed or scanned by someone: dashes and spaces
 * dropped, letters upper-cased, O read as 0, I and L as 1; the result
 * must be exactly 16 Crockford digits. Written to `out` only on success;
 * CM_ERR_VALIDATION_FAILED otherwise (also for NULL or input longer than
 * SIGNING_CODE_INPUT_MAX).
 */
enum cm_err signing_code_parse(const char *in, char out[SIGNING_CODE_LEN + 1]);

/* The stored code `code` in groups of four ("7K3M-Q9XD-2B4T-HV8C") into
 * `out`. */
void signing_code_format(const char *code,
                         char out[SIGNING_CODE_GROUPED_LEN + 1]);

#endif
