/*
 * sq_backup.c: a consistent online copy of a SQLite database
 * (store_backup), made with VACUUM INTO: it reads the database in one
 * read transaction, so writers go on meanwhile and the copy holds exactly
 * the state of one moment, compacted, without a WAL; and the check of
 * such a copy on its own (store_sqlite_file_check): integrity and row
 * counts, for `compel backup` and `compel restore`.
 */
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "store/sqlite/sqlite_int.h"

/* How many lines of integrity_check findings are kept. */
#define INTEGRITY_LINES_MAX 5

enum store_rc
sq_backup(struct store *s, const char *path)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    sqlite3_stmt *st = NULL;
    mode_t old_mask;
    enum store_rc rc;
    int r;

    r = sqlite3_prepare_v2(ss->db, "VACUUM INTO ?1", -1, &st, NULL);
    if (r == SQLITE_OK)
        r = sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    if (r != SQLITE_OK) {
        rc = sq_rc_from(ss, r, "backup");
        goto out;
    }
    /* The copy holds what the database holds: readable by its owner
     * only, whatever the caller's umask. */
    old_mask = umask(077);
    r = sqlite3_step(st);
    (void)umask(old_mask);
    rc = r == SQLITE_DONE ? STORE_ONE_RESULT : sq_rc_from(ss, r, "backup");
out:
    sqlite3_finalize(st);
    return rc;
}

/* Append `name` quoted as an SQL identifier. */
static void
add_ident(struct buf *b, const char *name)
{
    buf_addch(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            buf_addch(b, '"');
        buf_addch(b, *p);
    }
    buf_addch(b, '"');
}

/* PRAGMA integrity_check: STORE_ONE_RESULT for "ok", STORE_NO_RESULTS
 * with the findings in `problem`, STORE_HARD_ERROR when it cannot run. */
static enum store_rc
integrity(sqlite3 *db, struct buf *problem)
{
    sqlite3_stmt *st = NULL;
    enum store_rc rc = STORE_ONE_RESULT;
    int lines = 0;
    int r;

    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) !=
        SQLITE_OK) {
        buf_addf(problem, "integrity_check: %s", sqlite3_errmsg(db));
        return STORE_HARD_ERROR;
    }
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(st, 0);

        if (line && strcmp(line, "ok") == 0)
            continue;
        rc = STORE_NO_RESULTS;
        if (lines++ < INTEGRITY_LINES_MAX)
            buf_addf(problem, "%s%s", lines > 1 ? "; " : "", line ? line : "?");
    }
    if (r != SQLITE_DONE) {
        buf_reset(problem);
        buf_addf(problem, "integrity_check: %s", sqlite3_errmsg(db));
        rc = STORE_HARD_ERROR;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Append "TABLE COUNT\n" for every table of `db` in name order. */
static enum store_rc
count_rows(sqlite3 *db, struct buf *counts, struct buf *problem)
{
    sqlite3_stmt *names = NULL;
    struct buf sql = BUF_INIT;
    enum store_rc rc = STORE_HARD_ERROR;
    int r;

    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_schema WHERE type = "
                           "'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE "
                           "'\\' ORDER BY name",
                           -1, &names, NULL) != SQLITE_OK)
        goto fail;
    while ((r = sqlite3_step(names)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(names, 0);
        sqlite3_stmt *st = NULL;

        if (name == NULL)
            continue;
        buf_reset(&sql);
        buf_adds(&sql, "SELECT count(*) FROM ");
        add_ident(&sql, name);
        if (sqlite3_prepare_v2(db, buf_str(&sql), -1, &st, NULL) != SQLITE_OK ||
            sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_finalize(st);
            goto fail;
        }
        buf_addf(counts, "%s %lld\n", name,
                 (long long)sqlite3_column_int64(st, 0));
        sqlite3_finalize(st);
    }
    if (r != SQLITE_DONE)
        goto fail;
    rc = STORE_ONE_RESULT;
    goto out;
fail:
    buf_addf(problem, "counting rows: %s", sqlite3_errmsg(db));
out:
    sqlite3_finalize(names);
    buf_release(&sql);
    return rc;
}

enum store_rc
store_sqlite_file_check(const char *path,
                        struct buf *counts,
                        struct buf *problem)
{
    sqlite3 *db = NULL;
    enum store_rc rc;

    /* Read-write without CREATE: a copy left in WAL mode by a store that
     * opened it can be read without its -shm file, and SQLite removes the
     * -wal and -shm it makes on close. Nothing is written. */
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        buf_addf(problem, "cannot open it as a database: %s",
                 db ? sqlite3_errmsg(db) : "out of memory");
        (void)sqlite3_close(db);
        return STORE_HARD_ERROR;
    }
    (void)sqlite3_extended_result_codes(db, 1);
    if (sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL) !=
        SQLITE_OK) {
        buf_addf(problem, "cannot open it as a database: %s",
                 sqlite3_errmsg(db));
        (void)sqlite3_close(db);
        return STORE_HARD_ERROR;
    }
    rc = integrity(db, problem);
    if (rc == STORE_ONE_RESULT)
        rc = count_rows(db, counts, problem);
    (void)sqlite3_close(db);
    return rc;
}
