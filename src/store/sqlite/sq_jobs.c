/*
 * sq_jobs.c: the SQLite implementation of store_jobs.h: the job queue,
 * deliveries, webhooks and calendar feed tokens.
 *
 * A claim is one UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING,
 * run inside the caller's write transaction (BEGIN IMMEDIATE): SQLite has
 * one writer at a time, so two workers never see the same job as
 * claimable. Natural keys are UNIQUE columns written with ON CONFLICT DO
 * NOTHING, so "already there" is STORE_NO_RESULTS, not an error.
 */
#include <string.h>

#include "core/alloc.h"
#include "store/sqlite/sqlite_int.h"

#define JOB_COLS                                                         \
    "id, version, created_at, updated_at, kind, payload, unique_key,"    \
    " run_at, claimed_by, claimed_until, attempts, last_error, done_at," \
    " dead"

#define DELIVERY_COLS "id, key, job_id, channel, recipient_id, status, at"

#define WEBHOOK_COLS                                                    \
    "id, version, created_at, updated_at, org_id, url, events, secret," \
    " created_by, deleted_at"

/* ---- jobs --------------------------------------------------------------*/

static void
read_job(sqlite3_stmt *st, struct store_job *j)
{
    struct sq_cols c = {st, 0};

    memset(j, 0, sizeof *j);
    sq_col_id(&c, j->id, sizeof j->id);
    j->version = sq_col_int(&c);
    j->created_at = sq_col_int(&c);
    j->updated_at = sq_col_int(&c);
    j->kind = sq_col_text(&c);
    j->payload = sq_col_text(&c);
    j->unique_key = sq_col_text(&c);
    j->run_at = sq_col_int(&c);
    j->claimed_by = sq_col_text(&c);
    j->claimed_until = sq_col_int(&c);
    j->attempts = sq_col_int(&c);
    j->last_error = sq_col_text(&c);
    j->done_at = sq_col_int(&c);
    j->dead = sq_col_int(&c) != 0;
}

struct job_list {
    store_job_cb cb;
    void *cls;
};

static void
job_row(sqlite3_stmt *st, void *ctx)
{
    struct job_list *l = ctx;
    struct store_job j;

    read_job(st, &j);
    l->cb(l->cls, &j);
    store_job_release(&j);
}

static enum store_rc
sq_job_insert(struct store *s, const struct store_job *j)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_JOB_INSERT,
                    "INSERT INTO jobs (id, version, created_at, updated_at,"
                    " kind, payload, unique_key, run_at, attempts, dead)"
                    " VALUES (?, 1, ?, ?, ?, ?, ?, ?, 0, 0)"
                    " ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};

    sq_bind_id(&b, j->id);
    sq_bind_int(&b, j->created_at);
    sq_bind_int(&b, j->updated_at);
    sq_bind_text(&b, j->kind);
    sq_bind_text(&b, j->payload);
    sq_bind_text(&b, j->unique_key);
    sq_bind_int(&b, j->run_at);
    return sq_run_write(ss, &b, "job_insert");
}

static enum store_rc
sq_job_get(struct store *s, const char *id, struct store_job *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_JOB_GET,
                                      "SELECT " JOB_COLS
                                      " FROM jobs WHERE id = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, id);
    rc = sq_run_read(ss, &b, "job_get");
    if (rc == STORE_ONE_RESULT) {
        read_job(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

static int
sq_job_claim(struct store *s,
             const char *worker,
             int64_t now,
             int64_t lease_until,
             int limit,
             store_job_cb cb,
             void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_JOB_CLAIM,
                    "UPDATE jobs SET claimed_by = ?1, claimed_until = ?3,"
                    " version = version + 1, updated_at = ?2"
                    " WHERE id IN (SELECT id FROM jobs"
                    "  WHERE done_at IS NULL AND dead = 0 AND run_at <= ?2"
                    "  AND (claimed_until IS NULL OR claimed_until <= ?2)"
                    "  ORDER BY run_at, id LIMIT ?4)"
                    " RETURNING " JOB_COLS),
        0, SQLITE_OK};
    struct job_list l = {cb, cls};

    sq_bind_text(&b, worker);
    sq_bind_int(&b, now);
    sq_bind_int(&b, lease_until);
    sq_bind_int(&b, limit);
    return sq_run_list(ss, &b, "job_claim", job_row, &l);
}

static enum store_rc
sq_job_complete(struct store *s,
                const char *id,
                const char *worker,
                int64_t now)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_JOB_COMPLETE,
                    "UPDATE jobs SET done_at = ?3, updated_at = ?3,"
                    " claimed_by = NULL, claimed_until = NULL,"
                    " version = version + 1"
                    " WHERE id = ?1 AND claimed_by = ?2 AND done_at IS NULL"
                    " AND dead = 0"),
        0, SQLITE_OK};

    sq_bind_text(&b, id);
    sq_bind_text(&b, worker);
    sq_bind_int(&b, now);
    return sq_run_write(ss, &b, "job_complete");
}

