/*
 * h_users.c: user administration over HTTP (role admin only), and the one
 * JSON representation of a user that /session and /me answer too.
 *
 *   POST  /api/v1/users               create (201; Idempotency-Key)
 *   GET   /api/v1/users[?org_id=]     list, paged in id order
 *   GET   /api/v1/users/{id}          one user (ETag)
 *   PATCH /api/v1/users/{id}          name, title, roles, disabled
 *                                     (If-Match required)
 *   POST  /api/v1/users/{id}/unlock   clear a login lockout
 *
 * Roles must be allowed for the kind of the user's organization
 * (org_kind_allows). Disabling a user ends every session of theirs; their
 * API tokens stop working too, because the authenticate hook refuses a
 * disabled user. An administrator may neither disable their own account
 * nor take the admin role from it, so an installation cannot lose its
 * last way in by accident. A user representation never carries the
 * password hash, the TOTP secret or the failure counters: only `locked`.
 * Every write is audited in its own transaction's audit record.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "auth/password.h"
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

/* Shared with h_session.c and h_me.c, which declare it the same way. */
json_t *h_users_json(const struct store_user *u, const struct store_org *o);
bool h_users_is_id(const char *s);

static enum cm_err h_users_create(struct http_req *req);
static enum cm_err h_users_list(struct http_req *req);
static enum cm_err h_users_get(struct http_req *req);
static enum cm_err h_users_patch(struct http_req *req);
static enum cm_err h_users_unlock(struct http_req *req);
static enum cm_err h_users_totp_reset(struct http_req *req);

#define ADMIN ROLE_BIT(ROLE_ADMIN)

static const struct route rows[] = {
    {"POST", "/api/v1/users", h_users_create, ADMIN, 0,
     ROUTE_FLAG_JSON | ROUTE_FLAG_STEP_UP},
    {"GET", "/api/v1/users", h_users_list, ADMIN, 0, 0},
    {"GET", "/api/v1/users/{id}", h_users_get, ADMIN, 0, 0},
    {"PATCH", "/api/v1/users/{id}", h_users_patch, ADMIN, 0,
     ROUTE_FLAG_JSON | ROUTE_FLAG_STEP_UP},
    {"POST", "/api/v1/users/{id}/unlock", h_users_unlock, ADMIN, 0,
     ROUTE_FLAG_JSON | ROUTE_FLAG_STEP_UP},
    {"POST", "/api/v1/users/{id}/totp/reset", h_users_totp_reset, ADMIN, 0,
     ROUTE_FLAG_JSON | ROUTE_FLAG_STEP_UP},
};

const struct route_group h_users_group = ROUTE_GROUP(rows);

/* Longest name, title and email accepted, in characters. */
#define NAME_MAX_CHARS 200

/* ---- representation -------------------------------------------------------*/

