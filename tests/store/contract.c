/*
 * contract.c: main() and fixtures of the store contract suite.
 *
 * Usage: test_store_contract sqlite | test_store_contract URL
 * With "sqlite", every test gets a new database in a temporary directory
 * that is removed at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "contract.h"
#include "core/alloc.h"
#include "core/rand.h"

const char *fx_backend;
static char tmpdir[256];
static unsigned counter;

int
fx_fresh_url(char *out, size_t size)
{
    if (strcmp(fx_backend, "sqlite") != 0)
        return 0;
    (void)snprintf(out, size, "sqlite:%s/db%u.sqlite", tmpdir, ++counter);
    return 1;
}

void
fx_remove(const char *url)
{
    char path[600];

    if (strncmp(url, "sqlite:", 7) != 0)
        return;
    (void)unlink(url + 7);
    (void)snprintf(path, sizeof path, "%s-wal", url + 7);
    (void)unlink(path);
    (void)snprintf(path, sizeof path, "%s-shm", url + 7);
    (void)unlink(path);
}

int
fx_setup(void **state)
{
    struct fx *f = cm_calloc(1, sizeof *f);
    const char *why = NULL;
    int applied = -1;
    enum cm_err err;

    if (fx_fresh_url(f->url, sizeof f->url))
        err = store_open(f->url, STORE_OPEN_MODE_CREATE, &f->s, &why);
    else {
        (void)snprintf(f->url, sizeof f->url, "%s", fx_backend);
        err = store_open(f->url, STORE_OPEN_MODE_EXISTING, &f->s, &why);
    }
    if (err != CM_ERR_OK) {
        fprintf(stderr, "cannot open %s: %s\n", f->url, why);
        cm_free(f);
        return -1;
    }
    if (store_migrate(f->s, FX_T0, &applied) != STORE_ONE_RESULT) {
        store_close(f->s);
        cm_free(f);
        return -1;
    }
    *state = f;
    return 0;
}

int
fx_setup_world(void **state)
{
    struct fx *f;
    struct store_org agency = {.created_at = FX_T0,
                               .updated_at = FX_T0,
                               .kind = "agency_office",
                               .name = "Denver Field Office",
                               .state = "CO",
                               .timezone = "America/Denver"};
    struct store_org county = {.created_at = FX_T0 + 1,
                               .updated_at = FX_T0 + 1,
                               .kind = "jurisdiction",
                               .name = "Denver County",
                               .state = "CO",
                               .timezone = "America/Denver"};
    struct store_user officer = {.created_at = FX_T0,
                                 .updated_at = FX_T0,
                                 .email = "officer@agency.example",
                                 .name = "Officer One",
                                 .roles = 1u,
                                 .password_hash = "$argon2id$fake",
                                 .failed_logins = 0};
    struct store_facility jail = {.created_at = FX_T0,
                                  .updated_at = FX_T0,
                                  .name = "Downtown Detention Center",
                                  .timezone = "America/Denver"};
    unsigned char fam[] = {1, 2, 3}, bidx[] = {9, 9, 9};
    struct store_person p = {.created_at = FX_T0, .updated_at = FX_T0};

    if (fx_setup(state) != 0)
        return -1;
    f = *state;
    cm_id_new(agency.id);
    cm_id_new(county.id);
    cm_id_new(officer.id);
    cm_id_new(jail.id);
    cm_id_new(p.id);
    memcpy(officer.org_id, agency.id, sizeof agency.id);
    memcpy(jail.org_id, county.id, sizeof county.id);
    p.family_name = (struct store_blob){fam, sizeof fam};
    p.family_name_bidx = (struct store_blob){bidx, sizeof bidx};
    if (store_org_insert(f->s, &agency) != STORE_ONE_RESULT ||
        store_org_insert(f->s, &county) != STORE_ONE_RESULT ||
        store_user_insert(f->s, &officer) != STORE_ONE_RESULT ||
        store_facility_insert(f->s, &jail) != STORE_ONE_RESULT ||
        store_person_insert(f->s, &p) != STORE_ONE_RESULT) {
        (void)fx_teardown(state);
        return -1;
    }
    memcpy(f->agency, agency.id, sizeof f->agency);
    memcpy(f->county, county.id, sizeof f->county);
    memcpy(f->officer, officer.id, sizeof f->officer);
    memcpy(f->facility, jail.id, sizeof f->facility);
    memcpy(f->person, p.id, sizeof f->person);
    return 0;
}

int
fx_teardown(void **state)
{
    struct fx *f = *state;

    if (f == NULL)
        return 0;
    store_close(f->s);
    fx_remove(f->url);
    cm_free(f);
    *state = NULL;
    return 0;
}

int
main(int argc, char **argv)
{
    int failed = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: test_store_contract sqlite | URL\n");
        return 2;
    }
    fx_backend = argv[1];
    if (strcmp(fx_backend, "sqlite") == 0) {
        const char *base = getenv("TMPDIR");

        (void)snprintf(tmpdir, sizeof tmpdir, "%s/compel-store-XXXXXX",
                       base && *base ? base : "/tmp");
        if (mkdtemp(tmpdir) == NULL) {
            perror("mkdtemp");
            return 1;
        }
    }
    failed += contract_run_rows();
    failed += contract_run_tx();
    failed += contract_run_auth();
    failed += contract_run_admin();
    failed += contract_run_cases();
    failed += contract_run_infra();
    failed += contract_run_bulk();
    failed += contract_run_jobs();
    failed += contract_run_sign();
    failed += contract_run_docs();
    if (tmpdir[0] && rmdir(tmpdir) != 0)
        fprintf(stderr, "warning: %s not empty\n", tmpdir);
    return failed ? 1 : 0;
}
