/*
 * h_subpoena_actions.c: the actions on a subpoena,
 * POST /api/v1/subpoenas/{id}/actions/{action} (API.md "Subpoenas"), and
 * the JSON form of a subpoena that every subpoena route answers.
 *
 * Each action is one transaction: load the subpoena (out of scope: 404,
 * audited), honor If-Match when sent, gather the guard facts (the signer's
 * title and delegations, the office's review rule, overdue in the
 * recipient's time zone, the disposition), ask the machine
 * (domain/subpoena.h: 403, 409, or 422 with the guard's code in the
 * problem's `field`), apply the effects, write with the version read (a
 * concurrent change answers 409: of two concurrent actions only one
 * wins), add the timeline event and the one audit record, and answer 200
 * with the subpoena as it now stands. An unknown action answers 400
 * naming `action`.
 *
 * Return dates: `serve` computes one from `return_days` under FRCP 6(a)(1)
 * ("frcp6-days") on the recipient's calendar, counting from the day of
 * service in the recipient's time zone, or stores a given `return_date`;
 * `extend` moves it later and keeps `original_return_date`.
 *
 * The JSON form is written as text straight into a buffer
 * (h_subpoena_write: GET answers with that text, no jansson value built);
 * the routes that need a jansson value (an action's answer, a create kept
 * for Idempotency-Key replays) read that text back, so the forms agree.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "domain/date.h"
#include "domain/deadline.h"
#include "domain/machine.h"
#include "domain/subpoena.h"
#include "http/app.h"
#include "http/body.h"
#include "http/cases.h"
#include "http/documents.h"
#include "http/jsonout.h"
#include "http/jspec.h"
#include "http/reply.h"
#include "http/server.h"
#include "http/signature.h"
#include "http/subpoenas.h"
#include "store/store.h"

/* ---- guard facts and the JSON form -------------------------------------*/

/* What the guards and the JSON form need to know beyond the row. */
struct sub_facts {
    struct guard_facts f;
    struct store_user me; /* the caller, when a signer (for the title) */
    char recipient_tz[64];
    char agency_tz[64];
    int32_t today_recipient;
    int32_t today_agency;
    bool is_overdue;
};

static enum store_rc
facts_fill(struct store *s,
           struct http_req *req,
           const struct store_subpoena *sp,
           struct sub_facts *out)
{
    struct store_org agency = {0};
    struct store_org recip = {0};
    struct store_enforcement e = {0};
    struct store_delegation d = {0};
    int64_t now = app_now(app_of(req));
    enum store_rc rc;
    int32_t return_day = 0;
    int state = 0;

    memset(out, 0, sizeof *out);
    rc = store_org_get(s, sp->agency_org_id, &agency);
    if (rc == STORE_ONE_RESULT)
        rc = store_org_get(s, sp->recipient_org_id, &recip);
    if (rc != STORE_ONE_RESULT) {
        rc = rc < 0 ? rc : STORE_HARD_ERROR;
        goto out_release;
    }
    (void)snprintf(out->recipient_tz, sizeof out->recipient_tz, "%s",
                   recip.timezone ? recip.timezone : "UTC");
    (void)snprintf(out->agency_tz, sizeof out->agency_tz, "%s",
                   agency.timezone ? agency.timezone : "UTC");
    out->today_recipient = app_today_in(out->recipient_tz, now);
    out->today_agency = app_today_in(out->agency_tz, now);
    if (app_has_role(req, ROLE_SIGNER)) {
        char today[DATE_STR_SIZE];

        rc = store_user_get(s, req->caller.user_id, &out->me);
        if (rc < 0)
            goto out_release;
        date_format(out->today_agency, today);
        rc = store_delegation_in_force(s, req->caller.user_id, today, &d);
        if (rc < 0)
            goto out_release;
        out->f.signer_has_delegation = rc == STORE_ONE_RESULT;
    }
    if (sp->enforcement_id[0]) {
        rc = store_enforcement_get(s, sp->enforcement_id, &e);
        if (rc < 0)
            goto out_release;
        out->f.enforcement_closed =
            rc == STORE_ONE_RESULT && e.state && strcmp(e.state, "closed") == 0;
    }
    (void)machine_state_parse(&subpoena_machine, sp->state, &state);
    if (sp->return_date)
        (void)date_parse(sp->return_date, &return_day);
    out->is_overdue =
        sp->return_date &&
        subpoena_is_overdue((enum subpoena_state)state, return_day,
                            sp->responded_at != 0, out->today_recipient);
    out->f.actor_user_id = req->caller.user_id;
    out->f.drafter_user_id = sp->drafted_by;
    out->f.signer_title = out->me.title;
    out->f.office_requires_review = agency.requires_counsel_review;
    /* What allowed_actions shows: serving takes its proof with the
     * request, so it is assumed here; the serve action checks it. */
    out->f.has_proof_of_service = true;
    out->f.is_overdue = out->is_overdue;
    out->f.disposition = SUBPOENA_DISPOSITION_NONE;
    if (sp->disposition)
        (void)subpoena_disposition_parse(sp->disposition, &out->f.disposition);
    rc = STORE_ONE_RESULT;
out_release:
    if (rc != STORE_ONE_RESULT)
        store_user_release(&out->me);
    store_delegation_release(&d);
    store_enforcement_release(&e);
    store_org_release(&agency);
    store_org_release(&recip);
    return rc;
}

static void
facts_release(struct sub_facts *f)
{
    store_user_release(&f->me);
}

/* Append `name` (a literal with its quotes, colon and leading comma) and
 * then the string `v` or null (NULL or ""). */
static void
add_text(struct buf *b, const char *name, const char *v)
{
    buf_adds(b, name);
    jsonout_add_text(b, v);
}

/* Append `name` and then the time `us` or null (0). */
static void
add_time(struct buf *b, const char *name, int64_t us)
{
    buf_adds(b, name);
    app_add_time(b, us);
}

/* Append `name` and then the string `v` (never null). */
static void
add_string(struct buf *b, const char *name, const char *v)
{
    buf_adds(b, name);
    jsonout_add_string(b, v, strlen(v));
}

