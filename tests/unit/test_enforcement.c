/*
 * test_enforcement.c: the enforcement machine walked exhaustively against a
 * hand-written table of DESIGN.md's transitions; the order, noncompliance
 * and close guards; the derived noncompliant condition; contempt accrual.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/enforcement.h"

/*
 * The expectation, written from DESIGN.md ("Enforcement case" and "Who
 * takes which action") and enforcement.h's documented choices, by name,
 * independently of the production table. zero_guard: the guard code
 * expected when every fact is left at zero (NULL: passes).
 */
struct expect {
    const char *from;
    const char *action;
    const char *to;
    const char *roles;
    const char *zero_guard;
};

#define ENDS(from)                                        \
    {from, "dismiss", "dismissed", "doj_attorney", NULL}, \
    {                                                     \
        from, "settle", "settled", "doj_attorney", NULL   \
    }

static const struct expect legal[] = {
    {"referred", "file_petition", "petition_filed", "doj_attorney", NULL},
    {"petition_filed", "issue_show_cause", "show_cause_issued", "doj_attorney",
     NULL},
    {"petition_filed", "enter_order", "order_entered", "doj_attorney", NULL},
    {"show_cause_issued", "enter_order", "order_entered", "doj_attorney", NULL},
    /* an amended order re-enters it and recomputes its deadlines */
    {"order_entered", "enter_order", "order_entered", "doj_attorney", NULL},
    {"order_entered", "comply", "complied", "recipient_counsel doj_attorney",
     "order_not_enforced"},
    {"contempt_motion", "comply", "complied", "recipient_counsel doj_attorney",
     NULL},
    {"order_entered", "move_contempt", "contempt_motion", "doj_attorney",
     "not_noncompliant"},
    {"contempt_motion", "hold_in_contempt", "in_contempt", "doj_attorney",
     NULL},
    {"in_contempt", "purge", "purged", "doj_attorney", NULL},
    ENDS("referred"),
    ENDS("petition_filed"),
    ENDS("show_cause_issued"),
    ENDS("order_entered"),
    ENDS("contempt_motion"),
    ENDS("in_contempt"),
    {"complied", "close", "closed", "doj_attorney agency_counsel", NULL},
    {"purged", "close", "closed", "doj_attorney agency_counsel", NULL},
    {"dismissed", "close", "closed", "doj_attorney agency_counsel", NULL},
    {"settled", "close", "closed", "doj_attorney agency_counsel", NULL},
    {"order_entered", "close", "closed", "doj_attorney agency_counsel",
     "order_not_denied"},
};

/* Facts under which the guards of `action` pass: closing from
 * order_entered needs a denied order, complying and moving for contempt an
 * enforced one. */
static const struct guard_facts *
passing_for(int action)
{
    static const struct guard_facts denied = {.order_result =
                                                  ENFORCEMENT_RESULT_DENIED};
    static const struct guard_facts enforced_late = {
        .order_result = ENFORCEMENT_RESULT_ENFORCED_IN_PART,
        .past_compliance_deadline = true};

    return action == ENFORCEMENT_ACTION_CLOSE ? &denied : &enforced_late;
}

static const struct guard_facts *
zero_for(int action)
{
    static const struct guard_facts zero = {0};

    (void)action;
    return &zero;
}

/* Parse a space-separated list of role names. */
static role_set
roles_of(const char *list)
{
    role_set set = 0;
    char word[32];
    size_t n = 0;

    for (const char *p = list;; p++) {
        if (*p == ' ' || *p == '\0') {
            enum role r;

            word[n] = '\0';
            assert_true(role_parse(word, &r));
            set |= ROLE_BIT(r);
            n = 0;
            if (*p == '\0')
                break;
            continue;
        }
        assert_true(n + 1 < sizeof word);
        word[n++] = *p;
    }
    return set;
}

static bool
is_from(const struct expect *e, const struct machine *m, int state)
{
    if (state == MACHINE_STATE_NONE)
        return e->from == NULL;
    return e->from != NULL &&
           strcmp(e->from, machine_state_name(m, state)) == 0;
}

/* Walk every (state, action, single role) with the facts facts_for(action)
 * gives; when `zero`, rows with a zero_guard are expected to fail on it. */
