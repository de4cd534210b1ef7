/*
 * test_machine.c: the generic machine lookups, on a small machine made up
 * for the test: the order of the checks (validation, 403, 409, 422), rows
 * tried in order, office tightening, out-parameters left alone on failure,
 * allowed_actions, names and guard codes.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/machine.h"

enum { ST_OPEN, ST_HELD, ST_DONE, ST__COUNT };
enum { AC_CREATE, AC_HOLD, AC_FINISH, AC_REOPEN, AC__COUNT };

static const char *const st_names[ST__COUNT] = {"open", "held", "done"};
static const char *const ac_names[AC__COUNT] = {"create", "hold", "finish",
                                                "reopen"};

#define OFFICER ROLE_BIT(ROLE_OFFICER)
#define BOOKING ROLE_BIT(ROLE_BOOKING)

/* finish from held has two rows: the first needs proof of service and a
 * listed signer, the second routes on review; reopen is booking's only. */
static const struct machine_row rows[] = {
    {MACHINE_STATE_NONE, AC_CREATE, ST_OPEN, OFFICER, {GUARD_NONE}},
    {ST_OPEN, AC_HOLD, ST_HELD, OFFICER | BOOKING, {GUARD_NONE}},
    {ST_HELD,
     AC_FINISH,
     ST_DONE,
     OFFICER,
     {GUARD_PROOF_OF_SERVICE, GUARD_SIGNER_AUTHORIZED}},
    {ST_HELD, AC_FINISH, ST_OPEN, OFFICER, {GUARD_REVIEW_REQUIRED}},
    {ST_DONE, AC_REOPEN, ST_OPEN, BOOKING, {GUARD_NONE}},
};

static bool
test_guard(enum guard g, const struct guard_facts *f)
{
    switch (g) {
    case GUARD_NONE:
        return true;
    case GUARD_PROOF_OF_SERVICE:
        return f->has_proof_of_service;
    case GUARD_SIGNER_AUTHORIZED:
        return f->signer_has_delegation;
    case GUARD_REVIEW_REQUIRED:
        return f->office_requires_review;
    default:
        return false;
    }
}

static const struct machine toy = {
    .name = "toy",
    .state_names = st_names,
    .state_count = ST__COUNT,
    .action_names = ac_names,
    .action_count = AC__COUNT,
    .rows = rows,
    .row_count = sizeof rows / sizeof rows[0],
    .guard_passes = test_guard,
};

