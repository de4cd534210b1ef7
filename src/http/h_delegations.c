/*
 * h_delegations.c: recorded delegations of subpoena authority over HTTP
 * (API.md "Administration"; 8 CFR 2.1, 8 CFR 287.4(a)).
 *
 *   POST /api/v1/delegations           admin: record a delegation
 *   GET  /api/v1/delegations?user_id=  agency roles and admin: a user's
 *
 * A signer whose title is not listed in 8 CFR 287.4(a) may sign only under
 * a recorded delegation in force on the day of signing. Only a user who
 * holds the `signer` role can receive one (422 guard_failed, field
 * "delegate_must_be_signer"); an unknown user_id is a 400 naming it.
 * Delegations are never edited: a new one is recorded instead. Agency
 * roles see the delegations of users of their own organization; the
 * admin and auditors see every user's. Another organization's user is
 * answered like an unknown one (404) and the attempt is audited.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "domain/date.h"
#include "domain/role.h"
#include "http/app.h"
#include "http/body.h"
#include "http/documents.h"
#include "http/jspec.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"
#include "store/store_admin.h"

#define AGENCY_ROLES                                          \
    (ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_SIGNER) |         \
     ROLE_BIT(ROLE_AGENCY_COUNSEL) | ROLE_BIT(ROLE_AUDITOR) | \
     ROLE_BIT(ROLE_ADMIN))

static enum cm_err h_delegations_create(struct http_req *req);
static enum cm_err h_delegations_list(struct http_req *req);

static const struct route rows[] = {
    {"POST", "/api/v1/delegations", h_delegations_create, ROLE_BIT(ROLE_ADMIN),
     0, ROUTE_FLAG_JSON | ROUTE_FLAG_STEP_UP},
    {"GET", "/api/v1/delegations", h_delegations_list, AGENCY_ROLES, 0, 0},
};

const struct route_group h_delegations_group = ROUTE_GROUP(rows);

/* From h_users.c: whether `s` has the shape of an id (CM_ID_LEN
 * base64url characters). */
bool h_users_is_id(const char *s);

static json_t *
delegation_json(const struct store_delegation *d)
{
    return json_pack(
        "{s:s, s:I, s:o, s:o, s:s, s:s, s:s, s:o, s:o, s:s}", "id", d->id,
        "version", (json_int_t)1, "created_at", app_json_time(d->created_at),
        "updated_at", app_json_time(d->created_at), "user_id", d->user_id,
        "authority", d->authority, "effective_from", d->effective_from,
        "effective_to", app_json_str(d->effective_to), "document_id",
        app_json_str(d->document_id), "created_by", d->created_by);
}

/* ---- POST /api/v1/delegations ------------------------------------------*/

struct create_tx {
    struct app_tx base;
    struct app_idem idem;
    struct store_delegation d; /* strings borrowed from the request */
    json_t *answer;
};

static enum store_rc
create_tx(struct store *s, void *ctx)
{
    struct create_tx *t = ctx;
    struct store_user u;
    enum store_rc rc = store_user_get(s, t->d.user_id, &u);

    json_decref(t->answer);
    t->answer = NULL;
    if (rc == STORE_NO_RESULTS)
        return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "user_id",
                        "no user with this id");
    if (rc < 0)
        return rc;
    if (!(u.roles & ROLE_BIT(ROLE_SIGNER))) {
        rc = app_fail(&t->base, CM_ERR_GUARD_FAILED, "delegate_must_be_signer",
                      "only a user who holds the signer role can receive "
                      "a delegation of subpoena authority; give the user "
                      "the signer role first");
        goto out_user;
    }
    /* 8 CFR 2.1: the delegation is an instrument; its copy must be on
     * file (a document of kind delegation, uploaded by an admin). */
    rc = documents_find_required(s, t->d.document_id, "delegation", NULL, NULL);
    if (rc == STORE_NO_RESULTS)
        rc = app_fail(&t->base, CM_ERR_GUARD_FAILED,
                      "delegation_document_required",
                      "upload the instrument of the delegation "
                      "(POST /api/v1/documents?kind=delegation) and give "
                      "its id as document_id");
    if (rc < 0)
        goto out_user;
    rc = store_delegation_insert(s, &t->d);
    if (rc == STORE_NO_RESULTS)
        rc = app_fail(&t->base, CM_ERR_STATE_CONFLICT, NULL,
                      "the delegation could not be recorded; try again");
    if (rc < 0)
        goto out_user;
    rc = app_audit(s, t->base.req, "delegation.create", "delegation", t->d.id,
                   "ok", NULL);
    if (rc < 0)
        goto out_user;
    t->answer = delegation_json(&t->d);
    rc = app_idem_save(s, &t->base, &t->idem, 201, t->answer);
