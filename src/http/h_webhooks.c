/*
 * h_webhooks.c: what admins see and do of the background work: webhooks
 * that receive reminders, and the job queue's dead letters.
 *
 *   POST   /api/v1/webhooks          {"url", "org_id", "events": [...]}
 *                                    → 201 with "secret", shown once
 *   GET    /api/v1/webhooks          the active webhooks (no secrets)
 *   DELETE /api/v1/webhooks/{id}     → 204; it receives nothing more
 *   GET    /api/v1/jobs?state=dead   jobs by state (dead, pending, done;
 *                                    all without the filter), newest first
 *   POST   /api/v1/jobs/{id}/retry   a dead job runs again → 200 the job
 *
 * Admin only. Events are "reminder.due" and "reminder.overdue". The secret
 * signs every delivery (Compel-Signature, jobs/webhook.h); the store keeps
 * it sealed with the master key, bound to the webhook's id. Like API
 * tokens, creation takes no Idempotency-Key: the answer holds the secret.
 * A job shows its kind, attempts, last error and payload, which holds ids,
 * kinds and dates only (no personal data). Writes are audited.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/rand.h"
#include "domain/role.h"
#include "http/app.h"
#include "http/body.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "jobs/jobs.h"
#include "jobs/webhook.h"
#include "store/store.h"

/* h_users.c */
bool h_users_is_id(const char *s);

static enum cm_err h_webhooks_create(struct http_req *req);
static enum cm_err h_webhooks_list(struct http_req *req);
static enum cm_err h_webhooks_delete(struct http_req *req);
static enum cm_err h_webhooks_jobs(struct http_req *req);
static enum cm_err h_webhooks_retry(struct http_req *req);

#define ADMIN ROLE_BIT(ROLE_ADMIN)

static const struct route rows[] = {
    {"POST", "/api/v1/webhooks", h_webhooks_create, ADMIN, 0,
     ROUTE_FLAG_JSON | ROUTE_FLAG_STEP_UP},
    {"GET", "/api/v1/webhooks", h_webhooks_list, ADMIN, 0, 0},
    {"DELETE", "/api/v1/webhooks/{id}", h_webhooks_delete, ADMIN, 0,
     ROUTE_FLAG_STEP_UP},
    {"GET", "/api/v1/jobs", h_webhooks_jobs, ADMIN, 0, 0},
    {"POST", "/api/v1/jobs/{id}/retry", h_webhooks_retry, ADMIN, 0,
     ROUTE_FLAG_JSON | ROUTE_FLAG_STEP_UP},
};

const struct route_group h_webhooks_group = ROUTE_GROUP(rows);

static const char *const event_names[] = {"reminder.due", "reminder.overdue",
                                          NULL};

static json_t *
webhook_json(const struct store_webhook *w)
{
    json_t *j = json_object();
    json_t *ev = json_array();
    const char *p = w->events ? w->events : "";

    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);

        json_array_append_new(ev, json_stringn(p, n));
        p += n + (comma ? 1 : 0);
    }
    json_object_set_new(j, "id", json_string(w->id));
    json_object_set_new(j, "version", json_integer(w->version));
    json_object_set_new(j, "created_at", app_json_time(w->created_at));
    json_object_set_new(j, "updated_at", app_json_time(w->updated_at));
    json_object_set_new(j, "url", app_json_str(w->url));
    json_object_set_new(j, "org_id", json_string(w->org_id));
    json_object_set_new(j, "events", ev);
    return j;
}

/* "<created_at>.<id>" of a row, for next_cursor. */
static json_t *
cursor_json(int64_t created_at, const char *id)
{
    struct buf b = BUF_INIT;
    json_t *j;

    buf_addf(&b, "%lld.%s", (long long)created_at, id);
    j = json_string(buf_str(&b));
    buf_release(&b);
    return j;
}

/* Parse a cursor made by cursor_json; false for anything else. */
static bool
cursor_parse(const char *text, struct store_cursor *out)
{
    char *end = NULL;
    long long v;

    if (text == NULL || *text < '0' || *text > '9')
        return false;
    v = strtoll(text, &end, 10);
    if (end == NULL || *end != '.' || v <= 0 || !h_users_is_id(end + 1))
        return false;
    *out = store_cursor_after((int64_t)v, end + 1);
    return true;
}

/* ---- POST /api/v1/webhooks ------------------------------------------------*/

struct create_tx {
    struct app_tx base;
    struct store_webhook w;
    const struct fieldcrypt *fc;
    const char *secret;
};

