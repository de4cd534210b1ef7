/*
 * sq_auth.c: the SQLite implementation of store_auth.h: sessions, API
 * tokens and the user account operations. The replay guard of TOTP steps
 * and the login-failure counter are single UPDATE statements, so two
 * connections racing on them cannot both win or lose a count.
 */
#include <string.h>

#include "core/alloc.h"
#include "store/sqlite/sqlite_int.h"

#define SESSION_COLS                                                \
    "id, token_hash, csrf_hash, user_id, created_at, last_seen_at," \
    " expires_at, revoked_at, client_addr, authenticated_at"

#define API_TOKEN_COLS                                                \
    "id, version, created_at, updated_at, user_id, name, token_hash," \
    " expires_at, revoked_at, last_used_at"

/* ---- sessions ----------------------------------------------------------*/

static void
read_session(sqlite3_stmt *st, struct store_session *se)
{
    struct sq_cols c = {st, 0};

    memset(se, 0, sizeof *se);
    sq_col_id(&c, se->id, sizeof se->id);
    sq_col_hash(&c, se->token_hash);
    sq_col_hash(&c, se->csrf_hash);
    sq_col_id(&c, se->user_id, sizeof se->user_id);
    se->created_at = sq_col_int(&c);
    se->last_seen_at = sq_col_int(&c);
    se->expires_at = sq_col_int(&c);
    se->ended_at = sq_col_int(&c);
    se->client_addr = sq_col_text(&c);
    se->authenticated_at = sq_col_int(&c);
}

static enum store_rc
sq_session_insert(struct store *s, const struct store_session *se)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_SESSION_INSERT,
                                      "INSERT INTO sessions (" SESSION_COLS ")"
                                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                      " ON CONFLICT DO NOTHING"),
                          0, SQLITE_OK};

    sq_bind_id(&b, se->id);
    sq_bind_bytes(&b, se->token_hash, STORE_HASH_SIZE);
    sq_bind_bytes(&b, se->csrf_hash, STORE_HASH_SIZE);
    sq_bind_id(&b, se->user_id);
    sq_bind_int(&b, se->created_at);
    sq_bind_int(&b, se->last_seen_at);
    sq_bind_int(&b, se->expires_at);
    sq_bind_time(&b, se->ended_at);
    sq_bind_text(&b, se->client_addr);
    sq_bind_int(&b, se->authenticated_at);
    return sq_run_write(ss, &b, "session_insert");
}

static enum store_rc
sq_session_get_by_token(struct store *s,
                        const unsigned char token_hash[STORE_HASH_SIZE],
                        struct store_session *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_SESSION_GET_BY_TOKEN,
                                      "SELECT " SESSION_COLS " FROM sessions"
                                      " WHERE token_hash = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_bytes(&b, token_hash, STORE_HASH_SIZE);
    rc = sq_run_read(ss, &b, "session_get_by_token");
    if (rc == STORE_ONE_RESULT) {
        read_session(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

static enum store_rc
sq_session_touch(struct store *s, const char *id, int64_t last_seen_at)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_SESSION_TOUCH,
                                      "UPDATE sessions SET last_seen_at = ?"
                                      " WHERE id = ? AND revoked_at IS NULL"),
                          0, SQLITE_OK};

    sq_bind_int(&b, last_seen_at);
    sq_bind_text(&b, id);
    return sq_run_write(ss, &b, "session_touch");
}

static enum store_rc
sq_session_end(struct store *s, const char *id, int64_t at)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_SESSION_END,
                                      "UPDATE sessions SET revoked_at = ?"
                                      " WHERE id = ? AND revoked_at IS NULL"),
                          0, SQLITE_OK};

    sq_bind_int(&b, at);
    sq_bind_text(&b, id);
    return sq_run_write(ss, &b, "session_end");
}

static enum store_rc
sq_session_step_up(struct store *s, const char *id, int64_t at)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_SESSION_STEP_UP,
                                      "UPDATE sessions SET authenticated_at = ?"
                                      " WHERE id = ? AND revoked_at IS NULL"),
                          0, SQLITE_OK};

    sq_bind_int(&b, at);
    sq_bind_text(&b, id);
    return sq_run_write(ss, &b, "session_step_up");
}

