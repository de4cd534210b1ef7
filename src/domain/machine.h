/*
 * machine.h: the generic state-machine table behind every kind of case.
 *
 * A machine is data: a const table of rows {from state, action, to state,
 * roles allowed, guards}. The detainer, subpoena and enforcement machines
 * (detainer.h, subpoena.h, enforcement.h) each define one; this module
 * answers the two questions the HTTP layer and the web UI ask of any of
 * them: "may these roles take this action on a case in this state, and
 * where does it go?" (machine_apply) and "which actions may these roles
 * take here?" (machine_allowed_actions).
 *
 * States and actions are small ints: the values of the machine's own enums.
 * MACHINE_STATE_NONE is the pseudo state "no case yet", the source of the
 * `create` rows.
 *
 * Order of checks in machine_apply, matching API.md ("Every case"):
 *   1. unknown action or state for this machine -> CM_ERR_VALIDATION_FAILED
 *   2. none of the caller's roles may take the action from any state (after
 *      the office's tightening)                   -> CM_ERR_FORBIDDEN (403)
 *   3. no row for the action from this state      -> CM_ERR_STATE_CONFLICT
 *      (409); rows from this state exist but none for the caller's roles
 *                                                 -> CM_ERR_FORBIDDEN
 *   4. every candidate row has a failing guard    -> CM_ERR_GUARD_FAILED (422)
 *      and the first failing guard of the first candidate row is reported.
 * Several rows for one (state, action) are tried in table order and the
 * first whose guards all pass wins: that is how `submit` routes to
 * `in_review` or `ready_to_sign`.
 *
 * Guards are evaluated only against a plain struct of facts the caller
 * supplies (struct guard_facts); the domain does no I/O. Pure and
 * thread-safe: the tables are const, nothing here has state.
 */
#ifndef CM_DOMAIN_MACHINE_H
#define CM_DOMAIN_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/errors.h"
#include "domain/role.h"

/* The pseudo state before a case exists: the `from` of `create` rows. */
#define MACHINE_STATE_NONE (-1)

/* Largest number of actions and states in any machine (masks are 32-bit). */
#define MACHINE_ACTIONS_MAX 16
#define MACHINE_STATES_MAX  16

/* Largest number of guards on one row. */
#define MACHINE_GUARDS_MAX 3

/*
 * Guards. Each has a stable snake_case failure code (machine_guard_code)
 * that the HTTP layer puts in its 422 answer. Values are never renumbered.
 */
enum guard {
    GUARD_NONE,                 /* ends a row's list */
    GUARD_SIGNER_NOT_DRAFTER,   /* fails: signer_is_drafter */
    GUARD_SIGNER_AUTHORIZED,    /* fails: signer_not_authorized */
    GUARD_PROOF_OF_SERVICE,     /* fails: proof_of_service_required */
    GUARD_REVIEW_REQUIRED,      /* fails: review_not_required (routing) */
    GUARD_REVIEW_NOT_REQUIRED,  /* fails: review_required (routing) */
    GUARD_OVERDUE_OR_DEFICIENT, /* fails: not_overdue_or_deficient */
    GUARD_ENFORCEMENT_CLOSED,   /* fails: enforcement_not_closed */
    GUARD_HOLD_NOT_STARTED,     /* fails: hold_clock_already_started */
    GUARD_ORDER_ENFORCED,       /* fails: order_not_enforced */
    GUARD_ORDER_DENIED,         /* fails: order_not_denied */
    GUARD_NONCOMPLIANT,         /* fails: not_noncompliant */
    GUARD__COUNT
};

/*
 * A subpoena's disposition (derived from its items, see subpoena.h).
 * Declared here because the refer guard reads it from struct guard_facts;
 * subpoena.h gives its API names.
 */
enum subpoena_disposition {
    SUBPOENA_DISPOSITION_NONE, /* no response yet */
    SUBPOENA_DISPOSITION_COMPLIED,
    SUBPOENA_DISPOSITION_PARTIALLY_COMPLIED,
    SUBPOENA_DISPOSITION_NO_RECORDS,
    SUBPOENA_DISPOSITION_OBJECTED,
    SUBPOENA_DISPOSITION_REFUSED,
    SUBPOENA_DISPOSITION__COUNT
};

/*
 * The result of a court's order on an enforcement petition. Declared here
 * because guards read it; enforcement.h gives its API names.
 */
enum enforcement_result {
    ENFORCEMENT_RESULT_NONE, /* no order entered yet */
    ENFORCEMENT_RESULT_ENFORCED,
    ENFORCEMENT_RESULT_ENFORCED_IN_PART,
    ENFORCEMENT_RESULT_DENIED,
    ENFORCEMENT_RESULT__COUNT
};

