/*
 * test_auth.c: the contract of store_auth.h: sessions (lookup by token
 * hash, touch, end one, end all but one), API tokens (revoke only by the
 * owner), user lists with paging, profile updates with version checks,
 * TOTP enrolment and the step replay guard, and the login-failure lockout
 * with its window. Then the state several servers share, raced on two
 * connections (two `struct store` on the same database): failures counted
 * at once are all counted, one TOTP step is accepted by exactly one, a
 * session ended by both is ended by one, and an Idempotency-Key
 * (store_infra.h) claimed by both is claimed by one. Last, the accounts
 * inactive since a cutoff (no session seen, no token used) and the job
 * that disables them (jobs/inactive.h).
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

#include "audit/audit.h"
#include "contract.h"
#include "core/alloc.h"
#include "core/rand.h"
#include "jobs/inactive.h"

/* One second and one minute, in microseconds. */
#define SEC INT64_C(1000000)
#define MIN (60 * SEC)

static void
make_session(struct store_session *se, const char *user_id, unsigned char tag)
{
    memset(se, 0, sizeof *se);
    cm_id_new(se->id);
    memset(se->token_hash, tag, sizeof se->token_hash);
    memset(se->csrf_hash, tag ^ 0xff, sizeof se->csrf_hash);
    (void)snprintf(se->user_id, sizeof se->user_id, "%s", user_id);
    se->created_at = FX_T0;
    se->last_seen_at = FX_T0;
    se->expires_at = FX_T0 + 12 * 60 * MIN;
}

static void
test_session_lifecycle(void **state)
{
    struct fx *f = *state;
    struct store_session a, b, c, got;
    unsigned char unknown[STORE_HASH_SIZE];

    make_session(&a, f->officer, 1);
    make_session(&b, f->officer, 2);
    make_session(&c, f->officer, 3);
    a.client_addr = "192.0.2.7";
    assert_int_equal(store_session_insert(f->s, &a), STORE_ONE_RESULT);
    assert_int_equal(store_session_insert(f->s, &b), STORE_ONE_RESULT);
    assert_int_equal(store_session_insert(f->s, &c), STORE_ONE_RESULT);
    /* The same token hash twice is refused. */
    cm_id_new(b.id);
    memset(b.token_hash, 1, sizeof b.token_hash);
    assert_int_equal(store_session_insert(f->s, &b), STORE_NO_RESULTS);

    memset(unknown, 7, sizeof unknown);
    assert_int_equal(store_session_get_by_token(f->s, unknown, &got),
                     STORE_NO_RESULTS);
    assert_int_equal(store_session_get_by_token(f->s, a.token_hash, &got),
                     STORE_ONE_RESULT);
    assert_string_equal(got.id, a.id);
    assert_string_equal(got.user_id, f->officer);
    assert_memory_equal(got.csrf_hash, a.csrf_hash, STORE_HASH_SIZE);
    assert_true(got.expires_at == a.expires_at);
    assert_true(got.ended_at == 0);
    assert_string_equal(got.client_addr, "192.0.2.7");
    store_session_release(&got);

    assert_int_equal(store_session_touch(f->s, a.id, FX_T0 + 5 * MIN),
                     STORE_ONE_RESULT);
    assert_int_equal(store_session_get_by_token(f->s, a.token_hash, &got),
                     STORE_ONE_RESULT);
    assert_true(got.last_seen_at == FX_T0 + 5 * MIN);
    store_session_release(&got);

    /* Logout ends one session; ending it again or touching it fails. */
    assert_int_equal(store_session_end(f->s, a.id, FX_T0 + 6 * MIN),
                     STORE_ONE_RESULT);
    assert_int_equal(store_session_end(f->s, a.id, FX_T0 + 7 * MIN),
                     STORE_NO_RESULTS);
    assert_int_equal(store_session_touch(f->s, a.id, FX_T0 + 8 * MIN),
                     STORE_NO_RESULTS);
    assert_int_equal(store_session_get_by_token(f->s, a.token_hash, &got),
                     STORE_ONE_RESULT);
    assert_true(got.ended_at == FX_T0 + 6 * MIN);
    store_session_release(&got);

    /* A password change ends the others but keeps the current one
     * (c): of b and c only b is ended. */
    assert_int_equal(
        store_session_end_by_user(f->s, f->officer, c.id, FX_T0 + 9 * MIN), 1);
    assert_int_equal(store_session_touch(f->s, c.id, FX_T0 + 10 * MIN),
                     STORE_ONE_RESULT);
    /* Disabling the user ends all. */
    assert_int_equal(
        store_session_end_by_user(f->s, f->officer, NULL, FX_T0 + 11 * MIN), 1);
    assert_int_equal(
        store_session_end_by_user(f->s, f->officer, NULL, FX_T0 + 12 * MIN), 0);
    store_session_release(NULL);
}