static int
sq_session_end_by_user(struct store *s,
                       const char *user_id,
                       const char *except_id,
                       int64_t at)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_SESSION_END_BY_USER,
                    "UPDATE sessions SET revoked_at = ?1"
                    " WHERE user_id = ?2 AND revoked_at IS NULL"
                    " AND (?3 IS NULL OR id <> ?3)"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_int(&b, at);
    sq_bind_text(&b, user_id);
    sq_bind_id(&b, except_id);
    rc = sq_run_write(ss, &b, "session_end_by_user");
    if (rc < 0)
        return rc;
    return sqlite3_changes(ss->db);
}

/* ---- API tokens --------------------------------------------------------*/

static void
read_api_token(sqlite3_stmt *st, struct store_api_token *t)
{
    struct sq_cols c = {st, 0};

    memset(t, 0, sizeof *t);
    sq_col_id(&c, t->id, sizeof t->id);
    t->version = sq_col_int(&c);
    t->created_at = sq_col_int(&c);
    t->updated_at = sq_col_int(&c);
    sq_col_id(&c, t->user_id, sizeof t->user_id);
    t->name = sq_col_text(&c);
    sq_col_hash(&c, t->token_hash);
    t->expires_at = sq_col_int(&c);
    t->revoked_at = sq_col_int(&c);
    t->last_used_at = sq_col_int(&c);
}

static enum store_rc
sq_api_token_insert(struct store *s, const struct store_api_token *t)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_API_TOKEN_INSERT,
                                      "INSERT INTO api_tokens (" API_TOKEN_COLS
                                      ")"
                                      " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)"
                                      " ON CONFLICT DO NOTHING"),
                          0, SQLITE_OK};

    sq_bind_id(&b, t->id);
    sq_bind_int(&b, t->created_at);
    sq_bind_int(&b, t->updated_at);
    sq_bind_id(&b, t->user_id);
    sq_bind_text(&b, t->name);
    sq_bind_bytes(&b, t->token_hash, STORE_HASH_SIZE);
    sq_bind_time(&b, t->expires_at);
    sq_bind_time(&b, t->revoked_at);
    sq_bind_time(&b, t->last_used_at);
    return sq_run_write(ss, &b, "api_token_insert");
}

static enum store_rc
sq_api_token_get_by_hash(struct store *s,
                         const unsigned char token_hash[STORE_HASH_SIZE],
                         struct store_api_token *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_API_TOKEN_GET_BY_HASH,
                                      "SELECT " API_TOKEN_COLS
                                      " FROM api_tokens WHERE token_hash = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_bytes(&b, token_hash, STORE_HASH_SIZE);
    rc = sq_run_read(ss, &b, "api_token_get_by_hash");
    if (rc == STORE_ONE_RESULT) {
        read_api_token(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

struct token_list {
    store_api_token_cb cb;
    void *cls;
};

static void
token_row(sqlite3_stmt *st, void *ctx)
{
    struct token_list *l = ctx;
    struct store_api_token t;

    read_api_token(st, &t);
    l->cb(l->cls, &t);
    store_api_token_release(&t);
}

static int
sq_api_token_list_by_user(struct store *s,
                          const char *user_id,
                          store_api_token_cb cb,
                          void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_API_TOKEN_LIST_BY_USER,
                    "SELECT " API_TOKEN_COLS " FROM api_tokens"
                    " WHERE user_id = ? ORDER BY created_at, id"),
        0, SQLITE_OK};
    struct token_list l = {cb, cls};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_text(&b, user_id);
    return sq_run_list(ss, &b, "api_token_list_by_user", token_row, &l);
}

static enum store_rc
sq_api_token_revoke(struct store *s,
                    const char *id,
                    const char *user_id,
                    int64_t at)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_API_TOKEN_REVOKE,
                    "UPDATE api_tokens SET revoked_at = ?1, updated_at = ?1,"
                    " version = version + 1"
                    " WHERE id = ?2 AND user_id = ?3 AND revoked_at IS NULL"),
        0, SQLITE_OK};

    sq_bind_int(&b, at);
    sq_bind_text(&b, id);
    sq_bind_text(&b, user_id);
    return sq_run_write(ss, &b, "api_token_revoke");
}

/* ---- users -------------------------------------------------------------*/

struct user_list {
    store_user_cb cb;
    void *cls;
};

static void
user_row(sqlite3_stmt *st, void *ctx)
{
    struct user_list *l = ctx;
    struct store_user u;

    sq_read_user(st, &u);
    l->cb(l->cls, &u);
    store_user_release(&u);
}