static void
walk(const struct machine *m,
     const struct expect *ex,
     size_t n,
     const struct guard_facts *(*facts_for)(int action),
     bool zero)
{
    for (int s = MACHINE_STATE_NONE; s < m->state_count; s++) {
        for (int a = 0; a < m->action_count; a++) {
            const char *an = machine_action_name(m, a);

            for (int r = 0; r < ROLE__COUNT; r++) {
                role_set me = ROLE_BIT(r);
                role_set anywhere = 0;
                const struct expect *hit = NULL;
                enum cm_err want;
                enum cm_err got;
                int to = -99;
                enum guard g = GUARD_NONE;

                for (size_t i = 0; i < n; i++) {
                    if (strcmp(ex[i].action, an) != 0)
                        continue;
                    anywhere |= roles_of(ex[i].roles);
                    if (is_from(&ex[i], m, s))
                        hit = &ex[i];
                }
                if ((anywhere & me) == 0)
                    want = CM_ERR_FORBIDDEN;
                else if (hit == NULL)
                    want = CM_ERR_STATE_CONFLICT;
                else if ((roles_of(hit->roles) & me) == 0)
                    want = CM_ERR_FORBIDDEN;
                else if (zero && hit->zero_guard != NULL)
                    want = CM_ERR_GUARD_FAILED;
                else
                    want = CM_ERR_OK;
                got = machine_apply(m, s, a, me, NULL, facts_for(a), &to, &g);
                if (got != want) {
                    print_error("%s from %s by %s: got %s want %s\n", an,
                                s < 0 ? "(none)" : machine_state_name(m, s),
                                role_name((enum role)r), cm_err_code(got),
                                cm_err_code(want));
                    fail();
                }
                if (want == CM_ERR_OK)
                    assert_string_equal(machine_state_name(m, to), hit->to);
                if (want == CM_ERR_GUARD_FAILED)
                    assert_string_equal(machine_guard_code(g), hit->zero_guard);
            }
        }
    }
}

static void
test_walk_all(void **state)
{
    (void)state;
    walk(&enforcement_machine, legal, sizeof legal / sizeof legal[0],
         passing_for, false);
    walk(&enforcement_machine, legal, sizeof legal / sizeof legal[0], zero_for,
         true);
}

static enum cm_err
try_action(int from,
           int action,
           role_set roles,
           const struct guard_facts *f,
           int *to,
           const char **code)
{
    enum guard g = GUARD_NONE;
    enum cm_err err = machine_apply(&enforcement_machine, from, action, roles,
                                    NULL, f, to, &g);

    *code = err == CM_ERR_GUARD_FAILED ? machine_guard_code(g) : "";
    return err;
}

