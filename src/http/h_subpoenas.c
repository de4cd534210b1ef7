/*
 * h_subpoenas.c: administrative subpoenas over HTTP (API.md "Subpoenas").
 *
 * Routes: create a draft (officer, Idempotency-Key), edit it while it is a
 * draft (PATCH with If-Match), read one, list them (scoped in SQL), read
 * the timeline. The actions (submit ... close), the guard facts and the
 * JSON form of a subpoena are in h_subpoena_actions.c; the two files share
 * the few functions declared below under "shared".
 *
 * A subpoena out of the caller's scope answers 404 exactly like a missing
 * one, and the attempt is audited. Produced item values are personal data:
 * sealed with fieldcrypt (record = item id, field "value"), returned only
 * by GET /subpoenas/{id}, only to roles that need them, with one
 * "subpoena.response.read" audit record in the same transaction.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "domain/date.h"
#include "domain/perm.h"
#include "domain/subpoena.h"
#include "http/app.h"
#include "http/body.h"
#include "http/cases.h"
#include "http/h_imports.h"
#include "http/jspec.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "http/subpoenas.h"
#include "store/store.h"

/* ---- routes
 * ----------------------------------------------------------------*/

/* Most items one subpoena may request. */
#define MAX_ITEMS 50

/* Every role but admin, who sees no case data. */
#define CASE_READERS (ROLE_ANY & ~ROLE_BIT(ROLE_ADMIN))

/* The roles that take some subpoena action (DESIGN.md's table). */
#define SUBPOENA_ACTORS                                         \
    (ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_SIGNER) |           \
     ROLE_BIT(ROLE_AGENCY_COUNSEL) | ROLE_BIT(ROLE_CUSTODIAN) | \
     ROLE_BIT(ROLE_RECIPIENT_COUNSEL))

static enum cm_err h_subpoenas_create(struct http_req *req);
static enum cm_err h_subpoenas_list(struct http_req *req);
static enum cm_err h_subpoenas_get(struct http_req *req);
static enum cm_err h_subpoenas_patch(struct http_req *req);
static enum cm_err h_subpoenas_history(struct http_req *req);

static const struct route rows[] = {
    {"POST", "/api/v1/subpoenas", h_subpoenas_create, ROLE_BIT(ROLE_OFFICER), 0,
     ROUTE_FLAG_JSON},
    {"GET", "/api/v1/subpoenas", h_subpoenas_list, CASE_READERS, 0, 0},
    {"GET", "/api/v1/subpoenas/{id}", h_subpoenas_get, CASE_READERS, 0,
     ROUTE_FLAG_INLINE},
    {"PATCH", "/api/v1/subpoenas/{id}", h_subpoenas_patch,
     ROLE_BIT(ROLE_OFFICER), 0, ROUTE_FLAG_JSON},
    {"GET", "/api/v1/subpoenas/{id}/history", h_subpoenas_history, CASE_READERS,
     0, 0},
    {"POST", "/api/v1/subpoenas/{id}/actions/{action}", h_subpoenas_act,
     SUBPOENA_ACTORS, 0, ROUTE_FLAG_JSON},
};

const struct route_group h_subpoenas_group = ROUTE_GROUP(rows);

const char *const h_subpoena_categories[] = {"home_address",
                                             "work_address",
                                             "phone",
                                             "employer",
                                             "vehicle",
                                             "date_place_of_birth",
                                             "bond_record",
                                             "id_documents",
                                             "charges",
                                             "emergency_contacts",
                                             "release_date",
                                             "other",
                                             NULL};

/* Fields the server sets, which a client may not send (400
 * forbidden_field). */
#define SERVER_FIELDS                                                      \
    JSPEC_FORBID("id"), JSPEC_FORBID("version"), JSPEC_FORBID("number"),   \
        JSPEC_FORBID("state"), JSPEC_FORBID("created_at"),                 \
        JSPEC_FORBID("updated_at"), JSPEC_FORBID("agency_org_id"),         \
        JSPEC_FORBID("drafted_by"), JSPEC_FORBID("signed_by"),             \
        JSPEC_FORBID("signed_at"), JSPEC_FORBID("served_at"),              \
        JSPEC_FORBID("return_date"), JSPEC_FORBID("original_return_date"), \
        JSPEC_FORBID("disposition"), JSPEC_FORBID("enforcement_id")

