/*
 * fuzz_jspec.c: request bodies: jspec_load (UTF-8, duplicate keys, depth
 * 32) and jspec_parse against a field spec shaped like a subpoena's
 * (strings with limits, an integer range, a bool, a date, an enum, an
 * array of objects, forbidden fields). Every JSON route parses its body
 * this way.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/alloc.h"
#include "http/jspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const categories[] = {"home_address", "work_address",
                                         "phone", "other", NULL};

struct item {
    int category;
    const char *description;
};

struct input {
    const char *recipient;
    const char *purpose;
    long long return_days;
    bool urgent;
    const char *return_date;
    struct item *items;
    size_t n_items;
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {0};
    struct item proto = {-1, NULL};
    const struct jspec item_spec[] = {
        JSPEC_ENUM("category", &proto.category, categories, JSPEC_REQUIRED),
        JSPEC_STR("description", &proto.description, JSPEC_OPTIONAL),
        JSPEC_END,
    };
    const struct jspec spec[] = {
        JSPEC_STR("recipient_org_id", &in.recipient, JSPEC_REQUIRED),
        JSPEC_STR_MAX("purpose", &in.purpose, 200, JSPEC_REQUIRED),
        JSPEC_INT("return_days", &in.return_days, 1, 60, JSPEC_OPTIONAL),
        JSPEC_BOOL("urgent", &in.urgent, JSPEC_OPTIONAL),
        JSPEC_DATE("return_date", &in.return_date, JSPEC_OPTIONAL),
        JSPEC_ARR("items", &in.items, &in.n_items, item_spec, &proto, 50,
                  JSPEC_REQUIRED),
        JSPEC_FORBID("state"),
        JSPEC_FORBID("version"),
        JSPEC_END,
    };
    struct jspec_error e;
    json_t *v = NULL;

    if (jspec_load((const char *)data, size, &v, &e) != CM_ERR_OK)
        return 0;
    if (jspec_parse(v, spec, &e) == CM_ERR_OK)
        cm_free(in.items);
    json_decref(v);
    return 0;
}
