/*
 * sq_copy.c: the SQLite side of copying a database (store_copy.h): the
 * schema's tables and columns from SQLite's catalog, rows read with their
 * storage classes as they are, and rows written with one prepared INSERT
 * per batch. Table and column names come from store_copy.c's list or
 * the catalog and are quoted as identifiers; values are bound, never
 * spliced. The statements are built per call, so they are prepared per
 * call rather than cached (a copy runs each a few times per table).
 */
#include <sqlite3.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/log.h"
#include "store/sqlite/sqlite_int.h"

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

/* Append `"a", "b", ...`. */
static void
add_idents(struct buf *b, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_adds(b, ", ");
        add_ident(b, names[i]);
    }
}

/* Prepare `sql`; NULL (logged) on failure. */
static sqlite3_stmt *
prepare(struct sqlite_store *ss, const char *sql, const char *what)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ss->db, sql, -1, &st, NULL);

    if (rc != SQLITE_OK) {
        (void)sq_rc_from(ss, rc, what);
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* Step a statement that returns names in column 0 and pass them to cb.
 * Returns the number, or a negative enum store_rc. Finalizes st. */
static int
list_names(struct sqlite_store *ss,
           sqlite3_stmt *st,
           const char *what,
           store_copy_name_cb cb,
           void *cls)
{
    int n = 0;
    int rc;

    if (st == NULL)
        return STORE_HARD_ERROR;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);

        if (t == NULL)
            continue;
        cb(cls, (const char *)t);
        n++;
    }
    if (rc != SQLITE_DONE)
        n = sq_rc_from(ss, rc, what);
    sqlite3_finalize(st);
    return n;
}

static int
sq_copy_tables(struct store *s, store_copy_name_cb cb, void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);

    return list_names(ss,
                      prepare(ss,
                              "SELECT name FROM sqlite_schema"
                              " WHERE type = 'table'"
                              " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                              "copy_tables"),
                      "copy_tables", cb, cls);
}

/* Every column but hidden and generated ones (pragma table_info leaves
 * them out); a table without rowid and an ordinary one alike. */
static int
sq_copy_columns(struct store *s,
                const char *table,
                store_copy_name_cb cb,
                void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    sqlite3_stmt *st =
        prepare(ss, "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
                "copy_columns");

    if (st && sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC) != SQLITE_OK) {
        sqlite3_finalize(st);
        return STORE_HARD_ERROR;
    }
    return list_names(ss, st, "copy_columns", cb, cls);
}

static enum store_rc
sq_copy_count(struct store *s, const char *table, int64_t *n)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct buf sql = BUF_INIT;
    sqlite3_stmt *st;
    enum store_rc rc = STORE_HARD_ERROR;
    int r;

    buf_adds(&sql, "SELECT count(*) FROM ");
    add_ident(&sql, table);
    st = prepare(ss, buf_str(&sql), "copy_count");
    if (st == NULL)
        goto out;
    r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *n = sqlite3_column_int64(st, 0);
        rc = STORE_ONE_RESULT;
    } else {
        rc = sq_rc_from(ss, r, "copy_count");
    }
    sqlite3_finalize(st);
out:
    buf_release(&sql);
    return rc;
}

/* Read column i of the current row of st into v (borrowed from st until
 * the next step). False for a real number, which compel never stores. */
static bool
read_value(sqlite3_stmt *st, int i, struct store_copy_value *v)
{
    static const unsigned char empty[1] = {0};

    memset(v, 0, sizeof *v);
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        v->type = STORE_COPY_TYPE_NULL;
        return true;
    case SQLITE_INTEGER:
        v->type = STORE_COPY_TYPE_INT;
        v->i = sqlite3_column_int64(st, i);
        return true;
    case SQLITE_TEXT:
        v->type = STORE_COPY_TYPE_TEXT;
        v->data = sqlite3_column_text(st, i);
        v->len = (size_t)sqlite3_column_bytes(st, i);
        return v->data != NULL;
    case SQLITE_BLOB:
        v->type = STORE_COPY_TYPE_BYTES;
        v->data = sqlite3_column_blob(st, i);
        v->len = (size_t)sqlite3_column_bytes(st, i);
        if (v->data == NULL)
            v->data = empty;
        return true;
    default:
        return false;
    }
}

static int
sq_copy_read(struct store *s,
             const char *table,
             const char *const *cols,
             size_t n_cols,
             const char *const *order,
             size_t n_order,
             store_copy_row_cb cb,
             void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct store_copy_value *row = NULL;
    struct buf sql = BUF_INIT;
    sqlite3_stmt *st;
    int n = STORE_HARD_ERROR;
    int r = SQLITE_DONE;

    buf_adds(&sql, "SELECT ");
    add_idents(&sql, cols, n_cols);
    buf_adds(&sql, " FROM ");
    add_ident(&sql, table);
    if (n_order) {
        buf_adds(&sql, " ORDER BY ");
        add_idents(&sql, order, n_order);
    }
    st = prepare(ss, buf_str(&sql), "copy_read");
    if (st == NULL)
        goto out;
    row = cm_calloc(n_cols, sizeof *row);
    n = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        int cr;

        for (size_t i = 0; i < n_cols; i++) {
            if (!read_value(st, (int)i, &row[i])) {
                LOG_ERROR("sqlite copy_read: %s.%s holds a value of a type "
                          "compel does not store",
                          table, cols[i]);
                n = STORE_HARD_ERROR;
                goto out_finalize;
            }
        }
        cr = cb(cls, row, n_cols);
        if (cr < 0) {
            n = cr;
            goto out_finalize;
        }
        n++;
        if (cr > 0) {
            r = SQLITE_DONE;
            break;
        }
    }
    if (r != SQLITE_DONE)
        n = sq_rc_from(ss, r, "copy_read");
