/*
 * demo_world.c: the cast of `compel demo`: an agency field office, three
 * jurisdictions modelled on the public 2020 events (a city-county sheriff
 * like Denver's, a city department of correction like New York City's, a
 * county that complied like Washington County, Oregon), a U.S. Attorney's
 * office, their facilities and policies, and fictional users.
 *
 * Every person named here is invented. The cast is inserted in one
 * transaction with an audit record for each row, exactly as `compel init`
 * records the first organization and administrator.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/password.h"
#include "cli/demo.h"
#include "core/alloc.h"
#include "core/rand.h"
#include "domain/role.h"

struct org_def {
    enum org_kind kind;
    const char *name;
    const char *state;
    const char *timezone;
    bool review;
};

static const struct org_def orgs[DEMO_ORG_IX__COUNT] = {
    [DEMO_ORG_IX_FIELD_OFFICE] = {ORG_KIND_AGENCY_OFFICE,
                                  "Front Range Field Office (demo)", "CO",
                                  "America/Denver", true},
    [DEMO_ORG_IX_SHERIFF] = {ORG_KIND_JURISDICTION,
                             "Mile High City and County Sheriff (demo)", "CO",
                             "America/Denver", false},
    [DEMO_ORG_IX_CORRECTION] = {ORG_KIND_JURISDICTION,
                                "Harbor City Department of Correction (demo)",
                                "NY", "America/New_York", false},
    [DEMO_ORG_IX_COUNTY] = {ORG_KIND_JURISDICTION,
                            "Tualatin Valley County Sheriff (demo)", "OR",
                            "America/Los_Angeles", false},
    [DEMO_ORG_IX_USAO] = {ORG_KIND_DOJ_OFFICE,
                          "U.S. Attorney's Office, District of Colorado "
                          "(demo)",
                          "CO", "America/Denver", false},
};

struct fac_def {
    enum demo_org_ix org;
    const char *name;
};

static const struct fac_def facilities[DEMO_FAC_IX__COUNT] = {
    [DEMO_FAC_IX_SHERIFF_DOWNTOWN] = {DEMO_ORG_IX_SHERIFF,
                                      "Downtown Detention Center"},
    [DEMO_FAC_IX_SHERIFF_COUNTY_JAIL] = {DEMO_ORG_IX_SHERIFF,
                                         "City and County Jail"},
    [DEMO_FAC_IX_CORRECTION_ISLAND] = {DEMO_ORG_IX_CORRECTION,
                                       "Island Detention Complex"},
    [DEMO_FAC_IX_COUNTY_JAIL] = {DEMO_ORG_IX_COUNTY, "County Jail"},
};

struct policy_def {
    enum demo_org_ix org;
    const char *effective_from;
    const char *detainers;
    bool release_notification;
    const char *subpoenas;
    const char *citation;
    const char *summary;
};

static const struct policy_def policies[] = {
    {DEMO_ORG_IX_SHERIFF, "2017-08-31", "decline", false, "review",
     "Public safety enforcement priorities ordinance of 2017 (modelled)",
     "Detainers are declined without a judicial warrant; records requests "
     "are reviewed one by one."},
    {DEMO_ORG_IX_SHERIFF, "2020-01-01", "decline", false, "court_order_only",
     "Public safety enforcement priorities ordinance, as amended (modelled)",
     "Detainers are declined. Administrative subpoenas are not complied with "
     "unless court-ordered or primarily related to a criminal "
     "investigation."},
    {DEMO_ORG_IX_CORRECTION, "2014-11-14", "criteria", false, "review",
     "Local detainer law of 2014 (modelled on New York City's)",
     "Detainers are honored only with a judicial warrant and a conviction "
     "for a listed serious crime; records requests are reviewed."},
    {DEMO_ORG_IX_COUNTY, "2018-01-01", "decline", false, "comply",
     "ORS 180.805 (modelled): disclosure when required by federal law",
     "Detainer holds are declined; subpoenas that federal law makes "
     "binding are complied with."},
};

#define N_POLICIES (sizeof policies / sizeof policies[0])

#define OFFICE DEMO_ORG_IX_FIELD_OFFICE

struct user_def {
    const char *email;
    const char *name;
    enum demo_org_ix org;
    unsigned roles;
    const char *title;
};

static const struct user_def users[DEMO_USER_IX__COUNT] = {
    [DEMO_USER_IX_OFFICER] = {"officer@field.demo.example", "Rowan Tessaly",
                              OFFICE, ROLE_BIT(ROLE_OFFICER),
                              "Deportation Officer"},
    [DEMO_USER_IX_OFFICER2] = {"officer2@field.demo.example",
                               "Imre Calloway-Nunn", OFFICE,
                               ROLE_BIT(ROLE_OFFICER), "Deportation Officer"},
    [DEMO_USER_IX_DIRECTOR] = {"director@field.demo.example",
                               "Marguerite Oakhollow", OFFICE,
                               ROLE_BIT(ROLE_SIGNER), "Field Office Director"},
    [DEMO_USER_IX_DEPUTY] = {"deputy@field.demo.example", "Teodor Brambleigh",
                             OFFICE, ROLE_BIT(ROLE_SIGNER),
                             "Assistant Field Office Director"},
    [DEMO_USER_IX_COUNSEL] = {"counsel@field.demo.example", "Priya Vantongeren",
                              OFFICE, ROLE_BIT(ROLE_AGENCY_COUNSEL),
                              "Chief Counsel (demo)"},
    [DEMO_USER_IX_AUDITOR] = {"auditor@field.demo.example", "Osric Pellworth",
                              OFFICE, ROLE_BIT(ROLE_AUDITOR), NULL},
    [DEMO_USER_IX_SHERIFF_BOOKING] = {"booking@sheriff.demo.example",
                                      "Lucinda Farrowdale", DEMO_ORG_IX_SHERIFF,
                                      ROLE_BIT(ROLE_BOOKING), NULL},
    [DEMO_USER_IX_SHERIFF_RECORDS] = {"records@sheriff.demo.example",
                                      "Basil Quenneville", DEMO_ORG_IX_SHERIFF,
                                      ROLE_BIT(ROLE_CUSTODIAN), NULL},
    [DEMO_USER_IX_SHERIFF_COUNSEL] = {"counsel@sheriff.demo.example",
                                      "Henrietta Ashgrove", DEMO_ORG_IX_SHERIFF,
                                      ROLE_BIT(ROLE_RECIPIENT_COUNSEL),
                                      "Assistant City Attorney"},
    [DEMO_USER_IX_CORRECTION_BOOKING] = {"booking@correction.demo.example",
                                         "Desmond Ravelstone",
                                         DEMO_ORG_IX_CORRECTION,
                                         ROLE_BIT(ROLE_BOOKING), NULL},
    [DEMO_USER_IX_CORRECTION_RECORDS] = {"records@correction.demo.example",
                                         "Ottilie Marchbanks",
                                         DEMO_ORG_IX_CORRECTION,
                                         ROLE_BIT(ROLE_CUSTODIAN), NULL},
    [DEMO_USER_IX_CORRECTION_COUNSEL] = {"counsel@correction.demo.example",
                                         "Caspian Wendlebury",
                                         DEMO_ORG_IX_CORRECTION,
                                         ROLE_BIT(ROLE_RECIPIENT_COUNSEL),
                                         "Assistant Corporation Counsel"},
    [DEMO_USER_IX_COUNTY_BOOKING] = {"booking@county.demo.example",
                                     "Wilhelmina Thornquist",
                                     DEMO_ORG_IX_COUNTY, ROLE_BIT(ROLE_BOOKING),
                                     NULL},
    [DEMO_USER_IX_COUNTY_RECORDS] = {"records@county.demo.example",
                                     "Ambrose Kettleby", DEMO_ORG_IX_COUNTY,
                                     ROLE_BIT(ROLE_CUSTODIAN), NULL},
    [DEMO_USER_IX_COUNTY_COUNSEL] = {"counsel@county.demo.example",
                                     "Seraphina Dunmore", DEMO_ORG_IX_COUNTY,
                                     ROLE_BIT(ROLE_RECIPIENT_COUNSEL),
                                     "County Counsel"},
    [DEMO_USER_IX_AUSA] = {"ausa@usao.demo.example", "Beatrix Hollowmere",
                           DEMO_ORG_IX_USAO, ROLE_BIT(ROLE_DOJ_ATTORNEY),
                           "Assistant United States Attorney"},
};

/* What the transaction writes; ids and hashes are made before it runs. */
struct world_tx {
    struct demo *d;
    char (*hashes)[PASSWORD_HASH_MAX];
    char policy_id[N_POLICIES][STORE_ID_SIZE];
    char delegation_id[STORE_ID_SIZE];
    bool exists; /* a row of the cast was already there */
};

