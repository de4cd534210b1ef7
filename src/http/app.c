/*
 * app.c: the application layer of app.h: per-thread store connections,
 * the clock, authentication of sessions and tokens, transactions with
 * their audit records, and the API's conventions (ETag, paging, times).
 */
#include "http/app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/keyfile.h"
#include "auth/token.h"
#include "core/alloc.h"
#include "core/file.h"
#include "core/log.h"
#include "core/zoneinfo.h"
#include "domain/date.h"
#include "domain/tz.h"
#include "http/jsonout.h"
#include "http/reply.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_auth.h"

static void writer_stop(struct app *a);
static enum store_rc idem_lookup(struct store *s, struct app_tx *tx);
static void idem_replay(struct http_req *req, int status, const char *body);
static void pool_init(struct app_pool *p);
static void pool_release(struct app_pool *p);

static void
store_destructor(void *p)
{
    store_close(p);
}

/* The default key file of a SQLite database: PATH.key beside it. */
static char *
default_key_file(const char *db_url)
{
    struct buf b = BUF_INIT;

    if (strncmp(db_url, "sqlite:", 7) != 0)
        return NULL;
    buf_adds(&b, db_url + 7);
    buf_adds(&b, ".key");
    return buf_detach(&b, NULL);
}

enum cm_err
app_init(struct app *a,
         const char *db_url,
         const char *key_file,
         struct buf *why)
{
    char *kf =
        key_file && *key_file ? cm_strdup(key_file) : default_key_file(db_url);
    const char *clock = getenv("COMPEL_TEST_CLOCK_FILE");
    const char *reason = NULL;
    struct store *s = NULL;
    int pending = -1;
    enum cm_err err;

    memset(a, 0, sizeof *a);
    a->db_url = cm_strdup(db_url);
    if (!kf) {
        buf_adds(why, "key_file: set the key file for this database");
        err = CM_ERR_USAGE;
        goto out_release;
    }
    err = store_open(db_url, STORE_OPEN_MODE_EXISTING, &s, &reason);
    if (err != CM_ERR_OK) {
        buf_addf(why, "db: %s",
                 reason ? reason : "the database cannot be opened");
        goto out_release;
    }
    if (store_migrations_pending(s, &pending) < 0 || pending != 0) {
        buf_adds(why, "db: the database needs migrating: run `compel "
                      "migrate`");
        err = CM_ERR_UNAVAILABLE;
        goto out_release;
    }
    /* The whole key ring: rows sealed with a key being retired by `compel
     * key rotate` still open. */
    err = keyfile_load_fieldcrypt(kf, &a->fc, a->master);
    if (err == CM_ERR_INTERNAL) {
        buf_adds(why, "key_file: the field encryption cannot start");
        goto out_release;
    }
    if (err != CM_ERR_OK) {
        buf_addf(why,
                 "key_file: %s cannot be read, or is not a compel key "
                 "file readable only by its owner",
                 kf);
        goto out_release;
    }
    if (pthread_key_create(&a->store_key, store_destructor) != 0) {
        buf_adds(why, "serve: cannot create thread-local storage");
        err = CM_ERR_INTERNAL;
        goto out_release;
    }
    pool_init(&a->pool);
    if (clock && *clock) {
        a->clock_file = cm_strdup(clock);
        LOG_WARN("COMPEL_TEST_CLOCK_FILE is set: the clock is read from a "
                 "file (testing only)");
    }
    a->http.check_ready = app_check_ready;
    a->http.ctx = a;
    a->http.authenticate = app_authenticate;
    a->http.on_denied = app_on_denied;
    a->http.step_up = app_require_step_up;
    a->step_up_us = APP_STEP_UP_DEFAULT_US;
    /* The connection that checked the store becomes the pool's first
     * instead of being closed: closing the only connection to a SQLite
     * file checkpoints its whole WAL, which made the start after a crash
     * take time in proportion to the WAL (bench/bench_recovery.sh). */
    store_cache_limit(s, a->pool.cache_budget);
    a->pool.idle_cache[a->pool.n_idle] = store_cache_used(s);
    a->pool.idle[a->pool.n_idle++] = s;
    a->pool.n_open = 1;
    cm_free(kf);
    return CM_ERR_OK;
out_release:
    store_close(s);
    cm_free(kf);
    cm_free(a->db_url);
    memset(a, 0, sizeof *a);
    return err;
}

void
app_release(struct app *a)
{
    struct store *s;

    if (!a || !a->db_url)
        return;
    writer_stop(a);
    pool_release(&a->pool);
    s = pthread_getspecific(a->store_key);
    store_close(s);
    (void)pthread_setspecific(a->store_key, NULL);
    (void)pthread_key_delete(a->store_key);
    fieldcrypt_release(&a->fc);
    memset(a->master, 0, sizeof a->master);
    cm_free(a->clock_file);
    cm_free(a->db_url);
    memset(a, 0, sizeof *a);
}

const char *
app_session_cookie(const struct app *a)
{
    return a && a->cookie_secure ? APP_SESSION_COOKIE_SECURE
                                 : APP_SESSION_COOKIE;
}

struct app *
app_of(const struct http_req *req)
{
    return req->app ? req->app->ctx : NULL;
}

