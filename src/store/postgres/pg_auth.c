/*
 * pg_auth.c: the PostgreSQL implementation of store_auth.h: sessions, API
 * tokens and the user account operations behind sign-in, the statements
 * of sq_auth.c in PostgreSQL's dialect.
 *
 * Sessions and the login-failure counter are what several servers behind
 * a load balancer share, so every operation here is one statement that
 * is atomic on its own at READ COMMITTED: inserts are INSERT ... ON
 * CONFLICT DO NOTHING (of two servers inserting the same id or token
 * hash, one inserts and the other gets STORE_NO_RESULTS, never an error
 * that would abort the caller's transaction); every conditional update
 * (end a session not yet ended, revoke a token not yet revoked, the
 * version check, the TOTP step guard) states its condition in the WHERE
 * clause, which PostgreSQL evaluates again on the newest row version
 * after waiting for a concurrent writer, so of two servers racing, one
 * wins and the other changes nothing; and the login-failure counter is a
 * single UPDATE ... RETURNING computed from the row it has locked, so
 * concurrent failures on several servers each add exactly one and each
 * see a distinct count.
 */
#include "store/postgres/pg_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

enum {
    PG_AUTH_SESSION_INSERT = PG_STMT_BASE_AUTH,
    PG_AUTH_SESSION_GET_BY_TOKEN,
    PG_AUTH_SESSION_TOUCH,
    PG_AUTH_SESSION_END,
    PG_AUTH_SESSION_END_BY_USER,
    PG_AUTH_API_TOKEN_INSERT,
    PG_AUTH_API_TOKEN_GET_BY_HASH,
    PG_AUTH_API_TOKEN_LIST_BY_USER,
    PG_AUTH_API_TOKEN_REVOKE,
    PG_AUTH_USER_LIST,
    PG_AUTH_USER_UPDATE_PROFILE,
    PG_AUTH_USER_SET_PASSWORD,
    PG_AUTH_USER_TOTP_SET_PENDING,
    PG_AUTH_USER_TOTP_CONFIRM,
    PG_AUTH_USER_TOTP_CLEAR,
    PG_AUTH_USER_TOTP_USE_STEP,
    PG_AUTH_USER_LOGIN_FAILED,
    PG_AUTH_USER_FAILURES_CLEAR,
    PG_AUTH_USER_UNLOCK,
    PG_AUTH_API_TOKEN_TOUCH,
    PG_AUTH_USER_LIST_INACTIVE,
    PG_AUTH_SESSION_STEP_UP,
    PG_AUTH__END
};

_Static_assert((int)PG_AUTH__END <= (int)PG_STMT_BASE_ADMIN,
               "the auth statements overrun the admin group's base");

#define SESSION_COLS                                                \
    "id, token_hash, csrf_hash, user_id, created_at, last_seen_at," \
    " expires_at, revoked_at, client_addr, authenticated_at"

#define API_TOKEN_COLS                                                \
    "id, version, created_at, updated_at, user_id, name, token_hash," \
    " expires_at, revoked_at, last_used_at"

/* The columns of a user, in the order of postgres_store.c's reader (which
 * is static there, hence read_user below). */
#define USER_COLS                                                             \
    "id, version, created_at, updated_at, email, name, org_id, roles, title," \
    " password_hash, disabled, failed_logins, first_failed_at, locked_at,"    \
    " totp_secret, totp_last_step, totp_enabled"

/* Run an UPDATE of many rows: the number of rows it changed, or a
 * negative enum store_rc. */
static int
run_update_count(struct pg_store *ps,
                 int id,
                 const char *sql,
                 const struct pg_params *p,
                 const char *what)
{
    enum store_rc rc;
    PGresult *r = pg_exec(ps, id, sql, p, what, 0, &rc);
    const char *n;
    int count;

    if (r == NULL)
        return rc;
    n = PQcmdTuples(r);
    count = n && *n ? (int)strtol(n, NULL, 10) : 0;
    PQclear(r);
    return count;
}

/* ---- sessions ----------------------------------------------------------*/

