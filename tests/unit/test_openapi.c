/*
 * test_openapi.c: the OpenAPI document embedded in the binary
 * (src/http/openapi/openapi.json) against the route table it describes.
 *
 * What a client relies on: the document is OpenAPI 3.1; every route the
 * server answers (router_routes, HEAD aside: it follows GET) is documented
 * under the same path template and method; every documented operation not
 * marked "x-compel-planned" is served; every operation has a unique
 * operationId; every {param} of a path is declared as a path parameter;
 * a public route (roles 0) is documented with `security: []` and a route
 * that needs a login is not; every operation's "x-compel-roles" names
 * exactly the roles of its route (none for a public route), and a planned
 * operation (the next issue's documents, PDF and reports) is marked
 * "x-compel-planned" and is not served. Last, the route itself answers
 * the document.
 *
 * Mismatches are all printed before the test fails, so one run lists every
 * route to add or document.
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "core/embedded.h"
#include "domain/role.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"

/* The HTTP methods an OpenAPI path item may hold operations for. */
static const char *const doc_methods[] = {
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
};

#define N_DOC_METHODS (sizeof doc_methods / sizeof doc_methods[0])

static const struct cm_embedded *
find_document(void)
{
    for (const struct cm_embedded *e = cm_openapi; e->name; e++) {
        if (strcmp(e->name, "openapi.json") == 0)
            return e;
    }
    return NULL;
}

static json_t *
load_document(void)
{
    const struct cm_embedded *e = find_document();
    json_error_t jerr;
    json_t *doc;

    assert_non_null(e);
    doc = json_loadb(e->data, e->len, 0, &jerr);
    if (!doc)
        print_error("openapi.json line %d: %s\n", jerr.line, jerr.text);
    assert_non_null(doc);
    return doc;
}

/* The operation of `doc` for `method` (any case) on `path`, or NULL. */
static json_t *
doc_operation(json_t *doc, const char *path, const char *method)
{
    json_t *item = json_object_get(json_object_get(doc, "paths"), path);
    char lower[16];
    size_t i;

    for (i = 0; i < sizeof lower - 1 && method[i] != '\0'; i++)
        lower[i] =
            (char)(method[i] >= 'A' && method[i] <= 'Z' ? method[i] - 'A' + 'a'
                                                        : method[i]);
    lower[i] = '\0';
    return json_object_get(item, lower);
}

static bool
is_planned(json_t *operation)
{
    return json_is_true(json_object_get(operation, "x-compel-planned"));
}

static void
test_is_openapi_31(void **state)
{
    json_t *doc = load_document();
    const char *version = json_string_value(json_object_get(doc, "openapi"));

    (void)state;
    assert_non_null(version);
    assert_int_equal(strncmp(version, "3.1.", 4), 0);
    assert_true(json_is_object(json_object_get(doc, "info")));
    assert_true(json_is_object(json_object_get(doc, "paths")));
    assert_true(
        json_is_string(json_object_get(json_object_get(doc, "info"), "title")));
    json_decref(doc);
}

/* Every route of the table is in the document, same template and method. */
static void
test_every_route_is_documented(void **state)
{
    json_t *doc = load_document();
    size_t n = 0;
    const struct route *routes = router_routes(&n);
    int missing = 0;

    (void)state;
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(routes[i].method, "HEAD") == 0)
            continue;
        if (!doc_operation(doc, routes[i].pattern, routes[i].method)) {
            print_error("served but not documented: %s %s\n", routes[i].method,
                        routes[i].pattern);
            missing++;
        }
    }
    json_decref(doc);
    assert_int_equal(missing, 0);
}

static bool
is_in_table(const struct route *routes,
            size_t n,
            const char *method,
            const char *path)
{
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(routes[i].method, method) == 0 &&
            strcmp(routes[i].pattern, path) == 0)
            return true;
    }
    return false;
}

