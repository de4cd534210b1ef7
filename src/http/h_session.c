/*
 * h_session.c: logging in and out (browser sessions).
 *
 *   POST   /api/v1/session  {"email", "password", "totp"?}  (public)
 *          → 201 {"user": {...}, "csrf_token": "..."} and the cookie
 *   DELETE /api/v1/session  → 204, the session ends, the cookie is cleared
 *   POST   /api/v1/session/step-up  {"password", "totp"?}
 *          → 200 {"authenticated_at", "step_up_until"}: the person of this
 *          session proved who they are again (app_require_step_up)
 *
 * A login is two short transactions around the slow Argon2id check: read
 * the account by email and count the attempt against the account's rate
 * limit (ratelimit.h: over it, 429 before any password is checked),
 * verify the password outside any transaction (a BEGIN IMMEDIATE held for
 * half a second would stall every writer), then decide and record in one
 * transaction: the failure count and lockout, the TOTP replay guard, the
 * new session, and exactly one audit record.
 * That transaction commits for refusals too (the failure must count); the
 * answer is chosen after the commit.
 *
 * Refusals: an unknown email, a disabled account and a wrong password all
 * answer the same 401 bad_credentials, and an unknown email is checked
 * against a dummy Argon2id hash so it takes as long as a known one. A
 * locked account answers 423 account_locked whatever the password, until
 * an administrator unlocks it; the failure that locks it answers 423
 * already. A right password without the second factor the account has
 * enrolled answers 401 mfa_required (not a failure); a wrong or replayed
 * TOTP code is a failure like a wrong password. Only the session's and
 * the CSRF token's hashes are stored.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "auth/fieldcrypt.h"
#include "auth/password.h"
#include "auth/token.h"
#include "auth/totp.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "domain/role.h"
#include "http/app.h"
#include "http/body.h"
#include "http/ratelimit.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"
#include "store/store_auth.h"

/* h_users.c */
json_t *h_users_json(const struct store_user *u, const struct store_org *o);

static enum cm_err h_session_create(struct http_req *req);
static enum cm_err h_session_delete(struct http_req *req);
static enum cm_err h_session_step_up(struct http_req *req);

static const struct route rows[] = {
    {"POST", "/api/v1/session", h_session_create, 0, 4096, ROUTE_FLAG_JSON},
    {"DELETE", "/api/v1/session", h_session_delete, ROLE_ANY, 0, 0},
    {"POST", "/api/v1/session/step-up", h_session_step_up, ROLE_ANY, 4096,
     ROUTE_FLAG_JSON},
};

const struct route_group h_session_group = ROUTE_GROUP(rows);

/* ---- the dummy hash -------------------------------------------------------*/