static void
read_session(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};
    struct store_session *se = ctx;

    memset(se, 0, sizeof *se);
    pg_col_id(&c, se->id, sizeof se->id);
    pg_col_hash(&c, se->token_hash);
    pg_col_hash(&c, se->csrf_hash);
    pg_col_id(&c, se->user_id, sizeof se->user_id);
    se->created_at = pg_col_int(&c);
    se->last_seen_at = pg_col_int(&c);
    se->expires_at = pg_col_int(&c);
    se->ended_at = pg_col_int(&c);
    se->client_addr = pg_col_text(&c);
    se->authenticated_at = pg_col_int(&c);
}

static enum store_rc
pg_session_insert(struct store *s, const struct store_session *se)
{
    struct pg_params p = {0};

    pg_bind_id(&p, se->id);
    pg_bind_bytes(&p, se->token_hash, STORE_HASH_SIZE);
    pg_bind_bytes(&p, se->csrf_hash, STORE_HASH_SIZE);
    pg_bind_id(&p, se->user_id);
    pg_bind_int(&p, se->created_at);
    pg_bind_int(&p, se->last_seen_at);
    pg_bind_int(&p, se->expires_at);
    pg_bind_time(&p, se->ended_at);
    pg_bind_text(&p, se->client_addr);
    pg_bind_int(&p, se->authenticated_at);
    return pg_run_write(pg_to_pg(s), PG_AUTH_SESSION_INSERT,
                        "INSERT INTO sessions (" SESSION_COLS ")"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                        " ON CONFLICT DO NOTHING",
                        &p, "session_insert");
}

static enum store_rc
pg_session_get_by_token(struct store *s,
                        const unsigned char token_hash[STORE_HASH_SIZE],
                        struct store_session *out)
{
    struct pg_params p = {0};

    pg_bind_bytes(&p, token_hash, STORE_HASH_SIZE);
    return pg_run_read(pg_to_pg(s), PG_AUTH_SESSION_GET_BY_TOKEN,
                       "SELECT " SESSION_COLS " FROM sessions"
                       " WHERE token_hash = $1",
                       &p, "session_get_by_token", read_session, out);
}

static enum store_rc
pg_session_touch(struct store *s, const char *id, int64_t last_seen_at)
{
    struct pg_params p = {0};

    /* A touch racing a logout on another server either lands before it
     * or finds the session ended (the WHERE clause is checked again on
     * the ended row) and changes nothing. */
    pg_bind_int(&p, last_seen_at);
    pg_bind_text(&p, id);
    return pg_run_write(pg_to_pg(s), PG_AUTH_SESSION_TOUCH,
                        "UPDATE sessions SET last_seen_at = $1"
                        " WHERE id = $2 AND revoked_at IS NULL",
                        &p, "session_touch");
}

static enum store_rc
pg_session_end(struct store *s, const char *id, int64_t at)
{
    struct pg_params p = {0};

    /* Of two servers ending the same session, one ends it. */
    pg_bind_int(&p, at);
    pg_bind_text(&p, id);
    return pg_run_write(pg_to_pg(s), PG_AUTH_SESSION_END,
                        "UPDATE sessions SET revoked_at = $1"
                        " WHERE id = $2 AND revoked_at IS NULL",
                        &p, "session_end");
}

static enum store_rc
pg_session_step_up(struct store *s, const char *id, int64_t at)
{
    struct pg_params p = {0};

    pg_bind_int(&p, at);
    pg_bind_text(&p, id);
    return pg_run_write(pg_to_pg(s), PG_AUTH_SESSION_STEP_UP,
                        "UPDATE sessions SET authenticated_at = $1"
                        " WHERE id = $2 AND revoked_at IS NULL",
                        &p, "session_step_up");
}

