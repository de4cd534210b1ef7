/*
 * test_jobs.c: the contract of store_jobs.h: a job claimed by two workers
 * at once on two connections goes to exactly one; a lease that runs out
 * makes a job claimable again and the old worker can no longer complete
 * it; a failed job waits for its next run; a dead one waits for a retry;
 * two servers on two connections share a queue, and the one that dies
 * holding jobs loses them to the other when its lease runs out; four
 * workers racing one job at a time complete each job exactly once;
 * natural keys of jobs and deliveries are inserted once; webhooks are
 * listed by organization and deleted; feed tokens are replaced and
 * revoked.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "contract.h"
#include "core/alloc.h"
#include "core/rand.h"

#define SEC INT64_C(1000000)

static void
job_new(struct store_job *j, const char *key, int64_t run_at)
{
    memset(j, 0, sizeof *j);
    cm_id_new(j->id);
    j->created_at = j->updated_at = FX_T0;
    j->kind = "test.kind";
    j->payload = "{\"n\":1}";
    j->unique_key = (char *)key;
    j->run_at = run_at;
}

/* Collects the ids of claimed jobs. */
struct claimed {
    int n;
    char ids[64][STORE_ID_SIZE];
    int64_t attempts;
};

static void
on_job(void *cls, const struct store_job *j)
{
    struct claimed *c = cls;

    if (c->n < 64)
        memcpy(c->ids[c->n], j->id, STORE_ID_SIZE);
    c->n++;
    c->attempts = j->attempts;
}

static int
claim(struct store *s, const char *worker, int64_t now, struct claimed *c)
{
    memset(c, 0, sizeof *c);
    return store_job_claim(s, worker, now, now + 10 * SEC, 10, on_job, c);
}

static void
test_unique_keys(void **state)
{
    struct fx *f = *state;
    struct store_job j, got;
    struct store_delivery d;

    job_new(&j, "fanout:d1:2026-01-09:7d", FX_T0);
    assert_int_equal(store_job_insert(f->s, &j), STORE_ONE_RESULT);
    job_new(&j, "fanout:d1:2026-01-09:7d", FX_T0);
    assert_int_equal(store_job_insert(f->s, &j), STORE_NO_RESULTS);
    assert_int_equal(store_job_get(f->s, j.id, &got), STORE_NO_RESULTS);
    /* Jobs without a key never collide. */
    job_new(&j, NULL, FX_T0);
    assert_int_equal(store_job_insert(f->s, &j), STORE_ONE_RESULT);
    job_new(&j, NULL, FX_T0);
    assert_int_equal(store_job_insert(f->s, &j), STORE_ONE_RESULT);
    assert_int_equal(store_job_get(f->s, j.id, &got), STORE_ONE_RESULT);
    assert_string_equal(got.kind, "test.kind");
    assert_string_equal(got.payload, "{\"n\":1}");
    assert_null(got.unique_key);
    assert_int_equal(got.attempts, 0);
    assert_false(got.dead);
    store_job_release(&got);

    memset(&d, 0, sizeof d);
    cm_id_new(d.id);
    d.key = "email:d1:2026-01-09:7d:u1";
    memcpy(d.job_id, j.id, STORE_ID_SIZE);
    d.channel = "email";
    memcpy(d.recipient_id, f->officer, STORE_ID_SIZE);
    d.status = "sent";
    d.at = FX_T0;
    assert_int_equal(store_delivery_insert(f->s, &d), STORE_ONE_RESULT);
    cm_id_new(d.id);
    assert_int_equal(store_delivery_insert(f->s, &d), STORE_NO_RESULTS);
    memset(&d, 0, sizeof d);
    assert_int_equal(
        store_delivery_get_by_key(f->s, "email:d1:2026-01-09:7d:u1", &d),
        STORE_ONE_RESULT);
    assert_string_equal(d.channel, "email");
    assert_string_equal(d.status, "sent");
    assert_string_equal(d.recipient_id, f->officer);
    store_delivery_release(&d);
}

