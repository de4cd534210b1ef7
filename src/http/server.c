/*
 * server.c: the libmicrohttpd daemon and the life of one request
 * (server.h).
 *
 * libmicrohttpd calls on_request several times per request:
 *   1. once with the headers: we create the request, route it and check a
 *      declared Content-Length; we answer nothing yet, because a response
 *      queued on this first call makes libmicrohttpd drop keep-alive
 *      (measured: a quarter of the throughput). The one exception is a
 *      body declared too large: that answer goes out at once, so no
 *      "100 Continue" is sent and the body is never read, and the
 *      connection closes.
 *   2. zero or more times with upload data: appended up to the limit;
 *      past it (a chunked body) the rest is counted and dropped.
 *   3. once more with no data: dispatch to the handler, queue its reply.
 *      Only routes marked ROUTE_FLAG_INLINE are handled here, on
 *      libmicrohttpd's thread: a handler that waits for work done
 *      elsewhere (a durable audit record, see app.h) parks the request
 *      (http_req_park): the connection is suspended and the thread goes
 *      on serving others. Every other route's request is parked the same
 *      way and handed to a handler thread (offload, struct
 *      handler_pool), where its handler may wait for a commit; the
 *      handler thread resumes it;
 *   4. (parked requests only) once more after http_req_resume: the
 *      parker's on_resume settles the reply, which is queued then.
 * on_completed frees the request, whatever happened to it.
 *
 * The listening socket is opened here rather than by libmicrohttpd so
 * that "address in use" is reported as such.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/log.h"
#include "http/body.h"
#include "http/reply.h"
#include "http/static.h"

/* Bytes libmicrohttpd may use per connection for headers and buffers;
 * this bounds the size of a request's headers. */
#define SERVER_CONNECTION_MEMORY (8u * 1024u)

/* libmicrohttpd 0.9.75 refuses a response queued while a body is still
 * arriving, so a chunked body past its limit is read to its end and
 * dropped, then answered 413; past this many more bytes the connection is
 * closed without an answer. */
#define SERVER_DISCARD_MAX (16u * 1024u * 1024u)

/*
 * The handler threads. A handler that may wait for a commit (a write
 * waits for its group's fsync) would hold libmicrohttpd's thread, and with
 * it every other connection that thread serves, so the server runs such
 * handlers on threads of its own: the request is suspended like a parked
 * one, queued here, handled, and resumed. libmicrohttpd then needs only a
 * few threads (twice the processors), which keeps reads that never wait
 * (ROUTE_FLAG_INLINE) quick, while `threads` handler threads keep as many
 * writes waiting for the writer's next commit as before.
 */
struct handler_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct http_req *head, *tail;
    bool stopping;
    pthread_t *threads;
    unsigned n;
};

struct http_server {
    struct MHD_Daemon *daemon;
    int listen_fd;
    unsigned short port;
    struct http_server_opts opts;
    atomic_uint in_flight; /* requests between first call and completion */
    atomic_uint parked;    /* parked requests not yet completed */
    struct handler_pool handlers;
};

static long long
now_ns(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

const char *
http_req_header(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
http_req_query(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result
add_query_arg(void *cls,
              enum MHD_ValueKind kind,
              const char *key,
              const char *value)
{
    struct buf *out = cls;

    (void)kind;
    buf_adds(out, key);
    if (value) {
        buf_addch(out, '=');
        buf_adds(out, value);
    }
    buf_addch(out, '\n');
    return MHD_YES;
}

void
http_req_query_all(const struct http_req *req, struct buf *out)
{
    (void)MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND,
                                    add_query_arg, out);
}

const char *
http_req_param(const struct http_req *req, const char *name)
{
    if (req->route_err != CM_ERR_OK)
        return NULL;
    return router_param(&req->match, name);
}

/* The numeric address of the connection's peer, or "" when unknown. */
static void
peer_address(struct MHD_Connection *conn, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        conn ? MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS)
             : NULL;
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    out[0] = '\0';
    if (!sa)
        return;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

        (void)inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)n);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

        (void)inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)n);
    }
}

