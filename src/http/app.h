/*
 * app.h: the application behind the HTTP server: what every handler needs
 * besides the request itself.
 *
 *  - the per-thread store connection (app_store) and the clock (app_now);
 *  - who is calling: the authenticate hook resolves a session cookie or a
 *    bearer token into req->caller and req->roles, checks the CSRF token
 *    on unsafe methods and the session's idle and absolute limits, then
 *    counts the request against the caller's rate limits (ratelimit.h);
 *  - transactions with their audit record in the same transaction
 *    (app_run, app_audit), and audit records of their own for refusals
 *    and logins (app_audit_alone);
 *  - visibility of a case to the caller (app_viewer, app_can_view);
 *  - the API's conventions: ETag / If-Match (app_check_if_match,
 *    app_set_etag), Idempotency-Key (app_idem_replay, app_idem_save),
 *    pagination (app_page_params, app_cursor_*), timestamps as RFC 3339.
 *
 * One struct app per server, created by `compel serve` and read-only while
 * it runs; handlers reach it through app_of(req).
 */
#ifndef CM_HTTP_APP_H
#define CM_HTTP_APP_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/fieldcrypt.h"
#include "core/buf.h"
#include "core/errors.h"
#include "domain/perm.h"
#include "http/ratelimit.h"
#include "http/server.h"
#include "store/store.h"

/* Sessions end after this long without a request, and this long in all. */
#define APP_SESSION_IDLE_US (30LL * 60 * 1000000)
#define APP_SESSION_MAX_US  (12LL * 3600 * 1000000)

/* Signing and administration need a login or step-up this recent (cfg
 * step_up_minutes; this is its default). */
#define APP_STEP_UP_DEFAULT_US (15LL * 60 * 1000000)

/* Lockout: this many failed logins within the window lock the account. */
#define APP_LOCK_MAX_FAILURES 5
#define APP_LOCK_WINDOW_US    (15LL * 60 * 1000000)

/* Idempotency keys are remembered this long. */
#define APP_IDEM_TTL_US (24LL * 3600 * 1000000)

/* The session cookie's name; with cookie_secure, the "__Host-" name: a
 * browser keeps such a cookie only when it is Secure, has Path=/ and no
 * Domain, so neither a sibling host nor a page over plain HTTP can set or
 * overwrite it (RFC 6265bis, section 4.1.3.2). app_session_cookie picks. */
#define APP_SESSION_COOKIE        "compel_session"
#define APP_SESSION_COOKIE_SECURE "__Host-compel_session"

/* Most transactions one group commit takes at once. */
#define APP_GROUP_MAX 64

struct app_job;

/*
 * The writer: one thread with its own store connection that runs every
 * writing transaction (app_run) for all workers, several at a time in one
 * database transaction (store_tx_run_group): one fsync for a whole group
 * of requests, which is what lets durable writes keep up with many
 * clients.
 */
struct app_writer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work; /* a job was queued, or stop */
    struct app_job *head;
    struct app_job *tail;
    bool stop;
    bool running;
};

/*
 * The store connections that read transactions (app_run_read) borrow for
 * their length, whatever thread runs them: a worker thread that waits (a
 * parked request, a write waiting for the writer) holds none, so many
 * threads need only a few connections, each with its schema, statements
 * and page cache. At most `max` are open; a borrower waits for one.
 */
struct app_pool {
    pthread_mutex_t mu;
    pthread_cond_t freed;
    struct store **idle; /* `max` slots, the most recently used last */
    int64_t *idle_cache; /* bytes of page cache each idle one holds */
    size_t n_idle;
    struct store **lent; /* `max` slots: those borrowed from `idle` */
    int64_t *lent_cache; /* what each held when it was lent */
    size_t n_lent;
    size_t n_open;
    size_t max;
    int64_t cache_budget; /* page cache of all connections, bytes */
};

/* Connections of the pool: four per processor, within these bounds
 * (measured on 2 processors: 4 connections served fewer reads than 8,
 * 64 no more than 8, for 30 MiB more). */
