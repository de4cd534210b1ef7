/*
 * test_park.c: parked requests (http_req_park / http_req_resume in
 * http/server.h) through a real server on a loopback port, with one
 * worker thread: nothing is sent before the resume; meanwhile the worker
 * answers other connections; on_resume may replace the reply; keep-alive
 * survives a parked answer; and stopping the server waits for a parked
 * request and still sends its answer.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"

/* The request parked last, for the test to resume; set by h_park. */
static struct http_req *parked_req;
static pthread_mutex_t parked_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t parked_cv = PTHREAD_COND_INITIALIZER;
static atomic_bool fail_on_resume;
static atomic_int resumed_calls;

static void
on_resume(struct http_req *req)
{
    atomic_fetch_add(&resumed_calls, 1);
    if (atomic_load(&fail_on_resume))
        (void)reply_error(req, CM_ERR_UNAVAILABLE, NULL, "withheld");
}

/* GET /park: sets its answer, parks, and waits for the test's resume. */
static enum cm_err
h_park(struct http_req *req)
{
    enum cm_err err =
        reply_raw_json(req, 200, "{\"secret\":1}", strlen("{\"secret\":1}"));

    http_req_park(req, on_resume);
    (void)pthread_mutex_lock(&parked_mu);
    parked_req = req;
    (void)pthread_cond_signal(&parked_cv);
    (void)pthread_mutex_unlock(&parked_mu);
    return err;
}

static enum cm_err
h_plain(struct http_req *req)
{
    return reply_raw_json(req, 200, "{\"plain\":1}", strlen("{\"plain\":1}"));
}

static const struct route table[] = {
    {"GET", "/park", h_park, 0, 0, 0},
    {"GET", "/plain", h_plain, 0, 0, 0},
};

struct fx {
    struct http_server *srv;
    unsigned short port;
    struct http_app app;
};

