/*
 * runner.c: the job runner of jobs.h: the scan that enqueues reminders,
 * the claim, and the three job kinds (fanout, email, webhook), plus the
 * thread `compel serve` starts.
 */
#include "jobs/jobs.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/rand.h"
#include "domain/date.h"
#include "jobs/inactive.h"
#include "jobs/purge.h"
#include "jobs/smtp.h"
#include "jobs/webhook.h"

/* Most deadlines one scan reads. */
#define SCAN_MAX 10000

/* Users read per page when looking for recipients. */
#define USER_PAGE 500

/* ---- small helpers ------------------------------------------------------*/

static void
copy_id(char dst[STORE_ID_SIZE], const char *src)
{
    (void)snprintf(dst, STORE_ID_SIZE, "%s", src ? src : "");
}

static const char *
jstr(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));

    return v ? v : "";
}

int64_t
jobs_next_run(int64_t now, int64_t attempts, unsigned max_attempts)
{
    int64_t delay = JOBS_BACKOFF_BASE_US;
    uint32_t r = 0;

    if (attempts >= (int64_t)max_attempts)
        return 0;
    for (int64_t i = 1; i < attempts && delay < JOBS_BACKOFF_MAX_US; i++)
        delay *= 2;
    if (delay > JOBS_BACKOFF_MAX_US)
        delay = JOBS_BACKOFF_MAX_US;
    /* Jitter, so that jobs failing together do not retry together. */
    cm_random_bytes(&r, sizeof r);
    delay += (int64_t)(r % 1000u) * (delay / 5) / 1000;
    return now + delay;
}

/* ---- the case behind a deadline -----------------------------------------*/

struct case_facts {
    char number[STORE_NUMBER_SIZE];
    char *state;
    char agency_org_id[STORE_ID_SIZE];
    char jurisdiction_org_id[STORE_ID_SIZE];
    char doj_org_id[STORE_ID_SIZE];
    char owner_user_id[STORE_ID_SIZE];
};

static void
case_facts_release(struct case_facts *f)
{
    cm_free(f->state);
    memset(f, 0, sizeof *f);
}

/* Read the case; STORE_NO_RESULTS when it is gone. */
static enum store_rc
case_load(struct store *s,
          const char *kind,
          const char *id,
          struct case_facts *out)
{
    struct case_facts f;
    enum store_rc rc = STORE_NO_RESULTS;

    memset(&f, 0, sizeof f);
    if (strcmp(kind, "subpoena") == 0) {
        struct store_subpoena sp = {0};

        rc = store_subpoena_get(s, id, &sp);
        if (rc == STORE_ONE_RESULT) {
            (void)snprintf(f.number, sizeof f.number, "%s", sp.number);
            f.state = cm_strdup(sp.state ? sp.state : "");
            copy_id(f.agency_org_id, sp.agency_org_id);
            copy_id(f.jurisdiction_org_id, sp.recipient_org_id);
            copy_id(f.owner_user_id, sp.drafted_by);
        }
        store_subpoena_release(&sp);
    } else if (strcmp(kind, "enforcement") == 0) {
        struct store_enforcement e = {0};

        rc = store_enforcement_get(s, id, &e);
        if (rc == STORE_ONE_RESULT) {
            (void)snprintf(f.number, sizeof f.number, "%s", e.number);
            f.state = cm_strdup(e.state ? e.state : "");
            copy_id(f.agency_org_id, e.agency_org_id);
            copy_id(f.jurisdiction_org_id, e.respondent_org_id);
            copy_id(f.doj_org_id, e.doj_org_id);
        }
        store_enforcement_release(&e);
    } else if (strcmp(kind, "detainer") == 0) {
        struct store_detainer d = {0};
        struct store_facility fa = {0};

        rc = store_detainer_get(s, id, &d);
        if (rc == STORE_ONE_RESULT)
            rc = store_facility_get(s, d.facility_id, &fa);
        if (rc == STORE_ONE_RESULT) {
            (void)snprintf(f.number, sizeof f.number, "%s", d.number);
            f.state = cm_strdup(d.state ? d.state : "");
            copy_id(f.agency_org_id, d.agency_org_id);
            copy_id(f.jurisdiction_org_id, fa.org_id);
            copy_id(f.owner_user_id, d.lodged_by);
        }
        store_facility_release(&fa);
        store_detainer_release(&d);
    }
    if (rc == STORE_ONE_RESULT)
        *out = f;
    return rc;
}