/* Insert a second user of org `org_id`. */
static void
make_user(struct fx *f,
          const char *email,
          const char *org_id,
          struct store_user *u)
{
    memset(u, 0, sizeof *u);
    cm_id_new(u->id);
    u->created_at = FX_T0;
    u->updated_at = FX_T0;
    u->email = (char *)email;
    u->name = (char *)email;
    (void)snprintf(u->org_id, sizeof u->org_id, "%s", org_id);
    u->roles = 2u;
    assert_int_equal(store_user_insert(f->s, u), STORE_ONE_RESULT);
}

struct token_seen {
    int n;
    int revoked;
    char names[4][16];
};

static void
on_token(void *cls, const struct store_api_token *t)
{
    struct token_seen *seen = cls;

    if (seen->n < 4)
        (void)snprintf(seen->names[seen->n], sizeof seen->names[0], "%s",
                       t->name);
    seen->n++;
    if (t->revoked_at)
        seen->revoked++;
}

static void
test_api_tokens(void **state)
{
    struct fx *f = *state;
    struct store_user other;
    struct store_api_token t1 = {0}, t2 = {0}, got;
    struct token_seen seen = {0};

    make_user(f, "other@agency.example", f->agency, &other);
    cm_id_new(t1.id);
    t1.created_at = FX_T0;
    t1.updated_at = FX_T0;
    memcpy(t1.user_id, f->officer, sizeof t1.user_id);
    t1.name = "reports";
    memset(t1.token_hash, 0x11, sizeof t1.token_hash);
    t2 = t1;
    cm_id_new(t2.id);
    t2.created_at = FX_T0 + 1;
    t2.name = "sync";
    t2.expires_at = FX_T0 + 90 * 24 * 60 * MIN;
    memset(t2.token_hash, 0x22, sizeof t2.token_hash);
    assert_int_equal(store_api_token_insert(f->s, &t1), STORE_ONE_RESULT);
    assert_int_equal(store_api_token_insert(f->s, &t2), STORE_ONE_RESULT);
    assert_int_equal(store_api_token_insert(f->s, &t2), STORE_NO_RESULTS);

    assert_int_equal(store_api_token_get_by_hash(f->s, t2.token_hash, &got),
                     STORE_ONE_RESULT);
    assert_string_equal(got.id, t2.id);
    assert_string_equal(got.name, "sync");
    assert_true(got.expires_at == t2.expires_at);
    assert_true(got.revoked_at == 0);
    store_api_token_release(&got);

    /* Another user cannot revoke the officer's token; the owner can,
     * once. */
    assert_int_equal(store_api_token_revoke(f->s, t1.id, other.id, FX_T0 + MIN),
                     STORE_NO_RESULTS);
    assert_int_equal(store_api_token_get_by_hash(f->s, t1.token_hash, &got),
                     STORE_ONE_RESULT);
    assert_true(got.revoked_at == 0);
    store_api_token_release(&got);
    assert_int_equal(
        store_api_token_revoke(f->s, t1.id, f->officer, FX_T0 + MIN),
        STORE_ONE_RESULT);
    assert_int_equal(
        store_api_token_revoke(f->s, t1.id, f->officer, FX_T0 + 2 * MIN),
        STORE_NO_RESULTS);

    assert_int_equal(
        store_api_token_list_by_user(f->s, f->officer, on_token, &seen), 2);
    assert_string_equal(seen.names[0], "reports");
    assert_string_equal(seen.names[1], "sync");
    assert_int_equal(seen.revoked, 1);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(
        store_api_token_list_by_user(f->s, other.id, on_token, &seen), 0);
}