static void
test_lease_and_backoff(void **state)
{
    struct fx *f = *state;
    struct store_job j, got;
    struct claimed c;

    job_new(&j, NULL, FX_T0 + 5 * SEC);
    assert_int_equal(store_job_insert(f->s, &j), STORE_ONE_RESULT);
    /* Not due before run_at. */
    assert_int_equal(claim(f->s, "A", FX_T0, &c), 0);
    assert_int_equal(claim(f->s, "A", FX_T0 + 5 * SEC, &c), 1);
    assert_string_equal(c.ids[0], j.id);
    /* Held by A until FX_T0 + 15 s. */
    assert_int_equal(claim(f->s, "B", FX_T0 + 14 * SEC, &c), 0);
    /* A's server died: the lease runs out and B takes the job. */
    assert_int_equal(claim(f->s, "B", FX_T0 + 15 * SEC, &c), 1);
    assert_int_equal(store_job_complete(f->s, j.id, "A", FX_T0 + 16 * SEC),
                     STORE_NO_RESULTS);
    /* B fails it; it runs again 30 s later. */
    assert_int_equal(store_job_fail(f->s, j.id, "B", FX_T0 + 16 * SEC,
                                    FX_T0 + 46 * SEC, "webhook: status 500"),
                     STORE_ONE_RESULT);
    assert_int_equal(store_job_get(f->s, j.id, &got), STORE_ONE_RESULT);
    assert_int_equal(got.attempts, 1);
    assert_string_equal(got.last_error, "webhook: status 500");
    assert_null(got.claimed_by);
    assert_int_equal(got.run_at, FX_T0 + 46 * SEC);
    store_job_release(&got);
    assert_int_equal(claim(f->s, "A", FX_T0 + 45 * SEC, &c), 0);
    assert_int_equal(claim(f->s, "A", FX_T0 + 46 * SEC, &c), 1);
    assert_int_equal(c.attempts, 1);
    assert_int_equal(store_job_complete(f->s, j.id, "A", FX_T0 + 47 * SEC),
                     STORE_ONE_RESULT);
    assert_int_equal(store_job_complete(f->s, j.id, "A", FX_T0 + 48 * SEC),
                     STORE_NO_RESULTS);
    assert_int_equal(store_job_get(f->s, j.id, &got), STORE_ONE_RESULT);
    assert_int_equal(got.done_at, FX_T0 + 47 * SEC);
    store_job_release(&got);
    /* Done jobs are never claimed again. */
    assert_int_equal(claim(f->s, "A", FX_T0 + 3600 * SEC, &c), 0);
}

static void
test_dead_and_retry(void **state)
{
    struct fx *f = *state;
    struct store_job j, other;
    struct claimed c;

    job_new(&j, NULL, FX_T0);
    assert_int_equal(store_job_insert(f->s, &j), STORE_ONE_RESULT);
    job_new(&other, NULL, FX_T0 + SEC); /* stays pending */
    assert_int_equal(store_job_insert(f->s, &other), STORE_ONE_RESULT);
    assert_int_equal(store_job_retry(f->s, j.id, FX_T0), STORE_NO_RESULTS);
    assert_int_equal(claim(f->s, "A", FX_T0, &c), 1);
    /* next_run_at 0: dead. */
    assert_int_equal(store_job_fail(f->s, j.id, "A", FX_T0, 0, "timeout"),
                     STORE_ONE_RESULT);
    assert_int_equal(claim(f->s, "A", FX_T0 + 3600 * SEC, &c), 1);
    assert_string_equal(c.ids[0], other.id); /* the dead one is skipped */
    assert_int_equal(
        store_job_complete(f->s, other.id, "A", FX_T0 + 3600 * SEC),
        STORE_ONE_RESULT);
    assert_int_equal(
        store_job_list(f->s, STORE_JOB_STATE_DEAD, NULL, 10, on_job, &c), 1);
    assert_string_equal(c.ids[1], j.id);
    assert_int_equal(
        store_job_list(f->s, STORE_JOB_STATE_ANY, NULL, 10, on_job, &c), 2);
    assert_int_equal(store_job_retry(f->s, j.id, FX_T0 + 7200 * SEC),
                     STORE_ONE_RESULT);
    assert_int_equal(store_job_retry(f->s, j.id, FX_T0 + 7200 * SEC),
                     STORE_NO_RESULTS);
    assert_int_equal(
        store_job_list(f->s, STORE_JOB_STATE_DEAD, NULL, 10, on_job, &c), 0);
    assert_int_equal(claim(f->s, "B", FX_T0 + 7200 * SEC, &c), 1);
    assert_string_equal(c.ids[0], j.id);
    assert_int_equal(c.attempts, 0);
}

