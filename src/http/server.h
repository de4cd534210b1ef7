/*
 * server.h: the HTTP server (libmicrohttpd) and the request handlers see.
 *
 * The server runs libmicrohttpd with its own thread pool over epoll,
 * bounded by a connection timeout, a global and a per-IP connection limit
 * and a header memory limit. For each request it routes (router.h),
 * accumulates the body up to the route's limit (body.h), checks the
 * caller's roles, calls the handler and queues the one reply built by
 * reply.h. Per-request memory is freed when libmicrohttpd reports the
 * request complete. Stopping is graceful: no new connection is accepted,
 * requests in flight finish (up to a grace period), then the threads end.
 */
#ifndef CM_HTTP_SERVER_H
#define CM_HTTP_SERVER_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/errors.h"
#include "core/rand.h"
#include "domain/role.h"
#include "http/router.h"

struct MHD_Connection;
struct http_server;

/* What the application lends the server; read-only once started. */
struct http_app {
    /* Whether the store is reachable now: CM_ERR_OK or an error such as
     * CM_ERR_UNAVAILABLE. NULL means "no store configured" (not ready). */
    enum cm_err (*check_ready)(void *ctx);
    void *ctx; /* passed to the hooks, e.g. the store */
    /* Identify the caller of a route that requires roles, setting
     * req->roles and req->caller; NULL means nobody can log in yet (401 for
     * such routes). */
    enum cm_err (*authenticate)(struct http_req *req);
    /* Told when an authenticated caller's roles do not allow the route
     * (the answer is 403); may be NULL. */
    void (*on_denied)(struct http_req *req, enum cm_err err);
    /* For a route with ROUTE_FLAG_STEP_UP, after the role check: CM_ERR_OK
     * when the caller proved who they are recently enough, else the error
     * it answered (401 step_up_required); NULL lets every caller through. */
    enum cm_err (*step_up)(struct http_req *req);
    /* The load balancer's numeric address, or NULL/"": only a request
     * from it has its client address taken from X-Forwarded-For. */
    const char *trusted_proxy;
};

/* Who is calling, as the authenticate hook found out. */
struct http_caller {
    bool is_authenticated;
    bool via_token; /* a bearer token, not a session */
    char user_id[CM_ID_LEN + 1];
    char org_id[CM_ID_LEN + 1];
    int org_kind;                   /* enum org_kind */
    char session_id[CM_ID_LEN + 1]; /* session or API token id */
    char session_hash[17];          /* short hex of its hash, for audit */
    /* require_totp is set and this account has no second factor: it may
     * only enroll one (app_authenticate). */
    bool needs_mfa_enrollment;
    /* A session's last proof of identity (login or step-up), in
     * microseconds since the epoch; 0 for an API token. */
    int64_t authenticated_at;
};

/* Most extra headers one reply may carry (Allow, ETag, Location, ...). */
#define HTTP_MAX_HEADERS 8

struct http_header {
    char *name; /* owned */
    char *value;
};

/* The reply slot of a request, written only by reply.c. */
struct http_reply {
    bool is_set;
    unsigned status;
    const char *content_type; /* static string */
    char *body;               /* owned, may be NULL for no body */
    size_t body_len;
    size_t n_headers;
    struct http_header headers[HTTP_MAX_HEADERS];
};

