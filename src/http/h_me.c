/*
 * h_me.c: the logged-in user's own account.
 *
 *   GET  /api/v1/me                → the user (id, email, name, org, roles,
 *                                    title, totp_enabled,
 *                                    mfa_enrollment_required, ...)
 *   POST /api/v1/me/totp           → 201 {"secret", "otpauth_uri"}: a new
 *                                    pending TOTP secret (409 when TOTP is
 *                                    already enabled)
 *   POST /api/v1/me/totp/confirm   {"code"} → 200 {"totp_enabled": true}
 *   POST /api/v1/me/password       {"current_password", "new_password"}
 *                                    → 204; every other session ends
 *
 * The TOTP secret is sealed with the personal-field encryption, bound to
 * the user's id and the field name "totp_secret", and shown only in the
 * answer to the enrolment. Once confirmed, logging in needs a code.
 *
 * The credential routes (TOTP, password) take a browser session only: a
 * program holding an API token cannot change the credentials of the person
 * who made it (403). A wrong current password counts as a failed login
 * toward the lockout, so a stolen session cannot be used to guess the
 * password; it answers 401 bad_credentials naming current_password, and
 * 423 once the account is locked.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "auth/fieldcrypt.h"
#include "auth/password.h"
#include "auth/totp.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "domain/role.h"
#include "http/app.h"
#include "http/body.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"
#include "store/store_auth.h"

/* h_users.c */
json_t *h_users_json(const struct store_user *u, const struct store_org *o);

static enum cm_err h_me_get(struct http_req *req);
static enum cm_err h_me_totp_enroll(struct http_req *req);
static enum cm_err h_me_totp_confirm(struct http_req *req);
static enum cm_err h_me_password(struct http_req *req);

static const struct route rows[] = {
    {"GET", "/api/v1/me", h_me_get, ROLE_ANY, 0, 0},
    {"POST", "/api/v1/me/totp", h_me_totp_enroll, ROLE_ANY, 0, ROUTE_FLAG_JSON},
    {"POST", "/api/v1/me/totp/confirm", h_me_totp_confirm, ROLE_ANY, 0,
     ROUTE_FLAG_JSON},
    {"POST", "/api/v1/me/password", h_me_password, ROLE_ANY, 8192,
     ROUTE_FLAG_JSON},
};

const struct route_group h_me_group = ROUTE_GROUP(rows);

/* The issuer shown in authenticator apps. */
#define TOTP_ISSUER "compel"

/* Refuse a credential change made with an API token; true when replied. */
static bool
is_token_refused(struct http_req *req)
{
    if (!req->caller.via_token)
        return false;
    (void)reply_error(req, CM_ERR_FORBIDDEN, NULL,
                      "log in with a session to change your credentials; "
                      "an API token may not");
    return true;
}

/* ---- GET /api/v1/me -------------------------------------------------------*/

struct me_tx {
    struct app_tx base;
    json_t *out;
};

static enum store_rc
me_tx(struct store *s, void *ctx)
{
    struct me_tx *t = ctx;
    struct store_user u = {0};
    struct store_org o = {0};
    enum store_rc rc;

    json_decref(t->out);
    t->out = NULL;
    rc = store_user_get(s, t->base.req->caller.user_id, &u);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc
                      : app_fail(&t->base, CM_ERR_UNAUTHENTICATED, NULL,
                                 "log in again");
    rc = store_org_get(s, u.org_id, &o);
    if (rc >= 0) {
        t->out = h_users_json(&u, rc == STORE_ONE_RESULT ? &o : NULL);
        rc = STORE_ONE_RESULT;
    }
    store_user_release(&u);
    store_org_release(&o);
    return rc;
}

static enum cm_err
h_me_get(struct http_req *req)
{
    struct me_tx t;
    enum cm_err err;
    int64_t version;

    memset(&t, 0, sizeof t);
    err = app_run_read(req, "me_get", me_tx, &t.base);
    if (err != CM_ERR_OK) {
        json_decref(t.out);
        return err;
    }
    /* cfg require_totp and no factor yet: all this account may do is
     * enroll one (app_authenticate). */
    json_object_set_new(t.out, "mfa_enrollment_required",
                        json_boolean(req->caller.needs_mfa_enrollment));
    version = json_integer_value(json_object_get(t.out, "version"));
    err = reply_json(req, 200, t.out);
    if (err == CM_ERR_OK)
        app_set_etag(req, version);
    return err;
}