#define APP_POOL_MIN 8
#define APP_POOL_MAX 64

/* The pool's page cache: this much per connection it may open (SQLite's
 * default is 2 MiB per connection), as one budget that any connection may
 * fill alone. A request that reads thousands of pages (a queue of 1,500
 * items) keeps them between requests, where a fixed 1 MiB per connection
 * read them again from the file each time (docs/performance.md). */
#define APP_POOL_CACHE_PER_CONNECTION (2 * 1024 * 1024)

/* The pool's page-cache rule, used when a connection comes back:
 * `idle[0..n)` are the bytes of page cache of the idle connections, the
 * least recently used first, `back` that of the one coming back, and
 * `lent` what the others still borrowed held when they were lent (not
 * theirs to free now, but counted). Sets release[i] (n slots) for the idle
 * ones whose cache to free, the oldest first, until the total fits in
 * `budget`, and returns true when even then `back`'s must be freed too. */
bool app_pool_cache_plan(const int64_t *idle,
                         size_t n,
                         int64_t back,
                         int64_t lent,
                         int64_t budget,
                         bool *release);

struct app {
    char *db_url;
    struct app_writer writer;
    struct app_pool pool;
    unsigned char master[32];  /* the key file's key; wiped on release */
    struct fieldcrypt fc;      /* personal-field encryption */
    pthread_key_t store_key;   /* this thread's struct store */
    char *clock_file;          /* testing only: see app_now */
    bool cookie_secure;        /* add Secure to the session cookie */
    const char *public_url;    /* cfg public_url (borrowed), or NULL */
    struct ratelimit_cfg rate; /* cfg rate_limit_* (ratelimit.h) */
    bool webhook_private_ok;   /* cfg webhook_private_networks */
    bool require_totp;         /* cfg require_totp: see app_authenticate */
    int64_t step_up_us;        /* cfg step_up_minutes, in microseconds */
    struct http_app http;      /* the hooks lent to the server */
};

/*
 * Set up `a` for the store at `db_url` with the master key in `key_file`.
 * When COMPEL_TEST_CLOCK_FILE is set in the environment, app_now reads the
 * time from that file (microseconds since the epoch, as decimal text), so
 * tests can move time forward; a warning is logged at start. On failure
 * appends one line to `why` and returns the error; `a` is then released.
 */
enum cm_err app_init(struct app *a,
                     const char *db_url,
                     const char *key_file,
                     struct buf *why);

/* Close this thread's store (call from each worker as it ends; the
 * thread-specific destructor does it too) and free `a`. */
void app_release(struct app *a);

/* The application of a request. */
/* The session cookie's name for this server (APP_SESSION_COOKIE, or
 * APP_SESSION_COOKIE_SECURE with cookie_secure). */
const char *app_session_cookie(const struct app *a);

struct app *app_of(const struct http_req *req);

/* Now, in microseconds since the epoch, UTC. */
int64_t app_now(const struct app *a);

/* Today's date in time zone `tz_name` (an IANA name; NULL or unknown:
 * UTC) at instant `now_us`, as a day number (domain/date.h). */
int32_t app_today_in(const char *tz_name, int64_t now_us);

/*
 * This thread's own connection to the store, opened on first use (an
 * existing database only), for work that is not one transaction (audit
 * verification); transactions borrow from the pool instead.
 * CM_ERR_UNAVAILABLE when it cannot be opened.
 */
enum cm_err app_store(struct http_req *req, struct store **out);

/* ---- who is calling --------------------------------------------------*/

/* The server's authenticate hook (see server.h). */
enum cm_err app_authenticate(struct http_req *req);

/* The server's hook for a caller whose roles do not allow a route:
 * records the refusal on the audit trail. */
void app_on_denied(struct http_req *req, enum cm_err err);

/* The server's step-up hook (server.h; ROUTE_FLAG_STEP_UP), also called
 * by handlers of actions that need it (signing): CM_ERR_OK for an API
 * token (it is presented whole on every request; making one needs a
 * step-up) and for a session whose person proved who they are within
 * the last step_up_minutes; otherwise audits the refusal and answers 401
 * step_up_required. */