/* Whether `s` has the shape of an id: CM_ID_LEN base64url characters. */
bool
h_users_is_id(const char *s)
{
    size_t n = 0;

    if (!s)
        return false;
    for (; s[n]; n++) {
        char c = s[n];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return n == CM_ID_LEN;
}

/* The names of the roles in `roles`, as a JSON array. */
static json_t *
roles_json(role_set roles)
{
    json_t *a = json_array();

    for (unsigned r = 0; r < (unsigned)ROLE__COUNT; r++) {
        const char *name = role_name((enum role)r);

        if ((roles & ROLE_BIT(r)) && name)
            json_array_append_new(a, json_string(name));
    }
    return a;
}

/* The names of the roles in `roles` as "officer,signer" into `out`. */
static void
roles_text(role_set roles, struct buf *out)
{
    for (unsigned r = 0; r < (unsigned)ROLE__COUNT; r++) {
        const char *name = role_name((enum role)r);

        if (!(roles & ROLE_BIT(r)) || !name)
            continue;
        if (out->len)
            buf_addch(out, ',');
        buf_adds(out, name);
    }
}

/* The organization part of a user: {id, kind, name}; only the id when
 * `o` is NULL. */
static json_t *
org_json(const char *org_id, const struct store_org *o)
{
    json_t *j = json_pack("{s:s}", "id", org_id);

    if (o) {
        json_object_set_new(j, "kind", app_json_str(o->kind));
        json_object_set_new(j, "name", app_json_str(o->name));
    }
    return j;
}

/*
 * The API's representation of user `u` of organization `o` (may be NULL:
 * the org then carries its id only). Never the password hash, the TOTP
 * secret, its step or the failure counters. A new reference.
 */
json_t *
h_users_json(const struct store_user *u, const struct store_org *o)
{
    json_t *j = json_object();

    json_object_set_new(j, "id", json_string(u->id));
    json_object_set_new(j, "version", json_integer(u->version));
    json_object_set_new(j, "created_at", app_json_time(u->created_at));
    json_object_set_new(j, "updated_at", app_json_time(u->updated_at));
    json_object_set_new(j, "email", app_json_str(u->email));
    json_object_set_new(j, "name", app_json_str(u->name));
    json_object_set_new(j, "org", org_json(u->org_id, o));
    json_object_set_new(j, "roles", roles_json(u->roles));
    json_object_set_new(j, "title", app_json_str(u->title));
    json_object_set_new(j, "disabled", json_boolean(u->disabled));
    json_object_set_new(j, "locked", json_boolean(u->locked_at != 0));
    json_object_set_new(j, "totp_enabled", json_boolean(u->totp_enabled));
    return j;
}

/* Read user `id` and its organization, and build its representation
 * into *out (a new reference). */
static enum store_rc
user_load_json(struct store *s, const char *id, json_t **out)
{
    struct store_user u = {0};
    struct store_org o = {0};
    enum store_rc rc = store_user_get(s, id, &u);
    enum store_rc orc;

    if (rc != STORE_ONE_RESULT)
        return rc;
    orc = store_org_get(s, u.org_id, &o);
    if (orc < 0) {
        store_user_release(&u);
        return orc;
    }
    *out = h_users_json(&u, orc == STORE_ONE_RESULT ? &o : NULL);
    store_user_release(&u);
    store_org_release(&o);
    return STORE_ONE_RESULT;
}

/* ---- input checks
 * -----------------------------------------------------------*/

/* Parse the JSON array of role names `v` into *out; on a bad value replies
 * 400 naming "roles" or "roles[i]" and returns the error. */
static enum cm_err
roles_parse(struct http_req *req, const json_t *v, role_set *out)
{
    role_set set = 0;
    size_t i;
    json_t *item;

    if (!json_is_array(v) || json_array_size(v) == 0)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "roles",
                           "give a non-empty array of role names");
    json_array_foreach (v, i, item) {
        enum role r;
        char field[32];

        if (!json_is_string(item) || !role_parse(json_string_value(item), &r)) {
            (void)snprintf(field, sizeof field, "roles[%zu]", i);
            return reply_error(req, CM_ERR_VALIDATION_FAILED, field,
                               "is not a role (officer, signer, "
                               "agency_counsel, auditor, admin, booking, "
                               "custodian, recipient_counsel, "
                               "doj_attorney)");
        }
        set |= ROLE_BIT(r);
    }
    *out = set;
    return CM_ERR_OK;
}

/* True when `s` holds something other than spaces. */
static bool
has_text(const char *s)
{
    for (; *s; s++) {
        if (*s != ' ' && *s != '\t')
            return true;
    }
    return false;
}

/* ---- POST /api/v1/users
 * -----------------------------------------------------*/

struct create_tx {
    struct app_tx base;
    struct app_idem idem;
    char id[STORE_ID_SIZE];
    const char *email;
    const char *name;
    const char *org_id;
    const char *title;
    role_set roles;
    char hash[PASSWORD_HASH_MAX];
    json_t *out;
};