void
demo_world_init(struct demo *d)
{
    for (size_t i = 0; i < DEMO_USER_IX__COUNT; i++) {
        d->users[i].email = users[i].email;
        d->users[i].name = users[i].name;
        d->users[i].org = users[i].org;
        d->users[i].roles = users[i].roles;
        d->users[i].title = users[i].title;
    }
}

static enum store_rc
audit_row(struct store *s,
          const struct world_tx *t,
          const char *action,
          const char *kind,
          const char *id)
{
    struct audit_entry e = {.at_us = t->d->now,
                            .org_id = t->d->org_id[OFFICE],
                            .action = action,
                            .object_kind = kind,
                            .object_id = id,
                            .outcome = "ok",
                            .detail = "compel demo"};

    return audit_append(s, &e, NULL);
}

/* An insert's result as a transaction result: a row already there stops
 * the transaction and is remembered. */
static enum store_rc
inserted(struct world_tx *t, enum store_rc rc)
{
    if (rc == STORE_NO_RESULTS) {
        t->exists = true;
        return STORE_HARD_ERROR;
    }
    return rc;
}

static enum store_rc
insert_orgs(struct store *s, struct world_tx *t)
{
    struct demo *d = t->d;
    enum store_rc rc = STORE_ONE_RESULT;

    for (size_t i = 0; i < DEMO_ORG_IX__COUNT && rc >= 0; i++) {
        struct store_org o = {.created_at = d->now,
                              .updated_at = d->now,
                              .kind = (char *)org_kind_name(orgs[i].kind),
                              .name = (char *)orgs[i].name,
                              .state = (char *)orgs[i].state,
                              .timezone = (char *)orgs[i].timezone,
                              .requires_counsel_review = orgs[i].review};

        char cal_id[STORE_ID_SIZE];

        memcpy(o.id, d->org_id[i], STORE_ID_SIZE);
        rc = inserted(t, store_org_insert(s, &o));
        if (rc >= 0 && orgs[i].kind == ORG_KIND_JURISDICTION)
            rc = inserted(t, store_jurisdiction_calendar_insert(s, &o, cal_id));
        if (rc >= 0)
            rc = audit_row(s, t, "org.create", "org", o.id);
    }
    for (size_t i = 0; i < DEMO_FAC_IX__COUNT && rc >= 0; i++) {
        struct store_facility f = {
            .created_at = d->now,
            .updated_at = d->now,
            .name = (char *)facilities[i].name,
            .timezone = (char *)orgs[facilities[i].org].timezone};

        memcpy(f.id, d->fac_id[i], STORE_ID_SIZE);
        memcpy(f.org_id, d->org_id[facilities[i].org], STORE_ID_SIZE);
        rc = inserted(t, store_facility_insert(s, &f));
        if (rc >= 0)
            rc = audit_row(s, t, "facility.create", "facility", f.id);
    }
    for (size_t i = 0; i < N_POLICIES && rc >= 0; i++) {
        struct store_policy p = {
            .effective_from = (char *)policies[i].effective_from,
            .detainers = (char *)policies[i].detainers,
            .release_notification = policies[i].release_notification,
            .subpoenas = (char *)policies[i].subpoenas,
            .citation = (char *)policies[i].citation,
            .summary = (char *)policies[i].summary,
            .created_at = d->now};
        int64_t version_no = 0;

        memcpy(p.id, t->policy_id[i], STORE_ID_SIZE);
        memcpy(p.org_id, d->org_id[policies[i].org], STORE_ID_SIZE);
        rc = inserted(t, store_policy_insert(s, &p, &version_no));
        if (rc >= 0)
            rc = audit_row(s, t, "policy.create", "policy", p.id);
    }
    return rc;
}