static void
case_as_reminder(const struct case_facts *f,
                 const char *case_kind,
                 const char *deadline_kind,
                 struct reminder_case *out)
{
    out->case_kind = case_kind;
    out->deadline_kind = deadline_kind;
    out->state = f->state;
    out->agency_org_id = f->agency_org_id;
    out->jurisdiction_org_id = f->jurisdiction_org_id;
    out->doj_org_id = f->doj_org_id;
    out->owner_user_id = f->owner_user_id;
}

/* Today for a case: in its agency office's zone. */
static enum store_rc
case_today(struct store *s,
           const struct jobs_config *c,
           const char *agency_org_id,
           int64_t now,
           int32_t *today)
{
    struct store_org o = {0};
    enum store_rc rc = store_org_get(s, agency_org_id, &o);

    if (rc < 0)
        return rc;
    *today = c->today_in(rc == STORE_ONE_RESULT ? o.timezone : NULL, now);
    store_org_release(&o);
    return STORE_ONE_RESULT;
}

/* The deadline (case_kind, case_id, kind) as it stands: its due and
 * explanation (copies) or STORE_NO_RESULTS when it is gone. */
struct find_deadline {
    const char *kind;
    char *due;
    char *explanation;
};

static void
find_deadline_cb(void *cls, const struct store_deadline *d)
{
    struct find_deadline *f = cls;

    if (f->due == NULL && strcmp(d->kind, f->kind) == 0) {
        f->due = cm_strdup(d->due);
        f->explanation = d->explanation ? cm_strdup(d->explanation) : NULL;
    }
}

/* ---- the scan -----------------------------------------------------------*/

struct dl {
    char id[STORE_ID_SIZE];
    char case_kind[16];
    char case_id[STORE_ID_SIZE];
    char kind[64];
    char due[40];
};

struct scan_tx {
    const struct jobs_config *c;
    int64_t now;
    struct dl *v;
    size_t n, cap;
    int enqueued;
};

static void
scan_cb(void *cls, const struct store_deadline *d)
{
    struct scan_tx *t = cls;
    struct dl *x;

    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->v = cm_realloc(t->v, t->cap * sizeof *t->v);
    }
    x = &t->v[t->n++];
    memset(x, 0, sizeof *x);
    copy_id(x->id, d->id);
    (void)snprintf(x->case_kind, sizeof x->case_kind, "%s", d->case_kind);
    copy_id(x->case_id, d->case_id);
    (void)snprintf(x->kind, sizeof x->kind, "%s", d->kind);
    (void)snprintf(x->due, sizeof x->due, "%s", d->due);
}

/* Enqueue the fanout job of one deadline when a stage is due. */
static enum store_rc
scan_one(struct store *s, struct scan_tx *t, const struct dl *d)
{
    struct case_facts f;
    struct reminder_stage st;
    struct store_job j;
    struct buf key = BUF_INIT;
    json_t *payload = NULL;
    char *text = NULL;
    int32_t today = 0;
    enum store_rc rc = case_load(s, d->case_kind, d->case_id, &f);

    if (rc <= 0)
        return rc;
    if (!reminder_is_open(d->case_kind, d->kind, f.state))
        goto out_facts;
    rc = case_today(s, t->c, f.agency_org_id, t->now, &today);
    if (rc < 0)
        goto out_facts;
    if (reminder_stage_at(&t->c->policy, d->due, today, t->now, &st) !=
            CM_ERR_OK ||
        st.kind == REMINDER_STAGE_KIND_NONE) {
        rc = STORE_NO_RESULTS;
        goto out_facts;
    }
    buf_addf(&key, "fanout:%s:%s:%s", d->id, d->due, st.label);
    payload =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "deadline_id", d->id,
                  "case_kind", d->case_kind, "case_id", d->case_id,
                  "deadline_kind", d->kind, "due", d->due, "stage", st.label);
    text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    if (text == NULL) {
        rc = STORE_HARD_ERROR;
        goto out_facts;
    }
    memset(&j, 0, sizeof j);
    cm_id_new(j.id);
    j.created_at = j.updated_at = t->now;
    j.kind = (char *)"reminder.fanout";
    j.payload = text;
    j.unique_key = (char *)buf_str(&key);
    j.run_at = t->now;
    rc = store_job_insert(s, &j);
    if (rc == STORE_ONE_RESULT)
        t->enqueued++;
out_facts:
    free(text);
    json_decref(payload);
    buf_release(&key);
    case_facts_release(&f);
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

