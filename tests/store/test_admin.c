/*
 * test_admin.c: the contract of store_admin.h: organization lists by kind
 * and facility lists with paging, jurisdiction policies (store-assigned
 * version numbers, the policy in force on a date), delegations in force,
 * and calendars (the federal calendar made by the migrations, version
 * increments per closure or holiday, all-or-nothing changes), and the
 * numbers the store assigns (policy versions, calendar versions) staying
 * exact when two connections add to one org or calendar at once.
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

struct names {
    int n;
    char v[8][64];
};

static void
add_name(struct names *ns, const char *name)
{
    if (ns->n < 8)
        (void)snprintf(ns->v[ns->n], sizeof ns->v[0], "%s", name);
    ns->n++;
}

static void
on_org(void *cls, const struct store_org *o)
{
    add_name(cls, o->name);
}

static void
on_facility(void *cls, const struct store_facility *fa)
{
    add_name(cls, fa->name);
}

static void
test_org_and_facility_lists(void **state)
{
    struct fx *f = *state;
    struct store_org doj = {.created_at = FX_T0 + 2,
                            .updated_at = FX_T0 + 2,
                            .kind = "doj_office",
                            .name = "U.S. Attorney, District of Colorado",
                            .state = "CO",
                            .timezone = "America/Denver"};
    struct store_facility jail2 = {.created_at = FX_T0 + 5,
                                   .updated_at = FX_T0 + 5,
                                   .name = "County Jail Annex",
                                   .timezone = "America/Denver"};
    struct store_org first;
    struct names ns = {0};

    cm_id_new(doj.id);
    assert_int_equal(store_org_insert(f->s, &doj), STORE_ONE_RESULT);
    assert_int_equal(
        store_org_list_by_kind(f->s, "jurisdiction", NULL, 10, on_org, &ns), 1);
    assert_string_equal(ns.v[0], "Denver County");
    memset(&ns, 0, sizeof ns);
    assert_int_equal(store_org_list_by_kind(f->s, NULL, NULL, 10, on_org, &ns),
                     3);
    /* Creation order; a page after the first gives the other two. */
    assert_string_equal(ns.v[0], "Denver Field Office");
    memset(&ns, 0, sizeof ns);
    assert_int_equal(store_org_get(f->s, f->agency, &first), STORE_ONE_RESULT);
    assert_int_equal(
        store_org_list_by_kind(f->s, "", first.id, 10, on_org, &ns), 2);
    assert_string_equal(ns.v[0], "Denver County");
    assert_string_equal(ns.v[1], "U.S. Attorney, District of Colorado");
    store_org_release(&first);

    cm_id_new(jail2.id);
    memcpy(jail2.org_id, f->county, sizeof jail2.org_id);
    assert_int_equal(store_facility_insert(f->s, &jail2), STORE_ONE_RESULT);
    memset(&ns, 0, sizeof ns);
    assert_int_equal(store_facility_list(f->s, NULL, 1, on_facility, &ns), 1);
    assert_string_equal(ns.v[0], "Downtown Detention Center");
    memset(&ns, 0, sizeof ns);
    assert_int_equal(
        store_facility_list(f->s, f->facility, 10, on_facility, &ns), 1);
    assert_string_equal(ns.v[0], "County Jail Annex");
}

static void
on_policy(void *cls, const struct store_policy *p)
{
    struct names *ns = cls;
    char v[64];

    (void)snprintf(v, sizeof v, "%lld:%s", (long long)p->version_no,
                   p->effective_from);
    add_name(ns, v);
}

static void
insert_policy(struct fx *f,
              const char *from,
              const char *detainers,
              int64_t want_version)
{
    struct store_policy p = {0};
    int64_t v = 0;

    cm_id_new(p.id);
    memcpy(p.org_id, f->county, sizeof p.org_id);
    p.effective_from = (char *)from;
    p.detainers = (char *)detainers;
    p.subpoenas = "court_order_only";
    p.release_notification = true;
    p.citation = "Colo. Rev. Stat. 24-76.6-102";
    memcpy(p.created_by, f->officer, sizeof p.created_by);
    p.created_at = FX_T0;
    assert_int_equal(store_policy_insert(f->s, &p, &v), STORE_ONE_RESULT);
    assert_true(v == want_version);
    /* The same id again is refused. */
    assert_int_equal(store_policy_insert(f->s, &p, &v), STORE_NO_RESULTS);
}

