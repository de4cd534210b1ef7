/*
 * h_feeds.c: each user's deadlines as an iCalendar feed that Outlook,
 * Google Calendar or Apple Calendar subscribe to.
 *
 *   POST   /api/v1/me/calendar-token  → 201 {"token", "url"}: a new feed
 *                                       token, shown once; it replaces
 *                                       the caller's old one
 *   DELETE /api/v1/me/calendar-token  → 204: revoke it (404 when none)
 *   GET    /api/v1/calendar.ics?token=…  the feed (public route: the
 *                                       token is the only credential)
 *
 * Calendar programs cannot log in, so the feed URL carries a token: 32
 * random bytes in base64url, stored hashed (auth/token.h), one per user,
 * revocable. An unknown, revoked or malformed token, or one whose user is
 * disabled, answers 404 (which one is not said). The server logs paths
 * without their query string, so the token never reaches the log.
 *
 * The feed holds one VEVENT per open deadline (reminders.h says which are
 * open) of the cases the user acts on (scoped as the queue: the agency
 * office's cases for agency staff, the jurisdiction's for its staff, the
 * referred ones for DOJ), due from the past (overdue) up to a year ahead:
 * all-day events for dates, UTC instants for hour clocks, UID
 * "<deadline id>@compel", SUMMARY "SUB-2026-000123 return date",
 * DESCRIPTION the deadline's explanation. No personal data: case numbers,
 * kinds, dates and explanations only; so reading it is not audited (making
 * and revoking tokens are).
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
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "jobs/reminders.h"
#include "render/ical.h"
#include "store/store.h"

static enum cm_err h_feeds_token_create(struct http_req *req);
static enum cm_err h_feeds_token_delete(struct http_req *req);
static enum cm_err h_feeds_calendar(struct http_req *req);

static const struct route rows[] = {
    {"POST", "/api/v1/me/calendar-token", h_feeds_token_create, ROLE_ANY, 0,
     ROUTE_FLAG_JSON},
    {"DELETE", "/api/v1/me/calendar-token", h_feeds_token_delete, ROLE_ANY, 0,
     0},
    {"GET", "/api/v1/calendar.ics", h_feeds_calendar, 0, 0, 0},
};

const struct route_group h_feeds_group = ROUTE_GROUP(rows);

/* Most events in one feed, and how far ahead it looks. */
#define FEED_MAX        2000
#define FEED_AHEAD_DAYS 365

#define AGENCY_ROLES                                  \
    (ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_SIGNER) | \
     ROLE_BIT(ROLE_AGENCY_COUNSEL))
#define JURISDICTION_ROLES                               \
    (ROLE_BIT(ROLE_BOOKING) | ROLE_BIT(ROLE_CUSTODIAN) | \
     ROLE_BIT(ROLE_RECIPIENT_COUNSEL))

/* ---- POST / DELETE /api/v1/me/calendar-token ------------------------------*/

struct token_tx {
    struct app_tx base;
    unsigned char hash[TOKEN_HASH_SIZE];
    bool is_revoke;
    bool is_missing;
};

static enum store_rc
token_tx(struct store *s, void *ctx)
{
    struct token_tx *t = ctx;
    struct http_req *req = t->base.req;
    int64_t now = app_now(app_of(req));
    enum store_rc rc;

    t->is_missing = false;
    if (t->is_revoke)
        rc = store_feed_token_revoke(s, req->caller.user_id, now);
    else
        rc = store_feed_token_set(s, req->caller.user_id, t->hash, now);
    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS) {
        if (!t->is_revoke)
            return STORE_SOFT_ERROR; /* a hash collision: never in practice */
        t->is_missing = true;
        return STORE_NO_RESULTS;
    }
    return app_audit(s, req,
                     t->is_revoke ? "calendar_token.revoke"
                                  : "calendar_token.create",
                     "user", req->caller.user_id, "ok", NULL);
}