struct extensions_out {
    struct buf *out;
    size_t n;
};

static void
extension_cb(void *cls, const struct store_extension *x)
{
    struct extensions_out *w = cls;
    struct buf *b = w->out;

    if (w->n++ > 0)
        buf_addch(b, ',');
    add_text(b, "{\"old_return_date\":", x->old_return_date);
    add_text(b, ",\"new_return_date\":", x->new_return_date);
    add_text(b, ",\"reason\":", x->reason);
    add_text(b, ",\"extended_by\":", x->by_user);
    add_time(b, ",\"extended_at\":", x->at);
    buf_addch(b, '}');
}

/* Append the signer as {id, name, title}, or null. */
static enum store_rc
signer_write(struct store *s, const char *user_id, struct buf *b)
{
    struct store_user u = {0};
    enum store_rc rc;

    if (!user_id[0]) {
        buf_add(b, "null", 4);
        return STORE_ONE_RESULT;
    }
    rc = store_user_get(s, user_id, &u);
    if (rc < 0)
        return rc;
    add_string(b, "{\"id\":", user_id);
    if (rc == STORE_NO_RESULTS) {
        buf_adds(b, ",\"name\":null,\"title\":null}");
    } else {
        add_text(b, ",\"name\":", u.name);
        add_text(b, ",\"title\":", u.title);
        buf_addch(b, '}');
    }
    store_user_release(&u);
    return STORE_ONE_RESULT;
}

/* Append the items; with `values` each carries its opened value (or
 * null), and *n_values counts those that had one. */
static enum store_rc
items_write(struct http_req *req,
            const struct store_subpoena *sp,
            bool values,
            struct buf *b,
            size_t *n_values)
{
    struct buf plain = BUF_INIT;
    enum store_rc rc = STORE_ONE_RESULT;
    size_t seen = 0;

    buf_addch(b, '[');
    for (size_t i = 0; i < sp->n_items; i++) {
        const struct store_subpoena_item *it = &sp->items[i];

        if (i > 0)
            buf_addch(b, ',');
        add_string(b, "{\"id\":", it->id);
        buf_adds(b, ",\"position\":");
        jsonout_add_int(b, it->position);
        add_text(b, ",\"category\":", it->category);
        add_text(b, ",\"description\":", it->description);
        add_text(b, ",\"outcome\":", it->outcome);
        add_text(b, ",\"ground\":", it->ground);
        if (values) {
            buf_adds(b, ",\"value\":");
            if (!it->value.data) {
                buf_add(b, "null", 4);
            } else {
                buf_reset(&plain);
                if (fieldcrypt_open(&app_of(req)->fc, it->id, "value",
                                    it->value.data, it->value.len,
                                    &plain) != CM_ERR_OK) {
                    rc = STORE_HARD_ERROR;
                    goto out_release;
                }
                /* A value jansson would not take as a string was shown
                 * as null (and still counted as shown). */
                if (jsonout_is_utf8(buf_str(&plain), plain.len))
                    jsonout_add_string(b, buf_str(&plain), plain.len);
                else
                    buf_add(b, "null", 4);
                seen++;
            }
        }
        buf_addch(b, '}');
    }
    buf_addch(b, ']');
    *n_values = seen;
out_release:
    buf_release(&plain);
    return rc;
}

/*
 * Append the JSON text of subpoena `sp` to `b`. The fields that need a
 * store read (signer, extensions, deadlines, documents) are read first,
 * into buffers of their own, so that the object is written in its order:
 * the return date's explanation, early in it, comes from the deadlines.
 */
static enum store_rc
subpoena_write(struct store *s,
               struct http_req *req,
               const struct store_subpoena *sp,
               const struct sub_facts *f,
               bool values,
               struct buf *b,
               size_t *n_values)
{
    struct buf signer = BUF_INIT;
    struct buf ext = BUF_INIT;
    struct buf deadlines = BUF_INIT;
    struct buf explain = BUF_INIT;
    struct buf docs = BUF_INIT;
    struct extensions_out ext_out = {&ext, 0};
    enum store_rc rc;
    size_t seen = 0;
    int state = 0;
    int n;

    rc = signer_write(s, sp->signed_by, &signer);
    if (rc < 0)
        goto out_release;
    buf_addch(&ext, '[');
    n = store_extension_list(s, sp->id, extension_cb, &ext_out);
    if (n < 0) {
        rc = (enum store_rc)n;
        goto out_release;
    }
    buf_addch(&ext, ']');
    rc = cases_deadlines_write(s, "subpoena", sp->id, &deadlines, &explain);
    if (rc < 0)
        goto out_release;
    rc = documents_case_write(s, "subpoena", sp->id, &docs);
    if (rc < 0)
        goto out_release;
    (void)machine_state_parse(&subpoena_machine, sp->state, &state);

    /* about 1,100 bytes with two items and a return date */
    buf_grow(b, 1024 + signer.len + ext.len + 2 * deadlines.len + docs.len +
                    sp->n_items * 256);
    add_string(b, "{\"id\":", sp->id);
    buf_adds(b, ",\"version\":");
    jsonout_add_int(b, sp->version);
    add_time(b, ",\"created_at\":", sp->created_at);
    add_time(b, ",\"updated_at\":", sp->updated_at);
    add_string(b, ",\"number\":", sp->number);
    add_string(b, ",\"agency_org_id\":", sp->agency_org_id);
    add_string(b, ",\"recipient_org_id\":", sp->recipient_org_id);
    add_text(b, ",\"person_id\":", sp->person_id);
    add_text(b, ",\"detainer_id\":", sp->detainer_id);
    add_text(b, ",\"purpose\":", sp->purpose);
    add_text(b, ",\"state\":", sp->state);
    add_text(b, ",\"disposition\":", sp->disposition);
    buf_adds(b, f->is_overdue ? ",\"overdue\":true" : ",\"overdue\":false");
    add_text(b, ",\"drafted_by\":", sp->drafted_by);
    buf_adds(b, ",\"signed_by\":");
    buf_add(b, signer.data, signer.len);
    add_time(b, ",\"signed_at\":", sp->signed_at);
    add_time(b, ",\"served_at\":", sp->served_at);
    add_text(b, ",\"method\":", sp->service_method);
    add_text(b, ",\"service_method\":", sp->service_method);
    add_text(b, ",\"served_to\":", sp->served_to);
    add_time(b, ",\"acknowledged_at\":", sp->acknowledged_at);
    add_text(b, ",\"return_date\":", sp->return_date);
    buf_adds(b, ",\"return_date_explain\":");
    if (explain.len > 0)
        buf_add(b, explain.data, explain.len);
    else
        buf_add(b, "null", 4);
    add_text(b, ",\"original_return_date\":", sp->original_return_date);
    buf_adds(b, ",\"extensions\":");
    buf_add(b, ext.data, ext.len);
    add_time(b, ",\"responded_at\":", sp->responded_at);
    if (values)
        add_text(b, ",\"response_note\":", sp->response_note);
    add_text(b, ",\"refusal_reason\":", sp->refusal_reason);
    add_text(b, ",\"withdrawal_reason\":", sp->withdrawal_reason);
    buf_adds(b, ",\"items\":");
    rc = items_write(req, sp, values, b, &seen);
    if (rc < 0)
        goto out_release;
    add_text(b, ",\"enforcement_id\":", sp->enforcement_id);
    buf_adds(b, ",\"deadlines\":");
    buf_add(b, deadlines.data, deadlines.len);
    buf_adds(b, ",\"allowed_actions\":");
    cases_allowed_write(&subpoena_machine, state, req->roles, &f->f, b);
    buf_adds(b, ",\"documents\":");
    buf_add(b, docs.data, docs.len);
    buf_addch(b, '}');
    *n_values = seen;
    rc = STORE_ONE_RESULT;
out_release:
    buf_release(&signer);
    buf_release(&ext);
    buf_release(&deadlines);
    buf_release(&explain);
    buf_release(&docs);
    return rc;
}

