/*
 * perm.c: the permission table derived from the machines, office
 * tightening masks, and the scoping rules as a const table.
 */
#include "domain/perm.h"

#include <string.h>

#include "domain/subpoena.h"

void
perm_mask_init(struct machine_office_mask *mask)
{
    for (int i = 0; i < MACHINE_ACTIONS_MAX; i++)
        mask->allow[i] = ~(role_set)0;
}

void
perm_mask_tighten(struct machine_office_mask *mask, int action, role_set keep)
{
    if (action < 0 || action >= MACHINE_ACTIONS_MAX)
        return;
    mask->allow[action] &= keep;
}

role_set
perm_default_roles(const struct machine *m, int action)
{
    return machine_action_roles(m, action);
}

role_set
perm_effective_roles(const struct machine *m,
                     int action,
                     const struct machine_office_mask *mask)
{
    role_set roles = perm_default_roles(m, action);

    if (mask != NULL && action >= 0 && action < MACHINE_ACTIONS_MAX)
        roles &= mask->allow[action];
    return roles;
}

bool
perm_can_take(const struct machine *m,
              int action,
              role_set roles,
              const struct machine_office_mask *mask)
{
    return (perm_effective_roles(m, action, mask) & roles) != 0;
}

/* Which org id of the case the viewer's org must be. */
enum relation {
    RELATION_ANY,       /* every case */
    RELATION_AGENCY,    /* owning agency office */
    RELATION_RECIPIENT, /* subpoena recipient / enforcement respondent */
    RELATION_FACILITY,  /* detainer facility's org */
    RELATION_DOJ,       /* DOJ office referred to */
};

/* A further condition on the case. */
enum condition {
    CONDITION_ALWAYS,
    CONDITION_SERVED, /* a subpoena that has been served */
};

#define CASE_ANY (-1)

struct scope_rule {
    enum org_kind org_kind;
    int case_kind;  /* enum perm_case_kind or CASE_ANY */
    role_set roles; /* the viewer needs one of them */
    enum relation relation;
    enum condition condition;
};

#define AGENCY_READERS                                \
    (ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_SIGNER) | \
     ROLE_BIT(ROLE_AGENCY_COUNSEL) | ROLE_BIT(ROLE_AUDITOR))
#define JURISDICTION_ROLES                               \
    (ROLE_BIT(ROLE_BOOKING) | ROLE_BIT(ROLE_CUSTODIAN) | \
     ROLE_BIT(ROLE_RECIPIENT_COUNSEL))
#define DOJ_ROLES ROLE_BIT(ROLE_DOJ_ATTORNEY)

static const struct scope_rule rules[] = {
    {ORG_KIND_AGENCY_OFFICE, CASE_ANY, AGENCY_READERS, RELATION_AGENCY,
     CONDITION_ALWAYS},
    {ORG_KIND_AGENCY_OFFICE, CASE_ANY, ROLE_BIT(ROLE_AUDITOR), RELATION_ANY,
     CONDITION_ALWAYS},
    {ORG_KIND_JURISDICTION, PERM_CASE_KIND_DETAINER, JURISDICTION_ROLES,
     RELATION_FACILITY, CONDITION_ALWAYS},
    {ORG_KIND_JURISDICTION, PERM_CASE_KIND_SUBPOENA, JURISDICTION_ROLES,
     RELATION_RECIPIENT, CONDITION_SERVED},
    {ORG_KIND_JURISDICTION, PERM_CASE_KIND_ENFORCEMENT, JURISDICTION_ROLES,
     RELATION_RECIPIENT, CONDITION_ALWAYS},
    {ORG_KIND_DOJ_OFFICE, PERM_CASE_KIND_ENFORCEMENT, DOJ_ROLES, RELATION_DOJ,
     CONDITION_ALWAYS},
    {ORG_KIND_DOJ_OFFICE, PERM_CASE_KIND_SUBPOENA, DOJ_ROLES, RELATION_DOJ,
     CONDITION_ALWAYS},
};

static bool
is_same_id(const char *a, const char *b)
{
    return a != NULL && b != NULL && a[0] != '\0' && strcmp(a, b) == 0;
}

static bool
is_related(enum relation rel,
           const struct perm_viewer *v,
           const struct perm_case *c)
{
    switch (rel) {
    case RELATION_ANY:
        return true;
    case RELATION_AGENCY:
        return is_same_id(v->org_id, c->agency_org_id);
    case RELATION_RECIPIENT:
        return is_same_id(v->org_id, c->recipient_org_id);
    case RELATION_FACILITY:
        return is_same_id(v->org_id, c->facility_org_id);
    case RELATION_DOJ:
        return is_same_id(v->org_id, c->doj_org_id);
    }
    return false;
}

/* A subpoena has been served when its state lies after service, or it was
 * withdrawn after service. Before service the recipient never sees it,
 * whatever `was_served` says. */
static bool
is_served(const struct perm_case *c)
{
    switch (c->state) {
    case SUBPOENA_STATE_SERVED:
    case SUBPOENA_STATE_RESPONDED:
    case SUBPOENA_STATE_REFERRED:
    case SUBPOENA_STATE_CLOSED:
        return true;
    case SUBPOENA_STATE_WITHDRAWN:
        return c->was_served;
    default:
        return false;
    }
}

static bool
is_condition_met(enum condition cond, const struct perm_case *c)
{
    switch (cond) {
    case CONDITION_ALWAYS:
        return true;
    case CONDITION_SERVED:
        return c->kind == PERM_CASE_KIND_SUBPOENA && is_served(c);
    }
    return false;
}

bool
perm_can_view(const struct perm_viewer *viewer, const struct perm_case *c)
{
    /* A role the org kind may not hold grants nothing. */
    role_set roles = viewer->roles & org_kind_roles(viewer->org_kind);

    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        const struct scope_rule *r = &rules[i];

        if (r->org_kind != viewer->org_kind || (r->roles & roles) == 0)
            continue;
        if (r->case_kind != CASE_ANY && r->case_kind != (int)c->kind)
            continue;
        if (is_related(r->relation, viewer, c) &&
            is_condition_met(r->condition, c))
            return true;
    }
    return false;
}
