/*
 * store.h: compel's persistence interface, one API over several backends.
 *
 * A `struct store` is one connection to a database chosen by URL
 * (`sqlite:PATH` now, `postgresql://...` later). It is owned by one thread
 * at a time; the server opens one per worker. Every backend fills a table
 * of function pointers (`struct store_ops`) and embeds `struct store` first
 * in its own struct. Callers never touch the table: they call the
 * `store_<entity>_<verb>()` wrappers below, which are the one place for
 * argument asserts and for fault injection (store_fault_set).
 *
 * Results: every call returns `enum store_rc`. STORE_HARD_ERROR is a bug,
 * a constraint the caller should have respected, or a broken database;
 * STORE_SOFT_ERROR is a transient conflict (SQLite BUSY/LOCKED, PostgreSQL
 * 40001/40P01) after which the whole transaction should be retried, which
 * store_tx_run does. STORE_NO_RESULTS / STORE_ONE_RESULT say how many rows
 * a get, update or insert touched; list calls return the number of rows
 * passed to their callback. Out-parameters are written only when the call
 * returns STORE_ONE_RESULT (or a count >= 0 for lists).
 *
 * Inserts return STORE_NO_RESULTS, with nothing written, when a row with
 * the same id or natural key (email, number, ...) already exists; the
 * caller turns that into CM_ERR_ALREADY_EXISTS. Updates check `version`
 * (optimistic concurrency): a stale or unknown version gives
 * STORE_NO_RESULTS and changes nothing.
 *
 * Data conventions: ids are 22-character opaque ids (cm_id_new) kept in
 * fixed `char[STORE_ID_SIZE]` arrays, where "" means none (SQL NULL);
 * timestamps are int64 microseconds since the Unix epoch, UTC, supplied by
 * the caller's clock, where 0 means none (SQL NULL); calendar dates are
 * "YYYY-MM-DD" strings; money is integer cents; enumerations are the API's
 * snake_case names. Personal fields arrive already encrypted, as bytes.
 * Row structs own their strings and blobs: free them with the matching
 * `_release()`, which accepts NULL and leaves the struct zeroed.
 */
#ifndef CM_STORE_STORE_H
#define CM_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/embedded.h"
#include "core/errors.h"
#include "core/rand.h"

/* Bytes of an id field, including the NUL. */
#define STORE_ID_SIZE (CM_ID_LEN + 1)

/* Bytes of a case number ("SUB-2026-000123") field, including the NUL. */
#define STORE_NUMBER_SIZE 24

/* Bytes of an audit hash. */
#define STORE_HASH_SIZE 32

/* How many times store_tx_run tries a transaction that keeps failing with a
 * soft error before it gives up. */
#define STORE_TX_MAX_ATTEMPTS 5
/* Attempts of a whole group (store_tx_run_group) before its members run
 * one by one. */
#define STORE_TX_GROUP_ATTEMPTS 2

enum store_rc {
    STORE_HARD_ERROR = -2,
    STORE_SOFT_ERROR = -1,
    STORE_NO_RESULTS = 0,
    STORE_ONE_RESULT = 1
};

/* Whether store_open may create the database. */
enum store_open_mode {
    STORE_OPEN_MODE_EXISTING, /* open an existing database only */
    STORE_OPEN_MODE_CREATE    /* create a new one; never open an old one */
};

/* What an injected fault looks like (store_fault_set). */
enum store_fault {
    STORE_FAULT_SOFT_ONCE,       /* the Nth call fails soft, later ones work */
    STORE_FAULT_HARD_ONCE,       /* the Nth call fails hard, later ones work */
    STORE_FAULT_SOFT_PERSISTENT, /* the Nth and every later call fail soft */
    STORE_FAULT_HARD_PERSISTENT  /* the Nth and every later call fail hard */
};

/* Which blind index store_person_find searches. */
enum store_person_index {
    STORE_PERSON_INDEX_FAMILY_NAME,
    STORE_PERSON_INDEX_DATE_OF_BIRTH,
    STORE_PERSON_INDEX_A_NUMBER
};

/* Bytes owned by a row (ciphertext, keyed hashes). data NULL means none. */
struct store_blob {
    unsigned char *data;
    size_t len;
};

