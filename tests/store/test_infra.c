/*
 * test_infra.c: the contract of store_infra.h (idempotency keys: one
 * winner of two first requests, also from several connections at once as
 * several servers make them, the response recorded byte for byte, expiry;
 * the audit
 * list with filters and paging by seq) and of the deadlines of
 * store_cases.h (upsert, the per-case list, the scoped "due this week"
 * list).
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

#define HOUR INT64_C(3600000000)

static void
test_idempotency_race(void **state)
{
    struct fx *f = *state;
    struct store_idempotency r = {0}, got;

    memcpy(r.user_id, f->officer, sizeof r.user_id);
    r.key = "5b8e6f0a-create-subpoena";
    memset(r.request_hash, 0xab, sizeof r.request_hash);
    r.method = "POST";
    r.path = "/api/v1/subpoenas";
    r.created_at = FX_T0;
    assert_int_equal(store_idempotency_get(f->s, f->officer, r.key, &got),
                     STORE_NO_RESULTS);
    /* Two first requests with the same key: the second loses. */
    assert_int_equal(store_idempotency_insert(f->s, &r), STORE_ONE_RESULT);
    memset(r.request_hash, 0xcd, sizeof r.request_hash);
    assert_int_equal(store_idempotency_insert(f->s, &r), STORE_NO_RESULTS);
    assert_int_equal(store_idempotency_get(f->s, f->officer, r.key, &got),
                     STORE_ONE_RESULT);
    assert_int_equal(got.status, 0); /* in progress */
    assert_null(got.body);
    assert_int_equal(got.request_hash[0], 0xab); /* the winner's */
    store_idempotency_release(&got);
    assert_int_equal(store_idempotency_set_response(f->s, f->officer, r.key,
                                                    201, "{\"id\":\"x\"}"),
                     STORE_ONE_RESULT);
    assert_int_equal(store_idempotency_get(f->s, f->officer, r.key, &got),
                     STORE_ONE_RESULT);
    assert_int_equal(got.status, 201);
    assert_string_equal(got.body, "{\"id\":\"x\"}");
    assert_string_equal(got.method, "POST");
    assert_string_equal(got.path, "/api/v1/subpoenas");
    store_idempotency_release(&got);
    /* Another key, a day later; a cutoff of 24 hours before that removes
     * only the first. */
    r.key = "second";
    r.created_at = FX_T0 + 24 * HOUR;
    assert_int_equal(store_idempotency_insert(f->s, &r), STORE_ONE_RESULT);
    assert_int_equal(store_idempotency_delete_before(f->s, FX_T0 + 1), 1);
    assert_int_equal(store_idempotency_get(f->s, f->officer,
                                           "5b8e6f0a-create-subpoena", &got),
                     STORE_NO_RESULTS);
    assert_int_equal(store_idempotency_get(f->s, f->officer, "second", &got),
                     STORE_ONE_RESULT);
    store_idempotency_release(&got);
    store_idempotency_release(NULL);
}

struct seqs {
    int n;
    int64_t v[32];
};

static void
on_audit(void *cls, const struct store_audit *a)
{
    struct seqs *s = cls;

    if (s->n < 32)
        s->v[s->n] = a->seq;
    s->n++;
}