static enum cm_err
h_feeds_token_create(struct http_req *req)
{
    struct token_tx t;
    struct buf url = BUF_INIT;
    const char *base = app_of(req)->public_url;
    char token[TOKEN_LEN + 1];
    enum cm_err err;
    json_t *answer;

    if (req->body.len > 0) {
        json_t *body = json_loadb(buf_str(&req->body), req->body.len, 0, NULL);
        bool is_empty = json_is_object(body) && json_object_size(body) == 0;

        json_decref(body);
        if (!is_empty)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, NULL,
                               "send no body, or {}");
    }
    memset(&t, 0, sizeof t);
    token_new(token, t.hash);
    err = app_run(req, "calendar_token_create", token_tx, &t.base);
    if (err == CM_ERR_OK) {
        if (base && *base) {
            size_t n = strlen(base);

            while (n > 0 && base[n - 1] == '/')
                n--;
            buf_add(&url, base, n);
        }
        buf_addf(&url, "/api/v1/calendar.ics?token=%s", token);
        answer = json_pack("{s:s,s:s}", "token", token, "url", buf_str(&url));
        err = answer ? reply_json(req, 201, answer)
                     : reply_error(req, CM_ERR_INTERNAL, NULL, NULL);
    }
    memset(token, 0, sizeof token);
    if (url.data)
        memset(url.data, 0, url.len);
    buf_release(&url);
    return err;
}

static enum cm_err
h_feeds_token_delete(struct http_req *req)
{
    struct token_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.is_revoke = true;
    err = app_run(req, "calendar_token_revoke", token_tx, &t.base);
    if (err != CM_ERR_OK)
        return err;
    if (t.is_missing)
        return reply_error(req, CM_ERR_NOT_FOUND, NULL,
                           "you have no calendar token");
    return reply_no_content(req, 204);
}

/* ---- GET /api/v1/calendar.ics ---------------------------------------------*/

struct feed_tx {
    struct app_tx base;
    unsigned char hash[TOKEN_HASH_SIZE];
    bool is_missing;
    struct buf ics;
    struct store_deadline *v;
    size_t n, cap;
};

static void
feed_reset_list(struct feed_tx *t)
{
    for (size_t i = 0; i < t->n; i++)
        store_deadline_release(&t->v[i]);
    t->n = 0;
}

static char *
dup_or_null(const char *s)
{
    return s ? cm_strdup(s) : NULL;
}

static void
feed_cb(void *cls, const struct store_deadline *d)
{
    struct feed_tx *t = cls;
    struct store_deadline *x;

    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 32;
        t->v = cm_realloc(t->v, t->cap * sizeof *t->v);
    }
    x = &t->v[t->n++];
    memset(x, 0, sizeof *x);
    (void)snprintf(x->id, sizeof x->id, "%s", d->id);
    x->case_kind = dup_or_null(d->case_kind);
    (void)snprintf(x->case_id, sizeof x->case_id, "%s", d->case_id);
    x->kind = dup_or_null(d->kind);
    x->due = dup_or_null(d->due);
    x->explanation = dup_or_null(d->explanation);
}

/* The number and state of a case; STORE_NO_RESULTS when gone. */
static enum store_rc
case_head(struct store *s,
          const char *kind,
          const char *id,
          char number[STORE_NUMBER_SIZE],
          char **state)
{
    enum store_rc rc = STORE_NO_RESULTS;

    if (strcmp(kind, "subpoena") == 0) {
        struct store_subpoena sp = {0};

        rc = store_subpoena_get(s, id, &sp);
        if (rc == STORE_ONE_RESULT) {
            (void)snprintf(number, STORE_NUMBER_SIZE, "%s", sp.number);
            *state = dup_or_null(sp.state);
        }
        store_subpoena_release(&sp);
    } else if (strcmp(kind, "enforcement") == 0) {
        struct store_enforcement e = {0};

        rc = store_enforcement_get(s, id, &e);
        if (rc == STORE_ONE_RESULT) {
            (void)snprintf(number, STORE_NUMBER_SIZE, "%s", e.number);
            *state = dup_or_null(e.state);
        }
        store_enforcement_release(&e);
    } else if (strcmp(kind, "detainer") == 0) {
        struct store_detainer d = {0};

        rc = store_detainer_get(s, id, &d);
        if (rc == STORE_ONE_RESULT) {
            (void)snprintf(number, STORE_NUMBER_SIZE, "%s", d.number);
            *state = dup_or_null(d.state);
        }
        store_detainer_release(&d);
    }
    return rc;
}

/* The scope a user acts in (as the queue's). */
static void
user_scope(const struct store_user *u,
           const struct store_org *o,
           struct store_scope *out)
{
    enum org_kind kind = ORG_KIND_AGENCY_OFFICE;

