/*
 * sq_reports.c: the SQLite implementation of store_reports.h: the
 * compel_local_date() SQL function the report triggers call, and the
 * report itself, read from the aggregate tables of migration 0006 (never
 * from the cases) with plain range reads of their primary keys and summed
 * here: the jurisdictions, each period's counts (with the stored median
 * when the range is a single period), the open subpoenas by return date,
 * and for a range of several periods each period's histogram of days to
 * response (report_hist, packed by compel_hist_put and compel_hist_pack).
 */
#include <endian.h>
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

/*
 * Packed histograms (report_hist, migration 0018): a period's days to
 * response of one jurisdiction as one blob, its entries sorted by days,
 * each 16 bytes: days and count as little-endian 64-bit integers, no
 * entry with a count of 0. The same bytes whatever the order the counts
 * were written in, so a rebuild and the triggers give equal blobs.
 */
#define HIST_ENTRY 16

static void
hist_put_le(unsigned char *p, int64_t v)
{
    uint64_t u = htole64((uint64_t)v);

    memcpy(p, &u, sizeof u);
}

static int64_t
hist_get_le(const unsigned char *p)
{
    uint64_t u;

    memcpy(&u, p, sizeof u);
    return (int64_t)le64toh(u);
}

/* compel_hist_put(h, days, n): blob h (NULL: empty) with the count of
 * `days` set to n (the entry removed when n is 0). */
static void
hist_put_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const unsigned char *h = sqlite3_value_blob(argv[0]);
    size_t len = (size_t)sqlite3_value_bytes(argv[0]);
    int64_t days = sqlite3_value_int64(argv[1]);
    int64_t n = sqlite3_value_int64(argv[2]);
    size_t lo = 0;
    size_t hi;
    unsigned char *out;
    size_t out_len;
    bool found;

    (void)argc;
    if (!h)
        len = 0;
    if (len % HIST_ENTRY != 0) {
        sqlite3_result_error(ctx, "compel_hist_put: not a packed histogram",
                             -1);
        return;
    }
    hi = len / HIST_ENTRY;
    while (lo < hi) { /* the first entry with days >= `days` */
        size_t mid = lo + (hi - lo) / 2;

        if (hist_get_le(h + mid * HIST_ENTRY) < days)
            lo = mid + 1;
        else
            hi = mid;
    }
    found = lo < len / HIST_ENTRY && hist_get_le(h + lo * HIST_ENTRY) == days;

    out_len = len + (n != 0 && !found ? HIST_ENTRY : 0) -
              (n == 0 && found ? HIST_ENTRY : 0);
    out = sqlite3_malloc64(out_len ? out_len : 1);
    if (!out) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (lo > 0)
        memcpy(out, h, lo * HIST_ENTRY);
    if (n != 0) {
        hist_put_le(out + lo * HIST_ENTRY, days);
        hist_put_le(out + lo * HIST_ENTRY + 8, n);
    }
    {
        size_t from = (lo + (found ? 1 : 0)) * HIST_ENTRY;
        size_t to = (lo + (n != 0 ? 1 : 0)) * HIST_ENTRY;

        if (len > from)
            memcpy(out + to, h + from, len - from);
    }
    sqlite3_result_blob64(ctx, out, out_len, sqlite3_free);
}

/* compel_hist_pack(days, n): the packed histogram of a group's rows. */
struct hist_pack {
    int64_t (*v)[2];
    size_t n, cap;
    bool oom;
};

static void
hist_pack_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct hist_pack *a = sqlite3_aggregate_context(ctx, sizeof *a);
    int64_t n = sqlite3_value_int64(argv[1]);

    (void)argc;
    if (!a || a->oom || n == 0)
        return;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        void *v = sqlite3_realloc64(a->v, cap * sizeof *a->v);

        if (!v) {
            a->oom = true;
            return;
        }
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n][0] = sqlite3_value_int64(argv[0]);
    a->v[a->n][1] = n;
    a->n++;
}

static int
hist_pack_cmp(const void *x, const void *y)
{
    const int64_t *a = x;
    const int64_t *b = y;

    return (a[0] > b[0]) - (a[0] < b[0]);
}