struct user_seen {
    int n;
    char ids[16][STORE_ID_SIZE];
    bool foreign; /* saw a user of another org */
    const char *org;
};

static void
on_user(void *cls, const struct store_user *u)
{
    struct user_seen *seen = cls;

    if (seen->org && strcmp(u->org_id, seen->org) != 0)
        seen->foreign = true;
    if (seen->n < 16)
        memcpy(seen->ids[seen->n], u->id, STORE_ID_SIZE);
    seen->n++;
}

static void
test_user_list_paging(void **state)
{
    struct fx *f = *state;
    struct store_user u;
    struct user_seen all = {0}, page = {0};
    char after[STORE_ID_SIZE] = "";
    char email[64];
    int total = 0, rc;

    for (int i = 0; i < 6; i++) {
        (void)snprintf(email, sizeof email, "u%d@county.example", i);
        make_user(f, email, f->county, &u);
    }
    /* All seven users (the officer too), no org filter. */
    assert_int_equal(store_user_list(f->s, NULL, NULL, 100, on_user, &all), 7);
    /* The county's six, in pages of 4: no duplicate, no gap. */
    page.org = f->county;
    do {
        struct user_seen one = {.org = f->county};

        rc = store_user_list(f->s, f->county, after, 4, on_user, &one);
        assert_true(rc >= 0);
        assert_false(one.foreign);
        for (int i = 0; i < rc; i++) {
            if (total > 0)
                assert_true(strcmp(page.ids[total - 1], one.ids[i]) < 0);
            memcpy(page.ids[total++], one.ids[i], STORE_ID_SIZE);
        }
        if (rc > 0)
            memcpy(after, one.ids[rc - 1], STORE_ID_SIZE);
    } while (rc == 4);
    assert_int_equal(total, 6);
}

static void
test_user_profile_password_version(void **state)
{
    struct fx *f = *state;
    struct store_user u;

    assert_int_equal(store_user_get(f->s, f->officer, &u), STORE_ONE_RESULT);
    cm_free(u.name);
    u.name = cm_strdup("Officer Renamed");
    u.title = cm_strdup("Supervisory Detention and Deportation Officer");
    u.roles = 3u;
    u.disabled = true;
    u.updated_at = FX_T0 + MIN;
    assert_int_equal(store_user_update_profile(f->s, &u), STORE_ONE_RESULT);
    /* The same (now stale) version again is refused. */
    assert_int_equal(store_user_update_profile(f->s, &u), STORE_NO_RESULTS);
    store_user_release(&u);
    assert_int_equal(store_user_get(f->s, f->officer, &u), STORE_ONE_RESULT);
    assert_true(u.version == 2);
    assert_string_equal(u.name, "Officer Renamed");
    assert_string_equal(u.title,
                        "Supervisory Detention and Deportation Officer");
    assert_int_equal(u.roles, 3);
    assert_true(u.disabled);
    store_user_release(&u);

    assert_int_equal(
        store_user_set_password(f->s, f->officer, "$argon2id$new", FX_T0 + 2),
        STORE_ONE_RESULT);
    assert_int_equal(store_user_get(f->s, f->officer, &u), STORE_ONE_RESULT);
    assert_string_equal(u.password_hash, "$argon2id$new");
    assert_true(u.version == 3);
    store_user_release(&u);
    assert_int_equal(store_user_set_password(f->s, "AAAAAAAAAAAAAAAAAAAAAA",
                                             "$argon2id$x", FX_T0),
                     STORE_NO_RESULTS);
}

