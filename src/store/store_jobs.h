/*
 * store_jobs.h: the store's background work: the job queue (claimed so
 * each job runs once even with several servers), the deliveries of
 * reminders, the webhooks admins register, and the per-user calendar feed
 * tokens.
 *
 * A job is due when run_at <= now, it is neither done nor dead, and it is
 * unclaimed or its lease has run out (claimed_until <= now: the server
 * that claimed it died). Claiming gives the job to one worker until the
 * lease ends; the worker then completes it or fails it. A failed job runs
 * again at the time the caller chose (backoff) or, when the caller says
 * so, becomes dead: dead jobs wait for an admin to retry them.
 *
 * Included by store/store.h; callers include that.
 */
#ifndef CM_STORE_STORE_JOBS_H
#define CM_STORE_STORE_JOBS_H

#include "store/store.h"

/* store_cases.h; declared here too, for files that include that first. */
struct store_cursor;

/* Which jobs store_job_list gives. */
enum store_job_state {
    STORE_JOB_STATE_ANY,     /* every job */
    STORE_JOB_STATE_PENDING, /* neither done nor dead (claimed or not) */
    STORE_JOB_STATE_DEAD,    /* failed too often; waiting for an admin */
    STORE_JOB_STATE_DONE     /* completed */
};

/* A background job. */
struct store_job {
    char id[STORE_ID_SIZE];
    int64_t version;
    int64_t created_at;
    int64_t updated_at;
    char *kind;       /* e.g. "reminder.email", "reminder.webhook" */
    char *payload;    /* JSON text, or NULL */
    char *unique_key; /* natural key inserted once, or NULL */
    int64_t run_at;   /* due from this instant */
    char *claimed_by; /* the worker holding the lease, or NULL */
    int64_t claimed_until;
    int64_t attempts; /* failed runs so far */
    char *last_error; /* why the last run failed (no secrets), or NULL */
    int64_t done_at;  /* 0 until completed */
    bool dead;
};

/* A reminder delivered (or given up on) under a unique key. */
struct store_delivery {
    char id[STORE_ID_SIZE];
    char *key; /* e.g. "email:<deadline>:<due>:<lead>:<user>" */
    char job_id[STORE_ID_SIZE];
    char *channel;                    /* email | webhook */
    char recipient_id[STORE_ID_SIZE]; /* user or webhook id */
    char *status;                     /* sent | skipped */
    int64_t at;
};

/* An endpoint that receives an organization's reminders. */
struct store_webhook {
    char id[STORE_ID_SIZE];
    int64_t version;
    int64_t created_at;
    int64_t updated_at;
    char org_id[STORE_ID_SIZE];
    char *url;
    char *events;             /* event names joined by commas */
    struct store_blob secret; /* sealed by the caller */
    char created_by[STORE_ID_SIZE];
    int64_t deleted_at; /* 0 while active */
};

typedef void (*store_job_cb)(void *cls, const struct store_job *j);
typedef void (*store_webhook_cb)(void *cls, const struct store_webhook *w);

/* The jobs part of a backend's function table (store_ops.jobs). */
struct store_jobs_ops {
    enum store_rc (*job_insert)(struct store *s, const struct store_job *j);
    enum store_rc (*job_get)(struct store *s,
                             const char *id,
                             struct store_job *out);
    int (*job_claim)(struct store *s,
                     const char *worker,
                     int64_t now,
                     int64_t lease_until,
                     int limit,
                     store_job_cb cb,
                     void *cls);
    enum store_rc (*job_complete)(struct store *s,
                                  const char *id,
                                  const char *worker,
                                  int64_t now);
    enum store_rc (*job_fail)(struct store *s,
                              const char *id,
                              const char *worker,
                              int64_t now,
                              int64_t next_run_at,
                              const char *error);
    enum store_rc (*job_retry)(struct store *s, const char *id, int64_t now);
    int (*job_list)(struct store *s,
                    enum store_job_state state,
                    const struct store_cursor *after,
                    int limit,
                    store_job_cb cb,
                    void *cls);
    enum store_rc (*delivery_insert)(struct store *s,
                                     const struct store_delivery *d);
    enum store_rc (*delivery_get_by_key)(struct store *s,
                                         const char *key,
                                         struct store_delivery *out);
    enum store_rc (*webhook_insert)(struct store *s,
                                    const struct store_webhook *w);
    enum store_rc (*webhook_get)(struct store *s,
                                 const char *id,
                                 struct store_webhook *out);
    int (*webhook_list)(struct store *s,
                        const struct store_cursor *after,
                        int limit,
                        store_webhook_cb cb,
                        void *cls);
    int (*webhook_list_for_orgs)(struct store *s,
                                 const char *org_a,
                                 const char *org_b,
                                 const char *org_c,
                                 store_webhook_cb cb,
                                 void *cls);
    enum store_rc (*webhook_delete)(struct store *s,
                                    const char *id,
                                    int64_t now);
    enum store_rc (*feed_token_set)(
        struct store *s,
        const char *user_id,
        const unsigned char token_hash[STORE_HASH_SIZE],
        int64_t now);
    enum store_rc (*feed_token_revoke)(struct store *s,
                                       const char *user_id,
                                       int64_t now);
    enum store_rc (*feed_token_user)(
        struct store *s,
        const unsigned char token_hash[STORE_HASH_SIZE],
        char user_id[STORE_ID_SIZE]);
};

/* ---- jobs --------------------------------------------------------------*/