/* ---- POST /api/v1/me/totp -------------------------------------------------*/

struct enroll_tx {
    struct app_tx base;
    const unsigned char *secret; /* TOTP_SECRET_BYTES */
    char *email;                 /* the account's, for the URI; owned */
};

static enum store_rc
enroll_tx(struct store *s, void *ctx)
{
    struct enroll_tx *t = ctx;
    struct http_req *req = t->base.req;
    struct store_user u = {0};
    struct buf sealed = BUF_INIT;
    struct store_blob blob;
    enum store_rc rc;

    cm_free(t->email);
    t->email = NULL;
    rc = store_user_get(s, req->caller.user_id, &u);
    if (rc != STORE_ONE_RESULT) {
        rc = rc < 0 ? rc : STORE_HARD_ERROR;
        goto out_release;
    }
    if (u.totp_enabled) {
        rc = app_fail(&t->base, CM_ERR_STATE_CONFLICT, NULL,
                      "a second factor is already enabled on this "
                      "account; ask an administrator to reset it");
        goto out_release;
    }
    if (fieldcrypt_seal(&app_of(req)->fc, u.id, "totp_secret", t->secret,
                        TOTP_SECRET_BYTES, &sealed) != CM_ERR_OK) {
        rc = STORE_HARD_ERROR;
        goto out_release;
    }
    blob.data = (unsigned char *)sealed.data;
    blob.len = sealed.len;
    rc = store_user_totp_set_pending(s, u.id, &blob, app_now(app_of(req)));
    if (rc != STORE_ONE_RESULT) {
        rc = rc < 0 ? rc : STORE_HARD_ERROR;
        goto out_release;
    }
    rc = app_audit(s, req, "user.totp_enroll", "user", u.id, "ok",
                   "pending secret issued");
    if (rc < 0)
        goto out_release;
    t->email = cm_strdup(u.email);
    rc = STORE_ONE_RESULT;
out_release:
    buf_release(&sealed);
    store_user_release(&u);
    return rc;
}

static enum cm_err
h_me_totp_enroll(struct http_req *req)
{
    unsigned char secret[TOTP_SECRET_BYTES];
    struct enroll_tx t;
    struct buf b32 = BUF_INIT;
    struct buf uri = BUF_INIT;
    enum cm_err err;
    json_t *answer;

    if (is_token_refused(req))
        return CM_ERR_FORBIDDEN;
    if (req->body.len != 0) {
        const struct jspec spec[] = {JSPEC_END};

        err = body_parse(req, spec);
        if (err != CM_ERR_OK)
            return err;
    }
    memset(&t, 0, sizeof t);
    totp_secret_new(secret);
    t.secret = secret;
    err = app_run(req, "totp_enroll", enroll_tx, &t.base);
    if (err != CM_ERR_OK)
        goto out_release;
    totp_base32_encode(secret, sizeof secret, &b32);
    totp_uri(TOTP_ISSUER, t.email, secret, sizeof secret, &uri);
    answer = json_object();
    json_object_set_new(answer, "secret", json_string(buf_str(&b32)));
    json_object_set_new(answer, "otpauth_uri", json_string(buf_str(&uri)));
    err = reply_json(req, 201, answer);
out_release:
    memset(secret, 0, sizeof secret);
    if (b32.data)
        memset(b32.data, 0, b32.len);
    if (uri.data)
        memset(uri.data, 0, uri.len);
    buf_release(&b32);
    buf_release(&uri);
    cm_free(t.email);
    return err;
}

/* ---- POST /api/v1/me/totp/confirm -----------------------------------------*/

struct confirm_tx {
    struct app_tx base;
    const char *code;
    bool is_wrong; /* committed refusal: the code did not match */
};