static void
test_totp_enrol_and_replay(void **state)
{
    struct fx *f = *state;
    unsigned char secret[] = {0xc1, 0xc2, 0xc3, 0xc4};
    struct store_blob blob = {secret, sizeof secret};
    struct store_user u;

    /* Nothing to confirm before a secret is stored. */
    assert_int_equal(store_user_totp_confirm(f->s, f->officer, FX_T0),
                     STORE_NO_RESULTS);
    assert_int_equal(
        store_user_totp_set_pending(f->s, f->officer, &blob, FX_T0 + 1),
        STORE_ONE_RESULT);
    assert_int_equal(store_user_get(f->s, f->officer, &u), STORE_ONE_RESULT);
    assert_false(u.totp_enabled);
    assert_int_equal(u.totp_secret.len, sizeof secret);
    assert_memory_equal(u.totp_secret.data, secret, sizeof secret);
    store_user_release(&u);
    assert_int_equal(store_user_totp_confirm(f->s, f->officer, FX_T0 + 2),
                     STORE_ONE_RESULT);
    assert_int_equal(store_user_get(f->s, f->officer, &u), STORE_ONE_RESULT);
    assert_true(u.totp_enabled);
    store_user_release(&u);

    /* Step 58 925 000 (a 30-second step of early 2026) is accepted once;
     * the same step again, or an older one, is a replay. */
    assert_int_equal(store_user_totp_use_step(f->s, f->officer, 58925000),
                     STORE_ONE_RESULT);
    assert_int_equal(store_user_totp_use_step(f->s, f->officer, 58925000),
                     STORE_NO_RESULTS);
    assert_int_equal(store_user_totp_use_step(f->s, f->officer, 58924999),
                     STORE_NO_RESULTS);
    assert_int_equal(store_user_totp_use_step(f->s, f->officer, 58925001),
                     STORE_ONE_RESULT);
    assert_int_equal(store_user_get(f->s, f->officer, &u), STORE_ONE_RESULT);
    assert_true(u.totp_last_step == 58925001);
    store_user_release(&u);

    /* An admin's reset removes it all. */
    assert_int_equal(store_user_totp_clear(f->s, f->officer, FX_T0 + 3),
                     STORE_ONE_RESULT);
    assert_int_equal(store_user_get(f->s, f->officer, &u), STORE_ONE_RESULT);
    assert_false(u.totp_enabled);
    assert_null(u.totp_secret.data);
    assert_true(u.totp_last_step == 0);
    store_user_release(&u);
}

static void
test_lockout_counter_and_window(void **state)
{
    struct fx *f = *state;
    int64_t window = 15 * MIN, count = -1;
    bool locked = true;
    struct store_user u;

    /* Four failures within 15 minutes: counted, not locked (max 5). */
    for (int i = 1; i <= 4; i++) {
        assert_int_equal(store_user_login_failed(f->s, f->officer,
                                                 FX_T0 + i * MIN, window, 5,
                                                 &count, &locked),
                         STORE_ONE_RESULT);
        assert_true(count == i);
        assert_false(locked);
    }
    /* 15 minutes after the first failure (at T0 + 1 min) the window has
     * passed: the count starts again at 1. */
    assert_int_equal(store_user_login_failed(f->s, f->officer, FX_T0 + 16 * MIN,
                                             window, 5, &count, &locked),
                     STORE_ONE_RESULT);
    assert_true(count == 1);
    assert_false(locked);
    /* Four more within the new window reach 5: locked. */
    for (int i = 2; i <= 5; i++) {
        assert_int_equal(store_user_login_failed(f->s, f->officer,
                                                 FX_T0 + (15 + i) * MIN, window,
                                                 5, &count, &locked),
                         STORE_ONE_RESULT);
        assert_true(count == i);
        assert_true(locked == (i == 5));
    }
    assert_int_equal(store_user_get(f->s, f->officer, &u), STORE_ONE_RESULT);
    assert_true(u.locked_at == FX_T0 + 20 * MIN);
    store_user_release(&u);
    /* A success clears the count but not the lock. */
    assert_int_equal(store_user_failures_clear(f->s, f->officer),
                     STORE_ONE_RESULT);
    assert_int_equal(store_user_get(f->s, f->officer, &u), STORE_ONE_RESULT);
    assert_true(u.failed_logins == 0 && u.locked_at == FX_T0 + 20 * MIN);
    store_user_release(&u);
    /* The admin's unlock clears both. */
    assert_int_equal(store_user_unlock(f->s, f->officer, FX_T0 + 30 * MIN),
                     STORE_ONE_RESULT);
    assert_int_equal(store_user_get(f->s, f->officer, &u), STORE_ONE_RESULT);
    assert_true(u.failed_logins == 0 && u.locked_at == 0);
    assert_true(u.first_failed_at == 0);
    store_user_release(&u);
    assert_int_equal(store_user_login_failed(f->s, "AAAAAAAAAAAAAAAAAAAAAA",
                                             FX_T0, window, 5, &count, &locked),
                     STORE_NO_RESULTS);
}