static void
test_list_pages(void **state)
{
    struct fx *f = *state;
    struct store_job j;
    struct claimed c;
    struct store_cursor after;
    char first[STORE_ID_SIZE];

    for (int i = 0; i < 5; i++) {
        job_new(&j, NULL, FX_T0);
        j.created_at = FX_T0 + i * SEC;
        assert_int_equal(store_job_insert(f->s, &j), STORE_ONE_RESULT);
        if (i == 4)
            memcpy(first, j.id, sizeof first);
    }
    memset(&c, 0, sizeof c);
    assert_int_equal(
        store_job_list(f->s, STORE_JOB_STATE_PENDING, NULL, 3, on_job, &c), 3);
    assert_string_equal(c.ids[0], first); /* newest first */
    after = store_cursor_after(FX_T0 + 2 * SEC, c.ids[2]);
    memset(&c, 0, sizeof c);
    assert_int_equal(
        store_job_list(f->s, STORE_JOB_STATE_PENDING, &after, 3, on_job, &c),
        2);
}

/* Two workers, each on its own connection, claim at once. */
struct worker {
    char url[512];
    const char *name;
    struct claimed got;
    int rc;
};

struct claim_ctx {
    const char *name;
    struct claimed *got;
};

static void
on_claim_append(void *cls, const struct store_job *j)
{
    struct claimed *c = cls;

    if (c->n < 64)
        memcpy(c->ids[c->n], j->id, STORE_ID_SIZE);
    c->n++;
}

static enum store_rc
claim_some(struct store *s, void *ctx)
{
    struct claim_ctx *c = ctx;
    int before = c->got->n;
    int n = store_job_claim(s, c->name, FX_T0, FX_T0 + 60 * SEC, 3,
                            on_claim_append, c->got);

    /* A rerun must not count the rows twice. */
    if (n < 0)
        c->got->n = before;
    return n < 0 ? (enum store_rc)n : (enum store_rc)(n > 0);
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    struct store *s = NULL;
    struct claim_ctx ctx = {w->name, &w->got};

    w->rc = -1;
    if (store_open_partial(w->url, STORE_OPEN_MODE_EXISTING, &s, NULL) !=
        CM_ERR_OK)
        return NULL;
    for (;;) {
        int before = w->got.n;
        int rc = store_tx_run(s, "claim", claim_some, &ctx);

        if (rc < 0) {
            w->got.n = before;
            continue; /* busy past the retries: try again */
        }
        if (rc == 0)
            break;
    }
    store_close(s);
    w->rc = 0;
    return NULL;
}

static void
test_claim_once(void **state)
{
    struct fx *f = *state;
    struct worker w[2];
    pthread_t t[2];
    struct store_job j;
    int total = 0;

    for (int i = 0; i < 30; i++) {
        job_new(&j, NULL, FX_T0);
        assert_int_equal(store_job_insert(f->s, &j), STORE_ONE_RESULT);
    }
    for (int i = 0; i < 2; i++) {
        memset(&w[i], 0, sizeof w[i]);
        (void)snprintf(w[i].url, sizeof w[i].url, "%s", f->url);
        w[i].name = i ? "worker-b" : "worker-a";
        assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].rc, 0);
        total += w[i].got.n;
    }
    /* Every job claimed, none by both. */
    assert_int_equal(total, 30);
    for (int a = 0; a < w[0].got.n; a++)
        for (int b = 0; b < w[1].got.n; b++)
            assert_string_not_equal(w[0].got.ids[a], w[1].got.ids[b]);
}

/* Claim in a transaction of its own, as the job runner does. */
struct claim_tx {
    const char *worker;
    int64_t now;
    int64_t lease_until;
    int limit;
    struct claimed got;
};

static enum store_rc
claim_tx_body(struct store *s, void *ctx)
{
    struct claim_tx *t = ctx;
    int n;

    memset(&t->got, 0, sizeof t->got);
    n = store_job_claim(s, t->worker, t->now, t->lease_until, t->limit,
                        on_claim_append, &t->got);
    return n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
}

/* Claim up to `limit` jobs for `worker` at `now` for `lease` µs. */
static int
claim_on(struct store *s,
         const char *worker,
         int64_t now,
         int64_t lease,
         int limit,
         struct claimed *got)
{
    struct claim_tx t = {worker, now, now + lease, limit, {0}};
    int rc = store_tx_run(s, "claim", claim_tx_body, &t);

