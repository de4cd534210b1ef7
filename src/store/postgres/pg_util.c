/*
 * pg_util.c: the PostgreSQL backend's plumbing: binding parameters,
 * reading columns, preparing and running statements, classifying errors
 * and re-establishing a lost connection (pg_int.h).
 */
#include "store/postgres/pg_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"

/* ---- parameters ---------------------------------------------------------*/

static int
next_param(struct pg_params *p)
{
    /* More parameters than PG_MAX_PARAMS is our bug, caught in tests. */
    if (p->n >= PG_MAX_PARAMS) {
        LOG_ERROR("postgres: more than %d parameters", PG_MAX_PARAMS);
        abort();
    }
    return p->n++;
}

void
pg_bind_text(struct pg_params *p, const char *v)
{
    int i = next_param(p);

    p->values[i] = v;
    p->lengths[i] = 0;
    p->formats[i] = 0;
}

void
pg_bind_id(struct pg_params *p, const char *id)
{
    pg_bind_text(p, id && *id ? id : NULL);
}

void
pg_bind_int(struct pg_params *p, int64_t v)
{
    int i = next_param(p);

    (void)snprintf(p->digits[i], sizeof p->digits[i], "%" PRId64, v);
    p->values[i] = p->digits[i];
    p->lengths[i] = 0;
    p->formats[i] = 0;
}

void
pg_bind_time(struct pg_params *p, int64_t v)
{
    if (v)
        pg_bind_int(p, v);
    else
        pg_bind_text(p, NULL);
}

void
pg_bind_bytes(struct pg_params *p, const void *data, size_t len)
{
    int i = next_param(p);

    p->values[i] = data;
    p->lengths[i] = (int)len;
    p->formats[i] = 1;
}

void
pg_bind_blob(struct pg_params *p, const struct store_blob *v)
{
    pg_bind_bytes(p, v->data, v->len);
}

void
pg_bind_notice(struct pg_params *p, int notice_given)
{
    if (notice_given < 0)
        pg_bind_text(p, NULL);
    else
        pg_bind_int(p, notice_given ? 1 : 0);
}

/* ---- columns ------------------------------------------------------------*/

bool
pg_col_is_null(const struct pg_cols *c)
{
    return PQgetisnull(c->r, c->row, c->i) != 0;
}

char *
pg_col_text(struct pg_cols *c)
{
    char *v = NULL;

    if (!pg_col_is_null(c))
        v = cm_strndup(PQgetvalue(c->r, c->row, c->i),
                       (size_t)PQgetlength(c->r, c->row, c->i));
    c->i++;
    return v;
}

void
pg_col_id(struct pg_cols *c, char *out, size_t size)
{
    size_t n = 0;

    if (!pg_col_is_null(c)) {
        n = (size_t)PQgetlength(c->r, c->row, c->i);
        if (n >= size)
            n = size - 1;
        memcpy(out, PQgetvalue(c->r, c->row, c->i), n);
    }
    out[n] = '\0';
    c->i++;
}

