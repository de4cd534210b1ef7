/*
 * test_jspec.c: declarative JSON field specs (http/jspec.h): a subpoena-
 * like body parsed whole, every kind of rejection naming its field by
 * path, outputs untouched on failure, strict dates from the real
 * calendar, UTF-8 and length limits, duplicate keys and nesting depth.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "http/jspec.h"

static const char *const categories[] = {"home_address", "work_address",
                                         "phone", "employer", NULL};

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

/* The fields of the test body; `in` and `proto` receive the values. */
struct fixture {
    struct input in;
    struct item proto;
    struct jspec item_spec[3];
    struct jspec spec[9];
};

static void
fixture_init(struct fixture *f)
{
    const struct jspec item_spec[] = {
        JSPEC_ENUM("category", &f->proto.category, categories, JSPEC_REQUIRED),
        JSPEC_STR("description", &f->proto.description, JSPEC_OPTIONAL),
        JSPEC_END,
    };
    const struct jspec spec[] = {
        JSPEC_STR("recipient_org_id", &f->in.recipient, JSPEC_REQUIRED),
        JSPEC_STR_MAX("purpose", &f->in.purpose, 20, JSPEC_REQUIRED),
        JSPEC_INT("return_days", &f->in.return_days, 1, 60, JSPEC_OPTIONAL),
        JSPEC_BOOL("urgent", &f->in.urgent, JSPEC_OPTIONAL),
        JSPEC_DATE("return_date", &f->in.return_date, JSPEC_OPTIONAL),
        JSPEC_ARR("items", &f->in.items, &f->in.n_items, f->item_spec,
                  &f->proto, 3, JSPEC_REQUIRED),
        JSPEC_FORBID("state"),
        JSPEC_FORBID("version"),
        JSPEC_END,
    };

    memset(f, 0, sizeof *f);
    memcpy(f->item_spec, item_spec, sizeof item_spec);
    memcpy(f->spec, spec, sizeof spec);
    /* Sentinels: a failed parse must leave them as they are. */
    f->in.return_days = 14;
    f->in.purpose = "unset";
    f->proto.category = -1;
}

/* Load `text` (which must be valid JSON) and parse it with the fixture. */
static enum cm_err
parse(struct fixture *f, const char *text, struct jspec_error *e)
{
    json_t *v = NULL;
    struct jspec_error le;
    enum cm_err err;

    assert_int_equal(jspec_load(text, strlen(text), &v, &le), CM_ERR_OK);
    err = jspec_parse(v, f->spec, e);
    json_decref(v);
    return err;
}

static void
test_valid_body(void **state)
{
    struct fixture f;
    struct jspec_error e;
    json_t *v = NULL;
    const char *text =
        "{\"recipient_org_id\": \"org1\", \"purpose\": \"locate\","
        " \"return_days\": 14, \"urgent\": true,"
        " \"return_date\": \"2020-01-27\","
        " \"items\": [{\"category\": \"phone\"},"
        " {\"category\": \"home_address\", \"description\": \"current\"}]}";

    (void)state;
    fixture_init(&f);
    assert_int_equal(jspec_load(text, strlen(text), &v, &e), CM_ERR_OK);
    assert_int_equal(jspec_parse(v, f.spec, &e), CM_ERR_OK);
    assert_string_equal(f.in.recipient, "org1");
    assert_string_equal(f.in.purpose, "locate");
    assert_int_equal(f.in.return_days, 14);
    assert_true(f.in.urgent);
    assert_string_equal(f.in.return_date, "2020-01-27");
    assert_int_equal(f.in.n_items, 2);
    assert_int_equal(f.in.items[0].category, 2); /* "phone" */
    assert_null(f.in.items[0].description);      /* from the prototype */
    assert_int_equal(f.in.items[1].category, 0); /* "home_address" */
    assert_string_equal(f.in.items[1].description, "current");
    /* The prototype is restored after each item. */
    assert_int_equal(f.proto.category, -1);
    cm_free(f.in.items);
    json_decref(v);
}

static void
test_optional_absent_or_null(void **state)
{
    struct fixture f;
    struct jspec_error e;

    (void)state;
    fixture_init(&f);
    assert_int_equal(parse(&f,
                           "{\"recipient_org_id\": \"o\", \"purpose\": \"p\","
                           " \"return_days\": null, \"items\": []}",
                           &e),
                     CM_ERR_OK);
    assert_int_equal(f.in.return_days, 14); /* the default stays */
    assert_int_equal(f.in.n_items, 0);
    assert_null(f.in.items);
}

