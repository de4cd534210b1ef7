/*
 * test_deadline.c: deadline rules against the real 2008-2023 federal
 * calendar. Every expected date is reasoned out in a comment from the
 * published calendar (weekday of the date, OPM's holiday list), not taken
 * from the code's output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/zoneinfo.h"
#include "domain/calendar.h"
#include "domain/date.h"
#include "domain/deadline.h"
#include "domain/tz.h"

static int32_t
day_of(const char *s)
{
    int32_t day = 0;

    assert_int_equal(date_parse(s, &day), CM_ERR_OK);
    return day;
}

/* Compute a day deadline on `cal` and return the due date as text. */
static const char *
due_days(const struct calendar *cal,
         const char *rule,
         const char *from,
         int64_t days,
         enum deadline_direction dir,
         struct deadline_result *r)
{
    static char out[DATE_RFC3339_SIZE];
    struct buf why = BUF_INIT;

    if (deadline_compute_days(cal, rule, day_of(from), days, dir, r, &why) !=
        CM_ERR_OK)
        fail_msg("%s from %s: %s", rule, from, buf_str(&why));
    buf_release(&why);
    deadline_format_due(r, out);
    return out;
}

static void
test_subpoena_14_days_counts_mlk_day(void **state)
{
    struct calendar cal;
    struct deadline_result r;

    (void)state;
    calendar_init_federal(&cal);
    /* Served Monday 13 January 2020; day 14 is Monday 27 January, a
     * working day. MLK Day (Monday 20 January, third Monday) is an
     * intermediate day and is counted under FRCP 6(a)(1)(B). */
    assert_string_equal(due_days(&cal, "frcp6-days", "2020-01-13", 14,
                                 DEADLINE_DIRECTION_AFTER, &r),
                        "2020-01-27");
    assert_string_equal(r.rule->id, "frcp6-days");
    assert_int_equal(r.rule->effective_from, 20091201);
    assert_int_equal(r.calendar_version, 1);
    assert_int_equal(r.n_steps, 0);
    assert_int_equal(r.landed_day, r.due_day);
    deadline_result_release(&r);
    deadline_result_release(&r);
    calendar_release(&cal);
}

static void
test_periods_ending_on_observed_holidays(void **state)
{
    struct calendar cal;
    struct deadline_result r;

    (void)state;
    calendar_init_federal(&cal);
    /* 14 days after Friday 19 June 2020 is Friday 3 July 2020,
     * Independence Day observed (4 July was a Saturday); Saturday 4 and
     * Sunday 5 follow, so it runs to Monday 6 July. */
    assert_string_equal(due_days(&cal, "frcp6-days", "2020-06-19", 14,
                                 DEADLINE_DIRECTION_AFTER, &r),
                        "2020-07-06");
    assert_int_equal(r.landed_day, day_of("2020-07-03"));
    assert_int_equal(r.n_steps, 3);
    assert_int_equal(r.steps[0].kind, DEADLINE_STEP_KIND_ROLLED_OVER);
    assert_int_equal(r.steps[0].day, day_of("2020-07-03"));
    assert_non_null(strstr(r.steps[0].reason, "Independence Day"));
    assert_non_null(strstr(r.steps[1].reason, "weekend (Saturday)"));
    assert_non_null(strstr(r.steps[2].reason, "weekend (Sunday)"));
    deadline_result_release(&r);
    /* 14 days after Monday 19 December 2022 is Monday 2 January 2023, New
     * Year's Day observed (1 January was a Sunday): Tuesday 3 January. */
    assert_string_equal(due_days(&cal, "frcp6-days", "2022-12-19", 14,
                                 DEADLINE_DIRECTION_AFTER, &r),
                        "2023-01-03");
    assert_int_equal(r.n_steps, 1);
    assert_non_null(strstr(r.steps[0].reason, "New Year's Day"));
    deadline_result_release(&r);
    calendar_release(&cal);
}

