/*
 * sqlite_store.c: the SQLite backend of the store.
 *
 * One `struct sqlite_store` is one sqlite3 connection, used by one thread
 * at a time. Every statement is prepared on first use and kept for the
 * life of the connection (a slot per `enum stmt_id`), reset after each
 * use, and bound with parameters only. SQLITE_BUSY and SQLITE_LOCKED are
 * soft errors (the transaction runner in store.c retries them); anything
 * else unexpected is a hard error, logged with SQLite's message (which
 * names columns and constraints, never values).
 *
 * NULL mapping: an empty id, a zero timestamp, a NULL string and a blob
 * without data are all stored as SQL NULL, and read back the same way.
 */
#include "store/sqlite/sqlite_store.h"

#include "store/sqlite/sqlite_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/log.h"

/* How long a writer waits for another connection's lock, in ms. */
#define BUSY_TIMEOUT_MS 5000

/* WAL pages after which a commit checkpoints (SQLite's default). */
#define SQ_AUTOCHECKPOINT_PAGES 1000

/* ---- storage faults (docs/operations.md, "Storage faults") -------------*/

/*
 * One database file this process has open, found by device and inode and
 * shared by every connection to it. Once an fsync of the file or of its
 * WAL failed, the kernel may have dropped the pages it could not write
 * while still showing them to readers: what is on disk is no longer what
 * SQLite believes. PostgreSQL's rule follows: the file is marked lost and
 * this process writes nothing more to it (BEGIN IMMEDIATE answers soft,
 * so the client gets 503), while reads go on; only a restart, whose WAL
 * recovery reads what really is on disk, clears it. The mark lives as long
 * as a connection to the file is open (a server keeps its own until it
 * stops: the one that met the failure is never closed for it).
 */
struct sq_file {
    dev_t dev;
    ino_t ino;
    int refs;
    atomic_int lost; /* 0, or the result code of the failed fsync */
    struct sq_file *next;
};

static pthread_mutex_t files_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sq_file *files;

/* The shared entry of the file at `path` (NULL when it cannot be read). */
static struct sq_file *
sq_file_get(const char *path)
{
    struct sq_file *f;
    struct stat st;

    if (stat(path, &st) != 0)
        return NULL;
    (void)pthread_mutex_lock(&files_mu);
    for (f = files; f; f = f->next)
        if (f->dev == st.st_dev && f->ino == st.st_ino)
            break;
    if (!f) {
        f = cm_calloc(1, sizeof *f);
        f->dev = st.st_dev;
        f->ino = st.st_ino;
        f->next = files;
        files = f;
    }
    f->refs++;
    (void)pthread_mutex_unlock(&files_mu);
    return f;
}

static void
sq_file_put(struct sq_file *f)
{
    if (!f)
        return;
    (void)pthread_mutex_lock(&files_mu);
    if (--f->refs == 0) {
        for (struct sq_file **p = &files; *p; p = &(*p)->next) {
            if (*p == f) {
                *p = f->next;
                break;
            }
        }
        cm_free(f);
    }
    (void)pthread_mutex_unlock(&files_mu);
}

/* Why a lost file takes no writes, for /readyz (no path, no SQL). */
static void
sq_lost_reason(int rc, char *why, size_t n)
{
    if (why && n)
        (void)snprintf(why, n,
                       "durability lost: an fsync of the database failed "
                       "(%s); writes are refused until the server is "
                       "restarted",
                       rc == SQLITE_IOERR_DIR_FSYNC ? "SQLITE_IOERR_DIR_FSYNC"
                                                    : "SQLITE_IOERR_FSYNC");
}

bool
store_sqlite_durability_lost(const char *path, char *why, size_t n)
{
    struct stat st;
    int rc = 0;

    if (path && stat(path, &st) != 0)
        return false;
    (void)pthread_mutex_lock(&files_mu);
    for (struct sq_file *f = files; f && !rc; f = f->next)
        if (!path || (f->dev == st.st_dev && f->ino == st.st_ino))
            rc = atomic_load(&f->lost);
    (void)pthread_mutex_unlock(&files_mu);
    if (rc)
        sq_lost_reason(rc, why, n);
    return rc != 0;
}

/* A failed fsync: mark the file lost, saying so once in the log. */
static void
sq_file_lose(struct sqlite_store *ss, int rc, const char *what)
{
    int expected = 0;

    if (ss->file &&
        atomic_compare_exchange_strong(&ss->file->lost, &expected, rc))
        LOG_ERROR("sqlite %s: an fsync failed: %s (%d); what was written "
                  "may not be on disk, so this process writes nothing more "
                  "to the database (reads go on): check the disk, then "
                  "restart (docs/operations.md, \"Storage faults\")",
                  what, sqlite3_errstr(rc), rc);
}

/* An error of the storage rather than of the statement: the disk (I/O
 * error, full, unwritable, gone) or memory. */
static bool
sq_is_storage_fault(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_NOMEM:
        return true;
    default:
        return false;
    }
}

/* The WAL hook in place of SQLite's automatic checkpoint (same threshold),
 * so that a checkpoint whose fsync fails is seen: the commit that ran it
 * is durable in the WAL and stays a success. */
static int
sq_wal_hook(void *ctx, sqlite3 *db, const char *name, int frames)
{
    int rc;

    if (frames < SQ_AUTOCHECKPOINT_PAGES)
        return SQLITE_OK;
    rc = sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                   NULL);
    if (rc == SQLITE_IOERR_FSYNC || rc == SQLITE_IOERR_DIR_FSYNC)
        sq_file_lose(ctx, rc, "checkpoint");
    else if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
        LOG_WARN("sqlite checkpoint: %s (%d)", sqlite3_errstr(rc), rc);
    return SQLITE_OK;
}

/* ---- errors, statements, binding, columns ------------------------------*/

/* Classify a failed sqlite3 result code. A storage fault is soft for the
 * client (503, try again) but never rerun here: what reached the disk is
 * not known, and a failing disk is not written to again at once (the
 * runners do not rerun a transaction whose outcome is unknown). */
enum store_rc
sq_rc_from(struct sqlite_store *ss, int rc, const char *what)
{
    int primary = rc & 0xff;

    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
        LOG_DEBUG("sqlite %s: busy (%d)", what, rc);
        return STORE_SOFT_ERROR;
    }
    if (rc == SQLITE_IOERR_FSYNC || rc == SQLITE_IOERR_DIR_FSYNC)
        sq_file_lose(ss, rc, what);
    LOG_ERROR("sqlite %s: %s (%d)", what, sqlite3_errmsg(ss->db), rc);
    if (sq_is_storage_fault(rc)) {
        ss->base.is_commit_unknown = true;
        return STORE_SOFT_ERROR;
    }
    return STORE_HARD_ERROR;
}

/* The cached statement `id`, prepared from `sql` on first use; NULL (and
 * logged) when it cannot be prepared. */
sqlite3_stmt *
sq_stmt_get(struct sqlite_store *ss, enum stmt_id id, const char *sql)
{
    sqlite3_stmt *st = ss->stmts[id];
    int rc;

    if (st)
        return st;
    rc = sqlite3_prepare_v3(ss->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                            NULL);
    if (rc != SQLITE_OK) {
        (void)sq_rc_from(ss, rc, "prepare");
        sqlite3_finalize(st);
        return NULL;
    }
    ss->stmts[id] = st;
    return st;
}

/* Make `st` ready for its next use. */
void
sq_stmt_done(sqlite3_stmt *st)
{
    (void)sqlite3_reset(st);
    (void)sqlite3_clear_bindings(st);
}

void
sq_bind_text(struct sq_binder *b, const char *v)
{
    b->i++;
    if (b->rc != SQLITE_OK)
        return;
    if (v)
        b->rc = sqlite3_bind_text(b->st, b->i, v, -1, SQLITE_STATIC);
    else
        b->rc = sqlite3_bind_null(b->st, b->i);
}

void
sq_bind_id(struct sq_binder *b, const char *id)
{
    sq_bind_text(b, id && *id ? id : NULL);
}

