/*
 * store_auth.h: the store's sign-in data: browser sessions, API tokens, and
 * the user account operations behind sign-in (profile and password changes,
 * TOTP enrolment and its replay guard, the login-failure lockout).
 *
 * Included by store/store.h; callers include that. Conventions (return
 * codes, out-parameters written only on success, ids, microsecond
 * timestamps where 0 means none) are store.h's. Only hashes of tokens are
 * stored: the caller hashes the token it hands out and looks rows up by
 * that hash.
 */
#ifndef CM_STORE_STORE_AUTH_H
#define CM_STORE_STORE_AUTH_H

#include "store/store.h"

/* A browser session. */
struct store_session {
    char id[STORE_ID_SIZE];
    unsigned char token_hash[STORE_HASH_SIZE]; /* hash of the cookie token */
    unsigned char csrf_hash[STORE_HASH_SIZE];  /* hash of the CSRF token */
    char user_id[STORE_ID_SIZE];
    int64_t created_at;
    int64_t last_seen_at;
    int64_t expires_at; /* absolute end, whatever the activity */
    int64_t ended_at;   /* 0 while not ended (logout, revocation) */
    char *client_addr;  /* or NULL */
    /* When the person last proved who they are: the login, or the last
     * step-up (store_session_step_up). */
    int64_t authenticated_at;
};

/* An API token of a program acting for a user. */
struct store_api_token {
    char id[STORE_ID_SIZE];
    int64_t version;
    int64_t created_at;
    int64_t updated_at;
    char user_id[STORE_ID_SIZE];
    char *name;
    unsigned char token_hash[STORE_HASH_SIZE];
    int64_t expires_at; /* 0: never */
    int64_t revoked_at; /* 0: not revoked */
    int64_t last_used_at;
};

typedef void (*store_user_cb)(void *cls, const struct store_user *u);
typedef void (*store_api_token_cb)(void *cls, const struct store_api_token *t);

/* The auth part of a backend's function table (store_ops.auth). */
struct store_auth_ops {
    enum store_rc (*session_insert)(struct store *s,
                                    const struct store_session *se);
    enum store_rc (*session_get_by_token)(
        struct store *s,
        const unsigned char token_hash[STORE_HASH_SIZE],
        struct store_session *out);
    enum store_rc (*session_touch)(struct store *s,
                                   const char *id,
                                   int64_t last_seen_at);
    enum store_rc (*session_end)(struct store *s, const char *id, int64_t at);
    enum store_rc (*session_step_up)(struct store *s,
                                     const char *id,
                                     int64_t at);
    int (*session_end_by_user)(struct store *s,
                               const char *user_id,
                               const char *except_id,
                               int64_t at);
    enum store_rc (*api_token_insert)(struct store *s,
                                      const struct store_api_token *t);
    enum store_rc (*api_token_get_by_hash)(
        struct store *s,
        const unsigned char token_hash[STORE_HASH_SIZE],
        struct store_api_token *out);
    int (*api_token_list_by_user)(struct store *s,
                                  const char *user_id,
                                  store_api_token_cb cb,
                                  void *cls);
    enum store_rc (*api_token_revoke)(struct store *s,
                                      const char *id,
                                      const char *user_id,
                                      int64_t at);
    int (*user_list)(struct store *s,
                     const char *org_id,
                     const char *after_id,
                     int limit,
                     store_user_cb cb,
                     void *cls);
    enum store_rc (*user_update_profile)(struct store *s,
                                         const struct store_user *u);
    enum store_rc (*user_set_password)(struct store *s,
                                       const char *id,
                                       const char *password_hash,
                                       int64_t updated_at);
    enum store_rc (*user_totp_set_pending)(struct store *s,
                                           const char *id,
                                           const struct store_blob *secret,
                                           int64_t updated_at);
    enum store_rc (*user_totp_confirm)(struct store *s,
                                       const char *id,
                                       int64_t updated_at);
    enum store_rc (*user_totp_clear)(struct store *s,
                                     const char *id,
                                     int64_t updated_at);
    enum store_rc (*user_totp_use_step)(struct store *s,
                                        const char *id,
                                        int64_t step);
    enum store_rc (*user_login_failed)(struct store *s,
                                       const char *id,
                                       int64_t now,
                                       int64_t window_us,
                                       int64_t max_failures,
                                       int64_t *count,
                                       bool *locked);
    enum store_rc (*user_failures_clear)(struct store *s, const char *id);
    enum store_rc (*user_unlock)(struct store *s,
                                 const char *id,
                                 int64_t updated_at);
    enum store_rc (*api_token_touch)(struct store *s,
                                     const char *id,
                                     int64_t at);
    int (*user_list_inactive)(struct store *s,
                              int64_t cutoff,
                              store_user_cb cb,
                              void *cls);
};