out_finalize:
    sqlite3_finalize(st);
out:
    cm_free(row);
    buf_release(&sql);
    return n;
}

/* Bind v as parameter i of st. */
static int
bind_value(sqlite3_stmt *st, int i, const struct store_copy_value *v)
{
    switch (v->type) {
    case STORE_COPY_TYPE_INT:
        return sqlite3_bind_int64(st, i, v->i);
    case STORE_COPY_TYPE_TEXT:
        return sqlite3_bind_text64(st, i, (const char *)v->data, v->len,
                                   SQLITE_STATIC, SQLITE_UTF8);
    case STORE_COPY_TYPE_BYTES:
        return sqlite3_bind_blob64(st, i, v->data, v->len, SQLITE_STATIC);
    case STORE_COPY_TYPE_NULL:
    default:
        return sqlite3_bind_null(st, i);
    }
}

/* Bind n values to st, step it once and reset it; *changes = the rows
 * it changed. */
static enum store_rc
run_bound(struct sqlite_store *ss,
          sqlite3_stmt *st,
          const struct store_copy_value *v,
          size_t n,
          const char *what,
          int *changes)
{
    enum store_rc rc = STORE_ONE_RESULT;
    int r = SQLITE_OK;

    for (size_t i = 0; i < n && r == SQLITE_OK; i++)
        r = bind_value(st, (int)i + 1, &v[i]);
    if (r == SQLITE_OK)
        r = sqlite3_step(st);
    if (r == SQLITE_DONE)
        *changes = sqlite3_changes(ss->db);
    else
        rc = sq_rc_from(ss, r, what);
    (void)sqlite3_reset(st);
    (void)sqlite3_clear_bindings(st);
    return rc;
}

static enum store_rc
sq_copy_insert(struct store *s,
               const char *table,
               const char *const *cols,
               size_t n_cols,
               const struct store_copy_value *rows,
               size_t n_rows)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct buf sql = BUF_INIT;
    enum store_rc rc = STORE_HARD_ERROR;
    sqlite3_stmt *st;

    buf_adds(&sql, "INSERT INTO ");
    add_ident(&sql, table);
    buf_adds(&sql, " (");
    add_idents(&sql, cols, n_cols);
    buf_adds(&sql, ") VALUES (");
    for (size_t i = 0; i < n_cols; i++)
        buf_adds(&sql, i ? ", ?" : "?");
    buf_addch(&sql, ')');
    st = prepare(ss, buf_str(&sql), "copy_insert");
    if (st == NULL)
        goto out;
    rc = STORE_ONE_RESULT;
    for (size_t r = 0; r < n_rows && rc == STORE_ONE_RESULT; r++) {
        int changes = 0;

        rc = run_bound(ss, st, rows + r * n_cols, n_cols, "copy_insert",
                       &changes);
    }
    if (rc < 0)
        LOG_ERROR("sqlite copy_insert into %s failed", table);
    sqlite3_finalize(st);
out:
    buf_release(&sql);
    return rc;
}

static enum store_rc
sq_copy_update(struct store *s,
               const char *table,
               const char *key,
               const char *col,
               const struct store_copy_value *pairs,
               size_t n)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct buf sql = BUF_INIT;
    enum store_rc rc = STORE_HARD_ERROR;
    sqlite3_stmt *st;

    buf_adds(&sql, "UPDATE ");
    add_ident(&sql, table);
    buf_adds(&sql, " SET ");
    add_ident(&sql, col);
    buf_adds(&sql, " = ?2 WHERE ");
    add_ident(&sql, key);
    buf_adds(&sql, " = ?1");
    st = prepare(ss, buf_str(&sql), "copy_update");
    if (st == NULL)
        goto out;
    rc = STORE_ONE_RESULT;
    for (size_t i = 0; i < n && rc == STORE_ONE_RESULT; i++) {
        int changes = 0;

        rc = run_bound(ss, st, pairs + 2 * i, 2, "copy_update", &changes);
        if (rc == STORE_ONE_RESULT && changes != 1)
            rc = STORE_NO_RESULTS;
    }
    sqlite3_finalize(st);
out:
    buf_release(&sql);
    return rc;
}

static enum store_rc
sq_copy_clear(struct store *s, const char *table)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct buf sql = BUF_INIT;
    enum store_rc rc = STORE_HARD_ERROR;
    sqlite3_stmt *st;
    int changes = 0;

    buf_adds(&sql, "DELETE FROM ");
    add_ident(&sql, table);
    st = prepare(ss, buf_str(&sql), "copy_clear");
    if (st) {
        rc = run_bound(ss, st, NULL, 0, "copy_clear", &changes);
        sqlite3_finalize(st);
    }
    buf_release(&sql);
    return rc;
}

const struct store_copy_ops sq_copy_ops = {
    .tables = sq_copy_tables,
    .columns = sq_copy_columns,
    .count = sq_copy_count,
    .read = sq_copy_read,
    .insert = sq_copy_insert,
    .update = sq_copy_update,
    .clear = sq_copy_clear,
};