out_user:
    store_user_release(&u);
    return rc;
}

static enum cm_err
h_delegations_create(struct http_req *req)
{
    struct create_tx t;
    const char *user_id = NULL, *authority = NULL, *from = NULL;
    const char *to = NULL, *doc = NULL;
    enum cm_err err;
    struct jspec spec[] = {
        JSPEC_STR_MAX("user_id", &user_id, 64, JSPEC_REQUIRED),
        JSPEC_STR_MAX("authority", &authority, 2000, JSPEC_REQUIRED),
        JSPEC_DATE("effective_from", &from, JSPEC_REQUIRED),
        JSPEC_DATE("effective_to", &to, JSPEC_OPTIONAL),
        JSPEC_STR_MAX("document_id", &doc, 64, JSPEC_OPTIONAL),
        JSPEC_FORBID("id"),
        JSPEC_FORBID("version"),
        JSPEC_FORBID("created_at"),
        JSPEC_FORBID("updated_at"),
        JSPEC_FORBID("created_by"),
        JSPEC_END};

    memset(&t, 0, sizeof t);
    t.base.req = req;
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        return err;
    if (!h_users_is_id(user_id))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "user_id",
                           "user_id must be a user's id");
    if (authority[0] == '\0')
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "authority",
                           "name the instrument that delegates the "
                           "authority");
    /* Dates are YYYY-MM-DD, so text order is date order. */
    if (to && strcmp(to, from) < 0)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "effective_to",
                           "effective_to must be on or after "
                           "effective_from");
    if (doc && !h_users_is_id(doc))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "document_id",
                           "document_id must be a document's id");
    if (app_idem_begin(req, &t.base, &t.idem))
        return CM_ERR_OK;
    cm_id_new(t.d.id);
    (void)snprintf(t.d.user_id, sizeof t.d.user_id, "%s", user_id);
    t.d.authority = (char *)authority;
    t.d.effective_from = (char *)from;
    t.d.effective_to = (char *)to;
    if (doc)
        (void)snprintf(t.d.document_id, sizeof t.d.document_id, "%s", doc);
    (void)snprintf(t.d.created_by, sizeof t.d.created_by, "%s",
                   req->caller.user_id);
    t.d.created_at = app_now(app_of(req));
    err = app_run(req, "delegation_create", create_tx, &t.base);
    if (err == CM_ERR_OK) {
        app_set_etag(req, 1);
        err = reply_json(req, 201, t.answer);
        t.answer = NULL;
    }
    json_decref(t.answer);
    return err;
}

/* ---- GET /api/v1/delegations?user_id= ----------------------------------*/

struct list_tx {
    struct app_tx base;
    const char *user_id;
    bool is_out_of_scope; /* the user is another organization's */
    json_t *items;
};

static void
list_cb(void *cls, const struct store_delegation *d)
{
    (void)json_array_append_new(cls, delegation_json(d));
}

static enum store_rc
list_tx(struct store *s, void *ctx)
{
    struct list_tx *t = ctx;
    struct http_req *req = t->base.req;
    struct store_user u;
    enum store_rc rc = store_user_get(s, t->user_id, &u);
    bool sees_all =
        app_has_role(req, ROLE_ADMIN) || app_has_role(req, ROLE_AUDITOR);
    int n;

    json_array_clear(t->items);
    t->is_out_of_scope = false;
    if (rc == STORE_NO_RESULTS)
        return app_fail(&t->base, CM_ERR_NOT_FOUND, "user_id",
                        "no user with this id");
    if (rc < 0)
        return rc;
    if (!sees_all && strcmp(u.org_id, req->caller.org_id) != 0) {
        t->is_out_of_scope = true;
        rc = app_fail(&t->base, CM_ERR_NOT_FOUND, "user_id",
                      "no user with this id");
        goto out_user;
    }
    n = store_delegation_list_by_user(s, u.id, list_cb, t->items);
    rc = n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
out_user:
    store_user_release(&u);
    return rc;
}

static enum cm_err
h_delegations_list(struct http_req *req)
{
    struct list_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.base.req = req;
    t.user_id = http_req_query(req, "user_id");
    if (!t.user_id || !h_users_is_id(t.user_id))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "user_id",
                           "give user_id, the id of the user whose "
                           "delegations to list");
    t.items = json_array();
    err = app_run_read(req, "delegation_list", list_tx, &t.base);
    if (err != CM_ERR_OK) {
        json_decref(t.items);
        if (t.is_out_of_scope)
            app_audit_alone(req, NULL, "delegation.list", "user", t.user_id,
                            "not_found", NULL);
        return err;
    }
    return reply_json(
        req, 200,
        json_pack("{s:o, s:o}", "items", t.items, "next_cursor", json_null()));
}
