/*
 * h_health.c: liveness and readiness probes, public and without a body.
 *
 * GET /healthz answers 200 {"status":"ok"} while the process serves at
 * all. GET /readyz asks the application's check_ready hook (the store)
 * and answers 200 {"status":"ready"} or 503 service_unavailable, so a
 * load balancer stops sending traffic while the store is unreachable, or
 * while the SQLite database takes no writes after a failed fsync (the
 * detail then says so: docs/operations.md, "Storage faults").
 */
#include <jansson.h>

#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "store/sqlite/sqlite_store.h"

/* Not static: tests/unit/test_router.c mounts the liveness probe too. */
enum cm_err h_health_live(struct http_req *req);
static enum cm_err h_health_ready(struct http_req *req);

static const struct route rows[] = {
    {"GET", "/healthz", h_health_live, 0, 0, 0},
    {"GET", "/readyz", h_health_ready, 0, 0, 0},
};

const struct route_group h_health_group = ROUTE_GROUP(rows);

enum cm_err
h_health_live(struct http_req *req)
{
    return reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

static enum cm_err
h_health_ready(struct http_req *req)
{
    const struct http_app *app = req->app;
    enum cm_err err = CM_ERR_UNAVAILABLE;
    char why[160];

    if (app && app->check_ready)
        err = app->check_ready(app->ctx);
    if (err != CM_ERR_OK)
        return reply_error(req, CM_ERR_UNAVAILABLE, NULL,
                           store_sqlite_durability_lost(NULL, why, sizeof why)
                               ? why
                               : "the store is not reachable");
    return reply_json(req, 200, json_pack("{s:s}", "status", "ready"));
}