enum store_rc
h_subpoena_write(struct store *s,
                 struct http_req *req,
                 const struct store_subpoena *sp,
                 bool values,
                 struct buf *out,
                 size_t *n_values)
{
    struct sub_facts f;
    enum store_rc rc = facts_fill(s, req, sp, &f);

    if (rc != STORE_ONE_RESULT)
        return rc;
    rc = subpoena_write(s, req, sp, &f, values, out, n_values);
    facts_release(&f);
    return rc;
}

enum store_rc
h_subpoena_render(struct store *s,
                  struct http_req *req,
                  const struct store_subpoena *sp,
                  bool values,
                  json_t **out,
                  size_t *n_values)
{
    struct buf text = BUF_INIT;
    size_t seen = 0;
    enum store_rc rc = h_subpoena_write(s, req, sp, values, &text, &seen);
    json_t *o;

    if (rc != STORE_ONE_RESULT)
        goto out_release;
    /* The text read back: the JSON form cannot differ from the text. */
    o = json_loadb(buf_str(&text), text.len, JSON_ALLOW_NUL, NULL);
    if (!o) {
        rc = STORE_HARD_ERROR;
        goto out_release;
    }
    *out = o;
    *n_values = seen;
out_release:
    buf_release(&text);
    return rc;
}

enum store_rc
h_subpoena_render_id(struct store *s,
                     struct http_req *req,
                     const char *id,
                     json_t **out,
                     int64_t *version)
{
    struct store_subpoena sp = {0};
    enum store_rc rc = store_subpoena_get(s, id, &sp);
    size_t seen = 0;

    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    rc = h_subpoena_render(s, req, &sp, false, out, &seen);
    if (rc == STORE_ONE_RESULT)
        *version = sp.version;
    store_subpoena_release(&sp);
    return rc;
}

/* ---- the actions ---------------------------------------------------------*/

static const char *const method_names[] = {"personal", "certified_mail",
                                           "email", "courier", NULL};
static const char *const outcome_names[] = {"produced", "not_held", "objected",
                                            "withheld", NULL};
static const char *const ground_names[] = {"relevance",
                                           "already_in_possession",
                                           "too_indefinite",
                                           "tenth_amendment",
                                           "privilege",
                                           "other",
                                           NULL};

/* Longest produced value, in characters. */
#define VALUE_MAX 4000

/* Most items in one response (the most a subpoena may request). */
#define RESPONSE_ITEMS_MAX 50

struct resp_item {
    const char *item_id;
    int outcome; /* index in outcome_names */
    const char *value;
    int ground; /* index in ground_names, or -1 */
};

/* The body of an action; fields an action does not take stay unset. */
struct act_in {
    const char *reason;
    const char *served_at;
    int64_t served_us;
    int method; /* index in method_names, or -1 */
    const char *served_to;
    /* serve: the id of a proof_of_service document of the subpoena */
    const char *proof_document_id;
    long long return_days; /* -1: not given */
    const char *return_date;
    const char *doj_org_id;
    struct resp_item *items;
    size_t n_items;
    const char *note;
};

struct act_ctx {
    struct app_tx base;
    const char *id;
    enum subpoena_action action;
    const struct act_in *in;
    int64_t if_match;
    bool missing;
    json_t *out;
    int64_t version;
    char field[JSPEC_FIELD_MAX];
};

/* Replace the owned string *slot with a copy of `v` (NULL clears it). */
static void
set_str(char **slot, const char *v)
{
    cm_free(*slot);
    *slot = v ? cm_strdup(v) : NULL;
}

/* What to tell the client when guard `g` failed. */
static const char *
guard_sentence(enum guard g)
{
    switch (g) {
    case GUARD_SIGNER_NOT_DRAFTER:
        return "the drafter of a subpoena cannot sign it";
    case GUARD_SIGNER_AUTHORIZED:
        return "your title is not listed in 8 CFR 287.4(a)(1) and no "
               "delegation of subpoena authority is in force for you today";
    case GUARD_PROOF_OF_SERVICE:
        return "give served_at, method, served_to and "
               "proof_of_service_document_id (a proof_of_service document "
               "uploaded to this subpoena) as proof of service";
    case GUARD_OVERDUE_OR_DEFICIENT:
        return "only an overdue subpoena or a deficient response "
               "(partially complied, objected, refused) can be referred";
    case GUARD_ENFORCEMENT_CLOSED:
        return "the enforcement case must be closed first";
    case GUARD_NONE:
    case GUARD_REVIEW_REQUIRED:
    case GUARD_REVIEW_NOT_REQUIRED:
    case GUARD_HOLD_NOT_STARTED:
    case GUARD_ORDER_ENFORCED:
    case GUARD_ORDER_DENIED:
    case GUARD_NONCOMPLIANT:
    case GUARD__COUNT:
    default:
        return "a rule of the process forbids this action now";
    }
}