static void
test_audit_list_filters(void **state)
{
    struct fx *f = *state;
    struct store_audit_filter flt = {0};
    struct seqs s = {0};
    int64_t seq = 0, after = 0;
    int rc, total = 0;

    /* Ten entries, alternating two actors and two objects, an hour
     * apart. */
    for (int i = 0; i < 10; i++) {
        struct store_audit a = {0};

        a.at = FX_T0 + i * HOUR;
        a.actor_id = i % 2 ? "actor-odd" : "actor-even";
        a.action = "subpoena.read";
        a.object_kind = "subpoena";
        a.object_id = i < 5 ? "obj-1" : "obj-2";
        a.outcome = "ok";
        memset(a.prev_hash, i, sizeof a.prev_hash);
        memset(a.hash, i + 1, sizeof a.hash);
        assert_int_equal(store_audit_append(f->s, &a, &seq), STORE_ONE_RESULT);
    }
    flt.actor_id = "actor-odd";
    assert_int_equal(store_audit_list(f->s, &flt, 0, 100, on_audit, &s), 5);
    assert_true(s.v[0] == 2 && s.v[4] == 10);
    memset(&s, 0, sizeof s);
    flt.object_id = "obj-2"; /* odd actors on obj-2: entries 6, 8, 10 */
    assert_int_equal(store_audit_list(f->s, &flt, 0, 100, on_audit, &s), 3);
    assert_true(s.v[0] == 6);
    memset(&s, 0, sizeof s);
    memset(&flt, 0, sizeof flt);
    /* From T0 + 2 h (inclusive) to T0 + 4 h (exclusive): seq 3 and 4. */
    flt.from_us = FX_T0 + 2 * HOUR;
    flt.to_us = FX_T0 + 4 * HOUR;
    assert_int_equal(store_audit_list(f->s, &flt, 0, 100, on_audit, &s), 2);
    assert_true(s.v[0] == 3 && s.v[1] == 4);
    /* Pages of three by seq: 3, 3, 3, 1, no gap nor duplicate. */
    do {
        struct seqs page = {0};

        rc = store_audit_list(f->s, NULL, after, 3, on_audit, &page);
        for (int i = 0; i < rc; i++)
            assert_true(page.v[i] == after + 1 + i);
        if (rc > 0)
            after = page.v[rc - 1];
        total += rc;
    } while (rc == 3);
    assert_int_equal(total, 10);
}

/* A served subpoena to f->county with id in `id`. */
static void
add_served(struct fx *f, int n, char id[STORE_ID_SIZE])
{
    struct store_subpoena sp = {0};

    cm_id_new(sp.id);
    (void)snprintf(sp.number, sizeof sp.number, "SUB-2026-%06d", n);
    sp.created_at = FX_T0;
    sp.updated_at = FX_T0;
    memcpy(sp.agency_org_id, f->agency, sizeof sp.agency_org_id);
    memcpy(sp.recipient_org_id, f->county, sizeof sp.recipient_org_id);
    sp.purpose = "records";
    sp.state = n == 1 ? "served" : "signed";
    memcpy(sp.drafted_by, f->officer, sizeof sp.drafted_by);
    sp.served_at = n == 1 ? FX_T0 + 1 : 0;
    assert_int_equal(store_subpoena_insert(f->s, &sp), STORE_ONE_RESULT);
    memcpy(id, sp.id, STORE_ID_SIZE);
}

struct dues {
    int n;
    char due[8][32];
    char kind[8][32];
};

static void
on_deadline(void *cls, const struct store_deadline *d)
{
    struct dues *ds = cls;

    if (ds->n < 8) {
        (void)snprintf(ds->due[ds->n], sizeof ds->due[0], "%s", d->due);
        (void)snprintf(ds->kind[ds->n], sizeof ds->kind[0], "%s", d->kind);
    }
    ds->n++;
}

static void
put_deadline(struct fx *f,
             const char *case_id,
             const char *kind,
             const char *due,
             int64_t at)
{
    struct store_deadline d = {0};

    cm_id_new(d.id);
    d.case_kind = "subpoena";
    (void)snprintf(d.case_id, sizeof d.case_id, "%s", case_id);
    d.kind = (char *)kind;
    d.due = (char *)due;
    d.rule_id = "frcp6-days";
    memcpy(d.calendar_id, STORE_FEDERAL_CALENDAR_ID, sizeof d.calendar_id);
    d.calendar_version = 1;
    d.trigger = "served 2026-01-05";
    d.explanation = "14 days after service";
    d.computed_at = at;
    assert_int_equal(store_deadline_upsert(f->s, &d), STORE_ONE_RESULT);
}