/* One request, from its first callback to its completion. */
struct http_req {
    struct MHD_Connection *conn; /* borrowed from libmicrohttpd */
    const struct http_app *app;  /* borrowed from the server */
    const char *method;          /* borrowed from libmicrohttpd */
    char *path;                  /* owned copy of the decoded path */
    char id[CM_ID_LEN + 1];      /* request id, sent as X-Request-Id */
    enum cm_err route_err;       /* result of router_match */
    struct route_match match;    /* the route and its {params} */
    role_set roles;              /* the caller's roles (authenticate) */
    struct http_caller caller;   /* the caller (authenticate) */
    char client_addr[48];        /* the peer's numeric address */
    struct buf body;             /* the upload, at most body_limit bytes */
    size_t body_limit;
    size_t body_seen;     /* bytes received, kept or not */
    enum cm_err body_err; /* PAYLOAD_TOO_LARGE once past the limit */
    json_t *json;         /* parsed body (body.h), owned */
    bool is_queued;       /* a response was handed to MHD */
    long long started_ns; /* monotonic, for the access log */
    struct http_reply reply;
    /* Parked (http_req_park): suspended until http_req_resume, then
     * on_resume runs on the connection's thread before the answer is
     * queued. park_ctx belongs to whoever parked the request. */
    bool is_parked;
    bool was_parked;        /* counted among the server's parked */
    atomic_bool is_resumed; /* http_req_resume was called */
    void (*on_resume)(struct http_req *req);
    void *park_ctx;
    struct http_server *server; /* borrowed */
    /* An allocation failed while serving it (alloc.h): it is answered
     * 503 unless `is_committed` (its change is durable, so its own answer,
     * finished on the reserve, is the true one). */
    bool is_short_of_memory;
    bool is_committed; /* a writing transaction of it committed (app_run) */
    /* Handed to a handler thread (server.c): suspended meanwhile. A
     * handler that parks it there leaves its resumption to the parker. */
    bool is_offloaded;
    bool is_parked_by_handler;
    struct http_req *next_offloaded; /* the handler threads' queue */
};

/* Settings of a server; copied by http_server_start. */
struct http_server_opts {
    const char *host;    /* numeric address or name to listen on */
    unsigned short port; /* 0: any free port (see http_server_port) */
    unsigned threads;
    unsigned connection_timeout; /* seconds */
    unsigned max_connections;
    unsigned max_connections_per_ip;
    size_t body_limit;          /* for routes whose limit is 0 */
    const struct route *routes; /* static table */
    size_t n_routes;
    const struct http_app *app; /* must outlive the server */
    const char *web_root;       /* web UI folder (static.h), or NULL */
};

struct http_server;

/* Start serving with `o`. On success `*out` is the running server (stop
 * and free it with http_server_stop). On failure appends one line to
 * `why` and returns CM_ERR_VALIDATION_FAILED (bad host), CM_ERR_IO
 * (address in use or cannot listen). */
enum cm_err http_server_start(const struct http_server_opts *o,
                              struct http_server **out,
                              struct buf *why);

/* The port the server listens on (the chosen one when started with 0). */
unsigned short http_server_port(const struct http_server *s);

/* Stop accepting, let requests in flight finish for up to `grace_ms`
 * milliseconds, stop the threads and free `s`. Accepts NULL. */
void http_server_stop(struct http_server *s, unsigned grace_ms);

/*
 * Park `req` from its handler while work it waits for is done elsewhere
 * (the writer's group commit): the connection is suspended, its worker
 * thread serves other connections, and nothing is sent. The handler sets
 * its reply (or not) and returns; the work must start only after this
 * call. When the work is done, any thread calls http_req_resume(req)
 * exactly once, and touches req no more; the server then calls
 * `on_resume(req)` on the connection's own thread, which may replace the
 * reply (an error when the work failed), and queues the reply. Stopping
 * the server waits for every parked request to be resumed.
 */
void http_req_park(struct http_req *req, void (*on_resume)(struct http_req *));

/* Resume a parked request (any thread; see http_req_park). */
void http_req_resume(struct http_req *req);

/* The value of request header `name` (case-insensitive), or NULL.
 * Borrowed; valid until the request completes. */
const char *http_req_header(const struct http_req *req, const char *name);

/* The value of query argument `name`, decoded, or NULL. Borrowed. */
const char *http_req_query(const struct http_req *req, const char *name);

/* Append every query argument to `out` as "name=value\n", decoded, in the
 * order the request gave them (a value-less argument as "name\n"). */
void http_req_query_all(const struct http_req *req, struct buf *out);

/* The value of path parameter `name` ("{id}"), or NULL. Borrowed. */
const char *http_req_param(const struct http_req *req, const char *name);

#endif