/* ---- races between two connections ------------------------------------*/

/* Rounds per race: both connections run the op once per round, released
 * together by a barrier. */
#define RACE_ROUNDS 25

struct racer;

/* The op raced: run once per round inside a transaction on the racer's
 * own connection; writes its outcome into the racer's arrays. */
typedef enum store_rc (*race_op)(struct store *s, struct racer *r, int round);

struct racer {
    const char *url;
    int which; /* 0 or 1 */
    race_op op;
    void *arg; /* the test's shared data, read only */
    pthread_barrier_t *start;
    int opened; /* 1 once its store was opened */
    int failed; /* rounds whose transaction failed for good */
    enum store_rc rc[RACE_ROUNDS];
    int64_t count[RACE_ROUNDS];
    bool locked[RACE_ROUNDS];
};

struct race_tx {
    struct racer *r;
    int round;
};

static enum store_rc
race_body(struct store *s, void *ctx)
{
    struct race_tx *t = ctx;

    /* A rerun overwrites what an undone attempt wrote. */
    return t->r->op(s, t->r, t->round);
}

static void *
racer_main(void *arg)
{
    struct racer *r = arg;
    struct store *s = NULL;

    if (store_open_partial(r->url, STORE_OPEN_MODE_EXISTING, &s, NULL) ==
        CM_ERR_OK)
        r->opened = 1;
    for (int i = 0; i < RACE_ROUNDS; i++) {
        struct race_tx t = {r, i};
        int rc = STORE_SOFT_ERROR;

        (void)pthread_barrier_wait(r->start);
        /* Busy past store_tx_run's retries: the round is run again, as a
         * client would; the undone attempts changed nothing. */
        for (int tries = 0; r->opened && rc == STORE_SOFT_ERROR && tries < 20;
             tries++)
            rc = store_tx_run(s, "race", race_body, &t);
        r->rc[i] = rc < 0 ? (enum store_rc)rc : r->rc[i];
        if (rc < 0)
            r->failed++;
    }
    if (s)
        store_close(s);
    return NULL;
}

/* Run `op` on two new connections to the fixture's database at once,
 * RACE_ROUNDS times, into r[0] and r[1]. Each op writes r->rc[round]. */
static void
race(struct fx *f, race_op op, void *arg, struct racer r[2])
{
    pthread_barrier_t start;
    pthread_t t[2];

    assert_int_equal(pthread_barrier_init(&start, NULL, 2), 0);
    for (int i = 0; i < 2; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].url = f->url;
        r[i].which = i;
        r[i].op = op;
        r[i].arg = arg;
        r[i].start = &start;
        assert_int_equal(pthread_create(&t[i], NULL, racer_main, &r[i]), 0);
    }
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    (void)pthread_barrier_destroy(&start);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(r[i].opened, 1);
        assert_int_equal(r[i].failed, 0);
    }
}

/* Of each round's two ops, exactly one changed a row. */
static void
assert_one_winner_per_round(const struct racer r[2])
{
    for (int i = 0; i < RACE_ROUNDS; i++) {
        assert_true(r[0].rc[i] == STORE_ONE_RESULT ||
                    r[0].rc[i] == STORE_NO_RESULTS);
        assert_true(r[1].rc[i] == STORE_ONE_RESULT ||
                    r[1].rc[i] == STORE_NO_RESULTS);
        assert_int_equal((r[0].rc[i] == STORE_ONE_RESULT) +
                             (r[1].rc[i] == STORE_ONE_RESULT),
                         1);
    }
}

