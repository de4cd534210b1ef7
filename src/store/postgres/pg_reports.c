/*
 * pg_reports.c: the PostgreSQL implementation of store_reports.h.
 *
 * Design (a): the aggregates are kept by PL/pgSQL triggers, the port of
 * SQLite's 0006-report-aggregates.sql and 0009-report-deferred.sql in
 * migration src/store/sql/postgres/0002-report-aggregates.sql (same
 * tables, views and triggers; local dates from PostgreSQL's own time zone
 * data, compel_local_date() there). This file only reads them, as
 * sq_reports.c does: one query for the counts of every jurisdiction (with
 * the stored median when the range is a single period) and, for a range of
 * several periods, one for the histograms of days to response, merged by
 * organization id. Defer, catch up and rebuild call the migration's
 * functions (compel_report_defer(), ...), which do what sq_reports.c does
 * in SQL.
 *
 * The period keys are bound as one text[] parameter and their weights (+1
 * added, -1 taken away) as one int[], so each statement is
 * prepared once whatever the range. Concurrency: the report only reads;
 * the triggers change aggregates by atomic upserts of deltas (see the
 * migration's header).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/log.h"
#include "store/postgres/pg_int.h"

enum {
    PG_REPORT_DAYS = PG_STMT_BASE_REPORTS,
    PG_REPORT_COUNTS,
    PG_REPORT_DEFER,
    PG_REPORT_CATCH_UP,
    PG_REPORT_REBUILD,
    PG_REPORT__END
};

_Static_assert((int)PG_REPORT__END <= (int)PG_STMT_MAX,
               "the report statements overrun their base");

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
hist_row(const PGresult *r, int row, void *ctx)
{
    struct hists *h = ctx;
    struct pg_cols c = {r, row, 0};
    char org[STORE_ID_SIZE];
    struct hist *last = h->n_orgs ? &h->orgs[h->n_orgs - 1] : NULL;

    if (pg_col_is_null(&c))
        return;
    pg_col_id(&c, org, sizeof org);
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
    h->bars[h->n_bars].days = pg_col_int(&c);
    h->bars[h->n_bars].count = pg_col_int(&c);
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
    bool several; /* not one period added once: no stored median */
    store_report_cb cb;
    void *cls;
};

/* A column's text borrowed from the result (NULL for NULL). */
static const char *
col_borrow(struct pg_cols *c)
{
    const char *v = pg_col_is_null(c) ? NULL : PQgetvalue(c->r, c->row, c->i);

    c->i++;
    return v;
}

