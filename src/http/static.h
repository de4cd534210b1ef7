/*
 * static.h: the web UI's files, served at `/` from the folder `web_root`
 * (docs/web.md).
 *
 * The server hands a request here when no API route matches it and
 * static_is_for() says the path belongs to the UI: a GET or HEAD outside
 * /api/, /verify/, /healthz and /readyz. A path naming a file under the
 * root answers that file; any other path whose last segment has no dot
 * answers index.html, so the single-page app's deep links
 * (/subpoenas/<id>) load the app, which then routes in the browser.
 *
 * Only regular files under the root are served: no segment may start
 * with a dot (no "..", no dotfiles), be empty or hold a backslash or a
 * control character, and no symbolic link is followed below the root.
 * Files carry their Content-Type by extension, an ETag (If-None-Match
 * answers 304), `Cache-Control: no-cache` except under assets/, whose
 * names carry a content hash (`public, max-age=31536000, immutable`),
 * and, when the client accepts gzip and a `<file>.gz` sibling exists,
 * that sibling with `Content-Encoding: gzip`. Answers go through reply.h
 * like every other, with its security headers (a strict CSP: the UI has
 * no inline script or style). When the root is missing or has no
 * index.html the UI paths answer 503 with a short page saying to run
 * `make web`; the API is unaffected.
 */
#ifndef CM_HTTP_STATIC_H
#define CM_HTTP_STATIC_H

#include <stdbool.h>

#include "core/errors.h"

struct http_req;

/* Largest file served, in bytes; a larger one answers 404. */
#define STATIC_FILE_MAX (16u * 1024u * 1024u)

/* True when a request of `method` for `path` (decoded, no query) that no
 * route matched is the web UI's to answer: GET or HEAD, and the path is
 * not under /api/ or /verify/ and is not /healthz or /readyz. */
bool static_is_for(const char *method, const char *path);

/* Answer `req` (whose path static_is_for accepted) from the folder
 * `root` (NULL or "" is a UI that was not built), as the top of this
 * header says: 200 with the file or index.html, 304, 404 problem for an
 * unsafe path or a missing file whose name has a dot, 503 page when the
 * UI is not built. Returns CM_ERR_OK once the reply is set. */
enum cm_err static_serve(struct http_req *req, const char *root);

#endif
