/*
 * perm.h: the permission table (role x action) and the scoping rules
 * (which organization sees which case).
 *
 * Permissions. The default table is not written down a second time: the
 * roles that may take an action are the union of the roles on that
 * action's rows in the machine (machine_action_roles). An office may
 * tighten it with a struct machine_office_mask: effective = default & mask,
 * so it can take a role away from an action but never add one. Admin and
 * auditor appear on no row, so they take no case action anywhere, and no
 * mask can give them one. Separation of duties (the drafter cannot sign)
 * is the `sign` row's guard, see subpoena.h.
 *
 * Scoping (DESIGN.md "Who sees what"), a const table of rules; a case is
 * visible when some rule matches:
 *   agency_office  officer, signer, agency_counsel, auditor: every case of
 *                  its own agency; auditor: every case of every org
 *   jurisdiction   any role: detainers lodged at its facilities; subpoenas
 *                  addressed to it once served (never draft, in_review,
 *                  ready_to_sign or signed; a withdrawn one only if it had
 *                  been served); enforcement cases against it
 *   doj_office     doj_attorney: enforcement cases referred to it and the
 *                  subpoenas behind them
 * An admin (holding no other role) sees no case. Anything else is out of
 * scope: the HTTP layer answers 404. Pure and thread-safe.
 */
#ifndef CM_DOMAIN_PERM_H
#define CM_DOMAIN_PERM_H

#include <stdbool.h>

#include "domain/machine.h"
#include "domain/role.h"

/* Set every action of `mask` to all roles: the office does not tighten. */
void perm_mask_init(struct machine_office_mask *mask);

/* Tighten `mask`: from now on only roles in `keep` (and still allowed by
 * the mask) may take `action`. An invalid action is ignored. */
void
perm_mask_tighten(struct machine_office_mask *mask, int action, role_set keep);

/* The roles that may take `action` of `m` by default (DESIGN.md's table). */
role_set perm_default_roles(const struct machine *m, int action);

/* The roles that may take `action` of `m` in an office with `mask` (NULL:
 * the defaults): perm_default_roles() & mask->allow[action]. */
role_set perm_effective_roles(const struct machine *m,
                              int action,
                              const struct machine_office_mask *mask);

/* True when a user holding `roles` may take `action` of `m` from some
 * state, in an office with `mask` (NULL: the defaults). */
bool perm_can_take(const struct machine *m,
                   int action,
                   role_set roles,
                   const struct machine_office_mask *mask);

/* The kind of a case, for scoping. */
enum perm_case_kind {
    PERM_CASE_KIND_DETAINER,
    PERM_CASE_KIND_SUBPOENA,
    PERM_CASE_KIND_ENFORCEMENT,
    PERM_CASE_KIND__COUNT
};

/* Who is looking. Strings are borrowed for the call. */
struct perm_viewer {
    const char *org_id;
    enum org_kind org_kind;
    role_set roles;
};

/*
 * What is looked at. Org ids that do not apply are NULL; NULL never
 * matches. `state` is the case's state in its own machine.
 */
struct perm_case {
    enum perm_case_kind kind;
    int state;
    const char *agency_org_id;    /* the agency office that owns the case */
    const char *recipient_org_id; /* subpoena recipient, enforcement
                                     respondent */
    const char *facility_org_id;  /* detainer: org running the facility */
    const char *doj_org_id;       /* DOJ office the enforcement case (or the
                                     subpoena's) is referred to */
    bool was_served;              /* subpoena: it has been served */
};

/* True when `viewer` may see `c`; false means "answer 404". */
bool perm_can_view(const struct perm_viewer *viewer, const struct perm_case *c);

#endif
