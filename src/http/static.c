/*
 * static.c: the web UI's files and the single-page app's fallback to
 * index.html (static.h).
 *
 * A path is walked one segment at a time with openat(O_NOFOLLOW) from
 * the root's descriptor, so neither "..", a dotfile nor a symbolic link
 * (pointing out of the root or not) can be reached, whatever the path
 * says; the check needs no realpath() and no race with renames. Files
 * are read whole per request: the UI is a handful of small files, and
 * the kernel's page cache keeps them.
 */
#include "http/static.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "http/reply.h"
#include "http/server.h"

/* Longest path served, in bytes. */
#define STATIC_PATH_MAX 1024u

/* Folder whose files have a content hash in their names (esbuild). */
#define STATIC_HASHED_DIR "assets/"

static const struct {
    const char *ext;
    const char *type;
    bool is_compressible;
} mime_types[] = {
    {".html", "text/html; charset=utf-8", true},
    {".js", "text/javascript; charset=utf-8", true},
    {".mjs", "text/javascript; charset=utf-8", true},
    {".css", "text/css; charset=utf-8", true},
    {".svg", "image/svg+xml", true},
    {".json", "application/json", true},
    {".map", "application/json", true},
    {".txt", "text/plain; charset=utf-8", true},
    {".png", "image/png", false},
    {".ico", "image/x-icon", false},
    {".woff2", "font/woff2", false},
};

static const char not_built_page[] =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>compel: web UI not built</title></head><body>"
    "<h1>The web UI was not built</h1>"
    "<p>The API works at <a href=\"/api/v1/openapi.json\">/api/v1/</a>. "
    "To get the web UI, run <code>make web</code> (or <code>make run</code>) "
    "and start <code>compel serve</code> with <code>--web-root</code> "
    "naming the built folder (default <code>web/dist</code>).</p>"
    "</body></html>\n";

/* One file found under the root. */
struct static_file {
    int fd;
    struct stat st;
    bool is_gzip;
};

/* True when `path` starts with the directory `dir` ("/api"): equal to it
 * or followed by a slash. */
static bool
is_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

bool
static_is_for(const char *method, const char *path)
{
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return false;
    if (path[0] != '/')
        return false;
    return !is_under(path, "/api") && !is_under(path, "/verify") &&
           strcmp(path, "/healthz") != 0 && strcmp(path, "/readyz") != 0;
}

/* True when every segment of `rel` (a path without its leading slash)
 * may be served: not empty, not starting with a dot, no backslash and no
 * control character. An empty `rel` is the root itself, allowed. */
static bool
is_safe_path(const char *rel)
{
    bool at_start = true;

    if (strlen(rel) > STATIC_PATH_MAX)
        return false;
    for (const char *p = rel; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;

        if (c < 0x20 || c == 0x7f || c == '\\')
            return false;
        if (at_start && (c == '.' || c == '/'))
            return false;
        at_start = c == '/';
    }
    return true;
}

/* The entry of mime_types for `name`, or -1. */
static int
mime_index(const char *name)
{
    const char *dot = strrchr(name, '.');

    if (!dot || strchr(dot, '/'))
        return -1;
    for (size_t i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++) {
        if (strcmp(dot, mime_types[i].ext) == 0)
            return (int)i;
    }
    return -1;
}

/* True when the last segment of `rel` has a dot: a file's name, which is
 * answered 404 when missing rather than with the app. */
static bool
has_file_name(const char *rel)
{
    const char *slash = strrchr(rel, '/');

    return strchr(slash ? slash + 1 : rel, '.') != NULL;
}

/* Open the regular file `rel` below the directory `root_fd`, following
 * no symbolic link. CM_ERR_OK with `*out` filled (its fd to close), or
 * CM_ERR_NOT_FOUND (missing, not a regular file, too large). */
static enum cm_err
open_below(int root_fd, const char *rel, struct static_file *out)
{
    struct buf seg = BUF_INIT;
    const char *p = rel;
    int dir = root_fd;
    int fd = -1;
    enum cm_err err = CM_ERR_NOT_FOUND;

    for (;;) {
        size_t n = strcspn(p, "/");
        bool is_last = p[n] == '\0';

        buf_reset(&seg);
        buf_add(&seg, p, n);
        fd = openat(dir, buf_str(&seg),
                    O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
                        (is_last ? 0 : O_DIRECTORY));
        if (dir != root_fd)
            (void)close(dir);
        dir = -1;
        if (fd < 0 || is_last)
            break;
        dir = fd;
        p += n + 1;
    }
    if (fd < 0)
        goto out_release;
    if (fstat(fd, &out->st) != 0 || !S_ISREG(out->st.st_mode) ||
        out->st.st_size > (off_t)STATIC_FILE_MAX) {
        (void)close(fd);
        goto out_release;
    }
    out->fd = fd;
    out->is_gzip = false;
    err = CM_ERR_OK;
out_release:
    buf_release(&seg);
    return err;
}

/* True when the request's Accept-Encoding lists gzip (not as q=0). */
static bool
is_gzip_accepted(const struct http_req *req)
{
    const char *ae = http_req_header(req, "Accept-Encoding");
    const char *at = ae ? strstr(ae, "gzip") : NULL;

    return at && strncmp(at + 4, ";q=0", 4) != 0;
}