static enum store_rc
create_tx(struct store *s, void *ctx)
{
    struct create_tx *t = ctx;
    struct http_req *req = t->base.req;
    int64_t now = app_now(app_of(req));
    struct store_org o = {0};
    struct store_user u = {0};
    struct buf detail = BUF_INIT;
    enum org_kind kind;
    enum store_rc rc;

    json_decref(t->out);
    t->out = NULL;
    rc = store_org_get(s, t->org_id, &o);
    if (rc != STORE_ONE_RESULT) {
        if (rc == STORE_NO_RESULTS)
            rc = app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "org_id",
                          "no organization has this id");
        goto out_release;
    }
    if (!org_kind_parse(o.kind, &kind)) {
        rc = STORE_HARD_ERROR;
        goto out_release;
    }
    if (!org_kind_allows(kind, t->roles)) {
        roles_text(org_kind_roles(kind), &detail);
        rc = app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "roles",
                      "a user of an organization of kind %s may hold "
                      "only these roles: %s",
                      o.kind, buf_str(&detail));
        goto out_release;
    }
    memcpy(u.id, t->id, sizeof u.id);
    u.created_at = u.updated_at = now;
    u.email = (char *)t->email;
    u.name = (char *)t->name;
    memcpy(u.org_id, o.id, sizeof u.org_id);
    u.roles = t->roles;
    u.title = t->title && *t->title ? (char *)t->title : NULL;
    u.password_hash = t->hash;
    rc = store_user_insert(s, &u);
    if (rc != STORE_ONE_RESULT) {
        if (rc == STORE_NO_RESULTS)
            rc = app_fail(&t->base, CM_ERR_ALREADY_EXISTS, "email",
                          "a user with this email already exists");
        goto out_release;
    }
    buf_adds(&detail, "roles=");
    roles_text(t->roles, &detail);
    rc =
        app_audit(s, req, "user.create", "user", t->id, "ok", buf_str(&detail));
    if (rc < 0)
        goto out_release;
    rc = user_load_json(s, t->id, &t->out);
    if (rc != STORE_ONE_RESULT) {
        rc = rc < 0 ? rc : STORE_HARD_ERROR;
        goto out_release;
    }
    rc = app_idem_save(s, &t->base, &t->idem, 201, t->out);
out_release:
    buf_release(&detail);
    store_org_release(&o);
    return rc;
}

static enum cm_err
h_users_create(struct http_req *req)
{
    struct create_tx t;
    const char *password = NULL;
    const char *why = NULL;
    const struct jspec spec[] = {
        JSPEC_STR_MAX("email", &t.email, USER_EMAIL_MAX, JSPEC_REQUIRED),
        JSPEC_STR_MAX("name", &t.name, NAME_MAX_CHARS, JSPEC_REQUIRED),
        JSPEC_STR_MAX("org_id", &t.org_id, CM_ID_LEN + 10, JSPEC_REQUIRED),
        {.name = "roles", .type = JSPEC_TYPE_ANY, .presence = JSPEC_REQUIRED},
        JSPEC_STR_MAX("title", &t.title, NAME_MAX_CHARS, JSPEC_OPTIONAL),
        JSPEC_STR_MAX("password", &password, PASSWORD_MAX_LEN, JSPEC_REQUIRED),
        JSPEC_FORBID("id"),
        JSPEC_FORBID("version"),
        JSPEC_FORBID("created_at"),
        JSPEC_FORBID("updated_at"),
        JSPEC_FORBID("disabled"),
        JSPEC_FORBID("locked"),
        JSPEC_FORBID("totp_enabled"),
        JSPEC_FORBID("org"),
        JSPEC_END};
    json_t *body = NULL;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        return err;
    if (body_json(req, &body) != CM_ERR_OK)
        return CM_ERR_INTERNAL;
    err = roles_parse(req, json_object_get(body, "roles"), &t.roles);
    if (err != CM_ERR_OK)
        return err;
    if (!user_email_is_valid(t.email))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "email",
                           "give an email address such as "
                           "name@example.gov, without spaces");
    if (!has_text(t.name))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "name",
                           "give the user's name");
    if (!h_users_is_id(t.org_id))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "org_id",
                           "no organization has this id");
    if (password_check_for(password, t.email, t.name, &why) != CM_ERR_OK)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "password", why);
    if (app_idem_begin(req, &t.base, &t.idem))
        return CM_ERR_OK;
    /* Argon2id is slow: hash before the transaction, not inside it. */
    if (password_hash(password, t.hash) != CM_ERR_OK)
        return reply_error(req, CM_ERR_INTERNAL, NULL, NULL);
    cm_id_new(t.id);
    err = app_run(req, "user_create", create_tx, &t.base);
    memset(t.hash, 0, sizeof t.hash);
    if (err != CM_ERR_OK) {
        json_decref(t.out);
        return err;
    }
    {
        struct buf loc = BUF_INIT;
        int64_t version = json_integer_value(json_object_get(t.out, "version"));

        buf_addf(&loc, "/api/v1/users/%s", t.id);
        (void)reply_json(req, 201, t.out);
        app_set_etag(req, version);
        (void)reply_add_header(req, "Location", buf_str(&loc));
        buf_release(&loc);
    }
    return CM_ERR_OK;
}