/* Parse `text`, expect `err` naming `field`, and no output written. */
static void
expect_rejected(const char *text, enum cm_err err, const char *field)
{
    struct fixture f;
    struct jspec_error e;

    fixture_init(&f);
    assert_int_equal(parse(&f, text, &e), err);
    assert_int_equal(e.err, err);
    assert_string_equal(e.field, field);
    assert_non_null(strstr(e.detail, field));
    assert_string_equal(f.in.purpose, "unset");
    assert_null(f.in.recipient);
    assert_int_equal(f.in.return_days, 14);
    assert_null(f.in.items);
    assert_int_equal(f.proto.category, -1);
}

#define BASE "\"recipient_org_id\": \"o\", \"purpose\": \"p\", "

static void
test_rejections_name_the_field(void **state)
{
    (void)state;
    expect_rejected("{" BASE "\"items\": [], \"colour\": 1}",
                    CM_ERR_UNKNOWN_FIELD, "colour");
    expect_rejected("{" BASE "\"items\": [], \"state\": \"served\"}",
                    CM_ERR_FORBIDDEN_FIELD, "state");
    /* Forbidden even when null: the client may not send it at all. */
    expect_rejected("{" BASE "\"items\": [], \"version\": null}",
                    CM_ERR_FORBIDDEN_FIELD, "version");
    expect_rejected("{\"recipient_org_id\": \"o\", \"items\": []}",
                    CM_ERR_VALIDATION_FAILED, "purpose");
    expect_rejected("{\"recipient_org_id\": \"o\", \"purpose\": null,"
                    " \"items\": []}",
                    CM_ERR_VALIDATION_FAILED, "purpose");
    expect_rejected("{\"recipient_org_id\": \"o\", \"purpose\": 5,"
                    " \"items\": []}",
                    CM_ERR_VALIDATION_FAILED, "purpose");
    expect_rejected("{" BASE "\"items\": [], \"return_days\": 1.5}",
                    CM_ERR_VALIDATION_FAILED, "return_days");
    expect_rejected("{" BASE "\"items\": [], \"return_days\": \"14\"}",
                    CM_ERR_VALIDATION_FAILED, "return_days");
    expect_rejected("{" BASE "\"items\": [], \"return_days\": 61}",
                    CM_ERR_VALIDATION_FAILED, "return_days");
    expect_rejected("{" BASE "\"items\": [], \"return_days\": 0}",
                    CM_ERR_VALIDATION_FAILED, "return_days");
    expect_rejected("{" BASE "\"items\": [], \"urgent\": \"yes\"}",
                    CM_ERR_VALIDATION_FAILED, "urgent");
    expect_rejected("{" BASE "\"items\": {}}", CM_ERR_VALIDATION_FAILED,
                    "items");
    expect_rejected("{" BASE "\"items\": [{\"category\": \"phone\"},"
                    " {\"category\": \"phone\"}, {\"category\": \"fax\"}]}",
                    CM_ERR_VALIDATION_FAILED, "items[2].category");
    expect_rejected("{" BASE "\"items\": [{\"category\": \"phone\"},"
                    " {\"category\": \"phone\", \"colour\": \"red\"}]}",
                    CM_ERR_UNKNOWN_FIELD, "items[1].colour");
    expect_rejected("{" BASE "\"items\": [{}]}", CM_ERR_VALIDATION_FAILED,
                    "items[0].category");
    expect_rejected("{" BASE "\"items\": [\"phone\"]}",
                    CM_ERR_VALIDATION_FAILED, "items[0]");
    expect_rejected("{" BASE "\"items\": [{\"category\": 2}]}",
                    CM_ERR_VALIDATION_FAILED, "items[0].category");
    /* At most 3 items. */
    expect_rejected("{" BASE "\"items\": [{\"category\": \"phone\"},"
                    " {\"category\": \"phone\"}, {\"category\": \"phone\"},"
                    " {\"category\": \"phone\"}]}",
                    CM_ERR_VALIDATION_FAILED, "items");
}

static void
test_not_an_object(void **state)
{
    struct fixture f;
    struct jspec_error e;

    (void)state;
    fixture_init(&f);
    assert_int_equal(parse(&f, "[1, 2]", &e), CM_ERR_VALIDATION_FAILED);
    assert_string_equal(e.field, "");
    assert_string_equal(f.in.purpose, "unset");
}

