/*
 * test_tx.c: the transaction runner and fault injection.
 *
 * The central test fails every store call of a multi-step transaction in
 * turn (create a subpoena: case number, subpoena with items, timeline
 * event, audit entry) and checks that a failed attempt leaves nothing of
 * it behind and a successful one leaves all of it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "contract.h"
#include "core/alloc.h"
#include "core/rand.h"

struct org_tx {
    int calls;
    int fail_first; /* return a soft error on this many first calls */
    int always;     /* return this rc instead of inserting, when nonzero */
    struct store_org org;
};

static enum store_rc
insert_org(struct store *s, void *cls)
{
    struct org_tx *t = cls;
    enum store_rc rc;

    t->calls++;
    if (t->always)
        return (enum store_rc)t->always;
    rc = store_org_insert(s, &t->org);
    if (rc < 0)
        return rc;
    if (t->calls <= t->fail_first)
        return STORE_SOFT_ERROR;
    return rc == STORE_ONE_RESULT ? 7 : STORE_HARD_ERROR;
}

static void
org_tx_init(struct org_tx *t, const char *name)
{
    memset(t, 0, sizeof *t);
    cm_id_new(t->org.id);
    t->org.created_at = FX_T0;
    t->org.updated_at = FX_T0;
    t->org.kind = "jurisdiction";
    t->org.name = (char *)name;
    t->org.timezone = "America/Chicago";
}

static bool
org_exists(struct store *s, const char *id)
{
    struct store_org o;
    enum store_rc rc = store_org_get(s, id, &o);

    assert_true(rc >= 0);
    if (rc == STORE_ONE_RESULT)
        store_org_release(&o);
    return rc == STORE_ONE_RESULT;
}

static void
test_tx_commits_and_returns_fn_value(void **state)
{
    struct fx *f = *state;
    struct org_tx t;

    org_tx_init(&t, "Cook County");
    assert_int_equal(store_tx_run(f->s, "t", insert_org, &t), 7);
    assert_int_equal(t.calls, 1);
    assert_true(org_exists(f->s, t.org.id));
}

static void
test_tx_retries_soft_then_succeeds(void **state)
{
    struct fx *f = *state;
    struct org_tx t;

    /* The callback's own soft error: the insert of the first attempt is
     * rolled back, the second attempt commits one row. */
    org_tx_init(&t, "Lake County");
    t.fail_first = 1;
    assert_int_equal(store_tx_run(f->s, "t", insert_org, &t), 7);
    assert_int_equal(t.calls, 2);
    assert_true(org_exists(f->s, t.org.id));
    /* An injected soft error at the insert (call 2: begin is call 1). */
    org_tx_init(&t, "Will County");
    store_fault_set(f->s, 2, STORE_FAULT_SOFT_ONCE);
    assert_int_equal(store_tx_run(f->s, "t", insert_org, &t), 7);
    store_fault_clear(f->s);
    assert_int_equal(t.calls, 2);
    assert_true(org_exists(f->s, t.org.id));
    /* ... at the commit (call 3). */
    org_tx_init(&t, "DuPage County");
    store_fault_set(f->s, 3, STORE_FAULT_SOFT_ONCE);
    assert_int_equal(store_tx_run(f->s, "t", insert_org, &t), 7);
    store_fault_clear(f->s);
    assert_int_equal(t.calls, 2);
    assert_true(org_exists(f->s, t.org.id));
}