static void
test_deadlines(void **state)
{
    struct fx *f = *state;
    char served[STORE_ID_SIZE], unserved[STORE_ID_SIZE];
    struct store_scope sc = {0};
    struct dues ds = {0};

    add_served(f, 1, served);
    add_served(f, 2, unserved);
    /* Served Monday 2026-01-05; 14 days later is Monday 2026-01-19, Martin
     * Luther King Jr. Day (3rd Monday of January 2026: the 5th, 12th,
     * 19th), so FRCP 6(a)(1)(C) runs to Tuesday 2026-01-20. First stored
     * wrongly as the 19th, then recomputed: the upsert replaces it. */
    put_deadline(f, served, "return", "2026-01-19", FX_T0);
    put_deadline(f, served, "return", "2026-01-20", FX_T0 + 1);
    put_deadline(f, served, "reminder", "2026-01-13T16:00:00Z", FX_T0 + 1);
    put_deadline(f, unserved, "return", "2026-01-21", FX_T0 + 1);
    assert_int_equal(store_deadline_list_for_case(f->s, "subpoena", served,
                                                  on_deadline, &ds),
                     2);
    assert_string_equal(ds.due[0], "2026-01-13T16:00:00Z");
    assert_string_equal(ds.due[1], "2026-01-20");
    /* The week of Monday 2026-01-19 to Sunday 2026-01-25 for the county:
     * the served subpoena's return date only, never the unserved one's. */
    memset(&ds, 0, sizeof ds);
    memcpy(sc.jurisdiction_org_id, f->county, sizeof sc.jurisdiction_org_id);
    assert_int_equal(store_deadline_list_due(f->s, &sc, "2026-01-19",
                                             "2026-01-25", 50, on_deadline,
                                             &ds),
                     1);
    assert_string_equal(ds.due[0], "2026-01-20");
    /* The agency sees both; an instant is matched by its date. */
    memset(&ds, 0, sizeof ds);
    memset(&sc, 0, sizeof sc);
    memcpy(sc.agency_org_id, f->agency, sizeof sc.agency_org_id);
    assert_int_equal(store_deadline_list_due(f->s, &sc, "2026-01-13",
                                             "2026-01-25", 50, on_deadline,
                                             &ds),
                     3);
    assert_string_equal(ds.kind[0], "reminder");
    assert_int_equal(
        store_deadline_delete(f->s, "subpoena", served, "reminder"),
        STORE_ONE_RESULT);
    assert_int_equal(
        store_deadline_delete(f->s, "subpoena", served, "reminder"),
        STORE_NO_RESULTS);
    /* The window's ends: an instant late on its last day is in it, the
     * next day's date is not, nor an instant of the day before it. */
    put_deadline(f, served, "late", "2026-01-25T23:30:00Z", FX_T0 + 2);
    put_deadline(f, served, "after", "2026-01-26", FX_T0 + 2);
    put_deadline(f, served, "before", "2026-01-23T23:59:59Z", FX_T0 + 2);
    memset(&ds, 0, sizeof ds);
    assert_int_equal(store_deadline_list_due(f->s, &sc, "2026-01-24",
                                             "2026-01-25", 50, on_deadline,
                                             &ds),
                     1);
    assert_string_equal(ds.due[0], "2026-01-25T23:30:00Z");
}

/* A response body comes back byte for byte: quotes, backslashes (which
 * some encodings of bytes would read as escapes) and UTF-8. */
/* A served subpoena `n` of the agency on `org`; its id into `id`. */
static void
add_served_on(struct fx *f, const char *org, int n, char id[STORE_ID_SIZE])
{
    struct store_subpoena sp = {0};

    cm_id_new(sp.id);
    (void)snprintf(sp.number, sizeof sp.number, "SUB-2026-%06d", n);
    sp.created_at = FX_T0;
    sp.updated_at = FX_T0;
    memcpy(sp.agency_org_id, f->agency, sizeof sp.agency_org_id);
    (void)snprintf(sp.recipient_org_id, sizeof sp.recipient_org_id, "%s", org);
    sp.purpose = "records";
    sp.state = "served";
    memcpy(sp.drafted_by, f->officer, sizeof sp.drafted_by);
    sp.served_at = FX_T0 + 1;
    assert_int_equal(store_subpoena_insert(f->s, &sp), STORE_ONE_RESULT);
    memcpy(id, sp.id, STORE_ID_SIZE);
}

/* One jurisdiction's deadlines due in a window (the queue of its staff)
 * go through the (jurisdiction, due) index: a busy jurisdiction's many
 * deadlines in the same window, earlier ones included, never crowd out or
 * join a small one's, past the limit too; the agency's list (the general
 * path) still sees every one, in the same order. */