static char dummy_hash[PASSWORD_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

/* Hash a random password once, so an unknown email costs one Argon2id
 * verification like a known one. */
static void
dummy_build(void)
{
    char pw[33];

    password_generate(pw, 32);
    if (password_hash(pw, dummy_hash) != CM_ERR_OK)
        dummy_hash[0] = '\0';
    memset(pw, 0, sizeof pw);
}

/* ---- POST /api/v1/session -------------------------------------------------*/

/* The account as read before the password check. */
struct lookup_tx {
    struct app_tx base;
    const char *email;
    bool found;
    bool refused; /* over the login rate limit (ratelimit.h) */
    struct store_user u;
};

static enum store_rc
lookup_tx(struct store *s, void *ctx)
{
    struct lookup_tx *t = ctx;
    enum store_rc rc;

    store_user_release(&t->u);
    t->found = false;
    rc = store_user_get_by_email(s, t->email, &t->u);
    if (rc == STORE_ONE_RESULT)
        t->found = true;
    if (rc >= 0)
        rc = ratelimit_login_hit(s, &t->base, t->email,
                                 t->found ? t->u.id : NULL, &t->refused);
    return rc < 0 ? rc : STORE_NO_RESULTS;
}

struct login_tx {
    struct app_tx base;
    const char *user_id;       /* the account, or NULL for an unknown email */
    const char *verified_hash; /* the hash the password was checked against */
    bool is_password_ok;
    const char *totp; /* the code given, or NULL */
    char session_id[STORE_ID_SIZE];
    char token[TOKEN_LEN + 1];
    unsigned char token_hash[TOKEN_HASH_SIZE];
    char csrf[TOKEN_LEN + 1];
    unsigned char csrf_hash[TOKEN_HASH_SIZE];
    enum cm_err outcome; /* what to answer after the commit */
    json_t *user;        /* the user, on success */
};

/* Make the account the actor of the audit record (the caller is nobody
 * yet on this public route). */
static void
caller_set(struct http_req *req, const struct store_user *u)
{
    memset(&req->caller, 0, sizeof req->caller);
    req->roles = 0;
    if (!u)
        return;
    (void)snprintf(req->caller.user_id, sizeof req->caller.user_id, "%s",
                   u->id);
    (void)snprintf(req->caller.org_id, sizeof req->caller.org_id, "%s",
                   u->org_id);
}

/* Record a failed attempt of `u` (counted toward the lockout) and its
 * audit record (`action`: session.login or session.step_up); sets the
 * outcome. `why` names what was wrong. */
static enum store_rc
login_failed(struct login_tx *t,
             struct store *s,
             const struct store_user *u,
             const char *action,
             const char *why)
{
    struct http_req *req = t->base.req;
    int64_t count = 0;
    bool locked = false;
    char detail[96];
    enum store_rc rc;

    rc = store_user_login_failed(s, u->id, app_now(app_of(req)),
                                 APP_LOCK_WINDOW_US, APP_LOCK_MAX_FAILURES,
                                 &count, &locked);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    (void)snprintf(detail, sizeof detail, "%s; failures=%lld%s", why,
                   (long long)count, locked ? "; account locked" : "");
    t->outcome = locked ? CM_ERR_ACCOUNT_LOCKED : CM_ERR_BAD_CREDENTIALS;
    return app_audit(s, req, action, "user", u->id, "failed", detail);
}

/* Check the TOTP code of `u`: STORE_ONE_RESULT and *ok when it is right
 * and not used before (the step is then recorded). */
static enum store_rc
totp_check(struct login_tx *t,
           struct store *s,
           const struct store_user *u,
           bool *ok)
{
    struct http_req *req = t->base.req;
    struct buf secret = BUF_INIT;
    int64_t step = 0;
    enum store_rc rc = STORE_ONE_RESULT;

    *ok = false;
    if (!u->totp_secret.data ||
        fieldcrypt_open(&app_of(req)->fc, u->id, "totp_secret",
                        u->totp_secret.data, u->totp_secret.len,
                        &secret) != CM_ERR_OK) {
        rc = STORE_HARD_ERROR;
        goto out_release;
    }
    if (totp_verify((const unsigned char *)secret.data, secret.len, t->totp,
                    app_now(app_of(req)) / 1000000, 1,
                    u->totp_last_step > 0 ? u->totp_last_step : -1,
                    &step) != CM_ERR_OK)
        goto out_release;
    /* The atomic guard: of two logins with one code, only one wins. */
    rc = store_user_totp_use_step(s, u->id, step);
    if (rc < 0)
        goto out_release;
    *ok = rc == STORE_ONE_RESULT;
    rc = STORE_ONE_RESULT;
out_release:
    if (secret.data)
        memset(secret.data, 0, secret.len);
    buf_release(&secret);
    return rc;
}

/* The checks a login and a step-up share, on the account `u`, recorded
 * under `action` (session.login or session.step_up): a locked account
 * (423), a wrong password or TOTP code (a failure counted toward the
 * lockout), a missing code (401 mfa_required). Each refusal sets the
 * outcome and writes its audit record; *passed when all hold (nothing is
 * written then: the caller succeeds). */
static enum store_rc
credentials_check(struct login_tx *t,
                  struct store *s,
                  const struct store_user *u,
                  const char *action,
                  bool *passed)
{
    struct http_req *req = t->base.req;
    bool ok = false;
    enum store_rc rc;

    *passed = false;
    if (u->locked_at != 0) {
        t->outcome = CM_ERR_ACCOUNT_LOCKED;
        return app_audit(s, req, action, "user", u->id, "denied",
                         "account locked");
    }
    if (!t->is_password_ok || strcmp(u->password_hash, t->verified_hash) != 0)
        return login_failed(t, s, u, action, "wrong password");
    if (u->totp_enabled && !t->totp) {
        t->outcome = CM_ERR_MFA_REQUIRED;
        return app_audit(s, req, action, "user", u->id, "denied",
                         "second factor required");
    }
    if (u->totp_enabled) {
        rc = totp_check(t, s, u, &ok);
        if (rc < 0)
            return rc;
        if (!ok)
            return login_failed(t, s, u, action, "wrong or replayed totp code");
    }
    *passed = true;
    return STORE_ONE_RESULT;
}

/* The successful end of a login: forget the failures, open the session,
 * audit, and build the user for the answer. */
static enum store_rc
login_succeed(struct login_tx *t, struct store *s, const struct store_user *u)
{
    struct http_req *req = t->base.req;
    int64_t now = app_now(app_of(req));
    struct store_session se = {0};
    struct store_org o = {0};
    enum org_kind kind = ORG_KIND_AGENCY_OFFICE;
    enum store_rc rc;

    rc = store_user_failures_clear(s, u->id);
    if (rc < 0)
        return rc;
    rc = store_org_get(s, u->org_id, &o);
    if (rc != STORE_ONE_RESULT || !org_kind_parse(o.kind, &kind)) {
        rc = rc < 0 ? rc : STORE_HARD_ERROR;
        goto out_release;
    }
    memcpy(se.id, t->session_id, sizeof se.id);
    memcpy(se.token_hash, t->token_hash, sizeof se.token_hash);
    memcpy(se.csrf_hash, t->csrf_hash, sizeof se.csrf_hash);
    memcpy(se.user_id, u->id, sizeof se.user_id);
    se.created_at = se.last_seen_at = se.authenticated_at = now;
    se.expires_at = now + APP_SESSION_MAX_US;
    se.client_addr = req->client_addr[0] ? req->client_addr : NULL;
    rc = store_session_insert(s, &se);
    if (rc != STORE_ONE_RESULT) {
        rc = rc < 0 ? rc : STORE_HARD_ERROR;
        goto out_release;
    }
    req->roles = u->roles & org_kind_roles(kind);
    req->caller.org_kind = (int)kind;
    token_hash_hex(t->token_hash, req->caller.session_hash);
    (void)snprintf(req->caller.session_id, sizeof req->caller.session_id, "%s",
                   t->session_id);
    rc = app_audit(s, req, "session.login", "user", u->id, "ok",
                   u->totp_enabled ? "password+totp" : "password");
    if (rc < 0)
        goto out_release;
    t->user = h_users_json(u, &o);
    t->outcome = CM_ERR_OK;
    rc = STORE_ONE_RESULT;
out_release:
    store_org_release(&o);
    return rc;
}

static enum store_rc
login_tx(struct store *s, void *ctx)
{
    struct login_tx *t = ctx;
    struct http_req *req = t->base.req;
    struct store_user u = {0};
    enum store_rc rc = STORE_NO_RESULTS;
    bool ok = false;

    json_decref(t->user);
    t->user = NULL;
    t->outcome = CM_ERR_BAD_CREDENTIALS;
    caller_set(req, NULL);
    if (t->user_id)
        rc = store_user_get(s, t->user_id, &u);
    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS) {
        /* No personal value (the email) in the audit trail. */
        rc = app_audit(s, req, "session.login", "user", NULL, "failed",
                       "unknown account");
        goto out_release;
    }
    caller_set(req, &u);
    if (u.disabled) {
        rc = app_audit(s, req, "session.login", "user", u.id, "denied",
                       "account disabled");
    } else {
        rc = credentials_check(t, s, &u, "session.login", &ok);
        if (rc >= 0 && ok)
            rc = login_succeed(t, s, &u);
    }
out_release:
    store_user_release(&u);
    /* Commit refusals too: their failure count and audit record stand. */
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

/* The Set-Cookie value of `token` ("" and Max-Age=0 to clear it). */
static void
cookie_text(const struct http_req *req, const char *token, struct buf *out)
{
    buf_addf(out, "%s=%s; HttpOnly; SameSite=Strict; Path=/",
             app_session_cookie(app_of(req)), token);
    if (!*token)
        buf_adds(out, "; Max-Age=0");
    if (app_of(req)->cookie_secure)
        buf_adds(out, "; Secure");
}

static enum cm_err
h_session_create(struct http_req *req)
{
    struct lookup_tx look;
    struct login_tx t;
    const char *password = NULL;
    const struct jspec spec[] = {
        JSPEC_STR_MAX("email", &look.email, 254, JSPEC_REQUIRED),
        JSPEC_STR_MAX("password", &password, PASSWORD_MAX_LEN, JSPEC_REQUIRED),
        JSPEC_STR_MAX("totp", &t.totp, 16, JSPEC_OPTIONAL), JSPEC_END};
    struct buf cookie = BUF_INIT;
    enum cm_err err;
    json_t *answer;

    memset(&look, 0, sizeof look);
    memset(&t, 0, sizeof t);
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        return err;
    (void)pthread_once(&dummy_once, dummy_build);
    err = app_run(req, "login_lookup", lookup_tx, &look.base);
    if (err == CM_ERR_RATE_LIMITED)
        ratelimit_retry_after(req);
    if (err == CM_ERR_OK && look.refused)
        err = ratelimit_refuse(req, "too many login attempts for this "
                                    "account; wait for the next minute");
    if (err != CM_ERR_OK)
        goto out_release;
    if (look.found) {
        t.user_id = look.u.id;
        t.verified_hash = look.u.password_hash;
    } else {
        t.verified_hash = dummy_hash;
    }
    /* Always one Argon2id verification, known account or not. */
    t.is_password_ok = password_verify(password, t.verified_hash) && look.found;
    cm_id_new(t.session_id);
    token_new(t.token, t.token_hash);
    token_new(t.csrf, t.csrf_hash);
    err = app_run(req, "login", login_tx, &t.base);
    if (err != CM_ERR_OK)
        goto out_release;
    if (t.outcome != CM_ERR_OK) {
        err = t.outcome;
        memset(&req->caller, 0, sizeof req->caller);
        req->roles = 0;
        switch (t.outcome) {
        case CM_ERR_ACCOUNT_LOCKED:
            (void)reply_error(req, err, NULL,
                              "too many failed logins: the account is "
                              "locked; ask an administrator to unlock it");
            break;
        case CM_ERR_MFA_REQUIRED:
            (void)reply_error(req, err, "totp",
                              "send the 6-digit code of your "
                              "authenticator app as totp");
            break;
        default:
            (void)reply_error(req, CM_ERR_BAD_CREDENTIALS, NULL,
                              "the email, password or code is wrong");
            break;
        }
        goto out_release;
    }
    answer = json_object();
    json_object_set_new(answer, "user", t.user);
    json_object_set_new(answer, "csrf_token", json_string(t.csrf));
    /* cfg require_totp and no factor yet: the session may only enroll one
     * (app_authenticate). */
    json_object_set_new(
        answer, "mfa_enrollment_required",
        json_boolean(app_of(req)->require_totp &&
                     !json_is_true(json_object_get(t.user, "totp_enabled"))));
    t.user = NULL;
    cookie_text(req, t.token, &cookie);
    err = reply_json(req, 201, answer);
    if (err == CM_ERR_OK)
        (void)reply_add_header(req, "Set-Cookie", buf_str(&cookie));
out_release:
    json_decref(t.user);
    memset(t.token, 0, sizeof t.token);
    memset(t.csrf, 0, sizeof t.csrf);
    if (cookie.data)
        memset(cookie.data, 0, cookie.len);
    buf_release(&cookie);
    store_user_release(&look.u);
    return err;
}

/* ---- DELETE /api/v1/session -----------------------------------------------*/

struct logout_tx {
    struct app_tx base;
};

static enum store_rc
logout_tx(struct store *s, void *ctx)
{
    struct logout_tx *t = ctx;
    struct http_req *req = t->base.req;
    enum store_rc rc;

    rc = store_session_end(s, req->caller.session_id, app_now(app_of(req)));
    if (rc < 0)
        return rc;
    return app_audit(s, req, "session.logout", "session",
                     req->caller.session_id, "ok", NULL);
}

static enum cm_err
h_session_delete(struct http_req *req)
{
    struct logout_tx t;
    struct buf cookie = BUF_INIT;
    enum cm_err err;

    if (req->caller.via_token)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, NULL,
                           "this request carries an API token, not a "
                           "session: revoke the token with DELETE "
                           "/api/v1/tokens/{id}");
    memset(&t, 0, sizeof t);
    err = app_run(req, "logout", logout_tx, &t.base);
    if (err != CM_ERR_OK)
        return err;
    cookie_text(req, "", &cookie);
    (void)reply_no_content(req, 204);
    (void)reply_add_header(req, "Set-Cookie", buf_str(&cookie));
    buf_release(&cookie);
    return CM_ERR_OK;
}

