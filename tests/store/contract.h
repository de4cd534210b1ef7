/*
 * contract.h: shared fixtures of the store contract suite.
 *
 * The suite is written against store/store.h only, so the very same tests
 * run on every backend: `test_store_contract sqlite` makes a temporary
 * directory and a fresh database per test; `test_store_contract URL`
 * runs on the database at URL (a backend whose tests need an empty
 * database must empty it in fx_setup's reset hook).
 */
#ifndef CM_TESTS_STORE_CONTRACT_H
#define CM_TESTS_STORE_CONTRACT_H

#include <stdint.h>

#include "store/store.h"

/* 2026-01-01T00:00:00Z in microseconds since the epoch: 1767225600 s
 * (2025-01-01 is 1735689600 s, plus 365 days of 86400 s). */
#define FX_T0 INT64_C(1767225600000000)

struct fx {
    struct store *s;
    char url[512];
    /* Ids of a small world made by fx_setup_world. */
    char agency[STORE_ID_SIZE];
    char county[STORE_ID_SIZE];
    char officer[STORE_ID_SIZE];
    char facility[STORE_ID_SIZE];
    char person[STORE_ID_SIZE];
};

/* cmocka setup: open a fresh, migrated database into a new struct fx. */
int fx_setup(void **state);

/* fx_setup plus an agency office, a jurisdiction, an officer, a facility
 * and a person. */
int fx_setup_world(void **state);

/* cmocka teardown: close and remove the database. */
int fx_teardown(void **state);

/* The URL of a new database that does not exist yet (sqlite only), into
 * out; false for backends where the suite cannot make one. */
int fx_fresh_url(char *out, size_t size);

/* Remove the files of a sqlite: URL made by fx_fresh_url. */
void fx_remove(const char *url);

/* The backend argument the suite was started with ("sqlite" or a URL). */
extern const char *fx_backend;

/* Each test file's group. Each returns the number of failed tests. */
int contract_run_rows(void);
int contract_run_tx(void);
int contract_run_auth(void);
int contract_run_admin(void);
int contract_run_cases(void);
int contract_run_infra(void);
int contract_run_bulk(void);
int contract_run_jobs(void);
int contract_run_sign(void);
int contract_run_docs(void);
int contract_run_reports(void);

#endif