static int
setup(void **state)
{
    static struct fx f;
    struct http_server_opts o = {0};
    struct buf why = BUF_INIT;

    memset(&f, 0, sizeof f);
    parked_req = NULL;
    atomic_store(&fail_on_resume, false);
    atomic_store(&resumed_calls, 0);
    o.host = "127.0.0.1";
    o.threads = 1; /* one worker: a blocked worker would show */
    o.connection_timeout = 10;
    o.max_connections = 8;
    o.max_connections_per_ip = 8;
    o.body_limit = 1024;
    o.routes = table;
    o.n_routes = sizeof table / sizeof *table;
    o.app = &f.app;
    assert_int_equal(http_server_start(&o, &f.srv, &why), CM_ERR_OK);
    f.port = http_server_port(f.srv);
    buf_release(&why);
    *state = &f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;

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
send_text(int fd, const char *text)
{
    size_t n = strlen(text);

    assert_int_equal(send(fd, text, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Read one response: headers, then Content-Length bytes of body. */
static void
read_response(int fd, struct buf *out)
{
    char chunk[4096];

    buf_reset(out);
    for (;;) {
        const char *end = strstr(buf_str(out), "\r\n\r\n");
        ssize_t r;

        if (end) {
            const char *cl = strstr(buf_str(out), "Content-Length: ");
            size_t want = (size_t)(end + 4 - out->data);
            unsigned long long n = 0;

            if (cl && cl < end && sscanf(cl + 16, "%llu", &n) == 1)
                want += (size_t)n;
            if (out->len >= want)
                return;
        }
        r = recv(fd, chunk, sizeof chunk, 0);
        if (r <= 0)
            return;
        buf_add(out, chunk, (size_t)r);
    }
}

/* Whether `fd` has anything to read within `ms` milliseconds. */
static bool
readable_within(int fd, int ms)
{
    struct pollfd p = {fd, POLLIN, 0};

    return poll(&p, 1, ms) == 1;
}

static struct http_req *
wait_parked(void)
{
    struct http_req *req;

    (void)pthread_mutex_lock(&parked_mu);
    while (!parked_req)
        (void)pthread_cond_wait(&parked_cv, &parked_mu);
    req = parked_req;
    parked_req = NULL;
    (void)pthread_mutex_unlock(&parked_mu);
    return req;
}

static void
assert_has(const struct buf *resp, const char *text)
{
    if (!strstr(buf_str(resp), text))
        fail_msg("missing '%s' in: %s", text, buf_str(resp));
}

static const char get_park[] = "GET /park HTTP/1.1\r\nHost: t\r\n\r\n";
static const char get_plain[] = "GET /plain HTTP/1.1\r\nHost: t\r\n\r\n";

/* Parked: nothing leaves until the resume, the only worker answers
 * another connection meanwhile, and the connection stays open for the
 * next request after the parked answer. */
static void
test_parked_answer_waits(void **state)
{
    struct fx *f = *state;
    struct buf r = BUF_INIT;
    int fd = connect_to(f->port), other = connect_to(f->port);
    struct http_req *req;

    send_text(fd, get_park);
    req = wait_parked();
    assert_false(readable_within(fd, 200));
    send_text(other, get_plain);
    read_response(other, &r);
    assert_has(&r, "HTTP/1.1 200");
    assert_has(&r, "{\"plain\":1}");
    assert_false(readable_within(fd, 50));
    assert_int_equal(atomic_load(&resumed_calls), 0);

    http_req_resume(req);
    read_response(fd, &r);
    assert_has(&r, "HTTP/1.1 200");
    assert_has(&r, "{\"secret\":1}");
    assert_has(&r, "X-Content-Type-Options: nosniff\r\n");
    assert_null(strstr(buf_str(&r), "Connection: close"));
    assert_int_equal(atomic_load(&resumed_calls), 1);
    /* Keep-alive: a second request on the same connection. */
    send_text(fd, get_plain);
    read_response(fd, &r);
    assert_has(&r, "HTTP/1.1 200");
    assert_has(&r, "{\"plain\":1}");
    (void)close(fd);
    (void)close(other);
    buf_release(&r);
}

/* on_resume replaces the reply: the parked answer never leaves. */
static void
test_resume_replaces_reply(void **state)
{
    struct fx *f = *state;
    struct buf r = BUF_INIT;
    int fd = connect_to(f->port);

    atomic_store(&fail_on_resume, true);
    send_text(fd, get_park);
    http_req_resume(wait_parked());
    read_response(fd, &r);
    assert_has(&r, "HTTP/1.1 503");
    assert_has(&r, "\"detail\":\"withheld\"");
    assert_null(strstr(buf_str(&r), "secret"));
    (void)close(fd);
    buf_release(&r);
}

struct resumer {
    struct http_req *req;
    int delay_ms;
};

static void *
resume_later(void *arg)
{
    struct resumer *rs = arg;
    struct timespec pause = {0, (long)rs->delay_ms * 1000 * 1000};

    (void)nanosleep(&pause, NULL);
    http_req_resume(rs->req);
    return NULL;
}

/* Stopping waits for the parked request, past the grace period, and its
 * answer is still sent. */
static void
test_stop_waits_for_parked(void **state)
{
    struct fx *f = *state;
    struct buf r = BUF_INIT;
    int fd = connect_to(f->port);
    struct resumer rs = {NULL, 300};
    pthread_t t;

    send_text(fd, get_park);
    rs.req = wait_parked();
    assert_int_equal(pthread_create(&t, NULL, resume_later, &rs), 0);
    http_server_stop(f->srv, 50);
    f->srv = NULL;
    assert_int_equal(pthread_join(t, NULL), 0);
    read_response(fd, &r);
    assert_has(&r, "HTTP/1.1 200");
    assert_has(&r, "{\"secret\":1}");
    assert_int_equal(atomic_load(&resumed_calls), 1);
    (void)close(fd);
    buf_release(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parked_answer_waits, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resume_replaces_reply, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stop_waits_for_parked, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
