/*
 * test_report_bulk.c: the report aggregates made in bulk equal the ones
 * the per-row triggers make (store_reports.h, migration 0009).
 *
 * - A detainer import (bulk_import_tx: the deferred path, caught up at the
 *   end) over two jurisdictions in two time zones, with lodged, honored,
 *   declined, released, transferred and cancelled detainers on days that
 *   differ between UTC and local time, gives exactly the report_counts and
 *   report_detainer_decisions rows that inserting the same detainers one
 *   by one (the triggers of 0006) gives, and the figures a reader checks
 *   by hand.
 * - store_reports_rebuild over subpoenas (served, answered, extended,
 *   open) gives exactly the tables the triggers made, report_days,
 *   report_open and the stored medians included.
 * - A transaction that defers and does not catch up cannot commit.
 * - A bad file imports nothing and leaves the aggregates alone.
 *
 * Real SQLite files in a temporary directory; the local date function is
 * the application's (reports_local_date).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "bulk/bulk.h"
#include "core/buf.h"
#include "http/reports.h"
#include "store/sqlite/sqlite_int.h"
#include "store/store.h"

#define NOW_US (1735689600LL * 1000000) /* 2025-01-01T00:00:00Z */

struct fx {
    char dir[64];
    char path[128];
    char url[160];
    struct store *s;
};

static void
exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
    sqlite3_free(msg);
}

/* A raw connection with compel_local_date, as the server has. */
static sqlite3 *
raw_open(const struct fx *f)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sq_reports_register(db), SQLITE_OK);
    return db;
}

/* Every row of `sql` as text, one line a row, cells separated by '|'. */
static char *
dump(sqlite3 *db, const char *sql)
{
    struct buf b = BUF_INIT;
    sqlite3_stmt *st = NULL;
    char *out;

    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const unsigned char *t = sqlite3_column_text(st, i);

            buf_addf(&b, "%s%s", i ? "|" : "", t ? (const char *)t : "NULL");
        }
        buf_adds(&b, "\n");
    }
    sqlite3_finalize(st);
    out = strdup(buf_str(&b));
    buf_release(&b);
    return out;
}

static const char *const counts_sql =
    "SELECT * FROM report_counts ORDER BY period, org_id";
static const char *const decisions_sql =
    "SELECT * FROM report_detainer_decisions ORDER BY detainer_id";

static int64_t
one_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;

    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    const char *why = NULL;
    int applied = 0;
    sqlite3 *db;

    store_reports_set_local_date(reports_local_date);
    (void)snprintf(f->dir, sizeof f->dir, "/tmp/test_report_bulk.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    (void)snprintf(f->path, sizeof f->path, "%s/c.db", f->dir);
    (void)snprintf(f->url, sizeof f->url, "sqlite:%s", f->path);
    if (store_open(f->url, STORE_OPEN_MODE_CREATE, &f->s, &why) != CM_ERR_OK ||
        store_migrate(f->s, NOW_US, &applied) != STORE_ONE_RESULT)
        return -1;
    db = raw_open(f);
    exec_ok(
        db,
        "INSERT INTO organizations (id, created_at, updated_at, kind, name,"
        " state, timezone) VALUES"
        " ('office-000000000000001', 0, 0, 'agency_office', 'Office', 'CO',"
        "  'America/Denver'),"
        " ('county-000000000000001', 0, 0, 'jurisdiction', 'Denver County',"
        "  'CO', 'America/Denver'),"
        " ('county-000000000000002', 0, 0, 'jurisdiction', 'Kings County',"
        "  'NY', 'America/New_York');"
        "INSERT INTO users (id, created_at, updated_at, email, name, org_id,"
        " roles) VALUES ('user-00000000000000001', 0, 0, 'o@test.test',"
        " 'Officer', 'office-000000000000001', 1);"
        "INSERT INTO facilities (id, version, created_at, updated_at,"
        " org_id, name, timezone) VALUES"
        " ('jail-00000000000000001', 1, 0, 0, 'county-000000000000001',"
        "  'Denver Jail', 'America/Denver'),"
        " ('jail-00000000000000002', 1, 0, 0, 'county-000000000000002',"
        "  'Kings Jail', 'America/New_York');"
        "INSERT INTO people (id, version, created_at, updated_at, org_id,"
        " family_name, given_names, identifiers, family_name_bidx,"
        " external_ref) VALUES"
        " ('person-000000000000001', 1, 0, 0, 'office-000000000000001',"
        "  x'00', x'00', x'00', x'01', 'P-1'),"
        " ('person-000000000000002', 1, 0, 0, 'office-000000000000001',"
        "  x'00', x'00', x'00', x'02', 'P-2')");
    sqlite3_close(db);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;
    char p[200];

    store_close(f->s);
    (void)unlink(f->path);
    (void)snprintf(p, sizeof p, "%s-wal", f->path);
    (void)unlink(p);
    (void)snprintf(p, sizeof p, "%s-shm", f->path);
    (void)unlink(p);
    (void)rmdir(f->dir);
    free(f);
    return 0;
}

