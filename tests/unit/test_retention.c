/*
 * test_retention.c: the retention classes and their cut-offs
 * (domain/retention.h) at the boundaries of security.md T-AUD-11: records
 * aged 364 days, 366 days, 4 years 364 days and 5 years 1 day, and the
 * leap days, where a record must be kept at least its whole period in
 * calendar years, never a day less.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/date.h"
#include "domain/retention.h"

#define US_PER_DAY (INT64_C(86400) * 1000000)

/* The instant (y, m, d) at hh:mm UTC, in microseconds. */
static int64_t
at(int32_t y, int m, int d, int hh, int mm)
{
    int32_t day = 0;

    assert_int_equal(date_from_ymd(y, m, d, &day), CM_ERR_OK);
    return (int64_t)day * US_PER_DAY +
           ((int64_t)hh * 3600 + (int64_t)mm * 60) * 1000000;
}

static void
test_policy_bounds(void **state)
{
    struct retention_policy p = retention_policy_default();
    const char *why = NULL;

    (void)state;
    assert_int_equal(p.audit_years, 7);
    assert_int_equal(p.case_years, 7);
    assert_int_equal(retention_policy_check(&p, &why), CM_ERR_OK);
    assert_null(why);
    /* The audit floor: at least one year (CJIS AU-11). */
    p.audit_years = 0;
    assert_int_equal(retention_policy_check(&p, &why),
                     CM_ERR_VALIDATION_FAILED);
    assert_non_null(why);
    p.audit_years = 1;
    assert_int_equal(retention_policy_check(&p, NULL), CM_ERR_OK);
    p.case_years = 0;
    assert_int_equal(retention_policy_check(&p, NULL),
                     CM_ERR_VALIDATION_FAILED);
    p.case_years = 101;
    assert_int_equal(retention_policy_check(&p, NULL),
                     CM_ERR_VALIDATION_FAILED);
    p.case_years = 100;
    assert_int_equal(retention_policy_check(&p, NULL), CM_ERR_OK);
    /* The disclosure period is the Privacy Act's, not configurable. */
    p.audit_years = 1;
    p.case_years = 1;
    assert_int_equal(retention_years(&p, RETENTION_CLASS_DISCLOSURE), 5);
    assert_int_equal(retention_years(&p, RETENTION_CLASS_AUDIT), 1);
    assert_int_equal(retention_years(&p, RETENTION_CLASS_CASE), 1);
    assert_string_equal(retention_class_name(RETENTION_CLASS_AUDIT), "audit");
    assert_string_equal(retention_class_name(RETENTION_CLASS_DISCLOSURE),
                        "disclosure");
    assert_string_equal(retention_class_name(RETENTION_CLASS_CASE), "case");
    assert_null(retention_class_name(RETENTION_CLASS__COUNT));
}

/* T-AUD-11's four ages against the audit floor (1 year) and the
 * disclosure period (5 years), purging on 2026-11-28 10:00 UTC. */
static void
test_t_aud_11_ages(void **state)
{
    int64_t now = at(2026, 11, 28, 10, 0);
    int64_t d364 = now - 364 * US_PER_DAY;
    int64_t d366 = now - 366 * US_PER_DAY;
    /* 4 years (2022-11-28) and 364 days before. */
    int64_t y4d364 = at(2022, 11, 28, 10, 0) - 364 * US_PER_DAY;
    /* 5 years (2021-11-28) and 1 day before. */
    int64_t y5d1 = at(2021, 11, 28, 10, 0) - 1 * US_PER_DAY;

    (void)state;
    /* Audit, one year: 364 days kept, 366 days gone. */
    assert_false(retention_aged_out(d364, now, 1));
    assert_true(retention_aged_out(d366, now, 1));
    /* Disclosures, five years: 4 y 364 d kept, 5 y 1 d gone. */
    assert_false(retention_aged_out(y4d364, now, RETENTION_DISCLOSURE_YEARS));
    assert_true(retention_aged_out(y5d1, now, RETENTION_DISCLOSURE_YEARS));
    /* And each of them is older than the one-year floor. */
    assert_true(retention_aged_out(y4d364, now, 1));
    /* Seven years (the default) keep all four. */
    assert_false(retention_aged_out(y5d1, now, 7));
}