enum store_rc
h_subpoena_load(struct store *s,
                struct app_tx *tx,
                const char *id,
                struct store_subpoena *out,
                bool *missing)
{
    struct store_subpoena sp = {0};
    struct store_enforcement e = {0};
    struct perm_viewer v;
    struct perm_case pc;
    enum store_rc rc = store_subpoena_get(s, id, &sp);
    int state = 0;

    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS)
        goto out_missing;
    if (sp.enforcement_id[0]) {
        rc = store_enforcement_get(s, sp.enforcement_id, &e);
        if (rc < 0)
            goto out_release;
    }
    (void)machine_state_parse(&subpoena_machine, sp.state, &state);
    memset(&pc, 0, sizeof pc);
    pc.kind = PERM_CASE_KIND_SUBPOENA;
    pc.state = state;
    pc.agency_org_id = sp.agency_org_id;
    pc.recipient_org_id = sp.recipient_org_id;
    pc.doj_org_id = e.doj_org_id[0] ? e.doj_org_id : NULL;
    pc.was_served = sp.served_at != 0;
    app_viewer(tx->req, &v);
    if (!perm_can_view(&v, &pc)) {
        store_enforcement_release(&e);
        store_subpoena_release(&sp);
        goto out_missing;
    }
    store_enforcement_release(&e);
    *out = sp;
    return STORE_ONE_RESULT;
out_release:
    store_enforcement_release(&e);
    store_subpoena_release(&sp);
    return rc;
out_missing:
    *missing = true;
    return app_fail(tx, CM_ERR_NOT_FOUND, NULL, "no subpoena with that id");
}

enum store_rc
h_subpoena_check_org(struct store *s,
                     struct app_tx *tx,
                     const char *org_id,
                     const char *kind,
                     const char *field)
{
    struct store_org o = {0};
    enum store_rc rc = store_org_get(s, org_id, &o);
    bool is_kind;

    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS)
        return app_fail(tx, CM_ERR_VALIDATION_FAILED, field,
                        "no organization with that id");
    is_kind = o.kind && strcmp(o.kind, kind) == 0;
    store_org_release(&o);
    if (!is_kind)
        return app_fail(tx, CM_ERR_VALIDATION_FAILED, field,
                        "the organization must be of kind %s", kind);
    return STORE_ONE_RESULT;
}

/* person_id and detainer_id, when given, must name existing records; a
 * detainer must belong to the agency `agency_org_id`. */
static enum store_rc
check_links(struct store *s,
            struct app_tx *tx,
            const char *person_id,
            const char *detainer_id,
            const char *agency_org_id)
{
    enum store_rc rc = STORE_ONE_RESULT;

    if (person_id) {
        struct store_person p = {0};

        rc = store_person_get(s, person_id, &p);
        store_person_release(&p);
        if (rc < 0)
            return rc;
        if (rc == STORE_NO_RESULTS)
            return app_fail(tx, CM_ERR_VALIDATION_FAILED, "person_id",
                            "no person with that id");
    }
    if (detainer_id) {
        struct store_detainer d = {0};
        bool ours;

        rc = store_detainer_get(s, detainer_id, &d);
        if (rc < 0)
            return rc;
        ours = rc == STORE_ONE_RESULT &&
               strcmp(d.agency_org_id, agency_org_id) == 0;
        store_detainer_release(&d);
        if (!ours)
            return app_fail(tx, CM_ERR_VALIDATION_FAILED, "detainer_id",
                            "no detainer of your agency with that id");
    }
    return STORE_ONE_RESULT;
}

/* Answer 201 with the subpoena `*body` (stolen), its ETag and Location. */
static void
reply_created(struct http_req *req,
              struct buf *body,
              const char *id,
              int64_t version)
{
    char loc[64 + STORE_ID_SIZE];

    (void)snprintf(loc, sizeof loc, "/api/v1/subpoenas/%s", id);
    (void)reply_json_text(req, 201, body);
    app_set_etag(req, version);
    (void)reply_add_header(req, "Location", loc);
}

/* ---- create --------------------------------------------------------------*/

struct item_in {
    int category;
    const char *description;
};

struct create_in {
    const char *recipient_org_id;
    const char *person_id;
    const char *detainer_id;
    const char *purpose;
    struct item_in *items;
    size_t n_items;
};

struct create_ctx {
    struct app_tx base;
    const struct create_in *in;
    struct app_idem idem;
    struct buf answer; /* the new subpoena, written directly */
    char id[STORE_ID_SIZE];
    int64_t version;
};

/* Check the items of a body; a bad one is 400 naming it (replied). */
static enum cm_err
check_items(struct http_req *req, const struct item_in *items, size_t n)
{
    char field[JSPEC_FIELD_MAX];

    if (n == 0)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "items",
                           "request at least one item");
    for (size_t i = 0; i < n; i++) {
        const char *cat = h_subpoena_categories[items[i].category];
        const char *d = items[i].description;

        if (strcmp(cat, "other") == 0 && (!d || !*d)) {
            (void)snprintf(field, sizeof field, "items[%zu].description", i);
            return reply_error(req, CM_ERR_VALIDATION_FAILED, field,
                               "an item of category other needs a "
                               "description");
        }
    }
    return CM_ERR_OK;
}