static void
test_policy_versions_and_in_force(void **state)
{
    struct fx *f = *state;
    struct store_policy p;
    struct names ns = {0};

    insert_policy(f, "2019-05-28", "honor", 1);
    insert_policy(f, "2021-01-01", "decline", 2);
    /* A later-made version may take effect earlier than the one before
     * (a correction): version 3 from 2020-06-01. */
    insert_policy(f, "2020-06-01", "criteria", 3);
    assert_int_equal(store_policy_list_by_org(f->s, f->county, on_policy, &ns),
                     3);
    assert_string_equal(ns.v[0], "1:2019-05-28");
    assert_string_equal(ns.v[1], "2:2021-01-01");
    assert_string_equal(ns.v[2], "3:2020-06-01");

    assert_int_equal(store_policy_in_force(f->s, f->county, "2019-05-27", &p),
                     STORE_NO_RESULTS);
    assert_int_equal(store_policy_in_force(f->s, f->county, "2019-05-28", &p),
                     STORE_ONE_RESULT);
    assert_string_equal(p.detainers, "honor");
    store_policy_release(&p);
    assert_int_equal(store_policy_in_force(f->s, f->county, "2020-12-31", &p),
                     STORE_ONE_RESULT);
    assert_string_equal(p.detainers, "criteria");
    assert_true(p.version_no == 3);
    store_policy_release(&p);
    assert_int_equal(store_policy_in_force(f->s, f->county, "2026-01-05", &p),
                     STORE_ONE_RESULT);
    assert_string_equal(p.detainers, "decline");
    assert_true(p.release_notification);
    assert_string_equal(p.citation, "Colo. Rev. Stat. 24-76.6-102");
    {
        struct store_policy again;
        char id[STORE_ID_SIZE];

        memcpy(id, p.id, sizeof id);
        assert_int_equal(store_policy_get(f->s, id, &again), STORE_ONE_RESULT);
        assert_string_equal(again.effective_from, "2021-01-01");
        store_policy_release(&again);
    }
    store_policy_release(&p);
    /* Another org has none. */
    assert_int_equal(store_policy_in_force(f->s, f->agency, "2026-01-05", &p),
                     STORE_NO_RESULTS);
}

static void
on_delegation(void *cls, const struct store_delegation *d)
{
    add_name(cls, d->effective_from);
}

static void
test_delegation_in_force(void **state)
{
    struct fx *f = *state;
    struct store_delegation d = {0}, got;
    struct names ns = {0};

    cm_id_new(d.id);
    memcpy(d.user_id, f->officer, sizeof d.user_id);
    d.authority = "Delegation No. 7030.2, 8 CFR 287.4(a)(2)";
    d.effective_from = "2025-10-01";
    d.effective_to = "2025-12-31";
    d.created_at = FX_T0;
    assert_int_equal(store_delegation_insert(f->s, &d), STORE_ONE_RESULT);
    assert_int_equal(store_delegation_insert(f->s, &d), STORE_NO_RESULTS);
    /* Before, on both ends (inclusive), after. */
    assert_int_equal(
        store_delegation_in_force(f->s, f->officer, "2025-09-30", &got),
        STORE_NO_RESULTS);
    assert_int_equal(
        store_delegation_in_force(f->s, f->officer, "2025-10-01", &got),
        STORE_ONE_RESULT);
    assert_string_equal(got.id, d.id);
    assert_string_equal(got.effective_to, "2025-12-31");
    store_delegation_release(&got);
    assert_int_equal(
        store_delegation_in_force(f->s, f->officer, "2025-12-31", &got),
        STORE_ONE_RESULT);
    store_delegation_release(&got);
    assert_int_equal(
        store_delegation_in_force(f->s, f->officer, "2026-01-01", &got),
        STORE_NO_RESULTS);
    /* An open-ended one from 2026-01-02. */
    cm_id_new(d.id);
    d.effective_from = "2026-01-02";
    d.effective_to = NULL;
    assert_int_equal(store_delegation_insert(f->s, &d), STORE_ONE_RESULT);
    assert_int_equal(
        store_delegation_in_force(f->s, f->officer, "2030-06-30", &got),
        STORE_ONE_RESULT);
    assert_null(got.effective_to);
    store_delegation_release(&got);
    assert_int_equal(
        store_delegation_list_by_user(f->s, f->officer, on_delegation, &ns), 2);
    assert_string_equal(ns.v[0], "2025-10-01");
    assert_string_equal(ns.v[1], "2026-01-02");
}