/* serve: proof of service and the return date. */
static enum store_rc
do_serve(struct store *s,
         struct act_ctx *c,
         struct store_subpoena *sp,
         const struct sub_facts *f,
         json_t *details)
{
    const struct act_in *in = c->in;
    int64_t now = app_now(app_of(c->base.req));
    char served[DATE_STR_SIZE];
    char due_text[DATE_STR_SIZE];
    char trigger[64];
    int32_t served_day;
    int32_t due = 0;
    enum store_rc rc;

    if (in->served_us > now)
        return app_fail(&c->base, CM_ERR_VALIDATION_FAILED, "served_at",
                        "served_at is in the future");
    if (sp->served_at != 0) {
        /* A correction of the service. An extension was granted against
         * the first date: correcting under it would silently move a date
         * the recipient relies on, so it is refused. */
        if (sp->return_date && sp->original_return_date &&
            strcmp(sp->return_date, sp->original_return_date) != 0)
            return app_fail(&c->base, CM_ERR_STATE_CONFLICT, "served_at",
                            "the return date was extended to %s; a "
                            "service correction is no longer possible",
                            sp->return_date);
        (void)json_object_set_new(details, "corrects_service_of",
                                  app_json_time(sp->served_at));
        (void)json_object_set_new(details, "previous_return_date",
                                  app_json_str(sp->return_date));
    }
    served_day = app_today_in(f->recipient_tz, in->served_us);
    date_format(served_day, served);
    (void)snprintf(trigger, sizeof trigger, "served %s", served);
    if (in->return_days >= 0) {
        rc = cases_deadline_days(
            s, &c->base, "subpoena", sp->id, "return", sp->recipient_org_id,
            "frcp6-days", served_day, (int64_t)in->return_days,
            DEADLINE_DIRECTION_AFTER, trigger, "return_days", &due);
        if (rc != STORE_ONE_RESULT)
            return rc < 0 ? rc : STORE_HARD_ERROR;
        date_format(due, due_text);
    } else {
        if (date_parse(in->return_date, &due) != CM_ERR_OK || due <= served_day)
            return app_fail(&c->base, CM_ERR_VALIDATION_FAILED, "return_date",
                            "the return date must be after the day of "
                            "service, %s",
                            served);
        (void)snprintf(due_text, sizeof due_text, "%s", in->return_date);
        rc = cases_deadline_fixed(s, "subpoena", sp->id, "return", due_text,
                                  trigger, now);
        if (rc < 0)
            return rc;
    }
    sp->served_at = in->served_us;
    set_str(&sp->service_method, method_names[in->method]);
    set_str(&sp->served_to, in->served_to);
    set_str(&sp->return_date, due_text);
    set_str(&sp->original_return_date, due_text);
    (void)json_object_set_new(details, "served_on", json_string(served));
    (void)json_object_set_new(details, "proof_of_service_document_id",
                              json_string(in->proof_document_id));
    (void)json_object_set_new(details, "method",
                              json_string(method_names[in->method]));
    (void)json_object_set_new(details, "return_date", json_string(due_text));
    return STORE_ONE_RESULT;
}

/* extend: a later return date; the original is kept. */
static enum store_rc
do_extend(struct store *s,
          struct act_ctx *c,
          struct store_subpoena *sp,
          const struct sub_facts *f,
          json_t *details)
{
    struct http_req *req = c->base.req;
    int64_t now = app_now(app_of(req));
    struct store_extension x;
    char today[DATE_STR_SIZE];
    char trigger[96];
    int32_t cur = 0;
    int32_t want = 0;
    enum store_rc rc;

    if (!sp->return_date || date_parse(sp->return_date, &cur) != CM_ERR_OK)
        return app_fail(&c->base, CM_ERR_STATE_CONFLICT, NULL,
                        "the subpoena has no return date to extend");
    if (date_parse(c->in->return_date, &want) != CM_ERR_OK || want <= cur)
        return app_fail(&c->base, CM_ERR_VALIDATION_FAILED, "return_date",
                        "the new return date must be later than %s",
                        sp->return_date);
    memset(&x, 0, sizeof x);
    cm_id_new(x.id);
    (void)snprintf(x.subpoena_id, sizeof x.subpoena_id, "%s", sp->id);
    x.old_return_date = sp->return_date;
    x.new_return_date = (char *)c->in->return_date;
    x.reason = (char *)c->in->reason;
    (void)snprintf(x.by_user, sizeof x.by_user, "%s", req->caller.user_id);
    x.at = now;
    rc = store_extension_insert(s, &x);
    if (rc == STORE_NO_RESULTS)
        return STORE_SOFT_ERROR; /* the new id collided: try again */
    if (rc < 0)
        return rc;
    date_format(f->today_agency, today);
    (void)snprintf(trigger, sizeof trigger,
                   "extension granted %s, from return date %s", today,
                   sp->return_date);
    rc = cases_deadline_fixed(s, "subpoena", sp->id, "return",
                              c->in->return_date, trigger, now);
    if (rc < 0)
        return rc;
    (void)json_object_set_new(details, "old_return_date",
                              json_string(sp->return_date));
    (void)json_object_set_new(details, "new_return_date",
                              json_string(c->in->return_date));
    set_str(&sp->return_date, c->in->return_date);
    return STORE_ONE_RESULT;
}

/*
 * The accounting of disclosures (Privacy Act, 5 U.S.C. 552a(c); API.md
 * "Disclosures"): a response that produced at least one item about the
 * subpoena's person disclosed records from the recipient jurisdiction to
 * the issuing agency office. One entry, in this transaction: nature is
 * the produced items' categories (each once, in item order), purpose the
 * subpoena's. Nothing when no item was produced or no person is named.
 */