static enum store_rc
create_tx(struct store *s, void *ctx)
{
    struct create_tx *t = ctx;
    struct store_org o = {0};
    struct buf sealed = BUF_INIT;
    enum store_rc rc = store_org_get(s, t->w.org_id, &o);

    store_org_release(&o);
    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS)
        return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "org_id",
                        "no organization has this id");
    if (fieldcrypt_seal(t->fc, t->w.id, JOBS_WEBHOOK_SECRET_FIELD, t->secret,
                        strlen(t->secret), &sealed) != CM_ERR_OK)
        return app_fail(&t->base, CM_ERR_INTERNAL, NULL, NULL);
    t->w.secret.data = (unsigned char *)sealed.data;
    t->w.secret.len = sealed.len;
    rc = store_webhook_insert(s, &t->w);
    t->w.secret.data = NULL;
    t->w.secret.len = 0;
    buf_release(&sealed);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    return app_audit(s, t->base.req, "webhook.create", "webhook", t->w.id, "ok",
                     NULL);
}

/* Read "events" (a non-empty array of distinct event names) into `out`
 * joined by commas; replies the 400 itself. */
static enum cm_err
events_parse(struct http_req *req, const json_t *arr, struct buf *out)
{
    bool seen[2] = {false, false};
    size_t i;
    json_t *v;

    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "events",
                           "give a non-empty list of events: "
                           "reminder.due, reminder.overdue");
    json_array_foreach (arr, i, v) {
        const char *name = json_string_value(v);
        size_t k = 0;

        while (event_names[k] && (!name || strcmp(event_names[k], name) != 0))
            k++;
        if (event_names[k] == NULL || seen[k]) {
            char field[32];

            (void)snprintf(field, sizeof field, "events[%zu]", i);
            return reply_error(req, CM_ERR_VALIDATION_FAILED, field,
                               event_names[k] ? "listed twice"
                                              : "one of reminder.due, "
                                                "reminder.overdue");
        }
        seen[k] = true;
        if (out->len)
            buf_addch(out, ',');
        buf_adds(out, event_names[k]);
    }
    return CM_ERR_OK;
}

static enum cm_err
h_webhooks_create(struct http_req *req)
{
    struct create_tx t;
    const char *url = NULL;
    const char *org_id = NULL;
    const struct jspec spec[] = {
        JSPEC_STR_MAX("url", &url, WEBHOOK_URL_MAX, JSPEC_REQUIRED),
        JSPEC_STR_MAX("org_id", &org_id, CM_ID_LEN + 10, JSPEC_REQUIRED),
        {.name = "events", .type = JSPEC_TYPE_ANY, .presence = JSPEC_REQUIRED},
        JSPEC_FORBID("id"),
        JSPEC_FORBID("secret"),
        JSPEC_FORBID("version"),
        JSPEC_FORBID("created_at"),
        JSPEC_FORBID("updated_at"),
        JSPEC_END};
    unsigned char raw[JOBS_WEBHOOK_SECRET_BYTES];
    char secret[2 * JOBS_WEBHOOK_SECRET_BYTES];
    struct buf events = BUF_INIT;
    int64_t now = app_now(app_of(req));
    json_t *body = NULL;
    json_t *answer;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        return err;
    if (body_json(req, &body) != CM_ERR_OK)
        return CM_ERR_INTERNAL;
    err = events_parse(req, json_object_get(body, "events"), &events);
    if (err != CM_ERR_OK)
        goto out_release;
    if (!webhook_is_valid_url(url)) {
        err = reply_error(req, CM_ERR_VALIDATION_FAILED, "url",
                          "give an absolute http:// or https:// URL with "
                          "no user name, spaces or fragment");
        goto out_release;
    }
    if (!app_of(req)->webhook_private_ok && webhook_url_names_private_ip(url)) {
        err = reply_error(req, CM_ERR_VALIDATION_FAILED, "url",
                          "the address is not public (loopback, private, "
                          "link-local or reserved); compel delivers there "
                          "only with webhook_private_networks = 1");
        goto out_release;
    }
    if (!h_users_is_id(org_id)) {
        err = reply_error(req, CM_ERR_VALIDATION_FAILED, "org_id",
                          "no organization has this id");
        goto out_release;
    }
    cm_random_bytes(raw, sizeof raw);
    (void)cm_base64url(raw, sizeof raw, secret);
    cm_id_new(t.w.id);
    t.w.version = 1;
    t.w.created_at = t.w.updated_at = now;
    (void)snprintf(t.w.org_id, sizeof t.w.org_id, "%s", org_id);
    t.w.url = (char *)url;
    t.w.events = (char *)buf_str(&events);
    (void)snprintf(t.w.created_by, sizeof t.w.created_by, "%s",
                   req->caller.user_id);
    t.fc = &app_of(req)->fc;
    t.secret = secret;
    err = app_run(req, "webhook_create", create_tx, &t.base);
    if (err == CM_ERR_OK) {
        answer = webhook_json(&t.w);
        json_object_set_new(answer, "secret", json_string(secret));
        err = reply_json(req, 201, answer);
    }
    memset(raw, 0, sizeof raw);
    memset(secret, 0, sizeof secret);
out_release:
    buf_release(&events);
    return err;
}