static void
hist_pack_final(sqlite3_context *ctx)
{
    struct hist_pack *a = sqlite3_aggregate_context(ctx, 0);
    unsigned char *out;
    size_t k = 0;

    if (a && a->oom) {
        sqlite3_free(a->v);
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (!a || a->n == 0) {
        if (a)
            sqlite3_free(a->v);
        sqlite3_result_zeroblob(ctx, 0);
        return;
    }
    qsort(a->v, a->n, sizeof *a->v, hist_pack_cmp);
    out = sqlite3_malloc64(a->n * HIST_ENTRY);
    if (!out) {
        sqlite3_free(a->v);
        sqlite3_result_error_nomem(ctx);
        return;
    }
    for (size_t i = 0; i < a->n; i++) { /* equal days summed */
        if (k > 0 && hist_get_le(out + (k - 1) * HIST_ENTRY) == a->v[i][0]) {
            int64_t sum =
                hist_get_le(out + (k - 1) * HIST_ENTRY + 8) + a->v[i][1];

            hist_put_le(out + (k - 1) * HIST_ENTRY + 8, sum);
            continue;
        }
        hist_put_le(out + k * HIST_ENTRY, a->v[i][0]);
        hist_put_le(out + k * HIST_ENTRY + 8, a->v[i][1]);
        k++;
    }
    { /* a sum of 0 is no entry */
        size_t w = 0;

        for (size_t i = 0; i < k; i++) {
            if (hist_get_le(out + i * HIST_ENTRY + 8) == 0)
                continue;
            if (w != i)
                memmove(out + w * HIST_ENTRY, out + i * HIST_ENTRY, HIST_ENTRY);
            w++;
        }
        k = w;
    }
    sqlite3_free(a->v);
    sqlite3_result_blob64(ctx, out, k * HIST_ENTRY, sqlite3_free);
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
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "compel_hist_put", 3,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                     hist_put_fn, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "compel_hist_pack", 2,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                     NULL, hist_pack_step, hist_pack_final);
    /* The report's sorts (GROUP BY over the aggregates) stay in memory
     * rather than in temporary files. */
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
    return rc;
}

/* A jurisdiction of the report, summed in C (the row the callback gets,
 * with its own copies of the text). */
struct jur {
    struct store_report_row r;
    const char *today; /* the local date of `now` in its zone */
    size_t zone;       /* index into jurs.zones */
    /* over several periods: responses by days to response, summed over
     * the periods; hist[k] counts days == hist_lo + k */
    int64_t *hist;
    int64_t hist_lo;
    size_t hist_len;
    struct store_report_bar *bars; /* the non-zero ones, for the callback */
};

struct jurs {
    struct jur *v;
    size_t n, cap;
    /* the local date of `now` per time zone, computed once each */
    struct zone_day {
        const char *tz;
        char today[STORE_DATE_SIZE];
    } * zones;
    size_t n_zones, cap_zones;
    int64_t now;
    size_t hint;    /* the last jurisdiction jur_find found */
    int64_t weight; /* of the period being read: +1 or -1 */
};

static char *
col_dup(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);

    return t ? cm_strdup(t) : NULL;
}

static void
org_row(sqlite3_stmt *st, void *ctx)
{
    struct jurs *j = ctx;
    struct jur *x;

    if (j->n == j->cap) {
        j->cap = j->cap ? j->cap * 2 : 256;
        j->v = cm_realloc(j->v, j->cap * sizeof *j->v);
    }
    x = &j->v[j->n++];
    memset(x, 0, sizeof *x);
    (void)snprintf(x->r.org_id, sizeof x->r.org_id, "%s",
                   (const char *)sqlite3_column_text(st, 0));
    x->r.name = col_dup(st, 1);
    x->r.state = col_dup(st, 2);
    x->r.timezone = col_dup(st, 3);
}

static int
jur_id_cmp(const void *a, const void *b)
{
    return strcmp(((const struct jur *)a)->r.org_id,
                  ((const struct jur *)b)->r.org_id);
}

