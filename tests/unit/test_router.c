/*
 * test_router.c: route matching (http/router.h) on a table of its own,
 * the application's table, and then the whole request path through a
 * real server on a loopback port (http/server.h, body.h, reply.h): 404,
 * 405 with Allow, {param} values, 401 on a role route, 415, 413 by
 * Content-Length and by chunks, problem+json naming a field, security
 * headers, keep-alive, and a stop that lets a request in flight finish.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "http/body.h"
#include "http/jspec.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"

static enum cm_err
h_dummy(struct http_req *req)
{
    (void)req;
    return CM_ERR_OK;
}

static const struct route table[] = {
    {"GET", "/api/v1/subpoenas", h_dummy, 0, 0, 0},
    {"POST", "/api/v1/subpoenas", h_dummy, 0, 0, ROUTE_FLAG_JSON},
    {"GET", "/api/v1/subpoenas/{id}", h_dummy, 0, 0, 0},
    {"PATCH", "/api/v1/subpoenas/{id}", h_dummy, 0, 0, ROUTE_FLAG_JSON},
    {"POST", "/api/v1/subpoenas/{id}/actions/{action}", h_dummy, 0, 0,
     ROUTE_FLAG_JSON},
};

#define N_TABLE (sizeof table / sizeof table[0])

static void
test_match(void **state)
{
    struct route_match m;

    (void)state;
    assert_int_equal(
        router_match(table, N_TABLE, "GET", "/api/v1/subpoenas", &m),
        CM_ERR_OK);
    assert_ptr_equal(m.route, &table[0]);
    assert_int_equal(m.n_params, 0);
    assert_int_equal(
        router_match(table, N_TABLE, "POST", "/api/v1/subpoenas", &m),
        CM_ERR_OK);
    assert_ptr_equal(m.route, &table[1]);

    assert_int_equal(router_match(table, N_TABLE, "PATCH",
                                  "/api/v1/subpoenas/AbC_123-x", &m),
                     CM_ERR_OK);
    assert_ptr_equal(m.route, &table[3]);
    assert_string_equal(router_param(&m, "id"), "AbC_123-x");
    assert_null(router_param(&m, "action"));

    assert_int_equal(router_match(table, N_TABLE, "POST",
                                  "/api/v1/subpoenas/s1/actions/sign", &m),
                     CM_ERR_OK);
    assert_ptr_equal(m.route, &table[4]);
    assert_string_equal(router_param(&m, "id"), "s1");
    assert_string_equal(router_param(&m, "action"), "sign");

    /* HEAD is served by GET. */
    assert_int_equal(
        router_match(table, N_TABLE, "HEAD", "/api/v1/subpoenas/s1", &m),
        CM_ERR_OK);
    assert_ptr_equal(m.route, &table[2]);
}

static void
test_no_match(void **state)
{
    struct route_match m = {0};

    (void)state;
    m.n_params = 77;
    assert_int_equal(
        router_match(table, N_TABLE, "DELETE", "/api/v1/subpoenas/s1", &m),
        CM_ERR_METHOD_NOT_ALLOWED);
    assert_int_equal(
        router_match(table, N_TABLE, "PUT", "/api/v1/subpoenas", &m),
        CM_ERR_METHOD_NOT_ALLOWED);
    assert_int_equal(
        router_match(table, N_TABLE, "GET", "/api/v1/subpoena", &m),
        CM_ERR_NOT_FOUND);
    /* A trailing slash, an empty parameter, an extra segment. */
    assert_int_equal(
        router_match(table, N_TABLE, "GET", "/api/v1/subpoenas/", &m),
        CM_ERR_NOT_FOUND);
    assert_int_equal(router_match(table, N_TABLE, "POST",
                                  "/api/v1/subpoenas//actions/sign", &m),
                     CM_ERR_NOT_FOUND);
    assert_int_equal(
        router_match(table, N_TABLE, "GET", "/api/v1/subpoenas/s1/x", &m),
        CM_ERR_NOT_FOUND);
    assert_int_equal(router_match(table, N_TABLE, "GET", "", &m),
                     CM_ERR_NOT_FOUND);
    assert_int_equal(router_match(table, N_TABLE, "GET", "/", &m),
                     CM_ERR_NOT_FOUND);
    /* Methods are case-sensitive (RFC 9110 section 9.1). */
    assert_int_equal(
        router_match(table, N_TABLE, "get", "/api/v1/subpoenas", &m),
        CM_ERR_METHOD_NOT_ALLOWED);
    assert_int_equal(m.n_params, 77); /* untouched on failure */
}

