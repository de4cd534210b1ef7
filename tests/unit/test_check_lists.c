/*
 * test_check_lists.c: migration 0017-check-lists.sql (SQLite). After every
 * migration no table constrains a column with `IN (...)` of three values
 * or more (SQLite would build a temporary index for it on every row it
 * checks), and the constraints written as chains of equalities still
 * accept the listed values and refuse any other.
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

#include "store/store.h"

struct fx {
    char dir[64];
    char path[128];
    sqlite3 *db;
};

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    char url[160];
    struct store *s = NULL;
    const char *why = NULL;
    int applied = 0;

    if (!f)
        return -1;
    (void)snprintf(f->dir, sizeof f->dir, "/tmp/test_check_lists.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    (void)snprintf(f->path, sizeof f->path, "%s/c.db", f->dir);
    (void)snprintf(url, sizeof url, "sqlite:%s", f->path);
    if (store_open(url, STORE_OPEN_MODE_CREATE, &s, &why) != CM_ERR_OK ||
        store_migrate(s, 1735689600LL * 1000000, &applied) != STORE_ONE_RESULT)
        return -1;
    store_close(s);
    if (sqlite3_open(f->path, &f->db) != SQLITE_OK)
        return -1;
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;
    char p[160];

    sqlite3_close(f->db);
    (void)unlink(f->path);
    (void)snprintf(p, sizeof p, "%s-wal", f->path);
    (void)unlink(p);
    (void)snprintf(p, sizeof p, "%s-shm", f->path);
    (void)unlink(p);
    (void)rmdir(f->dir);
    free(f);
    return 0;
}

/* The number of values of the constant list that starts at `open` ('('),
 * or 0 when it is a subquery. */
static int
list_values(const char *open)
{
    int n = 1;
    bool quoted = false;

    if (strncmp(open + 1, "SELECT", 6) == 0 ||
        strncmp(open + 1, "select", 6) == 0)
        return 0;
    for (const char *p = open + 1; *p; p++) {
        if (*p == '\'')
            quoted = !quoted;
        else if (!quoted && *p == ',')
            n++;
        else if (!quoted && (*p == ')' || *p == '('))
            return *p == ')' ? n : 0;
    }
    return 0;
}

static void
test_no_long_lists(void **state)
{
    struct fx *f = *state;
    sqlite3_stmt *st = NULL;
    int tables = 0;
    int lists = 0;

    assert_int_equal(sqlite3_prepare_v2(f->db,
                                        "SELECT name, sql FROM sqlite_schema"
                                        " WHERE type = 'table'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *sql = (const char *)sqlite3_column_text(st, 1);

        tables++;
        for (const char *p = sql ? strstr(sql, " IN ") : NULL; p;
             p = strstr(p + 4, " IN ")) {
            const char *open = p + 4;

            while (*open == ' ' || *open == '\n')
                open++;
            if (*open != '(')
                continue;
            lists++;
            if (list_values(open) >= 3)
                fail_msg("table %s still has %.60s", name, p + 1);
        }
    }
    sqlite3_finalize(st);
    assert_true(tables > 20);
    assert_true(lists > 5); /* the two-value lists stay as they were */
}

static int
exec_rc(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* The rewritten constraints accept exactly the listed values. */
static void
test_same_values(void **state)
{
    struct fx *f = *state;
    const char *const kinds[] = {"DET", "SUB", "ENF"};
    char sql[200];

    assert_int_equal(exec_rc(f->db, "BEGIN"), SQLITE_OK);
    for (size_t i = 0; i < 3; i++) {
        (void)snprintf(sql, sizeof sql,
                       "INSERT INTO case_counters (kind, year, last)"
                       " VALUES ('%s', 2030, 1)",
                       kinds[i]);
        assert_int_equal(exec_rc(f->db, sql), SQLITE_OK);
    }
    /* another value, a near miss, a different case and NULL */
    assert_int_equal(exec_rc(f->db, "INSERT INTO case_counters (kind, year,"
                                    " last) VALUES ('XYZ', 2030, 1)"),
                     SQLITE_CONSTRAINT);
    assert_int_equal(exec_rc(f->db, "INSERT INTO case_counters (kind, year,"
                                    " last) VALUES ('DE', 2031, 1)"),
                     SQLITE_CONSTRAINT);
    assert_int_equal(exec_rc(f->db, "INSERT INTO case_counters (kind, year,"
                                    " last) VALUES ('det', 2031, 1)"),
                     SQLITE_CONSTRAINT);
    assert_int_equal(exec_rc(f->db, "UPDATE case_counters SET kind = 'ZZZ'"
                                    " WHERE kind = 'SUB'"),
                     SQLITE_CONSTRAINT);
    assert_int_equal(exec_rc(f->db, "ROLLBACK"), SQLITE_OK);
    assert_int_equal(exec_rc(f->db, "PRAGMA integrity_check"), SQLITE_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_long_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_values, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
