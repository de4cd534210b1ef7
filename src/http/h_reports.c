/*
 * h_reports.c: GET /api/v1/reports/jurisdictions, the jurisdiction report
 * (docs/reports.md), as JSON or, with `Accept: text/csv`, as CSV.
 *
 * Query: from, to (YYYY-MM-DD, inclusive, each optional; 400 naming the
 * field when malformed or from > to) and public=true|false (the export
 * with no ids and no count below 5). Agency roles, auditors and DOJ see
 * every jurisdiction; a jurisdiction's users see only their own row;
 * admins are refused (403) as on every case route.
 *
 * The report holds counts, never a person or a case, so reading it is not
 * a read of personal data and appends no audit record.
 */
#include <string.h>

#include "core/buf.h"
#include "http/app.h"
#include "http/reply.h"
#include "http/reports.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"

static enum cm_err h_reports_jurisdictions(struct http_req *req);

static const struct route rows[] = {
    {"GET", "/api/v1/reports/jurisdictions", h_reports_jurisdictions,
     ROLE_ANY_BUT_ADMIN, 0, 0},
};

const struct route_group h_reports_group = ROUTE_GROUP(rows);

struct report_tx {
    struct app_tx base;
    struct reports_query q;
    enum reports_format format;
    struct buf text;
};

static enum store_rc
report_tx(struct store *s, void *ctx)
{
    struct report_tx *t = ctx;

    return reports_write(s, &t->q, t->format, &t->text);
}

static bool
wants_csv(const struct http_req *req)
{
    const char *accept = http_req_header(req, "Accept");

    return accept && strstr(accept, "text/csv") != NULL;
}

static enum cm_err
h_reports_jurisdictions(struct http_req *req)
{
    struct report_tx t;
    const char *pub = http_req_query(req, "public");
    const char *field = NULL;
    char why[200];
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.q.from = http_req_query(req, "from");
    t.q.to = http_req_query(req, "to");
    t.q.now = app_now(app_of(req));
    if (pub && strcmp(pub, "true") != 0 && strcmp(pub, "false") != 0)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "public",
                           "public must be true or false");
    t.q.is_public = pub && strcmp(pub, "true") == 0;
    err = reports_check_query(&t.q, &field, why, sizeof why);
    if (err != CM_ERR_OK)
        return reply_error(req, err, field, why);
    /* A jurisdiction's users see their own row only. */
    if (req->caller.org_kind == ORG_KIND_JURISDICTION)
        t.q.org_id = req->caller.org_id;
    t.format = wants_csv(req) ? REPORTS_FORMAT_CSV : REPORTS_FORMAT_JSON;
    err = app_run_read(req, "report_jurisdictions", report_tx, &t.base);
    if (err != CM_ERR_OK) {
        buf_release(&t.text);
        return err;
    }
    if (t.format == REPORTS_FORMAT_CSV) {
        err = reply_bytes(req, 200, "text/csv; charset=utf-8", t.text.data,
                          t.text.len);
        buf_release(&t.text);
        return err;
    }
    /* written line by line from the store's sums: no JSON tree */
    return reply_json_text(req, 200, &t.text);
}