void
sq_bind_int(struct sq_binder *b, int64_t v)
{
    b->i++;
    if (b->rc == SQLITE_OK)
        b->rc = sqlite3_bind_int64(b->st, b->i, v);
}

/* A timestamp: 0 is stored as NULL. */
void
sq_bind_time(struct sq_binder *b, int64_t v)
{
    b->i++;
    if (b->rc != SQLITE_OK)
        return;
    if (v)
        b->rc = sqlite3_bind_int64(b->st, b->i, v);
    else
        b->rc = sqlite3_bind_null(b->st, b->i);
}

void
sq_bind_bytes(struct sq_binder *b, const void *data, size_t len)
{
    b->i++;
    if (b->rc != SQLITE_OK)
        return;
    if (data)
        b->rc = sqlite3_bind_blob64(b->st, b->i, data, len, SQLITE_STATIC);
    else
        b->rc = sqlite3_bind_null(b->st, b->i);
}

void
sq_bind_blob(struct sq_binder *b, const struct store_blob *v)
{
    sq_bind_bytes(b, v->data, v->len);
}

char *
sq_col_text(struct sq_cols *c)
{
    const unsigned char *t = sqlite3_column_text(c->st, c->i);
    int n = sqlite3_column_bytes(c->st, c->i);

    c->i++;
    return t ? cm_strndup((const char *)t, (size_t)n) : NULL;
}

void
sq_col_id(struct sq_cols *c, char *out, size_t size)
{
    const unsigned char *t = sqlite3_column_text(c->st, c->i);
    size_t n = t ? (size_t)sqlite3_column_bytes(c->st, c->i) : 0;

    c->i++;
    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(out, t, n);
    out[n] = '\0';
}

int64_t
sq_col_int(struct sq_cols *c)
{
    int64_t v = sqlite3_column_int64(c->st, c->i);

    c->i++;
    return v;
}

struct store_blob
sq_col_blob(struct sq_cols *c)
{
    struct store_blob b = {NULL, 0};
    static const unsigned char empty[1] = {0};

    if (sqlite3_column_type(c->st, c->i) != SQLITE_NULL) {
        const void *p = sqlite3_column_blob(c->st, c->i);
        int n = sqlite3_column_bytes(c->st, c->i);

        b = store_blob_dup(p ? p : empty, p ? (size_t)n : 0);
    }
    c->i++;
    return b;
}

void
sq_col_hash(struct sq_cols *c, unsigned char out[STORE_HASH_SIZE])
{
    const void *p = sqlite3_column_blob(c->st, c->i);

    if (p && sqlite3_column_bytes(c->st, c->i) == STORE_HASH_SIZE)
        memcpy(out, p, STORE_HASH_SIZE);
    else
        memset(out, 0, STORE_HASH_SIZE);
    c->i++;
}

/* Step a statement that returns no rows and reset it. STORE_ONE_RESULT
 * when it changed a row, STORE_NO_RESULTS when it changed none. */
enum store_rc
sq_run_write(struct sqlite_store *ss,
             const struct sq_binder *b,
             const char *what)
{
    enum store_rc rc = STORE_HARD_ERROR;
    int src;

    if (b->st == NULL)
        goto out;
    if (b->rc != SQLITE_OK) {
        rc = sq_rc_from(ss, b->rc, what);
        goto out_reset;
    }
    src = sqlite3_step(b->st);
    if (src == SQLITE_DONE)
        rc = sqlite3_changes(ss->db) > 0 ? STORE_ONE_RESULT : STORE_NO_RESULTS;
    else
        rc = sq_rc_from(ss, src, what);
out_reset:
    sq_stmt_done(b->st);
out:
    return rc;
}

/* Step a statement for its first row, leaving it positioned there (the
 * caller reads columns, then calls sq_stmt_done). STORE_ONE_RESULT on a row,
 * STORE_NO_RESULTS when there is none (already reset). */
enum store_rc
sq_run_read(struct sqlite_store *ss,
            const struct sq_binder *b,
            const char *what)
{
    enum store_rc rc = STORE_HARD_ERROR;
    int src;

    if (b->st == NULL)
        return STORE_HARD_ERROR;
    if (b->rc != SQLITE_OK) {
        rc = sq_rc_from(ss, b->rc, what);
        goto out_reset;
    }
    src = sqlite3_step(b->st);
    if (src == SQLITE_ROW)
        return STORE_ONE_RESULT;
    rc = src == SQLITE_DONE ? STORE_NO_RESULTS : sq_rc_from(ss, src, what);
out_reset:
    sq_stmt_done(b->st);
    return rc;
}

/* Run one of the fixed, parameterless statements (BEGIN, COMMIT, ...). */
enum store_rc
sq_run_fixed(struct sqlite_store *ss, enum stmt_id id, const char *sql)
{
    struct sq_binder b = {sq_stmt_get(ss, id, sql), 0, SQLITE_OK};
    enum store_rc rc = sq_run_write(ss, &b, sql);

    return rc < 0 ? rc : STORE_ONE_RESULT;
}

/* Finish an INSERT ... RETURNING that sq_run_read left on its row: take the
 * integer in column 0, step to the end (so the statement is complete) and
 * reset. STORE_ONE_RESULT with *v written, or an error. */
enum store_rc
sq_finish_returning(struct sqlite_store *ss,
                    sqlite3_stmt *st,
                    const char *what,
                    int64_t *v)
{
    int64_t value = sqlite3_column_int64(st, 0);
    enum store_rc rc = STORE_ONE_RESULT;
    int src;

    while ((src = sqlite3_step(st)) == SQLITE_ROW)
        ;
    if (src == SQLITE_DONE)
        *v = value;
    else
        rc = sq_rc_from(ss, src, what);
    sq_stmt_done(st);
    return rc;
}

int
sq_run_list(struct sqlite_store *ss,
            const struct sq_binder *b,
            const char *what,
            sq_row_fn fn,
            void *ctx)
{
    int n = 0;
    int src;

    if (b->st == NULL)
        return STORE_HARD_ERROR;
    if (b->rc != SQLITE_OK) {
        n = sq_rc_from(ss, b->rc, what);
        goto out_reset;
    }
    while ((src = sqlite3_step(b->st)) == SQLITE_ROW) {
        fn(b->st, ctx);
        n++;
    }
    if (src != SQLITE_DONE)
        n = sq_rc_from(ss, src, what);
out_reset:
    sq_stmt_done(b->st);
    return n;
}

/* ---- connection and transactions ---------------------------------------*/

static void
sq_close(struct store *s)
{
    struct sqlite_store *ss = sq_to_sqlite(s);

    for (size_t i = 0; i < STMT_ID__COUNT; i++)
        sqlite3_finalize(ss->stmts[i]);
    if (sqlite3_close(ss->db) != SQLITE_OK)
        LOG_ERROR("sqlite close: %s", sqlite3_errmsg(ss->db));
    sq_file_put(ss->file);
    cm_free(ss);
}

static enum store_rc
sq_begin(struct store *s)
{
    struct sqlite_store *ss = sq_to_sqlite(s);

    /* A file whose fsync failed takes no more writes (sq_file). */
    if (ss->file && atomic_load(&ss->file->lost)) {
        s->is_commit_unknown = true; /* not rerun: 503 at once */
        return STORE_SOFT_ERROR;
    }
    return sq_run_fixed(ss, STMT_ID_BEGIN, "BEGIN IMMEDIATE");
}

static enum store_rc
sq_commit(struct store *s)
{
    return sq_run_fixed(sq_to_sqlite(s), STMT_ID_COMMIT, "COMMIT");
}

static enum store_rc
sq_begin_read(struct store *s)
{
    s->is_commit_unknown = false; /* a storage fault of an earlier read */
    return sq_run_fixed(sq_to_sqlite(s), STMT_ID_BEGIN_READ, "BEGIN DEFERRED");
}

/* The savepoint around one member of a group commit (store_tx_run_group). */
static enum store_rc
sq_group_savepoint(struct store *s)
{
    return sq_run_fixed(sq_to_sqlite(s), STMT_ID_GROUP_SAVEPOINT,
                        "SAVEPOINT group_member");
}

