/*
 * retention.c: retention periods and cut-offs (retention.h), on the day
 * numbers of date.h.
 */
#include "domain/retention.h"

#include <stddef.h>

#include "domain/date.h"

#define US_PER_SECOND 1000000LL
#define US_PER_DAY    (US_PER_SECOND * DATE_SECONDS_PER_DAY)

struct retention_policy
retention_policy_default(void)
{
    struct retention_policy p = {RETENTION_AUDIT_YEARS_DEFAULT,
                                 RETENTION_CASE_YEARS_DEFAULT};

    return p;
}

enum cm_err
retention_policy_check(const struct retention_policy *p, const char **why)
{
    const char *reason = NULL;

    if (p->audit_years < RETENTION_AUDIT_YEARS_MIN ||
        p->audit_years > RETENTION_YEARS_MAX)
        reason = "audit records are kept from 1 to 100 years";
    else if (p->case_years < RETENTION_CASE_YEARS_MIN ||
             p->case_years > RETENTION_YEARS_MAX)
        reason = "closed cases are kept from 1 to 100 years";
    if (why)
        *why = reason;
    return reason ? CM_ERR_VALIDATION_FAILED : CM_ERR_OK;
}

int
retention_years(const struct retention_policy *p, enum retention_class c)
{
    switch (c) {
    case RETENTION_CLASS_AUDIT:
        return p->audit_years;
    case RETENTION_CLASS_DISCLOSURE:
        return RETENTION_DISCLOSURE_YEARS;
    case RETENTION_CLASS_CASE:
        return p->case_years;
    case RETENTION_CLASS__COUNT:
        break;
    }
    return RETENTION_YEARS_MAX;
}

const char *
retention_class_name(enum retention_class c)
{
    static const char *const names[RETENTION_CLASS__COUNT] = {
        "audit", "disclosure", "case"};

    return (unsigned)c < RETENTION_CLASS__COUNT ? names[c] : NULL;
}

int64_t
retention_cutoff(int64_t now_us, int years)
{
    int64_t day = now_us >= 0 ? now_us / US_PER_DAY
                              : -((-now_us + US_PER_DAY - 1) / US_PER_DAY);
    int64_t within = now_us - day * US_PER_DAY;
    int32_t y, back;
    int m, d;

    if (years < 0)
        years = 0;
    if (years > RETENTION_YEARS_MAX)
        years = RETENTION_YEARS_MAX;
    date_to_ymd((int32_t)day, &y, &m, &d);
    y -= years;
    if (m == 2 && d == 29 && !date_is_leap_year(y))
        d = 28;
    if (y < DATE_YEAR_MIN || date_from_ymd(y, m, d, &back) != CM_ERR_OK)
        return 1;
    now_us = (int64_t)back * US_PER_DAY + within;
    return now_us > 0 ? now_us : 1;
}

bool
retention_aged_out(int64_t at_us, int64_t now_us, int years)
{
    return at_us <= retention_cutoff(now_us, years);
}