int64_t
app_now(const struct app *a)
{
    struct timespec ts;

    if (a && a->clock_file) {
        struct buf b = BUF_INIT;
        long long v = -1;

        if (file_read_all(a->clock_file, 64, &b) == CM_ERR_OK) {
            char *end = NULL;

            v = strtoll(buf_str(&b), &end, 10);
            if (end == buf_str(&b))
                v = -1;
        }
        buf_release(&b);
        if (v >= 0)
            return (int64_t)v;
    }
    (void)clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Parsed time zones, by name, kept for the life of the process: reading
 * and parsing a TZif file on every request would cost more than the
 * request. A zone is never changed once parsed, so lookups share it. */
#define TZ_CACHE_MAX 64

static struct {
    pthread_mutex_t mu;
    size_t n;
    char *names[TZ_CACHE_MAX];
    struct tz *zones[TZ_CACHE_MAX];
} tz_cache = {PTHREAD_MUTEX_INITIALIZER, 0, {NULL}, {NULL}};

/* The parsed zone `name`, or NULL when it cannot be read. Borrowed. */
static const struct tz *
tz_cached(const char *name)
{
    const struct tz *found = NULL;
    struct buf b = BUF_INIT;
    struct tz *tz;

    (void)pthread_mutex_lock(&tz_cache.mu);
    for (size_t i = 0; i < tz_cache.n && !found; i++)
        if (strcmp(tz_cache.names[i], name) == 0)
            found = tz_cache.zones[i];
    if (found || tz_cache.n == TZ_CACHE_MAX)
        goto out_unlock;
    tz = cm_calloc(1, sizeof *tz);
    if (zoneinfo_read(name, &b) != CM_ERR_OK ||
        tz_parse(b.data, b.len, name, tz, NULL) != CM_ERR_OK) {
        cm_free(tz);
        goto out_unlock;
    }
    tz_cache.names[tz_cache.n] = cm_strdup(name);
    tz_cache.zones[tz_cache.n] = tz;
    tz_cache.n++;
    found = tz;
out_unlock:
    (void)pthread_mutex_unlock(&tz_cache.mu);
    buf_release(&b);
    return found;
}

int32_t
app_today_in(const char *tz_name, int64_t now_us)
{
    int64_t secs = now_us / 1000000;
    const struct tz *tz = tz_name ? tz_cached(tz_name) : NULL;

    if (tz)
        secs += tz_offset_at(tz, secs);
    return date_time_day(secs);
}

enum cm_err
app_store(struct http_req *req, struct store **out)
{
    struct app *a = app_of(req);
    struct store *s;
    const char *why = NULL;

    if (!a)
        return CM_ERR_INTERNAL;
    s = pthread_getspecific(a->store_key);
    if (s) {
        *out = s;
        return CM_ERR_OK;
    }
    if (store_open(a->db_url, STORE_OPEN_MODE_EXISTING, &s, &why) !=
        CM_ERR_OK) {
        log_write(LOG_LEVEL_ERROR, __FILE__, __LINE__, req->id,
                  "store unavailable: %s", why ? why : "?");
        return CM_ERR_UNAVAILABLE;
    }
    (void)pthread_setspecific(a->store_key, s);
    *out = s;
    return CM_ERR_OK;
}

static void
pool_init(struct app_pool *p)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t max = cpus > 0 ? 4 * (size_t)cpus : APP_POOL_MIN;

    memset(p, 0, sizeof *p);
    (void)pthread_mutex_init(&p->mu, NULL);
    (void)pthread_cond_init(&p->freed, NULL);
    p->max = max < APP_POOL_MIN   ? APP_POOL_MIN
             : max > APP_POOL_MAX ? APP_POOL_MAX
                                  : max;
    p->idle = cm_calloc(p->max, sizeof *p->idle);
    p->idle_cache = cm_calloc(p->max, sizeof *p->idle_cache);
    p->lent = cm_calloc(p->max, sizeof *p->lent);
    p->lent_cache = cm_calloc(p->max, sizeof *p->lent_cache);
    p->cache_budget = (int64_t)p->max * APP_POOL_CACHE_PER_CONNECTION;
}

/* Close every connection (all are back: no request is running). */
static void
pool_release(struct app_pool *p)
{
    if (!p->idle)
        return;
    for (size_t i = 0; i < p->n_idle; i++)
        store_close(p->idle[i]);
    cm_free(p->idle);
    cm_free(p->idle_cache);
    cm_free(p->lent);
    cm_free(p->lent_cache);
    (void)pthread_cond_destroy(&p->freed);
    (void)pthread_mutex_destroy(&p->mu);
    memset(p, 0, sizeof *p);
}

/* Borrow a connection, opening one while fewer than max are open, else
 * waiting for one to come back. CM_ERR_UNAVAILABLE when it cannot be
 * opened. */
static enum cm_err
pool_get(struct http_req *req, struct store **out)
{
    struct app *a = app_of(req);
    struct app_pool *p = &a->pool;
    struct store *s = NULL;
    const char *why = NULL;

    (void)pthread_mutex_lock(&p->mu);
    while (p->n_idle == 0 && p->n_open >= p->max)
        (void)pthread_cond_wait(&p->freed, &p->mu);
    if (p->n_idle > 0) {
        *out = p->idle[--p->n_idle];
        p->lent[p->n_lent] = *out;
        p->lent_cache[p->n_lent++] = p->idle_cache[p->n_idle];
        p->idle_cache[p->n_idle] = 0;
        (void)pthread_mutex_unlock(&p->mu);
        return CM_ERR_OK;
    }
    p->n_open++;
    (void)pthread_mutex_unlock(&p->mu);
    if (store_open(a->db_url, STORE_OPEN_MODE_EXISTING, &s, &why) !=
        CM_ERR_OK) {
        log_write(LOG_LEVEL_ERROR, __FILE__, __LINE__, req->id,
                  "store unavailable: %s", why ? why : "?");
        (void)pthread_mutex_lock(&p->mu);
        p->n_open--;
        (void)pthread_cond_signal(&p->freed);
        (void)pthread_mutex_unlock(&p->mu);
        return CM_ERR_UNAVAILABLE;
    }
    store_cache_limit(s, p->cache_budget);
    *out = s;
    return CM_ERR_OK;
}

bool
app_pool_cache_plan(const int64_t *idle,
                    size_t n,
                    int64_t back,
                    int64_t lent,
                    int64_t budget,
                    bool *release)
{
    int64_t total = back + lent;

    for (size_t i = 0; i < n; i++) {
        total += idle[i];
        release[i] = false;
    }
    for (size_t i = 0; i < n && total > budget; i++) {
        if (idle[i] > 0) {
            release[i] = true;
            total -= idle[i];
        }
    }
    return total > budget;
}

/* Keep the page cache of the idle connections and `s` (coming back,
 * holding `used` bytes) within the pool's budget (app_pool_cache_plan).
 * Returns what `s` holds then. Under p->mu. */
static int64_t
pool_trim(struct app_pool *p, struct store *s, int64_t used)
{
    bool release[APP_POOL_MAX];
    int64_t lent = 0;

    for (size_t i = 0; i < p->n_lent; i++)
        lent += p->lent_cache[i];
    if (app_pool_cache_plan(p->idle_cache, p->n_idle, used, lent,
                            p->cache_budget, release)) {
        store_cache_release(s);
        used = store_cache_used(s);
    }
    for (size_t i = 0; i < p->n_idle; i++) {
        if (release[i]) {
            store_cache_release(p->idle[i]);
            p->idle_cache[i] = store_cache_used(p->idle[i]);
        }
    }
    return used;
}

/* Give a borrowed connection back; `broken` (after a hard error) closes
 * it instead, and the next borrower opens a fresh one. */
