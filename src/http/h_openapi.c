/*
 * h_openapi.c: GET /api/v1/openapi.json, the machine-readable reference
 * of the API.
 *
 * The document is src/http/openapi/openapi.json, embedded into the binary
 * at build time (core/embedded.h, cm_openapi), and answered as is: public,
 * application/json, with the usual security headers and request id. It is
 * kept in step with the route table by tests/unit/test_openapi.c; the
 * human reference is docs/api.md.
 */
#include <string.h>

#include "core/embedded.h"
#include "http/reply.h"
#include "http/router.h"

static enum cm_err h_openapi_get(struct http_req *req);

static const struct route rows[] = {
    {"GET", "/api/v1/openapi.json", h_openapi_get, 0, 0, 0},
};

const struct route_group h_openapi_group = ROUTE_GROUP(rows);

static enum cm_err
h_openapi_get(struct http_req *req)
{
    for (const struct cm_embedded *e = cm_openapi; e->name; e++) {
        if (strcmp(e->name, "openapi.json") == 0)
            return reply_raw_json(req, 200, e->data, e->len);
    }
    return reply_error(req, CM_ERR_NOT_FOUND, NULL,
                       "this build carries no OpenAPI document");
}
