/*
 * store.c: the backend-independent half of the store.
 *
 * It picks a backend by URL scheme, runs every transaction (the one
 * begin / callback / commit / retry loop, after GNU Taler's
 * run_transaction), applies migrations, and holds the thin public
 * wrappers over the backend's function table. The wrappers are the single
 * place where calls are counted and where a test can make the Nth call
 * fail (store_fault_set), so every error path can be exercised.
 */
#include "store/store.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/log.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_int.h"

#define SQLITE_SCHEME         "sqlite:"
#define POSTGRES_SCHEME       "postgresql://"
#define POSTGRES_SCHEME_SHORT "postgres://"

/* Open `url` with whichever backend its scheme names (store_open's
 * contract, without the completeness check). */
static enum cm_err
open_any(const char *url,
         enum store_open_mode mode,
         struct store **out,
         const char **why)
{
    const char *reason = "unknown database URL scheme (use sqlite:PATH)";
    enum cm_err err = CM_ERR_USAGE;
    struct store *s = NULL;

    assert(out != NULL);
    if (url == NULL)
        goto out_fail;
    if (strncmp(url, SQLITE_SCHEME, strlen(SQLITE_SCHEME)) == 0) {
        err = store_sqlite_open(url + strlen(SQLITE_SCHEME), mode, &s, &reason);
        if (err != CM_ERR_OK)
            goto out_fail;
        *out = s;
        return CM_ERR_OK;
    }
    if (strncmp(url, POSTGRES_SCHEME, strlen(POSTGRES_SCHEME)) == 0 ||
        strncmp(url, POSTGRES_SCHEME_SHORT, strlen(POSTGRES_SCHEME_SHORT)) ==
            0) {
        /* libpq reads the whole URL, scheme included. */
        err = store_postgres_open(url, mode, &s, &reason);
        if (err != CM_ERR_OK)
            goto out_fail;
        *out = s;
        return CM_ERR_OK;
    }
out_fail:
    if (why)
        *why = reason;
    return err;
}

bool
store_is_complete(const struct store *s)
{
    const struct store_ops *o = s->ops;

    return o->auth && o->admin && o->cases && o->infra && o->jobs && o->bulk &&
           o->docs && o->sign && o->reports && o->backup;
}

enum cm_err
store_open(const char *url,
           enum store_open_mode mode,
           struct store **out,
           const char **why)
{
    struct store *s = NULL;
    enum cm_err err = open_any(url, mode, &s, why);

    if (err != CM_ERR_OK)
        return err;
    if (!store_is_complete(s)) {
        store_close(s);
        if (why)
            *why = "this version's PostgreSQL backend is not complete yet "
                   "(docs/operations.md); use sqlite:PATH";
        return CM_ERR_UNAVAILABLE;
    }
    *out = s;
    return CM_ERR_OK;
}

enum cm_err
store_open_partial(const char *url,
                   enum store_open_mode mode,
                   struct store **out,
                   const char **why)
{
    return open_any(url, mode, out, why);
}

void
store_close(struct store *s)
{
    if (s == NULL)
        return;
    s->ops->close(s);
}

const char *
store_backend_name(const struct store *s)
{
    return s->ops->name;
}

/* ---- operations a backend does not have yet -----------------------------*/

/* True, with *rc = STORE_HARD_ERROR and a log line, when the backend left
 * the operation `op` NULL (the PostgreSQL backend, while it is being
 * written); the wrappers then never call through it. */
static bool
is_missing(const struct store *s,
           bool missing,
           const char *op,
           enum store_rc *rc)
{
    if (!missing)
        return false;
    LOG_ERROR("store %s: not implemented on %s", op, s->ops->name);
    *rc = STORE_HARD_ERROR;
    return true;
}