static enum store_rc
scan_tx(struct store *s, void *ctx)
{
    struct scan_tx *t = ctx;
    struct store_scope all;
    char from[DATE_STR_SIZE], to[DATE_STR_SIZE];
    int32_t today = t->c->today_in(NULL, t->now);
    int max_days = t->c->policy.n_days ? t->c->policy.days[0] : 0;
    int n;

    t->n = 0;
    t->enqueued = 0;
    memset(&all, 0, sizeof all);
    all.all = true;
    /* A day of margin each side for the offices' zones. */
    date_format(today - JOBS_OVERDUE_SCAN_DAYS, from);
    date_format(today + max_days + 2, to);
    n = store_deadline_list_due(s, &all, from, to, SCAN_MAX, scan_cb, t);
    if (n < 0)
        return (enum store_rc)n;
    for (size_t i = 0; i < t->n; i++) {
        enum store_rc rc = scan_one(s, t, &t->v[i]);

        if (rc < 0)
            return rc;
    }
    return STORE_ONE_RESULT;
}

/* ---- claimed jobs -------------------------------------------------------*/

struct job_copy {
    char id[STORE_ID_SIZE];
    char *kind;
    char *payload;
    char *unique_key;
    int64_t attempts;
    int64_t created_at;
};

struct claim_tx {
    const char *worker;
    int64_t now;
    struct job_copy v[JOBS_CLAIM_BATCH];
    size_t n;
};

static void
claim_cb(void *cls, const struct store_job *j)
{
    struct claim_tx *t = cls;
    struct job_copy *x;

    if (t->n == JOBS_CLAIM_BATCH)
        return;
    x = &t->v[t->n++];
    copy_id(x->id, j->id);
    x->kind = cm_strdup(j->kind);
    x->payload = j->payload ? cm_strdup(j->payload) : cm_strdup("{}");
    x->unique_key = j->unique_key ? cm_strdup(j->unique_key) : NULL;
    x->attempts = j->attempts;
    x->created_at = j->created_at;
}

static void
claim_reset(struct claim_tx *t)
{
    for (size_t i = 0; i < t->n; i++) {
        cm_free(t->v[i].kind);
        cm_free(t->v[i].payload);
        cm_free(t->v[i].unique_key);
    }
    t->n = 0;
}

static enum store_rc
claim_tx(struct store *s, void *ctx)
{
    struct claim_tx *t = ctx;
    int n;

    claim_reset(t);
    n = store_job_claim(s, t->worker, t->now, t->now + JOBS_LEASE_US,
                        JOBS_CLAIM_BATCH, claim_cb, t);
    return n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
}

/* ---- the reminder a job is about ----------------------------------------*/

/* What a reminder job's payload says and what is true now. */
struct reminder_now {
    json_t *payload;
    struct case_facts facts;
    struct reminder_stage stage;
    char *explanation;
    bool is_live; /* the deadline, due and case still call for it */
};

static void
reminder_now_release(struct reminder_now *r)
{
    json_decref(r->payload);
    case_facts_release(&r->facts);
    cm_free(r->explanation);
    memset(r, 0, sizeof *r);
}

/* Read the deadline and case of payload `p` and decide is_live. */
static enum store_rc
reminder_check(struct store *s,
               const struct jobs_config *c,
               int64_t now,
               struct reminder_now *r)
{
    const char *kind = jstr(r->payload, "case_kind");
    const char *case_id = jstr(r->payload, "case_id");
    struct find_deadline fd = {jstr(r->payload, "deadline_kind"), NULL, NULL};
    int32_t today = 0;
    enum store_rc rc;
    int n;

    r->is_live = false;
    n = store_deadline_list_for_case(s, kind, case_id, find_deadline_cb, &fd);
    if (n < 0)
        return (enum store_rc)n;
    if (fd.due == NULL || strcmp(fd.due, jstr(r->payload, "due")) != 0)
        goto out_free;
    rc = case_load(s, kind, case_id, &r->facts);
    if (rc < 0) {
        n = rc;
        goto out_free;
    }
    if (rc == STORE_NO_RESULTS ||
        !reminder_is_open(kind, fd.kind, r->facts.state))
        goto out_free;
    rc = case_today(s, c, r->facts.agency_org_id, now, &today);
    if (rc < 0) {
        n = rc;
        goto out_free;
    }
    if (reminder_stage_at(&c->policy, fd.due, today, now, &r->stage) !=
        CM_ERR_OK)
        goto out_free;
    /* Sent late (a server was down): say what is true now, but never
     * "nothing due" for a stage that did arrive. */
    if (r->stage.kind == REMINDER_STAGE_KIND_NONE)
        goto out_free;
    r->explanation = fd.explanation;
    fd.explanation = NULL;
    r->is_live = true;
out_free:
    cm_free(fd.due);
    cm_free(fd.explanation);
    return n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
}

