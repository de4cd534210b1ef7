/*
 * test_detainer.c: the detainer machine walked exhaustively against a
 * hand-written table of DESIGN.md's transitions, plus names, outcome
 * sources and the over-detention check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/detainer.h"

/*
 * The expectation, written from DESIGN.md ("Detainer" and "Who takes which
 * action") and detainer.h's documented choices, by name, independently of
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

static const struct expect legal[] = {
    {NULL, "create", "lodged", "officer", NULL},
    {"lodged", "acknowledge", "acknowledged", "booking", NULL},
    {"acknowledged", "honor", "honored", "booking", NULL},
    {"acknowledged", "decline", "declined", "booking", NULL},
    /* the hold clock: with zero facts it has not started, so it passes */
    {"honored", "set_release_time", "honored", "booking", NULL},
    {"lodged", "release", "released", "booking", NULL},
    {"acknowledged", "release", "released", "booking", NULL},
    {"honored", "release", "released", "booking", NULL},
    {"declined", "release", "released", "booking", NULL},
    {"lodged", "transfer", "transferred", "booking officer", NULL},
    {"acknowledged", "transfer", "transferred", "booking officer", NULL},
    {"honored", "transfer", "transferred", "booking officer", NULL},
    {"lodged", "cancel", "cancelled", "officer", NULL},
    {"acknowledged", "cancel", "cancelled", "officer", NULL},
    {"honored", "cancel", "cancelled", "officer", NULL},
    {"declined", "cancel", "cancelled", "officer", NULL},
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
    /* No detainer guard needs a fact set to pass: the zero facts are the
     * passing facts (hold clock not started). */
    walk(&detainer_machine, legal, sizeof legal / sizeof legal[0], &zero,
         false);
    walk(&detainer_machine, legal, sizeof legal / sizeof legal[0], &zero, true);
}

static void
test_hold_clock_starts_once(void **state)
{
    struct guard_facts f = {.hold_clock_started = true};
    int to = -1;
    enum guard g = GUARD_NONE;

    (void)state;
    assert_int_equal(machine_apply(&detainer_machine, DETAINER_STATE_HONORED,
                                   DETAINER_ACTION_SET_RELEASE_TIME,
                                   ROLE_BIT(ROLE_BOOKING), NULL, &f, &to, &g),
                     CM_ERR_GUARD_FAILED);
    assert_string_equal(machine_guard_code(g), "hold_clock_already_started");
    assert_int_equal(to, -1);
}

static void
test_allowed_actions(void **state)
{
    struct guard_facts f = {0};
    uint32_t mask = 0;

    (void)state;
    /* booking, honored: set the release time, release, transfer */
    assert_int_equal(
        machine_allowed_actions(&detainer_machine, DETAINER_STATE_HONORED,
                                ROLE_BIT(ROLE_BOOKING), NULL, &f, &mask),
        CM_ERR_OK);
    assert_int_equal(mask, (1u << DETAINER_ACTION_SET_RELEASE_TIME) |
                               (1u << DETAINER_ACTION_RELEASE) |
                               (1u << DETAINER_ACTION_TRANSFER));
    /* once the hold clock has started it is not offered again */
    f.hold_clock_started = true;
    assert_int_equal(
        machine_allowed_actions(&detainer_machine, DETAINER_STATE_HONORED,
                                ROLE_BIT(ROLE_BOOKING), NULL, &f, &mask),
        CM_ERR_OK);
    assert_int_equal(mask, (1u << DETAINER_ACTION_RELEASE) |
                               (1u << DETAINER_ACTION_TRANSFER));
    /* officer, declined: only cancel (a declined hold is not transferred) */
    assert_int_equal(
        machine_allowed_actions(&detainer_machine, DETAINER_STATE_DECLINED,
                                ROLE_BIT(ROLE_OFFICER), NULL, &f, &mask),
        CM_ERR_OK);
    assert_int_equal(mask, 1u << DETAINER_ACTION_CANCEL);
    /* terminal states offer nothing to anyone */
    assert_int_equal(machine_allowed_actions(&detainer_machine,
                                             DETAINER_STATE_RELEASED,
                                             ~(role_set)0, NULL, &f, &mask),
                     CM_ERR_OK);
    assert_int_equal(mask, 0);
    assert_true(
        machine_is_terminal(&detainer_machine, DETAINER_STATE_TRANSFERRED));
    assert_true(
        machine_is_terminal(&detainer_machine, DETAINER_STATE_CANCELLED));
    assert_false(
        machine_is_terminal(&detainer_machine, DETAINER_STATE_DECLINED));
}

static void
test_names(void **state)
{
    enum detainer_state s;
    enum detainer_action a;
    enum detainer_outcome_source src;

    (void)state;
    assert_string_equal(detainer_state_name(DETAINER_STATE_ACKNOWLEDGED),
                        "acknowledged");
    assert_null(detainer_state_name(DETAINER_STATE__COUNT));
    assert_true(detainer_state_parse("transferred", &s));
    assert_int_equal(s, DETAINER_STATE_TRANSFERRED);
    assert_false(detainer_state_parse("Transferred", &s));
    assert_true(detainer_action_parse("set_release_time", &a));
    assert_int_equal(a, DETAINER_ACTION_SET_RELEASE_TIME);
    assert_string_equal(detainer_action_name(DETAINER_ACTION_CANCEL), "cancel");
    assert_false(detainer_action_parse("lodge", &a));
    assert_true(detainer_outcome_source_parse("observed", &src));
    assert_int_equal(src, DETAINER_OUTCOME_SOURCE_OBSERVED);
    assert_string_equal(
        detainer_outcome_source_name(DETAINER_OUTCOME_SOURCE_INFERRED),
        "inferred");
    assert_string_equal(
        detainer_outcome_source_name(DETAINER_OUTCOME_SOURCE_REPORTED),
        "reported");
    assert_false(detainer_outcome_source_parse("guessed", &src));
    assert_null(detainer_outcome_source_name(DETAINER_OUTCOME_SOURCE__COUNT));
}

static void
test_over_detention(void **state)
{
    /* 2020-01-17T15:00:00Z is 1579273200 (18278 days * 86400 + 15 h:
     * 2020-01-17 is day 18278 since 1970-01-01); 48 clock hours later is
     * 2020-01-19T15:00:00Z = 1579446000. */
    const int64_t start = 1579273200;
    const int64_t max = 1579446000;

    (void)state;
    assert_int_equal(max - start, 48 * 3600);
    assert_false(detainer_is_past_max_hold(start, max));
    assert_false(detainer_is_past_max_hold(max, max)); /* up to it: lawful */
    assert_true(detainer_is_past_max_hold(max + 1, max));
    assert_true(
        detainer_is_over_detained(DETAINER_STATE_HONORED, true, max + 1, max));
    assert_false(
        detainer_is_over_detained(DETAINER_STATE_HONORED, true, max, max));
    /* no clock, or no longer held: no flag */
    assert_false(
        detainer_is_over_detained(DETAINER_STATE_HONORED, false, max + 1, max));
    assert_false(
        detainer_is_over_detained(DETAINER_STATE_RELEASED, true, max + 1, max));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_all),
        cmocka_unit_test(test_hold_clock_starts_once),
        cmocka_unit_test(test_allowed_actions),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_over_detention),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
