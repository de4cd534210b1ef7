/*
 * test_reminders.c: the pure rules of reminders (jobs/reminders.h): lead
 * times, which stage is due on a given day or at a given instant, which
 * deadlines are still open, who is responsible, and what the email says;
 * plus the backoff of failed jobs (jobs/jobs.h).
 *
 * Dates are reasoned from the 2026 calendar: 2026-01-01 was a Thursday,
 * so 2026-12-04 (day 338 of the year, 337 days later, 337 = 48 * 7 + 1)
 * was a Friday, and Thanksgiving, the 4th Thursday of November, fell on
 * 2026-11-26 (1 November 2026 was a Sunday: Thursdays 5, 12, 19, 26).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "domain/date.h"
#include "domain/role.h"
#include "jobs/jobs.h"
#include "jobs/reminders.h"

#define HOUR_US INT64_C(3600000000)

/* 2026-12-04T15:00:00Z: 1767225600 s (2026-01-01T00:00:00Z) + 337 days
 * + 15 hours = 1796396400 s. */
#define DUE_INSTANT_US (INT64_C(1796396400) * 1000000)

static int32_t
day(const char *s)
{
    int32_t d = 0;

    assert_int_equal(date_parse(s, &d), CM_ERR_OK);
    return d;
}

static struct reminder_policy
policy(void)
{
    struct reminder_policy p;

    assert_int_equal(reminder_policy_parse("7,3,1", &p), CM_ERR_OK);
    return p;
}

static void
test_policy_parse(void **state)
{
    struct reminder_policy p;
    const char *bad[] = {"",     "0",    "7,7", "366", "a",
                         "7,,3", "7,3,", ",7",  "-1",  "1,2,3,4,5,6,7,8,9",
                         "7;3"};

    (void)state;
    assert_int_equal(reminder_policy_parse("1,7,3", &p), CM_ERR_OK);
    assert_int_equal(p.n_days, 3);
    assert_int_equal(p.days[0], 7);
    assert_int_equal(p.days[1], 3);
    assert_int_equal(p.days[2], 1);
    assert_int_equal(p.n_hours, 2);
    assert_int_equal(p.hours[0], 24);
    assert_int_equal(p.hours[1], 4);
    assert_int_equal(reminder_policy_parse("365", &p), CM_ERR_OK);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(reminder_policy_parse(bad[i], &p),
                         CM_ERR_VALIDATION_FAILED);
        assert_false(reminder_is_valid_days(bad[i]));
    }
}

/* The stage on `today` for a due of Friday 2026-12-04. */
static struct reminder_stage
stage_on(const char *today)
{
    struct reminder_policy p = policy();
    struct reminder_stage st;

    assert_int_equal(reminder_stage_at(&p, "2026-12-04", day(today), 0, &st),
                     CM_ERR_OK);
    return st;
}

static void
test_stage_dates(void **state)
{
    struct reminder_stage st;

    (void)state;
    /* Thanksgiving, 8 days before: nothing yet. */
    st = stage_on("2026-11-26");
    assert_int_equal(st.kind, REMINDER_STAGE_KIND_NONE);
    assert_string_equal(st.label, "");
    /* Friday 27 November, 7 days before. */
    st = stage_on("2026-11-27");
    assert_int_equal(st.kind, REMINDER_STAGE_KIND_BEFORE);
    assert_string_equal(st.label, "7d");
    assert_int_equal(st.left, 7);
    /* Monday 30 November, 4 days before: still the 7-day stage. */
    st = stage_on("2026-11-30");
    assert_string_equal(st.label, "7d");
    assert_int_equal(st.left, 4);
    /* Tuesday 1 December, 3 days before. */
    st = stage_on("2026-12-01");
    assert_string_equal(st.label, "3d");
    assert_int_equal(st.left, 3);
    /* Thursday 3 December, the day before. */
    st = stage_on("2026-12-03");
    assert_string_equal(st.label, "1d");
    assert_int_equal(st.left, 1);
    /* The due day itself: still the 1-day stage, nothing new. */
    st = stage_on("2026-12-04");
    assert_string_equal(st.label, "1d");
    assert_int_equal(st.left, 0);
    /* Saturday 5 December: overdue. */
    st = stage_on("2026-12-05");
    assert_int_equal(st.kind, REMINDER_STAGE_KIND_OVERDUE);
    assert_string_equal(st.label, "overdue");
    assert_string_equal(reminder_event_name(&st), "reminder.overdue");
}