/* ---- sessions ----------------------------------------------------------*/

/* Insert session `se` (ended_at should be 0). STORE_NO_RESULTS when the id
 * or token hash is taken. */
enum store_rc store_session_insert(struct store *s,
                                   const struct store_session *se);

/* Read the session whose token hash is `token_hash` into *out (release
 * with store_session_release), whether or not it has ended or expired:
 * the caller checks ended_at and expires_at against its clock. */
enum store_rc
store_session_get_by_token(struct store *s,
                           const unsigned char token_hash[STORE_HASH_SIZE],
                           struct store_session *out);

/* Set last_seen_at of session `id`. STORE_NO_RESULTS when it is unknown or
 * has ended. */
enum store_rc
store_session_touch(struct store *s, const char *id, int64_t last_seen_at);

/* End session `id` at `at` (logout). STORE_NO_RESULTS when it is unknown
 * or already ended. */
enum store_rc store_session_end(struct store *s, const char *id, int64_t at);

/* Record that the person of session `id` proved who they are again at `at`
 * (authenticated_at). STORE_NO_RESULTS when it is unknown or ended. */
enum store_rc
store_session_step_up(struct store *s, const char *id, int64_t at);

/* End every session of `user_id` not yet ended, except the one whose id is
 * `except_id` (NULL or "" for none: password change keeps the current one,
 * disabling a user ends all). Returns how many were ended, or a negative
 * enum store_rc. */
int store_session_end_by_user(struct store *s,
                              const char *user_id,
                              const char *except_id,
                              int64_t at);

/* Free the strings of `se` and zero it; accepts NULL. */
void store_session_release(struct store_session *se);

/* ---- API tokens --------------------------------------------------------*/

/* Insert token `t` (version becomes 1). STORE_NO_RESULTS when the id or
 * hash is taken. */
enum store_rc store_api_token_insert(struct store *s,
                                     const struct store_api_token *t);

/* Read the token whose hash is `token_hash`, revoked or expired or not (the
 * caller checks). */
enum store_rc
store_api_token_get_by_hash(struct store *s,
                            const unsigned char token_hash[STORE_HASH_SIZE],
                            struct store_api_token *out);

/* Call cb for each token of `user_id`, oldest first, revoked ones too.
 * Returns the number of rows, or a negative enum store_rc. */
int store_api_token_list_by_user(struct store *s,
                                 const char *user_id,
                                 store_api_token_cb cb,
                                 void *cls);

/* Revoke token `id` of user `user_id` at `at`. STORE_NO_RESULTS when no
 * token has that id AND that owner (one user cannot revoke another's), or
 * it is already revoked. */
enum store_rc store_api_token_revoke(struct store *s,
                                     const char *id,
                                     const char *user_id,
                                     int64_t at);

/* Free the strings of `t` and zero it; accepts NULL. */
void store_api_token_release(struct store_api_token *t);

/* ---- users -------------------------------------------------------------*/

