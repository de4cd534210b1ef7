/*
 * test_subpoena.c: the subpoena machine walked exhaustively against a
 * hand-written table of DESIGN.md's transitions; the sign, submit, refer
 * and close guards; dispositions for every class of item outcome mix; the
 * overdue boundary; the 8 CFR 287.4(a)(1) titles; names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/subpoena.h"

/*
 * The expectation, written from DESIGN.md ("Subpoena" and "Who takes which
 * action") and subpoena.h's documented choices, by name, independently of
 * the production table. from NULL: the case does not exist yet. zero_guard:
 * the guard code expected when every fact is left at zero (NULL: passes).
 */
struct expect {
    const char *from;
    const char *action;
    const char *to;
    const char *roles;
    const char *zero_guard;
};

#define WITHDRAW(from)                                               \
    {                                                                \
        from, "withdraw", "withdrawn", "signer agency_counsel", NULL \
    }

static const struct expect legal[] = {
    {NULL, "create", "draft", "officer", NULL},
    {"draft", "edit", "draft", "officer", NULL},
    /* zero facts: the office does not require review */
    {"draft", "submit", "ready_to_sign", "officer", NULL},
    {"in_review", "approve", "ready_to_sign", "agency_counsel", NULL},
    {"in_review", "return", "draft", "agency_counsel", NULL},
    /* zero facts: nobody known, so the drafter cannot be ruled out */
    {"ready_to_sign", "sign", "signed", "signer", "signer_is_drafter"},
    {"signed", "serve", "served", "officer signer",
     "proof_of_service_required"},
    /* a correction of the service recomputes the return date */
    {"served", "serve", "served", "officer signer",
     "proof_of_service_required"},
    {"served", "acknowledge", "served", "custodian recipient_counsel", NULL},
    {"served", "extend", "served", "officer signer", NULL},
    {"served", "respond", "responded", "custodian recipient_counsel", NULL},
    {"served", "refuse", "responded", "custodian recipient_counsel", NULL},
    {"served", "refer", "referred", "agency_counsel",
     "not_overdue_or_deficient"},
    {"responded", "refer", "referred", "agency_counsel",
     "not_overdue_or_deficient"},
    {"responded", "close", "closed", "officer agency_counsel", NULL},
    {"referred", "close", "closed", "officer agency_counsel",
     "enforcement_not_closed"},
    WITHDRAW("draft"),
    WITHDRAW("in_review"),
    WITHDRAW("ready_to_sign"),
    WITHDRAW("signed"),
    WITHDRAW("served"),
    WITHDRAW("responded"),
};

/* Facts under which every guard passes. */
static const struct guard_facts passing = {
    .actor_user_id = "user-signer",
    .drafter_user_id = "user-officer",
    .signer_title = "Field Office Director",
    .has_proof_of_service = true,
    .is_overdue = true,
    .disposition = SUBPOENA_DISPOSITION_REFUSED,
    .enforcement_closed = true,
};

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

/* Walk every (state, action, single role) with `facts`; when `zero`, rows
 * with a zero_guard are expected to fail on it. */
static void
walk(const struct machine *m,
     const struct expect *ex,
     size_t n,
     const struct guard_facts *facts,
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
                got = machine_apply(m, s, a, me, NULL, facts, &to, &g);
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
    struct guard_facts zero = {0};

    (void)state;
    walk(&subpoena_machine, legal, sizeof legal / sizeof legal[0], &passing,
         false);
    walk(&subpoena_machine, legal, sizeof legal / sizeof legal[0], &zero, true);
}

/* Apply `action` from `from` as a signer/officer/counsel with facts `f`;
 * returns the code and writes the guard code (or "") to *code. */
static enum cm_err
try_action(int from,
           int action,
           role_set roles,
           const struct guard_facts *f,
           int *to,
           const char **code)
{
    enum guard g = GUARD_NONE;
    enum cm_err err =
        machine_apply(&subpoena_machine, from, action, roles, NULL, f, to, &g);

    *code = err == CM_ERR_GUARD_FAILED ? machine_guard_code(g) : "";
    return err;
}

