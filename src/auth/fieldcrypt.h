/*
 * fieldcrypt.h: encryption of personal fields at rest, and blind indexes
 * for exact-match search over them.
 *
 * Keys: subkeys are derived from the 32-byte master key (auth/keyfile.h,
 * kept apart from the database) with libsodium's KDF, one per algorithm
 * and key id for encryption and one root for blind indexes, from which a
 * subkey per field name is derived; the master key itself is not kept.
 *
 * Ciphertext format (self-describing, binary):
 *   byte 0      version and algorithm: FIELDCRYPT_ALG_*
 *   byte 1      key id: 1 (FIELDCRYPT_KEY_ID) for the first key, one more
 *               for each rotation (`compel key rotate`); it is also the
 *               KDF subkey id of that key's subkeys
 *   nonce       12 bytes (AES-256-GCM) or 24 bytes (XChaCha20-Poly1305),
 *               random
 *   ciphertext  as long as the plaintext, followed by a 16-byte tag
 * The associated data binds the header, the record id and the field name,
 * so a ciphertext copied to another row or column does not decrypt.
 *
 * AES-256-GCM is used where the CPU has AES-NI and PCLMUL (libsodium's
 * only AES-GCM), else XChaCha20-Poly1305-IETF. Both are always readable
 * where the algorithm is available; an AES-GCM value cannot be opened on a
 * CPU without AES-NI (CM_ERR_UNAVAILABLE). Random 96-bit GCM nonces bound
 * one key to about 2^32 encryptions (NIST SP 800-38D 8.3).
 *
 * Blind index: keyed BLAKE2b-256 of a normalized value under the field's
 * subkey. It reveals equality of values within one field and nothing
 * across fields; normalize with the helpers below before indexing.
 */
#ifndef CM_AUTH_FIELDCRYPT_H
#define CM_AUTH_FIELDCRYPT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/errors.h"

enum fieldcrypt_alg {
    FIELDCRYPT_ALG_AES256GCM = 0x01,        /* version 1, AES-256-GCM */
    FIELDCRYPT_ALG_XCHACHA20POLY1305 = 0x02 /* version 1, XChaCha20-P1305 */
};

/* The id of the first key (fieldcrypt_init); rotated keys count up. */
#define FIELDCRYPT_KEY_ID 1

/* The largest key id (one byte). */
#define FIELDCRYPT_KEY_ID_MAX 255

#define FIELDCRYPT_KEY_BYTES   32
#define FIELDCRYPT_INDEX_BYTES 32

/* Bytes a ciphertext adds to its plaintext, at most (header, the longer
 * nonce, tag). */
#define FIELDCRYPT_OVERHEAD_MAX (2 + 24 + 16)

/* Longest record id and field name accepted, in bytes. */
#define FIELDCRYPT_NAME_MAX 255

/* An A-number normalized: 9 digits and a NUL. */
#define FIELDCRYPT_A_NUMBER_LEN 9

/* A date normalized: YYYY-MM-DD and a NUL. */
#define FIELDCRYPT_DATE_LEN 10

/* The keys: the current key seals and indexes; the retiring key, while
 * a rotation runs, only opens. */
struct fieldcrypt {
    enum fieldcrypt_alg seal_alg;                    /* used by _seal */
    unsigned key_id;                                 /* the current key's */
    unsigned char aes_key[FIELDCRYPT_KEY_BYTES];     /* AES-256-GCM key */
    unsigned char xchacha_key[FIELDCRYPT_KEY_BYTES]; /* XChaCha20 key */
    unsigned char index_root[FIELDCRYPT_KEY_BYTES];  /* blind index root */
    unsigned old_id; /* the retiring key's id; 0: none */
    unsigned char old_aes_key[FIELDCRYPT_KEY_BYTES];
    unsigned char old_xchacha_key[FIELDCRYPT_KEY_BYTES];
};

/* Derive the subkeys from `master` into `fc`, choosing AES-256-GCM when
 * the CPU supports it and XChaCha20-Poly1305 otherwise. Initialises
 * libsodium if needed (CM_ERR_INTERNAL if it cannot be). Release with
 * fieldcrypt_release. */
enum cm_err fieldcrypt_init(struct fieldcrypt *fc,
                            const unsigned char master[FIELDCRYPT_KEY_BYTES]);

/* The same, sealing with `alg` (tests, or a deployment that must stay
 * readable on CPUs without AES-NI). CM_ERR_UNAVAILABLE when `alg` is
 * AES-256-GCM and the CPU lacks it; CM_ERR_USAGE for an unknown `alg`. */
enum cm_err
fieldcrypt_init_alg(struct fieldcrypt *fc,
                    const unsigned char master[FIELDCRYPT_KEY_BYTES],
                    enum fieldcrypt_alg alg);