static void
test_deadlines_by_jurisdiction(void **state)
{
    struct fx *f = *state;
    struct store_org busy = {.created_at = FX_T0,
                             .updated_at = FX_T0,
                             .kind = "jurisdiction",
                             .name = "Cook County",
                             .state = "IL",
                             .timezone = "America/Chicago"};
    struct store_scope sc = {0};
    struct dues ds = {0};
    char id[STORE_ID_SIZE], mine[3][STORE_ID_SIZE];
    char due[16];

    cm_id_new(busy.id);
    assert_int_equal(store_org_insert(f->s, &busy), STORE_ONE_RESULT);
    /* 40 of the busy county's, due from 2026-02-01 to 2026-02-10, and 3 of
     * Denver County's on 2026-02-09 and 2026-02-10. */
    for (int i = 0; i < 40; i++) {
        add_served_on(f, busy.id, 100 + i, id);
        (void)snprintf(due, sizeof due, "2026-02-%02d", 1 + i / 4);
        put_deadline(f, id, "return", due, FX_T0 + 2);
    }
    for (int i = 0; i < 3; i++) {
        add_served_on(f, f->county, 200 + i, mine[i]);
        put_deadline(f, mine[i], "return", i == 0 ? "2026-02-10" : "2026-02-09",
                     FX_T0 + 2);
    }
    memcpy(sc.jurisdiction_org_id, f->county, sizeof sc.jurisdiction_org_id);
    assert_int_equal(store_deadline_list_due(f->s, &sc, "2026-02-01",
                                             "2026-02-10", 2, on_deadline, &ds),
                     2);
    assert_string_equal(ds.due[0], "2026-02-09");
    assert_string_equal(ds.due[1], "2026-02-09");
    memset(&ds, 0, sizeof ds);
    assert_int_equal(store_deadline_list_due(f->s, &sc, "2026-02-01",
                                             "2026-02-10", 50, on_deadline,
                                             &ds),
                     3);
    assert_string_equal(ds.due[2], "2026-02-10");
    /* The busy county's own list: its 40, not Denver's. */
    memset(&ds, 0, sizeof ds);
    memcpy(sc.jurisdiction_org_id, busy.id, sizeof sc.jurisdiction_org_id);
    assert_int_equal(store_deadline_list_due(f->s, &sc, "2026-02-01",
                                             "2026-02-10", 50, on_deadline,
                                             &ds),
                     40);
    /* The agency sees all 43. */
    memset(&ds, 0, sizeof ds);
    memset(&sc, 0, sizeof sc);
    memcpy(sc.agency_org_id, f->agency, sizeof sc.agency_org_id);
    assert_int_equal(store_deadline_list_due(f->s, &sc, "2026-02-01",
                                             "2026-02-10", 50, on_deadline,
                                             &ds),
                     43);
    assert_string_equal(ds.due[0], "2026-02-01");
}

/* The page cache a connection keeps in the process (a server's pool
 * shares one budget through it): on SQLite it holds pages after reads,
 * stays within a limit, grows again when the limit is raised, and is
 * freed on demand; the PostgreSQL backend keeps none (0, no-ops). */