static void
test_check_order(void **state)
{
    struct guard_facts f = {0};
    int to = 77;
    enum guard g = GUARD__COUNT;

    (void)state;
    /* unknown action or state: a client mistake, 400 */
    assert_int_equal(
        machine_apply(&toy, ST_OPEN, AC__COUNT, OFFICER, NULL, &f, &to, &g),
        CM_ERR_VALIDATION_FAILED);
    assert_int_equal(
        machine_apply(&toy, ST__COUNT, AC_HOLD, OFFICER, NULL, &f, &to, &g),
        CM_ERR_VALIDATION_FAILED);
    assert_int_equal(
        machine_apply(&toy, -2, AC_HOLD, OFFICER, NULL, &f, &to, &g),
        CM_ERR_VALIDATION_FAILED);
    /* a role that may never take the action: 403, even from a state that
     * does not allow it either */
    assert_int_equal(
        machine_apply(&toy, ST_DONE, AC_FINISH, BOOKING, NULL, &f, &to, &g),
        CM_ERR_FORBIDDEN);
    assert_int_equal(machine_apply(&toy, ST_HELD, AC_FINISH,
                                   ROLE_BIT(ROLE_ADMIN), NULL, &f, &to, &g),
                     CM_ERR_FORBIDDEN);
    assert_int_equal(
        machine_apply(&toy, ST_HELD, AC_FINISH, 0, NULL, &f, &to, &g),
        CM_ERR_FORBIDDEN);
    /* an allowed role from the wrong state: 409 */
    assert_int_equal(
        machine_apply(&toy, ST_OPEN, AC_FINISH, OFFICER, NULL, &f, &to, &g),
        CM_ERR_STATE_CONFLICT);
    /* every row's guard fails: 422 with the first row's first failure */
    assert_int_equal(
        machine_apply(&toy, ST_HELD, AC_FINISH, OFFICER, NULL, &f, &to, &g),
        CM_ERR_GUARD_FAILED);
    assert_int_equal(g, GUARD_PROOF_OF_SERVICE);
    f.has_proof_of_service = true;
    assert_int_equal(
        machine_apply(&toy, ST_HELD, AC_FINISH, OFFICER, NULL, &f, &to, &g),
        CM_ERR_GUARD_FAILED);
    assert_int_equal(g, GUARD_SIGNER_AUTHORIZED);
    /* failed_guard may be NULL */
    assert_int_equal(
        machine_apply(&toy, ST_HELD, AC_FINISH, OFFICER, NULL, &f, &to, NULL),
        CM_ERR_GUARD_FAILED);
    /* nothing was written to *to by any failure */
    assert_int_equal(to, 77);
    /* the second row passes when the first fails */
    f.has_proof_of_service = false;
    f.office_requires_review = true;
    assert_int_equal(
        machine_apply(&toy, ST_HELD, AC_FINISH, OFFICER, NULL, &f, &to, &g),
        CM_ERR_OK);
    assert_int_equal(to, ST_OPEN);
    /* when both pass, the first row wins */
    f.has_proof_of_service = true;
    f.signer_has_delegation = true;
    assert_int_equal(
        machine_apply(&toy, ST_HELD, AC_FINISH, OFFICER, NULL, &f, &to, &g),
        CM_ERR_OK);
    assert_int_equal(to, ST_DONE);
    /* without facts every guard fails; rows without guards still work */
    assert_int_equal(
        machine_apply(&toy, ST_HELD, AC_FINISH, OFFICER, NULL, NULL, &to, &g),
        CM_ERR_GUARD_FAILED);
    assert_int_equal(
        machine_apply(&toy, ST_OPEN, AC_HOLD, BOOKING, NULL, NULL, &to, &g),
        CM_ERR_OK);
    assert_int_equal(to, ST_HELD);
    /* create from "no case yet" */
    assert_int_equal(machine_apply(&toy, MACHINE_STATE_NONE, AC_CREATE, OFFICER,
                                   NULL, NULL, &to, &g),
                     CM_ERR_OK);
    assert_int_equal(to, ST_OPEN);
    assert_int_equal(machine_apply(&toy, MACHINE_STATE_NONE, AC_HOLD, OFFICER,
                                   NULL, NULL, &to, &g),
                     CM_ERR_STATE_CONFLICT);
}

static void
test_office_tightens_never_loosens(void **state)
{
    struct machine_office_mask office;
    int to = -1;
    enum guard g;

    (void)state;
    for (int i = 0; i < MACHINE_ACTIONS_MAX; i++)
        office.allow[i] = ~(role_set)0;
    /* all bits set: the defaults, no more (booking still may not create) */
    assert_int_equal(machine_apply(&toy, MACHINE_STATE_NONE, AC_CREATE, BOOKING,
                                   &office, NULL, &to, &g),
                     CM_ERR_FORBIDDEN);
    assert_int_equal(
        machine_apply(&toy, ST_OPEN, AC_HOLD, BOOKING, &office, NULL, &to, &g),
        CM_ERR_OK);
    /* the office keeps `hold` for officers only */
    office.allow[AC_HOLD] = OFFICER;
    assert_int_equal(
        machine_apply(&toy, ST_OPEN, AC_HOLD, BOOKING, &office, NULL, &to, &g),
        CM_ERR_FORBIDDEN);
    assert_int_equal(
        machine_apply(&toy, ST_OPEN, AC_HOLD, OFFICER, &office, NULL, &to, &g),
        CM_ERR_OK);
    /* a mask naming a role the table never gives adds nothing */
    office.allow[AC_REOPEN] = OFFICER | BOOKING;
    assert_int_equal(machine_apply(&toy, ST_DONE, AC_REOPEN, OFFICER, &office,
                                   NULL, &to, &g),
                     CM_ERR_FORBIDDEN);
}