static void
test_order_guards(void **state)
{
    struct guard_facts f = {.order_result = ENFORCEMENT_RESULT_DENIED};
    role_set doj = ROLE_BIT(ROLE_DOJ_ATTORNEY);
    role_set rc = ROLE_BIT(ROLE_RECIPIENT_COUNSEL);
    int to = -1;
    const char *code;

    (void)state;
    /* a denied order: nothing to comply with, no contempt, it closes */
    assert_int_equal(try_action(ENFORCEMENT_STATE_ORDER_ENTERED,
                                ENFORCEMENT_ACTION_COMPLY, rc, &f, &to, &code),
                     CM_ERR_GUARD_FAILED);
    assert_string_equal(code, "order_not_enforced");
    f.past_compliance_deadline = true;
    assert_int_equal(try_action(ENFORCEMENT_STATE_ORDER_ENTERED,
                                ENFORCEMENT_ACTION_MOVE_CONTEMPT, doj, &f, &to,
                                &code),
                     CM_ERR_GUARD_FAILED);
    assert_string_equal(code, "not_noncompliant");
    assert_int_equal(try_action(ENFORCEMENT_STATE_ORDER_ENTERED,
                                ENFORCEMENT_ACTION_CLOSE,
                                ROLE_BIT(ROLE_AGENCY_COUNSEL), &f, &to, &code),
                     CM_ERR_OK);
    assert_int_equal(to, ENFORCEMENT_STATE_CLOSED);
    /* enforced in part (as in ICE v. Gomez), deadline not passed: comply
     * yes, contempt no, close no */
    f.order_result = ENFORCEMENT_RESULT_ENFORCED_IN_PART;
    f.past_compliance_deadline = false;
    assert_int_equal(try_action(ENFORCEMENT_STATE_ORDER_ENTERED,
                                ENFORCEMENT_ACTION_COMPLY, rc, &f, &to, &code),
                     CM_ERR_OK);
    assert_int_equal(to, ENFORCEMENT_STATE_COMPLIED);
    assert_int_equal(try_action(ENFORCEMENT_STATE_ORDER_ENTERED,
                                ENFORCEMENT_ACTION_MOVE_CONTEMPT, doj, &f, &to,
                                &code),
                     CM_ERR_GUARD_FAILED);
    assert_string_equal(code, "not_noncompliant");
    assert_int_equal(try_action(ENFORCEMENT_STATE_ORDER_ENTERED,
                                ENFORCEMENT_ACTION_CLOSE, doj, &f, &to, &code),
                     CM_ERR_GUARD_FAILED);
    assert_string_equal(code, "order_not_denied");
    /* past the deadline: contempt may be moved */
    f.past_compliance_deadline = true;
    assert_int_equal(try_action(ENFORCEMENT_STATE_ORDER_ENTERED,
                                ENFORCEMENT_ACTION_MOVE_CONTEMPT, doj, &f, &to,
                                &code),
                     CM_ERR_OK);
    assert_int_equal(to, ENFORCEMENT_STATE_CONTEMPT_MOTION);
    /* recipient counsel may comply but not move for contempt: 403 */
    assert_int_equal(try_action(ENFORCEMENT_STATE_ORDER_ENTERED,
                                ENFORCEMENT_ACTION_MOVE_CONTEMPT, rc, &f, &to,
                                &code),
                     CM_ERR_FORBIDDEN);
    /* agency counsel may close, but not from referred: 409 */
    assert_int_equal(try_action(ENFORCEMENT_STATE_REFERRED,
                                ENFORCEMENT_ACTION_CLOSE,
                                ROLE_BIT(ROLE_AGENCY_COUNSEL), &f, &to, &code),
                     CM_ERR_STATE_CONFLICT);
}

static void
test_allowed_actions(void **state)
{
    struct guard_facts f = {0};
    uint32_t mask = 0;

    (void)state;
    assert_int_equal(machine_allowed_actions(
                         &enforcement_machine, ENFORCEMENT_STATE_REFERRED,
                         ROLE_BIT(ROLE_DOJ_ATTORNEY), NULL, &f, &mask),
                     CM_ERR_OK);
    assert_int_equal(mask, (1u << ENFORCEMENT_ACTION_FILE_PETITION) |
                               (1u << ENFORCEMENT_ACTION_DISMISS) |
                               (1u << ENFORCEMENT_ACTION_SETTLE));
    f.order_result = ENFORCEMENT_RESULT_ENFORCED;
    f.past_compliance_deadline = true;
    assert_int_equal(machine_allowed_actions(
                         &enforcement_machine, ENFORCEMENT_STATE_ORDER_ENTERED,
                         ROLE_BIT(ROLE_DOJ_ATTORNEY), NULL, &f, &mask),
                     CM_ERR_OK);
    assert_int_equal(mask, (1u << ENFORCEMENT_ACTION_ENTER_ORDER) |
                               (1u << ENFORCEMENT_ACTION_COMPLY) |
                               (1u << ENFORCEMENT_ACTION_MOVE_CONTEMPT) |
                               (1u << ENFORCEMENT_ACTION_DISMISS) |
                               (1u << ENFORCEMENT_ACTION_SETTLE));
    assert_int_equal(machine_allowed_actions(
                         &enforcement_machine, ENFORCEMENT_STATE_ORDER_ENTERED,
                         ROLE_BIT(ROLE_RECIPIENT_COUNSEL), NULL, &f, &mask),
                     CM_ERR_OK);
    assert_int_equal(mask, 1u << ENFORCEMENT_ACTION_COMPLY);
    assert_int_equal(machine_allowed_actions(&enforcement_machine,
                                             ENFORCEMENT_STATE_CLOSED,
                                             ~(role_set)0, NULL, &f, &mask),
                     CM_ERR_OK);
    assert_int_equal(mask, 0);
    assert_true(
        machine_is_terminal(&enforcement_machine, ENFORCEMENT_STATE_CLOSED));
    /* the case is created by the subpoena's refer, not here */
    assert_int_equal(machine_allowed_actions(&enforcement_machine,
                                             MACHINE_STATE_NONE, ~(role_set)0,
                                             NULL, NULL, &mask),
                     CM_ERR_OK);
    assert_int_equal(mask, 0);
}