/* Insert job `j` (version 1, attempts 0, not claimed, not done, not
 * dead, whatever those fields say). STORE_NO_RESULTS, with nothing
 * written, when the id is taken or another job has the same non-NULL
 * unique_key: a job for a natural key is made once. */
enum store_rc store_job_insert(struct store *s, const struct store_job *j);

/* Read job `id` into *out (release with store_job_release). */
enum store_rc
store_job_get(struct store *s, const char *id, struct store_job *out);

/*
 * Claim up to `limit` due jobs (see the top of this file) for worker
 * `worker` until `lease_until`, earliest run_at first, and call cb for
 * each as it now stands (claimed_by = worker). Atomic: of several workers
 * claiming at once, each job goes to exactly one. Run it in a write
 * transaction (store_tx_run). Returns the number claimed, or a negative
 * enum store_rc.
 */
int store_job_claim(struct store *s,
                    const char *worker,
                    int64_t now,
                    int64_t lease_until,
                    int limit,
                    store_job_cb cb,
                    void *cls);

/* Mark job `id`, claimed by `worker`, done at `now` and drop the claim.
 * STORE_NO_RESULTS when the job is not claimed by `worker` any more (its
 * lease ran out and another worker took it) or is already done. */
enum store_rc store_job_complete(struct store *s,
                                 const char *id,
                                 const char *worker,
                                 int64_t now);

/* Record a failed run of job `id`, claimed by `worker`: attempts + 1,
 * last_error = `error` (no secrets, no personal data; may be NULL), the
 * claim dropped; the job runs again at `next_run_at`, or is dead when
 * `next_run_at` is 0. STORE_NO_RESULTS as store_job_complete. */
enum store_rc store_job_fail(struct store *s,
                             const char *id,
                             const char *worker,
                             int64_t now,
                             int64_t next_run_at,
                             const char *error);

/* Make dead job `id` due again at `now` with attempts back to 0 (its
 * last_error is kept). STORE_NO_RESULTS when no dead job has that id. */
enum store_rc store_job_retry(struct store *s, const char *id, int64_t now);

/* Call cb for up to `limit` jobs in `state`, newest first by (created_at,
 * id), after `after` (NULL: from the start). Returns the number of rows,
 * or a negative enum store_rc. */
int store_job_list(struct store *s,
                   enum store_job_state state,
                   const struct store_cursor *after,
                   int limit,
                   store_job_cb cb,
                   void *cls);

/* Free the strings of `j` and zero it; accepts NULL. */
void store_job_release(struct store_job *j);

/* ---- deliveries --------------------------------------------------------*/

/* Record delivery `d`. STORE_NO_RESULTS, with nothing written, when the
 * id or key is taken: a reminder is recorded once. */
enum store_rc store_delivery_insert(struct store *s,
                                    const struct store_delivery *d);

/* Read the delivery recorded under `key`. */
enum store_rc store_delivery_get_by_key(struct store *s,
                                        const char *key,
                                        struct store_delivery *out);

void store_delivery_release(struct store_delivery *d);

/* ---- webhooks ----------------------------------------------------------*/

/* Insert webhook `w` (version 1, active). STORE_NO_RESULTS when the id is
 * taken. */
enum store_rc store_webhook_insert(struct store *s,
                                   const struct store_webhook *w);

/* Read webhook `id`, deleted or not (deleted_at says). */
enum store_rc
store_webhook_get(struct store *s, const char *id, struct store_webhook *out);

/* Call cb for up to `limit` active webhooks, newest first by (created_at,
 * id), after `after` (NULL: from the start). Returns the number of rows,
 * or a negative enum store_rc. */
int store_webhook_list(struct store *s,
                       const struct store_cursor *after,
                       int limit,
                       store_webhook_cb cb,
                       void *cls);

/* Call cb for every active webhook of any of the organizations `org_a`,
 * `org_b`, `org_c` (each NULL or "" for none), oldest first. Returns the
 * number of rows, or a negative enum store_rc. */
int store_webhook_list_for_orgs(struct store *s,
                                const char *org_a,
                                const char *org_b,
                                const char *org_c,
                                store_webhook_cb cb,
                                void *cls);

/* Delete webhook `id` at `now` (it stops receiving; the row stays, with
 * deleted_at). STORE_NO_RESULTS when unknown or already deleted. */
enum store_rc
store_webhook_delete(struct store *s, const char *id, int64_t now);

void store_webhook_release(struct store_webhook *w);

/* ---- calendar feed tokens ----------------------------------------------*/

/* Give user `user_id` the feed token whose hash is `token_hash`, made at
 * `now`, replacing (and so revoking) any token the user had.
 * STORE_ONE_RESULT; STORE_NO_RESULTS when the hash is another user's. */
enum store_rc
store_feed_token_set(struct store *s,
                     const char *user_id,
                     const unsigned char token_hash[STORE_HASH_SIZE],
                     int64_t now);

/* Revoke the feed token of `user_id` at `now`. STORE_NO_RESULTS when the
 * user has no token in force. */
enum store_rc
store_feed_token_revoke(struct store *s, const char *user_id, int64_t now);

/* The user whose token in force has hash `token_hash`, into user_id.
 * STORE_NO_RESULTS for an unknown or revoked token. */
enum store_rc
store_feed_token_user(struct store *s,
                      const unsigned char token_hash[STORE_HASH_SIZE],
                      char user_id[STORE_ID_SIZE]);

#endif
