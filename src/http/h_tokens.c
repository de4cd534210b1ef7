/*
 * h_tokens.c: API tokens, the credentials of programs acting for a user.
 *
 *   POST   /api/v1/tokens       {"name", "expires_at"?} → 201 {"id", "name",
 *                               "token", "expires_at", "created_at", ...}
 *   GET    /api/v1/tokens       the caller's tokens, revoked ones included,
 *                               never the token itself
 *   DELETE /api/v1/tokens/{id}  → 204: revoke one of the caller's tokens
 *
 * The token is shown once, in the 201 answer; the store keeps its hash.
 * A program sends it as `Authorization: Bearer <token>` (no CSRF token is
 * needed: a browser never adds that header by itself) and acts with the
 * roles of the user who made it, as they are now: disabling the user stops
 * the token. A token cannot make tokens (403): a leaked token must not be
 * able to outlive its own revocation. Idempotency-Key is not supported on
 * this route: the answer holds the secret, which must not sit in the
 * idempotency table. Another user's token id
 * answers 404 like an unknown one, and the attempt is audited.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "auth/token.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "domain/date.h"
#include "domain/role.h"
#include "http/app.h"
#include "http/body.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"
#include "store/store_auth.h"

/* h_users.c */
bool h_users_is_id(const char *s);

static enum cm_err h_tokens_create(struct http_req *req);
static enum cm_err h_tokens_list(struct http_req *req);
static enum cm_err h_tokens_delete(struct http_req *req);

static const struct route rows[] = {
    {"POST", "/api/v1/tokens", h_tokens_create, ROLE_ANY, 0,
     ROUTE_FLAG_JSON | ROUTE_FLAG_STEP_UP},
    {"GET", "/api/v1/tokens", h_tokens_list, ROLE_ANY, 0, 0},
    {"DELETE", "/api/v1/tokens/{id}", h_tokens_delete, ROLE_ANY, 0, 0},
};

const struct route_group h_tokens_group = ROUTE_GROUP(rows);

/* Longest token name, in characters. */
#define TOKEN_NAME_MAX 100

/* A token as listed: everything but the secret and its hash. */
static json_t *
token_json(const struct store_api_token *t)
{
    json_t *j = json_object();

    json_object_set_new(j, "id", json_string(t->id));
    json_object_set_new(j, "version", json_integer(t->version));
    json_object_set_new(j, "created_at", app_json_time(t->created_at));
    json_object_set_new(j, "updated_at", app_json_time(t->updated_at));
    json_object_set_new(j, "name", app_json_str(t->name));
    json_object_set_new(j, "expires_at", app_json_time(t->expires_at));
    json_object_set_new(j, "revoked_at", app_json_time(t->revoked_at));
    json_object_set_new(j, "last_used_at", app_json_time(t->last_used_at));
    return j;
}

/* ---- POST /api/v1/tokens --------------------------------------------------*/

struct create_tx {
    struct app_tx base;
    struct store_api_token tok;
};

static enum store_rc
create_tx(struct store *s, void *ctx)
{
    struct create_tx *t = ctx;
    enum store_rc rc = store_api_token_insert(s, &t->tok);

    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    return app_audit(s, t->base.req, "token.create", "api_token", t->tok.id,
                     "ok", NULL);
}