static enum store_rc
sq_group_release(struct store *s)
{
    return sq_run_fixed(sq_to_sqlite(s), STMT_ID_GROUP_RELEASE,
                        "RELEASE group_member");
}

static int64_t
sq_cache_used(struct store *s)
{
    int cur = 0;
    int hi = 0;

    if (sqlite3_db_status(sq_to_sqlite(s)->db, SQLITE_DBSTATUS_CACHE_USED, &cur,
                          &hi, 0) != SQLITE_OK)
        return 0;
    return cur;
}

static void
sq_cache_limit(struct store *s, int64_t bytes)
{
    char sql[64];
    int64_t kib = bytes / 1024;

    (void)snprintf(sql, sizeof sql, "PRAGMA cache_size = -%lld",
                   (long long)(kib < 64 ? 64 : kib));
    (void)sqlite3_exec(sq_to_sqlite(s)->db, sql, NULL, NULL, NULL);
}

static void
sq_cache_release(struct store *s)
{
    (void)sqlite3_db_release_memory(sq_to_sqlite(s)->db);
}

static enum store_rc
sq_group_rollback_to(struct store *s)
{
    return sq_run_fixed(sq_to_sqlite(s), STMT_ID_GROUP_ROLLBACK_TO,
                        "ROLLBACK TO group_member");
}

static void
sq_rollback(struct store *s)
{
    struct sqlite_store *ss = sq_to_sqlite(s);

    if (!sqlite3_get_autocommit(ss->db))
        (void)sq_run_fixed(ss, STMT_ID_ROLLBACK, "ROLLBACK");
}

/* ---- migrations --------------------------------------------------------*/

static enum store_rc
sq_migration_prepare(struct store *s)
{
    return sq_run_fixed(sq_to_sqlite(s), STMT_ID_MIGRATION_PREPARE,
                        "CREATE TABLE IF NOT EXISTS schema_migrations ("
                        " name TEXT PRIMARY KEY,"
                        " applied_at INTEGER NOT NULL)");
}

static enum store_rc
sq_migration_is_applied(struct store *s, const char *name)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_MIGRATION_IS_APPLIED,
                    "SELECT 1 FROM schema_migrations WHERE name = ?"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, name);
    rc = sq_run_read(ss, &b, "migration_is_applied");
    if (rc == STORE_ONE_RESULT)
        sq_stmt_done(b.st);
    return rc;
}

static enum store_rc
sq_migration_apply(struct store *s,
                   const char *name,
                   const char *sql,
                   int64_t now)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_MIGRATION_RECORD,
                    "INSERT INTO schema_migrations (name, applied_at)"
                    " VALUES (?, ?)"),
        0, SQLITE_OK};
    int src = sqlite3_exec(ss->db, sql, NULL, NULL, NULL);

    if (src != SQLITE_OK) {
        LOG_ERROR("migration %s failed", name);
        if (b.st)
            sq_stmt_done(b.st);
        return sq_rc_from(ss, src, "migration");
    }
    sq_bind_text(&b, name);
    sq_bind_int(&b, now);
    return sq_run_write(ss, &b, "migration_record");
}

/* ---- meta and case numbers ---------------------------------------------*/

static enum store_rc
sq_meta_get(struct store *s, const char *key, char **value)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_META_GET,
                                      "SELECT value FROM meta WHERE key = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, key);
    rc = sq_run_read(ss, &b, "meta_get");
    if (rc == STORE_ONE_RESULT) {
        struct sq_cols c = {b.st, 0};

        *value = sq_col_text(&c);
        sq_stmt_done(b.st);
    }
    return rc;
}

static enum store_rc
sq_meta_set(struct store *s, const char *key, const char *value)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_META_SET,
                    "INSERT INTO meta (key, value) VALUES (?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
        0, SQLITE_OK};

    sq_bind_text(&b, key);
    sq_bind_text(&b, value);
    return sq_run_write(ss, &b, "meta_set");
}

static enum store_rc
sq_case_number_next(struct store *s,
                    const char *prefix,
                    int year,
                    char out[STORE_NUMBER_SIZE])
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_CASE_NUMBER_NEXT,
                    "INSERT INTO case_counters (kind, year, last)"
                    " VALUES (?, ?, 1)"
                    " ON CONFLICT (kind, year) DO UPDATE SET last = last + 1"
                    " RETURNING last"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, prefix);
    sq_bind_int(&b, year);
    rc = sq_run_read(ss, &b, "case_number_next");
    if (rc == STORE_ONE_RESULT) {
        int64_t last = 0;

        rc = sq_finish_returning(ss, b.st, "case_number_next", &last);
        if (rc == STORE_ONE_RESULT)
            (void)snprintf(out, STORE_NUMBER_SIZE, "%s-%04d-%06" PRId64, prefix,
                           year, last);
    } else if (rc == STORE_NO_RESULTS) {
        rc = STORE_HARD_ERROR;
    }
    return rc;
}

/* ---- organizations and facilities --------------------------------------*/


void
sq_read_org(sqlite3_stmt *st, struct store_org *o)
{
    struct sq_cols c = {st, 0};

    memset(o, 0, sizeof *o);
    sq_col_id(&c, o->id, sizeof o->id);
    o->version = sq_col_int(&c);
    o->created_at = sq_col_int(&c);
    o->updated_at = sq_col_int(&c);
    o->kind = sq_col_text(&c);
    o->name = sq_col_text(&c);
    o->state = sq_col_text(&c);
    o->timezone = sq_col_text(&c);
    o->requires_counsel_review = sq_col_int(&c) != 0;
}

static enum store_rc
sq_org_insert(struct store *s, const struct store_org *o)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_ORG_INSERT,
                                      "INSERT INTO organizations (" ORG_COLS ")"
                                      " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)"
                                      " ON CONFLICT DO NOTHING"),
                          0, SQLITE_OK};

    sq_bind_id(&b, o->id);
    sq_bind_int(&b, o->created_at);
    sq_bind_int(&b, o->updated_at);
    sq_bind_text(&b, o->kind);
    sq_bind_text(&b, o->name);
    sq_bind_text(&b, o->state);
    sq_bind_text(&b, o->timezone);
    sq_bind_int(&b, o->requires_counsel_review ? 1 : 0);
    return sq_run_write(ss, &b, "org_insert");
}

static enum store_rc
sq_org_get(struct store *s, const char *id, struct store_org *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_ORG_GET,
                                      "SELECT " ORG_COLS
                                      " FROM organizations WHERE id = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, id);
    rc = sq_run_read(ss, &b, "org_get");
    if (rc == STORE_ONE_RESULT) {
        sq_read_org(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

static int
sq_org_list(struct store *s,
            const char *after_id,
            int limit,
            store_org_cb cb,
            void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    bool after = after_id && *after_id;
    struct sq_binder b = {
        after ? sq_stmt_get(ss, STMT_ID_ORG_LIST_AFTER,
                            "SELECT " ORG_COLS " FROM organizations"
                            " WHERE (created_at, id) >"
                            " (SELECT created_at, id FROM organizations"
                            "  WHERE id = ?)"
                            " ORDER BY created_at, id LIMIT ?")
              : sq_stmt_get(ss, STMT_ID_ORG_LIST,
                            "SELECT " ORG_COLS " FROM organizations"
                            " ORDER BY created_at, id LIMIT ?"),
        0, SQLITE_OK};
    int n = 0;
    int src;

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    if (after)
        sq_bind_text(&b, after_id);
    sq_bind_int(&b, limit);
    if (b.rc != SQLITE_OK) {
        n = sq_rc_from(ss, b.rc, "org_list");
        goto out_reset;
    }
    while ((src = sqlite3_step(b.st)) == SQLITE_ROW) {
        struct store_org o;

        sq_read_org(b.st, &o);
        cb(cls, &o);
        store_org_release(&o);
        n++;
    }
    if (src != SQLITE_DONE)
        n = sq_rc_from(ss, src, "org_list");
out_reset:
    sq_stmt_done(b.st);
    return n;
}


void
sq_read_facility(sqlite3_stmt *st, struct store_facility *f)
{
    struct sq_cols c = {st, 0};

    memset(f, 0, sizeof *f);
    sq_col_id(&c, f->id, sizeof f->id);
    f->version = sq_col_int(&c);
    f->created_at = sq_col_int(&c);
    f->updated_at = sq_col_int(&c);
    sq_col_id(&c, f->org_id, sizeof f->org_id);
    f->name = sq_col_text(&c);
    f->timezone = sq_col_text(&c);
}

static enum store_rc
sq_facility_insert(struct store *s, const struct store_facility *f)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_FACILITY_INSERT,
                                      "INSERT INTO facilities (" FACILITY_COLS
                                      ")"
                                      " VALUES (?, 1, ?, ?, ?, ?, ?)"
                                      " ON CONFLICT DO NOTHING"),
                          0, SQLITE_OK};

    sq_bind_id(&b, f->id);
    sq_bind_int(&b, f->created_at);
    sq_bind_int(&b, f->updated_at);
    sq_bind_id(&b, f->org_id);
    sq_bind_text(&b, f->name);
    sq_bind_text(&b, f->timezone);
    return sq_run_write(ss, &b, "facility_insert");
}