    *got = t.got;
    return rc < 0 ? rc : t.got.n;
}

static bool
has_id(const struct claimed *c, const char *id)
{
    for (int i = 0; i < c->n && i < 64; i++)
        if (strcmp(c->ids[i], id) == 0)
            return true;
    return false;
}

/* Two servers, each with its own connection, share one queue: each job
 * goes to one of them; the one that dies holding jobs releases them when
 * its lease runs out, to the other, and cannot finish them afterwards. */
static void
test_lease_taken_over_across_connections(void **state)
{
    struct fx *f = *state;
    struct store *a = NULL, *b = NULL;
    struct store_job j[4], got;
    struct claimed by_a, by_b, again;

    for (int i = 0; i < 4; i++) {
        job_new(&j[i], NULL, FX_T0 - 10 + i);
        assert_int_equal(store_job_insert(f->s, &j[i]), STORE_ONE_RESULT);
    }
    assert_int_equal(
        store_open_partial(f->url, STORE_OPEN_MODE_EXISTING, &a, NULL),
        CM_ERR_OK);
    assert_int_equal(
        store_open_partial(f->url, STORE_OPEN_MODE_EXISTING, &b, NULL),
        CM_ERR_OK);
    /* A takes the two earliest until FX_T0 + 10 s; B, at the same instant,
     * gets the other two (until FX_T0 + 60 s) and none of A's. */
    assert_int_equal(claim_on(a, "server-a", FX_T0, 10 * SEC, 2, &by_a), 2);
    assert_string_equal(by_a.ids[0], j[0].id);
    assert_string_equal(by_a.ids[1], j[1].id);
    assert_int_equal(claim_on(b, "server-b", FX_T0, 60 * SEC, 10, &by_b), 2);
    assert_string_equal(by_b.ids[0], j[2].id);
    assert_string_equal(by_b.ids[1], j[3].id);
    /* A dies holding its jobs. Until the lease ends nobody gets them. */
    store_close(a);
    a = NULL;
    assert_int_equal(
        claim_on(b, "server-b", FX_T0 + 10 * SEC - 1, 60 * SEC, 10, &again), 0);
    /* Then B gets both, and only those (its own leases hold). */
    assert_int_equal(
        claim_on(b, "server-b", FX_T0 + 10 * SEC, 60 * SEC, 10, &again), 2);
    assert_true(has_id(&again, j[0].id));
    assert_true(has_id(&again, j[1].id));
    assert_int_equal(store_job_get(f->s, j[0].id, &got), STORE_ONE_RESULT);
    assert_string_equal(got.claimed_by, "server-b");
    assert_int_equal(got.claimed_until, FX_T0 + 70 * SEC);
    store_job_release(&got);
    /* A comes back (a new connection, the same worker name): the jobs are
     * no longer its own, to complete or to fail. */
    assert_int_equal(
        store_open_partial(f->url, STORE_OPEN_MODE_EXISTING, &a, NULL),
        CM_ERR_OK);
    assert_int_equal(
        store_job_complete(a, j[0].id, "server-a", FX_T0 + 11 * SEC),
        STORE_NO_RESULTS);
    assert_int_equal(store_job_fail(a, j[1].id, "server-a", FX_T0 + 11 * SEC,
                                    FX_T0 + 60 * SEC, "late"),
                     STORE_NO_RESULTS);
    for (int i = 0; i < 4; i++)
        assert_int_equal(
            store_job_complete(b, j[i].id, "server-b", FX_T0 + 12 * SEC),
            STORE_ONE_RESULT);
    assert_int_equal(store_job_get(f->s, j[1].id, &got), STORE_ONE_RESULT);
    assert_int_equal(got.attempts, 0); /* A's late failure did not count */
    assert_null(got.last_error);
    store_job_release(&got);
    assert_int_equal(
        claim_on(a, "server-a", FX_T0 + 3600 * SEC, 60 * SEC, 10, &again), 0);
    store_close(a);
    store_close(b);
}

/* Four workers on four connections take one job at a time and complete
 * it, racing for the same head of the queue: every job is completed, each
 * by exactly one worker. */
#define RACE_WORKERS 4
#define RACE_JOBS    40

