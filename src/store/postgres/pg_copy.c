/*
 * pg_copy.c: the PostgreSQL side of copying a database (store_copy.h):
 * the schema's tables and columns from the catalog (identity columns,
 * such as extensions.rowid, left out: the target numbers them), rows read
 * one at a time (libpq's single-row mode, so a large table is never held
 * whole), and batches written with COPY ... FROM STDIN in text format,
 * columns by name. Values are encoded for COPY by the type of the target
 * column: integers in decimal, text escaped, bytea in hex ("\\x..."),
 * NULL as \N; a value that cannot go into its column (bytes into a text
 * column, text holding a NUL byte) is refused before anything is sent.
 *
 * Table and column names come from store_copy.c's list or the catalog and
 * are quoted as identifiers. The statements are built per call and run
 * unnamed, outside the prepared-statement cache of pg_int.h. Errors are
 * logged with their SQLSTATE, constraint and primary message, never with
 * DETAIL or CONTEXT (which quote the row); for data errors (class 22),
 * whose primary message may quote a value, without the message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/log.h"
#include "store/postgres/pg_int.h"

/* Type oids of pg_type.h. */
#define OID_BOOL  16
#define OID_BYTEA 17
#define OID_INT8  20
#define OID_INT2  21
#define OID_INT4  23

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

static void
add_idents(struct buf *b, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_adds(b, ", ");
        add_ident(b, names[i]);
    }
}

/* Classify and log a failed result `r` (or NULL: a failure to send) of
 * the call `what` on `table`. */
static enum store_rc
fail(struct pg_store *ps,
     const PGresult *r,
     const char *what,
     const char *table)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *constraint =
        r ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;

    if (PQstatus(ps->conn) != CONNECTION_OK) {
        ps->broken = true;
        LOG_WARN("postgres %s %s: connection lost", what, table);
        return STORE_SOFT_ERROR;
    }
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)) {
        LOG_DEBUG("postgres %s %s: %s, to be retried", what, table, state);
        return STORE_SOFT_ERROR;
    }
    if (state && strncmp(state, "22", 2) == 0)
        msg = "a value does not fit its column";
    LOG_ERROR("postgres %s %s: %s%s%s (%s)", what, table,
              msg ? msg : PQerrorMessage(ps->conn),
              constraint ? ", constraint " : "", constraint ? constraint : "",
              state ? state : "no SQLSTATE");
    return STORE_HARD_ERROR;
}

/* Run `sql` with `n` text parameters; the result on success (free with
 * PQclear), else NULL with *rc set. */
static PGresult *
run(struct pg_store *ps,
    const char *sql,
    int n,
    const char *const *values,
    const char *what,
    const char *table,
    enum store_rc *rc)
{
    PGresult *r;
    ExecStatusType st;

    if (ps->broken) {
        *rc = STORE_SOFT_ERROR;
        return NULL;
    }
    r = PQexecParams(ps->conn, sql, n, NULL, values, NULL, NULL, 0);
    st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        *rc = fail(ps, r, what, table);
        PQclear(r);
        return NULL;
    }
    *rc = STORE_ONE_RESULT;
    return r;
}

/* Pass the text of column 0 of every row of `sql` (one parameter, or
 * none when `param` is NULL) to cb; the number of rows or an error. */
static int
list_names(struct pg_store *ps,
           const char *sql,
           const char *param,
           const char *what,
           store_copy_name_cb cb,
           void *cls)
{
    const char *values[1] = {param};
    enum store_rc rc;
    PGresult *r =
        run(ps, sql, param ? 1 : 0, values, what, param ? param : "", &rc);
    int n;

    if (r == NULL)
        return rc;
    n = PQntuples(r);
    for (int i = 0; i < n; i++)
        cb(cls, PQgetvalue(r, i, 0));
    PQclear(r);
    return n;
}

static int
pg_copy_tables(struct store *s, store_copy_name_cb cb, void *cls)
{
    return list_names(pg_to_pg(s),
                      "SELECT tablename FROM pg_tables"
                      " WHERE schemaname = current_schema()",
                      NULL, "copy_tables", cb, cls);
}

