/*
 * pg_int.h: what the files of the PostgreSQL backend share: the
 * connection struct with its prepared-statement cache, the parameter and
 * column helpers, and the run helpers.
 *
 * Internal to src/store/postgres/. Every statement is prepared on its
 * connection on first use (named "c<id>"), kept until the connection is
 * closed or re-established, and run with parameters only: text values as
 * text, integers printed in decimal, bytes in binary. Results come back
 * as text (bytea in hex). SQL NULL maps to "" ids, 0 timestamps and NULL
 * strings and blobs, both ways, as in the SQLite backend.
 *
 * Errors: serialization failures (40001) and deadlocks (40P01) are soft;
 * so is a lost connection, which is re-established on the next use
 * outside a transaction. Anything else is hard, logged with its SQLSTATE,
 * the constraint's name and PostgreSQL's primary message (never DETAIL,
 * which quotes values).
 */
#ifndef CM_STORE_POSTGRES_PG_INT_H
#define CM_STORE_POSTGRES_PG_INT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/store.h"

/* The migrations of this dialect (src/store/sql/postgres), embedded by
 * cmake/embed.cmake like the SQLite ones. */
extern const struct cm_embedded cm_migrations_postgres[];

enum pg_stmt_id {
    PG_STMT_MIGRATION_IS_APPLIED,
    PG_STMT_MIGRATION_RECORD,
    PG_STMT_META_GET,
    PG_STMT_META_SET,
    PG_STMT_CASE_NUMBER_NEXT,
    PG_STMT_ORG_INSERT,
    PG_STMT_ORG_GET,
    PG_STMT_ORG_LIST,
    PG_STMT_ORG_LIST_AFTER,
    PG_STMT_FACILITY_INSERT,
    PG_STMT_FACILITY_GET,
    PG_STMT_FACILITY_LIST_BY_ORG,
    PG_STMT_USER_INSERT,
    PG_STMT_USER_GET,
    PG_STMT_USER_GET_BY_EMAIL,
    PG_STMT_PERSON_INSERT,
    PG_STMT_PERSON_GET,
    PG_STMT_PERSON_FIND_FAMILY_NAME,
    PG_STMT_PERSON_FIND_DOB,
    PG_STMT_PERSON_FIND_A_NUMBER,
    PG_STMT_DETAINER_INSERT,
    PG_STMT_DETAINER_GET,
    PG_STMT_DETAINER_UPDATE,
    PG_STMT_SUBPOENA_INSERT,
    PG_STMT_SUBPOENA_ITEM_INSERT,
    PG_STMT_SUBPOENA_GET,
    PG_STMT_SUBPOENA_ITEMS_GET,
    PG_STMT_SUBPOENA_ITEMS_DELETE,
    PG_STMT_SUBPOENA_UPDATE,
    PG_STMT_SUBPOENA_UPDATE_STATE,
    PG_STMT_EVENT_APPEND,
    PG_STMT_EVENT_LIST,
    PG_STMT_AUDIT_APPEND,
    PG_STMT_AUDIT_GET,
    PG_STMT_AUDIT_HEAD,
    PG_STMT_AUDIT_RANGE,
    PG_STMT__COUNT
};

/*
 * Statements are numbered per file: the core rows above from 0, and each
 * operation group's file (pg_<group>.c) from its own base, in an enum of
 * its own, so that one file's statements never renumber another's.
 */
enum pg_stmt_base {
    PG_STMT_BASE_AUTH = 100,
    PG_STMT_BASE_ADMIN = 200,
    PG_STMT_BASE_CASES = 300,
    PG_STMT_BASE_INFRA = 400,
    PG_STMT_BASE_JOBS = 500,
    PG_STMT_BASE_BULK = 600,
    PG_STMT_BASE_DOCS = 700,
    PG_STMT_BASE_SIGN = 800,
    PG_STMT_BASE_REPORTS = 900,
    /* pg_keys.c: 940 ... 959, between the few of reports and the ids
     * pg_retention.c numbers from 970 */
    PG_STMT_BASE_KEYS = 940,
    PG_STMT_MAX = 1000 /* every id is below this */
};

_Static_assert((int)PG_STMT__COUNT <= (int)PG_STMT_BASE_AUTH,
               "the core statements overrun the first group's base");

/* The operation groups, one file each (pg_<group>.c); NULL until written. */
extern const struct store_auth_ops pg_auth_ops;
extern const struct store_admin_ops pg_admin_ops;
extern const struct store_cases_ops pg_cases_ops;
extern const struct store_infra_ops pg_infra_ops;
extern const struct store_jobs_ops pg_jobs_ops;
extern const struct store_bulk_ops pg_bulk_ops;
extern const struct store_docs_ops pg_docs_ops;
extern const struct store_sign_ops pg_sign_ops;
extern const struct store_reports_ops pg_reports_ops;
extern const struct store_keys_ops pg_keys_ops; /* pg_keys.c */

struct pg_store {
    struct store base; /* first: a struct store * is a struct pg_store * */
    PGconn *conn;
    bool prepared[PG_STMT_MAX]; /* on this connection, by statement id */
    bool broken;   /* the connection was lost: re-establish on next use */
    bool in_block; /* a transaction is open (BEGIN sent, not yet ended) */
    bool tx_write; /* inside a transaction begun by begin (not begin_read) */
    /* Detainers staged by an import (pg_bulk.c), rows of COPY's text
     * format not yet sent, and how many. */
    struct buf stage;
    int64_t n_staged;
};