/* The detainers file: 10 rows in two jurisdictions. Times near midnight
 * so that local and UTC days differ. */
static const char detainers_csv[] =
    "external_ref,person_ref,jurisdiction,jurisdiction_state,facility,basis,"
    "state,lodged_at,acknowledged_at,decided_at,outcome_source,"
    "decline_reason,released_at,notice_given,transferred_at,cancel_reason\n"
    /* lodged 2024-03-05 local (Denver, UTC-7) */
    "D-1,P-1,Denver County,CO,Denver Jail,final_order,lodged,"
    "2024-03-06T05:30:00Z,,,,,,,,\n"
    /* honored, reported: decided 2024-03-06 local */
    "D-2,P-2,Denver County,CO,Denver Jail,statements,honored,"
    "2024-03-05T10:00:00Z,,2024-03-07T03:00:00Z,reported,,,,,\n"
    /* declined, observed, in New York */
    "D-3,P-1,Kings County,NY,Kings Jail,biometric_match,declined,"
    "2024-03-31T23:30:00Z,2024-04-01T01:00:00Z,2024-04-01T03:00:00Z,"
    "observed,policy,,,,\n"
    /* released after being declined (reason), inferred */
    "D-4,P-2,Kings County,NY,Kings Jail,final_order,released,"
    "2023-12-31T23:00:00Z,,2024-01-01T04:59:59Z,inferred,sanctuary,"
    "2024-01-02T00:00:00Z,false,,\n"
    /* released without a decision */
    "D-5,P-1,Denver County,CO,Denver Jail,final_order,released,"
    "2024-06-01T12:00:00Z,,,,,2024-06-02T12:00:00Z,true,,\n"
    /* transferred after a decision: honored */
    "D-6,P-2,Denver County,CO,Denver Jail,pending_proceedings,transferred,"
    "2024-06-01T12:00:00Z,,2024-06-01T18:00:00Z,reported,,,,"
    "2024-06-03T12:00:00Z,\n"
    /* cancelled after a decision with a decline reason: declined */
    "D-7,P-1,Kings County,NY,Kings Jail,statements,cancelled,"
    "2024-07-04T03:59:00Z,,2024-07-04T05:00:00Z,reported,policy,,,,"
    "withdrawn\n"
    "D-8,P-2,Kings County,NY,Kings Jail,statements,acknowledged,"
    "2024-07-04T04:00:00Z,2024-07-04T05:00:00Z,,,,,,,\n"
    "D-9,P-1,Denver County,CO,Denver Jail,final_order,honored,"
    "2022-12-31T23:59:59Z,,2023-01-01T06:59:59Z,observed,,,,,\n"
    "D-10,P-2,Denver County,CO,Denver Jail,final_order,lodged,"
    "2024-02-29T06:59:59Z,,,,,,,,\n";