/* Every documented operation that is not planned is served. */
static void
test_every_operation_is_served(void **state)
{
    json_t *doc = load_document();
    size_t n = 0;
    const struct route *routes = router_routes(&n);
    const char *path;
    json_t *item;
    int missing = 0;
    int planned = 0;

    (void)state;
    json_object_foreach (json_object_get(doc, "paths"), path, item) {
        for (size_t m = 0; m < N_DOC_METHODS; m++) {
            json_t *operation = json_object_get(item, doc_methods[m]);

            if (!operation)
                continue;
            if (is_planned(operation)) {
                planned++;
                continue;
            }
            if (!is_in_table(routes, n, doc_methods[m], path)) {
                print_error("documented but not served: %s %s (%s)\n",
                            doc_methods[m], path,
                            json_string_value(
                                json_object_get(operation, "operationId")));
                missing++;
            }
        }
    }
    print_message("%d planned operation(s) not checked\n", planned);
    json_decref(doc);
    assert_int_equal(missing, 0);
}

/* Every operation has an operationId, and no two share one. */
static void
test_operation_ids_unique(void **state)
{
    json_t *doc = load_document();
    json_t *seen = json_object();
    const char *path;
    json_t *item;
    int bad = 0;
    int count = 0;

    (void)state;
    json_object_foreach (json_object_get(doc, "paths"), path, item) {
        for (size_t m = 0; m < N_DOC_METHODS; m++) {
            json_t *operation = json_object_get(item, doc_methods[m]);
            const char *id;

            if (!operation)
                continue;
            count++;
            id = json_string_value(json_object_get(operation, "operationId"));
            if (!id || id[0] == '\0') {
                print_error("no operationId: %s %s\n", doc_methods[m], path);
                bad++;
            } else if (json_object_get(seen, id)) {
                print_error("operationId used twice: %s\n", id);
                bad++;
            } else {
                json_object_set_new(seen, id, json_true());
            }
        }
    }
    json_decref(seen);
    json_decref(doc);
    assert_true(count > 0);
    assert_int_equal(bad, 0);
}

/* Follow a local "$ref" ("#/components/parameters/Id") once. */
static json_t *
resolve(json_t *doc, json_t *value)
{
    const char *ref = json_string_value(json_object_get(value, "$ref"));
    const char prefix[] = "#/components/parameters/";

    if (!ref)
        return value;
    if (strncmp(ref, prefix, sizeof prefix - 1) != 0)
        return NULL;
    return json_object_get(
        json_object_get(json_object_get(doc, "components"), "parameters"),
        ref + sizeof prefix - 1);
}

/* True when `params` (an array, maybe NULL) declares path parameter
 * `name` of `len` bytes. */
static bool
declares_path_param(json_t *doc, json_t *params, const char *name, size_t len)
{
    size_t i;
    json_t *p;

    json_array_foreach (params, i, p) {
        json_t *r = resolve(doc, p);
        const char *in = json_string_value(json_object_get(r, "in"));
        const char *pname = json_string_value(json_object_get(r, "name"));

        if (in && pname && strcmp(in, "path") == 0 && strlen(pname) == len &&
            memcmp(pname, name, len) == 0)
            return true;
    }
    return false;
}

/* Every {param} of a path template is declared by each of its operations
 * (in the operation or the path item), under the same name. */
static void
test_path_params_declared(void **state)
{
    json_t *doc = load_document();
    const char *path;
    json_t *item;
    int bad = 0;

    (void)state;
    json_object_foreach (json_object_get(doc, "paths"), path, item) {
        for (size_t m = 0; m < N_DOC_METHODS; m++) {
            json_t *operation = json_object_get(item, doc_methods[m]);

            if (!operation)
                continue;
            for (const char *p = strchr(path, '{'); p; p = strchr(p, '{')) {
                const char *end = strchr(p, '}');
                size_t len;

                assert_non_null(end);
                len = (size_t)(end - p - 1);
                if (!declares_path_param(
                        doc, json_object_get(operation, "parameters"), p + 1,
                        len) &&
                    !declares_path_param(
                        doc, json_object_get(item, "parameters"), p + 1, len)) {
                    print_error("%s %s: path parameter {%.*s} not "
                                "declared\n",
                                doc_methods[m], path, (int)len, p + 1);
                    bad++;
                }
                p = end;
            }
        }
    }
    json_decref(doc);
    assert_int_equal(bad, 0);
}

/* A public route is documented as such, and a route that needs a login
 * is not documented as public. */