static void
pool_put(struct app *a, struct store *s, bool broken)
{
    struct app_pool *p = &a->pool;
    int64_t used = broken ? 0 : store_cache_used(s);

    (void)pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->n_lent; i++) {
        if (p->lent[i] == s) { /* no longer lent: take it out */
            p->lent[i] = p->lent[--p->n_lent];
            p->lent_cache[i] = p->lent_cache[p->n_lent];
            break;
        }
    }
    if (broken) {
        p->n_open--;
    } else {
        p->idle_cache[p->n_idle] = pool_trim(p, s, used);
        p->idle[p->n_idle++] = s;
    }
    (void)pthread_cond_signal(&p->freed);
    (void)pthread_mutex_unlock(&p->mu);
    if (broken)
        store_close(s);
}

enum cm_err
app_check_ready(void *ctx)
{
    struct app *a = ctx;
    struct store *s = NULL;
    enum cm_err err = CM_ERR_UNAVAILABLE;
    int pending = -1;

    if (store_open(a->db_url, STORE_OPEN_MODE_EXISTING, &s, NULL) != CM_ERR_OK)
        return CM_ERR_UNAVAILABLE;
    if (store_migrations_pending(s, &pending) >= 0 && pending == 0)
        err = CM_ERR_OK;
    /* A SQLite file whose fsync failed takes no writes until a restart
     * (docs/operations.md, "Storage faults"). */
    if (strncmp(a->db_url, "sqlite:", 7) == 0 &&
        store_sqlite_durability_lost(a->db_url + 7, NULL, 0))
        err = CM_ERR_UNAVAILABLE;
    store_close(s);
    return err;
}

/* ---- transactions and audit ---------------------------------------------*/

enum store_rc
app_fail(
    struct app_tx *tx, enum cm_err err, const char *field, const char *fmt, ...)
{
    va_list ap;

    tx->err = err;
    tx->field = field;
    tx->detail[0] = '\0';
    if (fmt) {
        va_start(ap, fmt);
        (void)vsnprintf(tx->detail, sizeof tx->detail, fmt, ap);
        va_end(ap);
    }
    return STORE_HARD_ERROR;
}

/* One transaction waiting for the writer: either a worker blocks on its
 * condition variable until `done`, or (`complete` set) nobody waits and
 * the writer calls `complete` once the group is committed or failed. */
struct app_job {
    struct store_tx_job job;
    bool done;
    pthread_cond_t cv; /* its own, so that a finished group wakes only its
                          members, not every waiting worker */
    void (*complete)(struct app_job *job); /* with job.rc set */
    struct http_req *req;                  /* for `complete` */
    struct app_job *next;
};

static void *
writer_main(void *arg)
{
    struct app *a = arg;
    struct app_writer *w = &a->writer;
    struct app_job *batch[APP_GROUP_MAX];
    struct app_job *later[APP_GROUP_MAX];
    struct store_tx_job jobs[APP_GROUP_MAX];
    struct store *s = NULL;

    (void)pthread_mutex_lock(&w->mu);
    for (;;) {
        size_t n = 0, n_later = 0;

        while (!w->head && !w->stop)
            (void)pthread_cond_wait(&w->work, &w->mu);
        if (!w->head)
            break; /* stopping, and nothing left to do */
        while (w->head && n < APP_GROUP_MAX) {
            batch[n++] = w->head;
            w->head = w->head->next;
        }
        if (!w->head)
            w->tail = NULL;
        (void)pthread_mutex_unlock(&w->mu);

        for (size_t i = 0; i < n; i++)
            jobs[i] = batch[i]->job;
        if (!s && store_open(a->db_url, STORE_OPEN_MODE_EXISTING, &s, NULL) !=
                      CM_ERR_OK) {
            s = NULL;
            for (size_t i = 0; i < n; i++)
                jobs[i].rc = STORE_SOFT_ERROR; /* answered 503 */
        } else if (store_tx_run_group(s, jobs, n) == STORE_HARD_ERROR) {
            /* A broken connection: the next group opens a new one. */
            store_close(s);
            s = NULL;
        }
        (void)cm_alloc_reserve_take(); /* again, if the group spent it */

        /* Jobs nobody waits for are the writer's alone until completed:
         * complete them outside the lock. A waiting worker may free its
         * job as soon as it is signalled and the lock released. */
        for (size_t i = 0; i < n; i++) {
            if (batch[i]->complete) {
                batch[i]->job.rc = jobs[i].rc;
                later[n_later++] = batch[i];
            }
        }
        (void)pthread_mutex_lock(&w->mu);
        for (size_t i = 0; i < n; i++) {
            if (batch[i]->complete)
                continue;
            batch[i]->job.rc = jobs[i].rc;
            batch[i]->done = true;
            (void)pthread_cond_signal(&batch[i]->cv);
        }
        if (n_later > 0) {
            (void)pthread_mutex_unlock(&w->mu);
            for (size_t i = 0; i < n_later; i++)
                later[i]->complete(later[i]);
            (void)pthread_mutex_lock(&w->mu);
        }
    }
    (void)pthread_mutex_unlock(&w->mu);
    store_close(s);
    return NULL;
}

enum cm_err
app_writer_start(struct app *a)
{
    struct app_writer *w = &a->writer;

    if (w->running)
        return CM_ERR_OK;
    if (pthread_mutex_init(&w->mu, NULL) != 0)
        return CM_ERR_INTERNAL;
    if (pthread_cond_init(&w->work, NULL) != 0)
        goto out_mutex;
    w->head = NULL;
    w->tail = NULL;
    w->stop = false;
    if (pthread_create(&w->thread, NULL, writer_main, a) != 0)
        goto out_work;
    w->running = true;
    return CM_ERR_OK;
out_work:
    (void)pthread_cond_destroy(&w->work);
out_mutex:
    (void)pthread_mutex_destroy(&w->mu);
    return CM_ERR_INTERNAL;
}

/* Stop the writer after the jobs already queued. */
static void
writer_stop(struct app *a)
{
    struct app_writer *w = &a->writer;

    if (!w->running)
        return;
    (void)pthread_mutex_lock(&w->mu);
    w->stop = true;
    (void)pthread_cond_signal(&w->work);
    (void)pthread_mutex_unlock(&w->mu);
    (void)pthread_join(w->thread, NULL);
    (void)pthread_cond_destroy(&w->work);
    (void)pthread_mutex_destroy(&w->mu);
    w->running = false;
}

/* Hand `job` to the writer (which must be running). */
static void
writer_enqueue(struct app_writer *w, struct app_job *job)
{
    (void)pthread_mutex_lock(&w->mu);
    if (w->tail)
        w->tail->next = job;
    else
        w->head = job;
    w->tail = job;
    (void)pthread_cond_signal(&w->work);
    (void)pthread_mutex_unlock(&w->mu);
}

