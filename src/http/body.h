/*
 * body.h: the request body, accumulated up to the route's limit, and its
 * JSON parse.
 *
 * The server checks a declared Content-Length before reading anything and
 * counts the bytes of a chunked upload as they arrive, so no route ever
 * holds more than its limit in memory (413 payload_too_large). A JSON
 * route given a body of another Content-Type answers 415. Handlers get the
 * parsed body with body_json or, more often, body_parse with a jspec list.
 */
#ifndef CM_HTTP_BODY_H
#define CM_HTTP_BODY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/errors.h"
#include "http/jspec.h"

struct http_req;

/* CM_ERR_PAYLOAD_TOO_LARGE when the Content-Length header value
 * `content_length` (NULL when absent) declares more than `limit` bytes. */
enum cm_err body_check_length(const char *content_length, size_t limit);

/* Append `n` bytes of `data` to `body` unless the total would pass
 * `limit`: CM_ERR_PAYLOAD_TOO_LARGE then, and nothing is appended. */
enum cm_err
body_append(struct buf *body, size_t limit, const char *data, size_t n);

/* True when the Content-Type value `content_type` is application/json,
 * optionally with parameters such as "; charset=utf-8". */
bool body_is_json_type(const char *content_type);

/* For a route flagged ROUTE_FLAG_JSON: CM_ERR_UNSUPPORTED_MEDIA when the
 * request has a body that is not declared application/json. */
enum cm_err body_check_type(const struct http_req *req);

/* The body parsed as JSON (jspec_load), parsed once and kept in
 * req->json; `*out` is borrowed from the request. On failure replies the
 * problem (malformed_json, naming what is wrong) and returns its code. */
enum cm_err body_json(struct http_req *req, json_t **out);

/* Parse the body as a JSON object into the outputs of `spec`
 * (jspec_parse). On failure replies the problem naming the field and
 * returns its code, so a handler can just return it. String outputs are
 * borrowed from the request and live until it completes. */
enum cm_err body_parse(struct http_req *req, const struct jspec *spec);

#endif
