/*
 * pg_infra.c: the PostgreSQL implementation of store_infra.h: idempotency
 * keys, the filtered audit list and the rate-limit counters. The
 * statements are those of sq_infra.c in PostgreSQL's dialect.
 *
 * Several servers share the keys: the claim is one INSERT ... ON CONFLICT
 * DO NOTHING, so of two servers claiming the same (user, key) at once the
 * second waits for the first's transaction on the primary key, then
 * inserts nothing and answers STORE_NO_RESULTS (or inserts after all, if
 * the first rolled back): exactly one wins, and nothing aborts the
 * loser's transaction. The response body is kept as bytes (BYTEA, as on
 * SQLite a BLOB column), bound in binary so that no byte of it is
 * interpreted, and read back as text.
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "store/postgres/pg_int.h"

enum {
    PG_IDEMPOTENCY_GET = PG_STMT_BASE_INFRA,
    PG_IDEMPOTENCY_INSERT,
    PG_IDEMPOTENCY_SET_RESPONSE,
    PG_IDEMPOTENCY_DELETE_BEFORE,
    PG_AUDIT_LIST,
    PG_RATE_HIT,
    PG_RATE_DELETE_BEFORE,
    PG_INFRA__END
};

_Static_assert((int)PG_INFRA__END <= (int)PG_STMT_BASE_JOBS,
               "the infra statements overrun the next group's base");

#define IDEMPOTENCY_COLS                                         \
    "user_id, key, request_hash, method, path, response_status," \
    " response_body, created_at"

/* The columns of the audit trail, as postgres_store.c reads them. */
#define AUDIT_COLS                                                        \
    "seq, at, actor_id, org_id, role, session_hash, client_addr, action," \
    " object_kind, object_id, outcome, detail, prev_hash, hash"

/* Bind a response body as bytes; NULL as NULL. */
static void
bind_body(struct pg_params *p, const char *body)
{
    if (body)
        pg_bind_bytes(p, body, strlen(body));
    else
        pg_bind_text(p, NULL);
}

/* Read a body kept as bytes into a string (NULL for NULL). */
static char *
col_body(struct pg_cols *c)
{
    struct store_blob b = pg_col_blob(c);
    char *v = b.data ? cm_strndup((const char *)b.data, b.len) : NULL;

    store_blob_release(&b);
    return v;
}

static void
read_idempotency_row(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};
    struct store_idempotency *out = ctx;

    memset(out, 0, sizeof *out);
    pg_col_id(&c, out->user_id, sizeof out->user_id);
    out->key = pg_col_text(&c);
    pg_col_hash(&c, out->request_hash);
    out->method = pg_col_text(&c);
    out->path = pg_col_text(&c);
    out->status = (int)pg_col_int(&c);
    out->body = col_body(&c);
    out->created_at = pg_col_int(&c);
}

static enum store_rc
pg_idempotency_get(struct store *s,
                   const char *user_id,
                   const char *key,
                   struct store_idempotency *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, user_id);
    pg_bind_text(&p, key);
    return pg_run_read(pg_to_pg(s), PG_IDEMPOTENCY_GET,
                       "SELECT " IDEMPOTENCY_COLS " FROM idempotency_keys"
                       " WHERE user_id = $1 AND key = $2",
                       &p, "idempotency_get", read_idempotency_row, out);
}

static enum store_rc
pg_idempotency_insert(struct store *s, const struct store_idempotency *r)
{
    struct pg_params p = {0};

    pg_bind_id(&p, r->user_id);
    pg_bind_text(&p, r->key);
    pg_bind_bytes(&p, r->request_hash, STORE_HASH_SIZE);
    pg_bind_text(&p, r->method);
    pg_bind_text(&p, r->path);
    if (r->status)
        pg_bind_int(&p, r->status);
    else
        pg_bind_text(&p, NULL);
    bind_body(&p, r->body);
    pg_bind_int(&p, r->created_at);
    return pg_run_write(pg_to_pg(s), PG_IDEMPOTENCY_INSERT,
                        "INSERT INTO idempotency_keys (" IDEMPOTENCY_COLS ")"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                        " ON CONFLICT DO NOTHING",
                        &p, "idempotency_insert");
}

static enum store_rc
pg_idempotency_set_response(struct store *s,
                            const char *user_id,
                            const char *key,
                            int status,
                            const char *body)
{
    struct pg_params p = {0};

    pg_bind_int(&p, status);
    bind_body(&p, body);
    pg_bind_text(&p, user_id);
    pg_bind_text(&p, key);
    return pg_run_write(pg_to_pg(s), PG_IDEMPOTENCY_SET_RESPONSE,
                        "UPDATE idempotency_keys SET response_status = $1,"
                        " response_body = $2 WHERE user_id = $3 AND key = $4",
                        &p, "idempotency_set_response");
}

static int
pg_idempotency_delete_before(struct store *s, int64_t cutoff)
{
    struct pg_params p = {0};
    enum store_rc rc;
    PGresult *r;
    const char *n;
    int deleted;

    pg_bind_int(&p, cutoff);
    r = pg_exec(pg_to_pg(s), PG_IDEMPOTENCY_DELETE_BEFORE,
                "DELETE FROM idempotency_keys WHERE created_at < $1", &p,
                "idempotency_delete_before", 0, &rc);
    if (r == NULL)
        return rc;
    n = PQcmdTuples(r);
    deleted = n && *n ? (int)strtol(n, NULL, 10) : 0;
    PQclear(r);
    return deleted;
}

