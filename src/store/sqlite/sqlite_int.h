/*
 * sqlite_int.h: what the files of the SQLite backend share: the connection
 * struct with its statement cache, the binding and column helpers, the
 * run helpers, the column lists and row readers of the entities of
 * store.h, and the function tables of the operation groups
 * (sq_auth.c, sq_admin.c, sq_cases.c, sq_infra.c).
 *
 * Internal to src/store/sqlite/. Every statement is cached in the slot of
 * its `enum stmt_id`, prepared on first use, reset after each use, and
 * bound with parameters only. SQL NULL maps to "" ids, 0 timestamps and
 * NULL strings and blobs, both ways.
 */
#ifndef CM_STORE_SQLITE_SQLITE_INT_H
#define CM_STORE_SQLITE_SQLITE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

enum stmt_id {
    STMT_ID_BEGIN,
    STMT_ID_COMMIT,
    STMT_ID_ROLLBACK,
    STMT_ID_SAVEPOINT,
    STMT_ID_RELEASE,
    STMT_ID_ROLLBACK_TO,
    STMT_ID_BEGIN_READ,
    STMT_ID_GROUP_SAVEPOINT,
    STMT_ID_GROUP_RELEASE,
    STMT_ID_GROUP_ROLLBACK_TO,
    STMT_ID_MIGRATION_PREPARE,
    STMT_ID_MIGRATION_IS_APPLIED,
    STMT_ID_MIGRATION_RECORD,
    STMT_ID_META_GET,
    STMT_ID_META_SET,
    STMT_ID_CASE_NUMBER_NEXT,
    STMT_ID_ORG_INSERT,
    STMT_ID_ORG_GET,
    STMT_ID_ORG_LIST,
    STMT_ID_ORG_LIST_AFTER,
    STMT_ID_FACILITY_INSERT,
    STMT_ID_FACILITY_GET,
    STMT_ID_FACILITY_LIST_BY_ORG,
    STMT_ID_USER_INSERT,
    STMT_ID_USER_GET,
    STMT_ID_USER_GET_BY_EMAIL,
    STMT_ID_PERSON_INSERT,
    STMT_ID_PERSON_GET,
    STMT_ID_PERSON_FIND_FAMILY_NAME,
    STMT_ID_PERSON_FIND_DOB,
    STMT_ID_PERSON_FIND_A_NUMBER,
    STMT_ID_DETAINER_INSERT,
    STMT_ID_DETAINER_GET,
    STMT_ID_DETAINER_UPDATE,
    STMT_ID_SUBPOENA_INSERT,
    STMT_ID_SUBPOENA_ITEM_INSERT,
    STMT_ID_SUBPOENA_GET,
    STMT_ID_SUBPOENA_ITEMS_GET,
    STMT_ID_SUBPOENA_ITEMS_DELETE,
    STMT_ID_SUBPOENA_UPDATE,
    STMT_ID_SUBPOENA_UPDATE_STATE,
    STMT_ID_EVENT_APPEND,
    STMT_ID_EVENT_LIST,
    STMT_ID_AUDIT_APPEND,
    STMT_ID_AUDIT_GET,
    STMT_ID_AUDIT_HEAD,
    STMT_ID_AUDIT_RANGE,
    /* store_auth.h */
    STMT_ID_SESSION_INSERT,
    STMT_ID_SESSION_GET_BY_TOKEN,
    STMT_ID_SESSION_TOUCH,
    STMT_ID_SESSION_END,
    STMT_ID_SESSION_END_BY_USER,
    STMT_ID_SESSION_STEP_UP,
    STMT_ID_API_TOKEN_INSERT,
    STMT_ID_API_TOKEN_GET_BY_HASH,
    STMT_ID_API_TOKEN_LIST_BY_USER,
    STMT_ID_API_TOKEN_REVOKE,
    STMT_ID_USER_LIST,
    STMT_ID_USER_UPDATE_PROFILE,
    STMT_ID_USER_SET_PASSWORD,
    STMT_ID_USER_TOTP_SET_PENDING,
    STMT_ID_USER_TOTP_CONFIRM,
    STMT_ID_USER_TOTP_CLEAR,
    STMT_ID_USER_TOTP_USE_STEP,
    STMT_ID_USER_LOGIN_FAILED,
    STMT_ID_USER_FAILURES_CLEAR,
    STMT_ID_USER_UNLOCK,
    STMT_ID_API_TOKEN_TOUCH,
    STMT_ID_USER_LIST_INACTIVE,
    /* store_admin.h */
    STMT_ID_ORG_LIST_BY_KIND,
    STMT_ID_FACILITY_LIST,
    STMT_ID_POLICY_INSERT,
    STMT_ID_POLICY_GET,
    STMT_ID_POLICY_LIST_BY_ORG,
    STMT_ID_POLICY_IN_FORCE,
    STMT_ID_DELEGATION_INSERT,
    STMT_ID_DELEGATION_LIST_BY_USER,
    STMT_ID_DELEGATION_IN_FORCE,
    STMT_ID_CALENDAR_INSERT,
    STMT_ID_CALENDAR_GET,
    STMT_ID_CALENDAR_GET_BY_ORG,
    STMT_ID_CALENDAR_LIST,
    STMT_ID_CALENDAR_BUMP,
    STMT_ID_CALENDAR_VERSION_INSERT,
    STMT_ID_CALENDAR_SAVEPOINT,
    STMT_ID_CALENDAR_RELEASE,
    STMT_ID_CALENDAR_ROLLBACK_TO,
    STMT_ID_CLOSURE_INSERT,
    STMT_ID_CLOSURE_LIST,
    STMT_ID_STATE_HOLIDAY_INSERT,
    STMT_ID_STATE_HOLIDAY_LIST,
    /* store_cases.h */
    STMT_ID_DETAINER_LIST,
    STMT_ID_DETAINER_COUNT,
    STMT_ID_SUBPOENA_LIST,
    STMT_ID_SUBPOENA_LIST_AGENCY,
    STMT_ID_SUBPOENA_LIST_RECIPIENT,
    STMT_ID_SUBPOENA_COUNT,
    STMT_ID_ENFORCEMENT_LIST,
    STMT_ID_ENFORCEMENT_COUNT,
    STMT_ID_SUBPOENA_ITEM_UPDATE,
    STMT_ID_EXTENSION_INSERT,
    STMT_ID_EXTENSION_LIST,
    STMT_ID_ENFORCEMENT_INSERT,
    STMT_ID_ENFORCEMENT_GET,
    STMT_ID_ENFORCEMENT_UPDATE,
    STMT_ID_DEADLINE_UPSERT,
    STMT_ID_DEADLINE_DELETE,
    STMT_ID_DEADLINE_LIST_FOR_CASE,
    STMT_ID_DEADLINE_LIST_DUE,
    STMT_ID_DEADLINE_LIST_DUE_JURISDICTION,
    STMT_ID_DEADLINE_LIST_DUE_DOJ,
    STMT_ID_DISCLOSURE_INSERT,
    STMT_ID_DISCLOSURE_LIST,
    /* store_infra.h */
    STMT_ID_IDEMPOTENCY_GET,
    STMT_ID_IDEMPOTENCY_INSERT,
    STMT_ID_IDEMPOTENCY_SET_RESPONSE,
    STMT_ID_IDEMPOTENCY_DELETE_BEFORE,
    STMT_ID_AUDIT_LIST,
    STMT_ID_RATE_HIT,
    STMT_ID_RATE_DELETE_BEFORE,
    /* store_sign.h */
    STMT_ID_SIGNING_KEY_INSERT,
    STMT_ID_SIGNING_KEY_GET_CURRENT,
    STMT_ID_SIGNING_KEY_GET,
    STMT_ID_SIGNATURE_INSERT,
    STMT_ID_SIGNATURE_GET_BY_CODE,
    STMT_ID_SIGNATURE_GET_BY_SUBPOENA,
    /* store_docs.h */
    STMT_ID_DOCUMENT_INSERT,
    STMT_ID_DOCUMENT_GET,
    STMT_ID_DOCUMENT_GET_CONTENT,
    STMT_ID_DOCUMENT_LIST,
    STMT_ID_DOCUMENT_LIST_CASELESS,
    STMT_ID_CASE_KIND_OF,
    /* store_bulk.h */
    STMT_ID_BULK_ORG_FIND,
    STMT_ID_BULK_FACILITY_FIND,
    STMT_ID_BULK_PERSON_FIND_REF,
    STMT_ID_BULK_PERSON_INSERT_REF,
    STMT_ID_BULK_DETAINER_FIND_REF,
    STMT_ID_BULK_DETAINER_FIND_NUMBER,
    STMT_ID_BULK_DETAINER_INSERT_REF,
    STMT_ID_BULK_DETAINER_STAGE,
    STMT_ID_BULK_PERSON_REF_GET,
    STMT_ID_BULK_DETAINER_REF_GET,
    STMT_ID_BULK_CASE_NUMBER_RAISE,
    /* store_reports.h */
    STMT_ID_REPORT_ORGS,
    STMT_ID_REPORT_COUNTS,
    STMT_ID_REPORT_COUNTS_ONE,
    STMT_ID_REPORT_OPEN,
    STMT_ID_REPORT_OPEN_ONE,
    STMT_ID_REPORT_DAYS,
    STMT_ID_REPORT_DAYS_ONE,
    /* store_jobs.h */
    STMT_ID_JOB_INSERT,
    STMT_ID_JOB_GET,
    STMT_ID_JOB_CLAIM,
    STMT_ID_JOB_COMPLETE,
    STMT_ID_JOB_FAIL,
    STMT_ID_JOB_RETRY,
    STMT_ID_JOB_LIST,
    STMT_ID_DELIVERY_INSERT,
    STMT_ID_DELIVERY_GET_BY_KEY,
    STMT_ID_WEBHOOK_INSERT,
    STMT_ID_WEBHOOK_GET,
    STMT_ID_WEBHOOK_LIST,
    STMT_ID_WEBHOOK_LIST_FOR_ORGS,
    STMT_ID_WEBHOOK_DELETE,
    STMT_ID_FEED_TOKEN_SET,
    STMT_ID_FEED_TOKEN_REVOKE,
    STMT_ID_FEED_TOKEN_USER,
    STMT_ID__COUNT
};