static int
jur_key_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct jur *)elem)->r.org_id);
}

/* Text as SQLite's BINARY collation orders it, NULL first. */
static int
text_cmp(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

/* The report's order: name, then state, then id. */
static int
jur_order_cmp(const void *a, const void *b)
{
    const struct jur *x = *(const struct jur *const *)a;
    const struct jur *y = *(const struct jur *const *)b;
    int c = text_cmp(x->r.name, y->r.name);

    if (c == 0)
        c = text_cmp(x->r.state, y->r.state);
    return c != 0 ? c : strcmp(x->r.org_id, y->r.org_id);
}

/* The jurisdiction `org_id`, or NULL. The tables come in org_id order
 * (their primary keys), so the last match or the one after it is tried
 * before a binary search. */
static struct jur *
jur_find(struct jurs *j, const char *org_id)
{
    struct jur *x;

    if (!org_id || j->n == 0)
        return NULL;
    for (size_t k = j->hint; k < j->n && k <= j->hint + 1; k++)
        if (strcmp(j->v[k].r.org_id, org_id) == 0) {
            j->hint = k;
            return &j->v[k];
        }
    x = bsearch(org_id, j->v, j->n, sizeof *j->v, jur_key_cmp);
    if (x)
        j->hint = (size_t)(x - j->v);
    return x;
}

/* The index of `tz` in j->zones, its local date of j->now computed on its
 * first use. */
static size_t
zone_of(struct jurs *j, const char *tz)
{
    struct zone_day *z;
    size_t i;

    for (i = 0; i < j->n_zones; i++)
        if (text_cmp(j->zones[i].tz, tz) == 0)
            return i;
    if (j->n_zones == j->cap_zones) {
        j->cap_zones = j->cap_zones ? j->cap_zones * 2 : 8;
        j->zones = cm_realloc(j->zones, j->cap_zones * sizeof *j->zones);
    }
    z = &j->zones[j->n_zones++];
    z->tz = tz;
    store_reports_local_date(tz ? tz : "UTC", j->now, z->today);
    return j->n_zones - 1;
}

/* A row of report_counts: org_id, the measures in enum order, median. */
static void
counts_row(sqlite3_stmt *st, void *ctx)
{
    struct jurs *j = ctx;
    struct jur *x = jur_find(j, (const char *)sqlite3_column_text(st, 0));
    int i;

    if (!x)
        return; /* not a jurisdiction (or not the one asked for) */
    for (i = 0; i < STORE_REPORT_MEASURE__COUNT; i++)
        x->r.counts[i] += j->weight * sqlite3_column_int64(st, 1 + i);
    i = 1 + STORE_REPORT_MEASURE__COUNT;
    if (sqlite3_column_type(st, i) != SQLITE_NULL) {
        int64_t m = sqlite3_column_int64(st, i);

        if (!x->r.has_median || m > x->r.median_days)
            x->r.median_days = m;
        x->r.has_median = true;
    }
}

/* A row of report_open: org_id, return_date, n. */
static void
open_row(sqlite3_stmt *st, void *ctx)
{
    struct jur *x = jur_find(ctx, (const char *)sqlite3_column_text(st, 0));
    const char *due = (const char *)sqlite3_column_text(st, 1);
    int64_t n = sqlite3_column_int64(st, 2);

    if (!x)
        return;
    x->r.open += n;
    if (due && strcmp(due, x->today) < 0)
        x->r.overdue += n;
}

/* Add `n` responses after `days` days to x's histogram, growing it either
 * way (days are few: 0 to a few hundred). */
static void
hist_add(struct jur *x, int64_t days, int64_t n)
{
    if (x->hist_len == 0) {
        x->hist_lo = days;
        x->hist_len = 64;
        x->hist = cm_calloc(x->hist_len, sizeof *x->hist);
    } else if (days < x->hist_lo) {
        size_t more = (size_t)(x->hist_lo - days);
        int64_t *h = cm_calloc(x->hist_len + more, sizeof *h);

        memcpy(h + more, x->hist, x->hist_len * sizeof *h);
        cm_free(x->hist);
        x->hist = h;
        x->hist_len += more;
        x->hist_lo = days;
    } else if ((uint64_t)(days - x->hist_lo) >= x->hist_len) {
        size_t len = x->hist_len;

        while ((uint64_t)(days - x->hist_lo) >= len)
            len *= 2;
        x->hist = cm_realloc(x->hist, len * sizeof *x->hist);
        memset(x->hist + x->hist_len, 0, (len - x->hist_len) * sizeof *x->hist);
        x->hist_len = len;
    }
    x->hist[days - x->hist_lo] += n;
}

/* A row of report_hist: org_id, the packed histogram (the format of
 * compel_hist_put above), added with the period's weight. */
static void
hist_row(sqlite3_stmt *st, void *ctx)
{
    struct jurs *j = ctx;
    struct jur *x = jur_find(j, (const char *)sqlite3_column_text(st, 0));
    const unsigned char *h = sqlite3_column_blob(st, 1);
    size_t len = (size_t)sqlite3_column_bytes(st, 1);

    if (!x || !h)
        return;
    for (size_t i = 0; i + HIST_ENTRY <= len; i += HIST_ENTRY) {
        int64_t n = hist_get_le(h + i + 8);

        if (n != 0)
            hist_add(x, hist_get_le(h + i), j->weight * n);
    }
}

/* x's histogram as ascending bars with a positive count. */
static void
hist_bars(struct jur *x)
{
    size_t k;
    size_t n = 0;

    for (k = 0; k < x->hist_len; k++)
        n += x->hist[k] > 0;
    if (n == 0)
        return;
    x->bars = cm_calloc(n, sizeof *x->bars);
    for (k = 0, n = 0; k < x->hist_len; k++) {
        if (x->hist[k] <= 0)
            continue;
        x->bars[n].days = x->hist_lo + (int64_t)k;
        x->bars[n].count = x->hist[k];
        n++;
    }
    x->r.days = x->bars;
    x->r.n_days = n;
}

/* The measure columns of report_counts, in enum order. */
/* clang-format off */
#define COUNT_COLS                                                      \
    "detainers_lodged, honored_reported, honored_observed,"             \
    " honored_inferred, declined_reported, declined_observed,"          \
    " declined_inferred, served, resolved, complied, partially_complied," \
    " no_records, objected, refused, on_time_original, on_time_extended," \
    " items_requested, items_produced, referred, orders_enforced,"      \
    " orders_enforced_in_part, orders_denied, contempt_civil,"          \
    " contempt_criminal"
/* clang-format on */

/*
 * The report reads three small things and sums them here rather than in
 * one GROUP BY (which cost about as much again at 3,000 jurisdictions):
 * the jurisdictions, each period's row of report_counts per jurisdiction
 * (a range of its primary key), and every row of report_open, each
 * matched to its jurisdiction by id.
 */
static int
sq_report_jurisdictions(struct store *s,
                        const char *const *periods,
                        const int *weights,
                        size_t n_periods,
                        const char *org_id,
                        int64_t now,
                        store_report_cb cb,
                        void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    bool one = org_id && *org_id;
    /* the stored median serves one period added once; otherwise the
     * median comes from the weighted histograms */
    bool several = !(n_periods == 1 && (!weights || weights[0] == 1));
    struct jurs j;
    struct jur **order = NULL;
    struct sq_binder b;
    size_t i;
    int n;

    memset(&j, 0, sizeof j);
    j.now = now;
    b = (struct sq_binder){
        sq_stmt_get(ss, STMT_ID_REPORT_ORGS,
                    "SELECT id, name, state, timezone FROM organizations"
                    " WHERE kind = 'jurisdiction' AND (?1 IS NULL OR id = ?1)"),
        0, SQLITE_OK};
    sq_bind_id(&b, one ? org_id : "");
    n = sq_run_list(ss, &b, "organizations", org_row, &j);
    if (n < 0)
        goto out;
    if (j.n > 1)
        qsort(j.v, j.n, sizeof *j.v, jur_id_cmp);
    for (i = 0; i < j.n; i++)
        j.v[i].zone = zone_of(&j, j.v[i].r.timezone);
    for (i = 0; i < j.n; i++) /* zones is final now */
        j.v[i].today = j.zones[j.v[i].zone].today;

    for (i = 0; i < n_periods; i++) {
        b = (struct sq_binder){
            one ? sq_stmt_get(ss, STMT_ID_REPORT_COUNTS_ONE,
                              "SELECT org_id, " COUNT_COLS ", median_days"
                              " FROM report_counts"
                              " WHERE period = ?1 AND org_id = ?2")
                : sq_stmt_get(ss, STMT_ID_REPORT_COUNTS,
                              "SELECT org_id, " COUNT_COLS ", median_days"
                              " FROM report_counts WHERE period = ?1"),
            0, SQLITE_OK};
        sq_bind_text(&b, periods[i]);
        if (one)
            sq_bind_id(&b, org_id);
        j.hint = 0;
        j.weight = weights ? weights[i] : 1;
        n = sq_run_list(ss, &b, "report_counts", counts_row, &j);
        if (n < 0)
            goto out;
    }

    b = (struct sq_binder){
        one ? sq_stmt_get(ss, STMT_ID_REPORT_OPEN_ONE,
                          "SELECT org_id, return_date, n FROM report_open"
                          " WHERE org_id = ?1 AND n <> 0")
            : sq_stmt_get(ss, STMT_ID_REPORT_OPEN,
                          "SELECT org_id, return_date, n FROM report_open"
                          " WHERE n <> 0"),
        0, SQLITE_OK};
    if (one)
        sq_bind_id(&b, org_id);
    n = sq_run_list(ss, &b, "report_open", open_row, &j);
    if (n < 0)
        goto out;

    /* several periods: the median from the histograms of days to response,
     * each period's a range of report_hist's primary key (one packed
     * histogram per jurisdiction), summed here with their weights */
    for (i = 0; several && i < n_periods; i++) {
        b = (struct sq_binder){
            one ? sq_stmt_get(ss, STMT_ID_REPORT_DAYS_ONE,
                              "SELECT org_id, h FROM report_hist"
                              " WHERE period = ?1 AND org_id = ?2")
                : sq_stmt_get(ss, STMT_ID_REPORT_DAYS,
                              "SELECT org_id, h FROM report_hist"
                              " WHERE period = ?1"),
            0, SQLITE_OK};
        sq_bind_text(&b, periods[i]);
        if (one)
            sq_bind_id(&b, org_id);
        j.hint = 0;
        j.weight = weights ? weights[i] : 1;
        n = sq_run_list(ss, &b, "report_hist", hist_row, &j);
        if (n < 0)
            goto out;
    }

    order = cm_calloc(j.n ? j.n : 1, sizeof *order);
    for (i = 0; i < j.n; i++)
        order[i] = &j.v[i];
    qsort(order, j.n, sizeof *order, jur_order_cmp);
    for (i = 0; i < j.n; i++) {
        struct store_report_row *r = &order[i]->r;

        if (several) {
            /* the median comes from the histogram, or there is none */
            hist_bars(order[i]);
            r->has_median = false;
        }
        cb(cls, r);
    }
    n = (int)j.n;
out:
    for (i = 0; i < j.n; i++) {
        cm_free((char *)j.v[i].r.name);
        cm_free((char *)j.v[i].r.state);
        cm_free((char *)j.v[i].r.timezone);
        cm_free(j.v[i].hist);
        cm_free(j.v[i].bars);
    }
    cm_free(j.v);
    cm_free(j.zones);
    cm_free(order);
    return n;
}

/* ---- bulk writes: defer, catch up, rebuild (0009-report-deferred.sql) --*/

/* report_counts' measure columns, in enum store_report_measure order. */
static const char *const measure_cols[STORE_REPORT_MEASURE__COUNT] = {
    "detainers_lodged",
    "honored_reported",
    "honored_observed",
    "honored_inferred",
    "declined_reported",
    "declined_observed",
    "declined_inferred",
    "served",
    "resolved",
    "complied",
    "partially_complied",
    "no_records",
    "objected",
    "refused",
    "on_time_original",
    "on_time_extended",
    "items_requested",
    "items_produced",
    "referred",
    "orders_enforced",
    "orders_enforced_in_part",
    "orders_denied",
    "contempt_civil",
    "contempt_criminal"};

/* The period key of `day` at level l.len, as the triggers write it. */
#define PERIOD_OF(day) \
    "CASE l.len WHEN 0 THEN '*' ELSE substr(" day ", 1, l.len) END"

/* Append `pre` column `post` for each measure column, separated by ", ",
 * each followed by " AS column" when `alias`. */
static void
add_measures(struct buf *b, const char *pre, const char *post, bool alias)
{
    for (int i = 0; i < STORE_REPORT_MEASURE__COUNT; i++)
        buf_addf(b, "%s%s%s%s%s%s", i ? ", " : "", pre, measure_cols[i], post,
                 alias ? " AS " : "", alias ? measure_cols[i] : "");
}

/*
 * Add to report_counts the rows of `rows_sql` (a SELECT of org_id, day and
 * the measures, in order, e.g. a UNION ALL of the views): summed per
 * (jurisdiction, day) first, then rolled up into the four levels, so the
 * big input is sorted once and the levels read the small day sums. ?1 is
 * bound to `since` (the statement may ignore it).
 */
static enum store_rc
add_counts(struct sqlite_store *ss, const char *rows_sql, int64_t since)
{
    struct buf q = BUF_INIT;
    sqlite3_stmt *st = NULL;
    int rc;

    buf_adds(&q, "WITH dd AS (SELECT r.org_id AS org_id, r.day AS day, ");
    add_measures(&q, "sum(r.", ")", true);
    buf_addf(&q,
             " FROM (%s) r GROUP BY r.org_id, r.day)"
             " INSERT INTO report_counts (org_id, period, ",
             rows_sql);
    add_measures(&q, "", "", false);
    buf_adds(&q, ") SELECT dd.org_id, " PERIOD_OF("dd.day") ", ");
    add_measures(&q, "sum(dd.", ")", false);
    buf_adds(&q, " FROM dd JOIN report_levels l WHERE true GROUP BY 1, 2"
                 " ON CONFLICT (period, org_id) DO UPDATE SET ");
    for (int i = 0; i < STORE_REPORT_MEASURE__COUNT; i++)
        buf_addf(&q, "%s%s = %s + excluded.%s", i ? ", " : "", measure_cols[i],
                 measure_cols[i], measure_cols[i]);
    rc = sqlite3_prepare_v2(ss->db, buf_str(&q), -1, &st, NULL);
    if (rc == SQLITE_OK && sqlite3_bind_parameter_count(st) >= 1)
        rc = sqlite3_bind_int64(st, 1, since);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    buf_release(&q);
    if (rc != SQLITE_DONE)
        return sq_rc_from(ss, rc, "report_counts");
    return STORE_ONE_RESULT;
}

/* Run `sql` (one statement) with ?1 bound to `since` when it has it. */
static enum store_rc
run_since(struct sqlite_store *ss, const char *sql, int64_t since)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ss->db, sql, -1, &st, NULL);

    if (rc == SQLITE_OK && sqlite3_bind_parameter_count(st) >= 1)
        rc = sqlite3_bind_int64(st, 1, since);
    if (rc == SQLITE_OK)
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            ;
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sq_rc_from(ss, rc, "report bulk");
    return STORE_ONE_RESULT;
}