static enum store_rc
import_file(struct fx *f, const char *csv, struct bulk_result *res)
{
    struct bulk_import in;
    struct bulk_job job;
    enum store_rc rc;

    memset(&in, 0, sizeof in);
    in.kind = BULK_KIND_DETAINERS;
    in.data = csv;
    in.len = strlen(csv);
    in.office_id = "office-000000000000001";
    in.actor.user_id = "user-00000000000000001";
    in.actor.org_id = "office-000000000000001";
    in.now = NOW_US;
    memset(&job, 0, sizeof job);
    job.in = &in;
    rc = store_tx_run(f->s, "import", bulk_import_tx, &job);
    *res = job.result;
    return rc;
}

/* Empty the aggregates and insert every detainer again, one row at a time
 * through the triggers: what creating them one by one does. */
static void
insert_one_by_one(sqlite3 *db)
{
    exec_ok(db, "BEGIN;"
                "CREATE TEMP TABLE t AS SELECT * FROM detainers;"
                "DELETE FROM report_counts; DELETE FROM report_days;"
                "DELETE FROM report_detainer_decisions;"
                "DELETE FROM detainers;"
                "INSERT INTO detainers SELECT * FROM temp.t ORDER BY rowid;"
                "DROP TABLE temp.t;"
                "COMMIT");
}

static void
test_import_equals_triggers(void **state)
{
    struct fx *f = *state;
    struct bulk_result res;
    char *bulk_counts;
    char *bulk_decisions;
    char *one_counts;
    char *one_decisions;
    sqlite3 *db;

    assert_int_equal(import_file(f, detainers_csv, &res), STORE_ONE_RESULT);
    assert_int_equal(res.error_count, 0);
    assert_int_equal(res.created, 10);
    bulk_result_release(&res);
    db = raw_open(f);
    assert_int_equal(one_int(db, "SELECT count(*) FROM report_deferred"), 0);
    /* the figures, by hand: 10 lodged; Denver all time: D-1, D-2, D-5,
     * D-6, D-9, D-10 lodged; honored reported D-2 and D-6, observed D-9 */
    assert_int_equal(one_int(db, "SELECT sum(detainers_lodged) FROM"
                                 " report_counts WHERE period = '*'"),
                     10);
    assert_int_equal(
        one_int(db, "SELECT detainers_lodged * 100 + honored_reported * 10 +"
                    " honored_observed FROM report_counts WHERE period = '*'"
                    " AND org_id = 'county-000000000000001'"),
        621);
    /* New York: declined observed D-3 (2024-03-31 local), inferred D-4
     * (2023-12-31 local), reported D-7 (2024-07-04 00:00 local) */
    assert_int_equal(
        one_int(db, "SELECT declined_observed * 100 + declined_inferred * 10 +"
                    " declined_reported FROM report_counts WHERE period = '*'"
                    " AND org_id = 'county-000000000000002'"),
        111);
    assert_int_equal(one_int(db,
                             "SELECT declined_observed FROM report_counts WHERE"
                             " period = '2024-03-31'"
                             " AND org_id = 'county-000000000000002'"),
                     1);
    assert_int_equal(one_int(db,
                             "SELECT declined_inferred FROM report_counts WHERE"
                             " period = '2023-12-31'"
                             " AND org_id = 'county-000000000000002'"),
                     1);
    /* D-1 lodged on 2024-03-05 in Denver, not on the UTC date 03-06 */
    assert_int_equal(one_int(db,
                             "SELECT detainers_lodged FROM report_counts WHERE"
                             " period = '2024-03-05'"
                             " AND org_id = 'county-000000000000001'"),
                     2);
    bulk_counts = dump(db, counts_sql);
    bulk_decisions = dump(db, decisions_sql);
    insert_one_by_one(db);
    one_counts = dump(db, counts_sql);
    one_decisions = dump(db, decisions_sql);
    assert_string_equal(bulk_counts, one_counts);
    assert_string_equal(bulk_decisions, one_decisions);
    assert_int_equal(one_int(db, "SELECT count(*) FROM report_detainer_"
                                 "decisions"),
                     6);
    free(bulk_counts);
    free(bulk_decisions);
    free(one_counts);
    free(one_decisions);
    sqlite3_close(db);
}