static void
test_juneteenth_from_2021(void **state)
{
    struct calendar cal;
    struct deadline_result r;

    (void)state;
    calendar_init_federal(&cal);
    /* 14 days after Friday 5 June 2020 is Friday 19 June 2020: not yet a
     * holiday (Juneteenth became one in June 2021), so it stays. */
    assert_string_equal(due_days(&cal, "frcp6-days", "2020-06-05", 14,
                                 DEADLINE_DIRECTION_AFTER, &r),
                        "2020-06-19");
    assert_int_equal(r.n_steps, 0);
    deadline_result_release(&r);
    /* 14 days after Monday 5 June 2023 is Monday 19 June 2023, Juneteenth:
     * it rolls to Tuesday 20 June. */
    assert_string_equal(due_days(&cal, "frcp6-days", "2023-06-05", 14,
                                 DEADLINE_DIRECTION_AFTER, &r),
                        "2023-06-20");
    assert_int_equal(r.n_steps, 1);
    assert_non_null(strstr(r.steps[0].reason, "Juneteenth"));
    deadline_result_release(&r);
    calendar_release(&cal);
}

static void
test_closure_eo_13900(void **state)
{
    struct calendar cal;
    struct deadline_result r;
    struct buf text = BUF_INIT;

    (void)state;
    calendar_init_federal(&cal);
    /* 14 days after Tuesday 10 December 2019 is Tuesday 24 December. With
     * no closure on the calendar, that is the due date. */
    assert_string_equal(due_days(&cal, "frcp6-days", "2019-12-10", 14,
                                 DEADLINE_DIRECTION_AFTER, &r),
                        "2019-12-24");
    assert_int_equal(r.calendar_version, 1);
    deadline_result_release(&r);
    /* Executive Order 13900 closed federal offices on 24 December 2019;
     * Christmas was Wednesday the 25th, so it runs to Thursday 26. */
    assert_int_equal(calendar_add_closure(&cal, day_of("2019-12-24"),
                                          "Christmas Eve",
                                          "Executive Order 13900", NULL),
                     CM_ERR_OK);
    assert_string_equal(due_days(&cal, "frcp6-days", "2019-12-10", 14,
                                 DEADLINE_DIRECTION_AFTER, &r),
                        "2019-12-26");
    assert_int_equal(r.calendar_version, 2);
    deadline_explain(&r, &text);
    assert_non_null(strstr(buf_str(&text), "calendar: federal version 2\n"));
    assert_non_null(strstr(buf_str(&text),
                           "rolled over: Tuesday 2019-12-24: closure: "
                           "Christmas Eve [Executive Order 13900]\n"));
    assert_non_null(strstr(buf_str(&text),
                           "rolled over: Wednesday 2019-12-25: legal "
                           "holiday: Christmas Day [5 U.S.C. 6103(a)]\n"));
    assert_non_null(strstr(buf_str(&text), "due: Thursday 2019-12-26\n"));
    assert_non_null(strstr(buf_str(&text), "trigger: Tuesday 2019-12-10\n"));
    assert_non_null(strstr(buf_str(&text), "period: 14 days after"));
    buf_release(&text);
    deadline_result_release(&r);
    calendar_release(&cal);
}

static void
test_backward_count(void **state)
{
    struct calendar cal;
    struct deadline_result r;
    struct buf text = BUF_INIT;

    (void)state;
    calendar_init_federal(&cal);
    /* 14 days before Friday 17 July 2020 is Friday 3 July, Independence
     * Day observed; FRCP 6(a)(5) moves back to Thursday 2 July. */
    assert_string_equal(due_days(&cal, "frcp6-days", "2020-07-17", 14,
                                 DEADLINE_DIRECTION_BEFORE, &r),
                        "2020-07-02");
    deadline_explain(&r, &text);
    assert_non_null(strstr(buf_str(&text), "period: 14 days before"));
    buf_release(&text);
    deadline_result_release(&r);
    /* 7 days before Monday 11 January 2021 is Monday 4 January, a
     * working day. */
    assert_string_equal(due_days(&cal, "frcp6-days", "2021-01-11", 7,
                                 DEADLINE_DIRECTION_BEFORE, &r),
                        "2021-01-04");
    deadline_result_release(&r);
    calendar_release(&cal);
}

