/*
 * webhook.h: one webhook delivery: a JSON POST signed with HMAC-SHA256.
 *
 * Headers sent:
 *   Content-Type: application/json
 *   Compel-Delivery: <delivery id>   (the same on every retry: receivers
 *                                      de-duplicate on it)
 *   Compel-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 *                     "<t>.<body>")>
 * A 2xx answer within WEBHOOK_TIMEOUT_S is success; anything else
 * (another status, a refused connection, a timeout) is a failure that the
 * runner retries with backoff. Redirects are not followed.
 *
 * Only public addresses are reached unless the delivery allows private
 * ones (cfg webhook_private_networks): the address each connection would
 * go to, after name resolution, is checked just before connecting
 * (libcurl's open-socket callback), so a name that resolves to loopback,
 * a private network, link-local (cloud metadata at 169.254.169.254) or
 * another special range is refused however it is spelled, and a DNS
 * answer that changes between checks changes nothing. Proxies from the
 * environment are not used then (their address would be checked instead
 * of the receiver's).
 */
#ifndef CM_JOBS_WEBHOOK_H
#define CM_JOBS_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/buf.h"
#include "core/errors.h"

/* Seconds a delivery may take in all. */
#define WEBHOOK_TIMEOUT_S 5

/* Longest URL accepted. */
#define WEBHOOK_URL_MAX 2048

/* Bytes of a Compel-Signature value, NUL included. */
#define WEBHOOK_SIGNATURE_SIZE 96

/* One delivery; borrowed. */
struct webhook_request {
    const char *url;
    const char *body; /* JSON text */
    const unsigned char *secret;
    size_t secret_len;
    const char *delivery_id;
    int64_t t_unix;     /* signing time, seconds since the epoch */
    bool allow_private; /* reach non-public addresses too (see above) */
};

/* True when `sa` (AF_INET or AF_INET6, `len` bytes) is a public unicast
 * address: not unspecified, loopback, private (RFC 1918, fc00::/7),
 * shared (100.64.0.0/10), link-local, multicast, broadcast, reserved,
 * documentation or benchmarking space, IETF protocol assignments
 * (192.0.0.0/24), 6to4 relay anycast, NAT64 or discard prefixes; an
 * IPv4-mapped or IPv4-compatible IPv6 address is judged by its IPv4
 * address. */
bool webhook_address_is_public(const struct sockaddr *sa, socklen_t len);

/* True when the host of `url` (valid per webhook_is_valid_url) is an IP
 * address literal that is not public: such a URL can never be delivered
 * without webhook_private_networks, so it is refused when registered. */
bool webhook_url_names_private_ip(const char *url);

/* True for an absolute http:// or https:// URL with a host, no user
 * information, no fragment, no spaces or control characters, at most
 * WEBHOOK_URL_MAX bytes. */
bool webhook_is_valid_url(const char *url);

/* Write the Compel-Signature value for `body` signed at `t_unix`:
 * "t=<t_unix>,v1=<64 hex digits>". */
void webhook_signature(const unsigned char *secret,
                       size_t secret_len,
                       int64_t t_unix,
                       const char *body,
                       char out[WEBHOOK_SIGNATURE_SIZE]);

/* POST the delivery. CM_ERR_OK on a 2xx answer; CM_ERR_IO otherwise, with
 * a short reason ("status 500", "timeout") appended to `why` (never the
 * secret or the body). *status (when not NULL) gets the HTTP status, or 0
 * when there was none. */
enum cm_err
webhook_post(const struct webhook_request *r, long *status, struct buf *why);

#endif
