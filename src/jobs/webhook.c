/*
 * webhook.c: webhook deliveries (webhook.h): URL check, signature, and
 * the POST with libcurl (http and https only, no redirects, 5 s, public
 * addresses only unless allowed).
 */
#include "jobs/webhook.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth/hmac_sha256.h"

bool
webhook_is_valid_url(const char *url)
{
    const char *host;
    size_t n;

    if (url == NULL)
        return false;
    n = strlen(url);
    if (n > WEBHOOK_URL_MAX)
        return false;
    if (strncmp(url, "https://", 8) == 0)
        host = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        host = url + 7;
    else
        return false;
    if (*host == '\0' || *host == '/' || *host == ':')
        return false;
    for (const char *p = url; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (c <= 0x20 || c >= 0x7F || c == '#')
            return false;
    }
    /* No user information: "http://user:pw@host" hides the real host. */
    for (const char *p = host; *p && *p != '/' && *p != '?'; p++) {
        if (*p == '@')
            return false;
    }
    return true;
}

void
webhook_signature(const unsigned char *secret,
                  size_t secret_len,
                  int64_t t_unix,
                  const char *body,
                  char out[WEBHOOK_SIGNATURE_SIZE])
{
    struct buf msg = BUF_INIT;
    char hex[HMAC_SHA256_HEX_SIZE];

    buf_addf(&msg, "%lld.", (long long)t_unix);
    buf_adds(&msg, body);
    hmac_sha256_hex(secret, secret_len, buf_str(&msg), msg.len, hex);
    (void)snprintf(out, WEBHOOK_SIGNATURE_SIZE, "t=%lld,v1=%s",
                   (long long)t_unix, hex);
    buf_release(&msg);
}

/* A prefix of an address family: the first `bits` bits of `net`. */
struct prefix {
    unsigned char net[16];
    unsigned bits;
};

static bool
in_prefix(const unsigned char *a, const struct prefix *p)
{
    unsigned full = p->bits / 8, rest = p->bits % 8;

    if (memcmp(a, p->net, full) != 0)
        return false;
    if (rest == 0)
        return true;
    return ((a[full] ^ p->net[full]) & (0xFFu << (8 - rest)) & 0xFFu) == 0;
}

/* IPv4 ranges that are not public (IANA special-purpose registry). */
static const struct prefix v4_not_public[] = {
    {{0}, 8},             /* "this network", 0.0.0.0 */
    {{10}, 8},            /* private */
    {{100, 64}, 10},      /* shared address space (carrier NAT) */
    {{127}, 8},           /* loopback */
    {{169, 254}, 16},     /* link-local, cloud metadata */
    {{172, 16}, 12},      /* private */
    {{192, 0, 0}, 24},    /* IETF protocol assignments */
    {{192, 0, 2}, 24},    /* documentation */
    {{192, 88, 99}, 24},  /* 6to4 relay anycast */
    {{192, 168}, 16},     /* private */
    {{198, 18}, 15},      /* benchmarking */
    {{198, 51, 100}, 24}, /* documentation */
    {{203, 0, 113}, 24},  /* documentation */
    {{224}, 4},           /* multicast */
    {{240}, 4},           /* reserved, and 255.255.255.255 */
};

/* IPv6 ranges that are not public (the IPv4-mapped and -compatible
 * forms are judged by their IPv4 address first). */
static const struct prefix v6_not_public[] = {
    {{0x00, 0x64, 0xff, 0x9b}, 32}, /* NAT64 64:ff9b::/32 */
    {{0x01, 0x00}, 64},             /* discard 100::/64 */
    {{0x20, 0x01, 0x0d, 0xb8}, 32}, /* documentation */
    {{0x20, 0x01, 0x00, 0x00}, 23}, /* IETF assignments */
    {{0x20, 0x02}, 16},             /* 6to4 (embeds IPv4) */
    {{0xfc}, 7},                    /* unique local */
    {{0xfe, 0x80}, 10},             /* link-local */
    {{0xfe, 0xc0}, 10},             /* site-local (old) */
    {{0xff}, 8},                    /* multicast */
};

static bool
v4_is_public(const unsigned char a[4])
{
    for (size_t i = 0; i < sizeof v4_not_public / sizeof *v4_not_public; i++)
        if (in_prefix(a, &v4_not_public[i]))
            return false;
    return true;
}

static bool
v6_is_public(const unsigned char a[16])
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                             0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char zero[12] = {0};

    /* ::ffff:a.b.c.d and ::a.b.c.d (:: and ::1 land in 0.0.0.0/8). */
    if (memcmp(a, mapped, 12) == 0 || memcmp(a, zero, 12) == 0)
        return v4_is_public(a + 12);
    for (size_t i = 0; i < sizeof v6_not_public / sizeof *v6_not_public; i++)
        if (in_prefix(a, &v6_not_public[i]))
            return false;
    return true;
}

bool
webhook_address_is_public(const struct sockaddr *sa, socklen_t len)
{
    if (sa == NULL)
        return false;
    if (sa->sa_family == AF_INET &&
        len >= (socklen_t)sizeof(struct sockaddr_in))
        return v4_is_public((const unsigned char *)&(
                                (const struct sockaddr_in *)(const void *)sa)
                                ->sin_addr);
    if (sa->sa_family == AF_INET6 &&
        len >= (socklen_t)sizeof(struct sockaddr_in6))
        return v6_is_public(
            ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr);
    return false; /* another family: never */
}

