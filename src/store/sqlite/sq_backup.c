/*
 * sq_backup.c: a consistent online copy of a SQLite database
 * (store_backup), made with VACUUM INTO: it reads the database in one
 * read transaction, so writers go on meanwhile and the copy holds exactly
 * the state of one moment, compacted, without a WAL.
 */
#include <sqlite3.h>
#include <sys/stat.h>

#include "store/sqlite/sqlite_int.h"

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
