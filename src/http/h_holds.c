/*
 * h_holds.c: legal holds on cases (docs/api.md "Legal holds";
 * docs/operations.md "Retention and legal hold").
 *
 *   POST   /api/v1/cases/{id}/hold  {"reason"}  place a hold      -> 201
 *   DELETE /api/v1/cases/{id}/hold  {"reason"}  release it         -> 200
 *   GET    /api/v1/cases/{id}/hold              the hold in force and
 *                                               every earlier one  -> 200
 *
 * {id} is the id of a detainer, subpoena or enforcement case (ids are
 * unique across them). A hold keeps every record of the case (the case,
 * its documents, timeline, deadlines and disclosures; a subpoena and its
 * enforcement case hold each other) from the retention purge until it is
 * released; it changes nothing else.
 *
 * Who: agency_counsel (the agency's legal review) and doj_attorney (the
 * government's litigator once a case is referred) place and release holds,
 * on the cases they see (perm.h). An admin sees no case data (DESIGN.md),
 * and a hold is a legal decision about a case, so the admin may not; an
 * auditor reads holds but places none. Every role but admin reads the
 * hold of a case it sees. A case out of scope or missing answers 404,
 * audited. Placing a hold on a case that has one, or releasing where
 * there is none, answers 409 state_conflict. Each change is audited
 * ("case.hold", "case.release", with the case's kind and id; never the
 * reason, which is free text and may name people) and added to the
 * case's timeline ("hold", "release").
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "domain/detainer.h"
#include "domain/enforcement.h"
#include "domain/perm.h"
#include "domain/role.h"
#include "domain/subpoena.h"
#include "http/app.h"
#include "http/body.h"
#include "http/cases.h"
#include "http/jspec.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"

#define HOLD_WRITERS \
    (ROLE_BIT(ROLE_AGENCY_COUNSEL) | ROLE_BIT(ROLE_DOJ_ATTORNEY))
#define HOLD_READERS ROLE_ANY_BUT_ADMIN

/* The longest reason, in bytes. */
#define HOLD_REASON_MAX 1000

static enum cm_err h_holds_place(struct http_req *req);
static enum cm_err h_holds_release(struct http_req *req);
static enum cm_err h_holds_get(struct http_req *req);

static const struct route rows[] = {
    {"POST", "/api/v1/cases/{id}/hold", h_holds_place, HOLD_WRITERS, 0,
     ROUTE_FLAG_JSON},
    {"DELETE", "/api/v1/cases/{id}/hold", h_holds_release, HOLD_WRITERS, 0,
     ROUTE_FLAG_JSON},
    {"GET", "/api/v1/cases/{id}/hold", h_holds_get, HOLD_READERS, 0, 0},
};

const struct route_group h_holds_group = ROUTE_GROUP(rows);

/* From h_users.c: whether `s` has the shape of an id. */
bool h_users_is_id(const char *s);

/* ---- the case and whether the caller sees it ---------------------------*/

/*
 * Which case `id` is and whether the caller of `req` sees it: *kind (a
 * static name) and *visible are written on STORE_ONE_RESULT;
 * STORE_NO_RESULTS when no case has this id.
 */
static enum store_rc
case_visible(struct store *s,
             const struct http_req *req,
             const char *id,
             const char **kind,
             bool *visible)
{
    struct store_detainer d = {0};
    struct store_facility f = {0};
    struct store_subpoena sp = {0};
    struct store_enforcement e = {0};
    struct perm_viewer v;
    struct perm_case pc;
    enum store_rc rc = store_case_kind_of(s, id, kind);

    if (rc != STORE_ONE_RESULT)
        return rc;
    memset(&pc, 0, sizeof pc);
    if (strcmp(*kind, "detainer") == 0) {
        enum detainer_state st = DETAINER_STATE_LODGED;

        rc = store_detainer_get(s, id, &d);
        if (rc == STORE_ONE_RESULT)
            rc = store_facility_get(s, d.facility_id, &f);
        if (rc != STORE_ONE_RESULT)
            goto out_release;
        (void)detainer_state_parse(d.state ? d.state : "", &st);
        pc.kind = PERM_CASE_KIND_DETAINER;
        pc.state = (int)st;
        pc.agency_org_id = d.agency_org_id;
        pc.facility_org_id = f.org_id;
    } else if (strcmp(*kind, "subpoena") == 0) {
        enum subpoena_state st = SUBPOENA_STATE_DRAFT;

        rc = store_subpoena_get(s, id, &sp);
        if (rc == STORE_ONE_RESULT && sp.enforcement_id[0])
            rc = store_enforcement_get(s, sp.enforcement_id, &e);
        if (rc != STORE_ONE_RESULT)
            goto out_release;
        (void)subpoena_state_parse(sp.state ? sp.state : "", &st);
        pc.kind = PERM_CASE_KIND_SUBPOENA;
        pc.state = (int)st;
        pc.agency_org_id = sp.agency_org_id;
        pc.recipient_org_id = sp.recipient_org_id;
        pc.doj_org_id = e.doj_org_id[0] ? e.doj_org_id : NULL;
        pc.was_served = sp.served_at != 0;
    } else {
        enum enforcement_state st = ENFORCEMENT_STATE_REFERRED;

        rc = store_enforcement_get(s, id, &e);
        if (rc != STORE_ONE_RESULT)
            goto out_release;
        (void)enforcement_state_parse(e.state ? e.state : "", &st);
        pc.kind = PERM_CASE_KIND_ENFORCEMENT;
        pc.state = (int)st;
        pc.agency_org_id = e.agency_org_id;
        pc.recipient_org_id = e.respondent_org_id;
        pc.doj_org_id = e.doj_org_id[0] ? e.doj_org_id : NULL;
    }
    app_viewer(req, &v);
    *visible = perm_can_view(&v, &pc);
out_release:
    store_subpoena_release(&sp);
    store_enforcement_release(&e);
    store_facility_release(&f);
    store_detainer_release(&d);
    /* The case table named it a moment ago: a row that vanished or a
     * subpoena naming a missing enforcement is a broken database. */
    return rc == STORE_NO_RESULTS ? STORE_HARD_ERROR : rc;
}