struct sq_file; /* sqlite_store.c: the durability latch of one file */

struct sqlite_store {
    struct store base; /* first: a struct store * is a struct sqlite_store * */
    sqlite3 *db;
    sqlite3_stmt *stmts[STMT_ID__COUNT];
    struct sq_file *file; /* shared by this process's connections to it */
};

/* Binds parameters 1, 2, ... in order; the first failure sticks in rc. */
struct sq_binder {
    sqlite3_stmt *st;
    int i;
    int rc;
};

/* Reads columns 0, 1, ... in order. */
struct sq_cols {
    sqlite3_stmt *st;
    int i;
};

/* Called by sq_run_list for each row the statement returns. */
typedef void (*sq_row_fn)(sqlite3_stmt *st, void *ctx);

static inline struct sqlite_store *
sq_to_sqlite(struct store *s)
{
    return (struct sqlite_store *)s;
}

/* Classify a failed sqlite3 result code: BUSY and LOCKED are soft,
 * anything else hard (and logged with SQLite's message). */
enum store_rc sq_rc_from(struct sqlite_store *ss, int rc, const char *what);

/* The cached statement `id`, prepared from `sql` on first use; NULL (and
 * logged) when it cannot be prepared. */
sqlite3_stmt *
sq_stmt_get(struct sqlite_store *ss, enum stmt_id id, const char *sql);