static enum store_rc
record_disclosure(struct store *s,
                  struct http_req *req,
                  const struct store_subpoena *sp,
                  const enum subpoena_item_outcome *outcomes,
                  int64_t now,
                  json_t *details)
{
    struct store_disclosure d;
    json_t *nature = json_array();
    enum store_rc rc;

    for (size_t j = 0; j < sp->n_items; j++) {
        const char *cat = sp->items[j].category;
        bool seen = false;
        size_t k;
        json_t *v;

        if (outcomes[j] != SUBPOENA_ITEM_OUTCOME_PRODUCED || cat == NULL)
            continue;
        json_array_foreach (nature, k, v)
            seen = seen || strcmp(json_string_value(v), cat) == 0;
        if (!seen)
            (void)json_array_append_new(nature, json_string(cat));
    }
    if (!sp->person_id[0] || json_array_size(nature) == 0) {
        json_decref(nature);
        return STORE_ONE_RESULT;
    }
    memset(&d, 0, sizeof d);
    cm_id_new(d.id);
    (void)snprintf(d.person_id, sizeof d.person_id, "%s", sp->person_id);
    (void)snprintf(d.subpoena_id, sizeof d.subpoena_id, "%s", sp->id);
    (void)snprintf(d.source_org_id, sizeof d.source_org_id, "%s",
                   sp->recipient_org_id);
    (void)snprintf(d.recipient_org_id, sizeof d.recipient_org_id, "%s",
                   sp->agency_org_id);
    (void)snprintf(d.disclosed_by, sizeof d.disclosed_by, "%s",
                   req->caller.user_id);
    d.disclosed_at = now;
    d.nature = json_dumps(nature, JSON_COMPACT);
    d.purpose = sp->purpose;
    rc = d.nature ? store_disclosure_insert(s, &d) : STORE_HARD_ERROR;
    free(d.nature);
    json_decref(nature);
    if (rc == STORE_NO_RESULTS) /* one response per subpoena: cannot be */
        rc = STORE_HARD_ERROR;
    if (rc == STORE_ONE_RESULT)
        (void)json_object_set_new(details, "disclosure_id", json_string(d.id));
    return rc;
}

/* respond: every item answered exactly once; values sealed. */
static enum store_rc
do_respond(struct store *s,
           struct act_ctx *c,
           struct store_subpoena *sp,
           json_t *details)
{
    const struct act_in *in = c->in;
    struct http_req *req = c->base.req;
    int64_t now = app_now(app_of(req));
    enum subpoena_item_outcome *outcomes = NULL;
    size_t *answer = NULL; /* answer[j]: the index in `in` of item j */
    enum subpoena_disposition disp = SUBPOENA_DISPOSITION_NONE;
    enum store_rc rc = STORE_ONE_RESULT;

    outcomes = cm_calloc(sp->n_items ? sp->n_items : 1, sizeof *outcomes);
    answer = cm_calloc(sp->n_items ? sp->n_items : 1, sizeof *answer);
    for (size_t i = 0; i < in->n_items; i++) {
        size_t j = 0;

        while (j < sp->n_items && strcmp(sp->items[j].id, in->items[i].item_id))
            j++;
        (void)snprintf(c->field, sizeof c->field, "items[%zu].item_id", i);
        if (j == sp->n_items) {
            rc = app_fail(&c->base, CM_ERR_VALIDATION_FAILED, c->field,
                          "no item of this subpoena has that id");
            goto out_free;
        }
        if (outcomes[j] != SUBPOENA_ITEM_OUTCOME_NONE) {
            rc = app_fail(&c->base, CM_ERR_VALIDATION_FAILED, c->field,
                          "item %s is answered twice", sp->items[j].id);
            goto out_free;
        }
        (void)subpoena_item_outcome_parse(outcome_names[in->items[i].outcome],
                                          &outcomes[j]);
        answer[j] = i;
    }
    for (size_t j = 0; j < sp->n_items; j++) {
        if (outcomes[j] == SUBPOENA_ITEM_OUTCOME_NONE) {
            (void)snprintf(c->field, sizeof c->field, "items[%zu].item_id",
                           in->n_items);
            rc = app_fail(&c->base, CM_ERR_VALIDATION_FAILED, c->field,
                          "item %s (position %lld) is not answered; answer "
                          "every item",
                          sp->items[j].id, (long long)sp->items[j].position);
            goto out_free;
        }
    }
    if (subpoena_disposition_from_items(outcomes, sp->n_items, &disp) !=
        CM_ERR_OK) {
        rc = app_fail(&c->base, CM_ERR_VALIDATION_FAILED, "items",
                      "answer every item");
        goto out_free;
    }
    for (size_t j = 0; j < sp->n_items; j++) {
        const struct resp_item *a = &in->items[answer[j]];
        struct store_subpoena_item it;
        struct buf sealed = BUF_INIT;

        memset(&it, 0, sizeof it);
        (void)snprintf(it.id, sizeof it.id, "%s", sp->items[j].id);
        it.outcome = (char *)outcome_names[a->outcome];
        it.ground = a->ground >= 0 ? (char *)ground_names[a->ground] : NULL;
        it.updated_at = now;
        if (a->value) {
            if (fieldcrypt_seal(&app_of(req)->fc, it.id, "value", a->value,
                                strlen(a->value), &sealed) != CM_ERR_OK) {
                buf_release(&sealed);
                rc = STORE_HARD_ERROR;
                goto out_free;
            }
            it.value.data = (unsigned char *)sealed.data;
            it.value.len = sealed.len;
        }
        rc = store_subpoena_item_update(s, sp->id, &it);
        buf_release(&sealed);
        if (rc == STORE_NO_RESULTS)
            rc = STORE_HARD_ERROR;
        if (rc < 0)
            goto out_free;
    }
    rc = record_disclosure(s, req, sp, outcomes, now, details);
    if (rc < 0)
        goto out_free;
    set_str(&sp->disposition, subpoena_disposition_name(disp));
    set_str(&sp->response_note, in->note);
    sp->responded_at = now;
    (void)json_object_set_new(details, "disposition",
                              json_string(subpoena_disposition_name(disp)));
    (void)json_object_set_new(details, "items",
                              json_integer((json_int_t)sp->n_items));
    rc = STORE_ONE_RESULT;
out_free:
    cm_free(outcomes);
    cm_free(answer);
    return rc;
}

