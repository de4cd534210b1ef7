/*
 * pg_keys.c: the PostgreSQL implementation of store_keys.h: the sealed
 * values key rotation re-seals, with the statements of sq_keys.c in
 * PostgreSQL's dialect, built from the same table of sealed columns.
 *
 * Statements are numbered from PG_STMT_BASE_KEYS: one per operation and
 * kind, so each id always names the same text. The rows a rotation batch
 * reads are locked FOR UPDATE until its transaction ends, and each update
 * still checks that the values are those it read. The signing keys' guard
 * trigger is disabled around the one UPDATE that re-seals a key
 * (ALTER TABLE ... DISABLE/ENABLE TRIGGER: transactional, needs the
 * table's owner, which is the role that ran `compel migrate`).
 */
#include <string.h>

#include "core/buf.h"
#include "store/postgres/pg_int.h"

enum {
    PG_KEYS_LIST = 0,
    PG_KEYS_UPDATE = 1,
    PG_KEYS_COUNT = 2,
    PG_KEYS_LIST_LOCKED = 3,
    PG_KEYS__OPS = 4
};

/* 940 ... 959: pg_retention.c numbers its statements from 970. */
_Static_assert((int)PG_STMT_BASE_KEYS + PG_KEYS__OPS * STORE_SEALED__COUNT <=
                   960,
               "the keys statements overrun their range");

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

static int
stmt_id(int op, enum store_sealed_kind kind)
{
    return PG_STMT_BASE_KEYS + op * STORE_SEALED__COUNT + (int)kind;
}

static size_t
n_indexes(enum store_sealed_kind kind)
{
    return kind == STORE_SEALED_PEOPLE ? STORE_SEALED_INDEXES : 0;
}

struct list_ctx {
    enum store_sealed_kind kind;
    store_sealed_cb cb;
    void *cls;
};

static void
read_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct pg_cols c = {r, row, 0};
    struct store_sealed_row sr;

    memset(&sr, 0, sizeof sr);
    pg_col_id(&c, sr.key, sizeof sr.key);
    pg_col_id(&c, sr.record_id, sizeof sr.record_id);
    for (size_t i = 0; i < store_sealed_values(l->kind); i++)
        sr.values[i] = pg_col_blob(&c);
    for (size_t i = 0; i < n_indexes(l->kind); i++)
        sr.indexes[i] = pg_col_blob(&c);
    l->cb(l->cls, &sr);
    store_sealed_row_release(&sr);
}

static int
pg_sealed_list_stale(struct store *s,
                     enum store_sealed_kind kind,
                     unsigned key_id,
                     const char *after,
                     int limit,
                     store_sealed_cb cb,
                     void *cls)
{
    struct pg_store *ps = pg_to_pg(s);
    const struct kind_sql *k = &kinds[kind];
    unsigned char id = (unsigned char)key_id;
    struct list_ctx l = {kind, cb, cls};
    bool lock = ps->in_block && ps->tx_write;
    struct pg_params p = {0};
    struct buf sql = BUF_INIT;
    int n;

    buf_addf(&sql, "SELECT %s, %s", k->key, k->record);
    for (size_t i = 0; i < store_sealed_values(kind); i++)
        buf_addf(&sql, ", %s", k->values[i]);
    for (size_t i = 0; i < n_indexes(kind); i++)
        buf_addf(&sql, ", %s", k->indexes[i]);
    buf_addf(&sql, " FROM %s WHERE %s > $3 AND (", k->table, k->key);
    for (size_t i = 0; i < store_sealed_values(kind); i++)
        buf_addf(&sql,
                 "%s(%s IS NOT NULL AND substring(%s from 2 for 1) <> $1)",
                 i ? " OR " : "", k->values[i], k->values[i]);
    buf_addf(&sql, ") ORDER BY %s LIMIT $2", k->key);
    /* Lock the rows read only inside a write transaction (begin_read's
     * REPEATABLE READ would make FOR UPDATE a write). */
    if (lock)
        buf_adds(&sql, " FOR UPDATE");
    pg_bind_bytes(&p, &id, 1);
    pg_bind_int(&p, limit);
    pg_bind_text(&p, after);
    n = pg_run_list(ps,
                    stmt_id(lock ? PG_KEYS_LIST_LOCKED : PG_KEYS_LIST, kind),
                    buf_str(&sql), &p, "sealed_list_stale", read_row, &l);
    buf_release(&sql);
    return n;
}