static void
test_business_days(void **state)
{
    struct calendar cal;
    struct deadline_result r;

    (void)state;
    calendar_init_federal(&cal);
    /* From Wednesday 25 November 2020: Thanksgiving (Thu 26) not counted,
     * Fri 27 is 1, Sat 28 and Sun 29 not counted, Mon 30 is 2, Tue 1
     * December 3, Wed 2 is 4, Thu 3 is 5. */
    assert_string_equal(due_days(&cal, "business-days", "2020-11-25", 5,
                                 DEADLINE_DIRECTION_AFTER, &r),
                        "2020-12-03");
    assert_int_equal(r.n_steps, 3);
    assert_int_equal(r.steps[0].kind, DEADLINE_STEP_KIND_NOT_COUNTED);
    assert_int_equal(r.steps[0].day, day_of("2020-11-26"));
    assert_non_null(strstr(r.steps[0].reason, "Thanksgiving Day"));
    assert_int_equal(r.steps[1].day, day_of("2020-11-28"));
    assert_int_equal(r.steps[2].day, day_of("2020-11-29"));
    deadline_result_release(&r);
    /* Backward: 3 business days before Tuesday 8 September 2020 skip
     * Labor Day (Mon 7) and the weekend: Fri 4 is 1, Thu 3 is 2, Wed 2 is
     * 3. */
    assert_string_equal(due_days(&cal, "business-days", "2020-09-08", 3,
                                 DEADLINE_DIRECTION_BEFORE, &r),
                        "2020-09-02");
    deadline_result_release(&r);
    calendar_release(&cal);
}

static void
test_pre_2009_rule_by_effective_date(void **state)
{
    struct calendar cal;
    struct deadline_result r;
    struct buf why = BUF_INIT;

    (void)state;
    calendar_init_federal(&cal);
    /* Before the 2009 amendments a period of less than 11 days skipped
     * intermediate weekends and holidays. From Monday 1 December 2008,
     * 10 days: Dec 2-5 are 1-4, 6-7 weekend, 8-12 are 5-9, 13-14 weekend,
     * Monday 15 is 10. */
    assert_string_equal(due_days(&cal, "frcp6-days", "2008-12-01", 10,
                                 DEADLINE_DIRECTION_AFTER, &r),
                        "2008-12-15");
    assert_int_equal(r.rule->effective_to, 20091130);
    assert_int_equal(r.n_steps, 4);
    deadline_result_release(&r);
    /* 11 days or more counted every day then too: Monday 1 December 2008
     * + 11 is Friday 12 December. */
    assert_string_equal(due_days(&cal, "frcp6-days", "2008-12-01", 11,
                                 DEADLINE_DIRECTION_AFTER, &r),
                        "2008-12-12");
    deadline_result_release(&r);
    /* From Tuesday 1 December 2009 the amended rule counts every day: 10
     * days is Friday 11 December. */
    assert_string_equal(due_days(&cal, "frcp6-days", "2009-12-01", 10,
                                 DEADLINE_DIRECTION_AFTER, &r),
                        "2009-12-11");
    assert_int_equal(r.rule->effective_from, 20091201);
    deadline_result_release(&r);
    /* No version of the rule is modeled before 1 August 1985. */
    assert_int_equal(deadline_compute_days(&cal, "frcp6-days",
                                           day_of("1980-01-02"), 10,
                                           DEADLINE_DIRECTION_AFTER, &r, &why),
                     CM_ERR_VALIDATION_FAILED);
    assert_non_null(strstr(buf_str(&why), "no version in effect"));
    buf_release(&why);
    calendar_release(&cal);
}

