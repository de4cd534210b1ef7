/*
 * test_bulk.c: the store contract of store_bulk.h: natural-key lookups of
 * organizations and facilities, people and detainers inserted with an
 * external_ref (unique per office, found again by it), detainers found by
 * number, external refs read back, and case numbers raised past an
 * imported one.
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
    };

    return cmocka_run_group_tests_name("store bulk", tests, NULL, NULL);
}