/* ---- POST /api/v1/session/step-up -----------------------------------------*/

/* The caller's account as read before the password check, counted against
 * the login rate limit like a login naming its email. */
static enum store_rc
step_lookup_tx(struct store *s, void *ctx)
{
    struct lookup_tx *t = ctx;
    enum store_rc rc;

    store_user_release(&t->u);
    t->found = false;
    rc = store_user_get(s, t->base.req->caller.user_id, &t->u);
    if (rc == STORE_ONE_RESULT) {
        t->found = true;
        rc = ratelimit_login_hit(s, &t->base, t->u.email, t->u.id, &t->refused);
    }
    return rc < 0 ? rc : STORE_NO_RESULTS;
}

/* The successful end of a step-up: forget the failures, move the
 * session's authenticated_at to now, audit. */
static enum store_rc
step_up_succeed(struct login_tx *t, struct store *s, const struct store_user *u)
{
    struct http_req *req = t->base.req;
    enum store_rc rc = store_user_failures_clear(s, u->id);

    if (rc >= 0)
        rc = store_session_step_up(s, req->caller.session_id,
                                   app_now(app_of(req)));
    if (rc == STORE_NO_RESULTS)
        rc = STORE_HARD_ERROR; /* ended since app_authenticate read it */
    if (rc >= 0)
        rc = app_audit(s, req, "session.step_up", "session",
                       req->caller.session_id, "ok",
                       u->totp_enabled ? "password+totp" : "password");
    if (rc >= 0)
        t->outcome = CM_ERR_OK;
    return rc;
}