struct store_org {
    char id[STORE_ID_SIZE];
    int64_t version;
    int64_t created_at;
    int64_t updated_at;
    char *kind; /* agency_office | jurisdiction | doj_office */
    char *name;
    char *state;    /* two-letter US state, or NULL */
    char *timezone; /* IANA zone, e.g. "America/Denver" */
    bool requires_counsel_review;
};

struct store_facility {
    char id[STORE_ID_SIZE];
    int64_t version;
    int64_t created_at;
    int64_t updated_at;
    char org_id[STORE_ID_SIZE];
    char *name;
    char *timezone;
};

struct store_user {
    char id[STORE_ID_SIZE];
    int64_t version;
    int64_t created_at;
    int64_t updated_at;
    char *email;
    char *name;
    char org_id[STORE_ID_SIZE];
    unsigned roles; /* role_set: bit (1u << enum role) */
    char *title;    /* or NULL */
    char *password_hash;
    bool disabled;
    int64_t failed_logins;
    int64_t first_failed_at;
    int64_t locked_at;
    struct store_blob totp_secret; /* encrypted; data NULL when none */
    int64_t totp_last_step;
    bool totp_enabled; /* the secret was confirmed with a code */
};

struct store_person {
    char id[STORE_ID_SIZE];
    int64_t version;
    int64_t created_at;
    int64_t updated_at;
    struct store_blob family_name; /* ciphertext, required */
    struct store_blob given_names;
    struct store_blob date_of_birth;
    struct store_blob identifiers;
    struct store_blob aliases;
    struct store_blob family_name_bidx; /* blind index, required */
    struct store_blob dob_bidx;
    struct store_blob a_number_bidx;
    char org_id[STORE_ID_SIZE]; /* the agency office that recorded it, or
                                   "" for records older than owners */
};

struct store_detainer {
    char id[STORE_ID_SIZE];
    int64_t version;
    int64_t created_at;
    int64_t updated_at;
    char number[STORE_NUMBER_SIZE];
    char person_id[STORE_ID_SIZE];
    char facility_id[STORE_ID_SIZE];
    char agency_org_id[STORE_ID_SIZE];
    char lodged_by[STORE_ID_SIZE];
    char *form;      /* "I-247A" */
    char *basis;     /* final_order | pending_proceedings | ... */
    char *hold_rule; /* 48h-clock | 48h-excluding-weekends-holidays | ... */
    char *state;     /* lodged | acknowledged | honored | declined | ... */
    char *outcome_source; /* reported | observed | inferred, or NULL */
    char decline_policy_id[STORE_ID_SIZE]; /* policy in force on decline */
    char *reason;                          /* decline reason, or NULL */
    int64_t otherwise_release_at;
    int64_t max_hold_until;
    int64_t released_at;
    int64_t transferred_at;
    int notice_given; /* -1 unknown, 0 no, 1 yes */
    int64_t acknowledged_at;
    int64_t decided_at;  /* honored or declined */
    char *cancel_reason; /* or NULL */
};

struct store_subpoena_item {
    char id[STORE_ID_SIZE];
    int64_t version;
    int64_t created_at;
    int64_t updated_at;
    int64_t position; /* 1, 2, ... in the order requested */
    char *category;   /* home_address | work_address | ... | other */
    char *description;
    char *outcome; /* produced | not_held | objected | withheld, or NULL */
    char *ground;  /* objection ground, or NULL */
    struct store_blob value; /* encrypted produced value */
};

struct store_subpoena {
    char id[STORE_ID_SIZE];
    int64_t version;
    int64_t created_at;
    int64_t updated_at;
    char number[STORE_NUMBER_SIZE];
    char agency_org_id[STORE_ID_SIZE];
    char recipient_org_id[STORE_ID_SIZE];
    char person_id[STORE_ID_SIZE];   /* "" when none */
    char detainer_id[STORE_ID_SIZE]; /* "" when none */
    char *purpose;
    char *state; /* draft | in_review | ready_to_sign | signed | ... */
    char drafted_by[STORE_ID_SIZE];
    char signed_by[STORE_ID_SIZE];
    int64_t signed_at;
    int64_t served_at;
    char *service_method; /* personal | certified_mail | email | courier */
    char *served_to;
    char *return_date; /* YYYY-MM-DD or NULL */
    char *original_return_date;
    int64_t responded_at;
    char *disposition; /* complied | partially_complied | ... or NULL */
    char *refusal_reason;
    char *withdrawal_reason;
    char *response_note;
    char enforcement_id[STORE_ID_SIZE];
    int64_t acknowledged_at;           /* the recipient acknowledged receipt */
    struct store_subpoena_item *items; /* n_items of them */
    size_t n_items;
};