static int
pg_session_end_by_user(struct store *s,
                       const char *user_id,
                       const char *except_id,
                       int64_t at)
{
    struct pg_params p = {0};

    pg_bind_int(&p, at);
    pg_bind_text(&p, user_id);
    pg_bind_id(&p, except_id);
    return run_update_count(pg_to_pg(s), PG_AUTH_SESSION_END_BY_USER,
                            "UPDATE sessions SET revoked_at = $1"
                            " WHERE user_id = $2 AND revoked_at IS NULL"
                            " AND ($3::text IS NULL OR id <> $3::text)",
                            &p, "session_end_by_user");
}

/* ---- API tokens --------------------------------------------------------*/

static void
read_api_token(const PGresult *r, int row, struct store_api_token *t)
{
    struct pg_cols c = {r, row, 0};

    memset(t, 0, sizeof *t);
    pg_col_id(&c, t->id, sizeof t->id);
    t->version = pg_col_int(&c);
    t->created_at = pg_col_int(&c);
    t->updated_at = pg_col_int(&c);
    pg_col_id(&c, t->user_id, sizeof t->user_id);
    t->name = pg_col_text(&c);
    pg_col_hash(&c, t->token_hash);
    t->expires_at = pg_col_int(&c);
    t->revoked_at = pg_col_int(&c);
    t->last_used_at = pg_col_int(&c);
}

static void
read_api_token_row(const PGresult *r, int row, void *ctx)
{
    read_api_token(r, row, ctx);
}

static enum store_rc
pg_api_token_insert(struct store *s, const struct store_api_token *t)
{
    struct pg_params p = {0};

    pg_bind_id(&p, t->id);
    pg_bind_int(&p, t->created_at);
    pg_bind_int(&p, t->updated_at);
    pg_bind_id(&p, t->user_id);
    pg_bind_text(&p, t->name);
    pg_bind_bytes(&p, t->token_hash, STORE_HASH_SIZE);
    pg_bind_time(&p, t->expires_at);
    pg_bind_time(&p, t->revoked_at);
    pg_bind_time(&p, t->last_used_at);
    return pg_run_write(pg_to_pg(s), PG_AUTH_API_TOKEN_INSERT,
                        "INSERT INTO api_tokens (" API_TOKEN_COLS ")"
                        " VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9)"
                        " ON CONFLICT DO NOTHING",
                        &p, "api_token_insert");
}

static enum store_rc
pg_api_token_get_by_hash(struct store *s,
                         const unsigned char token_hash[STORE_HASH_SIZE],
                         struct store_api_token *out)
{
    struct pg_params p = {0};

    pg_bind_bytes(&p, token_hash, STORE_HASH_SIZE);
    return pg_run_read(pg_to_pg(s), PG_AUTH_API_TOKEN_GET_BY_HASH,
                       "SELECT " API_TOKEN_COLS " FROM api_tokens"
                       " WHERE token_hash = $1",
                       &p, "api_token_get_by_hash", read_api_token_row, out);
}

struct token_list {
    store_api_token_cb cb;
    void *cls;
};

static void
token_row(const PGresult *r, int row, void *ctx)
{
    struct token_list *l = ctx;
    struct store_api_token t;

    read_api_token(r, row, &t);
    l->cb(l->cls, &t);
    store_api_token_release(&t);
}

static int
pg_api_token_list_by_user(struct store *s,
                          const char *user_id,
                          store_api_token_cb cb,
                          void *cls)
{
    struct pg_params p = {0};
    struct token_list l = {cb, cls};

    pg_bind_text(&p, user_id);
    return pg_run_list(pg_to_pg(s), PG_AUTH_API_TOKEN_LIST_BY_USER,
                       "SELECT " API_TOKEN_COLS " FROM api_tokens"
                       " WHERE user_id = $1 ORDER BY created_at, id",
                       &p, "api_token_list_by_user", token_row, &l);
}

static enum store_rc
pg_api_token_revoke(struct store *s,
                    const char *id,
                    const char *user_id,
                    int64_t at)
{
    struct pg_params p = {0};

    pg_bind_int(&p, at);
    pg_bind_text(&p, id);
    pg_bind_text(&p, user_id);
    return pg_run_write(pg_to_pg(s), PG_AUTH_API_TOKEN_REVOKE,
                        "UPDATE api_tokens SET revoked_at = $1,"
                        " updated_at = $1, version = version + 1"
                        " WHERE id = $2 AND user_id = $3"
                        " AND revoked_at IS NULL",
                        &p, "api_token_revoke");
}

