/*
 * h_audit.c: the audit trail for auditors: GET /api/v1/audit (search) and
 * GET /api/v1/audit/verify (walk the hash chain).
 *
 * Reading the trail is itself recorded on it ("audit.read",
 * "audit.verify"): CJIS AU-2 asks that attempts to access the audit log be
 * logged. Times are shown to the hundredth of a second (CJIS AU-8).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "domain/date.h"
#include "http/app.h"
#include "http/reply.h"
#include "http/router.h"
#include "store/store.h"

enum cm_err h_audit_list(struct http_req *req);
enum cm_err h_audit_verify(struct http_req *req);

static const struct route rows[] = {
    {"GET", "/api/v1/audit", h_audit_list, ROLE_BIT(ROLE_AUDITOR), 0, 0},
    {"GET", "/api/v1/audit/verify", h_audit_verify, ROLE_BIT(ROLE_AUDITOR), 0,
     0},
};

const struct route_group h_audit_group = ROUTE_GROUP(rows);

/* An instant to the hundredth of a second: 2020-01-13T15:00:00.12Z. */
static json_t *
time_centis(int64_t us)
{
    char day[DATE_STR_SIZE];
    int64_t secs = us / 1000000;
    int32_t sod = date_time_second_of_day(secs);
    char out[64];

    date_format(date_time_day(secs), day);
    (void)snprintf(out, sizeof out, "%sT%02d:%02d:%02d.%02dZ", day, sod / 3600,
                   sod / 60 % 60, sod % 60, (int)(us % 1000000 / 10000));
    return json_string(out);
}

static void
hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

struct list_tx {
    struct app_tx base;
    struct store_audit_filter filter;
    int64_t after;
    int limit;
    json_t *items;
    int64_t last_seq;
    int n;
};

static void
row_cb(void *cls, const struct store_audit *a)
{
    struct list_tx *t = cls;
    char h[2 * STORE_HASH_SIZE + 1];

    hex(a->hash, sizeof a->hash, h);
    (void)json_array_append_new(
        t->items,
        json_pack(
            "{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
            "s:o, s:s}",
            "seq", (json_int_t)a->seq, "at", time_centis(a->at), "actor_id",
            app_json_str(a->actor_id), "org_id", app_json_str(a->org_id),
            "role", app_json_str(a->role), "session_hash",
            app_json_str(a->session_hash), "client_addr",
            app_json_str(a->client_addr), "action", app_json_str(a->action),
            "object_kind", app_json_str(a->object_kind), "object_id",
            app_json_str(a->object_id), "outcome", app_json_str(a->outcome),
            "detail", app_json_str(a->detail), "hash", h));
    t->last_seq = a->seq;
    t->n++;
}

static enum store_rc
list_tx(struct store *s, void *ctx)
{
    struct list_tx *t = ctx;
    int n;

    json_decref(t->items);
    t->items = json_array();
    t->n = 0;
    t->last_seq = 0;
    n = store_audit_list(s, &t->filter, t->after, t->limit, row_cb, t);
    if (n < 0)
        return (enum store_rc)n;
    return app_audit(s, t->base.req, "audit.read", "audit", NULL, "ok", NULL);
}

/* Parse an RFC 3339 instant or a date (midnight UTC) into µs. */
static bool
parse_instant(const char *s, int64_t *out)
{
    int64_t utc;
    int32_t off;
    int32_t day;

    if (date_time_parse_rfc3339(s, &utc, &off) == CM_ERR_OK) {
        *out = utc * 1000000;
        return true;
    }
    if (date_parse(s, &day) == CM_ERR_OK) {
        *out = (int64_t)day * 86400 * 1000000;
        return true;
    }
    return false;
}

enum cm_err
h_audit_list(struct http_req *req)
{
    struct list_tx t;
    const char *from = http_req_query(req, "from");
    const char *to = http_req_query(req, "to");
    const char *cursor = NULL;
    json_t *next;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    err = app_page_params(req, &t.limit, &cursor);
    if (err != CM_ERR_OK)
        return err;
    if (cursor) {
        char *end = NULL;
        long long v = strtoll(cursor, &end, 10);

        if (!end || *end || v < 0)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "cursor",
                               "cursor must be a next_cursor value from a "
                               "previous page");
        t.after = (int64_t)v;
    }
    if (from && !parse_instant(from, &t.filter.from_us))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "from",
                           "from must be a date YYYY-MM-DD or an RFC 3339 "
                           "instant");
    if (to && !parse_instant(to, &t.filter.to_us))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "to",
                           "to must be a date YYYY-MM-DD or an RFC 3339 "
                           "instant");
    t.filter.actor_id = http_req_query(req, "actor");
    t.filter.object_id = http_req_query(req, "object");
    t.filter.object_kind = http_req_query(req, "object_kind");
    err = app_run(req, "audit_list", list_tx, &t.base);
    if (err != CM_ERR_OK) {
        json_decref(t.items);
        return err;
    }
    if (t.n == t.limit) {
        char c[32];

        (void)snprintf(c, sizeof c, "%lld", (long long)t.last_seq);
        next = json_string(c);
    } else {
        next = json_null();
    }
    return reply_json(
        req, 200,
        json_pack("{s:o, s:o}", "items", t.items, "next_cursor", next));
}

struct verify_tx {
    struct app_tx base;
    const struct audit_verify_result *r;
};

static enum store_rc
verify_audit_tx(struct store *s, void *ctx)
{
    struct verify_tx *t = ctx;

    return app_audit(s, t->base.req, "audit.verify", "audit", NULL,
                     t->r->ok ? "ok" : "failed",
                     audit_verify_failure_name(t->r->reason));
}

enum cm_err
h_audit_verify(struct http_req *req)
{
    struct audit_verify_result r;
    struct verify_tx t;
    struct store *s = NULL;
    enum cm_err err = app_store(req, &s);

    if (err != CM_ERR_OK)
        return reply_error(req, err, NULL, "the store is not reachable");
    memset(&r, 0, sizeof r);
    err = audit_verify(s, NULL, NULL, &r);
    if (err == CM_ERR_UNAVAILABLE)
        return reply_error(req, err, NULL,
                           "the store is busy or unreachable; try again");
    if (err != CM_ERR_OK)
        return reply_error(req, CM_ERR_STORE_FAILURE, NULL, NULL);
    memset(&t, 0, sizeof t);
    t.r = &r;
    err = app_run(req, "audit_verify", verify_audit_tx, &t.base);
    if (err != CM_ERR_OK)
        return err;
    return reply_json(
        req, 200,
        json_pack("{s:b, s:I, s:o, s:s}", "ok", r.ok, "checked",
                  (json_int_t)r.checked, "first_bad_seq",
                  r.ok ? json_null() : json_integer(r.first_bad_seq), "reason",
                  audit_verify_failure_name(r.reason)));
}