/* ---- JSON --------------------------------------------------------------*/

static json_t *
hold_json(const struct store_hold *h)
{
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:{s:s, s:s?}, s:o, s:s}", "id", h->id,
                  "case_kind", h->case_kind, "case_id", h->case_id, "placed_by",
                  "user_id", h->placed_by, "role", h->placed_role, "placed_at",
                  app_json_time(h->placed_at), "reason", h->reason);

    if (o == NULL)
        return NULL;
    if (h->released_at) {
        (void)json_object_set_new(o, "released_by",
                                  json_pack("{s:s, s:s?}", "user_id",
                                            h->released_by, "role",
                                            h->released_role));
        (void)json_object_set_new(o, "released_at",
                                  app_json_time(h->released_at));
        (void)json_object_set_new(o, "release_reason",
                                  json_string(h->release_reason));
    } else {
        (void)json_object_set_new(o, "released_by", json_null());
        (void)json_object_set_new(o, "released_at", json_null());
        (void)json_object_set_new(o, "release_reason", json_null());
    }
    return o;
}

struct holds_acc {
    json_t *hold;    /* the one in force, or NULL */
    json_t *history; /* every hold, oldest first */
};

static void
holds_cb(void *cls, const struct store_hold *h)
{
    struct holds_acc *a = cls;
    json_t *o = hold_json(h);

    if (o == NULL)
        return;
    if (h->released_at == 0) {
        json_decref(a->hold);
        a->hold = json_incref(o);
    }
    (void)json_array_append_new(a->history, o);
}

/*
 * The holds of case (`case_kind`, `case_id`) as {"hold": {...} or null,
 * "history": [...]} (each {"id", "case_kind", "case_id", "placed_by":
 * {"user_id", "role"}, "placed_at", "reason", "released_by",
 * "released_at", "release_reason"}). For the case reads too. A new
 * reference, or NULL on a store error.
 */
json_t *
h_holds_case_json(struct store *s, const char *case_kind, const char *case_id);

json_t *
h_holds_case_json(struct store *s, const char *case_kind, const char *case_id)
{
    struct holds_acc a = {NULL, json_array()};
    int n = store_hold_list(s, case_kind, case_id, holds_cb, &a);

    if (n < 0) {
        json_decref(a.hold);
        json_decref(a.history);
        return NULL;
    }
    return json_pack("{s:o, s:o}", "hold", a.hold ? a.hold : json_null(),
                     "history", a.history);
}

/* ---- POST and DELETE /api/v1/cases/{id}/hold ---------------------------*/

struct change_tx {
    struct app_tx base;
    const char *id;
    const char *reason;
    bool place; /* else release */
    int64_t now;
    const char *kind;
    bool missing; /* no such case, or out of scope: 404, audited */
    json_t *answer;
};

/* The role the caller acts in: the first of HOLD_WRITERS they hold. */
static const char *
acting_role(const struct http_req *req)
{
    return app_has_role(req, ROLE_AGENCY_COUNSEL)
               ? role_name(ROLE_AGENCY_COUNSEL)
               : role_name(ROLE_DOJ_ATTORNEY);
}