static void
doj_cb(void *cls, const struct store_org *o)
{
    json_t *ids = cls;

    (void)json_array_append_new(ids, json_string(o->id));
}

/* refer: open the enforcement case. */
static enum store_rc
do_refer(struct store *s,
         struct act_ctx *c,
         struct store_subpoena *sp,
         const struct sub_facts *f,
         json_t *details)
{
    struct http_req *req = c->base.req;
    int64_t now = app_now(app_of(req));
    struct store_enforcement e;
    char doj[STORE_ID_SIZE];
    int32_t year = 0;
    int month = 0;
    int mday = 0;
    enum store_rc rc;

    if (c->in->doj_org_id) {
        rc = h_subpoena_check_org(s, &c->base, c->in->doj_org_id, "doj_office",
                                  "doj_org_id");
        if (rc != STORE_ONE_RESULT)
            return rc;
        (void)snprintf(doj, sizeof doj, "%s", c->in->doj_org_id);
    } else {
        json_t *ids = json_array();
        int n = store_org_list_by_kind(s, "doj_office", NULL, 2, doj_cb, ids);

        if (n < 0) {
            json_decref(ids);
            return (enum store_rc)n;
        }
        if (n != 1) {
            json_decref(ids);
            return app_fail(&c->base, CM_ERR_GUARD_FAILED, "doj_org_id",
                            n == 0 ? "there is no DOJ office to refer to"
                                   : "there are several DOJ offices; name "
                                     "one in doj_org_id");
        }
        (void)snprintf(doj, sizeof doj, "%s",
                       json_string_value(json_array_get(ids, 0)));
        json_decref(ids);
    }
    memset(&e, 0, sizeof e);
    cm_id_new(e.id);
    date_to_ymd(f->today_agency, &year, &month, &mday);
    rc = store_case_number_next(s, "ENF", (int)year, e.number);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    e.created_at = now;
    e.updated_at = now;
    (void)snprintf(e.subpoena_id, sizeof e.subpoena_id, "%s", sp->id);
    (void)snprintf(e.agency_org_id, sizeof e.agency_org_id, "%s",
                   sp->agency_org_id);
    (void)snprintf(e.respondent_org_id, sizeof e.respondent_org_id, "%s",
                   sp->recipient_org_id);
    (void)snprintf(e.doj_org_id, sizeof e.doj_org_id, "%s", doj);
    e.state = (char *)"referred";
    e.per_day_cents = -1;
    e.fixed_cents = -1;
    rc = store_enforcement_insert(s, &e);
    if (rc == STORE_NO_RESULTS)
        return app_fail(&c->base, CM_ERR_STATE_CONFLICT, NULL,
                        "this subpoena already has an enforcement case");
    if (rc < 0)
        return rc;
    rc = cases_event(s, req, "enforcement", e.id, "create",
                     json_pack("{s:s}", "subpoena_id", sp->id));
    if (rc < 0)
        return rc;
    (void)snprintf(sp->enforcement_id, sizeof sp->enforcement_id, "%s", e.id);
    (void)json_object_set_new(details, "enforcement_id", json_string(e.id));
    (void)json_object_set_new(details, "doj_org_id", json_string(doj));
    return STORE_ONE_RESULT;
}

/* The effects of an action the machine allowed, on `sp` (written by the
 * caller) and in other tables. */
static enum store_rc
do_effects(struct store *s,
           struct act_ctx *c,
           struct store_subpoena *sp,
           const struct sub_facts *f,
           json_t *details)
{
    struct http_req *req = c->base.req;
    int64_t now = app_now(app_of(req));

    switch (c->action) {
    case SUBPOENA_ACTION_SIGN:
        (void)snprintf(sp->signed_by, sizeof sp->signed_by, "%s",
                       req->caller.user_id);
        sp->signed_at = now;
        /* The verifiable record, in this same transaction. */
        return signature_record(s, &c->base, sp);
    case SUBPOENA_ACTION_SERVE:
        return do_serve(s, c, sp, f, details);
    case SUBPOENA_ACTION_ACKNOWLEDGE:
        if (!sp->acknowledged_at)
            sp->acknowledged_at = now;
        return STORE_ONE_RESULT;
    case SUBPOENA_ACTION_EXTEND:
        return do_extend(s, c, sp, f, details);
    case SUBPOENA_ACTION_RESPOND:
        return do_respond(s, c, sp, details);
    case SUBPOENA_ACTION_REFUSE:
        set_str(&sp->refusal_reason, c->in->reason);
        set_str(&sp->disposition, "refused");
        sp->responded_at = now;
        (void)json_object_set_new(details, "disposition",
                                  json_string("refused"));
        return STORE_ONE_RESULT;
    case SUBPOENA_ACTION_REFER:
        return do_refer(s, c, sp, f, details);
    case SUBPOENA_ACTION_WITHDRAW:
        set_str(&sp->withdrawal_reason, c->in->reason);
        return STORE_ONE_RESULT;
    case SUBPOENA_ACTION_RETURN:
        /* The review's reason lives on the timeline: it is counsel's note
         * on the draft, and the row has no column for it. */
        if (c->in->reason)
            (void)json_object_set_new(details, "reason",
                                      json_string(c->in->reason));
        return STORE_ONE_RESULT;
    case SUBPOENA_ACTION_SUBMIT:
    case SUBPOENA_ACTION_APPROVE:
    case SUBPOENA_ACTION_CLOSE:
    case SUBPOENA_ACTION_CREATE:
    case SUBPOENA_ACTION_EDIT:
    case SUBPOENA_ACTION__COUNT:
    default:
        return STORE_ONE_RESULT;
    }
}