/* ---- GET /api/v1/users
 * ------------------------------------------------------*/

struct list_tx {
    struct app_tx base;
    const char *org_id;
    const char *after;
    int limit;
    int seen;
    json_t *items;
    char last_id[STORE_ID_SIZE];
};

static void
list_cb(void *cls, const struct store_user *u)
{
    struct list_tx *t = cls;

    t->seen++;
    if (t->seen > t->limit)
        return;
    json_array_append_new(t->items, h_users_json(u, NULL));
    memcpy(t->last_id, u->id, sizeof t->last_id);
}

/* Fill the organization of each listed user, reading each org once. */
static enum store_rc
list_fill_orgs(struct store *s, json_t *items)
{
    json_t *cache = json_object();
    enum store_rc rc = STORE_ONE_RESULT;
    size_t i;
    json_t *item;

    json_array_foreach (items, i, item) {
        const char *org_id = json_string_value(
            json_object_get(json_object_get(item, "org"), "id"));
        json_t *org = json_object_get(cache, org_id);

        if (!org) {
            struct store_org o = {0};

            rc = store_org_get(s, org_id, &o);
            if (rc < 0)
                break;
            org = org_json(org_id, rc == STORE_ONE_RESULT ? &o : NULL);
            store_org_release(&o);
            json_object_set_new(cache, org_id, org);
        }
        json_object_set(item, "org", org);
    }
    json_decref(cache);
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

static enum store_rc
list_tx(struct store *s, void *ctx)
{
    struct list_tx *t = ctx;
    int n;

    json_decref(t->items);
    t->items = json_array();
    t->seen = 0;
    t->last_id[0] = '\0';
    n = store_user_list(s, t->org_id, t->after, t->limit + 1, list_cb, t);
    if (n < 0)
        return (enum store_rc)n;
    return list_fill_orgs(s, t->items);
}

static enum cm_err
h_users_list(struct http_req *req)
{
    struct list_tx t;
    enum cm_err err;
    json_t *page;

    memset(&t, 0, sizeof t);
    err = app_page_params(req, &t.limit, &t.after);
    if (err != CM_ERR_OK)
        return err;
    if (t.after && !h_users_is_id(t.after))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "cursor",
                           "cursor must be a next_cursor value from a "
                           "previous page");
    t.org_id = http_req_query(req, "org_id");
    if (t.org_id && !h_users_is_id(t.org_id))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "org_id",
                           "give the id of an organization");
    err = app_run_read(req, "user_list", list_tx, &t.base);
    if (err != CM_ERR_OK) {
        json_decref(t.items);
        return err;
    }
    page = json_object();
    json_object_set_new(page, "items", t.items);
    json_object_set_new(page, "next_cursor",
                        t.seen > t.limit ? json_string(t.last_id)
                                         : json_null());
    return reply_json(req, 200, page);
}

/* ---- GET /api/v1/users/{id}
 * -------------------------------------------------*/

struct get_tx {
    struct app_tx base;
    const char *id;
    json_t *out;
};