static void
test_submit_routes_on_review(void **state)
{
    struct guard_facts f = {0};
    int to = -1;
    const char *code;

    (void)state;
    f.office_requires_review = true;
    assert_int_equal(try_action(SUBPOENA_STATE_DRAFT, SUBPOENA_ACTION_SUBMIT,
                                ROLE_BIT(ROLE_OFFICER), &f, &to, &code),
                     CM_ERR_OK);
    assert_int_equal(to, SUBPOENA_STATE_IN_REVIEW);
    f.office_requires_review = false;
    assert_int_equal(try_action(SUBPOENA_STATE_DRAFT, SUBPOENA_ACTION_SUBMIT,
                                ROLE_BIT(ROLE_OFFICER), &f, &to, &code),
                     CM_ERR_OK);
    assert_int_equal(to, SUBPOENA_STATE_READY_TO_SIGN);
}

static void
test_sign_guards(void **state)
{
    struct guard_facts f = {.actor_user_id = "u-1",
                            .drafter_user_id = "u-1",
                            .signer_title = "Field Office Director"};
    role_set signer = ROLE_BIT(ROLE_SIGNER);
    int to = -1;
    const char *code;

    (void)state;
    /* the drafter signs: separation of duties, even with a listed title */
    assert_int_equal(try_action(SUBPOENA_STATE_READY_TO_SIGN,
                                SUBPOENA_ACTION_SIGN, signer, &f, &to, &code),
                     CM_ERR_GUARD_FAILED);
    assert_string_equal(code, "signer_is_drafter");
    /* someone else, with a title 8 CFR 287.4(a)(1) lists */
    f.actor_user_id = "u-2";
    assert_int_equal(try_action(SUBPOENA_STATE_READY_TO_SIGN,
                                SUBPOENA_ACTION_SIGN, signer, &f, &to, &code),
                     CM_ERR_OK);
    assert_int_equal(to, SUBPOENA_STATE_SIGNED);
    /* an Assistant Field Office Director is not listed (the Oregon
     * subpoenas of February 2020 were signed by one): needs a delegation */
    f.signer_title = "Assistant Field Office Director";
    to = -1;
    assert_int_equal(try_action(SUBPOENA_STATE_READY_TO_SIGN,
                                SUBPOENA_ACTION_SIGN, signer, &f, &to, &code),
                     CM_ERR_GUARD_FAILED);
    assert_string_equal(code, "signer_not_authorized");
    assert_int_equal(to, -1); /* nothing written on failure */
    f.signer_has_delegation = true;
    assert_int_equal(try_action(SUBPOENA_STATE_READY_TO_SIGN,
                                SUBPOENA_ACTION_SIGN, signer, &f, &to, &code),
                     CM_ERR_OK);
    /* no title at all and no delegation */
    f.signer_title = NULL;
    f.signer_has_delegation = false;
    assert_int_equal(try_action(SUBPOENA_STATE_READY_TO_SIGN,
                                SUBPOENA_ACTION_SIGN, signer, &f, &to, &code),
                     CM_ERR_GUARD_FAILED);
    assert_string_equal(code, "signer_not_authorized");
    /* an officer is no signer: 403 before any guard */
    assert_int_equal(try_action(SUBPOENA_STATE_READY_TO_SIGN,
                                SUBPOENA_ACTION_SIGN, ROLE_BIT(ROLE_OFFICER),
                                &f, &to, &code),
                     CM_ERR_FORBIDDEN);
    /* a signer on a draft: the state does not allow it */
    assert_int_equal(try_action(SUBPOENA_STATE_DRAFT, SUBPOENA_ACTION_SIGN,
                                signer, &f, &to, &code),
                     CM_ERR_STATE_CONFLICT);
}

