/*
 * demo_http.c: the HTTP driver of `compel demo`. It speaks to the
 * in-process server with libcurl exactly as a browser would: it logs in
 * with POST /api/v1/session, keeps each user's session cookie and CSRF
 * token, and sends JSON. The story clock lives in a file the service
 * reads (COMPEL_TEST_CLOCK_FILE); because sessions expire after 30 idle
 * minutes of that clock, a user whose session has gone stale logs in
 * again before the next request.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/demo.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "domain/date.h"
#include "http/router.h"

/* Log in again when the session has been idle, or alive, this long. */
#define RELOGIN_IDLE_US (20LL * 60 * 1000000)
#define RELOGIN_AGE_US  (10LL * 3600 * 1000000)

#define COOKIE_NAME "compel_session="

/* One exchange's answer. */
struct answer {
    long status;
    struct buf body;
    char *cookie; /* the compel_session cookie it set, or NULL */
};

static size_t
on_body(char *p, size_t size, size_t n, void *cls)
{
    struct answer *a = cls;

    buf_add(&a->body, p, size * n);
    return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *cls)
{
    struct answer *a = cls;
    size_t len = size * n;
    static const char name[] = "set-cookie:";

    if (len > sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0) {
        const char *v = p + sizeof name - 1;
        const char *end = p + len;
        const char *semi;

        while (v < end && *v == ' ')
            v++;
        if ((size_t)(end - v) > strlen(COOKIE_NAME) &&
            strncmp(v, COOKIE_NAME, strlen(COOKIE_NAME)) == 0) {
            semi = memchr(v, ';', (size_t)(end - v));
            if (semi == NULL)
                semi = end;
            while (semi > v && (semi[-1] == '\r' || semi[-1] == '\n'))
                semi--;
            cm_free(a->cookie);
            a->cookie = cm_malloc((size_t)(semi - v) + 1);
            memcpy(a->cookie, v, (size_t)(semi - v));
            a->cookie[semi - v] = '\0';
        }
    }
    return len;
}

enum cm_err
demo_http_start(struct demo *d)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return CM_ERR_INTERNAL;
    d->curl = curl_easy_init();
    if (d->curl == NULL) {
        curl_global_cleanup();
        return CM_ERR_INTERNAL;
    }
    return CM_ERR_OK;
}

void
demo_http_stop(struct demo *d)
{
    for (size_t i = 0; i < DEMO_USER_IX__COUNT; i++) {
        cm_free(d->users[i].cookie);
        cm_free(d->users[i].csrf);
        d->users[i].cookie = d->users[i].csrf = NULL;
    }
    if (d->curl) {
        curl_easy_cleanup(d->curl);
        curl_global_cleanup();
        d->curl = NULL;
    }
}

enum cm_err
demo_clock_set_us(struct demo *d, int64_t us)
{
    FILE *f = fopen(d->clock_path, "w");
    int bad;

    if (f == NULL)
        return CM_ERR_IO;
    bad = fprintf(f, "%lld\n", (long long)us) < 0;
    bad |= fclose(f) != 0;
    if (bad)
        return CM_ERR_IO;
    d->now = us;
    return CM_ERR_OK;
}

enum cm_err
demo_clock_set(struct demo *d, const char *when)
{
    int64_t utc;
    int32_t offset;

    if (date_time_parse_rfc3339(when, &utc, &offset) != CM_ERR_OK)
        return CM_ERR_VALIDATION_FAILED;
    return demo_clock_set_us(d, utc * 1000000);
}

bool
demo_has_route(const char *method, const char *pattern)
{
    size_t n = 0;
    const struct route *r = router_routes(&n);

    for (size_t i = 0; i < n; i++) {
        if (strcmp(r[i].method, method) == 0 &&
            strcmp(r[i].pattern, pattern) == 0)
            return true;
    }
    return false;
}