static enum store_rc
sq_job_fail(struct store *s,
            const char *id,
            const char *worker,
            int64_t now,
            int64_t next_run_at,
            const char *error)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_JOB_FAIL,
                    "UPDATE jobs SET attempts = attempts + 1,"
                    " last_error = ?5, updated_at = ?3,"
                    " claimed_by = NULL, claimed_until = NULL,"
                    " run_at = CASE WHEN ?4 > 0 THEN ?4 ELSE run_at END,"
                    " dead = CASE WHEN ?4 > 0 THEN 0 ELSE 1 END,"
                    " version = version + 1"
                    " WHERE id = ?1 AND claimed_by = ?2 AND done_at IS NULL"
                    " AND dead = 0"),
        0, SQLITE_OK};

    sq_bind_text(&b, id);
    sq_bind_text(&b, worker);
    sq_bind_int(&b, now);
    sq_bind_int(&b, next_run_at);
    sq_bind_text(&b, error);
    return sq_run_write(ss, &b, "job_fail");
}

static enum store_rc
sq_job_retry(struct store *s, const char *id, int64_t now)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_JOB_RETRY,
                    "UPDATE jobs SET dead = 0, attempts = 0, run_at = ?2,"
                    " updated_at = ?2, claimed_by = NULL,"
                    " claimed_until = NULL, version = version + 1"
                    " WHERE id = ?1 AND dead = 1 AND done_at IS NULL"),
        0, SQLITE_OK};

    sq_bind_text(&b, id);
    sq_bind_int(&b, now);
    return sq_run_write(ss, &b, "job_retry");
}

static int
sq_job_list(struct store *s,
            enum store_job_state state,
            const struct store_cursor *after,
            int limit,
            store_job_cb cb,
            void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_JOB_LIST,
                    "SELECT " JOB_COLS " FROM jobs WHERE"
                    " (?1 = 0"
                    "  OR (?1 = 1 AND done_at IS NULL AND dead = 0)"
                    "  OR (?1 = 2 AND dead = 1)"
                    "  OR (?1 = 3 AND done_at IS NOT NULL))"
                    " AND (?2 IS NULL OR (created_at, id) < (?2, ?3))"
                    " ORDER BY created_at DESC, id DESC LIMIT ?4"),
        0, SQLITE_OK};
    struct job_list l = {cb, cls};

    sq_bind_int(&b, (int64_t)state);
    if (after && after->id[0]) {
        sq_bind_int(&b, after->created_at);
        sq_bind_text(&b, after->id);
    } else {
        sq_bind_text(&b, NULL);
        sq_bind_text(&b, NULL);
    }
    sq_bind_int(&b, limit);
    return sq_run_list(ss, &b, "job_list", job_row, &l);
}

/* ---- deliveries --------------------------------------------------------*/

static enum store_rc
sq_delivery_insert(struct store *s, const struct store_delivery *d)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_DELIVERY_INSERT,
                                      "INSERT INTO deliveries (" DELIVERY_COLS
                                      ") VALUES (?, ?, ?, ?, ?, ?, ?)"
                                      " ON CONFLICT DO NOTHING"),
                          0, SQLITE_OK};

    sq_bind_id(&b, d->id);
    sq_bind_text(&b, d->key);
    sq_bind_id(&b, d->job_id);
    sq_bind_text(&b, d->channel);
    sq_bind_id(&b, d->recipient_id);
    sq_bind_text(&b, d->status);
    sq_bind_int(&b, d->at);
    return sq_run_write(ss, &b, "delivery_insert");
}

