/*
 * test_tz.c: the TZif parser and local-time conversions of domain/tz.h,
 * on real zones read through core/zoneinfo.h and on small TZif files
 * built here byte by byte. Expected offsets come from the published rules:
 * since 2007 US daylight saving time begins on the second Sunday of March
 * at 02:00 local and ends on the first Sunday of November at 02:00
 * (Energy Policy Act of 2005); New South Wales's ends on the first Sunday
 * of April at 03:00 daylight time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/file.h"
#include "core/zoneinfo.h"
#include "domain/date.h"
#include "domain/tz.h"

#define HOUR 3600

static int64_t
utc_of(int32_t y, int m, int d, int hh, int mm, int ss)
{
    int32_t day = 0;

    assert_int_equal(date_from_ymd(y, m, d, &day), CM_ERR_OK);
    return date_time_make(day, hh * 3600 + mm * 60 + ss);
}

static void
load(const char *name, struct tz *tz)
{
    struct buf data = BUF_INIT;
    struct buf why = BUF_INIT;

    assert_int_equal(zoneinfo_read(name, &data), CM_ERR_OK);
    if (tz_parse(data.data, data.len, name, tz, &why) != CM_ERR_OK)
        fail_msg("%s: %s", name, buf_str(&why));
    buf_release(&why);
    buf_release(&data);
}

static void
test_denver_offsets_around_2020_transitions(void **state)
{
    struct tz tz;
    struct tz_type t;

    (void)state;
    load("America/Denver", &tz);
    assert_string_equal(tz_name(&tz), "America/Denver");
    /* Friday 17 January 2020 15:00 MST is 22:00 UTC. */
    tz_lookup(&tz, utc_of(2020, 1, 17, 22, 0, 0), &t);
    assert_int_equal(t.utoff, -7 * HOUR);
    assert_false(t.is_dst);
    assert_string_equal(t.abbr, "MST");
    /* Sunday 8 March 2020 (second Sunday): 02:00 MST = 09:00 UTC. */
    assert_int_equal(tz_offset_at(&tz, utc_of(2020, 3, 8, 8, 59, 59)),
                     -7 * HOUR);
    tz_lookup(&tz, utc_of(2020, 3, 8, 9, 0, 0), &t);
    assert_int_equal(t.utoff, -6 * HOUR);
    assert_true(t.is_dst);
    assert_string_equal(t.abbr, "MDT");
    /* Sunday 1 November 2020 (first Sunday): 02:00 MDT = 08:00 UTC. */
    assert_int_equal(tz_offset_at(&tz, utc_of(2020, 11, 1, 7, 59, 59)),
                     -6 * HOUR);
    assert_int_equal(tz_offset_at(&tz, utc_of(2020, 11, 1, 8, 0, 0)),
                     -7 * HOUR);
    tz_release(&tz);
    tz_release(&tz); /* releasing twice is harmless */
}

static void
test_denver_far_future_uses_footer_rule(void **state)
{
    struct tz tz;

    (void)state;
    load("America/Denver", &tz);
    /* 2040: March 1 is a Thursday, so DST begins Sunday 11 March; November
     * 1 is a Thursday, so it ends Sunday 4 November. */
    assert_int_equal(tz_offset_at(&tz, utc_of(2040, 3, 11, 8, 59, 59)),
                     -7 * HOUR);
    assert_int_equal(tz_offset_at(&tz, utc_of(2040, 3, 11, 9, 0, 0)),
                     -6 * HOUR);
    assert_int_equal(tz_offset_at(&tz, utc_of(2040, 11, 4, 7, 59, 59)),
                     -6 * HOUR);
    assert_int_equal(tz_offset_at(&tz, utc_of(2040, 11, 4, 8, 0, 0)),
                     -7 * HOUR);
    tz_release(&tz);
}

