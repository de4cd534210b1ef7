/*
 * test_calendar.c: the federal calendar of 5 U.S.C. 6103 checked against
 * OPM's published lists of federal holidays (opm.gov, "Federal Holidays"
 * for each year), plus closures, state holidays and versions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "domain/calendar.h"
#include "domain/date.h"

struct expect {
    const char *date;
    const char *name;
};

static int32_t
day_of(const char *s)
{
    int32_t day = 0;

    assert_int_equal(date_parse(s, &day), CM_ERR_OK);
    return day;
}

static void
check_year(const struct calendar *cal,
           int32_t year,
           const struct expect *want,
           size_t n_want)
{
    int32_t *days;
    const char **names;
    size_t n;
    char date[DATE_STR_SIZE];

    calendar_list_holidays(cal, year, &days, &names, &n);
    for (size_t i = 0; i < n && i < n_want; i++) {
        date_format(days[i], date);
        if (strcmp(date, want[i].date) != 0 ||
            strcmp(names[i], want[i].name) != 0)
            fail_msg("%d holiday %zu: got %s %s, want %s %s", (int)year, i,
                     date, names[i], want[i].date, want[i].name);
    }
    assert_int_equal(n, n_want);
    cm_free(days);
    cm_free(names);
}

static void
test_federal_2020(void **state)
{
    /* OPM 2020: Independence Day fell on Saturday 4 July, observed Friday
     * 3 July. No Juneteenth (enacted 2021). */
    static const struct expect want[] = {
        {"2020-01-01", "New Year's Day"},
        {"2020-01-20", "Birthday of Martin Luther King, Jr."},
        {"2020-02-17", "Washington's Birthday"},
        {"2020-05-25", "Memorial Day"},
        {"2020-07-03", "Independence Day"},
        {"2020-09-07", "Labor Day"},
        {"2020-10-12", "Columbus Day"},
        {"2020-11-11", "Veterans Day"},
        {"2020-11-26", "Thanksgiving Day"},
        {"2020-12-25", "Christmas Day"},
    };
    struct calendar cal;

    (void)state;
    calendar_init_federal(&cal);
    check_year(&cal, 2020, want, sizeof want / sizeof want[0]);
    calendar_release(&cal);
}

static void
test_federal_2021(void **state)
{
    /* OPM 2021: Juneteenth (Saturday 19 June) observed Friday 18 June, the
     * day after Pub. L. 117-17 was signed; Independence Day (Sunday)
     * observed Monday 5 July; Christmas (Saturday) observed Friday 24
     * December; New Year's Day 2022 (Saturday) observed Friday 31 December
     * 2021. Inauguration Day (20 January) is not a 6103(a) holiday. */
    static const struct expect want[] = {
        {"2021-01-01", "New Year's Day"},
        {"2021-01-18", "Birthday of Martin Luther King, Jr."},
        {"2021-02-15", "Washington's Birthday"},
        {"2021-05-31", "Memorial Day"},
        {"2021-06-18", "Juneteenth National Independence Day"},
        {"2021-07-05", "Independence Day"},
        {"2021-09-06", "Labor Day"},
        {"2021-10-11", "Columbus Day"},
        {"2021-11-11", "Veterans Day"},
        {"2021-11-25", "Thanksgiving Day"},
        {"2021-12-24", "Christmas Day"},
        {"2021-12-31", "New Year's Day"},
    };
    struct calendar cal;

    (void)state;
    calendar_init_federal(&cal);
    check_year(&cal, 2021, want, sizeof want / sizeof want[0]);
    calendar_release(&cal);
}

static void
test_federal_2022_has_no_january_first(void **state)
{
    /* OPM 2022: New Year's Day was observed on 31 December 2021, so no
     * day in January 2022 is New Year's; Juneteenth (Sunday) observed
     * Monday 20 June; Christmas (Sunday) observed Monday 26 December. */
    static const struct expect want[] = {
        {"2022-01-17", "Birthday of Martin Luther King, Jr."},
        {"2022-02-21", "Washington's Birthday"},
        {"2022-05-30", "Memorial Day"},
        {"2022-06-20", "Juneteenth National Independence Day"},
        {"2022-07-04", "Independence Day"},
        {"2022-09-05", "Labor Day"},
        {"2022-10-10", "Columbus Day"},
        {"2022-11-11", "Veterans Day"},
        {"2022-11-24", "Thanksgiving Day"},
        {"2022-12-26", "Christmas Day"},
    };
    struct calendar cal;

    (void)state;
    calendar_init_federal(&cal);
    check_year(&cal, 2022, want, sizeof want / sizeof want[0]);
    calendar_release(&cal);
}