struct audit_list_ctx {
    store_audit_cb cb;
    void *cls;
};

static void
audit_row(const PGresult *r, int row, void *ctx)
{
    const struct audit_list_ctx *l = ctx;
    struct pg_cols c = {r, row, 0};
    struct store_audit a;

    memset(&a, 0, sizeof a);
    a.seq = pg_col_int(&c);
    a.at = pg_col_int(&c);
    a.actor_id = pg_col_text(&c);
    a.org_id = pg_col_text(&c);
    a.role = pg_col_text(&c);
    a.session_hash = pg_col_text(&c);
    a.client_addr = pg_col_text(&c);
    a.action = pg_col_text(&c);
    a.object_kind = pg_col_text(&c);
    a.object_id = pg_col_text(&c);
    a.outcome = pg_col_text(&c);
    a.detail = pg_col_text(&c);
    pg_col_hash(&c, a.prev_hash);
    pg_col_hash(&c, a.hash);
    l->cb(l->cls, &a);
    store_audit_release(&a);
}

static int
pg_audit_list(struct store *s,
              const struct store_audit_filter *filter,
              int64_t after_seq,
              int limit,
              store_audit_cb cb,
              void *cls)
{
    static const struct store_audit_filter none = {NULL, NULL, NULL, 0, 0};
    const struct store_audit_filter *f = filter ? filter : &none;
    struct pg_params p = {0};
    struct audit_list_ctx l = {cb, cls};

    pg_bind_int(&p, after_seq);
    pg_bind_id(&p, f->actor_id);
    pg_bind_id(&p, f->object_kind);
    pg_bind_id(&p, f->object_id);
    pg_bind_time(&p, f->from_us);
    pg_bind_time(&p, f->to_us);
    pg_bind_int(&p, limit);
    return pg_run_list(pg_to_pg(s), PG_AUDIT_LIST,
                       "SELECT " AUDIT_COLS " FROM audit WHERE seq > $1"
                       " AND ($2::text IS NULL OR actor_id = $2)"
                       " AND ($3::text IS NULL OR object_kind = $3)"
                       " AND ($4::text IS NULL OR object_id = $4)"
                       " AND ($5::bigint IS NULL OR at >= $5)"
                       " AND ($6::bigint IS NULL OR at < $6)"
                       " ORDER BY seq LIMIT $7",
                       &p, "audit_list", audit_row, &l);
}

/* One statement: of two servers counting in one bucket at once, the
 * second's ON CONFLICT waits for the first's row lock (READ COMMITTED),
 * then updates the row the first committed: no count is lost, and nothing
 * aborts. SET reads the row as it was before the update. */
static enum store_rc
pg_rate_hit(struct store *s,
            const char *bucket,
            int64_t window_start,
            int64_t now,
            int64_t *count)
{
    struct pg_params p = {0};
    enum store_rc rc;
    PGresult *r;

    pg_bind_text(&p, bucket);
    pg_bind_int(&p, window_start);
    pg_bind_int(&p, now);
    r = pg_exec(pg_to_pg(s), PG_RATE_HIT,
                "INSERT INTO rate_limits (bucket, window_start, count,"
                " updated_at) VALUES ($1, $2, 1, $3)"
                " ON CONFLICT (bucket) DO UPDATE SET"
                " count = CASE WHEN excluded.window_start >"
                " rate_limits.window_start THEN 1"
                " ELSE rate_limits.count + 1 END,"
                " window_start = greatest(rate_limits.window_start,"
                " excluded.window_start),"
                " updated_at = excluded.updated_at"
                " RETURNING count",
                &p, "rate_hit", 0, &rc);
    if (r == NULL)
        return rc;
    if (PQntuples(r) == 1) {
        struct pg_cols c = {r, 0, 0};

        *count = pg_col_int(&c);
        rc = STORE_ONE_RESULT;
    } else {
        rc = STORE_HARD_ERROR;
    }
    PQclear(r);
    return rc;
}

static int
pg_rate_delete_before(struct store *s, int64_t cutoff)
{
    struct pg_params p = {0};
    enum store_rc rc;
    PGresult *r;
    const char *n;
    int deleted;

    pg_bind_int(&p, cutoff);
    r = pg_exec(pg_to_pg(s), PG_RATE_DELETE_BEFORE,
                "DELETE FROM rate_limits WHERE window_start < $1", &p,
                "rate_delete_before", 0, &rc);
    if (r == NULL)
        return rc;
    n = PQcmdTuples(r);
    deleted = n && *n ? (int)strtol(n, NULL, 10) : 0;
    PQclear(r);
    return deleted;
}

const struct store_infra_ops pg_infra_ops = {
    .idempotency_get = pg_idempotency_get,
    .idempotency_insert = pg_idempotency_insert,
    .idempotency_set_response = pg_idempotency_set_response,
    .idempotency_delete_before = pg_idempotency_delete_before,
    .audit_list = pg_audit_list,
    .rate_hit = pg_rate_hit,
    .rate_delete_before = pg_rate_delete_before,
};
