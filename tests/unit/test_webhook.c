/*
 * test_webhook.c: webhooks reach public addresses only, unless allowed
 * (jobs/webhook.h, cfg webhook_private_networks).
 *
 *  - the address classification, range by range, in IPv4 and IPv6
 *    (IPv4-mapped and -compatible forms judged by their IPv4 address);
 *  - URLs whose host is a non-public IP literal, refused at registration;
 *  - a real delivery to a receiver on 127.0.0.1 reached through the name
 *    "localhost": refused before connecting (the receiver sees no
 *    connection) with a reason naming the address and the setting, and
 *    delivered (2xx) when private networks are allowed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "jobs/webhook.h"

static bool
v4_public(const char *text)
{
    struct sockaddr_in a;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    assert_int_equal(inet_pton(AF_INET, text, &a.sin_addr), 1);
    return webhook_address_is_public((const struct sockaddr *)&a, sizeof a);
}

static bool
v6_public(const char *text)
{
    struct sockaddr_in6 a;

    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    assert_int_equal(inet_pton(AF_INET6, text, &a.sin6_addr), 1);
    return webhook_address_is_public((const struct sockaddr *)&a, sizeof a);
}

static void
test_ipv4_ranges(void **state)
{
    static const char *const not_public[] = {
        "0.0.0.0",        "0.255.1.2",       "10.0.0.1",
        "10.255.255.255", "100.64.0.1",      "100.127.255.254",
        "127.0.0.1",      "127.1.2.3",       "169.254.169.254",
        "172.16.0.1",     "172.31.255.255",  "192.0.0.8",
        "192.0.2.1",      "192.88.99.1",     "192.168.1.1",
        "198.18.0.1",     "198.19.255.255",  "198.51.100.7",
        "203.0.113.9",    "224.0.0.1",       "239.255.255.250",
        "240.0.0.1",      "255.255.255.255",
    };
    static const char *const public[] = {
        "1.1.1.1",         "8.8.8.8",         "9.255.255.255",
        "11.0.0.1",        "100.63.255.255",  "100.128.0.1",
        "126.255.255.255", "128.0.0.1",       "169.253.255.255",
        "169.255.0.1",     "172.15.255.255",  "172.32.0.1",
        "192.0.3.1",       "192.167.255.255", "192.169.0.1",
        "198.17.255.255",  "198.20.0.1",      "203.0.114.1",
        "223.255.255.255",
    };

    (void)state;
    for (size_t i = 0; i < sizeof not_public / sizeof *not_public; i++)
        if (v4_public(not_public[i]))
            fail_msg("%s taken as public", not_public[i]);
    for (size_t i = 0; i < sizeof public / sizeof *public; i++)
        if (!v4_public(public[i]))
            fail_msg("%s taken as not public", public[i]);
}

static void
test_ipv6_ranges(void **state)
{
    static const char *const not_public[] = {
        "::",
        "::1",
        "::ffff:127.0.0.1",
        "::ffff:10.1.2.3",
        "::ffff:169.254.169.254",
        "::127.0.0.1",
        "64:ff9b::a00:1",
        "100::1",
        "2001:db8::1",
        "2001::1",
        "2002:7f00:1::",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "febf::1",
        "fec0::1",
        "ff02::1",
    };
    static const char *const public[] = {
        "2001:4860:4860::8888", "2606:4700::1111", "::ffff:8.8.8.8",
        "2a00:1450::1",         "2001:200::1",
    };

    (void)state;
    for (size_t i = 0; i < sizeof not_public / sizeof *not_public; i++)
        if (v6_public(not_public[i]))
            fail_msg("%s taken as public", not_public[i]);
    for (size_t i = 0; i < sizeof public / sizeof *public; i++)
        if (!v6_public(public[i]))
            fail_msg("%s taken as not public", public[i]);
}

static void
test_other_families_are_not_public(void **state)
{
    struct sockaddr sa;

    (void)state;
    memset(&sa, 0, sizeof sa);
    sa.sa_family = AF_UNIX;
    assert_false(webhook_address_is_public(&sa, sizeof sa));
    assert_false(webhook_address_is_public(NULL, 0));
}

static void
test_urls_naming_private_ips(void **state)
{
    (void)state;
    assert_true(webhook_url_names_private_ip("http://127.0.0.1:9/x"));
    assert_true(webhook_url_names_private_ip("https://10.0.0.5"));
    assert_true(webhook_url_names_private_ip("http://169.254.169.254/latest"));
    assert_true(webhook_url_names_private_ip("http://[::1]:8080/"));
    assert_true(webhook_url_names_private_ip("https://[::ffff:192.168.0.1]/"));
    assert_true(webhook_url_names_private_ip("http://192.168.1.1?x=1"));
    /* Public literals and names: not refused at registration (a name is
     * checked at every delivery, after it is resolved). */
    assert_false(webhook_url_names_private_ip("https://8.8.8.8/hook"));
    assert_false(webhook_url_names_private_ip("https://[2606:4700::1111]/"));
    assert_false(webhook_url_names_private_ip("http://localhost:9/"));
    assert_false(webhook_url_names_private_ip("https://hooks.example.org/"));
}