static void
test_page_cache(void **state)
{
    struct fx *f = *state;
    struct store_scope sc = {0};
    struct dues ds = {0};
    char id[STORE_ID_SIZE];
    char due[16];
    bool sqlite = strcmp(store_backend_name(f->s), "sqlite") == 0;
    int64_t full, freed, limited;

    for (int i = 0; i < 300; i++) {
        add_served_on(f, f->county, 1000 + i, id);
        (void)snprintf(due, sizeof due, "2026-03-%02d", 1 + i % 28);
        put_deadline(f, id, "return", due, FX_T0 + 2);
    }
    memcpy(sc.agency_org_id, f->agency, sizeof sc.agency_org_id);
    store_cache_limit(f->s, INT64_C(8) << 20);
    assert_int_equal(store_deadline_list_due(f->s, &sc, "2026-03-01",
                                             "2026-03-31", 500, on_deadline,
                                             &ds),
                     300);
    full = store_cache_used(f->s);
    store_cache_release(f->s);
    freed = store_cache_used(f->s);
    if (!sqlite) {
        assert_int_equal(full, 0);
        assert_int_equal(freed, 0);
        return;
    }
    assert_true(full > 128 * 1024);
    assert_true(freed < full / 2);
    /* At most 64 KiB of pages (the connection's own few bytes beside). */
    store_cache_limit(f->s, 64 * 1024);
    ds.n = 0;
    assert_int_equal(store_deadline_list_due(f->s, &sc, "2026-03-01",
                                             "2026-03-31", 500, on_deadline,
                                             &ds),
                     300);
    limited = store_cache_used(f->s);
    assert_true(limited <= freed + 96 * 1024);
    /* Raised again, the same read keeps its pages. */
    store_cache_limit(f->s, INT64_C(8) << 20);
    ds.n = 0;
    assert_int_equal(store_deadline_list_due(f->s, &sc, "2026-03-01",
                                             "2026-03-31", 500, on_deadline,
                                             &ds),
                     300);
    assert_true(store_cache_used(f->s) > limited + 64 * 1024);
}

static void
test_idempotency_body_bytes(void **state)
{
    static const char body[] = "{\"note\":\"C:\\\\x41 \\\\\\\\ \\u00e9 \xc3\xa9"
                               " \\\\x\",\"empty\":\"\"}";
    struct fx *f = *state;
    struct store_idempotency r = {0}, got;

    memcpy(r.user_id, f->officer, sizeof r.user_id);
    r.key = "body-bytes";
    memset(r.request_hash, 0x11, sizeof r.request_hash);
    r.method = "POST";
    r.path = "/api/v1/detainers";
    r.status = 201;
    r.body = (char *)body;
    r.created_at = FX_T0;
    assert_int_equal(store_idempotency_insert(f->s, &r), STORE_ONE_RESULT);
    assert_int_equal(store_idempotency_get(f->s, f->officer, r.key, &got),
                     STORE_ONE_RESULT);
    assert_int_equal(got.status, 201);
    assert_string_equal(got.body, body);
    store_idempotency_release(&got);
    /* An empty body is empty, not absent. */
    assert_int_equal(
        store_idempotency_set_response(f->s, f->officer, r.key, 204, ""),
        STORE_ONE_RESULT);
    assert_int_equal(store_idempotency_get(f->s, f->officer, r.key, &got),
                     STORE_ONE_RESULT);
    assert_int_equal(got.status, 204);
    assert_non_null(got.body);
    assert_string_equal(got.body, "");
    store_idempotency_release(&got);
    /* A key never claimed has no response to record. */
    assert_int_equal(store_idempotency_set_response(f->s, f->officer,
                                                    "never-claimed", 201, "{}"),
                     STORE_NO_RESULTS);
}

/* Several servers at once: each thread has its own connection. */
#define RACERS 4
#define ROUNDS 5

struct racer {
    const char *url;
    const char *user_id;
    pthread_barrier_t *go;
    int index;
    int rc[ROUNDS];
    bool failed;
};

struct claim_ctx {
    const struct store_idempotency *r;
};

static enum store_rc
claim_key(struct store *s, void *ctx)
{
    struct claim_ctx *c = ctx;

    return store_idempotency_insert(s, c->r);
}

/* Each round: claim the round's key, all at once, each with a request
 * hash of its own (its index). */
static void *
key_racer(void *arg)
{
    struct racer *k = arg;
    struct store *s = NULL;

    if (store_open_partial(k->url, STORE_OPEN_MODE_EXISTING, &s, NULL) !=
        CM_ERR_OK)
        k->failed = true;
    for (int i = 0; i < ROUNDS; i++) {
        struct store_idempotency r = {0};
        struct claim_ctx c = {&r};
        char key[32];

        (void)snprintf(key, sizeof key, "race-%d", i);
        (void)snprintf(r.user_id, sizeof r.user_id, "%s", k->user_id);
        r.key = key;
        memset(r.request_hash, k->index + 1, sizeof r.request_hash);
        r.method = "POST";
        r.path = "/api/v1/subpoenas";
        r.created_at = FX_T0 + i;
        (void)pthread_barrier_wait(k->go);
        if (s)
            k->rc[i] = store_tx_run(s, "claim", claim_key, &c);
    }
    store_close(s);
    return NULL;
}