static enum store_rc
sq_facility_get(struct store *s, const char *id, struct store_facility *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_FACILITY_GET,
                                      "SELECT " FACILITY_COLS
                                      " FROM facilities WHERE id = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, id);
    rc = sq_run_read(ss, &b, "facility_get");
    if (rc == STORE_ONE_RESULT) {
        sq_read_facility(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

static int
sq_facility_list_by_org(struct store *s,
                        const char *org_id,
                        store_facility_cb cb,
                        void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_FACILITY_LIST_BY_ORG,
                    "SELECT " FACILITY_COLS " FROM facilities"
                    " WHERE org_id = ? ORDER BY created_at, id"),
        0, SQLITE_OK};
    int n = 0;
    int src;

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_text(&b, org_id);
    if (b.rc != SQLITE_OK) {
        n = sq_rc_from(ss, b.rc, "facility_list");
        goto out_reset;
    }
    while ((src = sqlite3_step(b.st)) == SQLITE_ROW) {
        struct store_facility f;

        sq_read_facility(b.st, &f);
        cb(cls, &f);
        store_facility_release(&f);
        n++;
    }
    if (src != SQLITE_DONE)
        n = sq_rc_from(ss, src, "facility_list");
out_reset:
    sq_stmt_done(b.st);
    return n;
}

/* ---- users -------------------------------------------------------------*/


void
sq_read_user(sqlite3_stmt *st, struct store_user *u)
{
    struct sq_cols c = {st, 0};

    memset(u, 0, sizeof *u);
    sq_col_id(&c, u->id, sizeof u->id);
    u->version = sq_col_int(&c);
    u->created_at = sq_col_int(&c);
    u->updated_at = sq_col_int(&c);
    u->email = sq_col_text(&c);
    u->name = sq_col_text(&c);
    sq_col_id(&c, u->org_id, sizeof u->org_id);
    u->roles = (unsigned)sq_col_int(&c);
    u->title = sq_col_text(&c);
    u->password_hash = sq_col_text(&c);
    u->disabled = sq_col_int(&c) != 0;
    u->failed_logins = sq_col_int(&c);
    u->first_failed_at = sq_col_int(&c);
    u->locked_at = sq_col_int(&c);
    u->totp_secret = sq_col_blob(&c);
    u->totp_last_step = sq_col_int(&c);
    u->totp_enabled = sq_col_int(&c) != 0;
}

static enum store_rc
sq_user_insert(struct store *s, const struct store_user *u)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(
            ss, STMT_ID_USER_INSERT,
            "INSERT INTO users (" USER_COLS ")"
            " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};

    sq_bind_id(&b, u->id);
    sq_bind_int(&b, u->created_at);
    sq_bind_int(&b, u->updated_at);
    sq_bind_text(&b, u->email);
    sq_bind_text(&b, u->name);
    sq_bind_id(&b, u->org_id);
    sq_bind_int(&b, (int64_t)u->roles);
    sq_bind_text(&b, u->title);
    sq_bind_text(&b, u->password_hash);
    sq_bind_int(&b, u->disabled ? 1 : 0);
    sq_bind_int(&b, u->failed_logins);
    sq_bind_time(&b, u->first_failed_at);
    sq_bind_time(&b, u->locked_at);
    sq_bind_blob(&b, &u->totp_secret);
    sq_bind_time(&b, u->totp_last_step);
    sq_bind_int(&b, u->totp_enabled ? 1 : 0);
    return sq_run_write(ss, &b, "user_insert");
}

static enum store_rc
user_get_with(struct sqlite_store *ss,
              sqlite3_stmt *st,
              const char *key,
              struct store_user *out)
{
    struct sq_binder b = {st, 0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, key);
    rc = sq_run_read(ss, &b, "user_get");
    if (rc == STORE_ONE_RESULT) {
        sq_read_user(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

static enum store_rc
sq_user_get(struct store *s, const char *id, struct store_user *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);

    return user_get_with(ss,
                         sq_stmt_get(ss, STMT_ID_USER_GET,
                                     "SELECT " USER_COLS
                                     " FROM users WHERE id = ?"),
                         id, out);
}

static enum store_rc
sq_user_get_by_email(struct store *s, const char *email, struct store_user *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);

    return user_get_with(ss,
                         sq_stmt_get(ss, STMT_ID_USER_GET_BY_EMAIL,
                                     "SELECT " USER_COLS " FROM users"
                                     " WHERE lower(email) = lower(?)"),
                         email, out);
}

/* ---- people ------------------------------------------------------------*/

#define PERSON_COLS                                                     \
    "id, version, created_at, updated_at, family_name, given_names,"    \
    " date_of_birth, identifiers, aliases, family_name_bidx, dob_bidx," \
    " a_number_bidx, org_id"

static void
read_person(sqlite3_stmt *st, struct store_person *p)
{
    struct sq_cols c = {st, 0};

    memset(p, 0, sizeof *p);
    sq_col_id(&c, p->id, sizeof p->id);
    p->version = sq_col_int(&c);
    p->created_at = sq_col_int(&c);
    p->updated_at = sq_col_int(&c);
    p->family_name = sq_col_blob(&c);
    p->given_names = sq_col_blob(&c);
    p->date_of_birth = sq_col_blob(&c);
    p->identifiers = sq_col_blob(&c);
    p->aliases = sq_col_blob(&c);
    p->family_name_bidx = sq_col_blob(&c);
    p->dob_bidx = sq_col_blob(&c);
    p->a_number_bidx = sq_col_blob(&c);
    sq_col_id(&c, p->org_id, sizeof p->org_id);
}

static enum store_rc
sq_person_insert(struct store *s, const struct store_person *p)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_PERSON_INSERT,
                    "INSERT INTO people (" PERSON_COLS ")"
                    " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};

    sq_bind_id(&b, p->id);
    sq_bind_int(&b, p->created_at);
    sq_bind_int(&b, p->updated_at);
    sq_bind_blob(&b, &p->family_name);
    sq_bind_blob(&b, &p->given_names);
    sq_bind_blob(&b, &p->date_of_birth);
    sq_bind_blob(&b, &p->identifiers);
    sq_bind_blob(&b, &p->aliases);
    sq_bind_blob(&b, &p->family_name_bidx);
    sq_bind_blob(&b, &p->dob_bidx);
    sq_bind_blob(&b, &p->a_number_bidx);
    sq_bind_id(&b, p->org_id);
    return sq_run_write(ss, &b, "person_insert");
}

static enum store_rc
sq_person_get(struct store *s, const char *id, struct store_person *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_PERSON_GET,
                                      "SELECT " PERSON_COLS
                                      " FROM people WHERE id = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, id);
    rc = sq_run_read(ss, &b, "person_get");
    if (rc == STORE_ONE_RESULT) {
        read_person(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

static int
sq_person_find(struct store *s,
               enum store_person_index index,
               const struct store_blob *key,
               store_person_cb cb,
               void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    sqlite3_stmt *st = NULL;
    struct sq_binder b;
    int n = 0;
    int src;

    switch (index) {
    case STORE_PERSON_INDEX_FAMILY_NAME:
        st = sq_stmt_get(ss, STMT_ID_PERSON_FIND_FAMILY_NAME,
                         "SELECT " PERSON_COLS " FROM people"
                         " WHERE family_name_bidx = ? ORDER BY created_at, id");
        break;
    case STORE_PERSON_INDEX_DATE_OF_BIRTH:
        st = sq_stmt_get(ss, STMT_ID_PERSON_FIND_DOB,
                         "SELECT " PERSON_COLS " FROM people"
                         " WHERE dob_bidx = ? ORDER BY created_at, id");
        break;
    case STORE_PERSON_INDEX_A_NUMBER:
        st = sq_stmt_get(ss, STMT_ID_PERSON_FIND_A_NUMBER,
                         "SELECT " PERSON_COLS " FROM people"
                         " WHERE a_number_bidx = ? ORDER BY created_at, id");
        break;
    }
    if (st == NULL)
        return STORE_HARD_ERROR;
    b = (struct sq_binder){st, 0, SQLITE_OK};
    sq_bind_blob(&b, key);
    if (b.rc != SQLITE_OK) {
        n = sq_rc_from(ss, b.rc, "person_find");
        goto out_reset;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_person p;

        read_person(st, &p);
        cb(cls, &p);
        store_person_release(&p);
        n++;
    }
    if (src != SQLITE_DONE)
        n = sq_rc_from(ss, src, "person_find");
out_reset:
    sq_stmt_done(st);
    return n;
}

/* ---- detainers ---------------------------------------------------------*/


void
sq_bind_notice(struct sq_binder *b, int notice_given)
{
    if (notice_given < 0) {
        sq_bind_text(b, NULL);
        return;
    }
    sq_bind_int(b, notice_given ? 1 : 0);
}

void
sq_read_detainer(sqlite3_stmt *st, struct store_detainer *d)
{
    struct sq_cols c = {st, 0};
    bool is_notice_null;

    memset(d, 0, sizeof *d);
    sq_col_id(&c, d->id, sizeof d->id);
    d->version = sq_col_int(&c);
    d->created_at = sq_col_int(&c);
    d->updated_at = sq_col_int(&c);
    sq_col_id(&c, d->number, sizeof d->number);
    sq_col_id(&c, d->person_id, sizeof d->person_id);
    sq_col_id(&c, d->facility_id, sizeof d->facility_id);
    sq_col_id(&c, d->agency_org_id, sizeof d->agency_org_id);
    sq_col_id(&c, d->lodged_by, sizeof d->lodged_by);
    d->form = sq_col_text(&c);
    d->basis = sq_col_text(&c);
    d->hold_rule = sq_col_text(&c);
    d->state = sq_col_text(&c);
    d->outcome_source = sq_col_text(&c);
    sq_col_id(&c, d->decline_policy_id, sizeof d->decline_policy_id);
    d->reason = sq_col_text(&c);
    d->otherwise_release_at = sq_col_int(&c);
    d->max_hold_until = sq_col_int(&c);
    d->released_at = sq_col_int(&c);
    d->transferred_at = sq_col_int(&c);
    /* Read the type first: sq_col_int advances to the next column. */
    is_notice_null = sqlite3_column_type(st, c.i) == SQLITE_NULL;
    d->notice_given = (int)sq_col_int(&c);
    if (is_notice_null)
        d->notice_given = -1;
    d->acknowledged_at = sq_col_int(&c);
    d->decided_at = sq_col_int(&c);
    d->cancel_reason = sq_col_text(&c);
}

void
sq_bind_detainer(struct sq_binder *b, const struct store_detainer *d)
{
    sq_bind_id(b, d->id);
    sq_bind_int(b, d->created_at);
    sq_bind_int(b, d->updated_at);
    sq_bind_id(b, d->number);
    sq_bind_id(b, d->person_id);
    sq_bind_id(b, d->facility_id);
    sq_bind_id(b, d->agency_org_id);
    sq_bind_id(b, d->lodged_by);
    sq_bind_text(b, d->form);
    sq_bind_text(b, d->basis);
    sq_bind_text(b, d->hold_rule);
    sq_bind_text(b, d->state);
    sq_bind_text(b, d->outcome_source);
    sq_bind_id(b, d->decline_policy_id);
    sq_bind_text(b, d->reason);
    sq_bind_time(b, d->otherwise_release_at);
    sq_bind_time(b, d->max_hold_until);
    sq_bind_time(b, d->released_at);
    sq_bind_time(b, d->transferred_at);
    sq_bind_notice(b, d->notice_given);
    sq_bind_time(b, d->acknowledged_at);
    sq_bind_time(b, d->decided_at);
    sq_bind_text(b, d->cancel_reason);
}

static enum store_rc
sq_detainer_insert(struct store *s, const struct store_detainer *d)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_DETAINER_INSERT,
                    "INSERT INTO detainers (" DETAINER_COLS ")"
                    " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};

    sq_bind_detainer(&b, d);
    return sq_run_write(ss, &b, "detainer_insert");
}

static enum store_rc
sq_detainer_get(struct store *s, const char *id, struct store_detainer *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_DETAINER_GET,
                                      "SELECT " DETAINER_COLS
                                      " FROM detainers WHERE id = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, id);
    rc = sq_run_read(ss, &b, "detainer_get");
    if (rc == STORE_ONE_RESULT) {
        sq_read_detainer(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

static enum store_rc
sq_detainer_update(struct store *s, const struct store_detainer *d)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_DETAINER_UPDATE,
                    "UPDATE detainers SET version = version + 1,"
                    " updated_at = ?, hold_rule = ?, state = ?,"
                    " outcome_source = ?, decline_policy_id = ?, reason = ?,"
                    " otherwise_release_at = ?, max_hold_until = ?,"
                    " released_at = ?, transferred_at = ?, notice_given = ?,"
                    " acknowledged_at = ?, decided_at = ?, cancel_reason = ?"
                    " WHERE id = ? AND version = ?"),
        0, SQLITE_OK};

    sq_bind_int(&b, d->updated_at);
    sq_bind_text(&b, d->hold_rule);
    sq_bind_text(&b, d->state);
    sq_bind_text(&b, d->outcome_source);
    sq_bind_id(&b, d->decline_policy_id);
    sq_bind_text(&b, d->reason);
    sq_bind_time(&b, d->otherwise_release_at);
    sq_bind_time(&b, d->max_hold_until);
    sq_bind_time(&b, d->released_at);
    sq_bind_time(&b, d->transferred_at);
    sq_bind_notice(&b, d->notice_given);
    sq_bind_time(&b, d->acknowledged_at);
    sq_bind_time(&b, d->decided_at);
    sq_bind_text(&b, d->cancel_reason);
    sq_bind_text(&b, d->id);
    sq_bind_int(&b, d->version);
    return sq_run_write(ss, &b, "detainer_update");
}

/* ---- subpoenas ---------------------------------------------------------*/

#define ITEM_COLS                                                           \
    "id, version, created_at, updated_at, position, category, description," \
    " outcome, ground, value"

static enum store_rc
insert_items(struct sqlite_store *ss, const struct store_subpoena *sp)
{
    enum store_rc rc = STORE_ONE_RESULT;

    for (size_t i = 0; i < sp->n_items && rc == STORE_ONE_RESULT; i++) {
        const struct store_subpoena_item *it = &sp->items[i];
        struct sq_binder b = {
            sq_stmt_get(ss, STMT_ID_SUBPOENA_ITEM_INSERT,
                        "INSERT INTO subpoena_items (subpoena_id, " ITEM_COLS
                        ")"
                        " VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT DO NOTHING"),
            0, SQLITE_OK};

        sq_bind_id(&b, sp->id);
        sq_bind_id(&b, it->id);
        sq_bind_int(&b, sp->created_at);
        sq_bind_int(&b, sp->updated_at);
        sq_bind_int(&b, (int64_t)i + 1);
        sq_bind_text(&b, it->category);
        sq_bind_text(&b, it->description);
        sq_bind_text(&b, it->outcome);
        sq_bind_text(&b, it->ground);
        sq_bind_blob(&b, &it->value);
        rc = sq_run_write(ss, &b, "subpoena_item_insert");
    }
    return rc;
}

static enum store_rc
sq_subpoena_items_replace(struct store *s, const struct store_subpoena *sp)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct store_subpoena at = *sp;
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_SUBPOENA_ITEMS_DELETE,
                    "DELETE FROM subpoena_items WHERE subpoena_id = ?"),
        0, SQLITE_OK};
    enum store_rc rc;

    rc = sq_run_fixed(ss, STMT_ID_SAVEPOINT, "SAVEPOINT subpoena_insert");
    if (rc < 0)
        return rc;
    sq_bind_id(&b, sp->id);
    rc = sq_run_write(ss, &b, "subpoena_items_delete");
    /* A draft always has items, but deleting none is not an error. */
    if (rc == STORE_NO_RESULTS)
        rc = STORE_ONE_RESULT;
    at.created_at = sp->updated_at;
    if (rc == STORE_ONE_RESULT)
        rc = insert_items(ss, &at);
    if (rc != STORE_ONE_RESULT)
        (void)sq_run_fixed(ss, STMT_ID_ROLLBACK_TO,
                           "ROLLBACK TO subpoena_insert");
    if (sq_run_fixed(ss, STMT_ID_RELEASE, "RELEASE subpoena_insert") < 0 &&
        rc >= 0)
        rc = STORE_HARD_ERROR;
    return rc;
}