static void
test_string_length_in_characters(void **state)
{
    struct fixture f;
    struct jspec_error e;
    struct buf text = BUF_INIT;
    json_t *v = NULL;

    (void)state;
    /* 20 characters of "é" (2 bytes each, 40 bytes): at the limit. */
    buf_adds(&text, "{\"recipient_org_id\": \"o\", \"items\": [],"
                    " \"purpose\": \"");
    for (int i = 0; i < 20; i++)
        buf_adds(&text, "\xc3\xa9");
    buf_adds(&text, "\"}");
    fixture_init(&f);
    assert_int_equal(jspec_load(text.data, text.len, &v, &e), CM_ERR_OK);
    assert_int_equal(jspec_parse(v, f.spec, &e), CM_ERR_OK);
    /* Outputs are borrowed from the json_t: read them before freeing it. */
    assert_int_equal(strlen(f.in.purpose), 40);
    json_decref(v);
    buf_release(&text);

    expect_rejected("{\"recipient_org_id\": \"o\", \"items\": [],"
                    " \"purpose\": \"123456789012345678901\"}",
                    CM_ERR_VALIDATION_FAILED, "purpose");
}

static void
test_invalid_utf8_value(void **state)
{
    struct fixture f;
    struct jspec_error e;
    json_t *o;

    (void)state;
    /* jansson refuses bad UTF-8 when loading; a value built in memory
     * without its check must still be refused by jspec. */
    fixture_init(&f);
    o = json_pack("{s:s, s:[]}", "recipient_org_id", "o", "items");
    assert_non_null(o);
    json_object_set_new(o, "purpose", json_stringn_nocheck("\xc0\x80", 2));
    assert_int_equal(jspec_parse(o, f.spec, &e), CM_ERR_VALIDATION_FAILED);
    assert_string_equal(e.field, "purpose");
    json_object_set_new(o, "purpose", json_stringn_nocheck("a\0b", 3));
    assert_int_equal(jspec_parse(o, f.spec, &e), CM_ERR_VALIDATION_FAILED);
    assert_string_equal(e.field, "purpose");
    json_decref(o);
}

static void
test_utf8(void **state)
{
    size_t n = 99;

    (void)state;
    assert_true(jspec_is_utf8("", 0, &n));
    assert_int_equal(n, 0);
    assert_true(jspec_is_utf8("a\xe2\x82\xac", 4, &n)); /* "a€" */
    assert_int_equal(n, 2);
    assert_true(jspec_is_utf8("\xf0\x9f\x98\x80", 4, &n)); /* U+1F600 */
    assert_int_equal(n, 1);
    n = 99;
    assert_false(jspec_is_utf8("\xc0\x80", 2, &n));         /* overlong NUL */
    assert_false(jspec_is_utf8("\xe0\x80\xaf", 3, &n));     /* overlong '/' */
    assert_false(jspec_is_utf8("\xed\xa0\x80", 3, &n));     /* surrogate */
    assert_false(jspec_is_utf8("\xf4\x90\x80\x80", 4, &n)); /* > 10FFFF */
    assert_false(jspec_is_utf8("\xe2\x82", 2, &n));         /* truncated */
    assert_false(jspec_is_utf8("\x80", 1, &n));             /* stray byte */
    assert_false(jspec_is_utf8("a\0b", 3, &n));
    assert_int_equal(n, 99); /* untouched on failure */
}

static void
test_dates(void **state)
{
    (void)state;
    /* 2020 was a leap year (divisible by 4, not by 100). */
    assert_true(jspec_is_date("2020-02-29"));
    /* 2000 was a leap year (divisible by 400). */
    assert_true(jspec_is_date("2000-02-29"));
    /* 2019 was not; 1900 was not (divisible by 100, not by 400). */
    assert_false(jspec_is_date("2019-02-29"));
    assert_false(jspec_is_date("1900-02-29"));
    /* April has 30 days, December 31. */
    assert_false(jspec_is_date("2021-04-31"));
    assert_true(jspec_is_date("2021-12-31"));
    assert_true(jspec_is_date("2020-01-27"));
    assert_false(jspec_is_date("2020-13-01"));
    assert_false(jspec_is_date("2020-00-10"));
    assert_false(jspec_is_date("2020-01-00"));
    assert_false(jspec_is_date("0000-01-01"));
    assert_false(jspec_is_date("2020-1-13"));
    assert_false(jspec_is_date("2020/01/13"));
    assert_false(jspec_is_date("2020-01-13T00:00:00Z"));
    assert_false(jspec_is_date("2020-01-1"));
    assert_false(jspec_is_date(""));
    assert_false(jspec_is_date("+020-01-13"));

    expect_rejected("{" BASE "\"items\": [], \"return_date\": \"2019-02-29\"}",
                    CM_ERR_VALIDATION_FAILED, "return_date");
    expect_rejected("{" BASE "\"items\": [], \"return_date\": 20200127}",
                    CM_ERR_VALIDATION_FAILED, "return_date");
}

