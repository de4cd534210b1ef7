/*
 * reply.c: the reply slot of a request and the one place a libmicrohttpd
 * response is built and queued (reply.h).
 */
#include "http/reply.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/log.h"
#include "http/jsonout.h"
#include "http/server.h"

/* Headers on every answer. The API serves JSON only, so the strictest
 * policy costs nothing; the web UI's static files may relax the CSP in
 * their own handler later. */
static const struct {
    const char *name;
    const char *value;
} security_headers[] = {
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
    {"Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"},
};

static const char mime_json[] = "application/json";
static const char mime_problem[] = "application/problem+json";

static void
clear_slot(struct http_reply *r)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        cm_free(r->headers[i].name);
        cm_free(r->headers[i].value);
    }
    cm_free(r->body);
    memset(r, 0, sizeof *r);
}

void
reply_release(struct http_req *req)
{
    if (req)
        clear_slot(&req->reply);
}

enum cm_err
reply_json(struct http_req *req, unsigned status, json_t *body)
{
    struct buf text = BUF_INIT;
    bool ok;

    if (!body || req->reply.is_set || req->is_queued) {
        json_decref(body);
        LOG_ERROR("reply_json: no body or a second reply");
        return CM_ERR_INTERNAL;
    }
    ok = jsonout_add(&text, body);
    json_decref(body);
    if (!ok) {
        buf_release(&text);
        LOG_ERROR("reply_json: cannot serialize the body");
        return CM_ERR_INTERNAL;
    }
    req->reply.is_set = true;
    req->reply.status = status;
    req->reply.content_type = mime_json;
    req->reply.body = buf_detach(&text, &req->reply.body_len);
    return CM_ERR_OK;
}

enum cm_err
reply_json_text(struct http_req *req, unsigned status, struct buf *text)
{
    if (req->reply.is_set || req->is_queued) {
        buf_release(text);
        LOG_ERROR("reply_json_text: a second reply");
        return CM_ERR_INTERNAL;
    }
    req->reply.is_set = true;
    req->reply.status = status;
    req->reply.content_type = mime_json;
    req->reply.body = buf_detach(text, &req->reply.body_len);
    return CM_ERR_OK;
}

enum cm_err
reply_raw_json(struct http_req *req,
               unsigned status,
               const char *text,
               size_t len)
{
    if (!text || req->reply.is_set || req->is_queued) {
        LOG_ERROR("reply_raw_json: no text or a second reply");
        return CM_ERR_INTERNAL;
    }
    req->reply.is_set = true;
    req->reply.status = status;
    req->reply.content_type = mime_json;
    req->reply.body = cm_malloc(len + 1);
    memcpy(req->reply.body, text, len);
    req->reply.body[len] = '\0';
    req->reply.body_len = len;
    return CM_ERR_OK;
}

enum cm_err
reply_bytes(struct http_req *req,
            unsigned status,
            const char *content_type,
            const void *data,
            size_t len)
{
    if ((!data && len) || req->reply.is_set || req->is_queued) {
        LOG_ERROR("reply_bytes: no data or a second reply");
        return CM_ERR_INTERNAL;
    }
    /* The type goes out as an extra header (copied), so it may be any
     * string; the slot's content_type stays for static types. */
    if (reply_add_header(req, "Content-Type", content_type) != CM_ERR_OK)
        return CM_ERR_INTERNAL;
    req->reply.is_set = true;
    req->reply.status = status;
    req->reply.content_type = NULL;
    req->reply.body = cm_malloc(len + 1);
    if (len)
        memcpy(req->reply.body, data, len);
    req->reply.body[len] = '\0';
    req->reply.body_len = len;
    return CM_ERR_OK;
}