/* A transaction body with the allocator's failure mark (alloc.h) taken
 * around it: a body during which an allocation failed is refused
 * (rolled back, 503), whatever thread runs it. */
struct guarded {
    store_tx_fn fn;
    void *ctx;
    struct app_tx *tx; /* where the refusal is recorded, or NULL */
};

static int
guarded_fn(struct store *s, void *ctx)
{
    struct guarded *g = ctx;
    int rc;

    (void)cm_alloc_failed_take(); /* not this body's */
    if (g->tx && g->tx->idem && g->tx->idem->active) {
        rc = idem_lookup(s, g->tx);
        if (rc != STORE_NO_RESULTS)
            return rc;
    }
    rc = g->fn(s, g->ctx);
    if (!cm_alloc_failed_take())
        return rc;
    if (g->tx)
        return app_fail(g->tx, CM_ERR_UNAVAILABLE, NULL,
                        "the server ran short of memory; try again");
    return STORE_HARD_ERROR;
}

/* Run a transaction: through the writer when it runs, else on this
 * thread's connection. Returns what store_tx_run would. */
static int
run_tx(struct http_req *req,
       const char *name,
       store_tx_fn fn,
       void *ctx,
       struct app_tx *tx)
{
    struct app *a = app_of(req);
    struct app_writer *w = &a->writer;
    struct app_job job;
    struct store *s = NULL;
    struct guarded g = {fn, ctx, tx};

    fn = guarded_fn;
    ctx = &g;

    if (!w->running) {
        int rc;

        if (pool_get(req, &s) != CM_ERR_OK)
            return STORE_SOFT_ERROR;
        rc = store_tx_run(s, name, fn, ctx);
        pool_put(a, s, rc == STORE_HARD_ERROR);
        return rc;
    }
    memset(&job, 0, sizeof job);
    job.job.name = name;
    job.job.fn = fn;
    job.job.ctx = ctx;
    if (pthread_cond_init(&job.cv, NULL) != 0)
        return STORE_SOFT_ERROR;
    writer_enqueue(w, &job);
    (void)pthread_mutex_lock(&w->mu);
    while (!job.done)
        (void)pthread_cond_wait(&job.cv, &w->mu);
    (void)pthread_mutex_unlock(&w->mu);
    (void)pthread_cond_destroy(&job.cv);
    return job.job.rc;
}

/* Turn a transaction's result into the answer (app_run's contract). */
static enum cm_err
tx_result(struct http_req *req, const char *name, int rc, struct app_tx *tx)
{
    if (rc >= 0)
        return CM_ERR_OK;
    if (tx->replay_body) {
        /* the key's first answer (idem_lookup): a non-OK result, so the
         * handler adds nothing to it */
        idem_replay(req, tx->replay_status, tx->replay_body);
        cm_free(tx->replay_body);
        tx->replay_body = NULL;
        return CM_ERR_STATE_CONFLICT;
    }
    if (tx->err != CM_ERR_OK)
        return reply_error(req, tx->err, tx->field,
                           tx->detail[0] ? tx->detail : NULL);
    if (rc == STORE_SOFT_ERROR)
        return reply_error(req, CM_ERR_UNAVAILABLE, NULL,
                           "the store is busy or unreachable; try again");
    log_write(LOG_LEVEL_ERROR, __FILE__, __LINE__, req->id,
              "transaction %s failed in the store", name);
    return reply_error(req, CM_ERR_STORE_FAILURE, NULL, NULL);
}

static void
tx_reset(struct http_req *req, struct app_tx *tx)
{
    tx->req = req;
    tx->err = CM_ERR_OK;
    tx->field = NULL;
    tx->detail[0] = '\0';
}

enum cm_err
app_run(struct http_req *req,
        const char *name,
        store_tx_fn fn,
        struct app_tx *tx)
{
    int rc;

    tx_reset(req, tx);
    /* Short of memory already (alloc.h): refuse before changing anything. */
    if (cm_alloc_failed_take() || req->is_short_of_memory) {
        req->is_short_of_memory = true;
        rc = app_fail(tx, CM_ERR_UNAVAILABLE, NULL,
                      "the server ran short of memory; try again");
    } else {
        rc = run_tx(req, name, fn, tx, tx);
    }
    if (rc >= 0)
        req->is_committed = true;
    return tx_result(req, name, rc, tx);
}

enum cm_err
app_run_read(struct http_req *req,
             const char *name,
             store_tx_fn fn,
             struct app_tx *tx)
{
    struct store *s = NULL;
    enum cm_err err;
    int rc;

    tx_reset(req, tx);
    err = pool_get(req, &s);
    if (err != CM_ERR_OK)
        return reply_error(req, err, NULL, "the store is not reachable");
    rc = store_tx_run_read(s, name, fn, tx);
    pool_put(app_of(req), s, rc == STORE_HARD_ERROR && tx->err == CM_ERR_OK);
    return tx_result(req, name, rc, tx);
}

/* The caller's roles as "officer,signer" into `out`. */
static void
roles_text(role_set roles, char *out, size_t n)
{
    size_t at = 0;

    out[0] = '\0';
    for (unsigned r = 0; r < (unsigned)ROLE__COUNT; r++) {
        const char *name = role_name((enum role)r);
        int w;

        if (!(roles & ROLE_BIT(r)) || !name)
            continue;
        w = snprintf(out + at, n - at, "%s%s", at ? "," : "", name);
        if (w < 0 || (size_t)w >= n - at)
            break;
        at += (size_t)w;
    }
}

enum store_rc
app_audit(struct store *s,
          struct http_req *req,
          const char *action,
          const char *object_kind,
          const char *object_id,
          const char *outcome,
          const char *detail)
{
    const struct http_caller *c = &req->caller;
    struct audit_entry e;
    char roles[128];
    int64_t seq = 0;

    roles_text(req->roles, roles, sizeof roles);
    memset(&e, 0, sizeof e);
    e.at_us = app_now(app_of(req));
    e.actor_id = c->user_id[0] ? c->user_id : NULL;
    e.org_id = c->org_id[0] ? c->org_id : NULL;
    e.role = roles[0] ? roles : NULL;
    e.session_hash = c->session_hash[0] ? c->session_hash : NULL;
    e.client_addr = req->client_addr[0] ? req->client_addr : NULL;
    e.action = action;
    e.object_kind = object_kind;
    e.object_id = object_id && *object_id ? object_id : NULL;
    e.outcome = outcome;
    e.detail = detail;
    return audit_append(s, &e, &seq);
}