struct racer {
    char url[512];
    char name[16];
    char done[RACE_JOBS][STORE_ID_SIZE];
    int n_done;
    int rc;
};

struct complete_ctx {
    const char *id;
    const char *worker;
};

static enum store_rc
complete_body(struct store *s, void *ctx)
{
    struct complete_ctx *c = ctx;

    return store_job_complete(s, c->id, c->worker, FX_T0 + SEC);
}

static void *
racer_main(void *arg)
{
    struct racer *r = arg;
    struct store *s = NULL;
    struct claimed got;
    int n;

    r->rc = -1;
    if (store_open_partial(r->url, STORE_OPEN_MODE_EXISTING, &s, NULL) !=
        CM_ERR_OK)
        return NULL;
    for (;;) {
        struct complete_ctx c = {NULL, r->name};

        n = claim_on(s, r->name, FX_T0, 10 * SEC, 1, &got);
        if (n < 0)
            continue; /* busy past the retries: try again */
        if (n == 0)
            break;
        c.id = got.ids[0];
        do
            n = store_tx_run(s, "complete", complete_body, &c);
        while (n == STORE_SOFT_ERROR);
        /* The lease (10 s of the test's clock) cannot run out: a refusal
         * here would mean another worker took the job. */
        if (n != STORE_ONE_RESULT || r->n_done == RACE_JOBS)
            goto out_close;
        memcpy(r->done[r->n_done++], got.ids[0], STORE_ID_SIZE);
    }
    r->rc = 0;
out_close:
    store_close(s);
    return NULL;
}

static void
test_claim_race_one_at_a_time(void **state)
{
    struct fx *f = *state;
    static struct racer r[RACE_WORKERS];
    pthread_t t[RACE_WORKERS];
    struct store_job j;
    char ids[RACE_JOBS][STORE_ID_SIZE];
    struct claimed c;
    int total = 0;

    for (int i = 0; i < RACE_JOBS; i++) {
        job_new(&j, NULL, FX_T0);
        assert_int_equal(store_job_insert(f->s, &j), STORE_ONE_RESULT);
        memcpy(ids[i], j.id, STORE_ID_SIZE);
    }
    for (int i = 0; i < RACE_WORKERS; i++) {
        memset(&r[i], 0, sizeof r[i]);
        (void)snprintf(r[i].url, sizeof r[i].url, "%s", f->url);
        (void)snprintf(r[i].name, sizeof r[i].name, "racer-%d", i);
        assert_int_equal(pthread_create(&t[i], NULL, racer_main, &r[i]), 0);
    }
    for (int i = 0; i < RACE_WORKERS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(r[i].rc, 0);
        total += r[i].n_done;
    }
    assert_int_equal(total, RACE_JOBS);
    /* Each job completed by exactly one worker. */
    for (int k = 0; k < RACE_JOBS; k++) {
        int times = 0;

        for (int i = 0; i < RACE_WORKERS; i++)
            for (int d = 0; d < r[i].n_done; d++)
                times += strcmp(r[i].done[d], ids[k]) == 0;
        assert_int_equal(times, 1);
    }
    memset(&c, 0, sizeof c);
    assert_int_equal(
        store_job_list(f->s, STORE_JOB_STATE_PENDING, NULL, 64, on_job, &c), 0);
    assert_int_equal(
        store_job_list(f->s, STORE_JOB_STATE_DONE, NULL, 64, on_job, &c),
        RACE_JOBS);
}

struct hooks {
    int n;
    char ids[8][STORE_ID_SIZE];
};

static void
on_hook(void *cls, const struct store_webhook *w)
{
    struct hooks *h = cls;

    if (h->n < 8)
        memcpy(h->ids[h->n], w->id, STORE_ID_SIZE);
    h->n++;
}