static enum cm_err
h_tokens_create(struct http_req *req)
{
    struct create_tx t;
    const char *name = NULL;
    const char *expires = NULL;
    const struct jspec spec[] = {
        JSPEC_STR_MAX("name", &name, TOKEN_NAME_MAX, JSPEC_REQUIRED),
        JSPEC_STR_MAX("expires_at", &expires, 64, JSPEC_OPTIONAL),
        JSPEC_FORBID("id"),
        JSPEC_FORBID("token"),
        JSPEC_FORBID("version"),
        JSPEC_FORBID("created_at"),
        JSPEC_FORBID("updated_at"),
        JSPEC_FORBID("revoked_at"),
        JSPEC_END};
    char token[TOKEN_LEN + 1];
    int64_t now = app_now(app_of(req));
    enum cm_err err;
    json_t *answer;

    if (req->caller.via_token)
        return reply_error(req, CM_ERR_FORBIDDEN, NULL,
                           "an API token cannot make tokens; log in with "
                           "a session");
    memset(&t, 0, sizeof t);
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        return err;
    if (!*name)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "name",
                           "name the token after the program using it");
    if (expires) {
        int64_t utc = 0;
        int32_t offset = 0;

        if (date_time_parse_rfc3339(expires, &utc, &offset) != CM_ERR_OK)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "expires_at",
                               "give an RFC 3339 instant such as "
                               "2030-01-13T15:00:00Z");
        if (utc * 1000000 <= now)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "expires_at",
                               "must be in the future");
        t.tok.expires_at = utc * 1000000;
    }
    cm_id_new(t.tok.id);
    t.tok.version = 1;
    t.tok.created_at = t.tok.updated_at = now;
    (void)snprintf(t.tok.user_id, sizeof t.tok.user_id, "%s",
                   req->caller.user_id);
    t.tok.name = (char *)name;
    token_new(token, t.tok.token_hash);
    err = app_run(req, "token_create", create_tx, &t.base);
    if (err == CM_ERR_OK) {
        answer = token_json(&t.tok);
        json_object_set_new(answer, "token", json_string(token));
        err = reply_json(req, 201, answer);
    }
    memset(token, 0, sizeof token);
    return err;
}

/* ---- GET /api/v1/tokens ---------------------------------------------------*/

struct list_tx {
    struct app_tx base;
    json_t *items;
};

static void
list_cb(void *cls, const struct store_api_token *tok)
{
    struct list_tx *t = cls;

    json_array_append_new(t->items, token_json(tok));
}

static enum store_rc
list_tx(struct store *s, void *ctx)
{
    struct list_tx *t = ctx;
    int n;

    json_decref(t->items);
    t->items = json_array();
    n = store_api_token_list_by_user(s, t->base.req->caller.user_id, list_cb,
                                     t);
    return n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
}

static enum cm_err
h_tokens_list(struct http_req *req)
{
    struct list_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    err = app_run_read(req, "token_list", list_tx, &t.base);
    if (err != CM_ERR_OK) {
        json_decref(t.items);
        return err;
    }
    /* A user has few tokens: one page holds them all. */
    return reply_json(req, 200,
                      json_pack("{s:o,s:n}", "items", t.items, "next_cursor"));
}

/* ---- DELETE /api/v1/tokens/{id} -------------------------------------------*/

struct revoke_tx {
    struct app_tx base;
    const char *id;
    bool is_missing; /* unknown, another user's, or already revoked */
};

static enum store_rc
revoke_tx(struct store *s, void *ctx)
{
    struct revoke_tx *t = ctx;
    struct http_req *req = t->base.req;
    enum store_rc rc;

    t->is_missing = false;
    rc = store_api_token_revoke(s, t->id, req->caller.user_id,
                                app_now(app_of(req)));
    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS) {
        t->is_missing = true;
        return STORE_NO_RESULTS;
    }
    return app_audit(s, req, "token.revoke", "api_token", t->id, "ok", NULL);
}

static enum cm_err
h_tokens_delete(struct http_req *req)
{
    struct revoke_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.id = http_req_param(req, "id");
    if (h_users_is_id(t.id)) {
        err = app_run(req, "token_revoke", revoke_tx, &t.base);
        if (err != CM_ERR_OK)
            return err;
    } else {
        t.is_missing = true;
    }
    if (t.is_missing) {
        app_audit_alone(req, NULL, "token.revoke", "api_token",
                        h_users_is_id(t.id) ? t.id : NULL, "not_found", NULL);
        return reply_error(req, CM_ERR_NOT_FOUND, NULL,
                           "you have no token with this id");
    }
    return reply_no_content(req, 204);
}