struct alone_tx {
    struct app_tx base;
    const char *actor_id;
    const char *action;
    const char *object_kind;
    const char *object_id;
    const char *outcome;
    const char *detail;
};

static enum store_rc
alone_tx(struct store *s, void *ctx)
{
    struct alone_tx *t = ctx;
    struct http_caller saved = t->base.req->caller;
    enum store_rc rc;

    if (t->actor_id)
        (void)snprintf(t->base.req->caller.user_id,
                       sizeof t->base.req->caller.user_id, "%s", t->actor_id);
    rc = app_audit(s, t->base.req, t->action, t->object_kind, t->object_id,
                   t->outcome, t->detail);
    t->base.req->caller = saved;
    return rc;
}

void
app_audit_alone(struct http_req *req,
                const char *actor_id,
                const char *action,
                const char *object_kind,
                const char *object_id,
                const char *outcome,
                const char *detail)
{
    struct alone_tx t = {.base = {.req = req},
                         .actor_id = actor_id,
                         .action = action,
                         .object_kind = object_kind,
                         .object_id = object_id,
                         .outcome = outcome,
                         .detail = detail};
    if (run_tx(req, "audit", alone_tx, &t, &t.base) < 0)
        log_write(LOG_LEVEL_ERROR, __FILE__, __LINE__, req->id,
                  "could not record audit event %s", action);
}

enum cm_err
app_audit_committed(struct http_req *req,
                    const char *action,
                    const char *object_kind,
                    const char *object_id,
                    const char *detail)
{
    struct alone_tx t = {.base = {.req = req},
                         .action = action,
                         .object_kind = object_kind,
                         .object_id = object_id,
                         .outcome = "ok",
                         .detail = detail};

    return app_run(req, "audit", alone_tx, &t.base);
}

/* An audit record whose commit a parked request waits for. */
struct audit_park {
    struct app_job job;
    struct guarded g; /* alone_tx over t */
    struct alone_tx t;
    char *object_id; /* owned copies */
    char *detail;
    bool withhold; /* the reply holds what was read: 503 if not recorded */
};

/* On the writer, once the group is committed (or failed). */
static void
audit_park_done(struct app_job *job)
{
    http_req_resume(job->req);
}

/* On the connection's thread: the record is committed, so the answer
 * set by the handler may leave; otherwise it must not, and the client
 * is told to try again. */
static void
audit_park_resumed(struct http_req *req)
{
    struct audit_park *p = req->park_ctx;

    req->park_ctx = NULL;
    if (!p)
        return;
    if (p->job.job.rc < 0 && !p->withhold) {
        log_write(LOG_LEVEL_ERROR, __FILE__, __LINE__, req->id,
                  "could not record audit event %s", p->t.action);
    } else if (p->job.job.rc < 0) {
        log_write(LOG_LEVEL_ERROR, __FILE__, __LINE__, req->id,
                  "could not record audit event %s; the answer is withheld",
                  p->t.action);
        (void)reply_error(req, CM_ERR_UNAVAILABLE, NULL,
                          "the read could not be recorded on the audit "
                          "trail; try again");
    }
    cm_free(p->object_id);
    cm_free(p->detail);
    cm_free(p);
}

/* Park `req` until the writer has committed the audit record (action,
 * object, outcome, detail) of its caller. */
static void
audit_park(struct http_req *req,
           const char *action,
           const char *object_kind,
           const char *object_id,
           const char *outcome,
           const char *detail,
           bool withhold)
{
    struct app *a = app_of(req);
    struct audit_park *p = cm_calloc(1, sizeof *p);

    p->withhold = withhold;
    p->object_id = object_id ? cm_strdup(object_id) : NULL;
    p->detail = detail ? cm_strdup(detail) : NULL;
    p->t.base.req = req;
    p->t.action = action;
    p->t.object_kind = object_kind;
    p->t.object_id = p->object_id;
    p->t.outcome = outcome;
    p->t.detail = p->detail;
    p->job.job.name = "audit";
    p->g.fn = alone_tx;
    p->g.ctx = &p->t;
    p->g.tx = &p->t.base;
    p->job.job.fn = guarded_fn;
    p->job.job.ctx = &p->g;
    p->job.complete = audit_park_done;
    p->job.req = req;
    /* Park first: the writer may finish the job at once. */
    http_req_park(req, audit_park_resumed);
    req->park_ctx = p;
    writer_enqueue(&a->writer, &p->job);
}

enum cm_err
app_audit_then_reply(struct http_req *req,
                     const char *action,
                     const char *object_kind,
                     const char *object_id,
                     const char *detail)
{
    if (!app_of(req)->writer.running) {
        enum cm_err err =
            app_audit_committed(req, action, object_kind, object_id, detail);

        if (err != CM_ERR_OK)
            (void)reply_error(req, CM_ERR_UNAVAILABLE, NULL,
                              "the read could not be recorded on the audit "
                              "trail; try again");
        return err;
    }
    audit_park(req, action, object_kind, object_id, "ok", detail, true);
    return CM_ERR_OK;
}

enum cm_err
app_audit_refusal(struct http_req *req,
                  enum cm_err err,
                  const char *action,
                  const char *object_kind,
                  const char *object_id,
                  const char *outcome)
{
    if (!req->reply.is_set)
        (void)reply_error(req, err, NULL, NULL);
    if (!app_of(req)->writer.running)
        app_audit_alone(req, NULL, action, object_kind, object_id, outcome,
                        NULL);
    else
        audit_park(req, action, object_kind, object_id, outcome, NULL, false);
    return err;
}

/* ---- who is calling -------------------------------------------------------*/

/* The value of cookie `name` in the request's Cookie header into `out`
 * (at most n - 1 bytes); false when absent or too long. */
static bool
cookie_value(const struct http_req *req, const char *name, char *out, size_t n)
{
    const char *h = http_req_header(req, "Cookie");
    size_t nl = strlen(name);

    while (h && *h) {
        const char *end;
        size_t len;

        while (*h == ' ' || *h == ';')
            h++;
        end = strchr(h, ';');
        len = end ? (size_t)(end - h) : strlen(h);
        if (len > nl && strncmp(h, name, nl) == 0 && h[nl] == '=') {
            size_t vl = len - nl - 1;

            if (vl >= n)
                return false;
            memcpy(out, h + nl + 1, vl);
            out[vl] = '\0';
            return true;
        }
        h = end;
    }
    return false;
}

