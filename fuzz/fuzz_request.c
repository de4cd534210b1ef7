/*
 * fuzz_request.c: what compel itself parses of a request besides its path
 * and body: the query parameters of the list and lookup routes, and the
 * headers Authorization (bearer token), Cookie (session cookie), X-CSRF-
 * Token, If-Match, Idempotency-Key and Accept.
 *
 * The input is a request in text:
 *
 *   GET /api/v1/subpoenas?state=open&limit=5      method, path, query
 *   Authorization: Bearer ...                      headers, one a line
 *   If-Match: "3"
 *                                                  empty line, then body
 *   {"a":1}
 *
 * The path and the query are percent-decoded as libmicrohttpd does, and
 * libmicrohttpd's value lookups (MHD_lookup_connection_value,
 * MHD_get_connection_values) are replaced by this file's, which answer
 * from the input: the executable's definitions take precedence over the
 * shared library's, so the real http_req_header / http_req_query of
 * server.c and everything that calls them run unchanged, without a
 * socket. Against a real application (app_init) on a SQLite database in
 * a temporary folder, with one organization and one user, each input
 * runs:
 *
 *  - app_authenticate (bearer token or session cookie, CSRF token; no
 *    token exists, so a well-formed one reaches the store and gets 401);
 *  - app_if_match, app_page_params (limit, cursor);
 *  - app_idem_begin as that user (key checks, the request fingerprint over
 *    method, path, every query argument, two headers and the body; the
 *    key is looked up inside the creating transaction, not here);
 *  - when the path matches a GET route of the list below, its handler as
 *    that user with every role: the route's own query parameters (state,
 *    dates, numbers, ids, days/hours/tz/direction, year, feed token,
 *    Accept ...), then its store transaction.
 *
 * Every step must answer: a reply is set whenever it returns an error.
 * Handlers that park the request (their audit record is written by the
 * writer thread: the documents and delegations lists) need the server's
 * loop and are not on the list.
 */
#define _GNU_SOURCE
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#include "auth/keyfile.h"
#include "auth/password.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/rand.h"
#include "domain/role.h"
#include "http/app.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAIRS 32

struct pair {
    char *name;
    char *value; /* NULL for an argument without '=' */
};

/* The request being run: what the replaced lookups answer from. */
static struct {
    struct pair headers[MAX_PAIRS];
    size_t n_headers;
    struct pair args[MAX_PAIRS];
    size_t n_args;
} cur;

const char *
MHD_lookup_connection_value(struct MHD_Connection *connection,
                            enum MHD_ValueKind kind,
                            const char *key)
{
    (void)connection;
    if (kind == MHD_HEADER_KIND) {
        for (size_t i = 0; i < cur.n_headers; i++)
            if (strcasecmp(cur.headers[i].name, key) == 0)
                return cur.headers[i].value;
    } else if (kind == MHD_GET_ARGUMENT_KIND) {
        for (size_t i = 0; i < cur.n_args; i++)
            if (strcmp(cur.args[i].name, key) == 0)
                return cur.args[i].value;
    }
    return NULL;
}

int
MHD_get_connection_values(struct MHD_Connection *connection,
                          enum MHD_ValueKind kind,
                          MHD_KeyValueIterator iterator,
                          void *iterator_cls)
{
    const struct pair *p = kind == MHD_GET_ARGUMENT_KIND ? cur.args
                           : kind == MHD_HEADER_KIND     ? cur.headers
                                                         : NULL;
    size_t n = kind == MHD_GET_ARGUMENT_KIND ? cur.n_args
               : kind == MHD_HEADER_KIND     ? cur.n_headers
                                             : 0;
    int done = 0;

    (void)connection;
    for (size_t i = 0; i < n; i++) {
        done++;
        if (iterator &&
            iterator(iterator_cls, kind, p[i].name, p[i].value) != MHD_YES)
            break;
    }
    return done;
}

void
MHD_suspend_connection(struct MHD_Connection *connection)
{
    (void)connection;
    /* Only a handler that parks gets here: it does not belong on the
     * list below (this target has no server loop to resume it). */
    (void)fprintf(stderr, "fuzz_request: a handler parked the request\n");
    abort();
}

/* GET routes whose handlers run here: those with query parameters. */
static const char *const handled[] = {
    "/api/v1/subpoenas",    "/api/v1/detainers",
    "/api/v1/enforcements", "/api/v1/people",
    "/api/v1/jobs",         "/api/v1/audit",
    "/api/v1/deadline",     "/api/v1/calendars/{id}",
    "/api/v1/calendar.ics", "/api/v1/orgs",
    "/api/v1/users",        "/api/v1/reports/jurisdictions",
};