/* ---- fanout -------------------------------------------------------------*/

struct fanout_tx {
    const struct jobs_config *c;
    const char *worker;
    int64_t now;
    const struct job_copy *job;
    struct reminder_now r;
    struct reminder_case rc_case;
    struct store *s;
    enum store_rc err;
    const char *org; /* the organization being listed */
    char after[STORE_ID_SIZE];
    int page;
};

/* Insert one child job of the fanout; kind "reminder.email" or
 * "reminder.webhook", `field` names the recipient in the payload. */
static enum store_rc
child_insert(struct fanout_tx *t,
             const char *kind,
             const char *prefix,
             const char *field,
             const char *recipient)
{
    struct store_job j;
    struct buf key = BUF_INIT;
    json_t *p = json_deep_copy(t->r.payload);
    char *text;
    enum store_rc rc;

    (void)json_object_set_new(p, field, json_string(recipient));
    text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    if (text == NULL)
        return STORE_HARD_ERROR;
    buf_addf(&key, "%s:%s:%s:%s:%s", prefix, jstr(t->r.payload, "deadline_id"),
             jstr(t->r.payload, "due"), jstr(t->r.payload, "stage"), recipient);
    memset(&j, 0, sizeof j);
    cm_id_new(j.id);
    j.created_at = j.updated_at = t->now;
    j.kind = (char *)kind;
    j.payload = text;
    j.unique_key = (char *)buf_str(&key);
    j.run_at = t->now;
    rc = store_job_insert(t->s, &j);
    free(text);
    buf_release(&key);
    return rc;
}

static void
user_cb(void *cls, const struct store_user *u)
{
    struct fanout_tx *t = cls;
    struct reminder_user ru = {u->id, u->org_id, u->roles, u->disabled};
    enum store_rc rc;

    copy_id(t->after, u->id);
    t->page++;
    if (t->err < 0 || !reminder_is_recipient(&t->rc_case, &ru))
        return;
    rc = child_insert(t, "reminder.email", "email", "user_id", u->id);
    if (rc < 0)
        t->err = rc;
}

static void
webhook_cb(void *cls, const struct store_webhook *w)
{
    struct fanout_tx *t = cls;
    const char *event = t->r.stage.kind == REMINDER_STAGE_KIND_OVERDUE
                            ? "reminder.overdue"
                            : "reminder.due";
    const char *label = jstr(t->r.payload, "stage");
    enum store_rc rc;

    if (strcmp(label, "overdue") == 0)
        event = "reminder.overdue";
    if (t->err < 0 || w->events == NULL || strstr(w->events, event) == NULL)
        return;
    rc = child_insert(t, "reminder.webhook", "webhook", "webhook_id", w->id);
    if (rc < 0)
        t->err = rc;
}

/* Enqueue email jobs for the responsible users of organization `org`. */
static enum store_rc
fanout_org(struct fanout_tx *t, const char *org)
{
    int n;

    if (org == NULL || *org == '\0')
        return STORE_ONE_RESULT;
    t->after[0] = '\0';
    do {
        t->page = 0;
        n = store_user_list(t->s, org, t->after, USER_PAGE, user_cb, t);
        if (n < 0)
            return (enum store_rc)n;
        if (t->err < 0)
            return t->err;
    } while (n == USER_PAGE);
    return STORE_ONE_RESULT;
}

static enum store_rc
fanout_tx(struct store *s, void *ctx)
{
    struct fanout_tx *t = ctx;
    const struct case_facts *f;
    enum store_rc rc;
    int n;

    reminder_now_release(&t->r);
    t->r.payload = json_loads(t->job->payload, 0, NULL);
    t->s = s;
    t->err = STORE_ONE_RESULT;
    if (t->r.payload == NULL)
        goto out_complete; /* nothing to do with a broken payload */
    rc = reminder_check(s, t->c, t->now, &t->r);
    if (rc < 0)
        return rc;
    if (!t->r.is_live)
        goto out_complete;
    f = &t->r.facts;
    case_as_reminder(f, jstr(t->r.payload, "case_kind"),
                     jstr(t->r.payload, "deadline_kind"), &t->rc_case);
    if (t->c->smtp_url && *t->c->smtp_url) {
        const char *orgs[3] = {f->agency_org_id, f->jurisdiction_org_id,
                               f->doj_org_id};

        for (size_t i = 0; i < 3; i++) {
            rc = fanout_org(t, orgs[i]);
            if (rc < 0)
                return rc;
        }
    }
    n = store_webhook_list_for_orgs(s, f->agency_org_id, f->jurisdiction_org_id,
                                    f->doj_org_id, webhook_cb, t);
    if (n < 0)
        return (enum store_rc)n;
    if (t->err < 0)
        return t->err;
out_complete:
    rc = store_job_complete(s, t->job->id, t->worker, t->now);
    /* A lost lease: another worker has it; roll back what we did. */
    return rc == STORE_NO_RESULTS ? STORE_HARD_ERROR : rc;
}