struct store_event {
    char *case_kind; /* detainer | subpoena | enforcement */
    char case_id[STORE_ID_SIZE];
    int64_t seq; /* 1, 2, ... per case; assigned by store_event_append */
    char *action;
    char actor_id[STORE_ID_SIZE]; /* "" for the system */
    char *role;
    int64_t at;
    char *details; /* JSON text, or NULL */
};

struct store_audit {
    int64_t seq; /* assigned by store_audit_append */
    int64_t at;
    char *actor_id;
    char *org_id;
    char *role;
    char *session_hash; /* hex of a hash of the session, never a token */
    char *client_addr;
    char *action;
    char *object_kind;
    char *object_id;
    char *outcome;
    char *detail; /* free text without personal values, or NULL */
    unsigned char prev_hash[STORE_HASH_SIZE];
    unsigned char hash[STORE_HASH_SIZE];
};

struct store;
struct store_auth_ops;
struct store_admin_ops;
struct store_cases_ops;
struct store_infra_ops;
struct store_jobs_ops;
struct store_bulk_ops;
struct store_docs_ops;
struct store_sign_ops;
struct store_reports_ops;
struct store_copy_ops;
struct store_retention_ops;
struct store_keys_ops;

/* Called once per listed row; the row is borrowed for the call only. */
typedef void (*store_org_cb)(void *cls, const struct store_org *org);
typedef void (*store_facility_cb)(void *cls, const struct store_facility *f);
typedef void (*store_person_cb)(void *cls, const struct store_person *p);
typedef void (*store_event_cb)(void *cls, const struct store_event *ev);
typedef void (*store_audit_cb)(void *cls, const struct store_audit *a);

/* The body of a transaction (store_tx_run). See there for what it returns. */
typedef enum store_rc (*store_tx_fn)(struct store *s, void *ctx);

