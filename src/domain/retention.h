/*
 * retention.h: how long each kind of record is kept (docs/operations.md
 * "Retention and legal hold"; security.md AU-19, PR-02).
 *
 * Three classes, and nothing else is ever purged:
 *   - audit records: `audit_years` after the record (at least 1: CJIS
 *     AU-11; default 7);
 *   - the accounting of disclosures: 5 years after the disclosure or the
 *     life of the record disclosed, whichever is longer (5 U.S.C.
 *     552a(c)(2)). The record disclosed is the subpoena's response, kept
 *     with the subpoena case: an entry goes only with its case, once both
 *     periods have passed;
 *   - closed cases with their documents, timeline and deadlines:
 *     `case_years` after the case last changed (default 7). A case that is
 *     not closed is never purged, nor one on legal hold.
 *
 * Periods are whole calendar years counted back from the moment of the
 * purge: a record made at instant t has aged out at instant `now` when
 * t <= retention_cutoff(now, years), the same wall time `years` years
 * before `now` in UTC, where February 29 becomes February 28 (so a record
 * is kept at least that many calendar years, never a day less). Pure and
 * thread-safe.
 */
#ifndef CM_DOMAIN_RETENTION_H
#define CM_DOMAIN_RETENTION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/errors.h"

/* The floor of the audit period (CJIS AU-11: at least one year). */
#define RETENTION_AUDIT_YEARS_MIN 1
/* The defaults: seven years outlasts the six-year limit on civil claims
 * against the United States (28 U.S.C. 2401(a)) by one. */
#define RETENTION_AUDIT_YEARS_DEFAULT 7
#define RETENTION_CASE_YEARS_DEFAULT  7
#define RETENTION_CASE_YEARS_MIN      1
/* The Privacy Act's period for the accounting of disclosures. */
#define RETENTION_DISCLOSURE_YEARS 5
/* The longest period accepted for any class. */
#define RETENTION_YEARS_MAX 100

enum retention_class {
    RETENTION_CLASS_AUDIT,
    RETENTION_CLASS_DISCLOSURE,
    RETENTION_CLASS_CASE,
    RETENTION_CLASS__COUNT
};

struct retention_policy {
    int audit_years;
    int case_years;
};

/* The defaults above. */
struct retention_policy retention_policy_default(void);

/* CM_ERR_OK when every period is within its bounds, else
 * CM_ERR_VALIDATION_FAILED with *why (may be NULL) a static reason. */
enum cm_err retention_policy_check(const struct retention_policy *p,
                                   const char **why);

/* The years of class `c` under `p` (the disclosure period is fixed). */
int retention_years(const struct retention_policy *p, enum retention_class c);

/* The API name of a class ("audit", "disclosure", "case"), or NULL. */
const char *retention_class_name(enum retention_class c);

/* The instant `years` (0..RETENTION_YEARS_MAX) calendar years before
 * `now_us` (UTC microseconds), February 29 becoming February 28; a result
 * before the epoch is clamped to 1 (nothing real is that old). */
int64_t retention_cutoff(int64_t now_us, int years);

/* True when a record made at `at_us` has aged out at `now_us` after
 * `years` years: at_us <= retention_cutoff(now_us, years). */
bool retention_aged_out(int64_t at_us, int64_t now_us, int years);

#endif
