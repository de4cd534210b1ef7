/*
 * enforcement.c: the enforcement machine's table and guards, the derived
 * noncompliant condition and contempt accrual.
 *
 * The table below is the single source of truth for who may do what to an
 * enforcement case; perm.c reads it, the tests walk it.
 */
#include "domain/enforcement.h"

#include <string.h>

#define DOJ    ROLE_BIT(ROLE_DOJ_ATTORNEY)
#define RCOUNS ROLE_BIT(ROLE_RECIPIENT_COUNSEL)
#define ACOUNS ROLE_BIT(ROLE_AGENCY_COUNSEL)

_Static_assert(ENFORCEMENT_ACTION__COUNT <= MACHINE_ACTIONS_MAX,
               "action masks are 32-bit and office masks fixed-size");
_Static_assert(ENFORCEMENT_STATE__COUNT <= MACHINE_STATES_MAX,
               "too many states");

static const char *const state_names[ENFORCEMENT_STATE__COUNT] = {
    [ENFORCEMENT_STATE_REFERRED] = "referred",
    [ENFORCEMENT_STATE_PETITION_FILED] = "petition_filed",
    [ENFORCEMENT_STATE_SHOW_CAUSE_ISSUED] = "show_cause_issued",
    [ENFORCEMENT_STATE_ORDER_ENTERED] = "order_entered",
    [ENFORCEMENT_STATE_COMPLIED] = "complied",
    [ENFORCEMENT_STATE_CONTEMPT_MOTION] = "contempt_motion",
    [ENFORCEMENT_STATE_IN_CONTEMPT] = "in_contempt",
    [ENFORCEMENT_STATE_PURGED] = "purged",
    [ENFORCEMENT_STATE_DISMISSED] = "dismissed",
    [ENFORCEMENT_STATE_SETTLED] = "settled",
    [ENFORCEMENT_STATE_CLOSED] = "closed",
};

static const char *const action_names[ENFORCEMENT_ACTION__COUNT] = {
    [ENFORCEMENT_ACTION_FILE_PETITION] = "file_petition",
    [ENFORCEMENT_ACTION_ISSUE_SHOW_CAUSE] = "issue_show_cause",
    [ENFORCEMENT_ACTION_ENTER_ORDER] = "enter_order",
    [ENFORCEMENT_ACTION_COMPLY] = "comply",
    [ENFORCEMENT_ACTION_MOVE_CONTEMPT] = "move_contempt",
    [ENFORCEMENT_ACTION_HOLD_IN_CONTEMPT] = "hold_in_contempt",
    [ENFORCEMENT_ACTION_PURGE] = "purge",
    [ENFORCEMENT_ACTION_DISMISS] = "dismiss",
    [ENFORCEMENT_ACTION_SETTLE] = "settle",
    [ENFORCEMENT_ACTION_CLOSE] = "close",
};

static const char *const result_names[ENFORCEMENT_RESULT__COUNT] = {
    [ENFORCEMENT_RESULT_NONE] = NULL,
    [ENFORCEMENT_RESULT_ENFORCED] = "enforced",
    [ENFORCEMENT_RESULT_ENFORCED_IN_PART] = "enforced_in_part",
    [ENFORCEMENT_RESULT_DENIED] = "denied",
};

static const char *const kind_names[ENFORCEMENT_CONTEMPT_KIND__COUNT] = {
    [ENFORCEMENT_CONTEMPT_KIND_CIVIL] = "civil",
    [ENFORCEMENT_CONTEMPT_KIND_CRIMINAL] = "criminal",
};

#define ROW(from, action, to, roles, ...)                      \
    {                                                          \
        ENFORCEMENT_STATE_##from, ENFORCEMENT_ACTION_##action, \
            ENFORCEMENT_STATE_##to, (roles),                   \
        {                                                      \
            __VA_ARGS__                                        \
        }                                                      \
    }
/* dismiss and settle from one open state */
#define END_FROM(from)                              \
    ROW(from, DISMISS, DISMISSED, DOJ, GUARD_NONE), \
        ROW(from, SETTLE, SETTLED, DOJ, GUARD_NONE)

static const struct machine_row rows[] = {
    ROW(REFERRED, FILE_PETITION, PETITION_FILED, DOJ, GUARD_NONE),
    ROW(PETITION_FILED, ISSUE_SHOW_CAUSE, SHOW_CAUSE_ISSUED, DOJ, GUARD_NONE),
    ROW(PETITION_FILED, ENTER_ORDER, ORDER_ENTERED, DOJ, GUARD_NONE),
    ROW(SHOW_CAUSE_ISSUED, ENTER_ORDER, ORDER_ENTERED, DOJ, GUARD_NONE),
    /* An amended order: the court re-enters it; its dates are recomputed. */
    ROW(ORDER_ENTERED, ENTER_ORDER, ORDER_ENTERED, DOJ, GUARD_NONE),
    ROW(ORDER_ENTERED, COMPLY, COMPLIED, RCOUNS | DOJ, GUARD_ORDER_ENFORCED),
    ROW(CONTEMPT_MOTION, COMPLY, COMPLIED, RCOUNS | DOJ, GUARD_NONE),
    ROW(ORDER_ENTERED, MOVE_CONTEMPT, CONTEMPT_MOTION, DOJ, GUARD_NONCOMPLIANT),
    ROW(CONTEMPT_MOTION, HOLD_IN_CONTEMPT, IN_CONTEMPT, DOJ, GUARD_NONE),
    ROW(IN_CONTEMPT, PURGE, PURGED, DOJ, GUARD_NONE),
    END_FROM(REFERRED),
    END_FROM(PETITION_FILED),
    END_FROM(SHOW_CAUSE_ISSUED),
    END_FROM(ORDER_ENTERED),
    END_FROM(CONTEMPT_MOTION),
    END_FROM(IN_CONTEMPT),
    ROW(COMPLIED, CLOSE, CLOSED, DOJ | ACOUNS, GUARD_NONE),
    ROW(PURGED, CLOSE, CLOSED, DOJ | ACOUNS, GUARD_NONE),
    ROW(DISMISSED, CLOSE, CLOSED, DOJ | ACOUNS, GUARD_NONE),
    ROW(SETTLED, CLOSE, CLOSED, DOJ | ACOUNS, GUARD_NONE),
    ROW(ORDER_ENTERED, CLOSE, CLOSED, DOJ | ACOUNS, GUARD_ORDER_DENIED),
};

