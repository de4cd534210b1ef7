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

/* The reals of reports (rates in [0, 1]) and the edges of the format:
 * whole numbers, exponents both ways, the shortest and longest forms. */
static void
test_reals(void **state)
{
    static const double v[] = {0.0,
                               1.0,
                               -1.0,
                               2.0 / 3.0,
                               1.0 / 3.0,
                               0.1,
                               0.5,
                               0.9999,
                               1e-5,
                               1e-7,
                               1.5e-300,
                               1e300,
                               -2e22,
                               123456789.0,
                               1e16,
                               1e17,
                               1.0e21,
                               4.9e-324,
                               0.123456789012345678,
                               7.0 / 9.0};
    struct buf b = BUF_INIT;

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        json_t *r = json_real(v[i]);
        char *want = json_dumps(r, JSON_COMPACT | JSON_ENCODE_ANY);

        buf_reset(&b);
        assert_true(jsonout_add_real(&b, v[i]));
        assert_string_equal(buf_str(&b), want);
        free(want);
        json_decref(r);
        same_as_jansson(json_real(v[i]));
    }
    buf_reset(&b);
    assert_false(jsonout_add_real(&b, 1.0 / 0.0));
    assert_false(jsonout_add_real(&b, 0.0 / 0.0));
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

static void
test_lines(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {NULL, "[]"},
        {"", "[]"},
        {"\n\n", "[]"},
        {"one", "[\"one\"]"},
        {"a\n\nb\n", "[\"a\",\"b\"]"},
        {"\"q\"\n\tx", "[\"\\\"q\\\"\",\"\\tx\"]"},
    };
    struct buf b = BUF_INIT;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf_reset(&b);
        jsonout_add_lines(&b, cases[i].in);
        assert_string_equal(buf_str(&b), cases[i].want);
    }
    buf_release(&b);
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

/* jsonout_is_utf8 agrees with jansson's own check (json_stringn returns
 * NULL exactly when it refuses the bytes) on every one- and two-byte
 * string, on every three-byte string that starts with a lead byte and on
 * four-byte sequences around the edges (U+10000, U+10FFFF, past it). */
static void
test_utf8(void **state)
{
    static const unsigned char lead4[] = {0xF0, 0xF4, 0xF5, 0xF8};
    static const unsigned char cont[] = {0x7F, 0x80, 0x8F, 0x90,
                                         0x9F, 0xA0, 0xBF, 0xC0};
    unsigned char s[4];

    (void)state;
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        for (unsigned b = 0; b < 256; b++) {
            json_t *v;

            s[1] = (unsigned char)b;
            for (size_t len = 1; len <= 2; len++) {
                v = json_stringn((const char *)s, len);
                assert_int_equal(jsonout_is_utf8((const char *)s, len),
                                 v != NULL);
                json_decref(v);
            }
            if (a < 0xE0 || a > 0xEF)
                continue;
            for (unsigned c = 0; c < 256; c++) {
                s[2] = (unsigned char)c;
                v = json_stringn((const char *)s, 3);
                assert_int_equal(jsonout_is_utf8((const char *)s, 3),
                                 v != NULL);
                json_decref(v);
            }
        }
    }
    for (size_t i = 0; i < sizeof lead4; i++)
        for (size_t j = 0; j < sizeof cont; j++)
            for (size_t k = 0; k < sizeof cont; k++)
                for (size_t l = 0; l < sizeof cont; l++) {
                    json_t *v;

                    s[0] = lead4[i];
                    s[1] = cont[j];
                    s[2] = cont[k];
                    s[3] = cont[l];
                    v = json_stringn((const char *)s, 4);
                    assert_int_equal(jsonout_is_utf8((const char *)s, 4),
                                     v != NULL);
                    json_decref(v);
                }
    /* NUL is UTF-8 (a value may hold one); a cut sequence is not. */
    assert_true(jsonout_is_utf8("a\0b", 3));
    assert_false(jsonout_is_utf8("\xe2\x80", 2));
    assert_true(jsonout_is_utf8("", 0));
}

/* jsonout_add_text writes null for NULL and "", else the string. */
static void
test_text(void **state)
{
    struct buf b = BUF_INIT;

    (void)state;
    jsonout_add_text(&b, NULL);
    buf_addch(&b, ',');
    jsonout_add_text(&b, "");
    buf_addch(&b, ',');
    jsonout_add_text(&b, "a\"b");
    assert_string_equal(buf_str(&b), "null,null,\"a\\\"b\"");
    buf_release(&b);
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
        cmocka_unit_test(test_scalars),  cmocka_unit_test(test_reals),
        cmocka_unit_test(test_strings),  cmocka_unit_test(test_containers),
        cmocka_unit_test(test_utf8),     cmocka_unit_test(test_text),
        cmocka_unit_test(test_too_deep), cmocka_unit_test(test_lines),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
