/*
 * machine.c: lookups over a machine's const table of transitions.
 *
 * Nothing here knows a particular kind of case: the rows, names and guard
 * evaluator come from the struct machine the caller passes. See machine.h
 * for the order of the checks and the meaning of each answer.
 */
#include "domain/machine.h"

#include <string.h>

static const char *const guard_codes[GUARD__COUNT] = {
    [GUARD_NONE] = "none",
    [GUARD_SIGNER_NOT_DRAFTER] = "signer_is_drafter",
    [GUARD_SIGNER_AUTHORIZED] = "signer_not_authorized",
    [GUARD_PROOF_OF_SERVICE] = "proof_of_service_required",
    [GUARD_REVIEW_REQUIRED] = "review_not_required",
    [GUARD_REVIEW_NOT_REQUIRED] = "review_required",
    [GUARD_OVERDUE_OR_DEFICIENT] = "not_overdue_or_deficient",
    [GUARD_ENFORCEMENT_CLOSED] = "enforcement_not_closed",
    [GUARD_HOLD_NOT_STARTED] = "hold_clock_already_started",
    [GUARD_ORDER_ENFORCED] = "order_not_enforced",
    [GUARD_ORDER_DENIED] = "order_not_denied",
    [GUARD_NONCOMPLIANT] = "not_noncompliant",
};

const char *
machine_state_name(const struct machine *m, int state)
{
    if (state < 0 || state >= m->state_count)
        return NULL;
    return m->state_names[state];
}

bool
machine_state_parse(const struct machine *m, const char *s, int *out)
{
    for (int i = 0; i < m->state_count; i++) {
        if (strcmp(s, m->state_names[i]) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

const char *
machine_action_name(const struct machine *m, int action)
{
    if (action < 0 || action >= m->action_count)
        return NULL;
    return m->action_names[action];
}

bool
machine_action_parse(const struct machine *m, const char *s, int *out)
{
    for (int i = 0; i < m->action_count; i++) {
        if (strcmp(s, m->action_names[i]) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

const char *
machine_guard_code(enum guard g)
{
    if ((unsigned)g >= (unsigned)GUARD__COUNT)
        return "unknown_guard";
    return guard_codes[g];
}

role_set
machine_action_roles(const struct machine *m, int action)
{
    role_set roles = 0;

    for (size_t i = 0; i < m->row_count; i++) {
        if (m->rows[i].action == action)
            roles |= m->rows[i].roles;
    }
    return roles;
}

bool
machine_is_terminal(const struct machine *m, int state)
{
    for (size_t i = 0; i < m->row_count; i++) {
        if (m->rows[i].from == state)
            return false;
    }
    return true;
}

/* The roles of `row` that the office still allows. */
static role_set
row_roles(const struct machine_row *row,
          const struct machine_office_mask *office)
{
    role_set roles = row->roles;

    if (office != NULL)
        roles &= office->allow[row->action];
    return roles;
}

/* The first guard of `row` that fails, or GUARD_NONE when all pass. With
 * `facts` NULL every guard fails. */
static enum guard
row_failed_guard(const struct machine *m,
                 const struct machine_row *row,
                 const struct guard_facts *facts)
{
    for (int i = 0; i < MACHINE_GUARDS_MAX; i++) {
        enum guard g = row->guards[i];

        if (g == GUARD_NONE)
            break;
        if (facts == NULL || !m->guard_passes(g, facts))
            return g;
    }
    return GUARD_NONE;
}

static bool
is_valid_state(const struct machine *m, int state)
{
    return state == MACHINE_STATE_NONE ||
           (state >= 0 && state < m->state_count);
}

enum cm_err
machine_apply(const struct machine *m,
              int state,
              int action,
              role_set roles,
              const struct machine_office_mask *office,
              const struct guard_facts *facts,
              int *to,
              enum guard *failed_guard)
{
    role_set anywhere = 0;
    bool has_state_row = false;
    bool has_role_row = false;
    enum guard first_failed = GUARD_NONE;

    if (action < 0 || action >= m->action_count || !is_valid_state(m, state))
        return CM_ERR_VALIDATION_FAILED;
    for (size_t i = 0; i < m->row_count; i++) {
        if (m->rows[i].action == action)
            anywhere |= row_roles(&m->rows[i], office);
    }
    if ((anywhere & roles) == 0)
        return CM_ERR_FORBIDDEN;
    for (size_t i = 0; i < m->row_count; i++) {
        const struct machine_row *row = &m->rows[i];
        enum guard g;

        if (row->from != state || row->action != action)
            continue;
        has_state_row = true;
        if ((row_roles(row, office) & roles) == 0)
            continue;
        has_role_row = true;
        g = row_failed_guard(m, row, facts);
        if (g == GUARD_NONE) {
            *to = row->to;
            return CM_ERR_OK;
        }
        if (first_failed == GUARD_NONE)
            first_failed = g;
    }
    if (!has_state_row)
        return CM_ERR_STATE_CONFLICT;
    if (!has_role_row)
        return CM_ERR_FORBIDDEN;
    if (failed_guard != NULL)
        *failed_guard = first_failed;
    return CM_ERR_GUARD_FAILED;
}

enum cm_err
machine_allowed_actions(const struct machine *m,
                        int state,
                        role_set roles,
                        const struct machine_office_mask *office,
                        const struct guard_facts *facts,
                        uint32_t *out)
{
    uint32_t mask = 0;

    if (!is_valid_state(m, state))
        return CM_ERR_VALIDATION_FAILED;
    for (size_t i = 0; i < m->row_count; i++) {
        const struct machine_row *row = &m->rows[i];

        if (row->from != state || (row_roles(row, office) & roles) == 0)
            continue;
        if (facts != NULL && row_failed_guard(m, row, facts) != GUARD_NONE)
            continue;
        mask |= 1u << (unsigned)row->action;
    }
    *out = mask;
    return CM_ERR_OK;
}