/* One request; fills *a (status, body, cookie). CM_ERR_IO when the
 * exchange itself failed (printed). The body is JSON unless `disposition`
 * (a Content-Disposition value) is given: then a document of type
 * `type`. */
static enum cm_err
exchange_as(struct demo *d,
            const struct demo_user *u,
            const char *method,
            const char *path,
            const char *body,
            const char *type,
            const char *disposition,
            struct answer *a)
{
    CURL *c = d->curl;
    struct curl_slist *h = NULL;
    struct buf url = BUF_INIT;
    struct buf line = BUF_INIT;
    enum cm_err err = CM_ERR_OK;
    CURLcode rc;

    buf_addf(&url, "%s%s", d->base, path);
    curl_easy_reset(c);
    (void)curl_easy_setopt(c, CURLOPT_URL, buf_str(&url));
    (void)curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    (void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    (void)curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    (void)curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    (void)curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    (void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    (void)curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    if (body) {
        (void)curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        (void)curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        if (disposition) {
            buf_addf(&line, "Content-Type: %s", type);
            h = curl_slist_append(h, buf_str(&line));
            buf_reset(&line);
            buf_addf(&line, "Content-Disposition: %s", disposition);
            h = curl_slist_append(h, buf_str(&line));
            buf_reset(&line);
        } else {
            h = curl_slist_append(h, "Content-Type: application/json");
        }
    }
    h = curl_slist_append(h, "Accept: application/json");
    h = curl_slist_append(h, "Expect:");
    if (u && u->cookie) {
        buf_addf(&line, "Cookie: %s", u->cookie);
        h = curl_slist_append(h, buf_str(&line));
        buf_reset(&line);
    }
    if (u && u->csrf && strcmp(method, "GET") != 0) {
        buf_addf(&line, "X-CSRF-Token: %s", u->csrf);
        h = curl_slist_append(h, buf_str(&line));
    }
    (void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        (void)fprintf(stderr, "compel demo: %s: %s %s: %s\n", d->step, method,
                      path, curl_easy_strerror(rc));
        err = CM_ERR_IO;
    } else {
        (void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    }
    curl_slist_free_all(h);
    buf_release(&line);
    buf_release(&url);
    return err;
}

static enum cm_err
exchange(struct demo *d,
         const struct demo_user *u,
         const char *method,
         const char *path,
         const char *body,
         struct answer *a)
{
    return exchange_as(d, u, method, path, body, NULL, NULL, a);
}

/* Print the one line of a failed step: status and the problem's code. */
static void
report(const struct demo *d,
       const char *method,
       const char *path,
       const struct answer *a)
{
    json_t *j = json_loads(buf_str(&a->body), 0, NULL);
    const char *code = json_string_value(json_object_get(j, "code"));
    const char *detail = json_string_value(json_object_get(j, "detail"));
    const char *field = json_string_value(json_object_get(j, "field"));

    (void)fprintf(stderr, "compel demo: %s: %s %s answered %ld %s%s%s%s%s\n",
                  d->step, method, path, a->status, code ? code : "(no code)",
                  field ? " field " : "", field ? field : "",
                  detail ? ": " : "", detail ? detail : "");
    json_decref(j);
}

static void
answer_release(struct answer *a)
{
    buf_release(&a->body);
    cm_free(a->cookie);
    a->cookie = NULL;
}

/* Log user `u` in at the story clock. */
static enum cm_err
login(struct demo *d, struct demo_user *u)
{
    struct answer a = {.body = BUF_INIT};
    json_t *req =
        json_pack("{s:s, s:s}", "email", u->email, "password", DEMO_PASSWORD);
    char *text = json_dumps(req, JSON_COMPACT);
    json_t *j = NULL;
    const char *csrf;
    enum cm_err err;

    cm_free(u->cookie);
    cm_free(u->csrf);
    u->cookie = u->csrf = NULL;
    err = exchange(d, NULL, "POST", "/api/v1/session", text, &a);
    if (err != CM_ERR_OK)
        goto out_release;
    if (a.status != 201) {
        report(d, "POST", "/api/v1/session", &a);
        err = CM_ERR_IO;
        goto out_release;
    }
    j = json_loads(buf_str(&a.body), 0, NULL);
    csrf = json_string_value(json_object_get(j, "csrf_token"));
    if (csrf == NULL || a.cookie == NULL) {
        (void)fprintf(stderr,
                      "compel demo: %s: logging in as %s gave no session\n",
                      d->step, u->email);
        err = CM_ERR_IO;
        goto out_release;
    }
    u->csrf = cm_strdup(csrf);
    u->cookie = a.cookie;
    a.cookie = NULL;
    u->login_at = u->last_used = d->now;
out_release:
    json_decref(j);
    free(text);
    json_decref(req);
    answer_release(&a);
    return err;
}

enum cm_err
demo_call(struct demo *d,
          enum demo_user_ix who,
          const char *method,
          const char *path,
          json_t *body,
          json_t **out)
{
    struct demo_user *u = &d->users[who];
    struct answer a = {.body = BUF_INIT};
    char *text = NULL;
    enum cm_err err = CM_ERR_OK;

    if (u->cookie == NULL || d->now - u->last_used > RELOGIN_IDLE_US ||
        d->now < u->last_used || d->now - u->login_at > RELOGIN_AGE_US)
        err = login(d, u);
    if (err != CM_ERR_OK)
        goto out_release;
    if (body)
        text = json_dumps(body, JSON_COMPACT);
    err = exchange(d, u, method, path, text, &a);
    if (err != CM_ERR_OK)
        goto out_release;
    u->last_used = d->now;
    if (a.status < 200 || a.status > 299) {
        report(d, method, path, &a);
        err = CM_ERR_IO;
        goto out_release;
    }
    if (out) {
        json_t *j = NULL;

        if (a.body.len > 0) {
            j = json_loads(buf_str(&a.body), 0, NULL);
            if (j == NULL) {
                (void)fprintf(stderr,
                              "compel demo: %s: %s %s answered %ld with a "
                              "body that is not JSON\n",
                              d->step, method, path, a.status);
                err = CM_ERR_IO;
                goto out_release;
            }
        }
        *out = j;
    }
out_release:
    free(text);
    json_decref(body);
    answer_release(&a);
    return err;
}

enum cm_err
demo_upload(struct demo *d,
            enum demo_user_ix who,
            const char *query,
            const char *type,
            const char *filename,
            const char *content,
            char id[CM_ID_LEN + 1])
{
    struct demo_user *u = &d->users[who];
    struct answer a = {.body = BUF_INIT};
    struct buf path = BUF_INIT;
    struct buf disp = BUF_INIT;
    json_t *j = NULL;
    const char *got;
    enum cm_err err = CM_ERR_OK;

    if (u->cookie == NULL || d->now - u->last_used > RELOGIN_IDLE_US ||
        d->now < u->last_used || d->now - u->login_at > RELOGIN_AGE_US)
        err = login(d, u);
    if (err != CM_ERR_OK)
        goto out_release;
    buf_addf(&path, "/api/v1/documents?%s", query);
    buf_addf(&disp, "attachment; filename=\"%s\"", filename);
    err = exchange_as(d, u, "POST", buf_str(&path), content, type,
                      buf_str(&disp), &a);
    if (err != CM_ERR_OK)
        goto out_release;
    u->last_used = d->now;
    j = a.status == 201 ? json_loads(buf_str(&a.body), 0, NULL) : NULL;
    got = json_string_value(json_object_get(j, "id"));
    if (!got || strlen(got) != CM_ID_LEN) {
        report(d, "POST", buf_str(&path), &a);
        err = CM_ERR_IO;
        goto out_release;
    }
    memcpy(id, got, CM_ID_LEN + 1);
out_release:
    json_decref(j);
    buf_release(&disp);
    buf_release(&path);
    answer_release(&a);
    return err;
}