static enum store_rc
change_tx(struct store *s, void *ctx)
{
    struct change_tx *t = ctx;
    struct http_req *req = t->base.req;
    const char *role = acting_role(req);
    bool visible = false;
    enum store_rc rc;

    json_decref(t->answer);
    t->answer = NULL;
    t->missing = false;
    t->kind = NULL;
    rc = case_visible(s, req, t->id, &t->kind, &visible);
    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS || !visible) {
        t->missing = true;
        return app_fail(&t->base, CM_ERR_NOT_FOUND, NULL, NULL);
    }
    if (t->place) {
        struct store_hold h;

        memset(&h, 0, sizeof h);
        cm_id_new(h.id);
        h.case_kind = (char *)t->kind;
        (void)snprintf(h.case_id, sizeof h.case_id, "%s", t->id);
        (void)snprintf(h.placed_by, sizeof h.placed_by, "%s",
                       req->caller.user_id);
        h.placed_role = (char *)role;
        h.placed_at = t->now;
        h.reason = (char *)t->reason;
        rc = store_hold_place(s, &h);
        if (rc == STORE_NO_RESULTS)
            return app_fail(&t->base, CM_ERR_STATE_CONFLICT, "hold",
                            "the case is already on legal hold; release "
                            "that hold first to replace it");
    } else {
        rc = store_hold_release(s, t->kind, t->id, req->caller.user_id, role,
                                t->now, t->reason);
        if (rc == STORE_NO_RESULTS)
            return app_fail(&t->base, CM_ERR_STATE_CONFLICT, "hold",
                            "the case is not on legal hold");
    }
    if (rc < 0)
        return rc;
    rc = cases_event(s, req, t->kind, t->id, t->place ? "hold" : "release",
                     NULL);
    if (rc < 0)
        return rc;
    rc = app_audit(s, req, t->place ? "case.hold" : "case.release", t->kind,
                   t->id, "ok", NULL);
    if (rc < 0)
        return rc;
    t->answer = h_holds_case_json(s, t->kind, t->id);
    return t->answer ? STORE_ONE_RESULT : STORE_HARD_ERROR;
}

static enum cm_err
change(struct http_req *req, bool place)
{
    struct change_tx t;
    const char *reason = NULL;
    struct jspec spec[] = {
        JSPEC_STR_MAX("reason", &reason, HOLD_REASON_MAX, JSPEC_REQUIRED),
        JSPEC_END};
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.base.req = req;
    t.id = http_req_param(req, "id");
    t.place = place;
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        return err;
    if (strspn(reason, " \t\r\n") == strlen(reason))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "reason",
                           place ? "say why the case is held (the matter, "
                                   "the litigation or the request)"
                                 : "say why the hold ends");
    t.reason = reason;
    if (!h_users_is_id(t.id)) {
        app_audit_alone(req, NULL, place ? "case.hold" : "case.release", "case",
                        t.id, "not_found", NULL);
        return reply_error(req, CM_ERR_NOT_FOUND, NULL, NULL);
    }
    t.now = app_now(app_of(req));
    err =
        app_run(req, place ? "case_hold" : "case_release", change_tx, &t.base);
    if (err != CM_ERR_OK) {
        if (t.missing)
            app_audit_alone(req, NULL, place ? "case.hold" : "case.release",
                            "case", t.id, "not_found", NULL);
        json_decref(t.answer);
        return err;
    }
    err = reply_json(req, place ? 201 : 200, t.answer);
    return err;
}

static enum cm_err
h_holds_place(struct http_req *req)
{
    return change(req, true);
}

static enum cm_err
h_holds_release(struct http_req *req)
{
    return change(req, false);
}

/* ---- GET /api/v1/cases/{id}/hold ---------------------------------------*/

struct get_tx {
    struct app_tx base;
    const char *id;
    bool found;
    json_t *answer;
};

static enum store_rc
get_tx(struct store *s, void *ctx)
{
    struct get_tx *t = ctx;
    const char *kind = NULL;
    bool visible = false;
    enum store_rc rc;

    json_decref(t->answer);
    t->answer = NULL;
    t->found = false;
    rc = case_visible(s, t->base.req, t->id, &kind, &visible);
    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS || !visible)
        return STORE_NO_RESULTS;
    t->answer = h_holds_case_json(s, kind, t->id);
    if (t->answer == NULL)
        return STORE_HARD_ERROR;
    t->found = true;
    return STORE_ONE_RESULT;
}

static enum cm_err
h_holds_get(struct http_req *req)
{
    struct get_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.base.req = req;
    t.id = http_req_param(req, "id");
    if (h_users_is_id(t.id)) {
        err = app_run_read(req, "case_hold_read", get_tx, &t.base);
        if (err != CM_ERR_OK)
            goto out;
    }
    if (!t.found) {
        app_audit_alone(req, NULL, "case.hold.read", "case", t.id, "not_found",
                        NULL);
        err = reply_error(req, CM_ERR_NOT_FOUND, NULL, NULL);
        goto out;
    }
    err = reply_json(req, 200, t.answer);
    t.answer = NULL;
out:
    json_decref(t.answer);
    return err;
}