static enum store_rc
sq_subpoena_insert(struct store *s, const struct store_subpoena *sp)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_SUBPOENA_INSERT,
                    "INSERT INTO subpoenas (" SUBPOENA_COLS ")"
                    " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};
    enum store_rc rc;

    /* A savepoint makes the subpoena and its items all or nothing even
     * outside store_tx_run. */
    rc = sq_run_fixed(ss, STMT_ID_SAVEPOINT, "SAVEPOINT subpoena_insert");
    if (rc < 0)
        return rc; /* nothing bound yet */
    sq_bind_id(&b, sp->id);
    sq_bind_int(&b, sp->created_at);
    sq_bind_int(&b, sp->updated_at);
    sq_bind_id(&b, sp->number);
    sq_bind_id(&b, sp->agency_org_id);
    sq_bind_id(&b, sp->recipient_org_id);
    sq_bind_id(&b, sp->person_id);
    sq_bind_id(&b, sp->detainer_id);
    sq_bind_text(&b, sp->purpose);
    sq_bind_text(&b, sp->state);
    sq_bind_id(&b, sp->drafted_by);
    sq_bind_id(&b, sp->signed_by);
    sq_bind_time(&b, sp->signed_at);
    sq_bind_time(&b, sp->served_at);
    sq_bind_text(&b, sp->service_method);
    sq_bind_text(&b, sp->served_to);
    sq_bind_text(&b, sp->return_date);
    sq_bind_text(&b, sp->original_return_date);
    sq_bind_time(&b, sp->responded_at);
    sq_bind_text(&b, sp->disposition);
    sq_bind_text(&b, sp->refusal_reason);
    sq_bind_text(&b, sp->withdrawal_reason);
    sq_bind_text(&b, sp->response_note);
    sq_bind_id(&b, sp->enforcement_id);
    sq_bind_time(&b, sp->acknowledged_at);
    rc = sq_run_write(ss, &b, "subpoena_insert");
    if (rc == STORE_ONE_RESULT)
        rc = insert_items(ss, sp);
    if (rc != STORE_ONE_RESULT)
        (void)sq_run_fixed(ss, STMT_ID_ROLLBACK_TO,
                           "ROLLBACK TO subpoena_insert");
    if (sq_run_fixed(ss, STMT_ID_RELEASE, "RELEASE subpoena_insert") < 0 &&
        rc >= 0)
        rc = STORE_HARD_ERROR;
    return rc;
}