/* The ETag of `f`: size and modification time, and whether gzip. */
static void
etag_of(const struct static_file *f, char *out, size_t n)
{
    (void)snprintf(out, n, "\"%jx-%jx.%lx%s\"", (uintmax_t)f->st.st_size,
                   (uintmax_t)f->st.st_mtim.tv_sec,
                   (unsigned long)f->st.st_mtim.tv_nsec,
                   f->is_gzip ? "-gz" : "");
}

/* True when If-None-Match lists `etag` (weak or strong) or is "*". */
static bool
is_etag_matched(const struct http_req *req, const char *etag)
{
    const char *inm = http_req_header(req, "If-None-Match");
    size_t len = strlen(etag);

    if (!inm)
        return false;
    for (const char *p = inm; *p != '\0';) {
        size_t n;

        while (*p == ' ' || *p == ',')
            p++;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        n = strcspn(p, ", ");
        if ((n == 1 && *p == '*') || (n == len && strncmp(p, etag, n) == 0))
            return true;
        p += n;
    }
    return false;
}

/* Read the whole of `f` into `out`. */
static enum cm_err
read_file(const struct static_file *f, struct buf *out)
{
    size_t size = (size_t)f->st.st_size;
    size_t got = 0;
    char *data;

    buf_grow(out, size + 1);
    data = out->data;
    while (got < size) {
        ssize_t r = pread(f->fd, data + got, size - got, (off_t)got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return CM_ERR_IO;
        got += (size_t)r;
    }
    out->len = got;
    data[got] = '\0';
    return CM_ERR_OK;
}

/* Answer `f`, whose name is `rel`, with its headers; 304 when the client
 * holds it already. */
static enum cm_err
answer_file(struct http_req *req, const char *rel, struct static_file *f)
{
    struct buf body = BUF_INIT;
    char etag[96];
    int mi = mime_index(rel);
    bool is_hashed =
        strncmp(rel, STATIC_HASHED_DIR, sizeof STATIC_HASHED_DIR - 1) == 0;
    enum cm_err err;

    etag_of(f, etag, sizeof etag);
    if (is_etag_matched(req, etag)) {
        err = reply_no_content(req, 304);
    } else {
        err = read_file(f, &body);
        if (err != CM_ERR_OK) {
            LOG_WARN("static: cannot read a file of the web root");
            err = reply_error(req, CM_ERR_IO, NULL, NULL);
            goto out_release;
        }
        err = reply_bytes(
            req, 200, mi < 0 ? "application/octet-stream" : mime_types[mi].type,
            body.data, body.len);
        if (err == CM_ERR_OK && f->is_gzip)
            err = reply_add_header(req, "Content-Encoding", "gzip");
    }
    if (err == CM_ERR_OK)
        err = reply_add_header(req, "ETag", etag);
    if (err == CM_ERR_OK)
        err = reply_add_header(req, "Cache-Control",
                               is_hashed ? "public, max-age=31536000, immutable"
                                         : "no-cache");
    if (err == CM_ERR_OK && mi >= 0 && mime_types[mi].is_compressible)
        err = reply_add_header(req, "Vary", "Accept-Encoding");
out_release:
    buf_release(&body);
    return err;
}

/* Open `rel` below `root_fd`, its `.gz` sibling instead when the client
 * takes gzip and the type is worth compressing. */
static enum cm_err
open_variant(const struct http_req *req,
             int root_fd,
             const char *rel,
             struct static_file *out)
{
    int mi = mime_index(rel);

    if (mi >= 0 && mime_types[mi].is_compressible && is_gzip_accepted(req)) {
        struct buf gz = BUF_INIT;
        enum cm_err err;

        buf_addf(&gz, "%s.gz", rel);
        err = open_below(root_fd, buf_str(&gz), out);
        buf_release(&gz);
        if (err == CM_ERR_OK) {
            out->is_gzip = true;
            return CM_ERR_OK;
        }
    }
    return open_below(root_fd, rel, out);
}

enum cm_err
static_serve(struct http_req *req, const char *root)
{
    const char *rel = req->path + 1;
    struct static_file f;
    int root_fd = -1;
    enum cm_err err;

    if (!is_safe_path(rel))
        return reply_error(req, CM_ERR_NOT_FOUND, NULL, NULL);
    if (root && *root)
        root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) {
        if (has_file_name(rel))
            return reply_error(req, CM_ERR_NOT_FOUND, NULL, NULL);
        return reply_bytes(req, 503, "text/html; charset=utf-8", not_built_page,
                           sizeof not_built_page - 1);
    }
    memset(&f, 0, sizeof f);
    err = CM_ERR_NOT_FOUND;
    if (*rel != '\0' && rel[strlen(rel) - 1] != '/')
        err = open_variant(req, root_fd, rel, &f);
    if (err == CM_ERR_OK) {
        err = answer_file(req, rel, &f);
        goto out_close;
    }
    if (has_file_name(rel)) {
        err = reply_error(req, CM_ERR_NOT_FOUND, NULL, NULL);
        goto out_close_root;
    }
    /* A route of the app: its shell, whatever the path. */
    rel = "index.html";
    err = open_variant(req, root_fd, rel, &f);
    if (err != CM_ERR_OK) {
        err = reply_bytes(req, 503, "text/html; charset=utf-8", not_built_page,
                          sizeof not_built_page - 1);
        goto out_close_root;
    }
    err = answer_file(req, rel, &f);
out_close:
    (void)close(f.fd);
out_close_root:
    (void)close(root_fd);
    return err;
}
