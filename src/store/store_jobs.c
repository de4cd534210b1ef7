/*
 * store_jobs.c: the wrappers of store_jobs.h (the job queue, deliveries,
 * webhooks, feed tokens): asserts and fault injection, then the backend.
 */
#include "store/store_jobs.h"

#include <assert.h>
#include <string.h>

#include "core/alloc.h"
#include "store/store_int.h"

enum store_rc
store_job_insert(struct store *s, const struct store_job *j)
{
    enum store_rc rc;

    assert(j != NULL && j->id[0] && j->kind != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->jobs->job_insert(s, j);
    return rc;
}

enum store_rc
store_job_get(struct store *s, const char *id, struct store_job *out)
{
    enum store_rc rc;

    assert(id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->jobs->job_get(s, id, out);
    return rc;
}

int
store_job_claim(struct store *s,
                const char *worker,
                int64_t now,
                int64_t lease_until,
                int limit,
                store_job_cb cb,
                void *cls)
{
    enum store_rc frc;
    int rc;

    assert(worker != NULL && *worker && cb != NULL && limit >= 0);
    assert(lease_until > now);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->jobs->job_claim(s, worker, now, lease_until, limit, cb,
                                     cls);
    return rc;
}

enum store_rc
store_job_complete(struct store *s,
                   const char *id,
                   const char *worker,
                   int64_t now)
{
    enum store_rc rc;

    assert(id != NULL && worker != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->jobs->job_complete(s, id, worker, now);
    return rc;
}

enum store_rc
store_job_fail(struct store *s,
               const char *id,
               const char *worker,
               int64_t now,
               int64_t next_run_at,
               const char *error)
{
    enum store_rc rc;

    assert(id != NULL && worker != NULL && next_run_at >= 0);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->jobs->job_fail(s, id, worker, now, next_run_at, error);
    return rc;
}

enum store_rc
store_job_retry(struct store *s, const char *id, int64_t now)
{
    enum store_rc rc;

    assert(id != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->jobs->job_retry(s, id, now);
    return rc;
}

int
store_job_list(struct store *s,
               enum store_job_state state,
               const struct store_cursor *after,
               int limit,
               store_job_cb cb,
               void *cls)
{
    enum store_rc frc;
    int rc;

    assert(cb != NULL && limit >= 0);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->jobs->job_list(s, state, after, limit, cb, cls);
    return rc;
}

void
store_job_release(struct store_job *j)
{
    if (j == NULL)
        return;
    cm_free(j->kind);
    cm_free(j->payload);
    cm_free(j->unique_key);
    cm_free(j->claimed_by);
    cm_free(j->last_error);
    memset(j, 0, sizeof *j);
}

enum store_rc
store_delivery_insert(struct store *s, const struct store_delivery *d)
{
    enum store_rc rc;

    assert(d != NULL && d->id[0] && d->key && d->job_id[0] && d->channel &&
           d->recipient_id[0] && d->status);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->jobs->delivery_insert(s, d);
    return rc;
}

enum store_rc
store_delivery_get_by_key(struct store *s,
                          const char *key,
                          struct store_delivery *out)
{
    enum store_rc rc;

    assert(key != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->jobs->delivery_get_by_key(s, key, out);
    return rc;
}

void
store_delivery_release(struct store_delivery *d)
{
    if (d == NULL)
        return;
    cm_free(d->key);
    cm_free(d->channel);
    cm_free(d->status);
    memset(d, 0, sizeof *d);
}

enum store_rc
store_webhook_insert(struct store *s, const struct store_webhook *w)
{
    enum store_rc rc;

    assert(w != NULL && w->id[0] && w->org_id[0] && w->url && w->events &&
           w->secret.data != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->jobs->webhook_insert(s, w);
    return rc;
}

enum store_rc
store_webhook_get(struct store *s, const char *id, struct store_webhook *out)
{
    enum store_rc rc;

    assert(id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->jobs->webhook_get(s, id, out);
    return rc;
}

int
store_webhook_list(struct store *s,
                   const struct store_cursor *after,
                   int limit,
                   store_webhook_cb cb,
                   void *cls)
{
    enum store_rc frc;
    int rc;

    assert(cb != NULL && limit >= 0);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->jobs->webhook_list(s, after, limit, cb, cls);
    return rc;
}

int
store_webhook_list_for_orgs(struct store *s,
                            const char *org_a,
                            const char *org_b,
                            const char *org_c,
                            store_webhook_cb cb,
                            void *cls)
{
    enum store_rc frc;
    int rc;

    assert(cb != NULL);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->jobs->webhook_list_for_orgs(s, org_a, org_b, org_c, cb,
                                                 cls);
    return rc;
}

enum store_rc
store_webhook_delete(struct store *s, const char *id, int64_t now)
{
    enum store_rc rc;

    assert(id != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->jobs->webhook_delete(s, id, now);
    return rc;
}

void
store_webhook_release(struct store_webhook *w)
{
    if (w == NULL)
        return;
    cm_free(w->url);
    cm_free(w->events);
    store_blob_release(&w->secret);
    memset(w, 0, sizeof *w);
}

enum store_rc
store_feed_token_set(struct store *s,
                     const char *user_id,
                     const unsigned char token_hash[STORE_HASH_SIZE],
                     int64_t now)
{
    enum store_rc rc;

    assert(user_id != NULL && *user_id && token_hash != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->jobs->feed_token_set(s, user_id, token_hash, now);
    return rc;
}

enum store_rc
store_feed_token_revoke(struct store *s, const char *user_id, int64_t now)
{
    enum store_rc rc;

    assert(user_id != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->jobs->feed_token_revoke(s, user_id, now);
    return rc;
}

enum store_rc
store_feed_token_user(struct store *s,
                      const unsigned char token_hash[STORE_HASH_SIZE],
                      char user_id[STORE_ID_SIZE])
{
    enum store_rc rc;

    assert(token_hash != NULL && user_id != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->jobs->feed_token_user(s, token_hash, user_id);
    return rc;
}