/* Behind the trusted load balancer, the client is the last address of
 * X-Forwarded-For (the one the balancer itself added); from anyone else
 * the header is ignored, since a client can send whatever it likes. */
static void
forwarded_address(struct http_req *req)
{
    const char *proxy = req->app ? req->app->trusted_proxy : NULL;
    const char *xff;
    const char *last;
    char addr[sizeof req->client_addr];
    unsigned char bin[sizeof(struct in6_addr)];
    size_t n;

    if (!proxy || !*proxy || strcmp(proxy, req->client_addr) != 0)
        return;
    xff = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                      "X-Forwarded-For");
    if (!xff)
        return;
    last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ')
        last++;
    n = strcspn(last, " ");
    if (n == 0 || n >= sizeof addr)
        return;
    memcpy(addr, last, n);
    addr[n] = '\0';
    if (inet_pton(AF_INET, addr, bin) != 1 &&
        inet_pton(AF_INET6, addr, bin) != 1)
        return;
    memcpy(req->client_addr, addr, n + 1);
}

static struct http_req *
req_new(struct http_server *s,
        struct MHD_Connection *conn,
        const char *url,
        const char *method)
{
    struct http_req *req = cm_calloc(1, sizeof *req);
    const struct route *r;

    req->conn = conn;
    req->server = s;
    atomic_init(&req->is_resumed, false);
    req->app = s->opts.app;
    req->method = method;
    req->path = cm_strdup(url);
    req->started_ns = now_ns();
    cm_id_new(req->id);
    peer_address(conn, req->client_addr, sizeof req->client_addr);
    forwarded_address(req);
    req->route_err = router_match(s->opts.routes, s->opts.n_routes, method, url,
                                  &req->match);
    r = req->route_err == CM_ERR_OK ? req->match.route : NULL;
    req->body_limit = r && r->body_limit ? r->body_limit : s->opts.body_limit;
    return req;
}

static void
req_free(struct http_req *req)
{
    if (!req)
        return;
    reply_release(req);
    json_decref(req->json);
    buf_release(&req->body);
    cm_free(req->path);
    cm_free(req);
}

/* Decide the answer of a fully received request into its reply slot. */
static void
dispatch(const struct http_server *s, struct http_req *req)
{
    const struct route *r = req->match.route;
    enum cm_err err = req->route_err;

    if (err == CM_ERR_METHOD_NOT_ALLOWED) {
        struct buf allow = BUF_INIT;

        router_allow(s->opts.routes, s->opts.n_routes, req->path, &allow);
        (void)reply_error(req, err, NULL, NULL);
        (void)reply_add_header(req, "Allow", buf_str(&allow));
        buf_release(&allow);
        return;
    }
    /* No route: a page of the web UI, or one of its files (static.h),
     * when the server was given a web root at all. */
    if (err == CM_ERR_NOT_FOUND && s->opts.web_root && s->opts.web_root[0] &&
        static_is_for(req->method, req->path)) {
        (void)static_serve(req, s->opts.web_root);
        return;
    }
    if (err != CM_ERR_OK)
        goto out_error;
    if (r->roles != 0) {
        const struct http_app *app = req->app;

        err = app && app->authenticate ? app->authenticate(req)
                                       : CM_ERR_UNAUTHENTICATED;
        if (err == CM_ERR_OK && (req->roles & r->roles) == 0) {
            err = CM_ERR_FORBIDDEN;
            if (app->on_denied)
                app->on_denied(req, err);
        }
        if (err == CM_ERR_OK && (r->flags & ROUTE_FLAG_STEP_UP) && app->step_up)
            err = app->step_up(req);
        if (err != CM_ERR_OK)
            goto out_error;
    }
    err = body_check_type(req);
    if (err != CM_ERR_OK)
        goto out_error;
    err = r->handler(req);
    if (req->reply.is_set)
        return;
    if (err == CM_ERR_OK) {
        log_write(LOG_LEVEL_ERROR, __FILE__, __LINE__, req->id,
                  "handler for %s %s returned without a reply", req->method,
                  r->pattern);
        err = CM_ERR_INTERNAL;
    }
out_error:
    /* Keep an answer already made for this error (authentication says
     * why: a session that expired, a CSRF token missing); otherwise the
     * error's own. */
    if (!req->reply.is_set)
        (void)reply_error(req, err, NULL, NULL);
}