static void
on_calendar(void *cls, const struct store_calendar *c)
{
    add_name(cls, c->name);
}

static void
on_closure(void *cls, const struct store_closure *c)
{
    add_name(cls, c->date);
}

static void
on_holiday(void *cls, const struct store_state_holiday *h)
{
    add_name(cls, h->name);
}

static void
test_calendar_versions(void **state)
{
    struct fx *f = *state;
    struct store_calendar fed, co = {0}, got;
    struct store_closure cl = {0};
    struct store_state_holiday h = {0};
    struct names ns = {0};
    int64_t v = 0;

    /* Every database has the federal calendar, at version 1. */
    assert_int_equal(store_calendar_get(f->s, STORE_FEDERAL_CALENDAR_ID, &fed),
                     STORE_ONE_RESULT);
    assert_string_equal(fed.name, "federal");
    assert_string_equal(fed.org_id, "");
    assert_true(fed.version == 1);
    store_calendar_release(&fed);

    /* Executive Order 13900 closed federal executive departments on
     * Tuesday, December 24, 2019; EO 13961 did the same on Thursday,
     * December 24, 2020. Each closure makes a new version. */
    cm_id_new(cl.id);
    memcpy(cl.calendar_id, STORE_FEDERAL_CALENDAR_ID, sizeof cl.calendar_id);
    cl.date = "2019-12-24";
    cl.name = "Christmas Eve closure";
    cl.source = "Executive Order 13900";
    memcpy(cl.created_by, f->officer, sizeof cl.created_by);
    cl.created_at = FX_T0 + 1;
    assert_int_equal(store_closure_insert(f->s, &cl, &v), STORE_ONE_RESULT);
    assert_true(v == 2);
    /* The same closure id again changes nothing, not even the version. */
    assert_int_equal(store_closure_insert(f->s, &cl, &v), STORE_NO_RESULTS);
    cm_id_new(cl.id);
    cl.date = "2020-12-24";
    cl.source = "Executive Order 13961";
    assert_int_equal(store_closure_insert(f->s, &cl, &v), STORE_ONE_RESULT);
    assert_true(v == 3);
    assert_int_equal(store_calendar_get(f->s, STORE_FEDERAL_CALENDAR_ID, &fed),
                     STORE_ONE_RESULT);
    assert_true(fed.version == 3);
    store_calendar_release(&fed);
    assert_int_equal(
        store_closure_list(f->s, STORE_FEDERAL_CALENDAR_ID, on_closure, &ns),
        2);
    assert_string_equal(ns.v[0], "2019-12-24");
    assert_string_equal(ns.v[1], "2020-12-24");
    /* An unknown calendar: nothing. */
    cm_id_new(cl.id);
    memcpy(cl.calendar_id, "AAAAAAAAAAAAAAAAAAAAAA", sizeof cl.calendar_id);
    assert_int_equal(store_closure_insert(f->s, &cl, &v), STORE_NO_RESULTS);

    /* Colorado's calendar for the county. */
    cm_id_new(co.id);
    co.name = "Colorado";
    memcpy(co.org_id, f->county, sizeof co.org_id);
    co.created_at = FX_T0;
    assert_int_equal(store_calendar_insert(f->s, &co), STORE_ONE_RESULT);
    assert_int_equal(store_calendar_insert(f->s, &co), STORE_NO_RESULTS);
    assert_int_equal(store_calendar_get_by_org(f->s, f->county, &got),
                     STORE_ONE_RESULT);
    assert_string_equal(got.id, co.id);
    assert_true(got.version == 1);
    store_calendar_release(&got);
    assert_int_equal(store_calendar_get_by_org(f->s, f->agency, &got),
                     STORE_NO_RESULTS);
    /* Cesar Chavez Day, March 31 (C.R.S. 24-11-101), and Frances Xavier
     * Cabrini Day, the first Monday of October (since 2020). */
    cm_id_new(h.id);
    memcpy(h.calendar_id, co.id, sizeof h.calendar_id);
    h.kind = "fixed";
    h.month = 3;
    h.day = 31;
    h.name = "Cesar Chavez Day";
    h.source = "C.R.S. 24-11-101";
    h.created_at = FX_T0 + 1;
    assert_int_equal(store_state_holiday_insert(f->s, &h, &v),
                     STORE_ONE_RESULT);
    assert_true(v == 2);
    memset(&h, 0, sizeof h);
    cm_id_new(h.id);
    memcpy(h.calendar_id, co.id, sizeof h.calendar_id);
    h.kind = "nth_weekday";
    h.month = 10;
    h.weekday = 1;
    h.nth = 1;
    h.name = "Frances Xavier Cabrini Day";
    h.created_at = FX_T0 + 2;
    assert_int_equal(store_state_holiday_insert(f->s, &h, &v),
                     STORE_ONE_RESULT);
    assert_true(v == 3);
    memset(&ns, 0, sizeof ns);
    assert_int_equal(store_state_holiday_list(f->s, co.id, on_holiday, &ns), 2);
    assert_string_equal(ns.v[0], "Cesar Chavez Day");
    assert_string_equal(ns.v[1], "Frances Xavier Cabrini Day");
    memset(&ns, 0, sizeof ns);
    assert_int_equal(store_calendar_list(f->s, on_calendar, &ns), 2);
    assert_string_equal(ns.v[0], "Colorado");
    assert_string_equal(ns.v[1], "federal");
}