static void
test_refer_guards(void **state)
{
    struct guard_facts f = {0};
    role_set counsel = ROLE_BIT(ROLE_AGENCY_COUNSEL);
    int to = -1;
    const char *code;

    (void)state;
    /* served, return date not yet passed */
    assert_int_equal(try_action(SUBPOENA_STATE_SERVED, SUBPOENA_ACTION_REFER,
                                counsel, &f, &to, &code),
                     CM_ERR_GUARD_FAILED);
    assert_string_equal(code, "not_overdue_or_deficient");
    f.is_overdue = true;
    assert_int_equal(try_action(SUBPOENA_STATE_SERVED, SUBPOENA_ACTION_REFER,
                                counsel, &f, &to, &code),
                     CM_ERR_OK);
    assert_int_equal(to, SUBPOENA_STATE_REFERRED);
    /* responded: complied and no_records may not be referred; the
     * deficient dispositions may */
    f.is_overdue = false;
    f.disposition = SUBPOENA_DISPOSITION_COMPLIED;
    assert_int_equal(try_action(SUBPOENA_STATE_RESPONDED, SUBPOENA_ACTION_REFER,
                                counsel, &f, &to, &code),
                     CM_ERR_GUARD_FAILED);
    assert_string_equal(code, "not_overdue_or_deficient");
    f.disposition = SUBPOENA_DISPOSITION_NO_RECORDS;
    assert_int_equal(try_action(SUBPOENA_STATE_RESPONDED, SUBPOENA_ACTION_REFER,
                                counsel, &f, &to, &code),
                     CM_ERR_GUARD_FAILED);
    f.disposition = SUBPOENA_DISPOSITION_PARTIALLY_COMPLIED;
    assert_int_equal(try_action(SUBPOENA_STATE_RESPONDED, SUBPOENA_ACTION_REFER,
                                counsel, &f, &to, &code),
                     CM_ERR_OK);
    f.disposition = SUBPOENA_DISPOSITION_OBJECTED;
    assert_int_equal(try_action(SUBPOENA_STATE_RESPONDED, SUBPOENA_ACTION_REFER,
                                counsel, &f, &to, &code),
                     CM_ERR_OK);
    f.disposition = SUBPOENA_DISPOSITION_REFUSED;
    assert_int_equal(try_action(SUBPOENA_STATE_RESPONDED, SUBPOENA_ACTION_REFER,
                                counsel, &f, &to, &code),
                     CM_ERR_OK);
    /* a referred subpoena closes once its enforcement case has */
    assert_int_equal(try_action(SUBPOENA_STATE_REFERRED, SUBPOENA_ACTION_CLOSE,
                                counsel, &f, &to, &code),
                     CM_ERR_GUARD_FAILED);
    assert_string_equal(code, "enforcement_not_closed");
    f.enforcement_closed = true;
    assert_int_equal(try_action(SUBPOENA_STATE_REFERRED, SUBPOENA_ACTION_CLOSE,
                                counsel, &f, &to, &code),
                     CM_ERR_OK);
    assert_int_equal(to, SUBPOENA_STATE_CLOSED);
}