void
http_req_park(struct http_req *req, void (*on_resume)(struct http_req *))
{
    if (req->is_offloaded) {
        /* already suspended by offload(): the parker resumes it */
        req->on_resume = on_resume;
        req->is_parked_by_handler = true;
        return;
    }
    MHD_suspend_connection(req->conn);
    req->is_parked = true;
    req->was_parked = true;
    req->on_resume = on_resume;
    atomic_fetch_add(&req->server->parked, 1u);
}

void
http_req_resume(struct http_req *req)
{
    struct MHD_Connection *conn = req->conn;

    /* libmicrohttpd takes a lock to resume, so the connection's thread
     * sees everything written before; req is not touched after this. */
    atomic_store(&req->is_resumed, true);
    MHD_resume_connection(conn);
}

/* The parked request's callback after its resumption, or its completion
 * without one: let the parker settle the reply and release its state. */
static void
unpark(struct http_req *req)
{
    req->is_parked = false;
    if (req->on_resume)
        req->on_resume(req);
    req->on_resume = NULL;
}

/* The headers that frame a request's body, counted (framing_check). */
struct framing {
    unsigned content_length;
    unsigned transfer_encoding;
    bool is_chunked_only; /* every Transfer-Encoding is exactly chunked */
};

static enum MHD_Result
count_framing(void *cls,
              enum MHD_ValueKind kind,
              const char *key,
              const char *value)
{
    struct framing *f = cls;

    (void)kind;
    if (strcasecmp(key, "Content-Length") == 0) {
        f->content_length++;
    } else if (strcasecmp(key, "Transfer-Encoding") == 0) {
        f->transfer_encoding++;
        if (!value || strcasecmp(value, "chunked") != 0)
            f->is_chunked_only = false;
    }
    return MHD_YES;
}

/*
 * Refuse a body whose length two readers could read two ways (request
 * smuggling, RFC 9112 section 6.3): more than one Content-Length, both
 * Transfer-Encoding and Content-Length, or a transfer coding other than
 * chunked (which libmicrohttpd would not read). true, with the answer
 * queued, when refused.
 */
static bool
is_badly_framed(struct http_req *req)
{
    struct framing f = {0, 0, true};
    const char *field = NULL, *detail = NULL;

    (void)MHD_get_connection_values(req->conn, MHD_HEADER_KIND, count_framing,
                                    &f);
    if (f.content_length > 1) {
        field = "Content-Length";
        detail = "send one Content-Length header";
    } else if (f.transfer_encoding > 0 && f.content_length > 0) {
        field = "Transfer-Encoding";
        detail = "send Transfer-Encoding or Content-Length, not both";
    } else if (f.transfer_encoding > 1 || !f.is_chunked_only) {
        field = "Transfer-Encoding";
        detail = "the only transfer coding accepted is chunked";
    }
    if (!field)
        return false;
    (void)reply_error(req, CM_ERR_VALIDATION_FAILED, field, detail);
    return true;
}

/*
 * Queue the reply of `req`. A request during which an allocation failed
 * (alloc.h: it went on with the reserve) is answered 503 instead, unless
 * its change was committed: then its own answer is the true one.
 */
static enum MHD_Result
queue_reply(struct http_req *req)
{
    if (cm_alloc_failed_take())
        req->is_short_of_memory = true;
    if (req->is_short_of_memory && !req->is_committed && !req->is_queued) {
        log_write(LOG_LEVEL_ERROR, __FILE__, __LINE__, req->id,
                  "out of memory while serving %s %s: answered 503",
                  req->method, req->path);
        reply_release(req);
        (void)reply_error(req, CM_ERR_UNAVAILABLE, NULL,
                          "the server ran short of memory; try again");
    }
    return reply_queue(req) ? MHD_YES : MHD_NO;
}