static enum store_rc
create_tx(struct store *s, void *ctx)
{
    struct create_ctx *c = ctx;
    struct http_req *req = c->base.req;
    const struct create_in *in = c->in;
    struct store_subpoena sp;
    struct store_org agency = {0};
    struct store_subpoena_item *items = NULL;
    int64_t now = app_now(app_of(req));
    int32_t year = 0;
    int month = 0;
    int mday = 0;
    enum store_rc rc;
    struct store_subpoena got = {0};
    size_t seen = 0;

    buf_reset(&c->answer);
    rc = h_subpoena_check_org(s, &c->base, in->recipient_org_id, "jurisdiction",
                              "recipient_org_id");
    if (rc != STORE_ONE_RESULT)
        return rc;
    rc = check_links(s, &c->base, in->person_id, in->detainer_id,
                     req->caller.org_id);
    if (rc != STORE_ONE_RESULT)
        return rc;
    rc = store_org_get(s, req->caller.org_id, &agency);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    date_to_ymd(app_today_in(agency.timezone, now), &year, &month, &mday);
    store_org_release(&agency);

    memset(&sp, 0, sizeof sp);
    cm_id_new(sp.id);
    rc = store_case_number_next(s, "SUB", (int)year, sp.number);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    sp.created_at = now;
    sp.updated_at = now;
    (void)snprintf(sp.agency_org_id, sizeof sp.agency_org_id, "%s",
                   req->caller.org_id);
    (void)snprintf(sp.recipient_org_id, sizeof sp.recipient_org_id, "%s",
                   in->recipient_org_id);
    (void)snprintf(sp.person_id, sizeof sp.person_id, "%s",
                   in->person_id ? in->person_id : "");
    (void)snprintf(sp.detainer_id, sizeof sp.detainer_id, "%s",
                   in->detainer_id ? in->detainer_id : "");
    (void)snprintf(sp.drafted_by, sizeof sp.drafted_by, "%s",
                   req->caller.user_id);
    sp.purpose = (char *)in->purpose;
    sp.state = (char *)"draft";
    items = cm_calloc(in->n_items, sizeof *items);
    for (size_t i = 0; i < in->n_items; i++) {
        cm_id_new(items[i].id);
        items[i].category =
            (char *)h_subpoena_categories[in->items[i].category];
        items[i].description = (char *)in->items[i].description;
    }
    sp.items = items;
    sp.n_items = in->n_items;
    rc = store_subpoena_insert(s, &sp);
    cm_free(items);
    if (rc == STORE_NO_RESULTS)
        rc = STORE_SOFT_ERROR; /* an id or number collided: try again */
    if (rc != STORE_ONE_RESULT)
        return rc;
    rc = cases_event(s, req, "subpoena", sp.id, "create",
                     json_pack("{s:I}", "items", (json_int_t)in->n_items));
    if (rc < 0)
        return rc;
    rc = app_audit(s, req, "subpoena.create", "subpoena", sp.id, "ok", NULL);
    if (rc < 0)
        return rc;
    /* read back and written as text, kept with the Idempotency-Key and
     * sent as it is: no JSON value built on the writer */
    rc = store_subpoena_get(s, sp.id, &got);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    rc = h_subpoena_write(s, req, &got, false, &c->answer, &seen);
    c->version = got.version;
    store_subpoena_release(&got);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    rc = app_idem_save_text(s, &c->base, &c->idem, 201, buf_str(&c->answer));
    if (rc < 0)
        return rc;
    (void)snprintf(c->id, sizeof c->id, "%s", sp.id);
    return STORE_ONE_RESULT;
}