/* ---- GET /api/v1/webhooks -------------------------------------------------*/

struct list_tx {
    struct app_tx base;
    struct store_cursor after;
    bool has_after;
    int limit;
    int seen;
    json_t *items;
    int64_t last_created;
    char last_id[STORE_ID_SIZE];
    enum store_job_state state;
};

static void
list_webhook_cb(void *cls, const struct store_webhook *w)
{
    struct list_tx *t = cls;

    if (++t->seen > t->limit)
        return;
    json_array_append_new(t->items, webhook_json(w));
    t->last_created = w->created_at;
    (void)snprintf(t->last_id, sizeof t->last_id, "%s", w->id);
}

static enum store_rc
list_webhooks_tx(struct store *s, void *ctx)
{
    struct list_tx *t = ctx;
    int n;

    json_decref(t->items);
    t->items = json_array();
    t->seen = 0;
    n = store_webhook_list(s, t->has_after ? &t->after : NULL, t->limit + 1,
                           list_webhook_cb, t);
    return n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
}

/* Paging of both lists; replies the 400 itself. */
static enum cm_err
list_params(struct http_req *req, struct list_tx *t)
{
    const char *cursor = NULL;
    enum cm_err err = app_page_params(req, &t->limit, &cursor);

    if (err != CM_ERR_OK)
        return err;
    if (cursor) {
        if (!cursor_parse(cursor, &t->after))
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "cursor",
                               "cursor must be a next_cursor value from a "
                               "previous page");
        t->has_after = true;
    }
    return CM_ERR_OK;
}

static enum cm_err
list_reply(struct http_req *req, struct list_tx *t)
{
    json_t *page = json_object();

    json_object_set_new(page, "items", t->items);
    json_object_set_new(page, "next_cursor",
                        t->seen > t->limit
                            ? cursor_json(t->last_created, t->last_id)
                            : json_null());
    t->items = NULL;
    return reply_json(req, 200, page);
}

static enum cm_err
h_webhooks_list(struct http_req *req)
{
    struct list_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    err = list_params(req, &t);
    if (err != CM_ERR_OK)
        return err;
    err = app_run_read(req, "webhook_list", list_webhooks_tx, &t.base);
    if (err != CM_ERR_OK) {
        json_decref(t.items);
        return err;
    }
    return list_reply(req, &t);
}

/* ---- DELETE /api/v1/webhooks/{id} -----------------------------------------*/

struct delete_tx {
    struct app_tx base;
    const char *id;
    bool is_missing;
};

static enum store_rc
delete_tx(struct store *s, void *ctx)
{
    struct delete_tx *t = ctx;
    enum store_rc rc;

    t->is_missing = false;
    rc = store_webhook_delete(s, t->id, app_now(app_of(t->base.req)));
    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS) {
        t->is_missing = true;
        return STORE_NO_RESULTS;
    }
    return app_audit(s, t->base.req, "webhook.delete", "webhook", t->id, "ok",
                     NULL);
}

static enum cm_err
h_webhooks_delete(struct http_req *req)
{
    struct delete_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.id = http_req_param(req, "id");
    t.is_missing = true;
    if (h_users_is_id(t.id)) {
        err = app_run(req, "webhook_delete", delete_tx, &t.base);
        if (err != CM_ERR_OK)
            return err;
    }
    if (t.is_missing) {
        app_audit_alone(req, NULL, "webhook.delete", "webhook",
                        h_users_is_id(t.id) ? t.id : NULL, "not_found", NULL);
        return reply_error(req, CM_ERR_NOT_FOUND, NULL,
                           "no webhook has this id");
    }
    return reply_no_content(req, 204);
}

/* ---- GET /api/v1/jobs -----------------------------------------------------*/