/* A second import on top of the first adds its rows to the same
 * aggregates; a re-import of the same file changes nothing. */
static void
test_import_twice(void **state)
{
    struct fx *f = *state;
    struct bulk_result res;
    char *before;
    char *after;
    char *one;
    sqlite3 *db;

    assert_int_equal(import_file(f, detainers_csv, &res), STORE_ONE_RESULT);
    bulk_result_release(&res);
    db = raw_open(f);
    before = dump(db, counts_sql);
    assert_int_equal(import_file(f, detainers_csv, &res), STORE_ONE_RESULT);
    assert_int_equal(res.unchanged, 10);
    bulk_result_release(&res);
    after = dump(db, counts_sql);
    assert_string_equal(before, after);
    assert_int_equal(
        import_file(f,
                    "external_ref,person_ref,jurisdiction,jurisdiction_state,"
                    "facility,basis,lodged_at\n"
                    "E-1,P-1,Denver County,CO,Denver Jail,final_order,"
                    "2024-03-05T20:00:00Z\n",
                    &res),
        STORE_ONE_RESULT);
    bulk_result_release(&res);
    assert_int_equal(one_int(db, "SELECT detainers_lodged FROM report_counts"
                                 " WHERE period = '2024-03-05'"
                                 " AND org_id = 'county-000000000000001'"),
                     3);
    after = (free(after), dump(db, counts_sql));
    insert_one_by_one(db);
    one = dump(db, counts_sql);
    assert_string_equal(after, one);
    free(before);
    free(after);
    free(one);
    sqlite3_close(db);
}

/* A bad row anywhere: nothing imported, aggregates untouched. */
static void
test_bad_file_changes_nothing(void **state)
{
    struct fx *f = *state;
    struct bulk_result res;
    sqlite3 *db;

    assert_int_equal(
        import_file(f,
                    "external_ref,person_ref,jurisdiction,jurisdiction_state,"
                    "facility,basis,lodged_at\n"
                    "E-1,P-1,Denver County,CO,Denver Jail,final_order,"
                    "2024-03-05T20:00:00Z\n"
                    "E-2,P-9,Denver County,CO,Denver Jail,final_order,"
                    "2024-03-05T20:00:00Z\n",
                    &res),
        STORE_HARD_ERROR);
    assert_int_equal(res.error_count, 1);
    assert_int_equal(res.errors[0].line, 3);
    bulk_result_release(&res);
    db = raw_open(f);
    assert_int_equal(one_int(db, "SELECT count(*) FROM detainers"), 0);
    assert_int_equal(one_int(db, "SELECT count(*) FROM report_counts"), 0);
    assert_int_equal(one_int(db, "SELECT count(*) FROM report_deferred"), 0);
    sqlite3_close(db);
}

static enum store_rc
defer_only(struct store *s, void *ctx)
{
    (void)ctx;
    return store_reports_defer(s);
}

/* Deferring without catching up cannot commit. */
static void
test_defer_must_catch_up(void **state)
{
    struct fx *f = *state;
    sqlite3 *db;

    assert_true(store_tx_run(f->s, "defer", defer_only, NULL) < 0);
    db = raw_open(f);
    assert_int_equal(one_int(db, "SELECT count(*) FROM report_deferred"), 0);
    sqlite3_close(db);
}

static enum store_rc
rebuild_tx(struct store *s, void *ctx)
{
    (void)ctx;
    return store_reports_rebuild(s);
}