static void
test_tx_gives_up_after_bound(void **state)
{
    struct fx *f = *state;
    struct org_tx t;

    org_tx_init(&t, "Kane County");
    t.always = STORE_SOFT_ERROR;
    assert_int_equal(store_tx_run(f->s, "t", insert_org, &t), STORE_SOFT_ERROR);
    assert_int_equal(t.calls, STORE_TX_MAX_ATTEMPTS);
    /* A persistent soft fault: every attempt fails, nothing is written. */
    org_tx_init(&t, "McHenry County");
    store_fault_set(f->s, 2, STORE_FAULT_SOFT_PERSISTENT);
    assert_int_equal(store_tx_run(f->s, "t", insert_org, &t), STORE_SOFT_ERROR);
    /* begin + insert, then STORE_TX_MAX_ATTEMPTS - 1 failed begins. */
    assert_int_equal(store_fault_calls(f->s), STORE_TX_MAX_ATTEMPTS + 1);
    store_fault_clear(f->s);
    assert_int_equal(t.calls, 1);
    assert_false(org_exists(f->s, t.org.id));
}

static void
test_tx_hard_error_rolls_back(void **state)
{
    struct fx *f = *state;
    struct org_tx t;

    org_tx_init(&t, "Boone County");
    store_fault_set(f->s, 3, STORE_FAULT_HARD_ONCE); /* the commit */
    assert_int_equal(store_tx_run(f->s, "t", insert_org, &t), STORE_HARD_ERROR);
    store_fault_clear(f->s);
    assert_int_equal(t.calls, 1); /* hard errors are not retried */
    assert_false(org_exists(f->s, t.org.id));
    /* The connection is usable afterwards. */
    assert_int_equal(store_tx_run(f->s, "t", insert_org, &t), 7);
    assert_true(org_exists(f->s, t.org.id));
}

static void
test_fault_outside_tx(void **state)
{
    struct fx *f = *state;
    char *v = NULL;

    store_fault_set(f->s, 2, STORE_FAULT_HARD_ONCE);
    assert_int_equal(store_meta_set(f->s, "k", "1"), STORE_ONE_RESULT);
    assert_int_equal(store_meta_set(f->s, "k", "2"), STORE_HARD_ERROR);
    assert_int_equal(store_meta_get(f->s, "k", &v), STORE_ONE_RESULT);
    assert_string_equal(v, "1");
    cm_free(v);
    assert_int_equal(store_fault_calls(f->s), 3);
    store_fault_set(f->s, 1, STORE_FAULT_SOFT_PERSISTENT);
    assert_int_equal(store_meta_get(f->s, "k", &v), STORE_SOFT_ERROR);
    assert_int_equal(store_meta_get(f->s, "k", &v), STORE_SOFT_ERROR);
    store_fault_clear(f->s);
    assert_int_equal(store_meta_get(f->s, "k", &v), STORE_ONE_RESULT);
    cm_free(v);
}

/* ---- the multi-step transaction ----------------------------------------*/

struct create_tx {
    struct fx *f;
    struct store_subpoena sp;
    int64_t event_seq;
    int64_t audit_seq;
};

static const char *const item_categories[] = {"home_address", "phone",
                                              "employer", "bond_record"};

static void
create_tx_init(struct create_tx *t, struct fx *f)
{
    memset(t, 0, sizeof *t);
    t->f = f;
    cm_id_new(t->sp.id);
    t->sp.created_at = FX_T0;
    t->sp.updated_at = FX_T0;
    memcpy(t->sp.agency_org_id, f->agency, STORE_ID_SIZE);
    memcpy(t->sp.recipient_org_id, f->county, STORE_ID_SIZE);
    memcpy(t->sp.drafted_by, f->officer, STORE_ID_SIZE);
    t->sp.purpose = "records of a released person";
    t->sp.state = "draft";
    t->sp.n_items = 4;
    t->sp.items = cm_calloc(4, sizeof *t->sp.items);
    for (size_t i = 0; i < 4; i++) {
        cm_id_new(t->sp.items[i].id);
        t->sp.items[i].category = (char *)item_categories[i];
    }
}

/* Create a subpoena the way the service will: number, row and items,
 * timeline event, chained audit entry. Seven store calls with begin and
 * commit. */