static void
test_idempotency_race_across_connections(void **state)
{
    struct fx *f = *state;
    struct racer k[RACERS];
    pthread_t t[RACERS];
    pthread_barrier_t go;

    assert_int_equal(pthread_barrier_init(&go, NULL, RACERS), 0);
    for (int i = 0; i < RACERS; i++) {
        memset(&k[i], 0, sizeof k[i]);
        k[i].url = f->url;
        k[i].user_id = f->officer;
        k[i].go = &go;
        k[i].index = i;
        assert_int_equal(pthread_create(&t[i], NULL, key_racer, &k[i]), 0);
    }
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    (void)pthread_barrier_destroy(&go);
    /* Each key has exactly one winner, and the record is the winner's. */
    for (int round = 0; round < ROUNDS; round++) {
        struct store_idempotency got;
        char key[32];
        int won = 0, winner = -1;

        for (int i = 0; i < RACERS; i++) {
            assert_false(k[i].failed);
            assert_true(k[i].rc[round] == STORE_ONE_RESULT ||
                        k[i].rc[round] == STORE_NO_RESULTS);
            if (k[i].rc[round] == STORE_ONE_RESULT) {
                won++;
                winner = i;
            }
        }
        assert_int_equal(won, 1);
        (void)snprintf(key, sizeof key, "race-%d", round);
        assert_int_equal(store_idempotency_get(f->s, f->officer, key, &got),
                         STORE_ONE_RESULT);
        assert_int_equal(got.request_hash[0], winner + 1);
        assert_int_equal(got.request_hash[STORE_HASH_SIZE - 1], winner + 1);
        store_idempotency_release(&got);
    }
}

/* ---- rate limits -------------------------------------------------------*/

#define MINUTE INT64_C(60000000)

static int64_t
rate_hit(struct store *s, const char *bucket, int64_t window, int64_t now)
{
    int64_t count = -1;

    assert_int_equal(store_rate_hit(s, bucket, window, now, &count),
                     STORE_ONE_RESULT);
    return count;
}

/* Counts per bucket and window: the (n)th call of a window counts n; a
 * later window starts at 1; a call stamped with an earlier window (a
 * lagging clock) counts in the current one; old buckets are purged. */
static void
test_rate_hit_windows(void **state)
{
    struct fx *f = *state;
    const int64_t w0 = FX_T0, w1 = FX_T0 + MINUTE;

    for (int64_t i = 1; i <= 3; i++)
        assert_int_equal(rate_hit(f->s, "login:aa", w0, w0 + i), i);
    /* Another bucket counts on its own. */
    assert_int_equal(rate_hit(f->s, "login:bb", w0, w0 + 10), 1);
    assert_int_equal(rate_hit(f->s, "login:aa", w0, w0 + 11), 4);
    /* The next window starts again. */
    assert_int_equal(rate_hit(f->s, "login:aa", w1, w1 + 1), 1);
    assert_int_equal(rate_hit(f->s, "login:aa", w1, w1 + 2), 2);
    /* A server whose clock lags still counts, in the bucket's window. */
    assert_int_equal(rate_hit(f->s, "login:aa", w0, w0 + 59), 3);
    assert_int_equal(rate_hit(f->s, "login:aa", w1, w1 + 3), 4);
    /* Purge: login:bb is still in w0, login:aa in w1. */
    assert_int_equal(store_rate_delete_before(f->s, w0), 0);
    assert_int_equal(store_rate_delete_before(f->s, w1), 1);
    assert_int_equal(rate_hit(f->s, "login:bb", w0, w0 + 20), 1);
    assert_int_equal(rate_hit(f->s, "login:aa", w1, w1 + 4), 5);
    assert_int_equal(store_rate_delete_before(f->s, w1 + MINUTE), 2);
    assert_int_equal(rate_hit(f->s, "login:aa", w1, w1 + 5), 1);
}

struct rate_tx {
    const char *bucket;
    int64_t window;
    int64_t count;
    bool undo;
};

