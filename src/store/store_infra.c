/*
 * store_infra.c: the wrappers of store_infra.h (idempotency keys, the
 * filtered audit list, rate-limit counters): asserts and fault injection,
 * then the backend.
 */
#include "store/store_infra.h"

#include <assert.h>
#include <string.h>

#include "core/alloc.h"
#include "store/store_int.h"

enum store_rc
store_idempotency_get(struct store *s,
                      const char *user_id,
                      const char *key,
                      struct store_idempotency *out)
{
    enum store_rc rc;

    assert(user_id != NULL && key != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->infra->idempotency_get(s, user_id, key, out);
    return rc;
}

enum store_rc
store_idempotency_insert(struct store *s, const struct store_idempotency *r)
{
    enum store_rc rc;

    assert(r != NULL && r->user_id[0] && r->key && r->method && r->path);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->infra->idempotency_insert(s, r);
    return rc;
}

enum store_rc
store_idempotency_set_response(struct store *s,
                               const char *user_id,
                               const char *key,
                               int status,
                               const char *body)
{
    enum store_rc rc;

    assert(user_id != NULL && key != NULL && status >= 100 && status < 600);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->infra->idempotency_set_response(s, user_id, key, status,
                                                     body);
    return rc;
}

int
store_idempotency_delete_before(struct store *s, int64_t cutoff)
{
    enum store_rc frc;
    int rc;

    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->infra->idempotency_delete_before(s, cutoff);
    return rc;
}

void
store_idempotency_release(struct store_idempotency *r)
{
    if (r == NULL)
        return;
    cm_free(r->key);
    cm_free(r->method);
    cm_free(r->path);
    cm_free(r->body);
    memset(r, 0, sizeof *r);
}

int
store_audit_list(struct store *s,
                 const struct store_audit_filter *filter,
                 int64_t after_seq,
                 int limit,
                 store_audit_cb cb,
                 void *cls)
{
    enum store_rc frc;
    int rc;

    assert(cb != NULL && limit >= 0);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->infra->audit_list(s, filter, after_seq, limit, cb, cls);
    return rc;
}

enum store_rc
store_rate_hit(struct store *s,
               const char *bucket,
               int64_t window_start,
               int64_t now,
               int64_t *count)
{
    enum store_rc rc;

    assert(bucket != NULL && count != NULL);
    assert(bucket[0] != '\0' && strlen(bucket) <= 255);
    *count = 0;
    if (!store_is_faulted(s, &rc))
        rc = s->ops->infra->rate_hit(s, bucket, window_start, now, count);
    return rc;
}

int
store_rate_delete_before(struct store *s, int64_t cutoff)
{
    enum store_rc frc;
    int rc;

    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->infra->rate_delete_before(s, cutoff);
    return rc;
}