/*
 * What the guards look at. The caller fills in what it knows (zero is the
 * safe default for every field: a guard that needs a fact left at zero
 * fails). Strings are borrowed for the call.
 */
struct guard_facts {
    /* subpoena `sign` */
    const char *actor_user_id;   /* who is acting */
    const char *drafter_user_id; /* who drafted the subpoena */
    const char *signer_title;    /* the signer's official title, or NULL */
    bool signer_has_delegation;  /* an 8 CFR 2.1 delegation in force today */
    /* subpoena `submit` routing */
    bool office_requires_review; /* the office requires counsel review */
    /* subpoena `serve` */
    bool has_proof_of_service; /* served_at, method and served_to given */
    /* subpoena `refer` and `close` */
    bool is_overdue; /* subpoena_is_overdue() today */
    enum subpoena_disposition disposition;
    bool enforcement_closed; /* its enforcement case is closed */
    /* detainer `set_release_time` */
    bool hold_clock_started;
    /* enforcement */
    enum enforcement_result order_result;
    bool past_compliance_deadline; /* today is after the compliance date */
};

/* One row of a machine: from `from`, roles `roles` may take `action`, which
 * leads to `to` when every guard passes. */
struct machine_row {
    int from; /* a state, or MACHINE_STATE_NONE */
    int action;
    int to;
    role_set roles;
    enum guard guards[MACHINE_GUARDS_MAX]; /* GUARD_NONE ends the list */
};

/* Evaluates one guard of a machine against the facts. */
typedef bool (*machine_guard_fn)(enum guard g, const struct guard_facts *f);

/* A machine: names, rows and the guard evaluator. Defined const by each
 * case module (detainer_machine, subpoena_machine, enforcement_machine). */
struct machine {
    const char *name; /* "detainer", "subpoena", "enforcement" */
    const char *const *state_names;
    int state_count;
    const char *const *action_names;
    int action_count;
    const struct machine_row *rows;
    size_t row_count;
    machine_guard_fn guard_passes;
};

/*
 * An office's tightening of the default permission table of one machine:
 * allow[action] is the set of roles the office still lets take it. The
 * effective roles are default & allow[action], so an office may tighten the
 * table but never loosen it. See perm.h to build one.
 */
struct machine_office_mask {
    role_set allow[MACHINE_ACTIONS_MAX];
};

/* The API name of state `state` of `m` ("served"), or NULL when out of
 * range (MACHINE_STATE_NONE included). */
const char *machine_state_name(const struct machine *m, int state);

/* Parse a state name of `m`; true and *out written on success. */
bool machine_state_parse(const struct machine *m, const char *s, int *out);

/* The API name of action `action` of `m` ("sign"), or NULL. */
const char *machine_action_name(const struct machine *m, int action);

/* Parse an action name of `m`; true and *out written on success. */
bool machine_action_parse(const struct machine *m, const char *s, int *out);

/* The stable snake_case failure code of guard `g` ("signer_is_drafter");
 * a static string, never NULL ("unknown_guard" for an invalid value). */
const char *machine_guard_code(enum guard g);

/* The default roles that may take `action` of `m` from some state: the
 * union of its rows' roles (0 for an invalid action). The permission table
 * of perm.h is this function; there is no second copy. */
role_set machine_action_roles(const struct machine *m, int action);

/* True when no action leads out of `state` (closed, released, ...). */
bool machine_is_terminal(const struct machine *m, int state);

/*
 * Decide whether a caller holding `roles` may take `action` on a case of
 * machine `m` now in `state` (MACHINE_STATE_NONE for `create`).
 * `office` tightens the defaults (NULL: none). `facts` feeds the guards
 * (NULL: every guard is treated as failing).
 * Returns CM_ERR_OK and writes *to; or CM_ERR_GUARD_FAILED and writes
 * *failed_guard (may be NULL); or CM_ERR_VALIDATION_FAILED,
 * CM_ERR_FORBIDDEN, CM_ERR_STATE_CONFLICT as described at the top of this
 * file, writing nothing.
 */
enum cm_err machine_apply(const struct machine *m,
                          int state,
                          int action,
                          role_set roles,
                          const struct machine_office_mask *office,
                          const struct guard_facts *facts,
                          int *to,
                          enum guard *failed_guard);

/*
 * The actions a caller holding `roles` may take on a case in `state` now:
 * bit (1u << action) is set when machine_apply would answer CM_ERR_OK.
 * With `facts` NULL guards are ignored (the actions possible in principle).
 * Returns CM_ERR_OK and writes *out, or CM_ERR_VALIDATION_FAILED for a
 * state `m` does not have.
 */
enum cm_err machine_allowed_actions(const struct machine *m,
                                    int state,
                                    role_set roles,
                                    const struct machine_office_mask *office,
                                    const struct guard_facts *facts,
                                    uint32_t *out);

#endif