static enum store_rc
get_tx(struct store *s, void *ctx)
{
    struct get_tx *t = ctx;
    enum store_rc rc;

    json_decref(t->out);
    t->out = NULL;
    rc = user_load_json(s, t->id, &t->out);
    if (rc == STORE_NO_RESULTS)
        return app_fail(&t->base, CM_ERR_NOT_FOUND, NULL,
                        "no user has this id");
    return rc;
}

/* Answer 200 with the user representation `j` (stolen) and its ETag. */
static enum cm_err
reply_user(struct http_req *req, json_t *j)
{
    int64_t version = json_integer_value(json_object_get(j, "version"));
    enum cm_err err = reply_json(req, 200, j);

    if (err == CM_ERR_OK)
        app_set_etag(req, version);
    return err;
}

static enum cm_err
h_users_get(struct http_req *req)
{
    struct get_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.id = http_req_param(req, "id");
    if (!h_users_is_id(t.id))
        return reply_error(req, CM_ERR_NOT_FOUND, NULL, "no user has this id");
    err = app_run_read(req, "user_get", get_tx, &t.base);
    if (err != CM_ERR_OK) {
        json_decref(t.out);
        return err;
    }
    return reply_user(req, t.out);
}

/* ---- PATCH /api/v1/users/{id}
 * -----------------------------------------------*/

struct patch_tx {
    struct app_tx base;
    const char *id;
    int64_t want; /* the version of If-Match */
    const char *name;
    const char *title;
    bool has_roles;
    role_set roles;
    bool has_disabled;
    bool disabled;
    json_t *out;
};

static enum store_rc
patch_check_roles(struct patch_tx *t, struct store *s, const char *org_id)
{
    struct store_org o = {0};
    struct buf allowed = BUF_INIT;
    enum org_kind kind;
    enum store_rc rc = store_org_get(s, org_id, &o);

    if (rc != STORE_ONE_RESULT || !org_kind_parse(o.kind, &kind)) {
        rc = rc < 0 ? rc : STORE_HARD_ERROR;
        goto out_release;
    }
    if (!org_kind_allows(kind, t->roles)) {
        roles_text(org_kind_roles(kind), &allowed);
        rc = app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "roles",
                      "a user of an organization of kind %s may hold "
                      "only these roles: %s",
                      o.kind, buf_str(&allowed));
    }
out_release:
    buf_release(&allowed);
    store_org_release(&o);
    return rc;
}

static enum store_rc
patch_tx(struct store *s, void *ctx)
{
    struct patch_tx *t = ctx;
    struct http_req *req = t->base.req;
    bool is_self = strcmp(t->id, req->caller.user_id) == 0;
    int64_t now = app_now(app_of(req));
    struct store_user u = {0};
    struct store_user upd = {0};
    struct buf detail = BUF_INIT;
    enum store_rc rc;
    int ended = 0;

    json_decref(t->out);
    t->out = NULL;
    rc = store_user_get(s, t->id, &u);
    if (rc != STORE_ONE_RESULT) {
        if (rc == STORE_NO_RESULTS)
            rc = app_fail(&t->base, CM_ERR_NOT_FOUND, NULL,
                          "no user has this id");
        goto out_release;
    }
    if (u.version != t->want) {
        rc = app_fail(&t->base, CM_ERR_PRECONDITION_FAILED, "If-Match",
                      "the user is at version %lld; read it again",
                      (long long)u.version);
        goto out_release;
    }
    if (is_self && t->has_disabled && t->disabled) {
        rc = app_fail(&t->base, CM_ERR_STATE_CONFLICT, "disabled",
                      "you cannot disable your own account");
        goto out_release;
    }
    if (is_self && t->has_roles && !(t->roles & ROLE_BIT(ROLE_ADMIN))) {
        rc = app_fail(&t->base, CM_ERR_STATE_CONFLICT, "roles",
                      "you cannot take the admin role from yourself");
        goto out_release;
    }
    if (t->has_roles) {
        rc = patch_check_roles(t, s, u.org_id);
        if (rc < 0)
            goto out_release;
    }
    memcpy(upd.id, u.id, sizeof upd.id);
    upd.version = u.version;
    upd.updated_at = now;
    upd.name = t->name ? (char *)t->name : u.name;
    upd.title = u.title;
    if (t->title)
        upd.title = *t->title ? (char *)t->title : NULL;
    upd.roles = t->has_roles ? t->roles : u.roles;
    upd.disabled = t->has_disabled ? t->disabled : u.disabled;
    rc = store_user_update_profile(s, &upd);
    if (rc != STORE_ONE_RESULT) {
        if (rc == STORE_NO_RESULTS)
            rc = app_fail(&t->base, CM_ERR_PRECONDITION_FAILED, "If-Match",
                          "the user changed meanwhile; read it again");
        goto out_release;
    }
    if (upd.disabled) {
        ended = store_session_end_by_user(s, u.id, NULL, now);
        if (ended < 0) {
            rc = (enum store_rc)ended;
            goto out_release;
        }
    }
    /* Field names only: no values in the audit trail. */
    buf_adds(&detail, "changed=");
    if (t->name)
        buf_adds(&detail, "name,");
    if (t->title)
        buf_adds(&detail, "title,");
    if (t->has_roles) {
        buf_adds(&detail, "roles(");
        roles_text(upd.roles, &detail);
        buf_adds(&detail, "),");
    }
    if (t->has_disabled)
        buf_adds(&detail, upd.disabled ? "disabled," : "enabled,");
    buf_addf(&detail, " sessions_ended=%d", ended);
    rc = app_audit(s, req, "user.update", "user", u.id, "ok", buf_str(&detail));
    if (rc < 0)
        goto out_release;
    rc = user_load_json(s, u.id, &t->out);
    if (rc == STORE_NO_RESULTS)
        rc = STORE_HARD_ERROR;
out_release:
    buf_release(&detail);
    store_user_release(&u);
    return rc;
}