static void
test_allowed_actions(void **state)
{
    struct guard_facts f = {0};
    uint32_t mask = 0;

    (void)state;
    /* custodian on a served subpoena: acknowledge, respond, refuse */
    assert_int_equal(
        machine_allowed_actions(&subpoena_machine, SUBPOENA_STATE_SERVED,
                                ROLE_BIT(ROLE_CUSTODIAN), NULL, &f, &mask),
        CM_ERR_OK);
    assert_int_equal(mask, (1u << SUBPOENA_ACTION_ACKNOWLEDGE) |
                               (1u << SUBPOENA_ACTION_RESPOND) |
                               (1u << SUBPOENA_ACTION_REFUSE));
    /* agency counsel on a served, not overdue subpoena: withdraw only; once
     * overdue, refer too */
    assert_int_equal(
        machine_allowed_actions(&subpoena_machine, SUBPOENA_STATE_SERVED,
                                ROLE_BIT(ROLE_AGENCY_COUNSEL), NULL, &f, &mask),
        CM_ERR_OK);
    assert_int_equal(mask, 1u << SUBPOENA_ACTION_WITHDRAW);
    f.is_overdue = true;
    assert_int_equal(
        machine_allowed_actions(&subpoena_machine, SUBPOENA_STATE_SERVED,
                                ROLE_BIT(ROLE_AGENCY_COUNSEL), NULL, &f, &mask),
        CM_ERR_OK);
    assert_int_equal(mask, (1u << SUBPOENA_ACTION_WITHDRAW) |
                               (1u << SUBPOENA_ACTION_REFER));
    /* an officer who is also a signer, on a draft he wrote: edit, submit,
     * withdraw; at ready_to_sign he may not sign his own draft */
    f = (struct guard_facts){.actor_user_id = "u-1",
                             .drafter_user_id = "u-1",
                             .signer_title = "Special Agent in Charge"};
    assert_int_equal(
        machine_allowed_actions(&subpoena_machine, SUBPOENA_STATE_DRAFT,
                                ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_SIGNER),
                                NULL, &f, &mask),
        CM_ERR_OK);
    assert_int_equal(mask, (1u << SUBPOENA_ACTION_EDIT) |
                               (1u << SUBPOENA_ACTION_SUBMIT) |
                               (1u << SUBPOENA_ACTION_WITHDRAW));
    assert_int_equal(
        machine_allowed_actions(&subpoena_machine, SUBPOENA_STATE_READY_TO_SIGN,
                                ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_SIGNER),
                                NULL, &f, &mask),
        CM_ERR_OK);
    assert_int_equal(mask, 1u << SUBPOENA_ACTION_WITHDRAW);
    /* without facts, guards are ignored: sign is possible in principle */
    assert_int_equal(
        machine_allowed_actions(&subpoena_machine, SUBPOENA_STATE_READY_TO_SIGN,
                                ROLE_BIT(ROLE_SIGNER), NULL, NULL, &mask),
        CM_ERR_OK);
    assert_int_equal(mask, (1u << SUBPOENA_ACTION_SIGN) |
                               (1u << SUBPOENA_ACTION_WITHDRAW));
    /* admin and auditor: nothing, anywhere */
    for (int s = 0; s < SUBPOENA_STATE__COUNT; s++) {
        assert_int_equal(machine_allowed_actions(&subpoena_machine, s,
                                                 ROLE_BIT(ROLE_ADMIN) |
                                                     ROLE_BIT(ROLE_AUDITOR),
                                                 NULL, NULL, &mask),
                         CM_ERR_OK);
        assert_int_equal(mask, 0);
    }
}

static enum subpoena_disposition
dispose(const enum subpoena_item_outcome *o, size_t n)
{
    enum subpoena_disposition d = SUBPOENA_DISPOSITION_NONE;

    assert_int_equal(subpoena_disposition_from_items(o, n, &d), CM_ERR_OK);
    return d;
}