/* The table every backend fills. Callers use the wrappers, never this. */
struct store_ops {
    const char *name; /* "sqlite" */
    void (*close)(struct store *s);
    enum store_rc (*begin)(struct store *s);
    enum store_rc (*commit)(struct store *s);
    void (*rollback)(struct store *s);
    /* A transaction that only reads (no write lock taken up front). */
    enum store_rc (*begin_read)(struct store *s);
    /* The savepoint around each member of a group commit. */
    enum store_rc (*group_savepoint)(struct store *s);
    enum store_rc (*group_release)(struct store *s);
    enum store_rc (*group_rollback_to)(struct store *s);
    /* The connection's page cache (store_cache_*); NULL where the backend
     * keeps none in this process (PostgreSQL). */
    int64_t (*cache_used)(struct store *s);
    void (*cache_limit)(struct store *s, int64_t bytes);
    void (*cache_release)(struct store *s);
    const struct cm_embedded *migrations;
    enum store_rc (*migration_prepare)(struct store *s);
    enum store_rc (*migration_is_applied)(struct store *s, const char *name);
    enum store_rc (*migration_apply)(struct store *s,
                                     const char *name,
                                     const char *sql,
                                     int64_t now);
    enum store_rc (*meta_get)(struct store *s, const char *key, char **value);
    enum store_rc (*meta_set)(struct store *s,
                              const char *key,
                              const char *value);
    /* A consistent copy of the whole database into the new file `path`
     * (store_backup). */
    enum store_rc (*backup)(struct store *s, const char *path);
    enum store_rc (*case_number_next)(struct store *s,
                                      const char *prefix,
                                      int year,
                                      char out[STORE_NUMBER_SIZE]);
    enum store_rc (*org_insert)(struct store *s, const struct store_org *o);
    enum store_rc (*org_get)(struct store *s,
                             const char *id,
                             struct store_org *out);
    int (*org_list)(struct store *s,
                    const char *after_id,
                    int limit,
                    store_org_cb cb,
                    void *cls);
    enum store_rc (*facility_insert)(struct store *s,
                                     const struct store_facility *f);
    enum store_rc (*facility_get)(struct store *s,
                                  const char *id,
                                  struct store_facility *out);
    int (*facility_list_by_org)(struct store *s,
                                const char *org_id,
                                store_facility_cb cb,
                                void *cls);
    enum store_rc (*user_insert)(struct store *s, const struct store_user *u);
    enum store_rc (*user_get)(struct store *s,
                              const char *id,
                              struct store_user *out);
    enum store_rc (*user_get_by_email)(struct store *s,
                                       const char *email,
                                       struct store_user *out);
    enum store_rc (*person_insert)(struct store *s,
                                   const struct store_person *p);
    enum store_rc (*person_get)(struct store *s,
                                const char *id,
                                struct store_person *out);
    int (*person_find)(struct store *s,
                       enum store_person_index index,
                       const struct store_blob *key,
                       store_person_cb cb,
                       void *cls);
    enum store_rc (*detainer_insert)(struct store *s,
                                     const struct store_detainer *d);
    enum store_rc (*detainer_get)(struct store *s,
                                  const char *id,
                                  struct store_detainer *out);
    enum store_rc (*detainer_update)(struct store *s,
                                     const struct store_detainer *d);
    enum store_rc (*subpoena_items_replace)(struct store *s,
                                            const struct store_subpoena *sp);
    enum store_rc (*subpoena_insert)(struct store *s,
                                     const struct store_subpoena *sp);
    enum store_rc (*subpoena_get)(struct store *s,
                                  const char *id,
                                  struct store_subpoena *out);
    enum store_rc (*subpoena_update)(struct store *s,
                                     const struct store_subpoena *sp);
    enum store_rc (*subpoena_update_state)(struct store *s,
                                           const char *id,
                                           int64_t version,
                                           const char *state,
                                           int64_t updated_at);
    enum store_rc (*event_append)(struct store *s,
                                  const struct store_event *ev,
                                  int64_t *seq);
    int (*event_list)(struct store *s,
                      const char *case_kind,
                      const char *case_id,
                      store_event_cb cb,
                      void *cls);
    enum store_rc (*audit_append)(struct store *s,
                                  const struct store_audit *a,
                                  int64_t *seq);
    enum store_rc (*audit_get)(struct store *s,
                               int64_t seq,
                               struct store_audit *out);
    enum store_rc (*audit_head)(struct store *s,
                                int64_t *seq,
                                unsigned char hash[STORE_HASH_SIZE]);
    int (*audit_range)(struct store *s,
                       int64_t from_seq,
                       int64_t to_seq,
                       store_audit_cb cb,
                       void *cls);
    /* The groups of store_auth.h, store_admin.h, store_cases.h and
     * store_infra.h. */
    const struct store_auth_ops *auth;
    const struct store_admin_ops *admin;
    const struct store_cases_ops *cases;
    const struct store_infra_ops *infra;
    const struct store_jobs_ops *jobs;       /* store_jobs.h */
    const struct store_bulk_ops *bulk;       /* store_bulk.h */
    const struct store_docs_ops *docs;       /* store_docs.h */
    const struct store_sign_ops *sign;       /* store_sign.h */
    const struct store_reports_ops *reports; /* store_reports.h */
    const struct store_copy_ops *copy;       /* store_copy.h */
    /* store_retention.h */
    const struct store_retention_ops *retention;
    const struct store_keys_ops *keys; /* store_keys.h */
};

/* The base every backend struct embeds first. Only store.c and backends
 * touch the fields. */
struct store {
    const struct store_ops *ops;
    bool in_tx; /* inside store_tx_run's callback */
    /* The last COMMIT failed with the connection lost while it ran: it
     * may have committed. Set by the backend, cleared at begin; the
     * transaction runners do not rerun such a transaction. */
    bool is_commit_unknown;
    unsigned long fault_calls; /* wrapper calls since store_fault_set */
    unsigned long fault_at;    /* 0: no fault armed */
    enum store_fault fault_kind;
};

/* ---- connections -------------------------------------------------------*/