static enum store_rc
act_tx(struct store *s, void *ctx)
{
    struct act_ctx *c = ctx;
    struct http_req *req = c->base.req;
    const char *action = subpoena_action_name(c->action);
    struct store_subpoena sp = {0};
    struct sub_facts f;
    json_t *details = json_object();
    char audit_action[64];
    char detail[160];
    enum guard g = GUARD_NONE;
    enum store_rc rc;
    enum cm_err err;
    int state = 0;
    int to = 0;

    json_decref(c->out);
    c->out = NULL;
    c->missing = false;
    rc = h_subpoena_load(s, &c->base, c->id, &sp, &c->missing);
    if (rc != STORE_ONE_RESULT)
        goto out_details;
    if (c->if_match >= 0 && c->if_match != sp.version) {
        rc = app_fail(&c->base, CM_ERR_PRECONDITION_FAILED, "If-Match",
                      "the subpoena is at version %lld; read it again",
                      (long long)sp.version);
        goto out_sp;
    }
    rc = facts_fill(s, req, &sp, &f);
    if (rc != STORE_ONE_RESULT)
        goto out_sp;
    if (c->action == SUBPOENA_ACTION_SERVE) {
        /* The proof is the served_* fields and the document that attests
         * them, uploaded to this very subpoena. */
        rc = documents_find_required(s, c->in->proof_document_id,
                                     "proof_of_service", "subpoena", sp.id);
        if (rc < 0)
            goto out_facts;
        f.f.has_proof_of_service = c->in->served_at && c->in->method >= 0 &&
                                   c->in->served_to && *c->in->served_to &&
                                   rc == STORE_ONE_RESULT;
    }
    (void)machine_state_parse(&subpoena_machine, sp.state, &state);
    err = machine_apply(&subpoena_machine, state, (int)c->action, req->roles,
                        NULL, &f.f, &to, &g);
    if (err == CM_ERR_GUARD_FAILED) {
        rc = app_fail(&c->base, err, machine_guard_code(g), "%s",
                      guard_sentence(g));
        goto out_facts;
    }
    if (err == CM_ERR_FORBIDDEN) {
        rc = app_fail(&c->base, err, NULL, "your role may not %s this subpoena",
                      action);
        goto out_facts;
    }
    if (err != CM_ERR_OK) {
        rc = app_fail(&c->base, err, NULL,
                      "a subpoena that is %s cannot take the action %s",
                      sp.state, action);
        goto out_facts;
    }
    rc = do_effects(s, c, &sp, &f, details);
    if (rc != STORE_ONE_RESULT)
        goto out_facts;
    set_str(&sp.state, subpoena_state_name((enum subpoena_state)to));
    sp.updated_at = app_now(app_of(req));
    rc = store_subpoena_update(s, &sp);
    if (rc == STORE_NO_RESULTS)
        rc = app_fail(&c->base, CM_ERR_STATE_CONFLICT, NULL,
                      "the subpoena changed meanwhile; read it again");
    if (rc < 0)
        goto out_facts;
    (void)json_object_set_new(details, "to", json_string(sp.state));
    rc = cases_event(s, req, "subpoena", sp.id, action, json_incref(details));
    if (rc < 0)
        goto out_facts;
    (void)snprintf(audit_action, sizeof audit_action, "subpoena.%s", action);
    if (json_object_get(details, "corrects_service_of"))
        /* A trigger date changed: the audit record names the change. */
        (void)snprintf(
            detail, sizeof detail,
            "state=%s corrected_service return_date=%s->%s", sp.state,
            json_string_value(json_object_get(details, "previous_return_date")),
            sp.return_date);
    else
        (void)snprintf(detail, sizeof detail, "state=%s", sp.state);
    rc = app_audit(s, req, audit_action, "subpoena", sp.id, "ok", detail);
    if (rc < 0)
        goto out_facts;
    rc = h_subpoena_render_id(s, req, sp.id, &c->out, &c->version);
out_facts:
    facts_release(&f);
out_sp:
    store_subpoena_release(&sp);
out_details:
    json_decref(details);
    return rc;
}

/* Parse the body of action `a` into `in`; an empty body is taken as {} so
 * that a missing required field is named. Replies the problem itself. */
static enum cm_err
parse_action_body(struct http_req *req,
                  enum subpoena_action a,
                  struct act_in *in,
                  struct resp_item *proto)
{
    const struct jspec none[] = {JSPEC_END};
    const struct jspec reason_opt[] = {
        JSPEC_STR("reason", &in->reason, JSPEC_OPTIONAL), JSPEC_END};
    const struct jspec reason_req[] = {
        JSPEC_STR("reason", &in->reason, JSPEC_REQUIRED), JSPEC_END};
    const struct jspec serve[] = {
        JSPEC_STR_MAX("served_at", &in->served_at, 64, JSPEC_OPTIONAL),
        JSPEC_ENUM("method", &in->method, method_names, JSPEC_OPTIONAL),
        JSPEC_STR("served_to", &in->served_to, JSPEC_OPTIONAL),
        JSPEC_STR_MAX("proof_of_service_document_id", &in->proof_document_id,
                      64, JSPEC_OPTIONAL),
        JSPEC_INT("return_days", &in->return_days, 1, 365, JSPEC_OPTIONAL),
        JSPEC_DATE("return_date", &in->return_date, JSPEC_OPTIONAL),
        JSPEC_END};
    const struct jspec extend[] = {
        JSPEC_DATE("return_date", &in->return_date, JSPEC_REQUIRED),
        JSPEC_STR("reason", &in->reason, JSPEC_REQUIRED), JSPEC_END};
    const struct jspec item[] = {
        JSPEC_STR_MAX("item_id", &proto->item_id, 64, JSPEC_REQUIRED),
        JSPEC_ENUM("outcome", &proto->outcome, outcome_names, JSPEC_REQUIRED),
        JSPEC_STR_MAX("value", &proto->value, VALUE_MAX, JSPEC_OPTIONAL),
        JSPEC_ENUM("ground", &proto->ground, ground_names, JSPEC_OPTIONAL),
        JSPEC_END};
    const struct jspec respond[] = {
        JSPEC_ARR("items", &in->items, &in->n_items, item, proto,
                  RESPONSE_ITEMS_MAX, JSPEC_REQUIRED),
        JSPEC_STR("note", &in->note, JSPEC_OPTIONAL), JSPEC_END};
    const struct jspec refer[] = {
        JSPEC_STR_MAX("doj_org_id", &in->doj_org_id, CM_ID_LEN, JSPEC_OPTIONAL),
        JSPEC_END};
    const struct jspec *spec = none;
    struct jspec_error e;
    enum cm_err err;