static void
test_noncompliant(void **state)
{
    /* ICE v. Gomez: order entered Monday 2020-04-20. A compliance date 14
     * days later would be Monday 2020-05-04. 2020-01-01 is day 18262 since
     * 1970-01-01 (50 years of 365 days plus 12 leap days, 1972..2016); 2020
     * is a leap year, so 2020-05-04 is 31 + 29 + 31 + 30 + 3 = 124 days
     * later: day 18386. */
    const int32_t due = 18386;

    (void)state;
    assert_false(enforcement_is_noncompliant(ENFORCEMENT_STATE_ORDER_ENTERED,
                                             ENFORCEMENT_RESULT_ENFORCED, due,
                                             due));
    assert_true(enforcement_is_noncompliant(ENFORCEMENT_STATE_ORDER_ENTERED,
                                            ENFORCEMENT_RESULT_ENFORCED, due,
                                            due + 1));
    assert_true(enforcement_is_noncompliant(ENFORCEMENT_STATE_ORDER_ENTERED,
                                            ENFORCEMENT_RESULT_ENFORCED_IN_PART,
                                            due, due + 1));
    assert_true(enforcement_is_noncompliant(ENFORCEMENT_STATE_IN_CONTEMPT,
                                            ENFORCEMENT_RESULT_ENFORCED, due,
                                            due + 40));
    /* denied, complied, or not yet ordered: never noncompliant */
    assert_false(enforcement_is_noncompliant(ENFORCEMENT_STATE_ORDER_ENTERED,
                                             ENFORCEMENT_RESULT_DENIED, due,
                                             due + 1));
    assert_false(enforcement_is_noncompliant(
        ENFORCEMENT_STATE_COMPLIED, ENFORCEMENT_RESULT_ENFORCED, due, due + 1));
    assert_false(enforcement_is_noncompliant(ENFORCEMENT_STATE_PETITION_FILED,
                                             ENFORCEMENT_RESULT_NONE, due,
                                             due + 1));
}