static enum store_rc
sq_delivery_get_by_key(struct store *s,
                       const char *key,
                       struct store_delivery *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_DELIVERY_GET_BY_KEY,
                                      "SELECT " DELIVERY_COLS
                                      " FROM deliveries WHERE key = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, key);
    rc = sq_run_read(ss, &b, "delivery_get_by_key");
    if (rc == STORE_ONE_RESULT) {
        struct sq_cols c = {b.st, 0};
        struct store_delivery d;

        memset(&d, 0, sizeof d);
        sq_col_id(&c, d.id, sizeof d.id);
        d.key = sq_col_text(&c);
        sq_col_id(&c, d.job_id, sizeof d.job_id);
        d.channel = sq_col_text(&c);
        sq_col_id(&c, d.recipient_id, sizeof d.recipient_id);
        d.status = sq_col_text(&c);
        d.at = sq_col_int(&c);
        sq_stmt_done(b.st);
        *out = d;
    }
    return rc;
}

/* ---- webhooks ----------------------------------------------------------*/

static void
read_webhook(sqlite3_stmt *st, struct store_webhook *w)
{
    struct sq_cols c = {st, 0};

    memset(w, 0, sizeof *w);
    sq_col_id(&c, w->id, sizeof w->id);
    w->version = sq_col_int(&c);
    w->created_at = sq_col_int(&c);
    w->updated_at = sq_col_int(&c);
    sq_col_id(&c, w->org_id, sizeof w->org_id);
    w->url = sq_col_text(&c);
    w->events = sq_col_text(&c);
    w->secret = sq_col_blob(&c);
    sq_col_id(&c, w->created_by, sizeof w->created_by);
    w->deleted_at = sq_col_int(&c);
}

struct webhook_list {
    store_webhook_cb cb;
    void *cls;
};

static void
webhook_row(sqlite3_stmt *st, void *ctx)
{
    struct webhook_list *l = ctx;
    struct store_webhook w;

    read_webhook(st, &w);
    l->cb(l->cls, &w);
    store_webhook_release(&w);
}

static enum store_rc
sq_webhook_insert(struct store *s, const struct store_webhook *w)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_WEBHOOK_INSERT,
                    "INSERT INTO webhooks (" WEBHOOK_COLS ")"
                    " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, NULL)"
                    " ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};

    sq_bind_id(&b, w->id);
    sq_bind_int(&b, w->created_at);
    sq_bind_int(&b, w->updated_at);
    sq_bind_id(&b, w->org_id);
    sq_bind_text(&b, w->url);
    sq_bind_text(&b, w->events);
    sq_bind_blob(&b, &w->secret);
    sq_bind_id(&b, w->created_by);
    return sq_run_write(ss, &b, "webhook_insert");
}

static enum store_rc
sq_webhook_get(struct store *s, const char *id, struct store_webhook *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_WEBHOOK_GET,
                                      "SELECT " WEBHOOK_COLS
                                      " FROM webhooks WHERE id = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, id);
    rc = sq_run_read(ss, &b, "webhook_get");
    if (rc == STORE_ONE_RESULT) {
        read_webhook(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

static int
sq_webhook_list(struct store *s,
                const struct store_cursor *after,
                int limit,
                store_webhook_cb cb,
                void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_WEBHOOK_LIST,
                    "SELECT " WEBHOOK_COLS " FROM webhooks"
                    " WHERE deleted_at IS NULL"
                    " AND (?1 IS NULL OR (created_at, id) < (?1, ?2))"
                    " ORDER BY created_at DESC, id DESC LIMIT ?3"),
        0, SQLITE_OK};
    struct webhook_list l = {cb, cls};

    if (after && after->id[0]) {
        sq_bind_int(&b, after->created_at);
        sq_bind_text(&b, after->id);
    } else {
        sq_bind_text(&b, NULL);
        sq_bind_text(&b, NULL);
    }
    sq_bind_int(&b, limit);
    return sq_run_list(ss, &b, "webhook_list", webhook_row, &l);
}

static int
sq_webhook_list_for_orgs(struct store *s,
                         const char *org_a,
                         const char *org_b,
                         const char *org_c,
                         store_webhook_cb cb,
                         void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_WEBHOOK_LIST_FOR_ORGS,
                    "SELECT " WEBHOOK_COLS " FROM webhooks"
                    " WHERE deleted_at IS NULL AND org_id IN (?, ?, ?)"
                    " ORDER BY created_at, id"),
        0, SQLITE_OK};
    struct webhook_list l = {cb, cls};

    sq_bind_id(&b, org_a ? org_a : "");
    sq_bind_id(&b, org_b ? org_b : "");
    sq_bind_id(&b, org_c ? org_c : "");
    return sq_run_list(ss, &b, "webhook_list_for_orgs", webhook_row, &l);
}