/* The decision of each detainer decided, from rowid ?1 on: the
 * statement of 0006's backfill (and of the detainer insert trigger). */
#define DECISIONS_SINCE                                                    \
    "INSERT INTO report_detainer_decisions (detainer_id, org_id, day,"     \
    " decision, source)"                                                   \
    " SELECT d.id, f.org_id, compel_local_date(d.decided_at, o.timezone)," \
    " CASE WHEN d.state IN ('honored', 'declined') THEN d.state"           \
    " WHEN d.state = 'transferred' THEN 'honored'"                         \
    " WHEN d.decline_policy_id IS NOT NULL OR d.reason IS NOT NULL"        \
    " THEN 'declined' ELSE 'honored' END, d.outcome_source"                \
    " FROM detainers d JOIN facilities f ON f.id = d.facility_id"          \
    " JOIN organizations o ON o.id = f.org_id"                             \
    " WHERE d.rowid > ?1 AND d.decided_at IS NOT NULL"

/* The lodging of each detainer from rowid ?1 on, counted per jurisdiction
 * and local day and rolled up into the four levels: what summing
 * report_detainer_rows for them adds (a 1 in detainers_lodged), without
 * carrying its 25 zero columns through a sort. The new rows are read in
 * rowid order (CROSS JOIN keeps detainers the outer loop). */
