/*
 * fuzz_router.c: the route table's path matching (router_match and
 * router_allow) on arbitrary methods and paths: every request reaches it
 * before anything else.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE",
                                          "HEAD"};
    const struct route *table;
    struct route_match m;
    struct buf allow = BUF_INIT;
    size_t n = 0;
    char *path;

    if (size == 0)
        return 0;
    table = router_routes(&n);
    path = cm_strndup((const char *)data + 1, size - 1);
    (void)router_match(table, n, methods[data[0] % 5], path, &m);
    router_allow(table, n, path, &allow);
    buf_release(&allow);
    cm_free(path);
    return 0;
}
