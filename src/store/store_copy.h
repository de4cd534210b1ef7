/*
 * store_copy.h: copying a whole compel database into another one, table by
 * table, whatever the two backends (`compel migrate-store`, which moves an
 * office from SQLite to PostgreSQL; docs/operations.md).
 *
 * The copy moves rows, not entities: each table of the schema is read in
 * primary-key order as typed values (NULL, integer, text, bytes) and
 * written in batches into the same table of the other database, columns
 * matched by name (so the order of columns may differ between backends).
 * Ids, versions, times, ciphertexts and audit hashes arrive byte for byte:
 * personal fields stay sealed with the same master key and bound to the
 * same ids, and the audit chain verifies with the same head.
 *
 * What is copied: every table of the schema in an order that satisfies
 * its foreign keys (store_copy_table_names), except the migration
 * bookkeeping (schema_migrations, which the target's own migrations
 * wrote), the constant report_levels, and the marks of a deferral of the
 * report triggers (report_deferred*), which never outlive a transaction.
 * `meta` is copied whole: its rows (installation_id, the audit trail's
 * instance_id) name the installation and its chain, not the database
 * file. The one row a fresh schema holds (the federal calendar its
 * migration seeds) is replaced by the source's.
 *
 * The report aggregates are copied as they are, last, not rebuilt:
 * report_detainer_decisions keeps each detainer's decision and its source
 * as they were recorded when it was decided, which store_reports_rebuild,
 * deriving them from the detainers' present state, cannot recover (a
 * detainer honored on the jail's report and later observed transferred
 * stays honored_reported; a rebuild makes it honored_observed). The
 * target's triggers count the cases as they arrive; those counts are
 * then replaced by the source's rows.
 *
 * Two details of the schema: subpoenas and enforcements name each other,
 * so subpoenas arrive with enforcement_id NULL and get it once the
 * enforcements are in; the PostgreSQL extensions.rowid is an identity
 * column (GENERATED ALWAYS): it is not copied, the rows are read in the
 * source's rowid order and the target numbers them, so the order of the
 * extensions of a subpoena is kept.
 *
 * Triggers stay on: the append-only ones refuse updates and deletes, not
 * inserts; the audit chain's (a record must extend the head) passes
 * because the audit rows arrive in seq order; foreign keys and checks are
 * checked as for any write.
 *
 * Included by store/store.h; callers include that.
 */
#ifndef CM_STORE_STORE_COPY_H
#define CM_STORE_STORE_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* The type of one copied value. */
enum store_copy_type {
    STORE_COPY_TYPE_NULL,
    STORE_COPY_TYPE_INT,  /* i */
    STORE_COPY_TYPE_TEXT, /* data, len: UTF-8, not NUL-terminated */
    STORE_COPY_TYPE_BYTES /* data, len */
};

/* One value of a row; borrowed by whoever receives it. */
struct store_copy_value {
    enum store_copy_type type;
    int64_t i;
    const unsigned char *data;
    size_t len;
};

/* Called with one name (a table's or a column's), borrowed for the call. */
typedef void (*store_copy_name_cb)(void *cls, const char *name);

/* Called with one row of n values, borrowed for the call. Returns 0 to go
 * on, 1 to stop reading (not an error), or a negative enum store_rc to
 * abandon the read with that error. */
typedef int (*store_copy_row_cb)(void *cls,
                                 const struct store_copy_value *row,
                                 size_t n);

/* The copy part of a backend's function table (store_ops.copy). Table
 * and column names are identifiers, quoted by the backend. */