static void
test_stage_instants(void **state)
{
    struct reminder_policy p = policy();
    struct reminder_stage st;
    const char *due = "2026-12-04T15:00:00Z";

    (void)state;
    assert_int_equal(
        reminder_stage_at(&p, due, 0, DUE_INSTANT_US - 25 * HOUR_US, &st),
        CM_ERR_OK);
    assert_int_equal(st.kind, REMINDER_STAGE_KIND_NONE);
    assert_int_equal(
        reminder_stage_at(&p, due, 0, DUE_INSTANT_US - 24 * HOUR_US, &st),
        CM_ERR_OK);
    assert_string_equal(st.label, "24h");
    assert_true(st.is_hours);
    assert_int_equal(st.left, 24);
    assert_string_equal(reminder_event_name(&st), "reminder.due");
    /* 3 h 10 min left is within the 4-hour lead, "in 4 hours". */
    assert_int_equal(reminder_stage_at(&p, due, 0,
                                       DUE_INSTANT_US - 3 * HOUR_US -
                                           10 * 60 * INT64_C(1000000),
                                       &st),
                     CM_ERR_OK);
    assert_string_equal(st.label, "4h");
    assert_int_equal(st.left, 4);
    assert_int_equal(reminder_stage_at(&p, due, 0, DUE_INSTANT_US, &st),
                     CM_ERR_OK);
    assert_string_equal(st.label, "overdue");
    /* The same instant written with an offset: 08:00 at UTC-7. */
    assert_int_equal(reminder_stage_at(&p, "2026-12-04T08:00:00-07:00", 0,
                                       DUE_INSTANT_US - 24 * HOUR_US, &st),
                     CM_ERR_OK);
    assert_string_equal(st.label, "24h");
    assert_int_equal(reminder_stage_at(&p, "2026-13-01", 0, 0, &st),
                     CM_ERR_VALIDATION_FAILED);
}

static void
test_open(void **state)
{
    (void)state;
    assert_true(reminder_is_open("subpoena", "return", "served"));
    assert_false(reminder_is_open("subpoena", "return", "responded"));
    assert_false(reminder_is_open("subpoena", "return", "closed"));
    assert_false(reminder_is_open("subpoena", "return", "withdrawn"));
    assert_false(reminder_is_open("subpoena", "return", "referred"));
    assert_true(reminder_is_open("detainer", "hold_max", "honored"));
    assert_false(reminder_is_open("detainer", "hold_max", "released"));
    assert_true(reminder_is_open("enforcement", "compliance", "order_entered"));
    assert_false(reminder_is_open("enforcement", "compliance", "complied"));
    assert_true(reminder_is_open("enforcement", "appeal", "in_contempt"));
    assert_true(reminder_is_open("enforcement", "objection", "complied"));
    assert_false(reminder_is_open("enforcement", "appeal", "closed"));
    assert_false(reminder_is_open("enforcement", "appeal", "dismissed"));
    assert_true(reminder_is_open("enforcement", "show_cause_response",
                                 "show_cause_issued"));
    assert_false(reminder_is_open("enforcement", "show_cause_response",
                                  "order_entered"));
    assert_false(reminder_is_open("enforcement", "unknown", "referred"));
    assert_false(reminder_is_open("subpoena", "return", NULL));
}

static bool
receives(const struct reminder_case *c,
         const char *id,
         const char *org,
         enum role r,
         bool disabled)
{
    struct reminder_user u = {id, org, ROLE_BIT(r), disabled};

    return reminder_is_recipient(c, &u);
}

static void
test_recipients(void **state)
{
    struct reminder_case sub = {"subpoena", "return", "served", "A",
                                "J",        NULL,     "off1"};
    struct reminder_case enf = {
        "enforcement", "compliance", "order_entered", "A", "J", "D", NULL};
    struct reminder_case det = {"detainer", "hold_max", "honored", "A",
                                "J",        NULL,       "off2"};

    (void)state;
    assert_true(receives(&sub, "u1", "J", ROLE_CUSTODIAN, false));
    assert_true(receives(&sub, "u2", "J", ROLE_RECIPIENT_COUNSEL, false));
    assert_true(receives(&sub, "off1", "A", ROLE_OFFICER, false));
    assert_false(
        receives(&sub, "off1", "A", ROLE_OFFICER, true)); /* disabled */
    assert_false(receives(&sub, "u3", "J2", ROLE_CUSTODIAN, false));
    assert_false(receives(&sub, "u4", "J", ROLE_BOOKING, false));
    assert_false(receives(&sub, "u5", "A", ROLE_OFFICER, false));
    assert_false(receives(&sub, "u6", "A", ROLE_SIGNER, false));
    assert_false(receives(&sub, "u7", "J", ROLE_CUSTODIAN, true));

    assert_true(receives(&enf, "c1", "A", ROLE_AGENCY_COUNSEL, false));
    assert_true(receives(&enf, "d1", "D", ROLE_DOJ_ATTORNEY, false));
    assert_true(receives(&enf, "r1", "J", ROLE_RECIPIENT_COUNSEL, false));
    assert_false(receives(&enf, "d2", "D2", ROLE_DOJ_ATTORNEY, false));
    assert_false(receives(&enf, "x1", "J", ROLE_CUSTODIAN, false));
    assert_false(receives(&enf, "x2", "A", ROLE_OFFICER, false));

    assert_true(receives(&det, "b1", "J", ROLE_BOOKING, false));
    assert_true(receives(&det, "off2", "A", ROLE_OFFICER, false));
    assert_false(receives(&det, "x3", "J", ROLE_CUSTODIAN, false));
    assert_false(receives(&det, "x4", "A", ROLE_OFFICER, false));
}