static enum cm_err
h_subpoenas_create(struct http_req *req)
{
    struct create_in in;
    struct item_in proto = {.category = 0, .description = NULL};
    const struct jspec item_spec[] = {
        JSPEC_ENUM("category", &proto.category, h_subpoena_categories,
                   JSPEC_REQUIRED),
        JSPEC_STR("description", &proto.description, JSPEC_OPTIONAL),
        JSPEC_FORBID("id"),
        JSPEC_FORBID("outcome"),
        JSPEC_FORBID("ground"),
        JSPEC_FORBID("value"),
        JSPEC_END,
    };
    const struct jspec spec[] = {
        JSPEC_STR_MAX("recipient_org_id", &in.recipient_org_id, CM_ID_LEN,
                      JSPEC_REQUIRED),
        JSPEC_STR_MAX("person_id", &in.person_id, CM_ID_LEN, JSPEC_OPTIONAL),
        JSPEC_STR_MAX("detainer_id", &in.detainer_id, CM_ID_LEN,
                      JSPEC_OPTIONAL),
        JSPEC_STR("purpose", &in.purpose, JSPEC_REQUIRED),
        JSPEC_ARR("items", &in.items, &in.n_items, item_spec, &proto, MAX_ITEMS,
                  JSPEC_REQUIRED),
        SERVER_FIELDS,
        JSPEC_END,
    };
    struct create_ctx c;
    enum cm_err err;

    memset(&in, 0, sizeof in);
    memset(&c, 0, sizeof c);
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        goto out_free;
    if (!*in.purpose) {
        err = reply_error(req, CM_ERR_VALIDATION_FAILED, "purpose",
                          "say what the records are needed for");
        goto out_free;
    }
    err = check_items(req, in.items, in.n_items);
    if (err != CM_ERR_OK)
        goto out_free;
    if (app_idem_begin(req, &c.base, &c.idem)) {
        err = CM_ERR_OK; /* answered: a replay or a conflict */
        goto out_free;
    }
    c.in = &in;
    err = app_run(req, "subpoena_create", create_tx, &c.base);
    if (err != CM_ERR_OK)
        goto out_free;
    reply_created(req, &c.answer, c.id, c.version);
out_free:
    buf_release(&c.answer);
    cm_free(in.items);
    return err;
}

/* ---- read one ------------------------------------------------------------*/

/* Whether the caller's roles may see the produced item values: the
 * recipient's custodian and counsel, the agency's roles, the auditor and
 * DOJ (who sees a subpoena only once it is referred to it). Booking staff
 * see a subpoena to their jurisdiction but not the values. */
static bool
may_see_values(const struct http_req *req)
{
    const role_set need = ROLE_BIT(ROLE_CUSTODIAN) |
                          ROLE_BIT(ROLE_RECIPIENT_COUNSEL) |
                          ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_SIGNER) |
                          ROLE_BIT(ROLE_AGENCY_COUNSEL) |
                          ROLE_BIT(ROLE_AUDITOR) | ROLE_BIT(ROLE_DOJ_ATTORNEY);

    return (req->roles & need) != 0;
}

struct get_ctx {
    struct app_tx base;
    const char *id;
    bool missing;
    json_t *out;       /* the history */
    struct buf answer; /* the subpoena, written directly */
    int64_t version;
    size_t seen; /* item values shown */
};

static enum store_rc
get_tx(struct store *s, void *ctx)
{
    struct get_ctx *c = ctx;
    struct http_req *req = c->base.req;
    struct store_subpoena sp = {0};
    bool values = may_see_values(req);
    size_t seen = 0;
    enum store_rc rc;

    buf_reset(&c->answer);
    c->missing = false;
    rc = h_subpoena_load(s, &c->base, c->id, &sp, &c->missing);
    if (rc != STORE_ONE_RESULT)
        return rc;
    rc = h_subpoena_write(s, req, &sp, values, &c->answer, &seen);
    if (rc == STORE_ONE_RESULT) {
        c->version = sp.version;
        c->seen = seen;
    }
    store_subpoena_release(&sp);
    return rc;
}

static enum cm_err
h_subpoenas_get(struct http_req *req)
{
    struct get_ctx c;
    enum cm_err err;

    memset(&c, 0, sizeof c);
    c.id = http_req_param(req, "id");
    /* The read and the rendering run on this worker's own connection; only
     * the audit record of a read of item values goes to the writer, and
     * the answer leaves once that record is committed. */
    err = app_run_read(req, "subpoena_get", get_tx, &c.base);
    if (err != CM_ERR_OK) {
        buf_release(&c.answer);
        /* on libmicrohttpd's thread (ROUTE_FLAG_INLINE): the refusal's
         * record is committed while the request is parked */
        if (c.missing)
            return app_audit_refusal(req, err, "subpoena.read", "subpoena",
                                     c.id, "not_found");
        return err;
    }
    (void)reply_json_text(req, 200, &c.answer);
    app_set_etag(req, c.version);
    if (c.seen > 0) {
        char detail[64];

        /* Item values are personal data: their reading is recorded, with
         * how many were shown and never what they are; the answer leaves
         * once the record is committed (503 instead if it cannot be). */
        (void)snprintf(detail, sizeof detail, "values=%zu", c.seen);
        return app_audit_then_reply(req, "subpoena.response.read", "subpoena",
                                    c.id, detail);
    }
    return CM_ERR_OK;
}

/* ---- history -------------------------------------------------------------*/