static bool
is_unsafe(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

struct auth_tx {
    struct app_tx base;
    unsigned char hash[TOKEN_HASH_SIZE];
    bool via_token;
    bool csrf_needed;
    unsigned char csrf[TOKEN_HASH_SIZE];
    bool csrf_given;
    const char *reason; /* for the log and the 401 detail */
    bool is_touch_due;  /* the token's last use is a minute old or more */
    int64_t now;
};

/* Load the user behind a session or token and fill the caller. */
static enum store_rc
caller_from_user(struct auth_tx *t, struct store *s, const char *user_id)
{
    struct http_req *req = t->base.req;
    struct store_user u = {0};
    struct store_org o = {0};
    enum org_kind kind;
    enum store_rc rc = store_user_get(s, user_id, &u);

    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc
                      : app_fail(&t->base, CM_ERR_UNAUTHENTICATED, NULL,
                                 "log in again");
    if (u.disabled) {
        store_user_release(&u);
        return app_fail(&t->base, CM_ERR_UNAUTHENTICATED, NULL,
                        "this account is disabled");
    }
    rc = store_org_get(s, u.org_id, &o);
    if (rc != STORE_ONE_RESULT || !org_kind_parse(o.kind, &kind)) {
        store_user_release(&u);
        store_org_release(&o);
        return rc < 0 ? rc : STORE_HARD_ERROR;
    }
    req->roles = u.roles & org_kind_roles(kind);
    req->caller.is_authenticated = true;
    req->caller.needs_mfa_enrollment =
        app_of(req)->require_totp && !u.totp_enabled;
    req->caller.via_token = t->via_token;
    req->caller.org_kind = (int)kind;
    (void)snprintf(req->caller.user_id, sizeof req->caller.user_id, "%s", u.id);
    (void)snprintf(req->caller.org_id, sizeof req->caller.org_id, "%s",
                   u.org_id);
    token_hash_hex(t->hash, req->caller.session_hash);
    store_user_release(&u);
    store_org_release(&o);
    return STORE_ONE_RESULT;
}

static enum store_rc
auth_session_tx(struct store *s, void *ctx)
{
    struct auth_tx *t = ctx;
    struct http_req *req = t->base.req;
    struct store_session se = {0};
    int64_t now = app_now(app_of(req));
    enum store_rc rc = store_session_get_by_token(s, t->hash, &se);

    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS || se.ended_at != 0)
        rc = app_fail(&t->base, CM_ERR_UNAUTHENTICATED, NULL,
                      "your session has ended; log in again");
    else if (now >= se.expires_at ||
             now - se.last_seen_at >= APP_SESSION_IDLE_US) {
        (void)store_session_end(s, se.id, now);
        /* Commit the ending: answer 401 after the commit. */
        t->reason = "session_expired";
        store_session_release(&se);
        return STORE_NO_RESULTS;
    } else if (t->csrf_needed &&
               (!t->csrf_given || !token_hash_equal(t->csrf, se.csrf_hash)))
        rc = app_fail(&t->base, CM_ERR_CSRF_FAILED, NULL,
                      "send the X-CSRF-Token header you got at login");
    else {
        rc = caller_from_user(t, s, se.user_id);
        if (rc == STORE_ONE_RESULT) {
            (void)snprintf(req->caller.session_id,
                           sizeof req->caller.session_id, "%s", se.id);
            req->caller.authenticated_at = se.authenticated_at;
            /* Idle time is measured from the last request; writing it on
             * each request would serialize reads, so once a minute. */
            if (now - se.last_seen_at >= 60LL * 1000000)
                rc = store_session_touch(s, se.id, now);
            if (rc >= 0)
                rc = STORE_ONE_RESULT;
        }
    }
    store_session_release(&se);
    return rc;
}

static enum store_rc
auth_token_tx(struct store *s, void *ctx)
{
    struct auth_tx *t = ctx;
    struct http_req *req = t->base.req;
    struct store_api_token tok = {0};
    int64_t now = app_now(app_of(req));
    enum store_rc rc = store_api_token_get_by_hash(s, t->hash, &tok);

    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS || tok.revoked_at != 0 ||
        (tok.expires_at != 0 && now >= tok.expires_at))
        rc = app_fail(&t->base, CM_ERR_UNAUTHENTICATED, NULL,
                      "the token is unknown, revoked or expired");
    else {
        rc = caller_from_user(t, s, tok.user_id);
        if (rc == STORE_ONE_RESULT) {
            (void)snprintf(req->caller.session_id,
                           sizeof req->caller.session_id, "%s", tok.id);
            /* When it was last used, for the inactive-account job
             * (jobs/inactive.h): once a minute, as for sessions, but in a
             * transaction of its own (token_touch) so that a read made
             * with a token stays a read. */
            t->is_touch_due = now - tok.last_used_at >= 60LL * 1000000;
            t->now = now;
        }
    }
    store_api_token_release(&tok);
    return rc;
}

/* What an account without the second factor that require_totp asks for
 * may still do: read itself, enroll and confirm a factor, change its
 * password, log out. */
static bool
is_enrollment_route(const struct http_req *req)
{
    static const char *const allowed[][2] = {
        {"GET", "/api/v1/me"},
        {"POST", "/api/v1/me/totp"},
        {"POST", "/api/v1/me/totp/confirm"},
        {"POST", "/api/v1/me/password"},
        {"DELETE", "/api/v1/session"},
    };
    const struct route *r = req->match.route;

    for (size_t i = 0; r && i < sizeof allowed / sizeof *allowed; i++)
        if (strcmp(r->method, allowed[i][0]) == 0 &&
            strcmp(r->pattern, allowed[i][1]) == 0)
            return true;
    return false;
}

/* Record the use of the bearer token of the caller (auth_token_tx). */
struct touch_tx {
    struct app_tx base;
    int64_t now;
};

static enum store_rc
token_touch_tx(struct store *s, void *ctx)
{
    struct touch_tx *t = ctx;

    return store_api_token_touch(s, t->base.req->caller.session_id, t->now);
}

