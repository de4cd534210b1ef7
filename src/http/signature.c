/*
 * signature.c: signing a subpoena in its `sign` transaction, and the
 * helpers the document and verification routes share (signature.h).
 */
#include "http/signature.h"

#include <stdio.h>
#include <string.h>

#include "auth/signing.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/log.h"

/* Codes drawn before giving up when each one is taken (with 80 random
 * bits, a second draw is already beyond belief). */
#define CODE_ATTEMPTS 4

/* The office's key in use into *out, made and stored when it has none. */
static enum store_rc
office_key(struct store *s,
           struct app_tx *tx,
           const char *org_id,
           int64_t now,
           struct store_signing_key *out)
{
    const struct fieldcrypt *fc = &app_of(tx->req)->fc;
    struct store_signing_key k;
    struct buf sealed = BUF_INIT;
    enum store_rc rc = store_signing_key_get_current(s, org_id, out);

    if (rc != STORE_NO_RESULTS)
        return rc;
    memset(&k, 0, sizeof k);
    if (signing_key_new(fc, org_id, k.public_key, k.key_id, &sealed) !=
        CM_ERR_OK) {
        buf_release(&sealed);
        return app_fail(tx, CM_ERR_INTERNAL, NULL,
                        "the office's signing key cannot be made");
    }
    (void)snprintf(k.org_id, sizeof k.org_id, "%s", org_id);
    k.created_at = now;
    k.sealed_secret.data = (unsigned char *)sealed.data;
    k.sealed_secret.len = sealed.len;
    rc = store_signing_key_insert(s, &k);
    buf_release(&sealed);
    if (rc < 0)
        return rc;
    /* Inserted, or another transaction's key won: read the one in use. */
    rc = store_signing_key_get_current(s, org_id, out);
    return rc == STORE_NO_RESULTS ? STORE_HARD_ERROR : rc;
}

enum store_rc
signature_record(struct store *s,
                 struct app_tx *tx,
                 const struct store_subpoena *sp)
{
    struct store_org office = {0};
    struct store_org recip = {0};
    struct store_user signer = {0};
    struct store_signing_key key = {0};
    struct store_signature sig;
    struct signing_content c;
    struct signing_item *items = NULL;
    struct buf text = BUF_INIT;
    enum store_rc rc;

    rc = store_org_get(s, sp->agency_org_id, &office);
    if (rc == STORE_ONE_RESULT)
        rc = store_org_get(s, sp->recipient_org_id, &recip);
    if (rc == STORE_ONE_RESULT)
        rc = store_user_get(s, sp->signed_by, &signer);
    if (rc != STORE_ONE_RESULT) {
        rc = rc < 0 ? rc : STORE_HARD_ERROR;
        goto out_release;
    }
    rc = office_key(s, tx, sp->agency_org_id, sp->signed_at, &key);
    if (rc != STORE_ONE_RESULT)
        goto out_release;
    items = cm_calloc(sp->n_items ? sp->n_items : 1, sizeof *items);
    for (size_t i = 0; i < sp->n_items; i++) {
        items[i].position = sp->items[i].position;
        items[i].category = sp->items[i].category;
        items[i].description = sp->items[i].description;
    }
    memset(&c, 0, sizeof c);
    c.subpoena_id = sp->id;
    c.number = sp->number;
    c.office_id = office.id;
    c.office_name = office.name;
    c.recipient_id = recip.id;
    c.recipient_name = recip.name;
    c.person_id = sp->person_id;
    c.purpose = sp->purpose;
    c.items = items;
    c.n_items = sp->n_items;
    /* compel keeps no separate place of return: records are returned to
     * the issuing office. */
    c.return_place = office.name;
    c.signer_id = signer.id;
    c.signer_name = signer.name;
    c.signer_title = signer.title;
    c.signed_at = sp->signed_at;
    signing_canonical(&c, &text);

    memset(&sig, 0, sizeof sig);
    (void)snprintf(sig.subpoena_id, sizeof sig.subpoena_id, "%s", sp->id);
    (void)snprintf(sig.key_id, sizeof sig.key_id, "%s", key.key_id);
    sig.content = text.data;
    sig.signed_at = sp->signed_at;
    signing_sha256(text.data, text.len, sig.content_sha256);
    if (signing_sign(&app_of(tx->req)->fc, office.id, key.sealed_secret.data,
                     key.sealed_secret.len, sig.content_sha256,
                     sig.signature) != CM_ERR_OK) {
        LOG_ERROR("the signing key of office %s does not open", office.id);
        rc = app_fail(tx, CM_ERR_INTERNAL, NULL,
                      "the office's signing key cannot be used");
        goto out_release;
    }
    rc = STORE_NO_RESULTS;
    for (int i = 0; i < CODE_ATTEMPTS && rc == STORE_NO_RESULTS; i++) {
        signing_code_new(sig.code);
        rc = store_signature_insert(s, &sig);
    }
    if (rc == STORE_NO_RESULTS)
        rc = STORE_HARD_ERROR; /* the subpoena was signed already */
out_release:
    buf_release(&text);
    cm_free(items);
    store_signing_key_release(&key);
    store_user_release(&signer);
    store_org_release(&recip);
    store_org_release(&office);
    return rc;
}

bool
signature_content_value(const char *content, const char *key, struct buf *out)
{
    size_t klen = strlen(key);
    const char *p = content;

    while (p && *p) {
        const char *eol = strchr(p, '\n');

        if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
            const char *v = p + klen + 1;
            const char *end = eol ? eol : v + strlen(v);

            for (; v < end; v++) {
                if (*v == '\\' && v + 1 < end) {
                    v++;
                    buf_addch(out, *v == 'n' ? '\n' : *v == 'r' ? '\r' : *v);
                } else {
                    buf_addch(out, *v);
                }
            }
            return true;
        }
        p = eol ? eol + 1 : NULL;
    }
    return false;
}

void
signature_verify_url(const struct http_req *req,
                     const char *code,
                     struct buf *out)
{
    const char *base = app_of(req)->public_url;
    size_t n;

    if (!base || !*base)
        base = SIGNATURE_DEFAULT_PUBLIC_URL;
    n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    buf_add(out, base, n);
    buf_addf(out, "/verify/%s", code);
}
