/*
 * sq_reports.c: the SQLite implementation of store_reports.h: the
 * compel_local_date() SQL function the report triggers call, and the
 * report itself, read from the aggregate tables of migration 0006 (never
 * from the cases): one query for the counts of every jurisdiction (with
 * the stored median when the range is a single period) and, for a range
 * of several periods, one for the histograms of days to response, merged
 * by organization id.
 *
 * The period keys are bound as one JSON array (json_each), so the
 * statements stay cached whatever the range.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "store/sqlite/sqlite_int.h"

/* compel_local_date(us, zone): 'YYYY-MM-DD', or NULL when us is NULL. */
static void
local_date_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    char out[STORE_DATE_SIZE];

    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    store_reports_local_date((const char *)sqlite3_value_text(argv[1]),
                             sqlite3_value_int64(argv[0]), out);
    sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

int
sq_reports_register(sqlite3 *db)
{
    int rc;

    /* Deterministic: the same instant and zone always give the same date
     * (a tz database update aside), which the views and triggers need. */
    rc = sqlite3_create_function(db, "compel_local_date", 2,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                 local_date_fn, NULL, NULL);
    /* The report's sorts (GROUP BY over the aggregates) stay in memory
     * rather than in temporary files. */
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
    return rc;
}

/* The histograms of every jurisdiction, sorted by org id. */
struct hist {
    char org_id[STORE_ID_SIZE];
    size_t first; /* index into bars */
    size_t n;
};

struct hists {
    struct hist *orgs;
    size_t n_orgs, cap_orgs;
    struct store_report_bar *bars;
    size_t n_bars, cap_bars;
};

static void
hist_row(sqlite3_stmt *st, void *ctx)
{
    struct hists *h = ctx;
    const char *org = (const char *)sqlite3_column_text(st, 0);
    struct hist *last = h->n_orgs ? &h->orgs[h->n_orgs - 1] : NULL;

    if (!org)
        return;
    if (!last || strcmp(last->org_id, org) != 0) {
        if (h->n_orgs == h->cap_orgs) {
            h->cap_orgs = h->cap_orgs ? h->cap_orgs * 2 : 64;
            h->orgs = cm_realloc(h->orgs, h->cap_orgs * sizeof *h->orgs);
        }
        last = &h->orgs[h->n_orgs++];
        memset(last, 0, sizeof *last);
        (void)snprintf(last->org_id, sizeof last->org_id, "%s", org);
        last->first = h->n_bars;
    }
    if (h->n_bars == h->cap_bars) {
        h->cap_bars = h->cap_bars ? h->cap_bars * 2 : 256;
        h->bars = cm_realloc(h->bars, h->cap_bars * sizeof *h->bars);
    }
    h->bars[h->n_bars].days = sqlite3_column_int64(st, 1);
    h->bars[h->n_bars].count = sqlite3_column_int64(st, 2);
    h->n_bars++;
    last->n++;
}

static int
hist_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct hist *)elem)->org_id);
}

struct counts_list {
    const struct hists *h;
    store_report_cb cb;
    void *cls;
};

static void
counts_row(sqlite3_stmt *st, void *ctx)
{
    struct counts_list *l = ctx;
    struct store_report_row r;
    const struct hist *h;
    int i;
    int c = 0;

    memset(&r, 0, sizeof r);
    (void)snprintf(r.org_id, sizeof r.org_id, "%s",
                   (const char *)sqlite3_column_text(st, c++));
    r.name = (const char *)sqlite3_column_text(st, c++);
    r.state = (const char *)sqlite3_column_text(st, c++);
    r.timezone = (const char *)sqlite3_column_text(st, c++);
    for (i = 0; i < STORE_REPORT_MEASURE__COUNT; i++)
        r.counts[i] = sqlite3_column_int64(st, c++);
    r.open = sqlite3_column_int64(st, c++);
    r.overdue = sqlite3_column_int64(st, c++);
    r.has_median = sqlite3_column_type(st, c) != SQLITE_NULL;
    r.median_days = sqlite3_column_int64(st, c++);
    h = l->h->n_orgs ? bsearch(r.org_id, l->h->orgs, l->h->n_orgs,
                               sizeof *l->h->orgs, hist_cmp)
                     : NULL;
    if (h) {
        r.days = &l->h->bars[h->first];
        r.n_days = h->n;
        r.has_median = false;
    }
    l->cb(l->cls, &r);
}