static void
test_public_routes_match(void **state)
{
    json_t *doc = load_document();
    size_t n = 0;
    const struct route *routes = router_routes(&n);
    int bad = 0;

    (void)state;
    for (size_t i = 0; i < n; i++) {
        json_t *operation =
            doc_operation(doc, routes[i].pattern, routes[i].method);
        json_t *security;
        bool is_doc_public;

        if (!operation)
            continue; /* reported by test_every_route_is_documented */
        security = json_object_get(operation, "security");
        is_doc_public =
            json_is_array(security) && json_array_size(security) == 0;
        if (is_doc_public != (routes[i].roles == 0)) {
            print_error("%s %s: the table says %s, the document %s\n",
                        routes[i].method, routes[i].pattern,
                        routes[i].roles == 0 ? "public" : "login",
                        is_doc_public ? "public" : "login");
            bad++;
        }
    }
    json_decref(doc);
    assert_int_equal(bad, 0);
}

/* True when the JSON array `names` holds the name of every role of `roles`
 * and nothing else, each once. Mismatches are printed under `what`. */
static bool
is_same_roles(json_t *names, role_set roles, const char *what)
{
    role_set seen = 0;
    bool ok = true;
    size_t i;
    json_t *v;

    if (!json_is_array(names)) {
        print_error("%s: x-compel-roles missing or not an array\n", what);
        ok = false;
    }
    json_array_foreach (names, i, v) {
        const char *name = json_string_value(v);
        bool known = false;

        for (int r = 0; name && r < ROLE__COUNT; r++) {
            if (strcmp(name, role_name((enum role)r)) != 0)
                continue;
            known = true;
            if (seen & ROLE_BIT(r)) {
                print_error("%s: role %s listed twice\n", what, name);
                ok = false;
            }
            seen |= ROLE_BIT(r);
        }
        if (!known) {
            print_error("%s: x-compel-roles has unknown role %s\n", what,
                        name ? name : "(not a string)");
            ok = false;
        }
    }
    for (int r = 0; r < ROLE__COUNT; r++) {
        if ((roles & ROLE_BIT(r)) && !(seen & ROLE_BIT(r))) {
            print_error("%s: the route allows %s, the document does not\n",
                        what, role_name((enum role)r));
            ok = false;
        } else if (!(roles & ROLE_BIT(r)) && (seen & ROLE_BIT(r))) {
            print_error("%s: the document allows %s, the route does not\n",
                        what, role_name((enum role)r));
            ok = false;
        }
    }
    return ok;
}

/* Every served operation's x-compel-roles equals its route's roles. */
static void
test_roles_match(void **state)
{
    json_t *doc = load_document();
    size_t n = 0;
    const struct route *routes = router_routes(&n);
    int bad = 0;

    (void)state;
    for (size_t i = 0; i < n; i++) {
        json_t *operation =
            doc_operation(doc, routes[i].pattern, routes[i].method);
        char what[256];

        if (!operation)
            continue; /* reported by test_every_route_is_documented */
        (void)snprintf(what, sizeof what, "%s %s", routes[i].method,
                       routes[i].pattern);
        if (is_planned(operation)) {
            print_error("%s: served but marked x-compel-planned\n", what);
            bad++;
        }
        if (!is_same_roles(json_object_get(operation, "x-compel-roles"),
                           routes[i].roles, what))
            bad++;
    }
    json_decref(doc);
    assert_int_equal(bad, 0);
}

/* Step-up (T-AUTH-7): every change only an administrator may make, and
 * the making of an API token, carries ROUTE_FLAG_STEP_UP, and the
 * document marks exactly the routes that carry it ("x-compel-step-up"). */