#define LODGED_SINCE                                                       \
    "WITH dd AS (SELECT f.org_id AS org_id,"                               \
    " compel_local_date(d.created_at, o.timezone) AS day, count(*) AS n"   \
    " FROM detainers d CROSS JOIN facilities f ON f.id = d.facility_id"    \
    " CROSS JOIN organizations o ON o.id = f.org_id"                       \
    " WHERE d.rowid > ?1 GROUP BY 1, 2)"                                   \
    " INSERT INTO report_counts (org_id, period, detainers_lodged)"        \
    " SELECT dd.org_id, " PERIOD_OF(                                       \
        "dd.day") ", sum(dd.n)"                                            \
                  " FROM dd JOIN report_levels l WHERE true GROUP BY 1, 2" \
                  " ON CONFLICT (period, org_id) DO UPDATE"                \
                  " SET detainers_lodged = detainers_lodged + excluded.detainers_lodged"

/* The measure columns of a view row, after org_id and day. */
static void
add_view_cols(struct buf *b)
{
    buf_adds(b, "org_id, day, ");
    add_measures(b, "", "", false);
}

static enum store_rc
sq_reports_defer(struct store *s)
{
    return run_since(sq_to_sqlite(s),
                     "INSERT INTO report_deferred (one, detainers_since,"
                     " subpoenas_since)"
                     " VALUES (1,"
                     " coalesce((SELECT max(rowid) FROM detainers), 0),"
                     " coalesce((SELECT max(rowid) FROM subpoenas), 0))",
                     0);
}

