/*
 * store_reports.h: the jurisdiction report's aggregates, kept current by
 * the database (SQLite: migrations 0006-report-aggregates.sql and
 * 0009-report-deferred.sql; PostgreSQL: 0002-report-aggregates.sql;
 * definitions in docs/reports.md).
 *
 * The database counts every measure per (jurisdiction, period), where a
 * period is a day "YYYY-MM-DD", a month "YYYY-MM", a year "YYYY" or "*"
 * (all time), and keeps them current as cases change (SQLite: triggers;
 * PostgreSQL: the same design, the same tables, views and triggers, in
 * PL/pgSQL, so defer, catch_up and rebuild work there too). A report over
 * a date range asks for the set of periods that covers it exactly
 * (stats_periods in domain/stats.h makes that set, some periods taken
 * away from others), so it reads a few rows per jurisdiction whatever the
 * number of cases.
 *
 * Days are the jurisdiction's local dates. SQLite converts instants with a
 * function the application gives it once at start
 * (store_reports_set_local_date; until then UTC); PostgreSQL with its own
 * time zone data (Debian: the system tz database, which the application's
 * code reads too), whatever that function is.
 *
 * Included by store/store.h; callers include that.
 */
#ifndef CM_STORE_STORE_REPORTS_H
#define CM_STORE_STORE_REPORTS_H

#include "store/store.h"

/* Bytes of a "YYYY-MM-DD" date, including the NUL. */
#define STORE_DATE_SIZE 11

/* The measures counted per period, in the order of report_counts'
 * columns. Each is documented in docs/reports.md. */
enum store_report_measure {
    STORE_REPORT_MEASURE_DETAINERS_LODGED,
    STORE_REPORT_MEASURE_HONORED_REPORTED,
    STORE_REPORT_MEASURE_HONORED_OBSERVED,
    STORE_REPORT_MEASURE_HONORED_INFERRED,
    STORE_REPORT_MEASURE_DECLINED_REPORTED,
    STORE_REPORT_MEASURE_DECLINED_OBSERVED,
    STORE_REPORT_MEASURE_DECLINED_INFERRED,
    STORE_REPORT_MEASURE_SERVED,
    STORE_REPORT_MEASURE_RESOLVED,
    STORE_REPORT_MEASURE_COMPLIED,
    STORE_REPORT_MEASURE_PARTIALLY_COMPLIED,
    STORE_REPORT_MEASURE_NO_RECORDS,
    STORE_REPORT_MEASURE_OBJECTED,
    STORE_REPORT_MEASURE_REFUSED,
    STORE_REPORT_MEASURE_ON_TIME_ORIGINAL,
    STORE_REPORT_MEASURE_ON_TIME_EXTENDED,
    STORE_REPORT_MEASURE_ITEMS_REQUESTED,
    STORE_REPORT_MEASURE_ITEMS_PRODUCED,
    STORE_REPORT_MEASURE_REFERRED,
    STORE_REPORT_MEASURE_ORDERS_ENFORCED,
    STORE_REPORT_MEASURE_ORDERS_ENFORCED_IN_PART,
    STORE_REPORT_MEASURE_ORDERS_DENIED,
    STORE_REPORT_MEASURE_CONTEMPT_CIVIL,
    STORE_REPORT_MEASURE_CONTEMPT_CRIMINAL,
    STORE_REPORT_MEASURE__COUNT
};

/* `count` resolved subpoenas were answered `days` days after service. */
struct store_report_bar {
    int64_t days;
    int64_t count;
};

/* One jurisdiction's row of a report; borrowed by the callback. */
struct store_report_row {
    char org_id[STORE_ID_SIZE];
    const char *name;
    const char *state;                           /* two letters, or NULL */
    const char *timezone;                        /* IANA zone */
    int64_t counts[STORE_REPORT_MEASURE__COUNT]; /* sums over the periods */
    int64_t open;    /* now: served subpoenas awaiting a response */
    int64_t overdue; /* now: of those, due before today (local) */
    /* Over several periods: the histogram of days to response, ascending
     * days, n_days bars. Over one period the database keeps the median
     * itself: days is NULL, and has_median/median_days give it. */
    const struct store_report_bar *days;
    size_t n_days;
    bool has_median;
    int64_t median_days; /* the lower median (stats_median) */
};