static enum store_rc
create_subpoena(struct store *s, void *cls)
{
    struct create_tx *t = cls;
    struct store_event ev = {.case_kind = "subpoena",
                             .action = "create",
                             .role = "officer",
                             .at = FX_T0};
    struct store_audit a = {.at = FX_T0,
                            .actor_id = t->f->officer,
                            .action = "subpoena.create",
                            .object_kind = "subpoena",
                            .object_id = t->sp.id,
                            .outcome = "success"};
    int64_t head = 0;
    enum store_rc rc;

    t->event_seq = 0;
    t->audit_seq = 0;
    rc = store_case_number_next(s, "SUB", 2026, t->sp.number);
    if (rc < 0)
        return rc;
    rc = store_subpoena_insert(s, &t->sp);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    memcpy(ev.case_id, t->sp.id, STORE_ID_SIZE);
    memcpy(ev.actor_id, t->f->officer, STORE_ID_SIZE);
    rc = store_event_append(s, &ev, &t->event_seq);
    if (rc < 0)
        return rc;
    rc = store_audit_head(s, &head, a.prev_hash);
    if (rc < 0)
        return rc;
    /* A stand-in for the real hash (src/audit): unique per entry. */
    cm_random_bytes(a.hash, sizeof a.hash);
    rc = store_audit_append(s, &a, &t->audit_seq);
    if (rc < 0)
        return rc;
    return t->audit_seq == head + 1 ? STORE_ONE_RESULT : STORE_HARD_ERROR;
}

static void
no_op_event(void *cls, const struct store_event *ev)
{
    (void)cls;
    (void)ev;
}

/* Nothing of t is in the store; the audit head is still `head`. */
static void
assert_nothing_of(struct store *s, const struct create_tx *t, int64_t head)
{
    struct store_subpoena got;
    unsigned char h[STORE_HASH_SIZE];
    int64_t now = 0;
    enum store_rc rc;

    assert_int_equal(store_subpoena_get(s, t->sp.id, &got), STORE_NO_RESULTS);
    assert_int_equal(
        store_event_list(s, "subpoena", t->sp.id, no_op_event, NULL), 0);
    rc = store_audit_head(s, &now, h);
    if (head == 0)
        assert_int_equal(rc, STORE_NO_RESULTS);
    else
        assert_int_equal(now, head);
}

/* All of t is in the store, with the audit entry at `seq`. */
static void
assert_all_of(struct store *s,
              const struct create_tx *t,
              int64_t seq,
              const char *number)
{
    struct store_subpoena got;
    struct store_audit a;
    unsigned char h[STORE_HASH_SIZE];
    int64_t head = 0;

    assert_int_equal(store_subpoena_get(s, t->sp.id, &got), STORE_ONE_RESULT);
    assert_string_equal(got.number, number);
    assert_int_equal(got.n_items, 4);
    store_subpoena_release(&got);
    assert_int_equal(
        store_event_list(s, "subpoena", t->sp.id, no_op_event, NULL), 1);
    assert_int_equal(store_audit_head(s, &head, h), STORE_ONE_RESULT);
    assert_int_equal(head, seq);
    assert_int_equal(store_audit_get(s, seq, &a), STORE_ONE_RESULT);
    assert_string_equal(a.object_id, t->sp.id);
    store_audit_release(&a);
}