static enum store_rc
insert_world(struct store *s, void *cls)
{
    struct world_tx *t = cls;
    struct demo *d = t->d;
    enum store_rc rc;

    t->exists = false;
    rc = insert_orgs(s, t);
    for (size_t i = 0; i < DEMO_USER_IX__COUNT && rc >= 0; i++) {
        struct store_user u = {.created_at = d->now,
                               .updated_at = d->now,
                               .email = (char *)users[i].email,
                               .name = (char *)users[i].name,
                               .roles = users[i].roles,
                               .title = (char *)users[i].title,
                               .password_hash = t->hashes[i]};

        memcpy(u.id, d->users[i].id, STORE_ID_SIZE);
        memcpy(u.org_id, d->org_id[users[i].org], STORE_ID_SIZE);
        rc = inserted(t, store_user_insert(s, &u));
        if (rc >= 0)
            rc = audit_row(s, t, "user.create", "user", u.id);
    }
    if (rc >= 0) {
        /* The deputy's title is not one 8 CFR 287.4(a) lists: the
         * Director's written delegation (8 CFR 2.1) lets the deputy sign. */
        struct store_delegation dl = {
            .authority = "Delegation of subpoena authority by the Field "
                         "Office Director under 8 CFR 2.1 (demo)",
            .effective_from = "2019-10-01",
            .created_at = d->now};

        memcpy(dl.id, t->delegation_id, STORE_ID_SIZE);
        memcpy(dl.user_id, d->users[DEMO_USER_IX_DEPUTY].id, STORE_ID_SIZE);
        rc = inserted(t, store_delegation_insert(s, &dl));
        if (rc >= 0)
            rc = audit_row(s, t, "delegation.create", "delegation", dl.id);
    }
    return rc;
}