static void
counts_row(const PGresult *res, int row, void *ctx)
{
    struct counts_list *l = ctx;
    struct pg_cols c = {res, row, 0};
    struct store_report_row r;
    const struct hist *h;

    memset(&r, 0, sizeof r);
    pg_col_id(&c, r.org_id, sizeof r.org_id);
    r.name = col_borrow(&c);
    r.state = col_borrow(&c);
    r.timezone = col_borrow(&c);
    for (int i = 0; i < STORE_REPORT_MEASURE__COUNT; i++)
        r.counts[i] = pg_col_int(&c);
    r.open = pg_col_int(&c);
    r.overdue = pg_col_int(&c);
    r.has_median = !l->several && !pg_col_is_null(&c);
    r.median_days = r.has_median ? pg_col_int(&c) : 0;
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
#define SUM(col) "coalesce(sum(c." col " * c.w), 0)::bigint, "
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
pg_report_jurisdictions(struct store *s,
                        const char *const *periods,
                        const int *weights,
                        size_t n_periods,
                        const char *org_id,
                        int64_t now,
                        store_report_cb cb,
                        void *cls)
{
    struct pg_store *ps = pg_to_pg(s);
    struct buf keys = BUF_INIT;
    struct buf ws = BUF_INIT;
    bool several = !(n_periods == 1 && (!weights || weights[0] == 1));
    struct pg_params p = {0};
    struct hists h;
    struct counts_list l;
    int n = 0;

    memset(&h, 0, sizeof h);
    /* a text[] literal; period keys are digits, dashes or '*': nothing to
     * escape inside the quotes */
    buf_addch(&keys, '{');
    buf_addch(&ws, '{');
    for (size_t i = 0; i < n_periods; i++) {
        buf_addf(&keys, "%s\"%s\"", i ? "," : "", periods[i]);
        buf_addf(&ws, "%s%d", i ? "," : "", weights ? weights[i] : 1);
    }
    buf_addch(&keys, '}');
    buf_addch(&ws, '}');
    pg_bind_text(&p, buf_str(&keys));
    pg_bind_id(&p, org_id ? org_id : "");
    pg_bind_text(&p, buf_str(&ws));

    /* one period: the stored median, no histogram to read */
    if (several)
        n = pg_run_list(ps, PG_REPORT_DAYS,
                        "SELECT d.org_id, d.days, sum(d.n * k.w)::bigint"
                        " FROM report_days d"
                        " JOIN unnest($1::text[], $3::int[]) AS k(period, w)"
                        "  ON d.period = k.period"
                        " WHERE ($2::text IS NULL OR d.org_id = $2)"
                        " GROUP BY d.org_id, d.days HAVING sum(d.n * k.w) > 0"
                        " ORDER BY d.org_id, d.days",
                        &p, "report_days", hist_row, &h);
    if (n < 0)
        goto out_release;

    l.h = &h;
    l.several = several;
    l.cb = cb;
    l.cls = cls;
    pg_bind_int(&p, now);
    n = pg_run_list(
        ps, PG_REPORT_COUNTS,
        "SELECT o.id, o.name, o.state, o.timezone, " COUNT_SUMS
        " coalesce(max(x.open), 0)::bigint,"
        " coalesce(max(x.overdue), 0)::bigint, max(c.median_days)"
        " FROM organizations o"
        " LEFT JOIN (SELECT c.*, k.w FROM report_counts c"
        "  JOIN unnest($1::text[], $3::int[]) AS k(period, w)"
        "  ON c.period = k.period) c ON c.org_id = o.id"
        /* open and overdue in one pass; today once per time zone */
        " LEFT JOIN (SELECT r.org_id, sum(r.n) AS open,"
        "   sum(CASE WHEN r.return_date < z.today THEN r.n ELSE 0 END)"
        "    AS overdue"
        "  FROM report_open r"
        "  JOIN organizations j ON j.id = r.org_id"
        "  JOIN (SELECT timezone AS tz,"
        "        compel_local_date($4::bigint, timezone) AS today"
        "        FROM organizations WHERE kind = 'jurisdiction'"
        "        GROUP BY timezone) z ON z.tz = j.timezone"
        "  WHERE r.n <> 0 AND ($2::text IS NULL OR r.org_id = $2)"
        "  GROUP BY r.org_id) x ON x.org_id = o.id"
        " WHERE o.kind = 'jurisdiction' AND ($2::text IS NULL OR o.id = $2)"
        /* SQLite sorts NULL first */
        " GROUP BY o.id ORDER BY o.name, o.state NULLS FIRST, o.id",
        &p, "report_counts", counts_row, &l);
out_release:
    cm_free(h.orgs);
    cm_free(h.bars);
    buf_release(&keys);
    buf_release(&ws);
    return n;
}

/* ---- bulk writes: defer, catch up, rebuild (0002-report-aggregates.sql) --*/

struct one_int {
    int64_t v;
};

static void
one_int_row(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};

    ((struct one_int *)ctx)->v = pg_col_int(&c);
}

/* Run `SELECT fn()` (a function of the migration answering 1 or 0). */
static enum store_rc
call_fn(struct store *s, int id, const char *sql, const char *what, int64_t *v)
{
    struct one_int out = {-1};
    enum store_rc rc =
        pg_run_read(pg_to_pg(s), id, sql, NULL, what, one_int_row, &out);

    *v = out.v;
    return rc;
}

static enum store_rc
pg_reports_defer(struct store *s)
{
    int64_t v;
    enum store_rc rc = call_fn(
        s, PG_REPORT_DEFER, "SELECT compel_report_defer()", "report_defer", &v);

    if (rc < 0)
        return rc;
    if (v != 1) {
        /* as SQLite's unique violation, without aborting the
         * transaction */
        LOG_ERROR("postgres report_defer: already deferred");
        return STORE_HARD_ERROR;
    }
    return STORE_ONE_RESULT;
}

static enum store_rc
pg_reports_catch_up(struct store *s)
{
    int64_t v;
    enum store_rc rc =
        call_fn(s, PG_REPORT_CATCH_UP, "SELECT compel_report_catch_up()",
                "report_catch_up", &v);

    if (rc < 0)
        return rc;
    return v == 1 ? STORE_ONE_RESULT : STORE_NO_RESULTS;
}

static enum store_rc
pg_reports_rebuild(struct store *s)
{
    int64_t v;
    enum store_rc rc =
        call_fn(s, PG_REPORT_REBUILD, "SELECT compel_report_rebuild()",
                "report_rebuild", &v);

    if (rc < 0)
        return rc;
    return v == 1 ? STORE_ONE_RESULT : STORE_HARD_ERROR;
}

const struct store_reports_ops pg_reports_ops = {
    .report_jurisdictions = pg_report_jurisdictions,
    .defer = pg_reports_defer,
    .catch_up = pg_reports_catch_up,
    .rebuild = pg_reports_rebuild,
};
