/*
 * contract.c: main() and fixtures of the store contract suite.
 *
 * Usage: test_store_contract sqlite | test_store_contract URL
 * With "sqlite", every test gets a new database in a temporary directory
 * that is removed at the end. With a postgresql:// URL every test runs
 * on that database, migrated and then emptied (every table but
 * schema_migrations, and the seeded rows put back with compel_seed()):
 * give it a database of its own, as tests/pg/pgtest.sh makes.
 *
 * COMPEL_CONTRACT_GROUPS=rows,tx,... runs only the named groups (rows,
 * tx, auth, admin, cases, infra, bulk, jobs, sign, docs); unset or empty,
 * all of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

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

/* The connection fx_setup empties a PostgreSQL database with. */
static PGconn *reset_conn;

static bool
is_postgres(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 ||
           strncmp(url, "postgres://", 11) == 0;
}

/* Empty every table of the PostgreSQL database at fx_backend but
 * schema_migrations, as if it had just been migrated. Replica mode turns
 * off the triggers (append-only, foreign keys) for this transaction only;
 * the cluster's user is a superuser. 0 on success. */
static int
reset_postgres(void)
{
    static const char sql[] = "BEGIN;"
                              "SET LOCAL session_replication_role = replica;"
                              "DO $$ DECLARE t text; BEGIN"
                              " FOR t IN SELECT tablename FROM pg_tables"
                              "  WHERE schemaname = current_schema()"
                              "  AND tablename <> 'schema_migrations' LOOP"
                              "  EXECUTE 'DELETE FROM ' || quote_ident(t);"
                              " END LOOP;"
                              " PERFORM compel_seed();"
                              "END $$;"
                              "COMMIT;";
    PGresult *r;
    int rc = 0;

    if (reset_conn == NULL) {
        reset_conn = PQconnectdb(fx_backend);
        if (PQstatus(reset_conn) != CONNECTION_OK) {
            fprintf(stderr, "reset: cannot connect: %s",
                    PQerrorMessage(reset_conn));
            PQfinish(reset_conn);
            reset_conn = NULL;
            return -1;
        }
    }
    r = PQexec(reset_conn, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "reset: %s", PQresultErrorMessage(r));
        rc = -1;
    }
    PQclear(r);
    return rc;
}

int
fx_setup(void **state)
{
    struct fx *f = cm_calloc(1, sizeof *f);
    const char *why = NULL;
    int applied = -1;
    enum cm_err err;

    if (fx_fresh_url(f->url, sizeof f->url))
        err = store_open_partial(f->url, STORE_OPEN_MODE_CREATE, &f->s, &why);
    else {
        (void)snprintf(f->url, sizeof f->url, "%s", fx_backend);
        err = store_open_partial(f->url, STORE_OPEN_MODE_EXISTING, &f->s, &why);
    }
    if (err != CM_ERR_OK) {
        fprintf(stderr, "cannot open %s: %s\n", f->url, why);
        cm_free(f);
        return -1;
    }
    if (store_migrate(f->s, FX_T0, &applied) != STORE_ONE_RESULT ||
        (is_postgres(f->url) && reset_postgres() != 0)) {
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

/* Whether COMPEL_CONTRACT_GROUPS selects `group` (unset or empty: all). */
static bool
is_selected(const char *group)
{
    const char *list = getenv("COMPEL_CONTRACT_GROUPS");
    size_t n = strlen(group);

    if (list == NULL || *list == '\0')
        return true;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");

        if (len == n && strncmp(p, group, n) == 0)
            return true;
        p += len;
        if (*p == ',')
            p++;
    }
    return false;
}

static const struct group {
    const char *name;
    int (*run)(void);
} groups[] = {
    {"rows", contract_run_rows},       {"tx", contract_run_tx},
    {"auth", contract_run_auth},       {"admin", contract_run_admin},
    {"cases", contract_run_cases},     {"infra", contract_run_infra},
    {"bulk", contract_run_bulk},       {"jobs", contract_run_jobs},
    {"sign", contract_run_sign},       {"docs", contract_run_docs},
    {"reports", contract_run_reports},
};

/* Every name in COMPEL_CONTRACT_GROUPS must be a group: a mistyped one
 * would silently run nothing. */
static bool
are_groups_known(void)
{
    const char *list = getenv("COMPEL_CONTRACT_GROUPS");

    for (const char *p = list ? list : ""; *p;) {
        size_t len = strcspn(p, ",");
        bool known = false;

        for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
            if (strlen(groups[i].name) == len &&
                strncmp(p, groups[i].name, len) == 0)
                known = true;
        if (!known && len > 0) {
            fprintf(stderr, "COMPEL_CONTRACT_GROUPS: unknown group %.*s\n",
                    (int)len, p);
            return false;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return true;
}

/* store_open (what compel serve, init and the other commands use) opens
 * the backend at fx_backend exactly when it has every operation group;
 * an incomplete one is refused with a reason, never half served. 0 when
 * that holds, else 1 (with a message). */
static int
check_open_refuses_partial(void)
{
    struct store *s = NULL;
    const char *why = NULL;
    bool complete;
    enum cm_err err;

    if (store_open_partial(fx_backend, STORE_OPEN_MODE_EXISTING, &s, &why) !=
        CM_ERR_OK) {
        fprintf(stderr, "cannot open %s: %s\n", fx_backend, why);
        return 1;
    }
    complete = store_is_complete(s);
    store_close(s);
    s = NULL;
    err = store_open(fx_backend, STORE_OPEN_MODE_EXISTING, &s, &why);
    store_close(s);
    if (complete ? err == CM_ERR_OK
                 : err == CM_ERR_UNAVAILABLE && strstr(why, "not complete"))
        return 0;
    fprintf(stderr, "store_open on a%s backend answered %d (%s)\n",
            complete ? " complete" : "n incomplete", (int)err, why ? why : "");
    return 1;
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
    if (!are_groups_known())
        return 2;
    if (strcmp(fx_backend, "sqlite") == 0) {
        const char *base = getenv("TMPDIR");

        (void)snprintf(tmpdir, sizeof tmpdir, "%s/compel-store-XXXXXX",
                       base && *base ? base : "/tmp");
        if (mkdtemp(tmpdir) == NULL) {
            perror("mkdtemp");
            return 1;
        }
    }
    if (strcmp(fx_backend, "sqlite") != 0)
        failed += check_open_refuses_partial();
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (is_selected(groups[i].name))
            failed += groups[i].run();
    PQfinish(reset_conn);
    if (tmpdir[0] && rmdir(tmpdir) != 0)
        fprintf(stderr, "warning: %s not empty\n", tmpdir);
    return failed ? 1 : 0;
}