static int
sq_user_list(struct store *s,
             const char *org_id,
             const char *after_id,
             int limit,
             store_user_cb cb,
             void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_USER_LIST,
                                      "SELECT " USER_COLS " FROM users"
                                      " WHERE (?1 IS NULL OR org_id = ?1)"
                                      " AND (?2 IS NULL OR id > ?2)"
                                      " ORDER BY id LIMIT ?3"),
                          0, SQLITE_OK};
    struct user_list l = {cb, cls};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_id(&b, org_id);
    sq_bind_id(&b, after_id);
    sq_bind_int(&b, limit);
    return sq_run_list(ss, &b, "user_list", user_row, &l);
}

static enum store_rc
sq_user_update_profile(struct store *s, const struct store_user *u)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_USER_UPDATE_PROFILE,
                    "UPDATE users SET version = version + 1, updated_at = ?,"
                    " name = ?, title = ?, roles = ?, disabled = ?"
                    " WHERE id = ? AND version = ?"),
        0, SQLITE_OK};

    sq_bind_int(&b, u->updated_at);
    sq_bind_text(&b, u->name);
    sq_bind_text(&b, u->title);
    sq_bind_int(&b, (int64_t)u->roles);
    sq_bind_int(&b, u->disabled ? 1 : 0);
    sq_bind_text(&b, u->id);
    sq_bind_int(&b, u->version);
    return sq_run_write(ss, &b, "user_update_profile");
}

static enum store_rc
sq_user_set_password(struct store *s,
                     const char *id,
                     const char *password_hash,
                     int64_t updated_at)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_USER_SET_PASSWORD,
                    "UPDATE users SET version = version + 1, updated_at = ?,"
                    " password_hash = ? WHERE id = ?"),
        0, SQLITE_OK};

    sq_bind_int(&b, updated_at);
    sq_bind_text(&b, password_hash);
    sq_bind_text(&b, id);
    return sq_run_write(ss, &b, "user_set_password");
}

static enum store_rc
sq_user_totp_set_pending(struct store *s,
                         const char *id,
                         const struct store_blob *secret,
                         int64_t updated_at)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_USER_TOTP_SET_PENDING,
                    "UPDATE users SET version = version + 1, updated_at = ?,"
                    " totp_secret = ?, totp_enabled = 0,"
                    " totp_last_step = NULL WHERE id = ?"),
        0, SQLITE_OK};

    sq_bind_int(&b, updated_at);
    sq_bind_blob(&b, secret);
    sq_bind_text(&b, id);
    return sq_run_write(ss, &b, "user_totp_set_pending");
}

static enum store_rc
sq_user_totp_confirm(struct store *s, const char *id, int64_t updated_at)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_USER_TOTP_CONFIRM,
                    "UPDATE users SET version = version + 1, updated_at = ?,"
                    " totp_enabled = 1"
                    " WHERE id = ? AND totp_secret IS NOT NULL"),
        0, SQLITE_OK};

    sq_bind_int(&b, updated_at);
    sq_bind_text(&b, id);
    return sq_run_write(ss, &b, "user_totp_confirm");
}

static enum store_rc
sq_user_totp_clear(struct store *s, const char *id, int64_t updated_at)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_USER_TOTP_CLEAR,
                    "UPDATE users SET version = version + 1, updated_at = ?,"
                    " totp_secret = NULL, totp_enabled = 0,"
                    " totp_last_step = NULL WHERE id = ?"),
        0, SQLITE_OK};

    sq_bind_int(&b, updated_at);
    sq_bind_text(&b, id);
    return sq_run_write(ss, &b, "user_totp_clear");
}

static enum store_rc
sq_user_totp_use_step(struct store *s, const char *id, int64_t step)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_USER_TOTP_USE_STEP,
                    "UPDATE users SET totp_last_step = ?1 WHERE id = ?2"
                    " AND (totp_last_step IS NULL OR totp_last_step < ?1)"),
        0, SQLITE_OK};

    sq_bind_int(&b, step);
    sq_bind_text(&b, id);
    return sq_run_write(ss, &b, "user_totp_use_step");
}

/* Whether a failure at ?2 starts a new window of ?3 microseconds. */
#define NEW_WINDOW "(first_failed_at IS NULL OR ?2 >= first_failed_at + ?3)"