/* Make `st` ready for its next use (reset, bindings cleared). */
void sq_stmt_done(sqlite3_stmt *st);

/* Bind the next parameter: text (NULL as NULL), an id ("" as NULL), an
 * integer, a timestamp (0 as NULL), bytes (NULL data as NULL), a blob. */
void sq_bind_text(struct sq_binder *b, const char *v);
void sq_bind_id(struct sq_binder *b, const char *id);
void sq_bind_int(struct sq_binder *b, int64_t v);
void sq_bind_time(struct sq_binder *b, int64_t v);
void sq_bind_bytes(struct sq_binder *b, const void *data, size_t len);
void sq_bind_blob(struct sq_binder *b, const struct store_blob *v);

/* Read the next column: a copy of text (NULL for NULL; free with cm_free),
 * an id into a fixed array, an integer (0 for NULL), a copy of a blob, a
 * hash of STORE_HASH_SIZE bytes (zeros when NULL or of another size). */
char *sq_col_text(struct sq_cols *c);
void sq_col_id(struct sq_cols *c, char *out, size_t size);
int64_t sq_col_int(struct sq_cols *c);
struct store_blob sq_col_blob(struct sq_cols *c);
void sq_col_hash(struct sq_cols *c, unsigned char out[STORE_HASH_SIZE]);

/* Step a statement that returns no rows and reset it: STORE_ONE_RESULT
 * when it changed a row, STORE_NO_RESULTS when none. */
enum store_rc sq_run_write(struct sqlite_store *ss,
                           const struct sq_binder *b,
                           const char *what);

