/*
 * bench_reports.c: the jurisdiction report over a large database.
 *
 *   bench_reports [--smoke] [--subpoenas N] [--jurisdictions J] [--keep DIR]
 *
 * Makes a fresh compel database (all migrations), then a generator writes
 * J jurisdictions (default 3,000) and N subpoenas (default 10,000,000;
 * --smoke: 20,000 over 300) directly with SQL, in one store transaction
 * with prepared statements on the store's connection, the per-row report
 * triggers deferred and the aggregates built once at the end
 * (store_reports_defer, store_reports_rebuild: the same tables the
 * triggers make; the time includes the build). The subpoenas
 * are served between 2022-01-01 and 2024-12-31, 90% answered 0 to 40
 * days later with a disposition, a tenth of them extended by 14 days.
 *
 * Then it times the report through the store (store_report_jurisdictions,
 * the op behind GET /api/v1/reports/jurisdictions) and the whole JSON
 * document as the server answers it (reports_write: the read, the
 * measures and the JSON text), for all time, one year, one month, a
 * quarter and twelve months across two years (sums of several periods),
 * a range cut at days, eleven months of a year (the year less December)
 * and an open range from a day to "now" (2025-01-01), and prints
 * milliseconds against the goal (20 ms).
 * Run by `make bench`, never by the tests.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/rand.h"
#include "http/app.h"
#include "http/reports.h"
#include "store/sqlite/sqlite_int.h"
#include "store/store.h"

#define GOAL_MS 20.0

static double
now_ms(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* xorshift64*: reproducible data without rand() */
static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t
next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717ull;
}

static int
exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

    if (rc != SQLITE_OK) {
        (void)fprintf(stderr, "bench_reports: %s: %s\n", sql, msg);
        sqlite3_free(msg);
    }
    return rc;
}

static void
date_of(int64_t us, char out[11])
{
    store_reports_local_date(NULL, us, out);
}

/* Write the world: an agency office, two users, J jurisdictions, N
 * subpoenas, on the store's own connection inside one store transaction
 * (store_tx_run): the report triggers are deferred (store_reports_defer)
 * and the aggregates built once at the end (store_reports_rebuild), the
 * same tables the triggers would have made (tests/unit/
 * test_report_bulk.c checks that). */
struct gen {
    long n;
    long j;
    double insert_ms;
    double rebuild_ms;
};