static enum store_rc sq_reports_rebuild(struct store *s);

static enum store_rc
sq_reports_catch_up(struct store *s)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct buf rows = BUF_INIT;
    sqlite3_stmt *st = NULL;
    int64_t since = 0;
    bool subpoenas = false;
    bool decided;
    enum store_rc rc;
    int src;

    src = sqlite3_prepare_v2(
        ss->db,
        "SELECT detainers_since,"
        " coalesce((SELECT max(rowid) FROM subpoenas), 0) > subpoenas_since"
        " FROM report_deferred",
        -1, &st, NULL);
    if (src == SQLITE_OK)
        src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        since = sqlite3_column_int64(st, 0);
        subpoenas = sqlite3_column_int(st, 1) != 0;
    }
    sqlite3_finalize(st);
    if (src == SQLITE_DONE)
        return STORE_NO_RESULTS;
    if (src != SQLITE_ROW)
        return sq_rc_from(ss, src, "report_deferred");
    if (subpoenas)
        return sq_reports_rebuild(s);
    /* the new detainers' decisions first (the decision trigger is off
     * too), then their lodging, then their decisions' counts */
    rc = run_since(ss, DECISIONS_SINCE, since);
    decided = sqlite3_changes(ss->db) > 0;
    if (rc == STORE_ONE_RESULT)
        rc = run_since(ss, LODGED_SINCE, since);
    if (rc == STORE_ONE_RESULT && decided) {
        buf_adds(&rows, "SELECT ");
        add_view_cols(&rows);
        buf_adds(&rows, " FROM report_decision_rows WHERE detainer_id IN"
                        " (SELECT id FROM detainers WHERE rowid > ?1)");
        rc = add_counts(ss, buf_str(&rows), since);
    }
    buf_release(&rows);
    if (rc == STORE_ONE_RESULT)
        rc = run_since(ss, "DELETE FROM report_deferred", 0);
    return rc;
}