/* The columns a copy writes: not dropped, not system, not an identity
 * GENERATED ALWAYS nor a generated column. */
static int
pg_copy_columns(struct store *s,
                const char *table,
                store_copy_name_cb cb,
                void *cls)
{
    return list_names(pg_to_pg(s),
                      "SELECT attname FROM pg_attribute"
                      " WHERE attrelid = to_regclass(quote_ident($1))"
                      " AND attnum > 0 AND NOT attisdropped"
                      " AND attidentity <> 'a' AND attgenerated = ''"
                      " ORDER BY attnum",
                      table, "copy_columns", cb, cls);
}

static enum store_rc
pg_copy_count(struct store *s, const char *table, int64_t *n)
{
    struct pg_store *ps = pg_to_pg(s);
    struct buf sql = BUF_INIT;
    enum store_rc rc;
    PGresult *r;

    buf_adds(&sql, "SELECT count(*) FROM ");
    add_ident(&sql, table);
    r = run(ps, buf_str(&sql), 0, NULL, "copy_count", table, &rc);
    if (r) {
        *n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
    buf_release(&sql);
    return rc;
}

static int
hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decode bytea's hex output ("\x0a1b...") into `out` (reset first);
 * false when malformed. */
static bool
decode_hex(const char *t, size_t n, struct buf *out)
{
    buf_reset(out);
    if (n < 2 || t[0] != '\\' || t[1] != 'x' || (n - 2) % 2 != 0)
        return false;
    buf_grow(out, (n - 2) / 2);
    for (size_t i = 2; i < n; i += 2) {
        int hi = hex_value(t[i]), lo = hex_value(t[i + 1]);

        if (hi < 0 || lo < 0)
            return false;
        buf_addch(out, (char)(hi << 4 | lo));
    }
    return true;
}

/* Read column i of row 0 of r into v; bytea is decoded into `tmp`. */
static bool
read_value(const PGresult *r,
           int i,
           struct buf *tmp,
           struct store_copy_value *v)
{
    static const unsigned char empty[1] = {0};
    const char *t = PQgetvalue(r, 0, i);
    size_t n = (size_t)PQgetlength(r, 0, i);

    memset(v, 0, sizeof *v);
    if (PQgetisnull(r, 0, i)) {
        v->type = STORE_COPY_TYPE_NULL;
        return true;
    }
    switch (PQftype(r, i)) {
    case OID_INT8:
    case OID_INT4:
    case OID_INT2:
        v->type = STORE_COPY_TYPE_INT;
        v->i = strtoll(t, NULL, 10);
        return true;
    case OID_BOOL:
        v->type = STORE_COPY_TYPE_INT;
        v->i = t[0] == 't';
        return true;
    case OID_BYTEA:
        v->type = STORE_COPY_TYPE_BYTES;
        if (!decode_hex(t, n, tmp))
            return false;
        v->data = tmp->len ? (const unsigned char *)tmp->data : empty;
        v->len = tmp->len;
        return true;
    default:
        v->type = STORE_COPY_TYPE_TEXT;
        v->data = (const unsigned char *)t;
        v->len = n;
        return true;
    }
}

static int
pg_copy_read(struct store *s,
             const char *table,
             const char *const *cols,
             size_t n_cols,
             const char *const *order,
             size_t n_order,
             store_copy_row_cb cb,
             void *cls)
{
    struct pg_store *ps = pg_to_pg(s);
    struct store_copy_value *row = cm_calloc(n_cols, sizeof *row);
    struct buf *tmp = cm_calloc(n_cols, sizeof *tmp);
    struct buf sql = BUF_INIT;
    bool stopped = false;
    PGresult *r;
    int n = 0;

    buf_adds(&sql, "SELECT ");
    add_idents(&sql, cols, n_cols);
    buf_adds(&sql, " FROM ");
    add_ident(&sql, table);
    if (n_order) {
        buf_adds(&sql, " ORDER BY ");
        add_idents(&sql, order, n_order);
    }
    if (ps->broken) {
        n = STORE_SOFT_ERROR;
        goto out;
    }
    if (!PQsendQueryParams(ps->conn, buf_str(&sql), 0, NULL, NULL, NULL, NULL,
                           0) ||
        !PQsetSingleRowMode(ps->conn)) {
        n = fail(ps, NULL, "copy_read", table);
        pg_drain(ps);
        goto out;
    }
    while ((r = PQgetResult(ps->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        int cr = 0;

        if (st == PGRES_SINGLE_TUPLE && !stopped && n >= 0) {
            for (size_t i = 0; i < n_cols && cr == 0; i++) {
                if (!read_value(r, (int)i, &tmp[i], &row[i])) {
                    LOG_ERROR("postgres copy_read %s.%s: not hex bytea", table,
                              cols[i]);
                    cr = STORE_HARD_ERROR;
                }
            }
            if (cr == 0)
                cr = cb(cls, row, n_cols);
            if (cr < 0) {
                n = cr;
            } else {
                n++;
                stopped = cr > 0;
            }
        } else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK &&
                   n >= 0) {
            n = fail(ps, r, "copy_read", table);
        }
        PQclear(r);
    }
out:
    for (size_t i = 0; i < n_cols; i++)
        buf_release(&tmp[i]);
    cm_free(tmp);
    cm_free(row);
    buf_release(&sql);
    return n;
}

/* The type oid of each of `cols` in `table` into types[]; an error when
 * the table or a column is not there. */
static enum store_rc
column_types(struct pg_store *ps,
             const char *table,
             const char *const *cols,
             size_t n_cols,
             unsigned *types)
{
    const char *values[1] = {table};
    enum store_rc rc;
    PGresult *r = run(ps,
                      "SELECT attname, atttypid FROM pg_attribute"
                      " WHERE attrelid = to_regclass(quote_ident($1))"
                      " AND attnum > 0 AND NOT attisdropped",
                      1, values, "copy_insert", table, &rc);

    if (r == NULL)
        return rc;
    for (size_t i = 0; i < n_cols; i++) {
        types[i] = 0;
        for (int j = 0; j < PQntuples(r); j++)
            if (strcmp(PQgetvalue(r, j, 0), cols[i]) == 0)
                types[i] = (unsigned)strtoul(PQgetvalue(r, j, 1), NULL, 10);
        if (types[i] == 0) {
            LOG_ERROR("postgres copy_insert: %s has no column %s", table,
                      cols[i]);
            rc = STORE_HARD_ERROR;
        }
    }
    PQclear(r);
    return rc;
}

static void
add_hex(struct buf *b, const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";

    buf_adds(b, "\\\\x");
    buf_grow(b, 2 * n);
    for (size_t i = 0; i < n; i++) {
        buf_addch(b, digits[p[i] >> 4]);
        buf_addch(b, digits[p[i] & 0xf]);
    }
}

/* Append v as one field of COPY's text format for a column of type
 * `type`; false when it cannot go into such a column. */
static bool
add_field(struct buf *b, const struct store_copy_value *v, unsigned type)
{
    switch (v->type) {
    case STORE_COPY_TYPE_NULL:
        buf_adds(b, "\\N");
        return true;
    case STORE_COPY_TYPE_INT:
        if (type == OID_BYTEA)
            return false;
        buf_addf(b, "%lld", (long long)v->i);
        return true;
    case STORE_COPY_TYPE_BYTES:
        if (type != OID_BYTEA)
            return false;
        add_hex(b, v->data, v->len);
        return true;
    case STORE_COPY_TYPE_TEXT:
        if (type == OID_BYTEA) {
            add_hex(b, v->data, v->len);
            return true;
        }
        return pg_copy_add_text(b, (const char *)v->data, v->len);
    default:
        return false;
    }
}

static enum store_rc
pg_copy_insert(struct store *s,
               const char *table,
               const char *const *cols,
               size_t n_cols,
               const struct store_copy_value *rows,
               size_t n_rows)
{
    struct pg_store *ps = pg_to_pg(s);
    unsigned *types = cm_calloc(n_cols, sizeof *types);
    struct buf sql = BUF_INIT, data = BUF_INIT;
    enum store_rc rc = column_types(ps, table, cols, n_cols, types);

    if (rc < 0)
        goto out;
    for (size_t i = 0; i < n_rows; i++) {
        for (size_t j = 0; j < n_cols; j++) {
            if (j)
                buf_addch(&data, '\t');
            if (!add_field(&data, &rows[i * n_cols + j], types[j])) {
                LOG_ERROR("postgres copy_insert: a value of %s.%s cannot be "
                          "stored in a column of its type there",
                          table, cols[j]);
                rc = STORE_HARD_ERROR;
                goto out;
            }
        }
        buf_addch(&data, '\n');
    }
    buf_adds(&sql, "COPY ");
    add_ident(&sql, table);
    buf_adds(&sql, " (");
    add_idents(&sql, cols, n_cols);
    buf_adds(&sql, ") FROM STDIN");
    rc = pg_copy_in(ps, buf_str(&sql), data.data ? data.data : "", data.len,
                    "copy_insert");
out:
    buf_release(&data);
    buf_release(&sql);
    cm_free(types);
    return rc;
}

/* The text of v for a text-format parameter, in `tmp` when it must be
 * made; NULL for NULL. Bytes go as bytea's hex input. */
static const char *
param_text(const struct store_copy_value *v, struct buf *tmp)
{
    buf_reset(tmp);
    switch (v->type) {
    case STORE_COPY_TYPE_INT:
        buf_addf(tmp, "%lld", (long long)v->i);
        return buf_str(tmp);
    case STORE_COPY_TYPE_TEXT:
        buf_add(tmp, v->data, v->len);
        return buf_str(tmp);
    case STORE_COPY_TYPE_BYTES:
        buf_adds(tmp, "\\x");
        for (size_t i = 0; i < v->len; i++)
            buf_addf(tmp, "%02x", v->data[i]);
        return buf_str(tmp);
    case STORE_COPY_TYPE_NULL:
    default:
        return NULL;
    }
}

static enum store_rc
pg_copy_update(struct store *s,
               const char *table,
               const char *key,
               const char *col,
               const struct store_copy_value *pairs,
               size_t n)
{
    struct pg_store *ps = pg_to_pg(s);
    struct buf sql = BUF_INIT, k = BUF_INIT, v = BUF_INIT;
    enum store_rc rc = STORE_ONE_RESULT;

    buf_adds(&sql, "UPDATE ");
    add_ident(&sql, table);
    buf_adds(&sql, " SET ");
    add_ident(&sql, col);
    buf_adds(&sql, " = $2 WHERE ");
    add_ident(&sql, key);
    buf_adds(&sql, " = $1");
    for (size_t i = 0; i < n && rc == STORE_ONE_RESULT; i++) {
        const char *values[2] = {param_text(&pairs[2 * i], &k),
                                 param_text(&pairs[2 * i + 1], &v)};
        PGresult *r =
            run(ps, buf_str(&sql), 2, values, "copy_update", table, &rc);

        if (r) {
            if (strcmp(PQcmdTuples(r), "1") != 0)
                rc = STORE_NO_RESULTS;
            PQclear(r);
        }
    }
    buf_release(&v);
    buf_release(&k);
    buf_release(&sql);
    return rc;
}

static enum store_rc
pg_copy_clear(struct store *s, const char *table)
{
    struct pg_store *ps = pg_to_pg(s);
    struct buf sql = BUF_INIT;
    enum store_rc rc;
    PGresult *r;

    buf_adds(&sql, "DELETE FROM ");
    add_ident(&sql, table);
    r = run(ps, buf_str(&sql), 0, NULL, "copy_clear", table, &rc);
    PQclear(r);
    buf_release(&sql);
    return rc;
}

const struct store_copy_ops pg_copy_ops = {
    .tables = pg_copy_tables,
    .columns = pg_copy_columns,
    .count = pg_copy_count,
    .read = pg_copy_read,
    .insert = pg_copy_insert,
    .update = pg_copy_update,
    .clear = pg_copy_clear,
};