static void
test_long_param(void **state)
{
    struct route_match m;
    char path[300];

    (void)state;
    (void)snprintf(path, sizeof path, "/api/v1/subpoenas/%0*d",
                   ROUTER_PARAM_MAX, 7);
    assert_int_equal(router_match(table, N_TABLE, "GET", path, &m), CM_ERR_OK);
    assert_int_equal(strlen(router_param(&m, "id")), ROUTER_PARAM_MAX);
    (void)snprintf(path, sizeof path, "/api/v1/subpoenas/%0*d",
                   ROUTER_PARAM_MAX + 1, 7);
    assert_int_equal(router_match(table, N_TABLE, "GET", path, &m),
                     CM_ERR_NOT_FOUND);
}

static void
test_allow(void **state)
{
    struct buf b = BUF_INIT;

    (void)state;
    router_allow(table, N_TABLE, "/api/v1/subpoenas", &b);
    assert_string_equal(buf_str(&b), "GET, HEAD, POST");
    buf_reset(&b);
    router_allow(table, N_TABLE, "/api/v1/subpoenas/x", &b);
    assert_string_equal(buf_str(&b), "GET, HEAD, PATCH");
    buf_reset(&b);
    router_allow(table, N_TABLE, "/nowhere", &b);
    assert_string_equal(buf_str(&b), "");
    buf_release(&b);
}

static void
test_app_table(void **state)
{
    struct route_match m;
    size_t n = 0;
    const struct route *routes = router_routes(&n);

    (void)state;
    assert_true(n >= 2);
    assert_int_equal(router_match(routes, n, "GET", "/healthz", &m), CM_ERR_OK);
    assert_int_equal(m.route->roles, 0); /* public */
    assert_int_equal(router_match(routes, n, "GET", "/readyz", &m), CM_ERR_OK);
    assert_int_equal(m.route->roles, 0);
    /* Every pattern starts with '/' and every row has a handler. */
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(routes[i].pattern[0], '/');
        assert_non_null(routes[i].handler);
    }
}

/* ---- the whole request path through a real server ---------------- */

static const char *const colours[] = {"red", "green", NULL};

/* POST /echo/{name}: {"colour": "red"|"green", "n"?: int} back as JSON. */
static enum cm_err
h_echo(struct http_req *req)
{
    const char *colour = NULL;
    long long n = 0;
    int index = -1;
    const struct jspec spec[] = {
        JSPEC_ENUM("colour", &index, colours, JSPEC_REQUIRED),
        JSPEC_INT("n", &n, 0, 10, JSPEC_OPTIONAL),
        JSPEC_FORBID("id"),
        JSPEC_END,
    };
    enum cm_err err = body_parse(req, spec);

    if (err != CM_ERR_OK)
        return err;
    colour = colours[index];
    return reply_json(req, 201,
                      json_pack("{s:s, s:s, s:I}", "name",
                                http_req_param(req, "name"), "colour", colour,
                                "n", (json_int_t)n));
}

static enum cm_err
h_forgets(struct http_req *req)
{
    (void)req;
    return CM_ERR_OK; /* a bug: no reply */
}

static enum cm_err
h_conflict(struct http_req *req)
{
    (void)req;
    return CM_ERR_STATE_CONFLICT; /* the server replies for it */
}

/* The real liveness handler, from h_health.c. */
enum cm_err h_health_live(struct http_req *req);

static const struct route server_table[] = {
    {"POST", "/echo/{name}", h_echo, 0, 64, ROUTE_FLAG_JSON},
    {"GET", "/secret", h_dummy, ROLE_BIT(ROLE_AUDITOR), 0, 0},
    {"GET", "/forgets", h_forgets, 0, 0, 0},
    {"GET", "/conflict", h_conflict, 0, 0, 0},
    {"GET", "/healthz", h_health_live, 0, 0, 0},
};