void
sq_read_subpoena(sqlite3_stmt *st, struct store_subpoena *sp)
{
    struct sq_cols c = {st, 0};

    memset(sp, 0, sizeof *sp);
    sq_col_id(&c, sp->id, sizeof sp->id);
    sp->version = sq_col_int(&c);
    sp->created_at = sq_col_int(&c);
    sp->updated_at = sq_col_int(&c);
    sq_col_id(&c, sp->number, sizeof sp->number);
    sq_col_id(&c, sp->agency_org_id, sizeof sp->agency_org_id);
    sq_col_id(&c, sp->recipient_org_id, sizeof sp->recipient_org_id);
    sq_col_id(&c, sp->person_id, sizeof sp->person_id);
    sq_col_id(&c, sp->detainer_id, sizeof sp->detainer_id);
    sp->purpose = sq_col_text(&c);
    sp->state = sq_col_text(&c);
    sq_col_id(&c, sp->drafted_by, sizeof sp->drafted_by);
    sq_col_id(&c, sp->signed_by, sizeof sp->signed_by);
    sp->signed_at = sq_col_int(&c);
    sp->served_at = sq_col_int(&c);
    sp->service_method = sq_col_text(&c);
    sp->served_to = sq_col_text(&c);
    sp->return_date = sq_col_text(&c);
    sp->original_return_date = sq_col_text(&c);
    sp->responded_at = sq_col_int(&c);
    sp->disposition = sq_col_text(&c);
    sp->refusal_reason = sq_col_text(&c);
    sp->withdrawal_reason = sq_col_text(&c);
    sp->response_note = sq_col_text(&c);
    sq_col_id(&c, sp->enforcement_id, sizeof sp->enforcement_id);
    sp->acknowledged_at = sq_col_int(&c);
}

static void
sq_read_item(sqlite3_stmt *st, struct store_subpoena_item *it)
{
    struct sq_cols c = {st, 0};

    memset(it, 0, sizeof *it);
    sq_col_id(&c, it->id, sizeof it->id);
    it->version = sq_col_int(&c);
    it->created_at = sq_col_int(&c);
    it->updated_at = sq_col_int(&c);
    it->position = sq_col_int(&c);
    it->category = sq_col_text(&c);
    it->description = sq_col_text(&c);
    it->outcome = sq_col_text(&c);
    it->ground = sq_col_text(&c);
    it->value = sq_col_blob(&c);
}

/* Read the items of sp->id into sp. */
static enum store_rc
read_items(struct sqlite_store *ss, struct store_subpoena *sp)
{
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_SUBPOENA_ITEMS_GET,
                    "SELECT " ITEM_COLS " FROM subpoena_items"
                    " WHERE subpoena_id = ? ORDER BY position"),
        0, SQLITE_OK};
    enum store_rc rc = STORE_ONE_RESULT;
    size_t cap = 0;
    int src;

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_text(&b, sp->id);
    if (b.rc != SQLITE_OK) {
        rc = sq_rc_from(ss, b.rc, "subpoena_items");
        goto out_reset;
    }
    while ((src = sqlite3_step(b.st)) == SQLITE_ROW) {
        if (sp->n_items == cap) {
            cap = cap ? 2 * cap : 8;
            sp->items = cm_realloc(sp->items, cap * sizeof *sp->items);
        }
        sq_read_item(b.st, &sp->items[sp->n_items++]);
    }
    if (src != SQLITE_DONE)
        rc = sq_rc_from(ss, src, "subpoena_items");
out_reset:
    sq_stmt_done(b.st);
    return rc;
}

static enum store_rc
sq_subpoena_get(struct store *s, const char *id, struct store_subpoena *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_SUBPOENA_GET,
                                      "SELECT " SUBPOENA_COLS
                                      " FROM subpoenas WHERE id = ?"),
                          0, SQLITE_OK};
    struct store_subpoena sp;
    enum store_rc rc;

    sq_bind_text(&b, id);
    rc = sq_run_read(ss, &b, "subpoena_get");
    if (rc != STORE_ONE_RESULT)
        return rc;
    sq_read_subpoena(b.st, &sp);
    sq_stmt_done(b.st);
    rc = read_items(ss, &sp);
    if (rc < 0)
        goto out_release;
    *out = sp;
    return STORE_ONE_RESULT;
