/*
 * sq_keys.c: the SQLite implementation of store_keys.h: the sealed values
 * key rotation re-seals. The statements are built from one table of the
 * sealed columns (below) and prepared per call rather than cached: the
 * rotation runs them a few times per batch of rows, and they take no slot
 * in the shared statement enum.
 *
 * The key id byte of a sealed value is substr(value, 2, 1) (on a BLOB,
 * SQLite counts bytes).
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "store/sqlite/sqlite_int.h"

/* The trigger that refuses edits of signing keys (0005-signing.sql). */
#define SIGNING_GUARD "signing_keys_only_retired"

struct kind_sql {
    const char *table;
    const char *key;
    const char *record;
    const char *values[STORE_SEALED_VALUES];
    const char *indexes[STORE_SEALED_INDEXES];
};

static const struct kind_sql kinds[STORE_SEALED__COUNT] = {
    [STORE_SEALED_PEOPLE] = {"people",
                             "id",
                             "id",
                             {"family_name", "given_names", "date_of_birth",
                              "identifiers", "aliases"},
                             {"family_name_bidx", "dob_bidx", "a_number_bidx"}},
    [STORE_SEALED_TOTP] = {"users", "id", "id", {"totp_secret"}, {NULL}},
    [STORE_SEALED_ITEM_VALUE] =
        {"subpoena_items", "id", "id", {"value"}, {NULL}},
    [STORE_SEALED_WEBHOOK] = {"webhooks", "id", "id", {"secret"}, {NULL}},
    [STORE_SEALED_SIGNING_KEY] =
        {"signing_keys", "key_id", "org_id", {"sealed_secret"}, {NULL}},
};

static size_t
n_indexes(enum store_sealed_kind kind)
{
    return kind == STORE_SEALED_PEOPLE ? STORE_SEALED_INDEXES : 0;
}