bool
webhook_url_names_private_ip(const char *url)
{
    const char *host = strstr(url, "://");
    char text[64];
    size_t n = 0;
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;

    if (host == NULL)
        return false;
    host += 3;
    if (*host == '[') { /* [v6] */
        const char *end = strchr(host, ']');

        if (end == NULL || (size_t)(end - host - 1) >= sizeof text)
            return false;
        n = (size_t)(end - host - 1);
        memcpy(text, host + 1, n);
        text[n] = '\0';
        memset(&v6, 0, sizeof v6);
        v6.sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, text, &v6.sin6_addr) != 1)
            return false;
        return !webhook_address_is_public((const struct sockaddr *)&v6,
                                          sizeof v6);
    }
    while (host[n] && host[n] != ':' && host[n] != '/' && host[n] != '?' &&
           n < sizeof text - 1) {
        text[n] = host[n];
        n++;
    }
    text[n] = '\0';
    memset(&v4, 0, sizeof v4);
    v4.sin_family = AF_INET;
    if (inet_pton(AF_INET, text, &v4.sin_addr) != 1)
        return false; /* a name: checked when delivered */
    return !webhook_address_is_public((const struct sockaddr *)&v4, sizeof v4);
}

/* libcurl's open-socket callback: a socket only for a public address
 * (unless allowed); a refused address is remembered for the reason. */
struct open_check {
    bool allow_private;
    bool refused;
    char address[INET6_ADDRSTRLEN];
};

static curl_socket_t
open_socket_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct open_check *c = clientp;

    (void)purpose;
    if (!c->allow_private &&
        !webhook_address_is_public(&a->addr, (socklen_t)a->addrlen)) {
        c->refused = true;
        if (a->family == AF_INET)
            (void)inet_ntop(AF_INET,
                            &((struct sockaddr_in *)(void *)&a->addr)->sin_addr,
                            c->address, sizeof c->address);
        else if (a->family == AF_INET6)
            (void)inet_ntop(
                AF_INET6, &((struct sockaddr_in6 *)(void *)&a->addr)->sin6_addr,
                c->address, sizeof c->address);
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* Discard the answer's body. */
static size_t
sink_cb(char *ptr, size_t size, size_t nmemb, void *userp)
{
    (void)ptr;
    (void)userp;
    return size * nmemb;
}

enum cm_err
webhook_post(const struct webhook_request *r, long *status, struct buf *why)
{
    struct curl_slist *h = NULL;
    struct buf line = BUF_INIT;
    char sig[WEBHOOK_SIGNATURE_SIZE];
    enum cm_err err = CM_ERR_IO;
    long code = 0;
    CURLcode cc;
    CURL *curl;
    struct open_check oc;

    if (status)
        *status = 0;
    memset(&oc, 0, sizeof oc);
    oc.allow_private = r->allow_private;
    if (!webhook_is_valid_url(r->url)) {
        buf_adds(why, "invalid url");
        return CM_ERR_VALIDATION_FAILED;
    }
    curl = curl_easy_init();
    if (curl == NULL) {
        buf_adds(why, "libcurl cannot start");
        return CM_ERR_IO;
    }
    webhook_signature(r->secret, r->secret_len, r->t_unix, r->body, sig);
    h = curl_slist_append(h, "Content-Type: application/json");
    buf_addf(&line, "Compel-Delivery: %s", r->delivery_id);
    h = curl_slist_append(h, buf_str(&line));
    buf_reset(&line);
    buf_addf(&line, "Compel-Signature: %s", sig);
    h = curl_slist_append(h, buf_str(&line));
    h = curl_slist_append(h, "User-Agent: compel-webhooks/1");
    /* No "Expect: 100-continue" round trip. */
    h = curl_slist_append(h, "Expect:");
    if (h == NULL) {
        buf_adds(why, "out of memory");
        goto out_release;
    }
    (void)curl_easy_setopt(curl, CURLOPT_URL, r->url);
    (void)curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    (void)curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    (void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    (void)curl_easy_setopt(curl, CURLOPT_POSTFIELDS, r->body);
    (void)curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                           (curl_off_t)strlen(r->body));
    (void)curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink_cb);
    (void)curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)WEBHOOK_TIMEOUT_S);
    (void)curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    (void)curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket_cb);
    (void)curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &oc);
    if (!r->allow_private)
        (void)curl_easy_setopt(curl, CURLOPT_PROXY, ""); /* none */
    cc = curl_easy_perform(curl);
    if (cc != CURLE_OK && oc.refused) {
        buf_addf(why,
                 "webhook: %s is not a public address (loopback, private, "
                 "link-local or reserved); set webhook_private_networks = 1 "
                 "to deliver there",
                 oc.address);
        goto out_release;
    }
    if (cc != CURLE_OK) {
        buf_addf(why, "webhook: %s", curl_easy_strerror(cc));
        goto out_release;
    }
    (void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    if (status)
        *status = code;
    if (code >= 200 && code < 300)
        err = CM_ERR_OK;
    else
        buf_addf(why, "webhook: status %ld", code);
out_release:
    curl_slist_free_all(h);
    curl_easy_cleanup(curl);
    buf_release(&line);
    memset(sig, 0, sizeof sig);
    return err;
}