/* A one-shot HTTP receiver on 127.0.0.1: counts connections, answers
 * 204 to the first request. */
struct receiver {
    int fd;
    unsigned short port;
    int connections;
    pthread_t thread;
};

static void *
receive(void *arg)
{
    struct receiver *r = arg;
    struct pollfd p = {r->fd, POLLIN, 0};
    char buf[8192];

    /* Wait up to 3 s for a connection (a refused delivery makes none). */
    while (poll(&p, 1, 3000) == 1) {
        int c = accept(r->fd, NULL, NULL);
        static const char answer[] =
            "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";

        if (c < 0)
            break;
        r->connections++;
        (void)read(c, buf, sizeof buf); /* headers and a small body */
        (void)write(c, answer, sizeof answer - 1);
        (void)close(c);
        break;
    }
    return NULL;
}

static void
receiver_start(struct receiver *r)
{
    struct sockaddr_in a;
    socklen_t n = sizeof a;

    memset(r, 0, sizeof *r);
    r->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(r->fd >= 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(r->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(r->fd, 4), 0);
    assert_int_equal(getsockname(r->fd, (struct sockaddr *)&a, &n), 0);
    r->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&r->thread, NULL, receive, r), 0);
}

static void
receiver_stop(struct receiver *r)
{
    assert_int_equal(pthread_join(r->thread, NULL), 0);
    (void)close(r->fd);
}

static enum cm_err
deliver(const char *url, bool allow_private, struct buf *why)
{
    static const unsigned char secret[] = "0123456789abcdef0123456789abcdef";
    struct webhook_request w;

    memset(&w, 0, sizeof w);
    w.url = url;
    w.body = "{\"id\":\"x\"}";
    w.secret = secret;
    w.secret_len = sizeof secret - 1;
    w.delivery_id = "job-1";
    w.t_unix = 1767225600;
    w.allow_private = allow_private;
    return webhook_post(&w, NULL, why);
}

static void
test_delivery_to_loopback_name_is_refused(void **state)
{
    struct receiver r;
    struct buf why = BUF_INIT;
    char url[64];

    (void)state;
    receiver_start(&r);
    /* By name: the check is on the resolved address. */
    (void)snprintf(url, sizeof url, "http://localhost:%u/hook", r.port);
    assert_int_equal(deliver(url, false, &why), CM_ERR_IO);
    receiver_stop(&r);
    assert_int_equal(r.connections, 0);
    assert_non_null(strstr(buf_str(&why), "is not a public address"));
    assert_non_null(strstr(buf_str(&why), "webhook_private_networks = 1"));
    assert_true(strstr(buf_str(&why), "127.0.0.1") != NULL ||
                strstr(buf_str(&why), "::1") != NULL);
    buf_release(&why);
}

static void
test_delivery_to_loopback_allowed(void **state)
{
    struct receiver r;
    struct buf why = BUF_INIT;
    char url[64];

    (void)state;
    receiver_start(&r);
    (void)snprintf(url, sizeof url, "http://127.0.0.1:%u/hook", r.port);
    assert_int_equal(deliver(url, true, &why), CM_ERR_OK);
    receiver_stop(&r);
    assert_int_equal(r.connections, 1);
    buf_release(&why);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_ranges),
        cmocka_unit_test(test_ipv6_ranges),
        cmocka_unit_test(test_other_families_are_not_public),
        cmocka_unit_test(test_urls_naming_private_ips),
        cmocka_unit_test(test_delivery_to_loopback_name_is_refused),
        cmocka_unit_test(test_delivery_to_loopback_allowed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