/* Subpoenas written with the triggers on, then rebuilt: the same tables. */
static void
test_rebuild_equals_triggers(void **state)
{
    struct fx *f = *state;
    static const char *const tables[] = {
        "SELECT * FROM report_counts ORDER BY period, org_id",
        "SELECT * FROM report_days WHERE n <> 0 ORDER BY period, org_id, days",
        "SELECT period, org_id, hex(h) FROM report_hist WHERE length(h) > 0"
        " ORDER BY period, org_id",
        "SELECT * FROM report_open WHERE n <> 0 ORDER BY org_id, return_date",
        "SELECT * FROM report_detainer_decisions ORDER BY detainer_id",
        NULL};
    struct bulk_result res;
    char *before[5];
    sqlite3 *db;
    char sql[1024];

    assert_int_equal(import_file(f, detainers_csv, &res), STORE_ONE_RESULT);
    bulk_result_release(&res);
    db = raw_open(f);
    exec_ok(db, "BEGIN");
    for (int i = 0; i < 40; i++) {
        /* served 2024-01-01 + i*7 days + i hours; every fifth open; every
         * third extended by 14 days; answered i % 11 days later */
        long long served = 1704067200LL + i * 7 * 86400LL + i * 3600LL;
        long long answered = served + (i % 11) * 86400LL + 3600;
        bool open = i % 5 == 0;
        char ans[32];

        (void)snprintf(ans, sizeof ans, "%lld", answered * 1000000);
        if (open)
            (void)snprintf(ans, sizeof ans, "NULL");

        (void)snprintf(
            sql, sizeof sql,
            "INSERT INTO subpoenas (id, created_at, updated_at, number,"
            " agency_org_id, recipient_org_id, purpose, state, drafted_by,"
            " served_at, service_method, served_to, return_date,"
            " original_return_date, responded_at, disposition) VALUES"
            " ('sub-%018d', %lld, %lld, 'SUB-2024-%06d',"
            " 'office-000000000000001', 'county-00000000000000%d', 'p', '%s',"
            " 'user-00000000000000001', %lld, 'personal', 'records',"
            " date(%lld, 'unixepoch', '+%d days'),"
            " date(%lld, 'unixepoch', '+14 days'), %s, %s)",
            i, served * 1000000, served * 1000000, i + 1, 1 + i % 2,
            open ? "served" : "responded", served * 1000000, served,
            i % 3 == 0 ? 28 : 14, served, ans, open ? "NULL" : "'complied'");
        exec_ok(db, sql);
    }
    /* Drafts with items (the insert triggers skip both: nothing of a
     * draft counts), then one served and one answered by an update, an
     * item added to the answered one and another's outcome changed: the
     * aggregates must still equal a rebuild's. */
    for (int i = 0; i < 3; i++) {
        (void)snprintf(sql, sizeof sql,
                       "INSERT INTO subpoenas (id, created_at, updated_at,"
                       " number, agency_org_id, recipient_org_id, purpose,"
                       " state, drafted_by) VALUES ('dra-%018d', 1, 1,"
                       " 'SUB-2024-%06d', 'office-000000000000001',"
                       " 'county-000000000000001', 'p', 'draft',"
                       " 'user-00000000000000001')",
                       i, 900 + i);
        exec_ok(db, sql);
        for (int k = 1; k <= 2; k++) {
            (void)snprintf(sql, sizeof sql,
                           "INSERT INTO subpoena_items (id, created_at,"
                           " updated_at, subpoena_id, position, category)"
                           " VALUES ('itm-%018d', 1, 1, 'dra-%018d', %d,"
                           " 'employer')",
                           i * 10 + k, i, k);
            exec_ok(db, sql);
        }
    }
    exec_ok(db, "UPDATE subpoenas SET state = 'served', served_at ="
                " 1717200000000000, return_date = '2024-06-15',"
                " original_return_date = '2024-06-15'"
                " WHERE id = 'dra-000000000000000000'");
    exec_ok(db, "UPDATE subpoenas SET state = 'responded', served_at ="
                " 1717200000000000, return_date = '2024-06-15',"
                " original_return_date = '2024-06-15', responded_at ="
                " 1717900000000000, disposition = 'complied'"
                " WHERE id = 'dra-000000000000000001'");
    exec_ok(db, "UPDATE subpoena_items SET outcome = 'produced'"
                " WHERE id = 'itm-000000000000000011'");
    exec_ok(db, "INSERT INTO subpoena_items (id, created_at, updated_at,"
                " subpoena_id, position, category, outcome) VALUES"
                " ('itm-000000000000000013', 1, 1, 'dra-000000000000000001',"
                " 3, 'phone', 'produced')");
    exec_ok(db, "COMMIT");
    assert_true(one_int(db, "SELECT count(*) FROM report_days") > 0);
    assert_int_equal(one_int(db, "SELECT sum(n) FROM report_open"), 9);
    /* the 40, and the two drafts once served: never the third draft */
    assert_int_equal(one_int(db, "SELECT sum(served) FROM report_counts"
                                 " WHERE period = '*'"),
                     42);
    for (int i = 0; tables[i]; i++)
        before[i] = dump(db, tables[i]);
    assert_int_equal(store_tx_run(f->s, "rebuild", rebuild_tx, NULL),
                     STORE_ONE_RESULT);
    for (int i = 0; tables[i]; i++) {
        char *after = dump(db, tables[i]);

        assert_string_equal(before[i], after);
        free(after);
        free(before[i]);
    }
    assert_true(one_int(db, "SELECT count(*) FROM report_counts"
                            " WHERE median_days IS NOT NULL") > 0);
    sqlite3_close(db);
}