static void
test_federal_2023(void **state)
{
    /* OPM 2023: New Year's Day (Sunday) observed Monday 2 January;
     * Veterans Day (Saturday) observed Friday 10 November. */
    static const struct expect want[] = {
        {"2023-01-02", "New Year's Day"},
        {"2023-01-16", "Birthday of Martin Luther King, Jr."},
        {"2023-02-20", "Washington's Birthday"},
        {"2023-05-29", "Memorial Day"},
        {"2023-06-19", "Juneteenth National Independence Day"},
        {"2023-07-04", "Independence Day"},
        {"2023-09-04", "Labor Day"},
        {"2023-10-09", "Columbus Day"},
        {"2023-11-10", "Veterans Day"},
        {"2023-11-23", "Thanksgiving Day"},
        {"2023-12-25", "Christmas Day"},
    };
    struct calendar cal;

    (void)state;
    calendar_init_federal(&cal);
    check_year(&cal, 2023, want, sizeof want / sizeof want[0]);
    calendar_release(&cal);
}

static void
test_historical_rules(void **state)
{
    struct calendar cal;
    struct calendar_day info;

    (void)state;
    calendar_init_federal(&cal);
    /* Veterans Day 1975 was the fourth Monday of October (27 October)
     * under Pub. L. 90-363; 11 November 1975 was an ordinary Tuesday. */
    calendar_query(&cal, day_of("1975-10-27"), &info);
    assert_true(info.is_holiday);
    assert_string_equal(info.holiday_name, "Veterans Day");
    assert_false(calendar_is_nonworking(&cal, day_of("1975-11-11")));
    /* MLK Day was first observed in 1986: 20 January 1986 (third Monday)
     * was, 16 January 1984 (third Monday) was not. */
    assert_true(calendar_is_nonworking(&cal, day_of("1986-01-20")));
    assert_false(calendar_is_nonworking(&cal, day_of("1984-01-16")));
    calendar_release(&cal);
}

static void
test_query_reasons(void **state)
{
    struct calendar cal;
    struct calendar_day info;
    struct buf text = BUF_INIT;

    (void)state;
    calendar_init_federal(&cal);
    /* Friday 3 July 2020 was Independence Day observed (4 July was a
     * Saturday); the Saturday itself is a weekend day, not the holiday. */
    calendar_query(&cal, day_of("2020-07-03"), &info);
    assert_true(info.is_holiday);
    assert_false(info.is_weekend);
    assert_string_equal(info.holiday_name, "Independence Day");
    assert_string_equal(info.holiday_source, "5 U.S.C. 6103(a)");
    assert_int_equal(info.holiday_actual_day, day_of("2020-07-04"));
    calendar_describe_day(&info, &text);
    assert_string_equal(buf_str(&text),
                        "legal holiday: Independence Day (observed; falls "
                        "on Saturday 2020-07-04) [5 U.S.C. 6103(a)]");
    buf_reset(&text);
    calendar_query(&cal, day_of("2020-07-04"), &info);
    assert_true(info.is_weekend);
    assert_false(info.is_holiday);
    calendar_describe_day(&info, &text);
    assert_string_equal(buf_str(&text), "weekend (Saturday)");
    buf_reset(&text);
    /* Friday 19 June 2020 was an ordinary working day. */
    calendar_query(&cal, day_of("2020-06-19"), &info);
    assert_false(info.is_holiday || info.is_weekend || info.is_closure);
    calendar_describe_day(&info, &text);
    assert_string_equal(buf_str(&text), "working day");
    /* Friday 31 December 2021: New Year's Day 2022 observed. */
    calendar_query(&cal, day_of("2021-12-31"), &info);
    assert_true(info.is_holiday);
    assert_string_equal(info.holiday_name, "New Year's Day");
    assert_int_equal(info.holiday_actual_day, day_of("2022-01-01"));
    buf_release(&text);
    calendar_release(&cal);
}