/* Answer now, before the body has been read (libmicrohttpd then closes
 * the connection instead of reading the rest). */
static enum MHD_Result
answer_early(struct http_req *req, enum cm_err err)
{
    (void)reply_error(req, err, NULL, NULL);
    return queue_reply(req);
}

/* ---- the handler threads ----------------------------------------------*/

static void *
handler_main(void *arg)
{
    struct http_server *s = arg;
    struct handler_pool *h = &s->handlers;

    for (;;) {
        struct http_req *req;

        (void)pthread_mutex_lock(&h->mu);
        while (!h->head && !h->stopping)
            (void)pthread_cond_wait(&h->cv, &h->mu);
        req = h->head;
        if (req) {
            h->head = req->next_offloaded;
            if (!h->head)
                h->tail = NULL;
        }
        (void)pthread_mutex_unlock(&h->mu);
        if (!req)
            return NULL; /* stopping, and nothing left */
        (void)cm_alloc_failed_take();
        dispatch(s, req);
        if (cm_alloc_failed_take())
            req->is_short_of_memory = true;
        if (!req->is_parked_by_handler)
            http_req_resume(req);
    }
}

/* Start `n` handler threads; false when none could start. */
static bool
handlers_start(struct http_server *s, unsigned n)
{
    struct handler_pool *h = &s->handlers;

    if (pthread_mutex_init(&h->mu, NULL) != 0)
        return false;
    if (pthread_cond_init(&h->cv, NULL) != 0) {
        (void)pthread_mutex_destroy(&h->mu);
        return false;
    }
    h->threads = cm_calloc(n, sizeof *h->threads);
    for (h->n = 0; h->n < n; h->n++)
        if (pthread_create(&h->threads[h->n], NULL, handler_main, s) != 0)
            break;
    if (h->n > 0)
        return true;
    cm_free(h->threads);
    (void)pthread_cond_destroy(&h->cv);
    (void)pthread_mutex_destroy(&h->mu);
    return false;
}

/* Let the handler threads finish what is queued, then end them. */
static void
handlers_stop(struct http_server *s)
{
    struct handler_pool *h = &s->handlers;

    (void)pthread_mutex_lock(&h->mu);
    h->stopping = true;
    (void)pthread_cond_broadcast(&h->cv);
    (void)pthread_mutex_unlock(&h->mu);
    for (unsigned i = 0; i < h->n; i++)
        (void)pthread_join(h->threads[i], NULL);
    cm_free(h->threads);
    (void)pthread_cond_destroy(&h->cv);
    (void)pthread_mutex_destroy(&h->mu);
}

/* Suspend `req` and queue it for a handler thread. */
static void
offload(struct http_server *s, struct http_req *req)
{
    struct handler_pool *h = &s->handlers;

    http_req_park(req, NULL);
    req->is_offloaded = true;
    req->next_offloaded = NULL;
    (void)pthread_mutex_lock(&h->mu);
    if (h->tail)
        h->tail->next_offloaded = req;
    else
        h->head = req;
    h->tail = req;
    (void)pthread_cond_signal(&h->cv);
    (void)pthread_mutex_unlock(&h->mu);
}