struct store_copy_ops {
    /* Call cb for every table of the schema (no order promised). Returns
     * the number of tables, or a negative enum store_rc. */
    int (*tables)(struct store *s, store_copy_name_cb cb, void *cls);
    /* Call cb for each column of `table` that a copy writes, in the
     * table's order: every column but generated ones (PostgreSQL's
     * identity columns). Returns the number, 0 when there is no such
     * table, or a negative enum store_rc. */
    int (*columns)(struct store *s,
                   const char *table,
                   store_copy_name_cb cb,
                   void *cls);
    /* *n (written on STORE_ONE_RESULT) = the rows of `table`. */
    enum store_rc (*count)(struct store *s, const char *table, int64_t *n);
    /* Call cb for every row of `table`, values in the order of `cols`,
     * rows in the order of the columns `order` (byte order for text).
     * Returns the number of rows passed to cb, or a negative enum
     * store_rc (the callback's own, when it returned one). */
    int (*read)(struct store *s,
                const char *table,
                const char *const *cols,
                size_t n_cols,
                const char *const *order,
                size_t n_order,
                store_copy_row_cb cb,
                void *cls);
    /* Insert `n_rows` rows of `n_cols` values each (row after row) into
     * `table`, values in the order of `cols`. STORE_ONE_RESULT, or an
     * error (a constraint refused a row: STORE_HARD_ERROR). */
    enum store_rc (*insert)(struct store *s,
                            const char *table,
                            const char *const *cols,
                            size_t n_cols,
                            const struct store_copy_value *rows,
                            size_t n_rows);
    /* For each of the `n` pairs (key value, new value) in `pairs`, set
     * column `col` of the row of `table` whose `key` column equals the
     * key. STORE_ONE_RESULT when every pair matched a row;
     * STORE_NO_RESULTS when one did not. */
    enum store_rc (*update)(struct store *s,
                            const char *table,
                            const char *key,
                            const char *col,
                            const struct store_copy_value *pairs,
                            size_t n);
    /* Remove every row of `table`. STORE_ONE_RESULT. */
    enum store_rc (*clear)(struct store *s, const char *table);
};

/* The backends' tables (sqlite/sq_copy.c, postgres/pg_copy.c), named here
 * for their struct store_ops only. */
extern const struct store_copy_ops sq_copy_ops;
extern const struct store_copy_ops pg_copy_ops;

/* ---- the copy as a whole -----------------------------------------------*/

/* The most tables a copy knows. */
#define STORE_COPY_MAX_TABLES 48

/* Bytes of store_copy_result.why. */
#define STORE_COPY_WHY_SIZE 256

/* What store_copy_run did, table by table. */
struct store_copy_result {
    size_t n_tables;
    struct {
        const char *name; /* static */
        int64_t rows;     /* rows in the source = rows in the target */
    } tables[STORE_COPY_MAX_TABLES];
    int64_t rows; /* in all */
    /* When the copy was refused or a check failed: what, in words, for
     * the operator (never a value of a row). */
    char why[STORE_COPY_WHY_SIZE];
};

/* The tables a copy copies, in the order it copies them (foreign keys
 * first), NULL-terminated. Static. */
const char *const *store_copy_table_names(void);

/* Whether the schema's table `name` is one a copy leaves out (migration
 * bookkeeping, report aggregates). */
bool store_copy_is_skipped(const char *name);

/*
 * Whether `dst` is a fresh compel database: every copied table empty but
 * for the rows its migrations seed (the federal calendar), and no table
 * the copy does not know. Call it inside a transaction on dst.
 * STORE_ONE_RESULT when fresh; STORE_NO_RESULTS when not, with the reason
 * in why (`size` bytes, NUL-terminated); or an error.
 */
enum store_rc store_copy_check_fresh(struct store *dst, char *why, size_t size);

/*
 * Copy every table of `src` into the fresh database `dst` (see the top of
 * this file), counting every table on both sides. Call it inside a read
 * transaction on src (one snapshot) and a write transaction on dst (all or
 * nothing). *out is written. STORE_ONE_RESULT when every row arrived and the
 * counts agree; STORE_NO_RESULTS when the copy was refused or a check failed
 * (dst not fresh, a table or column on one side only, counts that differ), with
 * out->why saying which: the caller must then roll dst back; or an error
 * of either store (logged; out->why names the table).
 */
enum store_rc store_copy_run(struct store *src,
                             struct store *dst,
                             struct store_copy_result *out);

/* ---- the operations, one by one (store_copy_ops) -----------------------*/

/* The wrappers of store_copy_ops: asserts and fault injection, then the
 * backend. A backend without the group gives STORE_HARD_ERROR. */
int store_copy_tables(struct store *s, store_copy_name_cb cb, void *cls);
int store_copy_columns(struct store *s,
                       const char *table,
                       store_copy_name_cb cb,
                       void *cls);
enum store_rc store_copy_count(struct store *s, const char *table, int64_t *n);
int store_copy_read(struct store *s,
                    const char *table,
                    const char *const *cols,
                    size_t n_cols,
                    const char *const *order,
                    size_t n_order,
                    store_copy_row_cb cb,
                    void *cls);
enum store_rc store_copy_insert(struct store *s,
                                const char *table,
                                const char *const *cols,
                                size_t n_cols,
                                const struct store_copy_value *rows,
                                size_t n_rows);
enum store_rc store_copy_update(struct store *s,
                                const char *table,
                                const char *key,
                                const char *col,
                                const struct store_copy_value *pairs,
                                size_t n);
enum store_rc store_copy_clear(struct store *s, const char *table);

#endif
