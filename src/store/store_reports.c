/*
 * store_reports.c: the wrappers of store_reports.h (asserts and fault
 * injection, then the backend) and the process-wide local date function.
 */
#include "store/store_reports.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdio.h>

#include "store/store_int.h"

static _Atomic(store_local_date_fn) local_date_fn;

void
store_reports_set_local_date(store_local_date_fn fn)
{
    atomic_store(&local_date_fn, fn);
}

void
store_reports_local_date(const char *timezone,
                         int64_t utc_us,
                         char out[STORE_DATE_SIZE])
{
    store_local_date_fn fn = atomic_load(&local_date_fn);
    int64_t secs = utc_us / 1000000 - (utc_us % 1000000 < 0 ? 1 : 0);
    int64_t z = secs / 86400 - (secs % 86400 < 0 ? 1 : 0) + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);

    if (fn && timezone && fn(timezone, utc_us, out))
        return;
    /* UTC: the civil date of the day number (H. Hinnant's days_from_civil
     * inverse), clamped to four-digit years */
    if (y < 0 || y > 9999) {
        (void)snprintf(out, STORE_DATE_SIZE, "%s",
                       y < 0 ? "0000-01-01" : "9999-12-31");
        return;
    }
    (void)snprintf(out, STORE_DATE_SIZE, "%04u-%02u-%02u", (unsigned)y % 10000u,
                   (unsigned)m % 100u, (unsigned)d % 100u);
}

int
store_report_jurisdictions(struct store *s,
                           const char *const *periods,
                           const int *weights,
                           size_t n_periods,
                           const char *org_id,
                           int64_t now,
                           store_report_cb cb,
                           void *cls)
{
    enum store_rc frc;
    int rc;

    assert(cb != NULL && (periods != NULL || n_periods == 0));
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->reports->report_jurisdictions(
            s, periods, weights, n_periods, org_id, now, cb, cls);
    return rc;
}

enum store_rc
store_reports_defer(struct store *s)
{
    enum store_rc rc;

    if (!store_is_faulted(s, &rc))
        rc = s->ops->reports->defer(s);
    return rc;
}

enum store_rc
store_reports_catch_up(struct store *s)
{
    enum store_rc rc;

    if (!store_is_faulted(s, &rc))
        rc = s->ops->reports->catch_up(s);
    return rc;
}

enum store_rc
store_reports_rebuild(struct store *s)
{
    enum store_rc rc;

    if (!store_is_faulted(s, &rc))
        rc = s->ops->reports->rebuild(s);
    return rc;
}