static enum store_rc
history_tx(struct store *s, void *ctx)
{
    struct get_ctx *c = ctx;
    struct store_subpoena sp = {0};
    enum store_rc rc;

    json_decref(c->out);
    c->out = NULL;
    c->missing = false;
    rc = h_subpoena_load(s, &c->base, c->id, &sp, &c->missing);
    if (rc != STORE_ONE_RESULT)
        return rc;
    store_subpoena_release(&sp);
    c->out = cases_history_json(s, "subpoena", c->id);
    if (!c->out)
        return STORE_HARD_ERROR;
    (void)json_object_set_new(c->out, "next_cursor", json_null());
    return STORE_ONE_RESULT;
}

static enum cm_err
h_subpoenas_history(struct http_req *req)
{
    struct get_ctx c;
    enum cm_err err;

    memset(&c, 0, sizeof c);
    c.id = http_req_param(req, "id");
    err = app_run_read(req, "subpoena_history", history_tx, &c.base);
    if (err != CM_ERR_OK) {
        if (c.missing)
            app_audit_alone(req, NULL, "subpoena.history", "subpoena", c.id,
                            "not_found", NULL);
        json_decref(c.out);
        return err;
    }
    return reply_json(req, 200, c.out);
}

/* ---- edit a draft --------------------------------------------------------*/

struct patch_in {
    const char *recipient_org_id;
    const char *person_id;
    const char *detainer_id;
    const char *purpose;
    struct item_in *items;
    size_t n_items;
    bool has_items;
};

struct patch_ctx {
    struct app_tx base;
    const char *id;
    const struct patch_in *in;
    int64_t if_match;
    bool missing;
    json_t *out;
    int64_t version;
};

/* Replace the owned string *slot with a copy of `v`. */
static void
set_str(char **slot, const char *v)
{
    cm_free(*slot);
    *slot = cm_strdup(v);
}

/* Replace the items of draft `sp` by the n requested in `items` (new
 * ids, positions 1..n). */
static enum store_rc
replace_items(struct store *s,
              struct store_subpoena *sp,
              const struct item_in *items,
              size_t n)
{
    struct store_subpoena_item *old = sp->items;
    size_t old_n = sp->n_items;
    struct store_subpoena_item *fresh = cm_calloc(n, sizeof *fresh);
    enum store_rc rc;

    for (size_t i = 0; i < n; i++) {
        cm_id_new(fresh[i].id);
        fresh[i].category = (char *)h_subpoena_categories[items[i].category];
        fresh[i].description = (char *)items[i].description;
    }
    sp->items = fresh;
    sp->n_items = n;
    rc = store_subpoena_items_replace(s, sp);
    sp->items = old;
    sp->n_items = old_n;
    cm_free(fresh);
    if (rc == STORE_NO_RESULTS)
        rc = STORE_SOFT_ERROR; /* an item id collided: try again */
    return rc;
}

static enum store_rc
patch_tx(struct store *s, void *ctx)
{
    struct patch_ctx *c = ctx;
    struct http_req *req = c->base.req;
    const struct patch_in *in = c->in;
    struct store_subpoena sp = {0};
    json_t *fields = json_array();
    enum store_rc rc;
    enum cm_err err;
    int state = 0;
    int to = 0;
    enum guard g = GUARD_NONE;

    json_decref(c->out);
    c->out = NULL;
    c->missing = false;
    rc = h_subpoena_load(s, &c->base, c->id, &sp, &c->missing);
    if (rc != STORE_ONE_RESULT)
        goto out_fields;
    if (c->if_match != sp.version) {
        rc = app_fail(&c->base, CM_ERR_PRECONDITION_FAILED, "If-Match",
                      "the subpoena is at version %lld; read it again",
                      (long long)sp.version);
        goto out_release;
    }
    (void)machine_state_parse(&subpoena_machine, sp.state, &state);
    err = machine_apply(&subpoena_machine, state, SUBPOENA_ACTION_EDIT,
                        req->roles, NULL, NULL, &to, &g);
    if (err != CM_ERR_OK) {
        rc = app_fail(&c->base, err, NULL,
                      err == CM_ERR_STATE_CONFLICT
                          ? "only a draft can be edited; this one is %s"
                          : "your role may not edit this subpoena (%s)",
                      sp.state);
        goto out_release;
    }
    if (in->recipient_org_id) {
        rc = h_subpoena_check_org(s, &c->base, in->recipient_org_id,
                                  "jurisdiction", "recipient_org_id");
        if (rc != STORE_ONE_RESULT)
            goto out_release;
        (void)snprintf(sp.recipient_org_id, sizeof sp.recipient_org_id, "%s",
                       in->recipient_org_id);
        (void)json_array_append_new(fields, json_string("recipient_org_id"));
    }
    rc = check_links(s, &c->base, in->person_id, in->detainer_id,
                     sp.agency_org_id);
    if (rc != STORE_ONE_RESULT)
        goto out_release;
    if (in->person_id) {
        (void)snprintf(sp.person_id, sizeof sp.person_id, "%s", in->person_id);
        (void)json_array_append_new(fields, json_string("person_id"));
    }
    if (in->detainer_id) {
        (void)snprintf(sp.detainer_id, sizeof sp.detainer_id, "%s",
                       in->detainer_id);
        (void)json_array_append_new(fields, json_string("detainer_id"));
    }
    if (in->purpose) {
        set_str(&sp.purpose, in->purpose);
        (void)json_array_append_new(fields, json_string("purpose"));
    }
    sp.updated_at = app_now(app_of(req));
    rc = store_subpoena_update(s, &sp);
    if (rc == STORE_NO_RESULTS)
        rc = app_fail(&c->base, CM_ERR_PRECONDITION_FAILED, "If-Match",
                      "the subpoena changed meanwhile; read it again");
    if (rc < 0)
        goto out_release;
    if (in->has_items) {
        rc = replace_items(s, &sp, in->items, in->n_items);
        if (rc < 0)
            goto out_release;
        (void)json_array_append_new(fields, json_string("items"));
    }
    rc = cases_event(s, req, "subpoena", sp.id, "edit",
                     json_pack("{s:O}", "fields", fields));
    if (rc >= 0)
        rc = app_audit(s, req, "subpoena.edit", "subpoena", sp.id, "ok", NULL);
    if (rc >= 0)
        rc = h_subpoena_render_id(s, req, sp.id, &c->out, &c->version);
out_release:
    store_subpoena_release(&sp);
out_fields:
    json_decref(fields);
    return rc;
}