struct server_fixture {
    struct http_server *srv;
    struct http_app app;
    unsigned short port;
};

static int
server_setup(void **state)
{
    static struct server_fixture f;
    struct http_server_opts o = {0};
    struct buf why = BUF_INIT;

    memset(&f, 0, sizeof f);
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    o.connection_timeout = 5;
    o.max_connections = 16;
    o.max_connections_per_ip = 16;
    o.body_limit = 1024;
    o.routes = server_table;
    o.n_routes = sizeof server_table / sizeof server_table[0];
    o.app = &f.app;
    if (http_server_start(&o, &f.srv, &why) != CM_ERR_OK) {
        print_error("cannot start: %s\n", buf_str(&why));
        buf_release(&why);
        return -1;
    }
    f.port = http_server_port(f.srv);
    *state = &f;
    return 0;
}

static int
server_teardown(void **state)
{
    struct server_fixture *f = *state;

    http_server_stop(f->srv, 1000);
    return 0;
}

static int
connect_to(unsigned short port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

static void
send_all(int fd, const char *text, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, text, n, MSG_NOSIGNAL);

        if (w <= 0)
            return; /* the server may close early (413) */
        text += w;
        n -= (size_t)w;
    }
}

/* Read one response: headers, then Content-Length bytes of body. */
static void
read_response(int fd, struct buf *out)
{
    char chunk[4096];
    const char *end;
    size_t want = 0;

    for (;;) {
        ssize_t r;

        end = strstr(buf_str(out), "\r\n\r\n");
        if (end) {
            const char *cl = strstr(buf_str(out), "Content-Length: ");

            want = (size_t)(end + 4 - out->data);
            if (cl && cl < end) {
                unsigned long long n = 0;

                (void)sscanf(cl + 16, "%llu", &n);
                want += (size_t)n;
            }
            if (out->len >= want)
                return;
        }
        r = recv(fd, chunk, sizeof chunk, 0);
        if (r <= 0)
            return;
        buf_add(out, chunk, (size_t)r);
    }
}

/* Send `request` on a new connection and read the response. */
static void
exchange(const struct server_fixture *f, const char *request, struct buf *out)
{
    int fd = connect_to(f->port);

    send_all(fd, request, strlen(request));
    read_response(fd, out);
    (void)close(fd);
}

static void
assert_status(const struct buf *resp, const char *status_line)
{
    if (strncmp(buf_str(resp), status_line, strlen(status_line)) != 0)
        fail_msg("expected %s, got: %s", status_line, buf_str(resp));
}

static void
assert_has(const struct buf *resp, const char *text)
{
    if (!strstr(buf_str(resp), text))
        fail_msg("missing '%s' in: %s", text, buf_str(resp));
}

static void
assert_security_headers(const struct buf *resp)
{
    assert_has(resp, "X-Content-Type-Options: nosniff\r\n");
    assert_has(resp, "X-Frame-Options: DENY\r\n");
    assert_has(resp, "Referrer-Policy: no-referrer\r\n");
    assert_has(resp, "Content-Security-Policy: default-src 'self'; "
                     "frame-ancestors 'none'\r\n");
    assert_has(resp, "Cache-Control: no-store\r\n");
    assert_has(resp, "X-Request-Id: ");
}

static void
post_echo(const struct server_fixture *f,
          const char *ctype,
          const char *body,
          struct buf *out)
{
    struct buf req = BUF_INIT;

    buf_addf(&req,
             "POST /echo/abc HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
             "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n%s",
             ctype, strlen(body), body);
    exchange(f, buf_str(&req), out);
    buf_release(&req);
}