static void
test_allowed_actions(void **state)
{
    struct guard_facts f = {0};
    struct machine_office_mask office;
    uint32_t mask = 0xdead;

    (void)state;
    assert_int_equal(
        machine_allowed_actions(&toy, ST_HELD, OFFICER, NULL, &f, &mask),
        CM_ERR_OK);
    assert_int_equal(mask, 0); /* finish is guarded, the guards fail */
    assert_int_equal(
        machine_allowed_actions(&toy, ST_HELD, OFFICER, NULL, NULL, &mask),
        CM_ERR_OK);
    assert_int_equal(mask, 1u << AC_FINISH); /* in principle */
    f.office_requires_review = true;
    assert_int_equal(
        machine_allowed_actions(&toy, ST_HELD, OFFICER, NULL, &f, &mask),
        CM_ERR_OK);
    assert_int_equal(mask, 1u << AC_FINISH);
    assert_int_equal(machine_allowed_actions(&toy, ST_OPEN, OFFICER | BOOKING,
                                             NULL, &f, &mask),
                     CM_ERR_OK);
    assert_int_equal(mask, 1u << AC_HOLD);
    assert_int_equal(machine_allowed_actions(&toy, MACHINE_STATE_NONE, OFFICER,
                                             NULL, &f, &mask),
                     CM_ERR_OK);
    assert_int_equal(mask, 1u << AC_CREATE);
    for (int i = 0; i < MACHINE_ACTIONS_MAX; i++)
        office.allow[i] = ~(role_set)0;
    office.allow[AC_HOLD] = 0;
    assert_int_equal(machine_allowed_actions(&toy, ST_OPEN, OFFICER | BOOKING,
                                             &office, &f, &mask),
                     CM_ERR_OK);
    assert_int_equal(mask, 0);
    mask = 5;
    assert_int_equal(
        machine_allowed_actions(&toy, ST__COUNT, OFFICER, NULL, &f, &mask),
        CM_ERR_VALIDATION_FAILED);
    assert_int_equal(mask, 5);
}

static void
test_names_and_roles(void **state)
{
    int v = -1;

    (void)state;
    assert_string_equal(machine_state_name(&toy, ST_HELD), "held");
    assert_null(machine_state_name(&toy, MACHINE_STATE_NONE));
    assert_null(machine_state_name(&toy, ST__COUNT));
    assert_true(machine_state_parse(&toy, "done", &v));
    assert_int_equal(v, ST_DONE);
    assert_false(machine_state_parse(&toy, "DONE", &v));
    assert_string_equal(machine_action_name(&toy, AC_REOPEN), "reopen");
    assert_null(machine_action_name(&toy, -1));
    assert_true(machine_action_parse(&toy, "finish", &v));
    assert_int_equal(v, AC_FINISH);
    assert_false(machine_action_parse(&toy, "fin", &v));
    assert_int_equal(machine_action_roles(&toy, AC_HOLD), OFFICER | BOOKING);
    assert_int_equal(machine_action_roles(&toy, AC_FINISH), OFFICER);
    assert_int_equal(machine_action_roles(&toy, AC__COUNT), 0);
    assert_false(machine_is_terminal(&toy, MACHINE_STATE_NONE));
    assert_false(machine_is_terminal(&toy, ST_DONE));
}

static void
test_guard_codes(void **state)
{
    (void)state;
    /* the codes API.md names */
    assert_string_equal(machine_guard_code(GUARD_SIGNER_AUTHORIZED),
                        "signer_not_authorized");
    assert_string_equal(machine_guard_code(GUARD_PROOF_OF_SERVICE),
                        "proof_of_service_required");
    assert_string_equal(machine_guard_code(GUARD_SIGNER_NOT_DRAFTER),
                        "signer_is_drafter");
    assert_string_equal(machine_guard_code(GUARD_NONCOMPLIANT),
                        "not_noncompliant");
    assert_string_equal(machine_guard_code(GUARD__COUNT), "unknown_guard");
    /* every code is snake_case and distinct */
    for (int i = 0; i < GUARD__COUNT; i++) {
        const char *c = machine_guard_code((enum guard)i);

        assert_non_null(c);
        assert_true(c[0] != '\0');
        for (const char *p = c; *p != '\0'; p++)
            assert_true(islower((unsigned char)*p) || *p == '_');
        for (int j = 0; j < i; j++)
            assert_string_not_equal(c, machine_guard_code((enum guard)j));
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_order),
        cmocka_unit_test(test_office_tightens_never_loosens),
        cmocka_unit_test(test_allowed_actions),
        cmocka_unit_test(test_names_and_roles),
        cmocka_unit_test(test_guard_codes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
