/*
 * detainer.c: the detainer machine's table, names and hold-clock checks.
 *
 * The table below is the single source of truth for who may do what to a
 * detainer; perm.c reads it, the tests walk it.
 */
#include "domain/detainer.h"

#include <string.h>

#define BOOKING ROLE_BIT(ROLE_BOOKING)
#define OFFICER ROLE_BIT(ROLE_OFFICER)

_Static_assert(DETAINER_ACTION__COUNT <= MACHINE_ACTIONS_MAX,
               "action masks are 32-bit and office masks fixed-size");
_Static_assert(DETAINER_STATE__COUNT <= MACHINE_STATES_MAX, "too many states");

static const char *const state_names[DETAINER_STATE__COUNT] = {
    [DETAINER_STATE_LODGED] = "lodged",
    [DETAINER_STATE_ACKNOWLEDGED] = "acknowledged",
    [DETAINER_STATE_HONORED] = "honored",
    [DETAINER_STATE_DECLINED] = "declined",
    [DETAINER_STATE_RELEASED] = "released",
    [DETAINER_STATE_TRANSFERRED] = "transferred",
    [DETAINER_STATE_CANCELLED] = "cancelled",
};

static const char *const action_names[DETAINER_ACTION__COUNT] = {
    [DETAINER_ACTION_CREATE] = "create",
    [DETAINER_ACTION_ACKNOWLEDGE] = "acknowledge",
    [DETAINER_ACTION_HONOR] = "honor",
    [DETAINER_ACTION_DECLINE] = "decline",
    [DETAINER_ACTION_SET_RELEASE_TIME] = "set_release_time",
    [DETAINER_ACTION_RELEASE] = "release",
    [DETAINER_ACTION_TRANSFER] = "transfer",
    [DETAINER_ACTION_CANCEL] = "cancel",
};

static const char *const source_names[DETAINER_OUTCOME_SOURCE__COUNT] = {
    [DETAINER_OUTCOME_SOURCE_REPORTED] = "reported",
    [DETAINER_OUTCOME_SOURCE_OBSERVED] = "observed",
    [DETAINER_OUTCOME_SOURCE_INFERRED] = "inferred",
};

#define ROW(from, action, to, roles, ...)                               \
    {                                                                   \
        (from), DETAINER_ACTION_##action, DETAINER_STATE_##to, (roles), \
        {                                                               \
            __VA_ARGS__                                                 \
        }                                                               \
    }
#define S(x) DETAINER_STATE_##x

static const struct machine_row rows[] = {
    ROW(MACHINE_STATE_NONE, CREATE, LODGED, OFFICER, GUARD_NONE),
    ROW(S(LODGED), ACKNOWLEDGE, ACKNOWLEDGED, BOOKING, GUARD_NONE),
    ROW(S(ACKNOWLEDGED), HONOR, HONORED, BOOKING, GUARD_NONE),
    ROW(S(ACKNOWLEDGED), DECLINE, DECLINED, BOOKING, GUARD_NONE),
    ROW(S(HONORED), SET_RELEASE_TIME, HONORED, BOOKING, GUARD_HOLD_NOT_STARTED),
    ROW(S(LODGED), RELEASE, RELEASED, BOOKING, GUARD_NONE),
    ROW(S(ACKNOWLEDGED), RELEASE, RELEASED, BOOKING, GUARD_NONE),
    ROW(S(HONORED), RELEASE, RELEASED, BOOKING, GUARD_NONE),
    ROW(S(DECLINED), RELEASE, RELEASED, BOOKING, GUARD_NONE),
    ROW(S(LODGED), TRANSFER, TRANSFERRED, BOOKING | OFFICER, GUARD_NONE),
    ROW(S(ACKNOWLEDGED), TRANSFER, TRANSFERRED, BOOKING | OFFICER, GUARD_NONE),
    ROW(S(HONORED), TRANSFER, TRANSFERRED, BOOKING | OFFICER, GUARD_NONE),
    ROW(S(LODGED), CANCEL, CANCELLED, OFFICER, GUARD_NONE),
    ROW(S(ACKNOWLEDGED), CANCEL, CANCELLED, OFFICER, GUARD_NONE),
    ROW(S(HONORED), CANCEL, CANCELLED, OFFICER, GUARD_NONE),
    ROW(S(DECLINED), CANCEL, CANCELLED, OFFICER, GUARD_NONE),
};

static bool
detainer_guard_passes(enum guard g, const struct guard_facts *f)
{
    switch (g) {
    case GUARD_NONE:
        return true;
    case GUARD_HOLD_NOT_STARTED:
        return !f->hold_clock_started;
    default:
        return false; /* a guard this machine does not know never passes */
    }
}

const struct machine detainer_machine = {
    .name = "detainer",
    .state_names = state_names,
    .state_count = DETAINER_STATE__COUNT,
    .action_names = action_names,
    .action_count = DETAINER_ACTION__COUNT,
    .rows = rows,
    .row_count = sizeof rows / sizeof rows[0],
    .guard_passes = detainer_guard_passes,
};

const char *
detainer_state_name(enum detainer_state s)
{
    return machine_state_name(&detainer_machine, (int)s);
}

bool
detainer_state_parse(const char *s, enum detainer_state *out)
{
    int v;

    if (!machine_state_parse(&detainer_machine, s, &v))
        return false;
    *out = (enum detainer_state)v;
    return true;
}

const char *
detainer_action_name(enum detainer_action a)
{
    return machine_action_name(&detainer_machine, (int)a);
}

bool
detainer_action_parse(const char *s, enum detainer_action *out)
{
    int v;

    if (!machine_action_parse(&detainer_machine, s, &v))
        return false;
    *out = (enum detainer_action)v;
    return true;
}

const char *
detainer_outcome_source_name(enum detainer_outcome_source s)
{
    if ((unsigned)s >= (unsigned)DETAINER_OUTCOME_SOURCE__COUNT)
        return NULL;
    return source_names[s];
}

bool
detainer_outcome_source_parse(const char *s, enum detainer_outcome_source *out)
{
    for (unsigned i = 0; i < (unsigned)DETAINER_OUTCOME_SOURCE__COUNT; i++) {
        if (strcmp(s, source_names[i]) == 0) {
            *out = (enum detainer_outcome_source)i;
            return true;
        }
    }
    return false;
}

bool
detainer_is_past_max_hold(int64_t now, int64_t max_hold_until)
{
    return now > max_hold_until;
}

bool
detainer_is_over_detained(enum detainer_state state,
                          bool hold_clock_started,
                          int64_t now,
                          int64_t max_hold_until)
{
    return state == DETAINER_STATE_HONORED && hold_clock_started &&
           detainer_is_past_max_hold(now, max_hold_until);
}
