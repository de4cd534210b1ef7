/*
 * store_sign.c: the wrappers of store_sign.h (office signing keys and
 * subpoena signatures): asserts and fault injection, then the backend.
 */
#include "store/store_sign.h"

#include <assert.h>
#include <string.h>

#include "core/alloc.h"
#include "store/store_int.h"

enum store_rc
store_signing_key_insert(struct store *s, const struct store_signing_key *k)
{
    enum store_rc rc;

    assert(k != NULL && k->key_id[0] && k->org_id[0] &&
           k->sealed_secret.data != NULL && k->retired_at == 0);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->sign->key_insert(s, k);
    return rc;
}

enum store_rc
store_signing_key_get_current(struct store *s,
                              const char *org_id,
                              struct store_signing_key *out)
{
    enum store_rc rc;

    assert(org_id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->sign->key_get_current(s, org_id, out);
    return rc;
}

enum store_rc
store_signing_key_get(struct store *s,
                      const char *key_id,
                      struct store_signing_key *out)
{
    enum store_rc rc;

    assert(key_id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->sign->key_get(s, key_id, out);
    return rc;
}

void
store_signing_key_release(struct store_signing_key *k)
{
    if (k == NULL)
        return;
    if (k->sealed_secret.data)
        memset(k->sealed_secret.data, 0, k->sealed_secret.len);
    cm_free(k->sealed_secret.data);
    memset(k, 0, sizeof *k);
}

enum store_rc
store_signature_insert(struct store *s, const struct store_signature *sig)
{
    enum store_rc rc;

    assert(sig != NULL && sig->subpoena_id[0] && sig->code[0] &&
           sig->key_id[0] && sig->content != NULL && sig->signed_at != 0);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->sign->signature_insert(s, sig);
    return rc;
}

enum store_rc
store_signature_get_by_code(struct store *s,
                            const char *code,
                            struct store_signature *out)
{
    enum store_rc rc;

    assert(code != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->sign->signature_get_by_code(s, code, out);
    return rc;
}

enum store_rc
store_signature_get_by_subpoena(struct store *s,
                                const char *subpoena_id,
                                struct store_signature *out)
{
    enum store_rc rc;

    assert(subpoena_id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->sign->signature_get_by_subpoena(s, subpoena_id, out);
    return rc;
}

void
store_signature_release(struct store_signature *sig)
{
    if (sig == NULL)
        return;
    cm_free(sig->content);
    memset(sig, 0, sizeof *sig);
}