static void
test_fault_every_call_of_a_transaction(void **state)
{
    struct fx *f = *state;
    struct create_tx t;
    char number[STORE_NUMBER_SIZE];
    unsigned long n;
    int64_t audit_head = 0;
    int made = 0;
    int rc;

    /* Hard failure at each call N in turn, until N is past the last call
     * and the transaction commits. */
    for (n = 1;; n++) {
        create_tx_init(&t, f);
        store_fault_set(f->s, n, STORE_FAULT_HARD_ONCE);
        rc = store_tx_run(f->s, "create", create_subpoena, &t);
        store_fault_clear(f->s);
        if (rc >= 0) {
            cm_free(t.sp.items);
            break;
        }
        assert_int_equal(rc, STORE_HARD_ERROR);
        assert_nothing_of(f->s, &t, audit_head);
        cm_free(t.sp.items);
        assert_true(n < 50);
    }
    /* begin, number, subpoena, event, audit head, audit append, commit */
    assert_int_equal(n, 8);
    made++;
    audit_head++;
    (void)snprintf(number, sizeof number, "SUB-2026-%06d", made);
    /* Every failed attempt rolled its number back: the first success is
     * number 1. */
    assert_all_of(f->s, &t, audit_head, number);

    /* A soft failure at each call: the runner retries and commits once. */
    for (n = 1; n <= 7; n++) {
        create_tx_init(&t, f);
        store_fault_set(f->s, n, STORE_FAULT_SOFT_ONCE);
        rc = store_tx_run(f->s, "create", create_subpoena, &t);
        store_fault_clear(f->s);
        assert_int_equal(rc, STORE_ONE_RESULT);
        made++;
        audit_head++;
        (void)snprintf(number, sizeof number, "SUB-2026-%06d", made);
        assert_all_of(f->s, &t, audit_head, number);
        cm_free(t.sp.items);
    }

    /* Persistent failure from each call on: nothing, hard or soft. */
    for (n = 1; n <= 7; n++) {
        enum store_fault kinds[] = {STORE_FAULT_HARD_PERSISTENT,
                                    STORE_FAULT_SOFT_PERSISTENT};

        for (size_t k = 0; k < 2; k++) {
            create_tx_init(&t, f);
            store_fault_set(f->s, n, kinds[k]);
            rc = store_tx_run(f->s, "create", create_subpoena, &t);
            store_fault_clear(f->s);
            assert_true(rc < 0);
            assert_nothing_of(f->s, &t, audit_head);
            cm_free(t.sp.items);
        }
    }
    /* And the next success continues the numbering without a gap. */
    create_tx_init(&t, f);
    assert_int_equal(store_tx_run(f->s, "create", create_subpoena, &t),
                     STORE_ONE_RESULT);
    made++;
    audit_head++;
    (void)snprintf(number, sizeof number, "SUB-2026-%06d", made);
    assert_all_of(f->s, &t, audit_head, number);
    cm_free(t.sp.items);
}

/* Group commit: three members; the second refuses (a business reason);
 * the first and third are committed together, the second leaves nothing. */
static void
test_group_commits_members_and_undoes_a_refusal(void **state)
{
    struct fx *f = *state;
    struct org_tx t[3];
    struct store_tx_job jobs[3];

    org_tx_init(&t[0], "Adams County");
    org_tx_init(&t[1], "Boulder County");
    org_tx_init(&t[2], "Clear Creek County");
    t[1].always = STORE_HARD_ERROR;
    for (int i = 0; i < 3; i++) {
        jobs[i].name = "member";
        jobs[i].fn = insert_org;
        jobs[i].ctx = &t[i];
        jobs[i].rc = 12345;
    }
    assert_int_equal(store_tx_run_group(f->s, jobs, 3), 0);
    assert_int_equal(jobs[0].rc, 7);
    assert_int_equal(jobs[1].rc, STORE_HARD_ERROR);
    assert_int_equal(jobs[2].rc, 7);
    assert_true(org_exists(f->s, t[0].org.id));
    assert_false(org_exists(f->s, t[1].org.id));
    assert_true(org_exists(f->s, t[2].org.id));
}

/* A member that inserts and then refuses is undone to its savepoint: its
 * row is gone while the member before it stays. */
static enum store_rc
insert_then_refuse(struct store *s, void *cls)
{
    struct org_tx *t = cls;
    enum store_rc rc = store_org_insert(s, &t->org);

    t->calls++;
    return rc < 0 ? rc : STORE_HARD_ERROR;
}