static void
test_webhooks(void **state)
{
    struct fx *f = *state;
    struct store_webhook w, got;
    struct hooks h;
    unsigned char sealed[] = {1, 2, 3, 4};

    memset(&w, 0, sizeof w);
    cm_id_new(w.id);
    w.created_at = w.updated_at = FX_T0;
    memcpy(w.org_id, f->county, STORE_ID_SIZE);
    w.url = "https://hooks.county.test/compel";
    w.events = "reminder.due,reminder.overdue";
    w.secret.data = sealed;
    w.secret.len = sizeof sealed;
    memcpy(w.created_by, f->officer, STORE_ID_SIZE);
    assert_int_equal(store_webhook_insert(f->s, &w), STORE_ONE_RESULT);
    assert_int_equal(store_webhook_insert(f->s, &w), STORE_NO_RESULTS);
    assert_int_equal(store_webhook_get(f->s, w.id, &got), STORE_ONE_RESULT);
    assert_string_equal(got.url, w.url);
    assert_string_equal(got.events, w.events);
    assert_int_equal(got.secret.len, sizeof sealed);
    assert_memory_equal(got.secret.data, sealed, sizeof sealed);
    assert_int_equal(got.deleted_at, 0);
    store_webhook_release(&got);

    memset(&h, 0, sizeof h);
    assert_int_equal(store_webhook_list_for_orgs(f->s, f->agency, f->county,
                                                 NULL, on_hook, &h),
                     1);
    memset(&h, 0, sizeof h);
    assert_int_equal(
        store_webhook_list_for_orgs(f->s, f->agency, "", NULL, on_hook, &h), 0);
    memset(&h, 0, sizeof h);
    assert_int_equal(store_webhook_list(f->s, NULL, 10, on_hook, &h), 1);
    assert_int_equal(store_webhook_delete(f->s, w.id, FX_T0 + SEC),
                     STORE_ONE_RESULT);
    assert_int_equal(store_webhook_delete(f->s, w.id, FX_T0 + SEC),
                     STORE_NO_RESULTS);
    memset(&h, 0, sizeof h);
    assert_int_equal(store_webhook_list(f->s, NULL, 10, on_hook, &h), 0);
    assert_int_equal(
        store_webhook_list_for_orgs(f->s, f->county, NULL, NULL, on_hook, &h),
        0);
    assert_int_equal(store_webhook_get(f->s, w.id, &got), STORE_ONE_RESULT);
    assert_int_equal(got.deleted_at, FX_T0 + SEC);
    store_webhook_release(&got);
}

static void
test_feed_tokens(void **state)
{
    struct fx *f = *state;
    unsigned char h1[STORE_HASH_SIZE], h2[STORE_HASH_SIZE];
    char user[STORE_ID_SIZE];

    memset(h1, 0x11, sizeof h1);
    memset(h2, 0x22, sizeof h2);
    assert_int_equal(store_feed_token_user(f->s, h1, user), STORE_NO_RESULTS);
    assert_int_equal(store_feed_token_revoke(f->s, f->officer, FX_T0),
                     STORE_NO_RESULTS);
    assert_int_equal(store_feed_token_set(f->s, f->officer, h1, FX_T0),
                     STORE_ONE_RESULT);
    assert_int_equal(store_feed_token_user(f->s, h1, user), STORE_ONE_RESULT);
    assert_string_equal(user, f->officer);
    /* A new token replaces the old one. */
    assert_int_equal(store_feed_token_set(f->s, f->officer, h2, FX_T0 + SEC),
                     STORE_ONE_RESULT);
    assert_int_equal(store_feed_token_user(f->s, h1, user), STORE_NO_RESULTS);
    assert_int_equal(store_feed_token_user(f->s, h2, user), STORE_ONE_RESULT);
    assert_int_equal(store_feed_token_revoke(f->s, f->officer, FX_T0 + SEC),
                     STORE_ONE_RESULT);
    assert_int_equal(store_feed_token_user(f->s, h2, user), STORE_NO_RESULTS);
    assert_int_equal(store_feed_token_revoke(f->s, f->officer, FX_T0 + SEC),
                     STORE_NO_RESULTS);
    /* After a revocation a new token works again. */
    assert_int_equal(store_feed_token_set(f->s, f->officer, h1, FX_T0 + SEC),
                     STORE_ONE_RESULT);
    assert_int_equal(store_feed_token_user(f->s, h1, user), STORE_ONE_RESULT);
}

int
contract_run_jobs(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unique_keys, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_lease_and_backoff, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_dead_and_retry, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_list_pages, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_claim_once, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_lease_taken_over_across_connections, fx_setup_world,
            fx_teardown),
        cmocka_unit_test_setup_teardown(test_claim_race_one_at_a_time,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_webhooks, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_feed_tokens, fx_setup_world,
                                        fx_teardown),
    };

    return cmocka_run_group_tests_name("store jobs", tests, NULL, NULL);
}
