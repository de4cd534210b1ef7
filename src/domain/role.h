/*
 * role.h: organization kinds and the roles users hold in them.
 *
 * A user holds one or more roles in exactly one organization; a set of
 * roles is a bit mask (1u << ROLE_x). Names are the stable strings of the
 * API ("agency_counsel", "jurisdiction", ...).
 */
#ifndef CM_DOMAIN_ROLE_H
#define CM_DOMAIN_ROLE_H

#include <stdbool.h>

enum org_kind {
    ORG_KIND_AGENCY_OFFICE,
    ORG_KIND_JURISDICTION,
    ORG_KIND_DOJ_OFFICE,
    ORG_KIND__COUNT
};

enum role {
    ROLE_OFFICER,
    ROLE_SIGNER,
    ROLE_AGENCY_COUNSEL,
    ROLE_AUDITOR,
    ROLE_ADMIN,
    ROLE_BOOKING,
    ROLE_CUSTODIAN,
    ROLE_RECIPIENT_COUNSEL,
    ROLE_DOJ_ATTORNEY,
    ROLE__COUNT
};

/* A set of roles: bit (1u << role). */
typedef unsigned role_set;

#define ROLE_BIT(r) (1u << (unsigned)(r))

/* Every role: for routes any logged-in user may call. */
#define ROLE_ANY ((role_set)((1u << (unsigned)ROLE__COUNT) - 1u))

/* Every role but admin: case data, which an administrator never sees. */
#define ROLE_ANY_BUT_ADMIN ((role_set)(ROLE_ANY & ~ROLE_BIT(ROLE_ADMIN)))

/* The API name of a role ("officer"), or NULL for an invalid value. */
const char *role_name(enum role r);

/* Parse an API role name; true and *out written on success. */
bool role_parse(const char *s, enum role *out);

/* The API name of an org kind ("agency_office"), or NULL. */
const char *org_kind_name(enum org_kind k);

/* Parse an API org kind name; true and *out written on success. */
bool org_kind_parse(const char *s, enum org_kind *out);

/* The roles an organization of kind `k` may hold (DESIGN.md's table). */
role_set org_kind_roles(enum org_kind k);

/* True when every role in `roles` may be held in an org of kind `k` and
 * `roles` is not empty. */
bool org_kind_allows(enum org_kind k, role_set roles);

/* The longest email address a user may have, in bytes. */
#define USER_EMAIL_MAX 254

/* A plausible email address for a user: printable ASCII without spaces,
 * exactly one '@' with something on both sides, at most USER_EMAIL_MAX
 * bytes. (Whether mail reaches it is the administrator's business.) */
bool user_email_is_valid(const char *s);

#endif