/* A failed login of the user `r->arg`, each in a window that covers the
 * whole race; max failures 2 * RACE_ROUNDS, so only the last one locks. */
static enum store_rc
op_login_failed(struct store *s, struct racer *r, int round)
{
    int64_t count = -1;
    bool locked = false;
    enum store_rc rc =
        store_user_login_failed(s, r->arg, FX_T0 + MIN + round, 15 * MIN,
                                2 * RACE_ROUNDS, &count, &locked);

    r->rc[round] = rc;
    r->count[round] = count;
    r->locked[round] = locked;
    return rc;
}

static void
test_lockout_counted_across_connections(void **state)
{
    struct fx *f = *state;
    struct racer r[2];
    int seen[2 * RACE_ROUNDS + 1] = {0};
    int locks = 0;
    struct store_user u;

    race(f, op_login_failed, f->officer, r);
    /* 2 x 25 failures at once: every one counted, each saw a count of its
     * own (1 ... 50), and only the fiftieth saw the account locked. */
    for (int w = 0; w < 2; w++)
        for (int i = 0; i < RACE_ROUNDS; i++) {
            int64_t n = r[w].count[i];

            assert_int_equal(r[w].rc[i], STORE_ONE_RESULT);
            assert_true(n >= 1 && n <= 2 * RACE_ROUNDS);
            seen[n]++;
            if (r[w].locked[i]) {
                locks++;
                assert_true(n == 2 * RACE_ROUNDS);
            }
        }
    for (int n = 1; n <= 2 * RACE_ROUNDS; n++)
        assert_int_equal(seen[n], 1);
    assert_int_equal(locks, 1);
    assert_int_equal(store_user_get(f->s, f->officer, &u), STORE_ONE_RESULT);
    assert_true(u.failed_logins == 2 * RACE_ROUNDS);
    assert_true(u.first_failed_at == FX_T0 + MIN);
    assert_true(u.locked_at != 0);
    store_user_release(&u);
}

/* The TOTP step of round `round` used by both. */
static enum store_rc
op_totp_step(struct store *s, struct racer *r, int round)
{
    r->rc[round] = store_user_totp_use_step(s, r->arg, 58925000 + round);
    return r->rc[round];
}

static void
test_totp_step_once_across_connections(void **state)
{
    struct fx *f = *state;
    struct racer r[2];
    struct store_user u;

    race(f, op_totp_step, f->officer, r);
    /* Each code presented to two servers at once is accepted by one. */
    assert_one_winner_per_round(r);
    assert_int_equal(store_user_get(f->s, f->officer, &u), STORE_ONE_RESULT);
    assert_true(u.totp_last_step == 58925000 + RACE_ROUNDS - 1);
    store_user_release(&u);
}

/* End session `round` of the ids at r->arg. */
static enum store_rc
op_session_end(struct store *s, struct racer *r, int round)
{
    const char(*ids)[STORE_ID_SIZE] = r->arg;

    r->rc[round] =
        store_session_end(s, ids[round], FX_T0 + MIN + r->which * SEC);
    return r->rc[round];
}

static void
test_session_end_once_across_connections(void **state)
{
    struct fx *f = *state;
    char ids[RACE_ROUNDS][STORE_ID_SIZE];
    struct store_session se, got;
    struct racer r[2];

    for (int i = 0; i < RACE_ROUNDS; i++) {
        make_session(&se, f->officer, (unsigned char)(i + 1));
        memcpy(ids[i], se.id, STORE_ID_SIZE);
        assert_int_equal(store_session_insert(f->s, &se), STORE_ONE_RESULT);
    }
    race(f, op_session_end, ids, r);
    assert_one_winner_per_round(r);
    /* Each session kept the end time of the connection that ended it. */
    for (int i = 0; i < RACE_ROUNDS; i++) {
        unsigned char hash[STORE_HASH_SIZE];

        memset(hash, i + 1, sizeof hash);
        assert_int_equal(store_session_get_by_token(f->s, hash, &got),
                         STORE_ONE_RESULT);
        assert_true(got.ended_at ==
                    FX_T0 + MIN + (r[1].rc[i] == STORE_ONE_RESULT) * SEC);
        store_session_release(&got);
    }
}

