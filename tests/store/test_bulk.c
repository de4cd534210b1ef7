/*
 * test_bulk.c: the store contract of store_bulk.h: natural-key lookups of
 * organizations and facilities, people and detainers inserted with an
 * external_ref (unique per office, found again by it), detainers found by
 * number, external refs read back, and case numbers raised past an
 * imported one; two importers on two connections racing for the same
 * external_refs insert each record once, and a counter raised while
 * another connection takes numbers from it never repeats one.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "contract.h"
#include "core/alloc.h"
#include "core/rand.h"
#include "store/store.h"

static void
test_natural_keys(void **state)
{
    struct fx *f = *state;
    struct store_org o;
    struct store_facility fac;

    assert_int_equal(
        store_org_find(f->s, "jurisdiction", "CO", "Denver County", &o),
        STORE_ONE_RESULT);
    assert_string_equal(o.id, f->county);
    store_org_release(&o);
    /* Names are per state: Denver County, UT does not exist. */
    assert_int_equal(
        store_org_find(f->s, "jurisdiction", "UT", "Denver County", &o),
        STORE_NO_RESULTS);
    assert_int_equal(
        store_facility_find(f->s, f->county, "Downtown Detention Center", &fac),
        STORE_ONE_RESULT);
    assert_string_equal(fac.id, f->facility);
    store_facility_release(&fac);
    assert_int_equal(store_facility_find(f->s, f->county, "Nowhere Jail", &fac),
                     STORE_NO_RESULTS);
}

static void
test_person_ref(void **state)
{
    struct fx *f = *state;
    unsigned char fam[8] = "cipher!";
    unsigned char bidx[32] = {1};
    struct store_person p = {.created_at = FX_T0, .updated_at = FX_T0};
    struct store_person got;
    char *ref = NULL;

    cm_id_new(p.id);
    memcpy(p.org_id, f->agency, sizeof p.org_id);
    p.family_name = (struct store_blob){fam, sizeof fam};
    p.family_name_bidx = (struct store_blob){bidx, sizeof bidx};
    assert_int_equal(store_person_insert_ref(f->s, &p, "P-1"),
                     STORE_ONE_RESULT);
    assert_int_equal(store_person_find_ref(f->s, f->agency, "P-1", &got),
                     STORE_ONE_RESULT);
    assert_string_equal(got.id, p.id);
    store_person_release(&got);
    assert_int_equal(
        store_external_ref_get(f->s, STORE_REF_KIND_PERSON, p.id, &ref),
        STORE_ONE_RESULT);
    assert_string_equal(ref, "P-1");
    cm_free(ref);
    /* The same external_ref in the same office is refused. */
    cm_id_new(p.id);
    assert_int_equal(store_person_insert_ref(f->s, &p, "P-1"),
                     STORE_NO_RESULTS);
    /* A person without one reads back NULL. */
    assert_int_equal(
        store_external_ref_get(f->s, STORE_REF_KIND_PERSON, f->person, &ref),
        STORE_ONE_RESULT);
    assert_null(ref);
}

static void
test_detainer_ref_and_number(void **state)
{
    struct fx *f = *state;
    struct store_detainer d = {.created_at = FX_T0, .updated_at = FX_T0};
    struct store_detainer got;
    char number[STORE_NUMBER_SIZE];

    cm_id_new(d.id);
    (void)snprintf(d.number, sizeof d.number, "DET-2024-000500");
    memcpy(d.person_id, f->person, sizeof d.person_id);
    memcpy(d.facility_id, f->facility, sizeof d.facility_id);
    memcpy(d.agency_org_id, f->agency, sizeof d.agency_org_id);
    memcpy(d.lodged_by, f->officer, sizeof d.lodged_by);
    d.form = "I-247A";
    d.basis = "final_order";
    d.hold_rule = "48h-clock";
    d.state = "lodged";
    d.notice_given = -1;
    assert_int_equal(store_detainer_insert_ref(f->s, &d, "D-1"),
                     STORE_ONE_RESULT);
    assert_int_equal(store_detainer_find_ref(f->s, f->agency, "D-1", &got),
                     STORE_ONE_RESULT);
    assert_string_equal(got.number, "DET-2024-000500");
    store_detainer_release(&got);
    assert_int_equal(store_detainer_find_number(f->s, "DET-2024-000500", &got),
                     STORE_ONE_RESULT);
    assert_string_equal(got.id, d.id);
    store_detainer_release(&got);
    assert_int_equal(store_detainer_find_ref(f->s, f->county, "D-1", &got),
                     STORE_NO_RESULTS);
    /* The counter of 2024 goes past the imported 500, never back. */
    assert_int_equal(store_case_number_raise(f->s, "DET", 2024, 500),
                     STORE_ONE_RESULT);
    assert_int_equal(store_case_number_raise(f->s, "DET", 2024, 7),
                     STORE_ONE_RESULT);
    assert_int_equal(store_case_number_next(f->s, "DET", 2024, number),
                     STORE_ONE_RESULT);
    assert_string_equal(number, "DET-2024-000501");
    assert_int_equal(store_bulk_batch_hint(f->s, true), STORE_ONE_RESULT);
    assert_int_equal(store_bulk_batch_hint(f->s, false), STORE_ONE_RESULT);
}

/* Two importers, each on its own connection, insert the same office's
 * records (same external_refs, ids of their own) at once: each record is
 * inserted by exactly one of them, and found again under its ref. */
#define RACE_REFS 20

struct importer {
    char url[512];
    char org[STORE_ID_SIZE];
    char ids[RACE_REFS][STORE_ID_SIZE]; /* the id each ref was tried with */
    bool won[RACE_REFS];
    int rc;
};