/* Call cb for up to `limit` users in id order, starting after `after_id`
 * (NULL or "" for the start), only those of `org_id` unless it is NULL or
 * "". Returns the number of rows, or a negative enum store_rc. */
int store_user_list(struct store *s,
                    const char *org_id,
                    const char *after_id,
                    int limit,
                    store_user_cb cb,
                    void *cls);

/* Set last_used_at of API token `id` to `at` (the bearer authenticated;
 * written at most once a minute, like a session's last_seen_at).
 * STORE_NO_RESULTS when the token is unknown. */
enum store_rc
store_api_token_touch(struct store *s, const char *id, int64_t at);

/* Call cb, in id order, for every enabled user created before `cutoff`
 * with no session seen and no API token used since `cutoff`: the accounts
 * inactive since then (jobs/inactive.h). Returns the number of rows, or a
 * negative enum store_rc. */
int store_user_list_inactive(struct store *s,
                             int64_t cutoff,
                             store_user_cb cb,
                             void *cls);

/* Write u->name, u->title, u->roles, u->disabled and u->updated_at to user
 * u->id when its stored version equals u->version, bumping the version.
 * STORE_NO_RESULTS when unknown or stale. */
enum store_rc store_user_update_profile(struct store *s,
                                        const struct store_user *u);

/* Set the password hash (bumps the version). STORE_NO_RESULTS when the
 * user is unknown. */
enum store_rc store_user_set_password(struct store *s,
                                      const char *id,
                                      const char *password_hash,
                                      int64_t updated_at);

/* Store a new, not yet confirmed, TOTP secret (encrypted): totp_enabled
 * becomes false and the last used step is forgotten (bumps the version).
 * STORE_NO_RESULTS when the user is unknown. */
enum store_rc store_user_totp_set_pending(struct store *s,
                                          const char *id,
                                          const struct store_blob *secret,
                                          int64_t updated_at);

/* Enable the stored TOTP secret once the user proved a code (bumps the
 * version). STORE_NO_RESULTS when unknown or when no secret is stored. */
enum store_rc
store_user_totp_confirm(struct store *s, const char *id, int64_t updated_at);

/* Remove the TOTP secret and disable TOTP (an admin's reset; bumps the
 * version). STORE_NO_RESULTS when the user is unknown. */
enum store_rc
store_user_totp_clear(struct store *s, const char *id, int64_t updated_at);

/* The replay guard: record `step` as the last TOTP time step used, only if
 * it is greater than the stored one, in one atomic statement.
 * STORE_ONE_RESULT when recorded; STORE_NO_RESULTS when step <= the stored
 * step (a replayed or older code) or the user is unknown. The version is
 * not bumped. */
enum store_rc
store_user_totp_use_step(struct store *s, const char *id, int64_t step);

/*
 * Record a failed login of user `id` at `now`, atomically. Failures are
 * counted in a fixed window of `window_us` microseconds that starts at the
 * first failure; a failure at or after first_failed_at + window_us starts
 * a new window with a count of 1. When the count reaches `max_failures`
 * (>= 1) locked_at is set to `now` (an earlier lock is kept). Writes the
 * new count into *count and whether the account is locked into *locked.
 * STORE_NO_RESULTS when the user is unknown. The version is not bumped.
 */
enum store_rc store_user_login_failed(struct store *s,
                                      const char *id,
                                      int64_t now,
                                      int64_t window_us,
                                      int64_t max_failures,
                                      int64_t *count,
                                      bool *locked);

/* Forget the failures of user `id` (after a successful login); a lock is
 * kept. STORE_NO_RESULTS when unknown. The version is not bumped. */
enum store_rc store_user_failures_clear(struct store *s, const char *id);

/* Clear locked_at and the failures (an admin's unlock; bumps the
 * version). STORE_NO_RESULTS when unknown. */
enum store_rc
store_user_unlock(struct store *s, const char *id, int64_t updated_at);

#endif
