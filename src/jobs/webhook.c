/*
 * webhook.c: webhook deliveries (webhook.h): URL check, signature, and
 * the POST with libcurl (http and https only, no redirects, 5 s).
 */
#include "jobs/webhook.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

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

    if (status)
        *status = 0;
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
    cc = curl_easy_perform(curl);
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