static enum cm_err
h_users_patch(struct http_req *req)
{
    struct patch_tx t;
    json_t *body = NULL;
    json_t *roles;
    const struct jspec spec[] = {
        JSPEC_STR_MAX("name", &t.name, NAME_MAX_CHARS, JSPEC_OPTIONAL),
        JSPEC_STR_MAX("title", &t.title, NAME_MAX_CHARS, JSPEC_OPTIONAL),
        {.name = "roles", .type = JSPEC_TYPE_ANY, .presence = JSPEC_OPTIONAL},
        JSPEC_BOOL("disabled", &t.disabled, JSPEC_OPTIONAL),
        JSPEC_FORBID("id"),
        JSPEC_FORBID("version"),
        JSPEC_FORBID("created_at"),
        JSPEC_FORBID("updated_at"),
        JSPEC_FORBID("email"),
        JSPEC_FORBID("org_id"),
        JSPEC_FORBID("org"),
        JSPEC_FORBID("password"),
        JSPEC_FORBID("locked"),
        JSPEC_FORBID("totp_enabled"),
        JSPEC_END};
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.id = http_req_param(req, "id");
    if (!h_users_is_id(t.id))
        return reply_error(req, CM_ERR_NOT_FOUND, NULL, "no user has this id");
    err = app_if_match(req, &t.want);
    if (err != CM_ERR_OK)
        return err;
    if (t.want < 0)
        return reply_error(req, CM_ERR_PRECONDITION_REQUIRED, "If-Match", NULL);
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        return err;
    if (body_json(req, &body) != CM_ERR_OK)
        return CM_ERR_INTERNAL;
    t.has_disabled = json_is_boolean(json_object_get(body, "disabled"));
    roles = json_object_get(body, "roles");
    if (roles && !json_is_null(roles)) {
        err = roles_parse(req, roles, &t.roles);
        if (err != CM_ERR_OK)
            return err;
        t.has_roles = true;
    }
    if (t.name && !has_text(t.name))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "name",
                           "give the user's name");
    err = app_run(req, "user_patch", patch_tx, &t.base);
    if (err != CM_ERR_OK) {
        json_decref(t.out);
        return err;
    }
    return reply_user(req, t.out);
}

/* ---- POST /api/v1/users/{id}/unlock and .../totp/reset
 * -----------------------------------------*/

