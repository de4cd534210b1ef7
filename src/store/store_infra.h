/*
 * store_infra.h: the store's plumbing for the HTTP service: idempotency
 * keys of creating requests, the audit trail listed with filters, and the
 * counters of the rate limits (shared by every server of one store).
 *
 * Included by store/store.h; callers include that.
 */
#ifndef CM_STORE_STORE_INFRA_H
#define CM_STORE_STORE_INFRA_H

#include "store/store.h"

/* The first request made with an Idempotency-Key, and its response. */
struct store_idempotency {
    char user_id[STORE_ID_SIZE];
    char *key;
    unsigned char request_hash[STORE_HASH_SIZE]; /* hash of method+path+body */
    char *method;
    char *path;
    int status; /* HTTP status of the response; 0 while in progress */
    char *body; /* the response body, or NULL */
    int64_t created_at;
};

/* Filters of store_audit_list; NULL, "" or 0 means none. */
struct store_audit_filter {
    const char *actor_id;
    const char *object_kind;
    const char *object_id;
    int64_t from_us; /* at >= from_us */
    int64_t to_us;   /* at < to_us */
};

/* The infra part of a backend's function table (store_ops.infra). */
struct store_infra_ops {
    enum store_rc (*idempotency_get)(struct store *s,
                                     const char *user_id,
                                     const char *key,
                                     struct store_idempotency *out);
    enum store_rc (*idempotency_insert)(struct store *s,
                                        const struct store_idempotency *r);
    enum store_rc (*idempotency_set_response)(struct store *s,
                                              const char *user_id,
                                              const char *key,
                                              int status,
                                              const char *body);
    int (*idempotency_delete_before)(struct store *s, int64_t cutoff);
    int (*audit_list)(struct store *s,
                      const struct store_audit_filter *filter,
                      int64_t after_seq,
                      int limit,
                      store_audit_cb cb,
                      void *cls);
    enum store_rc (*rate_hit)(struct store *s,
                              const char *bucket,
                              int64_t window_start,
                              int64_t now,
                              int64_t *count);
    int (*rate_delete_before)(struct store *s, int64_t cutoff);
};

/* ---- idempotency keys --------------------------------------------------*/

/* Read the record of (user_id, key) into *out (release with
 * store_idempotency_release). */
enum store_rc store_idempotency_get(struct store *s,
                                    const char *user_id,
                                    const char *key,
                                    struct store_idempotency *out);

/* Claim (r->user_id, r->key) by inserting `r` (usually with status 0 and
 * no body, before the request runs). STORE_NO_RESULTS when the pair
 * exists: of two concurrent first requests exactly one wins. */
enum store_rc store_idempotency_insert(struct store *s,
                                       const struct store_idempotency *r);

/* Record the response of a claimed key. STORE_NO_RESULTS when unknown. */
enum store_rc store_idempotency_set_response(struct store *s,
                                             const char *user_id,
                                             const char *key,
                                             int status,
                                             const char *body);

/* Delete records created before `cutoff`. Returns how many, or a negative
 * enum store_rc. */
int store_idempotency_delete_before(struct store *s, int64_t cutoff);

void store_idempotency_release(struct store_idempotency *r);

/* ---- audit -------------------------------------------------------------*/

/* Call cb for up to `limit` audit entries that pass `filter` (NULL: none)
 * with seq > after_seq, in seq order (oldest first). Returns the number of
 * rows, or a negative enum store_rc. */
int store_audit_list(struct store *s,
                     const struct store_audit_filter *filter,
                     int64_t after_seq,
                     int limit,
                     store_audit_cb cb,
                     void *cls);

/* ---- rate limits -------------------------------------------------------*/

/*
 * Count one call against `bucket` (1-255 bytes, e.g. "user:<id>") in the
 * fixed window that starts at `window_start` (microseconds), in one
 * atomic statement, so that calls counted by several connections (several
 * servers) at once are all counted exactly: *count is the number of calls
 * in the bucket's window, this one included. A bucket keeps one window: a
 * call for a later window starts it again at 1; a call for an earlier one
 * (from a server whose clock lags) counts in the bucket's current window.
 * `now` is recorded as the bucket's last use. STORE_ONE_RESULT, or an
 * error.
 */
enum store_rc store_rate_hit(struct store *s,
                             const char *bucket,
                             int64_t window_start,
                             int64_t now,
                             int64_t *count);

/* Delete the buckets whose window started before `cutoff` (they count
 * nothing any more). Returns how many, or a negative enum store_rc. */
int store_rate_delete_before(struct store *s, int64_t cutoff);

#endif
