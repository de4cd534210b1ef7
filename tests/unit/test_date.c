/*
 * test_date.c: civil dates, validation, weekdays, nth/last weekday rules
 * and the strict text forms of domain/date.h. Expected weekdays and dates
 * come from the published calendar, as each comment says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/date.h"

static int32_t
ymd(int32_t y, int m, int d)
{
    int32_t day = 0;

    assert_int_equal(date_from_ymd(y, m, d, &day), CM_ERR_OK);
    return day;
}

static void
test_epoch_and_known_day_numbers(void **state)
{
    (void)state;
    /* Day 0 is the Unix epoch; 2000-01-01 is 10957 days later (30 years
     * of 365 days plus the 7 leap days 1972..1996). */
    assert_int_equal(ymd(1970, 1, 1), 0);
    assert_int_equal(ymd(1969, 12, 31), -1);
    assert_int_equal(ymd(2000, 1, 1), 10957);
    /* 2000 was a leap year (divisible by 400): Jan 31 + Feb 29 days. */
    assert_int_equal(ymd(2000, 3, 1), 10957 + 31 + 29);
}

static void
test_validation(void **state)
{
    int32_t day = 12345;

    (void)state;
    assert_true(date_is_valid_ymd(2020, 2, 29));  /* 2020 leap year */
    assert_false(date_is_valid_ymd(2021, 2, 29)); /* 2021 is not */
    assert_false(date_is_valid_ymd(1900, 2, 29)); /* century, not /400 */
    assert_true(date_is_valid_ymd(2000, 2, 29));  /* divisible by 400 */
    assert_false(date_is_valid_ymd(2020, 4, 31)); /* April has 30 days */
    assert_false(date_is_valid_ymd(2020, 13, 1));
    assert_false(date_is_valid_ymd(2020, 0, 1));
    assert_false(date_is_valid_ymd(2020, 1, 0));
    assert_false(date_is_valid_ymd(0, 1, 1));
    assert_false(date_is_valid_ymd(10000, 1, 1));
    /* A rejected date leaves the out-parameter alone. */
    assert_int_equal(date_from_ymd(2021, 2, 29, &day),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(day, 12345);
}

static void
test_weekdays(void **state)
{
    (void)state;
    /* 1970-01-01 was a Thursday; 1969-12-31 a Wednesday; 2000-01-01 a
     * Saturday; 2020-01-13 a Monday (the subpoena example). */
    assert_int_equal(date_weekday(0), DATE_WEEKDAY_THURSDAY);
    assert_int_equal(date_weekday(-1), DATE_WEEKDAY_WEDNESDAY);
    assert_int_equal(date_weekday(ymd(2000, 1, 1)), DATE_WEEKDAY_SATURDAY);
    assert_int_equal(date_weekday(ymd(2020, 1, 13)), DATE_WEEKDAY_MONDAY);
    /* 1776-07-04 was a Thursday (proleptic Gregorian, before 1970). */
    assert_int_equal(date_weekday(ymd(1776, 7, 4)), DATE_WEEKDAY_THURSDAY);
    assert_true(date_is_weekend(ymd(2020, 7, 4)));  /* a Saturday */
    assert_true(date_is_weekend(ymd(2023, 1, 1)));  /* a Sunday */
    assert_false(date_is_weekend(ymd(2020, 7, 3))); /* a Friday */
    assert_string_equal(date_weekday_name(DATE_WEEKDAY_MONDAY), "Monday");
}

static void
test_round_trip_every_day(void **state)
{
    (void)state;
    /* Every day from 0001-01-01 to 9999-12-31 splits into a valid date
     * that maps back to the same number, and consecutive days advance the
     * weekday by one. */
    int32_t first = ymd(1, 1, 1), last = ymd(9999, 12, 31);

    for (int32_t day = first; day <= last; day++) {
        int32_t y;
        int m, d;

        date_to_ymd(day, &y, &m, &d);
        assert_true(date_is_valid_ymd(y, m, d));
        assert_int_equal(ymd(y, m, d), day);
        assert_int_equal((date_weekday(day) + 1) % 7, date_weekday(day + 1));
    }
}

static void
test_nth_and_last_weekday(void **state)
{
    int32_t day = 0;

    (void)state;
    /* MLK Day 2020, third Monday of January: 20 January 2020. */
    assert_int_equal(date_nth_weekday(2020, 1, DATE_WEEKDAY_MONDAY, 3, &day),
                     CM_ERR_OK);
    assert_int_equal(day, ymd(2020, 1, 20));
    /* Thanksgiving 2020, fourth Thursday of November: 26 November. */
    assert_int_equal(date_nth_weekday(2020, 11, DATE_WEEKDAY_THURSDAY, 4, &day),
                     CM_ERR_OK);
    assert_int_equal(day, ymd(2020, 11, 26));
    /* Labor Day 2021, first Monday of September: 6 September. */
    assert_int_equal(date_nth_weekday(2021, 9, DATE_WEEKDAY_MONDAY, 1, &day),
                     CM_ERR_OK);
    assert_int_equal(day, ymd(2021, 9, 6));
    /* February 2020 began on a Saturday, so it had five Saturdays, the
     * fifth on the 29th; February 2021 had only four Mondays. */
    assert_int_equal(date_nth_weekday(2020, 2, DATE_WEEKDAY_SATURDAY, 5, &day),
                     CM_ERR_OK);
    assert_int_equal(day, ymd(2020, 2, 29));
    day = 7;
    assert_int_equal(date_nth_weekday(2021, 2, DATE_WEEKDAY_MONDAY, 5, &day),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(day, 7);
    assert_int_equal(date_nth_weekday(2021, 2, DATE_WEEKDAY_MONDAY, 0, &day),
                     CM_ERR_VALIDATION_FAILED);
    /* Memorial Day, last Monday of May: 25 May 2020, 31 May 2021. */
    assert_int_equal(date_last_weekday(2020, 5, DATE_WEEKDAY_MONDAY, &day),
                     CM_ERR_OK);
    assert_int_equal(day, ymd(2020, 5, 25));
    assert_int_equal(date_last_weekday(2021, 5, DATE_WEEKDAY_MONDAY, &day),
                     CM_ERR_OK);
    assert_int_equal(day, ymd(2021, 5, 31));
    assert_int_equal(date_last_weekday(2021, 13, DATE_WEEKDAY_MONDAY, &day),
                     CM_ERR_VALIDATION_FAILED);
}

static void
test_parse_and_format_dates(void **state)
{
    static const char *const bad[] = {
        "",
        "2020-1-13",
        "2020-01-3",
        "20200113",
        "2020-01-13 ",
        " 2020-01-13",
        "2020-01-13T00:00",
        "2020/01/13",
        "+2020-01-13",
        "2020-13-01",
        "2020-00-10",
        "2020-01-00",
        "2020-01-32",
        "2021-02-29",
        "0000-01-01",
        "2020-01-1a",
        "2020-01-13\n",
    };
    int32_t day = 99;
    char out[DATE_STR_SIZE];

    (void)state;
    assert_int_equal(date_parse("2020-02-29", &day), CM_ERR_OK);
    assert_int_equal(day, ymd(2020, 2, 29));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        day = 99;
        assert_int_equal(date_parse(bad[i], &day), CM_ERR_VALIDATION_FAILED);
        assert_int_equal(day, 99);
    }
    assert_int_equal(date_parse(NULL, &day), CM_ERR_VALIDATION_FAILED);
    date_format(0, out);
    assert_string_equal(out, "1970-01-01");
    date_format(ymd(9999, 12, 31), out);
    assert_string_equal(out, "9999-12-31");
    date_format(ymd(1, 1, 1), out);
    assert_string_equal(out, "0001-01-01");
    date_format(ymd(1, 1, 1) - 1, out); /* year 0, outside the range */
    assert_string_equal(out, "0000-12-31");
}

static void
test_local_date_times(void **state)
{
    static const char *const bad[] = {
        "2020-01-17",          "2020-01-17T24:00",
        "2020-01-17T15:60",    "2020-01-17 15:00",
        "2020-01-17T15:00Z",   "2020-01-17T15:00:5",
        "2020-01-17T15:00:60", "2020-01-17T1500",
        "2020-01-17t15:00",    "2020-01-17T15:00:00-07:00",
        "2021-02-29T10:00",
    };
    int64_t t = 5;
    char out[DATE_TIME_STR_SIZE];

    (void)state;
    assert_int_equal(date_time_parse_local("2020-01-17T15:00", &t), CM_ERR_OK);
    assert_int_equal(t, date_time_make(ymd(2020, 1, 17), 15 * 3600));
    assert_int_equal(date_time_parse_local("2020-01-17T15:00:59", &t),
                     CM_ERR_OK);
    assert_int_equal(t, date_time_make(ymd(2020, 1, 17), 15 * 3600 + 59));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = 5;
        assert_int_equal(date_time_parse_local(bad[i], &t),
                         CM_ERR_VALIDATION_FAILED);
        assert_int_equal(t, 5);
    }
    date_time_format_local(date_time_make(ymd(2020, 1, 17), 3723), out);
    assert_string_equal(out, "2020-01-17T01:02:03");
    /* Before 1970 the split rounds toward the past: one second before the
     * epoch is 23:59:59 on 1969-12-31. */
    assert_int_equal(date_time_day(-1), -1);
    assert_int_equal(date_time_second_of_day(-1), 86399);
    date_time_format_local(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59");
}

static void
test_rfc3339(void **state)
{
    static const char *const bad[] = {
        "2020-01-19T15:00-07:00",   "2020-01-19T15:00:00",
        "2020-01-19T15:00:00+7:00", "2020-01-19T15:00:00-07:0",
        "2020-01-19T15:00:00-0700", "2020-01-19T15:00:00+24:00",
        "2020-01-19T15:00:00.Z",    "2020-01-19T15:00:00Z ",
        "2020-01-19 15:00:00Z",     "2020-01-19T15:00:00UTC",
    };
    int64_t utc = 1;
    int32_t off = 2;
    char out[DATE_RFC3339_SIZE];

    (void)state;
    /* 2020-01-19T22:00:00Z is Unix time 1579471200 (18280 days after the
     * epoch, plus 22 hours). 15:00 at UTC-7 is the same instant. */
    assert_int_equal(
        date_time_parse_rfc3339("2020-01-19T15:00:00-07:00", &utc, &off),
        CM_ERR_OK);
    assert_int_equal(utc, 1579471200);
    assert_int_equal(off, -7 * 3600);
    assert_int_equal(
        date_time_parse_rfc3339("2020-01-19T22:00:00Z", &utc, &off), CM_ERR_OK);
    assert_int_equal(utc, 1579471200);
    assert_int_equal(off, 0);
    assert_int_equal(
        date_time_parse_rfc3339("2020-01-19t22:00:00.987z", &utc, &off),
        CM_ERR_OK);
    assert_int_equal(utc, 1579471200);
    /* 2000-01-01T00:00:00Z is the well-known Unix time 946684800. */
    assert_int_equal(
        date_time_parse_rfc3339("2000-01-01T05:30:00+05:30", &utc, &off),
        CM_ERR_OK);
    assert_int_equal(utc, 946684800);
    assert_int_equal(off, 19800);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        utc = 1;
        off = 2;
        assert_int_equal(date_time_parse_rfc3339(bad[i], &utc, &off),
                         CM_ERR_VALIDATION_FAILED);
        assert_int_equal(utc, 1);
        assert_int_equal(off, 2);
    }
    date_time_format_rfc3339(1579471200, -7 * 3600, out);
    assert_string_equal(out, "2020-01-19T15:00:00-07:00");
    date_time_format_rfc3339(946684800, 0, out);
    assert_string_equal(out, "2000-01-01T00:00:00Z");
    date_time_format_rfc3339(946684800, 19800, out);
    assert_string_equal(out, "2000-01-01T05:30:00+05:30");
    /* An offset with seconds (local mean time) falls back to UTC. */
    date_time_format_rfc3339(946684800, -25196, out);
    assert_string_equal(out, "2000-01-01T00:00:00Z");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_epoch_and_known_day_numbers),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_weekdays),
        cmocka_unit_test(test_round_trip_every_day),
        cmocka_unit_test(test_nth_and_last_weekday),
        cmocka_unit_test(test_parse_and_format_dates),
        cmocka_unit_test(test_local_date_times),
        cmocka_unit_test(test_rfc3339),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