/* ---- users -------------------------------------------------------------*/

static void
read_user(const PGresult *r, int row, struct store_user *u)
{
    struct pg_cols c = {r, row, 0};

    memset(u, 0, sizeof *u);
    pg_col_id(&c, u->id, sizeof u->id);
    u->version = pg_col_int(&c);
    u->created_at = pg_col_int(&c);
    u->updated_at = pg_col_int(&c);
    u->email = pg_col_text(&c);
    u->name = pg_col_text(&c);
    pg_col_id(&c, u->org_id, sizeof u->org_id);
    u->roles = (unsigned)pg_col_int(&c);
    u->title = pg_col_text(&c);
    u->password_hash = pg_col_text(&c);
    u->disabled = pg_col_int(&c) != 0;
    u->failed_logins = pg_col_int(&c);
    u->first_failed_at = pg_col_int(&c);
    u->locked_at = pg_col_int(&c);
    u->totp_secret = pg_col_blob(&c);
    u->totp_last_step = pg_col_int(&c);
    u->totp_enabled = pg_col_int(&c) != 0;
}

struct user_list {
    store_user_cb cb;
    void *cls;
};

static void
user_row(const PGresult *r, int row, void *ctx)
{
    struct user_list *l = ctx;
    struct store_user u;

    read_user(r, row, &u);
    l->cb(l->cls, &u);
    store_user_release(&u);
}

static int
pg_user_list(struct store *s,
             const char *org_id,
             const char *after_id,
             int limit,
             store_user_cb cb,
             void *cls)
{
    struct pg_params p = {0};
    struct user_list l = {cb, cls};

    pg_bind_id(&p, org_id);
    pg_bind_id(&p, after_id);
    pg_bind_int(&p, limit);
    return pg_run_list(pg_to_pg(s), PG_AUTH_USER_LIST,
                       "SELECT " USER_COLS " FROM users"
                       " WHERE ($1::text IS NULL OR org_id = $1::text)"
                       " AND ($2::text IS NULL OR id > $2::text)"
                       " ORDER BY id LIMIT $3",
                       &p, "user_list", user_row, &l);
}

static enum store_rc
pg_user_update_profile(struct store *s, const struct store_user *u)
{
    struct pg_params p = {0};

    pg_bind_int(&p, u->updated_at);
    pg_bind_text(&p, u->name);
    pg_bind_text(&p, u->title);
    pg_bind_int(&p, (int64_t)u->roles);
    pg_bind_int(&p, u->disabled ? 1 : 0);
    pg_bind_text(&p, u->id);
    pg_bind_int(&p, u->version);
    return pg_run_write(pg_to_pg(s), PG_AUTH_USER_UPDATE_PROFILE,
                        "UPDATE users SET version = version + 1,"
                        " updated_at = $1, name = $2, title = $3,"
                        " roles = $4, disabled = $5"
                        " WHERE id = $6 AND version = $7",
                        &p, "user_update_profile");
}

static enum store_rc
pg_user_set_password(struct store *s,
                     const char *id,
                     const char *password_hash,
                     int64_t updated_at)
{
    struct pg_params p = {0};

    pg_bind_int(&p, updated_at);
    pg_bind_text(&p, password_hash);
    pg_bind_text(&p, id);
    return pg_run_write(pg_to_pg(s), PG_AUTH_USER_SET_PASSWORD,
                        "UPDATE users SET version = version + 1,"
                        " updated_at = $1, password_hash = $2 WHERE id = $3",
                        &p, "user_set_password");
}