/* The most parameters a statement of this backend takes. */
#define PG_MAX_PARAMS 32

/* Parameters $1, $2, ... in order (pg_bind_*). */
struct pg_params {
    int n;
    const char *values[PG_MAX_PARAMS];
    int lengths[PG_MAX_PARAMS];
    int formats[PG_MAX_PARAMS];
    char digits[PG_MAX_PARAMS][24]; /* printed integers */
};

/* Reads the columns of row `row` of `r`, 0, 1, ... in order. */
struct pg_cols {
    const PGresult *r;
    int row;
    int i;
};

/* Flags of pg_exec. */
/* A primary-key violation (23505 on a "..._pkey" constraint) is a race
 * for the next key (max + 1) with another writer: soft, to be retried. */
#define PG_EXEC_KEY_RACE_IS_SOFT 1

/* Called by pg_run_list for each row. */
typedef void (*pg_row_fn)(const PGresult *r, int row, void *ctx);

static inline struct pg_store *
pg_to_pg(struct store *s)
{
    return (struct pg_store *)s;
}

/* Bind the next parameter: text (NULL as NULL), an id ("" as NULL), an
 * integer, a timestamp (0 as NULL), bytes (NULL data as NULL), a blob,
 * notice_given (-1 as NULL). Borrowed values must outlive the run. */
void pg_bind_text(struct pg_params *p, const char *v);
void pg_bind_id(struct pg_params *p, const char *id);
void pg_bind_int(struct pg_params *p, int64_t v);
void pg_bind_time(struct pg_params *p, int64_t v);
void pg_bind_bytes(struct pg_params *p, const void *data, size_t len);
void pg_bind_blob(struct pg_params *p, const struct store_blob *v);
void pg_bind_notice(struct pg_params *p, int notice_given);

/* Read the next column: a copy of text (NULL for NULL; free with
 * cm_free), an id into a fixed array, an integer (0 for NULL), whether it
 * is NULL (without advancing), a copy of bytea, a hash of STORE_HASH_SIZE
 * bytes (zeros when NULL or of another size). */
char *pg_col_text(struct pg_cols *c);
void pg_col_id(struct pg_cols *c, char *out, size_t size);
int64_t pg_col_int(struct pg_cols *c);
bool pg_col_is_null(const struct pg_cols *c);
struct store_blob pg_col_blob(struct pg_cols *c);
void pg_col_hash(struct pg_cols *c, unsigned char out[STORE_HASH_SIZE]);

/*
 * Run statement `id` (prepared from `sql` on first use) with `p` (NULL for
 * none). On success *rc is STORE_ONE_RESULT and the result (free with
 * PQclear) is returned; on failure *rc is the classified error and NULL
 * is returned. `what` names the call in log lines.
 */
PGresult *pg_exec(struct pg_store *ps,
                  int id,
                  const char *sql,
                  const struct pg_params *p,
                  const char *what,
                  int flags,
                  enum store_rc *rc);

/* Run a parameterless command (BEGIN, SAVEPOINT x, ...) without preparing
 * it. STORE_ONE_RESULT or an error. */
enum store_rc pg_run_fixed(struct pg_store *ps, const char *sql);

/* Append `len` bytes of text `v` as a field of COPY's text format
 * (backslash, newline, carriage return and tab escaped); false when v
 * holds a NUL, which PostgreSQL's text cannot. */
bool pg_copy_add_text(struct buf *b, const char *v, size_t len);

/* Read and drop every result left of the command sent (after an error or
 * an early stop), so that the connection is ready for the next one. */
void pg_drain(struct pg_store *ps);

/* Run `sql`, a COPY ... FROM STDIN, and send it the `len` bytes of `data`
 * (rows of COPY's text format). STORE_ONE_RESULT or an error. */
enum store_rc pg_copy_in(struct pg_store *ps,
                         const char *sql,
                         const char *data,
                         size_t len,
                         const char *what);

/* Run a statement that returns no rows: STORE_ONE_RESULT when it changed
 * a row, STORE_NO_RESULTS when none, or an error. */
enum store_rc pg_run_write(struct pg_store *ps,
                           int id,
                           const char *sql,
                           const struct pg_params *p,
                           const char *what);

/* Run a statement and read its first row with `fn` (row 0): STORE_ONE_RESULT
 * when there is one, STORE_NO_RESULTS when none, or an error. */
enum store_rc pg_run_read(struct pg_store *ps,
                          int id,
                          const char *sql,
                          const struct pg_params *p,
                          const char *what,
                          pg_row_fn fn,
                          void *ctx);

/* Run a statement and call fn for every row. Returns the number of rows,
 * or a negative enum store_rc. */
int pg_run_list(struct pg_store *ps,
                int id,
                const char *sql,
                const struct pg_params *p,
                const char *what,
                pg_row_fn fn,
                void *ctx);

/* Make the next statements all or nothing: a savepoint inside a
 * transaction, else a transaction of their own. *outer says which;
 * pg_atomic_end(ps, outer, ok) releases or commits when ok, else rolls
 * back. */
enum store_rc pg_atomic_begin(struct pg_store *ps, bool *outer);
enum store_rc pg_atomic_end(struct pg_store *ps, bool outer, bool ok);

#endif