/*
 * Open the database named by `url` ("sqlite:PATH" or
 * "postgresql://..."). With STORE_OPEN_MODE_EXISTING the database must
 * exist (CM_ERR_NOT_FOUND otherwise), so a mistyped path never yields an
 * empty database; with STORE_OPEN_MODE_CREATE it must not exist
 * (CM_ERR_ALREADY_EXISTS; for PostgreSQL: hold no compel schema) and is
 * created, mode 0600. An unknown scheme or a URL without a path is
 * CM_ERR_USAGE; a backend that does not have every operation group yet
 * (PostgreSQL, while it is being written) is CM_ERR_UNAVAILABLE; a
 * database that cannot be opened or configured is CM_ERR_STORE_FAILURE. On
 * failure *why (when `why` is not NULL) is set to a static English reason.
 * *out, written on success, is freed with store_close. Migrations are not
 * applied: call store_migrate.
 */
enum cm_err store_open(const char *url,
                       enum store_open_mode mode,
                       struct store **out,
                       const char **why);

/* As store_open, but also a backend that lacks operation groups (their
 * table pointers NULL): for the store contract suite only, which runs the
 * groups a backend has while the rest is being written. */
enum cm_err store_open_partial(const char *url,
                               enum store_open_mode mode,
                               struct store **out,
                               const char **why);

/* True when the backend of `s` has every operation group. */
bool store_is_complete(const struct store *s);

/* Close the connection and free `s`; accepts NULL. */
void store_close(struct store *s);

/* The backend's name ("sqlite"). */
const char *store_backend_name(const struct store *s);

/* ---- transactions ------------------------------------------------------*/

/*
 * Run `fn(s, ctx)` in a transaction: the only way compel writes more than
 * one row. Begins (BEGIN IMMEDIATE on SQLite), calls fn, commits.
 *
 * fn returns an enum store_rc:
 *   - STORE_NO_RESULTS or any positive value: commit; that value is then
 *     what store_tx_run returns;
 *   - STORE_SOFT_ERROR: roll back and run the whole transaction again
 *     (after a short, growing pause), at most STORE_TX_MAX_ATTEMPTS times in
 *     all; when the attempts run out store_tx_run returns
 *     STORE_SOFT_ERROR;
 *   - STORE_HARD_ERROR: roll back and return STORE_HARD_ERROR. A callback
 *     that must abandon the transaction for a business reason (a stale
 *     version, a failed guard) returns this too, after noting the reason in
 *     its ctx.
 * A soft error from begin or commit is retried the same way. Because fn
 * may run several times, it must reset whatever it writes into ctx when it
 * starts. fn must not call store_tx_run (no nesting). `name` labels log
 * lines.
 */
int store_tx_run(struct store *s, const char *name, store_tx_fn fn, void *ctx);

/* One member of a group commit (store_tx_run_group). */
struct store_tx_job {
    const char *name;
    store_tx_fn fn;
    void *ctx;
    int rc; /* written: what the member's fn returned, as store_tx_run */
};

/*
 * Group commit: run the bodies of `n` independent transactions inside ONE
 * database transaction, so that they share its commit (one fsync instead
 * of n). Each body runs inside a savepoint of its own: a body that returns
 * STORE_HARD_ERROR (a refusal, a constraint) is rolled back to its
 * savepoint alone and the others go on; its jobs[i].rc is
 * STORE_HARD_ERROR. A soft error in any body, at begin or at commit rolls
 * the whole group back and runs it again (each body must therefore reset
 * what it writes into its ctx when it starts, as for store_tx_run). After
 * STORE_TX_GROUP_ATTEMPTS such attempts a group of several members runs
 * each member as a transaction of its own (store_tx_run, with its own
 * attempts: writers on other servers may keep deadlocking with a whole
 * group), and each jobs[i].rc is that run's result; a group of one is
 * tried STORE_TX_MAX_ATTEMPTS times, then gets STORE_SOFT_ERROR. A hard
 * error at begin or commit gives every member STORE_HARD_ERROR. After a
 * successful commit jobs[i].rc is what body i returned (>= 0), or
 * STORE_HARD_ERROR for a body rolled back alone. Returns 0 when the group
 * committed or its members ran one by one, else the error every member
 * got.
 */
int store_tx_run_group(struct store *s, struct store_tx_job *jobs, size_t n);

/* As store_tx_run, but the transaction only reads: it takes no write lock
 * up front, so it does not wait for a writer (WAL readers see the last
 * commit). A body that writes anyway may meet a soft error (the snapshot
 * is stale) and is then run again. */