/* ---- email and webhook --------------------------------------------------*/

/* What a send needs, read in one transaction. */
struct send_tx {
    const struct jobs_config *c;
    int64_t now;
    const struct job_copy *job;
    bool is_webhook;
    struct reminder_now r;
    char *to;  /* email address */
    char *url; /* webhook */
    struct buf secret;
};

static void
send_reset(struct send_tx *t)
{
    reminder_now_release(&t->r);
    cm_free(t->to);
    cm_free(t->url);
    t->to = t->url = NULL;
    if (t->secret.data)
        memset(t->secret.data, 0, t->secret.len);
    buf_release(&t->secret);
}

static enum store_rc
send_read_tx(struct store *s, void *ctx)
{
    struct send_tx *t = ctx;
    enum store_rc rc;

    send_reset(t);
    t->r.payload = json_loads(t->job->payload, 0, NULL);
    if (t->r.payload == NULL)
        return STORE_ONE_RESULT;
    rc = reminder_check(s, t->c, t->now, &t->r);
    if (rc < 0 || !t->r.is_live)
        return rc;
    if (t->is_webhook) {
        struct store_webhook w = {0};

        rc = store_webhook_get(s, jstr(t->r.payload, "webhook_id"), &w);
        if (rc == STORE_ONE_RESULT && w.deleted_at == 0 &&
            fieldcrypt_open(t->c->fc, w.id, JOBS_WEBHOOK_SECRET_FIELD,
                            w.secret.data, w.secret.len,
                            &t->secret) == CM_ERR_OK)
            t->url = cm_strdup(w.url);
        else
            t->r.is_live = false;
        store_webhook_release(&w);
    } else {
        struct store_user u = {0};
        struct reminder_case rcase;
        struct reminder_user ru;

        rc = store_user_get(s, jstr(t->r.payload, "user_id"), &u);
        if (rc == STORE_ONE_RESULT) {
            case_as_reminder(&t->r.facts, jstr(t->r.payload, "case_kind"),
                             jstr(t->r.payload, "deadline_kind"), &rcase);
            ru.id = u.id;
            ru.org_id = u.org_id;
            ru.roles = u.roles;
            ru.disabled = u.disabled;
            if (reminder_is_recipient(&rcase, &ru) && u.email)
                t->to = cm_strdup(u.email);
        }
        if (t->to == NULL)
            t->r.is_live = false;
        store_user_release(&u);
    }
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

/* The webhook body: {id, type, created_at, data: {...}}. */
static char *
webhook_body(const struct send_tx *t)
{
    char created[DATE_RFC3339_SIZE];
    const json_t *p = t->r.payload;
    json_t *data = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "case_kind", jstr(p, "case_kind"),
        "case_id", jstr(p, "case_id"), "number", t->r.facts.number,
        "deadline_kind", jstr(p, "deadline_kind"), "due", jstr(p, "due"),
        "stage", jstr(p, "stage"), "deadline_id", jstr(p, "deadline_id"));
    json_t *o;
    char *text;

    if (data == NULL)
        return NULL;
    if (t->r.stage.kind == REMINDER_STAGE_KIND_BEFORE)
        (void)json_object_set_new(
            data, t->r.stage.is_hours ? "hours_left" : "days_left",
            json_integer(t->r.stage.left));
    if (t->r.explanation)
        (void)json_object_set_new(data, "explanation",
                                  json_string(t->r.explanation));
    date_time_format_rfc3339(t->job->created_at / 1000000, 0, created);
    o = json_pack("{s:s,s:s,s:s,s:o}", "id", t->job->id, "type",
                  strcmp(jstr(p, "stage"), "overdue") == 0 ? "reminder.overdue"
                                                           : "reminder.due",
                  "created_at", created, "data", data);
    if (o == NULL)
        return NULL;
    text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return text;
}