static enum store_rc
update_row(struct pg_store *ps,
           enum store_sealed_kind kind,
           const struct store_sealed_row *old,
           const struct store_sealed_row *now)
{
    const struct kind_sql *k = &kinds[kind];
    size_t nv = store_sealed_values(kind);
    size_t ni = n_indexes(kind);
    struct pg_params p = {0};
    struct buf sql = BUF_INIT;
    enum store_rc rc;
    int at = 1;

    buf_addf(&sql, "UPDATE %s SET", k->table);
    for (size_t i = 0; i < nv; i++)
        buf_addf(&sql, "%s %s = $%d", i ? "," : "", k->values[i], at++);
    for (size_t i = 0; i < ni; i++)
        buf_addf(&sql, ", %s = $%d", k->indexes[i], at++);
    buf_addf(&sql, " WHERE %s = $%d", k->key, at++);
    for (size_t i = 0; i < nv; i++)
        buf_addf(&sql, " AND %s IS NOT DISTINCT FROM $%d::bytea", k->values[i],
                 at++);
    for (size_t i = 0; i < nv; i++)
        pg_bind_blob(&p, &now->values[i]);
    for (size_t i = 0; i < ni; i++)
        pg_bind_blob(&p, &now->indexes[i]);
    pg_bind_text(&p, now->key);
    for (size_t i = 0; i < nv; i++)
        pg_bind_blob(&p, &old->values[i]);
    rc = pg_run_write(ps, stmt_id(PG_KEYS_UPDATE, kind), buf_str(&sql), &p,
                      "sealed_update");
    buf_release(&sql);
    return rc;
}

static enum store_rc
pg_sealed_update(struct store *s,
                 enum store_sealed_kind kind,
                 const struct store_sealed_row *old,
                 const struct store_sealed_row *now)
{
    struct pg_store *ps = pg_to_pg(s);
    enum store_rc rc;
    enum store_rc again;

    if (kind != STORE_SEALED_SIGNING_KEY)
        return update_row(ps, kind, old, now);
    rc = pg_run_fixed(
        ps, "ALTER TABLE signing_keys DISABLE TRIGGER " SIGNING_GUARD);
    if (rc < 0)
        return rc;
    rc = update_row(ps, kind, old, now);
    again = pg_run_fixed(
        ps, "ALTER TABLE signing_keys ENABLE TRIGGER " SIGNING_GUARD);
    return again < 0 ? again : rc;
}

struct count_ctx {
    int64_t *by_id;
};

static void
read_count(const PGresult *r, int row, void *ctx)
{
    struct count_ctx *c = ctx;
    struct pg_cols col = {r, row, 0};
    struct store_blob id = pg_col_blob(&col);
    int64_t n = pg_col_int(&col);

    c->by_id[id.len == 1 && id.data ? id.data[0] : 0] += n;
    store_blob_release(&id);
}

static enum store_rc
pg_sealed_count(struct store *s,
                enum store_sealed_kind kind,
                int64_t by_id[256])
{
    struct pg_store *ps = pg_to_pg(s);
    const struct kind_sql *k = &kinds[kind];
    struct count_ctx c = {by_id};
    struct buf sql = BUF_INIT;
    int n;

    buf_adds(&sql, "SELECT substring(v from 2 for 1), count(*) FROM (");
    for (size_t i = 0; i < store_sealed_values(kind); i++)
        buf_addf(&sql, "%sSELECT %s AS v FROM %s", i ? " UNION ALL " : "",
                 k->values[i], k->table);
    buf_adds(&sql, ") AS sealed WHERE v IS NOT NULL GROUP BY 1");
    n = pg_run_list(ps, stmt_id(PG_KEYS_COUNT, kind), buf_str(&sql), NULL,
                    "sealed_count", read_count, &c);
    buf_release(&sql);
    return n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
}

const struct store_keys_ops pg_keys_ops = {
    .sealed_list_stale = pg_sealed_list_stale,
    .sealed_update = pg_sealed_update,
    .sealed_count = pg_sealed_count,
};
