/*
 * body.c: body limits, the JSON media type check and the lazy JSON parse
 * of a request body (body.h).
 */
#include "http/body.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "http/reply.h"
#include "http/server.h"

enum cm_err
body_check_length(const char *content_length, size_t limit)
{
    unsigned long long n = 0;

    if (!content_length)
        return CM_ERR_OK;
    /* libmicrohttpd has already refused a malformed value; count digits
     * anyway and treat an overflowing one as too large. */
    for (const char *p = content_length; isdigit((unsigned char)*p); p++) {
        if (n > limit)
            break;
        n = n * 10 + (unsigned long long)(*p - '0');
    }
    return n > limit ? CM_ERR_PAYLOAD_TOO_LARGE : CM_ERR_OK;
}

enum cm_err
body_append(struct buf *body, size_t limit, const char *data, size_t n)
{
    if (n > limit || body->len > limit - n)
        return CM_ERR_PAYLOAD_TOO_LARGE;
    buf_add(body, data, n);
    return CM_ERR_OK;
}

bool
body_is_json_type(const char *content_type)
{
    static const char json[] = "application/json";
    size_t n = sizeof json - 1;
    const char *rest;

    if (!content_type || strncasecmp(content_type, json, n) != 0)
        return false;
    rest = content_type + n;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    return *rest == '\0' || *rest == ';';
}

enum cm_err
body_check_type(const struct http_req *req)
{
    const struct route *r = req->match.route;

    if (!r || !(r->flags & ROUTE_FLAG_JSON) || req->body.len == 0)
        return CM_ERR_OK;
    if (!body_is_json_type(http_req_header(req, "Content-Type")))
        return CM_ERR_UNSUPPORTED_MEDIA;
    return CM_ERR_OK;
}

enum cm_err
body_json(struct http_req *req, json_t **out)
{
    struct jspec_error e;
    json_t *v = NULL;
    enum cm_err err;

    if (req->json) {
        *out = req->json;
        return CM_ERR_OK;
    }
    if (req->body.len == 0)
        return reply_error(req, CM_ERR_MALFORMED_JSON, NULL,
                           "the body is empty; send a JSON object");
    err = jspec_load(buf_str(&req->body), req->body.len, &v, &e);
    if (err != CM_ERR_OK)
        return reply_error(req, err, NULL, e.detail);
    req->json = v;
    *out = v;
    return CM_ERR_OK;
}

enum cm_err
body_parse(struct http_req *req, const struct jspec *spec)
{
    struct jspec_error e;
    json_t *v = NULL;
    enum cm_err err = body_json(req, &v);

    if (err != CM_ERR_OK)
        return err;
    err = jspec_parse(v, spec, &e);
    if (err != CM_ERR_OK)
        return reply_error(req, err, e.field[0] ? e.field : NULL, e.detail);
    return CM_ERR_OK;
}
