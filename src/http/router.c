/*
 * router.c: the application's route table and path matching (router.h).
 *
 * Matching walks the table in order, segment by segment; there are few
 * routes, so a linear scan is both simplest and fast enough. A parameter
 * value is copied out of the path so the match owns its strings.
 */
#include "http/router.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "core/alloc.h"

/* The route groups, one per resource file (h_<resource>.c), in the order
 * they are matched. A new resource adds one line here. */
/* clang-format off */
static const struct route_group *const groups[] = {
    &h_health_group,
    &h_session_group,
    &h_me_group,
    &h_tokens_group,
    &h_users_group,
    &h_enforcements_group,
    &h_queue_group,
    &h_audit_group,
    &h_openapi_group,
    &h_orgs_group,
    &h_delegations_group,
    &h_calendars_group,
    &h_deadline_group,
    &h_people_group,
    &h_disclosures_group,
    &h_detainers_group,
    &h_documents_group,
    &h_reports_group,
    &h_subpoenas_group,
    &h_subpoena_document_group,
    &h_verify_group,
    &h_webhooks_group,
    &h_feeds_group,
    &h_imports_group,
    &h_holds_group,
};
/* clang-format on */

static struct route *routes;
static size_t n_routes;
static pthread_once_t routes_once = PTHREAD_ONCE_INIT;

/* Concatenate the groups into one table, once. */
static void
routes_build(void)
{
    size_t n = 0;
    size_t at = 0;

    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        n += groups[i]->n;
    routes = cm_calloc(n, sizeof *routes);
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        memcpy(routes + at, groups[i]->rows, groups[i]->n * sizeof *routes);
        at += groups[i]->n;
    }
    n_routes = n;
}

const struct route *
router_routes(size_t *n)
{
    (void)pthread_once(&routes_once, routes_build);
    *n = n_routes;
    return routes;
}

/* Match `path` against `pattern`; on success fill `m`'s parameters. */
static bool
match_path(const char *pattern, const char *path, struct route_match *m)
{
    const char *p = pattern;
    const char *s = path;
    /* Most patterns differ from the path within their literal start: a
     * comparison of that part turns them down before any splitting. */
    size_t lit = strcspn(pattern, "{");

    m->n_params = 0;
    if (strncmp(pattern, path, lit) != 0)
        return false;
    while (*p != '\0' && *s != '\0') {
        const char *pe = strchr(p, '/');
        const char *se = strchr(s, '/');
        size_t plen, slen;

        /* Each side is at a '/' or at the start of a segment. */
        if (*p == '/' || *s == '/') {
            if (*p != *s)
                return false;
            p++;
            s++;
            continue;
        }
        pe = pe ? pe : p + strlen(p);
        se = se ? se : s + strlen(s);
        plen = (size_t)(pe - p);
        slen = (size_t)(se - s);
        if (plen >= 2 && p[0] == '{' && p[plen - 1] == '}') {
            struct route_param *rp;

            if (slen > ROUTER_PARAM_MAX || m->n_params == ROUTER_MAX_PARAMS)
                return false;
            rp = &m->params[m->n_params++];
            rp->name = p + 1;
            rp->name_len = plen - 2;
            memcpy(rp->value, s, slen);
            rp->value[slen] = '\0';
        } else if (plen != slen || memcmp(p, s, plen) != 0) {
            return false;
        }
        p = pe;
        s = se;
    }
    return *p == '\0' && *s == '\0';
}

/* True when a route of `method` serves a request of `method`. */
static bool
is_same_method(const char *route_method, const char *method)
{
    return strcmp(route_method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

enum cm_err
router_match(const struct route *table,
             size_t n,
             const char *method,
             const char *path,
             struct route_match *out)
{
    struct route_match m;
    bool path_known = false;

    for (size_t i = 0; i < n; i++) {
        if (!match_path(table[i].pattern, path, &m))
            continue;
        path_known = true;
        if (is_same_method(table[i].method, method)) {
            m.route = &table[i];
            *out = m;
            return CM_ERR_OK;
        }
    }
    return path_known ? CM_ERR_METHOD_NOT_ALLOWED : CM_ERR_NOT_FOUND;
}

void
router_allow(const struct route *table,
             size_t n,
             const char *path,
             struct buf *out)
{
    struct route_match m;
    bool first = true;

    for (size_t i = 0; i < n; i++) {
        if (!match_path(table[i].pattern, path, &m))
            continue;
        buf_addf(out, "%s%s", first ? "" : ", ", table[i].method);
        if (strcmp(table[i].method, "GET") == 0)
            buf_adds(out, ", HEAD");
        first = false;
    }
}

const char *
router_param(const struct route_match *m, const char *name)
{
    size_t len = strlen(name);

    for (size_t i = 0; i < m->n_params; i++) {
        if (m->params[i].name_len == len &&
            memcmp(m->params[i].name, name, len) == 0)
            return m->params[i].value;
    }
    return NULL;
}