static struct app app;
static char dir[64];
static char user_id[STORE_ID_SIZE];
static char org_id[STORE_ID_SIZE];

struct seed_tx {
    struct store_org org;
    struct store_user user;
};

static enum store_rc
seed_world(struct store *s, void *ctx)
{
    struct seed_tx *t = ctx;
    enum store_rc rc = store_org_insert(s, &t->org);

    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    rc = store_user_insert(s, &t->user);
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

static void
remove_dir(void)
{
    static const char *const names[] = {"compel.db", "compel.db-wal",
                                        "compel.db-shm", "compel.key"};
    char path[128];

    app_release(&app);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        (void)snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        (void)unlink(path);
    }
    (void)rmdir(dir);
}

/* The application, once: a new database with one organization and one
 * user, its key file, app_init. Aborts when any step fails. */
static void
setup(void)
{
    const char *tmp = getenv("TMPDIR");
    char url[128], key[128];
    struct seed_tx t;
    struct store *s = NULL;
    struct buf why = BUF_INIT;
    const char *reason = NULL;
    struct timeval tv;
    int64_t now;
    int applied = 0;

    log_set_level(LOG_LEVEL_OFF);
    (void)snprintf(dir, sizeof dir, "%s/fuzz_request-XXXXXX",
                   tmp && *tmp && strlen(tmp) < 32 ? tmp : "/tmp");
    if (password_lib_init() != CM_ERR_OK || !mkdtemp(dir))
        abort();
    (void)snprintf(url, sizeof url, "sqlite:%s/compel.db", dir);
    (void)snprintf(key, sizeof key, "%s/compel.key", dir);
    (void)gettimeofday(&tv, NULL);
    now = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
    memset(&t, 0, sizeof t);
    cm_id_new(t.org.id);
    t.org.created_at = t.org.updated_at = now;
    t.org.kind = (char *)"agency_office";
    t.org.name = (char *)"Fuzz Field Office";
    t.org.timezone = (char *)"America/New_York";
    cm_id_new(t.user.id);
    t.user.created_at = t.user.updated_at = now;
    t.user.email = (char *)"fuzz@example.org";
    t.user.name = (char *)"Fuzz";
    memcpy(t.user.org_id, t.org.id, sizeof t.user.org_id);
    t.user.roles = ROLE_ANY;
    t.user.password_hash = (char *)"!";
    if (keyfile_create(key) != CM_ERR_OK ||
        store_open(url, STORE_OPEN_MODE_CREATE, &s, &reason) != CM_ERR_OK ||
        store_migrate(s, now, &applied) != STORE_ONE_RESULT ||
        store_tx_run(s, "fuzz_seed", seed_world, &t) < 0) {
        (void)fprintf(stderr, "fuzz_request: cannot create %s: %s\n", url,
                      reason ? reason : "store");
        abort();
    }
    store_close(s);
    if (app_init(&app, url, key, &why) != CM_ERR_OK) {
        (void)fprintf(stderr, "fuzz_request: app_init: %s\n", buf_str(&why));
        abort();
    }
    memcpy(user_id, t.user.id, sizeof user_id);
    memcpy(org_id, t.org.id, sizeof org_id);
    (void)atexit(remove_dir);
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A NUL-terminated copy of `n` bytes at `s`, %XX decoded when `decode`,
 * cut at the first NUL (values reach compel as C strings). */
static char *
copy(const char *s, size_t n, bool decode)
{
    char *out = cm_malloc(n + 1);
    size_t j = 0;

    for (size_t i = 0; i < n; i++) {
        int hi, lo;

        if (decode && s[i] == '%' && i + 2 < n &&
            (hi = hex_value(s[i + 1])) >= 0 &&
            (lo = hex_value(s[i + 2])) >= 0) {
            out[j++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    return out;
}

/* Split the query `q` (`n` bytes) into cur.args. */
static void
parse_query(const char *q, size_t n)
{
    const char *end = q + n;

    while (q < end && cur.n_args < MAX_PAIRS) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(q, '=', (size_t)(stop - q));
        struct pair *p = &cur.args[cur.n_args];

        if (stop > q) {
            p->name = copy(q, (size_t)((eq ? eq : stop) - q), true);
            p->value = eq ? copy(eq + 1, (size_t)(stop - eq - 1), true) : NULL;
            cur.n_args++;
        }
        q = amp ? amp + 1 : end;
    }
}

static void
release_pairs(void)
{
    for (size_t i = 0; i < cur.n_headers; i++) {
        cm_free(cur.headers[i].name);
        cm_free(cur.headers[i].value);
    }
    for (size_t i = 0; i < cur.n_args; i++) {
        cm_free(cur.args[i].name);
        cm_free(cur.args[i].value);
    }
    memset(&cur, 0, sizeof cur);
}

/* The next line of [*p, end) without its "\r\n" or "\n"; advances *p. */
static size_t
next_line(const char **p, const char *end, const char **line)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl : end;
    size_t n = (size_t)(stop - *p);

    *line = *p;
    if (n > 0 && (*p)[n - 1] == '\r')
        n--;
    *p = nl ? nl + 1 : end;
    return n;
}

/* After a step: an error always comes with its reply; then clear it. */
static void
settle(struct http_req *req, enum cm_err err)
{
    if (err != CM_ERR_OK && !req->reply.is_set)
        abort();
    reply_release(req);
    memset(&req->reply, 0, sizeof req->reply);
}

static bool
is_handled(const struct route *r)
{
    if (strcmp(r->method, "GET") != 0)
        return false;
    for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
        if (strcmp(r->pattern, handled[i]) == 0)
            return true;
    return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE",
                                          "HEAD"};
    const char *p = (const char *)data;
    const char *end = p + size;
    const char *line;
    const char *sp;
    const char *qm;
    const struct route *table;
    struct http_req req;
    struct app_idem idem;
    struct app_tx idem_tx = {0};
    const char *method = "GET";
    const char *cursor;
    size_t n, n_routes;
    int64_t version;
    int limit;

    if (!ready) {
        setup();
        ready = 1;
    }
    if (size > 8192)
        return 0;
    memset(&req, 0, sizeof req);
    /* The request line: "METHOD TARGET" (a known method) or a target. */
    n = next_line(&p, end, &line);
    sp = memchr(line, ' ', n);
    if (sp) {
        for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
            if ((size_t)(sp - line) == strlen(methods[i]) &&
                memcmp(line, methods[i], strlen(methods[i])) == 0)
                method = methods[i];
        n -= (size_t)(sp + 1 - line);
        line = sp + 1;
    }
    qm = memchr(line, '?', n);
    req.path = copy(line, qm ? (size_t)(qm - line) : n, true);
    if (qm)
        parse_query(qm + 1, n - (size_t)(qm + 1 - line));
    /* Headers up to an empty line; the rest is the body. */
    while (p < end && cur.n_headers < MAX_PAIRS) {
        const char *colon;

        n = next_line(&p, end, &line);
        if (n == 0)
            break;
        colon = memchr(line, ':', n);
        if (!colon)
            continue;
        sp = colon + 1;
        while (sp < line + n && *sp == ' ')
            sp++;
        cur.headers[cur.n_headers].name =
            copy(line, (size_t)(colon - line), false);
        cur.headers[cur.n_headers].value =
            copy(sp, (size_t)(line + n - sp), false);
        cur.n_headers++;
    }
    buf_add(&req.body, p, (size_t)(end - p));

    req.conn = (struct MHD_Connection *)&cur; /* never dereferenced */
    req.app = &app.http;
    req.method = method;
    (void)snprintf(req.id, sizeof req.id, "fuzz");
    table = router_routes(&n_routes);
    req.route_err = router_match(table, n_routes, method, req.path, &req.match);

    settle(&req, app_authenticate(&req));
    memset(&req.caller, 0, sizeof req.caller);
    req.roles = 0;
    settle(&req, app_if_match(&req, &version));
    if (app_page_params(&req, &limit, &cursor) == CM_ERR_OK &&
        (limit < 1 || limit > 500))
        abort();
    settle(&req, CM_ERR_OK);

    /* The rest as the seeded user, with every role. */
    req.caller.is_authenticated = true;
    req.caller.via_token = true;
    memcpy(req.caller.user_id, user_id, sizeof req.caller.user_id);
    memcpy(req.caller.org_id, org_id, sizeof req.caller.org_id);
    req.caller.org_kind = (int)ORG_KIND_AGENCY_OFFICE;
    req.roles = ROLE_ANY;
    if (!app_idem_begin(&req, &idem_tx, &idem))
        settle(&req, CM_ERR_OK);
    else
        settle(&req,
               req.reply.is_set ? CM_ERR_VALIDATION_FAILED : CM_ERR_INTERNAL);
    /* A handler may return an error without replying (the server then
     * answers it), so only its reply is released. */
    if (req.route_err == CM_ERR_OK && is_handled(req.match.route)) {
        (void)req.match.route->handler(&req);
        settle(&req, CM_ERR_OK);
    }

    json_decref(req.json);
    buf_release(&req.body);
    cm_free(req.path);
    release_pairs();
    return 0;
}