static enum store_rc
confirm_tx(struct store *s, void *ctx)
{
    struct confirm_tx *t = ctx;
    struct http_req *req = t->base.req;
    int64_t now = app_now(app_of(req));
    struct store_user u = {0};
    struct buf secret = BUF_INIT;
    int64_t step = 0;
    enum store_rc rc;

    t->is_wrong = false;
    rc = store_user_get(s, req->caller.user_id, &u);
    if (rc != STORE_ONE_RESULT) {
        rc = rc < 0 ? rc : STORE_HARD_ERROR;
        goto out_release;
    }
    if (u.totp_enabled) {
        rc = app_fail(&t->base, CM_ERR_STATE_CONFLICT, NULL,
                      "the second factor is already enabled");
        goto out_release;
    }
    if (!u.totp_secret.data) {
        rc = app_fail(&t->base, CM_ERR_STATE_CONFLICT, NULL,
                      "start with POST /api/v1/me/totp to get a secret");
        goto out_release;
    }
    if (fieldcrypt_open(&app_of(req)->fc, u.id, "totp_secret",
                        u.totp_secret.data, u.totp_secret.len,
                        &secret) != CM_ERR_OK) {
        rc = STORE_HARD_ERROR;
        goto out_release;
    }
    if (totp_verify((const unsigned char *)secret.data, secret.len, t->code,
                    now / 1000000, 1,
                    u.totp_last_step > 0 ? u.totp_last_step : -1,
                    &step) != CM_ERR_OK ||
        (rc = store_user_totp_use_step(s, u.id, step)) == STORE_NO_RESULTS) {
        /* Commit only the audit record of the wrong code. */
        t->is_wrong = true;
        rc = app_audit(s, req, "user.totp_confirm", "user", u.id, "failed",
                       "wrong code");
        goto out_release;
    }
    if (rc < 0)
        goto out_release;
    rc = store_user_totp_confirm(s, u.id, now);
    if (rc != STORE_ONE_RESULT) {
        rc = rc < 0 ? rc : STORE_HARD_ERROR;
        goto out_release;
    }
    rc = app_audit(s, req, "user.totp_confirm", "user", u.id, "ok", NULL);
out_release:
    if (secret.data)
        memset(secret.data, 0, secret.len);
    buf_release(&secret);
    store_user_release(&u);
    return rc;
}

static enum cm_err
h_me_totp_confirm(struct http_req *req)
{
    struct confirm_tx t;
    const struct jspec spec[] = {
        JSPEC_STR_MAX("code", &t.code, 16, JSPEC_REQUIRED), JSPEC_END};
    enum cm_err err;

    if (is_token_refused(req))
        return CM_ERR_FORBIDDEN;
    memset(&t, 0, sizeof t);
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        return err;
    err = app_run(req, "totp_confirm", confirm_tx, &t.base);
    if (err != CM_ERR_OK)
        return err;
    if (t.is_wrong)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "code",
                           "the code does not match; enter the current "
                           "6-digit code of your authenticator app");
    return reply_json(req, 200, json_pack("{s:b}", "totp_enabled", 1));
}

/* ---- POST /api/v1/me/password ---------------------------------------------*/

struct pw_read_tx {
    struct app_tx base;
    char *hash;  /* owned */
    char *email; /* owned: for the password's context rules */
    char *name;  /* owned */
};

static enum store_rc
pw_read_tx(struct store *s, void *ctx)
{
    struct pw_read_tx *t = ctx;
    struct store_user u = {0};
    enum store_rc rc;

    cm_free(t->hash);
    cm_free(t->email);
    cm_free(t->name);
    t->hash = t->email = t->name = NULL;
    rc = store_user_get(s, t->base.req->caller.user_id, &u);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    t->hash = cm_strdup(u.password_hash);
    t->email = cm_strdup(u.email);
    t->name = cm_strdup(u.name);
    store_user_release(&u);
    return STORE_NO_RESULTS;
}

struct pw_tx {
    struct app_tx base;
    const char *verified_hash;
    bool is_current_ok;
    char new_hash[PASSWORD_HASH_MAX];
    enum cm_err outcome; /* refusal to answer after the commit */
    int ended;
};