int
store_tx_run_read(struct store *s, const char *name, store_tx_fn fn, void *ctx);

/* ---- fault injection (tests) -------------------------------------------*/

/*
 * Make the `n`th wrapper call from now (n >= 1; every store_* call below
 * and the begin and commit inside store_tx_run count) fail with the error
 * `kind` describes, without reaching the database; with a persistent kind
 * every later call fails too.
 */
void store_fault_set(struct store *s, unsigned long n, enum store_fault kind);

/* Disarm any fault; calls reach the database again. */
void store_fault_clear(struct store *s);

/* How many wrapper calls have been counted since store_fault_set or
 * store_fault_clear. */
unsigned long store_fault_calls(const struct store *s);

/* ---- schema ------------------------------------------------------------*/

/*
 * Apply every migration of the backend's dialect not yet recorded in
 * schema_migrations, in name order, each in its own transaction, recorded
 * with `now`. *applied (written on success) counts those applied now.
 * STORE_ONE_RESULT on success.
 */
enum store_rc store_migrate(struct store *s, int64_t now, int *applied);

/* The page cache a connection keeps in this process (SQLite's; the
 * PostgreSQL backend keeps none: 0 and no-ops). A server's pooled
 * connections share one budget through these (http/app.c).
 *   store_cache_used: bytes of pages held now;
 *   store_cache_limit: let the cache grow to `bytes` (at least 64 KiB);
 *   store_cache_release: free every page not in use (no transaction may
 *   be open on `s`). */
int64_t store_cache_used(struct store *s);
void store_cache_limit(struct store *s, int64_t bytes);
void store_cache_release(struct store *s);

/* *pending (written on success) = the number of migrations not applied. */
enum store_rc store_migrations_pending(struct store *s, int *pending);

/* *version (written on success) = the number of the latest migration
 * applied (1 for "0001-init.sql"), 0 for none. */
enum store_rc store_schema_version(struct store *s, int *version);

/* ---- meta: key/value settings of the installation ----------------------*/

/* *value (written on STORE_ONE_RESULT; free with cm_free) = the value of
 * `key`; STORE_NO_RESULTS when unset. */
enum store_rc store_meta_get(struct store *s, const char *key, char **value);

/* Set `key` to `value`, replacing any old value. STORE_ONE_RESULT. */
enum store_rc
store_meta_set(struct store *s, const char *key, const char *value);

/* ---- backup ------------------------------------------------------------*/

/* Copy the whole database, as it stands at one moment, into the file
 * `path`, which must not exist yet; writers go on meanwhile. Call it
 * outside any transaction. The copy is readable by its owner only.
 * STORE_ONE_RESULT on success; STORE_SOFT_ERROR when the database was
 * busy (try again); STORE_HARD_ERROR otherwise (the file exists, the
 * disk is full, ...). */
enum store_rc store_backup(struct store *s, const char *path);

struct buf;

/* Check the SQLite database file `path` on its own, outside any store
 * (`compel backup` and `compel restore` check a copy before trusting it):
 * run PRAGMA integrity_check and count the rows of every table. On
 * STORE_ONE_RESULT appends "TABLE COUNT\n" for every table, in name
 * order, to `counts`. STORE_NO_RESULTS when integrity_check finds damage
 * (its first findings appended to `problem`); STORE_HARD_ERROR when the
 * file cannot be opened or read as a database (the reason appended to
 * `problem`). Never creates `path`; leaves no -wal or -shm file. */
enum store_rc store_sqlite_file_check(const char *path,
                                      struct buf *counts,
                                      struct buf *problem);

/* ---- case numbers ------------------------------------------------------*/

/*
 * Bump the counter of `prefix` ("DET", "SUB" or "ENF") for `year` and write
 * the new number ("SUB-2026-000123") into `out`. Call it inside the
 * transaction that creates the case, so that a rolled-back case leaves no
 * gap. STORE_ONE_RESULT.
 */
enum store_rc store_case_number_next(struct store *s,
                                     const char *prefix,
                                     int year,
                                     char out[STORE_NUMBER_SIZE]);

/* ---- organizations and facilities --------------------------------------*/

/* Insert `o` (id, created_at, updated_at and fields set by the caller;
 * version becomes 1). STORE_NO_RESULTS when the id or (kind, state, name)
 * is taken. */