static void
test_group_undoes_a_member_that_wrote(void **state)
{
    struct fx *f = *state;
    struct org_tx t[2];
    struct store_tx_job jobs[2] = {{"a", insert_org, &t[0], 0},
                                   {"b", insert_then_refuse, &t[1], 0}};

    org_tx_init(&t[0], "Delta County");
    org_tx_init(&t[1], "Eagle County");
    assert_int_equal(store_tx_run_group(f->s, jobs, 2), 0);
    assert_int_equal(jobs[0].rc, 7);
    assert_int_equal(jobs[1].rc, STORE_HARD_ERROR);
    assert_true(org_exists(f->s, t[0].org.id));
    assert_false(org_exists(f->s, t[1].org.id));
}

/* A soft error in one member reruns the whole group; each member's body
 * runs again and everything is committed once. */
static void
test_group_retries_on_soft_error(void **state)
{
    struct fx *f = *state;
    struct org_tx t[2];
    struct store_tx_job jobs[2] = {{"a", insert_org, &t[0], 0},
                                   {"b", insert_org, &t[1], 0}};

    org_tx_init(&t[0], "Elbert County");
    org_tx_init(&t[1], "Fremont County");
    t[1].fail_first = 1;
    assert_int_equal(store_tx_run_group(f->s, jobs, 2), 0);
    assert_int_equal(t[0].calls, 2);
    assert_int_equal(t[1].calls, 2);
    assert_int_equal(jobs[0].rc, 7);
    assert_int_equal(jobs[1].rc, 7);
    assert_true(org_exists(f->s, t[0].org.id));
    assert_true(org_exists(f->s, t[1].org.id));
}

/* A failure at every store call of a group (begin, savepoints, inserts,
 * releases, commit) leaves either all of it or, for a hard failure,
 * nothing of it. */
static void
test_group_fault_at_every_call(void **state)
{
    struct fx *f = *state;

    /* 8 calls: begin, then savepoint, insert, release for each member,
     * then commit. */
    for (int n = 1; n <= 8; n++) {
        struct org_tx t[2];
        struct store_tx_job jobs[2] = {{"a", insert_org, &t[0], 0},
                                       {"b", insert_org, &t[1], 0}};
        int rc;

        org_tx_init(&t[0], "Gilpin County");
        org_tx_init(&t[1], "Grand County");
        store_fault_set(f->s, n, STORE_FAULT_HARD_ONCE);
        rc = store_tx_run_group(f->s, jobs, 2);
        store_fault_clear(f->s);
        if (rc == 0) {
            /* The fault fell on a member's own call: that member alone
             * was undone. */
            assert_true(jobs[0].rc == STORE_HARD_ERROR ||
                        jobs[1].rc == STORE_HARD_ERROR);
            assert_int_equal(org_exists(f->s, t[0].org.id), jobs[0].rc >= 0);
            assert_int_equal(org_exists(f->s, t[1].org.id), jobs[1].rc >= 0);
        } else {
            assert_int_equal(rc, STORE_HARD_ERROR);
            assert_int_equal(jobs[0].rc, STORE_HARD_ERROR);
            assert_int_equal(jobs[1].rc, STORE_HARD_ERROR);
            assert_false(org_exists(f->s, t[0].org.id));
            assert_false(org_exists(f->s, t[1].org.id));
        }
    }
}

int
contract_run_tx(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tx_commits_and_returns_fn_value,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_tx_retries_soft_then_succeeds,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_tx_gives_up_after_bound,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_tx_hard_error_rolls_back,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_fault_outside_tx, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_fault_every_call_of_a_transaction,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_group_commits_members_and_undoes_a_refusal, fx_setup_world,
            fx_teardown),
        cmocka_unit_test_setup_teardown(test_group_undoes_a_member_that_wrote,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_group_retries_on_soft_error,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_group_fault_at_every_call,
                                        fx_setup_world, fx_teardown),
    };

    return cmocka_run_group_tests_name("store transactions", tests, NULL, NULL);
}