static bool
is_enforced(enum enforcement_result r)
{
    return r == ENFORCEMENT_RESULT_ENFORCED ||
           r == ENFORCEMENT_RESULT_ENFORCED_IN_PART;
}

static bool
enforcement_guard_passes(enum guard g, const struct guard_facts *f)
{
    switch (g) {
    case GUARD_NONE:
        return true;
    case GUARD_ORDER_ENFORCED:
        return is_enforced(f->order_result);
    case GUARD_ORDER_DENIED:
        return f->order_result == ENFORCEMENT_RESULT_DENIED;
    case GUARD_NONCOMPLIANT:
        return is_enforced(f->order_result) && f->past_compliance_deadline;
    default:
        return false; /* a guard this machine does not know never passes */
    }
}

const struct machine enforcement_machine = {
    .name = "enforcement",
    .state_names = state_names,
    .state_count = ENFORCEMENT_STATE__COUNT,
    .action_names = action_names,
    .action_count = ENFORCEMENT_ACTION__COUNT,
    .rows = rows,
    .row_count = sizeof rows / sizeof rows[0],
    .guard_passes = enforcement_guard_passes,
};

/* Look `s` up in `names` (n entries, NULL entries skipped). */
static bool
parse_name(const char *const *names, unsigned n, const char *s, unsigned *out)
{
    for (unsigned i = 0; i < n; i++) {
        if (names[i] != NULL && strcmp(s, names[i]) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

const char *
enforcement_state_name(enum enforcement_state s)
{
    return machine_state_name(&enforcement_machine, (int)s);
}

bool
enforcement_state_parse(const char *s, enum enforcement_state *out)
{
    unsigned v;

    if (!parse_name(state_names, ENFORCEMENT_STATE__COUNT, s, &v))
        return false;
    *out = (enum enforcement_state)v;
    return true;
}

const char *
enforcement_action_name(enum enforcement_action a)
{
    return machine_action_name(&enforcement_machine, (int)a);
}

bool
enforcement_action_parse(const char *s, enum enforcement_action *out)
{
    unsigned v;

    if (!parse_name(action_names, ENFORCEMENT_ACTION__COUNT, s, &v))
        return false;
    *out = (enum enforcement_action)v;
    return true;
}

const char *
enforcement_result_name(enum enforcement_result r)
{
    if ((unsigned)r >= (unsigned)ENFORCEMENT_RESULT__COUNT)
        return NULL;
    return result_names[r];
}

bool
enforcement_result_parse(const char *s, enum enforcement_result *out)
{
    unsigned v;

    if (!parse_name(result_names, ENFORCEMENT_RESULT__COUNT, s, &v))
        return false;
    *out = (enum enforcement_result)v;
    return true;
}

const char *
enforcement_contempt_kind_name(enum enforcement_contempt_kind k)
{
    if ((unsigned)k >= (unsigned)ENFORCEMENT_CONTEMPT_KIND__COUNT)
        return NULL;
    return kind_names[k];
}

bool
enforcement_contempt_kind_parse(const char *s,
                                enum enforcement_contempt_kind *out)
{
    unsigned v;

    if (!parse_name(kind_names, ENFORCEMENT_CONTEMPT_KIND__COUNT, s, &v))
        return false;
    *out = (enum enforcement_contempt_kind)v;
    return true;
}

bool
enforcement_is_noncompliant(enum enforcement_state state,
                            enum enforcement_result result,
                            int32_t compliance_due_day,
                            int32_t today_day)
{
    bool is_waiting = state == ENFORCEMENT_STATE_ORDER_ENTERED ||
                      state == ENFORCEMENT_STATE_CONTEMPT_MOTION ||
                      state == ENFORCEMENT_STATE_IN_CONTEMPT;

    return is_waiting && is_enforced(result) && today_day > compliance_due_day;
}

enum cm_err
enforcement_accrued_cents(enum enforcement_contempt_kind kind,
                          int64_t per_day_cents,
                          int64_t fixed_cents,
                          int32_t starts_day,
                          int32_t purged_day,
                          int32_t today_day,
                          int64_t *out)
{
    int64_t end;
    int64_t days;

    if (per_day_cents < 0 || fixed_cents < 0)
        return CM_ERR_VALIDATION_FAILED;
    if (kind == ENFORCEMENT_CONTEMPT_KIND_CRIMINAL) {
        *out = fixed_cents;
        return CM_ERR_OK;
    }
    if (kind != ENFORCEMENT_CONTEMPT_KIND_CIVIL)
        return CM_ERR_VALIDATION_FAILED;
    /* Day numbers are int32, so these sums cannot overflow int64. */
    end = (int64_t)today_day + 1;
    if (purged_day >= 0 && (int64_t)purged_day < end)
        end = purged_day;
    days = end - (int64_t)starts_day;
    if (days <= 0) {
        *out = 0;
        return CM_ERR_OK;
    }
    if (per_day_cents > 0 && days > INT64_MAX / per_day_cents)
        return CM_ERR_VALIDATION_FAILED;
    *out = days * per_day_cents;
    return CM_ERR_OK;
}