out_release:
    store_subpoena_release(&sp);
    return rc;
}

static enum store_rc
sq_subpoena_update(struct store *s, const struct store_subpoena *sp)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_SUBPOENA_UPDATE,
                    "UPDATE subpoenas SET version = version + 1,"
                    " updated_at = ?, recipient_org_id = ?, person_id = ?,"
                    " detainer_id = ?, purpose = ?, state = ?, signed_by = ?,"
                    " signed_at = ?, served_at = ?, service_method = ?,"
                    " served_to = ?, return_date = ?, original_return_date = ?,"
                    " responded_at = ?, disposition = ?, refusal_reason = ?,"
                    " withdrawal_reason = ?, response_note = ?,"
                    " enforcement_id = ?, acknowledged_at = ?"
                    " WHERE id = ? AND version = ?"),
        0, SQLITE_OK};

    sq_bind_int(&b, sp->updated_at);
    sq_bind_id(&b, sp->recipient_org_id);
    sq_bind_id(&b, sp->person_id);
    sq_bind_id(&b, sp->detainer_id);
    sq_bind_text(&b, sp->purpose);
    sq_bind_text(&b, sp->state);
    sq_bind_id(&b, sp->signed_by);
    sq_bind_time(&b, sp->signed_at);
    sq_bind_time(&b, sp->served_at);
    sq_bind_text(&b, sp->service_method);
    sq_bind_text(&b, sp->served_to);
    sq_bind_text(&b, sp->return_date);
    sq_bind_text(&b, sp->original_return_date);
    sq_bind_time(&b, sp->responded_at);
    sq_bind_text(&b, sp->disposition);
    sq_bind_text(&b, sp->refusal_reason);
    sq_bind_text(&b, sp->withdrawal_reason);
    sq_bind_text(&b, sp->response_note);
    sq_bind_id(&b, sp->enforcement_id);
    sq_bind_time(&b, sp->acknowledged_at);
    sq_bind_text(&b, sp->id);
    sq_bind_int(&b, sp->version);
    return sq_run_write(ss, &b, "subpoena_update");
}

static enum store_rc
sq_subpoena_update_state(struct store *s,
                         const char *id,
                         int64_t version,
                         const char *state,
                         int64_t updated_at)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_SUBPOENA_UPDATE_STATE,
                    "UPDATE subpoenas SET version = version + 1,"
                    " updated_at = ?, state = ? WHERE id = ? AND version = ?"),
        0, SQLITE_OK};

    sq_bind_int(&b, updated_at);
    sq_bind_text(&b, state);
    sq_bind_text(&b, id);
    sq_bind_int(&b, version);
    return sq_run_write(ss, &b, "subpoena_update_state");
}

/* ---- events ------------------------------------------------------------*/

static enum store_rc
sq_event_append(struct store *s, const struct store_event *ev, int64_t *seq)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_EVENT_APPEND,
                    "INSERT INTO events (case_kind, case_id, seq, action,"
                    " actor_id, role, at, details)"
                    " SELECT ?1, ?2, coalesce(max(seq), 0) + 1, ?3, ?4, ?5, ?6,"
                    " ?7 FROM events WHERE case_kind = ?1 AND case_id = ?2"
                    " RETURNING seq"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, ev->case_kind);
    sq_bind_id(&b, ev->case_id);
    sq_bind_text(&b, ev->action);
    sq_bind_id(&b, ev->actor_id);
    sq_bind_text(&b, ev->role);
    sq_bind_int(&b, ev->at);
    sq_bind_text(&b, ev->details);
    rc = sq_run_read(ss, &b, "event_append");
    if (rc == STORE_ONE_RESULT)
        rc = sq_finish_returning(ss, b.st, "event_append", seq);
    else if (rc == STORE_NO_RESULTS) {
        rc = STORE_HARD_ERROR;
    }
    return rc;
}

static int
sq_event_list(struct store *s,
              const char *case_kind,
              const char *case_id,
              store_event_cb cb,
              void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_EVENT_LIST,
                    "SELECT case_kind, case_id, seq, action, actor_id, role,"
                    " at, details FROM events"
                    " WHERE case_kind = ? AND case_id = ? ORDER BY seq"),
        0, SQLITE_OK};
    int n = 0;
    int src;

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_text(&b, case_kind);
    sq_bind_text(&b, case_id);
    if (b.rc != SQLITE_OK) {
        n = sq_rc_from(ss, b.rc, "event_list");
        goto out_reset;
    }
    while ((src = sqlite3_step(b.st)) == SQLITE_ROW) {
        struct store_event ev;
        struct sq_cols c = {b.st, 0};

        memset(&ev, 0, sizeof ev);
        ev.case_kind = sq_col_text(&c);
        sq_col_id(&c, ev.case_id, sizeof ev.case_id);
        ev.seq = sq_col_int(&c);
        ev.action = sq_col_text(&c);
        sq_col_id(&c, ev.actor_id, sizeof ev.actor_id);
        ev.role = sq_col_text(&c);
        ev.at = sq_col_int(&c);
        ev.details = sq_col_text(&c);
        cb(cls, &ev);
        store_event_release(&ev);
        n++;
    }
    if (src != SQLITE_DONE)
        n = sq_rc_from(ss, src, "event_list");
out_reset:
    sq_stmt_done(b.st);
    return n;
}

/* ---- audit -------------------------------------------------------------*/


void
sq_read_audit(sqlite3_stmt *st, struct store_audit *a)
{
    struct sq_cols c = {st, 0};

    memset(a, 0, sizeof *a);
    a->seq = sq_col_int(&c);
    a->at = sq_col_int(&c);
    a->actor_id = sq_col_text(&c);
    a->org_id = sq_col_text(&c);
    a->role = sq_col_text(&c);
    a->session_hash = sq_col_text(&c);
    a->client_addr = sq_col_text(&c);
    a->action = sq_col_text(&c);
    a->object_kind = sq_col_text(&c);
    a->object_id = sq_col_text(&c);
    a->outcome = sq_col_text(&c);
    a->detail = sq_col_text(&c);
    sq_col_hash(&c, a->prev_hash);
    sq_col_hash(&c, a->hash);
}

static enum store_rc
sq_audit_append(struct store *s, const struct store_audit *a, int64_t *seq)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_AUDIT_APPEND,
                    "INSERT INTO audit (at, actor_id, org_id, role,"
                    " session_hash, client_addr, action, object_kind,"
                    " object_id, outcome, detail, prev_hash, hash)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " RETURNING seq"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_int(&b, a->at);
    sq_bind_text(&b, a->actor_id);
    sq_bind_text(&b, a->org_id);
    sq_bind_text(&b, a->role);
    sq_bind_text(&b, a->session_hash);
    sq_bind_text(&b, a->client_addr);
    sq_bind_text(&b, a->action);
    sq_bind_text(&b, a->object_kind);
    sq_bind_text(&b, a->object_id);
    sq_bind_text(&b, a->outcome);
    sq_bind_text(&b, a->detail);
    sq_bind_bytes(&b, a->prev_hash, STORE_HASH_SIZE);
    sq_bind_bytes(&b, a->hash, STORE_HASH_SIZE);
    rc = sq_run_read(ss, &b, "audit_append");
    if (rc == STORE_ONE_RESULT)
        rc = sq_finish_returning(ss, b.st, "audit_append", seq);
    else if (rc == STORE_NO_RESULTS) {
        rc = STORE_HARD_ERROR;
    }
    return rc;
}

static enum store_rc
sq_audit_get(struct store *s, int64_t seq, struct store_audit *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_AUDIT_GET,
                                      "SELECT " AUDIT_COLS
                                      " FROM audit WHERE seq = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_int(&b, seq);
    rc = sq_run_read(ss, &b, "audit_get");
    if (rc == STORE_ONE_RESULT) {
        sq_read_audit(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

static enum store_rc
sq_audit_head(struct store *s,
              int64_t *seq,
              unsigned char hash[STORE_HASH_SIZE])
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_AUDIT_HEAD,
                                      "SELECT seq, hash FROM audit"
                                      " ORDER BY seq DESC LIMIT 1"),
                          0, SQLITE_OK};
    enum store_rc rc = sq_run_read(ss, &b, "audit_head");

    if (rc == STORE_ONE_RESULT) {
        struct sq_cols c = {b.st, 0};

        *seq = sq_col_int(&c);
        sq_col_hash(&c, hash);
        sq_stmt_done(b.st);
    }
    return rc;
}

