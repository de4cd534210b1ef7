/*
 * h_imports.c: bulk import over HTTP, and CSV answers of case lists.
 *
 *   POST /api/v1/imports/{kind}?office=<org id>&dry_run=true
 *        admin; body: the CSV file, Content-Type text/csv, up to 100 MiB;
 *        kind: jurisdictions | facilities | people | detainers (people and
 *        detainers need ?office=, the agency office they belong to)
 *
 * The file is checked first in a read transaction; a file with errors
 * answers 422 {"code": "validation_failed", "errors": [{line, column,
 * reason}], "error_count"} with at most BULK_ERRORS_MAX errors listed, and
 * nothing changes. A good file is then imported in one transaction (it runs
 * on the writer, so other writes wait while a large file goes in) and the
 * answer is 200 {kind, rows, created, unchanged, dry_run}. See
 * docs/import.md.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bulk/bulk.h"
#include "http/app.h"
#include "http/h_imports.h"
#include "http/reply.h"
#include "http/router.h"

/* Largest file accepted. */
#define IMPORT_BODY_MAX ((size_t)100 * 1024 * 1024)

static enum cm_err h_imports_post(struct http_req *req);

static const struct route rows[] = {
    {"POST", "/api/v1/imports/{kind}", h_imports_post, ROLE_BIT(ROLE_ADMIN),
     IMPORT_BODY_MAX, ROUTE_FLAG_STEP_UP},
};

const struct route_group h_imports_group = ROUTE_GROUP(rows);

struct import_tx {
    struct app_tx base;
    struct bulk_job job;
};

static enum store_rc
validate_tx(struct store *s, void *ctx)
{
    struct import_tx *t = ctx;

    return bulk_import_tx(s, &t->job);
}

static enum store_rc
write_tx(struct store *s, void *ctx)
{
    struct import_tx *t = ctx;
    enum store_rc rc = bulk_import_tx(s, &t->job);

    if (rc < 0 && t->job.result.error_count > 0)
        return app_fail(&t->base, CM_ERR_STATE_CONFLICT, NULL,
                        "the stored records changed while the file was "
                        "imported; send it again");
    return rc;
}

static enum cm_err
reply_errors(struct http_req *req, const struct bulk_result *r)
{
    json_t *errors = json_array();

    for (size_t i = 0; i < r->n_errors; i++) {
        const struct bulk_error *e = &r->errors[i];

        (void)json_array_append_new(
            errors,
            json_pack("{s:I, s:o, s:s}", "line", (json_int_t)e->line, "column",
                      app_json_str(e->column), "reason", e->reason));
    }
    return reply_json(
        req, 422,
        json_pack("{s:s, s:s, s:i, s:s, s:s, s:o, s:I}", "type", "about:blank",
                  "title", "the file has errors", "status", 422, "code",
                  "validation_failed", "detail",
                  "nothing was imported; fix every row listed and send the "
                  "file again",
                  "errors", errors, "error_count", (json_int_t)r->error_count));
}

/* The caller's roles for the audit trail: this route is for admins. */
static enum cm_err
h_imports_post(struct http_req *req)
{
    const char *kind_name = http_req_param(req, "kind");
    const char *ctype = http_req_header(req, "Content-Type");
    const char *office = http_req_query(req, "office");
    const char *dry = http_req_query(req, "dry_run");
    struct bulk_import in;
    struct import_tx t;
    enum bulk_kind kind;
    enum cm_err err;
    char detail[64];

    memset(&in, 0, sizeof in);
    memset(&t, 0, sizeof t);
    if (!kind_name || !bulk_kind_parse(kind_name, &kind))
        return reply_error(req, CM_ERR_NOT_FOUND, NULL,
                           "import jurisdictions, facilities, people or "
                           "detainers");
    if (!ctype || strncasecmp(ctype, "text/csv", 8) != 0)
        return reply_error(req, CM_ERR_UNSUPPORTED_MEDIA, NULL,
                           "send the file as text/csv");
    if (dry && strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "dry_run",
                           "dry_run must be true or false");
    if (bulk_kind_has_office(kind) && (!office || !*office))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "office",
                           "give office=<id of the agency office> the "
                           "records belong to");
    in.kind = kind;
    in.data = req->body.data ? req->body.data : "";
    in.len = req->body.len;
    in.office_id = bulk_kind_has_office(kind) ? office : NULL;
    in.fc = &app_of(req)->fc;
    in.actor.user_id = req->caller.user_id;
    in.actor.org_id = req->caller.org_id;
    in.actor.role = "admin";
    in.actor.session_hash = req->caller.session_hash;
    in.actor.client_addr = req->client_addr;
    in.now = app_now(app_of(req));
    in.validate_only = true;
    t.job.in = &in;
    err = app_run_read(req, "import_check", validate_tx, &t.base);
    if (err != CM_ERR_OK)
        goto out_release;
    if (t.job.result.error_count > 0) {
        (void)snprintf(detail, sizeof detail, "errors=%zu",
                       t.job.result.error_count);
        app_audit_alone(req, NULL,
                        kind == BULK_KIND_JURISDICTIONS ? "import.jurisdictions"
                        : kind == BULK_KIND_FACILITIES  ? "import.facilities"
                        : kind == BULK_KIND_PEOPLE      ? "import.people"
                                                        : "import.detainers",
                        NULL, NULL, "failed", detail);
        err = reply_errors(req, &t.job.result);
        goto out_release;
    }
    if (!dry || strcmp(dry, "true") != 0) {
        in.validate_only = false;
        err = app_run(req, "import", write_tx, &t.base);
        if (err != CM_ERR_OK)
            goto out_release;
    }
    err = reply_json(req, 200,
                     json_pack("{s:s, s:I, s:I, s:I, s:b}", "kind", kind_name,
                               "rows", (json_int_t)t.job.result.rows, "created",
                               (json_int_t)t.job.result.created, "unchanged",
                               (json_int_t)t.job.result.unchanged, "dry_run",
                               in.validate_only));
out_release:
    bulk_result_release(&t.job.result);
    return err;
}

/* ---- CSV answers of the case lists ------------------------------------*/

bool
h_imports_wants_csv(const struct http_req *req)
{
    const char *accept = http_req_header(req, "Accept");

    return accept && strstr(accept, "text/csv") != NULL;
}

struct export_tx {
    struct app_tx base;
    enum bulk_export_kind kind;
    const struct store_scope *scope;
    const struct store_case_filter *filter;
    struct buf out;
};

static enum store_rc
export_tx(struct store *s, void *ctx)
{
    static const char *const actions[] = {"detainer.export", "subpoena.export",
                                          "enforcement.export"};
    struct export_tx *t = ctx;
    char detail[32];
    size_t n = 0;
    enum store_rc rc;

    buf_reset(&t->out);
    rc = bulk_export(s, t->kind, t->scope, t->filter, &t->out, &n);
    if (rc < 0)
        return rc;
    (void)snprintf(detail, sizeof detail, "rows=%zu", n);
    return app_audit(s, t->base.req, actions[t->kind], NULL, NULL, "ok",
                     detail);
}

enum cm_err
h_imports_export_csv(struct http_req *req,
                     enum bulk_export_kind kind,
                     const struct store_scope *scope,
                     const struct store_case_filter *filter)
{
    struct export_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.kind = kind;
    t.scope = scope;
    t.filter = filter;
    err = app_run(req, "list_export", export_tx, &t.base);
    if (err == CM_ERR_OK)
        err = reply_bytes(req, 200, "text/csv; charset=utf-8",
                          t.out.data ? t.out.data : "", t.out.len);
    buf_release(&t.out);
    return err;
}