enum cm_err
demo_world_create(struct store *s, struct demo *d, const char **why)
{
    struct world_tx t = {.d = d};
    enum cm_err err = CM_ERR_OK;

    t.hashes = cm_calloc(DEMO_USER_IX__COUNT, sizeof *t.hashes);
    for (size_t i = 0; i < DEMO_USER_IX__COUNT; i++) {
        if (password_hash(DEMO_PASSWORD, t.hashes[i]) != CM_ERR_OK) {
            *why = "cannot hash the demo password";
            err = CM_ERR_INTERNAL;
            goto out_free;
        }
        cm_id_new(d->users[i].id);
    }
    for (size_t i = 0; i < DEMO_ORG_IX__COUNT; i++)
        cm_id_new(d->org_id[i]);
    for (size_t i = 0; i < DEMO_FAC_IX__COUNT; i++)
        cm_id_new(d->fac_id[i]);
    for (size_t i = 0; i < N_POLICIES; i++)
        cm_id_new(t.policy_id[i]);
    cm_id_new(t.delegation_id);
    if (store_tx_run(s, "demo-world", insert_world, &t) < 0) {
        err = t.exists ? CM_ERR_ALREADY_EXISTS : CM_ERR_STORE_FAILURE;
        *why = t.exists ? "the demo's organizations or users already exist"
                        : "creating the demo's organizations and users "
                          "failed";
    }
out_free:
    cm_free(t.hashes);
    return err;
}

/* The role names of `roles`, joined by commas, into out. */
static void
format_roles(unsigned roles, char *out, size_t size)
{
    size_t n = 0;

    out[0] = '\0';
    for (unsigned r = 0; r < (unsigned)ROLE__COUNT; r++) {
        if ((roles & ROLE_BIT(r)) == 0)
            continue;
        int w = snprintf(out + n, size - n, "%s%s", n ? "," : "",
                         role_name((enum role)r));
        if (w < 0 || (size_t)w >= size - n)
            break;
        n += (size_t)w;
    }
}

void
demo_world_print_logins(const struct demo *d)
{
    char roles[128];

    (void)d;
    (void)printf("Demo logins (every one has the password %s):\n\n",
                 DEMO_PASSWORD);
    (void)printf("  %-34s %-18s %s\n", "email", "role", "organization");
    for (size_t i = 0; i < DEMO_USER_IX__COUNT; i++) {
        format_roles(users[i].roles, roles, sizeof roles);
        (void)printf("  %-34s %-18s %s\n", users[i].email, roles,
                     orgs[users[i].org].name);
    }
}