/* Step for the first row and stay there (the caller reads, then calls
 * sq_stmt_done): STORE_ONE_RESULT on a row, STORE_NO_RESULTS (reset) when
 * none. */
enum store_rc sq_run_read(struct sqlite_store *ss,
                          const struct sq_binder *b,
                          const char *what);

/* Run a fixed parameterless statement (BEGIN, SAVEPOINT x, ...). */
enum store_rc
sq_run_fixed(struct sqlite_store *ss, enum stmt_id id, const char *sql);

/* Finish an INSERT/UPDATE ... RETURNING left on its row by sq_run_read:
 * *v = the integer in column 0; steps to the end and resets. */
enum store_rc sq_finish_returning(struct sqlite_store *ss,
                                  sqlite3_stmt *st,
                                  const char *what,
                                  int64_t *v);

/* Step every row of a bound statement, calling fn(st, ctx) for each, and
 * reset it. Returns the number of rows, or a negative enum store_rc. */
int sq_run_list(struct sqlite_store *ss,
                const struct sq_binder *b,
                const char *what,
                sq_row_fn fn,
                void *ctx);

/* The row readers of the entities of store.h; each fills a zeroed struct
 * from the row, in the order of its column list below. */
void sq_read_org(sqlite3_stmt *st, struct store_org *o);
void sq_read_facility(sqlite3_stmt *st, struct store_facility *f);
void sq_read_user(sqlite3_stmt *st, struct store_user *u);
void sq_read_detainer(sqlite3_stmt *st, struct store_detainer *d);
void sq_read_subpoena(sqlite3_stmt *st, struct store_subpoena *sp);
void sq_read_audit(sqlite3_stmt *st, struct store_audit *a);

/* notice_given: -1 as NULL, else 0 or 1. */
void sq_bind_notice(struct sq_binder *b, int notice_given);

#define ORG_COLS                                                        \
    "id, version, created_at, updated_at, kind, name, state, timezone," \
    " requires_counsel_review"

#define FACILITY_COLS \
    "id, version, created_at, updated_at, org_id, name, timezone"

#define USER_COLS                                                             \
    "id, version, created_at, updated_at, email, name, org_id, roles, title," \
    " password_hash, disabled, failed_logins, first_failed_at, locked_at,"    \
    " totp_secret, totp_last_step, totp_enabled"

#define DETAINER_COLS                                                      \
    "id, version, created_at, updated_at, number, person_id, facility_id," \
    " agency_org_id, lodged_by, form, basis, hold_rule, state,"            \
    " outcome_source, decline_policy_id, reason, otherwise_release_at,"    \
    " max_hold_until, released_at, transferred_at, notice_given,"          \
    " acknowledged_at, decided_at, cancel_reason"

#define SUBPOENA_COLS                                                        \
    "id, version, created_at, updated_at, number, agency_org_id,"            \
    " recipient_org_id, person_id, detainer_id, purpose, state, drafted_by," \
    " signed_by, signed_at, served_at, service_method, served_to,"           \
    " return_date, original_return_date, responded_at, disposition,"         \
    " refusal_reason, withdrawal_reason, response_note, enforcement_id,"     \
    " acknowledged_at"

#define AUDIT_COLS                                                        \
    "seq, at, actor_id, org_id, role, session_hash, client_addr, action," \
    " object_kind, object_id, outcome, detail, prev_hash, hash"

/* The operation groups. */
extern const struct store_auth_ops sq_auth_ops;
extern const struct store_admin_ops sq_admin_ops;
extern const struct store_cases_ops sq_cases_ops;
extern const struct store_infra_ops sq_infra_ops;
extern const struct store_jobs_ops sq_jobs_ops;
extern const struct store_bulk_ops sq_bulk_ops;
extern const struct store_docs_ops sq_docs_ops;
extern const struct store_sign_ops sq_sign_ops;
extern const struct store_reports_ops sq_reports_ops;
extern const struct store_keys_ops sq_keys_ops; /* sq_keys.c */

/* Register compel_local_date() on a new connection (store_reports.h). */
int sq_reports_register(sqlite3 *db);

/* store_ops.backup (sq_backup.c). */
enum store_rc sq_backup(struct store *s, const char *path);

/* Bind the columns of DETAINER_COLS after `version` (id, created_at, ...,
 * cancel_reason) in order: the one list both detainer inserts use. */
void sq_bind_detainer(struct sq_binder *b, const struct store_detainer *d);

#endif