/* Claim Idempotency-Key "race-<round>" of the user at r->arg, with a
 * request hash that says which connection made it. */
static enum store_rc
op_idempotency_claim(struct store *s, struct racer *r, int round)
{
    struct store_idempotency claim = {0};
    char key[32];

    (void)snprintf(key, sizeof key, "race-%d", round);
    (void)snprintf(claim.user_id, sizeof claim.user_id, "%s",
                   (const char *)r->arg);
    claim.key = key;
    memset(claim.request_hash, 0xa0 + r->which, sizeof claim.request_hash);
    claim.method = "POST";
    claim.path = "/api/v1/subpoenas";
    claim.created_at = FX_T0;
    r->rc[round] = store_idempotency_insert(s, &claim);
    return r->rc[round];
}

static void
test_idempotency_claimed_once_across_connections(void **state)
{
    struct fx *f = *state;
    struct racer r[2];
    struct store_idempotency got;
    char key[32];

    race(f, op_idempotency_claim, f->officer, r);
    /* The same key sent to two servers at once: one claims it, and the
     * record is the winner's. */
    assert_one_winner_per_round(r);
    for (int i = 0; i < RACE_ROUNDS; i++) {
        (void)snprintf(key, sizeof key, "race-%d", i);
        assert_int_equal(store_idempotency_get(f->s, f->officer, key, &got),
                         STORE_ONE_RESULT);
        assert_int_equal(got.request_hash[0],
                         r[0].rc[i] == STORE_ONE_RESULT ? 0xa0 : 0xa1);
        store_idempotency_release(&got);
    }
}

/* ---- inactive accounts ----------------------------------------------*/

#define DAY (24 * 60 * MIN)

struct id_set {
    int n;
    char ids[8][STORE_ID_SIZE];
};

static void
on_inactive(void *cls, const struct store_user *u)
{
    struct id_set *set = cls;

    assert_true(set->n < 8);
    (void)snprintf(set->ids[set->n++], STORE_ID_SIZE, "%s", u->id);
}

static bool
has_id(const struct id_set *set, const char *id)
{
    for (int i = 0; i < set->n; i++)
        if (strcmp(set->ids[i], id) == 0)
            return true;
    return false;
}

struct audit_count {
    const char *action;
    int n;
    struct id_set objects;
};

static void
on_audit(void *cls, const struct store_audit *a)
{
    struct audit_count *c = cls;

    if (strcmp(a->action, c->action) == 0) {
        c->n++;
        if (c->objects.n < 8)
            (void)snprintf(c->objects.ids[c->objects.n++], STORE_ID_SIZE, "%s",
                           a->object_id ? a->object_id : "");
    }
}