static void
test_step_up_match(void **state)
{
    json_t *doc = load_document();
    size_t n = 0;
    const struct route *routes = router_routes(&n);
    int bad = 0, flagged = 0;

    (void)state;
    for (size_t i = 0; i < n; i++) {
        const struct route *r = &routes[i];
        json_t *operation = doc_operation(doc, r->pattern, r->method);
        bool is_flagged = (r->flags & ROUTE_FLAG_STEP_UP) != 0;
        bool is_unsafe = strcmp(r->method, "GET") != 0;
        bool must = is_unsafe && (r->roles == ROLE_BIT(ROLE_ADMIN) ||
                                  (strcmp(r->method, "POST") == 0 &&
                                   strcmp(r->pattern, "/api/v1/tokens") == 0));

        flagged += is_flagged;
        if (must && !is_flagged) {
            print_error("%s %s: an administrator's change without step-up\n",
                        r->method, r->pattern);
            bad++;
        }
        if (operation && json_is_true(json_object_get(
                             operation, "x-compel-step-up")) != is_flagged) {
            print_error("%s %s: x-compel-step-up differs from the route\n",
                        r->method, r->pattern);
            bad++;
        }
    }
    json_decref(doc);
    assert_int_equal(bad, 0);
    assert_int_equal(flagged, 15);
}

/* Planned operations (x-compel-planned) may only be the documents, the
 * subpoena PDF and the reports, and each names its roles. Every one of
 * them is served now, so none may still be marked planned. */
static void
test_planned_are_next_issue(void **state)
{
    static const char *const planned_prefixes[] = {
        "/api/v1/documents",
        "/api/v1/reports/",
    };
    json_t *doc = load_document();
    const char *path;
    json_t *item;
    int bad = 0;
    int planned = 0;

    (void)state;
    json_object_foreach (json_object_get(doc, "paths"), path, item) {
        for (size_t m = 0; m < N_DOC_METHODS; m++) {
            json_t *operation = json_object_get(item, doc_methods[m]);
            bool is_next = false;
            size_t len = strlen(path);
            json_t *roles;

            if (!operation || !is_planned(operation))
                continue;
            planned++;
            for (size_t k = 0;
                 k < sizeof planned_prefixes / sizeof planned_prefixes[0];
                 k++) {
                if (strncmp(path, planned_prefixes[k],
                            strlen(planned_prefixes[k])) == 0)
                    is_next = true;
            }
            if (len > 13 && strcmp(path + len - 13, "/document.pdf") == 0)
                is_next = true;
            roles = json_object_get(operation, "x-compel-roles");
            if (!is_next) {
                print_error("%s %s: planned, but not a next-issue route\n",
                            doc_methods[m], path);
                bad++;
            }
            if (!json_is_array(roles) || json_array_size(roles) == 0) {
                print_error("%s %s: planned without x-compel-roles\n",
                            doc_methods[m], path);
                bad++;
            }
        }
    }
    json_decref(doc);
    assert_int_equal(planned, 0);
    assert_int_equal(bad, 0);
}

/* GET /api/v1/openapi.json is public and answers the document as JSON. */
static void
test_route_serves_document(void **state)
{
    size_t n = 0;
    const struct route *routes = router_routes(&n);
    const struct cm_embedded *e = find_document();
    struct route_match m;
    struct http_req req;
    json_t *served;

    (void)state;
    assert_non_null(e);
    assert_int_equal(router_match(routes, n, "GET", "/api/v1/openapi.json", &m),
                     CM_ERR_OK);
    assert_int_equal(m.route->roles, 0);
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.match = m;
    assert_int_equal(m.route->handler(&req), CM_ERR_OK);
    assert_true(req.reply.is_set);
    assert_int_equal(req.reply.status, 200);
    assert_string_equal(req.reply.content_type, "application/json");
    assert_int_equal(req.reply.body_len, e->len);
    assert_memory_equal(req.reply.body, e->data, e->len);
    served = json_loadb(req.reply.body, req.reply.body_len, 0, NULL);
    assert_non_null(served);
    assert_string_equal(json_string_value(json_object_get(served, "openapi")),
                        "3.1.0");
    json_decref(served);
    reply_release(&req);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_openapi_31),
        cmocka_unit_test(test_every_route_is_documented),
        cmocka_unit_test(test_every_operation_is_served),
        cmocka_unit_test(test_operation_ids_unique),
        cmocka_unit_test(test_path_params_declared),
        cmocka_unit_test(test_public_routes_match),
        cmocka_unit_test(test_roles_match),
        cmocka_unit_test(test_step_up_match),
        cmocka_unit_test(test_planned_are_next_issue),
        cmocka_unit_test(test_route_serves_document),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
