/*
 * role.c: organization kinds, roles, and which kind may hold which role.
 */
#include "domain/role.h"

#include <string.h>

static const char *const role_names[ROLE__COUNT] = {
    [ROLE_OFFICER] = "officer",
    [ROLE_SIGNER] = "signer",
    [ROLE_AGENCY_COUNSEL] = "agency_counsel",
    [ROLE_AUDITOR] = "auditor",
    [ROLE_ADMIN] = "admin",
    [ROLE_BOOKING] = "booking",
    [ROLE_CUSTODIAN] = "custodian",
    [ROLE_RECIPIENT_COUNSEL] = "recipient_counsel",
    [ROLE_DOJ_ATTORNEY] = "doj_attorney",
};

static const char *const kind_names[ORG_KIND__COUNT] = {
    [ORG_KIND_AGENCY_OFFICE] = "agency_office",
    [ORG_KIND_JURISDICTION] = "jurisdiction",
    [ORG_KIND_DOJ_OFFICE] = "doj_office",
};

/* DESIGN.md, "Organizations and roles". */
static const role_set kind_roles[ORG_KIND__COUNT] = {
    [ORG_KIND_AGENCY_OFFICE] = ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_SIGNER) |
                               ROLE_BIT(ROLE_AGENCY_COUNSEL) |
                               ROLE_BIT(ROLE_AUDITOR) | ROLE_BIT(ROLE_ADMIN),
    [ORG_KIND_JURISDICTION] = ROLE_BIT(ROLE_BOOKING) |
                              ROLE_BIT(ROLE_CUSTODIAN) |
                              ROLE_BIT(ROLE_RECIPIENT_COUNSEL),
    [ORG_KIND_DOJ_OFFICE] = ROLE_BIT(ROLE_DOJ_ATTORNEY),
};

const char *
role_name(enum role r)
{
    if ((unsigned)r >= (unsigned)ROLE__COUNT)
        return NULL;
    return role_names[r];
}

bool
role_parse(const char *s, enum role *out)
{
    for (unsigned i = 0; i < (unsigned)ROLE__COUNT; i++) {
        if (strcmp(s, role_names[i]) == 0) {
            *out = (enum role)i;
            return true;
        }
    }
    return false;
}

const char *
org_kind_name(enum org_kind k)
{
    if ((unsigned)k >= (unsigned)ORG_KIND__COUNT)
        return NULL;
    return kind_names[k];
}

bool
org_kind_parse(const char *s, enum org_kind *out)
{
    for (unsigned i = 0; i < (unsigned)ORG_KIND__COUNT; i++) {
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (enum org_kind)i;
            return true;
        }
    }
    return false;
}

role_set
org_kind_roles(enum org_kind k)
{
    if ((unsigned)k >= (unsigned)ORG_KIND__COUNT)
        return 0;
    return kind_roles[k];
}

bool
org_kind_allows(enum org_kind k, role_set roles)
{
    return roles != 0 && (roles & ~org_kind_roles(k)) == 0;
}

bool
user_email_is_valid(const char *s)
{
    const char *at = strchr(s, '@');
    size_t n = strlen(s);

    if (!at || at == s || at[1] == '\0' || strchr(at + 1, '@') ||
        n > USER_EMAIL_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return false;
    }
    return true;
}