struct insert_ctx {
    const struct store_person *p;
    const char *ref;
};

static enum store_rc
insert_body(struct store *s, void *ctx)
{
    struct insert_ctx *c = ctx;

    return store_person_insert_ref(s, c->p, c->ref);
}

static void *
importer_main(void *arg)
{
    struct importer *im = arg;
    struct store *s = NULL;
    unsigned char fam[4] = "enc", bidx[4] = "idx";

    im->rc = -1;
    if (store_open_partial(im->url, STORE_OPEN_MODE_EXISTING, &s, NULL) !=
        CM_ERR_OK)
        return NULL;
    for (int i = 0; i < RACE_REFS; i++) {
        struct store_person p = {.created_at = FX_T0, .updated_at = FX_T0};
        char ref[16];
        struct insert_ctx c = {&p, ref};
        int rc;

        cm_id_new(p.id);
        memcpy(p.org_id, im->org, sizeof p.org_id);
        p.family_name = (struct store_blob){fam, sizeof fam};
        p.family_name_bidx = (struct store_blob){bidx, sizeof bidx};
        (void)snprintf(ref, sizeof ref, "R-%d", i);
        memcpy(im->ids[i], p.id, STORE_ID_SIZE);
        do
            rc = store_tx_run(s, "import", insert_body, &c);
        while (rc == STORE_SOFT_ERROR);
        if (rc < 0)
            goto out_close;
        im->won[i] = rc == STORE_ONE_RESULT;
    }
    im->rc = 0;
out_close:
    store_close(s);
    return NULL;
}

static void
test_ref_race(void **state)
{
    struct fx *f = *state;
    static struct importer im[2];
    pthread_t t[2];

    for (int i = 0; i < 2; i++) {
        memset(&im[i], 0, sizeof im[i]);
        (void)snprintf(im[i].url, sizeof im[i].url, "%s", f->url);
        memcpy(im[i].org, f->agency, sizeof im[i].org);
        assert_int_equal(pthread_create(&t[i], NULL, importer_main, &im[i]), 0);
    }
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(im[i].rc, 0);
    }
    for (int k = 0; k < RACE_REFS; k++) {
        struct store_person got;
        char ref[16];
        int w = im[0].won[k] ? 0 : 1;

        assert_int_equal(im[0].won[k] + im[1].won[k], 1);
        (void)snprintf(ref, sizeof ref, "R-%d", k);
        assert_int_equal(store_person_find_ref(f->s, f->agency, ref, &got),
                         STORE_ONE_RESULT);
        assert_string_equal(got.id, im[w].ids[k]);
        store_person_release(&got);
        /* The loser wrote nothing. */
        assert_int_equal(store_person_get(f->s, im[1 - w].ids[k], &got),
                         STORE_NO_RESULTS);
    }
}

/* One connection raises a year's counter past imported numbers while
 * another hands out numbers from it: every number handed out is new, and
 * afterwards the next one is past both. */
struct raiser {
    char url[512];
    int rc;
};

struct raise_ctx {
    int64_t last;
};

static enum store_rc
raise_body(struct store *s, void *ctx)
{
    struct raise_ctx *c = ctx;

    return store_case_number_raise(s, "DET", 2031, c->last);
}

static void *
raiser_main(void *arg)
{
    struct raiser *r = arg;
    struct store *s = NULL;

    r->rc = -1;
    if (store_open_partial(r->url, STORE_OPEN_MODE_EXISTING, &s, NULL) !=
        CM_ERR_OK)
        return NULL;
    for (int64_t last = 10; last <= 200; last += 10) {
        struct raise_ctx c = {last};
        int rc;

        do
            rc = store_tx_run(s, "raise", raise_body, &c);
        while (rc == STORE_SOFT_ERROR);
        if (rc != STORE_ONE_RESULT)
            goto out_close;
    }
    r->rc = 0;
out_close:
    store_close(s);
    return NULL;
}

struct next_ctx {
    char number[STORE_NUMBER_SIZE];
};

static enum store_rc
next_body(struct store *s, void *ctx)
{
    struct next_ctx *c = ctx;

    return store_case_number_next(s, "DET", 2031, c->number);
}

static void
test_raise_race(void **state)
{
    struct fx *f = *state;
    static struct raiser r;
    pthread_t t;
    int64_t prev = 0, seq = 0;
    struct next_ctx c;

    memset(&r, 0, sizeof r);
    (void)snprintf(r.url, sizeof r.url, "%s", f->url);
    assert_int_equal(pthread_create(&t, NULL, raiser_main, &r), 0);
    for (int i = 0; i < 30; i++) {
        int rc;

        do
            rc = store_tx_run(f->s, "next", next_body, &c);
        while (rc == STORE_SOFT_ERROR);
        assert_int_equal(rc, STORE_ONE_RESULT);
        assert_int_equal(strncmp(c.number, "DET-2031-", 9), 0);
        seq = strtoll(c.number + 9, NULL, 10);
        assert_true(seq > prev); /* never handed out twice */
        prev = seq;
    }
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(r.rc, 0);
    assert_int_equal(store_case_number_next(f->s, "DET", 2031, c.number),
                     STORE_ONE_RESULT);
    seq = strtoll(c.number + 9, NULL, 10);
    assert_int_equal(seq, (prev > 200 ? prev : 200) + 1);
}

int
contract_run_bulk(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_natural_keys, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_person_ref, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_detainer_ref_and_number,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_ref_race, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_raise_race, fx_setup_world,
                                        fx_teardown),
    };

    return cmocka_run_group_tests_name("store bulk", tests, NULL, NULL);
}