enum cm_err
app_authenticate(struct http_req *req)
{
    struct auth_tx t;
    const char *authz = http_req_header(req, "Authorization");
    char cookie[TOKEN_LEN + 2];
    enum cm_err err;

    memset(&t, 0, sizeof t);
    memset(&req->caller, 0, sizeof req->caller);
    req->roles = 0;
    if (authz && strncmp(authz, "Bearer ", 7) == 0) {
        t.via_token = true;
        if (!token_hash(authz + 7, t.hash))
            return reply_error(req, CM_ERR_UNAUTHENTICATED, NULL,
                               "the bearer token is malformed");
    } else if (cookie_value(req, app_session_cookie(app_of(req)), cookie,
                            sizeof cookie)) {
        const char *csrf = http_req_header(req, "X-CSRF-Token");

        if (!token_hash(cookie, t.hash))
            return reply_error(req, CM_ERR_UNAUTHENTICATED, NULL,
                               "the session cookie is malformed; log in "
                               "again");
        t.csrf_needed = is_unsafe(req->method);
        t.csrf_given = csrf && token_hash(csrf, t.csrf);
    } else {
        return reply_error(req, CM_ERR_UNAUTHENTICATED, NULL,
                           "log in first (POST /api/v1/session) or send "
                           "Authorization: Bearer");
    }
    err = app_run_read(req, "authenticate",
                       t.via_token ? auth_token_tx : auth_session_tx, &t.base);
    if (err != CM_ERR_OK)
        return err;
    if (t.reason) {
        memset(&req->caller, 0, sizeof req->caller);
        req->roles = 0;
        return reply_error(req, CM_ERR_UNAUTHENTICATED, NULL,
                           "your session expired; log in again");
    }
    if (t.via_token && t.is_touch_due) {
        /* Best effort: a store that takes no writes (a failed disk) must
         * not refuse the reads a token makes; the next use tries again. */
        struct touch_tx touch = {.base = {.req = req}, .now = t.now};

        (void)run_tx(req, "token_touch", token_touch_tx, &touch, &touch.base);
    }
    if (req->caller.needs_mfa_enrollment && !is_enrollment_route(req)) {
        app_audit_alone(req, NULL, "route.denied", "route",
                        req->match.route ? req->match.route->pattern : NULL,
                        "mfa_enrollment_required", req->method);
        return reply_error(req, CM_ERR_MFA_ENROLLMENT_REQUIRED, NULL,
                           "a second factor is required of every account "
                           "here: enroll one (POST /api/v1/me/totp, then "
                           "POST /api/v1/me/totp/confirm with a code) "
                           "before anything else");
    }
    return ratelimit_check_caller(req);
}

enum cm_err
app_require_step_up(struct http_req *req)
{
    const struct app *a = app_of(req);
    int64_t now = app_now(a);
    const struct route *r = req->match.route;

    if (req->caller.via_token ||
        (req->caller.authenticated_at > 0 &&
         now - req->caller.authenticated_at < a->step_up_us))
        return CM_ERR_OK;
    app_audit_alone(req, NULL, "route.denied", "route", r ? r->pattern : NULL,
                    "step_up_required", req->method);
    return reply_error(req, CM_ERR_STEP_UP_REQUIRED, NULL,
                       "signing and administration need your password "
                       "again: confirm it (and your code, if you have a "
                       "second factor) with POST /api/v1/session/step-up, "
                       "then try again");
}

void
app_on_denied(struct http_req *req, enum cm_err err)
{
    const struct route *r = req->match.route;

    app_audit_alone(req, NULL, "route.denied", "route", r ? r->pattern : NULL,
                    cm_err_code(err), req->method);
}

void
app_viewer(const struct http_req *req, struct perm_viewer *out)
{
    out->org_id = req->caller.org_id;
    out->org_kind = (enum org_kind)req->caller.org_kind;
    out->roles = req->roles;
}

bool
app_has_role(const struct http_req *req, enum role r)
{
    return (req->roles & ROLE_BIT(r)) != 0;
}

/* ---- conventions --------------------------------------------------------*/

json_t *
app_json_time(int64_t us)
{
    char out[DATE_RFC3339_SIZE];

    if (us == 0)
        return json_null();
    date_time_format_rfc3339(us / 1000000, 0, out);
    return json_string(out);
}

void
app_add_time(struct buf *b, int64_t us)
{
    char out[DATE_RFC3339_SIZE];

    if (us == 0) {
        buf_add(b, "null", 4);
        return;
    }
    date_time_format_rfc3339(us / 1000000, 0, out);
    jsonout_add_string(b, out, strlen(out));
}

json_t *
app_json_str(const char *s)
{
    if (!s || !*s)
        return json_null();
    return json_string(s);
}

enum cm_err
app_if_match(struct http_req *req, int64_t *out)
{
    const char *h = http_req_header(req, "If-Match");
    long long v;
    char *end = NULL;

    if (!h) {
        *out = -1;
        return CM_ERR_OK;
    }
    if (h[0] == 'W' && h[1] == '/')
        h += 2;
    if (h[0] != '"' || h[1] < '0' || h[1] > '9')
        goto out_bad;
    v = strtoll(h + 1, &end, 10);
    if (!end || end[0] != '"' || end[1] != '\0' || v < 0)
        goto out_bad;
    *out = (int64_t)v;
    return CM_ERR_OK;
out_bad:
    return reply_error(req, CM_ERR_PRECONDITION_FAILED, "If-Match",
                       "send If-Match: \"<version>\" as given in the ETag");
}

enum cm_err
app_check_if_match(struct http_req *req, int64_t version, bool required)
{
    int64_t want = -1;
    enum cm_err err = app_if_match(req, &want);

    if (err != CM_ERR_OK)
        return err;
    if (want < 0) {
        if (!required)
            return CM_ERR_OK;
        return reply_error(req, CM_ERR_PRECONDITION_REQUIRED, "If-Match", NULL);
    }
    if (want != version) {
        char d[96];

        (void)snprintf(d, sizeof d,
                       "the resource is at version %lld; read it again",
                       (long long)version);
        return reply_error(req, CM_ERR_PRECONDITION_FAILED, "If-Match", d);
    }
    return CM_ERR_OK;
}

void
app_set_etag(struct http_req *req, int64_t version)
{
    char v[32];

    (void)snprintf(v, sizeof v, "\"%lld\"", (long long)version);
    (void)reply_add_header(req, "ETag", v);
}

enum cm_err
app_page_params(struct http_req *req, int *limit, const char **cursor)
{
    const char *l = http_req_query(req, "limit");
    const char *c = http_req_query(req, "cursor");
    long v = 50;

    if (l) {
        char *end = NULL;

        v = strtol(l, &end, 10);
        if (!*l || !end || *end || v < 1 || v > 500)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "limit",
                               "limit must be a whole number from 1 to 500");
    }
    if (c && (!*c || strlen(c) > 128))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "cursor",
                           "cursor must be a next_cursor value from a "
                           "previous page");
    *limit = (int)v;
    *cursor = c;
    return CM_ERR_OK;
}

/* ---- idempotency --------------------------------------------------------*/