static void
test_denver_local_to_utc_gap_and_overlap(void **state)
{
    struct tz tz;
    int64_t utc;
    enum tz_local_kind kind;

    (void)state;
    load("America/Denver", &tz);
    /* An ordinary summer time: 12:00 MDT = 18:00 UTC. */
    tz_local_to_utc(&tz, utc_of(2020, 7, 1, 12, 0, 0), &utc, &kind);
    assert_int_equal(utc, utc_of(2020, 7, 1, 18, 0, 0));
    assert_int_equal(kind, TZ_LOCAL_KIND_UNIQUE);
    /* 01:59 on 8 March 2020 still exists (MST). */
    tz_local_to_utc(&tz, utc_of(2020, 3, 8, 1, 59, 0), &utc, &kind);
    assert_int_equal(utc, utc_of(2020, 3, 8, 8, 59, 0));
    assert_int_equal(kind, TZ_LOCAL_KIND_UNIQUE);
    /* 02:30 on 8 March 2020 never happened: shifted forward by the hour
     * gap, it is read as MST, i.e. 09:30 UTC = 03:30 MDT. */
    tz_local_to_utc(&tz, utc_of(2020, 3, 8, 2, 30, 0), &utc, &kind);
    assert_int_equal(utc, utc_of(2020, 3, 8, 9, 30, 0));
    assert_int_equal(kind, TZ_LOCAL_KIND_GAP);
    assert_int_equal(tz_offset_at(&tz, utc), -6 * HOUR);
    /* 03:00 MDT exists: 09:00 UTC. */
    tz_local_to_utc(&tz, utc_of(2020, 3, 8, 3, 0, 0), &utc, &kind);
    assert_int_equal(utc, utc_of(2020, 3, 8, 9, 0, 0));
    assert_int_equal(kind, TZ_LOCAL_KIND_UNIQUE);
    /* 01:30 on 1 November 2020 happened twice (MDT, then MST): the
     * earlier, 01:30 MDT = 07:30 UTC, is taken. */
    tz_local_to_utc(&tz, utc_of(2020, 11, 1, 1, 30, 0), &utc, &kind);
    assert_int_equal(utc, utc_of(2020, 11, 1, 7, 30, 0));
    assert_int_equal(kind, TZ_LOCAL_KIND_AMBIGUOUS);
    /* 02:00 on 1 November 2020 is after the overlap: MST, 09:00 UTC. */
    tz_local_to_utc(&tz, utc_of(2020, 11, 1, 2, 0, 0), &utc, &kind);
    assert_int_equal(utc, utc_of(2020, 11, 1, 9, 0, 0));
    assert_int_equal(kind, TZ_LOCAL_KIND_UNIQUE);
    tz_release(&tz);
}

static void
test_southern_and_fixed_zones(void **state)
{
    struct tz tz;
    int64_t utc;
    enum tz_local_kind kind;

    (void)state;
    load("Australia/Sydney", &tz);
    /* January is summer in Sydney: AEDT, UTC+11; July is AEST, UTC+10. */
    assert_int_equal(tz_offset_at(&tz, utc_of(2020, 1, 15, 0, 0, 0)),
                     11 * HOUR);
    assert_int_equal(tz_offset_at(&tz, utc_of(2020, 7, 15, 0, 0, 0)),
                     10 * HOUR);
    /* DST ended Sunday 5 April 2020 at 03:00 AEDT = 16:00 UTC on the 4th;
     * 02:30 local happened twice and the earlier (AEDT) is taken. */
    assert_int_equal(tz_offset_at(&tz, utc_of(2020, 4, 4, 15, 59, 59)),
                     11 * HOUR);
    assert_int_equal(tz_offset_at(&tz, utc_of(2020, 4, 4, 16, 0, 0)),
                     10 * HOUR);
    tz_local_to_utc(&tz, utc_of(2020, 4, 5, 2, 30, 0), &utc, &kind);
    assert_int_equal(utc, utc_of(2020, 4, 4, 15, 30, 0));
    assert_int_equal(kind, TZ_LOCAL_KIND_AMBIGUOUS);
    /* 2050, past any table: January still AEDT, July AEST. */
    assert_int_equal(tz_offset_at(&tz, utc_of(2050, 1, 15, 0, 0, 0)),
                     11 * HOUR);
    assert_int_equal(tz_offset_at(&tz, utc_of(2050, 7, 15, 0, 0, 0)),
                     10 * HOUR);
    tz_release(&tz);

    load("UTC", &tz);
    assert_int_equal(tz_offset_at(&tz, utc_of(2020, 7, 1, 0, 0, 0)), 0);
    tz_release(&tz);

    /* India has kept UTC+05:30 (IST) without DST since 1945. */
    load("Asia/Kolkata", &tz);
    assert_int_equal(tz_offset_at(&tz, utc_of(2020, 7, 1, 0, 0, 0)),
                     5 * HOUR + 1800);
    tz_release(&tz);
}