static void
test_words(void **state)
{
    struct buf b = BUF_INIT;
    struct reminder_stage st = stage_on("2026-12-01");
    struct reminder_text t = {"SUB-2026-000123",
                              "subpoena",
                              "AAAAAAAAAAAAAAAAAAAAAA",
                              "return",
                              "2026-12-04",
                              "served 2026-11-20 + 14 days (FRCP 6)\nmore",
                              "https://compel.example.gov/"};

    (void)state;
    reminder_subject(&b, "SUB-2026-000123", "return", "2026-12-04", &st);
    assert_string_equal(buf_str(&b),
                        "compel: SUB-2026-000123 return date 2026-12-04 "
                        "(in 3 days)");
    buf_reset(&b);
    st = stage_on("2026-12-03");
    reminder_subject(&b, "ENF-2026-000007", "appeal", "2026-12-04", &st);
    assert_string_equal(buf_str(&b), "compel: ENF-2026-000007 appeal "
                                     "deadline 2026-12-04 (in 1 day)");
    buf_reset(&b);
    st = stage_on("2026-12-04");
    reminder_subject(&b, "SUB-2026-000123", "return", "2026-12-04", &st);
    assert_string_equal(buf_str(&b), "compel: SUB-2026-000123 return date "
                                     "2026-12-04 (today)");
    buf_reset(&b);
    st = stage_on("2026-12-09");
    reminder_subject(&b, "SUB-2026-000123", "return", "2026-12-04", &st);
    assert_string_equal(buf_str(&b), "compel: SUB-2026-000123 return date "
                                     "2026-12-04 (overdue)");
    buf_reset(&b);
    st = stage_on("2026-12-01");
    reminder_body(&b, &t, &st);
    assert_string_equal(
        buf_str(&b),
        "Case: SUB-2026-000123 (subpoena)\r\n"
        "Deadline: return date\r\n"
        "Due: 2026-12-04 (in 3 days)\r\n"
        "Why: served 2026-11-20 + 14 days (FRCP 6)\r\n"
        "Link: https://compel.example.gov/api/v1/subpoenas/"
        "AAAAAAAAAAAAAAAAAAAAAA\r\n"
        "\r\nThis reminder holds no personal data. Sign in to compel to "
        "see the case.\r\n");
    buf_reset(&b);
    t.public_url = NULL;
    t.explanation = NULL;
    reminder_body(&b, &t, &st);
    assert_null(strstr(buf_str(&b), "Link:"));
    assert_null(strstr(buf_str(&b), "Why:"));
    assert_string_equal(reminder_kind_label("hold_max"), "hold expiry");
    buf_release(&b);
}

static void
test_backoff(void **state)
{
    int64_t now = INT64_C(1796396400) * 1000000;
    int64_t next;

    (void)state;
    /* 30 s after the first failure, plus at most 20% jitter. */
    next = jobs_next_run(now, 1, 8);
    assert_true(next >= now + JOBS_BACKOFF_BASE_US);
    assert_true(next <= now + JOBS_BACKOFF_BASE_US * 12 / 10);
    /* 120 s after the third. */
    next = jobs_next_run(now, 3, 8);
    assert_true(next >= now + 4 * JOBS_BACKOFF_BASE_US);
    assert_true(next <= now + 4 * JOBS_BACKOFF_BASE_US * 12 / 10);
    /* Never more than 6 hours (and its jitter). */
    next = jobs_next_run(now, 7, 100);
    assert_true(next <= now + JOBS_BACKOFF_MAX_US * 12 / 10);
    /* Dead after max_attempts. */
    assert_int_equal(jobs_next_run(now, 8, 8), 0);
    assert_int_equal(jobs_next_run(now, 3, 3), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_parse),
        cmocka_unit_test(test_stage_dates),
        cmocka_unit_test(test_stage_instants),
        cmocka_unit_test(test_open),
        cmocka_unit_test(test_recipients),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_backoff),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