/* The first answer again: its body, and the headers that follow from it
 * (the resource's ETag and Location). */
static void
idem_replay(struct http_req *req, int status, const char *body)
{
    json_t *j = json_loads(body, 0, NULL);
    json_t *version;
    const char *id;
    int64_t v;
    struct buf loc = BUF_INIT;

    if (!j) {
        (void)reply_error(req, CM_ERR_INTERNAL, NULL, NULL);
        return;
    }
    version = json_object_get(j, "version");
    id = json_string_value(json_object_get(j, "id"));
    v = json_is_integer(version) ? (int64_t)json_integer_value(version) : -1;
    /* read them before reply_json takes the body */
    if (id && status == 201)
        buf_addf(&loc, "%s/%s", req->path, id);
    (void)reply_json(req, (unsigned)status, j);
    if (v >= 0)
        app_set_etag(req, v);
    if (loc.len > 0)
        (void)reply_add_header(req, "Location", buf_str(&loc));
    buf_release(&loc);
    (void)reply_add_header(req, "Idempotent-Replayed", "true");
}

/* First thing inside a creating transaction with an Idempotency-Key
 * (guarded_fn): the key's record, if this user has one of the last 24
 * hours. None: STORE_NO_RESULTS, the work goes on. The same request:
 * its first answer is kept in `tx` for tx_result to send again, and the
 * transaction ends having written nothing. Another request: refused. */
static enum store_rc
idem_lookup(struct store *s, struct app_tx *tx)
{
    const struct app_idem *st = tx->idem;
    struct http_req *req = tx->req;
    struct store_idempotency rec;
    enum store_rc rc;

    cm_free(tx->replay_body);
    tx->replay_body = NULL;
    memset(&rec, 0, sizeof rec);
    rc = store_idempotency_get(s, req->caller.user_id, st->key, &rec);
    if (rc != STORE_ONE_RESULT ||
        rec.created_at < app_now(app_of(req)) - APP_IDEM_TTL_US) {
        store_idempotency_release(&rec);
        return rc < 0 ? rc : STORE_NO_RESULTS;
    }
    if (!token_hash_equal(rec.request_hash, st->hash)) {
        rc = app_fail(tx, CM_ERR_IDEMPOTENCY_CONFLICT, "Idempotency-Key",
                      "this Idempotency-Key was used with another "
                      "request; use a new key");
    } else if (rec.status == 0 || !rec.body) {
        rc = app_fail(tx, CM_ERR_STATE_CONFLICT, "Idempotency-Key",
                      "the first request with this key is still "
                      "running; try again");
    } else {
        tx->replay_status = rec.status;
        tx->replay_body = cm_strdup(rec.body);
        /* a refusal to the store (nothing written); tx_result answers */
        rc = app_fail(tx, CM_ERR_STATE_CONFLICT, NULL, NULL);
    }
    store_idempotency_release(&rec);
    return rc;
}

/* The request headers an Idempotency-Key's fingerprint covers. */
static const char *const fp_headers[] = {"Content-Type", "Content-Disposition"};

bool
app_idem_begin(struct http_req *req, struct app_tx *tx, struct app_idem *st)
{
    const char *key = http_req_header(req, "Idempotency-Key");
    const struct buf *body = &req->body;
    struct buf fp = BUF_INIT;
    size_t n;

    memset(st, 0, sizeof *st);
    if (!key)
        return false;
    n = strlen(key);
    if (n == 0 || n >= sizeof st->key) {
        (void)reply_error(req, CM_ERR_VALIDATION_FAILED, "Idempotency-Key",
                          "Idempotency-Key must be 1 to 128 characters");
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        if (key[i] < 0x21 || key[i] > 0x7e) {
            (void)reply_error(req, CM_ERR_VALIDATION_FAILED, "Idempotency-Key",
                              "Idempotency-Key must be printable ASCII");
            return true;
        }
    }
    memcpy(st->key, key, n + 1);
    buf_adds(&fp, req->method);
    buf_addch(&fp, '\n');
    buf_adds(&fp, req->path);
    buf_addch(&fp, '\n');
    /* The query and the headers that carry meaning (a document's case,
     * kind, type and file name) belong to the request as much as its
     * body: the same key with another of them is another request. */
    http_req_query_all(req, &fp);
    buf_addch(&fp, '\n');
    for (size_t i = 0; i < sizeof fp_headers / sizeof fp_headers[0]; i++) {
        const char *v = http_req_header(req, fp_headers[i]);

        buf_addf(&fp, "%s: %s\n", fp_headers[i], v ? v : "");
    }
    buf_add(&fp, buf_str(body), body->len);
    token_digest(fp.data, fp.len, st->hash);
    buf_release(&fp);

    st->active = true;
    tx->idem = st;
    return false;
}

enum store_rc
app_idem_save_text(struct store *s,
                   struct app_tx *tx,
                   const struct app_idem *st,
                   int status,
                   const char *text)
{
    struct http_req *req = tx->req;
    struct store_idempotency r;
    int64_t now = app_now(app_of(req));
    enum store_rc rc;
    int gone;

    if (!st->active)
        return STORE_ONE_RESULT;
    gone = store_idempotency_delete_before(s, now - APP_IDEM_TTL_US);
    if (gone < 0)
        return (enum store_rc)gone;
    memset(&r, 0, sizeof r);
    (void)snprintf(r.user_id, sizeof r.user_id, "%s", req->caller.user_id);
    r.key = (char *)st->key;
    memcpy(r.request_hash, st->hash, sizeof r.request_hash);
    r.method = (char *)req->method;
    r.path = req->path;
    r.status = status;
    r.body = (char *)text;
    r.created_at = now;
    rc = store_idempotency_insert(s, &r);
    if (rc == STORE_NO_RESULTS)
        return app_fail(tx, CM_ERR_STATE_CONFLICT, "Idempotency-Key",
                        "another request with this key got there first; "
                        "send it again to see its answer");
    return rc;
}

enum store_rc
app_idem_save(struct store *s,
              struct app_tx *tx,
              const struct app_idem *st,
              int status,
              const json_t *body)
{
    struct buf text = BUF_INIT;
    enum store_rc rc;

    if (!st->active)
        return STORE_ONE_RESULT;
    /* the same text as json_dumps(body, JSON_COMPACT), at a fraction of
     * its cost on the writer thread (http/jsonout.h) */
    if (!jsonout_add(&text, body)) {
        buf_release(&text);
        return STORE_HARD_ERROR;
    }
    rc = app_idem_save_text(s, tx, st, status, buf_str(&text));
    buf_release(&text);
    return rc;
}