/* An administrator's repair of an account: clear a login lockout, or
 * remove a second factor whose device was lost (the user enrols again;
 * every session of theirs ends, as whoever holds the device may hold one
 * too). */
struct unlock_tx {
    struct app_tx base;
    const char *id;
    int64_t want;    /* If-Match version, or -1 */
    bool reset_totp; /* totp/reset, not unlock */
    json_t *out;
};

/* The totp/reset part of unlock_tx: clear the second factor of `u`, end
 * the user's sessions, and audit it. */
static enum store_rc
totp_reset(struct store *s, struct http_req *req, const struct store_user *u)
{
    int64_t now = app_now(app_of(req));
    struct buf detail = BUF_INIT;
    enum store_rc rc = store_user_totp_clear(s, u->id, now);
    int ended;

    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    ended = store_session_end_by_user(s, u->id, NULL, now);
    if (ended < 0)
        return (enum store_rc)ended;
    buf_addf(&detail, "%s, sessions_ended=%d",
             u->totp_enabled ? "was_enabled" : "was_not_enabled", ended);
    rc = app_audit(s, req, "user.totp_reset", "user", u->id, "ok",
                   buf_str(&detail));
    buf_release(&detail);
    return rc;
}

static enum store_rc
unlock_tx(struct store *s, void *ctx)
{
    struct unlock_tx *t = ctx;
    struct http_req *req = t->base.req;
    struct store_user u = {0};
    enum store_rc rc;
    bool was_locked;

    json_decref(t->out);
    t->out = NULL;
    rc = store_user_get(s, t->id, &u);
    if (rc != STORE_ONE_RESULT) {
        if (rc == STORE_NO_RESULTS)
            rc = app_fail(&t->base, CM_ERR_NOT_FOUND, NULL,
                          "no user has this id");
        goto out_release;
    }
    if (t->want >= 0 && t->want != u.version) {
        rc = app_fail(&t->base, CM_ERR_PRECONDITION_FAILED, "If-Match",
                      "the user is at version %lld; read it again",
                      (long long)u.version);
        goto out_release;
    }
    if (t->reset_totp) {
        rc = totp_reset(s, req, &u);
        if (rc < 0)
            goto out_release;
        goto out_load;
    }
    was_locked = u.locked_at != 0;
    rc = store_user_unlock(s, u.id, app_now(app_of(req)));
    if (rc != STORE_ONE_RESULT) {
        rc = rc < 0 ? rc : STORE_HARD_ERROR;
        goto out_release;
    }
    rc = app_audit(s, req, "user.unlock", "user", u.id, "ok",
                   was_locked ? "was_locked" : "was_not_locked");
    if (rc < 0)
        goto out_release;
out_load:
    rc = user_load_json(s, u.id, &t->out);
    if (rc == STORE_NO_RESULTS)
        rc = STORE_HARD_ERROR;
out_release:
    store_user_release(&u);
    return rc;
}

static enum cm_err
h_users_unlock_or_reset(struct http_req *req, bool reset_totp)
{
    struct unlock_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.reset_totp = reset_totp;
    /* The action takes no fields: a body, if any, must be `{}`. */
    if (req->body.len > 0) {
        static const struct jspec none[] = {JSPEC_END};

        err = body_parse(req, none);
        if (err != CM_ERR_OK)
            return err;
    }
    t.id = http_req_param(req, "id");
    if (!h_users_is_id(t.id))
        return reply_error(req, CM_ERR_NOT_FOUND, NULL, "no user has this id");
    err = app_if_match(req, &t.want);
    if (err != CM_ERR_OK)
        return err;
    err = app_run(req, reset_totp ? "user_totp_reset" : "user_unlock",
                  unlock_tx, &t.base);
    if (err != CM_ERR_OK) {
        json_decref(t.out);
        return err;
    }
    return reply_user(req, t.out);
}

static enum cm_err
h_users_unlock(struct http_req *req)
{
    return h_users_unlock_or_reset(req, false);
}

static enum cm_err
h_users_totp_reset(struct http_req *req)
{
    return h_users_unlock_or_reset(req, true);
}