enum cm_err app_require_step_up(struct http_req *req);

/* The server's readiness hook: the store answers and is migrated. */
enum cm_err app_check_ready(void *ctx);

/* The caller as a viewer of cases (perm.h); borrowed from req. */
void app_viewer(const struct http_req *req, struct perm_viewer *out);

/* True when the caller holds role `r`. */
bool app_has_role(const struct http_req *req, enum role r);

/* ---- transactions and audit -------------------------------------------*/

/*
 * The first member of every transaction context. A transaction body that
 * must refuse (a stale version, a failed guard, a missing row) calls
 * app_fail, which records the error and returns STORE_HARD_ERROR so the
 * runner rolls everything back.
 */
struct app_idem;

struct app_tx {
    struct http_req *req;
    enum cm_err err;   /* CM_ERR_OK unless the body refused */
    const char *field; /* the offending field, static, or NULL */
    char detail[200];  /* what to fix, or "" */
    /* An Idempotency-Key (app_idem_begin): looked up first inside the
     * transaction; the first answer found there, to send again. */
    const struct app_idem *idem;
    int replay_status;
    char *replay_body;
};

/* Record a refusal in `tx` (printf-style detail, may be NULL) and return
 * STORE_HARD_ERROR. */
enum store_rc app_fail(struct app_tx *tx,
                       enum cm_err err,
                       const char *field,
                       const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));

/*
 * Start the writer thread (call once, after app_init, before serving);
 * until it runs, app_run uses the calling thread's own connection.
 */
enum cm_err app_writer_start(struct app *a);

/*
 * Run `fn(store, tx)` as one transaction, handed to the writer thread and
 * committed together with whatever other requests' transactions are
 * waiting (group commit; retried on soft errors). `tx->req` must be set.
 * `fn` runs on the writer's thread and connection: it must use only the
 * store it is given. On success returns CM_ERR_OK and has
 * replied nothing. On failure it replies the problem itself (the refusal
 * recorded by app_fail, CM_ERR_UNAVAILABLE when the store is unreachable
 * or busy past the retries, CM_ERR_STORE_FAILURE otherwise) and returns
 * that error, so a handler can simply `return err;`.
 */
enum cm_err app_run(struct http_req *req,
                    const char *name,
                    store_tx_fn fn,
                    struct app_tx *tx);

/* As app_run, for a transaction that only reads (it may write rarely, as
 * authentication touches a session): it runs on the calling thread's own
 * connection without taking the write lock, so reads never wait for the
 * writer. */
enum cm_err app_run_read(struct http_req *req,
                         const char *name,
                         store_tx_fn fn,
                         struct app_tx *tx);

/*
 * Append an audit record for the caller of `req`, inside the current
 * transaction of `s`: action ("subpoena.sign", "person.read"), object
 * kind and id (may be NULL), outcome ("ok", "denied", "not_found",
 * "failed"), detail (no personal values, no secrets; may be NULL).
 */
enum store_rc app_audit(struct store *s,
                        struct http_req *req,
                        const char *action,
                        const char *object_kind,
                        const char *object_id,
                        const char *outcome,
                        const char *detail);

/* The same in a transaction of its own (refusals, failed logins); a
 * failure to record is logged at ERROR. `actor_id` overrides the caller
 * (e.g. the account a failed login was for), or NULL. */
void app_audit_alone(struct http_req *req,
                     const char *actor_id,
                     const char *action,
                     const char *object_kind,
                     const char *object_id,
                     const char *outcome,
                     const char *detail);

/* Append one audit record for the caller in a transaction of its own,
 * committed (durably, with the writer's group) before it returns: for a
 * read done in a read transaction whose data may leave only once its
 * reading is on the trail. On failure replies the problem and returns it;
 * the caller must then not send the data. */
enum cm_err app_audit_committed(struct http_req *req,
                                const char *action,
                                const char *object_kind,
                                const char *object_id,
                                const char *detail);