/* Decide and record, as login_tx does for a login: a wrong password or
 * code counts toward the lockout; a right one sets the session's
 * authenticated_at. One audit record either way. */
static enum store_rc
step_up_tx(struct store *s, void *ctx)
{
    struct login_tx *t = ctx;
    struct http_req *req = t->base.req;
    struct store_user u = {0};
    enum store_rc rc;
    bool ok = false;

    t->outcome = CM_ERR_BAD_CREDENTIALS;
    rc = store_user_get(s, req->caller.user_id, &u);
    if (rc != STORE_ONE_RESULT) {
        store_user_release(&u);
        return rc < 0 ? rc : STORE_HARD_ERROR;
    }
    rc = credentials_check(t, s, &u, "session.step_up", &ok);
    if (rc >= 0 && ok)
        rc = step_up_succeed(t, s, &u);
    /* Locked by this failure: someone may be guessing on a session that is
     * not theirs, so every session of the account ends with it. */
    if (rc >= 0 && u.locked_at == 0 && t->outcome == CM_ERR_ACCOUNT_LOCKED)
        rc = store_session_end_by_user(s, u.id, NULL, app_now(app_of(req)));
    store_user_release(&u);
    /* Commit refusals too: their failure count and audit record stand. */
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

static enum cm_err
h_session_step_up(struct http_req *req)
{
    struct lookup_tx look;
    struct login_tx t;
    const char *password = NULL;
    const struct jspec spec[] = {
        JSPEC_STR_MAX("password", &password, PASSWORD_MAX_LEN, JSPEC_REQUIRED),
        JSPEC_STR_MAX("totp", &t.totp, 16, JSPEC_OPTIONAL), JSPEC_END};
    enum cm_err err;
    int64_t now;
    json_t *answer;

    if (req->caller.via_token)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, NULL,
                           "this request carries an API token, not a "
                           "session: only a session steps up");
    memset(&look, 0, sizeof look);
    memset(&t, 0, sizeof t);
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        return err;
    err = app_run(req, "step_up_lookup", step_lookup_tx, &look.base);
    if (err == CM_ERR_RATE_LIMITED)
        ratelimit_retry_after(req);
    if (err == CM_ERR_OK && look.refused)
        err = ratelimit_refuse(req, "too many password checks for this "
                                    "account; wait for the next minute");
    if (err == CM_ERR_OK && !look.found)
        err = CM_ERR_UNAUTHENTICATED;
    if (err != CM_ERR_OK)
        goto out_release;
    t.user_id = look.u.id;
    t.verified_hash = look.u.password_hash;
    t.is_password_ok = password_verify(password, t.verified_hash);
    err = app_run(req, "step_up", step_up_tx, &t.base);
    if (err != CM_ERR_OK)
        goto out_release;
    switch (t.outcome) {
    case CM_ERR_OK:
        now = app_now(app_of(req));
        answer = json_object();
        json_object_set_new(answer, "authenticated_at", app_json_time(now));
        json_object_set_new(answer, "step_up_until",
                            app_json_time(now + app_of(req)->step_up_us));
        err = reply_json(req, 200, answer);
        break;
    case CM_ERR_ACCOUNT_LOCKED:
        err = reply_error(req, CM_ERR_ACCOUNT_LOCKED, NULL,
                          "too many failed password checks: the account "
                          "is locked; ask an administrator to unlock it");
        break;
    case CM_ERR_MFA_REQUIRED:
        err = reply_error(req, CM_ERR_MFA_REQUIRED, "totp",
                          "send the 6-digit code of your authenticator app "
                          "as totp");
        break;
    default:
        err = reply_error(req, CM_ERR_BAD_CREDENTIALS, "password",
                          "the password or code is wrong");
        break;
    }
out_release:
    store_user_release(&look.u);
    return err;
}