int64_t
pg_col_int(struct pg_cols *c)
{
    int64_t v = 0;

    if (!pg_col_is_null(c))
        v = strtoll(PQgetvalue(c->r, c->row, c->i), NULL, 10);
    c->i++;
    return v;
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

/* Decode bytea's hex output ("\x0a1b...") into b; false when malformed. */
static bool
decode_bytea(const char *t, size_t n, struct store_blob *b)
{
    size_t len;

    if (n < 2 || t[0] != '\\' || t[1] != 'x' || (n - 2) % 2 != 0)
        return false;
    len = (n - 2) / 2;
    b->data = cm_malloc(len ? len : 1);
    b->len = len;
    for (size_t i = 0; i < len; i++) {
        int hi = hex_value(t[2 + 2 * i]), lo = hex_value(t[3 + 2 * i]);

        if (hi < 0 || lo < 0) {
            store_blob_release(b);
            return false;
        }
        b->data[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

struct store_blob
pg_col_blob(struct pg_cols *c)
{
    struct store_blob b = {NULL, 0};

    if (!pg_col_is_null(c) &&
        !decode_bytea(PQgetvalue(c->r, c->row, c->i),
                      (size_t)PQgetlength(c->r, c->row, c->i), &b))
        LOG_ERROR("postgres: column %d is not hex bytea", c->i);
    c->i++;
    return b;
}

void
pg_col_hash(struct pg_cols *c, unsigned char out[STORE_HASH_SIZE])
{
    struct store_blob b = pg_col_blob(c);

    if (b.data && b.len == STORE_HASH_SIZE)
        memcpy(out, b.data, STORE_HASH_SIZE);
    else
        memset(out, 0, STORE_HASH_SIZE);
    store_blob_release(&b);
}

/* ---- running ------------------------------------------------------------*/

/* Classify a failed result (or, with r NULL, a failure to send). */
static enum store_rc
classify(struct pg_store *ps, const PGresult *r, const char *what, int flags)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *constraint =
        r ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;

    /* The server ending the session (57P01 admin shutdown, 57P02 crash
     * shutdown, 57P03 not accepting connections yet) or a connection
     * exception (class 08) is a lost connection, though libpq may not
     * have noticed the end of the stream yet. */
    if (PQstatus(ps->conn) != CONNECTION_OK ||
        (state &&
         (strncmp(state, "57P0", 4) == 0 || strncmp(state, "08", 2) == 0))) {
        /* Lost: whatever was open is gone; re-establish on next use. */
        ps->broken = true;
        ps->tx_write = false;
        LOG_WARN("postgres %s: connection lost", what);
        return STORE_SOFT_ERROR;
    }
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)) {
        LOG_DEBUG("postgres %s: %s, to be retried", what, state);
        return STORE_SOFT_ERROR;
    }
    if (state && strcmp(state, "23505") == 0 &&
        (flags & PG_EXEC_KEY_RACE_IS_SOFT) && constraint &&
        strlen(constraint) > 5 &&
        strcmp(constraint + strlen(constraint) - 5, "_pkey") == 0) {
        LOG_DEBUG("postgres %s: lost a race for the next key", what);
        return STORE_SOFT_ERROR;
    }
    /* data exceptions (class 22) may quote the value: never log it */
    if (state && strncmp(state, "22", 2) == 0)
        msg = "a value does not fit its column";
    LOG_ERROR("postgres %s: %s%s%s (%s)", what, msg ? msg : "failed",
              constraint ? ", constraint " : "", constraint ? constraint : "",
              state ? state : "no SQLSTATE");
    return STORE_HARD_ERROR;
}

/* Re-establish a lost connection when no transaction is open on it. */
static enum store_rc
ensure_connected(struct pg_store *ps)
{
    if (!ps->broken && PQstatus(ps->conn) == CONNECTION_OK)
        return STORE_ONE_RESULT;
    if (ps->in_block)
        return STORE_SOFT_ERROR; /* the transaction is lost: retry it */
    PQreset(ps->conn);
    if (PQstatus(ps->conn) != CONNECTION_OK) {
        ps->broken = true;
        LOG_WARN("postgres: cannot reconnect");
        return STORE_SOFT_ERROR;
    }
    memset(ps->prepared, 0, sizeof ps->prepared);
    ps->broken = false;
    ps->tx_write = false;
    LOG_INFO("postgres: reconnected");
    return STORE_ONE_RESULT;
}

PGresult *
pg_exec(struct pg_store *ps,
        int id,
        const char *sql,
        const struct pg_params *p,
        const char *what,
        int flags,
        enum store_rc *rc)
{
    static const struct pg_params none = {0};
    char name[16];
    PGresult *r;
    ExecStatusType st;

    if (p == NULL)
        p = &none;
    if (id < 0 || id >= PG_STMT_MAX) {
        LOG_ERROR("postgres: %s: statement id %d out of range", what, id);
        *rc = STORE_HARD_ERROR;
        return NULL;
    }
    *rc = ensure_connected(ps);
    if (*rc < 0)
        return NULL;
    (void)snprintf(name, sizeof name, "c%d", (int)id);
    if (!ps->prepared[id]) {
        r = PQprepare(ps->conn, name, sql, p->n, NULL);
        if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK) {
            *rc = classify(ps, r, what, 0);
            PQclear(r);
            return NULL;
        }
        PQclear(r);
        ps->prepared[id] = true;
    }
    r = PQexecPrepared(ps->conn, name, p->n, p->values, p->lengths, p->formats,
                       0);
    st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        *rc = classify(ps, r, what, flags);
        PQclear(r);
        return NULL;
    }
    *rc = STORE_ONE_RESULT;
    return r;
}

enum store_rc
pg_run_fixed(struct pg_store *ps, const char *sql)
{
    enum store_rc rc = ensure_connected(ps);
    PGresult *r;

    if (rc < 0)
        return rc;
    r = PQexec(ps->conn, sql);
    if (r == NULL || (PQresultStatus(r) != PGRES_COMMAND_OK &&
                      PQresultStatus(r) != PGRES_TUPLES_OK))
        rc = classify(ps, r, sql, 0);
    PQclear(r);
    return rc;
}