static enum store_rc
sq_user_login_failed(struct store *s,
                     const char *id,
                     int64_t now,
                     int64_t window_us,
                     int64_t max_failures,
                     int64_t *count,
                     bool *locked)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(
            ss, STMT_ID_USER_LOGIN_FAILED,
            "UPDATE users SET"
            " failed_logins = CASE WHEN " NEW_WINDOW " THEN 1"
            "  ELSE failed_logins + 1 END,"
            " first_failed_at = CASE WHEN " NEW_WINDOW " THEN ?2"
            "  ELSE first_failed_at END,"
            " locked_at = CASE WHEN locked_at IS NOT NULL THEN locked_at"
            "  WHEN (CASE WHEN " NEW_WINDOW " THEN 1"
            "   ELSE failed_logins + 1 END) >= ?4 THEN ?2 ELSE NULL END"
            " WHERE id = ?1 RETURNING failed_logins, locked_at"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, id);
    sq_bind_int(&b, now);
    sq_bind_int(&b, window_us);
    sq_bind_int(&b, max_failures);
    rc = sq_run_read(ss, &b, "user_login_failed");
    if (rc == STORE_ONE_RESULT) {
        bool is_locked = sqlite3_column_type(b.st, 1) != SQLITE_NULL;
        int64_t n = 0;

        rc = sq_finish_returning(ss, b.st, "user_login_failed", &n);
        if (rc == STORE_ONE_RESULT) {
            *count = n;
            *locked = is_locked;
        }
    }
    return rc;
}

static enum store_rc
sq_user_failures_clear(struct store *s, const char *id)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_USER_FAILURES_CLEAR,
                                      "UPDATE users SET failed_logins = 0,"
                                      " first_failed_at = NULL WHERE id = ?"),
                          0, SQLITE_OK};

    sq_bind_text(&b, id);
    return sq_run_write(ss, &b, "user_failures_clear");
}

static enum store_rc
sq_user_unlock(struct store *s, const char *id, int64_t updated_at)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_USER_UNLOCK,
                    "UPDATE users SET version = version + 1, updated_at = ?,"
                    " locked_at = NULL, failed_logins = 0,"
                    " first_failed_at = NULL WHERE id = ?"),
        0, SQLITE_OK};

    sq_bind_int(&b, updated_at);
    sq_bind_text(&b, id);
    return sq_run_write(ss, &b, "user_unlock");
}

static enum store_rc
sq_api_token_touch(struct store *s, const char *id, int64_t at)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_API_TOKEN_TOUCH,
                                      "UPDATE api_tokens SET last_used_at = ?"
                                      " WHERE id = ?"),
                          0, SQLITE_OK};

    sq_bind_int(&b, at);
    sq_bind_text(&b, id);
    return sq_run_write(ss, &b, "api_token_touch");
}

static int
sq_user_list_inactive(struct store *s,
                      int64_t cutoff,
                      store_user_cb cb,
                      void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_USER_LIST_INACTIVE,
                    "SELECT " USER_COLS " FROM users"
                    " WHERE disabled = 0 AND created_at < ?1"
                    " AND NOT EXISTS (SELECT 1 FROM sessions"
                    "  WHERE sessions.user_id = users.id"
                    "  AND sessions.last_seen_at >= ?1)"
                    " AND NOT EXISTS (SELECT 1 FROM api_tokens"
                    "  WHERE api_tokens.user_id = users.id"
                    "  AND api_tokens.last_used_at >= ?1)"
                    " ORDER BY id"),
        0, SQLITE_OK};
    struct user_list l = {cb, cls};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_int(&b, cutoff);
    return sq_run_list(ss, &b, "user_list_inactive", user_row, &l);
}

const struct store_auth_ops sq_auth_ops = {
    .session_insert = sq_session_insert,
    .session_get_by_token = sq_session_get_by_token,
    .session_touch = sq_session_touch,
    .session_end = sq_session_end,
    .session_step_up = sq_session_step_up,
    .session_end_by_user = sq_session_end_by_user,
    .api_token_insert = sq_api_token_insert,
    .api_token_get_by_hash = sq_api_token_get_by_hash,
    .api_token_list_by_user = sq_api_token_list_by_user,
    .api_token_revoke = sq_api_token_revoke,
    .user_list = sq_user_list,
    .user_update_profile = sq_user_update_profile,
    .user_set_password = sq_user_set_password,
    .user_totp_set_pending = sq_user_totp_set_pending,
    .user_totp_confirm = sq_user_totp_confirm,
    .user_totp_clear = sq_user_totp_clear,
    .user_totp_use_step = sq_user_totp_use_step,
    .user_login_failed = sq_user_login_failed,
    .user_failures_clear = sq_user_failures_clear,
    .user_unlock = sq_user_unlock,
    .api_token_touch = sq_api_token_touch,
    .user_list_inactive = sq_user_list_inactive,
};
