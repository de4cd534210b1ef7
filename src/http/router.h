/*
 * router.h: the static route table and the matching of a request to it.
 *
 * A route is one row: method, path pattern, handler, roles allowed and
 * body limit. A pattern is a path whose segments are literal or `{name}`,
 * which matches one non-empty segment and is handed to the handler as a
 * parameter ("/api/v1/subpoenas/{id}/actions/{action}"). A path known
 * under another method answers 405 with an Allow header; an unknown path
 * 404. HEAD is served by the GET route of the same path.
 *
 * Each resource file h_<resource>.c holds its own rows (a route_group);
 * router.c lists the groups and router_routes joins them into one table.
 */
#ifndef CM_HTTP_ROUTER_H
#define CM_HTTP_ROUTER_H

#include <stddef.h>

#include "core/buf.h"
#include "core/errors.h"
#include "domain/role.h"

struct http_req;

/* A handler answers through reply.h (reply_json, reply_error, ...) and
 * returns CM_ERR_OK, or an error for which the server answers
 * reply_error(req, err, NULL, NULL) when the handler did not reply. */
typedef enum cm_err (*http_handler_fn)(struct http_req *req);

enum route_flag {
    /* The body, when there is one, must be application/json (else 415). */
    ROUTE_FLAG_JSON = 1u << 0,
    /* Signing and administration: the caller must have proved who they
     * are within the last step_up_minutes (http_app.step_up). */
    ROUTE_FLAG_STEP_UP = 1u << 1,
    /* The handler never waits for a commit on its thread (it reads, and
     * parks the request for a durable audit record: http_req_park), so it
     * runs on libmicrohttpd's thread; every other route's handler runs on
     * the server's handler threads (server.c). */
    ROUTE_FLAG_INLINE = 1u << 2
};

struct route {
    const char *method;  /* "GET", "POST", ...; upper case */
    const char *pattern; /* "/api/v1/subpoenas/{id}" */
    http_handler_fn handler;
    role_set roles;    /* roles that may call it; 0: public, no login */
    size_t body_limit; /* largest body in bytes; 0: the server's default */
    unsigned flags;    /* enum route_flag bits */
};

/* Most `{param}` segments in one pattern. */
#define ROUTER_MAX_PARAMS 4
/* Longest value of a parameter in bytes; a longer segment never matches. */
#define ROUTER_PARAM_MAX 128

struct route_param {
    const char *name; /* points into the route's pattern; not NUL-ended */
    size_t name_len;
    char value[ROUTER_PARAM_MAX + 1];
};

struct route_match {
    const struct route *route; /* borrowed from the table */
    size_t n_params;
    struct route_param params[ROUTER_MAX_PARAMS];
};

/* Find the route of `table` (`n` rows) for `method` and `path` (the path
 * only, no query string, already percent-decoded). On CM_ERR_OK `*out`
 * holds the route and its parameters. CM_ERR_METHOD_NOT_ALLOWED when the
 * path matches only under other methods, CM_ERR_NOT_FOUND when it matches
 * no route; `*out` is untouched then. */
enum cm_err router_match(const struct route *table,
                         size_t n,
                         const char *method,
                         const char *path,
                         struct route_match *out);

/* Append to `out` the methods `path` is served under, for an Allow
 * header: "GET, HEAD, POST" (HEAD follows GET), in table order. */
void router_allow(const struct route *table,
                  size_t n,
                  const char *path,
                  struct buf *out);

/* The value of parameter `name` of `m`, borrowed from `m`, or NULL. */
const char *router_param(const struct route_match *m, const char *name);

/* The application's route table (every group of router.c, concatenated
 * on the first call); its length goes to `*n`. Never freed. */
const struct route *router_routes(size_t *n);

/* The routes of one resource file, h_<resource>.c, which defines
 * `const struct route_group h_<resource>_group`; router.c lists the groups
 * and router_routes concatenates them, once, into the one table. */
struct route_group {
    const struct route *rows;
    size_t n;
};

#define ROUTE_GROUP(rows)                  \
    {                                      \
        rows, sizeof rows / sizeof rows[0] \
    }

extern const struct route_group h_health_group;
extern const struct route_group h_subpoenas_group;
extern const struct route_group h_session_group;
extern const struct route_group h_me_group;
extern const struct route_group h_tokens_group;
extern const struct route_group h_users_group;
extern const struct route_group h_enforcements_group;
extern const struct route_group h_queue_group;
extern const struct route_group h_audit_group;
extern const struct route_group h_openapi_group;
extern const struct route_group h_orgs_group;
extern const struct route_group h_delegations_group;
extern const struct route_group h_calendars_group;
extern const struct route_group h_deadline_group;
extern const struct route_group h_people_group;
extern const struct route_group h_disclosures_group;
extern const struct route_group h_detainers_group;
extern const struct route_group h_subpoena_document_group;
extern const struct route_group h_verify_group;
extern const struct route_group h_documents_group;
extern const struct route_group h_reports_group;
extern const struct route_group h_webhooks_group;
extern const struct route_group h_feeds_group;
extern const struct route_group h_imports_group;
extern const struct route_group h_holds_group;

#endif