enum store_rc store_org_insert(struct store *s, const struct store_org *o);

/* Read organization `id` into *out (release with store_org_release). */
enum store_rc
store_org_get(struct store *s, const char *id, struct store_org *out);

/* Call cb for up to `limit` organizations in creation order, starting
 * after the one whose id is `after_id` (NULL or "" for the start).
 * Returns the number of rows, or a negative enum store_rc. */
int store_org_list(struct store *s,
                   const char *after_id,
                   int limit,
                   store_org_cb cb,
                   void *cls);

/* Free the strings of `o` and zero it; accepts NULL. */
void store_org_release(struct store_org *o);

/* Insert facility `f`; STORE_NO_RESULTS when the id or (org, name) is
 * taken. */
enum store_rc store_facility_insert(struct store *s,
                                    const struct store_facility *f);

enum store_rc
store_facility_get(struct store *s, const char *id, struct store_facility *out);

/* Call cb for each facility of `org_id` in creation order. Returns the
 * number of rows, or a negative enum store_rc. */
int store_facility_list_by_org(struct store *s,
                               const char *org_id,
                               store_facility_cb cb,
                               void *cls);

/* Free the strings of `f` and zero it; accepts NULL. */
void store_facility_release(struct store_facility *f);

/* ---- users -------------------------------------------------------------*/

/* Insert user `u`; STORE_NO_RESULTS when the id is taken or another user
 * has the same email, compared case-insensitively (ASCII). */
enum store_rc store_user_insert(struct store *s, const struct store_user *u);

enum store_rc
store_user_get(struct store *s, const char *id, struct store_user *out);

/* Find the user whose email equals `email` ignoring ASCII case. */
enum store_rc store_user_get_by_email(struct store *s,
                                      const char *email,
                                      struct store_user *out);

/* Free the strings and blob of `u` and zero it; accepts NULL. */
void store_user_release(struct store_user *u);

/* ---- people ------------------------------------------------------------*/

/* Insert person `p` (ciphertexts and blind indexes computed above).
 * STORE_NO_RESULTS when the id is taken. */
enum store_rc store_person_insert(struct store *s,
                                  const struct store_person *p);

enum store_rc
store_person_get(struct store *s, const char *id, struct store_person *out);

/* Call cb for every person whose blind index `index` equals `key` exactly,
 * in creation order. Returns the number of rows, or a negative rc. */
int store_person_find(struct store *s,
                      enum store_person_index index,
                      const struct store_blob *key,
                      store_person_cb cb,
                      void *cls);

/* Free the blobs of `p` and zero it; accepts NULL. */
void store_person_release(struct store_person *p);

/* ---- detainers ---------------------------------------------------------*/

/* Insert detainer `d` (version becomes 1). STORE_NO_RESULTS when the id or
 * number is taken. */
enum store_rc store_detainer_insert(struct store *s,
                                    const struct store_detainer *d);

enum store_rc
store_detainer_get(struct store *s, const char *id, struct store_detainer *out);

/* Write every mutable field of `d` (hold_rule, state, outcome_source,
 * decline_policy_id, reason, the times, notice_given, acknowledged_at,
 * decided_at, cancel_reason and updated_at) when the stored version equals
 * d->version, and bump the version by one. STORE_NO_RESULTS when the detainer
 * is unknown or its version differs (someone changed it since it was read). */
enum store_rc store_detainer_update(struct store *s,
                                    const struct store_detainer *d);

/* Free the strings of `d` and zero it; accepts NULL. */
void store_detainer_release(struct store_detainer *d);

/* ---- subpoenas ---------------------------------------------------------*/

/* Insert subpoena `sp` and its items, all or nothing (version 1 for
 * each; item i gets position i + 1 and the subpoena's created_at and
 * updated_at, whatever its own fields say). STORE_NO_RESULTS, with nothing
 * written, when the id or number of the subpoena or the id of an item is
 * taken. */
enum store_rc store_subpoena_insert(struct store *s,
                                    const struct store_subpoena *sp);

/* Replace every item of subpoena sp->id by sp->items (all or nothing;
 * version 1 for each; item i gets position i + 1 and sp->updated_at as its
 * created_at and updated_at). For drafts only: the caller has checked the
 * state, and the old items have no outcome. STORE_NO_RESULTS, with nothing
 * changed, when the id of a new item is taken. */
