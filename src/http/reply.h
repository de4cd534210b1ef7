/*
 * reply.h: the ONE way a request is answered.
 *
 * Handlers fill the request's reply slot through reply_json, reply_error
 * or reply_no_content (plus reply_add_header for Allow, ETag, Location);
 * the server then calls reply_queue, which is the only place a
 * libmicrohttpd response is built. Every answer, errors included, carries
 * the security headers, `Cache-Control: no-store` (unless the handler set
 * its own) and `X-Request-Id`.
 *
 * Errors are RFC 9457 problem+json:
 *   {"type": "https://compel.invalid/errors/<code>", "title": "...",
 *    "status": 400, "code": "<code>", "detail": "...", "field": "..."}
 * built only from core/errors.def and the caller's field and detail, so
 * no SQL, path, stack trace or version can leak into a body.
 */
#ifndef CM_HTTP_REPLY_H
#define CM_HTTP_REPLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/errors.h"

struct http_req;

/* The prefix of a problem's "type" URI; the code follows it. */
#define REPLY_ERROR_TYPE_BASE "https://compel.invalid/errors/"

/* Answer `status` with `body` as application/json. Steals the reference
 * to `body` (a NULL `body` is an internal error). Returns CM_ERR_OK, or
 * CM_ERR_INTERNAL when the request already has a reply. */
enum cm_err reply_json(struct http_req *req, unsigned status, json_t *body);

/* Answer `status` with the JSON text in `text`, taking its bytes (`text`
 * is left empty; a handler that writes its answer without jansson).
 * Returns CM_ERR_OK, or CM_ERR_INTERNAL when the request already has a
 * reply (the text is then released). */
enum cm_err
reply_json_text(struct http_req *req, unsigned status, struct buf *text);

/* Answer `status` with `text`, `len` bytes of JSON already serialized
 * (a document embedded in the binary, say), as application/json. The
 * text is copied and not checked: it must be valid JSON. Returns
 * CM_ERR_OK, or CM_ERR_INTERNAL when the request already has a reply. */
enum cm_err reply_raw_json(struct http_req *req,
                           unsigned status,
                           const char *text,
                           size_t len);

/* Answer `status` with `len` bytes of `data` (copied; NULL only when
 * `len` is 0) as `content_type` (copied; e.g. "application/pdf" or
 * "text/html; charset=utf-8"). Returns CM_ERR_OK, or CM_ERR_INTERNAL when
 * the request already has a reply or the type has CR/LF. */
enum cm_err reply_bytes(struct http_req *req,
                        unsigned status,
                        const char *content_type,
                        const void *data,
                        size_t len);

/* Answer the problem `err` (its status from errors.def). `field` names
 * the offending request field ("items[2].category") or is NULL; `detail`
 * says what to fix or is NULL (the hint of `err` then). Returns `err`, so
 * a handler can `return reply_error(req, err, field, NULL);`. Replaces a
 * reply the handler had set, but never one already queued. */
enum cm_err reply_error(struct http_req *req,
                        enum cm_err err,
                        const char *field,
                        const char *detail);

/* Answer `status` (204, 304, ...) with no body. Returns CM_ERR_OK. */
enum cm_err reply_no_content(struct http_req *req, unsigned status);

/* Add a header to the reply (copied). At most HTTP_MAX_HEADERS; past that
 * or for a name or value with CR/LF returns CM_ERR_INTERNAL. */
enum cm_err
reply_add_header(struct http_req *req, const char *name, const char *value);

/* Build the response from the reply slot and queue it on the request's
 * connection; a request without a reply gets 500. Called by the server
 * only. Returns true when libmicrohttpd accepted the response. */
bool reply_queue(struct http_req *req);

/* Free the reply slot of `req` (headers and body). */
void reply_release(struct http_req *req);

/* The body a problem reply carries, as compact JSON text (no headers).
 * Caller frees with cm_free. For tests and logs. */
char *
reply_problem_text(enum cm_err err, const char *field, const char *detail);

#endif