/* Send: CM_ERR_OK when it went out. */
static enum cm_err
send_now(struct send_tx *t, struct buf *why)
{
    const json_t *p = t->r.payload;
    enum cm_err err;

    if (t->is_webhook) {
        struct webhook_request wr;
        char *body = webhook_body(t);

        if (body == NULL) {
            buf_adds(why, "cannot build the body");
            return CM_ERR_INTERNAL;
        }
        wr.url = t->url;
        wr.body = body;
        wr.secret = (const unsigned char *)t->secret.data;
        wr.secret_len = t->secret.len;
        wr.delivery_id = t->job->id;
        wr.t_unix = t->now / 1000000;
        wr.allow_private = t->c->webhook_private_ok;
        err = webhook_post(&wr, NULL, why);
        free(body);
    } else {
        struct buf subject = BUF_INIT;
        struct buf body = BUF_INIT;
        struct buf mid = BUF_INIT;
        struct reminder_text rt;
        struct smtp_message m;

        reminder_subject(&subject, t->r.facts.number, jstr(p, "deadline_kind"),
                         jstr(p, "due"), &t->r.stage);
        rt.number = t->r.facts.number;
        rt.case_kind = jstr(p, "case_kind");
        rt.case_id = jstr(p, "case_id");
        rt.deadline_kind = jstr(p, "deadline_kind");
        rt.due = jstr(p, "due");
        rt.explanation = t->r.explanation;
        rt.public_url = t->c->public_url;
        reminder_body(&body, &rt, &t->r.stage);
        buf_addf(&mid, "%s@compel", t->job->id);
        m.from = t->c->smtp_from;
        m.to = t->to;
        m.subject = buf_str(&subject);
        m.body = buf_str(&body);
        m.message_id = buf_str(&mid);
        m.date_us = t->now;
        err = smtp_send(t->c->smtp_url, &m, why);
        buf_release(&mid);
        buf_release(&body);
        buf_release(&subject);
    }
    return err;
}

/* The end of a send: the delivery and the completion, or the failure. */
struct finish_tx {
    const char *worker;
    int64_t now;
    const struct job_copy *job;
    const char *channel;
    const char *recipient;
    const char *status; /* "sent", "skipped", or NULL for a failure */
    const char *error;
    int64_t next_run_at;
};

static enum store_rc
finish_tx(struct store *s, void *ctx)
{
    struct finish_tx *t = ctx;
    struct store_delivery d;
    enum store_rc rc;

    if (t->status == NULL)
        return store_job_fail(s, t->job->id, t->worker, t->now, t->next_run_at,
                              t->error);
    memset(&d, 0, sizeof d);
    cm_id_new(d.id);
    d.key = t->job->unique_key ? t->job->unique_key : (char *)t->job->id;
    copy_id(d.job_id, t->job->id);
    d.channel = (char *)t->channel;
    copy_id(d.recipient_id,
            t->recipient && *t->recipient ? t->recipient : t->job->id);
    d.status = (char *)t->status;
    d.at = t->now;
    rc = store_delivery_insert(s, &d);
    if (rc < 0)
        return rc;
    return store_job_complete(s, t->job->id, t->worker, t->now);
}

static bool
run_send(struct store *s,
         const struct jobs_config *c,
         const char *worker,
         const struct job_copy *job,
         bool is_webhook)
{
    struct send_tx t;
    struct finish_tx f;
    struct buf why = BUF_INIT;
    bool ok = false;
    int rc;

    memset(&t, 0, sizeof t);
    t.c = c;
    t.now = c->now(c->now_ctx);
    t.job = job;
    t.is_webhook = is_webhook;
    rc = store_tx_run_read(s, "job_send_read", send_read_tx, &t);
    if (rc < 0)
        goto out_release;
    memset(&f, 0, sizeof f);
    f.worker = worker;
    f.job = job;
    f.channel = is_webhook ? "webhook" : "email";
    f.recipient = t.r.payload
                      ? jstr(t.r.payload, is_webhook ? "webhook_id" : "user_id")
                      : NULL;
    if (!t.r.is_live) {
        f.status = "skipped";
    } else if (send_now(&t, &why) == CM_ERR_OK) {
        f.status = "sent";
        ok = true;
    } else {
        f.error = buf_str(&why);
        f.next_run_at = jobs_next_run(c->now(c->now_ctx), job->attempts + 1,
                                      c->max_attempts);
        LOG_WARN("job=%s kind=%s attempt=%lld failed: %s%s", job->id, job->kind,
                 (long long)job->attempts + 1, buf_str(&why),
                 f.next_run_at ? "" : " (dead)");
    }
    f.now = c->now(c->now_ctx);
    rc = store_tx_run(s, "job_finish", finish_tx, &f);
    if (rc < 0)
        ok = false;
out_release:
    send_reset(&t);
    buf_release(&why);
    return ok;
}