static json_t *
job_json(const struct store_job *j)
{
    json_t *o = json_object();
    json_t *data = j->payload ? json_loads(j->payload, 0, NULL) : NULL;
    const char *state = j->dead         ? "dead"
                        : j->done_at    ? "done"
                        : j->claimed_by ? "running"
                                        : "pending";

    json_object_set_new(o, "id", json_string(j->id));
    json_object_set_new(o, "version", json_integer(j->version));
    json_object_set_new(o, "created_at", app_json_time(j->created_at));
    json_object_set_new(o, "updated_at", app_json_time(j->updated_at));
    json_object_set_new(o, "kind", app_json_str(j->kind));
    json_object_set_new(o, "state", json_string(state));
    json_object_set_new(o, "attempts", json_integer(j->attempts));
    json_object_set_new(o, "last_error", app_json_str(j->last_error));
    json_object_set_new(o, "run_at", app_json_time(j->run_at));
    json_object_set_new(o, "done_at", app_json_time(j->done_at));
    json_object_set_new(o, "data", data ? data : json_null());
    return o;
}

static void
list_job_cb(void *cls, const struct store_job *j)
{
    struct list_tx *t = cls;

    if (++t->seen > t->limit)
        return;
    json_array_append_new(t->items, job_json(j));
    t->last_created = j->created_at;
    (void)snprintf(t->last_id, sizeof t->last_id, "%s", j->id);
}

static enum store_rc
list_jobs_tx(struct store *s, void *ctx)
{
    struct list_tx *t = ctx;
    int n;

    json_decref(t->items);
    t->items = json_array();
    t->seen = 0;
    n = store_job_list(s, t->state, t->has_after ? &t->after : NULL,
                       t->limit + 1, list_job_cb, t);
    return n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
}

static enum cm_err
h_webhooks_jobs(struct http_req *req)
{
    static const char *const states[] = {"dead", "pending", "done", NULL};
    static const enum store_job_state values[] = {
        STORE_JOB_STATE_DEAD, STORE_JOB_STATE_PENDING, STORE_JOB_STATE_DONE};
    const char *state = http_req_query(req, "state");
    struct list_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.state = STORE_JOB_STATE_ANY;
    if (state) {
        size_t k = 0;

        while (states[k] && strcmp(states[k], state) != 0)
            k++;
        if (states[k] == NULL)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "state",
                               "one of dead, pending, done");
        t.state = values[k];
    }
    err = list_params(req, &t);
    if (err != CM_ERR_OK)
        return err;
    err = app_run_read(req, "job_list", list_jobs_tx, &t.base);
    if (err != CM_ERR_OK) {
        json_decref(t.items);
        return err;
    }
    return list_reply(req, &t);
}

/* ---- POST /api/v1/jobs/{id}/retry -----------------------------------------*/

struct retry_tx {
    struct app_tx base;
    const char *id;
    bool is_missing;
    json_t *job;
};

static enum store_rc
retry_tx(struct store *s, void *ctx)
{
    struct retry_tx *t = ctx;
    struct store_job j = {0};
    enum store_rc rc;

    t->is_missing = false;
    json_decref(t->job);
    t->job = NULL;
    rc = store_job_get(s, t->id, &j);
    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS) {
        t->is_missing = true;
        return STORE_NO_RESULTS;
    }
    if (!j.dead) {
        store_job_release(&j);
        return app_fail(&t->base, CM_ERR_STATE_CONFLICT, NULL,
                        "only a dead job can be retried");
    }
    store_job_release(&j);
    rc = store_job_retry(s, t->id, app_now(app_of(t->base.req)));
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    rc = store_job_get(s, t->id, &j);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    t->job = job_json(&j);
    store_job_release(&j);
    return app_audit(s, t->base.req, "job.retry", "job", t->id, "ok", NULL);
}

static enum cm_err
h_webhooks_retry(struct http_req *req)
{
    struct retry_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.id = http_req_param(req, "id");
    t.is_missing = true;
    if (h_users_is_id(t.id)) {
        err = app_run(req, "job_retry", retry_tx, &t.base);
        if (err != CM_ERR_OK) {
            json_decref(t.job);
            return err;
        }
    }
    if (t.is_missing) {
        json_decref(t.job);
        app_audit_alone(req, NULL, "job.retry", "job",
                        h_users_is_id(t.id) ? t.id : NULL, "not_found", NULL);
        return reply_error(req, CM_ERR_NOT_FOUND, NULL, "no job has this id");
    }
    return reply_json(req, 200, t.job);
}