static enum cm_err
h_subpoenas_patch(struct http_req *req)
{
    struct patch_in in;
    struct item_in proto = {.category = 0, .description = NULL};
    const struct jspec item_spec[] = {
        JSPEC_ENUM("category", &proto.category, h_subpoena_categories,
                   JSPEC_REQUIRED),
        JSPEC_STR("description", &proto.description, JSPEC_OPTIONAL),
        JSPEC_END,
    };
    const struct jspec spec[] = {
        JSPEC_STR_MAX("recipient_org_id", &in.recipient_org_id, CM_ID_LEN,
                      JSPEC_OPTIONAL),
        JSPEC_STR_MAX("person_id", &in.person_id, CM_ID_LEN, JSPEC_OPTIONAL),
        JSPEC_STR_MAX("detainer_id", &in.detainer_id, CM_ID_LEN,
                      JSPEC_OPTIONAL),
        JSPEC_STR("purpose", &in.purpose, JSPEC_OPTIONAL),
        JSPEC_ARR("items", &in.items, &in.n_items, item_spec, &proto, MAX_ITEMS,
                  JSPEC_OPTIONAL),
        SERVER_FIELDS,
        JSPEC_END,
    };
    struct patch_ctx c;
    json_t *body = NULL;
    enum cm_err err;

    memset(&in, 0, sizeof in);
    memset(&c, 0, sizeof c);
    c.id = http_req_param(req, "id");
    err = app_if_match(req, &c.if_match);
    if (err != CM_ERR_OK)
        goto out_free;
    if (c.if_match < 0) {
        err = reply_error(req, CM_ERR_PRECONDITION_REQUIRED, "If-Match",
                          "send If-Match with the version you read");
        goto out_free;
    }
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        goto out_free;
    if (body_json(req, &body) == CM_ERR_OK)
        in.has_items = json_object_get(body, "items") &&
                       !json_is_null(json_object_get(body, "items"));
    if (in.purpose && !*in.purpose) {
        err = reply_error(req, CM_ERR_VALIDATION_FAILED, "purpose",
                          "say what the records are needed for");
        goto out_free;
    }
    if (in.has_items) {
        err = check_items(req, in.items, in.n_items);
        if (err != CM_ERR_OK)
            goto out_free;
    }
    c.in = &in;
    err = app_run(req, "subpoena_edit", patch_tx, &c.base);
    if (err != CM_ERR_OK) {
        if (c.missing)
            app_audit_alone(req, NULL, "subpoena.edit", "subpoena", c.id,
                            "not_found", NULL);
        goto out_free;
    }
    (void)reply_json(req, 200, c.out);
    c.out = NULL;
    app_set_etag(req, c.version);
out_free:
    json_decref(c.out);
    cm_free(in.items);
    return err;
}

/* ---- list ----------------------------------------------------------------*/