enum store_rc store_subpoena_items_replace(struct store *s,
                                           const struct store_subpoena *sp);

/* Read subpoena `id` with its items in position order into *out (release
 * with store_subpoena_release, which frees the items too). */
enum store_rc
store_subpoena_get(struct store *s, const char *id, struct store_subpoena *out);

/* Write the subpoena's mutable scalar fields (everything but id, number,
 * agency_org_id, drafted_by, created_at and the items) when the
 * stored version equals sp->version, bumping it. STORE_NO_RESULTS when
 * unknown or stale. */
enum store_rc store_subpoena_update(struct store *s,
                                    const struct store_subpoena *sp);

/* Set only the state (and updated_at) when the stored version equals
 * `version`, bumping it. STORE_NO_RESULTS when unknown or stale. */
enum store_rc store_subpoena_update_state(struct store *s,
                                          const char *id,
                                          int64_t version,
                                          const char *state,
                                          int64_t updated_at);

/* Free the strings and items of `sp` and zero it; accepts NULL. */
void store_subpoena_release(struct store_subpoena *sp);

/* ---- case timelines ----------------------------------------------------*/

/* Append `ev` to its case's timeline (ev->seq is ignored) and write the
 * seq it got (1 for a case's first event) into *seq. STORE_ONE_RESULT. */
enum store_rc
store_event_append(struct store *s, const struct store_event *ev, int64_t *seq);

/* Call cb for each event of the case, oldest first (seq order). Returns
 * the number of rows, or a negative enum store_rc. */
int store_event_list(struct store *s,
                     const char *case_kind,
                     const char *case_id,
                     store_event_cb cb,
                     void *cls);

/* Free the strings of `ev` and zero it; accepts NULL. */
void store_event_release(struct store_event *ev);

/* ---- audit trail -------------------------------------------------------*/

/* Append `a` (a->seq ignored; prev_hash and hash computed by the caller)
 * and write its seq into *seq. Within a transaction the seq is the head's
 * seq + 1, so a caller may read the head, hash, then append. Rows are never
 * changed or removed. STORE_ONE_RESULT. */
enum store_rc
store_audit_append(struct store *s, const struct store_audit *a, int64_t *seq);

enum store_rc
store_audit_get(struct store *s, int64_t seq, struct store_audit *out);

/* The chain's head: *seq and hash of the last entry (written on
 * STORE_ONE_RESULT); STORE_NO_RESULTS when the trail is empty. */
enum store_rc store_audit_head(struct store *s,
                               int64_t *seq,
                               unsigned char hash[STORE_HASH_SIZE]);

/* Call cb for each entry with from_seq <= seq <= to_seq in seq order.
 * Returns the number of rows, or a negative enum store_rc. */
int store_audit_range(struct store *s,
                      int64_t from_seq,
                      int64_t to_seq,
                      store_audit_cb cb,
                      void *cls);

/* Free the strings of `a` and zero it; accepts NULL. */
void store_audit_release(struct store_audit *a);

/* ---- helpers -----------------------------------------------------------*/

/* Free a blob's bytes and zero it; accepts NULL. */
void store_blob_release(struct store_blob *b);

/* A copy of `n` bytes of `data` (NULL data gives an empty blob). */
struct store_blob store_blob_dup(const void *data, size_t n);

/* The operation groups added for the HTTP service. */
#include "store/store_admin.h"   /* IWYU pragma: export */
#include "store/store_auth.h"    /* IWYU pragma: export */
#include "store/store_bulk.h"    /* IWYU pragma: export */
#include "store/store_cases.h"   /* IWYU pragma: export */
#include "store/store_copy.h"    /* IWYU pragma: export */
#include "store/store_docs.h"    /* IWYU pragma: export */
#include "store/store_infra.h"   /* IWYU pragma: export */
#include "store/store_jobs.h"    /* IWYU pragma: export */
#include "store/store_reports.h" /* IWYU pragma: export */
#include "store/store_sign.h"    /* IWYU pragma: export */

/* Legal holds and the retention purge. */
#include "store/store_retention.h" /* IWYU pragma: export */

/* Key rotation's sealed values. */
#include "store/store_keys.h" /* IWYU pragma: export */

#endif