static enum store_rc
rate_tx(struct store *s, void *ctx)
{
    struct rate_tx *t = ctx;
    enum store_rc rc =
        store_rate_hit(s, t->bucket, t->window, t->window + 1, &t->count);

    if (rc < 0)
        return rc;
    return t->undo ? STORE_HARD_ERROR : STORE_ONE_RESULT;
}

/* A call counted in a transaction that rolls back is not counted (a
 * refused call leaves nothing behind). */
static void
test_rate_hit_rolled_back(void **state)
{
    struct fx *f = *state;
    struct rate_tx t = {"user:rollback", FX_T0, 0, false};

    assert_true(store_tx_run(f->s, "rate", rate_tx, &t) >= 0);
    assert_int_equal(t.count, 1);
    t.undo = true;
    assert_int_equal(store_tx_run(f->s, "rate", rate_tx, &t), STORE_HARD_ERROR);
    assert_int_equal(t.count, 2); /* seen inside the transaction... */
    t.undo = false;
    assert_true(store_tx_run(f->s, "rate", rate_tx, &t) >= 0);
    assert_int_equal(t.count, 2); /* ...and gone after it */
}

/* Several servers counting in one bucket at once, each thread on its own
 * connection: every call is counted exactly once, and each count from 1
 * to the total is handed out exactly once. */
#define RATE_RACERS 4
#define RATE_CALLS  25

struct rate_racer {
    const char *url;
    pthread_barrier_t *go;
    int64_t counts[RATE_CALLS];
    bool failed;
};

static void *
rate_racer(void *arg)
{
    struct rate_racer *k = arg;
    struct store *s = NULL;

    if (store_open_partial(k->url, STORE_OPEN_MODE_EXISTING, &s, NULL) !=
        CM_ERR_OK)
        k->failed = true;
    (void)pthread_barrier_wait(k->go);
    for (int i = 0; i < RATE_CALLS && s; i++) {
        struct rate_tx t = {"org:shared", FX_T0, 0, false};

        if (store_tx_run(s, "rate", rate_tx, &t) < 0)
            k->failed = true;
        k->counts[i] = t.count;
    }
    store_close(s);
    return NULL;
}

static void
test_rate_hit_across_connections(void **state)
{
    struct fx *f = *state;
    struct rate_racer k[RATE_RACERS];
    pthread_t t[RATE_RACERS];
    pthread_barrier_t go;
    int seen[RATE_RACERS * RATE_CALLS + 1] = {0};

    assert_int_equal(pthread_barrier_init(&go, NULL, RATE_RACERS), 0);
    for (int i = 0; i < RATE_RACERS; i++) {
        memset(&k[i], 0, sizeof k[i]);
        k[i].url = f->url;
        k[i].go = &go;
        assert_int_equal(pthread_create(&t[i], NULL, rate_racer, &k[i]), 0);
    }
    for (int i = 0; i < RATE_RACERS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    (void)pthread_barrier_destroy(&go);
    for (int i = 0; i < RATE_RACERS; i++) {
        assert_false(k[i].failed);
        for (int j = 0; j < RATE_CALLS; j++) {
            int64_t c = k[i].counts[j];

            assert_true(c >= 1 && c <= RATE_RACERS * RATE_CALLS);
            seen[c]++;
            /* One connection's own calls count upwards. */
            if (j > 0)
                assert_true(c > k[i].counts[j - 1]);
        }
    }
    for (int c = 1; c <= RATE_RACERS * RATE_CALLS; c++)
        assert_int_equal(seen[c], 1);
    assert_int_equal(rate_hit(f->s, "org:shared", FX_T0, FX_T0 + 2),
                     RATE_RACERS * RATE_CALLS + 1);
}

int
contract_run_infra(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_idempotency_race, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_audit_list_filters, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_deadlines, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_deadlines_by_jurisdiction,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_page_cache, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_idempotency_body_bytes,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_idempotency_race_across_connections, fx_setup_world,
            fx_teardown),
        cmocka_unit_test_setup_teardown(test_rate_hit_windows, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_rate_hit_rolled_back, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_rate_hit_across_connections,
                                        fx_setup, fx_teardown),
    };

    return cmocka_run_group_tests_name("store infra", tests, NULL, NULL);
}