    memset(out, 0, sizeof *out);
    if (!org_kind_parse(o->kind, &kind))
        return;
    if (kind == ORG_KIND_AGENCY_OFFICE && (u->roles & AGENCY_ROLES))
        (void)snprintf(out->agency_org_id, sizeof out->agency_org_id, "%s",
                       o->id);
    else if (kind == ORG_KIND_JURISDICTION && (u->roles & JURISDICTION_ROLES))
        (void)snprintf(out->jurisdiction_org_id,
                       sizeof out->jurisdiction_org_id, "%s", o->id);
    else if (kind == ORG_KIND_DOJ_OFFICE &&
             (u->roles & ROLE_BIT(ROLE_DOJ_ATTORNEY)))
        (void)snprintf(out->doj_org_id, sizeof out->doj_org_id, "%s", o->id);
}

/* Append the VEVENT of one open deadline. */
static void
add_event(struct feed_tx *t,
          const struct store_deadline *d,
          const char *number,
          int64_t now)
{
    struct ical_event ev;
    struct buf uid = BUF_INIT;
    struct buf summary = BUF_INIT;
    int32_t day = 0;
    int64_t at = 0;
    int32_t offset = 0;

    memset(&ev, 0, sizeof ev);
    if (strlen(d->due) == 10) {
        if (date_parse(d->due, &day) != CM_ERR_OK)
            goto out_release;
        ev.is_all_day = true;
        ev.day = day;
    } else {
        if (date_time_parse_rfc3339(d->due, &at, &offset) != CM_ERR_OK)
            goto out_release;
        ev.at_us = at * 1000000;
    }
    buf_addf(&uid, "%s@compel", d->id);
    buf_addf(&summary, "%s %s", number, reminder_kind_label(d->kind));
    ev.uid = buf_str(&uid);
    ev.stamp_us = now;
    ev.summary = buf_str(&summary);
    ev.description = d->explanation;
    ical_add_event(&t->ics, &ev);
out_release:
    buf_release(&summary);
    buf_release(&uid);
}

static enum store_rc
feed_tx(struct store *s, void *ctx)
{
    struct feed_tx *t = ctx;
    struct http_req *req = t->base.req;
    struct store_user u = {0};
    struct store_org o = {0};
    struct store_scope scope;
    char user_id[STORE_ID_SIZE];
    char to[DATE_STR_SIZE];
    int64_t now = app_now(app_of(req));
    enum store_rc rc;
    int n;

    feed_reset_list(t);
    buf_reset(&t->ics);
    t->is_missing = true;
    rc = store_feed_token_user(s, t->hash, user_id);
    if (rc <= 0)
        return rc;
    rc = store_user_get(s, user_id, &u);
    if (rc <= 0 || u.disabled)
        goto out_user;
    rc = store_org_get(s, u.org_id, &o);
    if (rc <= 0)
        goto out_org;
    t->is_missing = false;
    user_scope(&u, &o, &scope);
    date_format(app_today_in(o.timezone, now) + FEED_AHEAD_DAYS, to);
    ical_begin(&t->ics, "-//compel//deadlines//EN", "compel deadlines");
    n = store_deadline_list_due(s, &scope, "0001-01-01", to, FEED_MAX, feed_cb,
                                t);
    if (n < 0) {
        rc = (enum store_rc)n;
        goto out_org;
    }
    for (size_t i = 0; i < t->n; i++) {
        const struct store_deadline *d = &t->v[i];
        char number[STORE_NUMBER_SIZE] = "";
        char *state = NULL;

        rc = case_head(s, d->case_kind, d->case_id, number, &state);
        if (rc < 0)
            goto out_org;
        if (rc == STORE_ONE_RESULT &&
            reminder_is_open(d->case_kind, d->kind, state))
            add_event(t, d, number, now);
        cm_free(state);
    }
    ical_end(&t->ics);
    rc = STORE_ONE_RESULT;
out_org:
    store_org_release(&o);
out_user:
    store_user_release(&u);
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

static enum cm_err
h_feeds_calendar(struct http_req *req)
{
    const char *token = http_req_query(req, "token");
    struct feed_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.is_missing = true;
    if (token && token_hash(token, t.hash)) {
        err = app_run_read(req, "calendar_feed", feed_tx, &t.base);
        if (err != CM_ERR_OK)
            goto out_release;
    }
    if (t.is_missing) {
        err = reply_error(req, CM_ERR_NOT_FOUND, NULL,
                          "no calendar feed has this token");
        goto out_release;
    }
    err = reply_bytes(req, 200, "text/calendar; charset=utf-8", buf_str(&t.ics),
                      t.ics.len);
    if (err == CM_ERR_OK)
        (void)reply_add_header(req, "Content-Disposition",
                               "inline; filename=\"compel.ics\"");
out_release:
    feed_reset_list(&t);
    cm_free(t.v);
    buf_release(&t.ics);
    return err;
}