/* Run one claimed job; true when it succeeded. */
static bool
run_job(struct store *s,
        const struct jobs_config *c,
        const char *worker,
        const struct job_copy *job)
{
    if (strcmp(job->kind, "reminder.fanout") == 0) {
        struct fanout_tx t;
        int rc;

        memset(&t, 0, sizeof t);
        t.c = c;
        t.worker = worker;
        t.now = c->now(c->now_ctx);
        t.job = job;
        rc = store_tx_run(s, "job_fanout", fanout_tx, &t);
        reminder_now_release(&t.r);
        return rc >= 0;
    }
    if (strcmp(job->kind, "reminder.email") == 0)
        return run_send(s, c, worker, job, false);
    if (strcmp(job->kind, "reminder.webhook") == 0)
        return run_send(s, c, worker, job, true);
    LOG_WARN("job=%s: unknown kind %s; left claimed until its lease ends",
             job->id, job->kind);
    return false;
}

static void
count_webhook(void *cls, const struct store_webhook *w)
{
    (void)w;
    (*(int *)cls)++;
}

/* 1 when reminders have a way out (SMTP or an active webhook), 0 when
 * not, or a negative enum store_rc. */
static int
has_channel(struct store *s, const struct jobs_config *c)
{
    int n = 0;
    int rc;

    if (c->smtp_url && *c->smtp_url)
        return 1;
    rc = store_webhook_list(s, NULL, 1, count_webhook, &n);
    if (rc < 0)
        return rc;
    return n > 0;
}

/* ---- the daily retention purge -------------------------------------------*/

struct purge_claim_tx {
    char today[DATE_STR_SIZE];
    bool claimed;
};

/* Claim today's purge: true when no server has run it today. */
static enum store_rc
purge_claim_tx(struct store *s, void *ctx)
{
    struct purge_claim_tx *t = ctx;
    char *last = NULL;
    enum store_rc rc = store_meta_get(s, JOBS_META_PURGE_DAY, &last);

    t->claimed = false;
    if (rc < 0)
        return rc;
    if (rc == STORE_ONE_RESULT && strcmp(last, t->today) >= 0) {
        cm_free(last);
        return STORE_NO_RESULTS;
    }
    cm_free(last);
    rc = store_meta_set(s, JOBS_META_PURGE_DAY, t->today);
    if (rc < 0)
        return rc;
    t->claimed = true;
    return STORE_ONE_RESULT;
}

static enum cm_err
purge_daily(struct store *s,
            const struct jobs_config *c,
            bool *ran,
            int *disabled)
{
    struct purge_claim_tx t;
    struct purge_result r;
    int64_t now = c->now(c->now_ctx);
    enum cm_err err;

    *ran = false;
    memset(&t, 0, sizeof t);
    date_format(date_time_day(now / 1000000), t.today);
    if (store_tx_run(s, "purge_claim", purge_claim_tx, &t) < 0)
        return CM_ERR_STORE_FAILURE;
    if (!t.claimed)
        return CM_ERR_OK;
    err = purge_run(s, &c->retention, now, now, false, &r);
    if (err != CM_ERR_OK) {
        LOG_ERROR("jobs: the retention purge failed (%s)", cm_err_code(err));
        return err;
    }
    *ran = true;
    LOG_INFO("jobs: retention purge: audit=%lld detainers=%lld "
             "subpoenas=%lld enforcements=%lld disclosures=%lld",
             (long long)r.total.audit, (long long)r.total.detainers,
             (long long)r.total.subpoenas, (long long)r.total.enforcements,
             (long long)r.total.disclosures);
    if (c->inactive_days <= 0)
        return CM_ERR_OK;
    err = inactive_run(s, c->inactive_days, now, disabled);
    if (err != CM_ERR_OK)
        LOG_ERROR("jobs: disabling inactive accounts failed (%s)",
                  cm_err_code(err));
    else if (*disabled > 0)
        LOG_INFO("jobs: %d account(s) disabled after %d days without use",
                 *disabled, c->inactive_days);
    return err;
}

enum cm_err
jobs_tick(struct store *s,
          const struct jobs_config *c,
          const char *worker,
          struct jobs_tick_result *out)
{
    struct jobs_tick_result res = {0, 0, 0, false, 0};
    struct scan_tx scan;
    struct claim_tx *claim = cm_calloc(1, sizeof *claim);
    enum cm_err err = CM_ERR_OK;
    int rc;