static enum store_rc
generate_tx(struct store *s, void *ctx)
{
    static const char *const zones[] = {"America/New_York", "America/Chicago",
                                        "America/Denver",
                                        "America/Los_Angeles"};
    static const char *const disp[] = {"complied", "partially_complied",
                                       "no_records", "objected", "refused"};
    struct gen *g = ctx;
    sqlite3 *db = sq_to_sqlite(s)->db;
    sqlite3_stmt *org = NULL;
    sqlite3_stmt *sub = NULL;
    char(*ids)[CM_ID_LEN + 1] = calloc((size_t)g->j, sizeof *ids);
    const int64_t t0 = 1640995200LL * 1000000; /* 2022-01-01T00:00:00Z */
    const int64_t span = 3LL * 365 * 86400 * 1000000;
    enum store_rc rc = STORE_HARD_ERROR;
    double t = now_ms();
    char sql[64];
    long i;

    if (!ids || store_reports_defer(s) != STORE_ONE_RESULT)
        goto out;
    /* A page cache as large as the database will be (about 0.7 KiB a
     * subpoena), at least 1 GB: the whole world is one transaction, so a
     * page not in the cache is looked up in a WAL of gigabytes, whose
     * index SQLite searches block by block (at 10,000,000 subpoenas with 1
     * GB, half the time went to sqlite3WalFindFrame). */
    (void)snprintf(sql, sizeof sql, "PRAGMA cache_size = -%ld",
                   g->n * 7 / 10 > 1000000 ? g->n * 7 / 10 : 1000000);
    if (exec(db, sql) != SQLITE_OK ||
        exec(db, "INSERT INTO organizations (id, created_at, updated_at,"
                 " kind, name, state, timezone) VALUES"
                 " ('bench-agency-office-01', 0, 0, 'agency_office',"
                 " 'Bench Office', 'CO', 'America/Denver');"
                 "INSERT INTO users (id, created_at, updated_at, email, name,"
                 " org_id, roles) VALUES ('bench-drafter-00000001', 0, 0,"
                 " 'drafter@bench.test', 'Drafter', 'bench-agency-office-01',"
                 " 1), ('bench-signer-000000001', 0, 0, 'signer@bench.test',"
                 " 'Signer', 'bench-agency-office-01', 2)") != SQLITE_OK)
        goto out;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO organizations (id, created_at,"
                           " updated_at, kind, name, state, timezone) VALUES"
                           " (?, 0, 0, 'jurisdiction', ?, 'CO', ?)",
                           -1, &org, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(
            db,
            "INSERT INTO subpoenas (id, created_at, updated_at, number,"
            " agency_org_id, recipient_org_id, purpose, state, drafted_by,"
            " signed_by, signed_at, served_at, service_method, served_to,"
            " return_date, original_return_date, responded_at, disposition)"
            " VALUES (?1, ?2, ?2, ?3, 'bench-agency-office-01', ?4, 'bench',"
            " ?5, 'bench-drafter-00000001', 'bench-signer-000000001', ?2, ?2,"
            " 'personal', 'records', ?6, ?7, ?8, ?9)",
            -1, &sub, NULL) != SQLITE_OK) {
        (void)fprintf(stderr, "bench_reports: %s\n", sqlite3_errmsg(db));
        goto out;
    }
    for (i = 0; i < g->j; i++) {
        char name[64];

        cm_id_new(ids[i]);
        (void)snprintf(name, sizeof name, "Jurisdiction %06ld", i);
        sqlite3_bind_text(org, 1, ids[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(org, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(org, 3, zones[i % 4], -1, SQLITE_STATIC);
        if (sqlite3_step(org) != SQLITE_DONE)
            goto out;
        sqlite3_reset(org);
    }
    for (i = 0; i < g->n; i++) {
        char id[CM_ID_LEN + 1];
        char number[32];
        char ret[11];
        char orig[11];
        int64_t served = t0 + (int64_t)(next() % (uint64_t)span);
        uint64_t r = next();
        /* unanswered: a tenth of those served in the last 45 days before
         * the report's "now" (2025-01-01); older ones were answered */
        bool answered =
            r % 10 != 0 || served < t0 + span - 45LL * 86400000000LL;
        int64_t answered_at = served + (int64_t)((r >> 8) % 41) * 86400000000LL;

        cm_id_new(id);
        (void)snprintf(number, sizeof number, "SUB-2022-%ld", i);
        date_of(served + 14LL * 86400000000LL, orig);
        if ((r >> 16) % 10 == 0)
            date_of(served + 28LL * 86400000000LL, ret);
        else
            (void)snprintf(ret, sizeof ret, "%s", orig);
        sqlite3_bind_text(sub, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(sub, 2, served);
        sqlite3_bind_text(sub, 3, number, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(sub, 4, ids[(r >> 24) % (uint64_t)g->j], -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(sub, 5, answered ? "responded" : "served", -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(sub, 6, ret, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(sub, 7, orig, -1, SQLITE_TRANSIENT);
        if (answered) {
            sqlite3_bind_int64(sub, 8, answered_at);
            sqlite3_bind_text(sub, 9, disp[(r >> 40) % 5], -1, SQLITE_STATIC);
        } else {
            sqlite3_bind_null(sub, 8);
            sqlite3_bind_null(sub, 9);
        }
        if (sqlite3_step(sub) != SQLITE_DONE) {
            (void)fprintf(stderr, "bench_reports: %s\n", sqlite3_errmsg(db));
            goto out;
        }
        sqlite3_reset(sub);
        if (i && i % 1000000 == 0)
            (void)fprintf(stderr, "  %ld subpoenas\n", i);
    }
    g->insert_ms = now_ms() - t;
    t = now_ms();
    rc = store_reports_rebuild(s);
    g->rebuild_ms = now_ms() - t;
    (void)exec(db, "PRAGMA cache_size = -1024");
out:
    sqlite3_finalize(org);
    sqlite3_finalize(sub);
    free(ids);
    return rc;
}

static void
count_row(void *cls, const struct store_report_row *r)
{
    (void)r;
    (*(long *)cls)++;
}

struct build_ctx {
    struct reports_query q;
    struct buf text;
};

static enum store_rc
build_tx(struct store *s, void *ctx)
{
    struct build_ctx *b = ctx;

    return reports_write(s, &b->q, REPORTS_FORMAT_JSON, &b->text);
}

/* Time the report over [from, to] (NULL, NULL: all time) as the server
 * answers it: the read, the measures and the JSON text; best of 5. */
static int
time_report(struct store *s,
            const char *label,
            const char *from,
            const char *to)
{
    double best_doc = 1e9;
    size_t bytes = 0;
    int k;

    for (k = 0; k < 5; k++) {
        struct build_ctx b;
        double t;

        memset(&b, 0, sizeof b);
        b.q.from = from;
        b.q.to = to;
        b.q.now = 1735689600LL * 1000000; /* 2025-01-01 */
        t = now_ms();
        if (store_tx_run_read(s, "bench", build_tx, &b) < 0)
            return 1;
        t = now_ms() - t;
        if (t < best_doc)
            best_doc = t;
        bytes = b.text.len;
        buf_release(&b.text);
    }
    (void)printf(
        "report %-24s %8.2f ms  (goal %.0f ms) %s  %zu bytes of JSON\n", label,
        best_doc, GOAL_MS, best_doc <= GOAL_MS ? "ok" : "OVER", bytes);
    return 0;
}

int
main(int argc, char **argv)
{
    long n = 10000000;
    long j = 3000;
    const char *keep = NULL;
    char dir[] = "/tmp/bench_reports.XXXXXX";
    char path[512];
    char url[600];
    struct store *s = NULL;
    const char *why = NULL;
    int applied = 0;
    double t;
    int i;
    long rows = 0;
    const char *periods[] = {"*"};
    struct gen g;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--smoke") == 0) {
            n = 20000;
            j = 300;
        } else if (strcmp(argv[i], "--subpoenas") == 0 && i + 1 < argc) {
            n = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--jurisdictions") == 0 && i + 1 < argc) {
            j = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--keep") == 0 && i + 1 < argc) {
            keep = argv[++i];
        } else {
            (void)fprintf(stderr, "usage: bench_reports [--smoke] "
                                  "[--subpoenas N] [--jurisdictions J] "
                                  "[--keep DIR]\n");
            return 2;
        }
    }
    if (n < 0 || j < 1)
        return 2;
    store_reports_set_local_date(reports_local_date);
    if (!keep && !mkdtemp(dir))
        return 1;
    (void)snprintf(path, sizeof path, "%s/bench.db", keep ? keep : dir);
    (void)snprintf(url, sizeof url, "sqlite:%s", path);
    if (access(path, F_OK) != 0) {
        if (store_open(url, STORE_OPEN_MODE_CREATE, &s, &why) != CM_ERR_OK ||
            store_migrate(s, 0, &applied) != STORE_ONE_RESULT) {
            (void)fprintf(stderr, "bench_reports: %s\n", why ? why : "init");
            return 1;
        }
        store_close(s);
        s = NULL;
        (void)printf("generating %ld subpoenas over %ld jurisdictions...\n", n,
                     j);
        (void)fflush(stdout);
        if (store_open(url, STORE_OPEN_MODE_EXISTING, &s, &why) != CM_ERR_OK)
            return 1;
        g.n = n;
        g.j = j;
        t = now_ms();
        if (store_tx_run(s, "generate", generate_tx, &g) != STORE_ONE_RESULT)
            return 1;
        t = now_ms() - t;
        store_close(s);
        s = NULL;
        (void)printf("generated in %.1f s (%.0f subpoenas/s): inserts %.1f s,"
                     " one aggregate build %.1f s, commit %.1f s\n",
                     t / 1000, (double)n / (t / 1000), g.insert_ms / 1000,
                     g.rebuild_ms / 1000,
                     (t - g.insert_ms - g.rebuild_ms) / 1000);
    }
    if (store_open(url, STORE_OPEN_MODE_EXISTING, &s, &why) != CM_ERR_OK) {
        (void)fprintf(stderr, "bench_reports: %s\n", why ? why : "open");
        return 1;
    }
    /* the page cache a server's read gets: the pool's budget of 2 MiB per
     * connection it may open (APP_POOL_CACHE_PER_CONNECTION), 16 MiB with
     * the 8 connections of a 2-processor machine */
    store_cache_limit(s, (int64_t)APP_POOL_MIN * APP_POOL_CACHE_PER_CONNECTION);
    t = now_ms();
    (void)store_report_jurisdictions(s, periods, NULL, 1, NULL, 0, count_row,
                                     &rows);
    (void)printf("store op, all time, first (cold) call: %.2f ms, %ld rows\n",
                 now_ms() - t, rows);
    for (i = 0, t = 1e9; i < 5; i++) {
        double u = now_ms();

        rows = 0;
        (void)store_report_jurisdictions(s, periods, NULL, 1, NULL, 0,
                                         count_row, &rows);
        u = now_ms() - u;
        t = u < t ? u : t;
    }
    (void)printf("store op, all time, best of 5: %.2f ms\n", t);
    if (time_report(s, "all time", NULL, NULL) ||
        time_report(s, "2024", "2024-01-01", "2024-12-31") ||
        time_report(s, "March 2024", "2024-03-01", "2024-03-31") ||
        time_report(s, "2024 Q1 (3 months)", "2024-01-01", "2024-03-31") ||
        time_report(s, "2023-07..2024-06 (12 months)", "2023-07-01",
                    "2024-06-30") ||
        time_report(s, "2023-02-15..2024-11-20", "2023-02-15", "2024-11-20") ||
        time_report(s, "2024-01-01..2024-11-30", "2024-01-01", "2024-11-30") ||
        time_report(s, "since 2024-06-15", "2024-06-15", NULL))
        return 1;
    store_close(s);
    if (!keep) {
        (void)unlink(path);
        (void)snprintf(url, sizeof url, "%s-wal", path);
        (void)unlink(url);
        (void)snprintf(url, sizeof url, "%s-shm", path);
        (void)unlink(url);
        (void)rmdir(dir);
    }
    return 0;
}