/* Build TZif bytes: `version` 1 writes only the 32-bit body; 2 or 3 write
 * both bodies and the footer. Types are (utoff, isdst, abbr). */
struct spec {
    int version;
    size_t n_times;
    const int64_t *times;
    const uint8_t *idx;
    size_t n_types;
    const int32_t *utoff;
    const uint8_t *isdst;
    const char *const *abbr;
    const char *footer;
};

static void
put32(struct buf *b, uint32_t v)
{
    char c[4] = {(char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v};

    buf_add(b, c, 4);
}

static void
put_block(struct buf *b, const struct spec *s, size_t w)
{
    struct buf chars = BUF_INIT;
    uint8_t desig[16];

    for (size_t i = 0; i < s->n_types; i++) {
        desig[i] = (uint8_t)chars.len;
        buf_add(&chars, s->abbr[i], strlen(s->abbr[i]) + 1);
    }
    buf_add(b, "TZif", 4);
    buf_addch(b, s->version == 1 ? '\0' : (char)('0' + s->version));
    for (int i = 0; i < 15; i++)
        buf_addch(b, '\0');
    put32(b, 0);
    put32(b, 0);
    put32(b, 0);
    put32(b, (uint32_t)s->n_times);
    put32(b, (uint32_t)s->n_types);
    put32(b, (uint32_t)chars.len);
    for (size_t i = 0; i < s->n_times; i++) {
        if (w == 8)
            put32(b, (uint32_t)((uint64_t)s->times[i] >> 32));
        put32(b, (uint32_t)s->times[i]);
    }
    for (size_t i = 0; i < s->n_times; i++)
        buf_addch(b, (char)s->idx[i]);
    for (size_t i = 0; i < s->n_types; i++) {
        put32(b, (uint32_t)s->utoff[i]);
        buf_addch(b, (char)s->isdst[i]);
        buf_addch(b, (char)desig[i]);
    }
    buf_add(b, chars.data, chars.len);
    buf_release(&chars);
}

static void
build(const struct spec *s, struct buf *b)
{
    put_block(b, s, 4);
    if (s->version > 1) {
        put_block(b, s, 8);
        buf_addf(b, "\n%s\n", s->footer);
    }
}

static void
test_synthetic_version1(void **state)
{
    static const int64_t times[] = {1000};
    static const uint8_t idx[] = {1};
    static const int32_t utoff[] = {3600, 7200};
    static const uint8_t isdst[] = {0, 1};
    static const char *const abbr[] = {"AAA", "BBB"};
    struct spec s = {1, 1, times, idx, 2, utoff, isdst, abbr, ""};
    struct buf b = BUF_INIT;
    struct tz tz;
    struct tz_type t;

    (void)state;
    build(&s, &b);
    assert_int_equal(tz_parse(b.data, b.len, NULL, &tz, NULL), CM_ERR_OK);
    assert_string_equal(tz_name(&tz), "");
    /* Before the first transition: type 0 (RFC 8536 section 3.2). */
    tz_lookup(&tz, 999, &t);
    assert_int_equal(t.utoff, 3600);
    assert_string_equal(t.abbr, "AAA");
    /* From it on, with no footer: the last transition's type. */
    tz_lookup(&tz, 1000, &t);
    assert_int_equal(t.utoff, 7200);
    assert_true(t.is_dst);
    assert_string_equal(t.abbr, "BBB");
    assert_int_equal(tz_offset_at(&tz, INT64_C(4000000000)), 7200);
    tz_release(&tz);
    buf_release(&b);
}

static void
test_synthetic_footers(void **state)
{
    static const int32_t utoff[] = {-5 * HOUR};
    static const uint8_t isdst[] = {0};
    static const char *const abbr[] = {"EST"};
    struct spec s = {
        2, 0, NULL, NULL, 1, utoff, isdst, abbr, "EST5EDT,M3.2.0,M11.1.0"};
    struct buf b = BUF_INIT;
    struct tz tz;
    struct tz_type t;

    (void)state;
    /* New York's rule: 14 March 2021 was the second Sunday of March;
     * 02:00 EST = 07:00 UTC. */
    build(&s, &b);
    assert_int_equal(tz_parse(b.data, b.len, "x", &tz, NULL), CM_ERR_OK);
    assert_int_equal(tz_offset_at(&tz, utc_of(2021, 3, 14, 6, 59, 59)),
                     -5 * HOUR);
    tz_lookup(&tz, utc_of(2021, 3, 14, 7, 0, 0), &t);
    assert_int_equal(t.utoff, -4 * HOUR);
    assert_string_equal(t.abbr, "EDT");
    tz_release(&tz);
    buf_release(&b);

    /* Version 3 extensions: angle-bracket names and negative rule times
     * (Greenland's 2023 rule: UTC-2 summer time from the last Sunday of
     * March at -01:00 local to the last Sunday of October at 00:00). On
     * 2030-07-01 it is summer time, on 2030-01-01 standard time. */
    s.version = 3;
    s.footer = "<-02>2<-01>,M3.5.0/-1,M10.5.0/0";
    build(&s, &b);
    assert_int_equal(tz_parse(b.data, b.len, "x", &tz, NULL), CM_ERR_OK);
    tz_lookup(&tz, utc_of(2030, 7, 1, 0, 0, 0), &t);
    assert_int_equal(t.utoff, -1 * HOUR);
    assert_string_equal(t.abbr, "-01");
    assert_int_equal(tz_offset_at(&tz, utc_of(2030, 1, 1, 0, 0, 0)), -2 * HOUR);
    tz_release(&tz);
    buf_release(&b);

    /* A fixed footer with a half-hour offset; an empty footer. */
    s.footer = "<+0530>-5:30";
    build(&s, &b);
    assert_int_equal(tz_parse(b.data, b.len, "x", &tz, NULL), CM_ERR_OK);
    assert_int_equal(tz_offset_at(&tz, 0), 5 * HOUR + 1800);
    tz_release(&tz);
    buf_release(&b);
    s.footer = "";
    build(&s, &b);
    assert_int_equal(tz_parse(b.data, b.len, "x", &tz, NULL), CM_ERR_OK);
    assert_int_equal(tz_offset_at(&tz, 0), -5 * HOUR);
    tz_release(&tz);
    buf_release(&b);
}

static void
test_rejects_bad_data(void **state)
{
    static const char *const bad_footers[] = {
        "EST",
        "EST5EDT",
        "E5",
        "EST5EDT,M3.2.0",
        "EST5EDT,M13.2.0,M11.1.0",
        "EST5EDT,M3.6.0,M11.1.0",
        "EST5X",
        "EST5 ",
        "<EST5",
        "EST99",
    };
    static const int64_t times[] = {2000, 1000};
    static const uint8_t idx[] = {0, 3};
    static const int32_t utoff[] = {-5 * HOUR};
    static const uint8_t isdst[] = {0};
    static const char *const abbr[] = {"EST"};
    struct spec s = {2, 0, NULL, NULL, 1, utoff, isdst, abbr, ""};
    struct buf b = BUF_INIT;
    struct buf why = BUF_INIT;
    struct tz tz;

    (void)state;
    memset(&tz, 0x5a, sizeof tz);
    assert_int_equal(tz_parse("", 0, "x", &tz, &why), CM_ERR_VALIDATION_FAILED);
    assert_true(why.len > 0);
    assert_int_equal(tz_parse("TZjf2", 5, "x", &tz, NULL),
                     CM_ERR_VALIDATION_FAILED);
    for (size_t i = 0; i < sizeof bad_footers / sizeof bad_footers[0]; i++) {
        s.footer = bad_footers[i];
        build(&s, &b);
        if (tz_parse(b.data, b.len, "x", &tz, NULL) != CM_ERR_VALIDATION_FAILED)
            fail_msg("footer '%s' was accepted", bad_footers[i]);
        buf_release(&b);
    }
    /* Transitions out of order, and an index naming a missing type. */
    s.footer = "EST5";
    s.n_times = 1;
    s.times = times;
    s.idx = idx + 1;
    build(&s, &b);
    assert_int_equal(tz_parse(b.data, b.len, "x", &tz, NULL),
                     CM_ERR_VALIDATION_FAILED);
    buf_release(&b);
    s.n_times = 2;
    s.idx = idx;
    build(&s, &b);
    assert_int_equal(tz_parse(b.data, b.len, "x", &tz, NULL),
                     CM_ERR_VALIDATION_FAILED);
    buf_release(&b);
    buf_release(&why);
}

static void
test_every_truncation_and_byte_flip_of_a_real_file(void **state)
{
    struct buf data = BUF_INIT;
    struct tz tz;

    (void)state;
    assert_int_equal(zoneinfo_read("America/Denver", &data), CM_ERR_OK);
    /* Every proper prefix is rejected (the footer's newline is last). */
    for (size_t n = 0; n < data.len; n++) {
        char *copy = cm_malloc(n ? n : 1);

        memcpy(copy, data.data, n);
        assert_int_equal(tz_parse(copy, n, "x", &tz, NULL),
                         CM_ERR_VALIDATION_FAILED);
        cm_free(copy);
    }
    /* Flipping any byte either still parses or is rejected; under the
     * sanitizers this shows no read goes out of bounds. */
    for (size_t i = 0; i < data.len; i++) {
        char *copy = cm_malloc(data.len);

        memcpy(copy, data.data, data.len);
        copy[i] = (char)(copy[i] ^ 0xff);
        if (tz_parse(copy, data.len, "x", &tz, NULL) == CM_ERR_OK) {
            (void)tz_offset_at(&tz, 0);
            tz_release(&tz);
        }
        cm_free(copy);
    }
    buf_release(&data);
}

static void
test_zoneinfo_names(void **state)
{
    char long_name[ZONEINFO_NAME_MAX + 2];
    struct buf b = BUF_INIT;

    (void)state;
    assert_true(zoneinfo_is_valid_name("America/Denver"));
    assert_true(zoneinfo_is_valid_name("Etc/GMT+7"));
    assert_true(zoneinfo_is_valid_name("America/Argentina/Buenos_Aires"));
    assert_true(zoneinfo_is_valid_name("UTC"));
    assert_false(zoneinfo_is_valid_name(NULL));
    assert_false(zoneinfo_is_valid_name(""));
    assert_false(zoneinfo_is_valid_name("../etc/passwd"));
    assert_false(zoneinfo_is_valid_name("America/../../etc/passwd"));
    assert_false(zoneinfo_is_valid_name("/etc/passwd"));
    assert_false(zoneinfo_is_valid_name("America//Denver"));
    assert_false(zoneinfo_is_valid_name("America/"));
    assert_false(zoneinfo_is_valid_name("America/New York"));
    assert_false(zoneinfo_is_valid_name("America\\Denver"));
    memset(long_name, 'A', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_false(zoneinfo_is_valid_name(long_name));
    assert_int_equal(zoneinfo_read("../etc/passwd", &b),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(zoneinfo_read("Mars/Olympus_Mons", &b), CM_ERR_NOT_FOUND);
    assert_int_equal(zoneinfo_read("America", &b), CM_ERR_NOT_FOUND);
    assert_null(b.data);
}

static void
test_zoneinfo_honors_tzdir(void **state)
{
    char dir[] = "/tmp/test_tz_XXXXXX";
    char path[64];
    struct buf b = BUF_INIT;
    const char *old = getenv("TZDIR");
    char *saved = cm_strdup(old);

    (void)state;
    assert_non_null(mkdtemp(dir));
    (void)snprintf(path, sizeof path, "%s/Test_Zone", dir);
    assert_int_equal(file_write_new(path, "TZif-test", 9, 0600), CM_ERR_OK);
    assert_int_equal(setenv("TZDIR", dir, 1), 0);
    assert_int_equal(zoneinfo_read("Test_Zone", &b), CM_ERR_OK);
    assert_int_equal(b.len, 9);
    assert_memory_equal(b.data, "TZif-test", 9);
    buf_release(&b);
    assert_int_equal(zoneinfo_read("America/Denver", &b), CM_ERR_NOT_FOUND);
    if (saved)
        assert_int_equal(setenv("TZDIR", saved, 1), 0);
    else
        assert_int_equal(unsetenv("TZDIR"), 0);
    cm_free(saved);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_denver_offsets_around_2020_transitions),
        cmocka_unit_test(test_denver_far_future_uses_footer_rule),
        cmocka_unit_test(test_denver_local_to_utc_gap_and_overlap),
        cmocka_unit_test(test_southern_and_fixed_zones),
        cmocka_unit_test(test_synthetic_version1),
        cmocka_unit_test(test_synthetic_footers),
        cmocka_unit_test(test_rejects_bad_data),
        cmocka_unit_test(test_every_truncation_and_byte_flip_of_a_real_file),
        cmocka_unit_test(test_zoneinfo_names),
        cmocka_unit_test(test_zoneinfo_honors_tzdir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