/* The cut-off is the same wall time whole calendar years before; the
 * record exactly one period old has aged out, a microsecond younger has
 * not. */
static void
test_exact_boundary(void **state)
{
    int64_t now = at(2026, 11, 28, 10, 0);
    int64_t cut = retention_cutoff(now, 1);

    (void)state;
    assert_true(cut == at(2025, 11, 28, 10, 0));
    assert_true(retention_aged_out(cut, now, 1));
    assert_false(retention_aged_out(cut + 1, now, 1));
    /* 365 days before 2026-11-28 is 2025-11-28: not a leap span. */
    assert_true(retention_aged_out(now - 365 * US_PER_DAY, now, 1));
    /* Zero years: everything up to now. */
    assert_true(retention_cutoff(now, 0) == now);
}

/* Across a February 29, a year is 366 days: a record 365 days old is
 * still kept. */
static void
test_leap_span(void **state)
{
    int64_t now = at(2024, 12, 31, 0, 0);

    (void)state;
    /* 2024-01-01 to 2024-12-31 is 365 days but less than a year. */
    assert_false(retention_aged_out(now - 365 * US_PER_DAY, now, 1));
    assert_true(retention_aged_out(now - 366 * US_PER_DAY, now, 1));
    /* One year of audit counted across the leap day of 2028. */
    now = at(2028, 3, 1, 0, 0);
    assert_true(retention_cutoff(now, 1) == at(2027, 3, 1, 0, 0));
}

/* A record made on February 29 is kept until March 1 of a common year
 * (never only until February 28); purging on February 29 reaches back to
 * February 28 of a common year. */
static void
test_leap_day(void **state)
{
    int64_t feb29 = at(2024, 2, 29, 12, 0);

    (void)state;
    assert_false(retention_aged_out(feb29, at(2025, 2, 28, 12, 0), 1));
    assert_false(retention_aged_out(feb29, at(2025, 2, 28, 23, 59), 1));
    assert_true(retention_aged_out(feb29, at(2025, 3, 1, 12, 0), 1));
    /* Four years on, February 29 exists again: exactly four years. */
    assert_false(retention_aged_out(feb29, at(2028, 2, 29, 11, 59), 4));
    assert_true(retention_aged_out(feb29, at(2028, 2, 29, 12, 0), 4));
    /* Purging on 2028-02-29 with one year: the cut-off is 2027-02-28. */
    assert_true(retention_cutoff(at(2028, 2, 29, 6, 0), 1) ==
                at(2027, 2, 28, 6, 0));
    assert_true(
        retention_aged_out(at(2027, 2, 28, 6, 0), at(2028, 2, 29, 6, 0), 1));
    assert_false(
        retention_aged_out(at(2027, 3, 1, 0, 0), at(2028, 2, 29, 6, 0), 1));
    /* Five years from 2020-02-29 (disclosures): kept through
     * 2025-02-28, gone on 2025-03-01. */
    assert_false(retention_aged_out(at(2020, 2, 29, 0, 0),
                                    at(2025, 2, 28, 23, 0),
                                    RETENTION_DISCLOSURE_YEARS));
    assert_true(retention_aged_out(at(2020, 2, 29, 0, 0), at(2025, 3, 1, 0, 0),
                                   RETENTION_DISCLOSURE_YEARS));
}

/* Periods reaching before the epoch clamp to the first instant, so
 * nothing real has aged out; out-of-range years are clamped. */
static void
test_clamps(void **state)
{
    int64_t now = at(1975, 6, 1, 0, 0);

    (void)state;
    assert_true(retention_cutoff(now, 7) == 1);
    assert_false(retention_aged_out(at(1970, 1, 2, 0, 0), now, 7));
    assert_true(retention_cutoff(at(2026, 1, 1, 0, 0), 500) ==
                retention_cutoff(at(2026, 1, 1, 0, 0), RETENTION_YEARS_MAX));
    assert_true(retention_cutoff(at(2026, 1, 1, 0, 0), -3) ==
                at(2026, 1, 1, 0, 0));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_bounds),
        cmocka_unit_test(test_t_aud_11_ages),
        cmocka_unit_test(test_exact_boundary),
        cmocka_unit_test(test_leap_span),
        cmocka_unit_test(test_leap_day),
        cmocka_unit_test(test_clamps),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