static void
test_server_echo(void **state)
{
    struct server_fixture *f = *state;
    struct buf r = BUF_INIT;

    post_echo(f, "application/json; charset=utf-8",
              "{\"colour\": \"green\", \"n\": 3}", &r);
    assert_status(&r, "HTTP/1.1 201");
    assert_security_headers(&r);
    assert_has(&r, "Content-Type: application/json\r\n");
    assert_has(&r, "{\"name\":\"abc\",\"colour\":\"green\",\"n\":3}");
    buf_release(&r);
}

static void
test_server_problems(void **state)
{
    struct server_fixture *f = *state;
    struct buf r = BUF_INIT;

    post_echo(f, "application/json", "{\"colour\": \"blue\"}", &r);
    assert_status(&r, "HTTP/1.1 400");
    assert_security_headers(&r);
    assert_has(&r, "Content-Type: application/problem+json\r\n");
    assert_has(&r, "\"type\":\"https://compel.invalid/errors/"
                   "validation_failed\"");
    assert_has(&r, "\"code\":\"validation_failed\"");
    assert_has(&r, "\"status\":400");
    assert_has(&r, "\"field\":\"colour\"");
    buf_reset(&r);

    post_echo(f, "application/json", "{\"colour\": \"red\", \"id\": \"x\"}",
              &r);
    assert_status(&r, "HTTP/1.1 400");
    assert_has(&r, "\"code\":\"forbidden_field\"");
    assert_has(&r, "\"field\":\"id\"");
    buf_reset(&r);

    post_echo(f, "application/json", "{\"colour\": \"red\", \"x\": 1}", &r);
    assert_has(&r, "\"code\":\"unknown_field\"");
    assert_has(&r, "\"field\":\"x\"");
    buf_reset(&r);

    post_echo(f, "application/json", "{\"colour\": ", &r);
    assert_status(&r, "HTTP/1.1 400");
    assert_has(&r, "\"code\":\"malformed_json\"");
    buf_reset(&r);

    post_echo(f, "application/json", "{\"colour\":\"red\",\"colour\":\"red\"}",
              &r);
    assert_has(&r, "\"code\":\"malformed_json\"");
    buf_reset(&r);

    post_echo(f, "text/plain", "{\"colour\": \"red\"}", &r);
    assert_status(&r, "HTTP/1.1 415");
    assert_security_headers(&r);
    assert_has(&r, "\"code\":\"unsupported_media_type\"");
    buf_reset(&r);

    exchange(f, "GET /secret HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
             &r);
    assert_status(&r, "HTTP/1.1 401");
    assert_has(&r, "\"code\":\"unauthenticated\"");
    buf_reset(&r);

    exchange(f, "GET /forgets HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
             &r);
    assert_status(&r, "HTTP/1.1 500");
    assert_security_headers(&r);
    assert_has(&r, "\"code\":\"internal_error\"");
    buf_reset(&r);

    exchange(f,
             "GET /conflict HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
             &r);
    assert_status(&r, "HTTP/1.1 409");
    assert_has(&r, "\"code\":\"state_conflict\"");
    buf_reset(&r);

    exchange(f, "GET /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
             &r);
    assert_status(&r, "HTTP/1.1 404");
    assert_security_headers(&r);
    assert_has(&r, "\"code\":\"not_found\"");
    buf_reset(&r);

    exchange(f,
             "DELETE /echo/x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
             &r);
    assert_status(&r, "HTTP/1.1 405");
    assert_has(&r, "Allow: POST\r\n");
    assert_has(&r, "\"code\":\"method_not_allowed\"");
    buf_release(&r);
}