static void
test_accrual(void **state)
{
    /* $1,000 a day (the coercive fine of In re Grand Jury Subpoena Duces
     * Tecum, 11th Cir. 1992) from Monday 2020-06-01, purged Monday
     * 2020-06-08: June 1..7 are charged, 7 days = 700000 cents.
     * 2020-06-01 is day 18262 + 31+29+31+30+31 = day 18414. */
    const int32_t jun1 = 18414;
    const int32_t jun8 = jun1 + 7;
    int64_t c = -1;

    (void)state;
    assert_int_equal(enforcement_accrued_cents(ENFORCEMENT_CONTEMPT_KIND_CIVIL,
                                               100000, 0, jun1, jun8, jun1 + 60,
                                               &c),
                     CM_ERR_OK);
    assert_int_equal(c, 700000);
    /* not purged: every day to today inclusive, June 1..10 = 10 days */
    assert_int_equal(enforcement_accrued_cents(ENFORCEMENT_CONTEMPT_KIND_CIVIL,
                                               100000, 0, jun1, -1, jun1 + 9,
                                               &c),
                     CM_ERR_OK);
    assert_int_equal(c, 1000000);
    /* the start day itself is charged */
    assert_int_equal(enforcement_accrued_cents(ENFORCEMENT_CONTEMPT_KIND_CIVIL,
                                               100000, 0, jun1, -1, jun1, &c),
                     CM_ERR_OK);
    assert_int_equal(c, 100000);
    /* before the start, nothing; purged on the start day, nothing */
    assert_int_equal(enforcement_accrued_cents(ENFORCEMENT_CONTEMPT_KIND_CIVIL,
                                               100000, 0, jun1, -1, jun1 - 1,
                                               &c),
                     CM_ERR_OK);
    assert_int_equal(c, 0);
    assert_int_equal(enforcement_accrued_cents(ENFORCEMENT_CONTEMPT_KIND_CIVIL,
                                               100000, 0, jun1, jun1, jun1 + 5,
                                               &c),
                     CM_ERR_OK);
    assert_int_equal(c, 0);
    /* a purge dated after today counts only up to today (June 1..3) */
    assert_int_equal(enforcement_accrued_cents(ENFORCEMENT_CONTEMPT_KIND_CIVIL,
                                               100000, 0, jun1, jun8, jun1 + 2,
                                               &c),
                     CM_ERR_OK);
    assert_int_equal(c, 300000);
    /* criminal: the fixed amount, whatever the dates */
    assert_int_equal(
        enforcement_accrued_cents(ENFORCEMENT_CONTEMPT_KIND_CRIMINAL, 100000,
                                  2500000, jun1, -1, jun1 + 100, &c),
        CM_ERR_OK);
    assert_int_equal(c, 2500000);
    /* overflow and bad input: an error, *out untouched */
    c = 42;
    assert_int_equal(enforcement_accrued_cents(ENFORCEMENT_CONTEMPT_KIND_CIVIL,
                                               INT64_MAX / 2, 0, jun1, -1,
                                               jun1 + 2, &c),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(enforcement_accrued_cents(ENFORCEMENT_CONTEMPT_KIND_CIVIL,
                                               -1, 0, jun1, -1, jun1 + 2, &c),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(
        enforcement_accrued_cents((enum enforcement_contempt_kind)7, 1, 0, jun1,
                                  -1, jun1 + 2, &c),
        CM_ERR_VALIDATION_FAILED);
    assert_int_equal(c, 42);
    /* the largest span of int32 days at a large fine still fits exactly */
    assert_int_equal(enforcement_accrued_cents(ENFORCEMENT_CONTEMPT_KIND_CIVIL,
                                               1000000000, 0, INT32_MIN, -1,
                                               INT32_MAX, &c),
                     CM_ERR_OK);
    assert_true(c == (int64_t)1000000000 * ((int64_t)UINT32_MAX + 1));
}

static void
test_names(void **state)
{
    enum enforcement_state s;
    enum enforcement_action a;
    enum enforcement_result r;
    enum enforcement_contempt_kind k;

    (void)state;
    assert_true(enforcement_state_parse("show_cause_issued", &s));
    assert_int_equal(s, ENFORCEMENT_STATE_SHOW_CAUSE_ISSUED);
    assert_false(enforcement_state_parse("noncompliant", &s)); /* derived */
    assert_string_equal(enforcement_state_name(ENFORCEMENT_STATE_IN_CONTEMPT),
                        "in_contempt");
    assert_true(enforcement_action_parse("hold_in_contempt", &a));
    assert_int_equal(a, ENFORCEMENT_ACTION_HOLD_IN_CONTEMPT);
    assert_string_equal(enforcement_action_name(ENFORCEMENT_ACTION_SETTLE),
                        "settle");
    assert_true(enforcement_result_parse("enforced_in_part", &r));
    assert_int_equal(r, ENFORCEMENT_RESULT_ENFORCED_IN_PART);
    assert_string_equal(enforcement_result_name(ENFORCEMENT_RESULT_DENIED),
                        "denied");
    assert_null(enforcement_result_name(ENFORCEMENT_RESULT_NONE));
    assert_true(enforcement_contempt_kind_parse("criminal", &k));
    assert_int_equal(k, ENFORCEMENT_CONTEMPT_KIND_CRIMINAL);
    assert_string_equal(
        enforcement_contempt_kind_name(ENFORCEMENT_CONTEMPT_KIND_CIVIL),
        "civil");
    assert_false(enforcement_contempt_kind_parse("coercive", &k));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_all),
        cmocka_unit_test(test_order_guards),
        cmocka_unit_test(test_allowed_actions),
        cmocka_unit_test(test_noncompliant),
        cmocka_unit_test(test_accrual),
        cmocka_unit_test(test_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