/* ---- two connections racing ---------------------------------------------*/

/* Rows each racer adds. */
#define RACE_N 20

struct racer;

/* Add the racer's i-th row; *v = the version number the store gave it. */
typedef enum store_rc (*race_fn)(struct store *s,
                                 const struct racer *r,
                                 int i,
                                 int64_t *v);

struct racer {
    char url[512];
    char target[STORE_ID_SIZE]; /* the org or calendar added to */
    char by[STORE_ID_SIZE];     /* the user who adds */
    race_fn add;
    bool in_tx; /* through store_tx_run, else a bare call */
    pthread_barrier_t *start;
    int64_t got[RACE_N];
    int n;
    int rc;
};

static enum store_rc
race_policy(struct store *s, const struct racer *r, int i, int64_t *v)
{
    struct store_policy p = {0};

    cm_id_new(p.id);
    memcpy(p.org_id, r->target, sizeof p.org_id);
    p.effective_from = "2024-01-01";
    p.detainers = i % 2 ? "honor" : "decline";
    p.subpoenas = "review";
    memcpy(p.created_by, r->by, sizeof p.created_by);
    p.created_at = FX_T0 + i;
    return store_policy_insert(s, &p, v);
}

static enum store_rc
race_closure(struct store *s, const struct racer *r, int i, int64_t *v)
{
    struct store_closure c = {0};
    char date[16];

    (void)snprintf(date, sizeof date, "2030-%02d-%02d", 1 + i % 12, 1 + i % 28);
    cm_id_new(c.id);
    memcpy(c.calendar_id, r->target, sizeof c.calendar_id);
    c.date = date;
    c.name = "Closure";
    c.source = "Executive Order";
    memcpy(c.created_by, r->by, sizeof c.created_by);
    c.created_at = FX_T0 + i;
    return store_closure_insert(s, &c, v);
}

struct race_tx {
    const struct racer *r;
    int i;
    int64_t v;
};

static enum store_rc
race_body(struct store *s, void *ctx)
{
    struct race_tx *t = ctx;

    t->v = 0;
    return t->r->add(s, t->r, t->i, &t->v);
}

static void *
racer_main(void *arg)
{
    struct racer *r = arg;
    struct store *s = NULL;

    r->rc = -1;
    if (store_open_partial(r->url, STORE_OPEN_MODE_EXISTING, &s, NULL) !=
        CM_ERR_OK) {
        (void)pthread_barrier_wait(r->start);
        return NULL;
    }
    (void)pthread_barrier_wait(r->start);
    for (int i = 0; i < RACE_N; i++) {
        struct race_tx t = {r, i, 0};
        int rc = STORE_SOFT_ERROR;

        /* A busy database (SQLite) is soft: try again, a bounded number
         * of times. Anything else but one row is a failure. */
        for (int tries = 0; tries < 20 && rc == STORE_SOFT_ERROR; tries++)
            rc = r->in_tx ? store_tx_run(s, "race", race_body, &t)
                          : race_body(s, &t);
        if (rc != STORE_ONE_RESULT)
            goto out;
        r->got[r->n++] = t.v;
    }
    r->rc = 0;
out:
    store_close(s);
    return NULL;
}