static void
test_bad_input(void **state)
{
    struct calendar cal;
    struct deadline_result r;
    struct buf why = BUF_INIT;

    (void)state;
    calendar_init_federal(&cal);
    memset(&r, 0x5a, sizeof r);
    assert_int_equal(deadline_compute_days(&cal, "frcp6-days",
                                           day_of("2020-01-13"), -1,
                                           DEADLINE_DIRECTION_AFTER, &r, &why),
                     CM_ERR_VALIDATION_FAILED);
    assert_non_null(strstr(buf_str(&why), "period"));
    buf_reset(&why);
    assert_int_equal(deadline_compute_days(&cal, "no-such-rule",
                                           day_of("2020-01-13"), 14,
                                           DEADLINE_DIRECTION_AFTER, &r, &why),
                     CM_ERR_VALIDATION_FAILED);
    assert_string_equal(buf_str(&why), "unknown deadline rule 'no-such-rule'");
    buf_reset(&why);
    assert_int_equal(deadline_compute_days(&cal, "48h-clock",
                                           day_of("2020-01-13"), 2,
                                           DEADLINE_DIRECTION_AFTER, &r, &why),
                     CM_ERR_VALIDATION_FAILED);
    assert_non_null(strstr(buf_str(&why), "counts hours"));
    assert_int_equal(deadline_compute_days(&cal, NULL, day_of("2020-01-13"), 2,
                                           DEADLINE_DIRECTION_AFTER, &r, NULL),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(deadline_compute_days(&cal, "frcp6-days",
                                           day_of("9999-12-20"), 30,
                                           DEADLINE_DIRECTION_AFTER, &r, NULL),
                     CM_ERR_VALIDATION_FAILED);
    /* `r` was never written. */
    assert_int_equal(r.n_steps, (size_t)0x5a5a5a5a5a5a5a5aULL);
    assert_null(deadline_rule_find_any("nope"));
    assert_non_null(deadline_rule_find("business-days", 0));
    buf_release(&why);
    calendar_release(&cal);
}

static void
load_denver(struct tz *tz)
{
    struct buf data = BUF_INIT;

    assert_int_equal(zoneinfo_read("America/Denver", &data), CM_ERR_OK);
    assert_int_equal(tz_parse(data.data, data.len, "America/Denver", tz, NULL),
                     CM_ERR_OK);
    buf_release(&data);
}

/* Compute an hour clock from a Denver local time; the due instant as
 * RFC 3339. */
static const char *
due_hours(const struct calendar *cal,
          const struct tz *tz,
          const char *rule,
          const char *from_local,
          int64_t hours,
          struct deadline_result *r)
{
    static char out[DATE_RFC3339_SIZE];
    struct buf why = BUF_INIT;
    int64_t local, utc;

    assert_int_equal(date_time_parse_local(from_local, &local), CM_ERR_OK);
    tz_local_to_utc(tz, local, &utc, NULL);
    if (deadline_compute_hours(cal, tz, rule, utc, hours, r, &why) != CM_ERR_OK)
        fail_msg("%s from %s: %s", rule, from_local, buf_str(&why));
    buf_release(&why);
    deadline_format_due(r, out);
    return out;
}

static void
test_hour_clocks_mlk_weekend_2020(void **state)
{
    struct calendar cal;
    struct tz tz;
    struct deadline_result r;
    struct buf text = BUF_INIT;

    (void)state;
    calendar_init_federal(&cal);
    load_denver(&tz);
    /* Friday 17 January 2020 15:00 MST (-07:00, no DST in January). 48
     * elapsed hours: Sunday 19 January 15:00. */
    assert_string_equal(
        due_hours(&cal, &tz, "48h-clock", "2020-01-17T15:00", 48, &r),
        "2020-01-19T15:00:00-07:00");
    deadline_result_release(&r);
    /* FRCP 6(a)(2): the period ends Sunday; Monday 20 January is MLK Day;
     * same time on Tuesday 21 January. */
    assert_string_equal(
        due_hours(&cal, &tz, "frcp6-hours", "2020-01-17T15:00", 48, &r),
        "2020-01-21T15:00:00-07:00");
    assert_int_equal(r.n_steps, 2);
    assert_int_equal(r.steps[0].day, day_of("2020-01-19"));
    assert_int_equal(r.steps[1].day, day_of("2020-01-20"));
    assert_non_null(strstr(r.steps[1].reason, "Martin Luther King"));
    deadline_result_release(&r);
    /* 8 CFR 287.7(d): Friday 15:00-24:00 is 9 hours; Saturday, Sunday and
     * MLK Monday are not counted; Tuesday gives 24 (33 in all); the last
     * 15 end Wednesday 22 January at 15:00. */
    assert_string_equal(due_hours(&cal, &tz, "48h-excluding-weekends-holidays",
                                  "2020-01-17T15:00", 48, &r),
                        "2020-01-22T15:00:00-07:00");
    deadline_explain(&r, &text);
    assert_non_null(strstr(buf_str(&text),
                           "counted: Friday 2020-01-17: 9 h\n"
                           "not counted: Saturday 2020-01-18: weekend "
                           "(Saturday)\n"
                           "not counted: Sunday 2020-01-19: weekend "
                           "(Sunday)\n"
                           "not counted: Monday 2020-01-20: legal holiday: "
                           "Birthday of Martin Luther King, Jr. [5 U.S.C. "
                           "6103(a)]\n"
                           "counted: Tuesday 2020-01-21: 24 h\n"
                           "counted: Wednesday 2020-01-22: 15 h\n"));
    assert_non_null(
        strstr(buf_str(&text), "due: 2020-01-22T15:00:00-07:00 (Wednesday)"));
    assert_non_null(strstr(buf_str(&text), "in America/Denver"));
    buf_release(&text);
    deadline_result_release(&r);
    tz_release(&tz);
    calendar_release(&cal);
}

static void
test_hour_clocks_across_dst(void **state)
{
    struct calendar cal;
    struct tz tz;
    struct deadline_result r;
    struct buf text = BUF_INIT;

    (void)state;
    calendar_init_federal(&cal);
    load_denver(&tz);
    /* US DST began Sunday 8 March 2020 at 02:00 local. From Saturday 7
     * March 12:00 MST, 48 elapsed hours end Monday 9 March at 13:00 MDT:
     * the wall clock shows 49 hours. */
    assert_string_equal(
        due_hours(&cal, &tz, "48h-clock", "2020-03-07T12:00", 48, &r),
        "2020-03-09T13:00:00-06:00");
    deadline_explain(&r, &text);
    assert_non_null(strstr(buf_str(&text), "from -07:00 to -06:00"));
    buf_release(&text);
    deadline_result_release(&r);
    /* DST ended Sunday 1 November 2020 at 02:00 local. From Saturday 31
     * October 12:00 MDT, 48 elapsed hours end Monday 2 November at 11:00
     * MST: the wall clock shows 47 hours. */
    assert_string_equal(
        due_hours(&cal, &tz, "48h-clock", "2020-10-31T12:00", 48, &r),
        "2020-11-02T11:00:00-07:00");
    deadline_result_release(&r);
    /* The same under 8 CFR 287.7(d): Saturday and Sunday are not counted,
     * so the 48 hours are all of Monday 2 and Tuesday 3 November, ending
     * at midnight that begins Wednesday 4 November. */
    assert_string_equal(due_hours(&cal, &tz, "48h-excluding-weekends-holidays",
                                  "2020-10-31T12:00", 48, &r),
                        "2020-11-04T00:00:00-07:00");
    deadline_result_release(&r);
    /* The 8 March 2020 DST day has only 23 hours: from Saturday 7 March
     * 12:00 MST under 6(a)(2), 24 hours end Sunday 8 March 13:00 MDT, a
     * Sunday, so the deadline is Monday 9 March at 13:00. */
    assert_string_equal(
        due_hours(&cal, &tz, "frcp6-hours", "2020-03-07T12:00", 24, &r),
        "2020-03-09T13:00:00-06:00");
    deadline_result_release(&r);
    tz_release(&tz);
    calendar_release(&cal);
}

static void
test_hour_clock_bad_input(void **state)
{
    struct calendar cal;
    struct tz tz;
    struct deadline_result r;
    struct buf why = BUF_INIT;

    (void)state;
    /* 1579471200 is 2020-01-19T22:00:00Z. */
    calendar_init_federal(&cal);
    load_denver(&tz);
    assert_int_equal(
        deadline_compute_hours(&cal, &tz, "48h-clock", 0, -1, &r, &why),
        CM_ERR_VALIDATION_FAILED);
    assert_non_null(strstr(buf_str(&why), "period"));
    buf_reset(&why);
    assert_int_equal(deadline_compute_hours(&cal, &tz, "frcp6-days", 1579471200,
                                            48, &r, &why),
                     CM_ERR_VALIDATION_FAILED);
    assert_non_null(strstr(buf_str(&why), "counts days"));
    assert_int_equal(
        deadline_compute_hours(&cal, &tz, "bogus", 0, 48, &r, NULL),
        CM_ERR_VALIDATION_FAILED);
    buf_release(&why);
    tz_release(&tz);
    calendar_release(&cal);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subpoena_14_days_counts_mlk_day),
        cmocka_unit_test(test_periods_ending_on_observed_holidays),
        cmocka_unit_test(test_juneteenth_from_2021),
        cmocka_unit_test(test_closure_eo_13900),
        cmocka_unit_test(test_backward_count),
        cmocka_unit_test(test_business_days),
        cmocka_unit_test(test_pre_2009_rule_by_effective_date),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_hour_clocks_mlk_weekend_2020),
        cmocka_unit_test(test_hour_clocks_across_dst),
        cmocka_unit_test(test_hour_clock_bad_input),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
