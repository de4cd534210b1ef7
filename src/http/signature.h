/*
 * signature.h: the signature of a subpoena, made in the `sign` action's
 * transaction (h_subpoena_actions.c), and what the document and
 * verification routes read back (h_subpoena_document.c, h_verify.c).
 *
 * Signing builds the canonical content of the subpoena (auth/signing.h)
 * from the rows as they stand in the transaction, makes the issuing
 * office's key on its first signature, signs the content's SHA-256, draws
 * a verification code and stores all of it (store/store_sign.h) in the
 * same transaction as the state change, so a subpoena is never signed
 * without its verifiable record, nor the other way round.
 */
#ifndef CM_HTTP_SIGNATURE_H
#define CM_HTTP_SIGNATURE_H

#include "http/app.h"
#include "store/store.h"

/* Where the PDF sends readers when no public_url is configured. */
#define SIGNATURE_DEFAULT_PUBLIC_URL "http://127.0.0.1:8080"

/*
 * Sign subpoena `sp` (its signed_by and signed_at already set by the
 * caller, its items loaded) inside the transaction of `tx`: the office key
 * is made when the office has none; the signature and its code are
 * stored. Returns STORE_ONE_RESULT, or an error (app_fail'ed as an
 * internal error when the office key cannot be used) to return from the
 * transaction.
 */
enum store_rc signature_record(struct store *s,
                               struct app_tx *tx,
                               const struct store_subpoena *sp);

/* The value of line `key` of canonical content `content`, unescaped, into
 * `out` (appended); false when the content has no such line. */
bool
signature_content_value(const char *content, const char *key, struct buf *out);

/* Append to `out` the address a document prints for checking it:
 * "<public_url>/verify/<code>", where public_url is the configured one
 * (without its trailing slashes) or SIGNATURE_DEFAULT_PUBLIC_URL, and
 * `code` the grouped verification code. */
void signature_verify_url(const struct http_req *req,
                          const char *code,
                          struct buf *out);

#endif