/* Two connections add RACE_N rows each to `target` at once, one inside
 * transactions and one with bare calls; every row must get a version of
 * its own: together exactly first .. first + 2 * RACE_N - 1. */
static void
race(struct fx *f, const char *target, race_fn add, int64_t first)
{
    struct racer r[2];
    pthread_t t[2];
    pthread_barrier_t start;
    bool seen[2 * RACE_N] = {false};

    assert_int_equal(pthread_barrier_init(&start, NULL, 2), 0);
    for (int i = 0; i < 2; i++) {
        memset(&r[i], 0, sizeof r[i]);
        (void)snprintf(r[i].url, sizeof r[i].url, "%s", f->url);
        memcpy(r[i].target, target, sizeof r[i].target);
        memcpy(r[i].by, f->officer, sizeof r[i].by);
        r[i].add = add;
        r[i].in_tx = i == 0;
        r[i].start = &start;
        assert_int_equal(pthread_create(&t[i], NULL, racer_main, &r[i]), 0);
    }
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    (void)pthread_barrier_destroy(&start);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(r[i].rc, 0);
        assert_int_equal(r[i].n, RACE_N);
        for (int k = 0; k < RACE_N; k++) {
            int64_t at = r[i].got[k] - first;

            assert_true(at >= 0 && at < 2 * RACE_N);
            assert_false(seen[at]);
            seen[at] = true;
        }
    }
}

struct versions {
    int n;
    int64_t v[2 * RACE_N];
};

static void
on_policy_version(void *cls, const struct store_policy *p)
{
    struct versions *vs = cls;

    if (vs->n < 2 * RACE_N)
        vs->v[vs->n] = p->version_no;
    vs->n++;
}

static void
on_closure_version(void *cls, const struct store_closure *c)
{
    struct versions *vs = cls;

    if (vs->n < 2 * RACE_N)
        vs->v[vs->n] = c->added_in;
    vs->n++;
}

static void
test_policy_versions_race(void **state)
{
    struct fx *f = *state;
    struct versions vs = {0};

    race(f, f->county, race_policy, 1);
    /* Stored as assigned: versions 1 .. 2N, one row each. */
    assert_int_equal(
        store_policy_list_by_org(f->s, f->county, on_policy_version, &vs),
        2 * RACE_N);
    for (int i = 0; i < 2 * RACE_N; i++)
        assert_true(vs.v[i] == i + 1);
}

static void
test_calendar_versions_race(void **state)
{
    struct fx *f = *state;
    struct store_calendar fed;
    struct versions vs = {0};
    bool seen[2 * RACE_N] = {false};

    race(f, STORE_FEDERAL_CALENDAR_ID, race_closure, 2);
    /* Version 1 at creation, one more per closure, none lost. */
    assert_int_equal(store_calendar_get(f->s, STORE_FEDERAL_CALENDAR_ID, &fed),
                     STORE_ONE_RESULT);
    assert_true(fed.version == 1 + 2 * RACE_N);
    store_calendar_release(&fed);
    assert_int_equal(store_closure_list(f->s, STORE_FEDERAL_CALENDAR_ID,
                                        on_closure_version, &vs),
                     2 * RACE_N);
    for (int i = 0; i < 2 * RACE_N; i++) {
        int64_t at = vs.v[i] - 2;

        assert_true(at >= 0 && at < 2 * RACE_N);
        assert_false(seen[at]);
        seen[at] = true;
    }
}

int
contract_run_admin(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_org_and_facility_lists,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_policy_versions_and_in_force,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_delegation_in_force,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_calendar_versions, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_policy_versions_race,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_calendar_versions_race,
                                        fx_setup_world, fx_teardown),
    };

    return cmocka_run_group_tests_name("store admin", tests, NULL, NULL);
}