/* The packed histograms of report_hist (migration 0018): entries sorted
 * by days, 16 bytes each, little-endian; a count of 0 is no entry; the
 * same blob whichever order the counts come in, from compel_hist_put one
 * at a time or compel_hist_pack over a group; a blob that is not one is
 * refused. */
static void
test_hist_functions(void **state)
{
    struct fx *f = *state;
    sqlite3 *db = raw_open(f);
    char *got;
    char *err = NULL;

    got = dump(db, "SELECT hex(compel_hist_put(compel_hist_put("
                   "compel_hist_put(NULL, 5, 2), 1, 3), 9, 1))");
    assert_string_equal(got, "01000000000000000300000000000000"
                             "05000000000000000200000000000000"
                             "09000000000000000100000000000000\n");
    free(got);
    /* the count of 5 replaced, then 1 removed, then 9 removed */
    got =
        dump(db, "SELECT hex(compel_hist_put(compel_hist_put("
                 "compel_hist_put(compel_hist_put(compel_hist_put(NULL, 5, 2),"
                 " 1, 3), 9, 1), 5, 7), 1, 0))");
    assert_string_equal(got, "05000000000000000700000000000000"
                             "09000000000000000100000000000000\n");
    free(got);
    got = dump(db, "SELECT length(compel_hist_put(compel_hist_put(NULL, 4, 1),"
                   " 4, 0)), length(compel_hist_put(NULL, 4, 0))");
    assert_string_equal(got, "0|0\n");
    free(got);
    /* pack: any order, zeros left out, a negative day kept in order */
    got = dump(db, "SELECT hex(compel_hist_pack(column1, column2)) FROM (VALUES"
                   " (9, 1), (1, 3), (7, 0), (5, 2), (-2, 4))");
    assert_string_equal(got, "FEFFFFFFFFFFFFFF0400000000000000"
                             "01000000000000000300000000000000"
                             "05000000000000000200000000000000"
                             "09000000000000000100000000000000\n");
    free(got);
    assert_int_equal(one_int(db, "SELECT compel_hist_pack(column1, column2) ="
                                 " compel_hist_put(compel_hist_put("
                                 "compel_hist_put(compel_hist_put(NULL, -2, 4),"
                                 " 9, 1), 5, 2), 1, 3) FROM (VALUES (1, 3),"
                                 " (5, 2), (9, 1), (-2, 4))"),
                     1);
    assert_int_not_equal(sqlite3_exec(db, "SELECT compel_hist_put(x'00', 1, 1)",
                                      NULL, NULL, &err),
                         SQLITE_OK);
    assert_non_null(err);
    assert_non_null(strstr(err, "not a packed histogram"));
    sqlite3_free(err);
    sqlite3_close(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_equals_triggers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_import_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_file_changes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_defer_must_catch_up, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_hist_functions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rebuild_equals_triggers, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