/* sum(c.<col>) for every measure, in enum order. */
/* clang-format off */
#define SUM(col) "coalesce(sum(c." col "), 0), "
#define COUNT_SUMS                                                      \
    SUM("detainers_lodged")                                             \
    SUM("honored_reported") SUM("honored_observed")                     \
    SUM("honored_inferred") SUM("declined_reported")                    \
    SUM("declined_observed") SUM("declined_inferred")                   \
    SUM("served") SUM("resolved") SUM("complied")                       \
    SUM("partially_complied") SUM("no_records") SUM("objected")         \
    SUM("refused") SUM("on_time_original") SUM("on_time_extended")      \
    SUM("items_requested") SUM("items_produced") SUM("referred")        \
    SUM("orders_enforced") SUM("orders_enforced_in_part")               \
    SUM("orders_denied") SUM("contempt_civil") SUM("contempt_criminal")
/* clang-format on */

static int
sq_report_jurisdictions(struct store *s,
                        const char *const *periods,
                        size_t n_periods,
                        const char *org_id,
                        int64_t now,
                        store_report_cb cb,
                        void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct buf keys = BUF_INIT;
    struct hists h;
    struct counts_list l;
    struct sq_binder b;
    size_t i;
    int n;

    memset(&h, 0, sizeof h);
    /* period keys are digits, dashes or '*': no JSON escaping needed */
    buf_addch(&keys, '[');
    for (i = 0; i < n_periods; i++)
        buf_addf(&keys, "%s\"%s\"", i ? "," : "", periods[i]);
    buf_addch(&keys, ']');

    b = (struct sq_binder){
        sq_stmt_get(ss, STMT_ID_REPORT_DAYS,
                    "SELECT d.org_id, d.days, sum(d.n) FROM report_days d"
                    " WHERE d.period IN (SELECT value FROM json_each(?1))"
                    " AND (?2 IS NULL OR d.org_id = ?2)"
                    " GROUP BY d.org_id, d.days HAVING sum(d.n) > 0"
                    " ORDER BY d.org_id, d.days"),
        0, SQLITE_OK};
    sq_bind_text(&b, keys.data);
    sq_bind_id(&b, org_id ? org_id : "");
    /* one period: the stored median, no histogram to read */
    n = n_periods > 1 ? sq_run_list(ss, &b, "report_days", hist_row, &h) : 0;
    if (n_periods <= 1)
        sq_stmt_done(b.st);
    if (n < 0)
        goto out_release;

    l.h = &h;
    l.cb = cb;
    l.cls = cls;
    b = (struct sq_binder){
        sq_stmt_get(
            ss, STMT_ID_REPORT_COUNTS,
            "SELECT o.id, o.name, o.state, o.timezone, " COUNT_SUMS
            " coalesce(max(x.open), 0), coalesce(max(x.overdue), 0),"
            " max(c.median_days)"
            " FROM organizations o"
            " LEFT JOIN report_counts c ON c.org_id = o.id"
            "  AND c.period IN (SELECT value FROM json_each(?1))"
            /* open and overdue in one pass; today once per time zone */
            " LEFT JOIN (SELECT r.org_id, sum(r.n) AS open,"
            "   sum(CASE WHEN r.return_date < z.today THEN r.n ELSE 0 END)"
            "    AS overdue"
            "  FROM report_open r"
            "  JOIN organizations j ON j.id = r.org_id"
            "  JOIN (SELECT timezone AS tz,"
            "        compel_local_date(?3, timezone) AS today"
            "        FROM organizations WHERE kind = 'jurisdiction'"
            "        GROUP BY timezone) z ON z.tz = j.timezone"
            "  WHERE r.n <> 0 AND (?2 IS NULL OR r.org_id = ?2)"
            "  GROUP BY r.org_id) x ON x.org_id = o.id"
            " WHERE o.kind = 'jurisdiction' AND (?2 IS NULL OR o.id = ?2)"
            " GROUP BY o.id ORDER BY o.name, o.state, o.id"),
        0, SQLITE_OK};
    sq_bind_text(&b, keys.data);
    sq_bind_id(&b, org_id ? org_id : "");
    sq_bind_int(&b, now);
    n = sq_run_list(ss, &b, "report_counts", counts_row, &l);
out_release:
    cm_free(h.orgs);
    cm_free(h.bars);
    buf_release(&keys);
    return n;
}

const struct store_reports_ops sq_reports_ops = {
    .report_jurisdictions = sq_report_jurisdictions,
};