/* The caller's scope (store_cases.h), from the organization and roles. */
static void
scope_of(const struct http_req *req, struct store_scope *sc)
{
    const role_set agency = ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_SIGNER) |
                            ROLE_BIT(ROLE_AGENCY_COUNSEL);

    memset(sc, 0, sizeof *sc);
    if (app_has_role(req, ROLE_AUDITOR)) {
        sc->all = true;
        return;
    }
    switch ((enum org_kind)req->caller.org_kind) {
    case ORG_KIND_AGENCY_OFFICE:
        if (req->roles & agency)
            (void)snprintf(sc->agency_org_id, sizeof sc->agency_org_id, "%s",
                           req->caller.org_id);
        break;
    case ORG_KIND_JURISDICTION:
        (void)snprintf(sc->jurisdiction_org_id, sizeof sc->jurisdiction_org_id,
                       "%s", req->caller.org_id);
        break;
    case ORG_KIND_DOJ_OFFICE:
        if (app_has_role(req, ROLE_DOJ_ATTORNEY))
            (void)snprintf(sc->doj_org_id, sizeof sc->doj_org_id, "%s",
                           req->caller.org_id);
        break;
    case ORG_KIND__COUNT:
    default:
        break;
    }
}

/* Parse a cursor "<created_at>.<id>"; false when it is not one. */
static bool
cursor_parse(const char *text, struct store_cursor *out)
{
    const char *dot = strchr(text, '.');
    char *end = NULL;
    long long at;

    if (!dot || dot == text || strlen(dot + 1) != CM_ID_LEN)
        return false;
    for (const char *p = text; p < dot; p++)
        if (*p < '0' || *p > '9')
            return false;
    at = strtoll(text, &end, 10);
    if (end != dot || at < 0)
        return false;
    for (const char *p = dot + 1; *p; p++) {
        bool ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                  (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';

        if (!ok)
            return false;
    }
    *out = store_cursor_after((int64_t)at, dot + 1);
    return true;
}

struct list_ctx {
    struct app_tx base;
    const struct store_scope *scope;
    const struct store_case_filter *filter;
    const struct store_cursor *after;
    int limit;
    bool only_overdue;
    json_t *items;
    int rows;
    int64_t last_created_at;
    char last_id[STORE_ID_SIZE];
};

static void
list_cb(void *cls, const struct store_subpoena *sp)
{
    struct list_ctx *c = cls;

    c->rows++;
    c->last_created_at = sp->created_at;
    (void)snprintf(c->last_id, sizeof c->last_id, "%s", sp->id);
    (void)json_array_append_new(
        c->items,
        json_pack("{s:s, s:I, s:o, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:o,"
                  " s:o, s:o, s:o, s:o, s:o, s:o}",
                  "id", sp->id, "version", (json_int_t)sp->version,
                  "created_at", app_json_time(sp->created_at), "updated_at",
                  app_json_time(sp->updated_at), "number", sp->number,
                  "agency_org_id", sp->agency_org_id, "recipient_org_id",
                  sp->recipient_org_id, "person_id",
                  app_json_str(sp->person_id), "detainer_id",
                  app_json_str(sp->detainer_id), "purpose",
                  app_json_str(sp->purpose), "state", app_json_str(sp->state),
                  "disposition", app_json_str(sp->disposition), "served_at",
                  app_json_time(sp->served_at), "return_date",
                  app_json_str(sp->return_date), "original_return_date",
                  app_json_str(sp->original_return_date), "responded_at",
                  app_json_time(sp->responded_at), "enforcement_id",
                  app_json_str(sp->enforcement_id)));
}

/* Today in the time zone of organization `org_id`, remembered in `memo`
 * (a JSON object: org id -> day) so each zone is read once a request. */
static enum store_rc
org_today(struct store *s,
          const char *org_id,
          int64_t now,
          json_t *memo,
          int32_t *today)
{
    json_t *known = json_object_get(memo, org_id);
    struct store_org o = {0};
    enum store_rc rc;

    if (known) {
        *today = (int32_t)json_integer_value(known);
        return STORE_ONE_RESULT;
    }
    rc = store_org_get(s, org_id, &o);
    if (rc < 0)
        return rc;
    *today = app_today_in(rc == STORE_ONE_RESULT ? o.timezone : NULL, now);
    store_org_release(&o);
    (void)json_object_set_new(memo, org_id, json_integer(*today));
    return STORE_ONE_RESULT;
}

static enum store_rc
list_tx(struct store *s, void *ctx)
{
    struct list_ctx *c = ctx;
    int64_t now = app_now(app_of(c->base.req));
    json_t *kept = json_array();
    json_t *memo = json_object();
    enum store_rc rc = STORE_ONE_RESULT;
    size_t i;
    json_t *it;
    int n;

    json_decref(c->items);
    c->items = json_array();
    c->rows = 0;
    c->last_id[0] = '\0';
    n = store_subpoena_list(s, c->scope, c->filter, c->after, c->limit, list_cb,
                            c);
    if (n < 0) {
        rc = (enum store_rc)n;
        goto out_release;
    }
    json_array_foreach (c->items, i, it) {
        const char *state = json_string_value(json_object_get(it, "state"));
        const char *ret = json_string_value(json_object_get(it, "return_date"));
        bool responded = !json_is_null(json_object_get(it, "responded_at"));
        const char *recip =
            json_string_value(json_object_get(it, "recipient_org_id"));
        enum subpoena_state st = SUBPOENA_STATE_DRAFT;
        int32_t ret_day = 0;
        int32_t today = 0;
        bool overdue = false;

        if (state && ret && subpoena_state_parse(state, &st) &&
            date_parse(ret, &ret_day) == CM_ERR_OK) {
            rc = org_today(s, recip, now, memo, &today);
            if (rc < 0)
                goto out_release;
            overdue = subpoena_is_overdue(st, ret_day, responded, today);
        }
        if (c->only_overdue && !overdue)
            continue;
        (void)json_object_set_new(it, "overdue", json_boolean(overdue));
        (void)json_array_append(kept, it);
    }
    json_decref(c->items);
    c->items = kept;
    kept = NULL;
    rc = STORE_ONE_RESULT;
out_release:
    json_decref(kept);
    json_decref(memo);
    return rc;
}

/* Check a comma-separated list of state names. */
static bool
is_state_list(const char *text)
{
    char one[32];
    const char *p = text;

    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        enum subpoena_state st;

        if (n == 0 || n >= sizeof one)
            return false;
        memcpy(one, p, n);
        one[n] = '\0';
        if (!subpoena_state_parse(one, &st))
            return false;
        p += n + (comma ? 1 : 0);
        if (comma && !*p)
            return false;
    }
    return *text != '\0';
}