static enum MHD_Result
serve(void *cls,
      struct MHD_Connection *conn,
      const char *url,
      const char *method,
      const char *version,
      const char *upload_data,
      size_t *upload_data_size,
      void **con_cls)
{
    struct http_server *s = cls;
    struct http_req *req = *con_cls;
    enum cm_err err;

    (void)version;
    if (!req) {
        req = req_new(s, conn, url, method);
        *con_cls = req;
        atomic_fetch_add(&s->in_flight, 1u);
        if (is_badly_framed(req))
            return queue_reply(req);
        err = body_check_length(http_req_header(req, "Content-Length"),
                                req->body_limit);
        if (err != CM_ERR_OK)
            return answer_early(req, err);
        return MHD_YES;
    }
    if (req->is_parked) {
        /* Called again once resumed: the answer can go now. */
        unpark(req);
        return queue_reply(req);
    }
    if (req->is_queued) {
        /* Answered already: drop whatever else arrives. */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;

        *upload_data_size = 0;
        req->body_seen += n;
        if (req->body_seen > req->body_limit)
            req->body_err = CM_ERR_PAYLOAD_TOO_LARGE;
        /* Past the limit, or on a request that cannot be served, keep
         * only the count; a client that sends far more is cut off. */
        if (req->body_err == CM_ERR_OK && req->route_err == CM_ERR_OK)
            req->body_err =
                body_append(&req->body, req->body_limit, upload_data, n);
        else
            buf_release(&req->body);
        if (req->body_seen > req->body_limit + SERVER_DISCARD_MAX)
            return MHD_NO;
        return MHD_YES;
    }
    if (req->body_err != CM_ERR_OK) {
        (void)reply_error(req, req->body_err, NULL, NULL);
        return queue_reply(req);
    }
    if (req->route_err == CM_ERR_OK &&
        !(req->match.route->flags & ROUTE_FLAG_INLINE)) {
        offload(s, req);
        return MHD_YES; /* the handler thread resumes it */
    }
    dispatch(s, req);
    if (req->is_parked)
        return MHD_YES; /* the answer waits for http_req_resume */
    return queue_reply(req);
}

/* libmicrohttpd's access handler: serve, with a failed allocation
 * (alloc.h) charged to the request whose callback it happened in. A mark
 * left by an earlier callback on this thread (another connection's, whose
 * answer was settled) is not this request's. */
static enum MHD_Result
on_request(void *cls,
           struct MHD_Connection *conn,
           const char *url,
           const char *method,
           const char *version,
           const char *upload_data,
           size_t *upload_data_size,
           void **con_cls)
{
    enum MHD_Result r;
    struct http_req *req;

    (void)cm_alloc_failed_take();
    r = serve(cls, conn, url, method, version, upload_data, upload_data_size,
              con_cls);
    req = *con_cls;
    if (cm_alloc_failed_take() && req)
        req->is_short_of_memory = true;
    return r;
}

static void
on_completed(void *cls,
             struct MHD_Connection *conn,
             void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    struct http_req *req = *con_cls;

    (void)conn;
    if (!req)
        return;
    if (req->is_parked) {
        if (!atomic_load(&req->is_resumed)) {
            /* Whoever parked it still holds the request: keep it (a leak
             * rather than a use after free). Stopping waits for parked
             * requests, so this does not happen. */
            log_write(LOG_LEVEL_ERROR, __FILE__, __LINE__, req->id,
                      "a parked request ended before it was resumed");
            *con_cls = NULL;
            atomic_fetch_sub(&s->parked, 1u);
            atomic_fetch_sub(&s->in_flight, 1u);
            return;
        }
        unpark(req); /* resumed, but the client went away first */
    }
    if (req->was_parked)
        atomic_fetch_sub(&s->parked, 1u);
    log_write(LOG_LEVEL_INFO, __FILE__, __LINE__, req->id,
              "method=%s path=%s status=%u ms=%.1f%s", req->method, req->path,
              req->reply.status, (double)(now_ns() - req->started_ns) / 1e6,
              toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    req_free(req);
    *con_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1u);
    (void)cm_alloc_reserve_take(); /* again, if a request spent it */
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct buf msg = BUF_INIT;

    (void)cls;
    buf_vaddf(&msg, fmt, ap);
    while (msg.len > 0 && msg.data[msg.len - 1] == '\n')
        msg.data[--msg.len] = '\0';
    log_write(LOG_LEVEL_DEBUG, __FILE__, __LINE__, NULL, "libmicrohttpd: %s",
              buf_str(&msg));
    buf_release(&msg);
}