static void
test_closures_and_versions(void **state)
{
    struct calendar cal;
    struct calendar_day info;
    struct buf why = BUF_INIT;
    struct buf text = BUF_INIT;

    (void)state;
    calendar_init_federal(&cal);
    assert_string_equal(cal.name, "federal");
    assert_int_equal(calendar_version(&cal), 1);
    /* Executive Order 13900 closed executive departments on Tuesday 24
     * December 2019. */
    assert_false(calendar_is_nonworking(&cal, day_of("2019-12-24")));
    assert_int_equal(calendar_add_closure(&cal, day_of("2019-12-24"),
                                          "Christmas Eve",
                                          "Executive Order 13900", &why),
                     CM_ERR_OK);
    assert_int_equal(calendar_version(&cal), 2);
    calendar_query(&cal, day_of("2019-12-24"), &info);
    assert_true(info.is_closure);
    assert_false(info.is_holiday);
    assert_string_equal(info.closure_name, "Christmas Eve");
    assert_string_equal(info.closure_source, "Executive Order 13900");
    calendar_describe_day(&info, &text);
    assert_string_equal(buf_str(&text),
                        "closure: Christmas Eve [Executive Order 13900]");
    /* The same day again is refused and changes nothing. */
    assert_int_equal(
        calendar_add_closure(&cal, day_of("2019-12-24"), "again", NULL, &why),
        CM_ERR_ALREADY_EXISTS);
    assert_int_equal(calendar_version(&cal), 2);
    assert_int_equal(
        calendar_add_closure(&cal, day_of("2019-12-26"), "", NULL, NULL),
        CM_ERR_VALIDATION_FAILED);
    assert_int_equal(calendar_version(&cal), 2);
    buf_release(&text);
    buf_release(&why);
    calendar_release(&cal);
    calendar_release(&cal);
    calendar_release(NULL);
}

static void
test_state_holidays(void **state)
{
    /* Massachusetts's Patriots' Day is the third Monday of April (20 April
     * 2020, 19 April 2021). */
    struct calendar_rule patriots = {
        .name = "Patriots' Day",
        .source = "Mass. Gen. Laws ch. 4, s. 7",
        .kind = CALENDAR_RULE_KIND_NTH_WEEKDAY,
        .month = 4,
        .weekday = DATE_WEEKDAY_MONDAY,
        .nth = 3,
        .observance = CALENDAR_OBSERVANCE_NONE,
    };
    struct calendar_rule bad = patriots;
    struct calendar cal;
    struct calendar_day info;
    struct buf why = BUF_INIT;

    (void)state;
    calendar_init(&cal, "massachusetts");
    assert_int_equal(calendar_version(&cal), 1);
    assert_false(calendar_is_nonworking(&cal, day_of("2020-01-01")));
    assert_int_equal(calendar_add_rule(&cal, &patriots, &why), CM_ERR_OK);
    assert_int_equal(calendar_version(&cal), 2);
    calendar_query(&cal, day_of("2020-04-20"), &info);
    assert_true(info.is_holiday);
    assert_string_equal(info.holiday_name, "Patriots' Day");
    assert_string_equal(info.holiday_source, "Mass. Gen. Laws ch. 4, s. 7");
    assert_true(calendar_is_nonworking(&cal, day_of("2021-04-19")));
    assert_false(calendar_is_nonworking(&cal, day_of("2021-04-20")));
    /* A dated holiday. */
    assert_int_equal(calendar_add_holiday(&cal, day_of("2020-11-03"),
                                          "Election Day", "state statute",
                                          &why),
                     CM_ERR_OK);
    assert_int_equal(calendar_version(&cal), 3);
    calendar_query(&cal, day_of("2020-11-03"), &info);
    assert_true(info.is_holiday);
    assert_string_equal(info.holiday_name, "Election Day");
    /* Bad rules are refused with a reason and change nothing. */
    bad.month = 13;
    assert_int_equal(calendar_add_rule(&cal, &bad, &why),
                     CM_ERR_VALIDATION_FAILED);
    assert_true(why.len > 0);
    bad = patriots;
    bad.kind = CALENDAR_RULE_KIND_FIXED;
    bad.month = 2;
    bad.mday = 30;
    assert_int_equal(calendar_add_rule(&cal, &bad, NULL),
                     CM_ERR_VALIDATION_FAILED);
    bad = patriots;
    bad.nth = 6;
    assert_int_equal(calendar_add_rule(&cal, &bad, NULL),
                     CM_ERR_VALIDATION_FAILED);
    bad = patriots;
    bad.first_year = 2020;
    bad.last_year = 2019;
    assert_int_equal(calendar_add_rule(&cal, &bad, NULL),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(calendar_version(&cal), 3);
    buf_release(&why);
    calendar_release(&cal);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_federal_2020),
        cmocka_unit_test(test_federal_2021),
        cmocka_unit_test(test_federal_2022_has_no_january_first),
        cmocka_unit_test(test_federal_2023),
        cmocka_unit_test(test_historical_rules),
        cmocka_unit_test(test_query_reasons),
        cmocka_unit_test(test_closures_and_versions),
        cmocka_unit_test(test_state_holidays),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
