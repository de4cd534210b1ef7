/*
 * store_sign.h: the store's part of signed, verifiable subpoenas: each
 * agency office's Ed25519 signing key (public key in clear, secret sealed
 * by the caller with the master key), and the signature of each signed
 * subpoena with its verification code.
 *
 * The store neither makes nor checks keys and signatures: auth/signing.h
 * does. It keeps them, enforces that an office has at most one key in use
 * and a subpoena at most one signature, and that codes are unique.
 *
 * Included by store/store.h; callers include that.
 */
#ifndef CM_STORE_STORE_SIGN_H
#define CM_STORE_STORE_SIGN_H

#include "store/store.h"

/* Bytes of a key id (16 lowercase hex digits) with its NUL. */
#define STORE_SIGN_KEY_ID_SIZE 17

/* Bytes of a verification code as stored (16 Crockford base32 digits,
 * upper case, no dashes) with its NUL. */
#define STORE_SIGN_CODE_SIZE 17

#define STORE_SIGN_PUBLIC_BYTES    32
#define STORE_SIGN_SIGNATURE_BYTES 64

/* An office's signing key. */
struct store_signing_key {
    char key_id[STORE_SIGN_KEY_ID_SIZE];
    char org_id[STORE_ID_SIZE];
    int64_t created_at;
    unsigned char public_key[STORE_SIGN_PUBLIC_BYTES];
    struct store_blob sealed_secret; /* opaque to the store; required */
    int64_t retired_at;              /* 0 while in use */
};

/* The signature of one subpoena. */
struct store_signature {
    char subpoena_id[STORE_ID_SIZE];
    char code[STORE_SIGN_CODE_SIZE];
    char key_id[STORE_SIGN_KEY_ID_SIZE];
    char *content; /* the canonical content signed (UTF-8 text) */
    unsigned char content_sha256[STORE_HASH_SIZE];
    unsigned char signature[STORE_SIGN_SIGNATURE_BYTES];
    int64_t signed_at;
};

/* The sign part of a backend's function table (store_ops.sign). */
struct store_sign_ops {
    enum store_rc (*key_insert)(struct store *s,
                                const struct store_signing_key *k);
    enum store_rc (*key_get_current)(struct store *s,
                                     const char *org_id,
                                     struct store_signing_key *out);
    enum store_rc (*key_get)(struct store *s,
                             const char *key_id,
                             struct store_signing_key *out);
    enum store_rc (*signature_insert)(struct store *s,
                                      const struct store_signature *sig);
    enum store_rc (*signature_get_by_code)(struct store *s,
                                           const char *code,
                                           struct store_signature *out);
    enum store_rc (*signature_get_by_subpoena)(struct store *s,
                                               const char *subpoena_id,
                                               struct store_signature *out);
};

/* ---- signing keys ------------------------------------------------------*/

/* Insert key `k` (retired_at must be 0) for office k->org_id.
 * STORE_NO_RESULTS, nothing written, when the key id exists or the office
 * already has a key in use (of two concurrent first signatures of an
 * office, one key wins: read it with store_signing_key_get_current). */
enum store_rc store_signing_key_insert(struct store *s,
                                       const struct store_signing_key *k);

/* The key in use of office `org_id` into *out (release with
 * store_signing_key_release); STORE_NO_RESULTS when it has none. */
enum store_rc store_signing_key_get_current(struct store *s,
                                            const char *org_id,
                                            struct store_signing_key *out);

/* The key `key_id`, in use or retired, into *out; STORE_NO_RESULTS when
 * unknown. */
enum store_rc store_signing_key_get(struct store *s,
                                    const char *key_id,
                                    struct store_signing_key *out);

void store_signing_key_release(struct store_signing_key *k);

/* ---- signatures ---------------------------------------------------------*/

/* Insert the signature `sig` (every field required; sig->key_id must name
 * a stored key, sig->subpoena_id a stored subpoena). STORE_NO_RESULTS,
 * nothing written, when the subpoena already has a signature or the code
 * is taken: the caller may draw a new code and try again. Signatures are
 * never changed afterwards. */
enum store_rc store_signature_insert(struct store *s,
                                     const struct store_signature *sig);

/* The signature whose code is `code` (as stored: 16 upper-case Crockford
 * digits) into *out (release with store_signature_release);
 * STORE_NO_RESULTS when none. */
enum store_rc store_signature_get_by_code(struct store *s,
                                          const char *code,
                                          struct store_signature *out);

/* The signature of subpoena `subpoena_id` into *out; STORE_NO_RESULTS
 * when it has none. */
enum store_rc store_signature_get_by_subpoena(struct store *s,
                                              const char *subpoena_id,
                                              struct store_signature *out);

void store_signature_release(struct store_signature *sig);

#endif