/* The application's local date: "YYYY-MM-DD" of instant `utc_us` in the
 * IANA zone `timezone`, written to `out`; false when it cannot tell. */
typedef bool (*store_local_date_fn)(const char *timezone,
                                    int64_t utc_us,
                                    char out[STORE_DATE_SIZE]);

typedef void (*store_report_cb)(void *cls, const struct store_report_row *r);

/* The reports part of a backend's function table (store_ops.reports). */
struct store_reports_ops {
    int (*report_jurisdictions)(struct store *s,
                                const char *const *periods,
                                const int *weights,
                                size_t n_periods,
                                const char *org_id,
                                int64_t now,
                                store_report_cb cb,
                                void *cls);
    enum store_rc (*defer)(struct store *s);
    enum store_rc (*catch_up)(struct store *s);
    enum store_rc (*rebuild)(struct store *s);
};

/*
 * Give the store the application's time zone conversion, used for every
 * local date the aggregates need (process-wide; call once at start,
 * before opening stores; NULL goes back to UTC). Every process that
 * writes cases must set the same function, or its facts land on UTC
 * days.
 */
void store_reports_set_local_date(store_local_date_fn fn);

/* The local date of `utc_us` in `timezone` through the function set
 * above (UTC when none, or when it fails). */
void store_reports_local_date(const char *timezone,
                              int64_t utc_us,
                              char out[STORE_DATE_SIZE]);

/*
 * Call cb once per jurisdiction organization (only `org_id` when it is not
 * NULL or ""), ordered by name, then state, then id, with each measure
 * summed over the `n_periods` period keys `periods`, each counted
 * `weights[i]` times (+1 added, -1 taken away; NULL: every weight +1; a
 * set whose weighted sum counts each day once or not at all, such as
 * stats_periods makes), the days to response over the same periods (one
 * period of weight +1: the stored lower median; otherwise: the weighted
 * histogram, bars with a count below one left out), and the open and
 * overdue counts as of `now` (overdue: return date before the
 * jurisdiction's local date of `now`). A jurisdiction with no case has
 * zeros. Returns the number of rows, or a negative enum store_rc.
 */
int store_report_jurisdictions(struct store *s,
                               const char *const *periods,
                               const int *weights,
                               size_t n_periods,
                               const char *org_id,
                               int64_t now,
                               store_report_cb cb,
                               void *cls);

/*
 * Bulk writes (migration 0009-report-deferred.sql). Inside one write
 * transaction: store_reports_defer turns the per-row insert triggers off
 * for detainers and subpoenas (and the decisions the detainer trigger
 * records); the caller inserts its cases (inserts only: an update of a
 * case between the two calls is not supported); store_reports_catch_up
 * then adds what the new cases contribute, in one pass over the same
 * views the triggers read, and turns the triggers back on. The result is
 * the same aggregates as inserting the cases one by one. A transaction
 * that defers and does not catch up fails to commit (nothing is left
 * half-counted).
 *
 * store_reports_defer: STORE_ONE_RESULT; STORE_HARD_ERROR when already
 * deferred. store_reports_catch_up: STORE_ONE_RESULT; STORE_NO_RESULTS when
 * nothing was deferred. When subpoenas were inserted meanwhile, catch_up
 * rebuilds every aggregate (store_reports_rebuild); otherwise it adds the
 * new detainers alone, in time proportional to their number.
 */
enum store_rc store_reports_defer(struct store *s);
enum store_rc store_reports_catch_up(struct store *s);

/*
 * Recompute every aggregate from the cases (what the backfill of 0006
 * does): empties the aggregate tables and fills them again from the
 * views; ends a deferral if one is running. Same result as the triggers
 * for cases that were inserted and never corrected. Run it in a write
 * transaction. STORE_ONE_RESULT.
 */
enum store_rc store_reports_rebuild(struct store *s);

#endif