/*
 * The same, without blocking this worker thread: call it from a handler
 * that has set its reply (the data whose reading this records), then
 * return. The request is parked (server.h) and the worker serves other
 * connections while the writer commits the record with its group; the
 * reply leaves only once the record is committed. When it cannot be
 * committed the reply is replaced by 503 and the data never leaves.
 * Without a running writer it commits on this thread instead. Returns
 * CM_ERR_OK, or the error it replied.
 */
enum cm_err app_audit_then_reply(struct http_req *req,
                                 const char *action,
                                 const char *object_kind,
                                 const char *object_id,
                                 const char *detail);

/* app_audit_alone for a handler that runs on libmicrohttpd's thread
 * (ROUTE_FLAG_INLINE): the reply it has set (a refusal) leaves once the
 * record is committed, or after a failure to record it, which is logged
 * as app_audit_alone logs it; the request is parked meanwhile, as by
 * app_audit_then_reply. Returns `err`, for the handler to return. */
enum cm_err app_audit_refusal(struct http_req *req,
                              enum cm_err err,
                              const char *action,
                              const char *object_kind,
                              const char *object_id,
                              const char *outcome);

/* ---- conventions --------------------------------------------------------*/

/* RFC 3339 UTC text of `us` ("2020-01-13T15:00:00Z"), or JSON null for 0.
 * A new reference. */
json_t *app_json_time(int64_t us);

/* A string or JSON null for NULL / "". A new reference. */
json_t *app_json_str(const char *s);

/* Append the JSON text of app_json_time(us) to `b` (for answers written
 * without building a jansson value; jsonout_add_text is app_json_str's). */
void app_add_time(struct buf *b, int64_t us);

/*
 * If-Match: `required` (PATCH) answers 428 when the header is missing;
 * a header that is not `"<version>"` or names another version answers
 * 412. Replies the problem itself and returns the error, or CM_ERR_OK.
 * `*expected` is the version the client sent, or -1 when none.
 */
enum cm_err
app_check_if_match(struct http_req *req, int64_t version, bool required);

/* Parse If-Match into *out (-1 when absent). CM_ERR_PRECONDITION_FAILED
 * (replied) when present but malformed. */
enum cm_err app_if_match(struct http_req *req, int64_t *out);

/* Add `ETag: "<version>"` to the reply. */
void app_set_etag(struct http_req *req, int64_t version);

/*
 * Idempotency-Key on a creating POST. app_idem_begin runs before the work:
 * without the header it does nothing and returns false; with a malformed
 * one it answers 422 and returns true. Otherwise it fingerprints the
 * request into `st`, ties `st` to `tx` and returns false. The creating
 * transaction (app_run with `tx`) then looks the key up first, on the
 * writer's connection: a key this user had answered in the last 24 hours
 * ends the transaction before any work, and the request is answered with
 * the first answer again (the same request; `Idempotent-Replayed: true`)
 * or 422 idempotency_conflict (another request); app_run returns non-OK
 * and the handler adds nothing. Inside the transaction app_idem_save
 * records the answer (status and body) with the key, so the creation and
 * its record commit together; of two concurrent first requests one wins
 * and the other replays it, or is refused (409) where they ran on
 * different servers, never both.
 */
struct app_idem {
    bool active;
    char key[129];
    unsigned char hash[32];
};

bool
app_idem_begin(struct http_req *req, struct app_tx *tx, struct app_idem *st);

enum store_rc app_idem_save(struct store *s,
                            struct app_tx *tx,
                            const struct app_idem *st,
                            int status,
                            const json_t *body);

/* app_idem_save of an answer already written as compact JSON text (the
 * same bytes the answer carries). */
enum store_rc app_idem_save_text(struct store *s,
                                 struct app_tx *tx,
                                 const struct app_idem *st,
                                 int status,
                                 const char *text);

/* Paging parameters of a list request: limit (default 50, 1-500) and the
 * cursor (NULL when absent). A bad value is replied (400 naming `limit`
 * or `cursor`) and returned. The cursor string is borrowed from req. */
enum cm_err
app_page_params(struct http_req *req, int *limit, const char **cursor);

#endif
