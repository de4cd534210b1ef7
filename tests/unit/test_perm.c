/*
 * test_perm.c: the permission table against DESIGN.md's "Who takes which
 * action" written out by hand, office tightening, and the scoping rules
 * for every viewer kind, case kind, relation and state that matters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/detainer.h"
#include "domain/enforcement.h"
#include "domain/perm.h"
#include "domain/subpoena.h"

#define OFF ROLE_BIT(ROLE_OFFICER)
#define SIG ROLE_BIT(ROLE_SIGNER)
#define ACO ROLE_BIT(ROLE_AGENCY_COUNSEL)
#define AUD ROLE_BIT(ROLE_AUDITOR)
#define ADM ROLE_BIT(ROLE_ADMIN)
#define BOO ROLE_BIT(ROLE_BOOKING)
#define CUS ROLE_BIT(ROLE_CUSTODIAN)
#define RCO ROLE_BIT(ROLE_RECIPIENT_COUNSEL)
#define DOJ ROLE_BIT(ROLE_DOJ_ATTORNEY)

/* DESIGN.md, "Who takes which action", one line per action. */
struct design_row {
    const struct machine *m;
    const char *action;
    role_set roles;
};

static const struct design_row design[] = {
    {&detainer_machine, "create", OFF},
    {&detainer_machine, "cancel", OFF},
    {&detainer_machine, "acknowledge", BOO},
    {&detainer_machine, "honor", BOO},
    {&detainer_machine, "decline", BOO},
    {&detainer_machine, "set_release_time", BOO},
    {&detainer_machine, "release", BOO},
    {&detainer_machine, "transfer", BOO | OFF},
    {&subpoena_machine, "create", OFF},
    {&subpoena_machine, "edit", OFF},
    {&subpoena_machine, "submit", OFF},
    {&subpoena_machine, "approve", ACO},
    {&subpoena_machine, "return", ACO},
    {&subpoena_machine, "sign", SIG},
    {&subpoena_machine, "serve", OFF | SIG},
    {&subpoena_machine, "extend", OFF | SIG},
    {&subpoena_machine, "acknowledge", CUS | RCO},
    {&subpoena_machine, "respond", CUS | RCO},
    {&subpoena_machine, "refuse", CUS | RCO},
    {&subpoena_machine, "refer", ACO},
    {&subpoena_machine, "withdraw", SIG | ACO},
    {&subpoena_machine, "close", OFF | ACO},
    {&enforcement_machine, "file_petition", DOJ},
    {&enforcement_machine, "issue_show_cause", DOJ},
    {&enforcement_machine, "enter_order", DOJ},
    {&enforcement_machine, "move_contempt", DOJ},
    {&enforcement_machine, "hold_in_contempt", DOJ},
    {&enforcement_machine, "purge", DOJ},
    {&enforcement_machine, "dismiss", DOJ},
    {&enforcement_machine, "settle", DOJ},
    {&enforcement_machine, "comply", RCO | DOJ},
    {&enforcement_machine, "close", DOJ | ACO},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
test_table_matches_design(void **state)
{
    const struct machine *const machines[] = {
        &detainer_machine, &subpoena_machine, &enforcement_machine};
    size_t seen = 0;

    (void)state;
    for (size_t i = 0; i < N(design); i++) {
        int a = -1;

        assert_true(machine_action_parse(design[i].m, design[i].action, &a));
        if (perm_default_roles(design[i].m, a) != design[i].roles) {
            print_error("%s %s: roles %#x, DESIGN.md %#x\n", design[i].m->name,
                        design[i].action, perm_default_roles(design[i].m, a),
                        design[i].roles);
            fail();
        }
    }
    /* every action of every machine is in DESIGN.md's table, and admin and
     * auditor take none of them */
    for (size_t k = 0; k < N(machines); k++) {
        for (int a = 0; a < machines[k]->action_count; a++) {
            role_set r = perm_default_roles(machines[k], a);

            assert_true(r != 0);
            assert_false(r & (ADM | AUD));
            assert_false(perm_can_take(machines[k], a, ADM | AUD, NULL));
            seen++;
        }
    }
    assert_int_equal(seen, N(design));
}

static void
test_office_mask(void **state)
{
    struct machine_office_mask mask;

    (void)state;
    perm_mask_init(&mask);
    /* no tightening: the defaults */
    assert_int_equal(perm_effective_roles(&detainer_machine,
                                          DETAINER_ACTION_TRANSFER, &mask),
                     BOO | OFF);
    assert_int_equal(
        perm_effective_roles(&detainer_machine, DETAINER_ACTION_TRANSFER, NULL),
        BOO | OFF);
    /* an office where only the agency records transfers */
    perm_mask_tighten(&mask, DETAINER_ACTION_TRANSFER, OFF);
    assert_int_equal(perm_effective_roles(&detainer_machine,
                                          DETAINER_ACTION_TRANSFER, &mask),
                     OFF);
    assert_false(
        perm_can_take(&detainer_machine, DETAINER_ACTION_TRANSFER, BOO, &mask));
    assert_true(perm_can_take(&detainer_machine, DETAINER_ACTION_TRANSFER,
                              OFF | BOO, &mask));
    /* tightening again cannot bring a role back */
    perm_mask_tighten(&mask, DETAINER_ACTION_TRANSFER, BOO | OFF);
    assert_int_equal(perm_effective_roles(&detainer_machine,
                                          DETAINER_ACTION_TRANSFER, &mask),
                     OFF);
    /* a mask cannot loosen: admin is in every allow[] after init, yet may
     * do nothing; booking may not cancel */
    assert_false(perm_can_take(&detainer_machine, DETAINER_ACTION_CANCEL,
                               ADM | BOO, &mask));
    /* an invalid action is ignored */
    perm_mask_tighten(&mask, -1, 0);
    perm_mask_tighten(&mask, MACHINE_ACTIONS_MAX, 0);
    assert_int_equal(
        perm_effective_roles(&detainer_machine, DETAINER_ACTION_RELEASE, &mask),
        BOO);
    /* machine_apply honors the same mask: 403 */
    {
        int to = -1;
        enum guard g;

        assert_int_equal(
            machine_apply(&detainer_machine, DETAINER_STATE_HONORED,
                          DETAINER_ACTION_TRANSFER, BOO, &mask, NULL, &to, &g),
            CM_ERR_FORBIDDEN);
    }
}

/* The world: agency offices A1 and A2, jurisdictions J1 and J2, DOJ
 * offices D1 and D2. */
static struct perm_viewer
viewer(const char *org, enum org_kind kind, role_set roles)
{
    struct perm_viewer v = {.org_id = org, .org_kind = kind, .roles = roles};

    return v;
}

static struct perm_case
detainer_at(const char *facility_org, int state)
{
    struct perm_case c = {.kind = PERM_CASE_KIND_DETAINER,
                          .state = state,
                          .agency_org_id = "A1",
                          .facility_org_id = facility_org};

    return c;
}

static struct perm_case
subpoena_to(const char *recipient, int state, bool served, const char *doj)
{
    struct perm_case c = {.kind = PERM_CASE_KIND_SUBPOENA,
                          .state = state,
                          .agency_org_id = "A1",
                          .recipient_org_id = recipient,
                          .doj_org_id = doj,
                          .was_served = served};

    return c;
}

static struct perm_case
enforcement_against(const char *respondent, const char *doj, int state)
{
    struct perm_case c = {.kind = PERM_CASE_KIND_ENFORCEMENT,
                          .state = state,
                          .agency_org_id = "A1",
                          .recipient_org_id = respondent,
                          .doj_org_id = doj};

    return c;
}

static void
test_scope_agency(void **state)
{
    const struct perm_case cases[] = {
        detainer_at("J1", DETAINER_STATE_LODGED),
        subpoena_to("J1", SUBPOENA_STATE_DRAFT, false, NULL),
        subpoena_to("J1", SUBPOENA_STATE_REFERRED, true, "D1"),
        enforcement_against("J1", "D1", ENFORCEMENT_STATE_IN_CONTEMPT),
    };

    (void)state;
    for (size_t i = 0; i < N(cases); i++) {
        struct perm_viewer v;

        /* A1's working roles and auditor see A1's cases, drafts too */
        v = viewer("A1", ORG_KIND_AGENCY_OFFICE, OFF);
        assert_true(perm_can_view(&v, &cases[i]));
        v.roles = SIG;
        assert_true(perm_can_view(&v, &cases[i]));
        v.roles = ACO;
        assert_true(perm_can_view(&v, &cases[i]));
        v.roles = AUD;
        assert_true(perm_can_view(&v, &cases[i]));
        /* A1's admin sees no case data */
        v.roles = ADM;
        assert_false(perm_can_view(&v, &cases[i]));
        /* another office's officer does not see A1's cases ... */
        v = viewer("A2", ORG_KIND_AGENCY_OFFICE, OFF | SIG | ACO | ADM);
        assert_false(perm_can_view(&v, &cases[i]));
        /* ... but an auditor reads every case */
        v.roles = AUD;
        assert_true(perm_can_view(&v, &cases[i]));
    }
}

static void
test_scope_jurisdiction_detainers(void **state)
{
    const role_set jroles[] = {BOO, CUS, RCO};

    (void)state;
    for (size_t r = 0; r < N(jroles); r++) {
        for (int s = 0; s < DETAINER_STATE__COUNT; s++) {
            struct perm_viewer j1 =
                viewer("J1", ORG_KIND_JURISDICTION, jroles[r]);
            struct perm_viewer j2 =
                viewer("J2", ORG_KIND_JURISDICTION, jroles[r]);
            struct perm_case c = detainer_at("J1", s);

            assert_true(perm_can_view(&j1, &c));
            assert_false(perm_can_view(&j2, &c)); /* another jurisdiction */
        }
    }
    /* a detainer with no facility org recorded is nobody's */
    {
        struct perm_viewer j1 = viewer("J1", ORG_KIND_JURISDICTION, BOO);
        struct perm_case c = detainer_at(NULL, DETAINER_STATE_LODGED);

        assert_false(perm_can_view(&j1, &c));
    }
}

static void
test_scope_jurisdiction_subpoenas(void **state)
{
    /* visible to the recipient from service on; never before */
    static const struct {
        int state;
        bool served;
        bool visible;
    } rows[] = {
        {SUBPOENA_STATE_DRAFT, false, false},
        {SUBPOENA_STATE_IN_REVIEW, false, false},
        {SUBPOENA_STATE_READY_TO_SIGN, false, false},
        {SUBPOENA_STATE_SIGNED, false, false},
        /* signed but unserved, even if a caller wrongly says served */
        {SUBPOENA_STATE_SIGNED, true, false},
        {SUBPOENA_STATE_DRAFT, true, false},
        {SUBPOENA_STATE_SERVED, true, true},
        {SUBPOENA_STATE_RESPONDED, true, true},
        {SUBPOENA_STATE_REFERRED, true, true},
        {SUBPOENA_STATE_CLOSED, true, true},
        {SUBPOENA_STATE_WITHDRAWN, false, false}, /* withdrawn unserved */
        {SUBPOENA_STATE_WITHDRAWN, true, true},   /* withdrawn after */
    };
    const role_set jroles[] = {BOO, CUS, RCO, CUS | RCO};

    (void)state;
    for (size_t r = 0; r < N(jroles); r++) {
        for (size_t i = 0; i < N(rows); i++) {
            struct perm_viewer j1 =
                viewer("J1", ORG_KIND_JURISDICTION, jroles[r]);
            struct perm_viewer j2 =
                viewer("J2", ORG_KIND_JURISDICTION, jroles[r]);
            struct perm_case c =
                subpoena_to("J1", rows[i].state, rows[i].served, NULL);

            if (perm_can_view(&j1, &c) != rows[i].visible) {
                print_error("J1 subpoena %s served=%d: want %d\n",
                            subpoena_state_name(rows[i].state), rows[i].served,
                            rows[i].visible);
                fail();
            }
            assert_false(perm_can_view(&j2, &c));
        }
    }
}

static void
test_scope_enforcement_and_doj(void **state)
{
    struct perm_viewer j1 = viewer("J1", ORG_KIND_JURISDICTION, RCO);
    struct perm_viewer j2 = viewer("J2", ORG_KIND_JURISDICTION, RCO | CUS);
    struct perm_viewer d1 = viewer("D1", ORG_KIND_DOJ_OFFICE, DOJ);
    struct perm_viewer d2 = viewer("D2", ORG_KIND_DOJ_OFFICE, DOJ);
    struct perm_case sub_referred =
        subpoena_to("J1", SUBPOENA_STATE_REFERRED, true, "D1");
    struct perm_case sub_served =
        subpoena_to("J1", SUBPOENA_STATE_SERVED, true, NULL);
    struct perm_case det = detainer_at("J1", DETAINER_STATE_DECLINED);

    (void)state;
    for (int s = 0; s < ENFORCEMENT_STATE__COUNT; s++) {
        struct perm_case e = enforcement_against("J1", "D1", s);

        assert_true(perm_can_view(&j1, &e));  /* against it */
        assert_false(perm_can_view(&j2, &e)); /* another jurisdiction */
        assert_true(perm_can_view(&d1, &e));  /* referred to it */
        assert_false(perm_can_view(&d2, &e)); /* another DOJ office */
    }
    /* the DOJ office sees the subpoena behind its case, nothing else */
    assert_true(perm_can_view(&d1, &sub_referred));
    assert_false(perm_can_view(&d2, &sub_referred));
    assert_false(perm_can_view(&d1, &sub_served));
    assert_false(perm_can_view(&d1, &det));
}

static void
test_scope_roles_must_fit_the_org(void **state)
{
    struct perm_case det = detainer_at("J1", DETAINER_STATE_LODGED);
    struct perm_case sub = subpoena_to("J1", SUBPOENA_STATE_DRAFT, false, NULL);
    /* a jurisdiction user somehow carrying agency roles gains nothing */
    struct perm_viewer odd = viewer("J1", ORG_KIND_JURISDICTION, AUD | OFF);
    /* a DOJ user carrying an auditor bit gains nothing either */
    struct perm_viewer odd_doj = viewer("D1", ORG_KIND_DOJ_OFFICE, AUD);
    /* nor a user with no roles at all */
    struct perm_viewer none = viewer("A1", ORG_KIND_AGENCY_OFFICE, 0);

    (void)state;
    assert_false(perm_can_view(&odd, &det));
    assert_false(perm_can_view(&odd, &sub));
    assert_false(perm_can_view(&odd_doj, &det));
    assert_false(perm_can_view(&none, &det));
    /* an org id never matches a missing one, even an empty string */
    {
        struct perm_viewer blank = viewer("", ORG_KIND_AGENCY_OFFICE, OFF);
        struct perm_case c = detainer_at("J1", DETAINER_STATE_LODGED);

        c.agency_org_id = "";
        assert_false(perm_can_view(&blank, &c));
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_matches_design),
        cmocka_unit_test(test_office_mask),
        cmocka_unit_test(test_scope_agency),
        cmocka_unit_test(test_scope_jurisdiction_detainers),
        cmocka_unit_test(test_scope_jurisdiction_subpoenas),
        cmocka_unit_test(test_scope_enforcement_and_doj),
        cmocka_unit_test(test_scope_roles_must_fit_the_org),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