/* The problem object of `err`; never NULL. */
static json_t *
problem_new(enum cm_err err, const char *field, const char *detail)
{
    struct buf type = BUF_INIT;
    json_t *o;
    int status = cm_err_status(err);

    if (err == CM_ERR_OK || status < 400 || status > 599) {
        err = CM_ERR_INTERNAL;
        status = cm_err_status(err);
    }
    buf_addf(&type, "%s%s", REPLY_ERROR_TYPE_BASE, cm_err_code(err));
    o = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", buf_str(&type), "title",
                  cm_err_hint(err), "status", status, "code", cm_err_code(err),
                  "detail", detail ? detail : cm_err_hint(err));
    buf_release(&type);
    if (!o)
        abort(); /* json_pack fails only on out-of-memory or bad UTF-8 */
    if (field)
        json_object_set_new(o, "field", json_string(field));
    return o;
}

char *
reply_problem_text(enum cm_err err, const char *field, const char *detail)
{
    json_t *o = problem_new(err, field, detail);
    struct buf text = BUF_INIT;

    if (!jsonout_add(&text, o))
        abort(); /* a problem is a flat object of strings and a number */
    json_decref(o);
    return buf_detach(&text, NULL);
}

enum cm_err
reply_error(struct http_req *req,
            enum cm_err err,
            const char *field,
            const char *detail)
{
    char *text;
    int status;

    if (req->is_queued)
        return err;
    clear_slot(&req->reply);
    text = reply_problem_text(err, field, detail);
    status = cm_err_status(err);
    req->reply.is_set = true;
    req->reply.status =
        (status < 400 || status > 599) ? 500u : (unsigned)status;
    req->reply.content_type = mime_problem;
    req->reply.body = text;
    req->reply.body_len = strlen(text);
    return err;
}

enum cm_err
reply_no_content(struct http_req *req, unsigned status)
{
    if (req->reply.is_set || req->is_queued)
        return CM_ERR_INTERNAL;
    req->reply.is_set = true;
    req->reply.status = status;
    req->reply.content_type = NULL;
    return CM_ERR_OK;
}

enum cm_err
reply_add_header(struct http_req *req, const char *name, const char *value)
{
    struct http_reply *r = &req->reply;

    if (r->n_headers == HTTP_MAX_HEADERS || strpbrk(name, "\r\n:") ||
        strpbrk(value, "\r\n")) {
        LOG_ERROR("reply_add_header: too many headers or a bad one");
        return CM_ERR_INTERNAL;
    }
    r->headers[r->n_headers].name = cm_strdup(name);
    r->headers[r->n_headers].value = cm_strdup(value);
    r->n_headers++;
    return CM_ERR_OK;
}

static bool
has_header(const struct http_reply *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        if (strcasecmp(r->headers[i].name, name) == 0)
            return true;
    }
    return false;
}

bool
reply_queue(struct http_req *req)
{
    struct http_reply *r = &req->reply;
    struct MHD_Response *resp;
    bool ok = true;

    if (req->is_queued)
        return true;
    if (!r->is_set) {
        LOG_ERROR("a handler returned without a reply");
        (void)reply_error(req, CM_ERR_INTERNAL, NULL, NULL);
    }
    if (r->body)
        resp = MHD_create_response_from_buffer_with_free_callback(
            r->body_len, r->body, cm_free);
    else
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return false;
    r->body = NULL; /* the response owns it now */
    for (size_t i = 0; i < sizeof security_headers / sizeof *security_headers;
         i++)
        ok =
            ok && MHD_add_response_header(resp, security_headers[i].name,
                                          security_headers[i].value) == MHD_YES;
    ok =
        ok && MHD_add_response_header(resp, "X-Request-Id", req->id) == MHD_YES;
    if (!has_header(r, "Cache-Control"))
        ok = ok && MHD_add_response_header(resp, "Cache-Control", "no-store") ==
                       MHD_YES;
    if (r->content_type)
        ok = ok && MHD_add_response_header(resp, "Content-Type",
                                           r->content_type) == MHD_YES;
    for (size_t i = 0; i < r->n_headers; i++)
        ok = ok && MHD_add_response_header(resp, r->headers[i].name,
                                           r->headers[i].value) == MHD_YES;
    /* An answer without its security headers is not sent at all. */
    if (ok)
        ok = MHD_queue_response(req->conn, r->status, resp) == MHD_YES;
    MHD_destroy_response(resp);
    req->is_queued = ok;
    return ok;
}