static enum store_rc
pw_tx(struct store *s, void *ctx)
{
    struct pw_tx *t = ctx;
    struct http_req *req = t->base.req;
    int64_t now = app_now(app_of(req));
    struct store_user u = {0};
    enum store_rc rc;

    t->outcome = CM_ERR_OK;
    t->ended = 0;
    rc = store_user_get(s, req->caller.user_id, &u);
    if (rc != STORE_ONE_RESULT) {
        rc = rc < 0 ? rc : STORE_HARD_ERROR;
        goto out_release;
    }
    if (u.locked_at != 0) {
        t->outcome = CM_ERR_ACCOUNT_LOCKED;
        rc = app_audit(s, req, "user.password_change", "user", u.id, "denied",
                       "account locked");
        goto out_release;
    }
    if (!t->is_current_ok || strcmp(u.password_hash, t->verified_hash) != 0) {
        int64_t count = 0;
        bool locked = false;
        char detail[80];

        rc = store_user_login_failed(s, u.id, now, APP_LOCK_WINDOW_US,
                                     APP_LOCK_MAX_FAILURES, &count, &locked);
        if (rc != STORE_ONE_RESULT) {
            rc = rc < 0 ? rc : STORE_HARD_ERROR;
            goto out_release;
        }
        t->outcome = locked ? CM_ERR_ACCOUNT_LOCKED : CM_ERR_BAD_CREDENTIALS;
        (void)snprintf(detail, sizeof detail,
                       "wrong current password; failures=%lld%s",
                       (long long)count, locked ? "; account locked" : "");
        rc = app_audit(s, req, "user.password_change", "user", u.id, "failed",
                       detail);
        goto out_release;
    }
    rc = store_user_set_password(s, u.id, t->new_hash, now);
    if (rc != STORE_ONE_RESULT) {
        rc = rc < 0 ? rc : STORE_HARD_ERROR;
        goto out_release;
    }
    t->ended = store_session_end_by_user(s, u.id, req->caller.session_id, now);
    if (t->ended < 0) {
        rc = (enum store_rc)t->ended;
        goto out_release;
    }
    {
        char detail[64];

        (void)snprintf(detail, sizeof detail, "other_sessions_ended=%d",
                       t->ended);
        rc = app_audit(s, req, "user.password_change", "user", u.id, "ok",
                       detail);
    }
out_release:
    store_user_release(&u);
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

static enum cm_err
h_me_password(struct http_req *req)
{
    struct pw_read_tx r;
    struct pw_tx t;
    const char *current = NULL;
    const char *fresh = NULL;
    const char *why = NULL;
    const struct jspec spec[] = {
        JSPEC_STR_MAX("current_password", &current, PASSWORD_MAX_LEN,
                      JSPEC_REQUIRED),
        JSPEC_STR_MAX("new_password", &fresh, PASSWORD_MAX_LEN, JSPEC_REQUIRED),
        JSPEC_END};
    enum cm_err err;

    if (is_token_refused(req))
        return CM_ERR_FORBIDDEN;
    memset(&r, 0, sizeof r);
    memset(&t, 0, sizeof t);
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        return err;
    if (password_check_strength(fresh, &why) != CM_ERR_OK)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "new_password", why);
    err = app_run(req, "password_read", pw_read_tx, &r.base);
    if (err != CM_ERR_OK)
        goto out_release;
    if (password_check_for(fresh, r.email, r.name, &why) != CM_ERR_OK) {
        err = reply_error(req, CM_ERR_VALIDATION_FAILED, "new_password", why);
        goto out_release;
    }
    /* The slow Argon2id work happens outside any transaction. */
    t.verified_hash = r.hash;
    t.is_current_ok = password_verify(current, r.hash);
    if (t.is_current_ok && password_hash(fresh, t.new_hash) != CM_ERR_OK) {
        err = reply_error(req, CM_ERR_INTERNAL, NULL, NULL);
        goto out_release;
    }
    err = app_run(req, "password_change", pw_tx, &t.base);
    if (err != CM_ERR_OK)
        goto out_release;
    if (t.outcome == CM_ERR_ACCOUNT_LOCKED)
        err = reply_error(req, t.outcome, NULL,
                          "too many failed attempts: the account is "
                          "locked; ask an administrator to unlock it");
    else if (t.outcome != CM_ERR_OK)
        err = reply_error(req, t.outcome, "current_password",
                          "the current password is wrong");
    else
        err = reply_no_content(req, 204);
out_release:
    memset(t.new_hash, 0, sizeof t.new_hash);
    cm_free(r.hash);
    cm_free(r.email);
    cm_free(r.name);
    return err;
}