static enum cm_err
h_subpoenas_list(struct http_req *req)
{
    struct store_scope scope;
    struct store_case_filter filter;
    struct store_cursor after;
    struct list_ctx c;
    const char *cursor = NULL;
    const char *overdue = http_req_query(req, "overdue");
    char bound[DATE_STR_SIZE];
    json_t *page;
    enum cm_err err;
    int limit = 50;

    memset(&filter, 0, sizeof filter);
    memset(&c, 0, sizeof c);
    err = app_page_params(req, &limit, &cursor);
    if (err != CM_ERR_OK)
        return err;
    if (cursor && !cursor_parse(cursor, &after))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "cursor",
                           "cursor must be a next_cursor value from a "
                           "previous page");
    filter.state = http_req_query(req, "state");
    if (filter.state && !is_state_list(filter.state))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "state",
                           "state must be subpoena states separated by "
                           "commas (draft, served, ...)");
    filter.recipient_org_id = http_req_query(req, "recipient_org_id");
    filter.person_id = http_req_query(req, "person_id");
    filter.agency_org_id = http_req_query(req, "agency_org_id");
    filter.number = http_req_query(req, "number");
    if (overdue && strcmp(overdue, "true") != 0 &&
        strcmp(overdue, "false") != 0)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "overdue",
                           "overdue must be true or false");
    if (overdue && strcmp(overdue, "true") == 0) {
        /* The store narrows to return dates before the latest "today"
         * anywhere (UTC+14); each row is then judged in its recipient's
         * own time zone. */
        int64_t now = app_now(app_of(req));

        date_format(date_time_day(now / 1000000 + 14 * 3600), bound);
        filter.overdue_before = bound;
        c.only_overdue = true;
    }
    scope_of(req, &scope);
    if (h_imports_wants_csv(req))
        return h_imports_export_csv(req, BULK_EXPORT_KIND_SUBPOENAS, &scope,
                                    &filter);
    c.scope = &scope;
    c.filter = &filter;
    c.after = cursor ? &after : NULL;
    c.limit = limit;
    err = app_run_read(req, "subpoena_list", list_tx, &c.base);
    if (err != CM_ERR_OK) {
        json_decref(c.items);
        return err;
    }
    page = json_pack("{s:o, s:n}", "items", c.items, "next_cursor");
    if (c.rows == limit && c.last_id[0]) {
        char next[40 + STORE_ID_SIZE];

        (void)snprintf(next, sizeof next, "%lld.%s",
                       (long long)c.last_created_at, c.last_id);
        (void)json_object_set_new(page, "next_cursor", json_string(next));
    }
    return reply_json(req, 200, page);
}