/* Prepare `sql` (not cached); NULL after logging. */
static sqlite3_stmt *
prepare(struct sqlite_store *ss, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ss->db, sql, -1, &st, NULL);

    if (rc != SQLITE_OK) {
        (void)sq_rc_from(ss, rc, "keys prepare");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

static void
copy_text(struct sq_cols *c, char *out, size_t size)
{
    char *t = sq_col_text(c);

    (void)snprintf(out, size, "%s", t ? t : "");
    cm_free(t);
}

struct list_ctx {
    enum store_sealed_kind kind;
    store_sealed_cb cb;
    void *cls;
};

static void
read_row(sqlite3_stmt *st, void *ctx)
{
    struct list_ctx *l = ctx;
    struct sq_cols c = {st, 0};
    struct store_sealed_row r;

    memset(&r, 0, sizeof r);
    copy_text(&c, r.key, sizeof r.key);
    copy_text(&c, r.record_id, sizeof r.record_id);
    for (size_t i = 0; i < store_sealed_values(l->kind); i++)
        r.values[i] = sq_col_blob(&c);
    for (size_t i = 0; i < n_indexes(l->kind); i++)
        r.indexes[i] = sq_col_blob(&c);
    l->cb(l->cls, &r);
    store_sealed_row_release(&r);
}

static int
sq_sealed_list_stale(struct store *s,
                     enum store_sealed_kind kind,
                     unsigned key_id,
                     const char *after,
                     int limit,
                     store_sealed_cb cb,
                     void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    const struct kind_sql *k = &kinds[kind];
    unsigned char id = (unsigned char)key_id;
    struct list_ctx l = {kind, cb, cls};
    struct buf sql = BUF_INIT;
    struct sq_binder b = {NULL, 0, SQLITE_OK};
    int n;

    buf_addf(&sql, "SELECT %s, %s", k->key, k->record);
    for (size_t i = 0; i < store_sealed_values(kind); i++)
        buf_addf(&sql, ", %s", k->values[i]);
    for (size_t i = 0; i < n_indexes(kind); i++)
        buf_addf(&sql, ", %s", k->indexes[i]);
    buf_addf(&sql, " FROM %s WHERE %s > ?3 AND (", k->table, k->key);
    for (size_t i = 0; i < store_sealed_values(kind); i++)
        buf_addf(&sql, "%s(%s IS NOT NULL AND substr(%s, 2, 1) <> ?1)",
                 i ? " OR " : "", k->values[i], k->values[i]);
    buf_addf(&sql, ") ORDER BY %s LIMIT ?2", k->key);
    b.st = prepare(ss, buf_str(&sql));
    buf_release(&sql);
    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_bytes(&b, &id, 1);
    sq_bind_int(&b, limit);
    sq_bind_text(&b, after);
    n = sq_run_list(ss, &b, "sealed_list_stale", read_row, &l);
    sqlite3_finalize(b.st);
    return n;
}

/* Run the fixed statement `sql`; STORE_ONE_RESULT or an error. */
static enum store_rc
exec_sql(struct sqlite_store *ss, const char *sql, const char *what)
{
    int rc = sqlite3_exec(ss->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? STORE_ONE_RESULT : sq_rc_from(ss, rc, what);
}

/* The text of the signing-key guard into *out (NULL when there is none). */
static enum store_rc
guard_sql(struct sqlite_store *ss, char **out)
{
    struct sq_binder b = {prepare(ss, "SELECT sql FROM sqlite_master"
                                      " WHERE type = 'trigger' AND name = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    *out = NULL;
    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_text(&b, SIGNING_GUARD);
    rc = sq_run_read(ss, &b, "sealed_update guard");
    if (rc == STORE_ONE_RESULT) {
        struct sq_cols c = {b.st, 0};

        *out = sq_col_text(&c);
        sq_stmt_done(b.st);
    }
    sqlite3_finalize(b.st);
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

static enum store_rc
update_row(struct sqlite_store *ss,
           enum store_sealed_kind kind,
           const struct store_sealed_row *old,
           const struct store_sealed_row *now)
{
    const struct kind_sql *k = &kinds[kind];
    struct buf sql = BUF_INIT;
    struct sq_binder b = {NULL, 0, SQLITE_OK};
    enum store_rc rc;

    buf_addf(&sql, "UPDATE %s SET", k->table);
    for (size_t i = 0; i < store_sealed_values(kind); i++)
        buf_addf(&sql, "%s %s = ?", i ? "," : "", k->values[i]);
    for (size_t i = 0; i < n_indexes(kind); i++)
        buf_addf(&sql, ", %s = ?", k->indexes[i]);
    buf_addf(&sql, " WHERE %s = ?", k->key);
    for (size_t i = 0; i < store_sealed_values(kind); i++)
        buf_addf(&sql, " AND %s IS ?", k->values[i]);
    b.st = prepare(ss, buf_str(&sql));
    buf_release(&sql);
    if (b.st == NULL)
        return STORE_HARD_ERROR;
    for (size_t i = 0; i < store_sealed_values(kind); i++)
        sq_bind_blob(&b, &now->values[i]);
    for (size_t i = 0; i < n_indexes(kind); i++)
        sq_bind_blob(&b, &now->indexes[i]);
    sq_bind_text(&b, now->key);
    for (size_t i = 0; i < store_sealed_values(kind); i++)
        sq_bind_blob(&b, &old->values[i]);
    rc = sq_run_write(ss, &b, "sealed_update");
    sqlite3_finalize(b.st);
    return rc;
}

static enum store_rc
sq_sealed_update(struct store *s,
                 enum store_sealed_kind kind,
                 const struct store_sealed_row *old,
                 const struct store_sealed_row *now)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    char *guard = NULL;
    enum store_rc rc;
    enum store_rc again;

    if (kind != STORE_SEALED_SIGNING_KEY)
        return update_row(ss, kind, old, now);
    /* Lift the guard for this statement only; DDL is transactional in
     * SQLite, so a failure rolls the drop back with the rest. */
    rc = guard_sql(ss, &guard);
    if (rc < 0)
        return rc;
    if (guard) {
        rc = exec_sql(ss, "DROP TRIGGER " SIGNING_GUARD, "sealed_update drop");
        if (rc < 0)
            goto out_free;
    }
    rc = update_row(ss, kind, old, now);
    if (guard) {
        again = exec_sql(ss, guard, "sealed_update guard");
        if (again < 0)
            rc = again;
    }
out_free:
    cm_free(guard);
    return rc;
}

struct count_ctx {
    int64_t *by_id;
};

static void
read_count(sqlite3_stmt *st, void *ctx)
{
    struct count_ctx *c = ctx;
    const unsigned char *id = sqlite3_column_blob(st, 0);
    int len = sqlite3_column_bytes(st, 0);

    c->by_id[len == 1 && id ? id[0] : 0] += sqlite3_column_int64(st, 1);
}

static enum store_rc
sq_sealed_count(struct store *s,
                enum store_sealed_kind kind,
                int64_t by_id[256])
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    const struct kind_sql *k = &kinds[kind];
    struct count_ctx c = {by_id};
    struct buf sql = BUF_INIT;
    struct sq_binder b = {NULL, 0, SQLITE_OK};
    int n;

    buf_adds(&sql, "SELECT substr(v, 2, 1), count(*) FROM (");
    for (size_t i = 0; i < store_sealed_values(kind); i++)
        buf_addf(&sql, "%sSELECT %s AS v FROM %s", i ? " UNION ALL " : "",
                 k->values[i], k->table);
    buf_adds(&sql, ") WHERE v IS NOT NULL GROUP BY 1");
    b.st = prepare(ss, buf_str(&sql));
    buf_release(&sql);
    if (b.st == NULL)
        return STORE_HARD_ERROR;
    n = sq_run_list(ss, &b, "sealed_count", read_count, &c);
    sqlite3_finalize(b.st);
    return n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
}

const struct store_keys_ops sq_keys_ops = {
    .sealed_list_stale = sq_sealed_list_stale,
    .sealed_update = sq_sealed_update,
    .sealed_count = sq_sealed_count,
};