static enum store_rc
sq_webhook_delete(struct store *s, const char *id, int64_t now)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_WEBHOOK_DELETE,
                    "UPDATE webhooks SET deleted_at = ?2, updated_at = ?2,"
                    " version = version + 1"
                    " WHERE id = ?1 AND deleted_at IS NULL"),
        0, SQLITE_OK};

    sq_bind_text(&b, id);
    sq_bind_int(&b, now);
    return sq_run_write(ss, &b, "webhook_delete");
}

/* ---- feed tokens -------------------------------------------------------*/

static enum store_rc
sq_feed_token_set(struct store *s,
                  const char *user_id,
                  const unsigned char token_hash[STORE_HASH_SIZE],
                  int64_t now)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_FEED_TOKEN_SET,
                    "INSERT INTO feed_tokens (user_id, token_hash,"
                    " created_at, revoked_at) VALUES (?1, ?2, ?3, NULL)"
                    " ON CONFLICT (user_id) DO UPDATE SET"
                    " token_hash = excluded.token_hash,"
                    " created_at = excluded.created_at, revoked_at = NULL"
                    " WHERE NOT EXISTS (SELECT 1 FROM feed_tokens f"
                    "  WHERE f.token_hash = excluded.token_hash)"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_id(&b, user_id);
    sq_bind_bytes(&b, token_hash, STORE_HASH_SIZE);
    sq_bind_int(&b, now);
    rc = sq_run_write(ss, &b, "feed_token_set");
    /* A hash taken by another user's row fails the UNIQUE constraint on a
     * plain insert: that is "taken", not a broken database. */
    if (rc == STORE_HARD_ERROR &&
        sqlite3_extended_errcode(ss->db) == SQLITE_CONSTRAINT_UNIQUE)
        rc = STORE_NO_RESULTS;
    return rc;
}

static enum store_rc
sq_feed_token_revoke(struct store *s, const char *user_id, int64_t now)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_FEED_TOKEN_REVOKE,
                    "UPDATE feed_tokens SET revoked_at = ?2"
                    " WHERE user_id = ?1 AND revoked_at IS NULL"),
        0, SQLITE_OK};

    sq_bind_text(&b, user_id);
    sq_bind_int(&b, now);
    return sq_run_write(ss, &b, "feed_token_revoke");
}

static enum store_rc
sq_feed_token_user(struct store *s,
                   const unsigned char token_hash[STORE_HASH_SIZE],
                   char user_id[STORE_ID_SIZE])
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_FEED_TOKEN_USER,
                    "SELECT user_id FROM feed_tokens"
                    " WHERE token_hash = ? AND revoked_at IS NULL"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_bytes(&b, token_hash, STORE_HASH_SIZE);
    rc = sq_run_read(ss, &b, "feed_token_user");
    if (rc == STORE_ONE_RESULT) {
        struct sq_cols c = {b.st, 0};

        sq_col_id(&c, user_id, STORE_ID_SIZE);
        sq_stmt_done(b.st);
    }
    return rc;
}

const struct store_jobs_ops sq_jobs_ops = {
    .job_insert = sq_job_insert,
    .job_get = sq_job_get,
    .job_claim = sq_job_claim,
    .job_complete = sq_job_complete,
    .job_fail = sq_job_fail,
    .job_retry = sq_job_retry,
    .job_list = sq_job_list,
    .delivery_insert = sq_delivery_insert,
    .delivery_get_by_key = sq_delivery_get_by_key,
    .webhook_insert = sq_webhook_insert,
    .webhook_get = sq_webhook_get,
    .webhook_list = sq_webhook_list,
    .webhook_list_for_orgs = sq_webhook_list_for_orgs,
    .webhook_delete = sq_webhook_delete,
    .feed_token_set = sq_feed_token_set,
    .feed_token_revoke = sq_feed_token_revoke,
    .feed_token_user = sq_feed_token_user,
};
