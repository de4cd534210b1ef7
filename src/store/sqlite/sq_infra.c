/*
 * sq_infra.c: the SQLite implementation of store_infra.h: idempotency keys
 * (the claim is one INSERT ... ON CONFLICT DO NOTHING, so of two racing
 * first requests exactly one inserts), the filtered audit list, and the
 * rate-limit counters (one INSERT ... ON CONFLICT DO UPDATE ... RETURNING
 * each).
 */
#include <string.h>

#include "core/alloc.h"
#include "store/sqlite/sqlite_int.h"

#define IDEMPOTENCY_COLS                                         \
    "user_id, key, request_hash, method, path, response_status," \
    " response_body, created_at"

static enum store_rc
sq_idempotency_get(struct store *s,
                   const char *user_id,
                   const char *key,
                   struct store_idempotency *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_IDEMPOTENCY_GET,
                                      "SELECT " IDEMPOTENCY_COLS
                                      " FROM idempotency_keys"
                                      " WHERE user_id = ? AND key = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, user_id);
    sq_bind_text(&b, key);
    rc = sq_run_read(ss, &b, "idempotency_get");
    if (rc == STORE_ONE_RESULT) {
        struct sq_cols c = {b.st, 0};
        struct store_idempotency r;

        memset(&r, 0, sizeof r);
        sq_col_id(&c, r.user_id, sizeof r.user_id);
        r.key = sq_col_text(&c);
        sq_col_hash(&c, r.request_hash);
        r.method = sq_col_text(&c);
        r.path = sq_col_text(&c);
        r.status = (int)sq_col_int(&c);
        r.body = sq_col_text(&c);
        r.created_at = sq_col_int(&c);
        sq_stmt_done(b.st);
        *out = r;
    }
    return rc;
}

static enum store_rc
sq_idempotency_insert(struct store *s, const struct store_idempotency *r)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_IDEMPOTENCY_INSERT,
                    "INSERT INTO idempotency_keys (" IDEMPOTENCY_COLS ")"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};

    sq_bind_id(&b, r->user_id);
    sq_bind_text(&b, r->key);
    sq_bind_bytes(&b, r->request_hash, STORE_HASH_SIZE);
    sq_bind_text(&b, r->method);
    sq_bind_text(&b, r->path);
    if (r->status)
        sq_bind_int(&b, r->status);
    else
        sq_bind_text(&b, NULL);
    sq_bind_text(&b, r->body);
    sq_bind_int(&b, r->created_at);
    return sq_run_write(ss, &b, "idempotency_insert");
}

static enum store_rc
sq_idempotency_set_response(struct store *s,
                            const char *user_id,
                            const char *key,
                            int status,
                            const char *body)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_IDEMPOTENCY_SET_RESPONSE,
                    "UPDATE idempotency_keys SET response_status = ?,"
                    " response_body = ? WHERE user_id = ? AND key = ?"),
        0, SQLITE_OK};

    sq_bind_int(&b, status);
    sq_bind_text(&b, body);
    sq_bind_text(&b, user_id);
    sq_bind_text(&b, key);
    return sq_run_write(ss, &b, "idempotency_set_response");
}

static int
sq_idempotency_delete_before(struct store *s, int64_t cutoff)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_IDEMPOTENCY_DELETE_BEFORE,
                    "DELETE FROM idempotency_keys WHERE created_at < ?"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_int(&b, cutoff);
    rc = sq_run_write(ss, &b, "idempotency_delete_before");
    if (rc < 0)
        return rc;
    return sqlite3_changes(ss->db);
}

struct audit_list {
    store_audit_cb cb;
    void *cls;
};

static void
audit_row(sqlite3_stmt *st, void *ctx)
{
    struct audit_list *l = ctx;
    struct store_audit a;

    sq_read_audit(st, &a);
    l->cb(l->cls, &a);
    store_audit_release(&a);
}

static int
sq_audit_list(struct store *s,
              const struct store_audit_filter *filter,
              int64_t after_seq,
              int limit,
              store_audit_cb cb,
              void *cls)
{
    static const struct store_audit_filter none = {NULL, NULL, NULL, 0, 0};
    const struct store_audit_filter *f = filter ? filter : &none;
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_AUDIT_LIST,
                                      "SELECT " AUDIT_COLS
                                      " FROM audit WHERE seq > ?1"
                                      " AND (?2 IS NULL OR actor_id = ?2)"
                                      " AND (?3 IS NULL OR object_kind = ?3)"
                                      " AND (?4 IS NULL OR object_id = ?4)"
                                      " AND (?5 IS NULL OR at >= ?5)"
                                      " AND (?6 IS NULL OR at < ?6)"
                                      " ORDER BY seq LIMIT ?7"),
                          0, SQLITE_OK};
    struct audit_list l = {cb, cls};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_int(&b, after_seq);
    sq_bind_id(&b, f->actor_id);
    sq_bind_id(&b, f->object_kind);
    sq_bind_id(&b, f->object_id);
    sq_bind_time(&b, f->from_us);
    sq_bind_time(&b, f->to_us);
    sq_bind_int(&b, limit);
    return sq_run_list(ss, &b, "audit_list", audit_row, &l);
}

/* One statement: of two connections counting in one bucket, the second
 * waits for the first's write lock and then sees its count. SET reads the
 * row as it was before the update. */
static enum store_rc
sq_rate_hit(struct store *s,
            const char *bucket,
            int64_t window_start,
            int64_t now,
            int64_t *count)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_RATE_HIT,
                    "INSERT INTO rate_limits (bucket, window_start, count,"
                    " updated_at) VALUES (?1, ?2, 1, ?3)"
                    " ON CONFLICT (bucket) DO UPDATE SET"
                    " count = CASE WHEN excluded.window_start >"
                    " rate_limits.window_start THEN 1"
                    " ELSE rate_limits.count + 1 END,"
                    " window_start = max(rate_limits.window_start,"
                    " excluded.window_start),"
                    " updated_at = excluded.updated_at"
                    " RETURNING count"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, bucket);
    sq_bind_int(&b, window_start);
    sq_bind_int(&b, now);
    rc = sq_run_read(ss, &b, "rate_hit");
    if (rc == STORE_ONE_RESULT)
        rc = sq_finish_returning(ss, b.st, "rate_hit", count);
    else if (rc == STORE_NO_RESULTS)
        rc = STORE_HARD_ERROR;
    return rc;
}

static int
sq_rate_delete_before(struct store *s, int64_t cutoff)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_RATE_DELETE_BEFORE,
                    "DELETE FROM rate_limits WHERE window_start < ?"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_int(&b, cutoff);
    rc = sq_run_write(ss, &b, "rate_delete_before");
    if (rc < 0)
        return rc;
    return sqlite3_changes(ss->db);
}

const struct store_infra_ops sq_infra_ops = {
    .idempotency_get = sq_idempotency_get,
    .idempotency_insert = sq_idempotency_insert,
    .idempotency_set_response = sq_idempotency_set_response,
    .idempotency_delete_before = sq_idempotency_delete_before,
    .audit_list = sq_audit_list,
    .rate_hit = sq_rate_hit,
    .rate_delete_before = sq_rate_delete_before,
};