static enum store_rc
sq_reports_rebuild(struct store *s)
{
    static const char *const wipe[] = {
        /* the marker turns the decision trigger off while the decisions
         * are written again below */
        "INSERT INTO report_deferred (one, detainers_since, subpoenas_since)"
        " VALUES (1, 0, 0) ON CONFLICT (one) DO NOTHING",
        "DELETE FROM report_counts",
        "DELETE FROM report_days",
        "DELETE FROM report_hist",
        "DELETE FROM report_open",
        "DELETE FROM report_detainer_decisions",
        DECISIONS_SINCE,
        NULL};
    static const char *const views[] = {
        "report_detainer_rows", "report_decision_rows", "report_subpoena_rows",
        "report_enforcement_rows", NULL};
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct buf rows = BUF_INIT;
    enum store_rc rc = STORE_ONE_RESULT;

    for (int i = 0; wipe[i] && rc == STORE_ONE_RESULT; i++)
        rc = run_since(ss, wipe[i], 0);
    for (int i = 0; views[i]; i++) {
        buf_adds(&rows, i ? " UNION ALL SELECT " : "SELECT ");
        add_view_cols(&rows);
        buf_addf(&rows, " FROM %s", views[i]);
    }
    if (rc == STORE_ONE_RESULT)
        rc = add_counts(ss, buf_str(&rows), 0);
    buf_release(&rows);
    /* days to response: per day, then rolled up; then each period's
     * lower median in one pass over report_days in key order */
    if (rc == STORE_ONE_RESULT)
        rc = run_since(
            ss,
            "WITH hd AS (SELECT org_id, day, days, count(*) AS n"
            " FROM report_subpoena_days GROUP BY org_id, day, days)"
            " INSERT INTO report_days (period, org_id, days, n)"
            " SELECT " PERIOD_OF(
                "hd.day") ", hd.org_id, hd.days, sum(hd.n)"
                          " FROM hd JOIN report_levels l WHERE true GROUP BY 1, 2, 3",
            0);
    /* the packed histograms of the same (the triggers that keep them
     * are off while the marker is there) */
    if (rc == STORE_ONE_RESULT)
        rc = run_since(ss,
                       "INSERT INTO report_hist (period, org_id, h)"
                       " SELECT period, org_id, compel_hist_pack(days, n)"
                       " FROM report_days WHERE n <> 0"
                       " GROUP BY period, org_id",
                       0);
    if (rc == STORE_ONE_RESULT)
        rc = run_since(
            ss,
            "UPDATE report_counts SET median_days = m.days FROM ("
            " SELECT period, org_id, min(days) AS days FROM ("
            "  SELECT period, org_id, days,"
            "   sum(n) OVER (PARTITION BY period, org_id ORDER BY days"
            "    ROWS UNBOUNDED PRECEDING) AS cum,"
            "   sum(n) OVER (PARTITION BY period, org_id) AS total"
            "  FROM report_days WHERE n > 0)"
            " WHERE cum >= (total - 1) / 2 + 1 GROUP BY period, org_id) m"
            " WHERE report_counts.period = m.period"
            " AND report_counts.org_id = m.org_id",
            0);
    if (rc == STORE_ONE_RESULT)
        rc = run_since(ss,
                       "INSERT INTO report_open (org_id, return_date, n)"
                       " SELECT org_id, return_date, count(*)"
                       " FROM report_subpoena_open GROUP BY 1, 2",
                       0);
    if (rc == STORE_ONE_RESULT)
        rc = run_since(ss, "DELETE FROM report_deferred", 0);
    return rc;
}

const struct store_reports_ops sq_reports_ops = {
    .report_jurisdictions = sq_report_jurisdictions,
    .defer = sq_reports_defer,
    .catch_up = sq_reports_catch_up,
    .rebuild = sq_reports_rebuild,
};