#define P    SUBPOENA_ITEM_OUTCOME_PRODUCED
#define NH   SUBPOENA_ITEM_OUTCOME_NOT_HELD
#define OB   SUBPOENA_ITEM_OUTCOME_OBJECTED
#define WH   SUBPOENA_ITEM_OUTCOME_WITHHELD
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
test_dispositions(void **state)
{
    /* one example per class of mix: {produced, not_held, objected/withheld}
     * present or absent */
    const enum subpoena_item_outcome p[] = {P, P};
    const enum subpoena_item_outcome p_nh[] = {P, NH, NH};
    const enum subpoena_item_outcome nh[] = {NH, NH, NH};
    const enum subpoena_item_outcome p_ob[] = {P, OB};
    const enum subpoena_item_outcome p_wh[] = {WH, P};
    const enum subpoena_item_outcome p_nh_ob[] = {NH, P, OB, WH};
    const enum subpoena_item_outcome ob[] = {OB, OB};
    const enum subpoena_item_outcome wh[] = {WH};
    const enum subpoena_item_outcome nh_ob[] = {NH, OB};
    const enum subpoena_item_outcome nh_wh[] = {WH, NH};
    const enum subpoena_item_outcome unanswered[] = {
        P, SUBPOENA_ITEM_OUTCOME_NONE};
    const enum subpoena_item_outcome bogus[] = {(enum subpoena_item_outcome)99};
    enum subpoena_disposition d = SUBPOENA_DISPOSITION_REFUSED;

    (void)state;
    assert_int_equal(dispose(p, N(p)), SUBPOENA_DISPOSITION_COMPLIED);
    assert_int_equal(dispose(p_nh, N(p_nh)), SUBPOENA_DISPOSITION_COMPLIED);
    assert_int_equal(dispose(nh, N(nh)), SUBPOENA_DISPOSITION_NO_RECORDS);
    assert_int_equal(dispose(p_ob, N(p_ob)),
                     SUBPOENA_DISPOSITION_PARTIALLY_COMPLIED);
    assert_int_equal(dispose(p_wh, N(p_wh)),
                     SUBPOENA_DISPOSITION_PARTIALLY_COMPLIED);
    assert_int_equal(dispose(p_nh_ob, N(p_nh_ob)),
                     SUBPOENA_DISPOSITION_PARTIALLY_COMPLIED);
    assert_int_equal(dispose(ob, N(ob)), SUBPOENA_DISPOSITION_OBJECTED);
    assert_int_equal(dispose(wh, N(wh)), SUBPOENA_DISPOSITION_OBJECTED);
    assert_int_equal(dispose(nh_ob, N(nh_ob)), SUBPOENA_DISPOSITION_OBJECTED);
    assert_int_equal(dispose(nh_wh, N(nh_wh)), SUBPOENA_DISPOSITION_OBJECTED);
    /* no items, an unanswered item or garbage: not a response */
    assert_int_equal(subpoena_disposition_from_items(p, 0, &d),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(
        subpoena_disposition_from_items(unanswered, N(unanswered), &d),
        CM_ERR_VALIDATION_FAILED);
    assert_int_equal(subpoena_disposition_from_items(bogus, N(bogus), &d),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(d, SUBPOENA_DISPOSITION_REFUSED); /* untouched */
    /* which ones may be referred */
    assert_false(
        subpoena_disposition_is_deficient(SUBPOENA_DISPOSITION_COMPLIED));
    assert_false(
        subpoena_disposition_is_deficient(SUBPOENA_DISPOSITION_NO_RECORDS));
    assert_false(subpoena_disposition_is_deficient(SUBPOENA_DISPOSITION_NONE));
    assert_true(subpoena_disposition_is_deficient(
        SUBPOENA_DISPOSITION_PARTIALLY_COMPLIED));
    assert_true(
        subpoena_disposition_is_deficient(SUBPOENA_DISPOSITION_OBJECTED));
    assert_true(
        subpoena_disposition_is_deficient(SUBPOENA_DISPOSITION_REFUSED));
}

static void
test_overdue_boundary(void **state)
{
    /* Denver, January 2020: served Monday 2020-01-13 with 14 days to
     * answer; Westword reported Denver had to respond by Monday 2020-01-27.
     * 2020-01-01 is day 18262 since 1970-01-01 (50 years of 365 days plus
     * 12 leap days, 1972..2016), so 2020-01-27 is day 18288. */
    const int32_t ret = 18288;

    (void)state;
    assert_false(
        subpoena_is_overdue(SUBPOENA_STATE_SERVED, ret, false, ret - 1));
    assert_false(subpoena_is_overdue(SUBPOENA_STATE_SERVED, ret, false, ret));
    assert_true(
        subpoena_is_overdue(SUBPOENA_STATE_SERVED, ret, false, ret + 1));
    /* a response recorded, or not (yet) served, or already responded */
    assert_false(
        subpoena_is_overdue(SUBPOENA_STATE_SERVED, ret, true, ret + 1));
    assert_false(
        subpoena_is_overdue(SUBPOENA_STATE_SIGNED, ret, false, ret + 1));
    assert_false(
        subpoena_is_overdue(SUBPOENA_STATE_RESPONDED, ret, false, ret + 30));
    assert_false(
        subpoena_is_overdue(SUBPOENA_STATE_WITHDRAWN, ret, false, ret + 30));
}

static void
test_signer_titles(void **state)
{
    (void)state;
    assert_true(subpoena_is_listed_title("Field Office Director"));
    assert_true(subpoena_is_listed_title("field office director"));
    assert_true(subpoena_is_listed_title("  FIELD   Office Director "));
    assert_true(subpoena_is_listed_title("Deputy Field Office Director"));
    assert_true(subpoena_is_listed_title("Special Agent in Charge"));
    assert_true(subpoena_is_listed_title("Director, Detention and Removal"));
    assert_true(subpoena_is_listed_title(
        "Assistant District Director, Investigations"));
    assert_false(subpoena_is_listed_title("Assistant Field Office Director"));
    assert_false(subpoena_is_listed_title("Field Office Directo"));
    assert_false(subpoena_is_listed_title("Field Office Director X"));
    assert_false(subpoena_is_listed_title("Deportation Officer"));
    assert_false(subpoena_is_listed_title(""));
    assert_false(subpoena_is_listed_title("   "));
    assert_false(subpoena_is_listed_title(NULL));
    for (size_t i = 0; i < SUBPOENA_SIGNER_TITLE_COUNT; i++)
        assert_true(subpoena_is_listed_title(subpoena_signer_titles[i]));
}

static void
test_names(void **state)
{
    enum subpoena_state s;
    enum subpoena_action a;
    enum subpoena_item_category c;
    enum subpoena_item_outcome o;
    enum subpoena_objection_ground g;
    enum subpoena_disposition d;
    static const char *const categories[] = {
        "home_address", "work_address",        "phone",        "employer",
        "vehicle",      "date_place_of_birth", "bond_record",  "id_documents",
        "charges",      "emergency_contacts",  "release_date", "other"};
    static const char *const grounds[] = {
        "relevance",      "already_in_possession",
        "too_indefinite", "tenth_amendment",
        "privilege",      "other"};

    (void)state;
    assert_true(subpoena_state_parse("ready_to_sign", &s));
    assert_int_equal(s, SUBPOENA_STATE_READY_TO_SIGN);
    assert_string_equal(subpoena_state_name(SUBPOENA_STATE_IN_REVIEW),
                        "in_review");
    assert_false(subpoena_state_parse("overdue", &s)); /* derived, no state */
    assert_true(subpoena_action_parse("return", &a));
    assert_int_equal(a, SUBPOENA_ACTION_RETURN);
    assert_string_equal(subpoena_action_name(SUBPOENA_ACTION_WITHDRAW),
                        "withdraw");
    for (size_t i = 0; i < N(categories); i++) {
        assert_true(subpoena_item_category_parse(categories[i], &c));
        assert_string_equal(subpoena_item_category_name(c), categories[i]);
    }
    assert_false(subpoena_item_category_parse("shoe_size", &c));
    for (size_t i = 0; i < N(grounds); i++) {
        assert_true(subpoena_objection_ground_parse(grounds[i], &g));
        assert_string_equal(subpoena_objection_ground_name(g), grounds[i]);
    }
    assert_true(subpoena_item_outcome_parse("not_held", &o));
    assert_int_equal(o, SUBPOENA_ITEM_OUTCOME_NOT_HELD);
    assert_false(subpoena_item_outcome_parse("", &o));
    assert_null(subpoena_item_outcome_name(SUBPOENA_ITEM_OUTCOME_NONE));
    assert_true(subpoena_disposition_parse("partially_complied", &d));
    assert_int_equal(d, SUBPOENA_DISPOSITION_PARTIALLY_COMPLIED);
    assert_string_equal(subpoena_disposition_name(SUBPOENA_DISPOSITION_REFUSED),
                        "refused");
    assert_null(subpoena_disposition_name(SUBPOENA_DISPOSITION_NONE));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_all),
        cmocka_unit_test(test_submit_routes_on_review),
        cmocka_unit_test(test_sign_guards),
        cmocka_unit_test(test_refer_guards),
        cmocka_unit_test(test_allowed_actions),
        cmocka_unit_test(test_dispositions),
        cmocka_unit_test(test_overdue_boundary),
        cmocka_unit_test(test_signer_titles),
        cmocka_unit_test(test_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