static void
test_inactive_accounts_disabled(void **state)
{
    struct fx *f = *state;
    struct store_user active, tokened, stale, fresh, off, got;
    struct store_session se_active, se_stale, se_got;
    struct store_api_token tok = {0};
    struct id_set set = {0};
    struct audit_count count = {"user.disable_inactive", 0, {0}};
    struct audit_verify_result vr;
    const int64_t now = FX_T0 + 100 * DAY, cutoff = now - 90 * DAY;
    int64_t head = 0;
    unsigned char hash[STORE_HASH_SIZE];
    int disabled = -1;

    /* The fixture's officer (created at FX_T0) never logged in. */
    make_user(f, "active@agency.example", f->agency, &active);
    make_session(&se_active, active.id, 0x41);
    se_active.last_seen_at = now - 2 * DAY;
    assert_int_equal(store_session_insert(f->s, &se_active), STORE_ONE_RESULT);
    make_user(f, "tokened@agency.example", f->agency, &tokened);
    cm_id_new(tok.id);
    tok.created_at = tok.updated_at = FX_T0;
    memcpy(tok.user_id, tokened.id, sizeof tok.user_id);
    tok.name = "sync";
    memset(tok.token_hash, 0x42, sizeof tok.token_hash);
    assert_int_equal(store_api_token_insert(f->s, &tok), STORE_ONE_RESULT);
    assert_int_equal(store_api_token_touch(f->s, tok.id, now - DAY),
                     STORE_ONE_RESULT);
    make_user(f, "stale@agency.example", f->agency, &stale);
    make_session(&se_stale, stale.id, 0x43);
    se_stale.last_seen_at = cutoff - MIN; /* just before the cutoff */
    assert_int_equal(store_session_insert(f->s, &se_stale), STORE_ONE_RESULT);
    memset(&fresh, 0, sizeof fresh);
    cm_id_new(fresh.id);
    fresh.created_at = fresh.updated_at = cutoff + MIN; /* new, unused */
    fresh.email = fresh.name = "fresh@agency.example";
    (void)snprintf(fresh.org_id, sizeof fresh.org_id, "%s", f->agency);
    fresh.roles = 2u;
    assert_int_equal(store_user_insert(f->s, &fresh), STORE_ONE_RESULT);
    make_user(f, "off@agency.example", f->agency, &off);
    off.disabled = true;
    off.version = 1;
    assert_int_equal(store_user_update_profile(f->s, &off), STORE_ONE_RESULT);

    assert_int_equal(store_user_list_inactive(f->s, cutoff, on_inactive, &set),
                     2);
    assert_true(has_id(&set, f->officer));
    assert_true(has_id(&set, stale.id));

    assert_int_equal(inactive_run(f->s, 90, now, &disabled), CM_ERR_OK);
    assert_int_equal(disabled, 2);
    assert_int_equal(store_user_get(f->s, f->officer, &got), STORE_ONE_RESULT);
    assert_true(got.disabled);
    store_user_release(&got);
    assert_int_equal(store_user_get(f->s, stale.id, &got), STORE_ONE_RESULT);
    assert_true(got.disabled);
    assert_true(got.updated_at == now);
    store_user_release(&got);
    const struct store_user *keep[] = {&active, &tokened, &fresh};

    for (size_t i = 0; i < sizeof keep / sizeof *keep; i++) {
        assert_int_equal(store_user_get(f->s, keep[i]->id, &got),
                         STORE_ONE_RESULT);
        assert_false(got.disabled);
        store_user_release(&got);
    }
    /* The stale user's session is ended; the active one's is not. */
    assert_int_equal(
        store_session_get_by_token(f->s, se_stale.token_hash, &se_got),
        STORE_ONE_RESULT);
    assert_true(se_got.ended_at == now);
    store_session_release(&se_got);
    assert_int_equal(
        store_session_get_by_token(f->s, se_active.token_hash, &se_got),
        STORE_ONE_RESULT);
    assert_true(se_got.ended_at == 0);
    store_session_release(&se_got);

    /* One audit record each, naming the user; the chain holds. */
    assert_int_equal(store_audit_head(f->s, &head, hash), STORE_ONE_RESULT);
    assert_true(store_audit_range(f->s, 1, head, on_audit, &count) >= 2);
    assert_int_equal(count.n, 2);
    assert_true(has_id(&count.objects, f->officer));
    assert_true(has_id(&count.objects, stale.id));
    assert_int_equal(audit_verify(f->s, NULL, NULL, &vr), CM_ERR_OK);
    assert_true(vr.ok);

    /* Run again: nothing more to do. */
    assert_int_equal(inactive_run(f->s, 90, now, &disabled), CM_ERR_OK);
    assert_int_equal(disabled, 0);
}

int
contract_run_auth(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_session_lifecycle, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_api_tokens, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_user_list_paging, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_user_profile_password_version,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_totp_enrol_and_replay,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_lockout_counter_and_window,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_lockout_counted_across_connections,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_totp_step_once_across_connections,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_session_end_once_across_connections, fx_setup_world,
            fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_idempotency_claimed_once_across_connections, fx_setup_world,
            fx_teardown),
        cmocka_unit_test_setup_teardown(test_inactive_accounts_disabled,
                                        fx_setup_world, fx_teardown),
    };

    return cmocka_run_group_tests_name("store auth", tests, NULL, NULL);
}
