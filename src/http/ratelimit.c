/*
 * ratelimit.c: the rate limits of ratelimit.h: bucket names, the fixed
 * windows, the counting transactions and the 429 answer.
 *
 * Old buckets are purged as they go: the first counting transaction of
 * each minute on each server also deletes the buckets whose window ended
 * a minute or more ago (one DELETE on a table of one row per active
 * account, user and organization).
 */
#include "http/ratelimit.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "auth/token.h"
#include "core/buf.h"
#include "http/app.h"
#include "http/reply.h"
#include "store/store_infra.h"

/* "login:" and 64 hex digits, "user:"/"org:" and an id, with a NUL. */
#define BUCKET_SIZE 80

/* The window this server last purged behind (per process). */
static _Atomic int64_t purged_window;

/* The start of the window holding `now` (times are after 1970). */
static int64_t
window_of(int64_t now)
{
    return now - now % RATELIMIT_WINDOW_US;
}

/* Once a minute per server: delete the buckets of windows before the
 * previous one. */
static enum store_rc
purge_old(struct store *s, int64_t window)
{
    int64_t seen = atomic_load(&purged_window);
    int gone;

    if (window <= seen ||
        !atomic_compare_exchange_strong(&purged_window, &seen, window))
        return STORE_ONE_RESULT;
    gone = store_rate_delete_before(s, window - RATELIMIT_WINDOW_US);
    return gone < 0 ? (enum store_rc)gone : STORE_ONE_RESULT;
}

/* The bucket of login attempts naming `email`: a hash keyed with the
 * master key (the same on every server of the database) of the email in
 * lower case, as the store matches it: no email in the store, and no
 * dictionary of emails turns a bucket back into one without the key. */
static void
login_bucket(const struct app *a, const char *email, char out[BUCKET_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char h[TOKEN_HASH_SIZE];
    struct buf b = BUF_INIT;
    size_t at;

    buf_add(&b, "compel rate limit: login\n", 25);
    buf_add(&b, (const char *)a->master, sizeof a->master);
    for (const char *p = email; *p; p++)
        buf_addch(&b, *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p);
    token_digest(b.data, b.len, h);
    memset(b.data, 0, b.len);
    buf_release(&b);
    memcpy(out, "login:", 6);
    at = 6;
    for (size_t i = 0; i < sizeof h; i++) {
        out[at++] = hex[h[i] >> 4];
        out[at++] = hex[h[i] & 15];
    }
    out[at] = '\0';
}

void
ratelimit_retry_after(struct http_req *req)
{
    int64_t now = app_now(app_of(req));
    int64_t left = window_of(now) + RATELIMIT_WINDOW_US - now;
    char v[24];

    (void)snprintf(v, sizeof v, "%lld", (long long)((left + 999999) / 1000000));
    (void)reply_add_header(req, "Retry-After", v);
}

enum cm_err
ratelimit_refuse(struct http_req *req, const char *detail)
{
    enum cm_err err = reply_error(req, CM_ERR_RATE_LIMITED, NULL, detail);

    ratelimit_retry_after(req);
    return err;
}

enum store_rc
ratelimit_login_hit(struct store *s,
                    struct app_tx *tx,
                    const char *email,
                    const char *user_id,
                    bool *refused)
{
    struct http_req *req = tx->req;
    struct app *a = app_of(req);
    unsigned limit = a->rate.login;
    struct http_caller saved;
    char bucket[BUCKET_SIZE];
    char detail[80];
    int64_t now, window, count = 0;
    enum store_rc rc;

    *refused = false;
    if (limit == 0)
        return STORE_ONE_RESULT;
    now = app_now(a);
    window = window_of(now);
    login_bucket(a, email, bucket);
    rc = purge_old(s, window);
    if (rc >= 0)
        rc = store_rate_hit(s, bucket, window, now, &count);
    if (rc < 0)
        return rc;
    if (count <= (int64_t)limit)
        return STORE_ONE_RESULT;
    if (count > (int64_t)limit + 1)
        return app_fail(tx, CM_ERR_RATE_LIMITED, NULL,
                        "too many login attempts for this account; wait "
                        "for the next minute");
    /* The first refusal of the window: kept, with its audit record, the
     * account as its actor (the caller is nobody on this public route). */
    *refused = true;
    saved = req->caller;
    memset(&req->caller, 0, sizeof req->caller);
    if (user_id)
        (void)snprintf(req->caller.user_id, sizeof req->caller.user_id, "%s",
                       user_id);
    (void)snprintf(detail, sizeof detail,
                   "more than %u login attempts in a minute", limit);
    rc =
        app_audit(s, req, "session.login", "user",
                  user_id && *user_id ? user_id : NULL, "rate_limited", detail);
    req->caller = saved;
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

struct caller_tx {
    struct app_tx base;
    const struct ratelimit_cfg *cfg;
    int64_t now;
};

/* Count one call in `bucket`; over `limit`, refuse (rolling back). */
static enum store_rc
hit(struct caller_tx *t,
    struct store *s,
    const char *bucket,
    unsigned limit,
    const char *whose)
{
    int64_t count = 0;
    enum store_rc rc;

    rc = store_rate_hit(s, bucket, window_of(t->now), t->now, &count);
    if (rc < 0)
        return rc;
    if (count > (int64_t)limit)
        return app_fail(&t->base, CM_ERR_RATE_LIMITED, NULL,
                        "more than %u requests in a minute from %s; wait "
                        "for the next minute",
                        limit, whose);
    return STORE_ONE_RESULT;
}

static enum store_rc
caller_tx(struct store *s, void *ctx)
{
    struct caller_tx *t = ctx;
    const struct http_caller *c = &t->base.req->caller;
    char bucket[BUCKET_SIZE];
    enum store_rc rc = purge_old(s, window_of(t->now));

    if (rc >= 0 && t->cfg->user > 0) {
        (void)snprintf(bucket, sizeof bucket, "user:%s", c->user_id);
        rc = hit(t, s, bucket, t->cfg->user, "this user");
    }
    if (rc >= 0 && t->cfg->org > 0 && c->org_id[0]) {
        (void)snprintf(bucket, sizeof bucket, "org:%s", c->org_id);
        rc = hit(t, s, bucket, t->cfg->org, "your organization");
    }
    return rc;
}

enum cm_err
ratelimit_check_caller(struct http_req *req)
{
    struct app *a = app_of(req);
    struct caller_tx t;
    enum cm_err err;

    if (!a || (a->rate.user == 0 && a->rate.org == 0))
        return CM_ERR_OK;
    memset(&t, 0, sizeof t);
    t.cfg = &a->rate;
    t.now = app_now(a);
    err = app_run(req, "rate_limit", caller_tx, &t.base);
    if (err == CM_ERR_RATE_LIMITED)
        ratelimit_retry_after(req);
    return err;
}