    memset(&scan, 0, sizeof scan);
    scan.c = c;
    scan.now = c->now(c->now_ctx);
    /* No channel (no SMTP, no webhook): nothing to remind with, and
     * nothing is written. */
    rc = has_channel(s, c);
    if (rc > 0)
        rc = store_tx_run(s, "jobs_scan", scan_tx, &scan);
    cm_free(scan.v);
    if (rc < 0) {
        err = CM_ERR_STORE_FAILURE;
        goto out_free;
    }
    res.enqueued = scan.enqueued;
    claim->worker = worker;
    for (int round = 0; round < JOBS_CLAIM_ROUNDS; round++) {
        claim->now = c->now(c->now_ctx);
        rc = store_tx_run(s, "jobs_claim", claim_tx, claim);
        if (rc < 0) {
            err = CM_ERR_STORE_FAILURE;
            break;
        }
        if (claim->n == 0)
            break;
        for (size_t i = 0; i < claim->n; i++) {
            res.ran++;
            if (!run_job(s, c, worker, &claim->v[i]))
                res.failed++;
        }
        claim_reset(claim);
    }
    claim_reset(claim);
    if (err == CM_ERR_OK && c->retention.audit_years > 0) {
        err = purge_daily(s, c, &res.purged, &res.disabled);
        if (err == CM_ERR_VALIDATION_FAILED)
            err = CM_ERR_OK; /* a bad policy is logged, not retried */
    }
    if (out)
        *out = res;
out_free:
    cm_free(claim);
    return err;
}

/* ---- the thread ---------------------------------------------------------*/

struct jobs_runner {
    struct jobs_config c;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stop;
    char worker[96];
};

static void *
runner_main(void *arg)
{
    struct jobs_runner *r = arg;
    struct store *s = NULL;
    const char *why = NULL;
    bool stop = false;

    while (!stop) {
        struct timespec until;

        if (s == NULL && store_open(r->c.db_url, STORE_OPEN_MODE_EXISTING, &s,
                                    &why) != CM_ERR_OK) {
            LOG_WARN("jobs: cannot open the store: %s", why ? why : "");
            s = NULL;
        }
        if (s) {
            struct jobs_tick_result res;

            if (jobs_tick(s, &r->c, r->worker, &res) != CM_ERR_OK) {
                /* Start over on a fresh connection next time. */
                store_close(s);
                s = NULL;
            } else if (res.enqueued || res.ran) {
                LOG_INFO("jobs: enqueued=%d ran=%d failed=%d", res.enqueued,
                         res.ran, res.failed);
            }
        }
        (void)clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += (time_t)r->c.interval_s;
        (void)pthread_mutex_lock(&r->mu);
        while (!r->stop &&
               pthread_cond_timedwait(&r->wake, &r->mu, &until) == 0)
            ;
        stop = r->stop;
        (void)pthread_mutex_unlock(&r->mu);
    }
    store_close(s);
    return NULL;
}

enum cm_err
jobs_runner_start(const struct jobs_config *c, struct jobs_runner **out)
{
    struct jobs_runner *r = cm_calloc(1, sizeof *r);
    pthread_condattr_t attr;
    unsigned char rnd[6];
    char host[48] = "compel";
    char tag[16];

    r->c = *c;
    if (r->c.interval_s == 0)
        r->c.interval_s = 1;
    (void)gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    cm_random_bytes(rnd, sizeof rnd);
    (void)cm_base64url(rnd, sizeof rnd, tag);
    (void)snprintf(r->worker, sizeof r->worker, "%s:%ld:%s", host,
                   (long)getpid(), tag);
    (void)curl_global_init(CURL_GLOBAL_DEFAULT);
    (void)pthread_mutex_init(&r->mu, NULL);
    (void)pthread_condattr_init(&attr);
    (void)pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    (void)pthread_cond_init(&r->wake, &attr);
    (void)pthread_condattr_destroy(&attr);
    if (pthread_create(&r->thread, NULL, runner_main, r) != 0) {
        (void)pthread_cond_destroy(&r->wake);
        (void)pthread_mutex_destroy(&r->mu);
        cm_free(r);
        return CM_ERR_INTERNAL;
    }
    *out = r;
    return CM_ERR_OK;
}

void
jobs_runner_stop(struct jobs_runner *r)
{
    if (r == NULL)
        return;
    (void)pthread_mutex_lock(&r->mu);
    r->stop = true;
    (void)pthread_cond_signal(&r->wake);
    (void)pthread_mutex_unlock(&r->mu);
    (void)pthread_join(r->thread, NULL);
    (void)pthread_cond_destroy(&r->wake);
    (void)pthread_mutex_destroy(&r->mu);
    curl_global_cleanup();
    cm_free(r);
}