/* Open a listening TCP socket on host:port; on failure append why. */
static enum cm_err
open_listener(const char *host,
              unsigned short port,
              int *fd_out,
              bool *is_v6,
              struct buf *why)
{
    struct addrinfo hints, *ai = NULL;
    char service[8];
    enum cm_err err = CM_ERR_IO;
    int fd = -1, one = 1, rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
    (void)snprintf(service, sizeof service, "%u", (unsigned)port);
    rc = getaddrinfo(host, service, &hints, &ai);
    if (rc != 0 || !ai) {
        buf_addf(why, "listen: cannot resolve '%s'", host);
        return CM_ERR_VALIDATION_FAILED;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        buf_addf(why, "listen: cannot open a socket: %s", strerror(errno));
        goto out_free;
    }
    /* Rebind at once after a restart (TIME_WAIT); Linux still refuses a
     * second listener on the same port. */
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno == EADDRINUSE)
            buf_addf(why, "listen: %s port %u is already in use", host,
                     (unsigned)port);
        else
            buf_addf(why, "listen: cannot bind %s port %u: %s", host,
                     (unsigned)port, strerror(errno));
        goto out_close;
    }
    if (listen(fd, 128) != 0) {
        buf_addf(why, "listen: %s", strerror(errno));
        goto out_close;
    }
    *is_v6 = ai->ai_family == AF_INET6;
    *fd_out = fd;
    freeaddrinfo(ai);
    return CM_ERR_OK;
out_close:
    (void)close(fd);
out_free:
    freeaddrinfo(ai);
    return err;
}

static unsigned short
bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;

    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

enum cm_err
http_server_start(const struct http_server_opts *o,
                  struct http_server **out,
                  struct buf *why)
{
    struct http_server *s;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    bool is_v6 = false;
    int fd = -1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned mhd_threads = cpus > 0 ? 2u * (unsigned)cpus : 2u;
    enum cm_err err = open_listener(o->host, o->port, &fd, &is_v6, why);

    if (err != CM_ERR_OK)
        return err;
    if (is_v6)
        flags |= MHD_USE_IPv6;
    (void)cm_alloc_reserve_take();
    s = cm_calloc(1, sizeof *s);
    s->opts = *o;
    s->listen_fd = fd;
    s->port = bound_port(fd);
    atomic_init(&s->in_flight, 0u);
    atomic_init(&s->parked, 0u);
    if (!handlers_start(s, o->threads ? o->threads : 1u)) {
        buf_adds(why, "the HTTP server could not start its threads");
        err = CM_ERR_IO;
        goto out_free;
    }
    if (mhd_threads > o->threads)
        mhd_threads = o->threads;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
        MHD_OPTION_THREAD_POOL_SIZE, mhd_threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)o->connection_timeout, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)o->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)o->max_connections_per_ip, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)SERVER_CONNECTION_MEMORY, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_END);
    if (!s->daemon) {
        buf_adds(why, "the HTTP server could not start");
        err = CM_ERR_IO;
        handlers_stop(s);
        goto out_free;
    }
    *out = s;
    return CM_ERR_OK;
out_free:
    (void)close(fd);
    cm_free(s);
    return err;
}

unsigned short
http_server_port(const struct http_server *s)
{
    return s->port;
}

void
http_server_stop(struct http_server *s, unsigned grace_ms)
{
    long long deadline;
    MHD_socket fd;

    if (!s)
        return;
    fd = MHD_quiesce_daemon(s->daemon);
    deadline = now_ns() + (long long)grace_ms * 1000000LL;
    /* Past the grace period, still wait for parked requests until their
     * answers are sent: libmicrohttpd must not stop with suspended
     * connections, and a parked request waits for the writer, which
     * always ends its work (a commit, or a failure after its retries). */
    while (atomic_load(&s->in_flight) > 0 &&
           (now_ns() < deadline || atomic_load(&s->parked) > 0)) {
        struct timespec pause = {0, 2 * 1000 * 1000};

        (void)nanosleep(&pause, NULL);
    }
    if (atomic_load(&s->in_flight) > 0)
        LOG_WARN("stopping with %u requests still in flight",
                 atomic_load(&s->in_flight));
    MHD_stop_daemon(s->daemon);
    handlers_stop(s);
    /* After a quiesce the listening socket is ours to close, and only
     * once the daemon's threads are gone. */
    if (fd != MHD_INVALID_SOCKET)
        (void)close(fd);
    cm_free(s);
}