#define OP_MISSING(s, member, rc) \
    is_missing((s), (s)->ops->member == NULL, #member, (rc))

/* ---- fault injection ---------------------------------------------------*/

void
store_fault_set(struct store *s, unsigned long n, enum store_fault kind)
{
    assert(n >= 1);
    s->fault_calls = 0;
    s->fault_at = n;
    s->fault_kind = kind;
}

void
store_fault_clear(struct store *s)
{
    s->fault_calls = 0;
    s->fault_at = 0;
}

unsigned long
store_fault_calls(const struct store *s)
{
    return s->fault_calls;
}

bool
store_is_faulted(struct store *s, enum store_rc *rc)
{
    bool persistent = s->fault_kind == STORE_FAULT_SOFT_PERSISTENT ||
                      s->fault_kind == STORE_FAULT_HARD_PERSISTENT;
    bool soft = s->fault_kind == STORE_FAULT_SOFT_ONCE ||
                s->fault_kind == STORE_FAULT_SOFT_PERSISTENT;

    s->fault_calls++;
    if (s->fault_at == 0 || s->fault_calls < s->fault_at)
        return false;
    if (s->fault_calls > s->fault_at && !persistent)
        return false;
    *rc = soft ? STORE_SOFT_ERROR : STORE_HARD_ERROR;
    return true;
}

/* ---- transactions ------------------------------------------------------*/

/* Sleep about 2^attempt milliseconds plus up to 1 ms of jitter, so that
 * writers that collided do not collide again in step. */
static void
backoff(int attempt)
{
    unsigned char jitter = 0;
    struct timespec ts;
    long ms = 1L << (attempt < 6 ? attempt : 6);

    cm_random_bytes(&jitter, sizeof jitter);
    ts.tv_sec = 0;
    ts.tv_nsec = ms * 1000000L + (long)jitter * 4000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static enum store_rc
tx_begin(struct store *s)
{
    enum store_rc rc;

    s->is_commit_unknown = false;
    if (!store_is_faulted(s, &rc))
        rc = s->ops->begin(s);
    return rc;
}

static enum store_rc
tx_commit(struct store *s)
{
    enum store_rc rc;

    if (!store_is_faulted(s, &rc))
        rc = s->ops->commit(s);
    return rc;
}

int
store_tx_run(struct store *s, const char *name, store_tx_fn fn, void *ctx)
{
    int rc = STORE_SOFT_ERROR;

    assert(s != NULL && fn != NULL);
    assert(!s->in_tx); /* transactions do not nest */
    for (int attempt = 0; attempt < STORE_TX_MAX_ATTEMPTS; attempt++) {
        if (attempt > 0)
            backoff(attempt);
        rc = tx_begin(s);
        if (rc >= 0) {
            s->in_tx = true;
            rc = fn(s, ctx);
            s->in_tx = false;
            if (rc >= 0) {
                enum store_rc crc = tx_commit(s);

                if (crc < 0)
                    rc = crc;
            }
        }
        if (rc < 0)
            s->ops->rollback(s); /* a no-op when nothing is open */
        /* A COMMIT whose outcome is unknown is not run again: it may
         * have committed (the caller answers "try again", and a retry
         * with an Idempotency-Key finds what it did). */
        if (rc != STORE_SOFT_ERROR || s->is_commit_unknown)
            break;
        LOG_DEBUG("transaction %s: soft error, attempt %d", name, attempt + 1);
    }
    if (rc == STORE_SOFT_ERROR)
        LOG_WARN("transaction %s: gave up after %d attempts", name,
                 STORE_TX_MAX_ATTEMPTS);
    else if (rc == STORE_HARD_ERROR)
        LOG_INFO("transaction %s: rolled back", name);
    return rc;
}

static enum store_rc
call_op(struct store *s, enum store_rc (*op)(struct store *))
{
    enum store_rc rc;

    if (!store_is_faulted(s, &rc))
        rc = op(s);
    return rc;
}

int
store_tx_run_read(struct store *s, const char *name, store_tx_fn fn, void *ctx)
{
    int rc = STORE_SOFT_ERROR;

    assert(s != NULL && fn != NULL);
    assert(!s->in_tx);
    for (int attempt = 0; attempt < STORE_TX_MAX_ATTEMPTS; attempt++) {
        if (attempt > 0)
            backoff(attempt);
        rc = call_op(s, s->ops->begin_read);
        if (rc >= 0) {
            s->in_tx = true;
            rc = fn(s, ctx);
            s->in_tx = false;
            if (rc >= 0) {
                enum store_rc crc = tx_commit(s);

                if (crc < 0)
                    rc = crc;
            }
        }
        if (rc < 0)
            s->ops->rollback(s);
        /* A COMMIT whose outcome is unknown is not run again: it may
         * have committed (the caller answers "try again", and a retry
         * with an Idempotency-Key finds what it did). */
        if (rc != STORE_SOFT_ERROR || s->is_commit_unknown)
            break;
        LOG_DEBUG("read transaction %s: soft error, attempt %d", name,
                  attempt + 1);
    }
    if (rc == STORE_SOFT_ERROR)
        LOG_WARN("read transaction %s: gave up after %d attempts", name,
                 STORE_TX_MAX_ATTEMPTS);
    return rc;
}

/* One attempt at a group: 0 committed, or the error of the whole group. */
static int
group_attempt(struct store *s, struct store_tx_job *jobs, size_t n)
{
    enum store_rc rc = tx_begin(s);

    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        int jrc;

        rc = call_op(s, s->ops->group_savepoint);
        if (rc < 0)
            goto out_rollback;
        s->in_tx = true;
        jrc = jobs[i].fn(s, jobs[i].ctx);
        s->in_tx = false;
        if (jrc == STORE_SOFT_ERROR) {
            rc = STORE_SOFT_ERROR;
            goto out_rollback;
        }
        if (jrc < 0) {
            /* This member alone is undone; the others go on. */
            rc = call_op(s, s->ops->group_rollback_to);
            if (rc < 0)
                goto out_rollback;
            jrc = STORE_HARD_ERROR;
        }
        rc = call_op(s, s->ops->group_release);
        if (rc < 0)
            goto out_rollback;
        jobs[i].rc = jrc;
    }
    rc = tx_commit(s);
    if (rc < 0)
        goto out_rollback;
    return 0;
out_rollback:
    s->in_tx = false;
    s->ops->rollback(s);
    return rc;
}

int
store_tx_run_group(struct store *s, struct store_tx_job *jobs, size_t n)
{
    int rc = STORE_SOFT_ERROR;

    assert(s != NULL && (jobs != NULL || n == 0));
    assert(!s->in_tx);
    for (int attempt = 0; attempt < STORE_TX_MAX_ATTEMPTS; attempt++) {
        if (attempt > 0)
            backoff(attempt);
        if (attempt == STORE_TX_GROUP_ATTEMPTS && n > 1) {
            /* Several servers' groups that keep deadlocking on each
             * other's rows: the members are independent, so each runs
             * as a transaction of its own, with its own attempts. */
            LOG_DEBUG("group of %zu: running its members one by one", n);
            for (size_t i = 0; i < n; i++)
                jobs[i].rc =
                    store_tx_run(s, jobs[i].name, jobs[i].fn, jobs[i].ctx);
            return 0;
        }
        rc = group_attempt(s, jobs, n);
        /* A COMMIT whose outcome is unknown is not run again: it may
         * have committed (the caller answers "try again", and a retry
         * with an Idempotency-Key finds what it did). */
        if (rc != STORE_SOFT_ERROR || s->is_commit_unknown)
            break;
        LOG_DEBUG("group of %zu: soft error, attempt %d", n, attempt + 1);
    }
    if (rc < 0) {
        for (size_t i = 0; i < n; i++)
            jobs[i].rc = rc;
        LOG_WARN("group of %zu transactions failed (%s)", n,
                 rc == STORE_SOFT_ERROR ? "soft error" : "hard error");
    }
    return rc;
}

/* ---- migrations --------------------------------------------------------*/

struct migration_ctx {
    const struct cm_embedded *m;
    int64_t now;
    bool applied;
};

static enum store_rc
migration_step(struct store *s, void *cls)
{
    struct migration_ctx *ctx = cls;
    enum store_rc rc;

    ctx->applied = false;
    rc = s->ops->migration_is_applied(s, ctx->m->name);
    if (rc != STORE_NO_RESULTS)
        return rc < 0 ? rc : STORE_NO_RESULTS;
    rc = s->ops->migration_apply(s, ctx->m->name, ctx->m->data, ctx->now);
    if (rc < 0)
        return rc;
    ctx->applied = true;
    return STORE_ONE_RESULT;
}

enum store_rc
store_migrate(struct store *s, int64_t now, int *applied)
{
    int n = 0;
    enum store_rc rc = s->ops->migration_prepare(s);

    if (rc < 0)
        return rc;
    for (const struct cm_embedded *m = s->ops->migrations; m->name; m++) {
        struct migration_ctx ctx = {m, now, false};
        int trc = store_tx_run(s, m->name, migration_step, &ctx);

        if (trc < 0) {
            LOG_ERROR("migration %s failed", m->name);
            return (enum store_rc)trc;
        }
        if (ctx.applied) {
            LOG_DEBUG("applied migration %s", m->name);
            n++;
        }
    }
    *applied = n;
    return STORE_ONE_RESULT;
}

int64_t
store_cache_used(struct store *s)
{
    return s->ops->cache_used ? s->ops->cache_used(s) : 0;
}

void
store_cache_limit(struct store *s, int64_t bytes)
{
    if (s->ops->cache_limit)
        s->ops->cache_limit(s, bytes);
}

void
store_cache_release(struct store *s)
{
    if (s->ops->cache_release)
        s->ops->cache_release(s);
}

enum store_rc
store_migrations_pending(struct store *s, int *pending)
{
    int n = 0;
    enum store_rc rc = s->ops->migration_prepare(s);

    for (const struct cm_embedded *m = s->ops->migrations; rc >= 0 && m->name;
         m++) {
        rc = s->ops->migration_is_applied(s, m->name);
        if (rc == STORE_NO_RESULTS)
            n++;
    }
    if (rc < 0)
        return rc;
    *pending = n;
    return STORE_ONE_RESULT;
}

enum store_rc
store_schema_version(struct store *s, int *version)
{
    int v = 0;
    enum store_rc rc = s->ops->migration_prepare(s);

    for (const struct cm_embedded *m = s->ops->migrations; rc >= 0 && m->name;
         m++) {
        rc = s->ops->migration_is_applied(s, m->name);
        if (rc == STORE_ONE_RESULT) {
            long num = strtol(m->name, NULL, 10);

            if (num > v && num < 100000)
                v = (int)num;
        }
    }
    if (rc < 0)
        return rc;
    *version = v;
    return STORE_ONE_RESULT;
}

/* ---- wrappers ----------------------------------------------------------*/

enum store_rc
store_meta_get(struct store *s, const char *key, char **value)
{
    enum store_rc rc;

    assert(key != NULL && value != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->meta_get(s, key, value);
    return rc;
}

enum store_rc
store_meta_set(struct store *s, const char *key, const char *value)
{
    enum store_rc rc;

    assert(key != NULL && value != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->meta_set(s, key, value);
    return rc;
}

enum store_rc
store_backup(struct store *s, const char *path)
{
    enum store_rc rc;

    assert(path != NULL);
    if (!store_is_faulted(s, &rc) && !OP_MISSING(s, backup, &rc))
        rc = s->ops->backup(s, path);
    return rc;
}

enum store_rc
store_case_number_next(struct store *s,
                       const char *prefix,
                       int year,
                       char out[STORE_NUMBER_SIZE])
{
    enum store_rc rc;

    assert(prefix != NULL && strlen(prefix) == 3);
    assert(year >= 1900 && year <= 9999);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->case_number_next(s, prefix, year, out);
    return rc;
}

enum store_rc
store_org_insert(struct store *s, const struct store_org *o)
{
    enum store_rc rc;

    assert(o != NULL && o->kind && o->name && o->timezone);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->org_insert(s, o);
    return rc;
}

enum store_rc
store_org_get(struct store *s, const char *id, struct store_org *out)
{
    enum store_rc rc;

    assert(id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->org_get(s, id, out);
    return rc;
}

int
store_org_list(struct store *s,
               const char *after_id,
               int limit,
               store_org_cb cb,
               void *cls)
{
    enum store_rc frc;
    int rc;

    assert(cb != NULL && limit >= 0);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->org_list(s, after_id, limit, cb, cls);
    return rc;
}

enum store_rc
store_facility_insert(struct store *s, const struct store_facility *f)
{
    enum store_rc rc;

    assert(f != NULL && f->name && f->timezone);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->facility_insert(s, f);
    return rc;
}

enum store_rc
store_facility_get(struct store *s, const char *id, struct store_facility *out)
{
    enum store_rc rc;

    assert(id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->facility_get(s, id, out);
    return rc;
}

int
store_facility_list_by_org(struct store *s,
                           const char *org_id,
                           store_facility_cb cb,
                           void *cls)
{
    enum store_rc frc;
    int rc;

    assert(org_id != NULL && cb != NULL);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->facility_list_by_org(s, org_id, cb, cls);
    return rc;
}

enum store_rc
store_user_insert(struct store *s, const struct store_user *u)
{
    enum store_rc rc;

    assert(u != NULL && u->email && u->name);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->user_insert(s, u);
    return rc;
}

enum store_rc
store_user_get(struct store *s, const char *id, struct store_user *out)
{
    enum store_rc rc;

    assert(id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->user_get(s, id, out);
    return rc;
}

enum store_rc
store_user_get_by_email(struct store *s,
                        const char *email,
                        struct store_user *out)
{
    enum store_rc rc;

    assert(email != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->user_get_by_email(s, email, out);
    return rc;
}

enum store_rc
store_person_insert(struct store *s, const struct store_person *p)
{
    enum store_rc rc;

    assert(p != NULL && p->family_name.data && p->family_name_bidx.data);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->person_insert(s, p);
    return rc;
}

enum store_rc
store_person_get(struct store *s, const char *id, struct store_person *out)
{
    enum store_rc rc;

    assert(id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->person_get(s, id, out);
    return rc;
}

int
store_person_find(struct store *s,
                  enum store_person_index index,
                  const struct store_blob *key,
                  store_person_cb cb,
                  void *cls)
{
    enum store_rc frc;
    int rc;

    assert(key != NULL && key->data != NULL && cb != NULL);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->person_find(s, index, key, cb, cls);
    return rc;
}

enum store_rc
store_detainer_insert(struct store *s, const struct store_detainer *d)
{
    enum store_rc rc;

    assert(d != NULL && d->form && d->basis && d->hold_rule && d->state);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->detainer_insert(s, d);
    return rc;
}

enum store_rc
store_detainer_get(struct store *s, const char *id, struct store_detainer *out)
{
    enum store_rc rc;

    assert(id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->detainer_get(s, id, out);
    return rc;
}

enum store_rc
store_detainer_update(struct store *s, const struct store_detainer *d)
{
    enum store_rc rc;

    assert(d != NULL && d->state != NULL && d->version >= 1);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->detainer_update(s, d);
    return rc;
}

enum store_rc
store_subpoena_insert(struct store *s, const struct store_subpoena *sp)
{
    enum store_rc rc;

    assert(sp != NULL && sp->purpose && sp->state);
    assert(sp->n_items == 0 || sp->items != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->subpoena_insert(s, sp);
    return rc;
}

enum store_rc
store_subpoena_items_replace(struct store *s, const struct store_subpoena *sp)
{
    enum store_rc rc;

    assert(sp != NULL && sp->id[0] != '\0');
    assert(sp->n_items == 0 || sp->items != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->subpoena_items_replace(s, sp);
    return rc;
}

enum store_rc
store_subpoena_get(struct store *s, const char *id, struct store_subpoena *out)
{
    enum store_rc rc;

    assert(id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->subpoena_get(s, id, out);
    return rc;
}

enum store_rc
store_subpoena_update(struct store *s, const struct store_subpoena *sp)
{
    enum store_rc rc;

    assert(sp != NULL && sp->state != NULL && sp->version >= 1);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->subpoena_update(s, sp);
    return rc;
}

enum store_rc
store_subpoena_update_state(struct store *s,
                            const char *id,
                            int64_t version,
                            const char *state,
                            int64_t updated_at)
{
    enum store_rc rc;

    assert(id != NULL && state != NULL && version >= 1);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->subpoena_update_state(s, id, version, state, updated_at);
    return rc;
}

enum store_rc
store_event_append(struct store *s, const struct store_event *ev, int64_t *seq)
{
    enum store_rc rc;

    assert(ev != NULL && ev->case_kind && ev->action && seq != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->event_append(s, ev, seq);
    return rc;
}

int
store_event_list(struct store *s,
                 const char *case_kind,
                 const char *case_id,
                 store_event_cb cb,
                 void *cls)
{
    enum store_rc frc;
    int rc;

    assert(case_kind != NULL && case_id != NULL && cb != NULL);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->event_list(s, case_kind, case_id, cb, cls);
    return rc;
}

enum store_rc
store_audit_append(struct store *s, const struct store_audit *a, int64_t *seq)
{
    enum store_rc rc;

    assert(a != NULL && a->action && a->outcome && seq != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->audit_append(s, a, seq);
    return rc;
}

enum store_rc
store_audit_get(struct store *s, int64_t seq, struct store_audit *out)
{
    enum store_rc rc;

    assert(out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->audit_get(s, seq, out);
    return rc;
}

enum store_rc
store_audit_head(struct store *s,
                 int64_t *seq,
                 unsigned char hash[STORE_HASH_SIZE])
{
    enum store_rc rc;

    assert(seq != NULL && hash != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->audit_head(s, seq, hash);
    return rc;
}

int
store_audit_range(struct store *s,
                  int64_t from_seq,
                  int64_t to_seq,
                  store_audit_cb cb,
                  void *cls)
{
    enum store_rc frc;
    int rc;

    assert(cb != NULL);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->audit_range(s, from_seq, to_seq, cb, cls);
    return rc;
}

/* ---- releasing rows ----------------------------------------------------*/

void
store_blob_release(struct store_blob *b)
{
    if (b == NULL)
        return;
    cm_free(b->data);
    b->data = NULL;
    b->len = 0;
}

struct store_blob
store_blob_dup(const void *data, size_t n)
{
    struct store_blob b = {NULL, 0};

    if (data == NULL)
        return b;
    b.data = cm_malloc(n ? n : 1);
    if (n)
        memcpy(b.data, data, n);
    b.len = n;
    return b;
}

void
store_org_release(struct store_org *o)
{
    if (o == NULL)
        return;
    cm_free(o->kind);
    cm_free(o->name);
    cm_free(o->state);
    cm_free(o->timezone);
    memset(o, 0, sizeof *o);
}

void
store_facility_release(struct store_facility *f)
{
    if (f == NULL)
        return;
    cm_free(f->name);
    cm_free(f->timezone);
    memset(f, 0, sizeof *f);
}

void
store_user_release(struct store_user *u)
{
    if (u == NULL)
        return;
    cm_free(u->email);
    cm_free(u->name);
    cm_free(u->title);
    cm_free(u->password_hash);
    store_blob_release(&u->totp_secret);
    memset(u, 0, sizeof *u);
}

void
store_person_release(struct store_person *p)
{
    if (p == NULL)
        return;
    store_blob_release(&p->family_name);
    store_blob_release(&p->given_names);
    store_blob_release(&p->date_of_birth);
    store_blob_release(&p->identifiers);
    store_blob_release(&p->aliases);
    store_blob_release(&p->family_name_bidx);
    store_blob_release(&p->dob_bidx);
    store_blob_release(&p->a_number_bidx);
    memset(p, 0, sizeof *p);
}

void
store_detainer_release(struct store_detainer *d)
{
    if (d == NULL)
        return;
    cm_free(d->form);
    cm_free(d->basis);
    cm_free(d->hold_rule);
    cm_free(d->state);
    cm_free(d->outcome_source);
    cm_free(d->reason);
    cm_free(d->cancel_reason);
    memset(d, 0, sizeof *d);
}

static void
item_release(struct store_subpoena_item *it)
{
    cm_free(it->category);
    cm_free(it->description);
    cm_free(it->outcome);
    cm_free(it->ground);
    store_blob_release(&it->value);
}

void
store_subpoena_release(struct store_subpoena *sp)
{
    if (sp == NULL)
        return;
    cm_free(sp->purpose);
    cm_free(sp->state);
    cm_free(sp->service_method);
    cm_free(sp->served_to);
    cm_free(sp->return_date);
    cm_free(sp->original_return_date);
    cm_free(sp->disposition);
    cm_free(sp->refusal_reason);
    cm_free(sp->withdrawal_reason);
    cm_free(sp->response_note);
    for (size_t i = 0; i < sp->n_items; i++)
        item_release(&sp->items[i]);
    cm_free(sp->items);
    memset(sp, 0, sizeof *sp);
}

void
store_event_release(struct store_event *ev)
{
    if (ev == NULL)
        return;
    cm_free(ev->case_kind);
    cm_free(ev->action);
    cm_free(ev->role);
    cm_free(ev->details);
    memset(ev, 0, sizeof *ev);
}

void
store_audit_release(struct store_audit *a)
{
    if (a == NULL)
        return;
    cm_free(a->actor_id);
    cm_free(a->org_id);
    cm_free(a->role);
    cm_free(a->session_hash);
    cm_free(a->client_addr);
    cm_free(a->action);
    cm_free(a->object_kind);
    cm_free(a->object_id);
    cm_free(a->outcome);
    cm_free(a->detail);
    memset(a, 0, sizeof *a);
}