static void
test_load(void **state)
{
    struct jspec_error e;
    json_t *v = (json_t *)(uintptr_t)1;
    const char *dup = "{\"a\": 1, \"a\": 2}";
    const char *trailing = "{\"a\": 1} x";
    const char *nul = "{\"a\": \"x\\u0000y\"}";
    const char *bad = "{\"a\": }";

    (void)state;
    assert_int_equal(jspec_load(dup, strlen(dup), &v, &e),
                     CM_ERR_MALFORMED_JSON);
    assert_int_equal(jspec_load(trailing, strlen(trailing), &v, &e),
                     CM_ERR_MALFORMED_JSON);
    assert_int_equal(jspec_load(nul, strlen(nul), &v, &e),
                     CM_ERR_MALFORMED_JSON);
    assert_int_equal(jspec_load(bad, strlen(bad), &v, &e),
                     CM_ERR_MALFORMED_JSON);
    assert_non_null(strstr(e.detail, "line 1"));
    assert_int_equal(jspec_load("", 0, &v, &e), CM_ERR_MALFORMED_JSON);
    assert_true(v == (json_t *)(uintptr_t)1); /* untouched on failure */
}

/* `depth` nested arrays around `inner`, e.g. [[[ inner ]]]. */
static void
nest(struct buf *b, int depth, const char *inner)
{
    for (int i = 0; i < depth; i++)
        buf_addch(b, i % 2 ? '[' : '{');
    buf_adds(b, inner);
    for (int i = depth - 1; i >= 0; i--)
        buf_addch(b, i % 2 ? ']' : '}');
}

static void
test_depth(void **state)
{
    struct jspec_error e;
    struct buf b = BUF_INIT;
    json_t *v = NULL;

    (void)state;
    /* Objects need keys: build {"k":[{"k":[...]}]} by hand instead. */
    for (int i = 0; i < 32; i++)
        buf_adds(&b, i % 2 ? "[" : "{\"k\":");
    buf_adds(&b, "1");
    for (int i = 31; i >= 0; i--)
        buf_adds(&b, i % 2 ? "]" : "}");
    /* 32 levels is the limit and is accepted ... */
    assert_int_equal(jspec_load(b.data, b.len, &v, &e), CM_ERR_OK);
    json_decref(v);
    buf_reset(&b);
    /* ... 33 is not, and 10000 is refused before jansson recurses. */
    buf_adds(&b, "[");
    for (int i = 0; i < 32; i++)
        buf_adds(&b, i % 2 ? "[" : "{\"k\":");
    buf_adds(&b, "1");
    for (int i = 31; i >= 0; i--)
        buf_adds(&b, i % 2 ? "]" : "}");
    buf_adds(&b, "]");
    assert_int_equal(jspec_load(b.data, b.len, &v, &e), CM_ERR_MALFORMED_JSON);
    assert_non_null(strstr(e.detail, "32"));
    buf_reset(&b);
    nest(&b, 10000, "");
    assert_int_equal(jspec_load(b.data, b.len, &v, &e), CM_ERR_MALFORMED_JSON);
    buf_reset(&b);
    /* Brackets inside strings (escaped quotes too) do not count. */
    buf_adds(&b, "{\"k\": \"\\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}");
    assert_int_equal(jspec_load(b.data, b.len, &v, &e), CM_ERR_OK);
    json_decref(v);
    buf_release(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_body),
        cmocka_unit_test(test_optional_absent_or_null),
        cmocka_unit_test(test_rejections_name_the_field),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_string_length_in_characters),
        cmocka_unit_test(test_invalid_utf8_value),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_depth),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