static enum store_rc
pg_user_totp_set_pending(struct store *s,
                         const char *id,
                         const struct store_blob *secret,
                         int64_t updated_at)
{
    struct pg_params p = {0};

    pg_bind_int(&p, updated_at);
    pg_bind_blob(&p, secret);
    pg_bind_text(&p, id);
    return pg_run_write(pg_to_pg(s), PG_AUTH_USER_TOTP_SET_PENDING,
                        "UPDATE users SET version = version + 1,"
                        " updated_at = $1, totp_secret = $2,"
                        " totp_enabled = 0, totp_last_step = NULL"
                        " WHERE id = $3",
                        &p, "user_totp_set_pending");
}

static enum store_rc
pg_user_totp_confirm(struct store *s, const char *id, int64_t updated_at)
{
    struct pg_params p = {0};

    pg_bind_int(&p, updated_at);
    pg_bind_text(&p, id);
    return pg_run_write(pg_to_pg(s), PG_AUTH_USER_TOTP_CONFIRM,
                        "UPDATE users SET version = version + 1,"
                        " updated_at = $1, totp_enabled = 1"
                        " WHERE id = $2 AND totp_secret IS NOT NULL",
                        &p, "user_totp_confirm");
}

static enum store_rc
pg_user_totp_clear(struct store *s, const char *id, int64_t updated_at)
{
    struct pg_params p = {0};

    pg_bind_int(&p, updated_at);
    pg_bind_text(&p, id);
    return pg_run_write(pg_to_pg(s), PG_AUTH_USER_TOTP_CLEAR,
                        "UPDATE users SET version = version + 1,"
                        " updated_at = $1, totp_secret = NULL,"
                        " totp_enabled = 0, totp_last_step = NULL"
                        " WHERE id = $2",
                        &p, "user_totp_clear");
}

static enum store_rc
pg_user_totp_use_step(struct store *s, const char *id, int64_t step)
{
    struct pg_params p = {0};

    /* The same code presented to two servers at once: the second UPDATE
     * waits for the first, then finds the step no longer greater than
     * the stored one and changes nothing (a replay). */
    pg_bind_int(&p, step);
    pg_bind_text(&p, id);
    return pg_run_write(pg_to_pg(s), PG_AUTH_USER_TOTP_USE_STEP,
                        "UPDATE users SET totp_last_step = $1::bigint"
                        " WHERE id = $2 AND (totp_last_step IS NULL"
                        " OR totp_last_step < $1::bigint)",
                        &p, "user_totp_use_step");
}

/* Whether a failure at $2 starts a new window of $3 microseconds. */
#define NEW_WINDOW \
    "(first_failed_at IS NULL OR $2::bigint >= first_failed_at + $3::bigint)"

struct failed_ctx {
    int64_t count;
    bool locked;
};

static void
read_failed(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};
    struct failed_ctx *f = ctx;

    f->count = pg_col_int(&c);
    f->locked = !pg_col_is_null(&c);
}

static enum store_rc
pg_user_login_failed(struct store *s,
                     const char *id,
                     int64_t now,
                     int64_t window_us,
                     int64_t max_failures,
                     int64_t *count,
                     bool *locked)
{
    struct pg_params p = {0};
    struct failed_ctx f = {0, false};
    enum store_rc rc;

    /* One statement: the UPDATE locks the row, and a concurrent failure on
     * another server waits for it and then computes its SET from the row
     * this one wrote (READ COMMITTED re-reads the updated row), so N
     * failures at once add exactly N and each sees its own count. */
    pg_bind_text(&p, id);
    pg_bind_int(&p, now);
    pg_bind_int(&p, window_us);
    pg_bind_int(&p, max_failures);
    rc = pg_run_read(pg_to_pg(s), PG_AUTH_USER_LOGIN_FAILED,
                     "UPDATE users SET"
                     " failed_logins = CASE WHEN " NEW_WINDOW " THEN 1"
                     "  ELSE failed_logins + 1 END,"
                     " first_failed_at = CASE WHEN " NEW_WINDOW
                     " THEN $2::bigint ELSE first_failed_at END,"
                     " locked_at = CASE WHEN locked_at IS NOT NULL"
                     "  THEN locked_at"
                     "  WHEN (CASE WHEN " NEW_WINDOW " THEN 1"
                     "   ELSE failed_logins + 1 END) >= $4::bigint"
                     "  THEN $2::bigint ELSE NULL END"
                     " WHERE id = $1 RETURNING failed_logins, locked_at",
                     &p, "user_login_failed", read_failed, &f);
    if (rc == STORE_ONE_RESULT) {
        *count = f.count;
        *locked = f.locked;
    }
    return rc;
}