bool
pg_copy_add_text(struct buf *b, const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)v[i];

        switch (ch) {
        case '\0':
            return false; /* PostgreSQL's text holds no NUL */
        case '\\':
            buf_adds(b, "\\\\");
            break;
        case '\n':
            buf_adds(b, "\\n");
            break;
        case '\r':
            buf_adds(b, "\\r");
            break;
        case '\t':
            buf_adds(b, "\\t");
            break;
        default:
            buf_addch(b, (char)ch);
            break;
        }
    }
    return true;
}

void
pg_drain(struct pg_store *ps)
{
    PGresult *r;

    while ((r = PQgetResult(ps->conn)) != NULL)
        PQclear(r);
}

enum store_rc
pg_copy_in(struct pg_store *ps,
           const char *sql,
           const char *data,
           size_t len,
           const char *what)
{
    enum store_rc rc = ensure_connected(ps);
    PGresult *r;

    if (rc < 0)
        return rc;
    r = PQexec(ps->conn, sql);
    if (r == NULL || PQresultStatus(r) != PGRES_COPY_IN) {
        rc = classify(ps, r, what, 0);
        PQclear(r);
        pg_drain(ps);
        return rc;
    }
    PQclear(r);
    /* COPY takes the data in pieces of any size; an int's worth each */
    while (len > 0) {
        int n = len > (size_t)1 << 30 ? 1 << 30 : (int)len;

        if (PQputCopyData(ps->conn, data, n) != 1)
            break;
        data += n;
        len -= (size_t)n;
    }
    if (len > 0 || PQputCopyEnd(ps->conn, NULL) != 1) {
        rc = classify(ps, NULL, what, 0);
        pg_drain(ps);
        return rc;
    }
    rc = STORE_ONE_RESULT;
    while ((r = PQgetResult(ps->conn)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc >= 0)
            rc = classify(ps, r, what, 0);
        PQclear(r);
    }
    return rc;
}

enum store_rc
pg_run_write(struct pg_store *ps,
             int id,
             const char *sql,
             const struct pg_params *p,
             const char *what)
{
    enum store_rc rc;
    PGresult *r = pg_exec(ps, id, sql, p, what, 0, &rc);
    const char *n;

    if (r == NULL)
        return rc;
    n = PQcmdTuples(r);
    rc = n && *n && strcmp(n, "0") != 0 ? STORE_ONE_RESULT : STORE_NO_RESULTS;
    PQclear(r);
    return rc;
}

enum store_rc
pg_run_read(struct pg_store *ps,
            int id,
            const char *sql,
            const struct pg_params *p,
            const char *what,
            pg_row_fn fn,
            void *ctx)
{
    enum store_rc rc;
    PGresult *r = pg_exec(ps, id, sql, p, what, 0, &rc);

    if (r == NULL)
        return rc;
    if (PQntuples(r) > 0) {
        fn(r, 0, ctx);
        rc = STORE_ONE_RESULT;
    } else {
        rc = STORE_NO_RESULTS;
    }
    PQclear(r);
    return rc;
}

int
pg_run_list(struct pg_store *ps,
            int id,
            const char *sql,
            const struct pg_params *p,
            const char *what,
            pg_row_fn fn,
            void *ctx)
{
    enum store_rc rc;
    PGresult *r = pg_exec(ps, id, sql, p, what, 0, &rc);
    int n;

    if (r == NULL)
        return rc;
    n = PQntuples(r);
    for (int i = 0; i < n; i++)
        fn(r, i, ctx);
    PQclear(r);
    return n;
}

enum store_rc
pg_atomic_begin(struct pg_store *ps, bool *outer)
{
    enum store_rc rc = ensure_connected(ps);

    if (rc < 0)
        return rc;
    *outer = !ps->in_block;
    rc = pg_run_fixed(ps, *outer ? "BEGIN" : "SAVEPOINT pg_atomic");
    if (rc >= 0 && *outer)
        ps->in_block = true;
    return rc;
}

enum store_rc
pg_atomic_end(struct pg_store *ps, bool outer, bool ok)
{
    enum store_rc rc;

    if (outer) {
        rc = ps->broken ? STORE_SOFT_ERROR
                        : pg_run_fixed(ps, ok ? "COMMIT" : "ROLLBACK");
        ps->in_block = false;
        return rc;
    }
    if (!ok) {
        rc = pg_run_fixed(ps, "ROLLBACK TO pg_atomic");
        if (rc < 0)
            return rc;
    }
    return pg_run_fixed(ps, "RELEASE pg_atomic");
}
