/*
 * test_jsonout.c: jsonout_add writes what json_dumps(JSON_COMPACT) writes,
 * byte for byte, for every kind of value compel answers with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "http/jsonout.h"

static void
same_as_jansson(json_t *v)
{
    struct buf b = BUF_INIT;
    char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

    assert_non_null(want);
    assert_true(jsonout_add(&b, v));
    assert_string_equal(buf_str(&b), want);
    free(want);
    buf_release(&b);
    json_decref(v);
}

static void
test_scalars(void **state)
{
    (void)state;
    same_as_jansson(json_null());
    same_as_jansson(json_true());
    same_as_jansson(json_false());
    same_as_jansson(json_integer(0));
    same_as_jansson(json_integer(-7));
    same_as_jansson(json_integer(1234567890123LL));
    same_as_jansson(json_integer(INT64_MAX));
    same_as_jansson(json_integer(INT64_MIN));
    same_as_jansson(json_real(1.0));
    same_as_jansson(json_real(-0.25));
    same_as_jansson(json_real(1e300));
}

static void
test_strings(void **state)
{
    char all[128];

    (void)state;
    /* Every ASCII byte but NUL: the control characters, '"', '\\', '/'. */
    for (int i = 1; i < 128; i++)
        all[i - 1] = (char)i;
    all[127] = '\0';
    same_as_jansson(json_string(all));
    same_as_jansson(json_string(""));
    same_as_jansson(json_string("Mu\xc3\xb1oz \xe2\x80\x94 \xf0\x9f\x98\x80"));
    same_as_jansson(json_string("a\"b\\c/d\n"));
}

static void
test_containers(void **state)
{
    json_t *o = json_pack("{s:s, s:i, s:[i, s, n, {}], s:{}, s:[], s:{s:b}}",
                          "id", "abc", "version", 3, "items", 1, "x\ty",
                          "empty", "list", "nested", "ok", 1);

    (void)state;
    assert_non_null(o);
    same_as_jansson(o);
    same_as_jansson(json_array());
    same_as_jansson(json_object());
}

static void
test_too_deep(void **state)
{
    json_t *v = json_array();
    struct buf b = BUF_INIT;

    (void)state;
    for (int i = 0; i < 100; i++) {
        json_t *outer = json_array();

        json_array_append_new(outer, v);
        v = outer;
    }
    assert_false(jsonout_add(&b, v));
    assert_false(jsonout_add(&b, NULL));
    buf_release(&b);
    json_decref(v);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_containers),
        cmocka_unit_test(test_too_deep),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