static enum store_rc
pg_user_failures_clear(struct store *s, const char *id)
{
    struct pg_params p = {0};

    pg_bind_text(&p, id);
    return pg_run_write(pg_to_pg(s), PG_AUTH_USER_FAILURES_CLEAR,
                        "UPDATE users SET failed_logins = 0,"
                        " first_failed_at = NULL WHERE id = $1",
                        &p, "user_failures_clear");
}

static enum store_rc
pg_user_unlock(struct store *s, const char *id, int64_t updated_at)
{
    struct pg_params p = {0};

    pg_bind_int(&p, updated_at);
    pg_bind_text(&p, id);
    return pg_run_write(pg_to_pg(s), PG_AUTH_USER_UNLOCK,
                        "UPDATE users SET version = version + 1,"
                        " updated_at = $1, locked_at = NULL,"
                        " failed_logins = 0, first_failed_at = NULL"
                        " WHERE id = $2",
                        &p, "user_unlock");
}

static enum store_rc
pg_api_token_touch(struct store *s, const char *id, int64_t at)
{
    struct pg_params p = {0};

    pg_bind_int(&p, at);
    pg_bind_text(&p, id);
    return pg_run_write(pg_to_pg(s), PG_AUTH_API_TOKEN_TOUCH,
                        "UPDATE api_tokens SET last_used_at = $1"
                        " WHERE id = $2",
                        &p, "api_token_touch");
}

static int
pg_user_list_inactive(struct store *s,
                      int64_t cutoff,
                      store_user_cb cb,
                      void *cls)
{
    struct pg_params p = {0};
    struct user_list l = {cb, cls};

    pg_bind_int(&p, cutoff);
    return pg_run_list(pg_to_pg(s), PG_AUTH_USER_LIST_INACTIVE,
                       "SELECT " USER_COLS " FROM users"
                       " WHERE disabled = 0 AND created_at < $1::bigint"
                       " AND NOT EXISTS (SELECT 1 FROM sessions"
                       "  WHERE sessions.user_id = users.id"
                       "  AND sessions.last_seen_at >= $1::bigint)"
                       " AND NOT EXISTS (SELECT 1 FROM api_tokens"
                       "  WHERE api_tokens.user_id = users.id"
                       "  AND api_tokens.last_used_at >= $1::bigint)"
                       " ORDER BY id",
                       &p, "user_list_inactive", user_row, &l);
}

const struct store_auth_ops pg_auth_ops = {
    .session_insert = pg_session_insert,
    .session_get_by_token = pg_session_get_by_token,
    .session_touch = pg_session_touch,
    .session_end = pg_session_end,
    .session_step_up = pg_session_step_up,
    .session_end_by_user = pg_session_end_by_user,
    .api_token_insert = pg_api_token_insert,
    .api_token_get_by_hash = pg_api_token_get_by_hash,
    .api_token_list_by_user = pg_api_token_list_by_user,
    .api_token_revoke = pg_api_token_revoke,
    .user_list = pg_user_list,
    .user_update_profile = pg_user_update_profile,
    .user_set_password = pg_user_set_password,
    .user_totp_set_pending = pg_user_totp_set_pending,
    .user_totp_confirm = pg_user_totp_confirm,
    .user_totp_clear = pg_user_totp_clear,
    .user_totp_use_step = pg_user_totp_use_step,
    .user_login_failed = pg_user_login_failed,
    .user_failures_clear = pg_user_failures_clear,
    .user_unlock = pg_user_unlock,
    .api_token_touch = pg_api_token_touch,
    .user_list_inactive = pg_user_list_inactive,
};