/* Derive the subkeys of key `key_id` (1 ... FIELDCRYPT_KEY_ID_MAX) from
 * `master` into `fc`: new ciphertexts carry `key_id`. The algorithm is
 * chosen as by fieldcrypt_init. fieldcrypt_init(fc, m) is
 * fieldcrypt_init_key(fc, m, FIELDCRYPT_KEY_ID). Programs load keys with
 * keyfile_load_fieldcrypt (auth/keyfile.h), which calls this.
 * CM_ERR_USAGE for a bad id. */
enum cm_err
fieldcrypt_init_key(struct fieldcrypt *fc,
                    const unsigned char master[FIELDCRYPT_KEY_BYTES],
                    unsigned key_id);

/* Add the retiring key `key_id` (derived from `master`) to `fc`, which
 * then also opens ciphertexts carrying that id; it never seals or
 * indexes. CM_ERR_USAGE for a bad id, the current key's id, or when `fc`
 * already has a retiring key. */
enum cm_err
fieldcrypt_add_retiring(struct fieldcrypt *fc,
                        const unsigned char master[FIELDCRYPT_KEY_BYTES],
                        unsigned key_id);

/* The key id byte of ciphertext `ct` of `n` bytes, or 0 when it is too
 * short to have one. */
unsigned fieldcrypt_key_id_of(const void *ct, size_t n);

/* True when this CPU can use AES-256-GCM (after libsodium's init). */
bool fieldcrypt_has_aes(void);

/* Encrypt `n` bytes of `plain`, bound to `record_id` and `field`, and
 * append the ciphertext (n + 2 + nonce + 16 bytes) to `out`.
 * CM_ERR_VALIDATION_FAILED when the record id or field name is empty or
 * longer than FIELDCRYPT_NAME_MAX. */
enum cm_err fieldcrypt_seal(const struct fieldcrypt *fc,
                            const char *record_id,
                            const char *field,
                            const void *plain,
                            size_t n,
                            struct buf *out);

/* Decrypt `n` bytes of `ct` sealed for `record_id` and `field`, appending
 * the plaintext to `out` only on success, with the current or the
 * retiring key as its key id says. CM_ERR_VALIDATION_FAILED when the
 * value is malformed, has an unknown version or a key id `fc` does not
 * hold (a retired key's), was tampered with,
 * or belongs to another record or field; CM_ERR_UNAVAILABLE for AES-GCM on
 * a CPU without it. */
enum cm_err fieldcrypt_open(const struct fieldcrypt *fc,
                            const char *record_id,
                            const char *field,
                            const void *ct,
                            size_t n,
                            struct buf *out);

/* The blind index of `normalized_value` for `field` under the current
 * key, into `out`.
 * CM_ERR_VALIDATION_FAILED for an empty or too long field name. */
enum cm_err fieldcrypt_blind_index(const struct fieldcrypt *fc,
                                   const char *field,
                                   const char *normalized_value,
                                   unsigned char out[FIELDCRYPT_INDEX_BYTES]);

/* Normalize a person's name for exact-match search, appending it to `out`:
 * leading and trailing ASCII whitespace removed, each internal run of
 * ASCII whitespace made one space, ASCII letters lower-cased. Non-ASCII
 * UTF-8 is kept byte for byte: no Unicode case folding or normalization
 * form is applied, so "É" and "é" (or a composed and a decomposed "é")
 * index differently, and a no-break space is not whitespace.
 * CM_ERR_VALIDATION_FAILED (nothing appended) for invalid UTF-8, control
 * characters, or a name that is empty after trimming. */
enum cm_err fieldcrypt_normalize_name(const char *in, struct buf *out);

/* Normalize an alien registration number ("A-012-345-678", "a12345678",
 * "12345678"): surrounding whitespace and one leading 'A' or 'a' dropped,
 * dashes removed, then 7 to 9 digits left-padded with zeros to 9, into
 * `out`. CM_ERR_VALIDATION_FAILED for anything else. */
enum cm_err
fieldcrypt_normalize_a_number(const char *in,
                              char out[FIELDCRYPT_A_NUMBER_LEN + 1]);

/* Normalize a date: surrounding whitespace dropped, then exactly
 * YYYY-MM-DD naming a real day of the Gregorian calendar (year 0001 to
 * 9999), copied into `out`. CM_ERR_VALIDATION_FAILED otherwise. */
enum cm_err fieldcrypt_normalize_date(const char *in,
                                      char out[FIELDCRYPT_DATE_LEN + 1]);

/* Wipe the keys in `fc` (accepts NULL). */
void fieldcrypt_release(struct fieldcrypt *fc);

#endif