static int
sq_audit_range(struct store *s,
               int64_t from_seq,
               int64_t to_seq,
               store_audit_cb cb,
               void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_AUDIT_RANGE,
                    "SELECT " AUDIT_COLS " FROM audit"
                    " WHERE seq BETWEEN ? AND ? ORDER BY seq"),
        0, SQLITE_OK};
    int n = 0;
    int src;

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_int(&b, from_seq);
    sq_bind_int(&b, to_seq);
    if (b.rc != SQLITE_OK) {
        n = sq_rc_from(ss, b.rc, "audit_range");
        goto out_reset;
    }
    while ((src = sqlite3_step(b.st)) == SQLITE_ROW) {
        struct store_audit a;

        sq_read_audit(b.st, &a);
        cb(cls, &a);
        store_audit_release(&a);
        n++;
    }
    if (src != SQLITE_DONE)
        n = sq_rc_from(ss, src, "audit_range");
out_reset:
    sq_stmt_done(b.st);
    return n;
}

/* ---- the table and opening ---------------------------------------------*/

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .begin_read = sq_begin_read,
    .group_savepoint = sq_group_savepoint,
    .group_release = sq_group_release,
    .group_rollback_to = sq_group_rollback_to,
    .cache_used = sq_cache_used,
    .cache_limit = sq_cache_limit,
    .cache_release = sq_cache_release,
    .migrations = cm_migrations_sqlite,
    .migration_prepare = sq_migration_prepare,
    .migration_is_applied = sq_migration_is_applied,
    .migration_apply = sq_migration_apply,
    .meta_get = sq_meta_get,
    .meta_set = sq_meta_set,
    .backup = sq_backup,
    .case_number_next = sq_case_number_next,
    .org_insert = sq_org_insert,
    .org_get = sq_org_get,
    .org_list = sq_org_list,
    .facility_insert = sq_facility_insert,
    .facility_get = sq_facility_get,
    .facility_list_by_org = sq_facility_list_by_org,
    .user_insert = sq_user_insert,
    .user_get = sq_user_get,
    .user_get_by_email = sq_user_get_by_email,
    .person_insert = sq_person_insert,
    .person_get = sq_person_get,
    .person_find = sq_person_find,
    .detainer_insert = sq_detainer_insert,
    .detainer_get = sq_detainer_get,
    .detainer_update = sq_detainer_update,
    .subpoena_insert = sq_subpoena_insert,
    .subpoena_items_replace = sq_subpoena_items_replace,
    .subpoena_get = sq_subpoena_get,
    .subpoena_update = sq_subpoena_update,
    .subpoena_update_state = sq_subpoena_update_state,
    .event_append = sq_event_append,
    .event_list = sq_event_list,
    .audit_append = sq_audit_append,
    .audit_get = sq_audit_get,
    .audit_head = sq_audit_head,
    .audit_range = sq_audit_range,
    .auth = &sq_auth_ops,
    .admin = &sq_admin_ops,
    .cases = &sq_cases_ops,
    .infra = &sq_infra_ops,
    .jobs = &sq_jobs_ops,
    .bulk = &sq_bulk_ops,
    .docs = &sq_docs_ops,
    .sign = &sq_sign_ops,
    .reports = &sq_reports_ops,
    .copy = &sq_copy_ops,
    .retention = &sq_retention_ops,
    .keys = &sq_keys_ops,
};

/* Run a pragma and read its one-column answer as text into out. */
static bool
pragma_text(sqlite3 *db, const char *sql, char *out, size_t size)
{
    sqlite3_stmt *st = NULL;
    bool ok = false;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        goto out_finalize;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);

        (void)snprintf(out, size, "%s", t ? (const char *)t : "");
        ok = true;
    }
out_finalize:
    sqlite3_finalize(st);
    return ok;
}

/* Configure a fresh connection; false with *why on failure. */
static bool
configure(sqlite3 *db, const char **why)
{
    char v[32];

    (void)sqlite3_extended_result_codes(db, 1);
    (void)sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    if (sq_reports_register(db) != SQLITE_OK) {
        *why = "cannot register the report functions";
        return false;
    }
    if (!pragma_text(db, "PRAGMA journal_mode = WAL", v, sizeof v)) {
        *why = "not a database, or it cannot be read";
        return false;
    }
    if (strcmp(v, "wal") != 0) {
        *why = "the database refused write-ahead logging (journal_mode)";
        return false;
    }
    if (sqlite3_exec(db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) !=
            SQLITE_OK ||
        !pragma_text(db, "PRAGMA synchronous", v, sizeof v) ||
        strcmp(v, "2") != 0) {
        *why = "cannot set synchronous=FULL";
        return false;
    }
    if (sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) !=
            SQLITE_OK ||
        !pragma_text(db, "PRAGMA foreign_keys", v, sizeof v) ||
        strcmp(v, "1") != 0) {
        *why = "cannot turn on foreign keys";
        return false;
    }
    /* Statement journals of savepoints stay in memory, not temp files. */
    if (sqlite3_exec(db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL) !=
        SQLITE_OK) {
        *why = "cannot set temp_store";
        return false;
    }
    /* A server opens one connection per worker thread; 1 MiB of page
     * cache each (SQLite's default is 2 MiB) keeps 32 workers and the
     * writer within the memory budget, and the OS page cache holds the
     * rest of the file anyway. */
    if (sqlite3_exec(db, "PRAGMA cache_size = -1024", NULL, NULL, NULL) !=
        SQLITE_OK) {
        *why = "cannot set cache_size";
        return false;
    }
    return true;
}

/* Remove a database this process created, with its WAL and shm files. */
static void
remove_created(const char *path)
{
    struct buf b = BUF_INIT;

    (void)unlink(path);
    buf_addf(&b, "%s-wal", path);
    (void)unlink(buf_str(&b));
    buf_reset(&b);
    buf_addf(&b, "%s-shm", path);
    (void)unlink(buf_str(&b));
    buf_release(&b);
}

/* Process-wide settings, made once before the first connection: SQLite's
 * memory statistics take a global mutex on every allocation, which every
 * worker's connection would contend for; compel never reads them. */
static pthread_once_t library_once = PTHREAD_ONCE_INIT;

static void
configure_library(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum cm_err
store_sqlite_open(const char *path,
                  enum store_open_mode mode,
                  struct store **out,
                  const char **why)
{
    struct sqlite_store *ss = NULL;
    sqlite3 *db = NULL;
    bool created = false;
    enum cm_err err = CM_ERR_STORE_FAILURE;
    const char *reason = "cannot open the database";
    int fd;

    if (path == NULL || *path == '\0') {
        err = CM_ERR_USAGE;
        reason = "the sqlite: URL has no path";
        goto out_fail;
    }
    if (mode == STORE_OPEN_MODE_CREATE) {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            err = errno == EEXIST ? CM_ERR_ALREADY_EXISTS : CM_ERR_IO;
            reason = errno == EEXIST ? "the database already exists"
                                     : "cannot create the database file";
            goto out_fail;
        }
        (void)close(fd);
        created = true;
    } else if (access(path, F_OK) != 0) {
        err = CM_ERR_NOT_FOUND;
        reason = "the database does not exist (create it with compel init)";
        goto out_fail;
    }
    (void)pthread_once(&library_once, configure_library);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        goto out_close;
    if (!configure(db, &reason))
        goto out_close;
    ss = cm_calloc(1, sizeof *ss);
    ss->base.ops = &sqlite_ops;
    ss->db = db;
    ss->file = sq_file_get(path);
    (void)sqlite3_wal_hook(db, sq_wal_hook, ss);
    *out = &ss->base;
    return CM_ERR_OK;
out_close:
    (void)sqlite3_close(db);
    if (created)
        remove_created(path);
out_fail:
    if (why)
        *why = reason;
    return err;
}
