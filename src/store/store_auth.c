/*
 * store_auth.c: the wrappers of store_auth.h (sessions, API tokens, user
 * account operations) over the backend's auth table: argument asserts and
 * fault injection, then the backend. Also the release functions of its
 * rows.
 */
#include "store/store_auth.h"

#include <assert.h>
#include <string.h>

#include "core/alloc.h"
#include "store/store_int.h"

enum store_rc
store_session_insert(struct store *s, const struct store_session *se)
{
    enum store_rc rc;

    assert(se != NULL && se->id[0] && se->user_id[0]);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->session_insert(s, se);
    return rc;
}

enum store_rc
store_session_get_by_token(struct store *s,
                           const unsigned char token_hash[STORE_HASH_SIZE],
                           struct store_session *out)
{
    enum store_rc rc;

    assert(token_hash != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->session_get_by_token(s, token_hash, out);
    return rc;
}

enum store_rc
store_session_touch(struct store *s, const char *id, int64_t last_seen_at)
{
    enum store_rc rc;

    assert(id != NULL && last_seen_at > 0);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->session_touch(s, id, last_seen_at);
    return rc;
}

enum store_rc
store_session_end(struct store *s, const char *id, int64_t at)
{
    enum store_rc rc;

    assert(id != NULL && at > 0);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->session_end(s, id, at);
    return rc;
}

enum store_rc
store_session_step_up(struct store *s, const char *id, int64_t at)
{
    enum store_rc rc;

    assert(id != NULL && at > 0);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->session_step_up(s, id, at);
    return rc;
}

int
store_session_end_by_user(struct store *s,
                          const char *user_id,
                          const char *except_id,
                          int64_t at)
{
    enum store_rc frc;
    int rc;

    assert(user_id != NULL && at > 0);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->auth->session_end_by_user(s, user_id, except_id, at);
    return rc;
}

enum store_rc
store_api_token_insert(struct store *s, const struct store_api_token *t)
{
    enum store_rc rc;

    assert(t != NULL && t->id[0] && t->user_id[0] && t->name != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->api_token_insert(s, t);
    return rc;
}

enum store_rc
store_api_token_get_by_hash(struct store *s,
                            const unsigned char token_hash[STORE_HASH_SIZE],
                            struct store_api_token *out)
{
    enum store_rc rc;

    assert(token_hash != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->api_token_get_by_hash(s, token_hash, out);
    return rc;
}

int
store_api_token_list_by_user(struct store *s,
                             const char *user_id,
                             store_api_token_cb cb,
                             void *cls)
{
    enum store_rc frc;
    int rc;

    assert(user_id != NULL && cb != NULL);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->auth->api_token_list_by_user(s, user_id, cb, cls);
    return rc;
}

enum store_rc
store_api_token_revoke(struct store *s,
                       const char *id,
                       const char *user_id,
                       int64_t at)
{
    enum store_rc rc;

    assert(id != NULL && user_id != NULL && at > 0);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->api_token_revoke(s, id, user_id, at);
    return rc;
}

int
store_user_list(struct store *s,
                const char *org_id,
                const char *after_id,
                int limit,
                store_user_cb cb,
                void *cls)
{
    enum store_rc frc;
    int rc;

    assert(cb != NULL && limit >= 0);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->auth->user_list(s, org_id, after_id, limit, cb, cls);
    return rc;
}

enum store_rc
store_api_token_touch(struct store *s, const char *id, int64_t at)
{
    enum store_rc rc;

    assert(id != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->api_token_touch(s, id, at);
    return rc;
}

int
store_user_list_inactive(struct store *s,
                         int64_t cutoff,
                         store_user_cb cb,
                         void *cls)
{
    enum store_rc frc;

    assert(cb != NULL);
    if (store_is_faulted(s, &frc))
        return frc;
    return s->ops->auth->user_list_inactive(s, cutoff, cb, cls);
}

enum store_rc
store_user_update_profile(struct store *s, const struct store_user *u)
{
    enum store_rc rc;

    assert(u != NULL && u->name != NULL && u->version >= 1);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->user_update_profile(s, u);
    return rc;
}

enum store_rc
store_user_set_password(struct store *s,
                        const char *id,
                        const char *password_hash,
                        int64_t updated_at)
{
    enum store_rc rc;

    assert(id != NULL && password_hash != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->user_set_password(s, id, password_hash, updated_at);
    return rc;
}

enum store_rc
store_user_totp_set_pending(struct store *s,
                            const char *id,
                            const struct store_blob *secret,
                            int64_t updated_at)
{
    enum store_rc rc;

    assert(id != NULL && secret != NULL && secret->data != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->user_totp_set_pending(s, id, secret, updated_at);
    return rc;
}

enum store_rc
store_user_totp_confirm(struct store *s, const char *id, int64_t updated_at)
{
    enum store_rc rc;

    assert(id != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->user_totp_confirm(s, id, updated_at);
    return rc;
}

enum store_rc
store_user_totp_clear(struct store *s, const char *id, int64_t updated_at)
{
    enum store_rc rc;

    assert(id != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->user_totp_clear(s, id, updated_at);
    return rc;
}

enum store_rc
store_user_totp_use_step(struct store *s, const char *id, int64_t step)
{
    enum store_rc rc;

    assert(id != NULL && step >= 0);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->user_totp_use_step(s, id, step);
    return rc;
}

enum store_rc
store_user_login_failed(struct store *s,
                        const char *id,
                        int64_t now,
                        int64_t window_us,
                        int64_t max_failures,
                        int64_t *count,
                        bool *locked)
{
    enum store_rc rc;

    assert(id != NULL && now > 0 && window_us > 0 && max_failures >= 1);
    assert(count != NULL && locked != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->user_login_failed(s, id, now, window_us,
                                             max_failures, count, locked);
    return rc;
}

enum store_rc
store_user_failures_clear(struct store *s, const char *id)
{
    enum store_rc rc;

    assert(id != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->user_failures_clear(s, id);
    return rc;
}

enum store_rc
store_user_unlock(struct store *s, const char *id, int64_t updated_at)
{
    enum store_rc rc;

    assert(id != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->auth->user_unlock(s, id, updated_at);
    return rc;
}

void
store_session_release(struct store_session *se)
{
    if (se == NULL)
        return;
    cm_free(se->client_addr);
    memset(se, 0, sizeof *se);
}

void
store_api_token_release(struct store_api_token *t)
{
    if (t == NULL)
        return;
    cm_free(t->name);
    memset(t, 0, sizeof *t);
}