    switch (a) {
    case SUBPOENA_ACTION_RETURN:
        spec = reason_opt;
        break;
    case SUBPOENA_ACTION_REFUSE:
    case SUBPOENA_ACTION_WITHDRAW:
        spec = reason_req;
        break;
    case SUBPOENA_ACTION_SERVE:
        spec = serve;
        break;
    case SUBPOENA_ACTION_EXTEND:
        spec = extend;
        break;
    case SUBPOENA_ACTION_RESPOND:
        spec = respond;
        break;
    case SUBPOENA_ACTION_REFER:
        spec = refer;
        break;
    case SUBPOENA_ACTION_SUBMIT:
    case SUBPOENA_ACTION_APPROVE:
    case SUBPOENA_ACTION_SIGN:
    case SUBPOENA_ACTION_ACKNOWLEDGE:
    case SUBPOENA_ACTION_CLOSE:
    case SUBPOENA_ACTION_CREATE:
    case SUBPOENA_ACTION_EDIT:
    case SUBPOENA_ACTION__COUNT:
    default:
        break;
    }
    if (req->body.len > 0)
        return body_parse(req, spec);
    {
        json_t *empty = json_object();

        err = jspec_parse(empty, spec, &e);
        json_decref(empty);
    }
    if (err != CM_ERR_OK)
        return reply_error(req, err, e.field[0] ? e.field : NULL, e.detail);
    return CM_ERR_OK;
}

/* Checks of an action's body that need no stored data. */
static enum cm_err
check_action_body(struct http_req *req,
                  enum subpoena_action a,
                  struct act_in *in)
{
    char field[JSPEC_FIELD_MAX];
    int32_t off = 0;

    if ((a == SUBPOENA_ACTION_REFUSE || a == SUBPOENA_ACTION_WITHDRAW ||
         a == SUBPOENA_ACTION_EXTEND) &&
        !*in->reason)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "reason",
                           "give a reason");
    if (a == SUBPOENA_ACTION_SERVE) {
        if ((in->return_days >= 0) == (in->return_date != NULL))
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "return_days",
                               "give exactly one of return_days and "
                               "return_date");
        if (in->served_at &&
            date_time_parse_rfc3339(in->served_at, &in->served_us, &off) !=
                CM_ERR_OK)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "served_at",
                               "served_at must be an RFC 3339 instant such "
                               "as 2020-01-13T15:00:00Z");
        in->served_us *= 1000000; /* seconds to microseconds */
    }
    if (a == SUBPOENA_ACTION_RESPOND) {
        if (in->n_items == 0)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "items",
                               "answer every item of the subpoena");
        for (size_t i = 0; i < in->n_items; i++) {
            const struct resp_item *it = &in->items[i];
            const char *o = outcome_names[it->outcome];
            bool needs_ground =
                strcmp(o, "objected") == 0 || strcmp(o, "withheld") == 0;

            if (needs_ground != (it->ground >= 0)) {
                (void)snprintf(field, sizeof field, "items[%zu].ground", i);
                return reply_error(req, CM_ERR_VALIDATION_FAILED, field,
                                   needs_ground
                                       ? "an objected or withheld item "
                                         "needs a ground"
                                       : "only an objected or withheld "
                                         "item takes a ground");
            }
            if (it->value && strcmp(o, "produced") != 0) {
                (void)snprintf(field, sizeof field, "items[%zu].value", i);
                return reply_error(req, CM_ERR_VALIDATION_FAILED, field,
                                   "only a produced item carries a value");
            }
        }
    }
    return CM_ERR_OK;
}

enum cm_err
h_subpoenas_act(struct http_req *req)
{
    const char *name = http_req_param(req, "action");
    struct resp_item proto = {NULL, 0, NULL, -1};
    struct act_in in;
    struct act_ctx c;
    enum subpoena_action a;
    enum cm_err err;

    memset(&in, 0, sizeof in);
    in.method = -1;
    in.return_days = -1;
    memset(&c, 0, sizeof c);
    c.id = http_req_param(req, "id");
    if (!name || !subpoena_action_parse(name, &a) ||
        a == SUBPOENA_ACTION_CREATE || a == SUBPOENA_ACTION_EDIT)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "action",
                           "unknown action: use submit, approve, return, "
                           "sign, serve, acknowledge, extend, respond, "
                           "refuse, refer, withdraw or close");
    err = app_if_match(req, &c.if_match);
    if (err != CM_ERR_OK)
        return err;
    err = parse_action_body(req, a, &in, &proto);
    if (err == CM_ERR_OK)
        err = check_action_body(req, a, &in);
    /* A signature needs a recent proof of who signs (cfg step_up_minutes):
     * asked of signers only, before anything is read. */
    if (err == CM_ERR_OK && a == SUBPOENA_ACTION_SIGN &&
        app_has_role(req, ROLE_SIGNER))
        err = app_require_step_up(req);
    if (err != CM_ERR_OK)
        goto out_free;
    c.action = a;
    c.in = &in;
    err = app_run(req, "subpoena_action", act_tx, &c.base);
    if (err != CM_ERR_OK) {
        char action[64];

        (void)snprintf(action, sizeof action, "subpoena.%s", name);
        if (c.missing)
            app_audit_alone(req, NULL, action, "subpoena", c.id, "not_found",
                            NULL);
        else if (err == CM_ERR_FORBIDDEN || err == CM_ERR_STATE_CONFLICT ||
                 err == CM_ERR_GUARD_FAILED)
            app_audit_alone(req, NULL, action, "subpoena", c.id, "denied",
                            c.base.field ? c.base.field : cm_err_code(err));
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