static void
test_server_too_large(void **state)
{
    struct server_fixture *f = *state;
    struct buf r = BUF_INIT;
    struct buf req = BUF_INIT;
    char body[100];

    /* The echo route's limit is 64 bytes: 65 declared is refused. */
    memset(body, ' ', sizeof body);
    memcpy(body, "{\"colour\":\"red\"}", 16);
    body[65] = '\0';
    post_echo(f, "application/json", body, &r);
    assert_status(&r, "HTTP/1.1 413");
    assert_security_headers(&r);
    assert_has(&r, "\"code\":\"payload_too_large\"");
    buf_reset(&r);
    /* 64 bytes exactly is accepted. */
    body[64] = '\0';
    post_echo(f, "application/json", body, &r);
    assert_status(&r, "HTTP/1.1 201");
    buf_reset(&r);

    /* Chunked: 40 + 40 bytes, no Content-Length. */
    buf_adds(&req, "POST /echo/abc HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                   "Content-Type: application/json\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 2; i++) {
        buf_adds(&req, "28\r\n");
        for (int k = 0; k < 40; k++)
            buf_addch(&req, ' ');
        buf_adds(&req, "\r\n");
    }
    buf_adds(&req, "0\r\n\r\n");
    exchange(f, buf_str(&req), &r);
    assert_status(&r, "HTTP/1.1 413");
    assert_security_headers(&r);
    assert_has(&r, "\"code\":\"payload_too_large\"");
    buf_release(&req);
    buf_release(&r);
}

static void
test_server_keep_alive(void **state)
{
    struct server_fixture *f = *state;
    struct buf r = BUF_INIT;
    const char *get = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
    int fd = connect_to(f->port);

    /* Two requests on one connection: the first answer keeps it open. */
    send_all(fd, get, strlen(get));
    read_response(fd, &r);
    assert_status(&r, "HTTP/1.1 200");
    assert_has(&r, "{\"status\":\"ok\"}");
    if (strstr(buf_str(&r), "Connection: close"))
        fail_msg("keep-alive was dropped: %s", buf_str(&r));
    buf_reset(&r);
    send_all(fd, get, strlen(get));
    read_response(fd, &r);
    assert_status(&r, "HTTP/1.1 200");
    (void)close(fd);
    buf_release(&r);
}

/* GET /slow: answers after 400 ms. */
static enum cm_err
h_slow(struct http_req *req)
{
    struct timespec pause = {0, 400 * 1000 * 1000};

    (void)nanosleep(&pause, NULL);
    return reply_json(req, 200, json_pack("{s:b}", "slow", 1));
}

struct slow_client {
    unsigned short port;
    struct buf response;
};

static void *
slow_client_run(void *arg)
{
    struct slow_client *c = arg;
    const char *get =
        "GET /slow HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    int fd = connect_to(c->port);

    send_all(fd, get, strlen(get));
    read_response(fd, &c->response);
    (void)close(fd);
    return NULL;
}

static void
test_graceful_stop(void **state)
{
    static const struct route slow_table[] = {
        {"GET", "/slow", h_slow, 0, 0, 0},
    };
    struct http_server_opts o = {0};
    struct http_server *srv = NULL;
    struct buf why = BUF_INIT;
    struct slow_client c = {0, BUF_INIT};
    struct timespec pause = {0, 100 * 1000 * 1000};
    struct http_app app = {0};
    pthread_t t;

    (void)state;
    o.host = "127.0.0.1";
    o.threads = 1;
    o.connection_timeout = 5;
    o.max_connections = 4;
    o.max_connections_per_ip = 4;
    o.body_limit = 1024;
    o.routes = slow_table;
    o.n_routes = 1;
    o.app = &app;
    assert_int_equal(http_server_start(&o, &srv, &why), CM_ERR_OK);
    c.port = http_server_port(srv);
    assert_int_equal(pthread_create(&t, NULL, slow_client_run, &c), 0);
    /* Stop while the handler sleeps: the answer must still arrive. */
    (void)nanosleep(&pause, NULL);
    http_server_stop(srv, 5000);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_status(&c.response, "HTTP/1.1 200");
    assert_has(&c.response, "{\"slow\":true}");
    buf_release(&c.response);
    buf_release(&why);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match),      cmocka_unit_test(test_no_match),
        cmocka_unit_test(test_long_param), cmocka_unit_test(test_allow),
        cmocka_unit_test(test_app_table),  cmocka_unit_test(test_graceful_stop),
    };
    const struct CMUnitTest server_tests[] = {
        cmocka_unit_test(test_server_echo),
        cmocka_unit_test(test_server_problems),
        cmocka_unit_test(test_server_too_large),
        cmocka_unit_test(test_server_keep_alive),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);

    return failed + cmocka_run_group_tests_name("server", server_tests,
                                                server_setup, server_teardown);
}
